/*
 * link_tcp.c - unit tests of TCP meshes and peer lists: a 3-party mesh
 * of threads on 127.0.0.1 with a late starter, rounds checked byte by
 * byte; a port in use; an unreachable party; strangers and misconfigured
 * parties knocking; a party lost during setup, named by everyone; and
 * good and bad peer lists.  Ports are derived from the PID so parallel
 * runs do not collide.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "../tap.h"
#include "link.h"
#include "link_util.h"

struct party {
	int party, n, timeout_ms, delay_ms;
	const struct spu_peer_addr *peers;
	struct spu_link *l;
	int rc;
	double secs;
	struct spu_diag d;
};

static void *
party_run(void *arg)
{
	struct party *p = arg;
	double t0;

	if (p->delay_ms > 0)
		usleep(p->delay_ms * 1000);
	t0 = now_s();
	p->rc = spu_link_tcp(p->party, p->n, p->peers, p->timeout_ms, &p->l,
	    &p->d);
	p->secs = now_s() - t0;
	return NULL;
}

static void
test_mesh(int base)
{
	struct spu_peer_addr pa[3];
	struct party p[3];
	struct a2a a[3];
	pthread_t th[3];
	int i, good = 1;

	set_peers(pa, 3, base);
	for (i = 0; i < 3; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].party = i;
		p[i].n = 3;
		p[i].timeout_ms = 5000;
		p[i].peers = pa;
		/* Party 0 starts late: 1 and 2 must retry. */
		p[i].delay_ms = i == 0 ? 400 : 0;
		pthread_create(&th[i], NULL, party_run, &p[i]);
	}
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 3; i++) {
		ok(p[i].rc == 0, "tcp mesh: party %d connected (%.2f s)", i,
		    p[i].secs);
		if (p[i].rc != 0) {
			diag("%s", p[i].d.msg);
			good = 0;
		}
	}
	if (!good)
		goto out;
	for (i = 0; i < 3; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].l = p[i].l;
		a[i].rounds = 10;
		ok(spu_link_party(p[i].l) == i && spu_link_nparties(p[i].l) == 3,
		    "tcp mesh: link %d knows its party and count", i);
		pthread_create(&th[i], NULL, a2a_run, &a[i]);
	}
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 3; i++) {
		const struct spu_link_stats *st = spu_link_stats(p[i].l);

		ok(a[i].rc == 0 && a[i].bad == 0,
		    "tcp mesh: party %d: 10 rounds, every byte checked", i);
		if (a[i].rc || a[i].bad)
			diag("rc %d, %d bad: %s", a[i].rc, a[i].bad, a[i].d.msg);
		ok(st->bytes_sent == a[i].want_sent &&
		    st->bytes_recv == a[i].want_recv &&
		    st->msgs_sent == a[i].want_msgs &&
		    st->rounds == a[i].want_rounds,
		    "tcp mesh: party %d: stats", i);
	}
out:
	for (i = 0; i < 3; i++)
		spu_link_free(p[i].l);
}

static void
test_port_in_use(int base)
{
	struct spu_peer_addr pa[2];
	struct spu_link *l = NULL;
	struct spu_diag d;
	char want[128];
	int fd, rc;

	set_peers(pa, 2, base);
	fd = listen_local(base);
	rc = spu_link_tcp(0, 2, pa, 2000, &l, &d);
	ok(fd != -1 && rc == SPU_ENET && l == NULL,
	    "port in use: SPU_ENET (%d)", rc);
	snprintf(want, sizeof(want), "party 0: cannot listen on 127.0.0.1:%d:"
	    " Address already in use", base);
	ok(strcmp(d.msg, want) == 0, "message: %s", d.msg);
	if (fd != -1)
		close(fd);
}

static void
test_unreachable(int base)
{
	struct spu_peer_addr pa[2];
	struct spu_link *l = NULL;
	struct spu_diag d;
	char want[160];
	double t0, dt;
	int rc;

	set_peers(pa, 2, base);
	t0 = now_s();
	rc = spu_link_tcp(1, 2, pa, 300, &l, &d);
	dt = now_s() - t0;
	ok(rc == SPU_ENET && l == NULL && dt >= 0.28 && dt < 1.5,
	    "nobody listening: SPU_ENET after the timeout (%d, %.3f s)", rc,
	    dt);
	snprintf(want, sizeof(want), "party 1: cannot reach party 0 at "
	    "127.0.0.1:%d: Connection refused (gave up after 0.3 s)", base);
	ok(strcmp(d.msg, want) == 0, "message: %s", d.msg);

	/* Nobody connects to party 0 of 2. */
	t0 = now_s();
	rc = spu_link_tcp(0, 2, pa, 300, &l, &d);
	dt = now_s() - t0;
	ok(rc == SPU_ETIMEOUT && dt >= 0.28 && dt < 1.5,
	    "nobody connecting: SPU_ETIMEOUT (%d, %.3f s)", rc, dt);
	snprintf(want, sizeof(want), "party 0: timeout after 0.3 s waiting "
	    "for party 1 to connect to 127.0.0.1:%d", base);
	ok(strcmp(d.msg, want) == 0, "message: %s", d.msg);

	/* A host that is not ours (NAT): listen everywhere instead.  No
	 * packet leaves the machine: nobody connects. */
	snprintf(pa[0].host, sizeof(pa[0].host), "192.0.2.1");
	rc = spu_link_tcp(0, 2, pa, 200, &l, &d);
	ok(rc == SPU_ETIMEOUT && strstr(d.msg, "waiting for party 1 to "
	    "connect") != NULL, "non-local host: listens anyway: %s", d.msg);
}

struct stranger {
	int port, delay_ms;
	const char *bytes;
};

static void *
stranger_run(void *arg)
{
	struct stranger *s = arg;
	struct sockaddr_in sa;
	int fd, k;

	usleep(s->delay_ms * 1000);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(s->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (k = 0; k < 40; k++) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		usleep(50000);
	}
	(void)send(fd, s->bytes, strlen(s->bytes), MSG_NOSIGNAL);
	usleep(600000);
	close(fd);
	return NULL;
}

static void
test_strangers(int base)
{
	struct spu_peer_addr pa2[2], pa3[3];
	struct party p0, pgood, pwrong;
	struct stranger s = { base, 0, "GET / HTTP/1.0\r\n\r\n" };
	pthread_t th[4];
	unsigned char out[1000], in[1000];
	struct spu_diag d;
	int rc;

	/* Party 0 of 2 on base; a stranger, then a party 1 of 3 (count
	 * mismatch), then the real party 1 of 2. */
	set_peers(pa2, 2, base);
	set_peers(pa3, 3, base);
	pa3[1].port = base + 5;
	pa3[2].port = base + 6;
	memset(&p0, 0, sizeof(p0));
	p0.party = 0, p0.n = 2, p0.timeout_ms = 4000, p0.peers = pa2;
	pwrong = pgood = p0;
	pwrong.party = 1, pwrong.n = 3, pwrong.peers = pa3;
	pwrong.delay_ms = 100;
	pgood.party = 1, pgood.delay_ms = 400;
	pthread_create(&th[0], NULL, party_run, &p0);
	pthread_create(&th[1], NULL, stranger_run, &s);
	pthread_create(&th[2], NULL, party_run, &pwrong);
	pthread_create(&th[3], NULL, party_run, &pgood);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	pthread_join(th[2], NULL);
	pthread_join(th[3], NULL);
	ok(p0.rc == 0 && pgood.rc == 0,
	    "strangers are turned away, the right party gets in");
	if (p0.rc || pgood.rc)
		diag("%s / %s", p0.d.msg, pgood.d.msg);
	ok(pwrong.rc == SPU_EPROTO && strstr(pwrong.d.msg, "party 1: "
	    "127.0.0.1") != NULL && strstr(pwrong.d.msg, "belongs to a mesh "
	    "of 2 parties, we have 3") != NULL,
	    "wrong party count: %s", pwrong.d.msg);
	if (p0.rc == 0 && pgood.rc == 0) {
		msg_fill(out, sizeof(out), 0, 1, 0);
		rc = spu_link_send(p0.l, 1, out, sizeof(out), &d);
		if (rc == 0)
			rc = spu_link_recv(pgood.l, 0, in, sizeof(in), &d);
		ok(rc == 0 && memcmp(in, out, sizeof(in)) == 0,
		    "and the mesh carries messages");
	}
	spu_link_free(p0.l);
	spu_link_free(pgood.l);
	spu_link_free(pwrong.l);

	/* Only a stranger comes: the timeout names what was rejected. */
	s.delay_ms = 50;
	s.bytes = "SPAM SPAM SPAM SPAM";
	p0.timeout_ms = 500;
	p0.l = NULL;
	pthread_create(&th[0], NULL, party_run, &p0);
	pthread_create(&th[1], NULL, stranger_run, &s);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	ok(p0.rc == SPU_ETIMEOUT && strstr(p0.d.msg, "waiting for party 1 "
	    "to connect") != NULL && strstr(p0.d.msg, "rejected: a connection "
	    "from 127.0.0.1:") != NULL && strstr(p0.d.msg, "did not start "
	    "with an spu hello") != NULL, "timeout names the stranger: %s",
	    p0.d.msg);
	spu_link_free(p0.l);
}

/* A party 2 of 3 that says hello to party 0 and dies before it gets to
 * party 1. */
static void *
dying_run(void *arg)
{
	struct stranger *s = arg;
	unsigned char hello[16] = { 'S', 'P', 'U', 'L', 1, 0, 0, 0, 2, 0, 0,
	    0, 3, 0, 0, 0 }, answer[16];
	struct sockaddr_in sa;
	size_t got = 0;
	ssize_t r;
	int fd, k;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(s->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (k = 0; k < 40; k++) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		usleep(50000);
	}
	(void)send(fd, hello, sizeof(hello), MSG_NOSIGNAL);
	while (got < sizeof(answer) && (r = recv(fd, answer + got,
	    sizeof(answer) - got, 0)) > 0)
		got += (size_t)r;
	usleep(s->delay_ms * 1000);
	close(fd);
	return NULL;
}

/*
 * Party 2 connects to party 0 and dies; party 1 starts late.  Party 0
 * names party 2 (not party 1, which was merely late) and, once party 1
 * is connected, tells it; party 1, which waits for party 2 too, names
 * party 2 through party 0's abort frame rather than blaming party 0.
 */
static void
test_lost_in_setup(int base)
{
	struct spu_peer_addr pa[3];
	struct stranger s = { base, 100, NULL };
	struct party p0, p1;
	pthread_t th[3];

	set_peers(pa, 3, base);
	memset(&p0, 0, sizeof(p0));
	p0.party = 0, p0.n = 3, p0.timeout_ms = 3000, p0.peers = pa;
	p1 = p0;
	p1.party = 1, p1.timeout_ms = 1500, p1.delay_ms = 400;
	pthread_create(&th[0], NULL, party_run, &p0);
	pthread_create(&th[1], NULL, dying_run, &s);
	pthread_create(&th[2], NULL, party_run, &p1);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	pthread_join(th[2], NULL);
	ok(p0.rc == SPU_ENET && strcmp(p0.d.msg, "party 0: party 2 closed the "
	    "connection during setup") == 0 && p0.secs < 2.0,
	    "lost in setup: party 0 names party 2 once party 1 is in "
	    "(%.2f s): %s", p0.secs, p0.d.msg);
	ok(p1.rc == SPU_ENET && strcmp(p1.d.msg, "party 1: party 0 aborted: "
	    "party 2 closed the connection during setup") == 0 &&
	    p1.secs < 3.0, "lost in setup: party 1 learns it from party 0 "
	    "(%.2f s): %s", p1.secs, p1.d.msg);
	spu_link_free(p0.l);
	spu_link_free(p1.l);
}

static void
test_bad_args(void)
{
	struct spu_peer_addr pa[2];
	struct spu_link *l = NULL;
	struct spu_diag d;

	set_peers(pa, 2, 5000);
	ok(spu_link_tcp(2, 2, pa, 100, &l, &d) == SPU_EINVAL,
	    "party 2 of 2: SPU_EINVAL (%s)", d.msg);
	ok(spu_link_tcp(0, 0, pa, 100, &l, &d) == SPU_EINVAL,
	    "0 parties: SPU_EINVAL (%s)", d.msg);
	ok(spu_link_tcp(0, 2, pa, 0, &l, &d) == SPU_EINVAL,
	    "timeout 0: SPU_EINVAL (%s)", d.msg);
	pa[1].port = 70000;
	ok(spu_link_tcp(0, 2, pa, 100, &l, &d) == SPU_EINVAL,
	    "port 70000: SPU_EINVAL (%s)", d.msg);
	ok(spu_link_tcp(0, 1, pa, 100, &l, &d) == 0 && l != NULL &&
	    spu_link_nparties(l) == 1, "a mesh of one party needs no network");
	spu_link_free(l);
}

static void
test_parse(void)
{
	static const struct {
		const char *spec;
		int err;
		const char *msg;
	} bad[] = {
		{ "", SPU_EINVAL, "peer list is empty" },
		{ "localhost", SPU_EINVAL, "peer 0 'localhost': missing ':port'" },
		{ "a:1,b", SPU_EINVAL, "peer 1 'b': missing ':port'" },
		{ "a:", SPU_EINVAL, "peer 0 'a:': missing port" },
		{ "a:0", SPU_EINVAL, "port 0 out of range 1..65535" },
		{ "a:65536", SPU_EINVAL, "port 65536 out of range 1..65535" },
		{ "a:99999999999", SPU_EINVAL, "bad port '99999999999'" },
		{ "a:12x", SPU_EINVAL, "peer 0 'a:12x': bad port '12x'" },
		{ "a:-1", SPU_EINVAL, "bad port '-1'" },
		{ ":5000", SPU_EINVAL, "empty host" },
		{ "a:1,,b:2", SPU_EINVAL, "peer 1 is empty" },
		{ "a:1,", SPU_EINVAL, "peer 1 is empty" },
		{ "[::1]5000", SPU_EINVAL, "missing ':port' after ']'" },
		{ "[::1:5000", SPU_EINVAL, "missing ']'" },
		{ "[]:5000", SPU_EINVAL, "empty host" },
		{ "::1:5000", SPU_EINVAL, "write IPv6 addresses in brackets" },
		{ "a b:5000", SPU_EINVAL, "bad character ' ' in host" },
		{ "a:1,b:2,a:1", SPU_EINVAL, "peers 0 and 2 are both a:1" },
		{ "a:1,b:2,c:3,d:4,e:5", SPU_ELIMIT, "more than 4 peers" },
	};
	struct spu_peer_addr pa[4];
	struct spu_diag d;
	char longspec[400];
	size_t i;
	int n;

	n = spu_link_parse_peers("127.0.0.1:5000,localhost:5001,[::1]:5002,"
	    "[fe80::1%eth0]:65535", pa, 4, &d);
	ok(n == 4, "four peers parsed (%d)", n);
	ok(n == 4 && strcmp(pa[0].host, "127.0.0.1") == 0 &&
	    pa[0].port == 5000 && strcmp(pa[1].host, "localhost") == 0 &&
	    pa[1].port == 5001 && strcmp(pa[2].host, "::1") == 0 &&
	    pa[2].port == 5002 && strcmp(pa[3].host, "fe80::1%eth0") == 0 &&
	    pa[3].port == 65535, "hosts and ports");
	n = spu_link_parse_peers("h-1.example.org:1", pa, 4, &d);
	ok(n == 1 && strcmp(pa[0].host, "h-1.example.org") == 0 &&
	    pa[0].port == 1, "one peer, port 1");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&d, 0, sizeof(d));
		n = spu_link_parse_peers(bad[i].spec, pa, 4, &d);
		ok(n == bad[i].err && strstr(d.msg, bad[i].msg) != NULL,
		    "bad peer list '%s': %s", bad[i].spec, d.msg);
	}
	memset(longspec, 'h', sizeof(longspec));
	snprintf(longspec + 300, sizeof(longspec) - 300, ":80");
	n = spu_link_parse_peers(longspec, pa, 4, &d);
	ok(n == SPU_EINVAL && strstr(d.msg, "longer than 255") != NULL,
	    "300-character host: %s", d.msg);
	ok(spu_link_parse_peers(NULL, pa, 4, &d) == SPU_EINVAL,
	    "NULL peer list: SPU_EINVAL");
}

int
main(void)
{
	int base;

	if (sodium_init() < 0)
		return 99;
	test_parse();
	test_bad_args();
	base = pick_ports(8);
	diag("ports %d..%d", base, base + 7);
	test_mesh(base);
	test_port_in_use(base + 7);
	test_unreachable(base + 3);
	test_strangers(base);
	test_lost_in_setup(base + 3);
	return done_testing();
}
