#!/bin/sh
# t5003-reduce-init: a maximum (minimum) reduction whose init is -inf
# (+inf), as JAX writes jnp.max, skips the comparison with the init: it
# costs the tree's ceil(log2 w) comparison levels only, and values below
# the VM's infinity sentinel (-8192 at FM64) keep their true maximum.
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
  x = f32[4,5] parameter(0)
  ninf = f32[] constant(-inf)
  pinf = f32[] constant(inf)
  mx = f32[4] reduce(x, ninf), dimensions={1}, to_apply=region_max
  mn = f32[4] reduce(x, pinf), dimensions={1}, to_apply=region_min
  ROOT r = (f32[4], f32[4]) tuple(mx, mn)
}
HLO
cat >"$T/x.csv" <<'CSV'
-10000,-20000,-30000,-12000,-11000
0.5,-1,2,0.25,1.5
9000,8000,10000,-3,4
-0.125,-0.25,-0.5,-1,-2
CSV
printf '%s\n' -10000 2 10000 -0.125 -30000 -1 -3 -2 >"$T/want"
run_ok "compile" "$B/spu-compile" -o "$T/r.spub" "$T/r.hlo"
for cfg in "semi2k 2" "aby3 3"; do
	set -- $cfg
	run_ok "$1: share" "$B/spu-share" --protocol "$1" --parties "$2" \
	    --shape 4,5 -o "$T/x.%d.shr" "$T/x.csv"
	files=
	i=0; while [ $i -lt "$2" ]; do files="$files $T/o.$i.shr"; i=$((i + 1)); done
	run_ok "$1: run" "$B/spu-run" --simulate "$2" --profile \
	    -o "$T/o.%d.shr" "$T/r.spub" "$T/x.%d.shr"
	# shellcheck disable=SC2086
	"$B/spu-reveal" $files | tr ',' '\n' | grep . >"$T/got"
	paste -d' ' "$T/want" "$T/got" | awk '{ e = $1 - $2; if (e < 0) e = -e
	    if (e > 0.01) bad++ } END { exit bad > 0 || NR != 8 }'
	ok $? "$1: max and min of rows, below the sentinel too"
	# two reductions of 3 comparison levels each (5 -> 3 -> 2 -> 1),
	# none with the init: a comparison is 8 (semi2k) or 10 (aby3)
	# rounds here, so 6 of them
	r=$(awk '$1 == "reduce" { print $5; exit }' "$T/err")
	per=8; [ "$1" = aby3 ] && per=10
	[ "$r" -le $((6 * per)) ]
	ok $? "$1: $r rounds for both reductions (at most $((6 * per)))"
done
done_testing
