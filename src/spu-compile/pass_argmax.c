/*
 * pass_argmax.c - max/min reductions written with compare and select,
 * and argmax/argmin (pass "argmax"; in the spirit of SPU's
 * optimize-maxpool, which turns reduce-window max plus
 * select-and-scatter into argmax form).
 *
 *   - A REDUCE or REDUCE_WINDOW whose region is select(a > b, a, b)
 *     (or >=, <, <=, either select order, with or without JAX's NaN test
 *     a != a or-ed in) gets the MAX or MIN reducer kind: the VM's
 *     kernel, one comparison per element folded, instead of running
 *     the region.
 *   - An argmax or argmin, the variadic REDUCE (x, iota, init, 0) whose
 *     region picks (value, index) pairs by select(a > b, ...), already
 *     computes max(x) (or min) as its first result.  A later MAX (MIN)
 *     reduction of the same x over the same dimensions with the same
 *     initial value is replaced by that result: n - 1 comparisons per
 *     row saved.  (JAX emits both for jnp.max next to jnp.argmax; XLA's
 *     ReplaceReduceMinWithReduceArgMin pattern.)
 *
 * The region's NaN tests are dropped by pass "simplify" (x != x is
 * false in fixed point), which also makes the argmax region cheaper.
 */
#include "config.h"

#include <string.h>

#include "pass.h"

/* Is p "a OP b" (or "(a OP b) | (a != a)" / "| (b != b)") with a, b
 * parameters pa and pb?  Returns SPU_REDUCE_MAX when p true means a is
 * the larger, SPU_REDUCE_MIN when a is the smaller, 0 otherwise. */
static int
pick(const struct spu_func *fn, uint32_t p, int pa, int pb)
{
	const struct spu_insn *c = pass_func_def(fn, p);
	int x, y;

	if (c == NULL || c->nin != 2)
		return 0;
	if (c->op == SPU_OP_OR) {
		for (int k = 0; k < 2; k++) {
			const struct spu_insn *n;

			n = pass_func_def(fn, c->in[1 - k]);

			if (n != NULL && n->op == SPU_OP_NE && n->nin == 2 &&
			    n->in[0] == n->in[1] &&
			    (pass_func_param(fn, n->in[0]) == pa ||
			    pass_func_param(fn, n->in[0]) == pb))
				return pick(fn, c->in[k], pa, pb);
		}
		return 0;
	}
	x = pass_func_param(fn, c->in[0]);
	y = pass_func_param(fn, c->in[1]);
	if (x == pb && y == pa) {	/* b OP a */
		switch (c->op) {
		case SPU_OP_GT: return SPU_REDUCE_MIN;
		case SPU_OP_GE: return SPU_REDUCE_MIN;
		case SPU_OP_LT: return SPU_REDUCE_MAX;
		case SPU_OP_LE: return SPU_REDUCE_MAX;
		default: return 0;
		}
	}
	if (x != pa || y != pb)
		return 0;
	switch (c->op) {
	case SPU_OP_GT: case SPU_OP_GE: return SPU_REDUCE_MAX;
	case SPU_OP_LT: case SPU_OP_LE: return SPU_REDUCE_MIN;
	default: return 0;
	}
}

/* Result slot s of fn is max or min of parameters pa and pb. */
static int
minmax_of(const struct spu_func *fn, uint32_t s, int pa, int pb)
{
	const struct spu_insn *sel = pass_func_def(fn, s);
	int a, b, k;

	if (sel == NULL || sel->op != SPU_OP_SELECT || sel->nin != 3)
		return 0;
	a = pass_func_param(fn, sel->in[1]);
	b = pass_func_param(fn, sel->in[2]);
	if (a == pa && b == pb)
		return pick(fn, sel->in[0], pa, pb);
	if (a == pb && b == pa) {
		k = pick(fn, sel->in[0], pa, pb);
		return k == SPU_REDUCE_MAX ? SPU_REDUCE_MIN :
		    k == SPU_REDUCE_MIN ? SPU_REDUCE_MAX : 0;
	}
	return 0;
}

/* The region's kind: for 2 parameters, max/min of them; for 4
 * (v0, i0, v1, i1), its first result max/min of v0 and v1. */
static int
region_kind(const struct spu_program *p, uint32_t f, uint32_t nparams)
{
	const struct spu_func *fn;

	if (f >= p->nfuncs || (fn = &p->funcs[f])->nparams != nparams ||
	    fn->nouts != nparams / 2 || fn->nouts < 1)
		return 0;
	return minmax_of(fn, fn->outs[0], 0, nparams / 2);
}

static int64_t
reducer(const struct spu_insn *in)
{
	const struct spu_attr *a = spu_insn_attr(in, SPU_ATTR_REDUCER);

	return a != NULL && a->n == 1 ? a->v[0] : -1;
}

/* A kernel MAX/MIN reduce of x: an earlier argmax/argmin of x? */
static int
reuse(struct rw *r, struct spu_insn *in)
{
	int64_t kind = reducer(in);
	double v0, v1;

	if (in->op != SPU_OP_REDUCE || in->nin != 2 || in->nfunc != 0 ||
	    (kind != SPU_REDUCE_MAX && kind != SPU_REDUCE_MIN) ||
	    !rw_const_uniform(r, in->in[1], &v0))
		return 0;
	for (uint32_t j = r->nout; j-- > 0;) {
		const struct spu_insn *v = &r->out[j];

		if (v->op != SPU_OP_REDUCE || v->nin != 4 || v->nout != 2 ||
		    v->nfunc != 1 || v->in[0] != in->in[0] ||
		    !pass_attr_same(v, in, SPU_ATTR_DIMS) ||
		    !pass_type_eq(&v->type[0], &in->type[0]) ||
		    !rw_const_uniform(r, v->in[2], &v1) || v1 != v0 ||
		    region_kind(r->p, v->func[0], 4) != kind)
			continue;
		rw_alias(r, in, v->out[0]);
		return 1;
	}
	return 0;
}

static void
argmax_func(struct rw *r)
{
	for (uint32_t i = 0; i < r->nold && r->err == 0; i++) {
		struct spu_insn in;
		int kind;

		rw_take(r, i, &in);
		if ((in.op == SPU_OP_REDUCE || in.op == SPU_OP_REDUCE_WINDOW) &&
		    in.nin == 2 && in.nout == 1 && in.nfunc == 1 &&
		    (kind = region_kind(r->p, in.func[0], 2)) != 0) {
			int64_t kv = kind;

			if (pass_attr_set(&in, SPU_ATTR_REDUCER, &kv, 1) != 0) {
				r->err = spu_fail(r->d, SPU_ENOMEM,
				    "out of memory");
				pass_insn_free(&in);
				break;
			}
			in.nfunc = 0;
			r->changed = 1;
		}
		if (reuse(r, &in))
			continue;
		rw_keep(r, &in);
	}
}

int
pass_argmax(struct spu_program *p, struct spu_diag *d)
{
	return pass_each_func(p, d, argmax_func);
}
