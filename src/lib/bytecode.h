/*
 * bytecode.h - the program format shared by spu-compile (writer) and the
 * VM (reader).  Specified in docs/bytecode.md.
 *
 * A program is a list of functions; function `entry` is the entry point,
 * the others are regions called by WHILE/COND/CALL/REDUCE/... .  Each
 * function is in SSA form over numbered value slots: every instruction
 * writes fresh slots (out[]), reads slots written earlier in the same
 * function (in[]).  PARAM instructions bind the function's arguments.
 * Types carry visibility, decided by the compiler; the VM checks them.
 */
#ifndef SPU_BYTECODE_H
#define SPU_BYTECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "opcodes.h"
#include "tensor.h"
#include "value.h"

#define SPU_BC_VERSION 1
/* Format limits, checked by the decoder before any allocation. */
#define SPU_BC_MAX_FUNCS 65536
#define SPU_BC_MAX_INSNS (1u << 22)
#define SPU_BC_MAX_OPERANDS 4096
#define SPU_BC_MAX_ATTR_LEN 4096

struct spu_type {
	enum spu_dtype dtype;
	enum spu_vis vis;
	struct spu_shape shape;
};

struct spu_attr {
	enum spu_attr_key key;
	uint32_t n;
	int64_t *v;
};

struct spu_insn {
	enum spu_op op;
	uint32_t nin;
	uint32_t *in;		/* operand slots */
	uint32_t nout;
	uint32_t *out;		/* result slots */
	struct spu_type *type;	/* nout result types */
	uint32_t nattr;
	struct spu_attr *attr;	/* sorted by key, keys unique */
	uint32_t nfunc;
	uint32_t *func;		/* called function indices */
	/* CONST only: numel(type[0]) literal elements; lit_f for float
	 * dtypes, lit_i (two's complement for u64) otherwise. */
	double *lit_f;
	int64_t *lit_i;
	uint32_t line;		/* source line in the HLO, 0 if unknown */
};

struct spu_func {
	char *name;
	uint32_t nparams;
	uint32_t nslots;	/* slots are 0 .. nslots-1 */
	uint32_t ninsns;
	struct spu_insn *insns;
	uint32_t nouts;
	uint32_t *outs;		/* result slots */
};

struct spu_program {
	char *name;		/* HLO module name */
	uint32_t entry;
	uint32_t nfuncs;
	struct spu_func *funcs;
};

/* Lookup helpers: return the attribute or NULL. */
const struct spu_attr *spu_insn_attr(const struct spu_insn *in,
    enum spu_attr_key key);

/* Serialize to the on-disk form (CBOR, zstd-compressed, magic, version).
 * Deterministic: equal programs give equal bytes.  *buf is malloc'ed. */
int spu_bc_encode(const struct spu_program *p, uint8_t **buf, size_t *len,
    struct spu_diag *d);
/* Parse and verify; never reads out of bounds; *out freed by the caller
 * with spu_program_free. */
int spu_bc_decode(const uint8_t *buf, size_t len, struct spu_program **out,
    struct spu_diag *d);
/* Structural checks: opcodes, arities, slot ranges and SSA order, types,
 * attribute sizes, called functions.  Run by spu_bc_decode. */
int spu_bc_verify(const struct spu_program *p, struct spu_diag *d);

/* File helpers.  write: to a temporary name then rename, "-" = stdout.
 * read: also returns the SHA-256 digest of the file bytes when digest is
 * not NULL.  Messages name the path. */
int spu_bc_write_file(const char *path, const struct spu_program *p,
    struct spu_diag *d);
int spu_bc_read_file(const char *path, struct spu_program **out,
    uint8_t digest[32], struct spu_diag *d);

/* Human-readable listing (spu-compile --emit=text). */
void spu_bc_dump(FILE *f, const struct spu_program *p);

void spu_program_free(struct spu_program *p);

#endif
