package io.proxywasm.host.internal.vm;

import io.proxywasm.spi.Callback;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.HostCall;
import io.proxywasm.spi.WasmException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * cpp-host's restricted callbacks: while the module starts and inside its allocator only some host
 * functions may be called; any other call traps, as it does in Envoy, so that a plugin that loads
 * here loads there too. State of one VM, used under its lock.
 */
final class Restriction {
  /** What cpp-host's {@code WasmBase::startVm} lets a module call while it starts. */
  static final Set<String> START_ALLOWED = startAllowed();

  /** What cpp-host's {@code WasmBase::allocMemory} lets the plugin's allocator call. */
  static final Set<String> MALLOC_ALLOWED =
      withWasi(
          hostCalls(HostCall::allowedInAllocator), "fd_write", "clock_time_get", "poll_oneoff");

  /** The host functions that may be called now, or null when every import may be called. */
  private Set<String> allowed;

  /** What the restriction is for, for the trap message. */
  private String phase = "";

  /**
   * Runs a call with only the given host functions allowed, then restores what was allowed before.
   *
   * @param allowedNow the host functions ({@code module.name}) the call may make
   * @param phaseNow what the restriction is for, for the trap message
   * @param call the call
   * @return what the call returned
   */
  long during(Set<String> allowedNow, String phaseNow, LongSupplier call) {
    Set<String> savedAllowed = allowed;
    String savedPhase = phase;
    allowed = allowedNow;
    phase = phaseNow;
    try {
      return call.getAsLong();
    } finally {
      allowed = savedAllowed;
      phase = savedPhase;
    }
  }

  /**
   * Calls a callback with one argument as {@link #during} runs a call, without a lambda: the
   * plugin's allocator runs for every result a host call copies out.
   *
   * @param allowedNow the host functions ({@code module.name}) the call may make
   * @param phaseNow what the restriction is for, for the trap message
   * @param calls the VM's calls
   * @param ctx the context the call is for
   * @param cb the callback
   * @param arg its argument
   * @return the callback's i32 result, or 0 (as {@link CallDispatcher#callIn} returns)
   */
  long callDuring(
      Set<String> allowedNow,
      String phaseNow,
      CallDispatcher calls,
      Context ctx,
      Callback cb,
      long arg) {
    Set<String> savedAllowed = allowed;
    String savedPhase = phase;
    allowed = allowedNow;
    phase = phaseNow;
    try {
      return calls.callIn(ctx, cb, arg);
    } finally {
      allowed = savedAllowed;
      phase = savedPhase;
    }
  }

  /**
   * Checks that a host function may be called now.
   *
   * @param module the import module
   * @param name the import name
   * @throws WasmException if the call is not allowed now
   */
  void check(String module, String name) {
    Set<String> now = allowed;
    if (now != null && !now.contains(module + "." + name)) {
      throw new WasmException(
          FailState.RUNTIME_ERROR,
          "restricted_callback: "
              + module
              + "."
              + name
              + " may not be called "
              + phase
              + " (Envoy traps here too)");
    }
  }

  /** The {@code env} imports the ABI catalogue allows in a restricted phase. */
  private static Set<String> hostCalls(Predicate<HostCall> allowed) {
    Set<String> out = new HashSet<>();
    for (HostCall call : HostCall.values()) {
      if (allowed.test(call)) {
        out.add(HostCall.MODULE + "." + call.abiName());
      }
    }
    return out;
  }

  private static Set<String> withWasi(Set<String> base, String... wasi) {
    Set<String> out = new HashSet<>(base);
    for (String name : wasi) {
      out.add("wasi_unstable." + name);
      out.add("wasi_snapshot_preview1." + name);
    }
    return Set.copyOf(out);
  }

  private static Set<String> startAllowed() {
    return withWasi(
        hostCalls(HostCall::allowedWhileStarting),
        "fd_write",
        "args_sizes_get",
        "args_get",
        "environ_sizes_get",
        "environ_get",
        "clock_time_get",
        "clock_res_get",
        "random_get",
        "poll_oneoff",
        "fd_fdstat_get",
        "fd_fdstat_set_flags",
        "fd_advise",
        "fd_allocate",
        "fd_datasync",
        "fd_fdstat_set_rights",
        "fd_filestat_get",
        "fd_filestat_set_size",
        "fd_filestat_set_times",
        "fd_pread",
        "fd_prestat_dir_name",
        "fd_prestat_get",
        "fd_pwrite",
        "fd_readdir",
        "fd_renumber",
        "fd_sync",
        "fd_tell",
        "path_create_directory",
        "path_filestat_get",
        "path_filestat_set_times",
        "path_link",
        "path_readlink",
        "path_remove_directory",
        "path_rename",
        "path_symlink",
        "path_unlink_file",
        "sock_accept",
        "sock_recv",
        "sock_send",
        "sock_shutdown");
  }
}
