#!/bin/sh
# t5002-memory: the VM's memory bound (issue 5).  A 1000x1000 secret
# matmul under aby3 --simulate 3 (all three parties in one process) must
# peak below 1 GiB resident, and a chain of 22 1000x1000 secret values,
# each used once, must peak less than 300 MB above the matmul: the VM
# frees a value after its last use (kept, the 22 would take 22 x 16 MB
# per party, 1 GB).  The peak is GNU time's %M, the process's
# maximum resident set size (VmHWM): pages touched, all threads.
. "$srcdir/tests/lib.sh"

TIME=/usr/bin/time
if ! [ -x "$TIME" ] || ! "$TIME" -f %M -o "$T/probe" true 2>/dev/null; then
	echo "1..0 # SKIP no GNU time at $TIME"
	exit 0
fi
# a 1000x1000 CSV of values in [-1, 1]
awk 'BEGIN { srand(7); for (i = 0; i < 1000; i++) { l = ""
	for (j = 0; j < 1000; j++)
		l = l (j ? "," : "") sprintf("%.4f", rand() * 2 - 1)
	print l } }' >"$T/a.csv"
run_ok "share a 1000x1000 matrix for aby3" \
	"$B/spu-share" --protocol aby3 -o "$T/a.%d.shr" "$T/a.csv"
# mm: a . a; chain: a + a, then 20 additions of a, then a negation
{
	printf 'HloModule mm\nENTRY main {\n'
	printf '  a = f32[1000,1000] parameter(0)\n'
	printf '  b = f32[1000,1000] parameter(1)\n'
	printf '  ROOT x0 = f32[1000,1000] dot(a, b), '
	printf 'lhs_contracting_dims={1}, rhs_contracting_dims={0}\n}\n'
} >"$T/mm.hlo"
{
	sed '$d' "$T/mm.hlo" | sed 's/ROOT x0 = \(.*\) dot(a, b).*/x0 = \1 add(a, b)/'
	i=1
	while [ $i -le 20 ]; do
		printf '  x%d = f32[1000,1000] add(x%d, a)\n' $i $((i - 1))
		i=$((i + 1))
	done
	printf '  ROOT r = f32[1000,1000] negate(x20)\n}\n'
} >"$T/chain.hlo"
for p in mm chain; do
	run_ok "$p: compiles" "$B/spu-compile" -O0 -o "$T/$p.spub" "$T/$p.hlo"
	run_ok "$p: runs under aby3 --simulate 3" "$TIME" -f %M \
		-o "$T/$p.rss" "$B/spu-run" --simulate 3 -q -o "$T/o.%d.shr" \
		"$T/$p.spub" "$T/a.%d.shr" "$T/a.%d.shr"
	echo "# $p: peak resident $(tail -n 1 "$T/$p.rss") kB"
done
mm=$(tail -n 1 "$T/mm.rss")
chain=$(tail -n 1 "$T/chain.rss")
ok $([ "$mm" -lt 1048576 ]; echo $?) \
	"1000x1000 secret matmul, 3 parties: peak $mm kB < 1 GiB"
ok $([ "$chain" -lt $((mm + 300000)) ]; echo $?) \
	"22 values used once: peak $chain kB < $mm kB + 300 MB"
done_testing
