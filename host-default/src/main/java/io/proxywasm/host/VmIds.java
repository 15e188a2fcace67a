package io.proxywasm.host;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Reference counts of vm_ids, and the quota each live vm_id was acquired with: when the last VM of
 * a vm_id goes, the data stored under it is dropped and its quota forgotten. Used by {@link
 * SharedData} and {@link SharedQueues}, one instance each.
 */
final class VmIds {
  private final Map<String, Integer> counts = new HashMap<>();
  private final Map<String, StoreQuota> quotas = new HashMap<>();
  private final StoreQuota defaultQuota;
  private final Consumer<String> onLastRelease;

  VmIds(StoreQuota defaultQuota, Consumer<String> onLastRelease) {
    this.defaultQuota = defaultQuota;
    this.onLastRelease = onLastRelease;
  }

  /**
   * Counts one more holder of a vm_id with a quota: the first holder sets the vm_id's quota, and
   * every later one while the vm_id lives must ask for the same.
   */
  synchronized Runnable acquire(String vmId, StoreQuota quota) {
    StoreQuota bound = quotas.get(vmId);
    if (bound != null) {
      bound.requireSame(vmId, quota);
    }
    quotas.put(vmId, quota);
    counts.merge(vmId, 1, Integer::sum);
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        release(vmId);
      }
    };
  }

  /** The quota of a vm_id: the one it was acquired with, or the store's default. */
  synchronized StoreQuota quota(String vmId) {
    return quotas.getOrDefault(vmId, defaultQuota);
  }

  StoreQuota defaultQuota() {
    return defaultQuota;
  }

  private void release(String vmId) {
    boolean last;
    synchronized (this) {
      int n = counts.merge(vmId, -1, Integer::sum);
      last = n <= 0;
      if (last) {
        counts.remove(vmId);
        quotas.remove(vmId);
      }
    }
    if (last) {
      onLastRelease.accept(vmId);
    }
  }
}
