/* mem.c - checked allocation. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mem.h"

static int
too_big(size_t n, size_t size)
{
	return size != 0 && (n > SIZE_MAX / size || n * size > SPU_MEM_LIMIT);
}

void *
spu_calloc(size_t n, size_t size)
{
	if (too_big(n, size))
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *
spu_malloc(size_t n, size_t size)
{
	if (too_big(n, size))
		return NULL;
	return malloc((n * size) != 0 ? n * size : 1);
}

void *
spu_realloc(void *p, size_t n, size_t size)
{
	if (too_big(n, size))
		return NULL;
	return realloc(p, (n * size) != 0 ? n * size : 1);
}

char *
spu_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *d = malloc(len);

	if (d != NULL)
		memcpy(d, s, len);
	return d;
}

void
spu_free_secret(void *p, size_t len)
{
	if (p == NULL)
		return;
	sodium_memzero(p, len);
	free(p);
}
