package io.proxywasm.spi;

import java.util.Objects;

/**
 * The outcome of a {@link HostAbi} call that yields a value: the status the ABI would return and,
 * when it is {@link WasmResult#OK}, the value the ABI would have copied into the plugin's memory.
 *
 * @param status the status code
 * @param value the value; {@code null} unless {@code status} is {@code OK}
 * @param <T> the type of the value
 */
public record HostResult<T>(WasmResult status, T value) {
  /**
   * Checks the pairing of status and value.
   *
   * @param status the status code
   * @param value the value; {@code null} unless {@code status} is {@code OK}
   */
  public HostResult {
    Objects.requireNonNull(status, "status");
    if (status == WasmResult.OK) {
      Objects.requireNonNull(value, "value of an OK result");
    } else if (value != null) {
      throw new IllegalArgumentException("a " + status + " result carries no value");
    }
  }

  /**
   * Returns a successful result.
   *
   * @param value the value
   * @param <T> its type
   * @return the result
   */
  public static <T> HostResult<T> ok(T value) {
    return new HostResult<>(WasmResult.OK, value);
  }

  /**
   * Returns a result without a value.
   *
   * @param status the status, not {@code OK}
   * @param <T> the type the value would have had
   * @return the result
   */
  public static <T> HostResult<T> failed(WasmResult status) {
    if (status == WasmResult.OK) {
      throw new IllegalArgumentException("an OK result needs a value");
    }
    return new HostResult<>(status, null);
  }

  /**
   * Tells whether the status is {@code OK}.
   *
   * @return true when there is a value
   */
  public boolean isOk() {
    return status == WasmResult.OK;
  }
}
