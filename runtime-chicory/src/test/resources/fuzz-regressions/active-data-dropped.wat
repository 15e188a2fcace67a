;; Active data segments are dropped once instantiation applied them (bulk memory): memory.init on
;; one traps for a non-zero length and succeeds for length 0 at offset 0.
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "ab")
  (func (export "init_from_active") (memory.init 0 (i32.const 8) (i32.const 0) (i32.const 1)))
  (func (export "init_nothing_from_active") (memory.init 0 (i32.const 8) (i32.const 0) (i32.const 0)))
)
