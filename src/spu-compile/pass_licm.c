/*
 * pass_licm.c - loop-invariant code motion out of WHILE bodies (pass
 * "licm"; SPU's loop-invariant-code-motion).
 *
 * A body parameter that the body returns unchanged is loop-invariant;
 * so is a constant or iota, and an instruction of the hoistable kinds
 * below whose operands all are.  Such instructions (other than the ones
 * computed from constants alone, which stay where they are: folding
 * handles them and carrying them would cost more than recomputing) are
 * computed once before the WHILE, in the enclosing function, and each
 * of their results that the rest of the body still reads becomes a new
 * loop-state element: a new WHILE operand and result, a new parameter
 * of the condition (unused) and of the body, which the body returns
 * unchanged.  The body's own copies are then dead (pass_dce removes
 * them).
 *
 * Only loops whose condition and body functions are used by that WHILE
 * alone are changed.  Hoisted are operations that cannot fail when the
 * loop runs zero times: on public values the elementwise arithmetic,
 * comparison, logic and layout ops except integer division and
 * remainder; on secret values additions, products, layout ops,
 * comparisons, select, max/min/clamp/abs and converts, which the VM
 * runs on shares.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "pass.h"

static int
hoistable(const struct spu_insn *in)
{
	int secret = 0;

	if (in->nout != 1 || in->nfunc != 0)
		return 0;
	for (uint32_t k = 0; k < in->nout; k++)
		secret |= in->type[k].vis == SPU_SECRET;
	switch (in->op) {
	case SPU_OP_ADD: case SPU_OP_SUB: case SPU_OP_NEG: case SPU_OP_MUL:
	case SPU_OP_SQUARE: case SPU_OP_MATMUL: case SPU_OP_BROADCAST: case SPU_OP_RESHAPE:
	case SPU_OP_TRANSPOSE: case SPU_OP_CONVERT: case SPU_OP_SLICE:
	case SPU_OP_CONCAT: case SPU_OP_REVERSE: case SPU_OP_SELECT:
	case SPU_OP_NOT: case SPU_OP_AND: case SPU_OP_OR: case SPU_OP_EQ:
	case SPU_OP_NE: case SPU_OP_LT: case SPU_OP_LE: case SPU_OP_GT:
	case SPU_OP_GE: case SPU_OP_MAX: case SPU_OP_MIN: case SPU_OP_CLAMP:
	case SPU_OP_ABS:
		return 1;
	case SPU_OP_XOR: case SPU_OP_SHL: case SPU_OP_SHR_ARITH:
	case SPU_OP_SHR_LOGIC: case SPU_OP_SIGN: case SPU_OP_EXP:
	case SPU_OP_LOG: case SPU_OP_SQRT: case SPU_OP_RSQRT:
	case SPU_OP_TANH: case SPU_OP_LOGISTIC: case SPU_OP_FLOOR:
	case SPU_OP_CEIL: case SPU_OP_ROUND: case SPU_OP_ROUND_EVEN:
	case SPU_OP_PAD:
		return !secret;
	case SPU_OP_DIV:
	case SPU_OP_REM:
		return !secret && spu_dtype_is_float(in->type[0].dtype);
	default:
		return 0;
	}
}

/* References to each function from any instruction. */
static uint32_t *
func_refs(const struct spu_program *p)
{
	uint32_t *n = spu_calloc(p->nfuncs + 1, sizeof(*n));

	for (uint32_t f = 0; n != NULL && f < p->nfuncs; f++)
		for (uint32_t i = 0; i < p->funcs[f].ninsns; i++)
			for (uint32_t k = 0; k < p->funcs[f].insns[i].nfunc;
			    k++)
				if (p->funcs[f].insns[i].func[k] < p->nfuncs)
					n[p->funcs[f].insns[i].func[k]]++;
	return n;
}

struct loop {
	struct spu_func *body, *cond;
	uint8_t *inv, *cd, *hoist, *need;	/* per body slot / insn */
	uint32_t *pidx;		/* body slot -> param index + 1 */
	uint32_t *didx;		/* body slot -> defining insn + 1 */
	uint32_t *map;		/* body slot -> enclosing slot */
	uint32_t *exp;		/* exported body slots */
	uint32_t nexp;
};

static void
loop_free(struct loop *L)
{
	free(L->inv);
	free(L->cd);
	free(L->hoist);
	free(L->need);
	free(L->pidx);
	free(L->didx);
	free(L->map);
	free(L->exp);
}

/* Mark invariant slots and hoisted instructions; 0 if nothing to do. */
static int
analyse(struct loop *L, const struct spu_insn *w)
{
	struct spu_func *b = L->body;
	uint32_t i, k;
	int any = 0;

	for (i = 0; i < b->ninsns; i++) {
		const struct spu_insn *in = &b->insns[i];
		const struct spu_attr *a;

		if (in->op == SPU_OP_PARAM && in->nout == 1 &&
		    (a = spu_insn_attr(in, SPU_ATTR_INDEX)) != NULL &&
		    a->n == 1 && a->v[0] >= 0 && a->v[0] < (int64_t)w->nin)
			L->pidx[in->out[0]] = (uint32_t)a->v[0] + 1;
	}
	for (k = 0; k < b->nouts && k < w->nin; k++)
		if (L->pidx[b->outs[k]] == k + 1)
			L->inv[b->outs[k]] = 1;
	for (i = 0; i < b->ninsns; i++) {
		const struct spu_insn *in = &b->insns[i];
		int all = 1, allc = 1;

		if (in->op == SPU_OP_PARAM)
			continue;
		if (in->op == SPU_OP_CONST || in->op == SPU_OP_IOTA) {
			L->inv[in->out[0]] = L->cd[in->out[0]] = 1;
			continue;
		}
		if (!hoistable(in))
			continue;
		for (k = 0; k < in->nin; k++) {
			all &= L->inv[in->in[k]];
			allc &= L->cd[in->in[k]];
		}
		if (!all)
			continue;
		L->inv[in->out[0]] = 1;
		L->cd[in->out[0]] = (uint8_t)allc;
		L->hoist[i] = !allc;
	}
	/* exported: a hoisted result read by a kept instruction or
	 * returned (not as the unchanged parameter it is) */
	for (i = 0; i < b->ninsns; i++) {
		const struct spu_insn *in = &b->insns[i];

		if (L->hoist[i] || in->op == SPU_OP_PARAM)
			continue;
		for (k = 0; k < in->nin; k++) {
			uint32_t s = in->in[k];

			if (L->inv[s] && !L->cd[s] && L->pidx[s] == 0 &&
			    L->exp[s] == 0) {
				L->exp[s] = 1;
				any = 1;
			}
		}
	}
	for (k = 0; k < b->nouts; k++) {
		uint32_t s = b->outs[k];

		if (L->inv[s] && !L->cd[s] && L->pidx[s] == 0 &&
		    L->exp[s] == 0) {
			L->exp[s] = 1;
			any = 1;
		}
	}
	/* what the hoisted instructions need from outside: constants */
	for (i = 0; i < b->ninsns; i++)
		if (b->insns[i].nout == 1)
			L->didx[b->insns[i].out[0]] = i + 1;
	for (i = b->ninsns; i-- > 0;) {
		const struct spu_insn *in = &b->insns[i];

		if (!L->hoist[i] && !L->need[i])
			continue;
		L->need[i] = 1;
		for (k = 0; k < in->nin; k++) {
			uint32_t s = in->in[k];

			if (L->cd[s] && L->didx[s] != 0 && L->didx[s] - 1 < i)
				L->need[L->didx[s] - 1] = 1;
		}
	}
	return any;
}

static int
grow(void **p, uint32_t n, size_t size)
{
	void *q = spu_realloc(*p, n, size);

	if (q == NULL)
		return SPU_ENOMEM;
	*p = q;
	return 0;
}

/* Add the exported values as new loop state. */
static int
extend(struct rw *r, struct loop *L, struct spu_insn *w)
{
	struct spu_func *b = L->body, *c = L->cond;
	uint32_t old = w->nin, ne = 0, s, i, k;
	uint32_t *bslot;
	struct spu_insn *ni;

	for (s = 0; s < b->nslots; s++)
		if (L->exp[s])
			L->exp[ne++] = s;	/* in place: ne <= s */
	L->nexp = ne;
	if ((bslot = spu_calloc(ne + 1, sizeof(*bslot))) == NULL)
		return SPU_ENOMEM;
	if (grow((void **)&w->in, old + ne, sizeof(*w->in)) ||
	    grow((void **)&w->out, old + ne, sizeof(*w->out)) ||
	    grow((void **)&w->type, old + ne, sizeof(*w->type)) ||
	    grow((void **)&b->insns, b->ninsns + ne, sizeof(*b->insns)) ||
	    grow((void **)&b->outs, b->nouts + ne, sizeof(*b->outs))) {
		free(bslot);
		return SPU_ENOMEM;
	}
	memmove(b->insns + ne, b->insns, b->ninsns * sizeof(*b->insns));
	for (k = 0; k < ne; k++) {
		const struct spu_type *t = NULL;
		int64_t idx = old + k;

		for (i = ne; i < b->ninsns + ne && t == NULL; i++)
			if (b->insns[i].nout == 1 &&
			    b->insns[i].out[0] == L->exp[k])
				t = &b->insns[i].type[0];
		ni = &b->insns[k];
		memset(ni, 0, sizeof(*ni));
		ni->op = SPU_OP_PARAM;
		ni->nout = 1;
		if (t == NULL || (ni->out = spu_malloc(1, sizeof(uint32_t))) ==
		    NULL || (ni->type = spu_malloc(1, sizeof(*t))) == NULL ||
		    pass_attr_set(ni, SPU_ATTR_INDEX, &idx, 1) != 0) {
			free(bslot);
			return SPU_ENOMEM;
		}
		ni->out[0] = bslot[k] = b->nslots + k;
		ni->type[0] = *t;
		w->in[old + k] = L->map[L->exp[k]];
		w->type[old + k] = *t;
		if ((w->out[old + k] = rw_new_slot(r)) == UINT32_MAX) {
			free(bslot);
			return r->err;
		}
		b->outs[b->nouts + k] = bslot[k];
	}
	b->ninsns += ne;
	/* the rest of the body reads the parameters */
	for (i = ne; i < b->ninsns; i++)
		for (k = 0; k < b->insns[i].nin; k++)
			for (uint32_t e = 0; e < ne; e++)
				if (b->insns[i].in[k] == L->exp[e])
					b->insns[i].in[k] = bslot[e];
	for (k = 0; k < b->nouts; k++)
		for (uint32_t e = 0; e < ne; e++)
			if (b->outs[k] == L->exp[e])
				b->outs[k] = bslot[e];
	b->nouts += ne;
	b->nslots += ne;
	b->nparams += ne;
	c->nparams += ne;
	w->nin = w->nout = old + ne;
	free(bslot);
	return 0;
}

/* Copy the needed body instructions before the WHILE. */
static int
hoist(struct rw *r, struct loop *L, const struct spu_insn *w)
{
	struct spu_func *b = L->body;

	for (uint32_t i = 0; i < b->ninsns; i++) {
		const struct spu_insn *x = &b->insns[i];
		struct spu_insn cpy;

		if (x->op == SPU_OP_PARAM) {
			if (L->pidx[x->out[0]] != 0)
				L->map[x->out[0]] =
				    w->in[L->pidx[x->out[0]] - 1];
			continue;
		}
		if (!L->need[i])
			continue;
		if (pass_insn_copy(&cpy, x) != 0)
			return SPU_ENOMEM;
		for (uint32_t k = 0; k < cpy.nin; k++)
			cpy.in[k] = L->map[cpy.in[k]];
		if ((cpy.out[0] = L->map[x->out[0]] = rw_new_slot(r)) ==
		    UINT32_MAX) {
			pass_insn_free(&cpy);
			return r->err;
		}
		rw_keep(r, &cpy);
	}
	return r->err;
}

static int
licm_while(struct rw *r, struct spu_insn *w, const uint32_t *refs)
{
	struct loop L;
	uint32_t n;
	int err = 0;

	if (w->nfunc != 2 || w->func[0] >= r->p->nfuncs ||
	    w->func[1] >= r->p->nfuncs || w->func[0] == w->func[1] ||
	    w->func[0] == r->f || w->func[1] == r->f ||
	    refs[w->func[0]] != 1 || refs[w->func[1]] != 1 ||
	    w->nin != w->nout)
		return 0;
	memset(&L, 0, sizeof(L));
	L.cond = &r->p->funcs[w->func[0]];
	L.body = &r->p->funcs[w->func[1]];
	if (L.body->nparams != w->nin || L.cond->nparams != w->nin ||
	    L.body->nouts != w->nin)
		return 0;
	for (uint32_t i = 0; i < L.body->ninsns; i++) {
		const struct spu_insn *x = &L.body->insns[i];

		for (uint32_t k = 0; k < x->nin; k++)
			if (x->in[k] >= L.body->nslots)
				return 0;
		for (uint32_t k = 0; k < x->nout; k++)
			if (x->out[k] >= L.body->nslots)
				return 0;
	}
	for (uint32_t k = 0; k < L.body->nouts; k++)
		if (L.body->outs[k] >= L.body->nslots)
			return 0;
	n = L.body->nslots + 1;
	L.inv = spu_calloc(n, 1);
	L.cd = spu_calloc(n, 1);
	L.hoist = spu_calloc(L.body->ninsns + 1, 1);
	L.need = spu_calloc(L.body->ninsns + 1, 1);
	L.pidx = spu_calloc(n, sizeof(*L.pidx));
	L.didx = spu_calloc(n, sizeof(*L.didx));
	L.map = spu_calloc(n, sizeof(*L.map));
	L.exp = spu_calloc(n, sizeof(*L.exp));
	if (L.inv == NULL || L.cd == NULL || L.hoist == NULL ||
	    L.need == NULL || L.pidx == NULL || L.didx == NULL ||
	    L.map == NULL ||
	    L.exp == NULL) {
		err = SPU_ENOMEM;
	} else if (analyse(&L, w)) {
		if ((err = hoist(r, &L, w)) == 0)
			err = extend(r, &L, w);
		r->changed = 1;
	}
	loop_free(&L);
	if (err != 0 && r->err == 0)
		r->err = spu_fail(r->d, err, "out of memory");
	return err;
}

static void
licm_func(struct rw *r)
{
	const uint32_t *refs = r->ctx;

	for (uint32_t i = 0; i < r->nold && r->err == 0; i++) {
		struct spu_insn in;

		rw_take(r, i, &in);
		if (in.op == SPU_OP_WHILE)
			licm_while(r, &in, refs);
		rw_keep(r, &in);
	}
}

int
pass_licm(struct spu_program *p, struct spu_diag *d)
{
	uint32_t *refs = func_refs(p);
	int err;

	if (refs == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	err = pass_each_func_ctx(p, d, licm_func, refs);
	free(refs);
	return err;
}
