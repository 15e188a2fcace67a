package io.proxywasm.host;

import io.proxywasm.spi.WasmResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queues plugins share with {@code proxy_register_shared_queue}, {@code
 * proxy_resolve_shared_queue}, {@code proxy_enqueue_shared_queue} and {@code
 * proxy_dequeue_shared_queue}, keyed by vm_id and name. One per host; thread-safe.
 *
 * <p>Tokens count from 1, never 0. Registering a name again returns the same token, keeps the
 * queued items, and makes the new registrant the one notified. Each enqueue notifies the registrant
 * once.
 */
public final class SharedQueues {
  private static final Logger LOG = LoggerFactory.getLogger(SharedQueues.class);

  private final Map<String, Map<String, Integer>> tokens = new HashMap<>();
  private final Map<Integer, Queue> queues = new HashMap<>();
  private final VmIds vmIds;
  private int nextToken = 1;
  private final Map<String, long[]> usage = new HashMap<>();
  private long rejected;

  /** Creates an empty set of queues with {@link StoreQuota#DEFAULT} per vm_id. */
  public SharedQueues() {
    this(StoreQuota.DEFAULT);
  }

  /**
   * Creates an empty set of queues.
   *
   * @param quota what the queues of each vm_id may hold, all together
   */
  public SharedQueues(StoreQuota quota) {
    this.vmIds = new VmIds(Objects.requireNonNull(quota, "quota"), this::drop);
  }

  /**
   * Returns how many items the quota refused.
   *
   * @return the count
   */
  public synchronized long quotaRejections() {
    return rejected;
  }

  private static final class Queue {
    final String vmId;
    final String name;
    final ArrayDeque<byte[]> items = new ArrayDeque<>();
    QueueListener listener;

    Queue(String vmId, String name, QueueListener listener) {
      this.vmId = vmId;
      this.name = name;
      this.listener = listener;
    }
  }

  /**
   * The outcome of a dequeue.
   *
   * @param status {@link WasmResult#OK}, {@link WasmResult#EMPTY} or {@link WasmResult#NOT_FOUND}
   * @param data the item when OK, else empty
   */
  public record Item(WasmResult status, byte[] data) {
    /**
     * Copies the data.
     *
     * @param status the status
     * @param data the data
     */
    public Item {
      data = data.clone();
    }

    /**
     * Returns a copy of the data.
     *
     * @return the bytes
     */
    @Override
    public byte[] data() {
      return data.clone();
    }
  }

  /**
   * Holds a vm_id's queues alive until the handle is closed.
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
   * Registers a queue, or takes over an existing one.
   *
   * @param vmId the vm_id
   * @param name the queue name
   * @param listener who to notify on enqueue
   * @return the token
   */
  public synchronized int register(String vmId, String name, QueueListener listener) {
    Objects.requireNonNull(listener, "listener");
    Integer existing = tokens.computeIfAbsent(vmId, k -> new HashMap<>()).get(name);
    if (existing != null) {
      queues.get(existing).listener = listener;
      return existing;
    }
    int token = nextFreeToken();
    tokens.get(vmId).put(name, token);
    queues.put(token, new Queue(vmId, name, listener));
    return token;
  }

  private int nextFreeToken() {
    while (true) {
      int token = nextToken;
      nextToken = nextToken == Integer.MAX_VALUE ? 1 : nextToken + 1;
      if (!queues.containsKey(token)) {
        return token;
      }
    }
  }

  /**
   * Finds a queue.
   *
   * @param vmId the vm_id
   * @param name the queue name
   * @return the token, or 0 if there is no such queue
   */
  public synchronized int resolve(String vmId, String name) {
    Map<String, Integer> m = tokens.get(vmId);
    Integer token = m == null ? null : m.get(name);
    return token == null ? 0 : token;
  }

  /**
   * Appends an item and notifies the registrant.
   *
   * @param token the queue's token
   * @param data the item
   * @return {@link WasmResult#OK} or {@link WasmResult#NOT_FOUND}
   */
  public WasmResult enqueue(int token, byte[] data) {
    QueueListener listener;
    synchronized (this) {
      Queue q = queues.get(token);
      if (q == null) {
        return WasmResult.NOT_FOUND;
      }
      // the items count against the vm_id that registered the queue
      long[] used = usage.computeIfAbsent(q.vmId, k -> new long[2]);
      if (!vmIds.quota(q.vmId).allows(used[0] + 1, used[1] + data.length)) {
        rejected++;
        return WasmResult.INTERNAL_FAILURE;
      }
      used[0]++;
      used[1] += data.length;
      q.items.addLast(data.clone());
      listener = q.listener;
    }
    try {
      listener.onQueueReady(token);
    } catch (RuntimeException e) {
      LOG.warn("queue listener for token {} failed", token, e);
    }
    return WasmResult.OK;
  }

  /**
   * Takes the oldest item.
   *
   * @param token the queue's token
   * @return the item, or the status saying why there is none
   */
  public synchronized Item dequeue(int token) {
    Queue q = queues.get(token);
    if (q == null) {
      return new Item(WasmResult.NOT_FOUND, new byte[0]);
    }
    byte[] item = q.items.pollFirst();
    if (item != null) {
      long[] used = usage.get(q.vmId);
      used[0]--;
      used[1] -= item.length;
    }
    return item == null ? new Item(WasmResult.EMPTY, new byte[0]) : new Item(WasmResult.OK, item);
  }

  /**
   * Returns how many items wait in a queue.
   *
   * @param token the token
   * @return the count, or -1 for an unknown token
   */
  public synchronized int size(int token) {
    Queue q = queues.get(token);
    return q == null ? -1 : q.items.size();
  }

  /**
   * Lists the queue names of a vm_id.
   *
   * @param vmId the vm_id
   * @return the names
   */
  public synchronized List<String> names(String vmId) {
    Map<String, Integer> m = tokens.get(vmId);
    return m == null ? List.of() : new ArrayList<>(m.keySet());
  }

  private synchronized void drop(String vmId) {
    Map<String, Integer> m = tokens.remove(vmId);
    if (m != null) {
      m.values().forEach(queues::remove);
    }
    usage.remove(vmId);
  }
}
