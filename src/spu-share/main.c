/*
 * spu-share - the data owner's tool: read cleartext tensors (.npy or CSV),
 * encode them into the ring (fixed point for floats) and split them into
 * one share bundle per party (docs/shares.md).  Every bundle of one run
 * carries the same random bundle id.  Nothing here computes on shares.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle.h"
#include "csv.h"
#include "fileio.h"
#include "fxp.h"
#include "mem.h"
#include "mpc/deal.h"
#include "npy.h"

#define PROG "spu-share"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " [options] -o TEMPLATE [INPUT...]\n"
	    "Split cleartext tensors (.npy or CSV; none or - = stdin) into\n"
	    "one share bundle per party, written to TEMPLATE, %%d = party.\n"
	    "  -o, --output TEMPLATE   output file names, must contain %%d\n"
	    "      --protocol P        ref2k, semi2k or aby3 (default aby3)\n"
	    "      --parties N         party count (aby3 3, semi2k 2..16,\n"
	    "                          ref2k 1..16; default 3, ref2k 1)\n"
	    "      --field K           ring Z_2^K: 32, 64 or 128 (default 64)\n"
	    "      --fxp BITS          fraction bits (default 8, 18, 26)\n"
	    "      --name NAME         value name, once per INPUT (default x,\n"
	    "                          or x0, x1, ... for several inputs)\n"
	    "      --public            every party gets the cleartext\n"
	    "      --format F          input format: npy or csv (default: by\n"
	    "                          magic, .csv extension, stdin = csv)\n"
	    "      --dtype T           dtype of CSV input (default f32)\n"
	    "      --shape DIMS        reshape the INPUT, e.g. 3,4 or scalar;\n"
	    "                          once per INPUT, like --name\n"
	    "  -h, --help              show this help\n"
	    "  -V, --version           show the version\n");
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PROG " --help'.\n");
	exit(2);
}

static long
parse_num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		usage_error("%s: '%s' is not a number in %ld..%ld", opt, s, lo,
		    hi);
	return v;
}

/* Check TEMPLATE has exactly one %d and otherwise only %%. */
static int
template_ok(const char *t)
{
	int nd = 0;

	for (const char *p = t; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == 'd')
			nd++;
		else if (p[1] != '%')
			return 0;
		p++;
	}
	return nd == 1;
}

/* Read one input as a tensor; prints the error and returns NULL. */
static struct spu_tensor *
load(const char *path, const char *format, enum spu_dtype csv_dtype)
{
	static const uint8_t magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct spu_tensor *t = NULL;
	struct spu_diag d;
	uint8_t *buf;
	size_t len;
	int is_npy, err;

	if (spu_read_file(path, &buf, &len, &d) != 0) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		return NULL;
	}
	if (format != NULL)
		is_npy = strcmp(format, "npy") == 0;
	else if (len >= 6 && memcmp(buf, magic, 6) == 0)
		is_npy = 1;
	else if (strcmp(path, "-") == 0 || spu_path_has_suffix(path, ".csv") ||
	    spu_path_has_suffix(path, ".CSV"))
		is_npy = 0;
	else {
		fprintf(stderr, PROG ": %s: not a .npy file (use --format csv "
		    "to read it as CSV)\n", name);
		free(buf);
		return NULL;
	}
	if (is_npy)
		err = spu_npy_decode(name, buf, len, &t, &d);
	else
		err = spu_csv_decode(name, (const char *)buf, len, csv_dtype,
		    &t, &d);
	free(buf);
	if (err != 0) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		return NULL;
	}
	return t;
}

/* Integers must survive the round trip through the ring; floats
 * saturate (counted for a warning).  Returns -1 after printing. */
static int
check_range(const char *name, const struct spu_tensor *t, unsigned field,
    int fxp, size_t *saturated)
{
	*saturated = 0;
	if (spu_dtype_is_float(t->dtype)) {
		double lim = ldexp(1.0, (int)field - 2 - fxp);
		for (size_t i = 0; i < t->n; i++) {
			double v = spu_tensor_get_f64(t, i);
			if (!(fabs(v) < lim))
				(*saturated)++;
		}
		return 0;
	}
	if (field == 128 || t->dtype == SPU_PRED)
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		spu_i128 v = t->dtype == SPU_U64 ?
		    (spu_i128)((const uint64_t *)t->data)[i] :
		    (spu_i128)spu_tensor_get_i64(t, i);
		spu_i128 hi = spu_dtype_is_signed(t->dtype) ?
		    (spu_i128)1 << (field - 1) : (spu_i128)1 << field;
		spu_i128 lo = spu_dtype_is_signed(t->dtype) ? -hi : 0;
		if (v < lo || v >= hi) {
			fprintf(stderr, PROG ": %s: element %zu (%s) does not "
			    "fit the %u-bit ring\n", name, i,
			    spu_dtype_name(t->dtype), field);
			return -1;
		}
	}
	return 0;
}

/* "3,4" -> [3,4]; "scalar" or "" -> []. */
static int
parse_shape(const char *spec, struct spu_shape *out)
{
	struct spu_shape s = { 0, { 0 } };
	const char *p = spec;

	if (strcmp(spec, "scalar") != 0 && *spec != '\0') {
		for (;;) {
			char *end;
			long long v = strtoll(p, &end, 10);
			if (end == p || v < 0 || v > SPU_MAX_ELEMS ||
			    s.ndim == SPU_MAX_DIMS)
				return -1;
			s.dim[s.ndim++] = v;
			if (*end == '\0')
				break;
			if (*end != ',')
				return -1;
			p = end + 1;
		}
	}
	if (spu_shape_numel(&s) < 0)
		return -1;
	if (out != NULL)
		*out = s;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dtype", required_argument, NULL, 'D' },
		{ "field", required_argument, NULL, 'F' },
		{ "format", required_argument, NULL, 'f' },
		{ "fxp", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "name", required_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "parties", required_argument, NULL, 'n' },
		{ "protocol", required_argument, NULL, 'p' },
		{ "public", no_argument, NULL, 'P' },
		{ "shape", required_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	enum spu_protocol proto = SPU_ABY3;
	enum spu_dtype csv_dtype = SPU_F32;
	const char *format = NULL, *tmpl = NULL, **names = NULL, **inputs;
	const char **shapes = NULL;
	int nshapes = 0;
	static const char *stdin_input[] = { "-" };
	struct spu_bundle **b = NULL;
	char **written = NULL, autoname[32];
	int nparties = -1, fxp = -1, public = 0, c, nnames = 0, ninputs;
	int status = 1, nstdin = 0;
	unsigned field = 64;
	uint8_t id[SPU_BUNDLE_ID_LEN];

	if ((names = calloc((size_t)argc, sizeof(*names))) == NULL ||
	    (shapes = calloc((size_t)argc, sizeof(*shapes))) == NULL) {
		free(names);
		return 1;
	}
	while ((c = getopt_long(argc, argv, "ho:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			if ((c = spu_dtype_parse(optarg, strlen(optarg))) < 0)
				usage_error("--dtype: unknown dtype '%s'",
				    optarg);
			csv_dtype = (enum spu_dtype)c;
			break;
		case 'F':
			field = (unsigned)parse_num("--field", optarg, 32, 128);
			if (!spu_field_valid(field))
				usage_error("--field: must be 32, 64 or 128");
			break;
		case 'f':
			if (strcmp(optarg, "npy") && strcmp(optarg, "csv"))
				usage_error("--format: must be npy or csv");
			format = optarg;
			break;
		case 'h':
			usage(stdout);
			free(names);
			free(shapes);
			return 0;
		case 'N':
			names[nnames++] = optarg;
			break;
		case 'n':
			nparties = (int)parse_num("--parties", optarg, 1,
			    SPU_MAX_PARTIES);
			break;
		case 'o':
			tmpl = optarg;
			break;
		case 'P':
			public = 1;
			break;
		case 'S':
			if (parse_shape(optarg, NULL) != 0)
				usage_error("--shape: '%s' is not a list of "
				    "dimensions like 3,4 (or 'scalar')", optarg);
			shapes[nshapes++] = optarg;
			break;
		case 'p':
			if ((c = spu_protocol_parse(optarg)) < 0)
				usage_error("--protocol: unknown protocol '%s' "
				    "(ref2k, semi2k, aby3)", optarg);
			proto = (enum spu_protocol)c;
			break;
		case 'V':
			printf(PROG " (spu) " PACKAGE_VERSION "\n");
			free(names);
			free(shapes);
			return 0;
		case 'x':
			fxp = (int)parse_num("--fxp", optarg, 0, 126);
			break;
		default:
			usage_error("bad option");
		}
	}
	if (tmpl == NULL)
		usage_error("no output: give -o TEMPLATE (with %%d)");
	if (!template_ok(tmpl))
		usage_error("-o: '%s' must contain %%d exactly once (and no "
		    "other %% but %%%%)", tmpl);
	if (nparties < 0)
		nparties = proto == SPU_REF2K ? 1 : 3;
	if (!spu_protocol_parties_ok(proto, nparties))
		usage_error("--parties: %d parties not valid for %s", nparties,
		    spu_protocol_name(proto));
	if (fxp < 0)
		fxp = spu_fxp_default(field);
	if (fxp > (int)field - 2)
		usage_error("--fxp: at most %u for field %u", field - 2, field);
	ninputs = argc - optind;
	inputs = (const char **)argv + optind;
	if (nshapes > 0 && nshapes != (ninputs > 0 ? ninputs : 1))
		usage_error("--shape: give one per INPUT (%d for %d)", nshapes,
		    ninputs > 0 ? ninputs : 1);
	if (ninputs == 0) {
		ninputs = 1;
		inputs = stdin_input;
	}
	for (int i = 0; i < ninputs; i++)
		nstdin += strcmp(inputs[i], "-") == 0;
	if (nstdin > 1)
		usage_error("standard input given more than once");
	if (ninputs > SPU_BUNDLE_MAX_VALUES)
		usage_error("more than %d inputs", SPU_BUNDLE_MAX_VALUES);
	if (nnames != 0 && nnames != ninputs)
		usage_error("%d --name for %d inputs", nnames, ninputs);
	for (int i = 0; i < nnames; i++) {
		size_t n = strlen(names[i]);
		if (n == 0 || n > SPU_BUNDLE_MAX_NAME)
			usage_error("--name: empty or longer than %d bytes",
			    SPU_BUNDLE_MAX_NAME);
		for (int k = 0; k < i; k++)
			if (strcmp(names[k], names[i]) == 0)
				usage_error("--name: '%s' given twice",
				    names[i]);
	}

	if (sodium_init() < 0) {
		fprintf(stderr, PROG ": libsodium failed to initialise\n");
		return 1;
	}
	randombytes_buf(id, sizeof(id));
	if ((b = calloc((size_t)nparties, sizeof(*b))) == NULL ||
	    (written = calloc((size_t)nparties, sizeof(*written))) == NULL)
		goto nomem;
	for (int p = 0; p < nparties; p++) {
		if ((b[p] = spu_bundle_new((size_t)ninputs)) == NULL)
			goto nomem;
		b[p]->protocol = proto;
		b[p]->field = field;
		b[p]->fxp = fxp;
		b[p]->party = p;
		b[p]->nparties = nparties;
		memcpy(b[p]->id, id, sizeof(id));
	}
	for (int i = 0; i < ninputs; i++) {
		const char *in = inputs[i];
		const char *shown = strcmp(in, "-") ? in : "<stdin>";
		struct spu_tensor *t;
		void *shares[SPU_MAX_PARTIES][SPU_MAX_SHARES];
		enum spu_vis vis = public ? SPU_PUBLIC : SPU_SECRET;
		int nsh = public ? 1 : spu_protocol_nshares(proto);
		size_t sat;
		void *x;

		if ((t = load(in, format, csv_dtype)) == NULL)
			goto out;
		if (i < nshapes) {
			struct spu_shape sh;
			parse_shape(shapes[i], &sh);
			if (spu_shape_numel(&sh) != (int64_t)t->n) {
				fprintf(stderr, PROG ": %s: %zu elements do not "
				    "fit --shape %s\n", shown, t->n, shapes[i]);
				spu_tensor_free(t);
				goto out;
			}
			t->shape = sh;
		}
		if (check_range(shown, t, field, fxp, &sat) != 0) {
			spu_tensor_free(t);
			goto out;
		}
		if (sat > 0)
			fprintf(stderr, PROG ": %s: warning: %zu element%s "
			    "outside the fixed-point range (|x| < 2^%d) "
			    "saturated\n", shown, sat, sat == 1 ? "" : "s",
			    (int)field - 2 - fxp);
		if (nnames == 0 && ninputs > 1)
			snprintf(autoname, sizeof(autoname), "x%d", i);
		else
			snprintf(autoname, sizeof(autoname), "x");
		if ((x = spu_ring_alloc(field, t->n)) == NULL) {
			spu_tensor_free(t);
			goto nomem;
		}
		spu_encode_tensor(field, fxp, t, x);
		for (int p = 0; p < nparties; p++) {
			struct spu_bundle_value *bv = &b[p]->values[i];
			bv->name = spu_strdup(nnames ? names[i] : autoname);
			bv->v = spu_value_new(t->dtype, &t->shape, vis, field,
			    nsh);
			if (bv->name == NULL || bv->v == NULL) {
				spu_free_secret(x, t->n * spu_ring_size(field));
				spu_tensor_free(t);
				goto nomem;
			}
			for (int j = 0; j < nsh; j++)
				shares[p][j] = bv->v->share[j];
			if (public)
				spu_ring_copy(field, bv->v->share[0], x, t->n);
		}
		if (!public)
			spu_deal_split(proto, field, nparties, x, t->n, shares);
		spu_free_secret(x, t->n * spu_ring_size(field));
		spu_tensor_free(t);
	}
	for (int p = 0; p < nparties; p++) {
		struct spu_diag d;
		if ((written[p] = spu_path_template(tmpl, (long)p)) == NULL)
			goto nomem;
		if (spu_bundle_write_file(written[p], b[p], &d) != 0) {
			fprintf(stderr, PROG ": %s\n", d.msg);
			free(written[p]);
			written[p] = NULL;
			for (int k = 0; k < p; k++)
				unlink(written[k]);
			goto out;
		}
	}
	status = 0;
	goto out;
nomem:
	fprintf(stderr, PROG ": out of memory\n");
out:
	for (int p = 0; b != NULL && p < nparties; p++) {
		spu_bundle_free(b[p]);
		if (written != NULL)
			free(written[p]);
	}
	free(b);
	free(written);
	free(names);
	free(shapes);
	return status;
}
