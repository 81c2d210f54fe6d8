#!/bin/sh
# replay.sh - make check test: run each fuzz target once over its seed
# corpus (tests/fuzz/corpus/TARGET/) and over every crash reproducer kept
# in tests/fuzz/regress/TARGET/, one TAP line per file.  Works the same
# with the standalone driver and with libFuzzer binaries (both run each
# file given as an argument once).  A crash, sanitizer report, failed
# check or hang (timeout) fails the file's test; a reproducer listed in
# tests/fuzz/regress/known-bugs (bug not fixed yet) is run, but reported
# as skipped.  Not a fuzzer: docs/fuzzing.md describes fuzzing runs.
. "$srcdir/tests/lib.sh"

targets="hlo_parse bc_decode bundle_decode npy csv"
to=
command -v timeout >/dev/null 2>&1 && to="timeout 300"

# The driver itself reports a missing input, so a replay can fail.
if [ -x "$B/tests/fuzz/fuzz_csv" ]; then
	$to "$B/tests/fuzz/fuzz_csv" "$T/no-such-file" >"$T/out" 2>&1
	[ $? -ne 0 ]
	ok $? "a missing input file fails the replay"
fi

# known_bug TARGET/FILE: its line in regress/known-bugs, if listed
known_bug() {
	[ -f "$srcdir/tests/fuzz/regress/known-bugs" ] || return 0
	grep -F -- "$1 " "$srcdir/tests/fuzz/regress/known-bugs" |
		grep -v '^#' | head -1
}

for t in $targets; do
	bin="$B/tests/fuzz/fuzz_$t"
	if [ ! -x "$bin" ]; then
		ok 1 "fuzz_$t: built"
		continue
	fi
	n=0
	for dir in "$srcdir/tests/fuzz/corpus/$t" \
	    "$srcdir/tests/fuzz/regress/$t"; do
		[ -d "$dir" ] || continue
		for f in "$dir"/*; do
			[ -f "$f" ] || continue
			n=$((n + 1))
			rel=${f#"$srcdir/tests/fuzz/"}
			known=$(known_bug "${rel#regress/}")
			if [ -n "$known" ]; then
				if $to "$bin" "$f" >"$T/out" 2>&1; then
					r="passes now: delete its known-bugs line"
				else
					r="still fails"
				fi
				_n=$((_n + 1))
				echo "ok $_n - fuzz_$t: $rel # SKIP known bug, $r"
				echo "# $known"
			elif $to "$bin" "$f" >"$T/out" 2>&1; then
				ok 0 "fuzz_$t: $rel"
			else
				ok 1 "fuzz_$t: $rel (exit $?)"
				grep -v '^INFO:\|^Running:\|^Executed' "$T/out" |
					head -30 | sed 's/^/# /'
			fi
		done
	done
	[ "$n" -gt 0 ]
	ok $? "fuzz_$t: has seed inputs ($n)"
done
done_testing
