/*
 * vm_elem.c - the VM's elementwise ops (and matmul, convert, reveal):
 * one case per opcode, the arithmetic in hal/.  Costs per protocol are in
 * the hal files named below.
 *
 * Ops added for secret operands only (floor and friends, integer
 * division and remainder, bitwise ops, pow, atan2, popcnt, bitcast) leave
 * all-public operands to vm_public.c, which evaluates them exactly in the
 * clear.
 */
#include "config.h"

#include <stdint.h>

#include "hal/approx.h"
#include "hal/bits.h"
#include "hal/cmp.h"
#include "hal/elemfn.h"
#include "hal/hal.h"
#include "hal/intdiv.h"
#include "hal/pieces.h"
#include "hal/round.h"
#include "vm_int.h"

/* Ops whose public form is left to the cleartext evaluator. */
static int
secret_only(enum spu_op op)
{
	switch (op) {
	case SPU_OP_FLOOR: case SPU_OP_CEIL: case SPU_OP_ROUND:
	case SPU_OP_ROUND_EVEN: case SPU_OP_REM: case SPU_OP_XOR:
	case SPU_OP_SHL: case SPU_OP_SHR_ARITH: case SPU_OP_SHR_LOGIC:
	case SPU_OP_POW: case SPU_OP_ATAN2: case SPU_OP_POPCNT:
	case SPU_OP_BITCAST_CONVERT:
		return 1;
	default:
		return 0;
	}
}

/* IS_FINITE: fixed point has no infinities or NaN: public true. */
static int
all_true(struct spu_mpc *m, const struct spu_shape *s, struct spu_value **z)
{
	struct spu_value *v = spu_hal_alloc(m, SPU_PRED, s, SPU_PUBLIC);

	if (v == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	for (size_t i = 0; i < v->n; i++)
		spu_ring_set(m->field, v->share[0], i, 1);
	*z = v;
	return 0;
}

/* x != 0 as pred. */
static int
nonzero(struct spu_mpc *m, const struct spu_value *x, struct spu_value **z)
{
	struct spu_value *zero = spu_hal_alloc(m, x->dtype, &x->shape,
	    SPU_PUBLIC);
	int rc;

	if (zero == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	rc = spu_hal_not_equal(m, x, zero, z);
	spu_value_free(zero);
	return rc;
}

/* Comparisons, logic, select: hal/cmp.c.  A secret order comparison is
 * one MSB circuit whose bit stays a boolean sharing (hal/cmp_xor.c:
 * semi2k 2 parties, FM64: 7 rounds; aby3: 8) until an arithmetic use
 * converts it; EQ uses a zero test. */
static int
compare(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **z)
{
	const struct spu_value *x = in->nin > 0 ? ops[0] : NULL;
	const struct spu_value *y = in->nin > 1 ? ops[1] : NULL;

	switch (in->op) {
	case SPU_OP_LT: return spu_hal_less_x(m, x, y, 0, z);
	case SPU_OP_LE: return spu_hal_less_x(m, x, y, 1, z);
	case SPU_OP_GT: return spu_hal_less_x(m, y, x, 0, z);
	case SPU_OP_GE: return spu_hal_less_x(m, y, x, 1, z);
	case SPU_OP_EQ: return spu_hal_equal(m, x, y, z);
	case SPU_OP_NE: return spu_hal_not_equal(m, x, y, z);
	case SPU_OP_NOT: return spu_hal_not(m, x, z);
	case SPU_OP_AND: return spu_hal_and(m, x, y, z);
	case SPU_OP_OR: return spu_hal_or(m, x, y, z);
	case SPU_OP_SELECT: return spu_hal_select(m, x, y, ops[2], z);
	case SPU_OP_MAX: return spu_hal_max(m, x, y, z);
	case SPU_OP_MIN: return spu_hal_min(m, x, y, z);
	case SPU_OP_CLAMP: return spu_hal_clamp(m, x, y, ops[2], z);
	case SPU_OP_ABS: return spu_hal_abs(m, x, z);
	case SPU_OP_SIGN: return spu_hal_sign(m, x, z);
	default: return SPU_VM_NOT_MINE;
	}
}

/* Fixed-point functions: hal/approx.c (methods, ranges, costs). */
static int
function(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **z)
{
	const struct spu_value *x = in->nin > 0 ? ops[0] : NULL;

	switch (in->op) {
	case SPU_OP_EXP: return spu_hal_exp(m, x, z);
	case SPU_OP_EXPM1: return spu_hal_expm1(m, x, z);
	case SPU_OP_LOG: return spu_hal_log(m, x, z);
	case SPU_OP_LOG1P: return spu_hal_log1p(m, x, z);
	case SPU_OP_SQRT: return spu_hal_sqrt(m, x, z);
	case SPU_OP_RSQRT: return spu_hal_rsqrt(m, x, z);
	case SPU_OP_TANH: return spu_hal_tanh(m, x, z);
	case SPU_OP_LOGISTIC: return spu_hal_logistic(m, x, z);
	case SPU_OP_ERF: return spu_hal_erf(m, x, z);
	case SPU_OP_SIN: return spu_hal_sin(m, x, z);
	case SPU_OP_COS: return spu_hal_cos(m, x, z);
	case SPU_OP_RECIPROCAL: return spu_hal_reciprocal(m, x, z);
	default: return SPU_VM_NOT_MINE;
	}
}

/* The secret-only ops: hal/round.c, intdiv.c, bits.c, elemfn.c. */
static int
secret_op(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **z)
{
	const struct spu_value *x = in->nin > 0 ? ops[0] : NULL;
	const struct spu_value *y = in->nin > 1 ? ops[1] : NULL;
	enum spu_dtype t = in->type[0].dtype;
	int isf = spu_dtype_is_float(t);

	switch (in->op) {
	case SPU_OP_FLOOR: return spu_hal_round(m, x, SPU_ROUND_FLOOR, z);
	case SPU_OP_CEIL: return spu_hal_round(m, x, SPU_ROUND_CEIL, z);
	case SPU_OP_ROUND: return spu_hal_round(m, x, SPU_ROUND_AFZ, z);
	case SPU_OP_ROUND_EVEN:
		return spu_hal_round(m, x, SPU_ROUND_EVEN, z);
	case SPU_OP_REM:
		return isf ? spu_hal_frem(m, x, y, z) :
		    spu_hal_idivrem(m, x, y, 1, z);
	case SPU_OP_XOR: return spu_hal_xor(m, x, y, z);
	case SPU_OP_SHL: return spu_hal_shift(m, x, y, SPU_SHIFT_LEFT, z);
	case SPU_OP_SHR_LOGIC:
		return spu_hal_shift(m, x, y, SPU_SHIFT_RIGHT_LOGIC, z);
	case SPU_OP_SHR_ARITH:
		return spu_hal_shift(m, x, y, SPU_SHIFT_RIGHT_ARITH, z);
	case SPU_OP_POW: return spu_hal_pow(m, x, y, t, z);
	case SPU_OP_ATAN2: return spu_hal_atan2(m, x, y, z);
	case SPU_OP_POPCNT: return spu_hal_popcnt(m, x, z);
	case SPU_OP_BITCAST_CONVERT: return spu_hal_bitcast(m, x, t, z);
	default: return SPU_VM_NOT_MINE;
	}
}

static int
one(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **z)
{
	const struct spu_value *x = in->nin > 0 ? ops[0] : NULL;
	const struct spu_value *y = in->nin > 1 ? ops[1] : NULL;
	enum spu_dtype t = in->type[0].dtype;
	int rc;

	if (secret_only(in->op))
		return secret_op(m, in, ops, z);
	switch (in->op) {
	case SPU_OP_ADD: return spu_hal_add(m, x, y, z);
	case SPU_OP_SUB: return spu_hal_sub(m, x, y, z);
	case SPU_OP_NEG: return spu_hal_neg(m, x, z);
	case SPU_OP_MUL: return spu_hal_mul(m, x, y, t, z);
	case SPU_OP_MATMUL: return spu_hal_matmul(m, x, y, t, z);
	case SPU_OP_CONVERT:
		/* secret float -> integer: exactly toward zero (round.c);
		 * -> pred: x != 0 */
		if (x->vis == SPU_SECRET && t == SPU_PRED &&
		    x->dtype != SPU_PRED)
			return nonzero(m, x, z);
		if (x->vis == SPU_SECRET && spu_dtype_is_float(x->dtype) &&
		    !spu_dtype_is_float(t))
			return spu_hal_float_to_int(m, x, t, z);
		return spu_hal_convert(m, x, t, z);
	case SPU_OP_REVEAL: return spu_hal_reveal(m, x, z);
	case SPU_OP_IS_FINITE: return all_true(m, &in->type[0].shape, z);
	case SPU_OP_DIV:
		/* secret integers: exact division (hal/intdiv.c) */
		if (!spu_dtype_is_float(t) && (x->vis == SPU_SECRET ||
		    y->vis == SPU_SECRET))
			return spu_hal_idivrem(m, x, y, 0, z);
		return spu_hal_div(m, x, y, t, z);
	default:
		break;
	}
	if ((rc = compare(m, in, ops, z)) != SPU_VM_NOT_MINE)
		return rc;
	return function(m, in, ops, z);
}

/*
 * Non-linear ops, whose circuits need many times the operand's size in
 * working memory, run in pieces: the elements per piece, or 0.  A
 * comparison's MSB circuit needs about ten words per element; the
 * function library (bit decompositions to arithmetic, one-hot
 * normalizations) hundreds, so its pieces are smaller.
 */
static size_t
heavy(enum spu_op op)
{
	if (secret_only(op))
		return SPU_HAL_PIECE_FN;
	switch (op) {
	case SPU_OP_LT: case SPU_OP_LE: case SPU_OP_GT: case SPU_OP_GE:
	case SPU_OP_EQ: case SPU_OP_NE: case SPU_OP_AND: case SPU_OP_OR:
	case SPU_OP_MAX: case SPU_OP_MIN: case SPU_OP_CLAMP: case SPU_OP_ABS:
	case SPU_OP_SIGN:
		return SPU_HAL_PIECE;
	case SPU_OP_DIV: case SPU_OP_EXP: case SPU_OP_EXPM1:
	case SPU_OP_LOG: case SPU_OP_LOG1P: case SPU_OP_SQRT:
	case SPU_OP_RSQRT: case SPU_OP_TANH: case SPU_OP_LOGISTIC:
	case SPU_OP_ERF: case SPU_OP_SIN: case SPU_OP_COS:
	case SPU_OP_RECIPROCAL:
		return SPU_HAL_PIECE_FN;
	default:
		return 0;
	}
}

static int
chunk_one(struct spu_mpc *m, void *arg, struct spu_value *const *v,
    struct spu_value **z)
{
	const struct spu_insn *in = arg;

	return one(m, in, v, z);
}

int
spu_vm_elementwise(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **z)
{
	int pub = spu_vm_all_public(in, ops);
	enum spu_dtype t = in->type[0].dtype;

	/* a secret float to an integer or pred is a circuit too */
	if (!pub && in->op == SPU_OP_CONVERT && !spu_dtype_is_float(t) &&
	    ops[0]->dtype != t && (t == SPU_PRED ||
	    spu_dtype_is_float(ops[0]->dtype)))
		return spu_hal_pieces_of(m, chunk_one, (void *)(uintptr_t)in,
		    ops, 1, z, 1, SPU_HAL_PIECE_FN);

	if (secret_only(in->op) && pub)
		return SPU_VM_NOT_MINE;
	if (!pub && heavy(in->op) && in->nin > 0 && in->nin <= SPU_VM_MAXK)
		return spu_hal_pieces_of(m, chunk_one, (void *)(uintptr_t)in,
		    ops, (int)in->nin, z, 1, heavy(in->op));
	return one(m, in, ops, z);
}
