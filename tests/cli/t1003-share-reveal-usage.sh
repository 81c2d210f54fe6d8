#!/bin/sh
# t1003-share-reveal-usage: options of spu-share and spu-reveal: --help,
# --version, and usage errors (exit 2, message on stderr).
. "$srcdir/tests/lib.sh"

printf '1,2\n' >"$T/x.csv"
for tool in spu-share spu-reveal; do
	"$B/$tool" --help >"$T/out" 2>"$T/err"
	[ $? -eq 0 ] && grep -q "^usage: $tool" "$T/out" && [ ! -s "$T/err" ]
	ok $? "$tool --help: usage on stdout, exit 0"
	[ "$("$B/$tool" -V)" = "$tool (spu) 0.1.0" ]
	ok $? "$tool -V"
	run_fails 2 "$tool" "$tool: unknown option" "$B/$tool" --frobnicate
done

share() { "$B/spu-share" "$@" "$T/x.csv"; }
run_fails 2 "no output" "share: -o is required" share
run_fails 2 "must contain %d" "share: template without %d" share -o "$T/x.shr"
run_fails 2 "must contain %d" "share: template with %s" share -o "$T/%d%s"
run_fails 2 "unknown protocol 'spdz'" "share: unknown protocol" \
	share --protocol spdz -o "$T/zz%d"
run_fails 2 "2 parties not valid for aby3" "share: aby3 with 2 parties" \
	share --parties 2 -o "$T/zz%d"
run_fails 2 "1 parties not valid for semi2k" "share: semi2k with 1 party" \
	share --protocol semi2k --parties 1 -o "$T/zz%d"
run_fails 2 "--parties" "share: 17 parties" \
	share --protocol semi2k --parties 17 -o "$T/zz%d"
run_fails 2 "32, 64 or 128" "share: field 48" share --field 48 -o "$T/zz%d"
run_fails 2 "at most 62" "share: fxp 63 in Z_2^64" share --fxp 63 -o "$T/zz%d"
run_fails 2 "unknown dtype" "share: unknown dtype" share --dtype f128 -o "$T/zz%d"
run_fails 2 "2 --name for 1 inputs" "share: more names than inputs" \
	share --name a --name b -o "$T/zz%d"
run_fails 2 "npy or csv" "share: unknown --format" share --format xls -o "$T/zz%d"
run_fails 2 "standard input given more than once" "share: stdin twice" \
	"$B/spu-share" -o "$T/zz%d" - -
[ -z "$(ls "$T" | grep "^zz")" ]
ok $? "usage errors write nothing"

"$B/spu-share" --name a --name b -o "$T/two.%d.shr" "$T/x.csv" "$T/x.csv"
run_fails 2 "no bundles" "reveal: no bundles" "$B/spu-reveal"
run_fails 2 "give a name with %d" "reveal: several values, -o without %d" \
	"$B/spu-reveal" -o "$T/r.npy" "$T"/two.*.shr
run_fails 2 "npy, text or csv" "reveal: unknown --format" \
	"$B/spu-reveal" --format xls "$T"/two.*.shr
[ ! -e "$T/r.npy" ]
ok $? "reveal usage errors write nothing"

done_testing
