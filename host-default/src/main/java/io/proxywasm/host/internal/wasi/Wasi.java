package io.proxywasm.host.internal.wasi;

import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.LinearMemory;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * WASI preview1, as proxy-wasm-cpp-host offers it to plugins: stdout and stderr go to the plugin's
 * log, clocks, randomness and the configured environment work, and the file system is absent.
 * Registered under both {@code wasi_snapshot_preview1} and {@code wasi_unstable}.
 */
public final class Wasi {
  /** The module names the functions are offered under. */
  public static final List<String> MODULES = List.of("wasi_snapshot_preview1", "wasi_unstable");

  static final int SUCCESS = 0;
  static final int BADF = 8;
  static final int EXIST = 20;
  static final int FAULT = 21;
  static final int INVAL = 28;
  static final int NOENT = 44;
  static final int NOSYS = 52;
  static final int NOTSUP = 58;
  static final int NOTCAPABLE = 76;
  static final int RANDOM_MAX = 65536;

  private Wasi() {}

  /** A WASI function body; memory faults are answered with {@code EFAULT}. */
  @FunctionalInterface
  private interface Impl {
    int call(LinearMemory vm, WasiContext ctx, long[] a);
  }

  private record Def(String name, String signature, Impl impl) {}

  /**
   * Returns every WASI function, under both module names.
   *
   * @param vm the VM whose memory they use
   * @param ctx the host side
   * @param allowed whether a bare WASI name (for example {@code fd_write}) is allowed
   * @return 90 host functions
   */
  public static List<HostFunction> functions(
      LinearMemory vm, WasiContext ctx, Predicate<String> allowed) {
    List<HostFunction> out = new ArrayList<>();
    for (String module : MODULES) {
      for (Def d : DEFS) {
        FunctionType type = type(d.signature());
        HostFunction.Body body =
            allowed.test(d.name()) ? bind(vm, ctx, d) : restricted(ctx, d.name(), type);
        out.add(new HostFunction(module, d.name(), type, body));
      }
    }
    return out;
  }

  /**
   * Returns the signature of a WASI function.
   *
   * @param name the bare name
   * @return the signature, or null if unknown
   */
  public static FunctionType typeOf(String name) {
    for (Def d : DEFS) {
      if (d.name().equals(name)) {
        return type(d.signature());
      }
    }
    return null;
  }

  private static HostFunction.Body bind(LinearMemory vm, WasiContext ctx, Def d) {
    if (d.name().equals("proc_exit")) {
      return a -> {
        ctx.error("wasi_unstable proc_exit");
        throw new ProcExitException((int) a[0]);
      };
    }
    return a -> {
      int errno;
      try {
        errno = d.impl().call(vm, ctx, a);
      } catch (MemoryAccessException e) {
        errno = FAULT;
      }
      return new long[] {errno};
    };
  }

  private static HostFunction.Body restricted(WasiContext ctx, String name, FunctionType type) {
    return a -> {
      ctx.error("Attempted call to restricted WASI capability: " + name);
      return type.results().isEmpty() ? null : new long[] {NOTCAPABLE};
    };
  }

  /** Signature letters: i = i32, I = i64; a trailing "v" means no result, else one i32. */
  private static FunctionType type(String signature) {
    List<ValueType> params = new ArrayList<>();
    boolean isVoid = signature.endsWith("v");
    String p = isVoid ? signature.substring(0, signature.length() - 1) : signature;
    for (char c : p.toCharArray()) {
      params.add(c == 'I' ? ValueType.I64 : ValueType.I32);
    }
    return FunctionType.of(params, isVoid ? List.of() : List.of(ValueType.I32));
  }

  private static long ptr(long arg) {
    return arg & 0xFFFF_FFFFL;
  }

  private static boolean stdio(long fd) {
    int f = (int) fd;
    return f == 1 || f == 2;
  }

  private static int write(LinearMemory vm, WasiContext ctx, long[] a) {
    int fd = (int) a[0];
    if (fd != 1 && fd != 2) {
      return BADF;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long iovs = ptr(a[1]);
    long count = ptr(a[2]);
    for (long i = 0; i < count; i++) {
      long buf = Integer.toUnsignedLong(vm.readInt(iovs + 8 * i));
      long len = Integer.toUnsignedLong(vm.readInt(iovs + 8 * i + 4));
      MemoryAccessException.checkBounds(buf, len, vm.size());
      bytes.writeBytes(vm.read(buf, (int) len));
    }
    int total = bytes.size();
    // cpp-host's writevImpl: anything written is logged, one trailing newline removed, so that a
    // lone newline logs an empty line
    if (total > 0) {
      String text = bytes.toString(StandardCharsets.UTF_8);
      if (text.endsWith("\n")) {
        text = text.substring(0, text.length() - 1);
      }
      if (ctx.log(fd == 1 ? LogLevel.INFO : LogLevel.ERROR, text) != WasmResult.OK) {
        return BADF;
      }
    }
    vm.writeInt(ptr(a[3]), total);
    return SUCCESS;
  }

  private static int environSizes(LinearMemory vm, WasiContext ctx, long[] a) {
    Map<String, String> env = ctx.environment();
    long size = 0;
    for (Map.Entry<String, String> e : env.entrySet()) {
      size +=
          e.getKey().getBytes(StandardCharsets.UTF_8).length
              + e.getValue().getBytes(StandardCharsets.UTF_8).length
              + 2;
    }
    vm.writeInt(ptr(a[0]), env.size());
    vm.writeInt(ptr(a[1]), (int) size);
    return SUCCESS;
  }

  private static int environ(LinearMemory vm, WasiContext ctx, long[] a) {
    long pointers = ptr(a[0]);
    long buf = ptr(a[1]);
    for (Map.Entry<String, String> e : ctx.environment().entrySet()) {
      byte[] entry = (e.getKey() + "=" + e.getValue() + "\0").getBytes(StandardCharsets.UTF_8);
      vm.writeInt(pointers, (int) buf);
      vm.write(buf, entry, 0, entry.length);
      pointers += 4;
      buf += entry.length;
    }
    return SUCCESS;
  }

  private static int clockTime(LinearMemory vm, WasiContext ctx, long[] a) {
    long now;
    switch ((int) a[0]) {
      case 0:
        now = ctx.realtimeNanos();
        break;
      case 1:
        now = ctx.monotonicNanos();
        break;
      default:
        return NOTSUP;
    }
    vm.writeLong(ptr(a[2]), now);
    return SUCCESS;
  }

  private static int clockRes(LinearMemory vm, long[] a) {
    int id = (int) a[0];
    if (id != 0 && id != 1) {
      return NOTSUP;
    }
    vm.writeLong(ptr(a[1]), 1);
    return SUCCESS;
  }

  private static int random(LinearMemory vm, WasiContext ctx, long[] a) {
    long len = ptr(a[1]);
    if (len > RANDOM_MAX) {
      return INVAL;
    }
    if (len == 0) {
      return SUCCESS;
    }
    MemoryAccessException.checkBounds(ptr(a[0]), len, vm.size());
    byte[] bytes = new byte[(int) len];
    ctx.randomBytes(bytes);
    vm.write(ptr(a[0]), bytes, 0, bytes.length);
    return SUCCESS;
  }

  private static int fdstat(LinearMemory vm, long[] a) {
    if (!stdio(a[0])) {
      return BADF;
    }
    long at = ptr(a[1]);
    MemoryAccessException.checkBounds(at, 24, vm.size());
    vm.writeLong(at, 0);
    vm.writeLong(at + 8, 64);
    vm.writeLong(at + 16, 0);
    return SUCCESS;
  }

  private static Impl stdioOnly(int otherwise) {
    return (vm, ctx, a) -> stdio(a[0]) ? otherwise : BADF;
  }

  private static Impl writeZeroThen(int argIndex, int errno) {
    return (vm, ctx, a) -> {
      vm.writeInt(ptr(a[argIndex]), 0);
      return errno;
    };
  }

  private static Impl constant(int errno) {
    return (vm, ctx, a) -> errno;
  }

  /** The names of the WASI functions offered, in table order. */
  public static final List<String> NAMES;

  private static final List<Def> DEFS =
      List.of(
          new Def("fd_write", "iiii", Wasi::write),
          new Def("fd_read", "iiii", constant(NOSYS)),
          new Def(
              "fd_seek",
              "iIii",
              (vm, ctx, a) -> {
                ctx.error("wasi_unstable fd_seek");
                return SUCCESS;
              }),
          new Def(
              "fd_close",
              "i",
              (vm, ctx, a) -> {
                ctx.error("wasi_unstable fd_close");
                return SUCCESS;
              }),
          new Def("fd_fdstat_get", "ii", (vm, ctx, a) -> fdstat(vm, a)),
          new Def("fd_fdstat_set_flags", "ii", constant(NOSYS)),
          new Def("fd_fdstat_set_rights", "iII", stdioOnly(SUCCESS)),
          new Def("fd_prestat_get", "ii", constant(BADF)),
          new Def("fd_prestat_dir_name", "iii", constant(NOSYS)),
          new Def("fd_filestat_get", "ii", constant(BADF)),
          new Def("fd_filestat_set_size", "iI", stdioOnly(SUCCESS)),
          new Def("fd_filestat_set_times", "iIIi", stdioOnly(SUCCESS)),
          new Def("fd_advise", "iIIi", constant(SUCCESS)),
          new Def("fd_allocate", "iII", stdioOnly(SUCCESS)),
          new Def("fd_datasync", "i", stdioOnly(SUCCESS)),
          new Def("fd_sync", "i", stdioOnly(SUCCESS)),
          new Def("fd_pread", "iiiIi", constant(NOSYS)),
          new Def(
              "fd_pwrite",
              "iiiIi",
              (vm, ctx, a) -> write(vm, ctx, new long[] {a[0], a[1], a[2], a[4]})),
          new Def("fd_readdir", "iiiIi", writeZeroThen(4, EXIST)),
          new Def("fd_renumber", "ii", (vm, ctx, a) -> stdio(a[0]) && stdio(a[1]) ? NOTSUP : BADF),
          new Def(
              "fd_tell",
              "ii",
              (vm, ctx, a) -> {
                if (!stdio(a[0])) {
                  return BADF;
                }
                vm.writeLong(ptr(a[1]), 0);
                return SUCCESS;
              }),
          new Def("path_open", "iiiiiIIii", constant(NOENT)),
          new Def("path_create_directory", "iii", constant(NOTSUP)),
          new Def("path_filestat_get", "iiiii", constant(NOTSUP)),
          new Def("path_filestat_set_times", "iiiiIIi", constant(NOTSUP)),
          // Real WASI arity (7 and 5 parameters); cpp-host declares 6 and 4, which makes modules
          // importing them fail to link. See docs/abi-notes.md.
          new Def("path_link", "iiiiiii", constant(NOTSUP)),
          new Def("path_readlink", "iiiiii", writeZeroThen(5, NOTSUP)),
          new Def("path_remove_directory", "iii", constant(NOTSUP)),
          new Def("path_rename", "iiiiii", constant(NOTSUP)),
          new Def("path_symlink", "iiiii", constant(NOTSUP)),
          new Def("path_unlink_file", "iii", constant(NOTSUP)),
          new Def("sock_accept", "iii", writeZeroThen(2, NOTSUP)),
          new Def(
              "sock_recv",
              "iiiiii",
              (vm, ctx, a) -> {
                vm.writeInt(ptr(a[4]), 0);
                vm.write(ptr(a[5]), new byte[2], 0, 2);
                return NOTSUP;
              }),
          new Def("sock_send", "iiiii", writeZeroThen(4, NOTSUP)),
          new Def("sock_shutdown", "ii", constant(NOTSUP)),
          new Def("environ_sizes_get", "ii", Wasi::environSizes),
          new Def("environ_get", "ii", Wasi::environ),
          new Def(
              "args_sizes_get",
              "ii",
              (vm, ctx, a) -> {
                vm.writeInt(ptr(a[0]), 0);
                vm.writeInt(ptr(a[1]), 0);
                return SUCCESS;
              }),
          new Def("args_get", "ii", constant(SUCCESS)),
          new Def("clock_time_get", "iIi", Wasi::clockTime),
          new Def("clock_res_get", "ii", (vm, ctx, a) -> clockRes(vm, a)),
          new Def("random_get", "ii", Wasi::random),
          new Def("sched_yield", "", constant(SUCCESS)),
          new Def("poll_oneoff", "iiii", writeZeroThen(3, SUCCESS)),
          new Def("proc_exit", "iv", constant(SUCCESS)));

  static {
    List<String> names = new ArrayList<>();
    for (Def d : DEFS) {
      names.add(d.name());
    }
    NAMES = List.copyOf(names);
  }
}
