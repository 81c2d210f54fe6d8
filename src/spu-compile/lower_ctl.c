/*
 * lower_ctl.c - lowering of instructions that call computations: while
 * (WHILE with condition and body functions), conditional (COND, branch
 * i taking the leaves of operand i+1; on a secret predicate every branch
 * runs inline and the results are selected), call (inlined when small,
 * else CALL), map, sort (a plain comparator becomes an ascending or
 * descending sort kind) and the custom calls spu knows (mhlo.erf, and
 * the Sharding annotation, an identity), and all-reduce over replica
 * groups of one member (pmap on one device), also an identity.
 *
 * Region functions may declare SECRET parameters or results where the
 * values flowing in are PUBLIC (a loop-carried value that becomes secret
 * in the body, a branch that returns a constant): the VM promotes PUBLIC
 * to SECRET there; it never demotes, except through REVEAL.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "mem.h"

static struct vis_inst *
sub(struct lctx *cx, uint32_t k)
{
	return k < cx->vi->nsub[cx->cur] ? cx->vi->sub[cx->cur][k] : NULL;
}

/* All leaves of all operands, in order. */
static int
operand_leaves(struct lctx *cx, uint32_t from, uint32_t **slots,
    struct spu_type **types, uint32_t *n)
{
	uint32_t k, off = 0;

	*n = 0;
	for (k = from; k < cx->in->nopnd; k++)
		*n += cx->val[cx->in->opnd[k]].n;
	*slots = spu_calloc(*n + 1, sizeof(**slots));
	*types = spu_calloc(*n + 1, sizeof(**types));
	if (*slots == NULL || *types == NULL) {
		free(*slots);
		free(*types);
		return lw_nomem(cx);
	}
	for (k = from; k < cx->in->nopnd; k++) {
		const struct lval *v = &cx->val[cx->in->opnd[k]];

		memcpy(*slots + off, v->slot, v->n * sizeof(uint32_t));
		memcpy(*types + off, v->type, v->n * sizeof(struct spu_type));
		off += v->n;
	}
	return 0;
}

/* Emit op(in) calling funcs f, with the current instruction's result
 * types; set its results. */
static int
emit_call(struct lctx *cx, enum spu_op op, const uint32_t *in, uint32_t nin,
    const uint32_t *f, uint32_t nf, struct spu_insn **insp)
{
	uint32_t n = cx->in->shape.nleaves, j, at;
	struct spu_type *rt;
	struct spu_insn *ins;
	int err = 0;

	if ((rt = spu_calloc(n + 1, sizeof(*rt))) == NULL)
		return lw_nomem(cx);
	for (j = 0; j < n && err == 0; j++)
		err = lw_res_type(cx, j, &rt[j]);
	if (err == 0 && (ins = lw_emit(cx, op, in, nin, rt, n)) == NULL)
		err = SPU_ENOMEM;
	if (err == 0) {
		at = cx->fb->f.ninsns - 1;
		err = lw_set(cx, ins->out, rt, n);
		ins = &cx->fb->f.insns[at];
		if (err == 0 && nf > 0)
			err = lw_funcs(cx, ins, f, nf);
		if (insp != NULL)
			*insp = ins;
	}
	free(rt);
	return err;
}

int
lw_while(struct lctx *cx)
{
	struct vis_inst *c = sub(cx, 0), *b = sub(cx, 1);
	const struct lval *init;
	uint32_t f[2], n;
	int err;

	if (c == NULL || b == NULL || cx->in->nopnd != 1)
		return lw_bad(cx, "internal: regions not inferred");
	init = &cx->val[cx->in->opnd[0]];
	n = init->n;
	if ((err = lw_func(cx->L, c, n, NULL, NULL,
	    c->out[0] == SPU_SECRET, &f[0])) != 0 ||
	    (err = lw_func(cx->L, b, n, NULL, NULL, 0, &f[1])) != 0)
		return err;
	return emit_call(cx, SPU_OP_WHILE, init->slot, n, f, 2, NULL);
}

/*
 * A conditional on a SECRET predicate or index cannot branch: every
 * branch runs inline and the results are selected obliviously, leaf by
 * leaf: select(p, true, false), or for an index a chain of selects on
 * idx == i ending in the last branch (which XLA also runs for an index
 * out of range).
 */
static int
cond_oblivious(struct lctx *cx, uint32_t nb, uint32_t pred,
    const struct spu_type *pt)
{
	struct lval *r = NULL;
	struct spu_type rt, ct, bt;
	struct spu_insn *ins;
	uint32_t k, j, cur, c, in[3], *sel = NULL, n = cx->in->shape.nleaves;
	struct spu_type *types = NULL;
	int64_t none = 0;
	int err = 0;

	if ((r = spu_calloc(nb, sizeof(*r))) == NULL ||
	    (sel = spu_calloc(n + 1, sizeof(*sel))) == NULL ||
	    (types = spu_calloc(n + 1, sizeof(*types))) == NULL) {
		err = lw_nomem(cx);
		goto out;
	}
	for (k = 0; k < nb && err == 0; k++) {
		const struct lval *a = &cx->val[cx->in->opnd[k + 1]];

		err = lw_body(cx->L, cx->fb, sub(cx, k), a->slot, a->type,
		    &r[k]);
		if (err == 0 && r[k].n != n)
			err = lw_bad(cx, "branch %u returns %u values", k,
			    r[k].n);
	}
	for (j = 0; j < n && err == 0; j++) {
		if ((err = lw_res_type(cx, j, &rt)) != 0)
			break;
		types[j] = rt;
		cur = r[nb - 1].slot[j];
		for (k = nb - 1; k-- > 0 && err == 0;) {
			/* condition: p itself, or idx == k */
			c = pred;
			ct = *pt;
			if (pt->dtype != SPU_PRED) {
				struct spu_type kt = *pt;
				uint32_t kk;

				kt.vis = SPU_PUBLIC;
				ct.dtype = SPU_PRED;
				if ((err = lw_emit1(cx, SPU_OP_CONST, NULL, 0, &kt,
				    &kk, &ins)) != 0)
					break;
				if ((ins->lit_i = spu_malloc(1,
				    sizeof(int64_t))) == NULL) {
					err = lw_nomem(cx);
					break;
				}
				ins->lit_i[0] = k;
				in[0] = pred;
				in[1] = kk;
				if ((err = lw_emit1(cx, SPU_OP_EQ, in, 2, &ct, &c,
				    NULL)) != 0)
					break;
			}
			if ((err = lw_broadcast(cx, c, &ct, &rt.shape, &none,
			    &in[0])) != 0)
				break;
			bt = rt;
			in[1] = r[k].slot[j];
			in[2] = cur;
			if ((err = lw_emit1(cx, SPU_OP_SELECT, in, 3, &bt, &cur,
			    NULL)) != 0)
				break;
		}
		sel[j] = cur;
	}
	if (err == 0)
		err = lw_set(cx, sel, types, n);
out:
	for (k = 0; r != NULL && k < nb; k++) {
		free(r[k].slot);
		free(r[k].type);
	}
	free(r);
	free(sel);
	free(types);
	return err;
}

int
lw_cond(struct lctx *cx)
{
	uint32_t nb = cx->vi->nsub[cx->cur], k, na = 0, *args = NULL;
	uint32_t f[256], pred;
	struct spu_type *argt = NULL, pt;
	int err = 0;

	if (nb == 0 || nb > 256 || cx->in->nopnd != nb + 1)
		return lw_bad(cx, "internal: branches not inferred");
	if ((err = lw_arr(cx, 0, &pred, &pt)) != 0)
		return err;
	if (pt.shape.ndim != 0 || (pt.dtype != SPU_PRED &&
	    spu_dtype_is_float(pt.dtype)))
		return lw_bad(cx, "predicate or index must be a pred or "
		    "integer scalar");
	if (pt.dtype == SPU_PRED && nb != 2)
		return lw_bad(cx, "a pred selects between two branches, "
		    "not %u", nb);
	if (pt.vis == SPU_SECRET)
		return cond_oblivious(cx, nb, pred, &pt);
	/* COND(p, args of branch 0, args of branch 1, ...): branch i takes
	 * the leaves of its own operand, in order. */
	for (k = 0; k < nb && err == 0; k++) {
		struct vis_inst *s = sub(cx, k);

		err = lw_func(cx->L, s, vis_param_leaves(s->comp), NULL, NULL,
		    0, &f[k]);
	}
	if (err == 0)
		err = operand_leaves(cx, 0, &args, &argt, &na);
	if (err == 0)
		err = emit_call(cx, SPU_OP_COND, args, na, f, nb, NULL);
	free(args);
	free(argt);
	return err;
}

int
lw_call(struct lctx *cx)
{
	struct vis_inst *s = sub(cx, 0);
	struct spu_type *argt;
	struct lval root;
	uint32_t *args, n, f;
	int err;

	if (s == NULL)
		return lw_bad(cx, "internal: callee not inferred");
	if ((err = operand_leaves(cx, 0, &args, &argt, &n)) != 0)
		return err;
	if ((int)s->comp->norder <= cx->L->o->inline_limit) {
		err = lw_body(cx->L, cx->fb, s, args, argt, &root);
		if (err == 0)
			err = lw_set(cx, root.slot, root.type, root.n);
		free(root.slot);
		free(root.type);
	} else {
		err = lw_func(cx->L, s, n, NULL, NULL, 0, &f);
		if (err == 0)
			err = emit_call(cx, SPU_OP_CALL, args, n, &f, 1, NULL);
	}
	free(args);
	free(argt);
	return err;
}

int
lw_map(struct lctx *cx)
{
	struct vis_inst *s = sub(cx, 0);
	struct spu_type *argt;
	uint32_t *args, n, f;
	int err;

	if (s == NULL)
		return lw_bad(cx, "internal: region not inferred");
	if ((err = operand_leaves(cx, 0, &args, &argt, &n)) != 0)
		return err;
	err = lw_func(cx->L, s, vis_param_leaves(s->comp), NULL, NULL, 0, &f);
	if (err == 0)
		err = emit_call(cx, SPU_OP_MAP, args, n, &f, 1, NULL);
	free(args);
	free(argt);
	return err;
}

/*
 * Is a (computed from parameter 0) the same function of parameter 0 as
 * b is of parameter 1?  Only the ops of JAX's float total-order keys
 * (NaN and -0 canonicalized by selects, or the float bits reinterpreted
 * as an integer with negatives flipped) are accepted: such a key is
 * monotone, so the comparator is a plain ascending or descending order
 * on the fixed-point values.  *bits is set when a bitcast-convert is
 * seen.
 */
static int
same_key(const struct hlo_comp *r, uint32_t a, uint32_t b, int *budget,
    int *bits)
{
	const struct hlo_instr *x = &r->instr[a], *y = &r->instr[b];

	if (--*budget < 0 || x->op != y->op || x->nopnd != y->nopnd ||
	    x->nattr != y->nattr || x->shape.tuple || y->shape.tuple ||
	    x->shape.dtype != y->shape.dtype)
		return 0;
	switch (x->op) {
	case HLO_PARAMETER:
		return x->param_no == 0 && y->param_no == 1;
	case HLO_CONSTANT:
		if (x->nlit != 1 || y->nlit != 1 || x->lit[0].n != 1 ||
		    y->lit[0].n != 1)
			return 0;
		return x->lit[0].f != NULL ? y->lit[0].f != NULL &&
		    memcmp(x->lit[0].f, y->lit[0].f, sizeof(double)) == 0 :
		    y->lit[0].i != NULL && x->lit[0].i[0] == y->lit[0].i[0];
	case HLO_BITCAST_CONVERT:
		*bits = 1;
		break;
	case HLO_COMPARE: case HLO_SELECT: case HLO_SUBTRACT:
	case HLO_CONVERT: case HLO_NOT: case HLO_AND: case HLO_OR:
		break;
	default:
		return 0;
	}
	for (uint32_t k = 0; k < x->nattr; k++)
		if (strcmp(x->attr[k].name, y->attr[k].name) != 0 ||
		    (strcmp(x->attr[k].name, "metadata") != 0 &&
		    strcmp(x->attr[k].val, y->attr[k].val) != 0))
			return 0;
	for (uint32_t k = 0; k < x->nopnd; k++)
		if (x->opnd[k] != y->opnd[k] || r->instr[x->opnd[k]].op !=
		    HLO_CONSTANT) {
			if (!same_key(r, x->opnd[k], y->opnd[k], budget, bits))
				return 0;
		}
	return 1;
}

/* SPU_SORT_ASC / DESC for a comparator that is one compare of the first
 * operand's pair (directly, or through JAX's float total-order key),
 * else SPU_REDUCE_CALL. */
static int
sort_kind(struct hlo_module *m, struct hlo_comp *r)
{
	const struct hlo_instr *root = &r->instr[r->root];
	const struct hlo_attr *a;
	const char *dir;
	struct spu_diag d;
	int64_t p0, p1;
	int budget, bits;

	if (root->op != HLO_COMPARE || root->nopnd != 2 ||
	    (a = hlo_attr_find(root, "direction")) == NULL ||
	    hlo_attr_word(m, a, &dir, &d) != 0)
		return SPU_REDUCE_CALL;
	if (r->instr[root->opnd[0]].op == HLO_PARAMETER &&
	    r->instr[root->opnd[1]].op == HLO_PARAMETER) {
		p0 = r->instr[root->opnd[0]].param_no;
		p1 = r->instr[root->opnd[1]].param_no;
		if (!((p0 == 0 && p1 == 1) || (p0 == 1 && p1 == 0)))
			return SPU_REDUCE_CALL;
	} else {
		/* p0: which side of the compare holds parameter 0's key */
		budget = 256;
		bits = 0;
		if (same_key(r, root->opnd[0], root->opnd[1], &budget, &bits))
			p0 = 0;
		else {
			budget = 256;
			bits = 0;
			if (!same_key(r, root->opnd[1], root->opnd[0], &budget,
			    &bits))
				return SPU_REDUCE_CALL;
			p0 = 1;
		}
	}
	if (strcmp(dir, "LT") == 0)
		return p0 == 0 ? SPU_SORT_ASC : SPU_SORT_DESC;
	if (strcmp(dir, "GT") == 0)
		return p0 == 0 ? SPU_SORT_DESC : SPU_SORT_ASC;
	return SPU_REDUCE_CALL;
}

int
lw_sort(struct lctx *cx)
{
	struct vis_inst *s = sub(cx, 0);
	const struct hlo_attr *a;
	struct spu_type *argt, t;
	struct spu_insn *ins;
	uint32_t *args, n, f, nd, at;
	int64_t *d;
	int kind, stable = 0, err;

	if (s == NULL)
		return lw_bad(cx, "internal: comparator not inferred");
	if ((err = lw_ints(cx, "dimensions", 1, &d, &nd)) != 0)
		return err;
	if ((err = lw_arr(cx, 0, &f, &t)) != 0)
		return err;
	if (nd != 1 || d[0] < 0 || d[0] >= t.shape.ndim)
		return lw_bad(cx, "needs one sort dimension in range");
	if ((a = hlo_attr_find(cx->in, "is_stable")) != NULL &&
	    (err = hlo_attr_bool(cx->L->m, a, &stable, cx->L->d)) != 0)
		return err;
	kind = sort_kind(cx->L->m, s->comp);
	if (kind == SPU_REDUCE_CALL && (err = lw_func(cx->L, s,
	    vis_param_leaves(s->comp), NULL, NULL, 0, &f)) != 0)
		return err;
	if ((err = operand_leaves(cx, 0, &args, &argt, &n)) != 0)
		return err;
	err = emit_call(cx, SPU_OP_SORT, args, n, &f,
	    kind == SPU_REDUCE_CALL, &ins);
	free(args);
	free(argt);
	if (err != 0)
		return err;
	at = (uint32_t)(ins - cx->fb->f.insns);
	if ((err = lw_attr(cx, ins, SPU_ATTR_DIMS, d, 1)) != 0 ||
	    (err = lw_attr1(cx, &cx->fb->f.insns[at], SPU_ATTR_REDUCER,
	    kind)) != 0)
		return err;
	return lw_attr1(cx, &cx->fb->f.insns[at], SPU_ATTR_STABLE, stable);
}

int
lw_custom_call(struct lctx *cx)
{
	const struct hlo_attr *a = hlo_attr_find(cx->in, "custom_call_target");
	struct spu_type t, rt;
	const char *target;
	uint32_t x, z;
	int err;

	if (a == NULL)
		return lw_bad(cx, "needs custom_call_target=");
	if ((err = hlo_attr_word(cx->L->m, a, &target, cx->L->d)) != 0)
		return err;
	/* Sharding annotations (pjit) are identities. */
	if (strcmp(target, "Sharding") == 0 && cx->in->nopnd == 1 &&
	    cx->val[cx->in->opnd[0]].n == cx->in->shape.nleaves) {
		const struct lval *v = &cx->val[cx->in->opnd[0]];

		return lw_set(cx, v->slot, v->type, v->n);
	}
	if (strcmp(target, "mhlo.erf") == 0 && cx->in->nopnd == 1) {
		if ((err = lw_res_type(cx, 0, &rt)) != 0 ||
		    (err = lw_arr(cx, 0, &x, &t)) != 0)
			return err;
		if (!spu_shape_eq(&t.shape, &rt.shape))
			return lw_bad(cx, "operand shape differs");
		if ((err = lw_emit1(cx, SPU_OP_ERF, &x, 1, &rt, &z, NULL)) != 0)
			return err;
		return lw_set1(cx, z, &rt);
	}
	return lw_unsupp(cx, "custom-call target \"%s\"", target);
}

/* Does every replica group of in have one member ("{{0}}", "{{0},{1}}",
 * or the iota form "[N,1]<=[N]")?  Then a collective over the groups
 * combines each value with nothing but itself. */
static int
single_member_groups(const struct hlo_instr *in)
{
	const struct hlo_attr *a = hlo_attr_find(in, "replica_groups");
	const char *s;
	int depth = 0, members = 0, groups = 0;

	if (a == NULL || (s = a->val) == NULL)
		return 0;
	if (*s == '[') {
		/* [G,S]<=[...]: G groups of S members */
		const char *c = strchr(s, ',');
		return c != NULL && c[1] == '1' && c[2] == ']';
	}
	for (; *s != '\0'; s++) {
		if (*s == '{') {
			if (++depth == 2)
				members = 0;
		} else if (*s == '}') {
			if (depth-- == 2) {
				if (members != 1)
					return 0;
				groups++;
			}
		} else if (depth == 2 && *s >= '0' && *s <= '9' &&
		    (s[1] < '0' || s[1] > '9'))
			members++;
		else if (depth != 2 && *s != ' ' && *s != ',')
			return 0;
	}
	return depth == 0 && groups > 0;
}

/* all-reduce where every replica group has one member (pmap or pjit on
 * one device): each result is its operand.  Real cross-device
 * collectives have no meaning in a single program. */
int
lw_all_reduce(struct lctx *cx)
{
	uint32_t *args, n;
	struct spu_type *argt;
	int err;

	if (!single_member_groups(cx->in))
		return lw_unsupp(cx, "all-reduce across several replicas");
	if ((err = operand_leaves(cx, 0, &args, &argt, &n)) != 0)
		return err;
	err = n == cx->in->shape.nleaves ? lw_set(cx, args, argt, n) :
	    lw_bad(cx, "operands do not match the result shape");
	free(args);
	free(argt);
	return err;
}
