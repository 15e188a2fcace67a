package io.proxywasm.chicory;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.proxywasm.chicory.split.FunctionSplitter;
import io.proxywasm.chicory.split.MethodSizes;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** Whether this JVM leaves huge methods to its interpreter; a JVM flag, fixed at start. */
  private static final boolean JVM_SKIPS_HUGE_METHODS = readDontCompileHugeMethods();

  private HugeMethods() {}

  /**
   * A generated method over the limit: the translation of wasm function {@code function} (its index
   * counts imports, as Chicory numbers its {@code func_N} methods).
   *
   * @param className the class
   * @param function the wasm function index
   * @param bytes the method's bytecode size
   */
  record Huge(String className, int function, int bytes) {
    @Override
    public String toString() {
      return className.substring(className.lastIndexOf('.') + 1).replace('/', '.')
          + ".func_"
          + function
          + " ("
          + bytes
          + " bytes)";
    }
  }

  /**
   * Lists the huge methods of some classes that translate wasm functions ({@code func_N}):
   * Chicory's own dispatchers are not the plugin's code, and splitting cannot help them.
   *
   * @param classes class bytes by name
   * @return the huge methods, by class and function
   */
  static List<Huge> find(Map<String, byte[]> classes) {
    List<Huge> huge = new ArrayList<>();
    classes.forEach(
        (className, bytes) -> {
          ClassReader reader = new ClassReader(bytes);
          Set<String> candidates = mayBeHuge(reader);
          if (candidates.isEmpty()) {
            return;
          }
          reader.accept(
              new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(
                    int access,
                    String name,
                    String descriptor,
                    String signature,
                    String[] exceptions) {
                  if (!candidates.contains(name)) {
                    return null;
                  }
                  return new CodeSizeEvaluator(null) {
                    @Override
                    public void visitEnd() {
                      if (getMaxSize() > HUGE_METHOD_LIMIT) {
                        huge.add(
                            new Huge(
                                className,
                                Integer.parseInt(name.substring(FUNCTION_PREFIX.length())),
                                getMaxSize()));
                      }
                    }
                  };
                }
              },
              ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        });
    huge.sort(Comparator.comparing(Huge::className).thenComparingInt(Huge::function));
    return huge;
  }

  /**
   * The {@code func_N} methods of a class whose size {@link CodeSizeEvaluator} may estimate over
   * the limit, read from the class file's {@code Code} attributes without decoding any instruction:
   * its estimate of an instruction is at most 8/3 of the instruction's length (a 3-byte conditional
   * jump counted as 8), so a method of at most 3/8 of the limit never is one and need not be
   * evaluated (most are, once a module is split).
   */
  private static Set<String> mayBeHuge(ClassReader reader) {
    Set<String> out = new HashSet<>();
    MethodSizes.read(
        reader,
        (name, size) -> {
          if (name.startsWith(FUNCTION_PREFIX) && (long) size * 8 > (long) HUGE_METHOD_LIMIT * 3) {
            out.add(name);
          }
        });
    return out;
  }

  /** The prefix of the methods Chicory translates wasm functions to. */
  private static final String FUNCTION_PREFIX = "func_";

  /**
   * Tells whether HotSpot leaves huge methods to its interpreter in this JVM: true unless it runs
   * with {@code -XX:-DontCompileHugeMethods} (or is not HotSpot).
   *
   * @return whether huge methods stay interpreted
   */
  static boolean jvmSkipsHugeMethods() {
    return JVM_SKIPS_HUGE_METHODS;
  }

  private static boolean readDontCompileHugeMethods() {
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
  static void warn(String hash, List<Huge> huge) {
    if (huge.isEmpty() || !JVM_SKIPS_HUGE_METHODS) {
      return;
    }
    Huge largest = huge.stream().max(Comparator.comparingInt(Huge::bytes)).orElseThrow();
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

  /** Says what splitting huge functions did. */
  static void splitDone(String hash, int candidates, FunctionSplitter.Result result, int after) {
    LOG.log(
        Level.INFO,
        () ->
            "wasm module "
                + hash.substring(0, 12)
                + ": split "
                + result.functionsSplit()
                + " of "
                + candidates
                + " huge or likely huge function(s) into "
                + result.piecesAdded()
                + " new one(s) so that HotSpot JIT-compiles them; methods over "
                + HUGE_METHOD_LIMIT
                + " bytes left: "
                + after);
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
}
