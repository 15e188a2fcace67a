package io.proxywasm.host.internal.wasi;

import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.WasmResult;
import java.util.Map;

/** What the WASI functions of one VM need from the host. */
public interface WasiContext {
  /**
   * Logs a line the plugin wrote to stdout or stderr.
   *
   * @param level info for stdout, error for stderr
   * @param message the line
   * @return the result of logging
   */
  WasmResult log(LogLevel level, String message);

  /**
   * Reports a host-side error about the plugin, as cpp-host's {@code context->error}.
   *
   * @param message the message
   */
  void error(String message);

  /**
   * Returns wall-clock time.
   *
   * @return nanoseconds since the Unix epoch
   */
  long realtimeNanos();

  /**
   * Returns monotonic time.
   *
   * @return nanoseconds from an arbitrary origin
   */
  long monotonicNanos();

  /**
   * Returns the environment {@code environ_get} exposes.
   *
   * @return names to values, in order
   */
  Map<String, String> environment();

  /**
   * Fills a buffer with random bytes.
   *
   * @param target the buffer
   */
  void randomBytes(byte[] target);
}
