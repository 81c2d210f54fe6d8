/*
 * sweep.c - run compiled programs under every protocol (in-process
 * parties over local links) on random inputs and compare the revealed
 * outputs with the float64 cleartext evaluator.
 *
 *   sweep [-v] [-f FIELD] [-m MAXELEMS] [-p PROTOCOLS] [-s SEED] [-t TOL]
 *         PROGRAM.spub...
 *
 * Inputs: floats uniform in [-1, 1] on the fixed-point grid (multiples of
 * 2^-f, so the cleartext run and the MPC run see the same numbers and
 * ties, e.g. in a sort, are ties in both), integers in [0, 3] (valid as
 * small indices), pred 0/1.  When most cleartext outputs come out NaN or
 * infinite on such inputs (logarithms, square roots of negatives), the
 * floats are drawn from [1/16, 1] instead, and a comment line says so.
 * Every input is shared as a secret; the parameters compiled as public
 * get public inputs.  SEED (64 hex digits)
 * makes the inputs reproducible; without it a random seed is used and
 * printed.
 *
 * Prints one markdown table row per program and protocol: instruction
 * count, result, max absolute and relative error (relative error is
 * |e| / max(|want|, 1)) and a note.  Results: ok, TOO FAR (relative error
 * above TOL, default 0.05), FAILED, unsupported (the VM refused an op),
 * too large (the VM refused an op over a size limit), skipped (inputs
 * above MAXELEMS elements, default 2^20).  Exit status 1
 * if any run is FAILED or TOO FAR, else 0.  -v prints the first
 * mismatching elements.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "bytecode.h"
#include "clear/clear.h"
#include "fxp.h"
#include "link.h"
#include "mpc/deal.h"
#include "mpc/mpc.h"
#include "vm.h"

struct party {
	const struct spu_program *p;
	enum spu_protocol proto;
	unsigned field;
	int fxp, id, n;
	struct spu_link *link;
	struct spu_value **in;
	size_t nin;
	void **revealed;	/* per output, ring words */
	size_t nout;
	int rc;
	struct spu_diag d;
};

static uint8_t session[32], seed[32];
static int verbose;

static void *
party_main(void *arg)
{
	struct party *pt = arg;
	struct spu_mpc m;
	struct spu_value **out = NULL;
	size_t nout = 0;

	pt->rc = spu_mpc_init(&m, pt->proto, pt->id, pt->n, pt->field, pt->fxp,
	    pt->link, session, &pt->d);
	if (pt->rc == 0)
		pt->rc = spu_vm_run(&m, pt->p, pt->in, pt->nin, &out, &nout);
	if (pt->rc == 0) {
		pt->nout = nout;
		pt->revealed = calloc(nout + 1, sizeof(void *));
		for (size_t o = 0; o < nout && pt->rc == 0; o++) {
			pt->revealed[o] = spu_ring_alloc(pt->field,
			    out[o]->n ? out[o]->n : 1);
			if (pt->revealed[o] == NULL)
				pt->rc = SPU_ENOMEM;
			else if (out[o]->vis == SPU_PUBLIC)
				spu_ring_copy(pt->field, pt->revealed[o],
				    out[o]->share[0], out[o]->n);
			else
				pt->rc = m.ops->open(&m, pt->revealed[o],
				    out[o]->share, out[o]->n);
		}
	}
	if (pt->rc != 0 && pt->link != NULL) {
		spu_link_free(pt->link);	/* let the peers notice */
		pt->link = NULL;
	}
	for (size_t o = 0; o < nout; o++)
		spu_value_free(out[o]);
	free(out);
	spu_mpc_fini(&m);
	return NULL;
}

/* The entry parameter types, by index (NULL where none). */
static const struct spu_type **
param_types(const struct spu_program *p)
{
	const struct spu_func *fn = &p->funcs[p->entry];
	const struct spu_type **t = calloc(fn->nparams + 1, sizeof(*t));

	for (uint32_t i = 0; t != NULL && i < fn->ninsns; i++) {
		const struct spu_insn *in = &fn->insns[i];
		const struct spu_attr *a = spu_insn_attr(in, SPU_ATTR_INDEX);
		if (in->op == SPU_OP_PARAM && a != NULL && a->n == 1 &&
		    a->v[0] >= 0 && (uint32_t)a->v[0] < fn->nparams)
			t[a->v[0]] = &in->type[0];
	}
	return t;
}

/* Random inputs (see the top of the file); floats in [-1, 1], or in
 * [1/16, 1] when positive is set; NULL on no memory. */
static struct spu_tensor **
make_inputs(const struct spu_type **pt, size_t n, int fxp, int positive)
{
	struct spu_tensor **t = calloc(n + 1, sizeof(*t));
	double grid = ldexp(1, fxp);

	for (size_t k = 0; t != NULL && k < n; k++) {
		uint8_t s[32];
		uint32_t *r;
		struct spu_tensor *x;
		if (pt[k] == NULL ||
		    (x = spu_tensor_new(pt[k]->dtype, &pt[k]->shape)) == NULL)
			continue;
		if ((r = malloc((x->n + 1) * sizeof(*r))) == NULL) {
			spu_tensor_free(x);
			continue;
		}
		memcpy(s, seed, sizeof(s));
		s[31] ^= (uint8_t)k;
		s[30] ^= (uint8_t)(k >> 8);
		randombytes_buf_deterministic(r, x->n * sizeof(*r), s);
		for (size_t i = 0; i < x->n; i++) {
			double u = (r[i] >> 2) / (double)(1u << 30);
			if (spu_dtype_is_float(x->dtype))
				spu_tensor_set_f64(x, i, floor((positive ?
				    0.0625 + u * 0.9375 : u * 2 - 1) * grid) /
				    grid);
			else if (x->dtype == SPU_PRED)
				spu_tensor_set_i64(x, i, r[i] & 1);
			else
				spu_tensor_set_i64(x, i, r[i] & 3);
		}
		free(r);
		t[k] = x;
	}
	return t;
}

/* Run under proto with n parties; compare with want.  Returns 0 ok,
 * 1 error too large or failure, 2 unsupported. */
static int
run_one(const char *name, const struct spu_program *p, uint32_t nins,
    struct spu_tensor **in, const struct spu_type **ptype, size_t nin,
    struct spu_tensor **want, size_t nwant, enum spu_protocol proto, int n,
    unsigned field, double tol)
{
	int fxp = spu_fxp_default(field), nsh = spu_protocol_nshares(proto);
	struct spu_link *links[SPU_MAX_PARTIES] = { NULL };
	struct party pt[SPU_MAX_PARTIES];
	pthread_t tid[SPU_MAX_PARTIES];
	struct spu_diag d;
	double abs_err = 0, rel_err = 0;
	int status = 0, failed = -1, shown = 0;
	size_t total = 0, skipped = 0;

	memset(pt, 0, sizeof(pt));
	if (n < 1 || n > SPU_MAX_PARTIES ||
	    (n > 1 && spu_link_local(n, 60000, links, &d) != 0)) {
		printf("| %s | %u | %s/%d | FAILED | | | no links |\n", name,
		    nins, spu_protocol_name(proto), n);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		pt[i] = (struct party){ .p = p, .proto = proto, .field = field,
		    .fxp = fxp, .id = i, .n = n, .link = links[i], .nin = nin };
		pt[i].in = calloc(nin + 1, sizeof(*pt[i].in));
	}
	for (size_t k = 0; k < nin; k++) {
		void *x = spu_ring_alloc(field, in[k]->n ? in[k]->n : 1);
		void *sh[SPU_MAX_PARTIES][SPU_MAX_SHARES];
		int pub = ptype[k] != NULL && ptype[k]->vis == SPU_PUBLIC;
		spu_encode_tensor(field, fxp, in[k], x);
		for (int i = 0; i < n; i++) {
			pt[i].in[k] = spu_value_new(in[k]->dtype,
			    &in[k]->shape, pub ? SPU_PUBLIC : SPU_SECRET,
			    field, pub ? 1 : nsh);
			if (pub)
				spu_ring_copy(field, pt[i].in[k]->share[0], x,
				    in[k]->n);
			for (int s = 0; !pub && s < nsh; s++)
				sh[i][s] = pt[i].in[k]->share[s];
		}
		if (!pub)
			spu_deal_split(proto, field, n, x, in[k]->n, sh);
		free(x);
	}
	for (int i = 0; i < n; i++)
		pthread_create(&tid[i], NULL, party_main, &pt[i]);
	for (int i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	/* the first party that failed for a reason of its own */
	for (int i = 0; i < n && failed < 0; i++)
		if (pt[i].rc != 0 && pt[i].rc != SPU_ENET)
			failed = i;
	for (int i = 0; i < n && failed < 0; i++)
		if (pt[i].rc != 0)
			failed = i;
	if (failed >= 0) {
		int rc = pt[failed].rc;
		printf("| %s | %u | %s/%d | %s | | | %s |\n", name, nins,
		    spu_protocol_name(proto), n, rc == SPU_EUNSUPP ?
		    "unsupported" : rc == SPU_ELIMIT ? "too large" : "FAILED",
		    pt[failed].d.msg);
		status = rc == SPU_EUNSUPP || rc == SPU_ELIMIT ? 2 : 1;
		goto out;
	}
	for (size_t o = 0; o < nwant && o < pt[0].nout; o++) {
		struct spu_tensor *t = want[o], *got_t;
		/* decoded as spu-reveal does: integers narrower than the
		 * ring keep their low bits (the ring does not wrap a u32 sum
		 * at 2^32) */
		if ((got_t = spu_tensor_new(t->dtype, &t->shape)) == NULL) {
			printf("| %s | %u | %s/%d | FAILED | | | out of memory "
			    "|\n", name, nins, spu_protocol_name(proto), n);
			status = 1;
			goto out;
		}
		spu_decode_tensor(field, fxp, pt[0].revealed[o], got_t);
		for (size_t k = 0; k < t->n; k++) {
			double got = spu_tensor_get_f64(got_t, k);
			double w = spu_tensor_get_f64(t, k);
			double e = fabs(got - w);
			total++;
			if (isnan(w) || isinf(w)) {
				skipped++;
				continue;
			}
			if (verbose && e / fmax(fabs(w), 1) > tol &&
			    shown++ < 10)
				printf("#   output %zu element %zu: got %g, "
				    "want %g\n", o, k, got, w);
			if (e > abs_err)
				abs_err = e;
			if (e / fmax(fabs(w), 1) > rel_err)
				rel_err = e / fmax(fabs(w), 1);
		}
		spu_tensor_free(got_t);
	}
	status = rel_err > tol;
	printf("| %s | %u | %s/%d | %s | %.3g | %.3g |", name, nins,
	    spu_protocol_name(proto), n, status ? "TOO FAR" : "ok", abs_err,
	    rel_err);
	if (skipped > 0)
		printf(" %zu of %zu outputs not finite in the cleartext run, "
		    "not compared", skipped, total);
	printf(" |\n");
out:
	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < nin; k++)
			spu_value_free(pt[i].in[k]);
		free(pt[i].in);
		for (size_t o = 0; o < pt[i].nout; o++)
			free(pt[i].revealed[o]);
		free(pt[i].revealed);
		spu_link_free(pt[i].link);
	}
	fflush(stdout);
	return status;
}

static int
parse_seed(const char *s)
{
	size_t len;

	return sodium_hex2bin(seed, sizeof(seed), s, strlen(s), NULL, &len,
	    NULL) == 0 && len == sizeof(seed);
}

static void
free_inputs(struct spu_tensor **in, struct spu_tensor **want, size_t nin,
    size_t nwant)
{
	for (size_t k = 0; in != NULL && k < nin; k++)
		spu_tensor_free(in[k]);
	free(in);
	for (size_t k = 0; want != NULL && k < nwant; k++)
		spu_tensor_free(want[k]);
	free(want);
}

/* Sweep one program; 1 if a run failed or was too far off. */
static int
sweep(const char *path, const char *protos, unsigned field, double tol,
    long maxel)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct spu_tensor **in = NULL, **want = NULL;
	const struct spu_type **pt = NULL;
	struct spu_program *p;
	struct spu_diag d;
	size_t nin, nwant = 0;
	uint32_t nins = 0;
	int64_t total = 0;
	char list[256], *save, *tok;
	int bad = 0;

	if (spu_bc_read_file(path, &p, NULL, &d) != 0) {
		printf("| %s | | | FAILED | | | %s |\n", name, d.msg);
		return 1;
	}
	for (uint32_t f = 0; f < p->nfuncs; f++)
		nins += p->funcs[f].ninsns;
	nin = p->funcs[p->entry].nparams;
	if ((pt = param_types(p)) == NULL)
		goto nomem;
	for (size_t k = 0; k < nin; k++) {
		int64_t e = pt[k] ? spu_shape_numel(&pt[k]->shape) : -1;
		total += e < 0 ? SPU_MAX_ELEMS : e;
	}
	if (total > maxel) {
		printf("| %s | %u | | skipped | | | inputs of %lld elements "
		    "(limit -m %ld) |\n", name, nins, (long long)total, maxel);
		goto out;
	}
	/* inputs in [-1, 1]; where that leaves most cleartext outputs
	 * NaN or infinite (logs, square roots), positive inputs instead */
	for (int positive = 0; positive < 2; positive++) {
		size_t all = 0, fin = 0;
		free_inputs(in, want, nin, nwant);
		in = want = NULL;
		nwant = 0;
		if ((in = make_inputs(pt, nin, spu_fxp_default(field),
		    positive)) == NULL)
			goto nomem;
		for (size_t k = 0; k < nin; k++)
			if (in[k] == NULL)
				goto nomem;
		if (spu_clear_run(p, in, nin, &want, &nwant, &d) != 0) {
			printf("| %s | %u | cleartext | FAILED | | | %s |\n",
			    name, nins, d.msg);
			bad = 1;
			goto out;
		}
		for (size_t o = 0; o < nwant; o++)
			for (size_t i = 0; i < want[o]->n; i++) {
				double w = spu_tensor_get_f64(want[o], i);
				all++;
				fin += !isnan(w) && !isinf(w);
			}
		if (2 * fin >= all)
			break;
		if (positive)
			printf("# %s: %zu of %zu cleartext outputs are not "
			    "finite even on positive inputs\n", name,
			    all - fin, all);
		else
			printf("# %s: inputs in [1/16, 1] (on [-1, 1], %zu of "
			    "%zu cleartext outputs are not finite)\n", name,
			    all - fin, all);
	}
	snprintf(list, sizeof(list), "%s", protos);
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char pn[32];
		int np = 1;
		if (sscanf(tok, "%31[^/]/%d", pn, &np) < 1 ||
		    spu_protocol_parse(pn) < 0) {
			printf("| %s | %u | %s | FAILED | | | unknown protocol "
			    "|\n", name, nins, tok);
			bad = 1;
			continue;
		}
		if (run_one(name, p, nins, in, pt, nin, want, nwant,
		    (enum spu_protocol)spu_protocol_parse(pn), np, field,
		    tol) == 1)
			bad = 1;
	}
	goto out;
nomem:
	printf("| %s | %u | | FAILED | | | out of memory |\n", name, nins);
	bad = 1;
out:
	free_inputs(in, want, nin, nwant);
	free(pt);
	spu_program_free(p);
	fflush(stdout);
	return bad;
}

int
main(int argc, char **argv)
{
	unsigned field = 64;
	double tol = 0.05;
	long maxel = 1L << 20;
	const char *protos = "ref2k/1,semi2k/2,semi2k/3,aby3/3";
	char hex[2 * sizeof(seed) + 1];
	int c, bad = 0, have_seed = 0;

	if (sodium_init() < 0)
		return 2;
	while ((c = getopt(argc, argv, "f:m:p:s:t:v")) != -1) {
		switch (c) {
		case 'f': field = (unsigned)atoi(optarg); break;
		case 'm': maxel = atol(optarg); break;
		case 'p': protos = optarg; break;
		case 's':
			if (!parse_seed(optarg)) {
				fprintf(stderr, "sweep: -s wants 64 hex "
				    "digits\n");
				return 2;
			}
			have_seed = 1;
			break;
		case 't': tol = atof(optarg); break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: sweep [-v] [-f FIELD] "
			    "[-m MAXELEMS] [-p LIST] [-s SEED] [-t TOL] "
			    "PROGRAM.spub...\n");
			return 2;
		}
	}
	if (!spu_field_valid(field) || optind >= argc) {
		fprintf(stderr, "sweep: need a valid field and programs\n");
		return 2;
	}
	if (!have_seed)
		randombytes_buf(seed, sizeof(seed));
	randombytes_buf(session, sizeof(session));
	sodium_bin2hex(hex, sizeof(hex), seed, sizeof(seed));
	printf("# seed %s, field %u\n", hex, field);
	printf("| program | ops | protocol | result | max abs error | "
	    "max rel error | note |\n|---|---|---|---|---|---|---|\n");
	for (int a = optind; a < argc; a++)
		if (sweep(argv[a], protos, field, tol, maxel) != 0)
			bad = 1;
	return bad;
}
