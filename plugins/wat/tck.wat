;; The runtime TCK's module (io.proxywasm.testkit.RuntimeTck): every call shape, one host
;; import, memory access and growth, a global for clone independence, a trap, a division that
;; can trap, and a loop that never ends.
(module
  (import "env" "host_mix" (func $host_mix (param i32 i64) (result i64)))
  (memory (export "memory") 1)
  (global $counter (mut i32) (i32.const 0))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "add_i32") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  (func (export "add_i64") (param i64 i64) (result i64)
    local.get 0 local.get 1 i64.add)
  (func (export "mul_f32") (param f32 f32) (result f32)
    local.get 0 local.get 1 f32.mul)
  (func (export "mul_f64") (param f64 f64) (result f64)
    local.get 0 local.get 1 f64.mul)
  (func (export "mix") (param i32 i64 f32 f64) (result f64)
    local.get 0 f64.convert_i32_s
    local.get 1 f64.convert_i64_s f64.add
    local.get 2 f64.promote_f32 f64.add
    local.get 3 f64.add)
  (func (export "nothing"))
  (func (export "call_host") (param i32 i64) (result i64)
    local.get 0 local.get 1 call $host_mix)
  (func (export "bump") (result i32)
    global.get $counter i32.const 1 i32.add global.set $counter
    global.get $counter)
  (func (export "store") (param i32 i32)
    local.get 0 local.get 1 i32.store)
  (func (export "load") (param i32) (result i32)
    local.get 0 i32.load)
  (func (export "grow") (param i32) (result i32)
    local.get 0 memory.grow)
  (func (export "trap")
    unreachable)
  (func (export "divide") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.div_s)
  (func (export "spin")
    (loop $forever br $forever)))
