/**
 * Helpers shared by the modules of proxy-wasm-jvm that are no part of the SPI contract: the
 * discovery registry every {@link java.util.ServiceLoader} lookup goes through, a table of contexts
 * by id, a fail-state holder and a base class with the lifecycle every runtime of this project
 * shares ({@link io.proxywasm.spi.support.AbstractWasmVm}), and a metric kept in memory with
 * Envoy's semantics. They may change in any release.
 */
package io.proxywasm.spi.support;
