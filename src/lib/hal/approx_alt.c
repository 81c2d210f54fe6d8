/*
 * approx_alt.c - the cheaper or SPU-compatible alternatives to the
 * default methods of the fixed-point function library, chosen by
 * m->fxpcfg (fxpcfg.h, spu-run --exp, --log, --sigmoid, --tanh).  The
 * defaults are in approx.c.  Each states its valid range and error; the
 * measured figures are in docs/accuracy.md.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "approx_util.h"

/*
 * exp taylor (protocols.md 5.5, SPU's default): y = 1 + x / 2^n squared
 * n times.  y starts at scale f + s (s = n when the ring has room, so
 * nothing is lost to a first truncation), each squaring is one product
 * and one truncation.  Relative error about x^2 / 2^(n+1) +
 * 2^(n-f); valid for -2^n < x and y^2 below the truncation limit,
 * x < 2 ln 2 (k/2 - 1 - f) (FM64: 18).
 */
int
spu_ax_exp_taylor(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n)
{
	int f = m->fxp, k = (int)m->field, it = m->fxpcfg.exp_iters, s, rc;
	struct spu_sv y;

	if (it <= 0)
		it = SPU_FXPCFG_EXP_ITERS_DEFAULT;
	if (it > SPU_FXPCFG_EXP_ITERS_MAX)
		it = SPU_FXPCFG_EXP_ITERS_MAX;
	s = (k - 4) / 2 - f;
	if (s > it)
		s = it;
	if (s < 0)
		s = 0;
	if ((rc = spu_sv_alloc(m, &y, n)) != 0)
		return rc;
	/* y = x 2^(s - it) + 2^(f + s) */
	if ((rc = spu_ax_trunc(m, y.s, x, n, (unsigned)(it - s))) != 0 ||
	    (rc = spu_ax_addc(m, y.s, y.s, (spu_u128)1 << (f + s), n)) != 0)
		goto out;
	for (int j = 0; j < it; j++) {
		if ((rc = m->ops->mul(m, y.s, y.s, y.s, n)) != 0 ||
		    (rc = spu_ax_trunc(m, y.s, y.s, n,
		    (unsigned)(j == 0 ? f + 2 * s : f))) != 0)
			goto out;
	}
	spu_sv_copy(m, z, y.s, n);
out:
	spu_sv_free(m, &y);
	return rc;
}

/* SPU's log2 Pade approximant on [0.5, 1) (protocols.md 5.6). */
static double
pade_p(double z)
{
	return -2.05466671951 + z * (-8.8626599391 + z * (6.10585199015 +
	    z * 4.81147460989));
}

static double
pade_q(double z)
{
	return 0.353553425277 + z * (4.54517087629 + z * (6.42784209029 + z));
}

/* The three series below take t = 2 z - 3 for z in [1, 2): z' = z / 2. */
static double
f_p16(double t)
{
	return pade_p((t + 3) / 4) / 16;
}

static double
f_q16(double t)
{
	return pade_q((t + 3) / 4) / 16;
}

static double
f_iq16(double t)
{
	return 16 / pade_q((t + 3) / 4);
}

/*
 * log pade: x = z' 2^(m+1-f) with z' in [0.5, 1) (the one-hot of
 * spu_ax_mantissa); P / 16, Q / 16 (cubics, exact as degree-3 series)
 * and a degree-3 guess of 16 / Q (relative error 3.3e-3) share their
 * Chebyshev rounds; Goldschmidt gives log2 z' = P / Q (approximant error
 * 4.8e-9); then ln 2 (log2 z' + m + 1 - f) with the exponent term a
 * local linear combination.  Valid 2^-f <= x < 2^(J-f).
 */
int
spu_ax_log_pade(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n)
{
	unsigned f = (unsigned)m->fxp, J = spu_ax_onehot_width(m);
	struct spu_sv A, t, S;
	struct spu_cheb ch[3];
	spu_u128 co[130];
	int rc;

	memset(&S, 0, sizeof(S));
	memset(co, 0, sizeof(co));
	for (unsigned j = 0; j < J; j++)
		co[j] = spu_ax_enc(((double)j + 1 - f) * M_LN2, 2 * (int)f);
	if ((rc = spu_sv_alloc(m, &t, n)) != 0)
		return rc;
	if ((rc = spu_ax_mantissa(m, &A, t.s, x, n, J, co, 1)) != 0) {
		spu_sv_free(m, &t);
		return rc;
	}
	spu_ax_cheb_fit(&ch[0], f_p16, -1, 1, 0, 3);
	spu_ax_cheb_fit(&ch[1], f_q16, -1, 1, 0, 3);
	spu_ax_cheb_fit(&ch[2], f_iq16, -1, 1, 0, 3);
	if ((rc = spu_sv_alloc(m, &S, 3 * n)) != 0 ||
	    (rc = spu_ax_cheb1(m, S.s, t.s, n, ch, 3)) != 0)
		goto out;
	{
		struct spu_sv p = spu_sv_view(m, &S, 0, n);
		struct spu_sv q = spu_sv_view(m, &S, n, n);
		struct spu_sv v = spu_sv_view(m, &S, 2 * n, n);
		if ((rc = spu_ax_goldschmidt(m, t.s, q.s, v.s, p.s, n,
		    0)) != 0)
			goto out;
	}
	spu_ax_mulc(m, t.s, t.s, spu_ax_enc(M_LN2, (int)f), n);
	{
		struct spu_sv h = spu_sv_view(m, &A, n, n);
		spu_mpc_add(m, t.s, t.s, h.s, n);
	}
	rc = spu_ax_trunc(m, z, t.s, n, f);
out:
	spu_sv_free(m, &A);
	spu_sv_free(m, &t);
	spu_sv_free(m, &S);
	return rc;
}

/*
 * logistic mm1 = 0.5 + 0.125 x (one truncation by 3 bits; within 0.12
 * of the logistic on [-4, 4] only), seg3 = mm1 clamped to [0, 1]
 * (spu_ax_clamp: within 0.12 everywhere).
 */
int
spu_ax_sigmoid_seg(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, int clamp)
{
	int f = m->fxp, rc;

	if ((rc = spu_ax_trunc(m, z, x, n, 3)) != 0 ||
	    (rc = spu_ax_addc(m, z, z, spu_ax_enc(0.5, f), n)) != 0)
		return rc;
	if (!clamp)
		return 0;
	return spu_ax_clamp(m, z, z, n, 0, spu_ax_enc(1, f));
}

#define TANH_R 4.0

static double
f_tanh(double x)
{
	return tanh(x);
}

/*
 * tanh cheb: clamp to [-4, 4] (1 - tanh 4 = 6.7e-4), then a Chebyshev
 * series to 4e-5 or a quarter of the last bit, whichever is looser
 * (degree 27 at FM64).  Error within 1e-3 relative or 1e-4 absolute.
 */
int
spu_ax_tanh_cheb(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n)
{
	double tol = spu_ax_cheb_tol(m);

	return spu_ax_clamp_cheb(m, z, x, n, TANH_R, f_tanh,
	    tol > 4e-5 ? tol : 4e-5);
}
