package io.proxywasm.gateway.config;

import static io.proxywasm.gateway.config.YamlNodes.convert;
import static io.proxywasm.gateway.config.YamlNodes.nz;
import static io.proxywasm.gateway.config.YamlNodes.stripTypePrefix;
import static io.proxywasm.gateway.config.YamlNodes.typed;
import static io.proxywasm.gateway.config.YamlNodes.unsupported;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proxywasm.gateway.config.DataSources.DataSource;
import io.proxywasm.gateway.config.GatewaySpec.PluginSpec;
import io.proxywasm.gateway.config.YamlNodes.Filter;
import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.PluginConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A wasm plugin's configuration, wherever it stands (an HTTP or network wasm filter, a singleton
 * service in {@code bootstrap_extensions}): the plugin, its VM and runtime, where the code comes
 * from, the environment, the fail policy and the allowed capabilities, into a {@link PluginConfig}.
 */
final class WasmReader {
  static final String WASM_SERVICE_TYPE = "envoy.extensions.wasm.v3.WasmService";

  /**
   * The wasm HTTP filter.
   *
   * @param config the plugin
   */
  record Wasm(PluginConfigYaml config) {}

  /**
   * A wasm plugin.
   *
   * @param name the name
   * @param rootId the root id
   * @param vmConfig the VM
   * @param configuration the plugin configuration
   * @param failOpen whether the plugin fails open
   * @param failurePolicy FAIL_CLOSED, FAIL_OPEN or FAIL_RELOAD
   * @param capabilityRestrictionConfig the allowed capabilities
   */
  record PluginConfigYaml(
      String name,
      String rootId,
      VmConfig vmConfig,
      JsonNode configuration,
      Boolean failOpen,
      String failurePolicy,
      CapabilityRestrictionConfig capabilityRestrictionConfig) {}

  /**
   * A VM.
   *
   * @param vmId the vm id
   * @param runtime the runtime
   * @param code the code
   * @param configuration the VM configuration
   * @param environmentVariables the environment
   * @param allowPrecompiled accepted, without effect
   */
  record VmConfig(
      String vmId,
      String runtime,
      AsyncDataSource code,
      JsonNode configuration,
      EnvironmentVariables environmentVariables,
      Boolean allowPrecompiled) {}

  /**
   * Where code comes from.
   *
   * @param local a local source
   * @param remote a remote source (refused)
   */
  record AsyncDataSource(DataSource local, JsonNode remote) {}

  /**
   * The environment of the VM.
   *
   * @param hostEnvKeys names read from the gateway's environment
   * @param keyValues fixed names and values
   */
  record EnvironmentVariables(List<String> hostEnvKeys, Map<String, String> keyValues) {}

  /**
   * Capability restrictions.
   *
   * @param allowedCapabilities the allowed names
   */
  record CapabilityRestrictionConfig(Map<String, JsonNode> allowedCapabilities) {}

  private final DataSources files;

  /**
   * Reads plugins whose code may come from files.
   *
   * @param files where code files are read from
   */
  WasmReader(DataSources files) {
    this.files = files;
  }

  /** A wasm filter: its typed_config of the given type holds the plugin. */
  PluginSpec filter(JsonNode typedConfig, String path, String type) throws ConfigException {
    return plugin(typed(typedConfig, path, type), path);
  }

  /** A singleton service: envoy.bootstrap.wasm with a WasmService, {@code singleton: true}. */
  PluginSpec service(Filter f, String path) throws ConfigException {
    if (!"envoy.bootstrap.wasm".equals(f.name())) {
      throw unsupported(path, "bootstrap extension", f.name(), "envoy.bootstrap.wasm");
    }
    String tp = path + ".typed_config";
    ObjectNode node = typed(f.typedConfig(), tp, WASM_SERVICE_TYPE);
    JsonNode singleton = node.remove("singleton");
    if (singleton == null || !singleton.isBoolean() || !singleton.asBoolean()) {
      throw new ConfigException(
          tp
              + ".singleton: only singleton services are supported (singleton: true); a service"
              + " per worker is not");
    }
    if (!node.has("config")) {
      throw new ConfigException(tp + ".config: required");
    }
    return plugin(node, tp);
  }

  /** The plugin of an unwrapped typed_config: under {@code config}, or the fields themselves. */
  private PluginSpec plugin(ObjectNode node, String path) throws ConfigException {
    PluginConfigYaml pc;
    String pp;
    if (node.has("config")) {
      pc = convert(node, Wasm.class, path).config();
      pp = path + ".config";
    } else {
      pc = convert(node, PluginConfigYaml.class, path);
      pp = path;
    }
    if (pc == null) {
      throw new ConfigException(path + ".config: required");
    }
    String name = nz(pc.name());
    PluginConfig.Builder b = PluginConfig.builder(name.isEmpty() ? "wasm" : name);
    b.rootId(nz(pc.rootId()));
    if (pc.vmConfig() == null) {
      throw new ConfigException(pp + ".vm_config: required");
    }
    Path codeFile = vm(pc.vmConfig(), pp + ".vm_config", b);
    if (pc.configuration() != null) {
      b.pluginConfiguration(any(pc.configuration(), pp + ".configuration"));
    }
    b.failPolicy(failPolicy(pc, pp));
    if (pc.capabilityRestrictionConfig() != null
        && pc.capabilityRestrictionConfig().allowedCapabilities() != null) {
      Set<String> caps =
          new HashSet<>(pc.capabilityRestrictionConfig().allowedCapabilities().keySet());
      b.allowedCapabilities(caps);
    }
    return new PluginSpec(b.build(), codeFile, null);
  }

  /**
   * The VM: id, runtime, code, configuration and environment.
   *
   * @return the file the code was read from, or null
   */
  private Path vm(VmConfig vm, String vp, PluginConfig.Builder b) throws ConfigException {
    b.vmId(nz(vm.vmId()));
    boolean nullVm = isNullVm(vm.runtime(), vp + ".runtime");
    if (nullVm) {
      b.runtime("null");
    }
    if (vm.code() == null) {
      throw new ConfigException(vp + ".code: required");
    }
    if (vm.code().remote() != null) {
      throw new ConfigException(vp + ".code.remote: remote code is not supported; use code.local");
    }
    if (vm.code().local() == null) {
      throw new ConfigException(vp + ".code.local: required");
    }
    byte[] code = files.data(vm.code().local(), vp + ".code.local");
    Path codeFile =
        vm.code().local().filename() != null ? files.file(vm.code().local().filename()) : null;
    if (nullVm) {
      String n = new String(code, StandardCharsets.UTF_8).trim();
      b.javaPlugin(n.startsWith("java:") ? n.substring(5) : n);
      codeFile = null;
    } else {
      b.code(code);
    }
    if (vm.configuration() != null) {
      b.vmConfiguration(any(vm.configuration(), vp + ".configuration"));
    }
    if (vm.environmentVariables() != null) {
      b.environment(environment(vm.environmentVariables(), vp + ".environment_variables"));
    }
    return codeFile;
  }

  /** Whether the runtime is the null VM (a Java plugin); Envoy's wasm runtimes run on ours. */
  private static boolean isNullVm(String runtime, String path) throws ConfigException {
    String r = runtime == null ? "envoy.wasm.runtime.v8" : runtime;
    return switch (r) {
      case "envoy.wasm.runtime.v8",
          "envoy.wasm.runtime.wamr",
          "envoy.wasm.runtime.wasmtime",
          "envoy.wasm.runtime.wavm" ->
          false;
      case "envoy.wasm.runtime.null" -> true;
      default ->
          throw new ConfigException(
              path
                  + ": unknown runtime "
                  + r
                  + " (supported: envoy.wasm.runtime.v8, .wamr, .wasmtime, .wavm run on the default"
                  + " wasm runtime; envoy.wasm.runtime.null runs a Java plugin)");
    };
  }

  /** The VM's environment: names from the gateway's environment, then fixed values. */
  private static Map<String, String> environment(EnvironmentVariables ev, String path)
      throws ConfigException {
    Map<String, String> env = new LinkedHashMap<>();
    if (ev.hostEnvKeys() != null) {
      for (String k : ev.hostEnvKeys()) {
        String v = System.getenv(k);
        if (v != null) {
          env.put(k, v);
        }
      }
    }
    if (ev.keyValues() != null) {
      for (Map.Entry<String, String> e : ev.keyValues().entrySet()) {
        if (env.containsKey(e.getKey())) {
          throw new ConfigException(
              path + ".key_values." + e.getKey() + ": also listed in host_env_keys");
        }
        env.put(e.getKey(), e.getValue());
      }
    }
    return env;
  }

  /** The fail policy: {@code fail_open} or {@code failure_policy}, fail closed by default. */
  private static FailPolicy failPolicy(PluginConfigYaml pc, String pp) throws ConfigException {
    FailPolicy policy =
        Boolean.TRUE.equals(pc.failOpen()) ? FailPolicy.FAIL_OPEN : FailPolicy.FAIL_CLOSED;
    if (pc.failurePolicy() == null) {
      return policy;
    }
    if (pc.failOpen() != null) {
      throw new ConfigException(pp + ".failure_policy: set either fail_open or failure_policy");
    }
    return switch (pc.failurePolicy()) {
      case "FAIL_OPEN" -> FailPolicy.FAIL_OPEN;
      case "FAIL_CLOSED", "FAIL_RELOAD", "UNSPECIFIED" -> FailPolicy.FAIL_CLOSED;
      default ->
          throw new ConfigException(
              pp
                  + ".failure_policy: "
                  + pc.failurePolicy()
                  + " is not one of FAIL_CLOSED, FAIL_OPEN, FAIL_RELOAD");
    };
  }

  /** An {@code Any} holding a google.protobuf.StringValue or BytesValue, or a plain string. */
  static byte[] any(JsonNode n, String path) throws ConfigException {
    if (n.isTextual()) {
      return n.asText().getBytes(StandardCharsets.UTF_8);
    }
    if (!n.isObject()) {
      throw new ConfigException(
          path + ": expected a google.protobuf.StringValue ({\"@type\", value})");
    }
    String type = n.path("@type").asText("");
    String t = stripTypePrefix(type);
    var it = n.fieldNames();
    while (it.hasNext()) {
      String f = it.next();
      if (!f.equals("@type") && !f.equals("value")) {
        throw new ConfigException(path + "." + f + ": unknown field");
      }
    }
    JsonNode value = n.get("value");
    if (value != null && !value.isTextual()) {
      throw new ConfigException(path + ".value: expected a string");
    }
    String v = value == null ? "" : value.asText();
    return switch (t) {
      case "google.protobuf.StringValue" -> v.getBytes(StandardCharsets.UTF_8);
      case "google.protobuf.BytesValue" -> {
        try {
          yield Base64.getMimeDecoder().decode(v);
        } catch (IllegalArgumentException e) {
          throw new ConfigException(path + ".value: not base64: " + e.getMessage(), e);
        }
      }
      default ->
          throw new ConfigException(
              path
                  + ".@type: "
                  + (type.isEmpty() ? "required" : "unsupported type " + type)
                  + " (supported: type.googleapis.com/google.protobuf.StringValue, BytesValue)");
    };
  }
}
