;; ABI 0.2.1 module importing a host function no host offers: env.proxy_does_not_exist.
(module
  (import "env" "proxy_does_not_exist" (func $missing (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1)))
