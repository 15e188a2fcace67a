;; Exports no body callbacks (ABI 0.2.1). proxy_on_request_headers continues for the first stream
;; and traps for every later one, so that a test can fail the VM while an earlier stream is open.
(module
  (memory (export "memory") 1)
  (global $streams (mut i32) (i32.const 0))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (global.set $streams (i32.add (global.get $streams) (i32.const 1)))
    (if (i32.gt_u (global.get $streams) (i32.const 1)) (then unreachable))
    (i32.const 0)))
