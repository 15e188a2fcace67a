package io.proxywasm.host;

import io.proxywasm.spi.WasmResult;
import java.util.Arrays;

/**
 * A mutable byte buffer: an HTTP body chunk or TCP data as a plugin sees it. The embedder passes
 * one in and reads the (possibly rewritten) bytes back after the callback. Not thread-safe.
 */
public final class BodyBuffer {
  private byte[] bytes;
  private int length;

  /**
   * Creates a buffer holding a copy of the given bytes.
   *
   * @param data the initial content
   */
  public BodyBuffer(byte[] data) {
    this.bytes = data.clone();
    this.length = data.length;
  }

  /** Creates an empty buffer. */
  public BodyBuffer() {
    this(new byte[0]);
  }

  /**
   * Returns the number of bytes.
   *
   * @return the length
   */
  public int length() {
    return length;
  }

  /**
   * Returns a copy of the content.
   *
   * @return the bytes
   */
  public byte[] bytes() {
    return Arrays.copyOf(bytes, length);
  }

  /**
   * Returns a copy of part of the content, clamped as {@code proxy_get_buffer_bytes} clamps it.
   *
   * @param start the first byte
   * @param maxLength the most bytes to return
   * @return the bytes; empty if {@code start} is at or past the end
   */
  public byte[] slice(long start, long maxLength) {
    if (start >= length || maxLength <= 0) {
      return new byte[0];
    }
    int from = (int) start;
    int n = (int) Math.min(maxLength, length - start);
    return Arrays.copyOfRange(bytes, from, from + n);
  }

  /**
   * Replaces the content.
   *
   * @param data the new content
   */
  public void set(byte[] data) {
    this.bytes = data.clone();
    this.length = data.length;
  }

  /**
   * Appends bytes.
   *
   * @param data the bytes to append
   */
  public void append(byte[] data) {
    ensure(length + data.length);
    System.arraycopy(data, 0, bytes, length, data.length);
    length += data.length;
  }

  /**
   * Applies {@code proxy_set_buffer_bytes} with Envoy's semantics: at {@code start == 0} drop the
   * first {@code size} bytes and insert {@code data} in their place; at {@code start >= length()}
   * append; anything else is {@link WasmResult#BAD_ARGUMENT}.
   *
   * @param start where to write
   * @param size how many bytes to replace at the start
   * @param data the new bytes
   * @return {@link WasmResult#OK} or {@link WasmResult#BAD_ARGUMENT}
   */
  public WasmResult replace(long start, long size, byte[] data) {
    if (start == 0) {
      int drop = (int) Math.min(Math.max(size, 0), length);
      byte[] next = new byte[length - drop + data.length];
      System.arraycopy(data, 0, next, 0, data.length);
      System.arraycopy(bytes, drop, next, data.length, length - drop);
      bytes = next;
      length = next.length;
      return WasmResult.OK;
    }
    if (start >= length) {
      append(data);
      return WasmResult.OK;
    }
    return WasmResult.BAD_ARGUMENT;
  }

  private void ensure(int capacity) {
    if (capacity > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(capacity, bytes.length * 2));
    }
  }

  @Override
  public String toString() {
    return "BodyBuffer[" + length + " bytes]";
  }
}
