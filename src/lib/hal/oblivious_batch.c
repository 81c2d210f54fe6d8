/*
 * oblivious_batch.c - which batch, and which row within it, each index
 * vector of a gather or scatter at secret indices belongs to, and where
 * each batch starts in the operand (oblivious_int.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oblivious_int.h"
#include "../mem.h"

void
spu_obl_batch_free(struct spu_obl_batch *bt)
{
	free(bt->row);
	free(bt->off);
	bt->row = bt->off = NULL;
}

int
spu_obl_batch_init(struct spu_mpc *m, struct spu_obl_batch *bt,
    const struct spu_shape *xs, const struct spu_shape *is,
    const struct spu_dimnums *dn, int64_t G)
{
	int64_t gd[SPU_MAX_DIMS], c[SPU_MAX_DIMS] = { 0 }, xst[SPU_MAX_DIMS];
	int64_t ivd = dn->index_vector_dim;
	int bj[SPU_MAX_DIMS], ng = 0, nb = dn->noperand_batch;
	struct spu_shape gs = { 0, { 0 } }, bs = { 0, { 0 } };

	memset(bt, 0, sizeof(*bt));
	bt->B = 1;
	/* the dimensions of g; bj: which batching dimension each is */
	for (int d = 0; d < is->ndim; d++)
		if (d != ivd) {
			bj[ng] = -1;
			gd[ng++] = is->dim[d];
		}
	if (nb != dn->nindices_batch || nb > xs->ndim)
		return spu_mpc_fail(m, SPU_ESHAPE, "bad batching dimensions");
	for (int j = 0; j < nb; j++) {
		int64_t ib = dn->indices_batch[j], ob = dn->operand_batch[j];
		int pos = (int)(ib > ivd ? ib - 1 : ib), again = 0;
		for (int k = 0; k < j; k++)
			again |= dn->operand_batch[k] == ob;
		/* a batching dimension is never indexed */
		for (int k = 0; k < dn->nindex_map; k++)
			again |= dn->index_map[k] == ob;
		if (ib < 0 || ib >= is->ndim || ib == ivd || ob < 0 ||
		    ob >= xs->ndim || again || bj[pos] >= 0 ||
		    xs->dim[ob] != is->dim[ib])
			return spu_mpc_fail(m, SPU_ESHAPE, "bad batching "
			    "dimensions");
		bj[pos] = j;
		bs.dim[bs.ndim++] = xs->dim[ob];
		bt->B *= xs->dim[ob];
	}
	gs.ndim = ng;
	memcpy(gs.dim, gd, sizeof(int64_t) * (size_t)ng);
	if (spu_shape_numel(&gs) != G)
		return spu_mpc_fail(m, SPU_ESHAPE, "bad index shape");
	bt->Gb = bt->B > 0 ? G / bt->B : 0;
	if ((bt->row = spu_malloc((size_t)G + 1, sizeof(int64_t))) == NULL ||
	    (bt->off = spu_malloc((size_t)bt->B + 1, sizeof(int64_t))) ==
	    NULL) {
		spu_obl_batch_free(bt);
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	}
	/* b row-major over the batching dimensions in their listed order,
	 * r over the other dimensions of g */
	for (int64_t g = 0; g < G; g++, spu_shape_next(&gs, c)) {
		int64_t b = 0, r = 0;
		for (int j = 0; j < nb; j++)
			for (int i = 0; i < ng; i++)
				if (bj[i] == j)
					b = b * gd[i] + c[i];
		for (int i = 0; i < ng; i++)
			if (bj[i] < 0)
				r = r * gd[i] + c[i];
		bt->row[g] = b * bt->Gb + r;
	}
	spu_shape_strides(xs, xst);
	memset(c, 0, sizeof(c));
	for (int64_t b = 0; b < bt->B; b++, spu_shape_next(&bs, c)) {
		bt->off[b] = 0;
		for (int j = 0; j < nb; j++)
			bt->off[b] += c[j] * xst[dn->operand_batch[j]];
	}
	return 0;
}
