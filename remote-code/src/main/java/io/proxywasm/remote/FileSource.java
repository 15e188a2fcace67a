package io.proxywasm.remote;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code file:} sources: a module is read only from under one of the configured roots, checked
 * before and after symbolic links are resolved, and only up to the size limit.
 */
final class FileSource {
  private final List<Path> roots;
  private final long maxBytes;

  FileSource(List<Path> roots, long maxBytes) {
    this.roots = List.copyOf(roots);
    this.maxBytes = maxBytes;
  }

  /** Reads a module, checking its hash if one is given. */
  byte[] read(URI source, String hash) throws RemoteCodeException {
    Path path = Path.of(source).toAbsolutePath().normalize();
    if (roots.isEmpty()) {
      throw new IllegalArgumentException(
          "module file "
              + path
              + " is not allowed: no file roots are configured (RemoteCode.Builder.fileRoot)");
    }
    if (!under(path, false)) {
      throw new IllegalArgumentException(
          "module file " + path + " is outside the allowed roots " + roots);
    }
    byte[] code;
    try {
      Path real = path.toRealPath();
      if (!under(real, true)) {
        throw new IllegalArgumentException(
            "module file "
                + path
                + " resolves to "
                + real
                + ", outside the allowed roots "
                + roots);
      }
      long size = Files.size(real);
      if (size > maxBytes) {
        throw new RemoteCodeException(
            "module " + path + " is " + size + " bytes, over the limit of " + maxBytes, null);
      }
      code = Files.readAllBytes(real);
    } catch (IOException e) {
      throw new RemoteCodeException(
          "cannot read module " + path + ": " + ModuleBytes.describe(e), e);
    }
    if (!hash.isEmpty()) {
      ModuleBytes.verify(source, hash, ModuleBytes.sha256(code));
    }
    return code;
  }

  private boolean under(Path path, boolean real) {
    for (Path root : roots) {
      Path r = root;
      if (real) {
        try {
          r = root.toRealPath();
        } catch (IOException e) {
          continue; // a root that does not exist holds nothing
        }
      }
      if (path.startsWith(r)) {
        return true;
      }
    }
    return false;
  }
}
