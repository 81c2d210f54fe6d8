/*
 * clear_int.h - internals of the cleartext reference evaluator (clear.h):
 * the value type, the evaluation context, and the entry points of each op
 * family.  Not for use outside src/lib/clear/.
 *
 * A value holds one 8-byte element per array element: a double for the
 * float dtypes, an int64_t otherwise, already wrapped to the dtype
 * (signed types sign-extended, unsigned ones zero-extended, u64 as its
 * two's complement bits, pred 0 or 1).  Values are immutable once made
 * and reference-counted, so a slot can be handed to a called function
 * without a copy.
 */
#ifndef SPU_CLEAR_INT_H
#define SPU_CLEAR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "bytecode.h"
#include "clear.h"

union clear_elem {
	double f;
	int64_t i;
};

struct clear_val {
	unsigned refs;
	enum spu_dtype dtype;
	struct spu_shape shape;
	size_t n;
	union clear_elem *e;	/* n elements */
};

struct clear_ctx {
	const struct spu_program *p;
	struct spu_diag *d;
	unsigned depth;		/* nesting of called functions */
	uint32_t fn;		/* instruction being run, for messages */
	uint32_t pc;
	uint64_t max_iters;	/* per WHILE loop */
	uint32_t *maxio;	/* per function: most operands, results */
	uint32_t **lastuse;	/* per function, per slot: last reader */
};

/* ---- value.c: values, dtypes, conversions, attributes, messages ---- */

/* New zeroed value; NULL when the shape is invalid, too large or there is
 * no memory. */
struct clear_val *clear_val_new(enum spu_dtype t, const struct spu_shape *s);
struct clear_val *clear_val_ref(struct clear_val *v);
void clear_val_unref(struct clear_val *v);	/* accepts NULL */

int clear_isf(enum spu_dtype t);	/* f16, bf16, f32, f64 */
int clear_isu(enum spu_dtype t);	/* u8 .. u64 */
int clear_bits(enum spu_dtype t);	/* integer width; pred 1 */
/* Wrap the low bits of v to dtype t (t an integer dtype or pred). */
int64_t clear_wrap(enum spu_dtype t, uint64_t v);
/* Element k of v as a double (integers exactly where they fit). */
double clear_get_f(const struct clear_val *v, size_t k);
/* Element k of an integer value as an index: u64 values above INT64_MAX
 * read as INT64_MAX, so clamping treats them as huge. */
int64_t clear_get_index(const struct clear_val *v, size_t k);
/* CONVERT semantics for one element. */
union clear_elem clear_convert(enum spu_dtype to, enum spu_dtype from,
    union clear_elem x);
/* v in dtype t: a new reference to v when nothing changes, otherwise a
 * converted copy.  Float <-> integer needs CONVERT and fails here. */
int clear_coerce(struct clear_ctx *cx, struct clear_val *v, enum spu_dtype t,
    struct clear_val **out);

/* Row-major strides of s, in elements. */
void clear_strides(const struct spu_shape *s, int64_t *st);
/* Step idx (ndim counters, start all 0) to the next index of s in
 * row-major order; returns 0 after the last one. */
int clear_next_index(int64_t *idx, const struct spu_shape *s);

/* Record "function F: instruction I (op, HLO line L): <fmt>" in cx->d. */
int clear_fail(struct clear_ctx *cx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Allocate result k of instruction in from its declared type. */
int clear_result(struct clear_ctx *cx, const struct spu_insn *in, uint32_t k,
    struct clear_val **out);
/* Fail unless got equals want; what names the operand. */
int clear_check_shape(struct clear_ctx *cx, const struct spu_shape *want,
    const struct spu_shape *got, const char *what);

/* Attribute key with exactly n values copied to v; when absent, every
 * v[i] = dflt, or an error when required. */
int clear_attr_n(struct clear_ctx *cx, const struct spu_insn *in,
    enum spu_attr_key key, uint32_t n, int required, int64_t dflt,
    int64_t *v);
/* Attribute key of any length (at most max); absent gives *n = 0, or an
 * error when required. */
int clear_attr_list(struct clear_ctx *cx, const struct spu_insn *in,
    enum spu_attr_key key, uint32_t max, int required, const int64_t **v,
    uint32_t *n);
/* Fail unless the n values of d are distinct dimensions below rank;
 * sets bit d[i] of *mask. */
int clear_check_dims(struct clear_ctx *cx, const int64_t *d, uint32_t n,
    int rank, unsigned *mask, const char *what);

/* ---- eval.c: function calls ---- */

/* Run function f on args; outs[0..nouts) get new references.  The
 * function must take nargs parameters and return nouts results. */
int clear_call(struct clear_ctx *cx, uint32_t f, struct clear_val *const *args,
    uint32_t nargs, struct clear_val **outs, uint32_t nouts);
/* The same on scalars: argument k has dtype at[k] and value av[k];
 * result k is coerced to dtype rt[k] into rv[k]. */
int clear_call_scalars(struct clear_ctx *cx, uint32_t f,
    const enum spu_dtype *at, const union clear_elem *av, uint32_t nargs,
    const enum spu_dtype *rt, union clear_elem *rv, uint32_t nres);

/* ---- reduce.c: combiners shared by reduce, scatter, select-and-scatter */

#define CLEAR_MAX_VARIADIC 256

struct clear_combiner {
	int kind;		/* enum spu_reducer */
	uint32_t func;		/* when kind is SPU_REDUCE_CALL */
	uint32_t n;		/* values combined at once */
	enum spu_dtype dt[CLEAR_MAX_VARIADIC];
};

/* From the REDUCER attribute (default SPU_REDUCE_CALL) and funcs[fk]. */
int clear_combiner_init(struct clear_ctx *cx, const struct spu_insn *in,
    uint32_t fk, int allow_replace, uint32_t n, const enum spu_dtype *dt,
    struct clear_combiner *c);
/* acc[k] = combine(acc..., x...)[k] for k < c->n. */
int clear_combine(struct clear_ctx *cx, const struct clear_combiner *c,
    union clear_elem *acc, const union clear_elem *x);

/* ---- op families: each fills r[0..in->nout) from a[0..in->nin) ---- */

int clear_op_elementwise(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r);
int clear_op_shape(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r);
int clear_op_index(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r);
int clear_op_reduce(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r);
int clear_op_contract(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r);
int clear_op_sort(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r);
int clear_op_topk(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r);

#endif
