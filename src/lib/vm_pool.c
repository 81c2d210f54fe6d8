/*
 * vm_pool.c - max pooling in argmax form on secret values (the ops that
 * pass "maxpool" makes of a reduce-window max and the select-and-scatter
 * of its gradient):
 *
 *   ARGMAX_WINDOW(x, init) -> (max, onehot): the select region's
 *     tournament over each window (vm_window.c, the one that
 *     select-and-scatter runs), keeping both the winning value and its
 *     one-hot: W - 1 comparisons per window, and per tournament level
 *     one product of W + 1 words per pair.  A window of padding only
 *     gives init and an all-zero one-hot.
 *   WINDOW_SCATTER(y, init): init plus every entry of y [windows.., W]
 *     added up at its window position: local additions, no
 *     communication.
 *
 * Public operands never get here (vm_public.c runs them in the clear).
 */
#include "config.h"

#include <stdlib.h>

#include "hal/hal.h"
#include "hal/shape.h"
#include "mem.h"
#include "vm_int.h"

/* Window grid of a [grid.., W] shape: s without its last dimension. */
static int
grid_of(const struct spu_shape *s, struct spu_shape *g)
{
	if (s->ndim < 1)
		return -1;
	*g = *s;
	g->ndim--;
	return 0;
}

/* Is g the window grid over base shape xs (WINDOW, WSTRIDE, PAD_LO,
 * PAD_HI; the geometry has checked the window and strides)? */
static int
grid_ok(const struct spu_insn *in, const struct spu_shape *xs,
    const struct spu_shape *g)
{
	static const enum spu_attr_key keys[4] = { SPU_ATTR_WINDOW,
	    SPU_ATTR_WSTRIDE, SPU_ATTR_PAD_LO, SPU_ATTR_PAD_HI };
	const int64_t *a[4];
	int nd = xs->ndim;

	for (int k = 0; k < 4; k++)
		a[k] = spu_vm_attr(in, keys[k], (uint32_t)nd);
	if (g->ndim != nd || a[0] == NULL)
		return 0;
	for (int d = 0; d < nd; d++) {
		int64_t st = a[1] ? a[1][d] : 1, lo = a[2] ? a[2][d] : 0;
		int64_t hi = a[3] ? a[3][d] : 0, span = xs->dim[d] + lo + hi;

		if (st < 1 || g->dim[d] != (span < a[0][d] ? 0 :
		    (span - a[0][d]) / st + 1))
			return 0;
	}
	return 1;
}

static int
argmax_window(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	const struct spu_value *x = ops[0], *init = ops[1];
	const struct spu_type *t0 = &in->type[0], *t1 = &in->type[1];
	struct spu_vm_window s = { m, p, 0, 0, 0, 0, NULL };
	struct spu_value *val = NULL, *oh = NULL, *v = NULL, *o = NULL;
	struct spu_shape g;
	int64_t *idx = NULL;
	int rc, empty = 0;

	if (in->nout != 2 || in->nfunc < 1 || in->func[0] >= p->nfuncs ||
	    p->funcs[in->func[0]].nparams != 2 || init->n != 1)
		return spu_mpc_fail(m, SPU_EFORMAT, "argmax_window: bad "
		    "select region, init or results");
	if (grid_of(&t1->shape, &g) != 0 || !spu_shape_eq(&g, &t0->shape))
		return spu_mpc_fail(m, SPU_ESHAPE, "argmax_window: the "
		    "one-hot is not [windows.., W]");
	if (!grid_ok(in, &x->shape, &t0->shape))
		return spu_mpc_fail(m, SPU_ESHAPE, "argmax_window: the result "
		    "is not the window grid of the operand");
	s.sel = in->func[0];
	if ((rc = spu_vm_window_geometry(&s, in, &x->shape, &t0->shape)) != 0)
		goto out;
	if (t1->shape.dim[t1->shape.ndim - 1] != s.W) {
		rc = spu_mpc_fail(m, SPU_ESHAPE, "argmax_window: one-hot "
		    "length differs from the window size");
		goto out;
	}
	if ((rc = spu_vm_window_pick(&s, x, &val, &oh)) != 0)
		goto out;
	if ((idx = spu_malloc((size_t)s.nw + 1, sizeof(*idx))) == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	for (int64_t e = 0; e < s.nw; e++) {
		int none = 1;
		for (int64_t j = 0; j < s.W && none; j++)
			none = s.map[e * s.W + j] < 0;
		idx[e] = none ? (int64_t)val->n : e;
		empty |= none;
	}
	if (empty) {
		/* windows of padding only: init (a public choice) */
		const struct spu_value *src[2] = { val, init };
		rc = spu_hal_index_move(m, src, 2, idx, NULL, &t0->shape,
		    x->dtype, &v);
	} else {
		rc = spu_hal_reshape(m, val, &t0->shape, &v);
	}
	if (rc == 0)
		rc = spu_hal_reshape(m, oh, &t1->shape, &o);
	if (rc == 0) {
		o->dtype = SPU_PRED;
		res[0] = v;
		res[1] = o;
		v = o = NULL;
	}
out:
	free(s.map);
	free(idx);
	spu_value_free(val);
	spu_value_free(oh);
	spu_value_free(v);
	spu_value_free(o);
	return rc;
}

static int
window_scatter(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	const struct spu_value *y = ops[0], *init = ops[1];
	const struct spu_type *t = &in->type[0];
	struct spu_vm_window s = { m, p, 0, 0, 0, 0, NULL };
	struct spu_value *base = NULL;
	struct spu_shape g;
	int rc;

	if (in->nout != 1 || init->n != 1)
		return spu_mpc_fail(m, SPU_EFORMAT, "window_scatter: bad init "
		    "or results");
	if (grid_of(&y->shape, &g) != 0 || !grid_ok(in, &t->shape, &g))
		return spu_mpc_fail(m, SPU_ESHAPE, "window_scatter: operand "
		    "is not [windows.., W] of the result's windows");
	if ((rc = spu_vm_window_geometry(&s, in, &t->shape, &g)) != 0)
		goto out;
	if (y->shape.dim[y->shape.ndim - 1] != s.W) {
		rc = spu_mpc_fail(m, SPU_ESHAPE, "window_scatter: entries per "
		    "window differ from the window size");
		goto out;
	}
	if ((rc = spu_hal_broadcast(m, init, &t->shape, NULL, &base)) == 0 &&
	    (rc = spu_vm_window_add(&s, base, y, &res[0])) == 0)
		res[0]->dtype = t->dtype;
out:
	free(s.map);
	spu_value_free(base);
	return rc;
}

int
spu_vm_pool(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	if (in->nin != 2)
		return spu_mpc_fail(m, SPU_EFORMAT, "window op: two operands "
		    "expected");
	if (in->op == SPU_OP_ARGMAX_WINDOW)
		return argmax_window(m, p, in, ops, res);
	if (in->op == SPU_OP_WINDOW_SCATTER)
		return window_scatter(m, p, in, ops, res);
	return SPU_VM_NOT_MINE;
}
