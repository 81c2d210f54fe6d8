/*
 * compile.h - the stages after parsing: visibility inference (vis.c),
 * lowering from HLO to bytecode (lower*.c) and the bytecode passes
 * (pass_*.c), with the options that steer them.
 */
#ifndef SPU_COMPILE_H
#define SPU_COMPILE_H

#include <stdint.h>
#include <stdio.h>

#include "bytecode.h"
#include "hlo.h"

struct compile_opts {
	uint32_t nvis;		/* entry parameters with a visibility set */
	const uint8_t *param_vis; /* [nvis]: SPU_PUBLIC, SPU_SECRET or 2 =
				   * default (SECRET) */
	int reveal_secret_conditions;
	int optimize;		/* run the passes */
	int inline_limit;	/* inline calls of at most this many insns */
};

/* One computation inferred under given visibilities of its (flattened)
 * parameters.  Cached per module; lowering reuses it. */
struct vis_inst {
	struct hlo_comp *comp;
	uint32_t nin;
	uint8_t *in;		/* per parameter leaf */
	uint8_t **v;		/* per instruction: per leaf (NULL if dead) */
	struct vis_inst ***sub;	/* per instruction: called instances */
	uint32_t *nsub;
	uint32_t nout;
	uint8_t *out;		/* root leaves */
	int func;		/* lowered function, -1 if not yet */
	struct vis_inst *next;
};

struct vis_ctx {
	struct hlo_module *m;
	struct spu_diag *d;
	int reveal;		/* --reveal-secret-conditions */
	int depth;
	struct vis_inst *all;
};

/* vis.c */
void vis_init(struct vis_ctx *vc, struct hlo_module *m, int reveal,
    struct spu_diag *d);
void vis_fini(struct vis_ctx *vc);
/* Number of flattened parameter leaves of a resolved computation. */
uint32_t vis_param_leaves(const struct hlo_comp *c);
/* Infer c with parameter leaf visibilities in[0..nin). */
int vis_infer(struct vis_ctx *vc, struct hlo_comp *c, const uint8_t *in,
    uint32_t nin, struct vis_inst **out);

/* lower.c: the whole module to a program (entry function first); free
 * it with spu_program_free. */
int lower_module(struct hlo_module *m, const struct compile_opts *o,
    struct spu_program **out, struct spu_diag *d);

/* Passes over the program; each returns 0 or a negative spu_err. */
void pass_insn_free(struct spu_insn *in);	/* frees the arrays, zeroes */
int pass_fold(struct spu_program *p, struct spu_diag *d);
int pass_cse(struct spu_program *p, struct spu_diag *d);
int pass_dce(struct spu_program *p, struct spu_diag *d);

/* stats.c */
void stats_count(const struct spu_program *p, uint32_t counts[SPU_OP_COUNT],
    uint32_t *total);
void stats_print(FILE *f, const struct spu_program *p);

#endif
