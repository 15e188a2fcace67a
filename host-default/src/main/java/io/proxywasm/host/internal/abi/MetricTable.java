package io.proxywasm.host.internal.abi;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.spi.WasmResult;
import java.util.HashMap;
import java.util.Map;

/**
 * The metrics a VM's plugins defined, by id, with Envoy's semantics. Ids carry the type in their
 * low two bits: counters 4, 8, 12...; gauges 5, 9, 13...; histograms 6, 10, 14....
 */
final class MetricTable {
  private static final int TYPE_MASK = 0x3;
  private static final int ID_INCREMENT = 0x4;

  private final WasmExtension extension;
  private final Map<Integer, Metric> byId = new HashMap<>();
  private final Map<String, Metric> byName = new HashMap<>();
  private final int[] next = {ID_INCREMENT, ID_INCREMENT + 1, ID_INCREMENT + 2};

  MetricTable(WasmExtension extension) {
    this.extension = extension;
  }

  /** An id, or why the metric could not be defined. */
  record Definition(WasmResult status, int id) {}

  /**
   * Defines a metric. Every definition gets a new id, and ids of one type and name share one stat,
   * as Envoy's {@code Context::defineMetric} does. A name the extension already holds with another
   * type is {@code BAD_ARGUMENT}; an extension that fails otherwise is {@code INTERNAL_FAILURE}:
   * neither fails the plugin's VM.
   */
  Definition define(MetricType type, String name, PluginInfo plugin) {
    String key = type.code() + ":" + name;
    Metric metric = byName.get(key);
    if (metric == null) {
      try {
        metric = extension.pluginMetric(type, name, plugin);
      } catch (IllegalArgumentException e) {
        return new Definition(WasmResult.BAD_ARGUMENT, 0);
      } catch (RuntimeException e) {
        return new Definition(WasmResult.INTERNAL_FAILURE, 0);
      }
      byName.put(key, metric);
    }
    int id = next[type.code()];
    next[type.code()] += ID_INCREMENT;
    byId.put(id, metric);
    return new Definition(WasmResult.OK, id);
  }

  /**
   * Whether an id's type bits say histogram or no type at all: such ids are {@code BAD_ARGUMENT}
   * for increment and get, before any look-up (Envoy's {@code incrementMetric}, {@code getMetric}).
   */
  private static boolean notCounterOrGauge(int id) {
    int bits = id & TYPE_MASK;
    return bits != MetricType.COUNTER.code() && bits != MetricType.GAUGE.code();
  }

  WasmResult increment(int id, long offset) {
    if (notCounterOrGauge(id)) {
      return WasmResult.BAD_ARGUMENT;
    }
    Metric m = byId.get(id);
    if (m == null) {
      return WasmResult.NOT_FOUND;
    }
    switch (typeOf(id)) {
      case COUNTER:
        if (offset <= 0) {
          return WasmResult.BAD_ARGUMENT;
        }
        m.add(offset);
        return WasmResult.OK;
      case GAUGE:
        m.add(offset);
        return WasmResult.OK;
      default:
        return WasmResult.BAD_ARGUMENT;
    }
  }

  WasmResult record(int id, long value) {
    Metric m = byId.get(id);
    if (m == null) {
      return WasmResult.NOT_FOUND;
    }
    switch (typeOf(id)) {
      case COUNTER:
        m.add(value);
        break;
      case GAUGE:
        m.set(value);
        break;
      default:
        m.record(value);
        break;
    }
    return WasmResult.OK;
  }

  /** The value of a metric, or why there is none. */
  record Reading(WasmResult status, long value) {}

  Reading get(int id) {
    if (notCounterOrGauge(id)) {
      return new Reading(WasmResult.BAD_ARGUMENT, 0);
    }
    Metric m = byId.get(id);
    if (m == null) {
      return new Reading(WasmResult.NOT_FOUND, 0);
    }
    return new Reading(WasmResult.OK, m.value());
  }

  private static MetricType typeOf(int id) {
    return MetricType.fromCode(id & TYPE_MASK).orElse(MetricType.HISTOGRAM);
  }
}
