#!/bin/sh
# t3002-bad-input: damaged, foreign and mismatched inputs to spu-run and
# spu-reveal; each must exit 1 with a message naming the cause, and leave
# no output file behind.
. "$srcdir/tests/lib.sh"

printf '0.5\n-1.25\n2\n' >"$T/w.csv"
echo 0.75 >"$T/b.csv"
printf '1,2,3\n-1,0.5,4\n0,0,0\n3.5,-2,1\n-0.25,1,-1\n10,20,-30\n' >"$T/X.csv"
"$B/spu-compile" -o "$T/p.spub" "$srcdir/tests/data/linreg.hlo.txt"
share() { # PREFIX PROTOCOL PARTIES
	for v in w b X; do
		sh=; [ $v = b ] && sh="--shape scalar"
		"$B/spu-share" --protocol "$2" --parties "$3" --name $v $sh \
			-o "$T/$1$v.%d.shr" "$T/$v.csv" || return 1
	done
}
share "" aby3 3
share "o" aby3 3
share "s" semi2k 2

no_output() { # DESC
	if ls "$T"/out.* >/dev/null 2>&1; then ok 1 "$1: no output left"; ls "$T"/out.* | sed 's/^/# /'
	else ok 0 "$1: no output left"; fi
}
sim() { "$B/spu-run" --simulate 3 --timeout 5 "$@" -o "$T/out.%d.shr"; }

head -c 10 /dev/urandom >"$T/garbage.spub"
run_fails 1 "garbage.spub" "garbage bytecode is refused" \
	sim "$T/garbage.spub" "$T/w.%d.shr" "$T/b.%d.shr" "$T/X.%d.shr"
no_output "garbage bytecode"

head -c 60 "$T/p.spub" >"$T/trunc.spub"
run_fails 1 "trunc.spub" "truncated bytecode is refused" \
	sim "$T/trunc.spub" "$T/w.%d.shr" "$T/b.%d.shr" "$T/X.%d.shr"
no_output "truncated bytecode"

for i in 0 1 2; do cp "$T/X.$i.shr" "$T/tX.$i.shr"; done
sz=$(wc -c <"$T/X.1.shr")
head -c $((sz / 2)) "$T/X.1.shr" >"$T/tX.1.shr"
run_fails 1 "tX.1.shr" "a truncated share bundle is refused" \
	sim "$T/p.spub" "$T/w.%d.shr" "$T/b.%d.shr" "$T/tX.%d.shr"
no_output "truncated bundle"

for i in 0 1 2; do cp "$T/X.$i.shr" "$T/mX.$i.shr"; done
cp "$T/oX.1.shr" "$T/mX.1.shr"
run_fails 1 "different sharing" "bundles of two sharings mixed are refused" \
	sim "$T/p.spub" "$T/w.%d.shr" "$T/b.%d.shr" "$T/mX.%d.shr"
no_output "mixed sharings"

run_fails 1 "shared for 2 parties" "a party count other than the sharing's is refused" \
	sim "$T/p.spub" "$T/sw.%d.shr" "$T/sb.%d.shr" "$T/sX.%d.shr"
no_output "wrong party count"

run_fails 1 "belongs to party 1" "another party's bundle is refused" \
	"$B/spu-run" --party 0 --peers 127.0.0.1:1,127.0.0.1:2,127.0.0.1:3 --insecure-plaintext-links \
	"$T/p.spub" "$T/w.0.shr" "$T/b.0.shr" "$T/X.1.shr" -o "$T/out.0.shr"
no_output "another party's bundle"

port=$(port_base 2)
peers=$(keyed_peers 2 "$port")
run_fails 1 "time|reach|party 1" "a peer that never comes times out" \
	"$B/spu-run" --party 0 --peers "$peers" --key "$T/key.0" \
	--timeout 1 "$T/p.spub" "$T/sw.0.shr" "$T/sb.0.shr" "$T/sX.0.shr" -o "$T/out.0.shr"
no_output "peer timeout"

# a peer presenting another key is refused before any share is sent
ipk=$("$B/spu-run" --keygen "$T/intruder")
ipeers="${peers%=*}=$ipk"	# the intruder lists its own key as party 1's
"$B/spu-run" --party 1 --peers "$ipeers" --key "$T/intruder" --timeout 3 "$T/p.spub" \
	"$T/sw.1.shr" "$T/sb.1.shr" "$T/sX.1.shr" -o "$T/out.1.shr" 2>/dev/null &
_pids="$_pids $!"
run_fails 1 "key|authenticat|intruder" "a peer with the wrong key is refused" \
	"$B/spu-run" --party 0 --peers "$peers" --key "$T/key.0" \
	--timeout 3 "$T/p.spub" "$T/sw.0.shr" "$T/sb.0.shr" "$T/sX.0.shr" -o "$T/out.0.shr"
wait
no_output "wrong key"
run_fails 2 "authenticated" "peers without keys need --insecure-plaintext-links" \
	"$B/spu-run" --party 0 --peers "127.0.0.1:$port,127.0.0.1:$((port + 1))" \
	"$T/p.spub" "$T/sw.0.shr" -o "$T/out.0.shr"
run_fails 1 "not an spu key file" "a damaged key file is refused" \
	"$B/spu-run" --party 0 --peers "$peers" --key "$T/p.spub" \
	"$T/p.spub" "$T/sw.0.shr" -o "$T/out.0.shr"

run_fails 1 "takes 3 inputs|more inputs" "too few inputs are refused" \
	sim "$T/p.spub" "$T/w.%d.shr" "$T/b.%d.shr"
no_output "too few inputs"

run_fails 2 "" "missing -o is a usage error" \
	"$B/spu-run" --simulate 3 "$T/p.spub" "$T/w.%d.shr"
run_fails 2 "" "an unknown option is a usage error" \
	"$B/spu-run" --bogus
done_testing
