#!/bin/sh
# t5001-sweep: the fast part of the corpus sweep.  A dozen modules of the
# real HLO corpus ($HLO_CORPUS, default $srcdir/../shared/hlo-corpus)
# that take well under a second each and between them need the VM's
# sort network, integer division and remainder, floor, atan2, bitwise
# ops and IEEE bitcasts on secret data, conditionals and reduce-window,
# take_along_axis (gather and scatter with batching dimensions at secret
# indices) and a one-replica all-reduce, are compiled and run under ref2k, semi2k (2 and 3 parties) and aby3 on
# random inputs (tests/sweep) against the cleartext evaluator.  Every
# module must give four "ok" rows: no FAILED, TOO FAR or unsupported.
# The full sweep is tests/sweep.sh.
. "$srcdir/tests/lib.sh"

dir=${HLO_CORPUS:-$srcdir/../shared/hlo-corpus}
if [ ! -d "$dir" ]; then
	echo "1..0 # SKIP no HLO corpus at $dir"
	exit 0
fi
to=
command -v timeout >/dev/null 2>&1 && to="timeout 120"
S="$B/tests/sweep"
for m in jax2025_value_at_risk_sort jax_median_sort_gather \
    jax_unique_sorted_mask_sort_scatter jax_divmod_s32 jax_round_floor \
    jax_nngp_kernel_atan2 jax_searchsorted_while_f64 \
    jax2025_gbm_reduce_window_rng jax2025_sigmoid \
    jax2025_linreg_train_step jax_one_hot_iota_compare \
    xla_case_conditional xla_parser_indexed_conditional \
    xla_parser_pad_interior xla_parser_reduce_window_variadic \
    xla_parser_select_and_scatter_literal jax2025_pmap_softmax_ce_sgd; do
	f="$dir/$m.hlo.txt"
	if [ ! -f "$f" ]; then
		echo "# $m: not in the corpus, skipped"
		continue
	fi
	if ! "$B/spu-compile" -o "$T/$m.spub" "$f" 2>"$T/err"; then
		ok 1 "$m: compiles"
		sed 's/^/#   /' "$T/err"
		continue
	fi
	$to "$S" "$T/$m.spub" >"$T/out" 2>&1
	rc=$?
	good=$(grep -c "^| $m.spub | [0-9]* | [a-z0-9]*/[0-9] | ok |" "$T/out")
	if [ $rc -eq 0 ] && [ "$good" -eq 4 ]; then
		ok 0 "$m: ok under 4 protocols"
	else
		ok 1 "$m: ok under 4 protocols (exit $rc, $good ok rows)"
		grep -v '^|---' "$T/out" | sed 's/^/#   /' | head -12
	fi
	grep "^| $m" "$T/out" | sed 's/^/# /'
done

# the harness itself: a u32 sum that wraps at 2^32 (the ring does not
# wrap it; revealing keeps the low 32 bits, as spu-reveal does)
printf 'HloModule wrap\nENTRY main {\n  x = u32[4] parameter(0)\n  c = u32[] constant(4294967295)\n  b = u32[4] broadcast(c), dimensions={}\n  ROOT y = u32[4] add(x, b)\n}\n' >"$T/wrap.hlo"
"$B/spu-compile" -o "$T/wrap.spub" "$T/wrap.hlo" 2>"$T/err"
"$S" "$T/wrap.spub" >"$T/out" 2>&1
rc=$?
good=$(grep -c "^| wrap.spub | [0-9]* | [a-z0-9]*/[0-9] | ok |" "$T/out")
ok $([ $rc -eq 0 ] && [ "$good" -eq 4 ]; echo $?) \
	"u32 output that wraps: ok under 4 protocols"
[ "$good" -eq 4 ] || sed 's/^/#   /' "$T/out" "$T/err" | head -12

# an impossible tolerance is reported and fails
m=jax_round_floor
if [ -f "$T/$m.spub" ]; then
	"$S" -t -1 -p ref2k/1 "$T/$m.spub" >"$T/out" 2>&1
	rc=$?
	ok $([ $rc -eq 1 ] && grep -q "| TOO FAR |" "$T/out"; echo $?) \
		"sweep -t -1 reports TOO FAR and exits 1"
fi
"$S" -p nosuch/2 "$T/$m.spub" >"$T/out" 2>&1
ok $([ $? -eq 1 ] && grep -q "unknown protocol" "$T/out"; echo $?) \
	"sweep rejects an unknown protocol"
"$S" -x >"$T/out" 2>"$T/err"
ok $([ $? -eq 2 ] && grep -q "^usage: sweep" "$T/err"; echo $?) \
	"sweep with a bad option exits 2 with usage"
done_testing
