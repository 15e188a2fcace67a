package io.proxywasm.remote;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What every source checks: a module's SHA-256, and I/O failures told in words. */
final class ModuleBytes {
  private ModuleBytes() {}

  /** The SHA-256 of bytes in lower-case hex. */
  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Fails unless the module's hash is the one expected. */
  static void verify(URI source, String expected, String actual) throws RemoteCodeException {
    if (!actual.equals(expected)) {
      throw new RemoteCodeException(
          "module at " + source + " has sha256 " + actual + ", but " + expected + " was expected",
          null);
    }
  }

  /** An I/O failure in words. */
  static String describe(IOException e) {
    if (e instanceof HttpTimeoutException) {
      return "timed out";
    }
    if (e instanceof ConnectException) {
      return "connection refused";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? "input/output error" : m;
  }
}
