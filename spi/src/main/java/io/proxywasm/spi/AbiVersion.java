package io.proxywasm.spi;

import java.util.Optional;

/**
 * A version of the proxy-wasm ABI. A module declares its version by exporting a marker function
 * named {@link #marker()}; the marker is never called.
 */
public enum AbiVersion {
  /** ABI 0.1.0: two-argument header callbacks, {@code proxy_get_configuration}. */
  V0_1_0("0.1.0", "proxy_abi_version_0_1_0"),
  /** ABI 0.2.0: streams, {@code proxy_on_foreign_function}, configuration buffers. */
  V0_2_0("0.2.0", "proxy_abi_version_0_2_0"),
  /** ABI 0.2.1: adds {@code proxy_get_log_level}. The Null VM always runs this version. */
  V0_2_1("0.2.1", "proxy_abi_version_0_2_1");

  private final String text;
  private final String marker;

  AbiVersion(String text, String marker) {
    this.text = text;
    this.marker = marker;
  }

  /**
   * Returns the name of the export that marks a module as built for this version.
   *
   * @return the marker export name, for example {@code proxy_abi_version_0_2_1}
   */
  public String marker() {
    return marker;
  }

  /**
   * Returns the version as text.
   *
   * @return for example {@code 0.2.1}
   */
  @Override
  public String toString() {
    return text;
  }

  /**
   * Returns the version a marker export name stands for.
   *
   * @param exportName the name of a function export
   * @return the version, or empty if the name is not a marker
   */
  public static Optional<AbiVersion> fromMarker(String exportName) {
    for (AbiVersion v : values()) {
      if (v.marker.equals(exportName)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /**
   * Detects the version from a module's function exports, as proxy-wasm-cpp-host does: the first
   * function export, in export-section order, that is a marker decides.
   *
   * @param functionExportNames the names of the module's function exports, in section order
   * @return the version, or empty when no export is a marker
   */
  public static Optional<AbiVersion> detect(Iterable<String> functionExportNames) {
    for (String name : functionExportNames) {
      Optional<AbiVersion> v = fromMarker(name);
      if (v.isPresent()) {
        return v;
      }
    }
    return Optional.empty();
  }
}
