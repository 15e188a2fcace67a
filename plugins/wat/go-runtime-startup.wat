;; What a Go plugin (GOOS=wasip1, built as a reactor: go build -buildmode=c-shared) asks of the host
;; while its runtime starts, with a trap (unreachable) wherever the Go runtime would stop. There is
;; no wasip1 Go toolchain here, so this module stands in for one; its rules come from the Go
;; runtime's wasip1 code (runtime/os_wasip1.go, lock_wasip1.go, netpoll_wasip1.go, proc.go).
;;
;; _initialize does, in the order the runtime does (schedinit, then runtime.main):
;;  1. clock_time_get(monotonic): a non-zero errno traps (Go: throw "clock_time_get failed").
;;  2. random_get(32 bytes): a non-zero errno traps. (The runtime itself would fall back to a
;;     time-based seed, but crypto/rand, which the SDKs and most plugins import, panics.)
;;  3. args_sizes_get, then args_get when there are arguments; environ_sizes_get, then environ_get
;;     when there are variables: a non-zero errno traps (Go: throw "args_sizes_get failed" ...).
;;  4. clock_time_get(realtime) (walltime): a non-zero errno traps.
;;  5. clock_time_get(monotonic) again: zero traps (Go: throw "nanotime returning zero", in
;;     runtime.main before any package init runs).
;;  6. Waits for the monotonic clock to move, calling sched_yield between reads as notetsleepg does
;;     (a non-zero errno from sched_yield traps: Go throws "sched_yield failed"). Go spins on
;;     nanotime here and in ticksPerSecond until time passes, so a clock that never advances hangs
;;     it for ever; this module traps after 1000 reads instead. With a real clock the second read
;;     has moved and sched_yield is never reached, which matters: Envoy (cpp-host's startVm) does
;;     not allow sched_yield while a module starts, so a host clock that stands still would make a
;;     Go plugin trap there.
;;  7. poll_oneoff with one relative monotonic clock subscription (1 ms), as usleep and the idle
;;     netpoll do: a non-zero errno traps (Go: throw "wasi_snapshot_preview1.poll_oneoff").
;; Then proxy_on_vm_start logs "go runtime started" (info), and the rest of the proxy-wasm exports
;; do nothing. malloc is a bump allocator over memory it grows on demand.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))

  (memory (export "memory") 2)

  ;; 0..63: scratch for results; 64..111: the subscription; 128..159: the event;
  ;; 256..287: random bytes; 1024: the log message; the heap starts at 65536.
  (data (i32.const 1024) "go runtime started")
  (global $heap (mut i32) (i32.const 65536))

  (func $malloc (export "malloc") (param $size i32) (result i32)
    (local $at i32)
    (local $end i32)
    (local.set $at (global.get $heap))
    (local.set $end
      (i32.and (i32.add (i32.add (local.get $at) (local.get $size)) (i32.const 7))
        (i32.const -8)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.lt_s
              (memory.grow
                (i32.add (i32.shr_u (i32.sub (local.get $end)
                    (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
              (i32.const 0))
          (then (unreachable)))))
    (global.set $heap (local.get $end))
    (local.get $at))

  ;; nanotime(): the monotonic clock, trapping on an error.
  (func $nanotime (result i64)
    (if (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 0)) (then (unreachable)))
    (i64.load (i32.const 0)))

  (func (export "_initialize")
    (local $argc i32)
    (local $argv_size i32)
    (local $envc i32)
    (local $env_size i32)
    (local $start i64)
    (local $reads i32)
    ;; 1. schedinit: ticks.init reads the monotonic clock.
    (drop (call $nanotime))
    ;; 2. randinit.
    (if (call $random_get (i32.const 256) (i32.const 32)) (then (unreachable)))
    ;; 3. goargs, goenvs.
    (if (call $args_sizes_get (i32.const 8) (i32.const 12)) (then (unreachable)))
    (local.set $argc (i32.load (i32.const 8)))
    (local.set $argv_size (i32.load (i32.const 12)))
    (if (local.get $argc)
      (then
        (if (call $args_get
              (call $malloc (i32.mul (local.get $argc) (i32.const 4)))
              (call $malloc (local.get $argv_size)))
          (then (unreachable)))))
    (if (call $environ_sizes_get (i32.const 16) (i32.const 20)) (then (unreachable)))
    (local.set $envc (i32.load (i32.const 16)))
    (local.set $env_size (i32.load (i32.const 20)))
    (if (local.get $envc)
      (then
        (if (call $environ_get
              (call $malloc (i32.mul (local.get $envc) (i32.const 4)))
              (call $malloc (local.get $env_size)))
          (then (unreachable)))))
    ;; 4. walltime.
    (if (call $clock_time_get (i32.const 0) (i64.const 0) (i32.const 24)) (then (unreachable)))
    ;; 5. runtime.main: "nanotime returning zero".
    (local.set $start (call $nanotime))
    (if (i64.eqz (local.get $start)) (then (unreachable)))
    ;; 6. time must pass.
    (block $moved
      (loop $wait
        (br_if $moved (i64.gt_u (call $nanotime) (local.get $start)))
        (if (call $sched_yield) (then (unreachable)))
        (local.set $reads (i32.add (local.get $reads) (i32.const 1)))
        (br_if $wait (i32.lt_u (local.get $reads) (i32.const 1000)))
        (unreachable)))
    ;; 7. usleep / idle netpoll: one relative monotonic clock subscription of 1 ms.
    (memory.fill (i32.const 64) (i32.const 0) (i32.const 96))
    (i64.store (i32.const 64) (i64.const 7))        ;; userdata
    (i32.store8 (i32.const 72) (i32.const 0))       ;; tag: clock
    (i32.store (i32.const 80) (i32.const 1))        ;; clock id: monotonic
    (i64.store (i32.const 88) (i64.const 1000000))  ;; timeout: 1 ms
    (i64.store (i32.const 96) (i64.const 1000))     ;; precision: 1 us
    (i32.store16 (i32.const 104) (i32.const 0))     ;; flags: relative
    (if (call $poll_oneoff (i32.const 64) (i32.const 128) (i32.const 1) (i32.const 32))
      (then (unreachable))))

  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
    (drop (call $proxy_log (i32.const 2) (i32.const 1024) (i32.const 18)))
    (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_done") (param i32) (result i32) (i32.const 1))
  (func (export "proxy_on_delete") (param i32)))
