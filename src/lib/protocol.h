/*
 * protocol.h - the protocol identifiers and their static properties,
 * shared by every tool (no computation here).
 */
#ifndef SPU_PROTOCOL_H
#define SPU_PROTOCOL_H

enum spu_protocol { SPU_REF2K = 0, SPU_SEMI2K = 1, SPU_ABY3 = 2 };

const char *spu_protocol_name(enum spu_protocol p);
int spu_protocol_parse(const char *name);		/* -1 if unknown */
/* Ring vectors one party holds per secret value (1, 1, 2). */
int spu_protocol_nshares(enum spu_protocol p);
/* Valid party counts: ref2k 1..16, semi2k 2..16, aby3 3. */
int spu_protocol_parties_ok(enum spu_protocol p, int nparties);
#define SPU_MAX_PARTIES 16

#endif
