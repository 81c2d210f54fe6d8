/*
 * lexer.h - tokens of XLA's HLO text format, with line and column.
 *
 * Comments (// to end of line, and block comments) and whitespace are
 * skipped.  Names keep their % sigil off: `%add.1` and `add.1` are the
 * same name.  Attribute values, whose syntax varies per attribute
 * (0_0x1_1, b01f_01io->b01f, {size=2x2 stride=1x1}), are not tokenized:
 * the parser asks for the raw text with hlo_lex_raw and attr.c reads it.
 */
#ifndef SPU_HLO_LEXER_H
#define SPU_HLO_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum hlo_tok {
	TK_EOF = 0,
	TK_NAME,	/* identifiers, also inf, true, -inf, ROOT, ... */
	TK_INT,
	TK_FLOAT,
	TK_STRING,	/* "..." with its quotes */
	TK_LPAREN, TK_RPAREN, TK_LBRACE, TK_RBRACE, TK_LBRACK, TK_RBRACK,
	TK_COMMA, TK_EQ, TK_COLON, TK_ARROW, TK_ELLIPSIS,
	TK_LE, TK_QUESTION,	/* '<=' and '?' of dynamic dimensions */
	TK_ERROR	/* lexical error; message in the lexer's diag */
};

struct hlo_token {
	enum hlo_tok kind;
	const char *p;		/* text (without a leading %) */
	size_t len;
	uint32_t line, col;
};

struct hlo_lexer {
	const char *file;
	const char *buf;
	size_t len;
	size_t pos;		/* first byte after tok */
	uint32_t line, col;	/* of buf[pos] */
	struct hlo_token tok;	/* current token */
	struct spu_diag *diag;	/* where TK_ERROR puts its message */
};

void hlo_lex_init(struct hlo_lexer *lx, const char *file, const char *buf,
    size_t len, struct spu_diag *d);
/* Advance to the next token; returns its kind. */
enum hlo_tok hlo_lex_next(struct hlo_lexer *lx);
/*
 * With the current token being '=', read the raw attribute value that
 * follows: a run of characters up to a top-level ',', whitespace or an
 * unmatched closing bracket, where brackets nest and strings are whole.
 * The value's span goes in *val; the token after it becomes current
 * (possibly TK_ERROR).  Returns 0, or -1 (message in the diag, current
 * token TK_ERROR) on an unterminated or empty value.
 */
int hlo_lex_raw(struct hlo_lexer *lx, struct hlo_token *val);
/* Move back to the start of the current token, so that hlo_lex_raw
 * reads from there (a value continued after a space, a layout). */
void hlo_lex_rewind(struct hlo_lexer *lx);
/* Printable rendering of a token for messages ("'foo'", "end of file"). */
void hlo_tok_describe(const struct hlo_token *t, char *buf, size_t len);
const char *hlo_tok_kind_name(enum hlo_tok k);

#endif
