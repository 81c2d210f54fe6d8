/*
 * vm_reduce.c - reductions of any reducer as log-depth trees.
 *
 * Operands are arranged as [rows, w] (kept dimensions first, reduced
 * ones last); each level combines the first and second half of the
 * columns with one vectorised application of the reducer, so a reduction
 * of w elements costs ceil(log2 w) reducer rounds whatever the size.  A
 * known reducer (add, mul, max, min, and, or) runs as its kernel; any
 * other calls the region in vector mode.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hal/cmp.h"
#include "hal/hal.h"
#include "hal/pieces.h"
#include "hal/rowmax.h"
#include "hal/shape.h"
#include "mem.h"
#include "vm_int.h"

#define MAXK 16		/* operands of a variadic reduction */

struct reducer {
	struct spu_mpc *m;
	const struct spu_program *p;
	int kind;		/* enum spu_reducer */
	uint32_t func;
	int k;
};

static void
free_all(struct spu_value **v, int n)
{
	for (int i = 0; i < n; i++) {
		spu_value_free(v[i]);
		v[i] = NULL;
	}
}

/* out[i] = v[i] (op) v[k + i] for the k operands, all flat and of one
 * size (a piece of it: see combine). */
static int
combine1(struct spu_mpc *m, void *arg, struct spu_value *const *v,
    struct spu_value **out)
{
	struct reducer *r = arg;

	switch (r->kind) {
	case SPU_REDUCE_ADD: return spu_hal_add(m, v[0], v[1], out);
	case SPU_REDUCE_MUL:
		return spu_hal_mul(m, v[0], v[1], v[0]->dtype, out);
	case SPU_REDUCE_MAX: return spu_hal_max(m, v[0], v[1], out);
	case SPU_REDUCE_MIN: return spu_hal_min(m, v[0], v[1], out);
	case SPU_REDUCE_AND: return spu_hal_and(m, v[0], v[1], out);
	case SPU_REDUCE_OR: return spu_hal_or(m, v[0], v[1], out);
	default:
		return spu_vm_call(m, r->p, r->func, v, (size_t)(2 * r->k),
		    out, v[0]->n);
	}
}

/* out[i] = a[i] (op) b[i]; large levels in pieces (hal/pieces.h). */
static int
combine(struct reducer *r, struct spu_value **a, struct spu_value **b,
    struct spu_value **out)
{
	struct spu_value *args[2 * MAXK];

	for (int i = 0; i < r->k; i++) {
		args[i] = a[i];
		args[r->k + i] = b[i];
	}
	if (r->kind == SPU_REDUCE_ADD)
		return combine1(r->m, r, args, out);
	return spu_hal_pieces(r->m, combine1, r, args, 2 * r->k, out, r->k);
}

/* Columns [c0, c0 + w) of x[rows, cols], flattened to [rows * w]. */
static int
columns(struct spu_mpc *m, const struct spu_value *x, int64_t c0, int64_t w,
    struct spu_value **out)
{
	int64_t st[2] = { 0, c0 }, li[2] = { x->shape.dim[0], c0 + w },
	    one[2] = { 1, 1 };
	struct spu_value *s;
	struct spu_shape flat = { 1, { x->shape.dim[0] * w } };
	int rc;

	if ((rc = spu_hal_slice(m, x, st, li, one, &s)) != 0)
		return rc;
	rc = spu_hal_reshape(m, s, &flat, out);
	spu_value_free(s);
	return rc;
}

/*
 * Whether a public init is the reducer's identity, so combining with it
 * can be skipped: worth it for max and min, where it is a comparison.
 * A float -inf (+inf) constant is the VM's sentinel +-2^((k-2)/2) in
 * ring units (vm.c, make_const), or beyond; integers are at their
 * type's end.  Skipping also keeps a maximum below the sentinel exact.
 */
static int
is_identity(const struct reducer *r, const struct spu_value *init)
{
	unsigned k = init->field;
	spu_i128 lo, hi;
	size_t bits = 8 * spu_dtype_size(init->dtype);

	if (init->vis != SPU_PUBLIC || init->n != 1 ||
	    (r->kind != SPU_REDUCE_MAX && r->kind != SPU_REDUCE_MIN))
		return 0;
	if (spu_dtype_is_float(init->dtype)) {
		lo = -((spu_i128)1 << ((k - 2) / 2));
		hi = (spu_i128)1 << ((k - 2) / 2);
	} else if (spu_dtype_is_signed(init->dtype) && bits < k) {
		lo = -((spu_i128)1 << (bits - 1));
		hi = ((spu_i128)1 << (bits - 1)) - 1;
	} else if (init->dtype != SPU_PRED && bits < k) {
		lo = 0;
		hi = ((spu_i128)1 << bits) - 1;
	} else {
		return 0;
	}
	if (r->kind == SPU_REDUCE_MAX)
		return spu_ring_get_signed(k, init->share[0], 0) <= lo;
	return spu_ring_get_signed(k, init->share[0], 0) >= hi;
}

/*
 * x[k] are [rows, w]; init[k] scalars.  out[k] = [rows] reductions,
 * starting from init.
 */
static int
tree(struct reducer *r, struct spu_value **x, struct spu_value *const *init,
    struct spu_value **out)
{
	struct spu_mpc *m = r->m;
	struct spu_value *cur[MAXK] = { NULL }, *a[MAXK] = { NULL },
	    *b[MAXK] = { NULL }, *c[MAXK] = { NULL }, *t[MAXK] = { NULL };
	int64_t rows = x[0]->shape.dim[0], w = x[0]->shape.dim[1];
	int k = r->k, rc = 0;

	if (k == 1 && (r->kind == SPU_REDUCE_MAX || r->kind == SPU_REDUCE_MIN) &&
	    x[0]->vis == SPU_SECRET && w > 2 && w <= SPU_HAL_ROWMAX_W &&
	    (size_t)rows * (size_t)(w * (w - 1) / 2) <= SPU_HAL_PIECE) {
		/* short rows: every pair at once, one comparison depth */
		struct spu_shape cs = { 2, { rows, 1 } };
		if ((rc = spu_hal_rowmax(m, x[0], r->kind == SPU_REDUCE_MAX,
		    &t[0])) == 0)
			rc = spu_hal_reshape(m, t[0], &cs, &cur[0]);
		spu_value_free(t[0]);
		t[0] = NULL;
		w = 1;
	} else {
		for (int i = 0; i < k; i++)
			if ((cur[i] = spu_value_dup(x[i])) == NULL)
				rc = spu_mpc_fail(m, SPU_ENOMEM,
				    "out of memory");
	}
	while (rc == 0 && w > 1) {
		int64_t h = w / 2;
		struct spu_shape hs = { 2, { rows, h } };
		for (int i = 0; i < k && rc == 0; i++) {
			if ((rc = columns(m, cur[i], 0, h, &a[i])) == 0)
				rc = columns(m, cur[i], h, h, &b[i]);
		}
		if (rc == 0)
			rc = combine(r, a, b, c);
		for (int i = 0; i < k && rc == 0; i++) {
			rc = spu_hal_reshape(m, c[i], &hs, &t[i]);
			spu_value_free(c[i]);
			c[i] = NULL;
			if (rc == 0 && (w & 1)) {
				/* carry the odd last column */
				struct spu_value *last, *cat;
				const struct spu_value *two[2];
				struct spu_shape ls = { 2, { rows, 1 } };
				if ((rc = columns(m, cur[i], w - 1, 1, &last)) != 0)
					break;
				last->shape = ls;
				two[0] = t[i];
				two[1] = last;
				rc = spu_hal_concat(m, two, 2, 1, &cat);
				spu_value_free(last);
				spu_value_free(t[i]);
				t[i] = cat;
			}
		}
		free_all(a, k);
		free_all(b, k);
		free_all(cur, k);
		for (int i = 0; i < k; i++) {
			cur[i] = t[i];
			t[i] = NULL;
		}
		w = h + (w & 1);
	}
	/* combine with init, broadcast over the rows */
	if (rc == 0 && k == 1 && is_identity(r, init[0])) {
		struct spu_shape rs = { 1, { rows } };
		rc = spu_hal_reshape(m, cur[0], &rs, &out[0]);
	} else if (rc == 0) {
		struct spu_shape rs = { 1, { rows } };
		for (int i = 0; i < k && rc == 0; i++) {
			rc = spu_hal_reshape(m, cur[i], &rs, &b[i]);
			if (rc == 0)
				rc = spu_hal_broadcast(m, init[i], &rs, NULL, &a[i]);
		}
		if (rc == 0)
			rc = combine(r, a, b, out);
	}
	free_all(a, k);
	free_all(b, k);
	free_all(cur, k);
	free_all(t, k);
	return rc;
}

static int
setup(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct reducer *r)
{
	const struct spu_attr *a = spu_insn_attr(in, SPU_ATTR_REDUCER);

	memset(r, 0, sizeof(*r));
	r->m = m;
	r->p = p;
	r->k = (int)in->nin / 2;
	r->kind = a && a->n == 1 ? (int)a->v[0] : SPU_REDUCE_CALL;
	if (r->k < 1 || r->k > MAXK || in->nout != (uint32_t)r->k)
		return spu_mpc_fail(m, SPU_EFORMAT, "bad reduction operands");
	if (r->kind == SPU_REDUCE_CALL) {
		if (in->nfunc < 1)
			return spu_mpc_fail(m, SPU_EFORMAT,
			    "reduction without a reducer");
		r->func = in->func[0];
	} else if (r->k != 1 || r->kind > SPU_REDUCE_OR) {
		return spu_mpc_fail(m, SPU_EFORMAT, "bad reducer kind");
	}
	return 0;
}

int
spu_vm_reduce(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	const struct spu_attr *d = spu_insn_attr(in, SPU_ATTR_DIMS);
	struct spu_value *x[MAXK] = { NULL }, *o[MAXK] = { NULL };
	const struct spu_shape *s = &ops[0]->shape;
	int64_t perm[SPU_MAX_DIMS], rows = 1, w = 1;
	int red[SPU_MAX_DIMS] = { 0 }, np = 0, rc;
	struct reducer r;

	if ((rc = setup(m, p, in, &r)) != 0)
		return rc;
	for (uint32_t i = 0; d != NULL && i < d->n; i++) {
		if (d->v[i] < 0 || d->v[i] >= s->ndim)
			return spu_mpc_fail(m, SPU_ESHAPE, "bad reduce dims");
		red[d->v[i]] = 1;
	}
	for (int i = 0; i < s->ndim; i++)
		if (!red[i]) {
			perm[np++] = i;
			rows *= s->dim[i];
		}
	for (int i = 0; i < s->ndim; i++)
		if (red[i]) {
			perm[np++] = i;
			w *= s->dim[i];
		}
	for (int i = 0; i < r.k; i++) {
		struct spu_value *t;
		struct spu_shape ms = { 2, { rows, w } };
		if (!spu_shape_eq(&ops[i]->shape, s)) {
			rc = spu_mpc_fail(m, SPU_ESHAPE, "reduce operands differ");
			goto out;
		}
		if ((rc = spu_hal_transpose(m, ops[i], perm, &t)) != 0)
			goto out;
		rc = spu_hal_reshape(m, t, &ms, &x[i]);
		spu_value_free(t);
		if (rc != 0)
			goto out;
	}
	if (w == 0) {
		rc = spu_mpc_fail(m, SPU_EUNSUPP, "reduction over no elements");
		goto out;
	}
	if ((rc = tree(&r, x, ops + r.k, o)) != 0)
		goto out;
	for (int i = 0; i < r.k && rc == 0; i++)
		rc = spu_hal_reshape(m, o[i], &in->type[i].shape, &res[i]);
out:
	free_all(x, r.k);
	free_all(o, r.k);
	return rc;
}

/*
 * REDUCE_WINDOW: gather every window into a row ([out, window], padding
 * reads the init value, as XLA pads with it), then reduce the rows.
 */
int
spu_vm_reduce_window(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	const struct spu_shape *xs = &ops[0]->shape, *os = &in->type[0].shape;
	static const enum spu_attr_key keys[6] = { SPU_ATTR_WINDOW,
	    SPU_ATTR_WSTRIDE, SPU_ATTR_PAD_LO, SPU_ATTR_BASE_DILATE,
	    SPU_ATTR_WIN_DILATE, SPU_ATTR_PAD_HI };
	int64_t win[6][SPU_MAX_DIMS], xst[SPU_MAX_DIMS];
	struct spu_value *x[MAXK] = { NULL }, *o[MAXK] = { NULL };
	int64_t nout = spu_shape_numel(os), wsize = 1, *map = NULL;
	int nd = xs->ndim, rc;
	struct reducer r;

	if ((rc = setup(m, p, in, &r)) != 0)
		return rc;
	for (int k = 0; k < 6; k++) {
		const struct spu_attr *a = spu_insn_attr(in, keys[k]);
		for (int i = 0; i < nd; i++)
			win[k][i] = a && a->n == (uint32_t)nd ? a->v[i] :
			    k == 2 || k == 5 ? 0 : 1;
	}
	for (int i = 0; i < nd; i++) {
		if (win[0][i] < 1 || win[1][i] < 1 || win[3][i] < 1 ||
		    win[4][i] < 1)
			return spu_mpc_fail(m, SPU_EFORMAT, "bad window");
		wsize *= win[0][i];
	}
	if (nout < 0 || wsize > SPU_MAX_ELEMS / (nout ? nout : 1))
		return spu_mpc_fail(m, SPU_ELIMIT, "window too large");
	{
		int64_t acc = 1;
		for (int i = nd - 1; i >= 0; i--) {
			xst[i] = acc;
			acc *= xs->dim[i];
		}
	}
	if ((map = spu_malloc((size_t)(nout * wsize) + 1, sizeof(*map))) ==
	    NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	{
		int64_t c[SPU_MAX_DIMS] = { 0 };
		size_t i = 0;
		struct spu_shape ws = { nd, { 0 } };
		for (int d = 0; d < nd; d++)
			ws.dim[d] = win[0][d];
		for (int64_t e = 0; e < nout; e++, spu_shape_next(os, c)) {
			int64_t q[SPU_MAX_DIMS] = { 0 };
			for (int64_t j = 0; j < wsize; j++, spu_shape_next(&ws, q)) {
				int64_t src = 0;
				for (int d = 0; d < nd && src >= 0; d++) {
					int64_t pp = c[d] * win[1][d] +
					    q[d] * win[4][d] - win[2][d];
					if (pp < 0 || pp % win[3][d] != 0 ||
					    pp / win[3][d] >= xs->dim[d])
						src = -1;
					else
						src += pp / win[3][d] * xst[d];
				}
				map[i++] = src;
			}
		}
	}
	for (int i = 0; i < r.k; i++) {
		struct spu_shape ms = { 2, { nout, wsize } };
		const struct spu_value *src = ops[i];
		if ((rc = spu_hal_index_move(m, &src, 1, map, ops[r.k + i], &ms,
		    ops[i]->dtype, &x[i])) != 0)
			goto out;
	}
	if ((rc = tree(&r, x, ops + r.k, o)) != 0)
		goto out;
	for (int i = 0; i < r.k && rc == 0; i++)
		rc = spu_hal_reshape(m, o[i], &in->type[i].shape, &res[i]);
out:
	free(map);
	free_all(x, r.k);
	free_all(o, r.k);
	return rc;
}
