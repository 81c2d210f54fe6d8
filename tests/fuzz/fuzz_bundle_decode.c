/*
 * fuzz_bundle_decode.c - libFuzzer target for the share-bundle reader
 * (spu_bundle_decode).
 *
 * Every input is decoded as it is (so the integrity check is fuzzed).
 * When it ends in the bundle tail (text "hash", a 32-byte byte string)
 * with a wrong hash, a copy with the BLAKE2b-256 hash recomputed, as
 * docs/shares.md defines it, is decoded too, so that mutations reach the
 * header fields and payload checks behind the hash.  A bundle that
 * decodes must encode, decode and encode again to the same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"
#include "fuzz.h"

#define HASH_LEN 32
static const uint8_t tail_head[7] = { 0x64, 'h', 'a', 's', 'h', 0x58, 0x20 };
#define TAIL_LEN (sizeof(tail_head) + HASH_LEN)

static void
check_bundle(const struct spu_bundle *b)
{
	struct spu_bundle *b2 = NULL;
	struct spu_diag d;
	uint8_t *e1 = NULL, *e2 = NULL;
	size_t l1 = 0, l2 = 0;
	int err;

	d.msg[0] = '\0';
	err = spu_bundle_encode(b, &e1, &l1, &d);
	FUZZ_CHECK(err == 0, "a decoded bundle does not encode");
	err = spu_bundle_decode(e1, l1, &b2, &d);
	FUZZ_CHECK(err == 0, "an encoded bundle does not decode");
	err = spu_bundle_encode(b2, &e2, &l2, &d);
	FUZZ_CHECK(err == 0, "a re-decoded bundle does not encode");
	FUZZ_CHECK(l1 == l2 && memcmp(e1, e2, l1) == 0,
	    "encode(decode(encode(b))) differs from encode(b)");
	spu_bundle_free(b2);
	free(e2);
	free(e1);
}

static int
decode(const uint8_t *data, size_t size)
{
	struct spu_bundle *b = NULL;
	struct spu_diag d;
	int err;

	d.msg[0] = '\0';
	if ((err = spu_bundle_decode(data, size, &b, &d)) != 0) {
		fuzz_check_err(err, &d);
		FUZZ_CHECK(b == NULL, "output set on failure");
		return err;
	}
	FUZZ_CHECK(b != NULL, "no bundle on success");
	check_bundle(b);
	spu_bundle_free(b);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	uint8_t hash[HASH_LEN], *fixed;

	if (!init) {
		if (sodium_init() < 0)
			abort();
		init = 1;
	}
	if (decode(data, size) == 0 || size < TAIL_LEN ||
	    memcmp(data + size - TAIL_LEN, tail_head, sizeof(tail_head)) != 0)
		return 0;
	crypto_generichash(hash, HASH_LEN, data, size - TAIL_LEN, NULL, 0);
	if (memcmp(hash, data + size - HASH_LEN, HASH_LEN) == 0)
		return 0;
	if ((fixed = malloc(size)) == NULL)
		abort();
	memcpy(fixed, data, size - HASH_LEN);
	memcpy(fixed + size - HASH_LEN, hash, HASH_LEN);
	decode(fixed, size);
	free(fixed);
	return 0;
}
