package io.proxywasm.examples;

import com.google.auto.service.AutoService;
import io.proxywasm.sdk.Counter;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.SharedDataValue;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A singleton service that registers the shared queue {@code paths}, and for each path a {@link
 * PathReporter} enqueues adds one to the shared data key {@code path-count:<path>} (a decimal
 * count, updated with compare-and-swap) and to the counter {@code collected_paths}.
 */
@AutoService(JavaPlugin.class)
public final class PathCollector implements JavaPlugin {
  /** The queue the reporters write to. */
  public static final String QUEUE = "paths";

  /** The prefix of the shared data keys holding the counts. */
  public static final String KEY_PREFIX = "path-count:";

  /** Creates the plugin; ServiceLoader does this. */
  public PathCollector() {}

  @Override
  public String name() {
    return "path-collector";
  }

  @Override
  public RootContext newRootContext() {
    return new RootContext() {
      private int queue;
      private Counter collected;

      @Override
      public boolean onConfigure(int pluginConfigurationSize) {
        queue = registerSharedQueue(QUEUE);
        collected = defineCounter("collected_paths");
        return true;
      }

      @Override
      public void onQueueReady(int token) {
        if (token != queue) {
          return;
        }
        for (Optional<byte[]> item = dequeueSharedQueue(queue);
            item.isPresent();
            item = dequeueSharedQueue(queue)) {
          count(new String(item.get(), StandardCharsets.UTF_8));
          collected.increment();
        }
      }

      private void count(String path) {
        String key = KEY_PREFIX + path;
        while (true) {
          Optional<SharedDataValue> current = sharedData(key);
          long n =
              current
                  .map(v -> Long.parseLong(new String(v.value(), StandardCharsets.UTF_8)))
                  .orElse(0L);
          byte[] next = Long.toString(n + 1).getBytes(StandardCharsets.UTF_8);
          if (setSharedData(key, next, current.map(SharedDataValue::cas).orElse(0))) {
            return;
          }
        }
      }
    };
  }
}
