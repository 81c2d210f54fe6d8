/*
 * reduce.c - the cleartext evaluator's reductions: the combiners (a known
 * REDUCER kind or a called function) that SCATTER also uses, REDUCE,
 * REDUCE_WINDOW and SELECT_AND_SCATTER, and the argmax form of max
 * pooling, ARGMAX_WINDOW and WINDOW_SCATTER.
 *
 * Elements are combined one at a time in row-major order, starting from
 * the init value: acc = f(acc, x).  Reduce-window treats padding and
 * base-dilation holes as the init value (XLA); select-and-scatter never
 * selects padding, selects the first element of the window and replaces
 * it with each later element e for which select(current, e) is false.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clear_int.h"

int
clear_combiner_init(struct clear_ctx *cx, const struct spu_insn *in,
    uint32_t fk, int allow_replace, uint32_t n, const enum spu_dtype *dt,
    struct clear_combiner *c)
{
	const struct spu_attr *a = spu_insn_attr(in, SPU_ATTR_REDUCER);

	if (n == 0 || n > CLEAR_MAX_VARIADIC)
		return clear_fail(cx, SPU_EFORMAT, "combines %u values "
		    "(1..%d allowed)", n, CLEAR_MAX_VARIADIC);
	memset(c, 0, sizeof(*c));
	c->n = n;
	memcpy(c->dt, dt, n * sizeof(*dt));
	c->kind = SPU_REDUCE_CALL;
	if (a != NULL) {
		if (a->n != 1)
			return clear_fail(cx, SPU_EFORMAT, "reducer attribute "
			    "needs one value");
		c->kind = (int)a->v[0];
	}
	switch (c->kind) {
	case SPU_REDUCE_CALL:
		if (in->nfunc <= fk)
			return clear_fail(cx, SPU_EFORMAT, "needs a combiner "
			    "function");
		c->func = in->func[fk];
		return 0;
	case SPU_REDUCE_REPLACE:
		if (!allow_replace)
			break;
		return 0;
	case SPU_REDUCE_AND:
	case SPU_REDUCE_OR:
		for (uint32_t k = 0; k < n; k++)
			if (clear_isf(dt[k]))
				return clear_fail(cx, SPU_EUNSUPP, "reducer "
				    "and/or on %s", spu_dtype_name(dt[k]));
		return 0;
	case SPU_REDUCE_ADD: case SPU_REDUCE_MUL:
	case SPU_REDUCE_MAX: case SPU_REDUCE_MIN:
		return 0;
	default:
		break;
	}
	return clear_fail(cx, SPU_EFORMAT, "reducer kind %d not valid here",
	    c->kind);
}

static union clear_elem
combine1(int kind, enum spu_dtype t, union clear_elem a, union clear_elem x)
{
	union clear_elem r;
	uint64_t ua = (uint64_t)a.i, ux = (uint64_t)x.i;
	int u = clear_isu(t);

	if (kind == SPU_REDUCE_REPLACE)
		return x;
	if (clear_isf(t)) {
		switch (kind) {
		case SPU_REDUCE_ADD: r.f = a.f + x.f; break;
		case SPU_REDUCE_MUL: r.f = a.f * x.f; break;
		case SPU_REDUCE_MAX:
			r.f = isnan(a.f) || isnan(x.f) ? NAN :
			    a.f > x.f ? a.f : x.f;
			break;
		default:
			r.f = isnan(a.f) || isnan(x.f) ? NAN :
			    a.f < x.f ? a.f : x.f;
			break;
		}
		return r;
	}
	switch (kind) {
	case SPU_REDUCE_ADD: ua += ux; break;
	case SPU_REDUCE_MUL: ua *= ux; break;
	case SPU_REDUCE_MAX:
		if (u ? ux > ua : x.i > a.i)
			ua = ux;
		break;
	case SPU_REDUCE_MIN:
		if (u ? ux < ua : x.i < a.i)
			ua = ux;
		break;
	case SPU_REDUCE_AND: ua &= ux; break;
	default: ua |= ux; break;
	}
	r.i = clear_wrap(t, ua);
	return r;
}

int
clear_combine(struct clear_ctx *cx, const struct clear_combiner *c,
    union clear_elem *acc, const union clear_elem *x)
{
	enum spu_dtype at[2 * CLEAR_MAX_VARIADIC];
	union clear_elem av[2 * CLEAR_MAX_VARIADIC];

	if (c->kind != SPU_REDUCE_CALL) {
		for (uint32_t k = 0; k < c->n; k++)
			acc[k] = combine1(c->kind, c->dt[k], acc[k], x[k]);
		return 0;
	}
	for (uint32_t k = 0; k < c->n; k++) {
		at[k] = at[c->n + k] = c->dt[k];
		av[k] = acc[k];
		av[c->n + k] = x[k];
	}
	return clear_call_scalars(cx, c->func, at, av, 2 * c->n, c->dt, acc,
	    c->n);
}

/* The init operands as scalars of the result dtypes. */
static int
inits(struct clear_ctx *cx, struct clear_val *const *iv, uint32_t n,
    struct clear_val **r, union clear_elem *init)
{
	for (uint32_t k = 0; k < n; k++) {
		if (iv[k]->n != 1 || iv[k]->shape.ndim != 0)
			return clear_fail(cx, SPU_ESHAPE, "init value %u must "
			    "be a scalar", k);
		if (clear_isf(iv[k]->dtype) != clear_isf(r[k]->dtype))
			return clear_fail(cx, SPU_ESHAPE, "init value %u is "
			    "%s, result %s", k, spu_dtype_name(iv[k]->dtype),
			    spu_dtype_name(r[k]->dtype));
		init[k] = clear_convert(r[k]->dtype, iv[k]->dtype,
		    iv[k]->e[0]);
	}
	return 0;
}

/* Operands x[0..n), all of one shape, coerced to the result dtypes. */
static int
operands(struct clear_ctx *cx, struct clear_val *const *a, uint32_t n,
    struct clear_val **r, struct clear_val **x)
{
	int err;

	for (uint32_t k = 0; k < n; k++) {
		if ((err = clear_check_shape(cx, &a[0]->shape, &a[k]->shape,
		    "an operand")) != 0 ||
		    (err = clear_coerce(cx, a[k], r[k]->dtype, &x[k])) != 0)
			return err;
	}
	return 0;
}

static int
op_reduce(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *x, const union clear_elem *init,
    struct clear_combiner *cb, struct clear_val **r)
{
	const struct spu_shape *xs = &x[0]->shape;
	int64_t map[SPU_MAX_DIMS] = { 0 }, rs[SPU_MAX_DIMS];
	int64_t idx[SPU_MAX_DIMS] = { 0 };
	union clear_elem acc[CLEAR_MAX_VARIADIC], v[CLEAR_MAX_VARIADIC];
	struct spu_shape want;
	const int64_t *d;
	uint32_t nd, n = in->nout;
	unsigned mask = 0;
	int err;

	if ((err = clear_attr_list(cx, in, SPU_ATTR_DIMS, SPU_MAX_DIMS, 0, &d,
	    &nd)) != 0 || (err = clear_check_dims(cx, d, nd, xs->ndim, &mask,
	    "reduced")) != 0)
		return err;
	want.ndim = 0;
	for (int i = 0; i < xs->ndim; i++)
		if (!(mask & (1u << i)))
			want.dim[want.ndim++] = xs->dim[i];
	for (uint32_t k = 0; k < n; k++)
		if ((err = clear_check_shape(cx, &want, &r[k]->shape,
		    "a result")) != 0)
			return err;
	clear_strides(&want, rs);
	for (int i = 0, j = 0; i < xs->ndim; i++)
		if (!(mask & (1u << i)))
			map[i] = rs[j++];
	for (uint32_t k = 0; k < n; k++)
		for (size_t e = 0; e < r[k]->n; e++)
			r[k]->e[e] = init[k];
	for (size_t e = 0; e < x[0]->n; e++) {
		int64_t off = 0;

		for (int i = 0; i < xs->ndim; i++)
			off += idx[i] * map[i];
		for (uint32_t k = 0; k < n; k++) {
			acc[k] = r[k]->e[off];
			v[k] = x[k]->e[e];
		}
		if ((err = clear_combine(cx, cb, acc, v)) != 0)
			return err;
		for (uint32_t k = 0; k < n; k++)
			r[k]->e[off] = acc[k];
		clear_next_index(idx, xs);
	}
	return 0;
}

/* Window attributes and the output shape of a windowed op over s. */
struct window {
	int n;
	int64_t size[SPU_MAX_DIMS], stride[SPU_MAX_DIMS];
	int64_t lo[SPU_MAX_DIMS], hi[SPU_MAX_DIMS];
	int64_t bdil[SPU_MAX_DIMS], wdil[SPU_MAX_DIMS];
	int64_t dilated[SPU_MAX_DIMS];	/* base size after dilation */
	struct spu_shape out;
};

static int
read_window(struct clear_ctx *cx, const struct spu_insn *in,
    const struct spu_shape *s, struct window *w)
{
	uint32_t n = (uint32_t)s->ndim;
	int err;

	w->n = s->ndim;
	if ((err = clear_attr_n(cx, in, SPU_ATTR_WINDOW, n, 1, 1,
	    w->size)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_WSTRIDE, n, 0, 1,
	    w->stride)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_PAD_LO, n, 0, 0, w->lo)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_PAD_HI, n, 0, 0, w->hi)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_BASE_DILATE, n, 0, 1,
	    w->bdil)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_WIN_DILATE, n, 0, 1,
	    w->wdil)) != 0)
		return err;
	w->out.ndim = s->ndim;
	for (int i = 0; i < s->ndim; i++) {
		int64_t padded, eff;

		if (w->size[i] < 0 || w->size[i] > SPU_MAX_ELEMS ||
		    w->stride[i] < 1 || w->stride[i] > SPU_MAX_ELEMS ||
		    w->bdil[i] < 1 || w->bdil[i] > SPU_MAX_ELEMS ||
		    w->wdil[i] < 1 || w->wdil[i] > SPU_MAX_ELEMS ||
		    w->lo[i] < -SPU_MAX_ELEMS || w->lo[i] > SPU_MAX_ELEMS ||
		    w->hi[i] < -SPU_MAX_ELEMS || w->hi[i] > SPU_MAX_ELEMS)
			return clear_fail(cx, SPU_EFORMAT, "window of "
			    "dimension %d out of range", i);
		w->dilated[i] = s->dim[i] > 0 ? (s->dim[i] - 1) * w->bdil[i] +
		    1 : 0;
		padded = w->dilated[i] + w->lo[i] + w->hi[i];
		eff = w->size[i] > 0 ? (w->size[i] - 1) * w->wdil[i] + 1 : 0;
		w->out.dim[i] = padded < eff ? 0 : (padded - eff) /
		    w->stride[i] + 1;
	}
	return 0;
}

/* Offset in the base of window element wi at output o; -1 if it falls
 * on padding or a dilation hole. */
static int64_t
window_at(const struct window *w, const int64_t *bs, const int64_t *o,
    const int64_t *wi)
{
	int64_t off = 0;

	for (int i = 0; i < w->n; i++) {
		int64_t p = o[i] * w->stride[i] + wi[i] * w->wdil[i] - w->lo[i];

		if (p < 0 || p >= w->dilated[i] || p % w->bdil[i] != 0)
			return -1;
		off += p / w->bdil[i] * bs[i];
	}
	return off;
}

static int
op_reduce_window(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *x, const union clear_elem *init,
    struct clear_combiner *cb, struct clear_val **r)
{
	union clear_elem acc[CLEAR_MAX_VARIADIC], v[CLEAR_MAX_VARIADIC];
	int64_t bs[SPU_MAX_DIMS], o[SPU_MAX_DIMS] = { 0 };
	struct spu_shape ws;
	struct window w;
	int64_t nwin;
	uint32_t n = in->nout;
	int err;

	if ((err = read_window(cx, in, &x[0]->shape, &w)) != 0)
		return err;
	for (uint32_t k = 0; k < n; k++)
		if ((err = clear_check_shape(cx, &w.out, &r[k]->shape,
		    "a result")) != 0)
			return err;
	ws.ndim = w.n;
	memcpy(ws.dim, w.size, sizeof(ws.dim));
	if ((nwin = spu_shape_numel(&ws)) < 0)
		return clear_fail(cx, SPU_ELIMIT, "window too large");
	clear_strides(&x[0]->shape, bs);
	for (size_t e = 0; e < r[0]->n; e++) {
		int64_t wi[SPU_MAX_DIMS] = { 0 };

		memcpy(acc, init, n * sizeof(*acc));
		for (int64_t j = 0; j < nwin; j++) {
			int64_t p = window_at(&w, bs, o, wi);

			for (uint32_t k = 0; k < n; k++)
				v[k] = p < 0 ? init[k] : x[k]->e[p];
			if ((err = clear_combine(cx, cb, acc, v)) != 0)
				return err;
			clear_next_index(wi, &ws);
		}
		for (uint32_t k = 0; k < n; k++)
			r[k]->e[e] = acc[k];
		clear_next_index(o, &w.out);
	}
	return 0;
}

static int
op_select_scatter(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val *z)
{
	struct clear_val *x = a[0], *src = NULL;
	struct clear_combiner *cb = NULL;
	int64_t bs[SPU_MAX_DIMS], o[SPU_MAX_DIMS] = { 0 };
	union clear_elem init, pair[2], keep, acc, v;
	enum spu_dtype pt[2] = { x->dtype, x->dtype }, pred = SPU_PRED;
	struct spu_shape ws;
	struct window w;
	int64_t nwin;
	int err;

	if (in->nfunc < 1)
		return clear_fail(cx, SPU_EFORMAT, "needs a select function");
	if ((err = read_window(cx, in, &x->shape, &w)) != 0 ||
	    (err = clear_check_shape(cx, &x->shape, &z->shape,
	    "the result")) != 0 ||
	    (err = clear_check_shape(cx, &w.out, &a[1]->shape,
	    "the source")) != 0 ||
	    (err = inits(cx, a + 2, 1, &z, &init)) != 0)
		return err;
	for (int i = 0; i < w.n; i++)
		if (w.bdil[i] != 1 || w.wdil[i] != 1)
			return clear_fail(cx, SPU_EUNSUPP, "select-and-scatter "
			    "with dilation");
	ws.ndim = w.n;
	memcpy(ws.dim, w.size, sizeof(ws.dim));
	if ((nwin = spu_shape_numel(&ws)) < 0)
		return clear_fail(cx, SPU_ELIMIT, "window too large");
	if ((cb = calloc(1, sizeof(*cb))) == NULL)
		return clear_fail(cx, SPU_ENOMEM, "out of memory");
	if ((err = clear_combiner_init(cx, in, 1, 0, 1, &z->dtype, cb)) != 0 ||
	    (err = clear_coerce(cx, a[1], z->dtype, &src)) != 0)
		goto out;
	for (size_t e = 0; e < z->n; e++)
		z->e[e] = init;
	clear_strides(&x->shape, bs);
	for (size_t e = 0; e < src->n; e++) {
		int64_t wi[SPU_MAX_DIMS] = { 0 }, sel = -1;

		for (int64_t j = 0; j < nwin; j++) {
			int64_t p = window_at(&w, bs, o, wi);

			clear_next_index(wi, &ws);
			if (p < 0)
				continue;
			if (sel < 0) {
				sel = p;
				continue;
			}
			pair[0] = x->e[sel];
			pair[1] = x->e[p];
			if ((err = clear_call_scalars(cx, in->func[0], pt, pair,
			    2, &pred, &keep, 1)) != 0)
				goto out;
			if (!keep.i)
				sel = p;
		}
		if (sel >= 0) {
			acc = z->e[sel];
			v = src->e[e];
			if ((err = clear_combine(cx, cb, &acc, &v)) != 0)
				goto out;
			z->e[sel] = acc;
		}
		clear_next_index(o, &w.out);
	}
out:
	clear_val_unref(src);
	free(cb);
	return err;
}

/* Window attributes without dilation, and the window's shape. */
static int
plain_window(struct clear_ctx *cx, const struct spu_insn *in,
    const struct spu_shape *s, struct window *w, struct spu_shape *ws,
    int64_t *nwin)
{
	int err;

	if ((err = read_window(cx, in, s, w)) != 0)
		return err;
	for (int i = 0; i < w->n; i++)
		if (w->bdil[i] != 1 || w->wdil[i] != 1)
			return clear_fail(cx, SPU_EUNSUPP, "%s with dilation",
			    spu_op_name(in->op));
	ws->ndim = w->n;
	memcpy(ws->dim, w->size, sizeof(ws->dim));
	if ((*nwin = spu_shape_numel(ws)) < 0)
		return clear_fail(cx, SPU_ELIMIT, "window too large");
	return 0;
}

/* Fail unless s is [w->out.., nwin]. */
static int
check_grid(struct clear_ctx *cx, const struct window *w, int64_t nwin,
    const struct spu_shape *s, const char *what)
{
	struct spu_shape g = w->out;

	if (g.ndim >= SPU_MAX_DIMS)
		return clear_fail(cx, SPU_ESHAPE, "window grid of rank %d has "
		    "no room for the window", g.ndim);
	g.dim[g.ndim++] = nwin;
	return clear_check_shape(cx, &g, s, what);
}

/* ARGMAX_WINDOW(x, init) -> (max, onehot): per window the element that
 * select-and-scatter's rule picks (init when there is none) and a
 * one-hot of its place in the window. */
static int
op_argmax_window(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	struct clear_val *x = a[0];
	int64_t bs[SPU_MAX_DIMS], o[SPU_MAX_DIMS] = { 0 }, nwin;
	union clear_elem init, pair[2], keep;
	enum spu_dtype pt[2] = { x->dtype, x->dtype }, pred = SPU_PRED;
	struct spu_shape ws;
	struct window w;
	int err;

	if (in->nfunc < 1)
		return clear_fail(cx, SPU_EFORMAT, "needs a select function");
	if ((err = plain_window(cx, in, &x->shape, &w, &ws, &nwin)) != 0 ||
	    (err = clear_check_shape(cx, &w.out, &r[0]->shape,
	    "the maximum")) != 0 ||
	    (err = check_grid(cx, &w, nwin, &r[1]->shape, "the one-hot")) !=
	    0 || (err = inits(cx, a + 1, 1, r, &init)) != 0)
		return err;
	if (clear_isf(x->dtype) != clear_isf(r[0]->dtype))
		return clear_fail(cx, SPU_ESHAPE, "operand is %s, result %s",
		    spu_dtype_name(x->dtype), spu_dtype_name(r[0]->dtype));
	clear_strides(&x->shape, bs);
	for (size_t e = 0; e < r[0]->n; e++) {
		int64_t wi[SPU_MAX_DIMS] = { 0 }, sel = -1, at = -1;

		for (int64_t j = 0; j < nwin; j++) {
			int64_t p = window_at(&w, bs, o, wi);

			clear_next_index(wi, &ws);
			r[1]->e[e * (size_t)nwin + (size_t)j].i = 0;
			if (p < 0)
				continue;
			if (sel >= 0) {
				pair[0] = x->e[sel];
				pair[1] = x->e[p];
				if ((err = clear_call_scalars(cx, in->func[0],
				    pt, pair, 2, &pred, &keep, 1)) != 0)
					return err;
				if (keep.i)
					continue;
			}
			sel = p;
			at = j;
		}
		r[0]->e[e] = sel < 0 ? init : clear_convert(r[0]->dtype,
		    x->dtype, x->e[sel]);
		if (at >= 0)
			r[1]->e[e * (size_t)nwin + (size_t)at].i = 1;
		clear_next_index(o, &w.out);
	}
	return 0;
}

/* WINDOW_SCATTER(y, init): init plus each entry of y [grid.., W] at its
 * window position; entries on padding are dropped. */
static int
op_window_scatter(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val *z)
{
	struct clear_val *y = NULL;
	int64_t bs[SPU_MAX_DIMS], o[SPU_MAX_DIMS] = { 0 }, nwin;
	union clear_elem init;
	struct spu_shape ws;
	struct window w;
	int err;

	if ((err = plain_window(cx, in, &z->shape, &w, &ws, &nwin)) != 0 ||
	    (err = check_grid(cx, &w, nwin, &a[0]->shape, "the operand")) !=
	    0 || (err = inits(cx, a + 1, 1, &z, &init)) != 0 ||
	    (err = clear_coerce(cx, a[0], z->dtype, &y)) != 0)
		return err;
	for (size_t e = 0; e < z->n; e++)
		z->e[e] = init;
	clear_strides(&z->shape, bs);
	for (size_t e = 0; e * (size_t)nwin < y->n; e++) {
		int64_t wi[SPU_MAX_DIMS] = { 0 };

		for (int64_t j = 0; j < nwin; j++) {
			int64_t p = window_at(&w, bs, o, wi);
			union clear_elem v = y->e[e * (size_t)nwin + (size_t)j];

			clear_next_index(wi, &ws);
			if (p < 0)
				continue;
			if (clear_isf(z->dtype))
				z->e[p].f += v.f;
			else
				z->e[p].i = clear_wrap(z->dtype,
				    (uint64_t)z->e[p].i + (uint64_t)v.i);
		}
		clear_next_index(o, &w.out);
	}
	clear_val_unref(y);
	return 0;
}

int
clear_op_reduce(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	struct clear_val *x[CLEAR_MAX_VARIADIC] = { NULL };
	union clear_elem init[CLEAR_MAX_VARIADIC];
	enum spu_dtype dt[CLEAR_MAX_VARIADIC];
	struct clear_combiner *cb = NULL;
	uint32_t n = in->nout;
	int err;

	for (uint32_t k = 0; k < n; k++)
		if ((err = clear_result(cx, in, k, &r[k])) != 0)
			return err;
	if (in->op == SPU_OP_SELECT_AND_SCATTER) {
		if (in->nin != 3 || n != 1)
			return clear_fail(cx, SPU_EFORMAT, "takes 3 operands "
			    "and gives one result");
		return op_select_scatter(cx, in, a, r[0]);
	}
	if (in->op == SPU_OP_ARGMAX_WINDOW) {
		if (in->nin != 2 || n != 2 || r[1]->dtype != SPU_PRED)
			return clear_fail(cx, SPU_EFORMAT, "takes 2 operands "
			    "and gives a value and a pred one-hot");
		return op_argmax_window(cx, in, a, r);
	}
	if (in->op == SPU_OP_WINDOW_SCATTER) {
		if (in->nin != 2 || n != 1)
			return clear_fail(cx, SPU_EFORMAT, "takes 2 operands "
			    "and gives one result");
		return op_window_scatter(cx, in, a, r[0]);
	}
	if (n == 0 || n > CLEAR_MAX_VARIADIC || in->nin != 2 * n)
		return clear_fail(cx, SPU_EFORMAT, "needs N operands, N init "
		    "values and N results");
	for (uint32_t k = 0; k < n; k++)
		dt[k] = r[k]->dtype;
	if ((cb = calloc(1, sizeof(*cb))) == NULL)
		return clear_fail(cx, SPU_ENOMEM, "out of memory");
	if ((err = clear_combiner_init(cx, in, 0, 0, n, dt, cb)) != 0 ||
	    (err = inits(cx, a + n, n, r, init)) != 0 ||
	    (err = operands(cx, a, n, r, x)) != 0)
		goto out;
	if (in->op == SPU_OP_REDUCE)
		err = op_reduce(cx, in, x, init, cb, r);
	else
		err = op_reduce_window(cx, in, x, init, cb, r);
out:
	for (uint32_t k = 0; k < n; k++)
		clear_val_unref(x[k]);
	free(cb);
	return err;
}
