/*
 * attr.c - readers for the raw attribute values the parser keeps
 * (dimensions={1,2}, slice={[0:4:1]}, padding=0_0x1_1_1, window={...},
 * dim_labels=b01f_01io->b01f, to_apply=%f, branch_computations={%a,%b}).
 * Each reader checks the whole value and reports a bad one at the
 * attribute's line and column.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hlo.h"

struct scan {
	const char *p;
	struct hlo_module *m;
	const struct hlo_attr *a;
	struct spu_diag *d;
};

static int
bad(struct scan *s, const char *what)
{
	return hlo_fail(s->d, SPU_EFORMAT, s->m->file, s->a->loc,
	    "bad %s value '%.60s'%s: %s", s->a->name, s->a->val,
	    strlen(s->a->val) > 60 ? "..." : "", what);
}

static void
skip(struct scan *s)
{
	for (;;) {
		while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
		    *s->p == '\r')
			s->p++;
		if (s->p[0] == '/' && s->p[1] == '*') {
			const char *e = strstr(s->p + 2, "*/");

			s->p = e != NULL ? e + 2 : s->p + strlen(s->p);
		} else
			return;
	}
}

static int
eat(struct scan *s, char c)
{
	skip(s);
	if (*s->p != c)
		return 0;
	s->p++;
	return 1;
}

static int
num(struct scan *s, int64_t *v)
{
	char *end;
	long long x;

	skip(s);
	if (!(isdigit((unsigned char)*s->p) || (*s->p == '-' &&
	    isdigit((unsigned char)s->p[1]))))
		return bad(s, "expected an integer");
	errno = 0;
	x = strtoll(s->p, &end, 10);
	if (errno != 0 || x > SPU_MAX_ELEMS || x < -SPU_MAX_ELEMS)
		return bad(s, "integer out of range");
	s->p = end;
	*v = x;
	return 0;
}

static int
at_end(struct scan *s)
{
	skip(s);
	return *s->p == '\0' ? 0 : bad(s, "unexpected text at the end");
}

static void
init(struct scan *s, struct hlo_module *m, const struct hlo_attr *a,
    struct spu_diag *d)
{
	s->p = a->val;
	s->m = m;
	s->a = a;
	s->d = d;
}

int
hlo_attr_ints(struct hlo_module *m, const struct hlo_attr *a, int64_t **v,
    uint32_t *n, struct spu_diag *d)
{
	struct scan s;
	int64_t tmp[HLO_MAX_LIST];
	char close;
	int err;

	init(&s, m, a, d);
	*n = 0;
	*v = NULL;
	if (eat(&s, '{'))
		close = '}';
	else if (eat(&s, '['))
		close = ']';
	else
		return bad(&s, "expected '{'");
	if (!eat(&s, close)) {
		do {
			if (*n == HLO_MAX_LIST)
				return bad(&s, "list too long");
			if ((err = num(&s, &tmp[*n])) != 0)
				return err;
			(*n)++;
		} while (eat(&s, ','));
		if (!eat(&s, close))
			return bad(&s, "expected ',' or closing bracket");
	}
	if ((err = at_end(&s)) != 0)
		return err;
	if ((*v = hlo_alloc(m, *n ? *n : 1, sizeof(int64_t))) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	memcpy(*v, tmp, *n * sizeof(int64_t));
	return 0;
}

int
hlo_attr_int(struct hlo_module *m, const struct hlo_attr *a, int64_t *v,
    struct spu_diag *d)
{
	struct scan s;
	int err;

	init(&s, m, a, d);
	if ((err = num(&s, v)) != 0)
		return err;
	return at_end(&s);
}

int
hlo_attr_bool(struct hlo_module *m, const struct hlo_attr *a, int *v,
    struct spu_diag *d)
{
	struct scan s;

	init(&s, m, a, d);
	if (strcmp(a->val, "true") == 0)
		*v = 1;
	else if (strcmp(a->val, "false") == 0)
		*v = 0;
	else
		return bad(&s, "expected true or false");
	return 0;
}

int
hlo_attr_slice(struct hlo_module *m, const struct hlo_attr *a, int ndim,
    int64_t *start, int64_t *limit, int64_t *stride, struct spu_diag *d)
{
	struct scan s;
	int i = 0, err;

	init(&s, m, a, d);
	if (!eat(&s, '{'))
		return bad(&s, "expected '{'");
	if (!eat(&s, '}')) {
		do {
			if (i == ndim)
				return bad(&s, "more ranges than dimensions");
			if (!eat(&s, '['))
				return bad(&s, "expected '['");
			if ((err = num(&s, &start[i])) != 0)
				return err;
			if (!eat(&s, ':'))
				return bad(&s, "expected ':'");
			if ((err = num(&s, &limit[i])) != 0)
				return err;
			stride[i] = 1;
			if (eat(&s, ':') && (err = num(&s, &stride[i])) != 0)
				return err;
			if (!eat(&s, ']'))
				return bad(&s, "expected ']'");
			i++;
		} while (eat(&s, ','));
		if (!eat(&s, '}'))
			return bad(&s, "expected '}'");
	}
	if (i != ndim)
		return bad(&s, "need one range per dimension");
	return at_end(&s);
}

/* "a_bxc_d..." style: groups separated by 'x', parts by '_'. */
static int
groups(struct scan *s, int maxg, int nparts_lo, int nparts_hi,
    int64_t vals[][3], int *ng)
{
	int np, err;

	*ng = 0;
	skip(s);
	if (*s->p == '\0' || *s->p == ' ' || *s->p == '}')
		return 0;
	do {
		if (*ng == maxg)
			return bad(s, "too many dimensions");
		np = 0;
		do {
			if (np == nparts_hi)
				return bad(s, "too many parts");
			if ((err = num(s, &vals[*ng][np])) != 0)
				return err;
			np++;
		} while (*s->p == '_' && s->p++);
		if (np < nparts_lo)
			return bad(s, "too few parts");
		if (np < 3)
			vals[*ng][2] = 0;
		(*ng)++;
	} while (*s->p == 'x' && s->p++);
	return 0;
}

int
hlo_attr_padding(struct hlo_module *m, const struct hlo_attr *a, int ndim,
    int64_t *lo, int64_t *hi, int64_t *interior, struct spu_diag *d)
{
	int64_t v[SPU_MAX_DIMS][3];
	struct scan s;
	int ng, err;

	init(&s, m, a, d);
	if ((err = groups(&s, SPU_MAX_DIMS, 2, 3, v, &ng)) != 0)
		return err;
	if (ng != ndim)
		return bad(&s, "need one group per dimension");
	for (int i = 0; i < ng; i++) {
		lo[i] = v[i][0];
		hi[i] = v[i][1];
		interior[i] = v[i][2];
	}
	return at_end(&s);
}

int
hlo_attr_window(struct hlo_module *m, const struct hlo_attr *a,
    struct hlo_window *w, struct spu_diag *d)
{
	static const char *const keys[] = { "size", "stride", "pad",
	    "lhs_dilate", "rhs_dilate", "rhs_reversal" };
	int64_t v[SPU_MAX_DIMS][3];
	int seen[6] = { 0 }, ng, k, i, err;
	struct scan s;
	size_t kl;

	init(&s, m, a, d);
	memset(w, 0, sizeof(*w));
	w->ndim = -1;
	if (!eat(&s, '{'))
		return bad(&s, "expected '{'");
	while (!eat(&s, '}')) {
		skip(&s);
		for (k = 0; k < 6; k++) {
			kl = strlen(keys[k]);
			if (strncmp(s.p, keys[k], kl) == 0 && s.p[kl] == '=')
				break;
		}
		if (k == 6 || seen[k]++)
			return bad(&s, "unknown or repeated window field");
		s.p += strlen(keys[k]) + 1;
		if ((err = groups(&s, SPU_MAX_DIMS, k == 2 ? 2 : 1,
		    k == 2 ? 2 : 1, v, &ng)) != 0)
			return err;
		if (w->ndim >= 0 && ng != w->ndim)
			return bad(&s, "fields differ in dimension count");
		w->ndim = ng;
		for (i = 0; i < ng; i++) {
			switch (k) {
			case 0: w->size[i] = v[i][0]; break;
			case 1: w->stride[i] = v[i][0]; break;
			case 2:
				w->pad_lo[i] = v[i][0];
				w->pad_hi[i] = v[i][1];
				break;
			case 3: w->lhs_dilate[i] = v[i][0]; break;
			case 4: w->rhs_dilate[i] = v[i][0]; break;
			case 5: w->reversed |= v[i][0] != 0; break;
			}
		}
		if (*s.p != '\0' && *s.p != ' ' && *s.p != '}')
			return bad(&s, "expected a space or '}'");
	}
	if (w->ndim < 0)
		w->ndim = 0;
	if (!seen[0] && w->ndim > 0)
		return bad(&s, "missing size");
	for (i = 0; i < w->ndim; i++) {
		if (!seen[1])
			w->stride[i] = 1;
		if (!seen[3])
			w->lhs_dilate[i] = 1;
		if (!seen[4])
			w->rhs_dilate[i] = 1;
		if (w->size[i] < 1 || w->stride[i] < 1 ||
		    w->lhs_dilate[i] < 1 || w->rhs_dilate[i] < 1)
			return bad(&s, "sizes, strides and dilations must "
			    "be positive");
	}
	return at_end(&s);
}

/* One side of dim_labels: letters a, b at their positions, digits for
 * spatial dims.  Returns the rank. */
static int
labels(struct scan *s, char a, char b, int *pa, int *pb, int *sp, int *nsp)
{
	int n = 0, seen = 0;

	*pa = *pb = -1;
	for (; *s->p != '\0' && *s->p != '_' && *s->p != '-'; s->p++, n++) {
		if (n == SPU_MAX_DIMS)
			return bad(s, "too many dimensions");
		if (*s->p == a && *pa < 0)
			*pa = n;
		else if (*s->p == b && *pb < 0)
			*pb = n;
		else if (*s->p >= '0' && *s->p <= '9' &&
		    !(seen & (1 << (*s->p - '0'))) &&
		    *s->p - '0' < SPU_MAX_DIMS) {
			seen |= 1 << (*s->p - '0');
			sp[*s->p - '0'] = n;
		} else
			return bad(s, "unexpected label");
	}
	if (*pa < 0 || *pb < 0)
		return bad(s, "missing a label");
	if (seen != (1 << (n - 2)) - 1)
		return bad(s, "spatial labels must be 0..n-1");
	*nsp = n - 2;
	return 0;
}

int
hlo_attr_dim_labels(struct hlo_module *m, const struct hlo_attr *a,
    struct hlo_conv_dims *c, struct spu_diag *d)
{
	struct scan s;
	int n1, n2, n3, err;

	init(&s, m, a, d);
	memset(c, 0, sizeof(*c));
	if ((err = labels(&s, 'b', 'f', &c->in_batch, &c->in_feature,
	    c->in_spatial, &n1)) != 0)
		return err;
	if (*s.p++ != '_')
		return bad(&s, "expected '_'");
	if ((err = labels(&s, 'i', 'o', &c->k_in, &c->k_out, c->k_spatial,
	    &n2)) != 0)
		return err;
	if (s.p[0] != '-' || s.p[1] != '>')
		return bad(&s, "expected '->'");
	s.p += 2;
	if ((err = labels(&s, 'b', 'f', &c->out_batch, &c->out_feature,
	    c->out_spatial, &n3)) != 0)
		return err;
	if (n1 != n2 || n1 != n3)
		return bad(&s, "operands differ in spatial rank");
	c->nspatial = n1;
	return at_end(&s);
}

static int
comp_name(struct scan *s, struct hlo_comp **out)
{
	char name[256];
	size_t n = 0;

	skip(s);
	if (*s->p == '%')
		s->p++;
	while (isalnum((unsigned char)s->p[n]) || s->p[n] == '_' ||
	    s->p[n] == '.' || s->p[n] == '-' || s->p[n] == '$')
		n++;
	if (n == 0 || n >= sizeof(name))
		return bad(s, "expected a computation name");
	memcpy(name, s->p, n);
	name[n] = '\0';
	s->p += n;
	if ((*out = hlo_comp_find(s->m, name)) == NULL)
		return hlo_fail(s->d, SPU_EFORMAT, s->m->file, s->a->loc,
		    "unknown computation '%s'", name);
	return 0;
}

int
hlo_attr_comps(struct hlo_module *m, const struct hlo_attr *a,
    struct hlo_comp ***v, uint32_t *n, struct spu_diag *d)
{
	struct hlo_comp *tmp[256];
	struct scan s;
	int err;

	init(&s, m, a, d);
	*n = 0;
	if (eat(&s, '{')) {
		if (!eat(&s, '}')) {
			do {
				if (*n == 256)
					return bad(&s, "too many computations");
				if ((err = comp_name(&s, &tmp[*n])) != 0)
					return err;
				(*n)++;
			} while (eat(&s, ','));
			if (!eat(&s, '}'))
				return bad(&s, "expected ',' or '}'");
		}
	} else {
		if ((err = comp_name(&s, &tmp[0])) != 0)
			return err;
		*n = 1;
	}
	if ((err = at_end(&s)) != 0)
		return err;
	if ((*v = hlo_alloc(m, *n ? *n : 1, sizeof(**v))) == NULL)
		return spu_fail(d, SPU_ENOMEM, "out of memory");
	memcpy(*v, tmp, *n * sizeof(**v));
	return 0;
}

int
hlo_attr_word(struct hlo_module *m, const struct hlo_attr *a, const char **v,
    struct spu_diag *d)
{
	size_t len = strlen(a->val);
	struct scan s;

	init(&s, m, a, d);
	if (len >= 2 && a->val[0] == '"' && a->val[len - 1] == '"') {
		if ((*v = hlo_strndup(m, a->val + 1, len - 2)) == NULL)
			return spu_fail(d, SPU_ENOMEM, "out of memory");
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)a->val[i]) && a->val[i] != '_' &&
		    a->val[i] != '.' && a->val[i] != '-')
			return bad(&s, "expected a word");
	*v = a->val;
	return 0;
}
