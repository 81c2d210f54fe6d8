#!/bin/sh
# t0001-man: the manual pages in man/.  Every page is clean under
# `mandoc -Tlint -W warning`; for each tool, its page, its --help and the
# getopt_long table in its main.c agree on the options:
#   - every long option --help prints (--[a-z-]+) heads an entry of the
#     page's option list, as `.It Fl -name` or `.It Fl \-name` (or after a
#     comma, `.It Fl o Ar file , Fl -output`), and so does every short
#     option it lists at the start of a line (`Fl x`);
#   - every option the page lists (SYNOPSIS and .It lines) is in --help;
#   - every long option and short letter main.c accepts is in --help.
# Skipped when mandoc is not installed ($MANDOC comes from configure).
# Not for checking what the options do: the CLI tests do that.
MANDOC=${MANDOC:-}
if [ -z "$MANDOC" ] || ! command -v "$MANDOC" >/dev/null 2>&1; then
	echo "1..0 # SKIP mandoc missing"
	exit 0
fi
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$srcdir/tests/lib.sh"

# diag FILE: show FILE as TAP diagnostics
diag() { sed 's/^/#   /' "$1" | head -20; }

# Page text with \- turned into -, so `Fl \-name` reads as `Fl -name`.
norm_page() { sed -e 's/\\-/-/g' "$1"; }
# Long options that head .It entries (the option lists), as --name.
page_items() {
	norm_page "$1" | grep '^\.It ' | grep -Eo 'Fl -[a-z0-9][a-z0-9_-]*' |
	    sed 's/^Fl -/--/' | sort -u
}
# Options the page lists: its SYNOPSIS and the heads of its .It entries.
page_listed() {
	norm_page "$1" | awk '/^\.Sh /{ syn = ($2 == "SYNOPSIS") }
	    syn || /^\.It /' | grep -Eo 'Fl -[a-z0-9][a-z0-9_-]*' |
	    sed 's/^Fl -/--/' | sort -u
}
# has_short PAGE X: an .It entry of the page has `Fl X` (X = o, O0, ...).
has_short() {
	norm_page "$1" | grep '^\.It ' | grep -Eq "(^|[ .])Fl $2( |\$)"
}
# Long options printed by --help.
help_long() { grep -Eo -- '--[a-z-]+' "$1" | sort -u; }
# Short options --help lists at the start of a line ("  -o, --output").
help_short() { grep -Eo '^ +-[A-Za-z0-9]+' "$1" | sed 's/^ *-//' | sort -u; }
# Long options in the getopt_long table of a main.c.
src_long() {
	sed -n '/struct option/,/};/p' "$1" |
	    grep -Eo '\{ *"[a-z0-9-]+"' | sed 's/^{ *"/--/; s/"$//' | sort -u
}
# Short option letters of the getopt_long call of a main.c.
src_short() {
	grep -Eo 'getopt_long\([^"]*"[^"]*"' "$1" | sed 's/.*"\(.*\)"/\1/' |
	    tr -d ':+-' | fold -w1 | sort -u
}

# 1. lint: our five pages must exist, and every page in man/ is clean.
for page in spu-compile.1 spu-share.1 spu-run.1 spu-reveal.1 spu.7; do
	[ -f "$srcdir/man/$page" ]
	ok $? "man/$page exists"
done
for f in "$srcdir"/man/*.[1-9]; do
	[ -f "$f" ] || continue
	page=${f##*/}
	"$MANDOC" -Tlint -W warning "$f" >"$T/lint" 2>&1
	st=$?
	if [ "$st" -eq 0 ] && [ ! -s "$T/lint" ]; then
		ok 0 "$page: mandoc -Tlint -W warning is clean"
	else
		ok 1 "$page: mandoc -Tlint -W warning is clean"
		echo "#   exit $st:"
		diag "$T/lint"
	fi
done

# 2. options: page <-> --help <-> source, per tool.
for tool in spu-compile spu-share spu-run spu-reveal; do
	page=$srcdir/man/$tool.1
	src=$srcdir/src/$tool/main.c
	[ -f "$page" ] || continue
	"$B/$tool" --help >"$T/help" 2>"$T/err"
	st=$?
	if [ "$st" -eq 0 ] && [ -s "$T/help" ]; then
		ok 0 "$tool --help exits 0 and prints the options"
	else
		ok 1 "$tool --help exits 0 and prints the options"
		echo "#   exit $st, stderr:"
		diag "$T/err"
		continue
	fi
	page_items "$page" >"$T/page_items"
	page_listed "$page" >"$T/page_listed"
	help_long "$T/help" >"$T/help_long"

	for o in $(cat "$T/help_long"); do
		grep -qx -- "$o" "$T/page_items"
		ok $? "$tool.1 documents $o (from --help)"
	done
	for s in $(help_short "$T/help"); do
		has_short "$page" "$s"
		ok $? "$tool.1 documents -$s (from --help)"
	done
	for o in $(cat "$T/page_listed"); do
		grep -qx -- "$o" "$T/help_long"
		ok $? "$tool --help shows $o (listed in $tool.1)"
	done
	if [ -f "$src" ]; then
		for o in $(src_long "$src"); do
			grep -qx -- "$o" "$T/help_long"
			ok $? "$tool --help shows $o (accepted by src/$tool/main.c)"
		done
		for s in $(src_short "$src"); do
			grep -Eq -- "(^|[ ,[])-$s" "$T/help"
			ok $? "$tool --help shows -$s (accepted by src/$tool/main.c)"
		done
	fi
done

done_testing
