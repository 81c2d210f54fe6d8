/*
 * pass_select.c - select optimization (pass "select"; SPU's
 * optimize-select).
 *
 * With a secret predicate p (0/1 shared arithmetically), the VM runs
 * select(p, x, y) as y + p * (x - y).  When one side is the constant 0:
 *
 *   select(p, x, 0) -> p * x
 *   select(p, 0, y) -> not(p) * y
 *
 * a multiplication of a pred by the value, which the VM does without a
 * truncation (only float x float products rescale), and without the
 * subtraction and addition.  Same value for every finite x.  The
 * predicate must have the value's shape (a scalar predicate is left to
 * the VM's select).
 */
#include "config.h"

#include "pass.h"

static void
select_one(struct rw *r, struct spu_insn *in)
{
	const struct spu_type *pt = rw_type(r, in->in[0]), *xt;
	uint32_t x, p = in->in[0];
	int neg;

	if (pt == NULL || pt->vis != SPU_SECRET || pt->dtype != SPU_PRED ||
	    !spu_shape_eq(&pt->shape, &in->type[0].shape))
		return;
	if (rw_is_const(r, in->in[2], 0)) {
		x = in->in[1];
		neg = 0;
	} else if (rw_is_const(r, in->in[1], 0)) {
		x = in->in[2];
		neg = 1;
	} else {
		return;
	}
	if ((xt = rw_type(r, x)) == NULL ||
	    !spu_shape_eq(&xt->shape, &in->type[0].shape) ||
	    xt->dtype != in->type[0].dtype || in->type[0].dtype == SPU_PRED)
		return;
	if (neg && (p = rw_emit(r, SPU_OP_NOT, &p, 1, pt, NULL)) ==
	    UINT32_MAX)
		return;
	in->op = SPU_OP_MUL;
	in->in[0] = p;
	in->in[1] = x;
	in->nin = 2;
	r->changed = 1;
}

static void
select_func(struct rw *r)
{
	for (uint32_t i = 0; i < r->nold && r->err == 0; i++) {
		struct spu_insn in;

		rw_take(r, i, &in);
		if (in.op == SPU_OP_SELECT && in.nin == 3 && in.nout == 1)
			select_one(r, &in);
		rw_keep(r, &in);
	}
}

int
pass_select(struct spu_program *p, struct spu_diag *d)
{
	return pass_each_func(p, d, select_func);
}
