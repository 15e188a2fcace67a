;; f32.convert_i64_u rounds to nearest, ties to even (spec). Values at or above 2^63 whose low 40
;; bits are in (0, 2^39] round down to a multiple of 2^40.
(module
  (memory (export "memory") 1)
  (func (export "two_to_63") (result f32) (f32.convert_i64_u (i64.const 0x8000000000000000)))
  (func (export "just_above_two_to_63") (result f32) (f32.convert_i64_u (i64.const 0x8000000000000001)))
  (func (export "tie_to_even") (result f32) (f32.convert_i64_u (i64.const 0x8000008000000000)))
  (func (export "above_half") (result f32) (f32.convert_i64_u (i64.const 0x8000008000000001)))
  (func (export "max") (result f32) (f32.convert_i64_u (i64.const -1)))
  (func (export "below_two_to_63") (result f32) (f32.convert_i64_u (i64.const 0x7fffff4000000001)))
  (func (export "argument") (param i64) (result f32) (f32.convert_i64_u (local.get 0)))
)
