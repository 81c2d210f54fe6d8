/*
 * shape.c - data movement on values.  Every operation computes an index
 * map from result element to source element and moves ring words with
 * spu_hal_index_move; no communication.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "shape.h"
#include "../mem.h"

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

static int
bad(struct spu_mpc *m, const char *what)
{
	return spu_mpc_fail(m, SPU_ESHAPE, what);
}

int
spu_hal_index_move(struct spu_mpc *m, const struct spu_value *const *src,
    int nsrc, const int64_t *idx, const struct spu_value *fill,
    const struct spu_shape *s, enum spu_dtype t, struct spu_value **out)
{
	enum spu_vis vis = fill && fill->vis == SPU_SECRET ? SPU_SECRET :
	    SPU_PUBLIC;
	const struct spu_value *use[64];
	struct spu_value *tmp[65] = { NULL };
	struct spu_value *z = NULL;
	size_t K = spu_ring_size(m->field), total = 0;
	int rc = 0;

	if (nsrc > 64)
		return bad(m, "too many operands");
	for (int i = 0; i < nsrc; i++)
		if (src[i]->vis == SPU_SECRET)
			vis = SPU_SECRET;
	/* bring every source (and the fill) to the common visibility */
	for (int i = 0; i <= nsrc; i++) {
		const struct spu_value *v = i < nsrc ? src[i] : fill;
		if (v == NULL)
			continue;
		if (vis == SPU_SECRET && v->vis == SPU_PUBLIC) {
			if ((rc = spu_hal_p2s(m, v, &tmp[i])) != 0)
				goto out;
			v = tmp[i];
		}
		if (i < nsrc) {
			use[i] = v;
			total += v->n;
		} else {
			fill = v;
		}
	}
	if ((z = spu_hal_alloc(m, t, s, vis)) == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (int sh = 0; sh < z->nshares; sh++) {
		uint8_t *dst = z->share[sh];
		if (K == 8) {
			/* the 64-bit ring a word at a time */
			uint64_t fv = 0, *dv = (uint64_t *)(void *)dst;
			if (fill != NULL)
				memcpy(&fv, fill->share[sh], 8);
			for (size_t i = 0; i < z->n; i++) {
				int64_t j = idx[i];
				int k = 0;
				if (j < 0 || (size_t)j >= total) {
					if (fill == NULL) {
						rc = bad(m,
						    "index out of range");
						goto out;
					}
					dv[i] = fv;
					continue;
				}
				while ((size_t)j >= use[k]->n) {
					j -= (int64_t)use[k]->n;
					k++;
				}
				dv[i] = ((const uint64_t *)
				    use[k]->share[sh])[j];
			}
			continue;
		}
		for (size_t i = 0; i < z->n; i++) {
			int64_t j = idx[i];
			const uint8_t *p;
			if (j < 0 || (size_t)j >= total) {
				if (fill == NULL) {
					rc = bad(m, "index out of range");
					goto out;
				}
				p = fill->share[sh];
			} else {
				int k = 0;
				while ((size_t)j >= use[k]->n) {
					j -= (int64_t)use[k]->n;
					k++;
				}
				p = (const uint8_t *)use[k]->share[sh] + (size_t)j * K;
			}
			memcpy(dst + i * K, p, K);
		}
	}
out:
	for (int i = 0; i <= nsrc; i++)
		spu_value_free(tmp[i]);
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

static int64_t *
index_alloc(struct spu_mpc *m, const struct spu_shape *s, size_t *n)
{
	int64_t k = spu_shape_numel(s);
	int64_t *idx;

	if (k < 0) {
		bad(m, "bad result shape");
		return NULL;
	}
	if ((idx = spu_malloc((size_t)k, sizeof(*idx))) == NULL)
		nomem(m);
	*n = (size_t)k;
	return idx;
}

/* The shape *s of a's slice, or an error if it reaches outside a. */
static int
slice_shape(struct spu_mpc *m, const struct spu_value *a,
    const int64_t *start, const int64_t *limit, const int64_t *stride,
    struct spu_shape *s)
{
	*s = a->shape;
	for (int d = 0; d < s->ndim; d++) {
		if (start[d] < 0 || limit[d] > a->shape.dim[d] ||
		    start[d] > limit[d] || stride[d] < 1)
			return bad(m, "slice: bounds outside the operand");
		s->dim[d] = (limit[d] - start[d] + stride[d] - 1) / stride[d];
	}
	return 0;
}

/*
 * The contiguous runs of a slice (shape s) of a, whose strides are st:
 * the innermost dimensions with unit strides, all whole but the
 * outermost of them, are runs of *run elements at *base plus the
 * offset of the outer coordinates.  Returns the number of outer
 * dimensions (0 .. ret-1), which name the runs.
 */
static int
slice_runs(const struct spu_value *a, const struct spu_shape *s,
    const int64_t *start, const int64_t *stride, const int64_t *st,
    size_t *run, size_t *base)
{
	int d = s->ndim - 1;

	*run = 1;
	*base = 0;
	while (d >= 0 && stride[d] == 1) {
		int whole = s->dim[d] == a->shape.dim[d];
		*run *= (size_t)s->dim[d];
		*base += (size_t)(start[d] * st[d]);
		d--;
		if (!whole)
			break;
	}
	return d + 1;
}

/*
 * A slice copied run by run when its runs are long (a batch out of a
 * dataset, a block of rows), else element by element through an index
 * map.
 */
int
spu_hal_slice(struct spu_mpc *m, const struct spu_value *a,
    const int64_t *start, const int64_t *limit, const int64_t *stride,
    struct spu_value **out)
{
	size_t K = spu_ring_size(m->field), run, base, n;
	int64_t st[SPU_MAX_DIMS], c[SPU_MAX_DIMS] = { 0 }, *idx;
	struct spu_shape s, os = { 0, { 0 } };
	struct spu_value *z;
	int rc, outer;

	if ((rc = slice_shape(m, a, start, limit, stride, &s)) != 0)
		return rc;
	spu_shape_strides(&a->shape, st);
	outer = slice_runs(a, &s, start, stride, st, &run, &base);
	if (run >= 16 && !a->xor_shared) {
		os.ndim = outer;
		for (int i = 0; i < outer; i++)
			os.dim[i] = s.dim[i];
		if ((z = spu_hal_alloc(m, a->dtype, &s, a->vis)) == NULL)
			return nomem(m);
		n = (size_t)spu_shape_numel(&os);
		for (size_t r = 0; r < n; r++, spu_shape_next(&os, c)) {
			size_t off = base;
			for (int i = 0; i < outer; i++)
				off += (size_t)((start[i] + c[i] * stride[i]) *
				    st[i]);
			for (int sh = 0; sh < z->nshares; sh++)
				memcpy((uint8_t *)z->share[sh] + r * run * K,
				    (const uint8_t *)a->share[sh] + off * K,
				    run * K);
		}
		*out = z;
		return 0;
	}
	if ((idx = index_alloc(m, &s, &n)) == NULL)
		return SPU_ENOMEM;
	for (size_t i = 0; i < n; i++, spu_shape_next(&s, c)) {
		int64_t j = 0;
		for (int d = 0; d < s.ndim; d++)
			j += (start[d] + c[d] * stride[d]) * st[d];
		idx[i] = j;
	}
	rc = spu_hal_index_move(m, &a, 1, idx, NULL, &s, a->dtype, out);
	free(idx);
	return rc;
}

/* A slice that is one run of a (every outer extent 1), as a view of a's
 * buffers: the caller frees only the struct, and not after a. */
int
spu_hal_slice_view(struct spu_mpc *m, const struct spu_value *a,
    const int64_t *start, const int64_t *limit, const int64_t *stride,
    struct spu_value **out)
{
	size_t K = spu_ring_size(m->field), run, base;
	int64_t st[SPU_MAX_DIMS];
	struct spu_shape s;
	struct spu_value *v;
	int rc, outer;

	if ((rc = slice_shape(m, a, start, limit, stride, &s)) != 0)
		return rc;
	spu_shape_strides(&a->shape, st);
	outer = slice_runs(a, &s, start, stride, st, &run, &base);
	for (int i = 0; i < outer; i++) {
		if (s.dim[i] != 1)
			return 1;
		base += (size_t)(start[i] * st[i]);
	}
	if ((v = malloc(sizeof(*v))) == NULL)
		return nomem(m);
	*v = *a;
	v->shape = s;
	v->n = run;
	v->input_id = 0;
	for (int k = 0; k < a->nshares; k++)
		v->share[k] = (uint8_t *)a->share[k] + base * K;
	*out = v;
	return 0;
}

int
spu_hal_concat(struct spu_mpc *m, const struct spu_value *const *a, int n,
    int dim, struct spu_value **out)
{
	struct spu_shape s = a[0]->shape;
	int64_t c[SPU_MAX_DIMS] = { 0 }, *idx, base[65], st[65][SPU_MAX_DIMS];
	size_t total;
	int rc;

	if (n < 1 || n > 64 || dim < 0 || dim >= s.ndim)
		return bad(m, "concatenate: bad dimension");
	s.dim[dim] = 0;
	base[0] = 0;
	for (int k = 0; k < n; k++) {
		if (a[k]->shape.ndim != s.ndim)
			return bad(m, "concatenate: ranks differ");
		for (int d = 0; d < s.ndim; d++)
			if (d != dim && a[k]->shape.dim[d] != s.dim[d])
				return bad(m, "concatenate: shapes differ");
		s.dim[dim] += a[k]->shape.dim[dim];
		base[k + 1] = base[k] + (int64_t)a[k]->n;
		spu_shape_strides(&a[k]->shape, st[k]);
	}
	if ((idx = index_alloc(m, &s, &total)) == NULL)
		return SPU_ENOMEM;
	for (size_t i = 0; i < total; i++, spu_shape_next(&s, c)) {
		int64_t off = c[dim], j = 0;
		int k = 0;
		while (off >= a[k]->shape.dim[dim]) {
			off -= a[k]->shape.dim[dim];
			k++;
		}
		for (int d = 0; d < s.ndim; d++)
			j += (d == dim ? off : c[d]) * st[k][d];
		idx[i] = base[k] + j;
	}
	rc = spu_hal_index_move(m, a, n, idx, NULL, &s, a[0]->dtype, out);
	free(idx);
	return rc;
}

int
spu_hal_pad(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *padval, const int64_t *lo, const int64_t *hi,
    const int64_t *interior, struct spu_value **out)
{
	struct spu_shape s = a->shape;
	int64_t st[SPU_MAX_DIMS], c[SPU_MAX_DIMS] = { 0 }, *idx;
	size_t n;
	int rc;

	if (padval->n != 1)
		return bad(m, "pad: padding value is not a scalar");
	spu_shape_strides(&a->shape, st);
	for (int d = 0; d < s.ndim; d++) {
		int64_t in = a->shape.dim[d];
		if (interior[d] < 0)
			return bad(m, "pad: negative interior padding");
		s.dim[d] = lo[d] + hi[d] + (in > 0 ? in + (in - 1) * interior[d] : 0);
		if (s.dim[d] < 0)
			return bad(m, "pad: negative result size");
	}
	if ((idx = index_alloc(m, &s, &n)) == NULL)
		return SPU_ENOMEM;
	for (size_t i = 0; i < n; i++, spu_shape_next(&s, c)) {
		int64_t j = 0;
		for (int d = 0; d < s.ndim && j >= 0; d++) {
			int64_t t = c[d] - lo[d], step = interior[d] + 1;
			if (t < 0 || t % step != 0 || t / step >= a->shape.dim[d])
				j = -1;
			else
				j += (t / step) * st[d];
		}
		idx[i] = j;
	}
	rc = spu_hal_index_move(m, &a, 1, idx, padval, &s, a->dtype, out);
	free(idx);
	return rc;
}

int
spu_hal_reverse(struct spu_mpc *m, const struct spu_value *a,
    const int64_t *dims, int ndims, struct spu_value **out)
{
	const struct spu_shape *s = &a->shape;
	int64_t st[SPU_MAX_DIMS], c[SPU_MAX_DIMS] = { 0 }, *idx;
	int rev[SPU_MAX_DIMS] = { 0 };
	size_t n;
	int rc;

	for (int i = 0; i < ndims; i++) {
		if (dims[i] < 0 || dims[i] >= s->ndim)
			return bad(m, "reverse: bad dimension");
		rev[dims[i]] = 1;
	}
	spu_shape_strides(s, st);
	if ((idx = index_alloc(m, s, &n)) == NULL)
		return SPU_ENOMEM;
	for (size_t i = 0; i < n; i++, spu_shape_next(s, c)) {
		int64_t j = 0;
		for (int d = 0; d < s->ndim; d++)
			j += (rev[d] ? s->dim[d] - 1 - c[d] : c[d]) * st[d];
		idx[i] = j;
	}
	rc = spu_hal_index_move(m, &a, 1, idx, NULL, s, a->dtype, out);
	free(idx);
	return rc;
}

int
spu_hal_iota(struct spu_mpc *m, enum spu_dtype t, const struct spu_shape *s,
    int dim, struct spu_value **out)
{
	int64_t c[SPU_MAX_DIMS] = { 0 };
	struct spu_value *z;
	unsigned sh = spu_dtype_is_float(t) ? (unsigned)m->fxp : 0;

	if (dim < 0 || dim >= s->ndim)
		return bad(m, "iota: bad dimension");
	if ((z = spu_hal_alloc(m, t, s, SPU_PUBLIC)) == NULL)
		return nomem(m);
	for (size_t i = 0; i < z->n; i++, spu_shape_next(s, c))
		spu_ring_set(m->field, z->share[0], i, (spu_u128)c[dim] << sh);
	*out = z;
	return 0;
}

/* Read a public integer scalar index. */
static int
read_index(struct spu_mpc *m, const struct spu_value *v, int64_t *out)
{
	if (v->vis != SPU_PUBLIC)
		return spu_mpc_fail(m, SPU_EUNSUPP,
		    "dynamic slice with a secret index is not supported yet");
	if (v->n != 1 || spu_dtype_is_float(v->dtype))
		return bad(m, "dynamic slice index is not an integer scalar");
	*out = (int64_t)spu_ring_get_signed(m->field, v->share[0], 0);
	return 0;
}

static int
clamped_starts(struct spu_mpc *m, const struct spu_shape *s,
    const struct spu_value *const *idx, const int64_t *sizes, int64_t *start)
{
	int rc;

	for (int d = 0; d < s->ndim; d++) {
		if (sizes[d] < 0 || sizes[d] > s->dim[d])
			return bad(m, "dynamic slice larger than the operand");
		if ((rc = read_index(m, idx[d], &start[d])) != 0)
			return rc;
		if (start[d] < 0)
			start[d] = 0;
		if (start[d] > s->dim[d] - sizes[d])
			start[d] = s->dim[d] - sizes[d];
	}
	return 0;
}

/* The bounds of a dynamic slice: starts clamped as XLA does. */
int
spu_hal_dyn_bounds(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *const *idx, const int64_t *sizes,
    int64_t *start, int64_t *limit, int64_t *one)
{
	int rc;

	if ((rc = clamped_starts(m, &a->shape, idx, sizes, start)) != 0)
		return rc;
	for (int d = 0; d < a->shape.ndim; d++) {
		limit[d] = start[d] + sizes[d];
		one[d] = 1;
	}
	return 0;
}

int
spu_hal_dyn_slice(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *const *idx, const int64_t *sizes,
    struct spu_value **out)
{
	int64_t start[SPU_MAX_DIMS], limit[SPU_MAX_DIMS], one[SPU_MAX_DIMS];
	int rc;

	if ((rc = spu_hal_dyn_bounds(m, a, idx, sizes, start, limit, one)) != 0)
		return rc;
	return spu_hal_slice(m, a, start, limit, one, out);
}

int
spu_hal_dyn_update_slice(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *upd, const struct spu_value *const *idx,
    struct spu_value **out)
{
	const struct spu_shape *s = &a->shape;
	int64_t start[SPU_MAX_DIMS], st[SPU_MAX_DIMS], ust[SPU_MAX_DIMS];
	int64_t c[SPU_MAX_DIMS] = { 0 }, *ix;
	const struct spu_value *src[2] = { a, upd };
	size_t n;
	int rc;

	if (upd->shape.ndim != s->ndim)
		return bad(m, "dynamic update slice: ranks differ");
	if ((rc = clamped_starts(m, s, idx, upd->shape.dim, start)) != 0)
		return rc;
	spu_shape_strides(s, st);
	spu_shape_strides(&upd->shape, ust);
	if ((ix = index_alloc(m, s, &n)) == NULL)
		return SPU_ENOMEM;
	for (size_t i = 0; i < n; i++, spu_shape_next(s, c)) {
		int64_t j = 0;
		int inside = 1;
		for (int d = 0; d < s->ndim; d++) {
			int64_t u = c[d] - start[d];
			if (u < 0 || u >= upd->shape.dim[d])
				inside = 0;
			j += u * ust[d];
		}
		ix[i] = inside ? (int64_t)a->n + j : (int64_t)i;
	}
	rc = spu_hal_index_move(m, src, 2, ix, NULL, s, a->dtype, out);
	free(ix);
	return rc;
}

int
spu_hal_reduce_sum(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *init, const int64_t *dims, int ndims,
    struct spu_value **out)
{
	const struct spu_shape *s = &a->shape;
	struct spu_shape rs = { 0, { 0 } };
	int red[SPU_MAX_DIMS] = { 0 };
	int64_t c[SPU_MAX_DIMS] = { 0 }, rst[SPU_MAX_DIMS];
	struct spu_value *z = NULL, *iv = NULL;
	unsigned f = m->field;
	size_t K = spu_ring_size(f);
	int rc;

	for (int i = 0; i < ndims; i++) {
		if (dims[i] < 0 || dims[i] >= s->ndim)
			return bad(m, "reduce: bad dimension");
		red[dims[i]] = 1;
	}
	for (int d = 0; d < s->ndim; d++)
		if (!red[d])
			rs.dim[rs.ndim++] = s->dim[d];
	{
		/* strides of the result, indexed by operand dimension */
		int64_t acc = 1;
		for (int d = s->ndim - 1; d >= 0; d--) {
			rst[d] = red[d] ? 0 : acc;
			if (!red[d])
				acc *= s->dim[d];
		}
	}
	/* the init value, broadcast: z starts as init everywhere; a public
	 * operand meets a secret init (or the reverse) as shares */
	if (init->n != 1)
		return bad(m, "reduce: init is not a scalar");
	if (a->vis != init->vis) {
		const struct spu_value *pub = a->vis == SPU_PUBLIC ? a : init;
		if ((rc = spu_hal_p2s(m, pub, &iv)) != 0)
			return rc;
		if (pub == a)
			a = iv;
		else
			init = iv;
	}
	z = spu_hal_alloc(m, a->dtype, &rs, a->vis);
	if (z == NULL) {
		spu_value_free(iv);
		return nomem(m);
	}
	for (int sh = 0; sh < z->nshares; sh++) {
		const void *src = a->share[sh];
		for (size_t i = 0; i < z->n; i++)
			memcpy((uint8_t *)z->share[sh] + i * K,
			    init->share[sh], K);
		memset(c, 0, sizeof(c));
		for (size_t i = 0; i < a->n; i++, spu_shape_next(s, c)) {
			int64_t j = 0;
			for (int d = 0; d < s->ndim; d++)
				j += c[d] * rst[d];
			spu_ring_set(f, z->share[sh], (size_t)j,
			    spu_ring_get(f, z->share[sh], (size_t)j) +
			    spu_ring_get(f, src, i));
		}
	}
	spu_value_free(iv);
	*out = z;
	return 0;
}
