/*
 * hlo_parse.c - unit tests of spu-compile's HLO lexer, parser, attribute
 * readers and name resolution on tricky snippets, and a robustness sweep
 * (every prefix and many mutations of a module must parse or fail
 * cleanly, never crash).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../../src/spu-compile/compile.h"
#include "../../src/spu-compile/lexer.h"
#include "../../src/spu-compile/parser.h"
#include "../tap.h"

static const char tricky[] =
    "/* module header with layouts */\n"
    "HloModule jit_f.0, is_scheduled=true, entry_computation_layout="
    "{(f32[2,3]{1,0}, (s32[], f32[]))->(f32[2,3]{1,0:T(8,128)}, f32[])}, "
    "frontend_attributes={a=\"b\"}\n"
    "\n"
    "%add.1 (x: f32[], y: f32[]) -> f32[] {\n"
    "  %y = f32[]{:T(256)} parameter(1)\n"
    "  %x = f32[]{:T(256)} parameter(0)  // params in any order\n"
    "  ROOT %s = f32[] add(f32[]{:T(256)} %x, f32[] %y), "
    "metadata={op_name=\"a \\\"q\\\" b\" source_line=3}\n"
    "}\n"
    "\n"
    "cond {\n"
    "  p = (s32[], /*index=1*/f32[]) parameter(0)\n"
    "  i = s32[] get-tuple-element(p), index=0\n"
    "  ROOT lt = pred[] compare(i, i), direction=LT, type=SIGNED\n"
    "}\n"
    "ENTRY %main.9 (a: f32[2,3], t: (s32[], f32[])) -> (f32[2,3], f32[]) {\n"
    "  %a = f32[2,3]{1,0:T(8,128)(2,1)S(6)} parameter(0), "
    "sharding={devices=[2,1]0,1}\n"
    "  %c = f32[2,3] constant({ { 1, -2.5e+1, inf }, /*r*/ {-inf, nan, 3E-2} "
    "})\n"
    "  ROOT %r = f32[2,3] add(\n"
    "      f32[2,3] %a,\n"
    "      %c), backend_config=\"{\\\"k\\\": [1, {2}]}\"\n"
    "  %t = (s32[], f32[]) parameter(1)\n"
    "  %w = (s32[], f32[]) while(%t), condition=cond, body=cond, "
    "literal=s32[] 1\n"
    "  %e = f32[0] constant({})\n"
    "  %b = pred[2] constant({true, false})\n"
    "  %u = u64[] constant(18446744073709551615)\n"
    "  %z = f32[] constant(0)\n"
    "  %sl = f32[1,2] slice(%a), slice={[0:1], [1:3:1]}\n"
    "  %pd = f32[4,7] pad(%a, %z), padding=1_1x0_1_2\n"
    "  %cv = f32[1,1] convolution(%a, %a), window={size=2x3 stride=1x2 "
    "pad=0_1x1_0 lhs_dilate=1x1 rhs_dilate=2x1}, dim_labels=b01f_01io->b01f\n"
    "  %rd = f32[] reduce(%a, %z), dimensions={0,1}, to_apply=%add.1\n"
    "  %k = f32[] conditional(%b, %z, %z), branch_computations={%add.1, "
    "cond}\n"
    "}, execution_thread=\"main\"\n";

static struct hlo_module *
parse(const char *s, struct spu_diag *d)
{
	struct hlo_module *m = NULL;

	d->msg[0] = '\0';
	if (hlo_parse("t.hlo", s, strlen(s), &m, d) != 0)
		return NULL;
	return m;
}

static const struct hlo_instr *
instr(const struct hlo_comp *c, const char *name)
{
	for (uint32_t i = 0; i < c->ninstr; i++)
		if (strcmp(c->instr[i].name, name) == 0)
			return &c->instr[i];
	return NULL;
}

static const char *
attr(const struct hlo_instr *in, const char *name)
{
	const struct hlo_attr *a = in != NULL ? hlo_attr_find(in, name) : NULL;

	return a != NULL ? a->val : "";
}

static void
test_lexer(void)
{
	static const char src[] = "%add.1 = f32[2]{0} add(-inf, 3e+2) -> ... "
	    "/* c */ \"s\\\"x\" // tail\n:";
	static const enum hlo_tok want[] = { TK_NAME, TK_EQ, TK_NAME,
	    TK_LBRACK, TK_INT, TK_RBRACK, TK_LBRACE, TK_INT, TK_RBRACE,
	    TK_NAME, TK_LPAREN, TK_NAME, TK_COMMA, TK_FLOAT, TK_RPAREN,
	    TK_ARROW, TK_ELLIPSIS, TK_STRING, TK_COLON, TK_EOF };
	struct hlo_lexer lx;
	struct spu_diag d;
	size_t i, bad = 0;

	hlo_lex_init(&lx, "t", src, strlen(src), &d);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (hlo_lex_next(&lx) != want[i]) {
			diag("token %zu: got %d", i, (int)lx.tok.kind);
			bad++;
			break;
		}
	ok(bad == 0, "lexer: token kinds");
	hlo_lex_init(&lx, "t", src, strlen(src), &d);
	hlo_lex_next(&lx);
	ok(lx.tok.len == 5 && memcmp(lx.tok.p, "add.1", 5) == 0 &&
	    lx.tok.line == 1 && lx.tok.col == 1, "lexer: %% sigil dropped, "
	    "place kept");
	hlo_lex_init(&lx, "t", "\n  `", 4, &d);
	ok(hlo_lex_next(&lx) == TK_ERROR && strcmp(d.msg,
	    "t:2:3: unexpected character '`'") == 0, "lexer: bad character "
	    "with line:col (%s)", d.msg);
	hlo_lex_init(&lx, "t", "a /* x", 6, &d);
	hlo_lex_next(&lx);
	ok(hlo_lex_next(&lx) == TK_ERROR && strstr(d.msg, "t:1:3: "
	    "unterminated comment") != NULL, "lexer: unterminated comment");
	/* not NUL-terminated: must not read past len */
	hlo_lex_init(&lx, "t", "abcdef", 3, &d);
	ok(hlo_lex_next(&lx) == TK_NAME && lx.tok.len == 3,
	    "lexer: stops at len");
}

static void
test_tricky(void)
{
	struct spu_diag d;
	struct hlo_module *m = parse(tricky, &d);
	const struct hlo_comp *e;
	const struct hlo_instr *in;
	int64_t *v = NULL;
	uint32_t n = 0;

	ok(m != NULL, "tricky module parses (%s)", d.msg);
	if (m == NULL)
		return;
	ok(m->ncomp == 3 && strcmp(m->name, "jit_f.0") == 0,
	    "three computations, module name");
	e = &m->comp[m->entry];
	ok(strcmp(e->name, "main.9") == 0 && e->is_entry, "ENTRY found");
	ok(hlo_comp_resolve(m, &m->comp[0], &d) == 0 &&
	    hlo_comp_resolve(m, &m->comp[1], &d) == 0 &&
	    hlo_comp_resolve(m, (struct hlo_comp *)e, &d) == 0,
	    "all computations resolve (%s)", d.msg);
	ok(strcmp(e->instr[e->root].name, "r") == 0, "ROOT in the middle");
	ok(m->comp[0].nparams == 2 &&
	    strcmp(m->comp[0].instr[m->comp[0].param[0]].name, "x") == 0,
	    "parameters in any order");
	in = instr(&m->comp[0], "s");
	ok(in != NULL && in->op == HLO_ADD && in->nopnd == 2 &&
	    strcmp(in->opnd_name[0], "x") == 0 &&
	    strcmp(attr(in, "metadata"),
	    "{op_name=\"a \\\"q\\\" b\" source_line=3}") == 0,
	    "inline operand types, metadata with escapes");
	in = instr(&m->comp[1], "p");
	ok(in != NULL && in->shape.tuple && in->shape.nelem == 2 &&
	    in->shape.nleaves == 2, "tuple shape with /*index=*/ comment");
	in = instr(e, "c");
	ok(in != NULL && in->nlit == 1 && in->lit[0].n == 6 &&
	    in->lit[0].f[1] == -25.0 && isinf(in->lit[0].f[2]) &&
	    in->lit[0].f[3] < 0 && isinf(in->lit[0].f[3]) &&
	    isnan(in->lit[0].f[4]) && fabs(in->lit[0].f[5] - 0.03) < 1e-12,
	    "nested constant with inf, -inf, nan, exponents, comments");
	in = instr(e, "r");
	ok(in != NULL && in->nopnd == 2 && in->loc.line == 18 &&
	    strcmp(attr(in, "backend_config"),
	    "\"{\\\"k\\\": [1, {2}]}\"") == 0,
	    "instruction over lines, JSON backend_config");
	in = instr(e, "a");
	ok(in != NULL && strcmp(attr(in, "sharding"), "{devices=[2,1]0,1}") ==
	    0, "tiled layout skipped, sharding kept");
	in = instr(e, "w");
	ok(in != NULL && strcmp(attr(in, "literal"), "s32[] 1") == 0 &&
	    strcmp(attr(in, "body"), "cond") == 0,
	    "value with a space (literal=s32[] 1)");
	in = instr(e, "e");
	ok(in != NULL && in->lit[0].n == 0, "empty constant {}");
	in = instr(e, "b");
	ok(in != NULL && in->lit[0].i[0] == 1 && in->lit[0].i[1] == 0,
	    "true/false");
	in = instr(e, "u");
	ok(in != NULL && (uint64_t)in->lit[0].i[0] == UINT64_MAX,
	    "u64 max literal");
	in = instr(e, "sl");
	{
		int64_t st[2], li[2], sd[2];

		ok(in != NULL && hlo_attr_slice(m, hlo_attr_find(in, "slice"),
		    2, st, li, sd, &d) == 0 && st[0] == 0 && li[0] == 1 &&
		    sd[0] == 1 && st[1] == 1 && li[1] == 3 && sd[1] == 1,
		    "slice={[0:1], [1:3:1]}");
	}
	in = instr(e, "pd");
	{
		int64_t lo[2], hi[2], it[2];

		ok(in != NULL && hlo_attr_padding(m, hlo_attr_find(in,
		    "padding"), 2, lo, hi, it, &d) == 0 && lo[0] == 1 &&
		    hi[0] == 1 && it[0] == 0 && lo[1] == 0 && hi[1] == 1 &&
		    it[1] == 2, "padding=1_1x0_1_2");
		ok(hlo_attr_padding(m, hlo_attr_find(in, "padding"), 3, lo, hi,
		    it, &d) != 0 && strstr(d.msg, "t.hlo:28:") != NULL,
		    "padding rank mismatch reported at the attribute (%s)",
		    d.msg);
	}
	in = instr(e, "cv");
	{
		struct hlo_window w;
		struct hlo_conv_dims cd;

		ok(in != NULL && hlo_attr_window(m, hlo_attr_find(in, "window"),
		    &w, &d) == 0 && w.ndim == 2 && w.size[1] == 3 &&
		    w.stride[1] == 2 && w.pad_lo[0] == 0 && w.pad_hi[0] == 1 &&
		    w.pad_lo[1] == 1 && w.rhs_dilate[0] == 2 &&
		    w.lhs_dilate[1] == 1, "window={size stride pad dilate}");
		ok(in != NULL && hlo_attr_dim_labels(m, hlo_attr_find(in,
		    "dim_labels"), &cd, &d) == 0 && cd.nspatial == 2 &&
		    cd.in_batch == 0 && cd.in_feature == 3 &&
		    cd.in_spatial[1] == 2 && cd.k_in == 2 && cd.k_out == 3 &&
		    cd.k_spatial[0] == 0 && cd.out_feature == 3,
		    "dim_labels=b01f_01io->b01f");
	}
	in = instr(e, "rd");
	ok(in != NULL && hlo_attr_ints(m, hlo_attr_find(in, "dimensions"), &v,
	    &n, &d) == 0 && n == 2 && v[1] == 1, "dimensions={0,1}");
	{
		struct hlo_comp **cs;
		uint32_t nc;

		ok(in != NULL && hlo_attr_comps(m, hlo_attr_find(in,
		    "to_apply"), &cs, &nc, &d) == 0 && nc == 1 &&
		    cs[0] == &m->comp[0], "to_apply=%%add.1");
		in = instr(e, "k");
		ok(in != NULL && hlo_attr_comps(m, hlo_attr_find(in,
		    "branch_computations"), &cs, &nc, &d) == 0 && nc == 2 &&
		    cs[1] == &m->comp[1], "branch_computations={...}");
	}
	hlo_module_free(m);
}

struct errcase {
	const char *src, *msg;
};

static void
test_errors(void)
{
	static const struct errcase cases[] = {
		{ "HloModule m\nENTRY e {\n  ROOT x = f32[2 parameter(0)\n}",
		    "t.hlo:3:18: expected ',', found 'parameter'" },
		{ "ENTRY e {\n  ROOT x = f32[] constant(1)\n",
		    "t.hlo:3:1: expected an instruction or '}', found end of "
		    "file" },
		{ "ENTRY e {\n  ROOT x = foo[] constant(1)\n}",
		    "t.hlo:2:12: expected a shape (element type), found 'foo'" },
		{ "ENTRY e {\n  ROOT x = f32[2] constant({1, 2, 3})\n}",
		    "t.hlo:2:28: constant has more elements than its shape "
		    "holds (2)" },
		{ "ENTRY e {\n  ROOT x = f32[] constant(1), foo\n}",
		    "t.hlo:3:1: expected '=' after attribute name, found '}'" },
		{ "ENTRY e {\n  ROOT x = f32[] constant(1), a={(\n}",
		    "t.hlo:2:33: unterminated attribute value" },
		{ "ENTRY e {\n  ROOT x = f32[] parameter(99999999999)\n}",
		    "t.hlo:2:28: a parameter number too large" },
		{ "ENTRY e {\n  ROOT x = f32[99999999999] parameter(0)\n}",
		    "t.hlo:2:16: a dimension size too large" },
		{ "a {\n  ROOT x = f32[] parameter(0)\n}\na {\n  ROOT y = "
		    "f32[] parameter(0)\n}",
		    "t.hlo:4:1: duplicate computation name 'a'" },
	};
	struct spu_diag d;

	/* fuzz regression: an unterminated comment right after a value
	 * used to make the value continuation loop forever */
	{
		static const char s[] = "ENTRY e {\n  ROOT x = f32[] "
		    "constant(1), a=b /*c\n}";
		struct hlo_module *m = parse(s, &d);

		ok(m != NULL && strcmp(attr(&m->comp[0].instr[0], "a"),
		    "b /*c") == 0, "value, then an unterminated comment on "
		    "its line, ends at the line's end");
		hlo_module_free(m);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hlo_module *m = parse(cases[i].src, &d);

		ok(m == NULL && strncmp(d.msg, cases[i].msg,
		    strlen(cases[i].msg)) == 0, "error %zu: %s (got: %s)", i,
		    cases[i].msg, d.msg);
		hlo_module_free(m);
	}
}

/* Parse, then (if it parsed) infer and lower: must never crash, and a
 * failure must come with a message. */
static int
survive(const char *buf, size_t len)
{
	struct compile_opts o;
	struct hlo_module *m = NULL;
	struct spu_program *p = NULL;
	struct spu_diag d;
	int err;

	memset(&o, 0, sizeof(o));
	o.inline_limit = 8;
	d.msg[0] = '\0';
	err = hlo_parse("f", buf, len, &m, &d);
	if (err == 0) {
		err = lower_module(m, &o, &p, &d);
		if (err == 0) {
			err = pass_fold(p, &d);
			if (err == 0)
				err = pass_cse(p, &d);
			if (err == 0)
				err = pass_dce(p, &d);
			if (err == 0 && spu_bc_verify(p, &d) != 0)
				err = 1;	/* would be an internal error */
		}
	}
	spu_program_free(p);
	hlo_module_free(m);
	return err == 0 || (err < 0 && d.msg[0] != '\0');
}

static void
test_robust(void)
{
	static const unsigned char seed[randombytes_SEEDBYTES] = { 42 };
	size_t len = strlen(tricky), bad = 0, i;
	unsigned char rnd[4 * 4096];
	char *buf = malloc(len);

	if (buf == NULL)
		return;
	for (i = 0; i <= len; i++) {
		memcpy(buf, tricky, i);	/* unterminated prefixes */
		bad += !survive(buf, i);
	}
	ok(bad == 0, "every prefix parses or fails cleanly (%zu bad)", bad);
	randombytes_buf_deterministic(rnd, sizeof(rnd), seed);
	bad = 0;
	for (i = 0; i < 4096; i++) {
		static const char chars[] = "(){}[],=:%\"/*-.0a\n ";
		unsigned r = rnd[4 * i] | (unsigned)rnd[4 * i + 1] << 8;

		memcpy(buf, tricky, len);
		buf[r % len] = (rnd[4 * i + 2] & 1) ?
		    chars[rnd[4 * i + 3] % (sizeof(chars) - 1)] :
		    (char)rnd[4 * i + 3];
		bad += !survive(buf, len);
	}
	ok(bad == 0, "4096 one-byte mutations parse or fail cleanly "
	    "(%zu bad)", bad);
	free(buf);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 99;
	test_lexer();
	test_tricky();
	test_errors();
	test_robust();
	return done_testing();
}
