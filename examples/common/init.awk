# init.awk - initial weights of a dense layer, Glorot-uniform: ROWS x COLS
# numbers drawn uniformly from [-a, a], a = sqrt(6 / (fan_in + fan_out)),
# with the same fixed-seed LCG as prep.awk (x = 69069 x + 1 mod 2^32), so
# every machine starts from the same weights.
#
#   awk -v rows=64 -v cols=32 -v seed=7 -f init.awk > w1_init.csv
#
# fan_in/fan_out default to rows/cols; give them for a convolution kernel
# stored as a matrix.
BEGIN {
	if (rows <= 0 || cols <= 0) { print "init.awk: give rows and cols" > "/dev/stderr"; exit 1 }
	if (fan_in == "") fan_in = rows
	if (fan_out == "") fan_out = cols
	if (seed == "") seed = 1
	a = sqrt(6 / (fan_in + fan_out))
	x = seed
	for (i = 0; i < 8; i++)		# move away from the small seed
		x = (69069 * x + 1) % 4294967296
	for (i = 0; i < rows; i++) {
		line = ""
		for (j = 0; j < cols; j++) {
			x = (69069 * x + 1) % 4294967296
			line = line (j ? "," : "") sprintf("%.6f", (2 * x / 4294967296 - 1) * a)
		}
		print line
	}
}
