/*
 * bundle.c - share bundles (.shr), the format of docs/shares.md, version
 * 1: a CBOR map of header fields, the zstd-compressed ring data of every
 * value, and a trailing BLAKE2b-256 hash over all bytes before it.
 *
 * The reader checks, in this order: the magic, the hash (so a damaged
 * file is reported as damaged before any field is believed), the
 * version, every header field and limit, and finally the payload size
 * (from the zstd frame header, before anything is allocated for it).
 * This file does not share or reconstruct values (mpc/deal.c does).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zstd.h>

#include "bundle.h"
#include "cborio.h"
#include "fileio.h"
#include "mem.h"
#include "ring.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "bundle.c stores ring words in host order: port to big-endian hosts"
#endif

#define MAGIC "spu-shares"
#define NKEYS 11
#define HASH_LEN 32
/* The tail: text "hash" (5 bytes) and a 32-byte byte string head. */
static const uint8_t tail_head[7] = { 0x64, 'h', 'a', 's', 'h', 0x58, 0x20 };
#define TAIL_LEN (sizeof(tail_head) + HASH_LEN)

struct spu_bundle *
spu_bundle_new(size_t nvalues)
{
	struct spu_bundle *b;

	if (nvalues > SPU_BUNDLE_MAX_VALUES)
		return NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	if ((b->values = spu_calloc(nvalues, sizeof(*b->values))) == NULL) {
		free(b);
		return NULL;
	}
	b->nvalues = nvalues;
	return b;
}

void
spu_bundle_free(struct spu_bundle *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nvalues; i++) {
		free(b->values[i].name);
		spu_value_free(b->values[i].v);
	}
	free(b->values);
	free(b);
}

static int
check_name(const char *s, size_t n)
{
	if (n == 0 || n > SPU_BUNDLE_MAX_NAME)
		return -1;
	return memchr(s, '\0', n) == NULL ? 0 : -1;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names must be unique: sort a copy of the pointers and compare
 * neighbours.  Returns the duplicate or NULL (also on no memory, with
 * *nomem set). */
static const char *
find_duplicate(const struct spu_bundle *b, int *nomem)
{
	char **v;
	const char *dup = NULL;

	*nomem = 0;
	if (b->nvalues < 2)
		return NULL;
	if ((v = spu_malloc(b->nvalues, sizeof(*v))) == NULL) {
		*nomem = 1;
		return NULL;
	}
	for (size_t i = 0; i < b->nvalues; i++)
		v[i] = b->values[i].name;
	qsort(v, b->nvalues, sizeof(*v), namecmp);
	for (size_t i = 1; i < b->nvalues && dup == NULL; i++)
		if (strcmp(v[i - 1], v[i]) == 0)
			dup = v[i];
	free(v);
	return dup;
}

/* Header fields shared by encoder and decoder. */
static int
check_header(const struct spu_bundle *b, struct spu_diag *d)
{
	if ((unsigned)b->protocol > SPU_ABY3)
		return spu_fail(d, SPU_EFORMAT, "unknown protocol %d",
		    (int)b->protocol);
	if (!spu_field_valid(b->field))
		return spu_fail(d, SPU_EFORMAT,
		    "field %u is not 32, 64 or 128", b->field);
	if (b->fxp < 0 || b->fxp > (int)b->field - 2)
		return spu_fail(d, SPU_EFORMAT,
		    "fraction bits %d out of range 0..%u for field %u",
		    b->fxp, b->field - 2, b->field);
	if (b->nparties < 1 || b->nparties > SPU_MAX_PARTIES ||
	    !spu_protocol_parties_ok(b->protocol, b->nparties))
		return spu_fail(d, SPU_EFORMAT, "%d parties not valid for %s",
		    b->nparties, spu_protocol_name(b->protocol));
	if (b->party < 0 || b->party >= b->nparties)
		return spu_fail(d, SPU_EFORMAT,
		    "party index %d out of range 0..%d", b->party,
		    b->nparties - 1);
	if (b->nvalues > SPU_BUNDLE_MAX_VALUES)
		return spu_fail(d, SPU_ELIMIT, "more than %d values",
		    SPU_BUNDLE_MAX_VALUES);
	return 0;
}

static int
want_nshares(const struct spu_bundle *b, enum spu_vis vis)
{
	return vis == SPU_PUBLIC ? 1 : spu_protocol_nshares(b->protocol);
}

/* What the header says about one value; shares are allocated only once
 * the payload is known to match. */
struct desc {
	enum spu_dtype dtype;
	struct spu_shape shape;
	size_t n;
	enum spu_vis vis;
	int xor_shared;
	int nshares;
};

/* Total payload bytes, or a negative error. */
static int
payload_size(unsigned field, const struct desc *dv, size_t nv,
    const struct spu_bundle_value *bv, size_t *total, struct spu_diag *d)
{
	size_t w = spu_ring_size(field), sum = 0;

	for (size_t i = 0; i < nv; i++) {
		size_t bytes;

		if (dv[i].n > SPU_MEM_LIMIT / w / (size_t)dv[i].nshares)
			return spu_fail(d, SPU_ELIMIT, "value '%s' too large",
			    bv[i].name);
		bytes = dv[i].n * w * (size_t)dv[i].nshares;
		if (bytes > SPU_MEM_LIMIT - sum)
			return spu_fail(d, SPU_ELIMIT,
			    "ring data larger than %zu bytes", SPU_MEM_LIMIT);
		sum += bytes;
	}
	*total = sum;
	return 0;
}

/* An encoded bundle in three pieces: its CBOR up to the payload's bytes
 * (head), the zstd payload, and the tail (the key "hash", the hash). */
struct encoded {
	struct spu_cbor_enc head;
	uint8_t *z;
	size_t zlen;
	uint8_t tail[TAIL_LEN];
};

static void
encoded_free(struct encoded *x)
{
	spu_cbor_enc_free(&x->head);
	free(x->z);
	x->z = NULL;
}

/* The share vectors, value by value, through one zstd frame into x->z:
 * no copy of them in one buffer first. */
static int
compress_payload(const struct spu_bundle *b, size_t total, struct encoded *x,
    struct spu_diag *d)
{
	size_t w = spu_ring_size(b->field), r;
	ZSTD_outBuffer out;
	ZSTD_inBuffer none = { NULL, 0, 0 };
	ZSTD_CCtx *cc;
	int err = 0;

	out.size = ZSTD_compressBound(total);
	out.pos = 0;
	if ((x->z = out.dst = spu_malloc(out.size, 1)) == NULL ||
	    (cc = ZSTD_createCCtx()) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 1);
	ZSTD_CCtx_setPledgedSrcSize(cc, total);
	for (size_t i = 0; i < b->nvalues && err == 0; i++) {
		const struct spu_value *v = b->values[i].v;
		for (int j = 0; j < v->nshares && err == 0; j++) {
			ZSTD_inBuffer in = { v->share[j], v->n * w, 0 };
			while (in.pos < in.size) {
				r = ZSTD_compressStream2(cc, &out, &in,
				    ZSTD_e_continue);
				if (ZSTD_isError(r)) {
					err = spu_fail(d, SPU_EIO, "zstd: %s",
					    ZSTD_getErrorName(r));
					break;
				}
			}
		}
	}
	while (err == 0 && (r = ZSTD_compressStream2(cc, &out, &none,
	    ZSTD_e_end)) != 0)
		if (ZSTD_isError(r))
			err = spu_fail(d, SPU_EIO, "zstd: %s",
			    ZSTD_getErrorName(r));
	ZSTD_freeCCtx(cc);
	x->zlen = out.pos;
	return err;
}

static int
encode_pieces(const struct spu_bundle *b, struct encoded *x,
    struct spu_diag *d)
{
	struct spu_cbor_enc *e = &x->head;
	crypto_generichash_state hs;
	size_t total, w = spu_ring_size(b->field);
	const char *dup;
	int err, nomem;

	memset(x, 0, sizeof(*x));
	if ((err = check_header(b, d)) != 0)
		return err == SPU_EFORMAT ? SPU_EINVAL : err;
	for (size_t i = 0; i < b->nvalues; i++) {
		const struct spu_bundle_value *bv = &b->values[i];
		const struct spu_value *v = bv->v;
		int64_t n;

		if (bv->name == NULL || v == NULL ||
		    check_name(bv->name, strlen(bv->name)) != 0)
			return spu_fail(d, SPU_EINVAL,
			    "value %zu: missing or invalid name", i);
		n = spu_shape_numel(&v->shape);
		if ((unsigned)v->dtype >= SPU_DTYPE_COUNT || n < 0 ||
		    (size_t)n != v->n || v->field != b->field ||
		    (v->vis != SPU_PUBLIC && v->vis != SPU_SECRET) ||
		    v->nshares != want_nshares(b, v->vis))
			return spu_fail(d, SPU_EINVAL,
			    "value '%s' does not match the bundle header",
			    bv->name);
	}
	if ((dup = find_duplicate(b, &nomem)) != NULL)
		return spu_fail(d, SPU_EINVAL, "value name '%s' used twice",
		    dup);
	if (nomem)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	total = 0;
	for (size_t i = 0; i < b->nvalues; i++) {
		const struct spu_value *v = b->values[i].v;
		/* n <= SPU_MAX_ELEMS and nshares <= 2: no overflow */
		total += v->n * w * (size_t)v->nshares;
	}
	if (total > SPU_MEM_LIMIT)
		return spu_fail(d, SPU_ELIMIT,
		    "ring data larger than %zu bytes", SPU_MEM_LIMIT);
	if ((err = compress_payload(b, total, x, d)) != 0)
		goto out;
	spu_cbor_enc_map(e, NKEYS);
	spu_cbor_enc_text(e, "magic");
	spu_cbor_enc_text(e, MAGIC);
	spu_cbor_enc_text(e, "version");
	spu_cbor_enc_uint(e, SPU_BUNDLE_VERSION);
	spu_cbor_enc_text(e, "protocol");
	spu_cbor_enc_text(e, spu_protocol_name(b->protocol));
	spu_cbor_enc_text(e, "field");
	spu_cbor_enc_uint(e, b->field);
	spu_cbor_enc_text(e, "fxp");
	spu_cbor_enc_uint(e, (uint64_t)b->fxp);
	spu_cbor_enc_text(e, "party");
	spu_cbor_enc_uint(e, (uint64_t)b->party);
	spu_cbor_enc_text(e, "nparties");
	spu_cbor_enc_uint(e, (uint64_t)b->nparties);
	spu_cbor_enc_text(e, "id");
	spu_cbor_enc_bytes(e, b->id, SPU_BUNDLE_ID_LEN);
	spu_cbor_enc_text(e, "values");
	spu_cbor_enc_array(e, b->nvalues);
	for (size_t i = 0; i < b->nvalues; i++) {
		const struct spu_value *v = b->values[i].v;
		spu_cbor_enc_array(e, 5);
		spu_cbor_enc_text(e, b->values[i].name);
		spu_cbor_enc_text(e, spu_dtype_name(v->dtype));
		spu_cbor_enc_array(e, (size_t)v->shape.ndim);
		for (int k = 0; k < v->shape.ndim; k++)
			spu_cbor_enc_uint(e, (uint64_t)v->shape.dim[k]);
		spu_cbor_enc_text(e, v->xor_shared ? "secret-xor" :
		    spu_vis_name(v->vis));
		spu_cbor_enc_uint(e, (uint64_t)v->nshares);
	}
	spu_cbor_enc_text(e, "payload");
	spu_cbor_enc_bytes_head(e, x->zlen);
	if (e->failed) {
		err = spu_fail(d, SPU_ENOMEM, "out of memory");
		goto out;
	}
	/* the hash covers everything before the tail */
	memcpy(x->tail, tail_head, sizeof(tail_head));
	crypto_generichash_init(&hs, NULL, 0, HASH_LEN);
	crypto_generichash_update(&hs, e->buf, e->len);
	crypto_generichash_update(&hs, x->z, x->zlen);
	crypto_generichash_final(&hs, x->tail + sizeof(tail_head), HASH_LEN);
	return 0;
out:
	encoded_free(x);
	return err;
}

int
spu_bundle_encode(const struct spu_bundle *b, uint8_t **bufp, size_t *lenp,
    struct spu_diag *d)
{
	struct encoded x;
	uint8_t *buf;
	size_t len;
	int err;

	*bufp = NULL;
	*lenp = 0;
	if ((err = encode_pieces(b, &x, d)) != 0)
		return err;
	len = x.head.len + x.zlen + TAIL_LEN;
	if ((buf = malloc(len)) == NULL) {
		encoded_free(&x);
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	}
	memcpy(buf, x.head.buf, x.head.len);
	memcpy(buf + x.head.len, x.z, x.zlen);
	memcpy(buf + x.head.len + x.zlen, x.tail, TAIL_LEN);
	encoded_free(&x);
	*bufp = buf;
	*lenp = len;
	return 0;
}
static int
cbor_bad(struct spu_cbor_dec *c, struct spu_diag *d)
{
	if (c->key != NULL)
		return spu_fail(d, SPU_EFORMAT,
		    "malformed bundle at byte %zu: expected key \"%s\"",
		    c->errpos, c->key);
	return spu_fail(d, SPU_EFORMAT, "malformed bundle at byte %zu: %s",
	    c->errpos, c->err ? c->err : "bad item");
}

/* Read one value description [name, dtype, shape, vis, nshares]. */
static int
decode_value(struct spu_cbor_dec *c, struct spu_bundle *b, size_t i,
    struct desc *dv, struct spu_diag *d)
{
	struct spu_shape shape = { 0 };
	int64_t numel;
	const char *s;
	size_t n, ndim;
	uint64_t u, nsh;
	int dtype, vis, xs = 0;

	if (spu_cbor_get_array(c, &n) != 0)
		return cbor_bad(c, d);
	if (n != 5)
		return spu_fail(d, SPU_EFORMAT,
		    "value %zu: description has %zu fields, not 5", i, n);
	if (spu_cbor_get_text(c, &s, &n) != 0)
		return cbor_bad(c, d);
	if (check_name(s, n) != 0)
		return spu_fail(d, SPU_EFORMAT,
		    "value %zu: name empty, longer than %d bytes or with NUL",
		    i, SPU_BUNDLE_MAX_NAME);
	if ((b->values[i].name = malloc(n + 1)) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	memcpy(b->values[i].name, s, n);
	b->values[i].name[n] = '\0';
	if (spu_cbor_get_text(c, &s, &n) != 0)
		return cbor_bad(c, d);
	if ((dtype = spu_dtype_parse(s, n)) < 0)
		return spu_fail(d, SPU_EFORMAT, "value '%s': unknown dtype",
		    b->values[i].name);
	if (spu_cbor_get_array(c, &ndim) != 0)
		return cbor_bad(c, d);
	if (ndim > SPU_MAX_DIMS)
		return spu_fail(d, SPU_ELIMIT,
		    "value '%s': more than %d dimensions", b->values[i].name,
		    SPU_MAX_DIMS);
	shape.ndim = (int)ndim;
	for (size_t k = 0; k < ndim; k++) {
		if (spu_cbor_get_uint(c, &u) != 0)
			return cbor_bad(c, d);
		if (u > (uint64_t)SPU_MAX_ELEMS)
			return spu_fail(d, SPU_ELIMIT,
			    "value '%s': dimension too large",
			    b->values[i].name);
		shape.dim[k] = (int64_t)u;
	}
	if ((numel = spu_shape_numel(&shape)) < 0)
		return spu_fail(d, SPU_ELIMIT,
		    "value '%s': more than %lld elements", b->values[i].name,
		    (long long)SPU_MAX_ELEMS);
	if (spu_cbor_get_text(c, &s, &n) != 0)
		return cbor_bad(c, d);
	if (n == 6 && memcmp(s, "public", 6) == 0)
		vis = SPU_PUBLIC;
	else if (n == 6 && memcmp(s, "secret", 6) == 0)
		vis = SPU_SECRET;
	else if (n == 10 && memcmp(s, "secret-xor", 10) == 0 &&
	    dtype == SPU_PRED)
		vis = SPU_SECRET, xs = 1;
	else
		return spu_fail(d, SPU_EFORMAT,
		    "value '%s': visibility is not public, secret or (pred "
		    "only) secret-xor", b->values[i].name);
	if (spu_cbor_get_uint(c, &nsh) != 0)
		return cbor_bad(c, d);
	if (nsh != (uint64_t)want_nshares(b, vis))
		return spu_fail(d, SPU_EFORMAT,
		    "value '%s': %llu share vectors, %s %s needs %d",
		    b->values[i].name, (unsigned long long)nsh,
		    spu_vis_name(vis), spu_protocol_name(b->protocol),
		    want_nshares(b, vis));
	dv->dtype = (enum spu_dtype)dtype;
	dv->shape = shape;
	dv->n = (size_t)numel;
	dv->vis = (enum spu_vis)vis;
	dv->xor_shared = xs;
	dv->nshares = (int)nsh;
	return 0;
}

/* A zstd frame inflated piece by piece; last = the last call's hint
 * (0: the frame has ended, its checksum checked). */
struct inflate {
	ZSTD_DCtx *dc;
	ZSTD_inBuffer in;
	size_t last;
};

/* Fill dst[0, len) from the frame; a frame that ends early or stalls is
 * bad data. */
static int
inflate_into(struct inflate *f, void *dst, size_t len, struct spu_diag *d)
{
	ZSTD_outBuffer out = { dst, len, 0 };

	while (out.pos < out.size) {
		size_t ipos = f->in.pos, opos = out.pos;
		f->last = ZSTD_decompressStream(f->dc, &out, &f->in);
		if (ZSTD_isError(f->last))
			return spu_fail(d, SPU_EFORMAT, "payload: %s",
			    ZSTD_getErrorName(f->last));
		if (out.pos < out.size && (f->last == 0 ||
		    (f->in.pos == ipos && out.pos == opos)))
			return spu_fail(d, SPU_EFORMAT, "payload: short data");
	}
	return 0;
}

/* Every value filled: the frame must end here. */
static int
inflate_end(struct inflate *f, struct spu_diag *d)
{
	uint8_t extra;
	ZSTD_outBuffer out = { &extra, 1, 0 };

	while (f->last != 0) {
		size_t ipos = f->in.pos;
		f->last = ZSTD_decompressStream(f->dc, &out, &f->in);
		if (ZSTD_isError(f->last))
			return spu_fail(d, SPU_EFORMAT, "payload: %s",
			    ZSTD_getErrorName(f->last));
		if (out.pos != 0)
			return spu_fail(d, SPU_EFORMAT,
			    "payload: more data than the values need");
		if (f->last != 0 && f->in.pos == ipos)
			return spu_fail(d, SPU_EFORMAT, "payload: short data");
	}
	return 0;
}

/* Check the payload's size against the descriptions, then allocate the
 * values and fill them. */
static int
decode_payload(struct spu_bundle *b, const struct desc *dv, const uint8_t *z,
    size_t zlen, struct spu_diag *d)
{
	size_t total = 0, w = spu_ring_size(b->field), r;
	unsigned long long fcs;
	struct inflate f;
	int err;

	if ((err = payload_size(b->field, dv, b->nvalues,
	    b->values, &total, d)) != 0)
		return err;
	fcs = ZSTD_getFrameContentSize(z, zlen);
	if (fcs == ZSTD_CONTENTSIZE_ERROR || fcs == ZSTD_CONTENTSIZE_UNKNOWN)
		return spu_fail(d, SPU_EFORMAT,
		    "payload is not a zstd frame with a content size");
	if (fcs != total)
		return spu_fail(d, SPU_EFORMAT,
		    "payload holds %llu bytes, the values need %zu", fcs,
		    total);
	r = ZSTD_findFrameCompressedSize(z, zlen);
	if (ZSTD_isError(r) || r != zlen)
		return spu_fail(d, SPU_EFORMAT,
		    "payload is not exactly one zstd frame");
	for (size_t i = 0; i < b->nvalues; i++) {
		if ((b->values[i].v = spu_value_new(dv[i].dtype, &dv[i].shape,
		    dv[i].vis, b->field, dv[i].nshares)) == NULL)
			return spu_fail(d, SPU_ENOMEM, "out of memory");
		b->values[i].v->xor_shared = dv[i].xor_shared;
	}
	if ((f.dc = ZSTD_createDCtx()) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	f.in.src = z;
	f.in.size = zlen;
	f.in.pos = 0;
	f.last = 1;
	/* straight into the share vectors, value by value */
	for (size_t i = 0; i < b->nvalues && err == 0; i++) {
		struct spu_value *v = b->values[i].v;
		for (int j = 0; j < v->nshares && err == 0; j++)
			err = inflate_into(&f, v->share[j], v->n * w, d);
	}
	if (err == 0)
		err = inflate_end(&f, d);
	ZSTD_freeDCtx(f.dc);
	return err;
}

int
spu_bundle_decode(const uint8_t *buf, size_t len, struct spu_bundle **out,
    struct spu_diag *d)
{
	struct spu_cbor_dec c;
	struct spu_bundle *b = NULL;
	struct desc *dv = NULL;
	uint8_t hash[HASH_LEN];
	const uint8_t *p, *z;
	const char *s, *dup;
	size_t n, zlen, nvalues;
	uint64_t u, field, fxp, party, nparties;
	int proto, err, nomem;

	*out = NULL;
	spu_cbor_dec_init(&c, buf, len);
	if (spu_cbor_get_map(&c, &n) != 0 || n != NKEYS ||
	    spu_cbor_get_key(&c, "magic") != 0 ||
	    spu_cbor_get_text(&c, &s, &n) != 0 ||
	    n != strlen(MAGIC) || memcmp(s, MAGIC, n) != 0)
		return spu_fail(d, SPU_EFORMAT,
		    "not a spu share bundle (bad magic)");
	if (len < c.pos + TAIL_LEN ||
	    memcmp(buf + len - TAIL_LEN, tail_head, sizeof(tail_head)) != 0)
		return spu_fail(d, SPU_EFORMAT,
		    "damaged bundle: truncated, or no integrity hash at "
		    "the end");
	crypto_generichash(hash, HASH_LEN, buf, len - TAIL_LEN, NULL, 0);
	if (sodium_memcmp(hash, buf + len - HASH_LEN, HASH_LEN) != 0)
		return spu_fail(d, SPU_EFORMAT,
		    "damaged bundle: integrity hash mismatch");
	/* Past this point a failure means a writer bug, not damage. */
	if (spu_cbor_get_key(&c, "version") != 0 ||
	    spu_cbor_get_uint(&c, &u) != 0)
		return cbor_bad(&c, d);
	if (u != SPU_BUNDLE_VERSION)
		return spu_fail(d, SPU_EVERSION,
		    "bundle format version %llu not supported (want %d)",
		    (unsigned long long)u, SPU_BUNDLE_VERSION);
	if (spu_cbor_get_key(&c, "protocol") != 0 ||
	    spu_cbor_get_text(&c, &s, &n) != 0)
		return cbor_bad(&c, d);
	{
		char pname[16];
		if (n >= sizeof(pname))
			return spu_fail(d, SPU_EFORMAT, "unknown protocol");
		memcpy(pname, s, n);
		pname[n] = '\0';
		if ((proto = spu_protocol_parse(pname)) < 0)
			return spu_fail(d, SPU_EFORMAT,
			    "unknown protocol '%s'", pname);
	}
	if (spu_cbor_get_key(&c, "field") != 0 ||
	    spu_cbor_get_uint_max(&c, 128, &field) != 0 ||
	    spu_cbor_get_key(&c, "fxp") != 0 ||
	    spu_cbor_get_uint_max(&c, 128, &fxp) != 0 ||
	    spu_cbor_get_key(&c, "party") != 0 ||
	    spu_cbor_get_uint_max(&c, 1024, &party) != 0 ||
	    spu_cbor_get_key(&c, "nparties") != 0 ||
	    spu_cbor_get_uint_max(&c, 1024, &nparties) != 0 ||
	    spu_cbor_get_key(&c, "id") != 0 ||
	    spu_cbor_get_bytes(&c, &p, &n) != 0)
		return cbor_bad(&c, d);
	if (n != SPU_BUNDLE_ID_LEN)
		return spu_fail(d, SPU_EFORMAT,
		    "bundle id is %zu bytes, not %d", n, SPU_BUNDLE_ID_LEN);
	if (spu_cbor_get_key(&c, "values") != 0 ||
	    spu_cbor_get_array(&c, &nvalues) != 0)
		return cbor_bad(&c, d);
	if (nvalues > SPU_BUNDLE_MAX_VALUES)
		return spu_fail(d, SPU_ELIMIT, "more than %d values",
		    SPU_BUNDLE_MAX_VALUES);
	if ((b = spu_bundle_new(nvalues)) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	b->protocol = (enum spu_protocol)proto;
	b->field = (unsigned)field;
	b->fxp = (int)fxp;
	b->party = (int)party;
	b->nparties = (int)nparties;
	memcpy(b->id, p, SPU_BUNDLE_ID_LEN);
	if ((err = check_header(b, d)) != 0)
		goto fail;
	if ((dv = spu_calloc(nvalues, sizeof(*dv))) == NULL) {
		err = spu_fail(d, SPU_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < nvalues; i++)
		if ((err = decode_value(&c, b, i, &dv[i], d)) != 0)
			goto fail;
	if ((dup = find_duplicate(b, &nomem)) != NULL || nomem) {
		err = nomem ? spu_fail(d, SPU_ENOMEM, "out of memory") :
		    spu_fail(d, SPU_EFORMAT, "value name '%s' used twice", dup);
		goto fail;
	}
	if (spu_cbor_get_key(&c, "payload") != 0 ||
	    spu_cbor_get_bytes(&c, &z, &zlen) != 0) {
		err = cbor_bad(&c, d);
		goto fail;
	}
	if (c.pos != len - TAIL_LEN) {
		err = spu_fail(d, SPU_EFORMAT,
		    "malformed bundle: %zu stray bytes before the hash",
		    len - TAIL_LEN - c.pos);
		goto fail;
	}
	if ((err = decode_payload(b, dv, z, zlen, d)) != 0)
		goto fail;
	free(dv);
	*out = b;
	return 0;
fail:
	free(dv);
	spu_bundle_free(b);
	return err;
}

int
spu_bundle_write_file(const char *path, const struct spu_bundle *b,
    struct spu_diag *d)
{
	struct spu_diag sub;
	struct encoded x;
	int err;

	if ((err = encode_pieces(b, &x, &sub)) != 0)
		return spu_fail(d, err, "%s: %s",
		    strcmp(path, "-") ? path : "<stdout>", sub.msg);
	{
		struct spu_piece pc[3] = { { x.head.buf, x.head.len },
		    { x.z, x.zlen }, { x.tail, TAIL_LEN } };
		err = spu_write_file_atomic_v(path, pc, 3, d);
	}
	encoded_free(&x);
	return err;
}

int
spu_bundle_read_file(const char *path, struct spu_bundle **out,
    struct spu_diag *d)
{
	struct spu_diag sub;
	uint8_t *buf;
	size_t len;
	int err;

	*out = NULL;
	if ((err = spu_read_file(path, &buf, &len, d)) != 0)
		return err;
	if ((err = spu_bundle_decode(buf, len, out, &sub)) != 0)
		spu_fail(d, err, "%s: %s",
		    strcmp(path, "-") ? path : "<stdin>", sub.msg);
	free(buf);
	return err;
}
