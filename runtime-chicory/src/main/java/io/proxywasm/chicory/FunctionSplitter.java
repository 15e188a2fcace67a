package io.proxywasm.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Splits wasm functions too big for HotSpot's JIT into smaller ones, at the wasm level, so that
 * Chicory's compiler translates each piece to a JVM method the JIT compiles without {@code
 * -XX:-DontCompileHugeMethods}.
 *
 * <p>Inside a block (the function body first, then the bodies of blocks, loops and ifs too big to
 * move whole), a run of whole statements is moved to a new function. A statement ends where the
 * operand stack is empty at that level: after {@code local.set}, {@code global.set}, {@code drop},
 * a store, a call with no results, or a nested construct with no results. The new function takes
 * the locals the run uses as parameters and returns those it writes; the call site passes them in
 * and stores the results back. A run that branches out of itself or returns stays where it is. A
 * function with a multi-value block or call is left whole: there a drop need not empty the stack.
 *
 * <p>The result is a module with the same imports, exports and function indices plus the new
 * functions. Every candidate run is checked again by Chicory's validator when the result is parsed:
 * a run that was not stack-neutral fails validation, and the caller then keeps the original module.
 */
final class FunctionSplitter {
  /** The most wasm code bytes moved into one new function. */
  static final int MAX_PIECE_BYTES = 1500;

  /** The most JVM parameter slots a new function may take (the JVM allows 255). */
  private static final int MAX_PARAM_SLOTS = 180;

  private final byte[] bytes;
  private final WasmModule module;
  private final int importedFunctions;

  /** The types of the imported functions, by function index. */
  private final List<FunctionType> importTypes = new ArrayList<>();

  private final List<byte[]> newTypes = new ArrayList<>();
  private final List<byte[]> newBodies = new ArrayList<>();

  /** The type index of each new function. */
  private final List<Integer> newFunctionTypes = new ArrayList<>();

  /**
   * Type indexes of new functions by encoded signature, and how many new functions use each. New
   * functions share a type with at most {@link #FUNCTIONS_PER_TYPE} others and never with the
   * module's own functions: Chicory generates a {@code call_indirect} dispatcher per type over its
   * functions, so one type per new function would make compiling quadratic and one type for all
   * would make a dispatcher too big for the JIT.
   */
  private final java.util.Map<String, int[]> typeIndexes = new java.util.HashMap<>();

  private static final int FUNCTIONS_PER_TYPE = 64;

  /** The function being split. */
  private List<AnnotatedInstruction> ins;

  private int[] match;
  private List<ValType> localTypes;

  private FunctionSplitter(byte[] bytes, WasmModule module) {
    this.bytes = bytes;
    this.module = module;
    for (int i = 0; i < module.importSection().importCount(); i++) {
      if (module.importSection().getImport(i) instanceof FunctionImport f) {
        importTypes.add(module.typeSection().getType(f.typeIndex()));
      }
    }
    this.importedFunctions = importTypes.size();
  }

  /** The index of a function type with these parameters and results, added if new. */
  private int typeIndex(List<ValType> params, List<ValType> results) {
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    t.write(0x60);
    writeU32(t, params.size());
    for (ValType v : params) {
      t.write(v.opcode());
    }
    writeU32(t, results.size());
    for (ValType v : results) {
      t.write(v.opcode());
    }
    byte[] encoded = t.toByteArray();
    String key = new String(encoded, java.nio.charset.StandardCharsets.ISO_8859_1);
    int[] known = typeIndexes.get(key);
    if (known != null && known[1] < FUNCTIONS_PER_TYPE) {
      known[1]++;
      return known[0];
    }
    int index = module.typeSection().typeCount() + newTypes.size();
    newTypes.add(encoded);
    typeIndexes.put(key, new int[] {index, 1});
    return index;
  }

  /** What splitting did. */
  record Result(byte[] module, int functionsSplit, int piecesAdded) {}

  /**
   * Splits the given functions of a module; imported functions among them are ignored.
   *
   * @param bytes the module's bytes
   * @param module the module, parsed from {@code bytes}
   * @param functions indexes of the functions to split, imports counted (as Chicory's {@code
   *     func_N} methods count them)
   * @return the new module's bytes, or empty if nothing could be split
   */
  static Optional<Result> split(byte[] bytes, WasmModule module, Set<Integer> functions) {
    FunctionSplitter splitter = new FunctionSplitter(bytes, module);
    Set<Integer> defined = new TreeSet<>();
    for (int f : functions) {
      if (f >= splitter.importedFunctions) {
        defined.add(f - splitter.importedFunctions);
      }
    }
    return splitter.run(defined);
  }

  // ---- the module -----------------------------------------------------------------------------

  /** A section: where its header starts, and where its payload starts and ends. */
  private record Section(int id, int headerStart, int start, int end) {}

  private Optional<Result> run(Set<Integer> targets) {
    List<Section> sections = sections();
    Section code = find(sections, 10);
    if (code == null || find(sections, 1) == null || find(sections, 3) == null) {
      return Optional.empty();
    }
    int[] pos = {code.start()};
    int count = (int) readU32(pos);
    List<byte[]> bodies = new ArrayList<>(count);
    int split = 0;
    for (int i = 0; i < count; i++) {
      int size = (int) readU32(pos);
      int bodyStart = pos[0];
      pos[0] += size;
      byte[] replaced = targets.contains(i) ? splitBody(i, bodyStart) : null;
      if (replaced != null) {
        split++;
        bodies.add(replaced);
      } else {
        bodies.add(java.util.Arrays.copyOfRange(bytes, bodyStart, bodyStart + size));
      }
    }
    if (newBodies.isEmpty()) {
      return Optional.empty();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 1024);
    out.write(bytes, 0, 8);
    for (Section s : sections) {
      switch (s.id()) {
        case 1 -> section(out, 1, appended(s, newTypes));
        case 3 -> {
          List<byte[]> indexes = new ArrayList<>();
          for (int type : newFunctionTypes) {
            indexes.add(u32(type));
          }
          section(out, 3, appended(s, indexes));
        }
        case 10 -> {
          ByteArrayOutputStream c = new ByteArrayOutputStream();
          writeU32(c, bodies.size() + newBodies.size());
          for (byte[] b : bodies) {
            writeU32(c, b.length);
            c.writeBytes(b);
          }
          for (byte[] b : newBodies) {
            writeU32(c, b.length);
            c.writeBytes(b);
          }
          section(out, 10, c.toByteArray());
        }
        default -> out.write(bytes, s.headerStart(), s.end() - s.headerStart());
      }
    }
    return Optional.of(new Result(out.toByteArray(), split, newBodies.size()));
  }

  private List<Section> sections() {
    List<Section> out = new ArrayList<>();
    int[] pos = {8};
    while (pos[0] < bytes.length) {
      int headerStart = pos[0];
      int id = bytes[pos[0]++] & 0xff;
      int size = (int) readU32(pos);
      out.add(new Section(id, headerStart, pos[0], pos[0] + size));
      pos[0] += size;
    }
    return out;
  }

  private static Section find(List<Section> sections, int id) {
    for (Section s : sections) {
      if (s.id() == id) {
        return s;
      }
    }
    return null;
  }

  /** A vector section's payload with entries appended. */
  private byte[] appended(Section s, List<byte[]> extra) {
    int[] pos = {s.start()};
    long count = readU32(pos);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeU32(out, count + extra.size());
    out.write(bytes, pos[0], s.end() - pos[0]);
    for (byte[] e : extra) {
      out.writeBytes(e);
    }
    return out.toByteArray();
  }

  private static void section(ByteArrayOutputStream out, int id, byte[] payload) {
    out.write(id);
    writeU32(out, payload.length);
    out.writeBytes(payload);
  }

  // ---- one function ---------------------------------------------------------------------------

  /** Returns the new body of a defined function, or null to keep it. */
  private byte[] splitBody(int defined, int bodyStart) {
    FunctionBody body = module.codeSection().getFunctionBody(defined);
    FunctionType type =
        module.typeSection().getType(module.functionSection().getFunctionType(defined));
    List<ValType> locals = new ArrayList<>(type.params());
    locals.addAll(body.localTypes());
    for (ValType t : locals) {
      if (!t.isNumeric() && t.opcode() != ValType.V128.opcode()) {
        return null;
      }
    }
    ins = body.instructions();
    localTypes = locals;
    match = new int[ins.size()];
    java.util.ArrayDeque<Integer> open = new java.util.ArrayDeque<>();
    for (int i = 0; i < ins.size(); i++) {
      OpCode op = ins.get(i).opcode();
      if (op == OpCode.TRY_TABLE || op == OpCode.THROW || op == OpCode.THROW_REF) {
        return null; // exception handling: left alone
      }
      if (leavesSeveralValues(i)) {
        // After a multi-value block or call, a drop or local.set does not empty the stack: the
        // statement boundaries below would be wrong, so the function is left whole.
        return null;
      }
      if (isOpener(op)) {
        open.push(i);
      } else if (op == OpCode.END && !open.isEmpty()) {
        match[open.pop()] = i;
      }
    }
    int piecesBefore = newBodies.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes, bodyStart, start(0) - bodyStart); // the local declarations
    // the function body is a block from the first instruction to the final END
    emitBlockBody(out, 0, ins.size() - 1);
    out.write(OpCode.END.opcode());
    return newBodies.size() > piecesBefore ? out.toByteArray() : null;
  }

  private int start(int i) {
    return ins.get(i).address();
  }

  private int end(int i) {
    return i + 1 < ins.size() ? ins.get(i + 1).address() : start(i) + 1;
  }

  /** Bytes of instructions {@code from} to {@code to} exclusive. */
  private int size(int from, int to) {
    return to > from ? end(to - 1) - start(from) : 0;
  }

  /**
   * Emits the instructions {@code from} to {@code to} (exclusive) that form one block body at one
   * level, moving runs of statements into new functions and descending into big nested blocks.
   */
  private void emitBlockBody(ByteArrayOutputStream out, int from, int to) {
    List<int[]> statements = new ArrayList<>();
    int i = from;
    int statementStart = from;
    boolean open = true;
    while (i < to) {
      AnnotatedInstruction in = ins.get(i);
      OpCode op = in.opcode();
      int next = i + 1;
      boolean ends = false;
      if (isOpener(op)) {
        next = match[i] + 1;
        ends = bytes[start(i) + 1] == 0x40; // the empty block type: no params, no results
      } else if (op == OpCode.ELSE || op == OpCode.END) {
        break; // the end of this body (a caller handles it)
      } else {
        ends = endsStatement(in);
      }
      if (!open) {
        i = next;
        continue;
      }
      if (op == OpCode.UNREACHABLE
          || op == OpCode.BR
          || op == OpCode.BR_TABLE
          || op == OpCode.RETURN
          || op == OpCode.RETURN_CALL
          || op == OpCode.RETURN_CALL_INDIRECT
          || op == OpCode.RETURN_CALL_REF
          || op == OpCode.THROW
          || op == OpCode.THROW_REF) {
        open = false; // what follows is unreachable at this level: left as it is
      }
      if (ends && open) {
        statements.add(new int[] {statementStart, next});
        statementStart = next;
      }
      i = next;
    }
    int bodyEnd = i;
    // group statements into pieces
    int s = 0;
    int copiedTo = from;
    while (s < statements.size()) {
      int[] first = statements.get(s);
      int pieceEnd = -1;
      int e = s;
      java.util.BitSet used = new java.util.BitSet();
      int slots = 2; // Chicory passes the instance and the memory too
      while (e < statements.size()) {
        int[] st = statements.get(e);
        if (size(first[0], st[1]) > MAX_PIECE_BYTES || !movable(st[0], st[1])) {
          break;
        }
        int more = 0;
        java.util.BitSet added = new java.util.BitSet();
        for (int k = st[0]; k < st[1]; k++) {
          OpCode op = ins.get(k).opcode();
          if (op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
            int index = (int) ins.get(k).operand(0);
            if (!used.get(index) && !added.get(index)) {
              added.set(index);
              more += slotsOf(localTypes.get(index));
            }
          }
        }
        if (slots + more > MAX_PARAM_SLOTS) {
          break;
        }
        used.or(added);
        slots += more;
        pieceEnd = st[1];
        e++;
      }
      if (e > s && size(first[0], pieceEnd) >= 64) {
        copy(out, copiedTo, first[0]);
        outline(out, first[0], pieceEnd);
        copiedTo = pieceEnd;
        s = e;
      } else {
        int[] st = statements.get(s);
        if (size(st[0], st[1]) > MAX_PIECE_BYTES) {
          copy(out, copiedTo, st[0]);
          descend(out, st[0], st[1]);
          copiedTo = st[1];
        }
        s++;
      }
    }
    copy(out, copiedTo, bodyEnd);
  }

  /** Emits a big statement, splitting the bodies of the constructs in it. */
  private void descend(ByteArrayOutputStream out, int from, int to) {
    int i = from;
    while (i < to) {
      OpCode op = ins.get(i).opcode();
      if (isOpener(op) && size(i, match[i] + 1) > MAX_PIECE_BYTES) {
        copy(out, i, i + 1); // the opener
        int bodyFrom = i + 1;
        int end = match[i];
        int elseAt = -1;
        if (op == OpCode.IF) {
          elseAt = elseOf(i);
        }
        if (elseAt >= 0) {
          emitBlockBody(out, bodyFrom, elseAt);
          copy(out, elseAt, elseAt + 1);
          emitBlockBody(out, elseAt + 1, end);
        } else {
          emitBlockBody(out, bodyFrom, end);
        }
        copy(out, end, end + 1);
        i = end + 1;
      } else {
        int next = isOpener(op) ? match[i] + 1 : i + 1;
        copy(out, i, next);
        i = next;
      }
    }
  }

  private static boolean isOpener(OpCode op) {
    return op == OpCode.BLOCK || op == OpCode.LOOP || op == OpCode.IF;
  }

  /** The ELSE of an IF at the IF's own level, or -1. */
  private int elseOf(int ifAt) {
    int i = ifAt + 1;
    while (i < match[ifAt]) {
      OpCode op = ins.get(i).opcode();
      if (op == OpCode.ELSE) {
        return i;
      }
      i = isOpener(op) ? match[i] + 1 : i + 1;
    }
    return -1;
  }

  private void copy(ByteArrayOutputStream out, int from, int to) {
    if (to > from) {
      out.write(bytes, start(from), size(from, to));
    }
  }

  /**
   * Whether instruction {@code i} is a block, loop or if with a type-index block type taking
   * parameters or giving more than one result, or a call giving more than one result.
   */
  private boolean leavesSeveralValues(int i) {
    AnnotatedInstruction in = ins.get(i);
    OpCode op = in.opcode();
    if (isOpener(op)) {
      int b = bytes[start(i) + 1] & 0xff;
      if (b == 0x40 || ((b & 0x80) == 0 && (b & 0x40) != 0)) {
        return false; // empty, or one value type (a negative s33)
      }
      int[] pos = {start(i) + 1};
      FunctionType t = module.typeSection().getType((int) readU32(pos));
      return !t.params().isEmpty() || t.returns().size() > 1;
    }
    if (op == OpCode.CALL) {
      return functionType((int) in.operand(0)).returns().size() > 1;
    }
    if (op == OpCode.CALL_INDIRECT) {
      return module.typeSection().getType((int) in.operand(0)).returns().size() > 1;
    }
    return false;
  }

  private boolean endsStatement(AnnotatedInstruction in) {
    OpCode op = in.opcode();
    if (op == OpCode.LOCAL_SET || op == OpCode.GLOBAL_SET || op == OpCode.DROP) {
      return true;
    }
    if (op == OpCode.CALL) {
      int callee = (int) in.operand(0);
      return functionType(callee).returns().isEmpty();
    }
    if (op == OpCode.CALL_INDIRECT) {
      return module.typeSection().getType((int) in.operand(0)).returns().isEmpty();
    }
    return STORES.contains(op);
  }

  /** The store instructions: each ends a statement. */
  private static final Set<OpCode> STORES = stores();

  private static Set<OpCode> stores() {
    Set<OpCode> out = java.util.EnumSet.noneOf(OpCode.class);
    java.util.regex.Pattern store = java.util.regex.Pattern.compile(".*_STORE(8|16|32)?");
    for (OpCode op : OpCode.values()) {
      if (store.matcher(op.name()).matches()) {
        out.add(op);
      }
    }
    return out;
  }

  private FunctionType functionType(int function) {
    if (function < importedFunctions) {
      return importTypes.get(function);
    }
    return module
        .typeSection()
        .getType(module.functionSection().getFunctionType(function - importedFunctions));
  }

  /** Whether a run stays inside itself: no branch out, no return. */
  private boolean movable(int from, int to) {
    int depth = 0;
    for (int i = from; i < to; i++) {
      AnnotatedInstruction in = ins.get(i);
      OpCode op = in.opcode();
      if (isOpener(op)) {
        depth++;
      } else if (op == OpCode.END) {
        depth--;
      } else if (op == OpCode.BR || op == OpCode.BR_IF) {
        if (in.operand(0) >= depth) {
          return false;
        }
      } else if (op == OpCode.BR_TABLE) {
        for (long label : in.operands()) {
          if (label >= depth) {
            return false;
          }
        }
      } else if (op == OpCode.RETURN
          || op == OpCode.RETURN_CALL
          || op == OpCode.RETURN_CALL_INDIRECT
          || op == OpCode.RETURN_CALL_REF
          || op == OpCode.BR_ON_NULL
          || op == OpCode.BR_ON_NON_NULL
          || op == OpCode.BR_ON_CAST
          || op == OpCode.BR_ON_CAST_FAIL) {
        return false;
      }
    }
    return true;
  }

  /** The locals a run uses (ascending) and, of them, those it writes. */
  private record Uses(List<Integer> used, List<Integer> written) {}

  private Uses uses(int from, int to) {
    TreeSet<Integer> used = new TreeSet<>();
    TreeSet<Integer> written = new TreeSet<>();
    for (int i = from; i < to; i++) {
      AnnotatedInstruction in = ins.get(i);
      OpCode op = in.opcode();
      if (op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
        int index = (int) in.operand(0);
        used.add(index);
        if (op != OpCode.LOCAL_GET) {
          written.add(index);
        }
      }
    }
    return new Uses(new ArrayList<>(used), new ArrayList<>(written));
  }

  private static int slotsOf(ValType t) {
    return t.opcode() == ValType.I64.opcode() || t.opcode() == ValType.F64.opcode() ? 2 : 1;
  }

  /** Moves a run into a new function and emits the call that replaces it. */
  private void outline(ByteArrayOutputStream out, int from, int to) {
    Uses uses = uses(from, to);
    int newIndex = importedFunctions + module.functionSection().functionCount() + newBodies.size();
    // the call site: pass the used locals in, store the written ones back
    for (int index : uses.used()) {
      out.write(OpCode.LOCAL_GET.opcode());
      writeU32(out, index);
    }
    out.write(OpCode.CALL.opcode());
    writeU32(out, newIndex);
    for (int k = uses.written().size() - 1; k >= 0; k--) {
      out.write(OpCode.LOCAL_SET.opcode());
      writeU32(out, uses.written().get(k));
    }
    // the type: (used locals) -> (written locals)
    List<ValType> params = new ArrayList<>();
    for (int index : uses.used()) {
      params.add(localTypes.get(index));
    }
    List<ValType> results = new ArrayList<>();
    for (int index : uses.written()) {
      results.add(localTypes.get(index));
    }
    newFunctionTypes.add(typeIndex(params, results));
    // the body: the run with locals renumbered, then the written locals as results
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    writeU32(b, 0); // no locals of its own: every local it uses is a parameter
    int copied = from;
    for (int i = from; i < to; i++) {
      AnnotatedInstruction in = ins.get(i);
      OpCode op = in.opcode();
      if (op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
        if (i > copied) {
          b.write(bytes, start(copied), size(copied, i));
        }
        b.write(op.opcode());
        writeU32(b, uses.used().indexOf((int) in.operand(0)));
        copied = i + 1;
      }
    }
    if (to > copied) {
      b.write(bytes, start(copied), size(copied, to));
    }
    for (int index : uses.written()) {
      b.write(OpCode.LOCAL_GET.opcode());
      writeU32(b, uses.used().indexOf(index));
    }
    b.write(OpCode.END.opcode());
    newBodies.add(b.toByteArray());
  }

  // ---- LEB128 ---------------------------------------------------------------------------------

  private long readU32(int[] pos) {
    long result = 0;
    int shift = 0;
    while (true) {
      int b = bytes[pos[0]++] & 0xff;
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
      shift += 7;
    }
  }

  private static byte[] u32(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeU32(out, value);
    return out.toByteArray();
  }

  private static void writeU32(ByteArrayOutputStream out, long value) {
    do {
      int b = (int) (value & 0x7f);
      value >>>= 7;
      out.write(value != 0 ? b | 0x80 : b);
    } while (value != 0);
  }
}
