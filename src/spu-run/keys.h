/*
 * keys.h - long-term party key pairs (crypto_kx) for authenticated links,
 * and peer lists that pair each address with its expected public key:
 *   HOST:PORT=PUBKEY,HOST:PORT=PUBKEY,...   (PUBKEY: 64 hex digits)
 */
#ifndef SPU_RUN_KEYS_H
#define SPU_RUN_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "link.h"
#include "protocol.h"

/* Write a new key pair to path (mode 0600, atomically) and put the public
 * key in hex into pkhex. */
int keys_generate(const char *path, char pkhex[2 * SPU_LINK_KEYBYTES + 1],
    struct spu_diag *d);
int keys_load(const char *path, uint8_t pk[SPU_LINK_KEYBYTES],
    uint8_t sk[SPU_LINK_KEYBYTES], struct spu_diag *d);
/* Split a peers spec into the address list (for spu_link_parse_peers)
 * and the keys.  *nkeys = how many entries carried a key (0 or all). */
int keys_split_peers(const char *spec, char *addrs, size_t len,
    uint8_t keys[][SPU_LINK_KEYBYTES], int max, int *nkeys,
    struct spu_diag *d);

#endif
