/*
 * vm_bind.c - values entering a frame and who owns them: literal
 * constants, inputs bound to parameters (as views of the caller's
 * shares), a caller's argument the callee may take whole
 * (spu_vm_param_reads, spu_vm_take_given), and which values a protocol
 * may remember derived data for (spu_vm_mark_reread).  vm.c's frames
 * apply them.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "err.h"
#include "fxp.h"
#include "hal/hal.h"
#include "mem.h"
#include "vm_int.h"

/*
 * A value the caller gave up (give[j], about to be freed) whose whole
 * share buffers the borrowed view v shows: move them to v instead of
 * copying, leaving give[j] empty.
 */
int
spu_vm_take_given(struct spu_value *v, struct spu_value **give, size_t nargs)
{
	if (give == NULL)
		return 0;
	for (size_t j = 0; j < nargs; j++) {
		struct spu_value *g = give[j];
		int same = g != NULL && g->nshares == v->nshares &&
		    g->n == v->n && g->field == v->field && g->vis == v->vis;
		for (int k = 0; same && k < v->nshares; k++)
			same = g->share[k] == v->share[k];
		if (same) {
			for (int k = 0; k < SPU_MAX_SHARES; k++)
				g->share[k] = NULL;
			return 1;
		}
	}
	return 0;
}

/*
 * Which slots of the entry function a product may read more than once:
 * two matmul or conv operands, or an operand of a call, loop or branch.
 * Only such inputs get an id (matmul_id: a protocol may keep what it
 * derived from the input, which costs memory for the whole run).
 */
int
spu_vm_mark_reread(struct spu_mpc *m, const struct spu_func *fn,
    unsigned char **out)
{
	unsigned char *r = spu_calloc(fn->nslots + 1, 1);

	if (r == NULL)
		return spu_fail(m->diag, SPU_ENOMEM, "out of memory");
	for (uint32_t pc = 0; pc < fn->ninsns; pc++) {
		const struct spu_insn *in = &fn->insns[pc];
		int w = in->op == SPU_OP_MATMUL || in->op == SPU_OP_CONV ? 1 :
		    in->op == SPU_OP_WHILE || in->op == SPU_OP_CALL ||
		    in->op == SPU_OP_COND ? 2 : 0;
		for (uint32_t i = 0; w && i < in->nin; i++)
			r[in->in[i]] = (unsigned char)(r[in->in[i]] + w > 2 ?
			    2 : r[in->in[i]] + w);
	}
	for (uint32_t s = 0; s < fn->nslots; s++)
		r[s] = r[s] >= 2;
	*out = r;
	return 0;
}

/* How many PARAM instructions of fn read argument index. */
unsigned
spu_vm_param_reads(const struct spu_func *fn, int64_t index)
{
	unsigned n = 0;

	for (uint32_t pc = 0; pc < fn->ninsns; pc++) {
		const struct spu_insn *in = &fn->insns[pc];
		const int64_t *idx = in->op == SPU_OP_PARAM ?
		    spu_vm_attr(in, SPU_ATTR_INDEX, 1) : NULL;
		n += idx != NULL && idx[0] == index;
	}
	return n;
}

int
spu_vm_make_const(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value **out, size_t vec)
{
	const struct spu_type *t = &in->type[0];
	struct spu_shape vs = { 1, { (int64_t)vec } };
	int widen = vec > 0 && t->shape.ndim == 0;
	struct spu_value *z = spu_hal_alloc(m, t->dtype,
	    widen ? &vs : &t->shape, SPU_PUBLIC);

	if (z == NULL)
		return spu_fail(m->diag, SPU_ENOMEM, "out of memory");
	for (size_t i = 0; i < z->n; i++) {
		size_t j = widen ? 0 : i;
		spu_u128 v;
		if (in->lit_f != NULL) {
			/* Sentinels beyond the encodable range (attention
			 * masks of -2.4e38, -inf as a max-reduce init) become
			 * +-2^((k-2)/2 - f): still "infinite" for exp and
			 * comparisons, and small enough that a product with a
			 * value of the same size stays below 2^(k-2), where
			 * truncation is exact. */
			double c = isnan(in->lit_f[j]) ? 0 : in->lit_f[j];
			if (fabs(c) >= ldexp(1, (int)m->field - 2 - m->fxp))
				c = copysign(ldexp(1, ((int)m->field - 2) / 2 -
				    m->fxp), c);
			v = spu_fxp_encode_f64(m->field, m->fxp, c);
		} else
			v = (spu_u128)(spu_i128)(in->lit_i ? in->lit_i[j] : 0);
		spu_ring_set(m->field, z->share[0], i, v);
	}
	*out = z;
	return 0;
}

/* Does value shape vs match declared shape ts, where in vector mode a
 * declared scalar stands for a vector of vec elements? */
int
spu_vm_shape_ok(const struct spu_shape *ts, const struct spu_shape *vs,
    size_t vec)
{
	if (spu_shape_eq(ts, vs))
		return 1;
	return vec > 0 && ts->ndim == 0 && vs->ndim == 1 &&
	    vs->dim[0] == (int64_t)vec;
}

/* Bind an input to a parameter type: shapes must agree, float goes with
 * float and integer with integer; a public input is shared if the program
 * wants a secret. */
int
spu_vm_bind_param(struct spu_mpc *m, const struct spu_type *t, uint32_t index,
    const struct spu_value *v, struct spu_value **out, size_t vec,
    int *borrowed)
{
	char want[128], got[128];
	int rc;

	spu_shape_format(want, sizeof(want), t->dtype, &t->shape);
	spu_shape_format(got, sizeof(got), v->dtype, &v->shape);
	if (!spu_vm_shape_ok(&t->shape, &v->shape, vec) ||
	    spu_dtype_is_float(t->dtype) != spu_dtype_is_float(v->dtype))
		return spu_fail(m->diag, SPU_ESHAPE,
		    "parameter %u wants %s %s, input is %s %s", index,
		    spu_vis_name(t->vis), want, spu_vis_name(v->vis), got);
	if (t->vis == SPU_PUBLIC && v->vis == SPU_SECRET)
		return spu_fail(m->diag, SPU_EINVAL,
		    "parameter %u is public in the program but the input is "
		    "secret (compile with --secret %u?)", index, index);
	*borrowed = 0;
	if (t->vis == SPU_SECRET && v->vis == SPU_PUBLIC) {
		rc = spu_hal_p2s(m, v, out);
	} else {
		/* no copy: a view of the caller's shares, which outlive the
		 * call and are only read */
		struct spu_value *b = malloc(sizeof(*b));
		if (b == NULL)
			return spu_fail(m->diag, SPU_ENOMEM, "out of memory");
		*b = *v;
		*out = b;
		*borrowed = 1;
		rc = 0;
	}
	if (rc == 0)
		(*out)->dtype = t->dtype;
	return rc;
}
