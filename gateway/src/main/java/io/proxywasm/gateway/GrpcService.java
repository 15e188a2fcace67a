package io.proxywasm.gateway;

import java.nio.charset.StandardCharsets;

/**
 * Where a plugin's gRPC call goes, read from the bytes it names the service with, as Envoy reads
 * them: a serialized {@code envoy.config.core.v3.GrpcService} when they parse as one with {@code
 * envoy_grpc} (its {@code cluster_name}, {@code authority} and {@code max_receive_message_length};
 * other fields are not read), else the name of a cluster.
 *
 * @param cluster the cluster's name
 * @param authority the call's {@code :authority}: the configured one, else the cluster's name
 * @param maxReceive the largest message the answer may carry, in bytes; 0 for no limit (Envoy's
 *     default)
 * @param googleGrpc whether the bytes name Google's gRPC client instead, which the gateway lacks
 */
record GrpcService(String cluster, String authority, long maxReceive, boolean googleGrpc) {

  /** The target of a plugin's service bytes. */
  static GrpcService of(byte[] service) {
    GrpcService parsed = parse(service);
    if (parsed != null) {
      return parsed;
    }
    String name = new String(service, StandardCharsets.UTF_8);
    return new GrpcService(name, name, 0, false);
  }

  /** The GrpcService the bytes encode, or null when they are not one with a target. */
  private static GrpcService parse(byte[] b) {
    ProtoWire top = new ProtoWire(b, 0, b.length);
    byte[] envoyGrpc = null;
    boolean google = false;
    while (top.more()) {
      long tag = top.tag();
      if (tag < 0) {
        return null;
      }
      int field = ProtoWire.field(tag);
      int type = ProtoWire.type(tag);
      if (field == 1 && type == 2) {
        envoyGrpc = top.bytes();
        if (envoyGrpc == null) {
          return null;
        }
      } else if (field == 2 && type == 2) {
        google = top.bytes() != null;
        if (!google) {
          return null;
        }
      } else if (!top.skip(type)) {
        return null;
      }
    }
    if (google && envoyGrpc == null) {
      return new GrpcService("", "", 0, true);
    }
    if (envoyGrpc == null) {
      return null;
    }
    String cluster = null;
    String authority = null;
    long max = 0;
    ProtoWire e = new ProtoWire(envoyGrpc, 0, envoyGrpc.length);
    while (e.more()) {
      long tag = e.tag();
      if (tag < 0) {
        return null;
      }
      int field = ProtoWire.field(tag);
      int type = ProtoWire.type(tag);
      if ((field == 1 || field == 2 || field == 4) && type == 2) {
        byte[] v = e.bytes();
        if (v == null) {
          return null;
        }
        if (field == 1) {
          cluster = new String(v, StandardCharsets.UTF_8);
        } else if (field == 2) {
          authority = new String(v, StandardCharsets.UTF_8);
        } else {
          // a google.protobuf.UInt32Value: its value is field 1
          ProtoWire w = new ProtoWire(v, 0, v.length);
          while (w.more()) {
            long t = w.tag();
            if (t < 0) {
              return null;
            }
            if (t == (1 << 3)) {
              long value = w.varint();
              if (value < 0) {
                return null;
              }
              max = value & 0xFFFFFFFFL;
            } else if (!w.skip(ProtoWire.type(t))) {
              return null;
            }
          }
        }
      } else if (!e.skip(type)) {
        return null;
      }
    }
    if (cluster == null || cluster.isEmpty()) {
      return null;
    }
    return new GrpcService(
        cluster, authority == null || authority.isEmpty() ? cluster : authority, max, false);
  }
}
