/*
 * formats_bc.c - the bytecode format (docs/bytecode.md): encode / decode
 * round trip and determinism, the CBOR document checked byte for byte
 * against one built here from the spec, the verifier's rejections (one
 * mutation of a valid program each), decoder limits, truncations and
 * bit flips, the file digest and the listing.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <zstd.h>

#include "bytecode.h"
#include "cborio.h"
#include "../tap.h"

static uint32_t *
u32s(int n, ...)
{
	uint32_t *v = n ? calloc((size_t)n, sizeof(*v)) : NULL;
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		v[i] = va_arg(ap, uint32_t);
	va_end(ap);
	return v;
}

static void
set_type(struct spu_insn *in, enum spu_dtype t, enum spu_vis vis, int nd,
    int64_t d0, int64_t d1)
{
	in->type = calloc(1, sizeof(*in->type));
	in->type->dtype = t;
	in->type->vis = vis;
	in->type->shape.ndim = nd;
	in->type->shape.dim[0] = d0;
	in->type->shape.dim[1] = d1;
}

static void
add_attr(struct spu_insn *in, enum spu_attr_key k, int n, const int64_t *v)
{
	in->attr = realloc(in->attr, (in->nattr + 1) * sizeof(*in->attr));
	in->attr[in->nattr].key = k;
	in->attr[in->nattr].n = (uint32_t)n;
	in->attr[in->nattr].v = n ? malloc((size_t)n * sizeof(int64_t)) : NULL;
	if (n)
		memcpy(in->attr[in->nattr].v, v, (size_t)n * sizeof(int64_t));
	in->nattr++;
}

/* One result, given operands. */
static void
mk(struct spu_insn *in, enum spu_op op, uint32_t out, int nin, uint32_t a,
    uint32_t b)
{
	memset(in, 0, sizeof(*in));
	in->op = op;
	in->nin = (uint32_t)nin;
	in->in = nin == 0 ? NULL : nin == 1 ? u32s(1, a) : u32s(2, a, b);
	in->nout = 1;
	in->out = u32s(1, out);
}

/* The test program; see the listing checked in test_dump. */
static struct spu_program *
build(void)
{
	struct spu_program *p = calloc(1, sizeof(*p));
	struct spu_func *f;
	struct spu_insn *in;
	static const int64_t zero = 0, one = 1, dims1 = 1;

	p->name = strdup("jit_f");
	p->entry = 0;
	p->nfuncs = 2;
	p->funcs = calloc(2, sizeof(*p->funcs));
	f = &p->funcs[0];
	f->name = strdup("main");
	f->nparams = 2;
	f->nslots = 8;
	f->ninsns = 8;
	f->insns = in = calloc(8, sizeof(*in));
	mk(&in[0], SPU_OP_PARAM, 0, 0, 0, 0);
	set_type(&in[0], SPU_F32, SPU_SECRET, 2, 4, 2);
	add_attr(&in[0], SPU_ATTR_INDEX, 1, &zero);
	mk(&in[1], SPU_OP_PARAM, 1, 0, 0, 0);
	set_type(&in[1], SPU_F32, SPU_PUBLIC, 2, 4, 2);
	add_attr(&in[1], SPU_ATTR_INDEX, 1, &one);
	in[1].line = 12;
	mk(&in[2], SPU_OP_MUL, 2, 2, 0, 1);
	set_type(&in[2], SPU_F32, SPU_SECRET, 2, 4, 2);
	mk(&in[3], SPU_OP_CONST, 3, 0, 0, 0);
	set_type(&in[3], SPU_F32, SPU_PUBLIC, 0, 0, 0);
	in[3].lit_f = malloc(sizeof(double));
	in[3].lit_f[0] = 2.5;
	mk(&in[4], SPU_OP_BROADCAST, 4, 1, 3, 0);
	set_type(&in[4], SPU_F32, SPU_PUBLIC, 2, 4, 2);
	add_attr(&in[4], SPU_ATTR_DIMS, 0, NULL);
	mk(&in[5], SPU_OP_ADD, 5, 2, 2, 4);
	set_type(&in[5], SPU_F32, SPU_SECRET, 2, 4, 2);
	mk(&in[6], SPU_OP_CONST, 6, 0, 0, 0);
	set_type(&in[6], SPU_S32, SPU_PUBLIC, 1, 3, 0);
	in[6].lit_i = malloc(3 * sizeof(int64_t));
	in[6].lit_i[0] = -1;
	in[6].lit_i[1] = 0;
	in[6].lit_i[2] = INT64_MIN;
	mk(&in[7], SPU_OP_REDUCE, 7, 2, 5, 3);
	set_type(&in[7], SPU_F32, SPU_SECRET, 1, 4, 0);
	add_attr(&in[7], SPU_ATTR_DIMS, 1, &dims1);
	add_attr(&in[7], SPU_ATTR_REDUCER, 1, &zero);
	in[7].nfunc = 1;
	in[7].func = u32s(1, 1);
	f->nouts = 3;
	f->outs = u32s(3, 5, 7, 6);

	f = &p->funcs[1];
	f->name = strdup("region_add");
	f->nparams = 2;
	f->nslots = 3;
	f->ninsns = 3;
	f->insns = in = calloc(3, sizeof(*in));
	mk(&in[0], SPU_OP_PARAM, 0, 0, 0, 0);
	set_type(&in[0], SPU_F32, SPU_SECRET, 0, 0, 0);
	add_attr(&in[0], SPU_ATTR_INDEX, 1, &zero);
	mk(&in[1], SPU_OP_PARAM, 1, 0, 0, 0);
	set_type(&in[1], SPU_F32, SPU_SECRET, 0, 0, 0);
	add_attr(&in[1], SPU_ATTR_INDEX, 1, &one);
	mk(&in[2], SPU_OP_ADD, 2, 2, 0, 1);
	set_type(&in[2], SPU_F32, SPU_SECRET, 0, 0, 0);
	f->nouts = 1;
	f->outs = u32s(1, 2);
	return p;
}

static int
prog_eq(const struct spu_program *a, const struct spu_program *b)
{
	if (strcmp(a->name, b->name) || a->entry != b->entry ||
	    a->nfuncs != b->nfuncs)
		return 0;
	for (uint32_t f = 0; f < a->nfuncs; f++) {
		const struct spu_func *x = &a->funcs[f], *y = &b->funcs[f];
		if (strcmp(x->name, y->name) || x->nparams != y->nparams ||
		    x->nslots != y->nslots || x->ninsns != y->ninsns ||
		    x->nouts != y->nouts ||
		    memcmp(x->outs, y->outs, x->nouts * 4))
			return 0;
		for (uint32_t i = 0; i < x->ninsns; i++) {
			const struct spu_insn *p = &x->insns[i], *q = &y->insns[i];
			if (p->op != q->op || p->nin != q->nin ||
			    p->nout != q->nout || p->nattr != q->nattr ||
			    p->nfunc != q->nfunc || p->line != q->line ||
			    (p->nin && memcmp(p->in, q->in, p->nin * 4)) ||
			    memcmp(p->out, q->out, p->nout * 4) ||
			    (p->nfunc && memcmp(p->func, q->func, p->nfunc * 4)))
				return 0;
			for (uint32_t k = 0; k < p->nout; k++)
				if (p->type[k].dtype != q->type[k].dtype ||
				    p->type[k].vis != q->type[k].vis ||
				    !spu_shape_eq(&p->type[k].shape,
				    &q->type[k].shape))
					return 0;
			for (uint32_t k = 0; k < p->nattr; k++)
				if (p->attr[k].key != q->attr[k].key ||
				    p->attr[k].n != q->attr[k].n ||
				    (p->attr[k].n && memcmp(p->attr[k].v,
				    q->attr[k].v, p->attr[k].n * 8)))
					return 0;
			if (p->op == SPU_OP_CONST) {
				size_t n = (size_t)spu_shape_numel(
				    &p->type[0].shape) * 8;
				if ((p->lit_f == NULL) != (q->lit_f == NULL) ||
				    (p->lit_f && memcmp(p->lit_f, q->lit_f, n)) ||
				    (p->lit_i && memcmp(p->lit_i, q->lit_i, n)))
					return 0;
			}
		}
	}
	return 1;
}

static void
test_roundtrip(void)
{
	struct spu_program *p = build(), *q = NULL;
	struct spu_diag d = { "" };
	uint8_t *a = NULL, *b = NULL, *c = NULL, dig[32], want[32];
	size_t alen = 0, blen = 0, clen = 0, bad = 0, same = 0;
	char path[] = "/tmp/spu-bc-XXXXXX";
	int fd;

	ok(spu_bc_verify(p, &d) == 0, "test program verifies (%s)", d.msg);
	ok(spu_bc_encode(p, &a, &alen, &d) == 0 && memcmp(a, "SPUB", 4) == 0,
	    "encodes, starts with SPUB");
	ok(spu_bc_encode(p, &b, &blen, &d) == 0 && alen == blen &&
	    memcmp(a, b, alen) == 0, "encoding is deterministic");
	ok(spu_bc_decode(a, alen, &q, &d) == 0 && prog_eq(p, q),
	    "decode gives the same program (%s)", d.msg);
	ok(q && spu_bc_encode(q, &c, &clen, &d) == 0 && clen == alen &&
	    memcmp(a, c, alen) == 0, "re-encoding the decoded program gives "
	    "the same bytes");
	spu_program_free(q);
	free(b);
	free(c);

	for (size_t n = 0; n < alen; n++) {
		q = NULL;
		if (spu_bc_decode(a, n, &q, &d) == 0)
			bad++;
		spu_program_free(q);
	}
	ok(bad == 0, "all %zu truncations refused", alen);
	bad = 0;
	for (size_t bit = 0; bit < alen * 8; bit++) {
		a[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		q = NULL;
		if (spu_bc_decode(a, alen, &q, &d) == 0) {
			/* only acceptable if nothing changed (zstd's unused
			 * header bit) */
			if (prog_eq(p, q))
				same++;
			else
				bad++;
		}
		spu_program_free(q);
		a[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	ok(bad == 0, "no single-bit flip decodes into a different program "
	    "(%zu of %zu harmless)", same, alen * 8);

	fd = mkstemp(path);
	close(fd);
	ok(spu_bc_write_file(path, p, &d) == 0 &&
	    spu_bc_read_file(path, &q, dig, &d) == 0 && prog_eq(p, q),
	    "file round trip");
	crypto_hash_sha256(want, a, alen);
	ok(memcmp(dig, want, 32) == 0, "read_file returns the SHA-256 of "
	    "the file bytes");
	spu_program_free(q);
	if (truncate(path, 10) != 0)
		diag("truncate failed");
	ok(spu_bc_read_file(path, &q, NULL, &d) != 0 &&
	    strncmp(d.msg, path, strlen(path)) == 0, "damaged file: message "
	    "names the path (%s)", d.msg);
	unlink(path);
	free(a);
	spu_program_free(p);
}

#define MUT(why, stmt) do {						\
	struct spu_program *p_ = build();				\
	struct spu_diag d_ = { "" };					\
	uint8_t *b_ = NULL;						\
	size_t l_ = 0;							\
	struct spu_func *f0 = &p_->funcs[0];				\
	(void)f0;							\
	stmt;								\
	ok(spu_bc_verify(p_, &d_) != 0 &&				\
	    spu_bc_encode(p_, &b_, &l_, &d_) != 0 && b_ == NULL,	\
	    "verifier refuses %s (%s)", why, d_.msg);			\
	spu_program_free(p_);						\
} while (0)

static void
test_verify(void)
{
	MUT("an unknown opcode", f0->insns[2].op = SPU_OP_COUNT);
	MUT("add with one operand", f0->insns[5].nin = 1);
	MUT("an operand slot out of range", f0->insns[2].in[1] = 8);
	MUT("use before definition", f0->insns[2].in[1] = 3);
	MUT("a slot written twice", f0->insns[5].out[0] = 2);
	MUT("a result slot out of range", f0->insns[5].out[0] = 99);
	MUT("an unknown dtype", f0->insns[2].type[0].dtype = SPU_DTYPE_COUNT);
	MUT("visibility 2", f0->insns[2].type[0].vis = 2);
	MUT("17 dimensions", f0->insns[2].type[0].shape.ndim = 17);
	MUT("a negative dimension", f0->insns[2].type[0].shape.dim[0] = -1);
	MUT("2^32 elements", (f0->insns[2].type[0].shape.dim[0] = 1 << 16,
	    f0->insns[2].type[0].shape.dim[1] = 1 << 16));
	MUT("an unknown attribute", f0->insns[7].attr[1].key = SPU_ATTR_COUNT);
	MUT("unsorted attributes", f0->insns[7].attr[1].key = SPU_ATTR_INDEX);
	MUT("an overlong attribute",
	    f0->insns[7].attr[0].n = SPU_BC_MAX_ATTR_LEN + 1);
	MUT("a call to a missing function", f0->insns[7].func[0] = 2);
	MUT("a const without its literal", (free(f0->insns[3].lit_f),
	    f0->insns[3].lit_f = NULL));
	MUT("a float const with integer literals",
	    f0->insns[6].type[0].dtype = SPU_F32);
	MUT("a secret const", f0->insns[3].type[0].vis = SPU_SECRET);
	MUT("a literal on mul", f0->insns[2].lit_f = calloc(8, 8));
	MUT("param index 2 of 2", f0->insns[1].attr[0].v[0] = 2);
	MUT("param without index", f0->insns[1].attr[0].key = SPU_ATTR_DIMS);
	MUT("returning an undefined slot", (f0->nslots = 9, f0->outs[0] = 8));
	MUT("an entry out of range", p_->entry = 2);
	{
		struct spu_program empty = { .name = (char *)"e" };
		struct spu_diag d = { "" };
		ok(spu_bc_verify(&empty, &d) != 0, "verifier refuses a "
		    "program without functions (%s)", d.msg);
	}
	MUT("too many slots", f0->nslots = SPU_BC_MAX_INSNS + 1);
	MUT("too many operands", f0->insns[2].nin = SPU_BC_MAX_OPERANDS + 1);
}

/* Wrap a CBOR document as a .spub file. */
static uint8_t *
wrap(const struct spu_cbor_enc *e, int content_size, size_t *len)
{
	size_t cap = 4 + ZSTD_compressBound(e->len);
	uint8_t *out = malloc(cap);
	ZSTD_CCtx *cc = ZSTD_createCCtx();

	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, content_size);
	memcpy(out, "SPUB", 4);
	if (content_size) {
		*len = 4 + ZSTD_compress2(cc, out + 4, cap - 4, e->buf, e->len);
	} else {
		ZSTD_inBuffer in = { e->buf, e->len, 0 };
		ZSTD_outBuffer o = { out + 4, cap - 4, 0 };
		ZSTD_compressStream2(cc, &o, &in, ZSTD_e_end);
		*len = 4 + o.pos;
	}
	ZSTD_freeCCtx(cc);
	return out;
}

/* A one-function program by the spec: main(x) = neg(x); variants break
 * one thing. */
static void
spec_doc(struct spu_cbor_enc *e, int variant)
{
	spu_cbor_enc_map(e, 4);
	spu_cbor_enc_text(e, "version");
	spu_cbor_enc_uint(e, variant == 1 ? 2 : 1);
	spu_cbor_enc_text(e, "name");
	spu_cbor_enc_text(e, "m");
	spu_cbor_enc_text(e, "entry");
	spu_cbor_enc_uint(e, 0);
	spu_cbor_enc_text(e, "funcs");
	spu_cbor_enc_array(e, variant == 2 ? 100000 : 1);
	spu_cbor_enc_map(e, 5);
	spu_cbor_enc_text(e, "name");
	spu_cbor_enc_text(e, "main");
	spu_cbor_enc_text(e, "nparams");
	spu_cbor_enc_uint(e, 1);
	spu_cbor_enc_text(e, "nslots");
	spu_cbor_enc_uint(e, 2);
	spu_cbor_enc_text(e, "insns");
	spu_cbor_enc_array(e, 2);
	/* [op, in, out, types, attrs, funcs, literal, line] */
	spu_cbor_enc_array(e, variant == 3 ? 9 : 8);
	spu_cbor_enc_uint(e, SPU_OP_PARAM);
	spu_cbor_enc_array(e, 0);
	spu_cbor_enc_array(e, 1);
	spu_cbor_enc_uint(e, 0);
	spu_cbor_enc_array(e, 1);
	spu_cbor_enc_array(e, 3);
	spu_cbor_enc_uint(e, SPU_F32);
	spu_cbor_enc_uint(e, SPU_SECRET);
	spu_cbor_enc_array(e, 1);
	spu_cbor_enc_uint(e, 3);
	spu_cbor_enc_map(e, variant == 4 ? 2 : 1);
	if (variant == 4) {
		spu_cbor_enc_uint(e, SPU_ATTR_DIMS);
		spu_cbor_enc_array(e, 0);
	}
	spu_cbor_enc_uint(e, SPU_ATTR_INDEX);
	spu_cbor_enc_array(e, 1);
	spu_cbor_enc_int(e, 0);
	spu_cbor_enc_array(e, 0);
	if (variant == 5)
		spu_cbor_enc_bytes(e, "1234567", 7);
	else
		spu_cbor_enc_null(e);
	spu_cbor_enc_uint(e, 0);
	if (variant == 3)
		spu_cbor_enc_uint(e, 0);
	spu_cbor_enc_array(e, 8);
	spu_cbor_enc_uint(e, SPU_OP_NEG);
	spu_cbor_enc_array(e, 1);
	spu_cbor_enc_uint(e, 0);
	spu_cbor_enc_array(e, 1);
	spu_cbor_enc_uint(e, 1);
	spu_cbor_enc_array(e, 1);
	spu_cbor_enc_array(e, 3);
	spu_cbor_enc_uint(e, SPU_F32);
	spu_cbor_enc_uint(e, SPU_SECRET);
	spu_cbor_enc_array(e, 1);
	spu_cbor_enc_uint(e, 3);
	spu_cbor_enc_map(e, 0);
	spu_cbor_enc_array(e, 0);
	spu_cbor_enc_null(e);
	spu_cbor_enc_uint(e, 7);
	spu_cbor_enc_text(e, "outs");
	spu_cbor_enc_array(e, 1);
	spu_cbor_enc_uint(e, 1);
}

static void
test_spec(void)
{
	static const char *const why[] = { "", "version 2",
	    "100000 functions claimed", "an instruction of 9 fields",
	    "attribute keys out of order", "a 7-byte literal" };
	struct spu_program *q = NULL;
	struct spu_diag d = { "" };
	uint8_t *file, *lib = NULL, *doc = NULL;
	size_t len, llen = 0;
	int err;

	for (int v = 0; v < 6; v++) {
		struct spu_cbor_enc e = { 0 };
		spec_doc(&e, v);
		file = wrap(&e, 1, &len);
		q = NULL;
		err = spu_bc_decode(file, len, &q, &d);
		if (v == 0) {
			ok(err == 0 && q->nfuncs == 1 &&
			    q->funcs[0].insns[1].op == SPU_OP_NEG &&
			    q->funcs[0].insns[1].line == 7,
			    "spec-built program decodes (%s)", d.msg);
			/* the library writes exactly this document */
			ok(q && spu_bc_encode(q, &lib, &llen, &d) == 0 &&
			    ZSTD_getFrameContentSize(lib + 4, llen - 4) ==
			    e.len && (doc = malloc(e.len)) != NULL &&
			    ZSTD_decompress(doc, e.len, lib + 4, llen - 4) ==
			    e.len && memcmp(doc, e.buf, e.len) == 0,
			    "library encoding has the spec's CBOR document");
			free(doc);
			free(lib);
		} else {
			ok(err != 0 && q == NULL && (v != 1 ||
			    err == SPU_EVERSION), "decoder refuses %s (%s)",
			    why[v], d.msg);
		}
		spu_program_free(q);
		free(file);
		if (v == 0) {
			file = wrap(&e, 0, &len);
			ok(spu_bc_decode(file, len, &q, &d) != 0,
			    "a frame without content size is refused (%s)",
			    d.msg);
			free(file);
			file = wrap(&e, 1, &len);
			file = realloc(file, len + 1);
			file[len] = 0;
			ok(spu_bc_decode(file, len + 1, &q, &d) != 0,
			    "a byte after the frame is refused (%s)", d.msg);
			memcpy(file, "SPUC", 4);
			ok(spu_bc_decode(file, len, &q, &d) == SPU_EFORMAT &&
			    strstr(d.msg, "magic"), "a wrong magic is refused");
			free(file);
		}
		spu_cbor_enc_free(&e);
	}
}

static void
test_dump(void)
{
	struct spu_program *p = build();
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	static const char *const want[] = {
		"func @0 \"main\" (params 2, slots 8) entry:\n",
		"  %0 = param() : secret f32[4,2]  index=[0]\n",
		"  %1 = param() : public f32[4,2]  index=[1]  # line 12\n",
		"  %2 = mul(%0, %1) : secret f32[4,2]\n",
		"  %3 = const() : public f32[]  value=[2.5]\n",
		"  %6 = const() : public s32[3]  value=[-1,0,"
		    "-9223372036854775808]\n",
		"  %7 = reduce(%5, %3) : secret f32[4]  dims=[1]  reducer=[0]"
		    "  calls=[@1 region_add]\n",
		"  return %5, %7, %6\n",
		"func @1 \"region_add\" (params 2, slots 3):\n",
	};

	spu_bc_dump(m, p);
	fclose(m);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!ok(strstr(text, want[i]) != NULL, "listing has line %zu",
		    i))
			diag("listing:\n%s", text);
	free(text);
	spu_program_free(p);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 99;
	test_roundtrip();
	test_verify();
	test_spec();
	test_dump();
	return done_testing();
}
