#!/bin/sh
# sweep.sh - the full corpus sweep: compile every HLO module of a corpus,
# run each under every protocol on random inputs against the float64
# cleartext evaluator (tests/sweep), and print one markdown table with a
# row per module and protocol, then a summary.  Modules spu-compile
# rejects get a row with its reason; a module whose while condition
# depends on an input is compiled with --reveal-secret-conditions (a
# note says so); a module that runs past the time limit gets a TIMEOUT
# row.
#
#   tests/sweep.sh [-f FIELD] [-m MAXELEMS] [-p PROTOCOLS] [-s SEED]
#                  [-T SECONDS] [CORPUS_DIR | MODULE.hlo.txt...]
#
# Defaults: field 64, protocols ref2k/1,semi2k/2,semi2k/3,aby3/3, inputs
# up to 2^22 elements, 900 s per module, the corpus in
# /work/shared/hlo-corpus (or $SPU_CORPUS).  Run from the build directory
# or set top_builddir.  Exit status 1 if any run FAILED, was TOO FAR off
# or timed out.
set -u

B=${top_builddir:-.}
field=64
maxel=4194304
protos=ref2k/1,semi2k/2,semi2k/3,aby3/3
limit=900
seedopt=
usage() {
	echo "usage: sweep.sh [-f FIELD] [-m MAXELEMS] [-p PROTOCOLS]" \
	    "[-s SEED] [-T SECONDS] [CORPUS_DIR | MODULE.hlo.txt...]" >&2
	exit 2
}
while getopts f:m:p:s:T: c; do
	case $c in
	f) field=$OPTARG ;;
	m) maxel=$OPTARG ;;
	p) protos=$OPTARG ;;
	s) seedopt="-s $OPTARG" ;;
	T) limit=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] && set -- "${SPU_CORPUS:-/work/shared/hlo-corpus}"
if [ $# -eq 1 ] && [ -d "$1" ]; then
	dir=$1
	set -- "$dir"/*.hlo.txt
fi
for t in "$B/spu-compile" "$B/tests/sweep"; do
	[ -x "$t" ] || { echo "sweep.sh: $t: not built" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/spu-sweep.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
: >"$T/notes"

echo "# Corpus sweep: field $field, protocols $protos," \
    "inputs up to $maxel elements, $limit s per module"
echo
echo "| module | ops | protocol | result | max abs error | max rel error |" \
    "note |"
echo "|---|---|---|---|---|---|---|"
status=0
for f in "$@"; do
	m=$(basename "$f" .hlo.txt)
	# a loop whose trip count depends on an input: run it with the
	# condition revealed each iteration (the opt-in), and say so
	if "$B/spu-compile" -o "$T/$m.spub" "$f" 2>"$T/err"; then
		:
	elif grep -q "depends on a secret value" "$T/err" &&
	    "$B/spu-compile" --reveal-secret-conditions -o "$T/$m.spub" \
	    "$f" 2>"$T/err"; then
		echo "# $m: compiled with --reveal-secret-conditions (its" \
		    "loop condition depends on an input)" >>"$T/notes"
	else
		why=$(head -n 1 "$T/err" | sed 's/|/\\|/g;
		    s/^spu-compile: [^:]*:\([0-9]*\):[0-9]*: /line \1: /')
		echo "| $m | | | not compiled | | | $why |"
		continue
	fi
	# shellcheck disable=SC2086
	timeout "$limit" "$B/tests/sweep" -f "$field" -m "$maxel" \
	    -p "$protos" $seedopt "$T/$m.spub" >"$T/out" 2>&1
	rc=$?
	grep '^| ' "$T/out" | grep -v '^| program |' |
	    sed "s/^| $m.spub /| $m /"
	if [ $rc -eq 124 ]; then
		echo "| $m | | | TIMEOUT | | | over $limit s |"
		status=1
	elif [ $rc -gt 1 ]; then
		# killed (the kernel's OOM killer sends signal 9) or crashed
		if [ $rc -gt 128 ]; then
			why="killed by signal $((rc - 128))"
		else
			why="exit status $rc"
		fi
		echo "| $m | | | FAILED | | | tests/sweep $why |"
		status=1
	elif [ $rc -ne 0 ]; then
		status=1
	fi
	grep '^# ' "$T/out" | grep -v '^# seed' |
	    sed "s/^# $m.spub:/# $m:/" >>"$T/notes"
done >"$T/table"
cat "$T/table"
echo
# one row per module: the protocols run, the worst result, the largest
# errors over them
echo "| module | ops | protocols | result | max abs error | max rel error |" \
    "note |"
echo "|---|---|---|---|---|---|---|"
awk -F ' *[|] *' '
/^[|] / {
	m = $2
	if (!(m in seen)) { seen[m] = 1; order[++n] = m }
	if ($3 != "") ops[m] = $3
	if ($4 != "") protos[m] = protos[m] (protos[m] == "" ? "" : ", ") $4
	r = $5
	if (res[m] == "" || res[m] == "ok") res[m] = r
	else if (r != "ok" && index(res[m], r) == 0) res[m] = res[m] ", " r
	if ($6 != "" && $6 + 0 >= abs[m] + 0) abs[m] = $6
	if ($7 != "" && $7 + 0 >= rel[m] + 0) rel[m] = $7
	if (note[m] == "" && $8 != "") note[m] = $8
}
END {
	for (i = 1; i <= n; i++) {
		m = order[i]
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", m,
		    ops[m], protos[m], res[m], abs[m], rel[m], note[m]
	}
}' "$T/table"
echo
printf 'Summary:'
for r in ok 'TOO FAR' FAILED unsupported 'too large' skipped TIMEOUT \
    'not compiled'; do
	n=$(grep -c "| $r |" "$T/table")
	printf ' %s %s;' "$r" "$n"
done
echo
if [ -s "$T/notes" ]; then
	echo
	echo "Notes:"
	sed 's/^# /- /' "$T/notes"
fi
exit $status
