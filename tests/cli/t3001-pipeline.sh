#!/bin/sh
# t3001-pipeline: the four tools chained, under every protocol, with
# --simulate and with separate processes on 127.0.0.1; results compared
# with a cleartext computation (awk, double precision).
. "$srcdir/tests/lib.sh"

cat >"$T/w.csv" <<'E'
0.5
-1.25
2
E
echo 0.75 >"$T/b.csv"
cat >"$T/X.csv" <<'E'
1,2,3
-1,0.5,4
0,0,0
3.5,-2,1
-0.25,1,-1
10,20,-30
E
# expected: X @ w + b, then w*w
awk -F, 'FNR==NR && FILENAME ~ /w.csv/ {w[n++]=$1; next}
	FILENAME ~ /b.csv/ {b=$1; next}
	{s=b; for (j=1;j<=NF;j++) s+=$j*w[j-1]; print s}
	END {for (j=0;j<n;j++) print w[j]*w[j]}' \
	"$T/w.csv" "$T/b.csv" "$T/X.csv" >"$T/want.txt"

run_ok "compile the linear model" "$B/spu-compile" -o "$T/p.spub" \
	"$srcdir/tests/data/linreg.hlo.txt"

# close PROTOCOL PARTIES TAG [FIELD]: reveal out.*.shr, compare with
# want.txt.  The tolerance allows the truncation's last-bit error: one
# unit of 2^-8 at FM32 (TruncAPr2 may add it even to an exact product).
close() {
	files=
	ulp=0; [ "${4:-64}" = 32 ] && ulp=0.00390625
	i=0; while [ $i -lt "$2" ]; do files="$files $T/out.$i.shr"; i=$((i + 1)); done
	# shellcheck disable=SC2086
	if "$B/spu-reveal" $files >"$T/got.txt" 2>"$T/err" &&
	    paste -d' ' "$T/want.txt" "$T/got.txt" | tr ',' ' ' | awk -v u="$ulp" '
		{ for (i = 2; i <= NF; i++) { e = $i - $1; if (e < 0) e = -e
		  if (e > u + 2e-3 + 1e-4 * ($1 < 0 ? -$1 : $1)) bad++; n++ } }
		END { exit !(bad == 0 && n == 9) }'; then
		ok 0 "$3: result matches cleartext"
	else
		ok 1 "$3: result matches cleartext"
		sed 's/^/# /' "$T/err" "$T/got.txt" | head -12
	fi
}

share() { # PROTOCOL PARTIES FIELD
	"$B/spu-share" --protocol "$1" --parties "$2" --field "$3" --name w -o "$T/w.%d.shr" "$T/w.csv" &&
	"$B/spu-share" --protocol "$1" --parties "$2" --field "$3" --name b --shape scalar -o "$T/b.%d.shr" "$T/b.csv" &&
	"$B/spu-share" --protocol "$1" --parties "$2" --field "$3" --name X -o "$T/X.%d.shr" "$T/X.csv"
}

for cfg in "ref2k 1 64" "semi2k 2 64" "semi2k 3 32" "semi2k 4 128" "aby3 3 64" "aby3 3 128" "aby3 3 32"; do
	set -- $cfg
	tag="$1 $2 parties field $3"
	run_ok "$tag: share" share "$1" "$2" "$3"
	rm -f "$T"/out.*.shr
	run_ok "$tag: --simulate" "$B/spu-run" --simulate "$2" "$T/p.spub" \
		"$T/w.%d.shr" "$T/b.%d.shr" "$T/X.%d.shr" -o "$T/out.%d.shr"
	close "$1" "$2" "$tag, simulated" "$3"
done

# --profile: one row per op kind that ran, with its rounds
"$B/spu-run" --simulate 3 --profile "$T/p.spub" "$T/w.%d.shr" "$T/b.%d.shr" \
	"$T/X.%d.shr" -o "$T/out.%d.shr" 2>"$T/prof"
grep -Eq '^matmul +1 ' "$T/prof" && grep -Eq '^square +1 ' "$T/prof"
ok $? "--profile lists matmul and square (w*w) once each"

# separate processes on TCP
port=$(port_base 1)
for cfg in "semi2k 2 64" "aby3 3 64" "semi2k 4 64"; do
	set -- $cfg
	tag="$1 $2 parties over TCP"
	share "$1" "$2" "$3" 2>/dev/null
	rm -f "$T"/out.*.shr
	peers=$(keyed_peers "$2" "$port")
	pids=; i=0
	while [ $i -lt "$2" ]; do
		"$B/spu-run" --party $i --peers "$peers" --key "$T/key.$i" --timeout 20 "$T/p.spub" \
			"$T/w.$i.shr" "$T/b.$i.shr" "$T/X.$i.shr" -o "$T/out.$i.shr" 2>"$T/run.$i.err" &
		pids="$pids $!"; i=$((i + 1))
	done
	st=0; for p in $pids; do wait "$p" || st=1; done
	ok $st "$tag: all parties exit 0"
	[ $st -eq 0 ] || cat "$T"/run.*.err | sed 's/^/# /'
	close "$1" "$2" "$tag"
	port=$((port + 8))
done

# plaintext links for benchmarks: works, and says so loudly
share aby3 3 64 2>/dev/null
rm -f "$T"/out.*.shr
peers="127.0.0.1:$port,127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2))"
pids=
for i in 0 1 2; do
	"$B/spu-run" --party $i --peers "$peers" --insecure-plaintext-links --timeout 20 \
		"$T/p.spub" "$T/w.$i.shr" "$T/b.$i.shr" "$T/X.$i.shr" -o "$T/out.$i.shr" 2>"$T/run.$i.err" &
	pids="$pids $!"
done
st=0; for p in $pids; do wait "$p" || st=1; done
ok $st "aby3 over plaintext TCP: all parties exit 0"
grep -q "NOT encrypted" "$T/run.0.err"; ok $? "plaintext links print a warning"
close aby3 3 "aby3 over plaintext TCP"
done_testing
