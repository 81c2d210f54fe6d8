/*
 * spu-reveal - the result receiver's tool: take every party's share
 * bundle of one sharing (in any order), check that they belong together,
 * reconstruct each value and decode it from the ring into cleartext:
 * .npy files, or text / CSV on standard output.
 */
#include "config.h"

#include <getopt.h>
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

#define PROG "spu-reveal"

enum fmt { FMT_NPY, FMT_TEXT, FMT_CSV };

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " [options] BUNDLE...\n"
	    "Reconstruct the values of a sharing from every party's bundle.\n"
	    "  -o, --output FILE    write .npy (several values: FILE must\n"
	    "                       contain %%d = value index; - = stdout)\n"
	    "      --format F       npy, text or csv (default npy with -o,\n"
	    "                       text on standard output)\n"
	    "      --name NAME      reveal only the value NAME\n"
	    "  -h, --help           show this help\n"
	    "  -V, --version        show the version\n");
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

static void __attribute__((format(printf, 1, 2)))
error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Number of "%d" in t, or -1 if it has a % other than %d and %%. */
static int
count_d(const char *t)
{
	int nd = 0;

	for (const char *p = t; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == 'd')
			nd++;
		else if (p[1] != '%')
			return -1;
		p++;
	}
	return nd;
}

/* Every bundle must come from the same sharing as b[0], and each party
 * must appear exactly once.  who[p] = index of party p's bundle. */
static int
check_set(struct spu_bundle **b, const char **files, int nb, int *who)
{
	const struct spu_bundle *r = b[0];

	for (int k = 1; k < nb; k++) {
		const struct spu_bundle *x = b[k];
		const char *what = NULL;

		if (x->protocol != r->protocol)
			what = "protocol";
		else if (x->nparties != r->nparties)
			what = "party count";
		else if (x->field != r->field)
			what = "field";
		else if (x->fxp != r->fxp)
			what = "fraction bits";
		else if (memcmp(x->id, r->id, SPU_BUNDLE_ID_LEN) != 0)
			what = "bundle id";
		if (what != NULL) {
			error("%s: %s differs from %s (bundles of different "
			    "sharings)", files[k], what, files[0]);
			return -1;
		}
		if (x->nvalues != r->nvalues) {
			error("%s: %zu values, %s has %zu", files[k],
			    x->nvalues, files[0], r->nvalues);
			return -1;
		}
		for (size_t i = 0; i < r->nvalues; i++) {
			const struct spu_value *u = r->values[i].v;
			const struct spu_value *v = x->values[i].v;
			if (strcmp(r->values[i].name, x->values[i].name) ||
			    u->dtype != v->dtype || u->vis != v->vis ||
			    u->xor_shared != v->xor_shared ||
			    !spu_shape_eq(&u->shape, &v->shape)) {
				error("%s: value %zu ('%s') differs from %s",
				    files[k], i, x->values[i].name, files[0]);
				return -1;
			}
		}
	}
	for (int p = 0; p < r->nparties; p++)
		who[p] = -1;
	for (int k = 0; k < nb; k++) {
		int p = b[k]->party;
		if (who[p] >= 0) {
			error("%s: party %d given twice (also %s)", files[k], p,
			    files[who[p]]);
			return -1;
		}
		who[p] = k;
	}
	for (int p = 0; p < r->nparties; p++) {
		if (who[p] < 0) {
			error("%s: sharing of %d parties, but %d bundle%s "
			    "given (party %d missing)", files[0], r->nparties,
			    nb, nb == 1 ? "" : "s", p);
			return -1;
		}
	}
	return 0;
}

/* Reconstruct and decode value i; prints and returns NULL on failure. */
static struct spu_tensor *
reveal(struct spu_bundle **b, const char **files, const int *who, size_t i)
{
	const struct spu_bundle *r = b[0];
	const struct spu_value *v0 = r->values[i].v;
	void *in[SPU_MAX_PARTIES][SPU_MAX_SHARES] = { { 0 } };
	size_t bytes = v0->n * spu_ring_size(r->field);
	struct spu_tensor *t;
	void *x;

	if ((t = spu_tensor_new(v0->dtype, &v0->shape)) == NULL ||
	    (x = spu_ring_alloc(r->field, v0->n)) == NULL) {
		spu_tensor_free(t);
		error("out of memory");
		return NULL;
	}
	if (v0->vis == SPU_PUBLIC) {
		const struct spu_value *p0 = b[who[0]]->values[i].v;
		for (int p = 1; p < r->nparties; p++) {
			const struct spu_value *v = b[who[p]]->values[i].v;
			if (bytes && memcmp(v->share[0], p0->share[0], bytes)) {
				error("%s: public value '%s' differs from "
				    "party 0's (%s)", files[who[p]],
				    r->values[i].name, files[who[0]]);
				goto fail;
			}
		}
		spu_ring_copy(r->field, x, p0->share[0], v0->n);
	} else {
		for (int p = 0; p < r->nparties; p++)
			for (int j = 0; j < v0->nshares; j++)
				in[p][j] = b[who[p]]->values[i].v->share[j];
		if (spu_deal_join(r->protocol, r->field, r->nparties, in, x,
		    v0->n) != 0) {
			error("%s: value '%s': the parties' shares disagree "
			    "(damaged or tampered bundles)", files[0],
			    r->values[i].name);
			goto fail;
		}
		/* a boolean sharing of bit 0: bit 0 of the sum is the XOR
		 * of the shares' bit 0 (their other bits are zero) */
		if (v0->xor_shared)
			for (size_t e = 0; e < v0->n; e++)
				spu_ring_set(r->field, x, e,
				    spu_ring_get(r->field, x, e) & 1);
	}
	spu_decode_tensor(r->field, r->fxp, x, t);
	spu_free_secret(x, bytes);
	return t;
fail:
	spu_free_secret(x, bytes);
	spu_tensor_free(t);
	return NULL;
}

/* Text: like CSV, but floats with %.9g.  Several values are printed one
 * after the other, with nothing between them. */
static int
print_text(FILE *f, const struct spu_tensor *t)
{
	size_t cols = 1;

	if (t->shape.ndim >= 2)
		cols = (size_t)t->shape.dim[t->shape.ndim - 1];
	for (size_t i = 0; cols > 0 && i < t->n; i++) {
		if (spu_dtype_is_float(t->dtype))
			fprintf(f, "%.9g", spu_tensor_get_f64(t, i));
		else if (t->dtype == SPU_U64)
			fprintf(f, "%llu", (unsigned long long)
			    ((const uint64_t *)t->data)[i]);
		else
			fprintf(f, "%lld", (long long)spu_tensor_get_i64(t, i));
		fputc((i + 1) % cols == 0 ? '\n' : ',', f);
	}
	return ferror(f) ? -1 : 0;
}

static int
print_value(FILE *f, enum fmt fmt, const struct spu_tensor *t)
{
	if (fmt == FMT_CSV)
		return spu_csv_print(f, t) != 0 ? -1 : 0;
	return print_text(f, t);
}

/* Write one value to path in format fmt (atomically). */
static int
write_value(const char *path, enum fmt fmt, const struct spu_tensor *t)
{
	struct spu_diag d;
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int err;

	if (fmt == FMT_NPY)
		err = spu_npy_write_file(path, t, &d);
	else {
		if ((m = open_memstream(&text, &len)) == NULL) {
			error("out of memory");
			return -1;
		}
		err = print_value(m, fmt, t);
		if (fclose(m) != 0 || err != 0) {
			free(text);
			error("out of memory");
			return -1;
		}
		err = spu_write_file_atomic(path, text, len, &d);
		free(text);
	}
	if (err != 0) {
		error("%s", d.msg);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "name", required_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *out = NULL, *want = NULL, **files;
	struct spu_bundle **b = NULL;
	struct spu_tensor **t = NULL;
	char **written = NULL;
	size_t first = 0, last, nsel = 0, nwritten = 0;
	int nb, c, who[SPU_MAX_PARTIES], status = 1, nd, fmt = -1;

	while ((c = getopt_long(argc, argv, "ho:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "npy") == 0)
				fmt = FMT_NPY;
			else if (strcmp(optarg, "text") == 0)
				fmt = FMT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FMT_CSV;
			else
				usage_error("--format: must be npy, text or "
				    "csv");
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'N':
			want = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'V':
			printf(PROG " (spu) " PACKAGE_VERSION "\n");
			return 0;
		default:
			usage_error("bad option");
		}
	}
	nb = argc - optind;
	files = (const char **)argv + optind;
	if (nb == 0)
		usage_error("no bundles given");
	if (nb > SPU_MAX_PARTIES)
		usage_error("more than %d bundles given", SPU_MAX_PARTIES);
	for (int k = 0, ns = 0; k < nb; k++)
		if (strcmp(files[k], "-") == 0 && ++ns > 1)
			usage_error("standard input given more than once");
	if (fmt < 0)
		fmt = out != NULL ? FMT_NPY : FMT_TEXT;
	if (fmt == FMT_NPY && out == NULL)
		out = "-";
	if (out != NULL && (nd = count_d(out)) != 0 && nd != 1)
		usage_error("-o: '%s' may contain %%d once (and no other %% "
		    "but %%%%)", out);
	nd = out != NULL ? count_d(out) : 0;

	if (sodium_init() < 0) {
		error("libsodium failed to initialise");
		return 1;
	}
	if ((b = calloc((size_t)nb, sizeof(*b))) == NULL)
		goto nomem;
	for (int k = 0; k < nb; k++) {
		struct spu_diag d;
		if (spu_bundle_read_file(files[k], &b[k], &d) != 0) {
			error("%s", d.msg);
			goto done;
		}
		if (strcmp(files[k], "-") == 0)
			files[k] = "<stdin>";
	}
	if (check_set(b, files, nb, who) != 0)
		goto done;
	last = b[0]->nvalues;
	if (want != NULL) {
		for (first = 0; first < last; first++)
			if (strcmp(b[0]->values[first].name, want) == 0)
				break;
		if (first == last) {
			error("%s: no value named '%s'", files[0], want);
			goto done;
		}
		last = first + 1;
	}
	nsel = last - first;
	if (out != NULL && nsel > 1 && nd == 0)
		usage_error("-o: %zu values to write: give a name with %%d "
		    "(value index) or select one with --name", nsel);
	if (out != NULL && strcmp(out, "-") == 0 && nsel > 1)
		usage_error("-o -: only one value can go to standard output");
	if ((t = calloc(nsel ? nsel : 1, sizeof(*t))) == NULL ||
	    (written = calloc(nsel ? nsel : 1, sizeof(*written))) == NULL)
		goto nomem;
	/* reconstruct everything before writing anything */
	for (size_t i = first; i < last; i++)
		if ((t[i - first] = reveal(b, files, who, i)) == NULL)
			goto done;
	for (size_t i = first; i < last; i++) {
		if (out == NULL) {
			if (print_value(stdout, (enum fmt)fmt,
			    t[i - first]) != 0)
				goto write_err;
			continue;
		}
		if ((written[nwritten] = spu_path_template(out, (long)i)) == NULL)
			goto nomem;
		if (write_value(written[nwritten], (enum fmt)fmt,
		    t[i - first]) != 0) {
			free(written[nwritten]);
			written[nwritten] = NULL;
			goto done;
		}
		nwritten++;
	}
	if (out == NULL && fflush(stdout) != 0)
		goto write_err;
	status = 0;
	goto done;
write_err:
	error("<stdout>: write error");
	goto done;
nomem:
	error("out of memory");
done:
	for (size_t k = 0; written != NULL && k < nwritten; k++) {
		if (status != 0 && strcmp(written[k], "-") != 0)
			unlink(written[k]);
		free(written[k]);
	}
	for (size_t i = 0; t != NULL && i < nsel; i++)
		spu_tensor_free(t[i]);
	for (int k = 0; b != NULL && k < nb; k++)
		spu_bundle_free(b[k]);
	free(t);
	free(written);
	free(b);
	return status;
}
