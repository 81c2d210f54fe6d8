#!/bin/sh
# t3003-fxp-methods: spu-run's method options of the fixed-point functions
# (--exp, --exp-iters, --log, --recip-iters, --sigmoid, --tanh) reach the
# computation: a program of exp, log(exp), logistic and tanh is run under
# semi2k with the defaults and with each alternative, and every revealed
# value is compared with the formula that method computes (awk, double
# precision); bad method names and counts are usage errors.
. "$srcdir/tests/lib.sh"

printf '%s\n' -5 -1.5 -0.25 0.5 1.75 6 >"$T/x.csv"
run_ok "compile exp, log, logistic, tanh" "$B/spu-compile" -o "$T/p.spub" \
	"$srcdir/tests/data/fxp_methods.hlo.txt"
run_ok "share x" "$B/spu-share" --protocol semi2k --parties 2 --field 64 \
	--name x -o "$T/x.%d.shr" "$T/x.csv"

# want EXP_N SIGMOID TANH: the 24 expected values (exp, log exp, logistic,
# tanh); EXP_N 0 = exact exp, else (1 + x/2^n)^(2^n).
want() {
	awk -v n="$1" -v sg="$2" -v th="$3" '
	function e(x) { return n == 0 ? exp(x) : exp(2 ^ n * log(1 + x / 2 ^ n)) }
	function th_(x) { return (exp(2 * x) - 1) / (exp(2 * x) + 1) }
	function sig(x, y) {
		if (sg == "real") return 1 / (1 + exp(-x))
		y = 0.5 + 0.125 * x
		if (sg == "seg3") { if (y < 0) y = 0; if (y > 1) y = 1 }
		return y
	}
	{ x[NR] = $1 }
	END {
		for (i = 1; i <= NR; i++) print e(x[i])
		for (i = 1; i <= NR; i++) print log(e(x[i]))
		for (i = 1; i <= NR; i++) print sig(x[i])
		for (i = 1; i <= NR; i++) { t = th_(x[i])
			if (th == "cheb" && x[i] > 4) t = th_(4)
			if (th == "cheb" && x[i] < -4) t = th_(-4)
			print t }
	}' "$T/x.csv"
}

# check TAG EXP_N SIGMOID TANH OPTIONS...: run, reveal, compare
check() {
	tag=$1; en=$2; sg=$3; th=$4; shift 4
	rm -f "$T"/o.*.shr
	want "$en" "$sg" "$th" >"$T/want.txt"
	if "$B/spu-run" --simulate 2 "$@" "$T/p.spub" "$T/x.%d.shr" \
	    -o "$T/o.%d.shr" 2>"$T/err" &&
	    "$B/spu-reveal" "$T/o.0.shr" "$T/o.1.shr" >"$T/got.txt" 2>>"$T/err" &&
	    paste -d' ' "$T/want.txt" "$T/got.txt" | awk '
		{ e = $2 - $1; if (e < 0) e = -e; a = $1 < 0 ? -$1 : $1
		  if (e > 2e-3 * a + 2e-4) { bad++; print "# want " $1 " got " $2 }
		  n++ }
		END { exit !(bad == 0 && n == 24) }' >"$T/diff"; then
		ok 0 "$tag: results match the method's formula"
	else
		ok 1 "$tag: results match the method's formula"
		sed 's/^/# /' "$T/err" | head -5
		head -8 "$T/diff"
	fi
}

check "defaults" 0 real real
check "--exp taylor --sigmoid seg3 --tanh cheb --log pade" 8 seg3 cheb \
	--exp taylor --sigmoid seg3 --tanh cheb --log pade
check "--exp=taylor --exp-iters 6 --sigmoid=mm1" 6 mm1 real \
	--exp=taylor --exp-iters 6 --sigmoid=mm1
check "--recip-iters 3 --log minimax --exp bits --sigmoid real" 0 real real \
	--recip-iters 3 --log minimax --exp bits --sigmoid real --tanh real

check "--sigmoid pw --tanh real" 0 real real --sigmoid pw --tanh real

# --recip-iters 1: the real logistic's error 7.4e-3 of 1/(1 + e), visibly
# off (the default logistic, pw, has no reciprocal)
rm -f "$T"/o.*.shr
"$B/spu-run" --simulate 2 --sigmoid real --recip-iters 1 "$T/p.spub" \
	"$T/x.%d.shr" \
	-o "$T/o.%d.shr" 2>"$T/err" &&
	"$B/spu-reveal" "$T/o.0.shr" "$T/o.1.shr" >"$T/got.txt"
want 0 real real | paste -d' ' - "$T/got.txt" | sed -n 13,18p | awk '
	{ e = $2 - $1; if (e < 0) e = -e; if (e > m) m = e }
	END { exit !(m > 2e-4 && m < 1e-2) }'
ok $? "--sigmoid real --recip-iters 1: logistic off by more than 2e-4, less than 1e-2"

for bad in "--exp fast" "--log=newton" "--sigmoid mm2" "--tanh pade"; do
	# shellcheck disable=SC2086
	run_fails 2 "spu-run: --[a-z]+ takes [a-z0-9|]+: " "$bad: usage error" \
		"$B/spu-run" --simulate 2 $bad "$T/p.spub" "$T/x.%d.shr" -o "$T/o.%d.shr"
done
for bad in "--exp-iters 0" "--exp-iters 17" "--recip-iters 7" "--recip-iters x"; do
	# shellcheck disable=SC2086
	run_fails 2 "spu-run: --[a-z-]+ takes 1\.\.[0-9]+: " "$bad: usage error" \
		"$B/spu-run" --simulate 2 $bad "$T/p.spub" "$T/x.%d.shr" -o "$T/o.%d.shr"
done

done_testing
