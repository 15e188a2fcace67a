/*
 * The seed's HelloWorld root plugin: logs "Hello, World!" when the VM starts and asks for a tick
 * every 5 seconds; each tick logs "It's <nanoseconds since the epoch>".
 */
#include "proxy_wasm.h"

EXPORT(proxy_on_vm_start) uint32_t proxy_on_vm_start(uint32_t root_id, uint32_t config_size) {
  (void)root_id;
  (void)config_size;
  arena_reset();
  log_str(LOG_INFO, "Hello, World!");
  proxy_set_tick_period_milliseconds(5000);
  return 1;
}

EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t root_id, uint32_t config_size) {
  (void)root_id;
  (void)config_size;
  return 1;
}

EXPORT(proxy_on_tick) void proxy_on_tick(uint32_t root_id) {
  (void)root_id;
  arena_reset();
  uint64_t now = 0;
  proxy_get_current_time_nanoseconds(&now);
  text_t t;
  text_init(&t, 64);
  text_str(&t, "It's ");
  text_u64(&t, now);
  log_text(LOG_INFO, &t);
}
