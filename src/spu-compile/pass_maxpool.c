/*
 * pass_maxpool.c - max pooling and its gradient in argmax form (pass
 * "maxpool"; SPU's max-pool + select-and-scatter rewrite).
 *
 * JAX's max pooling is a REDUCE_WINDOW max of x with init -inf, and its
 * gradient a SELECT_AND_SCATTER of x with a GE (or GT) select and an
 * add scatter over the same windows: each compares inside every window
 * of the same x again, W - 1 secret comparisons per window of W
 * elements.  When both are in one function, on the same secret float x,
 * with the same window, strides and padding and no dilation:
 *
 *   m = reduce_window(x, -inf)    ->  (m, oh) = argmax_window(x, -inf)
 *                                      (select region of the
 *                                      select-and-scatter; oh a secret
 *                                      pred one-hot [windows.., W])
 *   d = select_and_scatter(x, g, c) ->  b = broadcast(g) [windows.., W]
 *                                       p = mul(oh, b)
 *                                       d = window_scatter(p, c)
 *
 * The comparisons run once, in the forward pass, whose tournament picks
 * the element the select would (so ties go the same way); the maximum
 * is the picked element (padding is never picked; a window of padding
 * only gives init, as the max does with init -inf).  The backward pass
 * is one product of a pred by a float (no truncation) and local
 * additions.  Every select-and-scatter matching one max pool (with
 * the same tie rule as the first one paired with it) is rewritten; one
 * that matches none is left alone.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "pass.h"

/* Per old instruction: for a REDUCE_WINDOW, 1 when a select-and-scatter
 * pairs with it; for a SELECT_AND_SCATTER, its REDUCE_WINDOW + 1. */
struct pool {
	uint32_t *pair;
	uint32_t *mask;		/* REDUCE_WINDOW: one-hot slot, or
				 * UINT32_MAX when not rewritten */
	uint32_t *sel;		/* REDUCE_WINDOW: the select region */
};

static const enum spu_attr_key geom[] = { SPU_ATTR_WINDOW,
    SPU_ATTR_WSTRIDE, SPU_ATTR_PAD_LO, SPU_ATTR_PAD_HI };

/* No dilation: attribute k absent or all ones. */
static int
undilated(const struct spu_insn *in, enum spu_attr_key k)
{
	const struct spu_attr *a = spu_insn_attr(in, k);

	for (uint32_t i = 0; a != NULL && i < a->n; i++)
		if (a->v[i] != 1)
			return 0;
	return 1;
}

/* Elements per window, 0 when the window attribute is unusable. */
static int64_t
window_elems(const struct spu_insn *in, int rank)
{
	const struct spu_attr *w = spu_insn_attr(in, SPU_ATTR_WINDOW);
	int64_t n = 1;

	if (w == NULL || (int)w->n != rank)
		return 0;
	for (uint32_t i = 0; i < w->n; i++) {
		if (w->v[i] < 1 || w->v[i] > SPU_MAX_ELEMS / n)
			return 0;
		n *= w->v[i];
	}
	return n;
}

static int
max_reducer(const struct spu_program *p, const struct spu_insn *in)
{
	const struct spu_attr *a = spu_insn_attr(in, SPU_ATTR_REDUCER);

	if (a != NULL && a->n == 1 && a->v[0] == SPU_REDUCE_MAX)
		return 1;
	return (a == NULL || (a->n == 1 && a->v[0] == SPU_REDUCE_CALL)) &&
	    in->nfunc == 1 && pass_region_binop(p, in->func[0], SPU_OP_MAX);
}

/* A select that keeps the current element when it is at least (or
 * more than) the next: ge(a, b) or gt(a, b); the op, or 0. */
static int
max_select(const struct spu_program *p, uint32_t f)
{
	if (pass_region_binop(p, f, SPU_OP_GE))
		return SPU_OP_GE;
	if (pass_region_binop(p, f, SPU_OP_GT))
		return SPU_OP_GT;
	return 0;
}

/* The type of slot s in the old list (before its definition is taken),
 * or NULL. */
static const struct spu_type *
old_type(const struct rw *r, uint32_t before, uint32_t s)
{
	for (uint32_t i = 0; i < before; i++)
		for (uint32_t k = 0; k < r->old[i].nout; k++)
			if (r->old[i].out[k] == s)
				return &r->old[i].type[k];
	return NULL;
}

/* Do old instructions i (REDUCE_WINDOW) and j (SELECT_AND_SCATTER)
 * pool the same secret float operand over the same windows? */
static int
pairs(const struct rw *r, uint32_t i, uint32_t j)
{
	const struct spu_insn *a = &r->old[i], *b = &r->old[j];
	const struct spu_type *xt, *st;

	if (a->op != SPU_OP_REDUCE_WINDOW || a->nin != 2 || a->nout != 1 ||
	    b->op != SPU_OP_SELECT_AND_SCATTER || b->nin != 3 ||
	    b->nout != 1 || b->nfunc != 2 || a->in[0] != b->in[0] ||
	    !max_reducer(r->p, a) || !max_select(r->p, b->func[0]) ||
	    !pass_region_binop(r->p, b->func[1], SPU_OP_ADD))
		return 0;
	for (size_t k = 0; k < sizeof(geom) / sizeof(geom[0]); k++)
		if (!pass_attr_same(a, b, geom[k]))
			return 0;
	if (!undilated(a, SPU_ATTR_BASE_DILATE) ||
	    !undilated(a, SPU_ATTR_WIN_DILATE) ||
	    !undilated(b, SPU_ATTR_BASE_DILATE) ||
	    !undilated(b, SPU_ATTR_WIN_DILATE))
		return 0;
	if ((xt = old_type(r, i, a->in[0])) == NULL ||
	    (st = old_type(r, j, b->in[1])) == NULL ||
	    xt->vis != SPU_SECRET || !pass_is_float(xt) ||
	    xt->shape.ndim >= SPU_MAX_DIMS ||
	    a->type[0].shape.ndim != xt->shape.ndim ||
	    window_elems(a, xt->shape.ndim) < 1 ||
	    !spu_shape_eq(&st->shape, &a->type[0].shape) ||
	    !pass_type_eq(&b->type[0], xt))
		return 0;
	return 1;
}

/* Init -inf (or the lowest finite float). */
static int
minus_inf(const struct rw *r, uint32_t s)
{
	double v;

	return rw_const_uniform(r, s, &v) && v <= -FLT_MAX;
}

/* REDUCE_WINDOW -> ARGMAX_WINDOW with a second result, the one-hot. */
static void
to_argmax(struct rw *r, struct spu_insn *in, uint32_t sel, uint32_t *mask)
{
	struct spu_type ot = in->type[0];
	uint32_t *out, *fn, s;
	struct spu_type *ty;

	if ((s = rw_new_slot(r)) == UINT32_MAX)
		return;
	out = spu_realloc(in->out, 2, sizeof(*out));
	if (out != NULL)
		in->out = out;
	ty = spu_realloc(in->type, 2, sizeof(*ty));
	if (ty != NULL)
		in->type = ty;
	fn = spu_realloc(in->func, 1, sizeof(*fn));
	if (fn != NULL)
		in->func = fn;
	if (out == NULL || ty == NULL || fn == NULL) {
		r->err = spu_fail(r->d, SPU_ENOMEM, "out of memory");
		return;
	}
	pass_attr_del(in, SPU_ATTR_REDUCER);
	in->op = SPU_OP_ARGMAX_WINDOW;
	in->nout = 2;
	in->out[1] = s;
	in->type[1] = ot;
	in->type[1].dtype = SPU_PRED;
	in->type[1].vis = SPU_SECRET;
	in->type[1].shape.dim[in->type[1].shape.ndim++] =
	    window_elems(in, ot.shape.ndim);
	in->nfunc = 1;
	in->func[0] = sel;
	*mask = s;
	r->changed = 1;
}

/* SELECT_AND_SCATTER(x, g, c) -> window_scatter(mul(oh, broadcast(g)),
 * c); returns the result slot or UINT32_MAX. */
static uint32_t
to_scatter(struct rw *r, const struct spu_insn *in, uint32_t mask)
{
	const struct spu_type *mt = rw_type(r, mask), *gt;
	struct spu_type bt, pt;
	int64_t dims[SPU_MAX_DIMS];
	uint32_t b, pr[2], p, two[2];

	if (mt == NULL || (gt = rw_type(r, in->in[1])) == NULL)
		return UINT32_MAX;
	bt = *mt;
	bt.dtype = gt->dtype;
	bt.vis = gt->vis;
	for (int k = 0; k < gt->shape.ndim; k++)
		dims[k] = k;
	if ((b = rw_emit(r, SPU_OP_BROADCAST, &in->in[1], 1, &bt, NULL)) ==
	    UINT32_MAX)
		return UINT32_MAX;
	if (pass_attr_set(&r->out[r->nout - 1], SPU_ATTR_DIMS, dims,
	    (uint32_t)gt->shape.ndim) != 0) {
		r->err = spu_fail(r->d, SPU_ENOMEM, "out of memory");
		return UINT32_MAX;
	}
	pt = bt;
	pt.dtype = in->type[0].dtype;
	pt.vis = SPU_SECRET;
	pr[0] = mask;
	pr[1] = b;
	if ((p = rw_emit(r, SPU_OP_MUL, pr, 2, &pt, NULL)) == UINT32_MAX)
		return UINT32_MAX;
	two[0] = p;
	two[1] = in->in[2];
	return rw_emit(r, SPU_OP_WINDOW_SCATTER, two, 2, &in->type[0], in);
}

static void
maxpool_func(struct rw *r)
{
	struct pool *pl = r->ctx;
	uint32_t n = r->nold;

	pl->pair = spu_calloc(n + 1, sizeof(*pl->pair));
	pl->mask = spu_calloc(n + 1, sizeof(*pl->mask));
	pl->sel = spu_calloc(n + 1, sizeof(*pl->sel));
	if (pl->pair == NULL || pl->mask == NULL || pl->sel == NULL) {
		r->err = spu_fail(r->d, SPU_ENOMEM, "out of memory");
		goto out;
	}
	/* pair every select-and-scatter with the first matching pool */
	for (uint32_t j = 0; j < n; j++) {
		if (r->old[j].op != SPU_OP_SELECT_AND_SCATTER)
			continue;
		for (uint32_t i = 0; i < j; i++)
			if (r->old[i].op == SPU_OP_REDUCE_WINDOW &&
			    pairs(r, i, j) && (!pl->pair[i] ||
			    max_select(r->p, pl->sel[i]) ==
			    max_select(r->p, r->old[j].func[0]))) {
				if (!pl->pair[i]) {
					pl->pair[i] = 1;
					pl->sel[i] = r->old[j].func[0];
				}
				pl->pair[j] = i + 1;
				break;
			}
	}
	for (uint32_t i = 0; i < n; i++)
		pl->mask[i] = UINT32_MAX;
	for (uint32_t i = 0; i < n && r->err == 0; i++) {
		struct spu_insn in;
		uint32_t z;

		rw_take(r, i, &in);
		if (in.op == SPU_OP_REDUCE_WINDOW && pl->pair[i] &&
		    minus_inf(r, in.in[1]))
			to_argmax(r, &in, pl->sel[i], &pl->mask[i]);
		else if (in.op == SPU_OP_SELECT_AND_SCATTER && pl->pair[i] &&
		    pl->mask[pl->pair[i] - 1] != UINT32_MAX &&
		    (z = to_scatter(r, &in, pl->mask[pl->pair[i] - 1])) !=
		    UINT32_MAX) {
			rw_alias(r, &in, z);
			continue;
		}
		rw_keep(r, &in);
	}
out:
	free(pl->pair);
	free(pl->mask);
	free(pl->sel);
	memset(pl, 0, sizeof(*pl));
}

int
pass_maxpool(struct spu_program *p, struct spu_diag *d)
{
	struct pool pl;

	memset(&pl, 0, sizeof(pl));
	return pass_each_func_ctx(p, d, maxpool_func, &pl);
}
