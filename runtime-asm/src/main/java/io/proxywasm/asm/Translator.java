package io.proxywasm.asm;

import static org.objectweb.asm.Opcodes.ACC_FINAL;
import static org.objectweb.asm.Opcodes.ACC_PUBLIC;
import static org.objectweb.asm.Opcodes.ACC_STATIC;
import static org.objectweb.asm.Opcodes.ACC_SUPER;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ARETURN;
import static org.objectweb.asm.Opcodes.ARRAYLENGTH;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.ATHROW;
import static org.objectweb.asm.Opcodes.BIPUSH;
import static org.objectweb.asm.Opcodes.D2F;
import static org.objectweb.asm.Opcodes.D2I;
import static org.objectweb.asm.Opcodes.D2L;
import static org.objectweb.asm.Opcodes.DADD;
import static org.objectweb.asm.Opcodes.DCMPG;
import static org.objectweb.asm.Opcodes.DCMPL;
import static org.objectweb.asm.Opcodes.DCONST_0;
import static org.objectweb.asm.Opcodes.DDIV;
import static org.objectweb.asm.Opcodes.DLOAD;
import static org.objectweb.asm.Opcodes.DMUL;
import static org.objectweb.asm.Opcodes.DRETURN;
import static org.objectweb.asm.Opcodes.DSTORE;
import static org.objectweb.asm.Opcodes.DSUB;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.DUP2;
import static org.objectweb.asm.Opcodes.DUP2_X1;
import static org.objectweb.asm.Opcodes.DUP2_X2;
import static org.objectweb.asm.Opcodes.DUP_X2;
import static org.objectweb.asm.Opcodes.F2D;
import static org.objectweb.asm.Opcodes.F2I;
import static org.objectweb.asm.Opcodes.F2L;
import static org.objectweb.asm.Opcodes.FADD;
import static org.objectweb.asm.Opcodes.FCMPG;
import static org.objectweb.asm.Opcodes.FCMPL;
import static org.objectweb.asm.Opcodes.FCONST_0;
import static org.objectweb.asm.Opcodes.FDIV;
import static org.objectweb.asm.Opcodes.FLOAD;
import static org.objectweb.asm.Opcodes.FMUL;
import static org.objectweb.asm.Opcodes.FRETURN;
import static org.objectweb.asm.Opcodes.FSTORE;
import static org.objectweb.asm.Opcodes.FSUB;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.GETSTATIC;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.I2B;
import static org.objectweb.asm.Opcodes.I2D;
import static org.objectweb.asm.Opcodes.I2F;
import static org.objectweb.asm.Opcodes.I2L;
import static org.objectweb.asm.Opcodes.I2S;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.IAND;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.IFGE;
import static org.objectweb.asm.Opcodes.IFGT;
import static org.objectweb.asm.Opcodes.IFLE;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.IFNE;
import static org.objectweb.asm.Opcodes.IF_ICMPEQ;
import static org.objectweb.asm.Opcodes.IF_ICMPGE;
import static org.objectweb.asm.Opcodes.IF_ICMPGT;
import static org.objectweb.asm.Opcodes.IF_ICMPLE;
import static org.objectweb.asm.Opcodes.IF_ICMPLT;
import static org.objectweb.asm.Opcodes.IF_ICMPNE;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.IMUL;
import static org.objectweb.asm.Opcodes.INVOKESPECIAL;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.IOR;
import static org.objectweb.asm.Opcodes.IRETURN;
import static org.objectweb.asm.Opcodes.ISHL;
import static org.objectweb.asm.Opcodes.ISHR;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.ISUB;
import static org.objectweb.asm.Opcodes.IUSHR;
import static org.objectweb.asm.Opcodes.IXOR;
import static org.objectweb.asm.Opcodes.L2D;
import static org.objectweb.asm.Opcodes.L2F;
import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LALOAD;
import static org.objectweb.asm.Opcodes.LAND;
import static org.objectweb.asm.Opcodes.LASTORE;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LMUL;
import static org.objectweb.asm.Opcodes.LOR;
import static org.objectweb.asm.Opcodes.LRETURN;
import static org.objectweb.asm.Opcodes.LSHL;
import static org.objectweb.asm.Opcodes.LSHR;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.LSUB;
import static org.objectweb.asm.Opcodes.LUSHR;
import static org.objectweb.asm.Opcodes.LXOR;
import static org.objectweb.asm.Opcodes.NEW;
import static org.objectweb.asm.Opcodes.NEWARRAY;
import static org.objectweb.asm.Opcodes.NOP;
import static org.objectweb.asm.Opcodes.POP;
import static org.objectweb.asm.Opcodes.POP2;
import static org.objectweb.asm.Opcodes.PUTFIELD;
import static org.objectweb.asm.Opcodes.RETURN;
import static org.objectweb.asm.Opcodes.SIPUSH;
import static org.objectweb.asm.Opcodes.SWAP;
import static org.objectweb.asm.Opcodes.T_LONG;
import static org.objectweb.asm.Opcodes.V17;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Global;
import com.dylibso.chicory.wasm.types.GlobalImport;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.MethodVisitor;

/**
 * Translates a validated wasm module into one JVM class, a subclass of {@link AsmInstance}: one
 * static method {@code f<N>} per function (imports included, as stubs that call the host), one
 * field {@code g<N>} per global, and {@code ci<T>} dispatchers for {@code call_indirect} of each
 * signature. The wasm operand stack is the JVM operand stack; wasm locals are JVM locals.
 *
 * <p>The class is the same for every instance of the module: it holds no state of its own except
 * {@code TYPES}, the canonical signature of each function, set once when the class is defined.
 */
final class Translator {
  static final String BASE = "io/proxywasm/asm/AsmInstance";
  private static final String OPS = "io/proxywasm/asm/Ops";
  private static final String TRAP = "io/proxywasm/asm/Trap";

  /**
   * The most cases one {@code call_indirect} dispatcher method switches over: a few hundred keep it
   * under HotSpot's 8000-byte limit of methods the JIT compiles.
   */
  private static final int DISPATCH_CHUNK = 400;

  /** A module feature this translator does not handle; the module then fails to load. */
  static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsupported(String message) {
      super(message);
    }
  }

  /** The translation of a function is over the JVM's 64 KiB limit for one method. */
  static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The wasm function, imports counted, or -1 if the method translates no function. */
    private final int function;

    TooLarge(String message, int function) {
      super(message);
      this.function = function;
    }

    /**
     * The function whose translation is too large.
     *
     * @return its index, imports counted, or -1 if the method is not a function's
     */
    int function() {
      return function;
    }
  }

  /** What the translation made. */
  record Result(String className, byte[] bytes, int[] functionTypes) {}

  private final WasmModule module;
  private final String className;
  private final String self;

  /** Every function's type, imports first. */
  private final List<FunctionType> functionTypes = new ArrayList<>();

  /** Every function's canonical type id (equal signatures, equal ids). */
  private final int[] canonical;

  private final Map<String, Integer> canonicalIds = new HashMap<>();
  private final List<FunctionType> canonicalTypes = new ArrayList<>();
  private final int importedFunctions;

  /** Every global's type, imports first. */
  private final List<ValType> globalTypes = new ArrayList<>();

  /** Canonical types called indirectly. */
  private final Set<Integer> indirectTypes = new TreeSet<>();

  private Translator(WasmModule module, String className) {
    this.module = module;
    this.className = className;
    this.self = "L" + className + ";";
    int imported = 0;
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      if (imp instanceof FunctionImport f) {
        functionTypes.add(module.typeSection().getType(f.typeIndex()));
        imported++;
      } else if (imp instanceof GlobalImport g) {
        globalTypes.add(g.type());
      }
    }
    this.importedFunctions = imported;
    for (int i = 0; i < module.functionSection().functionCount(); i++) {
      functionTypes.add(module.typeSection().getType(module.functionSection().getFunctionType(i)));
    }
    for (Global g : module.globalSection().globals()) {
      globalTypes.add(g.valueType());
    }
    canonical = new int[functionTypes.size()];
    for (int i = 0; i < canonical.length; i++) {
      canonical[i] = canonicalId(functionTypes.get(i));
    }
  }

  /**
   * Translates a module.
   *
   * @param module the parsed, validated module
   * @param className the internal name of the class to make
   * @param entryPoints functions the host calls by index (exports, the start function)
   * @return the class
   * @throws Unsupported if the module uses a feature this translator does not handle
   * @throws TooLarge if a method is over the JVM's 64 KiB limit
   */
  static Result translate(WasmModule module, String className, Set<Integer> entryPoints) {
    Translator t = new Translator(module, className);
    return new Result(className, t.run(entryPoints), t.canonical.clone());
  }

  private int canonicalId(FunctionType type) {
    String key = type.params() + "->" + type.returns();
    Integer id = canonicalIds.get(key);
    if (id == null) {
      id = canonicalTypes.size();
      canonicalIds.put(key, id);
      canonicalTypes.add(type);
    }
    return id;
  }

  private byte[] run(Set<Integer> entryPoints) {
    ClassWriter cw =
        new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
          @Override
          protected String getCommonSuperClass(String a, String b) {
            return "java/lang/Object";
          }
        };
    cw.visit(V17, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, className, null, BASE, null);
    cw.visitField(ACC_PUBLIC | ACC_STATIC, "TYPES", "[I", null, null).visitEnd();
    for (int i = 0; i < globalTypes.size(); i++) {
      cw.visitField(ACC_PUBLIC, "g" + i, desc(globalTypes.get(i)), null, null).visitEnd();
    }
    MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
    init.visitCode();
    init.visitVarInsn(ALOAD, 0);
    init.visitMethodInsn(INVOKESPECIAL, BASE, "<init>", "()V", false);
    init.visitInsn(RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();

    for (int i = 0; i < functionTypes.size(); i++) {
      checkSignature(i);
    }
    for (int i = 0; i < importedFunctions; i++) {
      importStub(cw, i);
    }
    for (int i = importedFunctions; i < functionTypes.size(); i++) {
      FunctionBody body = module.codeSection().getFunctionBody(i - importedFunctions);
      try {
        new FunctionWriter(cw, i, body).write();
      } catch (Unsupported e) {
        throw new Unsupported("function " + i + ": " + e.getMessage());
      }
    }
    initGlobals(cw);
    invoke(cw, entryPoints);
    for (int type : indirectTypes) {
      dispatcher(cw, type);
    }
    cw.visitEnd();
    try {
      return cw.toByteArray();
    } catch (MethodTooLargeException e) {
      throw new TooLarge(
          "the translation of "
              + e.getMethodName()
              + " is over the JVM's 64 KiB limit for one method ("
              + e.getCodeSize()
              + " bytes)",
          functionOf(e.getMethodName()));
    }
  }

  /** The prefix of the methods wasm functions translate to, {@code f<N>}. */
  static final String FUNCTION_PREFIX = "f";

  /**
   * The wasm function a generated method translates.
   *
   * @param method the method's name
   * @return the function's index, imports counted, or -1 if the method translates no function
   */
  static int functionOf(String method) {
    if (method.length() <= FUNCTION_PREFIX.length() || !method.startsWith(FUNCTION_PREFIX)) {
      return -1;
    }
    for (int i = FUNCTION_PREFIX.length(); i < method.length(); i++) {
      if (method.charAt(i) < '0' || method.charAt(i) > '9') {
        return -1;
      }
    }
    return Integer.parseInt(method.substring(FUNCTION_PREFIX.length()));
  }

  private void checkSignature(int function) {
    FunctionType type = functionTypes.get(function);
    // a defined function may return several values (the splitter's pieces do): its method returns
    // them in a long[]; the host's functions return at most one
    if (type.returns().size() > 1 && function < importedFunctions) {
      throw new Unsupported(
          "function " + function + " returns " + type.returns().size() + " values");
    }
    for (ValType t : type.params()) {
      kind(t);
    }
    for (ValType t : type.returns()) {
      kind(t);
    }
  }

  // ---- types ----------------------------------------------------------------------------------

  /** The JVM type of a wasm value type: I, J, F or D. */
  static char kind(ValType type) {
    if (type.equals(ValType.I32)) {
      return 'I';
    } else if (type.equals(ValType.I64)) {
      return 'J';
    } else if (type.equals(ValType.F32)) {
      return 'F';
    } else if (type.equals(ValType.F64)) {
      return 'D';
    }
    throw new Unsupported("values of type " + type.name().toLowerCase(Locale.ROOT));
  }

  private static String desc(ValType type) {
    return String.valueOf(kind(type));
  }

  private String methodDesc(FunctionType type) {
    StringBuilder sb = new StringBuilder("(");
    for (ValType p : type.params()) {
      sb.append(kind(p));
    }
    sb.append(self).append(')');
    sb.append(returnDesc(type));
    return sb.toString();
  }

  /** The return type of a function's method: several values come in a {@code long[]}. */
  private static String returnDesc(FunctionType type) {
    return switch (type.returns().size()) {
      case 0 -> "V";
      case 1 -> desc(type.returns().get(0));
      default -> "[J";
    };
  }

  private static int size(char kind) {
    return kind == 'J' || kind == 'D' ? 2 : 1;
  }

  private static int load(char kind) {
    return switch (kind) {
      case 'I' -> ILOAD;
      case 'J' -> LLOAD;
      case 'F' -> FLOAD;
      default -> DLOAD;
    };
  }

  private static int store(char kind) {
    return switch (kind) {
      case 'I' -> ISTORE;
      case 'J' -> LSTORE;
      case 'F' -> FSTORE;
      default -> DSTORE;
    };
  }

  private static int ret(char kind) {
    return switch (kind) {
      case 'I' -> IRETURN;
      case 'J' -> LRETURN;
      case 'F' -> FRETURN;
      default -> DRETURN;
    };
  }

  /** Converts the value on top of the stack to its {@code long} form. */
  private static void toLong(MethodVisitor mv, char kind) {
    switch (kind) {
      case 'I' -> mv.visitInsn(I2L);
      case 'J' -> {}
      case 'F' -> {
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/Float", "floatToRawIntBits", "(F)I", false);
        mv.visitInsn(I2L);
      }
      default ->
          mv.visitMethodInsn(
              INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false);
    }
  }

  /** Converts the {@code long} on top of the stack to a value of the kind. */
  private static void fromLong(MethodVisitor mv, char kind) {
    switch (kind) {
      case 'I' -> mv.visitInsn(L2I);
      case 'J' -> {}
      case 'F' -> {
        mv.visitInsn(L2I);
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/Float", "intBitsToFloat", "(I)F", false);
      }
      default ->
          mv.visitMethodInsn(INVOKESTATIC, "java/lang/Double", "longBitsToDouble", "(J)D", false);
    }
  }

  private static void pushInt(MethodVisitor mv, int value) {
    if (value >= -1 && value <= 5) {
      mv.visitInsn(ICONST_0 + value);
    } else if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
      mv.visitIntInsn(BIPUSH, value);
    } else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
      mv.visitIntInsn(SIPUSH, value);
    } else {
      mv.visitLdcInsn(value);
    }
  }

  // ---- imports, globals, entry points, dispatchers --------------------------------------------

  /** {@code f<N>} of an import: packs the arguments and calls the host. */
  private void importStub(ClassWriter cw, int function) {
    FunctionType type = functionTypes.get(function);
    MethodVisitor mv =
        cw.visitMethod(ACC_PUBLIC | ACC_STATIC, "f" + function, methodDesc(type), null, null);
    mv.visitCode();
    int slot = 0;
    int[] slots = new int[type.params().size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = slot;
      slot += size(kind(type.params().get(i)));
    }
    int instance = slot;
    int args = slot + 1;
    mv.visitVarInsn(ALOAD, instance);
    pushInt(mv, slots.length);
    mv.visitMethodInsn(INVOKEVIRTUAL, BASE, "hostArgs", "(I)[J", false);
    mv.visitVarInsn(ASTORE, args);
    for (int i = 0; i < slots.length; i++) {
      char k = kind(type.params().get(i));
      mv.visitVarInsn(ALOAD, args);
      pushInt(mv, i);
      mv.visitVarInsn(load(k), slots[i]);
      toLong(mv, k);
      mv.visitInsn(LASTORE);
    }
    mv.visitVarInsn(ALOAD, instance);
    pushInt(mv, function);
    mv.visitVarInsn(ALOAD, args);
    mv.visitMethodInsn(INVOKEVIRTUAL, BASE, "callHost", "(I[J)J", false);
    if (type.returns().isEmpty()) {
      mv.visitInsn(POP2);
      mv.visitInsn(RETURN);
    } else {
      char k = kind(type.returns().get(0));
      fromLong(mv, k);
      mv.visitInsn(ret(k));
    }
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** {@code initGlobals(long[])}: constant initial values, or imported ones. */
  private void initGlobals(ClassWriter cw) {
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "initGlobals", "([J)V", null, null);
    mv.visitCode();
    int importedGlobals = globalTypes.size() - module.globalSection().globalCount();
    for (int i = 0; i < globalTypes.size(); i++) {
      char k = kind(globalTypes.get(i));
      mv.visitVarInsn(ALOAD, 0);
      if (i < importedGlobals) {
        mv.visitVarInsn(ALOAD, 1);
        pushInt(mv, i);
        mv.visitInsn(LALOAD);
        fromLong(mv, k);
      } else {
        List<Instruction> init =
            module.globalSection().getGlobal(i - importedGlobals).initInstructions();
        constant(mv, init, k);
      }
      mv.visitFieldInsn(PUTFIELD, className, "g" + i, String.valueOf(k));
    }
    mv.visitInsn(RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** Pushes the value of a constant expression. */
  private void constant(MethodVisitor mv, List<Instruction> init, char k) {
    Instruction first = init.get(0);
    switch (first.opcode()) {
      case I32_CONST -> pushInt(mv, (int) first.operand(0));
      case I64_CONST -> mv.visitLdcInsn(first.operand(0));
      case F32_CONST -> mv.visitLdcInsn(Float.intBitsToFloat((int) first.operand(0)));
      case F64_CONST -> mv.visitLdcInsn(Double.longBitsToDouble(first.operand(0)));
      case GLOBAL_GET -> {
        int g = (int) first.operand(0);
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, className, "g" + g, desc(globalTypes.get(g)));
      }
      default -> throw new Unsupported("a global initialised with " + first.opcode());
    }
    if (init.size() > 2) {
      throw new Unsupported("a global initialised with an extended constant expression");
    }
  }

  /** {@code invoke(int, long[])}: the host's entry into the module, by function index. */
  private void invoke(ClassWriter cw, Set<Integer> entryPoints) {
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "invoke", "(I[J)J", null, null);
    mv.visitCode();
    int[] keys = entryPoints.stream().mapToInt(Integer::intValue).sorted().toArray();
    Label[] labels = new Label[keys.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = new Label();
    }
    Label none = new Label();
    mv.visitVarInsn(ILOAD, 1);
    mv.visitLookupSwitchInsn(none, keys, labels);
    for (int i = 0; i < keys.length; i++) {
      mv.visitLabel(labels[i]);
      FunctionType type = functionTypes.get(keys[i]);
      for (int p = 0; p < type.params().size(); p++) {
        mv.visitVarInsn(ALOAD, 2);
        pushInt(mv, p);
        mv.visitInsn(LALOAD);
        fromLong(mv, kind(type.params().get(p)));
      }
      mv.visitVarInsn(ALOAD, 0);
      mv.visitMethodInsn(INVOKESTATIC, className, "f" + keys[i], methodDesc(type), false);
      if (type.returns().isEmpty()) {
        mv.visitInsn(LCONST_0);
      } else {
        toLong(mv, kind(type.returns().get(0)));
      }
      mv.visitInsn(LRETURN);
    }
    mv.visitLabel(none);
    mv.visitTypeInsn(NEW, "java/lang/IllegalArgumentException");
    mv.visitInsn(DUP);
    mv.visitLdcInsn("not an entry point");
    mv.visitMethodInsn(
        INVOKESPECIAL,
        "java/lang/IllegalArgumentException",
        "<init>",
        "(Ljava/lang/String;)V",
        false);
    mv.visitInsn(ATHROW);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private String dispatcherDesc(FunctionType type) {
    StringBuilder sb = new StringBuilder("(");
    for (ValType p : type.params()) {
      sb.append(kind(p));
    }
    sb.append('I').append(self).append(')');
    sb.append(type.returns().isEmpty() ? "V" : desc(type.returns().get(0)));
    return sb.toString();
  }

  /**
   * {@code ci<T>(args..., int index, instance)}: looks up table entry {@code index}, checks its
   * signature, and calls it; the calls are spread over {@code ci<T>_<K>} methods of at most {@link
   * #DISPATCH_CHUNK} cases each.
   */
  private void dispatcher(ClassWriter cw, int typeId) {
    FunctionType type = canonicalTypes.get(typeId);
    String desc = dispatcherDesc(type);
    List<Integer> targets = new ArrayList<>();
    for (int f = 0; f < canonical.length; f++) {
      if (canonical[f] == typeId) {
        targets.add(f);
      }
    }
    int slot = 0;
    int[] slots = new int[type.params().size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = slot;
      slot += size(kind(type.params().get(i)));
    }
    int index = slot;
    int instance = slot + 1;
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, "ci" + typeId, desc, null, null);
    mv.visitCode();
    mv.visitVarInsn(ILOAD, index);
    pushInt(mv, typeId);
    mv.visitFieldInsn(GETSTATIC, className, "TYPES", "[I");
    mv.visitVarInsn(ALOAD, instance);
    mv.visitMethodInsn(INVOKESTATIC, BASE, "indirect", "(II[IL" + BASE + ";)I", false);
    mv.visitVarInsn(ISTORE, index);
    int chunks = Math.max(1, (targets.size() + DISPATCH_CHUNK - 1) / DISPATCH_CHUNK);
    if (chunks == 1) {
      dispatchCases(mv, type, targets, slots, index, instance);
    } else {
      for (int c = 0; c < chunks; c++) {
        List<Integer> part =
            targets.subList(c * DISPATCH_CHUNK, Math.min(targets.size(), (c + 1) * DISPATCH_CHUNK));
        Label next = new Label();
        if (c < chunks - 1) {
          mv.visitVarInsn(ILOAD, index);
          pushInt(mv, part.get(part.size() - 1));
          mv.visitJumpInsn(IF_ICMPGT, next);
        }
        for (int i = 0; i < slots.length; i++) {
          mv.visitVarInsn(load(kind(type.params().get(i))), slots[i]);
        }
        mv.visitVarInsn(ILOAD, index);
        mv.visitVarInsn(ALOAD, instance);
        mv.visitMethodInsn(INVOKESTATIC, className, "ci" + typeId + "_" + c, desc, false);
        mv.visitInsn(type.returns().isEmpty() ? RETURN : ret(kind(type.returns().get(0))));
        mv.visitLabel(next);
        MethodVisitor part2 =
            cw.visitMethod(ACC_PUBLIC | ACC_STATIC, "ci" + typeId + "_" + c, desc, null, null);
        part2.visitCode();
        dispatchCases(part2, type, part, slots, index, instance);
        part2.visitMaxs(0, 0);
        part2.visitEnd();
      }
      throwNew(mv, "indirectCallTypeMismatch");
    }
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private void dispatchCases(
      MethodVisitor mv,
      FunctionType type,
      List<Integer> targets,
      int[] slots,
      int index,
      int instance) {
    int[] keys = targets.stream().mapToInt(Integer::intValue).toArray();
    Label[] labels = new Label[keys.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = new Label();
    }
    Label other = new Label();
    mv.visitVarInsn(ILOAD, index);
    mv.visitLookupSwitchInsn(other, keys, labels);
    String desc = methodDesc(type);
    for (int i = 0; i < keys.length; i++) {
      mv.visitLabel(labels[i]);
      for (int p = 0; p < slots.length; p++) {
        mv.visitVarInsn(load(kind(type.params().get(p))), slots[p]);
      }
      mv.visitVarInsn(ALOAD, instance);
      mv.visitMethodInsn(INVOKESTATIC, className, "f" + keys[i], desc, false);
      mv.visitInsn(type.returns().isEmpty() ? RETURN : ret(kind(type.returns().get(0))));
    }
    mv.visitLabel(other);
    throwNew(mv, "indirectCallTypeMismatch");
  }

  /** Throws the trap a static factory of {@link Trap} makes. */
  private static void throwNew(MethodVisitor mv, String factory) {
    mv.visitMethodInsn(INVOKESTATIC, TRAP, factory, "()L" + TRAP + ";", false);
    mv.visitInsn(ATHROW);
  }

  // ---- function bodies ------------------------------------------------------------------------

  private static final int BLOCK = 0;
  private static final int LOOP = 1;
  private static final int IF = 2;
  private static final int FUNCTION = 3;

  /** A wasm control frame being translated. */
  private static final class Frame {
    final int kind;
    final Label target = new Label();
    final Label elseLabel;
    final int height;
    final char[] params;
    final char[] results;
    boolean targeted;
    boolean elseSeen;

    Frame(int kind, int height, char[] params, char[] results) {
      this.kind = kind;
      this.height = height;
      this.params = params;
      this.results = results;
      this.elseLabel = kind == IF ? new Label() : null;
    }

    /** The values a branch to this frame carries. */
    char[] carried() {
      return kind == LOOP ? params : results;
    }
  }

  /** Translates one function body into {@code f<N>}. */
  private final class FunctionWriter {
    private final MethodVisitor mv;
    private final FunctionType type;
    private final FunctionBody body;
    private final int[] localSlots;
    private final char[] localKinds;
    private final int instance;
    private int nextSlot;
    private final Map<String, Integer> temps = new HashMap<>();

    /** The JVM types of the wasm operand stack. */
    private final StringBuilder stack = new StringBuilder();

    private final List<Frame> frames = new ArrayList<>();

    /** Whether the code being read is unreachable, and how many blocks deep into it. */
    private boolean dead;

    private int deadDepth;

    FunctionWriter(ClassWriter cw, int function, FunctionBody body) {
      this.type = functionTypes.get(function);
      this.body = body;
      this.mv =
          cw.visitMethod(ACC_PUBLIC | ACC_STATIC, "f" + function, methodDesc(type), null, null);
      int params = type.params().size();
      int locals = params + body.localTypes().size();
      localSlots = new int[locals];
      localKinds = new char[locals];
      int slot = 0;
      for (int i = 0; i < params; i++) {
        localKinds[i] = kind(type.params().get(i));
        localSlots[i] = slot;
        slot += size(localKinds[i]);
      }
      instance = slot++;
      for (int i = params; i < locals; i++) {
        localKinds[i] = kind(body.localTypes().get(i - params));
        localSlots[i] = slot;
        slot += size(localKinds[i]);
      }
      nextSlot = slot;
    }

    void write() {
      mv.visitCode();
      for (int i = type.params().size(); i < localSlots.length; i++) {
        switch (localKinds[i]) {
          case 'I' -> mv.visitInsn(ICONST_0);
          case 'J' -> mv.visitInsn(LCONST_0);
          case 'F' -> mv.visitInsn(FCONST_0);
          default -> mv.visitInsn(DCONST_0);
        }
        mv.visitVarInsn(store(localKinds[i]), localSlots[i]);
      }
      checkInterrupted();
      frames.add(new Frame(FUNCTION, 0, new char[0], kinds(type.returns())));
      for (AnnotatedInstruction in : body.instructions()) {
        if (frames.isEmpty()) {
          break;
        }
        if (dead) {
          skip(in);
        } else {
          instruction(in);
        }
      }
      mv.visitMaxs(0, 0);
      mv.visitEnd();
    }

    private char[] kinds(List<ValType> types) {
      char[] out = new char[types.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = kind(types.get(i));
      }
      return out;
    }

    private void checkInterrupted() {
      mv.visitVarInsn(ALOAD, instance);
      mv.visitMethodInsn(INVOKESTATIC, BASE, "checkInterrupted", "(L" + BASE + ";)V", false);
    }

    private int temp(char kind, int n) {
      return temps.computeIfAbsent(
          kind + ":" + n,
          k -> {
            int s = nextSlot;
            nextSlot += size(kind);
            return s;
          });
    }

    // ---- the type stack --------------------------------------------------------------------

    private void push(char kind) {
      stack.append(kind);
    }

    private char pop() {
      char k = stack.charAt(stack.length() - 1);
      stack.setLength(stack.length() - 1);
      return k;
    }

    private void pop(int n) {
      stack.setLength(stack.length() - n);
    }

    private char top() {
      return stack.charAt(stack.length() - 1);
    }

    // ---- control ---------------------------------------------------------------------------

    private char[][] blockType(long operand) {
      int id = (int) operand;
      switch (id) {
        case 0x40:
          return new char[][] {new char[0], new char[0]};
        case 0x7f:
          return new char[][] {new char[0], {'I'}};
        case 0x7e:
          return new char[][] {new char[0], {'J'}};
        case 0x7d:
          return new char[][] {new char[0], {'F'}};
        case 0x7c:
          return new char[][] {new char[0], {'D'}};
        case 0x7b, 0x70, 0x6f:
          throw new Unsupported("a block of a reference or vector type");
        default:
          FunctionType t = module.typeSection().getType(id);
          return new char[][] {kinds(t.params()), kinds(t.returns())};
      }
    }

    private Frame frame(int depth) {
      return frames.get(frames.size() - 1 - depth);
    }

    /** Emits a jump to a frame's label, first dropping the values under those it carries. */
    private void branch(Frame f) {
      if (f.kind == FUNCTION) {
        doReturn();
        return;
      }
      char[] carried = f.carried();
      int excess = stack.length() - f.height - carried.length;
      if (excess > 0) {
        int[] slots = new int[carried.length];
        for (int i = carried.length - 1; i >= 0; i--) {
          slots[i] = temp(carried[i], i);
          mv.visitVarInsn(store(carried[i]), slots[i]);
        }
        int below = stack.length() - carried.length;
        for (int i = below - 1; i >= f.height; i--) {
          mv.visitInsn(size(stack.charAt(i)) == 2 ? POP2 : POP);
        }
        for (int i = 0; i < carried.length; i++) {
          mv.visitVarInsn(load(carried[i]), slots[i]);
        }
      }
      f.targeted = true;
      mv.visitJumpInsn(GOTO, f.target);
    }

    private void doReturn() {
      if (type.returns().isEmpty()) {
        mv.visitInsn(RETURN);
      } else if (type.returns().size() > 1) {
        // the values on top of the stack, the last on top, in a long[]
        int n = type.returns().size();
        char[] kinds = new char[n];
        int[] slots = new int[n];
        for (int i = n - 1; i >= 0; i--) {
          kinds[i] = stack.charAt(stack.length() - n + i);
          slots[i] = temp(kinds[i], i);
          mv.visitVarInsn(store(kinds[i]), slots[i]);
        }
        pushInt(mv, n);
        mv.visitIntInsn(NEWARRAY, T_LONG);
        for (int i = 0; i < n; i++) {
          mv.visitInsn(DUP);
          pushInt(mv, i);
          mv.visitVarInsn(load(kinds[i]), slots[i]);
          toLong(mv, kinds[i]);
          mv.visitInsn(LASTORE);
        }
        mv.visitInsn(ARETURN);
      } else {
        mv.visitInsn(ret(top()));
      }
    }

    private void becomeDead() {
      dead = true;
      deadDepth = 0;
    }

    /** Reads an instruction of unreachable code: only the structure matters. */
    private void skip(AnnotatedInstruction in) {
      switch (in.opcode()) {
        case BLOCK, LOOP, IF -> deadDepth++;
        case ELSE -> {
          if (deadDepth == 0) {
            elseBranch();
          }
        }
        case END -> {
          if (deadDepth == 0) {
            end();
          } else {
            deadDepth--;
          }
        }
        default -> {}
      }
    }

    private void elseBranch() {
      Frame f = frame(0);
      if (!dead) {
        f.targeted = true;
        mv.visitJumpInsn(GOTO, f.target);
      }
      mv.visitLabel(f.elseLabel);
      f.elseSeen = true;
      stack.setLength(f.height);
      stack.append(f.params);
      dead = false;
    }

    private void end() {
      Frame f = frames.remove(frames.size() - 1);
      if (f.kind == FUNCTION) {
        if (!dead) {
          doReturn();
        }
        return;
      }
      boolean reachable = !dead;
      if (f.kind == IF && !f.elseSeen) {
        if (!dead) {
          f.targeted = true;
          mv.visitJumpInsn(GOTO, f.target);
        }
        mv.visitLabel(f.elseLabel);
        reachable = true; // the condition was false: the results are the params
      }
      if (f.kind != LOOP) {
        if (f.targeted) {
          mv.visitLabel(f.target);
          reachable = true;
        }
      }
      stack.setLength(f.height);
      stack.append(f.results);
      dead = !reachable;
      deadDepth = 0;
    }

    private void instruction(AnnotatedInstruction in) {
      OpCode op = in.opcode();
      switch (op) {
        case NOP -> {}
        case UNREACHABLE -> {
          throwNew(mv, "unreachable");
          becomeDead();
        }
        case BLOCK -> {
          char[][] bt = blockType(in.operand(0));
          frames.add(new Frame(BLOCK, stack.length() - bt[0].length, bt[0], bt[1]));
        }
        case LOOP -> {
          char[][] bt = blockType(in.operand(0));
          Frame f = new Frame(LOOP, stack.length() - bt[0].length, bt[0], bt[1]);
          frames.add(f);
          mv.visitLabel(f.target);
          checkInterrupted();
        }
        case IF -> {
          char[][] bt = blockType(in.operand(0));
          pop();
          Frame f = new Frame(IF, stack.length() - bt[0].length, bt[0], bt[1]);
          frames.add(f);
          mv.visitJumpInsn(IFEQ, f.elseLabel);
        }
        case ELSE -> elseBranch();
        case END -> end();
        case BR -> {
          branch(frame((int) in.operand(0)));
          becomeDead();
        }
        case BR_IF -> {
          pop();
          Frame f = frame((int) in.operand(0));
          int excess = stack.length() - f.height - f.carried().length;
          if (f.kind != FUNCTION && excess == 0) {
            f.targeted = true;
            mv.visitJumpInsn(IFNE, f.target);
          } else {
            Label skip = new Label();
            mv.visitJumpInsn(IFEQ, skip);
            branch(f);
            mv.visitLabel(skip);
          }
        }
        case BR_TABLE -> brTable(in);
        case RETURN -> {
          doReturn();
          becomeDead();
        }
        case CALL -> call((int) in.operand(0));
        case CALL_INDIRECT -> callIndirect(in);
        case DROP -> mv.visitInsn(size(pop()) == 2 ? POP2 : POP);
        case SELECT, SELECT_T -> select();
        case LOCAL_GET -> {
          int i = (int) in.operand(0);
          mv.visitVarInsn(load(localKinds[i]), localSlots[i]);
          push(localKinds[i]);
        }
        case LOCAL_SET -> {
          int i = (int) in.operand(0);
          pop();
          mv.visitVarInsn(store(localKinds[i]), localSlots[i]);
        }
        case LOCAL_TEE -> {
          int i = (int) in.operand(0);
          mv.visitInsn(size(localKinds[i]) == 2 ? DUP2 : DUP);
          mv.visitVarInsn(store(localKinds[i]), localSlots[i]);
        }
        case GLOBAL_GET -> {
          int g = (int) in.operand(0);
          char k = kind(globalTypes.get(g));
          mv.visitVarInsn(ALOAD, instance);
          mv.visitFieldInsn(GETFIELD, className, "g" + g, String.valueOf(k));
          push(k);
        }
        case GLOBAL_SET -> {
          int g = (int) in.operand(0);
          char k = pop();
          mv.visitVarInsn(ALOAD, instance);
          if (size(k) == 2) {
            mv.visitInsn(DUP_X2);
            mv.visitInsn(POP);
          } else {
            mv.visitInsn(SWAP);
          }
          mv.visitFieldInsn(PUTFIELD, className, "g" + g, String.valueOf(k));
        }
        case I32_LOAD -> memLoad(in, "load32", 'I', null);
        case I64_LOAD -> memLoad(in, "load64", 'J', null);
        case F32_LOAD -> memLoad(in, "load32", 'F', null);
        case F64_LOAD -> memLoad(in, "load64", 'D', null);
        case I32_LOAD8_S -> memLoad(in, "load8s", 'I', null);
        case I32_LOAD8_U -> memLoad(in, "load8u", 'I', null);
        case I32_LOAD16_S -> memLoad(in, "load16s", 'I', null);
        case I32_LOAD16_U -> memLoad(in, "load16u", 'I', null);
        case I64_LOAD8_S -> memLoad(in, "load8s", 'J', false);
        case I64_LOAD8_U -> memLoad(in, "load8u", 'J', false);
        case I64_LOAD16_S -> memLoad(in, "load16s", 'J', false);
        case I64_LOAD16_U -> memLoad(in, "load16u", 'J', false);
        case I64_LOAD32_S -> memLoad(in, "load32", 'J', false);
        case I64_LOAD32_U -> memLoad(in, "load32", 'J', true);
        case I32_STORE -> memStore(in, "store32", false);
        case I64_STORE -> memStore(in, "store64", false);
        case F32_STORE -> memStore(in, "store32", false);
        case F64_STORE -> memStore(in, "store64", false);
        case I32_STORE8 -> memStore(in, "store8", false);
        case I32_STORE16 -> memStore(in, "store16", false);
        case I64_STORE8 -> memStore(in, "store8", true);
        case I64_STORE16 -> memStore(in, "store16", true);
        case I64_STORE32 -> memStore(in, "store32Wrapped", true);
        case MEMORY_SIZE -> {
          memoryArray();
          mv.visitInsn(ARRAYLENGTH);
          pushInt(mv, 16);
          mv.visitInsn(IUSHR);
          push('I');
        }
        case MEMORY_GROW -> {
          mv.visitVarInsn(ALOAD, instance);
          mv.visitMethodInsn(INVOKESTATIC, BASE, "grow", "(IL" + BASE + ";)I", false);
        }
        case MEMORY_COPY -> {
          pop(3);
          memoryArray();
          mv.visitMethodInsn(INVOKESTATIC, OPS, "copy", "(III[B)V", false);
        }
        case MEMORY_FILL -> {
          pop(3);
          memoryArray();
          mv.visitMethodInsn(INVOKESTATIC, OPS, "fill", "(III[B)V", false);
        }
        case MEMORY_INIT -> {
          pop(3);
          pushInt(mv, (int) in.operand(0));
          mv.visitVarInsn(ALOAD, instance);
          mv.visitMethodInsn(INVOKESTATIC, BASE, "memoryInit", "(IIIIL" + BASE + ";)V", false);
        }
        case DATA_DROP -> {
          pushInt(mv, (int) in.operand(0));
          mv.visitVarInsn(ALOAD, instance);
          mv.visitMethodInsn(INVOKESTATIC, BASE, "dataDrop", "(IL" + BASE + ";)V", false);
        }
        case TABLE_SIZE -> {
          if (in.operand(0) != 0) {
            throw new Unsupported("a second table");
          }
          mv.visitVarInsn(ALOAD, instance);
          mv.visitMethodInsn(INVOKESTATIC, BASE, "tableSize", "(L" + BASE + ";)I", false);
          push('I');
        }
        case I32_CONST -> {
          pushInt(mv, (int) in.operand(0));
          push('I');
        }
        case I64_CONST -> {
          long v = in.operand(0);
          if (v == 0 || v == 1) {
            mv.visitInsn(LCONST_0 + (int) v);
          } else {
            mv.visitLdcInsn(v);
          }
          push('J');
        }
        case F32_CONST -> {
          mv.visitLdcInsn(Float.intBitsToFloat((int) in.operand(0)));
          push('F');
        }
        case F64_CONST -> {
          mv.visitLdcInsn(Double.longBitsToDouble(in.operand(0)));
          push('D');
        }
        default -> {
          if (!numeric(op)) {
            throw new Unsupported("the instruction " + op);
          }
        }
      }
    }

    private void memoryArray() {
      mv.visitVarInsn(ALOAD, instance);
      mv.visitFieldInsn(GETFIELD, BASE, "memory", "[B");
    }

    private void pushOffset(AnnotatedInstruction in) {
      long offset = in.operand(1);
      pushInt(mv, offset >= 0 && offset < Integer.MAX_VALUE ? (int) offset : -1);
    }

    /**
     * A load: {@code helper} reads an int or a long; {@code widen} null keeps it, false
     * sign-extends an int to i64, true zero-extends it.
     */
    private void memLoad(AnnotatedInstruction in, String helper, char result, Boolean widen) {
      pop();
      pushOffset(in);
      memoryArray();
      boolean wide = helper.equals("load64");
      mv.visitMethodInsn(INVOKESTATIC, OPS, helper, wide ? "(II[B)J" : "(II[B)I", false);
      if (widen != null) {
        mv.visitInsn(I2L);
        if (widen) {
          mv.visitLdcInsn(0xFFFFFFFFL);
          mv.visitInsn(LAND);
        }
      } else if (result == 'F') {
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/Float", "intBitsToFloat", "(I)F", false);
      } else if (result == 'D') {
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/Double", "longBitsToDouble", "(J)D", false);
      }
      push(result);
    }

    /** A store; {@code narrow} wraps an i64 value to an int first. */
    private void memStore(AnnotatedInstruction in, String helper, boolean narrow) {
      char value = pop();
      pop();
      if (narrow) {
        mv.visitInsn(L2I);
      } else if (value == 'F') {
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/Float", "floatToRawIntBits", "(F)I", false);
      } else if (value == 'D') {
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false);
      }
      pushOffset(in);
      memoryArray();
      boolean wide = helper.equals("store64");
      mv.visitMethodInsn(INVOKESTATIC, OPS, helper, wide ? "(IJI[B)V" : "(III[B)V", false);
    }

    private void brTable(AnnotatedInstruction in) {
      pop();
      int n = in.operandCount();
      int index = temp('I', 1000);
      mv.visitVarInsn(ISTORE, index);
      Label[] labels = new Label[n - 1];
      Label dflt = null;
      List<Runnable> stubs = new ArrayList<>();
      Map<Integer, Label> byDepth = new HashMap<>();
      for (int i = 0; i < n; i++) {
        int depth = (int) in.operand(i);
        Label l = byDepth.get(depth);
        if (l == null) {
          Frame f = frame(depth);
          int excess = stack.length() - f.height - f.carried().length;
          if (f.kind != FUNCTION && excess == 0) {
            f.targeted = true;
            l = f.target;
          } else {
            Label stub = new Label();
            l = stub;
            stubs.add(
                () -> {
                  mv.visitLabel(stub);
                  branch(f);
                });
          }
          byDepth.put(depth, l);
        }
        if (i < n - 1) {
          labels[i] = l;
        } else {
          dflt = l;
        }
      }
      mv.visitVarInsn(ILOAD, index);
      if (labels.length == 0) {
        mv.visitInsn(POP);
        mv.visitJumpInsn(GOTO, dflt);
      } else {
        mv.visitTableSwitchInsn(0, labels.length - 1, dflt, labels);
      }
      for (Runnable stub : stubs) {
        stub.run();
      }
      becomeDead();
    }

    private void call(int function) {
      FunctionType t = functionTypes.get(function);
      pop(t.params().size());
      mv.visitVarInsn(ALOAD, instance);
      mv.visitMethodInsn(INVOKESTATIC, className, "f" + function, methodDesc(t), false);
      if (t.returns().size() > 1) {
        // the long[] the method returned, unpacked onto the stack: each value goes under the array
        int n = t.returns().size();
        for (int i = 0; i < n; i++) {
          char k = kind(t.returns().get(i));
          if (i < n - 1) {
            mv.visitInsn(DUP);
          }
          pushInt(mv, i);
          mv.visitInsn(LALOAD);
          fromLong(mv, k);
          if (i < n - 1) {
            if (size(k) == 2) {
              mv.visitInsn(DUP2_X1);
              mv.visitInsn(POP2);
            } else {
              mv.visitInsn(SWAP);
            }
          }
        }
      }
      for (ValType r : t.returns()) {
        push(kind(r));
      }
    }

    private void callIndirect(AnnotatedInstruction in) {
      if (in.operand(1) != 0) {
        throw new Unsupported("call_indirect through a second table");
      }
      FunctionType t = module.typeSection().getType((int) in.operand(0));
      if (t.returns().size() > 1) {
        throw new Unsupported("an indirect call that returns several values");
      }
      int id = canonicalId(t);
      indirectTypes.add(id);
      pop();
      pop(t.params().size());
      mv.visitVarInsn(ALOAD, instance);
      mv.visitMethodInsn(INVOKESTATIC, className, "ci" + id, dispatcherDesc(t), false);
      for (ValType r : t.returns()) {
        push(kind(r));
      }
    }

    private void select() {
      pop();
      char k = pop();
      Label first = new Label();
      Label done = new Label();
      mv.visitJumpInsn(IFNE, first);
      if (size(k) == 2) {
        mv.visitInsn(DUP2_X2);
        mv.visitInsn(POP2);
        mv.visitInsn(POP2);
      } else {
        mv.visitInsn(SWAP);
        mv.visitInsn(POP);
      }
      mv.visitJumpInsn(GOTO, done);
      mv.visitLabel(first);
      mv.visitInsn(size(k) == 2 ? POP2 : POP);
      mv.visitLabel(done);
    }

    // ---- numeric instructions --------------------------------------------------------------

    private void invoke(String owner, String name, String desc) {
      mv.visitMethodInsn(INVOKESTATIC, owner, name, desc, false);
    }

    /** Pushes 1 if the jump is taken, else 0. */
    private void bool(int jump) {
      Label yes = new Label();
      Label done = new Label();
      mv.visitJumpInsn(jump, yes);
      mv.visitInsn(ICONST_0);
      mv.visitJumpInsn(GOTO, done);
      mv.visitLabel(yes);
      mv.visitInsn(ICONST_1);
      mv.visitLabel(done);
    }

    private void unary(char from, char to) {
      pop();
      push(to);
    }

    private void binary(char kind) {
      pop(2);
      push(kind);
    }

    private void compare(int insnOrZero, int jump) {
      pop(2);
      if (insnOrZero != 0) {
        mv.visitInsn(insnOrZero);
      }
      bool(jump);
      push('I');
    }

    private void compareUnsigned(String owner, String desc, int jump) {
      pop(2);
      invoke(owner, "compareUnsigned", desc);
      bool(jump);
      push('I');
    }

    private void floatBits(boolean abs, boolean isDouble) {
      if (isDouble) {
        invoke("java/lang/Double", "doubleToRawLongBits", "(D)J");
        mv.visitLdcInsn(abs ? Long.MAX_VALUE : Long.MIN_VALUE);
        mv.visitInsn(abs ? LAND : LXOR);
        invoke("java/lang/Double", "longBitsToDouble", "(J)D");
      } else {
        invoke("java/lang/Float", "floatToRawIntBits", "(F)I");
        mv.visitLdcInsn(abs ? Integer.MAX_VALUE : Integer.MIN_VALUE);
        mv.visitInsn(abs ? IAND : IXOR);
        invoke("java/lang/Float", "intBitsToFloat", "(I)F");
      }
    }

    private void viaDouble(String name) {
      mv.visitInsn(F2D);
      invoke("java/lang/Math", name, "(D)D");
      mv.visitInsn(D2F);
    }

    private boolean numeric(OpCode op) {
      switch (op) {
        case I32_EQZ -> {
          pop();
          bool(IFEQ);
          push('I');
        }
        case I32_EQ -> compare(0, IF_ICMPEQ);
        case I32_NE -> compare(0, IF_ICMPNE);
        case I32_LT_S -> compare(0, IF_ICMPLT);
        case I32_GT_S -> compare(0, IF_ICMPGT);
        case I32_LE_S -> compare(0, IF_ICMPLE);
        case I32_GE_S -> compare(0, IF_ICMPGE);
        case I32_LT_U -> compareUnsigned("java/lang/Integer", "(II)I", IFLT);
        case I32_GT_U -> compareUnsigned("java/lang/Integer", "(II)I", IFGT);
        case I32_LE_U -> compareUnsigned("java/lang/Integer", "(II)I", IFLE);
        case I32_GE_U -> compareUnsigned("java/lang/Integer", "(II)I", IFGE);
        case I64_EQZ -> {
          pop();
          mv.visitInsn(LCONST_0);
          mv.visitInsn(LCMP);
          bool(IFEQ);
          push('I');
        }
        case I64_EQ -> compare(LCMP, IFEQ);
        case I64_NE -> compare(LCMP, IFNE);
        case I64_LT_S -> compare(LCMP, IFLT);
        case I64_GT_S -> compare(LCMP, IFGT);
        case I64_LE_S -> compare(LCMP, IFLE);
        case I64_GE_S -> compare(LCMP, IFGE);
        case I64_LT_U -> compareUnsigned("java/lang/Long", "(JJ)I", IFLT);
        case I64_GT_U -> compareUnsigned("java/lang/Long", "(JJ)I", IFGT);
        case I64_LE_U -> compareUnsigned("java/lang/Long", "(JJ)I", IFLE);
        case I64_GE_U -> compareUnsigned("java/lang/Long", "(JJ)I", IFGE);
        case F32_EQ -> compare(FCMPL, IFEQ);
        case F32_NE -> compare(FCMPL, IFNE);
        case F32_LT -> compare(FCMPG, IFLT);
        case F32_GT -> compare(FCMPL, IFGT);
        case F32_LE -> compare(FCMPG, IFLE);
        case F32_GE -> compare(FCMPL, IFGE);
        case F64_EQ -> compare(DCMPL, IFEQ);
        case F64_NE -> compare(DCMPL, IFNE);
        case F64_LT -> compare(DCMPG, IFLT);
        case F64_GT -> compare(DCMPL, IFGT);
        case F64_LE -> compare(DCMPG, IFLE);
        case F64_GE -> compare(DCMPL, IFGE);
        case I32_CLZ -> {
          invoke("java/lang/Integer", "numberOfLeadingZeros", "(I)I");
          unary('I', 'I');
        }
        case I32_CTZ -> {
          invoke("java/lang/Integer", "numberOfTrailingZeros", "(I)I");
          unary('I', 'I');
        }
        case I32_POPCNT -> {
          invoke("java/lang/Integer", "bitCount", "(I)I");
          unary('I', 'I');
        }
        case I32_ADD -> arith(IADD, 'I');
        case I32_SUB -> arith(ISUB, 'I');
        case I32_MUL -> arith(IMUL, 'I');
        case I32_DIV_S -> call(OPS, "divS", "(II)I", 'I');
        case I32_DIV_U -> call(OPS, "divU", "(II)I", 'I');
        case I32_REM_S -> call(OPS, "remS", "(II)I", 'I');
        case I32_REM_U -> call(OPS, "remU", "(II)I", 'I');
        case I32_AND -> arith(IAND, 'I');
        case I32_OR -> arith(IOR, 'I');
        case I32_XOR -> arith(IXOR, 'I');
        case I32_SHL -> arith(ISHL, 'I');
        case I32_SHR_S -> arith(ISHR, 'I');
        case I32_SHR_U -> arith(IUSHR, 'I');
        case I32_ROTL -> call("java/lang/Integer", "rotateLeft", "(II)I", 'I');
        case I32_ROTR -> call("java/lang/Integer", "rotateRight", "(II)I", 'I');
        case I64_CLZ -> {
          invoke("java/lang/Long", "numberOfLeadingZeros", "(J)I");
          mv.visitInsn(I2L);
          unary('J', 'J');
        }
        case I64_CTZ -> {
          invoke("java/lang/Long", "numberOfTrailingZeros", "(J)I");
          mv.visitInsn(I2L);
          unary('J', 'J');
        }
        case I64_POPCNT -> {
          invoke("java/lang/Long", "bitCount", "(J)I");
          mv.visitInsn(I2L);
          unary('J', 'J');
        }
        case I64_ADD -> arith(LADD, 'J');
        case I64_SUB -> arith(LSUB, 'J');
        case I64_MUL -> arith(LMUL, 'J');
        case I64_DIV_S -> call(OPS, "divS", "(JJ)J", 'J');
        case I64_DIV_U -> call(OPS, "divU", "(JJ)J", 'J');
        case I64_REM_S -> call(OPS, "remS", "(JJ)J", 'J');
        case I64_REM_U -> call(OPS, "remU", "(JJ)J", 'J');
        case I64_AND -> arith(LAND, 'J');
        case I64_OR -> arith(LOR, 'J');
        case I64_XOR -> arith(LXOR, 'J');
        case I64_SHL -> shift(LSHL);
        case I64_SHR_S -> shift(LSHR);
        case I64_SHR_U -> shift(LUSHR);
        case I64_ROTL -> {
          mv.visitInsn(L2I);
          call("java/lang/Long", "rotateLeft", "(JI)J", 'J');
        }
        case I64_ROTR -> {
          mv.visitInsn(L2I);
          call("java/lang/Long", "rotateRight", "(JI)J", 'J');
        }
        case F32_ABS -> floatBits(true, false);
        case F32_NEG -> floatBits(false, false);
        case F32_CEIL -> viaDouble("ceil");
        case F32_FLOOR -> viaDouble("floor");
        case F32_TRUNC -> invoke(OPS, "trunc", "(F)F");
        case F32_NEAREST -> viaDouble("rint");
        case F32_SQRT -> viaDouble("sqrt");
        case F32_ADD -> arith(FADD, 'F');
        case F32_SUB -> arith(FSUB, 'F');
        case F32_MUL -> arith(FMUL, 'F');
        case F32_DIV -> arith(FDIV, 'F');
        case F32_MIN -> call("java/lang/Math", "min", "(FF)F", 'F');
        case F32_MAX -> call("java/lang/Math", "max", "(FF)F", 'F');
        case F32_COPYSIGN -> call("java/lang/Math", "copySign", "(FF)F", 'F');
        case F64_ABS -> floatBits(true, true);
        case F64_NEG -> floatBits(false, true);
        case F64_CEIL -> invoke("java/lang/Math", "ceil", "(D)D");
        case F64_FLOOR -> invoke("java/lang/Math", "floor", "(D)D");
        case F64_TRUNC -> invoke(OPS, "trunc", "(D)D");
        case F64_NEAREST -> invoke("java/lang/Math", "rint", "(D)D");
        case F64_SQRT -> invoke("java/lang/Math", "sqrt", "(D)D");
        case F64_ADD -> arith(DADD, 'D');
        case F64_SUB -> arith(DSUB, 'D');
        case F64_MUL -> arith(DMUL, 'D');
        case F64_DIV -> arith(DDIV, 'D');
        case F64_MIN -> call("java/lang/Math", "min", "(DD)D", 'D');
        case F64_MAX -> call("java/lang/Math", "max", "(DD)D", 'D');
        case F64_COPYSIGN -> call("java/lang/Math", "copySign", "(DD)D", 'D');
        case I32_WRAP_I64 -> convert(L2I, 'I');
        case I32_TRUNC_F32_S -> {
          mv.visitInsn(F2D);
          convert(OPS, "i32TruncS", "(D)I", 'I');
        }
        case I32_TRUNC_F32_U -> {
          mv.visitInsn(F2D);
          convert(OPS, "i32TruncU", "(D)I", 'I');
        }
        case I32_TRUNC_F64_S -> convert(OPS, "i32TruncS", "(D)I", 'I');
        case I32_TRUNC_F64_U -> convert(OPS, "i32TruncU", "(D)I", 'I');
        case I64_EXTEND_I32_S -> convert(I2L, 'J');
        case I64_EXTEND_I32_U -> {
          mv.visitInsn(I2L);
          mv.visitLdcInsn(0xFFFFFFFFL);
          convert(LAND, 'J');
        }
        case I64_TRUNC_F32_S -> {
          mv.visitInsn(F2D);
          convert(OPS, "i64TruncS", "(D)J", 'J');
        }
        case I64_TRUNC_F32_U -> {
          mv.visitInsn(F2D);
          convert(OPS, "i64TruncU", "(D)J", 'J');
        }
        case I64_TRUNC_F64_S -> convert(OPS, "i64TruncS", "(D)J", 'J');
        case I64_TRUNC_F64_U -> convert(OPS, "i64TruncU", "(D)J", 'J');
        case F32_CONVERT_I32_S -> convert(I2F, 'F');
        case F32_CONVERT_I32_U -> {
          mv.visitInsn(I2L);
          mv.visitLdcInsn(0xFFFFFFFFL);
          mv.visitInsn(LAND);
          convert(L2F, 'F');
        }
        case F32_CONVERT_I64_S -> convert(L2F, 'F');
        case F32_CONVERT_I64_U -> convert(OPS, "f32ConvertU", "(J)F", 'F');
        case F32_DEMOTE_F64 -> convert(D2F, 'F');
        case F64_CONVERT_I32_S -> convert(I2D, 'D');
        case F64_CONVERT_I32_U -> {
          mv.visitInsn(I2L);
          mv.visitLdcInsn(0xFFFFFFFFL);
          mv.visitInsn(LAND);
          convert(L2D, 'D');
        }
        case F64_CONVERT_I64_S -> convert(L2D, 'D');
        case F64_CONVERT_I64_U -> convert(OPS, "f64ConvertU", "(J)D", 'D');
        case F64_PROMOTE_F32 -> convert(F2D, 'D');
        case I32_REINTERPRET_F32 -> convert("java/lang/Float", "floatToRawIntBits", "(F)I", 'I');
        case I64_REINTERPRET_F64 -> convert("java/lang/Double", "doubleToRawLongBits", "(D)J", 'J');
        case F32_REINTERPRET_I32 -> convert("java/lang/Float", "intBitsToFloat", "(I)F", 'F');
        case F64_REINTERPRET_I64 -> convert("java/lang/Double", "longBitsToDouble", "(J)D", 'D');
        case I32_EXTEND_8_S -> convert(I2B, 'I');
        case I32_EXTEND_16_S -> convert(I2S, 'I');
        case I64_EXTEND_8_S -> {
          mv.visitInsn(L2I);
          mv.visitInsn(I2B);
          convert(I2L, 'J');
        }
        case I64_EXTEND_16_S -> {
          mv.visitInsn(L2I);
          mv.visitInsn(I2S);
          convert(I2L, 'J');
        }
        case I64_EXTEND_32_S -> {
          mv.visitInsn(L2I);
          convert(I2L, 'J');
        }
        case I32_TRUNC_SAT_F32_S -> convert(F2I, 'I');
        case I32_TRUNC_SAT_F64_S -> convert(D2I, 'I');
        case I64_TRUNC_SAT_F32_S -> convert(F2L, 'J');
        case I64_TRUNC_SAT_F64_S -> convert(D2L, 'J');
        case I32_TRUNC_SAT_F32_U -> {
          mv.visitInsn(F2D);
          convert(OPS, "i32TruncSatU", "(D)I", 'I');
        }
        case I32_TRUNC_SAT_F64_U -> convert(OPS, "i32TruncSatU", "(D)I", 'I');
        case I64_TRUNC_SAT_F32_U -> {
          mv.visitInsn(F2D);
          convert(OPS, "i64TruncSatU", "(D)J", 'J');
        }
        case I64_TRUNC_SAT_F64_U -> convert(OPS, "i64TruncSatU", "(D)J", 'J');
        default -> {
          return false;
        }
      }
      return true;
    }

    private void arith(int insn, char kind) {
      mv.visitInsn(insn);
      binary(kind);
    }

    private void shift(int insn) {
      mv.visitInsn(L2I);
      mv.visitInsn(insn);
      binary('J');
    }

    private void call(String owner, String name, String desc, char kind) {
      invoke(owner, name, desc);
      binary(kind);
    }

    private void convert(int insn, char to) {
      mv.visitInsn(insn);
      pop();
      push(to);
    }

    private void convert(String owner, String name, String desc, char to) {
      invoke(owner, name, desc);
      pop();
      push(to);
    }
  }
}
