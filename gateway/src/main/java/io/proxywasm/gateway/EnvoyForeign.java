package io.proxywasm.gateway;

import io.proxywasm.host.EnvoyForeignFunctions;
import io.proxywasm.host.ForeignFunction;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmResult;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The foreign functions Envoy registers that the gateway plays: {@code compress} and {@code
 * uncompress} (host-default's {@link EnvoyForeignFunctions}), {@code set_envoy_filter_state} and
 * {@code clear_route_cache} on the calling stream. Other names stay unknown ({@code NotFound}).
 */
final class EnvoyForeign {
  private EnvoyForeign() {}

  /** The filter state key whose object names the cluster a connection's TCP proxy connects to. */
  static final String TCP_PROXY_CLUSTER = "envoy.tcp_proxy.cluster";

  /** The filter state keys the gateway has an object factory for. */
  static final Set<String> FACTORIES = Set.of(TCP_PROXY_CLUSTER);

  /**
   * Registers the functions.
   *
   * @param b the host builder
   */
  static void register(ProxyWasmHost.Builder b) {
    EnvoyForeignFunctions.registerZlib(b);
    b.foreignFunction("set_envoy_filter_state", onStream(EnvoyForeign::setEnvoyFilterState));
    b.foreignFunction("clear_route_cache", onStream(EnvoyForeign::clearRouteCache));
  }

  /** A function of the calling stream. */
  @FunctionalInterface
  interface OnStream {
    byte[] call(Object stream, byte[] arguments) throws ForeignFunction.Failure;
  }

  private static ForeignFunction onStream(OnStream f) {
    return new ForeignFunction() {
      @Override
      public byte[] call(PluginInfo caller, byte[] arguments) throws Failure {
        return f.call(null, arguments);
      }

      @Override
      public byte[] call(PluginInfo caller, Object stream, byte[] arguments) throws Failure {
        return f.call(stream, arguments);
      }
    };
  }

  /**
   * Envoy's {@code set_envoy_filter_state}: the arguments are a serialized {@code
   * SetEnvoyFilterStateArguments} ({@code path} = 1, {@code value} = 2, {@code span} = 3). Bytes
   * that do not parse are {@code BadArgument}; a key with no object factory here, or a call with no
   * stream, is {@code NotFound}. The span is read and not used: the gateway keeps the object for
   * the stream the plugin calls from.
   */
  static byte[] setEnvoyFilterState(Object stream, byte[] arguments)
      throws ForeignFunction.Failure {
    Args a = Args.parse(arguments);
    if (a == null) {
      throw new ForeignFunction.Failure(
          WasmResult.BAD_ARGUMENT, "set_envoy_filter_state: the arguments do not parse");
    }
    if (!FACTORIES.contains(a.path)) {
      throw new ForeignFunction.Failure(
          WasmResult.NOT_FOUND, "set_envoy_filter_state: no object factory for " + a.path);
    }
    if (!(stream instanceof GatewayStream s)) {
      throw new ForeignFunction.Failure(
          WasmResult.NOT_FOUND, "set_envoy_filter_state: called with no stream");
    }
    s.setFilterState(a.path, a.value);
    return new byte[0];
  }

  /** Envoy's {@code clear_route_cache}: {@code Ok}, and the HTTP stream's route is picked again. */
  static byte[] clearRouteCache(Object stream, byte[] arguments) {
    if (stream instanceof GatewayStream s) {
      s.clearRouteCache();
    }
    return new byte[0];
  }

  /** The fields of a {@code SetEnvoyFilterStateArguments}. */
  private record Args(String path, byte[] value, long span) {
    static Args parse(byte[] bytes) {
      ProtoWire w = new ProtoWire(bytes, 0, bytes.length);
      String path = "";
      byte[] value = new byte[0];
      long span = 0;
      while (w.more()) {
        long tag = w.tag();
        if (tag < 0) {
          return null;
        }
        int field = ProtoWire.field(tag);
        int type = ProtoWire.type(tag);
        if ((field == 1 || field == 2) && type == 2) {
          byte[] v = w.bytes();
          if (v == null) {
            return null;
          }
          if (field == 1) {
            path = new String(v, StandardCharsets.UTF_8);
          } else {
            value = v;
          }
        } else if (field == 3 && type == 0) {
          span = w.varint();
          if (span < 0) {
            return null;
          }
        } else if (!w.skip(type)) {
          return null;
        }
      }
      return new Args(path, value, span);
    }
  }
}
