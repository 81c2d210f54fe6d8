/*
 * vm_topk.c - TOPK on secret values: the first k elements along one
 * dimension of operands sorted together by operand 0 (ascending or
 * descending, stably), by k rounds of selection instead of a sorting
 * network.
 *
 * The operands are laid out as rows [R, n] with the dimension last.  A
 * round is a log-depth tournament over each row: adjacent pairs (a, b),
 * a the earlier, and b wins only when it goes strictly before a, so
 * ties keep the earlier element, as a stable sort does; all operands
 * follow the winner with one product per level.  Then the winner's
 * one-hot is rebuilt top-down from the tournament's picks (one product
 * per level, the first one local) and its key is replaced by a sentinel
 * beyond the encoding range (2^(k-2) in the ring, below or above every
 * key: less() is exact there), so later rounds never pick it again.
 *
 * Costs per round: n - 1 comparisons per row in ceil(log2 n) levels, and
 * K (n - 1) + 2 n products for K operands; k rounds in all (the last
 * without the one-hot), against n log2(n)^2 / 4 comparisons for
 * hal/sort.c's network.  All-public operands never get here
 * (vm_public.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hal/cmp.h"
#include "hal/hal.h"
#include "hal/shape.h"
#include "mem.h"
#include "vm_int.h"

#define TOPK_MAXK 16		/* operands */
#define TOPK_MAXLEV 40		/* tournament levels (n < 2^31) */

struct topk {
	struct spu_mpc *m;
	int kind;		/* SPU_SORT_ASC or SPU_SORT_DESC */
	int K;			/* operands */
	int64_t R, n;		/* rows, row length */
	int64_t *ia, *ib, *io;	/* index scratch, >= K * R * n + 1 */
};

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
move(struct spu_mpc *m, const struct spu_value *const *src, int nsrc,
    const int64_t *idx, int64_t n, enum spu_dtype t, struct spu_value **out)
{
	struct spu_shape s = { 1, { n } };

	return spu_hal_index_move(m, src, nsrc, idx, NULL, &s, t, out);
}

/* *bit = [b goes strictly before a]. */
static int
before(struct topk *t, const struct spu_value *b, const struct spu_value *a,
    struct spu_value **bit)
{
	if (t->kind == SPU_SORT_DESC)
		return spu_hal_greater(t->m, b, a, bit);
	return spu_hal_less(t->m, b, a, bit);
}

/*
 * One tournament level over lv[0..K) ([R * w] each) to [R * (w + 1) / 2]:
 * pairs (2c, 2c + 1), an odd last column carried.  *bit gets the picks
 * (1: the later element won), [R * (w / 2)].
 */
static int
level(struct topk *t, struct spu_value **lv, int64_t w, struct spu_value **bit)
{
	struct spu_mpc *m = t->m;
	int64_t R = t->R, h = w / 2, w2 = (w + 1) / 2, RH = R * h;
	struct spu_value *A[TOPK_MAXK] = { NULL }, *D[TOPK_MAXK] = { NULL };
	struct spu_value *Dc = NULL, *Cx = NULL, *M = NULL;
	int K = t->K, rc = 0;

	*bit = NULL;
	for (int64_t r = 0; r < R; r++)
		for (int64_t c = 0; c < h; c++) {
			t->ia[r * h + c] = r * w + 2 * c;
			t->ib[r * h + c] = r * w + 2 * c + 1;
		}
	for (int i = 0; i < K && rc == 0; i++) {
		const struct spu_value *src = lv[i];
		struct spu_value *b = NULL;

		if ((rc = move(m, &src, 1, t->ia, RH, lv[i]->dtype, &A[i])) ==
		    0 && (rc = move(m, &src, 1, t->ib, RH, lv[i]->dtype,
		    &b)) == 0) {
			if (i == 0)
				rc = before(t, b, A[0], bit);
			if (rc == 0)
				rc = spu_hal_sub(m, b, A[i], &D[i]);
		}
		spu_value_free(b);
	}
	if (rc != 0)
		goto out;
	/* M = [bit repeated K times] * [D_0 .. D_K-1]: one product */
	for (int64_t q = 0; q < K * RH; q++) {
		t->ia[q] = q;
		t->ib[q] = q % RH;
	}
	{
		const struct spu_value *const *ds =
		    (const struct spu_value *const *)D;
		const struct spu_value *bs = *bit;

		if ((rc = move(m, ds, K, t->ia, K * RH, SPU_S64, &Dc)) != 0 ||
		    (rc = move(m, &bs, 1, t->ib, K * RH, SPU_PRED, &Cx)) != 0 ||
		    (rc = spu_hal_mul(m, Cx, Dc, SPU_S64, &M)) != 0)
			goto out;
	}
	/* next_i = A_i + M_i, and the odd column carried */
	for (int i = 0; i < K && rc == 0; i++) {
		struct spu_value *Mi = NULL, *N = NULL, *nx = NULL;
		const struct spu_value *src = M, *two[2];

		for (int64_t q = 0; q < RH; q++)
			t->ia[q] = i * RH + q;
		if ((rc = move(m, &src, 1, t->ia, RH, lv[i]->dtype, &Mi)) ==
		    0 && (rc = spu_hal_add(m, A[i], Mi, &N)) == 0) {
			for (int64_t r = 0; r < R; r++)
				for (int64_t c = 0; c < w2; c++)
					t->io[r * w2 + c] = c < h ?
					    r * h + c : RH + r * w + w - 1;
			two[0] = N;
			two[1] = lv[i];
			rc = move(m, two, 2, t->io, R * w2, lv[i]->dtype, &nx);
		}
		spu_value_free(Mi);
		spu_value_free(N);
		if (rc == 0) {
			spu_value_free(lv[i]);
			lv[i] = nx;
		}
	}
out:
	free_n(A, K);
	free_n(D, K);
	spu_value_free(Dc);
	spu_value_free(Cx);
	spu_value_free(M);
	if (rc != 0) {
		spu_value_free(*bit);
		*bit = NULL;
	}
	return rc;
}

/* The one-hot [R * n] of each row's winner from the picks of every
 * level, top-down: below a node of weight p, the later child gets p b
 * and the earlier p - p b. */
static int
onehot(struct topk *t, struct spu_value *const *bits, int nlev,
    struct spu_value **out)
{
	struct spu_mpc *m = t->m;
	int64_t R = t->R, wl[TOPK_MAXLEV + 1];
	struct spu_value *P;
	int rc = 0;

	wl[0] = t->n;
	for (int l = 0; l < nlev; l++)
		wl[l + 1] = (wl[l] + 1) / 2;
	if ((P = spu_hal_alloc(m, SPU_PRED, &(struct spu_shape){ 1, { R } },
	    SPU_PUBLIC)) == NULL)
		return nomem(m);
	for (int64_t r = 0; r < R; r++)
		spu_ring_set(m->field, P->share[0], (size_t)r, 1);
	for (int l = nlev - 1; l >= 0 && rc == 0; l--) {
		int64_t w = wl[l], h = w / 2, w2 = wl[l + 1], RH = R * h;
		struct spu_value *Pp = NULL, *WB = NULL, *WA = NULL, *np = NULL;
		const struct spu_value *src = P, *three[3];

		for (int64_t r = 0; r < R; r++)
			for (int64_t c = 0; c < h; c++)
				t->ia[r * h + c] = r * w2 + c;
		if ((rc = move(m, &src, 1, t->ia, RH, SPU_PRED, &Pp)) == 0 &&
		    (rc = spu_hal_mul(m, Pp, bits[l], SPU_PRED, &WB)) == 0 &&
		    (rc = spu_hal_sub(m, Pp, WB, &WA)) == 0) {
			for (int64_t r = 0; r < R; r++)
				for (int64_t c = 0; c < w; c++)
					t->io[r * w + c] = c / 2 < h ?
					    (c % 2 ? RH : 0) + r * h + c / 2 :
					    2 * RH + r * w2 + w2 - 1;
			three[0] = WA;
			three[1] = WB;
			three[2] = P;
			rc = move(m, three, 3, t->io, R * w, SPU_PRED, &np);
		}
		spu_value_free(Pp);
		spu_value_free(WB);
		spu_value_free(WA);
		spu_value_free(P);
		P = np;
	}
	if (rc != 0) {
		spu_value_free(P);
		return rc;
	}
	*out = P;
	return 0;
}

/* key += oh (sentinel - key): the picked element never wins again. */
static int
retire(struct topk *t, struct spu_value **key, const struct spu_value *oh)
{
	struct spu_mpc *m = t->m;
	struct spu_value *s, *d = NULL, *p = NULL, *nk = NULL;
	spu_u128 v = (spu_u128)1 << (m->field - 2);
	int rc;

	if ((s = spu_hal_alloc(m, (*key)->dtype, &(*key)->shape,
	    SPU_PUBLIC)) == NULL)
		return nomem(m);
	if (t->kind == SPU_SORT_DESC)
		v = -v;
	for (size_t i = 0; i < s->n; i++)
		spu_ring_set(m->field, s->share[0], i, v);
	if ((rc = spu_hal_sub(m, s, *key, &d)) == 0 &&
	    (rc = spu_hal_mul(m, oh, d, (*key)->dtype, &p)) == 0 &&
	    (rc = spu_hal_add(m, *key, p, &nk)) == 0) {
		nk->dtype = (*key)->dtype;
		spu_value_free(*key);
		*key = nk;
	}
	spu_value_free(s);
	spu_value_free(d);
	spu_value_free(p);
	return rc;
}

/* k rounds over cur[0..K) ([R * n]; cur[0], the key, is retired as it
 * goes); win[i] gets [R * k], row-major. */
static int
rounds(struct topk *t, struct spu_value **cur, int64_t k,
    struct spu_value **win)
{
	struct spu_mpc *m = t->m;
	struct spu_value **got, *lv[TOPK_MAXK] = { NULL };
	struct spu_value *bits[TOPK_MAXLEV] = { NULL }, *oh = NULL;
	const struct spu_value **col;
	int64_t R = t->R, *idx;
	int K = t->K, nlev = 0, rc = 0;

	got = spu_calloc((size_t)(k * K) + 1, sizeof(*got));
	col = spu_calloc((size_t)k + 1, sizeof(*col));
	idx = spu_malloc((size_t)(R * k) + 1, sizeof(*idx));
	if (got == NULL || col == NULL || idx == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (int64_t r = 0; r < k && rc == 0; r++) {
		int64_t w = t->n;

		for (int i = 0; i < K && rc == 0; i++)
			if ((lv[i] = spu_value_dup(cur[i])) == NULL)
				rc = nomem(m);
		for (nlev = 0; w > 1 && rc == 0; nlev++, w = (w + 1) / 2)
			if (nlev == TOPK_MAXLEV)
				rc = spu_mpc_fail(m, SPU_ELIMIT, "topk: row "
				    "too long");
			else
				rc = level(t, lv, w, &bits[nlev]);
		for (int i = 0; i < K && rc == 0; i++) {
			got[r * K + i] = lv[i];
			lv[i] = NULL;
		}
		if (rc == 0 && r + 1 < k &&
		    (rc = onehot(t, bits, nlev, &oh)) == 0)
			rc = retire(t, &cur[0], oh);
		spu_value_free(oh);
		oh = NULL;
		free_n(bits, nlev < TOPK_MAXLEV ? nlev : TOPK_MAXLEV);
		free_n(lv, K);
	}
	/* win[i][row * k + r] = round r's winner of the row */
	for (int64_t row = 0; row < R; row++)
		for (int64_t r = 0; r < k; r++)
			idx[row * k + r] = r * R + row;
	for (int i = 0; i < K && rc == 0; i++) {
		for (int64_t r = 0; r < k; r++)
			col[r] = got[r * K + i];
		rc = move(m, col, (int)k, idx, R * k, cur[i]->dtype, &win[i]);
	}
out:
	if (got != NULL)
		free_n(got, (int)(k * K));
	free(got);
	free(col);
	free(idx);
	return rc;
}

int
spu_vm_topk(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	const int64_t *dim = spu_vm_attr(in, SPU_ATTR_DIMS, 1);
	const int64_t *kind = spu_vm_attr(in, SPU_ATTR_REDUCER, 1);
	const struct spu_shape *s = &ops[0]->shape;
	struct spu_value *cur[TOPK_MAXK] = { NULL }, *win[TOPK_MAXK] = { NULL };
	struct topk t = { m, 0, (int)in->nin, 1, 0, NULL, NULL, NULL };
	int64_t perm[SPU_MAX_DIMS], inv[SPU_MAX_DIMS], k, big;
	struct spu_shape ts, flat;
	int d, np = 0, rc = 0;

	(void)p;
	if (in->nin < 1 || in->nin > TOPK_MAXK || in->nout != in->nin ||
	    dim == NULL || kind == NULL ||
	    (kind[0] != SPU_SORT_ASC && kind[0] != SPU_SORT_DESC))
		return spu_mpc_fail(m, SPU_EFORMAT, "topk: bad operands or "
		    "order");
	if (dim[0] < 0 || dim[0] >= s->ndim)
		return spu_mpc_fail(m, SPU_EFORMAT, "topk: bad dimension");
	d = (int)dim[0];
	t.kind = (int)kind[0];
	t.n = s->dim[d];
	k = in->type[0].shape.dim[d];
	for (uint32_t i = 0; i < in->nin; i++) {
		struct spu_shape want = *s;
		want.dim[d] = k;
		if (!spu_shape_eq(&ops[i]->shape, s) ||
		    !spu_shape_eq(&in->type[i].shape, &want))
			return spu_mpc_fail(m, SPU_ESHAPE, "topk: operand or "
			    "result shapes differ");
	}
	if (k < 1 || k > t.n)
		return spu_mpc_fail(m, SPU_ESHAPE, "topk: k out of range");
	for (int i = 0; i < s->ndim; i++)
		if (i != d) {
			perm[np++] = i;
			t.R *= s->dim[i];
		}
	perm[np] = d;
	ts.ndim = s->ndim;
	for (int i = 0; i < s->ndim; i++) {
		ts.dim[i] = i < np ? s->dim[perm[i]] : k;
		inv[perm[i]] = i;
	}
	big = t.R * t.n * (int64_t)in->nin;
	flat = (struct spu_shape){ 1, { t.R * t.n } };
	t.ia = spu_malloc((size_t)big + 1, sizeof(*t.ia));
	t.ib = spu_malloc((size_t)big + 1, sizeof(*t.ib));
	t.io = spu_malloc((size_t)big + 1, sizeof(*t.io));
	if (t.ia == NULL || t.ib == NULL || t.io == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (uint32_t i = 0; i < in->nin && rc == 0; i++) {
		struct spu_value *tr = NULL;
		if ((rc = spu_hal_transpose(m, ops[i], perm, &tr)) == 0)
			rc = spu_hal_reshape(m, tr, &flat, &cur[i]);
		spu_value_free(tr);
	}
	if (rc == 0)
		rc = rounds(&t, cur, k, win);
	for (uint32_t i = 0; i < in->nin && rc == 0; i++) {
		struct spu_value *r = NULL;
		if ((rc = spu_hal_reshape(m, win[i], &ts, &r)) == 0)
			rc = spu_hal_transpose(m, r, inv, &res[i]);
		spu_value_free(r);
		if (rc == 0)
			res[i]->dtype = in->type[i].dtype;
	}
out:
	free_n(cur, (int)in->nin);
	free_n(win, (int)in->nin);
	free(t.ia);
	free(t.ib);
	free(t.io);
	return rc;
}
