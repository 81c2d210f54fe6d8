#!/bin/sh
# t5003-reduce-init: a maximum (minimum) reduction whose init is -inf
# (+inf), as JAX writes jnp.max, skips the comparison with the init, and
# values below the VM's infinity sentinel (-8192 at FM64) keep their true
# maximum.  Short rows (at most 16) compare all pairs at once
# (hal/rowmax.c): one comparison depth, ties to one winner.
. "$srcdir/tests/lib.sh"

cat >"$T/r.hlo" <<'HLO'
HloModule rmax
region_max {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT m = f32[] maximum(a, b)
}
region_min {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT m = f32[] minimum(a, b)
}
ENTRY main {
  x = f32[6,5] parameter(0)
  ninf = f32[] constant(-inf)
  pinf = f32[] constant(inf)
  mx = f32[6] reduce(x, ninf), dimensions={1}, to_apply=region_max
  mn = f32[6] reduce(x, pinf), dimensions={1}, to_apply=region_min
  ROOT r = (f32[6], f32[6]) tuple(mx, mn)
}
HLO
cat >"$T/x.csv" <<'CSV'
-10000,-20000,-30000,-12000,-11000
0.5,-1,2,0.25,1.5
9000,8000,10000,-3,4
-0.125,-0.25,-0.5,-1,-2
1.5,1.5,1.5,1.5,1.5
-2,3,3,-2,0
CSV
printf '%s\n' -10000 2 10000 -0.125 1.5 3 -30000 -1 -3 -2 1.5 -2 >"$T/want"
run_ok "compile" "$B/spu-compile" -o "$T/r.spub" "$T/r.hlo"
for cfg in "semi2k 2" "aby3 3"; do
	set -- $cfg
	run_ok "$1: share" "$B/spu-share" --protocol "$1" --parties "$2" \
	    --shape 6,5 -o "$T/x.%d.shr" "$T/x.csv"
	files=
	i=0; while [ $i -lt "$2" ]; do files="$files $T/o.$i.shr"; i=$((i + 1)); done
	run_ok "$1: run" "$B/spu-run" --simulate "$2" --profile \
	    -o "$T/o.%d.shr" "$T/r.spub" "$T/x.%d.shr"
	# shellcheck disable=SC2086
	"$B/spu-reveal" $files | tr ',' '\n' | grep . >"$T/got"
	paste -d' ' "$T/want" "$T/got" | awk '{ e = $1 - $2; if (e < 0) e = -e
	    if (e > 0.01) bad++ } END { exit bad > 0 || NR != 12 }'
	ok $? "$1: max and min of rows, below the sentinel and with ties"
	# a tree would take 3 comparison levels per reduction (5 -> 3 ->
	# 2 -> 1), 48 rounds (semi2k) or 54 (aby3) for both, one more level
	# each with the init; all pairs at once take one MSB, an AND fold of
	# 4 bits and the bit product
	r=$(awk '$1 == "reduce" { print $5; exit }' "$T/err")
	[ "$r" -le 24 ]
	ok $? "$1: $r rounds for both reductions (at most 24)"
done
done_testing
