/**
 * The Java plugin SDK and the Null VM that runs it. A plugin implements {@link
 * io.proxywasm.nullvm.JavaPlugin} and creates a {@link io.proxywasm.nullvm.RootContext}, which
 * creates {@link io.proxywasm.nullvm.HttpContext}s or {@link io.proxywasm.nullvm.StreamContext}s.
 * Configure it with runtime {@code null} and code {@code java:NAME}.
 */
package io.proxywasm.nullvm;
