/*
 * progress.h - spu-run --progress: a one-line bar on stderr with the
 * entry function's instructions or the main loop's iterations done, the
 * elapsed time and an estimate of the time left.
 *
 * The VM reports through the progress hook of struct spu_mpc; this file
 * turns the reports into the bar.  One party (party 0 under --simulate)
 * draws it; nothing is drawn unless stderr is a terminal.
 */
#ifndef SPU_RUN_PROGRESS_H
#define SPU_RUN_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "bytecode.h"
#include "mpc/mpc.h"

struct progress {
	FILE *f;
	const struct spu_program *prog;
	int party;
	unsigned field;
	double t0, last;	/* start, last redraw (monotonic seconds) */
	int drawn;		/* a line is on the screen */
	int width;		/* length of the last line drawn */
	uint64_t pc, ninsns;	/* entry function: next instruction, count */
	/* the outermost running while loop of the entry function */
	const struct spu_insn *loop;
	uint64_t it, total;	/* iterations done, expected (0 unknown) */
	double loop_t0;
};

/* Prepare to draw to f for party `party` of program p.  Returns 0 when the
 * bar will be drawn (f is a terminal), -1 otherwise. */
int progress_init(struct progress *pg, FILE *f, const struct spu_program *p,
    int party);
/* Connect pg to an initialised protocol context. */
void progress_attach(struct progress *pg, struct spu_mpc *m);
/* Draw the last state and end the line (call once the run is over). */
void progress_finish(struct progress *pg);

/* The hook itself (struct spu_mpc.progress); exposed for tests. */
void progress_report(void *arg, const struct spu_insn *loop, uint64_t done,
    uint64_t total, struct spu_value *const *state);

/* Expected iteration count of a WHILE whose condition compares a public
 * integer counter parameter with a constant (what lax.fori_loop gives),
 * from its current carried state; 0 when the pattern does not match. */
uint64_t progress_loop_total(const struct spu_program *p,
    const struct spu_insn *loop, struct spu_value *const *state,
    unsigned field);

#endif
