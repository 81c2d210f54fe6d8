/*
 * hlo_passes.c - unit tests of the MPC-aware passes of spu-compile
 * (pass_*.c, pass.h) and of the cost counts (stats.c), on the in-memory
 * program: for each pass, a small module lowered without it and with
 * it, the instructions and costs before and after, and the outputs of
 * both programs in the cleartext evaluator against values computed here
 * in C.  The MPC runs of the same rewrites are in t2004-passes.sh.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/spu-compile/parser.h"
#include "../../src/spu-compile/pass.h"
#include "clear/clear.h"
#include "mem.h"
#include "../tap.h"

static struct spu_diag d;

typedef int (*pass_fn)(struct spu_program *, struct spu_diag *);

/* Parse and lower src (calls kept), then run the NULL-terminated passes
 * and DCE; verify. */
static struct spu_program *
build(const char *src, const pass_fn *passes)
{
	struct compile_opts o;
	struct hlo_module *m = NULL;
	struct spu_program *p = NULL;

	memset(&o, 0, sizeof(o));
	o.inline_limit = 0;
	d.msg[0] = '\0';
	if (hlo_parse("t.hlo", src, strlen(src), &m, &d) != 0 ||
	    lower_module(m, &o, &p, &d) != 0)
		goto fail;
	for (int i = 0; passes != NULL && passes[i] != NULL; i++)
		if (passes[i](p, &d) != 0)
			goto fail;
	if (pass_dce(p, &d) != 0 || spu_bc_verify(p, &d) != 0)
		goto fail;
	hlo_module_free(m);
	return p;
fail:
	diag("build failed: %s", d.msg);
	spu_program_free(p);
	hlo_module_free(m);
	return NULL;
}

static int
count(const struct spu_program *p, int f, enum spu_op op)
{
	int n = 0;

	for (uint32_t g = 0; p != NULL && g < p->nfuncs; g++)
		if (f < 0 || (uint32_t)f == g)
			for (uint32_t i = 0; i < p->funcs[g].ninsns; i++)
				n += p->funcs[g].insns[i].op == op;
	return n;
}

static const struct spu_insn *
find(const struct spu_program *p, uint32_t f, enum spu_op op)
{
	for (uint32_t i = 0; p != NULL && f < p->nfuncs &&
	    i < p->funcs[f].ninsns; i++)
		if (p->funcs[f].insns[i].op == op)
			return &p->funcs[f].insns[i];
	return NULL;
}

static struct stats_cost
cost(const struct spu_program *p)
{
	struct stats_cost c;

	memset(&c, 0, sizeof(c));
	if (p != NULL && stats_cost(p, &c) != 0)
		diag("stats_cost failed");
	return c;
}

/* Inputs: up to 4 f64 vectors (or int ones) of n elements each, shaped
 * as the entry parameters. */
struct in {
	int n;
	double v[4][16];
};

/* Run p in the cleartext evaluator; the outputs, flattened, into out. */
static int
run(const struct spu_program *p, const struct in *x, double *out, int max)
{
	const struct spu_func *fn;
	struct spu_tensor *t[4] = { 0 }, **o = NULL;
	size_t no = 0;
	int k = 0, err;

	if (p == NULL)
		return -1;
	fn = &p->funcs[p->entry];
	for (uint32_t i = 0; i < fn->ninsns; i++) {
		const struct spu_insn *in = &fn->insns[i];
		const struct spu_attr *a = spu_insn_attr(in, SPU_ATTR_INDEX);
		int64_t n;

		if (in->op != SPU_OP_PARAM || a == NULL || a->v[0] >= x->n ||
		    (t[a->v[0]] = spu_tensor_new(SPU_F64,
		    &in->type[0].shape)) == NULL)
			continue;
		n = spu_shape_numel(&in->type[0].shape);
		for (int64_t e = 0; e < n && e < 16; e++)
			spu_tensor_set_f64(t[a->v[0]], (size_t)e,
			    x->v[a->v[0]][e]);
	}
	err = spu_clear_run(p, t, (size_t)x->n, &o, &no, &d);
	for (int i = 0; i < x->n; i++)
		spu_tensor_free(t[i]);
	if (err != 0) {
		diag("spu_clear_run: %s", d.msg);
		return -1;
	}
	for (size_t i = 0; i < no; i++) {
		for (size_t e = 0; e < o[i]->n && k < max; e++)
			out[k++] = spu_tensor_get_f64(o[i], e);
		spu_tensor_free(o[i]);
	}
	free(o);
	return k;
}

/* Outputs of a and b on x equal (rel 1e-12) and equal to want[] (rel
 * 1e-9). */
static void
same(const struct spu_program *a, const struct spu_program *b,
    const struct in *x, const double *want, int nwant, const char *what)
{
	double oa[64], ob[64];
	int na = run(a, x, oa, 64), nb = run(b, x, ob, 64), eq = 1, good = 1;

	for (int i = 0; i < na && i < nb; i++) {
		if (fabs(oa[i] - ob[i]) > 1e-12 * fmax(1, fabs(oa[i])))
			eq = 0;
		if (i < nwant &&
		    fabs(ob[i] - want[i]) > 1e-9 * fmax(1, fabs(want[i]))) {
			diag("%s: output %d is %.17g, want %.17g", what, i,
			    ob[i], want[i]);
			good = 0;
		}
	}
	ok(na > 0 && na == nb && eq, "%s: same outputs with and without the "
	    "pass (%d values)", what, na);
	ok(nb == nwant && good, "%s: outputs as computed here", what);
}

static const struct in X2 = { 2, {
	{ 0.5, -1.25, 2, 0.75 },
	{ 1.5, 0.25, -3, 2 } } };

static void
test_inline(void)
{
	static const char src[] =
	    "HloModule inl\n"
	    "sq {\n  a = f32[4] parameter(0)\n"
	    "  ROOT m = f32[4] multiply(a, a)\n}\n"
	    "ENTRY main {\n  x = f32[4] parameter(0)\n"
	    "  c = f32[4] call(x), to_apply=sq\n"
	    "  ROOT r = f32[4] add(c, x)\n}\n";
	static const pass_fn on[] = { pass_inline, NULL };
	struct spu_program *a = build(src, NULL), *b = build(src, on);
	const struct in x = { 1, { { 0.5, -1.25, 2, 0.75 } } };
	double want[4];

	for (int i = 0; i < 4; i++)
		want[i] = x.v[0][i] * x.v[0][i] + x.v[0][i];
	ok(count(a, -1, SPU_OP_CALL) == 1 && a->nfuncs == 2,
	    "inline: without the pass, one call and two functions");
	ok(b != NULL && count(b, -1, SPU_OP_CALL) == 0 && b->nfuncs == 1 &&
	    count(b, 0, SPU_OP_MUL) == 1,
	    "inline: the call is replaced by the body, the callee dropped");
	same(a, b, &x, want, 4, "inline");
	spu_program_free(a);
	spu_program_free(b);
}

static void
test_simplify(void)
{
	static const char src[] =
	    "HloModule simp\nENTRY main {\n"
	    "  x = f32[4] parameter(0)\n"
	    "  y = f32[4] parameter(1)\n"
	    "  one = f32[] constant(1)\n"
	    "  b1 = f32[4] broadcast(one), dimensions={}\n"
	    "  zero = f32[] constant(0)\n"
	    "  b0 = f32[4] broadcast(zero), dimensions={}\n"
	    "  m = f32[4] multiply(b1, x)\n"
	    "  a = f32[4] add(b0, m)\n"
	    "  n1 = f32[4] negate(a)\n"
	    "  n2 = f32[4] negate(n1)\n"
	    "  r1 = f32[2,2] reshape(n2)\n"
	    "  r2 = f32[4,1] reshape(r1)\n"
	    "  r3 = f32[4] reshape(r2)\n"
	    "  t = f32[2,2] transpose(r1), dimensions={1,0}\n"
	    "  tt = f32[2,2] transpose(t), dimensions={1,0}\n"
	    "  ny = f32[4] negate(y)\n"
	    "  s = f32[4] add(r3, ny)\n"
	    "  mm = f32[4] multiply(x, y)\n"
	    "  nan = pred[4] compare(mm, mm), direction=NE\n"
	    "  p = pred[4] compare(x, y), direction=LT\n"
	    "  q = pred[4] or(p, nan)\n"
	    "  np = pred[4] not(q)\n"
	    "  sel = f32[4] select(np, x, y)\n"
	    "  ROOT out = (f32[4], f32[2,2], f32[4]) tuple(s, tt, sel)\n"
	    "}\n";
	static const pass_fn on[] = { pass_simplify, NULL };
	struct spu_program *a = build(src, NULL), *b = build(src, on);
	const struct spu_insn *sel = find(b, 0, SPU_OP_SELECT);
	double want[12];

	for (int i = 0; i < 4; i++) {
		double x = X2.v[0][i], y = X2.v[1][i];

		want[i] = x - y;
		want[8 + i] = x < y ? y : x;
	}
	want[4] = X2.v[0][0];
	want[5] = X2.v[0][1];
	want[6] = X2.v[0][2];
	want[7] = X2.v[0][3];
	ok(count(b, 0, SPU_OP_NEG) == 0 && count(b, 0, SPU_OP_ADD) == 0 &&
	    count(b, 0, SPU_OP_SUB) == 1 &&
	    count(b, 0, SPU_OP_TRANSPOSE) == 0 &&
	    count(b, 0, SPU_OP_RESHAPE) == 1,
	    "simplify: 1*x, 0+x, neg(neg), transpose pair, reshape chain gone; "
	    "x + neg(y) is x - y");
	ok(count(a, 0, SPU_OP_NE) == 1 && count(b, 0, SPU_OP_NE) == 0 &&
	    count(b, 0, SPU_OP_OR) == 0 && count(b, 0, SPU_OP_NOT) == 0,
	    "simplify: x != x is false, p | false is p, not into select");
	ok(sel != NULL && count(b, 0, SPU_OP_MUL) == 0 &&
	    find(b, 0, SPU_OP_LT) != NULL &&
	    sel->in[0] == find(b, 0, SPU_OP_LT)->out[0] &&
	    sel->in[1] == b->funcs[0].insns[1].out[0],
	    "simplify: select(not(p), x, y) -> select(p, y, x)");
	same(a, b, &X2, want, 12, "simplify");
	spu_program_free(a);
	spu_program_free(b);
}

static void
test_strength(void)
{
	static const char src[] =
	    "HloModule str\nENTRY main {\n"
	    "  x = f32[4] parameter(0)\n"
	    "  y = f32[4] parameter(1)\n"
	    "  four = f32[] constant(4)\n"
	    "  b4 = f32[4] broadcast(four), dimensions={}\n"
	    "  d = f32[4] divide(x, b4)\n"
	    "  one = f32[] constant(1)\n"
	    "  b1 = f32[4] broadcast(one), dimensions={}\n"
	    "  nx = f32[4] negate(x)\n"
	    "  e = f32[4] exponential(nx)\n"
	    "  den = f32[4] add(e, b1)\n"
	    "  sg = f32[4] divide(b1, den)\n"
	    "  c3 = f32[] constant(3)\n"
	    "  b3 = f32[4] broadcast(c3), dimensions={}\n"
	    "  cube = f32[4] power(x, b3)\n"
	    "  cm = f32[] constant(-2)\n"
	    "  bm = f32[4] broadcast(cm), dimensions={}\n"
	    "  inv2 = f32[4] power(y, bm)\n"
	    "  yy = f32[4] multiply(y, y)\n"
	    "  y1 = f32[4] add(yy, b1)\n"
	    "  rt = f32[4] sqrt(y1)\n"
	    "  c2 = f32[] constant(2)\n"
	    "  b2 = f32[4] broadcast(c2), dimensions={}\n"
	    "  k = f32[4] multiply(b2, rt)\n"
	    "  q = f32[4] divide(x, k)\n"
	    "  c7 = f32[] constant(768)\n"
	    "  b7 = f32[4] broadcast(c7), dimensions={}\n"
	    "  keep = f32[4] divide(x, b7)\n"
	    "  ROOT out = (f32[4], f32[4], f32[4], f32[4], f32[4], f32[4]) "
	    "tuple(d, sg, cube, inv2, q, keep)\n"
	    "}\n";
	static const pass_fn off[] = { pass_fold, NULL };
	static const pass_fn on[] = { pass_fold, pass_strength, pass_cse,
	    NULL };
	struct spu_program *a = build(src, off), *b = build(src, on);
	struct stats_cost ca = cost(a), cb = cost(b);
	double want[24];

	for (int i = 0; i < 4; i++) {
		double x = X2.v[0][i], y = X2.v[1][i];

		want[i] = x / 4;
		want[4 + i] = 1 / (1 + exp(-x));
		want[8 + i] = x * x * x;
		want[12 + i] = 1 / (y * y);
		want[16 + i] = x / (2 * sqrt(y * y + 1));
		want[20 + i] = x / 768;
	}
	ok(count(a, 0, SPU_OP_DIV) == 4 && count(b, 0, SPU_OP_DIV) == 1,
	    "strength: x/4, 1/(1+exp(-x)) and x/(2 sqrt(y)) lose their "
	    "division; x/768 keeps it");
	ok(count(b, 0, SPU_OP_LOGISTIC) == 1 && count(b, 0, SPU_OP_EXP) == 0,
	    "strength: 1/(exp(-x)+1) is logistic(x)");
	ok(count(a, 0, SPU_OP_POW) == 2 && count(b, 0, SPU_OP_POW) == 0 &&
	    count(b, 0, SPU_OP_RECIPROCAL) == 1 &&
	    count(b, 0, SPU_OP_RSQRT) == 1 && count(b, 0, SPU_OP_SQRT) == 0,
	    "strength: pow by 3 and -2 are products (and a reciprocal), "
	    "division by a sqrt is a product with rsqrt");
	/* before: 4 divisions, y*y, 2*sqrt (pow is not counted: the VM
	 * cannot run it on secrets); after: x*0.25, x*x and (x*x)*x,
	 * y*y (shared), x/2 -> x*0.5, the product with rsqrt, x/768 */
	ok(ca.trunc == 6 && cb.trunc == 7,
	    "strength: truncation count %llu -> %llu (pow by 3 is two "
	    "products)", (unsigned long long)ca.trunc,
	    (unsigned long long)cb.trunc);
	/* before: 4 div, exp, sqrt, 2 pow; after: logistic, reciprocal,
	 * rsqrt, x/768 */
	ok(ca.nonlin == 8 && cb.nonlin == 4,
	    "strength: nonlinear operations %llu -> %llu",
	    (unsigned long long)ca.nonlin, (unsigned long long)cb.nonlin);
	ok(cb.squares == 2, "strength: x*x and y*y are squares on one "
	    "slot (%u)", cb.squares);
	ok(count(b, 0, SPU_OP_DIV) == 1,
	    "strength: the x/2 made by the rsqrt rewrite is a product too");
	same(a, b, &X2, want, 24, "strength");
	spu_program_free(a);
	spu_program_free(b);
}

static void
test_select(void)
{
	static const char src[] =
	    "HloModule sel\nENTRY main {\n"
	    "  x = f32[4] parameter(0)\n"
	    "  y = f32[4] parameter(1)\n"
	    "  zero = f32[] constant(0)\n"
	    "  b0 = f32[4] broadcast(zero), dimensions={}\n"
	    "  p = pred[4] compare(x, b0), direction=GT\n"
	    "  s1 = f32[4] select(p, y, b0)\n"
	    "  s2 = f32[4] select(p, b0, y)\n"
	    "  ROOT out = (f32[4], f32[4]) tuple(s1, s2)\n"
	    "}\n";
	static const pass_fn on[] = { pass_select, NULL };
	struct spu_program *a = build(src, NULL), *b = build(src, on);
	struct stats_cost ca = cost(a), cb = cost(b);
	double want[8];

	for (int i = 0; i < 4; i++) {
		want[i] = X2.v[0][i] > 0 ? X2.v[1][i] : 0;
		want[4 + i] = X2.v[0][i] > 0 ? 0 : X2.v[1][i];
	}
	ok(count(b, 0, SPU_OP_SELECT) == 0 && count(b, 0, SPU_OP_MUL) == 2 &&
	    count(b, 0, SPU_OP_NOT) == 1,
	    "select: select(p,y,0) -> p*y, select(p,0,y) -> not(p)*y");
	ok(ca.smul == 2 && cb.smul == 2 && cb.trunc == 0,
	    "select: still one secret product each, no truncation");
	same(a, b, &X2, want, 8, "select");
	spu_program_free(a);
	spu_program_free(b);
}

static void
test_trunc(void)
{
	static const char src[] =
	    "HloModule trunc\nENTRY main {\n"
	    "  x = f32[4] parameter(0)\n"
	    "  y = f32[4] parameter(1)\n"
	    "  l = s32[4] parameter(2)\n"
	    "  c3 = f32[] constant(3)\n"
	    "  b3 = f32[4] broadcast(c3), dimensions={}\n"
	    "  m3 = f32[4] multiply(x, b3)\n"
	    "  c05 = f32[] constant(0.5)\n"
	    "  b05 = f32[4] broadcast(c05), dimensions={}\n"
	    "  h = f32[4] divide(x, b05)\n"
	    "  k1 = s32[] constant(1)\n"
	    "  bk = s32[4] broadcast(k1), dimensions={}\n"
	    "  eq = pred[4] compare(l, bk), direction=EQ\n"
	    "  oh = f32[4] convert(eq)\n"
	    "  ohr = f32[2,2] reshape(oh)\n"
	    "  yr = f32[2,2] reshape(y)\n"
	    "  m = f32[2,2] multiply(yr, ohr)\n"
	    "  c03 = f32[] constant(0.3)\n"
	    "  b03 = f32[4] broadcast(c03), dimensions={}\n"
	    "  c07 = f32[] constant(0.7)\n"
	    "  b07 = f32[4] broadcast(c07), dimensions={}\n"
	    "  q1 = f32[4] multiply(x, b03)\n"
	    "  q2 = f32[4] multiply(b07, q1)\n"
	    "  ROOT out = (f32[4], f32[4], f32[2,2], f32[4]) "
	    "tuple(m3, h, m, q2)\n"
	    "}\n";
	static const pass_fn off[] = { pass_strength, NULL };
	static const pass_fn on[] = { pass_strength, pass_trunc, NULL };
	struct spu_program *a = build(src, off), *b = build(src, on);
	struct stats_cost ca = cost(a), cb = cost(b);
	const struct in x = { 3, { { 0.5, -1.25, 2, 0.75 },
	    { 1.5, 0.25, -3, 2 }, { 1, 0, 1, 2 } } };
	double want[16];
	int ints = 0;

	for (int i = 0; i < 4; i++) {
		want[i] = x.v[0][i] * 3;
		want[4 + i] = x.v[0][i] * 2;
		want[8 + i] = x.v[2][i] == 1 ? x.v[1][i] : 0;
		want[12 + i] = x.v[0][i] * 0.3 * 0.7;
	}
	for (uint32_t i = 0; b != NULL && i < b->funcs[0].ninsns; i++) {
		const struct spu_insn *in = &b->funcs[0].insns[i];

		ints += in->op == SPU_OP_CONST &&
		    in->type[0].dtype == SPU_S32 && in->lit_i != NULL &&
		    (in->lit_i[0] == 3 || in->lit_i[0] == 2);
	}
	ok(ca.trunc == 5 && cb.trunc == 1,
	    "trunc: truncations %llu -> %llu", (unsigned long long)ca.trunc,
	    (unsigned long long)cb.trunc);
	ok(ints == 2, "trunc: x*3 and x/0.5 = x*2 multiply by s32 constants");
	ok(count(b, 0, SPU_OP_CONVERT) == 0 &&
	    count(a, 0, SPU_OP_CONVERT) == 1,
	    "trunc: convert(pred) pushed past the reshape into the product");
	same(a, b, &x, want, 16, "trunc");
	spu_program_free(a);
	spu_program_free(b);
}

static void
test_licm(void)
{
	static const char src[] =
	    "HloModule licm\n"
	    "cond {\n  p = (s32[], f32[4], f32[4]) parameter(0)\n"
	    "  i = s32[] get-tuple-element(p), index=0\n"
	    "  n = s32[] constant(3)\n"
	    "  ROOT lt = pred[] compare(i, n), direction=LT\n}\n"
	    "body {\n  p = (s32[], f32[4], f32[4]) parameter(0)\n"
	    "  i = s32[] get-tuple-element(p), index=0\n"
	    "  acc = f32[4] get-tuple-element(p), index=1\n"
	    "  w = f32[4] get-tuple-element(p), index=2\n"
	    "  one = s32[] constant(1)\n"
	    "  i1 = s32[] add(i, one)\n"
	    "  half = f32[] constant(0.5)\n"
	    "  bh = f32[4] broadcast(half), dimensions={}\n"
	    "  ww = f32[4] multiply(w, w)\n"
	    "  wh = f32[4] multiply(ww, bh)\n"
	    "  acc1 = f32[4] add(acc, wh)\n"
	    "  ROOT r = (s32[], f32[4], f32[4]) tuple(i1, acc1, w)\n}\n"
	    "ENTRY main {\n  acc0 = f32[4] parameter(0)\n"
	    "  w = f32[4] parameter(1)\n"
	    "  z = s32[] constant(0)\n"
	    "  init = (s32[], f32[4], f32[4]) tuple(z, acc0, w)\n"
	    "  wl = (s32[], f32[4], f32[4]) while(init), condition=cond, "
	    "body=body\n"
	    "  ROOT out = f32[4] get-tuple-element(wl), index=1\n}\n";
	static const pass_fn on[] = { pass_licm, NULL };
	struct spu_program *a = build(src, NULL), *b = build(src, on);
	const struct spu_insn *w = find(b, b != NULL ? b->entry : 0,
	    SPU_OP_WHILE);
	double want[4];
	int inbody = 0;

	for (int i = 0; i < 4; i++)
		want[i] = X2.v[0][i] + 3 * 0.5 * X2.v[1][i] * X2.v[1][i];
	if (w != NULL && w->nfunc == 2)
		inbody = count(b, (int)w->func[1], SPU_OP_MUL);
	ok(w != NULL && w->nin == 4 && w->nout == 4 &&
	    count(b, (int)b->entry, SPU_OP_MUL) == 2 && inbody == 0,
	    "licm: w*w*0.5 computed before the loop, carried as a fourth "
	    "state element; no product left in the body");
	ok(w != NULL && b->funcs[w->func[0]].nparams == 4 &&
	    b->funcs[w->func[1]].nparams == 4 &&
	    b->funcs[w->func[1]].nouts == 4,
	    "licm: condition and body take the new element");
	same(a, b, &X2, want, 4, "licm");
	spu_program_free(a);
	spu_program_free(b);
}

static void
test_argmax(void)
{
	static const char src[] =
	    "HloModule amin\n"
	    "region {\n  a = f32[] parameter(0)\n  ai = s32[] parameter(1)\n"
	    "  b = f32[] parameter(2)\n  bi = s32[] parameter(3)\n"
	    "  ilt = pred[] compare(ai, bi), direction=LT\n"
	    "  eq = pred[] compare(a, b), direction=EQ\n"
	    "  tie = pred[] and(eq, ilt)\n"
	    "  nan = pred[] compare(a, a), direction=NE\n"
	    "  gt = pred[] compare(a, b), direction=GT\n"
	    "  pick = pred[] or(gt, nan)\n"
	    "  v = f32[] select(pick, a, b)\n"
	    "  take = pred[] or(pick, tie)\n"
	    "  i = s32[] select(take, ai, bi)\n"
	    "  ROOT r = (f32[], s32[]) tuple(v, i)\n}\n"
	    "mx {\n  a = f32[] parameter(0)\n  b = f32[] parameter(1)\n"
	    "  c = pred[] compare(b, a), direction=LT\n"
	    "  ROOT m = f32[] select(c, a, b)\n}\n"
	    "ENTRY main {\n  x = f32[2,2] parameter(0)\n"
	    "  io = s32[2,2] iota(), iota_dimension=1\n"
	    "  ninf = f32[] constant(-inf)\n  z = s32[] constant(0)\n"
	    "  am = (f32[2], s32[2]) reduce(x, io, ninf, z), dimensions={1}, "
	    "to_apply=region\n"
	    "  idx = s32[2] get-tuple-element(am), index=1\n"
	    "  m = f32[2] reduce(x, ninf), dimensions={1}, to_apply=mx\n"
	    "  ROOT out = (f32[2], s32[2]) tuple(m, idx)\n}\n";
	static const pass_fn on[] = { pass_simplify, pass_argmax, NULL };
	struct spu_program *a = build(src, NULL), *b = build(src, on);
	struct stats_cost ca = cost(a), cb = cost(b);
	const struct in x = { 1, { { 3, -1, 2, 5 } } };
	const double want[4] = { 3, 5, 0, 1 };

	ok(count(a, -1, SPU_OP_REDUCE) == 2 && count(b, -1, SPU_OP_REDUCE) == 1,
	    "argmax: max(x) is the argmax's first result, one reduction less");
	ok(count(b, -1, SPU_OP_NE) == 0 && ca.cmp_el > cb.cmp_el,
	    "argmax: NaN test gone, compared elements %llu -> %llu",
	    (unsigned long long)ca.cmp_el, (unsigned long long)cb.cmp_el);
	same(a, b, &x, want, 4, "argmax");
	spu_program_free(a);
	spu_program_free(b);
	/* a max reduction written with compare/select gets the kernel */
	{
		static const char mx[] =
		    "HloModule mx\n"
		    "mx {\n  a = f32[] parameter(0)\n  b = f32[] parameter(1)\n"
		    "  c = pred[] compare(a, b), direction=GE\n"
		    "  ROOT m = f32[] select(c, a, b)\n}\n"
		    "ENTRY main {\n  x = f32[2,2] parameter(0)\n"
		    "  ninf = f32[] constant(-inf)\n"
		    "  ROOT m = f32[2] reduce(x, ninf), dimensions={1}, "
		    "to_apply=mx\n}\n";
		static const pass_fn on2[] = { pass_argmax, NULL };
		const struct spu_insn *r;
		const struct spu_attr *k;
		const double w2[2] = { 3, 5 };

		a = build(mx, NULL);
		b = build(mx, on2);
		r = find(b, 0, SPU_OP_REDUCE);
		k = r != NULL ? spu_insn_attr(r, SPU_ATTR_REDUCER) : NULL;
		ok(r != NULL && r->nfunc == 0 && k != NULL &&
		    k->v[0] == SPU_REDUCE_MAX && b->nfuncs == 1,
		    "argmax: select(a >= b, a, b) region -> reducer MAX");
		same(a, b, &x, w2, 2, "max region");
		spu_program_free(a);
		spu_program_free(b);
	}
}

static void
test_optin(void)
{
	static const char src[] =
	    "HloModule den\n"
	    "add {\n  a = f32[] parameter(0)\n  b = f32[] parameter(1)\n"
	    "  ROOT s = f32[] add(a, b)\n}\n"
	    "ENTRY main {\n  x = f32[2,2] parameter(0)\n"
	    "  z = f32[] constant(0)\n"
	    "  s = f32[2] reduce(x, z), dimensions={1}, to_apply=add\n"
	    "  b = f32[2,2] broadcast(s), dimensions={0}\n"
	    "  q = f32[2,2] divide(x, b)\n"
	    "  r = f32[2,2] sqrt(q)\n"
	    "  eps = f32[] constant(0.0001)\n"
	    "  be = f32[2,2] broadcast(eps), dimensions={}\n"
	    "  ROOT o = f32[2,2] add(r, be)\n}\n";
	static const pass_fn den[] = { pass_denom, NULL };
	static const pass_fn eps[] = { pass_sqrteps, NULL };
	struct spu_program *a = build(src, NULL), *b = build(src, den);
	struct spu_program *c = build(src, eps);
	const struct in x = { 1, { { 1, 3, 0.5, 1.5 } } };
	double want[4], out[4];
	int n;

	for (int i = 0; i < 4; i++) {
		double s = i < 2 ? 4 : 2;

		want[i] = sqrt(x.v[0][i] / s) + 1e-4;
	}
	ok(count(b, 0, SPU_OP_DIV) == 0 &&
	    count(b, 0, SPU_OP_RECIPROCAL) == 1 && count(b, 0, SPU_OP_MUL) == 1,
	    "denom: x / broadcast(s) -> x * broadcast(1/s), 2 reciprocals "
	    "instead of 4 divisions");
	same(a, b, &x, want, 4, "denom");
	n = run(c, &x, out, 4);
	ok(n == 4 && fabs(out[0] - sqrt(0.25 + 1e-4)) < 1e-12 &&
	    fabs(out[3] - sqrt(0.75 + 1e-4)) < 1e-12,
	    "sqrteps: sqrt(q) + eps computes sqrt(q + eps)");
	spu_program_free(a);
	spu_program_free(b);
	spu_program_free(c);
}

static void
test_stats(void)
{
	static const char src[] =
	    "HloModule st\n"
	    "add {\n  a = f32[] parameter(0)\n  b = f32[] parameter(1)\n"
	    "  ROOT s = f32[] add(a, b)\n}\n"
	    "max {\n  a = f32[] parameter(0)\n  b = f32[] parameter(1)\n"
	    "  ROOT s = f32[] maximum(a, b)\n}\n"
	    "ENTRY main {\n  x = f32[2,3] parameter(0)\n"
	    "  w = f32[3,4] parameter(1)\n"
	    "  pw = f32[3,4] parameter(2)\n"
	    "  h = f32[2,4] dot(x, w), lhs_contracting_dims={1}, "
	    "rhs_contracting_dims={0}\n"
	    "  hp = f32[2,4] dot(x, pw), lhs_contracting_dims={1}, "
	    "rhs_contracting_dims={0}\n"
	    "  ninf = f32[] constant(-inf)\n"
	    "  mx = f32[2] reduce(h, ninf), dimensions={1}, to_apply=max\n"
	    "  bm = f32[2,4] broadcast(mx), dimensions={0}\n"
	    "  sh = f32[2,4] subtract(h, bm)\n"
	    "  e = f32[2,4] exponential(sh)\n"
	    "  z = f32[] constant(0)\n"
	    "  s = f32[2] reduce(e, z), dimensions={1}, to_apply=add\n"
	    "  bs = f32[2,4] broadcast(s), dimensions={0}\n"
	    "  sm = f32[2,4] divide(e, bs)\n"
	    "  r = f32[2,4] maximum(hp, sm)\n"
	    "  ROOT o = f32[2,4] multiply(r, r)\n}\n";
	const uint8_t vis[3] = { 2, 2, SPU_PUBLIC };
	struct compile_opts o;
	struct hlo_module *m = NULL;
	struct spu_program *p = NULL;
	struct stats_cost c;

	memset(&o, 0, sizeof(o));
	o.param_vis = vis;
	o.nvis = 3;
	if (hlo_parse("t.hlo", src, strlen(src), &m, &d) != 0 ||
	    lower_module(m, &o, &p, &d) != 0)
		diag("build failed: %s", d.msg);
	c = cost(p);
	/* secret x secret: dot(x, w) 2*3*4 = 24 products, r*r 8 */
	ok(c.smul == 2 && c.smul_el == 32,
	    "stats: secret products %llu (%llu elements)",
	    (unsigned long long)c.smul, (unsigned long long)c.smul_el);
	/* truncations: both dots, the division, the square */
	ok(c.trunc == 4 && c.trunc_el == 32,
	    "stats: truncations %llu (%llu elements)",
	    (unsigned long long)c.trunc, (unsigned long long)c.trunc_el);
	/* max-reduce folds 2*(4-1) = 6, maximum 8 */
	ok(c.cmp == 2 && c.cmp_el == 14, "stats: comparisons %llu (%llu "
	    "elements)", (unsigned long long)c.cmp,
	    (unsigned long long)c.cmp_el);
	ok(c.softmax == 1 && c.softmax_max == 1 && c.squares == 1,
	    "stats: one max-subtracted softmax, one square");
	spu_program_free(p);
	hlo_module_free(m);
}

/* Every pass keeps a program valid on the corpus-like fixture and is
 * deterministic. */
static void
test_deterministic(void)
{
	static const char src[] =
	    "HloModule det\n"
	    "sq {\n  a = f32[4] parameter(0)\n"
	    "  ROOT m = f32[4] multiply(a, a)\n}\n"
	    "ENTRY main {\n  x = f32[4] parameter(0)\n"
	    "  c = f32[4] call(x), to_apply=sq\n"
	    "  two = f32[] constant(2)\n"
	    "  b2 = f32[4] broadcast(two), dimensions={}\n"
	    "  d = f32[4] divide(c, b2)\n"
	    "  ROOT r = f32[4] add(d, x)\n}\n";
	static const pass_fn all[] = { pass_inline, pass_fold, pass_simplify,
	    pass_sqrteps, pass_strength, pass_denom, pass_select, pass_trunc,
	    pass_argmax, pass_cse, pass_licm, NULL };
	struct spu_program *a = build(src, all), *b = build(src, all);
	uint8_t *ba = NULL, *bb = NULL;
	size_t la = 0, lb = 0;

	ok(a != NULL && b != NULL && spu_bc_encode(a, &ba, &la, &d) == 0 &&
	    spu_bc_encode(b, &bb, &lb, &d) == 0 && la == lb &&
	    memcmp(ba, bb, la) == 0,
	    "all passes: valid program, the same bytes twice");
	free(ba);
	free(bb);
	spu_program_free(a);
	spu_program_free(b);
}

int
main(void)
{
	test_inline();
	test_simplify();
	test_strength();
	test_select();
	test_trunc();
	test_licm();
	test_argmax();
	test_optin();
	test_stats();
	test_deterministic();
	return done_testing();
}
