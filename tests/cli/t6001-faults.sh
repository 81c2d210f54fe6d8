#!/bin/sh
# t6001-faults: a party killed at a random point of a longer run makes
# every other party exit 1 soon, naming the lost party, with no output
# file left behind.  Repeated runs, bounded time.
. "$srcdir/tests/lib.sh"

# a chain of 480 secret products of 20000 elements: ~1400 rounds, about
# 1 s, so the kill below (at 0..400 ms) always lands mid-run
{
	echo "HloModule chain"
	echo "ENTRY e {"
	echo "  x0 = f32[20000] parameter(0)"
	i=1
	while [ $i -le 480 ]; do
		echo "  x$i = f32[20000] multiply(x$((i - 1)), x$((i - 1)))"
		i=$((i + 1))
	done
	echo "  ROOT r = f32[20000] add(x480, x0)"
	echo "}"
} >"$T/chain.hlo"
"$B/spu-compile" -o "$T/chain.spub" "$T/chain.hlo"
awk 'BEGIN { for (i = 0; i < 20000; i++) print 1 }' >"$T/x.csv"
"$B/spu-share" --protocol aby3 -o "$T/x.%d.shr" "$T/x.csv"

port=$(port_base 6)
runs=${SPU_FAULT_RUNS:-4}
r=0
while [ $r -lt "$runs" ]; do
	peers=$(keyed_peers 3 "$port")
	victim=$(( (r + $$) % 3 ))
	pids=
	for i in 0 1 2; do
		"$B/spu-run" --party $i --peers "$peers" --key "$T/key.$i" --timeout 5 \
			"$T/chain.spub" "$T/x.$i.shr" -o "$T/out.$i.shr" 2>"$T/err.$i" &
		eval "pid$i=$!"
		pids="$pids $!"
	done
	# kill the victim after a random 0..400 ms
	sleep "0.$(awk -v s=$$ -v r=$r 'BEGIN { srand(s + r); printf "%03d", int(rand() * 400) }')"
	eval "kill -9 \$pid$victim" 2>/dev/null
	start=$(date +%s)
	st=0
	for i in 0 1 2; do
		[ $i -eq $victim ] && continue
		eval "wait \$pid$i"; code=$?
		[ $code -eq 1 ] || st=1
		grep -q "party $victim" "$T/err.$i" || st=1
	done
	wait 2>/dev/null
	took=$(( $(date +%s) - start ))
	[ $took -le 7 ] || st=1
	ok $st "run $r: party $victim killed; the others exit 1 naming it within ${took}s"
	[ $st -eq 0 ] || sed 's/^/# /' "$T"/err.*
	ls "$T"/out.*.shr >/dev/null 2>&1
	[ $? -ne 0 ]; ok $? "run $r: no output file left"
	rm -f "$T"/out.*.shr
	port=$((port + 4))
	r=$((r + 1))
done
done_testing
