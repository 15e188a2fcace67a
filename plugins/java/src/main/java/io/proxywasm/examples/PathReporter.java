package io.proxywasm.examples;

import com.google.auto.service.AutoService;
import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * An HTTP filter that reports the path of every request to the shared queue {@code paths} of the
 * {@link PathCollector} service. Its plugin configuration is the collector's vm_id (empty: the
 * filter's own). Requests always continue; while the queue does not exist yet the filter logs a
 * warning and reports nothing.
 */
@AutoService(JavaPlugin.class)
public final class PathReporter implements JavaPlugin {
  /** Creates the plugin; ServiceLoader does this. */
  public PathReporter() {}

  @Override
  public String name() {
    return "path-reporter";
  }

  @Override
  public RootContext newRootContext() {
    return new Root();
  }

  /** Holds the collector's vm_id and the queue token once found. */
  private static final class Root extends RootContext {
    private String collectorVmId = "";
    private int queue;

    @Override
    public boolean onConfigure(int pluginConfigurationSize) {
      collectorVmId = new String(pluginConfiguration(), StandardCharsets.UTF_8).strip();
      return true;
    }

    @Override
    public HttpContext newHttpContext(int contextId) {
      return new HttpContext() {
        @Override
        public Action onRequestHeaders(int headers, boolean endOfStream) {
          if (queue == 0) {
            OptionalInt token = resolveSharedQueue(collectorVmId, PathCollector.QUEUE);
            if (token.isEmpty()) {
              logWarn("queue " + PathCollector.QUEUE + " of vm " + collectorVmId + " not found");
              return Action.CONTINUE;
            }
            queue = token.getAsInt();
          }
          String path = requestHeaders().get(":path").orElse("");
          enqueueSharedQueue(queue, path.getBytes(StandardCharsets.UTF_8));
          return Action.CONTINUE;
        }
      };
    }
  }
}
