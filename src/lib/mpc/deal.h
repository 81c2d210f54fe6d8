/*
 * deal.h - offline sharing and reconstruction (spu-share, spu-reveal).
 *
 * ref2k: every party holds the value itself.  semi2k: additive shares,
 * x = sum_i x_i.  aby3: x = s0 + s1 + s2, party i holds (s_i, s_{i+1}).
 * Randomness comes from libsodium's randombytes.
 */
#ifndef SPU_MPC_DEAL_H
#define SPU_MPC_DEAL_H

#include <stddef.h>

#include "../err.h"
#include "../protocol.h"
#include "../value.h"

/* out[i][j]: party i's j-th share vector, n words each, allocated by the
 * caller (j < spu_protocol_nshares(p)). */
void spu_deal_split(enum spu_protocol p, unsigned field, int nparties,
    const void *x, size_t n, void *out[][SPU_MAX_SHARES]);
/* Reconstruct x from all parties' shares (in party order).  For aby3 the
 * redundant copies are cross-checked: SPU_EPROTO if they disagree. */
int spu_deal_join(enum spu_protocol p, unsigned field, int nparties,
    void *const in[][SPU_MAX_SHARES], void *x, size_t n);

#endif
