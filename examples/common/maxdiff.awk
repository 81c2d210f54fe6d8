# maxdiff.awk - the largest absolute difference between the numbers of
# pairs of CSV files of equal shape (MPC-trained against cleartext-trained
# parameters).
#
#   awk -v label=TEXT -f maxdiff.awk a1.csv b1.csv [a2.csv b2.csv ...]
#
# prints "TEXT 1.2e-04"; fails when a pair differs in shape.
BEGIN { FS = "," }
FNR == 1 { file++; row = 0 }
{
	row++
	if (file % 2 == 1) {
		for (j = 1; j <= NF; j++) a[row, j] = $j
		nf[row] = NF
		rows = row
		next
	}
	if (row > rows || NF != nf[row]) { bad = 1; exit 1 }
	for (j = 1; j <= NF; j++) {
		e = $j - a[row, j]
		if (e < 0) e = -e
		if (e > worst) worst = e
	}
	seen = row
	if (row == rows) pairs++
}
END {
	if (bad || file % 2 != 0 || pairs != file / 2) {
		printf "maxdiff.awk: %s and its pair differ in shape\n", FILENAME > "/dev/stderr"
		exit 1
	}
	printf "%-40s %.1e\n", label, worst
}
