/*
 * conv.c - the cleartext evaluator's contractions: MATMUL and CONV
 * (XLA's general convolution with strides, padding, base and window
 * dilation, feature groups and batch groups).
 *
 * A float result is computed in double, summing over the contracted
 * index in increasing order from 0.0; an integer result is computed
 * modulo 2^64 and wrapped to its dtype.  One operand may be an integer
 * next to a float one (the compiler keeps integers as they are).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clear_int.h"
#include "mem.h"

/* The elements of v in the result's domain: doubles when the result is
 * a float, otherwise the integers themselves.  *tmp is set when a
 * converted copy had to be made. */
static int
domain(struct clear_ctx *cx, const struct clear_val *v, int isf,
    union clear_elem **tmp, const union clear_elem **out)
{
	*tmp = NULL;
	if (clear_isf(v->dtype) == isf) {
		*out = v->e;
		return 0;
	}
	if (!isf)
		return clear_fail(cx, SPU_ESHAPE, "float operand for an "
		    "integer result");
	if ((*tmp = spu_calloc(v->n, sizeof(**tmp))) == NULL)
		return clear_fail(cx, SPU_ENOMEM, "out of memory");
	for (size_t k = 0; k < v->n; k++)
		(*tmp)[k].f = clear_get_f(v, k);
	*out = *tmp;
	return 0;
}

static int
op_matmul(struct clear_ctx *cx, struct clear_val *x, struct clear_val *y,
    struct clear_val *z)
{
	const union clear_elem *a, *b;
	union clear_elem *ta = NULL, *tb = NULL;
	struct spu_shape want;
	int64_t B = 1, M, K, N;
	int r = x->shape.ndim, isf = clear_isf(z->dtype), err;

	if ((r != 2 && r != 3) || y->shape.ndim != r ||
	    (r == 3 && x->shape.dim[0] != y->shape.dim[0]) ||
	    x->shape.dim[r - 1] != y->shape.dim[r - 2])
		return clear_fail(cx, SPU_ESHAPE, "operand shapes do not "
		    "multiply");
	if (r == 3)
		B = x->shape.dim[0];
	M = x->shape.dim[r - 2];
	K = x->shape.dim[r - 1];
	N = y->shape.dim[r - 1];
	want.ndim = r;
	want.dim[0] = B;
	want.dim[r - 2] = M;
	want.dim[r - 1] = N;
	if ((err = clear_check_shape(cx, &want, &z->shape, "the result")) != 0)
		return err;
	if ((err = domain(cx, x, isf, &ta, &a)) != 0 ||
	    (err = domain(cx, y, isf, &tb, &b)) != 0)
		goto out;
	for (int64_t q = 0; q < B; q++) {
		const union clear_elem *xa = a + q * M * K, *yb = b + q * K * N;
		union clear_elem *zc = z->e + q * M * N;

		for (int64_t i = 0; i < M; i++) {
			union clear_elem *row = zc + i * N;

			for (int64_t j = 0; j < N; j++)
				row[j].i = 0;
			if (isf)
				for (int64_t j = 0; j < N; j++)
					row[j].f = 0.0;
			for (int64_t k = 0; k < K; k++) {
				const union clear_elem *yr = yb + k * N;

				if (isf) {
					double s = xa[i * K + k].f;
					for (int64_t j = 0; j < N; j++)
						row[j].f += s * yr[j].f;
				} else {
					uint64_t s = (uint64_t)xa[i * K + k].i;
					for (int64_t j = 0; j < N; j++)
						row[j].i = (int64_t)((uint64_t)
						    row[j].i + s *
						    (uint64_t)yr[j].i);
				}
			}
			if (!isf)
				for (int64_t j = 0; j < N; j++)
					row[j].i = clear_wrap(z->dtype,
					    (uint64_t)row[j].i);
		}
	}
out:
	free(ta);
	free(tb);
	return err;
}

struct conv {
	int ns;
	int64_t ib, ifeat, is[SPU_MAX_DIMS];	/* lhs dims */
	int64_t ki, ko, ks[SPU_MAX_DIMS];	/* rhs dims */
	int64_t ob, of, os[SPU_MAX_DIMS];	/* result dims */
	int64_t stride[SPU_MAX_DIMS], lo[SPU_MAX_DIMS], hi[SPU_MAX_DIMS];
	int64_t bdil[SPU_MAX_DIMS], wdil[SPU_MAX_DIMS];
	int64_t dilated[SPU_MAX_DIMS];
	int64_t fg, bg;
};

static int
read_conv(struct clear_ctx *cx, const struct spu_insn *in,
    const struct clear_val *x, const struct clear_val *y,
    const struct clear_val *z, struct conv *c)
{
	int64_t cd[3 * SPU_MAX_DIMS], win[SPU_MAX_DIMS];
	int rank = x->shape.ndim, ns = rank - 2, err;
	uint32_t u;
	unsigned m1 = 0, m2 = 0, m3 = 0;
	struct spu_shape want;
	int64_t N, C, O;

	if (ns < 0 || y->shape.ndim != rank || z->shape.ndim != rank)
		return clear_fail(cx, SPU_ESHAPE, "operands and result need "
		    "one rank, at least 2");
	memset(c, 0, sizeof(*c));
	c->ns = ns;
	u = (uint32_t)ns;
	if ((err = clear_attr_n(cx, in, SPU_ATTR_CONV_DIMS, 3 * (u + 2), 1, 0,
	    cd)) != 0 ||
	    (err = clear_check_dims(cx, cd, u + 2, rank, &m1, "lhs")) != 0 ||
	    (err = clear_check_dims(cx, cd + u + 2, u + 2, rank, &m2,
	    "kernel")) != 0 ||
	    (err = clear_check_dims(cx, cd + 2 * (u + 2), u + 2, rank, &m3,
	    "output")) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_WSTRIDE, u, 0, 1,
	    c->stride)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_PAD_LO, u, 0, 0, c->lo)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_PAD_HI, u, 0, 0, c->hi)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_BASE_DILATE, u, 0, 1,
	    c->bdil)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_WIN_DILATE, u, 0, 1,
	    c->wdil)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_FEATURE_GROUPS, 1, 0, 1,
	    &c->fg)) != 0 ||
	    (err = clear_attr_n(cx, in, SPU_ATTR_BATCH_GROUPS, 1, 0, 1,
	    &c->bg)) != 0)
		return err;
	c->ib = cd[0];
	c->ifeat = cd[1];
	c->ki = cd[ns + 2];
	c->ko = cd[ns + 3];
	c->ob = cd[2 * ns + 4];
	c->of = cd[2 * ns + 5];
	for (int i = 0; i < ns; i++) {
		c->is[i] = cd[2 + i];
		c->ks[i] = cd[ns + 4 + i];
		c->os[i] = cd[2 * ns + 6 + i];
	}
	N = x->shape.dim[c->ib];
	C = x->shape.dim[c->ifeat];
	O = y->shape.dim[c->ko];
	if (c->fg < 1 || c->bg < 1 || (c->fg > 1 && c->bg > 1) ||
	    c->fg > SPU_MAX_ELEMS || c->bg > SPU_MAX_ELEMS ||
	    C != y->shape.dim[c->ki] * c->fg || O % c->fg != 0 ||
	    O % c->bg != 0 || N % c->bg != 0)
		return clear_fail(cx, SPU_ESHAPE, "feature/batch groups "
		    "%lld/%lld do not divide the features and batch",
		    (long long)c->fg, (long long)c->bg);
	want.ndim = rank;
	want.dim[c->ob] = N / c->bg;
	want.dim[c->of] = O;
	for (int i = 0; i < ns; i++) {
		int64_t d = x->shape.dim[c->is[i]], padded, eff;

		win[i] = y->shape.dim[c->ks[i]];
		if (c->stride[i] < 1 || c->stride[i] > SPU_MAX_ELEMS ||
		    c->bdil[i] < 1 || c->bdil[i] > SPU_MAX_ELEMS ||
		    c->wdil[i] < 1 || c->wdil[i] > SPU_MAX_ELEMS ||
		    c->lo[i] < -SPU_MAX_ELEMS || c->lo[i] > SPU_MAX_ELEMS ||
		    c->hi[i] < -SPU_MAX_ELEMS || c->hi[i] > SPU_MAX_ELEMS)
			return clear_fail(cx, SPU_EFORMAT, "window of spatial "
			    "dimension %d out of range", i);
		c->dilated[i] = d > 0 ? (d - 1) * c->bdil[i] + 1 : 0;
		padded = c->dilated[i] + c->lo[i] + c->hi[i];
		eff = win[i] > 0 ? (win[i] - 1) * c->wdil[i] + 1 : 0;
		want.dim[c->os[i]] = padded < eff ? 0 :
		    (padded - eff) / c->stride[i] + 1;
	}
	return clear_check_shape(cx, &want, &z->shape, "the result");
}

static int
op_conv(struct clear_ctx *cx, const struct spu_insn *in, struct clear_val *x,
    struct clear_val *y, struct clear_val *z)
{
	const union clear_elem *a, *b;
	union clear_elem *ta = NULL, *tb = NULL;
	int64_t xs[SPU_MAX_DIMS], ys[SPU_MAX_DIMS], o[SPU_MAX_DIMS] = { 0 };
	struct spu_shape kshape;
	struct conv c;
	int64_t N, O, Ci, nk;
	int isf = clear_isf(z->dtype), err;

	if ((err = read_conv(cx, in, x, y, z, &c)) != 0)
		return err;
	if ((err = domain(cx, x, isf, &ta, &a)) != 0 ||
	    (err = domain(cx, y, isf, &tb, &b)) != 0)
		goto out;
	clear_strides(&x->shape, xs);
	clear_strides(&y->shape, ys);
	N = x->shape.dim[c.ib];
	O = y->shape.dim[c.ko];
	Ci = y->shape.dim[c.ki];
	kshape.ndim = c.ns;
	for (int i = 0; i < c.ns; i++)
		kshape.dim[i] = y->shape.dim[c.ks[i]];
	nk = spu_shape_numel(&kshape);
	for (size_t e = 0; e < z->n; e++) {
		int64_t of = o[c.of], gf = of / (O / c.fg), gb = of / (O / c.bg);
		int64_t lb = gb * (N / c.bg) + o[c.ob];
		double sf = 0.0;
		uint64_t si = 0;

		for (int64_t ci = 0; ci < Ci; ci++) {
			int64_t kp[SPU_MAX_DIMS] = { 0 };
			int64_t xb = lb * xs[c.ib] + (gf * Ci + ci) *
			    xs[c.ifeat];
			int64_t yb = ci * ys[c.ki] + of * ys[c.ko];

			for (int64_t j = 0; j < nk; j++) {
				int64_t xo = xb, yo = yb;
				int inside = 1;

				for (int i = 0; i < c.ns && inside; i++) {
					int64_t p = o[c.os[i]] * c.stride[i] +
					    kp[i] * c.wdil[i] - c.lo[i];

					if (p < 0 || p >= c.dilated[i] ||
					    p % c.bdil[i] != 0)
						inside = 0;
					xo += p / c.bdil[i] * xs[c.is[i]];
					yo += kp[i] * ys[c.ks[i]];
				}
				if (inside) {
					if (isf)
						sf += a[xo].f * b[yo].f;
					else
						si += (uint64_t)a[xo].i *
						    (uint64_t)b[yo].i;
				}
				clear_next_index(kp, &kshape);
			}
		}
		if (isf)
			z->e[e].f = sf;
		else
			z->e[e].i = clear_wrap(z->dtype, si);
		clear_next_index(o, &z->shape);
	}
out:
	free(ta);
	free(tb);
	return err;
}

int
clear_op_contract(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	int err;

	if (in->nin != 2 || in->nout != 1)
		return clear_fail(cx, SPU_EFORMAT, "takes 2 operands and "
		    "gives one result");
	if ((err = clear_result(cx, in, 0, &r[0])) != 0)
		return err;
	if (in->op == SPU_OP_MATMUL)
		return op_matmul(cx, a[0], a[1], r[0]);
	return op_conv(cx, in, a[0], a[1], r[0]);
}
