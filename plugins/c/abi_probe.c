/*
 * Probes the host's rules for the host calls where Envoy is exact about status codes: which maps
 * and buffers exist in which callback, properties set on a stream, callout tokens and arguments,
 * metrics, local replies, gRPC tokens, contexts and proxy_done. The request's :path chooses the
 * scenario; every probe logs one line "<probe> <status> [<value>]" at info level, so a test can
 * compare the lines with what Envoy answers.
 *
 * Plugin configuration: "tick" sets a 1 s tick period on start (each tick logs "tick <id>");
 * "linger" makes the root's proxy_on_done answer false (it finishes later with proxy_done).
 */
#include "proxy_wasm.h"

IMPORT(proxy_add_header_map_value)
uint32_t proxy_add_header_map_value(uint32_t type, const char *key, size_t key_size,
                                    const char *value, size_t value_size);
IMPORT(proxy_replace_header_map_value)
uint32_t proxy_replace_header_map_value(uint32_t type, const char *key, size_t key_size,
                                        const char *value, size_t value_size);
IMPORT(proxy_remove_header_map_value)
uint32_t proxy_remove_header_map_value(uint32_t type, const char *key, size_t key_size);
IMPORT(proxy_get_header_map_size) uint32_t proxy_get_header_map_size(uint32_t type, size_t *size);
IMPORT(proxy_get_buffer_status)
uint32_t proxy_get_buffer_status(uint32_t type, size_t *length, uint32_t *flags);
IMPORT(proxy_set_buffer_bytes)
uint32_t proxy_set_buffer_bytes(uint32_t type, uint32_t start, uint32_t length, const char *data,
                                size_t size);
IMPORT(proxy_get_property)
uint32_t proxy_get_property(const char *path, size_t path_size, const char **value,
                            size_t *value_size);
IMPORT(proxy_set_property)
uint32_t proxy_set_property(const char *path, size_t path_size, const char *value,
                            size_t value_size);
IMPORT(proxy_get_status)
uint32_t proxy_get_status(uint32_t *code, const char **message, size_t *message_size);
IMPORT(proxy_close_stream) uint32_t proxy_close_stream(uint32_t stream_type);
IMPORT(proxy_get_metric) uint32_t proxy_get_metric(uint32_t id, uint64_t *value);
IMPORT(proxy_grpc_send)
uint32_t proxy_grpc_send(uint32_t token, const char *message, size_t size, uint32_t end);
IMPORT(proxy_grpc_close) uint32_t proxy_grpc_close(uint32_t token);
IMPORT(proxy_grpc_cancel) uint32_t proxy_grpc_cancel(uint32_t token);
IMPORT(proxy_done) uint32_t proxy_done(void);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write"))) uint32_t
fd_write(uint32_t fd, const void *iovs, size_t iovs_len, size_t *written);

enum { MAP_REQUEST_TRAILERS = 1, MAP_HTTP_CALL_RESPONSE_TRAILERS_ = 7 };
enum { BUFFER_REQUEST_BODY = 0, BUFFER_HTTP_CALL_RESPONSE_BODY = 4 };
enum { METRIC_HISTOGRAM = 2 };

static int linger = 0;

/* "<probe> <status>" and, when given, " <value>" (the value's bytes as they are). */
static void probe(const char *name, uint32_t status, const char *value, size_t value_size) {
  text_t t;
  text_init(&t, 64);
  text_str(&t, name);
  text_str(&t, " ");
  text_u64(&t, status);
  if (value) {
    text_str(&t, " ");
    text_add(&t, value, value_size);
  }
  log_text(LOG_INFO, &t);
}

static void probe_n(const char *name, uint32_t status, uint64_t n) {
  text_t t;
  text_init(&t, 32);
  text_u64(&t, n);
  probe(name, status, t.data, t.size);
}

/* "<probe> <status> <hex of the value>": for values that are not text */
static void probe_hex(const char *name, uint32_t status, const char *value, size_t value_size) {
  static const char digits[] = "0123456789abcdef";
  char *hex = arena_alloc(2 * value_size + 1);
  for (size_t i = 0; i < value_size; i++) {
    hex[2 * i] = digits[(uint8_t)value[i] >> 4];
    hex[2 * i + 1] = digits[(uint8_t)value[i] & 15];
  }
  probe(name, status, hex, 2 * value_size);
}

static uint32_t get_value(uint32_t map, const char *key, const char **v, size_t *n) {
  *v = 0;
  *n = 0;
  return proxy_get_header_map_value(map, key, strlen(key), v, n);
}

static void probe_get(const char *name, uint32_t map, const char *key) {
  const char *v;
  size_t n;
  uint32_t s = get_value(map, key, &v, &n);
  probe(name, s, s == STATUS_OK ? v : 0, n);
}

static void probe_pairs(const char *name, uint32_t map) {
  const char *data = 0;
  size_t size = 0;
  uint32_t s = proxy_get_header_map_pairs(map, &data, &size);
  probe_n(name, s, size >= 4 ? read_u32(data) : 0);
}

static void probe_size(const char *name, uint32_t map) {
  size_t size = 0;
  probe_n(name, proxy_get_header_map_size(map, &size), size);
}

static void probe_property(const char *name, const char *path, size_t path_size) {
  const char *v = 0;
  size_t n = 0;
  uint32_t s = proxy_get_property(path, path_size, &v, &n);
  probe(name, s, s == STATUS_OK ? v : 0, n);
}

static int path_is(const char *want) {
  const char *v;
  size_t n;
  if (get_value(MAP_REQUEST_HEADERS, ":path", &v, &n) != STATUS_OK) return 0;
  size_t w = strlen(want);
  if (n != w) return 0;
  for (size_t i = 0; i < n; i++)
    if (v[i] != want[i]) return 0;
  return 1;
}

static uint32_t call(const char *authority, int with_authority, uint32_t timeout_ms,
                     uint32_t *token) {
  const char *kv[] = {":method", "GET", ":path", "/x", ":authority", authority};
  char *headers = arena_alloc(256);
  size_t size = write_pairs(headers, kv, with_authority ? 3 : 2);
  return proxy_http_call("cluster", 7, headers, size, 0, 0, 0, 0, timeout_ms, token);
}

EXPORT(proxy_on_context_create) void proxy_on_context_create(uint32_t id, uint32_t parent) {
  arena_reset();
  if (parent != 0) return;
  /* A root context can read the plugin configuration while it is created (cpp-host onStart). */
  const char *config = 0;
  size_t size = 0;
  uint32_t s = proxy_get_buffer_bytes(BUFFER_PLUGIN_CONFIGURATION, 0, 64, &config, &size);
  probe("create.config", s, s == STATUS_OK ? config : 0, size);
  (void)id;
}

EXPORT(proxy_on_vm_start) uint32_t proxy_on_vm_start(uint32_t id, uint32_t size) {
  (void)size;
  arena_reset();
  probe("root.continue", proxy_continue_stream(0), 0, 0);
  probe("root.close", proxy_close_stream(0), 0, 0);
  probe("root.continue_upstream", proxy_continue_stream(3), 0, 0);
  probe("root.set_property", proxy_set_property("k", 1, "v", 1), 0, 0);
  (void)id;
  return 1;
}

EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t id, uint32_t size) {
  (void)id;
  arena_reset();
  const char *config = 0;
  size_t n = 0;
  proxy_get_buffer_bytes(BUFFER_PLUGIN_CONFIGURATION, 0, size, &config, &n);
  if (n == 4 && config[0] == 't') proxy_set_tick_period_milliseconds(1000);
  if (n == 6 && config[0] == 'l') linger = 1;
  return 1;
}

EXPORT(proxy_on_tick) void proxy_on_tick(uint32_t id) {
  arena_reset();
  probe_n("tick", 0, id);
}

static void maps_on_request_headers(void) {
  probe_get("req.get", MAP_REQUEST_HEADERS, ":path");
  probe_get("resp.get.early", MAP_RESPONSE_HEADERS, ":status");
  probe("resp.add.early", proxy_add_header_map_value(MAP_RESPONSE_HEADERS, "a", 1, "b", 1), 0, 0);
  probe_size("resp.size.early", MAP_RESPONSE_HEADERS);
  probe_pairs("resp.pairs.early", MAP_RESPONSE_HEADERS);
  size_t length = 99;
  uint32_t flags = 0;
  probe_n("body.status.early", proxy_get_buffer_status(BUFFER_REQUEST_BODY, &length, &flags),
          length);
  probe("body.set.early", proxy_set_buffer_bytes(BUFFER_REQUEST_BODY, 0, 0, "x", 1), 0, 0);
  /* header values are bytes: 0xFF and 0xFE come back as they went */
  probe("bytes.add",
        proxy_add_header_map_value(MAP_REQUEST_HEADERS, "x-bytes", 7, "\xff\xfe", 2), 0, 0);
  const char *v;
  size_t n;
  uint32_t s = get_value(MAP_REQUEST_HEADERS, "x-bytes", &v, &n);
  probe_hex("bytes.get", s, v, n);
}

static void maps_on_request_body(void) {
  probe_get("req.get.after", MAP_REQUEST_HEADERS, ":path");
  probe("req.add.after", proxy_add_header_map_value(MAP_REQUEST_HEADERS, "a", 1, "b", 1), 0, 0);
  probe_size("req.size.after", MAP_REQUEST_HEADERS);
  probe_pairs("req.pairs.after", MAP_REQUEST_HEADERS);
}

static void continue_scenario(void) {
  probe("continue.request", proxy_continue_stream(0), 0, 0);
  probe_get("continue.get", MAP_REQUEST_HEADERS, ":path");
  probe("continue.upstream", proxy_continue_stream(3), 0, 0);
  probe("continue.downstream", proxy_continue_stream(2), 0, 0);
  probe("continue.bad", proxy_continue_stream(9), 0, 0);
}

static void property_scenario(void) {
  probe("set", proxy_set_property("my_key", 6, "v1", 2), 0, 0);
  probe_property("get", "my_key", 6);
  probe_property("get.root_id.nul", "plugin_root_id\0", 15);
  probe_property("get.request_path.nul", "request\0path\0", 13);
  probe("set.bytes", proxy_set_property("k\xff", 2, "\xff\x01", 2), 0, 0);
  const char *v = 0;
  size_t n = 0;
  uint32_t s = proxy_get_property("k\xff", 2, &v, &n);
  probe_hex("get.bytes", s, v, n);
}

static void callout_scenario(void) {
  uint32_t token = 0;
  probe_n("call.empty_authority", call("", 1, 0, &token), token);
  probe("call.negative_timeout", call("a", 1, 0xFFFFFFFFu, &token), 0, 0);
  probe("call.no_authority", call("a", 0, 1000, &token), 0, 0);
}

static void misc_scenario(void) {
  uint32_t a = 0, b = 0, h = 0;
  proxy_define_metric(METRIC_COUNTER, "dup", 3, &a);
  proxy_define_metric(METRIC_COUNTER, "dup", 3, &b);
  proxy_define_metric(METRIC_HISTOGRAM, "hist", 4, &h);
  probe("metric.new_id", a != b ? 0 : 1, 0, 0);
  proxy_increment_metric(a, 3);
  uint64_t value = 0;
  probe_n("metric.same_stat", proxy_get_metric(b, &value), value);
  probe("metric.increment_histogram", proxy_increment_metric(h, 1), 0, 0);
  probe("metric.get_histogram", proxy_get_metric(h, &value), 0, 0);
  probe("metric.increment_unknown", proxy_increment_metric(0x7ffffff0u, 1), 0, 0);
  probe("grpc.send_http_token", proxy_grpc_send(4, "m", 1, 0), 0, 0);
  probe("grpc.close_http_token", proxy_grpc_close(8), 0, 0);
  probe("grpc.cancel_bad_kind", proxy_grpc_cancel(7), 0, 0);
  probe("grpc.cancel_unknown_call", proxy_grpc_cancel(5), 0, 0);
  struct {
    const char *buf;
    size_t len;
  } iov = {"\n", 1};
  size_t written = 0;
  probe_n("fd_write.newline", fd_write(1, &iov, 1, &written), written);
  const char *kv[] = {"X-Upper", "v"};
  char *headers = arena_alloc(64);
  size_t size = write_pairs(headers, kv, 1);
  probe("local", proxy_send_local_response(403, "not allowed\there", 16, "no", 2, headers, size, 99),
        0, 0);
  /* last: from here on, host calls act on the VM context */
  probe("effective.vm", proxy_set_effective_context(0), 0, 0);
}

EXPORT(proxy_on_request_headers)
uint32_t proxy_on_request_headers(uint32_t id, uint32_t headers, uint32_t end) {
  (void)id;
  (void)headers;
  (void)end;
  arena_reset();
  if (path_is("/maps")) maps_on_request_headers();
  if (path_is("/continue")) continue_scenario();
  if (path_is("/property")) property_scenario();
  if (path_is("/misc")) misc_scenario();
  if (path_is("/callout")) {
    callout_scenario();
    return ACTION_PAUSE;
  }
  if (path_is("/token")) {
    uint32_t token = 0;
    probe_n("token", call("a", 1, 1000, &token), token);
    return ACTION_PAUSE;
  }
  return ACTION_CONTINUE;
}

EXPORT(proxy_on_request_body)
uint32_t proxy_on_request_body(uint32_t id, uint32_t size, uint32_t end) {
  (void)id;
  (void)size;
  (void)end;
  arena_reset();
  maps_on_request_body();
  return ACTION_CONTINUE;
}

EXPORT(proxy_on_response_headers)
uint32_t proxy_on_response_headers(uint32_t id, uint32_t headers, uint32_t end) {
  (void)id;
  (void)headers;
  (void)end;
  arena_reset();
  probe_get("resp.get", MAP_RESPONSE_HEADERS, ":status");
  if (linger) probe("done.from_stream", proxy_done(), 0, 0);
  return ACTION_CONTINUE;
}

EXPORT(proxy_on_log) void proxy_on_log(uint32_t id) {
  (void)id;
  arena_reset();
  probe_get("log.req.get", MAP_REQUEST_HEADERS, ":path");
  probe_get("log.req.missing", MAP_REQUEST_HEADERS, "nope");
  probe("log.req.add", proxy_add_header_map_value(MAP_REQUEST_HEADERS, "a", 1, "b", 1), 0, 0);
  probe_get("log.resp.get", MAP_RESPONSE_HEADERS, ":status");
  probe_get("log.req_trailers.get", MAP_REQUEST_TRAILERS, "t");
}

EXPORT(proxy_on_http_call_response)
void proxy_on_http_call_response(uint32_t root, uint32_t token, uint32_t headers, uint32_t body,
                                 uint32_t trailers) {
  (void)root;
  arena_reset();
  text_t t;
  text_init(&t, 32);
  text_u64(&t, headers);
  text_str(&t, " ");
  text_u64(&t, body);
  text_str(&t, " ");
  text_u64(&t, trailers);
  probe("answer", token, t.data, t.size);
  probe("answer.add",
        proxy_add_header_map_value(MAP_HTTP_CALL_RESPONSE_HEADERS, "a", 1, "b", 1), 0, 0);
  probe("answer.replace",
        proxy_replace_header_map_value(MAP_HTTP_CALL_RESPONSE_HEADERS, "a", 1, "b", 1), 0, 0);
  probe("answer.remove", proxy_remove_header_map_value(MAP_HTTP_CALL_RESPONSE_HEADERS, "a", 1), 0,
        0);
  probe_size("answer.size", MAP_HTTP_CALL_RESPONSE_HEADERS);
  probe_pairs("answer.pairs", MAP_HTTP_CALL_RESPONSE_HEADERS);
  uint32_t code = 0;
  const char *message = 0;
  size_t message_size = 0;
  proxy_get_status(&code, &message, &message_size);
  probe("answer.status", code, message, message_size);
}

EXPORT(proxy_on_done) uint32_t proxy_on_done(uint32_t id) {
  arena_reset();
  probe_n("on_done", 0, id);
  return linger ? 0 : 1;
}

EXPORT(proxy_on_delete) void proxy_on_delete(uint32_t id) {
  arena_reset();
  probe_n("on_delete", 0, id);
}
