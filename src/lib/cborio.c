/*
 * cborio.c - shortest-form CBOR encoding into a growing buffer, and a
 * bounds-checked pull decoder on top of libcbor's cbor_stream_decode.
 * See cborio.h.  Indefinite lengths, tags, floats and booleans are not
 * part of our formats and are rejected.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "cborio.h"
#include "mem.h"

/* ---- encoder ---- */

static uint8_t *
grow(struct spu_cbor_enc *e, size_t n)
{
	uint8_t *nb;
	size_t ncap;

	if (e->failed)
		return NULL;
	if (n > SIZE_MAX - e->len)
		goto fail;
	if (e->len + n > e->cap) {
		ncap = e->cap ? e->cap : 256;
		while (ncap < e->len + n) {
			if (ncap > SIZE_MAX / 2)
				goto fail;
			ncap *= 2;
		}
		if ((nb = spu_realloc(e->buf, ncap, 1)) == NULL)
			goto fail;
		e->buf = nb;
		e->cap = ncap;
	}
	return e->buf + e->len;
fail:
	e->failed = 1;
	return NULL;
}

/* Run a libcbor head encoder (at most 9 bytes) into the buffer. */
#define HEAD(e, call) do {						\
	uint8_t *p_ = grow((e), 9);					\
	if (p_ != NULL)							\
		(e)->len += call;					\
} while (0)

void
spu_cbor_enc_uint(struct spu_cbor_enc *e, uint64_t v)
{
	HEAD(e, cbor_encode_uint(v, p_, 9));
}

void
spu_cbor_enc_int(struct spu_cbor_enc *e, int64_t v)
{
	if (v >= 0)
		HEAD(e, cbor_encode_uint((uint64_t)v, p_, 9));
	else
		HEAD(e, cbor_encode_negint((uint64_t)(-(v + 1)), p_, 9));
}

void
spu_cbor_enc_array(struct spu_cbor_enc *e, size_t n)
{
	HEAD(e, cbor_encode_array_start(n, p_, 9));
}

void
spu_cbor_enc_map(struct spu_cbor_enc *e, size_t n)
{
	HEAD(e, cbor_encode_map_start(n, p_, 9));
}

void
spu_cbor_enc_null(struct spu_cbor_enc *e)
{
	HEAD(e, cbor_encode_null(p_, 9));
}

void
spu_cbor_enc_text(struct spu_cbor_enc *e, const char *s)
{
	size_t n = strlen(s);
	uint8_t *p;

	HEAD(e, cbor_encode_string_start(n, p_, 9));
	if ((p = grow(e, n)) != NULL) {
		memcpy(p, s, n);
		e->len += n;
	}
}

uint8_t *
spu_cbor_enc_bytes_reserve(struct spu_cbor_enc *e, size_t n)
{
	uint8_t *p;

	HEAD(e, cbor_encode_bytestring_start(n, p_, 9));
	if ((p = grow(e, n)) != NULL)
		e->len += n;
	return p;
}

void
spu_cbor_enc_bytes(struct spu_cbor_enc *e, const void *src, size_t n)
{
	uint8_t *p = spu_cbor_enc_bytes_reserve(e, n);

	if (p != NULL && n > 0)
		memcpy(p, src, n);
}

void
spu_cbor_enc_bytes_head(struct spu_cbor_enc *e, size_t n)
{
	HEAD(e, cbor_encode_bytestring_start(n, p_, 9));
}

void
spu_cbor_enc_free(struct spu_cbor_enc *e)
{
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = 0;
}

/* ---- decoder ---- */

enum kind { K_NONE, K_UINT, K_NEGINT, K_BYTES, K_TEXT, K_ARRAY, K_MAP,
	K_NULL, K_OTHER };

struct item {
	enum kind kind;
	uint64_t u;		/* integer value, or -1-value for K_NEGINT */
	const uint8_t *p;	/* string bytes */
	size_t n;		/* string length, array/map count */
};

#define IT ((struct item *)ctx)
static void
cb_u8(void *ctx, uint8_t v)
{
	IT->kind = K_UINT;
	IT->u = v;
}

static void
cb_u16(void *ctx, uint16_t v)
{
	IT->kind = K_UINT;
	IT->u = v;
}

static void
cb_u32(void *ctx, uint32_t v)
{
	IT->kind = K_UINT;
	IT->u = v;
}

static void
cb_u64(void *ctx, uint64_t v)
{
	IT->kind = K_UINT;
	IT->u = v;
}

static void
cb_n8(void *ctx, uint8_t v)
{
	IT->kind = K_NEGINT;
	IT->u = v;
}

static void
cb_n16(void *ctx, uint16_t v)
{
	IT->kind = K_NEGINT;
	IT->u = v;
}

static void
cb_n32(void *ctx, uint32_t v)
{
	IT->kind = K_NEGINT;
	IT->u = v;
}

static void
cb_n64(void *ctx, uint64_t v)
{
	IT->kind = K_NEGINT;
	IT->u = v;
}

static void
cb_bytes(void *ctx, cbor_data p, size_t n)
{
	IT->kind = K_BYTES;
	IT->p = p;
	IT->n = n;
}

static void
cb_text(void *ctx, cbor_data p, size_t n)
{
	IT->kind = K_TEXT;
	IT->p = p;
	IT->n = n;
}

static void
cb_array(void *ctx, size_t n)
{
	IT->kind = K_ARRAY;
	IT->n = n;
}

static void
cb_map(void *ctx, size_t n)
{
	IT->kind = K_MAP;
	IT->n = n;
}

static void
cb_null(void *ctx)
{
	IT->kind = K_NULL;
}

static void
cb_other(void *ctx)
{
	IT->kind = K_OTHER;
}

static void
cb_other_u64(void *ctx, uint64_t v)
{
	(void)v;
	IT->kind = K_OTHER;
}

static void
cb_other_f(void *ctx, float v)
{
	(void)v;
	IT->kind = K_OTHER;
}

static void
cb_other_d(void *ctx, double v)
{
	(void)v;
	IT->kind = K_OTHER;
}

static void
cb_other_b(void *ctx, bool v)
{
	(void)v;
	IT->kind = K_OTHER;
}
#undef IT

static const struct cbor_callbacks callbacks = {
	.uint8 = cb_u8, .uint16 = cb_u16, .uint32 = cb_u32, .uint64 = cb_u64,
	.negint8 = cb_n8, .negint16 = cb_n16, .negint32 = cb_n32,
	.negint64 = cb_n64,
	.byte_string_start = cb_other, .byte_string = cb_bytes,
	.string = cb_text, .string_start = cb_other,
	.indef_array_start = cb_other, .array_start = cb_array,
	.indef_map_start = cb_other, .map_start = cb_map,
	.tag = cb_other_u64,
	.float2 = cb_other_f, .float4 = cb_other_f, .float8 = cb_other_d,
	.undefined = cb_other, .null = cb_null, .boolean = cb_other_b,
	.indef_break = cb_other,
};

void
spu_cbor_dec_init(struct spu_cbor_dec *c, const uint8_t *buf, size_t len)
{
	c->buf = buf;
	c->len = len;
	c->pos = 0;
	c->err = NULL;
	c->errpos = 0;
	c->key = NULL;
}

static int
bad(struct spu_cbor_dec *c, const char *what)
{
	c->err = what;
	c->errpos = c->pos;
	return -1;
}

/* Decode the next item head into it without consuming it; returns its
 * encoded size (head plus string bytes), 0 on error. */
static size_t
peek(struct spu_cbor_dec *c, struct item *it)
{
	struct cbor_decoder_result r;

	memset(it, 0, sizeof(*it));
	if (c->pos >= c->len) {
		bad(c, "unexpected end of data");
		return 0;
	}
	r = cbor_stream_decode(c->buf + c->pos, c->len - c->pos, &callbacks,
	    it);
	if (r.status == CBOR_DECODER_NEDATA) {
		bad(c, "unexpected end of data");
		return 0;
	}
	if (r.status != CBOR_DECODER_FINISHED || r.read == 0 ||
	    it->kind == K_NONE) {
		bad(c, "malformed CBOR");
		return 0;
	}
	if (it->kind == K_OTHER) {
		bad(c, "unsupported CBOR item (indefinite length, tag, float "
		    "or boolean)");
		return 0;
	}
	return r.read;
}

static int
take(struct spu_cbor_dec *c, struct item *it, enum kind want,
    const char *what)
{
	size_t n = peek(c, it);

	if (n == 0)
		return -1;
	if (it->kind != want)
		return bad(c, what);
	c->pos += n;
	return 0;
}

int
spu_cbor_get_uint(struct spu_cbor_dec *c, uint64_t *v)
{
	struct item it;

	if (take(c, &it, K_UINT, "expected an unsigned integer") != 0)
		return -1;
	*v = it.u;
	return 0;
}

int
spu_cbor_get_uint_max(struct spu_cbor_dec *c, uint64_t max, uint64_t *v)
{
	size_t at = c->pos;

	if (spu_cbor_get_uint(c, v) != 0)
		return -1;
	if (*v > max) {
		c->pos = at;
		return bad(c, "integer out of range");
	}
	return 0;
}

int
spu_cbor_get_int(struct spu_cbor_dec *c, int64_t *v)
{
	struct item it;
	size_t n = peek(c, &it);

	if (n == 0)
		return -1;
	if (it.kind == K_UINT && it.u <= INT64_MAX)
		*v = (int64_t)it.u;
	else if (it.kind == K_NEGINT && it.u <= INT64_MAX)
		*v = -(int64_t)it.u - 1;
	else if (it.kind == K_UINT || it.kind == K_NEGINT)
		return bad(c, "integer out of the 64-bit range");
	else
		return bad(c, "expected an integer");
	c->pos += n;
	return 0;
}

int
spu_cbor_get_array(struct spu_cbor_dec *c, size_t *n)
{
	struct item it;

	if (take(c, &it, K_ARRAY, "expected an array") != 0)
		return -1;
	if (it.n > c->len - c->pos) {
		c->pos -= 1;
		return bad(c, "array longer than the data");
	}
	*n = it.n;
	return 0;
}

int
spu_cbor_get_map(struct spu_cbor_dec *c, size_t *n)
{
	struct item it;

	if (take(c, &it, K_MAP, "expected a map") != 0)
		return -1;
	if (it.n > (c->len - c->pos) / 2) {
		c->pos -= 1;
		return bad(c, "map longer than the data");
	}
	*n = it.n;
	return 0;
}

int
spu_cbor_get_bytes(struct spu_cbor_dec *c, const uint8_t **p, size_t *n)
{
	struct item it;

	if (take(c, &it, K_BYTES, "expected a byte string") != 0)
		return -1;
	*p = it.p;
	*n = it.n;
	return 0;
}

int
spu_cbor_get_text(struct spu_cbor_dec *c, const char **p, size_t *n)
{
	struct item it;

	if (take(c, &it, K_TEXT, "expected a text string") != 0)
		return -1;
	*p = (const char *)it.p;
	*n = it.n;
	return 0;
}

int
spu_cbor_get_key(struct spu_cbor_dec *c, const char *key)
{
	struct item it;
	size_t n = peek(c, &it);

	if (n == 0)
		return -1;
	if (it.kind != K_TEXT || it.n != strlen(key) ||
	    memcmp(it.p, key, it.n) != 0) {
		c->key = key;
		return bad(c, "unexpected map key");
	}
	c->pos += n;
	return 0;
}

int
spu_cbor_get_null(struct spu_cbor_dec *c)
{
	struct item it;
	size_t n;

	if (c->pos >= c->len)
		return 0;
	n = peek(c, &it);
	c->err = NULL;
	if (n == 0 || it.kind != K_NULL)
		return 0;
	c->pos += n;
	return 1;
}
