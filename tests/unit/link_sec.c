/*
 * link_sec.c - unit tests of wire version 2 (spu_link_tcp_secure): a
 * 3-party sealed mesh of threads on 127.0.0.1 with rounds checked byte
 * by byte, ciphertext (not plaintext) on the wire, a forged frame, a
 * wrong public key, and a plain party meeting a secure one.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "../tap.h"
#include "link.h"
#include "link_int.h"
#include "link_util.h"

#define NP 3

static unsigned char pks[NP][SPU_LINK_KEYBYTES];
static unsigned char sks[NP][SPU_LINK_KEYBYTES];

struct sparty {
	int party, n, timeout_ms, plain;
	const struct spu_peer_addr *peers;
	const unsigned char *peer_pks;	/* n keys */
	struct spu_link *l;
	int rc;
	struct spu_diag d;
};

static void *
sparty_run(void *arg)
{
	struct sparty *p = arg;

	if (p->plain)
		p->rc = spu_link_tcp(p->party, p->n, p->peers, p->timeout_ms,
		    &p->l, &p->d);
	else
		p->rc = spu_link_tcp_secure(p->party, p->n, p->peers,
		    pks[p->party], sks[p->party], p->peer_pks, p->timeout_ms,
		    &p->l, &p->d);
	return NULL;
}

/* Set up n parties at once; plain_mask marks parties using spu_link_tcp;
 * keys[i] is the key list party i uses. */
static void
start(struct sparty *p, int n, const struct spu_peer_addr *pa,
    const unsigned char *const *keys, int plain_mask, int timeout_ms)
{
	pthread_t th[NP];
	int i;

	for (i = 0; i < n; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].party = i;
		p[i].n = n;
		p[i].timeout_ms = timeout_ms;
		p[i].plain = (plain_mask >> i) & 1;
		p[i].peers = pa;
		p[i].peer_pks = keys[i];
		pthread_create(&th[i], NULL, sparty_run, &p[i]);
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

static void
test_mesh(int base)
{
	struct spu_peer_addr pa[NP];
	const unsigned char *keys[NP] = { pks[0], pks[0], pks[0] };
	struct sparty p[NP];
	struct a2a a[NP];
	pthread_t th[NP];
	int i;

	set_peers(pa, NP, base);
	start(p, NP, pa, keys, 0, 5000);
	for (i = 0; i < NP; i++)
		if (!ok(p[i].rc == 0, "secure mesh: party %d connected", i))
			diag("%s", p[i].d.msg);
	if (p[0].rc || p[1].rc || p[2].rc)
		goto out;
	ok(spu_link_stats(p[0].l)->bytes_sent == 0 &&
	    spu_link_stats(p[0].l)->rounds == 0,
	    "statistics start at zero after the key confirmation");
	for (i = 0; i < NP; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].l = p[i].l;
		a[i].rounds = 8;
		pthread_create(&th[i], NULL, a2a_run, &a[i]);
	}
	for (i = 0; i < NP; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < NP; i++) {
		const struct spu_link_stats *st = spu_link_stats(p[i].l);

		if (!ok(a[i].rc == 0 && a[i].bad == 0, "secure mesh: party %d: "
		    "8 rounds, every byte checked", i))
			diag("rc %d, %d bad: %s", a[i].rc, a[i].bad, a[i].d.msg);
		ok(st->bytes_sent == a[i].want_sent + 16 * a[i].want_msgs &&
		    st->msgs_sent == a[i].want_msgs &&
		    st->rounds == a[i].want_rounds,
		    "secure mesh: party %d: stats count a 16-byte tag a frame",
		    i);
	}
out:
	for (i = 0; i < NP; i++)
		spu_link_free(p[i].l);
}

static void
test_wire(int base)
{
	struct spu_peer_addr pa[2];
	const unsigned char *keys[2] = { pks[0], pks[0] };
	struct sparty p[2];
	unsigned char msg[4096], wire[8 + 4096 + 16], in[4096];
	unsigned char forged[8 + 4 + 16] = { 4, 0, 0, 0, 2, 0, 0, 0 };
	struct spu_diag d;
	size_t got = 0;
	ssize_t r;
	int fd, rc, k, same = 0;

	set_peers(pa, 2, base);
	start(p, 2, pa, keys, 0, 5000);
	if (!ok(p[0].rc == 0 && p[1].rc == 0, "secure pair connected")) {
		diag("%s / %s", p[0].d.msg, p[1].d.msg);
		goto out;
	}
	memset(msg, 'A', sizeof(msg));
	rc = spu_link_send(p[0].l, 1, msg, sizeof(msg), &d);
	fd = p[1].l->peer[0].fd;
	for (k = 0; k < 200 && got < sizeof(wire); k++) {
		r = recv(fd, wire + got, sizeof(wire) - got, 0);
		if (r > 0)
			got += (size_t)r;
		else
			usleep(5000);
	}
	for (k = 0; k < 4096; k++)
		same += wire[8 + k] == 'A';
	ok(rc == 0 && got == sizeof(wire) && wire[0] == 0 && wire[1] == 16 &&
	    wire[4] == 1 && same < 100,
	    "on the wire: header (4096 bytes, frame 1), ciphertext, tag "
	    "(%zu bytes, %d plaintext bytes)", got, same);
	/* That frame was taken off the link by hand: tell the link. */
	p[1].l->peer[0].nrecv++;

	/* A forged frame 2 from "party 0". */
	randombytes_buf(forged + 8, sizeof(forged) - 8);
	(void)send(p[0].l->peer[1].fd, forged, sizeof(forged), 0);
	rc = spu_link_recv(p[1].l, 0, in, 4, &d);
	ok(rc == SPU_EPROTO && strstr(d.msg, "party 1: message 2 from party 0 "
	    "failed authentication") != NULL, "forged frame: %s", d.msg);
out:
	spu_link_free(p[0].l);
	spu_link_free(p[1].l);
}

static void
test_wrong_key(int base)
{
	struct spu_peer_addr pa[2];
	unsigned char bad[2][SPU_LINK_KEYBYTES], junk[SPU_LINK_KEYBYTES];
	const unsigned char *keys[2];
	struct sparty p[2];

	/* Party 1 thinks party 0 has another key. */
	crypto_kx_keypair(bad[0], junk);
	memcpy(bad[1], pks[1], SPU_LINK_KEYBYTES);
	keys[0] = pks[0];
	keys[1] = bad[0];
	set_peers(pa, 2, base);
	start(p, 2, pa, keys, 0, 3000);
	ok(p[0].rc == SPU_EPROTO && strstr(p[0].d.msg, "party 0: key "
	    "confirmation with party 1 failed") != NULL,
	    "wrong key, party 0: %s", p[0].d.msg);
	ok(p[1].rc == SPU_EPROTO && strstr(p[1].d.msg, "party 1: key "
	    "confirmation with party 0 failed") != NULL,
	    "wrong key, party 1: %s", p[1].d.msg);
	spu_link_free(p[0].l);
	spu_link_free(p[1].l);
}

static void
test_versions(int base)
{
	struct spu_peer_addr pa[2];
	const unsigned char *keys[2] = { pks[0], pks[0] };
	struct sparty p[2];

	/* Party 0 plain (version 1), party 1 secure (version 2). */
	set_peers(pa, 2, base);
	start(p, 2, pa, keys, 1, 600);
	ok(p[1].rc == SPU_EVERSION && strstr(p[1].d.msg, "speaks wire "
	    "version 1, we speak 2") != NULL, "secure meets plain: %s",
	    p[1].d.msg);
	ok(p[0].rc == SPU_ETIMEOUT && strstr(p[0].d.msg, "speaks wire "
	    "version 2, we speak 1") != NULL, "plain meets secure: %s",
	    p[0].d.msg);
	spu_link_free(p[0].l);
	spu_link_free(p[1].l);
}

int
main(void)
{
	int base, i;

	if (sodium_init() < 0)
		return 99;
	for (i = 0; i < NP; i++)
		crypto_kx_keypair(pks[i], sks[i]);
	base = pick_ports(8);
	diag("ports %d..%d", base, base + 7);
	test_mesh(base);
	test_wire(base + 3);
	test_wrong_key(base + 5);
	test_versions(base + 3);
	return done_testing();
}
