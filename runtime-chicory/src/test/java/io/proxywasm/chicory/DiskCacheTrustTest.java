package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmProvider;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-disk cache loads only what it can trust: an entry bound to the module it was compiled
 * from, a real file of the process's user in a real directory of the process's user.
 */
class DiskCacheTrustTest {
  private static final AtomicLong NONCE = new AtomicLong(System.nanoTime() ^ 0x5eed);

  private static byte[] uniqueModule() {
    return Wat.wasm(
        "(module (func (export \"answer\") (result i32) i32.const "
            + (NONCE.incrementAndGet() & 0x3fff_ffff)
            + "))");
  }

  private static long answer(WasmVmProvider provider, byte[] module) {
    try (WasmVm vm = provider.create(new RecordingIntegration())) {
      vm.load(module);
      vm.link("test");
      return vm.function("answer", FunctionType.i32(0, 1)).orElseThrow().call()[0];
    }
  }

  private static long expected(byte[] module) {
    return answer(new ChicoryInterpreterProvider(), module);
  }

  private static Path entry(ChicoryCompilerProvider provider, byte[] module) {
    return provider.cacheDirectory().orElseThrow().resolve(CodeSource.sha256(module) + ".classes");
  }

  private static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void anEntryCopiedOntoAnotherModulesNameIsDetectedAndRecompiled(@TempDir Path root)
      throws Exception {
    ChicoryCompilerProvider provider =
        ChicoryCompilerProvider.builder().cacheDirectory(root).build();
    byte[] a = uniqueModule();
    byte[] b = uniqueModule();
    long wantB = expected(b);
    assertNotEquals(expected(a), wantB);
    answer(provider, a);
    answer(provider, b);
    Path entryA = entry(provider, a);
    Path entryB = entry(provider, b);
    byte[] goodB = Files.readAllBytes(entryB);
    Files.copy(entryA, entryB, StandardCopyOption.REPLACE_EXISTING);

    CodeSource.forgetShared();
    long compiled = CodeSource.COMPILATIONS.get();
    long loaded = CodeSource.DISK_LOADS.get();
    assertEquals(wantB, answer(provider, b), "b's code, not a's");
    assertEquals(1, CodeSource.COMPILATIONS.get() - compiled, "compiled again");
    assertEquals(0, CodeSource.DISK_LOADS.get() - loaded);
    assertArrayEquals(goodB, Files.readAllBytes(entryB), "rewritten for b");
  }

  @Test
  void aSymbolicLinkEntryIsRefused(@TempDir Path root, @TempDir Path elsewhere) throws Exception {
    ChicoryCompilerProvider provider =
        ChicoryCompilerProvider.builder().cacheDirectory(root).build();
    byte[] module = uniqueModule();
    long want = expected(module);
    answer(provider, module);
    Path entry = entry(provider, module);
    Path moved = Files.move(entry, elsewhere.resolve("entry.classes"));
    try {
      Files.createSymbolicLink(entry, moved);
    } catch (UnsupportedOperationException | IOException e) {
      Assumptions.abort("this file system has no symbolic links: " + e.getMessage());
    }
    CodeSource.forgetShared();
    long compiled = CodeSource.COMPILATIONS.get();
    long loaded = CodeSource.DISK_LOADS.get();
    assertEquals(want, answer(provider, module));
    assertEquals(1, CodeSource.COMPILATIONS.get() - compiled, "compiled, not loaded via the link");
    assertEquals(0, CodeSource.DISK_LOADS.get() - loaded);
    assertFalse(Files.isSymbolicLink(entry), "the link was replaced by a real entry");
    assertTrue(Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aSymbolicLinkCacheDirectoryIsNotUsed(@TempDir Path real, @TempDir Path linked)
      throws Exception {
    ChicoryCompilerProvider writer = ChicoryCompilerProvider.builder().cacheDirectory(real).build();
    byte[] module = uniqueModule();
    long want = expected(module);
    answer(writer, module);
    Path realDir = writer.cacheDirectory().orElseThrow();
    Path linkDir = linked.resolve(realDir.getFileName());
    try {
      Files.createSymbolicLink(linkDir, realDir);
    } catch (UnsupportedOperationException | IOException e) {
      Assumptions.abort("this file system has no symbolic links: " + e.getMessage());
    }
    List<Path> before = files(realDir);
    ChicoryCompilerProvider viaLink =
        ChicoryCompilerProvider.builder().cacheDirectory(linked).build();
    assertEquals(linkDir, viaLink.cacheDirectory().orElseThrow());
    CodeSource.forgetShared();
    long compiled = CodeSource.COMPILATIONS.get();
    long loaded = CodeSource.DISK_LOADS.get();
    assertEquals(want, answer(viaLink, module));
    assertEquals(1, CodeSource.COMPILATIONS.get() - compiled, "compiled, not loaded via the link");
    assertEquals(0, CodeSource.DISK_LOADS.get() - loaded);
    byte[] other = uniqueModule();
    answer(viaLink, other);
    assertEquals(before, files(realDir), "nothing written through the link");
  }

  private static UserPrincipal someoneElse() throws IOException {
    UserPrincipal me =
        FileSystems.getDefault()
            .getUserPrincipalLookupService()
            .lookupPrincipalByName(System.getProperty("user.name"));
    for (String name : new String[] {"nobody", "daemon", "root"}) {
      try {
        UserPrincipal p =
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(name);
        if (!p.equals(me)) {
          return p;
        }
      } catch (IOException e) {
        // try the next
      }
    }
    Assumptions.abort("no user other than " + me.getName() + " to test with");
    return me;
  }

  @Test
  void aCacheOfAnotherUserIsNeitherReadNorWritten(@TempDir Path root) throws Exception {
    DiskCache mine = new DiskCache(root);
    String hash = CodeSource.sha256(uniqueModule());
    mine.store(hash, Map.of(CodeSource.MAIN, "Main".getBytes(), "Main", new byte[] {1, 2, 3}));
    assertTrue(mine.load(hash).isPresent(), "the owner's own entry loads");

    UserPrincipal other = someoneElse();
    DiskCache theirs = new DiskCache(root, () -> other);
    assertTrue(theirs.load(hash).isEmpty(), "a directory of another user is not read");
    String second = CodeSource.sha256(uniqueModule());
    theirs.store(second, Map.of(CodeSource.MAIN, "Main".getBytes(), "Main", new byte[] {4}));
    assertFalse(
        Files.exists(mine.directory().resolve(second + ".classes")),
        "nor written: " + files(mine.directory()));
  }

  @Test
  void anEntryOwnedByAnotherUserIsRefused(@TempDir Path root) throws Exception {
    ChicoryCompilerProvider provider =
        ChicoryCompilerProvider.builder().cacheDirectory(root).build();
    byte[] module = uniqueModule();
    long want = expected(module);
    answer(provider, module);
    Path entry = entry(provider, module);
    UserPrincipal other = someoneElse();
    try {
      Files.setOwner(entry, other);
    } catch (IOException | UnsupportedOperationException e) {
      Assumptions.abort("cannot give a file to another user here: " + e.getMessage());
    }
    CodeSource.forgetShared();
    long compiled = CodeSource.COMPILATIONS.get();
    long loaded = CodeSource.DISK_LOADS.get();
    assertEquals(want, answer(provider, module));
    assertEquals(1, CodeSource.COMPILATIONS.get() - compiled, "compiled, not loaded");
    assertEquals(0, CodeSource.DISK_LOADS.get() - loaded);
  }
}
