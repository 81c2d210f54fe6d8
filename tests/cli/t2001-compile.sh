#!/bin/sh
# t2001-compile: spu-compile on the hand-written fixtures in tests/data/hlo:
# the listing (--emit=text) must hold the instructions the lowering rules
# call for, bytecode output is named and written as documented and is
# deterministic, and the options behave (usage errors exit 2).
. "$srcdir/tests/lib.sh"

C="$B/spu-compile"
D="$srcdir/tests/data/hlo"
text() { "$C" --emit=text -o - "$@"; }
# has DESC REGEX FILE: FILE has a line matching REGEX
has() { if grep -Eq -- "$2" "$3"; then ok 0 "$1"; else ok 1 "$1"; sed 's/^/#   /' "$3" | head -40; fi; }
hasnt() { if grep -Eq -- "$2" "$3"; then ok 1 "$1"; sed 's/^/#   /' "$3" | head -40; else ok 0 "$1"; fi; }
count() { grep -Ec -- "$1" "$2" || true; }

# --- options ---
"$C" --help >"$T/out" 2>"$T/err"; rc=$?
ok $(( rc != 0 )) "--help exits 0"
has "--help prints usage on stdout" '^usage: spu-compile' "$T/out"
"$C" -V >"$T/out"
is_v=$(cat "$T/out")
ok $([ "$is_v" = "spu-compile (spu) 0.1.0" ]; echo $?) "-V prints the version"
run_fails 2 "no input file" "no input is a usage error" "$C"
run_fails 2 "unknown kind" "bad --emit is a usage error" "$C" --emit=asm "$D/mlp.hlo"
run_fails 2 "bad parameter number" "bad --public is a usage error" "$C" --public x "$D/mlp.hlo"
run_fails 2 "bad list" "bad --passes is a usage error" "$C" --passes=fold,nope "$D/mlp.hlo"
run_fails 2 "parameter 7: the entry computation 'main.10' has 3 parameters" \
	"--public beyond the entry's parameters" "$C" --public 7 -o "$T/x.spub" "$D/mlp.hlo"
run_fails 1 "nonexistent.hlo: No such file" "missing input names the file" "$C" "$T/nonexistent.hlo"

# --- mlp: dot, broadcast, reduce with a known reducer, tuple root ---
text "$D/mlp.hlo" >"$T/mlp.txt"
has "mlp: dot becomes one matmul" '%3 = matmul\(%0, %1\) : secret f32\[4,2\]' "$T/mlp.txt"
has "mlp: broadcast keeps DIMS" 'broadcast\(%2\) : secret f32\[4,2\]  dims=\[1\]' "$T/mlp.txt"
has "mlp: reduce with the add region becomes reducer ADD" 'reduce\(%6, %7\) : secret f32\[\]  dims=\[0,1\]  reducer=\[1\]' "$T/mlp.txt"
hasnt "mlp: a known reducer calls no function" 'calls=' "$T/mlp.txt"
has "mlp: the tuple root gives two outputs" '^  return %6, %8$' "$T/mlp.txt"
has "mlp: parameters bound by number" '%1 = param\(\) : secret f32\[3,2\]  index=\[1\]' "$T/mlp.txt"
text --public 1 --public 2 --secret 2 "$D/mlp.hlo" >"$T/pub.txt"
has "--public 1 makes parameter 1 public" '%1 = param\(\) : public f32\[3,2\]' "$T/pub.txt"
has "--secret 2 overrides --public 2" '%2 = param\(\) : secret f32\[2\]' "$T/pub.txt"
has "constants are public" 'const\(\) : public f32\[\]  value=\[0\]' "$T/mlp.txt"

# --- general dot: transposes to [batch, free, contract] / [batch, contract, free] ---
text "$D/dot_general.hlo" >"$T/dot.txt"
has "dot: lhs transposed to [B,M,K]" 'transpose\(%0\) : secret f32\[2,3,4\]  perm=\[1,2,0\]' "$T/dot.txt"
has "dot: rhs transposed to [B,K,N]" 'transpose\(%1\) : secret f32\[2,4,5\]  perm=\[2,1,0\]' "$T/dot.txt"
has "dot: batched matmul" 'matmul\(%2, %3\) : secret f32\[2,3,5\]' "$T/dot.txt"
hasnt "dot: no identity reshapes" 'reshape' "$T/dot.txt"

# --- control flow ---
text "$D/control.hlo" >"$T/ctl.txt"
has "while with cond and body functions" 'while\(%2, %0\) : public s32\[\], secret f32\[3\]  calls=\[@1 cond.1,@2 body.9\]' "$T/ctl.txt"
hasnt "secret predicate: no branching" ' cond\(' "$T/ctl.txt"
has "secret predicate: both branches inline, then select" 'select\(%7, %5, %6\) : secret f32\[3\]' "$T/ctl.txt"
text --public 1 "$D/control.hlo" >"$T/ctl1.txt"
has "public predicate: COND, true branch first, one operand each" 'cond\(%1, %4, %0\) : secret f32\[3\]  calls=\[@3 on_true.17,@4 on_false.20\]' "$T/ctl1.txt"
hasnt "small call is inlined" ' call\(' "$T/ctl.txt"
has "inlined callee body" 'add\(%1, %1\) : secret f32\[3\]' "$T/ctl.txt"
has "loop counter stays public" '%3 = add\(%0, %2\) : public s32\[\]' "$T/ctl.txt"
run_fails 1 "secret_while.hlo:23:22: while loop 'w': its condition 'cond' depends on a secret value.*--reveal-secret-conditions" \
	"secret while condition is refused" "$C" -o "$T/sw.spub" "$D/secret_while.hlo"
ok $([ ! -e "$T/sw.spub" ]; echo $?) "no output file after a refusal"
text --reveal-secret-conditions "$D/secret_while.hlo" >"$T/sw.txt"
has "--reveal-secret-conditions reveals the condition" 'reveal\(%2\) : public pred\[\]' "$T/sw.txt"
has "the loop value is promoted to secret" 'while\(%1, %0\) : public f32\[\], secret f32\[\]' "$T/sw.txt"

# --- convolution and pooling ---
text "$D/conv_pool.hlo" >"$T/conv.txt"
has "conv dims in the documented order" 'conv_dims=\[0,3,1,2,2,3,0,1,0,3,1,2\]' "$T/conv.txt"
has "conv window" 'conv\(%0, %1\) : secret f32\[1,4,4,4\]  pad_lo=\[1,1\]  pad_hi=\[0,0\]  wstride=\[2,2\]' "$T/conv.txt"
has "max pooling: reduce_window with reducer MAX" 'reduce_window\(%2, %3\) : secret f32\[1,2,2,4\].*window=\[1,2,2,1\]  wstride=\[1,2,2,1\].*reducer=\[3\]' "$T/conv.txt"

# --- indexing ops ---
text -O0 "$D/indexing.hlo" >"$T/idx0.txt"
for op in 'gather' 'scatter' 'dyn_slice' 'dyn_update_slice' 'slice' 'pad' 'reverse' 'iota' 'ge' 'select' 'concat' 'transpose'; do
	has "indexing: $op" " $op\(" "$T/idx0.txt"
done
has "gather attributes" 'offset_dims=\[1\]  collapsed_dims=\[0\]  start_index_map=\[0\]  index_vector_dim=\[1\]  slice_sizes=\[1,4\]' "$T/idx0.txt"
has "scatter-add reducer" 'scatter\(%0, %1, %2\) : secret f32\[6,4\]  reducer=\[1\]' "$T/idx0.txt"
has "slice with strides" 'start=\[0,1\]  limit=\[6,3\]  stride=\[2,1\]' "$T/idx0.txt"
has "pad with interior" 'pad_lo=\[1,0\]  pad_hi=\[1,1\]  pad_int=\[0,1\]' "$T/idx0.txt"
text "$D/indexing.hlo" >"$T/idx1.txt"
hasnt "folding: the public iota/compare is folded" ' (iota|ge|broadcast)\(' "$T/idx1.txt"
has "folding: into a pred constant" 'const\(\) : public pred\[5,4\]  value=\[0,0,0,0,0,0,0,0,...\]' "$T/idx1.txt"

# --- passes: fold, CSE, DCE ---
cat >"$T/passes.hlo" <<'HLO'
HloModule passes
ENTRY main {
  x = f32[2] parameter(0)
  c2 = f32[] constant(2)
  c3 = f32[] constant(3.5)
  s = f32[] add(c2, c3)
  b = f32[2] broadcast(s), dimensions={}
  a1 = f32[2] multiply(x, b)
  a2 = f32[2] multiply(x, b)
  ROOT r = f32[2] add(a1, a2)
}
HLO
text "$T/passes.hlo" >"$T/p1.txt"
text -O0 "$T/passes.hlo" >"$T/p0.txt"
has "fold: 2 + 3.5 folded (and broadcast)" 'const\(\) : public f32\[2\]  value=\[5.5,5.5\]' "$T/p1.txt"
ok $([ "$(count ' mul\(' "$T/p1.txt")" -eq 1 ]; echo $?) "cse: the two equal multiplies become one"
ok $([ "$(count ' mul\(' "$T/p0.txt")" -eq 2 ]; echo $?) "-O0: no CSE"
ok $([ "$(count ' const\(' "$T/p1.txt")" -eq 1 ]; echo $?) "dce: folded-away constants are gone"
"$C" --emit=stats -o - "$T/passes.hlo" >"$T/stats.txt"
has "stats: a row per pass" '^lower +8$' "$T/stats.txt"
has "stats: dce row" '^dce +4$' "$T/stats.txt"
has "stats: op counts" '^mul +1$' "$T/stats.txt"
"$C" --passes=none --emit=stats -o - "$T/passes.hlo" >"$T/stats0.txt"
hasnt "--passes=none runs no pass" '^(fold|cse|dce) ' "$T/stats0.txt"

# --- what the lowered programs compute (spu-run --cleartext, float64),
# against values computed here with awk ---
if "$B/spu-run" --help 2>&1 | grep -q -- --cleartext; then
	"$C" -o "$T/dot.spub" "$D/dot_general.hlo"
	awk 'BEGIN { for (i = 0; i < 24; i++) print (i % 7) - 3 }' >"$T/l.csv"
	awk 'BEGIN { for (i = 0; i < 40; i++) print (i % 5) - 1.5 }' >"$T/r.csv"
	awk 'BEGIN { for (i = 0; i < 24; i++) L[i] = (i % 7) - 3
		for (i = 0; i < 40; i++) R[i] = (i % 5) - 1.5
		for (b = 0; b < 2; b++) for (m = 0; m < 3; m++) {
			line = ""
			for (n = 0; n < 5; n++) { s = 0
				for (k = 0; k < 4; k++)
					s += L[k * 6 + b * 3 + m] * R[n * 8 + k * 2 + b]
				line = line (n ? "," : "") s }
			print line } }' >"$T/want.txt"
	"$B/spu-run" --cleartext "$T/dot.spub" "$T/l.csv" "$T/r.csv" >"$T/got.txt" 2>&1
	ok $(cmp -s "$T/want.txt" "$T/got.txt"; echo $?) "general dot computes sum_k lhs[k,b,m] rhs[n,k,b]"
	"$C" -o "$T/ctl.spub" "$D/control.hlo"
	printf '1\n2\n3\n' >"$T/x.csv"
	for flag in 1 0; do
		echo $flag >"$T/f.csv"
		"$B/spu-run" --cleartext "$T/ctl.spub" "$T/x.csv" "$T/f.csv" >"$T/got.txt" 2>&1
		awk -v f=$flag 'NR == FNR { x[n++] = $1; next }
			{ v = x[FNR - 1] * 1024; w = f ? -v : exp(x[FNR - 1])
			  e = $1 - w; if (e < 0) e = -e; if (e > 1e-9 * (w < 0 ? -w : w + 1)) bad++ }
			END { exit bad > 0 || FNR != 3 }' "$T/x.csv" "$T/got.txt"
		ok $? "while x10 doubling, then select(flag=$flag, -v, exp(x))"
	done
else
	echo "# spu-run has no --cleartext: evaluation checks skipped"
fi

# --- bytecode output ---
cp "$D/mlp.hlo" "$T/model.hlo"
run_ok "default output name" "$C" "$T/model.hlo"
ok $([ -s "$T/model.spub" ]; echo $?) "writes FILE.spub next to the input"
ok $([ "$(head -c 4 "$T/model.spub")" = SPUB ]; echo $?) "the output is bytecode"
"$C" -o "$T/again.spub" "$T/model.hlo"
ok $(cmp -s "$T/model.spub" "$T/again.spub"; echo $?) "output is deterministic"
"$C" -o - "$T/model.hlo" >"$T/stdout.spub"
ok $(cmp -s "$T/model.spub" "$T/stdout.spub"; echo $?) "-o - writes to stdout"
"$C" -o - - <"$T/model.hlo" >"$T/stdin.spub"
ok $(cmp -s "$T/model.spub" "$T/stdin.spub"; echo $?) "- reads standard input"
done_testing
