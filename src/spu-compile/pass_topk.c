/*
 * pass_topk.c - a sort of which only the first k elements are used
 * becomes a top-k (pass "topk"; SPU's partial sort).
 *
 * A SORT of secret values in a known order (REDUCER ascending or
 * descending on operand 0: one operand, or a key with payloads such as
 * the iota of jax.lax.top_k) whose every result is used only by SLICEs
 * that start at 0 with stride 1 along the sort dimension becomes a TOPK
 * keeping the first k = the largest slice limit there: the VM finds them
 * by k rounds of selection, k (n - 1) comparisons per row, instead of a
 * sorting network's n log2(n)^2 / 4 or so.  It is done only when that is
 * fewer (the counts of --emit=stats), so for k small against the row
 * length n.  The slices then read the TOPK result (the same elements:
 * TOPK is stable, and an unstable sort may order ties either way); a
 * slice that keeps all of it is dropped.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "pass.h"

struct topk {
	uint8_t *is_topk;	/* per slot: a TOPK result */
};

static int64_t
attr1(const struct spu_insn *in, enum spu_attr_key k, int64_t dflt)
{
	const struct spu_attr *a = spu_insn_attr(in, k);

	return a != NULL && a->n >= 1 ? a->v[0] : dflt;
}

static int64_t
attr_at(const struct spu_insn *in, enum spu_attr_key k, int rank, int d,
    int64_t dflt)
{
	const struct spu_attr *a = spu_insn_attr(in, k);

	return a != NULL && (int)a->n == rank ? a->v[d] : dflt;
}

/* Comparisons of a sorting network on rows of n (stats.c's count). */
static uint64_t
network(uint64_t n)
{
	uint64_t l = 0;

	while (((uint64_t)1 << l) < n && l < 63)
		l++;
	return n * (l * (l + 1) / 4);
}

/* k for old SORT i: every use of its results a SLICE from 0 with
 * stride 1 along the sort dimension d; 0 when not. */
static int64_t
prefix_used(const struct rw *r, uint32_t i, int d)
{
	const struct spu_insn *s = &r->old[i];
	int rank = s->type[0].shape.ndim;
	int64_t k = 0;

	for (uint32_t o = 0; o < s->nout; o++) {
		uint32_t slot = s->out[o], seen = 0;

		for (uint32_t j = i + 1; j < r->nold; j++) {
			const struct spu_insn *u = &r->old[j];

			for (uint32_t q = 0; q < u->nin; q++) {
				int64_t lim;

				if (u->in[q] != slot)
					continue;
				if (u->op != SPU_OP_SLICE || u->nin != 1 ||
				    attr_at(u, SPU_ATTR_START, rank, d, -1) !=
				    0 ||
				    attr_at(u, SPU_ATTR_STRIDE, rank, d, 1) !=
				    1 ||
				    (lim = attr_at(u, SPU_ATTR_LIMIT, rank, d,
				    -1)) < 1)
					return 0;
				if (lim > k)
					k = lim;
				seen++;
			}
		}
		/* returned by the function, or used elsewhere */
		if (seen != rw_uses(r, slot))
			return 0;
	}
	return k;
}

/* Is old instruction i a sort worth a top-k?  Then its k. */
static int64_t
candidate(const struct rw *r, uint32_t i)
{
	const struct spu_insn *s = &r->old[i];
	int64_t kind = attr1(s, SPU_ATTR_REDUCER, SPU_REDUCE_CALL);
	int64_t d = attr1(s, SPU_ATTR_DIMS, -1), n, k;
	int secret = 0;

	if (s->op != SPU_OP_SORT || s->nin < 1 || s->nin != s->nout ||
	    s->nin > 16 || s->nfunc != 0 ||
	    (kind != SPU_SORT_ASC && kind != SPU_SORT_DESC) || d < 0 ||
	    d >= s->type[0].shape.ndim)
		return 0;
	n = s->type[0].shape.dim[d];
	for (uint32_t o = 0; o < s->nout; o++) {
		if (!spu_shape_eq(&s->type[o].shape, &s->type[0].shape))
			return 0;
		secret |= s->type[o].vis == SPU_SECRET;
	}
	if (!secret || n < 2 || (k = prefix_used(r, i, (int)d)) < 1 ||
	    k >= n || (uint64_t)k * (uint64_t)(n - 1) >= network((uint64_t)n))
		return 0;
	return k;
}

/* A SLICE of a TOPK result that keeps all of it. */
static int
whole(const struct rw *r, const struct spu_insn *in)
{
	const struct spu_type *t = rw_type(r, in->in[0]);
	int rank;

	if (t == NULL || !spu_shape_eq(&t->shape, &in->type[0].shape))
		return 0;
	rank = t->shape.ndim;
	for (int i = 0; i < rank; i++)
		if (attr_at(in, SPU_ATTR_START, rank, i, -1) != 0 ||
		    attr_at(in, SPU_ATTR_STRIDE, rank, i, 1) != 1)
			return 0;
	return 1;
}

static void
topk_func(struct rw *r)
{
	struct topk *tk = r->ctx;

	if ((tk->is_topk = spu_calloc(r->nslots + 1, 1)) == NULL) {
		r->err = spu_fail(r->d, SPU_ENOMEM, "out of memory");
		return;
	}
	for (uint32_t i = 0; i < r->nold && r->err == 0; i++) {
		struct spu_insn in;
		int64_t k = candidate(r, i);

		rw_take(r, i, &in);
		if (k > 0) {
			int d = (int)attr1(&in, SPU_ATTR_DIMS, 0);

			in.op = SPU_OP_TOPK;
			for (uint32_t o = 0; o < in.nout; o++) {
				in.type[o].shape.dim[d] = k;
				if (in.out[o] < r->nslots)
					tk->is_topk[in.out[o]] = 1;
			}
			r->changed = 1;
		} else if (in.op == SPU_OP_SLICE && in.nin == 1 &&
		    in.nout == 1 && in.in[0] < r->nslots &&
		    tk->is_topk[in.in[0]] && whole(r, &in)) {
			rw_alias(r, &in, in.in[0]);
			continue;
		}
		rw_keep(r, &in);
	}
	free(tk->is_topk);
	tk->is_topk = NULL;
}

int
pass_topk(struct spu_program *p, struct spu_diag *d)
{
	struct topk tk = { NULL };

	return pass_each_func_ctx(p, d, topk_func, &tk);
}
