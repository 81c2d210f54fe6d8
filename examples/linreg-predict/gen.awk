# gen.awk - deterministic synthetic data for the example: X (200x8,
# features in [-2, 2]), w (8), b.  Usage: awk -v what=X|w|b -f gen.awk
function rnd() { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
BEGIN {
	seed = 42
	if (what == "w") { for (j = 0; j < 8; j++) printf "%.6f\n", rnd() * 2 - 1; exit }
	if (what == "b") { printf "0.5\n"; exit }
	for (j = 0; j < 8; j++) rnd()
	for (i = 0; i < 200; i++) {
		for (j = 0; j < 8; j++) printf "%s%.6f", j ? "," : "", rnd() * 4 - 2
		printf "\n"
	}
}
