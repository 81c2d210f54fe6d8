/*
 * vm.h - executes a verified bytecode program on one party.
 *
 * The VM walks each function's instructions in order, keeping one value
 * per SSA slot and freeing it after its last use.  All parties run the
 * same instruction sequence in lockstep; the protocols do the talking.
 */
#ifndef SPU_VM_H
#define SPU_VM_H

#include <stddef.h>

#include "bytecode.h"
#include "mpc/mpc.h"
#include "value.h"

/* Run the entry function on inputs in[0..nin) (bound to its parameters in
 * order; public inputs are promoted where the program wants a secret).
 * On success *out is a malloc'ed array of *nout values.  Errors are
 * described in m->diag with the instruction and its HLO line. */
int spu_vm_run(struct spu_mpc *m, const struct spu_program *p,
    struct spu_value *const *in, size_t nin, struct spu_value ***out,
    size_t *nout);

#endif
