/*
 * vm_map.c - ops that apply a region elementwise: MAP (the region once,
 * in vector mode over every element), and SCATTER with several operands
 * or a general combiner at public indices.  Updates to one position are
 * combined in their order (as XLA's sequential semantics), so the
 * scatter runs in rounds: round r combines the r-th update of every
 * position that has one, all positions at once (one vector-mode call or
 * one kernel per round).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hal/cmp.h"
#include "hal/hal.h"
#include "hal/pieces.h"
#include "hal/shape.h"
#include "mem.h"
#include "vm_int.h"

int
spu_vm_func_is_add(const struct spu_program *p, uint32_t fi)
{
	const struct spu_func *fn;
	uint32_t prm[2] = { UINT32_MAX, UINT32_MAX }, nadd = 0;

	if (fi >= p->nfuncs)
		return 0;
	fn = &p->funcs[fi];
	if (fn->nparams != 2 || fn->nouts != 1)
		return 0;
	for (uint32_t i = 0; i < fn->ninsns; i++) {
		const struct spu_insn *in = &fn->insns[i];
		const struct spu_attr *a = spu_insn_attr(in, SPU_ATTR_INDEX);
		if (in->op == SPU_OP_PARAM && a != NULL && a->n == 1 &&
		    a->v[0] >= 0 && a->v[0] < 2 && in->nout == 1)
			prm[a->v[0]] = in->out[0];
		else if (in->op == SPU_OP_ADD && in->nin == 2 &&
		    in->nout == 1 && in->out[0] == fn->outs[0])
			nadd++;
		else
			return 0;
	}
	if (nadd != 1 || prm[0] == UINT32_MAX || prm[1] == UINT32_MAX)
		return 0;
	for (uint32_t i = 0; i < fn->ninsns; i++) {
		const struct spu_insn *in = &fn->insns[i];
		if (in->op == SPU_OP_ADD)
			return (in->in[0] == prm[0] && in->in[1] == prm[1]) ||
			    (in->in[0] == prm[1] && in->in[1] == prm[0]);
	}
	return 0;
}

static void
free_n(struct spu_value **v, int n)
{
	for (int i = 0; i < n; i++) {
		spu_value_free(v[i]);
		v[i] = NULL;
	}
}

struct mapper {
	const struct spu_program *p;
	uint32_t func, nin;
};

static int
map1(struct spu_mpc *m, void *arg, struct spu_value *const *v,
    struct spu_value **out)
{
	struct mapper *mp = arg;

	return spu_vm_call(m, mp->p, mp->func, v, mp->nin, out, v[0]->n);
}

int
spu_vm_map(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	struct spu_value *flat[SPU_BC_MAX_OPERANDS] = { NULL };
	struct spu_value *o[SPU_VM_MAXK] = { NULL };
	size_t n = ops[0]->n;
	struct spu_shape fs = { 1, { (int64_t)n } };
	int rc = 0;

	if (in->nfunc < 1 || in->func[0] >= p->nfuncs ||
	    p->funcs[in->func[0]].nparams != in->nin ||
	    p->funcs[in->func[0]].nouts != in->nout ||
	    in->nout > SPU_VM_MAXK || in->nin > SPU_BC_MAX_OPERANDS)
		return spu_mpc_fail(m, SPU_EFORMAT, "map: bad function");
	if (n == 0) {
		for (uint32_t i = 0; i < in->nout; i++)
			if ((res[i] = spu_hal_alloc(m, in->type[i].dtype,
			    &in->type[i].shape, SPU_SECRET)) == NULL)
				return spu_mpc_fail(m, SPU_ENOMEM,
				    "out of memory");
		return 0;
	}
	for (uint32_t i = 0; i < in->nin && rc == 0; i++) {
		if (ops[i]->n != n)
			rc = spu_mpc_fail(m, SPU_ESHAPE, "map: operand sizes "
			    "differ");
		else
			rc = spu_hal_reshape(m, ops[i], &fs, &flat[i]);
	}
	if (rc == 0) {
		/* in pieces when large (the region may be non-linear) */
		struct mapper mp = { p, in->func[0], in->nin };
		rc = spu_hal_pieces(m, map1, &mp, flat, (int)in->nin, o,
		    (int)in->nout);
	}
	for (uint32_t i = 0; i < in->nout && rc == 0; i++)
		rc = spu_hal_reshape(m, o[i], &in->type[i].shape, &res[i]);
	free_n(flat, (int)in->nin);
	free_n(o, (int)in->nout);
	return rc;
}

/* ---- scatter ---- */

static int
contains(const int64_t *v, int n, int64_t x)
{
	for (int i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/*
 * tgt[e] = the operand position update element e lands on, or -1 when
 * its window does not fit (XLA skips such windows).
 */
static int
targets(struct spu_mpc *m, const struct spu_insn *in,
    const struct spu_value *x, const struct spu_value *idx,
    const struct spu_value *upd, int64_t *tgt)
{
	const struct spu_shape *xs = &x->shape, *is = &idx->shape;
	const struct spu_shape *us = &upd->shape;
	int nuw, nins, nmap, n, wdim[SPU_MAX_DIMS], nw = 0;
	const int64_t *uw = spu_vm_attr_list(in, SPU_ATTR_UPDATE_WINDOW_DIMS,
	    &nuw);
	const int64_t *ins = spu_vm_attr_list(in, SPU_ATTR_INSERTED_DIMS,
	    &nins);
	const int64_t *map = spu_vm_attr_list(in,
	    SPU_ATTR_SCATTER_DIMS_TO_OPERAND, &nmap);
	const int64_t *ivdp = spu_vm_attr_list(in, SPU_ATTR_INDEX_VECTOR_DIM,
	    &n);
	int64_t xst[SPU_MAX_DIMS], ist[SPU_MAX_DIMS], ws[SPU_MAX_DIMS];
	int64_t u[SPU_MAX_DIMS] = { 0 }, ivd;
	int nb;

	spu_vm_attr_list(in, SPU_ATTR_OPERAND_BATCH_DIMS, &nb);
	if (nb > 0)
		return spu_mpc_fail(m, SPU_EUNSUPP, "scatter with batching "
		    "dimensions and a general combiner is not supported");
	if (ivdp == NULL || n != 1 || ivdp[0] < 0 || ivdp[0] > is->ndim ||
	    nmap > xs->ndim)
		return spu_mpc_fail(m, SPU_EFORMAT, "bad dimension numbers");
	ivd = ivdp[0];
	for (int d = 0; d < xs->ndim; d++) {
		ws[d] = 1;
		if (!contains(ins, nins, d))
			wdim[nw++] = d;
	}
	if (nw != nuw || nuw > us->ndim)
		return spu_mpc_fail(m, SPU_ESHAPE, "scatter: window dims do "
		    "not match the operand");
	for (int j = 0; j < nuw; j++) {
		if (uw[j] < 0 || uw[j] >= us->ndim)
			return spu_mpc_fail(m, SPU_ESHAPE, "bad update dims");
		ws[wdim[j]] = us->dim[uw[j]];
	}
	for (int k = 0; k < nmap; k++)
		if (map[k] < 0 || map[k] >= xs->ndim ||
		    (ivd < is->ndim && k >= is->dim[ivd]))
			return spu_mpc_fail(m, SPU_ESHAPE, "bad index map");
	/* the update's scatter dims are the indices' dims but the vector */
	for (int d = 0, gi = 0; d <= us->ndim; d++) {
		if (d < us->ndim && contains(uw, nuw, d))
			continue;
		if (gi == ivd)
			gi++;
		if ((d == us->ndim) != (gi >= is->ndim) ||
		    (d < us->ndim && us->dim[d] != is->dim[gi]))
			return spu_mpc_fail(m, SPU_ESHAPE, "scatter: updates "
			    "do not match the indices");
		gi++;
	}
	spu_shape_strides(xs, xst);
	spu_shape_strides(is, ist);
	for (size_t e = 0; e < upd->n; e++, spu_shape_next(us, u)) {
		int64_t st[SPU_MAX_DIMS] = { 0 }, base = 0, p = 0;
		int gi = 0, fits = 1;
		/* scatter coordinates of u index the indices */
		for (int d = 0; d < us->ndim; d++) {
			if (contains(uw, nuw, d))
				continue;
			if (gi == ivd)
				gi++;
			if (gi >= is->ndim)
				break;
			base += u[d] * ist[gi++];
		}
		for (int k = 0; k < nmap; k++) {
			int64_t off = ivd < is->ndim ? k * ist[ivd] : 0;
			st[map[k]] = (int64_t)spu_ring_get_signed(m->field,
			    idx->share[0], (size_t)(base + off));
		}
		for (int d = 0; d < xs->ndim; d++)
			if (st[d] < 0 || st[d] > xs->dim[d] - ws[d])
				fits = 0;
		for (int d = 0, j = 0; d < xs->ndim; d++) {
			int64_t w = 0;
			if (j < nw && wdim[j] == d)
				w = u[uw[j++]];
			p += (st[d] + w) * xst[d];
		}
		tgt[e] = fits ? p : -1;
	}
	return 0;
}

/* out[i] = comb(a[i], b[i]) for the k operands of a known kind. */
static int
combine(struct spu_mpc *m, const struct spu_program *p, int kind,
    uint32_t func, struct spu_value **a, struct spu_value **b, int k,
    struct spu_value **out)
{
	struct spu_value *args[2 * SPU_VM_MAXK];

	switch (kind) {
	case SPU_REDUCE_ADD: return spu_hal_add(m, a[0], b[0], out);
	case SPU_REDUCE_MUL:
		return spu_hal_mul(m, a[0], b[0], a[0]->dtype, out);
	case SPU_REDUCE_MAX: return spu_hal_max(m, a[0], b[0], out);
	case SPU_REDUCE_MIN: return spu_hal_min(m, a[0], b[0], out);
	case SPU_REDUCE_AND: return spu_hal_and(m, a[0], b[0], out);
	case SPU_REDUCE_OR: return spu_hal_or(m, a[0], b[0], out);
	case SPU_REDUCE_REPLACE:
		for (int i = 0; i < k; i++)
			if ((out[i] = spu_value_dup(b[i])) == NULL) {
				free_n(out, i);
				return spu_mpc_fail(m, SPU_ENOMEM,
				    "out of memory");
			}
		return 0;
	default:
		for (int i = 0; i < k; i++) {
			args[i] = a[i];
			args[k + i] = b[i];
		}
		return spu_vm_call(m, p, func, args, (size_t)(2 * k), out,
		    a[0]->n);
	}
}

/* One round: positions pos[0..c), updates upd[0..c). */
static int
scatter_round(struct spu_mpc *m, const struct spu_program *p, int kind,
    uint32_t func, struct spu_value **cur, struct spu_value *const *upd,
    int k, const int64_t *pos, const int64_t *ue, int64_t c, int64_t *mv)
{
	struct spu_value *a[SPU_VM_MAXK] = { NULL }, *b[SPU_VM_MAXK] = { NULL };
	struct spu_value *o[SPU_VM_MAXK] = { NULL };
	struct spu_shape cs = { 1, { c } };
	int rc = 0;

	for (int i = 0; i < k && rc == 0; i++) {
		const struct spu_value *src = cur[i], *us = upd[i];
		if ((rc = spu_hal_index_move(m, &src, 1, pos, NULL, &cs,
		    cur[i]->dtype, &a[i])) == 0)
			rc = spu_hal_index_move(m, &us, 1, ue, NULL, &cs,
			    cur[i]->dtype, &b[i]);
	}
	if (rc == 0)
		rc = combine(m, p, kind, func, a, b, k, o);
	for (int i = 0; i < k && rc == 0; i++) {
		const struct spu_value *src[2] = { cur[i], o[i] };
		struct spu_value *nc = NULL;
		int64_t N = (int64_t)cur[i]->n;
		for (int64_t j = 0; j < N; j++)
			mv[j] = j;
		for (int64_t j = 0; j < c; j++)
			mv[pos[j]] = N + j;
		if ((rc = spu_hal_index_move(m, src, 2, mv, NULL,
		    &cur[i]->shape, cur[i]->dtype, &nc)) == 0) {
			spu_value_free(cur[i]);
			cur[i] = nc;
		}
	}
	free_n(a, k);
	free_n(b, k);
	free_n(o, k);
	return rc;
}

int
spu_vm_scatter(struct spu_mpc *m, const struct spu_program *p,
    const struct spu_insn *in, struct spu_value *const *ops,
    struct spu_value **res)
{
	const struct spu_attr *ka = spu_insn_attr(in, SPU_ATTR_REDUCER);
	int k = (int)in->nout, kind = ka && ka->n == 1 ? (int)ka->v[0] :
	    SPU_REDUCE_CALL, rc = 0;
	struct spu_value *const *upd = ops + k + 1;
	int64_t *tgt = NULL, *cnt = NULL, *pos = NULL, *rnd = NULL;
	int64_t *sel = NULL, *mv = NULL;
	int64_t N, U, rounds = 0;
	uint32_t func = 0;

	if (k < 1 || k > SPU_VM_MAXK || in->nin != 2 * (uint32_t)k + 1)
		return spu_mpc_fail(m, SPU_EFORMAT, "scatter: needs 2N+1 "
		    "operands for N results");
	if (ops[k]->vis == SPU_SECRET)
		return spu_mpc_fail(m, SPU_EUNSUPP, "scatter at secret indices "
		    "with several operands or a general combiner is not "
		    "supported");
	if (kind == SPU_REDUCE_CALL) {
		if (in->nfunc < 1 || in->func[0] >= p->nfuncs ||
		    p->funcs[in->func[0]].nparams != 2 * (uint32_t)k)
			return spu_mpc_fail(m, SPU_EFORMAT, "scatter: combiner "
			    "missing or of the wrong arity");
		func = in->func[0];
	} else if (kind != SPU_REDUCE_REPLACE && k != 1) {
		return spu_mpc_fail(m, SPU_EFORMAT, "scatter: bad reducer");
	}
	N = (int64_t)ops[0]->n;
	U = (int64_t)upd[0]->n;
	for (int i = 0; i < k; i++)
		if (ops[i]->n != (size_t)N || upd[i]->n != (size_t)U)
			return spu_mpc_fail(m, SPU_ESHAPE, "scatter: operands "
			    "differ in size");
	tgt = spu_malloc((size_t)U + 1, sizeof(*tgt));
	cnt = spu_calloc((size_t)N + 1, sizeof(*cnt));
	pos = spu_malloc((size_t)U + 1, sizeof(*pos));
	rnd = spu_malloc((size_t)U + 1, sizeof(*rnd));
	sel = spu_malloc((size_t)U + 1, sizeof(*sel));
	mv = spu_malloc((size_t)N + 1, sizeof(*mv));
	if (tgt == NULL || cnt == NULL || pos == NULL || rnd == NULL ||
	    sel == NULL || mv == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = targets(m, in, ops[0], ops[k], upd[0], tgt)) != 0)
		goto out;
	for (int i = 0; i < k && rc == 0; i++)
		if ((res[i] = spu_value_dup(ops[i])) == NULL)
			rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	/* round of each update: how many earlier ones hit its position */
	for (int64_t e = 0; e < U; e++)
		if (tgt[e] >= 0) {
			rnd[e] = cnt[tgt[e]]++;
			if (rnd[e] + 1 > rounds)
				rounds = rnd[e] + 1;
		}
	for (int64_t r = 0; r < rounds && rc == 0; r++) {
		int64_t c = 0;
		for (int64_t e = 0; e < U; e++)
			if (tgt[e] >= 0 && rnd[e] == r) {
				pos[c] = tgt[e];
				sel[c++] = e;
			}
		rc = scatter_round(m, p, kind, func, res, upd, k, pos, sel, c,
		    mv);
	}
out:
	if (rc != 0)
		free_n(res, k);
	free(tgt);
	free(cnt);
	free(pos);
	free(rnd);
	free(sel);
	free(mv);
	return rc;
}
