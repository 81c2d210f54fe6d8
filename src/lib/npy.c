/*
 * npy.c - NumPy .npy reader and writer (format versions 1.0, 2.0, 3.0).
 *
 * The header is a Python dict literal; it is parsed by a small tokenizer
 * (not evaluated) that accepts exactly the keys descr, fortran_order and
 * shape.  The data length must match the header exactly.  Fortran-order
 * arrays are transposed to C order and big-endian data swapped, so a
 * tensor is always C order, host (little-endian) layout.  Structured,
 * complex, string and object dtypes are rejected with a message.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "mem.h"
#include "npy.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.c assumes a little-endian host"
#endif

static const uint8_t npy_magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

struct hdr {
	const char *s, *end;	/* header text */
	const char *name;
	struct spu_diag *d;
	/* results */
	enum spu_dtype dtype;
	int swap;		/* big endian data */
	int fortran;
	struct spu_shape shape;
};

static void
skip_ws(struct hdr *h)
{
	while (h->s < h->end && (*h->s == ' ' || *h->s == '\t' ||
	    *h->s == '\n' || *h->s == '\r'))
		h->s++;
}

static int
hfail(struct hdr *h, const char *what)
{
	return spu_fail(h->d, SPU_EFORMAT, "%s: bad .npy header: %s", h->name,
	    what);
}

/* A quoted string without escapes; returns its bounds. */
static int
get_str(struct hdr *h, const char **p, size_t *n)
{
	char q;
	const char *start;

	if (h->s >= h->end || (*h->s != '\'' && *h->s != '"'))
		return -1;
	q = *h->s++;
	start = h->s;
	while (h->s < h->end && *h->s != q) {
		if (*h->s == '\\' || *h->s == '\n')
			return -1;
		h->s++;
	}
	if (h->s >= h->end)
		return -1;
	*p = start;
	*n = (size_t)(h->s - start);
	h->s++;
	return 0;
}

static int
parse_descr(struct hdr *h, const char *p, size_t n)
{
	static const struct {
		char kind;
		int size;
		enum spu_dtype t;
	} map[] = {
		{ 'b', 1, SPU_PRED }, { 'i', 1, SPU_S8 }, { 'i', 2, SPU_S16 },
		{ 'i', 4, SPU_S32 }, { 'i', 8, SPU_S64 }, { 'u', 1, SPU_U8 },
		{ 'u', 2, SPU_U16 }, { 'u', 4, SPU_U32 }, { 'u', 8, SPU_U64 },
		{ 'f', 2, SPU_F16 }, { 'f', 4, SPU_F32 }, { 'f', 8, SPU_F64 },
	};
	char order;
	int size = 0;

	if (n < 3 || n > 8)
		goto unsupported;
	order = p[0];
	if (order != '<' && order != '>' && order != '|' && order != '=')
		goto unsupported;
	for (size_t i = 2; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			goto unsupported;
		size = size * 10 + (p[i] - '0');
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].kind != p[1] || map[i].size != size)
			continue;
		if (order == '|' && size > 1)
			return spu_fail(h->d, SPU_EFORMAT,
			    "%s: dtype '%.*s' has no byte order", h->name,
			    (int)n, p);
		h->dtype = map[i].t;
		h->swap = order == '>' && size > 1;
		return 0;
	}
unsupported:
	return spu_fail(h->d, SPU_EUNSUPP,
	    "%s: dtype '%.*s' not supported (bool, int8..int64, uint8..uint64, "
	    "float16, float32, float64)", h->name, (int)(n > 32 ? 32 : n), p);
}

static int
parse_shape(struct hdr *h)
{
	int nd = 0;

	if (h->s >= h->end || *h->s != '(')
		return hfail(h, "shape is not a tuple");
	h->s++;
	for (;;) {
		int64_t v = 0;

		skip_ws(h);
		if (h->s < h->end && *h->s == ')')
			break;
		if (h->s >= h->end || !isdigit((unsigned char)*h->s))
			return hfail(h, "shape is not a tuple of integers");
		while (h->s < h->end && isdigit((unsigned char)*h->s)) {
			v = v * 10 + (*h->s++ - '0');
			if (v > SPU_MAX_ELEMS)
				return spu_fail(h->d, SPU_ELIMIT,
				    "%s: array dimension larger than %lld",
				    h->name, (long long)SPU_MAX_ELEMS);
		}
		if (h->s < h->end && (*h->s == 'L' || *h->s == 'l'))
			h->s++;
		if (nd == SPU_MAX_DIMS)
			return spu_fail(h->d, SPU_ELIMIT,
			    "%s: array has more than %d dimensions", h->name,
			    SPU_MAX_DIMS);
		h->shape.dim[nd++] = v;
		skip_ws(h);
		if (h->s < h->end && *h->s == ',')
			h->s++;
		else if (h->s >= h->end || *h->s != ')')
			return hfail(h, "shape is not a tuple of integers");
	}
	h->s++;
	h->shape.ndim = nd;
	if (spu_shape_numel(&h->shape) < 0)
		return spu_fail(h->d, SPU_ELIMIT,
		    "%s: array has more than %lld elements", h->name,
		    (long long)SPU_MAX_ELEMS);
	return 0;
}

static int
parse_header(struct hdr *h)
{
	int seen = 0, err;
	const char *k, *v;
	size_t kn, vn;

	skip_ws(h);
	if (h->s >= h->end || *h->s++ != '{')
		return hfail(h, "not a dict");
	for (;;) {
		int bit;

		skip_ws(h);
		if (h->s < h->end && *h->s == '}')
			break;
		if (get_str(h, &k, &kn) != 0)
			return hfail(h, "expected a quoted key");
		skip_ws(h);
		if (h->s >= h->end || *h->s++ != ':')
			return hfail(h, "expected ':'");
		skip_ws(h);
		if (kn == 5 && memcmp(k, "descr", 5) == 0) {
			bit = 1;
			if (h->s < h->end && *h->s == '[')
				return spu_fail(h->d, SPU_EUNSUPP,
				    "%s: structured dtypes not supported",
				    h->name);
			if (get_str(h, &v, &vn) != 0)
				return hfail(h, "descr is not a string");
			if (!(seen & bit) && (err = parse_descr(h, v, vn)) != 0)
				return err;
		} else if (kn == 13 && memcmp(k, "fortran_order", 13) == 0) {
			bit = 2;
			if ((size_t)(h->end - h->s) >= 4 &&
			    memcmp(h->s, "True", 4) == 0) {
				h->fortran = 1;
				h->s += 4;
			} else if ((size_t)(h->end - h->s) >= 5 &&
			    memcmp(h->s, "False", 5) == 0) {
				h->fortran = 0;
				h->s += 5;
			} else {
				return hfail(h, "fortran_order is not True "
				    "or False");
			}
		} else if (kn == 5 && memcmp(k, "shape", 5) == 0) {
			bit = 4;
			if ((err = parse_shape(h)) != 0)
				return err;
		} else {
			return spu_fail(h->d, SPU_EFORMAT,
			    "%s: bad .npy header: unexpected key '%.*s'",
			    h->name, (int)(kn > 32 ? 32 : kn), k);
		}
		if (seen & bit)
			return hfail(h, "repeated key");
		seen |= bit;
		skip_ws(h);
		if (h->s < h->end && *h->s == ',')
			h->s++;
		else if (h->s >= h->end || *h->s != '}')
			return hfail(h, "expected ',' or '}'");
	}
	h->s++;
	skip_ws(h);
	if (h->s != h->end)
		return hfail(h, "text after the dict");
	if (seen != 7)
		return hfail(h, "missing descr, fortran_order or shape");
	return 0;
}

static void
swap_bytes(uint8_t *p, size_t n, size_t size)
{
	for (size_t i = 0; i < n; i++, p += size)
		for (size_t a = 0, b = size - 1; a < b; a++, b--) {
			uint8_t t = p[a];
			p[a] = p[b];
			p[b] = t;
		}
}

/* Copy Fortran-order src into C-order dst. */
static void
from_fortran(uint8_t *dst, const uint8_t *src, const struct spu_shape *s,
    size_t n, size_t size)
{
	int64_t idx[SPU_MAX_DIMS] = { 0 }, fstride[SPU_MAX_DIMS];
	int nd = s->ndim;
	size_t off = 0;

	for (int k = 0; k < nd; k++)
		fstride[k] = k == 0 ? 1 : fstride[k - 1] * s->dim[k - 1];
	for (size_t i = 0; i < n; i++) {
		memcpy(dst + i * size, src + off * size, size);
		for (int k = nd - 1; k >= 0; k--) {	/* C-order odometer */
			if (++idx[k] < s->dim[k]) {
				off += (size_t)fstride[k];
				break;
			}
			off -= (size_t)(fstride[k] * (s->dim[k] - 1));
			idx[k] = 0;
		}
	}
}

int
spu_npy_decode(const char *name, const uint8_t *buf, size_t len,
    struct spu_tensor **out, struct spu_diag *d)
{
	struct hdr h = { .name = name, .d = d };
	struct spu_tensor *t;
	size_t hlen, off, size, need;
	int err;

	*out = NULL;
	if (len < 10 || memcmp(buf, npy_magic, sizeof(npy_magic)) != 0)
		return spu_fail(d, SPU_EFORMAT,
		    "%s: not a .npy file (bad magic)", name);
	if (buf[6] < 1 || buf[6] > 3 || buf[7] != 0)
		return spu_fail(d, SPU_EVERSION,
		    "%s: .npy format version %u.%u not supported", name,
		    buf[6], buf[7]);
	if (buf[6] == 1) {
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
		off = 10;
	} else {
		if (len < 12)
			return spu_fail(d, SPU_EFORMAT,
			    "%s: truncated .npy header", name);
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8 |
		    (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
		off = 12;
	}
	if (hlen > len - off)
		return spu_fail(d, SPU_EFORMAT,
		    "%s: truncated .npy header (%zu bytes announced, %zu "
		    "present)", name, hlen, len - off);
	h.s = (const char *)buf + off;
	h.end = h.s + hlen;
	if (memchr(h.s, '\0', hlen) != NULL)
		return hfail(&h, "NUL byte in the header");
	if ((err = parse_header(&h)) != 0)
		return err;
	off += hlen;
	size = spu_dtype_size(h.dtype);
	need = (size_t)spu_shape_numel(&h.shape) * size;
	if (len - off != need)
		return spu_fail(d, SPU_EFORMAT,
		    "%s: data is %zu bytes, the header needs %zu%s", name,
		    len - off, need, len - off < need ? " (truncated)" : "");
	if ((t = spu_tensor_new(h.dtype, &h.shape)) == NULL)
		return spu_fail(d, SPU_ENOMEM, "%s: out of memory", name);
	if (h.fortran && h.shape.ndim > 1)
		from_fortran(t->data, buf + off, &h.shape, t->n, size);
	else if (need > 0)
		memcpy(t->data, buf + off, need);
	if (h.swap)
		swap_bytes(t->data, t->n, size);
	if (h.dtype == SPU_PRED)
		for (size_t i = 0; i < t->n; i++)
			((uint8_t *)t->data)[i] = ((uint8_t *)t->data)[i] != 0;
	*out = t;
	return 0;
}

int
spu_npy_encode(const struct spu_tensor *t, uint8_t **bufp, size_t *lenp,
    struct spu_diag *d)
{
	static const char *const descr[SPU_DTYPE_COUNT] = {
		[SPU_PRED] = "|b1", [SPU_S8] = "|i1", [SPU_S16] = "<i2",
		[SPU_S32] = "<i4", [SPU_S64] = "<i8", [SPU_U8] = "|u1",
		[SPU_U16] = "<u2", [SPU_U32] = "<u4", [SPU_U64] = "<u8",
		[SPU_F16] = "<f2", [SPU_BF16] = "<f4", [SPU_F32] = "<f4",
		[SPU_F64] = "<f8",
	};
	char hdr[512];
	size_t n, size, total, off;
	uint8_t *buf;
	int64_t numel;

	*bufp = NULL;
	*lenp = 0;
	numel = spu_shape_numel(&t->shape);
	if ((unsigned)t->dtype >= SPU_DTYPE_COUNT || numel < 0 ||
	    (size_t)numel != t->n)
		return spu_fail(d, SPU_EINVAL, "invalid tensor");
	n = (size_t)snprintf(hdr, sizeof(hdr),
	    "{'descr': '%s', 'fortran_order': False, 'shape': (",
	    descr[t->dtype]);
	for (int i = 0; i < t->shape.ndim; i++)
		n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, "%s%lld%s",
		    i ? ", " : "", (long long)t->shape.dim[i],
		    t->shape.ndim == 1 ? "," : "");
	n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, "), }");
	/* pad with spaces and a newline so the data starts 64-aligned */
	while ((10 + n + 1) % 64 != 0)
		hdr[n++] = ' ';
	hdr[n++] = '\n';
	size = t->dtype == SPU_BF16 ? 4 : spu_dtype_size(t->dtype);
	if (t->n > (SPU_FILE_MAX - 10 - n) / size)
		return spu_fail(d, SPU_ELIMIT, "tensor too large");
	total = 10 + n + t->n * size;
	if ((buf = spu_malloc(total, 1)) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	memcpy(buf, npy_magic, sizeof(npy_magic));
	buf[6] = 1;
	buf[7] = 0;
	buf[8] = (uint8_t)(n & 0xff);
	buf[9] = (uint8_t)(n >> 8);
	memcpy(buf + 10, hdr, n);
	off = 10 + n;
	if (t->dtype == SPU_BF16) {
		for (size_t i = 0; i < t->n; i++) {
			float f = (float)spu_tensor_get_f64(t, i);
			memcpy(buf + off + i * 4, &f, 4);
		}
	} else if (t->n > 0) {
		memcpy(buf + off, t->data, t->n * size);
	}
	*bufp = buf;
	*lenp = total;
	return 0;
}

int
spu_npy_read_file(const char *path, struct spu_tensor **out,
    struct spu_diag *d)
{
	uint8_t *buf;
	size_t len;
	int err;

	*out = NULL;
	if ((err = spu_read_file(path, &buf, &len, d)) != 0)
		return err;
	err = spu_npy_decode(strcmp(path, "-") ? path : "<stdin>", buf, len,
	    out, d);
	free(buf);
	return err;
}

int
spu_npy_write_file(const char *path, const struct spu_tensor *t,
    struct spu_diag *d)
{
	struct spu_diag sub;
	uint8_t *buf;
	size_t len;
	int err;

	if ((err = spu_npy_encode(t, &buf, &len, &sub)) != 0)
		return spu_fail(d, err, "%s: %s",
		    strcmp(path, "-") ? path : "<stdout>", sub.msg);
	err = spu_write_file_atomic(path, buf, len, d);
	free(buf);
	return err;
}
