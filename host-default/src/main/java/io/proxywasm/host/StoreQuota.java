package io.proxywasm.host;

/**
 * How much one vm_id may keep in a host-side store (shared data, or the items waiting in its shared
 * queues), so that a plugin cannot exhaust the JVM's heap through the host: past either limit the
 * host call answers {@code InternalFailure} (Envoy's stores have no limit, so a plugin has no
 * better status to expect) and the rejection is counted.
 *
 * <p>The host's builder sets the quota of every vm_id ({@link ProxyWasmHost.Builder#storeQuota}); a
 * plugin may ask for its own ({@link PluginConfig.Builder#storeQuota}). Stores are per vm_id, so
 * all the plugins of one vm_id that are loaded at the same time must ask for the same quota (their
 * own or, when they name none, the host's): loading one that asks for another fails with {@link
 * io.proxywasm.spi.FailState#UNABLE_TO_CREATE_VM} and a message naming both. When the last plugin
 * of a vm_id is closed, its data and queued items are dropped and its quota forgotten.
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

  /** The quota in words, for error messages. */
  String describe() {
    return maxEntries + " entries and " + maxBytes + " bytes";
  }

  /**
   * Checks that a plugin of a vm_id that lives with this quota may ask for another: only if it is
   * the same.
   *
   * @param vmId the vm_id, for the message
   * @param asked the quota the plugin asks for
   * @throws IllegalArgumentException if the quotas differ, with a message naming both
   */
  void requireSame(String vmId, StoreQuota asked) {
    if (!equals(asked)) {
      throw new IllegalArgumentException(
          "the vm_id '"
              + vmId
              + "' already has a store quota of "
              + describe()
              + "; a plugin of that vm_id cannot ask for "
              + asked.describe()
              + " while it lives");
    }
  }

  /** Whether usage after a change is within the quota. */
  boolean allows(long entries, long bytes) {
    return entries <= maxEntries && bytes <= maxBytes;
  }
}
