package io.proxywasm.spi;

/**
 * A function a module imports.
 *
 * @param module the import module, for example {@code env}
 * @param name the import name, for example {@code proxy_log}
 * @param type the signature the module expects
 */
public record FunctionImport(String module, String name, FunctionType type) {
  /**
   * Returns the import as {@code module.name}.
   *
   * @return the qualified name
   */
  public String qualifiedName() {
    return module + "." + name;
  }
}
