/*
 * pass_trunc.c - truncation elision (pass "trunc"; SPU's
 * lower-mixed-type-op, convert-push-down and reduce-truncation).
 *
 * The VM's fixed point is type-directed: a MUL or MATMUL of two float
 * operands is followed by a truncation (a protocol step on secrets,
 * with its error), a float times an integer is not.  So:
 *
 *   x * c, c a float constant whose elements are all integers below
 *     2^31 in magnitude -> x * c' with c' the same constant as s32
 *     (through the broadcasts/reshapes/transposes that carry it), for
 *     MUL and MATMUL with a secret x;
 *   convert(a) * y, a an integer or pred, y float, possibly with layout
 *     ops between the convert and the product -> a' * y with the layout
 *     ops applied to a (the convert pushed down past them); MUL and
 *     MATMUL;
 *   (s * p0) * p1, p0 and p1 public floats, s secret, the inner product
 *     used once -> s * (p0 * p1): one secret truncation instead of two.
 *
 * The values are the same (an integer-valued float constant or a
 * converted integer is exact); only a rounding step goes away.  A
 * product of two integers with a float result would not be, so one
 * side always stays float.
 */
#include "config.h"

#include <math.h>

#include "pass.h"

#define CHAIN_MAX 8

static int
is_layout(enum spu_op op)
{
	return op == SPU_OP_BROADCAST || op == SPU_OP_RESHAPE ||
	    op == SPU_OP_TRANSPOSE;
}

static double
ident(double v)
{
	return v;
}

static int
integral_const(const struct rw *r, uint32_t s)
{
	const struct spu_insn *c = rw_const_root(r, s);
	int64_t n;

	if (c == NULL || c->lit_f == NULL ||
	    (n = spu_shape_numel(&c->type[0].shape)) <= 0)
		return 0;
	for (int64_t k = 0; k < n; k++) {
		double v = c->lit_f[k];

		if (!isfinite(v) || v != floor(v) || fabs(v) > 2147483647.0)
			return 0;
	}
	return 1;
}

/* Operand k of in (a MUL or MATMUL): replace an integral float constant
 * by an s32 one.  1 if done. */
static int
int_const(struct rw *r, struct spu_insn *in, int k)
{
	const struct spu_type *xt = rw_type(r, in->in[1 - k]);
	const struct spu_type *ct = rw_type(r, in->in[k]);
	uint32_t s;

	if (xt == NULL || ct == NULL || xt->vis != SPU_SECRET ||
	    !pass_is_float(xt) || !pass_is_float(ct) ||
	    ct->vis != SPU_PUBLIC || !integral_const(r, in->in[k]))
		return 0;
	if ((s = rw_map_const(r, in->in[k], SPU_S32, ident)) == UINT32_MAX)
		return 0;
	in->in[k] = s;
	r->changed = 1;
	return 1;
}

/* Operand k: convert(a) under layout ops -> the layout ops on a. */
static int
push_convert(struct rw *r, struct spu_insn *in, int k)
{
	const struct spu_type *yt = rw_type(r, in->in[1 - k]);
	const struct spu_insn *chain[CHAIN_MAX], *d;
	const struct spu_type *at;
	uint32_t s = in->in[k], a;
	int n = 0;

	if (yt == NULL || !pass_is_float(yt))
		return 0;
	for (;;) {
		if ((d = rw_def(r, s)) == NULL || d->nout != 1 || d->nin != 1)
			return 0;
		if (d->op == SPU_OP_CONVERT)
			break;
		if (!is_layout(d->op) || n == CHAIN_MAX)
			return 0;
		chain[n++] = d;
		s = d->in[0];
	}
	a = d->in[0];
	if (!pass_is_float(&d->type[0]) || (at = rw_type(r, a)) == NULL ||
	    pass_is_float(at))
		return 0;
	/* innermost first; chain[] points into the new list, which grows:
	 * keep indices instead */
	{
		uint32_t idx[CHAIN_MAX];
		enum spu_dtype dt = at->dtype;

		for (int j = 0; j < n; j++)
			idx[j] = (uint32_t)(chain[j] - r->out);
		for (int j = n - 1; j >= 0; j--) {
			struct spu_insn src;
			struct spu_type t;

			if (pass_insn_copy(&src, &r->out[idx[j]]) != 0) {
				r->err = spu_fail(r->d, SPU_ENOMEM,
				    "out of memory");
				return 0;
			}
			t = src.type[0];
			t.dtype = dt;
			a = rw_emit(r, src.op, &a, 1, &t, &src);
			pass_insn_free(&src);
			if (a == UINT32_MAX)
				return 0;
		}
	}
	in->in[k] = a;
	r->changed = 1;
	return 1;
}

static int
public_float(const struct rw *r, uint32_t s)
{
	const struct spu_type *t = rw_type(r, s);

	return t != NULL && t->vis == SPU_PUBLIC && pass_is_float(t);
}

static int
secret_float(const struct rw *r, uint32_t s)
{
	const struct spu_type *t = rw_type(r, s);

	return t != NULL && t->vis == SPU_SECRET && pass_is_float(t);
}

/* (s * p0) * p1 -> s * (p0 * p1) */
static void
reassoc(struct rw *r, struct spu_insn *in)
{
	for (int k = 0; k < 2; k++) {
		uint32_t inner = in->in[k], p1 = in->in[1 - k], pr[2], q;
		const struct spu_insn *d = rw_def(r, inner);
		const struct spu_type *pt;
		int j;

		if (d == NULL || d->op != SPU_OP_MUL || d->nin != 2 ||
		    d->nout != 1 || rw_uses(r, inner) != 1 ||
		    !public_float(r, p1) || !secret_float(r, inner))
			continue;
		if (public_float(r, d->in[0]) && secret_float(r, d->in[1]))
			j = 0;
		else if (public_float(r, d->in[1]) &&
		    secret_float(r, d->in[0]))
			j = 1;
		else
			continue;
		pr[0] = d->in[j];
		pr[1] = p1;
		q = d->in[1 - j];
		if ((pt = rw_type(r, pr[0])) == NULL ||
		    !spu_shape_eq(&pt->shape, &in->type[0].shape))
			continue;
		{
			struct spu_type t = *pt;
			double v0, v1;

			if (rw_const_uniform(r, pr[0], &v0) &&
			    rw_const_uniform(r, pr[1], &v1))
				pr[0] = rw_const(r, t.dtype, &t.shape, v0 * v1);
			else
				pr[0] = rw_emit(r, SPU_OP_MUL, pr, 2, &t, NULL);
			if (pr[0] == UINT32_MAX)
				return;
		}
		in->in[0] = q;
		in->in[1] = pr[0];
		r->changed = 1;
		return;
	}
}

static void
trunc_func(struct rw *r)
{
	for (uint32_t i = 0; i < r->nold && r->err == 0; i++) {
		struct spu_insn in;

		rw_take(r, i, &in);
		if ((in.op == SPU_OP_MUL || in.op == SPU_OP_MATMUL) &&
		    in.nin == 2 && in.nout == 1 && pass_is_float(&in.type[0])) {
			if (in.op == SPU_OP_MUL)
				reassoc(r, &in);
			for (int k = 0; k < 2; k++)
				if (!int_const(r, &in, k))
					push_convert(r, &in, k);
		}
		rw_keep(r, &in);
	}
}

int
pass_trunc(struct spu_program *p, struct spu_diag *d)
{
	return pass_each_func(p, d, trunc_func);
}
