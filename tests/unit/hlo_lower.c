/*
 * hlo_lower.c - unit tests of visibility inference, lowering and the
 * passes of spu-compile, on the in-memory program (struct spu_program):
 * the instructions emitted, their types and visibilities, attributes,
 * called functions, and the effect of fold / CSE / DCE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/spu-compile/compile.h"
#include "../../src/spu-compile/parser.h"
#include "mem.h"
#include "../tap.h"

static struct spu_diag d;

/* Compile src; vis[i] for entry parameter i (2 = default); passes if opt. */
static struct spu_program *
compile(const char *src, const uint8_t *vis, uint32_t nvis, int opt,
    int reveal)
{
	struct compile_opts o;
	struct hlo_module *m = NULL;
	struct spu_program *p = NULL;

	memset(&o, 0, sizeof(o));
	o.param_vis = vis;
	o.nvis = nvis;
	o.inline_limit = 64;
	o.reveal_secret_conditions = reveal;
	d.msg[0] = '\0';
	if (hlo_parse("t.hlo", src, strlen(src), &m, &d) != 0 ||
	    lower_module(m, &o, &p, &d) != 0)
		goto fail;
	if (opt && (pass_fold(p, &d) != 0 || pass_cse(p, &d) != 0 ||
	    pass_dce(p, &d) != 0))
		goto fail;
	if (spu_bc_verify(p, &d) != 0)
		goto fail;
	hlo_module_free(m);
	return p;
fail:
	diag("compile failed: %s", d.msg);
	spu_program_free(p);
	hlo_module_free(m);
	return NULL;
}

/* The n-th instruction of function f with opcode op, or NULL. */
static const struct spu_insn *
find(const struct spu_program *p, uint32_t f, enum spu_op op, int n)
{
	if (p == NULL || f >= p->nfuncs)
		return NULL;
	for (uint32_t i = 0; i < p->funcs[f].ninsns; i++)
		if (p->funcs[f].insns[i].op == op && n-- == 0)
			return &p->funcs[f].insns[i];
	return NULL;
}

static int
count(const struct spu_program *p, uint32_t f, enum spu_op op)
{
	int n = 0;

	while (find(p, f, op, n) != NULL)
		n++;
	return n;
}

static int
attr_is(const struct spu_insn *in, enum spu_attr_key k, const int64_t *v,
    uint32_t n)
{
	const struct spu_attr *a = in != NULL ? spu_insn_attr(in, k) : NULL;

	return a != NULL && a->n == n &&
	    (n == 0 || memcmp(a->v, v, n * sizeof(*v)) == 0);
}

static int
shape_is(const struct spu_type *t, int ndim, int64_t d0, int64_t d1,
    int64_t d2)
{
	int64_t dd[3] = { d0, d1, d2 };

	if (t->shape.ndim != ndim)
		return 0;
	for (int i = 0; i < ndim && i < 3; i++)
		if (t->shape.dim[i] != dd[i])
			return 0;
	return 1;
}

static void
test_dot(void)
{
	static const char src[] =
	    "ENTRY e {\n"
	    "  m = f32[5,2] parameter(0)\n"
	    "  v = f32[2] parameter(1)\n"
	    "  ROOT d = f32[5] dot(m, v), lhs_contracting_dims={1}, "
	    "rhs_contracting_dims={0}\n"
	    "}\n";
	static const char outer[] =
	    "ENTRY e {\n"
	    "  a = s32[3] parameter(0)\n"
	    "  b = f32[4] parameter(1)\n"
	    "  ROOT d = f32[3,4] dot(a, b)\n"
	    "}\n";
	const struct spu_insn *mm, *r0, *r1;
	struct spu_program *p = compile(src, NULL, 0, 0, 0);

	mm = find(p, 0, SPU_OP_MATMUL, 0);
	r0 = find(p, 0, SPU_OP_RESHAPE, 0);
	r1 = find(p, 0, SPU_OP_RESHAPE, 1);
	ok(mm != NULL && shape_is(&mm->type[0], 2, 5, 1, 0) &&
	    count(p, 0, SPU_OP_TRANSPOSE) == 0,
	    "matrix-vector: matmul [5,2]x[2,1]->[5,1], no transpose");
	ok(r0 != NULL && shape_is(&r0->type[0], 2, 2, 1, 0) &&
	    mm != NULL && mm->in[1] == r0->out[0],
	    "vector reshaped to [K,N]");
	ok(r1 != NULL && shape_is(&r1->type[0], 1, 5, 0, 0) && mm != NULL &&
	    r1->in[0] == mm->out[0] && p->funcs[0].outs[0] == r1->out[0],
	    "result reshaped back to [5]");
	spu_program_free(p);

	p = compile(outer, NULL, 0, 0, 0);
	mm = find(p, 0, SPU_OP_MATMUL, 0);
	ok(mm != NULL && shape_is(&mm->type[0], 2, 3, 4, 0) &&
	    count(p, 0, SPU_OP_CONVERT) == 0 && mm->type[0].dtype == SPU_F32,
	    "outer product of s32 and f32: [3,1]x[1,4], int operand kept");
	spu_program_free(p);
}

static void
test_vis(void)
{
	static const char src[] =
	    "body {\n"
	    "  s = (s32[], f32[], f32[]) parameter(0)\n"
	    "  i = s32[] get-tuple-element(s), index=0\n"
	    "  one = s32[] constant(1)\n"
	    "  i2 = s32[] add(i, one)\n"
	    "  acc = f32[] get-tuple-element(s), index=1\n"
	    "  x = f32[] get-tuple-element(s), index=2\n"
	    "  acc2 = f32[] add(acc, x)\n"
	    "  ROOT t = (s32[], f32[], f32[]) tuple(i2, acc2, x)\n"
	    "}\n"
	    "cond {\n"
	    "  s = (s32[], f32[], f32[]) parameter(0)\n"
	    "  i = s32[] get-tuple-element(s), index=0\n"
	    "  n = s32[] constant(4)\n"
	    "  ROOT c = pred[] compare(i, n), direction=LT\n"
	    "}\n"
	    "ENTRY e {\n"
	    "  x = f32[] parameter(0)\n"
	    "  y = f32[] parameter(1)\n"
	    "  z = s32[] constant(0)\n"
	    "  zf = f32[] constant(0)\n"
	    "  init = (s32[], f32[], f32[]) tuple(z, zf, x)\n"
	    "  w = (s32[], f32[], f32[]) while(init), condition=cond, "
	    "body=body\n"
	    "  r = f32[] get-tuple-element(w), index=1\n"
	    "  py = f32[] multiply(y, y)\n"
	    "  ROOT o = (f32[], f32[]) tuple(r, py)\n"
	    "}\n";
	static const uint8_t pub1[] = { 2, SPU_PUBLIC };
	struct spu_program *p = compile(src, pub1, 2, 0, 0);
	const struct spu_insn *w = find(p, 0, SPU_OP_WHILE, 0);
	const struct spu_insn *mul = find(p, 0, SPU_OP_MUL, 0);

	ok(w != NULL && w->nout == 3 && w->type[0].vis == SPU_PUBLIC &&
	    w->type[1].vis == SPU_SECRET && w->type[2].vis == SPU_SECRET,
	    "while: counter public, accumulator promoted to secret");
	ok(w != NULL && w->nfunc == 2 && w->func[0] < p->nfuncs &&
	    strcmp(p->funcs[w->func[0]].name, "cond") == 0 &&
	    p->funcs[w->func[1]].nparams == 3,
	    "while calls cond and body with 3 flattened parameters");
	ok(w != NULL && find(p, w->func[1], SPU_OP_PARAM, 1) != NULL &&
	    find(p, w->func[1], SPU_OP_PARAM, 1)->type[0].vis == SPU_SECRET,
	    "body parameter 1 is declared secret (fixed point)");
	ok(mul != NULL && mul->type[0].vis == SPU_PUBLIC,
	    "--public 1: public parameter gives a public product");
	ok(p != NULL && p->funcs[0].nouts == 2, "tuple root: two outputs");
	spu_program_free(p);
}

static void
test_cond(void)
{
	static const char src[] =
	    "t {\n  a = f32[2] parameter(0)\n  ROOT c = f32[2] constant({1, 2})"
	    "\n}\n"
	    "f {\n  a = f32[2] parameter(0)\n  ROOT n = f32[2] negate(a)\n}\n"
	    "ENTRY e {\n"
	    "  p = pred[] parameter(0)\n"
	    "  x = f32[2] parameter(1)\n"
	    "  ROOT r = f32[2] conditional(p, x, x), true_computation=t, "
	    "false_computation=f\n"
	    "}\n";
	static const char idx[] =
	    "b0 {\n  a = f32[] parameter(0)\n  ROOT n = f32[] negate(a)\n}\n"
	    "b1 {\n  a = f32[] parameter(0)\n  ROOT n = f32[] abs(a)\n}\n"
	    "b2 {\n  a = f32[] parameter(0)\n  ROOT n = f32[] floor(a)\n}\n"
	    "ENTRY e {\n  i = s32[] parameter(0)\n  x = f32[] parameter(1)\n"
	    "  ROOT r = f32[] conditional(i, x, x, x), "
	    "branch_computations={b0, b1, b2}\n}\n";
	static const uint8_t sec0[] = { SPU_SECRET, SPU_PUBLIC };
	static const uint8_t pub0[] = { SPU_PUBLIC, SPU_PUBLIC };
	struct spu_program *p = compile(src, sec0, 2, 0, 0);
	const struct spu_insn *c = find(p, 0, SPU_OP_COND, 0);
	const struct spu_insn *s = find(p, 0, SPU_OP_SELECT, 0);
	const struct spu_insn *b = find(p, 0, SPU_OP_BROADCAST, 0);

	ok(p != NULL && c == NULL && s != NULL && b != NULL &&
	    s->in[0] == b->out[0] && b->in[0] == p->funcs[0].insns[0].out[0] &&
	    s->type[0].vis == SPU_SECRET && find(p, 0, SPU_OP_NEG, 0) != NULL &&
	    p->nfuncs == 1, "secret predicate: branches inline, "
	    "select(broadcast(p), true, false)");
	spu_program_free(p);
	p = compile(src, pub0, 2, 0, 0);
	c = find(p, 0, SPU_OP_COND, 0);
	ok(c != NULL && c->nin == 3 && c->type[0].vis == SPU_PUBLIC &&
	    c->nfunc == 2 && strcmp(p->funcs[c->func[0]].name, "t") == 0 &&
	    p->funcs[c->func[0]].nparams == 1 &&
	    p->funcs[c->func[1]].nparams == 1,
	    "public predicate: COND(p, arg of true, arg of false)");
	spu_program_free(p);
	p = compile(idx, NULL, 0, 0, 0);
	ok(p != NULL && find(p, 0, SPU_OP_COND, 0) == NULL &&
	    count(p, 0, SPU_OP_EQ) == 2 && count(p, 0, SPU_OP_SELECT) == 2,
	    "secret index over 3 branches: 2 compares, 2 selects");
	s = find(p, 0, SPU_OP_SELECT, 1);
	ok(s != NULL && find(p, 0, SPU_OP_FLOOR, 0) != NULL &&
	    s->in[2] == find(p, 0, SPU_OP_SELECT, 0)->out[0] &&
	    s->in[1] == find(p, 0, SPU_OP_NEG, 0)->out[0],
	    "select chain ends in branch 0, the last branch is the default");
	spu_program_free(p);
}

static const char reducer_src[] =
    "r {\n  a = %s[] parameter(0)\n  b = %s[] parameter(1)\n"
    "  ROOT c = %s[] %s(%s, %s)\n}\n"
    "ENTRY e {\n  x = %s[8] parameter(0)\n  z = %s[] constant(%s)\n"
    "  ROOT s = %s[] reduce(x, z), dimensions={0}, to_apply=r\n}\n";

static void
test_reducers(void)
{
	static const struct {
		const char *dt, *op, *a, *b, *zero;
		int kind;
	} cases[] = {
		{ "f32", "add", "a", "b", "0", SPU_REDUCE_ADD },
		{ "f32", "maximum", "b", "a", "-inf", SPU_REDUCE_MAX },
		{ "s32", "minimum", "a", "b", "0", SPU_REDUCE_MIN },
		{ "f32", "multiply", "a", "b", "1", SPU_REDUCE_MUL },
		{ "pred", "and", "a", "b", "true", SPU_REDUCE_AND },
		{ "pred", "or", "a", "b", "false", SPU_REDUCE_OR },
		{ "pred", "add", "a", "b", "false", SPU_REDUCE_OR },
		{ "f32", "subtract", "a", "b", "0", SPU_REDUCE_CALL },
		{ "f32", "add", "a", "a", "0", SPU_REDUCE_CALL },
	};
	char src[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].dt;
		struct spu_program *p;
		const struct spu_insn *r;
		int64_t k = cases[i].kind;

		snprintf(src, sizeof(src), reducer_src, t, t, t, cases[i].op,
		    cases[i].a, cases[i].b, t, t, cases[i].zero, t);
		p = compile(src, NULL, 0, 0, 0);
		r = find(p, 0, SPU_OP_REDUCE, 0);
		ok(r != NULL && attr_is(r, SPU_ATTR_REDUCER, &k, 1) &&
		    (k == SPU_REDUCE_CALL ? r->nfunc == 1 && p->nfuncs == 2 :
		    r->nfunc == 0 && p->nfuncs == 1),
		    "reduce with %s %s(%s, %s): reducer %d", t, cases[i].op,
		    cases[i].a, cases[i].b, cases[i].kind);
		spu_program_free(p);
	}
}

static void
test_sort_scatter(void)
{
	static const char sort_src[] =
	    "c {\n  a = f32[] parameter(0)\n  b = f32[] parameter(1)\n"
	    "  i = s32[] parameter(2)\n  j = s32[] parameter(3)\n"
	    "  ROOT l = pred[] compare(b, a), direction=LT\n}\n"
	    "ENTRY e {\n  x = f32[6] parameter(0)\n  y = s32[6] iota(), "
	    "iota_dimension=0\n"
	    "  ROOT s = (f32[6], s32[6]) sort(x, y), dimensions={0}, "
	    "to_apply=c\n}\n";
	static const char scat_src[] =
	    "u {\n  a = f32[] parameter(0)\n  ROOT b = f32[] parameter(1)\n}\n"
	    "ENTRY e {\n  x = f32[6] parameter(0)\n  i = s32[2,1] parameter(1)\n"
	    "  v = f32[2] parameter(2)\n"
	    "  ROOT s = f32[6] scatter(x, i, v), update_window_dims={}, "
	    "inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, "
	    "index_vector_dim=1, unique_indices=true, to_apply=u\n}\n";
	int64_t desc = SPU_SORT_DESC, repl = SPU_REDUCE_REPLACE, one = 1,
	    zero = 0;
	struct spu_program *p = compile(sort_src, NULL, 0, 0, 0);
	const struct spu_insn *s = find(p, 0, SPU_OP_SORT, 0);

	ok(s != NULL && s->nin == 2 && s->nout == 2 && s->nfunc == 0 &&
	    attr_is(s, SPU_ATTR_REDUCER, &desc, 1) &&
	    attr_is(s, SPU_ATTR_DIMS, &zero, 1) &&
	    attr_is(s, SPU_ATTR_STABLE, &zero, 1) &&
	    s->type[1].vis == SPU_SECRET,
	    "sort: compare(b, a) LT is descending; the public payload "
	    "becomes secret (its order depends on secret keys)");
	spu_program_free(p);
	p = compile(scat_src, NULL, 0, 0, 0);
	s = find(p, 0, SPU_OP_SCATTER, 0);
	ok(s != NULL && s->nin == 3 && attr_is(s, SPU_ATTR_REDUCER, &repl, 1) &&
	    attr_is(s, SPU_ATTR_UNIQUE_INDICES, &one, 1) &&
	    attr_is(s, SPU_ATTR_UPDATE_WINDOW_DIMS, NULL, 0) &&
	    spu_insn_attr(s, SPU_ATTR_SORTED_INDICES) == NULL,
	    "scatter: overwrite combiner is REPLACE, unique_indices kept");
	spu_program_free(p);
}

static void
test_fold(void)
{
	static const char src[] =
	    "ENTRY e {\n"
	    "  a = s8[] constant(100)\n"
	    "  s = s8[] add(a, a)\n"
	    "  f = f32[] convert(s)\n"
	    "  h = f32[] constant(0.5)\n"
	    "  m = f32[] multiply(f, h)\n"
	    "  io = s32[2,3] iota(), iota_dimension=1\n"
	    "  t = s32[3,2] transpose(io), dimensions={1,0}\n"
	    "  x = f32[] parameter(0)\n"
	    "  y = f32[] multiply(x, m)\n"
	    "  ROOT o = (f32[], s32[3,2]) tuple(y, t)\n"
	    "}\n";
	struct spu_program *p = compile(src, NULL, 0, 1, 0);
	const struct spu_insn *c0 = find(p, 0, SPU_OP_CONST, 0);
	const struct spu_insn *c1 = find(p, 0, SPU_OP_CONST, 1);
	static const int64_t tv[6] = { 0, 0, 1, 1, 2, 2 };

	ok(p != NULL && p->funcs[0].ninsns == 4 && c0 != NULL &&
	    c0->lit_f != NULL && c0->lit_f[0] == -28.0,
	    "fold: s8 100+100 wraps to -56, converted and halved: -28");
	ok(c1 != NULL && c1->lit_i != NULL && shape_is(&c1->type[0], 2, 3, 2,
	    0) && memcmp(c1->lit_i, tv, sizeof(tv)) == 0,
	    "fold: transpose of an iota");
	ok(p != NULL && p->funcs[0].nslots == 4 && p->funcs[0].outs[1] ==
	    c1->out[0], "dce: slots renumbered densely");
	spu_program_free(p);
}

static void
test_cse_dce(void)
{
	static const char src[] =
	    "ENTRY e {\n"
	    "  x = f32[4] parameter(0)\n"
	    "  a = f32[4] exponential(x)\n"
	    "  b = f32[4] exponential(x)\n"
	    "  c1 = f32[] constant(1)\n"
	    "  c2 = f32[] constant(1)\n"
	    "  b1 = f32[4] broadcast(c1), dimensions={}\n"
	    "  b2 = f32[4] broadcast(c2), dimensions={}\n"
	    "  s = f32[4] add(a, b1)\n"
	    "  t = f32[4] add(b, b2)\n"
	    "  ROOT r = f32[4] multiply(s, t)\n"
	    "}\n";
	struct spu_program *p0 = compile(src, NULL, 0, 0, 0);
	struct spu_program *p1 = compile(src, NULL, 0, 1, 0);
	const struct spu_insn *m = find(p1, 0, SPU_OP_MUL, 0);

	ok(count(p0, 0, SPU_OP_EXP) == 2 && count(p1, 0, SPU_OP_EXP) == 1,
	    "cse: equal exponentials merged");
	ok(count(p1, 0, SPU_OP_ADD) == 1 && m != NULL && m->in[0] == m->in[1],
	    "cse: equal constants, broadcasts and adds merged in a chain");
	spu_program_free(p0);
	spu_program_free(p1);
}

/* DCE drops functions that nothing calls any more. */
static void
test_dce_funcs(void)
{
	static const char src[] =
	    "big {\n  p = f32[] parameter(0)\n  a = f32[] add(p, p)\n"
	    "  b = f32[] add(a, a)\n  ROOT c = f32[] add(b, b)\n}\n"
	    "ENTRY e {\n  x = f32[] parameter(0)\n"
	    "  k = f32[] call(x), to_apply=big\n  ROOT y = f32[] negate(x)\n}\n";
	struct spu_program *p;

	p = compile(src, NULL, 0, 0, 0);
	ok(p != NULL && p->nfuncs == 1, "dead call is not lowered at all");
	if (p == NULL)
		return;
	/* add an uncalled function by hand, then run DCE */
	{
		struct spu_func *nf = spu_realloc(p->funcs, 2, sizeof(*nf));

		if (nf == NULL) {
			spu_program_free(p);
			return;
		}
		p->funcs = nf;
		memset(&nf[1], 0, sizeof(nf[1]));
		nf[1].name = spu_strdup("orphan");
		p->nfuncs = 2;
	}
	ok(pass_dce(p, &d) == 0 && p->nfuncs == 1 && p->entry == 0 &&
	    strcmp(p->funcs[0].name, "e") == 0, "dce: uncalled function "
	    "dropped");
	spu_program_free(p);
}

static void
test_refusals(void)
{
	static const char secret_cond[] =
	    "c {\n  s = f32[] parameter(0)\n  z = f32[] constant(0)\n"
	    "  ROOT l = pred[] compare(s, z), direction=GT\n}\n"
	    "b {\n  s = f32[] parameter(0)\n  o = f32[] constant(1)\n"
	    "  ROOT t = f32[] subtract(s, o)\n}\n"
	    "ENTRY e {\n  x = f32[] parameter(0)\n"
	    "  ROOT w = f32[] while(x), condition=c, body=b\n}\n";
	static const uint8_t pub[] = { SPU_PUBLIC };
	struct spu_program *p;

	p = compile(secret_cond, NULL, 0, 0, 0);
	ok(p == NULL && strstr(d.msg, "t.hlo:13:18: while loop 'w': its "
	    "condition 'c' depends on a secret value") != NULL,
	    "secret while condition refused at the while (%s)", d.msg);
	p = compile(secret_cond, pub, 1, 0, 0);
	ok(p != NULL && count(p, 1, SPU_OP_REVEAL) == 0,
	    "public loop state: no reveal needed");
	spu_program_free(p);
	p = compile(secret_cond, NULL, 0, 0, 1);
	ok(p != NULL && count(p, 1, SPU_OP_REVEAL) == 1 &&
	    p->funcs[1].nouts == 1,
	    "--reveal-secret-conditions adds REVEAL to the condition");
	spu_program_free(p);
}

int
main(void)
{
	test_dot();
	test_vis();
	test_cond();
	test_reducers();
	test_sort_scatter();
	test_fold();
	test_cse_dce();
	test_dce_funcs();
	test_refusals();
	return done_testing();
}
