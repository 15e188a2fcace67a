package io.proxywasm.chicory;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.CodeSizeEvaluator;

/**
 * Finds the generated methods HotSpot will not JIT-compile: with its default {@code
 * -XX:+DontCompileHugeMethods}, a method over {@value #HUGE_METHOD_LIMIT} bytes of bytecode always
 * runs in the JVM's bytecode interpreter, however hot. A wasm function that translates to such a
 * method runs tens of times slower than the rest of the module.
 */
final class HugeMethods {
  /** HotSpot's {@code HugeMethodLimit}, a develop flag fixed in product builds. */
  static final int HUGE_METHOD_LIMIT = 8000;

  private static final System.Logger LOG = System.getLogger(HugeMethods.class.getName());

  private HugeMethods() {}

  /**
   * Lists the huge methods of some classes that translate wasm functions, as {@code Class.method (N
   * bytes)}.
   *
   * @param classes class bytes by name
   * @return the huge methods, sorted
   */
  static List<String> find(Map<String, byte[]> classes) {
    TreeSet<String> huge = new TreeSet<>();
    classes.forEach(
        (className, bytes) ->
            new ClassReader(bytes)
                .accept(
                    new ClassVisitor(Opcodes.ASM9) {
                      @Override
                      public MethodVisitor visitMethod(
                          int access,
                          String name,
                          String descriptor,
                          String signature,
                          String[] exceptions) {
                        return new CodeSizeEvaluator(null) {
                          @Override
                          public void visitEnd() {
                            // Only translations of wasm functions (func_N): Chicory's own
                            // dispatchers are not the plugin's code and splitting cannot help.
                            if (getMaxSize() > HUGE_METHOD_LIMIT && name.startsWith("func_")) {
                              huge.add(
                                  simpleName(className)
                                      + "."
                                      + name
                                      + " ("
                                      + getMaxSize()
                                      + " bytes)");
                            }
                          }
                        };
                      }
                    },
                    ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES));
    return new ArrayList<>(huge);
  }

  /**
   * Tells whether HotSpot leaves huge methods to its interpreter in this JVM: true unless it runs
   * with {@code -XX:-DontCompileHugeMethods} (or is not HotSpot).
   *
   * @return whether huge methods stay interpreted
   */
  static boolean jvmSkipsHugeMethods() {
    try {
      HotSpotDiagnosticMXBean hotspot =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return hotspot != null
          && Boolean.parseBoolean(hotspot.getVMOption("DontCompileHugeMethods").getValue());
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * Says once, when a module is compiled, that some of its functions will run slowly, and how to
   * lift it.
   *
   * @param hash the module's hash
   * @param huge its huge methods
   */
  static void warn(String hash, List<String> huge) {
    if (huge.isEmpty() || !jvmSkipsHugeMethods()) {
      return;
    }
    String largest =
        huge.stream().max(java.util.Comparator.comparingInt(HugeMethods::size)).orElseThrow();
    LOG.log(
        Level.WARNING,
        () ->
            "wasm module "
                + hash.substring(0, 12)
                + ": "
                + huge.size()
                + " function(s) translate to JVM methods over "
                + HUGE_METHOD_LIMIT
                + " bytes, which HotSpot never JIT-compiles, so they run in the JVM bytecode"
                + " interpreter (splitting them is off or failed); start the JVM with"
                + " -XX:-DontCompileHugeMethods to compile them."
                + " Largest: "
                + largest);
  }

  /**
   * Returns the wasm function indexes (imports included, as Chicory numbers its {@code func_N}
   * methods) of huge methods.
   *
   * @param huge entries of {@link #find}
   * @return the indexes
   */
  static java.util.Set<Integer> functionIndices(List<String> huge) {
    java.util.Set<Integer> out = new java.util.TreeSet<>();
    java.util.regex.Pattern name = java.util.regex.Pattern.compile("\\.func_(\\d+) \\(");
    for (String entry : huge) {
      java.util.regex.Matcher m = name.matcher(entry);
      if (m.find()) {
        out.add(Integer.parseInt(m.group(1)));
      }
    }
    return out;
  }

  /** Says what splitting huge functions did. */
  static void splitDone(String hash, int before, FunctionSplitter.Result result, int after) {
    LOG.log(
        Level.INFO,
        () ->
            "wasm module "
                + hash.substring(0, 12)
                + ": split "
                + result.functionsSplit()
                + " huge function(s) into "
                + result.piecesAdded()
                + " new one(s) so that HotSpot JIT-compiles them; methods over "
                + HUGE_METHOD_LIMIT
                + " bytes: "
                + before
                + " before, "
                + after
                + " after");
  }

  /** Says that splitting failed and the module runs as it is. */
  static void splitFailed(String hash, Throwable why) {
    LOG.log(
        Level.WARNING,
        () ->
            "wasm module "
                + hash.substring(0, 12)
                + ": its huge functions could not be split ("
                + why
                + "); it runs as it is");
  }

  private static int size(String entry) {
    int open = entry.lastIndexOf('(');
    return Integer.parseInt(entry.substring(open + 1, entry.indexOf(' ', open)));
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1).replace('/', '.');
  }
}
