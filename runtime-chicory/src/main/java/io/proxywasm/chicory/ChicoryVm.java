package io.proxywasm.chicory;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportTable;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ImportSection;
import com.dylibso.chicory.wasm.types.MemoryImport;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableImport;
import com.dylibso.chicory.wasm.types.ValType;
import com.dylibso.chicory.wasm.types.Value;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FunctionExport;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.LinearMemory;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.support.AbstractWasmVm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * A {@link WasmVm} on Chicory: its interpreter, or its compiler, which translates the module to JVM
 * bytecode once at {@link #load} (clones share the generated classes).
 *
 * <p>Every failure of Chicory (its exceptions, and errors such as {@link StackOverflowError}) is
 * turned into a {@link WasmException} or {@link MemoryAccessException}; none escapes. Clones share
 * the parsed, validated module and nothing else.
 */
final class ChicoryVm extends AbstractWasmVm implements LinearMemory {
  private static final long[] NONE = new long[0];

  /** The longest read into a caller's array done byte by byte instead of through a copy. */
  private static final int SMALL_READ = 64;

  /** A parsed and validated module with what the host asks about it; immutable. */
  record Code(
      WasmModule module,
      List<FunctionImport> functionImports,
      Map<String, com.dylibso.chicory.wasm.types.FunctionType> functionExports,
      Optional<AbiVersion> abiVersion,
      CodeSource.Translation translation) {
    Function<Instance, Machine> machineFactory() {
      return translation.machineFactory();
    }

    /** The module to instantiate: the parsed one, or its huge functions split. */
    WasmModule instantiated() {
      return translation.module() != null ? translation.module() : module;
    }
  }

  private final String runtimeName;
  private final CodeSource source;
  private Code code;

  /** Set by {@link #link}, or earlier by a host function the start section calls. */
  private Instance instance;

  private boolean linked;
  private final Optional<LinearMemory> view = Optional.of(this);

  /** Set by {@link #terminate()} for the interpreter, which reads it before every instruction. */
  private volatile boolean terminateRequested;

  ChicoryVm(WasmVmIntegration integration) {
    this(ChicoryInterpreterProvider.NAME, CodeSource.INTERPRETER, integration, null);
  }

  ChicoryVm(String runtimeName, CodeSource source, WasmVmIntegration integration) {
    this(runtimeName, source, integration, null);
  }

  private ChicoryVm(
      String runtimeName, CodeSource source, WasmVmIntegration integration, Code code) {
    super(integration);
    this.runtimeName = runtimeName;
    this.source = source;
    this.code = code;
  }

  @Override
  public String runtimeName() {
    return runtimeName;
  }

  @Override
  public Cloneability cloneability() {
    return Cloneability.COMPILED_BYTECODE;
  }

  @Override
  public void load(byte[] bytes) {
    Objects.requireNonNull(bytes, "code");
    checkOpen();
    if (code != null) {
      throw new IllegalStateException("a module is already loaded");
    }
    checkMagic(bytes);
    try {
      code = source.load(bytes, hash -> inspect(hash, bytes, Parser.parse(bytes), source));
    } catch (WasmException e) {
      throw e;
    } catch (RuntimeException | Error e) {
      throw initError("Failed to load Wasm bytecode: " + reason(e), e);
    }
  }

  private static Code inspect(String hash, byte[] bytes, WasmModule module, CodeSource source) {
    List<FunctionImport> imports = new ArrayList<>();
    List<com.dylibso.chicory.wasm.types.FunctionType> importTypes = new ArrayList<>();
    ImportSection importSection = module.importSection();
    for (int i = 0; i < importSection.importCount(); i++) {
      if (importSection.getImport(i)
          instanceof com.dylibso.chicory.wasm.types.FunctionImport function) {
        var type = module.typeSection().getType(function.typeIndex());
        String qualified = function.module() + "." + function.name();
        FunctionType spiType =
            toSpi(type)
                .orElseThrow(
                    () ->
                        initError(
                            "Failed to load Wasm bytecode: the import "
                                + qualified
                                + " has a signature no host function can have: "
                                + describe(type),
                            null));
        importTypes.add(type);
        imports.add(new FunctionImport(function.module(), function.name(), spiType));
      }
    }
    Map<String, com.dylibso.chicory.wasm.types.FunctionType> exports = new LinkedHashMap<>();
    ExportSection exportSection = module.exportSection();
    for (int i = 0; i < exportSection.exportCount(); i++) {
      Export export = exportSection.getExport(i);
      if (export.exportType() == ExternalType.FUNCTION) {
        int index = export.index();
        exports.put(
            export.name(),
            index < importTypes.size()
                ? importTypes.get(index)
                : module
                    .typeSection()
                    .getType(module.functionSection().getFunctionType(index - importTypes.size())));
      }
    }
    return new Code(
        module,
        List.copyOf(imports),
        Collections.unmodifiableMap(exports),
        AbiVersion.detect(exports.keySet()),
        source.translation(hash, bytes, module));
  }

  /**
   * Returns the generated methods HotSpot will not JIT-compile by default, as {@code Class.method
   * (N bytes)}; empty for the interpreter and for modules compiled at build time.
   */
  List<String> hugeMethods() {
    return loaded().translation().hugeMethods().stream().map(Object::toString).toList();
  }

  @Override
  public Optional<AbiVersion> abiVersion() {
    return loaded().abiVersion();
  }

  @Override
  public List<FunctionImport> functionImports() {
    return loaded().functionImports();
  }

  @Override
  public List<FunctionExport> functionExports() {
    List<FunctionExport> out = new ArrayList<>();
    loaded()
        .functionExports()
        .forEach((name, type) -> toSpi(type).ifPresent(t -> out.add(new FunctionExport(name, t))));
    return out;
  }

  @Override
  public void link(String debugName) {
    Code loaded = loaded();
    if (linked) {
      throw new IllegalStateException("the module is already linked");
    }
    ImportValues imports;
    try {
      imports = resolveImports(loaded);
    } catch (WasmException e) {
      throw e;
    } catch (RuntimeException | Error e) {
      throw initError("Failed to load Wasm module " + debugName + ": " + reason(e), e);
    }
    try {
      Instance.Builder builder =
          Instance.builder(loaded.instantiated())
              .withImportValues(imports)
              .withStart(false)
              // Chicory's default since 1.7, ByteBufferMemory, is paged: a C plugin's exchange
              // costs twice what it does on byte-array pages (docs/performance.md)
              .withMemoryFactory(ChicoryVm::newMemory);
      Optional<MemoryLimits> declared =
          loaded
              .module()
              .memorySection()
              .filter(s -> s.memoryCount() > 0)
              .map(s -> s.getMemory(0).limits());
      if (declared.isPresent()) {
        builder.withMemoryLimits(capped(declared.get(), debugName));
      }
      if (loaded.machineFactory() != null) {
        builder.withMachineFactory(loaded.machineFactory());
      } else {
        // The interpreter checks for interruption only on calls: check before every
        // instruction too, so that terminate() stops a loop without calls.
        builder.withUnsafeExecutionListener(
            (instruction, stack) -> {
              if (terminateRequested) {
                throw new ChicoryInterruptedException("execution terminated");
              }
            });
      }
      instance = builder.build();
      linked = true;
    } catch (RuntimeException | Error e) {
      instance = null;
      throw initError("Failed to instantiate Wasm module " + debugName + ": " + reason(e), e);
    }
  }

  /**
   * Makes a linear memory: Chicory's byte-array pages, or one contiguous array when the system
   * property {@value FlatMemory#PROPERTY} is {@code flat}.
   */
  private static Memory newMemory(MemoryLimits limits) {
    return FlatMemory.SELECTED ? new FlatMemory(limits) : new ByteArrayMemory(limits);
  }

  /**
   * Caps a memory's maximum at the integration's memory limit.
   *
   * @throws WasmException if the memory's initial size is already over the limit
   */
  private MemoryLimits capped(MemoryLimits declared, String what) {
    int max =
        maximumPages(
            declared.initialPages(), declared.maximumPages(), MemoryLimits.MAX_PAGES, what);
    return new MemoryLimits(declared.initialPages(), max, declared.shared());
  }

  /** Matches every import of the module with a host function, or a new memory or table. */
  private ImportValues resolveImports(Code loaded) {
    ImportValues.Builder values = ImportValues.builder();
    ImportSection section = loaded.module().importSection();
    int functionIndex = 0;
    for (int i = 0; i < section.importCount(); i++) {
      Import wanted = section.getImport(i);
      String qualified = wanted.module() + "." + wanted.name();
      switch (wanted.importType()) {
        case FUNCTION -> {
          FunctionType type = loaded.functionImports().get(functionIndex++).type();
          HostFunction host = hostFunction(wanted.module(), wanted.name(), type);
          values.addFunction(
              new com.dylibso.chicory.runtime.HostFunction(
                  wanted.module(), wanted.name(), toChicory(type), adapt(qualified, host)));
        }
        case MEMORY ->
            values.addMemory(
                new ImportMemory(
                    wanted.module(),
                    wanted.name(),
                    newMemory(capped(((MemoryImport) wanted).limits(), qualified))));
        case TABLE -> {
          TableImport table = (TableImport) wanted;
          values.addTable(
              new ImportTable(
                  wanted.module(),
                  wanted.name(),
                  new TableInstance(
                      new Table(table.entryType(), table.limits()), Value.REF_NULL_VALUE)));
        }
        default -> throw unsupportedImport(qualified, wanted.importType().name());
      }
    }
    return values.build();
  }

  /** Runs a host function for Chicory, checking its results and tracing the call. */
  private WasmFunctionHandle adapt(String qualified, HostFunction host) {
    List<ValueType> params = host.type().params();
    List<ValueType> results = host.type().results();
    HostFunction.Body body = host.body();
    return (calledBy, args) -> {
      if (instance == null) {
        instance = calledBy; // the start section runs before the builder returns the instance
      }
      boolean trace = tracing();
      if (trace) {
        integration().trace("[vm->host] " + qualified + "(" + format(params, args) + ")");
      }
      long[] out = body.call(args);
      int count = out == null ? 0 : out.length;
      if (count != results.size()) {
        throw new IllegalStateException(
            "host function "
                + qualified
                + " returned "
                + count
                + " values for "
                + results.size()
                + " results");
      }
      if (trace) {
        integration().trace("[vm<-host] " + qualified + " return: " + formatReturn(results, out));
      }
      return out;
    };
  }

  @Override
  public Optional<WasmFunction> function(String name, FunctionType type) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Instance linkedInstance = linkedInstance();
    var actual = code.functionExports().get(name);
    if (actual == null) {
      return Optional.empty();
    }
    if (toSpi(actual).filter(type::equals).isEmpty()) {
      throw badSignature(name, type, "the module", describe(actual));
    }
    ExportFunction export = linkedInstance.export(name);
    return Optional.of(args -> call(name, type, export, args == null ? NONE : args));
  }

  private long[] call(String name, FunctionType type, ExportFunction export, long[] args) {
    checkCallable(name, type.params().size(), args);
    boolean trace = tracing();
    if (trace) {
      traceCall(name, type.params(), args);
    }
    long[] results;
    enter();
    try {
      results = export.apply(args);
    } catch (RuntimeException | Error e) {
      throw callFailed(name, reason(e), e);
    } finally {
      exit();
    }
    if (results == null) {
      results = NONE;
    }
    if (trace) {
      traceReturn(name, type.results(), results);
    }
    return results;
  }

  @Override
  public Optional<LinearMemory> memory() {
    return view;
  }

  @Override
  public long size() {
    return size(linear());
  }

  @Override
  public void read(long address, byte[] target, int offset, int length) {
    Memory memory = checked(address, length);
    Objects.checkFromIndexSize(offset, length, target.length);
    if (length == 0) {
      return;
    }
    try {
      if (memory instanceof FlatMemory flat) {
        flat.read((int) address, target, offset, length); // straight from its array
        return;
      }
      if (length <= SMALL_READ) {
        // a header name, a key: byte by byte, without the copy Chicory's readBytes makes
        int at = (int) address;
        for (int i = 0; i < length; i++) {
          target[offset + i] = memory.read(at + i);
        }
        return;
      }
      System.arraycopy(memory.readBytes((int) address, length), 0, target, offset, length);
    } catch (RuntimeException e) {
      throw outOfBounds(address, length, memory);
    }
  }

  /** Chicory's read already copies into a new array: no second copy. */
  @Override
  public byte[] read(long address, int length) {
    Memory memory = checked(address, length);
    if (length == 0) {
      return new byte[0];
    }
    try {
      return memory.readBytes((int) address, length);
    } catch (RuntimeException e) {
      throw outOfBounds(address, length, memory);
    }
  }

  @Override
  public void write(long address, byte[] source, int offset, int length) {
    Memory memory = checked(address, length);
    Objects.checkFromIndexSize(offset, length, source.length);
    if (length == 0) {
      return;
    }
    try {
      memory.write((int) address, source, offset, length);
    } catch (RuntimeException e) {
      throw outOfBounds(address, length, memory);
    }
  }

  @Override
  public int readInt(long address) {
    Memory memory = checked(address, Integer.BYTES);
    try {
      return memory.readInt((int) address);
    } catch (RuntimeException e) {
      throw outOfBounds(address, Integer.BYTES, memory);
    }
  }

  @Override
  public void writeInt(long address, int value) {
    Memory memory = checked(address, Integer.BYTES);
    try {
      memory.writeI32((int) address, value);
    } catch (RuntimeException e) {
      throw outOfBounds(address, Integer.BYTES, memory);
    }
  }

  @Override
  public long readLong(long address) {
    Memory memory = checked(address, Long.BYTES);
    try {
      return memory.readLong((int) address);
    } catch (RuntimeException e) {
      throw outOfBounds(address, Long.BYTES, memory);
    }
  }

  @Override
  public void writeLong(long address, long value) {
    Memory memory = checked(address, Long.BYTES);
    try {
      memory.writeLong((int) address, value);
    } catch (RuntimeException e) {
      throw outOfBounds(address, Long.BYTES, memory);
    }
  }

  /** Returns linear memory 0, or null if the module has none. */
  private Memory linear() {
    checkOpen();
    Instance current = instance;
    if (current == null) {
      throw new IllegalStateException("the module is not linked");
    }
    return current.memory();
  }

  /**
   * Returns the memory if {@code [address, address + length)} lies inside it. Memory never exceeds
   * 2 GiB in Chicory, so a checked address fits in an {@code int}.
   */
  private Memory checked(long address, long length) {
    Memory memory = linear();
    MemoryAccessException.checkBounds(address, length, size(memory));
    return memory;
  }

  private static long size(Memory memory) {
    return memory == null ? 0 : (long) memory.pages() * Memory.PAGE_SIZE;
  }

  private static MemoryAccessException outOfBounds(long address, long length, Memory memory) {
    return new MemoryAccessException(address, length, size(memory));
  }

  @Override
  public WasmVm cloneVm() {
    return new ChicoryVm(runtimeName, source, integration(), loaded());
  }

  /**
   * Stops the call in progress ({@link #terminate()}): the interpreter checks a flag before every
   * instruction, and compiled code checks the thread's interrupt flag; the call then fails with a
   * trap.
   */
  @Override
  protected void interrupt(Thread running) {
    terminateRequested = true;
    running.interrupt();
  }

  /**
   * Clears the interrupt once the stopped call has unwound, as it was meant for the wasm call only
   * and must never reach the embedder.
   */
  @Override
  protected void clearInterrupt() {
    Thread.interrupted();
    terminateRequested = false;
  }

  @Override
  protected void release() {
    instance = null;
    code = null;
  }

  private Code loaded() {
    return loaded(code, "module");
  }

  private Instance linkedInstance() {
    loaded();
    if (!linked) {
      throw new IllegalStateException("the module is not linked");
    }
    return instance;
  }

  // Types and values

  private static Optional<FunctionType> toSpi(com.dylibso.chicory.wasm.types.FunctionType type) {
    List<ValueType> params = toSpi(type.params());
    List<ValueType> results = toSpi(type.returns());
    return params == null || results == null
        ? Optional.empty()
        : Optional.of(new FunctionType(params, results));
  }

  /** Returns the types, or null if one has no {@link ValueType}. */
  private static List<ValueType> toSpi(List<ValType> types) {
    List<ValueType> out = new ArrayList<>(types.size());
    for (ValType type : types) {
      switch (type.opcode()) {
        case ValType.ID.I32 -> out.add(ValueType.I32);
        case ValType.ID.I64 -> out.add(ValueType.I64);
        case ValType.ID.F32 -> out.add(ValueType.F32);
        case ValType.ID.F64 -> out.add(ValueType.F64);
        default -> {
          return null;
        }
      }
    }
    return out;
  }

  private static com.dylibso.chicory.wasm.types.FunctionType toChicory(FunctionType type) {
    return com.dylibso.chicory.wasm.types.FunctionType.of(
        toChicory(type.params()), toChicory(type.results()));
  }

  private static List<ValType> toChicory(List<ValueType> types) {
    List<ValType> out = new ArrayList<>(types.size());
    for (ValueType type : types) {
      out.add(
          switch (type) {
            case I32 -> ValType.I32;
            case I64 -> ValType.I64;
            case F32 -> ValType.F32;
            case F64 -> ValType.F64;
          });
    }
    return out;
  }

  /** Describes a module's signature as {@link FunctionType#toString()} does. */
  private static String describe(com.dylibso.chicory.wasm.types.FunctionType type) {
    return toSpi(type)
        .map(FunctionType::toString)
        .orElseGet(() -> describe(type.params()) + " -> " + describe(type.returns()));
  }

  private static String describe(List<ValType> types) {
    StringJoiner joined = new StringJoiner(", ", "(", ")");
    for (ValType type : types) {
      joined.add(name(type));
    }
    return joined.toString();
  }

  private static String name(ValType type) {
    List<ValueType> numeric = toSpi(List.of(type));
    if (numeric != null) {
      return numeric.get(0).toString();
    } else if (type.equals(ValType.FuncRef)) {
      return "funcref";
    } else if (type.equals(ValType.ExternRef)) {
      return "externref";
    }
    return type.toString().toLowerCase(Locale.ROOT);
  }
}
