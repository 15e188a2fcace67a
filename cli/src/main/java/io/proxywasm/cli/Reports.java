package io.proxywasm.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.proxywasm.spi.Header;
import java.util.ArrayList;
import java.util.List;

/** What the subcommands print with {@code --json}: one record per object, written by Jackson. */
final class Reports {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Reports() {}

  /**
   * Writes a value as compact JSON.
   *
   * @param value a report, or any value Jackson writes
   * @return the JSON text
   */
  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the report could not be written as JSON", e);
    }
  }

  /** Headers as [name, value] pairs, in order. */
  static List<List<String>> pairs(List<Header> entries) {
    List<List<String>> out = new ArrayList<>();
    entries.forEach(e -> out.add(List.of(e.getKey(), e.getValue())));
    return out;
  }

  /**
   * One direction of an HTTP exchange after the plugin.
   *
   * @param action the plugin's decision on the headers
   * @param headers the headers after the plugin's changes
   * @param body the body after the plugin's changes
   * @param trailers the trailers sent
   */
  record Message(
      String action, List<List<String>> headers, String body, List<List<String>> trailers) {}

  /**
   * The plugin's local reply ({@code proxy_send_local_response}): the upstream was not called.
   *
   * @param status the HTTP status
   * @param headers the reply's headers
   * @param body the reply's body
   */
  record LocalReply(int status, List<List<String>> headers, String body) {}

  /**
   * A line the plugin logged.
   *
   * @param level the level, lower case
   * @param message the text
   */
  record LogLine(String level, String message) {}

  /**
   * A metric.
   *
   * @param name the name as Envoy's stats show it: {@code wasmcustom.<name>} for a plugin's
   * @param pluginName the name the plugin gave ({@code proxy_define_metric}); null for the host's
   * @param type counter, gauge or histogram
   * @param value a counter's or gauge's value, the number of values a histogram recorded
   */
  record MetricValue(String name, String pluginName, String type, long value) {}

  /**
   * An HTTP callout the plugin made; the command has no upstreams and refuses it.
   *
   * @param upstream the cluster named
   * @param headers the request headers
   * @param body the request body
   * @param timeoutMillis the timeout
   */
  record HttpCall(String upstream, List<List<String>> headers, String body, long timeoutMillis) {}

  /**
   * Why the plugin failed.
   *
   * @param kind the fail state
   * @param cause TRAP, DEADLINE_EXCEEDED..., when known
   * @param message what happened
   */
  record Failure(String kind, String cause, String message) {}

  /**
   * A chunk of TCP data through the plugin.
   *
   * @param direction downstream (client to server) or upstream (server to client)
   * @param sent the data sent to the plugin
   * @param action the plugin's decision
   * @param data the data after the plugin's changes
   */
  record TcpChunk(String direction, String sent, String action, String data) {}

  /**
   * A TCP connection through the plugin.
   *
   * @param newConnection what {@code proxy_on_new_connection} answered
   * @param chunks the data, in the order sent
   * @param resumed the directions the plugin resumed
   * @param closedByPlugin the directions the plugin closed
   */
  record Tcp(
      String newConnection,
      List<TcpChunk> chunks,
      List<String> resumed,
      List<String> closedByPlugin) {}

  /**
   * What {@code run} saw.
   *
   * @param stream http, tcp or none
   * @param runtime the runtime that ran the plugin
   * @param rootContextId the plugin's root context id on its worker
   * @param ticks how many times {@code proxy_on_tick} ran
   * @param request the request after the plugin (HTTP only)
   * @param response the upstream's response after the plugin; null when the plugin replied locally,
   *     since the upstream was then not called (HTTP only)
   * @param localResponse the plugin's local reply, or null
   * @param tcp the TCP connection (TCP only)
   * @param logs what the plugin logged
   * @param metrics the plugin's metrics
   * @param hostStats the host's own gauges, with {@code --verbose} only
   * @param httpCalls the HTTP callouts the plugin made
   * @param failure why the plugin failed, or null
   */
  record Run(
      String stream,
      String runtime,
      Integer rootContextId,
      int ticks,
      Message request,
      Message response,
      LocalReply localResponse,
      Tcp tcp,
      List<LogLine> logs,
      List<MetricValue> metrics,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<MetricValue> hostStats,
      List<HttpCall> httpCalls,
      Failure failure) {}

  /**
   * What {@code run} prints when the plugin cannot load.
   *
   * @param failure the load failure
   */
  record LoadFailure(Failure failure) {}

  /**
   * An imported function.
   *
   * @param module its module
   * @param name its name
   * @param type its signature
   */
  record Import(String module, String name, String type) {}

  /**
   * An exported function.
   *
   * @param name its name
   * @param type its signature
   */
  record Export(String name, String type) {}

  /**
   * What {@code inspect} found.
   *
   * @param file the module
   * @param abiVersion the proxy-wasm ABI version it declares, or null
   * @param imports its function imports
   * @param exports its function exports
   * @param loadable whether this host can load it
   * @param problems why not
   */
  record Inspect(
      String file,
      String abiVersion,
      List<Import> imports,
      List<Export> exports,
      boolean loadable,
      List<String> problems) {}

  /**
   * What {@code bench} measured, on the embedder path.
   *
   * @param runtime the runtime
   * @param path what was timed: {@code embedder} (host worker, plugin handle, HTTP stream)
   * @param requests the exchanges timed
   * @param perRequestNanos the median time per exchange over batches
   * @param perRequestNanosP10 the 10th percentile over batches
   * @param perRequestNanosP90 the 90th percentile over batches
   * @param createNanos the time to load the plugin: base VM and canary, compile included
   * @param cloneNanos the median time to start the plugin on a new worker, once warm
   * @param memoryBytes the worker VM's linear memory
   * @param pluginFailed whether the plugin failed during the run
   */
  record Bench(
      String runtime,
      String path,
      int requests,
      long perRequestNanos,
      long perRequestNanosP10,
      long perRequestNanosP90,
      long createNanos,
      long cloneNanos,
      long memoryBytes,
      boolean pluginFailed) {}
}
