/*
 * index.c - the cleartext evaluator's GATHER and SCATTER, with XLA's
 * general dimension numbers (offset / update-window dims, collapsed /
 * inserted dims, the index map, the index vector dim and batching dims).
 *
 * Gather clamps each start index so the slice fits (XLA).  Scatter skips
 * an update whose whole window does not fit at its start index (what
 * XLA's scatter expander does) and applies the combiner in row-major
 * order of the updates, so repeated indices accumulate deterministically.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clear_int.h"

/* The dimension numbers common to gather and scatter. */
struct dnums {
	int xr, ir, ivd;		/* operand rank, indices rank */
	int64_t nidx;			/* length of an index vector */
	int nib;			/* indices batch dims (all but ivd) */
	int ibd[SPU_MAX_DIMS];		/* those dims of the indices */
	const int64_t *map;		/* index k -> operand dim */
	const int64_t *obatch, *ibatch;	/* batching dims, nbatch each */
	uint32_t nbatch;
	int nwin;			/* operand window dims */
	int wdim[SPU_MAX_DIMS];		/* those dims of the operand */
};

/* collapsed: COLLAPSED_DIMS (gather) or INSERTED_DIMS (scatter);
 * map: START_INDEX_MAP or SCATTER_DIMS_TO_OPERAND. */
static int
read_dnums(struct clear_ctx *cx, const struct spu_insn *in,
    const struct clear_val *x, const struct clear_val *idx,
    enum spu_attr_key collapsed, enum spu_attr_key map, struct dnums *dn)
{
	const int64_t *col;
	uint32_t ncol, nmap, nib2;
	unsigned mask = 0, mmask = 0, imask = 0;
	int64_t ivd;
	int err;

	memset(dn, 0, sizeof(*dn));
	dn->xr = x->shape.ndim;
	dn->ir = idx->shape.ndim;
	if (clear_isf(idx->dtype))
		return clear_fail(cx, SPU_ESHAPE, "indices must be integers, "
		    "not %s", spu_dtype_name(idx->dtype));
	if ((err = clear_attr_n(cx, in, SPU_ATTR_INDEX_VECTOR_DIM, 1, 0,
	    dn->ir, &ivd)) != 0)
		return err;
	if (ivd < 0 || ivd > dn->ir)
		return clear_fail(cx, SPU_EFORMAT, "index_vector_dim %lld out "
		    "of range", (long long)ivd);
	dn->ivd = (int)ivd;
	dn->nidx = ivd < dn->ir ? idx->shape.dim[ivd] : 1;
	for (int i = 0; i < dn->ir; i++)
		if (i != dn->ivd)
			dn->ibd[dn->nib++] = i;
	if ((err = clear_attr_list(cx, in, collapsed, SPU_MAX_DIMS, 0, &col,
	    &ncol)) != 0 ||
	    (err = clear_attr_list(cx, in, map, SPU_MAX_DIMS, 1, &dn->map,
	    &nmap)) != 0 ||
	    (err = clear_attr_list(cx, in, SPU_ATTR_OPERAND_BATCH_DIMS,
	    SPU_MAX_DIMS, 0, &dn->obatch, &dn->nbatch)) != 0 ||
	    (err = clear_attr_list(cx, in, SPU_ATTR_INDICES_BATCH_DIMS,
	    SPU_MAX_DIMS, 0, &dn->ibatch, &nib2)) != 0)
		return err;
	if (nmap != (uint64_t)dn->nidx)
		return clear_fail(cx, SPU_ESHAPE, "index vectors have %lld "
		    "entries, the index map %u", (long long)dn->nidx, nmap);
	if (nib2 != dn->nbatch)
		return clear_fail(cx, SPU_EFORMAT, "operand and indices "
		    "batching dims differ in number");
	if ((err = clear_check_dims(cx, col, ncol, dn->xr, &mask,
	    "collapsed")) != 0 ||
	    (err = clear_check_dims(cx, dn->obatch, dn->nbatch, dn->xr, &mask,
	    "operand batching")) != 0 ||
	    (err = clear_check_dims(cx, dn->map, nmap, dn->xr, &mmask,
	    "index map")) != 0 ||
	    (err = clear_check_dims(cx, dn->ibatch, dn->nbatch, dn->ir, &imask,
	    "indices batching")) != 0)
		return err;
	for (uint32_t i = 0; i < dn->nbatch; i++) {
		if (dn->ibatch[i] == dn->ivd)
			return clear_fail(cx, SPU_EFORMAT, "index_vector_dim is "
			    "a batching dim");
		if (mmask & (1u << dn->obatch[i]))
			return clear_fail(cx, SPU_EFORMAT, "an operand "
			    "batching dim is in the index map");
		if (idx->shape.dim[dn->ibatch[i]] != x->shape.dim[dn->obatch[i]])
			return clear_fail(cx, SPU_ESHAPE, "batching dims "
			    "differ in size");
	}
	for (int d = 0; d < dn->xr; d++)
		if (!(mask & (1u << d)))
			dn->wdim[dn->nwin++] = d;
	return 0;
}

/* The operand start for batch coordinates g (an index of the indices
 * with g[ivd] ignored); clamp: gather's rule, else raw. */
static void
start_of(const struct dnums *dn, const struct clear_val *idx,
    const int64_t *is, int64_t *g, int64_t *st)
{
	int64_t off = 0;

	for (int d = 0; d < dn->xr; d++)
		st[d] = 0;
	if (dn->ivd < dn->ir)
		g[dn->ivd] = 0;
	for (int i = 0; i < dn->ir; i++)
		off += g[i] * is[i];
	for (int64_t k = 0; k < dn->nidx; k++)
		st[dn->map[k]] = clear_get_index(idx, (size_t)(off +
		    (dn->ivd < dn->ir ? k * is[dn->ivd] : 0)));
	for (uint32_t i = 0; i < dn->nbatch; i++)
		st[dn->obatch[i]] = g[dn->ibatch[i]];
}

static int
op_gather(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *x, struct clear_val *idx, struct clear_val *z)
{
	struct dnums dn;
	int64_t sz[SPU_MAX_DIMS], off[SPU_MAX_DIMS], xs[SPU_MAX_DIMS];
	int64_t is[SPU_MAX_DIMS], o[SPU_MAX_DIMS] = { 0 }, g[SPU_MAX_DIMS];
	int64_t st[SPU_MAX_DIMS];
	int obd[SPU_MAX_DIMS], nob = 0;
	struct spu_shape want;
	const int64_t *od;
	uint32_t nod;
	unsigned omask = 0, bmask = 0;
	int err;

	if ((err = read_dnums(cx, in, x, idx, SPU_ATTR_COLLAPSED_DIMS,
	    SPU_ATTR_START_INDEX_MAP, &dn)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_SLICE_SIZES,
	    (uint32_t)dn.xr, 1, 0, sz)) != 0 ||
	    (err = clear_attr_list(cx, in, SPU_ATTR_OFFSET_DIMS, SPU_MAX_DIMS,
	    0, &od, &nod)) != 0)
		return err;
	if ((int)nod != dn.nwin || (int)nod + dn.nib != z->shape.ndim)
		return clear_fail(cx, SPU_ESHAPE, "%u offset dims for %d "
		    "window dims, result rank %d", nod, dn.nwin,
		    z->shape.ndim);
	if ((err = clear_check_dims(cx, od, nod, z->shape.ndim, &omask,
	    "offset")) != 0)
		return err;
	for (int d = 0; d < dn.xr; d++)
		if (sz[d] < 0 || sz[d] > x->shape.dim[d])
			return clear_fail(cx, SPU_ESHAPE, "slice size %lld of "
			    "dimension %d exceeds %lld", (long long)sz[d], d,
			    (long long)x->shape.dim[d]);
	for (int k = 0; k < dn.nwin; k++)
		bmask |= 1u << dn.wdim[k];
	for (int d = 0; d < dn.xr; d++)
		if (!(bmask & (1u << d)) && sz[d] != 1)
			return clear_fail(cx, SPU_ESHAPE, "collapsed or "
			    "batching dimension %d has slice size %lld", d,
			    (long long)sz[d]);
	want.ndim = z->shape.ndim;
	for (int i = 0; i < z->shape.ndim; i++)
		if (!(omask & (1u << i)))
			obd[nob++] = i;
	for (int j = 0; j < nob; j++)
		want.dim[obd[j]] = idx->shape.dim[dn.ibd[j]];
	for (uint32_t k = 0; k < nod; k++)
		want.dim[od[k]] = sz[dn.wdim[k]];
	if ((err = clear_check_shape(cx, &want, &z->shape, "the result")) != 0)
		return err;
	clear_strides(&x->shape, xs);
	clear_strides(&idx->shape, is);
	memset(g, 0, sizeof(g));
	for (size_t k = 0; k < z->n; k++) {
		int64_t p = 0;

		for (int j = 0; j < nob; j++)
			g[dn.ibd[j]] = o[obd[j]];
		start_of(&dn, idx, is, g, st);
		for (int64_t m = 0; m < dn.nidx; m++) {
			int d = (int)dn.map[m];

			if (st[d] < 0)
				st[d] = 0;
			if (st[d] > x->shape.dim[d] - sz[d])
				st[d] = x->shape.dim[d] - sz[d];
		}
		memset(off, 0, sizeof(off));
		for (uint32_t w = 0; w < nod; w++)
			off[dn.wdim[w]] = o[od[w]];
		for (int d = 0; d < dn.xr; d++)
			p += (st[d] + off[d]) * xs[d];
		z->e[k] = x->e[p];
		clear_next_index(o, &z->shape);
	}
	return 0;
}

static int
op_scatter(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	uint32_t n = in->nout, nuw;
	struct clear_val *idx = a[n], *const *upd = a + n + 1, *u0 = upd[0];
	struct clear_val *uc[CLEAR_MAX_VARIADIC] = { NULL };
	struct clear_combiner *cb = NULL;
	union clear_elem acc[CLEAR_MAX_VARIADIC], val[CLEAR_MAX_VARIADIC];
	enum spu_dtype dt[CLEAR_MAX_VARIADIC];
	int64_t xs[SPU_MAX_DIMS], is[SPU_MAX_DIMS], g[SPU_MAX_DIMS];
	int64_t st[SPU_MAX_DIMS], ws[SPU_MAX_DIMS], u[SPU_MAX_DIMS] = { 0 };
	int usd[SPU_MAX_DIMS], nusd = 0;
	const int64_t *uw;
	unsigned umask = 0;
	struct dnums dn;
	int err;

	if (n == 0 || n > CLEAR_MAX_VARIADIC || in->nin != 2 * n + 1)
		return clear_fail(cx, SPU_EFORMAT, "needs 2N+1 operands for "
		    "N results");
	for (uint32_t k = 0; k < n; k++) {
		if ((err = clear_check_shape(cx, &a[0]->shape, &a[k]->shape,
		    "an operand")) != 0 ||
		    (err = clear_check_shape(cx, &u0->shape, &upd[k]->shape,
		    "an update")) != 0 ||
		    (err = clear_check_shape(cx, &a[0]->shape, &r[k]->shape,
		    "a result")) != 0)
			return err;
		dt[k] = r[k]->dtype;
	}
	if ((err = read_dnums(cx, in, a[0], idx, SPU_ATTR_INSERTED_DIMS,
	    SPU_ATTR_SCATTER_DIMS_TO_OPERAND, &dn)) != 0 ||
	    (err = clear_attr_list(cx, in, SPU_ATTR_UPDATE_WINDOW_DIMS,
	    SPU_MAX_DIMS, 0, &uw, &nuw)) != 0)
		return err;
	if ((int)nuw != dn.nwin || (int)nuw + dn.nib != u0->shape.ndim)
		return clear_fail(cx, SPU_ESHAPE, "%u update window dims for "
		    "%d operand window dims, update rank %d", nuw, dn.nwin,
		    u0->shape.ndim);
	if ((err = clear_check_dims(cx, uw, nuw, u0->shape.ndim, &umask,
	    "update window")) != 0)
		return err;
	for (int i = 0; i < u0->shape.ndim; i++)
		if (!(umask & (1u << i)))
			usd[nusd++] = i;
	for (int j = 0; j < nusd; j++)
		if (u0->shape.dim[usd[j]] != idx->shape.dim[dn.ibd[j]])
			return clear_fail(cx, SPU_ESHAPE, "update scatter "
			    "dimension %d differs from the indices", usd[j]);
	for (int d = 0; d < dn.xr; d++)
		ws[d] = 1;
	for (uint32_t k = 0; k < nuw; k++) {
		ws[dn.wdim[k]] = u0->shape.dim[uw[k]];
		if (ws[dn.wdim[k]] > a[0]->shape.dim[dn.wdim[k]])
			return clear_fail(cx, SPU_ESHAPE, "update window "
			    "dimension %u larger than the operand", k);
	}
	if ((cb = calloc(1, sizeof(*cb))) == NULL)
		return clear_fail(cx, SPU_ENOMEM, "out of memory");
	if ((err = clear_combiner_init(cx, in, 0, 1, n, dt, cb)) != 0)
		goto out;
	for (uint32_t k = 0; k < n; k++) {
		struct clear_val *x = NULL;

		if ((err = clear_coerce(cx, a[k], dt[k], &x)) != 0 ||
		    (err = clear_coerce(cx, upd[k], dt[k], &uc[k])) != 0) {
			clear_val_unref(x);
			goto out;
		}
		memcpy(r[k]->e, x->e, x->n * sizeof(*x->e));
		clear_val_unref(x);
	}
	clear_strides(&a[0]->shape, xs);
	clear_strides(&idx->shape, is);
	memset(g, 0, sizeof(g));
	for (size_t e = 0; e < u0->n; e++) {
		int64_t p = 0;
		int fits = 1;

		for (int j = 0; j < nusd; j++)
			g[dn.ibd[j]] = u[usd[j]];
		start_of(&dn, idx, is, g, st);
		for (int d = 0; d < dn.xr; d++)
			if (st[d] < 0 || st[d] > a[0]->shape.dim[d] - ws[d])
				fits = 0;
		if (fits) {
			for (int d = 0; d < dn.xr; d++)
				p += st[d] * xs[d];
			for (uint32_t w = 0; w < nuw; w++)
				p += u[uw[w]] * xs[dn.wdim[w]];
			for (uint32_t k = 0; k < n; k++) {
				acc[k] = r[k]->e[p];
				val[k] = uc[k]->e[e];
			}
			if ((err = clear_combine(cx, cb, acc, val)) != 0)
				goto out;
			for (uint32_t k = 0; k < n; k++)
				r[k]->e[p] = acc[k];
		}
		clear_next_index(u, &u0->shape);
	}
out:
	for (uint32_t k = 0; k < n; k++)
		clear_val_unref(uc[k]);
	free(cb);
	return err;
}

int
clear_op_index(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	struct clear_val *x = NULL;
	int err;

	for (uint32_t k = 0; k < in->nout; k++)
		if ((err = clear_result(cx, in, k, &r[k])) != 0)
			return err;
	if (in->op == SPU_OP_SCATTER)
		return op_scatter(cx, in, a, r);
	if (in->nin != 2 || in->nout != 1)
		return clear_fail(cx, SPU_EFORMAT, "gather takes 2 operands "
		    "and gives one result");
	if ((err = clear_coerce(cx, a[0], r[0]->dtype, &x)) != 0)
		return err;
	err = op_gather(cx, in, x, a[1], r[0]);
	clear_val_unref(x);
	return err;
}
