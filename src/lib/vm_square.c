/*
 * vm_square.c - SQUARE (x * x) on a secret value: the protocol's square
 * (spu_mpc_square), then one truncation for a float.  Costs: semi2k 1
 * round, K n (N-1) bytes per party (a square pair from the dealer, one
 * opening: half a product's); aby3 the same as a product (the local
 * cross terms and one resharing, K n bytes); ref2k none.  Public
 * operands never get here (vm_public.c).
 */
#include "config.h"

#include "hal/hal.h"
#include "vm_int.h"

int
spu_vm_square(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **res)
{
	const struct spu_value *x = ops[0];
	const struct spu_type *t = &in->type[0];
	struct spu_value *z;
	int rc;

	if (in->nin != 1 || in->nout != 1)
		return spu_mpc_fail(m, SPU_EFORMAT, "square: bad operands");
	if (x->vis != SPU_SECRET)
		return spu_mpc_fail(m, SPU_EINVAL, "square: public operand");
	if (spu_dtype_is_float(t->dtype) != spu_dtype_is_float(x->dtype))
		return spu_mpc_fail(m, SPU_ESHAPE, "square: the result dtype "
		    "differs from the operand's");
	if ((z = spu_hal_alloc(m, t->dtype, &x->shape, SPU_SECRET)) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	rc = spu_mpc_square(m, z->share, x->share, x->n);
	if (rc == 0 && spu_dtype_is_float(t->dtype))
		rc = spu_hal_trunc(m, z, (unsigned)m->fxp);
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	res[0] = z;
	return 0;
}
