/* value.c - per-party values. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "value.h"

const char *
spu_vis_name(enum spu_vis v)
{
	return v == SPU_PUBLIC ? "public" : "secret";
}

struct spu_value *
spu_value_new(enum spu_dtype t, const struct spu_shape *s, enum spu_vis vis,
    unsigned field, int nshares)
{
	struct spu_value *v;
	int64_t n = spu_shape_numel(s);

	if (n < 0 || nshares < 1 || nshares > SPU_MAX_SHARES ||
	    !spu_field_valid(field))
		return NULL;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->dtype = t;
	v->shape = *s;
	v->n = (size_t)n;
	v->vis = vis;
	v->field = field;
	v->nshares = nshares;
	for (int i = 0; i < nshares; i++) {
		if ((v->share[i] = spu_ring_alloc(field, v->n)) == NULL) {
			spu_value_free(v);
			return NULL;
		}
	}
	return v;
}

void
spu_value_free(struct spu_value *v)
{
	if (v == NULL)
		return;
	for (int i = 0; i < SPU_MAX_SHARES; i++) {
		if (v->vis == SPU_SECRET)
			spu_free_secret(v->share[i], v->n * spu_ring_size(v->field));
		else
			free(v->share[i]);
	}
	free(v);
}

struct spu_value *
spu_value_dup(const struct spu_value *v)
{
	struct spu_value *c = spu_value_new(v->dtype, &v->shape, v->vis,
	    v->field, v->nshares);

	if (c == NULL)
		return NULL;
	for (int i = 0; i < v->nshares; i++)
		spu_ring_copy(v->field, c->share[i], v->share[i], v->n);
	c->xor_shared = v->xor_shared;
	return c;
}
