# eval.awk - score logistic-regression models in double precision.
#
#   awk [-v label=TEXT] -f eval.awk W.csv B.csv X_test.csv y_test.csv
#       prints "ACC CORRECT N" for the model w (one weight per line), b,
#       or with a label "TEXT ACC% (CORRECT/N)"
#   awk -v curve=1 -f eval.awk WH.csv BH.csv X_train.csv y_train.csv \
#       X_test.csv y_test.csv
#       one model per line of WH (the weights after each epoch) and BH;
#       prints "EPOCH TRAIN_LOSS TEST_ACC" per model (loss: mean binary
#       cross-entropy, accuracy in percent)
BEGIN { FS = ","; nm = 0; nb = 0; d = 0; n[0] = n[1] = 0; ny[0] = ny[1] = 0 }
FNR == 1 { file++ }
file == 1 {
	if (NF == 1 && !curve) { w[0, d++] = $1 + 0; nm = 1; next }
	for (j = 1; j <= NF; j++) w[nm, j - 1] = $j + 0
	d = NF; nm++
	next
}
file == 2 { b[nb++] = $1 + 0; next }
file == 3 || file == 5 {
	s = file == 3 ? 0 : 1
	if (NF != d) { printf "eval.awk: %s: %d features, the model has %d\n", FILENAME, NF, d > "/dev/stderr"; bad = 1; exit 1 }
	for (j = 1; j <= NF; j++) x[s, n[s], j - 1] = $j + 0
	n[s]++
	next
}
file == 4 || file == 6 { s = file == 4 ? 0 : 1; y[s, ny[s]++] = $1 + 0 }

# mean cross-entropy and accuracy (percent) of model m on set s
function score(m, s,    i, j, z, loss, ok) {
	loss = 0; ok = 0
	for (i = 0; i < n[s]; i++) {
		z = b[m]
		for (j = 0; j < d; j++) z += w[m, j] * x[s, i, j]
		# log(1 + exp(-t)) without overflow, t = z for y = 1, -z for y = 0
		t = y[s, i] ? z : -z
		loss += t > 0 ? log(1 + exp(-t)) : -t + log(1 + exp(t))
		if ((z > 0) == (y[s, i] > 0.5)) ok++
	}
	correct = ok
	meanloss = loss / n[s]
	return 100 * ok / n[s]
}

END {
	if (bad) exit 1
	if (nb != nm || nm == 0) { printf "eval.awk: %d models but %d biases\n", nm, nb > "/dev/stderr"; exit 1 }
	if (!curve) {
		if (n[0] != ny[0] || n[0] == 0) { print "eval.awk: features and labels differ in count" > "/dev/stderr"; exit 1 }
		acc = score(0, 0)
		if (label != "")
			printf "%-40s %6.2f%% (%d/%d)\n", label, acc, correct, n[0]
		else
			printf "%.2f %d %d\n", acc, correct, n[0]
		exit 0
	}
	for (m = 0; m < nm; m++) {
		score(m, 0); tl = meanloss
		acc = score(m, 1)
		printf "%d %.5f %.2f\n", m + 1, tl, acc
	}
}
