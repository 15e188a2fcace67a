package io.proxywasm.host;

import io.proxywasm.spi.WasmResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The key/value store plugins share with {@code proxy_get_shared_data} and {@code
 * proxy_set_shared_data}, namespaced by vm_id, with compare-and-swap. One per host; thread-safe.
 *
 * <p>CAS values come from one counter starting at 1, never 0. Setting with CAS 0 always writes;
 * setting an existing key with another non-zero CAS than the stored one is {@link
 * WasmResult#CAS_MISMATCH}; a new key is stored whatever CAS is passed. The data of a vm_id is
 * dropped when the last VM holding a {@link VmIdHandle} for it closes it.
 */
public final class SharedData {
  private final Map<String, Map<String, Entry>> data = new HashMap<>();
  private final VmIds vmIds;
  private int nextCas = 1;
  private final Map<String, long[]> usage = new HashMap<>();
  private long rejected;

  /** Creates an empty store with {@link StoreQuota#DEFAULT} per vm_id. */
  public SharedData() {
    this(StoreQuota.DEFAULT);
  }

  /**
   * Creates an empty store.
   *
   * @param quota what each vm_id may keep
   */
  public SharedData(StoreQuota quota) {
    this.vmIds = new VmIds(Objects.requireNonNull(quota, "quota"), this::drop);
  }

  /**
   * Returns how many writes the quota refused.
   *
   * @return the count
   */
  public synchronized long quotaRejections() {
    return rejected;
  }

  /**
   * A value and its CAS.
   *
   * @param value the bytes
   * @param cas the CAS to pass when replacing it
   */
  public record Entry(byte[] value, int cas) {
    /**
     * Copies the value.
     *
     * @param value the bytes
     * @param cas the CAS
     */
    public Entry {
      value = value.clone();
    }

    /**
     * Returns a copy of the value.
     *
     * @return the bytes
     */
    @Override
    public byte[] value() {
      return value.clone();
    }
  }

  /**
   * Holds a vm_id's data alive until the handle is closed.
   *
   * @param vmId the vm_id
   * @return the handle
   */
  public VmIdHandle acquire(String vmId) {
    return acquire(vmId, vmIds.defaultQuota());
  }

  /**
   * Holds a vm_id's data alive until the handle is closed, with a quota of its own: the first
   * holder of a vm_id sets its quota, every later holder while it lives must ask for the same.
   *
   * @param vmId the vm_id
   * @param quota what the vm_id may keep
   * @return the handle
   * @throws IllegalArgumentException if the vm_id is held with another quota, saying both
   */
  public VmIdHandle acquire(String vmId, StoreQuota quota) {
    return vmIds.acquire(vmId, Objects.requireNonNull(quota, "quota"))::run;
  }

  /**
   * Returns the quota a vm_id is held with, or the store's default for a vm_id nobody holds.
   *
   * @param vmId the vm_id
   * @return the quota
   */
  public StoreQuota quota(String vmId) {
    return vmIds.quota(vmId);
  }

  /**
   * Reads a value.
   *
   * @param vmId the vm_id
   * @param key the key
   * @return the value and CAS, or empty
   */
  public synchronized Optional<Entry> get(String vmId, String key) {
    Map<String, Entry> m = data.get(vmId);
    return m == null ? Optional.empty() : Optional.ofNullable(m.get(key));
  }

  /**
   * Writes a value.
   *
   * @param vmId the vm_id
   * @param key the key
   * @param value the value
   * @param cas 0 to write unconditionally, else the CAS last read
   * @return {@link WasmResult#OK} or {@link WasmResult#CAS_MISMATCH}
   */
  public synchronized WasmResult set(String vmId, String key, byte[] value, int cas) {
    Map<String, Entry> m = data.computeIfAbsent(vmId, k -> new HashMap<>());
    Entry old = m.get(key);
    if (old != null && cas != 0 && cas != old.cas()) {
      return WasmResult.CAS_MISMATCH;
    }
    long[] used = usage.computeIfAbsent(vmId, k -> new long[2]);
    long entries = used[0] + (old == null ? 1 : 0);
    long bytes = used[1] + value.length - (old == null ? -key.length() : old.value.length);
    if (!vmIds.quota(vmId).allows(entries, bytes)) {
      rejected++;
      return WasmResult.INTERNAL_FAILURE;
    }
    used[0] = entries;
    used[1] = bytes;
    m.put(key, new Entry(value, nextCas()));
    return WasmResult.OK;
  }

  /**
   * Removes a value.
   *
   * @param vmId the vm_id
   * @param key the key
   * @param cas 0 to remove unconditionally, else the CAS last read
   * @return {@link WasmResult#OK}, {@link WasmResult#NOT_FOUND} or {@link WasmResult#CAS_MISMATCH}
   */
  public synchronized WasmResult remove(String vmId, String key, int cas) {
    Map<String, Entry> m = data.get(vmId);
    Entry old = m == null ? null : m.get(key);
    if (old == null) {
      return WasmResult.NOT_FOUND;
    }
    if (cas != 0 && cas != old.cas()) {
      return WasmResult.CAS_MISMATCH;
    }
    m.remove(key);
    long[] used = usage.get(vmId);
    used[0]--;
    used[1] -= key.length() + old.value.length;
    return WasmResult.OK;
  }

  /**
   * Lists the keys of a vm_id.
   *
   * @param vmId the vm_id
   * @return the keys, in no particular order
   */
  public synchronized List<String> keys(String vmId) {
    Map<String, Entry> m = data.get(vmId);
    return m == null ? List.of() : List.copyOf(m.keySet());
  }

  private int nextCas() {
    int cas = nextCas;
    nextCas = nextCas == -1 ? 1 : nextCas + 1;
    if (nextCas == 0) {
      nextCas = 1;
    }
    return cas;
  }

  private synchronized void drop(String vmId) {
    data.remove(vmId);
    usage.remove(vmId);
  }
}
