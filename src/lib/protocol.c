/* protocol.c - protocol names and static properties. */
#include "config.h"

#include <string.h>

#include "protocol.h"

static const char *const names[] = { "ref2k", "semi2k", "aby3" };

const char *
spu_protocol_name(enum spu_protocol p)
{
	return (unsigned)p < 3 ? names[p] : "?";
}

int
spu_protocol_parse(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

int
spu_protocol_nshares(enum spu_protocol p)
{
	return p == SPU_ABY3 ? 2 : 1;
}

int
spu_protocol_parties_ok(enum spu_protocol p, int n)
{
	switch (p) {
	case SPU_REF2K: return n >= 1 && n <= SPU_MAX_PARTIES;
	case SPU_SEMI2K: return n >= 2 && n <= SPU_MAX_PARTIES;
	case SPU_ABY3: return n == 3;
	}
	return 0;
}
