/*
 * clear_shape.c - the cleartext evaluator's data movement ops against
 * hand-computed layouts: BROADCAST, TRANSPOSE, RESHAPE, SLICE with
 * strides, CONCAT, PAD with negative and interior padding, REVERSE,
 * IOTA, DYN_SLICE with clamped starts, DYN_UPDATE_SLICE, and the errors
 * for inconsistent attributes.
 */
#include "config.h"

#include "clear_util.h"

/* A program whose parameter 0 has dtype t and shape s. */
static struct spu_program *
prog1(struct spu_func **f, uint32_t *x, enum spu_dtype t, struct spu_shape s)
{
	struct spu_program *p = tb_prog(1);

	*f = &p->funcs[0];
	*x = tb_param(*f, 0, t, s);
	return p;
}

static struct spu_tensor *
iota_f(struct spu_shape s)
{
	struct spu_tensor *t = spu_tensor_new(SPU_F64, &s);

	for (size_t i = 0; i < t->n; i++)
		spu_tensor_set_f64(t, i, (double)i);
	return t;
}

#define RUN1(p, t) tb_run1(p, 1, (struct spu_tensor *[]){ t })

static void
test_broadcast_transpose_reshape(void)
{
	struct spu_program *p;
	struct spu_func *f;
	uint32_t x, z;

	p = prog1(&f, &x, SPU_F64, SH(3));
	z = OP(f, SPU_OP_BROADCAST, SPU_F64, SH(2, 3), x);
	ATTR(tb_last(f), SPU_ATTR_DIMS, 1);
	RET(f, z);
	ok(tb_check_f(RUN1(p, tb_tensor_f(SPU_F64, SH(3), DV(1, 2, 3))),
	    SH(2, 3), DV(1, 2, 3, 1, 2, 3), 0), "broadcast a row");

	p = prog1(&f, &x, SPU_S32, SH(2, 1));
	z = OP(f, SPU_OP_BROADCAST, SPU_S32, SH(2, 3), x);
	ATTR(tb_last(f), SPU_ATTR_DIMS, 0, 1);
	RET(f, z);
	ok(tb_check_i(RUN1(p, tb_tensor_i(SPU_S32, SH(2, 1), IV(1, 2))),
	    SPU_S32, SH(2, 3), IV(1, 1, 1, 2, 2, 2)),
	    "broadcast a size-1 dimension");

	p = prog1(&f, &x, SPU_F64, SCALAR);
	RET(f, OP(f, SPU_OP_BROADCAST, SPU_F64, SH(2, 2), x));
	ok(tb_check_f(RUN1(p, tb_tensor_f(SPU_F64, SCALAR, DV(7))), SH(2, 2),
	    DV(7, 7, 7, 7), 0), "broadcast a scalar");

	p = prog1(&f, &x, SPU_F64, SH(3));
	z = OP(f, SPU_OP_BROADCAST, SPU_F64, SH(2, 4), x);
	ATTR(tb_last(f), SPU_ATTR_DIMS, 1);
	RET(f, z);
	ok(tb_fails(p, 1, (struct spu_tensor *[]){ iota_f(SH(3)) },
	    SPU_ESHAPE, "instruction 1 (broadcast, HLO line 101)"),
	    "broadcast to a mismatched size fails, naming the instruction");

	p = prog1(&f, &x, SPU_F64, SH(2, 3));
	z = OP(f, SPU_OP_TRANSPOSE, SPU_F64, SH(3, 2), x);
	ATTR(tb_last(f), SPU_ATTR_PERM, 1, 0);
	RET(f, z);
	ok(tb_check_f(RUN1(p, iota_f(SH(2, 3))), SH(3, 2),
	    DV(0, 3, 1, 4, 2, 5), 0), "transpose 2-D");

	p = prog1(&f, &x, SPU_F64, SH(2, 2, 2));
	z = OP(f, SPU_OP_TRANSPOSE, SPU_F64, SH(2, 2, 2), x);
	ATTR(tb_last(f), SPU_ATTR_PERM, 2, 0, 1);
	RET(f, z);
	ok(tb_check_f(RUN1(p, iota_f(SH(2, 2, 2))), SH(2, 2, 2),
	    DV(0, 2, 4, 6, 1, 3, 5, 7), 0), "transpose 3-D");

	p = prog1(&f, &x, SPU_F64, SH(2, 3));
	RET(f, OP(f, SPU_OP_RESHAPE, SPU_F64, SH(3, 2), x));
	ok(tb_check_f(RUN1(p, iota_f(SH(2, 3))), SH(3, 2),
	    DV(0, 1, 2, 3, 4, 5), 0), "reshape");

	p = prog1(&f, &x, SPU_F64, SH(2, 3));
	RET(f, OP(f, SPU_OP_RESHAPE, SPU_F64, SH(4, 2), x));
	ok(tb_fails(p, 1, (struct spu_tensor *[]){ iota_f(SH(2, 3)) },
	    SPU_ESHAPE, "reshape of 6 elements to 8"),
	    "reshape to another element count fails");
}

static void
test_slice_concat_pad(void)
{
	struct spu_program *p;
	struct spu_func *f;
	uint32_t x, y, z, pv;
	struct spu_insn *in;

	p = prog1(&f, &x, SPU_F64, SH(5));
	z = OP(f, SPU_OP_SLICE, SPU_F64, SH(2), x);
	in = tb_last(f);
	ATTR(in, SPU_ATTR_START, 1);
	ATTR(in, SPU_ATTR_LIMIT, 5);
	ATTR(in, SPU_ATTR_STRIDE, 2);
	RET(f, z);
	ok(tb_check_f(RUN1(p, iota_f(SH(5))), SH(2), DV(1, 3), 0),
	    "slice with a stride");

	p = prog1(&f, &x, SPU_F64, SH(3, 4));
	z = OP(f, SPU_OP_SLICE, SPU_F64, SH(2, 2), x);
	in = tb_last(f);
	ATTR(in, SPU_ATTR_START, 1, 0);
	ATTR(in, SPU_ATTR_LIMIT, 3, 4);
	ATTR(in, SPU_ATTR_STRIDE, 1, 3);
	RET(f, z);
	ok(tb_check_f(RUN1(p, iota_f(SH(3, 4))), SH(2, 2), DV(4, 7, 8, 11),
	    0), "slice 2-D");

	p = prog1(&f, &x, SPU_F64, SH(5));
	z = OP(f, SPU_OP_SLICE, SPU_F64, SH(2), x);
	in = tb_last(f);
	ATTR(in, SPU_ATTR_START, 4);
	ATTR(in, SPU_ATTR_LIMIT, 6);
	RET(f, z);
	ok(tb_fails(p, 1, (struct spu_tensor *[]){ iota_f(SH(5)) },
	    SPU_EFORMAT, "out of range"), "slice past the end fails");

	p = prog1(&f, &x, SPU_F64, SH(2, 2));
	y = tb_param(f, 1, SPU_F64, SH(2, 1));
	z = OP(f, SPU_OP_CONCAT, SPU_F64, SH(2, 3), x, y);
	ATTR(tb_last(f), SPU_ATTR_DIMS, 1);
	RET(f, z);
	ok(tb_check_f(tb_run1(p, 2, (struct spu_tensor *[]){
	    tb_tensor_f(SPU_F64, SH(2, 2), DV(1, 2, 3, 4)),
	    tb_tensor_f(SPU_F64, SH(2, 1), DV(5, 6)) }), SH(2, 3),
	    DV(1, 2, 5, 3, 4, 6), 0), "concat along dimension 1");

	p = prog1(&f, &x, SPU_S32, SH(1, 2));
	y = tb_param(f, 1, SPU_S32, SH(2, 2));
	z = OP(f, SPU_OP_CONCAT, SPU_S32, SH(3, 2), x, y);
	ATTR(tb_last(f), SPU_ATTR_DIMS, 0);
	RET(f, z);
	ok(tb_check_i(tb_run1(p, 2, (struct spu_tensor *[]){
	    tb_tensor_i(SPU_S32, SH(1, 2), IV(1, 2)),
	    tb_tensor_i(SPU_S32, SH(2, 2), IV(3, 4, 5, 6)) }), SPU_S32,
	    SH(3, 2), IV(1, 2, 3, 4, 5, 6)), "concat along dimension 0");

	/* 1,2,3 -> interior 1,9,2,9,3 -> lo -1: 9,2,9,3 -> hi 2 */
	p = prog1(&f, &x, SPU_F64, SH(3));
	pv = tb_const(f, SPU_F64, SCALAR, DV(9), NULL);
	z = OP(f, SPU_OP_PAD, SPU_F64, SH(6), x, pv);
	in = tb_last(f);
	ATTR(in, SPU_ATTR_PAD_LO, -1);
	ATTR(in, SPU_ATTR_PAD_HI, 2);
	ATTR(in, SPU_ATTR_PAD_INT, 1);
	RET(f, z);
	ok(tb_check_f(RUN1(p, tb_tensor_f(SPU_F64, SH(3), DV(1, 2, 3))),
	    SH(6), DV(9, 2, 9, 3, 9, 9), 0),
	    "pad with negative low and interior padding");

	p = prog1(&f, &x, SPU_S32, SH(2, 2));
	pv = tb_const(f, SPU_S32, SCALAR, NULL, IV(0));
	z = OP(f, SPU_OP_PAD, SPU_S32, SH(3, 4), x, pv);
	in = tb_last(f);
	ATTR(in, SPU_ATTR_PAD_LO, 1, 0);
	ATTR(in, SPU_ATTR_PAD_HI, 0, 1);
	ATTR(in, SPU_ATTR_PAD_INT, 0, 1);
	RET(f, z);
	ok(tb_check_i(RUN1(p, tb_tensor_i(SPU_S32, SH(2, 2), IV(1, 2, 3, 4))),
	    SPU_S32, SH(3, 4), IV(0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0)),
	    "pad 2-D");

	p = prog1(&f, &x, SPU_F64, SH(4));
	pv = tb_const(f, SPU_F64, SCALAR, DV(0), NULL);
	z = OP(f, SPU_OP_PAD, SPU_F64, SH(1), x, pv);
	in = tb_last(f);
	ATTR(in, SPU_ATTR_PAD_LO, -2);
	ATTR(in, SPU_ATTR_PAD_HI, -1);
	RET(f, z);
	ok(tb_check_f(RUN1(p, iota_f(SH(4))), SH(1), DV(2), 0),
	    "pad with both sides negative crops");
}

static void
test_reverse_iota(void)
{
	struct spu_program *p;
	struct spu_func *f;
	uint32_t x, z;

	p = prog1(&f, &x, SPU_F64, SH(2, 3));
	z = OP(f, SPU_OP_REVERSE, SPU_F64, SH(2, 3), x);
	ATTR(tb_last(f), SPU_ATTR_DIMS, 1);
	RET(f, z);
	ok(tb_check_f(RUN1(p, iota_f(SH(2, 3))), SH(2, 3),
	    DV(2, 1, 0, 5, 4, 3), 0), "reverse dimension 1");

	p = prog1(&f, &x, SPU_F64, SH(2, 3));
	z = OP(f, SPU_OP_REVERSE, SPU_F64, SH(2, 3), x);
	ATTR(tb_last(f), SPU_ATTR_DIMS, 0, 1);
	RET(f, z);
	ok(tb_check_f(RUN1(p, iota_f(SH(2, 3))), SH(2, 3),
	    DV(5, 4, 3, 2, 1, 0), 0), "reverse both dimensions");

	p = tb_prog(1);
	f = &p->funcs[0];
	z = tb_op(f, SPU_OP_IOTA, SPU_S32, SH(2, 3), 0, NULL);
	ATTR(tb_last(f), SPU_ATTR_DIMS, 1);
	RET(f, z);
	ok(tb_check_i(tb_run1(p, 0, NULL), SPU_S32, SH(2, 3),
	    IV(0, 1, 2, 0, 1, 2)), "iota s32 along dimension 1");

	p = tb_prog(1);
	f = &p->funcs[0];
	z = tb_op(f, SPU_OP_IOTA, SPU_F32, SH(2, 3), 0, NULL);
	ATTR(tb_last(f), SPU_ATTR_DIMS, 0);
	RET(f, z);
	ok(tb_check_f(tb_run1(p, 0, NULL), SH(2, 3), DV(0, 0, 0, 1, 1, 1), 0),
	    "iota f32 along dimension 0");
}

static struct spu_tensor *
dyn1(int64_t start)
{
	struct spu_program *p;
	struct spu_func *f;
	uint32_t x, i, z;

	p = prog1(&f, &x, SPU_F64, SH(5));
	i = tb_param(f, 1, SPU_S32, SCALAR);
	z = OP(f, SPU_OP_DYN_SLICE, SPU_F64, SH(2), x, i);
	ATTR(tb_last(f), SPU_ATTR_SIZES, 2);
	RET(f, z);
	return tb_run1(p, 2, (struct spu_tensor *[]){ iota_f(SH(5)),
	    tb_tensor_i(SPU_S32, SCALAR, &start) });
}

static void
test_dynamic(void)
{
	struct spu_program *p;
	struct spu_func *f;
	uint32_t x, i, j, u, z;

	ok(tb_check_f(dyn1(1), SH(2), DV(1, 2), 0), "dyn_slice");
	ok(tb_check_f(dyn1(4), SH(2), DV(3, 4), 0),
	    "dyn_slice clamps a start past the end");
	ok(tb_check_f(dyn1(-3), SH(2), DV(0, 1), 0),
	    "dyn_slice clamps a negative start");

	p = prog1(&f, &x, SPU_F64, SH(3, 3));
	i = tb_const(f, SPU_S64, SCALAR, NULL, IV(2));
	j = tb_const(f, SPU_U32, SCALAR, NULL, IV(4000000000LL));
	z = OP(f, SPU_OP_DYN_SLICE, SPU_F64, SH(2, 2), x, i, j);
	ATTR(tb_last(f), SPU_ATTR_SIZES, 2, 2);
	RET(f, z);
	ok(tb_check_f(RUN1(p, iota_f(SH(3, 3))), SH(2, 2), DV(4, 5, 7, 8), 0),
	    "dyn_slice 2-D, a huge unsigned start clamps high");

	p = prog1(&f, &x, SPU_F64, SH(5));
	u = tb_param(f, 1, SPU_F64, SH(2));
	i = tb_const(f, SPU_S32, SCALAR, NULL, IV(10));
	RET(f, OP(f, SPU_OP_DYN_UPDATE_SLICE, SPU_F64, SH(5), x, u, i));
	ok(tb_check_f(tb_run1(p, 2, (struct spu_tensor *[]){ iota_f(SH(5)),
	    tb_tensor_f(SPU_F64, SH(2), DV(7, 8)) }), SH(5),
	    DV(0, 1, 2, 7, 8), 0), "dyn_update_slice clamps");

	p = prog1(&f, &x, SPU_S32, SH(2, 3));
	u = tb_param(f, 1, SPU_S32, SH(1, 2));
	i = tb_const(f, SPU_S32, SCALAR, NULL, IV(1));
	j = tb_const(f, SPU_S32, SCALAR, NULL, IV(0));
	RET(f, OP(f, SPU_OP_DYN_UPDATE_SLICE, SPU_S32, SH(2, 3), x, u, i, j));
	ok(tb_check_i(tb_run1(p, 2, (struct spu_tensor *[]){
	    tb_tensor_i(SPU_S32, SH(2, 3), IV(0, 0, 0, 0, 0, 0)),
	    tb_tensor_i(SPU_S32, SH(1, 2), IV(5, 6)) }), SPU_S32, SH(2, 3),
	    IV(0, 0, 0, 5, 6, 0)), "dyn_update_slice 2-D");
}

int
main(void)
{
	test_broadcast_transpose_reshape();
	test_slice_concat_pad();
	test_reverse_iota();
	test_dynamic();
	return done_testing();
}
