/*
 * vm.c - the bytecode interpreter.  One case per opcode; the arithmetic
 * lives in hal/, the protocols in mpc/.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fxp.h"
#include "hal/approx.h"
#include "hal/cmp.h"
#include "hal/hal.h"
#include "hal/index.h"
#include "hal/shape.h"
#include "mem.h"
#include "vm.h"
#include "vm_int.h"

#define NO_OWNER UINT32_MAX

struct frame {
	const struct spu_func *fn;
	size_t vec;		/* >0: scalars run as vectors of vec elements */
	struct spu_value **slot;
	uint32_t *last_use;	/* per slot: index of the last reading insn */
	unsigned char *borrowed;	/* per slot: shares it does not own */
	/* per borrowed slot: the slot owning its shares, NO_OWNER for the
	 * caller (alive for the whole call) */
	uint32_t *owner;
	int top;	/* the run's entry call: params are its inputs */
	/* per slot: read by two products (matmul, conv) or handed to a
	 * region, which may multiply it again and again: gets an id */
	unsigned char *reread;
	/* NULL, or the caller's args, which it frees after the call: a
	 * parameter read once takes its value (owned, freed at its last
	 * use) instead of a view */
	struct spu_value **give;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
insn_fail(struct spu_mpc *m, const struct spu_func *fn, uint32_t pc, int err)
{
	const struct spu_insn *in = &fn->insns[pc];
	char why[SPU_DIAG_MAX];

	/* keep the protocol's message as the cause */
	char where[64] = "";

	snprintf(why, sizeof(why), "%s", m->diag ? m->diag->msg : "");
	if (why[0] == '\0')
		snprintf(why, sizeof(why), "%s", spu_strerror(err));
	if (in->line)
		snprintf(where, sizeof(where), ", HLO line %u", in->line);
	return spu_fail(m->diag, err, "%s: instruction %u (%s%s): %s",
	    fn->name ? fn->name : "?", pc, spu_op_name(in->op), where, why);
}

static int
fail(struct spu_mpc *m, int err, const char *fmt, const char *arg)
{
	char msg[SPU_DIAG_MAX];

	snprintf(msg, sizeof(msg), fmt, arg);
	return spu_fail(m->diag, err, "%s", msg);
}

static int exec_func(struct spu_mpc *m, const struct spu_program *p,
    uint32_t fi, struct spu_value *const *args, size_t nargs,
    struct spu_value **outs, size_t vec);
static int run_func(struct spu_mpc *m, const struct spu_program *p,
    uint32_t fi, struct spu_value *const *args, size_t nargs,
    struct spu_value **outs, size_t vec, struct spu_value **give, int top);

/* Read a public scalar as an integer (loop conditions, branch indices). */
static int
public_scalar(struct spu_mpc *m, const struct spu_value *v, int64_t *out)
{
	if (v->vis != SPU_PUBLIC || v->n != 1)
		return fail(m, SPU_EUNSUPP, "%s", "control flow on a secret "
		    "value needs --reveal-secret-conditions at compile time");
	*out = (int64_t)spu_ring_get_signed(m->field, v->share[0], 0);
	if (spu_dtype_is_float(v->dtype))
		*out >>= m->fxp;
	return 0;
}

static int store(struct spu_mpc *m, struct frame *fr,
    const struct spu_insn *in, uint32_t o, struct spu_value *z);

/* Operand i of op takes a predicate as a boolean sharing (hal/cmp_xor.c);
 * every other operand gets the arithmetic 0/1, converted once in place. */
static int
takes_xor(enum spu_op op, uint32_t i)
{
	return i == 0 && (op == SPU_OP_SELECT || op == SPU_OP_NOT);
}

/*
 * MUL at pc whose factor is a boolean-shared predicate used for the last
 * time and the other a secret: the bit times the other factor (aby3: 2
 * rounds) beats B2A and a product (3); with later uses, one B2A serves
 * them all.  1: not such a product, else the result of doing it.
 */
static int
mul_xor(struct spu_mpc *m, struct frame *fr, const struct spu_insn *in,
    uint32_t pc)
{
	struct spu_value *z;
	int rc;

	if (in->nin != 2 || in->in[0] == in->in[1])
		return 1;
	for (uint32_t i = 0; i < 2; i++) {
		struct spu_value *b = fr->slot[in->in[i]];
		struct spu_value *x = fr->slot[in->in[1 - i]];
		if (b == NULL || x == NULL || !b->xor_shared ||
		    fr->last_use[in->in[i]] != pc || x->vis != SPU_SECRET ||
		    x->xor_shared || x->n != b->n)
			continue;
		if ((rc = spu_hal_mul_x(m, b, x, &z)) != 0)
			return rc;
		z->dtype = in->type[0].dtype;
		return store(m, fr, in, 0, z);
	}
	return 1;
}

/* An id for a computed value products may read again: above the inputs'
 * (their parameter index + 1), the same on every party. */
static uint64_t
fresh_id(struct spu_mpc *m)
{
	return ((uint64_t)1 << 32) + ++m->value_ids;
}

/*
 * Keep view z (shares it does not own, of the slot root or the caller's)
 * as result 0 of in, if the program's type takes it as it is and root
 * outlives the result.  1: it does not (z is left to the caller).
 */
static int
keep_view(struct spu_mpc *m, struct frame *fr, const struct spu_insn *in,
    struct spu_value *z, uint32_t root)
{
	const struct spu_type *t = &in->type[0];
	uint32_t o = in->out[0];

	if (!spu_vm_shape_ok(&t->shape, &z->shape, fr->vec) ||
	    t->vis != z->vis || fr->last_use[o] == UINT32_MAX ||
	    (root != NO_OWNER && fr->last_use[root] < fr->last_use[o]))
		return 1;
	z->dtype = t->dtype;
	if (fr->reread[o] && z->vis == SPU_SECRET)
		z->input_id = fresh_id(m);
	fr->slot[o] = z;
	fr->borrowed[o] = 1;
	fr->owner[o] = root;
	return 0;
}

/*
 * RESHAPE of a value read for the last time: the result takes its
 * buffers, or its view of someone else's (a slice of a batch reshaped
 * for a product would otherwise copy it).  1: not such a reshape.
 */
static int
reshape_move(struct spu_mpc *m, struct frame *fr, const struct spu_insn *in,
    uint32_t pc)
{
	uint32_t s = in->in[0];
	struct spu_value *x = fr->slot[s];
	struct spu_shape old;
	uint64_t id;

	if (in->nin != 1 || fr->vec > 0 || x == NULL ||
	    fr->last_use[s] != pc ||
	    spu_shape_numel(&in->type[0].shape) != (int64_t)x->n)
		return 1;
	old = x->shape;
	id = x->input_id;
	x->shape = in->type[0].shape;
	x->input_id = 0;	/* ids name values as they came */
	if (!fr->borrowed[s]) {
		fr->slot[s] = NULL;
		return store(m, fr, in, 0, x);
	}
	if (keep_view(m, fr, in, x, fr->owner[s]) != 0) {
		x->shape = old;
		x->input_id = id;
		return 1;
	}
	fr->slot[s] = NULL;
	fr->borrowed[s] = 0;
	return 0;
}

/*
 * SLICE, or DYN_SLICE at public starts, that is one contiguous run of
 * its operand (a batch of a dataset, a block of rows): the result is a
 * view of the operand's buffers, kept while their owner lives.  1: not
 * such a slice.
 */
static int
slice_view(struct spu_mpc *m, struct frame *fr, const struct spu_insn *in,
    struct spu_value *const *ops)
{
	struct spu_value *x = ops[0], *z = NULL;
	uint32_t s = in->in[0], r = x ? (uint32_t)x->shape.ndim : 0;
	int rc;

	if (x == NULL || fr->vec > 0 || x->xor_shared)
		return 1;
	if (in->op == SPU_OP_SLICE) {
		const int64_t *lo = spu_vm_attr(in, SPU_ATTR_START, r);
		const int64_t *hi = spu_vm_attr(in, SPU_ATTR_LIMIT, r);
		const int64_t *st = spu_vm_attr(in, SPU_ATTR_STRIDE, r);
		if (lo == NULL || hi == NULL || st == NULL)
			return 1;
		rc = spu_hal_slice_view(m, x, lo, hi, st, &z);
	} else {
		const int64_t *sz = spu_vm_attr(in, SPU_ATTR_SIZES, r);
		int64_t lo[SPU_MAX_DIMS], hi[SPU_MAX_DIMS], st[SPU_MAX_DIMS];
		if (sz == NULL || in->nin != 1 + r)
			return 1;
		for (uint32_t i = 1; i <= r; i++)
			if (ops[i] == NULL || ops[i]->vis != SPU_PUBLIC)
				return 1;
		if ((rc = spu_hal_dyn_bounds(m, x,
		    (const struct spu_value *const *)ops + 1, sz, lo, hi,
		    st)) == 0)
			rc = spu_hal_slice_view(m, x, lo, hi, st, &z);
	}
	if (rc != 0)
		return rc;
	if ((rc = keep_view(m, fr, in, z, fr->borrowed[s] ? fr->owner[s] :
	    s)) != 0)
		free(z);
	return rc;
}

#define SPU_VM_MAX_ITERS 100000000

/* WHILE: condition funcs[0] must give a public pred; body funcs[1]. */
static int
exec_while(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value **state, size_t vec)
{
	uint32_t n = in->nout;
	struct spu_value *cond = NULL, **next;
	int64_t go;
	int rc = 0;

	if ((next = spu_calloc(n ? n : 1, sizeof(*next))) == NULL)
		return fail(m, SPU_ENOMEM, "%s", "out of memory");
	for (long it = 0;; it++) {
		if (m->progress != NULL)
			m->progress(m->progress_arg, in, (uint64_t)it, 0, state);
		if (it >= SPU_VM_MAX_ITERS) {
			rc = fail(m, SPU_ELIMIT, "%s", "while loop exceeded "
			    "the iteration limit");
			break;
		}
		if ((rc = exec_func(m, p, in->func[0], state, n, &cond, vec)) != 0)
			break;
		rc = public_scalar(m, cond, &go);
		spu_value_free(cond);
		if (rc != 0 || !go)
			break;
		/* the old state is freed next: the body may keep its
		 * buffers for values it passes through unchanged */
		if ((rc = run_func(m, p, in->func[1], state, n, next, vec,
		    state, 0)) != 0)
			break;
		for (uint32_t i = 0; i < n; i++) {
			spu_value_free(state[i]);
			state[i] = next[i];
			next[i] = NULL;
		}
	}
	free(next);
	return rc;
}

/* COND: a public pred picks funcs[0] (true) or funcs[1]; a public index
 * picks funcs[i], out of range meaning the last.  The operands after the
 * selector are the branches' arguments one after another: branch i takes
 * as many as its function has parameters.  (A secret selector never gets
 * here: the compiler inlines every branch and selects.) */
static int
exec_cond(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *slot,
    struct spu_value **res, size_t vec)
{
	struct spu_value *sel = slot[in->in[0]], *args[SPU_BC_MAX_OPERANDS];
	int64_t k;
	uint32_t b, first = 1, nargs;
	int rc;

	k = 0;
	if ((rc = public_scalar(m, sel, &k)) != 0)
		return rc;
	if (in->nfunc == 0)
		return fail(m, SPU_EFORMAT, "%s", "conditional without branches");
	if (sel->dtype == SPU_PRED)
		b = k ? 0 : 1;
	else
		b = k < 0 || k >= (int64_t)in->nfunc ? in->nfunc - 1 : (uint32_t)k;
	if (b >= in->nfunc)
		return fail(m, SPU_EFORMAT, "%s", "conditional without branches");
	for (uint32_t i = 0; i < b; i++)
		first += p->funcs[in->func[i]].nparams;
	nargs = p->funcs[in->func[b]].nparams;
	if (first + nargs > in->nin || nargs > SPU_BC_MAX_OPERANDS)
		return fail(m, SPU_EFORMAT, "%s", "conditional branches take "
		    "more arguments than given");
	for (uint32_t i = 0; i < nargs; i++)
		args[i] = slot[in->in[first + i]];
	return exec_func(m, p, in->func[b], args, nargs, res, vec);
}

/* Ops with several results or regions, outside vm.c. */
static int
exec_family(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	switch (in->op) {
	case SPU_OP_SORT:
		return spu_vm_sort(m, p, in, ops, res);
	case SPU_OP_MAP:
		return spu_vm_map(m, p, in, ops, res);
	case SPU_OP_SCATTER:
		return spu_vm_scatter(m, p, in, ops, res);
	case SPU_OP_SELECT_AND_SCATTER:
		return spu_vm_select_scatter(m, p, in, ops, res);
	case SPU_OP_REDUCE:
		return spu_vm_reduce(m, p, in, ops, res);
	case SPU_OP_REDUCE_WINDOW:
		return spu_vm_reduce_window(m, p, in, ops, res);
	case SPU_OP_ARGMAX_WINDOW:
	case SPU_OP_WINDOW_SCATTER:
		return spu_vm_pool(m, p, in, ops, res);
	case SPU_OP_TOPK:
		return spu_vm_topk(m, p, in, ops, res);
	case SPU_OP_SQUARE:
		return spu_vm_square(m, in, ops, res);
	default:
		return SPU_VM_NOT_MINE;
	}
}

/* WHILE, COND, CALL. */
static int
exec_control(struct spu_mpc *m, const struct spu_program *p,
    struct frame *fr, uint32_t pc, const struct spu_insn *in,
    struct spu_value *const *ops, struct spu_value **res)
{
	int rc = 0;

	if (in->op == SPU_OP_COND)
		return exec_cond(m, p, in, fr->slot, res, fr->vec);
	if (in->op == SPU_OP_CALL)
		return in->nfunc < 1 ? fail(m, SPU_EFORMAT, "%s",
		    "call without a function") :
		    exec_func(m, p, in->func[0], ops, in->nin, res, fr->vec);
	if (in->nin != in->nout)
		return fail(m, SPU_EFORMAT, "%s", "while state and results "
		    "differ");
	for (uint32_t i = 0; i < in->nin; i++) {
		uint32_t s = in->in[i];
		int once = fr->last_use[s] == pc && !fr->borrowed[s];
		for (uint32_t j = 0; j < in->nin && once; j++)
			once = j == i || in->in[j] != s;
		if (once) {
			/* read for the last time here: the loop takes it */
			res[i] = fr->slot[s];
			fr->slot[s] = NULL;
		} else if ((res[i] = spu_value_dup(ops[i])) == NULL)
			rc = SPU_ENOMEM;
	}
	return rc ? fail(m, rc, "%s", "out of memory") :
	    exec_while(m, p, in, res, fr->vec);
}

static int
exec_insn(struct spu_mpc *m, const struct spu_program *p, struct frame *fr,
    uint32_t pc, struct spu_value *const *args, size_t nargs)
{
	const struct spu_insn *in = &fr->fn->insns[pc];
	struct spu_value *z = NULL, **res = NULL;
	struct spu_value *ops[SPU_BC_MAX_OPERANDS];
	int rc;

	for (uint32_t i = 0; i < in->nin && i < SPU_BC_MAX_OPERANDS; i++)
		ops[i] = fr->slot[in->in[i]];
	if (in->op == SPU_OP_MUL && (rc = mul_xor(m, fr, in, pc)) != 1)
		return rc;
	if (in->op == SPU_OP_RESHAPE && (rc = reshape_move(m, fr, in, pc)) != 1)
		return rc;
	for (uint32_t i = 0; i < in->nin && i < SPU_BC_MAX_OPERANDS; i++)
		if (ops[i] != NULL && ops[i]->xor_shared &&
		    !takes_xor(in->op, i) && (rc = spu_hal_arith(m, ops[i])) != 0)
			return rc;

	if ((in->op == SPU_OP_SLICE || in->op == SPU_OP_DYN_SLICE) &&
	    (rc = slice_view(m, fr, in, ops)) != 1)
		return rc;

	switch (in->op) {
	case SPU_OP_PARAM: {
		const int64_t *idx = spu_vm_attr(in, SPU_ATTR_INDEX, 1);
		int borrowed = 0;
		if (idx == NULL || idx[0] < 0 || (size_t)idx[0] >= nargs)
			return fail(m, SPU_EINVAL, "%s",
			    "program wants more inputs than were given");
		rc = spu_vm_bind_param(m, &in->type[0], (uint32_t)idx[0],
		    args[idx[0]], &z, fr->vec, &borrowed);
		if (rc == 0 && borrowed) {
			uint32_t o = in->out[0];
			if (fr->give != NULL && fr->give[idx[0]] == args[idx[0]] &&
			    spu_vm_param_reads(fr->fn, idx[0]) == 1) {
				/* the caller gives the value up: take it
				 * whole, to free at its last use */
				free(z);
				z = fr->give[idx[0]];
				fr->give[idx[0]] = NULL;
				z->dtype = in->type[0].dtype;
				borrowed = 0;
			}
			/* checked by bind_param: keep as is; the run's
			 * inputs never change: they get an id (a view in a
			 * nested call keeps its source's) */
			if (fr->top && fr->reread[o])
				z->input_id = (uint64_t)idx[0] + 1;
			fr->slot[o] = z;
			fr->borrowed[o] = (unsigned char)borrowed;
			fr->owner[o] = NO_OWNER;
			return 0;
		}
		break;
	}
	case SPU_OP_CONST:
		rc = spu_vm_make_const(m, in, &z, fr->vec);
		break;
	case SPU_OP_REDUCE: {
		const int64_t *kind = spu_vm_attr(in, SPU_ATTR_REDUCER, 1);
		const struct spu_attr *d = spu_insn_attr(in, SPU_ATTR_DIMS);
		if (in->nin == 2 && kind != NULL && kind[0] == SPU_REDUCE_ADD) {
			/* sums are local: one pass, no tree */
			rc = spu_hal_reduce_sum(m, ops[0], ops[1],
			    d ? d->v : NULL, d ? (int)d->n : 0, &z);
			break;
		}
	}
		/* FALLTHROUGH */
	default:
		rc = spu_vm_elementwise(m, in, ops, &z);
		if (rc == SPU_VM_NOT_MINE)
			rc = spu_vm_data(m, in, ops, &z);
		if (rc != SPU_VM_NOT_MINE)
			break;
		if ((res = spu_calloc(in->nout ? in->nout : 1, sizeof(*res))) ==
		    NULL)
			return fail(m, SPU_ENOMEM, "%s", "out of memory");
		if (in->op == SPU_OP_WHILE || in->op == SPU_OP_COND ||
		    in->op == SPU_OP_CALL)
			rc = exec_control(m, p, fr, pc, in, ops, res);
		else if (spu_vm_all_public(in, ops))
			rc = spu_vm_public_op(m, p, in, ops, res);
		else if ((rc = exec_family(m, p, in, ops, res)) ==
		    SPU_VM_NOT_MINE)
			rc = fail(m, SPU_EUNSUPP, "operation %s on secret "
			    "values is not supported by this VM yet",
			    spu_op_name(in->op));
		break;
	}
	if (rc != 0) {
		if (res != NULL)
			for (uint32_t o = 0; o < in->nout; o++)
				spu_value_free(res[o]);
		free(res);
		return rc;
	}
	if (res == NULL)
		return store(m, fr, in, 0, z);
	for (uint32_t o = 0; o < in->nout; o++) {
		if (rc == 0)
			rc = store(m, fr, in, o, res[o]);
		else
			spu_value_free(res[o]);
	}
	free(res);
	return rc;
}

/* Check result o of in against its declared type and keep it.  The
 * program's types are the contract: the shape must match, and a value the
 * program declares secret is shared if it came out public.  Consumes z. */
static int
store(struct spu_mpc *m, struct frame *fr, const struct spu_insn *in,
    uint32_t o, struct spu_value *z)
{
	const struct spu_type *t = &in->type[o];
	int rc;

	if (z == NULL)
		return fail(m, SPU_EFORMAT, "%s", "missing result");
	if (!spu_vm_shape_ok(&t->shape, &z->shape, fr->vec)) {
		spu_value_free(z);
		return fail(m, SPU_ESHAPE, "%s", "result shape differs from the "
		    "program's type");
	}
	if (t->vis == SPU_SECRET && z->vis == SPU_PUBLIC) {
		struct spu_value *s;
		rc = spu_hal_p2s(m, z, &s);
		spu_value_free(z);
		if (rc != 0)
			return rc;
		z = s;
	} else if (t->vis == SPU_PUBLIC && z->vis == SPU_SECRET) {
		spu_value_free(z);
		return fail(m, SPU_EPROTO, "%s", "a secret result where the "
		    "program declares a public one");
	}
	z->dtype = t->dtype;
	/* a result two products read: an id, so a protocol may keep what
	 * it derived from it for the second (semi2k: the opened mask) */
	if (fr->reread[in->out[o]] && z->vis == SPU_SECRET && !z->input_id)
		z->input_id = fresh_id(m);
	fr->slot[in->out[o]] = z;
	return 0;
}

/* Forget slot s: free its value, or only the view of a borrowed one. */
static void
drop(struct frame *fr, uint32_t s)
{
	if (fr->borrowed[s])
		free(fr->slot[s]);
	else
		spu_value_free(fr->slot[s]);
	fr->slot[s] = NULL;
	fr->borrowed[s] = 0;
}

/* Free operands whose last use was instruction pc. */
static void
release(struct frame *fr, uint32_t pc)
{
	const struct spu_insn *in = &fr->fn->insns[pc];

	for (uint32_t i = 0; i < in->nin; i++) {
		uint32_t s = in->in[i];
		if (fr->last_use[s] == pc && fr->slot[s] != NULL)
			drop(fr, s);
	}
}

static int
exec_func(struct spu_mpc *m, const struct spu_program *p, uint32_t fi,
    struct spu_value *const *args, size_t nargs, struct spu_value **outs,
    size_t vec)
{
	return run_func(m, p, fi, args, nargs, outs, vec, NULL, 0);
}

/* give: NULL, or args themselves, which the caller frees after the call
 * (so outputs may take their buffers).  top: the run's entry call. */
static int
run_func(struct spu_mpc *m, const struct spu_program *p, uint32_t fi,
    struct spu_value *const *args, size_t nargs, struct spu_value **outs,
    size_t vec, struct spu_value **give, int top)
{
	const struct spu_func *fn = &p->funcs[fi];
	struct frame fr = { fn, vec, NULL, NULL, NULL, NULL, top, NULL, give };
	int rc = 0;

	fr.slot = spu_calloc(fn->nslots, sizeof(*fr.slot));
	fr.last_use = spu_calloc(fn->nslots, sizeof(*fr.last_use));
	fr.borrowed = spu_calloc(fn->nslots + 1, 1);
	fr.owner = spu_calloc(fn->nslots + 1, sizeof(*fr.owner));
	if (fr.slot == NULL || fr.last_use == NULL || fr.borrowed == NULL ||
	    fr.owner == NULL ||
	    (rc = spu_vm_mark_reread(m, fn, &fr.reread)) != 0) {
		rc = rc ? rc : spu_fail(m->diag, SPU_ENOMEM, "out of memory");
		goto out;
	}
	for (uint32_t s = 0; s < fn->nslots; s++)
		fr.last_use[s] = UINT32_MAX;
	for (uint32_t pc = 0; pc < fn->ninsns; pc++)
		for (uint32_t i = 0; i < fn->insns[pc].nin; i++)
			fr.last_use[fn->insns[pc].in[i]] = pc;
	/* outputs live to the end */
	for (uint32_t o = 0; o < fn->nouts; o++)
		fr.last_use[fn->outs[o]] = UINT32_MAX - 1;
	for (uint32_t pc = 0; pc < fn->ninsns; pc++) {
		if (m->progress != NULL && fi == p->entry)
			m->progress(m->progress_arg, NULL, pc, fn->ninsns, NULL);
		if (m->diag)
			m->diag->msg[0] = '\0';
		if (m->link != NULL)
			spu_link_set_phase(m->link,
			    spu_op_name(fn->insns[pc].op));
		if (m->profile != NULL) {
			struct spu_vm_profile *pr = m->profile;
			enum spu_op op = fn->insns[pc].op;
			const struct spu_link_stats *ls = m->link ?
			    spu_link_stats(m->link) : NULL;
			uint64_t b0 = ls ? ls->bytes_sent : 0;
			uint64_t r0 = ls ? ls->rounds : 0;
			double t0 = now();
			rc = exec_insn(m, p, &fr, pc, args, nargs);
			pr->count[op]++;
			pr->seconds[op] += now() - t0;
			pr->bytes[op] += ls ? ls->bytes_sent - b0 : 0;
			pr->rounds[op] += ls ? ls->rounds - r0 : 0;
		} else {
			rc = exec_insn(m, p, &fr, pc, args, nargs);
		}
		if (rc != 0) {
			rc = insn_fail(m, fn, pc, rc);
			goto out;
		}
		release(&fr, pc);
	}
	for (uint32_t o = 0; o < fn->nouts; o++) {
		uint32_t s = fn->outs[o];
		struct spu_value *v = fr.slot[s];
		int again = 0;
		if (v == NULL) {
			rc = spu_fail(m->diag, SPU_EFORMAT,
			    "%s: output %u is undefined", fn->name, o);
			goto out;
		}
		/* only the run's outputs leave as boolean sharings: callers
		 * of regions (sort, reduce, ...) read arithmetic words */
		if (!top && v->xor_shared && (rc = spu_hal_arith(m, v)) != 0)
			goto out;
		for (uint32_t q = o + 1; q < fn->nouts; q++)
			if (fn->outs[q] == s)
				again = 1;
		if (fr.borrowed[s] && !again && spu_vm_take_given(v, give, nargs)) {
			outs[o] = v;		/* a view that now owns */
			fr.slot[s] = NULL;
			fr.borrowed[s] = 0;
		} else if (fr.borrowed[s] || again) {
			/* the caller owns its outputs: copy a borrowed
			 * value, or one that is returned again */
			if ((outs[o] = spu_value_dup(v)) == NULL) {
				rc = spu_fail(m->diag, SPU_ENOMEM,
				    "out of memory");
				goto out;
			}
			if (!again)
				drop(&fr, s);
		} else {
			outs[o] = v;
			fr.slot[s] = NULL;
		}
	}
out:
	if (fr.slot != NULL && fr.borrowed != NULL)
		for (uint32_t s = 0; s < fn->nslots; s++)
			drop(&fr, s);
	else if (fr.slot != NULL)
		for (uint32_t s = 0; s < fn->nslots; s++)
			spu_value_free(fr.slot[s]);
	free(fr.borrowed);
	free(fr.owner);
	free(fr.slot);
	free(fr.last_use);
	free(fr.reread);
	return rc;
}

static int
vm_run(struct spu_mpc *m, const struct spu_program *p,
    struct spu_value *const *in, size_t nin, struct spu_value ***out,
    size_t *nout, struct spu_value **give)
{
	const struct spu_func *fn;
	struct spu_value **o;
	int rc;

	if (p->entry >= p->nfuncs)
		return spu_fail(m->diag, SPU_EFORMAT, "no entry function");
	fn = &p->funcs[p->entry];
	if (nin != fn->nparams)
		return spu_fail(m->diag, SPU_EINVAL,
		    "the program takes %u inputs, %zu were given",
		    fn->nparams, nin);
	if ((o = spu_calloc(fn->nouts, sizeof(*o))) == NULL)
		return spu_fail(m->diag, SPU_ENOMEM, "out of memory");
	/* ids of an earlier run's inputs mean other values now */
	if (m->ops->forget != NULL)
		m->ops->forget(m);
	if ((rc = run_func(m, p, p->entry, in, nin, o, 0, give, 1)) != 0) {
		for (uint32_t i = 0; i < fn->nouts; i++)
			spu_value_free(o[i]);
		free(o);
		return rc;
	}
	*out = o;
	*nout = fn->nouts;
	return 0;
}

int
spu_vm_run(struct spu_mpc *m, const struct spu_program *p,
    struct spu_value *const *in, size_t nin, struct spu_value ***out,
    size_t *nout)
{
	return vm_run(m, p, in, nin, out, nout, NULL);
}

int
spu_vm_run_given(struct spu_mpc *m, const struct spu_program *p,
    struct spu_value **in, size_t nin, struct spu_value ***out,
    size_t *nout)
{
	return vm_run(m, p, in, nin, out, nout, in);
}

int
spu_vm_call(struct spu_mpc *m, const struct spu_program *p, uint32_t fi,
    struct spu_value *const *args, size_t nargs, struct spu_value **outs,
    size_t vec)
{
	if (fi >= p->nfuncs)
		return spu_fail(m->diag, SPU_EFORMAT, "no function %u", fi);
	return exec_func(m, p, fi, args, nargs, outs, vec);
}

void
spu_vm_profile_print(FILE *f, int party, const struct spu_vm_profile *pr)
{
	fprintf(f, "party %d profile:\n%-20s %8s %10s %14s %8s\n", party,
	    "op", "count", "seconds", "bytes sent", "rounds");
	for (int op = 0; op < SPU_OP_COUNT; op++)
		if (pr->count[op] > 0)
			fprintf(f, "%-20s %8llu %10.4f %14llu %8llu\n",
			    spu_op_name((enum spu_op)op),
			    (unsigned long long)pr->count[op], pr->seconds[op],
			    (unsigned long long)pr->bytes[op],
			    (unsigned long long)pr->rounds[op]);
}
