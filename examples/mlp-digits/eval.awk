# eval.awk - score D-H-C ReLU perceptrons in double precision.
#
#   awk [-v label=TEXT] -f eval.awk W1.csv b1.csv W2.csv b2.csv \
#       X_test.csv y_test.csv
#       accuracy of one model: "ACC CORRECT N", or with a label
#       "TEXT  ACC% (CORRECT/N)"
#   awk -v models=E -f eval.awk W1H.csv b1H.csv W2H.csv b2H.csv \
#       X_train.csv y_train.csv X_test.csv y_test.csv
#       E models one after another in each file (the parameters after
#       each epoch); prints "EPOCH TRAIN_LOSS TEST_ACC" per model (mean
#       cross-entropy of the softmax, accuracy in percent)
# Parameter files are read as flat lists of numbers in row-major order,
# so a vector may be one number per line or one row.  y holds class
# indices 0..C-1.
BEGIN {
	FS = ","; if (models == "") models = 1; curve = models > 1 || ARGC > 7
	n1 = n2 = n3 = n4 = nx0 = nx1 = ny0 = ny1 = d = 0; n[0] = n[1] = 0
}
FNR == 1 { file++ }
file == 1 { for (j = 1; j <= NF; j++) P1[n1++] = $j + 0; next }
file == 2 { for (j = 1; j <= NF; j++) P2[n2++] = $j + 0; next }
file == 3 { for (j = 1; j <= NF; j++) P3[n3++] = $j + 0; next }
file == 4 { for (j = 1; j <= NF; j++) P4[n4++] = $j + 0; next }
file == 5 || file == 7 {
	s = file == 5 ? 0 : 1
	if (d == 0) d = NF
	if (NF != d) { printf "eval.awk: %s: %d features, expected %d\n", FILENAME, NF, d > "/dev/stderr"; bad = 1; exit 1 }
	# one integer-keyed array per set: awk looks these up fastest
	for (j = 1; j <= NF; j++)
		if (s == 0) X0[nx0++] = $j + 0
		else X1[nx1++] = $j + 0
	n[s]++
	next
}
file == 6 { Y0[ny0++] = $1 + 0; next }
file == 8 { Y1[ny1++] = $1 + 0; next }

# logits of model m for the input row in r[0..d-1], into z[0..c-1]
function forward(m,    j, k, a, o1, o2, o3, o4) {
	o1 = m * d * hid; o2 = m * hid; o3 = m * hid * c; o4 = m * c
	for (k = 0; k < c; k++) z[k] = P4[o4 + k]
	for (j = 0; j < hid; j++) {
		a = P2[o2 + j]
		for (k = 0; k < d; k++) a += r[k] * P1[o1 + k * hid + j]
		if (a <= 0) continue
		for (k = 0; k < c; k++) z[k] += a * P3[o3 + j * c + k]
	}
}

# accuracy (percent) of model m on set s; mean cross-entropy in meanloss
function score(m, s,    i, k, lab, best, mx, sum, loss, ok) {
	loss = 0; ok = 0
	for (i = 0; i < n[s]; i++) {
		for (k = 0; k < d; k++) r[k] = s ? X1[i * d + k] : X0[i * d + k]
		lab = s ? Y1[i] : Y0[i]
		forward(m)
		best = 0; mx = z[0]
		for (k = 1; k < c; k++) if (z[k] > mx) { mx = z[k]; best = k }
		sum = 0
		for (k = 0; k < c; k++) sum += exp(z[k] - mx)
		loss += log(sum) + mx - z[lab]
		if (best == lab) ok++
	}
	correct = ok
	meanloss = loss / n[s]
	return 100 * ok / n[s]
}

END {
	if (bad) exit 1
	hid = n2 / models; c = n4 / models
	if (hid < 1 || c < 1 || n1 != models * d * hid || n3 != models * hid * c) {
		printf "eval.awk: parameter counts %d %d %d %d do not fit %d models with %d inputs\n", n1, n2, n3, n4, models, d > "/dev/stderr"
		exit 1
	}
	if (!curve) {
		if (n[0] != ny0 || n[0] == 0) { print "eval.awk: features and labels differ in count" > "/dev/stderr"; exit 1 }
		acc = score(0, 0)
		if (label != "")
			printf "%-40s %6.2f%% (%d/%d)\n", label, acc, correct, n[0]
		else
			printf "%.2f %d %d\n", acc, correct, n[0]
		exit 0
	}
	for (m = 0; m < models; m++) {
		score(m, 0); tl = meanloss
		acc = score(m, 1)
		printf "%d %.5f %.2f\n", m + 1, tl, acc
	}
}
