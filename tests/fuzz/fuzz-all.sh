#!/bin/sh
# fuzz-all.sh - build the libFuzzer targets in a private copy of the tree
# and fuzz each for a while.  Documented in docs/fuzzing.md.
#
#   tests/fuzz/fuzz-all.sh [-t SECONDS] [-j JOBS] [-d DIR] [TARGET...]
#
# TARGET is hlo_parse, bc_decode, bundle_decode, npy or csv (default:
# all).  DIR (default ${TMPDIR:-/tmp}/spu-fuzz) keeps the copy of the
# sources (tree/), the growing corpora (work/TARGET/), the logs and any
# crash inputs (artifacts/TARGET/); rerunning continues from there.  The
# in-tree build is not touched (automake refuses a VPATH build next to a
# configured source tree, hence the copy).  Needs clang with libFuzzer
# (Debian: clang, libclang-rt-14-dev).  Exit status 1 if any target
# crashed, leaked or hit a sanitizer report.
set -eu
secs=120 jobs=1 dir=${TMPDIR:-/tmp}/spu-fuzz
while getopts t:j:d: o; do
	case $o in
	t) secs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	d) dir=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-j JOBS] [-d DIR] [TARGET...]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
targets=${*:-hlo_parse bc_decode bundle_decode npy csv}
src=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CC:-clang}
san=address,undefined

# Copy the sources (tracked and new, not ignored ones) into DIR/tree.
mkdir -p "$dir/tree"
(cd "$src" && git ls-files -co --exclude-standard -z |
	tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
	tar -xf - -C "$dir/tree"
cd "$dir/tree"
if [ ! -f Makefile ]; then
	autoreconf -fi >/dev/null 2>&1
	cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,$san"
	./configure -q --enable-fuzzing CC="$cc" CFLAGS="$cflags" \
	    LDFLAGS="-fsanitize=$san"
fi
bins=
for t in $targets; do bins="$bins tests/fuzz/fuzz_$t"; done
# shellcheck disable=SC2086
make -j"$(nproc)" $bins >/dev/null

# Extra HLO seeds: the shared corpus of real modules, when present.
hlo_extra=
for d in "${HLO_CORPUS:-}" "$src/../shared/hlo-corpus"; do
	if [ -n "$d" ] && [ -d "$d" ]; then hlo_extra=$d; break; fi
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
run() {
	t=$1
	mkdir -p "$dir/work/$t" "$dir/artifacts/$t"
	set -- -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t/"
	[ -f "$src/tests/fuzz/$t.dict" ] &&
		set -- "$@" -dict="$src/tests/fuzz/$t.dict"
	# the largest real modules are 200 KB: mutate at most their start
	[ "$t" = hlo_parse ] && set -- "$@" -max_len=65536
	set -- "$@" "$dir/work/$t" "$src/tests/fuzz/corpus/$t"
	[ "$t" = hlo_parse ] && [ -n "$hlo_extra" ] && set -- "$@" "$hlo_extra"
	if "./tests/fuzz/fuzz_$t" "$@" >"$dir/$t.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    "$dir/$t.log")
		echo "fuzz_$t: $runs runs in ${secs}s, no findings"
	else
		echo "fuzz_$t: FINDING, see $dir/$t.log and $dir/artifacts/$t/"
		grep -m1 -E 'ERROR:|runtime error|fuzz check|Timeout|out-of-' \
		    "$dir/$t.log" || true
		return 1
	fi
}
rc=0 n=0 pids=
for t in $targets; do
	run "$t" &
	pids="$pids $!"
	n=$((n + 1))
	if [ "$n" -ge "$jobs" ]; then
		for p in $pids; do wait "$p" || rc=1; done
		pids= n=0
	fi
done
for p in $pids; do wait "$p" || rc=1; done
exit $rc
