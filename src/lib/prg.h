/*
 * prg.h - seeded pseudo-random streams (ChaCha20 from libsodium).
 *
 * A stream is a 32-byte key and a call counter.  Each draw uses the
 * counter as the ChaCha20 nonce and then advances it, so no two draws of
 * one stream ever share keystream.  Parties that hold the same seed and
 * make the same sequence of draws get the same bytes: that is how PRSS
 * zero sharings and the semi2k dealer work without communication.
 */
#ifndef SPU_PRG_H
#define SPU_PRG_H

#include <stddef.h>
#include <stdint.h>

#define SPU_SEED_LEN 32

struct spu_prg {
	uint8_t key[SPU_SEED_LEN];
	uint64_t counter;
};

/* Key = BLAKE2b(seed, key = session, personal = label): a fresh stream for
 * every (seed, session, label), so runs never reuse a stream. */
void spu_prg_init(struct spu_prg *p, const uint8_t seed[SPU_SEED_LEN],
    const uint8_t session[SPU_SEED_LEN], const char *label);
void spu_prg_bytes(struct spu_prg *p, void *buf, size_t len);
/* buf ^= the next len bytes of the stream (what spu_prg_bytes would
 * have written). */
void spu_prg_xor(struct spu_prg *p, void *buf, size_t len);
/* z += (or -= if neg) the n ring words spu_prg_ring would have drawn,
 * a cache-sized chunk at a time (no buffer for the stream). */
void spu_prg_ring_add(struct spu_prg *p, unsigned field, void *z, size_t n,
    int neg);
/* Skip the stream's next draw, returning its id: a party that needs
 * only parts of it reads them with spu_prg_xor_at, in any order. */
uint64_t spu_prg_skip(struct spu_prg *p);
/* buf ^= bytes [off, off + len) of draw id of the stream (off a
 * multiple of 64, the ChaCha20 block). */
void spu_prg_xor_at(const struct spu_prg *p, uint64_t draw, size_t off,
    void *buf, size_t len);
/* z += (or -= if neg) the n ring words of draw id (a skipped one). */
void spu_prg_ring_add_at(const struct spu_prg *p, uint64_t draw,
    unsigned field, void *z, size_t n, int neg);
/* n random ring words of field bits. */
void spu_prg_ring(struct spu_prg *p, unsigned field, void *x, size_t n);
/* Wipe the key. */
void spu_prg_wipe(struct spu_prg *p);

#endif
