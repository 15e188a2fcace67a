package io.proxywasm.spi;

/**
 * Creates the {@link WasmExtension} a host uses. Stateless; found with {@link
 * java.util.ServiceLoader} or passed by hand to {@link Extensions#of}.
 */
public interface WasmExtensionProvider {
  /**
   * Returns the unique name of this extension, for example {@code envoy}.
   *
   * @return the name
   */
  String name();

  /**
   * Returns the preference for this extension when none is named: the highest wins.
   *
   * @return the priority; 0 by default
   */
  default int priority() {
    return 0;
  }

  /**
   * Creates an extension for one host.
   *
   * @return a new extension
   */
  WasmExtension create();
}
