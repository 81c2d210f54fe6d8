/*
 * ref2k.c - the cleartext reference protocol: a "share" is the value
 * itself on every party, every operation the exact ring operation, and
 * truncation rounds to nearest.  No communication, no security.
 */
#include "config.h"

#include "mpc.h"
#include "boolean.h"

static void
ref2k_p2s(struct spu_mpc *m, void *const z[], const void *p, size_t n)
{
	spu_ring_copy(m->field, z[0], p, n);
}

static void
ref2k_add_p(struct spu_mpc *m, void *const z[], void *const x[],
    const void *p, size_t n)
{
	spu_ring_add(m->field, z[0], x[0], p, n);
}

static int
ref2k_open(struct spu_mpc *m, void *out, void *const x[], size_t n)
{
	spu_ring_copy(m->field, out, x[0], n);
	return 0;
}

static int
ref2k_mul(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n)
{
	spu_ring_mul(m->field, z[0], x[0], y[0], n);
	return 0;
}

static int
ref2k_matmul(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t batch, size_t mm, size_t k, size_t nn)
{
	spu_ring_matmul(m->field, z[0], x[0], y[0], batch, mm, k, nn);
	return 0;
}

static int
ref2k_trunc(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    unsigned bits)
{
	spu_ring_trunc_round(m->field, z[0], x[0], bits, n);
	return 0;
}

/* Boolean shares: the value itself. */
static int
ref2k_nparts(struct spu_mpc *m)
{
	(void)m;
	return 1;
}

static void
ref2k_part_b(struct spu_mpc *m, void *const z[], void *const x[], int j,
    size_t n)
{
	(void)j;
	spu_ring_copy(m->field, z[0], x[0], n);
}

static int
ref2k_and_p(struct spu_mpc *m, uint8_t *const z[], uint8_t *const x[],
    uint8_t *const y[], size_t len)
{
	(void)m;
	spu_bytes_and(z[0], x[0], y[0], len);
	return 0;
}

static int
ref2k_and_pv(struct spu_mpc *m, uint8_t *const z[], const uint8_t *const *x[],
    const uint8_t *const *y[], size_t np, size_t pb)
{
	(void)m;
	for (size_t q = 0; q < np; q++)
		spu_bytes_and(z[0] + q * pb, x[0][q], y[0][q], pb);
	return 0;
}

static int
ref2k_b2a(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    unsigned bits)
{
	(void)bits;
	spu_ring_copy(m->field, z[0], x[0], n);
	return 0;
}

const struct spu_proto_ops spu_ref2k_ops = {
	.p2s = ref2k_p2s,
	.add_p = ref2k_add_p,
	.open = ref2k_open,
	.mul = ref2k_mul,
	.matmul = ref2k_matmul,
	.trunc = ref2k_trunc,
	.nparts = ref2k_nparts,
	.part_b = ref2k_part_b,
	.and_b = spu_b_and_words,
	.and_p = ref2k_and_p,
	.and_pv = ref2k_and_pv,
	.b2a = ref2k_b2a,
};
