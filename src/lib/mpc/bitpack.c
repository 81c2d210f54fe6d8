/*
 * bitpack.c - packing boolean share words to their bit width and bitwise
 * work on packed buffers (see bitpack.h).  The 32- and 64-bit fields,
 * where all comparison traffic lives, get word-typed loops; the
 * 128-bit field goes through the generic bit streams.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bitpack.h"
#include "../mem.h"

/* ---- bit streams ---- */

void
spu_bitw_put(struct spu_bitw *w, spu_u128 v, unsigned nbits)
{
	while (nbits > 0) {
		unsigned c = nbits > 32 ? 32 : nbits;
		w->acc |= (uint64_t)(v & (((spu_u128)1 << c) - 1)) << w->nacc;
		w->nacc += c;
		v >>= c;
		nbits -= c;
		while (w->nacc >= 8) {
			*w->p++ = (uint8_t)w->acc;
			w->acc >>= 8;
			w->nacc -= 8;
		}
	}
}

void
spu_bitw_flush(struct spu_bitw *w)
{
	if (w->nacc > 0)
		*w->p++ = (uint8_t)w->acc;
	w->acc = 0;
	w->nacc = 0;
}

spu_u128
spu_bitr_get(struct spu_bitr *r, unsigned nbits)
{
	spu_u128 v = 0;
	unsigned got = 0;

	while (got < nbits) {
		unsigned c = nbits - got > 32 ? 32 : nbits - got;
		while (r->nacc < c) {
			r->acc |= (uint64_t)*r->p++ << r->nacc;
			r->nacc += 8;
		}
		v |= (spu_u128)(r->acc & ((UINT64_C(1) << c) - 1)) << got;
		r->acc >>= c;
		r->nacc -= c;
		got += c;
	}
	return v;
}

size_t
spu_bool_packed_size(size_t n, unsigned w)
{
	if (w != 0 && n > (SIZE_MAX - 7) / w)
		return SIZE_MAX;
	return (n * w + 7) / 8;
}

spu_u128
spu_bool_mask(unsigned w)
{
	return w >= 128 ? ~(spu_u128)0 : ((spu_u128)1 << w) - 1;
}

static void
store64(uint8_t *p, uint64_t v)
{
	for (unsigned j = 0; j < 8; j++)
		p[j] = (uint8_t)(v >> 8 * j);
}

/* Up to 8 little-endian bytes. */
static uint64_t
load_le(const uint8_t *p, size_t c)
{
	uint64_t v = 0;

	for (size_t j = 0; j < c; j++)
		v |= (uint64_t)p[j] << 8 * j;
	return v;
}

/*
 * Word-typed packers: whole bytes per element for w = 8, 16, 32, eight
 * elements per byte for w = 1, a 64-bit accumulator for other w <= 56
 * (at most 7 + 56 bits pending), a 128-bit one above that.
 */
#define DEFINE_PACKERS(T, NAME)						\
static void								\
pack_##NAME(uint8_t *out, const T *x, size_t n, unsigned w)		\
{									\
	uint64_t acc = 0, mk = (UINT64_C(1) << (w & 63)) - 1;		\
	unsigned nacc = 0;						\
	size_t i = 0;							\
									\
	switch (w) {							\
	case 1:								\
		for (; i + 8 <= n; i += 8) {				\
			unsigned b = 0;					\
			for (unsigned j = 0; j < 8; j++)		\
				b |= (unsigned)(x[i + j] & 1) << j;	\
			*out++ = (uint8_t)b;				\
		}							\
		if (i < n) {						\
			unsigned b = 0;					\
			for (unsigned j = 0; i + j < n; j++)		\
				b |= (unsigned)(x[i + j] & 1) << j;	\
			*out = (uint8_t)b;				\
		}							\
		return;							\
	case 8:								\
		for (; i < n; i++)					\
			out[i] = (uint8_t)x[i];				\
		return;							\
	case 16:							\
		for (; i < n; i++) {					\
			out[2 * i] = (uint8_t)x[i];			\
			out[2 * i + 1] = (uint8_t)(x[i] >> 8);		\
		}							\
		return;							\
	case 32:							\
		for (; i < n; i++)					\
			for (unsigned j = 0; j < 4; j++)		\
				out[4 * i + j] =			\
				    (uint8_t)((uint64_t)x[i] >> 8 * j);	\
		return;							\
	default:							\
		break;							\
	}								\
	if (w > 56) {							\
		/* a 128-bit accumulator, emptied 64 bits at a time */	\
		spu_u128 wide = 0;					\
		for (; i < n; i++) {					\
			wide |= (spu_u128)((uint64_t)x[i] & mk) << nacc; \
			if ((nacc += w) >= 64) {			\
				store64(out, (uint64_t)wide);		\
				out += 8;				\
				wide >>= 64;				\
				nacc -= 64;				\
			}						\
		}							\
		for (; nacc > 0; nacc -= nacc < 8 ? nacc : 8, wide >>= 8) \
			*out++ = (uint8_t)wide;				\
		return;							\
	}								\
	for (; i < n; i++) {						\
		acc |= ((uint64_t)x[i] & mk) << nacc;			\
		for (nacc += w; nacc >= 8; nacc -= 8, acc >>= 8)	\
			*out++ = (uint8_t)acc;				\
	}								\
	if (nacc > 0)							\
		*out = (uint8_t)acc;					\
}									\
									\
static void								\
unpack_##NAME(T *x, const uint8_t *in, size_t n, unsigned w)		\
{									\
	uint64_t acc = 0, mk = (UINT64_C(1) << (w & 63)) - 1;		\
	unsigned nacc = 0;						\
	size_t i = 0;							\
									\
	switch (w) {							\
	case 1:								\
		for (; i < n; i++)					\
			x[i] = (T)((in[i >> 3] >> (i & 7)) & 1);	\
		return;							\
	case 8:								\
		for (; i < n; i++)					\
			x[i] = in[i];					\
		return;							\
	case 16:							\
		for (; i < n; i++)					\
			x[i] = (T)(in[2 * i] | (unsigned)in[2 * i + 1] << 8); \
		return;							\
	case 32:							\
		for (; i < n; i++) {					\
			uint32_t v = 0;					\
			for (unsigned j = 0; j < 4; j++)		\
				v |= (uint32_t)in[4 * i + j] << 8 * j;	\
			x[i] = v;					\
		}							\
		return;							\
	default:							\
		break;							\
	}								\
	if (w > 56) {							\
		spu_u128 wide = 0;					\
		const uint8_t *end = in + spu_bool_packed_size(n, w);	\
		for (; i < n; i++) {					\
			if (nacc < w) {					\
				size_t c = end - in < 8 ? end - in : 8;	\
				wide |= (spu_u128)load_le(in, c) << nacc; \
				in += c;				\
				nacc += 8 * (unsigned)c;		\
			}						\
			x[i] = (T)((uint64_t)wide & mk);		\
			wide >>= w;					\
			nacc -= w;					\
		}							\
		return;							\
	}								\
	for (; i < n; i++) {						\
		for (; nacc < w; nacc += 8)				\
			acc |= (uint64_t)*in++ << nacc;			\
		x[i] = (T)(acc & mk);					\
		acc >>= w;						\
		nacc -= w;						\
	}								\
}

DEFINE_PACKERS(uint32_t, 32)
DEFINE_PACKERS(uint64_t, 64)

void
spu_bool_pack(unsigned field, uint8_t *out, const void *x, size_t n,
    unsigned w)
{
	if (w == field) {
		/* whole words, host (little-endian) order as in ring.h */
		memcpy(out, x, n * spu_ring_size(field));
		return;
	}
	if (field == 32) {
		pack_32(out, x, n, w);
	} else if (field == 64) {
		pack_64(out, x, n, w);
	} else {
		struct spu_bitw bw = { out, 0, 0 };
		for (size_t i = 0; i < n; i++)
			spu_bitw_put(&bw, ((const spu_u128 *)x)[i], w);
		spu_bitw_flush(&bw);
	}
}

void
spu_bool_unpack(unsigned field, void *x, const uint8_t *in, size_t n,
    unsigned w)
{
	if (w == field) {
		memcpy(x, in, n * spu_ring_size(field));
		return;
	}
	if (field == 32) {
		unpack_32(x, in, n, w);
	} else if (field == 64) {
		unpack_64(x, in, n, w);
	} else {
		struct spu_bitr br = { in, 0, 0 };
		for (size_t i = 0; i < n; i++)
			((spu_u128 *)x)[i] = spu_bitr_get(&br, w);
	}
}

/* ---- packed buffers ---- */

static size_t
words(size_t len)
{
	return (len + 7) / 8;
}

uint8_t *
spu_bytes_alloc(size_t len)
{
	if (len > SIZE_MAX - 8)
		return NULL;
	return spu_malloc(words(len) == 0 ? 1 : words(len), 8);
}

void
spu_bytes_free(uint8_t *p, size_t len)
{
	spu_free_sized(p, len);
}

/* Whole words through memcpy (any alignment, one load each), then the
 * tail a byte at a time (memcpy to and from the same end of the word,
 * so byte order does not matter): exactly len bytes are written. */
#define BYTES_LOOP(len, EXPR) do {					\
	size_t i_ = 0;							\
	for (; i_ + 8 <= (len); i_ += 8) {				\
		uint64_t v_[5], r_;					\
		LOAD_OPERANDS(i_, 8);					\
		r_ = (EXPR);						\
		memcpy(z + i_, &r_, 8);					\
	}								\
	for (; i_ < (len); i_++) {					\
		uint64_t v_[5], r_;					\
		LOAD_OPERANDS(i_, 1);					\
		r_ = (EXPR);						\
		memcpy(z + i_, &r_, 1);					\
	}								\
} while (0)

void
spu_bytes_xor(uint8_t *z, const uint8_t *x, const uint8_t *y, size_t len)
{
#define LOAD_OPERANDS(i, c) (v_[0] = v_[1] = 0, memcpy(&v_[0], x + (i), c), \
	memcpy(&v_[1], y + (i), c))
	BYTES_LOOP(len, v_[0] ^ v_[1]);
#undef LOAD_OPERANDS
}

void
spu_bytes_and(uint8_t *z, const uint8_t *x, const uint8_t *y, size_t len)
{
#define LOAD_OPERANDS(i, c) (v_[0] = v_[1] = 0, memcpy(&v_[0], x + (i), c), \
	memcpy(&v_[1], y + (i), c))
	BYTES_LOOP(len, v_[0] & v_[1]);
#undef LOAD_OPERANDS
}

void
spu_bytes_and3(uint8_t *z, const uint8_t *x0, const uint8_t *x1,
    const uint8_t *y0, const uint8_t *y1, size_t len)
{
#define LOAD_OPERANDS(i, c) (v_[0] = v_[1] = v_[2] = v_[3] = 0,		\
	memcpy(&v_[0], x0 + (i), c), memcpy(&v_[1], x1 + (i), c),		\
	memcpy(&v_[2], y0 + (i), c), memcpy(&v_[3], y1 + (i), c))
	BYTES_LOOP(len, (v_[0] & (v_[2] ^ v_[3])) ^ (v_[1] & v_[2]));
#undef LOAD_OPERANDS
}

void
spu_bytes_xor_and2(uint8_t *z, const uint8_t *x0, const uint8_t *y0,
    const uint8_t *x1, const uint8_t *y1, size_t len)
{
#define LOAD_OPERANDS(i, c) (v_[0] = v_[1] = v_[2] = v_[3] = v_[4] = 0,	\
	memcpy(&v_[0], x0 + (i), c), memcpy(&v_[1], y0 + (i), c),	\
	memcpy(&v_[2], x1 + (i), c), memcpy(&v_[3], y1 + (i), c),	\
	memcpy(&v_[4], z + (i), c))
	BYTES_LOOP(len, v_[4] ^ (v_[0] & v_[1]) ^ (v_[2] & v_[3]));
#undef LOAD_OPERANDS
}
