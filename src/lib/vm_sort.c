/*
 * vm_sort.c - SORT with a secret operand: the oblivious network of
 * hal/sort.c, asking the order of every pair of a layer at once.  A known
 * order (REDUCER = SPU_SORT_ASC / DESC on operand 0) is one batched
 * comparison; any other comparator runs its region in vector mode over
 * all the pairs (lhs_0, rhs_0, lhs_1, rhs_1, ...: lhs goes first when
 * it returns true).  All-public sorts never get here (vm_public.c sorts
 * them in the clear).
 */
#include "config.h"

#include "hal/cmp.h"
#include "hal/pieces.h"
#include "hal/sort.h"
#include "vm_int.h"

struct sorter {
	const struct spu_program *p;
	uint32_t func;
	int kind, k;
};

/* v = lhs_0, rhs_0, lhs_1, rhs_1, ...: out = [lhs goes first]. */
static int
before1(struct spu_mpc *m, void *arg, struct spu_value *const *v,
    struct spu_value **out)
{
	struct sorter *s = arg;

	if (s->kind == SPU_SORT_ASC)
		return spu_hal_less(m, v[0], v[1], out);
	if (s->kind == SPU_SORT_DESC)
		return spu_hal_greater(m, v[0], v[1], out);
	return spu_vm_call(m, s->p, s->func, v, (size_t)(2 * s->k), out,
	    v[0]->n);
}

static int
before(void *arg, struct spu_mpc *m, struct spu_value *const *a,
    struct spu_value *const *b, int k, struct spu_value **out)
{
	struct sorter *s = arg;
	struct spu_value *args[2 * SPU_SORT_MAXK];

	for (int i = 0; i < k; i++) {
		args[2 * i] = a[i];
		args[2 * i + 1] = b[i];
	}
	s->k = k;
	*out = NULL;
	return spu_hal_pieces(m, before1, s, args, 2 * k, out, 1);
}

int
spu_vm_sort(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	const int64_t *dim = spu_vm_attr(in, SPU_ATTR_DIMS, 1);
	const int64_t *kind = spu_vm_attr(in, SPU_ATTR_REDUCER, 1);
	const int64_t *stable = spu_vm_attr(in, SPU_ATTR_STABLE, 1);
	struct sorter s = { p, 0, SPU_REDUCE_CALL, 0 };
	struct spu_sort_order ord = { before, &s };

	if (in->nin != in->nout || in->nin < 1 || in->nin > SPU_SORT_MAXK ||
	    dim == NULL)
		return spu_mpc_fail(m, SPU_EFORMAT, "sort: bad operands");
	if (kind != NULL)
		s.kind = (int)kind[0];
	if (s.kind == SPU_REDUCE_CALL) {
		if (in->nfunc < 1 || in->func[0] >= p->nfuncs ||
		    p->funcs[in->func[0]].nparams != 2 * in->nin)
			return spu_mpc_fail(m, SPU_EFORMAT, "sort: comparator "
			    "missing or of the wrong arity");
		s.func = in->func[0];
	} else if (s.kind != SPU_SORT_ASC && s.kind != SPU_SORT_DESC) {
		return spu_mpc_fail(m, SPU_EFORMAT, "sort: bad order kind");
	}
	return spu_hal_sort(m, (const struct spu_value *const *)ops,
	    (int)in->nin, (int)dim[0], &ord, stable != NULL && stable[0], res);
}
