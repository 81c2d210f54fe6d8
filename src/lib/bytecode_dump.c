/*
 * bytecode_dump.c - the human-readable listing of a program
 * (spu-compile --emit=text, spu_bc_dump in bytecode.h): one line per
 * instruction with its operands, result types and attributes.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytecode.h"
#include "value.h"

static void
dump_type(FILE *f, const struct spu_type *t)
{
	char buf[256];

	spu_shape_format(buf, sizeof(buf), t->dtype, &t->shape);
	fprintf(f, "%s %s", spu_vis_name(t->vis), buf);
}

static void
dump_insn(FILE *f, const struct spu_program *p, const struct spu_insn *in)
{
	fprintf(f, "  ");
	for (uint32_t k = 0; k < in->nout; k++)
		fprintf(f, "%s%%%u", k ? ", " : "", in->out[k]);
	fprintf(f, "%s%s(", in->nout ? " = " : "", spu_op_name(in->op));
	for (uint32_t k = 0; k < in->nin; k++)
		fprintf(f, "%s%%%u", k ? ", " : "", in->in[k]);
	fprintf(f, ")");
	for (uint32_t k = 0; k < in->nout; k++) {
		fprintf(f, "%s", k ? ", " : " : ");
		dump_type(f, &in->type[k]);
	}
	for (uint32_t k = 0; k < in->nattr; k++) {
		fprintf(f, "  %s=[", spu_attr_name(in->attr[k].key));
		for (uint32_t j = 0; j < in->attr[k].n; j++)
			fprintf(f, "%s%" PRId64, j ? "," : "",
			    in->attr[k].v[j]);
		fprintf(f, "]");
	}
	if (in->nfunc > 0) {
		fprintf(f, "  calls=[");
		for (uint32_t k = 0; k < in->nfunc; k++) {
			const char *nm = in->func[k] < p->nfuncs ?
			    p->funcs[in->func[k]].name : NULL;
			fprintf(f, "%s@%u", k ? "," : "", in->func[k]);
			if (nm != NULL && *nm != '\0')
				fprintf(f, " %s", nm);
		}
		fprintf(f, "]");
	}
	if (in->op == SPU_OP_CONST && in->nout == 1) {
		int64_t n = spu_shape_numel(&in->type[0].shape);
		fprintf(f, "  value=[");
		for (int64_t j = 0; j < n && j < 8; j++) {
			if (in->lit_f != NULL)
				fprintf(f, "%s%.9g", j ? "," : "",
				    in->lit_f[j]);
			else if (in->lit_i != NULL)
				fprintf(f, "%s%" PRId64, j ? "," : "",
				    in->lit_i[j]);
		}
		fprintf(f, "%s]", n > 8 ? ",..." : "");
	}
	if (in->line != 0)
		fprintf(f, "  # line %u", in->line);
	fprintf(f, "\n");
}

void
spu_bc_dump(FILE *f, const struct spu_program *p)
{
	fprintf(f, "program \"%s\": %u function%s, entry @%u\n",
	    p->name ? p->name : "", p->nfuncs, p->nfuncs == 1 ? "" : "s",
	    p->entry);
	for (uint32_t i = 0; i < p->nfuncs; i++) {
		const struct spu_func *fn = &p->funcs[i];
		fprintf(f, "\nfunc @%u \"%s\" (params %u, slots %u)%s:\n", i,
		    fn->name ? fn->name : "", fn->nparams, fn->nslots,
		    i == p->entry ? " entry" : "");
		for (uint32_t k = 0; k < fn->ninsns; k++)
			dump_insn(f, p, &fn->insns[k]);
		fprintf(f, "  return");
		for (uint32_t k = 0; k < fn->nouts; k++)
			fprintf(f, "%s %%%u", k ? "," : "", fn->outs[k]);
		fprintf(f, "\n");
	}
}
