package io.proxywasm.asm;

import com.dylibso.chicory.wasm.WasmModule;
import io.proxywasm.chicory.split.FunctionSplitter;
import io.proxywasm.chicory.split.MethodSizes;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.objectweb.asm.ClassReader;

/**
 * Translates a module so that no wasm function becomes a JVM method HotSpot will not JIT-compile:
 * with its default {@code -XX:+DontCompileHugeMethods}, a method over {@value #HUGE_METHOD_LIMIT}
 * bytes of bytecode always runs in the JVM's bytecode interpreter, and one over 64 KiB cannot be
 * defined at all. The module is translated; the functions whose methods are over the limit (their
 * exact sizes read from the class file) are split at the wasm level by runtime {@code chicory}'s
 * splitter ({@link FunctionSplitter}), and the result translated again, until no method is over the
 * limit or the splitter can do no more. A split module has the same imports, exports and function
 * indexes, plus the new functions.
 */
final class Splitting {
  /** HotSpot's {@code HugeMethodLimit}, a develop flag fixed in product builds. */
  static final int HUGE_METHOD_LIMIT = 8000;

  /** The most rounds of splitting: each one splits what the last one left over the limit. */
  private static final int MAX_ROUNDS = 4;

  private Splitting() {}

  /**
   * A module's translation.
   *
   * @param module the module translated: the one given, or it with its huge functions split
   * @param result the translation
   */
  record Translated(WasmModule module, Translator.Result result) {}

  /**
   * Translates a module, splitting the functions whose translation is over the limit.
   *
   * @param bytes the module's bytes
   * @param module the module, parsed from {@code bytes}
   * @param className the internal name of the class to make
   * @param entryPoints functions the host calls by index (splitting keeps indexes)
   * @return the translation
   * @throws Translator.Unsupported if the module uses a feature the translator does not handle
   * @throws Translator.TooLarge if a method stays over the JVM's 64 KiB limit
   */
  static Translated translate(
      byte[] bytes, WasmModule module, String className, Set<Integer> entryPoints) {
    for (int round = 0; ; round++) {
      Translator.Result result = null;
      Translator.TooLarge tooLarge = null;
      Set<Integer> huge;
      try {
        result = Translator.translate(module, className, entryPoints);
        huge = hugeFunctions(result.bytes());
        if (huge.isEmpty()) {
          return new Translated(module, result);
        }
      } catch (Translator.TooLarge e) {
        if (e.function() < 0) {
          throw e; // not a function's method: splitting cannot help
        }
        tooLarge = e;
        // the other methods' sizes are not known: split the function at fault and those big
        // enough in wasm to be huge in bytecode
        huge = new TreeSet<>(FunctionSplitter.likelyHuge(module));
        huge.add(e.function());
      }
      Optional<FunctionSplitter.Checked> split = Optional.empty();
      if (round < MAX_ROUNDS) {
        try {
          split = FunctionSplitter.splitChecked(bytes, module, huge);
        } catch (RuntimeException e) {
          // the splitter failed on these functions (it leaves whole what its validation refuses):
          // the module runs as it is, as chicory-compiler's does then
        }
      }
      if (split.isEmpty()) {
        if (tooLarge != null) {
          throw tooLarge;
        }
        return new Translated(module, result); // as good as it gets: some methods stay huge
      }
      bytes = split.get().result().module();
      module = split.get().module();
    }
  }

  /**
   * The wasm functions whose methods ({@code f<N>}) are over {@link #HUGE_METHOD_LIMIT} bytes of
   * bytecode, read from the {@code Code} attributes of a class file.
   *
   * @param classFile the class
   * @return the functions, imports counted
   */
  static Set<Integer> hugeFunctions(byte[] classFile) {
    Set<Integer> out = new TreeSet<>();
    methodSizes(
        classFile,
        (name, size) -> {
          int function = Translator.functionOf(name);
          if (function >= 0 && size > HUGE_METHOD_LIMIT) {
            out.add(function);
          }
        });
    return out;
  }

  /**
   * Reads the bytecode size of every method of a class file that has code.
   *
   * @param classFile the class
   * @param sizes receives each method's name and size
   */
  static void methodSizes(byte[] classFile, MethodSizes.Consumer sizes) {
    MethodSizes.read(new ClassReader(classFile), sizes);
  }
}
