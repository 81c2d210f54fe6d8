#!/bin/sh
# t2003-compile-corpus: run spu-compile over every file of the real HLO
# corpus ($HLO_CORPUS, default $srcdir/../shared/hlo-corpus) and record
# each outcome as a TAP comment.  A file may compile or be refused; the
# test fails only if spu-compile crashes (a signal or an exit status above
# 2), hangs, or refuses a file without saying FILE:LINE:COL.
. "$srcdir/tests/lib.sh"

C="$B/spu-compile"
dir=${HLO_CORPUS:-$srcdir/../shared/hlo-corpus}
if [ ! -d "$dir" ]; then
	echo "1..0 # SKIP no HLO corpus at $dir"
	exit 0
fi
to=
command -v timeout >/dev/null 2>&1 && to="timeout 120"
compiled=0 refused=0
for f in "$dir"/*.txt "$dir"/*.hlo; do
	[ -f "$f" ] || continue
	case $f in */SOURCES.md) continue ;; esac
	name=$(basename "$f")
	rm -f "$T/out.spub"
	$to "$C" -o "$T/out.spub" "$f" >"$T/out" 2>"$T/err"
	rc=$?
	msg=$(head -n 1 "$T/err")
	if [ $rc -eq 0 ]; then
		compiled=$((compiled + 1))
		echo "# $name: compiled"
		ok $([ "$(head -c 4 "$T/out.spub" 2>/dev/null)" = SPUB ]; echo $?) \
			"$name: compiles to bytecode"
	elif [ $rc -eq 1 ] || [ $rc -eq 2 ]; then
		refused=$((refused + 1))
		echo "# $name: refused: ${msg#spu-compile: $f:}"
		if printf '%s\n' "$msg" | grep -q "^spu-compile: $f:[0-9][0-9]*:[0-9][0-9]*: "; then
			ok 0 "$name: refused with FILE:LINE:COL"
		else
			ok 1 "$name: refused with FILE:LINE:COL"
			sed 's/^/#   /' "$T/err" | head -5
		fi
		ok $([ ! -e "$T/out.spub" ]; echo $?) "$name: no output after a refusal"
	else
		ok 1 "$name: exit status $rc (crash or hang)"
		sed 's/^/#   /' "$T/err" | head -5
	fi
done
echo "# $compiled compiled, $refused refused"
done_testing
