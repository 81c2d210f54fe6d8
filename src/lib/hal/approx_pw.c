/*
 * approx_pw.c - the logistic function by segments: one batch of
 * comparisons places x among the thresholds -12, -10, ..., 12; on each
 * segment [2s, 2s + 2) of |x| a Chebyshev series of degree <= 4 gives
 * g(|x|) = logistic(|x|) - 1/2, and logistic(x) = 1/2 + sign(x) g(|x|)
 * (0 below -12, 1 from 12 on; 1 - logistic(12) = 6.1e-6).
 *
 * Everything the segment decides is linear in the comparison bits b_i
 * = [x < theta_i]: the segment's local variable t = |x| - (2s + 1) =
 * x c - d with c = b_12 + b_-12 - 2 b_0 (+1, -1, or 0 outside) and d a
 * sum of bits times public midpoints, so one product (an integer times
 * x: no truncation) gives t in [-1, 1); the series of every segment is
 * evaluated at t in the same rounds, and the sum of each times its
 * signed indicator (+1 on the segment for x >= 0, -1 for x < 0) picks
 * one, again an integer product.  Rounds: one comparison batch (13 n
 * elements) + 1 + 2 (mul + trunc) levels for T_2..T_4 + 1 + one final
 * truncation: 20 in aby3, 15 in semi2k with two parties, against 40 and
 * 30 for 1 / (1 + exp(-x)).  Error: the series' 4e-5 plus the
 * truncations' few last-bit units, within the 1e-4 absolute bound.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "approx_util.h"
#include "cmp.h"
#include "hal.h"

#define SEGS 6			/* |x| segments [2s, 2s + 2) */
#define NTH (2 * SEGS + 1)	/* thresholds 2 (i - SEGS) */
#define TOL 4e-5		/* series error: degree 4 on every segment */

static double
g(double a)
{
	return 1 / (1 + exp(-a)) - 0.5;
}

int
spu_ax_sigmoid_pw(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n)
{
	int f = m->fxp, fc, rc;
	double tol = spu_ax_cheb_tol(m) > TOL ? spu_ax_cheb_tol(m) : TOL;
	struct spu_sv D, B, t, c, W, acc;
	struct spu_cheb ch[SEGS];

	memset(&B, 0, sizeof(B));
	memset(&t, 0, sizeof(t));
	memset(&c, 0, sizeof(c));
	memset(&W, 0, sizeof(W));
	memset(&acc, 0, sizeof(acc));
	if ((rc = spu_sv_alloc(m, &D, NTH * n)) != 0)
		goto out;
	/* b_i = [x < 2 (i - SEGS)], all in one comparison batch */
	for (int i = 0; i < NTH; i++) {
		struct spu_sv d = spu_sv_view(m, &D, (size_t)i * n, n);
		if ((rc = spu_ax_addc(m, d.s, x,
		    -spu_ax_enc(2.0 * (i - SEGS), f), n)) != 0)
			goto out;
	}
	/* the bits over the differences: the MSB reads before it writes */
	if ((rc = spu_b_msb_a(m, D.s, D.s, NTH * n,
	    spu_hal_cmp_bits(m, SPU_F32))) != 0)
		goto out;
	B = D;
	memset(&D, 0, sizeof(D));
	if ((rc = spu_sv_alloc(m, &t, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &c, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &W, SEGS * n)) != 0)
		goto out;
	{
		struct spu_sv lo = spu_sv_view(m, &B, 0, n);
		struct spu_sv mid = spu_sv_view(m, &B, (size_t)SEGS * n, n);
		struct spu_sv hi = spu_sv_view(m, &B, (size_t)(NTH - 1) * n,
		    n);
		spu_mpc_add(m, c.s, hi.s, lo.s, n);
		spu_ax_mulc(m, t.s, mid.s, (spu_u128)2, n);
		spu_mpc_sub(m, c.s, c.s, t.s, n);
	}
	if ((rc = m->ops->mul(m, t.s, x, c.s, n)) != 0)
		goto out;
	/* W_s = signed indicator of segment s; t -= its midpoint */
	for (int s = 0; s < SEGS; s++) {
		struct spu_sv w = spu_sv_view(m, &W, (size_t)s * n, n);
		struct spu_sv p0 = spu_sv_view(m, &B, (size_t)(SEGS + s) * n, n);
		struct spu_sv p1 = spu_sv_view(m, &B, (size_t)(SEGS + s + 1) * n,
		    n);
		struct spu_sv q0 = spu_sv_view(m, &B, (size_t)(SEGS - s - 1) * n,
		    n);
		struct spu_sv q1 = spu_sv_view(m, &B, (size_t)(SEGS - s) * n, n);
		spu_mpc_sub(m, w.s, p1.s, p0.s, n);	/* x in segment s */
		spu_mpc_sub(m, c.s, q1.s, q0.s, n);	/* -x in segment s */
		if ((rc = spu_ax_axpy(m, t.s, w.s,
		    -spu_ax_enc(2.0 * s + 1, f), n)) != 0 ||
		    (rc = spu_ax_axpy(m, t.s, c.s,
		    -spu_ax_enc(2.0 * s + 1, f), n)) != 0)
			goto out;
		spu_mpc_sub(m, w.s, w.s, c.s, n);
		spu_ax_cheb_fit(&ch[s], g, 2.0 * s, 2.0 * s + 2, tol,
		    SPU_AX_MAXDEG);
	}
	if ((rc = spu_ax_cheb_eval(m, &acc, t.s, n, ch, SEGS, &fc, NULL, 0,
	    0)) != 0 ||
	    (rc = m->ops->mul(m, acc.s, acc.s, W.s, SEGS * n)) != 0)
		goto out;
	spu_sv_copy(m, t.s, acc.s, n);
	for (int s = 1; s < SEGS; s++) {
		struct spu_sv a = spu_sv_view(m, &acc, (size_t)s * n, n);
		spu_mpc_add(m, t.s, t.s, a.s, n);
	}
	if ((rc = spu_ax_trunc(m, z, t.s, n, (unsigned)fc)) != 0)
		goto out;
	/* + 1/2 + 1/2 [x >= 12] - 1/2 [x < -12] = 1 - 1/2 b_12 - 1/2 b_-12 */
	{
		struct spu_sv lo = spu_sv_view(m, &B, 0, n);
		struct spu_sv hi = spu_sv_view(m, &B, (size_t)(NTH - 1) * n,
		    n);
		spu_ax_mulc(m, c.s, lo.s, spu_ax_enc(0.5, f), n);
		spu_mpc_sub(m, z, z, c.s, n);
		spu_ax_mulc(m, c.s, hi.s, spu_ax_enc(0.5, f), n);
		spu_mpc_sub(m, z, z, c.s, n);
		rc = spu_ax_addc(m, z, z, spu_ax_enc(1, f), n);
	}
out:
	spu_sv_free(m, &D);
	spu_sv_free(m, &B);
	spu_sv_free(m, &t);
	spu_sv_free(m, &c);
	spu_sv_free(m, &W);
	spu_sv_free(m, &acc);
	return rc;
}
