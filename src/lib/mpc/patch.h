/*
 * patch.h - a convolution's im2col patches described, not stored: the
 * left operand of its product, X[g][r][c] for fg groups, rows r = b nout
 * + o (image b, output position o) and columns c = ci kwin + q (input
 * feature ci of the group, window position q), is 0 where sp[o kwin + q]
 * < 0 (padding, dilation holes), else
 *
 *     x[b xb + (g cg + ci) xf + sp[o kwin + q]].
 *
 * Stored whole, X is kwin times the input (25 times for a 5x5 kernel),
 * and so would be its index map; protocols instead expand a few rows at
 * a time into a cache-sized buffer and multiply them (spu_patch_matmul).
 */
#ifndef SPU_PATCH_H
#define SPU_PATCH_H

#include <stddef.h>
#include <stdint.h>

struct spu_patch_map {
	int64_t fg, N, nout, cg, kwin;
	int64_t xb, xf;		/* strides of image and feature in x */
	const int64_t *sp;	/* nout kwin input offsets, -1: zero */
};

/* Rows [r0, r0 + rows) of group g of X from the ring vector x, cg kwin
 * words each, into dst. */
void spu_patch_rows(unsigned field, void *dst, const void *x,
    const struct spu_patch_map *pm, int64_t g, int64_t r0, int64_t rows);

/* The whole of X into dst (fg N nout cg kwin words). */
void spu_patch_all(unsigned field, void *dst, const void *x,
    const struct spu_patch_map *pm);

/*
 * z (fg N nout nn words) = X y, or z += X y with add, for X the patches
 * of x and y fg matrices of cg kwin by nn, a block of rows at a time.
 * Returns 0, or SPU_ENOMEM with z partly written.
 */
int spu_patch_matmul(unsigned field, void *z, const void *x,
    const struct spu_patch_map *pm, const void *y, size_t nn, int add);

#endif
