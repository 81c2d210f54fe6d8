/*
 * fuzz_bc_decode.c - libFuzzer target for the bytecode loader
 * (spu_bc_decode: magic, zstd frame, CBOR document, then
 * spu_bc_verify).
 *
 * An input that starts with the magic "SPUB" is decoded as it is.  Any
 * other input is taken as the uncompressed CBOR document and wrapped
 * (magic + zstd) first, so that mutations reach the CBOR reader and the
 * verifier instead of dying in zstd.  A program that decodes must list
 * with spu_bc_dump, encode, and decode again to the same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "bytecode.h"
#include "fuzz.h"

#define MAGIC "SPUB"
#define MAGIC_LEN 4

static void
check_program(const struct spu_program *p)
{
	struct spu_program *p2 = NULL;
	struct spu_diag d;
	uint8_t *b1 = NULL, *b2 = NULL;
	size_t l1 = 0, l2 = 0;
	char *text = NULL;
	size_t tlen = 0;
	FILE *f;
	int err;

	if ((f = open_memstream(&text, &tlen)) == NULL)
		abort();
	spu_bc_dump(f, p);
	FUZZ_CHECK(fclose(f) == 0, "listing failed");
	free(text);

	d.msg[0] = '\0';
	err = spu_bc_encode(p, &b1, &l1, &d);
	FUZZ_CHECK(err == 0, "a decoded program does not encode");
	err = spu_bc_decode(b1, l1, &p2, &d);
	FUZZ_CHECK(err == 0, "an encoded program does not decode");
	err = spu_bc_encode(p2, &b2, &l2, &d);
	FUZZ_CHECK(err == 0, "a re-decoded program does not encode");
	FUZZ_CHECK(l1 == l2 && memcmp(b1, b2, l1) == 0,
	    "encode(decode(encode(p))) differs from encode(p)");
	spu_program_free(p2);
	free(b2);
	free(b1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spu_program *p = NULL;
	struct spu_diag d;
	uint8_t *wrapped = NULL;
	size_t cap, z;
	int err;

	if (size < MAGIC_LEN || memcmp(data, MAGIC, MAGIC_LEN) != 0) {
		cap = MAGIC_LEN + ZSTD_compressBound(size);
		if ((wrapped = malloc(cap)) == NULL)
			abort();
		memcpy(wrapped, MAGIC, MAGIC_LEN);
		z = ZSTD_compress(wrapped + MAGIC_LEN, cap - MAGIC_LEN, data,
		    size, 1);
		FUZZ_CHECK(!ZSTD_isError(z), "zstd compression failed");
		data = wrapped;
		size = MAGIC_LEN + z;
	}
	d.msg[0] = '\0';
	if ((err = spu_bc_decode(data, size, &p, &d)) != 0) {
		fuzz_check_err(err, &d);
		FUZZ_CHECK(p == NULL, "output set on failure");
	} else {
		FUZZ_CHECK(p != NULL, "no program on success");
		check_program(p);
		spu_program_free(p);
	}
	free(wrapped);
	return 0;
}
