package io.proxywasm.host.internal.vm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The vm_key and plugin key digests, as proxy-wasm-cpp-host computes them. */
public final class Keys {
  private static final byte[] SEPARATOR = "||".getBytes(StandardCharsets.UTF_8);

  private Keys() {}

  /**
   * Returns the uppercase-hex SHA-256 of the parts joined by {@code ||}.
   *
   * @param parts the parts
   * @return 64 hex characters
   */
  public static String digest(byte[]... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
          sha.update(SEPARATOR);
        }
        sha.update(parts[i]);
      }
      return HexFormat.of().withUpperCase().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /**
   * Returns UTF-8 bytes.
   *
   * @param s a string
   * @return its bytes
   */
  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
