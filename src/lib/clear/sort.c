/*
 * sort.c - the cleartext evaluator's SORT: N operands of one shape sorted
 * together along one dimension, by a called comparator (XLA's: it takes
 * lhs_0, rhs_0, lhs_1, rhs_1, ... and returns whether lhs goes first) or
 * by REDUCER = SPU_SORT_ASC / SPU_SORT_DESC on operand 0.  The sort is a
 * merge sort and therefore always stable.  The known orders place NaN
 * after every number in ascending order (first in descending order) and
 * treat -0 and +0 as equal, as JAX's sort does.
 *
 * TOPK is the first k (its result's length along the dimension) of the
 * same stable sort, found here by k passes of selection instead: each
 * pass takes the earliest element that no remaining one goes before.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clear_int.h"
#include "mem.h"

struct sorter {
	struct clear_ctx *cx;
	int kind;
	uint32_t func, n;
	struct clear_val **x;		/* the coerced operands */
	int64_t base, step;		/* the line being sorted */
	enum spu_dtype at[2 * CLEAR_MAX_VARIADIC];
	union clear_elem av[2 * CLEAR_MAX_VARIADIC];
};

static int
asc_less(enum spu_dtype t, union clear_elem a, union clear_elem b)
{
	if (clear_isf(t)) {
		if (isnan(a.f))
			return 0;
		if (isnan(b.f))
			return 1;
		return a.f < b.f;
	}
	if (clear_isu(t))
		return (uint64_t)a.i < (uint64_t)b.i;
	return a.i < b.i;
}

/* *lt = whether element i goes before element j of the line. */
static int
less(struct sorter *s, int64_t i, int64_t j, int *lt)
{
	int64_t p = s->base + i * s->step, q = s->base + j * s->step;
	enum spu_dtype pred = SPU_PRED;
	union clear_elem r;
	int err;

	if (s->kind == SPU_SORT_ASC || s->kind == SPU_SORT_DESC) {
		union clear_elem a = s->x[0]->e[p], b = s->x[0]->e[q];

		*lt = s->kind == SPU_SORT_ASC ?
		    asc_less(s->x[0]->dtype, a, b) :
		    asc_less(s->x[0]->dtype, b, a);
		return 0;
	}
	for (uint32_t k = 0; k < s->n; k++) {
		s->av[2 * k] = s->x[k]->e[p];
		s->av[2 * k + 1] = s->x[k]->e[q];
	}
	if ((err = clear_call_scalars(s->cx, s->func, s->at, s->av, 2 * s->n,
	    &pred, &r, 1)) != 0)
		return err;
	*lt = r.i != 0;
	return 0;
}

/* Stable bottom-up merge sort of perm[0..len) using tmp. */
static int
merge_sort(struct sorter *s, int64_t *perm, int64_t *tmp, int64_t len)
{
	int err, lt;

	for (int64_t w = 1; w < len; w *= 2) {
		for (int64_t lo = 0; lo < len; lo += 2 * w) {
			int64_t mid = lo + w < len ? lo + w : len;
			int64_t hi = lo + 2 * w < len ? lo + 2 * w : len;
			int64_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi) {
				if ((err = less(s, perm[j], perm[i], &lt)) != 0)
					return err;
				tmp[k++] = lt ? perm[j++] : perm[i++];
			}
			while (i < mid)
				tmp[k++] = perm[i++];
			while (j < hi)
				tmp[k++] = perm[j++];
		}
		memcpy(perm, tmp, (size_t)len * sizeof(*perm));
	}
	return 0;
}

int
clear_op_sort(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	struct clear_val *x[CLEAR_MAX_VARIADIC] = { NULL };
	const struct spu_attr *ra = spu_insn_attr(in, SPU_ATTR_REDUCER);
	struct sorter *s = NULL;
	int64_t dim, st[SPU_MAX_DIMS], idx[SPU_MAX_DIMS] = { 0 }, len, nl;
	int64_t *perm = NULL, *tmp = NULL;
	struct spu_shape lines;
	uint32_t n = in->nout;
	int err = 0;

	if (n == 0 || n > CLEAR_MAX_VARIADIC || in->nin != n)
		return clear_fail(cx, SPU_EFORMAT, "needs as many results as "
		    "operands (1..%d)", CLEAR_MAX_VARIADIC);
	for (uint32_t k = 0; k < n; k++)
		if ((err = clear_result(cx, in, k, &r[k])) != 0)
			return err;
	if ((err = clear_attr_n(cx, in, SPU_ATTR_DIMS, 1, 1, 0, &dim)) != 0)
		return err;
	if (dim < 0 || dim >= a[0]->shape.ndim)
		return clear_fail(cx, SPU_EFORMAT, "sort dimension %lld out of "
		    "range", (long long)dim);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return clear_fail(cx, SPU_ENOMEM, "out of memory");
	s->cx = cx;
	s->n = n;
	s->x = x;
	s->kind = ra != NULL && ra->n == 1 ? (int)ra->v[0] : SPU_REDUCE_CALL;
	if (s->kind == SPU_REDUCE_CALL) {
		if (in->nfunc < 1) {
			err = clear_fail(cx, SPU_EFORMAT, "needs a comparator");
			goto out;
		}
		s->func = in->func[0];
	} else if (s->kind != SPU_SORT_ASC && s->kind != SPU_SORT_DESC) {
		err = clear_fail(cx, SPU_EFORMAT, "sort order %d not valid",
		    s->kind);
		goto out;
	}
	for (uint32_t k = 0; k < n; k++) {
		if ((err = clear_check_shape(cx, &a[0]->shape, &a[k]->shape,
		    "an operand")) != 0 ||
		    (err = clear_check_shape(cx, &a[0]->shape, &r[k]->shape,
		    "a result")) != 0 ||
		    (err = clear_coerce(cx, a[k], r[k]->dtype, &x[k])) != 0)
			goto out;
		s->at[2 * k] = s->at[2 * k + 1] = x[k]->dtype;
	}
	len = a[0]->shape.dim[dim];
	perm = spu_calloc((size_t)(len ? len : 1), sizeof(*perm));
	tmp = spu_calloc((size_t)(len ? len : 1), sizeof(*tmp));
	if (perm == NULL || tmp == NULL) {
		err = clear_fail(cx, SPU_ENOMEM, "out of memory");
		goto out;
	}
	clear_strides(&a[0]->shape, st);
	lines = a[0]->shape;
	lines.dim[dim] = 1;
	nl = len > 0 ? spu_shape_numel(&lines) : 0;
	s->step = st[dim];
	for (int64_t l = 0; l < nl; l++) {
		s->base = 0;
		for (int i = 0; i < lines.ndim; i++)
			s->base += idx[i] * st[i];
		for (int64_t i = 0; i < len; i++)
			perm[i] = i;
		if ((err = merge_sort(s, perm, tmp, len)) != 0)
			goto out;
		for (uint32_t k = 0; k < n; k++)
			for (int64_t i = 0; i < len; i++)
				r[k]->e[s->base + i * s->step] =
				    x[k]->e[s->base + perm[i] * s->step];
		clear_next_index(idx, &lines);
	}
out:
	for (uint32_t k = 0; k < n; k++)
		clear_val_unref(x[k]);
	free(perm);
	free(tmp);
	free(s);
	return err;
}

int
clear_op_topk(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	struct clear_val *x[CLEAR_MAX_VARIADIC] = { NULL };
	const struct spu_attr *ra = spu_insn_attr(in, SPU_ATTR_REDUCER);
	struct sorter *s = NULL;
	int64_t dim, st[SPU_MAX_DIMS], rst[SPU_MAX_DIMS];
	int64_t idx[SPU_MAX_DIMS] = { 0 }, len, nl, k;
	unsigned char *taken = NULL;
	struct spu_shape lines;
	uint32_t n = in->nout;
	int err = 0, lt;

	if (n == 0 || n > CLEAR_MAX_VARIADIC || in->nin != n)
		return clear_fail(cx, SPU_EFORMAT, "needs as many results as "
		    "operands (1..%d)", CLEAR_MAX_VARIADIC);
	for (uint32_t j = 0; j < n; j++)
		if ((err = clear_result(cx, in, j, &r[j])) != 0)
			return err;
	if ((err = clear_attr_n(cx, in, SPU_ATTR_DIMS, 1, 1, 0, &dim)) != 0)
		return err;
	if (dim < 0 || dim >= a[0]->shape.ndim)
		return clear_fail(cx, SPU_EFORMAT, "dimension %lld out of "
		    "range", (long long)dim);
	if (ra == NULL || ra->n != 1 || (ra->v[0] != SPU_SORT_ASC &&
	    ra->v[0] != SPU_SORT_DESC))
		return clear_fail(cx, SPU_EFORMAT, "needs REDUCER = ascending "
		    "or descending");
	len = a[0]->shape.dim[dim];
	k = r[0]->shape.dim[dim];
	if (k < 0 || k > len)
		return clear_fail(cx, SPU_ESHAPE, "keeps %lld of %lld elements",
		    (long long)k, (long long)len);
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (taken = malloc((size_t)len + 1)) == NULL) {
		err = clear_fail(cx, SPU_ENOMEM, "out of memory");
		goto out;
	}
	s->cx = cx;
	s->n = n;
	s->x = x;
	s->kind = (int)ra->v[0];
	for (uint32_t j = 0; j < n; j++) {
		struct spu_shape want = a[0]->shape;

		want.dim[dim] = k;
		if ((err = clear_check_shape(cx, &a[0]->shape, &a[j]->shape,
		    "an operand")) != 0 ||
		    (err = clear_check_shape(cx, &want, &r[j]->shape,
		    "a result")) != 0 ||
		    (err = clear_coerce(cx, a[j], r[j]->dtype, &x[j])) != 0)
			goto out;
	}
	clear_strides(&a[0]->shape, st);
	clear_strides(&r[0]->shape, rst);
	lines = a[0]->shape;
	lines.dim[dim] = 1;
	nl = len > 0 && k > 0 ? spu_shape_numel(&lines) : 0;
	s->step = st[dim];
	for (int64_t l = 0; l < nl; l++) {
		int64_t rbase = 0;

		s->base = 0;
		for (int i = 0; i < lines.ndim; i++) {
			s->base += idx[i] * st[i];
			rbase += idx[i] * rst[i];
		}
		memset(taken, 0, (size_t)len);
		for (int64_t t = 0; t < k; t++) {
			int64_t best = -1;

			for (int64_t i = 0; i < len; i++) {
				if (taken[i])
					continue;
				if (best >= 0) {
					if ((err = less(s, i, best, &lt)) != 0)
						goto out;
					if (!lt)
						continue;
				}
				best = i;
			}
			taken[best] = 1;
			for (uint32_t j = 0; j < n; j++)
				r[j]->e[rbase + t * rst[dim]] =
				    x[j]->e[s->base + best * s->step];
		}
		clear_next_index(idx, &lines);
	}
out:
	for (uint32_t j = 0; j < n; j++)
		clear_val_unref(x[j]);
	free(taken);
	free(s);
	return err;
}
