/*
 * pass_fold.c - constant folding of public subgraphs, where cheap.
 *
 * An instruction whose operands are all CONST (or folded earlier), whose
 * result is PUBLIC and has at most FOLD_MAX elements, and whose opcode is
 * elementwise arithmetic, a comparison, select/clamp, convert, or a
 * layout op (broadcast, reshape, transpose, slice, iota), is evaluated
 * here and replaced by a CONST.  Floats are computed in double (public
 * values may be computed exactly and re-encoded); integers wrap to their
 * width as XLA's do.  Integer division by 0 or -1 is left to the VM.
 * Operands left unused are removed by pass_dce.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "mem.h"

#define FOLD_MAX 4096

static int64_t
wrap(enum spu_dtype t, int64_t v)
{
	switch (t) {
	case SPU_PRED: return v != 0;
	case SPU_S8: return (int8_t)v;
	case SPU_S16: return (int16_t)v;
	case SPU_S32: return (int32_t)v;
	case SPU_U8: return (uint8_t)v;
	case SPU_U16: return (uint16_t)v;
	case SPU_U32: return (uint32_t)v;
	default: return v;
	}
}

static int
isf(enum spu_dtype t)
{
	return spu_dtype_is_float(t);
}

static double
getf(const struct spu_insn *c, size_t i)
{
	if (c->lit_f != NULL)
		return c->lit_f[i];
	if (c->type[0].dtype == SPU_U64)
		return (double)(uint64_t)c->lit_i[i];
	return (double)c->lit_i[i];
}

static int64_t
geti(const struct spu_insn *c, size_t i)
{
	return c->lit_i != NULL ? c->lit_i[i] : (int64_t)c->lit_f[i];
}

/* float -> integer of dtype t: toward zero, saturating, NaN -> 0 */
static int64_t
f2i(enum spu_dtype t, double v)
{
	static const double lim[][2] = {
		[SPU_S8] = { -128.0, 127.0 }, [SPU_S16] = { -32768.0, 32767.0 },
		[SPU_S32] = { -2147483648.0, 2147483647.0 },
		[SPU_S64] = { -9223372036854775808.0, 9223372036854774784.0 },
		[SPU_U8] = { 0, 255.0 }, [SPU_U16] = { 0, 65535.0 },
		[SPU_U32] = { 0, 4294967295.0 },
		[SPU_U64] = { 0, 18446744073709549568.0 },
	};

	if (t == SPU_PRED)
		return v != 0;
	if (isnan(v))
		return 0;
	v = trunc(v);
	if (v < lim[t][0])
		v = lim[t][0];
	if (v > lim[t][1])
		v = lim[t][1];
	if (t == SPU_U64)
		return (int64_t)(uint64_t)v;
	return (int64_t)v;
}

static void
strides(const struct spu_shape *s, int64_t *st)
{
	int64_t m = 1;

	for (int i = s->ndim; i-- > 0;) {
		st[i] = m;
		m *= s->dim[i];
	}
}

static int
foldable(enum spu_op op)
{
	switch (op) {
	case SPU_OP_ADD: case SPU_OP_SUB: case SPU_OP_MUL: case SPU_OP_DIV:
	case SPU_OP_REM: case SPU_OP_MAX: case SPU_OP_MIN: case SPU_OP_NEG:
	case SPU_OP_ABS: case SPU_OP_SIGN: case SPU_OP_EXP: case SPU_OP_LOG:
	case SPU_OP_SQRT: case SPU_OP_RSQRT: case SPU_OP_TANH:
	case SPU_OP_LOGISTIC: case SPU_OP_FLOOR: case SPU_OP_CEIL:
	case SPU_OP_ROUND: case SPU_OP_ROUND_EVEN: case SPU_OP_POW:
	case SPU_OP_EQ: case SPU_OP_NE: case SPU_OP_LT: case SPU_OP_LE:
	case SPU_OP_GT: case SPU_OP_GE: case SPU_OP_AND: case SPU_OP_OR:
	case SPU_OP_XOR: case SPU_OP_NOT: case SPU_OP_SELECT:
	case SPU_OP_CLAMP: case SPU_OP_CONVERT: case SPU_OP_BROADCAST:
	case SPU_OP_RESHAPE: case SPU_OP_TRANSPOSE: case SPU_OP_SLICE:
	case SPU_OP_IOTA:
		return 1;
	default:
		return 0;
	}
}

static int
is_layout(enum spu_op op)
{
	return op == SPU_OP_RESHAPE || op == SPU_OP_BROADCAST ||
	    op == SPU_OP_TRANSPOSE || op == SPU_OP_SLICE || op == SPU_OP_IOTA;
}

/* Source element of operand 0 for result element r of a layout op;
 * -1 if not a layout op. */
static int64_t
layout_src(const struct spu_insn *in, const struct spu_shape *src,
    int64_t r)
{
	const struct spu_shape *rs = &in->type[0].shape;
	int64_t rst[SPU_MAX_DIMS], sst[SPU_MAX_DIMS], idx[SPU_MAX_DIMS], s = 0;
	const struct spu_attr *a;

	if (!is_layout(in->op))
		return -1;
	strides(rs, rst);
	if (src != NULL)
		strides(src, sst);
	for (int i = 0; i < rs->ndim; i++)
		idx[i] = rst[i] > 0 && rs->dim[i] > 0 ?
		    (r / rst[i]) % rs->dim[i] : 0;
	switch (in->op) {
	case SPU_OP_RESHAPE:
		return r;
	case SPU_OP_BROADCAST:
		a = spu_insn_attr(in, SPU_ATTR_DIMS);
		for (int i = 0; i < src->ndim; i++)
			if (src->dim[i] != 1)
				s += idx[a->v[i]] * sst[i];
		return s;
	case SPU_OP_TRANSPOSE:
		a = spu_insn_attr(in, SPU_ATTR_PERM);
		for (int i = 0; i < rs->ndim; i++)
			s += idx[i] * sst[a->v[i]];
		return s;
	case SPU_OP_SLICE: {
		const struct spu_attr *st = spu_insn_attr(in, SPU_ATTR_START);
		const struct spu_attr *sd = spu_insn_attr(in, SPU_ATTR_STRIDE);

		for (int i = 0; i < rs->ndim; i++)
			s += (st->v[i] + idx[i] * sd->v[i]) * sst[i];
		return s;
	}
	case SPU_OP_IOTA:
		a = spu_insn_attr(in, SPU_ATTR_DIMS);
		return idx[a->v[0]];
	default:
		return -1;
	}
}

/* Attributes a layout op needs, with sane sizes (the lowering sets them,
 * but the pass must not trust its input blindly). */
static int
attrs_ok(const struct spu_insn *in, const struct spu_insn *x)
{
	const struct spu_attr *a;
	int rn = in->type[0].shape.ndim;

	switch (in->op) {
	case SPU_OP_BROADCAST:
		a = spu_insn_attr(in, SPU_ATTR_DIMS);
		if (a == NULL || (int)a->n != x->type[0].shape.ndim)
			return 0;
		for (uint32_t i = 0; i < a->n; i++)
			if (a->v[i] < 0 || a->v[i] >= rn)
				return 0;
		return 1;
	case SPU_OP_TRANSPOSE:
		a = spu_insn_attr(in, SPU_ATTR_PERM);
		if (a == NULL || (int)a->n != rn ||
		    x->type[0].shape.ndim != rn)
			return 0;
		for (uint32_t i = 0; i < a->n; i++)
			if (a->v[i] < 0 || a->v[i] >= rn)
				return 0;
		return 1;
	case SPU_OP_SLICE:
		return (a = spu_insn_attr(in, SPU_ATTR_START)) != NULL &&
		    (int)a->n == rn &&
		    (a = spu_insn_attr(in, SPU_ATTR_STRIDE)) != NULL &&
		    (int)a->n == rn && x->type[0].shape.ndim == rn;
	case SPU_OP_IOTA:
		return (a = spu_insn_attr(in, SPU_ATTR_DIMS)) != NULL &&
		    a->n == 1 && a->v[0] >= 0 && a->v[0] < rn;
	case SPU_OP_RESHAPE:
		return spu_shape_numel(&x->type[0].shape) ==
		    spu_shape_numel(&in->type[0].shape);
	default:
		return 1;
	}
}

static double
f1(enum spu_op op, double a)
{
	switch (op) {
	case SPU_OP_NEG: return -a;
	case SPU_OP_ABS: return fabs(a);
	case SPU_OP_SIGN: return a > 0 ? 1 : a < 0 ? -1 : a;
	case SPU_OP_EXP: return exp(a);
	case SPU_OP_LOG: return log(a);
	case SPU_OP_SQRT: return sqrt(a);
	case SPU_OP_RSQRT: return 1 / sqrt(a);
	case SPU_OP_TANH: return tanh(a);
	case SPU_OP_LOGISTIC: return 1 / (1 + exp(-a));
	case SPU_OP_FLOOR: return floor(a);
	case SPU_OP_CEIL: return ceil(a);
	case SPU_OP_ROUND: return round(a);
	case SPU_OP_ROUND_EVEN: return nearbyint(a);
	default: return a;
	}
}

static double
f2(enum spu_op op, double a, double b)
{
	switch (op) {
	case SPU_OP_ADD: return a + b;
	case SPU_OP_SUB: return a - b;
	case SPU_OP_MUL: return a * b;
	case SPU_OP_DIV: return a / b;
	case SPU_OP_REM: return fmod(a, b);
	case SPU_OP_MAX: return a > b || isnan(a) ? a : b;
	case SPU_OP_MIN: return a < b || isnan(a) ? a : b;
	case SPU_OP_POW: return pow(a, b);
	case SPU_OP_EQ: return a == b;
	case SPU_OP_NE: return a != b;
	case SPU_OP_LT: return a < b;
	case SPU_OP_LE: return a <= b;
	case SPU_OP_GT: return a > b;
	case SPU_OP_GE: return a >= b;
	default: return 0;
	}
}

/* Integer ops on values of dtype t (wrapped afterwards); *ok = 0 when
 * the op is not folded. */
static int64_t
i2(enum spu_op op, enum spu_dtype t, int64_t a, int64_t b, int *ok)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
	int u = !spu_dtype_is_signed(t) && t != SPU_PRED;

	switch (op) {
	case SPU_OP_ADD: return (int64_t)(ua + ub);
	case SPU_OP_SUB: return (int64_t)(ua - ub);
	case SPU_OP_MUL: return (int64_t)(ua * ub);
	case SPU_OP_DIV:
	case SPU_OP_REM:
		if (b == 0 || b == -1) {
			*ok = 0;
			return 0;
		}
		if (u)
			return (int64_t)(op == SPU_OP_DIV ? ua / ub : ua % ub);
		return op == SPU_OP_DIV ? a / b : a % b;
	case SPU_OP_MAX: return (u ? ua > ub : a > b) ? a : b;
	case SPU_OP_MIN: return (u ? ua < ub : a < b) ? a : b;
	case SPU_OP_AND: return a & b;
	case SPU_OP_OR: return a | b;
	case SPU_OP_XOR: return a ^ b;
	case SPU_OP_EQ: return a == b;
	case SPU_OP_NE: return a != b;
	case SPU_OP_LT: return u ? ua < ub : a < b;
	case SPU_OP_LE: return u ? ua <= ub : a <= b;
	case SPU_OP_GT: return u ? ua > ub : a > b;
	case SPU_OP_GE: return u ? ua >= ub : a >= b;
	default:
		*ok = 0;
		return 0;
	}
}

/* Evaluate `in` on constant operands x[]; fills f or i (by result
 * dtype).  Returns 1 if folded. */
static int
eval(const struct spu_insn *in, const struct spu_insn *const *x, size_t n,
    double *f, int64_t *iv)
{
	enum spu_dtype rt = in->type[0].dtype;
	enum spu_dtype ot = in->nin > 0 ? x[0]->type[0].dtype : rt;
	int ok = 1;

	for (size_t r = 0; r < n && ok; r++) {
		int64_t s = layout_src(in, in->nin > 0 ?
		    &x[0]->type[0].shape : NULL, r);
		double fv;
		int64_t v;

		if (in->op == SPU_OP_IOTA) {
			if (isf(rt))
				f[r] = (double)s;
			else
				iv[r] = wrap(rt, s);
			continue;
		}
		if (s >= 0) {		/* layout: copy the element */
			if (isf(rt))
				f[r] = getf(x[0], (size_t)s);
			else
				iv[r] = geti(x[0], (size_t)s);
			continue;
		}
		switch (in->op) {
		case SPU_OP_CONVERT:
			if (isf(rt))
				f[r] = getf(x[0], r);
			else if (isf(ot))
				iv[r] = f2i(rt, getf(x[0], r));
			else
				iv[r] = wrap(rt, geti(x[0], r));
			continue;
		case SPU_OP_SELECT:
			if (isf(rt))
				f[r] = geti(x[0], r) ? getf(x[1], r) :
				    getf(x[2], r);
			else
				iv[r] = geti(x[0], r) ? geti(x[1], r) :
				    geti(x[2], r);
			continue;
		case SPU_OP_CLAMP:
			if (isf(rt)) {
				fv = f2(SPU_OP_MAX, getf(x[1], r),
				    getf(x[0], r));
				f[r] = f2(SPU_OP_MIN, fv, getf(x[2], r));
			} else {
				v = i2(SPU_OP_MAX, rt, geti(x[1], r),
				    geti(x[0], r), &ok);
				iv[r] = i2(SPU_OP_MIN, rt, v, geti(x[2], r),
				    &ok);
			}
			continue;
		case SPU_OP_NOT:
			if (isf(rt))
				return 0;
			iv[r] = wrap(rt, rt == SPU_PRED ? !geti(x[0], r) :
			    ~geti(x[0], r));
			continue;
		default:
			break;
		}
		if (in->nin == 1) {
			if (isf(ot))
				f[r] = f1(in->op, getf(x[0], r));
			else if (in->op == SPU_OP_NEG)
				iv[r] = wrap(rt, (int64_t)(0 -
				    (uint64_t)geti(x[0], r)));
			else if (in->op == SPU_OP_ABS && spu_dtype_is_signed(rt))
				iv[r] = wrap(rt, geti(x[0], r) < 0 ?
				    (int64_t)(0 - (uint64_t)geti(x[0], r)) :
				    geti(x[0], r));
			else
				return 0;
			continue;
		}
		if (isf(ot)) {
			if (in->op == SPU_OP_AND || in->op == SPU_OP_OR ||
			    in->op == SPU_OP_XOR)
				return 0;
			fv = f2(in->op, getf(x[0], r), getf(x[1], r));
			if (isf(rt))
				f[r] = fv;
			else
				iv[r] = fv != 0;
		} else {
			v = i2(in->op, ot, geti(x[0], r), geti(x[1], r), &ok);
			if (isf(rt))
				f[r] = (double)v;
			else
				iv[r] = wrap(rt, v);
		}
	}
	return ok;
}

static int
fold_func(struct spu_func *fn, struct spu_diag *d)
{
	uint32_t *def, i, k;
	const struct spu_insn *x[3];
	int64_t n;

	if ((def = spu_calloc(fn->nslots + 1, sizeof(*def))) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	for (i = 0; i < fn->ninsns; i++) {
		struct spu_insn *in = &fn->insns[i];
		double *f = NULL;
		int64_t *iv = NULL;
		int all = 1;

		if (in->op == SPU_OP_CONST && in->nout == 1 &&
		    in->out[0] < fn->nslots) {
			def[in->out[0]] = i + 1;
			continue;
		}
		if (!foldable(in->op) || in->nout != 1 || in->nin > 3 ||
		    in->type[0].vis != SPU_PUBLIC || in->nin !=
		    (uint32_t)spu_op_min_inputs(in->op))
			continue;
		n = spu_shape_numel(&in->type[0].shape);
		if (n < 0 || n > FOLD_MAX)
			continue;
		for (k = 0; k < in->nin && all; k++) {
			all = in->in[k] < fn->nslots && def[in->in[k]] != 0;
			if (all) {
				x[k] = &fn->insns[def[in->in[k]] - 1];
				/* elementwise operands have the result's
				 * element count */
				all = is_layout(in->op) || spu_shape_numel(
				    &x[k]->type[0].shape) == n;
			}
		}
		if (!all || (in->nin > 0 && !attrs_ok(in, x[0])))
			continue;
		if (isf(in->type[0].dtype))
			f = spu_calloc((size_t)n + 1, sizeof(*f));
		else
			iv = spu_calloc((size_t)n + 1, sizeof(*iv));
		if (f == NULL && iv == NULL) {
			free(def);
			return spu_fail(d, SPU_ENOMEM, "out of memory");
		}
		if (!eval(in, x, (size_t)n, f, iv)) {
			free(f);
			free(iv);
			continue;
		}
		free(in->in);
		in->in = NULL;
		in->nin = 0;
		for (k = 0; k < in->nattr; k++)
			free(in->attr[k].v);
		free(in->attr);
		in->attr = NULL;
		in->nattr = 0;
		in->op = SPU_OP_CONST;
		in->lit_f = f;
		in->lit_i = iv;
		def[in->out[0]] = i + 1;
	}
	free(def);
	return 0;
}

int
pass_fold(struct spu_program *p, struct spu_diag *d)
{
	int err;

	for (uint32_t f = 0; f < p->nfuncs; f++)
		if ((err = fold_func(&p->funcs[f], d)) != 0)
			return err;
	return 0;
}
