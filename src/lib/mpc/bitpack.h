/*
 * bitpack.h - boolean shares on the wire and in bulk: n words of w bits
 * packed into ceil(n w / 8) bytes, and bitwise work on packed buffers.
 *
 * Packing commutes with bitwise operations (pack(x & y) = pack(x) &
 * pack(y), likewise ^), so the AND protocols pack their operands once,
 * do all their local work and draw their randomness on packed bytes
 * (w bits per element, not a ring word) and unpack only the result.
 */
#ifndef SPU_MPC_BITPACK_H
#define SPU_MPC_BITPACK_H

#include <stddef.h>
#include <stdint.h>

#include "../ring.h"

/* ---- bit streams, for odd widths written one word at a time ---- */
struct spu_bitw {
	uint8_t *p;
	uint64_t acc;
	unsigned nacc;
};
struct spu_bitr {
	const uint8_t *p;
	uint64_t acc;
	unsigned nacc;
};
void spu_bitw_put(struct spu_bitw *w, spu_u128 v, unsigned nbits);
void spu_bitw_flush(struct spu_bitw *w);
spu_u128 spu_bitr_get(struct spu_bitr *r, unsigned nbits);

/* Bytes for n words of w bits; SIZE_MAX on overflow. */
size_t spu_bool_packed_size(size_t n, unsigned w);
/* Low w bits set (w <= 128). */
spu_u128 spu_bool_mask(unsigned w);
/* out[0, packed_size(n, w)) = the low w bits of x[0..n) of the field,
 * element 0 in the lowest bits; bits past n w in the last byte zero. */
void spu_bool_pack(unsigned field, uint8_t *out, const void *x, size_t n,
    unsigned w);
/* x[0..n) = the words of in, zero above bit w. */
void spu_bool_unpack(unsigned field, void *x, const uint8_t *in, size_t n,
    unsigned w);

/* ---- packed buffers ---- */
/* A buffer of len bytes (at least one), NOT initialised: write every
 * byte before it is read or sent.  NULL on failure.  For packed shares
 * and masks, which are this party's own view of the computation, so
 * spu_bytes_free(p, len) does not wipe them. */
uint8_t *spu_bytes_alloc(size_t len);
void spu_bytes_free(uint8_t *p, size_t len);
/* z = x ^ y, z = x & y over exactly len bytes, any alignment; z may
 * alias x or y. */
void spu_bytes_xor(uint8_t *z, const uint8_t *x, const uint8_t *y,
    size_t len);
void spu_bytes_and(uint8_t *z, const uint8_t *x, const uint8_t *y,
    size_t len);
/* z = (x0 & y0) ^ (x0 & y1) ^ (x1 & y0): the local part of a replicated
 * AND. */
void spu_bytes_and3(uint8_t *z, const uint8_t *x0, const uint8_t *x1,
    const uint8_t *y0, const uint8_t *y1, size_t len);
/* z ^= (x0 & y0) ^ (x1 & y1): a Beaver AND's local terms. */
void spu_bytes_xor_and2(uint8_t *z, const uint8_t *x0, const uint8_t *y0,
    const uint8_t *x1, const uint8_t *y1, size_t len);

#endif
