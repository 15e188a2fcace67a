;; ABI 0.2.1 module for measuring one host call: proxy_on_request_headers calls
;; proxy_get_current_time_nanoseconds 1000 times; proxy_on_response_headers runs the same loop
;; without the call. Both continue. The difference of the two callbacks, over 1000, is the cost of
;; one host call (the import, the host's dispatch, an 8-byte write into linear memory).
(module
  (import "env" "proxy_get_current_time_nanoseconds"
    (func $now (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $sink (mut i64) (i64.const 0))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (local $i i32)
    (loop $again
      (drop (call $now (i32.const 64)))
      (global.set $sink (i64.add (global.get $sink) (i64.load (i32.const 64))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 1000))))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (local $i i32)
    (loop $again
      (i64.store (i32.const 64) (i64.extend_i32_u (local.get $i)))
      (global.set $sink (i64.add (global.get $sink) (i64.load (i32.const 64))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 1000))))
    (i32.const 0)))
