# split.awk - cut the text that `spu-run --cleartext` prints (every
# output one after another, one line per leading-dimension row, one line
# for a scalar) into one CSV file per output.
#
#   spu-run --cleartext prog.spub in.csv... |
#       awk -v rows="30 1 10 10" -v names="w b wh bh" -v prefix=clear_ -f split.awk
#
# writes clear_w.csv clear_b.csv clear_wh.csv clear_bh.csv; fails when the
# line count differs from the sum of rows.
BEGIN {
	n = split(rows, r, " ")
	if (split(names, nm, " ") != n) { print "split.awk: rows and names differ in length" > "/dev/stderr"; bad = 1; exit 1 }
	k = 1; left = r[1] + 0
}
{
	while (k <= n && left == 0) { k++; left = r[k] + 0 }
	if (k > n) { bad = 1; exit 1 }
	print > (prefix nm[k] ".csv")
	left--
}
END {
	if (bad || k < n || left != 0) {
		printf "split.awk: %d lines do not match the output rows %s\n", NR, rows > "/dev/stderr"
		exit 1
	}
}
