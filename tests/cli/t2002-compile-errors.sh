#!/bin/sh
# t2002-compile-errors: bad or unsupported HLO is refused with exit status
# 1 and one line "spu-compile: FILE:LINE:COL: cause" naming the offending
# token or construct; no output file is left behind.
. "$srcdir/tests/lib.sh"

C="$B/spu-compile"
# bad NAME STATUS REGEX: compile $T/NAME.hlo
bad() {
	name=$1 want=$2 re=$3
	run_fails "$want" "^spu-compile: $T/$name.hlo:$re" "$name: $re" \
		"$C" -o "$T/$name.spub" "$T/$name.hlo"
	ok $([ ! -e "$T/$name.spub" ]; echo $?) "$name: no output file"
	lines=$(wc -l <"$T/err")
	ok $([ "$lines" -eq 1 ]; echo $?) "$name: one line on stderr"
}

printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(0)\n  ROOT y = f32[2] negate(x\n}\n' >"$T/paren.hlo"
bad paren 1 "5:1: expected ',' or '\)' after an operand, found '}'"
printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(0)\n  ROOT y = f32[2] add(x, zz)\n}\n' >"$T/unknown.hlo"
bad unknown 1 "4:26: unknown operand 'zz' in computation 'main'"
printf 'HloModule m\nENTRY main {\n  ROOT c = f32[3] constant({...})\n}\n' >"$T/elided.hlo"
bad elided 1 "3:28: elided constant \{\.\.\.\} cannot be compiled"
printf 'HloModule m\nENTRY main {\n  a = f32[] constant(0)\n  b = f32[] constant(1)\n  ROOT r = f32[4] rng(a, b), distribution=rng_uniform\n}\n' >"$T/rng.hlo"
bad rng 1 "5:19: unsupported: rng"
printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(0)\n  ROOT r = f32[2] custom-call(x), custom_call_target="my_kernel"\n}\n' >"$T/customcall.hlo"
bad customcall 1 '4:19: unsupported: custom-call target "my_kernel"'
printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(0)\n  ROOT y = f32[2] all-reduce(x), replica_groups={}, to_apply=add\n}\n' >"$T/collective.hlo"
bad collective 1 "4:19: unsupported: all-reduce"
printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(0)\n  t = token[] after-all()\n  o = token[] outfeed(x, t), outfeed_config=""\n  ROOT y = f32[2] negate(x)\n}\n' >"$T/deadoutfeed.hlo"
bad deadoutfeed 1 "5:15: unsupported: outfeed"
printf 'HloModule m\nENTRY main {\n  x = c64[2] parameter(0)\n  ROOT y = c64[2] negate(x)\n}\n' >"$T/complex.hlo"
bad complex 1 "3:14: unsupported: element type c64"
printf 'HloModule m\nENTRY main {\n  x = f32[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1] parameter(0)\n  ROOT y = f32[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1] negate(x)\n}\n' >"$T/rank17.hlo"
bad rank17 1 "3:46: unsupported: rank 17 \(at most 16\)"
printf 'HloModule m\n/* never closed\nENTRY main {\n}\n' >"$T/comment.hlo"
bad comment 1 "2:1: unterminated comment"
printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(0) @\n}\n' >"$T/char.hlo"
bad char 1 "3:27: unexpected character '@'"
printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(0), sharding="\n}\n' >"$T/string.hlo"
bad string 1 "3:37: unterminated string"
printf '' >"$T/empty.hlo"
bad empty 1 "1:1: expected a computation, found end of file"
printf 'HloModule m\nENTRY main {\n  ROOT c = f32[3] constant({1, 2})\n}\n' >"$T/count.hlo"
bad count 1 "3:28: constant has 2 elements, its shape needs 3"
printf 'HloModule m\nENTRY main {\n  ROOT c = s32[2] constant({1, 2.5})\n}\n' >"$T/intlit.hlo"
bad intlit 1 "3:32: expected an integer literal, found '2.5'"
printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(0)\n  x = f32[2] negate(x)\n}\n' >"$T/dup.hlo"
bad dup 1 "4:3: duplicate instruction name 'x'"
printf 'HloModule m\nENTRY main {\n  a = f32[2] negate(b)\n  ROOT b = f32[2] negate(a)\n}\n' >"$T/cycle.hlo"
bad cycle 1 "3:3: instruction 'a' depends on itself"
printf 'HloModule m\nENTRY main {\n  x = f32[4] parameter(0)\n  ROOT s = f32[2] slice(x), slice={[0:2:1]x}\n}\n' >"$T/slice.hlo"
bad slice 1 "4:35: bad slice value '\{\[0:2:1\]x\}'"
printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(1)\n  ROOT y = f32[2] negate(x)\n}\n' >"$T/paramno.hlo"
bad paramno 1 "3:3: parameter\(1\) of 'main': numbers must be 0\.\.0"
printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(0)\n  ROOT y = f32[2] call(x), to_apply=nowhere\n}\n' >"$T/nocomp.hlo"
bad nocomp 1 "4:37: unknown computation 'nowhere'"
printf 'HloModule m\nf {\n  p = f32[] parameter(0)\n  ROOT c = f32[] call(p), to_apply=f\n}\nENTRY main {\n  x = f32[] parameter(0)\n  ROOT y = f32[] call(x), to_apply=f\n}\n' >"$T/recursion.hlo"
bad recursion 1 "2:1: computation 'f' calls itself"
printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(0)\n  ROOT y = f32[3] negate(x)\n}\n' >"$T/shape.hlo"
bad shape 1 "4:19: negate 'y': operand 0 has a different shape"
printf 'HloModule m\nENTRY main {\n  x = f32[2,3] parameter(0)\n  y = f32[4,3] parameter(1)\n  ROOT d = f32[2,4] dot(x, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}\n}\n' >"$T/dotdims.hlo"
bad dotdims 1 "5:21: dot 'd': contracting dimensions differ in size"
printf 'HloModule m\nENTRY main {\n  x = f32[2] parameter(0)\n  ROOT y = pred[2] compare(x, x), direction=XX\n}\n' >"$T/direction.hlo"
bad direction 1 "4:20: compare 'y': unknown direction XX"
printf 'HloModule m\nENTRY a {\n  ROOT x = f32[] constant(1)\n}\nENTRY b {\n  ROOT x = f32[] constant(1)\n}\n' >"$T/twoentry.hlo"
bad twoentry 1 "5:7: second ENTRY computation 'b'"
awk 'BEGIN { printf "HloModule m\nENTRY main {\n  ROOT t = ";
	for (i = 0; i < 100; i++) printf "("; printf "f32[]";
	for (i = 0; i < 100; i++) printf ")"; printf " parameter(0)\n}\n" }' >"$T/deep.hlo"
bad deep 1 "3:76: tuple nested too deeply"
printf 'HloModule m\nENTRY main {\n  ROOT x = f32[2] constant(%s)\n}\n' \
	"$(awk 'BEGIN { for (i = 0; i < 100; i++) printf "{"; }')" >"$T/deeplit.hlo"
bad deeplit 1 "3:92: literal nested too deeply"
printf '\223\001HloModule' >"$T/binary.hlo"
bad binary 1 "1:1: unexpected byte 0x93"
done_testing
