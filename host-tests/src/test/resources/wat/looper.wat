;; Loops forever in proxy_on_request_headers when the request has exactly 3 headers,
;; and in proxy_on_configure when the plugin configuration is "loop"; otherwise continues.
(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    (if (i32.eq (local.get 1) (i32.const 4))
      (then (loop $forever (br $forever))))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (if (i32.eq (local.get 1) (i32.const 3))
      (then (loop $forever (br $forever))))
    (i32.const 0)))
