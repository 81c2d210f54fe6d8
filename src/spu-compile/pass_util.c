/*
 * pass_util.c - the instruction rewriter shared by the MPC-aware passes
 * (pass.h): a new instruction list built while walking the old one, slot
 * renaming, definitions and types of slots, constants seen through
 * layout ops, and instruction copies.  Not a pass itself.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "pass.h"

static void
rw_nomem(struct rw *r)
{
	if (r->err == 0)
		r->err = spu_fail(r->d, SPU_ENOMEM, "out of memory");
}

int
pass_type_eq(const struct spu_type *a, const struct spu_type *b)
{
	return a->dtype == b->dtype && a->vis == b->vis &&
	    spu_shape_eq(&a->shape, &b->shape);
}

int
pass_is_float(const struct spu_type *t)
{
	return spu_dtype_is_float(t->dtype);
}

static size_t
lit_count(const struct spu_insn *in)
{
	int64_t n;

	if (in->op != SPU_OP_CONST || in->nout != 1)
		return 0;
	n = spu_shape_numel(&in->type[0].shape);
	return n > 0 ? (size_t)n : 0;
}

static void *
dup_array(const void *src, size_t n, size_t size, int *fail)
{
	void *p;

	if (src == NULL || n == 0)
		return NULL;
	if ((p = spu_malloc(n, size)) == NULL) {
		*fail = 1;
		return NULL;
	}
	memcpy(p, src, n * size);
	return p;
}

int
pass_insn_copy(struct spu_insn *dst, const struct spu_insn *src)
{
	int fail = 0;
	size_t nl = lit_count(src);

	*dst = *src;
	dst->in = dup_array(src->in, src->nin, sizeof(*src->in), &fail);
	dst->out = dup_array(src->out, src->nout, sizeof(*src->out), &fail);
	dst->type = dup_array(src->type, src->nout, sizeof(*src->type), &fail);
	dst->func = dup_array(src->func, src->nfunc, sizeof(*src->func),
	    &fail);
	dst->lit_f = dup_array(src->lit_f, nl, sizeof(double), &fail);
	dst->lit_i = dup_array(src->lit_i, nl, sizeof(int64_t), &fail);
	dst->attr = NULL;
	if (src->nattr > 0 && !fail) {
		if ((dst->attr = spu_calloc(src->nattr,
		    sizeof(*dst->attr))) == NULL)
			fail = 1;
		for (uint32_t k = 0; !fail && k < src->nattr; k++) {
			dst->attr[k].key = src->attr[k].key;
			dst->attr[k].n = src->attr[k].n;
			dst->attr[k].v = dup_array(src->attr[k].v,
			    src->attr[k].n, sizeof(int64_t), &fail);
		}
	}
	if (fail) {
		if (dst->attr == NULL)
			dst->nattr = 0;
		pass_insn_free(dst);
		return SPU_ENOMEM;
	}
	return 0;
}

int
pass_attr_set(struct spu_insn *in, enum spu_attr_key k, const int64_t *v,
    uint32_t n)
{
	struct spu_attr *a;
	int64_t *nv = NULL;
	uint32_t pos;

	if (n > 0) {
		if ((nv = spu_malloc(n, sizeof(*nv))) == NULL)
			return SPU_ENOMEM;
		memcpy(nv, v, n * sizeof(*nv));
	}
	for (pos = 0; pos < in->nattr && in->attr[pos].key < k; pos++)
		;
	if (pos < in->nattr && in->attr[pos].key == k) {
		free(in->attr[pos].v);
		in->attr[pos].v = nv;
		in->attr[pos].n = n;
		return 0;
	}
	if ((a = spu_realloc(in->attr, in->nattr + 1, sizeof(*a))) == NULL) {
		free(nv);
		return SPU_ENOMEM;
	}
	memmove(a + pos + 1, a + pos, (in->nattr - pos) * sizeof(*a));
	a[pos].key = k;
	a[pos].n = n;
	a[pos].v = nv;
	in->attr = a;
	in->nattr++;
	return 0;
}

void
pass_attr_del(struct spu_insn *in, enum spu_attr_key k)
{
	for (uint32_t pos = 0; pos < in->nattr; pos++)
		if (in->attr[pos].key == k) {
			free(in->attr[pos].v);
			memmove(in->attr + pos, in->attr + pos + 1,
			    (in->nattr - pos - 1) * sizeof(*in->attr));
			in->nattr--;
			return;
		}
}

const struct spu_insn *
pass_func_def(const struct spu_func *fn, uint32_t s)
{
	for (uint32_t i = 0; i < fn->ninsns; i++)
		for (uint32_t k = 0; k < fn->insns[i].nout; k++)
			if (fn->insns[i].out[k] == s)
				return &fn->insns[i];
	return NULL;
}

int
pass_func_param(const struct spu_func *fn, uint32_t s)
{
	const struct spu_insn *d = pass_func_def(fn, s);
	const struct spu_attr *a;

	if (d == NULL || d->op != SPU_OP_PARAM ||
	    (a = spu_insn_attr(d, SPU_ATTR_INDEX)) == NULL || a->n != 1)
		return -1;
	return (int)a->v[0];
}

int
pass_region_binop(const struct spu_program *p, uint32_t f, enum spu_op op)
{
	const struct spu_func *fn;
	const struct spu_insn *d;

	if (f >= p->nfuncs || (fn = &p->funcs[f])->nparams != 2 ||
	    fn->nouts != 1 || (d = pass_func_def(fn, fn->outs[0])) == NULL ||
	    d->op != op || d->nin != 2)
		return 0;
	return pass_func_param(fn, d->in[0]) == 0 &&
	    pass_func_param(fn, d->in[1]) == 1;
}

/* Make room for slot numbers below n. */
static int
grow_slots(struct rw *r, uint32_t n)
{
	uint32_t cap = r->capslots, *def, *ren, *uses;

	if (n <= cap)
		return 0;
	while (cap < n)
		cap = cap < 64 ? 64 : cap * 2;
	def = spu_realloc(r->def, cap, sizeof(*def));
	if (def != NULL)
		r->def = def;
	ren = spu_realloc(r->ren, cap, sizeof(*ren));
	if (ren != NULL)
		r->ren = ren;
	uses = spu_realloc(r->uses, cap, sizeof(*uses));
	if (uses != NULL)
		r->uses = uses;
	if (def == NULL || ren == NULL || uses == NULL)
		return SPU_ENOMEM;
	for (uint32_t k = r->capslots; k < cap; k++) {
		r->def[k] = 0;
		r->ren[k] = k;
		r->uses[k] = 0;
	}
	r->capslots = cap;
	return 0;
}

int
rw_begin(struct rw *r, struct spu_program *p, uint32_t f, struct spu_diag *d)
{
	struct spu_func *fn = &p->funcs[f];

	memset(r, 0, sizeof(*r));
	r->p = p;
	r->f = f;
	r->d = d;
	r->old = fn->insns;
	r->nold = fn->ninsns;
	r->nslots = fn->nslots;
	fn->insns = NULL;
	fn->ninsns = 0;
	r->capout = r->nold + 16;
	if ((r->out = spu_calloc(r->capout, sizeof(*r->out))) == NULL ||
	    grow_slots(r, r->nslots + 1) != 0) {
		rw_nomem(r);
		return r->err;
	}
	for (uint32_t i = 0; i < r->nold; i++)
		for (uint32_t k = 0; k < r->old[i].nin; k++)
			if (r->old[i].in[k] < r->nslots)
				r->uses[r->old[i].in[k]]++;
	for (uint32_t k = 0; k < fn->nouts; k++)
		if (fn->outs[k] < r->nslots)
			r->uses[fn->outs[k]]++;
	return 0;
}

void
rw_take(struct rw *r, uint32_t i, struct spu_insn *in)
{
	*in = r->old[i];
	memset(&r->old[i], 0, sizeof(r->old[i]));
	r->old[i].op = SPU_OP_COUNT;	/* taken */
	for (uint32_t k = 0; k < in->nin; k++)
		if (in->in[k] < r->nslots)
			in->in[k] = r->ren[in->in[k]];
}

void
rw_keep(struct rw *r, struct spu_insn *in)
{
	if (r->nout == r->capout) {
		struct spu_insn *o = spu_realloc(r->out, r->capout * 2,
		    sizeof(*o));

		if (o == NULL) {
			rw_nomem(r);
			pass_insn_free(in);
			return;
		}
		r->out = o;
		r->capout *= 2;
	}
	for (uint32_t k = 0; k < in->nout; k++)
		if (in->out[k] < r->nslots)
			r->def[in->out[k]] = r->nout + 1;
	r->out[r->nout++] = *in;
	memset(in, 0, sizeof(*in));
}

void
rw_alias(struct rw *r, struct spu_insn *in, uint32_t s)
{
	if (in->nout >= 1 && in->out[0] < r->nslots && s < r->nslots)
		r->ren[in->out[0]] = s;
	pass_insn_free(in);
	r->changed = 1;
}

int
rw_end(struct rw *r)
{
	struct spu_func *fn = &r->p->funcs[r->f];

	if (r->out == NULL || r->ren == NULL) {	/* rw_begin failed */
		fn->insns = r->old;
		fn->ninsns = r->nold;
		free(r->out);
		free(r->def);
		free(r->ren);
		free(r->uses);
		r->old = r->out = NULL;
		r->def = r->ren = r->uses = NULL;
		return r->err;
	}
	/* after an error: keep what was not reached, renamed */
	for (uint32_t i = 0; i < r->nold; i++) {
		struct spu_insn in;

		if (r->old[i].op == SPU_OP_COUNT)
			continue;
		rw_take(r, i, &in);
		rw_keep(r, &in);
	}
	free(r->old);
	r->old = NULL;
	fn->insns = r->out;
	fn->ninsns = r->nout;
	fn->nslots = r->nslots;
	for (uint32_t k = 0; k < fn->nouts; k++)
		if (fn->outs[k] < r->nslots)
			fn->outs[k] = r->ren[fn->outs[k]];
	free(r->def);
	free(r->ren);
	free(r->uses);
	r->out = NULL;
	r->def = r->ren = r->uses = NULL;
	return r->err;
}

const struct spu_insn *
rw_def(const struct rw *r, uint32_t s)
{
	if (s >= r->nslots || r->def[s] == 0)
		return NULL;
	return &r->out[r->def[s] - 1];
}

const struct spu_type *
rw_type(const struct rw *r, uint32_t s)
{
	const struct spu_insn *in = rw_def(r, s);

	if (in == NULL)
		return NULL;
	for (uint32_t k = 0; k < in->nout; k++)
		if (in->out[k] == s)
			return &in->type[k];
	return NULL;
}

uint32_t
rw_new_slot(struct rw *r)
{
	if (r->err != 0 || grow_slots(r, r->nslots + 2) != 0) {
		rw_nomem(r);
		return UINT32_MAX;
	}
	return r->nslots++;
}

void
rw_rename(struct rw *r, uint32_t from, uint32_t to)
{
	if (from < r->nslots && to < r->nslots) {
		r->ren[from] = to;
		r->changed = 1;
	}
}

uint32_t
rw_uses(const struct rw *r, uint32_t s)
{
	return s < r->nslots ? r->uses[s] : 0;
}

uint32_t
rw_emit(struct rw *r, enum spu_op op, const uint32_t *in, uint32_t nin,
    const struct spu_type *t, const struct spu_insn *src)
{
	struct spu_insn x;
	uint32_t s;

	if (r->err != 0)
		return UINT32_MAX;
	for (uint32_t k = 0; k < nin; k++)
		if (in[k] >= r->nslots)
			return UINT32_MAX;
	memset(&x, 0, sizeof(x));
	if (src != NULL && src->nattr > 0) {
		struct spu_insn tmp = *src;

		/* copy only the attributes */
		tmp.nin = tmp.nout = tmp.nfunc = 0;
		tmp.in = tmp.out = tmp.func = NULL;
		tmp.type = NULL;
		tmp.lit_f = NULL;
		tmp.lit_i = NULL;
		tmp.op = SPU_OP_ADD;
		if (pass_insn_copy(&x, &tmp) != 0) {
			rw_nomem(r);
			return UINT32_MAX;
		}
		x.line = src->line;
	}
	x.op = op;
	x.nin = nin;
	x.nout = 1;
	s = r->nslots;
	if (grow_slots(r, s + 2) != 0 ||
	    (nin > 0 && (x.in = spu_malloc(nin, sizeof(*x.in))) == NULL) ||
	    (x.out = spu_malloc(1, sizeof(*x.out))) == NULL ||
	    (x.type = spu_malloc(1, sizeof(*x.type))) == NULL) {
		pass_insn_free(&x);
		rw_nomem(r);
		return UINT32_MAX;
	}
	if (nin > 0)
		memcpy(x.in, in, nin * sizeof(*in));
	x.out[0] = s;
	x.type[0] = *t;
	r->nslots++;
	rw_keep(r, &x);
	r->changed = 1;
	return r->err == 0 ? s : UINT32_MAX;
}

uint32_t
rw_const(struct rw *r, enum spu_dtype dt, const struct spu_shape *s,
    double v)
{
	struct spu_type t = { dt, SPU_PUBLIC, { 0, { 0 } } };
	uint32_t c, slot;
	struct spu_insn *ci;
	int64_t one = 0;

	if ((c = rw_emit(r, SPU_OP_CONST, NULL, 0, &t, NULL)) == UINT32_MAX)
		return c;
	ci = &r->out[r->nout - 1];
	if (spu_dtype_is_float(dt)) {
		if ((ci->lit_f = spu_malloc(1, sizeof(double))) != NULL)
			ci->lit_f[0] = v;
	} else {
		if ((ci->lit_i = spu_malloc(1, sizeof(int64_t))) != NULL)
			ci->lit_i[0] = dt == SPU_PRED ? v != 0 : (int64_t)v;
	}
	if (ci->lit_f == NULL && ci->lit_i == NULL) {
		rw_nomem(r);
		return UINT32_MAX;
	}
	if (s->ndim == 0)
		return c;
	t.shape = *s;
	slot = rw_emit(r, SPU_OP_BROADCAST, &c, 1, &t, NULL);
	if (slot != UINT32_MAX && pass_attr_set(&r->out[r->nout - 1],
	    SPU_ATTR_DIMS, &one, 0) != 0) {
		rw_nomem(r);
		return UINT32_MAX;
	}
	return slot;
}

static int
is_layout(enum spu_op op)
{
	return op == SPU_OP_BROADCAST || op == SPU_OP_RESHAPE ||
	    op == SPU_OP_TRANSPOSE;
}

const struct spu_insn *
rw_const_root(const struct rw *r, uint32_t s)
{
	for (int depth = 0; depth < 64; depth++) {
		const struct spu_insn *in = rw_def(r, s);

		if (in == NULL || in->nout != 1)
			return NULL;
		if (in->op == SPU_OP_CONST)
			return (in->lit_f != NULL || in->lit_i != NULL) ?
			    in : NULL;
		if (!is_layout(in->op) || in->nin != 1)
			return NULL;
		s = in->in[0];
	}
	return NULL;
}

double
rw_lit(const struct spu_insn *c, size_t k)
{
	if (c->lit_f != NULL)
		return c->lit_f[k];
	if (c->type[0].dtype == SPU_U64)
		return (double)(uint64_t)c->lit_i[k];
	return (double)c->lit_i[k];
}

int
rw_const_uniform(const struct rw *r, uint32_t s, double *v)
{
	const struct spu_insn *c = rw_const_root(r, s);
	size_t n;

	if (c == NULL || (n = lit_count(c)) == 0)
		return 0;
	*v = rw_lit(c, 0);
	for (size_t k = 1; k < n; k++)
		if (rw_lit(c, k) != *v)
			return 0;
	return *v == *v;	/* not NaN */
}

int
rw_is_const(const struct rw *r, uint32_t s, double v)
{
	double x;

	return rw_const_uniform(r, s, &x) && x == v;
}

uint32_t
rw_map_const(struct rw *r, uint32_t s, enum spu_dtype dt,
    double (*fn)(double))
{
	const struct spu_insn *in = rw_def(r, s);
	struct spu_insn src;
	struct spu_type t;
	uint32_t x, res;
	size_t n;

	if (in == NULL || in->nout != 1 || r->err != 0)
		return UINT32_MAX;
	t = in->type[0];
	t.dtype = dt;
	if (in->op == SPU_OP_CONST) {
		struct spu_insn *ci;
		const struct spu_insn *old;
		uint32_t oi = r->def[s] - 1;

		n = lit_count(in);
		if ((res = rw_emit(r, SPU_OP_CONST, NULL, 0, &t, NULL)) ==
		    UINT32_MAX)
			return res;
		ci = &r->out[r->nout - 1];
		old = &r->out[oi];
		if (n == 0)
			return res;
		if (spu_dtype_is_float(dt))
			ci->lit_f = spu_malloc(n, sizeof(double));
		else
			ci->lit_i = spu_malloc(n, sizeof(int64_t));
		if (ci->lit_f == NULL && ci->lit_i == NULL) {
			rw_nomem(r);
			return UINT32_MAX;
		}
		for (size_t k = 0; k < n; k++) {
			double v = fn(rw_lit(old, k));

			if (ci->lit_f != NULL)
				ci->lit_f[k] = v;
			else
				ci->lit_i[k] = dt == SPU_PRED ? v != 0 :
				    (int64_t)v;
		}
		return res;
	}
	if (!is_layout(in->op) || in->nin != 1)
		return UINT32_MAX;
	src = *in;		/* attributes only; in may move */
	src.attr = NULL;
	if (pass_insn_copy(&src, in) != 0) {
		rw_nomem(r);
		return UINT32_MAX;
	}
	x = rw_map_const(r, src.in[0], dt, fn);
	res = x == UINT32_MAX ? x : rw_emit(r, src.op, &x, 1, &t, &src);
	pass_insn_free(&src);
	return res;
}

int
pass_each_func_ctx(struct spu_program *p, struct spu_diag *d,
    void (*fn)(struct rw *r), void *ctx)
{
	for (uint32_t f = 0; f < p->nfuncs; f++) {
		struct rw r;
		int err;

		if (rw_begin(&r, p, f, d) != 0) {
			rw_end(&r);
			return r.err;
		}
		r.ctx = ctx;
		fn(&r);
		if ((err = rw_end(&r)) != 0)
			return err;
	}
	return 0;
}

int
pass_each_func(struct spu_program *p, struct spu_diag *d,
    void (*fn)(struct rw *r))
{
	return pass_each_func_ctx(p, d, fn, NULL);
}

/* Attribute k is absent from both a and b, or equal in both. */
int
pass_attr_same(const struct spu_insn *a, const struct spu_insn *b,
    enum spu_attr_key k)
{
	const struct spu_attr *x = spu_insn_attr(a, k);
	const struct spu_attr *y = spu_insn_attr(b, k);

	if (x == NULL || y == NULL)
		return x == y;
	return x->n == y->n &&
	    (x->n == 0 || memcmp(x->v, y->v, x->n * sizeof(int64_t)) == 0);
}
