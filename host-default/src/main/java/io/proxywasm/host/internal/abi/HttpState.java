package io.proxywasm.host.internal.abi;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.internal.vm.StreamRole;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The embedder-side state of one HTTP stream, as host calls see it.
 *
 * <p>Which maps and bodies a plugin can reach follows Envoy's {@code Context}: a map is there from
 * its callback until the callback returns Continue (or the plugin continues the stream); during
 * {@code proxy_on_log} the final request and response headers and response trailers can be read,
 * not changed.
 */
public final class HttpState implements StreamRole {
  private static final BodyBuffer NO_BODY = new BodyBuffer(new byte[0]);

  private final HttpStreamListener listener;
  private final PropertyResolver resolver;

  /** Created when the plugin first reads or sets a property. */
  private StreamProperties properties;

  /*
   * The last map of each type the stream passed (by type code: request headers 0, request trailers
   * 1, response headers 2, response trailers 3), kept for the access-log phase; and, one bit per
   * type in live, whether the plugin may still change it (from its callback until the callback
   * continues). Fields, not an array: a stream is opened on every request.
   */
  private HeaderMap requestHeaders;
  private HeaderMap requestTrailers;
  private HeaderMap responseHeaders;
  private HeaderMap responseTrailers;
  private byte live;

  private BodyBuffer requestBody;
  private BodyBuffer responseBody;
  private LocalResponse localResponse;
  private boolean logPhase;

  /**
   * Creates the state.
   *
   * @param listener where decisions go
   * @param properties the stream's attributes
   */
  public HttpState(HttpStreamListener listener, PropertyResolver properties) {
    this.listener = listener;
    this.resolver = properties;
  }

  private StreamProperties properties() {
    if (properties == null) {
      properties = new StreamProperties(resolver, listener::onPropertySet);
    }
    return properties;
  }

  /**
   * Makes a map available to the plugin for one of the stream's header map types, for its callback.
   *
   * @param type the request's or the response's headers or trailers
   * @param map the map
   */
  public void map(HeaderMapType type, HeaderMap map) {
    int code = type.code();
    switch (code) {
      case 0 -> requestHeaders = map;
      case 1 -> requestTrailers = map;
      case 2 -> responseHeaders = map;
      case 3 -> responseTrailers = map;
      default -> throw new IllegalArgumentException("a stream has no header map of type " + type);
    }
    live |= (byte) (1 << code);
  }

  /** The last map of a type (0 to 3) the stream passed, live or not; null if none arrived. */
  private HeaderMap last(int type) {
    return switch (type) {
      case 0 -> requestHeaders;
      case 1 -> requestTrailers;
      case 2 -> responseHeaders;
      case 3 -> responseTrailers;
      default -> null;
    };
  }

  /**
   * Ends the plugin's access to a map after its callback continued.
   *
   * @param type the request's or the response's headers or trailers
   */
  public void release(HeaderMapType type) {
    live &= (byte) ~(1 << type.code());
  }

  /**
   * Sets the body the plugin sees for a direction.
   *
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param body the buffer, or null once the callback continued
   */
  public void body(StreamType direction, BodyBuffer body) {
    if (direction == StreamType.RESPONSE) {
      responseBody = body;
    } else {
      requestBody = body;
    }
  }

  /**
   * Enters or leaves the access-log phase.
   *
   * @param on true while {@code proxy_on_log} runs
   */
  public void logPhase(boolean on) {
    logPhase = on;
  }

  /**
   * Returns the local response sent, if any.
   *
   * @return the response
   */
  public Optional<LocalResponse> localResponse() {
    return Optional.ofNullable(localResponse);
  }

  /**
   * Returns the properties the plugin set on this stream.
   *
   * @return path to value, a copy
   */
  public Map<List<String>, byte[]> propertiesSet() {
    return properties().snapshot();
  }

  @Override
  public HeaderMap headerMapOrNull(int type) {
    return (live & (1 << type)) != 0 ? last(type) : null;
  }

  @Override
  public HeaderMap readableHeaderMapOrNull(int type) {
    if ((live & (1 << type)) != 0 || (logPhase && type != 1)) {
      return last(type);
    }
    return null;
  }

  @Override
  public boolean inLogPhase() {
    return logPhase;
  }

  @Override
  public Optional<BodyBuffer> buffer(int type) {
    if (type > 1) {
      return Optional.empty();
    }
    // An absent body reads as an empty one (Envoy's buffer wrapper over no data).
    BodyBuffer b = type == 1 ? responseBody : requestBody;
    return Optional.of(b == null ? NO_BODY : b);
  }

  @Override
  public boolean bufferWritable(int type) {
    return type <= 1 && (type == 1 ? responseBody : requestBody) != null;
  }

  @Override
  public void releaseMaps(StreamType type) {
    if (type == StreamType.REQUEST) {
      live &= ~0b0011;
      requestBody = null;
    } else if (type == StreamType.RESPONSE) {
      live &= ~0b1100;
      responseBody = null;
    }
  }

  @Override
  public WasmResult continueStream(StreamType type) {
    if (type == StreamType.REQUEST || type == StreamType.RESPONSE) {
      listener.onResume(type);
    }
    return WasmResult.OK;
  }

  @Override
  public WasmResult closeStream(StreamType type) {
    if (type == StreamType.REQUEST || type == StreamType.RESPONSE) {
      listener.onClose(type);
    }
    return WasmResult.OK;
  }

  @Override
  public WasmResult sendLocalResponse(LocalResponse response) {
    if (localResponse != null) {
      return WasmResult.BAD_ARGUMENT;
    }
    localResponse = response;
    listener.onLocalResponse(response);
    return WasmResult.OK;
  }

  @Override
  public void failStream(StreamType type) {
    if (localResponse == null) {
      sendLocalResponse(new LocalResponse(503, new byte[0], List.of(), -1, "wasm_fail_stream"));
    }
  }

  @Override
  public Optional<byte[]> property(List<String> path) {
    Optional<byte[]> known = properties != null ? properties.get(path) : resolver.get(path);
    return known.isPresent() ? known : fromHeaders(path);
  }

  /**
   * The request and response attributes Envoy derives from the stream's headers, for an embedder
   * whose resolver does not answer them: {@code request.path}, {@code url_path}, {@code host},
   * {@code scheme}, {@code method}, {@code id}, {@code referer}, {@code useragent}, {@code
   * headers.<name>}; {@code response.code} (8-byte little-endian) and {@code
   * response.headers.<name>}.
   */
  private Optional<byte[]> fromHeaders(List<String> path) {
    if (path.size() < 2) {
      return Optional.empty();
    }
    boolean request = path.get(0).equals("request");
    if (!request && !path.get(0).equals("response")) {
      return Optional.empty();
    }
    HeaderMap headers = request ? requestHeaders : responseHeaders;
    if (headers == null) {
      return Optional.empty();
    }
    String attribute = path.get(1);
    if (path.size() == 3 && attribute.equals("headers")) {
      return bytes(headers.get(path.get(2)));
    }
    if (path.size() != 2) {
      return Optional.empty();
    }
    if (!request) {
      Optional<String> status = headers.get(":status");
      if (!attribute.equals("code") || status.isEmpty()) {
        return Optional.empty();
      }
      try {
        long code = Long.parseLong(status.get());
        return Optional.of(
            java.nio.ByteBuffer.allocate(8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(code)
                .array());
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    switch (attribute) {
      case "path":
        return bytes(headers.get(":path"));
      case "url_path":
        return bytes(
            headers.get(":path").map(p -> p.contains("?") ? p.substring(0, p.indexOf('?')) : p));
      case "host":
        return bytes(headers.get(":authority"));
      case "scheme":
        return bytes(headers.get(":scheme"));
      case "method":
        return bytes(headers.get(":method"));
      case "id":
        return bytes(headers.get("x-request-id"));
      case "referer":
        return bytes(headers.get("referer"));
      case "useragent":
        return bytes(headers.get("user-agent"));
      default:
        return Optional.empty();
    }
  }

  private static Optional<byte[]> bytes(Optional<String> value) {
    return value.map(v -> v.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  @Override
  public WasmResult setProperty(List<String> path, byte[] value) {
    properties().set(path, value);
    return WasmResult.OK;
  }

  @Override
  public Object listener() {
    return listener;
  }
}
