/*
 * lexer.c - tokenizer for HLO text (see lexer.h).  Byte oriented: any
 * byte outside the HLO alphabet (outside strings and comments) is a
 * lexical error, reported with its line and column.  Never reads past
 * buf[len-1]; the buffer need not be NUL-terminated.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lexer.h"

void
hlo_lex_init(struct hlo_lexer *lx, const char *file, const char *buf,
    size_t len, struct spu_diag *d)
{
	memset(lx, 0, sizeof(*lx));
	lx->file = file;
	lx->buf = buf;
	lx->len = len;
	lx->line = 1;
	lx->col = 1;
	lx->diag = d;
	lx->tok.kind = TK_EOF;
}

static int
peekc(const struct hlo_lexer *lx, size_t off)
{
	return lx->pos + off < lx->len ? (unsigned char)lx->buf[lx->pos + off]
	    : -1;
}

static void
adv(struct hlo_lexer *lx, size_t n)
{
	while (n-- > 0 && lx->pos < lx->len) {
		if (lx->buf[lx->pos] == '\n') {
			lx->line++;
			lx->col = 1;
		} else
			lx->col++;
		lx->pos++;
	}
}

static int
name_char(int c)
{
	return c >= 0 && (isalnum(c) || c == '_' || c == '.' || c == '-' ||
	    c == '$');
}

static enum hlo_tok
lex_error(struct hlo_lexer *lx, uint32_t line, uint32_t col, const char *what)
{
	if (lx->tok.line != line || lx->tok.col != col)
		lx->tok.p = lx->buf + lx->pos;	/* where the error is */
	lx->tok.len = 0;
	lx->tok.kind = TK_ERROR;
	lx->tok.line = line;
	lx->tok.col = col;
	spu_fail(lx->diag, SPU_EFORMAT, "%s:%u:%u: %s", lx->file, line, col,
	    what);
	return TK_ERROR;
}

/* Skip whitespace and comments; -1 on an unterminated comment. */
static int
skip_space(struct hlo_lexer *lx)
{
	int c;

	for (;;) {
		c = peekc(lx, 0);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v')
			adv(lx, 1);
		else if (c == '/' && peekc(lx, 1) == '/') {
			while ((c = peekc(lx, 0)) != -1 && c != '\n')
				adv(lx, 1);
		} else if (c == '/' && peekc(lx, 1) == '*') {
			uint32_t line = lx->line, col = lx->col;

			lx->tok.p = lx->buf + lx->pos;	/* for the error */
			lx->tok.line = line;
			lx->tok.col = col;
			adv(lx, 2);
			for (;;) {
				c = peekc(lx, 0);
				if (c == -1) {
					lex_error(lx, line, col,
					    "unterminated comment");
					return -1;
				}
				if (c == '*' && peekc(lx, 1) == '/') {
					adv(lx, 2);
					break;
				}
				adv(lx, 1);
			}
		} else
			return 0;
	}
}

/* Length of a number at pos (after an optional '-'), 0 if none; sets
 * *isfloat. */
static size_t
number_len(const struct hlo_lexer *lx, size_t off, int *isfloat)
{
	size_t n = off, digits = 0;
	int c;

	*isfloat = 0;
	while ((c = peekc(lx, n)) >= '0' && c <= '9') {
		n++;
		digits++;
	}
	if (peekc(lx, n) == '.' && (c = peekc(lx, n + 1)) >= '0' && c <= '9') {
		*isfloat = 1;
		n++;
		while ((c = peekc(lx, n)) >= '0' && c <= '9') {
			n++;
			digits++;
		}
	}
	if (digits == 0)
		return 0;
	c = peekc(lx, n);
	if (c == 'e' || c == 'E') {
		size_t m = n + 1;

		c = peekc(lx, m);
		if (c == '+' || c == '-')
			m++;
		if ((c = peekc(lx, m)) >= '0' && c <= '9') {
			while ((c = peekc(lx, m)) >= '0' && c <= '9')
				m++;
			n = m;
			*isfloat = 1;
		}
	}
	return n;
}

enum hlo_tok
hlo_lex_next(struct hlo_lexer *lx)
{
	struct hlo_token *t = &lx->tok;
	size_t n;
	int c, isf;
	char what[64];

	if (t->kind == TK_ERROR)
		return TK_ERROR;
	if (skip_space(lx) < 0)
		return TK_ERROR;
	t->line = lx->line;
	t->col = lx->col;
	t->p = lx->buf + lx->pos;
	t->len = 0;
	c = peekc(lx, 0);
	if (c == -1) {
		t->kind = TK_EOF;
		return TK_EOF;
	}
	switch (c) {
	case '(': t->kind = TK_LPAREN; goto one;
	case ')': t->kind = TK_RPAREN; goto one;
	case '{': t->kind = TK_LBRACE; goto one;
	case '}': t->kind = TK_RBRACE; goto one;
	case '[': t->kind = TK_LBRACK; goto one;
	case ']': t->kind = TK_RBRACK; goto one;
	case ',': t->kind = TK_COMMA; goto one;
	case '=': t->kind = TK_EQ; goto one;
	case ':': t->kind = TK_COLON; goto one;
	case '?': t->kind = TK_QUESTION; goto one;
	case '<':
		if (peekc(lx, 1) != '=')
			break;
		t->kind = TK_LE;
		t->len = 2;
		adv(lx, 2);
		return t->kind;
	case '"':
		n = 1;
		for (;;) {
			int e = peekc(lx, n);

			if (e == -1)
				return lex_error(lx, t->line, t->col,
				    "unterminated string");
			n++;
			if (e == '\\') {
				if (peekc(lx, n) == -1)
					return lex_error(lx, t->line, t->col,
					    "unterminated string");
				n++;
			} else if (e == '"')
				break;
		}
		t->kind = TK_STRING;
		t->len = n;
		adv(lx, n);
		return t->kind;
	case '.':
		if (peekc(lx, 1) == '.' && peekc(lx, 2) == '.') {
			t->kind = TK_ELLIPSIS;
			t->len = 3;
			adv(lx, 3);
			return t->kind;
		}
		break;
	case '-':
		if (peekc(lx, 1) == '>') {
			t->kind = TK_ARROW;
			t->len = 2;
			adv(lx, 2);
			return t->kind;
		}
		if ((n = number_len(lx, 1, &isf)) > 0) {
			t->kind = isf ? TK_FLOAT : TK_INT;
			t->len = n;
			adv(lx, n);
			return t->kind;
		}
		if (isalpha(peekc(lx, 1)))	/* -inf, -nan */
			goto name;
		break;
	case '%':
		if (!name_char(peekc(lx, 1)) || peekc(lx, 1) == '-')
			break;
		adv(lx, 1);
		t->p++;
		goto name;
	default:
		if (c >= '0' && c <= '9') {
			n = number_len(lx, 0, &isf);
			t->kind = isf ? TK_FLOAT : TK_INT;
			t->len = n;
			adv(lx, n);
			return t->kind;
		}
		if (isalpha(c) || c == '_' || c == '$')
			goto name;
		break;
	}
	if (c >= 0x20 && c < 0x7f)
		snprintf(what, sizeof(what), "unexpected character '%c'", c);
	else
		snprintf(what, sizeof(what), "unexpected byte 0x%02x", c);
	return lex_error(lx, t->line, t->col, what);
one:
	t->len = 1;
	adv(lx, 1);
	return t->kind;
name:
	n = 1;
	for (;;) {
		c = peekc(lx, n);
		if (!name_char(c) || (c == '-' && peekc(lx, n + 1) == '>'))
			break;
		n++;
	}
	t->kind = TK_NAME;
	t->len = n;
	adv(lx, n);
	return t->kind;
}

int
hlo_lex_raw(struct hlo_lexer *lx, struct hlo_token *val)
{
	int depth = 0, c;
	size_t n = 0;

	while ((c = peekc(lx, 0)) == ' ' || c == '\t')
		adv(lx, 1);
	val->kind = TK_NAME;
	val->p = lx->buf + lx->pos;
	val->line = lx->line;
	val->col = lx->col;
	for (;;) {
		c = peekc(lx, n);
		if (c == -1) {
			if (depth > 0) {
				lex_error(lx, val->line, val->col,
				    "unterminated attribute value");
				return -1;
			}
			break;
		}
		if (c == '"') {
			n++;
			for (;;) {
				c = peekc(lx, n);
				if (c == -1) {
					lex_error(lx, val->line, val->col,
					    "unterminated string");
					return -1;
				}
				n++;
				if (c == '\\' && peekc(lx, n) != -1)
					n++;
				else if (c == '"')
					break;
			}
			continue;
		}
		if (c == '/' && peekc(lx, n + 1) == '*' && depth > 0) {
			n += 2;
			while (!((c = peekc(lx, n)) == '*' &&
			    peekc(lx, n + 1) == '/')) {
				if (c == -1) {
					lex_error(lx, val->line, val->col,
					    "unterminated comment");
					return -1;
				}
				n++;
			}
			n += 2;
			continue;
		}
		if (c == '(' || c == '{' || c == '[')
			depth++;
		else if (c == ')' || c == '}' || c == ']') {
			if (depth == 0)
				break;
			depth--;
		} else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' ||
		    c == '\n' || c == '\r'))
			break;
		n++;
	}
	if (n == 0) {
		lex_error(lx, val->line, val->col, "missing attribute value");
		return -1;
	}
	val->len = n;
	adv(lx, n);
	hlo_lex_next(lx);	/* a TK_ERROR here is the caller's to see */
	return 0;
}

void
hlo_lex_rewind(struct hlo_lexer *lx)
{
	if (lx->tok.kind == TK_ERROR || lx->tok.kind == TK_EOF)
		return;
	lx->pos = (size_t)(lx->tok.p - lx->buf);
	if (lx->tok.kind == TK_NAME && lx->pos > 0 &&
	    lx->buf[lx->pos - 1] == '%')
		lx->pos--;
	lx->line = lx->tok.line;
	lx->col = lx->tok.col;
}

const char *
hlo_tok_kind_name(enum hlo_tok k)
{
	switch (k) {
	case TK_EOF: return "end of file";
	case TK_NAME: return "name";
	case TK_INT: return "integer";
	case TK_FLOAT: return "number";
	case TK_STRING: return "string";
	case TK_LPAREN: return "'('";
	case TK_RPAREN: return "')'";
	case TK_LBRACE: return "'{'";
	case TK_RBRACE: return "'}'";
	case TK_LBRACK: return "'['";
	case TK_RBRACK: return "']'";
	case TK_COMMA: return "','";
	case TK_EQ: return "'='";
	case TK_COLON: return "':'";
	case TK_ARROW: return "'->'";
	case TK_ELLIPSIS: return "'...'";
	case TK_LE: return "'<='";
	case TK_QUESTION: return "'?'";
	case TK_ERROR: return "error";
	}
	return "?";
}

void
hlo_tok_describe(const struct hlo_token *t, char *buf, size_t len)
{
	size_t i, o = 0, max = 40;

	if (t->kind == TK_EOF || t->kind == TK_ERROR || len < 8) {
		snprintf(buf, len, "%s", hlo_tok_kind_name(t->kind));
		return;
	}
	buf[o++] = '\'';
	for (i = 0; i < t->len && i < max && o + 6 < len; i++) {
		unsigned char c = (unsigned char)t->p[i];

		if (c >= 0x20 && c < 0x7f && c != '\'')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
	}
	if (i < t->len && o + 5 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
}
