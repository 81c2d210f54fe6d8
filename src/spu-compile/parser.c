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
 * parser's diag; nesting is bounded by HLO_MAX_DEPTH.  Semantic checks
 * (operand names, parameter numbers) are in ir.c; attribute values are
 * read by attr.c when lowering needs them.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"
#include "mem.h"
#include "parser.h"

struct parser {
	struct hlo_lexer lx;
	struct hlo_module *m;
	struct spu_diag *d;
	int depth;
};

/* A growable array of fixed-size elements (malloc'ed, freed by caller). */
struct vec {
	void *p;
	size_t n, cap, size;
};

static void *
vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		void *np = spu_realloc(v->p, cap, v->size);

		if (np == NULL)
			return NULL;
		v->p = np;
		v->cap = cap;
	}
	memset((char *)v->p + v->n * v->size, 0, v->size);
	return (char *)v->p + v->n++ * v->size;
}

/* Move the vector's contents into the arena. */
static void *
vec_finish(struct parser *ps, struct vec *v)
{
	void *a = NULL;

	if (v->n > 0 && (a = hlo_alloc(ps->m, v->n, v->size)) != NULL)
		memcpy(a, v->p, v->n * v->size);
	free(v->p);
	v->p = NULL;
	return a;
}

#define TOK (ps->lx.tok)

static int
perr(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An error at the current token: "FILE:L:C: <msg>, found 'tok'". */
static int
perr(struct parser *ps, const char *fmt, ...)
{
	char msg[256], tok[96];
	va_list ap;

	if (TOK.kind == TK_ERROR)
		return SPU_EFORMAT;	/* the lexer's message stands */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hlo_tok_describe(&TOK, tok, sizeof(tok));
	return spu_fail(ps->d, SPU_EFORMAT, "%s:%u:%u: %s, found %s",
	    ps->lx.file, TOK.line, TOK.col, msg, tok);
}

static int
nomem(struct parser *ps)
{
	return spu_fail(ps->d, SPU_ENOMEM, "%s: out of memory", ps->lx.file);
}

static struct hlo_loc
here(const struct parser *ps)
{
	struct hlo_loc l = { ps->lx.tok.line, ps->lx.tok.col };

	return l;
}

static int
next(struct parser *ps)
{
	return hlo_lex_next(&ps->lx) == TK_ERROR ? SPU_EFORMAT : 0;
}

static int
is_name(const struct parser *ps, const char *s)
{
	return TOK.kind == TK_NAME && TOK.len == strlen(s) &&
	    memcmp(TOK.p, s, TOK.len) == 0;
}

static int
expect(struct parser *ps, enum hlo_tok k)
{
	if (TOK.kind != k)
		return perr(ps, "expected %s", hlo_tok_kind_name(k));
	return next(ps);
}

/* Kind of the token after the current one. */
static enum hlo_tok
peek_kind(struct parser *ps)
{
	struct hlo_lexer save = ps->lx;
	struct spu_diag dsave;
	enum hlo_tok k;

	if (ps->d != NULL)
		dsave = *ps->d;
	k = hlo_lex_next(&ps->lx);
	ps->lx = save;
	if (ps->d != NULL)
		*ps->d = dsave;
	return k;
}

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

/* Parse an INT token into a non-negative int64 no larger than max. */
static int
take_uint(struct parser *ps, int64_t max, int64_t *v, const char *what)
{
	char buf[32];
	unsigned long long u;
	char *end;

	if (TOK.kind != TK_INT || TOK.p[0] == '-')
		return perr(ps, "expected %s", what);
	if (TOK.len >= sizeof(buf))
		return perr(ps, "%s too large", what);
	memcpy(buf, TOK.p, TOK.len);
	buf[TOK.len] = '\0';
	errno = 0;
	u = strtoull(buf, &end, 10);
	if (errno != 0 || *end != '\0' || u > (unsigned long long)max)
		return perr(ps, "%s too large", what);
	*v = (int64_t)u;
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

static int
dtype_of(const char *p, size_t len)
{
	int t = spu_dtype_parse(p, len);

	if (t >= 0)
		return t;
	if (len == 5 && memcmp(p, "token", 5) == 0)
		return HLO_DT_TOKEN;
	if (len >= 2 && strchr("fcsu", p[0]) != NULL && p[1] >= '0' &&
	    p[1] <= '9')
		return HLO_DT_OTHER;	/* c64, f8e4m3fn, s4, u2, ... */
	if (len == 6 && memcmp(p, "opaque", 6) == 0)
		return HLO_DT_OTHER;
	return -1;
}

/* Skip a layout such as {1,0:T(8,128)(2,1)} if one follows a shape. */
static int
skip_layout(struct parser *ps)
{
	struct hlo_token raw;
	enum hlo_tok k;

	if (TOK.kind != TK_LBRACE)
		return 0;
	k = peek_kind(ps);
	if (k != TK_INT && k != TK_COLON && k != TK_RBRACE)
		return 0;	/* the '{' of a computation body */
	hlo_lex_rewind(&ps->lx);
	return hlo_lex_raw(&ps->lx, &raw) < 0 ? SPU_EFORMAT : 0;
}

static int
parse_shape(struct parser *ps, struct hlo_shape *s)
{
	struct vec v = { NULL, 0, 0, sizeof(struct hlo_shape) };
	struct hlo_shape *e;
	int err = 0, t;
	int64_t dim;

	memset(s, 0, sizeof(*s));
	if (TOK.kind == TK_LPAREN) {
		if (++ps->depth > HLO_MAX_DEPTH) {
			err = spu_fail(ps->d, SPU_ELIMIT,
			    "%s:%u:%u: tuple nested too deeply", ps->lx.file,
			    TOK.line, TOK.col);
			goto out;
		}
		s->tuple = 1;
		s->dtname = "tuple";
		if ((err = next(ps)) != 0)
			goto out;
		while (TOK.kind != TK_RPAREN) {
			if (v.n > 0 && (err = expect(ps, TK_COMMA)) != 0)
				goto out;
			if ((e = vec_push(&v)) == NULL) {
				err = nomem(ps);
				goto out;
			}
			if ((err = parse_shape(ps, e)) != 0)
				goto out;
			if (s->nleaves + e->nleaves < s->nleaves) {
				err = perr(ps, "tuple too large");
				goto out;
			}
			s->nleaves += e->nleaves;
		}
		s->nelem = (uint32_t)v.n;
		s->elem = vec_finish(ps, &v);
		if (s->nelem > 0 && s->elem == NULL)
			err = nomem(ps);
		else
			err = next(ps);
		ps->depth--;
		return err;
	}
	if (TOK.kind != TK_NAME || (t = dtype_of(TOK.p, TOK.len)) == -1)
		return perr(ps, "expected a shape (element type)");
	s->dtype = t;
	s->nleaves = 1;
	if ((s->dtname = hlo_strndup(ps->m, TOK.p, TOK.len)) == NULL)
		return nomem(ps);
	if ((err = next(ps)) != 0 || (err = expect(ps, TK_LBRACK)) != 0)
		return err;
	while (TOK.kind != TK_RBRACK) {
		if (s->ndim > 0 && (err = expect(ps, TK_COMMA)) != 0)
			return err;
		if (s->ndim + s->overrank >= SPU_MAX_DIMS) {
			/* kept for the message; refused when lowered */
			s->overrank++;
			if (s->ndim + s->overrank > 64)
				return perr(ps, "too many dimensions");
			if ((err = next(ps)) != 0)
				return err;
			continue;
		}
		if (TOK.kind == TK_QUESTION) {
			s->dynamic = 1;
			dim = 0;
			if ((err = next(ps)) != 0)
				return err;
		} else {
			if (TOK.kind == TK_LE) {
				s->dynamic = 1;
				if ((err = next(ps)) != 0)
					return err;
			}
			if ((err = take_uint(ps, SPU_MAX_ELEMS, &dim,
			    "a dimension size")) != 0)
				return err;
		}
		s->dim[s->ndim++] = dim;
	}
	if ((err = next(ps)) != 0)
		return err;
	return skip_layout(ps);
out:
	free(v.p);
	return err;
}

/* One literal number for a leaf of dtype t, appended to l. */
static int
parse_number(struct parser *ps, int t, double *f, int64_t *i)
{
	char buf[64];
	char *end;
	int neg, isfloat = t >= 0 && spu_dtype_is_float(t);

	if (TOK.kind == TK_NAME) {
		if (is_name(ps, "true") || is_name(ps, "false")) {
			*i = is_name(ps, "true");
			*f = (double)*i;
			return next(ps);
		}
		if (!isfloat)
			return perr(ps, "expected an integer literal");
		neg = TOK.p[0] == '-';
		if (TOK.len == (size_t)(3 + neg) &&
		    memcmp(TOK.p + neg, "inf", 3) == 0)
			*f = neg ? -INFINITY : INFINITY;
		else if (TOK.len == (size_t)(3 + neg) &&
		    memcmp(TOK.p + neg, "nan", 3) == 0)
			*f = NAN;
		else
			return perr(ps, "expected a number");
		return next(ps);
	}
	if (TOK.kind != TK_INT && TOK.kind != TK_FLOAT)
		return perr(ps, "expected a number");
	if (TOK.len >= sizeof(buf))
		return perr(ps, "number too long");
	memcpy(buf, TOK.p, TOK.len);
	buf[TOK.len] = '\0';
	errno = 0;
	if (isfloat || TOK.kind == TK_FLOAT) {
		if (!isfloat)
			return perr(ps, "expected an integer literal");
		*f = strtod(buf, &end);
		*i = 0;
	} else if (buf[0] == '-') {
		*i = strtoll(buf, &end, 10);
		*f = (double)*i;
	} else {
		*i = (int64_t)strtoull(buf, &end, 10);
		*f = (double)(uint64_t)*i;
	}
	if (*end != '\0' || (errno == ERANGE && !isfloat))
		return perr(ps, "number out of range");
	return next(ps);
}

/* The literal of one array-shaped leaf: a scalar or nested braces. */
static int
parse_array_lit(struct parser *ps, const struct hlo_shape *s,
    struct hlo_lit *l)
{
	struct vec fv = { NULL, 0, 0, sizeof(double) };
	struct vec iv = { NULL, 0, 0, sizeof(int64_t) };
	int64_t numel = hlo_shape_numel(s), i = 0, *ip;
	struct hlo_loc start = here(ps);
	int depth = 0, err = 0;
	double f = 0, *fp;
	int isf = s->dtype >= 0 && spu_dtype_is_float(s->dtype);

	if (numel < 0)
		return perr(ps, "constant too large");
	/* An optional shape prefix (old syntax: constant(f32[2] {1, 2})). */
	if (TOK.kind == TK_NAME && dtype_of(TOK.p, TOK.len) != -1 &&
	    peek_kind(ps) == TK_LBRACK) {
		struct hlo_shape dummy;

		if ((err = parse_shape(ps, &dummy)) != 0)
			return err;
	}
	for (;;) {
		if (TOK.kind == TK_LBRACE) {
			if (++depth > HLO_MAX_DEPTH) {
				err = perr(ps, "literal nested too deeply");
				goto fail;
			}
		} else if (TOK.kind == TK_RBRACE && depth > 0) {
			depth--;
		} else if (TOK.kind == TK_ELLIPSIS) {
			err = spu_fail(ps->d, SPU_EFORMAT, "%s:%u:%u: elided "
			    "constant {...} cannot be compiled (print the HLO "
			    "with full constants)", ps->lx.file, start.line,
			    start.col);
			goto fail;
		} else {
			if ((int64_t)(fv.n + iv.n) >= numel) {
				err = spu_fail(ps->d, SPU_EFORMAT, "%s:%u:%u: "
				    "constant has more elements than its "
				    "shape holds (%lld)", ps->lx.file,
				    start.line, start.col, (long long)numel);
				goto fail;
			}
			if ((err = parse_number(ps, s->dtype, &f, &i)) != 0)
				goto fail;
			if (isf ? (fp = vec_push(&fv)) == NULL :
			    (ip = vec_push(&iv)) == NULL) {
				err = nomem(ps);
				goto fail;
			}
			if (isf)
				*fp = f;
			else
				*ip = i;
			if (depth == 0)
				break;
			if (TOK.kind == TK_COMMA && (err = next(ps)) != 0)
				goto fail;
			continue;
		}
		if ((err = next(ps)) != 0)
			goto fail;
		if (depth == 0)
			break;
		if (TOK.kind == TK_COMMA && (err = next(ps)) != 0)
			goto fail;
	}
	l->n = (uint32_t)(fv.n + iv.n);
	if ((int64_t)l->n != numel) {
		err = spu_fail(ps->d, SPU_EFORMAT, "%s:%u:%u: constant has "
		    "%u elements, its shape needs %lld", ps->lx.file,
		    start.line, start.col, l->n, (long long)numel);
		goto fail;
	}
	if (isf)
		l->f = vec_finish(ps, &fv);
	else
		l->i = vec_finish(ps, &iv);
	if (l->n > 0 && l->f == NULL && l->i == NULL) {
		err = nomem(ps);
		goto fail;
	}
	free(fv.p);
	free(iv.p);
	return 0;
fail:
	free(fv.p);
	free(iv.p);
	return err;
}

/* A literal of shape s; tuples as ( lit, lit ). Fills lits[0..nleaves). */
static int
parse_literal(struct parser *ps, const struct hlo_shape *s,
    struct hlo_lit *lits)
{
	uint32_t k, off = 0;
	int err;

	if (!s->tuple)
		return parse_array_lit(ps, s, lits);
	if (++ps->depth > HLO_MAX_DEPTH)
		return perr(ps, "literal nested too deeply");
	if ((err = expect(ps, TK_LPAREN)) != 0)
		return err;
	for (k = 0; k < s->nelem; k++) {
		if (k > 0 && (err = expect(ps, TK_COMMA)) != 0)
			return err;
		if ((err = parse_literal(ps, &s->elem[k], lits + off)) != 0)
			return err;
		off += s->elem[k].nleaves;
	}
	ps->depth--;
	return expect(ps, TK_RPAREN);
}

static int
numeric_shape(const struct hlo_shape *s)
{
	for (uint32_t i = 0; i < s->nleaves; i++) {
		const struct hlo_shape *l = hlo_shape_leaf(s, i);

		if (l == NULL || l->dtype < 0 || l->overrank || l->dynamic)
			return 0;
	}
	return 1;
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
	if (in->op == HLO_CONSTANT && !numeric_shape(&in->shape))
		return skip_balanced(ps);	/* c64 etc.: refused later */
	if (in->op == HLO_CONSTANT) {
		in->nlit = in->shape.nleaves;
		if ((in->lit = hlo_alloc(ps->m, in->nlit ? in->nlit : 1,
		    sizeof(*in->lit))) == NULL)
			return nomem(ps);
		if ((err = parse_literal(ps, &in->shape, in->lit)) != 0)
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
			if ((err = parse_shape(ps, &dummy)) != 0)
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
	    (err = parse_shape(ps, &in->shape)) != 0)
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
	return parse_shape(ps, &dummy);
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
