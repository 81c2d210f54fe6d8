# tests/lib.sh - shared shell test helpers printing TAP.  Source it:
#   . "$srcdir/tests/lib.sh"
# Provides: ok/fail/is/like, done_testing, a scratch dir $T removed on
# exit, $B (the build dir holding the tools), free_port_base, and
# run_reveal_cmp (run, reveal, compare with expected values).
set -u
B=${top_builddir:-$(pwd)}
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d "${TMPDIR:-/tmp}/spu-test.XXXXXX")
_pids=
cleanup() {
	for p in $_pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
_n=0
_failed=0
ok() { # ok CONDITION_STATUS "description"
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"
	else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
# run_ok "desc" cmd... : passes if cmd exits 0
run_ok() { d=$1; shift; if "$@" >"$T/out" 2>"$T/err"; then ok 0 "$d"; else ok 1 "$d"; sed 's/^/# /' "$T/err" | head -20; fi; }
# run_fails STATUS "regex" "desc" cmd... : exit status and a stderr match
run_fails() {
	want=$1; re=$2; d=$3; shift 3
	"$@" >"$T/out" 2>"$T/err"; got=$?
	if [ "$got" -eq "$want" ] && grep -Eq -- "$re" "$T/err"; then ok 0 "$d"
	else ok 1 "$d"; echo "# exit $got (want $want), stderr:"; sed 's/^/#   /' "$T/err" | head -5; fi
}
done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }
# A port base unlikely to collide between parallel test runs: derived from
# the PID, in 20000..31999, stepping by 16: below Linux's ephemeral range
# (32768..), where another test's outgoing connection could hold it.
port_base() { echo $(( 20000 + ($$ * 16 + ${1:-0} * 4) % 12000 )); }
# keyed_peers N PORT: make key pairs $T/key.0 .. $T/key.N-1 (once) and
# print the peers list 127.0.0.1:PORT=KEY,... for spu-run --peers.
keyed_peers() {
	_i=0; _list=
	while [ $_i -lt "$1" ]; do
		[ -f "$T/key.$_i" ] || "$B/spu-run" --keygen "$T/key.$_i" >"$T/key.$_i.pub"
		_list="$_list${_list:+,}127.0.0.1:$(($2 + _i))=$(cat "$T/key.$_i.pub")"
		_i=$((_i + 1))
	done
	echo "$_list"
}
# run_reveal_cmp N WANT REL ABS OUT ERR "desc" SPU-RUN-ARGS...: run N
# parties (spu-run --simulate N ... -o OUT.%d.shr, stderr in ERR), reveal
# them, and compare every value (one per line or comma-separated) with
# WANT's lines: |got - want| <= REL |want| + ABS, and as many values.
run_reveal_cmp() {
	_np=$1; _want=$2; _rel=$3; _abs=$4; _out=$5; _err=$6; _d=$7; shift 7
	rm -f "$_out".*.shr
	_shrs=; _i=0
	while [ $_i -lt "$_np" ]; do _shrs="$_shrs $_out.$_i.shr"; _i=$((_i + 1)); done
	# shellcheck disable=SC2086
	if "$B/spu-run" --simulate "$_np" "$@" -o "$_out.%d.shr" 2>"$_err" &&
	    "$B/spu-reveal" $_shrs | tr , '\n' >"$T/got" &&
	    paste -d' ' "$_want" "$T/got" | awk -v r="$_rel" -v t="$_abs" \
	    -v w="$(wc -l <"$_want")" '
		{ e = $1 - $2; if (e < 0) e = -e; a = $1 < 0 ? -$1 : $1
		  if (e > r * a + t) bad++; n++ }
		END { exit !(n == w && bad == 0) }'; then
		ok 0 "$_d"
	else
		ok 1 "$_d"
		sed 's/^/# /' "$_err" | head -5
		paste -d' ' "$_want" "$T/got" | sed 's/^/# /' | head -32
	fi
}
