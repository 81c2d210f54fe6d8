/*
 * clear_ops.c - the cleartext evaluator's structured ops against hand
 * computed results: MATMUL, GATHER (row gather, index vectors, clamping,
 * batching dims), SCATTER (add with repeated and out-of-bounds indices,
 * a called combiner, replace), REDUCE (kinds, a called reducer, a
 * variadic argmax), REDUCE_WINDOW (max pooling, padding, dilations),
 * SELECT_AND_SCATTER, CONV (NHWC with stride and padding, channels,
 * feature and batch groups) and SORT (orders, stability, several
 * operands, a comparator).
 */
#include "config.h"

#include "clear_util.h"

/* Function fi of p: scalar (a, b) -> op(a, b) of dtype t. */
static void
binfunc(struct spu_program *p, uint32_t fi, enum spu_op op, enum spu_dtype t,
    enum spu_dtype rt)
{
	struct spu_func *f = &p->funcs[fi];
	uint32_t a = tb_param(f, 0, t, SCALAR), b = tb_param(f, 1, t, SCALAR);

	RET(f, OP(f, op, rt, SCALAR, a, b));
}

static struct spu_tensor *
iota_f(struct spu_shape s)
{
	struct spu_tensor *t = spu_tensor_new(SPU_F64, &s);

	for (size_t i = 0; i < t->n; i++)
		spu_tensor_set_f64(t, i, (double)i);
	return t;
}

#define TENS(...) ((struct spu_tensor *[]){ __VA_ARGS__ })

static struct spu_tensor *
matmul(enum spu_dtype ta, struct spu_tensor *x, enum spu_dtype tb,
    struct spu_tensor *y, enum spu_dtype tr, struct spu_shape rs)
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	uint32_t a = tb_param(f, 0, ta, x->shape), b = tb_param(f, 1, tb,
	    y->shape);

	RET(f, OP(f, SPU_OP_MATMUL, tr, rs, a, b));
	return tb_run1(p, 2, TENS(x, y));
}

static void
test_matmul(void)
{
	ok(tb_check_f(matmul(SPU_F64, tb_tensor_f(SPU_F64, SH(2, 3),
	    DV(1, 2, 3, 4, 5, 6)), SPU_F64, tb_tensor_f(SPU_F64, SH(3, 2),
	    DV(7, 8, 9, 10, 11, 12)), SPU_F64, SH(2, 2)), SH(2, 2),
	    DV(58, 64, 139, 154), 0), "matmul 2x3 . 3x2");
	ok(tb_check_f(matmul(SPU_F64, tb_tensor_f(SPU_F64, SH(2, 1, 2),
	    DV(1, 2, 3, 4)), SPU_F64, tb_tensor_f(SPU_F64, SH(2, 2, 1),
	    DV(5, 6, 7, 8)), SPU_F64, SH(2, 1, 1)), SH(2, 1, 1), DV(17, 53),
	    0), "batched matmul");
	ok(tb_check_i(matmul(SPU_S8, tb_tensor_i(SPU_S8, SH(1, 2),
	    IV(100, 100)), SPU_S8, tb_tensor_i(SPU_S8, SH(2, 1), IV(1, 1)),
	    SPU_S8, SH(1, 1)), SPU_S8, SH(1, 1), IV(-56)), "s8 matmul wraps");
	ok(tb_check_f(matmul(SPU_F64, tb_tensor_f(SPU_F64, SH(1, 2),
	    DV(0.5, 1.5)), SPU_S32, tb_tensor_i(SPU_S32, SH(2, 1), IV(2, -2)),
	    SPU_F64, SH(1, 1)), SH(1, 1), DV(-2), 0),
	    "float . integer matmul");
}

static struct spu_tensor *
gather(struct spu_tensor *x, struct spu_tensor *idx, struct spu_shape rs,
    void (*attrs)(struct spu_insn *))
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	uint32_t a = tb_param(f, 0, SPU_F64, x->shape);
	uint32_t b = tb_param(f, 1, idx->dtype, idx->shape);
	uint32_t z = OP(f, SPU_OP_GATHER, SPU_F64, rs, a, b);

	attrs(tb_last(f));
	RET(f, z);
	return tb_run1(p, 2, TENS(x, idx));
}

static void
rows_attrs(struct spu_insn *in)
{
	ATTR(in, SPU_ATTR_OFFSET_DIMS, 1);
	ATTR(in, SPU_ATTR_COLLAPSED_DIMS, 0);
	ATTR(in, SPU_ATTR_START_INDEX_MAP, 0);
	ATTR(in, SPU_ATTR_INDEX_VECTOR_DIM, 1);
	ATTR(in, SPU_ATTR_SLICE_SIZES, 1, 2);
}

static void
points_attrs(struct spu_insn *in)
{
	ATTR(in, SPU_ATTR_COLLAPSED_DIMS, 0, 1);
	ATTR(in, SPU_ATTR_START_INDEX_MAP, 0, 1);
	ATTR(in, SPU_ATTR_INDEX_VECTOR_DIM, 1);
	ATTR(in, SPU_ATTR_SLICE_SIZES, 1, 1);
}

static void
windows_attrs(struct spu_insn *in)
{
	ATTR(in, SPU_ATTR_OFFSET_DIMS, 1, 2);
	ATTR(in, SPU_ATTR_START_INDEX_MAP, 0, 1);
	ATTR(in, SPU_ATTR_INDEX_VECTOR_DIM, 1);
	ATTR(in, SPU_ATTR_SLICE_SIZES, 2, 2);
}

static void
batch_attrs(struct spu_insn *in)
{
	ATTR(in, SPU_ATTR_COLLAPSED_DIMS, 1);
	ATTR(in, SPU_ATTR_START_INDEX_MAP, 1);
	ATTR(in, SPU_ATTR_INDEX_VECTOR_DIM, 1);
	ATTR(in, SPU_ATTR_SLICE_SIZES, 1, 1);
	ATTR(in, SPU_ATTR_OPERAND_BATCH_DIMS, 0);
	ATTR(in, SPU_ATTR_INDICES_BATCH_DIMS, 0);
}

static void
test_gather(void)
{
	ok(tb_check_f(gather(iota_f(SH(3, 2)), tb_tensor_i(SPU_S32, SH(2),
	    IV(2, 0)), SH(2, 2), rows_attrs), SH(2, 2), DV(4, 5, 0, 1), 0),
	    "gather rows");
	ok(tb_check_f(gather(iota_f(SH(3, 2)), tb_tensor_i(SPU_S32, SH(2),
	    IV(7, -1)), SH(2, 2), rows_attrs), SH(2, 2), DV(4, 5, 0, 1), 0),
	    "gather clamps out-of-range rows");
	ok(tb_check_f(gather(iota_f(SH(3, 3)), tb_tensor_i(SPU_S64, SH(2, 2),
	    IV(0, 1, 2, 2)), SH(2), points_attrs), SH(2), DV(1, 8), 0),
	    "gather points by index vectors");
	ok(tb_check_f(gather(iota_f(SH(3, 3)), tb_tensor_i(SPU_U8, SH(2, 2),
	    IV(0, 1, 2, 2)), SH(2, 2, 2), windows_attrs), SH(2, 2, 2),
	    DV(1, 2, 4, 5, 4, 5, 7, 8), 0),
	    "gather 2x2 windows, the second clamped");
	ok(tb_check_f(gather(iota_f(SH(2, 3)), tb_tensor_i(SPU_S32, SH(2),
	    IV(2, 0)), SH(2), batch_attrs), SH(2), DV(2, 3), 0),
	    "gather with batching dims");
}

/* scatter into x[3,2] at rows idx[3] with updates[3,2] */
static struct spu_tensor *
scatter_rows(const int64_t *idx, int kind, enum spu_op callop)
{
	struct spu_program *p = tb_prog(callop ? 2 : 1);
	struct spu_func *f = &p->funcs[0];
	uint32_t x = tb_param(f, 0, SPU_F64, SH(3, 2));
	uint32_t i = tb_param(f, 1, SPU_S32, SH(3));
	uint32_t u = tb_param(f, 2, SPU_F64, SH(3, 2));
	uint32_t z = OP(f, SPU_OP_SCATTER, SPU_F64, SH(3, 2), x, i, u);
	struct spu_insn *in = tb_last(f);

	ATTR(in, SPU_ATTR_UPDATE_WINDOW_DIMS, 1);
	ATTR(in, SPU_ATTR_INSERTED_DIMS, 0);
	ATTR(in, SPU_ATTR_SCATTER_DIMS_TO_OPERAND, 0);
	ATTR(in, SPU_ATTR_INDEX_VECTOR_DIM, 1);
	ATTR(in, SPU_ATTR_REDUCER, kind);
	if (callop) {
		FUNCS(in, 1);
		binfunc(p, 1, callop, SPU_F64, SPU_F64);
	}
	RET(f, z);
	return tb_run1(p, 3, TENS(tb_tensor_f(SPU_F64, SH(3, 2),
	    DV(1, 1, 1, 1, 1, 1)), tb_tensor_i(SPU_S32, SH(3), idx),
	    tb_tensor_f(SPU_F64, SH(3, 2), DV(1, 2, 3, 4, 5, 6))));
}

static void
test_scatter(void)
{
	ok(tb_check_f(scatter_rows(IV(0, 2, 0), SPU_REDUCE_ADD, 0), SH(3, 2),
	    DV(7, 9, 1, 1, 4, 5), 0), "scatter-add with a repeated row");
	ok(tb_check_f(scatter_rows(IV(0, 3, -1), SPU_REDUCE_ADD, 0), SH(3, 2),
	    DV(2, 3, 1, 1, 1, 1), 0), "scatter skips out-of-bounds rows");
	ok(tb_check_f(scatter_rows(IV(1, 1, 2), SPU_REDUCE_REPLACE, 0),
	    SH(3, 2), DV(1, 1, 3, 4, 5, 6), 0),
	    "scatter replace, the last update wins");
	ok(tb_check_f(scatter_rows(IV(0, 2, 0), SPU_REDUCE_CALL, SPU_OP_MUL),
	    SH(3, 2), DV(5, 12, 1, 1, 3, 4), 0),
	    "scatter with a called combiner");
}

/* reduce x[2,3] = 1..6 over dims with kind or a called op */
static struct spu_tensor *
reduce23(int kind, enum spu_op callop, double init, struct spu_shape rs,
    uint32_t nd, const int64_t *dims)
{
	struct spu_program *p = tb_prog(callop ? 2 : 1);
	struct spu_func *f = &p->funcs[0];
	uint32_t x = tb_param(f, 0, SPU_F64, SH(2, 3));
	uint32_t i = tb_const(f, SPU_F64, SCALAR, &init, NULL);
	uint32_t z = OP(f, SPU_OP_REDUCE, SPU_F64, rs, x, i);
	struct spu_insn *in = tb_last(f);

	tb_attr(in, SPU_ATTR_DIMS, nd, dims);
	ATTR(in, SPU_ATTR_REDUCER, kind);
	if (callop) {
		FUNCS(in, 1);
		binfunc(p, 1, callop, SPU_F64, SPU_F64);
	}
	RET(f, z);
	return tb_run1(p, 1, TENS(tb_tensor_f(SPU_F64, SH(2, 3),
	    DV(1, 2, 3, 4, 5, 6))));
}

static void
test_reduce(void)
{
	struct spu_program *p;
	struct spu_func *f, *g;
	struct spu_tensor *out[2];
	uint32_t x, ix, i0, i1, z, a, b, c, d, gt, s1, s2;
	struct spu_insn *in;

	ok(tb_check_f(reduce23(SPU_REDUCE_ADD, 0, 0, SH(2), V(1)), SH(2),
	    DV(6, 15), 0), "reduce add over dimension 1");
	ok(tb_check_f(reduce23(SPU_REDUCE_ADD, 0, 10, SH(2), V(1)), SH(2),
	    DV(16, 25), 0), "reduce add starts from the init value");
	ok(tb_check_f(reduce23(SPU_REDUCE_MAX, 0, -INFINITY, SH(3), V(0)),
	    SH(3), DV(4, 5, 6), 0), "reduce max over dimension 0");
	ok(tb_check_f(reduce23(SPU_REDUCE_ADD, 0, 0, SCALAR, V(0, 1)),
	    SCALAR, DV(21), 0), "reduce add over everything");
	ok(tb_check_f(reduce23(SPU_REDUCE_CALL, SPU_OP_MUL, 1, SH(2), V(1)),
	    SH(2), DV(6, 120), 0), "reduce with a called reducer");
	ok(tb_check_f(reduce23(SPU_REDUCE_CALL, SPU_OP_SUB, 0, SH(2), V(1)),
	    SH(2), DV(-6, -15), 0),
	    "a called reducer gets (accumulator, element)");

	/* argmax: reduce (values, iota) with a 4-parameter reducer */
	p = tb_prog(2);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_F64, SH(4));
	ix = tb_op(f, SPU_OP_IOTA, SPU_S32, SH(4), 0, NULL);
	ATTR(tb_last(f), SPU_ATTR_DIMS, 0);
	i0 = tb_const(f, SPU_F64, SCALAR, DV(-INFINITY), NULL);
	i1 = tb_const(f, SPU_S32, SCALAR, NULL, IV(-1));
	in = tb_emit(f, SPU_OP_REDUCE, 4, (uint32_t[]){ x, ix, i0, i1 }, 2);
	tb_type(in, 0, SPU_F64, SCALAR);
	tb_type(in, 1, SPU_S32, SCALAR);
	ATTR(in, SPU_ATTR_DIMS, 0);
	FUNCS(in, 1);
	RET(f, in->out[0], in->out[1]);
	g = &p->funcs[1];
	a = tb_param(g, 0, SPU_F64, SCALAR);
	b = tb_param(g, 1, SPU_S32, SCALAR);
	c = tb_param(g, 2, SPU_F64, SCALAR);
	d = tb_param(g, 3, SPU_S32, SCALAR);
	gt = OP(g, SPU_OP_GT, SPU_PRED, SCALAR, c, a);
	s1 = OP(g, SPU_OP_SELECT, SPU_F64, SCALAR, gt, c, a);
	s2 = OP(g, SPU_OP_SELECT, SPU_S32, SCALAR, gt, d, b);
	RET(g, s1, s2);
	ok(tb_runn(p, 1, TENS(tb_tensor_f(SPU_F64, SH(4), DV(3, 7, 7, 1))),
	    out, 2) && tb_check_f(out[0], SCALAR, DV(7), 0) &&
	    tb_check_i(out[1], SPU_S32, SCALAR, IV(1)),
	    "variadic reduce (argmax, first of ties)");

	p = tb_prog(1);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_PRED, SH(2, 2));
	i0 = tb_const(f, SPU_PRED, SCALAR, NULL, IV(0));
	z = OP(f, SPU_OP_REDUCE, SPU_PRED, SH(2), x, i0);
	ATTR(tb_last(f), SPU_ATTR_DIMS, 1);
	ATTR(tb_last(f), SPU_ATTR_REDUCER, SPU_REDUCE_OR);
	RET(f, z);
	ok(tb_check_i(tb_run1(p, 1, TENS(tb_tensor_i(SPU_PRED, SH(2, 2),
	    IV(0, 0, 0, 1)))), SPU_PRED, SH(2), IV(0, 1)), "reduce or (any)");
	(void)z;
}

static struct spu_tensor *
rwin(struct spu_tensor *x, int kind, double init, struct spu_shape rs,
    void (*attrs)(struct spu_insn *))
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	uint32_t a = tb_param(f, 0, SPU_F64, x->shape);
	uint32_t i = tb_const(f, SPU_F64, SCALAR, &init, NULL);
	uint32_t z = OP(f, SPU_OP_REDUCE_WINDOW, SPU_F64, rs, a, i);

	ATTR(tb_last(f), SPU_ATTR_REDUCER, kind);
	attrs(tb_last(f));
	RET(f, z);
	return tb_run1(p, 1, TENS(x));
}

static void
pool_attrs(struct spu_insn *in)
{
	ATTR(in, SPU_ATTR_WINDOW, 2, 2);
	ATTR(in, SPU_ATTR_WSTRIDE, 2, 2);
}

static void
padded_attrs(struct spu_insn *in)
{
	ATTR(in, SPU_ATTR_WINDOW, 3);
	ATTR(in, SPU_ATTR_PAD_LO, 1);
	ATTR(in, SPU_ATTR_PAD_HI, 1);
}

static void
bdil_attrs(struct spu_insn *in)
{
	ATTR(in, SPU_ATTR_WINDOW, 2);
	ATTR(in, SPU_ATTR_BASE_DILATE, 2);
}

static void
wdil_attrs(struct spu_insn *in)
{
	ATTR(in, SPU_ATTR_WINDOW, 2);
	ATTR(in, SPU_ATTR_WIN_DILATE, 2);
}

static void
test_reduce_window(void)
{
	ok(tb_check_f(rwin(iota_f(SH(4, 4)), SPU_REDUCE_MAX, -INFINITY,
	    SH(2, 2), pool_attrs), SH(2, 2), DV(5, 7, 13, 15), 0),
	    "2x2 max pooling");
	ok(tb_check_f(rwin(tb_tensor_f(SPU_F64, SH(5), DV(1, 3, 2, 5, 4)),
	    SPU_REDUCE_ADD, 0, SH(5), padded_attrs), SH(5),
	    DV(4, 6, 10, 11, 9), 0), "padded window sums");
	ok(tb_check_f(rwin(tb_tensor_f(SPU_F64, SH(5), DV(1, 3, 2, 5, 4)),
	    SPU_REDUCE_ADD, 100, SH(5), padded_attrs), SH(5),
	    DV(204, 106, 110, 111, 209), 0),
	    "padding counts as the init value");
	ok(tb_check_f(rwin(tb_tensor_f(SPU_F64, SH(3), DV(1, 2, 3)),
	    SPU_REDUCE_ADD, 0, SH(4), bdil_attrs), SH(4), DV(1, 2, 2, 3), 0),
	    "base dilation");
	ok(tb_check_f(rwin(tb_tensor_f(SPU_F64, SH(5), DV(1, 3, 2, 5, 4)),
	    SPU_REDUCE_ADD, 0, SH(3), wdil_attrs), SH(3), DV(3, 8, 6), 0),
	    "window dilation");
}

static struct spu_tensor *
sas(const double *x, int64_t stride, const double *src, int64_t nsrc)
{
	struct spu_program *p = tb_prog(3);
	struct spu_func *f = &p->funcs[0];
	uint32_t a = tb_param(f, 0, SPU_F64, SH(4));
	uint32_t s = tb_param(f, 1, SPU_F64, SH(nsrc));
	uint32_t i = tb_const(f, SPU_F64, SCALAR, DV(0), NULL);
	uint32_t z = OP(f, SPU_OP_SELECT_AND_SCATTER, SPU_F64, SH(4), a, s, i);
	struct spu_insn *in = tb_last(f);

	ATTR(in, SPU_ATTR_WINDOW, 2);
	tb_attr(in, SPU_ATTR_WSTRIDE, 1, &stride);
	FUNCS(in, 1, 2);
	RET(f, z);
	binfunc(p, 1, SPU_OP_GE, SPU_F64, SPU_PRED);
	binfunc(p, 2, SPU_OP_ADD, SPU_F64, SPU_F64);
	return tb_run1(p, 2, TENS(tb_tensor_f(SPU_F64, SH(4), x),
	    tb_tensor_f(SPU_F64, SH(nsrc), src)));
}

static void
test_select_and_scatter(void)
{
	ok(tb_check_f(sas(DV(1, 5, 3, 2), 2, DV(10, 20), 2), SH(4),
	    DV(0, 10, 20, 0), 0), "select-and-scatter (max-pool gradient)");
	ok(tb_check_f(sas(DV(1, 5, 3, 2), 1, DV(1, 2, 3), 3), SH(4),
	    DV(0, 3, 3, 0), 0), "select-and-scatter, overlapping windows");
	ok(tb_check_f(sas(DV(2, 2, 2, 2), 2, DV(1, 2), 2), SH(4),
	    DV(1, 0, 2, 0), 0), "select-and-scatter keeps the first of ties");
}

static struct spu_tensor *
conv(enum spu_dtype t, struct spu_tensor *x, struct spu_tensor *k,
    struct spu_shape rs, int64_t stride, int64_t pad, int64_t fg, int64_t bg)
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	uint32_t a = tb_param(f, 0, t, x->shape), b = tb_param(f, 1, t,
	    k->shape);
	uint32_t z = OP(f, SPU_OP_CONV, t, rs, a, b);
	struct spu_insn *in = tb_last(f);

	tb_conv_nhwc(in, stride, pad, fg, bg);
	RET(f, z);
	return tb_run1(p, 2, TENS(x, k));
}

static void
test_conv(void)
{
	const double *img = DV(1, 2, 3, 4, 5, 6, 7, 8, 9);

	ok(tb_check_f(conv(SPU_F64, tb_tensor_f(SPU_F64, SH(1, 3, 3, 1), img),
	    tb_tensor_f(SPU_F64, SH(2, 2, 1, 1), DV(1, 0, 0, 1)),
	    SH(1, 2, 2, 1), 1, 0, 1, 1), SH(1, 2, 2, 1), DV(6, 8, 12, 14), 0),
	    "conv 2-D NHWC, 2x2 kernel");
	ok(tb_check_f(conv(SPU_F64, tb_tensor_f(SPU_F64, SH(1, 3, 3, 1), img),
	    tb_tensor_f(SPU_F64, SH(2, 2, 1, 1), DV(1, 0, 0, 1)),
	    SH(1, 2, 2, 1), 2, 1, 1, 1), SH(1, 2, 2, 1), DV(1, 3, 7, 14), 0),
	    "conv with stride 2 and padding 1");
	ok(tb_check_i(conv(SPU_S32, tb_tensor_i(SPU_S32, SH(1, 3, 3, 1),
	    IV(1, 2, 3, 4, 5, 6, 7, 8, 9)), tb_tensor_i(SPU_S32,
	    SH(2, 2, 1, 1), IV(1, 0, 0, -1)), SH(1, 2, 2, 1), 1, 0, 1, 1),
	    SPU_S32, SH(1, 2, 2, 1), IV(-4, -4, -4, -4)), "integer conv");
	ok(tb_check_f(conv(SPU_F64, tb_tensor_f(SPU_F64, SH(1, 2, 2, 2),
	    DV(1, 2, 3, 4, 5, 6, 7, 8)), tb_tensor_f(SPU_F64, SH(1, 1, 2, 2),
	    DV(1, 2, 3, 4)), SH(1, 2, 2, 2), 1, 0, 1, 1), SH(1, 2, 2, 2),
	    DV(7, 10, 15, 22, 23, 34, 31, 46), 0), "1x1 conv mixes channels");
	ok(tb_check_f(conv(SPU_F64, tb_tensor_f(SPU_F64, SH(1, 2, 2, 2),
	    DV(1, 2, 3, 4, 5, 6, 7, 8)), tb_tensor_f(SPU_F64, SH(1, 1, 1, 2),
	    DV(2, 3)), SH(1, 2, 2, 2), 1, 0, 2, 1), SH(1, 2, 2, 2),
	    DV(2, 6, 6, 12, 10, 18, 14, 24), 0),
	    "depthwise conv (feature groups)");
	ok(tb_check_f(conv(SPU_F64, tb_tensor_f(SPU_F64, SH(2, 1, 1, 1),
	    DV(3, 5)), tb_tensor_f(SPU_F64, SH(1, 1, 1, 2), DV(10, 100)),
	    SH(1, 1, 1, 2), 1, 0, 1, 2), SH(1, 1, 1, 2), DV(30, 500), 0),
	    "conv with batch groups");
}

static struct spu_tensor *
sort1(struct spu_tensor *x, int kind, int64_t dim)
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	uint32_t a = tb_param(f, 0, x->dtype, x->shape);
	uint32_t z = OP(f, SPU_OP_SORT, x->dtype, x->shape, a);

	ATTR(tb_last(f), SPU_ATTR_DIMS, dim);
	ATTR(tb_last(f), SPU_ATTR_REDUCER, kind);
	RET(f, z);
	return tb_run1(p, 1, TENS(x));
}

static void
test_sort(void)
{
	struct spu_program *p;
	struct spu_func *f, *g;
	struct spu_tensor *out[2];
	struct spu_insn *in;
	uint32_t k, v, a, b;

	ok(tb_check_f(sort1(tb_tensor_f(SPU_F64, SH(5), DV(3, NAN, -1, 2,
	    -1)), SPU_SORT_ASC, 0), SH(5), DV(-1, -1, 2, 3, NAN), 0),
	    "sort ascending, NaN last");
	ok(tb_check_f(sort1(tb_tensor_f(SPU_F64, SH(5), DV(3, NAN, -1, 2,
	    -1)), SPU_SORT_DESC, 0), SH(5), DV(NAN, 3, 2, -1, -1), 0),
	    "sort descending, NaN first");
	ok(tb_check_i(sort1(tb_tensor_i(SPU_U8, SH(2, 2), IV(200, 1, 2, 3)),
	    SPU_SORT_ASC, 0), SPU_U8, SH(2, 2), IV(2, 1, 200, 3)),
	    "sort u8 along dimension 0");
	ok(tb_check_i(sort1(tb_tensor_i(SPU_S32, SH(2, 3),
	    IV(3, -1, 2, 0, 9, -5)), SPU_SORT_DESC, 1), SPU_S32, SH(2, 3),
	    IV(3, 2, -1, 9, 0, -5)), "sort s32 rows descending");

	/* keys and values, ascending by key: stable */
	p = tb_prog(1);
	f = &p->funcs[0];
	k = tb_param(f, 0, SPU_F64, SH(4));
	v = tb_param(f, 1, SPU_S32, SH(4));
	in = tb_emit(f, SPU_OP_SORT, 2, (uint32_t[]){ k, v }, 2);
	tb_type(in, 0, SPU_F64, SH(4));
	tb_type(in, 1, SPU_S32, SH(4));
	ATTR(in, SPU_ATTR_DIMS, 0);
	ATTR(in, SPU_ATTR_REDUCER, SPU_SORT_ASC);
	RET(f, in->out[0], in->out[1]);
	ok(tb_runn(p, 2, TENS(tb_tensor_f(SPU_F64, SH(4), DV(3, 1, 2, 1)),
	    tb_tensor_i(SPU_S32, SH(4), IV(0, 1, 2, 3))), out, 2) &&
	    tb_check_f(out[0], SH(4), DV(1, 1, 2, 3), 0) &&
	    tb_check_i(out[1], SPU_S32, SH(4), IV(1, 3, 2, 0)),
	    "sort two operands by the first, stably");

	/* a comparator: descending by value of operand 1 */
	p = tb_prog(2);
	f = &p->funcs[0];
	k = tb_param(f, 0, SPU_F64, SH(3));
	v = tb_param(f, 1, SPU_S32, SH(3));
	in = tb_emit(f, SPU_OP_SORT, 2, (uint32_t[]){ k, v }, 2);
	tb_type(in, 0, SPU_F64, SH(3));
	tb_type(in, 1, SPU_S32, SH(3));
	ATTR(in, SPU_ATTR_DIMS, 0);
	FUNCS(in, 1);
	RET(f, in->out[0], in->out[1]);
	g = &p->funcs[1];
	(void)tb_param(g, 0, SPU_F64, SCALAR);
	(void)tb_param(g, 1, SPU_F64, SCALAR);
	a = tb_param(g, 2, SPU_S32, SCALAR);
	b = tb_param(g, 3, SPU_S32, SCALAR);
	RET(g, OP(g, SPU_OP_GT, SPU_PRED, SCALAR, a, b));
	ok(tb_runn(p, 2, TENS(tb_tensor_f(SPU_F64, SH(3), DV(1, 3, 2)),
	    tb_tensor_i(SPU_S32, SH(3), IV(10, 30, 20))), out, 2) &&
	    tb_check_f(out[0], SH(3), DV(3, 2, 1), 0) &&
	    tb_check_i(out[1], SPU_S32, SH(3), IV(30, 20, 10)),
	    "sort with a called comparator on operand 1");
}

int
main(void)
{
	test_matmul();
	test_gather();
	test_scatter();
	test_reduce();
	test_reduce_window();
	test_select_and_scatter();
	test_conv();
	test_sort();
	return done_testing();
}
