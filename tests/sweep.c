/*
 * sweep.c - run compiled programs under every protocol (in-process
 * parties over local links) on random inputs and compare the revealed
 * outputs with the float64 cleartext evaluator.
 *
 *   sweep [-f FIELD] [-m MAXELEMS] [-p PROTOCOLS] [-t TOL] PROGRAM.spub...
 *
 * Prints one table row per program and protocol: max absolute and
 * relative error (relative error is |e| / max(|want|, 1)).  Exit 1 if a
 * run fails or an error exceeds the tolerance (default 0.05 absolute on
 * inputs in [-1, 1]); programs whose run is refused as unsupported are
 * reported as such and do not fail the sweep.
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
	struct spu_tensor **outs_shape;
	size_t nout;
	int rc;
	struct spu_diag d;
};

static uint8_t session[32];

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
		pt->revealed = calloc(nout, sizeof(void *));
		for (size_t o = 0; o < nout && pt->rc == 0; o++) {
			pt->revealed[o] = spu_ring_alloc(pt->field, out[o]->n);
			if (out[o]->vis == SPU_PUBLIC)
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

static double
urand(void)
{
	return randombytes_uniform(1u << 30) / (double)(1u << 30);
}

/* Random inputs for the entry parameters: floats in [-1, 1], integers
 * in [0, 3] (valid as small indices), pred 0/1. */
static struct spu_tensor **
make_inputs(const struct spu_program *p, size_t *n)
{
	const struct spu_func *fn = &p->funcs[p->entry];
	struct spu_tensor **t = calloc(fn->nparams + 1, sizeof(*t));

	for (uint32_t i = 0; i < fn->ninsns; i++) {
		const struct spu_insn *in = &fn->insns[i];
		const struct spu_attr *a = spu_insn_attr(in, SPU_ATTR_INDEX);
		struct spu_tensor *x;
		if (in->op != SPU_OP_PARAM || a == NULL || a->v[0] < 0 ||
		    (uint32_t)a->v[0] >= fn->nparams)
			continue;
		x = spu_tensor_new(in->type[0].dtype, &in->type[0].shape);
		if (x == NULL)
			continue;
		for (size_t k = 0; k < x->n; k++) {
			if (spu_dtype_is_float(x->dtype))
				spu_tensor_set_f64(x, k, urand() * 2 - 1);
			else if (x->dtype == SPU_PRED)
				spu_tensor_set_i64(x, k, randombytes_uniform(2));
			else
				spu_tensor_set_i64(x, k, randombytes_uniform(4));
		}
		t[a->v[0]] = x;
	}
	*n = fn->nparams;
	return t;
}

/* Run under proto with n parties; compare with want.  Returns 0 ok,
 * 1 error too large or failure, 2 unsupported. */
static int
run_one(const char *name, const struct spu_program *p, struct spu_tensor **in,
    size_t nin, struct spu_tensor **want, size_t nwant,
    enum spu_protocol proto, int n, unsigned field, double tol)
{
	int fxp = spu_fxp_default(field), nsh = spu_protocol_nshares(proto);
	const struct spu_func *fn = &p->funcs[p->entry];
	struct spu_link *links[SPU_MAX_PARTIES] = { NULL };
	struct party pt[SPU_MAX_PARTIES];
	pthread_t tid[SPU_MAX_PARTIES];
	struct spu_diag d;
	double abs_err = 0, rel_err = 0;
	int status = 0, failed = -1;

	memset(pt, 0, sizeof(pt));
	if (n > 1 && spu_link_local(n, 20000, links, &d) != 0)
		return 1;
	for (int i = 0; i < n; i++) {
		pt[i] = (struct party){ .p = p, .proto = proto, .field = field,
		    .fxp = fxp, .id = i, .n = n, .link = links[i], .nin = nin };
		pt[i].in = calloc(nin + 1, sizeof(*pt[i].in));
	}
	/* share every input as a secret (public params get promoted) */
	for (size_t k = 0; k < nin; k++) {
		void *x = spu_ring_alloc(field, in[k]->n);
		void *sh[SPU_MAX_PARTIES][SPU_MAX_SHARES];
		spu_encode_tensor(field, fxp, in[k], x);
		for (int i = 0; i < n; i++) {
			pt[i].in[k] = spu_value_new(in[k]->dtype, &in[k]->shape,
			    SPU_SECRET, field, nsh);
			for (int s = 0; s < nsh; s++)
				sh[i][s] = pt[i].in[k]->share[s];
		}
		spu_deal_split(proto, field, n, x, in[k]->n, sh);
		free(x);
	}
	/* parameters the program wants public get public inputs */
	for (uint32_t q = 0; q < fn->ninsns; q++) {
		const struct spu_insn *ins = &fn->insns[q];
		const struct spu_attr *a = spu_insn_attr(ins, SPU_ATTR_INDEX);
		if (ins->op != SPU_OP_PARAM || ins->type[0].vis != SPU_PUBLIC ||
		    a == NULL || (size_t)a->v[0] >= nin)
			continue;
		for (int i = 0; i < n; i++) {
			struct spu_value *v = spu_value_new(in[a->v[0]]->dtype,
			    &in[a->v[0]]->shape, SPU_PUBLIC, field, 1);
			spu_encode_tensor(field, fxp, in[a->v[0]], v->share[0]);
			spu_value_free(pt[i].in[a->v[0]]);
			pt[i].in[a->v[0]] = v;
		}
	}
	for (int i = 0; i < n; i++)
		pthread_create(&tid[i], NULL, party_main, &pt[i]);
	for (int i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < n && failed < 0; i++)
		if (pt[i].rc != 0 && pt[i].rc != SPU_ENET)
			failed = i;
	for (int i = 0; i < n && failed < 0; i++)
		if (pt[i].rc != 0)
			failed = i;
	if (failed >= 0) {
		int unsupp = pt[failed].rc == SPU_EUNSUPP;
		printf("| %s | %s/%d | %s | | %s |\n", name,
		    spu_protocol_name(proto), n, unsupp ? "unsupported" : "FAILED",
		    pt[failed].d.msg);
		status = unsupp ? 2 : 1;
		goto out;
	}
	for (size_t o = 0; o < nwant && o < pt[0].nout; o++) {
		struct spu_tensor *t = want[o];
		int is_f = spu_dtype_is_float(t->dtype);
		for (size_t k = 0; k < t->n; k++) {
			spu_u128 v = spu_ring_get(field, pt[0].revealed[o], k);
			double got = is_f ? spu_fxp_decode_f64(field, fxp, v) :
			    t->dtype == SPU_PRED ? (double)(v & 1) :
			    (double)spu_ring_get_signed(field, pt[0].revealed[o], k);
			double w = spu_tensor_get_f64(t, k);
			double e = fabs(got - w);
			if (isnan(w) || isinf(w))
				continue;
			if (e > abs_err)
				abs_err = e;
			if (e / fmax(fabs(w), 1) > rel_err)
				rel_err = e / fmax(fabs(w), 1);
		}
	}
	status = rel_err > tol;
	printf("| %s | %s/%d | %s | %.3g | %.3g |\n", name,
	    spu_protocol_name(proto), n, status ? "TOO FAR" : "ok", abs_err,
	    rel_err);
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
	return status;
}

int
main(int argc, char **argv)
{
	unsigned field = 64;
	double tol = 0.05;
	long maxel = 1L << 20;
	const char *protos = "ref2k/1,semi2k/2,semi2k/3,aby3/3";
	int c, bad = 0;

	while ((c = getopt(argc, argv, "f:m:p:t:")) != -1) {
		switch (c) {
		case 'm': maxel = atol(optarg); break;
		case 'f': field = (unsigned)atoi(optarg); break;
		case 'p': protos = optarg; break;
		case 't': tol = atof(optarg); break;
		default:
			fprintf(stderr, "usage: sweep [-f FIELD] [-p LIST] "
			    "[-t TOL] PROGRAM.spub...\n");
			return 2;
		}
	}
	if (sodium_init() < 0 || !spu_field_valid(field))
		return 2;
	randombytes_buf(session, sizeof(session));
	printf("| program | protocol | result | max abs error | max rel "
	    "error |\n|---|---|---|---|---|\n");
	for (int a = optind; a < argc; a++) {
		struct spu_program *p;
		struct spu_tensor **in, **want = NULL;
		struct spu_diag d;
		size_t nin, nwant = 0;
		const char *name = strrchr(argv[a], '/') ?
		    strrchr(argv[a], '/') + 1 : argv[a];
		char list[256], *save, *tok;

		if (spu_bc_read_file(argv[a], &p, NULL, &d) != 0) {
			printf("| %s | | FAILED | | %s |\n", name, d.msg);
			bad = 1;
			continue;
		}
		in = make_inputs(p, &nin);
		{
			size_t total = 0;
			for (size_t k = 0; k < nin; k++)
				total += in[k] ? in[k]->n : SPU_MAX_ELEMS;
			if (total > (size_t)maxel) {
				printf("| %s | | skipped | | inputs of %zu "
				    "elements (limit -m %ld) |\n", name, total,
				    maxel);
				goto next;
			}
		}
		if (spu_clear_run(p, in, nin, &want, &nwant, &d) != 0) {
			printf("| %s | cleartext | FAILED | | %s |\n", name, d.msg);
			bad = 1;
		} else {
			snprintf(list, sizeof(list), "%s", protos);
			for (tok = strtok_r(list, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				char pn[32];
				int np = 1;
				if (sscanf(tok, "%31[^/]/%d", pn, &np) < 1 ||
				    spu_protocol_parse(pn) < 0)
					continue;
				if (run_one(name, p, in, nin, want, nwant,
				    (enum spu_protocol)spu_protocol_parse(pn),
				    np, field, tol) == 1)
					bad = 1;
			}
		}
next:
		for (size_t k = 0; k < nin; k++)
			spu_tensor_free(in[k]);
		free(in);
		for (size_t k = 0; k < nwant; k++)
			spu_tensor_free(want[k]);
		free(want);
		spu_program_free(p);
	}
	return bad;
}
