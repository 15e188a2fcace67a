package io.proxywasm.spi;

import java.util.Optional;

/** A gRPC status code, as passed to {@code proxy_on_grpc_close} and local replies. */
public enum GrpcStatus implements AbiCode {
  /** Code 0. */
  OK(0),
  /** Code 1. */
  CANCELED(1),
  /** Code 2. */
  UNKNOWN(2),
  /** Code 3. */
  INVALID_ARGUMENT(3),
  /** Code 4. */
  DEADLINE_EXCEEDED(4),
  /** Code 5. */
  NOT_FOUND(5),
  /** Code 6. */
  ALREADY_EXISTS(6),
  /** Code 7. */
  PERMISSION_DENIED(7),
  /** Code 8. */
  RESOURCE_EXHAUSTED(8),
  /** Code 9. */
  FAILED_PRECONDITION(9),
  /** Code 10. */
  ABORTED(10),
  /** Code 11. */
  OUT_OF_RANGE(11),
  /** Code 12. */
  UNIMPLEMENTED(12),
  /** Code 13. */
  INTERNAL(13),
  /** Code 14. */
  UNAVAILABLE(14),
  /** Code 15. */
  DATA_LOSS(15),
  /** Code 16. */
  UNAUTHENTICATED(16),
  /** Code -1: no gRPC status (a local reply without a {@code grpc-status} header). */
  INVALID_CODE(-1);

  private static final java.util.List<Optional<GrpcStatus>> BY_CODE = Codes.index(values());

  private final int code;

  GrpcStatus(int code) {
    this.code = code;
  }

  @Override
  public int code() {
    return code;
  }

  /**
   * Returns the constant with the given code. Any code outside 0..16 other than -1 has no constant;
   * Envoy treats such codes as "no gRPC status".
   *
   * @param code a code as received from a plugin, sign-extended from i32
   * @return the constant, or empty
   */
  public static Optional<GrpcStatus> fromCode(long code) {
    return code == -1 ? Optional.of(INVALID_CODE) : Codes.find(BY_CODE, code);
  }
}
