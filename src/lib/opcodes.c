/* opcodes.c - names and arities generated from the opcode list. */
#include "config.h"

#include <string.h>

#include "opcodes.h"

static const struct {
	const char *name;
	int lo, hi;
} ops[SPU_OP_COUNT] = {
#define SPU_OP_ROW(name, str, lo, hi) { str, lo, hi },
	SPU_OPCODE_LIST(SPU_OP_ROW)
#undef SPU_OP_ROW
};

static const char *const attrs[SPU_ATTR_COUNT] = {
#define SPU_ATTR_ROW(name, str) str,
	SPU_ATTR_LIST(SPU_ATTR_ROW)
#undef SPU_ATTR_ROW
};

const char *
spu_op_name(enum spu_op op)
{
	return (unsigned)op < SPU_OP_COUNT ? ops[op].name : "?";
}

int
spu_op_parse(const char *name)
{
	for (int i = 0; i < SPU_OP_COUNT; i++)
		if (strcmp(ops[i].name, name) == 0)
			return i;
	return -1;
}

int
spu_op_min_inputs(enum spu_op op)
{
	return (unsigned)op < SPU_OP_COUNT ? ops[op].lo : 0;
}

int
spu_op_max_inputs(enum spu_op op)
{
	return (unsigned)op < SPU_OP_COUNT ? ops[op].hi : 0;
}

const char *
spu_attr_name(enum spu_attr_key k)
{
	return (unsigned)k < SPU_ATTR_COUNT ? attrs[k] : "?";
}
