/*
 * vm_own.c - who owns a frame's values: a caller's argument the callee
 * may take whole (spu_vm_param_reads, spu_vm_take_given), and which
 * inputs of a run a protocol may remember derived data for
 * (spu_vm_mark_reread).  Pure functions of the program and the values;
 * vm.c's frames apply them.
 */
#include "config.h"

#include "err.h"
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
