;; The swap pass of the whole-list swap-or-not shuffle, in WebAssembly with 128-bit SIMD.
;;
;; Why WebAssembly: in plain JavaScript the branchless pair swap costs about 5 ns a pair on this project's
;; machines (two bounds-checked loads and stores, the mask arithmetic), and one 90-round shuffle of 1M indices is
;; 45M pairs. Here 8 pairs are swapped per iteration with 128-bit loads, lane reversal and bitselect-style masks,
;; about 0.7 ns a pair. The JavaScript fallback (shuffleListJs.ts) does the same arithmetic one pair at a time.
;;
;; `kernel.ts` embeds the binary compiled from this file (`kernelWasm.ts`); `test/consensus/shuffle/kernel.test.ts`
;; recompiles it with wabt and fails when the two differ (`WEFT_WRITE_KERNEL=1` rewrites the embedded copy).
;;
;; segment(x, bits, i, j, count): for k in [0, count) take the pair (i + k, j - k) of the i32 list at byte offset
;; `x` and swap its two items when bit (j - k) of the bit stream at byte offset `bits` is set (bit p is bit p % 8 of
;; byte p / 8: the spec's `source` hashes laid end to end, 256 positions per hash). The caller guarantees the pairs
;; are disjoint (i + count - 1 < j - count + 1), which every swap-or-not round satisfies.
(module
  (memory (export "memory") 1)
  (func (export "segment") (param $x i32) (param $bits i32) (param $i i32) (param $j i32) (param $count i32)
    (local $end i32) (local $p i32) (local $pi i32) (local $pj i32) (local $bitsv i32)
    (local $ar v128) (local $b v128) (local $d v128)
    (local $va i32) (local $vb i32) (local $dd i32)
    (local.set $end (i32.add (local.get $i) (local.get $count)))

    ;; 8 pairs per iteration: i..i+7 against j-7..j.
    (block $done8
      (loop $loop8
        (br_if $done8 (i32.lt_s (i32.sub (local.get $end) (local.get $i)) (i32.const 8)))
        (local.set $p (i32.sub (local.get $j) (i32.const 7)))
        (local.set $pi (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $pj (i32.add (local.get $x) (i32.shl (local.get $p) (i32.const 2))))
        ;; bits p..p+7 in the low byte (an unaligned 32-bit load; at most 7 + 8 bits are needed)
        (local.set $bitsv (i32.shr_u
          (i32.load (i32.add (local.get $bits) (i32.shr_u (local.get $p) (i32.const 3))))
          (i32.and (local.get $p) (i32.const 7))))

        ;; lanes x[j-7..j-4] pair with x[i+7..i+4]: load x[i+4..i+7] and reverse its lanes
        (local.set $ar (i8x16.shuffle 12 13 14 15 8 9 10 11 4 5 6 7 0 1 2 3
          (v128.load offset=16 (local.get $pi)) (v128.load offset=16 (local.get $pi))))
        (local.set $b (v128.load (local.get $pj)))
        ;; d = (a ^ b) & mask, mask lane L all ones when bit p + L is set
        (local.set $d (v128.and (v128.xor (local.get $ar) (local.get $b))
          (i32x4.ne (v128.and (i32x4.splat (local.get $bitsv)) (v128.const i32x4 1 2 4 8))
                    (v128.const i32x4 0 0 0 0))))
        (v128.store (local.get $pj) (v128.xor (local.get $b) (local.get $d)))
        (local.set $ar (v128.xor (local.get $ar) (local.get $d)))
        (v128.store offset=16 (local.get $pi) (i8x16.shuffle 12 13 14 15 8 9 10 11 4 5 6 7 0 1 2 3
          (local.get $ar) (local.get $ar)))

        ;; lanes x[j-3..j] pair with x[i+3..i]
        (local.set $ar (i8x16.shuffle 12 13 14 15 8 9 10 11 4 5 6 7 0 1 2 3
          (v128.load (local.get $pi)) (v128.load (local.get $pi))))
        (local.set $b (v128.load offset=16 (local.get $pj)))
        (local.set $d (v128.and (v128.xor (local.get $ar) (local.get $b))
          (i32x4.ne (v128.and (i32x4.splat (local.get $bitsv)) (v128.const i32x4 16 32 64 128))
                    (v128.const i32x4 0 0 0 0))))
        (v128.store offset=16 (local.get $pj) (v128.xor (local.get $b) (local.get $d)))
        (local.set $ar (v128.xor (local.get $ar) (local.get $d)))
        (v128.store (local.get $pi) (i8x16.shuffle 12 13 14 15 8 9 10 11 4 5 6 7 0 1 2 3
          (local.get $ar) (local.get $ar)))

        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (local.set $j (i32.sub (local.get $j) (i32.const 8)))
        (br $loop8)))

    ;; the last 0..7 pairs, one at a time, still branchless
    (block $done1
      (loop $loop1
        (br_if $done1 (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $pi (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $pj (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $va (i32.load (local.get $pi)))
        (local.set $vb (i32.load (local.get $pj)))
        (local.set $dd (i32.and (i32.xor (local.get $va) (local.get $vb))
          (i32.sub (i32.const 0)
            (i32.and (i32.shr_u (i32.load8_u (i32.add (local.get $bits) (i32.shr_u (local.get $j) (i32.const 3))))
                                (i32.and (local.get $j) (i32.const 7)))
                     (i32.const 1)))))
        (i32.store (local.get $pi) (i32.xor (local.get $va) (local.get $dd)))
        (i32.store (local.get $pj) (i32.xor (local.get $vb) (local.get $dd)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $j (i32.sub (local.get $j) (i32.const 1)))
        (br $loop1)))))
