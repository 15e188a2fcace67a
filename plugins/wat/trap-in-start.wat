;; ABI 0.2.1 module whose _initialize traps: loading must fail with the trap named.
(module
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 1024))
  (func (export "_initialize") unreachable))
