;; ABI 0.2.1 module with neither malloc nor proxy_on_memory_allocate.
(module
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1)))
