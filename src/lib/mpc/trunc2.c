/*
 * trunc2.c - the local ends of TruncAPr2 (protocols.md 2.6, eprint
 * 2025/200 Alg. 4), shared by semi2k with two parties and aby3: x =
 * t0 + t1 mod L = 2^k held 2-out-of-2, |x| < 2^(k-2).  The wrap count
 * MW = u0 u1 + 1 - [t0 < L/4], with u0 = [t0 - L/4 mod L >= L/2] and
 * u1 = [t1 >= L/2], is exactly wrap(t0, t1) + msb(x), and
 *   y_i = (t_i >>l m) - MW_i 2^(k-m)  (+1 at the first half)
 * shares floor(x / 2^m) or one more.  Only MW mod 2^m matters, so the
 * private product u0 u1 (the one interactive step, the protocol's) runs
 * in a ring of spu_trunc2_width() bits.
 */
#include "config.h"

#include <stdint.h>

#include "mpc.h"

unsigned
spu_trunc2_width(unsigned field, unsigned bits)
{
	unsigned sw = bits <= 32 ? 32 : bits <= 64 ? 64 : 128;

	return sw > field ? field : sw;
}

void
spu_trunc2_bit(unsigned field, unsigned sw, void *u, const void *t,
    size_t n, int first)
{
	spu_u128 q = first ? (spu_u128)1 << (field - 2) : 0;

	if (field == 64 && sw == 32) {
		const uint64_t *tv = t;
		uint32_t *uv = u;
		for (size_t i = 0; i < n; i++)
			uv[i] = (uint32_t)((tv[i] - (uint64_t)q) >> 63);
		return;
	}
	for (size_t i = 0; i < n; i++)
		spu_ring_set(sw, u, i,
		    ((spu_ring_get(field, t, i) - q) >> (field - 1)) & 1);
}

void
spu_trunc2_finish(unsigned field, unsigned sw, void *y, const void *t,
    const void *mw, size_t n, unsigned bits, int first)
{
	unsigned k = field;

	if (field == 64 && sw == 32) {
		const uint64_t *tv = t;
		const uint32_t *wv = mw;
		uint64_t *yv = y;
		for (size_t i = 0; i < n; i++) {
			uint64_t w = wv[i], v = tv[i];
			if (first)
				w += 1 - (v >> 62 == 0);
			yv[i] = (v >> bits) - (w << (k - bits)) + (first != 0);
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		spu_u128 w = spu_ring_get(sw, mw, i), v = spu_ring_get(k, t, i);
		if (first)
			w += 1 - (v >> (k - 2) == 0);
		spu_ring_set(k, y, i, (v >> bits) - (w << (k - bits)) +
		    (first != 0));
	}
}
