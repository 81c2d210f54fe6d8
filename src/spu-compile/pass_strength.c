/*
 * pass_strength.c - strength reduction for MPC (pass "strength").
 *
 * On secret float values, where a cheaper protocol computes the same:
 *
 *   x / c   -> x * (1/c), c a constant whose reciprocal the fixed point
 *             holds well: every |c| <= 1, or 1/c a multiple of 2^-8
 *             (powers of two up to 256).  The reciprocal is computed
 *             here; pass "trunc" then makes integral ones integers (no
 *             truncation at all).  Other public divisors stay DIV: the
 *             VM divides by a public value with the reciprocal known in
 *             the clear and a normalisation that keeps 2^-f relative
 *             precision, which a fixed-point 1/c (e.g. 1/768 at f = 8)
 *             would not.
 *   1 / y   -> reciprocal(y)
 *   y / sqrt(x)       -> y * rsqrt(x)            (SPU div-sqrt rewrite)
 *   y / (k * sqrt(x)) -> (y / k) * rsqrt(x), k public (y / k itself
 *             a product when k is a constant as above)
 *   pow(x, n), n a constant integer with |n| <= 64 -> products by
 *             repeated squaring (and reciprocal when n < 0);
 *             pow(x, 0.5) -> sqrt(x), pow(x, -0.5) -> rsqrt(x)
 *   1 / (1 + exp(-x)), also as reciprocal(...) or with the addition
 *             commuted -> logistic(x)
 *   x * x, x secret (one slot: the same operand twice) -> square(x),
 *             also for the squarings of pow above: under semi2k one
 *             opening instead of two (half the bytes of a product);
 *             under aby3 the same cost as a product
 *
 * Comparisons against zero stay as they are (the VM's less-than is
 * already the MSB of the difference).  Softmax, exp(x - max) /
 * sum(exp(x - max)), is left alone (the max subtraction keeps exp in
 * range) and only counted by --emit=stats.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pass.h"

static const struct spu_insn *
def_op(const struct rw *r, uint32_t s, enum spu_op op)
{
	const struct spu_insn *d = rw_def(r, s);

	return d != NULL && d->op == op && d->nout == 1 ? d : NULL;
}

static int
secret_float(const struct rw *r, uint32_t s)
{
	const struct spu_type *t = rw_type(r, s);

	return t != NULL && t->vis == SPU_SECRET && pass_is_float(t);
}

static double
recip(double v)
{
	return 1.0 / v;
}

/* Is 1/c held well by the fixed point, for every element? */
static int
friendly_divisor(const struct rw *r, uint32_t s)
{
	const struct spu_insn *c = rw_const_root(r, s);
	int64_t n;

	if (c == NULL || c->lit_f == NULL ||
	    (n = spu_shape_numel(&c->type[0].shape)) <= 0)
		return 0;
	for (int64_t k = 0; k < n; k++) {
		double v = c->lit_f[k], q;

		if (v == 0 || !isfinite(v))
			return 0;
		if (fabs(v) <= 1)
			continue;
		q = 256.0 / v;
		if (q != floor(q))
			return 0;
	}
	return 1;
}

/* 1 + exp(-x): returns x's slot or UINT32_MAX. */
static uint32_t
one_plus_exp_neg(const struct rw *r, uint32_t s)
{
	const struct spu_insn *a = def_op(r, s, SPU_OP_ADD), *e, *n;
	uint32_t other;

	if (a == NULL || a->nin != 2)
		return UINT32_MAX;
	if (rw_is_const(r, a->in[0], 1))
		other = a->in[1];
	else if (rw_is_const(r, a->in[1], 1))
		other = a->in[0];
	else
		return UINT32_MAX;
	if ((e = def_op(r, other, SPU_OP_EXP)) == NULL ||
	    (n = def_op(r, e->in[0], SPU_OP_NEG)) == NULL)
		return UINT32_MAX;
	return n->in[0];
}

static int
make_unary(struct rw *r, struct spu_insn *in, enum spu_op op, uint32_t x)
{
	const struct spu_type *t = rw_type(r, x);

	if (t == NULL || !pass_type_eq(t, &in->type[0]))
		return 0;
	in->op = op;
	in->in[0] = x;
	in->nin = 1;
	r->changed = 1;
	return 1;
}

/* x * x: SQUARE for a secret x, else a MUL; UINT32_MAX on error */
static uint32_t
square(struct rw *r, uint32_t x, const struct spu_type *t)
{
	const struct spu_type *xt = rw_type(r, x);
	uint32_t pr[2] = { x, x };

	if (xt != NULL && xt->vis == SPU_SECRET)
		return rw_emit(r, SPU_OP_SQUARE, &x, 1, t, NULL);
	return rw_emit(r, SPU_OP_MUL, pr, 2, t, NULL);
}

/* x^n for an integer n >= 1 by repeated squaring; UINT32_MAX on error */
static uint32_t
power(struct rw *r, uint32_t x, unsigned n, const struct spu_type *t)
{
	uint32_t acc = UINT32_MAX, sq = x, pr[2];

	for (;;) {
		if (n & 1) {
			if (acc == UINT32_MAX) {
				acc = sq;
			} else {
				pr[0] = acc;
				pr[1] = sq;
				acc = rw_emit(r, SPU_OP_MUL, pr, 2, t, NULL);
			}
		}
		n >>= 1;
		if (n == 0 || r->err != 0)
			break;
		sq = square(r, sq, t);
	}
	return r->err == 0 ? acc : UINT32_MAX;
}

/* 1 if in was replaced by an earlier value */
static int
strength_pow(struct rw *r, struct spu_insn *in)
{
	uint32_t x = in->in[0], y;
	const struct spu_type *xt = rw_type(r, x);
	double e;

	if (xt == NULL || !pass_type_eq(xt, &in->type[0]) ||
	    !pass_is_float(xt) || !rw_const_uniform(r, in->in[1], &e))
		return 0;
	if (e == 0.5) {
		make_unary(r, in, SPU_OP_SQRT, x);
	} else if (e == -0.5) {
		make_unary(r, in, SPU_OP_RSQRT, x);
	} else if (e == floor(e) && fabs(e) >= 1 && fabs(e) <= 64) {
		if ((y = power(r, x, (unsigned)fabs(e), xt)) == UINT32_MAX)
			return 0;
		if (e < 0) {
			make_unary(r, in, SPU_OP_RECIPROCAL, y);
			return 0;
		}
		rw_alias(r, in, y);
		return 1;
	}
	return 0;
}

static void
strength_div(struct rw *r, struct spu_insn *in)
{
	uint32_t y = in->in[0], den = in->in[1], x, s;
	const struct spu_insn *d;
	struct spu_type t;

	if (!pass_is_float(&in->type[0]))
		return;
	/* 1 / (1 + exp(-x)) */
	if (rw_is_const(r, y, 1) &&
	    (x = one_plus_exp_neg(r, den)) != UINT32_MAX &&
	    make_unary(r, in, SPU_OP_LOGISTIC, x))
		return;
	if (rw_is_const(r, y, 1) && make_unary(r, in, SPU_OP_RECIPROCAL, den))
		return;
	if (!secret_float(r, y) && !secret_float(r, den))
		return;
	if (secret_float(r, y) && !secret_float(r, den) &&
	    friendly_divisor(r, den)) {
		const struct spu_type *dt = rw_type(r, den);

		if (dt == NULL || (s = rw_map_const(r, den, dt->dtype,
		    recip)) == UINT32_MAX)
			return;
		in->op = SPU_OP_MUL;
		in->in[1] = s;
		r->changed = 1;
		return;
	}
	/* y / sqrt(x) */
	if ((d = def_op(r, den, SPU_OP_SQRT)) != NULL && d->nin == 1) {
		t = d->type[0];
		x = d->in[0];
		if ((s = rw_emit(r, SPU_OP_RSQRT, &x, 1, &t, NULL)) ==
		    UINT32_MAX)
			return;
		in->op = SPU_OP_MUL;
		in->in[1] = s;
		r->changed = 1;
		return;
	}
	/* y / (k * sqrt(x)), k public */
	if ((d = def_op(r, den, SPU_OP_MUL)) != NULL && d->nin == 2) {
		uint32_t a = d->in[0], b = d->in[1], k, q[2];
		const struct spu_insn *sq;
		const struct spu_type *kt, *yt;

		if ((sq = def_op(r, a, SPU_OP_SQRT)) != NULL)
			k = b;
		else if ((sq = def_op(r, b, SPU_OP_SQRT)) != NULL)
			k = a;
		else
			return;
		if ((kt = rw_type(r, k)) == NULL || kt->vis != SPU_PUBLIC ||
		    (yt = rw_type(r, y)) == NULL)
			return;
		x = sq->in[0];
		t = sq->type[0];
		q[0] = y;
		q[1] = k;
		if ((s = rw_emit(r, SPU_OP_RSQRT, &x, 1, &t, NULL)) ==
		    UINT32_MAX)
			return;
		/* y / k: a product when 1/k is held well */
		if (friendly_divisor(r, k)) {
			if ((q[1] = rw_map_const(r, k, kt->dtype, recip)) ==
			    UINT32_MAX ||
			    (q[0] = rw_emit(r, SPU_OP_MUL, q, 2, yt, NULL)) ==
			    UINT32_MAX)
				return;
		} else if ((q[0] = rw_emit(r, SPU_OP_DIV, q, 2, yt, NULL)) ==
		    UINT32_MAX) {
			return;
		}
		in->op = SPU_OP_MUL;
		in->in[0] = q[0];
		in->in[1] = s;
		r->changed = 1;
	}
}

static void
strength_func(struct rw *r)
{
	for (uint32_t i = 0; i < r->nold && r->err == 0; i++) {
		struct spu_insn in;
		uint32_t x;

		rw_take(r, i, &in);
		if (in.nout == 1 && in.nin == 2 && in.op == SPU_OP_DIV)
			strength_div(r, &in);
		else if (in.nout == 1 && in.nin == 2 && in.op == SPU_OP_POW &&
		    strength_pow(r, &in))
			continue;
		else if (in.nout == 1 && in.nin == 1 &&
		    in.op == SPU_OP_RECIPROCAL &&
		    (x = one_plus_exp_neg(r, in.in[0])) != UINT32_MAX)
			make_unary(r, &in, SPU_OP_LOGISTIC, x);
		else if (in.nout == 1 && in.nin == 2 && in.op == SPU_OP_MUL &&
		    in.in[0] == in.in[1] &&
		    in.type[0].vis == SPU_SECRET)
			make_unary(r, &in, SPU_OP_SQUARE, in.in[0]);
		rw_keep(r, &in);
	}
}

int
pass_strength(struct spu_program *p, struct spu_diag *d)
{
	return pass_each_func(p, d, strength_func);
}
