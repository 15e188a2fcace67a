;; Each request adds 1 to the shared-data key "counter" 100 times, each time with a CAS loop:
;; read the value and its CAS, write value + 1 with that CAS, and read again on a CAS mismatch. Any
;; other status traps, so a lost update cannot go unnoticed (ABI 0.2.1). The key must exist first.
(module
  (import "env" "proxy_get_shared_data" (func $get (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_shared_data" (func $set (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "counter")
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 4096))
  (func $increment
    (local $status i32)
    (loop $again
      (if (call $get (i32.const 16) (i32.const 7) (i32.const 32) (i32.const 36) (i32.const 40))
        (then unreachable))
      (i64.store (i32.const 48) (i64.add (i64.load (i32.load (i32.const 32))) (i64.const 1)))
      (local.set $status
        (call $set (i32.const 16) (i32.const 7) (i32.const 48) (i32.const 8)
          (i32.load (i32.const 40))))
      ;; 8 is CasMismatch: another VM wrote first, so read again
      (br_if $again (i32.eq (local.get $status) (i32.const 8)))
      (if (local.get $status) (then unreachable))))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (local $i i32)
    (loop $next
      (call $increment)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 100))))
    (i32.const 0)))
