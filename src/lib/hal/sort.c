/*
 * sort.c - Batcher's odd-even merge sort as an oblivious network over
 * values (see sort.h).  The operands are laid out as [rows, n] with the
 * sort dimension last; per layer the two sides of every pair are
 * gathered (local), the order is asked once for all of them, and the
 * swap is applied to every operand with one batched product:
 * d = s (q - p), p' = p + d, q' = q - d.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmp.h"
#include "hal.h"
#include "pieces.h"
#include "shape.h"
#include "sort.h"
#include "../mem.h"

int64_t
spu_sort_layer(int64_t n, int layer, int64_t *lo, int64_t *hi)
{
	int64_t N = 1, cnt = 0;
	int li = 0;

	while (N < n)
		N <<= 1;
	for (int64_t p = 1; p < N; p <<= 1)
		for (int64_t k = p; k >= 1; k >>= 1, li++) {
			if (li != layer)
				continue;
			for (int64_t j = k % p; j + k < N; j += 2 * k)
				for (int64_t i = 0; i < k && i + j + k < n; i++)
					if ((i + j) / (2 * p) ==
					    (i + j + k) / (2 * p)) {
						lo[cnt] = i + j;
						hi[cnt] = i + j + k;
						cnt++;
					}
			return cnt;
		}
	return -1;
}

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

static void
free_n(struct spu_value **v, int n)
{
	for (int i = 0; i < n; i++) {
		spu_value_free(v[i]);
		v[i] = NULL;
	}
}

static int
less1(struct spu_mpc *m, void *arg, struct spu_value *const *v,
    struct spu_value **out)
{
	(void)arg;
	return spu_hal_less(m, v[0], v[1], out);
}

/* 1 where p goes first; with ties (neither first) broken by the carried
 * positions ip < iq when stable: s = l1 + (1 - l1 - l2) [ip < iq]. */
static int
order(struct spu_mpc *m, const struct spu_sort_order *ord,
    struct spu_value *const *p, struct spu_value *const *q, int k,
    int stable, struct spu_value **out)
{
	struct spu_value *pq[SPU_SORT_MAXK + 1] = { NULL };
	struct spu_value *qp[SPU_SORT_MAXK + 1] = { NULL };
	struct spu_value *l = NULL, *l1 = NULL, *l2 = NULL, *lt = NULL;
	struct spu_value *t = NULL, *u = NULL, *one = NULL;
	size_t n = p[0]->n;
	int rc = 0;

	if (!stable)
		return ord->before(ord->arg, m, p, q, k, out);
	/* both directions in one call: [p; q] before [q; p] */
	for (int i = 0; i < k && rc == 0; i++) {
		const struct spu_value *a[2] = { p[i], q[i] };
		const struct spu_value *b[2] = { q[i], p[i] };
		if ((rc = spu_hal_concat(m, a, 2, 0, &pq[i])) == 0)
			rc = spu_hal_concat(m, b, 2, 0, &qp[i]);
	}
	if (rc == 0)
		rc = ord->before(ord->arg, m, pq, qp, k, &l);
	if (rc == 0) {
		int64_t z = 0, h = (int64_t)n, h2 = 2 * h, st = 1;
		if ((rc = spu_hal_slice(m, l, &z, &h, &st, &l1)) == 0)
			rc = spu_hal_slice(m, l, &h, &h2, &st, &l2);
	}
	if (rc == 0 && (rc = spu_hal_pieces(m, less1, NULL,
	    (struct spu_value *[]){ p[k], q[k] }, 2, &lt, 1)) == 0 &&
	    (rc = spu_hal_add(m, l1, l2, &t)) == 0) {
		one = spu_hal_alloc(m, SPU_PRED, &t->shape, SPU_PUBLIC);
		if (one == NULL)
			rc = nomem(m);
		for (size_t i = 0; one != NULL && i < one->n; i++)
			spu_ring_set(m->field, one->share[0], i, 1);
	}
	if (rc == 0) {
		struct spu_value *eq = NULL;
		if ((rc = spu_hal_sub(m, one, t, &eq)) == 0 &&
		    (rc = spu_hal_mul(m, eq, lt, SPU_PRED, &u)) == 0)
			rc = spu_hal_add(m, l1, u, out);
		spu_value_free(eq);
		if (rc == 0)
			(*out)->dtype = SPU_PRED;
	}
	free_n(pq, k);
	free_n(qp, k);
	spu_value_free(l);
	spu_value_free(l1);
	spu_value_free(l2);
	spu_value_free(lt);
	spu_value_free(t);
	spu_value_free(u);
	spu_value_free(one);
	return rc;
}

/* One layer on the flat operands cur[0..kk) ([rows * n] each). */
static int
layer(struct spu_mpc *m, struct spu_value **cur, int kk, int k, int64_t rows,
    int64_t n, const int64_t *lo, const int64_t *hi, int64_t P,
    const struct spu_sort_order *ord, int stable)
{
	int64_t RP = rows * P, *ma = NULL, *mb = NULL, *mc = NULL;
	struct spu_value *A[SPU_SORT_MAXK + 1] = { NULL };
	struct spu_value *B[SPU_SORT_MAXK + 1] = { NULL };
	struct spu_value *s = NULL, *D = NULL, *S = NULL, *M = NULL;
	struct spu_shape rp = { 1, { RP } }, all = { 1, { RP * kk } };
	int rc = 0;

	ma = spu_malloc((size_t)(RP * kk) + 1, sizeof(*ma));
	mb = spu_malloc((size_t)(RP * kk) + 1, sizeof(*mb));
	mc = spu_malloc((size_t)(rows * n) + 1, sizeof(*mc));
	if (ma == NULL || mb == NULL || mc == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (int64_t r = 0; r < rows; r++)
		for (int64_t t = 0; t < P; t++) {
			ma[r * P + t] = r * n + lo[t];
			mb[r * P + t] = r * n + hi[t];
		}
	for (int i = 0; i < kk && rc == 0; i++) {
		const struct spu_value *src = cur[i];
		if ((rc = spu_hal_index_move(m, &src, 1, ma, NULL, &rp,
		    cur[i]->dtype, &A[i])) == 0)
			rc = spu_hal_index_move(m, &src, 1, mb, NULL, &rp,
			    cur[i]->dtype, &B[i]);
	}
	/* s = [B goes before A]: the pair is out of order */
	if (rc != 0 || (rc = order(m, ord, B, A, k, stable, &s)) != 0)
		goto out;
	/* D = B - A for every operand, S = s repeated, M = S D */
	{
		const struct spu_value *parts[2 * (SPU_SORT_MAXK + 1)];
		for (int i = 0; i < kk; i++) {
			parts[2 * i] = B[i];
			parts[2 * i + 1] = A[i];
		}
		for (int i = 0; i < kk; i++)
			for (int64_t t = 0; t < RP; t++) {
				ma[i * RP + t] = 2 * i * RP + t;
				mb[i * RP + t] = (2 * i + 1) * RP + t;
			}
		{
			struct spu_value *bb = NULL, *aa = NULL;
			if ((rc = spu_hal_index_move(m, parts, 2 * kk, ma,
			    NULL, &all, SPU_S64, &bb)) == 0 &&
			    (rc = spu_hal_index_move(m, parts, 2 * kk, mb,
			    NULL, &all, SPU_S64, &aa)) == 0)
				rc = spu_hal_sub(m, bb, aa, &D);
			spu_value_free(bb);
			spu_value_free(aa);
			if (rc != 0)
				goto out;
		}
		for (int64_t t = 0; t < RP * kk; t++)
			ma[t] = t % RP;
		{
			const struct spu_value *src = s;
			if ((rc = spu_hal_index_move(m, &src, 1, ma, NULL, &all,
			    SPU_PRED, &S)) != 0 ||
			    (rc = spu_hal_mul(m, S, D, SPU_S64, &M)) != 0)
				goto out;
		}
	}
	/* A' = A + M_i, B' = B - M_i, written back at lo, hi */
	for (int i = 0; i < kk && rc == 0; i++) {
		struct spu_value *Mi = NULL, *a2 = NULL, *b2 = NULL, *nc = NULL;
		int64_t z = i * RP, e = (i + 1) * RP, one = 1;
		const struct spu_value *src[3];
		if ((rc = spu_hal_slice(m, M, &z, &e, &one, &Mi)) == 0 &&
		    (rc = spu_hal_add(m, A[i], Mi, &a2)) == 0 &&
		    (rc = spu_hal_sub(m, B[i], Mi, &b2)) == 0) {
			int64_t N = rows * n;
			for (int64_t j = 0; j < N; j++)
				mc[j] = j;
			for (int64_t r = 0; r < rows; r++)
				for (int64_t t = 0; t < P; t++) {
					mc[r * n + lo[t]] = N + r * P + t;
					mc[r * n + hi[t]] = N + RP + r * P + t;
				}
			src[0] = cur[i];
			src[1] = a2;
			src[2] = b2;
			rc = spu_hal_index_move(m, src, 3, mc, NULL,
			    &cur[i]->shape, cur[i]->dtype, &nc);
		}
		spu_value_free(Mi);
		spu_value_free(a2);
		spu_value_free(b2);
		if (rc == 0) {
			spu_value_free(cur[i]);
			cur[i] = nc;
		}
	}
out:
	free(ma);
	free(mb);
	free(mc);
	free_n(A, kk);
	free_n(B, kk);
	spu_value_free(s);
	spu_value_free(D);
	spu_value_free(S);
	spu_value_free(M);
	return rc;
}

int
spu_hal_sort(struct spu_mpc *m, const struct spu_value *const *x, int k,
    int dim, const struct spu_sort_order *ord, int stable,
    struct spu_value **out)
{
	const struct spu_shape *s = &x[0]->shape;
	struct spu_value *cur[SPU_SORT_MAXK + 1] = { NULL };
	int64_t perm[SPU_MAX_DIMS], inv[SPU_MAX_DIMS], rows = 1, n, *lo, *hi;
	struct spu_shape ts;
	int kk = k + (stable != 0), rc = 0, np = 0;

	if (k < 1 || k > SPU_SORT_MAXK || dim < 0 || dim >= s->ndim)
		return spu_mpc_fail(m, SPU_EINVAL, "sort: bad operands");
	for (int i = 0; i < k; i++)
		if (!spu_shape_eq(&x[i]->shape, s))
			return spu_mpc_fail(m, SPU_ESHAPE, "sort operands "
			    "differ in shape");
	n = s->dim[dim];
	for (int d = 0; d < s->ndim; d++)
		if (d != dim) {
			perm[np++] = d;
			rows *= s->dim[d];
		}
	perm[np] = dim;
	ts.ndim = s->ndim;
	for (int d = 0; d < s->ndim; d++) {
		ts.dim[d] = s->dim[perm[d]];
		inv[perm[d]] = d;
	}
	lo = spu_malloc((size_t)n / 2 + 1, sizeof(*lo));
	hi = spu_malloc((size_t)n / 2 + 1, sizeof(*hi));
	if (lo == NULL || hi == NULL) {
		rc = nomem(m);
		goto out;
	}
	{
		struct spu_shape flat = { 1, { rows * n } };
		for (int i = 0; i < k && rc == 0; i++) {
			struct spu_value *t = NULL;
			if ((rc = spu_hal_transpose(m, x[i], perm, &t)) == 0)
				rc = spu_hal_reshape(m, t, &flat, &cur[i]);
			spu_value_free(t);
		}
		if (rc == 0 && stable) {
			/* the original positions, for ties */
			cur[k] = spu_hal_alloc(m, SPU_S64, &flat, SPU_PUBLIC);
			if (cur[k] == NULL)
				rc = nomem(m);
			for (int64_t i = 0; rc == 0 && i < rows * n; i++)
				spu_ring_set(m->field, cur[k]->share[0],
				    (size_t)i, (spu_u128)(i % n));
		}
	}
	for (int l = 0; rc == 0 && n > 1; l++) {
		int64_t P = spu_sort_layer(n, l, lo, hi);
		if (P < 0)
			break;
		if (P > 0)
			rc = layer(m, cur, kk, k, rows, n, lo, hi, P, ord,
			    stable);
	}
	for (int i = 0; i < k && rc == 0; i++) {
		struct spu_value *t = NULL;
		if ((rc = spu_hal_reshape(m, cur[i], &ts, &t)) == 0)
			rc = spu_hal_transpose(m, t, inv, &out[i]);
		spu_value_free(t);
		if (rc != 0)
			free_n(out, i);
	}
out:
	free(lo);
	free(hi);
	free_n(cur, kk);
	return rc;
}
