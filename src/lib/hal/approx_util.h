/*
 * approx_util.h - building blocks of the fixed-point function library
 * (approx.c, div.c), internal to hal/: share-vector arithmetic with
 * public constants, Chebyshev series on secret values, the leading-one
 * one-hot used for normalization, Goldschmidt iterations, clamping, and
 * the alternative methods selected by struct spu_fxp_config.
 *
 * All work on share arrays of the context's protocol (struct spu_sv from
 * mpc/boolean.h) and return 0 or a negative spu_err recorded in m->diag.
 */
#ifndef SPU_HAL_APPROX_UTIL_H
#define SPU_HAL_APPROX_UTIL_H

#include "../mpc/boolean.h"
#include "../mpc/mpc.h"

#define SPU_AX_MAXDEG 28

/* round(v 2^s) as a ring word. */
spu_u128 spu_ax_enc(double v, int s);

/* z = x + c, z = x c, z += x c for a public constant c. */
int spu_ax_addc(struct spu_mpc *m, void *const z[], void *const x[],
    spu_u128 c, size_t n);
void spu_ax_mulc(struct spu_mpc *m, void *const z[], void *const x[],
    spu_u128 c, size_t n);
int spu_ax_axpy(struct spu_mpc *m, void *const z[], void *const x[],
    spu_u128 c, size_t n);
/* z = x / 2^bits (protocol truncation; a copy for bits = 0). */
int spu_ax_trunc(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, unsigned bits);

/* A Chebyshev series sum_j c[j] T_j(t) for t in [-1, 1]. */
struct spu_cheb {
	int deg;
	double c[SPU_AX_MAXDEG + 1];
};
/* Interpolate fn on [lo, hi], raising the degree until the error on a
 * grid is at most tol (or maxdeg). */
void spu_ax_cheb_fit(struct spu_cheb *ch, double (*fn)(double), double lo,
    double hi, double tol, int maxdeg);
/* A quarter of the last fraction bit. */
double spu_ax_cheb_tol(struct spu_mpc *m);
/* The fraction bits spu_ax_cheb_eval adds to the np series (its *fc). */
int spu_ax_cheb_fc(struct spu_mpc *m, const struct spu_cheb *ch, int np);
/* acc (allocated here, np n words) = series p at t, scale f + *fc, not
 * truncated; ceil(log2 deg) rounds of mul + trunc.  If nfac > 1, the
 * nfac vectors of w words in fac are multiplied together in the same
 * rounds, the product left in the first. */
int spu_ax_cheb_eval(struct spu_mpc *m, struct spu_sv *acc, void *const t[],
    size_t n, const struct spu_cheb *ch, int np, int *fc, struct spu_sv *fac,
    int nfac, size_t w);
/* z (np n words) = the series at t, scale f. */
int spu_ax_cheb1(struct spu_mpc *m, void *const z[], void *const t[],
    size_t n, const struct spu_cheb *ch, int np);

/* Boolean words: y = x ^ (x >>a (k-1)) per share: |x|, or |x| - 1. */
void spu_ax_abs_ones(struct spu_mpc *m, void *const y[], void *const x[],
    size_t n);
/* Linear combinations of the one-hot of the leading one of |x| (of
 * |x| - 1 for x < 0): out (allocated here, L vectors of n words) gets
 * sum_j rows[l (J+2) + j] v_j over v = h_0..h_{J-1} (the one-hot),
 * [|x| >= 2^J], msb(x).  A2B, prefix OR, one b2a_lin of J + 2 bits. */
int spu_ax_onehot_lin(struct spu_mpc *m, struct spu_sv *out,
    void *const x[], size_t n, unsigned J, const spu_u128 *rows,
    unsigned L);
/* J for reciprocal, log, sqrt: min(k - 3, 2f + 8). */
unsigned spu_ax_onehot_width(struct spu_mpc *m);

/* z = num / c (num NULL: 1 / c) from a first guess v of 1 / c, such as
 * v = 2.9142 - 2|c| with the sign of c for |c| in [0.5, 1] (error
 * 0.0858); spu_ax_gs_iters iterations square the error of v each; the
 * last truncation drops `extra` more bits. */
int spu_ax_goldschmidt(struct spu_mpc *m, void *const z[], void *const c[],
    void *const v[], void *const num[], size_t n, unsigned extra);
/* v = 2.9142 (1 - 2 s) - 2 c (s NULL: 0). */
int spu_ax_gs_start(struct spu_mpc *m, void *const v[], void *const c[],
    void *const s[], size_t n);
/* Goldschmidt iterations: m->fxpcfg.recip_iters if set (at most
 * SPU_FXPCFG_RECIP_ITERS_MAX), else 2 for f <= 20 and 3 above. */
int spu_ax_gs_iters(struct spu_mpc *m);

/* The mantissa t = 2 z - 3 in [-1, 1) of x = z 2^(m-f), z in [1, 2),
 * and L rows over the one-hot (spu_ax_onehot_lin, J wide): out gets
 * L + 1 vectors, row l at vector l + 1. */
int spu_ax_mantissa(struct spu_mpc *m, struct spu_sv *out, void *const t[],
    void *const x[], size_t n, unsigned J, const spu_u128 *rows,
    unsigned L);
/* z = min(max(x, lo), hi) for public words lo <= hi (as signed ring
 * values): one batched MSB, one batched bit-times-share product.  z may
 * alias x. */
int spu_ax_clamp(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, spu_u128 lo, spu_u128 hi);
/* fn on [-R, R] as a Chebyshev series fitted to tol, x clamped first
 * (so fn(+-R) beyond). */
int spu_ax_clamp_cheb(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, double R, double (*fn)(double), double tol);

/* ---- alternative methods (approx_alt.c, selected by m->fxpcfg) ---- */
/* exp(x) = (1 + x / 2^n)^(2^n), n = exp_iters. */
int spu_ax_exp_taylor(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n);
/* log x = ln 2 (log2 z' + e) with log2 z' = P(z') / Q(z') on [0.5, 1). */
int spu_ax_log_pade(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n);
/* logistic by segments of |x| and a Chebyshev series on each
 * (approx_pw.c, the default).  Half the rounds of 1 / (1 + exp(-x));
 * the same bytes in aby3 but 1.6 times them in semi2k, where the
 * default therefore takes it only up to this many elements (beyond,
 * on a 10 Gbit/s LAN, the bytes cost more than the rounds save). */
#define SPU_AX_PW_SEMI2K_MAX ((size_t)1 << 14)
int spu_ax_sigmoid_pw(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n);
/* logistic by segments: 0.5 + 0.125 x, clamped to [0, 1] if clamp. */
int spu_ax_sigmoid_seg(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, int clamp);
/* tanh on [-4, 4] by a Chebyshev series, +-tanh(4) beyond. */
int spu_ax_tanh_cheb(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n);

#endif
