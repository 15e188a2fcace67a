package io.proxywasm.testkit;

import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmVmProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.PreconditionViolationException;

/**
 * The JUnit extension behind {@link OnEveryRuntime}: one invocation per runtime that can run the
 * plugin, each given a {@link ProxyWasmTestKit} set to that runtime and plugin.
 */
public final class EveryRuntimeExtension implements TestTemplateInvocationContextProvider {

  /** Creates the extension; JUnit does this. */
  public EveryRuntimeExtension() {}

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context
        .getTestMethod()
        .map(m -> m.isAnnotationPresent(OnEveryRuntime.class))
        .orElse(false);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(
      ExtensionContext context) {
    OnEveryRuntime spec = context.getRequiredTestMethod().getAnnotation(OnEveryRuntime.class);
    int sources =
        (spec.wasm().isEmpty() ? 0 : 1)
            + (spec.wasmProperty().isEmpty() ? 0 : 1)
            + (spec.wasmMethod().isEmpty() ? 0 : 1);
    if (sources > 1) {
      throw new PreconditionViolationException(
          "@OnEveryRuntime on "
              + context.getDisplayName()
              + " gives more than one of wasm, wasmProperty and wasmMethod");
    }
    if (sources == 0 && spec.javaPlugin().isEmpty()) {
      throw new PreconditionViolationException(
          "@OnEveryRuntime on "
              + context.getDisplayName()
              + " names neither a wasm module (wasm, wasmProperty, wasmMethod) nor a javaPlugin");
    }
    Map<String, WasmVmProvider> available = Runtimes.discover().all();
    List<String> wanted = Arrays.asList(spec.runtimes());
    for (String name : wanted) {
      if (!available.containsKey(name)) {
        throw new PreconditionViolationException(
            "@OnEveryRuntime names runtime '"
                + name
                + "', but the runtimes available are "
                + available.keySet());
      }
    }
    byte[] wasm = module(spec, context);
    List<TestTemplateInvocationContext> out = new ArrayList<>();
    for (WasmVmProvider runtime : available.values()) {
      if (!wanted.isEmpty() && !wanted.contains(runtime.name())) {
        continue;
      }
      boolean java = runtime.capabilities().contains(VmCapability.JAVA_PLUGINS);
      boolean bytecode = runtime.capabilities().contains(VmCapability.WASM_BYTECODE);
      if (java && !spec.javaPlugin().isEmpty()) {
        out.add(invocation(runtime, kit -> kit.javaPlugin(spec.javaPlugin())));
      } else if (bytecode && wasm != null) {
        out.add(invocation(runtime, kit -> kit.plugin(wasm)));
      }
    }
    if (out.isEmpty()) {
      throw new PreconditionViolationException(
          "@OnEveryRuntime found no runtime for "
              + context.getDisplayName()
              + " among "
              + available.keySet());
    }
    return out.stream();
  }

  private static byte[] module(OnEveryRuntime spec, ExtensionContext context) {
    if (!spec.wasm().isEmpty()) {
      return read(spec.wasm());
    }
    if (!spec.wasmProperty().isEmpty()) {
      String where = System.getProperty(spec.wasmProperty());
      if (where == null || where.isBlank()) {
        throw new PreconditionViolationException(
            "@OnEveryRuntime reads the module's path from the system property '"
                + spec.wasmProperty()
                + "', which is not set: run with -D"
                + spec.wasmProperty()
                + "=path/to/plugin.wasm");
      }
      return read(where);
    }
    if (!spec.wasmMethod().isEmpty()) {
      return fromMethod(context.getRequiredTestClass(), spec.wasmMethod());
    }
    return null;
  }

  private static byte[] fromMethod(Class<?> testClass, String name) {
    java.lang.reflect.Method method;
    try {
      method = testClass.getDeclaredMethod(name);
    } catch (NoSuchMethodException e) {
      throw new PreconditionViolationException(
          "@OnEveryRuntime names the method '"
              + name
              + "', but "
              + testClass.getSimpleName()
              + " declares no such method without parameters");
    }
    if (!java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
      throw new PreconditionViolationException(
          "@OnEveryRuntime's method '" + name + "' must be static");
    }
    Object value;
    try {
      method.trySetAccessible(); // a public method needs no access; others need the package open
      value = method.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      Throwable cause =
          e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
      throw new PreconditionViolationException(
          "@OnEveryRuntime's method '" + name + "' failed: " + cause, cause);
    }
    if (value instanceof byte[] bytes) {
      return bytes.clone();
    }
    if (value instanceof Path path) {
      try {
        return Files.readAllBytes(path);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read plugin " + path + ": " + e.getMessage(), e);
      }
    }
    if (value instanceof String where) {
      return read(where);
    }
    throw new PreconditionViolationException(
        "@OnEveryRuntime's method '"
            + name
            + "' must return a byte[], a Path or a String, not "
            + (value == null ? "null" : value.getClass().getSimpleName()));
  }

  private static byte[] read(String where) {
    try {
      if (where.startsWith("/")) {
        try (InputStream in = EveryRuntimeExtension.class.getResourceAsStream(where)) {
          if (in != null) {
            return in.readAllBytes();
          }
        }
        Path absolute = Path.of(where);
        if (Files.isRegularFile(absolute)) {
          return Files.readAllBytes(absolute);
        }
        throw new PreconditionViolationException("no class path resource or file " + where);
      }
      return Files.readAllBytes(Path.of(where));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read plugin " + where + ": " + e.getMessage(), e);
    }
  }

  /** Sets the plugin's code on a kit. */
  @FunctionalInterface
  private interface Code {
    ProxyWasmTestKit apply(ProxyWasmTestKit kit);
  }

  private static TestTemplateInvocationContext invocation(WasmVmProvider runtime, Code code) {
    return new TestTemplateInvocationContext() {
      @Override
      public String getDisplayName(int invocationIndex) {
        return "[" + runtime.name() + "]";
      }

      @Override
      public List<org.junit.jupiter.api.extension.Extension> getAdditionalExtensions() {
        return List.of(
            new ParameterResolver() {
              @Override
              public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
                return p.getParameter().getType() == ProxyWasmTestKit.class;
              }

              @Override
              public Object resolveParameter(ParameterContext p, ExtensionContext e)
                  throws ParameterResolutionException {
                return code.apply(ProxyWasmTestKit.runtime(runtime));
              }
            });
      }
    };
  }
}
