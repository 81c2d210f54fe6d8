/*
 * pass.h - the MPC-aware bytecode passes (pass_*.c beyond fold, cse and
 * dce, which compile.h declares) and the instruction rewriter they share
 * (pass_util.c).
 *
 * A pass rewrites one function at a time with a struct rw: it walks the
 * old instruction list in order, and for each instruction either keeps
 * it (possibly changed), replaces it by an earlier value (rw_alias), or
 * emits new instructions first.  New results get fresh slot numbers; the
 * SSA order of the list is kept, slot numbers need not be ordered
 * (pass_dce renumbers them).  Every rewrite keeps the value of every
 * program output under the VM's fixed-point semantics (no NaN or
 * infinity); see each pass file for its rules.
 */
#ifndef SPU_PASS_H
#define SPU_PASS_H

#include <stdint.h>
#include <stdio.h>

#include "compile.h"

/* The passes; each returns 0 or a negative spu_err. */
int pass_inline(struct spu_program *p, struct spu_diag *d);
int pass_simplify(struct spu_program *p, struct spu_diag *d);
int pass_strength(struct spu_program *p, struct spu_diag *d);
int pass_select(struct spu_program *p, struct spu_diag *d);
int pass_trunc(struct spu_program *p, struct spu_diag *d);
int pass_licm(struct spu_program *p, struct spu_diag *d);
int pass_argmax(struct spu_program *p, struct spu_diag *d);
int pass_denom(struct spu_program *p, struct spu_diag *d);
int pass_sqrteps(struct spu_program *p, struct spu_diag *d);
int pass_maxpool(struct spu_program *p, struct spu_diag *d);
int pass_topk(struct spu_program *p, struct spu_diag *d);

/* stats.c: the MPC cost of a program (see stats.c for what counts). */
struct stats_cost {
	uint32_t insns;
	uint32_t counts[SPU_OP_COUNT];
	uint64_t smul, smul_el;		/* secret x secret products */
	uint64_t cmp, cmp_el;		/* secret comparisons */
	uint64_t trunc, trunc_el;	/* truncations of secret values */
	uint64_t nonlin, nonlin_el;	/* secret division, exp, sqrt, ... */
	uint32_t squares;		/* secret x*x with one slot */
	uint32_t logistic;
	uint32_t softmax, softmax_max;	/* patterns; max-subtracted */
};

int stats_cost(const struct spu_program *p, struct stats_cost *c);
void stats_header(FILE *f);
/* One row: the pass name, c, and the opcode counts changed from prev
 * (NULL: none). */
void stats_row(FILE *f, const char *pass, const struct stats_cost *c,
    const struct stats_cost *prev);

/* Rewriting one function. */
struct rw {
	struct spu_program *p;
	uint32_t f;		/* function index */
	struct spu_diag *d;
	struct spu_insn *old;	/* the old list (owned while rewriting) */
	uint32_t nold;
	struct spu_insn *out;	/* the new list */
	uint32_t nout, capout;
	uint32_t nslots, capslots;
	uint32_t *def;		/* slot -> index in out + 1 (0: none) */
	uint32_t *ren;		/* slot -> the slot that replaces it */
	uint32_t *uses;		/* slot -> uses in the old list, outs */
	int changed;		/* set by a rewrite */
	int err;		/* first error (sticky) */
	void *ctx;		/* the pass's own state */
};

int rw_begin(struct rw *r, struct spu_program *p, uint32_t f,
    struct spu_diag *d);
/* Install the new list (or, after an error, free it and keep nothing
 * half-done: the function is then left as the partial new list, which
 * is still valid SSA); returns r->err. */
int rw_end(struct rw *r);
/* Take old instruction i out of the old list with its operands renamed. */
void rw_take(struct rw *r, uint32_t i, struct spu_insn *in);
/* Append in to the new list (ownership moves). */
void rw_keep(struct rw *r, struct spu_insn *in);
/* Drop in and let its result 0 be slot s from now on. */
void rw_alias(struct rw *r, struct spu_insn *in, uint32_t s);

/* The instruction that defines slot s in the new list, or NULL (also
 * for PARAM results it is the PARAM). */
const struct spu_insn *rw_def(const struct rw *r, uint32_t s);
/* The type of slot s, or NULL. */
const struct spu_type *rw_type(const struct rw *r, uint32_t s);
/* A fresh slot number (UINT32_MAX after an error). */
uint32_t rw_new_slot(struct rw *r);
/* Old-list uses of `from` read `to` from now on. */
void rw_rename(struct rw *r, uint32_t from, uint32_t to);
/* Old-list uses of s (a value made by a rewrite counts 0). */
uint32_t rw_uses(const struct rw *r, uint32_t s);

/* Emit a one-result instruction of type t; returns the new slot, or
 * UINT32_MAX after an error.  Attributes are copied from src (NULL:
 * none). */
uint32_t rw_emit(struct rw *r, enum spu_op op, const uint32_t *in,
    uint32_t nin, const struct spu_type *t, const struct spu_insn *src);
/* A public constant of dtype dt and shape s with every element v. */
uint32_t rw_const(struct rw *r, enum spu_dtype dt, const struct spu_shape *s,
    double v);

/* Constant inspection through layout ops: the CONST under a chain of
 * BROADCAST / RESHAPE / TRANSPOSE ending at slot s, or NULL.  The values
 * of s are exactly the values of that CONST (or none of them when s is
 * empty). */
const struct spu_insn *rw_const_root(const struct rw *r, uint32_t s);
/* 1 if slot s is a constant whose elements all equal v (as double). */
int rw_is_const(const struct rw *r, uint32_t s, double v);
/* 1 and *v if every element of constant s is the same value. */
int rw_const_uniform(const struct rw *r, uint32_t s, double *v);
/* Element k of a CONST as a double. */
double rw_lit(const struct spu_insn *c, size_t k);
/* Map a constant chain: a new chain of the same layout ops over a new
 * CONST of dtype dt whose elements are fn(old element).  Returns the new
 * slot or UINT32_MAX. */
uint32_t rw_map_const(struct rw *r, uint32_t s, enum spu_dtype dt,
    double (*fn)(double));

/* Deep copy of an instruction (all arrays); 0 or SPU_ENOMEM. */
int pass_insn_copy(struct spu_insn *dst, const struct spu_insn *src);
/* Set (replace or insert, keeping keys sorted) attribute k. */
int pass_attr_set(struct spu_insn *in, enum spu_attr_key k, const int64_t *v,
    uint32_t n);
/* Remove attribute k (if present). */
void pass_attr_del(struct spu_insn *in, enum spu_attr_key k);
/* Attribute k absent from both, or the same values in both. */
int pass_attr_same(const struct spu_insn *a, const struct spu_insn *b,
    enum spu_attr_key k);
int pass_type_eq(const struct spu_type *a, const struct spu_type *b);

/* Inside a function (a region), by scanning it: the instruction that
 * defines slot s (NULL if none), and the parameter index of slot s (-1
 * if s is not a PARAM's result). */
const struct spu_insn *pass_func_def(const struct spu_func *fn, uint32_t s);
int pass_func_param(const struct spu_func *fn, uint32_t s);
/* 1 if function f has two parameters and returns op(param 0, param 1). */
int pass_region_binop(const struct spu_program *p, uint32_t f,
    enum spu_op op);
int pass_is_float(const struct spu_type *t);

/* Run fn(r) on every function of p with a fresh rewriter (r->ctx =
 * ctx). */
int pass_each_func(struct spu_program *p, struct spu_diag *d,
    void (*fn)(struct rw *r));
int pass_each_func_ctx(struct spu_program *p, struct spu_diag *d,
    void (*fn)(struct rw *r), void *ctx);

#endif
