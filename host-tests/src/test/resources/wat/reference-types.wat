;; Uses reference types (ABI 0.2.1), which runtime asm does not implement and chicory-compiler does:
;; proxy_on_request_headers reads the null funcref in its table with table.get: Continue (0) when
;; it is null, a trap otherwise, so a test sees that the module ran as written.
(module
  (memory (export "memory") 1)
  (table $refs 1 funcref)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (if (i32.eqz (ref.is_null (table.get $refs (i32.const 0)))) (then unreachable))
    (i32.const 0)))
