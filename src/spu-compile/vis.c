/*
 * vis.c - visibility inference (SPU reference section 1.3): which values
 * are PUBLIC and which SECRET, per leaf of every live instruction.
 *
 * Parameters take the visibilities the caller gives; constants and iota
 * are PUBLIC; any other result is SECRET if any operand is.  Regions are
 * inferred with the visibilities of what flows into them: reduce-like
 * regions and while bodies are re-inferred until their arguments stop
 * being promoted (a fixed point: visibility only ever rises); a
 * conditional's results join the predicate and every branch; a sort's
 * outputs are all SECRET if its comparator's result is.  A while whose
 * condition is SECRET is refused unless revealing it was asked for.
 *
 * Each (computation, parameter visibilities) pair is inferred once and
 * kept, with the instances it calls, for lower.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "mem.h"

void
vis_init(struct vis_ctx *vc, struct hlo_module *m, int reveal,
    struct spu_diag *d)
{
	memset(vc, 0, sizeof(*vc));
	vc->m = m;
	vc->d = d;
	vc->reveal = reveal;
}

static void
inst_free(struct vis_inst *vi)
{
	if (vi == NULL)
		return;
	for (uint32_t i = 0; vi->v != NULL && i < vi->comp->ninstr; i++) {
		free(vi->v[i]);
		if (vi->sub != NULL)
			free(vi->sub[i]);
	}
	free(vi->v);
	free(vi->sub);
	free(vi->nsub);
	free(vi->in);
	free(vi->out);
	free(vi);
}

void
vis_fini(struct vis_ctx *vc)
{
	struct vis_inst *vi, *next;

	for (vi = vc->all; vi != NULL; vi = next) {
		next = vi->next;
		inst_free(vi);
	}
	vc->all = NULL;
}

uint32_t
vis_param_leaves(const struct hlo_comp *c)
{
	uint32_t n = 0;

	for (uint32_t p = 0; p < c->nparams; p++)
		n += c->instr[c->param[p]].shape.nleaves;
	return n;
}

static int
nomem(struct vis_ctx *vc)
{
	return spu_fail(vc->d, SPU_ENOMEM, "%s: out of memory", vc->m->file);
}

static int
ifail(struct vis_ctx *vc, const struct hlo_instr *in, const char *what)
{
	return hlo_fail(vc->d, SPU_EFORMAT, vc->m->file, in->oploc, "%s: %s",
	    in->opname, what);
}

/* The computations an instruction calls, by attribute name. */
static int
called(struct vis_ctx *vc, const struct hlo_instr *in, const char *attr,
    struct hlo_comp **out)
{
	const struct hlo_attr *a = hlo_attr_find(in, attr);
	struct hlo_comp **v;
	uint32_t n;
	int err;

	if (a == NULL)
		return hlo_fail(vc->d, SPU_EFORMAT, vc->m->file, in->oploc,
		    "%s needs %s=", in->opname, attr);
	if ((err = hlo_attr_comps(vc->m, a, &v, &n, vc->d)) != 0)
		return err;
	if (n != 1)
		return hlo_fail(vc->d, SPU_EFORMAT, vc->m->file, a->loc,
		    "%s= names %u computations, expected one", attr, n);
	*out = v[0];
	return 0;
}

static int
set_sub(struct vis_ctx *vc, struct vis_inst *vi, uint32_t i,
    struct vis_inst **s, uint32_t n)
{
	free(vi->sub[i]);
	if ((vi->sub[i] = spu_calloc(n ? n : 1, sizeof(*s))) == NULL)
		return nomem(vc);
	memcpy(vi->sub[i], s, n * sizeof(*s));
	vi->nsub[i] = n;
	return 0;
}

/*
 * Re-infer region r with arguments [v, v] (accumulators and elements)
 * until its results stop raising v.  Used by reduce, reduce-window,
 * scatter and select-and-scatter's scatter.
 */
static int
fixpoint2(struct vis_ctx *vc, const struct hlo_instr *in, struct hlo_comp *r,
    uint8_t *v, uint32_t n, struct vis_inst **res)
{
	uint8_t args[2 * 256];
	uint32_t k, iter;
	int err, changed;

	if (n == 0 || n > 256)
		return ifail(vc, in, "bad number of operands");
	for (iter = 0; iter <= n + 1; iter++) {
		memcpy(args, v, n);
		memcpy(args + n, v, n);
		if ((err = vis_infer(vc, r, args, 2 * n, res)) != 0)
			return err;
		if ((*res)->nout != n)
			return hlo_fail(vc->d, SPU_EFORMAT, vc->m->file,
			    in->oploc, "%s: region '%s' returns %u values, "
			    "expected %u", in->opname, r->name, (*res)->nout,
			    n);
		changed = 0;
		for (k = 0; k < n; k++)
			if ((*res)->out[k] > v[k]) {
				v[k] = (*res)->out[k];
				changed = 1;
			}
		if (!changed)
			return 0;
	}
	return 0;
}

/* Leaf visibility of operand k, leaf j (operands are checked to exist). */
#define OPV(k, j) (vi->v[in->opnd[k]][(j)])
#define OPN(k) (c->instr[in->opnd[k]].shape.nleaves)

static int
infer_instr(struct vis_ctx *vc, struct vis_inst *vi, uint32_t i,
    const uint32_t *poff)
{
	struct hlo_comp *c = vi->comp, *r, *r2;
	struct hlo_instr *in = &c->instr[i];
	uint32_t n = in->shape.nleaves, k, j, off, m;
	uint8_t *v, acc = 0, tmp[256];
	struct vis_inst *s[256], *sv;
	struct hlo_comp **br;
	const struct hlo_attr *a;
	int64_t idx;
	int err;

	if ((v = vi->v[i] = spu_calloc(n ? n : 1, 1)) == NULL)
		return nomem(vc);
	for (k = 0; k < in->nopnd; k++)
		for (j = 0; j < OPN(k); j++)
			acc |= OPV(k, j);
	switch (in->op) {
	case HLO_PARAMETER:
		memcpy(v, vi->in + poff[in->param_no], n);
		return 0;
	case HLO_CONSTANT:
	case HLO_IOTA:
	case HLO_IS_FINITE:
		return 0;
	case HLO_TUPLE:
		for (k = 0, off = 0; k < in->nopnd; k++) {
			if (off + OPN(k) > n)
				return ifail(vc, in, "operands do not match "
				    "the tuple shape");
			memcpy(v + off, vi->v[in->opnd[k]], OPN(k));
			off += OPN(k);
		}
		if (off != n)
			return ifail(vc, in, "operands do not match the "
			    "tuple shape");
		return 0;
	case HLO_GTE: {
		const struct hlo_shape *os;

		if (in->nopnd != 1 || (a = hlo_attr_find(in, "index")) == NULL)
			return ifail(vc, in, "needs one operand and index=");
		if ((err = hlo_attr_int(vc->m, a, &idx, vc->d)) != 0)
			return err;
		os = &c->instr[in->opnd[0]].shape;
		if (!os->tuple || idx < 0 || idx >= os->nelem ||
		    os->elem[idx].nleaves != n)
			return ifail(vc, in, "index does not fit the operand "
			    "tuple");
		memcpy(v, vi->v[in->opnd[0]] +
		    hlo_shape_elem_first_leaf(os, (uint32_t)idx), n);
		return 0;
	}
	case HLO_COPY:
	case HLO_OPT_BARRIER:
		if (in->nopnd != 1 || OPN(0) != n)
			return ifail(vc, in, "operand does not match the "
			    "result shape");
		memcpy(v, vi->v[in->opnd[0]], n);
		return 0;
	case HLO_REDUCE:
	case HLO_REDUCE_WINDOW:
	case HLO_SCATTER:
		m = in->op == HLO_SCATTER ? (in->nopnd - 1) / 2 :
		    in->nopnd / 2;
		if (m == 0 || m > 256 || n != m || (in->op == HLO_SCATTER ?
		    in->nopnd != 2 * m + 1 : in->nopnd != 2 * m))
			return ifail(vc, in, "bad number of operands");
		for (k = 0; k < in->nopnd; k++)
			if (OPN(k) != 1)
				return ifail(vc, in, "tuple operand");
		for (k = 0; k < m; k++)
			v[k] = in->op == HLO_SCATTER ? OPV(k, 0) |
			    OPV(m, 0) | OPV(m + 1 + k, 0) :
			    OPV(k, 0) | OPV(m + k, 0);
		if ((err = called(vc, in, "to_apply", &r)) != 0 ||
		    (err = fixpoint2(vc, in, r, v, m, &sv)) != 0)
			return err;
		return set_sub(vc, vi, i, &sv, 1);
	case HLO_SELECT_AND_SCATTER:
		if (in->nopnd != 3 || n != 1 || OPN(0) != 1 || OPN(1) != 1 ||
		    OPN(2) != 1)
			return ifail(vc, in, "needs three array operands");
		if ((err = called(vc, in, "select", &r)) != 0 ||
		    (err = called(vc, in, "scatter", &r2)) != 0)
			return err;
		tmp[0] = tmp[1] = OPV(0, 0);
		if ((err = vis_infer(vc, r, tmp, 2, &s[0])) != 0)
			return err;
		if (s[0]->nout != 1)
			return ifail(vc, in, "select region must return one "
			    "value");
		v[0] = acc | s[0]->out[0];
		if ((err = fixpoint2(vc, in, r2, v, 1, &s[1])) != 0)
			return err;
		return set_sub(vc, vi, i, s, 2);
	case HLO_SORT:
		if (in->nopnd == 0 || in->nopnd > 128 || n != in->nopnd)
			return ifail(vc, in, "bad number of operands");
		for (k = 0; k < in->nopnd; k++) {
			if (OPN(k) != 1)
				return ifail(vc, in, "tuple operand");
			tmp[2 * k] = tmp[2 * k + 1] = OPV(k, 0);
		}
		if ((err = called(vc, in, "to_apply", &r)) != 0 ||
		    (err = vis_infer(vc, r, tmp, 2 * in->nopnd, &s[0])) != 0)
			return err;
		if (s[0]->nout != 1)
			return ifail(vc, in, "comparator must return one "
			    "value");
		for (k = 0; k < n; k++)
			v[k] = s[0]->out[0] | OPV(k, 0);
		return set_sub(vc, vi, i, s, 1);
	case HLO_MAP:
		if (in->nopnd == 0 || in->nopnd > 256 || n != 1)
			return ifail(vc, in, "bad operands");
		for (k = 0; k < in->nopnd; k++) {
			if (OPN(k) != 1)
				return ifail(vc, in, "tuple operand");
			tmp[k] = OPV(k, 0);
		}
		if ((err = called(vc, in, "to_apply", &r)) != 0 ||
		    (err = vis_infer(vc, r, tmp, in->nopnd, &s[0])) != 0)
			return err;
		if (s[0]->nout != 1)
			return ifail(vc, in, "region must return one value");
		v[0] = s[0]->out[0];
		return set_sub(vc, vi, i, s, 1);
	case HLO_CALL: {
		uint8_t *args;
		uint32_t na = 0;

		for (k = 0; k < in->nopnd; k++)
			na += OPN(k);
		if ((args = spu_calloc(na ? na : 1, 1)) == NULL)
			return nomem(vc);
		for (k = 0, off = 0; k < in->nopnd; off += OPN(k), k++)
			memcpy(args + off, vi->v[in->opnd[k]], OPN(k));
		err = called(vc, in, "to_apply", &r);
		if (err == 0)
			err = vis_infer(vc, r, args, na, &s[0]);
		free(args);
		if (err != 0)
			return err;
		if (s[0]->nout != n)
			return ifail(vc, in, "callee result does not match "
			    "the call's shape");
		memcpy(v, s[0]->out, n);
		return set_sub(vc, vi, i, s, 1);
	}
	case HLO_WHILE:
		if (in->nopnd != 1 || OPN(0) != n)
			return ifail(vc, in, "needs one operand of the result "
			    "shape");
		if ((err = called(vc, in, "condition", &r)) != 0 ||
		    (err = called(vc, in, "body", &r2)) != 0)
			return err;
		memcpy(v, vi->v[in->opnd[0]], n);
		for (;;) {
			int changed = 0;

			if ((err = vis_infer(vc, r2, v, n, &s[1])) != 0)
				return err;
			if (s[1]->nout != n)
				return ifail(vc, in, "body result does not "
				    "match the loop state");
			for (k = 0; k < n; k++)
				if (s[1]->out[k] > v[k]) {
					v[k] = s[1]->out[k];
					changed = 1;
				}
			if (!changed)
				break;
		}
		if ((err = vis_infer(vc, r, v, n, &s[0])) != 0)
			return err;
		if (s[0]->nout != 1)
			return ifail(vc, in, "condition must return one "
			    "value");
		if (s[0]->out[0] == SPU_SECRET && !vc->reveal)
			return hlo_fail(vc->d, SPU_EFORMAT, vc->m->file,
			    in->oploc, "while loop '%s': its condition '%s' "
			    "depends on a secret value (a secret trip count "
			    "cannot be hidden; pass "
			    "--reveal-secret-conditions to reveal it each "
			    "iteration)", in->name, r->name);
		return set_sub(vc, vi, i, s, 2);
	case HLO_CONDITIONAL: {
		uint32_t nb;

		if ((a = hlo_attr_find(in, "branch_computations")) != NULL) {
			if ((err = hlo_attr_comps(vc->m, a, &br, &nb,
			    vc->d)) != 0)
				return err;
		} else {
			if ((br = hlo_alloc(vc->m, 2, sizeof(*br))) == NULL)
				return nomem(vc);
			nb = 2;
			if ((err = called(vc, in, "true_computation",
			    &br[0])) != 0 || (err = called(vc, in,
			    "false_computation", &br[1])) != 0)
				return err;
		}
		if (nb == 0 || nb > 256 || in->nopnd != nb + 1 ||
		    OPN(0) != 1)
			return ifail(vc, in, "needs a predicate or index and "
			    "one operand per branch");
		for (j = 0; j < n; j++)
			v[j] = OPV(0, 0);
		for (k = 0; k < nb; k++) {
			if ((err = vis_infer(vc, br[k], vi->v[in->opnd[k + 1]],
			    OPN(k + 1), &s[k])) != 0)
				return err;
			if (s[k]->nout != n)
				return ifail(vc, in, "branch result does not "
				    "match the conditional's shape");
			for (j = 0; j < n; j++)
				v[j] |= s[k]->out[j];
		}
		return set_sub(vc, vi, i, s, nb);
	}
	default:
		memset(v, acc, n);
		return 0;
	}
}

static struct vis_inst *
find(struct vis_ctx *vc, struct hlo_comp *c, const uint8_t *in, uint32_t nin)
{
	for (struct vis_inst *vi = vc->all; vi != NULL; vi = vi->next)
		if (vi->comp == c && vi->nin == nin &&
		    memcmp(vi->in, in, nin) == 0)
			return vi;
	return NULL;
}

int
vis_infer(struct vis_ctx *vc, struct hlo_comp *c, const uint8_t *in,
    uint32_t nin, struct vis_inst **out)
{
	struct vis_inst *vi;
	uint32_t *poff = NULL, p, k, i;
	int err;

	if ((err = hlo_comp_resolve(vc->m, c, vc->d)) != 0)
		return err;
	if (nin != vis_param_leaves(c))
		return hlo_fail(vc->d, SPU_EFORMAT, vc->m->file, c->loc,
		    "computation '%s' takes %u values, is given %u", c->name,
		    vis_param_leaves(c), nin);
	if ((*out = find(vc, c, in, nin)) != NULL)
		return 0;
	if (c->active)
		return hlo_fail(vc->d, SPU_EFORMAT, vc->m->file, c->loc,
		    "computation '%s' calls itself", c->name);
	if (vc->depth >= HLO_MAX_DEPTH)
		return hlo_fail(vc->d, SPU_ELIMIT, vc->m->file, c->loc,
		    "computations nested more than %d deep", HLO_MAX_DEPTH);
	if ((vi = spu_calloc(1, sizeof(*vi))) == NULL)
		return nomem(vc);
	vi->comp = c;
	vi->nin = nin;
	vi->func = -1;
	if ((vi->in = spu_calloc(nin ? nin : 1, 1)) == NULL ||
	    (vi->v = spu_calloc(c->ninstr, sizeof(*vi->v))) == NULL ||
	    (vi->sub = spu_calloc(c->ninstr, sizeof(*vi->sub))) == NULL ||
	    (vi->nsub = spu_calloc(c->ninstr, sizeof(*vi->nsub))) == NULL ||
	    (poff = spu_calloc(c->nparams + 1, sizeof(*poff))) == NULL) {
		err = nomem(vc);
		goto fail;
	}
	memcpy(vi->in, in, nin);
	for (p = 0, k = 0; p < c->nparams; p++) {
		poff[p] = k;
		k += c->instr[c->param[p]].shape.nleaves;
	}
	c->active = 1;
	vc->depth++;
	for (k = 0; k < c->norder && err == 0; k++) {
		i = c->order[k];
		err = infer_instr(vc, vi, i, poff);
	}
	vc->depth--;
	c->active = 0;
	if (err != 0)
		goto fail;
	vi->nout = c->instr[c->root].shape.nleaves;
	if ((vi->out = spu_calloc(vi->nout ? vi->nout : 1, 1)) == NULL) {
		err = nomem(vc);
		goto fail;
	}
	memcpy(vi->out, vi->v[c->root], vi->nout);
	free(poff);
	vi->next = vc->all;
	vc->all = vi;
	*out = vi;
	return 0;
fail:
	free(poff);
	inst_free(vi);
	return err;
}
