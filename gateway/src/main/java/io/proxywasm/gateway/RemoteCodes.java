package io.proxywasm.gateway;

import io.proxywasm.gateway.config.GatewaySpec.PluginSpec;
import io.proxywasm.gateway.config.GatewaySpec.RemoteCodeSpec;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.remote.RemoteCode;
import io.proxywasm.remote.RemoteCodeException;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The downloads of plugins whose code is remote ({@code vm_config.code.remote}): one {@link
 * RemoteCode} per retry policy and timeout, so that a module fetched once (by its SHA-256) is not
 * fetched again by a reload within the cache's time to live. Called off the event loops (start,
 * reload); thread-safe.
 */
final class RemoteCodes {
  private record Policy(int retries, Duration base, Duration max, Duration timeout) {}

  private final WasmExtension extension;
  private final Map<Policy, RemoteCode> loaders = new HashMap<>();

  RemoteCodes(WasmExtension extension) {
    this.extension = extension;
  }

  /**
   * The plugin's configuration with its code: as it is, or with the module downloaded.
   *
   * @throws RemoteCodeException naming the URL and what failed, after the retries
   */
  PluginConfig resolve(PluginSpec spec) throws RemoteCodeException {
    RemoteCodeSpec r = spec.remote();
    if (r == null) {
      return spec.config();
    }
    PluginConfig c = spec.config();
    byte[] code =
        loader(r)
            .fetch(
                r.uri(), r.sha256(), new PluginInfo(c.name(), c.rootId(), c.vmId(), c.runtime()));
    return c.withCode(code);
  }

  private synchronized RemoteCode loader(RemoteCodeSpec r) {
    return loaders.computeIfAbsent(
        new Policy(r.retries(), r.backoffBase(), r.backoffMax(), r.timeout()),
        p ->
            RemoteCode.builder(extension)
                .retries(p.retries())
                .backoff(p.base(), p.max())
                .timeout(p.timeout())
                .build());
  }
}
