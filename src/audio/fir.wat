;; The inner loop of the PCM16 resampler (resampler.ts): a polyphase FIR over f32 samples with
;; f32x4 SIMD, compiled to src/audio/fir-wasm.ts by `npm run build:wasm` (wabt).
;;
;; Memory is laid out by the caller (fir-kernel.ts): state words at bytes 0 and 4, then the
;; coefficient rows, the f32 history window, the int16 input and the int16 output.
;;
;; Coefficient rows: one per phase, `taps` f32 each (a multiple of 4), time-reversed and
;; zero-padded at the front, so output = Σ row[j] · x[pos − taps + 1 + j] over j < taps.
(module
  (memory (export "memory") 2)

  ;; Widen n little-endian int16 samples at $src to f32 at $dst: 8 per step, then one by one.
  (func $widen (param $src i32) (param $dst i32) (param $n i32)
    (local $i i32) (local $v v128) (local $d i32)
    (block $tail
      (loop $eight
        (br_if $tail (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
        (local.set $v (v128.load align=1 (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 1)))))
        (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))))
        (v128.store align=4 (local.get $d)
          (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $v))))
        (v128.store offset=16 align=4 (local.get $d)
          (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $eight)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (f32.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
          (f32.convert_i32_s (i32.load16_s align=1 (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 1))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $one))))

;; The position and phase after one output: the phase advances by $down and the position by one
  ;; each time the phase wraps past $up (rational resampling by $up / $down, both at most 3, so
  ;; three conditional wraps suffice). Branch-free.
  (func $advance (param $pos i32) (param $phase i32) (param $up i32) (param $down i32) (result i32 i32)
    (local $c i32)
    (local.set $phase (i32.add (local.get $phase) (local.get $down)))
    (local.set $c (i32.ge_u (local.get $phase) (local.get $up)))
    (local.set $pos (i32.add (local.get $pos) (local.get $c)))
    (local.set $phase (i32.sub (local.get $phase) (i32.mul (local.get $c) (local.get $up))))
    (local.set $c (i32.ge_u (local.get $phase) (local.get $up)))
    (local.set $pos (i32.add (local.get $pos) (local.get $c)))
    (local.set $phase (i32.sub (local.get $phase) (i32.mul (local.get $c) (local.get $up))))
    (local.set $c (i32.ge_u (local.get $phase) (local.get $up)))
    (local.set $pos (i32.add (local.get $pos) (local.get $c)))
    (local.set $phase (i32.sub (local.get $phase) (i32.mul (local.get $c) (local.get $up))))
    (local.get $pos) (local.get $phase))

  ;; Widen n int16 input samples at $src into the history window $x after its taps − 1 samples
  ;; of history, then compute every output whose newest input sample (window index $pos) is in
  ;; the window, starting at phase $phase, into $out as int16 (rounded to nearest, ties to even,
  ;; saturated to int16).
  ;;
  ;; Each output is the dot product of its phase's row with the window of taps samples ending at
  ;; its position, accumulated in one f32x4 (4 taps per step), then its lanes summed as
  ;; (l0 + l2) + (l1 + l3). Outputs go four at a time (four independent accumulators, one
  ;; transposed reduction, one rounding and narrowing for the four), the last ones of a chunk
  ;; one at a time with the same arithmetic: an output never depends on how the stream was cut.
  ;; Returns the number of outputs; the next output's position and phase are left at bytes 0 and 4.
  (func (export "resample")
    (param $coef i32) (param $taps i32) (param $up i32) (param $down i32)
    (param $x i32) (param $src i32) (param $n i32) (param $pos i32) (param $phase i32) (param $out i32)
    (result i32)
    (local $keep i32) (local $last i32) (local $rowBytes i32) (local $count i32) (local $j i32)
    (local $pos1 i32) (local $pos2 i32) (local $pos3 i32) (local $ph1 i32) (local $ph2 i32) (local $ph3 i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $t v128) (local $u v128)
    (local.set $keep (i32.sub (local.get $taps) (i32.const 1)))
    (call $widen (local.get $src) (i32.add (local.get $x) (i32.shl (local.get $keep) (i32.const 2))) (local.get $n))
    (local.set $last (i32.sub (i32.add (local.get $keep) (local.get $n)) (i32.const 1)))
    (local.set $rowBytes (i32.shl (local.get $taps) (i32.const 2)))
    ;; Window start of the output at position p: x + (p − keep) · 4 = x − keep · 4 + p · 4.
    (local.set $x (i32.sub (local.get $x) (i32.shl (local.get $keep) (i32.const 2))))
    (block $quadsDone
      (loop $quad
        (call $advance (local.get $pos) (local.get $phase) (local.get $up) (local.get $down))
        (local.set $ph1) (local.set $pos1)
        (call $advance (local.get $pos1) (local.get $ph1) (local.get $up) (local.get $down))
        (local.set $ph2) (local.set $pos2)
        (call $advance (local.get $pos2) (local.get $ph2) (local.get $up) (local.get $down))
        (local.set $ph3) (local.set $pos3)
        (br_if $quadsDone (i32.gt_s (local.get $pos3) (local.get $last)))
        (local.set $w0 (i32.add (local.get $x) (i32.shl (local.get $pos) (i32.const 2))))
        (local.set $w1 (i32.add (local.get $x) (i32.shl (local.get $pos1) (i32.const 2))))
        (local.set $w2 (i32.add (local.get $x) (i32.shl (local.get $pos2) (i32.const 2))))
        (local.set $w3 (i32.add (local.get $x) (i32.shl (local.get $pos3) (i32.const 2))))
        (local.set $c0 (i32.add (local.get $coef) (i32.mul (local.get $phase) (local.get $rowBytes))))
        (local.set $c1 (i32.add (local.get $coef) (i32.mul (local.get $ph1) (local.get $rowBytes))))
        (local.set $c2 (i32.add (local.get $coef) (i32.mul (local.get $ph2) (local.get $rowBytes))))
        (local.set $c3 (i32.add (local.get $coef) (i32.mul (local.get $ph3) (local.get $rowBytes))))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (loop $mac
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
            (v128.load align=4 (i32.add (local.get $w0) (local.get $j))) (v128.load align=4 (i32.add (local.get $c0) (local.get $j))))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul
            (v128.load align=4 (i32.add (local.get $w1) (local.get $j))) (v128.load align=4 (i32.add (local.get $c1) (local.get $j))))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul
            (v128.load align=4 (i32.add (local.get $w2) (local.get $j))) (v128.load align=4 (i32.add (local.get $c2) (local.get $j))))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul
            (v128.load align=4 (i32.add (local.get $w3) (local.get $j))) (v128.load align=4 (i32.add (local.get $c3) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $mac (i32.lt_u (local.get $j) (local.get $rowBytes))))
        ;; [a0.l0 + a0.l2, a0.l1 + a0.l3, a1.l0 + a1.l2, a1.l1 + a1.l3], the same for a2 and a3,
        ;; then each output's two partial sums added: (l0 + l2) + (l1 + l3) in every lane.
        (local.set $t (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a0) (local.get $a1))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a0) (local.get $a1))))
        (local.set $u (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a2) (local.get $a3))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a2) (local.get $a3))))
        (local.set $t (f32x4.add
          (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $t) (local.get $u))
          (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $t) (local.get $u))))
        (local.set $t (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $t))))
        (v128.store64_lane align=1 0 (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 1)))
          (i16x8.narrow_i32x4_s (local.get $t) (local.get $t)))
        (local.set $count (i32.add (local.get $count) (i32.const 4)))
        (call $advance (local.get $pos3) (local.get $ph3) (local.get $up) (local.get $down))
        (local.set $phase) (local.set $pos)
        (br $quad)))
    (block $done
      (loop $one
        (br_if $done (i32.gt_s (local.get $pos) (local.get $last)))
        (local.set $w0 (i32.add (local.get $x) (i32.shl (local.get $pos) (i32.const 2))))
        (local.set $c0 (i32.add (local.get $coef) (i32.mul (local.get $phase) (local.get $rowBytes))))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (loop $mac1
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
            (v128.load align=4 (i32.add (local.get $w0) (local.get $j))) (v128.load align=4 (i32.add (local.get $c0) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $mac1 (i32.lt_u (local.get $j) (local.get $rowBytes))))
        (local.set $t (f32x4.add (local.get $a0)
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a0) (local.get $a0))))
        (local.set $t (f32x4.add (local.get $t)
          (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $t) (local.get $t))))
        (local.set $t (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $t))))
        (v128.store16_lane align=1 0 (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 1)))
          (i16x8.narrow_i32x4_s (local.get $t) (local.get $t)))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (call $advance (local.get $pos) (local.get $phase) (local.get $up) (local.get $down))
        (local.set $phase) (local.set $pos)
        (br $one)))
    (i32.store (i32.const 0) (local.get $pos))
    (i32.store (i32.const 4) (local.get $phase))
    (local.get $count)))
