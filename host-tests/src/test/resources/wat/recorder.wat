;; Logs every callback it receives as "<callback> <a> <b> <c>" at info level (ABI 0.2.1).
;; Behaviour knobs come from the plugin configuration's first byte:
;;   'p' -> on_request_headers returns Pause (1); 'r' -> on_configure returns false;
;;   't' -> on_request_headers traps; 'l' -> on_request_headers sends a local response.
(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes"
    (func $get_buffer (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_send_local_response"
    (func $local (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (global $mode (mut i32) (i32.const 0))
  (data (i32.const 16) "context_create")
  (data (i32.const 32) "vm_start")
  (data (i32.const 48) "configure")
  (data (i32.const 64) "request_headers")
  (data (i32.const 80) "request_body")
  (data (i32.const 96) "request_trailers")
  (data (i32.const 116) "response_headers")
  (data (i32.const 136) "response_body")
  (data (i32.const 152) "response_trailers")
  (data (i32.const 172) "log")
  (data (i32.const 176) "done")
  (data (i32.const 184) "delete")
  (data (i32.const 192) "tick")
  (data (i32.const 200) "queue_ready")
  (data (i32.const 212) "http_call_response")
  (data (i32.const 232) "foreign_function")
  (data (i32.const 252) "denied")
  (func (export "proxy_abi_version_0_2_1"))
  ;;@include lib.wat
  (func (export "proxy_on_context_create") (param i32 i32)
    (call $rec (i32.const 16) (i32.const 14) (local.get 0) (local.get 1) (i32.const 0)))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
    (call $rec (i32.const 32) (i32.const 8) (local.get 0) (local.get 1) (i32.const 0))
    i32.const 1)
  (func (export "proxy_on_configure") (param $id i32) (param $size i32) (result i32)
    (call $rec (i32.const 48) (i32.const 9) (local.get $id) (local.get $size) (i32.const 0))
    ;; read the first byte of the plugin configuration into $mode
    local.get $size
    if
      (drop (call $get_buffer (i32.const 7) (i32.const 0) (i32.const 1) (i32.const 8)
        (i32.const 12)))
      (global.set $mode (i32.load8_u (i32.load (i32.const 8))))
    end
    global.get $mode
    i32.const 114
    i32.ne)
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (call $rec (i32.const 64) (i32.const 15) (local.get 0) (local.get 1) (local.get 2))
    global.get $mode
    i32.const 116
    i32.eq
    if
      unreachable
    end
    global.get $mode
    i32.const 108
    i32.eq
    if
      ;; 403, details "denied", body "denied", no headers, grpc -1
      (drop (call $local (i32.const 403) (i32.const 252) (i32.const 6) (i32.const 252)
        (i32.const 6) (i32.const 0) (i32.const 0) (i32.const -1)))
      i32.const 0
      return
    end
    global.get $mode
    i32.const 112
    i32.eq)
  (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32)
    (call $rec (i32.const 80) (i32.const 12) (local.get 0) (local.get 1) (local.get 2))
    i32.const 0)
  (func (export "proxy_on_request_trailers") (param i32 i32) (result i32)
    (call $rec (i32.const 96) (i32.const 16) (local.get 0) (local.get 1) (i32.const 0))
    i32.const 0)
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (call $rec (i32.const 116) (i32.const 16) (local.get 0) (local.get 1) (local.get 2))
    i32.const 0)
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32)
    (call $rec (i32.const 136) (i32.const 13) (local.get 0) (local.get 1) (local.get 2))
    i32.const 0)
  (func (export "proxy_on_response_trailers") (param i32 i32) (result i32)
    (call $rec (i32.const 152) (i32.const 17) (local.get 0) (local.get 1) (i32.const 0))
    i32.const 0)
  (func (export "proxy_on_log") (param i32)
    (call $rec (i32.const 172) (i32.const 3) (local.get 0) (i32.const 0) (i32.const 0)))
  (func (export "proxy_on_done") (param i32) (result i32)
    (call $rec (i32.const 176) (i32.const 4) (local.get 0) (i32.const 0) (i32.const 0))
    i32.const 1)
  (func (export "proxy_on_delete") (param i32)
    (call $rec (i32.const 184) (i32.const 6) (local.get 0) (i32.const 0) (i32.const 0)))
  (func (export "proxy_on_tick") (param i32)
    (call $rec (i32.const 192) (i32.const 4) (local.get 0) (i32.const 0) (i32.const 0)))
  (func (export "proxy_on_queue_ready") (param i32 i32)
    (call $rec (i32.const 200) (i32.const 11) (local.get 0) (local.get 1) (i32.const 0)))
  (func (export "proxy_on_http_call_response") (param i32 i32 i32 i32 i32)
    (call $rec (i32.const 212) (i32.const 18) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "proxy_on_foreign_function") (param i32 i32 i32)
    (call $rec (i32.const 232) (i32.const 16) (local.get 0) (local.get 1) (local.get 2))))
