package io.proxywasm.nullvm;

import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FailStateHolder;
import io.proxywasm.spi.FunctionExport;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A VM that runs a {@link JavaPlugin}: it exports the proxy-wasm callbacks of ABI 0.2.1 and turns
 * them into calls on the plugin's contexts, whose host calls go to the host's typed ABI. It has no
 * linear memory. A clone runs the same plugin with its own contexts.
 */
final class NullVm implements WasmVm {
  private static final long[] NO_RESULT = new long[0];

  /** An exported callback: its signature and which dispatcher method runs it. */
  private record Export(FunctionType type, Dispatcher.Body body, boolean returnsStatus) {}

  private static Map<String, Export> exports(Dispatcher d) {
    Map<String, Export> m = new LinkedHashMap<>();
    m.put("proxy_abi_version_0_2_1", new Export(FunctionType.i32(0, 0), a -> 0, false));
    put(m, "proxy_on_context_create", 2, false, d::onContextCreate);
    put(m, "proxy_on_vm_start", 2, true, d::onVmStart);
    put(m, "proxy_on_configure", 2, true, d::onConfigure);
    put(m, "proxy_on_tick", 1, false, d::onTick);
    put(m, "proxy_on_queue_ready", 2, false, d::onQueueReady);
    put(m, "proxy_on_foreign_function", 3, false, d::onForeignFunction);
    put(m, "proxy_on_new_connection", 1, true, d::onNewConnection);
    put(m, "proxy_on_downstream_data", 3, true, d::onDownstreamData);
    put(m, "proxy_on_upstream_data", 3, true, d::onUpstreamData);
    put(m, "proxy_on_downstream_connection_close", 2, false, d::onDownstreamClose);
    put(m, "proxy_on_upstream_connection_close", 2, false, d::onUpstreamClose);
    put(m, "proxy_on_request_headers", 3, true, d::onRequestHeaders);
    put(m, "proxy_on_request_body", 3, true, d::onRequestBody);
    put(m, "proxy_on_request_trailers", 2, true, d::onRequestTrailers);
    put(m, "proxy_on_response_headers", 3, true, d::onResponseHeaders);
    put(m, "proxy_on_response_body", 3, true, d::onResponseBody);
    put(m, "proxy_on_response_trailers", 2, true, d::onResponseTrailers);
    put(m, "proxy_on_http_call_response", 5, false, d::onHttpCallResponse);
    put(m, "proxy_on_grpc_receive_initial_metadata", 3, false, d::onGrpcReceiveInitialMetadata);
    put(m, "proxy_on_grpc_receive", 3, false, d::onGrpcReceive);
    put(m, "proxy_on_grpc_receive_trailing_metadata", 3, false, d::onGrpcReceiveTrailingMetadata);
    put(m, "proxy_on_grpc_close", 3, false, d::onGrpcClose);
    put(m, "proxy_on_done", 1, true, d::onDone);
    put(m, "proxy_on_log", 1, false, d::onLog);
    put(m, "proxy_on_delete", 1, false, d::onDelete);
    return m;
  }

  private static void put(
      Map<String, Export> m, String name, int params, boolean result, Dispatcher.Body body) {
    m.put(name, new Export(FunctionType.i32(params, result ? 1 : 0), body, result));
  }

  /** The signatures, for tools that list exports before a VM is linked. */
  private static final Map<String, Export> SIGNATURES = exports(new Dispatcher(null, null));

  private final WasmVmIntegration integration;
  private final FailStateHolder failures;
  private JavaPlugin plugin;
  private HostAbi abi;
  private Map<String, Export> linked;
  private Dispatcher dispatcher;
  private volatile Thread runningThread;
  private boolean closed;

  NullVm(WasmVmIntegration integration) {
    this.integration = Objects.requireNonNull(integration, "integration");
    this.failures = new FailStateHolder(integration);
  }

  private NullVm(WasmVmIntegration integration, JavaPlugin plugin) {
    this(integration);
    this.plugin = plugin;
  }

  @Override
  public String runtimeName() {
    return NullVmProvider.NAME;
  }

  @Override
  public Cloneability cloneability() {
    return Cloneability.COMPILED_BYTECODE;
  }

  @Override
  public void load(byte[] code) {
    checkOpen();
    if (plugin != null) {
      throw new IllegalStateException("a plugin is already loaded");
    }
    plugin = PluginResolver.resolve(code, integration);
  }

  /**
   * Returns the plugin this VM runs.
   *
   * @return the plugin
   */
  JavaPlugin plugin() {
    return loaded();
  }

  @Override
  public Optional<AbiVersion> abiVersion() {
    loaded();
    return Optional.of(AbiVersion.V0_2_1);
  }

  @Override
  public List<FunctionImport> functionImports() {
    loaded();
    return List.of();
  }

  @Override
  public List<FunctionExport> functionExports() {
    loaded();
    List<FunctionExport> out = new ArrayList<>();
    SIGNATURES.forEach((name, e) -> out.add(new FunctionExport(name, e.type())));
    return out;
  }

  @Override
  public void registerHostFunction(HostFunction function) {
    Objects.requireNonNull(function, "function");
    checkOpen();
    // A Java plugin imports nothing: its host calls go to the typed ABI.
  }

  @Override
  public void registerHostAbi(HostAbi abi) {
    checkOpen();
    this.abi = Objects.requireNonNull(abi, "abi");
  }

  @Override
  public void link(String debugName) {
    loaded();
    if (linked != null) {
      throw new IllegalStateException("the VM is already linked");
    }
    if (abi == null) {
      throw new WasmException(
          FailState.UNABLE_TO_INITIALIZE_CODE,
          "Java plugin '"
              + plugin.name()
              + "' cannot be linked: the host offered no typed ABI (WasmVm.registerHostAbi)");
    }
    dispatcher = new Dispatcher(abi, plugin);
    linked = exports(dispatcher);
  }

  @Override
  public Optional<WasmFunction> function(String name, FunctionType type) {
    checkOpen();
    if (linked == null) {
      throw new IllegalStateException("the VM is not linked");
    }
    Export e = linked.get(name);
    if (e == null) {
      return Optional.empty();
    }
    if (!e.type().equals(type)) {
      throw new WasmException(
          FailState.UNABLE_TO_INITIALIZE_CODE,
          "Bad function signature for: "
              + name
              + ", want: "
              + type
              + ", but the Null VM exports: "
              + e.type(),
          null);
    }
    Dispatcher.Body body = e.body();
    boolean result = e.returnsStatus();
    int params = type.params().size();
    return Optional.of(args -> call(name, params, result, body, args));
  }

  private long[] call(String name, int params, boolean result, Dispatcher.Body body, long[] args) {
    checkOpen();
    if (failures.get() != FailState.OK) {
      throw new WasmException(
          FailState.RUNTIME_ERROR, "Function: " + name + " not called: the VM has failed");
    }
    if (args.length != params) {
      throw new IllegalArgumentException(
          name + " takes " + params + " arguments, not " + args.length);
    }
    Thread outer = runningThread;
    runningThread = Thread.currentThread();
    long r;
    try {
      r = params == 0 ? body.run(args) : dispatcher.call((int) args[0], body, args);
    } catch (RuntimeException | StackOverflowError | LinkageError | AssertionError e) {
      String message =
          "Function: " + name + " failed: Java plugin '" + plugin.name() + "' threw " + e;
      fail(FailState.RUNTIME_ERROR, message);
      throw new WasmException(FailState.RUNTIME_ERROR, message, e);
    } finally {
      runningThread = outer;
    }
    return result ? new long[] {r} : NO_RESULT;
  }

  @Override
  public long memorySize() {
    return 0;
  }

  @Override
  public void read(long address, byte[] target, int offset, int length) {
    throw new MemoryAccessException(address, length, 0);
  }

  @Override
  public void write(long address, byte[] source, int offset, int length) {
    throw new MemoryAccessException(address, length, 0);
  }

  @Override
  public int readInt(long address) {
    throw new MemoryAccessException(address, 4, 0);
  }

  @Override
  public void writeInt(long address, int value) {
    throw new MemoryAccessException(address, 4, 0);
  }

  @Override
  public long readLong(long address) {
    throw new MemoryAccessException(address, 8, 0);
  }

  @Override
  public void writeLong(long address, long value) {
    throw new MemoryAccessException(address, 8, 0);
  }

  @Override
  public WasmVm cloneVm() {
    return new NullVm(integration, loaded());
  }

  @Override
  public FailState failState() {
    return failures.get();
  }

  @Override
  public void fail(FailState state, String message) {
    failures.fail(state, message);
  }

  @Override
  public void addFailCallback(Consumer<FailState> callback) {
    failures.addCallback(callback);
  }

  /**
   * Interrupts the thread running the plugin. Java code cannot be stopped from outside: a plugin
   * stops only if it checks {@link Thread#isInterrupted()} or blocks interruptibly.
   */
  @Override
  public void terminate() {
    Thread t = runningThread;
    if (t != null) {
      t.interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    linked = null;
    dispatcher = null;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the VM is closed");
    }
  }

  private JavaPlugin loaded() {
    checkOpen();
    if (plugin == null) {
      throw new IllegalStateException("no plugin is loaded");
    }
    return plugin;
  }
}
