/*
 * vm_int.h - what the VM's own files share: calling a function of the
 * program (optionally in vector mode, where every scalar of the callee is
 * a vector of `vec` elements, so one call evaluates a region on many
 * element pairs at once), attribute access, and the op families that
 * live outside vm.c:
 *
 *   vm_elem.c    elementwise arithmetic, comparisons, logic, functions
 *   vm_data.c    shape and index ops (slice ... gather, scatter, conv)
 *   vm_reduce.c  reductions and reduce-window as log-depth trees
 *   vm_sort.c    sort (oblivious network on secret data)
 *   vm_window.c  select-and-scatter
 *   vm_pool.c    max pooling in argmax form (argmax_window,
 *                window_scatter)
 *   vm_topk.c    top-k by rounds of max selection
 *   vm_square.c  square
 *   vm_map.c     map and scatter with a general combiner
 *   vm_public.c  any op on public operands only, in the clear
 *   vm_bind.c    values entering a frame: constants, parameters, owners
 *
 * A family's entry returns SPU_VM_NOT_MINE (positive) for an op it does
 * not handle, else 0 or a negative spu_err with m->diag set.
 */
#ifndef SPU_VM_INT_H
#define SPU_VM_INT_H

#include "bytecode.h"
#include "mpc/mpc.h"
#include "value.h"

#define SPU_VM_NOT_MINE 1
/* Operands of a variadic op (sort, reduce, scatter, map). */
#define SPU_VM_MAXK 16

int spu_vm_call(struct spu_mpc *m, const struct spu_program *p, uint32_t fi,
    struct spu_value *const *args, size_t nargs, struct spu_value **outs,
    size_t vec);

/* vm_bind.c: does value shape vs match declared shape ts (in vector
 * mode a declared scalar stands for a vector of vec elements); the
 * constant of a CONST; an input bound to a parameter type (*borrowed:
 * a view of v's shares). */
int spu_vm_shape_ok(const struct spu_shape *ts, const struct spu_shape *vs,
    size_t vec);
int spu_vm_make_const(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value **out, size_t vec);
int spu_vm_bind_param(struct spu_mpc *m, const struct spu_type *t,
    uint32_t index, const struct spu_value *v, struct spu_value **out,
    size_t vec, int *borrowed);

/* vm_bind.c: how many PARAM instructions of fn read argument index; a
 * borrowed view v of a value the caller gives up (give[0..nargs)) takes
 * its buffers (1) or not (0); the slots of fn a product may read more
 * than once (*out, fn->nslots + 1 flags, malloc'ed). */
unsigned spu_vm_param_reads(const struct spu_func *fn, int64_t index);
int spu_vm_take_given(struct spu_value *v, struct spu_value **give,
    size_t nargs);
int spu_vm_mark_reread(struct spu_mpc *m, const struct spu_func *fn,
    unsigned char **out);

/* Attribute k of in with exactly want_n values (UINT32_MAX: any); NULL
 * when absent or of another length. */
static inline const int64_t *
spu_vm_attr(const struct spu_insn *in, enum spu_attr_key k, uint32_t want_n)
{
	const struct spu_attr *a = spu_insn_attr(in, k);

	if (a == NULL || (want_n != UINT32_MAX && a->n != want_n))
		return NULL;
	return a->v;
}

/* An attribute list and its length (NULL, 0 when absent). */
static inline const int64_t *
spu_vm_attr_list(const struct spu_insn *in, enum spu_attr_key k, int *n)
{
	const struct spu_attr *a = spu_insn_attr(in, k);

	*n = a ? (int)a->n : 0;
	return a ? a->v : NULL;
}

/* Are all operands of in public? */
static inline int
spu_vm_all_public(const struct spu_insn *in, struct spu_value *const *ops)
{
	for (uint32_t i = 0; i < in->nin; i++)
		if (ops[i]->vis != SPU_PUBLIC)
			return 0;
	return 1;
}

/* Does function fi compute the sum of its two parameters (a reducer or
 * combiner that is plain addition)? */
int spu_vm_func_is_add(const struct spu_program *p, uint32_t fi);

/* Elementwise ops with one result (vm_elem.c). */
int spu_vm_elementwise(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **z);
/* Shape and index ops with one result (vm_data.c). */
int spu_vm_data(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **z);

/* REDUCE and REDUCE_WINDOW, any reducer, k operands + k inits. res gets
 * in->nout new values. */
int spu_vm_reduce(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res);
int spu_vm_reduce_window(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res);

/* SORT of in->nin operands (vm_sort.c); res gets in->nout values. */
int spu_vm_sort(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res);

/* SELECT_AND_SCATTER (vm_window.c). */
int spu_vm_select_scatter(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **z);

/* Windows of select-and-scatter and argmax_window (vm_window.c): the
 * select region sel picks one element per window by a log-depth
 * tournament (earlier element first); comb is the scatter region. */
struct spu_vm_window {
	struct spu_mpc *m;
	const struct spu_program *p;
	uint32_t sel, comb;
	int64_t nw, W;		/* windows, elements per window */
	int64_t *map;		/* [nw, W]: operand position or -1 (owned) */
};

/* s->nw, s->W, s->map for in's WINDOW, WSTRIDE, PAD_LO over base shape
 * xs with window grid os (dilation unsupported). */
int spu_vm_window_geometry(struct spu_vm_window *s, const struct spu_insn *in,
    const struct spu_shape *xs, const struct spu_shape *os);
/* The picks of s->sel over every window of x: *val [nw] the values (0
 * for a window of padding only), *oh [nw * W] pred one-hots (all zero
 * for a window of padding only). */
int spu_vm_window_pick(struct spu_vm_window *s, const struct spu_value *x,
    struct spu_value **val, struct spu_value **oh);
/* *z = base plus each entry c[q] (q < nw * W) at position s->map[q]
 * (local). */
int spu_vm_window_add(struct spu_vm_window *s, const struct spu_value *base,
    const struct spu_value *c, struct spu_value **z);

/* ARGMAX_WINDOW and WINDOW_SCATTER (vm_pool.c), TOPK (vm_topk.c),
 * SQUARE (vm_square.c); res gets in->nout values. */
int spu_vm_pool(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res);
int spu_vm_topk(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res);
int spu_vm_square(struct spu_mpc *m, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **res);

/* MAP, and SCATTER with several operands or a general combiner
 * (vm_map.c); res gets in->nout values. */
int spu_vm_map(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res);
int spu_vm_scatter(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res);

/* Any op on public operands only, evaluated in the clear (vm_public.c). */
int spu_vm_public_op(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res);

#endif
