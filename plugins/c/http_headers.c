/*
 * The seed's HttpHeaders plugin: logs every request and response header at trace level, answers
 * ":path" == "/hello" with a local 200 "Hello, World!\n" (headers Hello: World and Powered-By:
 * proxy-wasm) and pauses; every other request continues.
 */
#include "proxy_wasm.h"

static void log_headers(uint32_t id, uint32_t map, const char *arrow) {
  const char *data = 0;
  size_t size = 0;
  if (proxy_get_header_map_pairs(map, &data, &size) != 0 || size < 4) return;
  uint32_t n = read_u32(data);
  const char *sizes = data + 4;
  const char *p = data + 4 + 8 * n;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t key_size = read_u32(sizes + 8 * i);
    uint32_t value_size = read_u32(sizes + 8 * i + 4);
    text_t t;
    text_init(&t, 64);
    text_str(&t, "#");
    text_u64(&t, id);
    text_str(&t, arrow);
    text_add(&t, p, key_size);
    text_str(&t, ": ");
    text_add(&t, p + key_size + 1, value_size);
    log_text(LOG_TRACE, &t);
    p += key_size + 1 + value_size + 1;
  }
}

static int is_hello(void) {
  const char *value = 0;
  size_t size = 0;
  if (proxy_get_header_map_value(MAP_REQUEST_HEADERS, ":path", 5, &value, &size) != 0) return 0;
  return size == 6 && value[0] == '/' && value[1] == 'h' && value[2] == 'e' && value[3] == 'l' &&
         value[4] == 'l' && value[5] == 'o';
}

/* {"Hello": "World", "Powered-By": "proxy-wasm"} in the pairs format. */
static size_t hello_headers(char *out) {
  static const char *const kv[4] = {"Hello", "World", "Powered-By", "proxy-wasm"};
  return write_pairs(out, kv, 2);
}

PROXY_ON_VM_START_OK

PROXY_ON_CONFIGURE_OK

EXPORT(proxy_on_request_headers)
uint32_t proxy_on_request_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  (void)headers;
  (void)end_of_stream;
  arena_reset();
  log_headers(id, MAP_REQUEST_HEADERS, " -> ");
  if (is_hello()) {
    char pairs[64];
    size_t size = hello_headers(pairs);
    const char *body = "Hello, World!\n";
    proxy_send_local_response(200, "", 0, body, strlen(body), pairs, size, -1);
    return ACTION_PAUSE;
  }
  return ACTION_CONTINUE;
}

EXPORT(proxy_on_response_headers)
uint32_t proxy_on_response_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  (void)headers;
  (void)end_of_stream;
  arena_reset();
  log_headers(id, MAP_RESPONSE_HEADERS, " <- ");
  return ACTION_CONTINUE;
}

EXPORT(proxy_on_log) void proxy_on_log(uint32_t id) {
  arena_reset();
  text_t t;
  text_init(&t, 32);
  text_str(&t, "#");
  text_u64(&t, id);
  text_str(&t, " completed.");
  log_text(LOG_TRACE, &t);
}
