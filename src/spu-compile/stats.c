/*
 * stats.c - what a program costs in MPC terms, for --emit=stats:
 * instruction counts per opcode, and the secret multiplications,
 * comparisons and truncations it asks for (by instruction and by element),
 * plus the patterns the passes look for (squares, softmax, logistic).
 *
 * The counts are static: an instruction in a loop body or a region
 * counts once, however often it runs, except that the elements of a
 * generic reducer's region are counted once per element it folds.
 * What counts:
 *   secret multiplication: a MUL, MATMUL or CONV whose operands are both
 *     secret, a SQUARE of a secret, an AND or OR of two secret preds,
 *     and a SELECT with a secret predicate and a secret side (the VM's
 *     p * (x - y)); elements: the products (M*K*N for a matmul);
 *   truncation: a MUL, MATMUL or CONV of two float operands, not both
 *     public, a SQUARE of a secret float, and a DIV with a secret float
 *     operand (which holds more inside; so do exp, log, reciprocal,
 *     ...); elements: the result's;
 *   comparison: a comparison, MAX, MIN, ABS or SIGN on a secret value,
 *     CLAMP (two), a MAX/MIN reduction or window (one per element
 *     folded), a SELECT_AND_SCATTER or ARGMAX_WINDOW (W - 1 per window
 *     of W elements: the select tournament), a SORT (a sorting
 *     network's count) and a TOPK (k (n - 1) per row: k rounds of
 *     selection) of a secret value;
 *   nonlinear: a float DIV, RECIPROCAL, EXP, LOG, SQRT, RSQRT, TANH,
 *     LOGISTIC, ERF, SIN, COS, POW or ATAN2 of a secret value, each an
 *     approximation of many rounds.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "pass.h"

void
stats_count(const struct spu_program *p, uint32_t counts[SPU_OP_COUNT],
    uint32_t *total)
{
	memset(counts, 0, SPU_OP_COUNT * sizeof(counts[0]));
	*total = 0;
	for (uint32_t f = 0; f < p->nfuncs; f++)
		for (uint32_t i = 0; i < p->funcs[f].ninsns; i++) {
			enum spu_op op = p->funcs[f].insns[i].op;

			if ((unsigned)op < SPU_OP_COUNT)
				counts[op]++;
			(*total)++;
		}
}

static uint64_t
numel(const struct spu_type *t)
{
	int64_t n = spu_shape_numel(&t->shape);

	return n > 0 ? (uint64_t)n : 0;
}

static int
secret(const struct spu_type *t)
{
	return t != NULL && t->vis == SPU_SECRET;
}

static int
isf(const struct spu_type *t)
{
	return t != NULL && spu_dtype_is_float(t->dtype);
}

static int64_t
attr1(const struct spu_insn *in, enum spu_attr_key k, int64_t dflt)
{
	const struct spu_attr *a = spu_insn_attr(in, k);

	return a != NULL && a->n >= 1 ? a->v[0] : dflt;
}

static unsigned
log2up(uint64_t n)
{
	unsigned l = 0;

	while (((uint64_t)1 << l) < n && l < 63)
		l++;
	return l;
}

/* Products of a MATMUL or CONV. */
static uint64_t
products(const struct spu_insn *in, const struct spu_type *x,
    const struct spu_type *y)
{
	const struct spu_shape *xs = &x->shape, *ys = &y->shape;
	int r = xs->ndim;

	if (in->op == SPU_OP_MATMUL) {
		if (r < 2 || ys->ndim != r)
			return numel(&in->type[0]);
		return numel(&in->type[0]) * (uint64_t)xs->dim[r - 1];
	}
	if (in->op == SPU_OP_CONV) {
		const struct spu_attr *cd = spu_insn_attr(in,
		    SPU_ATTR_CONV_DIMS);
		int64_t o;

		if (cd == NULL || (int)cd->n != 3 * r || r < 2 ||
		    (o = cd->v[r + 1]) < 0 || o >= ys->ndim ||
		    ys->dim[o] <= 0)
			return numel(&in->type[0]);
		return numel(&in->type[0]) * (numel(y) / (uint64_t)ys->dim[o]);
	}
	return numel(&in->type[0]);
}

/* Elements of one window of in (WINDOW attribute). */
static uint64_t
window_size(const struct spu_insn *in)
{
	const struct spu_attr *w = spu_insn_attr(in, SPU_ATTR_WINDOW);
	uint64_t ws = 1;

	for (uint32_t k = 0; w != NULL && k < w->n; k++)
		ws *= w->v[k] > 0 ? (uint64_t)w->v[k] : 1;
	return ws;
}

/* The comparisons of one instruction on secret values. */
static uint64_t
compares(const struct spu_insn *in, const struct spu_type *const *t)
{
	uint64_t n = numel(&in->type[0]), ws;
	int64_t kind;

	switch (in->op) {
	case SPU_OP_SELECT_AND_SCATTER:
		/* one pick per source element (window) */
		ws = window_size(in);
		return in->nin >= 2 && secret(t[0]) && ws > 1 ?
		    numel(t[1]) * (ws - 1) : 0;
	case SPU_OP_ARGMAX_WINDOW:
		ws = window_size(in);
		return secret(t[0]) && ws > 1 ? n * (ws - 1) : 0;
	case SPU_OP_TOPK: {
		int64_t d = attr1(in, SPU_ATTR_DIMS, 0);
		uint64_t len, k;

		if (!secret(t[0]) || d < 0 || d >= t[0]->shape.ndim ||
		    (len = (uint64_t)t[0]->shape.dim[d]) < 2)
			return 0;
		k = (uint64_t)in->type[0].shape.dim[d];
		return numel(t[0]) / len * k * (len - 1);
	}
	case SPU_OP_LT: case SPU_OP_LE: case SPU_OP_GT: case SPU_OP_GE:
	case SPU_OP_EQ: case SPU_OP_NE: case SPU_OP_MAX: case SPU_OP_MIN:
	case SPU_OP_ABS: case SPU_OP_SIGN:
		return n;
	case SPU_OP_CLAMP:
		return 2 * n;
	case SPU_OP_REDUCE:
	case SPU_OP_REDUCE_WINDOW:
		kind = attr1(in, SPU_ATTR_REDUCER, SPU_REDUCE_CALL);
		if (kind != SPU_REDUCE_MAX && kind != SPU_REDUCE_MIN)
			return 0;
		if (in->op == SPU_OP_REDUCE)
			return numel(t[0]) > n ? numel(t[0]) - n : 0;
		ws = window_size(in);
		return ws > 1 ? n * (ws - 1) : 0;
	case SPU_OP_SORT: {
		int64_t d = attr1(in, SPU_ATTR_DIMS, 0);
		uint64_t len, l;

		if (d < 0 || d >= t[0]->shape.ndim ||
		    (len = (uint64_t)t[0]->shape.dim[d]) < 2)
			return 0;
		l = log2up(len);
		return numel(t[0]) / len * (len * l * (l + 1) / 4);
	}
	default:
		return 0;
	}
}

/* Operations the VM approximates with a protocol of many rounds. */
static int
nonlinear(enum spu_op op)
{
	switch (op) {
	case SPU_OP_DIV: case SPU_OP_RECIPROCAL: case SPU_OP_EXP:
	case SPU_OP_EXPM1: case SPU_OP_LOG: case SPU_OP_LOG1P:
	case SPU_OP_SQRT: case SPU_OP_RSQRT: case SPU_OP_TANH:
	case SPU_OP_LOGISTIC: case SPU_OP_ERF: case SPU_OP_SIN:
	case SPU_OP_COS: case SPU_OP_POW: case SPU_OP_ATAN2:
		return 1;
	default:
		return 0;
	}
}

static const struct spu_insn *
def_of(const struct spu_insn *const *def, uint32_t n, uint32_t s)
{
	return s < n ? def[s] : NULL;
}

/* Skip reshapes, converts (and broadcasts when bc) above slot s. */
static const struct spu_insn *
through(const struct spu_insn *const *def, uint32_t n, uint32_t s, int bc)
{
	const struct spu_insn *d = def_of(def, n, s);

	for (int k = 0; k < 16 && d != NULL && d->nin == 1 &&
	    (d->op == SPU_OP_RESHAPE || d->op == SPU_OP_CONVERT ||
	    (bc && d->op == SPU_OP_BROADCAST)); k++)
		d = def_of(def, n, d->in[0]);
	return d;
}

/* exp(x)/sum(exp(x)) (or times the reciprocal of the sum): 1, and 2
 * when the exponent is x - max(x). */
static int
softmax(const struct spu_insn *in, const struct spu_insn *const *def,
    uint32_t n)
{
	const struct spu_insn *e, *s, *z, *m;

	if ((in->op != SPU_OP_DIV && in->op != SPU_OP_MUL) || in->nin != 2)
		return 0;
	if ((e = through(def, n, in->in[0], 0)) == NULL ||
	    e->op != SPU_OP_EXP || (s = through(def, n, in->in[1], 1)) ==
	    NULL)
		return 0;
	if (in->op == SPU_OP_MUL) {
		if (s->op != SPU_OP_RECIPROCAL || s->nin != 1 ||
		    (s = through(def, n, s->in[0], 1)) == NULL)
			return 0;
	}
	if (s->op != SPU_OP_REDUCE || s->nin != 2 ||
	    attr1(s, SPU_ATTR_REDUCER, 0) != SPU_REDUCE_ADD ||
	    through(def, n, s->in[0], 0) != e)
		return 0;
	if ((z = def_of(def, n, e->in[0])) != NULL && z->op == SPU_OP_SUB &&
	    z->nin == 2 && (m = through(def, n, z->in[1], 1)) != NULL &&
	    m->op == SPU_OP_REDUCE &&
	    attr1(m, SPU_ATTR_REDUCER, 0) == SPU_REDUCE_MAX)
		return 2;
	return 1;
}

static void
cost_insn(struct stats_cost *c, const struct spu_insn *in,
    const struct spu_type *const *t, const struct spu_insn *const *def,
    uint32_t ndef)
{
	const struct spu_type *x = in->nin > 0 ? t[0] : NULL;
	const struct spu_type *y = in->nin > 1 ? t[1] : NULL;
	int any = 0;
	uint64_t k;

	for (uint32_t j = 0; j < in->nin; j++)
		any |= secret(t[j]);
	if (in->nout == 0 || !any)
		return;
	switch (in->op) {
	case SPU_OP_MUL:
	case SPU_OP_MATMUL:
	case SPU_OP_CONV:
		if (x == NULL || y == NULL)
			break;
		if (secret(x) && secret(y)) {
			c->smul++;
			c->smul_el += products(in, x, y);
			if (in->op == SPU_OP_MUL && in->in[0] == in->in[1])
				c->squares++;
		}
		if (isf(x) && isf(y)) {
			c->trunc++;
			c->trunc_el += numel(&in->type[0]);
		}
		break;
	case SPU_OP_SQUARE:
		if (x == NULL || !secret(x))
			break;
		c->smul++;
		c->smul_el += numel(&in->type[0]);
		c->squares++;
		if (isf(x)) {
			c->trunc++;
			c->trunc_el += numel(&in->type[0]);
		}
		break;
	case SPU_OP_DIV:
		if (isf(&in->type[0])) {
			c->trunc++;
			c->trunc_el += numel(&in->type[0]);
		}
		break;
	case SPU_OP_AND:
	case SPU_OP_OR:
		if (x != NULL && y != NULL && secret(x) && secret(y) &&
		    in->type[0].dtype == SPU_PRED) {
			c->smul++;
			c->smul_el += numel(&in->type[0]);
		}
		break;
	case SPU_OP_SELECT:
		if (in->nin == 3 && secret(t[0]) &&
		    (secret(t[1]) || secret(t[2]))) {
			c->smul++;
			c->smul_el += numel(&in->type[0]);
		}
		break;
	default:
		break;
	}
	if (nonlinear(in->op) && isf(&in->type[0])) {
		c->nonlin++;
		c->nonlin_el += numel(&in->type[0]);
		c->logistic += in->op == SPU_OP_LOGISTIC;
	}
	if ((k = compares(in, t)) > 0) {
		c->cmp++;
		c->cmp_el += k;
	}
	switch (softmax(in, def, ndef)) {
	case 2:
		c->softmax_max++;
		/* FALLTHROUGH */
	case 1:
		c->softmax++;
		break;
	}
}

/* Costs of function f alone (its regions' runs not included). */
static int
func_cost(const struct spu_program *p, uint32_t f, struct stats_cost *c,
    const struct stats_cost *fc)
{
	const struct spu_func *fn = &p->funcs[f];
	const struct spu_type **ty;
	const struct spu_insn **def;
	const struct spu_type *op[SPU_BC_MAX_OPERANDS];

	ty = spu_calloc(fn->nslots + 1, sizeof(*ty));
	def = spu_calloc(fn->nslots + 1, sizeof(*def));
	if (ty == NULL || def == NULL) {
		free(ty);
		free(def);
		return SPU_ENOMEM;
	}
	for (uint32_t i = 0; i < fn->ninsns; i++) {
		const struct spu_insn *in = &fn->insns[i];
		int ok = in->nin <= SPU_BC_MAX_OPERANDS;

		for (uint32_t j = 0; ok && j < in->nin; j++)
			ok = in->in[j] < fn->nslots &&
			    (op[j] = ty[in->in[j]]) != NULL;
		if (ok)
			cost_insn(c, in, op, def, fn->nslots);
		/* a generic reducer runs its region once per element
		 * folded: count its elements that often */
		if (ok && fc != NULL && in->nfunc == 1 && in->nin >= 2 &&
		    in->nout >= 1 && in->func[0] < p->nfuncs &&
		    (in->op == SPU_OP_REDUCE ||
		    in->op == SPU_OP_REDUCE_WINDOW) &&
		    attr1(in, SPU_ATTR_REDUCER, 0) == SPU_REDUCE_CALL &&
		    secret(op[0])) {
			const struct stats_cost *rc = &fc[in->func[0]];
			uint64_t a = numel(op[0]), b = numel(&in->type[0]);
			uint64_t folds = a > b ? a - b : 0;

			c->smul_el += folds * rc->smul_el;
			c->cmp_el += folds * rc->cmp_el;
			c->trunc_el += folds * rc->trunc_el;
			c->nonlin_el += folds * rc->nonlin_el;
		}
		for (uint32_t k = 0; k < in->nout; k++)
			if (in->out[k] < fn->nslots) {
				ty[in->out[k]] = &in->type[k];
				def[in->out[k]] = in->nout == 1 ? in : NULL;
			}
	}
	free(ty);
	free(def);
	return 0;
}

int
stats_cost(const struct spu_program *p, struct stats_cost *c)
{
	struct stats_cost *fc;
	int err = 0;

	memset(c, 0, sizeof(*c));
	stats_count(p, c->counts, &c->insns);
	if ((fc = spu_calloc(p->nfuncs + 1, sizeof(*fc))) == NULL)
		return SPU_ENOMEM;
	/* each function alone, then with its regions' runs weighted */
	for (uint32_t f = 0; f < p->nfuncs && err == 0; f++)
		err = func_cost(p, f, &fc[f], NULL);
	for (uint32_t f = 0; f < p->nfuncs && err == 0; f++) {
		struct stats_cost one;

		memset(&one, 0, sizeof(one));
		err = func_cost(p, f, &one, fc);
		c->smul += one.smul;
		c->smul_el += one.smul_el;
		c->cmp += one.cmp;
		c->cmp_el += one.cmp_el;
		c->trunc += one.trunc;
		c->trunc_el += one.trunc_el;
		c->nonlin += one.nonlin;
		c->nonlin_el += one.nonlin_el;
		c->squares += one.squares;
		c->logistic += one.logistic;
		c->softmax += one.softmax;
		c->softmax_max += one.softmax_max;
	}
	free(fc);
	return err;
}

void
stats_header(FILE *f)
{
	fprintf(f, "%-12s %7s %6s %14s %6s %12s %6s %12s %6s %12s  %s\n",
	    "pass", "insns", "smul", "smul_elems", "cmp", "cmp_elems", "trunc",
	    "trunc_elems", "nonlin", "nonlin_elems", "changes");
}

void
stats_row(FILE *f, const char *pass, const struct stats_cost *c,
    const struct stats_cost *prev)
{
	fprintf(f, "%-12s %7u %6llu %14llu %6llu %12llu %6llu %12llu %6llu "
	    "%12llu ", pass, c->insns, (unsigned long long)c->smul,
	    (unsigned long long)c->smul_el, (unsigned long long)c->cmp,
	    (unsigned long long)c->cmp_el, (unsigned long long)c->trunc,
	    (unsigned long long)c->trunc_el, (unsigned long long)c->nonlin,
	    (unsigned long long)c->nonlin_el);
	if (prev == NULL) {
		fputs(" -\n", f);
		return;
	}
	{
		int any = 0;

		for (int op = 0; op < SPU_OP_COUNT; op++) {
			long long dlt = (long long)c->counts[op] -
			    (long long)prev->counts[op];

			if (dlt != 0) {
				fprintf(f, " %s%+lld", spu_op_name(op), dlt);
				any = 1;
			}
		}
		if (!any)
			fputs(" =", f);
	}
	fputc('\n', f);
}

void
stats_print(FILE *f, const struct spu_program *p)
{
	struct stats_cost c;

	if (stats_cost(p, &c) != 0)
		memset(&c, 0, sizeof(c));
	fprintf(f, "%-20s %8s\n", "op", "count");
	for (int op = 0; op < SPU_OP_COUNT; op++)
		if (c.counts[op] > 0)
			fprintf(f, "%-20s %8u\n", spu_op_name(op),
			    c.counts[op]);
	fprintf(f, "%-20s %8u\n", "total", c.insns);
	fprintf(f, "\npatterns: %u squares (x*x, one slot), %u logistic, "
	    "%u softmax (%u with the max subtracted)\n", c.squares,
	    c.logistic, c.softmax, c.softmax_max);
}
