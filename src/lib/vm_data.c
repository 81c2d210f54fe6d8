/*
 * vm_data.c - the VM's shape and index ops: broadcast, reshape,
 * transpose, slice, concatenate, pad, reverse, iota, dynamic slices,
 * gather, scatter (add or replace) and convolution.  Decodes attributes
 * and hands the work to hal/shape.c and hal/index.c (public indices:
 * local moves) or hal/oblivious.c (secret indices: one-hot selection).
 * Scatter with several operands or another combiner is in vm_map.c.
 */
#include "config.h"

#include <string.h>

#include "hal/hal.h"
#include "hal/index.h"
#include "hal/oblivious.h"
#include "hal/shape.h"
#include "vm_int.h"

static int
efmt(struct spu_mpc *m, const char *what)
{
	return spu_mpc_fail(m, SPU_EFORMAT, what);
}

static int
dimnums(struct spu_mpc *m, const struct spu_insn *in, int scatter,
    struct spu_dimnums *dn)
{
	int n;
	const int64_t *ivd = spu_vm_attr_list(in, SPU_ATTR_INDEX_VECTOR_DIM,
	    &n);

	memset(dn, 0, sizeof(*dn));
	if (ivd == NULL || n != 1)
		return efmt(m, "missing index_vector_dim");
	dn->index_vector_dim = ivd[0];
	dn->offset = spu_vm_attr_list(in, scatter ?
	    SPU_ATTR_UPDATE_WINDOW_DIMS : SPU_ATTR_OFFSET_DIMS, &dn->noffset);
	dn->collapsed = spu_vm_attr_list(in, scatter ? SPU_ATTR_INSERTED_DIMS :
	    SPU_ATTR_COLLAPSED_DIMS, &dn->ncollapsed);
	dn->index_map = spu_vm_attr_list(in, scatter ?
	    SPU_ATTR_SCATTER_DIMS_TO_OPERAND : SPU_ATTR_START_INDEX_MAP,
	    &dn->nindex_map);
	dn->slice_sizes = spu_vm_attr_list(in, SPU_ATTR_SLICE_SIZES, &n);
	dn->operand_batch = spu_vm_attr_list(in, SPU_ATTR_OPERAND_BATCH_DIMS,
	    &dn->noperand_batch);
	dn->indices_batch = spu_vm_attr_list(in, SPU_ATTR_INDICES_BATCH_DIMS,
	    &dn->nindices_batch);
	if (dn->noperand_batch != dn->nindices_batch ||
	    (!scatter && dn->slice_sizes == NULL))
		return efmt(m, "bad dimension numbers");
	return 0;
}

/* The spatial window of a convolution with defaults. */
static int
window(struct spu_mpc *m, const struct spu_insn *in, int n,
    struct spu_window *w)
{
	static const enum spu_attr_key keys[4] = { SPU_ATTR_WSTRIDE,
	    SPU_ATTR_PAD_LO, SPU_ATTR_BASE_DILATE, SPU_ATTR_WIN_DILATE };
	int64_t *dst[4] = { w->stride, w->pad_lo, w->base_dilate,
	    w->win_dilate };

	if (n < 0 || n > SPU_MAX_DIMS)
		return efmt(m, "bad window rank");
	w->n = n;
	for (int k = 0; k < 4; k++) {
		int len;
		const int64_t *v = spu_vm_attr_list(in, keys[k], &len);
		for (int i = 0; i < n; i++) {
			dst[k][i] = v && len == n ? v[i] : k == 1 ? 0 : 1;
			if (k != 1 && dst[k][i] < 1)
				return efmt(m, "window strides and dilations "
				    "must be >= 1");
		}
	}
	return 0;
}

static int
any_secret(struct spu_value *const *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i]->vis == SPU_SECRET)
			return 1;
	return 0;
}

static int
gather(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **z)
{
	const struct spu_attr *ss = spu_insn_attr(in, SPU_ATTR_SLICE_SIZES);
	struct spu_dimnums dn;
	int rc;

	if ((rc = dimnums(m, in, 0, &dn)) != 0)
		return rc;
	if (ss == NULL || ss->n != (uint32_t)ops[0]->shape.ndim)
		return efmt(m, "bad slice_sizes");
	if (ops[1]->vis == SPU_SECRET)
		return spu_hal_obl_gather(m, ops[0], ops[1], &dn,
		    &in->type[0].shape, z);
	return spu_hal_gather(m, ops[0], ops[1], &dn, &in->type[0].shape, z);
}

static int
scatter(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **z)
{
	const int64_t *kind = spu_vm_attr(in, SPU_ATTR_REDUCER, 1);
	struct spu_dimnums dn;
	int rc;

	if (in->nin != 3 || kind == NULL || (kind[0] != SPU_REDUCE_ADD &&
	    kind[0] != SPU_REDUCE_REPLACE))
		return SPU_VM_NOT_MINE;		/* vm_map.c */
	if ((rc = dimnums(m, in, 1, &dn)) != 0)
		return rc;
	if (ops[1]->vis == SPU_SECRET)
		return spu_hal_obl_scatter(m, ops[0], ops[1], ops[2], &dn,
		    kind[0] == SPU_REDUCE_ADD, z);
	return spu_hal_scatter(m, ops[0], ops[1], ops[2], &dn,
	    kind[0] == SPU_REDUCE_ADD, z);
}

static int
conv(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **z)
{
	const struct spu_value *x = ops[0], *y = ops[1];
	struct spu_window w;
	int nd = x->shape.ndim - 2, n, rc;
	const int64_t *cd = spu_vm_attr_list(in, SPU_ATTR_CONV_DIMS, &n);
	const int64_t *fg = spu_vm_attr(in, SPU_ATTR_FEATURE_GROUPS, 1);
	const int64_t *bg = spu_vm_attr(in, SPU_ATTR_BATCH_GROUPS, 1);

	if (cd == NULL || n != 3 * (nd + 2) || y->shape.ndim != nd + 2)
		return efmt(m, "bad conv_dims");
	if (bg != NULL && bg[0] != 1)
		return spu_mpc_fail(m, SPU_EUNSUPP, "convolution with "
		    "batch_group_count > 1 is not supported yet");
	if ((rc = window(m, in, nd, &w)) != 0)
		return rc;
	return spu_hal_conv(m, x, y, cd, &w, fg ? fg[0] : 1, in->type[0].dtype,
	    &in->type[0].shape, z);
}

int
spu_vm_data(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **z)
{
	const struct spu_type *t = &in->type[0];
	const struct spu_value *x = in->nin > 0 ? ops[0] : NULL;
	uint32_t r = x ? (uint32_t)x->shape.ndim : 0;
	const struct spu_attr *d;
	const int64_t *a;

	switch (in->op) {
	case SPU_OP_BROADCAST:
		a = spu_vm_attr(in, SPU_ATTR_DIMS, r);
		if (a == NULL && r > 0)
			return efmt(m, "broadcast without dims");
		return spu_hal_broadcast(m, x, &t->shape, a, z);
	case SPU_OP_RESHAPE:
		return spu_hal_reshape(m, x, &t->shape, z);
	case SPU_OP_TRANSPOSE:
		if ((a = spu_vm_attr(in, SPU_ATTR_PERM, r)) == NULL)
			return efmt(m, "transpose without perm");
		return spu_hal_transpose(m, x, a, z);
	case SPU_OP_SLICE: {
		const int64_t *lo = spu_vm_attr(in, SPU_ATTR_START, r);
		const int64_t *hi = spu_vm_attr(in, SPU_ATTR_LIMIT, r);
		const int64_t *st = spu_vm_attr(in, SPU_ATTR_STRIDE, r);
		if (lo == NULL || hi == NULL || st == NULL)
			return efmt(m, "slice without bounds");
		return spu_hal_slice(m, x, lo, hi, st, z);
	}
	case SPU_OP_CONCAT:
		if ((a = spu_vm_attr(in, SPU_ATTR_DIMS, 1)) == NULL)
			return efmt(m, "concat without dims");
		return spu_hal_concat(m, (const struct spu_value *const *)ops,
		    (int)in->nin, (int)a[0], z);
	case SPU_OP_PAD: {
		const int64_t *lo = spu_vm_attr(in, SPU_ATTR_PAD_LO, r);
		const int64_t *hi = spu_vm_attr(in, SPU_ATTR_PAD_HI, r);
		const int64_t *it = spu_vm_attr(in, SPU_ATTR_PAD_INT, r);
		int64_t zero[SPU_MAX_DIMS] = { 0 };
		if (lo == NULL || hi == NULL)
			return efmt(m, "pad without amounts");
		return spu_hal_pad(m, x, ops[1], lo, hi, it ? it : zero, z);
	}
	case SPU_OP_REVERSE:
		d = spu_insn_attr(in, SPU_ATTR_DIMS);
		return spu_hal_reverse(m, x, d ? d->v : NULL, d ? (int)d->n : 0,
		    z);
	case SPU_OP_IOTA:
		if ((a = spu_vm_attr(in, SPU_ATTR_DIMS, 1)) == NULL)
			return efmt(m, "iota without dims");
		return spu_hal_iota(m, t->dtype, &t->shape, (int)a[0], z);
	case SPU_OP_DYN_SLICE:
		if ((a = spu_vm_attr(in, SPU_ATTR_SIZES, r)) == NULL ||
		    in->nin != 1 + r)
			return efmt(m, "dynamic slice needs one index per "
			    "dimension");
		if (any_secret(ops + 1, r))
			return spu_hal_obl_dyn_slice(m, x,
			    (const struct spu_value *const *)ops + 1, a, z);
		return spu_hal_dyn_slice(m, x,
		    (const struct spu_value *const *)ops + 1, a, z);
	case SPU_OP_DYN_UPDATE_SLICE:
		if (in->nin != 2 + r)
			return efmt(m, "dynamic update slice needs one index "
			    "per dimension");
		if (any_secret(ops + 2, r))
			return spu_hal_obl_dyn_update_slice(m, x, ops[1],
			    (const struct spu_value *const *)ops + 2, z);
		return spu_hal_dyn_update_slice(m, x, ops[1],
		    (const struct spu_value *const *)ops + 2, z);
	case SPU_OP_GATHER:
		return gather(m, in, ops, z);
	case SPU_OP_SCATTER:
		return scatter(m, in, ops, z);
	case SPU_OP_CONV:
		return conv(m, in, ops, z);
	default:
		return SPU_VM_NOT_MINE;
	}
}
