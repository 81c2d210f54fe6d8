/*
 * pass_cse.c - common subexpression elimination over the bytecode.
 *
 * Within a function, an instruction equal to an earlier one (same
 * opcode, operands after renaming, result types, attributes, called
 * functions and literal) is removed and its results renamed to the
 * earlier one's.  All operations are pure, so any two equal instructions
 * compute equal values.  PARAM is never merged.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "mem.h"

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static size_t
lit_count(const struct spu_insn *in)
{
	int64_t n;

	if (in->op != SPU_OP_CONST || in->nout != 1)
		return 0;
	n = spu_shape_numel(&in->type[0].shape);
	return n > 0 ? (size_t)n : 0;
}

static uint64_t
insn_hash(const struct spu_insn *in)
{
	uint64_t h = 14695981039346656037ull;
	size_t nl = lit_count(in);

	h = mix(h, &in->op, sizeof(in->op));
	h = mix(h, in->in, in->nin * sizeof(*in->in));
	for (uint32_t k = 0; k < in->nout; k++) {
		h = mix(h, &in->type[k].dtype, sizeof(in->type[k].dtype));
		h = mix(h, &in->type[k].vis, sizeof(in->type[k].vis));
		h = mix(h, &in->type[k].shape.ndim, sizeof(int));
		h = mix(h, in->type[k].shape.dim,
		    (size_t)in->type[k].shape.ndim * sizeof(int64_t));
	}
	for (uint32_t k = 0; k < in->nattr; k++) {
		h = mix(h, &in->attr[k].key, sizeof(in->attr[k].key));
		h = mix(h, in->attr[k].v, in->attr[k].n * sizeof(int64_t));
	}
	h = mix(h, in->func, in->nfunc * sizeof(*in->func));
	if (in->lit_f != NULL)
		h = mix(h, in->lit_f, nl * sizeof(double));
	if (in->lit_i != NULL)
		h = mix(h, in->lit_i, nl * sizeof(int64_t));
	return h;
}

static int
memeq(const void *a, const void *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

static int
type_eq(const struct spu_type *a, const struct spu_type *b)
{
	return a->dtype == b->dtype && a->vis == b->vis &&
	    spu_shape_eq(&a->shape, &b->shape);
}

static int
insn_eq(const struct spu_insn *a, const struct spu_insn *b)
{
	size_t nl = lit_count(a);

	if (a->op != b->op || a->nin != b->nin || a->nout != b->nout ||
	    a->nattr != b->nattr || a->nfunc != b->nfunc ||
	    (a->lit_f == NULL) != (b->lit_f == NULL) ||
	    (a->lit_i == NULL) != (b->lit_i == NULL))
		return 0;
	if (!memeq(a->in, b->in, a->nin * sizeof(*a->in)) ||
	    !memeq(a->func, b->func, a->nfunc * sizeof(*a->func)))
		return 0;
	for (uint32_t k = 0; k < a->nout; k++)
		if (!type_eq(&a->type[k], &b->type[k]))
			return 0;
	for (uint32_t k = 0; k < a->nattr; k++)
		if (a->attr[k].key != b->attr[k].key ||
		    a->attr[k].n != b->attr[k].n ||
		    !memeq(a->attr[k].v, b->attr[k].v,
		    a->attr[k].n * sizeof(int64_t)))
			return 0;
	/* bitwise, so that NaN literals compare equal to themselves */
	if (a->lit_f != NULL && !memeq(a->lit_f, b->lit_f, nl * sizeof(double)))
		return 0;
	if (a->lit_i != NULL &&
	    !memeq(a->lit_i, b->lit_i, nl * sizeof(int64_t)))
		return 0;
	return 1;
}

static int
cse_func(struct spu_func *fn, struct spu_diag *d)
{
	uint32_t *ren, *tab, cap = 16, i, k, n, h;

	while (cap < 2 * fn->ninsns + 2)
		cap *= 2;
	ren = spu_calloc(fn->nslots + 1, sizeof(*ren));
	tab = spu_calloc(cap, sizeof(*tab));
	if (ren == NULL || tab == NULL) {
		free(ren);
		free(tab);
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	}
	for (k = 0; k < fn->nslots; k++)
		ren[k] = k;
	for (i = 0, n = 0; i < fn->ninsns; i++) {
		struct spu_insn *in = &fn->insns[i];

		for (k = 0; k < in->nin; k++)
			if (in->in[k] < fn->nslots)
				in->in[k] = ren[in->in[k]];
		if (in->op != SPU_OP_PARAM) {
			h = (uint32_t)insn_hash(in) & (cap - 1);
			for (; tab[h] != 0; h = (h + 1) & (cap - 1))
				if (insn_eq(&fn->insns[tab[h] - 1], in))
					break;
			if (tab[h] != 0) {
				const struct spu_insn *e =
				    &fn->insns[tab[h] - 1];

				for (k = 0; k < in->nout; k++)
					ren[in->out[k]] = e->out[k];
				pass_insn_free(in);
				continue;
			}
			tab[h] = n + 1;
		}
		fn->insns[n++] = *in;
	}
	fn->ninsns = n;
	for (k = 0; k < fn->nouts; k++)
		if (fn->outs[k] < fn->nslots)
			fn->outs[k] = ren[fn->outs[k]];
	free(ren);
	free(tab);
	return 0;
}

int
pass_cse(struct spu_program *p, struct spu_diag *d)
{
	int err;

	for (uint32_t f = 0; f < p->nfuncs; f++)
		if ((err = cse_func(&p->funcs[f], d)) != 0)
			return err;
	return 0;
}
