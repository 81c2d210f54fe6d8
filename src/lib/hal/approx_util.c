/*
 * approx_util.c - building blocks of the fixed-point function library:
 * constant arithmetic on share vectors, Chebyshev series (T_1..T_d by
 * T_{a+b} = 2 T_a T_b - T_{a-b}, values bounded by 1, coefficients fitted
 * at run time to the fraction bits), the leading-one one-hot that turns
 * any function of a value's exponent into a local linear combination,
 * Goldschmidt iterations and clamping.  See approx_util.h.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "approx_util.h"
#include "cmp.h"
#include "../mem.h"

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

/* round(v 2^s) as a ring word */
spu_u128
spu_ax_enc(double v, int s)
{
	return (spu_u128)(spu_i128)roundl(ldexpl((long double)v, s));
}

int
spu_ax_addc(struct spu_mpc *m, void *const z[], void *const x[], spu_u128 c,
    size_t n)
{
	void *p = spu_ring_alloc(m->field, n);

	if (p == NULL)
		return nomem(m);
	for (size_t i = 0; i < n; i++)
		spu_bset(m->field, p, i, c);
	m->ops->add_p(m, z, x, p, n);
	free(p);
	return 0;
}

void
spu_ax_mulc(struct spu_mpc *m, void *const z[], void *const x[], spu_u128 c,
    size_t n)
{
	for (int s = 0; s < m->nshares; s++)
		spu_ring_mul_scalar(m->field, z[s], x[s], c, n);
}

/* z += x * c */
int
spu_ax_axpy(struct spu_mpc *m, void *const z[], void *const x[], spu_u128 c,
    size_t n)
{
	struct spu_sv t;
	int rc;

	if ((rc = spu_sv_alloc(m, &t, n)) != 0)
		return rc;
	spu_ax_mulc(m, t.s, x, c, n);
	spu_mpc_add(m, z, z, t.s, n);
	spu_sv_free(m, &t);
	return 0;
}

int
spu_ax_trunc(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    unsigned bits)
{
	if (bits == 0) {
		spu_sv_copy(m, z, x, n);
		return 0;
	}
	return m->ops->trunc(m, z, x, n, bits);
}

static double
cheb_val(const struct spu_cheb *ch, double t)
{
	double b1 = 0, b2 = 0;

	for (int j = ch->deg; j >= 1; j--) {
		double b0 = 2 * t * b1 - b2 + ch->c[j];
		b2 = b1;
		b1 = b0;
	}
	return t * b1 - b2 + ch->c[0];
}

int
spu_ax_cheb_fc(struct spu_mpc *m, const struct spu_cheb *ch, int np)
{
	int f = m->fxp, k = (int)m->field, fc;
	double cs = 0;

	for (int p = 0; p < np; p++) {
		double s = 0;
		for (int j = 0; j <= ch[p].deg; j++)
			s += fabs(ch[p].c[j]);
		if (s > cs)
			cs = s;
	}
	fc = k - 4 - f - (int)ceil(log2(cs + 1));
	return fc > f + 8 ? f + 8 : fc < 0 ? 0 : fc;
}

/* Interpolate fn on [lo, hi] at Chebyshev nodes, raising the degree
 * until the error on a grid is below tol (or maxdeg). */
void
spu_ax_cheb_fit(struct spu_cheb *ch, double (*fn)(double), double lo, double hi,
    double tol, int maxdeg)
{
	/* the same fits come back with every call of a function (the
	 * logistic's six segments per step): remembered, per thread */
	enum { NFITS = 32 };
	static _Thread_local struct {
		double (*fn)(double);
		double lo, hi, tol;
		int maxdeg;
		struct spu_cheb ch;
	} fits[NFITS];
	static _Thread_local unsigned nfits;
	double mid = (lo + hi) / 2, half = (hi - lo) / 2;

	for (unsigned i = 0; i < NFITS && i < nfits; i++)
		if (fits[i].fn == fn && fits[i].lo == lo && fits[i].hi == hi &&
		    fits[i].tol == tol && fits[i].maxdeg == maxdeg) {
			*ch = fits[i].ch;
			return;
		}
	for (int d = 1; d <= maxdeg; d++) {
		int nn = d + 1;
		double err = 0;
		ch->deg = d;
		for (int j = 0; j <= d; j++) {
			double s = 0;
			for (int i = 0; i < nn; i++) {
				double th = M_PI * (i + 0.5) / nn;
				s += fn(mid + half * cos(th)) * cos(j * th);
			}
			ch->c[j] = 2 * s / nn;
		}
		ch->c[0] /= 2;
		for (int i = 0; i <= 400; i++) {
			double t = -1 + i / 200.0;
			double e = fabs(cheb_val(ch, t) - fn(mid + half * t));
			if (e > err)
				err = e;
		}
		if (err <= tol)
			break;
	}
	fits[nfits % NFITS].fn = fn;
	fits[nfits % NFITS].lo = lo;
	fits[nfits % NFITS].hi = hi;
	fits[nfits % NFITS].tol = tol;
	fits[nfits % NFITS].maxdeg = maxdeg;
	fits[nfits % NFITS].ch = *ch;
	nfits++;
}

/* Chebyshev tolerance for f fraction bits: a quarter of the last bit. */
double
spu_ax_cheb_tol(struct spu_mpc *m)
{
	return ldexp(1, -m->fxp - 2);
}

/*
 * acc (np n words, allocated here) = sum_j ch[p].c[j] T_j(t) at scale
 * f + *fc, not yet truncated, for t (scale f) in [-1, 1].  Rounds:
 * ceil(log2 deg) times (mul + trunc).  If nfac > 1, fac holds nfac
 * vectors of w words whose product is left in the first one, computed
 * in the same multiplication rounds (no truncation).
 */
int
spu_ax_cheb_eval(struct spu_mpc *m, struct spu_sv *acc, void *const t[],
    size_t n, const struct spu_cheb *ch, int np, int *fc, struct spu_sv *fac,
    int nfac, size_t w)
{
	int f = m->fxp, d = 0, h = 1, nf = nfac, rc;
	struct spu_sv T, L, R;

	memset(&T, 0, sizeof(T));
	memset(acc, 0, sizeof(*acc));
	for (int p = 0; p < np; p++)
		if (ch[p].deg > d)
			d = ch[p].deg;
	*fc = spu_ax_cheb_fc(m, ch, np);
	if ((rc = spu_sv_alloc(m, &T, (size_t)d * n)) != 0)
		return rc;
	spu_sv_copy(m, T.s, t, n);
	while (h < d || nf > 1) {
		int cnt = h < d ? (h < d - h ? h : d - h) : 0, pairs = nf / 2;
		size_t tot = (size_t)cnt * n + (size_t)pairs * w;
		memset(&R, 0, sizeof(R));
		if ((rc = spu_sv_alloc(m, &L, tot)) != 0 ||
		    (rc = spu_sv_alloc(m, &R, tot)) != 0)
			goto fail;
		for (int i = 1; i <= cnt; i++) {
			struct spu_sv l = spu_sv_view(m, &L, (i - 1) * n, n);
			struct spu_sv r = spu_sv_view(m, &R, (i - 1) * n, n);
			struct spu_sv th = spu_sv_view(m, &T, (h - 1) * n, n);
			struct spu_sv ti = spu_sv_view(m, &T, (i - 1) * n, n);
			spu_sv_copy(m, l.s, th.s, n);
			spu_sv_copy(m, r.s, ti.s, n);
		}
		for (int q = 0; q < pairs; q++) {
			size_t o = (size_t)cnt * n + q * w;
			struct spu_sv l = spu_sv_view(m, &L, o, w);
			struct spu_sv r = spu_sv_view(m, &R, o, w);
			struct spu_sv a = spu_sv_view(m, fac, 2 * q * w, w);
			struct spu_sv b = spu_sv_view(m, fac, (2 * q + 1) * w,
			    w);
			spu_sv_copy(m, l.s, a.s, w);
			spu_sv_copy(m, r.s, b.s, w);
		}
		if ((rc = m->ops->mul(m, L.s, L.s, R.s, tot)) != 0 ||
		    (cnt > 0 && (rc = spu_ax_trunc(m, L.s, L.s, (size_t)cnt * n,
		    (unsigned)f - 1)) != 0))
			goto fail;
		/* T_{h+i} = 2 T_h T_i - T_{h-i}, T_0 = 1 */
		for (int i = 1; i <= cnt; i++) {
			struct spu_sv l = spu_sv_view(m, &L, (i - 1) * n, n);
			struct spu_sv z = spu_sv_view(m, &T, (h + i - 1) * n,
			    n);
			if (i == h) {
				if ((rc = spu_ax_addc(m, z.s, l.s,
				    -spu_ax_enc(1, f), n)) != 0)
					goto fail;
			} else {
				struct spu_sv o = spu_sv_view(m, &T,
				    (h - i - 1) * n, n);
				spu_mpc_sub(m, z.s, l.s, o.s, n);
			}
		}
		for (int q = 0; q < pairs; q++) {
			struct spu_sv l = spu_sv_view(m, &L,
			    (size_t)cnt * n + q * w, w);
			struct spu_sv a = spu_sv_view(m, fac, q * w, w);
			spu_sv_copy(m, a.s, l.s, w);
		}
		if (nf & 1) {
			struct spu_sv a = spu_sv_view(m, fac, pairs * w, w);
			struct spu_sv b = spu_sv_view(m, fac, (nf - 1) * w, w);
			spu_sv_copy(m, a.s, b.s, w);
		}
		nf = pairs + (nf & 1);
		h += cnt;
		spu_sv_free(m, &L);
		spu_sv_free(m, &R);
	}
	if ((rc = spu_sv_alloc(m, acc, (size_t)np * n)) != 0)
		goto out;
	for (int p = 0; p < np && rc == 0; p++) {
		struct spu_sv a = spu_sv_view(m, acc, p * n, n);
		for (int j = 1; j <= ch[p].deg && rc == 0; j++) {
			struct spu_sv tj = spu_sv_view(m, &T, (j - 1) * n, n);
			rc = spu_ax_axpy(m, a.s, tj.s,
			    spu_ax_enc(ch[p].c[j], *fc), n);
		}
		if (rc == 0)
			rc = spu_ax_addc(m, a.s, a.s,
			    spu_ax_enc(ch[p].c[0], f + *fc), n);
	}
	goto out;
fail:
	spu_sv_free(m, &L);
	spu_sv_free(m, &R);
out:
	spu_sv_free(m, &T);
	if (rc != 0)
		spu_sv_free(m, acc);
	return rc;
}

/* One series, truncated: z = sum_j c_j T_j(t) at scale f. */
int
spu_ax_cheb1(struct spu_mpc *m, void *const z[], void *const t[], size_t n,
    const struct spu_cheb *ch, int np)
{
	struct spu_sv acc;
	int fc, rc;

	if ((rc = spu_ax_cheb_eval(m, &acc, t, n, ch, np, &fc, NULL, 0,
	    0)) != 0)
		return rc;
	rc = spu_ax_trunc(m, z, acc.s, (size_t)np * n, (unsigned)fc);
	spu_sv_free(m, &acc);
	return rc;
}

/* Boolean words: y = x ^ (x >>a (k-1)) per share (|x|, or |x| - 1). */
void
spu_ax_abs_ones(struct spu_mpc *m, void *const y[], void *const x[], size_t n)
{
	for (int s = 0; s < m->nshares; s++)
		for (size_t i = 0; i < n; i++) {
			spu_i128 v = spu_ring_get_signed(m->field, x[s], i);
			spu_bset(m->field, y[s], i,
			    (spu_u128)(v ^ (v >> (m->field - 1))));
		}
}

/*
 * Linear combinations of the leading-one one-hot of |x| (|x| - 1 for
 * x < 0, the same position except at powers of two, where c below
 * becomes exactly 1): with h_0..h_{J-1} the one-hot, ov = [|x| >= 2^J]
 * and s = msb(x), out (L vectors of n words, allocated here) gets
 * sum_j rows[l (J+2) + j] (h_0..h_{J-1}, ov, s)_j.  A2B, prefix OR over
 * k - 1 bits; h_j = p_j - p_{j+1} for the prefix-OR bits p, so the rows
 * are weights on p_0..p_J and s, converted by one spu_b_bits_lin: the
 * one-hot itself is never made.
 */
int
spu_ax_onehot_lin(struct spu_mpc *m, struct spu_sv *out, void *const x[],
    size_t n, unsigned J, const spu_u128 *rows, unsigned L)
{
	unsigned k = m->field, pos[130], W = J + 2;
	struct spu_sv B, Y;
	spu_u128 *w = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&Y, 0, sizeof(Y));
	if (J + 2 > 130 || J == 0)
		return spu_mpc_fail(m, SPU_EINVAL, "one-hot too wide");
	if ((w = calloc((size_t)L * W, sizeof(*w))) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	if ((rc = spu_sv_alloc(m, &B, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &Y, n)) != 0 ||
	    (rc = spu_sv_alloc(m, out, (size_t)L * n)) != 0 ||
	    (rc = spu_b_a2b(m, B.s, x, n)) != 0)
		goto out;
	spu_ax_abs_ones(m, Y.s, B.s, n);
	if ((rc = spu_b_prefix_or(m, Y.s, Y.s, n, k - 1)) != 0)
		goto out;
	spu_b_rshift(m, B.s, B.s, k - 1, n);
	spu_b_lshift(m, B.s, B.s, k - 1, n);
	spu_b_xor(m, Y.s, Y.s, B.s, n);
	for (unsigned j = 0; j <= J; j++)
		pos[j] = j;
	pos[J + 1] = k - 1;
	for (unsigned l = 0; l < L; l++) {
		const spu_u128 *c = rows + (size_t)l * W;
		spu_u128 *wl = w + (size_t)l * W;
		wl[0] = c[0];
		for (unsigned j = 1; j < J; j++)
			wl[j] = c[j] - c[j - 1];
		wl[J] = c[J] - c[J - 1];
		wl[J + 1] = c[J + 1];
	}
	rc = spu_b_bits_lin(m, out->s, Y.s, n, pos, W, w, L);
out:
	free(w);
	spu_sv_free(m, &B);
	spu_sv_free(m, &Y);
	if (rc != 0)
		spu_sv_free(m, out);
	return rc;
}

/* One-hot width for reciprocal, log and square roots. */
unsigned
spu_ax_onehot_width(struct spu_mpc *m)
{
	unsigned a = m->field - 3, b = 2 * (unsigned)m->fxp + 8;

	return a < b ? a : b;
}

/*
 * g = num / c (num NULL: 1 / c) for |c| in [0.5, 1] and v = 2.9142 -
 * 2|c| carrying the sign of c (|1 - c v| <= 0.0858): e = 1 - c v,
 * g = num v, then g *= 1 + e, e = e^2, spu_ax_gs_iters times (error
 * e^(2^t)).
 * The last truncation drops `extra` more bits.
 */
int
spu_ax_goldschmidt(struct spu_mpc *m, void *const z[], void *const c[],
    void *const v[], void *const num[], size_t n, unsigned extra)
{
	unsigned f = (unsigned)m->fxp;
	int iters = spu_ax_gs_iters(m), rc;
	size_t w = num ? 2 * n : n;
	struct spu_sv L, R, g, e;

	memset(&R, 0, sizeof(R));
	if ((rc = spu_sv_alloc(m, &L, 2 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &R, 2 * n)) != 0)
		goto out;
	g = spu_sv_view(m, &L, 0, n);
	e = spu_sv_view(m, &L, n, n);
	/* L = [e, g] = [c, num] * [v, v] */
	spu_sv_copy(m, e.s, c, n);
	spu_sv_copy(m, R.s, v, n);
	if (num != NULL) {
		struct spu_sv r1 = spu_sv_view(m, &R, n, n);
		spu_sv_copy(m, g.s, num, n);
		spu_sv_copy(m, r1.s, v, n);
		/* order [num, c] x [v, v] */
		if ((rc = m->ops->mul(m, L.s, L.s, R.s, w)) != 0 ||
		    (rc = spu_ax_trunc(m, L.s, L.s, w, f)) != 0)
			goto out;
	} else {
		if ((rc = m->ops->mul(m, e.s, e.s, R.s, n)) != 0 ||
		    (rc = spu_ax_trunc(m, e.s, e.s, n, f)) != 0)
			goto out;
		spu_sv_copy(m, g.s, v, n);
	}
	spu_mpc_neg(m, e.s, e.s, n);
	if ((rc = spu_ax_addc(m, e.s, e.s, spu_ax_enc(1, (int)f), n)) != 0)
		goto out;
	for (int it = 0; it < iters; it++) {
		int last = it == iters - 1;
		struct spu_sv r0 = spu_sv_view(m, &R, 0, n);
		struct spu_sv r1 = spu_sv_view(m, &R, n, n);
		if ((rc = spu_ax_addc(m, r0.s, e.s, spu_ax_enc(1, (int)f),
		    n)) != 0)
			goto out;
		spu_sv_copy(m, r1.s, e.s, n);
		if ((rc = m->ops->mul(m, L.s, L.s, R.s,
		    last ? n : 2 * n)) != 0 ||
		    (rc = spu_ax_trunc(m, L.s, L.s, last ? n : 2 * n,
		    f + (last ? extra : 0))) != 0)
			goto out;
	}
	spu_sv_copy(m, z, g.s, n);
out:
	spu_sv_free(m, &L);
	spu_sv_free(m, &R);
	return rc;
}

/* Goldschmidt iterations: m->fxpcfg.recip_iters, else 2 or 3 by f. */
int
spu_ax_gs_iters(struct spu_mpc *m)
{
	int it = m->fxpcfg.recip_iters;

	if (it > 0)
		return it < SPU_FXPCFG_RECIP_ITERS_MAX ? it :
		    SPU_FXPCFG_RECIP_ITERS_MAX;
	return m->fxp <= 20 ? 2 : 3;
}

/* v = 2.9142 (1 - 2 s) - 2 c */
int
spu_ax_gs_start(struct spu_mpc *m, void *const v[], void *const c[],
    void *const s[], size_t n)
{
	int f = m->fxp;

	if (s != NULL)
		spu_ax_mulc(m, v, s, -spu_ax_enc(2 * 2.9142, f), n);
	else
		for (int i = 0; i < m->nshares; i++)
			spu_ring_zero(m->field, v[i], n);
	spu_mpc_sub(m, v, v, c, n);
	spu_mpc_sub(m, v, v, c, n);
	return spu_ax_addc(m, v, v, spu_ax_enc(2.9142, f), n);
}

/*
 * The mantissa t = 2 z - 3 in [-1, 1) of x = z 2^(m-f), z in [1, 2)
 * (one product, one truncation), and the caller's L rows over the
 * one-hot (spu_ax_onehot_lin): out gets L + 1 vectors, row l at vector
 * l + 1 (vector 0 is the mantissa's own).
 */
int
spu_ax_mantissa(struct spu_mpc *m, struct spu_sv *out, void *const t[],
    void *const x[], size_t n, unsigned J, const spu_u128 *rows, unsigned L)
{
	unsigned f = (unsigned)m->fxp, K = J > f + 1 ? J - 1 - f : 0;
	size_t W = (size_t)J + 2;
	spu_u128 *all;
	int rc;

	if (J + 2 > 130)
		return spu_mpc_fail(m, SPU_EINVAL, "one-hot too wide");
	if ((all = calloc((size_t)(L + 1) * W, sizeof(*all))) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	for (unsigned j = 0; j < J; j++)
		all[j] = (spu_u128)1 << (K + f - j);
	if (L > 0)
		memcpy(all + W, rows, (size_t)L * W * sizeof(*all));
	rc = spu_ax_onehot_lin(m, out, x, n, J, all, L + 1);
	free(all);
	if (rc != 0)
		return rc;
	if ((rc = m->ops->mul(m, t, out->s, x, n)) != 0 ||
	    (rc = spu_ax_trunc(m, t, t, n, K)) != 0)
		goto fail;
	spu_mpc_lshift(m, t, t, 1, n);
	if ((rc = spu_ax_addc(m, t, t, -spu_ax_enc(3, (int)f), n)) != 0)
		goto fail;
	return 0;
fail:
	spu_sv_free(m, out);
	return rc;
}

/*
 * z = min(max(x, lo), hi) for public ring words lo <= hi: with
 * d1 = x - lo and d2 = hi - x, z = x - [d1 < 0] d1 + [d2 < 0] d2, one
 * batched MSB and one batched product of the sign bits with d
 * (spu_b_mul_a).  z may alias x.
 */
int
spu_ax_clamp(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    spu_u128 lo, spu_u128 hi)
{
	struct spu_sv D, S;
	int rc;

	memset(&S, 0, sizeof(S));
	if ((rc = spu_sv_alloc(m, &D, 2 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &S, 2 * n)) != 0)
		goto out;
	{
		struct spu_sv d1 = spu_sv_view(m, &D, 0, n);
		struct spu_sv d2 = spu_sv_view(m, &D, n, n);
		struct spu_sv p1 = spu_sv_view(m, &S, 0, n);
		struct spu_sv p2 = spu_sv_view(m, &S, n, n);
		spu_mpc_neg(m, d2.s, x, n);
		if ((rc = spu_ax_addc(m, d1.s, x, -lo, n)) != 0 ||
		    (rc = spu_ax_addc(m, d2.s, d2.s, hi, n)) != 0 ||
		    (rc = spu_b_msb(m, S.s, D.s, 2 * n,
		    spu_hal_cmp_bits(m, SPU_F32))) != 0 ||
		    (rc = spu_b_mul_a(m, S.s, D.s, S.s, 2 * n)) != 0)
			goto out;
		spu_mpc_sub(m, z, x, p1.s, n);
		spu_mpc_add(m, z, z, p2.s, n);
	}
out:
	spu_sv_free(m, &D);
	spu_sv_free(m, &S);
	return rc;
}

/*
 * fn on [-R, R], fn(+-R) beyond: clamp (spu_ax_clamp), t = x / R (one
 * truncation), a Chebyshev series fitted to tol (degree at most
 * SPU_AX_MAXDEG).
 */
int
spu_ax_clamp_cheb(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, double R, double (*fn)(double), double tol)
{
	int f = m->fxp, rc;
	struct spu_sv t;
	struct spu_cheb ch;
	spu_u128 r = spu_ax_enc(R, f);

	if ((rc = spu_sv_alloc(m, &t, n)) != 0)
		return rc;
	if ((rc = spu_ax_clamp(m, t.s, x, n, -r, r)) != 0)
		goto out;
	spu_ax_mulc(m, t.s, t.s, spu_ax_enc(1 / R, f), n);
	if ((rc = spu_ax_trunc(m, t.s, t.s, n, (unsigned)f)) != 0)
		goto out;
	spu_ax_cheb_fit(&ch, fn, -R, R, tol, SPU_AX_MAXDEG);
	rc = spu_ax_cheb1(m, z, t.s, n, &ch, 1);
out:
	spu_sv_free(m, &t);
	return rc;
}
