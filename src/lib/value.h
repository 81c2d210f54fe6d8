/*
 * value.h - a value as one party holds it during a computation: dtype,
 * shape, visibility and the ring words of this party's share(s).
 *
 * PUBLIC values hold one ring vector, identical on every party.  SECRET
 * values hold the protocol's share vectors (ref2k 1, semi2k 1, aby3 2).
 */
#ifndef SPU_VALUE_H
#define SPU_VALUE_H

#include "ring.h"
#include "tensor.h"

#define SPU_MAX_SHARES 2

enum spu_vis { SPU_PUBLIC = 0, SPU_SECRET = 1 };

struct spu_value {
	enum spu_dtype dtype;
	struct spu_shape shape;
	size_t n;			/* element count */
	enum spu_vis vis;
	unsigned field;
	int nshares;			/* ring vectors in share[] */
	void *share[SPU_MAX_SHARES];	/* each n * field/8 bytes */
	/* nonzero: the VM's id for a value that two products (or a loop's
	 * iterations) may read, one of the run's inputs or a result; its
	 * shares never change (see matmul_id in mpc.h) */
	uint64_t input_id;
	/* nonzero: a secret pred held as a boolean (XOR) sharing of bit 0
	 * of each word, as comparisons leave it (hal/cmp_xor.c) */
	int xor_shared;
};

const char *spu_vis_name(enum spu_vis v);

/* Allocate with zeroed share vectors; NULL on overflow or no memory. */
struct spu_value *spu_value_new(enum spu_dtype t, const struct spu_shape *s,
    enum spu_vis vis, unsigned field, int nshares);
/* Wipes secret shares before freeing.  Accepts NULL. */
void spu_value_free(struct spu_value *v);
/* Deep copy; NULL on no memory. */
struct spu_value *spu_value_dup(const struct spu_value *v);

#endif
