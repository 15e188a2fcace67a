package io.proxywasm.host;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Reference counts of vm_ids: when the last VM of a vm_id goes, the data stored under it is
 * dropped. Shared by {@link SharedData} and {@link SharedQueues}.
 */
final class VmIds {
  private final Map<String, Integer> counts = new HashMap<>();
  private final Consumer<String> onLastRelease;

  VmIds(Consumer<String> onLastRelease) {
    this.onLastRelease = onLastRelease;
  }

  synchronized Runnable acquire(String vmId) {
    counts.merge(vmId, 1, Integer::sum);
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        release(vmId);
      }
    };
  }

  private void release(String vmId) {
    boolean last;
    synchronized (this) {
      int n = counts.merge(vmId, -1, Integer::sum);
      last = n <= 0;
      if (last) {
        counts.remove(vmId);
      }
    }
    if (last) {
      onLastRelease.accept(vmId);
    }
  }
}
