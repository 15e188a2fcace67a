package io.proxywasm.testkit;

import io.proxywasm.host.ForeignFunction;
import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.LogSink;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.spi.WasmVmProvider;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Runs proxy-wasm plugins in a test, with no proxy. One plugin: pick a runtime, give the plugin's
 * code and configuration, {@link #start()} it, then drive it and look at what it did.
 *
 * <pre>{@code
 * try (TestPlugin plugin =
 *     ProxyWasmTestKit.runtime("chicory-compiler")
 *         .plugin(Path.of("my_plugin.wasm"))
 *         .config(c -> c.rootId("my_root").pluginConfiguration("{\"mode\":\"strict\"}"))
 *         .start()) {
 *   ExchangeResult result = plugin.http().requestHeader(":path", "/hello").run();
 *   assertEquals(200, result.localResponse().orElseThrow().status());
 * }
 * }</pre>
 *
 * <p>Several plugins on one host (filters and singleton services, each with its name, root_id,
 * vm_id and configuration): {@link #builder()}.
 *
 * <p>Time is manual: nothing runs in the background; ticks, queue deliveries and callout answers
 * happen when the test calls {@link TestPlugin#advance} (or {@link TestPlugin#runDue}).
 */
public final class ProxyWasmTestKit {
  /** The runtime's name; empty for the host's default choice. */
  private final String runtime;

  private final TestHost.Builder builder = new TestHost.Builder();
  private final PluginSpec spec = new PluginSpec("test");

  private ProxyWasmTestKit(String runtime, WasmVmProvider... available) {
    this.runtime = runtime;
    builder.runtimes(available).runtime(runtime);
  }

  /**
   * Starts a test on a runtime found by name.
   *
   * @param name for example {@code chicory} or {@code chicory-compiler}
   * @return the kit
   * @throws io.proxywasm.spi.ProviderLookupException naming the runtimes available
   */
  public static ProxyWasmTestKit runtime(String name) {
    return runtime(Runtimes.discover().get(name));
  }

  /**
   * Starts a test on a runtime given by instance.
   *
   * @param runtime the runtime
   * @return the kit
   */
  public static ProxyWasmTestKit runtime(WasmVmProvider runtime) {
    Objects.requireNonNull(runtime, "runtime");
    return new ProxyWasmTestKit(runtime.name(), runtime);
  }

  /**
   * Starts a test on the runtime a host picks for a plugin that names none, among the given ones:
   * the first of {@link Runtimes#candidatesFor(byte[])} that runs the module, the next where one
   * refuses it as unsupported ({@link io.proxywasm.host.ProxyWasmHost#load}). {@code
   * plugin.plugin().info().runtime()} says which one runs it.
   *
   * @param runtimes the runtimes to choose from, for example {@link Runtimes#discover()}
   * @return the kit
   */
  public static ProxyWasmTestKit defaultRuntime(Runtimes runtimes) {
    WasmVmProvider[] all = runtimes.all().values().toArray(new WasmVmProvider[0]);
    if (all.length == 0) {
      throw new IllegalArgumentException("no runtime to choose from");
    }
    return new ProxyWasmTestKit("", all);
  }

  /**
   * Starts a host with several plugins: filters and singleton services.
   *
   * <pre>{@code
   * try (TestHost host = ProxyWasmTestKit.builder()
   *     .runtime("chicory")
   *     .service(s -> s.name("collector").code(collectorWasm).vmId("collector"))
   *     .plugin(p -> p.name("reporter").code(reporterWasm).configuration("collector"))
   *     .start()) {
   *   host.plugin("reporter").http().requestHeader(":path", "/a").run();
   * }
   * }</pre>
   *
   * @return a builder; its runtimes are the discovered ones unless set
   */
  public static TestHost.Builder builder() {
    return new TestHost.Builder();
  }

  /**
   * Sets the plugin's code.
   *
   * @param code the module bytes
   * @return this kit
   */
  public ProxyWasmTestKit plugin(byte[] code) {
    spec.code(code);
    return this;
  }

  /**
   * Runs a Java plugin registered with ServiceLoader under a name (code {@code java:NAME}); use
   * with the Null VM, {@code runtime("null")}.
   *
   * @param name the plugin's name, or its class name
   * @return this kit
   */
  public ProxyWasmTestKit javaPlugin(String name) {
    spec.javaPlugin(name);
    return this;
  }

  /**
   * Runs a Java plugin instance, which need not be registered with ServiceLoader; use with the Null
   * VM, {@code runtime("null")}.
   *
   * @param plugin the plugin
   * @return this kit
   */
  public ProxyWasmTestKit javaPlugin(JavaPlugin plugin) {
    spec.javaPlugin(plugin);
    return this;
  }

  /**
   * Reads the plugin's code from a file.
   *
   * @param file the {@code .wasm} file
   * @return this kit
   * @throws UncheckedIOException naming the file if it cannot be read
   */
  public ProxyWasmTestKit plugin(Path file) {
    spec.code(file);
    return this;
  }

  /**
   * Reads the plugin's code from a class path resource.
   *
   * @param resource an absolute resource name, for example {@code /plugins/filter.wasm}
   * @return this kit
   * @throws IllegalArgumentException if there is no such resource
   */
  public ProxyWasmTestKit pluginResource(String resource) {
    spec.resource(resource);
    return this;
  }

  /**
   * Names the plugin (its {@code plugin_name}, in logs, events and metrics); {@code test} unless
   * set.
   *
   * @param name the name
   * @return this kit
   */
  public ProxyWasmTestKit name(String name) {
    spec.name(name);
    return this;
  }

  /**
   * Sets the plugin's log level; INFO unless set, as in Envoy. Lines below it are dropped by the
   * host, and the kit's logs say how many ({@link RecordingLogSink#droppedHint()}).
   *
   * @param level the level
   * @return this kit
   */
  public ProxyWasmTestKit logLevel(LogLevel level) {
    spec.logLevel(level);
    return this;
  }

  /**
   * Adjusts the plugin's configuration (root_id, configurations, fail policy, log level, call
   * deadline, memory limit...); several calls apply in order.
   *
   * @param config changes to apply to the configuration builder
   * @return this kit
   */
  public ProxyWasmTestKit config(Consumer<PluginConfig.Builder> config) {
    spec.config(config);
    return this;
  }

  /**
   * Uses the given clock.
   *
   * @param clock the clock; by default a new {@link ManualClock}
   * @return this kit
   */
  public ProxyWasmTestKit clock(ManualClock clock) {
    builder.clock(clock);
    return this;
  }

  /**
   * Answers the plugin's HTTP callouts with the given handler.
   *
   * @param httpCalls the handler; by default every upstream is unknown
   * @return this kit
   */
  public ProxyWasmTestKit httpCalls(HttpCallHandler httpCalls) {
    builder.httpCalls(httpCalls);
    return this;
  }

  /**
   * Answers the plugin's gRPC calls with the given handler.
   *
   * @param grpcCalls the handler; by default every cluster is unknown
   * @return this kit
   */
  public ProxyWasmTestKit grpcCalls(GrpcCallHandler grpcCalls) {
    builder.grpcCalls(grpcCalls);
    return this;
  }

  /**
   * Answers the plugin's HTTP and gRPC callouts from scripted upstreams, which also record the
   * calls.
   *
   * @param upstreams the upstreams
   * @return this kit
   */
  public ProxyWasmTestKit upstreams(FakeUpstreams upstreams) {
    builder.upstreams(upstreams);
    return this;
  }

  /**
   * Registers a function the plugin may call with {@code proxy_call_foreign_function}.
   *
   * @param name the name the plugin uses
   * @param function the function
   * @return this kit
   */
  public ProxyWasmTestKit foreignFunction(String name, ForeignFunction function) {
    builder.foreignFunction(name, function);
    return this;
  }

  /**
   * Answers host-level properties (node, cluster...) with the given resolver.
   *
   * @param properties the resolver
   * @return this kit
   */
  public ProxyWasmTestKit properties(PropertyResolver properties) {
    builder.properties(properties);
    return this;
  }

  /**
   * Passes events and metrics on to an extension of the test's, besides recording them.
   *
   * @param extension the extension
   * @return this kit
   */
  public ProxyWasmTestKit extension(WasmExtension extension) {
    builder.extension(extension);
    return this;
  }

  /**
   * Passes log lines on to a sink of the test's, besides recording them.
   *
   * @param logSink the sink
   * @return this kit
   */
  public ProxyWasmTestKit logSink(LogSink logSink) {
    builder.logSink(logSink);
    return this;
  }

  /**
   * Offers an object to the runtime by name ({@link ProxyWasmHost.Builder#offer}).
   *
   * @param name the name
   * @param object the object
   * @return this kit
   */
  public ProxyWasmTestKit offer(String name, Object object) {
    builder.offer(name, object);
    return this;
  }

  /**
   * Loads the plugin and starts it on a worker: its root context is created, started and
   * configured.
   *
   * @return the running plugin; closing it closes its host
   * @throws PluginLoadException naming what was wrong with the module or its configuration
   */
  public TestPlugin start() throws PluginLoadException {
    if (spec.code == null) {
      throw new IllegalStateException("no plugin code given: call plugin(...) first");
    }
    builder.plugins.clear();
    builder.plugin(s -> s.copyFrom(spec).runtime(runtime));
    TestHost host = builder.start();
    TestPlugin plugin = host.plugins().get(0);
    plugin.ownHost();
    return plugin;
  }
}
