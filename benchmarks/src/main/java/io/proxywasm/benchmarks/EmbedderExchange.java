package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LogSink;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterHeadersStatus;
import java.io.IOException;

/**
 * A plugin started on one long-lived worker of a host whose log sink drops everything, and one
 * exchange through it as a gateway pays for it: stream context creation, request headers, response
 * headers, log, done and delete. What the per-request benchmarks share.
 */
final class EmbedderExchange implements AutoCloseable {
  private final ProxyWasmHost host;
  private final Plugin loaded;
  private final Worker worker;
  private final PluginHandle handle;

  private EmbedderExchange(PluginConfig config, LogSink sink) throws PluginLoadException {
    host = ProxyWasmHost.builder().logSink(sink).build();
    loaded = host.load(config);
    worker = host.newWorker();
    handle = worker.handle(loaded);
    handle.rootContextId(); // starts the root context on the worker
  }

  /** Starts a plugin of any kind. */
  static EmbedderExchange start(PluginConfig config) throws PluginLoadException {
    return new EmbedderExchange(config, (p, level, message) -> {});
  }

  /** Starts a corpus plugin (plugins/wasm) on a runtime, by the root_id it needs. */
  static EmbedderExchange corpus(String plugin, String runtime)
      throws IOException, PluginLoadException {
    return corpus(plugin, runtime, (p, level, message) -> {});
  }

  /** Starts a corpus plugin on a runtime with a log sink of the caller's. */
  static EmbedderExchange corpus(String plugin, String runtime, LogSink sink)
      throws IOException, PluginLoadException {
    return new EmbedderExchange(
        PluginConfig.builder("bench")
            .rootId(rootId(plugin))
            .runtime(runtime)
            .code(BenchmarkDefaults.corpus(plugin))
            .pluginConfiguration("{}")
            .build(),
        sink);
  }

  /**
   * The root_id a corpus plugin needs: {@code http_headers} for the AssemblyScript ones (the SDK
   * picks the root context by it), {@code properties} for the properties plugins (the C++ one
   * registers its factories under it), none for the others. benchmarks/v8/compare.sh passes the
   * same to host.mjs.
   */
  static String rootId(String plugin) {
    if (plugin.startsWith("as-")) {
      return "http_headers";
    }
    return plugin.endsWith("-properties.wasm") ? "properties" : "";
  }

  /** A stream on the plugin's worker, for a benchmark that drives the callbacks itself. */
  HttpStream newStream() {
    return handle.newHttpStream(HttpStreamListener.IGNORE);
  }

  /** One exchange; returns the request decision, so that nothing is optimised away. */
  FilterHeadersStatus run(HeaderMap request, HeaderMap response) {
    HttpStream stream = newStream();
    FilterHeadersStatus status = stream.onRequestHeaders(request, false);
    stream.onResponseHeaders(response, true);
    stream.onLog();
    stream.close();
    return status;
  }

  /**
   * Puts a map back as it was when a plugin changed it (the SDK http-headers plugins add a response
   * header on every exchange), as host.mjs does: every exchange sees the same headers.
   */
  static void restore(HeaderMap map, HeaderMap template) {
    if (map.size() != template.size()) {
      map.setAll(template.view());
    }
  }

  @Override
  public void close() {
    worker.close();
    loaded.close();
    host.close();
  }
}
