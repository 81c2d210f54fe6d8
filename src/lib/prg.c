/* prg.c - ChaCha20 streams keyed by derived seeds. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "prg.h"
#include "ring.h"

void
spu_prg_init(struct spu_prg *p, const uint8_t seed[SPU_SEED_LEN],
    const uint8_t session[SPU_SEED_LEN], const char *label)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, session, SPU_SEED_LEN, sizeof(p->key));
	crypto_generichash_update(&st, (const unsigned char *)label,
	    strlen(label) + 1);
	crypto_generichash_update(&st, seed, SPU_SEED_LEN);
	crypto_generichash_final(&st, p->key, sizeof(p->key));
	sodium_memzero(&st, sizeof(st));
	p->counter = 0;
}

void
spu_prg_bytes(struct spu_prg *p, void *buf, size_t len)
{
	unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
	uint64_t c = p->counter++;

	for (size_t i = 0; i < sizeof(nonce); i++)
		nonce[i] = (unsigned char)(c >> (8 * i));
	crypto_stream_chacha20(buf, len, nonce, p->key);
}

void
spu_prg_ring(struct spu_prg *p, unsigned field, void *x, size_t n)
{
	spu_prg_bytes(p, x, n * spu_ring_size(field));
}

void
spu_prg_wipe(struct spu_prg *p)
{
	sodium_memzero(p, sizeof(*p));
}
