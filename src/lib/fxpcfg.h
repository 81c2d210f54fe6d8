/*
 * fxpcfg.h - which method the fixed-point function library uses where it
 * has several (exp, log, logistic, tanh) and how many Goldschmidt
 * iterations its reciprocals take.  Carried by struct spu_mpc (fxpcfg);
 * a zeroed struct selects the defaults, which are the accurate methods.
 * spu-run sets it from --compare-bits, --exp, --exp-iters, --log,
 * --recip-iters, --sigmoid and --tanh.  Not for the ring or fraction bits: see fxp.h.
 */
#ifndef SPU_FXPCFG_H
#define SPU_FXPCFG_H

enum spu_exp_method {
	SPU_EXP_BITS,		/* exp2 by bits of x log2 e, Chebyshev 2^frac */
	SPU_EXP_TAYLOR		/* (1 + x / 2^n)^(2^n), n = exp_iters */
};

enum spu_log_method {
	SPU_LOG_MINIMAX,	/* normalize, Chebyshev (near-minimax) log1p */
	SPU_LOG_PADE		/* normalize, rational P/Q, Goldschmidt */
};

enum spu_sigmoid_method {
	SPU_SIGMOID_AUTO,	/* pw, or real where it is cheaper */
	SPU_SIGMOID_PW,		/* segments of |x|, Chebyshev on each */
	SPU_SIGMOID_REAL,	/* 1 / (1 + exp(-x)) */
	SPU_SIGMOID_MM1,	/* 0.5 + 0.125 x */
	SPU_SIGMOID_SEG3	/* 0.5 + 0.125 x clamped to [0, 1] */
};

enum spu_tanh_method {
	SPU_TANH_REAL,		/* 2 / (1 + exp(-2|x|)) - 1, signed */
	SPU_TANH_CHEB		/* clamp to [-4, 4], Chebyshev series */
};

/* Limits of the integer knobs (0 means the default). */
#define SPU_FXPCFG_EXP_ITERS_MAX	16
#define SPU_FXPCFG_RECIP_ITERS_MAX	6
/* Squarings of the taylor exp when exp_iters is 0. */
#define SPU_FXPCFG_EXP_ITERS_DEFAULT	8

struct spu_fxp_config {
	int exp;			/* enum spu_exp_method */
	int exp_iters;			/* taylor squarings, 0 = 8 */
	int log;			/* enum spu_log_method */
	int recip_iters;		/* Goldschmidt, 0 = 2 (f <= 20) or 3 */
	int sigmoid;			/* enum spu_sigmoid_method */
	int tanh;			/* enum spu_tanh_method */
	/* bits of the comparisons of floats (2..field; 0 = the field):
	 * exact only while the compared values differ by less than
	 * 2^(cmp_bits - 1 - fraction bits) */
	unsigned cmp_bits;
};

/*
 * Select method `name` for function `fn` ("exp", "log", "sigmoid" or
 * "tanh").  Returns 0, or -1 if either is unknown (c unchanged).
 */
int spu_fxpcfg_set(struct spu_fxp_config *c, const char *fn,
    const char *name);
/* The name of the method c selects for fn, "?" for an unknown fn. */
const char *spu_fxpcfg_name(const struct spu_fxp_config *c, const char *fn);
/* The method names of fn separated by '|', "" for an unknown fn. */
const char *spu_fxpcfg_choices(const char *fn);

#endif
