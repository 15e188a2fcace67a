package io.proxywasm.host;

/**
 * How much one vm_id may keep in a host-side store (shared data, or the items waiting in its shared
 * queues), so that a plugin cannot exhaust the JVM's heap through the host: past either limit the
 * host call answers {@code InternalFailure} (Envoy's stores have no limit, so a plugin has no
 * better status to expect) and the rejection is counted.
 *
 * @param maxEntries the most keys (shared data) or queued items (queues), at least 1
 * @param maxBytes the most bytes of keys and values, or of queued items, at least 1
 */
public record StoreQuota(long maxEntries, long maxBytes) {
  /** 100,000 entries and 64 MiB per vm_id. */
  public static final StoreQuota DEFAULT = new StoreQuota(100_000, 64L << 20);

  /**
   * Checks the limits.
   *
   * @param maxEntries the most entries
   * @param maxBytes the most bytes
   */
  public StoreQuota {
    if (maxEntries < 1 || maxBytes < 1) {
      throw new IllegalArgumentException(
          "a store quota needs at least 1 entry and 1 byte, not "
              + maxEntries
              + " and "
              + maxBytes);
    }
  }

  /** Whether usage after a change is within the quota. */
  boolean allows(long entries, long bytes) {
    return entries <= maxEntries && bytes <= maxBytes;
  }
}
