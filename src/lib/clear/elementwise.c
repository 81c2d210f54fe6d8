/*
 * elementwise.c - the cleartext evaluator's elementwise ops: arithmetic,
 * bitwise and shift ops, comparisons, the unary maths, SELECT, CLAMP,
 * CONVERT and BITCAST_CONVERT.
 *
 * Floats are computed in double with libm.  Integers are computed exactly
 * in 64 bits and wrapped to the result dtype.  Where XLA leaves a result
 * implementation-defined we follow what XLA's CPU backend does:
 *   x / 0 = -1 (all bits set), x % 0 = x, INT_MIN / -1 = INT_MIN,
 *   INT_MIN % -1 = 0; shifts by >= the width give 0 (shl, shr_logic) or
 *   the sign (shr_arith), the amount read as unsigned; integer pow with
 *   a negative exponent is 0 unless the base is 1 or -1; float max/min
 *   propagate NaN; float->int convert truncates and saturates, NaN -> 0.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "clear_int.h"

/* ---- integers ---- */

static int64_t
ipow(enum spu_dtype t, int64_t x, int64_t y)
{
	uint64_t r = 1, b = (uint64_t)x, e;

	if (!clear_isu(t) && y < 0) {
		if (x == 1)
			return 1;
		if (x == -1)
			return (y & 1) ? -1 : 1;
		return 0;
	}
	for (e = (uint64_t)y; e != 0; e >>= 1) {
		if (e & 1)
			r *= b;
		b *= b;
	}
	return clear_wrap(t, r);
}

/* z = x op y in integer dtype t; -1 if op has no integer meaning. */
static int
ibinary(enum spu_op op, enum spu_dtype t, int64_t x, int64_t y, int64_t *z)
{
	int w = clear_bits(t), u = clear_isu(t) || t == SPU_PRED;
	uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
	uint64_t mask = w == 64 ? UINT64_MAX : ((uint64_t)1 << w) - 1;
	uint64_t amt = uy & mask, r;

	switch (op) {
	case SPU_OP_ADD: r = ux + uy; break;
	case SPU_OP_SUB: r = ux - uy; break;
	case SPU_OP_MUL: r = ux * uy; break;
	case SPU_OP_DIV:
		if (y == 0)
			r = UINT64_MAX;
		else if (u)
			r = ux / uy;
		else if (y == -1)
			r = 0 - ux;
		else
			r = (uint64_t)(x / y);
		break;
	case SPU_OP_REM:
		if (y == 0)
			r = ux;
		else if (u)
			r = ux % uy;
		else if (y == -1)
			r = 0;
		else
			r = (uint64_t)(x % y);
		break;
	case SPU_OP_MAX:
		r = (u ? ux > uy : x > y) ? ux : uy;
		break;
	case SPU_OP_MIN:
		r = (u ? ux < uy : x < y) ? ux : uy;
		break;
	case SPU_OP_POW:
		*z = ipow(t, x, y);
		return 0;
	case SPU_OP_AND: r = ux & uy; break;
	case SPU_OP_OR: r = ux | uy; break;
	case SPU_OP_XOR: r = ux ^ uy; break;
	case SPU_OP_SHL:
		r = amt >= (uint64_t)w ? 0 : ux << amt;
		break;
	case SPU_OP_SHR_LOGIC:
		r = amt >= (uint64_t)w ? 0 : (ux & mask) >> amt;
		break;
	case SPU_OP_SHR_ARITH:
		if (amt >= (uint64_t)w)
			amt = (uint64_t)w - 1;
		if ((ux >> (w - 1)) & 1)
			r = ~((~ux & mask) >> amt);
		else
			r = (ux & mask) >> amt;
		break;
	default:
		return -1;
	}
	*z = clear_wrap(t, r);
	return 0;
}

static int
iunary(enum spu_op op, enum spu_dtype t, int64_t x, int64_t *z)
{
	int w = clear_bits(t), neg = !clear_isu(t) && x < 0;
	uint64_t ux = (uint64_t)x, r;

	switch (op) {
	case SPU_OP_NEG: r = 0 - ux; break;
	case SPU_OP_SQUARE: r = ux * ux; break;
	case SPU_OP_ABS: r = neg ? 0 - ux : ux; break;
	case SPU_OP_SIGN: r = neg ? UINT64_MAX : x != 0; break;
	case SPU_OP_NOT: r = t == SPU_PRED ? !x : ~ux; break;
	case SPU_OP_POPCNT:
		if (w < 64)
			ux &= ((uint64_t)1 << w) - 1;
		for (r = 0; ux != 0; ux &= ux - 1)
			r++;
		break;
	default:
		return -1;
	}
	*z = clear_wrap(t, r);
	return 0;
}

/* ---- floats ---- */

static double
fmaxnan(double x, double y)
{
	if (isnan(x) || isnan(y))
		return NAN;
	return x > y ? x : y;
}

static double
fminnan(double x, double y)
{
	if (isnan(x) || isnan(y))
		return NAN;
	return x < y ? x : y;
}

static int
fbinary(enum spu_op op, double x, double y, double *z)
{
	switch (op) {
	case SPU_OP_ADD: *z = x + y; break;
	case SPU_OP_SUB: *z = x - y; break;
	case SPU_OP_MUL: *z = x * y; break;
	case SPU_OP_DIV: *z = x / y; break;
	case SPU_OP_MAX: *z = fmaxnan(x, y); break;
	case SPU_OP_MIN: *z = fminnan(x, y); break;
	case SPU_OP_POW: *z = pow(x, y); break;
	case SPU_OP_REM: *z = fmod(x, y); break;
	case SPU_OP_ATAN2: *z = atan2(x, y); break;
	default: return -1;
	}
	return 0;
}

/* Half to even without depending on the rounding mode. */
static double
round_even(double x)
{
	double r = round(x);

	if (fabs(x - trunc(x)) == 0.5)
		r = 2.0 * round(x / 2.0);
	return r;
}

static int
funary(enum spu_op op, double x, double *z)
{
	switch (op) {
	case SPU_OP_NEG: *z = -x; break;
	case SPU_OP_SQUARE: *z = x * x; break;
	case SPU_OP_ABS: *z = fabs(x); break;
	case SPU_OP_SIGN: *z = x > 0 ? 1.0 : x < 0 ? -1.0 : x; break;
	case SPU_OP_EXP: *z = exp(x); break;
	case SPU_OP_EXPM1: *z = expm1(x); break;
	case SPU_OP_LOG: *z = log(x); break;
	case SPU_OP_LOG1P: *z = log1p(x); break;
	case SPU_OP_SQRT: *z = sqrt(x); break;
	case SPU_OP_RSQRT: *z = 1.0 / sqrt(x); break;
	case SPU_OP_TANH: *z = tanh(x); break;
	case SPU_OP_LOGISTIC: *z = 1.0 / (1.0 + exp(-x)); break;
	case SPU_OP_SIN: *z = sin(x); break;
	case SPU_OP_COS: *z = cos(x); break;
	case SPU_OP_FLOOR: *z = floor(x); break;
	case SPU_OP_CEIL: *z = ceil(x); break;
	case SPU_OP_ROUND: *z = round(x); break;
	case SPU_OP_ROUND_EVEN: *z = round_even(x); break;
	case SPU_OP_ERF: *z = erf(x); break;
	case SPU_OP_RECIPROCAL: *z = 1.0 / x; break;
	default: return -1;
	}
	return 0;
}

static int
is_compare(enum spu_op op)
{
	return op == SPU_OP_EQ || op == SPU_OP_NE || op == SPU_OP_LT ||
	    op == SPU_OP_LE || op == SPU_OP_GT || op == SPU_OP_GE;
}

/* -1, 0, 1 as x <, ==, > y; 2 when unordered (NaN). */
static int
compare(const struct clear_val *a, const struct clear_val *b, size_t i,
    size_t j)
{
	if (clear_isf(a->dtype) || clear_isf(b->dtype)) {
		double x = clear_get_f(a, i), y = clear_get_f(b, j);

		if (isnan(x) || isnan(y))
			return 2;
		return x < y ? -1 : x > y;
	}
	if (clear_isu(a->dtype) && clear_isu(b->dtype)) {
		uint64_t x = (uint64_t)a->e[i].i, y = (uint64_t)b->e[j].i;

		return x < y ? -1 : x > y;
	}
	return a->e[i].i < b->e[j].i ? -1 : a->e[i].i > b->e[j].i;
}

static int
cmp_true(enum spu_op op, int c)
{
	switch (op) {
	case SPU_OP_EQ: return c == 0;
	case SPU_OP_NE: return c != 0;
	case SPU_OP_LT: return c == -1;
	case SPU_OP_LE: return c == -1 || c == 0;
	case SPU_OP_GT: return c == 1;
	default: return c == 1 || c == 0;
	}
}

static int
binary(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val *z)
{
	enum spu_dtype t = z->dtype;

	if (is_compare(in->op)) {
		if (clear_isf(t))
			return clear_fail(cx, SPU_ESHAPE, "a comparison gives "
			    "pred, not %s", spu_dtype_name(t));
		for (size_t k = 0; k < z->n; k++)
			z->e[k].i = clear_wrap(t, (uint64_t)cmp_true(in->op,
			    compare(a[0], a[1], k, k)));
		return 0;
	}
	if (clear_isf(t)) {
		for (size_t k = 0; k < z->n; k++)
			if (fbinary(in->op, clear_get_f(a[0], k),
			    clear_get_f(a[1], k), &z->e[k].f) != 0)
				return clear_fail(cx, SPU_EUNSUPP, "%s is not "
				    "defined on %s", spu_op_name(in->op),
				    spu_dtype_name(t));
		return 0;
	}
	if (clear_isf(a[0]->dtype) || clear_isf(a[1]->dtype))
		return clear_fail(cx, SPU_ESHAPE, "float operand for an "
		    "integer result %s", spu_dtype_name(t));
	for (size_t k = 0; k < z->n; k++)
		if (ibinary(in->op, t, clear_wrap(t, (uint64_t)a[0]->e[k].i),
		    clear_wrap(t, (uint64_t)a[1]->e[k].i), &z->e[k].i) != 0)
			return clear_fail(cx, SPU_EUNSUPP, "%s is not defined "
			    "on %s", spu_op_name(in->op), spu_dtype_name(t));
	return 0;
}

static int
unary(struct clear_ctx *cx, const struct spu_insn *in, struct clear_val *x,
    struct clear_val *z)
{
	enum spu_dtype t = z->dtype;

	if (in->op == SPU_OP_IS_FINITE) {
		if (!clear_isf(x->dtype) || clear_isf(t))
			return clear_fail(cx, SPU_EUNSUPP, "is_finite maps a "
			    "float to pred, not %s to %s",
			    spu_dtype_name(x->dtype), spu_dtype_name(t));
		for (size_t k = 0; k < z->n; k++)
			z->e[k].i = clear_wrap(t, isfinite(x->e[k].f) != 0);
		return 0;
	}
	if (clear_isf(t) != clear_isf(x->dtype))
		return clear_fail(cx, SPU_ESHAPE, "operand is %s, result %s",
		    spu_dtype_name(x->dtype), spu_dtype_name(t));
	for (size_t k = 0; k < z->n; k++) {
		int bad = clear_isf(t) ?
		    funary(in->op, x->e[k].f, &z->e[k].f) :
		    iunary(in->op, t, clear_wrap(t, (uint64_t)x->e[k].i),
		    &z->e[k].i);
		if (bad)
			return clear_fail(cx, SPU_EUNSUPP, "%s is not defined "
			    "on %s", spu_op_name(in->op), spu_dtype_name(t));
	}
	return 0;
}

/* Element k of operand v, which is either z's shape or a scalar. */
#define AT(v, k) ((v)->n == 1 ? 0 : (k))

static int
same_or_scalar(struct clear_ctx *cx, const struct clear_val *v,
    const struct clear_val *z, const char *what)
{
	if (v->shape.ndim == 0)
		return 0;
	return clear_check_shape(cx, &z->shape, &v->shape, what);
}

static int
op_select(struct clear_ctx *cx, struct clear_val *const *a,
    struct clear_val *z)
{
	struct clear_val *t = NULL, *f = NULL;
	int err;

	if ((err = same_or_scalar(cx, a[0], z, "the predicate")) != 0 ||
	    (err = clear_check_shape(cx, &z->shape, &a[1]->shape,
	    "on_true")) != 0 ||
	    (err = clear_check_shape(cx, &z->shape, &a[2]->shape,
	    "on_false")) != 0)
		return err;
	if (clear_isf(a[0]->dtype))
		return clear_fail(cx, SPU_ESHAPE, "the predicate is %s",
		    spu_dtype_name(a[0]->dtype));
	if ((err = clear_coerce(cx, a[1], z->dtype, &t)) == 0 &&
	    (err = clear_coerce(cx, a[2], z->dtype, &f)) == 0)
		for (size_t k = 0; k < z->n; k++)
			z->e[k] = a[0]->e[AT(a[0], k)].i ? t->e[k] : f->e[k];
	clear_val_unref(t);
	clear_val_unref(f);
	return err;
}

static int
op_clamp(struct clear_ctx *cx, struct clear_val *const *a,
    struct clear_val *z)
{
	struct clear_val *v[3] = { NULL, NULL, NULL };
	enum spu_dtype t = z->dtype;
	int err;

	if ((err = same_or_scalar(cx, a[0], z, "the lower bound")) != 0 ||
	    (err = clear_check_shape(cx, &z->shape, &a[1]->shape,
	    "the operand")) != 0 ||
	    (err = same_or_scalar(cx, a[2], z, "the upper bound")) != 0)
		return err;
	for (int i = 0; i < 3 && err == 0; i++)
		err = clear_coerce(cx, a[i], t, &v[i]);
	for (size_t k = 0; err == 0 && k < z->n; k++) {
		union clear_elem lo = v[0]->e[AT(v[0], k)], x = v[1]->e[k];
		union clear_elem hi = v[2]->e[AT(v[2], k)];

		if (clear_isf(t)) {
			z->e[k].f = fminnan(fmaxnan(x.f, lo.f), hi.f);
		} else {
			(void)ibinary(SPU_OP_MAX, t, x.i, lo.i, &x.i);
			(void)ibinary(SPU_OP_MIN, t, x.i, hi.i, &z->e[k].i);
		}
	}
	for (int i = 0; i < 3; i++)
		clear_val_unref(v[i]);
	return err;
}

/* Raw bits of element x of dtype t, in the low spu_dtype_size(t) bytes. */
static uint64_t
to_bits(enum spu_dtype t, union clear_elem x)
{
	uint64_t u = 0;
	uint32_t w;
	float f;

	switch (t) {
	case SPU_F64: memcpy(&u, &x.f, 8); return u;
	case SPU_F32:
		f = (float)x.f;
		memcpy(&w, &f, 4);
		return w;
	case SPU_F16: return spu_f64_to_f16(x.f);
	case SPU_BF16: return spu_f64_to_bf16(x.f);
	default:
		u = (uint64_t)x.i;
		if (clear_bits(t) < 64)
			u &= ((uint64_t)1 << (spu_dtype_size(t) * 8)) - 1;
		return u;
	}
}

static union clear_elem
from_bits(enum spu_dtype t, uint64_t u)
{
	union clear_elem r;
	uint32_t w;
	float f;

	switch (t) {
	case SPU_F64: memcpy(&r.f, &u, 8); break;
	case SPU_F32:
		w = (uint32_t)u;
		memcpy(&f, &w, 4);
		r.f = f;
		break;
	case SPU_F16: r.f = spu_f16_to_f64((uint16_t)u); break;
	case SPU_BF16: r.f = spu_bf16_to_f64((uint16_t)u); break;
	default: r.i = clear_wrap(t, u); break;
	}
	return r;
}

int
clear_op_elementwise(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	struct clear_val *z;
	int err;

	if (in->nout != 1)
		return clear_fail(cx, SPU_EFORMAT, "needs one result");
	if (spu_op_min_inputs(in->op) != (int)in->nin ||
	    spu_op_max_inputs(in->op) != (int)in->nin ||
	    in->op == SPU_OP_PARAM || in->op == SPU_OP_CONST)
		return clear_fail(cx, SPU_EUNSUPP, "not an elementwise op "
		    "the cleartext evaluator knows");
	if ((err = clear_result(cx, in, 0, &r[0])) != 0)
		return err;
	z = r[0];
	switch (in->op) {
	case SPU_OP_SELECT:
		return op_select(cx, a, z);
	case SPU_OP_CLAMP:
		return op_clamp(cx, a, z);
	default:
		break;
	}
	for (uint32_t k = 0; k < in->nin; k++)
		if ((err = clear_check_shape(cx, &z->shape, &a[k]->shape,
		    k ? "operand 1" : "operand 0")) != 0)
			return err;
	switch (in->op) {
	case SPU_OP_CONVERT:
		for (size_t k = 0; k < z->n; k++)
			z->e[k] = clear_convert(z->dtype, a[0]->dtype,
			    a[0]->e[k]);
		return 0;
	case SPU_OP_BITCAST_CONVERT:
		if (spu_dtype_size(z->dtype) != spu_dtype_size(a[0]->dtype))
			return clear_fail(cx, SPU_EUNSUPP, "bitcast from %s to "
			    "%s changes the width",
			    spu_dtype_name(a[0]->dtype),
			    spu_dtype_name(z->dtype));
		for (size_t k = 0; k < z->n; k++)
			z->e[k] = from_bits(z->dtype, to_bits(a[0]->dtype,
			    a[0]->e[k]));
		return 0;
	default:
		break;
	}
	if (in->nin == 2)
		return binary(cx, in, a, z);
	if (in->nin == 1)
		return unary(cx, in, a[0], z);
	return clear_fail(cx, SPU_EUNSUPP, "not an elementwise op the "
	    "cleartext evaluator knows");
}
