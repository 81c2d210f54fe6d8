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

/* The nonce of draw c: c little-endian. */
static void
draw_nonce(uint64_t c, unsigned char nonce[crypto_stream_chacha20_NONCEBYTES])
{
	for (size_t i = 0; i < crypto_stream_chacha20_NONCEBYTES; i++)
		nonce[i] = (unsigned char)(c >> (8 * i));
}

/* The nonce of the stream's next call: its counter, little-endian. */
static void
next_nonce(struct spu_prg *p,
    unsigned char nonce[crypto_stream_chacha20_NONCEBYTES])
{
	draw_nonce(p->counter++, nonce);
}

uint64_t
spu_prg_skip(struct spu_prg *p)
{
	return p->counter++;
}

void
spu_prg_xor_at(const struct spu_prg *p, uint64_t draw, size_t off,
    void *buf, size_t len)
{
	unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];

	draw_nonce(draw, nonce);
	crypto_stream_chacha20_xor_ic(buf, buf, len, nonce, off / 64, p->key);
}

void
spu_prg_bytes(struct spu_prg *p, void *buf, size_t len)
{
	unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];

	next_nonce(p, nonce);
	crypto_stream_chacha20(buf, len, nonce, p->key);
}

/* The same stream as spu_prg_bytes, XORed into buf: no zeroing pass,
 * no buffer for the stream. */
void
spu_prg_xor(struct spu_prg *p, void *buf, size_t len)
{
	unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];

	next_nonce(p, nonce);
	crypto_stream_chacha20_xor(buf, buf, len, nonce, p->key);
}

/* Chunk of the stream that ring_add works through (cache-sized, a
 * multiple of the 64-byte ChaCha block and of every ring word). */
#define CHUNK 16384

void
spu_prg_ring_add_at(const struct spu_prg *p, uint64_t draw, unsigned field,
    void *z, size_t n, int neg)
{
	unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
	size_t K = spu_ring_size(field), per = CHUNK / K;
	_Alignas(64) unsigned char r[CHUNK];

	draw_nonce(draw, nonce);
	for (size_t i = 0; i < n; i += per) {
		size_t cnt = n - i < per ? n - i : per;
		unsigned char *zi = (unsigned char *)z + i * K;
		memset(r, 0, cnt * K);
		crypto_stream_chacha20_xor_ic(r, r, cnt * K, nonce,
		    (uint64_t)(i * K / 64), p->key);
		if (neg)
			spu_ring_sub(field, zi, zi, r, cnt);
		else
			spu_ring_add(field, zi, zi, r, cnt);
	}
	sodium_memzero(r, sizeof(r));
}

void
spu_prg_ring_add(struct spu_prg *p, unsigned field, void *z, size_t n,
    int neg)
{
	spu_prg_ring_add_at(p, spu_prg_skip(p), field, z, n, neg);
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
