package io.proxywasm.chicory.split;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Splits wasm functions too big for HotSpot's JIT into smaller ones, at the wasm level, so that a
 * wasm-to-bytecode translator (Chicory's compiler, or runtime {@code asm}'s) translates each piece
 * to a JVM method the JIT compiles without {@code -XX:-DontCompileHugeMethods}. The entry point of
 * the splitter: the caller chooses the functions by its own measure of size; this class runs the
 * rounds of splitting each one and has the result validated; the work is done by
 *
 * <ul>
 *   <li>{@link FunctionBody}, which decodes a function body, and {@link StackHeights}, which finds
 *       where its statements start and end (where a block's operand stack is empty);
 *   <li>{@link StatementOutliner}, which moves runs of whole statements into new functions, and
 *       {@link ChainSplitter}, which splits the dispatch chains Go's compiler writes, both through
 *       {@link Runs} (what a run uses and how it leaves) and {@link Pieces} (the new function and
 *       its call site);
 *   <li>{@link NewFunctions}, which collects the new functions and their types, and {@link
 *       ModuleEncoder}, which writes the module again with them.
 * </ul>
 *
 * <p>The result is a module with the same imports, exports and function indices plus the new
 * functions. Every moved run is checked again by Chicory's validator when the result is parsed
 * ({@link #splitChecked}): a function whose split does not validate is kept whole.
 */
public final class FunctionSplitter {
  /** The most wasm code bytes moved into one new function. */
  public static final int MAX_PIECE_BYTES = 1500;

  /**
   * The most rounds of splitting one function: each one moves what the last one left small (Go's
   * unicode.init, 55 KB of wasm in about 950 nested blocks, takes some 40).
   */
  private static final int MAX_ROUNDS = 200;

  private final byte[] bytes;
  private final WasmModule module;

  /** The functions added so far, for all the functions split. */
  private final NewFunctions functions;

  private FunctionSplitter(byte[] bytes, WasmModule module) {
    this.bytes = bytes;
    this.module = module;
    this.functions = new NewFunctions(module);
  }

  /**
   * What splitting did.
   *
   * @param module the new module's bytes
   * @param functionsSplit how many functions were split
   * @param piecesAdded how many new functions were added
   */
  public record Result(byte[] module, int functionsSplit, int piecesAdded) {}

  /**
   * Splits the given functions of a module; imported functions among them are ignored.
   *
   * @param bytes the module's bytes
   * @param module the module, parsed from {@code bytes}
   * @param functions indexes of the functions to split, imports counted (as Chicory's {@code
   *     func_N} methods count them)
   * @return the new module's bytes, or empty if nothing could be split
   */
  public static Optional<Result> split(byte[] bytes, WasmModule module, Set<Integer> functions) {
    FunctionSplitter splitter = new FunctionSplitter(bytes, module);
    int imported = splitter.functions.importedFunctions();
    Set<Integer> defined = new TreeSet<>();
    for (int f : functions) {
      if (f >= imported) {
        defined.add(f - imported);
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
  public static final int LIKELY_HUGE_BYTES = 3500;

  /**
   * The defined functions whose wasm code is over {@link #LIKELY_HUGE_BYTES}, imports counted.
   *
   * @param module the module
   * @return the functions' indexes
   */
  public static Set<Integer> likelyHuge(WasmModule module) {
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

  /**
   * A split module that Chicory's validator accepted, parsed.
   *
   * @param result what splitting did
   * @param module the new module, parsed from {@code result.module()}
   */
  public record Checked(Result result, WasmModule module) {}

  /**
   * Splits the given functions and has Chicory's validator check the result. Should the split of
   * some function not validate, the functions at fault are found by halving the set and kept whole,
   * and the others are still split: one hard function never costs the module its splitting.
   *
   * @param bytes the module's bytes
   * @param module the module, parsed from {@code bytes}
   * @param functions indexes of the functions to split, imports counted; the caller chooses them by
   *     its own measure of size (the methods its translation made too big, say)
   * @return the split module, parsed, or empty if no function could be split
   */
  public static Optional<Checked> splitChecked(
      byte[] bytes, WasmModule module, Set<Integer> functions) {
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
   *
   * @param candidates the candidates
   * @param valid whether a subset is valid
   * @return the valid candidates found
   */
  public static Set<Integer> keepValid(
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

  // ---- the module and its functions ----------------------------------------------------------

  private Optional<Result> run(Set<Integer> targets) {
    ModuleEncoder encoder = new ModuleEncoder(bytes);
    if (!encoder.hasCode()) {
      return Optional.empty();
    }
    List<byte[]> bodies = encoder.bodies();
    int split = 0;
    for (int i = 0; i < bodies.size(); i++) {
      byte[] replaced = targets.contains(i) ? splitBody(i, bodies.get(i)) : null;
      if (replaced != null) {
        split++;
        bodies.set(i, replaced);
      }
    }
    if (functions.count() == 0) {
      return Optional.empty();
    }
    return Optional.of(new Result(encoder.encode(bodies, functions), split, functions.count()));
  }

  /**
   * Returns the new body of a defined function, or null to keep it. Splitting goes in rounds over
   * the function's own new code: once the deepest constructs of a function have moved out, the
   * constructs around them are small enough to move in turn (the nested dispatch blocks Go's
   * compiler writes need several rounds).
   */
  private byte[] splitBody(int defined, byte[] body) {
    FunctionType type =
        module.typeSection().getType(module.functionSection().getFunctionType(defined));
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
  private byte[] splitOnce(FunctionType type, byte[] code) {
    FunctionBody body = FunctionBody.decode(code, type.params());
    if (body == null) {
      return null;
    }
    StackHeights heights = new StackHeights(body, functions);
    if (!heights.modelsAll()) {
      return null; // an instruction whose stack effect is not known here: left whole
    }
    int piecesBefore = functions.count();
    Runs runs = new Runs(body, type.returns().size());
    Pieces pieces = new Pieces(body, runs, functions, type.returns());
    ByteArrayOutputStream emitted = new ByteArrayOutputStream(code.length);
    new StatementOutliner(body, heights, runs, pieces).emitFunction(emitted);
    if (functions.count() == piecesBefore) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(emitted.size() + 16);
    body.writeLocals(out, pieces.addedLocals());
    out.writeBytes(emitted.toByteArray());
    return out.toByteArray();
  }
}
