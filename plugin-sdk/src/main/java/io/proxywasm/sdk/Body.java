package io.proxywasm.sdk;

import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.HostCall;
import io.proxywasm.spi.HostResult;
import io.proxywasm.spi.WasmResult;
import java.nio.charset.StandardCharsets;

/**
 * A body or data buffer of a stream, as buffered so far by the host: an HTTP request or response
 * body, or the downstream or upstream data of a TCP connection.
 */
public final class Body {
  private final Context context;
  private final BufferType type;

  Body(Context context, BufferType type) {
    this.context = context;
    this.type = type;
  }

  /**
   * Returns which buffer this is.
   *
   * @return the buffer type
   */
  public BufferType type() {
    return type;
  }

  /**
   * Returns the number of bytes buffered ({@code proxy_get_buffer_status}).
   *
   * @return the length, 0 when the buffer is absent
   */
  public long length() {
    return context.host().bufferLength(type).orElse(0);
  }

  /**
   * Returns all buffered bytes.
   *
   * @return a copy of the bytes
   */
  public byte[] bytes() {
    return context.buffer(type);
  }

  /**
   * Returns a range of the buffered bytes ({@code proxy_get_buffer_bytes}).
   *
   * @param start the first byte
   * @param maxLength the most bytes returned
   * @return a copy, shorter at the end of the buffer
   */
  public byte[] bytes(long start, long maxLength) {
    HostResult<byte[]> r = context.host().bufferBytes(type, start, maxLength);
    if (r.status() == WasmResult.NOT_FOUND) {
      return new byte[0];
    }
    return Context.value(HostCall.GET_BUFFER_BYTES, r);
  }

  /**
   * Returns all buffered bytes as UTF-8 text.
   *
   * @return the text
   */
  public String text() {
    return new String(bytes(), StandardCharsets.UTF_8);
  }

  /**
   * Replaces {@code length} bytes at {@code start} with new bytes ({@code proxy_set_buffer_bytes}).
   * As in Envoy, only two positions are accepted: {@code start} 0 replaces the first {@code length}
   * bytes, and {@code start} at or past the end appends.
   *
   * @param start the first byte replaced
   * @param length how many bytes are replaced
   * @param data the new bytes
   * @throws HostCallException when the buffer cannot be changed in this callback, or {@code start}
   *     is inside the buffer
   */
  public void replace(long start, long length, byte[] data) {
    Context.check(
        HostCall.SET_BUFFER_BYTES, context.host().setBufferBytes(type, start, length, data));
  }

  /**
   * Replaces the whole buffer.
   *
   * @param data the new content
   */
  public void replaceAll(byte[] data) {
    replace(0, Math.max(length(), 0), data);
  }

  /**
   * Inserts bytes before the buffered ones.
   *
   * @param data the bytes
   */
  public void prepend(byte[] data) {
    replace(0, 0, data);
  }

  /**
   * Appends bytes after the buffered ones.
   *
   * @param data the bytes
   */
  public void append(byte[] data) {
    replace(length(), 0, data);
  }
}
