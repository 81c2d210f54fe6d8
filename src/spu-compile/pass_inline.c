/*
 * pass_inline.c - call inlining (pass "inline").
 *
 * The lowering emits a CALL for every HLO call when this pass is
 * selected (main.c sets the lowering's inline limit to 0), and this pass
 * replaces a CALL by a copy of the callee's body when the callee has at
 * most INLINE_MAX instructions or is called from one place only: its
 * parameters become the call's operands, its results the call's.  Then
 * folding, CSE and the other passes see across the former boundary, and
 * the VM does not bind arguments.  Calls made by an inlined body are
 * inlined in the next round, up to INLINE_DEPTH rounds.  Callees left
 * without callers are dropped by pass_dce.  A call whose operand types
 * differ from the callee's parameter types (never made by the lowering)
 * is left alone.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "pass.h"

#define INLINE_MAX 512
#define INLINE_DEPTH 16
/* Stop growing the program beyond this many instructions. */
#define INLINE_TOTAL (SPU_BC_MAX_INSNS / 4)

struct inl {
	uint32_t *ncall;	/* CALL sites per function */
	uint64_t total;		/* instructions in the program */
};

static const struct spu_insn *
param_of(const struct spu_func *g, uint32_t k)
{
	for (uint32_t i = 0; i < g->ninsns; i++) {
		const struct spu_insn *in = &g->insns[i];
		const struct spu_attr *a;

		if (in->op == SPU_OP_PARAM &&
		    (a = spu_insn_attr(in, SPU_ATTR_INDEX)) != NULL &&
		    a->n == 1 && a->v[0] == (int64_t)k)
			return in;
	}
	return NULL;
}

static int
can_inline(const struct rw *r, const struct spu_insn *in,
    const struct inl *st)
{
	const struct spu_func *g;
	uint32_t gi;

	if (in->nfunc != 1 || (gi = in->func[0]) >= r->p->nfuncs ||
	    gi == r->f)
		return 0;
	g = &r->p->funcs[gi];
	if ((g->ninsns > INLINE_MAX && st->ncall[gi] > 1) ||
	    st->total + g->ninsns > INLINE_TOTAL ||
	    in->nin != g->nparams || in->nout != g->nouts)
		return 0;
	for (uint32_t k = 0; k < in->nin; k++) {
		const struct spu_insn *pa = param_of(g, k);
		const struct spu_type *t = rw_type(r, in->in[k]);

		if (pa == NULL || pa->nout != 1 || t == NULL ||
		    !pass_type_eq(t, &pa->type[0]))
			return 0;
	}
	for (uint32_t i = 0; i < g->ninsns; i++) {
		const struct spu_insn *x = &g->insns[i];

		for (uint32_t k = 0; k < x->nin; k++)
			if (x->in[k] >= g->nslots)
				return 0;
		for (uint32_t k = 0; k < x->nout; k++)
			if (x->out[k] >= g->nslots)
				return 0;
	}
	for (uint32_t k = 0; k < g->nouts; k++)
		if (g->outs[k] >= g->nslots)
			return 0;
	return 1;
}

/* Copy g's body into r; in's results become g's. */
static void
inline_call(struct rw *r, struct spu_insn *in, struct inl *st)
{
	const struct spu_func *g = &r->p->funcs[in->func[0]];
	uint32_t *map;

	if ((map = spu_calloc(g->nslots + 1, sizeof(*map))) == NULL) {
		r->err = spu_fail(r->d, SPU_ENOMEM, "out of memory");
		return;
	}
	for (uint32_t k = 0; k < g->nslots; k++)
		map[k] = UINT32_MAX;
	for (uint32_t i = 0; i < g->ninsns && r->err == 0; i++) {
		const struct spu_insn *x = &g->insns[i];
		struct spu_insn c;

		if (x->op == SPU_OP_PARAM) {
			const struct spu_attr *a = spu_insn_attr(x,
			    SPU_ATTR_INDEX);

			if (a != NULL && a->n == 1 && a->v[0] >= 0 &&
			    a->v[0] < (int64_t)in->nin && x->nout == 1)
				map[x->out[0]] = in->in[a->v[0]];
			continue;
		}
		if (pass_insn_copy(&c, x) != 0) {
			r->err = spu_fail(r->d, SPU_ENOMEM, "out of memory");
			break;
		}
		for (uint32_t k = 0; k < c.nin; k++)
			c.in[k] = map[c.in[k]];
		for (uint32_t k = 0; k < c.nout; k++)
			c.out[k] = map[x->out[k]] = rw_new_slot(r);
		if (r->err != 0) {
			pass_insn_free(&c);
			break;
		}
		rw_keep(r, &c);
	}
	if (r->err == 0) {
		for (uint32_t k = 0; k < in->nout; k++)
			rw_rename(r, in->out[k], map[g->outs[k]]);
		st->total += g->ninsns;
		pass_insn_free(in);
	}
	free(map);
}

static void
inline_func(struct rw *r)
{
	struct inl *cur = r->ctx;

	for (uint32_t i = 0; i < r->nold && r->err == 0; i++) {
		struct spu_insn in;

		rw_take(r, i, &in);
		if (in.op == SPU_OP_CALL && can_inline(r, &in, cur)) {
			inline_call(r, &in, cur);
			if (r->err == 0)
				continue;
		}
		rw_keep(r, &in);
	}
}

static int
count(struct spu_program *p, struct inl *st)
{
	int any = 0;

	memset(st->ncall, 0, p->nfuncs * sizeof(*st->ncall));
	st->total = 0;
	for (uint32_t f = 0; f < p->nfuncs; f++) {
		st->total += p->funcs[f].ninsns;
		for (uint32_t i = 0; i < p->funcs[f].ninsns; i++) {
			const struct spu_insn *in = &p->funcs[f].insns[i];

			if (in->op == SPU_OP_CALL && in->nfunc == 1 &&
			    in->func[0] < p->nfuncs) {
				st->ncall[in->func[0]]++;
				any = 1;
			}
		}
	}
	return any;
}

int
pass_inline(struct spu_program *p, struct spu_diag *d)
{
	struct inl st;
	int err = 0;

	if ((st.ncall = spu_calloc(p->nfuncs + 1, sizeof(*st.ncall))) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	for (int round = 0; round < INLINE_DEPTH && err == 0; round++) {
		uint64_t before;

		if (!count(p, &st))
			break;
		before = st.total;
		err = pass_each_func_ctx(p, d, inline_func, &st);
		if (st.total == before)
			break;
	}
	free(st.ncall);
	return err;
}
