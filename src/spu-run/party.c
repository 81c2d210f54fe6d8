/*
 * party.c - one party's run: inputs, handshake, execution, output.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "bundle.h"
#include "fileio.h"
#include "fxp.h"
#include "hal/cmp.h"
#include "hal/hal.h"
#include "mem.h"
#include "mpc/mpc.h"
#include "npy.h"
#include "party.h"
#include "progress.h"
#include "vm.h"

#define HELLO_MAGIC "SPUHELLO"
#define HELLO_VERSION 2

struct hello {
	uint8_t magic[8];
	uint32_t version, party, nparties, protocol, field, fxp;
	/* the function library's methods (--exp, --compare-bits, ...):
	 * parties that chose differently would exchange other messages */
	uint32_t methods[7];
	uint8_t digest[32];	/* program */
	uint8_t inputs[32];	/* hash of bundle ids and public inputs */
	uint8_t nonce[32];	/* fresh randomness for the session id */
};

int
expand_template(char *buf, size_t len, const char *tmpl, int party)
{
	const char *p = strstr(tmpl, "%d");
	int n;

	if (p == NULL)
		n = snprintf(buf, len, "%s", tmpl);
	else if (strstr(p + 2, "%") != NULL)
		return -1;
	else
		n = snprintf(buf, len, "%.*s%d%s", (int)(p - tmpl), tmpl,
		    party, p + 2);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

struct inputs {
	struct spu_bundle *b[64];
	int nb;
	struct spu_tensor *pub[64];	/* .npy public inputs, by position */
	int is_npy[64];
	int n;
	int protocol, field, fxp, nparties;
	uint8_t hash[32];
};

static void
inputs_free(struct inputs *in)
{
	for (int i = 0; i < in->n; i++) {
		spu_bundle_free(in->b[i]);
		spu_tensor_free(in->pub[i]);
	}
}

/* Load every input of this party; check bundles agree with each other and
 * with this party's index. */
static int
load_inputs(const struct run_opts *o, int party, struct inputs *in,
    struct spu_diag *d)
{
	crypto_generichash_state st;
	char path[4096];
	int rc;

	memset(in, 0, sizeof(*in));
	in->protocol = o->protocol;
	in->field = o->field;
	in->fxp = o->fxp;
	in->nparties = o->nparties;
	if (o->ninputs > 64)
		return spu_fail(d, SPU_ELIMIT, "too many input files (max 64)");
	crypto_generichash_init(&st, NULL, 0, 32);
	for (int i = 0; i < o->ninputs; i++) {
		if (expand_template(path, sizeof(path), o->inputs[i], party))
			return spu_fail(d, SPU_EINVAL, "%s: bad file name template",
			    o->inputs[i]);
		in->n = i + 1;
		if (spu_path_has_suffix(path, ".npy")) {
			uint8_t *buf;
			size_t len;
			in->is_npy[i] = 1;
			if ((rc = spu_npy_read_file(path, &in->pub[i], d)) != 0)
				return rc;
			buf = NULL;
			len = 0;
			if (spu_npy_encode(in->pub[i], &buf, &len, d) == 0)
				crypto_generichash_update(&st, buf, len);
			free(buf);
			continue;
		}
		if ((rc = spu_bundle_read_file(path, &in->b[i], d)) != 0)
			return rc;
		{
			struct spu_bundle *b = in->b[i];
			if (in->nb == 0 && o->nparties != 0 &&
			    b->nparties != o->nparties)
				return spu_fail(d, SPU_EINVAL,
				    "%s: shared for %d parties, the run has %d",
				    path, b->nparties, o->nparties);
			if (in->nb == 0) {
				in->protocol = (int)b->protocol;
				in->field = (int)b->field;
				in->fxp = b->fxp;
				in->nparties = b->nparties;
			}
			if ((int)b->protocol != in->protocol ||
			    (int)b->field != in->field || b->fxp != in->fxp ||
			    b->nparties != in->nparties)
				return spu_fail(d, SPU_EINVAL, "%s: shared with "
				    "%s/%u bits/fxp %d/%d parties, unlike the "
				    "other inputs", path,
				    spu_protocol_name(b->protocol), b->field,
				    b->fxp, b->nparties);
			if (b->party != party)
				return spu_fail(d, SPU_EINVAL, "%s: belongs to "
				    "party %d, not party %d", path, b->party,
				    party);
			crypto_generichash_update(&st, b->id, sizeof(b->id));
			in->nb++;
		}
	}
	crypto_generichash_final(&st, in->hash, sizeof(in->hash));
	return 0;
}

/* Turn the loaded inputs into VM values, in parameter order. */
static int
input_values(struct spu_mpc *m, struct inputs *in, struct spu_value ***vals,
    size_t *nvals, struct spu_diag *d)
{
	size_t n = 0, k = 0;
	struct spu_value **v;
	int rc;

	for (int i = 0; i < in->n; i++)
		n += in->is_npy[i] ? 1 : in->b[i]->nvalues;
	if ((v = spu_calloc(n ? n : 1, sizeof(*v))) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	for (int i = 0; i < in->n; i++) {
		if (in->is_npy[i]) {
			struct spu_tensor *t = in->pub[i];
			v[k] = spu_hal_alloc(m, t->dtype, &t->shape, SPU_PUBLIC);
			if (v[k] == NULL)
				goto nomem;
			spu_encode_tensor(m->field, m->fxp, t, v[k]->share[0]);
			k++;
			continue;
		}
		for (size_t j = 0; j < in->b[i]->nvalues; j++) {
			/* move the value out of the bundle; a predicate left
			 * as a boolean sharing by an earlier run becomes the
			 * arithmetic 0/1 the program's ops read (one B2A) */
			v[k] = in->b[i]->values[j].v;
			in->b[i]->values[j].v = NULL;
			if ((rc = spu_hal_arith(m, v[k++])) != 0)
				goto fail;
		}
	}
	*vals = v;
	*nvals = n;
	return 0;
nomem:
	rc = spu_fail(d, SPU_ENOMEM, "out of memory");
fail:
	for (size_t i = 0; i < k; i++)
		spu_value_free(v[i]);
	free(v);
	return rc;
}

static void
put32(uint32_t *dst, uint32_t v)
{
	uint8_t *p = (uint8_t *)dst;
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get32(const uint32_t *src)
{
	const uint8_t *p = (const uint8_t *)src;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/*
 * Every party sends every other its hello; all must agree on program,
 * protocol, field, fxp, party count and inputs.  The session id is the
 * hash of all nonces, so every run keys fresh PRG streams.
 */
static int
handshake(struct spu_link *l, const struct run_opts *o,
    const struct inputs *in, int party, uint8_t session[32],
    struct spu_diag *d)
{
	int n = in->nparties;
	struct hello mine, peer[SPU_MAX_PARTIES];
	const void *sb[SPU_MAX_PARTIES];
	void *rb[SPU_MAX_PARTIES];
	size_t sl[SPU_MAX_PARTIES], rl[SPU_MAX_PARTIES];
	crypto_generichash_state st;
	int rc;

	memset(&mine, 0, sizeof(mine));
	memcpy(mine.magic, HELLO_MAGIC, 8);
	put32(&mine.version, HELLO_VERSION);
	put32(&mine.party, (uint32_t)party);
	put32(&mine.nparties, (uint32_t)n);
	put32(&mine.protocol, (uint32_t)in->protocol);
	put32(&mine.field, (uint32_t)in->field);
	put32(&mine.fxp, (uint32_t)in->fxp);
	put32(&mine.methods[0], (uint32_t)o->fxpcfg.exp);
	put32(&mine.methods[1], (uint32_t)o->fxpcfg.exp_iters);
	put32(&mine.methods[2], (uint32_t)o->fxpcfg.log);
	put32(&mine.methods[3], (uint32_t)o->fxpcfg.recip_iters);
	put32(&mine.methods[4], (uint32_t)o->fxpcfg.sigmoid);
	put32(&mine.methods[5], (uint32_t)o->fxpcfg.tanh);
	put32(&mine.methods[6], o->fxpcfg.cmp_bits);
	memcpy(mine.digest, o->digest, 32);
	memcpy(mine.inputs, in->hash, 32);
	randombytes_buf(mine.nonce, sizeof(mine.nonce));
	for (int j = 0; j < n; j++) {
		sb[j] = &mine;
		rb[j] = &peer[j];
		sl[j] = rl[j] = j == party ? 0 : sizeof(struct hello);
	}
	peer[party] = mine;
	if (l != NULL) {
		spu_link_set_phase(l, "handshake");
		if ((rc = spu_link_exchange(l, sb, sl, rb, rl, d)) != 0)
			return rc;
	}
	for (int j = 0; j < n; j++) {
		const struct hello *h = &peer[j];
		const char *what = NULL;
		if (memcmp(h->magic, HELLO_MAGIC, 8) != 0 ||
		    get32(&h->version) != HELLO_VERSION)
			what = "speaks another handshake version";
		else if (get32(&h->party) != (uint32_t)j)
			what = "claims another party index";
		else if (get32(&h->nparties) != (uint32_t)n)
			what = "expects another party count";
		else if (memcmp(h->digest, mine.digest, 32) != 0)
			what = "runs a different program";
		else if (get32(&h->protocol) != (uint32_t)in->protocol ||
		    get32(&h->field) != (uint32_t)in->field ||
		    get32(&h->fxp) != (uint32_t)in->fxp)
			what = "uses another protocol, field or fxp";
		else if (memcmp(h->methods, mine.methods,
		    sizeof(mine.methods)) != 0)
			what = "chose other function methods (--exp, --log, "
			    "--sigmoid, --tanh, --exp-iters, --recip-iters, "
			    "--compare-bits)";
		else if (memcmp(h->inputs, mine.inputs, 32) != 0)
			what = "has inputs from a different sharing";
		if (what != NULL)
			return spu_fail(d, SPU_EPROTO, "party %d %s (handshake)",
			    j, what);
	}
	crypto_generichash_init(&st, NULL, 0, 32);
	for (int j = 0; j < n; j++)
		crypto_generichash_update(&st, peer[j].nonce, 32);
	crypto_generichash_final(&st, session, 32);
	return 0;
}

static int
write_output(const struct run_opts *o, int party, const struct inputs *in,
    const uint8_t session[32], struct spu_value **outs, size_t nout,
    struct spu_diag *d)
{
	struct spu_bundle *b;
	char path[4096];
	uint8_t id[32];
	int rc;

	if (expand_template(path, sizeof(path), o->output, party))
		return spu_fail(d, SPU_EINVAL, "%s: bad file name template",
		    o->output);
	if ((b = spu_bundle_new(nout)) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	b->protocol = (enum spu_protocol)in->protocol;
	b->field = (unsigned)in->field;
	b->fxp = in->fxp;
	b->party = party;
	b->nparties = in->nparties;
	crypto_generichash(id, sizeof(id), session, 32,
	    (const unsigned char *)"spu output", 10);
	memcpy(b->id, id, sizeof(b->id));
	for (size_t i = 0; i < nout; i++) {
		char name[32];
		snprintf(name, sizeof(name), "out%zu", i);
		b->values[i].name = spu_strdup(name);
		b->values[i].v = outs[i];
		outs[i] = NULL;
		if (b->values[i].name == NULL) {
			spu_bundle_free(b);
			return spu_fail(d, SPU_ENOMEM, "out of memory");
		}
	}
	rc = spu_bundle_write_file(path, b, d);
	spu_bundle_free(b);
	return rc;
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void
party_run(const struct run_opts *o, int party, struct spu_link *link,
    const struct spu_peer_addr *peers, struct party_result *res)
{
	struct spu_diag *d = &res->diag;
	struct inputs in;
	struct spu_mpc m;
	struct spu_value **vals = NULL, **outs = NULL;
	size_t nvals = 0, nout = 0;
	uint8_t session[32];
	double t0 = now();
	int rc, mpc_up = 0;

	memset(res, 0, sizeof(*res));
	if ((rc = load_inputs(o, party, &in, d)) != 0)
		goto out;
	if (!spu_protocol_parties_ok((enum spu_protocol)in.protocol,
	    in.nparties)) {
		rc = spu_fail(d, SPU_EINVAL, "%s cannot run with %d parties",
		    spu_protocol_name((enum spu_protocol)in.protocol),
		    in.nparties);
		goto out;
	}
	if (o->fxpcfg.cmp_bits != 0 && (int)o->fxpcfg.cmp_bits < in.fxp + 2) {
		rc = spu_fail(d, SPU_EINVAL, "--compare-bits %u leaves no "
		    "integer bits above the %d fraction bits (at least %d)",
		    o->fxpcfg.cmp_bits, in.fxp, in.fxp + 2);
		goto out;
	}
	if (link == NULL && in.nparties > 1) {
		rc = o->secure ? spu_link_tcp_secure(party, in.nparties, peers,
		    o->pk, o->sk, &o->peer_pks[0][0], o->timeout_ms, &link, d) :
		    spu_link_tcp(party, in.nparties, peers, o->timeout_ms,
		    &link, d);
		if (rc != 0)
			goto out;
	}
	if (link != NULL)
		spu_link_set_shaping(link, o->link_latency_ms, o->link_mbit);
	if ((rc = handshake(link, o, &in, party, session, d)) != 0)
		goto out;
	if ((rc = spu_mpc_init(&m, (enum spu_protocol)in.protocol, party,
	    in.nparties, (unsigned)in.field, in.fxp, link, session, d)) != 0)
		goto out;
	mpc_up = 1;
	m.fxpcfg = o->fxpcfg;
	if (o->profile)
		m.profile = &res->prof;
	if (o->progress != NULL && party == o->progress_party)
		progress_attach(o->progress, &m);
	if ((rc = input_values(&m, &in, &vals, &nvals, d)) != 0)
		goto out;
	if ((rc = spu_vm_run_given(&m, o->prog, vals, nvals, &outs,
	    &nout)) != 0)
		goto out;
	rc = write_output(o, party, &in, session, outs, nout, d);
out:
	if (link != NULL)
		res->st = *spu_link_stats(link);
	/* tell the peers why, then close the links at once so they notice */
	if (rc != 0 && link != NULL)
		spu_link_abort(link, d->msg);
	spu_link_free(link);
	for (size_t i = 0; i < nvals; i++)
		spu_value_free(vals[i]);
	free(vals);
	for (size_t i = 0; i < nout; i++)
		spu_value_free(outs[i]);
	free(outs);
	if (mpc_up)
		spu_mpc_fini(&m);
	inputs_free(&in);
	spu_mem_release();
	res->rc = rc;
	res->wall = now() - t0;
}
