package io.proxywasm.host;

import io.proxywasm.spi.LogLevel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything that defines a plugin: who it is, where its code comes from, what it is configured
 * with and how it fails. Immutable; build one with {@link #builder(String)}.
 *
 * @param name the plugin name, for logs and stats
 * @param rootId the root_id; plugins with one root_id in one VM share a root context
 * @param vmId the vm_id; namespaces shared data and queues
 * @param runtime the runtime name, or empty for the default runtime
 * @param code the module bytes (for the Null VM, the plugin name in UTF-8)
 * @param vmConfiguration the VM configuration, seen by {@code proxy_on_vm_start}
 * @param pluginConfiguration the plugin configuration, seen by {@code proxy_on_configure}
 * @param failPolicy what a stream gets when the VM fails
 * @param allowedCapabilities the host functions, WASI functions and callbacks the plugin may use;
 *     empty means all
 * @param environment what WASI {@code environ_get} returns, in order
 * @param logLevel the level at and above which the plugin's logs are kept
 * @param callDeadline how long one call into the plugin may run before it is stopped and the VM
 *     failed; zero disables the deadline
 * @param memoryLimitBytes the most linear memory each of the plugin's VMs may have
 * @param bodyBufferLimitBytes the most body data one HTTP body callback may be given: a larger
 *     buffered body gets Envoy's answer (413 for a request, 500 for a response) instead
 * @param storeQuota what the plugin's vm_id may keep in shared data and in its shared queues, or
 *     empty for the host's quota ({@link ProxyWasmHost.Builder#storeQuota}); see {@link StoreQuota}
 *     for plugins of one vm_id that ask for different quotas
 */
public record PluginConfig(
    String name,
    String rootId,
    String vmId,
    String runtime,
    byte[] code,
    byte[] vmConfiguration,
    byte[] pluginConfiguration,
    FailPolicy failPolicy,
    Set<String> allowedCapabilities,
    Map<String, String> environment,
    LogLevel logLevel,
    Duration callDeadline,
    long memoryLimitBytes,
    long bodyBufferLimitBytes,
    java.util.Optional<StoreQuota> storeQuota) {

  /**
   * Validates and copies the parts.
   *
   * @param name the plugin name
   * @param rootId the root_id
   * @param vmId the vm_id
   * @param runtime the runtime name or empty
   * @param code the code
   * @param vmConfiguration the VM configuration
   * @param pluginConfiguration the plugin configuration
   * @param failPolicy the fail policy
   * @param allowedCapabilities the allowed capabilities
   * @param environment the environment
   * @param logLevel the log level
   * @param callDeadline the deadline of one call, or zero for none
   * @param memoryLimitBytes the memory limit per VM
   * @param bodyBufferLimitBytes the body buffer limit
   * @param storeQuota the vm_id's store quota, or empty for the host's
   */
  public PluginConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(rootId, "rootId");
    Objects.requireNonNull(vmId, "vmId");
    Objects.requireNonNull(runtime, "runtime");
    code = Objects.requireNonNull(code, "code").clone();
    vmConfiguration = Objects.requireNonNull(vmConfiguration, "vmConfiguration").clone();
    pluginConfiguration =
        Objects.requireNonNull(pluginConfiguration, "pluginConfiguration").clone();
    Objects.requireNonNull(failPolicy, "failPolicy");
    allowedCapabilities = Set.copyOf(allowedCapabilities);
    environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    Objects.requireNonNull(logLevel, "logLevel");
    if (callDeadline.isNegative()) {
      throw new IllegalArgumentException("callDeadline must not be negative: " + callDeadline);
    }
    if (memoryLimitBytes <= 0) {
      throw new IllegalArgumentException("memoryLimitBytes must be positive: " + memoryLimitBytes);
    }
    if (bodyBufferLimitBytes < 0) {
      throw new IllegalArgumentException(
          "bodyBufferLimitBytes must not be negative: " + bodyBufferLimitBytes);
    }
    Objects.requireNonNull(storeQuota, "storeQuota");
  }

  /** The deadline of one call into a plugin unless configured otherwise: 10 seconds. */
  public static final Duration DEFAULT_CALL_DEADLINE = Duration.ofSeconds(10);

  /**
   * Returns a copy of the code.
   *
   * @return the module bytes
   */
  @Override
  public byte[] code() {
    return code.clone();
  }

  /**
   * Returns a copy of the VM configuration.
   *
   * @return the bytes
   */
  @Override
  public byte[] vmConfiguration() {
    return vmConfiguration.clone();
  }

  /**
   * Returns a copy of the plugin configuration.
   *
   * @return the bytes
   */
  @Override
  public byte[] pluginConfiguration() {
    return pluginConfiguration.clone();
  }

  /**
   * Returns this configuration with other code: what an embedder that downloads a plugin's module
   * (remote code) loads once the bytes are there.
   *
   * @param code the module bytes (for the Null VM, the plugin name in UTF-8)
   * @return a copy with that code, every other part the same
   */
  public PluginConfig withCode(byte[] code) {
    return new PluginConfig(
        name,
        rootId,
        vmId,
        runtime,
        code,
        vmConfiguration,
        pluginConfiguration,
        failPolicy,
        allowedCapabilities,
        environment,
        logLevel,
        callDeadline,
        memoryLimitBytes,
        bodyBufferLimitBytes,
        storeQuota);
  }

  /**
   * Starts a configuration.
   *
   * @param name the plugin name
   * @return a builder with Envoy's defaults: empty root_id and vm_id, the default runtime,
   *     fail-closed, all capabilities, no environment, log level info, a 10 second deadline per
   *     call into the plugin, 1 GiB of memory per VM, a 1 MiB body buffer limit (Envoy's default
   *     per-connection buffer limit)
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds a {@link PluginConfig}. */
  public static final class Builder {
    private final String name;
    private String rootId = "";
    private String vmId = "";
    private String runtime = "";
    private byte[] code = new byte[0];
    private byte[] vmConfiguration = new byte[0];
    private byte[] pluginConfiguration = new byte[0];
    private FailPolicy failPolicy = FailPolicy.FAIL_CLOSED;
    private Set<String> allowedCapabilities = Set.of();
    private Map<String, String> environment = Map.of();
    private LogLevel logLevel = LogLevel.INFO;
    private Duration callDeadline = DEFAULT_CALL_DEADLINE;
    private long memoryLimitBytes = io.proxywasm.spi.WasmVmIntegration.DEFAULT_MEMORY_LIMIT_BYTES;
    private long bodyBufferLimitBytes = 1 << 20;
    private StoreQuota storeQuota;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets the root_id.
     *
     * @param rootId the root_id
     * @return this builder
     */
    public Builder rootId(String rootId) {
      this.rootId = rootId;
      return this;
    }

    /**
     * Sets the vm_id.
     *
     * @param vmId the vm_id
     * @return this builder
     */
    public Builder vmId(String vmId) {
      this.vmId = vmId;
      return this;
    }

    /**
     * Names the runtime; empty means the default runtime, with the next runtime tried when it
     * refuses the module as unsupported ({@link ProxyWasmHost#load}).
     *
     * @param runtime the runtime name
     * @return this builder
     */
    public Builder runtime(String runtime) {
      this.runtime = runtime;
      return this;
    }

    /**
     * Sets the module bytes.
     *
     * @param code the code
     * @return this builder
     */
    public Builder code(byte[] code) {
      this.code = code;
      return this;
    }

    /**
     * Runs a plugin written in Java: the code becomes {@code java:NAME}, which the default runtime
     * choice sends to a runtime that runs Java plugins (the Null VM, runtime {@code null}).
     *
     * @param pluginName the name the Java plugin is registered under, or its class name
     * @return this builder
     */
    public Builder javaPlugin(String pluginName) {
      Objects.requireNonNull(pluginName, "pluginName");
      return code(
          (io.proxywasm.spi.Runtimes.JAVA_PLUGIN_PREFIX + pluginName)
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Reads the module from a file.
     *
     * @param file a {@code .wasm} file
     * @return this builder
     * @throws java.io.UncheckedIOException naming the file if it cannot be read
     */
    public Builder code(java.nio.file.Path file) {
      try {
        return code(java.nio.file.Files.readAllBytes(file));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(
            "cannot read the code of plugin " + name + " from " + file + ": " + e.getMessage(), e);
      }
    }

    /**
     * Sets the VM configuration.
     *
     * @param vmConfiguration the bytes
     * @return this builder
     */
    public Builder vmConfiguration(byte[] vmConfiguration) {
      this.vmConfiguration = vmConfiguration;
      return this;
    }

    /**
     * Sets the VM configuration as UTF-8 text.
     *
     * @param vmConfiguration the text
     * @return this builder
     */
    public Builder vmConfiguration(String vmConfiguration) {
      return vmConfiguration(vmConfiguration.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sets the plugin configuration.
     *
     * @param pluginConfiguration the bytes
     * @return this builder
     */
    public Builder pluginConfiguration(byte[] pluginConfiguration) {
      this.pluginConfiguration = pluginConfiguration;
      return this;
    }

    /**
     * Sets the plugin configuration as UTF-8 text.
     *
     * @param pluginConfiguration the text
     * @return this builder
     */
    public Builder pluginConfiguration(String pluginConfiguration) {
      return pluginConfiguration(pluginConfiguration.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sets the fail policy.
     *
     * @param failPolicy the policy
     * @return this builder
     */
    public Builder failPolicy(FailPolicy failPolicy) {
      this.failPolicy = failPolicy;
      return this;
    }

    /**
     * Restricts the plugin to the named capabilities; empty allows all.
     *
     * @param allowedCapabilities host function names ({@code proxy_log}), WASI names ({@code
     *     fd_write}) and callback names ({@code proxy_on_request_headers})
     * @return this builder
     */
    public Builder allowedCapabilities(Set<String> allowedCapabilities) {
      this.allowedCapabilities = allowedCapabilities;
      return this;
    }

    /**
     * Sets the WASI environment.
     *
     * @param environment names to values, in order
     * @return this builder
     */
    public Builder environment(Map<String, String> environment) {
      this.environment = environment;
      return this;
    }

    /**
     * Sets the plugin's log level.
     *
     * @param logLevel the level
     * @return this builder
     */
    public Builder logLevel(LogLevel logLevel) {
      this.logLevel = logLevel;
      return this;
    }

    /**
     * Sets how long one call into the plugin (a callback, a start function) may run. A plugin stuck
     * in a loop is stopped after this time: its VM fails and the stream gets the fail policy. Zero
     * disables the deadline (not recommended: a looping plugin then blocks its worker forever).
     *
     * @param callDeadline the deadline
     * @return this builder
     */
    public Builder callDeadline(Duration callDeadline) {
      this.callDeadline = callDeadline;
      return this;
    }

    /**
     * Sets the most linear memory each VM of the plugin may have: growing past it fails inside the
     * plugin ({@code memory.grow} returns -1).
     *
     * @param memoryLimitBytes the limit in bytes
     * @return this builder
     */
    public Builder memoryLimitBytes(long memoryLimitBytes) {
      this.memoryLimitBytes = memoryLimitBytes;
      return this;
    }

    /**
     * Sets the most body data one body callback may be given. When an embedder has buffered more
     * (because the plugin asked it to buffer), the stream gets Envoy's answer instead: a local 413
     * for a request, 500 for a response.
     *
     * @param bodyBufferLimitBytes the limit in bytes
     * @return this builder
     */
    public Builder bodyBufferLimitBytes(long bodyBufferLimitBytes) {
      this.bodyBufferLimitBytes = bodyBufferLimitBytes;
      return this;
    }

    /**
     * Sets what the plugin's vm_id may keep in shared data, and in the items waiting in its shared
     * queues, instead of the host's quota: past it the host call answers {@code InternalFailure}
     * and the rejection is counted. All the plugins of one vm_id loaded at the same time must ask
     * for the same quota (see {@link StoreQuota}).
     *
     * @param quota the quota, applied to each store separately
     * @return this builder
     */
    public Builder storeQuota(StoreQuota quota) {
      this.storeQuota = Objects.requireNonNull(quota, "quota");
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     */
    public PluginConfig build() {
      return new PluginConfig(
          name,
          rootId,
          vmId,
          runtime,
          code,
          vmConfiguration,
          pluginConfiguration,
          failPolicy,
          allowedCapabilities,
          environment,
          logLevel,
          callDeadline,
          memoryLimitBytes,
          bodyBufferLimitBytes,
          java.util.Optional.ofNullable(storeQuota));
    }
  }
}
