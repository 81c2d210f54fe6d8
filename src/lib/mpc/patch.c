/*
 * patch.c - a convolution's patches expanded a block of rows at a time
 * (patch.h), so that no protocol ever holds the whole im2col matrix.
 */
#include "config.h"

#include <string.h>

#include "patch.h"
#include "../err.h"
#include "../mem.h"
#include "../ring.h"

/* Words of X expanded per block: 512 KiB in FM64, within L2. */
#define BLOCK_WORDS 65536

void
spu_patch_rows(unsigned field, void *dst, const void *x,
    const struct spu_patch_map *pm, int64_t g, int64_t r0, int64_t rows)
{
	size_t K = spu_ring_size(field);
	int64_t kwin = pm->kwin;

	for (int64_t r = r0; r < r0 + rows; r++) {
		int64_t b = r / pm->nout, o = r % pm->nout;
		const int64_t *so = pm->sp + o * kwin;
		for (int64_t ci = 0; ci < pm->cg; ci++) {
			int64_t base = b * pm->xb + (g * pm->cg + ci) * pm->xf;
			if (K == 8) {
				const uint64_t *xv = x;
				uint64_t *d = dst;
				for (int64_t q = 0; q < kwin; q++)
					d[q] = so[q] < 0 ? 0 : xv[base + so[q]];
			} else {
				uint8_t *d = dst;
				for (int64_t q = 0; q < kwin; q++) {
					if (so[q] < 0)
						memset(d + q * K, 0, K);
					else
						memcpy(d + q * K,
						    (const uint8_t *)x +
						    (size_t)(base + so[q]) * K, K);
				}
			}
			dst = (uint8_t *)dst + (size_t)kwin * K;
		}
	}
}

void
spu_patch_all(unsigned field, void *dst, const void *x,
    const struct spu_patch_map *pm)
{
	size_t row = (size_t)(pm->cg * pm->kwin) * spu_ring_size(field);
	int64_t rows = pm->N * pm->nout;

	for (int64_t g = 0; g < pm->fg; g++)
		spu_patch_rows(field, (uint8_t *)dst + (size_t)(g * rows) * row,
		    x, pm, g, 0, rows);
}

int
spu_patch_matmul(unsigned field, void *z, const void *x,
    const struct spu_patch_map *pm, const void *y, size_t nn, int add)
{
	size_t K = spu_ring_size(field), k = (size_t)(pm->cg * pm->kwin);
	int64_t rows = pm->N * pm->nout;
	int64_t R = k >= BLOCK_WORDS ? 1 : (int64_t)(BLOCK_WORDS / k);
	uint8_t *xb, *t = NULL;

	if (R > rows)
		R = rows;
	if (R < 1)
		return 0;
	if ((xb = spu_malloc((size_t)R * k, K)) == NULL ||
	    (add && (t = spu_malloc((size_t)R * nn, K)) == NULL)) {
		spu_free_sized(xb, (size_t)R * k * K);
		return SPU_ENOMEM;
	}
	for (int64_t g = 0; g < pm->fg; g++) {
		const uint8_t *yg = (const uint8_t *)y + (size_t)g * k * nn * K;
		for (int64_t r0 = 0; r0 < rows; r0 += R) {
			int64_t c = rows - r0 < R ? rows - r0 : R;
			uint8_t *zr = (uint8_t *)z +
			    (size_t)(g * rows + r0) * nn * K;
			spu_patch_rows(field, xb, x, pm, g, r0, c);
			if (!add) {
				spu_ring_matmul(field, zr, xb, yg, 1, (size_t)c,
				    k, nn);
				continue;
			}
			spu_ring_matmul(field, t, xb, yg, 1, (size_t)c, k, nn);
			spu_ring_add(field, zr, zr, t, (size_t)c * nn);
		}
	}
	spu_free_secret(xb, (size_t)R * k * K);
	spu_free_secret(t, (size_t)R * nn * K);
	return 0;
}
