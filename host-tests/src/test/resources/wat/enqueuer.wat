;; A filter that sends "hit" to the shared queue "q" of its vm_id on every request (ABI 0.2.1).
(module
  (import "env" "proxy_resolve_shared_queue"
    (func $resolve_q (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_enqueue_shared_queue" (func $enqueue_q (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "q")
  (data (i32.const 20) "hit")
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 4096))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (if (i32.eqz (call $resolve_q (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 1)
          (i32.const 32)))
      (then (drop (call $enqueue_q (i32.load (i32.const 32)) (i32.const 20) (i32.const 3)))))
    i32.const 0))
