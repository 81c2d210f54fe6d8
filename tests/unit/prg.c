/*
 * prg.c - the PRG's in-place forms draw the same streams as its buffer
 * forms: spu_prg_xor(buf) == buf ^ spu_prg_bytes, spu_prg_ring_add(z)
 * == z +- spu_prg_ring, over lengths that cross the ring form's 16 KiB
 * chunks, in every field; each call advances the stream once, so two
 * calls never draw the same bytes.  A skipped draw read in parts
 * (spu_prg_xor_at, in any order) is the draw spu_prg_bytes would have
 * made, and the skip advances the stream like a draw.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "prg.h"
#include "ring.h"
#include "../tap.h"

static void
two_streams(struct spu_prg *a, struct spu_prg *b)
{
	uint8_t seed[SPU_SEED_LEN], session[SPU_SEED_LEN];

	memset(seed, 3, sizeof(seed));
	memset(session, 5, sizeof(session));
	spu_prg_init(a, seed, session, "test");
	spu_prg_init(b, seed, session, "test");
}

int
main(void)
{
	static const unsigned fields[] = { 32, 64, 128 };
	static const size_t lens[] = { 1, 7, 1024, 1025, 5000 };
	struct spu_prg a, b;

	if (sodium_init() < 0)
		return 1;
	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		size_t len = lens[li] * 16;
		uint8_t *x = malloc(len), *y = malloc(len), *r = malloc(len);
		two_streams(&a, &b);
		randombytes_buf(x, len);
		memcpy(y, x, len);
		spu_prg_xor(&a, x, len);
		spu_prg_bytes(&b, r, len);
		for (size_t i = 0; i < len; i++)
			y[i] ^= r[i];
		ok(memcmp(x, y, len) == 0, "xor of %zu bytes = bytes, xored",
		    len);
		spu_prg_xor(&a, x, len);
		spu_prg_bytes(&b, r, len);
		for (size_t i = 0; i < len; i++)
			y[i] ^= r[i];
		ok(memcmp(x, y, len) == 0, "and the next call too");
		spu_prg_bytes(&b, y, len);
		ok(memcmp(r, y, len) != 0, "a later call draws other bytes");
		free(x);
		free(y);
		free(r);
	}
	for (size_t fi = 0; fi < 3; fi++)
		for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
			unsigned f = fields[fi];
			size_t n = lens[li], K = spu_ring_size(f);
			uint8_t *z = malloc(n * K), *w = malloc(n * K),
			    *r = malloc(n * K);
			int good = 1;
			for (int neg = 0; neg < 2; neg++) {
				two_streams(&a, &b);
				randombytes_buf(z, n * K);
				memcpy(w, z, n * K);
				spu_prg_ring_add(&a, f, z, n, neg);
				spu_prg_ring(&b, f, r, n);
				if (neg)
					spu_ring_sub(f, w, w, r, n);
				else
					spu_ring_add(f, w, w, r, n);
				good &= memcmp(z, w, n * K) == 0;
			}
			ok(good, "ring_add and its negation of %zu words in "
			    "Z_2^%u = ring, added", n, f);
			free(z);
			free(w);
			free(r);
		}
	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		size_t len = lens[li] * 16, part = 64 * 5;
		uint8_t *x = calloc(1, len), *r = malloc(len), *y = malloc(len);
		uint64_t id;
		two_streams(&a, &b);
		spu_prg_bytes(&a, r, 16);
		id = spu_prg_skip(&b);
		ok(id == 0, "the first draw's id is 0");
		spu_prg_bytes(&a, r, len);
		id = spu_prg_skip(&b);
		/* parts from the last to the first */
		for (size_t o = (len - 1) / part * part;; o -= part) {
			spu_prg_xor_at(&b, id, o, x + o,
			    len - o < part ? len - o : part);
			if (o == 0)
				break;
		}
		ok(memcmp(x, r, len) == 0, "a skipped draw of %zu bytes read "
		    "in parts = the draw", len);
		spu_prg_bytes(&a, r, 16);
		spu_prg_bytes(&b, y, 16);
		ok(memcmp(r, y, 16) == 0, "and the stream goes on in step");
		free(x);
		free(r);
		free(y);
	}
	return done_testing();
}
