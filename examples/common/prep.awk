# prep.awk - turn a labelled CSV data set (features..., label per line)
# into train/test files: a fixed pseudo-random shuffle, an 80/20 split,
# then feature scaling with statistics of the training rows only.
#
#   awk -v skip=1 -v scale=std -f prep.awk data.csv
#
# Variables:
#   skip   header lines to drop (default 0)
#   scale  "std": standardize each feature to mean 0, variance 1 (a
#          constant feature becomes 0); a number S: divide by S;
#          empty: leave as is
#   train  fraction of rows for training (default 0.8)
#   seed   shuffle seed (default 1); the shuffle is a Fisher-Yates pass
#          driven by the LCG x = 69069 x + 1 mod 2^32, exact in the
#          doubles of any awk, so every machine gets the same split
#   onehot K: also write Y_train.csv / Y_test.csv with K one-hot columns
# Writes X_train.csv y_train.csv X_test.csv y_test.csv in the current
# directory (and Y_*.csv with onehot).
BEGIN { FS = ","; if (train == "") train = 0.8; if (seed == "") seed = 1 }
NR <= skip { next }
{
	if (nf == 0) nf = NF
	if (NF != nf) { printf "prep.awk: line %d: %d fields, expected %d\n", NR, NF, nf > "/dev/stderr"; bad = 1; exit 1 }
	row[n++] = $0
}
END {
	if (bad) exit 1
	d = nf - 1
	x = seed
	for (i = n - 1; i > 0; i--) {
		x = (69069 * x + 1) % 4294967296
		j = int(x / 4294967296 * (i + 1))
		t = row[i]; row[i] = row[j]; row[j] = t
	}
	ntr = int(n * train + 0.5)
	for (i = 0; i < n; i++) {
		split(row[i], f, ",")
		for (k = 1; k <= d; k++) v[i, k] = f[k] + 0
		lab[i] = f[nf] + 0
	}
	for (k = 1; k <= d; k++) {
		mu[k] = 0; sd[k] = 1
		if (scale == "std") {
			s = 0
			for (i = 0; i < ntr; i++) s += v[i, k]
			mu[k] = s / ntr
			s = 0
			for (i = 0; i < ntr; i++) s += (v[i, k] - mu[k]) ^ 2
			sd[k] = sqrt(s / ntr)
			if (sd[k] < 1e-12) sd[k] = 1
		} else if (scale != "")
			sd[k] = scale + 0
	}
	for (i = 0; i < n; i++) {
		sfx = i < ntr ? "train" : "test"
		line = ""
		for (k = 1; k <= d; k++)
			line = line (k > 1 ? "," : "") sprintf("%.6f", (v[i, k] - mu[k]) / sd[k])
		print line > ("X_" sfx ".csv")
		print lab[i] > ("y_" sfx ".csv")
		if (onehot > 0) {
			line = ""
			for (k = 0; k < onehot; k++)
				line = line (k > 0 ? "," : "") (k == lab[i] ? 1 : 0)
			print line > ("Y_" sfx ".csv")
		}
	}
	printf "prep: %d rows x %d features: %d train, %d test\n", n, d, ntr, n - ntr > "/dev/stderr"
}
