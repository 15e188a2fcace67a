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
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Compiled modules on disk, keyed by the module's SHA-256, in a directory per Chicory version (the
 * classes Chicory generates only work with the version that generated them). Each file carries a
 * SHA-256 of its content: a truncated or damaged file is deleted and the module compiled again. A
 * file that cannot be read or written is logged and otherwise ignored: the cache never fails a
 * load.
 *
 * <p>Each entry holds the full SHA-256 of the module it was compiled from, under its checksum; an
 * entry whose module hash is not the one asked for (an entry copied onto another module's name) is
 * refused with a warning and the module compiled again.
 *
 * <p>The files are classes the JVM will load and run. The cache refuses, with a warning, a
 * directory that is a symbolic link, is not owned by the process's user or is writable by its group
 * or others, and an entry that is a symbolic link or is not owned by the process's user; such a
 * cache is not used (the module is compiled) and nothing is written there.
 */
final class DiskCache {
  private static final System.Logger LOG = System.getLogger(DiskCache.class.getName());
  private static final byte[] MAGIC = {'P', 'W', 'J', 'C', 0, 0, 0, 2};
  private static final int DIGEST = 32;
  private static final Pattern SAFE_KEY = Pattern.compile("[0-9A-Za-z_-]{1,128}");

  private final Path directory;
  private final Supplier<UserPrincipal> processUser;
  private UserPrincipal user;

  DiskCache(Path root) {
    this(root, null);
  }

  /**
   * A cache that takes another user as the process's, for tests.
   *
   * @param root the cache root
   * @param processUser the user entries must belong to, or null for the process's own
   */
  DiskCache(Path root, Supplier<UserPrincipal> processUser) {
    this.directory = root.resolve("chicory-" + chicoryVersion());
    this.processUser = processUser;
  }

  /** The user the process runs as: looked up by name, else the owner of a file it creates. */
  private synchronized UserPrincipal user() throws IOException {
    if (user == null) {
      if (processUser != null) {
        user = processUser.get();
      } else {
        try {
          user =
              FileSystems.getDefault()
                  .getUserPrincipalLookupService()
                  .lookupPrincipalByName(System.getProperty("user.name"));
        } catch (IOException | UnsupportedOperationException e) {
          Path probe = Files.createTempFile(directory, ".owner-", ".tmp");
          try {
            user = Files.getOwner(probe, LinkOption.NOFOLLOW_LINKS);
          } finally {
            Files.deleteIfExists(probe);
          }
        }
      }
    }
    return user;
  }

  /**
   * Tells why the directory must not be used, or null if it may: a symbolic link, another user's,
   * or writable by others.
   */
  private String unsafeDirectory() throws IOException {
    BasicFileAttributes a =
        Files.readAttributes(directory, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.isSymbolicLink()) {
      return "is a symbolic link";
    }
    UserPrincipal owner = Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS);
    if (!owner.equals(user())) {
      return "is owned by " + owner.getName() + ", not by " + user().getName();
    }
    PosixFileAttributeView posix =
        Files.getFileAttributeView(
            directory, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (posix != null) {
      Set<PosixFilePermission> p = posix.readAttributes().permissions();
      if (p.contains(PosixFilePermission.GROUP_WRITE)
          || p.contains(PosixFilePermission.OTHERS_WRITE)) {
        return "is writable by other users";
      }
    }
    return null;
  }

  /** Tells why an entry must not be loaded, or null if it may. */
  private String unsafeEntry(Path file) throws IOException {
    BasicFileAttributes a =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.isSymbolicLink()) {
      return "is a symbolic link";
    }
    if (!a.isRegularFile()) {
      return "is not a regular file";
    }
    UserPrincipal owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS);
    if (!owner.equals(user())) {
      return "is owned by " + owner.getName() + ", not by " + user().getName();
    }
    return null;
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
   * @param key the module's hash, 64 hex digits
   * @return the classes, or empty when absent, unreadable, damaged, compiled from another module,
   *     or refused (such a file is deleted)
   */
  Optional<Map<String, byte[]>> load(String key) {
    Path file = file(key);
    byte[] content;
    try {
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      String refused = unsafeDirectory();
      if (refused != null) {
        LOG.log(
            Level.WARNING,
            "compiled module cache: directory {0} {1}; not used, compiling",
            directory,
            refused);
        return Optional.empty();
      }
      refused = unsafeEntry(file);
      if (refused != null) {
        LOG.log(
            Level.WARNING,
            "compiled module cache: {0} {1}; not loaded, compiling again",
            file,
            refused);
        delete(file);
        return Optional.empty();
      }
      try (SeekableByteChannel in =
          Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
        content = Channels.newInputStream(in).readAllBytes();
      }
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
      byte[] module = new byte[DIGEST];
      in.readFully(module);
      String compiledFrom = HexFormat.of().formatHex(module);
      if (!compiledFrom.equals(key)) {
        LOG.log(
            Level.WARNING,
            "compiled module cache: {0} was compiled from module {1}, not {2}; compiling again",
            file,
            compiledFrom,
            key);
        delete(file);
        return Optional.empty();
      }
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
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    byte[] module;
    try {
      module = HexFormat.of().parseHex(key);
    } catch (IllegalArgumentException e) {
      module = new byte[0];
    }
    if (module.length != DIGEST) {
      LOG.log(Level.WARNING, "compiled module cache: {0} is not a module hash; not stored", key);
      return;
    }
    Path temp = null;
    try {
      if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)
          && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createDirectories(
            directory,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(directory);
      }
      String refused = unsafeDirectory();
      if (refused != null) {
        LOG.log(
            Level.WARNING,
            "compiled module cache: directory {0} {1}; nothing written",
            directory,
            refused);
        return;
      }
      ByteArrayOutputStream payload = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(payload)) {
        out.write(module);
        out.writeInt(classes.size());
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
          out.writeUTF(e.getKey());
          out.writeInt(e.getValue().length);
          out.write(e.getValue());
        }
      }
      byte[] data = payload.toByteArray();
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
