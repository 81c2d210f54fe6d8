/*
 * rowmax.c - the maximum (minimum) of every row of a secret [rows, w]
 * matrix with one comparison depth instead of a tree's ceil(log2 w).
 *
 * All w(w-1)/2 pairs of a row are compared at once (one MSB circuit
 * over every pair of every row); candidate t wins when it beats every
 * other, ties going to the lower index, so exactly one candidate of a
 * row wins: an AND fold of its w-1 boolean results (ceil(log2(w-1))
 * rounds) gives a one-hot bit, and the row's result is the sum of its
 * values times their bits (the boolean bit applied straight to the
 * value, no B2A).  Rounds: MSB + ceil(log2(w-1)) + one bit product,
 * against the tree's ceil(log2 w) full comparisons; bytes grow by about
 * w/2, so it is for short rows (a softmax over classes).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "hal.h"
#include "rowmax.h"
#include "cmp.h"
#include "../mpc/boolean.h"

/* The index of pair (i, j), i < j, among the pairs of w in row-major
 * order of i. */
static size_t
pair_index(size_t w, size_t i, size_t j)
{
	return i * w - i * (i + 1) / 2 + (j - i - 1);
}

int
spu_hal_rowmax(struct spu_mpc *m, const struct spu_value *x, int is_max,
    struct spu_value **out)
{
	unsigned f = m->field;
	size_t rows, w, np;
	struct spu_sv C, D, B, W;
	struct spu_shape rs;
	struct spu_value *z = NULL;
	int rc = 0;

	if (x->vis != SPU_SECRET || x->shape.ndim != 2 || x->shape.dim[1] < 2)
		return spu_mpc_fail(m, SPU_EINVAL, "rowmax: bad operand");
	rows = (size_t)x->shape.dim[0];
	w = (size_t)x->shape.dim[1];
	np = w * (w - 1) / 2;
	memset(&C, 0, sizeof(C));
	memset(&D, 0, sizeof(D));
	memset(&B, 0, sizeof(B));
	memset(&W, 0, sizeof(W));
	rs.ndim = 1;
	rs.dim[0] = (int64_t)rows;
	if ((z = spu_hal_alloc(m, x->dtype, &rs, SPU_SECRET)) == NULL ||
	    (rc = spu_sv_alloc(m, &C, w * rows)) != 0 ||
	    (rc = spu_sv_alloc(m, &D, np * rows)) != 0 ||
	    (rc = spu_sv_alloc(m, &B, np * rows)) != 0 ||
	    (rc = spu_sv_alloc(m, &W, w * rows)) != 0) {
		rc = z == NULL ? spu_mpc_fail(m, SPU_ENOMEM, "out of memory") :
		    rc;
		goto out;
	}
	/* C = the columns: C[t rows + r] = x[r, t] */
	for (int s = 0; s < m->nshares; s++)
		for (size_t r = 0; r < rows; r++)
			for (size_t t = 0; t < w; t++)
				spu_bset(f, C.s[s], t * rows + r,
				    spu_bget(f, x->share[s], r * w + t));
	/* D[(i, j)] = x_i - x_j (max) or x_j - x_i (min): its MSB says
	 * that j beats i */
	for (size_t i = 0; i < w; i++)
		for (size_t j = i + 1; j < w; j++) {
			struct spu_sv ci = spu_sv_view(m, &C, i * rows, rows);
			struct spu_sv cj = spu_sv_view(m, &C, j * rows, rows);
			struct spu_sv d = spu_sv_view(m, &D,
			    pair_index(w, i, j) * rows, rows);
			if (is_max)
				spu_mpc_sub(m, d.s, ci.s, cj.s, rows);
			else
				spu_mpc_sub(m, d.s, cj.s, ci.s, rows);
		}
	if ((rc = spu_b_msb(m, B.s, D.s, np * rows,
	    spu_hal_cmp_bits(m, x->dtype))) != 0)
		goto out;
	/* W[t rows + r] bit q: t beats its q-th opponent.  Against a
	 * later j that is NOT B(t, j), a public flip applied below. */
	for (size_t t = 0; t < w; t++) {
		spu_u128 flip = 0;
		for (int s = 0; s < m->nshares; s++)
			for (size_t r = 0; r < rows; r++) {
				spu_u128 v = 0;
				unsigned q = 0;
				for (size_t j = 0; j < w; j++) {
					size_t p;
					if (j == t)
						continue;
					p = j < t ? pair_index(w, j, t) :
					    pair_index(w, t, j);
					v |= (spu_bget(f, B.s[s], p * rows + r) &
					    1) << q;
					if (j > t)
						flip |= (spu_u128)1 << q;
					q++;
				}
				spu_bset(f, W.s[s], t * rows + r, v);
			}
		{
			struct spu_sv wt = spu_sv_view(m, &W, t * rows, rows);
			if ((rc = spu_b_xor_c(m, wt.s, wt.s, flip, rows)) != 0)
				goto out;
		}
	}
	if ((rc = spu_b_and_fold(m, W.s, W.s, w * rows,
	    (unsigned)(w - 1))) != 0 ||
	    (rc = spu_b_mul_a(m, C.s, C.s, W.s, w * rows)) != 0)
		goto out;
	for (size_t t = 0; t < w; t++) {
		struct spu_sv ct = spu_sv_view(m, &C, t * rows, rows);
		spu_mpc_add(m, z->share, z->share, ct.s, rows);
	}
out:
	spu_sv_free(m, &C);
	spu_sv_free(m, &D);
	spu_sv_free(m, &B);
	spu_sv_free(m, &W);
	if (rc != 0) {
		spu_value_free(z);
		z = NULL;
	}
	*out = z;
	return rc;
}
