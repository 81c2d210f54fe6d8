/*
 * ring.h - vectors over Z_2^k for k = 32, 64, 128.
 *
 * A ring vector is a plain buffer of n words of k/8 bytes (uint32_t,
 * uint64_t or unsigned __int128), little-endian host order.  Every kernel
 * takes the field and the element count explicitly; outputs may alias
 * inputs.  These are the tight loops everything above is built on.
 */
#ifndef SPU_RING_H
#define SPU_RING_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 spu_u128;
typedef __int128 spu_i128;

/* Bytes per ring word; 0 if field is not 32, 64 or 128. */
size_t spu_ring_size(unsigned field);
int spu_field_valid(unsigned field);

/* Generic element access (slow path: I/O, tests, small tensors). */
spu_u128 spu_ring_get(unsigned field, const void *x, size_t i);
void spu_ring_set(unsigned field, void *x, size_t i, spu_u128 v);
/* Sign-extend word i to 128 bits. */
spu_i128 spu_ring_get_signed(unsigned field, const void *x, size_t i);

void *spu_ring_alloc(unsigned field, size_t n);	/* zeroed; NULL on failure */
void spu_ring_zero(unsigned field, void *x, size_t n);
void spu_ring_copy(unsigned field, void *z, const void *x, size_t n);

void spu_ring_add(unsigned field, void *z, const void *x, const void *y, size_t n);
void spu_ring_sub(unsigned field, void *z, const void *x, const void *y, size_t n);
void spu_ring_mul(unsigned field, void *z, const void *x, const void *y, size_t n);
/* z += c x for a public word c. */
void spu_ring_axpy(unsigned field, void *z, const void *x, spu_u128 c,
    size_t n);
/* z += a*b + c*d: a Beaver product's local terms in one pass. */
void spu_ring_mac2(unsigned field, void *z, const void *a, const void *b,
    const void *c, const void *d, size_t n);
/* z = x0 (y0 + y1) + x1 y0: a replicated product's local part, one
 * pass (z may be any of the operands). */
void spu_ring_cross(unsigned field, void *z, const void *x0, const void *x1,
    const void *y0, const void *y1, size_t n);
void spu_ring_neg(unsigned field, void *z, const void *x, size_t n);
void spu_ring_xor(unsigned field, void *z, const void *x, const void *y, size_t n);
void spu_ring_and(unsigned field, void *z, const void *x, const void *y, size_t n);
void spu_ring_not(unsigned field, void *z, const void *x, size_t n);
/* z = x + c, z = x * c for a scalar c (truncated to the field). */
void spu_ring_add_scalar(unsigned field, void *z, const void *x, spu_u128 c, size_t n);
void spu_ring_mul_scalar(unsigned field, void *z, const void *x, spu_u128 c, size_t n);
/* Shifts by s < k bits: left, logical right, arithmetic right. */
void spu_ring_lshift(unsigned field, void *z, const void *x, unsigned s, size_t n);
void spu_ring_rshift(unsigned field, void *z, const void *x, unsigned s, size_t n);
void spu_ring_arshift(unsigned field, void *z, const void *x, unsigned s, size_t n);
/* Round-to-nearest arithmetic shift: (x >>a s) + bit (s-1) of x. */
void spu_ring_trunc_round(unsigned field, void *z, const void *x, unsigned s, size_t n);

/* z[b] = x[b] . y[b] for b < batch, x[b] m*k, y[b] k*n, z[b] m*n, all row
 * major and contiguous.  z must not alias x or y.  Blocked; threads over
 * rows when the product is large. */
void spu_ring_matmul(unsigned field, void *z, const void *x, const void *y,
    size_t batch, size_t m, size_t k, size_t n);

#endif
