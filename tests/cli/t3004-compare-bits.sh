#!/bin/sh
# t3004-compare-bits: spu-run --compare-bits K compares floats on K bits
# instead of the ring's: a less-than and a ReLU give the exact results
# (checked with awk) under semi2k and aby3, with fewer bytes than the
# default; K out of range is a usage error, K without integer bits above
# the fraction bits a run error, and parties that disagree on K stop at
# the handshake.  The less-than output leaves as a boolean sharing
# ("secret-xor" in the bundle): spu-reveal reads it, and a second run
# takes it as an input to a select.
. "$srcdir/tests/lib.sh"

cat >"$T/c.hlo" <<'EOF'
HloModule jit_cmp, entry_computation_layout={(f32[16]{0}, f32[16]{0})->(pred[16]{0}, f32[16]{0})}

ENTRY main.7 {
  Arg_0.1 = f32[16]{0} parameter(0)
  Arg_1.2 = f32[16]{0} parameter(1)
  compare.3 = pred[16]{0} compare(Arg_0.1, Arg_1.2), direction=LT
  constant.4 = f32[] constant(0)
  broadcast.5 = f32[16]{0} broadcast(constant.4), dimensions={}
  maximum.6 = f32[16]{0} maximum(Arg_0.1, broadcast.5)
  ROOT tuple.7 = (pred[16]{0}, f32[16]{0}) tuple(compare.3, maximum.6)
}
EOF
# neighbours one fixed-point step (2^-18) apart, equal pairs, signs
printf '%s\n' -1000 -3.5 -1 -0.001 0 0.0000038147 0.25 1 2 7.5 100 \
	999.9 -250 3 -3 42 >"$T/x.csv"
printf '%s\n' 1000 -3.5 1 0 0 0 0.5 -1 2.0001 7.4 -100 999.8 -250.5 3 3 \
	-42 >"$T/y.csv"
run_ok "compile less and relu" "$B/spu-compile" -o "$T/c.spub" "$T/c.hlo"
cat >"$T/s.hlo" <<'EOF'
HloModule jit_sel, entry_computation_layout={(pred[16]{0}, f32[16]{0})->f32[16]{0}}

ENTRY main.5 {
  Arg_0.1 = pred[16]{0} parameter(0)
  Arg_1.2 = f32[16]{0} parameter(1)
  negate.3 = f32[16]{0} negate(Arg_1.2)
  ROOT select.4 = f32[16]{0} select(Arg_0.1, Arg_1.2, negate.3)
}
EOF
run_ok "compile select" "$B/spu-compile" -o "$T/s.spub" "$T/s.hlo"
# x < y ? x : 0, which the compiler makes a product of the predicate
# (used once) and x: the bit times x without B2A
cat >"$T/m.hlo" <<'EOF'
HloModule jit_msel, entry_computation_layout={(f32[16]{0}, f32[16]{0})->f32[16]{0}}

ENTRY main.6 {
  Arg_0.1 = f32[16]{0} parameter(0)
  Arg_1.2 = f32[16]{0} parameter(1)
  compare.3 = pred[16]{0} compare(Arg_0.1, Arg_1.2), direction=LT
  constant.4 = f32[] constant(0)
  broadcast.5 = f32[16]{0} broadcast(constant.4), dimensions={}
  ROOT select.6 = f32[16]{0} select(compare.3, Arg_0.1, broadcast.5)
}
EOF
run_ok "compile select of a comparison" "$B/spu-compile" -o "$T/m.spub" \
	"$T/m.hlo"
"$B/spu-compile" --emit=text -o - "$T/m.hlo" | grep -q ' = mul('
ok $? "the select is a product"
paste -d' ' "$T/x.csv" "$T/y.csv" | awk '{ print ($1 < $2) ? $1 : 0 }' \
	>"$T/want3"
paste -d' ' "$T/x.csv" "$T/y.csv" | awk '{ print ($1 < $2) ? 1 : 0 }' \
	>"$T/want"
awk '{ print ($1 > 0) ? $1 : 0 }' "$T/x.csv" >>"$T/want"

# sent BYTES of party 0 from --stats
sent() { sed -n 's/.*party 0: .*sent \([0-9]*\) B.*/\1/p' "$1"; }

# check N WANT OUT ERR TAG SPU-RUN-ARGS...: run N parties (--simulate),
# writing OUT.%d.shr, reveal, and compare with the lines of WANT (exact
# up to f32 rounding)
check() {
	n=$1; want=$2; out=$3; err=$4; tag=$5; shift 5
	run_reveal_cmp "$n" "$want" 1e-7 1e-6 "$out" "$err" "$tag" "$@"
}

# the first run's outputs (pred as a boolean sharing, relu) as the
# inputs of p ? r : -r
awk 'NR <= 16 { p[NR] = $1 }
	NR > 16 { print p[NR - 16] ? $1 : -$1 }' "$T/want" >"$T/want2"

for cfg in "semi2k 2" "aby3 3"; do
	set -- $cfg
	for v in x y; do
		"$B/spu-share" --protocol "$1" --parties "$2" --field 64 \
			-o "$T/$v.%d.shr" "$T/$v.csv" || ok 1 "$1: share $v"
	done
	for k in "" 40 33; do
		# shellcheck disable=SC2086
		check "$2" "$T/want" "$T/o" "$T/err.$k" \
		    "$1, --compare-bits ${k:-unset}: less and relu exact" \
		    --stats ${k:+--compare-bits $k} "$T/c.spub" "$T/x.%d.shr" \
		    "$T/y.%d.shr"
	done
	check "$2" "$T/want2" "$T/s" "$T/err.s" \
	    "$1: a boolean-shared output feeds a select in another run" \
	    "$T/s.spub" "$T/o.%d.shr"
	check "$2" "$T/want3" "$T/s" "$T/err.m" \
	    "$1: x < y ? x : 0 exact (the bit times x)" \
	    "$T/m.spub" "$T/x.%d.shr" "$T/y.%d.shr"
	full=$(sent "$T/err."); k40=$(sent "$T/err.40"); k33=$(sent "$T/err.33")
	[ -n "$full" ] && [ -n "$k40" ] && [ "$k40" -lt "$full" ] &&
		[ "$k33" -lt "$k40" ]
	ok $? "$1: party 0 sends $full B on the ring, $k40 B on 40 bits, $k33 B on 33"
done

for bad in 1 129 x 40x; do
	run_fails 2 "spu-run: --compare-bits takes 2\.\.128: $bad" \
		"--compare-bits $bad: usage error" "$B/spu-run" --simulate 3 \
		--compare-bits "$bad" "$T/c.spub" "$T/x.%d.shr" "$T/y.%d.shr" \
		-o "$T/o.%d.shr"
done
rm -f "$T"/o.*.shr
run_fails 1 "spu-run: party 0: --compare-bits 19 leaves no integer bits above the 18 fraction bits" \
	"--compare-bits 19 at 18 fraction bits: error" "$B/spu-run" \
	--simulate 3 --compare-bits 19 "$T/c.spub" "$T/x.%d.shr" \
	"$T/y.%d.shr" -o "$T/o.%d.shr"
[ ! -e "$T/o.0.shr" ]; ok $? "no output after the error"

# parties disagreeing on K would exchange messages of other sizes
port=$(port_base 4)
peers="127.0.0.1:$port,127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2))"
pids=
for i in 0 1 2; do
	k=40; [ $i -eq 2 ] && k=48
	"$B/spu-run" --party $i --peers "$peers" --insecure-plaintext-links \
		--timeout 20 --compare-bits $k "$T/c.spub" "$T/x.$i.shr" \
		"$T/y.$i.shr" -o "$T/o.$i.shr" 2>"$T/tcp.$i" &
	pids="$pids $!"
done
st=0; for p in $pids; do wait "$p" && st=1; done
ok $st "parties with different --compare-bits all fail"
# whoever reads the odd hello first says so (the others may hear of the
# abort before they read it)
cat "$T"/tcp.* | grep -q "party [0-2] chose other function methods"
ok $? "and say why (handshake)"
done_testing
