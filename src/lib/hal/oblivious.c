/*
 * oblivious.c - gather, dynamic slices and scatter at secret indices by
 * one-hot selection and one matrix product (method and costs in
 * oblivious.h).
 *
 * The candidates are the start positions of the indexed operand
 * dimensions, c = (v_0, .., v_{nk-1}) row-major over R_k = dim - window
 * + 1 values each; the window is every element of the slice, w row-major
 * over the slice sizes.
 *
 * With operand batching dimensions (take_along_axis), index vector g of
 * batch b selects only among batch b's windows: the rows are regrouped
 * by batch and one batched matrix product does every batch at once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmp.h"
#include "hal.h"
#include "oblivious.h"
#include "oblivious_int.h"
#include "pieces.h"
#include "shape.h"
#include "../mem.h"

struct cand {
	int nk;				/* indexed dimensions */
	int dims[SPU_MAX_DIMS];		/* operand dimension of each */
	int64_t R[SPU_MAX_DIMS];	/* candidate starts of each */
	int64_t C;			/* candidates in all */
	struct spu_shape ws;		/* window (slice) shape */
	int64_t W;			/* window elements */
};

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

static int
too_big(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ELIMIT, "secret-index selection: too "
	    "many candidates times window elements");
}

/* a * b, or -1 beyond SPU_MAX_ELEMS. */
static int64_t
mul_lim(int64_t a, int64_t b)
{
	if (a < 0 || b < 0 || (b != 0 && a > SPU_MAX_ELEMS / b))
		return -1;
	return a * b;
}

static int
cand_init(struct spu_mpc *m, struct cand *cd, const struct spu_shape *xs,
    const int *dims, int nk, const int64_t *ws)
{
	memset(cd, 0, sizeof(*cd));
	cd->nk = nk;
	cd->C = 1;
	cd->ws.ndim = xs->ndim;
	for (int d = 0; d < xs->ndim; d++) {
		if (ws[d] < 0 || ws[d] > xs->dim[d])
			return spu_mpc_fail(m, SPU_ESHAPE, "window larger than "
			    "the operand");
		cd->ws.dim[d] = ws[d];
	}
	cd->W = spu_shape_numel(&cd->ws);
	for (int k = 0; k < nk; k++) {
		if (dims[k] < 0 || dims[k] >= xs->ndim)
			return spu_mpc_fail(m, SPU_ESHAPE, "bad index map");
		cd->dims[k] = dims[k];
		cd->R[k] = xs->dim[dims[k]] - ws[dims[k]] + 1;
		if ((cd->C = mul_lim(cd->C, cd->R[k])) < 0)
			return too_big(m);
	}
	if (cd->W < 0 || mul_lim(cd->C, cd->W) < 0)
		return too_big(m);
	return 0;
}

/* Start of candidate c in the operand (zero on unindexed dims). */
static void
cand_start(const struct cand *cd, int64_t c, int rank, int64_t *st)
{
	memset(st, 0, sizeof(int64_t) * (size_t)rank);
	for (int k = cd->nk - 1; k >= 0; k--) {
		st[cd->dims[k]] = c % cd->R[k];
		c /= cd->R[k];
	}
}

static int
contains(const int64_t *v, int n, int64_t x)
{
	for (int i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static struct spu_value *
zero_pred(struct spu_mpc *m)
{
	struct spu_shape sc = { 0, { 0 } };

	return spu_hal_alloc(m, SPU_PRED, &sc, SPU_PUBLIC);
}

static int
msb1(struct spu_mpc *m, void *arg, struct spu_value *const *v,
    struct spu_value **out)
{
	(void)arg;
	return spu_hal_msb(m, v[0], out);
}

/* out = index_move of one source, filling with a public zero. */
static int
move(struct spu_mpc *m, const struct spu_value *src, const int64_t *map,
    const struct spu_shape *s, enum spu_dtype t, struct spu_value **out)
{
	struct spu_value *zero = zero_pred(m);
	int rc;

	if (zero == NULL)
		return nomem(m);
	rc = spu_hal_index_move(m, &src, 1, map, zero, s, t, out);
	spu_value_free(zero);
	return rc;
}

/*
 * OH[g, c] = prod_k [start_k(g) == v_k(c)], G x C pred values, for the
 * index vectors s[k] (G values each); clamp: the start is clamped into
 * [0, R_k - 1] first.  One MSB circuit for all thresholds.
 */
static int
onehot(struct spu_mpc *m, const struct cand *cd,
    const struct spu_value *const *s, int64_t G, int clamp,
    struct spu_value **out)
{
	int64_t total = 0, base[SPU_MAX_DIMS], T[SPU_MAX_DIMS], n, *map = NULL;
	struct spu_value *E = NULL, *V = NULL, *D = NULL, *L = NULL;
	struct spu_value *acc = NULL, *a = NULL, *b = NULL, *c = NULL;
	struct spu_shape sh = { 1, { 0 } }, gc = { 2, { G, cd->C } };
	int rc = 0;

	for (int k = 0; k < cd->nk; k++) {
		int64_t gt;
		T[k] = clamp ? cd->R[k] - 1 : cd->R[k] + 1;
		base[k] = total;
		if ((gt = mul_lim(G, T[k])) < 0 || total + gt > SPU_MAX_ELEMS)
			return too_big(m);
		total += gt;
	}
	if ((n = mul_lim(G, cd->C)) < 0 || mul_lim(G, cd->C) > SPU_MAX_ELEMS)
		return too_big(m);
	if ((map = spu_malloc((size_t)(n > total ? n : total) + 1,
	    sizeof(*map))) == NULL)
		return nomem(m);
	sh.dim[0] = total;
	/* D = start - threshold, L = [D < 0] */
	for (int k = 0; k < cd->nk; k++)
		for (int64_t g = 0; g < G; g++)
			for (int64_t t = 0; t < T[k]; t++)
				map[base[k] + g * T[k] + t] = k * G + g;
	if ((rc = spu_hal_index_move(m, s, cd->nk, map, NULL, &sh,
	    s[0]->dtype, &E)) != 0)
		goto out;
	if ((V = spu_hal_alloc(m, s[0]->dtype, &sh, SPU_PUBLIC)) == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (int k = 0; k < cd->nk; k++)
		for (int64_t g = 0; g < G; g++)
			for (int64_t t = 0; t < T[k]; t++)
				spu_ring_set(m->field, V->share[0],
				    (size_t)(base[k] + g * T[k] + t),
				    (spu_u128)(clamp ? t + 1 : t));
	if ((rc = spu_hal_sub(m, E, V, &D)) != 0 ||
	    (rc = spu_hal_pieces(m, msb1, NULL, &D, 1, &L, 1)) != 0)
		goto out;
	/* per dimension: OH_k[g, c] = lt(v + 1) - lt(v) (+ 1 at the top
	 * when clamping), expanded to every candidate c */
	for (int k = 0; k < cd->nk; k++) {
		int64_t div = 1;
		for (int j = k + 1; j < cd->nk; j++)
			div *= cd->R[j];
		for (int pass = 0; pass < 2; pass++) {
			for (int64_t i = 0; i < n; i++) {
				int64_t g = i / cd->C;
				int64_t v = i % cd->C / div % cd->R[k];
				int64_t th = pass == 0 ? v + 1 : v;
				int64_t t = clamp ? th - 1 : th;
				map[i] = t >= 0 && t < T[k] ?
				    base[k] + g * T[k] + t : -1;
			}
			if ((rc = move(m, L, map, &gc, SPU_PRED,
			    pass == 0 ? &a : &b)) != 0)
				goto out;
		}
		if ((rc = spu_hal_sub(m, a, b, &c)) != 0)
			goto out;
		if (clamp) {
			/* + 1 where v = R - 1 */
			struct spu_value *top = spu_hal_alloc(m, SPU_PRED, &gc,
			    SPU_PUBLIC), *t2 = NULL;
			if (top == NULL) {
				rc = nomem(m);
				goto out;
			}
			for (int64_t i = 0; i < n; i++)
				spu_ring_set(m->field, top->share[0], (size_t)i,
				    i % cd->C / div % cd->R[k] == cd->R[k] - 1);
			rc = spu_hal_add(m, c, top, &t2);
			spu_value_free(top);
			if (rc != 0)
				goto out;
			spu_value_free(c);
			c = t2;
		}
		spu_value_free(a);
		spu_value_free(b);
		a = b = NULL;
		if (acc == NULL) {
			acc = c;
		} else {
			struct spu_value *p = NULL;
			rc = spu_hal_mul(m, acc, c, SPU_PRED, &p);
			spu_value_free(c);
			if (rc != 0)
				goto out;
			spu_value_free(acc);
			acc = p;
		}
		c = NULL;
		acc->dtype = SPU_PRED;
	}
	if (acc == NULL) {
		/* no indexed dimension: one candidate */
		acc = spu_hal_alloc(m, SPU_PRED, &gc, SPU_PUBLIC);
		if (acc == NULL) {
			rc = nomem(m);
			goto out;
		}
		for (size_t i = 0; i < acc->n; i++)
			spu_ring_set(m->field, acc->share[0], i, 1);
	}
	*out = acc;
	acc = NULL;
out:
	free(map);
	spu_value_free(E);
	spu_value_free(V);
	spu_value_free(D);
	spu_value_free(L);
	spu_value_free(acc);
	spu_value_free(a);
	spu_value_free(b);
	spu_value_free(c);
	return rc;
}

/* X[c, w] = x at start(c) + w: C x W, local; with batches (bt not NULL,
 * B > 1) X[b, c, w], B x C x W. */
static int
windows(struct spu_mpc *m, const struct spu_value *x, const struct cand *cd,
    const struct spu_obl_batch *bt, struct spu_value **out)
{
	int r = x->shape.ndim;
	int64_t xst[SPU_MAX_DIMS], st[SPU_MAX_DIMS], *map, B, n;
	struct spu_shape cw = { 2, { cd->C, cd->W } };
	int rc;

	B = bt != NULL ? bt->B : 1;
	if (B > 1)
		cw = (struct spu_shape){ 3, { B, cd->C, cd->W } };
	if ((n = mul_lim(B, cd->C * cd->W)) < 0)
		return too_big(m);
	if ((map = spu_malloc((size_t)n + 1, sizeof(*map))) == NULL)
		return nomem(m);
	spu_shape_strides(&x->shape, xst);
	for (int64_t b = 0, i = 0; b < B; b++)
		for (int64_t c = 0; c < cd->C; c++) {
			int64_t wc[SPU_MAX_DIMS] = { 0 };
			cand_start(cd, c, r, st);
			for (int64_t w = 0; w < cd->W; w++) {
				int64_t p = bt != NULL ? bt->off[b] : 0;
				for (int d = 0; d < r; d++)
					p += (st[d] + wc[d]) * xst[d];
				map[i++] = p;
				spu_shape_next(&cd->ws, wc);
			}
		}
	rc = spu_hal_index_move(m, &x, 1, map, NULL, &cw, x->dtype, out);
	free(map);
	return rc;
}

/* The G x C one-hot regrouped by batch: B x Gb x C (local); a no-op
 * without batches. */
static int
regroup(struct spu_mpc *m, struct spu_value **oh, const struct spu_obl_batch *bt,
    int64_t G, int64_t C)
{
	struct spu_shape s = { 3, { bt->B, bt->Gb, C } };
	struct spu_value *t = NULL;
	int64_t *map;
	int rc;

	if (bt->B <= 1)
		return 0;
	if ((map = spu_malloc((size_t)(G * C) + 1, sizeof(*map))) == NULL)
		return nomem(m);
	for (int64_t g = 0; g < G; g++)
		for (int64_t c = 0; c < C; c++)
			map[bt->row[g] * C + c] = g * C + c;
	rc = move(m, *oh, map, &s, SPU_PRED, &t);
	free(map);
	if (rc == 0) {
		spu_value_free(*oh);
		*oh = t;
	}
	return rc;
}

/* Y[row(g), w] = sum_c OH[g, c] X[c, w]: the selected windows, G x W
 * (with batches B x Gb x W, each batch from its own windows). */
static int
select_windows(struct spu_mpc *m, const struct spu_value *x,
    const struct cand *cd, const struct spu_value *const *s, int64_t G,
    const struct spu_obl_batch *bt, struct spu_value **out)
{
	struct spu_value *oh = NULL, *X = NULL;
	int rc;

	if (mul_lim(G, cd->W) < 0)
		return too_big(m);
	if ((rc = onehot(m, cd, s, G, 1, &oh)) == 0 &&
	    (bt == NULL || (rc = regroup(m, &oh, bt, G, cd->C)) == 0) &&
	    (rc = windows(m, x, cd, bt, &X)) == 0)
		rc = spu_hal_matmul(m, oh, X, x->dtype, out);
	spu_value_free(oh);
	spu_value_free(X);
	return rc;
}

/* The nk index vectors of an XLA index tensor (G values each). */
static int
index_vectors(struct spu_mpc *m, const struct spu_value *idx, int64_t ivd,
    int nk, int64_t *G, struct spu_value **s)
{
	const struct spu_shape *is = &idx->shape;
	int64_t ist[SPU_MAX_DIMS], g = 1, *map;
	struct spu_shape bs = { 0, { 0 } }, gs;
	int rc = 0;

	if (ivd < 0 || ivd > is->ndim || (ivd < is->ndim ?
	    is->dim[ivd] : 1) < nk)
		return spu_mpc_fail(m, SPU_ESHAPE, "bad index vector dim");
	for (int d = 0; d < is->ndim; d++)
		if (d != ivd) {
			bs.dim[bs.ndim++] = is->dim[d];
			g *= is->dim[d];
		}
	*G = g;
	gs = (struct spu_shape){ 1, { g } };
	spu_shape_strides(is, ist);
	if ((map = spu_malloc((size_t)g + 1, sizeof(*map))) == NULL)
		return nomem(m);
	for (int k = 0; k < nk && rc == 0; k++) {
		int64_t c[SPU_MAX_DIMS] = { 0 };
		for (int64_t i = 0; i < g; i++, spu_shape_next(&bs, c)) {
			int64_t p = ivd < is->ndim ? k * ist[ivd] : 0;
			for (int d = 0, j = 0; d < is->ndim; d++)
				if (d != ivd)
					p += c[j++] * ist[d];
			map[i] = p;
		}
		rc = spu_hal_index_move(m, &idx, 1, map, NULL, &gs, idx->dtype,
		    &s[k]);
	}
	free(map);
	return rc;
}

static void
free_n(struct spu_value **v, int n)
{
	for (int i = 0; i < n; i++)
		spu_value_free(v[i]);
}

int
spu_hal_obl_gather(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *idx, const struct spu_dimnums *dn,
    const struct spu_shape *s, struct spu_value **out)
{
	const struct spu_shape *xs = &x->shape;
	struct spu_value *sv[SPU_MAX_DIMS] = { NULL }, *Y = NULL;
	int dims[SPU_MAX_DIMS], offdim[SPU_MAX_DIMS], noff = 0, rc;
	int64_t G, n = spu_shape_numel(s), *map = NULL, c[SPU_MAX_DIMS] = { 0 };
	int64_t wst[SPU_MAX_DIMS];
	struct cand cd;
	struct spu_obl_batch bt = { 0, 0, NULL, NULL };

	if (dn->nindex_map > xs->ndim || n < 0)
		return spu_mpc_fail(m, SPU_ESHAPE, "gather: bad shapes");
	for (int k = 0; k < dn->nindex_map; k++)
		dims[k] = (int)dn->index_map[k];
	for (int d = 0; d < xs->ndim; d++)
		if (!contains(dn->collapsed, dn->ncollapsed, d) &&
		    !contains(dn->operand_batch, dn->noperand_batch, d))
			offdim[noff++] = d;
		else if (!contains(dn->collapsed, dn->ncollapsed, d) &&
		    dn->slice_sizes[d] != 1)
			return spu_mpc_fail(m, SPU_ESHAPE, "gather: batching "
			    "dimension with a slice size other than 1");
	if (noff != dn->noffset)
		return spu_mpc_fail(m, SPU_ESHAPE, "gather: offset dims do not "
		    "match the operand");
	if ((rc = cand_init(m, &cd, xs, dims, dn->nindex_map,
	    dn->slice_sizes)) != 0 ||
	    (rc = index_vectors(m, idx, dn->index_vector_dim, dn->nindex_map,
	    &G, sv)) != 0 ||
	    (rc = spu_obl_batch_init(m, &bt, xs, &idx->shape, dn, G)) != 0)
		goto out;
	if ((rc = select_windows(m, x, &cd, (const struct spu_value *const *)sv,
	    G, &bt, &Y)) != 0)
		goto out;
	/* out[o] = Y[g(o), w(o)] */
	if ((map = spu_malloc((size_t)n + 1, sizeof(*map))) == NULL) {
		rc = nomem(m);
		goto out;
	}
	spu_shape_strides(&cd.ws, wst);
	for (int64_t i = 0; i < n; i++, spu_shape_next(s, c)) {
		int64_t g = 0, w = 0;
		int oi = 0;
		for (int d = 0; d < s->ndim; d++) {
			int k;
			for (k = 0; k < dn->noffset; k++)
				if (dn->offset[k] == d)
					break;
			if (k < dn->noffset)
				continue;
			g = g * s->dim[d] + c[d];
		}
		for (int d = 0; d < xs->ndim; d++)
			if (oi < noff && offdim[oi] == d)
				w += c[dn->offset[oi++]] * wst[d];
		if (g >= G) {
			rc = spu_mpc_fail(m, SPU_ESHAPE, "gather: result "
			    "shape does not match the indices");
			goto out;
		}
		map[i] = bt.row[g] * cd.W + w;
	}
	rc = spu_hal_index_move(m, (const struct spu_value *const *)&Y, 1, map,
	    NULL, s, x->dtype, out);
out:
	free(map);
	free_n(sv, SPU_MAX_DIMS);
	spu_value_free(Y);
	spu_obl_batch_free(&bt);
	return rc;
}

int
spu_hal_obl_dyn_slice(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *const *idx, const int64_t *sizes,
    struct spu_value **out)
{
	const struct spu_shape *xs = &x->shape;
	int64_t lo[SPU_MAX_DIMS], hi[SPU_MAX_DIMS], one[SPU_MAX_DIMS];
	struct spu_value *x1 = NULL, *Y = NULL;
	const struct spu_value *sv[SPU_MAX_DIMS];
	int dims[SPU_MAX_DIMS], nk = 0, rc;
	struct spu_shape ss = *xs;
	struct cand cd;

	/* public indices: slice first (clamped as XLA does) */
	for (int d = 0; d < xs->ndim; d++) {
		if (sizes[d] < 0 || sizes[d] > xs->dim[d])
			return spu_mpc_fail(m, SPU_ESHAPE, "dynamic slice "
			    "larger than the operand");
		lo[d] = 0;
		hi[d] = xs->dim[d];
		one[d] = 1;
		ss.dim[d] = sizes[d];
		if (idx[d]->vis == SPU_SECRET) {
			dims[nk] = d;
			sv[nk++] = idx[d];
		} else {
			int64_t v = (int64_t)spu_ring_get_signed(m->field,
			    idx[d]->share[0], 0);
			lo[d] = v < 0 ? 0 : v > xs->dim[d] - sizes[d] ?
			    xs->dim[d] - sizes[d] : v;
			hi[d] = lo[d] + sizes[d];
		}
	}
	if ((rc = spu_hal_slice(m, x, lo, hi, one, &x1)) != 0)
		return rc;
	if ((rc = cand_init(m, &cd, &x1->shape, dims, nk, sizes)) == 0 &&
	    (rc = select_windows(m, x1, &cd, sv, 1, NULL, &Y)) == 0)
		rc = spu_hal_reshape(m, Y, &ss, out);
	spu_value_free(x1);
	spu_value_free(Y);
	return rc;
}

int
spu_hal_obl_dyn_update_slice(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *upd, const struct spu_value *const *idx,
    struct spu_value **out)
{
	const struct spu_shape *xs = &x->shape, *us = &upd->shape;
	int64_t xst[SPU_MAX_DIMS], ust[SPU_MAX_DIMS], st[SPU_MAX_DIMS];
	int64_t N = (int64_t)x->n, *m1 = NULL, *m2 = NULL, nn;
	struct spu_value *oh = NULL, *A = NULL, *B = NULL, *D = NULL;
	struct spu_value *Y = NULL, *Yr = NULL;
	int dims[SPU_MAX_DIMS], rc;
	struct cand cd;

	if (us->ndim != xs->ndim)
		return spu_mpc_fail(m, SPU_ESHAPE, "dynamic update slice: "
		    "ranks differ");
	for (int d = 0; d < xs->ndim; d++)
		dims[d] = d;
	if ((rc = cand_init(m, &cd, xs, dims, xs->ndim, us->dim)) != 0)
		return rc;
	if ((nn = mul_lim(cd.C, N)) < 0)
		return too_big(m);
	if ((m1 = spu_malloc((size_t)nn + 1, sizeof(*m1))) == NULL ||
	    (m2 = spu_malloc((size_t)nn + 1, sizeof(*m2))) == NULL) {
		rc = nomem(m);
		goto out;
	}
	/* D[c, p] = upd[p - start(c)] - x[p] inside window c, else 0 */
	spu_shape_strides(xs, xst);
	spu_shape_strides(us, ust);
	for (int64_t c = 0, i = 0; c < cd.C; c++) {
		int64_t pc[SPU_MAX_DIMS] = { 0 };
		cand_start(&cd, c, xs->ndim, st);
		for (int64_t p = 0; p < N; p++, i++, spu_shape_next(xs, pc)) {
			int64_t j = 0;
			int in = 1;
			for (int d = 0; d < xs->ndim; d++) {
				int64_t u = pc[d] - st[d];
				if (u < 0 || u >= us->dim[d])
					in = 0;
				j += u * ust[d];
			}
			m1[i] = in ? j : -1;
			m2[i] = in ? p : -1;
		}
	}
	{
		struct spu_shape cn = { 2, { cd.C, N } };
		if ((rc = onehot(m, &cd, idx, 1, 1, &oh)) != 0 ||
		    (rc = move(m, upd, m1, &cn, x->dtype, &A)) != 0 ||
		    (rc = move(m, x, m2, &cn, x->dtype, &B)) != 0 ||
		    (rc = spu_hal_sub(m, A, B, &D)) != 0 ||
		    (rc = spu_hal_matmul(m, oh, D, x->dtype, &Y)) != 0 ||
		    (rc = spu_hal_reshape(m, Y, xs, &Yr)) != 0)
			goto out;
	}
	rc = spu_hal_add(m, x, Yr, out);
out:
	free(m1);
	free(m2);
	spu_value_free(oh);
	spu_value_free(A);
	spu_value_free(B);
	spu_value_free(D);
	spu_value_free(Y);
	spu_value_free(Yr);
	return rc;
}

/* z[pos(b, c, w)] += Y[b, c, w] for every batch and candidate window
 * (local). */
static void
place_add(struct spu_mpc *m, struct spu_value *z, const struct spu_value *Y,
    const struct cand *cd, const struct spu_obl_batch *bt)
{
	int64_t xst[SPU_MAX_DIMS], st[SPU_MAX_DIMS];
	size_t K = spu_ring_size(m->field);
	int r = z->shape.ndim;

	spu_shape_strides(&z->shape, xst);
	for (int64_t bc = 0, i = 0; bc < bt->B * cd->C; bc++) {
		int64_t wc[SPU_MAX_DIMS] = { 0 }, c = bc % cd->C;
		cand_start(cd, c, r, st);
		for (int64_t w = 0; w < cd->W; w++, i++,
		    spu_shape_next(&cd->ws, wc)) {
			int64_t p = bt->off[bc / cd->C];
			for (int d = 0; d < r; d++)
				p += (st[d] + wc[d]) * xst[d];
			for (int s = 0; s < z->nshares; s++) {
				uint8_t *dst = (uint8_t *)z->share[s] +
				    (size_t)p * K;
				const uint8_t *src = (const uint8_t *)
				    Y->share[s] + (size_t)i * K;
				spu_ring_add(m->field, dst, dst, src, 1);
			}
		}
	}
}

int
spu_hal_obl_scatter(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *idx, const struct spu_value *upd,
    const struct spu_dimnums *dn, int add, struct spu_value **out)
{
	const struct spu_shape *xs = &x->shape, *us = &upd->shape;
	struct spu_value *sv[SPU_MAX_DIMS] = { NULL }, *oh = NULL, *oht = NULL;
	struct spu_value *U = NULL, *Y = NULL, *z = NULL, *cov = NULL;
	struct spu_value *t = NULL;
	int dims[SPU_MAX_DIMS], windim[SPU_MAX_DIMS], nwin = 0, rc;
	int64_t ws[SPU_MAX_DIMS], G, ust[SPU_MAX_DIMS], *map = NULL;
	static const int64_t perm[2] = { 1, 0 }, perm3[3] = { 0, 2, 1 };
	struct cand cd;
	struct spu_obl_batch bt = { 0, 0, NULL, NULL };

	for (int d = 0; d < xs->ndim; d++) {
		ws[d] = 1;
		if (!contains(dn->collapsed, dn->ncollapsed, d) &&
		    !contains(dn->operand_batch, dn->noperand_batch, d))
			windim[nwin++] = d;
	}
	if (nwin != dn->noffset || dn->nindex_map > xs->ndim)
		return spu_mpc_fail(m, SPU_ESHAPE, "scatter: window dims do "
		    "not match the operand");
	for (int i = 0; i < nwin; i++) {
		if (dn->offset[i] < 0 || dn->offset[i] >= us->ndim)
			return spu_mpc_fail(m, SPU_ESHAPE, "scatter: bad "
			    "update window dims");
		ws[windim[i]] = us->dim[dn->offset[i]];
	}
	for (int k = 0; k < dn->nindex_map; k++)
		dims[k] = (int)dn->index_map[k];
	if ((rc = cand_init(m, &cd, xs, dims, dn->nindex_map, ws)) != 0 ||
	    (rc = index_vectors(m, idx, dn->index_vector_dim, dn->nindex_map,
	    &G, sv)) != 0 ||
	    (rc = spu_obl_batch_init(m, &bt, xs, &idx->shape, dn, G)) != 0)
		goto out;
	if (mul_lim(bt.B, cd.C * cd.W) < 0) {
		rc = too_big(m);
		goto out;
	}
	/* the update's scatter dims are the indices' dims but the vector */
	for (int d = 0, gi = 0; d <= us->ndim; d++) {
		int64_t ivd = dn->index_vector_dim;
		if (d < us->ndim && contains(dn->offset, dn->noffset, d))
			continue;
		if (gi == ivd)
			gi++;
		if ((d == us->ndim) != (gi >= idx->shape.ndim) ||
		    (d < us->ndim && us->dim[d] != idx->shape.dim[gi])) {
			rc = spu_mpc_fail(m, SPU_ESHAPE, "scatter: updates do "
			    "not match the indices");
			goto out;
		}
		gi++;
	}
	if (mul_lim(G, cd.W) != (int64_t)upd->n) {
		rc = spu_mpc_fail(m, SPU_ESHAPE, "scatter: updates do not "
		    "match the indices");
		goto out;
	}
	/* U[row(g), w]: update g's window, row-major over ws */
	if ((map = spu_malloc(upd->n + 1, sizeof(*map))) == NULL) {
		rc = nomem(m);
		goto out;
	}
	spu_shape_strides(us, ust);
	{
		int64_t c[SPU_MAX_DIMS] = { 0 }, wst[SPU_MAX_DIMS];
		spu_shape_strides(&cd.ws, wst);
		for (size_t i = 0; i < upd->n; i++, spu_shape_next(us, c)) {
			int64_t g = 0, w = 0;
			for (int d = 0; d < us->ndim; d++)
				if (!contains(dn->offset, dn->noffset, d))
					g = g * us->dim[d] + c[d];
			for (int j = 0; j < nwin; j++)
				w += c[dn->offset[j]] * wst[windim[j]];
			map[bt.row[g] * cd.W + w] = (int64_t)i;
		}
	}
	{
		struct spu_shape gw = { 2, { G, cd.W } };
		if (bt.B > 1)
			gw = (struct spu_shape){ 3, { bt.B, bt.Gb, cd.W } };
		if ((rc = move(m, upd, map, &gw, x->dtype, &U)) != 0 ||
		    (rc = onehot(m, &cd, (const struct spu_value *const *)sv, G,
		    0, &oh)) != 0 ||
		    (rc = regroup(m, &oh, &bt, G, cd.C)) != 0 ||
		    (rc = spu_hal_transpose(m, oh, bt.B > 1 ? perm3 : perm,
		    &oht)) != 0 ||
		    (rc = spu_hal_matmul(m, oht, U, x->dtype, &Y)) != 0)
			goto out;
	}
	if (add) {
		if ((rc = spu_hal_p2s(m, x, &z)) != 0)
			goto out;
	} else {
		/* keep x where no window lands: x - x cover */
		struct spu_value *zero = zero_pred(m), *cs = NULL;
		int64_t d0 = bt.B > 1;
		if (zero == NULL) {
			rc = nomem(m);
			goto out;
		}
		/* cs[b, c] = sum_r OH[b, r, c] */
		rc = spu_hal_reduce_sum(m, oh, zero, &d0, 1, &cs);
		spu_value_free(zero);
		if (rc != 0)
			goto out;
		{
			int64_t nbcw = bt.B * cd.C * cd.W;
			struct spu_shape cw = { 2, { bt.B * cd.C, cd.W } };
			int64_t *bm = spu_malloc((size_t)nbcw + 1,
			    sizeof(*bm));
			if (bm == NULL) {
				spu_value_free(cs);
				rc = nomem(m);
				goto out;
			}
			for (int64_t i = 0; i < nbcw; i++)
				bm[i] = i / cd.W;
			rc = move(m, cs, bm, &cw, SPU_PRED, &t);
			free(bm);
			spu_value_free(cs);
			if (rc != 0)
				goto out;
		}
		if ((cov = spu_hal_alloc(m, SPU_PRED, xs, t->vis)) == NULL) {
			rc = nomem(m);
			goto out;
		}
		place_add(m, cov, t, &cd, &bt);
		spu_value_free(t);
		t = NULL;
		if ((rc = spu_hal_mul(m, x, cov, x->dtype, &t)) != 0 ||
		    (rc = spu_hal_sub(m, x, t, &z)) != 0)
			goto out;
		{
			struct spu_value *zs = NULL;
			if ((rc = spu_hal_p2s(m, z, &zs)) != 0)
				goto out;
			spu_value_free(z);
			z = zs;
		}
	}
	if (Y->vis == SPU_PUBLIC) {
		struct spu_value *ys = NULL;
		if ((rc = spu_hal_p2s(m, Y, &ys)) != 0)
			goto out;
		spu_value_free(Y);
		Y = ys;
	}
	place_add(m, z, Y, &cd, &bt);
	z->dtype = x->dtype;
	*out = z;
	z = NULL;
out:
	free(map);
	free_n(sv, SPU_MAX_DIMS);
	spu_value_free(oh);
	spu_value_free(oht);
	spu_value_free(U);
	spu_value_free(Y);
	spu_value_free(z);
	spu_value_free(cov);
	spu_value_free(t);
	spu_obl_batch_free(&bt);
	return rc;
}
