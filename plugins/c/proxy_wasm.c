#include "proxy_wasm.h"

extern unsigned char __heap_base;
static uintptr_t arena_next = 0;

void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

void arena_reset(void) { arena_next = (uintptr_t)&__heap_base; }

void *arena_alloc(size_t size) {
  if (arena_next == 0) arena_reset();
  uintptr_t p = (arena_next + 7) & ~(uintptr_t)7;
  uintptr_t end = p + size;
  uintptr_t have = __builtin_wasm_memory_size(0) * 65536u;
  if (end > have) {
    size_t pages = (end - have + 65535u) / 65536u;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
  }
  arena_next = end;
  return (void *)p;
}

EXPORT(malloc) void *malloc(size_t size) { return arena_alloc(size); }

void text_init(text_t *t, size_t capacity) {
  t->data = arena_alloc(capacity);
  t->size = 0;
  t->capacity = t->data ? capacity : 0;
}

void text_add(text_t *t, const char *s, size_t n) {
  if (t->size + n > t->capacity) {
    size_t capacity = (t->size + n) * 2;
    char *data = arena_alloc(capacity);
    if (!data) return;
    memcpy(data, t->data, t->size);
    t->data = data;
    t->capacity = capacity;
  }
  memcpy(t->data + t->size, s, n);
  t->size += n;
}

void text_str(text_t *t, const char *s) { text_add(t, s, strlen(s)); }

void text_u64(text_t *t, uint64_t v) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) text_add(t, &digits[--n], 1);
}

size_t write_pairs(char *out, const char *const *kv, int pairs) {
  write_u32(out, (uint32_t)pairs);
  char *p = out + 4 + 8 * pairs;
  for (int i = 0; i < 2 * pairs; i++) {
    size_t n = strlen(kv[i]);
    write_u32(out + 4 + 4 * i, (uint32_t)n);
    memcpy(p, kv[i], n);
    p[n] = 0;
    p += n + 1;
  }
  return (size_t)(p - out);
}

void log_text(uint32_t level, const text_t *t) { proxy_log(level, t->data, t->size); }

void log_str(uint32_t level, const char *s) { proxy_log(level, s, strlen(s)); }

EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1(void) {}

/* A plugin built with -DOWN_CONTEXT_CREATE defines its own proxy_on_context_create. */
#ifndef OWN_CONTEXT_CREATE
EXPORT(proxy_on_context_create) void proxy_on_context_create(uint32_t id, uint32_t parent) {
  (void)id;
  (void)parent;
}
#endif
