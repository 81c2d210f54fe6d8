/*
 * pieces.c - elementwise work on very large vectors in pieces (see
 * pieces.h): views into the operands, one call per piece, the results
 * copied into place.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "pieces.h"
#include "../value.h"

#define MAXK SPU_HAL_PIECES_MAXK

int
spu_hal_pieces(struct spu_mpc *m, int (*fn)(struct spu_mpc *, void *,
    struct spu_value *const *, struct spu_value **), void *arg,
    struct spu_value *const *v, int nv, struct spu_value **out, int nout)
{
	return spu_hal_pieces_of(m, fn, arg, v, nv, out, nout, SPU_HAL_PIECE);
}

int
spu_hal_pieces_of(struct spu_mpc *m, int (*fn)(struct spu_mpc *, void *,
    struct spu_value *const *, struct spu_value **), void *arg,
    struct spu_value *const *v, int nv, struct spu_value **out, int nout,
    size_t piece)
{
	struct spu_value view[2 * MAXK], *vp[2 * MAXK];
	struct spu_value *r[MAXK] = { NULL }, *z[MAXK] = { NULL };
	const struct spu_value *full = NULL;
	size_t n = 0, K = spu_ring_size(m->field);
	int rc = 0;

	for (int i = 0; i < nv; i++)
		if (v[i]->n > n) {
			n = v[i]->n;
			full = v[i];
		}
	if (nv > 2 * MAXK || nout < 1 || nout > MAXK ||
	    piece == 0 || n <= piece)
		return fn(m, arg, v, out);
	for (int i = 0; i < nv; i++)
		if (v[i]->n != n && v[i]->n != 1)
			return fn(m, arg, v, out);
	for (size_t off = 0; off < n && rc == 0; off += piece) {
		size_t c = n - off < piece ? n - off : piece;
		/* views into the operands (never freed) */
		for (int i = 0; i < nv; i++) {
			vp[i] = v[i];
			if (v[i]->n != n)
				continue;
			view[i] = *v[i];
			view[i].shape = (struct spu_shape){ 1, { (int64_t)c } };
			view[i].n = c;
			for (int s = 0; s < v[i]->nshares; s++)
				view[i].share[s] = (uint8_t *)v[i]->share[s] +
				    off * K;
			vp[i] = &view[i];
		}
		if ((rc = fn(m, arg, vp, r)) != 0)
			break;
		for (int o = 0; o < nout && rc == 0; o++) {
			if (z[o] == NULL && r[o]->n == c &&
			    (z[o] = spu_value_new(r[o]->dtype, &full->shape,
			    r[o]->vis, m->field, r[o]->nshares)) == NULL)
				rc = spu_mpc_fail(m, SPU_ENOMEM,
				    "out of memory");
			else if (r[o]->n != c || r[o]->vis != z[o]->vis ||
			    (off > 0 && r[o]->xor_shared != z[o]->xor_shared))
				rc = spu_mpc_fail(m, SPU_ESHAPE, "a piece of "
				    "an elementwise op came out different");
			if (rc == 0)
				z[o]->xor_shared = r[o]->xor_shared;
			for (int s = 0; rc == 0 && s < z[o]->nshares; s++)
				memcpy((uint8_t *)z[o]->share[s] + off * K,
				    r[o]->share[s], c * K);
		}
		for (int o = 0; o < nout; o++) {
			spu_value_free(r[o]);
			r[o] = NULL;
		}
	}
	for (int o = 0; o < nout; o++) {
		if (rc == 0)
			out[o] = z[o];
		else
			spu_value_free(z[o]);
	}
	return rc;
}
