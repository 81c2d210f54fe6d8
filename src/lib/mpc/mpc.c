/*
 * mpc.c - protocol context set-up (seed agreement) and the local linear
 * operations shared by every share layout.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mpc.h"
#include "../mem.h"

#define SEEDMSG (3 * SPU_SEED_LEN)

int
spu_mpc_fail(struct spu_mpc *m, int err, const char *what)
{
	return spu_fail(m->diag, err, "%s", what);
}

int
spu_mpc_exchange(struct spu_mpc *m, const void *const *sbuf,
    const size_t *slen, void *const *rbuf, const size_t *rlen)
{
	return spu_link_exchange(m->link, sbuf, slen, rbuf, rlen, m->diag);
}

void *
spu_mpc_peer_bufs(struct spu_mpc *m, size_t len,
    void *rbuf[SPU_MAX_PARTIES], size_t rlen[SPU_MAX_PARTIES])
{
	size_t np = (size_t)m->nparties - 1, k = 0;
	uint8_t *p;

	if (np == 0 || len > SIZE_MAX / np ||
	    (p = spu_malloc(np * len > 0 ? np * len : 1, 1)) == NULL)
		return NULL;
	for (int j = 0; j < m->nparties; j++) {
		rbuf[j] = j == m->party ? NULL : p + k++ * len;
		rlen[j] = j == m->party ? 0 : len;
	}
	return p;
}

void
spu_mpc_peer_free(struct spu_mpc *m, void *p, size_t len)
{
	size_t np = (size_t)m->nparties - 1;

	spu_free_secret(p, np * len > 0 ? np * len : 1);
}

/*
 * One round: party i sends every peer j its public-seed contribution, to
 * its predecessor its PRSS seed s_i, and (semi2k) to party 0 its dealer
 * seed.  All streams are then keyed with the session id.
 */
int
spu_mpc_init(struct spu_mpc *m, enum spu_protocol proto, int party,
    int nparties, unsigned field, int fxp, struct spu_link *link,
    const uint8_t session[SPU_SEED_LEN], struct spu_diag *d)
{
	uint8_t pubseed[SPU_SEED_LEN], self[SPU_SEED_LEN],
	    dealer[SPU_SEED_LEN], priv[SPU_SEED_LEN];
	uint8_t out[SPU_MAX_PARTIES][SEEDMSG], in[SPU_MAX_PARTIES][SEEDMSG];
	const void *sbuf[SPU_MAX_PARTIES];
	void *rbuf[SPU_MAX_PARTIES];
	size_t slen[SPU_MAX_PARTIES], rlen[SPU_MAX_PARTIES];
	crypto_generichash_state st;
	int prev = (party + nparties - 1) % nparties;
	int rc;

	memset(m, 0, sizeof(*m));
	m->proto = proto;
	m->ops = proto == SPU_ABY3 ? &spu_aby3_ops :
	    proto == SPU_SEMI2K ? &spu_semi2k_ops : &spu_ref2k_ops;
	m->party = party;
	m->nparties = nparties;
	m->nshares = spu_protocol_nshares(proto);
	m->field = field;
	m->fxp = fxp;
	m->link = link;
	m->diag = d;

	randombytes_buf(pubseed, sizeof(pubseed));
	randombytes_buf(self, sizeof(self));
	randombytes_buf(dealer, sizeof(dealer));
	randombytes_buf(priv, sizeof(priv));
	memset(out, 0, sizeof(out));
	memset(in, 0, sizeof(in));
	for (int j = 0; j < nparties; j++) {
		memcpy(out[j], pubseed, SPU_SEED_LEN);
		if (j == prev)
			memcpy(out[j] + SPU_SEED_LEN, self, SPU_SEED_LEN);
		if (j == 0 && proto == SPU_SEMI2K)
			memcpy(out[j] + 2 * SPU_SEED_LEN, dealer, SPU_SEED_LEN);
		sbuf[j] = out[j];
		rbuf[j] = in[j];
		slen[j] = rlen[j] = j == party ? 0 : SEEDMSG;
	}
	if (nparties > 1 && link != NULL) {
		spu_link_set_phase(link, "seed agreement");
		if ((rc = spu_mpc_exchange(m, sbuf, slen, rbuf, rlen)) != 0)
			goto done;
	}
	memcpy(in[party], out[party], SEEDMSG);
	memcpy(in[party] + 2 * SPU_SEED_LEN, dealer, SPU_SEED_LEN);

	/* public seed: hash of every party's contribution, in party order */
	crypto_generichash_init(&st, NULL, 0, SPU_SEED_LEN);
	for (int j = 0; j < nparties; j++)
		crypto_generichash_update(&st, in[j], SPU_SEED_LEN);
	crypto_generichash_final(&st, pubseed, SPU_SEED_LEN);
	spu_prg_init(&m->pub, pubseed, session, "spu public");
	spu_prg_init(&m->priv, priv, session, "spu private");
	spu_prg_init(&m->prss_self, self, session, "spu prss");
	spu_prg_init(&m->prss_next, in[(party + 1) % nparties] + SPU_SEED_LEN,
	    session, "spu prss");
	if (proto == SPU_SEMI2K) {
		for (int j = 0; j < nparties; j++)
			if (party == 0 || j == party)
				spu_prg_init(&m->dealer[j],
				    in[j] + 2 * SPU_SEED_LEN, session,
				    "spu dealer");
	}
	rc = 0;
done:
	sodium_memzero(self, sizeof(self));
	sodium_memzero(dealer, sizeof(dealer));
	sodium_memzero(priv, sizeof(priv));
	sodium_memzero(out, sizeof(out));
	sodium_memzero(in, sizeof(in));
	return rc;
}

void
spu_mpc_fini(struct spu_mpc *m)
{
	if (m->ops != NULL && m->ops->forget != NULL)
		m->ops->forget(m);
	sodium_memzero(m, sizeof(*m));
}

void
spu_mpc_add(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n)
{
	for (int s = 0; s < m->nshares; s++)
		spu_ring_add(m->field, z[s], x[s], y[s], n);
}

void
spu_mpc_sub(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n)
{
	for (int s = 0; s < m->nshares; s++)
		spu_ring_sub(m->field, z[s], x[s], y[s], n);
}

void
spu_mpc_neg(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	for (int s = 0; s < m->nshares; s++)
		spu_ring_neg(m->field, z[s], x[s], n);
}

int
spu_mpc_square(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n)
{
	if (m->ops->square != NULL)
		return m->ops->square(m, z, x, n);
	return m->ops->mul(m, z, x, x, n);
}

void
spu_mpc_mul_p(struct spu_mpc *m, void *const z[], void *const x[],
    const void *p, size_t n)
{
	for (int s = 0; s < m->nshares; s++)
		spu_ring_mul(m->field, z[s], x[s], p, n);
}

void
spu_mpc_lshift(struct spu_mpc *m, void *const z[], void *const x[],
    unsigned sh, size_t n)
{
	for (int s = 0; s < m->nshares; s++)
		spu_ring_lshift(m->field, z[s], x[s], sh, n);
}

int
spu_mpc_matmul_sp(struct spu_mpc *m, void *const z[], void *const x[],
    const void *p, size_t batch, size_t mm, size_t k, size_t nn)
{
	for (int s = 0; s < m->nshares; s++)
		spu_ring_matmul(m->field, z[s], x[s], p, batch, mm, k, nn);
	return 0;
}

int
spu_mpc_matmul_ps(struct spu_mpc *m, void *const z[], const void *p,
    void *const x[], size_t batch, size_t mm, size_t k, size_t nn)
{
	for (int s = 0; s < m->nshares; s++)
		spu_ring_matmul(m->field, z[s], p, x[s], batch, mm, k, nn);
	return 0;
}

int
spu_mpc_truncpr_finish(struct spu_mpc *m, void *y, const void *c,
    const void *rc, const void *rb, size_t n, unsigned bits, int first)
{
	unsigned f = m->field, k = f;
	void *top = spu_ring_alloc(f, n), *b = spu_ring_alloc(f, n);

	if (top == NULL || b == NULL) {
		free(top);
		free(b);
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	}
	spu_ring_rshift(f, top, c, k - 1, n);
	spu_ring_mul(f, b, rb, top, n);
	spu_ring_lshift(f, b, b, 1, n);
	spu_ring_sub(f, b, rb, b, n);
	if (first)
		spu_ring_add(f, b, b, top, n);
	spu_ring_lshift(f, b, b, k - 1 - bits, n);
	spu_ring_sub(f, y, b, rc, n);
	if (first) {
		/* c_hat = (c << 1) >> (m + 1), logical */
		spu_ring_lshift(f, top, c, 1, n);
		spu_ring_rshift(f, top, top, bits + 1, n);
		spu_ring_add(f, y, y, top, n);
		spu_ring_add_scalar(f, y, y,
		    -((spu_u128)1 << (k - 2 - bits)), n);
	}
	free(top);
	free(b);
	return 0;
}
