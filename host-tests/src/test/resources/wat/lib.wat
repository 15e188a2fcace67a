;; Shared test-module helpers, pasted where a module says ;;@include lib.wat
;; Needs: import $log (proxy_log), a memory, global $heap. Scratch area 1024..2047 is used by $rec.
  (func (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    global.get $heap
    local.set $p
    global.get $heap
    local.get $size
    i32.add
    i32.const 7
    i32.add
    i32.const -8
    i32.and
    global.set $heap
    local.get $p)
  ;; writes the decimal form of $v at $dst, returns the length
  (func $itoa (param $v i32) (param $dst i32) (result i32)
    (local $len i32) (local $tmp i32) (local $i i32)
    local.get $v
    i32.eqz
    if
      local.get $dst
      i32.const 48
      i32.store8
      i32.const 1
      return
    end
    local.get $v
    local.set $tmp
    block $done
      loop $count
        local.get $tmp
        i32.eqz
        br_if $done
        local.get $tmp
        i32.const 10
        i32.div_u
        local.set $tmp
        local.get $len
        i32.const 1
        i32.add
        local.set $len
        br $count
      end
    end
    local.get $len
    local.set $i
    block $out
      loop $digits
        local.get $v
        i32.eqz
        br_if $out
        local.get $i
        i32.const 1
        i32.sub
        local.set $i
        local.get $dst
        local.get $i
        i32.add
        local.get $v
        i32.const 10
        i32.rem_u
        i32.const 48
        i32.add
        i32.store8
        local.get $v
        i32.const 10
        i32.div_u
        local.set $v
        br $digits
      end
    end
    local.get $len)
  ;; logs "<name> a b c"
  (func $rec (param $name i32) (param $nlen i32) (param $a i32) (param $b i32) (param $c i32)
    (local $p i32)
    (memory.copy (i32.const 1024) (local.get $name) (local.get $nlen))
    i32.const 1024
    local.get $nlen
    i32.add
    local.set $p
    local.get $p
    i32.const 32
    i32.store8
    local.get $p
    i32.const 1
    i32.add
    local.set $p
    local.get $p
    local.get $a
    local.get $p
    call $itoa
    i32.add
    local.set $p
    local.get $p
    i32.const 32
    i32.store8
    local.get $p
    i32.const 1
    i32.add
    local.set $p
    local.get $p
    local.get $b
    local.get $p
    call $itoa
    i32.add
    local.set $p
    local.get $p
    i32.const 32
    i32.store8
    local.get $p
    i32.const 1
    i32.add
    local.set $p
    local.get $p
    local.get $c
    local.get $p
    call $itoa
    i32.add
    local.set $p
    i32.const 2
    i32.const 1024
    local.get $p
    i32.const 1024
    i32.sub
    call $log
    drop)
