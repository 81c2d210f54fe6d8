/*
 * clear.h - the cleartext reference evaluator (spu-run --cleartext).
 *
 * Runs a bytecode program in one process without shares: float dtypes
 * (f16, bf16, f32, f64) are all computed in IEEE double, integers exactly
 * in 64 bits and wrapped to their dtype's width, pred as 0/1.  It tells
 * what a program means and how far MPC's fixed point drifts from it.
 *
 * This is an independent implementation of the op semantics of
 * opcodes.h (XLA's where opcodes.h is silent) and shares no arithmetic
 * with the fixed-point path (ring, fxp, hal, mpc, vm), so that it can
 * serve as the test oracle for that path.  Not for secrets: it sees
 * every value.
 */
#ifndef SPU_CLEAR_H
#define SPU_CLEAR_H

#include <stddef.h>
#include <stdint.h>

#include "bytecode.h"
#include "err.h"
#include "tensor.h"

/* Default largest number of iterations of any one WHILE loop. */
#define SPU_CLEAR_MAX_ITERS 10000000
/* Deepest nesting of called functions (WHILE/COND/CALL/REDUCE/...). */
#define SPU_CLEAR_MAX_DEPTH 256

/*
 * Evaluate the entry function of p (verified first) on in[0..nin), bound
 * to its parameters in order and converted to the parameter dtypes
 * (shapes must match exactly).  On success *out is a malloc'ed array of
 * *nout tensors, freed by the caller with spu_tensor_free() on each and
 * free() on the array: float results as SPU_F64 tensors, integers in
 * their program dtype, pred as SPU_PRED.
 *
 * Returns 0 or a negative enum spu_err; the message in d names the
 * function, the instruction index, the op and its HLO line.
 */
int spu_clear_run(const struct spu_program *p, struct spu_tensor *const *in,
    size_t nin, struct spu_tensor ***out, size_t *nout, struct spu_diag *d);

/* Limits of a run; zero fields take the defaults above. */
struct spu_clear_opts {
	uint64_t max_iters;	/* per WHILE loop */
};

/* spu_clear_run with limits (o may be NULL). */
int spu_clear_run_opts(const struct spu_program *p,
    struct spu_tensor *const *in, size_t nin, const struct spu_clear_opts *o,
    struct spu_tensor ***out, size_t *nout, struct spu_diag *d);

#endif
