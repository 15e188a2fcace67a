package io.proxywasm.host;

import io.proxywasm.spi.PluginInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A plugin that makes whatever host calls a test tells it to, from inside whatever callback the
 * host is running: in every callback it asks the foreign function {@code fuzz} for a program (a
 * list of host calls with their raw arguments, and stores into its own memory), runs it, and hands
 * each call's result to the foreign function {@code fuzz_result}. So the host functions are called
 * exactly as a real plugin calls them, through the runtime, with the plugin's memory.
 *
 * <p>Memory (5 pages): {@code 0..0x2000} is the test's scratch area (what {@link Program#poke}
 * writes, where pointers point); {@code 0x1F000} the driver's own constants; {@code 0x20000} the
 * program being run; {@code 0x30000..0x40000} the heap {@code malloc} hands out (wrapping around, 0
 * for more than 64 KiB); {@code 0x40000} the results.
 */
final class FuzzDriver {
  /** A host function the driver imports: its name and its parameters ({@code i} or {@code I}). */
  record Import(String name, String params) {}

  /** Every proxy-wasm host function of ABI 0.2.1, with its parameters (I is an i64). */
  static final List<Import> IMPORTS =
      List.of(
          new Import("proxy_log", "iii"),
          new Import("proxy_get_log_level", "i"),
          new Import("proxy_get_status", "iii"),
          new Import("proxy_set_property", "iiii"),
          new Import("proxy_get_property", "iiii"),
          new Import("proxy_continue_stream", "i"),
          new Import("proxy_close_stream", "i"),
          new Import("proxy_send_local_response", "iiiiiiii"),
          new Import("proxy_get_shared_data", "iiiii"),
          new Import("proxy_set_shared_data", "iiiii"),
          new Import("proxy_register_shared_queue", "iii"),
          new Import("proxy_resolve_shared_queue", "iiiii"),
          new Import("proxy_dequeue_shared_queue", "iii"),
          new Import("proxy_enqueue_shared_queue", "iii"),
          new Import("proxy_get_header_map_value", "iiiii"),
          new Import("proxy_add_header_map_value", "iiiii"),
          new Import("proxy_replace_header_map_value", "iiiii"),
          new Import("proxy_remove_header_map_value", "iii"),
          new Import("proxy_get_header_map_pairs", "iii"),
          new Import("proxy_set_header_map_pairs", "iii"),
          new Import("proxy_get_header_map_size", "ii"),
          new Import("proxy_get_buffer_status", "iii"),
          new Import("proxy_get_buffer_bytes", "iiiii"),
          new Import("proxy_set_buffer_bytes", "iiiii"),
          new Import("proxy_http_call", "iiiiiiiiii"),
          new Import("proxy_grpc_call", "iiiiiiiiiiii"),
          new Import("proxy_grpc_stream", "iiiiiiiii"),
          new Import("proxy_grpc_send", "iiii"),
          new Import("proxy_grpc_cancel", "i"),
          new Import("proxy_grpc_close", "i"),
          new Import("proxy_set_tick_period_milliseconds", "i"),
          new Import("proxy_get_current_time_nanoseconds", "i"),
          new Import("proxy_define_metric", "iiii"),
          new Import("proxy_increment_metric", "iI"),
          new Import("proxy_record_metric", "iI"),
          new Import("proxy_get_metric", "ii"),
          new Import("proxy_set_effective_context", "i"),
          new Import("proxy_done", ""),
          new Import("proxy_call_foreign_function", "iiiiii"));

  /** The op that stores an i64 into the scratch area instead of calling the host. */
  static final int POKE = IMPORTS.size();

  /** The op that traps ({@code unreachable}). */
  static final int TRAP = POKE + 1;

  /** Bytes of one op: its index, then 12 arguments as i64. */
  static final int OP_BYTES = 4 + 12 * 8;

  /** An argument the feed replaces, when it hands the program out, by the running context's id. */
  static final long THIS_CONTEXT = 0xC0DE_0000L;

  /** An argument replaced by the id of the context the previous program on the thread ran in. */
  static final long OTHER_CONTEXT = 0xC0DE_0001L;

  /** The end of the scratch area. */
  static final int SCRATCH = 0x2000;

  /** The size of the driver's memory. */
  static final int MEMORY = 5 * 65536;

  /**
   * The callbacks the driver runs programs in, by the code it passes to {@code fuzz}: index + 1.
   */
  static final List<String> CALLBACKS =
      List.of(
          "proxy_on_vm_start",
          "proxy_on_configure",
          "proxy_on_context_create",
          "proxy_on_request_headers",
          "proxy_on_request_body",
          "proxy_on_request_trailers",
          "proxy_on_response_headers",
          "proxy_on_response_body",
          "proxy_on_response_trailers",
          "proxy_on_log",
          "proxy_on_done",
          "proxy_on_delete",
          "proxy_on_tick",
          "proxy_on_queue_ready",
          "proxy_on_http_call_response",
          "proxy_on_new_connection",
          "proxy_on_downstream_data",
          "proxy_on_upstream_data",
          "proxy_on_downstream_connection_close",
          "proxy_on_upstream_connection_close",
          "proxy_on_grpc_receive",
          "proxy_on_grpc_close");

  private static volatile byte[] module;

  private FuzzDriver() {}

  /** The driver module, compiled once. */
  static byte[] module() {
    byte[] m = module;
    if (m == null) {
      m = TestSupport.watText(wat());
      module = m;
    }
    return m;
  }

  /** The callbacks' signatures: parameters, whether it returns an i32, what it returns. */
  private static String callback(String name) {
    switch (name) {
      case "proxy_on_vm_start":
      case "proxy_on_configure":
        return "2 1";
      case "proxy_on_context_create":
      case "proxy_on_queue_ready":
      case "proxy_on_downstream_connection_close":
      case "proxy_on_upstream_connection_close":
        return "2 -";
      case "proxy_on_request_headers":
      case "proxy_on_request_body":
      case "proxy_on_response_headers":
      case "proxy_on_response_body":
      case "proxy_on_downstream_data":
      case "proxy_on_upstream_data":
        return "3 0";
      case "proxy_on_request_trailers":
      case "proxy_on_response_trailers":
        return "2 0";
      case "proxy_on_log":
      case "proxy_on_delete":
      case "proxy_on_tick":
        return "1 -";
      case "proxy_on_done":
        return "1 1";
      case "proxy_on_new_connection":
        return "1 0";
      case "proxy_on_http_call_response":
        return "5 -";
      case "proxy_on_grpc_receive":
      case "proxy_on_grpc_close":
        return "3 -";
      default:
        throw new IllegalArgumentException(name);
    }
  }

  private static String wat() {
    StringBuilder w = new StringBuilder("(module\n");
    for (int i = 0; i < IMPORTS.size(); i++) {
      Import imp = IMPORTS.get(i);
      w.append("  (import \"env\" \"").append(imp.name()).append("\" (func $f").append(i);
      if (!imp.params().isEmpty()) {
        w.append(" (param");
        for (char c : imp.params().toCharArray()) {
          w.append(c == 'I' ? " i64" : " i32");
        }
        w.append(')');
      }
      w.append(" (result i32)))\n");
    }
    w.append(
        """
          (memory (export "memory") 5)
          (global $heap (mut i32) (i32.const 0x30000))
          (data (i32.const 0x1F000) "fuzz")
          (data (i32.const 0x1F010) "fuzz_result")
          (func (export "proxy_abi_version_0_2_1"))
          (func (export "malloc") (param $n i32) (result i32)
            (local $p i32)
            (if (i32.gt_u (local.get $n) (i32.const 0x10000)) (then (return (i32.const 0))))
            (if (i32.gt_u (i32.add (global.get $heap) (local.get $n)) (i32.const 0x40000))
              (then (global.set $heap (i32.const 0x30000))))
            (local.set $p (global.get $heap))
            (global.set $heap
              (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7))
                (i32.const -8)))
            (local.get $p))
          (func $run (param $cb i32) (param $ctx i32)
            (local $n i32) (local $i i32)
            (i32.store (i32.const 0x1F200) (local.get $cb))
            (i32.store (i32.const 0x1F204) (local.get $ctx))
            (i32.store (i32.const 0x1F100) (i32.const 0))
            (i32.store (i32.const 0x1F104) (i32.const 0))
            (drop (call $f38 (i32.const 0x1F000) (i32.const 4) (i32.const 0x1F200) (i32.const 8)
              (i32.const 0x1F100) (i32.const 0x1F104)))
            (local.set $n (i32.load (i32.const 0x1F104)))
            (if (i32.gt_u (local.get $n) (i32.const 0x10000)) (then (local.set $n (i32.const 0))))
            (if (i32.eqz (local.get $n)) (then (return)))
            (memory.copy (i32.const 0x20000) (i32.load (i32.const 0x1F100)) (local.get $n))
            (local.set $n (i32.div_u (local.get $n) (i32.const 100)))
            (block $end
              (loop $next
                (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
                (i32.store
                  (i32.add (i32.const 0x40000) (i32.shl (local.get $i) (i32.const 2)))
                  (call $op (i32.add (i32.const 0x20000) (i32.mul (local.get $i) (i32.const 100)))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
            (drop (call $f38 (i32.const 0x1F010) (i32.const 11) (i32.const 0x40000)
              (i32.shl (local.get $n) (i32.const 2)) (i32.const 0x1F100) (i32.const 0x1F104))))
        """);
    // $op: dispatch on the op's index; each import's arguments come from the record
    w.append("  (func $op (param $p i32) (result i32)\n    block $default\n");
    for (int i = TRAP; i >= 0; i--) {
      w.append("    block $b").append(i).append('\n');
    }
    w.append("    local.get $p\n    i32.load\n    br_table");
    for (int i = 0; i <= TRAP; i++) {
      w.append(" $b").append(i);
    }
    w.append(" $default\n");
    for (int i = 0; i < IMPORTS.size(); i++) {
      w.append("    end\n");
      String params = IMPORTS.get(i).params();
      for (int k = 0; k < params.length(); k++) {
        w.append("    local.get $p\n    i64.load offset=").append(4 + 8 * k).append('\n');
        if (params.charAt(k) == 'i') {
          w.append("    i32.wrap_i64\n");
        }
      }
      w.append("    call $f").append(i).append("\n    return\n");
    }
    // POKE: store arg 1 at (arg 0) within the scratch area
    w.append(
        """
            end
            local.get $p
            i64.load offset=4
            i32.wrap_i64
            i32.const 0x1FF8
            i32.and
            local.get $p
            i64.load offset=12
            i64.store
            i32.const 0
            return
            end
            unreachable
            end
            i32.const -1)
        """);
    for (int c = 0; c < CALLBACKS.size(); c++) {
      String name = CALLBACKS.get(c);
      String[] sig = callback(name).split(" ");
      int params = Integer.parseInt(sig[0]);
      w.append("  (func (export \"").append(name).append("\")");
      w.append(" (param").append(" i32".repeat(params)).append(')');
      if (!sig[1].equals("-")) {
        w.append(" (result i32)");
      }
      w.append(" (call $run (i32.const ").append(c + 1).append(") (local.get 0))");
      if (!sig[1].equals("-")) {
        w.append(" (i32.const ").append(sig[1]).append(')');
      }
      w.append(")\n");
    }
    return w.append(")\n").toString();
  }

  /** A list of ops for one callback. */
  static final class Program {
    private final ByteBuffer ops = ByteBuffer.allocate(0x10000).order(ByteOrder.LITTLE_ENDIAN);
    private final List<String> names = new ArrayList<>();
    private final List<String> described = new ArrayList<>();

    /**
     * Stores 8 bytes into the scratch area at {@code address & 0x1FF8}.
     *
     * @return this program
     */
    Program poke(int address, long value) {
      op(POKE, new long[] {address, value});
      names.add("poke");
      return this;
    }

    /** Stores bytes into the scratch area at an 8-aligned address. */
    Program poke(int address, byte[] bytes) {
      for (int i = 0; i < bytes.length; i += 8) {
        long v = 0;
        for (int k = 7; k >= 0; k--) {
          v = (v << 8) | (i + k < bytes.length ? bytes[i + k] & 0xFF : 0);
        }
        poke(address + i, v);
      }
      return this;
    }

    /** Traps. */
    Program trap() {
      op(TRAP, new long[0]);
      names.add("trap");
      return this;
    }

    /**
     * Calls a host function with raw arguments.
     *
     * @return this program
     */
    Program call(String name, long... args) {
      for (int i = 0; i < IMPORTS.size(); i++) {
        if (IMPORTS.get(i).name().equals(name)) {
          op(i, args);
          names.add(name);
          return this;
        }
      }
      throw new IllegalArgumentException("the driver does not import " + name);
    }

    /** Calls the host function of an index with raw arguments. */
    Program call(int index, long... args) {
      op(index, args);
      names.add(
          index < IMPORTS.size() ? IMPORTS.get(index).name() : index == POKE ? "poke" : "trap");
      return this;
    }

    private void op(int index, long[] args) {
      if (ops.remaining() < OP_BYTES) {
        throw new IllegalStateException("a program holds at most 655 ops");
      }
      StringBuilder d = new StringBuilder("(");
      int count =
          index < IMPORTS.size() ? IMPORTS.get(index).params().length() : index == POKE ? 2 : 0;
      for (int k = 0; k < count; k++) {
        long a = k < args.length ? args[k] : 0;
        d.append(k == 0 ? "" : ", ")
            .append(
                a == THIS_CONTEXT
                    ? "this context"
                    : a == OTHER_CONTEXT ? "other context" : "0x" + Long.toHexString(a));
      }
      described.add(d.append(')').toString());
      ops.putInt(index);
      for (int k = 0; k < 12; k++) {
        ops.putLong(k < args.length ? args[k] : 0);
      }
    }

    /** The host functions called, one per op, "poke" for a store. */
    List<String> names() {
      return List.copyOf(names);
    }

    int size() {
      return names.size();
    }

    byte[] bytes() {
      byte[] out = new byte[ops.position()];
      ops.duplicate().flip().get(out);
      return out;
    }

    /** The ops with their arguments, as a failing sample is reported. */
    @Override
    public String toString() {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < names.size(); i++) {
        out.append(i == 0 ? "" : ", ").append(names.get(i)).append(described.get(i));
      }
      return out.append(']').toString();
    }
  }

  /**
   * The two foreign functions: hands out the programs queued per callback, and records each run's
   * results. Register both on the host with {@link #install}. Programs are queued per thread and
   * taken by the callbacks that run on that thread, so that threads driving their own workers do
   * not take each other's programs.
   */
  static final class Feed {
    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);
    private final List<Run> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean keepRuns = true;

    /** A program that ran: where, and what each call answered. */
    record Run(String callback, int context, Program program, int[] results) {}

    private static final class State {
      final Map<Integer, java.util.ArrayDeque<Program>> programs = new java.util.HashMap<>();
      Program running;
      String callback;
      int context;
    }

    ProxyWasmHost.Builder install(ProxyWasmHost.Builder host) {
      return host.foreignFunction("fuzz", this::program).foreignFunction("fuzz_result", this::done);
    }

    /** Queues a program for the next time the callback runs on this thread. */
    void next(String callbackName, Program program) {
      int code = CALLBACKS.indexOf(callbackName) + 1;
      if (code == 0) {
        throw new IllegalArgumentException("the driver exports no " + callbackName);
      }
      state.get().programs.computeIfAbsent(code, k -> new java.util.ArrayDeque<>()).add(program);
    }

    /** Forgets this thread's queued programs and every run. */
    void clear() {
      state.get().programs.clear();
      runs.clear();
    }

    /** Whether to keep the runs (a stress test checks results itself and keeps none). */
    void keepRuns(boolean keep) {
      keepRuns = keep;
    }

    /** The programs that ran, in order. */
    List<Run> runs() {
      return List.copyOf(runs);
    }

    private byte[] program(PluginInfo caller, byte[] args) {
      if (args.length != 8) {
        return new byte[0];
      }
      ByteBuffer b = ByteBuffer.wrap(args).order(ByteOrder.LITTLE_ENDIAN);
      int code = b.getInt();
      State s = state.get();
      java.util.ArrayDeque<Program> queue = s.programs.get(code);
      Program p = queue == null ? null : queue.poll();
      if (p == null) {
        return new byte[0];
      }
      s.running = p;
      s.callback = CALLBACKS.get(code - 1);
      int previous = s.context;
      s.context = b.getInt();
      byte[] bytes = p.bytes();
      ByteBuffer ops = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      for (int op = 0; op + OP_BYTES <= bytes.length; op += OP_BYTES) {
        for (int at = op + 4; at < op + OP_BYTES; at += 8) {
          long arg = ops.getLong(at);
          if (arg == THIS_CONTEXT) {
            ops.putLong(at, s.context);
          } else if (arg == OTHER_CONTEXT) {
            ops.putLong(at, previous);
          }
        }
      }
      return bytes;
    }

    private byte[] done(PluginInfo caller, byte[] results) {
      State s = state.get();
      Program p = s.running;
      if (p == null) {
        return new byte[0];
      }
      s.running = null;
      int[] out = new int[results.length / 4];
      ByteBuffer.wrap(results).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
      Run run = new Run(s.callback, s.context, p, out);
      last.set(run);
      if (keepRuns) {
        runs.add(run);
      }
      return new byte[0];
    }

    private final ThreadLocal<Run> last = new ThreadLocal<>();

    /** The last run on this thread, if any. */
    java.util.Optional<Run> lastRun() {
      return java.util.Optional.ofNullable(last.get());
    }
  }
}
