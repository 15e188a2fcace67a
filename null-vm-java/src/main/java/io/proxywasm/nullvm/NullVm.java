package io.proxywasm.nullvm;

import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FunctionExport;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.support.AbstractWasmVm;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A VM that runs a {@link JavaPlugin}: it exports the proxy-wasm callbacks of ABI 0.2.1 and turns
 * them into calls on the plugin's contexts, whose host calls go to the host's typed ABI. It has no
 * linear memory. A clone runs the same plugin with its own contexts.
 */
final class NullVm extends AbstractWasmVm {
  private static final long[] NO_RESULT = new long[0];

  /** An exported callback: its signature and which dispatcher method runs it. */
  private record Export(FunctionType type, Dispatcher.Body body, boolean returnsStatus) {}

  /**
   * The callbacks a Java plugin answers: every callback of ABI 0.2.1 the host calls on a plugin,
   * from the catalogue. Start functions and allocators have no meaning without linear memory.
   */
  static final List<Callback> CALLBACKS =
      Callback.of(AbiVersion.V0_2_1).stream()
          .filter(c -> c.kind() == Callback.Kind.PLUGIN)
          .toList();

  private static Map<String, Export> exports(Dispatcher d) {
    Map<Callback, Dispatcher.Body> bodies = new EnumMap<>(Callback.class);
    bodies.put(Callback.ON_CONTEXT_CREATE, d::onContextCreate);
    bodies.put(Callback.ON_VM_START, d::onVmStart);
    bodies.put(Callback.ON_CONFIGURE, d::onConfigure);
    bodies.put(Callback.ON_TICK, d::onTick);
    bodies.put(Callback.ON_QUEUE_READY, d::onQueueReady);
    bodies.put(Callback.ON_FOREIGN_FUNCTION, d::onForeignFunction);
    bodies.put(Callback.ON_NEW_CONNECTION, d::onNewConnection);
    bodies.put(Callback.ON_DOWNSTREAM_DATA, d::onDownstreamData);
    bodies.put(Callback.ON_UPSTREAM_DATA, d::onUpstreamData);
    bodies.put(Callback.ON_DOWNSTREAM_CONNECTION_CLOSE, d::onDownstreamClose);
    bodies.put(Callback.ON_UPSTREAM_CONNECTION_CLOSE, d::onUpstreamClose);
    bodies.put(Callback.ON_REQUEST_HEADERS, d::onRequestHeaders);
    bodies.put(Callback.ON_REQUEST_BODY, d::onRequestBody);
    bodies.put(Callback.ON_REQUEST_TRAILERS, d::onRequestTrailers);
    bodies.put(Callback.ON_RESPONSE_HEADERS, d::onResponseHeaders);
    bodies.put(Callback.ON_RESPONSE_BODY, d::onResponseBody);
    bodies.put(Callback.ON_RESPONSE_TRAILERS, d::onResponseTrailers);
    bodies.put(Callback.ON_HTTP_CALL_RESPONSE, d::onHttpCallResponse);
    bodies.put(Callback.ON_GRPC_RECEIVE_INITIAL_METADATA, d::onGrpcReceiveInitialMetadata);
    bodies.put(Callback.ON_GRPC_RECEIVE, d::onGrpcReceive);
    bodies.put(Callback.ON_GRPC_RECEIVE_TRAILING_METADATA, d::onGrpcReceiveTrailingMetadata);
    bodies.put(Callback.ON_GRPC_CLOSE, d::onGrpcClose);
    bodies.put(Callback.ON_DONE, d::onDone);
    bodies.put(Callback.ON_LOG, d::onLog);
    bodies.put(Callback.ON_DELETE, d::onDelete);
    if (!bodies.keySet().equals(java.util.Set.copyOf(CALLBACKS))) {
      throw new IllegalStateException(
          "the Null VM's callbacks " + bodies.keySet() + " are not the catalogue's " + CALLBACKS);
    }
    Map<String, Export> m = new LinkedHashMap<>();
    m.put(AbiVersion.V0_2_1.marker(), new Export(FunctionType.i32(0, 0), a -> 0, false));
    for (Callback c : CALLBACKS) {
      FunctionType type = c.type();
      m.put(c.exportName(), new Export(type, bodies.get(c), !type.results().isEmpty()));
    }
    return m;
  }

  /** The signatures, for tools that list exports before a VM is linked. */
  private static final Map<String, Export> SIGNATURES = exports(new Dispatcher(null, null));

  private JavaPlugin plugin;
  private HostAbi abi;
  private Map<String, Export> linked;
  private Dispatcher dispatcher;

  NullVm(WasmVmIntegration integration) {
    super(integration);
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
    plugin = PluginResolver.resolve(code, integration());
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

  /**
   * Checks the function and drops it: a Java plugin imports nothing, its host calls go to the ABI.
   */
  @Override
  public void registerHostFunction(HostFunction function) {
    Objects.requireNonNull(function, "function");
    checkOpen();
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
      throw initError(
          "Java plugin '"
              + plugin.name()
              + "' cannot be linked: the host offered no typed ABI (WasmVm.registerHostAbi)",
          null);
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
      throw badSignature(name, type, "the Null VM", e.type().toString());
    }
    Dispatcher.Body body = e.body();
    boolean result = e.returnsStatus();
    int params = type.params().size();
    return Optional.of(args -> call(name, params, result, body, args));
  }

  private long[] call(String name, int params, boolean result, Dispatcher.Body body, long[] args) {
    checkCallable(name, params, args);
    long r;
    enter();
    try {
      r = params == 0 ? body.run(args) : dispatcher.call((int) args[0], body, args);
    } catch (RuntimeException | StackOverflowError | LinkageError | AssertionError e) {
      throw callFailed(name, "Java plugin '" + plugin.name() + "' threw " + e, e);
    } finally {
      exit();
    }
    return result ? new long[] {r} : NO_RESULT;
  }

  @Override
  public WasmVm cloneVm() {
    return new NullVm(integration(), loaded());
  }

  /**
   * Interrupts the thread running the plugin ({@link #terminate()}). Java code cannot be stopped
   * from outside: a plugin stops only if it checks {@link Thread#isInterrupted()} or blocks
   * interruptibly. The interrupt is left set when the call returns.
   */
  @Override
  protected void interrupt(Thread running) {
    running.interrupt();
  }

  @Override
  protected void release() {
    linked = null;
    dispatcher = null;
  }

  private JavaPlugin loaded() {
    return loaded(plugin, "plugin");
  }
}
