#!/bin/sh
# t3005-loop-batches: a training-style loop over batches, as JAX's
# fori_loop prints it: a while loop whose state carries the whole dataset
# and whose body takes batch i with a dynamic slice, reshapes it and
# multiplies; the dataset is also read after the loop.  The run hands the
# loop its inputs without copying them (spu-run gives the VM its inputs;
# a value read for the last time is moved, not copied), the batch is
# copied as one contiguous run, and the reshape at its last use keeps its
# buffers.  Results agree with --cleartext (float64) under ref2k, semi2k
# and aby3, in the 64- and 128-bit rings.
. "$srcdir/tests/lib.sh"

cat >"$T/loop.hlo" <<'EOF'
HloModule jit_loop, entry_computation_layout={(f32[16]{0}, f32[3,4,16]{2,1,0})->(f32[16]{0}, f32[4]{0}, f32[])}

region_add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}

body {
  st = (s32[], f32[16]{0}, f32[4]{0}, f32[3,4,16]{2,1,0}) parameter(0)
  i = s32[] get-tuple-element(st), index=0
  w = f32[16]{0} get-tuple-element(st), index=1
  acc = f32[4]{0} get-tuple-element(st), index=2
  xs = f32[3,4,16]{2,1,0} get-tuple-element(st), index=3
  zero = s32[] constant(0)
  ds = f32[1,4,16]{2,1,0} dynamic-slice(xs, i, zero, zero), dynamic_slice_sizes={1,4,16}
  xb = f32[4,16]{1,0} reshape(ds)
  p = f32[4]{0} dot(xb, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  acc2 = f32[4]{0} add(acc, p)
  c0 = f32[] constant(0)
  col = f32[16]{0} reduce(xb, c0), dimensions={0}, to_apply=region_add
  h = f32[] constant(0.5)
  hb = f32[16]{0} broadcast(h), dimensions={}
  w2 = f32[16]{0} multiply(w, hb)
  w3 = f32[16]{0} add(w2, col)
  one = s32[] constant(1)
  i2 = s32[] add(i, one)
  ROOT t = (s32[], f32[16]{0}, f32[4]{0}, f32[3,4,16]{2,1,0}) tuple(i2, w3, acc2, xs)
}

cond {
  st = (s32[], f32[16]{0}, f32[4]{0}, f32[3,4,16]{2,1,0}) parameter(0)
  i = s32[] get-tuple-element(st), index=0
  n = s32[] constant(3)
  ROOT lt = pred[] compare(i, n), direction=LT
}

ENTRY main {
  w0 = f32[16]{0} parameter(0)
  X = f32[3,4,16]{2,1,0} parameter(1)
  z = s32[] constant(0)
  c0 = f32[] constant(0)
  a0 = f32[4]{0} broadcast(c0), dimensions={}
  t0 = (s32[], f32[16]{0}, f32[4]{0}, f32[3,4,16]{2,1,0}) tuple(z, w0, a0, X)
  wl = (s32[], f32[16]{0}, f32[4]{0}, f32[3,4,16]{2,1,0}) while(t0), condition=cond, body=body
  w1 = f32[16]{0} get-tuple-element(wl), index=1
  a1 = f32[4]{0} get-tuple-element(wl), index=2
  s = f32[] reduce(X, c0), dimensions={0,1,2}, to_apply=region_add
  ROOT r = (f32[16]{0}, f32[4]{0}, f32[]) tuple(w1, a1, s)
}
EOF
awk 'BEGIN { for (i = 0; i < 16; i++) print (i % 5 - 2) / 4 }' >"$T/w.csv"
awk 'BEGIN { for (i = 0; i < 192; i++) print ((i * 7) % 13 - 6) / 8 }' \
	>"$T/x.csv"
run_ok "compile the loop" "$B/spu-compile" -o "$T/loop.spub" "$T/loop.hlo"
"$B/spu-run" --cleartext "$T/loop.spub" "$T/w.csv" "$T/x.csv" >"$T/want"
[ "$(wc -l <"$T/want")" -eq 21 ]; ok $? "cleartext: 21 output values"

for cfg in "ref2k 1" "semi2k 2" "aby3 3"; do
	set -- $cfg
	for field in 64 128; do
		tag="$1 FM$field"
		"$B/spu-share" --protocol "$1" --parties "$2" --field "$field" \
			-o "$T/w.%d.shr" "$T/w.csv" &&
		"$B/spu-share" --protocol "$1" --parties "$2" --field "$field" \
			--shape 3,4,16 -o "$T/x.%d.shr" "$T/x.csv"
		ok $? "$tag: share the inputs"
		run_reveal_cmp "$2" "$T/want" 0 1e-3 "$T/o" "$T/err" \
		    "$tag: loop over batches agrees with cleartext" \
		    "$T/loop.spub" "$T/w.%d.shr" "$T/x.%d.shr"
	done
done
done_testing
