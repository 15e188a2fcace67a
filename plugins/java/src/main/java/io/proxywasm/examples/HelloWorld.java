package io.proxywasm.examples;

import com.google.auto.service.AutoService;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import java.time.Duration;
import java.time.Instant;

/**
 * The seed's hello world: logs {@code Hello, World!} when the VM starts and asks for a tick every 5
 * seconds; each tick logs {@code It's <nanoseconds since the epoch>}. Twin of {@code
 * plugins/c/hello_world.c}.
 */
@AutoService(JavaPlugin.class)
public final class HelloWorld implements JavaPlugin {
  /** Creates the plugin; ServiceLoader does this. */
  public HelloWorld() {}

  @Override
  public String name() {
    return "hello-world";
  }

  @Override
  public RootContext newRootContext() {
    return new RootContext() {
      @Override
      public boolean onVmStart(int vmConfigurationSize) {
        logInfo("Hello, World!");
        setTickPeriod(Duration.ofSeconds(5));
        return true;
      }

      @Override
      public void onTick() {
        Instant now = currentTime();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        logInfo("It's " + nanos);
      }
    };
  }
}
