package io.proxywasm.asm;

import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.support.AbstractWasmVm;

/**
 * Calls the host functions a module imports, in the one call shape of {@link HostFunction.Body}.
 * The argument arrays are reused: one per argument count and nesting depth, so that a host call
 * allocates nothing, and a host call made while another is in progress (the plugin's allocator
 * called by the host) gets its own array.
 */
final class HostCalls {
  /** What a VM does around each host call: tracing, checking the result count. */
  interface Hooks {
    /** Whether calls are traced now. */
    boolean tracing();

    /** Writes a trace line. */
    void trace(String line);
  }

  private final HostFunction[] functions;
  private final HostFunction.Body[] bodies;
  private final int[] resultCounts;
  private final Hooks hooks;

  /** Argument arrays by depth, then argument count. */
  private long[][][] pool = new long[4][][];

  private int depth;

  HostCalls(HostFunction[] functions, Hooks hooks) {
    this.functions = functions;
    this.hooks = hooks;
    this.bodies = new HostFunction.Body[functions.length];
    this.resultCounts = new int[functions.length];
    for (int i = 0; i < functions.length; i++) {
      bodies[i] = functions[i].body();
      resultCounts[i] = functions[i].type().results().size();
    }
  }

  long[] arguments(int count) {
    int d = depth++;
    if (d >= pool.length) {
      pool = java.util.Arrays.copyOf(pool, pool.length * 2);
    }
    long[][] byCount = pool[d];
    if (byCount == null || byCount.length <= count) {
      long[][] grown = new long[Math.max(count + 1, 8)][];
      if (byCount != null) {
        System.arraycopy(byCount, 0, grown, 0, byCount.length);
      }
      pool[d] = byCount = grown;
    }
    long[] args = byCount[count];
    if (args == null) {
      byCount[count] = args = new long[count];
    }
    return args;
  }

  long call(int index, long[] args) {
    try {
      boolean trace = hooks.tracing();
      HostFunction function = functions[index];
      if (trace) {
        hooks.trace(
            "[vm->host] "
                + function.module()
                + "."
                + function.name()
                + "("
                + AbstractWasmVm.format(function.type().params(), args)
                + ")");
      }
      long[] out = bodies[index].call(args);
      int count = out == null ? 0 : out.length;
      if (count != resultCounts[index]) {
        throw new IllegalStateException(
            "host function "
                + function.module()
                + "."
                + function.name()
                + " returned "
                + count
                + " values for "
                + resultCounts[index]
                + " results");
      }
      if (trace) {
        hooks.trace(
            "[vm<-host] "
                + function.module()
                + "."
                + function.name()
                + " return: "
                + AbstractWasmVm.formatReturn(function.type().results(), out));
      }
      return count == 0 ? 0 : out[0];
    } finally {
      depth--;
    }
  }
}
