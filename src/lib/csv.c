/*
 * csv.c - comma-separated numbers to and from tensors.
 *
 * Reading: lines end in LF or CRLF; blank lines are skipped; fields are
 * trimmed of spaces and tabs; every data line has the same number of
 * fields; a first line that does not parse as numbers is a header and is
 * skipped.  Floats use strtod (C locale: nan and inf are accepted);
 * integers must be exact and in range for the dtype (an integral value
 * written as 3.0 is accepted); pred accepts 0, 1, true, false.  Shape:
 * one line -> [cols]; one column -> [rows]; else [rows, cols].
 *
 * Printing: a 0-D or 1-D tensor gives one value per line; a tensor of
 * rank >= 2 gives one line per row of its last dimension, fields
 * comma-separated.  Floats are printed in the shortest form that reads
 * back to the same value of their dtype; integers exactly.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "mem.h"

#define FIELD_MAX 128

/* Parse one trimmed field as a number of dtype t.  Returns 0 and stores
 * the value in *f (floats) or *i (others), or -1. */
static int
parse_field(const char *s, size_t n, enum spu_dtype t, double *f, int64_t *i,
    uint64_t *u)
{
	char buf[FIELD_MAX + 1], *end;

	if (n == 0 || n > FIELD_MAX)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (spu_dtype_is_float(t)) {
		errno = 0;
		*f = strtod(buf, &end);
		return *end == '\0' ? 0 : -1;
	}
	if (t == SPU_PRED) {
		if (strcmp(buf, "true") == 0 || strcmp(buf, "True") == 0) {
			*i = 1;
			return 0;
		}
		if (strcmp(buf, "false") == 0 || strcmp(buf, "False") == 0) {
			*i = 0;
			return 0;
		}
	}
	errno = 0;
	if (t == SPU_U64) {
		if (buf[0] != '-') {
			*u = strtoull(buf, &end, 10);
			if (*end == '\0' && errno == 0)
				return 0;
		}
	} else {
		*i = strtoll(buf, &end, 10);
		if (*end == '\0' && errno == 0)
			return 0;
	}
	/* integral floats such as 3.0 or 1e3 */
	errno = 0;
	*f = strtod(buf, &end);
	if (*end != '\0' || !isfinite(*f) || *f != floor(*f))
		return -1;
	if (t == SPU_U64) {
		if (*f < 0 || *f >= 18446744073709551616.0)
			return -1;
		*u = (uint64_t)*f;
	} else {
		if (*f < -9223372036854775808.0 || *f >= 9223372036854775808.0)
			return -1;
		*i = (int64_t)*f;
	}
	return 0;
}

static int
int_fits(enum spu_dtype t, int64_t v)
{
	switch (t) {
	case SPU_PRED: return v == 0 || v == 1;
	case SPU_S8: return v >= INT8_MIN && v <= INT8_MAX;
	case SPU_S16: return v >= INT16_MIN && v <= INT16_MAX;
	case SPU_S32: return v >= INT32_MIN && v <= INT32_MAX;
	case SPU_U8: return v >= 0 && v <= UINT8_MAX;
	case SPU_U16: return v >= 0 && v <= UINT16_MAX;
	case SPU_U32: return v >= 0 && v <= (int64_t)UINT32_MAX;
	default: return 1;
	}
}

struct line {
	const char *s;
	size_t n;
	size_t lineno;
};

/* Split text into fields of one line; calls back nothing, just counts or
 * parses into t at element offset base.  Returns the field count, or -1
 * with *badcol set (1-based) when a field does not parse. */
static long
do_line(const struct line *ln, enum spu_dtype dt, struct spu_tensor *t,
    size_t base, size_t *badcol, const char **why)
{
	const char *p = ln->s, *end = ln->s + ln->n;
	long col = 0;

	for (;;) {
		const char *fs, *fe, *comma;
		double f = 0;
		int64_t i = 0;
		uint64_t u = 0;

		comma = memchr(p, ',', (size_t)(end - p));
		fe = comma ? comma : end;
		fs = p;
		while (fs < fe && (*fs == ' ' || *fs == '\t'))
			fs++;
		while (fe > fs && (fe[-1] == ' ' || fe[-1] == '\t'))
			fe--;
		col++;
		if (parse_field(fs, (size_t)(fe - fs), dt, &f, &i, &u) != 0) {
			*badcol = (size_t)col;
			*why = "not a number";
			return -1;
		}
		if (!spu_dtype_is_float(dt) && dt != SPU_U64 &&
		    !int_fits(dt, i)) {
			*badcol = (size_t)col;
			*why = "out of range for the dtype";
			return -1;
		}
		if (t != NULL) {
			size_t k = base + (size_t)col - 1;
			if (spu_dtype_is_float(dt))
				spu_tensor_set_f64(t, k, f);
			else if (dt == SPU_U64)
				((uint64_t *)t->data)[k] = u;
			else
				spu_tensor_set_i64(t, k, i);
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return col;
}

int
spu_csv_decode(const char *name, const char *text, size_t len,
    enum spu_dtype dtype, struct spu_tensor **out, struct spu_diag *d)
{
	struct line *lines = NULL;
	size_t nlines = 0, cap = 0, first = 0, cols = 0, badcol;
	struct spu_shape shape = { 0 };
	struct spu_tensor *t = NULL;
	const char *p = text, *end = text + len, *why;
	size_t lineno = 0;
	long c;
	int err;

	*out = NULL;
	if ((unsigned)dtype >= SPU_DTYPE_COUNT)
		return spu_fail(d, SPU_EINVAL, "%s: invalid dtype", name);
	if (memchr(text, '\0', len) != NULL)
		return spu_fail(d, SPU_EFORMAT, "%s: NUL byte: not a text file",
		    name);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *q;

		lineno++;
		if (le > p && le[-1] == '\r')
			le--;
		for (q = p; q < le && (*q == ' ' || *q == '\t'); q++)
			;
		if (q < le) {
			if (nlines == cap) {
				struct line *nl2;
				cap = cap ? cap * 2 : 64;
				if ((nl2 = spu_realloc(lines, cap,
				    sizeof(*lines))) == NULL) {
					err = spu_fail(d, SPU_ENOMEM,
					    "%s: out of memory", name);
					goto fail;
				}
				lines = nl2;
			}
			lines[nlines].s = p;
			lines[nlines].n = (size_t)(le - p);
			lines[nlines].lineno = lineno;
			nlines++;
		}
		p = nl ? nl + 1 : end;
	}
	/* a first line that does not parse is a header */
	if (nlines > 0 && do_line(&lines[0], dtype, NULL, 0, &badcol, &why) < 0)
		first = 1;
	if (nlines <= first) {
		err = spu_fail(d, SPU_EFORMAT, "%s: no data rows", name);
		goto fail;
	}
	for (size_t r = first; r < nlines; r++) {
		c = do_line(&lines[r], dtype, NULL, 0, &badcol, &why);
		if (c < 0) {
			err = spu_fail(d, SPU_EFORMAT,
			    "%s:%zu: field %zu: %s", name, lines[r].lineno,
			    badcol, why);
			goto fail;
		}
		if (r == first) {
			cols = (size_t)c;
		} else if ((size_t)c != cols) {
			err = spu_fail(d, SPU_ESHAPE,
			    "%s:%zu: %ld fields, the first row has %zu", name,
			    lines[r].lineno, c, cols);
			goto fail;
		}
	}
	if (nlines - first == 1) {
		shape.ndim = 1;
		shape.dim[0] = (int64_t)cols;
	} else if (cols == 1) {
		shape.ndim = 1;
		shape.dim[0] = (int64_t)(nlines - first);
	} else {
		shape.ndim = 2;
		shape.dim[0] = (int64_t)(nlines - first);
		shape.dim[1] = (int64_t)cols;
	}
	if (spu_shape_numel(&shape) < 0) {
		err = spu_fail(d, SPU_ELIMIT, "%s: more than %lld elements",
		    name, (long long)SPU_MAX_ELEMS);
		goto fail;
	}
	if ((t = spu_tensor_new(dtype, &shape)) == NULL) {
		err = spu_fail(d, SPU_ENOMEM, "%s: out of memory", name);
		goto fail;
	}
	for (size_t r = first; r < nlines; r++)
		(void)do_line(&lines[r], dtype, t, (r - first) * cols, &badcol,
		    &why);
	free(lines);
	*out = t;
	return 0;
fail:
	free(lines);
	spu_tensor_free(t);
	return err;
}

/* Shortest "%.Ng" that reads back to the same value of the dtype. */
static void
print_float(FILE *f, enum spu_dtype t, double v)
{
	char buf[40];

	if (isnan(v)) {
		fputs("nan", f);
		return;
	}
	if (isinf(v)) {
		fputs(v < 0 ? "-inf" : "inf", f);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		double back = strtod(buf, NULL);
		if (t == SPU_F64 ? back == v :
		    t == SPU_F32 ? (float)back == (float)v :
		    t == SPU_F16 ? spu_f64_to_f16(back) == spu_f64_to_f16(v) :
		    spu_f64_to_bf16(back) == spu_f64_to_bf16(v))
			break;
	}
	fputs(buf, f);
}

static void
print_elem(FILE *f, const struct spu_tensor *t, size_t i)
{
	if (spu_dtype_is_float(t->dtype))
		print_float(f, t->dtype, spu_tensor_get_f64(t, i));
	else if (t->dtype == SPU_U64)
		fprintf(f, "%" PRIu64, ((const uint64_t *)t->data)[i]);
	else
		fprintf(f, "%" PRId64, spu_tensor_get_i64(t, i));
}

int
spu_csv_print(FILE *f, const struct spu_tensor *t)
{
	size_t cols = 1;

	if (t->shape.ndim >= 2)
		cols = (size_t)t->shape.dim[t->shape.ndim - 1];
	if (cols == 0)
		return ferror(f) ? SPU_EIO : 0;
	for (size_t i = 0; i < t->n; i++) {
		print_elem(f, t, i);
		fputc((i + 1) % cols == 0 ? '\n' : ',', f);
	}
	return ferror(f) ? SPU_EIO : 0;
}
