# perclass.gp - test accuracy per digit of the CNN, MPC against
# cleartext inference, as PNG.
#
#   gnuplot -e "data='perclass.txt'; out='perclass.png'; name='...'" perclass.gp
#
# data: one line per digit: DIGIT ACC_MPC ACC_CLEARTEXT COUNT
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 800,420 font ",10"
} else {
	set terminal png size 800,420
}
set output out
set title name
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [80:105]
set ylabel "test accuracy (%)"
set xlabel "digit"
set grid ytics
set key top center horizontal
plot data using 2:xtic(1) title "MPC", '' using 3 title "cleartext (float64)"
