package io.proxywasm.testkit;

import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.ForeignFunction;
import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.LogSink;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.spi.WasmVmProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
  private final WasmVmProvider runtime;
  private final Builder builder = new Builder();
  private final PluginSpec spec = new PluginSpec("test");

  private ProxyWasmTestKit(WasmVmProvider runtime) {
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    builder.runtimes(runtime).runtime(runtime.name());
  }

  /**
   * Starts a test on a runtime found by name.
   *
   * @param name for example {@code chicory} or {@code chicory-compiler}
   * @return the kit
   * @throws io.proxywasm.spi.ProviderLookupException naming the runtimes available
   */
  public static ProxyWasmTestKit runtime(String name) {
    return new ProxyWasmTestKit(Runtimes.discover().get(name));
  }

  /**
   * Starts a test on a runtime given by instance.
   *
   * @param runtime the runtime
   * @return the kit
   */
  public static ProxyWasmTestKit runtime(WasmVmProvider runtime) {
    return new ProxyWasmTestKit(runtime);
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
  public static Builder builder() {
    return new Builder();
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
    builder.plugin(s -> s.copyFrom(spec).runtime(runtime.name()));
    TestHost host = builder.start();
    TestPlugin plugin = host.plugins().get(0);
    plugin.ownHost();
    return plugin;
  }

  /**
   * Configures a {@link TestHost}: the host's options, then the plugins and services it runs. The
   * kit provides the scheduler, the clock, the log sink and the extension, so that time is manual
   * and everything is recorded; a sink or an extension given here receives everything too.
   */
  public static final class Builder {
    private final List<WasmVmProvider> runtimes = new ArrayList<>();
    private String defaultRuntime = "";
    private ManualClock clock;
    private WasmExtension extension;
    private LogSink logSink;
    // the options the kit passes on as they are; the kit sets the rest when it starts a host
    private final ProxyWasmHost.Builder host = ProxyWasmHost.builder();
    private final Map<String, JavaPlugin> offeredPlugins = new HashMap<>();
    private final List<PluginSpec> plugins = new ArrayList<>();
    private final List<PluginSpec> services = new ArrayList<>();

    private Builder() {}

    /**
     * Sets the runtime plugins run on unless they name one; by default the host picks (the Null VM
     * for Java plugins, the preferred wasm runtime otherwise).
     *
     * @param name the runtime's name, for example {@code chicory}
     * @return this builder
     */
    public Builder runtime(String name) {
      this.defaultRuntime = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Makes exactly these runtimes available, instead of the discovered ones.
     *
     * @param runtimes the runtimes
     * @return this builder
     */
    public Builder runtimes(WasmVmProvider... runtimes) {
      this.runtimes.clear();
      this.runtimes.addAll(List.of(runtimes));
      return this;
    }

    /**
     * Uses the given clock.
     *
     * @param clock the clock; by default a new {@link ManualClock}
     * @return this builder
     */
    public Builder clock(ManualClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Answers HTTP callouts with the given handler.
     *
     * @param httpCalls the handler; by default every upstream is unknown
     * @return this builder
     */
    public Builder httpCalls(HttpCallHandler httpCalls) {
      host.httpCalls(httpCalls);
      return this;
    }

    /**
     * Answers gRPC calls with the given handler.
     *
     * @param grpcCalls the handler; by default every cluster is unknown
     * @return this builder
     */
    public Builder grpcCalls(GrpcCallHandler grpcCalls) {
      host.grpcCalls(grpcCalls);
      return this;
    }

    /**
     * Answers HTTP and gRPC callouts from scripted upstreams.
     *
     * @param upstreams the upstreams
     * @return this builder
     */
    public Builder upstreams(FakeUpstreams upstreams) {
      return httpCalls(upstreams).grpcCalls(upstreams);
    }

    /**
     * Answers host-level properties (node, cluster...).
     *
     * @param properties the resolver
     * @return this builder
     */
    public Builder properties(PropertyResolver properties) {
      host.properties(properties);
      return this;
    }

    /**
     * Registers a function plugins may call with {@code proxy_call_foreign_function}.
     *
     * @param name the name plugins use
     * @param function the function
     * @return this builder
     */
    public Builder foreignFunction(String name, ForeignFunction function) {
      host.foreignFunction(name, function);
      return this;
    }

    /**
     * Passes events and metrics on to another extension, besides recording them.
     *
     * @param extension the extension
     * @return this builder
     */
    public Builder extension(WasmExtension extension) {
      this.extension = Objects.requireNonNull(extension, "extension");
      return this;
    }

    /**
     * Passes log lines on to another sink, besides recording them.
     *
     * @param logSink the sink
     * @return this builder
     */
    public Builder logSink(LogSink logSink) {
      this.logSink = Objects.requireNonNull(logSink, "logSink");
      return this;
    }

    /**
     * Offers an object to runtimes by name ({@link ProxyWasmHost.Builder#offer}).
     *
     * @param name the name
     * @param object the object
     * @return this builder
     */
    public Builder offer(String name, Object object) {
      host.offer(name, object);
      return this;
    }

    /**
     * Adds a filter plugin (HTTP or network: the test opens HTTP streams or TCP connections through
     * it) on the host's worker.
     *
     * @param plugin sets its name, code and configuration
     * @return this builder
     */
    public Builder plugin(Consumer<PluginSpec> plugin) {
      PluginSpec s = new PluginSpec("plugin-" + (plugins.size() + services.size() + 1));
      plugin.accept(s);
      plugins.add(s);
      return this;
    }

    /**
     * Adds a singleton service plugin (Envoy's WasmService): its own VM, started before the
     * filters, as Envoy starts bootstrap services before listeners.
     *
     * @param service sets its name, code and configuration
     * @return this builder
     */
    public Builder service(Consumer<PluginSpec> service) {
      PluginSpec s = new PluginSpec("service-" + (plugins.size() + services.size() + 1));
      service.accept(s);
      services.add(s);
      return this;
    }

    /**
     * Builds the host and starts the services, then the filters.
     *
     * @return the running host
     * @throws PluginLoadException naming the plugin and what was wrong with it
     */
    public TestHost start() throws PluginLoadException {
      ManualScheduler scheduler = new ManualScheduler();
      RecordingLogSink logs = new RecordingLogSink();
      VmTracker tracker = new VmTracker();
      logs.track(tracker);
      RecordingExtension recording = new RecordingExtension(extension);
      List<WasmVmProvider> available =
          runtimes.isEmpty() ? List.copyOf(Runtimes.discover().all().values()) : runtimes;
      WasmVmProvider[] wrapped =
          available.stream().map(tracker::wrap).toArray(WasmVmProvider[]::new);
      LogSink forward = logSink;
      ManualClock theClock = clock != null ? clock : new ManualClock();
      ProxyWasmHost.Builder hostBuilder =
          host.runtimes(Runtimes.of(wrapped))
              .scheduler(scheduler)
              .clock(theClock)
              .logSink(forward == null ? logs : both(logs, forward))
              .extension(recording);
      for (PluginSpec s : concat()) {
        // offered once: a kit may start again with the same plugin instance
        if (s.offered != null && offeredPlugins.put(s.offered.name(), s.offered) != s.offered) {
          hostBuilder.offer(s.offered.name(), s.offered);
        }
      }
      TestHost testHost =
          new TestHost(hostBuilder.build(), scheduler, theClock, logs, recording, tracker);
      try {
        for (PluginSpec s : services) {
          testHost.addService(s.build(defaultRuntime));
        }
        for (PluginSpec s : plugins) {
          testHost.addPlugin(s.build(defaultRuntime));
        }
        return testHost;
      } catch (PluginLoadException | RuntimeException e) {
        testHost.close();
        throw e;
      }
    }

    /** A sink that gives every line, and every count of dropped lines, to both. */
    private static LogSink both(LogSink first, LogSink second) {
      return new LogSink() {
        @Override
        public void log(PluginInfo plugin, LogLevel level, String message) {
          first.log(plugin, level, message);
          second.log(plugin, level, message);
        }

        @Override
        public void dropped(PluginInfo plugin, LogLevel level, LogLevel pluginLevel) {
          first.dropped(plugin, level, pluginLevel);
          second.dropped(plugin, level, pluginLevel);
        }
      };
    }

    private List<PluginSpec> concat() {
      List<PluginSpec> all = new ArrayList<>(services);
      all.addAll(plugins);
      return all;
    }
  }

  /**
   * One plugin of a {@link TestHost}: its name, root_id, vm_id, configurations, code and runtime,
   * and any other option of {@link PluginConfig.Builder}.
   */
  public static final class PluginSpec {
    private String name;
    private String runtime = "";
    private byte[] code;
    private JavaPlugin offered;
    private final List<Consumer<PluginConfig.Builder>> config = new ArrayList<>();

    PluginSpec(String name) {
      this.name = name;
    }

    PluginSpec copyFrom(PluginSpec other) {
      this.name = other.name;
      this.runtime = other.runtime;
      this.code = other.code;
      this.offered = other.offered;
      this.config.addAll(other.config);
      return this;
    }

    /**
     * Names the plugin ({@code plugin_name}; in logs, events and metrics).
     *
     * @param name the name
     * @return this spec
     */
    public PluginSpec name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Names the runtime this plugin runs on, instead of the host's default.
     *
     * @param runtime the runtime's name
     * @return this spec
     */
    public PluginSpec runtime(String runtime) {
      this.runtime = Objects.requireNonNull(runtime, "runtime");
      return this;
    }

    /**
     * Sets the module bytes.
     *
     * @param code the module
     * @return this spec
     */
    public PluginSpec code(byte[] code) {
      this.code = code.clone();
      return this;
    }

    /**
     * Reads the module from a file.
     *
     * @param file the {@code .wasm} file
     * @return this spec
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    public PluginSpec code(Path file) {
      try {
        return code(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read plugin " + file + ": " + e.getMessage(), e);
      }
    }

    /**
     * Reads the module from a class path resource.
     *
     * @param resource an absolute resource name
     * @return this spec
     * @throws IllegalArgumentException if there is no such resource
     */
    public PluginSpec resource(String resource) {
      try (InputStream in = ProxyWasmTestKit.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalArgumentException("no class path resource " + resource);
        }
        return code(in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read resource " + resource, e);
      }
    }

    /**
     * Runs a Java plugin registered under a name (code {@code java:NAME}), on the Null VM.
     *
     * @param pluginName the plugin's name or class name
     * @return this spec
     */
    public PluginSpec javaPlugin(String pluginName) {
      return code((Runtimes.JAVA_PLUGIN_PREFIX + pluginName).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Runs a Java plugin instance, registered nowhere, on the Null VM.
     *
     * @param plugin the plugin
     * @return this spec
     */
    public PluginSpec javaPlugin(JavaPlugin plugin) {
      this.offered = Objects.requireNonNull(plugin, "plugin");
      return javaPlugin(plugin.name());
    }

    /**
     * Sets the root_id.
     *
     * @param rootId the root_id
     * @return this spec
     */
    public PluginSpec rootId(String rootId) {
      return config(c -> c.rootId(rootId));
    }

    /**
     * Sets the vm_id, which namespaces shared data and queues.
     *
     * @param vmId the vm_id
     * @return this spec
     */
    public PluginSpec vmId(String vmId) {
      return config(c -> c.vmId(vmId));
    }

    /**
     * Sets the plugin configuration ({@code proxy_on_configure}).
     *
     * @param configuration the text
     * @return this spec
     */
    public PluginSpec configuration(String configuration) {
      return config(c -> c.pluginConfiguration(configuration));
    }

    /**
     * Sets the VM configuration ({@code proxy_on_vm_start}).
     *
     * @param configuration the text
     * @return this spec
     */
    public PluginSpec vmConfiguration(String configuration) {
      return config(c -> c.vmConfiguration(configuration));
    }

    /**
     * Sets the log level; INFO unless set, as in Envoy.
     *
     * @param level the level
     * @return this spec
     */
    public PluginSpec logLevel(LogLevel level) {
      return config(c -> c.logLevel(level));
    }

    /**
     * Sets the fail policy.
     *
     * @param policy the policy
     * @return this spec
     */
    public PluginSpec failPolicy(FailPolicy policy) {
      return config(c -> c.failPolicy(policy));
    }

    /**
     * Sets how long one call into the plugin may run.
     *
     * @param deadline the deadline; zero for none
     * @return this spec
     */
    public PluginSpec callDeadline(Duration deadline) {
      return config(c -> c.callDeadline(deadline));
    }

    /**
     * Sets the most linear memory each VM of the plugin may have.
     *
     * @param bytes the limit
     * @return this spec
     */
    public PluginSpec memoryLimitBytes(long bytes) {
      return config(c -> c.memoryLimitBytes(bytes));
    }

    /**
     * Sets the most body data one body callback may be given.
     *
     * @param bytes the limit
     * @return this spec
     */
    public PluginSpec bodyBufferLimitBytes(long bytes) {
      return config(c -> c.bodyBufferLimitBytes(bytes));
    }

    /**
     * Restricts the plugin to the named capabilities.
     *
     * @param capabilities host function, WASI and callback names; empty allows all
     * @return this spec
     */
    public PluginSpec allowedCapabilities(Set<String> capabilities) {
      return config(c -> c.allowedCapabilities(capabilities));
    }

    /**
     * Sets the WASI environment.
     *
     * @param environment names to values, in order
     * @return this spec
     */
    public PluginSpec environment(Map<String, String> environment) {
      return config(c -> c.environment(environment));
    }

    /**
     * Applies any change to the configuration builder; several calls apply in order, after the
     * other options of this spec given before them.
     *
     * @param change the change
     * @return this spec
     */
    public PluginSpec config(Consumer<PluginConfig.Builder> change) {
      config.add(Objects.requireNonNull(change, "change"));
      return this;
    }

    PluginConfig build(String defaultRuntime) {
      if (code == null) {
        throw new IllegalStateException(
            "plugin " + name + " has no code: call code(...) or javaPlugin(...)");
      }
      // A Java plugin with no runtime of its own goes where the host sends Java plugins.
      String chosen =
          !runtime.isEmpty() ? runtime : Runtimes.isJavaPlugin(code) ? "" : defaultRuntime;
      PluginConfig.Builder b = PluginConfig.builder(name).runtime(chosen);
      b.code(code);
      config.forEach(c -> c.accept(b));
      return b.build();
    }
  }
}
