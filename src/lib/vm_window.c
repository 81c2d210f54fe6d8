/*
 * vm_window.c - SELECT_AND_SCATTER (the max-pool gradient) on secret
 * values.  Every window's elements are laid out as a row; a log-depth
 * tournament of adjacent pairs (earlier element first, so ties keep the
 * earlier one as XLA's sequential scan does) runs the select region in
 * vector mode over all pairs of a level and carries, next to the winning
 * value, a one-hot over the window's positions.  Padding is never
 * selected (public masks).  The source values then land on the selected
 * positions: source times one-hot (one product) added up locally when
 * the scatter region is addition; any other scatter region is applied in
 * rounds, one per window overlapping a position, each a vector-mode call
 * and a selection.  The geometry, the tournament and the scatter-add are
 * shared with vm_pool.c (vm_int.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hal/cmp.h"
#include "hal/hal.h"
#include "hal/shape.h"
#include "mem.h"
#include "vm_int.h"

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

static int
move1(struct spu_mpc *m, const struct spu_value *src, const int64_t *map,
    int64_t n, enum spu_dtype t, struct spu_value **out)
{
	struct spu_shape s = { 1, { n } };

	return spu_hal_index_move(m, &src, 1, map, NULL, &s, t, out);
}

/* The word at index i of the concatenation of two secret values. */
static const uint8_t *
word_of(const struct spu_value *const src[2], int sh, int64_t i, size_t K)
{
	int64_t n0 = (int64_t)src[0]->n;

	return i < n0 ? (const uint8_t *)src[0]->share[sh] + (size_t)i * K :
	    (const uint8_t *)src[1]->share[sh] + (size_t)(i - n0) * K;
}

/* *out[i] = src[ma[i]] - src[mb[i]] (i < n) over the concatenation of
 * two secret values: local, without either gathered operand stored. */
static int
gather_diff(struct spu_mpc *m, const struct spu_value *const src[2],
    const int64_t *ma, const int64_t *mb, int64_t n, struct spu_value **out)
{
	unsigned f = m->field;
	size_t K = spu_ring_size(f);
	struct spu_value *d;

	if (src[0]->vis != SPU_SECRET || src[1]->vis != SPU_SECRET)
		return spu_mpc_fail(m, SPU_EINVAL, "window: public one-hots "
		    "past the first level");
	if ((d = spu_hal_alloc(m, SPU_S64, &(struct spu_shape){ 1, { n } },
	    SPU_SECRET)) == NULL)
		return nomem(m);
	for (int sh = 0; sh < d->nshares; sh++)
		for (int64_t i = 0; i < n; i++)
			spu_ring_set(f, d->share[sh], (size_t)i,
			    spu_ring_get(f, word_of(src, sh, ma[i], K), 0) -
			    spu_ring_get(f, word_of(src, sh, mb[i], K), 0));
	*out = d;
	return 0;
}

/* z[i] += src[mb[i]] over z's n words (secret z and sources). */
static void
gather_add(struct spu_mpc *m, struct spu_value *z,
    const struct spu_value *const src[2], const int64_t *mb)
{
	unsigned f = m->field;
	size_t K = spu_ring_size(f);

	for (int sh = 0; sh < z->nshares; sh++)
		for (size_t i = 0; i < z->n; i++)
			spu_ring_set(f, z->share[sh], i,
			    spu_ring_get(f, z->share[sh], i) +
			    spu_ring_get(f, word_of(src, sh, mb[i], K), 0));
}

/*
 * The winners [values | one-hots] of the first level, whose one-hots are
 * public: value b + keep (a - b), one product per pair.  Pair q = (e, c)
 * compares columns 2c and 2c + 1 of window e, whose one-hots are e_2c
 * and e_2c+1 where valid, so the winner's one-hot has two entries, keep
 * at 2c and 1 - keep at 2c + 1 (each times its column's validity): the
 * shares are written there directly, nothing else is built.  *nval [np]
 * the winners' values, *noh [np W] their one-hots.
 */
static int
level_public_oh(struct spu_vm_window *s, const unsigned char *valid,
    const struct spu_value *a, const struct spu_value *b,
    const struct spu_value *keep, int64_t np, int64_t w,
    struct spu_value **nval, struct spu_value **noh)
{
	struct spu_mpc *m = s->m;
	unsigned f = m->field;
	size_t K = spu_ring_size(f);
	int64_t h = w / 2, W = s->W;
	struct spu_value *d = NULL, *t = NULL, *wv = NULL, *one = NULL;
	struct spu_value *omk = NULL, *z = NULL;
	int rc;

	if (w != W)
		return spu_mpc_fail(m, SPU_EINVAL, "window: public one-hots "
		    "past the first level");
	if ((one = spu_hal_alloc(m, SPU_PRED, &keep->shape, SPU_PUBLIC)) ==
	    NULL) {
		rc = nomem(m);
		goto out;
	}
	for (size_t i = 0; i < one->n; i++)
		spu_ring_set(f, one->share[0], i, 1);
	if ((rc = spu_hal_sub(m, a, b, &d)) != 0 ||
	    (rc = spu_hal_mul(m, keep, d, a->dtype, &t)) != 0 ||
	    (rc = spu_hal_add(m, b, t, &wv)) != 0 ||
	    (rc = spu_hal_sub(m, one, keep, &omk)) != 0)
		goto out;
	if (keep->vis != wv->vis || omk->vis != wv->vis) {
		rc = spu_mpc_fail(m, SPU_EINVAL, "window: a public choice "
		    "between secret values");
		goto out;
	}
	if ((z = spu_hal_alloc(m, SPU_PRED, &(struct spu_shape){ 1,
	    { np * W } }, wv->vis)) == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (int sh = 0; sh < z->nshares; sh++) {
		uint8_t *zs = z->share[sh];
		for (int64_t q = 0; q < np; q++) {
			int64_t e = q / h, c = q % h;
			uint8_t *row = zs + (size_t)(q * W) * K;
			if (valid[e * w + 2 * c])
				memcpy(row + (size_t)(2 * c) * K,
				    (uint8_t *)keep->share[sh] + q * K, K);
			if (valid[e * w + 2 * c + 1])
				memcpy(row + (size_t)(2 * c + 1) * K,
				    (uint8_t *)omk->share[sh] + q * K, K);
		}
	}
	*nval = wv;
	*noh = z;
	wv = z = NULL;
out:
	spu_value_free(one);
	spu_value_free(d);
	spu_value_free(t);
	spu_value_free(wv);
	spu_value_free(omk);
	spu_value_free(z);
	return rc;
}

/*
 * One tournament level: w columns (valid[e * w + c] public) to (w + 1) / 2.
 * val [nw * w], oh [nw * w * W].
 */
static int
level(struct spu_vm_window *s, struct spu_value **val, struct spu_value **oh,
    unsigned char **valid, int64_t w)
{
	struct spu_mpc *m = s->m;
	int64_t h = w / 2, w2 = (w + 1) / 2, nw = s->nw, W = s->W;
	int64_t np = nw * h, *ma = NULL, *mb = NULL, *mo = NULL;
	struct spu_value *a = NULL, *b = NULL, *sel = NULL, *both = NULL;
	struct spu_value *only = NULL, *t = NULL, *keep = NULL;
	struct spu_value *D = NULL, *K = NULL, *M = NULL, *nv = NULL;
	struct spu_value *wv = NULL, *wo = NULL;
	struct spu_value *args[2], *res[1] = { NULL };
	unsigned char *nvld = NULL;
	int rc = 0, pub;

	/* the first level moves only values; later ones one-hots too */
	pub = *oh == NULL || (*oh)->vis == SPU_PUBLIC;
	ma = spu_malloc((size_t)(np * (pub ? 1 : W + 1)) + 1, sizeof(*ma));
	mb = spu_malloc((size_t)(np * (pub ? 1 : W + 1)) + 1, sizeof(*mb));
	mo = spu_malloc((size_t)(nw * w2 * (W + 1)) + 1, sizeof(*mo));
	nvld = malloc((size_t)(nw * w2) + 1);
	if (ma == NULL || mb == NULL || mo == NULL || nvld == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (int64_t e = 0; e < nw; e++)
		for (int64_t c = 0; c < h; c++) {
			ma[e * h + c] = e * w + 2 * c;
			mb[e * h + c] = e * w + 2 * c + 1;
		}
	if ((rc = move1(m, *val, ma, np, (*val)->dtype, &a)) != 0 ||
	    (rc = move1(m, *val, mb, np, (*val)->dtype, &b)) != 0)
		goto out;
	args[0] = a;
	args[1] = b;
	if ((rc = spu_vm_call(m, s->p, s->sel, args, 2, res, (size_t)np)) != 0)
		goto out;
	sel = res[0];
	/* keep a: sel where both are valid, 1 where only a is */
	both = spu_hal_alloc(m, SPU_PRED, &sel->shape, SPU_PUBLIC);
	only = spu_hal_alloc(m, SPU_PRED, &sel->shape, SPU_PUBLIC);
	if (both == NULL || only == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (int64_t e = 0; e < nw; e++)
		for (int64_t c = 0; c < h; c++) {
			int va = (*valid)[e * w + 2 * c];
			int vb = (*valid)[e * w + 2 * c + 1];
			size_t q = (size_t)(e * h + c);
			spu_ring_set(m->field, both->share[0], q, va && vb);
			spu_ring_set(m->field, only->share[0], q, va && !vb);
		}
	if ((rc = spu_hal_mul(m, sel, both, SPU_PRED, &t)) != 0 ||
	    (rc = spu_hal_add(m, t, only, &keep)) != 0)
		goto out;
	keep->dtype = SPU_PRED;
	if (pub) {
		/* the first level's one-hots are public: only the values
		 * need products, the winners' one-hots are linear in keep */
		rc = level_public_oh(s, *valid, a, b, keep, np, w, &wv, &wo);
		if (rc != 0)
			goto out;
	} else {
		/* D = [a - b, oh_a - oh_b], K = keep repeated; M = K D;
		 * the winners b + M in M */
		const struct spu_value *src[2] = { *val, *oh };
		int64_t nvs = (int64_t)(*val)->n, n = np * (W + 1);
		for (int64_t q = 0; q < np; q++) {
			int64_t e = q / h, c = q % h;
			ma[q] = e * w + 2 * c;
			mb[q] = e * w + 2 * c + 1;
			for (int64_t j = 0; j < W; j++) {
				ma[np + q * W + j] = nvs +
				    (e * w + 2 * c) * W + j;
				mb[np + q * W + j] = nvs +
				    (e * w + 2 * c + 1) * W + j;
			}
		}
		if ((rc = gather_diff(m, src, ma, mb, n, &D)) == 0) {
			for (int64_t q = 0; q < np; q++) {
				mo[q] = q;
				for (int64_t j = 0; j < W; j++)
					mo[np + q * W + j] = q;
			}
			if ((rc = move1(m, keep, mo, n, SPU_PRED, &K)) == 0)
				rc = spu_hal_mul(m, K, D, SPU_S64, &M);
		}
		spu_value_free(D);
		spu_value_free(K);
		D = K = NULL;
		if (rc != 0)
			goto out;
		/* winners: b + M, in M */
		gather_add(m, M, src, mb);
		nv = M;
		M = NULL;
	}
	if (wv != NULL && (w & 1) == 0) {
		/* the winners are the next level as they are */
		for (int64_t q = 0; q < np; q++)
			nvld[q] = (*valid)[2 * q] || (*valid)[2 * q + 1];
		spu_value_free(*val);
		spu_value_free(*oh);
		*val = wv;
		*oh = wo;
		wv = wo = NULL;
		free(*valid);
		*valid = nvld;
		nvld = NULL;
		goto out;
	}
	/* next level: winners, plus the odd last column carried (only
	 * then are this level's values and one-hots a source); the public
	 * level's winners come in two parts, laid out as one */
	{
		const struct spu_value *src[4] = { nv, *val, *oh, NULL };
		int nsrc = w & 1 ? 3 : 1;
		int64_t n1 = nw * w2, nvn;
		if (wv != NULL) {
			src[0] = wv;
			src[1] = wo;
			src[2] = *val;
			src[3] = *oh;
			nsrc++;
		}
		nvn = (int64_t)(wv != NULL ? wv->n + wo->n : nv->n);
		int64_t nvs = (int64_t)(*val)->n;
		struct spu_value *v2 = NULL, *o2 = NULL;
		for (int64_t e = 0; e < nw; e++)
			for (int64_t c = 0; c < w2; c++) {
				int64_t q = e * w2 + c;
				if (c < h) {
					mo[q] = e * h + c;
					for (int64_t j = 0; j < W; j++)
						mo[n1 + q * W + j] = np +
						    (e * h + c) * W + j;
					nvld[q] = (*valid)[e * w + 2 * c] ||
					    (*valid)[e * w + 2 * c + 1];
				} else {
					mo[q] = nvn + e * w + w - 1;
					for (int64_t j = 0; j < W; j++)
						mo[n1 + q * W + j] = nvn + nvs +
						    (e * w + w - 1) * W + j;
					nvld[q] = (*valid)[e * w + w - 1];
				}
			}
		struct spu_shape s1 = { 1, { n1 } }, sw = { 1, { n1 * W } };
		if ((rc = spu_hal_index_move(m, src, nsrc, mo, NULL, &s1,
		    (*val)->dtype, &v2)) == 0)
			rc = spu_hal_index_move(m, src, nsrc, mo + n1, NULL,
			    &sw, SPU_PRED, &o2);
		if (rc != 0) {
			spu_value_free(v2);
			goto out;
		}
		spu_value_free(*val);
		spu_value_free(*oh);
		*val = v2;
		*oh = o2;
		free(*valid);
		*valid = nvld;
		nvld = NULL;
	}
out:
	free(ma);
	free(mb);
	free(mo);
	free(nvld);
	spu_value_free(a);
	spu_value_free(b);
	spu_value_free(sel);
	spu_value_free(both);
	spu_value_free(only);
	spu_value_free(t);
	spu_value_free(keep);
	spu_value_free(D);
	spu_value_free(K);
	spu_value_free(M);
	spu_value_free(nv);
	spu_value_free(wv);
	spu_value_free(wo);
	return rc;
}

/* General scatter region: per round, each position's r-th window. */
static int
scatter_general(struct spu_vm_window *s, struct spu_value **z,
    const struct spu_value *C, const struct spu_value *oh,
    const struct spu_value *src)
{
	struct spu_mpc *m = s->m;
	int64_t N = (int64_t)(*z)->n, NW = s->nw * s->W, rounds = 0;
	int64_t *cnt = spu_calloc((size_t)N + 1, sizeof(*cnt));
	int64_t *rnd = spu_malloc((size_t)NW + 1, sizeof(*rnd));
	int64_t *pos = spu_malloc((size_t)NW + 1, sizeof(*pos));
	int64_t *ent = spu_malloc((size_t)NW + 1, sizeof(*ent));
	int64_t *win = spu_malloc((size_t)NW + 1, sizeof(*win));
	int64_t *mv = spu_malloc((size_t)N + 1, sizeof(*mv));
	int rc = 0;

	(void)C;
	if (cnt == NULL || rnd == NULL || pos == NULL || ent == NULL ||
	    win == NULL || mv == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (int64_t q = 0; q < NW; q++)
		if (s->map[q] >= 0) {
			rnd[q] = cnt[s->map[q]]++;
			if (rnd[q] + 1 > rounds)
				rounds = rnd[q] + 1;
		}
	for (int64_t r = 0; r < rounds && rc == 0; r++) {
		struct spu_value *cur = NULL, *sv = NULL, *o = NULL, *c = NULL;
		struct spu_value *nz = NULL, *args[2], *res[1] = { NULL };
		int64_t n = 0;
		for (int64_t q = 0; q < NW; q++)
			if (s->map[q] >= 0 && rnd[q] == r) {
				pos[n] = s->map[q];
				ent[n] = q;
				win[n++] = q / s->W;
			}
		if ((rc = move1(m, *z, pos, n, (*z)->dtype, &cur)) == 0 &&
		    (rc = move1(m, src, win, n, (*z)->dtype, &sv)) == 0 &&
		    (rc = move1(m, oh, ent, n, SPU_PRED, &o)) == 0) {
			args[0] = cur;
			args[1] = sv;
			rc = spu_vm_call(m, s->p, s->comb, args, 2, res,
			    (size_t)n);
		}
		if (rc == 0)
			rc = spu_hal_select(m, o, res[0], cur, &c);
		if (rc == 0) {
			const struct spu_value *two[2] = { *z, c };
			for (int64_t j = 0; j < N; j++)
				mv[j] = j;
			for (int64_t j = 0; j < n; j++)
				mv[pos[j]] = N + j;
			rc = spu_hal_index_move(m, two, 2, mv, NULL,
			    &(*z)->shape, (*z)->dtype, &nz);
			if (rc == 0) {
				spu_value_free(*z);
				*z = nz;
			}
		}
		spu_value_free(cur);
		spu_value_free(sv);
		spu_value_free(o);
		spu_value_free(c);
		spu_value_free(res[0]);
	}
out:
	free(cnt);
	free(rnd);
	free(pos);
	free(ent);
	free(win);
	free(mv);
	return rc;
}

/* Window geometry: s->map from the attributes; dilation unsupported. */
int
spu_vm_window_geometry(struct spu_vm_window *s, const struct spu_insn *in,
    const struct spu_shape *xs, const struct spu_shape *os)
{
	static const enum spu_attr_key keys[5] = { SPU_ATTR_WINDOW,
	    SPU_ATTR_WSTRIDE, SPU_ATTR_PAD_LO, SPU_ATTR_BASE_DILATE,
	    SPU_ATTR_WIN_DILATE };
	int64_t win[5][SPU_MAX_DIMS], xst[SPU_MAX_DIMS];
	struct spu_shape ws = { xs->ndim, { 0 } };
	int nd = xs->ndim;

	if (os->ndim != nd)
		return spu_mpc_fail(s->m, SPU_ESHAPE, "select-and-scatter: "
		    "source rank differs");
	for (int k = 0; k < 5; k++) {
		const struct spu_attr *a = spu_insn_attr(in, keys[k]);
		for (int i = 0; i < nd; i++)
			win[k][i] = a && a->n == (uint32_t)nd ? a->v[i] :
			    k == 2 ? 0 : 1;
	}
	for (int i = 0; i < nd; i++) {
		if (win[0][i] < 1 || win[1][i] < 1)
			return spu_mpc_fail(s->m, SPU_EFORMAT, "bad window");
		if (win[3][i] != 1 || win[4][i] != 1)
			return spu_mpc_fail(s->m, SPU_EUNSUPP,
			    "select-and-scatter with dilation");
		ws.dim[i] = win[0][i];
	}
	s->W = spu_shape_numel(&ws);
	s->nw = spu_shape_numel(os);
	if (s->W < 1 || s->nw < 0 || (s->nw > 0 && s->W > SPU_MAX_ELEMS /
	    s->nw))
		return spu_mpc_fail(s->m, SPU_ELIMIT, "window too large");
	if ((s->map = spu_malloc((size_t)(s->nw * s->W) + 1,
	    sizeof(*s->map))) == NULL)
		return nomem(s->m);
	spu_shape_strides(xs, xst);
	{
		int64_t o[SPU_MAX_DIMS] = { 0 }, q = 0;
		for (int64_t e = 0; e < s->nw; e++, spu_shape_next(os, o)) {
			int64_t wi[SPU_MAX_DIMS] = { 0 };
			for (int64_t j = 0; j < s->W; j++) {
				int64_t p = 0;
				for (int d = 0; d < nd && p >= 0; d++) {
					int64_t c = o[d] * win[1][d] + wi[d] -
					    win[2][d];
					p = c < 0 || c >= xs->dim[d] ? -1 :
					    p + c * xst[d];
				}
				s->map[q++] = p;
				spu_shape_next(&ws, wi);
			}
		}
	}
	return 0;
}

/*
 * The tournament over every window of x (geometry set): *val [nw] the
 * picked values (0 for a window of padding only), *oh [nw * W] the
 * one-hot of each pick over the window's positions (all zero for a
 * window of padding only).
 */
int
spu_vm_window_pick(struct spu_vm_window *s, const struct spu_value *x,
    struct spu_value **val, struct spu_value **oh)
{
	struct spu_mpc *m = s->m;
	struct spu_value *zero = NULL;
	unsigned char *valid = NULL;
	int64_t w;
	int rc = 0;

	*val = *oh = NULL;
	/* rows: the window values; one-hot: the identity; validity */
	if ((zero = spu_hal_alloc(m, x->dtype, &(struct spu_shape){ 0, { 0 } },
	    SPU_PUBLIC)) == NULL ||
	    (valid = malloc((size_t)(s->nw * s->W) + 1)) == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (int64_t q = 0; q < s->nw * s->W; q++)
		valid[q] = s->map[q] >= 0;
	/* the identity, public, is read only where the first level
	 * carries an odd column or there is no level (level_public_oh
	 * writes the winners' one-hots from valid) */
	if ((s->W & 1) != 0) {
		if ((*oh = spu_hal_alloc(m, SPU_PRED, &(struct spu_shape){ 1,
		    { s->nw * s->W * s->W } }, SPU_PUBLIC)) == NULL) {
			rc = nomem(m);
			goto out;
		}
		for (int64_t q = 0; q < s->nw * s->W; q++)
			spu_ring_set(m->field, (*oh)->share[0],
			    (size_t)(q * s->W + q % s->W), valid[q]);
	}
	if ((rc = spu_hal_index_move(m, &x, 1, s->map, zero,
	    &(struct spu_shape){ 1, { s->nw * s->W } }, x->dtype, val)) != 0)
		goto out;
	for (w = s->W; w > 1 && rc == 0; w = (w + 1) / 2)
		rc = level(s, val, oh, &valid, w);
out:
	if (rc != 0) {
		spu_value_free(*val);
		spu_value_free(*oh);
		*val = *oh = NULL;
	}
	free(valid);
	spu_value_free(zero);
	return rc;
}

/* *z = base plus, at each operand position, the entries c[q]
 * (q < nw * W) whose s->map[q] is that position: local additions. */
int
spu_vm_window_add(struct spu_vm_window *s, const struct spu_value *base,
    const struct spu_value *c, struct spu_value **z)
{
	struct spu_mpc *m = s->m;
	int64_t NW = s->nw * s->W, N = (int64_t)base->n;
	struct spu_value *Sx;
	int rc;

	if ((int64_t)c->n != NW)
		return spu_mpc_fail(m, SPU_ESHAPE, "window entries do not "
		    "match the windows");
	if ((Sx = spu_hal_alloc(m, base->dtype, &base->shape, c->vis)) == NULL)
		return nomem(m);
	for (int sh = 0; sh < Sx->nshares; sh++)
		for (int64_t q = 0; q < NW; q++)
			if (s->map[q] >= 0 && s->map[q] < N) {
				size_t at = (size_t)s->map[q];
				spu_u128 a = spu_ring_get(m->field,
				    Sx->share[sh], at);
				spu_u128 b = spu_ring_get(m->field,
				    c->share[sh], (size_t)q);
				spu_ring_set(m->field, Sx->share[sh],
				    at, a + b);
			}
	rc = spu_hal_add(m, base, Sx, z);
	spu_value_free(Sx);
	return rc;
}

int
spu_vm_select_scatter(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	const struct spu_value *x = ops[0], *src = ops[1], *init = ops[2];
	struct spu_value *val = NULL, *oh = NULL, *C = NULL, *S = NULL;
	struct spu_value *z = NULL;
	struct spu_vm_window s = { m, p, 0, 0, 0, 0, NULL };
	int64_t *mp = NULL;
	int rc;

	if (in->nfunc < 2 || in->func[0] >= p->nfuncs ||
	    in->func[1] >= p->nfuncs || p->funcs[in->func[0]].nparams != 2 ||
	    p->funcs[in->func[1]].nparams != 2 || init->n != 1)
		return spu_mpc_fail(m, SPU_EFORMAT, "select-and-scatter: bad "
		    "regions or init");
	s.sel = in->func[0];
	s.comb = in->func[1];
	if ((rc = spu_vm_window_geometry(&s, in, &x->shape, &src->shape)) !=
	    0 || (rc = spu_vm_window_pick(&s, x, &val, &oh)) != 0)
		goto out;
	/* z = init everywhere, then the source at the selected positions */
	if ((rc = spu_hal_broadcast(m, init, &x->shape, NULL, &z)) != 0)
		goto out;
	if (spu_vm_func_is_add(p, s.comb)) {
		int64_t NW = s.nw * s.W;
		struct spu_value *zz = NULL;
		if ((mp = spu_malloc((size_t)NW + 1, sizeof(*mp))) == NULL) {
			rc = nomem(m);
			goto out;
		}
		for (int64_t q = 0; q < NW; q++)
			mp[q] = q / s.W;
		if ((rc = move1(m, src, mp, NW, x->dtype, &S)) != 0 ||
		    (rc = spu_hal_mul(m, S, oh, x->dtype, &C)) != 0)
			goto out;
		/* z += sum over the entries landing on each position */
		rc = spu_vm_window_add(&s, z, C, &zz);
		if (rc == 0) {
			spu_value_free(z);
			z = zz;
		}
	} else {
		rc = scatter_general(&s, &z, NULL, oh, src);
	}
	if (rc == 0) {
		res[0] = z;
		z = NULL;
	}
out:
	free(s.map);
	free(mp);
	spu_value_free(val);
	spu_value_free(oh);
	spu_value_free(C);
	spu_value_free(S);
	spu_value_free(z);
	return rc;
}
