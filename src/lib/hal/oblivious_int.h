/*
 * oblivious_int.h - shared by oblivious.c and oblivious_batch.c: the
 * operand batching dimensions of a gather or scatter at secret indices
 * (take_along_axis and its gradient), as a regrouping of the index
 * vectors by batch.
 */
#ifndef SPU_HAL_OBLIVIOUS_INT_H
#define SPU_HAL_OBLIVIOUS_INT_H

#include "index.h"

/* B batches of Gb index vectors each.  Index vector g (row-major over
 * the index tensor's dimensions but the index vector dimension) is row
 * row[g] = b * Gb + r of the regrouped one-hot, r its rank within batch
 * b; batch b starts at element off[b] of the operand.  Without batching
 * dimensions B = 1, row[g] = g and off[0] = 0. */
struct spu_obl_batch {
	int64_t B, Gb;
	int64_t *row, *off;
};

/* Fill bt for an operand of shape xs, indices of shape is holding G
 * index vectors, and the batching dimensions of dn; checks them. */
int spu_obl_batch_init(struct spu_mpc *m, struct spu_obl_batch *bt,
    const struct spu_shape *xs, const struct spu_shape *is,
    const struct spu_dimnums *dn, int64_t G);
void spu_obl_batch_free(struct spu_obl_batch *bt);

#endif
