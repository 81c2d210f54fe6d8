/*
 * lower.h - internals shared by the lowering files: lower.c (driver,
 * functions, instruction builder, elementwise and layout ops),
 * lower_ops.c (dot, convolution, gather/scatter, reductions, windows,
 * slicing) and lower_ctl.c (while, conditional, call, map, sort).
 */
#ifndef SPU_LOWER_H
#define SPU_LOWER_H

#include "compile.h"

/* The bytecode values of one HLO instruction: its flattened leaves. */
struct lval {
	uint32_t n;
	uint32_t *slot;
	struct spu_type *type;
};

struct fbuild {
	struct spu_func f;
	uint32_t cap;
};

struct lower {
	struct hlo_module *m;
	const struct compile_opts *o;
	struct spu_diag *d;
	struct vis_ctx vc;
	struct spu_program *p;
	uint32_t fcap;
	int depth;
};

/* One computation being lowered into a function builder. */
struct lctx {
	struct lower *L;
	struct fbuild *fb;
	struct hlo_comp *c;
	struct vis_inst *vi;
	struct lval *val;	/* per instruction of c */
	uint32_t cur;		/* instruction being lowered */
	struct hlo_instr *in;
};

/* lower.c */
int lw_instr(struct lctx *cx);
struct spu_insn *lw_emit(struct lctx *cx, enum spu_op op, const uint32_t *in,
    uint32_t nin, const struct spu_type *types, uint32_t nout);
/* Emit a one-result instruction; *slot gets the result. */
int lw_emit1(struct lctx *cx, enum spu_op op, const uint32_t *in,
    uint32_t nin, const struct spu_type *t, uint32_t *slot,
    struct spu_insn **ip);
int lw_attr(struct lctx *cx, struct spu_insn *ins, enum spu_attr_key k,
    const int64_t *v, uint32_t n);
int lw_attr1(struct lctx *cx, struct spu_insn *ins, enum spu_attr_key k,
    int64_t v);
int lw_funcs(struct lctx *cx, struct spu_insn *ins, const uint32_t *f,
    uint32_t n);
/* Results of the current instruction. */
int lw_set(struct lctx *cx, const uint32_t *slots,
    const struct spu_type *types, uint32_t n);
int lw_set1(struct lctx *cx, uint32_t slot, const struct spu_type *t);
/* Operand k as a single array value. */
int lw_arr(struct lctx *cx, uint32_t k, uint32_t *slot, struct spu_type *t);
/* Type of result leaf j of the current instruction. */
int lw_res_type(struct lctx *cx, uint32_t j, struct spu_type *t);
int lw_type(struct lctx *cx, const struct hlo_shape *s, uint8_t vis,
    struct spu_type *t);
int lw_bad(struct lctx *cx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int lw_unsupp(struct lctx *cx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int lw_nomem(struct lctx *cx);
/* Attribute helpers: a required or optional integer list. */
int lw_ints(struct lctx *cx, const char *name, int required, int64_t **v,
    uint32_t *n);
int lw_int(struct lctx *cx, const char *name, int required, int64_t dflt,
    int64_t *v);
/* RESHAPE / TRANSPOSE / BROADCAST that skip identities. */
int lw_reshape(struct lctx *cx, uint32_t x, const struct spu_type *xt,
    const struct spu_shape *to, uint32_t *out, struct spu_type *ot);
int lw_transpose(struct lctx *cx, uint32_t x, const struct spu_type *xt,
    const int *perm, uint32_t *out, struct spu_type *ot);
int lw_broadcast(struct lctx *cx, uint32_t x, const struct spu_type *xt,
    const struct spu_shape *to, const int64_t *dims, uint32_t *out);
int lw_convert(struct lctx *cx, uint32_t x, const struct spu_type *xt,
    enum spu_dtype to, uint32_t *out, struct spu_type *ot);
/* Lower vi's computation into its own function (memoized unless leafmap
 * or reveal_out is given).  ptypes[nparams]: PARAM types (NULL: from
 * the computation's parameters); leafmap[i]: the PARAM bound to the
 * computation's parameter leaf i. */
int lw_func(struct lower *L, struct vis_inst *vi, uint32_t nparams,
    const struct spu_type *ptypes, const uint32_t *leafmap, int reveal_out,
    uint32_t *fidx);
/* Lower vi's computation inline into fb with its parameter leaves bound
 * to args; the root's leaves go to *root (caller frees). */
int lw_body(struct lower *L, struct fbuild *fb, struct vis_inst *vi,
    const uint32_t *args, const struct spu_type *argt, struct lval *root);
/* A known combiner: SPU_REDUCE_* kind, or SPU_REDUCE_CALL. */
int lw_reducer_kind(struct hlo_comp *r, int allow_replace);

/* lower_ops.c */
int lw_dot(struct lctx *cx);
int lw_conv(struct lctx *cx);
int lw_gather(struct lctx *cx);
int lw_scatter(struct lctx *cx);
int lw_reduce(struct lctx *cx);
int lw_reduce_window(struct lctx *cx);
int lw_select_and_scatter(struct lctx *cx);
int lw_slice(struct lctx *cx);
int lw_pad(struct lctx *cx);
int lw_concat(struct lctx *cx);
int lw_dyn_slice(struct lctx *cx, int update);

/* lower_ctl.c */
int lw_while(struct lctx *cx);
int lw_cond(struct lctx *cx);
int lw_call(struct lctx *cx);
int lw_map(struct lctx *cx);
int lw_sort(struct lctx *cx);
int lw_custom_call(struct lctx *cx);
int lw_all_reduce(struct lctx *cx);

#endif
