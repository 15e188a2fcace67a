package io.proxywasm.spi;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The signature of a WebAssembly function.
 *
 * @param params the parameter types, in order
 * @param results the result types, in order (empty or one element for proxy-wasm functions)
 */
public record FunctionType(List<ValueType> params, List<ValueType> results) {

  /**
   * Creates a signature.
   *
   * @param params the parameter types
   * @param results the result types
   */
  public FunctionType {
    params = List.copyOf(params);
    results = List.copyOf(results);
  }

  /**
   * Returns a signature of {@code paramCount} i32 parameters and {@code resultCount} i32 results,
   * the shape of most of the ABI.
   *
   * @param paramCount how many i32 parameters
   * @param resultCount how many i32 results (0 or 1)
   * @return the signature
   */
  public static FunctionType i32(int paramCount, int resultCount) {
    ValueType[] p = new ValueType[paramCount];
    Arrays.fill(p, ValueType.I32);
    ValueType[] r = new ValueType[resultCount];
    Arrays.fill(r, ValueType.I32);
    return new FunctionType(List.of(p), List.of(r));
  }

  /**
   * Returns a signature from explicit types.
   *
   * @param params the parameter types
   * @param results the result types
   * @return the signature
   */
  public static FunctionType of(List<ValueType> params, List<ValueType> results) {
    return new FunctionType(params, results);
  }

  /**
   * Returns the signature in the form used by error messages, for example {@code (i32, i32) ->
   * (i32)}.
   *
   * @return the text form
   */
  @Override
  public String toString() {
    return join(params) + " -> " + join(results);
  }

  private static String join(List<ValueType> types) {
    return types.stream().map(ValueType::toString).collect(Collectors.joining(", ", "(", ")"));
  }
}
