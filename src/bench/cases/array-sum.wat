;; The array-sum case's SIMD loop: sums float64 elements of the shared memory it imports, two per 128-bit lane
;; pair, with four independent vector accumulators (eight partial sums), so the loop waits on memory, not on
;; one chain of additions. Assembled into array-sum.wasm by scripts/build-wasm.mjs.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; sum(lo, hi): the sum of elements lo..hi-1 (element indices). Partial sums are combined in a fixed order, so
  ;; a given split gives the same double every time.
  (func (export "sum") (param $lo i32) (param $hi i32) (result f64)
    (local $p i32) (local $end i32) (local $vend i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $tail f64)
    (local.set $p (i32.shl (local.get $lo) (i32.const 3)))
    (local.set $end (i32.shl (local.get $hi) (i32.const 3)))
    ;; The vector loop takes whole 64-byte steps; the last (end - p) mod 64 bytes go to the scalar tail.
    (local.set $vend (i32.sub (local.get $end) (i32.and (i32.sub (local.get $end) (local.get $p)) (i32.const 63))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $a (f64x2.add (local.get $a) (v128.load offset=0 (local.get $p))))
        (local.set $b (f64x2.add (local.get $b) (v128.load offset=16 (local.get $p))))
        (local.set $c (f64x2.add (local.get $c) (v128.load offset=32 (local.get $p))))
        (local.set $d (f64x2.add (local.get $d) (v128.load offset=48 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $vloop)))
    (block $tdone
      (loop $tloop
        (br_if $tdone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $tail (f64.add (local.get $tail) (f64.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $tloop)))
    (local.set $a (f64x2.add (f64x2.add (local.get $a) (local.get $b)) (f64x2.add (local.get $c) (local.get $d))))
    (f64.add
      (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a)))
      (local.get $tail))))
