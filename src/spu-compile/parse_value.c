/*
 * parse_value.c - the value grammar of HLO text: shapes (element types,
 * dimensions, layouts, tuples) and constant literals (nested arrays,
 * inf/nan, exponents, empty and elided constants), for parser.c.
 */
#include "config.h"

#include <math.h>

#include "parser_int.h"

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

int
hlo_ps_shape(struct parser *ps, struct hlo_shape *s)
{
	struct vec v = { NULL, 0, 0, sizeof(struct hlo_shape) };
	struct hlo_shape *e;
	int err = 0, t;
	int64_t dim = 0;

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
			if ((err = hlo_ps_shape(ps, e)) != 0)
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

		if ((err = hlo_ps_shape(ps, &dummy)) != 0)
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
int
hlo_ps_literal(struct parser *ps, const struct hlo_shape *s,
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
		if ((err = hlo_ps_literal(ps, &s->elem[k], lits + off)) != 0)
			return err;
		off += s->elem[k].nleaves;
	}
	ps->depth--;
	return expect(ps, TK_RPAREN);
}

int
hlo_ps_numeric(const struct hlo_shape *s)
{
	for (uint32_t i = 0; i < s->nleaves; i++) {
		const struct hlo_shape *l = hlo_shape_leaf(s, i);

		if (l == NULL || l->dtype < 0 || l->overrank || l->dynamic)
			return 0;
	}
	return 1;
}
