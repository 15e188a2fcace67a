package io.proxywasm.spi;

/**
 * A function a module exports.
 *
 * @param name the export name, for example {@code proxy_on_request_headers}
 * @param type its signature
 */
public record FunctionExport(String name, FunctionType type) {}
