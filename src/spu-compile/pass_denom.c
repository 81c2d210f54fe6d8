/*
 * pass_denom.c - denominator with broadcast (pass "denom", opt-in; SPU's
 * optimize-denominator-with-broadcast, also opt-in there).
 *
 *   x / broadcast(y) -> x * broadcast(reciprocal(y)), y secret float
 *
 * One secret reciprocal per element of y instead of one division per
 * element of x: for a softmax over rows of n, n times fewer.  The
 * product with a fixed-point reciprocal is less precise than the VM's
 * division when y is large (1/y has f fraction bits), which is why the
 * pass is not run unless asked for.
 */
#include "config.h"

#include "pass.h"

static void
denom_one(struct rw *r, struct spu_insn *in)
{
	const struct spu_insn *b = rw_def(r, in->in[1]);
	const struct spu_type *yt;
	struct spu_type bt;
	struct spu_insn src;
	uint32_t y, q;

	if (b == NULL || b->op != SPU_OP_BROADCAST || b->nin != 1 ||
	    b->nout != 1 || (yt = rw_type(r, b->in[0])) == NULL ||
	    yt->vis != SPU_SECRET || !pass_is_float(yt) ||
	    spu_shape_numel(&yt->shape) >= spu_shape_numel(&b->type[0].shape))
		return;
	y = b->in[0];
	bt = b->type[0];
	if (pass_insn_copy(&src, b) != 0) {
		r->err = spu_fail(r->d, SPU_ENOMEM, "out of memory");
		return;
	}
	{
		struct spu_type t = *yt;

		if ((q = rw_emit(r, SPU_OP_RECIPROCAL, &y, 1, &t, NULL)) !=
		    UINT32_MAX)
			q = rw_emit(r, SPU_OP_BROADCAST, &q, 1, &bt, &src);
	}
	pass_insn_free(&src);
	if (q == UINT32_MAX)
		return;
	in->op = SPU_OP_MUL;
	in->in[1] = q;
	r->changed = 1;
}

static void
denom_func(struct rw *r)
{
	for (uint32_t i = 0; i < r->nold && r->err == 0; i++) {
		struct spu_insn in;

		rw_take(r, i, &in);
		if (in.op == SPU_OP_DIV && in.nin == 2 && in.nout == 1 &&
		    pass_is_float(&in.type[0]))
			denom_one(r, &in);
		rw_keep(r, &in);
	}
}

int
pass_denom(struct spu_program *p, struct spu_diag *d)
{
	return pass_each_func(p, d, denom_func);
}
