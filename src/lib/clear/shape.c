/*
 * shape.c - the cleartext evaluator's data movement ops: BROADCAST,
 * RESHAPE, TRANSPOSE, SLICE, CONCAT, PAD, REVERSE, IOTA, DYN_SLICE and
 * DYN_UPDATE_SLICE.  Elements are moved, never computed on (IOTA aside),
 * so the same code serves every dtype.  Each op checks its attributes
 * against the operand and declared result shapes before touching data.
 */
#include "config.h"

#include <string.h>

#include "clear_int.h"

static int
op_broadcast(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *x, struct clear_val *z)
{
	int64_t dims[SPU_MAX_DIMS], xs[SPU_MAX_DIMS], idx[SPU_MAX_DIMS] = { 0 };
	int64_t map[SPU_MAX_DIMS] = { 0 };	/* per result dim: x stride */
	unsigned mask = 0;
	int n = x->shape.ndim, err;

	if ((err = clear_attr_n(cx, in, SPU_ATTR_DIMS, (uint32_t)n, n > 0, 0,
	    dims)) != 0 || (err = clear_check_dims(cx, dims, (uint32_t)n,
	    z->shape.ndim, &mask, "broadcast")) != 0)
		return err;
	clear_strides(&x->shape, xs);
	for (int i = 0; i < n; i++) {
		int64_t d = x->shape.dim[i];

		if (d != 1 && d != z->shape.dim[dims[i]])
			return clear_fail(cx, SPU_ESHAPE, "operand dimension "
			    "%d has size %lld, result dimension %lld has "
			    "%lld", i, (long long)d, (long long)dims[i],
			    (long long)z->shape.dim[dims[i]]);
		map[dims[i]] = d == 1 ? 0 : xs[i];
	}
	for (size_t k = 0; k < z->n; k++) {
		int64_t off = 0;

		for (int i = 0; i < z->shape.ndim; i++)
			off += idx[i] * map[i];
		z->e[k] = x->e[off];
		clear_next_index(idx, &z->shape);
	}
	return 0;
}

static int
op_transpose(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *x, struct clear_val *z)
{
	int64_t perm[SPU_MAX_DIMS], xs[SPU_MAX_DIMS], idx[SPU_MAX_DIMS] = { 0 };
	struct spu_shape want;
	unsigned mask = 0;
	int n = x->shape.ndim, err;

	if ((err = clear_attr_n(cx, in, SPU_ATTR_PERM, (uint32_t)n, 1, 0,
	    perm)) != 0 || (err = clear_check_dims(cx, perm, (uint32_t)n, n,
	    &mask, "permutation")) != 0)
		return err;
	want.ndim = n;
	for (int i = 0; i < n; i++)
		want.dim[i] = x->shape.dim[perm[i]];
	if ((err = clear_check_shape(cx, &want, &z->shape, "the result")) != 0)
		return err;
	clear_strides(&x->shape, xs);
	for (size_t k = 0; k < z->n; k++) {
		int64_t off = 0;

		for (int i = 0; i < n; i++)
			off += idx[i] * xs[perm[i]];
		z->e[k] = x->e[off];
		clear_next_index(idx, &z->shape);
	}
	return 0;
}

static int
op_slice(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *x, struct clear_val *z)
{
	int64_t st[SPU_MAX_DIMS], li[SPU_MAX_DIMS], sd[SPU_MAX_DIMS];
	int64_t xs[SPU_MAX_DIMS], idx[SPU_MAX_DIMS] = { 0 };
	struct spu_shape want;
	uint32_t n = (uint32_t)x->shape.ndim;
	int err;

	if ((err = clear_attr_n(cx, in, SPU_ATTR_START, n, 1, 0, st)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_LIMIT, n, 1, 0, li)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_STRIDE, n, 0, 1, sd)) != 0)
		return err;
	want.ndim = (int)n;
	for (uint32_t i = 0; i < n; i++) {
		if (st[i] < 0 || st[i] > li[i] || li[i] > x->shape.dim[i] ||
		    sd[i] < 1)
			return clear_fail(cx, SPU_EFORMAT, "slice %lld:%lld:%lld "
			    "of dimension %u (size %lld) is out of range",
			    (long long)st[i], (long long)li[i],
			    (long long)sd[i], i, (long long)x->shape.dim[i]);
		want.dim[i] = (li[i] - st[i] + sd[i] - 1) / sd[i];
	}
	if ((err = clear_check_shape(cx, &want, &z->shape, "the result")) != 0)
		return err;
	clear_strides(&x->shape, xs);
	for (size_t k = 0; k < z->n; k++) {
		int64_t off = 0;

		for (uint32_t i = 0; i < n; i++)
			off += (st[i] + idx[i] * sd[i]) * xs[i];
		z->e[k] = x->e[off];
		clear_next_index(idx, &z->shape);
	}
	return 0;
}

static int
op_concat(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val *z)
{
	int64_t ax, zs[SPU_MAX_DIMS], at = 0;
	int err;

	if ((err = clear_attr_n(cx, in, SPU_ATTR_DIMS, 1, 1, 0, &ax)) != 0)
		return err;
	if (ax < 0 || ax >= z->shape.ndim)
		return clear_fail(cx, SPU_EFORMAT, "concat dimension %lld out "
		    "of range", (long long)ax);
	for (uint32_t j = 0; j < in->nin; j++) {
		const struct clear_val *x = a[j];
		struct spu_shape want = z->shape;

		want.dim[ax] = x->shape.ndim == want.ndim ?
		    x->shape.dim[ax] : 0;
		if ((err = clear_check_shape(cx, &want, &x->shape,
		    "an operand")) != 0)
			return err;
		at += x->shape.dim[ax];
	}
	if (at != z->shape.dim[ax])
		return clear_fail(cx, SPU_ESHAPE, "operand sizes add up to "
		    "%lld along dimension %lld, result has %lld",
		    (long long)at, (long long)ax,
		    (long long)z->shape.dim[ax]);
	clear_strides(&z->shape, zs);
	at = 0;
	for (uint32_t j = 0; j < in->nin; j++) {
		struct clear_val *x = NULL;
		int64_t idx[SPU_MAX_DIMS] = { 0 };

		if ((err = clear_coerce(cx, a[j], z->dtype, &x)) != 0)
			return err;
		for (size_t k = 0; k < x->n; k++) {
			int64_t off = at * zs[ax];

			for (int i = 0; i < z->shape.ndim; i++)
				off += idx[i] * zs[i];
			z->e[off] = x->e[k];
			clear_next_index(idx, &x->shape);
		}
		at += x->shape.dim[ax];
		clear_val_unref(x);
	}
	return 0;
}

static int
op_pad(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *x, struct clear_val *pv, struct clear_val *z)
{
	int64_t lo[SPU_MAX_DIMS], hi[SPU_MAX_DIMS], it[SPU_MAX_DIMS];
	int64_t zs[SPU_MAX_DIMS], idx[SPU_MAX_DIMS] = { 0 };
	struct spu_shape want;
	uint32_t n = (uint32_t)x->shape.ndim;
	int err;

	if (pv->n != 1 || pv->shape.ndim != 0)
		return clear_fail(cx, SPU_ESHAPE, "the padding value must be "
		    "a scalar");
	if ((err = clear_attr_n(cx, in, SPU_ATTR_PAD_LO, n, 1, 0, lo)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_PAD_HI, n, 1, 0, hi)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_PAD_INT, n, 0, 0, it)) != 0)
		return err;
	want.ndim = (int)n;
	for (uint32_t i = 0; i < n; i++) {
		int64_t d = x->shape.dim[i];

		if (it[i] < 0 || it[i] > SPU_MAX_ELEMS ||
		    lo[i] < -SPU_MAX_ELEMS || lo[i] > SPU_MAX_ELEMS ||
		    hi[i] < -SPU_MAX_ELEMS || hi[i] > SPU_MAX_ELEMS)
			return clear_fail(cx, SPU_EFORMAT, "padding of "
			    "dimension %u out of range", i);
		want.dim[i] = lo[i] + hi[i] + d + (d > 0 ? (d - 1) * it[i] : 0);
	}
	if ((err = clear_check_shape(cx, &want, &z->shape, "the result")) != 0)
		return err;
	for (size_t k = 0; k < z->n; k++)
		z->e[k] = pv->e[0];
	clear_strides(&z->shape, zs);
	for (size_t k = 0; k < x->n; k++) {
		int64_t off = 0;
		int inside = 1;

		for (uint32_t i = 0; i < n; i++) {
			int64_t p = lo[i] + idx[i] * (it[i] + 1);

			if (p < 0 || p >= z->shape.dim[i])
				inside = 0;
			off += p * zs[i];
		}
		if (inside)
			z->e[off] = x->e[k];
		clear_next_index(idx, &x->shape);
	}
	return 0;
}

static int
op_reverse(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *x, struct clear_val *z)
{
	int64_t xs[SPU_MAX_DIMS], idx[SPU_MAX_DIMS] = { 0 };
	const int64_t *d;
	uint32_t nd;
	unsigned mask = 0;
	int err;

	if ((err = clear_attr_list(cx, in, SPU_ATTR_DIMS, SPU_MAX_DIMS, 0, &d,
	    &nd)) != 0 || (err = clear_check_dims(cx, d, nd, x->shape.ndim,
	    &mask, "reverse")) != 0 ||
	    (err = clear_check_shape(cx, &x->shape, &z->shape,
	    "the result")) != 0)
		return err;
	clear_strides(&x->shape, xs);
	for (size_t k = 0; k < z->n; k++) {
		int64_t off = 0;

		for (int i = 0; i < x->shape.ndim; i++)
			off += ((mask & (1u << i)) ? x->shape.dim[i] - 1 -
			    idx[i] : idx[i]) * xs[i];
		z->e[k] = x->e[off];
		clear_next_index(idx, &z->shape);
	}
	return 0;
}

static int
op_iota(struct clear_ctx *cx, const struct spu_insn *in, struct clear_val *z)
{
	int64_t dim, idx[SPU_MAX_DIMS] = { 0 };
	int err;

	if ((err = clear_attr_n(cx, in, SPU_ATTR_DIMS, 1, 1, 0, &dim)) != 0)
		return err;
	if (dim < 0 || dim >= z->shape.ndim)
		return clear_fail(cx, SPU_EFORMAT, "iota dimension %lld out "
		    "of range", (long long)dim);
	for (size_t k = 0; k < z->n; k++) {
		if (clear_isf(z->dtype))
			z->e[k].f = (double)idx[dim];
		else
			z->e[k].i = clear_wrap(z->dtype, (uint64_t)idx[dim]);
		clear_next_index(idx, &z->shape);
	}
	return 0;
}

/* Scalar start indices a[0..n) clamped so that a window of size[] fits
 * into shape s (XLA's dynamic-slice rule). */
static int
starts(struct clear_ctx *cx, struct clear_val *const *a,
    const struct spu_shape *s, const int64_t *size, int64_t *st)
{
	for (int i = 0; i < s->ndim; i++) {
		int64_t v;

		if (a[i]->n != 1 || a[i]->shape.ndim != 0 ||
		    clear_isf(a[i]->dtype))
			return clear_fail(cx, SPU_ESHAPE, "start index %d must "
			    "be an integer scalar", i);
		if (size[i] < 0 || size[i] > s->dim[i])
			return clear_fail(cx, SPU_ESHAPE, "size %lld of "
			    "dimension %d exceeds %lld", (long long)size[i],
			    i, (long long)s->dim[i]);
		v = clear_get_index(a[i], 0);
		if (v < 0)
			v = 0;
		if (v > s->dim[i] - size[i])
			v = s->dim[i] - size[i];
		st[i] = v;
	}
	return 0;
}

static int
op_dyn_slice(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val *z)
{
	struct clear_val *x = a[0];
	int64_t size[SPU_MAX_DIMS], st[SPU_MAX_DIMS], xs[SPU_MAX_DIMS];
	int64_t idx[SPU_MAX_DIMS] = { 0 };
	struct spu_shape want;
	uint32_t n = (uint32_t)x->shape.ndim;
	int err;

	if (in->nin != 1 + n)
		return clear_fail(cx, SPU_EFORMAT, "needs %u start indices, "
		    "has %u", n, in->nin - 1);
	if ((err = clear_attr_n(cx, in, SPU_ATTR_SIZES, n, 1, 0, size)) != 0 ||
	    (err = starts(cx, a + 1, &x->shape, size, st)) != 0)
		return err;
	want.ndim = (int)n;
	memcpy(want.dim, size, n * sizeof(*size));
	if ((err = clear_check_shape(cx, &want, &z->shape, "the result")) != 0)
		return err;
	clear_strides(&x->shape, xs);
	for (size_t k = 0; k < z->n; k++) {
		int64_t off = 0;

		for (uint32_t i = 0; i < n; i++)
			off += (st[i] + idx[i]) * xs[i];
		z->e[k] = x->e[off];
		clear_next_index(idx, &z->shape);
	}
	return 0;
}

static int
op_dyn_update(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val *z)
{
	struct clear_val *x = a[0], *u = NULL;
	int64_t st[SPU_MAX_DIMS], zs[SPU_MAX_DIMS], idx[SPU_MAX_DIMS] = { 0 };
	uint32_t n = (uint32_t)x->shape.ndim;
	int err;

	if (in->nin != 2 + n)
		return clear_fail(cx, SPU_EFORMAT, "needs %u start indices, "
		    "has %u", n, in->nin - 2);
	if (a[1]->shape.ndim != (int)n)
		return clear_fail(cx, SPU_ESHAPE, "the update has rank %d, "
		    "the operand %u", a[1]->shape.ndim, n);
	if ((err = clear_check_shape(cx, &x->shape, &z->shape,
	    "the result")) != 0 ||
	    (err = starts(cx, a + 2, &x->shape, a[1]->shape.dim, st)) != 0 ||
	    (err = clear_coerce(cx, a[1], z->dtype, &u)) != 0)
		return err;
	memcpy(z->e, x->e, z->n * sizeof(*z->e));
	clear_strides(&z->shape, zs);
	for (size_t k = 0; k < u->n; k++) {
		int64_t off = 0;

		for (uint32_t i = 0; i < n; i++)
			off += (st[i] + idx[i]) * zs[i];
		z->e[off] = u->e[k];
		clear_next_index(idx, &u->shape);
	}
	clear_val_unref(u);
	return 0;
}

int
clear_op_shape(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	struct clear_val *x = NULL, *pv = NULL;
	int err;

	if (in->nout != 1)
		return clear_fail(cx, SPU_EFORMAT, "needs one result");
	if ((err = clear_result(cx, in, 0, &r[0])) != 0)
		return err;
	if (in->op == SPU_OP_IOTA)
		return op_iota(cx, in, r[0]);
	if (in->op == SPU_OP_CONCAT)
		return op_concat(cx, in, a, r[0]);
	if (in->nin < 1)
		return clear_fail(cx, SPU_EFORMAT, "needs an operand");
	/* the moved operand in the result dtype */
	if ((err = clear_coerce(cx, a[0], r[0]->dtype, &x)) != 0)
		return err;
	switch (in->op) {
	case SPU_OP_BROADCAST:
		err = op_broadcast(cx, in, x, r[0]);
		break;
	case SPU_OP_RESHAPE:
		if (x->n != r[0]->n)
			err = clear_fail(cx, SPU_ESHAPE, "reshape of %zu "
			    "elements to %zu", x->n, r[0]->n);
		else
			memcpy(r[0]->e, x->e, x->n * sizeof(*x->e));
		break;
	case SPU_OP_TRANSPOSE:
		err = op_transpose(cx, in, x, r[0]);
		break;
	case SPU_OP_SLICE:
		err = op_slice(cx, in, x, r[0]);
		break;
	case SPU_OP_PAD:
		if (in->nin != 2) {
			err = clear_fail(cx, SPU_EFORMAT, "needs 2 operands");
			break;
		}
		if ((err = clear_coerce(cx, a[1], r[0]->dtype, &pv)) == 0)
			err = op_pad(cx, in, x, pv, r[0]);
		break;
	case SPU_OP_REVERSE:
		err = op_reverse(cx, in, x, r[0]);
		break;
	case SPU_OP_DYN_SLICE: {
		struct clear_val *b[1 + SPU_MAX_DIMS];

		if (in->nin > 1 + SPU_MAX_DIMS) {
			err = clear_fail(cx, SPU_EFORMAT, "too many indices");
			break;
		}
		memcpy(b, a, in->nin * sizeof(*b));
		b[0] = x;
		err = op_dyn_slice(cx, in, b, r[0]);
		break;
	}
	case SPU_OP_DYN_UPDATE_SLICE: {
		struct clear_val *b[2 + SPU_MAX_DIMS];

		if (in->nin > 2 + SPU_MAX_DIMS || in->nin < 2) {
			err = clear_fail(cx, SPU_EFORMAT, "bad operand count");
			break;
		}
		memcpy(b, a, in->nin * sizeof(*b));
		b[0] = x;
		err = op_dyn_update(cx, in, b, r[0]);
		break;
	}
	default:
		err = clear_fail(cx, SPU_EUNSUPP, "not a shape op");
		break;
	}
	clear_val_unref(x);
	clear_val_unref(pv);
	return err;
}
