/*
 * lower_func.c - the lowering driver: the entry computation and every
 * region become bytecode functions (PARAM instructions first, then the
 * body, results as the function's outputs); a computation inferred under
 * the same visibilities is lowered once and shared.  Also recognizes the
 * combiners the VM runs as kernels (add, multiply, max, min, and, or).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "mem.h"

/* Instructions refused even when their result is unused: dropping them
 * would silently lose an effect. */
static int
has_effect(const struct hlo_instr *in)
{
	static const char *const fx[] = { "infeed", "outfeed", "send",
	    "send-done", "recv", "recv-done", "rng", "rng-bit-generator" };
	const struct hlo_attr *a;

	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++)
		if (strcmp(in->opname, fx[i]) == 0)
			return 1;
	return in->op == HLO_CUSTOM_CALL &&
	    (a = hlo_attr_find(in, "custom_call_has_side_effect")) != NULL &&
	    strcmp(a->val, "true") == 0;
}

int
lw_body(struct lower *L, struct fbuild *fb, struct vis_inst *vi,
    const uint32_t *args, const struct spu_type *argt, struct lval *root)
{
	struct hlo_comp *c = vi->comp;
	struct lctx cx;
	uint32_t i, k, p, off;
	int err = 0;

	memset(root, 0, sizeof(*root));
	memset(&cx, 0, sizeof(cx));
	cx.L = L;
	cx.fb = fb;
	cx.c = c;
	cx.vi = vi;
	if (++L->depth > HLO_MAX_DEPTH) {
		L->depth--;
		return hlo_fail(L->d, SPU_ELIMIT, L->m->file, c->loc,
		    "calls nested more than %d deep", HLO_MAX_DEPTH);
	}
	if ((cx.val = spu_calloc(c->ninstr, sizeof(*cx.val))) == NULL) {
		err = spu_fail(L->d, SPU_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < c->ninstr && err == 0; i++)
		if (has_effect(&c->instr[i])) {
			cx.in = &c->instr[i];
			err = lw_unsupp(&cx, "%s", cx.in->opname);
		}
	for (p = 0, off = 0; p < c->nparams && err == 0; p++) {
		cx.cur = c->param[p];
		cx.in = &c->instr[cx.cur];
		err = lw_set(&cx, args + off, argt + off, cx.in->shape.nleaves);
		off += cx.in->shape.nleaves;
	}
	for (k = 0; k < c->norder && err == 0; k++) {
		cx.cur = c->order[k];
		cx.in = &c->instr[cx.cur];
		err = lw_instr(&cx);
	}
	if (err == 0) {
		*root = cx.val[c->root];
		memset(&cx.val[c->root], 0, sizeof(*cx.val));
	}
out:
	for (i = 0; cx.val != NULL && i < c->ninstr; i++) {
		free(cx.val[i].slot);
		free(cx.val[i].type);
	}
	free(cx.val);
	L->depth--;
	return err;
}

static int
add_func(struct lower *L, uint32_t *fidx)
{
	struct spu_func *nf;

	if (L->p->nfuncs >= SPU_BC_MAX_FUNCS)
		return spu_fail(L->d, SPU_ELIMIT, "%s: more than %d functions",
		    L->m->file, SPU_BC_MAX_FUNCS);
	if (L->p->nfuncs == L->fcap) {
		uint32_t cap = L->fcap ? L->fcap * 2 : 8;

		if ((nf = spu_realloc(L->p->funcs, cap, sizeof(*nf))) == NULL)
			return spu_fail(L->d, SPU_ENOMEM, "out of memory");
		L->p->funcs = nf;
		L->fcap = cap;
	}
	memset(&L->p->funcs[L->p->nfuncs], 0, sizeof(*nf));
	*fidx = L->p->nfuncs++;
	return 0;
}

int
lw_func(struct lower *L, struct vis_inst *vi, uint32_t nparams,
    const struct spu_type *ptypes, const uint32_t *leafmap, int reveal_out,
    uint32_t *fidx)
{
	struct hlo_comp *c = vi->comp;
	struct spu_type *pt = NULL, *argt = NULL, t;
	uint32_t idx = 0, j, g, p, *pslot = NULL, *args = NULL, nl;
	struct fbuild fb;
	struct lval root;
	struct lctx cx;
	struct spu_insn *ins;
	int err;

	if (leafmap == NULL && !reveal_out && vi->func >= 0) {
		*fidx = (uint32_t)vi->func;
		return 0;
	}
	if ((err = add_func(L, &idx)) != 0)
		return err;
	if (leafmap == NULL && !reveal_out)
		vi->func = (int)idx;
	*fidx = idx;
	memset(&fb, 0, sizeof(fb));
	memset(&root, 0, sizeof(root));
	memset(&cx, 0, sizeof(cx));
	cx.L = L;
	cx.fb = &fb;
	cx.c = c;
	cx.vi = vi;
	nl = vis_param_leaves(c);
	if ((fb.f.name = spu_strdup(c->name)) == NULL ||
	    (pt = spu_calloc(nparams + 1, sizeof(*pt))) == NULL ||
	    (pslot = spu_calloc(nparams + 1, sizeof(*pslot))) == NULL ||
	    (argt = spu_calloc(nl + 1, sizeof(*argt))) == NULL ||
	    (args = spu_calloc(nl + 1, sizeof(*args))) == NULL) {
		err = spu_fail(L->d, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if (ptypes != NULL)
		memcpy(pt, ptypes, nparams * sizeof(*pt));
	else if (nparams != nl) {
		err = spu_fail(L->d, SPU_EINVAL, "internal: parameter count");
		goto out;
	} else {
		for (p = 0, g = 0; p < c->nparams; p++) {
			cx.in = &c->instr[c->param[p]];
			for (j = 0; j < cx.in->shape.nleaves; j++, g++)
				if ((err = lw_type(&cx, hlo_shape_leaf(
				    &cx.in->shape, j), vi->in[g], &pt[g])) != 0)
					goto out;
		}
	}
	cx.in = NULL;
	for (j = 0; j < nparams; j++) {
		if ((err = lw_emit1(&cx, SPU_OP_PARAM, NULL, 0, &pt[j],
		    &pslot[j], &ins)) != 0 ||
		    (err = lw_attr1(&cx, ins, SPU_ATTR_INDEX, j)) != 0)
			goto out;
	}
	fb.f.nparams = nparams;
	for (g = 0; g < nl; g++) {
		j = leafmap != NULL ? leafmap[g] : g;
		args[g] = pslot[j];
		argt[g] = pt[j];
	}
	if ((err = lw_body(L, &fb, vi, args, argt, &root)) != 0)
		goto out;
	if (root.n > SPU_BC_MAX_OPERANDS) {
		err = hlo_fail(L->d, SPU_EUNSUPP, L->m->file, c->loc,
		    "unsupported: computation '%s' returns %u values (at most "
		    "%d)", c->name, root.n, SPU_BC_MAX_OPERANDS);
		goto out;
	}
	for (j = 0; reveal_out && j < root.n; j++) {
		if (root.type[j].vis != SPU_SECRET)
			continue;
		t = root.type[j];
		t.vis = SPU_PUBLIC;
		if ((err = lw_emit1(&cx, SPU_OP_REVEAL, &root.slot[j], 1, &t,
		    &root.slot[j], NULL)) != 0)
			goto out;
		root.type[j] = t;
	}
	fb.f.outs = root.slot;
	fb.f.nouts = root.n;
	root.slot = NULL;
out:
	L->p->funcs[idx] = fb.f;	/* freed with the program on error */
	free(root.slot);
	free(root.type);
	free(pt);
	free(pslot);
	free(argt);
	free(args);
	return err;
}

int
lw_reducer_kind(struct hlo_comp *r, int allow_replace)
{
	const struct hlo_instr *root;
	uint32_t p0, p1;
	int pred;

	if (!r->resolved || r->nparams != 2)
		return SPU_REDUCE_CALL;
	p0 = r->param[0];
	p1 = r->param[1];
	if (r->instr[p0].shape.tuple || r->instr[p0].shape.ndim != 0 ||
	    r->instr[p1].shape.tuple || r->instr[p1].shape.ndim != 0)
		return SPU_REDUCE_CALL;
	if (allow_replace && r->root == p1)
		return SPU_REDUCE_REPLACE;
	root = &r->instr[r->root];
	if (root->nopnd != 2 || !((root->opnd[0] == p0 && root->opnd[1] == p1) ||
	    (root->opnd[0] == p1 && root->opnd[1] == p0)))
		return SPU_REDUCE_CALL;
	pred = root->shape.dtype == SPU_PRED;
	switch (root->op) {
	case HLO_ADD: return pred ? SPU_REDUCE_OR : SPU_REDUCE_ADD;
	case HLO_MULTIPLY: return pred ? SPU_REDUCE_AND : SPU_REDUCE_MUL;
	case HLO_MAXIMUM: return pred ? SPU_REDUCE_OR : SPU_REDUCE_MAX;
	case HLO_MINIMUM: return pred ? SPU_REDUCE_AND : SPU_REDUCE_MIN;
	case HLO_AND: return SPU_REDUCE_AND;
	case HLO_OR: return SPU_REDUCE_OR;
	default: return SPU_REDUCE_CALL;
	}
}

int
lower_module(struct hlo_module *m, const struct compile_opts *o,
    struct spu_program **out, struct spu_diag *d)
{
	struct hlo_comp *c = &m->comp[m->entry];
	struct vis_inst *vi;
	struct lower L;
	uint8_t *vis = NULL;
	uint32_t p, j, g, nl, fidx;
	int err;

	*out = NULL;
	memset(&L, 0, sizeof(L));
	L.m = m;
	L.o = o;
	L.d = d;
	vis_init(&L.vc, m, o->reveal_secret_conditions, d);
	if ((L.p = spu_calloc(1, sizeof(*L.p))) == NULL ||
	    (L.p->name = spu_strdup(m->name)) == NULL) {
		err = spu_fail(d, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if ((err = hlo_comp_resolve(m, c, d)) != 0)
		goto out;
	for (p = c->nparams; p < o->nvis; p++)
		if (o->param_vis[p] != 2) {
			err = spu_fail(d, SPU_EINVAL, "parameter %u: the entry "
			    "computation '%s' has %u parameter%s", p, c->name,
			    c->nparams, c->nparams == 1 ? "" : "s");
			goto out;
		}
	nl = vis_param_leaves(c);
	if ((vis = spu_calloc(nl + 1, 1)) == NULL) {
		err = spu_fail(d, SPU_ENOMEM, "out of memory");
		goto out;
	}
	for (p = 0, g = 0; p < c->nparams; p++)
		for (j = 0; j < c->instr[c->param[p]].shape.nleaves; j++, g++)
			vis[g] = p < o->nvis && o->param_vis[p] == SPU_PUBLIC ?
			    SPU_PUBLIC : SPU_SECRET;
	if ((err = vis_infer(&L.vc, c, vis, nl, &vi)) != 0)
		goto out;
	if ((err = lw_func(&L, vi, nl, NULL, NULL, 0, &fidx)) != 0)
		goto out;
	L.p->entry = fidx;
out:
	free(vis);
	vis_fini(&L.vc);
	if (err != 0) {
		spu_program_free(L.p);
		return err;
	}
	*out = L.p;
	return 0;
}
