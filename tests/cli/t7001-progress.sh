#!/bin/sh
# t7001-progress: spu-run --progress draws a bar on a terminal (a pseudo
# terminal from script(1)) with the main loop's iterations when its trip
# count can be read off the condition, else the entry function's
# instructions; nothing when stderr is not a terminal or with -q.
. "$srcdir/tests/lib.sh"

# a fori_loop of 25 steps (counter up, i < 25)
cat >"$T/up.hlo" <<'E'
HloModule jit_loop, entry_computation_layout={(f32[])->f32[]}

region_0.4 {
  arg_tuple.5 = (s32[], f32[]) parameter(0)
  get-tuple-element.6 = s32[] get-tuple-element(arg_tuple.5), index=0
  constant.7 = s32[] constant(1)
  add.8 = s32[] add(get-tuple-element.6, constant.7)
  get-tuple-element.9 = f32[] get-tuple-element(arg_tuple.5), index=1
  multiply.10 = f32[] multiply(get-tuple-element.9, get-tuple-element.9)
  ROOT tuple.11 = (s32[], f32[]) tuple(add.8, multiply.10)
}

region_1.12 {
  arg_tuple.13 = (s32[], f32[]) parameter(0)
  get-tuple-element.14 = s32[] get-tuple-element(arg_tuple.13), index=0
  constant.15 = s32[] constant(25)
  ROOT compare.16 = pred[] compare(get-tuple-element.14, constant.15), direction=LT
}

ENTRY main.20 {
  constant.2 = s32[] constant(0)
  Arg_0.1 = f32[] parameter(0)
  tuple.3 = (s32[], f32[]) tuple(constant.2, Arg_0.1)
  while.17 = (s32[], f32[]) while(tuple.3), condition=region_1.12, body=region_0.4
  ROOT get-tuple-element.18 = f32[] get-tuple-element(while.17), index=1
}
E
# a countdown from 7 with the comparison written constant first (0 < i)
sed -e 's/constant(1)$/constant(-1)/' -e 's/constant(25)/constant(0)/' \
    -e 's/compare(get-tuple-element.14, constant.15)/compare(constant.15, get-tuple-element.14)/' \
    -e 's/constant.2 = s32\[\] constant(0)/constant.2 = s32[] constant(7)/' \
    "$T/up.hlo" >"$T/down.hlo"
# no loop: the bar counts instructions
cat >"$T/flat.hlo" <<'E'
HloModule jit_f, entry_computation_layout={(f32[])->f32[]}

ENTRY main.4 {
  Arg_0.1 = f32[] parameter(0)
  multiply.2 = f32[] multiply(Arg_0.1, Arg_0.1)
  ROOT add.3 = f32[] add(multiply.2, Arg_0.1)
}
E
echo 1 >"$T/x.csv"
for p in up down flat; do
	run_ok "compile $p" "$B/spu-compile" -o "$T/$p.spub" "$T/$p.hlo"
done
run_ok "share the input" "$B/spu-share" --protocol aby3 --shape scalar -o "$T/x.%d.shr" "$T/x.csv"

if ! command -v script >/dev/null 2>&1; then
	echo "ok 5 # SKIP script(1) is missing: no pseudo terminal"
	_n=5
	done_testing
	exit $?
fi
# on_tty FILE CMD...: run CMD with its output on a pseudo terminal, that
# output in FILE; the status is CMD's
on_tty() {
	f=$1; shift
	script -qec "$*" /dev/null >"$f" 2>&1 </dev/null
}

run() { # run PROG EXTRA...: the simulated 3-party run of PROG
	p=$1; shift
	echo "$B/spu-run --simulate 3 $* $T/$p.spub $T/x.%d.shr -o $T/o.%d.shr"
}

on_tty "$T/tty.up" "$(run up --progress)"
ok $? "a run with --progress on a terminal succeeds"
grep -q 'party 0: \[#*\] 25/25 iterations, [0-9]*:[0-9][0-9] elapsed, 0:00 left' "$T/tty.up"
ok $? "the bar counts the 25 loop iterations and ends full"
grep -q 'party [12]:' "$T/tty.up"
ok $((! $?)) "under --simulate only party 0 draws"
tr -d '\r' <"$T/tty.up" | grep -c 'iterations' | grep -qx 1 &&
    [ "$(tail -c 1 "$T/tty.up" | od -An -c | tr -d ' ')" = '\n' ]
ok $? "the bar is one line, redrawn in place, ended by a newline"

on_tty "$T/tty.down" "$(run down --progress)"
grep -q '7/7 iterations' "$T/tty.down"
ok $? "a countdown with the constant first (0 < i) is counted: 7 iterations"

on_tty "$T/tty.flat" "$(run flat --progress)"
grep -q 'party 0: \[#*\] [0-9]*/[0-9]* instructions' "$T/tty.flat"
ok $? "without a loop the bar counts instructions"

on_tty "$T/tty.q" "$(run up --progress -q)"
ok $? "--progress -q succeeds"
grep -q 'iterations\|instructions' "$T/tty.q"
ok $((! $?)) "-q draws no bar"
on_tty "$T/tty.quiet" "$(run up --quiet --progress)"
grep -q 'iterations\|instructions' "$T/tty.quiet"
ok $((! $?)) "--quiet wins over a later --progress"

on_tty "$T/tty.none" "$(run up)"
grep -q 'iterations\|instructions' "$T/tty.none"
ok $((! $?)) "no bar without --progress"

# stderr to a file: silent, and the result is the same
"$B/spu-run" --simulate 3 --progress "$T/up.spub" "$T/x.%d.shr" \
    -o "$T/o.%d.shr" 2>"$T/err"
ok $? "--progress with stderr on a file succeeds"
[ ! -s "$T/err" ]
ok $? "nothing is drawn when stderr is not a terminal"
"$B/spu-reveal" "$T/o.0.shr" "$T/o.1.shr" "$T/o.2.shr" >"$T/got" &&
    awk '{ e = $1 - 1; exit !(e < 1e-3 && e > -1e-3) }' "$T/got"
ok $? "the program's result is unchanged (1^(2^25) = 1)"

# one TCP party per process: the bar comes from the party given --progress
port=$(port_base 0)
peers=$(keyed_peers 3 "$port")
for i in 1 2; do
	"$B/spu-run" --party $i --peers "$peers" --key "$T/key.$i" --timeout 30 \
	    "$T/up.spub" "$T/x.%d.shr" -o "$T/t.%d.shr" 2>"$T/err.$i" &
	_pids="$_pids $!"
done
on_tty "$T/tty.tcp" "$B/spu-run --party 0 --peers $peers --key $T/key.0 --timeout 30 --progress $T/up.spub $T/x.%d.shr -o $T/t.%d.shr"
ok $? "party 0 over TCP with --progress succeeds"
grep -q 'party 0: \[#*\] 25/25 iterations' "$T/tty.tcp"
ok $? "the TCP party draws its bar"
wait
done_testing
