package io.proxywasm.spi;

import java.util.Optional;

/** What the host does after a metadata callback; metadata always continues. */
public enum FilterMetadataStatus implements AbiCode {
  /** Continue with the next filter. Code 0. */
  CONTINUE(0);

  private static final java.util.List<Optional<FilterMetadataStatus>> BY_CODE =
      Codes.index(values());

  private final int code;

  FilterMetadataStatus(int code) {
    this.code = code;
  }

  @Override
  public int code() {
    return code;
  }

  /**
   * Returns the constant with the given ABI code.
   *
   * @param code a code as received from a plugin; any value
   * @return the constant, or empty if no constant has that code
   */
  public static Optional<FilterMetadataStatus> fromCode(long code) {
    return Codes.find(BY_CODE, code);
  }
}
