/**
 * Contracts between the proxy-wasm host and its runtimes, embedders and extensions, plus the ABI's
 * value types.
 *
 * <p>Every enum that mirrors an ABI value carries the exact numeric code used on the wire by
 * proxy-wasm-cpp-host and Envoy ({@link io.proxywasm.spi.AbiCode#code()}).
 */
package io.proxywasm.spi;
