# check.awk - compare the MPC prediction with X @ w + b computed here in
# double precision.  Files: w.csv b.csv X.csv pred.txt (in that order).
FILENAME ~ /w\.csv$/ { w[nw++] = $1; next }
FILENAME ~ /b\.csv$/ { b = $1; next }
FILENAME ~ /X\.csv$/ {
	s = b
	n = split($0, f, ",")
	for (j = 1; j <= n; j++) s += f[j] * w[j - 1]
	want[nx++] = s
	next
}
{ got[ng++] = $1 }
END {
	if (ng != nx) { printf "check: %d predictions, expected %d\n", ng, nx; exit 1 }
	for (i = 0; i < nx; i++) { e = got[i] - want[i]; if (e < 0) e = -e; if (e > worst) worst = e }
	printf "%d predictions, max abs error vs cleartext %.2e (tolerance 1e-3)\n", nx, worst
	if (worst > 1e-3) exit 1
}
