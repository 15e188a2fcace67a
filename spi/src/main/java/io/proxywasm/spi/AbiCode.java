package io.proxywasm.spi;

/**
 * An ABI value with the numeric code that crosses the wasm boundary.
 *
 * <p>Implemented by every enum of this package that mirrors a proxy-wasm ABI value.
 */
public interface AbiCode {
  /**
   * Returns the numeric code of this value, exactly as the proxy-wasm ABI defines it.
   *
   * @return the code
   */
  int code();
}
