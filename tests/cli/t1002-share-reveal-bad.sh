#!/bin/sh
# t1002-share-reveal-bad: bad inputs to spu-share and spu-reveal.  Each
# must exit 1 with a one-line message naming the offending file, and
# leave no output file behind.
. "$srcdir/tests/lib.sh"

printf '1.5,2\n-3,4.25\n' >"$T/x.csv"
"$B/spu-share" -o "$T/a.%d.shr" "$T/x.csv" &&
	"$B/spu-share" -o "$T/b.%d.shr" "$T/x.csv" &&
	"$B/spu-share" --protocol semi2k --parties 4 -o "$T/s.%d.shr" "$T/x.csv" &&
	"$B/spu-share" --protocol semi2k --parties 3 -o "$T/t.%d.shr" "$T/x.csv"
ok $? "setup: four sharings"

# no_output DESC: nothing named res* in $T
no_output() {
	if ls "$T"/res* >/dev/null 2>&1; then
		ok 1 "$1: no output left"; ls "$T"/res* | sed 's/^/# /'
	else ok 0 "$1: no output left"; fi
}
one_line() { [ "$(wc -l <"$T/err")" -eq 1 ]; ok $? "$1: one-line message"; }

reveal() { "$B/spu-reveal" -o "$T/res.npy" "$@"; }

# truncated bundle
sz=$(wc -c <"$T/a.1.shr")
head -c $((sz - 20)) "$T/a.1.shr" >"$T/trunc.shr"
run_fails 1 "spu-reveal: .*trunc\.shr: damaged" "truncated bundle refused" \
	reveal "$T/a.0.shr" "$T/trunc.shr" "$T/a.2.shr"
one_line "truncated"
no_output "truncated"

# one damaged byte in the payload
cp "$T/a.1.shr" "$T/flip.shr"
# (complement the byte there, so the file changes whatever it held)
old=$(od -An -tu1 -j $((sz - 60)) -N1 "$T/flip.shr" | tr -d ' ')
printf "\\$(printf '%o' $((255 - old)))" |
	dd of="$T/flip.shr" bs=1 seek=$((sz - 60)) conv=notrunc 2>/dev/null
cmp -s "$T/a.1.shr" "$T/flip.shr" && echo "# the flip changed nothing"
run_fails 1 "flip\.shr: damaged bundle: integrity" "flipped bits refused" \
	reveal "$T/a.0.shr" "$T/flip.shr" "$T/a.2.shr"
no_output "flipped"

# two sharings mixed
run_fails 1 "b\.1\.shr: bundle id differs from .*a\.0\.shr" \
	"bundles of two sharings mixed refused" \
	reveal "$T/a.0.shr" "$T/b.1.shr" "$T/a.2.shr"
one_line "mixed"
no_output "mixed"

# wrong party count: a 3-party and a 4-party semi2k sharing
run_fails 1 "s\.1\.shr: party count differs from .*t\.0\.shr" \
	"bundles of different party counts refused" \
	reveal "$T/t.0.shr" "$T/s.1.shr" "$T/t.2.shr"
no_output "party count"

# missing party, in any position
run_fails 1 "s\.3\.shr: sharing of 4 parties, but 3 bundles given \(party 1 missing\)" \
	"a missing party refused" reveal "$T/s.3.shr" "$T/s.0.shr" "$T/s.2.shr"
no_output "missing party"

# a party twice
run_fails 1 "a\.1\.shr: party 1 given twice" "a repeated party refused" \
	reveal "$T/a.0.shr" "$T/a.1.shr" "$T/a.1.shr"
no_output "party twice"

# protocol differs
run_fails 1 "protocol differs" "bundles of different protocols refused" \
	reveal "$T/a.0.shr" "$T/t.1.shr" "$T/a.2.shr"

# garbage, empty and non-existent files
head -c 300 /dev/urandom >"$T/garbage.shr"
run_fails 1 "garbage\.shr: not a spu share bundle" "garbage refused" \
	reveal "$T/a.0.shr" "$T/a.1.shr" "$T/garbage.shr"
no_output "garbage"
: >"$T/empty.shr"
run_fails 1 "empty\.shr: not a spu share bundle" "empty file refused" \
	reveal "$T/empty.shr"
run_fails 1 "nosuch\.shr: No such file" "missing file refused" \
	reveal "$T/nosuch.shr"
no_output "missing file"

# no value of that name
run_fails 1 "a\.0\.shr: no value named 'y'" "--name of a missing value" \
	"$B/spu-reveal" --name y "$T"/a.*.shr

# an output that cannot be written: exit 1, no temporary left
run_fails 1 "nodir/res\.npy" "unwritable output refused" \
	"$B/spu-reveal" -o "$T/nodir/res.npy" "$T"/a.*.shr
ls -a "$T" | grep -q '\.tmp$'
ok $((!$?)) "no temporary file left"

# ---- spu-share ----
run_fails 1 "nosuch\.csv: No such file" "missing input refused" \
	"$B/spu-share" -o "$T/res.%d.shr" "$T/nosuch.csv"
no_output "share: missing input"

printf '1,2\n3,oops\n' >"$T/bad.csv"
run_fails 1 "bad\.csv:2: field 2: not a number" "bad CSV field, with line" \
	"$B/spu-share" -o "$T/res.%d.shr" "$T/bad.csv"
no_output "share: bad CSV"

printf '1,2\n3\n' >"$T/ragged.csv"
run_fails 1 "ragged\.csv:2: 1 fields, the first row has 2" "ragged CSV refused" \
	"$B/spu-share" -o "$T/res.%d.shr" "$T/ragged.csv"

head -c 100 /dev/urandom >"$T/junk.npy"
run_fails 1 "junk\.npy: not a \.npy file" "garbage .npy refused" \
	"$B/spu-share" -o "$T/res.%d.shr" "$T/junk.npy"
no_output "share: garbage npy"

"$B/spu-reveal" -o "$T/v.npy" "$T"/a.*.shr
sz=$(wc -c <"$T/v.npy")
head -c $((sz - 3)) "$T/v.npy" >"$T/short.npy"
run_fails 1 "short\.npy: data is 13 bytes, the header needs 16 \(truncated\)" \
	"truncated .npy refused" "$B/spu-share" -o "$T/res.%d.shr" "$T/short.npy"
no_output "share: truncated npy"

# the second of two inputs is bad: nothing written
run_fails 1 "bad\.csv:2" "a bad second input refused" \
	"$B/spu-share" -o "$T/res.%d.shr" "$T/x.csv" "$T/bad.csv"
no_output "share: second input bad"

# integers must fit the ring
printf '%s\n' 1 4294967296 >"$T/big.csv"
run_fails 1 "big\.csv: element 1 \(s64\) does not fit the 32-bit ring" \
	"s64 beyond Z_2^32 refused" \
	"$B/spu-share" --dtype s64 --field 32 -o "$T/res.%d.shr" "$T/big.csv"
no_output "share: int range"

# a file that is neither .npy nor .csv
cp "$T/x.csv" "$T/x.txt"
run_fails 1 "x\.txt: not a \.npy file \(use --format csv" "unknown format refused" \
	"$B/spu-share" -o "$T/res.%d.shr" "$T/x.txt"
run_ok "--format csv reads it" "$B/spu-share" --format csv -o "$T/fc.%d.shr" "$T/x.txt"

# one party's file cannot be written: the others are removed
mkdir "$T/outd0" "$T/outd2"
run_fails 1 "outd1/x\.shr" "an unwritable party file refused" \
	"$B/spu-share" -o "$T/outd%d/x.shr" "$T/x.csv"
[ -z "$(ls -A "$T/outd0")$(ls -A "$T/outd2")" ]
ok $? "files already written were removed"

done_testing
