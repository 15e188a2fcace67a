package io.proxywasm.testkit;

import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.Runtimes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One plugin of a {@link TestHost}: its name, root_id, vm_id, configurations, code and runtime, and
 * any other option of {@link PluginConfig.Builder}.
 */
public final class PluginSpec {
  String name;
  String runtime = "";
  byte[] code;
  JavaPlugin offered;
  final List<Consumer<PluginConfig.Builder>> config = new ArrayList<>();

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
   * Applies any change to the configuration builder; several calls apply in order, after the other
   * options of this spec given before them.
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
