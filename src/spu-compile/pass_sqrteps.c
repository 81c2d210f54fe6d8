/*
 * pass_sqrteps.c - sqrt plus epsilon (pass "sqrteps", opt-in; SPU's
 * optimize-sqrt-plus-eps).
 *
 *   sqrt(x) + eps -> sqrt(x + eps), eps a public constant with
 *   0 < eps <= EPS_MAX, x secret float
 *
 * The usual guard of a denominator (Adam, normalisation) moved inside
 * the root, where the fixed-point sqrt of a value near 0 is far off.
 * Not the same function (at x = 0 it gives sqrt(eps), not eps), hence
 * opt-in: use it when eps is only there to keep the denominator away
 * from 0.
 */
#include "config.h"

#include "pass.h"

#define EPS_MAX 1e-3

static void
sqrteps_one(struct rw *r, struct spu_insn *in)
{
	for (int k = 0; k < 2; k++) {
		const struct spu_insn *s = rw_def(r, in->in[k]);
		const struct spu_type *xt;
		uint32_t pr[2], q;
		double eps;

		if (s == NULL || s->op != SPU_OP_SQRT || s->nin != 1 ||
		    (xt = rw_type(r, s->in[0])) == NULL ||
		    xt->vis != SPU_SECRET || !pass_is_float(xt) ||
		    !pass_type_eq(xt, &in->type[0]) ||
		    !rw_const_uniform(r, in->in[1 - k], &eps) ||
		    !(eps > 0 && eps <= EPS_MAX))
			continue;
		pr[0] = s->in[0];
		pr[1] = in->in[1 - k];
		{
			struct spu_type t = *xt;

			if ((q = rw_emit(r, SPU_OP_ADD, pr, 2, &t, NULL)) ==
			    UINT32_MAX)
				return;
		}
		in->op = SPU_OP_SQRT;
		in->in[0] = q;
		in->nin = 1;
		r->changed = 1;
		return;
	}
}

static void
sqrteps_func(struct rw *r)
{
	for (uint32_t i = 0; i < r->nold && r->err == 0; i++) {
		struct spu_insn in;

		rw_take(r, i, &in);
		if (in.op == SPU_OP_ADD && in.nin == 2 && in.nout == 1 &&
		    pass_is_float(&in.type[0]))
			sqrteps_one(r, &in);
		rw_keep(r, &in);
	}
}

int
pass_sqrteps(struct spu_program *p, struct spu_diag *d)
{
	return pass_each_func(p, d, sqrteps_func);
}
