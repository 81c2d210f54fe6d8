/*
 * vm_int.h - what the VM's own files share: calling a function of the
 * program (optionally in vector mode, where every scalar of the callee is
 * a vector of `vec` elements, so one call evaluates a reducer region on
 * whole rows), and the reductions built on it.
 */
#ifndef SPU_VM_INT_H
#define SPU_VM_INT_H

#include "bytecode.h"
#include "mpc/mpc.h"
#include "value.h"

int spu_vm_call(struct spu_mpc *m, const struct spu_program *p, uint32_t fi,
    struct spu_value *const *args, size_t nargs, struct spu_value **outs,
    size_t vec);

/* REDUCE and REDUCE_WINDOW, any reducer, k operands + k inits. res gets
 * in->nout new values. */
int spu_vm_reduce(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res);
int spu_vm_reduce_window(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res);

/* Any op on public operands only, evaluated in the clear (vm_public.c). */
int spu_vm_public_op(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res);

#endif
