/*
 * main.c - spu-compile: XLA HLO text in, spu bytecode out.
 *
 *   spu-compile [-O0] [-o FILE] [--public N] [--secret N]
 *       [--emit=bytecode|text|stats] [--passes=LIST]
 *       [--disable-pass NAME] [--enable-pass NAME]
 *       [--reveal-secret-conditions] FILE
 *
 * Parse, infer visibilities, lower, run the passes, verify, write.  Only
 * this file prints or exits.  Exit status: 0 success, 1 bad input (with
 * "spu-compile: FILE:LINE:COL: cause"), 2 bad usage.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "fileio.h"
#include "mem.h"
#include "parser.h"
#include "pass.h"

#define PROG "spu-compile"

enum emit { EMIT_BYTECODE, EMIT_TEXT, EMIT_STATS };

/* The passes, by name.  optin: run only when asked for (--enable-pass or
 * --passes), because it changes results beyond rounding. */
static const struct {
	const char *name;
	int (*run)(struct spu_program *, struct spu_diag *);
	int optin;
} passes[] = {
	{ "inline", pass_inline, 0 },
	{ "fold", pass_fold, 0 },
	{ "simplify", pass_simplify, 0 },
	{ "sqrteps", pass_sqrteps, 1 },
	{ "strength", pass_strength, 0 },
	{ "denom", pass_denom, 1 },
	{ "select", pass_select, 0 },
	{ "trunc", pass_trunc, 0 },
	{ "argmax", pass_argmax, 0 },
	{ "maxpool", pass_maxpool, 0 },
	{ "topk", pass_topk, 0 },
	{ "cse", pass_cse, 0 },
	{ "licm", pass_licm, 0 },
	{ "dce", pass_dce, 0 },
};
#define NPASSES (sizeof(passes) / sizeof(passes[0]))
#define MAXSEL 64

/* The default order; opt-in passes run where they stand here. */
static const char *const pipeline[] = {
	"inline", "fold", "simplify", "sqrteps", "strength", "denom",
	"select", "trunc", "fold", "simplify", "argmax", "maxpool", "topk",
	"cse", "licm", "dce",
};
#define NPIPE (sizeof(pipeline) / sizeof(pipeline[0]))

static int
pass_index(const char *name)
{
	for (size_t i = 0; i < NPASSES; i++)
		if (strcmp(passes[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " [-O0] [-o FILE] [--public N] [--secret N]\n"
	    "           [--emit=bytecode|text|stats] [--passes=LIST]\n"
	    "           [--disable-pass NAME] [--enable-pass NAME]\n"
	    "           [--reveal-secret-conditions] FILE\n");
}

static void
help(void)
{
	usage(stdout);
	printf("\nCompile XLA HLO text (as JAX prints it) to spu bytecode.\n\n"
	    "  -o, --output FILE\n"
	    "                 output (default: FILE with .spub; - = stdout)\n"
	    "  --public N     entry parameter N is public (repeatable)\n"
	    "  --secret N     entry parameter N is secret (the default)\n"
	    "  --emit=KIND    bytecode (default), text (listing), stats\n"
	    "                 (instructions, secret multiplications,\n"
	    "                 comparisons, truncations and nonlinear\n"
	    "                 operations after each pass)\n"
	    "  --passes=LIST  passes to run, comma-separated, in order, or\n"
	    "                 none; the default is\n"
	    "                 inline,fold,simplify,strength,select,trunc,\n"
	    "                 fold,simplify,argmax,maxpool,topk,cse,licm,dce\n"
	    "  --disable-pass NAME\n"
	    "                 do not run pass NAME (repeatable)\n"
	    "  --enable-pass NAME\n"
	    "                 also run the opt-in pass NAME (sqrteps, denom)\n"
	    "                 at its place in the default order (repeatable)\n"
	    "  -O0            run no passes (same as --passes=none)\n"
	    "  --reveal-secret-conditions\n"
	    "                 allow while loops whose condition is secret by\n"
	    "                 revealing the condition each iteration\n"
	    "  -h, --help     this help\n"
	    "  -V, --version  print the version\n");
}

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	return 2;
}

static int
parse_passes(const char *s, int *sel, int *nsel)
{
	char buf[512], *tok, *save;

	*nsel = 0;
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if (strcmp(buf, "none") == 0)
		return 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		int i = pass_index(tok);

		if (i < 0 || *nsel >= MAXSEL)
			return -1;
		sel[(*nsel)++] = i;
	}
	return *nsel > 0 ? 0 : -1;
}

/* The default order with the opt-in passes of `on` (a flag per pass). */
static void
default_passes(const uint8_t *on, int *sel, int *nsel)
{
	*nsel = 0;
	for (size_t k = 0; k < NPIPE && *nsel < MAXSEL; k++) {
		int i = pass_index(pipeline[k]);

		if (i >= 0 && (!passes[i].optin || on[i]))
			sel[(*nsel)++] = i;
	}
}

static char *
default_output(const char *in)
{
	size_t n = strlen(in);
	char *out;

	if (strcmp(in, "-") == 0)
		return spu_strdup("-");
	if (n > 4 && strcmp(in + n - 4, ".txt") == 0)
		n -= 4;
	if (n > 4 && strncmp(in + n - 4, ".hlo", 4) == 0)
		n -= 4;
	if ((out = spu_malloc(n + 6, 1)) == NULL)
		return NULL;
	memcpy(out, in, n);
	memcpy(out + n, ".spub", 6);
	return out;
}

/* Write text made by fn to path ("-" = stdout), atomically. */
static int
write_text(const char *path, const struct spu_program *p,
    void (*fn)(FILE *, const struct spu_program *), const char *pre,
    struct spu_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mf;
	int err;

	if ((mf = open_memstream(&buf, &len)) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	if (pre != NULL)
		fputs(pre, mf);
	fn(mf, p);
	if (fclose(mf) != 0) {
		free(buf);
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	}
	err = spu_write_file_atomic(path, buf, len, d);
	free(buf);
	return err;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "disable-pass", required_argument, NULL, 'D' },
		{ "emit", required_argument, NULL, 'e' },
		{ "enable-pass", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "passes", required_argument, NULL, 'p' },
		{ "public", required_argument, NULL, 'P' },
		{ "reveal-secret-conditions", no_argument, NULL, 'r' },
		{ "secret", required_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct compile_opts o;
	struct hlo_module *m = NULL;
	struct spu_program *p = NULL;
	struct spu_diag d;
	enum emit emit = EMIT_BYTECODE;
	uint8_t vis[1024], *buf = NULL;
	char *out = NULL, *stats = NULL, *costs = NULL, *end;
	const char *in, *opath = NULL;
	size_t len, slen = 0, clen = 0;
	int sel[MAXSEL], nsel = 0, explicit = 0, c, err, rc = 1, k;
	uint8_t enabled[NPASSES], disabled[NPASSES];
	struct stats_cost cost, prev;
	long n;
	FILE *sf = NULL, *cf = NULL;

	memset(&o, 0, sizeof(o));
	memset(vis, 2, sizeof(vis));
	memset(enabled, 0, sizeof(enabled));
	memset(disabled, 0, sizeof(disabled));
	/* calls stay calls; pass "inline" inlines them */
	o.inline_limit = 0;
	while ((c = getopt_long(argc, argv, "hO:o:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
		case 'E':
			if ((k = pass_index(optarg)) < 0)
				return usage_error("unknown pass '%s' (see "
				    "--help)", optarg);
			if (c == 'D')
				disabled[k] = 1;
			else if (!passes[k].optin)
				return usage_error("--enable-pass: '%s' runs "
				    "by default", optarg);
			else
				enabled[k] = 1;
			break;
		case 'e':
			if (strcmp(optarg, "bytecode") == 0)
				emit = EMIT_BYTECODE;
			else if (strcmp(optarg, "text") == 0)
				emit = EMIT_TEXT;
			else if (strcmp(optarg, "stats") == 0)
				emit = EMIT_STATS;
			else
				return usage_error("--emit: unknown kind '%s'",
				    optarg);
			break;
		case 'h':
			help();
			return 0;
		case 'O':
			if (strcmp(optarg, "0") == 0) {
				nsel = 0;
				explicit = 1;
			} else if (strcmp(optarg, "1") == 0 ||
			    strcmp(optarg, "2") == 0) {
				explicit = 0;
			} else
				return usage_error("-O%s: use -O0 or -O1",
				    optarg);
			break;
		case 'o':
			opath = optarg;
			break;
		case 'p':
			if (parse_passes(optarg, sel, &nsel) != 0)
				return usage_error("--passes: bad list '%s' "
				    "(pass names as --help lists them, or "
				    "none)", optarg);
			explicit = 1;
			break;
		case 'P':
		case 'S':
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 0 ||
			    n >= (long)sizeof(vis))
				return usage_error("--public/--secret: bad "
				    "parameter number '%s'", optarg);
			vis[n] = c == 'P' ? SPU_PUBLIC : SPU_SECRET;
			if ((uint32_t)n + 1 > o.nvis)
				o.nvis = (uint32_t)n + 1;
			break;
		case 'r':
			o.reveal_secret_conditions = 1;
			break;
		case 'V':
			printf(PROG " (spu) " PACKAGE_VERSION "\n");
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1)
		return usage_error("%s", argc - optind == 0 ?
		    "no input file" : "more than one input file");
	in = argv[optind];
	if (!explicit)
		default_passes(enabled, sel, &nsel);
	for (int i = k = 0; i < nsel; i++)
		if (!disabled[sel[i]])
			sel[k++] = sel[i];
	nsel = k;
	o.param_vis = vis;
	o.optimize = nsel > 0;

	if ((err = spu_read_file(in, &buf, &len, &d)) != 0)
		goto fail;
	if ((err = hlo_parse(strcmp(in, "-") ? in : "<stdin>",
	    (const char *)buf, len, &m, &d)) != 0)
		goto fail;
	if ((err = lower_module(m, &o, &p, &d)) != 0)
		goto fail;
	if (emit == EMIT_STATS) {
		if ((sf = open_memstream(&stats, &slen)) == NULL) {
			err = spu_fail(&d, SPU_ENOMEM, "out of memory");
			goto fail;
		}
		fprintf(sf, "%-20s %8s\n", "pass", "insns");
		if ((cf = open_memstream(&costs, &clen)) == NULL) {
			err = spu_fail(&d, SPU_ENOMEM, "out of memory");
			goto fail;
		}
		stats_header(cf);
	}
	for (int i = 0; i <= nsel; i++) {
		if (sf != NULL) {
			const char *name = i == 0 ? "lower" :
			    passes[sel[i - 1]].name;

			if (stats_cost(p, &cost) != 0) {
				err = spu_fail(&d, SPU_ENOMEM, "out of memory");
				goto fail;
			}
			fprintf(sf, "%-20s %8u\n", name, cost.insns);
			stats_row(cf, name, &cost, i == 0 ? NULL : &prev);
			prev = cost;
		}
		if (i == nsel)
			break;
		if ((err = passes[sel[i]].run(p, &d)) != 0)
			goto fail;
	}
	if ((err = spu_bc_verify(p, &d)) != 0) {
		fprintf(stderr, PROG ": %s: internal error: program does not "
		    "verify: %s\n", in, d.msg);
		goto out;
	}
	if (sf != NULL) {
		int bad = fclose(cf) != 0;

		cf = NULL;
		fputs("\n", sf);
		if (!bad)
			fprintf(sf, "%s\n", costs);
		if (fclose(sf) != 0 || bad) {
			sf = NULL;
			err = spu_fail(&d, SPU_ENOMEM, "out of memory");
			goto fail;
		}
		sf = NULL;
	}
	if (opath == NULL && emit == EMIT_BYTECODE &&
	    (out = default_output(in)) == NULL) {
		err = spu_fail(&d, SPU_ENOMEM, "out of memory");
		goto fail;
	}
	if (opath == NULL)
		opath = out != NULL ? out : "-";
	switch (emit) {
	case EMIT_BYTECODE:
		err = spu_bc_write_file(opath, p, &d);
		break;
	case EMIT_TEXT:
		err = write_text(opath, p, spu_bc_dump, NULL, &d);
		break;
	case EMIT_STATS:
		err = write_text(opath, p, stats_print, stats, &d);
		break;
	}
	if (err != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, PROG ": %s\n", d.msg);
	rc = err == SPU_EINVAL ? 2 : 1;
out:
	if (sf != NULL)
		fclose(sf);
	if (cf != NULL)
		fclose(cf);
	free(stats);
	free(costs);
	free(out);
	spu_program_free(p);
	hlo_module_free(m);
	free(buf);
	return rc;
}
