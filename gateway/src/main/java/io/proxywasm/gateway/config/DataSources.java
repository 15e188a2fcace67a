package io.proxywasm.gateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Envoy's data sources: a file (relative names resolved against the base directory), an inline
 * string or inline base64 bytes.
 */
final class DataSources {
  /**
   * A data source.
   *
   * @param filename a file
   * @param inlineString text
   * @param inlineBytes base64 bytes
   */
  record DataSource(String filename, String inlineString, String inlineBytes) {}

  private final Path baseDir;

  /**
   * Resolves relative file names against a directory.
   *
   * @param baseDir the directory, or null for the working directory
   */
  DataSources(Path baseDir) {
    this.baseDir = baseDir;
  }

  /** The bytes of a data source; exactly one of its fields is set. */
  byte[] data(DataSource s, String path) throws ConfigException {
    int set =
        (s.filename() != null ? 1 : 0)
            + (s.inlineString() != null ? 1 : 0)
            + (s.inlineBytes() != null ? 1 : 0);
    if (set != 1) {
      throw new ConfigException(
          path + ": exactly one of filename, inline_string, inline_bytes is required");
    }
    if (s.inlineString() != null) {
      return s.inlineString().getBytes(StandardCharsets.UTF_8);
    }
    if (s.inlineBytes() != null) {
      try {
        return Base64.getMimeDecoder().decode(s.inlineBytes());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(path + ".inline_bytes: not base64: " + e.getMessage(), e);
      }
    }
    Path f = file(s.filename());
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new ConfigException(path + ".filename: cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  /** A file name as a path, relative ones against the base directory. */
  Path file(String name) {
    Path p = Path.of(name);
    return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p).normalize();
  }

  /** A data source that must be a readable file (a PEM certificate or key), as a path. */
  Path readableFile(DataSource s, String path) throws ConfigException {
    if (s == null || s.filename() == null || s.inlineString() != null || s.inlineBytes() != null) {
      throw new ConfigException(path + ".filename: required (a PEM file)");
    }
    Path f = file(s.filename());
    if (!Files.isReadable(f)) {
      throw new ConfigException(path + ".filename: cannot read " + f);
    }
    return f;
  }
}
