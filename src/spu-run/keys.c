/*
 * keys.c - party key files and keyed peer lists.
 *
 * Key file (text): "spu-key 1", "public <hex>", "secret <hex>", one per
 * line.  The secret key never appears in any message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "fileio.h"
#include "keys.h"

#define KEYHEX (2 * SPU_LINK_KEYBYTES)

int
keys_generate(const char *path, char pkhex[KEYHEX + 1], struct spu_diag *d)
{
	uint8_t pk[crypto_kx_PUBLICKEYBYTES], sk[crypto_kx_SECRETKEYBYTES];
	char skhex[KEYHEX + 1], text[256];
	mode_t old;
	int rc, n;

	crypto_kx_keypair(pk, sk);
	sodium_bin2hex(pkhex, KEYHEX + 1, pk, sizeof(pk));
	sodium_bin2hex(skhex, sizeof(skhex), sk, sizeof(sk));
	n = snprintf(text, sizeof(text), "spu-key 1\npublic %s\nsecret %s\n",
	    pkhex, skhex);
	old = umask(077);
	rc = spu_write_file_atomic(path, text, (size_t)n, d);
	umask(old);
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(skhex, sizeof(skhex));
	sodium_memzero(text, sizeof(text));
	return rc;
}

static int
hex_key(const char *hex, size_t len, uint8_t out[SPU_LINK_KEYBYTES])
{
	size_t got;

	if (len != KEYHEX)
		return -1;
	if (sodium_hex2bin(out, SPU_LINK_KEYBYTES, hex, len, NULL, &got,
	    NULL) != 0 || got != SPU_LINK_KEYBYTES)
		return -1;
	return 0;
}

int
keys_load(const char *path, uint8_t pk[SPU_LINK_KEYBYTES],
    uint8_t sk[SPU_LINK_KEYBYTES], struct spu_diag *d)
{
	uint8_t *buf;
	size_t len;
	char *p, *q;
	int rc;

	if ((rc = spu_read_file(path, &buf, &len, d)) != 0)
		return rc;
	rc = spu_fail(d, SPU_EFORMAT, "%s: not an spu key file", path);
	if (len > 1024 || len < 10 || memchr(buf, '\0', len) != NULL)
		goto out;
	buf[len - 1] = '\0';	/* the file ends in a newline */
	p = (char *)buf;
	if (strncmp(p, "spu-key 1\npublic ", 17) != 0)
		goto out;
	p += 17;
	if ((q = strchr(p, '\n')) == NULL || hex_key(p, (size_t)(q - p), pk))
		goto out;
	p = q + 1;
	if (strncmp(p, "secret ", 7) != 0 || hex_key(p + 7, strlen(p + 7), sk))
		goto out;
	{
		/* the public key must belong to the secret key */
		uint8_t check[crypto_scalarmult_BYTES];
		if (crypto_scalarmult_base(check, sk) != 0 ||
		    sodium_memcmp(check, pk, sizeof(check)) != 0)
			goto out;
	}
	rc = 0;
out:
	sodium_memzero(buf, len);
	free(buf);
	return rc;
}

int
keys_split_peers(const char *spec, char *addrs, size_t len,
    uint8_t keys[][SPU_LINK_KEYBYTES], int max, int *nkeys,
    struct spu_diag *d)
{
	size_t o = 0;
	int n = 0, with = 0;
	const char *p = spec;

	while (*p != '\0') {
		const char *end = strchr(p, ','), *eq;
		size_t item = end ? (size_t)(end - p) : strlen(p);
		eq = memchr(p, '=', item);
		if (n >= max)
			return spu_fail(d, SPU_EINVAL, "too many peers (max %d)",
			    max);
		if (eq != NULL) {
			if (hex_key(eq + 1, item - (size_t)(eq + 1 - p), keys[n]))
				return spu_fail(d, SPU_EINVAL, "peer %d: the "
				    "public key is not 64 hex digits", n);
			with++;
		}
		{
			size_t a = eq ? (size_t)(eq - p) : item;
			if (o + a + 2 > len)
				return spu_fail(d, SPU_EINVAL, "peer list too long");
			if (o > 0)
				addrs[o++] = ',';
			memcpy(addrs + o, p, a);
			o += a;
		}
		n++;
		p += item;
		if (*p == ',')
			p++;
	}
	addrs[o] = '\0';
	if (with != 0 && with != n)
		return spu_fail(d, SPU_EINVAL, "give a public key for every "
		    "peer (HOST:PORT=KEY) or for none");
	*nkeys = with;
	return n;
}
