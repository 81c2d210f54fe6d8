/*
 * oblivious.h - gather, dynamic slices and scatter at SECRET indices, by
 * one-hot selection: for each secret start s and each candidate start v,
 * [s == v] (gathers clamp s into range first, as XLA does; scatters skip
 * windows out of range) from one batched comparison of s against every
 * threshold, then one matrix product selects (or places) every window at
 * once:
 *
 *   gather:   out[g, w] = sum_c OH[g, c] X[c, w]     X[c] = window at c
 *   update:   out = x + OH . D                      D[c] = (upd - x) at c
 *   scatter:  Y = OH^T . U, added (or, for replace, substituted) at the
 *             public positions of every candidate window
 *
 * Costs: one MSB circuit over G x (number of candidates) elements (G
 * index vectors), a product per extra indexed dimension, and one matrix
 * product (1 round).  Memory: candidates x window elements.  With
 * operand batching dimensions (take_along_axis and its gradient) every
 * batch selects among its own candidates: the one-hot rows are grouped
 * by batch and the product is one batched matmul (memory: batches x
 * candidates x window elements).  A replacing scatter assumes unique
 * indices.
 */
#ifndef SPU_HAL_OBLIVIOUS_H
#define SPU_HAL_OBLIVIOUS_H

#include "index.h"

int spu_hal_obl_gather(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *idx, const struct spu_dimnums *dn,
    const struct spu_shape *s, struct spu_value **out);
int spu_hal_obl_dyn_slice(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *const *idx, const int64_t *sizes,
    struct spu_value **out);
int spu_hal_obl_dyn_update_slice(struct spu_mpc *m,
    const struct spu_value *x, const struct spu_value *upd,
    const struct spu_value *const *idx, struct spu_value **out);
int spu_hal_obl_scatter(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *idx, const struct spu_value *upd,
    const struct spu_dimnums *dn, int add, struct spu_value **out);

#endif
