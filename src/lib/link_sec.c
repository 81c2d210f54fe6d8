/*
 * link_sec.c - wire version 2 (docs/wire.md, "Version 2"): session keys
 * for every connection of a TCP mesh from the parties' crypto_kx key
 * pairs and the hello transcript, and the key confirmation that proves
 * both ends hold them.  Sealing and opening frames is in link.c; the
 * hellos are exchanged by link_tcp.c, which calls link_sec_derive as
 * each connection is made.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "link_int.h"

/* Keys for the connection to peer j.  The party with the higher index
 * connected, and is the crypto_kx client. */
static int
derive_keys(struct spu_link *l, int j, const unsigned char *pk,
    const unsigned char *sk, const unsigned char *peer_pk)
{
	struct link_peer *p = &l->peer[j];
	unsigned char rx[crypto_kx_SESSIONKEYBYTES];
	unsigned char tx[crypto_kx_SESSIONKEYBYTES];
	unsigned char c2s[LINK_KEY], s2c[LINK_KEY];
	const unsigned char *kc2s, *ks2c;
	crypto_generichash_state st;
	int client = l->party > j, rc;

	if (p->secure)
		return 0;	/* already derived */

	if (client)
		rc = crypto_kx_client_session_keys(rx, tx, pk, sk, peer_pk);
	else
		rc = crypto_kx_server_session_keys(rx, tx, pk, sk, peer_pk);
	if (rc != 0)
		return -1;
	/* The client sends with tx, which is the server's rx. */
	kc2s = client ? tx : rx;
	ks2c = client ? rx : tx;
	crypto_generichash_init(&st, kc2s, crypto_kx_SESSIONKEYBYTES, LINK_KEY);
	crypto_generichash_update(&st, (const unsigned char *)"SPUL v2 c2s",
	    11);
	crypto_generichash_update(&st, p->hello[0], sizeof(p->hello[0]));
	crypto_generichash_update(&st, p->hello[1], sizeof(p->hello[1]));
	crypto_generichash_final(&st, c2s, LINK_KEY);
	crypto_generichash_init(&st, ks2c, crypto_kx_SESSIONKEYBYTES, LINK_KEY);
	crypto_generichash_update(&st, (const unsigned char *)"SPUL v2 s2c",
	    11);
	crypto_generichash_update(&st, p->hello[0], sizeof(p->hello[0]));
	crypto_generichash_update(&st, p->hello[1], sizeof(p->hello[1]));
	crypto_generichash_final(&st, s2c, LINK_KEY);
	memcpy(p->ktx, client ? c2s : s2c, LINK_KEY);
	memcpy(p->krx, client ? s2c : c2s, LINK_KEY);
	p->secure = 1;
	sodium_memzero(rx, sizeof(rx));
	sodium_memzero(tx, sizeof(tx));
	sodium_memzero(c2s, sizeof(c2s));
	sodium_memzero(s2c, sizeof(s2c));
	sodium_memzero(&st, sizeof(st));
	return 0;
}

/* Frame 0 both ways: an empty sealed message.  Opening it proves the
 * peer derived the same keys from the same transcript.  All frames go
 * out before any is judged, so a peer with the wrong keys still gets
 * ours and reports the failure from its side too. */
static int
confirm(struct spu_link *l, struct spu_diag *d)
{
	int j, rc, recv;

	for (recv = 0; recv < 2; recv++) {
		if ((rc = link_begin_round(l, d)) != 0)
			return rc;
		for (j = 0; j < l->n; j++) {
			if (j == l->party)
				continue;
			rc = recv ? link_add_recv(l, j, NULL, 0, d) :
			    link_add_send(l, j, NULL, 0, d);
			if (rc != 0)
				return rc;
		}
		if ((rc = link_run_round(l, d)) != 0)
			return rc;
	}
	return 0;
}

int
link_sec_derive(struct spu_link *l, int j, struct spu_diag *d)
{
	const struct link_keys *k = l->keys;

	if (derive_keys(l, j, k->pk, k->sk, k->peer_pks +
	    (size_t)j * SPU_LINK_KEYBYTES) != 0)
		return spu_fail(d, SPU_EPROTO, "party %d: the public key of "
		    "party %d is not usable", l->party, j);
	return 0;
}

int
spu_link_tcp_secure(int party, int n, const struct spu_peer_addr *peers,
    const unsigned char *pk, const unsigned char *sk,
    const unsigned char *peer_pks, int timeout_ms, struct spu_link **out,
    struct spu_diag *d)
{
	struct link_keys keys = { pk, sk, peer_pks };
	struct spu_link *l;
	int j, rc;

	if (out != NULL)
		*out = NULL;
	if (pk == NULL || sk == NULL || peer_pks == NULL)
		return spu_fail(d, SPU_EINVAL, "secure tcp mesh: missing keys");
	if (sodium_init() < 0)
		return spu_fail(d, SPU_EUNSUPP, "secure tcp mesh: libsodium "
		    "could not be initialized");
	if ((rc = link_tcp_setup(party, n, peers, timeout_ms, &keys, &l, d)) !=
	    0)
		return rc;
	spu_link_set_phase(l, "key confirmation");
	if ((rc = confirm(l, d)) != 0) {
		j = l->bad_peer;
		/* Keys that do not match cannot carry an abort frame. */
		if (j < 0)
			spu_link_abort(l, NULL);
		spu_link_free(l);
		if (j >= 0)
			return spu_fail(d, SPU_EPROTO, "party %d: key "
			    "confirmation with party %d failed: it does not "
			    "hold the keys we expect (check the public keys "
			    "of both parties)", party, j);
		return rc;
	}
	spu_link_set_phase(l, NULL);
	for (j = 0; j < n; j++)
		sodium_memzero(l->peer[j].hello, sizeof(l->peer[j].hello));
	memset(&l->stats, 0, sizeof(l->stats));
	*out = l;
	return 0;
}
