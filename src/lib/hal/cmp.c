/*
 * cmp.c - comparisons, logic on pred values, select, max/min, relu, abs,
 * sign and clamp over every mix of public and secret operands.  Secret
 * comparisons reduce to the MSB circuit of mpc/boolean.c; everything else
 * is linear algebra plus one multiplication by a 0/1 sharing, or, for
 * relu, abs, max, min and clamp, by the circuit's boolean bit directly
 * (spu_b_mul_a, one round fewer).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmp.h"
#include "hal.h"
#include "../mem.h"
#include "../mpc/boolean.h"

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

static int
same_n(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, const char *what)
{
	if (a->n != b->n)
		return spu_fail(m->diag, SPU_ESHAPE,
		    "party %d: %s: operand sizes differ", m->party, what);
	return 0;
}

/* Public value of dtype t and x's shape with every word c. */
static struct spu_value *
const_like(struct spu_mpc *m, const struct spu_value *x, enum spu_dtype t,
    spu_u128 c)
{
	struct spu_value *z = spu_hal_alloc(m, t, &x->shape, SPU_PUBLIC);

	if (z != NULL)
		for (size_t i = 0; i < z->n; i++)
			spu_ring_set(m->field, z->share[0], i, c);
	return z;
}

/* Signed (or, for unsigned dtypes, unsigned) order of public words. */
static int
pub_less(struct spu_mpc *m, enum spu_dtype t, const void *a, const void *b,
    size_t i)
{
	if (t >= SPU_U8 && t <= SPU_U64)
		return spu_ring_get(m->field, a, i) <
		    spu_ring_get(m->field, b, i);
	return spu_ring_get_signed(m->field, a, i) <
	    spu_ring_get_signed(m->field, b, i);
}

unsigned
spu_hal_cmp_bits(const struct spu_mpc *m, enum spu_dtype t)
{
	unsigned k = m->field, c = m->fxpcfg.cmp_bits;

	if (spu_dtype_is_float(t))
		return c >= 2 && c < k ? c : k;
	if (t == SPU_S64 || t == SPU_U64 || k <= 33)
		return k;
	return 33;
}

int
spu_hal_msb(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	struct spu_value *z = spu_hal_alloc(m, SPU_PRED, &x->shape, x->vis);
	int rc = 0;

	if (z == NULL)
		return nomem(m);
	if (x->vis == SPU_PUBLIC)
		spu_ring_rshift(m->field, z->share[0], x->share[0],
		    m->field - 1, x->n);
	else
		rc = spu_b_msb_a(m, z->share, x->share, x->n,
		    spu_hal_cmp_bits(m, x->dtype));
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

/*
 * out = (msb(d) ^ flip) d for secret d: the MSB circuit's boolean bit
 * times d (spu_b_mul_a), one round fewer than B2A and a product.
 */
static int
msb_times(struct spu_mpc *m, const struct spu_value *d, unsigned flip,
    struct spu_value **out)
{
	struct spu_value *z = spu_hal_alloc(m, d->dtype, &d->shape,
	    SPU_SECRET);
	struct spu_sv b;
	int rc;

	if (z == NULL)
		return nomem(m);
	if ((rc = spu_sv_alloc(m, &b, d->n)) != 0) {
		spu_value_free(z);
		return rc;
	}
	if ((rc = spu_b_msb(m, b.s, d->share, d->n,
	    spu_hal_cmp_bits(m, d->dtype))) == 0 &&
	    (flip == 0 || (rc = spu_b_xor_c(m, b.s, b.s, 1, d->n)) == 0))
		rc = spu_b_mul_a(m, z->share, d->share, b.s, d->n);
	spu_sv_free(m, &b);
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

/* Secret (x < 0) for two secret vectors at once: one MSB circuit. */
static int
msb2(struct spu_mpc *m, const struct spu_value *x, const struct spu_value *y,
    struct spu_value **ox, struct spu_value **oy)
{
	size_t n = x->n;
	struct spu_sv v, a, b;
	int rc;

	*ox = spu_hal_alloc(m, SPU_PRED, &x->shape, SPU_SECRET);
	*oy = spu_hal_alloc(m, SPU_PRED, &y->shape, SPU_SECRET);
	if (*ox == NULL || *oy == NULL) {
		rc = nomem(m);
		goto fail;
	}
	if ((rc = spu_sv_alloc(m, &v, 2 * n)) != 0)
		goto fail;
	a = spu_sv_view(m, &v, 0, n);
	b = spu_sv_view(m, &v, n, n);
	spu_sv_copy(m, a.s, x->share, n);
	spu_sv_copy(m, b.s, y->share, n);
	if ((rc = spu_b_msb_a(m, v.s, v.s, 2 * n,
	    spu_hal_cmp_bits(m, x->dtype))) == 0) {
		spu_sv_copy(m, (*ox)->share, a.s, n);
		spu_sv_copy(m, (*oy)->share, b.s, n);
	}
	spu_sv_free(m, &v);
	if (rc == 0)
		return 0;
fail:
	spu_value_free(*ox);
	spu_value_free(*oy);
	*ox = *oy = NULL;
	return rc;
}

/* Public-public comparison: exact, by dtype order. */
static int
pub_cmp(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, int eq, struct spu_value **out)
{
	struct spu_value *z = spu_hal_alloc(m, SPU_PRED, &a->shape, SPU_PUBLIC);

	if (z == NULL)
		return nomem(m);
	for (size_t i = 0; i < a->n; i++) {
		int r = eq ? spu_ring_get(m->field, a->share[0], i) ==
		    spu_ring_get(m->field, b->share[0], i) :
		    pub_less(m, a->dtype, a->share[0], b->share[0], i);
		spu_ring_set(m->field, z->share[0], i, (spu_u128)r);
	}
	*out = z;
	return 0;
}

/* 1 - p for a pred value, in place. */
static int
flip(struct spu_mpc *m, struct spu_value **p)
{
	struct spu_value *one = const_like(m, *p, SPU_PRED, 1), *z;
	int rc;

	if (one == NULL)
		return nomem(m);
	rc = spu_hal_sub(m, one, *p, &z);
	spu_value_free(one);
	if (rc != 0)
		return rc;
	spu_value_free(*p);
	z->dtype = SPU_PRED;
	*p = z;
	return 0;
}

int
spu_hal_less(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	struct spu_value *d;
	int rc;

	if ((rc = same_n(m, a, b, "compare")) != 0)
		return rc;
	if (a->vis == SPU_PUBLIC && b->vis == SPU_PUBLIC)
		return pub_cmp(m, a, b, 0, out);
	if ((rc = spu_hal_sub(m, a, b, &d)) != 0)
		return rc;
	/* the MSB reads d only before it writes its result: in place */
	if ((rc = spu_b_msb_a(m, d->share, d->share, d->n,
	    spu_hal_cmp_bits(m, d->dtype))) != 0) {
		spu_value_free(d);
		return rc;
	}
	d->dtype = SPU_PRED;
	*out = d;
	return 0;
}

int
spu_hal_greater(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	return spu_hal_less(m, b, a, out);
}

int
spu_hal_less_equal(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	int rc;

	if ((rc = spu_hal_less(m, b, a, out)) != 0)
		return rc;
	if ((rc = flip(m, out)) != 0) {
		spu_value_free(*out);
		*out = NULL;
	}
	return rc;
}

int
spu_hal_greater_equal(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	return spu_hal_less_equal(m, b, a, out);
}

int
spu_hal_equal(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	struct spu_value *d, *z;
	int rc;

	if ((rc = same_n(m, a, b, "compare")) != 0)
		return rc;
	if (a->vis == SPU_PUBLIC && b->vis == SPU_PUBLIC)
		return pub_cmp(m, a, b, 1, out);
	if ((rc = spu_hal_sub(m, a, b, &d)) != 0)
		return rc;
	if ((z = spu_hal_alloc(m, SPU_PRED, &a->shape, SPU_SECRET)) == NULL)
		rc = nomem(m);
	else
		rc = spu_b_eqz_a(m, z->share, d->share, d->n);
	spu_value_free(d);
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

int
spu_hal_not_equal(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	int rc;

	if ((rc = spu_hal_equal(m, a, b, out)) != 0)
		return rc;
	if ((rc = flip(m, out)) != 0) {
		spu_value_free(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- logic ---- */

/* All-ones of an integer dtype's width, as a ring word. */
static spu_u128
dtype_ones(struct spu_mpc *m, enum spu_dtype t)
{
	unsigned w = (unsigned)spu_dtype_size(t) * 8;

	if (t == SPU_PRED)
		return 1;
	if (spu_dtype_is_signed(t) || w >= m->field)
		return ~(spu_u128)0;
	return spu_bool_mask(w);
}

int
spu_hal_not(struct spu_mpc *m, const struct spu_value *a,
    struct spu_value **out)
{
	struct spu_value *c;
	int rc;

	if (spu_dtype_is_float(a->dtype))
		return spu_mpc_fail(m, SPU_EUNSUPP, "not of a float value");
	if (a->xor_shared)
		return spu_hal_not_x(m, a, out);
	/* pred: 1 - p; unsigned w bits: (2^w - 1) - x; signed: -1 - x */
	if ((c = const_like(m, a, a->dtype, dtype_ones(m, a->dtype))) == NULL)
		return nomem(m);
	rc = spu_hal_sub(m, c, a, out);
	spu_value_free(c);
	return rc;
}

/* Secret integers, bitwise: A2B both, one AND, (OR: a ^ b ^ ab), B2A. */
static int
bitwise_secret(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, int is_or, struct spu_value **out)
{
	unsigned k = m->field;
	size_t n = a->n;
	struct spu_value *sa = NULL, *sb = NULL, *z = NULL;
	struct spu_sv v, t;
	int rc;

	memset(&v, 0, sizeof(v));
	memset(&t, 0, sizeof(t));
	if ((rc = spu_hal_p2s(m, a, &sa)) != 0 ||
	    (rc = spu_hal_p2s(m, b, &sb)) != 0)
		goto out;
	if ((z = spu_hal_alloc(m, a->dtype, &a->shape, SPU_SECRET)) == NULL) {
		rc = nomem(m);
		goto out;
	}
	if ((rc = spu_sv_alloc(m, &v, 2 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &t, n)) != 0)
		goto out;
	{
		struct spu_sv v0 = spu_sv_view(m, &v, 0, n);
		struct spu_sv v1 = spu_sv_view(m, &v, n, n);
		spu_sv_copy(m, v0.s, sa->share, n);
		spu_sv_copy(m, v1.s, sb->share, n);
		if ((rc = spu_b_a2b(m, v.s, v.s, 2 * n)) != 0 ||
		    (rc = m->ops->and_b(m, t.s, v0.s, v1.s, n, k)) != 0)
			goto out;
		if (is_or) {
			spu_b_xor(m, t.s, t.s, v0.s, n);
			spu_b_xor(m, t.s, t.s, v1.s, n);
		}
		rc = m->ops->b2a(m, z->share, t.s, n, k);
	}
out:
	spu_sv_free(m, &v);
	spu_sv_free(m, &t);
	spu_value_free(sa);
	spu_value_free(sb);
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

static int
logic(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, int is_or, struct spu_value **out)
{
	struct spu_value *p, *s;
	int rc;

	if ((rc = same_n(m, a, b, is_or ? "or" : "and")) != 0)
		return rc;
	if (spu_dtype_is_float(a->dtype) || spu_dtype_is_float(b->dtype))
		return spu_mpc_fail(m, SPU_EUNSUPP, "and/or of a float value");
	if (a->vis == SPU_PUBLIC && b->vis == SPU_PUBLIC) {
		struct spu_value *z = spu_value_dup(a);
		if (z == NULL)
			return nomem(m);
		if (is_or) {
			for (size_t i = 0; i < a->n; i++)
				spu_ring_set(m->field, z->share[0], i,
				    spu_ring_get(m->field, a->share[0], i) |
				    spu_ring_get(m->field, b->share[0], i));
		} else {
			spu_ring_and(m->field, z->share[0], a->share[0],
			    b->share[0], a->n);
		}
		*out = z;
		return 0;
	}
	if (a->dtype != SPU_PRED)
		return bitwise_secret(m, a, b, is_or, out);
	/* pred: p q, p + q - p q */
	if ((rc = spu_hal_mul(m, a, b, SPU_PRED, &p)) != 0)
		return rc;
	if (!is_or) {
		*out = p;
		return 0;
	}
	rc = spu_hal_add(m, a, b, &s);
	if (rc == 0)
		rc = spu_hal_sub(m, s, p, out);
	spu_value_free(s);
	spu_value_free(p);
	if (rc == 0)
		(*out)->dtype = SPU_PRED;
	return rc;
}

int
spu_hal_and(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	return logic(m, a, b, 0, out);
}

int
spu_hal_or(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	return logic(m, a, b, 1, out);
}

/* ---- select and friends ---- */

/* A scalar b repeated to x's shape (b itself duplicated otherwise). */
static struct spu_value *
expand(struct spu_mpc *m, const struct spu_value *b,
    const struct spu_value *x)
{
	struct spu_value *z;
	size_t K = spu_ring_size(m->field);

	if (b->n != 1 || x->n == 1)
		return spu_value_dup(b);
	if ((z = spu_hal_alloc(m, b->dtype, &x->shape, b->vis)) == NULL)
		return NULL;
	for (int s = 0; s < z->nshares; s++)
		for (size_t i = 0; i < z->n; i++)
			memcpy((uint8_t *)z->share[s] + i * K, b->share[s], K);
	return z;
}

/* b + p (a - b) for a 0/1 value p (no fixed-point rescale). */
static int
mux(struct spu_mpc *m, const struct spu_value *p, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	struct spu_value *d, *t;
	int rc;

	if ((rc = spu_hal_sub(m, a, b, &d)) != 0)
		return rc;
	rc = spu_hal_mul(m, p, d, a->dtype, &t);
	spu_value_free(d);
	if (rc != 0)
		return rc;
	rc = spu_hal_add(m, b, t, out);
	spu_value_free(t);
	if (rc == 0)
		(*out)->dtype = a->dtype;
	return rc;
}

int
spu_hal_select(struct spu_mpc *m, const struct spu_value *p,
    const struct spu_value *a, const struct spu_value *b,
    struct spu_value **out)
{
	struct spu_value *sa = NULL, *sb = NULL, *z, *pe;
	int rc;

	if ((rc = same_n(m, a, b, "select")) != 0)
		return rc;
	if (p->n == 1 && a->n != 1) {
		/* scalar predicate */
		if ((pe = expand(m, p, a)) == NULL)
			return nomem(m);
		pe->xor_shared = p->xor_shared;
		rc = spu_hal_select(m, pe, a, b, out);
		spu_value_free(pe);
		return rc;
	}
	if ((rc = same_n(m, p, a, "select")) != 0)
		return rc;
	if (p->vis == SPU_SECRET)
		return p->xor_shared ? spu_hal_select_x(m, p, a, b, out) :
		    mux(m, p, a, b, out);
	/* public predicate: pick words, sharing a public side if needed */
	if (a->vis != b->vis) {
		if ((rc = spu_hal_p2s(m, a, &sa)) != 0)
			return rc;
		if ((rc = spu_hal_p2s(m, b, &sb)) != 0) {
			spu_value_free(sa);
			return rc;
		}
		a = sa;
		b = sb;
	}
	if ((z = spu_value_dup(b)) == NULL) {
		rc = nomem(m);
	} else {
		size_t K = spu_ring_size(m->field);
		z->dtype = a->dtype;
		for (size_t i = 0; i < p->n; i++)
			if (spu_ring_get(m->field, p->share[0], i) & 1)
				for (int s = 0; s < z->nshares; s++)
					memcpy((uint8_t *)z->share[s] + i * K,
					    (const uint8_t *)a->share[s] +
					    i * K, K);
		*out = z;
	}
	spu_value_free(sa);
	spu_value_free(sb);
	return rc;
}

/* max (want_max) or min of a and b: s = [a < b], a + s (b - a) or
 * b + s (a - b).  One MSB, one multiplication; for a secret difference
 * d = a - b, max = a - t and min = b + t with t = msb(d) d. */
static int
maxmin(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, int want_max, struct spu_value **out)
{
	struct spu_value *s, *d, *t;
	int rc;

	if ((rc = same_n(m, a, b, "compare")) != 0)
		return rc;
	if (a->vis == SPU_SECRET || b->vis == SPU_SECRET) {
		if ((rc = spu_hal_sub(m, a, b, &d)) != 0)
			return rc;
		rc = msb_times(m, d, 0, &t);
		spu_value_free(d);
		if (rc != 0)
			return rc;
		rc = want_max ? spu_hal_sub(m, a, t, out) :
		    spu_hal_add(m, b, t, out);
		spu_value_free(t);
		if (rc == 0)
			(*out)->dtype = a->dtype;
		return rc;
	}
	if ((rc = spu_hal_less(m, a, b, &s)) != 0)
		return rc;
	rc = want_max ? mux(m, s, b, a, out) : mux(m, s, a, b, out);
	spu_value_free(s);
	return rc;
}

int
spu_hal_max(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	return maxmin(m, a, b, 1, out);
}

int
spu_hal_min(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	return maxmin(m, a, b, 0, out);
}

/* x - c * msb(x) * x for c = 1 (relu) or 2 (abs); secret relu is
 * (1 - msb(x)) x directly. */
static int
scale_by_sign(struct spu_mpc *m, const struct spu_value *x, unsigned c,
    struct spu_value **out)
{
	struct spu_value *s, *t;
	int rc;

	if (x->dtype >= SPU_U8 && x->dtype <= SPU_U64)
		return (*out = spu_value_dup(x)) ? 0 : nomem(m);
	if (x->vis == SPU_SECRET && c == 1)
		return msb_times(m, x, 1, out);
	if (x->vis == SPU_SECRET) {
		rc = msb_times(m, x, 0, &t);
	} else {
		if ((rc = spu_hal_msb(m, x, &s)) != 0)
			return rc;
		rc = spu_hal_mul(m, s, x, x->dtype, &t);
		spu_value_free(s);
	}
	if (rc != 0)
		return rc;
	for (int i = 0; i < t->nshares; i++)
		spu_ring_mul_scalar(m->field, t->share[i], t->share[i], c,
		    t->n);
	rc = spu_hal_sub(m, x, t, out);
	spu_value_free(t);
	return rc;
}

int
spu_hal_relu(struct spu_mpc *m, const struct spu_value *a,
    struct spu_value **out)
{
	return scale_by_sign(m, a, 1, out);
}

int
spu_hal_abs(struct spu_mpc *m, const struct spu_value *a,
    struct spu_value **out)
{
	return scale_by_sign(m, a, 2, out);
}

int
spu_hal_sign(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	struct spu_value *neg = NULL, *lt = NULL, *gt = NULL, *z = NULL;
	int rc;

	if ((rc = spu_hal_neg(m, x, &neg)) != 0)
		return rc;
	if (x->vis == SPU_PUBLIC) {
		if ((rc = spu_hal_msb(m, x, &lt)) == 0)
			rc = spu_hal_msb(m, neg, &gt);
	} else {
		rc = msb2(m, x, neg, &lt, &gt);
	}
	if (rc == 0)
		rc = spu_hal_sub(m, gt, lt, &z);
	if (rc == 0) {
		z->dtype = x->dtype;
		if (spu_dtype_is_float(x->dtype))
			for (int s = 0; s < z->nshares; s++)
				spu_ring_lshift(m->field, z->share[s],
				    z->share[s], (unsigned)m->fxp, z->n);
		if (x->dtype >= SPU_U8 && x->dtype <= SPU_U64) {
			/* unsigned: 1 unless zero */
			spu_value_free(z);
			z = NULL;
			if ((rc = flip(m, &lt)) == 0 &&
			    (rc = spu_hal_add(m, lt, gt, &z)) == 0)
				z->dtype = x->dtype;
		}
	}
	spu_value_free(neg);
	spu_value_free(lt);
	spu_value_free(gt);
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

/* t1 = msb(d1) d1, t2 = msb(d2) d2 for secret d1, d2 of one shape in one
 * batched MSB and one batched bit-times-share product. */
static int
msb_times2(struct spu_mpc *m, const struct spu_value *d1,
    const struct spu_value *d2, struct spu_value **t1,
    struct spu_value **t2)
{
	size_t n = d1->n;
	struct spu_shape sh = { 1, { 2 * n } };
	struct spu_value *d = spu_hal_alloc(m, d1->dtype, &sh, SPU_SECRET);
	struct spu_value *t = NULL;
	int rc;

	*t1 = spu_hal_alloc(m, d1->dtype, &d1->shape, SPU_SECRET);
	*t2 = spu_hal_alloc(m, d2->dtype, &d2->shape, SPU_SECRET);
	if (d == NULL || *t1 == NULL || *t2 == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (int i = 0; i < m->nshares; i++) {
		spu_ring_copy(m->field, d->share[i], d1->share[i], n);
		spu_ring_copy(m->field, (uint8_t *)d->share[i] +
		    n * spu_ring_size(m->field), d2->share[i], n);
	}
	if ((rc = msb_times(m, d, 0, &t)) != 0)
		goto out;
	for (int i = 0; i < m->nshares; i++) {
		spu_ring_copy(m->field, (*t1)->share[i], t->share[i], n);
		spu_ring_copy(m->field, (*t2)->share[i], (uint8_t *)t->share[i]
		    + n * spu_ring_size(m->field), n);
	}
out:
	spu_value_free(d);
	spu_value_free(t);
	if (rc != 0) {
		spu_value_free(*t1);
		spu_value_free(*t2);
		*t1 = *t2 = NULL;
	}
	return rc;
}

/*
 * clamp(lo, x, hi) = min(max(x, lo), hi).  With public bounds and
 * lo <= hi everywhere both comparisons run as one batched MSB and one
 * batched bit-times-share product: x - [d1 < 0] d1 + [d2 < 0] d2 with
 * d1 = x - lo, d2 = hi - x.
 */
int
spu_hal_clamp(struct spu_mpc *m, const struct spu_value *lo0,
    const struct spu_value *x, const struct spu_value *hi0,
    struct spu_value **out)
{
	struct spu_value *lo = expand(m, lo0, x), *hi = expand(m, hi0, x);
	struct spu_value *d1 = NULL, *d2 = NULL, *t1 = NULL, *t2 = NULL,
	    *u = NULL;
	int rc, ordered = 1;

	if (lo == NULL || hi == NULL) {
		rc = nomem(m);
		goto out;
	}
	if ((rc = same_n(m, lo, x, "clamp")) != 0 ||
	    (rc = same_n(m, hi, x, "clamp")) != 0)
		goto out;
	if (lo->vis == SPU_PUBLIC && hi->vis == SPU_PUBLIC)
		for (size_t i = 0; i < x->n; i++)
			if (pub_less(m, x->dtype, hi->share[0], lo->share[0],
			    i))
				ordered = 0;
	if (x->vis == SPU_PUBLIC || lo->vis == SPU_SECRET ||
	    hi->vis == SPU_SECRET || !ordered) {
		if ((rc = spu_hal_max(m, x, lo, &u)) == 0)
			rc = spu_hal_min(m, u, hi, out);
		goto out;
	}
	if ((rc = spu_hal_sub(m, x, lo, &d1)) != 0 ||
	    (rc = spu_hal_sub(m, hi, x, &d2)) != 0 ||
	    (rc = msb_times2(m, d1, d2, &t1, &t2)) != 0 ||
	    (rc = spu_hal_sub(m, x, t1, &u)) != 0)
		goto out;
	rc = spu_hal_add(m, u, t2, out);
	if (rc == 0)
		(*out)->dtype = x->dtype;
out:
	spu_value_free(lo);
	spu_value_free(hi);
	spu_value_free(d1);
	spu_value_free(d2);
	spu_value_free(t1);
	spu_value_free(t2);
	spu_value_free(u);
	return rc;
}
