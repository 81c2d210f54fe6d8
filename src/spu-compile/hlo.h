/*
 * hlo.h - the HLO IR of spu-compile: a parsed HloModule (computations,
 * instructions, shapes, literals, raw attributes) and the helpers that
 * interpret it.  Built by parser.c, read by vis.c and lower.c.  Not the
 * bytecode (that is src/lib/bytecode.h).
 *
 * Everything of a module lives in one arena owned by the module; strings
 * and attribute values are NUL-terminated copies, so the source buffer
 * may be freed after parsing.  Attribute values are kept as raw text and
 * interpreted on demand by attr.c, which reports errors at the attribute.
 */
#ifndef SPU_HLO_H
#define SPU_HLO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "tensor.h"

/* Limits that keep hostile input from exhausting the stack or memory. */
#define HLO_MAX_DEPTH 64	/* nesting of tuples, literals, regions */
#define HLO_MAX_OPERANDS 65536
#define HLO_MAX_INSTRS (1u << 22)

/* Non-numeric element types a shape may name. */
#define HLO_DT_TOKEN (-2)
#define HLO_DT_OTHER (-3)	/* c64, f8e5m2, s4, ...: parsed, refused */

/*
 * HLO opcodes spu-compile knows by name.  Those not listed parse as
 * HLO_UNKNOWN and are refused when lowered.
 */
#define HLO_OPCODE_LIST(X)						\
	X(PARAMETER, "parameter") X(CONSTANT, "constant")		\
	X(ADD, "add") X(SUBTRACT, "subtract") X(MULTIPLY, "multiply")	\
	X(DIVIDE, "divide") X(MAXIMUM, "maximum") X(MINIMUM, "minimum")	\
	X(POWER, "power") X(REMAINDER, "remainder") X(AND, "and")	\
	X(OR, "or") X(XOR, "xor") X(SHL, "shift-left")			\
	X(SHRA, "shift-right-arithmetic")				\
	X(SHRL, "shift-right-logical") X(ATAN2, "atan2")		\
	X(COMPARE, "compare") X(NEGATE, "negate") X(NOT, "not")	\
	X(ABS, "abs") X(SIGN, "sign") X(EXP, "exponential")		\
	X(EXPM1, "exponential-minus-one") X(LOG, "log")		\
	X(LOG1P, "log-plus-one") X(SQRT, "sqrt") X(RSQRT, "rsqrt")	\
	X(TANH, "tanh") X(LOGISTIC, "logistic") X(SINE, "sine")	\
	X(COSINE, "cosine") X(FLOOR, "floor") X(CEIL, "ceil")		\
	X(ROUND_AFZ, "round-nearest-afz")				\
	X(ROUND_EVEN, "round-nearest-even") X(ERF, "erf")		\
	X(IS_FINITE, "is-finite") X(POPCNT, "popcnt")			\
	X(SELECT, "select") X(CLAMP, "clamp") X(CONVERT, "convert")	\
	X(BITCAST_CONVERT, "bitcast-convert") X(COPY, "copy")		\
	X(OPT_BARRIER, "opt-barrier")					\
	X(BROADCAST, "broadcast") X(RESHAPE, "reshape")		\
	X(TRANSPOSE, "transpose") X(DOT, "dot") X(TUPLE, "tuple")	\
	X(GTE, "get-tuple-element") X(SLICE, "slice")			\
	X(CONCAT, "concatenate") X(PAD, "pad") X(REVERSE, "reverse")	\
	X(IOTA, "iota") X(DYN_SLICE, "dynamic-slice")			\
	X(DYN_UPDATE_SLICE, "dynamic-update-slice")			\
	X(GATHER, "gather") X(SCATTER, "scatter") X(REDUCE, "reduce")	\
	X(REDUCE_WINDOW, "reduce-window")				\
	X(SELECT_AND_SCATTER, "select-and-scatter")			\
	X(CONVOLUTION, "convolution") X(SORT, "sort") X(WHILE, "while")\
	X(CONDITIONAL, "conditional") X(CALL, "call") X(MAP, "map")	\
	X(CUSTOM_CALL, "custom-call") X(ALL_REDUCE, "all-reduce")

enum hlo_op {
#define HLO_OP_ENUM(e, s) HLO_##e,
	HLO_OPCODE_LIST(HLO_OP_ENUM)
#undef HLO_OP_ENUM
	HLO_UNKNOWN
};

struct hlo_loc {
	uint32_t line, col;
};

/* An array shape, or a tuple of shapes (tuple != 0). */
struct hlo_shape {
	int tuple;
	int dtype;		/* enum spu_dtype, HLO_DT_TOKEN, HLO_DT_OTHER */
	const char *dtname;	/* as written, for messages */
	int ndim;
	int64_t dim[SPU_MAX_DIMS];
	int dynamic;		/* a dimension was written <=N or ? */
	int overrank;		/* dimensions beyond SPU_MAX_DIMS (dropped) */
	uint32_t nelem;		/* tuple elements */
	struct hlo_shape *elem;
	uint32_t nleaves;	/* arrays in the flattened tuple (1 if array) */
};

/* The literal of one array leaf of a constant. */
struct hlo_lit {
	uint32_t n;
	double *f;		/* float dtypes */
	int64_t *i;		/* others (u64 as two's complement) */
};

struct hlo_attr {
	const char *name;
	const char *val;	/* raw text of the value */
	struct hlo_loc loc;	/* of the value */
};

struct hlo_instr {
	const char *name;
	struct hlo_loc loc;	/* of the name */
	struct hlo_loc oploc;	/* of the opcode */
	const char *opname;
	enum hlo_op op;
	int is_root;
	struct hlo_shape shape;
	uint32_t nopnd;
	const char **opnd_name;
	struct hlo_loc *opnd_loc;
	uint32_t *opnd;		/* instruction indices, set by hlo_comp_resolve */
	int64_t param_no;	/* parameter(N) */
	uint32_t nlit;		/* constant: one per leaf */
	struct hlo_lit *lit;
	uint32_t nattr;
	struct hlo_attr *attr;
};

struct hlo_comp {
	const char *name;
	struct hlo_loc loc;
	int is_entry;
	uint32_t ninstr;
	struct hlo_instr *instr;
	/* Set by hlo_comp_resolve: */
	int resolved;
	uint32_t root;
	uint32_t nparams;
	uint32_t *param;	/* parameter number -> instruction index */
	uint32_t norder;	/* live instructions in a def-before-use order */
	uint32_t *order;
	int active;		/* being inferred or lowered (recursion check) */
};

struct hlo_arena_blk;

struct hlo_module {
	const char *file;
	const char *name;
	uint32_t ncomp;
	struct hlo_comp *comp;
	int entry;		/* index into comp */
	struct hlo_arena_blk *arena;
	uint32_t hcap;		/* name hash of computations */
	uint32_t *hash;
};

/* ir.c */
void *hlo_alloc(struct hlo_module *m, size_t n, size_t size);
char *hlo_strndup(struct hlo_module *m, const char *s, size_t len);
void hlo_module_free(struct hlo_module *m);
enum hlo_op hlo_op_lookup(const char *name);
const char *hlo_op_name(enum hlo_op op);
/* Index computation names (rejects duplicates); then find by name. */
int hlo_module_index(struct hlo_module *m, struct spu_diag *d);
struct hlo_comp *hlo_comp_find(struct hlo_module *m, const char *name);
/* Resolve operand names, find the root and parameters, order the live
 * instructions; reports FILE:LINE:COL on error. */
int hlo_comp_resolve(struct hlo_module *m, struct hlo_comp *c,
    struct spu_diag *d);
/* The shape of leaf i of a (flattened) shape, and the first leaf of
 * tuple element k. */
const struct hlo_shape *hlo_shape_leaf(const struct hlo_shape *s,
    uint32_t i);
uint32_t hlo_shape_elem_first_leaf(const struct hlo_shape *s, uint32_t k);
int64_t hlo_shape_numel(const struct hlo_shape *s);
void hlo_shape_format(char *buf, size_t len, const struct hlo_shape *s);
const struct hlo_attr *hlo_attr_find(const struct hlo_instr *in,
    const char *name);
/* "FILE:LINE:COL: " prefix helper: formats into d, returns err. */
int hlo_fail(struct spu_diag *d, int err, const char *file,
    struct hlo_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* attr.c: interpret raw attribute values.  All return 0 or SPU_EFORMAT
 * with FILE:LINE:COL in d.  Lists are allocated in the module arena. */
#define HLO_MAX_LIST 4096
int hlo_attr_ints(struct hlo_module *m, const struct hlo_attr *a,
    int64_t **v, uint32_t *n, struct spu_diag *d);		/* {1,2} */
int hlo_attr_int(struct hlo_module *m, const struct hlo_attr *a,
    int64_t *v, struct spu_diag *d);			/* 3 */
int hlo_attr_bool(struct hlo_module *m, const struct hlo_attr *a,
    int *v, struct spu_diag *d);			/* true */
/* slice={[0:4:1],[1:2]} */
int hlo_attr_slice(struct hlo_module *m, const struct hlo_attr *a,
    int ndim, int64_t *start, int64_t *limit, int64_t *stride,
    struct spu_diag *d);
/* padding=0_0x1_1_0 */
int hlo_attr_padding(struct hlo_module *m, const struct hlo_attr *a,
    int ndim, int64_t *lo, int64_t *hi, int64_t *interior,
    struct spu_diag *d);

struct hlo_window {
	int ndim;
	int64_t size[SPU_MAX_DIMS], stride[SPU_MAX_DIMS];
	int64_t pad_lo[SPU_MAX_DIMS], pad_hi[SPU_MAX_DIMS];
	int64_t lhs_dilate[SPU_MAX_DIMS], rhs_dilate[SPU_MAX_DIMS];
	int reversed;
};
/* window={size=2x2 stride=1x1 pad=0_1x0_1 lhs_dilate=1x1 rhs_dilate=1x1} */
int hlo_attr_window(struct hlo_module *m, const struct hlo_attr *a,
    struct hlo_window *w, struct spu_diag *d);

struct hlo_conv_dims {
	int nspatial;
	int in_batch, in_feature, in_spatial[SPU_MAX_DIMS];
	int k_in, k_out, k_spatial[SPU_MAX_DIMS];
	int out_batch, out_feature, out_spatial[SPU_MAX_DIMS];
};
/* dim_labels=b01f_01io->b01f */
int hlo_attr_dim_labels(struct hlo_module *m, const struct hlo_attr *a,
    struct hlo_conv_dims *c, struct spu_diag *d);
/* A called computation: to_apply=%name; or a list {%a, %b}. */
int hlo_attr_comps(struct hlo_module *m, const struct hlo_attr *a,
    struct hlo_comp ***v, uint32_t *n, struct spu_diag *d);
/* A bare word or quoted string value (direction=LT, target="x"). */
int hlo_attr_word(struct hlo_module *m, const struct hlo_attr *a,
    const char **v, struct spu_diag *d);

#endif
