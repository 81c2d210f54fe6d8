/*
 * fxpcfg.c - method names of the fixed-point function library's
 * configuration (fxpcfg.h), for spu-run's options and for reports.
 */
#include "config.h"

#include <string.h>

#include "fxpcfg.h"

/* Per function: its names in enum order, NULL-terminated. */
static const struct {
	const char *fn;
	const char *choices;
	const char *names[6];
} tab[] = {
	{ "exp", "bits|taylor", { "bits", "taylor", NULL } },
	{ "log", "minimax|pade", { "minimax", "pade", NULL } },
	{ "sigmoid", "auto|pw|real|mm1|seg3",
	    { "auto", "pw", "real", "mm1", "seg3", NULL } },
	{ "tanh", "real|cheb", { "real", "cheb", NULL } },
};
#define NTAB (sizeof(tab) / sizeof(tab[0]))

static int *
slot(struct spu_fxp_config *c, unsigned i)
{
	switch (i) {
	case 0:
		return &c->exp;
	case 1:
		return &c->log;
	case 2:
		return &c->sigmoid;
	default:
		return &c->tanh;
	}
}

static int
find(const char *fn)
{
	for (unsigned i = 0; i < NTAB; i++)
		if (strcmp(tab[i].fn, fn) == 0)
			return (int)i;
	return -1;
}

int
spu_fxpcfg_set(struct spu_fxp_config *c, const char *fn, const char *name)
{
	int i = find(fn);

	if (i < 0)
		return -1;
	for (int j = 0; tab[i].names[j] != NULL; j++)
		if (strcmp(tab[i].names[j], name) == 0) {
			*slot(c, (unsigned)i) = j;
			return 0;
		}
	return -1;
}

const char *
spu_fxpcfg_name(const struct spu_fxp_config *c, const char *fn)
{
	struct spu_fxp_config t = *c;
	int i = find(fn), v;

	if (i < 0)
		return "?";
	v = *slot(&t, (unsigned)i);
	for (int j = 0; tab[i].names[j] != NULL; j++)
		if (j == v)
			return tab[i].names[j];
	return "?";
}

const char *
spu_fxpcfg_choices(const char *fn)
{
	int i = find(fn);

	return i < 0 ? "" : tab[i].choices;
}
