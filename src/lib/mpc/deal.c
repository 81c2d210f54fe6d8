/* deal.c - offline sharing and reconstruction. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "deal.h"
#include "../mem.h"
#include "../ring.h"

void
spu_deal_split(enum spu_protocol p, unsigned field, int nparties,
    const void *x, size_t n, void *out[][SPU_MAX_SHARES])
{
	size_t bytes = n * spu_ring_size(field);

	switch (p) {
	case SPU_REF2K:
		for (int i = 0; i < nparties; i++)
			memcpy(out[i][0], x, bytes);
		break;
	case SPU_SEMI2K:
		/* parties 1..N-1 random, party 0 = x - sum of the others */
		memcpy(out[0][0], x, bytes);
		for (int i = 1; i < nparties; i++) {
			randombytes_buf(out[i][0], bytes);
			spu_ring_sub(field, out[0][0], out[0][0], out[i][0], n);
		}
		break;
	case SPU_ABY3:
		/* s1, s2 random, s0 = x - s1 - s2; party i: (s_i, s_{i+1}) */
		randombytes_buf(out[1][0], bytes);
		randombytes_buf(out[2][0], bytes);
		spu_ring_sub(field, out[0][0], x, out[1][0], n);
		spu_ring_sub(field, out[0][0], out[0][0], out[2][0], n);
		for (int i = 0; i < 3; i++)
			memcpy(out[i][1], out[(i + 1) % 3][0], bytes);
		break;
	}
}

int
spu_deal_join(enum spu_protocol p, unsigned field, int nparties,
    void *const in[][SPU_MAX_SHARES], void *x, size_t n)
{
	size_t bytes = n * spu_ring_size(field);

	switch (p) {
	case SPU_REF2K:
		for (int i = 1; i < nparties; i++)
			if (memcmp(in[0][0], in[i][0], bytes) != 0)
				return SPU_EPROTO;
		memcpy(x, in[0][0], bytes);
		break;
	case SPU_SEMI2K:
		memcpy(x, in[0][0], bytes);
		for (int i = 1; i < nparties; i++)
			spu_ring_add(field, x, x, in[i][0], n);
		break;
	case SPU_ABY3:
		for (int i = 0; i < 3; i++)
			if (memcmp(in[i][1], in[(i + 1) % 3][0], bytes) != 0)
				return SPU_EPROTO;
		spu_ring_add(field, x, in[0][0], in[1][0], n);
		spu_ring_add(field, x, x, in[2][0], n);
		break;
	}
	return 0;
}
