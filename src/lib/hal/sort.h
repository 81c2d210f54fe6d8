/*
 * sort.h - oblivious sorting of values along one dimension by Batcher's
 * odd-even merge sort: ceil(log2 n)(ceil(log2 n) + 1) / 2 layers of
 * disjoint compare-exchange pairs, whatever the data.  Each layer runs
 * the comparator once on every pair of the layer (all rows at once) and
 * swaps all operands with one multiplication round.  Network sizes that
 * are not a power of two drop the comparators that touch the virtual
 * +infinity padding (every comparator sends the smaller element to the
 * lower index, so the padding never moves).
 *
 * A sorting network is not stable; asked for stability, the sort carries
 * each element's original position and breaks ties with it (one more
 * comparator call, one comparison and one product per layer).
 */
#ifndef SPU_HAL_SORT_H
#define SPU_HAL_SORT_H

#include "../mpc/mpc.h"
#include "../value.h"

#define SPU_SORT_MAXK 16

/* The order: *out (pred, n elements) = 1 where the element made of
 * p[0..k)[i] must go before the one made of q[0..k)[i].  The operands
 * are flat vectors of n elements. */
struct spu_sort_order {
	int (*before)(void *arg, struct spu_mpc *m,
	    struct spu_value *const *p, struct spu_value *const *q, int k,
	    struct spu_value **out);
	void *arg;
};

/* Sort the k operands x[] (one shape) together along dimension dim;
 * out[0..k) get new values. */
int spu_hal_sort(struct spu_mpc *m, const struct spu_value *const *x, int k,
    int dim, const struct spu_sort_order *ord, int stable,
    struct spu_value **out);

/* The compare-exchange pairs (lo < hi < n) of layer `layer` of the
 * network for n elements, into lo[], hi[] (room for n / 2); returns the
 * pair count, or -1 when there is no such layer. */
int64_t spu_sort_layer(int64_t n, int layer, int64_t *lo, int64_t *hi);

#endif
