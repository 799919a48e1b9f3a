;; The inner loop of the PCM16 resampler (resampler.ts): a polyphase FIR over f32 samples with
;; f32x4 SIMD, compiled to src/audio/fir-wasm.ts by `npm run build:wasm` (wabt).
;;
;; Memory is laid out by the caller (fir-kernel.ts): state words at bytes 0 and 4, then the
;; coefficient rows, the f32 history window, the int16 input and the int16 output.
;;
;; Coefficient rows: one per phase, `taps` f32 each (a multiple of 8), time-reversed and
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

  ;; Widen n int16 input samples at $src into the history window $x after its taps − 1 samples
  ;; of history, then compute every output whose newest input sample (window index $pos) is in
  ;; the window, starting at phase $phase: into $out as int16 (rounded to nearest, ties to even,
  ;; clipped). The phase advances by $down per output and the position by one each time the
  ;; phase wraps past $up (rational resampling by $up / $down).
  ;; Returns the number of outputs; the next output's position and phase are left at bytes 0 and 4.
  (func (export "resample")
    (param $coef i32) (param $taps i32) (param $up i32) (param $down i32)
    (param $x i32) (param $src i32) (param $n i32) (param $pos i32) (param $phase i32) (param $out i32)
    (result i32)
    (local $keep i32) (local $last i32) (local $rowBytes i32) (local $count i32)
    (local $w i32) (local $c i32) (local $j i32) (local $a0 v128) (local $a1 v128) (local $s f32)
    (local.set $keep (i32.sub (local.get $taps) (i32.const 1)))
    (call $widen (local.get $src) (i32.add (local.get $x) (i32.shl (local.get $keep) (i32.const 2))) (local.get $n))
    (local.set $last (i32.sub (i32.add (local.get $keep) (local.get $n)) (i32.const 1)))
    (local.set $rowBytes (i32.shl (local.get $taps) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.gt_s (local.get $pos) (local.get $last)))
        (local.set $w (i32.add (local.get $x) (i32.shl (i32.sub (local.get $pos) (local.get $keep)) (i32.const 2))))
        (local.set $c (i32.add (local.get $coef) (i32.mul (local.get $phase) (local.get $rowBytes))))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        ;; Two independent accumulators of 4 lanes: 8 taps per step.
        (loop $mac
          (local.set $a0 (f32x4.add (local.get $a0)
            (f32x4.mul (v128.load align=4 (i32.add (local.get $w) (local.get $j)))
                       (v128.load align=4 (i32.add (local.get $c) (local.get $j))))))
          (local.set $a1 (f32x4.add (local.get $a1)
            (f32x4.mul (v128.load offset=16 align=4 (i32.add (local.get $w) (local.get $j)))
                       (v128.load offset=16 align=4 (i32.add (local.get $c) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br_if $mac (i32.lt_u (local.get $j) (local.get $rowBytes))))
        (local.set $a0 (f32x4.add (local.get $a0) (local.get $a1)))
        (local.set $s (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
          (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (i32.store16 align=1 (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 1)))
          (i32.trunc_sat_f32_s
            (f32.max (f32.const -32768) (f32.min (f32.const 32767) (f32.nearest (local.get $s))))))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (local.set $phase (i32.add (local.get $phase) (local.get $down)))
        (block $wrapped
          (loop $wrap
            (br_if $wrapped (i32.lt_u (local.get $phase) (local.get $up)))
            (local.set $phase (i32.sub (local.get $phase) (local.get $up)))
            (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
            (br $wrap)))
        (br $next)))
    (i32.store (i32.const 0) (local.get $pos))
    (i32.store (i32.const 4) (local.get $phase))
    (local.get $count)))
