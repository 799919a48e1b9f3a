;; The base64 alphabet check of the bridge's fast paths (base64.ts), 16 bytes per step
;; with i8x16 SIMD, compiled to src/bridge/base64-check-wasm.ts by `npm run build:wasm` (wabt).
;;
;; The caller copies the payload, its `=` padding already cut off, to byte 0 of memory and calls
;; check(n). The alphabet is that of RFC 4648 section 4 (standard base64): A-Z a-z 0-9 + /.
(module
  (memory (export "memory") 1)

  ;; 1 when each of the n bytes at 0 is in the alphabet, else 0. n ≤ 65520: the 16 bytes after
  ;; the payload are overwritten with "A" so the last vector needs no separate tail loop.
  (func (export "check") (param $n i32) (result i32)
    (local $i i32) (local $v v128) (local $all v128)
    (v128.store align=1 (local.get $n) (i8x16.splat (i32.const 0x41)))
    (local.set $all (v128.const i64x2 -1 -1))
    (block $done
      (loop $vector
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (v128.load align=1 (local.get $i)))
        ;; a lane is in the alphabet when it is a letter (v | 0x20 in a..z), in / 0..9 (0x2f..0x39,
        ;; one range), or +; unsigned range checks as (v - low) ≤ (high - low)
        (local.set $all
          (v128.and (local.get $all)
            (v128.or
              (v128.or
                (i8x16.le_u
                  (i8x16.sub (v128.or (local.get $v) (i8x16.splat (i32.const 0x20))) (i8x16.splat (i32.const 0x61)))
                  (i8x16.splat (i32.const 25)))
                (i8x16.le_u
                  (i8x16.sub (local.get $v) (i8x16.splat (i32.const 0x2f)))
                  (i8x16.splat (i32.const 10))))
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x2b))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (i8x16.all_true (local.get $all)))
)
