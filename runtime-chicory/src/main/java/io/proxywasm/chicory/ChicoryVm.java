package io.proxywasm.chicory;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportTable;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryImport;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableImport;
import com.dylibso.chicory.wasm.types.ValType;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link WasmVm} on Chicory. The parsed module, and for the compiler the generated JVM classes,
 * are shared by clones; each clone has its own instance and memory.
 */
final class ChicoryVm implements WasmVm {
  private static final byte[] MAGIC = {0x00, 0x61, 0x73, 0x6d};

  private final String runtimeName;
  private final boolean compile;
  private final WasmVmIntegration integration;
  private final Map<String, HostFunction> hostFunctions = new HashMap<>();
  private final List<Consumer<FailState>> failCallbacks = new CopyOnWriteArrayList<>();
  private WasmModule module;
  private Function<Instance, Machine> machineFactory;
  private Instance instance;
  private Memory memory;
  private volatile FailState failState = FailState.OK;
  private boolean closed;

  ChicoryVm(String runtimeName, boolean compile, WasmVmIntegration integration) {
    this.runtimeName = runtimeName;
    this.compile = compile;
    this.integration = integration;
  }

  private ChicoryVm(ChicoryVm base) {
    this(base.runtimeName, base.compile, base.integration);
    this.module = base.module;
    this.machineFactory = base.machineFactory;
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
  public void load(byte[] code) {
    checkOpen();
    if (code.length < MAGIC.length
        || code[0] != MAGIC[0]
        || code[1] != MAGIC[1]
        || code[2] != MAGIC[2]
        || code[3] != MAGIC[3]) {
      throw new WasmException(
          FailState.UNABLE_TO_INITIALIZE_CODE,
          "Failed to load Wasm bytecode: not a WebAssembly module (bad magic number)");
    }
    try {
      module = Parser.parse(code);
      if (compile) {
        // Translated once here; clones share the generated classes. A function too large for
        // one JVM method runs in the interpreter, with a warning from Chicory.
        machineFactory =
            MachineFactoryCompiler.builder(module)
                .withInterpreterFallback(InterpreterFallback.WARN)
                .compile();
      }
    } catch (RuntimeException | StackOverflowError e) {
      throw new WasmException(
          FailState.UNABLE_TO_INITIALIZE_CODE, "Failed to load Wasm bytecode: " + describe(e), e);
    }
  }

  private WasmModule loaded() {
    checkOpen();
    if (module == null) {
      throw new IllegalStateException("no module loaded");
    }
    return module;
  }

  @Override
  public Optional<AbiVersion> abiVersion() {
    WasmModule m = loaded();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < m.exportSection().exportCount(); i++) {
      Export e = m.exportSection().getExport(i);
      if (e.exportType() == ExternalType.FUNCTION) {
        names.add(e.name());
      }
    }
    return AbiVersion.detect(names);
  }

  @Override
  public List<FunctionImport> functionImports() {
    WasmModule m = loaded();
    List<FunctionImport> out = new ArrayList<>();
    for (int i = 0; i < m.importSection().importCount(); i++) {
      Import imp = m.importSection().getImport(i);
      if (imp instanceof com.dylibso.chicory.wasm.types.FunctionImport) {
        int typeIndex = ((com.dylibso.chicory.wasm.types.FunctionImport) imp).typeIndex();
        out.add(
            new FunctionImport(
                imp.module(), imp.name(), toSpi(m.typeSection().getType(typeIndex))));
      }
    }
    return out;
  }

  @Override
  public void registerHostFunction(HostFunction function) {
    checkOpen();
    hostFunctions.put(function.module() + "." + function.name(), function);
  }

  @Override
  public void link(String debugName) {
    WasmModule m = loaded();
    if (instance != null) {
      throw new IllegalStateException("already linked");
    }
    ImportValues.Builder imports = ImportValues.builder();
    for (int i = 0; i < m.importSection().importCount(); i++) {
      Import imp = m.importSection().getImport(i);
      String qualified = imp.module() + "." + imp.name();
      if (imp instanceof com.dylibso.chicory.wasm.types.FunctionImport) {
        FunctionType want =
            toSpi(
                m.typeSection()
                    .getType(((com.dylibso.chicory.wasm.types.FunctionImport) imp).typeIndex()));
        HostFunction host = hostFunctions.get(qualified);
        if (host == null) {
          throw new WasmException(
              FailState.UNABLE_TO_INITIALIZE_CODE,
              "Failed to load Wasm module due to a missing import: " + qualified);
        }
        if (!host.type().equals(want)) {
          throw new WasmException(
              FailState.UNABLE_TO_INITIALIZE_CODE,
              "Failed to load Wasm module due to an import type mismatch: "
                  + qualified
                  + ", want: "
                  + want
                  + ", but host exports: "
                  + host.type());
        }
        imports.addFunction(bind(host));
      } else if (imp instanceof MemoryImport) {
        imports.addMemory(
            new ImportMemory(
                imp.module(), imp.name(), new ByteBufferMemory(((MemoryImport) imp).limits())));
      } else if (imp instanceof TableImport) {
        TableImport t = (TableImport) imp;
        imports.addTable(
            new ImportTable(
                imp.module(),
                imp.name(),
                new TableInstance(new Table(t.entryType(), t.limits()), -1)));
      } else {
        throw new WasmException(
            FailState.UNABLE_TO_INITIALIZE_CODE,
            "Failed to load Wasm module due to an unsupported import: "
                + qualified
                + " ("
                + imp.importType().name().toLowerCase(java.util.Locale.ROOT)
                + ")");
      }
    }
    try {
      Instance.Builder builder = Instance.builder(m).withImportValues(imports.build());
      if (machineFactory != null) {
        builder.withMachineFactory(machineFactory);
      }
      instance = builder.build();
    } catch (RuntimeException | StackOverflowError e) {
      throw new WasmException(
          FailState.UNABLE_TO_INITIALIZE_CODE,
          "Failed to instantiate Wasm module " + debugName + ": " + describe(e),
          e);
    }
    memory = m.memorySection().isPresent() || hasImportedMemory(m) ? instance.memory() : null;
  }

  private static boolean hasImportedMemory(WasmModule m) {
    return m.importSection().count(ExternalType.MEMORY) > 0;
  }

  private com.dylibso.chicory.runtime.HostFunction bind(HostFunction host) {
    HostFunction.Body body = host.body();
    String name = host.module() + "." + host.name();
    return new com.dylibso.chicory.runtime.HostFunction(
        host.module(),
        host.name(),
        toChicory(host.type()),
        (inst, args) -> {
          if (integration.logLevel() == LogLevel.TRACE) {
            integration.trace("[vm->host] " + name + args(args));
            long[] r = body.call(args);
            integration.trace("[vm<-host] " + name + " return: " + result(r));
            return r;
          }
          return body.call(args);
        });
  }

  @Override
  public Optional<WasmFunction> function(String name, FunctionType type) {
    WasmModule m = loaded();
    if (instance == null) {
      throw new IllegalStateException("not linked");
    }
    Export export = null;
    for (int i = 0; i < m.exportSection().exportCount(); i++) {
      Export e = m.exportSection().getExport(i);
      if (e.exportType() == ExternalType.FUNCTION && e.name().equals(name)) {
        export = e;
        break;
      }
    }
    if (export == null) {
      return Optional.empty();
    }
    FunctionType actual = toSpi(instance.type(instance.functionType(export.index())));
    if (!actual.equals(type)) {
      throw new WasmException(
          FailState.UNABLE_TO_INITIALIZE_CODE,
          "Bad function signature for: "
              + name
              + ", want: "
              + type
              + ", but the module exports: "
              + actual);
    }
    ExportFunction f = instance.export(name);
    return Optional.of(args -> call(name, f, args));
  }

  private long[] call(String name, ExportFunction f, long[] args) {
    checkOpen();
    if (failState != FailState.OK) {
      throw new WasmException(
          FailState.RUNTIME_ERROR, "Function: " + name + " not called: the VM has failed");
    }
    boolean trace = integration.logLevel() == LogLevel.TRACE;
    if (trace) {
      integration.trace("[host->vm] " + name + args(args));
    }
    try {
      long[] r = f.apply(args);
      if (trace) {
        integration.trace("[host<-vm] " + name + " return: " + result(r));
      }
      return r;
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      String message = "Function: " + name + " failed: " + describe(e);
      fail(FailState.RUNTIME_ERROR, message);
      throw new WasmException(FailState.RUNTIME_ERROR, message, e);
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof StackOverflowError) {
      return "call stack exhausted";
    }
    if (e instanceof OutOfMemoryError) {
      return "out of memory";
    }
    String m = e.getMessage();
    return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
  }

  private static String args(long[] args) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < args.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(args[i]);
    }
    return sb.append(')').toString();
  }

  private static String result(long[] r) {
    return r == null || r.length == 0 ? "void" : Long.toString(r[0]);
  }

  // ---- memory ---------------------------------------------------------------------------------

  @Override
  public long memorySize() {
    checkOpen();
    return memory == null ? 0 : (long) memory.pages() * Memory.PAGE_SIZE;
  }

  private int checked(long address, long length) {
    MemoryAccessException.checkBounds(address, length, memorySize());
    return (int) address;
  }

  @Override
  public void read(long address, byte[] target, int offset, int length) {
    int a = checked(address, length);
    if (length > 0) {
      System.arraycopy(memory.readBytes(a, length), 0, target, offset, length);
    }
  }

  @Override
  public byte[] read(long address, int length) {
    int a = checked(address, length);
    return length == 0 ? new byte[0] : memory.readBytes(a, length);
  }

  @Override
  public void write(long address, byte[] source, int offset, int length) {
    int a = checked(address, length);
    if (length > 0) {
      memory.write(a, source, offset, length);
    }
  }

  @Override
  public int readInt(long address) {
    return memory.readInt(checked(address, 4));
  }

  @Override
  public void writeInt(long address, int value) {
    memory.writeI32(checked(address, 4), value);
  }

  @Override
  public long readLong(long address) {
    return memory.readLong(checked(address, 8));
  }

  @Override
  public void writeLong(long address, long value) {
    memory.writeLong(checked(address, 8), value);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  @Override
  public WasmVm cloneVm() {
    loaded();
    return new ChicoryVm(this);
  }

  @Override
  public FailState failState() {
    return failState;
  }

  @Override
  public void fail(FailState state, String message) {
    synchronized (this) {
      if (failState != FailState.OK || state == FailState.OK) {
        return;
      }
      failState = state;
    }
    integration.error(state, message);
    for (Consumer<FailState> c : failCallbacks) {
      c.accept(state);
    }
  }

  @Override
  public void addFailCallback(Consumer<FailState> callback) {
    failCallbacks.add(callback);
  }

  @Override
  public void close() {
    closed = true;
    instance = null;
    memory = null;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("VM is closed");
    }
  }

  // ---- types ----------------------------------------------------------------------------------

  private static final Map<ValueType, ValType> TO_CHICORY = new LinkedHashMap<>();

  static {
    TO_CHICORY.put(ValueType.I32, ValType.I32);
    TO_CHICORY.put(ValueType.I64, ValType.I64);
    TO_CHICORY.put(ValueType.F32, ValType.F32);
    TO_CHICORY.put(ValueType.F64, ValType.F64);
  }

  private static com.dylibso.chicory.wasm.types.FunctionType toChicory(FunctionType t) {
    List<ValType> p = new ArrayList<>();
    t.params().forEach(v -> p.add(TO_CHICORY.get(v)));
    List<ValType> r = new ArrayList<>();
    t.results().forEach(v -> r.add(TO_CHICORY.get(v)));
    return com.dylibso.chicory.wasm.types.FunctionType.of(p, r);
  }

  /** Converts a Chicory type; a type using anything but numbers gets a null slot, never equal. */
  private static FunctionType toSpi(com.dylibso.chicory.wasm.types.FunctionType t) {
    List<ValueType> p = new ArrayList<>();
    for (ValType v : t.params()) {
      p.add(fromChicory(v));
    }
    List<ValueType> r = new ArrayList<>();
    for (ValType v : t.returns()) {
      r.add(fromChicory(v));
    }
    return new FunctionType(p, r);
  }

  private static ValueType fromChicory(ValType v) {
    for (Map.Entry<ValueType, ValType> e : TO_CHICORY.entrySet()) {
      if (e.getValue().equals(v)) {
        return e.getKey();
      }
    }
    throw new WasmException(
        FailState.UNABLE_TO_INITIALIZE_CODE,
        "unsupported value type in a function signature: " + v);
  }
}
