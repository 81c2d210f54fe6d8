/*
 * fuzz_hlo_parse.c - libFuzzer target for spu-compile's front end: the
 * HLO lexer and parser (hlo_parse), then, for text that parses, what
 * spu-compile runs after it: visibility inference and lowering
 * (lower_module), the default pass pipeline, and spu_bc_verify.
 *
 * The options vary with a hash of the input (which of the first eight
 * entry parameters are public, --reveal-secret-conditions, -O0), so
 * every input replays the same way.  A lowered program that does not
 * verify, or does not survive spu_bc_encode/spu_bc_decode, is a compiler
 * bug and stops the run.  Not a test of what the program computes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "fuzz.h"
#include "parser.h"
#include "pass.h"

#define NVIS 8

static uint32_t
fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void
compile(struct hlo_module *m, uint32_t h)
{
	/* spu-compile's default pipeline (main.c) */
	static int (*const passes[])(struct spu_program *,
	    struct spu_diag *) = { pass_inline, pass_fold, pass_simplify,
	    pass_strength, pass_select, pass_trunc, pass_fold, pass_simplify,
	    pass_argmax, pass_maxpool, pass_topk, pass_cse, pass_licm,
	    pass_dce };
	struct compile_opts o = { 0 };
	struct spu_program *p = NULL, *p2 = NULL;
	struct spu_diag d;
	uint8_t vis[NVIS], *buf = NULL;
	size_t len = 0;
	int err;

	/* mark only parameters that exist: others are a usage error */
	FUZZ_CHECK(m->entry >= 0 && (uint32_t)m->entry < m->ncomp,
	    "parsed module without an entry computation");
	memset(vis, 2, sizeof(vis));
	for (uint32_t i = 0; i < m->comp[m->entry].ninstr; i++) {
		const struct hlo_instr *in = &m->comp[m->entry].instr[i];

		if (in->op == HLO_PARAMETER && in->param_no >= 0 &&
		    in->param_no < NVIS && (h >> in->param_no) & 1)
			vis[in->param_no] = SPU_PUBLIC;
	}
	o.nvis = NVIS;
	o.param_vis = vis;
	o.reveal_secret_conditions = (h >> 8) & 1;
	o.optimize = (h >> 9) & 3 ? 1 : 0;
	o.inline_limit = 64;
	d.msg[0] = '\0';
	if ((err = lower_module(m, &o, &p, &d)) != 0) {
		fuzz_check_err(err, &d);
		FUZZ_CHECK(p == NULL, "output set on failure");
		return;
	}
	FUZZ_CHECK(p != NULL, "no program on success");
	for (size_t i = 0; o.optimize && i < sizeof(passes) /
	    sizeof(passes[0]); i++) {
		if ((err = passes[i](p, &d)) != 0) {
			fuzz_check_err(err, &d);
			goto out;
		}
	}
	err = spu_bc_verify(p, &d);
	FUZZ_CHECK(err == 0, "compiled program does not verify");
	if (spu_bc_encode(p, &buf, &len, &d) == 0) {
		err = spu_bc_decode(buf, len, &p2, &d);
		FUZZ_CHECK(err == 0, "compiled program does not decode");
	}
out:
	spu_program_free(p2);
	free(buf);
	spu_program_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hlo_module *m = NULL;
	struct spu_diag d;
	int err;

	d.msg[0] = '\0';
	err = hlo_parse("fuzz.hlo", (const char *)data, size, &m, &d);
	if (err != 0) {
		fuzz_check_err(err, &d);
		FUZZ_CHECK(m == NULL, "output set on failure");
		return 0;
	}
	FUZZ_CHECK(m != NULL, "no module on success");
	compile(m, fnv1a(data, size));
	hlo_module_free(m);
	return 0;
}
