/*
 * cborio.h - the CBOR subset the on-disk formats use, over libcbor's
 * encoder and streaming decoder: unsigned and negative integers, byte
 * and text strings, arrays, maps and null, all definite-length.
 *
 * The encoder appends to a growing buffer and always picks the shortest
 * head, so equal inputs give equal bytes.  The decoder is a pull cursor
 * over a borrowed buffer: no item tree, no recursion, every length checked
 * against the bytes that remain before the caller allocates anything.
 * Internal to libspu (bundle.c, bytecode.c); not a general CBOR library.
 */
#ifndef SPU_CBORIO_H
#define SPU_CBORIO_H

#include <stddef.h>
#include <stdint.h>

struct spu_cbor_enc {
	uint8_t *buf;
	size_t len, cap;
	int failed;		/* allocation failed: buf is freed at the end */
};

/* All encoder calls are no-ops after a failure; check e->failed once. */
void spu_cbor_enc_uint(struct spu_cbor_enc *e, uint64_t v);
void spu_cbor_enc_int(struct spu_cbor_enc *e, int64_t v);
void spu_cbor_enc_array(struct spu_cbor_enc *e, size_t n);
void spu_cbor_enc_map(struct spu_cbor_enc *e, size_t n);
void spu_cbor_enc_text(struct spu_cbor_enc *e, const char *s);
void spu_cbor_enc_bytes(struct spu_cbor_enc *e, const void *p, size_t n);
/* Byte string head for n bytes; returns where to write them, or NULL. */
uint8_t *spu_cbor_enc_bytes_reserve(struct spu_cbor_enc *e, size_t n);
/* Only the head of a byte string of n bytes, whose bytes the caller
 * writes after the encoded buffer (e.g. straight to a file). */
void spu_cbor_enc_bytes_head(struct spu_cbor_enc *e, size_t n);
void spu_cbor_enc_null(struct spu_cbor_enc *e);
void spu_cbor_enc_free(struct spu_cbor_enc *e);

struct spu_cbor_dec {
	const uint8_t *buf;
	size_t len, pos;
	const char *err;	/* what went wrong, set by a failing call */
	size_t errpos;		/* byte offset of the offending item */
	const char *key;	/* the key expected when err is about a key */
};

void spu_cbor_dec_init(struct spu_cbor_dec *c, const uint8_t *buf,
    size_t len);
/* Each returns 0, or -1 with c->err and c->errpos set.  Counts returned by
 * _array and _map are at most the bytes remaining (each item takes at
 * least one byte), so they are safe bounds for a first allocation. */
int spu_cbor_get_uint(struct spu_cbor_dec *c, uint64_t *v);
int spu_cbor_get_int(struct spu_cbor_dec *c, int64_t *v);
int spu_cbor_get_array(struct spu_cbor_dec *c, size_t *n);
int spu_cbor_get_map(struct spu_cbor_dec *c, size_t *n);
int spu_cbor_get_bytes(struct spu_cbor_dec *c, const uint8_t **p,
    size_t *n);
int spu_cbor_get_text(struct spu_cbor_dec *c, const char **p, size_t *n);
/* Expect a text string equal to key. */
int spu_cbor_get_key(struct spu_cbor_dec *c, const char *key);
/* If the next item is null, consume it and return 1; else return 0. */
int spu_cbor_get_null(struct spu_cbor_dec *c);
/* A uint at most max. */
int spu_cbor_get_uint_max(struct spu_cbor_dec *c, uint64_t max,
    uint64_t *v);

#endif
