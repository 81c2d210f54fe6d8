/*
 * parser.c - HLO text to HLO IR, by recursive descent without longjmp.
 *
 *   module  := ['HloModule' name [':'] {',' attr}] {comp} EOF
 *   comp    := ['ENTRY'] name [sig] '{' {instr} '}' {',' attr}
 *   sig     := '(' ... ')' '->' shape
 *   instr   := ['ROOT'] name '=' shape opcode '(' operands ')' {',' attr}
 *   operand := [shape] name | INT (parameter) | literal (constant)
 *   shape   := '(' [shape {',' shape}] ')' | dtype '[' dims ']' [layout]
 *   attr    := name '=' raw-value
 *
 * Every function returns 0 or a negative spu_err with the message in the
 * parser's diag; nesting is bounded by HLO_MAX_DEPTH.  Shapes and
 * literals are in parse_value.c, the shared helpers in parser_int.h.  Semantic checks
 * (operand names, parameter numbers) are in ir.c; attribute values are
 * read by attr.c when lowering needs them.
 */
#include "config.h"

#include <string.h>

#include "parser_int.h"

static int
take_name(struct parser *ps, const char **out, struct hlo_loc *loc)
{
	if (TOK.kind != TK_NAME)
		return perr(ps, "expected a name");
	if (loc != NULL)
		*loc = here(ps);
	if ((*out = hlo_strndup(ps->m, TOK.p, TOK.len)) == NULL)
		return nomem(ps);
	return next(ps);
}

/* One attribute after its name: '=' raw-value [continuation]. */
static int
parse_attr_tail(struct parser *ps, struct hlo_attr *a)
{
	struct hlo_token val, more;
	const char *end, *q;
	uint32_t endline;

	if (TOK.kind != TK_EQ)
		return perr(ps, "expected '=' after attribute name");
	if (hlo_lex_raw(&ps->lx, &val) < 0)
		return SPU_EFORMAT;
	end = val.p + val.len;
	/* A value with a space in it (literal=s32[] 1, replica_groups=
	 * mesh[...] {...}): on the same line, anything that cannot start
	 * the next attribute, instruction or '}' continues the value. */
	for (;;) {
		endline = val.line;
		for (q = val.p; q < end; q++)
			endline += *q == '\n';
		if (TOK.line != endline || TOK.kind == TK_COMMA ||
		    TOK.kind == TK_RBRACE || TOK.kind == TK_EOF ||
		    (TOK.kind == TK_NAME && (is_name(ps, "ROOT") ||
		    peek_kind(ps) == TK_EQ)))
			break;
		if (TOK.p < end)
			break;			/* no progress: give up */
		if (TOK.kind == TK_ERROR)
			ps->lx.tok.kind = TK_NAME;	/* re-read it raw */
		hlo_lex_rewind(&ps->lx);
		if (hlo_lex_raw(&ps->lx, &more) < 0)
			return SPU_EFORMAT;
		end = more.p + more.len;
	}
	if (TOK.kind == TK_ERROR)
		return SPU_EFORMAT;
	a->loc.line = val.line;
	a->loc.col = val.col;
	if ((a->val = hlo_strndup(ps->m, val.p, (size_t)(end - val.p))) ==
	    NULL)
		return nomem(ps);
	return 0;
}

/* {',' name '=' value}; the attributes go to *out / *n if out != NULL. */
static int
parse_attrs(struct parser *ps, struct hlo_attr **out, uint32_t *n)
{
	struct vec v = { NULL, 0, 0, sizeof(struct hlo_attr) };
	struct hlo_attr *a;
	int err;

	while (TOK.kind == TK_COMMA) {
		if ((err = next(ps)) != 0)
			goto fail;
		if ((a = vec_push(&v)) == NULL) {
			err = nomem(ps);
			goto fail;
		}
		if ((err = take_name(ps, &a->name, NULL)) != 0 ||
		    (err = parse_attr_tail(ps, a)) != 0)
			goto fail;
	}
	if (out != NULL) {
		*n = (uint32_t)v.n;
		*out = vec_finish(ps, &v);
		if (*n > 0 && *out == NULL)
			return nomem(ps);
	} else
		free(v.p);
	return 0;
fail:
	free(v.p);
	return err;
}

/* After '(': skip to the matching ')' and past it. */
static int
skip_balanced(struct parser *ps)
{
	int depth = 1, err;

	while (depth > 0) {
		if (TOK.kind == TK_EOF)
			return perr(ps, "expected ')'");
		if (TOK.kind == TK_LPAREN)
			depth++;
		else if (TOK.kind == TK_RPAREN)
			depth--;
		if ((err = next(ps)) != 0)
			return err;
	}
	return 0;
}

static int
parse_operands(struct parser *ps, struct hlo_instr *in)
{
	struct vec names = { NULL, 0, 0, sizeof(const char *) };
	struct vec locs = { NULL, 0, 0, sizeof(struct hlo_loc) };
	struct hlo_shape dummy;
	const char **np;
	struct hlo_loc *lp;
	int err = 0;

	if ((err = expect(ps, TK_LPAREN)) != 0)
		return err;
	if (in->op == HLO_PARAMETER) {
		if ((err = take_uint(ps, HLO_MAX_OPERANDS, &in->param_no,
		    "a parameter number")) != 0)
			return err;
		return expect(ps, TK_RPAREN);
	}
	if (in->op == HLO_CONSTANT && !hlo_ps_numeric(&in->shape))
		return skip_balanced(ps);	/* c64 etc.: refused later */
	if (in->op == HLO_CONSTANT) {
		in->nlit = in->shape.nleaves;
		if ((in->lit = hlo_alloc(ps->m, in->nlit ? in->nlit : 1,
		    sizeof(*in->lit))) == NULL)
			return nomem(ps);
		if ((err = hlo_ps_literal(ps, &in->shape, in->lit)) != 0)
			return err;
		return expect(ps, TK_RPAREN);
	}
	while (TOK.kind != TK_RPAREN) {
		if (names.n > 0 && TOK.kind != TK_COMMA) {
			err = perr(ps, "expected ',' or ')' after an operand");
			goto fail;
		}
		if (names.n > 0 && (err = next(ps)) != 0)
			goto fail;
		if (names.n >= HLO_MAX_OPERANDS) {
			err = perr(ps, "too many operands");
			goto fail;
		}
		/* An inline operand shape: "f32[2]{0} %x" or "(f32[]) %t". */
		if (TOK.kind == TK_LPAREN || (TOK.kind == TK_NAME &&
		    peek_kind(ps) == TK_LBRACK)) {
			if ((err = hlo_ps_shape(ps, &dummy)) != 0)
				goto fail;
		}
		if ((np = vec_push(&names)) == NULL ||
		    (lp = vec_push(&locs)) == NULL) {
			err = nomem(ps);
			goto fail;
		}
		if ((err = take_name(ps, np, lp)) != 0)
			goto fail;
	}
	in->nopnd = (uint32_t)names.n;
	in->opnd_name = vec_finish(ps, &names);
	in->opnd_loc = vec_finish(ps, &locs);
	in->opnd = hlo_alloc(ps->m, in->nopnd ? in->nopnd : 1,
	    sizeof(uint32_t));
	if (in->opnd == NULL || (in->nopnd > 0 && (in->opnd_name == NULL ||
	    in->opnd_loc == NULL)))
		return nomem(ps);
	return next(ps);
fail:
	free(names.p);
	free(locs.p);
	return err;
}

static int
parse_instr(struct parser *ps, struct hlo_instr *in)
{
	int err;

	if (is_name(ps, "ROOT") && peek_kind(ps) == TK_NAME) {
		in->is_root = 1;
		if ((err = next(ps)) != 0)
			return err;
	}
	if ((err = take_name(ps, &in->name, &in->loc)) != 0)
		return err;
	if ((err = expect(ps, TK_EQ)) != 0 ||
	    (err = hlo_ps_shape(ps, &in->shape)) != 0)
		return err;
	if ((err = take_name(ps, &in->opname, &in->oploc)) != 0)
		return err;
	in->op = hlo_op_lookup(in->opname);
	if (TOK.kind != TK_LPAREN)
		return perr(ps, "expected '(' after opcode");
	if ((err = parse_operands(ps, in)) != 0)
		return err;
	return parse_attrs(ps, &in->attr, &in->nattr);
}

/* Skip a computation signature "(a: f32[], b: (s32[])) -> f32[]". */
static int
skip_signature(struct parser *ps)
{
	struct hlo_shape dummy;
	int depth = 0, err;

	do {
		if (TOK.kind == TK_EOF)
			return perr(ps, "unterminated computation signature");
		if (TOK.kind == TK_LPAREN)
			depth++;
		else if (TOK.kind == TK_RPAREN)
			depth--;
		if ((err = next(ps)) != 0)
			return err;
	} while (depth > 0);
	if ((err = expect(ps, TK_ARROW)) != 0)
		return err;
	return hlo_ps_shape(ps, &dummy);
}

static int
parse_comp(struct parser *ps, struct hlo_comp *c)
{
	struct vec v = { NULL, 0, 0, sizeof(struct hlo_instr) };
	struct hlo_instr *in;
	int err;

	if (is_name(ps, "ENTRY") && peek_kind(ps) == TK_NAME) {
		c->is_entry = 1;
		if ((err = next(ps)) != 0)
			return err;
	}
	if ((err = take_name(ps, &c->name, &c->loc)) != 0)
		return err;
	if (TOK.kind == TK_LPAREN && (err = skip_signature(ps)) != 0)
		return err;
	if ((err = expect(ps, TK_LBRACE)) != 0)
		return err;
	while (TOK.kind != TK_RBRACE) {
		if (TOK.kind != TK_NAME) {
			err = perr(ps, "expected an instruction or '}'");
			goto fail;
		}
		if (v.n >= HLO_MAX_INSTRS) {
			err = perr(ps, "too many instructions");
			goto fail;
		}
		if ((in = vec_push(&v)) == NULL) {
			err = nomem(ps);
			goto fail;
		}
		if ((err = parse_instr(ps, in)) != 0)
			goto fail;
	}
	c->ninstr = (uint32_t)v.n;
	c->instr = vec_finish(ps, &v);
	if (c->ninstr == 0)
		return perr(ps, "computation %s has no instructions", c->name);
	if (c->instr == NULL)
		return nomem(ps);
	if ((err = next(ps)) != 0)
		return err;
	return parse_attrs(ps, NULL, NULL);	/* execution_thread=... */
fail:
	free(v.p);
	return err;
}

static int
parse_module(struct parser *ps)
{
	struct vec v = { NULL, 0, 0, sizeof(struct hlo_comp) };
	struct hlo_comp *c;
	struct hlo_module *m = ps->m;
	int err, nentry = 0;
	uint32_t i;

	if ((err = next(ps)) != 0)
		return err;
	if (is_name(ps, "HloModule")) {
		if ((err = next(ps)) != 0 ||
		    (err = take_name(ps, &m->name, NULL)) != 0)
			return err;
		if (TOK.kind == TK_COLON && (err = next(ps)) != 0)
			return err;
		if ((err = parse_attrs(ps, NULL, NULL)) != 0)
			return err;
	}
	while (TOK.kind != TK_EOF) {
		if ((c = vec_push(&v)) == NULL) {
			err = nomem(ps);
			goto fail;
		}
		if ((err = parse_comp(ps, c)) != 0)
			goto fail;
	}
	if (v.n == 0) {
		err = perr(ps, "expected a computation");
		goto fail;
	}
	m->ncomp = (uint32_t)v.n;
	if ((m->comp = vec_finish(ps, &v)) == NULL)
		return nomem(ps);
	m->entry = (int)m->ncomp - 1;	/* XLA: no ENTRY = the last one */
	for (i = 0; i < m->ncomp; i++) {
		if (m->comp[i].is_entry) {
			if (nentry++ > 0)
				return hlo_fail(ps->d, SPU_EFORMAT, m->file,
				    m->comp[i].loc, "second ENTRY computation "
				    "'%s'", m->comp[i].name);
			m->entry = (int)i;
		}
	}
	if ((err = hlo_module_index(m, ps->d)) != 0)
		return err;
	if (m->name == NULL)
		m->name = m->comp[m->entry].name;
	return 0;
fail:
	free(v.p);
	return err;
}

int
hlo_parse(const char *file, const char *buf, size_t len,
    struct hlo_module **out, struct spu_diag *d)
{
	struct parser ps;
	struct hlo_module *m;
	int err;

	*out = NULL;
	if ((m = spu_calloc(1, sizeof(*m))) == NULL)
		return spu_fail(d, SPU_ENOMEM, "%s: out of memory", file);
	memset(&ps, 0, sizeof(ps));
	ps.m = m;
	ps.d = d;
	if ((m->file = hlo_strndup(m, file, strlen(file))) == NULL) {
		hlo_module_free(m);
		return spu_fail(d, SPU_ENOMEM, "%s: out of memory", file);
	}
	hlo_lex_init(&ps.lx, m->file, buf, len, d);
	if ((err = parse_module(&ps)) != 0) {
		hlo_module_free(m);
		return err;
	}
	*out = m;
	return 0;
}
