/*
 * square.c - the protocols' square (spu_mpc_square): share random ring
 * elements, square them on N threads over local links, open, and compare
 * with x * x computed here on the cleartext; count the bytes and rounds
 * of the square against those of a product of the same values.
 *
 * semi2k opens only x - a (a from a dealer square pair a, a^2): one
 * round, K n bytes to each peer, half of a Beaver product's 2 K n.
 * aby3 has no cheaper square: it runs its product, K n bytes to one
 * peer.  ref2k is local.  Every message carries an 8-byte frame header.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "link.h"
#include "mpc/deal.h"
#include "mpc/mpc.h"
#include "../tap.h"

#define N_ELEM 301

struct job {
	enum spu_protocol proto;
	unsigned field;
	int party, nparties;
	struct spu_link *link;
	void *x[SPU_MAX_SHARES];
	void *sq, *pr;			/* opened square, product */
	uint64_t sq_bytes, sq_rounds, mul_bytes, mul_rounds, empty_bytes;
	int rc;
	struct spu_diag d;
};

static uint8_t session[32];

static uint64_t
sent(const struct job *j)
{
	return j->link ? spu_link_stats(j->link)->bytes_sent : 0;
}

static uint64_t
rounds(const struct job *j)
{
	return j->link ? spu_link_stats(j->link)->rounds : 0;
}

static void *
run(void *p)
{
	struct job *j = p;
	struct spu_mpc m;
	void *z[SPU_MAX_SHARES] = { NULL };
	uint64_t b0, r0;

	j->rc = spu_mpc_init(&m, j->proto, j->party, j->nparties, j->field, 0,
	    j->link, session, &j->d);
	if (j->rc)
		return NULL;
	for (int s = 0; s < SPU_MAX_SHARES; s++)
		if ((z[s] = spu_ring_alloc(j->field, N_ELEM)) == NULL) {
			j->rc = SPU_ENOMEM;
			goto out;
		}
	b0 = sent(j);
	r0 = rounds(j);
	if ((j->rc = spu_mpc_square(&m, z, j->x, N_ELEM)) != 0)
		goto out;
	j->sq_bytes = sent(j) - b0;
	j->sq_rounds = rounds(j) - r0;
	if ((j->rc = m.ops->open(&m, j->sq, z, N_ELEM)) != 0)
		goto out;
	b0 = sent(j);
	r0 = rounds(j);
	if ((j->rc = m.ops->mul(&m, z, j->x, j->x, N_ELEM)) != 0)
		goto out;
	j->mul_bytes = sent(j) - b0;
	j->mul_rounds = rounds(j) - r0;
	if ((j->rc = m.ops->open(&m, j->pr, z, N_ELEM)) != 0)
		goto out;
	/* nothing to square: nothing sent */
	b0 = sent(j);
	if (j->proto == SPU_SEMI2K)
		j->rc = spu_mpc_square(&m, z, j->x, 0);
	j->empty_bytes = sent(j) - b0;
out:
	for (int s = 0; s < SPU_MAX_SHARES; s++)
		free(z[s]);
	spu_mpc_fini(&m);
	return NULL;
}

static void
check(enum spu_protocol proto, unsigned field, int nparties)
{
	const char *pn = spu_protocol_name(proto);
	size_t K = field / 8;
	int nsh = spu_protocol_nshares(proto), failed = 0, sq_ok = 1, pr_ok = 1;
	void *xr = spu_ring_alloc(field, N_ELEM);
	void *xs[SPU_MAX_PARTIES][SPU_MAX_SHARES];
	struct spu_link *links[SPU_MAX_PARTIES] = { NULL };
	struct job jobs[SPU_MAX_PARTIES];
	pthread_t tid[SPU_MAX_PARTIES];
	struct spu_diag d;
	uint64_t want_sq, want_mul;

	/* any ring elements: the square is exact mod 2^k */
	randombytes_buf(xr, N_ELEM * K);
	for (int p = 0; p < nparties; p++)
		for (int s = 0; s < nsh; s++)
			xs[p][s] = spu_ring_alloc(field, N_ELEM);
	spu_deal_split(proto, field, nparties, xr, N_ELEM, xs);
	if (nparties > 1 && spu_link_local(nparties, 5000, links, &d) != 0) {
		ok(0, "%s/%u/%d: local links: %s", pn, field, nparties, d.msg);
		return;
	}
	for (int p = 0; p < nparties; p++) {
		memset(&jobs[p], 0, sizeof(jobs[p]));
		jobs[p].proto = proto;
		jobs[p].field = field;
		jobs[p].party = p;
		jobs[p].nparties = nparties;
		jobs[p].link = links[p];
		for (int s = 0; s < nsh; s++)
			jobs[p].x[s] = xs[p][s];
		jobs[p].sq = spu_ring_alloc(field, N_ELEM);
		jobs[p].pr = spu_ring_alloc(field, N_ELEM);
		pthread_create(&tid[p], NULL, run, &jobs[p]);
	}
	for (int p = 0; p < nparties; p++)
		pthread_join(tid[p], NULL);
	for (int p = 0; p < nparties; p++)
		if (jobs[p].rc) {
			failed = 1;
			diag("party %d: %s", p, jobs[p].d.msg);
		}
	ok(!failed, "%s field %u, %d parties: all parties finish", pn, field,
	    nparties);
	if (failed)
		goto out;
	for (int i = 0; i < N_ELEM; i++) {
		spu_u128 x = spu_ring_get(field, xr, i);
		spu_u128 mask = field == 128 ? ~(spu_u128)0 :
		    (((spu_u128)1 << field) - 1);
		spu_u128 want = (x * x) & mask;

		for (int p = 0; p < nparties; p++) {
			if (spu_ring_get(field, jobs[p].sq, i) != want)
				sq_ok = 0;
			if (spu_ring_get(field, jobs[p].pr, i) != want)
				pr_ok = 0;
		}
	}
	ok(sq_ok, "%s field %u, %d parties: square is x*x mod 2^%u", pn, field,
	    nparties, field);
	ok(pr_ok, "%s field %u, %d parties: mul(x, x) agrees", pn, field,
	    nparties);
	switch (proto) {
	case SPU_SEMI2K:
		want_sq = (K * N_ELEM + 8) * (uint64_t)(nparties - 1);
		want_mul = (2 * K * N_ELEM + 8) * (uint64_t)(nparties - 1);
		break;
	case SPU_ABY3:
		want_sq = want_mul = K * N_ELEM + 8;
		break;
	default:
		want_sq = want_mul = 0;
		break;
	}
	for (int p = 0; p < nparties; p++) {
		const struct job *j = &jobs[p];
		uint64_t r = proto == SPU_REF2K ? 0 : 1;

		ok(j->sq_bytes == want_sq && j->sq_rounds == r,
		    "%s field %u, %d parties, party %d: square sends %llu "
		    "bytes in %llu round(s) (got %llu in %llu)", pn, field,
		    nparties, p, (unsigned long long)want_sq,
		    (unsigned long long)r, (unsigned long long)j->sq_bytes,
		    (unsigned long long)j->sq_rounds);
		ok(j->mul_bytes == want_mul && j->mul_rounds == r,
		    "%s field %u, %d parties, party %d: the product sends "
		    "%llu bytes (got %llu)", pn, field, nparties, p,
		    (unsigned long long)want_mul,
		    (unsigned long long)j->mul_bytes);
		if (proto == SPU_SEMI2K)
			ok(j->empty_bytes == 0, "%s field %u, %d parties, "
			    "party %d: an empty square sends nothing", pn,
			    field, nparties, p);
	}
out:
	for (int p = 0; p < nparties; p++) {
		spu_link_free(links[p]);
		for (int s = 0; s < nsh; s++)
			free(xs[p][s]);
		free(jobs[p].sq);
		free(jobs[p].pr);
	}
	free(xr);
}

int
main(void)
{
	static const unsigned fields[] = { 32, 64, 128 };

	if (sodium_init() < 0)
		return 99;
	randombytes_buf(session, sizeof(session));
	for (int f = 0; f < 3; f++) {
		check(SPU_REF2K, fields[f], 1);
		check(SPU_SEMI2K, fields[f], 2);
		check(SPU_SEMI2K, fields[f], 3);
		check(SPU_SEMI2K, fields[f], 5);
		check(SPU_ABY3, fields[f], 3);
	}
	return done_testing();
}
