;; An allocator that makes a host call (proxy_get_header_map_value) each time the host asks it for
;; memory, as an instrumented allocator might. Envoy allows only logging, fd_write, clock_time_get
;; and poll_oneoff inside the allocator, so the call traps when proxy_on_request_headers reads the
;; request headers with proxy_get_header_map_pairs (which allocates).
(module
  (import "env" "proxy_get_header_map_value"
    (func $get_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_pairs" (func $get_pairs (param i32 i32 i32) (result i32)))
  (import "env" "proxy_set_header_map_pairs" (func $set_pairs (param i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $next (mut i32) (i32.const 4096))
  (global $busy (mut i32) (i32.const 0))
  (data (i32.const 16) ":path")
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    (if (i32.eqz (global.get $busy))
      (then
        (global.set $busy (i32.const 1))
        (drop (call $get_value
          (i32.const 0) (i32.const 16) (i32.const 5) (i32.const 32) (i32.const 36)))
        (global.set $busy (i32.const 0))))
    (local.set $p (global.get $next))
    (global.set $next
      (i32.add (global.get $next)
        (i32.and (i32.add (local.get $size) (i32.const 7)) (i32.const -8))))
    (local.get $p))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $get_pairs (i32.const 0) (i32.const 40) (i32.const 44)))
    (drop (call $set_pairs (i32.const 0) (i32.load (i32.const 40)) (i32.load (i32.const 44))))
    (i32.const 0)))
