/*
 * mem.c - the large-buffer reuse of spu_mem_tune_for_run (mem.h): a
 * freed large buffer is handed to the next allocation it fits, wiped
 * ones come back zero for calloc, an allocation that fits none frees
 * the kept ones first (so the peak RSS is never raised), small buffers
 * and untuned processes are never kept, and every thread keeps its own.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "../tap.h"

#define MB ((size_t)1 << 20)

static int
all_zero(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* Another thread keeps its own buffers, not the main thread's. */
static void *
other_thread(void *arg)
{
	int *res = arg;
	void *p;

	res[0] = spu_mem_kept() == 0;
	p = spu_malloc(8 * MB, 1);
	spu_free_sized(p, 8 * MB);
	res[1] = spu_mem_kept() == 8 * MB && spu_malloc(8 * MB, 1) == p;
	free(p);
	spu_mem_release();
	return NULL;
}

int
main(void)
{
	unsigned char *a, *b, *c;
	pthread_t th;
	int res[2] = { 0, 0 };

	a = spu_malloc(8 * MB, 1);
	spu_free_sized(a, 8 * MB);
	ok(spu_mem_kept() == 0, "untuned: a freed 8 MiB buffer is not kept");

	spu_mem_tune_for_run();
	a = spu_malloc(8 * MB, 1);
	memset(a, 0xa5, 8 * MB);
	spu_free_secret(a, 8 * MB);
	ok(spu_mem_kept() == 8 * MB, "tuned: a freed 8 MiB buffer is kept");
	b = spu_calloc(8 * MB, 1);
	ok(b == a && spu_mem_kept() == 0,
	    "and handed to the next calloc of its size");
	ok(all_zero(b, 8 * MB), "wiped, so it comes back zero");

	memset(b, 0x5a, 8 * MB);
	spu_free_sized(b, 8 * MB);
	c = spu_calloc(7 * MB, 1);
	ok(c == b, "an unwiped one goes to a calloc up to 1.25x smaller");
	ok(all_zero(c, 7 * MB), "zeroed for it");
	spu_free_sized(c, 7 * MB);

	a = spu_malloc(4 * MB, 1);
	ok(a != NULL && spu_mem_kept() == 0,
	    "an allocation it does not fit frees every kept buffer first");
	spu_free_sized(a, 4 * MB);
	ok(spu_mem_kept() == 4 * MB, "and its own buffer is kept in turn");

	b = spu_malloc(MB, 1);
	spu_free_sized(b, MB);
	ok(spu_mem_kept() == 4 * MB, "1 MiB buffers are freed at once");

	if (pthread_create(&th, NULL, other_thread, res) == 0) {
		pthread_join(th, NULL);
		ok(res[0], "another thread does not see this one's buffers");
		ok(res[1], "and reuses its own");
	} else {
		ok(0, "thread created");
	}
	ok(spu_mem_kept() == 4 * MB, "this thread's are still kept");
	spu_mem_release();
	ok(spu_mem_kept() == 0, "spu_mem_release frees them (and ASan sees "
	    "no leak)");
	return done_testing();
}
