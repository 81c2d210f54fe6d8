/*
 * index.h - gather and scatter with public indices, and convolution as
 * im2col plus one matrix product.  Data movement is local; only the
 * convolution's product communicates (one round, like any matmul).
 */
#ifndef SPU_HAL_INDEX_H
#define SPU_HAL_INDEX_H

#include "hal.h"

/* XLA gather/scatter dimension numbers (lists with their lengths). */
struct spu_dimnums {
	const int64_t *offset, *collapsed, *index_map, *slice_sizes;
	const int64_t *operand_batch, *indices_batch;
	int noffset, ncollapsed, nindex_map, noperand_batch, nindices_batch;
	int64_t index_vector_dim;
};

/* Gather (XLA semantics) from x at the public integer indices idx into a
 * value of shape s. */
int spu_hal_gather(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *idx, const struct spu_dimnums *dn,
    const struct spu_shape *s, struct spu_value **out);

/* Scatter upd into x at public indices; offset = update window dims,
 * collapsed = inserted window dims, index_map = scatter dims to operand.
 * add: combine by addition, else replace.  Out-of-bounds windows are
 * skipped, as XLA does. */
int spu_hal_scatter(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *idx, const struct spu_value *upd,
    const struct spu_dimnums *dn, int add, struct spu_value **out);

struct spu_window {
	int n;				/* spatial dims */
	int64_t stride[SPU_MAX_DIMS], pad_lo[SPU_MAX_DIMS];
	int64_t base_dilate[SPU_MAX_DIMS], win_dilate[SPU_MAX_DIMS];
};

/* Convolution: conv_dims as in docs/bytecode.md, result dtype/shape of
 * type t/s.  Feature groups supported; batch groups must be 1. */
int spu_hal_conv(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *k, const int64_t *conv_dims,
    const struct spu_window *w, int64_t feature_groups,
    enum spu_dtype t, const struct spu_shape *s, struct spu_value **out);

#endif
