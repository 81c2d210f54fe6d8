/*
 * formats_bundle.c - share bundles (docs/shares.md).  A builder here
 * writes bundles from the spec alone (cborio, zstd, BLAKE2b), so the
 * decoder is tested against an independent writer: valid files decode
 * to the right shares, the library's encoder produces the same bytes,
 * every header field outside its range is refused (files re-hashed so
 * the check itself is reached), and every truncation and every single
 * bit flip of a valid file is reported, never decoded.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <zstd.h>

#include "bundle.h"
#include "cborio.h"
#include "../tap.h"

struct rawv {
	const char *name, *dtype;
	int ndim;
	uint64_t dim[17];
	const char *vis;
	uint64_t nshares;
};

struct raw {
	const char *magic, *proto;
	uint64_t version, field, fxp, party, nparties;
	size_t idlen;
	int nvalues, claim_values;	/* claim_values: array head count */
	struct rawv v[2];
	size_t payload;			/* decompressed bytes */
};

static uint8_t payload_src[4096];

static struct raw
valid(void)
{
	struct raw r = {
		.magic = "spu-shares", .proto = "aby3", .version = 1,
		.field = 64, .fxp = 18, .party = 1, .nparties = 3,
		.idlen = 16, .nvalues = 2, .claim_values = -1,
		.v = {
			{ "a", "f32", 2, { 2, 3 }, "secret", 2 },
			{ "b", "s32", 1, { 4 }, "public", 1 },
		},
		.payload = 6 * 8 * 2 + 4 * 8,
	};
	return r;
}

static uint8_t *
build(const struct raw *r, size_t *len)
{
	struct spu_cbor_enc e = { 0 };
	uint8_t z[8192], id[16], *h;
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	size_t zlen;

	for (int i = 0; i < 16; i++)
		id[i] = (uint8_t)(0xa0 + i);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	zlen = ZSTD_compress2(cc, z, sizeof(z), payload_src, r->payload);
	ZSTD_freeCCtx(cc);
	spu_cbor_enc_map(&e, 11);
	spu_cbor_enc_text(&e, "magic");
	spu_cbor_enc_text(&e, r->magic);
	spu_cbor_enc_text(&e, "version");
	spu_cbor_enc_uint(&e, r->version);
	spu_cbor_enc_text(&e, "protocol");
	spu_cbor_enc_text(&e, r->proto);
	spu_cbor_enc_text(&e, "field");
	spu_cbor_enc_uint(&e, r->field);
	spu_cbor_enc_text(&e, "fxp");
	spu_cbor_enc_uint(&e, r->fxp);
	spu_cbor_enc_text(&e, "party");
	spu_cbor_enc_uint(&e, r->party);
	spu_cbor_enc_text(&e, "nparties");
	spu_cbor_enc_uint(&e, r->nparties);
	spu_cbor_enc_text(&e, "id");
	spu_cbor_enc_bytes(&e, id, r->idlen);
	spu_cbor_enc_text(&e, "values");
	spu_cbor_enc_array(&e, r->claim_values >= 0 ?
	    (size_t)r->claim_values : (size_t)r->nvalues);
	for (int i = 0; i < r->nvalues; i++) {
		spu_cbor_enc_array(&e, 5);
		spu_cbor_enc_text(&e, r->v[i].name);
		spu_cbor_enc_text(&e, r->v[i].dtype);
		spu_cbor_enc_array(&e, (size_t)r->v[i].ndim);
		for (int k = 0; k < r->v[i].ndim; k++)
			spu_cbor_enc_uint(&e, r->v[i].dim[k]);
		spu_cbor_enc_text(&e, r->v[i].vis);
		spu_cbor_enc_uint(&e, r->v[i].nshares);
	}
	spu_cbor_enc_text(&e, "payload");
	spu_cbor_enc_bytes(&e, z, zlen);
	spu_cbor_enc_text(&e, "hash");
	h = spu_cbor_enc_bytes_reserve(&e, 32);
	crypto_generichash(h, 32, e.buf, e.len - 39, NULL, 0);
	*len = e.len;
	return e.buf;
}

static int
rejects(const struct raw *r, const char *why, const char *want)
{
	struct spu_bundle *b = NULL;
	struct spu_diag d = { "" };
	uint8_t *buf;
	size_t len;
	int err;

	buf = build(r, &len);
	err = spu_bundle_decode(buf, len, &b, &d);
	free(buf);
	spu_bundle_free(b);
	return ok(err != 0 && b == NULL && strstr(d.msg, want) != NULL,
	    "bundle with %s refused (%s)", why, d.msg);
}

static void
test_spec_file(void)
{
	struct raw r = valid();
	struct spu_bundle *b = NULL;
	struct spu_diag d = { "" };
	uint8_t *buf, *again = NULL;
	size_t len, alen = 0, bad = 0;

	buf = build(&r, &len);
	ok(spu_bundle_decode(buf, len, &b, &d) == 0, "spec-built bundle "
	    "decodes (%s)", d.msg);
	if (b == NULL)
		return;
	ok(b->protocol == SPU_ABY3 && b->field == 64 && b->fxp == 18 &&
	    b->party == 1 && b->nparties == 3 && b->id[0] == 0xa0 &&
	    b->id[15] == 0xaf && b->nvalues == 2, "header fields");
	ok(strcmp(b->values[0].name, "a") == 0 &&
	    b->values[0].v->dtype == SPU_F32 &&
	    b->values[0].v->shape.ndim == 2 &&
	    b->values[0].v->shape.dim[1] == 3 &&
	    b->values[0].v->vis == SPU_SECRET &&
	    b->values[0].v->nshares == 2 &&
	    strcmp(b->values[1].name, "b") == 0 &&
	    b->values[1].v->vis == SPU_PUBLIC && b->values[1].v->n == 4,
	    "value descriptions");
	ok(memcmp(b->values[0].v->share[0], payload_src, 48) == 0 &&
	    memcmp(b->values[0].v->share[1], payload_src + 48, 48) == 0 &&
	    memcmp(b->values[1].v->share[0], payload_src + 96, 32) == 0,
	    "payload split value by value, share by share");
	ok(spu_bundle_encode(b, &again, &alen, &d) == 0 && alen == len &&
	    memcmp(again, buf, len) == 0,
	    "the library's encoder writes the same bytes as the spec builder");
	free(again);
	spu_bundle_free(b);

	for (size_t n = 0; n < len; n++) {
		b = NULL;
		if (spu_bundle_decode(buf, n, &b, &d) == 0)
			bad++;
		spu_bundle_free(b);
	}
	ok(bad == 0, "all %zu truncations refused", len);
	bad = 0;
	for (size_t bit = 0; bit < len * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		b = NULL;
		if (spu_bundle_decode(buf, len, &b, &d) == 0 || b != NULL) {
			if (bad++ < 3)
				diag("flip of bit %zu accepted", bit);
		}
		spu_bundle_free(b);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	ok(bad == 0, "all %zu single-bit flips reported as damage", len * 8);
	free(buf);
}

static void
test_fields(void)
{
	struct raw r;

#define CASE(stmt, why, want) do { r = valid(); stmt; \
	rejects(&r, why, want); } while (0)
	CASE(r.magic = "spu-sharez", "a wrong magic", "magic");
	CASE(r.version = 2, "version 2", "version 2");
	CASE(r.proto = "spdz", "an unknown protocol", "protocol");
	CASE(r.field = 48, "field 48", "field 48");
	CASE(r.field = 256, "field 256", "range");
	CASE(r.fxp = 63, "fxp 63 in Z_2^64", "fraction bits 63");
	CASE(r.party = 3, "party 3 of 3", "party index 3");
	CASE(r.nparties = 2, "2 parties under aby3", "2 parties");
	CASE((r.proto = "semi2k", r.nparties = 17, r.party = 0,
	    r.v[0].nshares = 1, r.payload = 80), "17 parties", "17");
	CASE(r.idlen = 15, "a 15-byte id", "id");
	CASE(r.v[0].nshares = 1, "1 share of an aby3 secret", "share vectors");
	CASE(r.v[1].nshares = 2, "2 shares of a public value", "share vectors");
	CASE(r.v[1].vis = "hidden", "an unknown visibility", "visibility");
	CASE(r.v[0].vis = "secret-xor", "a boolean sharing of a float",
	    "pred only");
	CASE(r.v[0].dtype = "f128", "an unknown dtype", "dtype");
	CASE(r.v[1].name = "a", "a repeated name", "twice");
	CASE(r.v[1].name = "", "an empty name", "name");
	CASE((r.v[0].ndim = 17, r.v[0].dim[2] = 1), "17 dimensions",
	    "dimensions");
	CASE((r.v[0].dim[0] = 1u << 20, r.v[0].dim[1] = 1u << 20),
	    "2^40 elements", "elements");
	CASE(r.payload -= 8, "a short payload", "payload holds");
	CASE(r.payload += 8, "a long payload", "payload holds");
	CASE(r.v[0].dim[0] = 1u << 27, "a huge shape and a small payload",
	    "payload holds");
	CASE(r.claim_values = 70000, "70000 values claimed", "");
	CASE(r.claim_values = 3, "a values array longer than given", "");
#undef CASE
}

static void
test_roundtrips(void)
{
	static const struct { enum spu_protocol p; int n; } sets[] = {
		{ SPU_REF2K, 1 }, { SPU_REF2K, 3 }, { SPU_SEMI2K, 2 },
		{ SPU_SEMI2K, 4 }, { SPU_SEMI2K, 16 }, { SPU_ABY3, 3 },
	};
	static const unsigned fields[] = { 32, 64, 128 };

	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++)
		for (int fi = 0; fi < 3; fi++) {
			unsigned field = fields[fi];
			struct spu_bundle *b = spu_bundle_new(3), *c = NULL;
			struct spu_shape sh[3] = { { 2, { 3, 5 } }, { 0, { 0 } },
			    { 1, { 0 } } };
			struct spu_diag d = { "" };
			uint8_t *buf = NULL;
			size_t len = 0;
			int good;

			b->protocol = sets[s].p;
			b->field = field;
			b->fxp = (int)field - 2;
			b->nparties = sets[s].n;
			b->party = sets[s].n - 1;
			randombytes_buf(b->id, sizeof(b->id));
			for (int i = 0; i < 3; i++) {
				enum spu_vis vis = i == 1 ? SPU_PUBLIC :
				    SPU_SECRET;
				int nsh = vis == SPU_PUBLIC ? 1 :
				    spu_protocol_nshares(b->protocol);
				char name[8];
				snprintf(name, sizeof(name), "v%d", i);
				b->values[i].name = strdup(name);
				b->values[i].v = spu_value_new(i == 1 ?
				    SPU_PRED : SPU_F64, &sh[i], vis, field,
				    nsh);
				for (int j = 0; j < nsh; j++)
					randombytes_buf(b->values[i].v->share[j],
					    b->values[i].v->n * field / 8);
			}
			good = spu_bundle_encode(b, &buf, &len, &d) == 0 &&
			    spu_bundle_decode(buf, len, &c, &d) == 0 &&
			    c->protocol == b->protocol && c->field == field &&
			    c->fxp == b->fxp && c->party == b->party &&
			    c->nparties == b->nparties &&
			    memcmp(c->id, b->id, 16) == 0 && c->nvalues == 3;
			for (int i = 0; good && i < 3; i++) {
				struct spu_value *u = b->values[i].v;
				struct spu_value *v = c->values[i].v;
				good = strcmp(b->values[i].name,
				    c->values[i].name) == 0 &&
				    u->dtype == v->dtype && u->vis == v->vis &&
				    u->nshares == v->nshares &&
				    spu_shape_eq(&u->shape, &v->shape);
				for (int j = 0; good && j < u->nshares; j++)
					good = memcmp(u->share[j], v->share[j],
					    u->n * field / 8) == 0;
			}
			ok(good, "round trip %s, %d parties, Z_2^%u (%s)",
			    spu_protocol_name(sets[s].p), sets[s].n, field,
			    d.msg);
			free(buf);
			spu_bundle_free(b);
			spu_bundle_free(c);
		}
}

/* A pred left as a boolean sharing keeps its encoding through a file. */
static void
test_xor_shared(void)
{
	struct raw r = valid();
	struct spu_bundle *b = NULL;
	struct spu_diag d = { "" };
	uint8_t *buf, *buf2 = NULL;
	size_t len, len2 = 0;
	int rc;

	r.v[0].dtype = "pred";
	r.v[0].vis = "secret-xor";
	buf = build(&r, &len);
	rc = spu_bundle_decode(buf, len, &b, &d);
	ok(rc == 0 && b->values[0].v->xor_shared &&
	    b->values[0].v->vis == SPU_SECRET && !b->values[1].v->xor_shared,
	    "secret-xor pred decodes as a boolean sharing (%s)", d.msg);
	if (rc == 0) {
		rc = spu_bundle_encode(b, &buf2, &len2, &d);
		ok(rc == 0 && len2 == len && memcmp(buf, buf2, len) == 0,
		    "and encodes to the same bytes");
	}
	spu_bundle_free(b);
	free(buf);
	free(buf2);
}

static void
test_encode_checks(void)
{
	struct spu_shape s = { 1, { 4 } };
	struct spu_bundle *b = spu_bundle_new(2);
	struct spu_diag d = { "" };
	uint8_t *buf = NULL;
	size_t len = 0;

	b->protocol = SPU_SEMI2K;
	b->field = 64;
	b->fxp = 18;
	b->nparties = 2;
	b->values[0].name = strdup("x");
	b->values[0].v = spu_value_new(SPU_F32, &s, SPU_SECRET, 64, 1);
	b->values[1].name = strdup("x");
	b->values[1].v = spu_value_new(SPU_F32, &s, SPU_SECRET, 64, 1);
	ok(spu_bundle_encode(b, &buf, &len, &d) == SPU_EINVAL &&
	    strstr(d.msg, "twice"), "encoder refuses repeated names");
	b->values[1].name[0] = 'y';
	spu_value_free(b->values[1].v);
	b->values[1].v = spu_value_new(SPU_F32, &s, SPU_SECRET, 32, 1);
	ok(spu_bundle_encode(b, &buf, &len, &d) == SPU_EINVAL,
	    "encoder refuses a value of another field");
	spu_value_free(b->values[1].v);
	b->values[1].v = spu_value_new(SPU_F32, &s, SPU_SECRET, 64, 2);
	ok(spu_bundle_encode(b, &buf, &len, &d) == SPU_EINVAL,
	    "encoder refuses 2 shares under semi2k");
	spu_value_free(b->values[1].v);
	b->values[1].v = spu_value_new(SPU_F32, &s, SPU_PUBLIC, 64, 1);
	b->party = 2;
	ok(spu_bundle_encode(b, &buf, &len, &d) == SPU_EINVAL,
	    "encoder refuses party 2 of 2");
	b->party = 1;
	{
		char path[] = "/tmp/spu-bundle-XXXXXX";
		struct spu_bundle *c = NULL;
		int fd = mkstemp(path);
		close(fd);
		ok(spu_bundle_write_file(path, b, &d) == 0 &&
		    spu_bundle_read_file(path, &c, &d) == 0 && c->party == 1 &&
		    c->nvalues == 2, "file round trip");
		spu_bundle_free(c);
		if (truncate(path, 100) != 0)
			diag("truncate failed");
		ok(spu_bundle_read_file(path, &c, &d) == SPU_EFORMAT &&
		    strncmp(d.msg, path, strlen(path)) == 0,
		    "damaged file: message starts with the path (%s)", d.msg);
		unlink(path);
	}
	spu_bundle_free(b);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 99;
	for (size_t i = 0; i < sizeof(payload_src); i++)
		payload_src[i] = (uint8_t)(i * 37 + (i >> 3));
	test_spec_file();
	test_fields();
	test_roundtrips();
	test_xor_shared();
	test_encode_checks();
	return done_testing();
}
