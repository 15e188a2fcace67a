package io.proxywasm.testkit;

import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.nullvm.JavaPlugin;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmVmProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Runs a proxy-wasm plugin in a test, with no proxy: pick a runtime, give the plugin's code and
 * configuration, {@link #start()} it, then drive it and look at what it did.
 *
 * <pre>{@code
 * try (TestPlugin plugin =
 *     ProxyWasmTestKit.runtime("chicory-compiler")
 *         .plugin(Path.of("my_plugin.wasm"))
 *         .config(c -> c.rootId("my_root").pluginConfiguration("{\"mode\":\"strict\"}"))
 *         .start()) {
 *   ExchangeResult result = plugin.http().requestHeader(":path", "/hello").run();
 *   assertEquals(200, result.localResponse().orElseThrow().status());
 * }
 * }</pre>
 *
 * <p>Time is manual: nothing runs in the background; ticks, queue deliveries and callout answers
 * happen when the test calls {@link TestPlugin#advance} (or {@link TestPlugin#runDue}).
 */
public final class ProxyWasmTestKit {
  private final WasmVmProvider runtime;
  private JavaPlugin offered;
  private byte[] code;
  private Consumer<PluginConfig.Builder> config = c -> {};
  private ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private HttpCallHandler httpCalls = HttpCallHandler.NONE;
  private io.proxywasm.host.GrpcCallHandler grpcCalls = io.proxywasm.host.GrpcCallHandler.NONE;

  private ProxyWasmTestKit(WasmVmProvider runtime) {
    this.runtime = Objects.requireNonNull(runtime, "runtime");
  }

  /**
   * Starts a test on a runtime found by name.
   *
   * @param name for example {@code chicory} or {@code chicory-compiler}
   * @return the kit
   * @throws io.proxywasm.spi.ProviderLookupException naming the runtimes available
   */
  public static ProxyWasmTestKit runtime(String name) {
    return new ProxyWasmTestKit(Runtimes.discover().get(name));
  }

  /**
   * Starts a test on a runtime given by instance.
   *
   * @param runtime the runtime
   * @return the kit
   */
  public static ProxyWasmTestKit runtime(WasmVmProvider runtime) {
    return new ProxyWasmTestKit(runtime);
  }

  /**
   * Sets the plugin's code.
   *
   * @param code the module bytes
   * @return this kit
   */
  public ProxyWasmTestKit plugin(byte[] code) {
    this.code = code.clone();
    return this;
  }

  /**
   * Runs a Java plugin registered with ServiceLoader under a name (code {@code java:NAME}); use
   * with the Null VM, {@code runtime("null")}.
   *
   * @param name the plugin's name, or its class name
   * @return this kit
   */
  public ProxyWasmTestKit javaPlugin(String name) {
    return plugin(
        (Runtimes.JAVA_PLUGIN_PREFIX + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Runs a Java plugin instance, which need not be registered with ServiceLoader; use with the Null
   * VM, {@code runtime("null")}.
   *
   * @param plugin the plugin
   * @return this kit
   */
  public ProxyWasmTestKit javaPlugin(JavaPlugin plugin) {
    this.offered = Objects.requireNonNull(plugin, "plugin");
    return javaPlugin(plugin.name());
  }

  /**
   * Reads the plugin's code from a file.
   *
   * @param file the {@code .wasm} file
   * @return this kit
   * @throws UncheckedIOException naming the file if it cannot be read
   */
  public ProxyWasmTestKit plugin(Path file) {
    try {
      return plugin(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read plugin " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the plugin's code from a class path resource.
   *
   * @param resource an absolute resource name, for example {@code /plugins/filter.wasm}
   * @return this kit
   * @throws IllegalArgumentException if there is no such resource
   */
  public ProxyWasmTestKit pluginResource(String resource) {
    try (InputStream in = ProxyWasmTestKit.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no class path resource " + resource);
      }
      return plugin(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + resource, e);
    }
  }

  /**
   * Adjusts the plugin's configuration (root_id, configurations, fail policy...). The name defaults
   * to {@code test}.
   *
   * @param config changes to apply to the configuration builder
   * @return this kit
   */
  public ProxyWasmTestKit config(Consumer<PluginConfig.Builder> config) {
    this.config = Objects.requireNonNull(config, "config");
    return this;
  }

  /**
   * Uses the given clock.
   *
   * @param clock the clock; by default one set to 2026-01-01T00:00:00Z
   * @return this kit
   */
  public ProxyWasmTestKit clock(ManualClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Answers the plugin's HTTP callouts with the given handler.
   *
   * @param httpCalls the handler; by default every upstream is unknown
   * @return this kit
   */
  public ProxyWasmTestKit httpCalls(HttpCallHandler httpCalls) {
    this.httpCalls = Objects.requireNonNull(httpCalls, "httpCalls");
    return this;
  }

  /**
   * Answers the plugin's gRPC calls with the given handler.
   *
   * @param grpcCalls the handler; by default every cluster is unknown
   * @return this kit
   */
  public ProxyWasmTestKit grpcCalls(io.proxywasm.host.GrpcCallHandler grpcCalls) {
    this.grpcCalls = Objects.requireNonNull(grpcCalls, "grpcCalls");
    return this;
  }

  /**
   * Answers the plugin's HTTP and gRPC callouts from scripted upstreams, which also record the
   * calls.
   *
   * @param upstreams the upstreams
   * @return this kit
   */
  public ProxyWasmTestKit upstreams(FakeUpstreams upstreams) {
    return httpCalls(upstreams).grpcCalls(upstreams);
  }

  /**
   * Loads the plugin and starts it on a worker: its root context is created, started and
   * configured.
   *
   * @return the running plugin
   * @throws PluginLoadException naming what was wrong with the module or its configuration
   */
  public TestPlugin start() throws PluginLoadException {
    if (code == null) {
      throw new IllegalStateException("no plugin code given: call plugin(...) first");
    }
    ManualScheduler scheduler = new ManualScheduler();
    RecordingLogSink logs = new RecordingLogSink();
    RecordingExtension extension = new RecordingExtension();
    ProxyWasmHost.Builder hostBuilder =
        ProxyWasmHost.builder()
            .runtimes(Runtimes.of(runtime))
            .scheduler(scheduler)
            .clock(clock)
            .logSink(logs)
            .extension(extension)
            .httpCalls(httpCalls)
            .grpcCalls(grpcCalls);
    if (offered != null) {
      hostBuilder.offer(offered.name(), offered);
    }
    ProxyWasmHost host = hostBuilder.build();
    PluginConfig.Builder builder = PluginConfig.builder("test").runtime(runtime.name()).code(code);
    config.accept(builder);
    try {
      return new TestPlugin(host, host.load(builder.build()), scheduler, clock, logs, extension);
    } catch (PluginLoadException | RuntimeException e) {
      host.close();
      throw e;
    }
  }
}
