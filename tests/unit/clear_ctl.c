/*
 * clear_ctl.c - the cleartext evaluator's control flow and its errors:
 * WHILE (counting, zero trips, the iteration limit), COND by pred and by
 * index (out-of-range indices, per-branch operands), CALL, MAP, input
 * binding (dtype conversion, shape and count mismatches), recursion,
 * unverifiable programs, and messages naming the failing instruction.
 */
#include "config.h"

#include "clear_util.h"

#define TENS(...) ((struct spu_tensor *[]){ __VA_ARGS__ })

/* while (i < n) { i += 1; acc += 0.5 } from (i0, 0) */
static struct spu_program *
counting(int64_t n, int forever)
{
	struct spu_program *p = tb_prog(3);
	struct spu_func *f = &p->funcs[0], *c = &p->funcs[1], *b = &p->funcs[2];
	struct spu_insn *in;
	uint32_t i, acc, lim, one, half;

	i = tb_param(f, 0, SPU_S32, SCALAR);
	acc = tb_const(f, SPU_F64, SCALAR, DV(0), NULL);
	in = tb_emit(f, SPU_OP_WHILE, 2, (uint32_t[]){ i, acc }, 2);
	tb_type(in, 0, SPU_S32, SCALAR);
	tb_type(in, 1, SPU_F64, SCALAR);
	FUNCS(in, 1, 2);
	RET(f, in->out[0], in->out[1]);

	i = tb_param(c, 0, SPU_S32, SCALAR);
	(void)tb_param(c, 1, SPU_F64, SCALAR);
	lim = tb_const(c, SPU_S32, SCALAR, NULL, &n);
	RET(c, OP(c, forever ? SPU_OP_NE : SPU_OP_LT, SPU_PRED, SCALAR, i,
	    lim));

	i = tb_param(b, 0, SPU_S32, SCALAR);
	acc = tb_param(b, 1, SPU_F64, SCALAR);
	one = tb_const(b, SPU_S32, SCALAR, NULL, IV(forever ? 0 : 1));
	half = tb_const(b, SPU_F64, SCALAR, DV(0.5), NULL);
	RET(b, OP(b, SPU_OP_ADD, SPU_S32, SCALAR, i, one),
	    OP(b, SPU_OP_ADD, SPU_F64, SCALAR, acc, half));
	return p;
}

static void
test_while(void)
{
	struct spu_tensor *out[2];
	ok(tb_runn(counting(10, 0), 1, TENS(tb_tensor_i(SPU_S32, SCALAR,
	    IV(0))), out, 2) && tb_check_i(out[0], SPU_S32, SCALAR, IV(10)) &&
	    tb_check_f(out[1], SCALAR, DV(5), 0), "while loop counts to 10");
	ok(tb_runn(counting(10, 0), 1, TENS(tb_tensor_i(SPU_S32, SCALAR,
	    IV(20))), out, 2) && tb_check_i(out[0], SPU_S32, SCALAR, IV(20)) &&
	    tb_check_f(out[1], SCALAR, DV(0), 0),
	    "while loop with a false condition runs no iteration");
	{
		struct spu_clear_opts o = { .max_iters = 1000 };
		struct spu_program *p = counting(1, 1);
		struct spu_tensor *x = tb_tensor_i(SPU_S32, SCALAR, IV(0));
		struct spu_tensor **res = NULL;
		struct spu_diag d;
		size_t n = 0;
		int rc;

		rc = spu_clear_run_opts(p, &x, 1, &o, &res, &n, &d);
		ok(rc == SPU_ELIMIT && res == NULL && strstr(d.msg,
		    "function main: instruction 2 (while, HLO line 102): "
		    "loop ran more than 1000 iterations") != NULL,
		    "an endless loop stops at the iteration limit");
		if (rc != SPU_ELIMIT)
			diag("got %d: %s", rc, d.msg);
		spu_tensor_free(x);
		spu_program_free(p);
	}
	ok(SPU_CLEAR_MAX_ITERS == 10000000, "the default limit is 10^7");
}

/* cond(sel, x) with branches x*2, x+100, x-1 (only the first nb) */
static struct spu_tensor *
cond(enum spu_dtype st, int64_t sel, int nb)
{
	static const enum spu_op ops[3] = { SPU_OP_MUL, SPU_OP_ADD,
	    SPU_OP_SUB };
	static const double k[3] = { 2, 100, 1 };
	struct spu_program *p = tb_prog((uint32_t)nb + 1);
	struct spu_func *f = &p->funcs[0];
	uint32_t s = tb_param(f, 0, st, SCALAR);
	uint32_t x = tb_param(f, 1, SPU_F64, SH(2));
	uint32_t z = OP(f, SPU_OP_COND, SPU_F64, SH(2), s, x);
	struct spu_insn *in = tb_last(f);

	in->nfunc = (uint32_t)nb;
	in->func = tb_alloc((size_t)nb * sizeof(uint32_t));
	for (int b = 0; b < nb; b++) {
		struct spu_func *g = &p->funcs[b + 1];
		uint32_t y = tb_param(g, 0, SPU_F64, SH(2));
		uint32_t c = tb_const(g, SPU_F64, SCALAR, &k[b], NULL);
		uint32_t cb = OP(g, SPU_OP_BROADCAST, SPU_F64, SH(2), c);

		in = tb_last(f);
		in->func[b] = (uint32_t)b + 1;
		RET(g, OP(g, ops[b], SPU_F64, SH(2), y, cb));
	}
	RET(f, z);
	return tb_run1(p, 2, TENS(tb_tensor_i(st, SCALAR, &sel),
	    tb_tensor_f(SPU_F64, SH(2), DV(1, 2))));
}

static void
test_cond(void)
{
	struct spu_program *p;
	struct spu_func *f, *g;
	struct spu_insn *in;
	uint32_t s, x, y, z, a;

	ok(tb_check_f(cond(SPU_PRED, 1, 2), SH(2), DV(2, 4), 0),
	    "cond on true runs the first branch");
	ok(tb_check_f(cond(SPU_PRED, 0, 2), SH(2), DV(101, 102), 0),
	    "cond on false runs the second branch");
	ok(tb_check_f(cond(SPU_S32, 1, 3), SH(2), DV(101, 102), 0),
	    "cond by index 1");
	ok(tb_check_f(cond(SPU_S32, 2, 3), SH(2), DV(0, 1), 0),
	    "cond by index 2");
	ok(tb_check_f(cond(SPU_S32, 7, 3), SH(2), DV(0, 1), 0),
	    "an index past the end runs the last branch");
	ok(tb_check_f(cond(SPU_S32, -1, 3), SH(2), DV(0, 1), 0),
	    "a negative index runs the last branch");

	/* per-branch operands: branch 0 gets x, branch 1 gets y */
	p = tb_prog(3);
	f = &p->funcs[0];
	s = tb_param(f, 0, SPU_PRED, SCALAR);
	x = tb_param(f, 1, SPU_F64, SCALAR);
	y = tb_param(f, 2, SPU_F64, SCALAR);
	z = OP(f, SPU_OP_COND, SPU_F64, SCALAR, s, x, y);
	FUNCS(tb_last(f), 1, 2);
	RET(f, z);
	for (int b = 1; b <= 2; b++) {
		g = &p->funcs[b];
		a = tb_param(g, 0, SPU_F64, SCALAR);
		RET(g, OP(g, SPU_OP_NEG, SPU_F64, SCALAR, a));
	}
	ok(tb_check_f(tb_run1(p, 3, TENS(tb_tensor_i(SPU_PRED, SCALAR,
	    IV(0)), tb_tensor_f(SPU_F64, SCALAR, DV(3)),
	    tb_tensor_f(SPU_F64, SCALAR, DV(4)))), SCALAR, DV(-4), 0),
	    "cond passes each branch its own operands");

	/* call: x*x + 1 */
	p = tb_prog(2);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_F64, SH(2));
	z = OP(f, SPU_OP_CALL, SPU_F64, SH(2), x);
	FUNCS(tb_last(f), 1);
	RET(f, z);
	g = &p->funcs[1];
	a = tb_param(g, 0, SPU_F64, SH(2));
	s = OP(g, SPU_OP_MUL, SPU_F64, SH(2), a, a);
	y = tb_const(g, SPU_F64, SH(2), DV(1, 1), NULL);
	RET(g, OP(g, SPU_OP_ADD, SPU_F64, SH(2), s, y));
	ok(tb_check_f(tb_run1(p, 1, TENS(tb_tensor_f(SPU_F64, SH(2),
	    DV(3, -2)))), SH(2), DV(10, 5), 0), "call");

	/* map: a*b + 1 elementwise */
	p = tb_prog(2);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_F64, SH(3));
	y = tb_param(f, 1, SPU_S32, SH(3));
	z = OP(f, SPU_OP_MAP, SPU_F64, SH(3), x, y);
	FUNCS(tb_last(f), 1);
	RET(f, z);
	g = &p->funcs[1];
	a = tb_param(g, 0, SPU_F64, SCALAR);
	s = tb_param(g, 1, SPU_S32, SCALAR);
	s = OP(g, SPU_OP_MUL, SPU_F64, SCALAR, a, s);
	y = tb_const(g, SPU_F64, SCALAR, DV(1), NULL);
	RET(g, OP(g, SPU_OP_ADD, SPU_F64, SCALAR, s, y));
	ok(tb_check_f(tb_run1(p, 2, TENS(tb_tensor_f(SPU_F64, SH(3),
	    DV(0.5, 2, -1)), tb_tensor_i(SPU_S32, SH(3), IV(4, 3, 2)))), SH(3),
	    DV(3, 7, -1), 0), "map");

	/* the error names the innermost instruction */
	p = tb_prog(2);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_F64, SH(2));
	z = OP(f, SPU_OP_CALL, SPU_F64, SH(2), x);
	FUNCS(tb_last(f), 1);
	RET(f, z);
	g = &p->funcs[1];
	a = tb_param(g, 0, SPU_F64, SH(2));
	in = tb_emit(g, SPU_OP_RESHAPE, 1, &a, 1);
	tb_type(in, 0, SPU_F64, SH(3));
	in->line = 42;
	RET(g, in->out[0]);
	ok(tb_fails(p, 1, TENS(tb_tensor_f(SPU_F64, SH(2), DV(1, 2))),
	    SPU_ESHAPE, "function region1: instruction 1 (reshape, HLO line "
	    "42): reshape of 2 elements to 3"),
	    "an error inside a called function names that function");
}

static void
test_inputs(void)
{
	struct spu_program *p;
	struct spu_func *f;
	struct spu_insn *in;
	uint32_t x;

	p = tb_prog(1);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_S32, SH(3));
	RET(f, x);
	ok(tb_check_i(tb_run1(p, 1, TENS(tb_tensor_f(SPU_F32, SH(3),
	    DV(1.7, -1.7, 3e10)))), SPU_S32, SH(3),
	    IV(1, -1, INT32_MAX)), "float input to an s32 parameter "
	    "truncates and saturates");

	p = tb_prog(1);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_PRED, SH(2));
	RET(f, x);
	ok(tb_check_i(tb_run1(p, 1, TENS(tb_tensor_i(SPU_S32, SH(2),
	    IV(0, 7)))), SPU_PRED, SH(2), IV(0, 1)),
	    "integer input to a pred parameter");

	p = tb_prog(1);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_F64, SH(2));
	RET(f, x);
	ok(tb_fails(p, 1, TENS(tb_tensor_f(SPU_F64, SH(3), DV(1, 2, 3))),
	    SPU_ESHAPE, "input 0 is f64[3], the program wants f64[2]"),
	    "an input of the wrong shape is refused");

	p = tb_prog(1);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_F64, SH(2));
	RET(f, x);
	ok(tb_fails(p, 0, NULL, SPU_EINVAL, "takes 1 inputs, 0 given"),
	    "a missing input is refused");

	p = tb_prog(1);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_F64, SH(2));
	in = tb_emit(f, SPU_OP_NEG, 1, (uint32_t[]){ 7 }, 1);
	tb_type(in, 0, SPU_F64, SH(2));
	RET(f, in->out[0]);
	ok(tb_fails(p, 1, TENS(tb_tensor_f(SPU_F64, SH(2), DV(1, 2))),
	    SPU_EFORMAT, "out of range"),
	    "a program the verifier rejects is refused");

	/* f calls itself */
	p = tb_prog(1);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_F64, SCALAR);
	in = tb_emit(f, SPU_OP_CALL, 1, &x, 1);
	tb_type(in, 0, SPU_F64, SCALAR);
	FUNCS(in, 0);
	RET(f, in->out[0]);
	ok(tb_fails(p, 1, TENS(tb_tensor_f(SPU_F64, SCALAR, DV(1))),
	    SPU_ELIMIT, "nested deeper than 256"), "recursion is stopped");

	ok(tb_fails(NULL, 0, NULL, SPU_EINVAL, "no program"),
	    "a missing program is refused");

	p = tb_prog(1);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_F64, SH(2));
	in = tb_emit(f, SPU_OP_SHL, 2, (uint32_t[]){ x, x }, 1);
	tb_type(in, 0, SPU_F64, SH(2));
	RET(f, in->out[0]);
	ok(tb_fails(p, 1, TENS(tb_tensor_f(SPU_F64, SH(2), DV(1, 2))),
	    SPU_EUNSUPP, "shl is not defined on f64"),
	    "a bitwise op on floats is refused");
}

int
main(void)
{
	test_while();
	test_cond();
	test_inputs();
	return done_testing();
}
