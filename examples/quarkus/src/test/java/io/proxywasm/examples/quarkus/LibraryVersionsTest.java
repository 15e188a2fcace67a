package io.proxywasm.examples.quarkus;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The framework's BOM changes none of the versions the library's own dependencies are pinned at.
 */
class LibraryVersionsTest {
  private static void assertFrom(Class<?> type, String property) throws Exception {
    String version = System.getProperty(property);
    String jar = type.getProtectionDomain().getCodeSource().getLocation().toURI().getPath();
    assertTrue(
        jar.contains("/" + version + "/"),
        type.getName() + " comes from " + jar + ", not " + version);
  }

  @Test
  void chicoryAsmAndSlf4jAreTheParentsVersions() throws Exception {
    assertFrom(com.dylibso.chicory.runtime.Instance.class, "chicory.version");
    assertFrom(com.dylibso.chicory.wasm.WasmModule.class, "chicory.version");
    assertFrom(com.dylibso.chicory.compiler.MachineFactoryCompiler.class, "chicory.version");
    assertFrom(org.objectweb.asm.ClassReader.class, "asm.version");
    assertFrom(org.slf4j.LoggerFactory.class, "slf4j.version");
  }
}
