/*
 * approx.c - fixed-point exp, expm1, logistic, tanh, log, log1p, sqrt,
 * rsqrt, sin, cos and erf on secret values (public ones are computed in
 * float64); reciprocal and division are in div.c, the building blocks in
 * approx_util.c.  Method, per function:
 *
 *  - range reduction by bit decomposition: A2B of the (scaled) input,
 *    the bits that matter back to arithmetic 0/1 in one B2A, so that the
 *    integer part of t = x log2 e becomes a product of per-bit factors
 *    and x / 2 pi a quarter turn plus a fraction;
 *  - a leading-one one-hot for log and square roots (x = z 2^(m-f), z in
 *    [1, 2)), any function of m being a local linear combination;
 *  - Chebyshev series for the smooth part, to a quarter of the last
 *    fraction bit;
 *  - Goldschmidt for the reciprocals in logistic and tanh, whose
 *    denominators 1 + exp(-|x|) need no normalization.
 *
 * Valid ranges (k ring bits, f fraction bits, J = min(k-3, 2f+8)):
 * exp, logistic, tanh |x| < 2^(k-3-2f) (exp saturates beyond +-2^nb ln 2,
 * nb = 5 for FM64: 22.18); log, sqrt, rsqrt 2^-f <= x < 2^(J-f);
 * sin, cos |x| < 2 pi 2^((k-2-2f)/2) (FM64: 51000).
 *
 * These are the defaults; m->fxpcfg selects the alternatives of
 * approx_alt.c for exp (and expm1), log (and log1p), logistic and tanh.
 * The exp inside logistic and tanh is always the default one.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "approx.h"
#include "approx_util.h"
#include "hal.h"
#include "../fxp.h"
#include "../mem.h"

typedef int (*kernel)(struct spu_mpc *, void *const[], void *const[], size_t);

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

/* A series for fn on [lo, hi] to a quarter of the last fraction bit. */
static void
fit(struct spu_mpc *m, struct spu_cheb *ch, double (*fn)(double), double lo,
    double hi)
{
	spu_ax_cheb_fit(ch, fn, lo, hi, spu_ax_cheb_tol(m), SPU_AX_MAXDEG);
}

/* ---- exp and friends ---- */

/* Exponent bits for exp: 2^(2^nb) times a fraction fits the ring. */
static unsigned
exp_nb(struct spu_mpc *m)
{
	unsigned nb = 1;

	while (nb < 7 && (1u << (nb + 1)) + (unsigned)m->fxp + 2 < m->field)
		nb++;
	return nb;
}

/*
 * t = C x at scale 2^2f, rounded at scale 2^f; A2B; |t| (ones'
 * complement for negatives); saturate |t| >= 2^nb to all ones; one
 * conversion of the f fraction bits, nb integer bits and the sign: A
 * gets nb + 2 vectors of n arithmetic words, the fraction F (scale f),
 * the integer bits I_0..I_(nb-1) and the sign, as 0/1.
 */
static int
exp_bits(struct spu_mpc *m, struct spu_sv *A, void *const x[], size_t n,
    double C, unsigned nb)
{
	unsigned k = m->field, f = (unsigned)m->fxp, w = f + nb;
	unsigned hb = 2 * f + nb, pos[130];
	spu_u128 rows[9 * 130];
	struct spu_sv T, Y, W;
	int rc;

	memset(A, 0, sizeof(*A));
	memset(&Y, 0, sizeof(Y));
	memset(&W, 0, sizeof(W));
	if (hb + 1 >= k)
		return spu_mpc_fail(m, SPU_EUNSUPP,
		    "exp: too many fraction bits for the ring");
	if ((rc = spu_sv_alloc(m, &T, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &Y, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &W, n)) != 0 ||
	    (rc = spu_sv_alloc(m, A, (size_t)(nb + 2) * n)) != 0)
		goto out;
	spu_ax_mulc(m, T.s, x, spu_ax_enc(C, (int)f), n);
	if ((rc = spu_ax_addc(m, T.s, T.s, (spu_u128)1 << (f - 1), n)) != 0 ||
	    (rc = spu_b_a2b(m, T.s, T.s, n)) != 0)
		goto out;
	spu_ax_abs_ones(m, Y.s, T.s, n);
	spu_b_rshift(m, W.s, Y.s, f, n);
	spu_b_and_c(m, W.s, W.s, spu_bool_mask(w), n);
	{
		/* ok = no bit of [hb, k-1) set; W = ok ? W : ones */
		unsigned H = k - 1 - hb;
		spu_b_rshift(m, Y.s, Y.s, hb, n);
		if ((rc = spu_b_xor_c(m, Y.s, Y.s, spu_bool_mask(H), n)) != 0 ||
		    (rc = spu_b_and_fold(m, Y.s, Y.s, n, H)) != 0)
			goto out;
		for (int s = 0; s < m->nshares; s++)
			for (size_t i = 0; i < n; i++)
				spu_bset(k, Y.s[s], i, (spu_u128)0 -
				    (spu_bget(k, Y.s[s], i) & 1));
		spu_b_and_c(m, Y.s, Y.s, spu_bool_mask(w), n);
		if ((rc = spu_b_xor_c(m, W.s, W.s, spu_bool_mask(w), n)) != 0 ||
		    (rc = m->ops->and_b(m, W.s, W.s, Y.s, n, w)) != 0 ||
		    (rc = spu_b_xor_c(m, W.s, W.s, spu_bool_mask(w), n)) != 0)
			goto out;
	}
	spu_b_rshift(m, T.s, T.s, k - 1, n);
	spu_b_lshift(m, T.s, T.s, w, n);
	spu_b_xor(m, W.s, W.s, T.s, n);
	/* A = [F = sum_t<f 2^t W_t, W_f .. W_(f+nb-1), sign]: bits_lin
	 * rows, the fraction's bits never made one by one */
	for (unsigned j = 0; j <= w; j++)
		pos[j] = j;
	memset(rows, 0, sizeof(rows));
	for (unsigned t = 0; t < f; t++)
		rows[t] = (spu_u128)1 << t;
	for (unsigned j = 0; j <= nb; j++)
		rows[(size_t)(1 + j) * (w + 1) + f + j] = 1;
	rc = spu_b_bits_lin(m, A->s, W.s, n, pos, w + 1, rows, nb + 2);
out:
	spu_sv_free(m, &T);
	spu_sv_free(m, &Y);
	spu_sv_free(m, &W);
	if (rc != 0)
		spu_sv_free(m, A);
	return rc;
}

static double
f_exp2(double u)
{
	return exp2(u);
}

static double
f_exp2n(double u)
{
	return exp2(-u);
}

/*
 * 2^t for t = C x: with |t| = I + F (I = sum_j I_j 2^j < 2^nb, F in
 * [0, 1)), 2^|t| = 2^F Q+ and 2^-|t| = 2^-F Q- 2^-(2^nb - 1), where
 * Q+ = prod_j (1 + I_j (2^(2^j) - 1)) and Q- = prod_j (2^(2^j) -
 * I_j (2^(2^j) - 1)) are integers computed in the multiplication rounds
 * of the Chebyshev series for 2^+-F.  neg_only: z = 2^-|t| / 2^extra,
 * else z = s ? 2^-|t| : 2^|t|.  s (if not NULL, n words) gets [t < 0].
 */
static int
exp_core(struct spu_mpc *m, void *const z[], void *const s_out[],
    void *const x[], size_t n, double C, int neg_only, unsigned extra)
{
	unsigned f = (unsigned)m->fxp, nb = exp_nb(m);
	size_t w = neg_only ? n : 2 * n;
	struct spu_sv A, fac, acc, P, F;
	struct spu_cheb ch[2];
	int np = neg_only ? 1 : 2, fc, rc;

	memset(&fac, 0, sizeof(fac));
	memset(&acc, 0, sizeof(acc));
	memset(&P, 0, sizeof(P));
	memset(&F, 0, sizeof(F));
	if ((rc = exp_bits(m, &A, x, n, C, nb)) != 0)
		return rc;
	if ((rc = spu_sv_alloc(m, &F, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &fac, nb * w)) != 0)
		goto out;
	/* F = sum_t 2^t bit_t (A's first row), then t = 2F - 1 */
	spu_mpc_lshift(m, F.s, A.s, 1, n);
	if ((rc = spu_ax_addc(m, F.s, F.s, -((spu_u128)1 << f), n)) != 0)
		goto out;
	for (unsigned j = 0; j < nb; j++) {
		struct spu_sv I = spu_sv_view(m, &A, (1 + j) * n, n);
		spu_u128 big = ((spu_u128)1 << (1u << j)) - 1;
		struct spu_sv qp = spu_sv_view(m, &fac, j * w, n);
		struct spu_sv qn = spu_sv_view(m, &fac, j * w + w - n, n);
		if (!neg_only) {
			spu_ax_mulc(m, qp.s, I.s, big, n);
			if ((rc = spu_ax_addc(m, qp.s, qp.s, 1, n)) != 0)
				goto out;
		}
		spu_ax_mulc(m, qn.s, I.s, -big, n);
		if ((rc = spu_ax_addc(m, qn.s, qn.s, big + 1, n)) != 0)
			goto out;
	}
	if (!neg_only)
		fit(m, &ch[0], f_exp2, 0, 1);
	fit(m, &ch[np - 1], f_exp2n, 0, 1);
	if ((rc = spu_ax_cheb_eval(m, &acc, F.s, n, ch, np, &fc, &fac, (int)nb,
	    w)) != 0 ||
	    (rc = spu_sv_alloc(m, &P, w)) != 0 ||
	    (rc = spu_ax_trunc(m, P.s, acc.s, w, (unsigned)fc)) != 0 ||
	    (rc = m->ops->mul(m, P.s, P.s, fac.s, w)) != 0)
		goto out;
	{
		struct spu_sv rn = spu_sv_view(m, &P, w - n, n);
		struct spu_sv sv = spu_sv_view(m, &A, (1 + nb) * n, n);
		if ((rc = spu_ax_trunc(m, rn.s, rn.s, n,
		    (1u << nb) - 1 + extra)) != 0)
			goto out;
		if (s_out != NULL)
			spu_sv_copy(m, s_out, sv.s, n);
		if (neg_only) {
			spu_sv_copy(m, z, rn.s, n);
		} else {
			/* z = R+ + s (R- - R+) */
			struct spu_sv rp = spu_sv_view(m, &P, 0, n);
			spu_mpc_sub(m, rn.s, rn.s, rp.s, n);
			if ((rc = m->ops->mul(m, rn.s, rn.s, sv.s, n)) != 0)
				goto out;
			spu_mpc_add(m, z, rp.s, rn.s, n);
		}
	}
out:
	spu_sv_free(m, &A);
	spu_sv_free(m, &F);
	spu_sv_free(m, &fac);
	spu_sv_free(m, &acc);
	spu_sv_free(m, &P);
	return rc;
}

static int
k_exp(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	if (m->fxpcfg.exp == SPU_EXP_TAYLOR)
		return spu_ax_exp_taylor(m, z, x, n);
	return exp_core(m, z, NULL, x, n, M_LOG2E, 0, 0);
}

static int
k_expm1(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	int rc = k_exp(m, z, x, n);

	return rc ? rc : spu_ax_addc(m, z, z, -spu_ax_enc(1, m->fxp), n);
}

/* ---- logistic, tanh ---- */

/*
 * Method auto (the default) takes pw, by segments (approx_pw.c), in
 * rings of up to 64 bits (its 4e-5 would waste FM128's precision), in
 * semi2k only up to SPU_AX_PW_SEMI2K_MAX elements.  Otherwise, and as
 * method real:
 * logistic(x) = 1 / (1 + e), e = exp(-|x|), mirrored (1 - that) for
 * x < 0.  c = (1 + e) / 2 in [0.5, 1] needs no normalization.
 */
static int
k_logistic(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	struct spu_sv c, v, s, t;
	int f = m->fxp, rc;

	if (m->fxpcfg.sigmoid == SPU_SIGMOID_PW ||
	    (m->fxpcfg.sigmoid == SPU_SIGMOID_AUTO && m->field <= 64 &&
	    (m->proto != SPU_SEMI2K || n <= SPU_AX_PW_SEMI2K_MAX)))
		return spu_ax_sigmoid_pw(m, z, x, n);
	if (m->fxpcfg.sigmoid == SPU_SIGMOID_MM1 ||
	    m->fxpcfg.sigmoid == SPU_SIGMOID_SEG3)
		return spu_ax_sigmoid_seg(m, z, x, n,
		    m->fxpcfg.sigmoid == SPU_SIGMOID_SEG3);
	memset(&v, 0, sizeof(v));
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	if ((rc = spu_sv_alloc(m, &c, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &v, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &s, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &t, n)) != 0 ||
	    (rc = exp_core(m, c.s, s.s, x, n, M_LOG2E, 1, 1)) != 0 ||
	    (rc = spu_ax_addc(m, c.s, c.s, spu_ax_enc(0.5, f), n)) != 0 ||
	    (rc = spu_ax_gs_start(m, v.s, c.s, NULL, n)) != 0 ||
	    (rc = spu_ax_goldschmidt(m, c.s, c.s, v.s, NULL, n, 1)) != 0)
		goto out;
	/* z = r + s (1 - 2 r) */
	spu_ax_mulc(m, t.s, c.s, -(spu_u128)2, n);
	if ((rc = spu_ax_addc(m, t.s, t.s, spu_ax_enc(1, f), n)) != 0 ||
	    (rc = m->ops->mul(m, t.s, t.s, s.s, n)) != 0)
		goto out;
	spu_mpc_add(m, z, c.s, t.s, n);
out:
	spu_sv_free(m, &c);
	spu_sv_free(m, &v);
	spu_sv_free(m, &s);
	spu_sv_free(m, &t);
	return rc;
}

/* tanh|x| = 2 / (1 + e) - 1 with e = exp(-2|x|); sign by (1 - 2 s). */
static int
k_tanh(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	struct spu_sv c, v, s;
	int f = m->fxp, rc;

	if (m->fxpcfg.tanh == SPU_TANH_CHEB)
		return spu_ax_tanh_cheb(m, z, x, n);
	memset(&v, 0, sizeof(v));
	memset(&s, 0, sizeof(s));
	if ((rc = spu_sv_alloc(m, &c, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &v, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &s, n)) != 0 ||
	    (rc = exp_core(m, c.s, s.s, x, n, 2 * M_LOG2E, 1, 1)) != 0 ||
	    (rc = spu_ax_addc(m, c.s, c.s, spu_ax_enc(0.5, f), n)) != 0 ||
	    (rc = spu_ax_gs_start(m, v.s, c.s, NULL, n)) != 0 ||
	    (rc = spu_ax_goldschmidt(m, c.s, c.s, v.s, NULL, n, 0)) != 0 ||
	    (rc = spu_ax_addc(m, c.s, c.s, -spu_ax_enc(1, f), n)) != 0 ||
	    (rc = m->ops->mul(m, v.s, c.s, s.s, n)) != 0)
		goto out;
	spu_ax_mulc(m, v.s, v.s, 2, n);
	spu_mpc_sub(m, z, c.s, v.s, n);
out:
	spu_sv_free(m, &c);
	spu_sv_free(m, &v);
	spu_sv_free(m, &s);
	return rc;
}

/* ---- log, sqrt, rsqrt: x = z 2^(m-f) with z in [1, 2) ---- */

static double
f_log1p(double u)
{
	return log1p(u);
}

static double
f_sqrt1p(double u)
{
	return sqrt(1 + u);
}

static double
f_rsqrt1p(double u)
{
	return 1 / sqrt(1 + u);
}

/* log x = log(z) + (m - f) ln 2, the second term added before the
 * series' final truncation. */
static int
k_log(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	unsigned f = (unsigned)m->fxp, J = spu_ax_onehot_width(m);
	struct spu_sv A, t, acc;
	struct spu_cheb ch;
	spu_u128 co[130];
	int fc, rc;

	if (m->fxpcfg.log == SPU_LOG_PADE)
		return spu_ax_log_pade(m, z, x, n);
	memset(&acc, 0, sizeof(acc));
	memset(co, 0, sizeof(co));
	spu_ax_cheb_fit(&ch, f_log1p, 0, 1, spu_ax_cheb_tol(m), SPU_AX_MAXDEG);
	fc = spu_ax_cheb_fc(m, &ch, 1);
	for (unsigned j = 0; j < J; j++)
		co[j] = spu_ax_enc(((double)j - f) * M_LN2, (int)f + fc);
	if ((rc = spu_sv_alloc(m, &t, n)) != 0)
		return rc;
	if ((rc = spu_ax_mantissa(m, &A, t.s, x, n, J, co, 1)) != 0) {
		spu_sv_free(m, &t);
		return rc;
	}
	if ((rc = spu_ax_cheb_eval(m, &acc, t.s, n, &ch, 1, &fc, NULL, 0,
	    0)) != 0)
		goto out;
	{
		struct spu_sv h = spu_sv_view(m, &A, n, n);
		spu_mpc_add(m, acc.s, acc.s, h.s, n);
	}
	rc = spu_ax_trunc(m, z, acc.s, n, (unsigned)fc);
out:
	spu_sv_free(m, &A);
	spu_sv_free(m, &t);
	spu_sv_free(m, &acc);
	return rc;
}

static int
k_log1p(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	struct spu_sv y;
	int rc;

	if ((rc = spu_sv_alloc(m, &y, n)) != 0)
		return rc;
	if ((rc = spu_ax_addc(m, y.s, x, spu_ax_enc(1, m->fxp), n)) == 0)
		rc = k_log(m, z, y.s, n);
	spu_sv_free(m, &y);
	return rc;
}

/* sqrt (dir 1) or rsqrt (dir -1): P(z) times 2^(dir (m - f) / 2) taken
 * from the one-hot at scale f + Kg, one product and one truncation. */
static int
sqrt_core(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    int dir)
{
	int f = m->fxp, k = (int)m->field, Kg;
	unsigned J = spu_ax_onehot_width(m);
	struct spu_sv A, t;
	struct spu_cheb ch;
	spu_u128 co[130];
	double gmax = dir > 0 ? (J - 1.0 - f) / 2 : f / 2.0;
	int rc;

	Kg = k - 4 - 2 * f - (int)ceil(gmax);
	if (Kg > 2 * f)
		Kg = 2 * f;
	if (Kg < 0)
		Kg = 0;
	memset(co, 0, sizeof(co));
	for (unsigned j = 0; j < J; j++)
		co[j] = spu_ax_enc(exp2(dir * ((double)j - f) / 2), f + Kg);
	if ((rc = spu_sv_alloc(m, &t, n)) != 0)
		return rc;
	if ((rc = spu_ax_mantissa(m, &A, t.s, x, n, J, co, 1)) != 0) {
		spu_sv_free(m, &t);
		return rc;
	}
	fit(m, &ch, dir > 0 ? f_sqrt1p : f_rsqrt1p, 0, 1);
	{
		struct spu_sv G = spu_sv_view(m, &A, n, n);
		if ((rc = spu_ax_cheb1(m, t.s, t.s, n, &ch, 1)) != 0 ||
		    (rc = m->ops->mul(m, t.s, t.s, G.s, n)) != 0)
			goto out;
	}
	rc = spu_ax_trunc(m, z, t.s, n, (unsigned)(f + Kg));
out:
	spu_sv_free(m, &A);
	spu_sv_free(m, &t);
	return rc;
}

static int
k_sqrt(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	return sqrt_core(m, z, x, n, 1);
}

static int
k_rsqrt(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	return sqrt_core(m, z, x, n, -1);
}

/* ---- sin, cos ---- */

static double
f_sinq(double u)
{
	return sin(M_PI_2 * u);
}

static double
f_cosq(double u)
{
	return cos(M_PI_2 * u);
}

/*
 * x / 2pi at scale 2^(2f+g), A2B; the top f fraction bits give the quarter
 * turn q (2 bits) and w in [0, 1) within it; S = sin(w pi/2),
 * C = cos(w pi/2) as two series on shared T_j; then by quadrant
 * sin = +-(q0 ? C : S), cos = +-(q0 ? S : C), the sign being q1 (sin)
 * or q1 ^ q0 (cos), computed in boolean before the B2A.
 */
static int
trig(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    int is_cos)
{
	unsigned k = m->field, f = (unsigned)m->fxp, g, pos[130];
	struct spu_sv B, W, A, t, SC, U;
	struct spu_cheb ch[2];
	spu_u128 co[3 * 130];
	int rc;

	memset(&W, 0, sizeof(W));
	memset(&A, 0, sizeof(A));
	memset(&t, 0, sizeof(t));
	memset(&SC, 0, sizeof(SC));
	memset(&U, 0, sizeof(U));
	if (2 * f + 2 >= k || f < 3)
		return spu_mpc_fail(m, SPU_EUNSUPP,
		    "sin/cos: bad fraction bits");
	/* g extra bits of 1/2pi: turns exact to 2^-(f+g) relative */
	g = (k - 2 - 2 * f) / 2;
	if (g > f)
		g = f;
	if ((rc = spu_sv_alloc(m, &B, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &W, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &A, 3 * (size_t)n)) != 0 ||
	    (rc = spu_sv_alloc(m, &t, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &U, n)) != 0)
		goto out;
	spu_ax_mulc(m, B.s, x, spu_ax_enc(1 / (2 * M_PI), (int)(f + g)), n);
	if ((rc = spu_ax_addc(m, B.s, B.s, (spu_u128)1 << (f + g - 1),
	    n)) != 0 ||
	    (rc = spu_b_a2b(m, B.s, B.s, n)) != 0)
		goto out;
	/* W = [w bits (f-2) | q0 | sign] */
	spu_b_rshift(m, W.s, B.s, f + g, n);
	spu_b_and_c(m, W.s, W.s, spu_bool_mask(f), n);
	spu_b_rshift(m, t.s, B.s, 2 * f + g - 2, n);
	spu_b_and_c(m, t.s, t.s, 1, n);
	if (is_cos) {
		spu_b_lshift(m, t.s, t.s, f - 1, n);
		spu_b_xor(m, W.s, W.s, t.s, n);
	}
	/* A = [2 w (the f - 2 bits' sum), q0, sign]: three sums of the
	 * bits, not the bits */
	for (unsigned j = 0; j < f; j++)
		pos[j] = j;
	memset(co, 0, sizeof(co));
	for (unsigned j = 0; j < f - 2; j++)
		co[j] = (spu_u128)1 << (j + 3);
	co[f + f - 2] = 1;
	co[2 * f + f - 1] = 1;
	if ((rc = spu_b_bits_lin(m, A.s, W.s, n, pos, f, co, 3)) != 0 ||
	    (rc = spu_ax_addc(m, t.s, A.s, -spu_ax_enc(1, (int)f), n)) != 0)
		goto out;
	fit(m, &ch[0], f_sinq, 0, 1);
	fit(m, &ch[1], f_cosq, 0, 1);
	if ((rc = spu_sv_alloc(m, &SC, 2 * n)) != 0 ||
	    (rc = spu_ax_cheb1(m, SC.s, t.s, n, ch, 2)) != 0)
		goto out;
	{
		struct spu_sv S = spu_sv_view(m, &SC, 0, n);
		struct spu_sv C = spu_sv_view(m, &SC, n, n);
		struct spu_sv q0 = spu_sv_view(m, &A, n, n);
		struct spu_sv sg = spu_sv_view(m, &A, 2 * n, n);
		struct spu_sv *base = is_cos ? &C : &S;
		struct spu_sv *other = is_cos ? &S : &C;
		/* U = base + q0 (other - base); z = U - 2 sg U */
		spu_mpc_sub(m, t.s, other->s, base->s, n);
		if ((rc = m->ops->mul(m, t.s, t.s, q0.s, n)) != 0)
			goto out;
		spu_mpc_add(m, U.s, base->s, t.s, n);
		if ((rc = m->ops->mul(m, t.s, U.s, sg.s, n)) != 0)
			goto out;
		spu_ax_mulc(m, t.s, t.s, 2, n);
		spu_mpc_sub(m, z, U.s, t.s, n);
	}
out:
	spu_sv_free(m, &B);
	spu_sv_free(m, &W);
	spu_sv_free(m, &A);
	spu_sv_free(m, &t);
	spu_sv_free(m, &SC);
	spu_sv_free(m, &U);
	return rc;
}

static int
k_sin(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	return trig(m, z, x, n, 0);
}

static int
k_cos(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	return trig(m, z, x, n, 1);
}

/* ---- erf ---- */

#define ERF_R 3.2

static double
f_erf(double x)
{
	return erf(x);
}

/* erf on [-R, R], +-erf(R) beyond (1 - erf(3.2) = 6e-6). */
static int
k_erf(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	return spu_ax_clamp_cheb(m, z, x, n, ERF_R, f_erf,
	    spu_ax_cheb_tol(m));
}

/* ---- value level ---- */

static double p_logistic(double x) { return 1 / (1 + exp(-x)); }
static double p_rsqrt(double x) { return 1 / sqrt(x); }

static int
unary(struct spu_mpc *m, const struct spu_value *x, struct spu_value **out,
    kernel kf, double (*pf)(double), const char *name)
{
	struct spu_value *z;
	int rc = 0;

	if (!spu_dtype_is_float(x->dtype))
		return spu_fail(m->diag, SPU_EINVAL,
		    "party %d: %s of a non-float value", m->party, name);
	if (x->vis == SPU_SECRET && m->fxp < 4)
		return spu_fail(m->diag, SPU_EUNSUPP, "party %d: %s needs at "
		    "least 4 fraction bits", m->party, name);
	if ((z = spu_hal_alloc(m, x->dtype, &x->shape, x->vis)) == NULL)
		return nomem(m);
	if (x->vis == SPU_PUBLIC) {
		for (size_t i = 0; i < x->n; i++) {
			double v = spu_fxp_decode_f64(m->field, m->fxp,
			    spu_bget(m->field, x->share[0], i));
			spu_bset(m->field, z->share[0], i,
			    spu_fxp_encode_f64(m->field, m->fxp, pf(v)));
		}
	} else if (x->n > 0) {
		rc = kf(m, z->share, x->share, x->n);
	}
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

int
spu_hal_exp(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	return unary(m, x, out, k_exp, exp, "exp");
}

int
spu_hal_expm1(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	return unary(m, x, out, k_expm1, expm1, "expm1");
}

int
spu_hal_log(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	return unary(m, x, out, k_log, log, "log");
}

int
spu_hal_log1p(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	return unary(m, x, out, k_log1p, log1p, "log1p");
}

int
spu_hal_sqrt(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	return unary(m, x, out, k_sqrt, sqrt, "sqrt");
}

int
spu_hal_rsqrt(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	return unary(m, x, out, k_rsqrt, p_rsqrt, "rsqrt");
}

int
spu_hal_logistic(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	return unary(m, x, out, k_logistic, p_logistic, "logistic");
}

int
spu_hal_tanh(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	return unary(m, x, out, k_tanh, tanh, "tanh");
}

int
spu_hal_erf(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	return unary(m, x, out, k_erf, f_erf, "erf");
}

int
spu_hal_sin(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	return unary(m, x, out, k_sin, sin, "sin");
}

int
spu_hal_cos(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	return unary(m, x, out, k_cos, cos, "cos");
}
