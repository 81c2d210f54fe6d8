/* mem.c - checked allocation. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <sodium.h>

#include "mem.h"

/* Buffers this large ask for transparent huge pages once tuned. */
#define HUGE_MIN ((size_t)4 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Freed large buffers kept for the next large allocation, per thread
 * (under --simulate every party is a thread). */
#define CACHE_MAX 8

struct cached {
	void *p;
	size_t len;	/* usable bytes */
	int zero;	/* wiped, so all zero */
};

static int tuned;
static _Thread_local struct cached cache[CACHE_MAX];
static _Thread_local int ncached;

/*
 * An op allocates and frees buffers of tens of megabytes; each fresh
 * one costs a page fault per 4 KiB page and the kernel's zeroing of it
 * (half of a 10^6-element comparison's time).  Once tuned:
 *  - large buffers are backed by huge pages (512 times fewer faults);
 *  - a freed large buffer is kept and handed to the next allocation it
 *    fits (at most 1.25 times the size); an allocation that fits none
 *    first frees them all, so the cache never raises the peak RSS: it
 *    only holds memory the process already held a moment before.
 * Keeping freed buffers in glibc's heap instead (mallopt) grew the peak
 * RSS by up to 45% through fragmentation.
 */
void
spu_mem_tune_for_run(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
	/* Large buffers in mappings of their own, given back when freed:
	 * glibc would raise its threshold to the largest buffer freed (up
	 * to 32 MiB) and serve those from the heap, where huge-page advice
	 * outlives them and small allocations fault in whole huge pages. */
	(void)mallopt(M_MMAP_THRESHOLD, (int)HUGE_MIN);
#endif
	tuned = 1;
}

void
spu_mem_release(void)
{
	for (int i = 0; i < ncached; i++)
		free(cache[i].p);
	ncached = 0;
}

size_t
spu_mem_kept(void)
{
	size_t t = 0;

	for (int i = 0; i < ncached; i++)
		t += cache[i].len;
	return t;
}

static void *
take(size_t len, int zero)
{
	int best = -1;
	void *p;

	if (!tuned || len < HUGE_MIN)
		return NULL;
	for (int i = 0; i < ncached; i++)
		if (cache[i].len >= len && cache[i].len - len <= len / 4 &&
		    (best < 0 || cache[i].len < cache[best].len))
			best = i;
	if (best < 0) {
		spu_mem_release();
		return NULL;
	}
	p = cache[best].p;
	if (zero && !cache[best].zero)
		memset(p, 0, len);
	cache[best] = cache[--ncached];
	return p;
}

static int
put(void *p, size_t len, int zero)
{
	if (!tuned || len < HUGE_MIN)
		return 0;
	if (ncached == CACHE_MAX) {
		free(cache[0].p);
		cache[0] = cache[--ncached];
	}
	cache[ncached].p = p;
	cache[ncached].len = len;
	cache[ncached].zero = zero;
	ncached++;
	return 1;
}

static void *
advise(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	if (tuned && p != NULL && len >= HUGE_MIN) {
		uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		uintptr_t e = ((uintptr_t)p + len) & ~(HUGE_PAGE - 1);
		if (e > a)
			(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
	}
#endif
	return p;
}

static int
too_big(size_t n, size_t size)
{
	return size != 0 && (n > SIZE_MAX / size || n * size > SPU_MEM_LIMIT);
}

void *
spu_calloc(size_t n, size_t size)
{
	void *p;

	if (too_big(n, size))
		return NULL;
	if ((p = take(n * size, 1)) != NULL)
		return p;
	return advise(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *
spu_malloc(size_t n, size_t size)
{
	void *p;

	if (too_big(n, size))
		return NULL;
	if ((p = take(n * size, 0)) != NULL)
		return p;
	return advise(malloc((n * size) != 0 ? n * size : 1), n * size);
}

void *
spu_realloc(void *p, size_t n, size_t size)
{
	if (too_big(n, size))
		return NULL;
	return advise(realloc(p, (n * size) != 0 ? n * size : 1), n * size);
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
	if (!put(p, len, 1))
		free(p);
}

void
spu_free_sized(void *p, size_t len)
{
	if (p != NULL && !put(p, len, 0))
		free(p);
}
