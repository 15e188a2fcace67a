/**
 * The wasm-level function splitter: rewrites a module so that functions too big for HotSpot's JIT
 * become several smaller ones. Its entry point is {@link
 * io.proxywasm.chicory.split.FunctionSplitter}, and {@link io.proxywasm.chicory.split.MethodSizes}
 * reads the method sizes that choose what to split; the package is exported only to runtime {@code
 * asm} ({@code io.proxywasm.asm}), which splits the functions its own translation makes too big.
 */
package io.proxywasm.chicory.split;
