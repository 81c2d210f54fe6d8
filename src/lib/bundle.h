/*
 * bundle.h - share bundles (.shr): one party's shares of one or more
 * named values.  Specified in docs/shares.md.
 *
 * Every party's bundle of one sharing carries the same 16-byte bundle id,
 * so bundles of different sharings are never mixed up.  Readers check the
 * magic, version, integrity hash, limits and internal consistency before
 * returning anything.
 */
#ifndef SPU_BUNDLE_H
#define SPU_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "protocol.h"
#include "value.h"

#define SPU_BUNDLE_VERSION 1
#define SPU_BUNDLE_ID_LEN 16
#define SPU_BUNDLE_MAX_VALUES 65536
#define SPU_BUNDLE_MAX_NAME 256

struct spu_bundle_value {
	char *name;
	struct spu_value *v;	/* nshares = 1 if public, else protocol's */
};

struct spu_bundle {
	enum spu_protocol protocol;
	unsigned field;
	int fxp;
	int party, nparties;
	uint8_t id[SPU_BUNDLE_ID_LEN];
	size_t nvalues;
	struct spu_bundle_value *values;
};

/* Allocate an empty bundle with room for nvalues (names/values NULL). */
struct spu_bundle *spu_bundle_new(size_t nvalues);
/* Frees names and values (wiping secret shares).  Accepts NULL. */
void spu_bundle_free(struct spu_bundle *b);

int spu_bundle_encode(const struct spu_bundle *b, uint8_t **buf, size_t *len,
    struct spu_diag *d);
int spu_bundle_decode(const uint8_t *buf, size_t len, struct spu_bundle **out,
    struct spu_diag *d);
/* "-" = stdin/stdout.  Writes atomically (temporary name, fsync, rename).
 * Messages name the path. */
int spu_bundle_write_file(const char *path, const struct spu_bundle *b,
    struct spu_diag *d);
int spu_bundle_read_file(const char *path, struct spu_bundle **out,
    struct spu_diag *d);

#endif
