/*
 * clear_elem.c - the cleartext evaluator's elementwise ops against hand
 * computed values: float arithmetic with NaN, the unary maths at known
 * points, the rounding modes, integer wrapping at every width, division
 * and remainder signs and edge cases, shifts past the width, integer
 * pow, bitwise ops, comparisons, CONVERT (truncation, saturation, NaN),
 * BITCAST_CONVERT, SELECT, CLAMP and float-times-integer.
 */
#include "config.h"

#include "clear_util.h"

#define S(n) SH(n)

static struct spu_tensor *
bin(enum spu_op op, enum spu_dtype ta, enum spu_dtype tb, enum spu_dtype tr,
    struct spu_tensor *x, struct spu_tensor *y)
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	uint32_t a = tb_param(f, 0, ta, x->shape);
	uint32_t b = tb_param(f, 1, tb, y->shape);

	RET(f, OP(f, op, tr, x->shape, a, b));
	return tb_run1(p, 2, (struct spu_tensor *[]){ x, y });
}

static struct spu_tensor *
un(enum spu_op op, enum spu_dtype ta, enum spu_dtype tr, struct spu_tensor *x)
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	uint32_t a = tb_param(f, 0, ta, x->shape);

	RET(f, OP(f, op, tr, x->shape, a));
	return tb_run1(p, 1, (struct spu_tensor *[]){ x });
}

/* float binary op on 4 elements */
static int
fbin(enum spu_op op, const double *x, const double *y, const double *want)
{
	return tb_check_f(bin(op, SPU_F64, SPU_F64, SPU_F64,
	    tb_tensor_f(SPU_F64, S(4), x), tb_tensor_f(SPU_F64, S(4), y)),
	    S(4), want, 1e-15);
}

/* integer binary op in dtype t on n elements */
static int
ibin(enum spu_op op, enum spu_dtype t, size_t n, const int64_t *x,
    const int64_t *y, const int64_t *want)
{
	struct spu_shape s = S((int64_t)n);

	return tb_check_i(bin(op, t, t, t, tb_tensor_i(t, s, x),
	    tb_tensor_i(t, s, y)), t, s, want);
}

static int
fun(enum spu_op op, size_t n, const double *x, const double *want)
{
	struct spu_shape s = S((int64_t)n);

	return tb_check_f(un(op, SPU_F64, SPU_F64, tb_tensor_f(SPU_F64, s, x)),
	    s, want, 1e-15);
}

static int
iun(enum spu_op op, enum spu_dtype t, size_t n, const int64_t *x,
    const int64_t *want)
{
	struct spu_shape s = S((int64_t)n);

	return tb_check_i(un(op, t, t, tb_tensor_i(t, s, x)), t, s, want);
}

static void
test_float(void)
{
	const double *x = DV(1.5, -2, 0.5, NAN), *y = DV(2, 3, -4, 1);

	ok(fbin(SPU_OP_ADD, x, y, DV(3.5, 1, -3.5, NAN)), "f64 add");
	ok(fbin(SPU_OP_SUB, x, y, DV(-0.5, -5, 4.5, NAN)), "f64 sub");
	ok(fbin(SPU_OP_MUL, x, y, DV(3, -6, -2, NAN)), "f64 mul");
	ok(fbin(SPU_OP_DIV, x, y, DV(0.75, -2.0 / 3, -0.125, NAN)),
	    "f64 div");
	ok(fbin(SPU_OP_MAX, x, y, DV(2, 3, 0.5, NAN)), "f64 max, NaN "
	    "propagates");
	ok(fbin(SPU_OP_MIN, x, y, DV(1.5, -2, -4, NAN)), "f64 min");
	ok(fbin(SPU_OP_POW, x, y, DV(2.25, -8, 16, NAN)), "f64 pow");
	ok(fbin(SPU_OP_REM, DV(5.5, -5.5, 5.5, 1), DV(2, 2, -2, 0),
	    DV(1.5, -1.5, 1.5, NAN)), "f64 rem takes the dividend's sign");
	ok(fbin(SPU_OP_ATAN2, DV(1, 1, -1, 0), DV(1, -1, 0, 1),
	    DV(0.78539816339744831, 2.3561944901923448, -1.5707963267948966,
	    0)), "f64 atan2");
	ok(fbin(SPU_OP_DIV, DV(1, -1, 0, 3), DV(0, 0, 0, 2),
	    DV(INFINITY, -INFINITY, NAN, 1.5)), "f64 division by zero");
}

static void
test_unary_float(void)
{
	ok(fun(SPU_OP_EXP, 3, DV(0, 1, -INFINITY), DV(1, 2.718281828459045,
	    0)), "exp");
	ok(fun(SPU_OP_EXPM1, 2, DV(0, 1), DV(0, 1.718281828459045)), "expm1");
	ok(fun(SPU_OP_LOG, 4, DV(1, 2.718281828459045, 0, -1),
	    DV(0, 1, -INFINITY, NAN)), "log");
	ok(fun(SPU_OP_LOG1P, 2, DV(0, 1.718281828459045), DV(0, 1)), "log1p");
	ok(fun(SPU_OP_SQRT, 3, DV(4, 2, -1), DV(2, 1.4142135623730951, NAN)),
	    "sqrt");
	ok(fun(SPU_OP_RSQRT, 2, DV(4, 0.25), DV(0.5, 2)), "rsqrt");
	ok(fun(SPU_OP_TANH, 2, DV(0, 1), DV(0, 0.76159415595576489)), "tanh");
	ok(fun(SPU_OP_LOGISTIC, 3, DV(0, 2, -1000),
	    DV(0.5, 0.88079707797788244, 0)), "logistic");
	ok(fun(SPU_OP_SIN, 2, DV(0, 1.5707963267948966), DV(0, 1)), "sin");
	ok(fun(SPU_OP_COS, 2, DV(0, 3.141592653589793), DV(1, -1)), "cos");
	ok(fun(SPU_OP_ERF, 3, DV(0, 1, -1), DV(0, 0.84270079294971487,
	    -0.84270079294971487)), "erf");
	ok(fun(SPU_OP_RECIPROCAL, 2, DV(4, -0.5), DV(0.25, -2)), "reciprocal");
	ok(fun(SPU_OP_NEG, 2, DV(1.5, -2), DV(-1.5, 2)), "neg");
	ok(fun(SPU_OP_ABS, 2, DV(-1.5, 2), DV(1.5, 2)), "abs");
	ok(fun(SPU_OP_SIGN, 4, DV(-3, 0, 2, NAN), DV(-1, 0, 1, NAN)), "sign");
	ok(fun(SPU_OP_FLOOR, 5, DV(2.5, -2.5, 3.5, -0.4, 1.6),
	    DV(2, -3, 3, -1, 1)), "floor");
	ok(fun(SPU_OP_CEIL, 5, DV(2.5, -2.5, 3.5, -0.4, 1.6),
	    DV(3, -2, 4, 0, 2)), "ceil");
	ok(fun(SPU_OP_ROUND, 5, DV(2.5, -2.5, 3.5, -0.4, 1.6),
	    DV(3, -3, 4, 0, 2)), "round: half away from zero");
	ok(fun(SPU_OP_ROUND_EVEN, 6, DV(2.5, -2.5, 3.5, -0.4, 1.6, 0.5),
	    DV(2, -2, 4, 0, 2, 0)), "round_even: half to even");
	ok(tb_check_i(un(SPU_OP_IS_FINITE, SPU_F64, SPU_PRED,
	    tb_tensor_f(SPU_F64, S(4), DV(1, INFINITY, NAN, -INFINITY))),
	    SPU_PRED, S(4), IV(1, 0, 0, 0)), "is_finite");
}

static void
test_int(void)
{
	ok(ibin(SPU_OP_ADD, SPU_S8, 3, IV(100, -128, 127), IV(100, -1, 1),
	    IV(-56, 127, -128)), "s8 add wraps");
	ok(ibin(SPU_OP_SUB, SPU_S16, 2, IV(-32768, 0), IV(1, -32768),
	    IV(32767, -32768)), "s16 sub wraps");
	ok(ibin(SPU_OP_MUL, SPU_S8, 2, IV(16, -3), IV(16, 50), IV(0, 106)),
	    "s8 mul wraps");
	ok(ibin(SPU_OP_DIV, SPU_S32, 6, IV(7, -7, 7, -7, 5, INT32_MIN),
	    IV(2, 2, -2, -2, 0, -1), IV(3, -3, -3, 3, -1, INT32_MIN)),
	    "s32 div toward zero, /0 = -1, INT_MIN/-1 = INT_MIN");
	ok(ibin(SPU_OP_REM, SPU_S32, 6, IV(7, -7, 7, -7, 5, INT32_MIN),
	    IV(2, 2, -2, -2, 0, -1), IV(1, -1, 1, -1, 5, 0)),
	    "s32 rem has the dividend's sign, %%0 = x");
	ok(ibin(SPU_OP_DIV, SPU_S64, 2, IV(INT64_MIN, -9), IV(-1, 4),
	    IV(INT64_MIN, -2)), "s64 div edge");
	ok(ibin(SPU_OP_ADD, SPU_U8, 2, IV(200, 255), IV(100, 1), IV(44, 0)),
	    "u8 add wraps");
	ok(ibin(SPU_OP_SUB, SPU_U32, 1, IV(0), IV(1), IV(4294967295LL)),
	    "u32 sub wraps");
	ok(ibin(SPU_OP_DIV, SPU_U8, 2, IV(200, 7), IV(3, 0), IV(66, 255)),
	    "u8 div, /0 = all ones");
	ok(ibin(SPU_OP_MAX, SPU_U8, 2, IV(200, 1), IV(100, 2), IV(200, 2)),
	    "u8 max compares unsigned");
	ok(ibin(SPU_OP_MAX, SPU_U64, 2, IV(INT64_MIN, 5), IV(1, 7),
	    IV(INT64_MIN, 7)), "u64 max compares unsigned");
	ok(ibin(SPU_OP_DIV, SPU_U64, 1, IV(-1), IV(2), IV(INT64_MAX)),
	    "u64 div is unsigned");
	ok(ibin(SPU_OP_MIN, SPU_S32, 2, IV(-5, 3), IV(2, -9), IV(-5, -9)),
	    "s32 min");
	ok(ibin(SPU_OP_SHL, SPU_S8, 4, IV(1, 1, 3, 1), IV(7, 8, 1, -1),
	    IV(-128, 0, 6, 0)), "s8 shl, past the width is 0");
	ok(ibin(SPU_OP_SHR_ARITH, SPU_S8, 4, IV(-128, -128, 64, -1),
	    IV(1, 9, 3, 100), IV(-64, -1, 8, -1)), "s8 shr_arith");
	ok(ibin(SPU_OP_SHR_LOGIC, SPU_S8, 3, IV(-128, -1, -1), IV(1, 8, 7),
	    IV(64, 0, 1)), "s8 shr_logic");
	ok(ibin(SPU_OP_SHR_ARITH, SPU_U8, 2, IV(128, 64), IV(1, 1),
	    IV(192, 32)), "u8 shr_arith shifts in the top bit");
	ok(ibin(SPU_OP_POW, SPU_S32, 6, IV(3, 2, -1, 1, -2, 2),
	    IV(4, -1, -3, -5, 3, 31), IV(81, 0, -1, 1, -8, INT32_MIN)),
	    "s32 pow (negative exponents, wrapping)");
	ok(ibin(SPU_OP_AND, SPU_S32, 2, IV(12, -1), IV(10, 5), IV(8, 5)),
	    "and");
	ok(ibin(SPU_OP_OR, SPU_S32, 1, IV(12), IV(10), IV(14)), "or");
	ok(ibin(SPU_OP_XOR, SPU_S32, 1, IV(12), IV(10), IV(6)), "xor");
	ok(ibin(SPU_OP_AND, SPU_PRED, 4, IV(0, 0, 1, 1), IV(0, 1, 0, 1),
	    IV(0, 0, 0, 1)), "pred and");
	ok(iun(SPU_OP_NOT, SPU_S32, 2, IV(0, 5), IV(-1, -6)), "s32 not");
	ok(iun(SPU_OP_NOT, SPU_PRED, 2, IV(0, 1), IV(1, 0)), "pred not");
	ok(iun(SPU_OP_NOT, SPU_U8, 1, IV(5), IV(250)), "u8 not");
	ok(iun(SPU_OP_POPCNT, SPU_S8, 2, IV(-1, 6), IV(8, 2)), "s8 popcnt");
	ok(iun(SPU_OP_POPCNT, SPU_U32, 1, IV(0xf0f0), IV(8)), "u32 popcnt");
	ok(iun(SPU_OP_NEG, SPU_S8, 2, IV(-128, 5), IV(-128, -5)),
	    "s8 neg wraps");
	ok(iun(SPU_OP_ABS, SPU_S8, 3, IV(-128, -5, 7), IV(-128, 5, 7)),
	    "s8 abs wraps");
	ok(iun(SPU_OP_SIGN, SPU_S32, 3, IV(-5, 0, 5), IV(-1, 0, 1)),
	    "s32 sign");
	ok(iun(SPU_OP_SIGN, SPU_U64, 2, IV(INT64_MIN, 0), IV(1, 0)),
	    "u64 sign of a huge value is 1");
}

static int
fcmp(enum spu_op op, const int64_t *want)
{
	return tb_check_i(bin(op, SPU_F64, SPU_F64, SPU_PRED,
	    tb_tensor_f(SPU_F64, S(3), DV(1, 2, NAN)),
	    tb_tensor_f(SPU_F64, S(3), DV(2, 2, 1))), SPU_PRED, S(3), want);
}

static void
test_compare(void)
{
	ok(fcmp(SPU_OP_EQ, IV(0, 1, 0)), "eq, NaN unequal");
	ok(fcmp(SPU_OP_NE, IV(1, 0, 1)), "ne");
	ok(fcmp(SPU_OP_LT, IV(1, 0, 0)), "lt");
	ok(fcmp(SPU_OP_LE, IV(1, 1, 0)), "le");
	ok(fcmp(SPU_OP_GT, IV(0, 0, 0)), "gt");
	ok(fcmp(SPU_OP_GE, IV(0, 1, 0)), "ge");
	ok(tb_check_i(bin(SPU_OP_LT, SPU_U8, SPU_U8, SPU_PRED,
	    tb_tensor_i(SPU_U8, S(2), IV(200, 1)),
	    tb_tensor_i(SPU_U8, S(2), IV(100, 2))), SPU_PRED, S(2), IV(0, 1)),
	    "u8 lt compares unsigned");
	ok(tb_check_i(bin(SPU_OP_LT, SPU_S8, SPU_S8, SPU_PRED,
	    tb_tensor_i(SPU_S8, S(2), IV(-56, 1)),
	    tb_tensor_i(SPU_S8, S(2), IV(100, 2))), SPU_PRED, S(2), IV(1, 1)),
	    "s8 lt compares signed");
}

static void
test_convert(void)
{
	ok(tb_check_i(un(SPU_OP_CONVERT, SPU_F64, SPU_S8,
	    tb_tensor_f(SPU_F64, S(6), DV(1.9, -1.9, 300, -300, NAN, -0.5))),
	    SPU_S8, S(6), IV(1, -1, 127, -128, 0, 0)),
	    "f64 -> s8 truncates and saturates, NaN -> 0");
	ok(tb_check_i(un(SPU_OP_CONVERT, SPU_F64, SPU_U8,
	    tb_tensor_f(SPU_F64, S(3), DV(-5, 300, 254.9))), SPU_U8, S(3),
	    IV(0, 255, 254)), "f64 -> u8 saturates");
	ok(tb_check_i(un(SPU_OP_CONVERT, SPU_F64, SPU_S64,
	    tb_tensor_f(SPU_F64, S(2), DV(1e300, -1e300))), SPU_S64, S(2),
	    IV(INT64_MAX, INT64_MIN)), "f64 -> s64 saturates");
	ok(tb_check_i(un(SPU_OP_CONVERT, SPU_U8, SPU_S8,
	    tb_tensor_i(SPU_U8, S(2), IV(200, 5))), SPU_S8, S(2), IV(-56, 5)),
	    "u8 -> s8 wraps");
	ok(tb_check_i(un(SPU_OP_CONVERT, SPU_F64, SPU_PRED,
	    tb_tensor_f(SPU_F64, S(4), DV(0, 0.5, -0.0, NAN))), SPU_PRED, S(4),
	    IV(0, 1, 0, 1)), "f64 -> pred is != 0");
	ok(tb_check_f(un(SPU_OP_CONVERT, SPU_S32, SPU_F32,
	    tb_tensor_i(SPU_S32, S(2), IV(-7, 16777217))), S(2),
	    DV(-7, 16777217), 0), "s32 -> f32 computes in double");
	ok(tb_check_f(un(SPU_OP_CONVERT, SPU_U64, SPU_F64,
	    tb_tensor_i(SPU_U64, S(1), IV(INT64_MIN))), S(1),
	    DV(9223372036854775808.0), 0), "u64 -> f64 is unsigned");
	ok(tb_check_i(un(SPU_OP_BITCAST_CONVERT, SPU_F32, SPU_S32,
	    tb_tensor_f(SPU_F32, S(2), DV(1.0, -2.0))), SPU_S32, S(2),
	    IV(0x3f800000, (int64_t)(int32_t)0xc0000000u)),
	    "bitcast f32 -> s32");
	ok(tb_check_f(un(SPU_OP_BITCAST_CONVERT, SPU_S64, SPU_F64,
	    tb_tensor_i(SPU_S64, S(1), IV(0x4000000000000000LL))), S(1),
	    DV(2.0), 0), "bitcast s64 -> f64");
}

static void
test_select_clamp(void)
{
	struct spu_program *p;
	struct spu_func *f;
	uint32_t c, x, y, lo, hi;

	p = tb_prog(1);
	f = &p->funcs[0];
	c = tb_param(f, 0, SPU_PRED, S(3));
	x = tb_param(f, 1, SPU_F64, S(3));
	y = tb_param(f, 2, SPU_F64, S(3));
	RET(f, OP(f, SPU_OP_SELECT, SPU_F64, S(3), c, x, y));
	ok(tb_check_f(tb_run1(p, 3, (struct spu_tensor *[]){
	    tb_tensor_i(SPU_PRED, S(3), IV(1, 0, 1)),
	    tb_tensor_f(SPU_F64, S(3), DV(1, 2, 3)),
	    tb_tensor_f(SPU_F64, S(3), DV(10, 20, 30)) }), S(3),
	    DV(1, 20, 3), 0), "select");

	p = tb_prog(1);
	f = &p->funcs[0];
	c = tb_param(f, 0, SPU_PRED, SCALAR);
	x = tb_param(f, 1, SPU_S32, S(2));
	y = tb_param(f, 2, SPU_S32, S(2));
	RET(f, OP(f, SPU_OP_SELECT, SPU_S32, S(2), c, x, y));
	ok(tb_check_i(tb_run1(p, 3, (struct spu_tensor *[]){
	    tb_tensor_i(SPU_PRED, SCALAR, IV(0)),
	    tb_tensor_i(SPU_S32, S(2), IV(1, 2)),
	    tb_tensor_i(SPU_S32, S(2), IV(-1, -2)) }), SPU_S32, S(2),
	    IV(-1, -2)), "select with a scalar predicate");

	p = tb_prog(1);
	f = &p->funcs[0];
	lo = tb_const(f, SPU_F64, SCALAR, DV(0), NULL);
	x = tb_param(f, 0, SPU_F64, S(4));
	hi = tb_const(f, SPU_F64, SCALAR, DV(1), NULL);
	RET(f, OP(f, SPU_OP_CLAMP, SPU_F64, S(4), lo, x, hi));
	ok(tb_check_f(tb_run1(p, 1, (struct spu_tensor *[]){
	    tb_tensor_f(SPU_F64, S(4), DV(-1, 0.5, 2, NAN)) }), S(4),
	    DV(0, 0.5, 1, NAN), 0), "clamp with scalar bounds");

	p = tb_prog(1);
	f = &p->funcs[0];
	lo = tb_param(f, 0, SPU_U8, S(3));
	x = tb_param(f, 1, SPU_U8, S(3));
	hi = tb_const(f, SPU_U8, SCALAR, NULL, IV(200));
	RET(f, OP(f, SPU_OP_CLAMP, SPU_U8, S(3), lo, x, hi));
	ok(tb_check_i(tb_run1(p, 2, (struct spu_tensor *[]){
	    tb_tensor_i(SPU_U8, S(3), IV(10, 10, 10)),
	    tb_tensor_i(SPU_U8, S(3), IV(5, 100, 250)) }), SPU_U8, S(3),
	    IV(10, 100, 200)), "u8 clamp");
}

static void
test_mixed(void)
{
	ok(tb_check_f(bin(SPU_OP_MUL, SPU_F64, SPU_S32, SPU_F64,
	    tb_tensor_f(SPU_F64, S(2), DV(1.5, 2.5)),
	    tb_tensor_i(SPU_S32, S(2), IV(2, -2))), S(2), DV(3, -5), 0),
	    "float times integer");
	ok(tb_check_f(bin(SPU_OP_ADD, SPU_F32, SPU_F32, SPU_F32,
	    tb_tensor_f(SPU_F32, S(1), DV(16777216)),
	    tb_tensor_f(SPU_F32, S(1), DV(1))), S(1), DV(16777217), 0),
	    "f32 computes in double, results are f64");
	ok(tb_check_i(bin(SPU_OP_ADD, SPU_S8, SPU_S8, SPU_S8,
	    tb_tensor_i(SPU_S32, S(1), IV(300)),
	    tb_tensor_i(SPU_S8, S(1), IV(0))), SPU_S8, S(1), IV(44)),
	    "an s32 input bound to an s8 parameter wraps");
}

int
main(void)
{
	test_float();
	test_unary_float();
	test_int();
	test_compare();
	test_convert();
	test_select_clamp();
	test_mixed();
	return done_testing();
}
