/*
 * vm_ops.c - the VM's op families on secret data, against hand-computed
 * results written here as literals (not computed by any code under
 * test): rounding, integer division and remainder, bitwise ops and
 * shifts, popcount, bitcasts, pow, atan2, the float remainder, sort
 * (known order, comparator region, stable, variadic, 2-D), gather and
 * dynamic slices at secret indices (also with batching dimensions),
 * scatter (secret indices, batching dimensions, general combiner),
 * select-and-scatter, map, and slices copied as contiguous runs or
 * kept as views of their operand.  Each program is built by hand
 * (tests/unit/clear_util.h), its parameters marked secret, and run under
 * ref2k, semi2k with 2 and 3 parties and aby3 on threads over local
 * links, in the 64, 128 and 32-bit rings (or the one given as argument).
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fxp.h"
#include "hal/sort.h"
#include "link.h"
#include "mpc/deal.h"
#include "mpc/mpc.h"
#include "vm.h"
#include "clear_util.h"

static unsigned FIELD = 64;
#define MAXOUT 4

static uint8_t session[32];

/* ---- marking secrets: entry params in mask, every region param, and
 * whatever depends on them ---- */
static void
secretize(struct spu_program *p, uint32_t mask)
{
	for (uint32_t f = 0; f < p->nfuncs; f++) {
		struct spu_func *fn = &p->funcs[f];
		unsigned char *sec = calloc(fn->nslots + 1, 1);
		if (sec == NULL)
			exit(99);
		for (uint32_t i = 0; i < fn->ninsns; i++) {
			struct spu_insn *in = &fn->insns[i];
			const struct spu_attr *a = spu_insn_attr(in,
			    SPU_ATTR_INDEX);
			int s = 0;
			if (in->op == SPU_OP_PARAM)
				s = f != p->entry ||
				    (a && (mask >> a->v[0]) & 1);
			for (uint32_t k = 0; k < in->nin; k++)
				s |= sec[in->in[k]];
			for (uint32_t k = 0; k < in->nout; k++) {
				in->type[k].vis = s ? SPU_SECRET : SPU_PUBLIC;
				sec[in->out[k]] = (unsigned char)s;
			}
		}
		free(sec);
	}
}

struct party {
	const struct spu_program *p;
	enum spu_protocol proto;
	int id, n, rc;
	struct spu_link *link;
	struct spu_value **in;
	size_t nin, nout;
	void *rev[MAXOUT];
	struct spu_value *shape[MAXOUT];
	struct spu_diag d;
};

static void *
party_main(void *arg)
{
	struct party *pt = arg;
	struct spu_mpc m;
	struct spu_value **out = NULL;
	size_t nout = 0;

	pt->rc = spu_mpc_init(&m, pt->proto, pt->id, pt->n, FIELD,
	    spu_fxp_default(FIELD), pt->link, session, &pt->d);
	if (pt->rc == 0)
		pt->rc = spu_vm_run(&m, pt->p, pt->in, pt->nin, &out, &nout);
	for (size_t o = 0; pt->rc == 0 && o < nout && o < MAXOUT; o++) {
		pt->rev[o] = spu_ring_alloc(FIELD, out[o]->n + 1);
		if (out[o]->vis == SPU_PUBLIC)
			spu_ring_copy(FIELD, pt->rev[o], out[o]->share[0],
			    out[o]->n);
		else
			pt->rc = m.ops->open(&m, pt->rev[o], out[o]->share,
			    out[o]->n);
	}
	pt->nout = nout;
	if (pt->rc != 0 && pt->link != NULL) {
		spu_link_free(pt->link);
		pt->link = NULL;
	}
	for (size_t o = 0; o < nout; o++) {
		if (o < MAXOUT && pt->id == 0)
			pt->shape[o] = out[o];
		else
			spu_value_free(out[o]);
	}
	free(out);
	spu_mpc_fini(&m);
	return NULL;
}

/* Expected results: doubles, compared within tol (0: exactly). */
struct want {
	size_t n;
	const double *v;
	double tol;
	int usgn;	/* compare integers as unsigned 32-bit */
};

static const struct {
	enum spu_protocol proto;
	int n;
} configs[] = {
	{ SPU_REF2K, 1 }, { SPU_SEMI2K, 2 },
	{ SPU_SEMI2K, 3 }, { SPU_ABY3, 3 },
};

/* Run p on in[] (secret where the program says) under every protocol
 * and compare output o with w[o]. */
static void
check(const char *name, const struct spu_program *p, struct spu_tensor **in,
    size_t nin, const struct want *w, size_t nw)
{
	int fxp = spu_fxp_default(FIELD);

	for (size_t c = 0; c < NELEM(configs); c++) {
		struct spu_link *links[SPU_MAX_PARTIES] = { NULL };
		struct party pt[SPU_MAX_PARTIES];
		pthread_t tid[SPU_MAX_PARTIES];
		enum spu_protocol proto = configs[c].proto;
		int n = configs[c].n, nsh = spu_protocol_nshares(proto);
		int good = 1;
		struct spu_diag d;

		memset(pt, 0, sizeof(pt));
		if (n > 1 && spu_link_local(n, 20000, links, &d) != 0)
			exit(99);
		for (int i = 0; i < n; i++) {
			pt[i] = (struct party){ .p = p, .proto = proto,
			    .id = i, .n = n, .link = links[i], .nin = nin };
			pt[i].in = tb_alloc((nin + 1) * sizeof(*pt[i].in));
		}
		for (size_t k = 0; k < nin; k++) {
			void *x = spu_ring_alloc(FIELD, in[k]->n + 1);
			void *sh[SPU_MAX_PARTIES][SPU_MAX_SHARES];
			spu_encode_tensor(FIELD, fxp, in[k], x);
			for (int i = 0; i < n; i++) {
				pt[i].in[k] = spu_value_new(in[k]->dtype,
				    &in[k]->shape, SPU_SECRET, FIELD, nsh);
				for (int s = 0; s < nsh; s++)
					sh[i][s] = pt[i].in[k]->share[s];
			}
			spu_deal_split(proto, FIELD, n, x, in[k]->n, sh);
			free(x);
		}
		for (int i = 0; i < n; i++)
			pthread_create(&tid[i], NULL, party_main, &pt[i]);
		for (int i = 0; i < n; i++)
			pthread_join(tid[i], NULL);
		for (int i = 0; i < n; i++)
			if (pt[i].rc != 0 && good) {
				diag("party %d: %s", i, pt[i].d.msg);
				good = 0;
			}
		for (size_t o = 0; good && o < nw; o++) {
			struct spu_value *s = pt[0].shape[o];
			if (o >= pt[0].nout || s->n != w[o].n) {
				diag("output %zu: %zu elements", o,
				    o < pt[0].nout ? s->n : 0);
				good = 0;
				break;
			}
			for (size_t i = 0; i < s->n; i++) {
				spu_u128 r = spu_ring_get(FIELD, pt[0].rev[o],
				    i);
				double got = spu_dtype_is_float(s->dtype) ?
				    spu_fxp_decode_f64(FIELD, fxp, r) :
				    w[o].usgn ? (double)(uint32_t)r :
				    s->dtype == SPU_PRED ? (double)(r & 1) :
				    (double)spu_ring_get_signed(FIELD,
				    pt[0].rev[o], i);
				/* with tolerance: 4 units in the last place
				 * more, for the 32-bit ring's 8 bits */
				double tol = w[o].tol == 0 ? 0 : w[o].tol +
				    ldexp(4, -fxp) * (1 + fabs(w[o].v[i]));
				if (fabs(got - w[o].v[i]) > tol) {
					diag("output %zu element %zu: got "
					    "%.9g, want %.9g", o, i, got,
					    w[o].v[i]);
					good = 0;
					break;
				}
			}
		}
		ok(good, "%s under %s/%d, field %u", name,
		    spu_protocol_name(proto), n, FIELD);
		for (int i = 0; i < n; i++) {
			for (size_t k = 0; k < nin; k++)
				spu_value_free(pt[i].in[k]);
			free(pt[i].in);
			for (int o = 0; o < MAXOUT; o++) {
				free(pt[i].rev[o]);
				spu_value_free(pt[i].shape[o]);
			}
			spu_link_free(pt[i].link);
		}
	}
}

static void
done(struct spu_program *p, struct spu_tensor **in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		spu_tensor_free(in[i]);
	spu_program_free(p);
}

#define W(tol, ...) { NELEM(DV(__VA_ARGS__)), DV(__VA_ARGS__), tol, 0 }

/* ---- elementwise ---- */

static void
test_round(void)
{
	static const enum spu_op ops[4] = { SPU_OP_FLOOR, SPU_OP_CEIL,
	    SPU_OP_ROUND, SPU_OP_ROUND_EVEN };
	static const char *names[4] = { "floor", "ceil", "round",
	    "round_even" };
	const struct want w[4] = {
		W(0, -3, -2, -1, 0, 1, 2, -2, 1, 3, -3, 0),
		W(0, -2, -1, 0, 1, 2, 3, -1, 2, 3, -3, 1),
		W(0, -3, -2, -1, 1, 2, 3, -1, 2, 3, -3, 0),
		W(0, -2, -2, 0, 0, 2, 2, -1, 2, 3, -3, 0),
	};

	for (int k = 0; k < 4; k++) {
		struct spu_program *p = tb_prog(1);
		struct spu_func *f = &p->funcs[0];
		struct spu_shape s = SH(11);
		uint32_t x = tb_param(f, 0, SPU_F32, s);
		struct spu_tensor *in[1] = { tb_tensor_f(SPU_F32, s,
		    DV(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.25, 1.75, 3, -3,
		    0.25)) };
		RET(f, OP(f, ops[k], SPU_F32, s, x));
		secretize(p, 1);
		check(names[k], p, in, 1, &w[k], 1);
		done(p, in, 1);
	}
}

/* convert: float -> s32 rounds toward zero, anything -> pred is != 0 */
static void
test_convert(void)
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	struct spu_shape s = SH(7);
	uint32_t x = tb_param(f, 0, SPU_F32, s), i = tb_param(f, 1, SPU_S32,
	    s);
	struct spu_tensor *in[2] = {
		tb_tensor_f(SPU_F32, s, DV(-2.5, -1, -0.25, 0, 0.75, 3.999, 7)),
		tb_tensor_i(SPU_S32, s, IV(0, 3, -2, 0, 1, -100, 0)),
	};
	const struct want w[3] = {
		W(0, -2, -1, 0, 0, 0, 3, 7),
		W(0, 1, 1, 1, 0, 1, 1, 1),
		W(0, 0, 1, 1, 0, 1, 1, 0),
	};

	RET(f, OP(f, SPU_OP_CONVERT, SPU_S32, s, x),
	    OP(f, SPU_OP_CONVERT, SPU_PRED, s, x),
	    OP(f, SPU_OP_CONVERT, SPU_PRED, s, i));
	secretize(p, 3);
	check("convert f32 -> s32 (toward zero), f32/s32 -> pred", p, in, 2,
	    w, 3);
	done(p, in, 2);
}

/* a (secret) / b and a % b, b secret or a public constant. */
static void
test_intdiv(void)
{
	const struct want w[2] = {
		W(0, 3, -3, -3, 3, -1, 0, 3, -2, 33, -1),
		W(0, 1, -1, 1, -1, 5, 0, 0, -1, 1, 0),
	};
	const int64_t a[10] = { 7, -7, 7, -7, 5, 0, 9, -9, 100, -100 };
	const int64_t b[10] = { 2, 2, -2, -2, 0, 3, 3, 4, 3, 100 };

	for (int pub = 0; pub < 2; pub++) {
		struct spu_program *p = tb_prog(1);
		struct spu_func *f = &p->funcs[0];
		struct spu_shape s = SH(10);
		uint32_t x = tb_param(f, 0, SPU_S32, s), y;
		struct spu_tensor *in[2] = { tb_tensor_i(SPU_S32, s, a),
		    tb_tensor_i(SPU_S32, s, b) };
		y = pub ? tb_const(f, SPU_S32, s, NULL, b) :
		    tb_param(f, 1, SPU_S32, s);
		RET(f, OP(f, SPU_OP_DIV, SPU_S32, s, x, y),
		    OP(f, SPU_OP_REM, SPU_S32, s, x, y));
		secretize(p, 3);
		check(pub ? "s32 div, rem by a public divisor" :
		    "s32 div, rem by a secret divisor", p, in, pub ? 1 : 2,
		    w, 2);
		done(p, in, 2);
	}
}

static void
test_bits(void)
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	struct spu_shape s = SH(4);
	uint32_t x = tb_param(f, 0, SPU_U32, s), y = tb_param(f, 1,
	    SPU_U32, s), z = tb_param(f, 2, SPU_S32, s), sum, am, wrap;
	struct spu_tensor *in[3] = {
		tb_tensor_i(SPU_U32, s, IV(0xF0F0, 5, 0xFFFFFFFF, 0x80000001)),
		tb_tensor_i(SPU_U32, s, IV(0x0FF0, 3, 1, 0x80000001)),
		tb_tensor_i(SPU_S32, s, IV(-16, -1, 64, -7)),
	};
	struct want w[4] = {
		W(0, 0xFF00, 6, 0xFFFFFFFE, 0),
		W(0, 0xF0F00, 0x80000000, 0, 0x80000001),
		W(0, 0xF0F, 0, 0xFFFF, 0x40000000),
		W(0, -4, -1, 8, -4),
	};

	for (int i = 0; i < 3; i++)
		w[i].usgn = 1;
	am = tb_const(f, SPU_U32, s, NULL, IV(4, 31, 32, 0));
	RET(f, OP(f, SPU_OP_XOR, SPU_U32, s, x, y),
	    OP(f, SPU_OP_SHL, SPU_U32, s, x, am),
	    OP(f, SPU_OP_SHR_LOGIC, SPU_U32, s, x,
	    tb_const(f, SPU_U32, s, NULL, IV(4, 40, 16, 1))),
	    OP(f, SPU_OP_SHR_ARITH, SPU_S32, s, z,
	    tb_const(f, SPU_S32, s, NULL, IV(2, 40, 3, 1))));
	secretize(p, 7);
	check("xor, shl, shr_logic (u32), shr_arith (s32)", p, in, 3, w, 4);
	done(p, in, 3);

	/* u32 sums wrap at 2^32 once bits are looked at; popcnt; xor of
	 * preds; bitcast s32 -> u32 */
	p = tb_prog(1);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_U32, s);
	y = tb_param(f, 1, SPU_U32, s);
	z = tb_param(f, 2, SPU_S32, s);
	sum = OP(f, SPU_OP_ADD, SPU_U32, s, x, y);
	wrap = OP(f, SPU_OP_XOR, SPU_U32, s, sum,
	    tb_const(f, SPU_U32, s, NULL, IV(0, 0, 0, 0)));
	in[0] = tb_tensor_i(SPU_U32, s, IV(0xFFFFFFFF, 7, 0, 0x80000001));
	in[1] = tb_tensor_i(SPU_U32, s, IV(2, 0, 0, 0x80000001));
	in[2] = tb_tensor_i(SPU_S32, s, IV(-1, 5, 0, -2147483647 - 1));
	{
		uint32_t px = OP(f, SPU_OP_LT, SPU_PRED, s, z,
		    tb_const(f, SPU_S32, s, NULL, IV(0, 0, 0, 0)));
		uint32_t py = OP(f, SPU_OP_EQ, SPU_PRED, s, x,
		    tb_const(f, SPU_U32, s, NULL, IV(7, 7, 7, 7)));
		struct want w2[4] = {
			W(0, 1, 7, 0, 2),
			W(0, 32, 3, 0, 2),
			W(0, 1, 1, 0, 1),
			W(0, 0xFFFFFFFF, 5, 0, 0x80000000),
		};
		w2[0].usgn = w2[3].usgn = 1;
		RET(f, wrap, OP(f, SPU_OP_POPCNT, SPU_U32, s, x),
		    OP(f, SPU_OP_XOR, SPU_PRED, s, px, py),
		    OP(f, SPU_OP_BITCAST_CONVERT, SPU_U32, s, z));
		secretize(p, 7);
		check("u32 wrap, popcnt, pred xor, bitcast s32->u32", p, in,
		    3, w2, 4);
	}
	done(p, in, 3);

	/* IEEE bits to f32 (JAX's uniform trick among them) */
	p = tb_prog(1);
	f = &p->funcs[0];
	s = SH(7);
	x = tb_param(f, 0, SPU_U32, s);
	in[0] = tb_tensor_i(SPU_U32, s, IV(0x3F800000, 0x40490FDB, 0xBF000000,
	    0x3FC00000, 0, 0x3FFFFFFF, 0x7F800000));
	{
		const struct want w3 = W(1e-5, 1, 3.14159274, -0.5, 1.5, 0,
		    1.99999988, 0);
		RET(f, OP(f, SPU_OP_BITCAST_CONVERT, SPU_F32, s, x));
		secretize(p, 1);
		check("bitcast u32 -> f32", p, in, 1, &w3, 1);
	}
	done(p, in, 1);
}

static void
test_functions(void)
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	struct spu_shape s = SH(6);
	uint32_t x = tb_param(f, 0, SPU_F32, s), y = tb_param(f, 1, SPU_F32,
	    s);
	struct spu_tensor *in[2] = {
		tb_tensor_f(SPU_F32, s, DV(1, 1, -1, -1, 0, 0.5)),
		tb_tensor_f(SPU_F32, s, DV(1, -1, -1, 1, -1, 0)),
	};
	const struct want w[3] = {
		W(2e-4, 0.785398163, 2.35619449, -2.35619449, -0.785398163,
		    3.14159265, 1.57079633),
		W(1e-3, 1, 1, 1, 1, 1, 1),
		W(0, 1, 1, 1, 1, 1, 1),
	};
	uint32_t pw;

	pw = OP(f, SPU_OP_POW, SPU_F32, s, x,
	    tb_const(f, SPU_F32, s, DV(0, 2, 2, 4, 0, 0), NULL));
	RET(f, OP(f, SPU_OP_ATAN2, SPU_F32, s, x, y), pw,
	    OP(f, SPU_OP_IS_FINITE, SPU_PRED, s, x));
	secretize(p, 3);
	check("atan2, pow (integral), is_finite", p, in, 2, w, 3);
	done(p, in, 2);

	p = tb_prog(1);
	f = &p->funcs[0];
	s = SH(4);
	x = tb_param(f, 0, SPU_F32, s);
	y = tb_param(f, 1, SPU_F32, s);
	in[0] = tb_tensor_f(SPU_F32, s, DV(2, -3, 0.5, 4));
	in[1] = tb_tensor_f(SPU_F32, s, DV(5.5, -5.5, 7, 0.75));
	{
		struct spu_tensor *in3[3] = { in[0], in[1], tb_tensor_f(SPU_F32,
		    s, DV(4, 2.25, 9, 0.25)) };
		const struct want w2[4] = {
			W(1e-3, 8, 9, 4, 1),
			W(1e-2, 2, 1.5, 3, 0.5),
			W(2e-2, 8, 3.375, 27, 0.125),
			W(1e-3, 1.5, -1.5, 1, 0.75),
		};
		uint32_t zz = tb_param(f, 2, SPU_F32, s);
		uint32_t r = OP(f, SPU_OP_REM, SPU_F32, s, y,
		    tb_const(f, SPU_F32, s, DV(2, 2, 3, 1), NULL));
		uint32_t p1 = OP(f, SPU_OP_POW, SPU_F32, s, x,
		    tb_const(f, SPU_F32, s, DV(3, 2, -2, 0), NULL));
		uint32_t p2 = OP(f, SPU_OP_POW, SPU_F32, s, zz,
		    tb_const(f, SPU_F32, s, DV(0.5, 0.5, 0.5, 0.5), NULL));
		uint32_t p3 = OP(f, SPU_OP_POW, SPU_F32, s, zz,
		    tb_const(f, SPU_F32, s, DV(1.5, 1.5, 1.5, 1.5), NULL));
		RET(f, p1, p2, p3, r);
		secretize(p, 7);
		check("pow (integral, negative, zero and fractional "
		    "exponents), float rem", p, in3, 3, w2, 4);
		spu_tensor_free(in3[2]);
	}
	done(p, in, 2);
}

/* ---- regions ---- */

/* region(a, b) = op(a, b) of dtype t, result dtype rt */
static uint32_t
binary_region(struct spu_program *p, uint32_t fi, enum spu_op op,
    enum spu_dtype t, enum spu_dtype rt)
{
	struct spu_func *f = &p->funcs[fi];
	uint32_t a = tb_param(f, 0, t, SCALAR), b = tb_param(f, 1, t, SCALAR);

	RET(f, OP(f, op, rt, SCALAR, a, b));
	return fi;
}

static void
test_sort(void)
{
	struct spu_program *p;
	struct spu_func *f;
	struct spu_shape s = SH(7);
	struct spu_insn *ins;
	uint32_t k, v;
	struct spu_tensor *in[2];
	const struct want w[2] = {
		W(0, 0, 1, 1, 2, 3, 4, 5),
		W(0, 5, 1, 3, 2, 0, 6, 4),
	};

	for (int mode = 0; mode < 3; mode++) {
		/* 0: ASC kind; 1: comparator region, stable; 2: region on
		 * operand 1 (descending by value) */
		p = tb_prog(2);
		f = &p->funcs[0];
		k = tb_param(f, 0, SPU_F32, s);
		v = tb_param(f, 1, SPU_S32, s);
		in[0] = tb_tensor_f(SPU_F32, s, DV(3, 1, 2, 1, 5, 0, 4));
		in[1] = tb_tensor_i(SPU_S32, s, IV(0, 1, 2, 3, 4, 5, 6));
		ins = tb_emit(f, SPU_OP_SORT, 2, (uint32_t[]){ k, v }, 2);
		tb_type(ins, 0, SPU_F32, s);
		tb_type(ins, 1, SPU_S32, s);
		ATTR(ins, SPU_ATTR_DIMS, 0);
		if (mode == 0) {
			ATTR(ins, SPU_ATTR_REDUCER, SPU_SORT_ASC);
		} else {
			struct spu_func *r = &p->funcs[1];
			uint32_t a0 = tb_param(r, 0, SPU_F32, SCALAR);
			uint32_t b0 = tb_param(r, 1, SPU_F32, SCALAR);
			uint32_t a1 = tb_param(r, 2, SPU_S32, SCALAR);
			uint32_t b1 = tb_param(r, 3, SPU_S32, SCALAR);
			RET(r, mode == 1 ? OP(r, SPU_OP_LT, SPU_PRED, SCALAR,
			    a0, b0) : OP(r, SPU_OP_GT, SPU_PRED, SCALAR, a1,
			    b1));
			ins = tb_last(f);
			FUNCS(ins, 1);
			ATTR(ins, SPU_ATTR_REDUCER, SPU_REDUCE_CALL);
			ATTR(ins, SPU_ATTR_STABLE, mode == 1);
		}
		RET(f, ins->out[0], ins->out[1]);
		secretize(p, 3);
		if (mode < 2) {
			check(mode ? "sort, comparator region, stable" :
			    "sort ascending, variadic", p, in, 2,
			    mode ? w : w, mode ? 2 : 1);
		} else {
			const struct want w2[2] = {
				W(0, 4, 0, 5, 1, 2, 1, 3),
				W(0, 6, 5, 4, 3, 2, 1, 0),
			};
			check("sort by operand 1 descending (region)", p, in,
			    2, w2, 2);
		}
		done(p, in, 2);
	}
	/* 2-D, along dimension 0, descending */
	p = tb_prog(1);
	f = &p->funcs[0];
	s = SH(3, 2);
	k = tb_param(f, 0, SPU_F32, s);
	in[0] = tb_tensor_f(SPU_F32, s, DV(3, 1, 1, 2, 2, 0));
	ins = tb_emit(f, SPU_OP_SORT, 1, (uint32_t[]){ k }, 1);
	tb_type(ins, 0, SPU_F32, s);
	ATTR(ins, SPU_ATTR_DIMS, 0);
	ATTR(ins, SPU_ATTR_REDUCER, SPU_SORT_DESC);
	RET(f, ins->out[0]);
	secretize(p, 1);
	{
		const struct want w3 = W(0, 3, 2, 2, 1, 1, 0);
		check("sort 2-D along dim 0, descending", p, in, 1, &w3, 1);
	}
	done(p, in, 1);
}

static void
test_secret_index(void)
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	struct spu_shape xs = SH(5, 2), is = SH(4, 1), os = SH(4, 2);
	uint32_t x = tb_param(f, 0, SPU_F32, xs), i = tb_param(f, 1, SPU_S32,
	    is), g, v, j, ds, dus, u;
	struct spu_insn *ins;
	struct spu_tensor *in[4] = {
		tb_tensor_f(SPU_F32, xs, DV(0, 1, 10, 11, 20, 21, 30, 31, 40,
		    41)),
		tb_tensor_i(SPU_S32, is, IV(3, 0, 7, -1)),
		tb_tensor_f(SPU_F32, SH(6), DV(0, 1.5, 3, 4.5, 6, 7.5)),
		tb_tensor_i(SPU_S32, SCALAR, IV(5)),
	};
	const struct want w[3] = {
		W(0, 30, 31, 0, 1, 40, 41, 0, 1),
		W(0, 4.5, 6, 7.5),
		W(0, 0, 1.5, 3, 9, 8),
	};

	g = OP(f, SPU_OP_GATHER, SPU_F32, os, x, i);
	ins = tb_last(f);
	ATTR(ins, SPU_ATTR_OFFSET_DIMS, 1);
	ATTR(ins, SPU_ATTR_COLLAPSED_DIMS, 0);
	ATTR(ins, SPU_ATTR_START_INDEX_MAP, 0);
	ATTR(ins, SPU_ATTR_INDEX_VECTOR_DIM, 1);
	ATTR(ins, SPU_ATTR_SLICE_SIZES, 1, 2);
	v = tb_param(f, 2, SPU_F32, SH(6));
	j = tb_param(f, 3, SPU_S32, SCALAR);
	ds = OP(f, SPU_OP_DYN_SLICE, SPU_F32, SH(3), v, j);
	ATTR(tb_last(f), SPU_ATTR_SIZES, 3);
	u = tb_const(f, SPU_F32, SH(2), DV(9, 8), NULL);
	dus = OP(f, SPU_OP_DYN_UPDATE_SLICE, SPU_F32, SH(5), OP(f,
	    SPU_OP_SLICE, SPU_F32, SH(5), v), u, j);
	ins = &f->insns[f->ninsns - 2];
	ATTR(ins, SPU_ATTR_START, 0);
	ATTR(ins, SPU_ATTR_LIMIT, 5);
	ATTR(ins, SPU_ATTR_STRIDE, 1);
	RET(f, g, ds, dus);
	secretize(p, 15);
	check("gather, dynamic slice, dynamic update slice at secret "
	    "indices (clamped)", p, in, 4, w, 3);
	done(p, in, 4);

	/* scatter-add at secret indices; index 5 is out of range */
	p = tb_prog(1);
	f = &p->funcs[0];
	x = tb_param(f, 0, SPU_F32, SH(4));
	i = tb_param(f, 1, SPU_S32, SH(4, 1));
	u = tb_param(f, 2, SPU_F32, SH(4));
	in[0] = tb_tensor_f(SPU_F32, SH(4), DV(1, 1, 1, 1));
	in[1] = tb_tensor_i(SPU_S32, SH(4, 1), IV(2, 0, 2, 5));
	in[2] = tb_tensor_f(SPU_F32, SH(4), DV(10, 20, 30, 40));
	g = OP(f, SPU_OP_SCATTER, SPU_F32, SH(4), x, i, u);
	ins = tb_last(f);
	ATTR(ins, SPU_ATTR_INSERTED_DIMS, 0);
	ATTR(ins, SPU_ATTR_SCATTER_DIMS_TO_OPERAND, 0);
	ATTR(ins, SPU_ATTR_INDEX_VECTOR_DIM, 1);
	ATTR(ins, SPU_ATTR_REDUCER, SPU_REDUCE_ADD);
	RET(f, g);
	secretize(p, 7);
	{
		const struct want w2 = W(0, 21, 1, 41, 1);
		check("scatter-add at secret indices", p, in, 3, &w2, 1);
	}
	done(p, in, 3);
}

/* Slices copied as contiguous runs (hal/shape.c): a strided outer
 * dimension over partial inner ones, one run of two whole rows of
 * blocks, and (for contrast) a strided innermost dimension, which goes
 * element by element.  x[i] = i / 4 is exact in every ring; the wanted
 * values are index arithmetic on the slices' bounds. */
static void
test_slice_runs(void)
{
	static const int64_t lo[3][3] = { { 0, 1, 2 }, { 1, 0, 0 },
	    { 0, 0, 0 } }, hi[3][3] = { { 3, 3, 18 }, { 3, 4, 20 },
	    { 3, 4, 20 } }, st[3][3] = { { 2, 1, 1 }, { 1, 1, 1 },
	    { 1, 1, 3 } };
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	uint32_t x = tb_param(f, 0, SPU_F32, SH(3, 4, 20)), z[3];
	double xv[240], *wv[3];
	struct want w[3];
	struct spu_tensor *in[1];

	for (int i = 0; i < 240; i++)
		xv[i] = i / 4.0;
	in[0] = tb_tensor_f(SPU_F32, SH(3, 4, 20), xv);
	for (int k = 0; k < 3; k++) {
		int64_t d[3];
		size_t n = 0;
		for (int j = 0; j < 3; j++)
			d[j] = (hi[k][j] - lo[k][j] + st[k][j] - 1) / st[k][j];
		wv[k] = tb_alloc((size_t)(d[0] * d[1] * d[2]) * sizeof(double));
		for (int64_t a = 0; a < d[0]; a++)
			for (int64_t b = 0; b < d[1]; b++)
				for (int64_t c = 0; c < d[2]; c++)
					wv[k][n++] = xv[(lo[k][0] + a * st[k][0]) *
					    80 + (lo[k][1] + b * st[k][1]) * 20 +
					    lo[k][2] + c * st[k][2]];
		w[k] = (struct want){ n, wv[k], 0, 0 };
		z[k] = OP(f, SPU_OP_SLICE, SPU_F32, SH(d[0], d[1], d[2]), x);
		ATTR(tb_last(f), SPU_ATTR_START, lo[k][0], lo[k][1], lo[k][2]);
		ATTR(tb_last(f), SPU_ATTR_LIMIT, hi[k][0], hi[k][1], hi[k][2]);
		ATTR(tb_last(f), SPU_ATTR_STRIDE, st[k][0], st[k][1],
		    st[k][2]);
	}
	RET(f, z[0], z[1], z[2]);
	secretize(p, 1);
	check("slices as contiguous runs (strided outer dimension, partial "
	    "inner ones) and element by element", p, in, 1, w, 3);
	done(p, in, 1);
	for (int k = 0; k < 3; k++)
		free(wv[k]);
}

/* Slices that are one contiguous run become views of their operand's
 * buffers, but only while the operand lives: v1 of h is read after h's
 * last use (so it must be a copy), v2 of e before e's (a view), v3 is
 * returned.  Under ASan a view outliving its owner fails here. */
static void
test_slice_views(void)
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	uint32_t x = tb_param(f, 0, SPU_F32, SH(3, 4)), h, e, v1, v2, v3;
	uint32_t y, k;
	double xv[12], w0[8], w1[4], w2[8];
	struct want w[3];
	struct spu_tensor *in[1];

	for (int i = 0; i < 12; i++)
		xv[i] = i / 4.0 - 1;
	in[0] = tb_tensor_f(SPU_F32, SH(3, 4), xv);
	h = OP(f, SPU_OP_ADD, SPU_F32, SH(3, 4), x, x);
	v1 = OP(f, SPU_OP_SLICE, SPU_F32, SH(2, 4), h);
	ATTR(tb_last(f), SPU_ATTR_START, 1, 0);
	ATTR(tb_last(f), SPU_ATTR_LIMIT, 3, 4);
	ATTR(tb_last(f), SPU_ATTR_STRIDE, 1, 1);
	e = OP(f, SPU_OP_NEG, SPU_F32, SH(3, 4), h);
	v2 = OP(f, SPU_OP_SLICE, SPU_F32, SH(1, 4), e);
	ATTR(tb_last(f), SPU_ATTR_START, 2, 0);
	ATTR(tb_last(f), SPU_ATTR_LIMIT, 3, 4);
	ATTR(tb_last(f), SPU_ATTR_STRIDE, 1, 1);
	k = OP(f, SPU_OP_ADD, SPU_F32, SH(1, 4), v2, v2);
	y = OP(f, SPU_OP_ADD, SPU_F32, SH(2, 4), v1, v1);
	v3 = OP(f, SPU_OP_SLICE, SPU_F32, SH(2, 4), e);
	ATTR(tb_last(f), SPU_ATTR_START, 0, 0);
	ATTR(tb_last(f), SPU_ATTR_LIMIT, 2, 4);
	ATTR(tb_last(f), SPU_ATTR_STRIDE, 1, 1);
	RET(f, y, k, v3);
	for (int i = 0; i < 8; i++) {
		w0[i] = 4 * xv[4 + i];		/* 2 (x + x), rows 1-2 */
		w2[i] = -2 * xv[i];		/* -(x + x), rows 0-1 */
	}
	for (int i = 0; i < 4; i++)
		w1[i] = -4 * xv[8 + i];		/* 2 -(x + x), row 2 */
	w[0] = (struct want){ 8, w0, 0, 0 };
	w[1] = (struct want){ 4, w1, 0, 0 };
	w[2] = (struct want){ 8, w2, 0, 0 };
	secretize(p, 1);
	check("slices as views only while their operand lives", p, in, 1, w,
	    3);
	done(p, in, 1);
}

/* take_along_axis and its gradient: operand batching dimensions (batch
 * dim 0 of x, dim 1 of the indices) with secret indices. */
static void
test_batched_index(void)
{
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	uint32_t x = tb_param(f, 0, SPU_F32, SH(3, 4)), i = tb_param(f, 1,
	    SPU_S32, SH(2, 3, 1)), u = tb_param(f, 2, SPU_F32, SH(2, 3));
	uint32_t g, sa = 0, sr = 0;
	struct spu_insn *ins;
	struct spu_tensor *in[3] = {
		tb_tensor_f(SPU_F32, SH(3, 4), DV(0, 1, 2, 3, 10, 11, 12, 13,
		    20, 21, 22, 23)),
		tb_tensor_i(SPU_S32, SH(2, 3, 1), IV(3, 1, 0, 0, 2, 5)),
		tb_tensor_f(SPU_F32, SH(2, 3), DV(1, 2, 3, 4, 5, 6)),
	};
	/* out[r, b] = x[b, clamp(idx[r, b])]; scatters skip index 5 */
	const struct want w[3] = {
		W(0, 3, 11, 20, 0, 12, 23),
		W(0, 4, 1, 2, 4, 10, 13, 17, 13, 23, 21, 22, 23),
		W(0, 4, 1, 2, 1, 10, 2, 5, 13, 3, 21, 22, 23),
	};

	g = OP(f, SPU_OP_GATHER, SPU_F32, SH(2, 3), x, i);
	ins = tb_last(f);
	ATTR(ins, SPU_ATTR_COLLAPSED_DIMS, 1);
	ATTR(ins, SPU_ATTR_START_INDEX_MAP, 1);
	ATTR(ins, SPU_ATTR_OPERAND_BATCH_DIMS, 0);
	ATTR(ins, SPU_ATTR_INDICES_BATCH_DIMS, 1);
	ATTR(ins, SPU_ATTR_INDEX_VECTOR_DIM, 2);
	ATTR(ins, SPU_ATTR_SLICE_SIZES, 1, 1);
	for (int k = 0; k < 2; k++) {
		uint32_t z = OP(f, SPU_OP_SCATTER, SPU_F32, SH(3, 4), x, i, u);
		ins = tb_last(f);
		ATTR(ins, SPU_ATTR_INSERTED_DIMS, 1);
		ATTR(ins, SPU_ATTR_SCATTER_DIMS_TO_OPERAND, 1);
		ATTR(ins, SPU_ATTR_OPERAND_BATCH_DIMS, 0);
		ATTR(ins, SPU_ATTR_INDICES_BATCH_DIMS, 1);
		ATTR(ins, SPU_ATTR_INDEX_VECTOR_DIM, 2);
		ATTR(ins, SPU_ATTR_REDUCER, k ? SPU_REDUCE_REPLACE :
		    SPU_REDUCE_ADD);
		if (k)
			sr = z;
		else
			sa = z;
	}
	RET(f, g, sa, sr);
	secretize(p, 7);
	check("gather, scatter-add, scatter-replace with batching dims at "
	    "secret indices", p, in, 3, w, 3);
	done(p, in, 3);
}

static void
test_regions(void)
{
	struct spu_program *p = tb_prog(5);
	struct spu_func *f = &p->funcs[0];
	struct spu_shape xs = SH(6);
	uint32_t x = tb_param(f, 0, SPU_F32, xs), sr, y, z;
	struct spu_insn *ins;
	struct spu_tensor *in[3] = {
		tb_tensor_f(SPU_F32, xs, DV(1, 5, 2, 2, 7, 3)),
		tb_tensor_f(SPU_F32, SH(3), DV(10, 20, 30)),
		tb_tensor_f(SPU_F32, SH(4), DV(1, 5, 2, 7)),
	};
	const struct want w[3] = {
		W(0, 0, 10, 20, 0, 30, 0),
		W(0, 0.5, 1, 0.5, 2),
		W(1e-4, 3, 31, 7, 57),
	};

	/* select-and-scatter: GE select, add scatter; windows of 2, stride
	 * 2 (the tie [2, 2] keeps the first); then windows of 3, stride 1,
	 * pad 1 on both sides, scatter by max (a general region) */
	binary_region(p, 1, SPU_OP_GE, SPU_F32, SPU_PRED);
	binary_region(p, 2, SPU_OP_ADD, SPU_F32, SPU_F32);
	sr = OP(f, SPU_OP_SELECT_AND_SCATTER, SPU_F32, xs, x,
	    tb_param(f, 1, SPU_F32, SH(3)),
	    tb_const(f, SPU_F32, SCALAR, DV(0), NULL));
	ins = tb_last(f);
	FUNCS(ins, 1, 2);
	ATTR(ins, SPU_ATTR_WINDOW, 2);
	ATTR(ins, SPU_ATTR_WSTRIDE, 2);
	y = tb_param(f, 2, SPU_F32, SH(4));
	z = OP(f, SPU_OP_SELECT_AND_SCATTER, SPU_F32, SH(4), y,
	    tb_const(f, SPU_F32, SH(4), DV(0.5, 1, 1.5, 2), NULL),
	    tb_const(f, SPU_F32, SCALAR, DV(0), NULL));
	ins = tb_last(f);
	FUNCS(ins, 1, 3);
	ATTR(ins, SPU_ATTR_WINDOW, 3);
	ATTR(ins, SPU_ATTR_WSTRIDE, 1);
	ATTR(ins, SPU_ATTR_PAD_LO, 1);
	ATTR(ins, SPU_ATTR_PAD_HI, 1);
	binary_region(p, 3, SPU_OP_MAX, SPU_F32, SPU_F32);
	{
		/* map: a * b + 1 over y and y + 1 */
		struct spu_func *r = &p->funcs[4];
		uint32_t a = tb_param(r, 0, SPU_F32, SCALAR);
		uint32_t b = tb_param(r, 1, SPU_F32, SCALAR);
		RET(r, OP(r, SPU_OP_ADD, SPU_F32, SCALAR, OP(r, SPU_OP_MUL,
		    SPU_F32, SCALAR, a, b), tb_const(r, SPU_F32, SCALAR,
		    DV(1), NULL)));
	}
	f = &p->funcs[0];
	{
		uint32_t y1 = OP(f, SPU_OP_ADD, SPU_F32, SH(4), y,
		    tb_const(f, SPU_F32, SH(4), DV(1, 1, 1, 1), NULL));
		uint32_t mp = OP(f, SPU_OP_MAP, SPU_F32, SH(4), y, y1);
		FUNCS(tb_last(f), 4);
		RET(f, sr, z, mp);
	}
	secretize(p, 7);
	{
		/* windows over [pad 1 5 2 7 pad]: {1,5} -> 5 (pos 1),
		 * {1,5,2} -> 5, {5,2,7} -> 7 (pos 3), {2,7} -> 7; sources
		 * 0.5, 1, 1.5, 2 combined by max: pos 1 max(0.5, 1),
		 * pos 3 max(1.5, 2) */
		const struct want w2[3] = { w[0], W(0, 0, 1, 0, 2), w[2] };
		check("select-and-scatter (add, max scatter, padding), map",
		    p, in, 3, w2, 3);
	}
	done(p, in, 3);

	/* scatter at public indices with a general combiner (max) and a
	 * variadic replacing scatter */
	p = tb_prog(2);
	f = &p->funcs[0];
	binary_region(p, 1, SPU_OP_MAX, SPU_F32, SPU_F32);
	x = tb_param(f, 0, SPU_F32, SH(3));
	y = tb_param(f, 1, SPU_F32, SH(3));
	in[0] = tb_tensor_f(SPU_F32, SH(3), DV(0, 5, 0));
	in[1] = tb_tensor_f(SPU_F32, SH(3), DV(7, 3, 2));
	{
		uint32_t idx = tb_const(f, SPU_S32, SH(3, 1), NULL,
		    IV(1, 1, 0));
		uint32_t s1 = OP(f, SPU_OP_SCATTER, SPU_F32, SH(3), x, idx, y);
		ins = tb_last(f);
		FUNCS(ins, 1);
		ATTR(ins, SPU_ATTR_INSERTED_DIMS, 0);
		ATTR(ins, SPU_ATTR_SCATTER_DIMS_TO_OPERAND, 0);
		ATTR(ins, SPU_ATTR_INDEX_VECTOR_DIM, 1);
		ins = tb_emit(f, SPU_OP_SCATTER, 5, (uint32_t[]){ x, x, idx,
		    y, y }, 2);
		tb_type(ins, 0, SPU_F32, SH(3));
		tb_type(ins, 1, SPU_F32, SH(3));
		ATTR(ins, SPU_ATTR_INSERTED_DIMS, 0);
		ATTR(ins, SPU_ATTR_SCATTER_DIMS_TO_OPERAND, 0);
		ATTR(ins, SPU_ATTR_INDEX_VECTOR_DIM, 1);
		ATTR(ins, SPU_ATTR_REDUCER, SPU_REDUCE_REPLACE);
		/* replace in order: pos 1 gets 7 then 3; pos 0 gets 2 */
		RET(f, s1, ins->out[1]);
		secretize(p, 3);
		{
			const struct want w4[2] = { W(0, 2, 7, 0),
			    W(0, 2, 3, 0) };
			check("scatter with a max region, variadic replace", p,
			    in, 2, w4, 2);
		}
	}
	done(p, in, 2);
}

/* Operands above SPU_VM_CHUNK elements run in pieces: floor, a compare
 * and a max reduction over 2^17 + 7 elements (x_i = (37 i mod 2001) / 64
 * - 15, exact in binary; floor by libm). */
static void
test_chunks(void)
{
	enum { NBIG = (1 << 17) + 7 };
	struct spu_program *p = tb_prog(1);
	struct spu_func *f = &p->funcs[0];
	struct spu_shape s = SH(NBIG);
	uint32_t x = tb_param(f, 0, SPU_F32, s), r;
	double *xv = tb_alloc(NBIG * sizeof(double));
	double *fl = tb_alloc(NBIG * sizeof(double));
	double *gt = tb_alloc(NBIG * sizeof(double));
	struct spu_tensor *in[1];
	struct spu_insn *ins;

	for (size_t i = 0; i < NBIG; i++) {
		xv[i] = (double)((37 * i) % 2001) / 64 - 15;
		fl[i] = floor(xv[i]);
		gt[i] = xv[i] > 1.5;
	}
	in[0] = tb_tensor_f(SPU_F32, s, xv);
	r = OP(f, SPU_OP_REDUCE, SPU_F32, SCALAR, x,
	    tb_const(f, SPU_F32, SCALAR, DV(-100), NULL));
	ins = tb_last(f);
	ATTR(ins, SPU_ATTR_DIMS, 0);
	ATTR(ins, SPU_ATTR_REDUCER, SPU_REDUCE_MAX);
	{
		uint32_t c = tb_const(f, SPU_F32, SCALAR, DV(1.5), NULL);
		uint32_t b = OP(f, SPU_OP_BROADCAST, SPU_F32, s, c);
		const struct want w[3] = { { NBIG, fl, 0, 0 },
		    { NBIG, gt, 0, 0 }, W(0, 16.25) };
		RET(f, OP(f, SPU_OP_FLOOR, SPU_F32, s, x),
		    OP(f, SPU_OP_GT, SPU_PRED, s, x, b), r);
		secretize(p, 1);
		check("floor, gt, reduce max over 2^17 + 7 elements "
		    "(in chunks)", p, in, 1, w, 3);
	}
	done(p, in, 1);
	free(xv);
	free(fl);
	free(gt);
}

/* The network itself, in the clear: for every size up to 70, every
 * layer's pairs are disjoint and in range, and it sorts random inputs
 * with many ties and every 0-1 input of sizes up to 12 (0-1 principle). */
static void
test_network(void)
{
	int64_t lo[64], hi[64], a[130];
	int good = 1;

	for (int64_t n = 1; n <= 70 && good; n++) {
		for (int trial = 0; trial < (n <= 12 ? (1 << n) : 200) && good;
		    trial++) {
			for (int64_t i = 0; i < n; i++)
				a[i] = n <= 12 ? (trial >> i) & 1 :
				    (int64_t)randombytes_uniform(5);
			for (int l = 0; good; l++) {
				unsigned char used[130] = { 0 };
				int64_t P = spu_sort_layer(n, l, lo, hi);
				if (P < 0)
					break;
				for (int64_t t = 0; t < P; t++) {
					if (lo[t] < 0 || lo[t] >= hi[t] ||
					    hi[t] >= n || used[lo[t]] ||
					    used[hi[t]])
						good = 0;
					used[lo[t]] = used[hi[t]] = 1;
					if (good && a[lo[t]] > a[hi[t]]) {
						int64_t x = a[lo[t]];
						a[lo[t]] = a[hi[t]];
						a[hi[t]] = x;
					}
				}
			}
			for (int64_t i = 1; i < n; i++)
				if (a[i - 1] > a[i])
					good = 0;
			if (!good)
				diag("size %lld fails", (long long)n);
		}
	}
	ok(good, "odd-even merge network: disjoint layers, sorts sizes "
	    "1..70");
}

/* ---- convolution (the patches as a map of the input: semi2k opens
 * the input, not the patches) ---- */

/* A program of secret params x (shape xs) and k (ks), both f32, to
 * which the caller adds its convolutions. */
static struct spu_program *
conv_prog(struct spu_shape xs, struct spu_shape ks, uint32_t *x,
    uint32_t *k)
{
	struct spu_program *p = tb_prog(1);

	*x = tb_param(&p->funcs[0], 0, SPU_F32, xs);
	*k = tb_param(&p->funcs[0], 1, SPU_F32, ks);
	return p;
}

/* a 3x3 image, a 2x2 kernel: valid, strided with padding, and the
 * image used twice (the second product reuses its mask in semi2k) */
static void
test_conv(void)
{
	struct spu_shape xs = SH(1, 3, 3, 1), ks = SH(2, 2, 1, 1),
	    rs = SH(1, 2, 2, 1);
	uint32_t x, k, z1, z2;
	struct spu_program *p = conv_prog(xs, ks, &x, &k);
	struct spu_func *f = &p->funcs[0];
	struct spu_tensor *in[2] = {
		tb_tensor_f(SPU_F32, xs, DV(1, 2, 3, 4, 5, 6, 7, 8, 9)),
		tb_tensor_f(SPU_F32, ks, DV(1, 0, 0, 1)),
	};
	const struct want w[2] = {
		W(1e-3, 6, 8, 12, 14),
		W(1e-3, 1, 3, 7, 14),
	};

	z1 = OP(f, SPU_OP_CONV, SPU_F32, rs, x, k);
	tb_conv_nhwc(tb_last(f), 1, 0, 1, 1);
	z2 = OP(f, SPU_OP_CONV, SPU_F32, rs, x, k);
	tb_conv_nhwc(tb_last(f), 2, 1, 1, 1);
	RET(f, z1, z2);
	secretize(p, 3);
	check("conv: valid, and stride 2 with padding", p, in, 2, w, 2);
	done(p, in, 2);
}

/* Two images of two channels, two feature groups (a depthwise 2x2
 * kernel: the diagonal for channel 0, the anti-diagonal for 1): the
 * patches' image, group and channel strides. */
static void
test_conv_groups(void)
{
	struct spu_shape xs = SH(2, 3, 3, 2), ks = SH(2, 2, 1, 2),
	    rs = SH(2, 2, 2, 2);
	uint32_t x, k, z;
	struct spu_program *p = conv_prog(xs, ks, &x, &k);
	struct spu_func *f = &p->funcs[0];
	double xv[36];
	struct spu_tensor *in[2];
	const struct want w[1] = {
		W(1e-3, 10, 12, 14, 16, 22, 24, 26, 28, 46, 48, 50, 52, 58,
		    60, 62, 64),
	};

	for (int i = 0; i < 36; i++)
		xv[i] = i + 1;
	in[0] = tb_tensor_f(SPU_F32, xs, xv);
	in[1] = tb_tensor_f(SPU_F32, ks, DV(1, 0, 0, 1, 0, 1, 1, 0));
	z = OP(f, SPU_OP_CONV, SPU_F32, rs, x, k);
	tb_conv_nhwc(tb_last(f), 1, 0, 2, 1);
	RET(f, z);
	secretize(p, 3);
	check("conv: two feature groups, two images", p, in, 2, w, 1);
	done(p, in, 2);
}

/* A 130x130 image and a 2x2 kernel: 16641 patch rows, more than one
 * block of the products' expansion (mpc/patch.c, 65536 words). */
static void
test_conv_blocks(void)
{
	enum { S = 130, O = S - 1 };
	struct spu_shape xs = SH(1, S, S, 1), ks = SH(2, 2, 1, 1),
	    rs = SH(1, O, O, 1);
	uint32_t x, k, z;
	struct spu_program *p = conv_prog(xs, ks, &x, &k);
	struct spu_func *f = &p->funcs[0];
	static double xv[S * S], zv[O * O];
	struct spu_tensor *in[2];
	struct want w[1] = { { O * O, zv, 1e-2, 0 } };

	/* small values: a product's 2f fraction bits fit FM32 too */
	for (int i = 0; i < S * S; i++)
		xv[i] = (i % 97) * 0.125;
	/* the diagonal kernel: x[r][c] + x[r+1][c+1] */
	for (int r = 0; r < O; r++)
		for (int c = 0; c < O; c++)
			zv[r * O + c] = xv[r * S + c] + xv[(r + 1) * S + c + 1];
	in[0] = tb_tensor_f(SPU_F32, xs, xv);
	in[1] = tb_tensor_f(SPU_F32, ks, DV(1, 0, 0, 1));
	z = OP(f, SPU_OP_CONV, SPU_F32, rs, x, k);
	tb_conv_nhwc(tb_last(f), 1, 0, 1, 1);
	RET(f, z);
	secretize(p, 3);
	check("conv: 16641 patch rows, in blocks", p, in, 2, w, 1);
	done(p, in, 2);
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 99;
	randombytes_buf(session, sizeof(session));
	test_network();
	for (int i = 0; i < 3; i++) {
		static const unsigned fields[3] = { 64, 128, 32 };
		FIELD = argc > 1 ? (unsigned)atoi(argv[1]) : fields[i];
		if (!spu_field_valid(FIELD))
			return 99;
		test_round();
		test_convert();
		test_conv();
		test_conv_groups();
		test_conv_blocks();
		test_intdiv();
		test_bits();
		test_functions();
		test_sort();
		test_secret_index();
		test_batched_index();
		test_slice_runs();
		test_slice_views();
		test_regions();
		if (FIELD == 64)
			test_chunks();
		if (argc > 1)
			break;
	}
	return done_testing();
}
