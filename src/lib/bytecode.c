/*
 * bytecode.c - the program format of docs/bytecode.md, version 1:
 * "SPUB", then one zstd frame (content size and checksum) holding a CBOR
 * document.  Encoder (deterministic), decoder (bounds-checked, limits
 * before allocation), verifier (structure, SSA, types) and the file
 * helpers, and the readable listing.  This file knows nothing about what
 * the operations compute (vm.c does).
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zstd.h>

#include "bytecode.h"
#include "cborio.h"
#include "fileio.h"
#include "mem.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "bytecode.c stores literals in host order: port to big-endian hosts"
#endif

#define MAGIC "SPUB"
#define MAGIC_LEN 4
#define MAX_NAME 65536		/* program and function names, bytes */
#define INSN_FIELDS 8

const struct spu_attr *
spu_insn_attr(const struct spu_insn *in, enum spu_attr_key key)
{
	for (uint32_t i = 0; i < in->nattr; i++)
		if (in->attr[i].key == key)
			return &in->attr[i];
	return NULL;
}

static void
insn_fini(struct spu_insn *in)
{
	free(in->in);
	free(in->out);
	free(in->type);
	for (uint32_t i = 0; in->attr != NULL && i < in->nattr; i++)
		free(in->attr[i].v);
	free(in->attr);
	free(in->func);
	free(in->lit_f);
	free(in->lit_i);
}

void
spu_program_free(struct spu_program *p)
{
	if (p == NULL)
		return;
	for (uint32_t f = 0; p->funcs != NULL && f < p->nfuncs; f++) {
		struct spu_func *fn = &p->funcs[f];
		for (uint32_t i = 0; fn->insns != NULL && i < fn->ninsns; i++)
			insn_fini(&fn->insns[i]);
		free(fn->insns);
		free(fn->outs);
		free(fn->name);
	}
	free(p->funcs);
	free(p->name);
	free(p);
}

/* ---- verifier ---- */

#define VFAIL(...) do { err = spu_fail(d, SPU_EFORMAT, __VA_ARGS__); \
	goto out; } while (0)

static int
type_ok(const struct spu_type *t, int64_t *numel)
{
	if ((unsigned)t->dtype >= SPU_DTYPE_COUNT)
		return 0;
	if (t->vis != SPU_PUBLIC && t->vis != SPU_SECRET)
		return 0;
	if (t->shape.ndim < 0 || t->shape.ndim > SPU_MAX_DIMS)
		return 0;
	return (*numel = spu_shape_numel(&t->shape)) >= 0;
}

static int
verify_func(const struct spu_program *p, uint32_t f, uint8_t *defined,
    struct spu_diag *d)
{
	const struct spu_func *fn = &p->funcs[f];
	int err = 0;

	if (fn->ninsns > SPU_BC_MAX_INSNS || fn->nslots > SPU_BC_MAX_INSNS ||
	    fn->nouts > SPU_BC_MAX_OPERANDS)
		return spu_fail(d, SPU_ELIMIT,
		    "function @%u: too many instructions, slots or results", f);
	if ((fn->ninsns && fn->insns == NULL) ||
	    (fn->nouts && fn->outs == NULL))
		return spu_fail(d, SPU_EINVAL, "function @%u: missing arrays",
		    f);
	memset(defined, 0, fn->nslots);
	for (uint32_t i = 0; i < fn->ninsns; i++) {
		const struct spu_insn *in = &fn->insns[i];
		int lo, hi;
		int64_t numel = 0;

		if ((unsigned)in->op >= SPU_OP_COUNT)
			VFAIL("@%u:%u: unknown opcode %d", f, i, (int)in->op);
		lo = spu_op_min_inputs(in->op);
		hi = spu_op_max_inputs(in->op);
		if (in->nin > SPU_BC_MAX_OPERANDS || in->nin < (uint32_t)lo ||
		    (hi >= 0 && in->nin > (uint32_t)hi))
			VFAIL("@%u:%u: %s takes %d..%d operands, has %u", f, i,
			    spu_op_name(in->op), lo, hi < 0 ?
			    SPU_BC_MAX_OPERANDS : hi, in->nin);
		if (in->nout > SPU_BC_MAX_OPERANDS ||
		    in->nfunc > SPU_BC_MAX_OPERANDS ||
		    in->nattr > SPU_ATTR_COUNT)
			VFAIL("@%u:%u: too many results, functions or "
			    "attributes", f, i);
		if ((in->nin && in->in == NULL) ||
		    (in->nout && (in->out == NULL || in->type == NULL)) ||
		    (in->nattr && in->attr == NULL) ||
		    (in->nfunc && in->func == NULL))
			VFAIL("@%u:%u: missing arrays", f, i);
		for (uint32_t k = 0; k < in->nin; k++)
			if (in->in[k] >= fn->nslots || !defined[in->in[k]])
				VFAIL("@%u:%u: operand %%%u %s", f, i,
				    in->in[k], in->in[k] >= fn->nslots ?
				    "out of range" : "used before it is defined");
		for (uint32_t k = 0; k < in->nattr; k++) {
			const struct spu_attr *a = &in->attr[k];
			if ((unsigned)a->key >= SPU_ATTR_COUNT)
				VFAIL("@%u:%u: unknown attribute %d", f, i,
				    (int)a->key);
			if (k > 0 && a->key <= in->attr[k - 1].key)
				VFAIL("@%u:%u: attributes not sorted or "
				    "repeated", f, i);
			if (a->n > SPU_BC_MAX_ATTR_LEN || (a->n && !a->v))
				VFAIL("@%u:%u: attribute %s too long", f, i,
				    spu_attr_name(a->key));
		}
		for (uint32_t k = 0; k < in->nfunc; k++)
			if (in->func[k] >= p->nfuncs)
				VFAIL("@%u:%u: calls function @%u, only %u",
				    f, i, in->func[k], p->nfuncs);
		for (uint32_t k = 0; k < in->nout; k++) {
			if (!type_ok(&in->type[k], &numel))
				VFAIL("@%u:%u: result %u has an invalid type",
				    f, i, k);
			if (in->out[k] >= fn->nslots || defined[in->out[k]])
				VFAIL("@%u:%u: result slot %%%u %s", f, i,
				    in->out[k], in->out[k] >= fn->nslots ?
				    "out of range" : "written twice");
			defined[in->out[k]] = 1;
		}
		if (in->op == SPU_OP_CONST) {
			if (in->nout != 1)
				VFAIL("@%u:%u: const needs one result", f, i);
			(void)type_ok(&in->type[0], &numel);
			if (in->type[0].vis != SPU_PUBLIC)
				VFAIL("@%u:%u: const must be public", f, i);
			if (spu_dtype_is_float(in->type[0].dtype) ?
			    (in->lit_i != NULL ||
			    (numel > 0 && in->lit_f == NULL)) :
			    (in->lit_f != NULL ||
			    (numel > 0 && in->lit_i == NULL)))
				VFAIL("@%u:%u: const without a literal of "
				    "its dtype", f, i);
		} else if (in->lit_f != NULL || in->lit_i != NULL) {
			VFAIL("@%u:%u: literal on a %s instruction", f, i,
			    spu_op_name(in->op));
		}
		if (in->op == SPU_OP_PARAM) {
			const struct spu_attr *a = spu_insn_attr(in,
			    SPU_ATTR_INDEX);
			if (in->nout != 1 || a == NULL || a->n != 1 ||
			    a->v[0] < 0 || a->v[0] >= (int64_t)fn->nparams)
				VFAIL("@%u:%u: param needs one result and an "
				    "index below %u", f, i, fn->nparams);
		}
	}
	for (uint32_t k = 0; k < fn->nouts; k++)
		if (fn->outs[k] >= fn->nslots || !defined[fn->outs[k]])
			VFAIL("@%u: returns slot %%%u, which is %s", f,
			    fn->outs[k], fn->outs[k] >= fn->nslots ?
			    "out of range" : "never defined");
out:
	return err;
}

int
spu_bc_verify(const struct spu_program *p, struct spu_diag *d)
{
	uint8_t *defined;
	uint32_t maxslots = 0;
	uint64_t total = 0;
	int err = 0;

	if (p->nfuncs == 0 || p->nfuncs > SPU_BC_MAX_FUNCS || p->funcs == NULL)
		return spu_fail(d, SPU_EFORMAT,
		    "program has %u functions (1..%d allowed)", p->nfuncs,
		    SPU_BC_MAX_FUNCS);
	if (p->entry >= p->nfuncs)
		return spu_fail(d, SPU_EFORMAT,
		    "entry function @%u out of range", p->entry);
	for (uint32_t f = 0; f < p->nfuncs; f++) {
		if (p->funcs[f].nslots > maxslots)
			maxslots = p->funcs[f].nslots;
		total += p->funcs[f].ninsns;
	}
	if (maxslots > SPU_BC_MAX_INSNS || total > SPU_BC_MAX_INSNS)
		return spu_fail(d, SPU_ELIMIT,
		    "program larger than %u instructions or slots",
		    SPU_BC_MAX_INSNS);
	if ((defined = malloc(maxslots ? maxslots : 1)) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	for (uint32_t f = 0; f < p->nfuncs && err == 0; f++)
		err = verify_func(p, f, defined, d);
	free(defined);
	return err;
}

/* ---- encoder ---- */

static void
enc_u32s(struct spu_cbor_enc *e, const uint32_t *v, uint32_t n)
{
	spu_cbor_enc_array(e, n);
	for (uint32_t i = 0; i < n; i++)
		spu_cbor_enc_uint(e, v[i]);
}

static void
enc_insn(struct spu_cbor_enc *e, const struct spu_insn *in)
{
	spu_cbor_enc_array(e, INSN_FIELDS);
	spu_cbor_enc_uint(e, (uint64_t)in->op);
	enc_u32s(e, in->in, in->nin);
	enc_u32s(e, in->out, in->nout);
	spu_cbor_enc_array(e, in->nout);
	for (uint32_t k = 0; k < in->nout; k++) {
		const struct spu_type *t = &in->type[k];
		spu_cbor_enc_array(e, 3);
		spu_cbor_enc_uint(e, (uint64_t)t->dtype);
		spu_cbor_enc_uint(e, (uint64_t)t->vis);
		spu_cbor_enc_array(e, (size_t)t->shape.ndim);
		for (int j = 0; j < t->shape.ndim; j++)
			spu_cbor_enc_uint(e, (uint64_t)t->shape.dim[j]);
	}
	spu_cbor_enc_map(e, in->nattr);
	for (uint32_t k = 0; k < in->nattr; k++) {
		spu_cbor_enc_uint(e, (uint64_t)in->attr[k].key);
		spu_cbor_enc_array(e, in->attr[k].n);
		for (uint32_t j = 0; j < in->attr[k].n; j++)
			spu_cbor_enc_int(e, in->attr[k].v[j]);
	}
	enc_u32s(e, in->func, in->nfunc);
	if (in->op == SPU_OP_CONST) {
		size_t n = (size_t)spu_shape_numel(&in->type[0].shape);
		const void *src = in->lit_f ? (const void *)in->lit_f :
		    (const void *)in->lit_i;
		uint8_t *dst = spu_cbor_enc_bytes_reserve(e, n * 8);
		if (dst != NULL && n > 0)
			memcpy(dst, src, n * 8);
	} else {
		spu_cbor_enc_null(e);
	}
	spu_cbor_enc_uint(e, in->line);
}

int
spu_bc_encode(const struct spu_program *p, uint8_t **bufp, size_t *lenp,
    struct spu_diag *d)
{
	struct spu_cbor_enc e = { 0 };
	uint8_t *out = NULL;
	size_t cap, zlen;
	ZSTD_CCtx *cc = NULL;
	int err;

	*bufp = NULL;
	*lenp = 0;
	if ((err = spu_bc_verify(p, d)) != 0)
		return err;
	spu_cbor_enc_map(&e, 4);
	spu_cbor_enc_text(&e, "version");
	spu_cbor_enc_uint(&e, SPU_BC_VERSION);
	spu_cbor_enc_text(&e, "name");
	spu_cbor_enc_text(&e, p->name ? p->name : "");
	spu_cbor_enc_text(&e, "entry");
	spu_cbor_enc_uint(&e, p->entry);
	spu_cbor_enc_text(&e, "funcs");
	spu_cbor_enc_array(&e, p->nfuncs);
	for (uint32_t f = 0; f < p->nfuncs; f++) {
		const struct spu_func *fn = &p->funcs[f];
		spu_cbor_enc_map(&e, 5);
		spu_cbor_enc_text(&e, "name");
		spu_cbor_enc_text(&e, fn->name ? fn->name : "");
		spu_cbor_enc_text(&e, "nparams");
		spu_cbor_enc_uint(&e, fn->nparams);
		spu_cbor_enc_text(&e, "nslots");
		spu_cbor_enc_uint(&e, fn->nslots);
		spu_cbor_enc_text(&e, "insns");
		spu_cbor_enc_array(&e, fn->ninsns);
		for (uint32_t i = 0; i < fn->ninsns; i++)
			enc_insn(&e, &fn->insns[i]);
		spu_cbor_enc_text(&e, "outs");
		enc_u32s(&e, fn->outs, fn->nouts);
	}
	if (e.failed) {
		err = spu_fail(d, SPU_ENOMEM, "out of memory");
		goto done;
	}
	cap = MAGIC_LEN + ZSTD_compressBound(e.len);
	if ((out = spu_malloc(cap, 1)) == NULL ||
	    (cc = ZSTD_createCCtx()) == NULL) {
		err = spu_fail(d, SPU_ENOMEM, "out of memory");
		goto done;
	}
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 9);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 1);
	memcpy(out, MAGIC, MAGIC_LEN);
	zlen = ZSTD_compress2(cc, out + MAGIC_LEN, cap - MAGIC_LEN, e.buf,
	    e.len);
	if (ZSTD_isError(zlen)) {
		err = spu_fail(d, SPU_EIO, "zstd: %s", ZSTD_getErrorName(zlen));
		goto done;
	}
	*bufp = out;
	*lenp = MAGIC_LEN + zlen;
	out = NULL;
done:
	ZSTD_freeCCtx(cc);
	free(out);
	spu_cbor_enc_free(&e);
	return err;
}

/* ---- decoder ---- */

static int
cbad(struct spu_cbor_dec *c, struct spu_diag *d)
{
	if (c->key != NULL)
		return spu_fail(d, SPU_EFORMAT,
		    "malformed program at byte %zu: expected key \"%s\"",
		    c->errpos, c->key);
	return spu_fail(d, SPU_EFORMAT, "malformed program at byte %zu: %s",
	    c->errpos, c->err ? c->err : "bad item");
}

static char *
get_name(struct spu_cbor_dec *c, const char *key)
{
	const char *s;
	size_t n;
	char *r;

	if (spu_cbor_get_key(c, key) != 0 || spu_cbor_get_text(c, &s, &n) != 0)
		return NULL;
	if (n > MAX_NAME || memchr(s, '\0', n) != NULL) {
		c->err = "name too long or with a NUL byte";
		c->errpos = c->pos;
		return NULL;
	}
	if ((r = malloc(n + 1)) == NULL) {
		c->err = "out of memory";
		return NULL;
	}
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

/* Array of slot numbers / function indices, at most max entries. */
static int
get_u32s(struct spu_cbor_dec *c, uint32_t max, uint32_t **v, uint32_t *np)
{
	size_t n;
	uint64_t u;

	*v = NULL;
	*np = 0;
	if (spu_cbor_get_array(c, &n) != 0)
		return -1;
	if (n > max) {
		c->err = "array longer than the format limit";
		return -1;
	}
	if (n > 0 && (*v = spu_malloc(n, sizeof(**v))) == NULL) {
		c->err = "out of memory";
		return -1;
	}
	*np = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		if (spu_cbor_get_uint_max(c, UINT32_MAX, &u) != 0)
			return -1;
		(*v)[i] = (uint32_t)u;
	}
	return 0;
}

static int
get_type(struct spu_cbor_dec *c, struct spu_type *t)
{
	size_t n;
	uint64_t u;

	if (spu_cbor_get_array(c, &n) != 0)
		return -1;
	if (n != 3) {
		c->err = "a type is [dtype, vis, dims]";
		return -1;
	}
	if (spu_cbor_get_uint_max(c, 255, &u) != 0)
		return -1;
	t->dtype = (enum spu_dtype)u;
	if (spu_cbor_get_uint_max(c, 255, &u) != 0)
		return -1;
	t->vis = (enum spu_vis)u;
	if (spu_cbor_get_array(c, &n) != 0)
		return -1;
	if (n > SPU_MAX_DIMS) {
		c->err = "more than 16 dimensions";
		return -1;
	}
	t->shape.ndim = (int)n;
	for (size_t i = 0; i < n; i++) {
		if (spu_cbor_get_uint_max(c, INT64_MAX, &u) != 0)
			return -1;
		t->shape.dim[i] = (int64_t)u;
	}
	return 0;
}

static int
get_insn(struct spu_cbor_dec *c, struct spu_insn *in)
{
	const uint8_t *lit;
	size_t n, nlit;
	uint64_t u;

	if (spu_cbor_get_array(c, &n) != 0)
		return -1;
	if (n != INSN_FIELDS) {
		c->err = "an instruction has 8 fields";
		return -1;
	}
	if (spu_cbor_get_uint_max(c, SPU_OP_COUNT - 1, &u) != 0)
		return -1;
	in->op = (enum spu_op)u;
	if (get_u32s(c, SPU_BC_MAX_OPERANDS, &in->in, &in->nin) != 0 ||
	    get_u32s(c, SPU_BC_MAX_OPERANDS, &in->out, &in->nout) != 0 ||
	    spu_cbor_get_array(c, &n) != 0)
		return -1;
	if (n != in->nout) {
		c->err = "number of types differs from number of results";
		return -1;
	}
	if (n > 0 && (in->type = spu_calloc(n, sizeof(*in->type))) == NULL) {
		c->err = "out of memory";
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		if (get_type(c, &in->type[k]) != 0)
			return -1;
	if (spu_cbor_get_map(c, &n) != 0)
		return -1;
	if (n > SPU_ATTR_COUNT) {
		c->err = "too many attributes";
		return -1;
	}
	if (n > 0 && (in->attr = spu_calloc(n, sizeof(*in->attr))) == NULL) {
		c->err = "out of memory";
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		struct spu_attr *a = &in->attr[k];
		size_t m;
		in->nattr = (uint32_t)k + 1;
		if (spu_cbor_get_uint_max(c, SPU_ATTR_COUNT - 1, &u) != 0)
			return -1;
		a->key = (enum spu_attr_key)u;
		if (k > 0 && a->key <= in->attr[k - 1].key) {
			c->err = "attribute keys not in ascending order";
			return -1;
		}
		if (spu_cbor_get_array(c, &m) != 0)
			return -1;
		if (m > SPU_BC_MAX_ATTR_LEN) {
			c->err = "attribute longer than the format limit";
			return -1;
		}
		if (m > 0 && (a->v = spu_malloc(m, sizeof(*a->v))) == NULL) {
			c->err = "out of memory";
			return -1;
		}
		a->n = (uint32_t)m;
		for (size_t j = 0; j < m; j++)
			if (spu_cbor_get_int(c, &a->v[j]) != 0)
				return -1;
	}
	if (get_u32s(c, SPU_BC_MAX_OPERANDS, &in->func, &in->nfunc) != 0)
		return -1;
	if (!spu_cbor_get_null(c)) {
		if (spu_cbor_get_bytes(c, &lit, &nlit) != 0)
			return -1;
		if (nlit % 8 != 0 || in->nout != 1) {
			c->err = "literal is not a whole number of 8-byte "
			    "elements for one result";
			return -1;
		}
		if (spu_dtype_is_float(in->type[0].dtype)) {
			in->lit_f = spu_malloc(nlit ? nlit : 1, 1);
			if (in->lit_f == NULL)
				goto nomem;
			memcpy(in->lit_f, lit, nlit);
		} else {
			in->lit_i = spu_malloc(nlit ? nlit : 1, 1);
			if (in->lit_i == NULL)
				goto nomem;
			memcpy(in->lit_i, lit, nlit);
		}
		if (spu_shape_numel(&in->type[0].shape) !=
		    (int64_t)(nlit / 8)) {
			c->err = "literal size differs from the const's shape";
			return -1;
		}
	}
	if (spu_cbor_get_uint_max(c, UINT32_MAX, &u) != 0)
		return -1;
	in->line = (uint32_t)u;
	return 0;
nomem:
	c->err = "out of memory";
	return -1;
}

static int
get_func(struct spu_cbor_dec *c, struct spu_func *fn)
{
	size_t n;
	uint64_t u;

	if (spu_cbor_get_map(c, &n) != 0)
		return -1;
	if (n != 5) {
		c->err = "a function is a map of 5 keys";
		return -1;
	}
	if ((fn->name = get_name(c, "name")) == NULL)
		return -1;
	if (spu_cbor_get_key(c, "nparams") != 0 ||
	    spu_cbor_get_uint_max(c, SPU_BC_MAX_OPERANDS, &u) != 0)
		return -1;
	fn->nparams = (uint32_t)u;
	if (spu_cbor_get_key(c, "nslots") != 0 ||
	    spu_cbor_get_uint_max(c, SPU_BC_MAX_INSNS, &u) != 0)
		return -1;
	fn->nslots = (uint32_t)u;
	if (spu_cbor_get_key(c, "insns") != 0 ||
	    spu_cbor_get_array(c, &n) != 0)
		return -1;
	if (n > SPU_BC_MAX_INSNS) {
		c->err = "more instructions than the format limit";
		return -1;
	}
	if (n > 0 && (fn->insns = spu_calloc(n, sizeof(*fn->insns))) == NULL) {
		c->err = "out of memory";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		fn->ninsns = (uint32_t)i + 1;
		if (get_insn(c, &fn->insns[i]) != 0)
			return -1;
	}
	if (spu_cbor_get_key(c, "outs") != 0)
		return -1;
	return get_u32s(c, SPU_BC_MAX_OPERANDS, &fn->outs, &fn->nouts);
}

static int
decode_doc(const uint8_t *doc, size_t len, struct spu_program *p,
    struct spu_diag *d)
{
	struct spu_cbor_dec c;
	size_t n;
	uint64_t u;

	spu_cbor_dec_init(&c, doc, len);
	if (spu_cbor_get_map(&c, &n) != 0 || spu_cbor_get_key(&c, "version") ||
	    spu_cbor_get_uint(&c, &u) != 0)
		return cbad(&c, d);
	if (u != SPU_BC_VERSION)
		return spu_fail(d, SPU_EVERSION,
		    "bytecode version %llu not supported (want %d)",
		    (unsigned long long)u, SPU_BC_VERSION);
	if (n != 4)
		return spu_fail(d, SPU_EFORMAT,
		    "malformed program: top-level map has %zu keys, not 4", n);
	if ((p->name = get_name(&c, "name")) == NULL ||
	    spu_cbor_get_key(&c, "entry") != 0 ||
	    spu_cbor_get_uint_max(&c, UINT32_MAX, &u) != 0)
		return cbad(&c, d);
	p->entry = (uint32_t)u;
	if (spu_cbor_get_key(&c, "funcs") != 0 ||
	    spu_cbor_get_array(&c, &n) != 0)
		return cbad(&c, d);
	if (n == 0 || n > SPU_BC_MAX_FUNCS)
		return spu_fail(d, SPU_ELIMIT,
		    "program has %zu functions (1..%d allowed)", n,
		    SPU_BC_MAX_FUNCS);
	if ((p->funcs = spu_calloc(n, sizeof(*p->funcs))) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	for (size_t f = 0; f < n; f++) {
		p->nfuncs = (uint32_t)f + 1;
		if (get_func(&c, &p->funcs[f]) != 0)
			return cbad(&c, d);
	}
	if (c.pos != len)
		return spu_fail(d, SPU_EFORMAT,
		    "malformed program: %zu stray bytes at the end",
		    len - c.pos);
	return 0;
}

int
spu_bc_decode(const uint8_t *buf, size_t len, struct spu_program **out,
    struct spu_diag *d)
{
	struct spu_program *p = NULL;
	unsigned long long fcs;
	uint8_t *doc = NULL;
	size_t r;
	int err;

	*out = NULL;
	if (len < MAGIC_LEN || memcmp(buf, MAGIC, MAGIC_LEN) != 0)
		return spu_fail(d, SPU_EFORMAT,
		    "not a spu program (bad magic)");
	buf += MAGIC_LEN;
	len -= MAGIC_LEN;
	fcs = ZSTD_getFrameContentSize(buf, len);
	if (fcs == ZSTD_CONTENTSIZE_ERROR || fcs == ZSTD_CONTENTSIZE_UNKNOWN)
		return spu_fail(d, SPU_EFORMAT,
		    "damaged program: no zstd frame with a content size");
	if (fcs > SPU_FILE_MAX)
		return spu_fail(d, SPU_ELIMIT,
		    "program expands to more than %zu bytes", SPU_FILE_MAX);
	r = ZSTD_findFrameCompressedSize(buf, len);
	if (ZSTD_isError(r) || r != len)
		return spu_fail(d, SPU_EFORMAT,
		    "damaged program: %s", ZSTD_isError(r) ?
		    "truncated zstd frame" : "data after the zstd frame");
	if ((doc = spu_malloc((size_t)fcs ? (size_t)fcs : 1, 1)) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	r = ZSTD_decompress(doc, (size_t)fcs, buf, len);
	if (ZSTD_isError(r) || r != fcs) {
		err = spu_fail(d, SPU_EFORMAT, "damaged program: %s",
		    ZSTD_isError(r) ? ZSTD_getErrorName(r) : "short data");
		goto fail;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		err = spu_fail(d, SPU_ENOMEM, "out of memory");
		goto fail;
	}
	if ((err = decode_doc(doc, (size_t)fcs, p, d)) != 0 ||
	    (err = spu_bc_verify(p, d)) != 0)
		goto fail;
	free(doc);
	*out = p;
	return 0;
fail:
	free(doc);
	spu_program_free(p);
	return err;
}

int
spu_bc_write_file(const char *path, const struct spu_program *p,
    struct spu_diag *d)
{
	struct spu_diag sub;
	uint8_t *buf;
	size_t len;
	int err;

	if ((err = spu_bc_encode(p, &buf, &len, &sub)) != 0)
		return spu_fail(d, err, "%s: %s",
		    strcmp(path, "-") ? path : "<stdout>", sub.msg);
	err = spu_write_file_atomic(path, buf, len, d);
	free(buf);
	return err;
}

int
spu_bc_read_file(const char *path, struct spu_program **out,
    uint8_t digest[32], struct spu_diag *d)
{
	struct spu_diag sub;
	uint8_t *buf;
	size_t len;
	int err;

	*out = NULL;
	if ((err = spu_read_file(path, &buf, &len, d)) != 0)
		return err;
	if (digest != NULL)
		crypto_hash_sha256(digest, buf, len);
	if ((err = spu_bc_decode(buf, len, out, &sub)) != 0)
		spu_fail(d, err, "%s: %s", strcmp(path, "-") ? path : "<stdin>",
		    sub.msg);
	free(buf);
	return err;
}
