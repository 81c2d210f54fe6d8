# curve.gp - training curves of MPC against cleartext training, as PNG.
#
#   gnuplot -e "mpc='curve_mpc.txt'; clear='curve_clear.txt'; \
#       out='curve.png'; name='logistic regression'" curve.gp
#
# Each input has one line per epoch: EPOCH TRAIN_LOSS TEST_ACCURACY(%).
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1000,420 font ",10"
} else {
	set terminal png size 1000,420
}
set output out
set multiplot layout 1,2 title name." trained as MPC and in cleartext (float64)"
set xlabel "epoch"
set grid
set key top right
set ylabel "training loss (cross-entropy)"
plot clear using 1:2 with linespoints lw 2 pt 7 title "cleartext", \
     mpc using 1:2 with linespoints lw 2 pt 6 dt 2 title "MPC"
set key bottom right
set ylabel "test accuracy (%)"
plot clear using 1:3 with linespoints lw 2 pt 7 title "cleartext", \
     mpc using 1:3 with linespoints lw 2 pt 6 dt 2 title "MPC"
unset multiplot
