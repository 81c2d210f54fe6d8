/*
 * bits.c - xor, shifts, popcount and integer bitcasts on secret integers
 * by way of boolean shares (see bits.h for the costs).
 *
 * Shifts, sign extension and masking are XOR-linear (every output bit is
 * a copy of one input bit or a constant 0), so each party applies them to
 * its boolean share words on its own.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "hal.h"
#include "../mem.h"
#include "../mpc/boolean.h"

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

unsigned
spu_hal_int_width(struct spu_mpc *m, enum spu_dtype t)
{
	unsigned w = t == SPU_PRED ? 1 : (unsigned)spu_dtype_size(t) * 8;

	return w > m->field ? m->field : w;
}

int
spu_hal_a2b(struct spu_mpc *m, const struct spu_value *x, struct spu_sv *b)
{
	struct spu_value *s = NULL;
	int rc;

	if (x->vis == SPU_PUBLIC && (rc = spu_hal_p2s(m, x, &s)) != 0)
		return rc;
	if ((rc = spu_sv_alloc(m, b, x->n)) == 0 &&
	    (rc = spu_b_a2b(m, b->s, s ? s->share : x->share, x->n)) != 0)
		spu_sv_free(m, b);
	spu_value_free(s);
	return rc;
}

static spu_u128
norm1(spu_u128 v, unsigned w, unsigned k, int sext)
{
	spu_u128 mask = spu_bool_mask(w);

	if (w >= k)
		return v;
	v &= mask;
	if (sext && ((v >> (w - 1)) & 1))
		v |= ~mask & spu_bool_mask(k);
	return v;
}

void
spu_hal_bnorm(struct spu_mpc *m, const struct spu_sv *b, unsigned w,
    int sext)
{
	unsigned k = m->field;

	if (w >= k)
		return;
	for (int s = 0; s < m->nshares; s++)
		for (size_t i = 0; i < b->n; i++)
			spu_bset(k, b->s[s], i,
			    norm1(spu_bget(k, b->s[s], i), w, k, sext));
}

/* out (dtype t, x's shape) = B2A of the k-bit boolean b.  Frees b. */
static int
finish(struct spu_mpc *m, struct spu_sv *b, const struct spu_shape *s,
    enum spu_dtype t, struct spu_value **out)
{
	struct spu_value *z = spu_hal_alloc(m, t, s, SPU_SECRET);
	int rc;

	if (z == NULL)
		rc = nomem(m);
	else if ((rc = m->ops->b2a(m, z->share, b->s, b->n, m->field)) != 0) {
		spu_value_free(z);
		z = NULL;
	}
	spu_sv_free(m, b);
	if (rc == 0)
		*out = z;
	return rc;
}

static int
check_int(struct spu_mpc *m, const struct spu_value *x, const char *what)
{
	if (spu_dtype_is_float(x->dtype))
		return spu_fail(m->diag, SPU_EUNSUPP, "%s of a float value",
		    what);
	return 0;
}

int
spu_hal_xor(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	size_t n = a->n;
	struct spu_value *two = NULL, *p = NULL, *s = NULL;
	struct spu_sv v;
	int rc;

	if (a->n != b->n)
		return spu_mpc_fail(m, SPU_ESHAPE, "xor: operand sizes differ");
	if ((rc = check_int(m, a, "xor")) != 0)
		return rc;
	if (a->dtype == SPU_PRED) {
		/* a + b - 2ab */
		if ((rc = spu_hal_mul(m, a, b, SPU_PRED, &p)) != 0)
			return rc;
		if ((rc = spu_hal_add(m, p, p, &two)) == 0 &&
		    (rc = spu_hal_add(m, a, b, &s)) == 0)
			rc = spu_hal_sub(m, s, two, out);
		if (rc == 0)
			(*out)->dtype = SPU_PRED;
		spu_value_free(p);
		spu_value_free(two);
		spu_value_free(s);
		return rc;
	}
	{
		/* both operands in one A2B */
		struct spu_shape s2 = { 1, { (int64_t)(2 * n) } };
		struct spu_value *ab = spu_hal_alloc(m, a->dtype, &s2,
		    SPU_SECRET), *sa = NULL, *sb = NULL;
		size_t K = spu_ring_size(m->field);
		if (ab == NULL)
			return nomem(m);
		if ((rc = spu_hal_p2s(m, a, &sa)) == 0 &&
		    (rc = spu_hal_p2s(m, b, &sb)) == 0) {
			for (int i = 0; i < m->nshares; i++) {
				memcpy(ab->share[i], sa->share[i], n * K);
				memcpy((uint8_t *)ab->share[i] + n * K,
				    sb->share[i], n * K);
			}
			rc = spu_hal_a2b(m, ab, &v);
		}
		spu_value_free(sa);
		spu_value_free(sb);
		spu_value_free(ab);
		if (rc != 0)
			return rc;
	}
	{
		struct spu_sv hi = spu_sv_view(m, &v, n, n);
		spu_b_xor(m, v.s, v.s, hi.s, n);
	}
	v.n = n;	/* the second half is freed with the whole */
	spu_hal_bnorm(m, &v, spu_hal_int_width(m, a->dtype),
	    spu_dtype_is_signed(a->dtype));
	{
		struct spu_value *z = spu_hal_alloc(m, a->dtype, &a->shape,
		    SPU_SECRET);
		if (z == NULL)
			rc = nomem(m);
		else
			rc = m->ops->b2a(m, z->share, v.s, n, m->field);
		v.n = 2 * n;
		spu_sv_free(m, &v);
		if (rc != 0) {
			spu_value_free(z);
			return rc;
		}
		*out = z;
	}
	return 0;
}

/* The shift amount of element i, read as unsigned and capped at w. */
static unsigned
amount(struct spu_mpc *m, const struct spu_value *s, size_t i, unsigned w)
{
	spu_u128 v = spu_ring_get(m->field, s->share[0], s->n == 1 ? 0 : i);
	unsigned sw = spu_hal_int_width(m, s->dtype);

	v &= spu_bool_mask(sw);
	return v >= w ? w : (unsigned)v;
}

int
spu_hal_shift(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *s, enum spu_shift kind, struct spu_value **out)
{
	unsigned k = m->field, w = spu_hal_int_width(m, x->dtype);
	int sgn = spu_dtype_is_signed(x->dtype);
	struct spu_sv b;
	int rc;

	if ((rc = check_int(m, x, "shift")) != 0)
		return rc;
	if (s->vis != SPU_PUBLIC)
		return spu_mpc_fail(m, SPU_EUNSUPP, "shift by a secret amount "
		    "is not supported");
	if (s->n != x->n && s->n != 1)
		return spu_mpc_fail(m, SPU_ESHAPE, "shift: operand sizes "
		    "differ");
	if ((rc = spu_hal_a2b(m, x, &b)) != 0)
		return rc;
	/* the w-bit pattern, sign-extended for an arithmetic shift */
	spu_hal_bnorm(m, &b, w, kind == SPU_SHIFT_RIGHT_ARITH);
	for (int sh = 0; sh < m->nshares; sh++)
		for (size_t i = 0; i < x->n; i++) {
			unsigned a = amount(m, s, i, w);
			spu_u128 v = spu_bget(k, b.s[sh], i);
			switch (kind) {
			case SPU_SHIFT_LEFT:
				v = a >= w ? 0 : v << a;
				break;
			case SPU_SHIFT_RIGHT_LOGIC:
				v = a >= w ? 0 : v >> a;
				break;
			default:
				if (a >= w)
					a = w - 1;
				if ((v >> (k - 1)) & 1)
					v = (v >> a) | ~spu_bool_mask(k - a);
				else
					v >>= a;
				break;
			}
			spu_bset(k, b.s[sh], i, norm1(v, w, k, sgn));
		}
	return finish(m, &b, &x->shape, x->dtype, out);
}

int
spu_hal_popcnt(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	unsigned w = spu_hal_int_width(m, x->dtype), pos[128];
	spu_u128 ones[128];
	struct spu_value *z = NULL;
	struct spu_sv b;
	int rc;

	if ((rc = check_int(m, x, "popcnt")) != 0)
		return rc;
	if ((rc = spu_hal_a2b(m, x, &b)) != 0)
		return rc;
	spu_hal_bnorm(m, &b, w, 0);
	for (unsigned t = 0; t < w; t++) {
		pos[t] = t;
		ones[t] = 1;
	}
	/* the bits' sum, converted as one row (spu_b_bits_lin) */
	if ((z = spu_hal_alloc(m, x->dtype, &x->shape, SPU_SECRET)) == NULL)
		rc = nomem(m);
	else
		rc = spu_b_bits_lin(m, z->share, b.s, x->n, pos, w, ones, 1);
	spu_sv_free(m, &b);
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

int
spu_hal_wrap(struct spu_mpc *m, const struct spu_value *x, enum spu_dtype t,
    struct spu_value **out)
{
	struct spu_sv b;
	int rc;

	if (spu_dtype_is_float(t) || spu_dtype_is_float(x->dtype))
		return spu_mpc_fail(m, SPU_EUNSUPP, "wrap of a float value");
	if ((rc = spu_hal_a2b(m, x, &b)) != 0)
		return rc;
	spu_hal_bnorm(m, &b, spu_hal_int_width(m, t), spu_dtype_is_signed(t));
	return finish(m, &b, &x->shape, t, out);
}
