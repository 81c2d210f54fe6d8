#!/bin/sh
# t1001-share-reveal: spu-share then spu-reveal round trips under every
# protocol, party count and field, from CSV and from .npy (made by
# spu-reveal itself), compared with the input within the fixed-point
# tolerance 2^-fxp; integers exactly; several values in one bundle;
# public values; saturation warning.
. "$srcdir/tests/lib.sh"

cat >"$T/x.csv" <<'E'
a,b,c
1.5,-2.25,3.14159
1000.5,-0.001,0
-7,123.456,0.5
E
tail -n +2 "$T/x.csv" >"$T/want.csv"

# within WANT GOT TOL: every field of GOT within TOL (+1e-6 relative) of WANT
within() {
	[ "$(wc -l <"$1")" -eq "$(wc -l <"$2")" ] || return 1
	paste -d, "$1" "$2" | awk -F, -v tol="$3" '
		{ h = NF / 2; if (h != int(h)) bad++
		  for (i = 1; i <= h; i++) { e = $i - $(i + h); if (e < 0) e = -e
		    a = $i < 0 ? -$i : $i
		    if (e > tol + 1e-6 * a) bad++ } }
		END { exit bad > 0 }'
}

# the checker itself can fail
sed 's/1000.5/1000.6/' "$T/want.csv" >"$T/off.csv"
! within "$T/want.csv" "$T/off.csv" 0.01
ok $? "the comparison catches an error of 0.1"

# make the .npy input with spu-reveal from a ref2k sharing of the CSV
"$B/spu-share" --protocol ref2k --field 128 --fxp 40 --dtype f64 \
	-o "$T/src.%d.shr" "$T/x.csv" &&
	"$B/spu-reveal" -o "$T/x.npy" "$T/src.0.shr"
ok $? "make x.npy with spu-reveal"

for field in 32 64 128; do
	case $field in 32) f=8;; 64) f=18;; 128) f=26;; esac
	tol=$(awk -v f=$f 'BEGIN { printf "%.12g", 2 ^ -f }')
	for pp in ref2k:1 ref2k:3 semi2k:2 semi2k:4 aby3:3; do
		proto=${pp%:*} n=${pp#*:}
		for in in x.csv x.npy; do
			rm -f "$T"/s.*.shr
			tag="$proto/$n parties/Z_2^$field/$in"
			if ! "$B/spu-share" --protocol $proto --parties $n \
			    --field $field -o "$T/s.%d.shr" "$T/$in" 2>"$T/err"; then
				ok 1 "$tag: share"; sed 's/^/# /' "$T/err"; continue
			fi
			files=$(ls "$T"/s.*.shr | sort -r)	# any order
			[ "$(echo "$files" | wc -l)" -eq "$n" ]
			ok $? "$tag: $n bundles written"
			# shellcheck disable=SC2086
			"$B/spu-reveal" $files >"$T/got.txt" 2>"$T/err" &&
				within "$T/want.csv" "$T/got.txt" "$tol"
			ok $? "$tag: revealed within 2^-$f"
		done
	done
done

# shares really are shares: no single aby3/semi2k bundle equals another
"$B/spu-share" --protocol semi2k --parties 2 -o "$T/k.%d.shr" "$T/x.csv"
! cmp -s "$T/k.0.shr" "$T/k.1.shr"
ok $? "semi2k bundles of the two parties differ"

# integers are exact, in any field they fit
printf '%s\n' -2147483648 2147483647 0 -1 >"$T/i.csv"
for field in 32 64 128; do
	"$B/spu-share" --dtype s32 --field $field -o "$T/i.%d.shr" "$T/i.csv" &&
		"$B/spu-reveal" "$T"/i.*.shr >"$T/got.txt" &&
		cmp -s "$T/i.csv" "$T/got.txt"
	ok $? "s32 extremes exact in Z_2^$field"
done
printf '%s\n' 18446744073709551615 0 12345678901234567890 >"$T/u.csv"
"$B/spu-share" --dtype u64 --protocol semi2k -o "$T/u.%d.shr" "$T/u.csv" &&
	"$B/spu-reveal" "$T"/u.*.shr >"$T/got.txt" && cmp -s "$T/u.csv" "$T/got.txt"
ok $? "u64 exact in Z_2^64"
printf '%s\n' 1 0 1 1 >"$T/p.csv"
"$B/spu-share" --dtype pred -o "$T/p.%d.shr" "$T/p.csv" &&
	"$B/spu-reveal" "$T"/p.*.shr >"$T/got.txt" && cmp -s "$T/p.csv" "$T/got.txt"
ok $? "pred round trip"
# .npy out and back in keeps the dtype: s32 npy -> share -> npy
"$B/spu-reveal" -o "$T/i.npy" "$T"/i.*.shr &&
	"$B/spu-share" -o "$T/j.%d.shr" "$T/i.npy" &&
	"$B/spu-reveal" --format csv "$T"/j.*.shr >"$T/got.txt" &&
	cmp -s "$T/i.csv" "$T/got.txt"
ok $? "s32 through .npy and back"
head -c 8 "$T/i.npy" | od -An -c | tr -d ' \n' >"$T/magic"
grep -q '223NUMPY001' "$T/magic"
ok $? "spu-reveal writes .npy version 1.0"

# several values in one bundle
printf '1,2\n3,4\n' >"$T/m.csv"
printf '0.25\n' >"$T/s.csv"
"$B/spu-share" --name m --name s -o "$T/two.%d.shr" "$T/m.csv" "$T/s.csv" &&
	"$B/spu-reveal" --name s "$T"/two.*.shr >"$T/got.txt" &&
	[ "$(cat "$T/got.txt")" = 0.25 ]
ok $? "two values, --name selects one"
"$B/spu-reveal" "$T"/two.*.shr >"$T/got.txt" &&
	printf '1,2\n3,4\n0.25\n' | cmp -s - "$T/got.txt"
ok $? "two values printed one after the other"
"$B/spu-reveal" -o "$T/o%d.npy" "$T"/two.*.shr &&
	"$B/spu-share" -o "$T/r.%d.shr" "$T/o1.npy" &&
	"$B/spu-reveal" "$T"/r.*.shr >"$T/got.txt" &&
	[ "$(cat "$T/got.txt")" = 0.25 ] && [ -f "$T/o0.npy" ]
ok $? "-o with %d writes one .npy per value"
"$B/spu-reveal" --name m --format csv -o "$T/m.out" "$T"/two.*.shr &&
	cmp -s "$T/m.csv" "$T/m.out"
ok $? "--format csv -o FILE writes CSV"
"$B/spu-share" -o "$T/auto.%d.shr" "$T/m.csv" "$T/s.csv" &&
	"$B/spu-reveal" --name x1 "$T"/auto.*.shr >"$T/got.txt" &&
	[ "$(cat "$T/got.txt")" = 0.25 ]
ok $? "default names x0, x1"

# public values: every party holds the encoded cleartext
"$B/spu-share" --public --protocol aby3 -o "$T/pub.%d.shr" "$T/x.csv" &&
	"$B/spu-reveal" "$T"/pub.*.shr >"$T/got.txt" &&
	within "$T/want.csv" "$T/got.txt" 4e-6
ok $? "public value round trip"

# stdin in, floats outside the range saturate with a warning
printf '1e7\n-1e7\n1\n' | "$B/spu-share" --field 32 -o "$T/sat.%d.shr" \
	>/dev/null 2>"$T/err"
ok $? "stdin CSV accepted"
grep -q "warning: 2 elements outside the fixed-point range" "$T/err"
ok $? "saturation warned about"
"$B/spu-reveal" "$T"/sat.*.shr >"$T/got.txt" &&
	printf '4194304\n-4194304\n1\n' >"$T/want2.txt" &&
	within "$T/want2.txt" "$T/got.txt" 0.01
ok $? "saturated to +-2^22 in Z_2^32 with 8 fraction bits"

done_testing
