package io.proxywasm.host;

import io.proxywasm.spi.Header;
import io.proxywasm.spi.PluginInfo;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A gRPC callout a plugin opened with {@code proxy_grpc_call} (unary) or {@code proxy_grpc_stream}.
 *
 * @param service the target as the plugin gave it: an upstream name, or Envoy's serialized {@code
 *     GrpcService}; the handler decides how to read it
 * @param serviceName the fully qualified service, for example {@code helloworld.Greeter}
 * @param method the method, for example {@code SayHello}
 * @param initialMetadata the request metadata
 * @param message the request message of a unary call; empty for a stream
 * @param timeout the deadline of a unary call; zero for a stream
 * @param streaming whether this is a stream
 * @param plugin the plugin that made the call
 */
public record GrpcCallRequest(
    byte[] service,
    String serviceName,
    String method,
    List<Header> initialMetadata,
    byte[] message,
    Duration timeout,
    boolean streaming,
    PluginInfo plugin) {

  /**
   * Validates and copies the parts.
   *
   * @param service the target
   * @param serviceName the service
   * @param method the method
   * @param initialMetadata the metadata
   * @param message the request message
   * @param timeout the deadline
   * @param streaming whether this is a stream
   * @param plugin the plugin
   */
  public GrpcCallRequest {
    service = service.clone();
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(method, "method");
    initialMetadata = List.copyOf(initialMetadata);
    message = message.clone();
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(plugin, "plugin");
  }

  /**
   * Returns a copy of the target.
   *
   * @return the bytes the plugin passed as the service
   */
  @Override
  public byte[] service() {
    return service.clone();
  }

  /**
   * Returns a copy of the request message.
   *
   * @return the message
   */
  @Override
  public byte[] message() {
    return message.clone();
  }
}
