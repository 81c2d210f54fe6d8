/*
 * link_peers.c - parsing peer lists, "host:port,host:port,[::1]:port",
 * into the addresses spu_link_tcp connects to (docs/wire.md, "Peer
 * lists").  Only syntax is checked here; names are resolved when the
 * mesh is set up.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "link.h"

static int
host_char_ok(int c, int bracketed)
{
	if (isalnum(c) || c == '.' || c == '-' || c == '_')
		return 1;
	return bracketed && (c == ':' || c == '%');
}

/* Parse one "host:port" or "[v6]:port" item of length len. */
static int
parse_one(const char *s, size_t len, int k, struct spu_peer_addr *pa,
    struct spu_diag *d)
{
	const char *hs, *he, *ps;
	size_t hlen, i;
	long port = 0;
	int bracketed = 0;

	if (len == 0)
		return spu_fail(d, SPU_EINVAL, "peer list: peer %d is empty",
		    k);
	if (s[0] == '[') {
		bracketed = 1;
		hs = s + 1;
		he = memchr(hs, ']', len - 1);
		if (he == NULL)
			return spu_fail(d, SPU_EINVAL, "peer list: peer %d "
			    "'%.*s': missing ']'", k, (int)len, s);
		ps = he + 1;
		if (ps == s + len || *ps != ':')
			return spu_fail(d, SPU_EINVAL, "peer list: peer %d "
			    "'%.*s': missing ':port' after ']'", k, (int)len,
			    s);
		ps++;
	} else {
		hs = s;
		he = NULL;
		for (i = len; i > 0; i--)
			if (s[i - 1] == ':') {
				he = s + i - 1;
				break;
			}
		if (he == NULL)
			return spu_fail(d, SPU_EINVAL, "peer list: peer %d "
			    "'%.*s': missing ':port'", k, (int)len, s);
		if (memchr(hs, ':', (size_t)(he - hs)) != NULL)
			return spu_fail(d, SPU_EINVAL, "peer list: peer %d "
			    "'%.*s': write IPv6 addresses in brackets, as "
			    "[::1]:5000", k, (int)len, s);
		ps = he + 1;
	}
	hlen = (size_t)(he - hs);
	if (hlen == 0)
		return spu_fail(d, SPU_EINVAL, "peer list: peer %d '%.*s': "
		    "empty host", k, (int)len, s);
	if (hlen >= sizeof(pa->host))
		return spu_fail(d, SPU_EINVAL, "peer list: peer %d: host name "
		    "longer than %zu characters", k, sizeof(pa->host) - 1);
	for (i = 0; i < hlen; i++)
		if (!host_char_ok((unsigned char)hs[i], bracketed))
			return spu_fail(d, SPU_EINVAL, "peer list: peer %d "
			    "'%.*s': bad character '%c' in host", k, (int)len,
			    s, hs[i]);
	if (ps == s + len)
		return spu_fail(d, SPU_EINVAL, "peer list: peer %d '%.*s': "
		    "missing port", k, (int)len, s);
	for (i = 0; ps + i < s + len; i++) {
		if (!isdigit((unsigned char)ps[i]) || i >= 6)
			return spu_fail(d, SPU_EINVAL, "peer list: peer %d "
			    "'%.*s': bad port '%.*s'", k, (int)len, s,
			    (int)(s + len - ps), ps);
		port = port * 10 + (ps[i] - '0');
	}
	if (port < 1 || port > 65535)
		return spu_fail(d, SPU_EINVAL, "peer list: peer %d '%.*s': "
		    "port %ld out of range 1..65535", k, (int)len, s, port);
	memcpy(pa->host, hs, hlen);
	pa->host[hlen] = '\0';
	pa->port = (int)port;
	return 0;
}

int
spu_link_parse_peers(const char *spec, struct spu_peer_addr *out, int max,
    struct spu_diag *d)
{
	const char *p, *e;
	int k = 0, i, rc;

	if (spec == NULL || *spec == '\0')
		return spu_fail(d, SPU_EINVAL, "peer list is empty");
	if (out == NULL || max < 1)
		return spu_fail(d, SPU_EINVAL, "peer list: no room for peers");
	for (p = spec;; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if (k == max)
			return spu_fail(d, SPU_ELIMIT, "peer list: more than "
			    "%d peers", max);
		if ((rc = parse_one(p, (size_t)(e - p), k, &out[k], d)) != 0)
			return rc;
		for (i = 0; i < k; i++)
			if (out[i].port == out[k].port &&
			    strcmp(out[i].host, out[k].host) == 0)
				return spu_fail(d, SPU_EINVAL, "peer list: "
				    "peers %d and %d are both %.*s", i, k,
				    (int)(e - p), p);
		k++;
		if (*e == '\0')
			break;
	}
	return k;
}
