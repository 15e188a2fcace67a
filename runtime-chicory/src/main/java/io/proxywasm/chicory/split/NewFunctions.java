package io.proxywasm.chicory.split;

import static io.proxywasm.chicory.split.WasmBytes.writeU32;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.GlobalImport;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The functions splitting adds to a module, with their types, and the type of any function or type
 * index of the module being split, new ones included. New functions come after the module's own, so
 * every existing function index stays.
 */
final class NewFunctions {
  /**
   * How many new functions share one type at most. New functions never share a type with the
   * module's own functions: Chicory generates a {@code call_indirect} dispatcher per type over its
   * functions, so one type per new function would make compiling quadratic and one type for all
   * would make a dispatcher too big for the JIT.
   */
  private static final int FUNCTIONS_PER_TYPE = 64;

  private final WasmModule module;

  /** The types of the imported functions, by function index. */
  private final List<FunctionType> importTypes = new ArrayList<>();

  /** The new types, in the order of their indexes after the module's own. */
  private final List<FunctionType> types = new ArrayList<>();

  private final List<byte[]> bodies = new ArrayList<>();

  /** The type index of each new function. */
  private final List<Integer> functionTypes = new ArrayList<>();

  /** Type indexes of new functions by signature, and how many new functions use each. */
  private final Map<FunctionType, int[]> typeIndexes = new HashMap<>();

  /** The types of the scratch globals added, in the order of their indexes after the module's. */
  private final List<ValType> scratchTypes = new ArrayList<>();

  /** The indexes of the scratch globals of each type, by slot. */
  private final Map<ValType, List<Integer>> scratch = new HashMap<>();

  /** How many globals the module has, imported and defined: the index of the first one added. */
  private final int moduleGlobals;

  NewFunctions(WasmModule module) {
    this.module = module;
    int globals = module.globalSection().globalCount();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      if (module.importSection().getImport(i) instanceof FunctionImport f) {
        importTypes.add(module.typeSection().getType(f.typeIndex()));
      } else if (module.importSection().getImport(i) instanceof GlobalImport) {
        globals++;
      }
    }
    this.moduleGlobals = globals;
  }

  /**
   * The index of a scratch global: a mutable global, neither imported nor exported, that a new
   * function sets before it returns and its call site reads right after the call, so that the
   * function returns one value instead of many. Slot {@code k} of a type is the same global for
   * every new function: a call site reads it before anything else runs, so a nested call's value is
   * read before the caller's own is set.
   *
   * @param type the global's type
   * @param slot which one of that type, from 0
   */
  int scratchGlobal(ValType type, int slot) {
    List<Integer> ofType = scratch.computeIfAbsent(type, t -> new ArrayList<>());
    while (ofType.size() <= slot) {
      ofType.add(moduleGlobals + scratchTypes.size());
      scratchTypes.add(type);
    }
    return ofType.get(slot);
  }

  /** The scratch globals added, encoded as the global section holds them, in index order. */
  List<byte[]> scratchGlobals() {
    List<byte[]> encoded = new ArrayList<>(scratchTypes.size());
    for (ValType type : scratchTypes) {
      ByteArrayOutputStream g = new ByteArrayOutputStream();
      g.write(type.opcode());
      g.write(1); // mutable
      int zeroBytes;
      if (type.opcode() == ValType.I32.opcode()) {
        g.write(OpCode.I32_CONST.opcode());
        zeroBytes = 1;
      } else if (type.opcode() == ValType.I64.opcode()) {
        g.write(OpCode.I64_CONST.opcode());
        zeroBytes = 1;
      } else if (type.opcode() == ValType.F32.opcode()) {
        g.write(OpCode.F32_CONST.opcode());
        zeroBytes = 4;
      } else if (type.opcode() == ValType.F64.opcode()) {
        g.write(OpCode.F64_CONST.opcode());
        zeroBytes = 8;
      } else {
        throw new IllegalArgumentException("no scratch global of type " + type);
      }
      g.write(new byte[zeroBytes], 0, zeroBytes);
      g.write(OpCode.END.opcode());
      encoded.add(g.toByteArray());
    }
    return encoded;
  }

  /** How many functions the module imports: the index of its first defined function. */
  int importedFunctions() {
    return importTypes.size();
  }

  /** Adds a function and returns its index. */
  int add(List<ValType> params, List<ValType> returns, byte[] body) {
    int index = importedFunctions() + module.functionSection().functionCount() + bodies.size();
    functionTypes.add(typeIndex(params, returns));
    bodies.add(body);
    return index;
  }

  /** How many functions were added. */
  int count() {
    return bodies.size();
  }

  /** The new types, encoded, in the order of their indexes after the module's own. */
  List<byte[]> types() {
    List<byte[]> encoded = new ArrayList<>(types.size());
    for (FunctionType type : types) {
      encoded.add(encode(type));
    }
    return encoded;
  }

  /** The type index of each new function. */
  List<Integer> functionTypes() {
    return functionTypes;
  }

  /** The bodies of the new functions, encoded. */
  List<byte[]> bodies() {
    return bodies;
  }

  /** The type of a function by index, imports counted, new functions included. */
  FunctionType functionType(int function) {
    if (function < importedFunctions()) {
      return importTypes.get(function);
    }
    int defined = function - importedFunctions();
    if (defined >= module.functionSection().functionCount()) { // a new function
      return type(functionTypes.get(defined - module.functionSection().functionCount()));
    }
    return type(module.functionSection().getFunctionType(defined));
  }

  /** A function type by index, new types included. */
  FunctionType type(int index) {
    int count = module.typeSection().typeCount();
    return index < count ? module.typeSection().getType(index) : types.get(index - count);
  }

  /** The index of a function type for a new function, added if new or if the last one is full. */
  private int typeIndex(List<ValType> params, List<ValType> results) {
    FunctionType type = FunctionType.of(params, results);
    int[] known = typeIndexes.get(type);
    if (known != null && known[1] < FUNCTIONS_PER_TYPE) {
      known[1]++;
      return known[0];
    }
    int index = module.typeSection().typeCount() + types.size();
    types.add(type);
    typeIndexes.put(type, new int[] {index, 1});
    return index;
  }

  /** A function type as the type section encodes it. */
  private static byte[] encode(FunctionType type) {
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    t.write(0x60);
    writeU32(t, type.params().size());
    for (ValType v : type.params()) {
      t.write(v.opcode());
    }
    writeU32(t, type.returns().size());
    for (ValType v : type.returns()) {
      t.write(v.opcode());
    }
    return t.toByteArray();
  }
}
