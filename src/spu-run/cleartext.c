/*
 * cleartext.c - spu-run --cleartext: evaluate the program in one process
 * on cleartext .npy / CSV inputs with the float64 reference evaluator,
 * and write .npy (or text to stdout).  What the program means, to compare
 * with what MPC's fixed point computes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clear/clear.h"
#include "csv.h"
#include "fileio.h"
#include "npy.h"
#include "party.h"

#define PROG "spu-run"

static int
load(const char *path, struct spu_tensor **t, struct spu_diag *d)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (spu_path_has_suffix(path, ".npy"))
		return spu_npy_read_file(path, t, d);
	if ((rc = spu_read_file(path, &buf, &len, d)) != 0)
		return rc;
	rc = spu_csv_decode(path, (const char *)buf, len, SPU_F64, t, d);
	free(buf);
	return rc;
}

static void
csv_shape(const struct spu_program *p, int index, struct spu_tensor *t)
{
	const struct spu_func *fn = &p->funcs[p->entry];

	for (uint32_t i = 0; i < fn->ninsns; i++) {
		const struct spu_insn *in = &fn->insns[i];
		const struct spu_attr *a = spu_insn_attr(in, SPU_ATTR_INDEX);
		if (in->op == SPU_OP_PARAM && a != NULL && a->n == 1 &&
		    a->v[0] == index &&
		    spu_shape_numel(&in->type[0].shape) == (int64_t)t->n)
			t->shape = in->type[0].shape;
	}
}

int
run_cleartext(const struct spu_program *p, char **inputs, int ninputs,
    const char *output)
{
	struct spu_tensor **in = NULL, **out = NULL;
	struct spu_diag d = { "" };
	size_t nout = 0;
	int status = 1;

	if ((in = calloc((size_t)ninputs + 1, sizeof(*in))) == NULL)
		goto fail;
	for (int i = 0; i < ninputs; i++) {
		if (load(inputs[i], &in[i], &d) != 0)
			goto fail;
		/* CSV carries no shape: take the parameter's when the element
		 * counts agree */
		if (!spu_path_has_suffix(inputs[i], ".npy"))
			csv_shape(p, i, in[i]);
	}
	if (spu_clear_run(p, in, (size_t)ninputs, &out, &nout, &d) != 0)
		goto fail;
	if (output != NULL && nout > 1 && strstr(output, "%d") == NULL) {
		snprintf(d.msg, sizeof(d.msg), "%s: the program has %zu "
		    "outputs: give -o a %%d template", output, nout);
		goto fail;
	}
	for (size_t o = 0; o < nout; o++) {
		char path[4096];
		if (output == NULL) {
			if (spu_csv_print(stdout, out[o]) != 0)
				goto fail;
			continue;
		}
		if (expand_template(path, sizeof(path), output, (int)o) != 0) {
			snprintf(d.msg, sizeof(d.msg), "%s: bad file name "
			    "template", output);
			goto fail;
		}
		if (spu_npy_write_file(path, out[o], &d) != 0) {
			/* no half set of outputs: remove those written */
			for (size_t q = 0; q < o; q++)
				if (expand_template(path, sizeof(path), output,
				    (int)q) == 0)
					remove(path);
			goto fail;
		}
	}
	status = 0;
fail:
	if (status != 0)
		fprintf(stderr, PROG ": %s\n", d.msg[0] ? d.msg : "out of memory");
	for (int i = 0; in != NULL && i < ninputs; i++)
		spu_tensor_free(in[i]);
	free(in);
	for (size_t o = 0; o < nout; o++)
		spu_tensor_free(out[o]);
	free(out);
	return status;
}
