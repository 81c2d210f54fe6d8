#!/bin/sh
# t2004-passes: the MPC-aware passes of spu-compile, each on a small
# module written here.  For each: the listing or --emit=stats shows the
# effect (instructions, secret multiplications, comparisons, truncations
# before and after), the program computes the same with and without the
# pass (spu-run --cleartext), and, where the pass changes what the VM
# runs (mixed int x fixed-point products, select as a product, hoisted
# loop code, max pooling in argmax form, top-k, square), the MPC result
# under ref2k, semi2k (and aby3 for the new ops) matches a cleartext
# computation done here with awk or the cleartext evaluator's; the
# square's bytes are counted.  Also the switches: -O0, --passes,
# --disable-pass, --enable-pass.
. "$srcdir/tests/lib.sh"

C="$B/spu-compile"
R="$B/spu-run"
text() { "$C" --emit=text -o - "$@"; }
stats() { "$C" --emit=stats -o - "$@"; }
has() { if grep -Eq -- "$2" "$3"; then ok 0 "$1"; else ok 1 "$1"; sed 's/^/#   /' "$3" | head -40; fi; }
hasnt() { if grep -Eq -- "$2" "$3"; then ok 1 "$1"; sed 's/^/#   /' "$3" | head -40; else ok 0 "$1"; fi; }
count() { grep -Ec -- "$1" "$2" || true; }
# col NAME ROW FILE: column NAME of the cost table row ROW (first or last)
col() {
	awk -v c="$1" -v w="$2" '
	    $1 == "pass" && $3 == "smul" { t = 1; for (i = 1; i <= NF; i++) h[$i] = i; next }
	    t && NF == 0 { t = 0 }
	    t { if (first == "") first = $h[c]; last = $h[c] }
	    END { print (w == "first" ? first : last) }' "$3"
}
# same A B DESC: two text outputs hold the same numbers (1e-9 relative)
same() {
	if tr ',' ' ' <"$1" >"$T/sa" && tr ',' ' ' <"$2" >"$T/sb" &&
	    [ "$(wc -w <"$T/sa")" -eq "$(wc -w <"$T/sb")" ] &&
	    [ "$(wc -w <"$T/sa")" -gt 0 ] &&
	    paste -d' ' "$T/sa" "$T/sb" | awk '{ n = NF / 2
		for (i = 1; i <= n; i++) { a = $i; b = $(i + n); e = a - b
		  if (e < 0) e = -e; m = a < 0 ? -a : a
		  if (e > 1e-9 * (m > 1 ? m : 1)) bad++ } }
		END { exit bad > 0 }'; then ok 0 "$3"
	else ok 1 "$3"; paste "$1" "$2" | sed 's/^/#   /' | head -10; fi
}
# near WANT GOT TOL DESC: numbers of GOT within TOL of WANT
near() {
	if tr ',' ' ' <"$1" | tr -s ' ' '\n' | grep . >"$T/na" &&
	    tr ',' ' ' <"$2" | tr -s ' ' '\n' | grep . >"$T/nb" &&
	    [ "$(wc -l <"$T/na")" -eq "$(wc -l <"$T/nb")" ] &&
	    paste -d' ' "$T/na" "$T/nb" | awk -v t="$3" '{ e = $1 - $2
		if (e < 0) e = -e; if (e > t) bad++ } END { exit bad > 0 }'
	then ok 0 "$4"
	else ok 1 "$4"; paste "$T/na" "$T/nb" | sed 's/^/#   /' | head -10; fi
}
# clear NAME PROG INPUTS...: run in the cleartext evaluator into $T/NAME
clear() { n=$1; shift; "$R" --cleartext "$@" >"$T/$n" 2>"$T/$n.err" ||
	sed 's/^/#   /' "$T/$n.err"; }
# mpc PROTO PARTIES PROG INPUT[:DTYPE]...: share, run, reveal into
# $T/mpc.txt
mpc() {
	proto=$1 np=$2 prog=$3; shift 3
	rm -f "$T"/in*.shr "$T"/out.*.shr "$T/mpc.txt"
	k=0 args=
	for f in "$@"; do
		dt=f32
		case $f in *:*) dt=${f##*:}; f=${f%:*} ;; esac
		"$B/spu-share" --protocol "$proto" --parties "$np" --name "x$k" \
		    --dtype "$dt" -o "$T/in$k.%d.shr" "$f" || return 1
		args="$args $T/in$k.%d.shr"
		k=$((k + 1))
	done
	# shellcheck disable=SC2086
	"$R" --simulate "$np" "$prog" $args -o "$T/out.%d.shr" 2>"$T/mpc.err" ||
	    { sed 's/^/#   /' "$T/mpc.err"; return 1; }
	files=
	i=0; while [ $i -lt "$np" ]; do files="$files $T/out.$i.shr"; i=$((i + 1)); done
	# shellcheck disable=SC2086
	"$B/spu-reveal" $files >"$T/mpc.txt"
}

printf '0.5\n-1.25\n2\n0.75\n' >"$T/x.csv"
printf '1.5\n0.25\n-3\n2\n' >"$T/y.csv"

# --- switches ---
run_fails 2 "unknown pass 'nope'" "--disable-pass of an unknown pass" \
	"$C" --disable-pass nope -o "$T/o.spub" "$srcdir/tests/data/linreg.hlo.txt"
run_fails 2 "'fold' runs by default" "--enable-pass of a default pass" \
	"$C" --enable-pass fold -o "$T/o.spub" "$srcdir/tests/data/linreg.hlo.txt"
run_fails 2 "bad list" "--passes with an unknown name" \
	"$C" --passes=fold,licm,nope -o "$T/o.spub" "$srcdir/tests/data/linreg.hlo.txt"
stats "$srcdir/tests/data/linreg.hlo.txt" >"$T/st.txt"
for p in inline fold simplify strength select trunc argmax maxpool topk cse licm dce; do
	has "default pipeline runs $p" "^$p +[0-9]+$" "$T/st.txt"
done
hasnt "opt-in passes are off by default" '^(denom|sqrteps) ' "$T/st.txt"
stats --disable-pass trunc --disable-pass cse "$srcdir/tests/data/linreg.hlo.txt" >"$T/st.txt"
hasnt "--disable-pass removes the pass" '^(trunc|cse) ' "$T/st.txt"
has "--disable-pass keeps the others" '^licm ' "$T/st.txt"
stats --enable-pass denom "$srcdir/tests/data/linreg.hlo.txt" >"$T/st.txt"
has "--enable-pass adds an opt-in pass" '^denom ' "$T/st.txt"
stats -O0 "$srcdir/tests/data/linreg.hlo.txt" >"$T/st.txt"
hasnt "-O0 runs no pass" '^(inline|fold|cse|dce) ' "$T/st.txt"
has "stats: the cost table" '^pass +insns +smul +smul_elems +cmp +cmp_elems +trunc +trunc_elems +nonlin +nonlin_elems +changes' "$T/st.txt"

# --- inline ---
cat >"$T/inl.hlo" <<'HLO'
HloModule inl
sq {
  a = f32[4] parameter(0)
  ROOT m = f32[4] multiply(a, a)
}
ENTRY main {
  x = f32[4] parameter(0)
  c = f32[4] call(x), to_apply=sq
  ROOT r = f32[4] add(c, x)
}
HLO
text --passes=dce "$T/inl.hlo" >"$T/a.txt"
text --passes=inline,dce "$T/inl.hlo" >"$T/b.txt"
ok $([ "$(count ' call\(' "$T/a.txt")" -eq 1 ]; echo $?) "inline: off, the call stays"
ok $([ "$(count ' call\(' "$T/b.txt")" -eq 0 ]; echo $?) "inline: the call is gone"
has "inline: the body is in the entry" 'mul\(%0, %0\) : secret f32\[4\]' "$T/b.txt"
has "inline: the callee is dropped" 'program "inl": 1 functions?,' "$T/b.txt"
"$C" --passes=dce -o "$T/a.spub" "$T/inl.hlo"
"$C" -o "$T/b.spub" "$T/inl.hlo"
clear a.out "$T/a.spub" "$T/x.csv"; clear b.out "$T/b.spub" "$T/x.csv"
same "$T/a.out" "$T/b.out" "inline: same result"

# --- simplify ---
cat >"$T/simp.hlo" <<'HLO'
HloModule simp
ENTRY main {
  x = f32[4] parameter(0)
  one = f32[] constant(1)
  b1 = f32[4] broadcast(one), dimensions={}
  zero = f32[] constant(0)
  b0 = f32[4] broadcast(zero), dimensions={}
  m = f32[4] multiply(x, b1)
  a = f32[4] add(m, b0)
  n1 = f32[4] negate(a)
  n2 = f32[4] negate(n1)
  r1 = f32[2,2] reshape(n2)
  r2 = f32[4,1] reshape(r1)
  r3 = f32[4] reshape(r2)
  t = f32[2,2] transpose(r1), dimensions={1,0}
  tt = f32[2,2] transpose(t), dimensions={1,0}
  s = f32[4] subtract(r3, b0)
  c1 = f32[4] convert(s)
  ninf = f32[] constant(-inf)
  bn = f32[4] broadcast(ninf), dimensions={}
  mx = f32[4] maximum(c1, bn)
  ROOT out = (f32[4], f32[2,2]) tuple(mx, tt)
}
HLO
text --passes=dce "$T/simp.hlo" >"$T/a.txt"
text --passes=simplify,dce "$T/simp.hlo" >"$T/b.txt"
for op in mul add neg sub transpose max; do
	ok $([ "$(count " $op\(" "$T/a.txt")" -ge 1 ] &&
	    [ "$(count " $op\(" "$T/b.txt")" -eq 0 ]; echo $?) "simplify: $op removed"
done
ok $([ "$(count ' reshape\(' "$T/a.txt")" -eq 3 ] &&
    [ "$(count ' reshape\(' "$T/b.txt")" -eq 1 ]; echo $?) "simplify: reshape chain 3 -> 1"
has "simplify: the first output is x itself" '^  return %0, %[0-9]+$' "$T/b.txt"
"$C" --passes=dce -o "$T/a.spub" "$T/simp.hlo"
"$C" --passes=simplify,dce -o "$T/b.spub" "$T/simp.hlo"
clear a.out "$T/a.spub" "$T/x.csv"; clear b.out "$T/b.spub" "$T/x.csv"
same "$T/a.out" "$T/b.out" "simplify: same result"

# --- strength ---
cat >"$T/str.hlo" <<'HLO'
HloModule str
ENTRY main {
  x = f32[4] parameter(0)
  y = f32[4] parameter(1)
  four = f32[] constant(4)
  b4 = f32[4] broadcast(four), dimensions={}
  d = f32[4] divide(x, b4)
  one = f32[] constant(1)
  b1 = f32[4] broadcast(one), dimensions={}
  nx = f32[4] negate(x)
  e = f32[4] exponential(nx)
  den = f32[4] add(b1, e)
  sg = f32[4] divide(b1, den)
  two = f32[] constant(2)
  b2 = f32[4] broadcast(two), dimensions={}
  sq = f32[4] power(x, b2)
  three = f32[] constant(3)
  b3 = f32[4] broadcast(three), dimensions={}
  cube = f32[4] power(x, b3)
  yy = f32[4] multiply(y, y)
  y1 = f32[4] add(yy, b1)
  rt = f32[4] sqrt(y1)
  q = f32[4] divide(x, rt)
  c768 = f32[] constant(768)
  b768 = f32[4] broadcast(c768), dimensions={}
  keep = f32[4] divide(x, b768)
  ROOT out = (f32[4], f32[4], f32[4], f32[4], f32[4], f32[4]) tuple(d, sg, sq, cube, q, keep)
}
HLO
text --passes=fold,simplify,dce "$T/str.hlo" >"$T/a.txt"
text --passes=fold,simplify,strength,cse,dce "$T/str.hlo" >"$T/b.txt"
ok $([ "$(count ' div\(' "$T/a.txt")" -eq 4 ] &&
    [ "$(count ' div\(' "$T/b.txt")" -eq 1 ]; echo $?) "strength: 4 divisions -> 1 (x/768 stays)"
ok $([ "$(count ' pow\(' "$T/a.txt")" -eq 2 ] &&
    [ "$(count ' pow\(' "$T/b.txt")" -eq 0 ]; echo $?) "strength: pow with 2 and 3 -> products"
has "strength: x/4 -> x*0.25" 'mul\(%0, %[0-9]+\) : secret f32\[4\]' "$T/b.txt"
has "strength: 0.25 computed here" 'value=\[0.25' "$T/b.txt"
has "strength: 1/(1+exp(-x)) -> logistic" ' logistic\(%0\)' "$T/b.txt"
has "strength: x/sqrt(y) -> x*rsqrt(y)" ' rsqrt\(' "$T/b.txt"
has "strength: x^2 is square(x)" ' square\(%0\) : secret f32\[4\]' "$T/b.txt"
hasnt "strength: no x*x left" 'mul\(%0, %0\)' "$T/b.txt"
hasnt "strength: no exp left" ' exp\(' "$T/b.txt"
"$C" --passes=fold,simplify,dce -o "$T/a.spub" "$T/str.hlo"
"$C" -o "$T/b.spub" "$T/str.hlo"
clear a.out "$T/a.spub" "$T/x.csv" "$T/y.csv"; clear b.out "$T/b.spub" "$T/x.csv" "$T/y.csv"
same "$T/a.out" "$T/b.out" "strength: same result"

# --- select ---
cat >"$T/sel.hlo" <<'HLO'
HloModule sel
ENTRY main {
  x = f32[4] parameter(0)
  y = f32[4] parameter(1)
  zero = f32[] constant(0)
  b0 = f32[4] broadcast(zero), dimensions={}
  p = pred[4] compare(x, b0), direction=GT
  s1 = f32[4] select(p, y, b0)
  s2 = f32[4] select(p, b0, y)
  ROOT out = (f32[4], f32[4]) tuple(s1, s2)
}
HLO
text --passes=dce "$T/sel.hlo" >"$T/a.txt"
text --passes=select,dce "$T/sel.hlo" >"$T/b.txt"
ok $([ "$(count ' select\(' "$T/a.txt")" -eq 2 ] &&
    [ "$(count ' select\(' "$T/b.txt")" -eq 0 ]; echo $?) "select: both selects become products"
has "select: select(p, y, 0) -> p*y" 'mul\(%[0-9]+, %1\) : secret f32\[4\]' "$T/b.txt"
has "select: select(p, 0, y) -> not(p)*y" ' not\(' "$T/b.txt"
"$C" --passes=dce -o "$T/a.spub" "$T/sel.hlo"
"$C" -o "$T/b.spub" "$T/sel.hlo"
clear a.out "$T/a.spub" "$T/x.csv" "$T/y.csv"; clear b.out "$T/b.spub" "$T/x.csv" "$T/y.csv"
same "$T/a.out" "$T/b.out" "select: same result"
awk 'NR == FNR { x[NR] = $1; next } { print (x[FNR] > 0 ? $1 : 0) }' "$T/x.csv" "$T/y.csv" >"$T/want.txt"
awk 'NR == FNR { x[NR] = $1; next } { print (x[FNR] > 0 ? 0 : $1) }' "$T/x.csv" "$T/y.csv" >>"$T/want.txt"
for cfg in "ref2k 1" "semi2k 2"; do
	set -- $cfg
	if mpc "$1" "$2" "$T/b.spub" "$T/x.csv" "$T/y.csv"; then
		near "$T/want.txt" "$T/mpc.txt" 0.01 "select: $1 result (pred x float product)"
	else
		ok 1 "select: $1 run"
	fi
done
# max/min whose comparison is made anyway (JAX's ReLU and its gradient)
cat >"$T/relu.hlo" <<'HLO'
HloModule relu
ENTRY main {
  x = f32[4] parameter(0)
  y = f32[4] parameter(1)
  zero = f32[] constant(0)
  b0 = f32[4] broadcast(zero), dimensions={}
  g = pred[4] compare(x, b0), direction=GT
  r = f32[4] maximum(x, b0)
  l = pred[4] compare(y, x), direction=GT
  m = f32[4] minimum(x, y)
  k = f32[4] minimum(y, b0)
  d = f32[4] select(g, y, b0)
  ROOT out = (f32[4], f32[4], f32[4], f32[4], pred[4]) tuple(r, d, m, k, l)
}
HLO
text --passes=dce "$T/relu.hlo" >"$T/a.txt"
text --passes=select,dce "$T/relu.hlo" >"$T/b.txt"
ok $([ "$(count ' (max|min)\(' "$T/a.txt")" -eq 3 ] &&
    [ "$(count ' (max|min)\(' "$T/b.txt")" -eq 1 ]; echo $?) \
    "select: max(x,0) and min(x,y) reuse gt(x,0) and gt(y,x); min(y,0) has none"
has "select: max(x, 0) -> gt(x, 0) * x" 'mul\(%[0-9]+, %0\) : secret f32\[4\]' "$T/b.txt"
stats "$T/relu.hlo" >"$T/st.txt"
ok $([ "$(col cmp first "$T/st.txt")" -eq 5 ] &&
    [ "$(col cmp last "$T/st.txt")" -eq 3 ]; echo $?) "select: 5 comparisons -> 3"
"$C" --passes=dce -o "$T/a.spub" "$T/relu.hlo"
"$C" -o "$T/b.spub" "$T/relu.hlo"
clear a.out "$T/a.spub" "$T/x.csv" "$T/y.csv"; clear b.out "$T/b.spub" "$T/x.csv" "$T/y.csv"
same "$T/a.out" "$T/b.out" "select: max/min rewrite, same cleartext result"
for cfg in "semi2k 2" "aby3 3"; do
	set -- $cfg
	if mpc "$1" "$2" "$T/b.spub" "$T/x.csv" "$T/y.csv"; then
		near "$T/a.out" "$T/mpc.txt" 0.01 "select: max/min rewrite, $1 result"
	else
		ok 1 "select: max/min rewrite, $1 run"
	fi
done

# --- trunc ---
cat >"$T/trunc.hlo" <<'HLO'
HloModule trunc
ENTRY main {
  x = f32[4] parameter(0)
  y = f32[4] parameter(1)
  l = s32[4] parameter(2)
  c3 = f32[] constant(3)
  b3 = f32[4] broadcast(c3), dimensions={}
  m3 = f32[4] multiply(x, b3)
  c05 = f32[] constant(0.5)
  b05 = f32[4] broadcast(c05), dimensions={}
  h = f32[4] divide(x, b05)
  k1 = s32[] constant(1)
  bk = s32[4] broadcast(k1), dimensions={}
  eq = pred[4] compare(l, bk), direction=EQ
  oh = f32[4] convert(eq)
  m = f32[4] multiply(oh, y)
  c03 = f32[] constant(0.3)
  b03 = f32[4] broadcast(c03), dimensions={}
  c07 = f32[] constant(0.7)
  b07 = f32[4] broadcast(c07), dimensions={}
  q1 = f32[4] multiply(x, b03)
  q2 = f32[4] multiply(q1, b07)
  ROOT out = (f32[4], f32[4], f32[4], f32[4]) tuple(m3, h, m, q2)
}
HLO
printf '1\n0\n1\n2\n' >"$T/l.csv"
stats "$T/trunc.hlo" >"$T/st.txt"
ok $([ "$(col trunc first "$T/st.txt")" -eq 5 ] &&
    [ "$(col trunc last "$T/st.txt")" -eq 1 ]; echo $?) \
	"trunc: 5 truncations -> 1 (x*3, x/0.5, onehot*y: none; (x*.3)*.7: one)"
has "trunc: the trunc row drops them" '^trunc +[0-9]+ .* const\+' "$T/st.txt"
stats --disable-pass trunc "$T/trunc.hlo" >"$T/st0.txt"
ok $([ "$(col trunc last "$T/st0.txt")" -eq 5 ]; echo $?) \
	"trunc: disabled, all 5 remain"
text "$T/trunc.hlo" >"$T/b.txt"
has "trunc: x*3 with an s32 constant" 'const\(\) : public s32\[4\]  value=\[3,3,3,3\]' "$T/b.txt"
has "trunc: x/0.5 as x*2 with an s32 constant" 'const\(\) : public s32\[4\]  value=\[2,2,2,2\]' "$T/b.txt"
has "trunc: the compare result multiplies y directly" 'mul\(%[0-9]+, %1\) : secret f32\[4\]' "$T/b.txt"
hasnt "trunc: no convert left" ' convert\(' "$T/b.txt"
has "trunc: 0.3 * 0.7 folded" 'value=\[0.21' "$T/b.txt"
"$C" --passes=dce -o "$T/a.spub" "$T/trunc.hlo"
"$C" -o "$T/b.spub" "$T/trunc.hlo"
clear a.out "$T/a.spub" "$T/x.csv" "$T/y.csv" "$T/l.csv"
clear b.out "$T/b.spub" "$T/x.csv" "$T/y.csv" "$T/l.csv"
same "$T/a.out" "$T/b.out" "trunc: same result"
awk '{ print $1 * 3 }' "$T/x.csv" >"$T/want.txt"
awk '{ print $1 * 2 }' "$T/x.csv" >>"$T/want.txt"
awk 'NR == FNR { l[NR] = $1; next } { print (l[FNR] == 1 ? $1 : 0) }' "$T/l.csv" "$T/y.csv" >>"$T/want.txt"
awk '{ print $1 * 0.21 }' "$T/x.csv" >>"$T/want.txt"
for cfg in "ref2k 1" "semi2k 2"; do
	set -- $cfg
	if mpc "$1" "$2" "$T/b.spub" "$T/x.csv" "$T/y.csv" "$T/l.csv:s32"; then
		near "$T/want.txt" "$T/mpc.txt" 0.01 "trunc: $1 result (mixed int x fixed point)"
	else
		ok 1 "trunc: $1 run"
	fi
done

# --- licm ---
cat >"$T/licm.hlo" <<'HLO'
HloModule licm
cond {
  p = (s32[], f32[4], f32[4]) parameter(0)
  i = s32[] get-tuple-element(p), index=0
  n = s32[] constant(3)
  ROOT lt = pred[] compare(i, n), direction=LT
}
body {
  p = (s32[], f32[4], f32[4]) parameter(0)
  i = s32[] get-tuple-element(p), index=0
  acc = f32[4] get-tuple-element(p), index=1
  w = f32[4] get-tuple-element(p), index=2
  one = s32[] constant(1)
  i1 = s32[] add(i, one)
  ww = f32[4] multiply(w, w)
  acc1 = f32[4] add(acc, ww)
  ROOT r = (s32[], f32[4], f32[4]) tuple(i1, acc1, w)
}
ENTRY main {
  acc0 = f32[4] parameter(0)
  w = f32[4] parameter(1)
  z = s32[] constant(0)
  init = (s32[], f32[4], f32[4]) tuple(z, acc0, w)
  wl = (s32[], f32[4], f32[4]) while(init), condition=cond, body=body
  ROOT out = f32[4] get-tuple-element(wl), index=1
}
HLO
text --disable-pass licm "$T/licm.hlo" >"$T/a.txt"
text "$T/licm.hlo" >"$T/b.txt"
has "licm: off, w*w is in the body" '^func @2 .*body' "$T/a.txt"
ok $(awk '/^func @0/ { f = 1 } /^func @[1-9]/ { f = 0 } f && / square\(/ { n++ } END { exit n != 1 }' "$T/b.txt"; echo $?) \
	"licm: w*w computed once, before the loop"
ok $(awk '/^func/ { f = /body/ } f && / (mul|square)\(/ { n++ } END { exit n != 0 }' "$T/b.txt"; echo $?) \
	"licm: no product left in the body"
has "licm: the loop carries the hoisted value" 'while\(%[0-9]+, %0, %1, %[0-9]+\)' "$T/b.txt"
"$C" --disable-pass licm -o "$T/a.spub" "$T/licm.hlo"
"$C" -o "$T/b.spub" "$T/licm.hlo"
clear a.out "$T/a.spub" "$T/x.csv" "$T/y.csv"; clear b.out "$T/b.spub" "$T/x.csv" "$T/y.csv"
same "$T/a.out" "$T/b.out" "licm: same result"
awk 'NR == FNR { a[NR] = $1; next } { print a[FNR] + 3 * $1 * $1 }' "$T/x.csv" "$T/y.csv" >"$T/want.txt"
for cfg in "ref2k 1" "semi2k 2"; do
	set -- $cfg
	if mpc "$1" "$2" "$T/b.spub" "$T/x.csv" "$T/y.csv"; then
		near "$T/want.txt" "$T/mpc.txt" 0.01 "licm: $1 result"
	else
		ok 1 "licm: $1 run"
	fi
done

# --- argmax ---
cat >"$T/amin.hlo" <<'HLO'
HloModule amin
region {
  a = f32[] parameter(0)
  ai = s32[] parameter(1)
  b = f32[] parameter(2)
  bi = s32[] parameter(3)
  ilt = pred[] compare(ai, bi), direction=LT
  eq = pred[] compare(a, b), direction=EQ
  tie = pred[] and(eq, ilt)
  nan = pred[] compare(a, a), direction=NE
  lt = pred[] compare(a, b), direction=LT
  pick = pred[] or(lt, nan)
  v = f32[] select(pick, a, b)
  take = pred[] or(pick, tie)
  i = s32[] select(take, ai, bi)
  ROOT r = (f32[], s32[]) tuple(v, i)
}
mn {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT m = f32[] minimum(a, b)
}
ENTRY main {
  x = f32[2,4] parameter(0)
  io = s32[2,4] iota(), iota_dimension=1
  inf = f32[] constant(inf)
  z = s32[] constant(0)
  am = (f32[2], s32[2]) reduce(x, io, inf, z), dimensions={1}, to_apply=region
  idx = s32[2] get-tuple-element(am), index=1
  inf2 = f32[] constant(inf)
  m = f32[2] reduce(x, inf2), dimensions={1}, to_apply=mn
  ROOT out = (f32[2], s32[2]) tuple(m, idx)
}
HLO
printf '3,-1,2,-1\n0.5,4,0.25,1\n' >"$T/m.csv"
stats --disable-pass argmax "$T/amin.hlo" >"$T/a.txt"
stats "$T/amin.hlo" >"$T/b.txt"
ok $([ "$(awk '$1 == "reduce" { print $2 }' "$T/a.txt")" -eq 2 ] &&
    [ "$(awk '$1 == "reduce" { print $2 }' "$T/b.txt")" -eq 1 ]; echo $?) \
	"argmax: min(x) taken from argmin(x), 2 reductions -> 1"
ok $([ "$(col cmp_elems last "$T/a.txt")" -gt "$(col cmp_elems last "$T/b.txt")" ]; echo $?) \
	"argmax: fewer compared elements"
hasnt "simplify: the NaN test a != a is gone" ' ne\(' "$(text "$T/amin.hlo" >"$T/c.txt"; echo "$T/c.txt")"
"$C" --disable-pass argmax -o "$T/a.spub" "$T/amin.hlo"
"$C" -o "$T/b.spub" "$T/amin.hlo"
clear a.out "$T/a.spub" "$T/m.csv"; clear b.out "$T/b.spub" "$T/m.csv"
same "$T/a.out" "$T/b.out" "argmax: same result"
printf -- '-1\n0.25\n1\n2\n' >"$T/want.txt"
if mpc ref2k 1 "$T/b.spub" "$T/m.csv"; then
	near "$T/want.txt" "$T/mpc.txt" 0.01 "argmax: ref2k result (min and first argmin)"
else
	ok 1 "argmax: ref2k run"
fi

# --- opt-in: denom, sqrteps ---
cat >"$T/den.hlo" <<'HLO'
HloModule den
ENTRY main {
  x = f32[2,4] parameter(0)
  z = f32[] constant(0)
  s = f32[2] reduce(x, z), dimensions={1}, to_apply=add
  b = f32[2,4] broadcast(s), dimensions={0}
  q = f32[2,4] divide(x, b)
  r = f32[2,4] sqrt(q)
  eps = f32[] constant(1e-05)
  be = f32[2,4] broadcast(eps), dimensions={}
  ROOT o = f32[2,4] add(r, be)
}
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
HLO
printf '1,2,3,4\n0.5,0.5,1,2\n' >"$T/d.csv"
stats "$T/den.hlo" >"$T/a.txt"
stats --enable-pass denom --enable-pass sqrteps "$T/den.hlo" >"$T/b.txt"
ok $([ "$(awk '$1 == "div" { print $2 }' "$T/a.txt")" = 1 ] &&
    [ -z "$(awk '$1 == "div" { print $2 }' "$T/b.txt")" ] &&
    [ "$(awk '$1 == "reciprocal" { print $2 }' "$T/b.txt")" = 1 ]; echo $?) \
	"denom: x / broadcast(s) -> x * broadcast(1/s)"
has "sqrteps: sqrt(q) + eps -> sqrt(q + eps)" '^sqrteps .* sqrt\+1$' "$T/b.txt"
text --enable-pass sqrteps "$T/den.hlo" >"$T/c.txt"
ok $(awk '$2 == "=" { op[$1] = $3 } /^  return/ { r = op[$2] }
    END { exit r !~ /^sqrt\(/ }' "$T/c.txt"; echo $?) "sqrteps: the result is a sqrt"
text "$T/den.hlo" >"$T/c.txt"
ok $(awk '$2 == "=" { op[$1] = $3 } /^  return/ { r = op[$2] }
    END { exit r !~ /^add\(/ }' "$T/c.txt"; echo $?) "sqrteps: off by default"
"$C" -o "$T/a.spub" "$T/den.hlo"
"$C" --enable-pass denom -o "$T/b.spub" "$T/den.hlo"
clear a.out "$T/a.spub" "$T/d.csv"; clear b.out "$T/b.spub" "$T/d.csv"
same "$T/a.out" "$T/b.out" "denom: same result"

# --- maxpool: reduce-window max + select-and-scatter in argmax form ---
cat >"$T/pool.hlo" <<'HLO'
HloModule pool
mx {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT m = f32[] maximum(a, b)
}
ge {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT c = pred[] compare(a, b), direction=GE
}
ad {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
ENTRY main {
  x = f32[5,6] parameter(0)
  g = f32[3,3] parameter(1)
  ninf = f32[] constant(-inf)
  zero = f32[] constant(0)
  m = f32[3,3] reduce-window(x, ninf), window={size=3x3 stride=2x2 pad=1_1x1_1}, to_apply=mx
  d = f32[5,6] select-and-scatter(x, g, zero), window={size=3x3 stride=2x2 pad=1_1x1_1}, select=ge, scatter=ad
  ROOT t = (f32[3,3], f32[5,6]) tuple(m, d)
}
HLO
# ties, so the pick's tie rule matters
printf '2,0.5,2,-1,3,3\n0.25,2,-0.5,3,-1,0.5\n3,3,0.5,-2,2,2\n-1,0.25,3,0.5,0.5,-1\n2,-1,2,1.5,3,0.25\n' >"$T/px.csv"
printf '1.5,-0.75,0.5\n-1.25,2,0.25\n1,-2,0.75\n' >"$T/pg.csv"
text "$T/pool.hlo" >"$T/b.txt"
ok $([ "$(count ' argmax_window\(' "$T/b.txt")" -eq 1 ] &&
    [ "$(count ' window_scatter\(' "$T/b.txt")" -eq 1 ]; echo $?) \
	"maxpool: one argmax_window, one window_scatter"
hasnt "maxpool: no reduce_window or select_and_scatter left" \
	' (reduce_window|select_and_scatter)\(' "$T/b.txt"
has "maxpool: the one-hot is a secret pred [3,3,9]" \
	'argmax_window\(.* secret f32\[3,3\], secret pred\[3,3,9\]' "$T/b.txt"
has "maxpool: the gradient is one-hot times the broadcast source" \
	' mul\(%[0-9]+, %[0-9]+\) : secret f32\[3,3,9\]' "$T/b.txt"
stats --disable-pass maxpool "$T/pool.hlo" >"$T/a.txt"
stats "$T/pool.hlo" >"$T/b.txt"
has "maxpool: stats row" '^maxpool .*reduce_window-1 select_and_scatter-1 argmax_window\+1 window_scatter\+1' "$T/b.txt"
# 9 windows of 9: 72 comparisons each for the max and the select, + 1
# for the select region itself
ok $([ "$(col cmp_elems last "$T/a.txt")" -eq 145 ] &&
    [ "$(col cmp_elems last "$T/b.txt")" -eq 73 ]; echo $?) \
	"maxpool: secret comparisons 145 -> 73"
"$C" --disable-pass maxpool -o "$T/a.spub" "$T/pool.hlo"
"$C" -o "$T/b.spub" "$T/pool.hlo"
clear a.out "$T/a.spub" "$T/px.csv" "$T/pg.csv"
clear b.out "$T/b.spub" "$T/px.csv" "$T/pg.csv"
same "$T/a.out" "$T/b.out" "maxpool: same result as without the pass"
for pp in "ref2k 1" "semi2k 2" "semi2k 3" "aby3 3"; do
	# shellcheck disable=SC2086
	set -- $pp
	if mpc "$1" "$2" "$T/b.spub" "$T/px.csv" "$T/pg.csv"; then
		near "$T/b.out" "$T/mpc.txt" 0.001 "maxpool: $1 ($2 parties) matches the cleartext"
	else
		ok 1 "maxpool: $1 ($2 parties) run"
	fi
done
# GT picks the last maximum; a select-and-scatter over other windows
# and a max pool with init 0 are left alone
cat >"$T/pool2.hlo" <<'HLO'
HloModule pool2
mx {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT m = f32[] maximum(a, b)
}
gt {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT c = pred[] compare(a, b), direction=GT
}
ge {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT c = pred[] compare(a, b), direction=GE
}
ad {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
ENTRY main {
  x = f32[4,4] parameter(0)
  g = f32[2,2] parameter(1)
  ninf = f32[] constant(-inf)
  zero = f32[] constant(0)
  m = f32[2,2] reduce-window(x, ninf), window={size=2x2 stride=2x2}, to_apply=mx
  m0 = f32[3,3] reduce-window(x, zero), window={size=2x2 stride=1x1}, to_apply=mx
  d = f32[4,4] select-and-scatter(x, g, zero), window={size=2x2 stride=2x2}, select=gt, scatter=ad
  e = f32[4,4] select-and-scatter(x, m0, zero), window={size=2x2 stride=1x1}, select=ge, scatter=ad
  ROOT t = (f32[2,2], f32[4,4], f32[4,4]) tuple(m, d, e)
}
HLO
printf '2,2,-1,3\n0.5,2,3,3\n-1,-2,0.25,0.25\n-1,-3,0.25,0.25\n' >"$T/qx.csv"
printf '1.5,-0.75\n0.5,2\n' >"$T/qg.csv"
text "$T/pool2.hlo" >"$T/b.txt"
ok $([ "$(count ' argmax_window\(' "$T/b.txt")" -eq 1 ] &&
    [ "$(count ' select_and_scatter\(' "$T/b.txt")" -eq 1 ] &&
    [ "$(count ' reduce_window\(' "$T/b.txt")" -eq 1 ]; echo $?) \
	"maxpool: only the matching pair is rewritten"
"$C" --disable-pass maxpool -o "$T/a.spub" "$T/pool2.hlo"
"$C" -o "$T/b.spub" "$T/pool2.hlo"
clear a.out "$T/a.spub" "$T/qx.csv" "$T/qg.csv"
clear b.out "$T/b.spub" "$T/qx.csv" "$T/qg.csv"
same "$T/a.out" "$T/b.out" "maxpool: GT select, same result"
if mpc semi2k 2 "$T/b.spub" "$T/qx.csv" "$T/qg.csv"; then
	near "$T/b.out" "$T/mpc.txt" 0.001 "maxpool: GT select, semi2k matches the cleartext"
else
	ok 1 "maxpool: GT select, semi2k run"
fi
# JAX's MaxPool2 training step (bench grid): both pools rewritten
stats "$srcdir/bench/grid/netB_sgd.hlo.txt" >"$T/b.txt"
has "maxpool: fires on netB_sgd" '^maxpool .*select_and_scatter-2 argmax_window\+2 window_scatter\+2' "$T/b.txt"
ok $(awk '$1 == "argmax" { a = $6 } $1 == "maxpool" { m = $6 }
    END { exit !(a - m == 983040) }' "$T/b.txt"; echo $?) \
	"maxpool: netB_sgd compares 983040 elements less"

# --- topk: a sort used only through its first k becomes a top-k ---
cat >"$T/topk.hlo" <<'HLO'
HloModule topk
gt {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  i = s32[] parameter(2)
  j = s32[] parameter(3)
  ROOT c = pred[] compare(a, b), direction=GT
}
lt {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT c = pred[] compare(a, b), direction=LT
}
ENTRY main {
  x = f32[3,20] parameter(0)
  io = s32[20] iota(), iota_dimension=0
  ib = s32[3,20] broadcast(io), dimensions={1}
  s = (f32[3,20], s32[3,20]) sort(x, ib), dimensions={1}, is_stable=true, to_apply=gt
  v = f32[3,20] get-tuple-element(s), index=0
  i = s32[3,20] get-tuple-element(s), index=1
  v4 = f32[3,4] slice(v), slice={[0:3], [0:4]}
  i4 = s32[3,4] slice(i), slice={[0:3], [0:4]}
  i2 = s32[2,3] slice(i), slice={[1:3], [0:3]}
  a = f32[3,20] sort(x), dimensions={1}, to_apply=lt
  a2 = f32[3,2] slice(a), slice={[0:3], [0:2]}
  ROOT t = (f32[3,4], s32[3,4], s32[2,3], f32[3,2]) tuple(v4, i4, i2, a2)
}
HLO
cat >"$T/tx.csv" <<'CSV'
2.5,0,-2,2,3,0,1.75,0,-1,0,0.5,1.75,0.25,-2,2.5,2.5,1.75,-2,-2,1.75
-0.5,2,2.5,2,-2,-0.5,0.5,-1,2,0,0.5,0.25,0.5,0.25,1.75,0,-0.5,-0.5,-0.5,0
1.75,2,3,-1,0.5,2,1.75,2.5,0.25,-0.5,0.25,-0.5,-2,-0.5,0,3,-2,0,-0.5,0
CSV
# descending top 4 with their first indices (ties keep the earlier),
# two rows of the top 3 indices, ascending bottom 2
cat >"$T/twant.txt" <<'CSV'
3,2.5,2.5,2.5
2.5,2,2,2
3,3,2.5,2
4,0,14,15
2,1,3,8
2,15,7,1
2,1,3
2,15,7
-2,-2
-2,-1
-2,-2
CSV
text "$T/topk.hlo" >"$T/b.txt"
ok $([ "$(count ' topk\(' "$T/b.txt")" -eq 2 ] &&
    [ "$(count ' sort\(' "$T/b.txt")" -eq 0 ]; echo $?) "topk: both sorts become top-k"
has "topk: k = 4 for the key and its indices" \
	'topk\(%[0-9]+, %[0-9]+\) : secret f32\[3,4\], secret s32\[3,4\]' "$T/b.txt"
ok $([ "$(count ' slice\(' "$T/b.txt")" -eq 1 ]; echo $?) \
	"topk: slices that keep the whole top-k are dropped"
stats --disable-pass topk "$T/topk.hlo" >"$T/a.txt"
stats "$T/topk.hlo" >"$T/b.txt"
has "topk: stats row" '^topk .*sort-2 topk\+2' "$T/b.txt"
# network: 2 sorts x 3 rows x 150; top-k: 3 rows x 19 x (4 + 2)
ok $([ "$(col cmp_elems last "$T/a.txt")" -eq 900 ] &&
    [ "$(col cmp_elems last "$T/b.txt")" -eq 342 ]; echo $?) \
	"topk: secret comparisons 900 -> 342"
"$C" --disable-pass topk -o "$T/a.spub" "$T/topk.hlo"
"$C" -o "$T/b.spub" "$T/topk.hlo"
clear a.out "$T/a.spub" "$T/tx.csv"; clear b.out "$T/b.spub" "$T/tx.csv"
same "$T/a.out" "$T/b.out" "topk: same result as without the pass"
same "$T/twant.txt" "$T/b.out" "topk: the expected top-k"
for pp in "ref2k 1" "semi2k 2" "aby3 3"; do
	# shellcheck disable=SC2086
	set -- $pp
	if mpc "$1" "$2" "$T/b.spub" "$T/tx.csv"; then
		near "$T/twant.txt" "$T/mpc.txt" 0.001 "topk: $1 ($2 parties) result"
	else
		ok 1 "topk: $1 ($2 parties) run"
	fi
done
# left alone: a sort returned whole, one sliced from 1, and k = 9 of 10
# (9 x 9 comparisons are more than the network's 10 x 4 x 5 / 4)
cat >"$T/notk.hlo" <<'HLO'
HloModule notk
ENTRY main {
  x = f32[10] parameter(0)
  a = f32[10] sort(x), dimensions={0}, to_apply=lt
  b = f32[10] sort(x), dimensions={0}, to_apply=gt
  b2 = f32[2] slice(b), slice={[1:3]}
  nx = f32[10] negate(x)
  c = f32[10] sort(nx), dimensions={0}, to_apply=lt2
  c9 = f32[9] slice(c), slice={[0:9]}
  ROOT t = (f32[10], f32[2], f32[9]) tuple(a, b2, c9)
}
lt {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT c = pred[] compare(a, b), direction=LT
}
lt2 {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT c = pred[] compare(b, a), direction=GT
}
gt {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT c = pred[] compare(a, b), direction=GT
}
HLO
text "$T/notk.hlo" >"$T/b.txt"
ok $([ "$(count ' sort\(' "$T/b.txt")" -eq 3 ] &&
    [ "$(count ' topk\(' "$T/b.txt")" -eq 0 ]; echo $?) \
	"topk: whole, offset and nearly whole uses keep the sort"

# --- square: x*x on a secret is a square, half a product's opening ---
cat >"$T/sq.hlo" <<'HLO'
HloModule sq
ENTRY main {
  x = f32[100] parameter(0)
  m = f32[100] multiply(x, x)
  ROOT r = f32[100] add(m, x)
}
HLO
awk 'BEGIN { for (i = 0; i < 100; i++) printf "%.3f\n", (i - 49.5) * 0.37 }' >"$T/sx.csv"
text "$T/sq.hlo" >"$T/b.txt"
has "square: x*x -> square(x)" ' square\(%0\) : secret f32\[100\]' "$T/b.txt"
stats "$T/sq.hlo" >"$T/b.txt"
has "square: counted as a square" '^patterns: 1 squares' "$T/b.txt"
"$C" --disable-pass strength -o "$T/a.spub" "$T/sq.hlo"
"$C" -o "$T/b.spub" "$T/sq.hlo"
clear a.out "$T/a.spub" "$T/sx.csv"; clear b.out "$T/b.spub" "$T/sx.csv"
same "$T/a.out" "$T/b.out" "square: same result as x*x"
# semi2k, 2 parties, FM64: the square opens x - a only: 100 x 8 bytes
# fewer than the product; aby3 sends the same for both
"$B/spu-share" --protocol semi2k --parties 2 -o "$T/sq.%d.shr" "$T/sx.csv"
"$B/spu-share" --protocol aby3 -o "$T/sq3.%d.shr" "$T/sx.csv"
sent() { "$R" --simulate "$1" --stats "$2" "$3" -o "$T/sqo.%d.shr" 2>&1 |
	sed -n 's/^spu-run: party 0: .* sent \([0-9]*\) B,.*/\1/p'; }
sa=$(sent 2 "$T/a.spub" "$T/sq.%d.shr"); sb=$(sent 2 "$T/b.spub" "$T/sq.%d.shr")
ok $([ -n "$sa" ] && [ -n "$sb" ] && [ $((sa - sb)) -eq 800 ]; echo $?) \
	"square: semi2k sends 800 bytes less than the product ($sa -> $sb)"
sa=$(sent 3 "$T/a.spub" "$T/sq3.%d.shr"); sb=$(sent 3 "$T/b.spub" "$T/sq3.%d.shr")
ok $([ -n "$sa" ] && [ "$sa" = "$sb" ]; echo $?) \
	"square: aby3 sends the same as the product ($sa, $sb)"
for pp in "semi2k 2" "aby3 3"; do
	# shellcheck disable=SC2086
	set -- $pp
	if mpc "$1" "$2" "$T/b.spub" "$T/sx.csv"; then
		near "$T/b.out" "$T/mpc.txt" 0.01 "square: $1 matches the cleartext"
	else
		ok 1 "square: $1 run"
	fi
done

done_testing
