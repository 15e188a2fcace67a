package io.proxywasm.host;

import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmResult;
import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The foreign functions Envoy registers for every plugin that need nothing but the arguments:
 * {@code compress} and {@code uncompress}. They are opt-in: an embedder that plays Envoy's part
 * registers them with {@link #registerZlib(ProxyWasmHost.Builder)} (the gateway does), others may.
 *
 * <ul>
 *   <li>{@code compress}: the argument bytes in the zlib format (RFC 1950) at zlib's default level,
 *       what zlib's {@code compress()} writes.
 *   <li>{@code uncompress}: the bytes of one zlib stream, inflated; bytes after the stream's end
 *       are ignored. Bytes that are not a whole zlib stream (empty, cut off, damaged, or needing a
 *       preset dictionary) answer {@link WasmResult#SERIALIZATION_FAILURE}, as in Envoy.
 * </ul>
 */
public final class EnvoyForeignFunctions {
  private EnvoyForeignFunctions() {}

  /** The name of the compressing function. */
  public static final String COMPRESS = "compress";

  /** The name of the inflating function. */
  public static final String UNCOMPRESS = "uncompress";

  /**
   * Registers {@code compress} and {@code uncompress} on a host builder.
   *
   * @param builder the builder
   * @return the builder
   */
  public static ProxyWasmHost.Builder registerZlib(ProxyWasmHost.Builder builder) {
    return builder
        .foreignFunction(COMPRESS, EnvoyForeignFunctions::compress)
        .foreignFunction(UNCOMPRESS, EnvoyForeignFunctions::uncompress);
  }

  /**
   * Envoy's {@code compress}: the bytes in the zlib format at the default level.
   *
   * @param caller the plugin calling (unused)
   * @param arguments the bytes to compress
   * @return the zlib stream
   */
  public static byte[] compress(PluginInfo caller, byte[] arguments) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try {
      d.setInput(arguments);
      d.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(arguments.length / 2 + 16);
      byte[] chunk = new byte[Math.max(64, Math.min(arguments.length + 16, 64 * 1024))];
      while (!d.finished()) {
        int n = d.deflate(chunk);
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } finally {
      d.end();
    }
  }

  /**
   * Envoy's {@code uncompress}: one zlib stream inflated.
   *
   * @param caller the plugin calling (unused)
   * @param arguments the zlib stream
   * @return the inflated bytes
   * @throws ForeignFunction.Failure with {@link WasmResult#SERIALIZATION_FAILURE} when the bytes
   *     are not a whole zlib stream
   */
  public static byte[] uncompress(PluginInfo caller, byte[] arguments)
      throws ForeignFunction.Failure {
    Inflater in = new Inflater();
    try {
      in.setInput(arguments);
      ByteArrayOutputStream out = new ByteArrayOutputStream(arguments.length * 2 + 2);
      byte[] chunk = new byte[Math.max(64, Math.min(arguments.length * 2 + 2, 64 * 1024))];
      while (!in.finished()) {
        int n = in.inflate(chunk);
        if (n == 0 && (in.needsInput() || in.needsDictionary())) {
          throw new ForeignFunction.Failure(
              WasmResult.SERIALIZATION_FAILURE, "the bytes are not a whole zlib stream");
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new ForeignFunction.Failure(
          WasmResult.SERIALIZATION_FAILURE, "the bytes are not a zlib stream: " + e.getMessage());
    } finally {
      in.end();
    }
  }
}
