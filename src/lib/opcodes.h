/*
 * opcodes.h - the one list of VM operations (X-macro).
 *
 *   OP(NAME, "name", min_inputs, max_inputs)    max -1 = any number
 *
 * The numeric value of each opcode is its position in this list and is
 * part of the bytecode format: append new ops at the end only (grep
 * ORDER OP).  Semantics follow XLA's operation of the same name unless
 * noted; operands of elementwise ops have identical shapes (the compiler
 * inserts BROADCAST).  Attributes are named by enum spu_attr_key.
 *
 * Fixed point is type-directed: MUL/MATMUL/DIV of two float operands
 * rescale (truncate) once; a float times an integer does not.
 */
#ifndef SPU_OPCODES_H
#define SPU_OPCODES_H

#define SPU_OPCODE_LIST(OP)						\
	/* PARAM: entry/region parameter INDEX; result type as given. */	\
	OP(PARAM, "param", 0, 0)					\
	/* CONST: literal (insn.lit), always PUBLIC. */			\
	OP(CONST, "const", 0, 0)					\
	OP(ADD, "add", 2, 2)						\
	OP(SUB, "sub", 2, 2)						\
	OP(MUL, "mul", 2, 2)						\
	OP(NEG, "neg", 1, 1)						\
	/* MATMUL: x[B?,M,K] . y[B?,K,N] -> [B?,M,N]; both rank 2 or	\
	 * both rank 3 with equal B. */					\
	OP(MATMUL, "matmul", 2, 2)					\
	/* BROADCAST: DIMS[i] = result dim of operand dim i (XLA	\
	 * broadcast_in_dim). */					\
	OP(BROADCAST, "broadcast", 1, 1)				\
	/* RESHAPE: row-major reinterpretation to the result shape. */	\
	OP(RESHAPE, "reshape", 1, 1)					\
	/* TRANSPOSE: result dim i = operand dim PERM[i]. */		\
	OP(TRANSPOSE, "transpose", 1, 1)				\
	/* CONVERT: change dtype to the result's (float<->int rescales,	\
	 * float->int rounds toward zero, ->pred is != 0). */		\
	OP(CONVERT, "convert", 1, 1)					\
	OP(DIV, "div", 2, 2)						\
	OP(MAX, "max", 2, 2)						\
	OP(MIN, "min", 2, 2)						\
	OP(POW, "pow", 2, 2)						\
	OP(REM, "rem", 2, 2)						\
	OP(AND, "and", 2, 2)						\
	OP(OR, "or", 2, 2)						\
	OP(XOR, "xor", 2, 2)						\
	OP(SHL, "shl", 2, 2)						\
	OP(SHR_ARITH, "shr_arith", 2, 2)				\
	OP(SHR_LOGIC, "shr_logic", 2, 2)				\
	OP(ATAN2, "atan2", 2, 2)					\
	/* Comparisons: result dtype pred. */				\
	OP(EQ, "eq", 2, 2)						\
	OP(NE, "ne", 2, 2)						\
	OP(LT, "lt", 2, 2)						\
	OP(LE, "le", 2, 2)						\
	OP(GT, "gt", 2, 2)						\
	OP(GE, "ge", 2, 2)						\
	OP(NOT, "not", 1, 1)						\
	OP(ABS, "abs", 1, 1)						\
	OP(SIGN, "sign", 1, 1)						\
	OP(EXP, "exp", 1, 1)						\
	OP(EXPM1, "expm1", 1, 1)					\
	OP(LOG, "log", 1, 1)						\
	OP(LOG1P, "log1p", 1, 1)					\
	OP(SQRT, "sqrt", 1, 1)						\
	OP(RSQRT, "rsqrt", 1, 1)					\
	OP(TANH, "tanh", 1, 1)						\
	OP(LOGISTIC, "logistic", 1, 1)					\
	OP(SIN, "sin", 1, 1)						\
	OP(COS, "cos", 1, 1)						\
	OP(FLOOR, "floor", 1, 1)					\
	OP(CEIL, "ceil", 1, 1)						\
	/* ROUND: half away from zero; ROUND_EVEN: half to even. */	\
	OP(ROUND, "round", 1, 1)					\
	OP(ROUND_EVEN, "round_even", 1, 1)				\
	OP(ERF, "erf", 1, 1)						\
	OP(RECIPROCAL, "reciprocal", 1, 1)				\
	OP(IS_FINITE, "is_finite", 1, 1)				\
	OP(POPCNT, "popcnt", 1, 1)					\
	/* SELECT(pred, on_true, on_false). */				\
	OP(SELECT, "select", 3, 3)					\
	/* CLAMP(lo, x, hi). */						\
	OP(CLAMP, "clamp", 3, 3)					\
	/* SLICE: START, LIMIT, STRIDE per dim. */			\
	OP(SLICE, "slice", 1, 1)					\
	/* CONCAT: along DIMS[0]. */					\
	OP(CONCAT, "concat", 1, -1)					\
	/* PAD(x, padval): PAD_LO, PAD_HI, PAD_INT per dim (may be <0). */\
	OP(PAD, "pad", 2, 2)						\
	/* REVERSE: along each dim in DIMS. */				\
	OP(REVERSE, "reverse", 1, 1)					\
	/* IOTA: counts along DIMS[0] of the result; PUBLIC. */		\
	OP(IOTA, "iota", 0, 0)						\
	/* DYN_SLICE(x, i0, i1, ...): SIZES per dim; scalar indices	\
	 * clamped as XLA does. */					\
	OP(DYN_SLICE, "dyn_slice", 1, -1)				\
	/* DYN_UPDATE_SLICE(x, update, i0, i1, ...). */			\
	OP(DYN_UPDATE_SLICE, "dyn_update_slice", 2, -1)			\
	/* GATHER(x, idx): OFFSET_DIMS, COLLAPSED_DIMS, START_INDEX_MAP,\
	 * INDEX_VECTOR_DIM, SLICE_SIZES, OPERAND_BATCH_DIMS,		\
	 * INDICES_BATCH_DIMS. */					\
	OP(GATHER, "gather", 2, 2)					\
	/* SCATTER(x.., idx, upd..): UPDATE_WINDOW_DIMS, INSERTED_DIMS,	\
	 * SCATTER_DIMS_TO_OPERAND, INDEX_VECTOR_DIM, REDUCER, funcs[0]	\
	 * the combiner. */						\
	OP(SCATTER, "scatter", 3, -1)					\
	/* REDUCE(x.., init..): DIMS reduced; REDUCER kind or funcs[0]. */\
	OP(REDUCE, "reduce", 2, -1)					\
	/* REDUCE_WINDOW(x.., init..): WINDOW, WSTRIDE, PAD_LO, PAD_HI,	\
	 * BASE_DILATE, WIN_DILATE; REDUCER or funcs[0]. */		\
	OP(REDUCE_WINDOW, "reduce_window", 2, -1)			\
	/* SELECT_AND_SCATTER(x, source, init): window attrs as above;	\
	 * funcs[0] select, funcs[1] scatter. */			\
	OP(SELECT_AND_SCATTER, "select_and_scatter", 3, 3)		\
	/* CONV(lhs, rhs): CONV_DIMS (see bytecode.md), WSTRIDE, PAD_LO,\
	 * PAD_HI, BASE_DILATE, WIN_DILATE, FEATURE_GROUPS,		\
	 * BATCH_GROUPS. */						\
	OP(CONV, "conv", 2, 2)						\
	/* SORT(x..): DIMS[0] sort dim, STABLE; funcs[0] comparator or	\
	 * REDUCER = ascending/descending kind. */			\
	OP(SORT, "sort", 1, -1)						\
	/* WHILE(init..): funcs[0] condition, funcs[1] body. */		\
	OP(WHILE, "while", 0, -1)					\
	/* COND(pred_or_index, args..): funcs[i] branch i; a pred picks	\
	 * funcs[0] when true (XLA: true branch first). */		\
	OP(COND, "cond", 1, -1)						\
	/* CALL(args..): funcs[0]. */					\
	OP(CALL, "call", 0, -1)						\
	/* MAP(x..): funcs[0] applied elementwise. */			\
	OP(MAP, "map", 1, -1)						\
	/* BITCAST_CONVERT: reinterpret bits (same width). */		\
	OP(BITCAST_CONVERT, "bitcast_convert", 1, 1)			\
	/* REVEAL: make a secret value public (explicit opt-in). */	\
	OP(REVEAL, "reveal", 1, 1)					\
	/* SQUARE: x * x (float rescales once). */			\
	OP(SQUARE, "square", 1, 1)					\
	/* ARGMAX_WINDOW(x, init) -> (max, onehot): window attrs as	\
	 * REDUCE_WINDOW (no dilation); funcs[0] the select of		\
	 * SELECT_AND_SCATTER.  Per window: the element select picks	\
	 * (as SELECT_AND_SCATTER does; init if the window is all	\
	 * padding) and a pred one-hot of its position, result shape	\
	 * [windows.., W] with W the window size. */			\
	OP(ARGMAX_WINDOW, "argmax_window", 2, 2)			\
	/* WINDOW_SCATTER(y, init): y [windows.., W]; result = init	\
	 * plus each y entry added at its window position (padding	\
	 * dropped); window attrs as REDUCE_WINDOW over the result. */	\
	OP(WINDOW_SCATTER, "window_scatter", 2, 2)			\
	/* TOPK(x..): the first k (result dim) along DIMS[0] of the	\
	 * operands sorted together, stably, by REDUCER = SORT_ASC or	\
	 * SORT_DESC on operand 0. */					\
	OP(TOPK, "topk", 1, -1)						\
	/* CBRT, TAN etc. go here as they are added. */

enum spu_op {
#define SPU_OP_ENUM(name, str, lo, hi) SPU_OP_##name,
	SPU_OPCODE_LIST(SPU_OP_ENUM)
#undef SPU_OP_ENUM
	SPU_OP_COUNT
};

/* Attribute keys; the value is part of the format: append only. */
#define SPU_ATTR_LIST(A)						\
	A(INDEX, "index")						\
	A(DIMS, "dims")							\
	A(PERM, "perm")							\
	A(START, "start")						\
	A(LIMIT, "limit")						\
	A(STRIDE, "stride")						\
	A(PAD_LO, "pad_lo")						\
	A(PAD_HI, "pad_hi")						\
	A(PAD_INT, "pad_int")						\
	A(SIZES, "sizes")						\
	A(WINDOW, "window")						\
	A(WSTRIDE, "wstride")						\
	A(BASE_DILATE, "base_dilate")					\
	A(WIN_DILATE, "win_dilate")					\
	A(REDUCER, "reducer")						\
	A(OFFSET_DIMS, "offset_dims")					\
	A(COLLAPSED_DIMS, "collapsed_dims")				\
	A(START_INDEX_MAP, "start_index_map")				\
	A(INDEX_VECTOR_DIM, "index_vector_dim")				\
	A(SLICE_SIZES, "slice_sizes")					\
	A(OPERAND_BATCH_DIMS, "operand_batch_dims")			\
	A(INDICES_BATCH_DIMS, "indices_batch_dims")			\
	A(UPDATE_WINDOW_DIMS, "update_window_dims")			\
	A(INSERTED_DIMS, "inserted_dims")				\
	A(SCATTER_DIMS_TO_OPERAND, "scatter_dims_to_operand")		\
	A(CONV_DIMS, "conv_dims")					\
	A(FEATURE_GROUPS, "feature_groups")				\
	A(BATCH_GROUPS, "batch_groups")					\
	A(STABLE, "stable")						\
	A(UNIQUE_INDICES, "unique_indices")				\
	A(SORTED_INDICES, "sorted_indices")

enum spu_attr_key {
#define SPU_ATTR_ENUM(name, str) SPU_ATTR_##name,
	SPU_ATTR_LIST(SPU_ATTR_ENUM)
#undef SPU_ATTR_ENUM
	SPU_ATTR_COUNT
};

/* REDUCER values: a known combiner the VM runs as a kernel. */
enum spu_reducer {
	SPU_REDUCE_CALL = 0,	/* generic: call funcs[0] */
	SPU_REDUCE_ADD, SPU_REDUCE_MUL, SPU_REDUCE_MAX, SPU_REDUCE_MIN,
	SPU_REDUCE_AND, SPU_REDUCE_OR,
	SPU_REDUCE_REPLACE,	/* scatter: overwrite */
	SPU_SORT_ASC, SPU_SORT_DESC,
};

const char *spu_op_name(enum spu_op op);
int spu_op_parse(const char *name);	/* -1 if unknown */
int spu_op_min_inputs(enum spu_op op);
int spu_op_max_inputs(enum spu_op op);	/* -1 = unbounded */
const char *spu_attr_name(enum spu_attr_key k);

#endif
