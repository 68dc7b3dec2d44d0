;; weft fl: the inner kernels of the dense and convolution layers, in WebAssembly SIMD (f32x4).
;;
;; Built by scripts/build-wasm.mjs (wabt) into kernels.wasm. Every kernel is single-threaded and sums in a fixed
;; order, so a given build gives bit-identical results on every thread and process. There is no fused
;; multiply-add in baseline wasm SIMD, so products are rounded before they are added, on every machine alike.
;;
;; All pointers are byte offsets into the imported memory (shared, so it can back a SharedArrayBuffer); float
;; arrays are f32. Loads and stores declare 4-byte alignment: rows of weights start wherever their layer puts them.
;; Address 0 is never a real buffer, so a pointer of 0 means "none".
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Compacts the non-zeros of a strided vector: for i < len, where v = x[i * xstride] is not 0, appends v to
  ;; val[] and the row address base + i * rstride to idx[], starting at entry nnz. Returns the new count.
  ;; Branch-free (it stores every element and advances only on non-zeros), because whether a pixel or a ReLU
  ;; output is zero is unpredictable; val and idx need one spare entry.
  (func $gather (export "gather")
    (param $x i32) (param $xstride i32) (param $len i32)
    (param $base i32) (param $rstride i32)
    (param $val i32) (param $idx i32) (param $nnz i32)
    (result i32)
    (local $end i32) (local $v f32) (local $k i32)
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $len) (local.get $xstride))))
    (local.set $val (i32.add (local.get $val) (i32.shl (local.get $nnz) (i32.const 2))))
    (local.set $idx (i32.add (local.get $idx) (i32.shl (local.get $nnz) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (loop $next
        (local.set $v (f32.load (local.get $x)))
        (f32.store (local.get $val) (local.get $v))
        (i32.store (local.get $idx) (local.get $base))
        (local.set $k (i32.shl (f32.ne (local.get $v) (f32.const 0)) (i32.const 2)))
        (local.set $val (i32.add (local.get $val) (local.get $k)))
        (local.set $idx (i32.add (local.get $idx) (local.get $k)))
        (local.set $nnz (i32.add (local.get $nnz) (i32.shr_u (local.get $k) (i32.const 2))))
        (local.set $base (i32.add (local.get $base) (local.get $rstride)))
        (local.set $x (i32.add (local.get $x) (local.get $xstride)))
        (br_if $next (i32.lt_u (local.get $x) (local.get $end)))))
    (local.get $nnz))

  ;; A sparse row times a dense matrix: out[o] = bias[o] + sum_j val[j] * M[idx[j] + col + 4o] for o < n, where
  ;; idx[j] is the byte address of the matrix row paired with val[j] (as `gather` writes it) and col a byte
  ;; offset added to every row. bias = 0 means zero; bias may equal out, to accumulate in place.
  ;;
  ;; Outputs go 32 at a time in eight f32x4 accumulators that stay in registers for the whole sparse row, so each
  ;; weight load feeds one multiply and one add and nothing is stored until the block is done; then 4 at a time,
  ;; then one at a time. Every output sums its terms in the order of j.
  (func $spmv (export "spmv")
    (param $val i32) (param $idx i32) (param $nnz i32) (param $col i32)
    (param $bias i32) (param $out i32) (param $n i32)
    (local $o i32) (local $vend i32) (local $pv i32) (local $pi i32) (local $r i32) (local $s v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $t f32) (local $co i32)
    (local.set $vend (i32.add (local.get $val) (i32.shl (local.get $nnz) (i32.const 2))))

    ;; 32 outputs per block.
    (block $done32
      (loop $block32
        (br_if $done32 (i32.gt_s (i32.add (local.get $o) (i32.const 32)) (local.get $n)))
        (if (local.get $bias)
          (then
            (local.set $r (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2))))
            (local.set $a0 (v128.load offset=0 align=4 (local.get $r)))
            (local.set $a1 (v128.load offset=16 align=4 (local.get $r)))
            (local.set $a2 (v128.load offset=32 align=4 (local.get $r)))
            (local.set $a3 (v128.load offset=48 align=4 (local.get $r)))
            (local.set $a4 (v128.load offset=64 align=4 (local.get $r)))
            (local.set $a5 (v128.load offset=80 align=4 (local.get $r)))
            (local.set $a6 (v128.load offset=96 align=4 (local.get $r)))
            (local.set $a7 (v128.load offset=112 align=4 (local.get $r))))
          (else
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $a4 (v128.const i32x4 0 0 0 0))
            (local.set $a5 (v128.const i32x4 0 0 0 0))
            (local.set $a6 (v128.const i32x4 0 0 0 0))
            (local.set $a7 (v128.const i32x4 0 0 0 0))))
        (local.set $pv (local.get $val))
        (local.set $pi (local.get $idx))
        (local.set $co (i32.add (local.get $col) (i32.shl (local.get $o) (i32.const 2))))
        (block $rowdone
          (br_if $rowdone (i32.ge_u (local.get $pv) (local.get $vend)))
          (loop $terms
            (local.set $s (f32x4.splat (f32.load (local.get $pv))))
            (local.set $r (i32.add (i32.load (local.get $pi)) (local.get $co)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (v128.load offset=0 align=4 (local.get $r)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (v128.load offset=16 align=4 (local.get $r)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (v128.load offset=32 align=4 (local.get $r)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (v128.load offset=48 align=4 (local.get $r)))))
            (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s) (v128.load offset=64 align=4 (local.get $r)))))
            (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s) (v128.load offset=80 align=4 (local.get $r)))))
            (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s) (v128.load offset=96 align=4 (local.get $r)))))
            (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s) (v128.load offset=112 align=4 (local.get $r)))))
            (local.set $pv (i32.add (local.get $pv) (i32.const 4)))
            (local.set $pi (i32.add (local.get $pi) (i32.const 4)))
            (br_if $terms (i32.lt_u (local.get $pv) (local.get $vend)))))
        (local.set $r (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))))
        (v128.store offset=0 align=4 (local.get $r) (local.get $a0))
        (v128.store offset=16 align=4 (local.get $r) (local.get $a1))
        (v128.store offset=32 align=4 (local.get $r) (local.get $a2))
        (v128.store offset=48 align=4 (local.get $r) (local.get $a3))
        (v128.store offset=64 align=4 (local.get $r) (local.get $a4))
        (v128.store offset=80 align=4 (local.get $r) (local.get $a5))
        (v128.store offset=96 align=4 (local.get $r) (local.get $a6))
        (v128.store offset=112 align=4 (local.get $r) (local.get $a7))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (br $block32)))

    ;; 4 outputs per block.
    (block $done4
      (loop $block4
        (br_if $done4 (i32.gt_s (i32.add (local.get $o) (i32.const 4)) (local.get $n)))
        (local.set $a0
          (if (result v128) (local.get $bias)
            (then (v128.load align=4 (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2)))))
            (else (v128.const i32x4 0 0 0 0))))
        (local.set $pv (local.get $val))
        (local.set $pi (local.get $idx))
        (block $rowdone
          (br_if $rowdone (i32.ge_u (local.get $pv) (local.get $vend)))
          (loop $terms
            (local.set $r (i32.add (i32.load (local.get $pi))
                                   (i32.add (local.get $col) (i32.shl (local.get $o) (i32.const 2)))))
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (f32x4.splat (f32.load (local.get $pv))) (v128.load align=4 (local.get $r)))))
            (local.set $pv (i32.add (local.get $pv) (i32.const 4)))
            (local.set $pi (i32.add (local.get $pi) (i32.const 4)))
            (br_if $terms (i32.lt_u (local.get $pv) (local.get $vend)))))
        (v128.store align=4 (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))) (local.get $a0))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $block4)))

    ;; The last n % 4 outputs, one at a time.
    (block $done1
      (loop $block1
        (br_if $done1 (i32.ge_s (local.get $o) (local.get $n)))
        (local.set $t
          (if (result f32) (local.get $bias)
            (then (f32.load (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2)))))
            (else (f32.const 0))))
        (local.set $pv (local.get $val))
        (local.set $pi (local.get $idx))
        (block $rowdone
          (br_if $rowdone (i32.ge_u (local.get $pv) (local.get $vend)))
          (loop $terms
            (local.set $r (i32.add (i32.load (local.get $pi))
                                   (i32.add (local.get $col) (i32.shl (local.get $o) (i32.const 2)))))
            (local.set $t (f32.add (local.get $t) (f32.mul (f32.load (local.get $pv)) (f32.load (local.get $r)))))
            (local.set $pv (i32.add (local.get $pv) (i32.const 4)))
            (local.set $pi (i32.add (local.get $pi) (i32.const 4)))
            (br_if $terms (i32.lt_u (local.get $pv) (local.get $vend)))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))) (local.get $t))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $block1))))

  ;; Horizontal sum of a f32x4 in a fixed order: (l0 + l1) + (l2 + l3).
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; Row dot products against several vectors: out[b * ostride + 4i] = sum_o W[i][o] * v[b * vstride + 4o] for
  ;; rows i < rows of the row-major matrix W (cols wide) and vectors b < nv (strides in bytes). This is
  ;; dx = dy W^T for an input-major dense weight without transposing it: each row of W is loaded once per four
  ;; vectors. Each dot product sums four interleaved partial sums, then those, then the cols % 4 tail.
  (func (export "rowsdot")
    (param $w i32) (param $rows i32) (param $cols i32)
    (param $v i32) (param $nv i32) (param $vstride i32)
    (param $out i32) (param $ostride i32)
    (local $i i32) (local $b i32) (local $o i32) (local $row i32) (local $vb i32) (local $cols4 i32)
    (local $x v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $t0 f32) (local $t1 f32) (local $t2 f32) (local $t3 f32) (local $wo f32) (local $q i32)
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (block $rowsdone
      (br_if $rowsdone (i32.le_s (local.get $rows) (i32.const 0)))
      (loop $rowloop
        (local.set $row (i32.add (local.get $w) (i32.shl (i32.mul (local.get $i) (local.get $cols)) (i32.const 2))))
        (local.set $b (i32.const 0))
        ;; Four vectors at a time.
        (block $quadsdone
          (loop $quadloop
            (br_if $quadsdone (i32.gt_s (i32.add (local.get $b) (i32.const 4)) (local.get $nv)))
            (local.set $vb (i32.add (local.get $v) (i32.mul (local.get $b) (local.get $vstride))))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $o (i32.const 0))
            (block $chunksdone
              (loop $chunk
                (br_if $chunksdone (i32.ge_s (local.get $o) (local.get $cols4)))
                (local.set $x (v128.load align=4 (i32.add (local.get $row) (i32.shl (local.get $o) (i32.const 2)))))
                (local.set $q (i32.add (local.get $vb) (i32.shl (local.get $o) (i32.const 2))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x) (v128.load align=4 (local.get $q)))))
                (local.set $q (i32.add (local.get $q) (local.get $vstride)))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x) (v128.load align=4 (local.get $q)))))
                (local.set $q (i32.add (local.get $q) (local.get $vstride)))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $x) (v128.load align=4 (local.get $q)))))
                (local.set $q (i32.add (local.get $q) (local.get $vstride)))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $x) (v128.load align=4 (local.get $q)))))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (br $chunk)))
            (local.set $t0 (call $hsum (local.get $a0)))
            (local.set $t1 (call $hsum (local.get $a1)))
            (local.set $t2 (call $hsum (local.get $a2)))
            (local.set $t3 (call $hsum (local.get $a3)))
            (block $taildone
              (loop $tail
                (br_if $taildone (i32.ge_s (local.get $o) (local.get $cols)))
                (local.set $wo (f32.load (i32.add (local.get $row) (i32.shl (local.get $o) (i32.const 2)))))
                (local.set $q (i32.add (local.get $vb) (i32.shl (local.get $o) (i32.const 2))))
                (local.set $t0 (f32.add (local.get $t0) (f32.mul (local.get $wo) (f32.load (local.get $q)))))
                (local.set $q (i32.add (local.get $q) (local.get $vstride)))
                (local.set $t1 (f32.add (local.get $t1) (f32.mul (local.get $wo) (f32.load (local.get $q)))))
                (local.set $q (i32.add (local.get $q) (local.get $vstride)))
                (local.set $t2 (f32.add (local.get $t2) (f32.mul (local.get $wo) (f32.load (local.get $q)))))
                (local.set $q (i32.add (local.get $q) (local.get $vstride)))
                (local.set $t3 (f32.add (local.get $t3) (f32.mul (local.get $wo) (f32.load (local.get $q)))))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))
                (br $tail)))
            (local.set $q (i32.add (local.get $out)
              (i32.add (i32.mul (local.get $b) (local.get $ostride)) (i32.shl (local.get $i) (i32.const 2)))))
            (f32.store (local.get $q) (local.get $t0))
            (local.set $q (i32.add (local.get $q) (local.get $ostride)))
            (f32.store (local.get $q) (local.get $t1))
            (local.set $q (i32.add (local.get $q) (local.get $ostride)))
            (f32.store (local.get $q) (local.get $t2))
            (local.set $q (i32.add (local.get $q) (local.get $ostride)))
            (f32.store (local.get $q) (local.get $t3))
            (local.set $b (i32.add (local.get $b) (i32.const 4)))
            (br $quadloop)))
        ;; The remaining nv % 4 vectors, one at a time, summed in the same order as above.
        (block $singlesdone
          (loop $singleloop
            (br_if $singlesdone (i32.ge_s (local.get $b) (local.get $nv)))
            (local.set $vb (i32.add (local.get $v) (i32.mul (local.get $b) (local.get $vstride))))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $o (i32.const 0))
            (block $chunksdone
              (loop $chunk
                (br_if $chunksdone (i32.ge_s (local.get $o) (local.get $cols4)))
                (local.set $a0 (f32x4.add (local.get $a0)
                  (f32x4.mul (v128.load align=4 (i32.add (local.get $row) (i32.shl (local.get $o) (i32.const 2))))
                             (v128.load align=4 (i32.add (local.get $vb) (i32.shl (local.get $o) (i32.const 2)))))))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (br $chunk)))
            (local.set $t0 (call $hsum (local.get $a0)))
            (block $taildone
              (loop $tail
                (br_if $taildone (i32.ge_s (local.get $o) (local.get $cols)))
                (local.set $t0 (f32.add (local.get $t0)
                  (f32.mul (f32.load (i32.add (local.get $row) (i32.shl (local.get $o) (i32.const 2))))
                           (f32.load (i32.add (local.get $vb) (i32.shl (local.get $o) (i32.const 2)))))))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))
                (br $tail)))
            (f32.store (i32.add (local.get $out)
              (i32.add (i32.mul (local.get $b) (local.get $ostride)) (i32.shl (local.get $i) (i32.const 2))))
              (local.get $t0))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $singleloop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $rowloop (i32.lt_s (local.get $i) (local.get $rows))))))

  ;; dst[i] += src[i] for i < len (f32), four at a time then one at a time: col2im's scatter of one patch row.
  (func (export "vadd") (param $dst i32) (param $src i32) (param $len i32)
    (local $end i32) (local $end4 i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $len) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $dst) (i32.shl (i32.and (local.get $len) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $quad
        (br_if $done4 (i32.ge_u (local.get $dst) (local.get $end4)))
        (v128.store align=4 (local.get $dst)
          (f32x4.add (v128.load align=4 (local.get $dst)) (v128.load align=4 (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $quad)))
    (block $done1
      (loop $one
        (br_if $done1 (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $one))))

  ;; One plain SGD step, w[i] = f32(f64(w[i]) - lr * f64(g[i])) for i < len: in double, then rounded to float32,
  ;; exactly as src/fl/optim/sgd.ts computes `params[i] -= lr * grad[i]` in JavaScript, so either path gives the
  ;; same bits. Four at a time (two f64x2 halves), then one at a time.
  (func (export "sgd") (param $w i32) (param $g i32) (param $len i32) (param $lr f64)
    (local $end i32) (local $end4 i32) (local $rate v128) (local $wv v128) (local $gv v128) (local $lo v128) (local $hi v128)
    (local.set $rate (f64x2.splat (local.get $lr)))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $len) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $w) (i32.shl (i32.and (local.get $len) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $quad
        (br_if $done4 (i32.ge_u (local.get $w) (local.get $end4)))
        (local.set $wv (v128.load align=4 (local.get $w)))
        (local.set $gv (v128.load align=4 (local.get $g)))
        (local.set $lo (f64x2.sub (f64x2.promote_low_f32x4 (local.get $wv))
                                  (f64x2.mul (local.get $rate) (f64x2.promote_low_f32x4 (local.get $gv)))))
        (local.set $hi (f64x2.sub
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wv) (local.get $wv)))
          (f64x2.mul (local.get $rate)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $gv) (local.get $gv))))))
        ;; demote gives [a, b, 0, 0]; the shuffle takes the low halves of both.
        (v128.store align=4 (local.get $w)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br $quad)))
    (block $done1
      (loop $one
        (br_if $done1 (i32.ge_u (local.get $w) (local.get $end)))
        (f32.store (local.get $w)
          (f32.demote_f64 (f64.sub (f64.promote_f32 (f32.load (local.get $w)))
                                   (f64.mul (local.get $lr) (f64.promote_f32 (f32.load (local.get $g)))))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (br $one))))

  ;; A dense layer's weight gradient, dW[i, :] = sum_b x[b, i] dy[b, :] over the examples b < n where x[b, i] is
  ;; not 0, for every input i < in (x is n x in, dy n x out, dW in x out, row-major f32). Each row is a strided
  ;; `gather` down the batch and an `spmv` of those terms (which writes zeros when there are none): the loop
  ;; src/fl/wasm/dense.ts ran in JavaScript, kept in wasm to save two calls per input.
  (func (export "outer")
    (param $x i32) (param $in i32) (param $n i32) (param $dy i32) (param $out i32) (param $gw i32)
    (param $val i32) (param $idx i32)
    (local $i i32) (local $nnz i32)
    (block $done
      (br_if $done (i32.le_s (local.get $in) (i32.const 0)))
      (loop $row
        (local.set $nnz (call $gather
          (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))) (i32.shl (local.get $in) (i32.const 2)) (local.get $n)
          (local.get $dy) (i32.shl (local.get $out) (i32.const 2)) (local.get $val) (local.get $idx) (i32.const 0)))
        (call $spmv (local.get $val) (local.get $idx) (local.get $nnz) (i32.const 0) (i32.const 0)
          (i32.add (local.get $gw) (i32.shl (i32.mul (local.get $i) (local.get $out)) (i32.const 2))) (local.get $out))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $row (i32.lt_s (local.get $i) (local.get $in))))))

  ;; ReLU, y[i] = x[i] > 0 ? x[i] : 0 for i < len (y may be x). f32x4.pmax(0, x) is (0 < x) ? x : 0 lane by lane,
  ;; the same bits as src/fl/models/relu.ts (NaN and -0 give +0).
  (func (export "relu") (param $x i32) (param $y i32) (param $len i32)
    (local $end i32) (local $end4 i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $len) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $x) (i32.shl (i32.and (local.get $len) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $quad
        (br_if $done4 (i32.ge_u (local.get $x) (local.get $end4)))
        (v128.store align=4 (local.get $y) (f32x4.pmax (v128.const i32x4 0 0 0 0) (v128.load align=4 (local.get $x))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $quad)))
    (block $done1
      (loop $one
        (br_if $done1 (i32.ge_u (local.get $x) (local.get $end)))
        (f32.store (local.get $y)
          (select (f32.load (local.get $x)) (f32.const 0) (f32.gt (f32.load (local.get $x)) (f32.const 0))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $one))))

  ;; ReLU's backward pass, dx[i] = y[i] > 0 ? dy[i] : 0 for i < len (dx may be dy), y the ReLU's output: the lanes
  ;; where y > 0 keep dy's bits, the others become +0, as src/fl/models/relu.ts does.
  (func (export "relumask") (param $y i32) (param $dy i32) (param $dx i32) (param $len i32)
    (local $end i32) (local $end4 i32)
    (local.set $end (i32.add (local.get $y) (i32.shl (local.get $len) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $y) (i32.shl (i32.and (local.get $len) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $quad
        (br_if $done4 (i32.ge_u (local.get $y) (local.get $end4)))
        (v128.store align=4 (local.get $dx)
          (v128.and (v128.load align=4 (local.get $dy))
                    (f32x4.gt (v128.load align=4 (local.get $y)) (v128.const i32x4 0 0 0 0))))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
        (br $quad)))
    (block $done1
      (loop $one
        (br_if $done1 (i32.ge_u (local.get $y) (local.get $end)))
        (f32.store (local.get $dx)
          (select (f32.load (local.get $dy)) (f32.const 0) (f32.gt (f32.load (local.get $y)) (f32.const 0))))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
        (local.set $dx (i32.add (local.get $dx) (i32.const 4)))
        (br $one))))
)
