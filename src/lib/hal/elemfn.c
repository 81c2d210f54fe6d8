/*
 * elemfn.c - pow, atan2 and the float remainder on secret operands,
 * composed from value-level HAL operations (methods and accuracy in
 * elemfn.h).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "approx.h"
#include "approx_util.h"
#include "cmp.h"
#include "elemfn.h"
#include "hal.h"
#include "round.h"
#include "shape.h"
#include "../fxp.h"

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

/* A public value of dtype t and shape s, every element v (encoded). */
static struct spu_value *
constant(struct spu_mpc *m, enum spu_dtype t, const struct spu_shape *s,
    double v)
{
	struct spu_value *z = spu_hal_alloc(m, t, s, SPU_PUBLIC);
	spu_u128 w = spu_dtype_is_float(t) ?
	    spu_fxp_encode_f64(m->field, m->fxp, v) : (spu_u128)(spu_i128)v;

	if (z != NULL)
		for (size_t i = 0; i < z->n; i++)
			spu_ring_set(m->field, z->share[0], i, w);
	return z;
}

/* Replace *v by the result of an op that consumed nothing. */
static void
replace(struct spu_value **v, struct spu_value *nv)
{
	spu_value_free(*v);
	*v = nv;
}

/* y as integers when public and integral everywhere (|y| < 2^30). */
static int64_t *
integral(struct spu_mpc *m, const struct spu_value *y, int64_t *ymax)
{
	int64_t *e;

	if (y->vis != SPU_PUBLIC ||
	    (e = malloc((y->n ? y->n : 1) * sizeof(*e))) == NULL)
		return NULL;
	*ymax = 0;
	for (size_t i = 0; i < y->n; i++) {
		spu_i128 v = spu_ring_get_signed(m->field, y->share[0], i);
		if (spu_dtype_is_float(y->dtype)) {
			if (v & (((spu_i128)1 << m->fxp) - 1)) {
				free(e);
				return NULL;
			}
			v >>= m->fxp;
		}
		if (v > ((spu_i128)1 << 30) || v < -((spu_i128)1 << 30)) {
			free(e);
			return NULL;
		}
		e[i] = (int64_t)v;
		if (llabs(e[i]) > *ymax)
			*ymax = llabs(e[i]);
	}
	return e;
}

/* Square and multiply with public exponents e. */
static int
pow_int(struct spu_mpc *m, const struct spu_value *x, const int64_t *e,
    int64_t emax, enum spu_dtype t, struct spu_value **out)
{
	struct spu_value *r = constant(m, t, &x->shape, 1), *p = NULL;
	struct spu_value *bit = NULL, *f = NULL, *nv = NULL;
	int rc = 0, neg = 0;

	if (r == NULL || (p = spu_value_dup(x)) == NULL ||
	    (bit = spu_hal_alloc(m, SPU_PRED, &x->shape, SPU_PUBLIC)) == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (size_t i = 0; i < x->n; i++)
		if (e[i] < 0)
			neg = 1;
	if (neg && !spu_dtype_is_float(t)) {
		rc = spu_mpc_fail(m, SPU_EUNSUPP, "integer pow with a negative "
		    "exponent");
		goto out;
	}
	for (int j = 0; (emax >> j) != 0 && rc == 0; j++) {
		struct spu_value *one = constant(m, t, &x->shape, 1);
		for (size_t i = 0; i < x->n; i++)
			spu_ring_set(m->field, bit->share[0], i,
			    (spu_u128)((llabs(e[i]) >> j) & 1));
		if (one == NULL)
			rc = nomem(m);
		if (rc == 0 && (rc = spu_hal_select(m, bit, p, one, &f)) == 0 &&
		    (rc = spu_hal_mul(m, r, f, t, &nv)) == 0)
			replace(&r, nv);
		spu_value_free(one);
		spu_value_free(f);
		f = NULL;
		if (rc == 0 && (emax >> (j + 1)) != 0 &&
		    (rc = spu_hal_mul(m, p, p, t, &nv)) == 0)
			replace(&p, nv);
	}
	if (rc == 0 && neg) {
		if ((rc = spu_hal_reciprocal(m, r, &f)) != 0)
			goto out;
		for (size_t i = 0; i < x->n; i++)
			spu_ring_set(m->field, bit->share[0], i, e[i] < 0);
		if ((rc = spu_hal_select(m, bit, f, r, &nv)) == 0)
			replace(&r, nv);
	}
out:
	spu_value_free(p);
	spu_value_free(bit);
	spu_value_free(f);
	if (rc != 0) {
		spu_value_free(r);
		return rc;
	}
	r->dtype = t;
	*out = r;
	return 0;
}

int
spu_hal_pow(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *y, enum spu_dtype t, struct spu_value **out)
{
	struct spu_value *l = NULL, *p = NULL;
	int64_t *e, emax;
	int rc;

	if (x->n != y->n)
		return spu_mpc_fail(m, SPU_ESHAPE, "pow: operand sizes differ");
	if ((e = integral(m, y, &emax)) != NULL) {
		rc = pow_int(m, x, e, emax, t, out);
		free(e);
		return rc;
	}
	if (!spu_dtype_is_float(t))
		return spu_mpc_fail(m, SPU_EUNSUPP, "integer pow needs a "
		    "public exponent");
	/* exp(y log x), x > 0 */
	if ((rc = spu_hal_log(m, x, &l)) == 0 &&
	    (rc = spu_hal_mul(m, y, l, t, &p)) == 0)
		rc = spu_hal_exp(m, p, out);
	spu_value_free(l);
	spu_value_free(p);
	return rc;
}

static double
f_atan(double t)
{
	return atan(t);
}

/* msb of a and of b in one circuit: *sa, *sb (pred). */
static int
msb_pair(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **sa, struct spu_value **sb)
{
	struct spu_shape flat = { 1, { (int64_t)a->n } };
	struct spu_value *fa = NULL, *fb = NULL, *cat = NULL, *s = NULL;
	const struct spu_value *two[2];
	int64_t lo = 0, hi = (int64_t)a->n, one = 1, hi2 = 2 * hi;
	int rc;

	if ((rc = spu_hal_reshape(m, a, &flat, &fa)) != 0 ||
	    (rc = spu_hal_reshape(m, b, &flat, &fb)) != 0)
		goto out;
	two[0] = fa;
	two[1] = fb;
	if ((rc = spu_hal_concat(m, two, 2, 0, &cat)) != 0 ||
	    (rc = spu_hal_msb(m, cat, &s)) != 0 ||
	    (rc = spu_hal_slice(m, s, &lo, &hi, &one, sa)) != 0 ||
	    (rc = spu_hal_slice(m, s, &hi, &hi2, &one, sb)) != 0)
		goto out;
	(*sa)->shape = a->shape;
	(*sb)->shape = b->shape;
out:
	spu_value_free(fa);
	spu_value_free(fb);
	spu_value_free(cat);
	spu_value_free(s);
	return rc;
}

/* a + p (c - 2 a) for a 0/1 value p: p ? c - a : a. */
static int
reflect(struct spu_mpc *m, struct spu_value **a, const struct spu_value *p,
    double c)
{
	struct spu_value *k = constant(m, (*a)->dtype, &(*a)->shape, c);
	struct spu_value *a2 = NULL, *d = NULL, *t = NULL, *nv = NULL;
	int rc;

	if (k == NULL)
		return nomem(m);
	if ((rc = spu_hal_add(m, *a, *a, &a2)) == 0 &&
	    (rc = spu_hal_sub(m, k, a2, &d)) == 0 &&
	    (rc = spu_hal_mul(m, p, d, (*a)->dtype, &t)) == 0 &&
	    (rc = spu_hal_add(m, *a, t, &nv)) == 0)
		replace(a, nv);
	spu_value_free(k);
	spu_value_free(a2);
	spu_value_free(d);
	spu_value_free(t);
	return rc;
}

int
spu_hal_atan2(struct spu_mpc *m, const struct spu_value *y,
    const struct spu_value *x, struct spu_value **out)
{
	struct spu_value *ay = NULL, *ax = NULL, *d = NULL, *s = NULL;
	struct spu_value *c = NULL, *mx = NULL, *mn = NULL, *e = NULL;
	struct spu_value *q = NULL, *a = NULL, *yn = NULL, *xn = NULL;
	struct spu_value *one = NULL, *mx1 = NULL;
	struct spu_cheb ch;
	int rc;

	if (x->n != y->n || !spu_dtype_is_float(x->dtype))
		return spu_mpc_fail(m, SPU_ESHAPE, "atan2: needs floats of "
		    "one size");
	/* max and min of |x|, |y| from one comparison: s = [|y| < |x|],
	 * c = s (|y| - |x|), max = |y| - c, min = |x| + c */
	if ((rc = spu_hal_abs(m, y, &ay)) != 0 ||
	    (rc = spu_hal_abs(m, x, &ax)) != 0 ||
	    (rc = spu_hal_sub(m, ay, ax, &d)) != 0 ||
	    (rc = spu_hal_msb(m, d, &s)) != 0 ||
	    (rc = spu_hal_mul(m, s, d, x->dtype, &c)) != 0 ||
	    (rc = spu_hal_sub(m, ay, c, &mx)) != 0 ||
	    (rc = spu_hal_add(m, ax, c, &mn)) != 0)
		goto out;
	/* t = min / (max + 2^-f) in [0, 1]; series in 2t - 1 */
	if ((e = spu_hal_alloc(m, x->dtype, &x->shape, SPU_PUBLIC)) == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (size_t i = 0; i < e->n; i++)
		spu_ring_set(m->field, e->share[0], i, 1);
	if ((rc = spu_hal_add(m, mx, e, &mx1)) != 0 ||
	    (rc = spu_hal_div(m, mn, mx1, x->dtype, &q)) != 0)
		goto out;
	spu_ax_cheb_fit(&ch, f_atan, 0, 1, spu_ax_cheb_tol(m), SPU_AX_MAXDEG);
	if ((one = constant(m, x->dtype, &x->shape, 1)) == NULL ||
	    (a = spu_hal_alloc(m, x->dtype, &x->shape, SPU_SECRET)) == NULL) {
		rc = nomem(m);
		goto out;
	}
	{
		struct spu_value *q2 = NULL, *u = NULL;
		if ((rc = spu_hal_add(m, q, q, &q2)) == 0 &&
		    (rc = spu_hal_sub(m, q2, one, &u)) == 0)
			rc = spu_ax_cheb1(m, a->share, u->share, u->n, &ch, 1);
		spu_value_free(q2);
		spu_value_free(u);
		if (rc != 0)
			goto out;
	}
	/* |y| >= |x|: pi/2 - a; x < 0: pi - a; y < 0: -a */
	spu_value_free(c);
	spu_value_free(one);
	c = NULL;
	if ((one = constant(m, SPU_PRED, &x->shape, 1)) == NULL) {
		rc = nomem(m);
		goto out;
	}
	if ((rc = spu_hal_sub(m, one, s, &c)) != 0)
		goto out;
	c->dtype = SPU_PRED;
	if ((rc = reflect(m, &a, c, M_PI / 2)) != 0 ||
	    (rc = msb_pair(m, x, y, &xn, &yn)) != 0 ||
	    (rc = reflect(m, &a, xn, M_PI)) != 0 ||
	    (rc = reflect(m, &a, yn, 0)) != 0)
		goto out;
	*out = a;
	a = NULL;
out:
	spu_value_free(ay);
	spu_value_free(ax);
	spu_value_free(d);
	spu_value_free(s);
	spu_value_free(c);
	spu_value_free(mx);
	spu_value_free(mn);
	spu_value_free(e);
	spu_value_free(q);
	spu_value_free(a);
	spu_value_free(yn);
	spu_value_free(xn);
	spu_value_free(one);
	spu_value_free(mx1);
	return rc;
}

int
spu_hal_frem(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *y, struct spu_value **out)
{
	struct spu_value *q = NULL, *t = NULL, *p = NULL;
	int rc;

	if ((rc = spu_hal_div(m, x, y, x->dtype, &q)) == 0 &&
	    (rc = spu_hal_round(m, q, SPU_ROUND_TRUNC, &t)) == 0 &&
	    (rc = spu_hal_mul(m, y, t, x->dtype, &p)) == 0)
		rc = spu_hal_sub(m, x, p, out);
	spu_value_free(q);
	spu_value_free(t);
	spu_value_free(p);
	return rc;
}
