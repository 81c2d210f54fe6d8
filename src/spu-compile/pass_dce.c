/*
 * pass_dce.c - dead-code elimination over the bytecode program.
 *
 * In every function, an instruction is kept if one of its results is
 * used by a kept instruction or returned; PARAM is always kept (it fixes
 * the function's arity).  Slots are then renumbered densely in order of
 * definition.  Functions no longer called from the entry are dropped and
 * the function indices renumbered.  Every operation is pure, so nothing
 * else needs keeping.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "mem.h"

void
pass_insn_free(struct spu_insn *in)
{
	free(in->in);
	free(in->out);
	free(in->type);
	for (uint32_t k = 0; in->attr != NULL && k < in->nattr; k++)
		free(in->attr[k].v);
	free(in->attr);
	free(in->func);
	free(in->lit_f);
	free(in->lit_i);
	memset(in, 0, sizeof(*in));
}

static int
dce_func(struct spu_func *fn, struct spu_diag *d)
{
	uint8_t *live;
	uint32_t *map, i, k, n, next = 0;

	live = spu_calloc(fn->nslots + 1, 1);
	map = spu_calloc(fn->nslots + 1, sizeof(*map));
	if (live == NULL || map == NULL) {
		free(live);
		free(map);
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	}
	for (k = 0; k < fn->nouts; k++)
		if (fn->outs[k] < fn->nslots)
			live[fn->outs[k]] = 1;
	for (i = fn->ninsns; i-- > 0;) {
		struct spu_insn *in = &fn->insns[i];
		int keep = in->op == SPU_OP_PARAM;

		for (k = 0; k < in->nout && !keep; k++)
			keep = in->out[k] < fn->nslots && live[in->out[k]];
		if (!keep) {
			pass_insn_free(in);
			in->op = SPU_OP_COUNT;	/* mark removed */
			continue;
		}
		for (k = 0; k < in->nin; k++)
			if (in->in[k] < fn->nslots)
				live[in->in[k]] = 1;
	}
	for (i = 0, n = 0; i < fn->ninsns; i++) {
		struct spu_insn *in = &fn->insns[i];

		if (in->op == SPU_OP_COUNT)
			continue;
		for (k = 0; k < in->nin; k++)
			in->in[k] = map[in->in[k]];
		for (k = 0; k < in->nout; k++) {
			map[in->out[k]] = next;
			in->out[k] = next++;
		}
		fn->insns[n++] = *in;
	}
	for (k = 0; k < fn->nouts; k++)
		fn->outs[k] = map[fn->outs[k]];
	fn->ninsns = n;
	fn->nslots = next;
	free(live);
	free(map);
	return 0;
}

/* Drop functions unreachable from the entry; renumber calls. */
static int
drop_funcs(struct spu_program *p, struct spu_diag *d)
{
	uint32_t *map, *stack, sp = 0, f, i, k, n;
	uint8_t *seen;
	int err = 0;

	map = spu_calloc(p->nfuncs, sizeof(*map));
	stack = spu_calloc(p->nfuncs, sizeof(*stack));
	seen = spu_calloc(p->nfuncs, 1);
	if (map == NULL || stack == NULL || seen == NULL) {
		err = spu_fail(d, SPU_ENOMEM, "out of memory");
		goto out;
	}
	seen[p->entry] = 1;
	stack[sp++] = p->entry;
	while (sp > 0) {
		struct spu_func *fn = &p->funcs[stack[--sp]];

		for (i = 0; i < fn->ninsns; i++)
			for (k = 0; k < fn->insns[i].nfunc; k++) {
				f = fn->insns[i].func[k];
				if (f < p->nfuncs && !seen[f]) {
					seen[f] = 1;
					stack[sp++] = f;
				}
			}
	}
	for (f = 0, n = 0; f < p->nfuncs; f++) {
		if (!seen[f]) {
			struct spu_func *fn = &p->funcs[f];

			for (i = 0; i < fn->ninsns; i++)
				pass_insn_free(&fn->insns[i]);
			free(fn->insns);
			free(fn->outs);
			free(fn->name);
			continue;
		}
		map[f] = n;
		p->funcs[n++] = p->funcs[f];
	}
	p->nfuncs = n;
	p->entry = map[p->entry];
	for (f = 0; f < n; f++)
		for (i = 0; i < p->funcs[f].ninsns; i++)
			for (k = 0; k < p->funcs[f].insns[i].nfunc; k++)
				p->funcs[f].insns[i].func[k] =
				    map[p->funcs[f].insns[i].func[k]];
out:
	free(map);
	free(stack);
	free(seen);
	return err;
}

int
pass_dce(struct spu_program *p, struct spu_diag *d)
{
	int err;

	for (uint32_t f = 0; f < p->nfuncs; f++)
		if ((err = dce_func(&p->funcs[f], d)) != 0)
			return err;
	return p->nfuncs > 0 && p->entry < p->nfuncs ? drop_funcs(p, d) : 0;
}
