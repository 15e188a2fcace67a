package io.proxywasm.spi;

import java.util.Optional;

/** Who closed a connection ({@code proxy_peer_type_t}, cpp-host's {@code CloseType}). */
public enum PeerType implements AbiCode {
  /** Not known. Code 0. */
  UNKNOWN(0),
  /** Closed by this proxy. Code 1. */
  LOCAL(1),
  /** Closed by the peer. Code 2. */
  REMOTE(2);

  private static final java.util.List<Optional<PeerType>> BY_CODE = Codes.index(values());

  private final int code;

  PeerType(int code) {
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
  public static Optional<PeerType> fromCode(long code) {
    return Codes.find(BY_CODE, code);
  }
}
