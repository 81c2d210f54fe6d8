#!/bin/sh
# t3006-reuse-masks: a secret result that two products read gets an id,
# so semi2k opens its Beaver mask once: h = x + x multiplied by w and by
# d sends exactly 8 bytes per element of h less (party 0 of 2, 64-bit
# ring) than the same program multiplying a different g the second time.
# Both agree with --cleartext under semi2k and aby3.
. "$srcdir/tests/lib.sh"

for v in same other; do
	if [ $v = same ]; then G=h; else G=g; fi
	cat >"$T/$v.hlo" <<EOT
HloModule jit_twice, entry_computation_layout={(f32[8,16]{1,0}, f32[16,4]{1,0}, f32[4,8]{1,0})->(f32[8,4]{1,0}, f32[4,16]{1,0})}

ENTRY main.9 {
  x = f32[8,16]{1,0} parameter(0)
  w = f32[16,4]{1,0} parameter(1)
  d = f32[4,8]{1,0} parameter(2)
  h = f32[8,16]{1,0} add(x, x)
  g = f32[8,16]{1,0} subtract(h, x)
  y = f32[8,4]{1,0} dot(h, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  gw = f32[4,16]{1,0} dot(d, $G), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  ROOT t = (f32[8,4]{1,0}, f32[4,16]{1,0}) tuple(y, gw)
}
EOT
	run_ok "$v: compile" "$B/spu-compile" -o "$T/$v.spub" "$T/$v.hlo"
done
awk 'BEGIN { for (i = 0; i < 128; i++) print (i % 7 - 3) / 4 }' >"$T/x.csv"
awk 'BEGIN { for (i = 0; i < 64; i++) print (i % 5 - 2) / 4 }' >"$T/w.csv"
awk 'BEGIN { for (i = 0; i < 32; i++) print (i % 3 - 1) / 2 }' >"$T/d.csv"

# sent BYTES of party 0 from --stats
sent() { sed -n 's/.*party 0: .*sent \([0-9]*\) B.*/\1/p' "$1"; }

for cfg in "semi2k 2" "aby3 3"; do
	set -- $cfg
	"$B/spu-share" --protocol "$1" --parties "$2" --shape 8,16 \
		-o "$T/x.%d.shr" "$T/x.csv" &&
	"$B/spu-share" --protocol "$1" --parties "$2" --shape 16,4 \
		-o "$T/w.%d.shr" "$T/w.csv" &&
	"$B/spu-share" --protocol "$1" --parties "$2" --shape 4,8 \
		-o "$T/d.%d.shr" "$T/d.csv"
	ok $? "$1: share the inputs"
	for v in same other; do
		"$B/spu-run" --cleartext "$T/$v.spub" "$T/x.csv" "$T/w.csv" \
			"$T/d.csv" | tr , '\n' >"$T/want"
		run_reveal_cmp "$2" "$T/want" 0 1e-4 "$T/o" "$T/err.$v" \
		    "$1 $v: agrees with cleartext" --stats "$T/$v.spub" \
		    "$T/x.%d.shr" "$T/w.%d.shr" "$T/d.%d.shr"
	done
	if [ "$1" = semi2k ]; then
		s=$(sent "$T/err.same"); o=$(sent "$T/err.other")
		[ -n "$s" ] && [ -n "$o" ] && [ $((o - s)) -eq 1024 ]
		ok $? "semi2k: h's mask is opened once ($s B against $o B)"
	fi
done
done_testing
