/*
 * semi2k_int.h - what semi2k.c and semi2k_beaver.c (its Beaver
 * products and their mask cache) share.
 */
#ifndef SPU_MPC_SEMI2K_INT_H
#define SPU_MPC_SEMI2K_INT_H

#include <stddef.h>
#include <stdint.h>

#include "mpc.h"

/* Bytes of the dealer streams party 0 replays at a time (a multiple of
 * the ChaCha20 block and of every ring word). */
#define SPU_SEMI2K_REPLAY 8192

/* All-gather of width words per party and sum: out = sum_i mine_i (out
 * may be mine).  1 round, K width (N-1) bytes per party. */
int spu_semi2k_allreduce_add(struct spu_mpc *m, void *out, const void *mine,
    size_t width);

int spu_semi2k_mul(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n);
int spu_semi2k_matmul(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t batch, size_t mm, size_t k, size_t nn);
int spu_semi2k_matmul_id(struct spu_mpc *m, void *const z[],
    void *const x[], void *const y[], size_t batch, size_t mm, size_t k,
    size_t nn, const uint64_t id[2]);
int spu_semi2k_matmul_map(struct spu_mpc *m, void *const z[],
    void *const x[], size_t nx, const struct spu_patch_map *pm,
    void *const y[], size_t nn, const uint64_t id[2]);
void spu_semi2k_forget(struct spu_mpc *m);

#endif
