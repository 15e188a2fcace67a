package io.proxywasm.chicory.split;

import static io.proxywasm.chicory.split.WasmBytes.writeU32;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
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

  NewFunctions(WasmModule module) {
    this.module = module;
    for (int i = 0; i < module.importSection().importCount(); i++) {
      if (module.importSection().getImport(i) instanceof FunctionImport f) {
        importTypes.add(module.typeSection().getType(f.typeIndex()));
      }
    }
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
