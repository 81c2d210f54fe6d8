/*
 * lower_ops.c - lowering of the structured HLO instructions: dot (to
 * TRANSPOSE / RESHAPE / MATMUL), convolution, gather, scatter, reduce,
 * reduce-window, select-and-scatter, slice, pad, concatenate and the
 * dynamic slices.  Attribute values are checked against the operand
 * shapes so the VM never sees an inconsistent instruction.
 */
#include "config.h"

#include <string.h>

#include "lower.h"

static int
dims_ok(struct lctx *cx, const int64_t *d, uint32_t n, int rank,
    uint32_t *mask, const char *what)
{
	for (uint32_t i = 0; i < n; i++) {
		if (d[i] < 0 || d[i] >= rank || (*mask & (1u << d[i])))
			return lw_bad(cx, "bad %s dimension %lld", what,
			    (long long)d[i]);
		*mask |= 1u << d[i];
	}
	return 0;
}

/* The dtype rule of dot and convolution: operands become the result's
 * dtype, except that an integer operand next to a float one stays an
 * integer (fixed point times integer needs no truncation). */
static int
mixed_types(struct lctx *cx, enum spu_dtype rt, uint32_t *x,
    struct spu_type *xt, uint32_t *y, struct spu_type *yt)
{
	int xf = spu_dtype_is_float(xt->dtype);
	int yf = spu_dtype_is_float(yt->dtype);
	int keepx = !xf && yf && yt->dtype == rt;
	int keepy = !yf && xf && xt->dtype == rt;
	struct spu_type t;
	int err;

	if (xt->dtype != rt && !keepx) {
		if ((err = lw_convert(cx, *x, xt, rt, x, &t)) != 0)
			return err;
		*xt = t;
	}
	if (yt->dtype != rt && !keepy) {
		if ((err = lw_convert(cx, *y, yt, rt, y, &t)) != 0)
			return err;
		*yt = t;
	}
	return 0;
}

static int64_t
prod(const struct spu_shape *s, const int *d, int n)
{
	int64_t p = 1;

	for (int i = 0; i < n; i++)
		p *= s->dim[d[i]];
	return p;
}

int
lw_dot(struct lctx *cx)
{
	int64_t *lb, *lc, *rb, *rc;
	uint32_t nlb, nlc, nrb, nrc, lm = 0, rm = 0, x, y, z;
	int lperm[SPU_MAX_DIMS], rperm[SPU_MAX_DIMS], nlf = 0, nrf = 0, i, nb;
	struct spu_type xt, yt, rt, t;
	struct spu_shape s;
	int64_t B, M, K, N;
	int err;

	if (cx->in->nopnd != 2)
		return lw_bad(cx, "takes 2 operands");
	if ((err = lw_res_type(cx, 0, &rt)) != 0 ||
	    (err = lw_arr(cx, 0, &x, &xt)) != 0 ||
	    (err = lw_arr(cx, 1, &y, &yt)) != 0)
		return err;
	if ((err = lw_ints(cx, "lhs_batch_dims", 0, &lb, &nlb)) != 0 ||
	    (err = lw_ints(cx, "lhs_contracting_dims", 0, &lc, &nlc)) != 0 ||
	    (err = lw_ints(cx, "rhs_batch_dims", 0, &rb, &nrb)) != 0 ||
	    (err = lw_ints(cx, "rhs_contracting_dims", 0, &rc, &nrc)) != 0)
		return err;
	if (nlb != nrb || nlc != nrc)
		return lw_bad(cx, "batch or contracting dimension counts "
		    "differ");
	if ((err = dims_ok(cx, lb, nlb, xt.shape.ndim, &lm, "lhs")) != 0 ||
	    (err = dims_ok(cx, lc, nlc, xt.shape.ndim, &lm, "lhs")) != 0 ||
	    (err = dims_ok(cx, rb, nrb, yt.shape.ndim, &rm, "rhs")) != 0 ||
	    (err = dims_ok(cx, rc, nrc, yt.shape.ndim, &rm, "rhs")) != 0)
		return err;
	nb = (int)nlb;
	for (i = 0; i < nb; i++) {
		lperm[i] = (int)lb[i];
		rperm[i] = (int)rb[i];
		if (xt.shape.dim[lb[i]] != yt.shape.dim[rb[i]])
			return lw_bad(cx, "batch dimensions differ in size");
	}
	for (i = 0; i < (int)nlc; i++)
		if (xt.shape.dim[lc[i]] != yt.shape.dim[rc[i]])
			return lw_bad(cx, "contracting dimensions differ in "
			    "size");
	/* lhs -> [batch, free, contract]; rhs -> [batch, contract, free] */
	for (i = 0; i < xt.shape.ndim; i++)
		if (!(lm & (1u << i)))
			lperm[nb + nlf++] = i;
	for (i = 0; i < (int)nlc; i++)
		lperm[nb + nlf + i] = (int)lc[i];
	for (i = 0; i < (int)nrc; i++)
		rperm[nb + i] = (int)rc[i];
	for (i = 0; i < yt.shape.ndim; i++)
		if (!(rm & (1u << i)))
			rperm[nb + (int)nrc + nrf++] = i;
	if (rt.shape.ndim != nb + nlf + nrf)
		return lw_bad(cx, "result rank does not match");
	for (i = 0; i < nb; i++)
		if (rt.shape.dim[i] != xt.shape.dim[lperm[i]])
			return lw_bad(cx, "result shape does not match");
	for (i = 0; i < nlf; i++)
		if (rt.shape.dim[nb + i] != xt.shape.dim[lperm[nb + i]])
			return lw_bad(cx, "result shape does not match");
	for (i = 0; i < nrf; i++)
		if (rt.shape.dim[nb + nlf + i] !=
		    yt.shape.dim[rperm[nb + (int)nrc + i]])
			return lw_bad(cx, "result shape does not match");
	B = prod(&xt.shape, lperm, nb);
	M = prod(&xt.shape, lperm + nb, nlf);
	K = prod(&xt.shape, lperm + nb + nlf, (int)nlc);
	N = prod(&yt.shape, rperm + nb + nrc, nrf);
	if ((err = mixed_types(cx, rt.dtype, &x, &xt, &y, &yt)) != 0)
		return err;
	if ((err = lw_transpose(cx, x, &xt, lperm, &x, &xt)) != 0 ||
	    (err = lw_transpose(cx, y, &yt, rperm, &y, &yt)) != 0)
		return err;
	memset(&s, 0, sizeof(s));
	s.ndim = nb > 0 ? 3 : 2;
	s.dim[0] = nb > 0 ? B : M;
	s.dim[1] = nb > 0 ? M : K;
	if (nb > 0)
		s.dim[2] = K;
	if ((err = lw_reshape(cx, x, &xt, &s, &x, &xt)) != 0)
		return err;
	s.dim[nb > 0 ? 1 : 0] = K;
	s.dim[nb > 0 ? 2 : 1] = N;
	if ((err = lw_reshape(cx, y, &yt, &s, &y, &yt)) != 0)
		return err;
	t = rt;
	memset(&t.shape, 0, sizeof(t.shape));
	t.shape.ndim = s.ndim;
	t.shape.dim[0] = nb > 0 ? B : M;
	t.shape.dim[1] = nb > 0 ? M : N;
	if (nb > 0)
		t.shape.dim[2] = N;
	{
		uint32_t in[2] = { x, y };

		if ((err = lw_emit1(cx, SPU_OP_MATMUL, in, 2, &t, &z,
		    NULL)) != 0)
			return err;
	}
	if ((err = lw_reshape(cx, z, &t, &rt.shape, &z, &t)) != 0)
		return err;
	return lw_set1(cx, z, &t);
}

/* The shared window attributes of reduce-window, select-and-scatter and
 * convolution (only the spatial part for convolution). */
static int
window_attrs(struct lctx *cx, struct spu_insn *ins, const struct hlo_window *w,
    int with_size)
{
	int n = w->ndim, err;
	uint32_t u = (uint32_t)n;

	if (w->reversed)
		return lw_unsupp(cx, "window reversal");
	if ((with_size && (err = lw_attr(cx, ins, SPU_ATTR_WINDOW, w->size,
	    u)) != 0) ||
	    (err = lw_attr(cx, ins, SPU_ATTR_WSTRIDE, w->stride, u)) != 0 ||
	    (err = lw_attr(cx, ins, SPU_ATTR_PAD_LO, w->pad_lo, u)) != 0 ||
	    (err = lw_attr(cx, ins, SPU_ATTR_PAD_HI, w->pad_hi, u)) != 0 ||
	    (err = lw_attr(cx, ins, SPU_ATTR_BASE_DILATE, w->lhs_dilate,
	    u)) != 0)
		return err;
	return lw_attr(cx, ins, SPU_ATTR_WIN_DILATE, w->rhs_dilate, u);
}

static int
get_window(struct lctx *cx, int rank, struct hlo_window *w)
{
	const struct hlo_attr *a = hlo_attr_find(cx->in, "window");
	int err;

	if (a == NULL) {
		memset(w, 0, sizeof(*w));
		if (rank != 0)
			return lw_bad(cx, "needs window=");
		return 0;
	}
	if ((err = hlo_attr_window(cx->L->m, a, w, cx->L->d)) != 0)
		return err;
	if (w->ndim != rank)
		return lw_bad(cx, "window has %d dimensions, expected %d",
		    w->ndim, rank);
	return 0;
}

int
lw_conv(struct lctx *cx)
{
	const struct hlo_attr *a = hlo_attr_find(cx->in, "dim_labels");
	struct hlo_conv_dims cd;
	struct hlo_window w;
	struct spu_type xt, yt, rt;
	struct spu_insn *ins;
	int64_t cdims[3 * (SPU_MAX_DIMS + 2)], fg, bg;
	uint32_t in[2], z, n = 0;
	int ns, i, err;

	if (cx->in->nopnd != 2)
		return lw_bad(cx, "takes 2 operands");
	if (a == NULL)
		return lw_bad(cx, "needs dim_labels=");
	if ((err = hlo_attr_dim_labels(cx->L->m, a, &cd, cx->L->d)) != 0)
		return err;
	if ((err = lw_res_type(cx, 0, &rt)) != 0 ||
	    (err = lw_arr(cx, 0, &in[0], &xt)) != 0 ||
	    (err = lw_arr(cx, 1, &in[1], &yt)) != 0)
		return err;
	ns = cd.nspatial;
	if (xt.shape.ndim != ns + 2 || yt.shape.ndim != ns + 2 ||
	    rt.shape.ndim != ns + 2)
		return lw_bad(cx, "operand ranks do not match dim_labels");
	if ((err = get_window(cx, ns, &w)) != 0)
		return err;
	for (i = 0; i < ns; i++)
		if (w.size[i] != yt.shape.dim[cd.k_spatial[i]])
			return lw_bad(cx, "window size differs from the "
			    "kernel");
	if ((err = lw_int(cx, "feature_group_count", 0, 1, &fg)) != 0 ||
	    (err = lw_int(cx, "batch_group_count", 0, 1, &bg)) != 0)
		return err;
	if (fg < 1 || bg < 1)
		return lw_bad(cx, "group counts must be positive");
	cdims[n++] = cd.in_batch;
	cdims[n++] = cd.in_feature;
	for (i = 0; i < ns; i++)
		cdims[n++] = cd.in_spatial[i];
	cdims[n++] = cd.k_in;
	cdims[n++] = cd.k_out;
	for (i = 0; i < ns; i++)
		cdims[n++] = cd.k_spatial[i];
	cdims[n++] = cd.out_batch;
	cdims[n++] = cd.out_feature;
	for (i = 0; i < ns; i++)
		cdims[n++] = cd.out_spatial[i];
	if ((err = mixed_types(cx, rt.dtype, &in[0], &xt, &in[1], &yt)) != 0)
		return err;
	if ((err = lw_emit1(cx, SPU_OP_CONV, in, 2, &rt, &z, &ins)) != 0 ||
	    (err = lw_attr(cx, ins, SPU_ATTR_CONV_DIMS, cdims, n)) != 0 ||
	    (err = window_attrs(cx, ins, &w, 0)) != 0 ||
	    (err = lw_attr1(cx, ins, SPU_ATTR_FEATURE_GROUPS, fg)) != 0 ||
	    (err = lw_attr1(cx, ins, SPU_ATTR_BATCH_GROUPS, bg)) != 0)
		return err;
	return lw_set1(cx, z, &rt);
}

int
lw_gather(struct lctx *cx)
{
	static const struct {
		const char *name;
		enum spu_attr_key key;
		int required;
	} lists[] = {
		{ "offset_dims", SPU_ATTR_OFFSET_DIMS, 1 },
		{ "collapsed_slice_dims", SPU_ATTR_COLLAPSED_DIMS, 1 },
		{ "start_index_map", SPU_ATTR_START_INDEX_MAP, 1 },
		{ "slice_sizes", SPU_ATTR_SLICE_SIZES, 1 },
		{ "operand_batching_dims", SPU_ATTR_OPERAND_BATCH_DIMS, 0 },
		{ "start_indices_batching_dims", SPU_ATTR_INDICES_BATCH_DIMS,
		    0 },
	};
	struct spu_type xt, it, rt;
	struct spu_insn *ins;
	uint32_t in[2], z, n;
	int64_t *v, ivd;
	int err;

	if (cx->in->nopnd != 2)
		return lw_bad(cx, "takes 2 operands");
	if ((err = lw_res_type(cx, 0, &rt)) != 0 ||
	    (err = lw_arr(cx, 0, &in[0], &xt)) != 0 ||
	    (err = lw_arr(cx, 1, &in[1], &it)) != 0)
		return err;
	if (spu_dtype_is_float(it.dtype))
		return lw_bad(cx, "indices must be integers");
	if ((err = lw_int(cx, "index_vector_dim", 1, 0, &ivd)) != 0)
		return err;
	if (ivd < 0 || ivd > it.shape.ndim)
		return lw_bad(cx, "index_vector_dim out of range");
	if ((err = lw_emit1(cx, SPU_OP_GATHER, in, 2, &rt, &z, &ins)) != 0 ||
	    (err = lw_attr1(cx, ins, SPU_ATTR_INDEX_VECTOR_DIM, ivd)) != 0)
		return err;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if ((err = lw_ints(cx, lists[i].name, lists[i].required, &v,
		    &n)) != 0)
			return err;
		if (lists[i].key == SPU_ATTR_SLICE_SIZES &&
		    n != (uint32_t)xt.shape.ndim)
			return lw_bad(cx, "slice_sizes needs one size per "
			    "operand dimension");
		if ((lists[i].required || n > 0) &&
		    (err = lw_attr(cx, ins, lists[i].key, v, n)) != 0)
			return err;
	}
	return lw_set1(cx, z, &rt);
}

/* REDUCER kind or called function of region instance 0 of the current
 * instruction. */
static int
region(struct lctx *cx, struct spu_insn **insp, uint32_t ninsn, int single,
    int allow_replace, uint32_t k)
{
	struct vis_inst *sub;
	uint32_t f, ip;
	int kind, err;

	if (cx->vi->nsub[cx->cur] <= k)
		return lw_bad(cx, "internal: region not inferred");
	sub = cx->vi->sub[cx->cur][k];
	kind = single ? lw_reducer_kind(sub->comp, allow_replace) :
	    SPU_REDUCE_CALL;
	if (kind == SPU_REDUCE_CALL &&
	    (err = lw_func(cx->L, sub, vis_param_leaves(sub->comp), NULL,
	    NULL, 0, &f)) != 0)
		return err;
	/* lw_func may have grown this function's instruction array. */
	ip = ninsn;
	*insp = &cx->fb->f.insns[ip];
	if ((err = lw_attr1(cx, *insp, SPU_ATTR_REDUCER, kind)) != 0)
		return err;
	return kind == SPU_REDUCE_CALL ? lw_funcs(cx, *insp, &f, 1) : 0;
}

/* Operands and result types of a variadic instruction. */
static int
gather_io(struct lctx *cx, uint32_t *in, struct spu_type *rt, uint32_t nres)
{
	struct spu_type t;
	int err;

	for (uint32_t k = 0; k < cx->in->nopnd; k++)
		if ((err = lw_arr(cx, k, &in[k], &t)) != 0)
			return err;
	for (uint32_t j = 0; j < nres; j++)
		if ((err = lw_res_type(cx, j, &rt[j])) != 0)
			return err;
	return 0;
}

static int
variadic(struct lctx *cx, enum spu_op op, uint32_t nres, int allow_replace,
    struct spu_insn **insp)
{
	uint32_t in[2 * 256 + 1], at;
	struct spu_type rt[256];
	struct spu_insn *ins;
	int err;

	if (cx->in->nopnd > 2 * 256 + 1 || nres == 0 || nres > 256)
		return lw_bad(cx, "bad number of operands");
	if ((err = gather_io(cx, in, rt, nres)) != 0)
		return err;
	if ((ins = lw_emit(cx, op, in, cx->in->nopnd, rt, nres)) == NULL)
		return SPU_ENOMEM;
	at = cx->fb->f.ninsns - 1;
	if ((err = lw_set(cx, ins->out, rt, nres)) != 0)
		return err;
	if ((err = region(cx, &ins, at, nres == 1, allow_replace, 0)) != 0)
		return err;
	*insp = ins;
	return 0;
}

int
lw_reduce(struct lctx *cx)
{
	struct spu_insn *ins;
	uint32_t n, nres = cx->in->nopnd / 2;
	int64_t *d;
	int err;

	struct spu_type xt, rt;
	uint32_t x, mask = 0;

	if ((err = lw_ints(cx, "dimensions", 1, &d, &n)) != 0 ||
	    (err = lw_arr(cx, 0, &x, &xt)) != 0 ||
	    (err = lw_res_type(cx, 0, &rt)) != 0 ||
	    (err = dims_ok(cx, d, n, xt.shape.ndim, &mask, "reduced")) != 0)
		return err;
	if (rt.shape.ndim != xt.shape.ndim - (int)n)
		return lw_bad(cx, "result rank does not match");
	if ((err = variadic(cx, SPU_OP_REDUCE, nres, 0, &ins)) != 0)
		return err;
	return lw_attr(cx, ins, SPU_ATTR_DIMS, d, n);
}

int
lw_reduce_window(struct lctx *cx)
{
	struct spu_insn *ins;
	struct hlo_window w;
	struct spu_type t;
	uint32_t x;
	int err;

	if ((err = lw_arr(cx, 0, &x, &t)) != 0 ||
	    (err = get_window(cx, t.shape.ndim, &w)) != 0)
		return err;
	if ((err = variadic(cx, SPU_OP_REDUCE_WINDOW, cx->in->nopnd / 2, 0,
	    &ins)) != 0)
		return err;
	return window_attrs(cx, ins, &w, 1);
}

int
lw_scatter(struct lctx *cx)
{
	static const struct {
		const char *name;
		enum spu_attr_key key;
		int required;
	} lists[] = {
		{ "update_window_dims", SPU_ATTR_UPDATE_WINDOW_DIMS, 1 },
		{ "inserted_window_dims", SPU_ATTR_INSERTED_DIMS, 1 },
		{ "scatter_dims_to_operand_dims",
		    SPU_ATTR_SCATTER_DIMS_TO_OPERAND, 1 },
		{ "input_batching_dims", SPU_ATTR_OPERAND_BATCH_DIMS, 0 },
		{ "scatter_indices_batching_dims",
		    SPU_ATTR_INDICES_BATCH_DIMS, 0 },
	};
	uint32_t nres = (cx->in->nopnd - 1) / 2, n, at;
	struct spu_insn *ins;
	int64_t *v[5], ivd;
	uint32_t nv[5];
	const struct hlo_attr *a;
	int err, flag;

	if (cx->in->nopnd < 3 || cx->in->nopnd % 2 == 0)
		return lw_bad(cx, "bad number of operands");
	if ((err = lw_int(cx, "index_vector_dim", 1, 0, &ivd)) != 0)
		return err;
	for (size_t i = 0; i < 5; i++)
		if ((err = lw_ints(cx, lists[i].name, lists[i].required, &v[i],
		    &nv[i])) != 0)
			return err;
	if ((err = variadic(cx, SPU_OP_SCATTER, nres, 1, &ins)) != 0)
		return err;
	at = (uint32_t)(ins - cx->fb->f.insns);
	if ((err = lw_attr1(cx, ins, SPU_ATTR_INDEX_VECTOR_DIM, ivd)) != 0)
		return err;
	for (size_t i = 0; i < 5; i++)
		if ((lists[i].required || nv[i] > 0) &&
		    (err = lw_attr(cx, &cx->fb->f.insns[at], lists[i].key, v[i],
		    nv[i])) != 0)
			return err;
	for (n = 0; n < 2; n++) {
		a = hlo_attr_find(cx->in, n ? "unique_indices" :
		    "indices_are_sorted");
		if (a == NULL)
			continue;
		if ((err = hlo_attr_bool(cx->L->m, a, &flag, cx->L->d)) != 0)
			return err;
		if (flag && (err = lw_attr1(cx, &cx->fb->f.insns[at], n ?
		    SPU_ATTR_UNIQUE_INDICES : SPU_ATTR_SORTED_INDICES, 1)) != 0)
			return err;
	}
	return 0;
}

int
lw_select_and_scatter(struct lctx *cx)
{
	struct spu_insn *ins;
	struct hlo_window w;
	struct spu_type rt, t;
	uint32_t in[3], f[2], z, at;
	int err;

	if (cx->in->nopnd != 3)
		return lw_bad(cx, "takes 3 operands");
	if ((err = lw_res_type(cx, 0, &rt)) != 0 ||
	    (err = lw_arr(cx, 0, &in[0], &t)) != 0 ||
	    (err = get_window(cx, t.shape.ndim, &w)) != 0 ||
	    (err = lw_arr(cx, 1, &in[1], &t)) != 0 ||
	    (err = lw_arr(cx, 2, &in[2], &t)) != 0)
		return err;
	if (cx->vi->nsub[cx->cur] != 2)
		return lw_bad(cx, "internal: regions not inferred");
	for (int k = 0; k < 2; k++) {
		struct vis_inst *sub = cx->vi->sub[cx->cur][k];

		if ((err = lw_func(cx->L, sub, vis_param_leaves(sub->comp),
		    NULL, NULL, 0, &f[k])) != 0)
			return err;
	}
	if ((err = lw_emit1(cx, SPU_OP_SELECT_AND_SCATTER, in, 3, &rt, &z,
	    &ins)) != 0)
		return err;
	at = cx->fb->f.ninsns - 1;
	if ((err = window_attrs(cx, ins, &w, 1)) != 0 ||
	    (err = lw_funcs(cx, &cx->fb->f.insns[at], f, 2)) != 0)
		return err;
	return lw_set1(cx, z, &rt);
}

int
lw_slice(struct lctx *cx)
{
	const struct hlo_attr *a = hlo_attr_find(cx->in, "slice");
	int64_t st[SPU_MAX_DIMS], li[SPU_MAX_DIMS], sd[SPU_MAX_DIMS];
	struct spu_type xt, rt;
	struct spu_insn *ins;
	uint32_t x, z, n;
	int id = 1, err;

	if (a == NULL)
		return lw_bad(cx, "needs slice=");
	if ((err = lw_res_type(cx, 0, &rt)) != 0 ||
	    (err = lw_arr(cx, 0, &x, &xt)) != 0)
		return err;
	if ((err = hlo_attr_slice(cx->L->m, a, xt.shape.ndim, st, li, sd,
	    cx->L->d)) != 0)
		return err;
	n = (uint32_t)xt.shape.ndim;
	if (rt.shape.ndim != xt.shape.ndim)
		return lw_bad(cx, "result rank differs");
	for (uint32_t i = 0; i < n; i++) {
		if (st[i] < 0 || st[i] > li[i] || li[i] > xt.shape.dim[i] ||
		    sd[i] < 1 || rt.shape.dim[i] !=
		    (li[i] - st[i] + sd[i] - 1) / sd[i])
			return lw_bad(cx, "range %u does not fit the shapes",
			    i);
		id &= st[i] == 0 && li[i] == xt.shape.dim[i] && sd[i] == 1;
	}
	if (id)
		return lw_set1(cx, x, &xt);
	if ((err = lw_emit1(cx, SPU_OP_SLICE, &x, 1, &rt, &z, &ins)) != 0 ||
	    (err = lw_attr(cx, ins, SPU_ATTR_START, st, n)) != 0 ||
	    (err = lw_attr(cx, ins, SPU_ATTR_LIMIT, li, n)) != 0 ||
	    (err = lw_attr(cx, ins, SPU_ATTR_STRIDE, sd, n)) != 0)
		return err;
	return lw_set1(cx, z, &rt);
}

int
lw_pad(struct lctx *cx)
{
	const struct hlo_attr *a = hlo_attr_find(cx->in, "padding");
	int64_t lo[SPU_MAX_DIMS], hi[SPU_MAX_DIMS], it[SPU_MAX_DIMS], d;
	struct spu_type xt, pt, rt;
	struct spu_insn *ins;
	uint32_t in[2], z, n;
	int id = 1, err;

	if (a == NULL)
		return lw_bad(cx, "needs padding=");
	if (cx->in->nopnd != 2)
		return lw_bad(cx, "takes 2 operands");
	if ((err = lw_res_type(cx, 0, &rt)) != 0 ||
	    (err = lw_arr(cx, 0, &in[0], &xt)) != 0 ||
	    (err = lw_arr(cx, 1, &in[1], &pt)) != 0)
		return err;
	if (pt.shape.ndim != 0)
		return lw_bad(cx, "padding value must be a scalar");
	if ((err = hlo_attr_padding(cx->L->m, a, xt.shape.ndim, lo, hi, it,
	    cx->L->d)) != 0)
		return err;
	n = (uint32_t)xt.shape.ndim;
	if (rt.shape.ndim != xt.shape.ndim)
		return lw_bad(cx, "result rank differs");
	for (uint32_t i = 0; i < n; i++) {
		d = xt.shape.dim[i];
		if (it[i] < 0 || rt.shape.dim[i] != lo[i] + hi[i] + d +
		    (d > 0 ? (d - 1) * it[i] : 0))
			return lw_bad(cx, "padding of dimension %u does not "
			    "fit the shapes", i);
		id &= lo[i] == 0 && hi[i] == 0 && it[i] == 0;
	}
	if (id)
		return lw_set1(cx, in[0], &xt);
	if ((err = lw_emit1(cx, SPU_OP_PAD, in, 2, &rt, &z, &ins)) != 0 ||
	    (err = lw_attr(cx, ins, SPU_ATTR_PAD_LO, lo, n)) != 0 ||
	    (err = lw_attr(cx, ins, SPU_ATTR_PAD_HI, hi, n)) != 0 ||
	    (err = lw_attr(cx, ins, SPU_ATTR_PAD_INT, it, n)) != 0)
		return err;
	return lw_set1(cx, z, &rt);
}

int
lw_concat(struct lctx *cx)
{
	uint32_t in[HLO_MAX_OPERANDS > 4096 ? 4096 : HLO_MAX_OPERANDS], z, nd;
	struct spu_type t, rt;
	struct spu_insn *ins;
	int64_t *d, sum = 0;
	uint32_t n = cx->in->nopnd;
	int err;

	if (n == 0 || n > 4096)
		return lw_bad(cx, "bad number of operands");
	if ((err = lw_ints(cx, "dimensions", 1, &d, &nd)) != 0 ||
	    (err = lw_res_type(cx, 0, &rt)) != 0)
		return err;
	if (nd != 1 || d[0] < 0 || d[0] >= rt.shape.ndim)
		return lw_bad(cx, "needs one dimension in range");
	for (uint32_t k = 0; k < n; k++) {
		if ((err = lw_arr(cx, k, &in[k], &t)) != 0)
			return err;
		if (t.shape.ndim != rt.shape.ndim)
			return lw_bad(cx, "operand %u rank differs", k);
		for (int i = 0; i < rt.shape.ndim; i++)
			if (i != d[0] && t.shape.dim[i] != rt.shape.dim[i])
				return lw_bad(cx, "operand %u shape differs",
				    k);
		sum += t.shape.dim[d[0]];
	}
	if (sum != rt.shape.dim[d[0]])
		return lw_bad(cx, "sizes do not add up");
	if (n == 1)
		return lw_set1(cx, in[0], &t);
	if ((err = lw_emit1(cx, SPU_OP_CONCAT, in, n, &rt, &z, &ins)) != 0 ||
	    (err = lw_attr(cx, ins, SPU_ATTR_DIMS, d, 1)) != 0)
		return err;
	return lw_set1(cx, z, &rt);
}

/*
 * dynamic-slice(x, i0, i1, ...) and dynamic-update-slice(x, u, i0, ...).
 * The old form with one rank-1 index vector is split into scalars.
 */
int
lw_dyn_slice(struct lctx *cx, int update)
{
	uint32_t in[2 + SPU_MAX_DIMS], z, k, n, first = update ? 2 : 1;
	struct spu_type xt, t, rt, st;
	struct spu_shape one, scalar;
	struct spu_insn *ins;
	int64_t *sizes, s0, s1, s2;
	int err;

	if ((err = lw_res_type(cx, 0, &rt)) != 0 ||
	    (err = lw_arr(cx, 0, &in[0], &xt)) != 0)
		return err;
	if (update && (err = lw_arr(cx, 1, &in[1], &t)) != 0)
		return err;
	n = cx->in->nopnd;
	memset(&one, 0, sizeof(one));
	memset(&scalar, 0, sizeof(scalar));
	one.ndim = 1;
	one.dim[0] = 1;
	if (n == first + 1 && xt.shape.ndim != 0) {
		if ((err = lw_arr(cx, first, &z, &t)) != 0)
			return err;
		if (t.shape.ndim == 1 && t.shape.dim[0] == xt.shape.ndim &&
		    xt.shape.ndim > 1) {
			for (k = 0; k < (uint32_t)xt.shape.ndim; k++) {
				st = t;
				st.shape = one;
				s0 = k;
				s1 = k + 1;
				s2 = 1;
				if ((err = lw_emit1(cx, SPU_OP_SLICE, &z, 1,
				    &st, &in[first + k], &ins)) != 0 ||
				    (err = lw_attr(cx, ins, SPU_ATTR_START, &s0,
				    1)) != 0 ||
				    (err = lw_attr(cx, ins, SPU_ATTR_LIMIT, &s1,
				    1)) != 0 ||
				    (err = lw_attr(cx, ins, SPU_ATTR_STRIDE, &s2,
				    1)) != 0 ||
				    (err = lw_reshape(cx, in[first + k], &st,
				    &scalar, &in[first + k], &st)) != 0)
					return err;
			}
			n = first + (uint32_t)xt.shape.ndim;
			goto emit;
		}
	}
	if (n != first + (uint32_t)xt.shape.ndim)
		return lw_bad(cx, "needs one index per dimension");
	for (k = first; k < n; k++) {
		if ((err = lw_arr(cx, k, &in[k], &t)) != 0)
			return err;
		if (t.shape.ndim != 0 || spu_dtype_is_float(t.dtype))
			return lw_bad(cx, "indices must be integer scalars");
	}
emit:
	if (!update) {
		if ((err = lw_ints(cx, "dynamic_slice_sizes", 1, &sizes,
		    &k)) != 0)
			return err;
		if (k != (uint32_t)xt.shape.ndim)
			return lw_bad(cx, "needs one size per dimension");
		for (k = 0; k < (uint32_t)xt.shape.ndim; k++)
			if (sizes[k] < 0 || sizes[k] > xt.shape.dim[k] ||
			    sizes[k] != rt.shape.dim[k])
				return lw_bad(cx, "size %u does not fit", k);
	}
	if ((err = lw_emit1(cx, update ? SPU_OP_DYN_UPDATE_SLICE :
	    SPU_OP_DYN_SLICE, in, n, &rt, &z, &ins)) != 0)
		return err;
	if (!update && (err = lw_attr(cx, ins, SPU_ATTR_SIZES, sizes,
	    (uint32_t)xt.shape.ndim)) != 0)
		return err;
	return lw_set1(cx, z, &rt);
}
