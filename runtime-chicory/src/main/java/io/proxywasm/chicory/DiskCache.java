package io.proxywasm.chicory;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Compiled modules on disk, keyed by the module's digest, in a directory per Chicory version (the
 * bytes are Chicory's serialised classes, which only the version that wrote them can read). Each
 * file carries a SHA-256 of its content: a truncated or damaged file is deleted and the module
 * compiled again. A file that cannot be read or written is logged and otherwise ignored: the cache
 * never fails a load.
 *
 * <p>The files are classes the JVM will load and run: the directory must be writable only by the
 * gateway's own user.
 */
final class DiskCache implements Cache {
  private static final System.Logger LOG = System.getLogger(DiskCache.class.getName());
  private static final byte[] MAGIC = {'P', 'W', 'J', 'C', 0, 0, 0, 1};
  private static final int DIGEST = 32;
  private static final Pattern SAFE_KEY = Pattern.compile("[0-9A-Za-z_-]{1,128}");

  private final Path directory;

  DiskCache(Path root) {
    this.directory = root.resolve("chicory-" + chicoryVersion());
  }

  Path directory() {
    return directory;
  }

  /** The version of Chicory's compiler on the module or class path. */
  static String chicoryVersion() {
    try (InputStream in =
        MachineFactoryCompiler.class.getResourceAsStream(
            "/META-INF/maven/com.dylibso.chicory/compiler/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version", "");
        if (SAFE_KEY.matcher(v.replace('.', '_')).matches()) {
          return v;
        }
      }
    } catch (IOException e) {
      // fall through
    }
    // Without a version, key by the compiler's own bytes' location: never reuse across builds.
    return "unknown-"
        + CodeSource.sha256(
                String.valueOf(MachineFactoryCompiler.class.getProtectionDomain().getCodeSource())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .substring(0, 16);
  }

  private Path file(String key) {
    String name =
        SAFE_KEY.matcher(key).matches()
            ? key
            : CodeSource.sha256(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return directory.resolve(name + ".classes");
  }

  /** Deletes an entry that could not be loaded. */
  void remove(String key, Throwable why) {
    Path file = file(key);
    LOG.log(
        Level.WARNING,
        "compiled module cache: {0} cannot be loaded ({1}); compiling again",
        file,
        why.toString());
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "compiled module cache: cannot delete {0}: {1}", file, e);
    }
  }

  @Override
  public byte[] get(String key) {
    Path file = file(key);
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      LOG.log(Level.WARNING, "compiled module cache: cannot read {0}: {1}", file, e.toString());
      return null;
    }
    int header = MAGIC.length + DIGEST;
    if (content.length < header
        || !Arrays.equals(content, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
        || !Arrays.equals(
            content,
            MAGIC.length,
            header,
            digest(content, header, content.length - header),
            0,
            DIGEST)) {
      LOG.log(Level.WARNING, "compiled module cache: {0} is damaged; compiling again", file);
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "compiled module cache: cannot delete {0}: {1}", file, e);
      }
      return null;
    }
    return Arrays.copyOfRange(content, header, content.length);
  }

  @Override
  public void putIfAbsent(String key, byte[] data) {
    Path file = file(key);
    if (Files.exists(file)) {
      return;
    }
    Path temp = null;
    try {
      Files.createDirectories(directory);
      temp = Files.createTempFile(directory, ".compiling-", ".tmp");
      ByteBuffer out = ByteBuffer.allocate(MAGIC.length + DIGEST + data.length);
      out.put(MAGIC).put(digest(data, 0, data.length)).put(data);
      Files.write(temp, out.array());
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
    } catch (IOException e) {
      LOG.log(Level.WARNING, "compiled module cache: cannot write {0}: {1}", file, e.toString());
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          LOG.log(Level.WARNING, "compiled module cache: cannot delete {0}: {1}", temp, e);
        }
      }
    }
  }

  private static byte[] digest(byte[] bytes, int offset, int length) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(bytes, offset, length);
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
