/*
 * An HTTP filter that asks an upstream before letting a request through, for testing callouts,
 * failures and deadlines. Each request pauses and sends GET /check (authority "auth") to the
 * upstream named by its "x-upstream" header ("auth" by default), with a 500 ms timeout; a 200
 * answer resumes the request, any other answer (or none) sends a local 403 "denied: <status>"
 * ("none" when the answer has no status). A dispatch the host refuses sends a local 500
 * "dispatch failed: <status code>". As in Envoy, the host makes every callout on the root context
 * and answers it there: like the SDKs, the plugin remembers which stream dispatched each token and
 * makes that stream the effective context to act on the answer. An answer for a stream that is
 * gone is logged: "answer after the stream ended, headers: <count>". Two paths misbehave on
 * purpose: ":path" "/trap" traps and "/loop" never returns.
 */
#include "proxy_wasm.h"

/* Which stream dispatched which callout; a token of 0 marks a free slot. */
#define MAX_PENDING 64
static struct {
  uint32_t token;
  uint32_t context_id;
} pending[MAX_PENDING];

static void remember(uint32_t token, uint32_t context_id) {
  for (int i = 0; i < MAX_PENDING; i++) {
    if (pending[i].token == 0) {
      pending[i].token = token;
      pending[i].context_id = context_id;
      return;
    }
  }
}

static uint32_t take(uint32_t token) {
  for (int i = 0; i < MAX_PENDING; i++) {
    if (pending[i].token == token) {
      pending[i].token = 0;
      return pending[i].context_id;
    }
  }
  return 0;
}

static void forget_context(uint32_t context_id) {
  for (int i = 0; i < MAX_PENDING; i++) {
    if (pending[i].token != 0 && pending[i].context_id == context_id) pending[i].token = 0;
  }
}

PROXY_ON_VM_START_OK

PROXY_ON_CONFIGURE_OK

EXPORT(proxy_on_delete) void proxy_on_delete(uint32_t id) { forget_context(id); }

static int equals(const char *value, size_t size, const char *literal) {
  size_t n = strlen(literal);
  if (size != n) return 0;
  for (size_t i = 0; i < n; i++) {
    if (value[i] != literal[i]) return 0;
  }
  return 1;
}

/* {":method": "GET", ":path": "/check", ":authority": "auth"} in the pairs format. */
static size_t check_headers(char *out) {
  static const char *const kv[6] = {":method", "GET", ":path", "/check", ":authority", "auth"};
  return write_pairs(out, kv, 3);
}

static void reply(uint32_t status, const text_t *body) {
  proxy_send_local_response(status, "", 0, body->data, body->size, 0, 0, -1);
}

EXPORT(proxy_on_request_headers)
uint32_t proxy_on_request_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  (void)headers;
  (void)end_of_stream;
  arena_reset();
  const char *path = 0;
  size_t path_size = 0;
  if (proxy_get_header_map_value(MAP_REQUEST_HEADERS, ":path", 5, &path, &path_size) == 0) {
    if (equals(path, path_size, "/trap")) __builtin_trap();
    if (equals(path, path_size, "/loop")) {
      for (;;) {
      }
    }
  }
  const char *upstream = "auth";
  size_t upstream_size = 4;
  const char *named = 0;
  size_t named_size = 0;
  if (proxy_get_header_map_value(MAP_REQUEST_HEADERS, "x-upstream", 10, &named, &named_size) ==
      0) {
    upstream = named;
    upstream_size = named_size;
  }
  char pairs[96];
  size_t pairs_size = check_headers(pairs);
  uint32_t token = 0;
  uint32_t status =
      proxy_http_call(upstream, upstream_size, pairs, pairs_size, "", 0, 0, 0, 500, &token);
  if (status == STATUS_OK) {
    remember(token, id);
  } else {
    text_t t;
    text_init(&t, 32);
    text_str(&t, "dispatch failed: ");
    text_u64(&t, status);
    reply(500, &t);
  }
  return ACTION_PAUSE;
}

EXPORT(proxy_on_http_call_response)
void proxy_on_http_call_response(uint32_t id, uint32_t token, uint32_t headers, uint32_t body_size,
                                 uint32_t trailers) {
  (void)id;
  (void)body_size;
  (void)trailers;
  arena_reset();
  uint32_t stream = take(token);
  if (stream == 0 || proxy_set_effective_context(stream) != STATUS_OK) {
    text_t t;
    text_init(&t, 48);
    text_str(&t, "answer after the stream ended, headers: ");
    text_u64(&t, headers);
    log_text(LOG_INFO, &t);
    return;
  }
  const char *status = 0;
  size_t status_size = 0;
  if (proxy_get_header_map_value(MAP_HTTP_CALL_RESPONSE_HEADERS, ":status", 7, &status,
                                 &status_size) != 0) {
    status = "none";
    status_size = 4;
  }
  if (equals(status, status_size, "200")) {
    proxy_continue_stream(STREAM_REQUEST);
    return;
  }
  text_t t;
  text_init(&t, 32);
  text_str(&t, "denied: ");
  text_add(&t, status, status_size);
  reply(403, &t);
}
