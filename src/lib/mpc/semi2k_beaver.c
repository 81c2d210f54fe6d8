/*
 * semi2k_beaver.c - semi2k's Beaver products (protocols.md 2.3, 2.4)
 * and the masks it keeps for matmul operands that come back.
 *
 * Triples come from the dealer streams: every party draws its shares,
 * party 0 (the trusted dealer of this protocol) replays the others'
 * draws by seeking in their streams and fixes its share of c.
 *
 * Mask cache ("Beaver cache"): a matmul operand the VM marks as one of
 * the program's inputs (fixed for the whole run) keeps its mask a and
 * the opened x - a, so its next product opens only the other operand:
 * the logistic-regression step's X w and e X open the batch once.
 * Reusing a with the same x reveals nothing new (x - a is already
 * public); every party keeps and finds the same entries, so their
 * streams stay in step.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mpc.h"
#include "semi2k_int.h"
#include "../mem.h"

/* buf (cnt words, zeroed here) = words [i, i + cnt) of draw id. */
static void
draw_chunk(const struct spu_prg *p, uint64_t id, unsigned f, uint8_t *buf,
    size_t i, size_t cnt)
{
	size_t K = spu_ring_size(f);

	memset(buf, 0, cnt * K);
	spu_prg_xor_at(p, id, i * K, buf, cnt * K);
}

/*
 * Elementwise Beaver product (protocols.md 2.3): triple a, b, c = a b;
 * open e = x - a and d = y - b in one round; z = c + e b + a d (+ e d at
 * party 0, folded in as e (b + d)).  a and b are never stored: they are
 * read from this party's dealer stream a chunk at a time, before the
 * round for e and d and again after it.  Party 0, the dealer, replays
 * the others' three draws the same way and writes its fix c_0 = A B -
 * sum_{j>0} c_j (A = a + sum_{j>0} a_j, B likewise) into z; the others
 * draw c into z once x and y are read (z may alias them).  One buffer of
 * 2n words (e, d) besides z and the exchange's.
 */
static int
beaver_mul(struct spu_mpc *m, void *z, const void *x, const void *y,
    size_t n)
{
	enum { R = SPU_SEMI2K_REPLAY };
	unsigned f = m->field;
	size_t K = spu_ring_size(f), per = R / K;
	uint64_t ida, idb, draw[SPU_MAX_PARTIES][3];
	_Alignas(64) uint8_t A[R], B[R], C[R], r[R];
	uint8_t *ed, *e, *d, *sums[3] = { A, B, C };
	int rc = 0;

	if (n > SIZE_MAX / 2 / K)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	if ((ed = spu_malloc(2 * n, K)) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	e = ed, d = ed + n * K;
	ida = spu_prg_skip(&m->dealer[m->party]);
	idb = spu_prg_skip(&m->dealer[m->party]);
	if (m->party == 0) {
		(void)spu_prg_skip(&m->dealer[0]);	/* c_0 is the fix */
		for (int j = 1; j < m->nparties; j++)
			for (int v = 0; v < 3; v++)
				draw[j][v] = spu_prg_skip(&m->dealer[j]);
	}
	for (size_t i = 0; i < n; i += per) {
		size_t cnt = n - i < per ? n - i : per, o = i * K;
		draw_chunk(&m->dealer[m->party], ida, f, A, i, cnt);
		draw_chunk(&m->dealer[m->party], idb, f, B, i, cnt);
		spu_ring_sub(f, e + o, (const uint8_t *)x + o, A, cnt);
		spu_ring_sub(f, d + o, (const uint8_t *)y + o, B, cnt);
		if (m->party != 0)
			continue;
		memset(C, 0, cnt * K);
		for (int j = 1; j < m->nparties; j++)
			for (int v = 0; v < 3; v++) {
				draw_chunk(&m->dealer[j], draw[j][v], f, r, i,
				    cnt);
				spu_ring_add(f, sums[v], sums[v], r, cnt);
			}
		spu_ring_mul(f, (uint8_t *)z + o, A, B, cnt);
		spu_ring_sub(f, (uint8_t *)z + o, (uint8_t *)z + o, C, cnt);
	}
	if (m->party != 0)
		spu_prg_ring(&m->dealer[m->party], f, z, n);
	if ((rc = spu_semi2k_allreduce_add(m, ed, ed, 2 * n)) == 0)
		for (size_t i = 0; i < n; i += per) {
			size_t cnt = n - i < per ? n - i : per, o = i * K;
			draw_chunk(&m->dealer[m->party], ida, f, A, i, cnt);
			draw_chunk(&m->dealer[m->party], idb, f, B, i, cnt);
			if (m->party == 0)	/* e b + e d = e (b + d) */
				spu_ring_add(f, B, B, d + o, cnt);
			spu_ring_mac2(f, (uint8_t *)z + o, e + o, B, A, d + o,
			    cnt);
		}
	sodium_memzero(A, sizeof(A));
	sodium_memzero(B, sizeof(B));
	sodium_memzero(C, sizeof(C));
	sodium_memzero(r, sizeof(r));
	spu_free_sized(ed, 2 * n * K);
	return rc;
}

/* ---- the mask cache ---- */

/* Operands kept, and the largest one (words). */
#define NMASKS 2
#define MASK_MAX ((size_t)1 << 22)

struct mask {
	uint64_t id;		/* 0: empty */
	size_t n;
	void *a;		/* my share of the mask */
	void *sa;		/* party 0: the mask itself */
	void *e;		/* the opened x - a */
	uint64_t used;
};

struct masks {
	struct mask k[NMASKS];
	uint64_t tick;
};

static void
mask_clear(struct spu_mpc *m, struct mask *k)
{
	size_t bytes = k->n * spu_ring_size(m->field);

	spu_free_secret(k->a, bytes);
	spu_free_secret(k->sa, bytes);
	spu_free_secret(k->e, bytes);
	memset(k, 0, sizeof(*k));
}

void
spu_semi2k_forget(struct spu_mpc *m)
{
	struct masks *c = m->proto_state;

	if (c == NULL)
		return;
	for (int i = 0; i < NMASKS; i++)
		mask_clear(m, &c->k[i]);
	free(c);
	m->proto_state = NULL;
}

static struct mask *
mask_find(struct spu_mpc *m, uint64_t id, size_t n)
{
	struct masks *c = m->proto_state;

	if (id == 0 || c == NULL)
		return NULL;
	for (int i = 0; i < NMASKS; i++)
		if (c->k[i].id == id && c->k[i].n == n) {
			c->k[i].used = ++c->tick;
			return &c->k[i];
		}
	return NULL;
}

/* Keep the buffers *a, *sa, *e of operand id (taking them: the
 * pointers become NULL), over the least recently used entry. */
static int
mask_keep(struct spu_mpc *m, uint64_t id, size_t n, void **a, void **sa,
    void **e)
{
	struct masks *c = m->proto_state;
	struct mask *k;

	if (c == NULL && (c = m->proto_state = calloc(1, sizeof(*c))) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	k = &c->k[0];
	for (int i = 1; i < NMASKS; i++)
		if (c->k[i].used < k->used)
			k = &c->k[i];
	mask_clear(m, k);
	k->id = id;
	k->n = n;
	k->a = *a;
	k->sa = *sa;
	k->e = *e;
	k->used = ++c->tick;
	*a = *sa = *e = NULL;
	return 0;
}

/*
 * Beaver matrix product (protocols.md 2.4): triple A (x-shaped), B
 * (y-shaped), C = A B; open E = X - A and D = Y - B in one round;
 * Z = C + E B + A D (+ E D at party 0, folded in as E (B + D)).  Party 0
 * sums the other parties' A and B draws for its fix C_0 = A B - their
 * C (its own C draw skipped).  1 round, K (|x| + |y|) (N-1) bytes, less
 * an operand whose mask is cached (id[s] != 0: kept for the next
 * product; no round at all if both are).
 */
static int
beaver_matmul(struct spu_mpc *m, void *z, const void *x, const void *y,
    size_t batch, size_t mm, size_t k, size_t nn, const uint64_t *id,
    const struct spu_patch_map *pm, size_t nxs)
{
	unsigned f = m->field;
	size_t K = spu_ring_size(f), nz = batch * mm * nn, nopen = 0, off;
	size_t nX = batch * mm * k;
	size_t nv[2] = { pm != NULL ? nxs : nX, batch * k * nn };
	const void *v[2] = { x, y }, *E[2], *Es[2], *A[2], *S[2];
	uint64_t ids[2] = { 0, 0 }, draw[SPU_MAX_PARTIES][3];
	struct mask *hit[2] = { NULL, NULL };
	void *a[2] = { NULL, NULL }, *sa[2] = { NULL, NULL };
	void *ek[2] = { NULL, NULL }, *bd = NULL;
	uint8_t *open = NULL, *t = NULL;
	int rc = 0;

	for (int s = 0; s < 2; s++) {
		ids[s] = id != NULL && nv[s] <= MASK_MAX ? id[s] : 0;
		if (s == 1 && ids[1] == ids[0])
			ids[1] = 0;
		hit[s] = mask_find(m, ids[s], nv[s]);
	}
	/* draws: the masks not kept, then C */
	for (int s = 0; s < 2; s++) {
		if (hit[s] != NULL)
			continue;
		if ((a[s] = spu_malloc(nv[s], K)) == NULL)
			goto oom;
		spu_prg_ring(&m->dealer[m->party], f, a[s], nv[s]);
		nopen += nv[s];
	}
	if ((open = spu_malloc(nopen ? nopen : 1, K)) == NULL)
		goto oom;
	off = 0;
	for (int s = 0; s < 2; s++)
		if (hit[s] == NULL) {
			spu_ring_sub(f, open + off * K, v[s], a[s], nv[s]);
			off += nv[s];
		}
	if (m->party == 0) {
		(void)spu_prg_skip(&m->dealer[0]);
		for (int j = 1; j < m->nparties; j++)
			for (int s = 0; s < 3; s++)
				if (s == 2 || hit[s] == NULL)
					draw[j][s] =
					    spu_prg_skip(&m->dealer[j]);
		for (int s = 0; s < 2; s++) {
			if (hit[s] != NULL) {
				S[s] = hit[s]->sa;
				continue;
			}
			if ((sa[s] = spu_malloc(nv[s], K)) == NULL)
				goto oom;
			memcpy(sa[s], a[s], nv[s] * K);
			for (int j = 1; j < m->nparties; j++)
				spu_prg_ring_add_at(&m->dealer[j],
				    draw[j][s], f, sa[s], nv[s], 0);
			S[s] = sa[s];
		}
		if (pm == NULL)
			spu_ring_matmul(f, z, S[0], S[1], batch, mm, k, nn);
		else if (spu_patch_matmul(f, z, S[0], pm, S[1], nn, 0) != 0)
			goto oom;
		for (int j = 1; j < m->nparties; j++)
			spu_prg_ring_add_at(&m->dealer[j], draw[j][2], f, z, nz,
			    1);
	} else {
		spu_prg_ring(&m->dealer[m->party], f, z, nz);
	}
	if (nopen > 0 &&
	    (rc = spu_semi2k_allreduce_add(m, open, open, nopen)) != 0)
		goto out;
	off = 0;
	for (int s = 0; s < 2; s++) {
		A[s] = hit[s] != NULL ? hit[s]->a : a[s];
		if (hit[s] != NULL) {
			E[s] = hit[s]->e;
		} else {
			E[s] = open + off * K;
			off += nv[s];
		}
		Es[s] = E[s];		/* as opened, before any expansion */
	}
	if (m->party == 0) {			/* E B + E D = E (B + D) */
		if ((bd = spu_malloc(nv[1], K)) == NULL)
			goto oom;
		spu_ring_add(f, bd, A[1], E[1], nv[1]);
	}
	if (pm != NULL) {	/* E and A as patches, a block at a time */
		if (spu_patch_matmul(f, z, E[0], pm, bd ? bd : A[1], nn, 1) ||
		    spu_patch_matmul(f, z, A[0], pm, E[1], nn, 1))
			goto oom;
	} else {
		if ((t = spu_malloc(nz, K)) == NULL)
			goto oom;
		spu_ring_matmul(f, t, E[0], bd ? bd : A[1], batch, mm, k, nn);
		spu_ring_add(f, z, z, t, nz);
		spu_ring_matmul(f, t, A[0], E[1], batch, mm, k, nn);
		spu_ring_add(f, z, z, t, nz);
	}
	for (int s = 0; s < 2 && rc == 0; s++) {
		if (hit[s] != NULL || ids[s] == 0)
			continue;
		if (Es[s] == open) {	/* at its front: keep it all */
			ek[s] = open;
			open = NULL;
		} else if ((ek[s] = spu_malloc(nv[s], K)) == NULL) {
			goto oom;
		} else {
			memcpy(ek[s], Es[s], nv[s] * K);
		}
		rc = mask_keep(m, ids[s], nv[s], &a[s], &sa[s], &ek[s]);
	}
	goto out;
oom:
	rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
out:
	for (int s = 0; s < 2; s++) {
		spu_free_secret(a[s], nv[s] * K);
		spu_free_secret(sa[s], nv[s] * K);
		spu_free_secret(ek[s], nv[s] * K);
	}
	spu_free_secret(bd, nv[1] * K);
	spu_free_secret(t, nz * K);
	spu_free_sized(open, (nopen ? nopen : 1) * K);
	return rc;
}

int
spu_semi2k_mul(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n)
{
	return beaver_mul(m, z[0], x[0], y[0], n);
}

int
spu_semi2k_matmul(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t batch, size_t mm, size_t k, size_t nn)
{
	return beaver_matmul(m, z[0], x[0], y[0], batch, mm, k, nn, NULL, NULL,
	    0);
}

int
spu_semi2k_matmul_id(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t batch, size_t mm, size_t k, size_t nn,
    const uint64_t id[2])
{
	return beaver_matmul(m, z[0], x[0], y[0], batch, mm, k, nn, id, NULL,
	    0);
}

int
spu_semi2k_matmul_map(struct spu_mpc *m, void *const z[], void *const x[],
    size_t nx, const struct spu_patch_map *pm, void *const y[], size_t nn,
    const uint64_t id[2])
{
	return beaver_matmul(m, z[0], x[0], y[0], (size_t)pm->fg,
	    (size_t)(pm->N * pm->nout), (size_t)(pm->cg * pm->kwin), nn, id,
	    pm, nx);
}
