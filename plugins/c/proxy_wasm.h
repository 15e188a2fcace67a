/*
 * A minimal proxy-wasm ABI 0.2.1 binding for C plugins built with clang --target=wasm32 and no
 * libc: host imports, a per-callback arena allocator exported as malloc, and string helpers.
 */
#ifndef PROXY_WASM_H
#define PROXY_WASM_H

#include <stddef.h>
#include <stdint.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

/* The start of a plugin that reads neither its VM nor its plugin configuration: at file scope,
 * PROXY_ON_VM_START_OK defines proxy_on_vm_start and PROXY_ON_CONFIGURE_OK proxy_on_configure,
 * each answering 1 (started). */
#define PROXY_ON_VM_START_OK                                                                    \
  EXPORT(proxy_on_vm_start) uint32_t proxy_on_vm_start(uint32_t root_id, uint32_t config_size) { \
    (void)root_id;                                                                              \
    (void)config_size;                                                                          \
    return 1;                                                                                   \
  }
#define PROXY_ON_CONFIGURE_OK                                                                    \
  EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t root_id, uint32_t config_size) { \
    (void)root_id;                                                                               \
    (void)config_size;                                                                           \
    return 1;                                                                                    \
  }

enum { LOG_TRACE = 0, LOG_DEBUG = 1, LOG_INFO = 2, LOG_WARN = 3, LOG_ERROR = 4 };
enum { MAP_REQUEST_HEADERS = 0, MAP_RESPONSE_HEADERS = 2, MAP_HTTP_CALL_RESPONSE_HEADERS = 6 };
enum { STREAM_REQUEST = 0 };
enum { ACTION_CONTINUE = 0, ACTION_PAUSE = 1 };
enum { STATUS_OK = 0, STATUS_NOT_FOUND = 1, STATUS_EMPTY = 7, STATUS_CAS_MISMATCH = 8 };
enum { BUFFER_PLUGIN_CONFIGURATION = 7 };
enum { METRIC_COUNTER = 0 };

IMPORT(proxy_log) uint32_t proxy_log(uint32_t level, const char *message, size_t size);
IMPORT(proxy_set_tick_period_milliseconds) uint32_t proxy_set_tick_period_milliseconds(uint32_t ms);
IMPORT(proxy_get_current_time_nanoseconds) uint32_t proxy_get_current_time_nanoseconds(uint64_t *out);
IMPORT(proxy_get_header_map_pairs)
uint32_t proxy_get_header_map_pairs(uint32_t type, const char **data, size_t *size);
IMPORT(proxy_get_header_map_value)
uint32_t proxy_get_header_map_value(uint32_t type, const char *key, size_t key_size,
                                    const char **value, size_t *value_size);
IMPORT(proxy_send_local_response)
uint32_t proxy_send_local_response(uint32_t status, const char *details, size_t details_size,
                                   const char *body, size_t body_size, const char *headers,
                                   size_t headers_size, int32_t grpc_status);

IMPORT(proxy_get_buffer_bytes)
uint32_t proxy_get_buffer_bytes(uint32_t type, uint32_t start, uint32_t max_size, const char **data,
                                size_t *size);
IMPORT(proxy_register_shared_queue)
uint32_t proxy_register_shared_queue(const char *name, size_t name_size, uint32_t *token);
IMPORT(proxy_resolve_shared_queue)
uint32_t proxy_resolve_shared_queue(const char *vm_id, size_t vm_id_size, const char *name,
                                    size_t name_size, uint32_t *token);
IMPORT(proxy_enqueue_shared_queue)
uint32_t proxy_enqueue_shared_queue(uint32_t token, const char *data, size_t size);
IMPORT(proxy_dequeue_shared_queue)
uint32_t proxy_dequeue_shared_queue(uint32_t token, const char **data, size_t *size);
IMPORT(proxy_get_shared_data)
uint32_t proxy_get_shared_data(const char *key, size_t key_size, const char **value,
                               size_t *value_size, uint32_t *cas);
IMPORT(proxy_set_shared_data)
uint32_t proxy_set_shared_data(const char *key, size_t key_size, const char *value,
                               size_t value_size, uint32_t cas);
IMPORT(proxy_define_metric)
uint32_t proxy_define_metric(uint32_t type, const char *name, size_t name_size, uint32_t *id);
IMPORT(proxy_increment_metric) uint32_t proxy_increment_metric(uint32_t id, int64_t offset);
IMPORT(proxy_http_call)
uint32_t proxy_http_call(const char *upstream, size_t upstream_size, const char *headers,
                         size_t headers_size, const char *body, size_t body_size,
                         const char *trailers, size_t trailers_size, uint32_t timeout_ms,
                         uint32_t *token);
IMPORT(proxy_continue_stream) uint32_t proxy_continue_stream(uint32_t stream_type);
IMPORT(proxy_set_effective_context) uint32_t proxy_set_effective_context(uint32_t context_id);

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
size_t strlen(const char *s);

/* Arena allocation: everything the host or the plugin allocates lives until arena_reset(),
   which every callback calls first. */
void arena_reset(void);
void *arena_alloc(size_t size);

/* A growing text buffer in the arena. */
typedef struct {
  char *data;
  size_t size;
  size_t capacity;
} text_t;

void text_init(text_t *t, size_t capacity);
void text_add(text_t *t, const char *s, size_t n);
void text_str(text_t *t, const char *s);
void text_u64(text_t *t, uint64_t v);
void log_text(uint32_t level, const text_t *t);

/* Writes pairs (name, value, name, value...) in the ABI's pairs format; returns the size. `out`
   needs 4 + 8 * pairs bytes plus every string and its terminating 0. */
size_t write_pairs(char *out, const char *const *kv, int pairs);
void log_str(uint32_t level, const char *s);

static inline uint32_t read_u32(const char *p) {
  return (uint32_t)(uint8_t)p[0] | (uint32_t)(uint8_t)p[1] << 8 | (uint32_t)(uint8_t)p[2] << 16 |
         (uint32_t)(uint8_t)p[3] << 24;
}

static inline void write_u32(char *p, uint32_t v) {
  p[0] = (char)v;
  p[1] = (char)(v >> 8);
  p[2] = (char)(v >> 16);
  p[3] = (char)(v >> 24);
}

#endif
