/*
 * stats.c - instruction counts of a program, for --emit=stats.
 */
#include "config.h"

#include <string.h>

#include "compile.h"

void
stats_count(const struct spu_program *p, uint32_t counts[SPU_OP_COUNT],
    uint32_t *total)
{
	memset(counts, 0, SPU_OP_COUNT * sizeof(counts[0]));
	*total = 0;
	for (uint32_t f = 0; f < p->nfuncs; f++)
		for (uint32_t i = 0; i < p->funcs[f].ninsns; i++) {
			enum spu_op op = p->funcs[f].insns[i].op;

			if ((unsigned)op < SPU_OP_COUNT)
				counts[op]++;
			(*total)++;
		}
}

void
stats_print(FILE *f, const struct spu_program *p)
{
	uint32_t counts[SPU_OP_COUNT], total;

	stats_count(p, counts, &total);
	fprintf(f, "%-20s %8s\n", "op", "count");
	for (int op = 0; op < SPU_OP_COUNT; op++)
		if (counts[op] > 0)
			fprintf(f, "%-20s %8u\n", spu_op_name(op), counts[op]);
	fprintf(f, "%-20s %8u\n", "total", total);
}
