/*
 * index.c - gather, scatter and convolution by index maps.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "shape.h"
#include "../mem.h"

static int
bad(struct spu_mpc *m, const char *what)
{
	return spu_mpc_fail(m, SPU_ESHAPE, what);
}

static int
contains(const int64_t *v, int n, int64_t x)
{
	for (int i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* Public integer indices as int64. */
static int
read_indices(struct spu_mpc *m, const struct spu_value *idx, int64_t **out)
{
	int64_t *v;

	if (idx->vis != SPU_PUBLIC)
		return spu_mpc_fail(m, SPU_EUNSUPP, "gather/scatter with "
		    "secret indices is not supported yet");
	if (spu_dtype_is_float(idx->dtype))
		return bad(m, "indices are not integers");
	if ((v = spu_malloc(idx->n ? idx->n : 1, sizeof(*v))) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	for (size_t i = 0; i < idx->n; i++)
		v[i] = (int64_t)spu_ring_get_signed(m->field, idx->share[0], i);
	*out = v;
	return 0;
}

/*
 * The start position in the operand for "batch" coordinates g (the
 * coordinates of the index tensor other than index_vector_dim, in order).
 */
static void
start_of(const struct spu_dimnums *dn, const struct spu_shape *is,
    const int64_t *ist, const int64_t *iv, const int64_t *g, int64_t *start,
    int rank)
{
	int64_t ivd = dn->index_vector_dim;
	int64_t base = 0;
	int gi = 0;

	memset(start, 0, sizeof(int64_t) * (size_t)rank);
	/* offset of g within the index tensor (index_vector_dim at 0) */
	for (int d = 0; d < is->ndim; d++) {
		if (d == ivd)
			continue;
		base += g[gi++] * ist[d];
	}
	for (int k = 0; k < dn->nindex_map; k++) {
		int64_t off = ivd < is->ndim ? k * ist[ivd] : 0;
		start[dn->index_map[k]] = iv[base + off];
	}
	for (int b = 0; b < dn->noperand_batch; b++) {
		/* position of indices_batch[b] among the non-vector dims */
		int pos = 0;
		for (int d = 0; d < dn->indices_batch[b]; d++)
			if (d != ivd)
				pos++;
		start[dn->operand_batch[b]] = g[pos];
	}
}

int
spu_hal_gather(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *idx, const struct spu_dimnums *dn,
    const struct spu_shape *s, struct spu_value **out)
{
	const struct spu_shape *xs = &x->shape, *is = &idx->shape;
	int64_t xst[SPU_MAX_DIMS], ist[SPU_MAX_DIMS], c[SPU_MAX_DIMS] = { 0 };
	int64_t start[SPU_MAX_DIMS], g[SPU_MAX_DIMS];
	int offdim[SPU_MAX_DIMS], noff = 0;
	int64_t *iv = NULL, *map = NULL, n = spu_shape_numel(s);
	int rc;

	if (n < 0 || dn->index_vector_dim < 0 ||
	    dn->index_vector_dim > is->ndim)
		return bad(m, "gather: bad shapes");
	for (int d = 0; d < xs->ndim; d++)
		if (!contains(dn->collapsed, dn->ncollapsed, d) &&
		    !contains(dn->operand_batch, dn->noperand_batch, d))
			offdim[noff++] = d;
	if (noff != dn->noffset)
		return bad(m, "gather: offset dims do not match the operand");
	for (int k = 0; k < dn->nindex_map; k++)
		if (dn->index_map[k] < 0 || dn->index_map[k] >= xs->ndim)
			return bad(m, "gather: bad start_index_map");
	if ((rc = read_indices(m, idx, &iv)) != 0)
		return rc;
	if ((map = spu_malloc((size_t)n ? (size_t)n : 1, sizeof(*map))) == NULL) {
		free(iv);
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	}
	spu_shape_strides(xs, xst);
	spu_shape_strides(is, ist);
	for (int64_t i = 0; i < n; i++, spu_shape_next(s, c)) {
		int64_t j = 0;
		int gi = 0, oi = 0;
		for (int d = 0; d < s->ndim; d++) {
			if (contains(dn->offset, dn->noffset, d))
				continue;
			g[gi++] = c[d];
		}
		start_of(dn, is, ist, iv, g, start, xs->ndim);
		for (int d = 0; d < xs->ndim; d++) {
			int64_t hi = xs->dim[d] - dn->slice_sizes[d];
			int64_t st = start[d] < 0 ? 0 : start[d] > hi ? hi : start[d];
			int64_t o = 0;
			if (oi < noff && offdim[oi] == d)
				o = c[dn->offset[oi++]];
			j += (st + o) * xst[d];
		}
		map[i] = j;
	}
	rc = spu_hal_index_move(m, &x, 1, map, NULL, s, x->dtype, out);
	free(map);
	free(iv);
	return rc;
}

int
spu_hal_scatter(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *idx, const struct spu_value *upd,
    const struct spu_dimnums *dn, int add, struct spu_value **out)
{
	const struct spu_shape *xs = &x->shape, *is = &idx->shape;
	const struct spu_shape *us = &upd->shape;
	int64_t xst[SPU_MAX_DIMS], ist[SPU_MAX_DIMS], c[SPU_MAX_DIMS] = { 0 };
	int64_t start[SPU_MAX_DIMS], g[SPU_MAX_DIMS];
	int windim[SPU_MAX_DIMS], nwin = 0;
	struct spu_value *z = NULL, *u = NULL;
	int64_t *iv = NULL;
	size_t K = spu_ring_size(m->field);
	int rc;

	for (int d = 0; d < xs->ndim; d++)
		if (!contains(dn->collapsed, dn->ncollapsed, d) &&
		    !contains(dn->operand_batch, dn->noperand_batch, d))
			windim[nwin++] = d;
	if (nwin != dn->noffset || dn->index_vector_dim < 0 ||
	    dn->index_vector_dim > is->ndim)
		return bad(m, "scatter: window dims do not match the operand");
	for (int k = 0; k < dn->nindex_map; k++)
		if (dn->index_map[k] < 0 || dn->index_map[k] >= xs->ndim)
			return bad(m, "scatter: bad scatter_dims_to_operand_dims");
	if ((rc = read_indices(m, idx, &iv)) != 0)
		return rc;
	/* result and updates at a common visibility */
	if (x->vis == SPU_SECRET || upd->vis == SPU_SECRET) {
		rc = spu_hal_p2s(m, x, &z);
		if (rc == 0)
			rc = spu_hal_p2s(m, upd, &u);
	} else {
		z = spu_value_dup(x);
		u = spu_value_dup(upd);
		rc = z && u ? 0 : spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	}
	if (rc != 0)
		goto out;
	spu_shape_strides(xs, xst);
	spu_shape_strides(is, ist);
	for (size_t i = 0; i < upd->n; i++, spu_shape_next(us, c)) {
		int64_t j = 0;
		int gi = 0, wi = 0, inside = 1;
		for (int d = 0; d < us->ndim; d++)
			if (!contains(dn->offset, dn->noffset, d))
				g[gi++] = c[d];
		start_of(dn, is, ist, iv, g, start, xs->ndim);
		for (int d = 0; d < xs->ndim; d++) {
			int64_t p = start[d];
			if (wi < nwin && windim[wi] == d)
				p += c[dn->offset[wi++]];
			if (p < 0 || p >= xs->dim[d])
				inside = 0;
			j += p * xst[d];
		}
		if (!inside)
			continue;
		for (int sh = 0; sh < z->nshares; sh++) {
			uint8_t *dst = (uint8_t *)z->share[sh] + (size_t)j * K;
			const uint8_t *src = (const uint8_t *)u->share[sh] + i * K;
			if (add)
				spu_ring_add(m->field, dst, dst, src, 1);
			else
				memcpy(dst, src, K);
		}
	}
out:
	free(iv);
	spu_value_free(u);
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

/*
 * matmul of X = the patches of x (pm, shape xs = [fg, N nout, cg kwin])
 * and b: the protocol's matmul_map when both are secret and it has one
 * (a block of X's rows at a time; semi2k masks x, not X), else X is
 * built whole and multiplied.
 */
static int
patches_matmul(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_patch_map *pm, const struct spu_shape *xs,
    const struct spu_value *b, enum spu_dtype t, struct spu_value **out)
{
	const struct spu_shape *sb = &b->shape;
	struct spu_value *X, *z;
	struct spu_shape sz = *xs;
	int rc;

	sz.dim[2] = sb->dim[2];
	if (x->vis == SPU_SECRET && b->vis == SPU_SECRET &&
	    m->ops->matmul_map != NULL) {
		const uint64_t id[2] = { x->input_id, b->input_id };
		if ((z = spu_hal_alloc(m, t, &sz, SPU_SECRET)) == NULL)
			return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		rc = m->ops->matmul_map(m, z->share, x->share, x->n, pm,
		    b->share, (size_t)sb->dim[2], id);
		if (rc == 0)
			rc = spu_hal_trunc(m, z,
			    spu_hal_product_scale(m, x, b));
		if (rc != 0) {
			spu_value_free(z);
			return rc;
		}
		*out = z;
		return 0;
	}
	if ((X = spu_hal_alloc(m, x->dtype, xs, x->vis)) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	for (int s = 0; s < X->nshares; s++)
		spu_patch_all(m->field, X->share[s], x->share[s], pm);
	rc = spu_hal_matmul(m, X, b, t, out);
	spu_value_free(X);
	return rc;
}

/*
 * Convolution as im2col: for each group, patches P[b*out, cin_g * kwin]
 * (padding and dilation holes read as zero) times the kernel matrix
 * K[cin_g * kwin, cout_g], one batched matmul over the groups
 * (patches_matmul: P as a map of x, so semi2k opens x, not P), then
 * the result is moved into the output layout.
 */
int
spu_hal_conv(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *k, const int64_t *cd, const struct spu_window *w,
    int64_t fg, enum spu_dtype t, const struct spu_shape *s,
    struct spu_value **out)
{
	int ns = w->n, rc;
	const int64_t *in_sp = cd + 2, *k_sp = cd + 4 + ns, *o_sp = cd + 6 + 2 * ns;
	int64_t ib = cd[0], ifeat = cd[1], kin = cd[2 + ns], kout = cd[3 + ns];
	int64_t ob = cd[4 + 2 * ns], of = cd[5 + 2 * ns];
	const struct spu_shape *xs = &x->shape, *ks = &k->shape;
	int64_t xst[SPU_MAX_DIMS], kst[SPU_MAX_DIMS], ost[SPU_MAX_DIMS];
	int64_t N = xs->dim[ib], cin = xs->dim[ifeat], cout = ks->dim[kout];
	int64_t cg = ks->dim[kin], og, nout = 1, kwin = 1;
	struct spu_shape ps, kms, rs;
	struct spu_value *KM = NULL, *R = NULL;
	int64_t *map = NULL, *sp = NULL;
	struct spu_patch_map pm;

	if (fg < 1 || cin != cg * fg || cout % fg != 0)
		return bad(m, "conv: feature groups do not divide the features");
	og = cout / fg;
	for (int i = 0; i < ns; i++) {
		nout *= s->dim[o_sp[i]];
		kwin *= ks->dim[k_sp[i]];
	}
	spu_shape_strides(xs, xst);
	spu_shape_strides(ks, kst);
	spu_shape_strides(s, ost);
	/* patches: [fg, N*nout, cg*kwin] */
	ps = (struct spu_shape){ 3, { fg, N * nout, cg * kwin } };
	kms = (struct spu_shape){ 3, { fg, cg * kwin, og } };
	if (spu_shape_numel(&ps) < 0 || spu_shape_numel(&kms) < 0)
		return bad(m, "conv: too large");
	/* the spatial part of every (output position, window position)
	 * pair once: the input offset, or -1 in padding and dilation holes */
	if ((sp = spu_malloc((size_t)(nout * kwin), sizeof(*sp))) == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	for (int64_t o = 0; o < nout; o++)
		for (int64_t q = 0; q < kwin; q++) {
			int64_t j = 0, orem = o, qrem = q;
			for (int d = ns - 1; d >= 0 && j >= 0; d--) {
				int64_t osz = s->dim[o_sp[d]], ksz = ks->dim[k_sp[d]];
				int64_t oc = orem % osz, kc = qrem % ksz;
				int64_t p = oc * w->stride[d] + kc * w->win_dilate[d] -
				    w->pad_lo[d];
				orem /= osz;
				qrem /= ksz;
				if (p < 0 || p % w->base_dilate[d] != 0 ||
				    p / w->base_dilate[d] >= xs->dim[in_sp[d]])
					j = -1;
				else
					j += (p / w->base_dilate[d]) * xst[in_sp[d]];
			}
			sp[o * kwin + q] = j;
		}
	/* the patches as that table: the product expands them a block
	 * at a time, and never opens them */
	pm = (struct spu_patch_map){ fg, N, nout, cg, kwin, xst[ib],
	    xst[ifeat], sp };
	if ((map = spu_malloc((size_t)spu_shape_numel(&kms), sizeof(*map))) ==
	    NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	{
		size_t i = 0;
		for (int64_t gr = 0; gr < fg; gr++)
		for (int64_t c = 0; c < cg; c++)
		for (int64_t q = 0; q < kwin; q++)
		for (int64_t oc = 0; oc < og; oc++, i++) {
			int64_t j = c * kst[kin] + (gr * og + oc) * kst[kout];
			int64_t qrem = q;
			for (int d = ns - 1; d >= 0; d--) {
				int64_t ksz = ks->dim[k_sp[d]];
				j += (qrem % ksz) * kst[k_sp[d]];
				qrem /= ksz;
			}
			map[i] = j;
		}
	}
	if ((rc = spu_hal_index_move(m, &k, 1, map, NULL, &kms, k->dtype, &KM)) != 0)
		goto out;
	if ((rc = patches_matmul(m, x, &pm, &ps, KM, t, &R)) != 0)
		goto out;
	/* R is [fg, N*nout, og]; move into the output layout */
	free(map);
	if ((map = spu_malloc(spu_shape_numel(s) > 0 ?
	    (size_t)spu_shape_numel(s) : 1, sizeof(*map))) == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	{
		int64_t c[SPU_MAX_DIMS] = { 0 }, n = spu_shape_numel(s);
		for (int64_t i = 0; i < n; i++, spu_shape_next(s, c)) {
			int64_t b = c[ob], f = c[of], o = 0;
			for (int d = 0; d < ns; d++)
				o = o * s->dim[o_sp[d]] + c[o_sp[d]];
			map[i] = ((f / og) * N * nout + b * nout + o) * og + f % og;
		}
	}
	rs = *s;
	rc = spu_hal_index_move(m, (const struct spu_value *const *)&R, 1, map,
	    NULL, &rs, t, out);
out:
	free(sp);
	free(map);
	spu_value_free(KM);
	spu_value_free(R);
	return rc;
}
