/*
 * A network (TCP) filter for testing the TCP stream API. Client data is held until it ends with a
 * newline (or the client ends its side), then sent on upper-cased; a held line "bye" (any case)
 * closes the connection instead. Data from the upstream passes unchanged. Counters, defined on
 * configure: tcp_lines.connections (proxy_on_new_connection), tcp_lines.lines (lines sent on),
 * tcp_lines.upstream_bytes (bytes seen in proxy_on_upstream_data), tcp_lines.downstream_closed and
 * tcp_lines.upstream_closed (the close events), tcp_lines.done (proxy_on_done).
 */
#include "proxy_wasm.h"

IMPORT(proxy_set_buffer_bytes)
uint32_t proxy_set_buffer_bytes(uint32_t type, uint32_t start, uint32_t length, const char *data,
                                size_t size);
IMPORT(proxy_close_stream) uint32_t proxy_close_stream(uint32_t stream_type);

enum { BUFFER_DOWNSTREAM_DATA = 2 };
enum { STREAM_DOWNSTREAM = 2 };

static uint32_t connections, lines, upstream_bytes, downstream_closed, upstream_closed, done;

static uint32_t counter(const char *name) {
  uint32_t id = 0;
  proxy_define_metric(METRIC_COUNTER, name, strlen(name), &id);
  return id;
}

PROXY_ON_VM_START_OK

EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t id, uint32_t config_size) {
  (void)id;
  (void)config_size;
  connections = counter("tcp_lines.connections");
  lines = counter("tcp_lines.lines");
  upstream_bytes = counter("tcp_lines.upstream_bytes");
  downstream_closed = counter("tcp_lines.downstream_closed");
  upstream_closed = counter("tcp_lines.upstream_closed");
  done = counter("tcp_lines.done");
  return 1;
}

EXPORT(proxy_on_new_connection) uint32_t proxy_on_new_connection(uint32_t id) {
  (void)id;
  proxy_increment_metric(connections, 1);
  return ACTION_CONTINUE;
}

static int is_bye(const char *d, size_t n) {
  while (n > 0 && (d[n - 1] == '\n' || d[n - 1] == '\r')) n--;
  if (n != 3) return 0;
  return (d[0] | 0x20) == 'b' && (d[1] | 0x20) == 'y' && (d[2] | 0x20) == 'e';
}

EXPORT(proxy_on_downstream_data)
uint32_t proxy_on_downstream_data(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  (void)id;
  arena_reset();
  if (size == 0) return ACTION_CONTINUE;
  const char *data = 0;
  size_t n = 0;
  if (proxy_get_buffer_bytes(BUFFER_DOWNSTREAM_DATA, 0, size, &data, &n) != STATUS_OK) {
    log_str(LOG_ERROR, "cannot read the downstream data");
    return ACTION_CONTINUE;
  }
  if (data[n - 1] != '\n' && !end_of_stream) return ACTION_PAUSE;
  if (is_bye(data, n)) {
    proxy_close_stream(STREAM_DOWNSTREAM);
    return ACTION_PAUSE;
  }
  char *upper = arena_alloc(n);
  for (size_t i = 0; i < n; i++) {
    char c = data[i];
    upper[i] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
    if (c == '\n') proxy_increment_metric(lines, 1);
  }
  proxy_set_buffer_bytes(BUFFER_DOWNSTREAM_DATA, 0, n, upper, n);
  return ACTION_CONTINUE;
}

EXPORT(proxy_on_upstream_data)
uint32_t proxy_on_upstream_data(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  (void)id;
  (void)end_of_stream;
  proxy_increment_metric(upstream_bytes, size);
  return ACTION_CONTINUE;
}

EXPORT(proxy_on_downstream_connection_close)
void proxy_on_downstream_connection_close(uint32_t id, uint32_t peer) {
  (void)id;
  (void)peer;
  proxy_increment_metric(downstream_closed, 1);
}

EXPORT(proxy_on_upstream_connection_close)
void proxy_on_upstream_connection_close(uint32_t id, uint32_t peer) {
  (void)id;
  (void)peer;
  proxy_increment_metric(upstream_closed, 1);
}

EXPORT(proxy_on_done) uint32_t proxy_on_done(uint32_t id) {
  (void)id;
  proxy_increment_metric(done, 1);
  return 1;
}
