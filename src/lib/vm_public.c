/*
 * vm_public.c - operations whose operands are all public run in the
 * clear: decoded to float64 / int64, evaluated by the cleartext evaluator
 * (clear/), re-encoded.  Exact where the ring path would approximate
 * (division, exp, ...) and free of communication.  Used for the ops the
 * ring path has no public kernel for.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clear/clear.h"
#include "fxp.h"
#include "hal/hal.h"
#include "mem.h"
#include "vm_int.h"

static struct spu_tensor *
decode(struct spu_mpc *m, const struct spu_value *v)
{
	struct spu_tensor *t = spu_tensor_new(spu_dtype_is_float(v->dtype) ?
	    SPU_F64 : v->dtype, &v->shape);

	if (t != NULL)
		spu_decode_tensor(m->field, m->fxp, v->share[0], t);
	return t;
}

int
spu_vm_public_op(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	struct spu_program mini = *p;
	struct spu_func *funcs = NULL, *fn;
	struct spu_insn *insns = NULL;
	struct spu_type *ptypes = NULL;
	uint32_t *slots = NULL;
	struct spu_tensor **tin = NULL, **tout = NULL;
	struct spu_attr idx_attr[SPU_BC_MAX_OPERANDS];
	int64_t idx_val[SPU_BC_MAX_OPERANDS];
	size_t nout = 0;
	uint32_t n = in->nin;
	int rc;

	if (n > SPU_BC_MAX_OPERANDS)
		return spu_fail(m->diag, SPU_ELIMIT, "too many operands");
	funcs = spu_calloc(p->nfuncs + 1, sizeof(*funcs));
	insns = spu_calloc(n + 1, sizeof(*insns));
	ptypes = spu_calloc(n ? n : 1, sizeof(*ptypes));
	slots = spu_calloc(2 * n + in->nout + 1, sizeof(*slots));
	tin = spu_calloc(n ? n : 1, sizeof(*tin));
	if (funcs == NULL || insns == NULL || ptypes == NULL || slots == NULL ||
	    tin == NULL) {
		rc = spu_fail(m->diag, SPU_ENOMEM, "out of memory");
		goto out;
	}
	/* the program's functions (regions), plus a new entry:
	 * params 0..n-1, the op, its results */
	memcpy(funcs, p->funcs, p->nfuncs * sizeof(*funcs));
	fn = &funcs[p->nfuncs];
	fn->name = "public";
	fn->nparams = n;
	fn->nslots = n + in->nout;
	fn->ninsns = n + 1;
	fn->insns = insns;
	for (uint32_t i = 0; i < n; i++) {
		ptypes[i].dtype = ops[i]->dtype;
		ptypes[i].vis = SPU_PUBLIC;
		ptypes[i].shape = ops[i]->shape;
		slots[i] = i;
		idx_val[i] = i;
		idx_attr[i] = (struct spu_attr){ SPU_ATTR_INDEX, 1, &idx_val[i] };
		insns[i] = (struct spu_insn){ .op = SPU_OP_PARAM, .nout = 1,
		    .out = &slots[i], .type = &ptypes[i], .nattr = 1,
		    .attr = &idx_attr[i] };
		if ((tin[i] = decode(m, ops[i])) == NULL) {
			rc = spu_fail(m->diag, SPU_ENOMEM, "out of memory");
			goto out;
		}
	}
	insns[n] = *in;
	insns[n].in = slots;			/* operands are slots 0..n-1 */
	insns[n].out = slots + n;
	for (uint32_t o = 0; o < in->nout; o++)
		slots[n + o] = n + o;
	fn->nouts = in->nout;
	fn->outs = slots + n;
	mini.funcs = funcs;
	mini.nfuncs = p->nfuncs + 1;
	mini.entry = p->nfuncs;
	if ((rc = spu_clear_run(&mini, tin, n, &tout, &nout, m->diag)) != 0)
		goto out;
	for (uint32_t o = 0; o < in->nout && o < nout; o++) {
		const struct spu_type *t = &in->type[o];
		res[o] = spu_hal_alloc(m, t->dtype, &t->shape, SPU_PUBLIC);
		if (res[o] == NULL || tout[o]->n != res[o]->n) {
			rc = spu_fail(m->diag, res[o] ? SPU_ESHAPE : SPU_ENOMEM,
			    "public evaluation gave an unexpected result");
			goto out;
		}
		spu_encode_tensor(m->field, m->fxp, tout[o], res[o]->share[0]);
	}
out:
	if (tin != NULL)
		for (uint32_t i = 0; i < n; i++)
			spu_tensor_free(tin[i]);
	for (size_t o = 0; o < nout; o++)
		spu_tensor_free(tout[o]);
	free(tout);
	free(tin);
	free(slots);
	free(ptypes);
	free(insns);
	free(funcs);
	return rc;
}
