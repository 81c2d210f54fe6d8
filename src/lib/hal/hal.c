/*
 * hal.c - value-level arithmetic and data movement over any protocol.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmp.h"
#include "hal.h"
#include "../mem.h"

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

struct spu_value *
spu_hal_alloc(struct spu_mpc *m, enum spu_dtype t, const struct spu_shape *s,
    enum spu_vis vis)
{
	return spu_value_new(t, s, vis, m->field,
	    vis == SPU_SECRET ? m->nshares : 1);
}

int
spu_hal_p2s(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	struct spu_value *z;

	if (x->vis == SPU_SECRET) {
		*out = spu_value_dup(x);
		return *out ? 0 : nomem(m);
	}
	if ((z = spu_hal_alloc(m, x->dtype, &x->shape, SPU_SECRET)) == NULL)
		return nomem(m);
	m->ops->p2s(m, z->share, x->share[0], x->n);
	*out = z;
	return 0;
}

int
spu_hal_reveal(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	struct spu_value *z;
	int rc;

	if (x->xor_shared) {
		/* an open adds the words: their sum shows more than the
		 * XOR of the bits */
		struct spu_value *a = spu_value_dup(x);
		if (a == NULL)
			return nomem(m);
		if ((rc = spu_hal_arith(m, a)) == 0)
			rc = spu_hal_reveal(m, a, out);
		spu_value_free(a);
		return rc;
	}
	if ((z = spu_hal_alloc(m, x->dtype, &x->shape, SPU_PUBLIC)) == NULL)
		return nomem(m);
	if (x->vis == SPU_PUBLIC)
		spu_ring_copy(m->field, z->share[0], x->share[0], x->n);
	else if ((rc = m->ops->open(m, z->share[0], x->share, x->n)) != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

static enum spu_vis
join_vis(const struct spu_value *a, const struct spu_value *b)
{
	return a->vis == SPU_SECRET || b->vis == SPU_SECRET ?
	    SPU_SECRET : SPU_PUBLIC;
}

/* a + sign * b for every visibility mix. */
static int
addsub(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, int sub, struct spu_value **out)
{
	unsigned f = m->field;
	size_t n = a->n;
	struct spu_value *z;

	if (a->n != b->n)
		return spu_mpc_fail(m, SPU_ESHAPE, "add: operand sizes differ");
	z = spu_hal_alloc(m, a->dtype, &a->shape, join_vis(a, b));
	if (z == NULL)
		return nomem(m);
	if (a->vis == SPU_PUBLIC && b->vis == SPU_PUBLIC) {
		(sub ? spu_ring_sub : spu_ring_add)(f, z->share[0],
		    a->share[0], b->share[0], n);
	} else if (a->vis == SPU_SECRET && b->vis == SPU_SECRET) {
		(sub ? spu_mpc_sub : spu_mpc_add)(m, z->share, a->share,
		    b->share, n);
	} else if (a->vis == SPU_SECRET) {
		void *p = b->share[0], *t = NULL;
		if (sub) {
			if ((t = spu_ring_alloc(f, n)) == NULL) {
				spu_value_free(z);
				return nomem(m);
			}
			spu_ring_neg(f, t, p, n);
			p = t;
		}
		m->ops->add_p(m, z->share, a->share, p, n);
		free(t);
	} else {
		/* public a, secret b: a - b = -(b) + a */
		if (sub)
			spu_mpc_neg(m, z->share, b->share, n);
		m->ops->add_p(m, z->share, sub ? z->share : b->share,
		    a->share[0], n);
	}
	*out = z;
	return 0;
}

int
spu_hal_add(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	return addsub(m, a, b, 0, out);
}

int
spu_hal_sub(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	return addsub(m, a, b, 1, out);
}

int
spu_hal_neg(struct spu_mpc *m, const struct spu_value *a,
    struct spu_value **out)
{
	struct spu_value *z = spu_hal_alloc(m, a->dtype, &a->shape, a->vis);

	if (z == NULL)
		return nomem(m);
	for (int s = 0; s < z->nshares; s++)
		spu_ring_neg(m->field, z->share[s], a->share[s], a->n);
	*out = z;
	return 0;
}

/* Protocol truncation needs several words of scratch per element (aby3:
 * eight): vectors above this many elements go in pieces. */
#define TRUNC_CHUNK ((size_t)1 << 20)

int
spu_hal_trunc(struct spu_mpc *m, struct spu_value *x, unsigned bits)
{
	size_t K = spu_ring_size(m->field);
	int rc = 0;

	if (bits == 0)
		return 0;
	if (x->vis == SPU_PUBLIC) {
		spu_ring_trunc_round(m->field, x->share[0], x->share[0], bits,
		    x->n);
		return 0;
	}
	for (size_t off = 0; off < x->n && rc == 0; off += TRUNC_CHUNK) {
		size_t c = x->n - off < TRUNC_CHUNK ? x->n - off : TRUNC_CHUNK;
		void *p[SPU_MAX_SHARES] = { NULL };
		for (int s = 0; s < x->nshares; s++)
			p[s] = (uint8_t *)x->share[s] + off * K;
		rc = m->ops->trunc(m, p, p, c, bits);
	}
	return rc;
}

unsigned
spu_hal_product_scale(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b)
{
	return spu_dtype_is_float(a->dtype) && spu_dtype_is_float(b->dtype) ?
	    (unsigned)m->fxp : 0;
}

int
spu_hal_mul(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, enum spu_dtype t, struct spu_value **out)
{
	struct spu_value *z;
	int rc = 0;

	if (a->n != b->n)
		return spu_mpc_fail(m, SPU_ESHAPE, "mul: operand sizes differ");
	if ((z = spu_hal_alloc(m, t, &a->shape, join_vis(a, b))) == NULL)
		return nomem(m);
	if (a->vis == SPU_PUBLIC && b->vis == SPU_PUBLIC)
		spu_ring_mul(m->field, z->share[0], a->share[0], b->share[0],
		    a->n);
	else if (a->vis == SPU_SECRET && b->vis == SPU_SECRET)
		rc = m->ops->mul(m, z->share, a->share, b->share, a->n);
	else if (a->vis == SPU_SECRET)
		spu_mpc_mul_p(m, z->share, a->share, b->share[0], a->n);
	else
		spu_mpc_mul_p(m, z->share, b->share, a->share[0], a->n);
	if (rc == 0)
		rc = spu_hal_trunc(m, z, spu_hal_product_scale(m, a, b));
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

int
spu_hal_matmul(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, enum spu_dtype t, struct spu_value **out)
{
	const struct spu_shape *sa = &a->shape, *sb = &b->shape;
	struct spu_shape sz;
	size_t batch = 1, mm, k, nn;
	struct spu_value *z;
	int r = sa->ndim, rc = 0;

	if (r != sb->ndim || (r != 2 && r != 3) ||
	    sa->dim[r - 1] != sb->dim[r - 2] ||
	    (r == 3 && sa->dim[0] != sb->dim[0]))
		return spu_mpc_fail(m, SPU_ESHAPE, "matmul: shapes do not match");
	if (r == 3)
		batch = (size_t)sa->dim[0];
	mm = (size_t)sa->dim[r - 2];
	k = (size_t)sa->dim[r - 1];
	nn = (size_t)sb->dim[r - 1];
	sz = *sa;
	sz.dim[r - 1] = (int64_t)nn;
	if ((z = spu_hal_alloc(m, t, &sz, join_vis(a, b))) == NULL)
		return nomem(m);
	if (a->vis == SPU_PUBLIC && b->vis == SPU_PUBLIC)
		spu_ring_matmul(m->field, z->share[0], a->share[0],
		    b->share[0], batch, mm, k, nn);
	else if (a->vis == SPU_SECRET && b->vis == SPU_SECRET &&
	    m->ops->matmul_id != NULL && (a->input_id || b->input_id)) {
		const uint64_t id[2] = { a->input_id, b->input_id };
		rc = m->ops->matmul_id(m, z->share, a->share, b->share, batch,
		    mm, k, nn, id);
	} else if (a->vis == SPU_SECRET && b->vis == SPU_SECRET)
		rc = m->ops->matmul(m, z->share, a->share, b->share, batch, mm,
		    k, nn);
	else if (a->vis == SPU_SECRET)
		rc = spu_mpc_matmul_sp(m, z->share, a->share, b->share[0],
		    batch, mm, k, nn);
	else
		rc = spu_mpc_matmul_ps(m, z->share, a->share[0], b->share,
		    batch, mm, k, nn);
	if (rc == 0)
		rc = spu_hal_trunc(m, z, spu_hal_product_scale(m, a, b));
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

/* Keep the low `bits` of every word, sign- or zero-extended: the wrap of
 * an integer dtype narrower than the ring (public values only). */
static void
wrap_int(unsigned field, void *x, size_t n, enum spu_dtype t)
{
	unsigned bits = (unsigned)spu_dtype_size(t) * 8;

	if (t == SPU_PRED || bits >= field)
		return;
	spu_ring_lshift(field, x, x, field - bits, n);
	if (spu_dtype_is_signed(t))
		spu_ring_arshift(field, x, x, field - bits, n);
	else
		spu_ring_rshift(field, x, x, field - bits, n);
}

int
spu_hal_convert(struct spu_mpc *m, const struct spu_value *a,
    enum spu_dtype t, struct spu_value **out)
{
	int from_f = spu_dtype_is_float(a->dtype), to_f = spu_dtype_is_float(t);
	unsigned f = m->field;
	struct spu_value *z;
	int rc = 0;

	if (t == SPU_PRED && a->dtype != SPU_PRED && a->vis == SPU_SECRET)
		return spu_mpc_fail(m, SPU_EUNSUPP,
		    "convert of a secret value to pred is not supported yet");
	if ((z = spu_value_dup(a)) == NULL)
		return nomem(m);
	z->dtype = t;
	if (!from_f && to_f) {
		for (int s = 0; s < z->nshares; s++)
			spu_ring_lshift(f, z->share[s], z->share[s],
			    (unsigned)m->fxp, z->n);
	} else if (from_f && !to_f) {
		if (a->vis == SPU_PUBLIC) {
			/* round toward zero: add 2^f - 1 to negatives */
			for (size_t i = 0; i < z->n; i++) {
				spu_i128 v = spu_ring_get_signed(f, z->share[0], i);
				if (v < 0)
					v += ((spu_i128)1 << m->fxp) - 1;
				spu_ring_set(f, z->share[0], i,
				    (spu_u128)(v >> m->fxp));
			}
		} else {
			rc = m->ops->trunc(m, z->share, z->share, z->n,
			    (unsigned)m->fxp);
		}
	}
	if (rc == 0 && z->vis == SPU_PUBLIC && !to_f) {
		if (t == SPU_PRED)
			for (size_t i = 0; i < z->n; i++)
				spu_ring_set(f, z->share[0], i,
				    spu_ring_get(f, z->share[0], i) != 0);
		else
			wrap_int(f, z->share[0], z->n, t);
	}
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

int
spu_hal_gather_local(struct spu_mpc *m, const struct spu_value *a,
    const size_t *idx, const struct spu_shape *s, enum spu_dtype t,
    struct spu_value **out)
{
	struct spu_value *z = spu_hal_alloc(m, t, s, a->vis);
	size_t K = spu_ring_size(m->field);

	if (z == NULL)
		return nomem(m);
	for (int sh = 0; sh < z->nshares; sh++) {
		const uint8_t *src = a->share[sh];
		uint8_t *dst = z->share[sh];
		for (size_t i = 0; i < z->n; i++)
			memcpy(dst + i * K, src + idx[i] * K, K);
	}
	*out = z;
	return 0;
}

/* Row-major strides of a shape. */
static void
strides(const struct spu_shape *s, size_t *st)
{
	size_t acc = 1;

	for (int i = s->ndim - 1; i >= 0; i--) {
		st[i] = acc;
		acc *= (size_t)s->dim[i];
	}
}

/* Walk the result index space; for each element compute the source index
 * as sum over result dims of coord * srcstride[dim]. */
static int
affine_move(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_shape *s, const size_t *srcstride,
    struct spu_value **out)
{
	int64_t n = spu_shape_numel(s);
	size_t *idx, coord[SPU_MAX_DIMS] = { 0 };
	int rc;

	if (n < 0)
		return spu_mpc_fail(m, SPU_ESHAPE, "bad result shape");
	if ((idx = spu_malloc((size_t)n, sizeof(*idx))) == NULL)
		return nomem(m);
	for (size_t i = 0; i < (size_t)n; i++) {
		size_t src = 0;
		for (int d = 0; d < s->ndim; d++)
			src += coord[d] * srcstride[d];
		idx[i] = src;
		for (int d = s->ndim - 1; d >= 0; d--) {
			if (++coord[d] < (size_t)s->dim[d])
				break;
			coord[d] = 0;
		}
	}
	rc = spu_hal_gather_local(m, a, idx, s, a->dtype, out);
	free(idx);
	return rc;
}

int
spu_hal_broadcast(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_shape *s, const int64_t *dims, struct spu_value **out)
{
	size_t ast[SPU_MAX_DIMS], st[SPU_MAX_DIMS] = { 0 };

	strides(&a->shape, ast);
	for (int i = 0; i < a->shape.ndim; i++) {
		if (dims[i] < 0 || dims[i] >= s->ndim ||
		    (a->shape.dim[i] != 1 && a->shape.dim[i] != s->dim[dims[i]]))
			return spu_mpc_fail(m, SPU_ESHAPE,
			    "broadcast: dimension mismatch");
		if (a->shape.dim[i] != 1)
			st[dims[i]] = ast[i];
	}
	return affine_move(m, a, s, st, out);
}

int
spu_hal_reshape(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_shape *s, struct spu_value **out)
{
	struct spu_value *z;

	if (spu_shape_numel(s) != (int64_t)a->n)
		return spu_mpc_fail(m, SPU_ESHAPE, "reshape: size changes");
	if ((z = spu_value_dup(a)) == NULL)
		return nomem(m);
	z->shape = *s;
	*out = z;
	return 0;
}

int
spu_hal_transpose(struct spu_mpc *m, const struct spu_value *a,
    const int64_t *perm, struct spu_value **out)
{
	size_t ast[SPU_MAX_DIMS], st[SPU_MAX_DIMS];
	struct spu_shape s = a->shape;

	strides(&a->shape, ast);
	for (int i = 0; i < s.ndim; i++) {
		if (perm[i] < 0 || perm[i] >= s.ndim)
			return spu_mpc_fail(m, SPU_ESHAPE, "transpose: bad perm");
		s.dim[i] = a->shape.dim[perm[i]];
		st[i] = ast[perm[i]];
	}
	return affine_move(m, a, &s, st, out);
}
