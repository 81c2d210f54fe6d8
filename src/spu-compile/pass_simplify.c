/*
 * pass_simplify.c - algebraic simplification and canonicalization
 * (pass "simplify"; SPU's canonicalize / MergeMulConstant equivalents).
 *
 *   x+0, 0+x, x-0, x*1, 1*x, x/1          -> x
 *   0-x, x*-1, -1*x, x/-1 (float)         -> neg(x)
 *   a+neg(b) -> a-b, neg(a)+b -> b-a, a-neg(b) -> a+b,
 *   neg(a)*neg(b) -> a*b
 *   neg(neg(x)), not(not(x))              -> x
 *   abs(abs(x)) -> abs(x), abs(neg(x)) -> abs(x)
 *   max(x,x), min(x,x), select(p,x,x)     -> x
 *   max(x,-inf), min(x,+inf) (float)      -> x
 *   p & true, p | false, p & p, p | p      -> p (pred p)
 *   x == x, x <= x, x >= x are true, x != x, x < x, x > x false, as
 *   the fixed point has no NaN: as operands of and/or/select (JAX's NaN
 *   tests in argmax and sort comparators vanish), and replaced by the
 *   constant when public
 *   select(not(p),x,y) -> select(p,y,x); select(const p,x,y) -> x or y
 *   transpose(transpose(x))               -> one transpose, or x
 *   reshape(reshape(x))                   -> one reshape, or x
 *   broadcast(broadcast(x))               -> one broadcast
 *   reshape/transpose/broadcast of a broadcast scalar -> broadcast of it
 *   identity reshape, transpose, broadcast, slice, pad, convert, and a
 *   one-operand concat                   -> x
 *   convert(convert(x)) through a float type to a float type -> one
 *   convert, or x (float types share one fixed-point encoding)
 *
 * A value is only replaced by one of exactly its type (dtype, visibility
 * and shape).  x*0 is not rewritten (the result would be public, and x
 * may be infinite in the cleartext evaluator).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pass.h"

static int
alias_if(struct rw *r, struct spu_insn *in, uint32_t x)
{
	const struct spu_type *t = rw_type(r, x);

	if (t == NULL || !pass_type_eq(t, &in->type[0]))
		return 0;
	rw_alias(r, in, x);
	return 1;
}

static const struct spu_insn *
def_op(const struct rw *r, uint32_t s, enum spu_op op)
{
	const struct spu_insn *d = rw_def(r, s);

	return d != NULL && d->op == op && d->nout == 1 ? d : NULL;
}

/* Turn in into the unary op on x, if types allow. */
static int
to_unary(struct rw *r, struct spu_insn *in, enum spu_op op, uint32_t x)
{
	const struct spu_type *t = rw_type(r, x);

	if (t == NULL || !pass_type_eq(t, &in->type[0]))
		return 0;
	in->op = op;
	in->in[0] = x;
	in->nin = 1;
	r->changed = 1;
	return 0;
}

static void
swap2(struct spu_insn *in, uint32_t a, uint32_t b)
{
	in->in[0] = a;
	in->in[1] = b;
}

static int
identity_perm(const struct spu_attr *a)
{
	for (uint32_t i = 0; a != NULL && i < a->n; i++)
		if (a->v[i] != (int64_t)i)
			return 0;
	return a != NULL;
}

static int
is_scalar_bcast(const struct rw *r, uint32_t s, uint32_t *scalar)
{
	const struct spu_insn *d = def_op(r, s, SPU_OP_BROADCAST);
	const struct spu_type *t;

	if (d == NULL || d->nin != 1 || (t = rw_type(r, d->in[0])) == NULL ||
	    t->shape.ndim != 0)
		return 0;
	*scalar = d->in[0];
	return 1;
}

/* reshape/transpose/broadcast of a broadcast scalar: broadcast it
 * (in is changed and kept: 0, or <0 on error). */
static int
lazy_scalar(struct rw *r, struct spu_insn *in)
{
	uint32_t s;
	const struct spu_type *st;

	if (in->nin != 1 || !is_scalar_bcast(r, in->in[0], &s) ||
	    (st = rw_type(r, s)) == NULL || st->vis != in->type[0].vis ||
	    st->dtype != in->type[0].dtype)
		return 0;
	in->op = SPU_OP_BROADCAST;
	in->in[0] = s;
	for (uint32_t k = 0; k < in->nattr; k++)
		free(in->attr[k].v);
	free(in->attr);
	in->attr = NULL;
	in->nattr = 0;
	if (pass_attr_set(in, SPU_ATTR_DIMS, NULL, 0) != 0)
		return SPU_ENOMEM;
	r->changed = 1;
	return 0;	/* changed, kept */
}

static int
simp_transpose(struct rw *r, struct spu_insn *in)
{
	const struct spu_attr *p2 = spu_insn_attr(in, SPU_ATTR_PERM);
	const struct spu_insn *d;
	const struct spu_attr *p1;
	int64_t perm[SPU_MAX_DIMS];
	int rank = in->type[0].shape.ndim;

	if (p2 == NULL || (int)p2->n != rank || rank > SPU_MAX_DIMS)
		return 0;
	if (identity_perm(p2) && alias_if(r, in, in->in[0]))
		return 1;
	if ((d = def_op(r, in->in[0], SPU_OP_TRANSPOSE)) == NULL ||
	    d->nin != 1 || (p1 = spu_insn_attr(d, SPU_ATTR_PERM)) == NULL ||
	    (int)p1->n != rank)
		return lazy_scalar(r, in);
	for (int i = 0; i < rank; i++) {
		if (p2->v[i] < 0 || p2->v[i] >= rank)
			return 0;
		perm[i] = p1->v[p2->v[i]];
	}
	in->in[0] = d->in[0];
	if (pass_attr_set(in, SPU_ATTR_PERM, perm, (uint32_t)rank) != 0)
		return SPU_ENOMEM;
	r->changed = 1;
	p2 = spu_insn_attr(in, SPU_ATTR_PERM);
	if (identity_perm(p2) && alias_if(r, in, in->in[0]))
		return 1;
	return 0;
}

static int
simp_reshape(struct rw *r, struct spu_insn *in)
{
	const struct spu_insn *d;

	if (alias_if(r, in, in->in[0]))
		return 1;
	if ((d = def_op(r, in->in[0], SPU_OP_RESHAPE)) != NULL &&
	    d->nin == 1) {
		const struct spu_type *t = rw_type(r, d->in[0]);

		if (t != NULL && t->vis == in->type[0].vis) {
			in->in[0] = d->in[0];
			r->changed = 1;
			if (alias_if(r, in, in->in[0]))
				return 1;
		}
		return 0;
	}
	return lazy_scalar(r, in);
}

static int
simp_broadcast(struct rw *r, struct spu_insn *in)
{
	const struct spu_attr *d2 = spu_insn_attr(in, SPU_ATTR_DIMS), *d1;
	const struct spu_type *xt = rw_type(r, in->in[0]);
	const struct spu_insn *d;
	int64_t dims[SPU_MAX_DIMS];
	int rank = in->type[0].shape.ndim;

	if (xt == NULL || d2 == NULL || (int)d2->n != xt->shape.ndim)
		return 0;
	if (xt->shape.ndim == rank && identity_perm(d2) &&
	    alias_if(r, in, in->in[0]))
		return 1;
	if ((d = def_op(r, in->in[0], SPU_OP_BROADCAST)) == NULL ||
	    d->nin != 1 || (d1 = spu_insn_attr(d, SPU_ATTR_DIMS)) == NULL)
		return 0;
	{
		const struct spu_type *yt = rw_type(r, d->in[0]);

		if (yt == NULL || (int)d1->n != yt->shape.ndim ||
		    yt->vis != in->type[0].vis)
			return 0;
	}
	for (uint32_t i = 0; i < d1->n; i++) {
		if (d1->v[i] < 0 || d1->v[i] >= (int64_t)d2->n)
			return 0;
		dims[i] = d2->v[d1->v[i]];
	}
	in->in[0] = d->in[0];
	if (pass_attr_set(in, SPU_ATTR_DIMS, dims, d1->n) != 0)
		return SPU_ENOMEM;
	r->changed = 1;
	return 0;
}

static int
simp_convert(struct rw *r, struct spu_insn *in)
{
	const struct spu_insn *d;
	const struct spu_type *yt;

	if (alias_if(r, in, in->in[0]))
		return 1;
	if (!pass_is_float(&in->type[0]) ||
	    (d = def_op(r, in->in[0], SPU_OP_CONVERT)) == NULL ||
	    d->nin != 1 || !pass_is_float(&d->type[0]) ||
	    (yt = rw_type(r, d->in[0])) == NULL ||
	    yt->vis != in->type[0].vis)
		return 0;
	in->in[0] = d->in[0];
	r->changed = 1;
	return alias_if(r, in, in->in[0]);
}

/* slice, pad and concat that change nothing */
static int
simp_noop(struct rw *r, struct spu_insn *in)
{
	const struct spu_type *xt = rw_type(r, in->in[0]);

	if (xt == NULL || !spu_shape_eq(&xt->shape, &in->type[0].shape))
		return 0;
	if (in->op == SPU_OP_SLICE) {
		const struct spu_attr *st = spu_insn_attr(in, SPU_ATTR_START);
		const struct spu_attr *sd = spu_insn_attr(in, SPU_ATTR_STRIDE);

		if (st == NULL || sd == NULL || st->n != sd->n)
			return 0;
		for (uint32_t i = 0; i < st->n; i++)
			if (st->v[i] != 0 || sd->v[i] != 1)
				return 0;
	} else if (in->op == SPU_OP_PAD) {
		static const enum spu_attr_key k[3] = { SPU_ATTR_PAD_LO,
		    SPU_ATTR_PAD_HI, SPU_ATTR_PAD_INT };

		for (int j = 0; j < 3; j++) {
			const struct spu_attr *a = spu_insn_attr(in, k[j]);

			for (uint32_t i = 0; a != NULL && i < a->n; i++)
				if (a->v[i] != 0)
					return 0;
		}
	} else if (in->nin != 1) {
		return 0;
	}
	return alias_if(r, in, in->in[0]);
}

/* The value of a pred slot known here: a uniform constant, or x OP x
 * (fixed point has no NaN); -1 if not known. */
static int
known_pred(const struct rw *r, uint32_t s)
{
	const struct spu_insn *d = rw_def(r, s);
	double v;

	if (rw_const_uniform(r, s, &v))
		return v != 0;
	if (d == NULL || d->nin != 2 || d->in[0] != d->in[1])
		return -1;
	switch (d->op) {
	case SPU_OP_EQ: case SPU_OP_LE: case SPU_OP_GE:
		return 1;
	case SPU_OP_NE: case SPU_OP_LT: case SPU_OP_GT:
		return 0;
	default:
		return -1;
	}
}

static int
simp_select(struct rw *r, struct spu_insn *in)
{
	const struct spu_insn *d;
	int v;

	if (in->in[1] == in->in[2] && alias_if(r, in, in->in[1]))
		return 1;
	if ((v = known_pred(r, in->in[0])) >= 0)
		return alias_if(r, in, in->in[v ? 1 : 2]);
	if ((d = def_op(r, in->in[0], SPU_OP_NOT)) != NULL && d->nin == 1 &&
	    d->type[0].dtype == SPU_PRED) {
		uint32_t t = in->in[1];
		const struct spu_type *pt = rw_type(r, d->in[0]);

		if (pt == NULL || !spu_shape_eq(&pt->shape, &d->type[0].shape))
			return 0;
		in->in[0] = d->in[0];
		in->in[1] = in->in[2];
		in->in[2] = t;
		r->changed = 1;
	}
	return 0;
}

/* x op x, public: a constant (fixed point has no NaN).  A secret one
 * is left to its users (known_pred): a constant would have to be
 * shared, which a region run elementwise cannot express. */
static int
self_compare(struct rw *r, struct spu_insn *in)
{
	int v = in->op == SPU_OP_EQ || in->op == SPU_OP_LE ||
	    in->op == SPU_OP_GE;
	uint32_t c;

	if (in->type[0].vis != SPU_PUBLIC || in->type[0].dtype != SPU_PRED)
		return 0;
	if ((c = rw_const(r, SPU_PRED, &in->type[0].shape, v)) ==
	    UINT32_MAX)
		return r->err != 0 ? SPU_ENOMEM : 0;
	rw_alias(r, in, c);
	return 1;
}

/* One instruction; 1 if it was replaced, 0 to keep it, <0 error. */
static int
simp(struct rw *r, struct spu_insn *in)
{
	const struct spu_insn *d, *e;
	uint32_t a, b;
	int fl;

	if (in->nout != 1)
		return 0;
	a = in->nin > 0 ? in->in[0] : 0;
	b = in->nin > 1 ? in->in[1] : 0;
	fl = pass_is_float(&in->type[0]);
	switch (in->op) {
	case SPU_OP_ADD:
		if (rw_is_const(r, b, 0) && alias_if(r, in, a))
			return 1;
		if (rw_is_const(r, a, 0) && alias_if(r, in, b))
			return 1;
		if ((d = def_op(r, b, SPU_OP_NEG)) != NULL) {
			in->op = SPU_OP_SUB;
			swap2(in, a, d->in[0]);
			r->changed = 1;
		} else if ((d = def_op(r, a, SPU_OP_NEG)) != NULL) {
			in->op = SPU_OP_SUB;
			swap2(in, b, d->in[0]);
			r->changed = 1;
		}
		return 0;
	case SPU_OP_SUB:
		if (rw_is_const(r, b, 0) && alias_if(r, in, a))
			return 1;
		if (rw_is_const(r, a, 0))
			return to_unary(r, in, SPU_OP_NEG, b);
		if ((d = def_op(r, b, SPU_OP_NEG)) != NULL) {
			in->op = SPU_OP_ADD;
			swap2(in, a, d->in[0]);
			r->changed = 1;
		}
		return 0;
	case SPU_OP_MUL:
		if (rw_is_const(r, b, 1) && alias_if(r, in, a))
			return 1;
		if (rw_is_const(r, a, 1) && alias_if(r, in, b))
			return 1;
		if (rw_is_const(r, b, -1))
			return to_unary(r, in, SPU_OP_NEG, a);
		if (rw_is_const(r, a, -1))
			return to_unary(r, in, SPU_OP_NEG, b);
		if ((d = def_op(r, a, SPU_OP_NEG)) != NULL &&
		    (e = def_op(r, b, SPU_OP_NEG)) != NULL) {
			swap2(in, d->in[0], e->in[0]);
			r->changed = 1;
		}
		return 0;
	case SPU_OP_DIV:
		if (rw_is_const(r, b, 1) && alias_if(r, in, a))
			return 1;
		if (fl && rw_is_const(r, b, -1))
			return to_unary(r, in, SPU_OP_NEG, a);
		return 0;
	case SPU_OP_NEG:
	case SPU_OP_NOT:
		if ((d = def_op(r, a, in->op)) != NULL &&
		    alias_if(r, in, d->in[0]))
			return 1;
		return 0;
	case SPU_OP_ABS:
		if ((d = def_op(r, a, SPU_OP_ABS)) != NULL &&
		    alias_if(r, in, a))
			return 1;
		if ((d = def_op(r, a, SPU_OP_NEG)) != NULL) {
			in->in[0] = d->in[0];
			r->changed = 1;
		}
		return 0;
	case SPU_OP_MAX:
	case SPU_OP_MIN:
		if (a == b)
			return alias_if(r, in, a);
		/* max(x, -inf), min(x, +inf): JAX's softmax guard */
		if (fl && rw_is_const(r, b, in->op == SPU_OP_MAX ? -INFINITY :
		    INFINITY) && alias_if(r, in, a))
			return 1;
		if (fl && rw_is_const(r, a, in->op == SPU_OP_MAX ? -INFINITY :
		    INFINITY) && alias_if(r, in, b))
			return 1;
		return 0;
	case SPU_OP_AND:
	case SPU_OP_OR:
		/* pred only: x & true, x | false -> x */
		if (in->type[0].dtype != SPU_PRED)
			return 0;
		if (known_pred(r, b) == (in->op == SPU_OP_AND) &&
		    alias_if(r, in, a))
			return 1;
		if (known_pred(r, a) == (in->op == SPU_OP_AND) &&
		    alias_if(r, in, b))
			return 1;
		return a == b ? alias_if(r, in, a) : 0;
	case SPU_OP_EQ: case SPU_OP_NE: case SPU_OP_LT: case SPU_OP_LE:
	case SPU_OP_GT: case SPU_OP_GE:
		return a == b ? self_compare(r, in) : 0;
	case SPU_OP_SELECT:
		return in->nin == 3 ? simp_select(r, in) : 0;
	case SPU_OP_TRANSPOSE:
		return in->nin == 1 ? simp_transpose(r, in) : 0;
	case SPU_OP_RESHAPE:
		return in->nin == 1 ? simp_reshape(r, in) : 0;
	case SPU_OP_BROADCAST:
		return in->nin == 1 ? simp_broadcast(r, in) : 0;
	case SPU_OP_CONVERT:
		return in->nin == 1 ? simp_convert(r, in) : 0;
	case SPU_OP_SLICE:
	case SPU_OP_PAD:
	case SPU_OP_CONCAT:
		return simp_noop(r, in);
	default:
		return 0;
	}
}

static void
simplify_func(struct rw *r)
{
	for (uint32_t i = 0; i < r->nold && r->err == 0; i++) {
		struct spu_insn in;
		int rc;

		rw_take(r, i, &in);
		rc = simp(r, &in);
		if (rc < 0) {
			r->err = spu_fail(r->d, SPU_ENOMEM, "out of memory");
			pass_insn_free(&in);
		} else if (rc == 0) {
			rw_keep(r, &in);
		}
	}
}

int
pass_simplify(struct spu_program *p, struct spu_diag *d)
{
	return pass_each_func(p, d, simplify_func);
}
