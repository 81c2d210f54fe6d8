/*
 * cmp_xor.c - comparisons whose secret result stays the boolean (XOR)
 * sharing the MSB circuit produces, bit 0 of each word (value
 * xor_shared), instead of being converted to an arithmetic 0/1 at once.
 * The conversion (one B2A: aby3 2 rounds and 16 bytes per element in
 * FM64, semi2k 2PC 1 round) is then paid only where an arithmetic use
 * needs it: a select takes the bit directly (spu_b_mul_a, no B2A), NOT
 * is a local XOR, and a run's outputs are written as they are
 * (docs/shares.md, "secret-xor").  The VM converts everything else
 * (spu_hal_arith) before it reaches an op.
 */
#include "config.h"

#include "cmp.h"
#include "hal.h"
#include "../mpc/boolean.h"

int
spu_hal_less_x(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, int or_equal, struct spu_value **out)
{
	struct spu_value *d;
	int rc;

	if (a->vis == SPU_PUBLIC && b->vis == SPU_PUBLIC)
		return or_equal ? spu_hal_less_equal(m, a, b, out) :
		    spu_hal_less(m, a, b, out);
	/* a <= b is NOT (b < a) */
	if ((rc = or_equal ? spu_hal_sub(m, b, a, &d) :
	    spu_hal_sub(m, a, b, &d)) != 0)
		return rc;
	/* the MSB reads d before it writes the bits: in place */
	if ((rc = spu_b_msb(m, d->share, d->share, d->n,
	    spu_hal_cmp_bits(m, d->dtype))) == 0 && or_equal)
		rc = spu_b_xor_c(m, d->share, d->share, 1, d->n);
	if (rc != 0) {
		spu_value_free(d);
		return rc;
	}
	d->dtype = SPU_PRED;
	d->xor_shared = 1;
	*out = d;
	return 0;
}

int
spu_hal_arith(struct spu_mpc *m, struct spu_value *v)
{
	struct spu_sv t;
	int rc;

	if (!v->xor_shared)
		return 0;
	if ((rc = spu_sv_alloc(m, &t, v->n)) != 0)
		return rc;
	if ((rc = m->ops->b2a(m, t.s, v->share, v->n, 1)) == 0) {
		spu_sv_copy(m, v->share, t.s, v->n);
		v->xor_shared = 0;
	}
	spu_sv_free(m, &t);
	return rc;
}

int
spu_hal_not_x(struct spu_mpc *m, const struct spu_value *p,
    struct spu_value **out)
{
	struct spu_value *z = spu_value_dup(p);
	int rc;

	if (z == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	if ((rc = spu_b_xor_c(m, z->share, z->share, 1, z->n)) != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

int
spu_hal_mul_x(struct spu_mpc *m, const struct spu_value *p,
    const struct spu_value *x, struct spu_value **out)
{
	struct spu_value *z;
	int rc;

	if (p->n != x->n || x->vis != SPU_SECRET)
		return spu_fail(m->diag, SPU_ESHAPE, "party %d: mul_x: needs "
		    "a secret operand of the predicate's size", m->party);
	if ((z = spu_hal_alloc(m, x->dtype, &x->shape, SPU_SECRET)) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	if ((rc = spu_b_mul_a(m, z->share, x->share, p->share, x->n)) != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

/* b + p (a - b) with the bit p times a - b directly: no B2A. */
int
spu_hal_select_x(struct spu_mpc *m, const struct spu_value *p,
    const struct spu_value *a, const struct spu_value *b,
    struct spu_value **out)
{
	struct spu_value *d = NULL, *sd = NULL;
	int rc;

	if (p->n != a->n || a->n != b->n)
		return spu_fail(m->diag, SPU_ESHAPE, "party %d: select: "
		    "operand sizes differ", m->party);
	if ((rc = spu_hal_sub(m, a, b, &d)) != 0)
		goto out;
	if (d->vis == SPU_SECRET) {
		sd = d;
		d = NULL;
	} else if ((rc = spu_hal_p2s(m, d, &sd)) != 0) {
		goto out;
	}
	/* the bit times a - b in place (spu_b_mul_a allows it) */
	if ((rc = spu_b_mul_a(m, sd->share, sd->share, p->share, p->n)) != 0 ||
	    (rc = spu_hal_add(m, b, sd, out)) != 0)
		goto out;
	(*out)->dtype = a->dtype;
out:
	spu_value_free(d);
	spu_value_free(sd);
	return rc;
}
