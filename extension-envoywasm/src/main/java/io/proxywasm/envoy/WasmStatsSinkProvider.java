package io.proxywasm.envoy;

/**
 * Creates a {@link WasmStatsSink}; found with {@link java.util.ServiceLoader} by the default
 * extension. Stateless: {@link #create()} returns a new sink each time.
 */
public interface WasmStatsSinkProvider {

  /**
   * Returns the sink's name, unique among sinks.
   *
   * @return the name
   */
  String name();

  /**
   * Creates the sink.
   *
   * @return a new sink
   */
  WasmStatsSink create();
}
