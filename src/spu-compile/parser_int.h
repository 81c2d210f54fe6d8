/*
 * parser_int.h - what the two halves of the HLO parser share: the parser
 * state, a growable array, and the token-level helpers (the current
 * token, errors at it, one-token lookahead).  parser.c parses modules,
 * computations, instructions and attributes; parse_value.c shapes and
 * literals.  Not for use outside src/spu-compile/parse*.c.
 */
#ifndef SPU_COMPILE_PARSER_INT_H
#define SPU_COMPILE_PARSER_INT_H

#include <errno.h>
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

static inline void *
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
static inline void *
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

static inline int
perr(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An error at the current token: "FILE:L:C: <msg>, found 'tok'". */
static inline int
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

static inline int
nomem(struct parser *ps)
{
	return spu_fail(ps->d, SPU_ENOMEM, "%s: out of memory", ps->lx.file);
}

static inline struct hlo_loc
here(const struct parser *ps)
{
	struct hlo_loc l = { ps->lx.tok.line, ps->lx.tok.col };

	return l;
}

static inline int
next(struct parser *ps)
{
	return hlo_lex_next(&ps->lx) == TK_ERROR ? SPU_EFORMAT : 0;
}

static inline int
is_name(const struct parser *ps, const char *s)
{
	return TOK.kind == TK_NAME && TOK.len == strlen(s) &&
	    memcmp(TOK.p, s, TOK.len) == 0;
}

static inline int
expect(struct parser *ps, enum hlo_tok k)
{
	if (TOK.kind != k)
		return perr(ps, "expected %s", hlo_tok_kind_name(k));
	return next(ps);
}

/* Kind of the token after the current one. */
static inline enum hlo_tok
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

/* Parse an INT token into a non-negative int64 no larger than max. */
static inline int
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

/* parse_value.c */
int hlo_ps_shape(struct parser *ps, struct hlo_shape *s);
int hlo_ps_literal(struct parser *ps, const struct hlo_shape *s,
    struct hlo_lit *lits);
int hlo_ps_numeric(const struct hlo_shape *s);

#endif
