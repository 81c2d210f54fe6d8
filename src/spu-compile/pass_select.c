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
 *
 * And a maximum or minimum whose comparison the program already makes
 * (JAX's ReLU: gt(x, 0) for the gradient beside max(x, 0) for the
 * value) reuses it: max(a, b) -> select(gt(a, b), a, b), likewise with
 * ge, lt/le of (b, a), and min with the opposite directions; ties give
 * the same value.  A secret comparison costs a circuit, the select one
 * product; the rule above then makes select(p, x, 0) a product p * x.
 */
#include "config.h"

#include <stdlib.h>

#include "pass.h"
#include "../lib/mem.h"

/* Comparisons seen so far in the function (renamed operands). */
struct cmp_seen {
	enum spu_op op;
	uint32_t a, b, out;
};
struct cmp_table {
	struct cmp_seen *v;
	size_t n, cap;
};

static void
cmp_note(struct cmp_table *t, const struct spu_insn *in)
{
	if (in->nin != 2 || in->nout != 1 || in->type[0].vis != SPU_SECRET)
		return;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct cmp_seen *v = spu_realloc(t->v, cap, sizeof(*v));
		if (v == NULL)
			return;		/* only an optimisation missed */
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = (struct cmp_seen){ in->op, in->in[0], in->in[1],
	    in->out[0] };
}

/* The slot of a comparison p with p ? a : b == max(a, b) (want_max) or
 * min(a, b), or UINT32_MAX. */
static uint32_t
cmp_find(const struct cmp_table *t, uint32_t a, uint32_t b, int want_max)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct cmp_seen *c = &t->v[i];
		int fwd = c->a == a && c->b == b, rev = c->a == b && c->b == a;
		int gt = c->op == SPU_OP_GT || c->op == SPU_OP_GE;
		int lt = c->op == SPU_OP_LT || c->op == SPU_OP_LE;
		if (want_max ? (fwd && gt) || (rev && lt) :
		    (fwd && lt) || (rev && gt))
			return c->out;
	}
	return UINT32_MAX;
}

/* max/min(a, b) -> select(p, a, b) with an existing comparison p. */
static int
minmax_one(struct rw *r, struct spu_insn *in, const struct cmp_table *t)
{
	const struct spu_type *pt;
	uint32_t p, *v;

	if (in->type[0].vis != SPU_SECRET || in->nin != 2)
		return 0;
	p = cmp_find(t, in->in[0], in->in[1], in->op == SPU_OP_MAX);
	if (p == UINT32_MAX || (pt = rw_type(r, p)) == NULL ||
	    !spu_shape_eq(&pt->shape, &in->type[0].shape))
		return 0;
	if ((v = spu_realloc(in->in, 3, sizeof(*v))) == NULL)
		return 0;
	v[2] = v[1];
	v[1] = v[0];
	v[0] = p;
	in->in = v;
	in->nin = 3;
	in->op = SPU_OP_SELECT;
	r->changed = 1;
	return 1;
}

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
	struct cmp_table t = { NULL, 0, 0 };

	for (uint32_t i = 0; i < r->nold && r->err == 0; i++) {
		struct spu_insn in;

		rw_take(r, i, &in);
		switch (in.op) {
		case SPU_OP_GT: case SPU_OP_GE: case SPU_OP_LT: case SPU_OP_LE:
			cmp_note(&t, &in);
			break;
		case SPU_OP_MAX: case SPU_OP_MIN:
			if (in.nout == 1 && minmax_one(r, &in, &t))
				select_one(r, &in);
			break;
		case SPU_OP_SELECT:
			if (in.nin == 3 && in.nout == 1)
				select_one(r, &in);
			break;
		default:
			break;
		}
		rw_keep(r, &in);
	}
	free(t.v);
}

int
pass_select(struct spu_program *p, struct spu_diag *d)
{
	return pass_each_func(p, d, select_func);
}
