package io.proxywasm.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a JUnit test once on every runtime that can run the plugin: each wasm runtime found by
 * ServiceLoader with the {@link #wasm()} module, and the Null VM with the {@link #javaPlugin()}
 * twin when one is named. The test method takes a {@link ProxyWasmTestKit} already set to the
 * runtime and the plugin; it configures and starts it.
 *
 * <pre>{@code
 * @OnEveryRuntime(wasm = "/plugins/http-headers.wasm", javaPlugin = "http-headers")
 * void answersHello(ProxyWasmTestKit kit) throws Exception {
 *   try (TestPlugin plugin = kit.start()) {
 *     assertEquals(200, plugin.http().requestHeader(":path", "/hello").run()
 *         .localResponse().orElseThrow().status());
 *   }
 * }
 * }</pre>
 *
 * <p>The module can also come from a system property ({@link #wasmProperty()}) or a static method
 * of the test class ({@link #wasmMethod()}), when its path is known only at run time; give one of
 * the three.
 *
 * <p>Each invocation is named after its runtime. A runtime named in {@link #runtimes()} that is not
 * available fails the test rather than being skipped silently.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(EveryRuntimeExtension.class)
public @interface OnEveryRuntime {
  /**
   * The wasm module: a class path resource when it starts with {@code /}, else a file path
   * (relative to the working directory). Empty for a Java-only test.
   *
   * @return where the module is
   */
  String wasm() default "";

  /**
   * A system property whose value is where the wasm module is (read as {@link #wasm()} is), for a
   * module whose path is known only when the build runs: {@code -Dmy.plugin=target/plugin.wasm}. A
   * property that is not set fails the test, naming it.
   *
   * @return the property's name, or empty
   */
  String wasmProperty() default "";

  /**
   * A static method of the test class, with no parameters, that returns the wasm module: a {@code
   * byte[]}, a {@link java.nio.file.Path}, or a {@code String} read as {@link #wasm()} is. For a
   * module found or built at run time.
   *
   * @return the method's name, or empty
   */
  String wasmMethod() default "";

  /**
   * The Java twin's plugin name ({@code java:NAME}), run on runtimes that run Java plugins. Empty
   * when the plugin has no Java twin.
   *
   * @return the name
   */
  String javaPlugin() default "";

  /**
   * Restricts the runtimes by name; empty for every available one.
   *
   * @return the runtime names
   */
  String[] runtimes() default {};
}
