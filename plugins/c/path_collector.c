/*
 * A singleton service that registers the shared queue "paths", and for each path a path_reporter
 * enqueues adds one to the shared data key "path-count:<path>" (a decimal count, updated with
 * compare-and-swap) and to the counter "collected_paths". Twin of the Java example PathCollector.
 */
#include "proxy_wasm.h"

static uint32_t queue = 0;
static uint32_t collected = 0;

static const char KEY_PREFIX[] = "path-count:";

PROXY_ON_VM_START_OK

EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t root_id, uint32_t config_size) {
  (void)root_id;
  (void)config_size;
  if (proxy_register_shared_queue("paths", 5, &queue) != STATUS_OK) {
    log_str(LOG_ERROR, "cannot register the queue paths");
    return 0;
  }
  if (proxy_define_metric(METRIC_COUNTER, "collected_paths", 15, &collected) != STATUS_OK) {
    log_str(LOG_ERROR, "cannot define the counter collected_paths");
    return 0;
  }
  return 1;
}

static uint64_t parse_u64(const char *s, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) v = v * 10 + (uint64_t)(s[i] - '0');
  return v;
}

static void count(const char *path, size_t path_size) {
  text_t key;
  text_init(&key, sizeof KEY_PREFIX + path_size);
  text_str(&key, KEY_PREFIX);
  text_add(&key, path, path_size);
  for (;;) {
    const char *value = 0;
    size_t value_size = 0;
    uint32_t cas = 0;
    uint64_t n = 0;
    uint32_t status = proxy_get_shared_data(key.data, key.size, &value, &value_size, &cas);
    if (status == STATUS_OK) {
      n = parse_u64(value, value_size);
    } else {
      cas = 0;
    }
    text_t next;
    text_init(&next, 20);
    text_u64(&next, n + 1);
    status = proxy_set_shared_data(key.data, key.size, next.data, next.size, cas);
    if (status != STATUS_CAS_MISMATCH) return;
  }
}

EXPORT(proxy_on_queue_ready) void proxy_on_queue_ready(uint32_t root_id, uint32_t token) {
  (void)root_id;
  if (token != queue) return;
  arena_reset();
  for (;;) {
    const char *data = 0;
    size_t size = 0;
    if (proxy_dequeue_shared_queue(queue, &data, &size) != STATUS_OK) return;
    count(data, size);
    proxy_increment_metric(collected, 1);
  }
}
