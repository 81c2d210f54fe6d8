/*
 * pieces.h - run an elementwise operation on very large vectors a piece
 * at a time.  Non-linear circuits (comparisons, A2B, the fixed-point
 * functions) need tens of times their operands' size in working memory;
 * cutting the operands into pieces of at most SPU_HAL_PIECE elements
 * bounds a run's memory at the cost of more rounds (one circuit's rounds
 * per piece) on very large tensors.
 */
#ifndef SPU_HAL_PIECES_H
#define SPU_HAL_PIECES_H

#include "../mpc/mpc.h"
#include "../value.h"

#define SPU_HAL_PIECE ((size_t)1 << 20)
/* The function library's circuits (bit decompositions, one-hot
 * normalizations) need hundreds of words per element: smaller pieces. */
#define SPU_HAL_PIECE_FN ((size_t)1 << 17)
#define SPU_HAL_PIECES_MAXK 16

/*
 * out[0..nout) = fn(m, arg, v[0..nv)) where fn is elementwise: operands
 * of one element count n (or scalars, passed whole), results of n
 * elements each.  Above SPU_HAL_PIECE elements fn sees flat views of
 * consecutive pieces (never to be freed) and the results are assembled
 * in the shape of the largest operand.  nv <= 2 SPU_HAL_PIECES_MAXK,
 * nout <= SPU_HAL_PIECES_MAXK; otherwise fn runs once on everything.
 */
int spu_hal_pieces(struct spu_mpc *m, int (*fn)(struct spu_mpc *, void *,
    struct spu_value *const *, struct spu_value **), void *arg,
    struct spu_value *const *v, int nv, struct spu_value **out, int nout);
/* The same with pieces of at most piece elements. */
int spu_hal_pieces_of(struct spu_mpc *m, int (*fn)(struct spu_mpc *,
    void *, struct spu_value *const *, struct spu_value **), void *arg,
    struct spu_value *const *v, int nv, struct spu_value **out, int nout,
    size_t piece);

#endif
