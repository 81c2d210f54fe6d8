/*
 * mpc.c - protocol tests: share random fixed-point inputs, run each
 * protocol's kernels on N threads over local links, open, and compare
 * with the cleartext computation in double precision.
 *
 * Tolerance: a fixed-point product is exact up to the truncation's last
 * bit plus the encoding error of the inputs: |err| <= (|x| + |y| + 4) 2^-f.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fxp.h"
#include "link.h"
#include "mpc/deal.h"
#include "mpc/mpc.h"
#include "../tap.h"

#define N_ELEM 257
#define MM 7
#define KK 13
#define NN 5

struct job {
	enum spu_protocol proto;
	unsigned field;
	int fxp, party, nparties;
	struct spu_link *link;
	void *x[SPU_MAX_SHARES], *y[SPU_MAX_SHARES];	/* N_ELEM */
	void *a[SPU_MAX_SHARES], *b[SPU_MAX_SHARES];	/* MMxKK, KKxNN */
	void *mul, *mm, *mv, *addp, *xy_int;		/* opened results */
	void *mmid[2];		/* a b twice with a's id (matmul_id) */
	uint64_t mmid_bytes[2];
	const void *pub;				/* public N_ELEM */
	uint64_t mul_bytes, mul_rounds, trunc_bytes, trunc_rounds;
	int rc;
	struct spu_diag d;
};

static uint8_t session[32];

static void *
run(void *p)
{
	struct job *j = p;
	struct spu_mpc m;
	unsigned f = j->field;
	void *z[SPU_MAX_SHARES], *w[SPU_MAX_SHARES];
	uint64_t b0, r0;

	j->rc = spu_mpc_init(&m, j->proto, j->party, j->nparties, f, j->fxp,
	    j->link, session, &j->d);
	if (j->rc)
		return NULL;
	for (int s = 0; s < 2; s++) {
		z[s] = spu_ring_alloc(f, N_ELEM);
		w[s] = spu_ring_alloc(f, MM * NN);
	}
	/* fixed-point product */
	b0 = j->link ? spu_link_stats(j->link)->bytes_sent : 0;
	r0 = j->link ? spu_link_stats(j->link)->rounds : 0;
	if ((j->rc = m.ops->mul(&m, z, j->x, j->y, N_ELEM)))
		goto out;
	if (j->link) {
		j->mul_bytes = spu_link_stats(j->link)->bytes_sent - b0;
		j->mul_rounds = spu_link_stats(j->link)->rounds - r0;
	}
	/* integer product: open before truncating */
	if ((j->rc = m.ops->open(&m, j->xy_int, z, N_ELEM)))
		goto out;
	b0 = j->link ? spu_link_stats(j->link)->bytes_sent : 0;
	r0 = j->link ? spu_link_stats(j->link)->rounds : 0;
	if ((j->rc = m.ops->trunc(&m, z, z, N_ELEM, (unsigned)j->fxp)))
		goto out;
	if (j->link) {
		j->trunc_bytes = spu_link_stats(j->link)->bytes_sent - b0;
		j->trunc_rounds = spu_link_stats(j->link)->rounds - r0;
	}
	if ((j->rc = m.ops->open(&m, j->mul, z, N_ELEM)))
		goto out;
	/* matmul */
	if ((j->rc = m.ops->matmul(&m, w, j->a, j->b, 1, MM, KK, NN)))
		goto out;
	if ((j->rc = m.ops->trunc(&m, w, w, MM * NN, (unsigned)j->fxp)))
		goto out;
	if ((j->rc = m.ops->open(&m, j->mm, w, MM * NN)))
		goto out;
	/* a b twice, a carrying an id: the second product reuses a's
	 * mask where the protocol keeps it (semi2k) */
	for (int r = 0; r < 2 && m.ops->matmul_id != NULL; r++) {
		static const uint64_t id[2] = { 7, 0 };
		b0 = j->link ? spu_link_stats(j->link)->bytes_sent : 0;
		if ((j->rc = m.ops->matmul_id(&m, w, j->a, j->b, 1, MM, KK, NN,
		    id)))
			goto out;
		if (j->link)
			j->mmid_bytes[r] = spu_link_stats(j->link)->bytes_sent -
			    b0;
		if ((j->rc = m.ops->trunc(&m, w, w, MM * NN,
		    (unsigned)j->fxp)) ||
		    (j->rc = m.ops->open(&m, j->mmid[r], w, MM * NN)))
			goto out;
	}
	/* row 0 of a times b: the left operand the smaller one */
	if ((j->rc = m.ops->matmul(&m, w, j->a, j->b, 1, 1, KK, NN)) ||
	    (j->rc = m.ops->trunc(&m, w, w, NN, (unsigned)j->fxp)) ||
	    (j->rc = m.ops->open(&m, j->mv, w, NN)))
		goto out;
	/* add a public value */
	m.ops->add_p(&m, z, j->x, j->pub, N_ELEM);
	j->rc = m.ops->open(&m, j->addp, z, N_ELEM);
out:
	for (int s = 0; s < 2; s++) {
		free(z[s]);
		free(w[s]);
	}
	spu_mpc_fini(&m);
	return NULL;
}

static double
rnd(double lo, double hi)
{
	return lo + (hi - lo) * (randombytes_uniform(1u << 30) / (double)(1u << 30));
}

static void
check(enum spu_protocol proto, unsigned field, int nparties)
{
	int fxp = spu_fxp_default(field);
	double lim = field == 32 ? 8 : 100;
	double xs[N_ELEM], ys[N_ELEM], ps[N_ELEM], as[MM * KK], bs[KK * NN];
	void *xr = spu_ring_alloc(field, N_ELEM), *yr = spu_ring_alloc(field, N_ELEM);
	void *ar = spu_ring_alloc(field, MM * KK), *br = spu_ring_alloc(field, KK * NN);
	void *pr = spu_ring_alloc(field, N_ELEM);
	void *xs_sh[SPU_MAX_PARTIES][SPU_MAX_SHARES], *ys_sh[SPU_MAX_PARTIES][SPU_MAX_SHARES];
	void *as_sh[SPU_MAX_PARTIES][SPU_MAX_SHARES], *bs_sh[SPU_MAX_PARTIES][SPU_MAX_SHARES];
	struct spu_link *links[SPU_MAX_PARTIES] = { NULL };
	struct job jobs[SPU_MAX_PARTIES];
	pthread_t tid[SPU_MAX_PARTIES];
	struct spu_diag d;
	double worst_mul = 0, worst_mm = 0, worst_add = 0, worst_mmid = 0;
	int nsh = spu_protocol_nshares(proto), failed = 0, int_ok = 1;
	const char *pn = spu_protocol_name(proto);

	for (int i = 0; i < N_ELEM; i++) {
		xs[i] = rnd(-lim, lim);
		ys[i] = rnd(-lim, lim);
		ps[i] = rnd(-lim, lim);
		spu_ring_set(field, xr, i, spu_fxp_encode_f64(field, fxp, xs[i]));
		spu_ring_set(field, yr, i, spu_fxp_encode_f64(field, fxp, ys[i]));
		spu_ring_set(field, pr, i, spu_fxp_encode_f64(field, fxp, ps[i]));
	}
	for (int i = 0; i < MM * KK; i++) {
		as[i] = rnd(-4, 4);
		spu_ring_set(field, ar, i, spu_fxp_encode_f64(field, fxp, as[i]));
	}
	for (int i = 0; i < KK * NN; i++) {
		bs[i] = rnd(-4, 4);
		spu_ring_set(field, br, i, spu_fxp_encode_f64(field, fxp, bs[i]));
	}
	for (int p = 0; p < nparties; p++)
		for (int s = 0; s < nsh; s++) {
			xs_sh[p][s] = spu_ring_alloc(field, N_ELEM);
			ys_sh[p][s] = spu_ring_alloc(field, N_ELEM);
			as_sh[p][s] = spu_ring_alloc(field, MM * KK);
			bs_sh[p][s] = spu_ring_alloc(field, KK * NN);
		}
	spu_deal_split(proto, field, nparties, xr, N_ELEM, xs_sh);
	spu_deal_split(proto, field, nparties, yr, N_ELEM, ys_sh);
	spu_deal_split(proto, field, nparties, ar, MM * KK, as_sh);
	spu_deal_split(proto, field, nparties, br, KK * NN, bs_sh);
	if (nparties > 1 && spu_link_local(nparties, 5000, links, &d) != 0) {
		ok(0, "%s/%u/%d: local links: %s", pn, field, nparties, d.msg);
		return;
	}
	for (int p = 0; p < nparties; p++) {
		memset(&jobs[p], 0, sizeof(jobs[p]));
		jobs[p] = (struct job){ .proto = proto, .field = field,
		    .fxp = fxp, .party = p, .nparties = nparties,
		    .link = links[p], .pub = pr };
		for (int s = 0; s < nsh; s++) {
			jobs[p].x[s] = xs_sh[p][s];
			jobs[p].y[s] = ys_sh[p][s];
			jobs[p].a[s] = as_sh[p][s];
			jobs[p].b[s] = bs_sh[p][s];
		}
		jobs[p].mul = spu_ring_alloc(field, N_ELEM);
		jobs[p].xy_int = spu_ring_alloc(field, N_ELEM);
		jobs[p].addp = spu_ring_alloc(field, N_ELEM);
		jobs[p].mm = spu_ring_alloc(field, MM * NN);
		jobs[p].mv = spu_ring_alloc(field, NN);
		jobs[p].mmid[0] = spu_ring_alloc(field, MM * NN);
		jobs[p].mmid[1] = spu_ring_alloc(field, MM * NN);
		pthread_create(&tid[p], NULL, run, &jobs[p]);
	}
	for (int p = 0; p < nparties; p++)
		pthread_join(tid[p], NULL);
	for (int p = 0; p < nparties; p++)
		if (jobs[p].rc) {
			failed = 1;
			diag("party %d: %s", p, jobs[p].d.msg);
		}
	ok(!failed, "%s field %u, %d parties: all parties finish", pn, field,
	    nparties);
	if (failed)
		return;
	for (int i = 0; i < N_ELEM; i++) {
		double xe = spu_fxp_decode_f64(field, fxp, spu_ring_get(field, xr, i));
		double ye = spu_fxp_decode_f64(field, fxp, spu_ring_get(field, yr, i));
		double got = spu_fxp_decode_f64(field, fxp,
		    spu_ring_get(field, jobs[i % nparties].mul, i));
		double tol = (fabs(xs[i]) + fabs(ys[i]) + 4) * ldexp(1, -fxp);
		double e = fabs(got - xs[i] * ys[i]);
		spu_u128 want_int = spu_ring_get(field, xr, i) * spu_ring_get(field, yr, i);
		if (e / tol > worst_mul)
			worst_mul = e / tol;
		if (((spu_ring_get(field, jobs[0].xy_int, i) ^ want_int) &
		    (field == 128 ? ~(spu_u128)0 : (((spu_u128)1 << field) - 1))) != 0)
			int_ok = 0;
		got = spu_fxp_decode_f64(field, fxp,
		    spu_ring_get(field, jobs[0].addp, i));
		e = fabs(got - (xe + spu_fxp_decode_f64(field, fxp,
		    spu_ring_get(field, pr, i))));
		if (e > worst_add)
			worst_add = e;
		(void)ye;
	}
	for (int r = 0; r < MM; r++)
		for (int c = 0; c < NN; c++) {
			double want = 0, abssum = 0;
			for (int k = 0; k < KK; k++) {
				want += as[r * KK + k] * bs[k * NN + c];
				abssum += fabs(as[r * KK + k]) + fabs(bs[k * NN + c]);
			}
			double got = spu_fxp_decode_f64(field, fxp,
			    spu_ring_get(field, jobs[nparties - 1].mm, r * NN + c));
			double tol = (abssum + 4) * ldexp(1, -fxp);
			if (fabs(got - want) / tol > worst_mm)
				worst_mm = fabs(got - want) / tol;
			if (r == 0) {
				got = spu_fxp_decode_f64(field, fxp,
				    spu_ring_get(field, jobs[0].mv, c));
				if (fabs(got - want) / tol > worst_mm)
					worst_mm = fabs(got - want) / tol;
			}
			for (int q = 0; q < 2 && proto == SPU_SEMI2K; q++) {
				spu_u128 gw = spu_ring_get(field,
				    jobs[0].mmid[q], r * NN + c);
				got = spu_fxp_decode_f64(field, fxp, gw);
				if (fabs(got - want) / tol > worst_mmid)
					worst_mmid = fabs(got - want) / tol;
			}
		}
	ok(int_ok, "%s field %u, %d parties: integer products exact", pn,
	    field, nparties);
	ok(worst_mul <= 1, "%s field %u, %d parties: fxp mul within tolerance "
	    "(worst %.3f of it)", pn, field, nparties, worst_mul);
	ok(worst_mm <= 1, "%s field %u, %d parties: fxp matmul (and a row "
	    "times it) within tolerance (worst %.3f of it)", pn, field,
	    nparties, worst_mm);
	ok(worst_add == 0, "%s field %u, %d parties: add public exact", pn,
	    field, nparties);
	if (proto == SPU_SEMI2K) {
		/* the first product opens both operands, the second only b:
		 * K words per element to each peer, an 8-byte frame each */
		size_t K = field / 8;
		uint64_t w0 = (uint64_t)(K * (MM * KK + KK * NN) + 8) *
		    (nparties - 1), w1 = (uint64_t)(K * KK * NN + 8) *
		    (nparties - 1);
		ok(worst_mmid <= 1 && jobs[1].mmid_bytes[0] == w0 &&
		    jobs[1].mmid_bytes[1] == w1, "%s field %u, %d parties: a "
		    "kept matmul mask: right twice (worst %.3f), %llu then "
		    "%llu bytes (got %llu, %llu)", pn, field, nparties,
		    worst_mmid, (unsigned long long)w0, (unsigned long long)w1,
		    (unsigned long long)jobs[1].mmid_bytes[0],
		    (unsigned long long)jobs[1].mmid_bytes[1]);
	}
	if (proto != SPU_REF2K) {
		/* one round; bytes as protocols.md says plus one 8-byte frame
		 * header per message */
		size_t K = field / 8;
		uint64_t want = proto == SPU_ABY3 ? K * N_ELEM + 8 :
		    (uint64_t)(2 * K * N_ELEM + 8) * (nparties - 1);
		ok(jobs[1].mul_rounds == 1 && jobs[1].mul_bytes == want,
		    "%s field %u, %d parties: mul costs 1 round, %llu bytes "
		    "(got %llu rounds, %llu bytes)", pn, field, nparties,
		    (unsigned long long)want,
		    (unsigned long long)jobs[1].mul_rounds,
		    (unsigned long long)jobs[1].mul_bytes);
		/* truncation: TruncAPr2 with a 4-byte wrap product for two
		 * semi2k parties (1 round) and aby3 (2 rounds, then the
		 * reshare), TruncAPr for more semi2k parties */
		uint64_t tb = 0, tr = 0, wb, wr;
		for (int p = 0; p < nparties; p++) {
			if (jobs[p].trunc_bytes > tb)
				tb = jobs[p].trunc_bytes;
			if (jobs[p].trunc_rounds > tr)
				tr = jobs[p].trunc_rounds;
		}
		if (proto == SPU_ABY3)
			wb = (4 + K) * N_ELEM + 16, wr = 2;
		else if (nparties == 2)
			wb = 4 * N_ELEM + 8, wr = 1;
		else
			wb = (uint64_t)(K * N_ELEM + 8) * (nparties - 1), wr = 1;
		ok(tb == wb && tr == wr, "%s field %u, %d parties: trunc costs "
		    "%llu rounds, %llu bytes at most (got %llu, %llu)", pn,
		    field, nparties, (unsigned long long)wr,
		    (unsigned long long)wb, (unsigned long long)tr,
		    (unsigned long long)tb);
	}
	for (int p = 0; p < nparties; p++) {
		spu_link_free(links[p]);
		for (int s = 0; s < nsh; s++) {
			free(xs_sh[p][s]); free(ys_sh[p][s]);
			free(as_sh[p][s]); free(bs_sh[p][s]);
		}
		free(jobs[p].mul); free(jobs[p].xy_int);
		free(jobs[p].addp); free(jobs[p].mm); free(jobs[p].mv);
		free(jobs[p].mmid[0]); free(jobs[p].mmid[1]);
	}
	free(xr); free(yr); free(ar); free(br); free(pr);
}

int
main(void)
{
	static const unsigned fields[] = { 32, 64, 128 };

	if (sodium_init() < 0)
		return 99;
	randombytes_buf(session, sizeof(session));
	for (int f = 0; f < 3; f++) {
		check(SPU_REF2K, fields[f], 1);
		check(SPU_SEMI2K, fields[f], 2);
		check(SPU_SEMI2K, fields[f], 3);
		check(SPU_SEMI2K, fields[f], 5);
		check(SPU_ABY3, fields[f], 3);
	}
	return done_testing();
}
