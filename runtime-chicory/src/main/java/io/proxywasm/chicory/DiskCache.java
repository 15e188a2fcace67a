package io.proxywasm.chicory;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Compiled modules on disk, keyed by the module's SHA-256, in a directory per Chicory version (the
 * classes Chicory generates only work with the version that generated them). Each file carries a
 * SHA-256 of its content: a truncated or damaged file is deleted and the module compiled again. A
 * file that cannot be read or written is logged and otherwise ignored: the cache never fails a
 * load.
 *
 * <p>The files are classes the JVM will load and run: the directory must be writable only by the
 * gateway's own user.
 */
final class DiskCache {
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
    delete(file);
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "compiled module cache: cannot delete {0}: {1}", file, e.toString());
    }
  }

  /**
   * Reads a module's classes, by name.
   *
   * @param key the module's hash
   * @return the classes, or empty when absent, unreadable or damaged (a damaged file is deleted)
   */
  Optional<Map<String, byte[]>> load(String key) {
    Path file = file(key);
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "compiled module cache: cannot read {0}: {1}", file, e.toString());
      return Optional.empty();
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
      delete(file);
      return Optional.empty();
    }
    try (DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(content, header, content.length - header))) {
      int count = in.readInt();
      Map<String, byte[]> classes = new LinkedHashMap<>();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        classes.put(name, bytes);
      }
      return Optional.of(classes);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "compiled module cache: {0} is damaged; compiling again", file);
      delete(file);
      return Optional.empty();
    }
  }

  /**
   * Writes a module's classes, unless another process already did; never fails.
   *
   * @param key the module's hash
   * @param classes the classes by name
   */
  void store(String key, Map<String, byte[]> classes) {
    Path file = file(key);
    if (Files.exists(file)) {
      return;
    }
    Path temp = null;
    try {
      ByteArrayOutputStream payload = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(payload)) {
        out.writeInt(classes.size());
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
          out.writeUTF(e.getKey());
          out.writeInt(e.getValue().length);
          out.write(e.getValue());
        }
      }
      byte[] data = payload.toByteArray();
      Files.createDirectories(directory);
      temp = Files.createTempFile(directory, ".compiling-", ".tmp");
      try (OutputStream out = Files.newOutputStream(temp)) {
        out.write(MAGIC);
        out.write(digest(data, 0, data.length));
        out.write(data);
      }
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
        delete(temp);
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
