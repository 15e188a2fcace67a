package io.proxywasm.gateway;

import io.proxywasm.gateway.Gateway.SpecSource;
import io.proxywasm.gateway.config.ConfigException;
import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.gateway.config.GatewaySpec.ListenerSpec;
import io.proxywasm.gateway.config.GatewaySpec.PluginSpec;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.remote.RemoteCodeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners' wasm filters, one generation after another: the first is loaded at start, the next
 * on each reload (asked by the admin listener, or when a watched code or configuration file
 * changes). A generation replaces the last only once all of its plugins have loaded; the old one
 * closes when its last stream ends ({@link LivePlugin}).
 */
final class PluginGenerations {
  // logged under the gateway's name, as before the plugins had a class of their own
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Gateway gateway;
  private final SpecSource reloadSource;
  private final Object reloadLock = new Object();
  private int generation;
  private long watchTimer = -1;
  private Map<Path, FileTime> watched = Map.of();

  /**
   * Manages the plugins of a gateway.
   *
   * @param gateway the gateway
   * @param reloadSource where a reload reads the configuration, or null
   */
  PluginGenerations(Gateway gateway, SpecSource reloadSource) {
    this.gateway = gateway;
    this.reloadSource = reloadSource;
  }

  int generation() {
    return generation;
  }

  /**
   * Loads the first generation: every listener's filters, each plugin passing its canary.
   *
   * @param external the first listener's plugin loaded elsewhere, or null
   */
  void start(Plugin external) throws ConfigException {
    generation = 1;
    List<ListenerRuntime> listeners = gateway.listeners;
    for (int i = 0; i < listeners.size(); i++) {
      ListenerRuntime lr = listeners.get(i);
      if (i == 0 && external != null) {
        lr.plugin.set(new LivePlugin(List.of(external), generation, false));
      } else if (!lr.spec.plugins().isEmpty()) {
        lr.plugin.set(new LivePlugin(loadAll(lr.spec, i, true), generation, true));
      }
    }
  }

  /**
   * Loads a listener's filters in order; if one fails, those already loaded are closed. Remote code
   * is downloaded first: at start a download that fails leaves that plugin unavailable (its fail
   * policy answers its streams, as Envoy does for a VM it could not create); in a reload it fails
   * the reload, and the running generation stays.
   */
  private List<Plugin> loadAll(ListenerSpec l, int index, boolean atStart) throws ConfigException {
    List<Plugin> loaded = new ArrayList<>();
    try {
      for (PluginSpec p : l.plugins()) {
        PluginConfig config;
        try {
          config = gateway.remoteCodes.resolve(p);
        } catch (RemoteCodeException e) {
          if (!atStart) {
            throw new ConfigException(failure(p.config(), index, e.getMessage()), e);
          }
          loaded.add(gateway.host.unavailable(p.config(), e.getMessage()));
          continue;
        }
        loaded.add(load(config, index));
      }
    } catch (ConfigException | RuntimeException e) {
      loaded.forEach(Plugin::close);
      throw e;
    }
    return loaded;
  }

  private Plugin load(PluginConfig config, int listener) throws ConfigException {
    try {
      return gateway.host.load(config);
    } catch (PluginLoadException e) {
      throw new ConfigException(failure(config, listener, e.getMessage()), e);
    }
  }

  private String failure(PluginConfig config, int listener, String why) {
    return "listener "
        + gateway.spec().listeners().get(listener).name()
        + ": plugin "
        + config.name()
        + " did not load: "
        + why;
  }

  /** Reloads when a plugin's code or configuration file changes, checked every second. */
  void watch(GatewaySpec s) {
    watched = watchedFiles(s);
    watchTimer = gateway.vertx.setPeriodic(1000, t -> checkWatched());
  }

  /** Stops watching the files. */
  void stopWatching() {
    if (watchTimer >= 0) {
      gateway.vertx.cancelTimer(watchTimer);
    }
  }

  /**
   * Loads the next generation from the configuration read again, and puts it in place if every
   * plugin loaded ({@link Gateway#reload()}).
   *
   * @return what was reloaded, a line a listener
   */
  String reload() throws ConfigException {
    synchronized (reloadLock) {
      if (gateway.isClosed()) {
        throw new ConfigException("the gateway is shutting down");
      }
      if (reloadSource == null) {
        throw new ConfigException("this gateway has no configuration to reload from");
      }
      GatewaySpec next = reloadSource.load();
      List<ListenerRuntime> listeners = gateway.listeners;
      if (next.listeners().size() != listeners.size()) {
        throw new ConfigException(
            "the listeners changed ("
                + listeners.size()
                + " running, "
                + next.listeners().size()
                + " configured): restart to apply");
      }
      List<List<Plugin>> loaded = new ArrayList<>();
      try {
        for (int i = 0; i < next.listeners().size(); i++) {
          loaded.add(loadAll(next.listeners().get(i), i, false));
        }
      } catch (ConfigException | RuntimeException e) {
        loaded.forEach(ps -> ps.forEach(Plugin::close));
        throw e;
      }
      generation++;
      StringBuilder done = new StringBuilder();
      for (int i = 0; i < listeners.size(); i++) {
        ListenerRuntime lr = listeners.get(i);
        List<Plugin> ps = loaded.get(i);
        LivePlugin old =
            lr.plugin.getAndSet(ps.isEmpty() ? null : new LivePlugin(ps, generation, true));
        if (old != null) {
          old.retire();
        }
        done.append("listener ").append(lr.spec.name()).append(": ");
        if (ps.isEmpty()) {
          done.append("no plugin");
        } else {
          done.append(ps.size() == 1 ? "plugin " : "plugins ");
          for (int k = 0; k < ps.size(); k++) {
            done.append(k == 0 ? "" : ", ").append(ps.get(k).info().name());
          }
          done.append(" generation ").append(generation);
        }
        done.append('\n');
      }
      watched = watchedFiles(next);
      LOG.info("reloaded: {}", done.toString().trim().replace('\n', ';'));
      return done.toString();
    }
  }

  private static Map<Path, FileTime> watchedFiles(GatewaySpec s) {
    Map<Path, FileTime> m = new HashMap<>();
    for (ListenerSpec l : s.listeners()) {
      for (PluginSpec ps : l.plugins()) {
        for (Path p : new Path[] {ps.codeFile(), ps.configFile()}) {
          if (p != null) {
            m.put(p, mtime(p));
          }
        }
      }
    }
    return m;
  }

  private static FileTime mtime(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private void checkWatched() {
    boolean changed = false;
    for (Map.Entry<Path, FileTime> e : watched.entrySet()) {
      if (!mtime(e.getKey()).equals(e.getValue())) {
        changed = true;
      }
    }
    if (changed) {
      watched = watchedFiles(gateway.spec());
      gateway
          .vertx
          .executeBlocking(this::reload, false)
          .onFailure(
              e ->
                  LOG.warn(
                      "reload after a file change failed, the old plugins stay: {}",
                      e.getMessage()));
    }
  }
}
