/*
 * eval.c - the cleartext evaluator's walk over a program: binding the
 * inputs, running a function's instructions in order over its SSA slots,
 * calls into other functions, and the control flow ops (WHILE, COND,
 * CALL, MAP) plus PARAM, CONST and REVEAL.  Every other op is handed to
 * its family (elementwise.c, shape.c, index.c, reduce.c, conv.c,
 * sort.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clear_int.h"
#include "mem.h"

#define SMALL_SLOTS 32
#define SMALL_IO 8

static int run_insn(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *args, uint32_t nargs, struct clear_val *const *a,
    struct clear_val **r);

/* Hand result k over as the declared type: dtype coerced, shape checked. */
static int
fit_result(struct clear_ctx *cx, const struct spu_insn *in, uint32_t k,
    struct clear_val *v, struct clear_val **out)
{
	char what[32];
	int err;

	snprintf(what, sizeof(what), "result %u", k);
	if ((err = clear_check_shape(cx, &in->type[k].shape, &v->shape,
	    what)) != 0)
		return err;
	return clear_coerce(cx, v, in->type[k].dtype, out);
}

/* Per slot of function f, the index of the last instruction reading it
 * (UINT32_MAX for the results and unread slots), computed once. */
static const uint32_t *
last_use(struct clear_ctx *cx, uint32_t f)
{
	const struct spu_func *fn = &cx->p->funcs[f];
	uint32_t *u;

	if (cx->lastuse == NULL)
		return NULL;
	if (cx->lastuse[f] != NULL)
		return cx->lastuse[f];
	if ((u = malloc((fn->nslots ? fn->nslots : 1) * sizeof(*u))) == NULL)
		return NULL;
	for (uint32_t s = 0; s < fn->nslots; s++)
		u[s] = UINT32_MAX;
	for (uint32_t pc = 0; pc < fn->ninsns; pc++)
		for (uint32_t k = 0; k < fn->insns[pc].nin; k++)
			if (fn->insns[pc].in[k] < fn->nslots)
				u[fn->insns[pc].in[k]] = pc;
	for (uint32_t k = 0; k < fn->nouts; k++)
		if (fn->outs[k] < fn->nslots)
			u[fn->outs[k]] = UINT32_MAX;
	cx->lastuse[f] = u;
	return u;
}

int
clear_call(struct clear_ctx *cx, uint32_t f, struct clear_val *const *args,
    uint32_t nargs, struct clear_val **outs, uint32_t nouts)
{
	const struct spu_func *fn;
	struct clear_val *sslot[SMALL_SLOTS], *sa[SMALL_IO], *sr[SMALL_IO];
	struct clear_val **slot = NULL, **a = NULL, **r = NULL;
	uint32_t save_fn = cx->fn, save_pc = cx->pc, maxin = 1, maxout = 1;
	const uint32_t *lu;
	int err = 0;

	if (f >= cx->p->nfuncs)
		return clear_fail(cx, SPU_EFORMAT, "calls function @%u, "
		    "which does not exist", f);
	fn = &cx->p->funcs[f];
	if (fn->nparams != nargs || fn->nouts != nouts)
		return clear_fail(cx, SPU_EFORMAT, "function %s takes %u "
		    "arguments and returns %u values; called with %u, "
		    "expecting %u", fn->name ? fn->name : "?", fn->nparams,
		    fn->nouts, nargs, nouts);
	if (cx->depth >= SPU_CLEAR_MAX_DEPTH)
		return clear_fail(cx, SPU_ELIMIT, "calls nested deeper than "
		    "%d (recursion?)", SPU_CLEAR_MAX_DEPTH);
	if (cx->maxio != NULL) {
		maxin = cx->maxio[2 * f];
		maxout = cx->maxio[2 * f + 1];
	}
	/* small functions (reducers, comparators) run without malloc */
	if (fn->nslots <= SMALL_SLOTS && maxin <= SMALL_IO &&
	    maxout <= SMALL_IO) {
		memset(sslot, 0, fn->nslots * sizeof(*slot));
		slot = sslot;
		a = sa;
		r = sr;
	} else {
		slot = calloc(fn->nslots ? fn->nslots : 1, sizeof(*slot));
		a = calloc(maxin, sizeof(*a));
		r = calloc(maxout, sizeof(*r));
	}
	if (slot == NULL || a == NULL || r == NULL) {
		err = clear_fail(cx, SPU_ENOMEM, "out of memory");
		goto out;
	}
	lu = last_use(cx, f);	/* NULL: keep every value to the end */
	cx->depth++;
	cx->fn = f;
	for (uint32_t pc = 0; pc < fn->ninsns; pc++) {
		const struct spu_insn *in = &fn->insns[pc];

		cx->pc = pc;
		for (uint32_t k = 0; k < in->nin; k++) {
			if (in->in[k] >= fn->nslots || slot[in->in[k]] == NULL) {
				err = clear_fail(cx, SPU_EFORMAT, "operand %u "
				    "reads an undefined slot", k);
				goto done;
			}
			a[k] = slot[in->in[k]];
		}
		memset(r, 0, in->nout * sizeof(*r));
		err = run_insn(cx, in, args, nargs, a, r);
		for (uint32_t k = 0; k < in->nout; k++) {
			struct clear_val *v = NULL;

			if (err == 0 && r[k] == NULL)
				err = clear_fail(cx, SPU_EFORMAT,
				    "internal: result %u not produced", k);
			if (err == 0)
				err = fit_result(cx, in, k, r[k], &v);
			clear_val_unref(r[k]);
			r[k] = NULL;
			if (err == 0 && (in->out[k] >= fn->nslots ||
			    slot[in->out[k]] != NULL)) {
				clear_val_unref(v);
				err = clear_fail(cx, SPU_EFORMAT, "result "
				    "slot %u out of range or written twice",
				    in->out[k]);
			}
			if (err == 0)
				slot[in->out[k]] = v;
		}
		if (err != 0)
			goto done;
		/* drop values no later instruction reads */
		for (uint32_t k = 0; lu != NULL && k < in->nin; k++)
			if (lu[in->in[k]] == pc) {
				clear_val_unref(slot[in->in[k]]);
				slot[in->in[k]] = NULL;
			}
	}
	cx->fn = f;
	cx->pc = UINT32_MAX;
	for (uint32_t k = 0; k < nouts; k++) {
		if (fn->outs[k] >= fn->nslots || slot[fn->outs[k]] == NULL) {
			err = clear_fail(cx, SPU_EFORMAT, "returns an undefined "
			    "slot");
			for (uint32_t j = 0; j < k; j++) {
				clear_val_unref(outs[j]);
				outs[j] = NULL;
			}
			goto done;
		}
		outs[k] = clear_val_ref(slot[fn->outs[k]]);
	}
done:
	cx->depth--;
	for (uint32_t s = 0; s < fn->nslots; s++)
		clear_val_unref(slot[s]);
out:
	if (slot != sslot) {
		free(slot);
		free(a);
		free(r);
	}
	cx->fn = save_fn;	/* any message is already written */
	cx->pc = save_pc;
	return err;
}

int
clear_call_scalars(struct clear_ctx *cx, uint32_t f,
    const enum spu_dtype *at, const union clear_elem *av, uint32_t nargs,
    const enum spu_dtype *rt, union clear_elem *rv, uint32_t nres)
{
	struct clear_val *args[2 * CLEAR_MAX_VARIADIC];
	struct clear_val *res[2 * CLEAR_MAX_VARIADIC];
	struct spu_shape scalar;
	uint32_t made = 0;
	int err = 0;

	if (nargs > 2 * CLEAR_MAX_VARIADIC || nres > 2 * CLEAR_MAX_VARIADIC)
		return clear_fail(cx, SPU_ELIMIT, "too many values for a "
		    "called function");
	memset(&scalar, 0, sizeof(scalar));
	args[0] = NULL;
	for (; made < nargs; made++) {
		if ((args[made] = clear_val_new(at[made], &scalar)) == NULL) {
			err = clear_fail(cx, SPU_ENOMEM, "out of memory");
			goto out;
		}
		args[made]->e[0] = av[made];
	}
	if ((err = clear_call(cx, f, args, nargs, res, nres)) != 0)
		goto out;
	for (uint32_t k = 0; k < nres; k++) {
		if (err == 0 && res[k]->n != 1)
			err = clear_fail(cx, SPU_ESHAPE, "called function @%u "
			    "returns a non-scalar as result %u", f, k);
		if (err == 0 && clear_isf(res[k]->dtype) != clear_isf(rt[k]))
			err = clear_fail(cx, SPU_ESHAPE, "called function @%u "
			    "returns %s, expected %s", f,
			    spu_dtype_name(res[k]->dtype),
			    spu_dtype_name(rt[k]));
		if (err == 0)
			rv[k] = clear_convert(rt[k], res[k]->dtype,
			    res[k]->e[0]);
		clear_val_unref(res[k]);
	}
out:
	for (uint32_t k = 0; k < made; k++)
		clear_val_unref(args[k]);
	return err;
}

/* A scalar pred or integer that picks a path. */
static int
scalar_int(struct clear_ctx *cx, const struct clear_val *v, const char *what,
    int64_t *x)
{
	if (v->n != 1 || v->shape.ndim != 0 || clear_isf(v->dtype))
		return clear_fail(cx, SPU_ESHAPE, "%s must be a pred or "
		    "integer scalar", what);
	*x = clear_get_index(v, 0);
	return 0;
}

static int
op_while(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	struct clear_val **st, **nx, *c = NULL;
	uint32_t n = in->nin;
	uint64_t iters = 0;
	int64_t go;
	int err = 0;

	if (in->nfunc != 2 || in->nout != n)
		return clear_fail(cx, SPU_EFORMAT, "needs a condition and a "
		    "body function and as many results as operands");
	st = calloc(n ? n : 1, sizeof(*st));
	nx = calloc(n ? n : 1, sizeof(*nx));
	if (st == NULL || nx == NULL) {
		err = clear_fail(cx, SPU_ENOMEM, "out of memory");
		goto out;
	}
	for (uint32_t k = 0; k < n; k++)
		st[k] = clear_val_ref(a[k]);
	for (;;) {
		if ((err = clear_call(cx, in->func[0], st, n, &c, 1)) != 0)
			goto out;
		err = scalar_int(cx, c, "the loop condition", &go);
		clear_val_unref(c);
		if (err != 0 || !go)
			break;
		if (++iters > cx->max_iters) {
			err = clear_fail(cx, SPU_ELIMIT, "loop ran more than "
			    "%llu iterations",
			    (unsigned long long)cx->max_iters);
			goto out;
		}
		if ((err = clear_call(cx, in->func[1], st, n, nx, n)) != 0)
			goto out;
		for (uint32_t k = 0; k < n; k++) {
			clear_val_unref(st[k]);
			st[k] = nx[k];
			nx[k] = NULL;
		}
	}
	if (err == 0)
		for (uint32_t k = 0; k < n; k++) {
			r[k] = st[k];
			st[k] = NULL;
		}
out:
	for (uint32_t k = 0; st != NULL && k < n; k++)
		clear_val_unref(st[k]);
	free(st);
	free(nx);
	return err;
}

/*
 * COND(p, args..): a pred p picks funcs[0] when true, funcs[1] when false;
 * an integer index picks funcs[i], out-of-range indices the last branch
 * (XLA).  A branch that takes as many parameters as there are args gets
 * them all; otherwise, when the branches' parameter counts add up to the
 * number of args, branch i gets its own run of them, in order.
 */
static int
op_cond(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	const struct spu_program *p = cx->p;
	uint32_t nargs = in->nin - 1, b, first = 0;
	uint64_t sum = 0;
	int64_t x;
	int err;

	if (in->nfunc == 0)
		return clear_fail(cx, SPU_EFORMAT, "needs branch functions");
	if ((err = scalar_int(cx, a[0], "the branch selector", &x)) != 0)
		return err;
	if (a[0]->dtype == SPU_PRED) {
		if (in->nfunc != 2)
			return clear_fail(cx, SPU_EFORMAT, "a pred selector "
			    "needs two branches, has %u", in->nfunc);
		b = x ? 0 : 1;
	} else {
		b = x < 0 || x >= (int64_t)in->nfunc ? in->nfunc - 1 :
		    (uint32_t)x;
	}
	for (uint32_t i = 0; i < in->nfunc; i++) {
		if (in->func[i] >= p->nfuncs)
			return clear_fail(cx, SPU_EFORMAT, "branch %u does "
			    "not exist", i);
		sum += p->funcs[in->func[i]].nparams;
		if (i < b)
			first += p->funcs[in->func[i]].nparams;
	}
	if (p->funcs[in->func[b]].nparams == nargs)
		first = 0;
	else if (sum != nargs)
		return clear_fail(cx, SPU_EFORMAT, "branch %u takes %u "
		    "arguments, cond passes %u", b,
		    p->funcs[in->func[b]].nparams, nargs);
	return clear_call(cx, in->func[b], a + 1 + first,
	    p->funcs[in->func[b]].nparams, r, in->nout);
}

static int
op_map(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *a, struct clear_val **r)
{
	enum spu_dtype at[CLEAR_MAX_VARIADIC];
	union clear_elem av[CLEAR_MAX_VARIADIC];
	int err;

	if (in->nfunc != 1 || in->nout != 1 || in->nin > CLEAR_MAX_VARIADIC)
		return clear_fail(cx, SPU_EFORMAT, "needs one function, one "
		    "result and at most %d operands", CLEAR_MAX_VARIADIC);
	for (uint32_t k = 0; k < in->nin; k++) {
		if ((err = clear_check_shape(cx, &in->type[0].shape,
		    &a[k]->shape, "an operand")) != 0)
			return err;
		at[k] = a[k]->dtype;
	}
	if ((err = clear_result(cx, in, 0, &r[0])) != 0)
		return err;
	for (size_t i = 0; i < r[0]->n; i++) {
		for (uint32_t k = 0; k < in->nin; k++)
			av[k] = a[k]->e[i];
		if ((err = clear_call_scalars(cx, in->func[0], at, av, in->nin,
		    &r[0]->dtype, &r[0]->e[i], 1)) != 0)
			return err;
	}
	return 0;
}

static int
op_const(struct clear_ctx *cx, const struct spu_insn *in, struct clear_val **r)
{
	struct clear_val *z;
	int err;

	if ((err = clear_result(cx, in, 0, &r[0])) != 0)
		return err;
	z = r[0];
	if (z->n > 0 && (clear_isf(z->dtype) ? in->lit_f == NULL :
	    in->lit_i == NULL))
		return clear_fail(cx, SPU_EFORMAT, "literal missing");
	for (size_t k = 0; k < z->n; k++) {
		if (clear_isf(z->dtype))
			z->e[k].f = in->lit_f[k];
		else
			z->e[k].i = clear_wrap(z->dtype, (uint64_t)in->lit_i[k]);
	}
	return 0;
}

static int
run_insn(struct clear_ctx *cx, const struct spu_insn *in,
    struct clear_val *const *args, uint32_t nargs, struct clear_val *const *a,
    struct clear_val **r)
{
	const struct spu_attr *at;

	switch (in->op) {
	case SPU_OP_PARAM:
		at = spu_insn_attr(in, SPU_ATTR_INDEX);
		if (in->nout != 1 || at == NULL || at->n != 1 ||
		    at->v[0] < 0 || at->v[0] >= (int64_t)nargs)
			return clear_fail(cx, SPU_EFORMAT, "parameter index "
			    "out of range");
		r[0] = clear_val_ref(args[at->v[0]]);
		return 0;
	case SPU_OP_CONST:
		return op_const(cx, in, r);
	case SPU_OP_REVEAL:
		r[0] = clear_val_ref(a[0]);
		return 0;
	case SPU_OP_WHILE:
		return op_while(cx, in, a, r);
	case SPU_OP_COND:
		return op_cond(cx, in, a, r);
	case SPU_OP_CALL:
		if (in->nfunc != 1)
			return clear_fail(cx, SPU_EFORMAT, "needs one function");
		return clear_call(cx, in->func[0], a, in->nin, r, in->nout);
	case SPU_OP_MAP:
		return op_map(cx, in, a, r);
	case SPU_OP_BROADCAST: case SPU_OP_RESHAPE: case SPU_OP_TRANSPOSE:
	case SPU_OP_SLICE: case SPU_OP_CONCAT: case SPU_OP_PAD:
	case SPU_OP_REVERSE: case SPU_OP_IOTA: case SPU_OP_DYN_SLICE:
	case SPU_OP_DYN_UPDATE_SLICE:
		return clear_op_shape(cx, in, a, r);
	case SPU_OP_GATHER: case SPU_OP_SCATTER:
		return clear_op_index(cx, in, a, r);
	case SPU_OP_REDUCE: case SPU_OP_REDUCE_WINDOW:
	case SPU_OP_SELECT_AND_SCATTER: case SPU_OP_ARGMAX_WINDOW:
	case SPU_OP_WINDOW_SCATTER:
		return clear_op_reduce(cx, in, a, r);
	case SPU_OP_MATMUL: case SPU_OP_CONV:
		return clear_op_contract(cx, in, a, r);
	case SPU_OP_SORT:
		return clear_op_sort(cx, in, a, r);
	case SPU_OP_TOPK:
		return clear_op_topk(cx, in, a, r);
	default:
		return clear_op_elementwise(cx, in, a, r);
	}
}

/* Input k as a value of the dtype its PARAM declares. */
static int
bind_input(struct clear_ctx *cx, const struct spu_func *fn, uint32_t k,
    const struct spu_tensor *t, struct clear_val **out)
{
	const struct spu_type *pt = NULL;
	struct clear_val *v;
	char a[160], b[160];

	for (uint32_t i = 0; i < fn->ninsns && pt == NULL; i++) {
		const struct spu_insn *in = &fn->insns[i];
		const struct spu_attr *at = spu_insn_attr(in, SPU_ATTR_INDEX);

		if (in->op == SPU_OP_PARAM && in->nout == 1 && at != NULL &&
		    at->n == 1 && at->v[0] == (int64_t)k)
			pt = &in->type[0];
	}
	if (t == NULL || t->data == NULL)
		return clear_fail(cx, SPU_EINVAL, "input %u is missing", k);
	if (pt != NULL && !spu_shape_eq(&pt->shape, &t->shape)) {
		spu_shape_format(a, sizeof(a), t->dtype, &t->shape);
		spu_shape_format(b, sizeof(b), pt->dtype, &pt->shape);
		return clear_fail(cx, SPU_ESHAPE, "input %u is %s, the "
		    "program wants %s", k, a, b);
	}
	v = clear_val_new(pt != NULL ? pt->dtype : spu_dtype_is_float(
	    t->dtype) ? SPU_F64 : t->dtype, &t->shape);
	if (v == NULL)
		return clear_fail(cx, SPU_ENOMEM, "input %u: out of memory", k);
	if (v->n != t->n) {
		clear_val_unref(v);
		return clear_fail(cx, SPU_EINVAL, "input %u: element count "
		    "disagrees with its shape", k);
	}
	for (size_t i = 0; i < v->n; i++) {
		union clear_elem x;

		if (spu_dtype_is_float(t->dtype)) {
			x.f = spu_tensor_get_f64(t, i);
			v->e[i] = clear_convert(v->dtype, SPU_F64, x);
		} else {
			x.i = spu_tensor_get_i64(t, i);
			v->e[i] = clear_convert(v->dtype, t->dtype, x);
		}
	}
	*out = v;
	return 0;
}

static struct spu_tensor *
to_tensor(const struct clear_val *v)
{
	struct spu_tensor *t;

	t = spu_tensor_new(clear_isf(v->dtype) ? SPU_F64 : v->dtype,
	    &v->shape);
	if (t == NULL)
		return NULL;
	for (size_t i = 0; i < v->n; i++) {
		if (clear_isf(v->dtype))
			spu_tensor_set_f64(t, i, v->e[i].f);
		else
			spu_tensor_set_i64(t, i, v->e[i].i);
	}
	return t;
}

int
spu_clear_run(const struct spu_program *p, struct spu_tensor *const *in,
    size_t nin, struct spu_tensor ***out, size_t *nout, struct spu_diag *d)
{
	return spu_clear_run_opts(p, in, nin, NULL, out, nout, d);
}

/* Most operands and results of any instruction, per function. */
static uint32_t *
io_sizes(const struct spu_program *p)
{
	uint32_t *m = calloc(2 * (size_t)p->nfuncs, sizeof(*m));

	for (uint32_t f = 0; m != NULL && f < p->nfuncs; f++) {
		const struct spu_func *fn = &p->funcs[f];

		m[2 * f] = m[2 * f + 1] = 1;
		for (uint32_t i = 0; i < fn->ninsns; i++) {
			if (fn->insns[i].nin > m[2 * f])
				m[2 * f] = fn->insns[i].nin;
			if (fn->insns[i].nout > m[2 * f + 1])
				m[2 * f + 1] = fn->insns[i].nout;
		}
	}
	return m;
}

int
spu_clear_run_opts(const struct spu_program *p,
    struct spu_tensor *const *in, size_t nin, const struct spu_clear_opts *o,
    struct spu_tensor ***out, size_t *nout, struct spu_diag *d)
{
	struct clear_ctx cx;
	const struct spu_func *fn;
	struct clear_val **args = NULL, **res = NULL;
	struct spu_tensor **t = NULL;
	uint32_t nres = 0;
	int err;

	*out = NULL;
	*nout = 0;
	if (p == NULL)
		return spu_fail(d, SPU_EINVAL, "no program");
	if ((err = spu_bc_verify(p, d)) != 0)
		return err;
	memset(&cx, 0, sizeof(cx));
	cx.p = p;
	cx.d = d;
	cx.fn = p->entry;
	cx.pc = UINT32_MAX;
	cx.max_iters = o != NULL && o->max_iters ? o->max_iters :
	    SPU_CLEAR_MAX_ITERS;
	fn = &p->funcs[p->entry];
	if (nin != fn->nparams)
		return clear_fail(&cx, SPU_EINVAL, "takes %u inputs, %zu "
		    "given", fn->nparams, nin);
	nres = fn->nouts;
	args = calloc(nin ? nin : 1, sizeof(*args));
	res = calloc(nres ? nres : 1, sizeof(*res));
	t = calloc(nres ? nres : 1, sizeof(*t));
	cx.maxio = io_sizes(p);
	cx.lastuse = calloc(p->nfuncs, sizeof(*cx.lastuse));
	if (args == NULL || res == NULL || t == NULL || cx.maxio == NULL ||
	    cx.lastuse == NULL) {
		err = clear_fail(&cx, SPU_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < nin; k++)
		if ((err = bind_input(&cx, fn, (uint32_t)k, in[k],
		    &args[k])) != 0)
			goto out;
	if ((err = clear_call(&cx, p->entry, args, (uint32_t)nin, res,
	    nres)) != 0)
		goto out;
	for (uint32_t k = 0; k < nres; k++)
		if ((t[k] = to_tensor(res[k])) == NULL) {
			err = clear_fail(&cx, SPU_ENOMEM, "result %u: out of "
			    "memory", k);
			goto out;
		}
	*out = t;
	*nout = nres;
	t = NULL;
out:
	for (size_t k = 0; args != NULL && k < nin; k++)
		clear_val_unref(args[k]);
	for (uint32_t k = 0; res != NULL && k < nres; k++)
		clear_val_unref(res[k]);
	for (uint32_t k = 0; t != NULL && k < nres; k++)
		spu_tensor_free(t[k]);
	free(args);
	free(res);
	free(t);
	free(cx.maxio);
	for (uint32_t f = 0; cx.lastuse != NULL && f < p->nfuncs; f++)
		free(cx.lastuse[f]);
	free(cx.lastuse);
	return err;
}
