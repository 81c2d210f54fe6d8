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
#include <stdint.h>
#include <stdio.h>

#include "bytecode.h"
#include "mpc/mpc.h"
#include "value.h"

/* Per op kind: executions, wall seconds, bytes sent, rounds.  Ops that
 * run other functions (while, cond, call, regions) include them. */
struct spu_vm_profile {
	uint64_t count[SPU_OP_COUNT];
	double seconds[SPU_OP_COUNT];
	uint64_t bytes[SPU_OP_COUNT];
	uint64_t rounds[SPU_OP_COUNT];
};

/* Print the non-empty rows of a profile as a table. */
void spu_vm_profile_print(FILE *f, int party, const struct spu_vm_profile *pr);

/* Run the entry function on inputs in[0..nin) (bound to its parameters in
 * order; public inputs are promoted where the program wants a secret).
 * On success *out is a malloc'ed array of *nout values.  Errors are
 * described in m->diag with the instruction and its HLO line. */
int spu_vm_run(struct spu_mpc *m, const struct spu_program *p,
    struct spu_value *const *in, size_t nin, struct spu_value ***out,
    size_t *nout);

/* spu_vm_run, taking the inputs: each in[i] the run no longer needs is
 * freed (at its last use) and set to NULL; the caller frees the rest. */
int spu_vm_run_given(struct spu_mpc *m, const struct spu_program *p,
    struct spu_value **in, size_t nin, struct spu_value ***out,
    size_t *nout);

#endif
