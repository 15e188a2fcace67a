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
import io.proxywasm.gateway.config.GatewaySpec.RemoteCodeSpec;
import io.proxywasm.gateway.config.YamlNodes.Filter;
import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.remote.RemoteCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
   * @param remote a remote source
   */
  record AsyncDataSource(DataSource local, RemoteDataSource remote) {}

  /**
   * Envoy's {@code RemoteDataSource}.
   *
   * @param httpUri where the code is
   * @param sha256 its SHA-256 (required, as Envoy requires it)
   * @param retryPolicy how failed downloads are retried
   */
  record RemoteDataSource(HttpUri httpUri, String sha256, RetryPolicy retryPolicy) {}

  /**
   * Envoy's {@code HttpUri}.
   *
   * @param uri the URL
   * @param cluster the cluster the URL is reached through (required)
   * @param timeout how long the download may take (required)
   */
  record HttpUri(String uri, String cluster, String timeout) {}

  /**
   * Envoy's core {@code RetryPolicy}, as remote data sources use it.
   *
   * @param retryBackOff the wait between attempts
   * @param numRetries how many retries (Envoy's default: 1)
   */
  record RetryPolicy(BackoffStrategy retryBackOff, Integer numRetries) {}

  /**
   * Envoy's {@code BackoffStrategy}.
   *
   * @param baseInterval the first wait (required)
   * @param maxInterval the longest wait (default 10 times the base)
   */
  record BackoffStrategy(String baseInterval, String maxInterval) {}

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
  private final Set<String> clusters;

  /**
   * Reads plugins whose code may come from files or be downloaded.
   *
   * @param files where code files are read from
   * @param clusters the names of the configured clusters, which remote code must name
   */
  WasmReader(DataSources files, Set<String> clusters) {
    this.files = files;
    this.clusters = clusters;
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
    CodeOrigin code = vm(pc.vmConfig(), pp + ".vm_config", b);
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
    return new PluginSpec(b.build(), code.file(), null, code.remote());
  }

  /** Where a plugin's code came from: a file, or a download still to make; both null for inline. */
  private record CodeOrigin(Path file, RemoteCodeSpec remote) {}

  /**
   * The VM: id, runtime, code, configuration and environment.
   *
   * @return where the code came from
   */
  private CodeOrigin vm(VmConfig vm, String vp, PluginConfig.Builder b) throws ConfigException {
    b.vmId(nz(vm.vmId()));
    String runtime = runtime(vm.runtime(), vp + ".runtime");
    boolean nullVm = runtime.equals("null");
    b.runtime(runtime);
    if (vm.code() == null) {
      throw new ConfigException(vp + ".code: required");
    }
    if (vm.code().remote() != null) {
      if (vm.code().local() != null) {
        throw new ConfigException(vp + ".code: give either local or remote, not both");
      }
      if (nullVm) {
        throw new ConfigException(
            vp + ".code.remote: a Java plugin (envoy.wasm.runtime.null) is named by code.local");
      }
      RemoteCodeSpec remote = remote(vm.code().remote(), vp + ".code.remote");
      environmentAndConfiguration(vm, vp, b);
      return new CodeOrigin(null, remote);
    }
    if (vm.code().local() == null) {
      throw new ConfigException(vp + ".code: local or remote required");
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
    environmentAndConfiguration(vm, vp, b);
    return new CodeOrigin(codeFile, null);
  }

  private void environmentAndConfiguration(VmConfig vm, String vp, PluginConfig.Builder b)
      throws ConfigException {
    if (vm.configuration() != null) {
      b.vmConfiguration(any(vm.configuration(), vp + ".configuration"));
    }
    if (vm.environmentVariables() != null) {
      b.environment(environment(vm.environmentVariables(), vp + ".environment_variables"));
    }
  }

  /**
   * A remote data source, checked as Envoy checks it: an {@code http(s)} URI, a configured cluster,
   * a timeout and the SHA-256 are required; the retry policy defaults to one retry after a second
   * (Envoy's {@code RetryPolicy} defaults).
   */
  private RemoteCodeSpec remote(RemoteDataSource r, String path) throws ConfigException {
    HttpUri h = r.httpUri();
    if (h == null) {
      throw new ConfigException(path + ".http_uri: required");
    }
    String hp = path + ".http_uri";
    if (h.uri() == null || h.uri().isBlank()) {
      throw new ConfigException(hp + ".uri: required");
    }
    URI uri;
    try {
      uri = new URI(h.uri().strip());
    } catch (URISyntaxException e) {
      throw new ConfigException(hp + ".uri: " + h.uri() + " is not a URL", e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new ConfigException(hp + ".uri: " + h.uri() + " is not an http:// or https:// URL");
    }
    if (h.cluster() == null || h.cluster().isBlank()) {
      throw new ConfigException(hp + ".cluster: required");
    }
    if (!clusters.contains(h.cluster())) {
      throw new ConfigException(
          hp + ".cluster: no cluster named " + h.cluster() + " in static_resources.clusters");
    }
    if (h.timeout() == null) {
      throw new ConfigException(hp + ".timeout: required");
    }
    Duration timeout = YamlNodes.duration(h.timeout(), hp + ".timeout");
    if (timeout.isZero()) {
      throw new ConfigException(hp + ".timeout: must be more than 0s");
    }
    String sha = r.sha256();
    if (sha == null || sha.isBlank()) {
      throw new ConfigException(path + ".sha256: required for remote code");
    }
    if (!RemoteCode.isSha256(sha)) {
      throw new ConfigException(path + ".sha256: " + sha + " is not 64 hex digits");
    }
    int retries = 1;
    Duration base = Duration.ofSeconds(1);
    Duration max = null;
    RetryPolicy p = r.retryPolicy();
    if (p != null) {
      String pp = path + ".retry_policy";
      if (p.numRetries() != null) {
        if (p.numRetries() < 0) {
          throw new ConfigException(pp + ".num_retries: must not be negative");
        }
        retries = p.numRetries();
      }
      if (p.retryBackOff() != null) {
        String bp = pp + ".retry_back_off";
        if (p.retryBackOff().baseInterval() == null) {
          throw new ConfigException(bp + ".base_interval: required");
        }
        base = YamlNodes.duration(p.retryBackOff().baseInterval(), bp + ".base_interval");
        if (base.toMillis() < 1) {
          throw new ConfigException(bp + ".base_interval: must be at least 1ms");
        }
        if (p.retryBackOff().maxInterval() != null) {
          max = YamlNodes.duration(p.retryBackOff().maxInterval(), bp + ".max_interval");
          if (max.compareTo(base) < 0) {
            throw new ConfigException(bp + ".max_interval: must not be less than base_interval");
          }
        }
      }
    }
    return new RemoteCodeSpec(
        uri, h.cluster(), sha, timeout, retries, base, max == null ? base.multipliedBy(10) : max);
  }

  /**
   * The runtime to ask the host for: empty (the default wasm runtime) for Envoy's wasm runtimes,
   * {@code null} for Envoy's null VM (a Java plugin), or one of this project's runtime names as it
   * is ({@code chicory-compiler}, {@code chicory}, {@code asm}, {@code null}); whether it is
   * installed is checked when the plugin loads.
   */
  private static String runtime(String runtime, String path) throws ConfigException {
    String r = runtime == null ? "envoy.wasm.runtime.v8" : runtime;
    return switch (r) {
      case "envoy.wasm.runtime.v8",
          "envoy.wasm.runtime.wamr",
          "envoy.wasm.runtime.wasmtime",
          "envoy.wasm.runtime.wavm" ->
          "";
      case "envoy.wasm.runtime.null" -> "null";
      default -> {
        if (r.startsWith("envoy.") || !r.matches("[a-z0-9][a-z0-9._-]*")) {
          throw new ConfigException(
              path
                  + ": unknown runtime "
                  + r
                  + " (supported: envoy.wasm.runtime.v8, .wamr, .wasmtime, .wavm run on the default"
                  + " wasm runtime; envoy.wasm.runtime.null runs a Java plugin; or a runtime of"
                  + " this gateway by name: chicory-compiler, chicory, asm, null)");
        }
        yield r;
      }
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
