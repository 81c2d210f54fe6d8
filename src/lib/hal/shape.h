/*
 * shape.h - data movement on values: slice, concatenate, pad, reverse,
 * iota, dynamic slices with public indices, reduce-sum.  All local (no
 * communication): each share vector is moved the same way.
 */
#ifndef SPU_HAL_SHAPE_H
#define SPU_HAL_SHAPE_H

#include "hal.h"

/* out element i = source element idx[i] of the concatenated sources, or
 * the scalar `fill` when idx[i] < 0.  Sources of mixed visibility are all
 * shared first.  The result has shape s and dtype t. */
int spu_hal_index_move(struct spu_mpc *m, const struct spu_value *const *src,
    int nsrc, const int64_t *idx, const struct spu_value *fill,
    const struct spu_shape *s, enum spu_dtype t, struct spu_value **out);

int spu_hal_slice(struct spu_mpc *m, const struct spu_value *a,
    const int64_t *start, const int64_t *limit, const int64_t *stride,
    struct spu_value **out);
int spu_hal_concat(struct spu_mpc *m, const struct spu_value *const *a,
    int n, int dim, struct spu_value **out);
int spu_hal_pad(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *padval, const int64_t *lo, const int64_t *hi,
    const int64_t *interior, struct spu_value **out);
int spu_hal_reverse(struct spu_mpc *m, const struct spu_value *a,
    const int64_t *dims, int ndims, struct spu_value **out);
int spu_hal_iota(struct spu_mpc *m, enum spu_dtype t,
    const struct spu_shape *s, int dim, struct spu_value **out);
/* Start indices are public scalars, clamped as XLA does. */
int spu_hal_dyn_slice(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *const *idx, const int64_t *sizes,
    struct spu_value **out);
/* A slice that is one contiguous run of a, as a view of a's buffers
 * (free only the struct, before a): 1 when it is not one run. */
int spu_hal_slice_view(struct spu_mpc *m, const struct spu_value *a,
    const int64_t *start, const int64_t *limit, const int64_t *stride,
    struct spu_value **out);
/* A dynamic slice's start, limit and unit strides (starts clamped). */
int spu_hal_dyn_bounds(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *const *idx, const int64_t *sizes,
    int64_t *start, int64_t *limit, int64_t *one);
int spu_hal_dyn_update_slice(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *upd, const struct spu_value *const *idx,
    struct spu_value **out);
/* Sum over the dimensions in dims (plus init, a scalar). */
int spu_hal_reduce_sum(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *init, const int64_t *dims, int ndims,
    struct spu_value **out);

#endif
