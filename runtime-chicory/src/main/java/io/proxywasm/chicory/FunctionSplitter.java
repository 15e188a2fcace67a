package io.proxywasm.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
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
 * and stores the results back. A run that branches out of itself or returns stays where it is.
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

  /** The new types, decoded. */
  private final List<FunctionType> newTypeObjects = new ArrayList<>();

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
  private List<Ins> ins;

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
    newTypeObjects.add(FunctionType.of(params, results));
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

  /**
   * Wasm code bytes over which a function is split before it is first compiled: Chicory's
   * translation of the corpus's code (C, AssemblyScript, Go) takes at most about 2 bytes of JVM
   * bytecode per byte of wasm, so a function under this size stays under HotSpot's 8000-byte limit;
   * one that does not is found once compiled and split then.
   */
  static final int LIKELY_HUGE_BYTES = 3500;

  /** The defined functions whose wasm code is over {@link #LIKELY_HUGE_BYTES}, imports counted. */
  static Set<Integer> likelyHuge(WasmModule module) {
    int imported = 0;
    for (int i = 0; i < module.importSection().importCount(); i++) {
      if (module.importSection().getImport(i) instanceof FunctionImport) {
        imported++;
      }
    }
    Set<Integer> out = new TreeSet<>();
    for (int i = 0; i < module.codeSection().functionBodyCount(); i++) {
      List<AnnotatedInstruction> code = module.codeSection().getFunctionBody(i).instructions();
      if (!code.isEmpty()
          && code.get(code.size() - 1).address() - code.get(0).address() > LIKELY_HUGE_BYTES) {
        out.add(imported + i);
      }
    }
    return out;
  }

  /** A split module that Chicory's validator accepted, parsed. */
  record Checked(Result result, WasmModule module) {}

  /**
   * Splits the given functions and has Chicory's validator check the result. Should the split of
   * some function not validate, the functions at fault are found by halving the set and kept whole,
   * and the others are still split: one hard function never costs the module its splitting.
   *
   * @return the split module, parsed, or empty if no function could be split
   */
  static Optional<Checked> splitChecked(byte[] bytes, WasmModule module, Set<Integer> functions) {
    Set<Integer> all = new TreeSet<>(functions);
    List<Checked> whole = new ArrayList<>(1);
    Set<Integer> good =
        keepValid(
            all,
            subset -> {
              Optional<Checked> checked;
              try {
                checked = check(bytes, module, subset);
              } catch (com.dylibso.chicory.wasm.ChicoryException e) {
                return false;
              }
              if (subset.equals(all)) {
                checked.ifPresent(whole::add);
              }
              return true;
            });
    if (good.equals(all)) {
      return whole.stream().findFirst();
    }
    return good.isEmpty() ? Optional.empty() : check(bytes, module, good);
  }

  private static Optional<Checked> check(byte[] bytes, WasmModule module, Set<Integer> functions) {
    Optional<Result> r = split(bytes, module, functions);
    return r.map(x -> new Checked(x, com.dylibso.chicory.wasm.Parser.parse(x.module())));
  }

  /**
   * The largest union of valid subsets of some candidates that halving finds: the whole set if it
   * is valid, else the valid parts of each half.
   */
  static Set<Integer> keepValid(
      Set<Integer> candidates, java.util.function.Predicate<Set<Integer>> valid) {
    if (candidates.isEmpty() || valid.test(candidates)) {
      return candidates;
    }
    if (candidates.size() == 1) {
      return Set.of();
    }
    List<Integer> all = new ArrayList<>(candidates);
    Set<Integer> good =
        new TreeSet<>(keepValid(new TreeSet<>(all.subList(0, all.size() / 2)), valid));
    good.addAll(keepValid(new TreeSet<>(all.subList(all.size() / 2, all.size())), valid));
    return good;
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
      byte[] replaced = targets.contains(i) ? splitBody(i, bodyStart, size) : null;
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

  /**
   * The most rounds of splitting one function: each one moves what the last one left small (Go's
   * unicode.init, 55 KB of wasm in about 950 nested blocks, takes some 40).
   */
  private static final int MAX_ROUNDS = 200;

  /**
   * Returns the new body of a defined function, or null to keep it. Splitting goes in rounds over
   * the function's own new code: once the deepest constructs of a function have moved out, the
   * constructs around them are small enough to move in turn (the nested dispatch blocks Go's
   * compiler writes need several rounds).
   */
  private byte[] splitBody(int defined, int bodyStart, int size) {
    FunctionType type =
        module.typeSection().getType(module.functionSection().getFunctionType(defined));
    byte[] body = java.util.Arrays.copyOfRange(bytes, bodyStart, bodyStart + size);
    boolean changed = false;
    for (int round = 0;
        round < MAX_ROUNDS && (round == 0 || body.length > MAX_PIECE_BYTES);
        round++) {
      byte[] next = splitOnce(type, body);
      if (next == null || (round > 0 && next.length >= body.length)) {
        break; // nothing moved, or no smaller: done
      }
      changed = true;
      body = next;
    }
    return changed ? body : null;
  }

  /** One round of splitting a function body; null if nothing moved or it cannot be split. */
  private byte[] splitOnce(FunctionType type, byte[] body) {
    code = body;
    List<ValType> locals = new ArrayList<>(type.params());
    int[] pos = {0};
    int codeStart;
    try {
      long entries = readU32(code, pos);
      for (long e = 0; e < entries; e++) {
        long n = readU32(code, pos);
        ValType t = valType(code[pos[0]++] & 0xff);
        if (t == null) {
          return null; // a reference or GC local: left whole
        }
        if (locals.size() + n > 50_000) {
          return null;
        }
        for (long k = 0; k < n; k++) {
          locals.add(t);
        }
      }
      codeStart = pos[0];
      ins = decode(code, codeStart);
    } catch (RuntimeException e) {
      return null; // code this decoder does not know: left whole
    }
    if (ins == null) {
      return null;
    }
    localTypes = locals;
    match = new int[ins.size()];
    java.util.ArrayDeque<Integer> open = new java.util.ArrayDeque<>();
    for (int i = 0; i < ins.size(); i++) {
      OpCode op = ins.get(i).opcode();
      if (isOpener(op)) {
        open.push(i);
      } else if (op == OpCode.END && !open.isEmpty()) {
        match[open.pop()] = i;
      } else if (!endsReachability(op)
          && op != OpCode.ELSE
          && op != OpCode.END
          && stackDelta(i) == UNKNOWN) {
        return null; // an instruction whose stack effect is not known here: left whole
      }
    }
    int piecesBefore = newBodies.size();
    results = type.returns();
    exitLocalsUsed = false;
    caseLocalUsed = false;
    labelArities.clear();
    labelArities.add(results.size()); // the function body's label
    ByteArrayOutputStream emitted = new ByteArrayOutputStream(code.length);
    // the function body is a block from the first instruction to the final END
    emitBlockBody(emitted, 0, ins.size() - 1, 0);
    emitted.write(OpCode.END.opcode());
    if (newBodies.size() == piecesBefore) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(emitted.size() + 16);
    if (exitLocalsUsed) {
      // the locals the call sites of pieces with exits store into: the exit code, the results,
      // and the case a split dispatch chain goes to
      int[] p = {0};
      long entries = readU32(code, p);
      writeU32(out, entries + 1 + results.size() + (caseLocalUsed ? 1 : 0));
      out.write(code, p[0], codeStart - p[0]);
      writeU32(out, 1);
      out.write(ValType.I32.opcode());
      for (ValType t : results) {
        writeU32(out, 1);
        out.write(t.opcode());
      }
      if (caseLocalUsed) {
        writeU32(out, 1);
        out.write(ValType.I32.opcode());
      }
    } else {
      out.write(code, 0, codeStart); // the local declarations
    }
    out.writeBytes(emitted.toByteArray());
    return out.toByteArray();
  }

  /** A numeric or vector value type by its encoding, or null. */
  private static ValType valType(int encoding) {
    return switch (encoding) {
      case 0x7f -> ValType.I32;
      case 0x7e -> ValType.I64;
      case 0x7d -> ValType.F32;
      case 0x7c -> ValType.F64;
      case 0x7b -> ValType.V128;
      default -> null;
    };
  }

  /** One decoded instruction: its opcode, where it starts in the body, its immediates. */
  private record Ins(OpCode opcode, int address, long[] operands) {
    long operand(int index) {
      return operands[index];
    }
  }

  private static final long[] NONE = new long[0];

  /**
   * Decodes a function's instructions, from {@code start} to the end of the body; null if one of
   * them is not one the splitter models.
   */
  private static List<Ins> decode(byte[] code, int start) {
    List<Ins> out = new ArrayList<>(code.length / 2);
    int[] pos = {start};
    while (pos[0] < code.length) {
      int address = pos[0];
      int op = code[pos[0]++] & 0xff;
      long[] operands = NONE;
      if (op == 0xfc) {
        op = 0xfc00 | (int) readU32(code, pos);
      }
      OpCode opcode = op < 0xfc00 && op >= SIMPLE_DELTAS.length ? null : OpCode.byOpCode(op);
      if (opcode == null) {
        return null;
      }
      switch (op) {
        case 0x02, 0x03, 0x04 -> skipBlockType(code, pos);
        case 0x0c, 0x0d, 0x10, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x3f, 0x40, 0xd2 ->
            operands = new long[] {readU32(code, pos)};
        case 0x0e -> {
          int n = (int) readU32(code, pos);
          operands = new long[n + 1];
          for (int k = 0; k <= n; k++) {
            operands[k] = readU32(code, pos);
          }
        }
        case 0x11 -> operands = new long[] {readU32(code, pos), readU32(code, pos)};
        case 0x1c -> {
          long n = readU32(code, pos);
          for (long k = 0; k < n; k++) {
            if (valType(code[pos[0]++] & 0xff) == null) {
              return null;
            }
          }
        }
        case 0x41, 0x42 -> skipLeb(code, pos);
        case 0x43 -> pos[0] += 4;
        case 0x44 -> pos[0] += 8;
        case 0xd0 -> pos[0]++;
        case 0xfc08, 0xfc0a, 0xfc0c, 0xfc0e -> {
          readU32(code, pos);
          readU32(code, pos);
        }
        case 0xfc09, 0xfc0b, 0xfc0d, 0xfc0f, 0xfc10, 0xfc11 -> readU32(code, pos);
        default -> {
          if (op >= 0x28 && op <= 0x3e) { // memarg: alignment (and memory), offset
            long align = readU32(code, pos);
            if ((align & 0x40) != 0) {
              readU32(code, pos);
            }
            readU32(code, pos);
          } else if (op >= 0xfc00 && (op & 0xff) >= PREFIXED_DELTAS.length) {
            return null;
          }
        }
      }
      out.add(new Ins(opcode, address, operands));
    }
    return out;
  }

  private static void skipBlockType(byte[] code, int[] pos) {
    int first = code[pos[0]] & 0xff;
    if (first == 0x40 || valType(first) != null) {
      pos[0]++;
    } else if ((first & 0xc0) == 0x40) {
      throw new IllegalArgumentException("a reference block type");
    } else {
      readU32(code, pos);
    }
  }

  private static void skipLeb(byte[] code, int[] pos) {
    while ((code[pos[0]++] & 0x80) != 0) {
      // continuation bytes
    }
  }

  /** The body being split: local declarations, then instructions. */
  private byte[] code;

  /** The result types of the function being split. */
  private List<ValType> results;

  /** Whether a call site in the function being split stores an exit code and results. */
  private boolean exitLocalsUsed;

  /** Whether a split dispatch chain of the function being split keeps its case in a local. */
  private boolean caseLocalUsed;

  /**
   * The arities of the labels around the level being emitted, outermost (the function body) first:
   * the values a branch to each carries.
   */
  private final List<Integer> labelArities = new ArrayList<>();

  /** The local of the function being split that holds a piece's exit code at its call site. */
  private int exitCodeLocal() {
    return localTypes.size();
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
   * level, moving runs of statements into new functions and descending into big nested blocks. A
   * statement starts and ends where the operand stack of this block is empty, as the stack-height
   * analysis ({@link #stackDelta}) proves: a value left on the stack across instructions (as Go's
   * compiler does, across whole blocks) keeps them in one statement.
   *
   * @param height the operand stack height at {@code from}: the block's parameters
   */
  private void emitBlockBody(ByteArrayOutputStream out, int from, int to, int height) {
    List<int[]> statements = new ArrayList<>();
    int i = from;
    int statementStart = from;
    boolean startsEmpty = height == 0;
    boolean open = true;
    while (i < to) {
      Ins in = ins.get(i);
      OpCode op = in.opcode();
      if (op == OpCode.ELSE || op == OpCode.END) {
        break; // the end of this body (a caller handles it)
      }
      int next = isOpener(op) ? match[i] + 1 : i + 1;
      if (!open) {
        i = next;
        continue;
      }
      if (endsReachability(op)) {
        open = false; // what follows is unreachable at this level: left as it is
        i = next;
        continue;
      }
      height += stackDelta(i);
      if (height == 0) {
        if (startsEmpty) {
          statements.add(new int[] {statementStart, next});
        }
        statementStart = next;
        startsEmpty = true;
      }
      i = next;
    }
    int bodyEnd = i;
    // group statements into pieces; what no piece takes is copied, its big constructs split
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
        if (size(first[0], st[1]) > MAX_PIECE_BYTES || exits(st[0], st[1]) == null) {
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
        descend(out, copiedTo, first[0]);
        outline(out, first[0], pieceEnd, exits(first[0], pieceEnd));
        copiedTo = pieceEnd;
        s = e;
      } else {
        s++;
      }
    }
    descend(out, copiedTo, bodyEnd);
  }

  /** Emits instructions as they are, splitting the bodies of the big constructs among them. */
  private void descend(ByteArrayOutputStream out, int from, int to) {
    int i = from;
    int copiedTo = from;
    while (i < to) {
      OpCode op = ins.get(i).opcode();
      if (isOpener(op) && size(i, match[i] + 1) > MAX_PIECE_BYTES) {
        Chain chain = op == OpCode.BLOCK ? chainAt(i) : null;
        if (chain != null) {
          copy(out, copiedTo, i);
          emitChain(out, chain);
          copiedTo = match[i] + 1;
          i = copiedTo;
          continue;
        }
        copy(out, copiedTo, i + 1); // up to the opener
        int bodyFrom = i + 1;
        int end = match[i];
        int elseAt = -1;
        if (op == OpCode.IF) {
          elseAt = elseOf(i);
        }
        int[] type = blockType(i);
        labelArities.add(op == OpCode.LOOP ? type[0] : type[1]);
        if (elseAt >= 0) {
          emitBlockBody(out, bodyFrom, elseAt, type[0]);
          copy(out, elseAt, elseAt + 1);
          emitBlockBody(out, elseAt + 1, end, type[0]);
        } else {
          emitBlockBody(out, bodyFrom, end, type[0]);
        }
        labelArities.remove(labelArities.size() - 1);
        copiedTo = end;
        i = end + 1;
      } else {
        i = isOpener(op) ? match[i] + 1 : i + 1;
      }
    }
    copy(out, copiedTo, to);
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
      out.write(code, start(from), size(from, to));
    }
  }

  /** Whether an instruction makes what follows it at its level unreachable. */
  private static boolean endsReachability(OpCode op) {
    return op == OpCode.UNREACHABLE
        || op == OpCode.BR
        || op == OpCode.BR_TABLE
        || op == OpCode.RETURN
        || op == OpCode.RETURN_CALL
        || op == OpCode.RETURN_CALL_INDIRECT
        || op == OpCode.RETURN_CALL_REF
        || op == OpCode.THROW
        || op == OpCode.THROW_REF;
  }

  /** What {@link #stackDelta} returns for an instruction it does not know. */
  private static final int UNKNOWN = Integer.MIN_VALUE;

  /**
   * How an instruction changes the height of the operand stack (pushes less pops); for a block,
   * loop or if, the whole construct. {@link #UNKNOWN} for instructions the splitter does not model
   * (SIMD, atomics, GC, typed function references): a function using one is left whole.
   */
  private int stackDelta(int at) {
    Ins in = ins.get(at);
    int op = in.opcode().opcode();
    if (op == OpCode.BLOCK.opcode() || op == OpCode.LOOP.opcode() || op == OpCode.IF.opcode()) {
      int[] type = blockType(at);
      return type[1] - type[0] - (op == OpCode.IF.opcode() ? 1 : 0);
    }
    if (op == OpCode.CALL.opcode()) {
      FunctionType t = functionType((int) in.operand(0));
      return t.returns().size() - t.params().size();
    }
    if (op == OpCode.CALL_INDIRECT.opcode()) {
      FunctionType t = type((int) in.operand(0));
      return t.returns().size() - t.params().size() - 1;
    }
    if (op < 0x100) {
      return op < SIMPLE_DELTAS.length ? SIMPLE_DELTAS[op] : UNKNOWN;
    }
    if ((op & 0xff00) == 0xfc00 && (op & 0xff) < PREFIXED_DELTAS.length) {
      return PREFIXED_DELTAS[op & 0xff];
    }
    return UNKNOWN;
  }

  /** Stack deltas of the one-byte opcodes other than blocks and calls, by opcode. */
  private static final int[] SIMPLE_DELTAS = simpleDeltas();

  /** Stack deltas of the 0xFC-prefixed opcodes (saturating truncation, bulk memory and tables). */
  private static final int[] PREFIXED_DELTAS = {
    0, 0, 0, 0, 0, 0, 0, 0, -3, 0, -3, -3, -3, 0, -3, -1, 1, -3
  };

  private static int[] simpleDeltas() {
    int[] d = new int[0xd3];
    java.util.Arrays.fill(d, UNKNOWN);
    d[0x01] = 0; // nop
    d[0x0d] = -1; // br_if: the condition (label values stay)
    d[0x1a] = -1; // drop
    d[0x1b] = -2; // select
    d[0x1c] = -2; // select t
    d[0x20] = 1; // local.get
    d[0x21] = -1; // local.set
    d[0x22] = 0; // local.tee
    d[0x23] = 1; // global.get
    d[0x24] = -1; // global.set
    d[0x25] = 0; // table.get
    d[0x26] = -2; // table.set
    fill(d, 0x28, 0x35, 0); // loads
    fill(d, 0x36, 0x3e, -2); // stores
    d[0x3f] = 1; // memory.size
    d[0x40] = 0; // memory.grow
    fill(d, 0x41, 0x44, 1); // constants
    d[0x45] = 0; // i32.eqz
    fill(d, 0x46, 0x4f, -1); // i32 comparisons
    d[0x50] = 0; // i64.eqz
    fill(d, 0x51, 0x66, -1); // i64, f32 and f64 comparisons
    fill(d, 0x67, 0x69, 0); // i32 clz, ctz, popcnt
    fill(d, 0x6a, 0x78, -1); // i32 binary
    fill(d, 0x79, 0x7b, 0); // i64 clz, ctz, popcnt
    fill(d, 0x7c, 0x8a, -1); // i64 binary
    fill(d, 0x8b, 0x91, 0); // f32 unary
    fill(d, 0x92, 0x98, -1); // f32 binary
    fill(d, 0x99, 0x9f, 0); // f64 unary
    fill(d, 0xa0, 0xa6, -1); // f64 binary
    fill(d, 0xa7, 0xc4, 0); // conversions and sign extension
    d[0xd0] = 1; // ref.null
    d[0xd1] = 0; // ref.is_null
    d[0xd2] = 1; // ref.func
    return d;
  }

  private static void fill(int[] d, int first, int last, int delta) {
    java.util.Arrays.fill(d, first, last + 1, delta);
  }

  /**
   * The number of parameters and results of the block, loop or if at an index, from its block type:
   * empty, one value type, or a type index.
   */
  private int[] blockType(int at) {
    int[] pos = {start(at) + 1};
    int first = code[pos[0]] & 0xff;
    if (first == 0x40) {
      return new int[] {0, 0};
    }
    if ((first & 0xc0) == 0x40) { // a one-byte negative number: a value type
      return new int[] {0, 1};
    }
    FunctionType t = type((int) readU32(code, pos));
    return new int[] {t.params().size(), t.returns().size()};
  }

  private FunctionType functionType(int function) {
    if (function < importedFunctions) {
      return importTypes.get(function);
    }
    int defined = function - importedFunctions;
    if (defined >= module.functionSection().functionCount()) { // a new function
      return type(newFunctionTypes.get(defined - module.functionSection().functionCount()));
    }
    return type(module.functionSection().getFunctionType(defined));
  }

  /** A function type by index, new types included. */
  private FunctionType type(int index) {
    int count = module.typeSection().typeCount();
    return index < count ? module.typeSection().getType(index) : newTypeObjects.get(index - count);
  }

  /**
   * How a run leaves itself other than by falling through: the enclosing labels it branches to
   * (numbered from the innermost enclosing the run, 0) and whether it returns.
   */
  private record Exits(java.util.SortedSet<Integer> labels, boolean returns) {
    boolean any() {
      return returns || !labels.isEmpty();
    }
  }

  /**
   * The exits of a run, or null if it cannot move: a branch out of it that carries values (other
   * than to the function's own label, which is a return), a conditional or table branch out of it
   * that would, a tail call, or a reference-typed branch.
   */
  private Exits exits(int from, int to) {
    TreeSet<Integer> labels = new TreeSet<>();
    boolean returns = false;
    int outer = labelArities.size() - 1; // the function's label, counted from the run
    int depth = 0;
    for (int i = from; i < to; i++) {
      Ins in = ins.get(i);
      OpCode op = in.opcode();
      if (isOpener(op)) {
        depth++;
      } else if (op == OpCode.END) {
        depth--;
      } else if (op == OpCode.BR || op == OpCode.BR_IF) {
        long label = in.operand(0);
        if (label >= depth) {
          int o = (int) (label - depth);
          if (labelArity(o) == 0) {
            labels.add(o);
          } else if (op == OpCode.BR && o == outer) {
            returns = true;
          } else {
            return null;
          }
        }
      } else if (op == OpCode.BR_TABLE) {
        for (long label : in.operands()) {
          if (label >= depth) {
            int o = (int) (label - depth);
            if (labelArity(o) != 0) {
              return null;
            }
            labels.add(o);
          }
        }
      } else if (op == OpCode.RETURN) {
        returns = true;
      } else if (op == OpCode.RETURN_CALL
          || op == OpCode.RETURN_CALL_INDIRECT
          || op == OpCode.RETURN_CALL_REF
          || op == OpCode.BR_ON_NULL
          || op == OpCode.BR_ON_NON_NULL
          || op == OpCode.BR_ON_CAST
          || op == OpCode.BR_ON_CAST_FAIL) {
        return null;
      }
    }
    return new Exits(labels, returns);
  }

  /** The arity of an enclosing label, 0 the innermost around the level being emitted. */
  private int labelArity(int o) {
    return labelArities.get(labelArities.size() - 1 - o);
  }

  /** The locals a run uses (ascending) and, of them, those it writes. */
  private record Uses(List<Integer> used, List<Integer> written) {}

  private Uses uses(int from, int to) {
    TreeSet<Integer> used = new TreeSet<>();
    TreeSet<Integer> written = new TreeSet<>();
    for (int i = from; i < to; i++) {
      Ins in = ins.get(i);
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

  /**
   * Moves a run into a new function and emits the call that replaces it. A run with exits returns,
   * after the locals it writes, the function's results if it returns and an exit code: 0 when it
   * fell through, {@code 1 + label} when it branched out to an enclosing label, {@link #returnCode}
   * when it returned. The call site stores them and takes the same exit.
   */
  private void outline(ByteArrayOutputStream out, int from, int to, Exits exits) {
    Uses uses = uses(from, to);
    int newIndex = importedFunctions + module.functionSection().functionCount() + newBodies.size();
    boolean withExits = exits.any();
    // the call site: pass the used locals in, store the results back, take the exit
    for (int index : uses.used()) {
      out.write(OpCode.LOCAL_GET.opcode());
      writeU32(out, index);
    }
    out.write(OpCode.CALL.opcode());
    writeU32(out, newIndex);
    if (withExits) {
      exitLocalsUsed = true;
      localOp(out, OpCode.LOCAL_SET, exitCodeLocal());
      if (exits.returns()) {
        for (int k = results.size() - 1; k >= 0; k--) {
          localOp(out, OpCode.LOCAL_SET, exitCodeLocal() + 1 + k);
        }
      }
    }
    for (int k = uses.written().size() - 1; k >= 0; k--) {
      localOp(out, OpCode.LOCAL_SET, uses.written().get(k));
    }
    if (withExits) {
      dispatch(out, exits);
    }
    // the type: (used locals) -> (written locals, [results], [exit code])
    List<ValType> params = new ArrayList<>();
    for (int index : uses.used()) {
      params.add(localTypes.get(index));
    }
    List<ValType> types = new ArrayList<>();
    for (int index : uses.written()) {
      types.add(localTypes.get(index));
    }
    if (exits.returns()) {
      types.addAll(results);
    }
    if (withExits) {
      types.add(ValType.I32);
    }
    newFunctionTypes.add(typeIndex(params, types));
    // the body: the run with locals renumbered and exits turned into branches to one block
    int[] renumber = new int[localTypes.size()];
    for (int k = 0; k < uses.used().size(); k++) {
      renumber[uses.used().get(k)] = k;
    }
    int resultBase = uses.used().size(); // locals of its own: the results, then the exit code
    int codeLocal = resultBase + (exits.returns() ? results.size() : 0);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    if (withExits) {
      openExitBlock(b, exits.returns());
    } else {
      writeU32(b, 0); // no locals of its own: every local it uses is a parameter
    }
    int returnCode = returnCode();
    int copied = from;
    int depth = 0;
    for (int i = from; i < to; i++) {
      Ins in = ins.get(i);
      OpCode op = in.opcode();
      boolean rewrite = false;
      if (isOpener(op)) {
        depth++;
      } else if (op == OpCode.END) {
        depth--;
      } else if (op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
        rewrite = true;
      } else if (op == OpCode.RETURN) {
        rewrite = true;
      } else if ((op == OpCode.BR || op == OpCode.BR_IF) && in.operand(0) >= depth) {
        rewrite = true;
      } else if (op == OpCode.BR_TABLE) {
        for (long label : in.operands()) {
          rewrite |= label >= depth;
        }
      }
      if (!rewrite) {
        continue;
      }
      if (i > copied) {
        b.write(code, start(copied), size(copied, i));
      }
      copied = i + 1;
      if (op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
        localOp(b, op, renumber[(int) in.operand(0)]);
        continue;
      }
      if (op == OpCode.BR_TABLE) {
        branchTable(b, in, depth, codeLocal);
        continue;
      }
      int o = op == OpCode.RETURN ? -1 : (int) (in.operand(0) - depth);
      if (o < 0 || labelArity(o) != 0) { // a return, or a branch to the function's label
        returnExit(b, resultBase, returnCode, depth);
      } else {
        exitBranch(b, op, 1 + o, depth);
      }
    }
    if (to > copied) {
      b.write(code, start(copied), size(copied, to));
    }
    closeBody(b, withExits ? codeLocal : -1, uses, renumber, exits.returns(), resultBase);
    newBodies.add(b.toByteArray());
  }

  /**
   * Starts the body of a new function that leaves with an exit code: its own locals (the function's
   * results if it may return, then the exit code) and the block whose i32 result is the code.
   */
  private void openExitBlock(ByteArrayOutputStream b, boolean returns) {
    List<ValType> own = new ArrayList<>();
    if (returns) {
      own.addAll(results);
    }
    own.add(ValType.I32);
    writeU32(b, own.size());
    for (ValType t : own) {
      writeU32(b, 1);
      b.write(t.opcode());
    }
    b.write(OpCode.BLOCK.opcode());
    b.write(ValType.I32.opcode()); // the exit code
  }

  /** Leaves a new function's exit block with a code: {@code br}, or {@code br_if} as an if. */
  private static void exitBranch(ByteArrayOutputStream b, OpCode op, int exitCode, int toExit) {
    if (op == OpCode.BR) {
      constI32(b, exitCode);
      b.write(OpCode.BR.opcode());
      writeU32(b, toExit);
    } else { // br_if: branch with the code when the condition holds
      b.write(OpCode.IF.opcode());
      b.write(0x40);
      constI32(b, exitCode);
      b.write(OpCode.BR.opcode());
      writeU32(b, toExit + 1);
      b.write(OpCode.END.opcode());
    }
  }

  /** A return from inside a new function: keeps the results and leaves with the return code. */
  private void returnExit(ByteArrayOutputStream b, int resultBase, int returnCode, int toExit) {
    for (int k = results.size() - 1; k >= 0; k--) {
      localOp(b, OpCode.LOCAL_SET, resultBase + k);
    }
    constI32(b, returnCode);
    b.write(OpCode.BR.opcode());
    writeU32(b, toExit);
  }

  /**
   * Ends a new function's body: closes its exit block (falling through is code 0) when it has one
   * ({@code codeLocal >= 0}), then returns the locals it wrote, the function's results if it may
   * return, and the exit code.
   */
  private void closeBody(
      ByteArrayOutputStream b,
      int codeLocal,
      Uses uses,
      int[] renumber,
      boolean returns,
      int resultBase) {
    if (codeLocal >= 0) {
      constI32(b, 0); // fell through
      b.write(OpCode.END.opcode());
      localOp(b, OpCode.LOCAL_SET, codeLocal);
    }
    for (int index : uses.written()) {
      localOp(b, OpCode.LOCAL_GET, renumber[index]);
    }
    if (returns) {
      for (int k = 0; k < results.size(); k++) {
        localOp(b, OpCode.LOCAL_GET, resultBase + k);
      }
    }
    if (codeLocal >= 0) {
      localOp(b, OpCode.LOCAL_GET, codeLocal);
    }
    b.write(OpCode.END.opcode());
  }

  /**
   * Emits, in a piece, a {@code br_table} some of whose targets are out of the piece: its index is
   * kept in a local while one block opens per such target; the table branches to those blocks, and
   * after each one's end the piece leaves with that target's exit code.
   */
  private void branchTable(ByteArrayOutputStream b, Ins in, int depth, int indexLocal) {
    List<Integer> outside = new ArrayList<>(); // exit labels, each at most once
    for (long label : in.operands()) {
      if (label >= depth && !outside.contains((int) (label - depth))) {
        outside.add((int) (label - depth));
      }
    }
    int m = outside.size();
    localOp(b, OpCode.LOCAL_SET, indexLocal);
    for (int j = 0; j < m; j++) {
      b.write(OpCode.BLOCK.opcode());
      b.write(0x40);
    }
    localOp(b, OpCode.LOCAL_GET, indexLocal);
    b.write(OpCode.BR_TABLE.opcode());
    long[] labels = in.operands();
    writeU32(b, labels.length - 1);
    for (long label : labels) {
      writeU32(b, label < depth ? label + m : outside.indexOf((int) (label - depth)));
    }
    for (int j = 0; j < m; j++) {
      b.write(OpCode.END.opcode());
      constI32(b, 1 + outside.get(j));
      b.write(OpCode.BR.opcode());
      writeU32(b, depth + m - 1 - j);
    }
  }

  /** The exit code of a piece that returned: above every label's code. */
  private int returnCode() {
    return 1 + labelArities.size();
  }

  /** At a call site, takes the exit the piece took, its code in the exit code local. */
  private void dispatch(ByteArrayOutputStream out, Exits exits) {
    int code = exitCodeLocal();
    if (exits.labels().size() + (exits.returns() ? 1 : 0) > 3) {
      tableDispatch(out, exits);
      return;
    }
    if (!exits.returns() && exits.labels().size() == 1) {
      localOp(out, OpCode.LOCAL_GET, code);
      out.write(OpCode.BR_IF.opcode());
      writeU32(out, exits.labels().first());
      return;
    }
    localOp(out, OpCode.LOCAL_GET, code);
    out.write(OpCode.IF.opcode());
    out.write(0x40);
    for (int o : exits.labels()) {
      localOp(out, OpCode.LOCAL_GET, code);
      constI32(out, 1 + o);
      out.write(OpCode.I32_EQ.opcode());
      out.write(OpCode.BR_IF.opcode());
      writeU32(out, o + 1); // inside the if
    }
    if (exits.returns()) {
      for (int k = 0; k < results.size(); k++) {
        localOp(out, OpCode.LOCAL_GET, code + 1 + k);
      }
      out.write(OpCode.RETURN.opcode());
    } else {
      out.write(OpCode.UNREACHABLE.opcode());
    }
    out.write(OpCode.END.opcode());
  }

  /** A call site's dispatch on many exits: one {@code br_table} over the exit codes. */
  private void tableDispatch(ByteArrayOutputStream out, Exits exits) {
    int code = exitCodeLocal();
    int wrapping = exits.returns() ? 2 : 1; // the block after which execution goes on, [returns]
    int done = wrapping - 1;
    out.write(OpCode.BLOCK.opcode());
    out.write(0x40);
    if (exits.returns()) {
      out.write(OpCode.BLOCK.opcode());
      out.write(0x40);
    }
    localOp(out, OpCode.LOCAL_GET, code);
    out.write(OpCode.BR_TABLE.opcode());
    int entries = exits.returns() ? returnCode() + 1 : exits.labels().last() + 2;
    writeU32(out, entries);
    for (int c = 0; c < entries; c++) {
      if (c > 0 && exits.labels().contains(c - 1)) {
        writeU32(out, c - 1 + wrapping);
      } else if (exits.returns() && c == returnCode()) {
        writeU32(out, 0);
      } else {
        writeU32(out, done);
      }
    }
    writeU32(out, done); // the default: no other code occurs
    if (exits.returns()) {
      out.write(OpCode.END.opcode());
      for (int k = 0; k < results.size(); k++) {
        localOp(out, OpCode.LOCAL_GET, code + 1 + k);
      }
      out.write(OpCode.RETURN.opcode());
    }
    out.write(OpCode.END.opcode());
  }

  private static void localOp(ByteArrayOutputStream out, OpCode op, int index) {
    out.write(op.opcode());
    writeU32(out, index);
  }

  private static void constI32(ByteArrayOutputStream out, int value) {
    out.write(OpCode.I32_CONST.opcode());
    writeS32(out, value);
  }

  private static void writeS32(ByteArrayOutputStream out, int value) {
    while (true) {
      int b = value & 0x7f;
      value >>= 7;
      if ((value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0)) {
        out.write(b);
        return;
      }
      out.write(b | 0x80);
    }
  }

  // ---- dispatch chains ------------------------------------------------------------------------

  /**
   * The fewest nested blocks a dispatch chain has for it to be split as a chain. Below this, the
   * statement runs of each level are small enough to move out one by one.
   */
  private static final int MIN_CHAIN = 32;

  /** The most entries of a {@code br_table} in one piece of a chain's lookup. */
  private static final int LOOKUP_CHUNK = 256;

  /**
   * A dispatch chain, as Go's compiler writes a function's basic blocks: {@code n + 1} nested
   * empty-typed blocks {@code B_n ⊃ … ⊃ B_0}; the innermost one computes an index (its prefix) and
   * ends with a {@code br_table} over the blocks' labels; after the end of each {@code B_k} comes
   * case {@code k}'s code, which falls through into case {@code k + 1}. Branching to the label of
   * {@code B_k} runs case {@code k}.
   *
   * <p>A statement run cannot move out of such a chain: the table branches to every level, so a
   * piece holding it has as many exits as the chain has cases, and the code that stays holds one
   * call site per case. Split as a chain, the cases move in groups to new functions, each entered
   * at any of its cases by a {@code br_table} of its own, and the function keeps a small loop that
   * calls the group holding the current case (see {@link #emitChain}).
   *
   * @param blocks the blocks' openers, {@code B_0} (the innermost) first
   * @param table the {@code br_table} that ends {@code B_0}
   * @param groups the cases of each group: {@code groups[g]} is the group's first case, and the
   *     last entry is {@code n}
   * @param uses the locals each group uses and writes
   * @param exits how each group leaves itself other than by falling through
   */
  private record Chain(
      int[] blocks, int table, int[] groups, List<Uses> uses, List<GroupExits> exits) {
    int n() {
      return blocks.length - 1;
    }

    /** Where case {@code k}'s code starts (after the end of {@code B_k}) and ends. */
    int caseFrom(int[] match, int k) {
      return match[blocks[k]] + 1;
    }

    int caseTo(int[] match, int k) {
      return match[blocks[k + 1]];
    }
  }

  /**
   * How a group of cases leaves itself: to later cases of the chain (at or after the group's end),
   * to labels around the chain, or by returning.
   */
  private record GroupExits(boolean toCases, java.util.SortedSet<Integer> outer, boolean returns) {}

  /** The dispatch chain whose outermost block opens at an index, or null if it is not one. */
  private Chain chainAt(int at) {
    List<Integer> openers = new ArrayList<>();
    for (int b = at; b < ins.size() && isVoidBlock(b); b++) {
      openers.add(b);
    }
    // the innermost block is the one ending with the table (blocks opening its prefix are not)
    while (!openers.isEmpty()
        && ins.get(match[openers.get(openers.size() - 1)] - 1).opcode() != OpCode.BR_TABLE) {
      openers.remove(openers.size() - 1);
    }
    int n = openers.size() - 1;
    if (n < MIN_CHAIN) {
      return null;
    }
    int[] blocks = new int[n + 1];
    for (int k = 0; k <= n; k++) {
      blocks[k] = openers.get(n - k);
    }
    int table = match[blocks[0]] - 1;
    // the prefix computes the index and stays where it is: it must not branch
    int height = 0;
    for (int i = blocks[0] + 1;
        i < table;
        i = isOpener(ins.get(i).opcode()) ? match[i] + 1 : i + 1) {
      int delta = stackDelta(i);
      if (endsReachability(ins.get(i).opcode()) || delta == UNKNOWN) {
        return null;
      }
      height += delta;
    }
    if (height != 1 || leaves(blocks[0] + 1, table)) {
      return null;
    }
    int outerLabels = labelArities.size();
    for (long label : ins.get(table).operands()) {
      if (label > n && (label - n - 1 >= outerLabels || labelArity((int) (label - n - 1)) != 0)) {
        return null;
      }
    }
    // the cases, in groups of at most MAX_PIECE_BYTES of code and MAX_PARAM_SLOTS parameters
    Chain probe = new Chain(blocks, table, null, null, null);
    List<Integer> starts = new ArrayList<>();
    List<Uses> uses = new ArrayList<>();
    List<GroupExits> exits = new ArrayList<>();
    int k = 0;
    while (k < n) {
      int first = k;
      int bytes = 0;
      while (k < n) {
        int size = size(probe.caseFrom(match, k), probe.caseTo(match, k));
        if (size > MAX_PIECE_BYTES) {
          return null; // a case too big for a group of its own: not split as a chain
        }
        if (k > first
            && (bytes + size > MAX_PIECE_BYTES
                || slots(groupUses(probe, first, k + 1)) > MAX_PARAM_SLOTS)) {
          break;
        }
        bytes += size;
        k++;
      }
      if (slots(groupUses(probe, first, k)) > MAX_PARAM_SLOTS) {
        return null;
      }
      GroupExits e = groupExits(probe, first, k);
      if (e == null) {
        return null;
      }
      starts.add(first);
      uses.add(groupUses(probe, first, k));
      exits.add(e);
    }
    starts.add(n);
    return new Chain(
        blocks, table, starts.stream().mapToInt(Integer::intValue).toArray(), uses, exits);
  }

  private boolean isVoidBlock(int at) {
    return ins.get(at).opcode() == OpCode.BLOCK && (code[start(at) + 1] & 0xff) == 0x40;
  }

  /** Whether instructions branch or return out of themselves. */
  private boolean leaves(int from, int to) {
    int depth = 0;
    for (int i = from; i < to; i++) {
      Ins in = ins.get(i);
      OpCode op = in.opcode();
      if (isOpener(op)) {
        depth++;
      } else if (op == OpCode.END) {
        depth--;
      } else if ((op == OpCode.BR || op == OpCode.BR_IF) && in.operand(0) >= depth) {
        return true;
      } else if (op == OpCode.BR_TABLE) {
        for (long label : in.operands()) {
          if (label >= depth) {
            return true;
          }
        }
      } else if (endsReachability(op) && op != OpCode.UNREACHABLE && op != OpCode.BR) {
        return true; // a return, a tail call or a throw
      }
    }
    return false;
  }

  /** The locals cases {@code from} to {@code to} (exclusive) of a chain use and write. */
  private Uses groupUses(Chain chain, int from, int to) {
    TreeSet<Integer> used = new TreeSet<>();
    TreeSet<Integer> written = new TreeSet<>();
    for (int k = from; k < to; k++) {
      Uses u = uses(chain.caseFrom(match, k), chain.caseTo(match, k));
      used.addAll(u.used());
      written.addAll(u.written());
    }
    return new Uses(new ArrayList<>(used), new ArrayList<>(written));
  }

  /** JVM parameter slots of a group's function: the instance, the memory, the case, the locals. */
  private int slots(Uses uses) {
    int slots = 3;
    for (int index : uses.used()) {
      slots += slotsOf(localTypes.get(index));
    }
    return slots;
  }

  /**
   * Where a branch from case {@code k} of a chain, {@code t} labels out from the case's own level,
   * goes: {@code 0..n} a case, {@code n + 1 + o} the label {@code o} around the chain.
   */
  private static int target(int k, long t) {
    return (int) (k + 1 + t);
  }

  /** How cases {@code from} to {@code to} leave the group they form; null if they cannot move. */
  private GroupExits groupExits(Chain chain, int from, int to) {
    int n = chain.n();
    int function = labelArities.size() - 1;
    boolean toCases = false;
    boolean returns = false;
    TreeSet<Integer> outer = new TreeSet<>();
    for (int k = from; k < to; k++) {
      int depth = 0;
      for (int i = chain.caseFrom(match, k); i < chain.caseTo(match, k); i++) {
        Ins in = ins.get(i);
        OpCode op = in.opcode();
        if (isOpener(op)) {
          depth++;
        } else if (op == OpCode.END) {
          depth--;
        } else if (op == OpCode.BR || op == OpCode.BR_IF) {
          if (in.operand(0) < depth) {
            continue;
          }
          int m = target(k, in.operand(0) - depth);
          if (m < to) {
            continue; // a case of the group: the branch stays as it is
          }
          if (m <= n) {
            toCases = true;
            continue;
          }
          int o = m - n - 1;
          if (labelArity(o) == 0) {
            outer.add(o);
          } else if (op == OpCode.BR && o == function) {
            returns = true;
          } else {
            return null;
          }
        } else if (op == OpCode.BR_TABLE) {
          for (long label : in.operands()) {
            if (label >= depth && target(k, label - depth) >= to) {
              return null; // a table out of the group: left to the statement splitting
            }
          }
        } else if (op == OpCode.RETURN) {
          returns = true;
        } else if (op == OpCode.RETURN_CALL
            || op == OpCode.RETURN_CALL_INDIRECT
            || op == OpCode.RETURN_CALL_REF
            || op == OpCode.BR_ON_NULL
            || op == OpCode.BR_ON_NON_NULL
            || op == OpCode.BR_ON_CAST
            || op == OpCode.BR_ON_CAST_FAIL) {
          return null;
        }
      }
    }
    return new GroupExits(toCases, outer, returns);
  }

  /** Adds a new function and returns its index. */
  private int addFunction(List<ValType> params, List<ValType> returns, byte[] body) {
    int index = importedFunctions + module.functionSection().functionCount() + newBodies.size();
    newFunctionTypes.add(typeIndex(params, returns));
    newBodies.add(body);
    return index;
  }

  /**
   * Emits a dispatch chain split in place of its outermost block. The chain's prefix stays and
   * computes the table's index; a lookup function maps it to the case the table would branch to (or
   * a label around the chain), kept in a local; then
   *
   * <pre>
   * block $after            ;; branching here runs what follows the chain (case n)
   *   loop $dispatch
   *     block $G(m-1) … block $G0
   *       ;; case n: br $after; a label around the chain: br to it;
   *       ;; else br to the block of the group holding the case
   *     end  call group 0 (case, locals) … take its exit; case = first case of group 1
   *     end  call group 1 …
   *     …
   *   end
   * end
   * </pre>
   *
   * A group's function opens a block per case, enters at its case by a {@code br_table}, and leaves
   * with an exit code as a moved statement run does (see {@link #outline}): 0 when it falls
   * through; {@code 1 + m - end} to go to a later case {@code m} (the call site sets the case and
   * loops to the dispatch); above those, a label around the chain, then a return.
   */
  private void emitChain(ByteArrayOutputStream out, Chain chain) {
    exitLocalsUsed = true;
    caseLocalUsed = true;
    int caseLocal = exitCodeLocal() + 1 + results.size();
    int n = chain.n();
    int groups = chain.groups().length - 1;
    long[] labels = ins.get(chain.table()).operands();
    // the prefix, then the case
    copy(out, chain.blocks()[0] + 1, chain.table());
    out.write(OpCode.CALL.opcode());
    writeU32(out, lookupFunction(labels));
    localOp(out, OpCode.LOCAL_SET, caseLocal);
    out.write(OpCode.BLOCK.opcode());
    out.write(0x40);
    out.write(OpCode.LOOP.opcode());
    out.write(0x40);
    for (int g = 0; g < groups; g++) {
      out.write(OpCode.BLOCK.opcode());
      out.write(0x40);
    }
    // the dispatch, inside $G0: $Gg is label g, $dispatch groups, $after groups + 1
    localOp(out, OpCode.LOCAL_GET, caseLocal);
    constI32(out, n);
    out.write(OpCode.I32_EQ.opcode());
    out.write(OpCode.BR_IF.opcode());
    writeU32(out, groups + 1);
    TreeSet<Integer> around = new TreeSet<>();
    for (long label : labels) {
      if (label > n) {
        around.add((int) (label - n - 1));
      }
    }
    for (int o : around) {
      localOp(out, OpCode.LOCAL_GET, caseLocal);
      constI32(out, n + 1 + o);
      out.write(OpCode.I32_EQ.opcode());
      out.write(OpCode.BR_IF.opcode());
      writeU32(out, groups + 2 + o);
    }
    for (int g = groups - 1; g > 0; g--) {
      localOp(out, OpCode.LOCAL_GET, caseLocal);
      constI32(out, chain.groups()[g]);
      out.write(OpCode.I32_GE_U.opcode());
      out.write(OpCode.BR_IF.opcode());
      writeU32(out, g);
    }
    for (int g = 0; g < groups; g++) {
      out.write(OpCode.END.opcode());
      emitGroupCall(out, chain, g, caseLocal);
    }
    out.write(OpCode.END.opcode()); // $dispatch
    out.write(OpCode.END.opcode()); // $after
  }

  /** Emits the call of a chain's group, after its block's end, and takes the group's exit. */
  private void emitGroupCall(ByteArrayOutputStream out, Chain chain, int g, int caseLocal) {
    int groups = chain.groups().length - 1;
    int end = chain.groups()[g + 1];
    int n = chain.n();
    Uses uses = chain.uses().get(g);
    GroupExits exits = chain.exits().get(g);
    int open = groups - 1 - g; // group blocks still open around the call: $dispatch is label open
    localOp(out, OpCode.LOCAL_GET, caseLocal);
    for (int index : uses.used()) {
      localOp(out, OpCode.LOCAL_GET, index);
    }
    out.write(OpCode.CALL.opcode());
    writeU32(out, groupFunction(chain, g));
    int code = exitCodeLocal();
    localOp(out, OpCode.LOCAL_SET, code);
    if (exits.returns()) {
      for (int k = results.size() - 1; k >= 0; k--) {
        localOp(out, OpCode.LOCAL_SET, code + 1 + k);
      }
    }
    for (int k = uses.written().size() - 1; k >= 0; k--) {
      localOp(out, OpCode.LOCAL_SET, uses.written().get(k));
    }
    if (exits.toCases() || !exits.outer().isEmpty() || exits.returns()) {
      localOp(out, OpCode.LOCAL_GET, code);
      out.write(OpCode.IF.opcode());
      out.write(0x40);
      if (exits.toCases()) { // codes 1 .. n - end + 1: case end + code - 1
        localOp(out, OpCode.LOCAL_GET, code);
        constI32(out, n - end + 2);
        out.write(OpCode.I32_LT_U.opcode());
        out.write(OpCode.IF.opcode());
        out.write(0x40);
        localOp(out, OpCode.LOCAL_GET, code);
        constI32(out, end - 1);
        out.write(OpCode.I32_ADD.opcode());
        localOp(out, OpCode.LOCAL_SET, caseLocal);
        out.write(OpCode.BR.opcode());
        writeU32(out, open + 2);
        out.write(OpCode.END.opcode());
      }
      for (int o : exits.outer()) {
        localOp(out, OpCode.LOCAL_GET, code);
        constI32(out, n - end + 2 + o);
        out.write(OpCode.I32_EQ.opcode());
        out.write(OpCode.BR_IF.opcode());
        writeU32(out, open + 3 + o); // past the if, $dispatch and $after
      }
      if (exits.returns()) {
        for (int k = 0; k < results.size(); k++) {
          localOp(out, OpCode.LOCAL_GET, code + 1 + k);
        }
        out.write(OpCode.RETURN.opcode());
      } else {
        out.write(OpCode.UNREACHABLE.opcode());
      }
      out.write(OpCode.END.opcode());
    }
    if (g + 1 < groups) {
      constI32(out, end); // fell through into the next group's first case
      localOp(out, OpCode.LOCAL_SET, caseLocal);
    }
  }

  /** Adds the function of a chain's group: (case, used locals) → (written, [results], exit). */
  private int groupFunction(Chain chain, int g) {
    int first = chain.groups()[g];
    int end = chain.groups()[g + 1];
    int n = chain.n();
    Uses uses = chain.uses().get(g);
    GroupExits exits = chain.exits().get(g);
    int[] renumber = new int[localTypes.size()];
    for (int k = 0; k < uses.used().size(); k++) {
      renumber[uses.used().get(k)] = 1 + k;
    }
    int resultBase = 1 + uses.used().size();
    int codeLocal = resultBase + (exits.returns() ? results.size() : 0);
    int returnCode = n - end + 2 + labelArities.size();
    int function = labelArities.size() - 1;
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    openExitBlock(b, exits.returns());
    int cases = end - first;
    for (int k = 0; k < cases; k++) {
      b.write(OpCode.BLOCK.opcode());
      b.write(0x40);
    }
    localOp(b, OpCode.LOCAL_GET, 0);
    constI32(b, first);
    b.write(OpCode.I32_SUB.opcode());
    b.write(OpCode.BR_TABLE.opcode());
    writeU32(b, cases);
    for (int k = 0; k < cases; k++) {
      writeU32(b, k);
    }
    writeU32(b, 0);
    for (int k = first; k < end; k++) {
      b.write(OpCode.END.opcode());
      int out = end - 1 - k; // blocks between the case's level and the exit block
      int from = chain.caseFrom(match, k);
      int to = chain.caseTo(match, k);
      int copied = from;
      int depth = 0;
      for (int i = from; i < to; i++) {
        Ins in = ins.get(i);
        OpCode op = in.opcode();
        boolean rewrite;
        if (isOpener(op)) {
          depth++;
          rewrite = false;
        } else if (op == OpCode.END) {
          depth--;
          rewrite = false;
        } else if (op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
          rewrite = true;
        } else if (op == OpCode.RETURN) {
          rewrite = true;
        } else if (op == OpCode.BR || op == OpCode.BR_IF) {
          rewrite = in.operand(0) >= depth && target(k, in.operand(0) - depth) >= end;
        } else {
          rewrite = false;
        }
        if (!rewrite) {
          continue;
        }
        if (i > copied) {
          b.write(code, start(copied), size(copied, i));
        }
        copied = i + 1;
        if (op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
          localOp(b, op, renumber[(int) in.operand(0)]);
          continue;
        }
        int toExit = depth + out;
        int m = op == OpCode.RETURN ? -1 : target(k, in.operand(0) - depth);
        if (m < 0 || (m > n && m - n - 1 == function && labelArity(function) != 0)) {
          returnExit(b, resultBase, returnCode, toExit);
        } else {
          exitBranch(b, op, m <= n ? 1 + m - end : n - end + 2 + (m - n - 1), toExit);
        }
      }
      if (to > copied) {
        b.write(code, start(copied), size(copied, to));
      }
    }
    closeBody(b, codeLocal, uses, renumber, exits.returns(), resultBase); // after the last case
    List<ValType> params = new ArrayList<>();
    params.add(ValType.I32);
    for (int index : uses.used()) {
      params.add(localTypes.get(index));
    }
    List<ValType> returns = new ArrayList<>();
    for (int index : uses.written()) {
      returns.add(localTypes.get(index));
    }
    if (exits.returns()) {
      returns.addAll(results);
    }
    returns.add(ValType.I32);
    return addFunction(params, returns, b.toByteArray());
  }

  /**
   * Adds the function mapping a chain table's index to the label the table branches to, (i32) →
   * i32, as pieces of at most {@link #LOOKUP_CHUNK} entries each, and returns its index.
   */
  private int lookupFunction(long[] labels) {
    int entries = labels.length - 1;
    long fallback = labels[entries];
    int chunks = Math.max(1, (entries + LOOKUP_CHUNK - 1) / LOOKUP_CHUNK);
    int[] pieces = new int[chunks];
    for (int q = 0; q < chunks; q++) {
      pieces[q] = lookupPiece(labels, q * LOOKUP_CHUNK, Math.min(entries, (q + 1) * LOOKUP_CHUNK));
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    writeU32(b, 0);
    localOp(b, OpCode.LOCAL_GET, 0);
    constI32(b, entries);
    b.write(OpCode.I32_GE_U.opcode());
    b.write(OpCode.IF.opcode());
    b.write(0x40);
    constI32(b, (int) fallback);
    b.write(OpCode.RETURN.opcode());
    b.write(OpCode.END.opcode());
    // the index's chunk: j >> log2(LOOKUP_CHUNK)
    int[] byChunk = new int[chunks];
    for (int q = 0; q < chunks; q++) {
      byChunk[q] = q;
    }
    cases(
        b,
        byChunk,
        () -> {
          localOp(b, OpCode.LOCAL_GET, 0);
          constI32(b, Integer.numberOfTrailingZeros(LOOKUP_CHUNK));
          b.write(OpCode.I32_SHR_U.opcode());
        },
        q -> {
          localOp(b, OpCode.LOCAL_GET, 0);
          b.write(OpCode.CALL.opcode());
          writeU32(b, pieces[q]);
        });
    b.write(OpCode.END.opcode());
    return addFunction(List.of(ValType.I32), List.of(ValType.I32), b.toByteArray());
  }

  /** Adds the lookup of the table entries {@code from} to {@code to} (exclusive), (i32) → i32. */
  private int lookupPiece(long[] labels, int from, int to) {
    List<Long> values = new ArrayList<>();
    int[] index = new int[to - from];
    for (int j = from; j < to; j++) {
      int at = values.indexOf(labels[j]);
      if (at < 0) {
        at = values.size();
        values.add(labels[j]);
      }
      index[j - from] = at;
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    writeU32(b, 0);
    cases(
        b,
        index,
        () -> {
          localOp(b, OpCode.LOCAL_GET, 0);
          constI32(b, from);
          b.write(OpCode.I32_SUB.opcode());
        },
        v -> constI32(b, values.get(v).intValue()));
    b.write(OpCode.END.opcode());
    return addFunction(List.of(ValType.I32), List.of(ValType.I32), b.toByteArray());
  }

  /**
   * Emits a switch that returns: one block per case, a {@code br_table} from the index the {@code
   * index} code leaves to case {@code table[i]}, and after each block's end the code that leaves
   * that case's i32 result, then {@code return}.
   */
  private static void cases(
      ByteArrayOutputStream b, int[] table, Runnable index, java.util.function.IntConsumer result) {
    int count = 0;
    for (int t : table) {
      count = Math.max(count, t + 1);
    }
    for (int c = 0; c < count; c++) {
      b.write(OpCode.BLOCK.opcode());
      b.write(0x40);
    }
    index.run();
    b.write(OpCode.BR_TABLE.opcode());
    writeU32(b, table.length);
    for (int t : table) {
      writeU32(b, t);
    }
    writeU32(b, 0); // the index is always in the table
    for (int c = 0; c < count; c++) {
      b.write(OpCode.END.opcode());
      result.accept(c);
      b.write(OpCode.RETURN.opcode());
    }
  }

  // ---- LEB128 ---------------------------------------------------------------------------------

  private long readU32(int[] pos) {
    return readU32(bytes, pos);
  }

  private static long readU32(byte[] bytes, int[] pos) {
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
