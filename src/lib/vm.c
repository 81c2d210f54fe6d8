/*
 * vm.c - the bytecode interpreter.  One case per opcode; the arithmetic
 * lives in hal/, the protocols in mpc/.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxp.h"
#include "hal/hal.h"
#include "mem.h"
#include "vm.h"

struct frame {
	const struct spu_func *fn;
	struct spu_value **slot;
	uint32_t *last_use;	/* per slot: index of the last reading insn */
};

static int
insn_fail(struct spu_mpc *m, const struct spu_func *fn, uint32_t pc, int err)
{
	const struct spu_insn *in = &fn->insns[pc];
	char why[SPU_DIAG_MAX];

	/* keep the protocol's message as the cause */
	char where[64] = "";

	snprintf(why, sizeof(why), "%s", m->diag ? m->diag->msg : "");
	if (why[0] == '\0')
		snprintf(why, sizeof(why), "%s", spu_strerror(err));
	if (in->line)
		snprintf(where, sizeof(where), ", HLO line %u", in->line);
	return spu_fail(m->diag, err, "%s: instruction %u (%s%s): %s",
	    fn->name ? fn->name : "?", pc, spu_op_name(in->op), where, why);
}

static int
fail(struct spu_mpc *m, int err, const char *fmt, const char *arg)
{
	char msg[SPU_DIAG_MAX];

	snprintf(msg, sizeof(msg), fmt, arg);
	return spu_fail(m->diag, err, "%s", msg);
}

static int
make_const(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value **out)
{
	const struct spu_type *t = &in->type[0];
	struct spu_value *z = spu_hal_alloc(m, t->dtype, &t->shape, SPU_PUBLIC);

	if (z == NULL)
		return spu_fail(m->diag, SPU_ENOMEM, "out of memory");
	for (size_t i = 0; i < z->n; i++) {
		spu_u128 v;
		if (in->lit_f != NULL)
			v = spu_fxp_encode_f64(m->field, m->fxp, in->lit_f[i]);
		else
			v = (spu_u128)(spu_i128)(in->lit_i ? in->lit_i[i] : 0);
		spu_ring_set(m->field, z->share[0], i, v);
	}
	*out = z;
	return 0;
}

/* Bind an input to a parameter type: shapes must agree, float goes with
 * float and integer with integer; a public input is shared if the program
 * wants a secret. */
static int
bind_param(struct spu_mpc *m, const struct spu_type *t, uint32_t index,
    const struct spu_value *v, struct spu_value **out)
{
	char want[128], got[128];
	int rc;

	spu_shape_format(want, sizeof(want), t->dtype, &t->shape);
	spu_shape_format(got, sizeof(got), v->dtype, &v->shape);
	if (!spu_shape_eq(&t->shape, &v->shape) ||
	    spu_dtype_is_float(t->dtype) != spu_dtype_is_float(v->dtype))
		return spu_fail(m->diag, SPU_ESHAPE,
		    "parameter %u wants %s %s, input is %s %s", index,
		    spu_vis_name(t->vis), want, spu_vis_name(v->vis), got);
	if (t->vis == SPU_PUBLIC && v->vis == SPU_SECRET)
		return spu_fail(m->diag, SPU_EINVAL,
		    "parameter %u is public in the program but the input is "
		    "secret (compile with --secret %u?)", index, index);
	if (t->vis == SPU_SECRET && v->vis == SPU_PUBLIC)
		rc = spu_hal_p2s(m, v, out);
	else
		rc = (*out = spu_value_dup(v)) ? 0 :
		    spu_fail(m->diag, SPU_ENOMEM, "out of memory");
	if (rc == 0)
		(*out)->dtype = t->dtype;
	return rc;
}

static const int64_t *
attr(const struct spu_insn *in, enum spu_attr_key k, uint32_t want_n)
{
	const struct spu_attr *a = spu_insn_attr(in, k);

	if (a == NULL || (want_n != UINT32_MAX && a->n != want_n))
		return NULL;
	return a->v;
}

static int
exec_insn(struct spu_mpc *m, struct frame *fr, uint32_t pc,
    struct spu_value *const *args, size_t nargs)
{
	const struct spu_insn *in = &fr->fn->insns[pc];
	const struct spu_type *t = &in->type[0];
	struct spu_value *x = in->nin > 0 ? fr->slot[in->in[0]] : NULL;
	struct spu_value *y = in->nin > 1 ? fr->slot[in->in[1]] : NULL;
	struct spu_value *z = NULL;
	const int64_t *a;
	int rc;

	switch (in->op) {
	case SPU_OP_PARAM: {
		const int64_t *idx = attr(in, SPU_ATTR_INDEX, 1);
		if (idx == NULL || idx[0] < 0 || (size_t)idx[0] >= nargs)
			return fail(m, SPU_EINVAL, "%s",
			    "program wants more inputs than were given");
		rc = bind_param(m, t, (uint32_t)idx[0], args[idx[0]], &z);
		break;
	}
	case SPU_OP_CONST:
		rc = make_const(m, in, &z);
		break;
	case SPU_OP_ADD:
		rc = spu_hal_add(m, x, y, &z);
		break;
	case SPU_OP_SUB:
		rc = spu_hal_sub(m, x, y, &z);
		break;
	case SPU_OP_NEG:
		rc = spu_hal_neg(m, x, &z);
		break;
	case SPU_OP_MUL:
		rc = spu_hal_mul(m, x, y, t->dtype, &z);
		break;
	case SPU_OP_MATMUL:
		rc = spu_hal_matmul(m, x, y, t->dtype, &z);
		break;
	case SPU_OP_BROADCAST:
		a = attr(in, SPU_ATTR_DIMS, (uint32_t)x->shape.ndim);
		if (a == NULL && x->shape.ndim > 0)
			return fail(m, SPU_EFORMAT, "%s", "broadcast without dims");
		rc = spu_hal_broadcast(m, x, &t->shape, a, &z);
		break;
	case SPU_OP_RESHAPE:
		rc = spu_hal_reshape(m, x, &t->shape, &z);
		break;
	case SPU_OP_TRANSPOSE:
		if ((a = attr(in, SPU_ATTR_PERM, (uint32_t)x->shape.ndim)) == NULL)
			return fail(m, SPU_EFORMAT, "%s", "transpose without perm");
		rc = spu_hal_transpose(m, x, a, &z);
		break;
	case SPU_OP_CONVERT:
		rc = spu_hal_convert(m, x, t->dtype, &z);
		break;
	case SPU_OP_REVEAL:
		rc = spu_hal_reveal(m, x, &z);
		break;
	default:
		return fail(m, SPU_EUNSUPP, "operation %s is not supported by "
		    "this VM yet", spu_op_name(in->op));
	}
	if (rc != 0)
		return rc;
	/* the program's types are the contract: shape must match, and a
	 * value the program declares secret is shared if it came out public */
	if (!spu_shape_eq(&z->shape, &t->shape)) {
		spu_value_free(z);
		return fail(m, SPU_ESHAPE, "%s", "result shape differs from the "
		    "program's type");
	}
	if (t->vis == SPU_SECRET && z->vis == SPU_PUBLIC) {
		struct spu_value *s;
		rc = spu_hal_p2s(m, z, &s);
		spu_value_free(z);
		if (rc != 0)
			return rc;
		z = s;
	} else if (t->vis == SPU_PUBLIC && z->vis == SPU_SECRET) {
		spu_value_free(z);
		return fail(m, SPU_EPROTO, "%s", "a secret result where the "
		    "program declares a public one");
	}
	z->dtype = t->dtype;
	fr->slot[in->out[0]] = z;
	return 0;
}

/* Free operands whose last use was instruction pc. */
static void
release(struct frame *fr, uint32_t pc)
{
	const struct spu_insn *in = &fr->fn->insns[pc];

	for (uint32_t i = 0; i < in->nin; i++) {
		uint32_t s = in->in[i];
		if (fr->last_use[s] == pc && fr->slot[s] != NULL) {
			spu_value_free(fr->slot[s]);
			fr->slot[s] = NULL;
		}
	}
}

static int
exec_func(struct spu_mpc *m, const struct spu_program *p, uint32_t fi,
    struct spu_value *const *args, size_t nargs, struct spu_value **outs)
{
	const struct spu_func *fn = &p->funcs[fi];
	struct frame fr = { fn, NULL, NULL };
	int rc = 0;

	fr.slot = spu_calloc(fn->nslots, sizeof(*fr.slot));
	fr.last_use = spu_calloc(fn->nslots, sizeof(*fr.last_use));
	if (fr.slot == NULL || fr.last_use == NULL) {
		rc = spu_fail(m->diag, SPU_ENOMEM, "out of memory");
		goto out;
	}
	for (uint32_t s = 0; s < fn->nslots; s++)
		fr.last_use[s] = UINT32_MAX;
	for (uint32_t pc = 0; pc < fn->ninsns; pc++)
		for (uint32_t i = 0; i < fn->insns[pc].nin; i++)
			fr.last_use[fn->insns[pc].in[i]] = pc;
	/* outputs live to the end */
	for (uint32_t o = 0; o < fn->nouts; o++)
		fr.last_use[fn->outs[o]] = UINT32_MAX - 1;
	for (uint32_t pc = 0; pc < fn->ninsns; pc++) {
		if (m->diag)
			m->diag->msg[0] = '\0';
		if (m->link != NULL)
			spu_link_set_phase(m->link,
			    spu_op_name(fn->insns[pc].op));
		if ((rc = exec_insn(m, &fr, pc, args, nargs)) != 0) {
			rc = insn_fail(m, fn, pc, rc);
			goto out;
		}
		release(&fr, pc);
	}
	for (uint32_t o = 0; o < fn->nouts; o++) {
		/* an output may appear twice: copy on the second use */
		struct spu_value *v = fr.slot[fn->outs[o]];
		if (v == NULL) {
			rc = spu_fail(m->diag, SPU_EFORMAT,
			    "%s: output %u is undefined", fn->name, o);
			goto out;
		}
		outs[o] = v;
		fr.slot[fn->outs[o]] = NULL;
		for (uint32_t q = o + 1; q < fn->nouts; q++)
			if (fn->outs[q] == fn->outs[o]) {
				fr.slot[fn->outs[o]] = spu_value_dup(v);
				break;
			}
	}
out:
	if (fr.slot != NULL)
		for (uint32_t s = 0; s < fn->nslots; s++)
			spu_value_free(fr.slot[s]);
	free(fr.slot);
	free(fr.last_use);
	return rc;
}

int
spu_vm_run(struct spu_mpc *m, const struct spu_program *p,
    struct spu_value *const *in, size_t nin, struct spu_value ***out,
    size_t *nout)
{
	const struct spu_func *fn;
	struct spu_value **o;
	int rc;

	if (p->entry >= p->nfuncs)
		return spu_fail(m->diag, SPU_EFORMAT, "no entry function");
	fn = &p->funcs[p->entry];
	if (nin != fn->nparams)
		return spu_fail(m->diag, SPU_EINVAL,
		    "the program takes %u inputs, %zu were given",
		    fn->nparams, nin);
	if ((o = spu_calloc(fn->nouts, sizeof(*o))) == NULL)
		return spu_fail(m->diag, SPU_ENOMEM, "out of memory");
	if ((rc = exec_func(m, p, p->entry, in, nin, o)) != 0) {
		free(o);
		return rc;
	}
	*out = o;
	*nout = fn->nouts;
	return 0;
}
