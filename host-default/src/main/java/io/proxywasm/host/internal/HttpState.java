package io.proxywasm.host.internal;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmResult;
import java.util.List;
import java.util.Optional;

/** The embedder-side state of one HTTP stream, as host calls see it. */
public final class HttpState implements StreamRole {
  private final HttpStreamListener listener;
  private final PropertyResolver properties;
  private final HeaderMap[] maps = new HeaderMap[4];
  private final BodyBuffer[] bodies = new BodyBuffer[2];
  private LocalResponse localResponse;

  /**
   * Creates the state.
   *
   * @param listener where decisions go
   * @param properties the stream's attributes
   */
  public HttpState(HttpStreamListener listener, PropertyResolver properties) {
    this.listener = listener;
    this.properties = properties;
  }

  /**
   * Sets the map the plugin sees for a header map type (0 to 3).
   *
   * @param type the type code
   * @param map the map
   */
  public void map(int type, HeaderMap map) {
    maps[type] = map;
  }

  /**
   * Sets the body the plugin sees for a direction.
   *
   * @param response false for the request body
   * @param body the buffer
   */
  public void body(boolean response, BodyBuffer body) {
    bodies[response ? 1 : 0] = body;
  }

  /**
   * Returns the local response sent, if any.
   *
   * @return the response
   */
  public Optional<LocalResponse> localResponse() {
    return Optional.ofNullable(localResponse);
  }

  @Override
  public HeaderMap headerMapOrNull(int type) {
    return maps[type];
  }

  @Override
  public Optional<BodyBuffer> buffer(int type) {
    return type <= 1 ? Optional.ofNullable(bodies[type]) : Optional.empty();
  }

  @Override
  public WasmResult continueStream(StreamType type) {
    if (type != StreamType.REQUEST && type != StreamType.RESPONSE) {
      return WasmResult.UNIMPLEMENTED;
    }
    listener.onResume(type);
    return WasmResult.OK;
  }

  @Override
  public WasmResult closeStream(StreamType type) {
    listener.onClose(type);
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
    return properties.get(path);
  }
}
