/*
 * An HTTP filter that reports the path of every request to the shared queue "paths" of the
 * path_collector service. Its plugin configuration is the collector's vm_id (empty: the filter's
 * own), at most 255 bytes. Requests always continue; while the queue does not exist yet the filter
 * logs a warning and reports nothing. Twin of the Java example PathReporter.
 */
#include "proxy_wasm.h"

static char collector_vm_id[256];
static size_t collector_vm_id_size = 0;
static uint32_t queue = 0;

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

PROXY_ON_VM_START_OK

EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t root_id, uint32_t config_size) {
  (void)root_id;
  arena_reset();
  const char *data = 0;
  size_t size = 0;
  collector_vm_id_size = 0;
  if (config_size > 0 &&
      proxy_get_buffer_bytes(BUFFER_PLUGIN_CONFIGURATION, 0, config_size, &data, &size) !=
          STATUS_OK) {
    log_str(LOG_ERROR, "cannot read the plugin configuration");
    return 0;
  }
  while (size > 0 && is_space(data[0])) {
    data++;
    size--;
  }
  while (size > 0 && is_space(data[size - 1])) size--;
  if (size >= sizeof collector_vm_id) {
    log_str(LOG_ERROR, "the collector's vm_id is longer than 255 bytes");
    return 0;
  }
  memcpy(collector_vm_id, data, size);
  collector_vm_id_size = size;
  queue = 0;
  return 1;
}

EXPORT(proxy_on_request_headers)
uint32_t proxy_on_request_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  (void)id;
  (void)headers;
  (void)end_of_stream;
  arena_reset();
  if (queue == 0) {
    uint32_t token = 0;
    if (proxy_resolve_shared_queue(collector_vm_id, collector_vm_id_size, "paths", 5, &token) !=
        STATUS_OK) {
      text_t t;
      text_init(&t, 64);
      text_str(&t, "queue paths of vm ");
      text_add(&t, collector_vm_id, collector_vm_id_size);
      text_str(&t, " not found");
      log_text(LOG_WARN, &t);
      return ACTION_CONTINUE;
    }
    queue = token;
  }
  const char *path = 0;
  size_t size = 0;
  if (proxy_get_header_map_value(MAP_REQUEST_HEADERS, ":path", 5, &path, &size) != STATUS_OK) {
    path = "";
    size = 0;
  }
  proxy_enqueue_shared_queue(queue, path, size);
  return ACTION_CONTINUE;
}
