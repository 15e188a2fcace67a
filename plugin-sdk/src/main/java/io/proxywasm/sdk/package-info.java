/**
 * The Java plugin SDK: write a proxy-wasm plugin in Java. A plugin implements {@link
 * io.proxywasm.sdk.JavaPlugin} (registered with ServiceLoader) and creates a {@link
 * io.proxywasm.sdk.RootContext}, which creates {@link io.proxywasm.sdk.HttpContext}s for HTTP
 * streams or {@link io.proxywasm.sdk.StreamContext}s for TCP connections. The Null VM (runtime
 * {@code null}, module {@code io.proxywasm.nullvm}) runs it with code {@code java:NAME}.
 */
package io.proxywasm.sdk;
