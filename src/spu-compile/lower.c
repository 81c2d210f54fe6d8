/*
 * lower.c - HLO IR to bytecode: the driver (entry function, regions as
 * functions, calls inlined), the instruction builder, and the lowering of
 * elementwise, constant and layout instructions.  Heavier instructions
 * are in lower_ops.c and lower_ctl.c.
 *
 * Every HLO instruction becomes zero or more bytecode instructions whose
 * results are the instruction's flattened leaves (struct lval): tuples
 * and get-tuple-element only move slots around at compile time, and
 * identities (same-shape reshape, identity transpose, convert to the same
 * type, copy) cost nothing.  f16 and bf16 become f32: all floats are
 * fixed point in the VM.  Anything the VM cannot run is refused with
 * "FILE:LINE:COL: unsupported: <what>".
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "mem.h"

int
lw_nomem(struct lctx *cx)
{
	return spu_fail(cx->L->d, SPU_ENOMEM, "%s: out of memory",
	    cx->L->m->file);
}

int
lw_bad(struct lctx *cx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hlo_fail(cx->L->d, SPU_EFORMAT, cx->L->m->file, cx->in->oploc,
	    "%s '%s': %s", cx->in->opname, cx->in->name, msg);
}

int
lw_unsupp(struct lctx *cx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hlo_fail(cx->L->d, SPU_EUNSUPP, cx->L->m->file, cx->in->oploc,
	    "unsupported: %s", msg);
}

/* HLO element type to the bytecode's: f16/bf16 compute as f32. */
static int
map_dtype(int t)
{
	if (t == SPU_F16 || t == SPU_BF16)
		return SPU_F32;
	return t >= 0 && t < SPU_DTYPE_COUNT ? t : -1;
}

int
lw_type(struct lctx *cx, const struct hlo_shape *s, uint8_t vis,
    struct spu_type *t)
{
	int dt = map_dtype(s->dtype);

	memset(t, 0, sizeof(*t));
	if (s->tuple)
		return lw_bad(cx, "unexpected tuple");
	if (dt < 0)
		return lw_unsupp(cx, "element type %s", s->dtname);
	if (s->dynamic)
		return lw_unsupp(cx, "dynamic shape");
	if (s->overrank)
		return lw_unsupp(cx, "rank %d (at most %d)",
		    s->ndim + s->overrank, SPU_MAX_DIMS);
	t->dtype = (enum spu_dtype)dt;
	t->vis = vis ? SPU_SECRET : SPU_PUBLIC;
	t->shape.ndim = s->ndim;
	memcpy(t->shape.dim, s->dim, sizeof(t->shape.dim));
	if (spu_shape_numel(&t->shape) < 0)
		return lw_unsupp(cx, "more than %lld elements",
		    (long long)SPU_MAX_ELEMS);
	return 0;
}

int
lw_res_type(struct lctx *cx, uint32_t j, struct spu_type *t)
{
	const struct hlo_shape *s = hlo_shape_leaf(&cx->in->shape, j);

	if (s == NULL)
		return lw_bad(cx, "no result %u", j);
	return lw_type(cx, s, cx->vi->v[cx->cur][j], t);
}

int
lw_arr(struct lctx *cx, uint32_t k, uint32_t *slot, struct spu_type *t)
{
	const struct lval *v;

	if (k >= cx->in->nopnd)
		return lw_bad(cx, "missing operand %u", k);
	v = &cx->val[cx->in->opnd[k]];
	if (v->n != 1)
		return lw_bad(cx, "operand %u must be an array", k);
	*slot = v->slot[0];
	*t = v->type[0];
	return 0;
}

struct spu_insn *
lw_emit(struct lctx *cx, enum spu_op op, const uint32_t *in, uint32_t nin,
    const struct spu_type *types, uint32_t nout)
{
	struct fbuild *fb = cx->fb;
	struct spu_insn *ins, *ni;

	if ((nin > SPU_BC_MAX_OPERANDS || nout > SPU_BC_MAX_OPERANDS) &&
	    cx->in != NULL) {
		lw_unsupp(cx, "more than %d operands or results",
		    SPU_BC_MAX_OPERANDS);
		return NULL;
	}
	if (fb->f.ninsns == fb->cap) {
		uint32_t cap = fb->cap ? fb->cap * 2 : 64;

		if (fb->f.ninsns >= SPU_BC_MAX_INSNS ||
		    (ni = spu_realloc(fb->f.insns, cap, sizeof(*ni))) == NULL) {
			lw_nomem(cx);
			return NULL;
		}
		fb->f.insns = ni;
		fb->cap = cap;
	}
	if (fb->f.nslots > SPU_BC_MAX_INSNS - nout) {
		spu_fail(cx->L->d, SPU_ELIMIT, "%s: function %s needs more "
		    "than %u values", cx->L->m->file, cx->c->name,
		    SPU_BC_MAX_INSNS);
		return NULL;
	}
	ins = &fb->f.insns[fb->f.ninsns];
	memset(ins, 0, sizeof(*ins));
	ins->op = op;
	ins->line = cx->in != NULL ? cx->in->oploc.line : 0;
	if ((nin > 0 && (ins->in = spu_malloc(nin, sizeof(*in))) == NULL) ||
	    (nout > 0 && ((ins->out = spu_malloc(nout, sizeof(uint32_t))) ==
	    NULL || (ins->type = spu_malloc(nout, sizeof(*types))) ==
	    NULL))) {
		free(ins->in);
		free(ins->out);
		lw_nomem(cx);
		return NULL;
	}
	fb->f.ninsns++;
	ins->nin = nin;
	if (nin > 0)
		memcpy(ins->in, in, nin * sizeof(*in));
	ins->nout = nout;
	for (uint32_t k = 0; k < nout; k++) {
		ins->out[k] = fb->f.nslots++;
		ins->type[k] = types[k];
	}
	return ins;
}

int
lw_emit1(struct lctx *cx, enum spu_op op, const uint32_t *in, uint32_t nin,
    const struct spu_type *t, uint32_t *slot, struct spu_insn **ip)
{
	struct spu_insn *ins = lw_emit(cx, op, in, nin, t, 1);

	if (ins == NULL)
		return SPU_ENOMEM;
	*slot = ins->out[0];
	if (ip != NULL)
		*ip = ins;
	return 0;
}

int
lw_attr(struct lctx *cx, struct spu_insn *ins, enum spu_attr_key k,
    const int64_t *v, uint32_t n)
{
	struct spu_attr *na;
	uint32_t pos;

	if (n > SPU_BC_MAX_ATTR_LEN)
		return lw_unsupp(cx, "attribute with %u values", n);
	if ((na = spu_realloc(ins->attr, ins->nattr + 1, sizeof(*na))) ==
	    NULL)
		return lw_nomem(cx);
	ins->attr = na;
	for (pos = 0; pos < ins->nattr && na[pos].key < k; pos++)
		;
	memmove(&na[pos + 1], &na[pos], (ins->nattr - pos) * sizeof(*na));
	ins->nattr++;
	na[pos].key = k;
	na[pos].n = n;
	na[pos].v = NULL;
	if (n > 0) {
		if ((na[pos].v = spu_malloc(n, sizeof(int64_t))) == NULL)
			return lw_nomem(cx);
		memcpy(na[pos].v, v, n * sizeof(int64_t));
	}
	return 0;
}

int
lw_attr1(struct lctx *cx, struct spu_insn *ins, enum spu_attr_key k,
    int64_t v)
{
	return lw_attr(cx, ins, k, &v, 1);
}

int
lw_funcs(struct lctx *cx, struct spu_insn *ins, const uint32_t *f,
    uint32_t n)
{
	if ((ins->func = spu_malloc(n ? n : 1, sizeof(uint32_t))) == NULL)
		return lw_nomem(cx);
	memcpy(ins->func, f, n * sizeof(uint32_t));
	ins->nfunc = n;
	return 0;
}

int
lw_set(struct lctx *cx, const uint32_t *slots, const struct spu_type *types,
    uint32_t n)
{
	struct lval *v = &cx->val[cx->cur];

	if (n != cx->in->shape.nleaves)
		return lw_bad(cx, "produces %u values, its shape has %u", n,
		    cx->in->shape.nleaves);
	if ((v->slot = spu_malloc(n ? n : 1, sizeof(uint32_t))) == NULL ||
	    (v->type = spu_malloc(n ? n : 1, sizeof(*types))) == NULL)
		return lw_nomem(cx);
	v->n = n;
	memcpy(v->slot, slots, n * sizeof(uint32_t));
	memcpy(v->type, types, n * sizeof(*types));
	return 0;
}

int
lw_set1(struct lctx *cx, uint32_t slot, const struct spu_type *t)
{
	return lw_set(cx, &slot, t, 1);
}

int
lw_ints(struct lctx *cx, const char *name, int required, int64_t **v,
    uint32_t *n)
{
	const struct hlo_attr *a = hlo_attr_find(cx->in, name);
	static int64_t none;

	if (a == NULL) {
		if (required)
			return lw_bad(cx, "needs %s=", name);
		*v = &none;
		*n = 0;
		return 0;
	}
	return hlo_attr_ints(cx->L->m, a, v, n, cx->L->d);
}

int
lw_int(struct lctx *cx, const char *name, int required, int64_t dflt,
    int64_t *v)
{
	const struct hlo_attr *a = hlo_attr_find(cx->in, name);

	if (a == NULL) {
		if (required)
			return lw_bad(cx, "needs %s=", name);
		*v = dflt;
		return 0;
	}
	return hlo_attr_int(cx->L->m, a, v, cx->L->d);
}

int
lw_reshape(struct lctx *cx, uint32_t x, const struct spu_type *xt,
    const struct spu_shape *to, uint32_t *out, struct spu_type *ot)
{
	struct spu_type t = *xt;

	int same = spu_shape_eq(&xt->shape, to);

	t.shape = *to;
	if (spu_shape_numel(to) != spu_shape_numel(&xt->shape))
		return lw_bad(cx, "reshape changes the element count");
	*ot = t;	/* ot may be xt */
	if (same) {
		*out = x;
		return 0;
	}
	return lw_emit1(cx, SPU_OP_RESHAPE, &x, 1, &t, out, NULL);
}

int
lw_transpose(struct lctx *cx, uint32_t x, const struct spu_type *xt,
    const int *perm, uint32_t *out, struct spu_type *ot)
{
	struct spu_type t = *xt;
	struct spu_insn *ins;
	int64_t p[SPU_MAX_DIMS];
	int id = 1, n = xt->shape.ndim;

	for (int i = 0; i < n; i++) {
		p[i] = perm[i];
		t.shape.dim[i] = xt->shape.dim[perm[i]];
		id &= perm[i] == i;
	}
	*ot = t;
	if (id) {
		*out = x;
		return 0;
	}
	if (lw_emit1(cx, SPU_OP_TRANSPOSE, &x, 1, &t, out, &ins) != 0)
		return SPU_ENOMEM;
	return lw_attr(cx, ins, SPU_ATTR_PERM, p, (uint32_t)n);
}

int
lw_broadcast(struct lctx *cx, uint32_t x, const struct spu_type *xt,
    const struct spu_shape *to, const int64_t *dims, uint32_t *out)
{
	struct spu_type t = *xt;
	struct spu_insn *ins;

	t.shape = *to;
	if (spu_shape_eq(&xt->shape, to)) {
		int id = 1;

		for (int i = 0; i < to->ndim; i++)
			id &= dims[i] == i;
		if (id) {
			*out = x;
			return 0;
		}
	}
	if (lw_emit1(cx, SPU_OP_BROADCAST, &x, 1, &t, out, &ins) != 0)
		return SPU_ENOMEM;
	return lw_attr(cx, ins, SPU_ATTR_DIMS, dims,
	    (uint32_t)xt->shape.ndim);
}

int
lw_convert(struct lctx *cx, uint32_t x, const struct spu_type *xt,
    enum spu_dtype to, uint32_t *out, struct spu_type *ot)
{
	int same = xt->dtype == to;

	*ot = *xt;	/* ot may be xt */
	ot->dtype = to;
	if (same) {
		*out = x;
		return 0;
	}
	return lw_emit1(cx, SPU_OP_CONVERT, &x, 1, ot, out, NULL);
}

/* Operand k brought to the result shape (scalars broadcast). */
static int
operand_as(struct lctx *cx, uint32_t k, const struct spu_shape *to,
    uint32_t *slot, struct spu_type *t)
{
	int64_t none = 0;
	int err;

	if ((err = lw_arr(cx, k, slot, t)) != 0)
		return err;
	if (spu_shape_eq(&t->shape, to))
		return 0;
	if (t->shape.ndim != 0)
		return lw_bad(cx, "operand %u has a different shape", k);
	if ((err = lw_broadcast(cx, *slot, t, to, &none, slot)) != 0)
		return err;
	t->shape = *to;
	return 0;
}

static const struct {
	enum hlo_op h;
	enum spu_op s;
} elementwise[] = {
	{ HLO_ADD, SPU_OP_ADD }, { HLO_SUBTRACT, SPU_OP_SUB },
	{ HLO_MULTIPLY, SPU_OP_MUL }, { HLO_DIVIDE, SPU_OP_DIV },
	{ HLO_MAXIMUM, SPU_OP_MAX }, { HLO_MINIMUM, SPU_OP_MIN },
	{ HLO_POWER, SPU_OP_POW }, { HLO_REMAINDER, SPU_OP_REM },
	{ HLO_AND, SPU_OP_AND }, { HLO_OR, SPU_OP_OR },
	{ HLO_XOR, SPU_OP_XOR }, { HLO_SHL, SPU_OP_SHL },
	{ HLO_SHRA, SPU_OP_SHR_ARITH }, { HLO_SHRL, SPU_OP_SHR_LOGIC },
	{ HLO_ATAN2, SPU_OP_ATAN2 }, { HLO_NEGATE, SPU_OP_NEG },
	{ HLO_NOT, SPU_OP_NOT }, { HLO_ABS, SPU_OP_ABS },
	{ HLO_SIGN, SPU_OP_SIGN }, { HLO_EXP, SPU_OP_EXP },
	{ HLO_EXPM1, SPU_OP_EXPM1 }, { HLO_LOG, SPU_OP_LOG },
	{ HLO_LOG1P, SPU_OP_LOG1P }, { HLO_SQRT, SPU_OP_SQRT },
	{ HLO_RSQRT, SPU_OP_RSQRT }, { HLO_TANH, SPU_OP_TANH },
	{ HLO_LOGISTIC, SPU_OP_LOGISTIC }, { HLO_SINE, SPU_OP_SIN },
	{ HLO_COSINE, SPU_OP_COS }, { HLO_FLOOR, SPU_OP_FLOOR },
	{ HLO_CEIL, SPU_OP_CEIL }, { HLO_ROUND_AFZ, SPU_OP_ROUND },
	{ HLO_ROUND_EVEN, SPU_OP_ROUND_EVEN }, { HLO_ERF, SPU_OP_ERF },
	{ HLO_IS_FINITE, SPU_OP_IS_FINITE }, { HLO_POPCNT, SPU_OP_POPCNT },
	{ HLO_SELECT, SPU_OP_SELECT }, { HLO_CLAMP, SPU_OP_CLAMP },
};

static int
lower_elementwise(struct lctx *cx, enum spu_op op)
{
	uint32_t in[3], slot, k, n = cx->in->nopnd;
	struct spu_type rt, t;
	int err;

	if ((err = lw_res_type(cx, 0, &rt)) != 0)
		return err;
	if (n != (uint32_t)spu_op_min_inputs(op))
		return lw_bad(cx, "takes %d operands, has %u",
		    spu_op_min_inputs(op), n);
	for (k = 0; k < n; k++)
		if ((err = operand_as(cx, k, &rt.shape, &in[k], &t)) != 0)
			return err;
	if (rt.dtype == SPU_PRED) {	/* XLA's pred arithmetic */
		if (op == SPU_OP_ADD || op == SPU_OP_MAX)
			op = SPU_OP_OR;
		else if (op == SPU_OP_MUL || op == SPU_OP_MIN)
			op = SPU_OP_AND;
		else if (op == SPU_OP_SUB)
			op = SPU_OP_XOR;
	}
	if ((err = lw_emit1(cx, op, in, n, &rt, &slot, NULL)) != 0)
		return err;
	return lw_set1(cx, slot, &rt);
}

static int
lower_compare(struct lctx *cx)
{
	static const struct {
		const char *dir;
		enum spu_op op;
	} dirs[] = { { "EQ", SPU_OP_EQ }, { "NE", SPU_OP_NE },
	    { "LT", SPU_OP_LT }, { "LE", SPU_OP_LE }, { "GT", SPU_OP_GT },
	    { "GE", SPU_OP_GE } };
	const struct hlo_attr *a = hlo_attr_find(cx->in, "direction");
	const char *dir;
	uint32_t in[2], slot;
	struct spu_type rt, t0, t1;
	int err;

	if (a == NULL)
		return lw_bad(cx, "needs direction=");
	if ((err = hlo_attr_word(cx->L->m, a, &dir, cx->L->d)) != 0)
		return err;
	if ((err = lw_res_type(cx, 0, &rt)) != 0)
		return err;
	if (cx->in->nopnd != 2)
		return lw_bad(cx, "takes 2 operands");
	if ((err = lw_arr(cx, 0, &in[0], &t0)) != 0 ||
	    (err = lw_arr(cx, 1, &in[1], &t1)) != 0)
		return err;
	if (!spu_shape_eq(&t0.shape, &t1.shape) ||
	    !spu_shape_eq(&t0.shape, &rt.shape))
		return lw_bad(cx, "operand shapes differ");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strcmp(dir, dirs[i].dir) == 0) {
			if ((err = lw_emit1(cx, dirs[i].op, in, 2, &rt, &slot,
			    NULL)) != 0)
				return err;
			return lw_set1(cx, slot, &rt);
		}
	return lw_bad(cx, "unknown direction %s", dir);
}

static int
lower_constant(struct lctx *cx)
{
	struct hlo_instr *in = cx->in;
	uint32_t n = in->shape.nleaves, *slots = NULL, j;
	struct spu_type *types = NULL;
	struct spu_insn *ins;
	int err = 0;

	if (in->nlit != n)
		return lw_unsupp(cx, "constant of type %s",
		    hlo_shape_leaf(&in->shape, 0) != NULL ?
		    hlo_shape_leaf(&in->shape, 0)->dtname : "?");
	if ((slots = spu_calloc(n ? n : 1, sizeof(*slots))) == NULL ||
	    (types = spu_calloc(n ? n : 1, sizeof(*types))) == NULL) {
		err = lw_nomem(cx);
		goto out;
	}
	for (j = 0; j < n; j++) {
		const struct hlo_lit *l = &in->lit[j];

		if ((err = lw_res_type(cx, j, &types[j])) != 0)
			goto out;
		if ((err = lw_emit1(cx, SPU_OP_CONST, NULL, 0, &types[j],
		    &slots[j], &ins)) != 0)
			goto out;
		if (l->n == 0)
			continue;
		if (spu_dtype_is_float(types[j].dtype)) {
			if ((ins->lit_f = spu_malloc(l->n, sizeof(double))) ==
			    NULL || l->f == NULL) {
				err = lw_nomem(cx);
				goto out;
			}
			memcpy(ins->lit_f, l->f, l->n * sizeof(double));
		} else {
			if ((ins->lit_i = spu_malloc(l->n, sizeof(int64_t))) ==
			    NULL || l->i == NULL) {
				err = lw_nomem(cx);
				goto out;
			}
			memcpy(ins->lit_i, l->i, l->n * sizeof(int64_t));
		}
	}
	err = lw_set(cx, slots, types, n);
out:
	free(slots);
	free(types);
	return err;
}

/* A result that is operand 0's leaves (copy, opt-barrier, ...). */
static int
alias(struct lctx *cx, uint32_t k)
{
	const struct lval *v = &cx->val[cx->in->opnd[k]];

	return lw_set(cx, v->slot, v->type, v->n);
}

static int
lower_tuple(struct lctx *cx)
{
	uint32_t n = cx->in->shape.nleaves, off = 0, *slots;
	struct spu_type *types;
	int err;

	slots = spu_calloc(n ? n : 1, sizeof(*slots));
	types = spu_calloc(n ? n : 1, sizeof(*types));
	if (slots == NULL || types == NULL) {
		free(slots);
		free(types);
		return lw_nomem(cx);
	}
	for (uint32_t k = 0; k < cx->in->nopnd; k++) {
		const struct lval *v = &cx->val[cx->in->opnd[k]];

		if (off + v->n > n)
			break;
		memcpy(slots + off, v->slot, v->n * sizeof(*slots));
		memcpy(types + off, v->type, v->n * sizeof(*types));
		off += v->n;
	}
	err = off == n ? lw_set(cx, slots, types, n) :
	    lw_bad(cx, "operands do not match the tuple shape");
	free(slots);
	free(types);
	return err;
}

static int
lower_gte(struct lctx *cx)
{
	const struct hlo_shape *os = &cx->c->instr[cx->in->opnd[0]].shape;
	const struct lval *v = &cx->val[cx->in->opnd[0]];
	uint32_t first;
	int64_t idx;
	int err;

	if ((err = lw_int(cx, "index", 1, 0, &idx)) != 0)
		return err;
	if (!os->tuple || idx < 0 || idx >= os->nelem)
		return lw_bad(cx, "index out of range");
	first = hlo_shape_elem_first_leaf(os, (uint32_t)idx);
	if (first + cx->in->shape.nleaves > v->n)
		return lw_bad(cx, "index out of range");
	return lw_set(cx, v->slot + first, v->type + first,
	    cx->in->shape.nleaves);
}

static int
check_dims(struct lctx *cx, const int64_t *d, uint32_t n, int rank,
    int distinct)
{
	uint32_t seen = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (d[i] < 0 || d[i] >= rank)
			return lw_bad(cx, "dimension %lld out of range",
			    (long long)d[i]);
		if (distinct && (seen & (1u << d[i])))
			return lw_bad(cx, "dimension %lld repeated",
			    (long long)d[i]);
		seen |= 1u << d[i];
	}
	return 0;
}

static int
lower_layout(struct lctx *cx)
{
	uint32_t x, slot, n;
	struct spu_type xt, rt, t;
	struct spu_insn *ins;
	int64_t *d, dim;
	int perm[SPU_MAX_DIMS], err;

	if ((err = lw_res_type(cx, 0, &rt)) != 0)
		return err;
	if (cx->in->op != HLO_IOTA && (err = lw_arr(cx, 0, &x, &xt)) != 0)
		return err;
	switch (cx->in->op) {
	case HLO_RESHAPE:
		if ((err = lw_reshape(cx, x, &xt, &rt.shape, &slot, &t)) != 0)
			return err;
		break;
	case HLO_TRANSPOSE:
		if ((err = lw_ints(cx, "dimensions", 1, &d, &n)) != 0)
			return err;
		if (n != (uint32_t)xt.shape.ndim || n != (uint32_t)rt.shape.ndim ||
		    (err = check_dims(cx, d, n, (int)n, 1)) != 0)
			return err ? err : lw_bad(cx, "bad permutation");
		for (uint32_t i = 0; i < n; i++)
			perm[i] = (int)d[i];
		if ((err = lw_transpose(cx, x, &xt, perm, &slot, &t)) != 0)
			return err;
		if (!spu_shape_eq(&t.shape, &rt.shape))
			return lw_bad(cx, "result shape does not match");
		break;
	case HLO_BROADCAST:
		if ((err = lw_ints(cx, "dimensions", 1, &d, &n)) != 0)
			return err;
		if (n != (uint32_t)xt.shape.ndim ||
		    (err = check_dims(cx, d, n, rt.shape.ndim, 1)) != 0)
			return err ? err : lw_bad(cx, "needs one dimension "
			    "per operand dimension");
		for (uint32_t i = 0; i < n; i++)
			if (xt.shape.dim[i] != rt.shape.dim[d[i]] &&
			    xt.shape.dim[i] != 1)
				return lw_bad(cx, "operand dimension %u does "
				    "not fit", i);
		if ((err = lw_broadcast(cx, x, &xt, &rt.shape, d, &slot)) != 0)
			return err;
		t = xt;
		t.shape = rt.shape;
		break;
	case HLO_REVERSE:
		if ((err = lw_ints(cx, "dimensions", 1, &d, &n)) != 0 ||
		    (err = check_dims(cx, d, n, xt.shape.ndim, 1)) != 0)
			return err;
		t = xt;
		if (n == 0) {
			slot = x;
			break;
		}
		if ((err = lw_emit1(cx, SPU_OP_REVERSE, &x, 1, &xt, &slot,
		    &ins)) != 0 || (err = lw_attr(cx, ins, SPU_ATTR_DIMS, d,
		    n)) != 0)
			return err;
		break;
	case HLO_IOTA:
		if ((err = lw_int(cx, "iota_dimension", 1, 0, &dim)) != 0)
			return err;
		if (dim < 0 || dim >= rt.shape.ndim)
			return lw_bad(cx, "iota_dimension out of range");
		rt.vis = SPU_PUBLIC;
		if ((err = lw_emit1(cx, SPU_OP_IOTA, NULL, 0, &rt, &slot,
		    &ins)) != 0 || (err = lw_attr1(cx, ins, SPU_ATTR_DIMS,
		    dim)) != 0)
			return err;
		return lw_set1(cx, slot, &rt);
	case HLO_CONVERT:
		if (!spu_shape_eq(&xt.shape, &rt.shape))
			return lw_bad(cx, "convert changes the shape");
		if ((err = lw_convert(cx, x, &xt, rt.dtype, &slot, &t)) != 0)
			return err;
		break;
	case HLO_BITCAST_CONVERT: {
		int from = cx->c->instr[cx->in->opnd[0]].shape.dtype;
		int to = cx->in->shape.dtype;

		if (from == SPU_F16 || from == SPU_BF16 || to == SPU_F16 ||
		    to == SPU_BF16 || spu_dtype_size(from) !=
		    spu_dtype_size(to) || !spu_shape_eq(&xt.shape, &rt.shape))
			return lw_unsupp(cx, "bitcast-convert from %s to %s",
			    spu_dtype_name(from), spu_dtype_name(to));
		t = rt;
		t.vis = xt.vis;
		if (xt.dtype == rt.dtype)
			slot = x;
		else if ((err = lw_emit1(cx, SPU_OP_BITCAST_CONVERT, &x, 1,
		    &t, &slot, NULL)) != 0)
			return err;
		break;
	}
	default:
		return lw_bad(cx, "internal: not a layout op");
	}
	return lw_set1(cx, slot, &t);
}

int
lw_instr(struct lctx *cx)
{
	enum hlo_op op = cx->in->op;

	for (size_t i = 0; i < sizeof(elementwise) / sizeof(elementwise[0]);
	    i++)
		if (elementwise[i].h == op)
			return lower_elementwise(cx, elementwise[i].s);
	switch (op) {
	case HLO_PARAMETER:
		return 0;	/* bound by lw_body */
	case HLO_CONSTANT:
		return lower_constant(cx);
	case HLO_COMPARE:
		return lower_compare(cx);
	case HLO_COPY:
	case HLO_OPT_BARRIER:
		if (cx->in->nopnd != 1)
			return lw_bad(cx, "takes one operand");
		return alias(cx, 0);
	case HLO_TUPLE:
		return lower_tuple(cx);
	case HLO_GTE:
		return lower_gte(cx);
	case HLO_RESHAPE:
	case HLO_TRANSPOSE:
	case HLO_BROADCAST:
	case HLO_REVERSE:
	case HLO_IOTA:
	case HLO_CONVERT:
	case HLO_BITCAST_CONVERT:
		return lower_layout(cx);
	case HLO_DOT:
		return lw_dot(cx);
	case HLO_CONVOLUTION:
		return lw_conv(cx);
	case HLO_GATHER:
		return lw_gather(cx);
	case HLO_SCATTER:
		return lw_scatter(cx);
	case HLO_REDUCE:
		return lw_reduce(cx);
	case HLO_REDUCE_WINDOW:
		return lw_reduce_window(cx);
	case HLO_SELECT_AND_SCATTER:
		return lw_select_and_scatter(cx);
	case HLO_SLICE:
		return lw_slice(cx);
	case HLO_PAD:
		return lw_pad(cx);
	case HLO_CONCAT:
		return lw_concat(cx);
	case HLO_DYN_SLICE:
		return lw_dyn_slice(cx, 0);
	case HLO_DYN_UPDATE_SLICE:
		return lw_dyn_slice(cx, 1);
	case HLO_WHILE:
		return lw_while(cx);
	case HLO_CONDITIONAL:
		return lw_cond(cx);
	case HLO_CALL:
		return lw_call(cx);
	case HLO_MAP:
		return lw_map(cx);
	case HLO_SORT:
		return lw_sort(cx);
	case HLO_CUSTOM_CALL:
		return lw_custom_call(cx);
	case HLO_ALL_REDUCE:
		return lw_all_reduce(cx);
	default:
		return lw_unsupp(cx, "%s", cx->in->opname);
	}
}

