# score.awk - accuracy of predicted digits against the true labels.
#
#   awk -v label=TEXT -f score.awk pred.txt y_test.csv
#       "TEXT ACC% (CORRECT/N)"
#   awk -v perclass=1 -f score.awk pred_mpc.txt pred_clear.txt y_test.csv
#       one line per digit: "DIGIT ACC_MPC ACC_CLEARTEXT COUNT"
#   awk -v agree=1 -f score.awk pred_mpc.txt pred_clear.txt
#       how many predictions the two files share: "SAME N"
FNR == 1 { file++ }
{ v[file, FNR - 1] = $1 + 0; n[file] = FNR }
END {
	if (n[1] != n[2] || (perclass && n[2] != n[3]) || n[1] == 0) {
		print "score.awk: the files differ in length" > "/dev/stderr"
		exit 1
	}
	if (agree) {
		for (i = 0; i < n[1]; i++) same += v[1, i] == v[2, i]
		printf "%-40s %d/%d\n", label, same, n[1]
		exit 0
	}
	if (!perclass) {
		for (i = 0; i < n[1]; i++) ok += v[1, i] == v[2, i]
		printf "%-40s %6.2f%% (%d/%d)\n", label, 100 * ok / n[1], ok, n[1]
		exit 0
	}
	for (i = 0; i < n[3]; i++) {
		c = v[3, i]; cnt[c]++
		okm[c] += v[1, i] == c; okc[c] += v[2, i] == c
	}
	for (c = 0; c <= 9; c++)
		if (cnt[c])
			printf "%d %.2f %.2f %d\n", c, 100 * okm[c] / cnt[c], 100 * okc[c] / cnt[c], cnt[c]
}
