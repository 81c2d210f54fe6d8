/*
 * spu-run - execute a compiled program as one party of an MPC run, or as
 * every party at once (--simulate).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bytecode.h"
#include "fxp.h"
#include "fxpcfg.h"
#include "keys.h"
#include "link.h"
#include "mem.h"
#include "party.h"
#include "progress.h"
#include "protocol.h"

#define PROG "spu-run"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: " PROG " --party I --peers HOST:PORT=KEY,... --key FILE [options]\n"
"              -o OUTPUT PROGRAM [INPUT...]\n"
"       " PROG " --simulate N [options] -o OUTPUT PROGRAM [INPUT...]\n"
"       " PROG " --cleartext PROGRAM [INPUT.npy|INPUT.csv...] [-o OUT.npy]\n"
"       " PROG " --keygen FILE\n"
"\n"
"Run a compiled program (.spub) as party I of an MPC computation.  Each\n"
"INPUT is this party's share bundle (.shr) or a public .npy file; their\n"
"values bind to the program's parameters in order.  A %%d in a file name\n"
"is replaced by the party index.\n"
"\n"
"  -p, --party I          this party's index (0-based)\n"
"  -P, --peers LIST       every party's HOST:PORT=PUBKEY, in party order\n"
"  -k, --key FILE         this party's key pair (from --keygen)\n"
"      --keygen FILE      write a new key pair to FILE, print the public key\n"
"      --insecure-plaintext-links\n"
"                         unauthenticated, unencrypted TCP (benchmarks only)\n"
"  -s, --simulate N       run all N parties in this process (threads)\n"
"  -o, --output FILE      output bundle (template with %%d under --simulate)\n"
"  -t, --timeout SEC      give up on a silent peer after SEC s (default 60)\n"
"      --link-latency MS  emulate a slower network: deliver each message\n"
"                         MS milliseconds after it was sent (benchmarks)\n"
"      --link-bandwidth MBIT\n"
"                         emulate a slower network: send at most MBIT\n"
"                         Mbit/s to each peer (benchmarks)\n"
"      --protocol NAME    ref2k, semi2k or aby3, when no bundle says (public\n"
"                         inputs only; default ref2k)\n"
"      --field BITS       32, 64 or 128, when no bundle says (default 64)\n"
"      --fxp BITS         fraction bits, when no bundle says\n"
"      --exp METHOD       exp method: bits (default, accurate) or taylor\n"
"      --exp-iters N      squarings of the taylor exp, 1..16 (default 8)\n"
"      --log METHOD       log method: minimax (default) or pade\n"
"      --recip-iters N    Goldschmidt iterations of reciprocals, 1..6\n"
"                         (default 2, or 3 above 20 fraction bits)\n"
"      --sigmoid METHOD   logistic method: auto (default), pw, real, mm1\n"
"                         or seg3\n"
"      --tanh METHOD      tanh method: real (default) or cheb\n"
"      --compare-bits K   compare floats on K bits, not the whole ring:\n"
"                         faster, exact while they differ by less than\n"
"                         2^(K-1-fxp) (default: the ring)\n"
"      --stats            print wall time, bytes and rounds per party\n"
"      --profile          print count, time, bytes and rounds per op kind\n"
"      --progress         show a progress bar on stderr (a terminal only)\n"
"  -q, --quiet            no progress bar\n"
"      --cleartext        evaluate in float64 on cleartext inputs, no MPC\n"
"                         (output .npy, a %%d template for several, or text)\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n");
}

static int
bad_usage(const char *msg, const char *arg)
{
	fprintf(stderr, PROG ": %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try '" PROG " --help'.\n");
	return 2;
}

static int
parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* A number lo..hi, such as 12.5. */
static int
parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

struct sim_arg {
	const struct run_opts *o;
	int party;
	struct spu_link *link;
	struct party_result res;
};

static void *
sim_party(void *p)
{
	struct sim_arg *a = p;

	party_run(a->o, a->party, a->link, NULL, &a->res);
	return NULL;
}

/* Link-layer messages already start with "party N:"; others get it. */
static void
report(int party, const char *msg)
{
	if (strncmp(msg, "party ", 6) == 0)
		fprintf(stderr, PROG ": %s\n", msg);
	else
		fprintf(stderr, PROG ": party %d: %s\n", party, msg);
}

/*
 * Peak resident memory of this process in KiB (VmHWM), or 0 where
 * /proc is missing.  Not getrusage: its ru_maxrss keeps the high-water
 * mark of the process image before exec, which for a child spawned by
 * a large parent (a benchmark script) is the parent's.
 */
static unsigned long
peak_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long kib = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void
print_stats(int party, const struct party_result *r)
{
	fprintf(stderr, PROG ": party %d: wall %.3f s, sent %llu B, "
	    "received %llu B, rounds %llu, peak RSS %.1f MiB\n", party,
	    r->wall, (unsigned long long)r->st.bytes_sent,
	    (unsigned long long)r->st.bytes_recv,
	    (unsigned long long)r->st.rounds, peak_rss_kib() / 1024.0);
}

enum { OPT_PROTOCOL = 256, OPT_FIELD, OPT_FXP, OPT_STATS, OPT_KEYGEN,
    OPT_INSECURE, OPT_PROFILE, OPT_CLEARTEXT, OPT_LATENCY, OPT_BANDWIDTH,
    OPT_PROGRESS,
    OPT_EXP, OPT_EXP_ITERS, OPT_LOG, OPT_RECIP_ITERS, OPT_SIGMOID, OPT_TANH,
    OPT_COMPARE_BITS };

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cleartext", no_argument, NULL, OPT_CLEARTEXT },
		{ "compare-bits", required_argument, NULL, OPT_COMPARE_BITS },
		{ "exp", required_argument, NULL, OPT_EXP },
		{ "exp-iters", required_argument, NULL, OPT_EXP_ITERS },
		{ "fxp", required_argument, NULL, OPT_FXP },
		{ "field", required_argument, NULL, OPT_FIELD },
		{ "help", no_argument, NULL, 'h' },
		{ "insecure-plaintext-links", no_argument, NULL, OPT_INSECURE },
		{ "key", required_argument, NULL, 'k' },
		{ "keygen", required_argument, NULL, OPT_KEYGEN },
		{ "link-bandwidth", required_argument, NULL, OPT_BANDWIDTH },
		{ "link-latency", required_argument, NULL, OPT_LATENCY },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "output", required_argument, NULL, 'o' },
		{ "party", required_argument, NULL, 'p' },
		{ "peers", required_argument, NULL, 'P' },
		{ "profile", no_argument, NULL, OPT_PROFILE },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "protocol", required_argument, NULL, OPT_PROTOCOL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "recip-iters", required_argument, NULL, OPT_RECIP_ITERS },
		{ "sigmoid", required_argument, NULL, OPT_SIGMOID },
		{ "simulate", required_argument, NULL, 's' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "tanh", required_argument, NULL, OPT_TANH },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct run_opts o;
	struct spu_peer_addr peers[SPU_MAX_PARTIES];
	struct spu_program *prog = NULL;
	struct spu_diag d = { "" };
	const char *peerspec = NULL, *keyfile = NULL;
	char addrs[8192];
	int insecure = 0, nkeys = 0, cleartext = 0, progress = 0, quiet = 0;
	struct progress pg;
	long party = -1, simulate = 0, v;
	int c, npeers = 0, status = 0;

	memset(&o, 0, sizeof(o));
	o.timeout_ms = 60000;
	o.protocol = SPU_REF2K;
	o.field = 64;
	o.fxp = -1;
	while ((c = getopt_long(argc, argv, "hk:o:p:P:qs:t:V", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'k':
			keyfile = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'p':
			if (parse_int(optarg, 0, SPU_MAX_PARTIES - 1, &party))
				return bad_usage("bad party index", optarg);
			break;
		case 'P':
			peerspec = optarg;
			break;
		case 's':
			if (parse_int(optarg, 1, SPU_MAX_PARTIES, &simulate))
				return bad_usage("bad party count", optarg);
			break;
		case 't':
			if (parse_int(optarg, 1, 86400, &v))
				return bad_usage("bad timeout", optarg);
			o.timeout_ms = (int)v * 1000;
			break;
		case 'V':
			printf(PROG " (spu) " PACKAGE_VERSION "\n");
			return 0;
		case OPT_PROTOCOL:
			if ((o.protocol = spu_protocol_parse(optarg)) < 0)
				return bad_usage("unknown protocol", optarg);
			break;
		case OPT_FIELD:
			if (parse_int(optarg, 32, 128, &v) ||
			    !spu_field_valid((unsigned)v))
				return bad_usage("field must be 32, 64 or 128",
				    optarg);
			o.field = (int)v;
			break;
		case OPT_FXP:
			if (parse_int(optarg, 0, 126, &v))
				return bad_usage("bad fraction bits", optarg);
			o.fxp = (int)v;
			break;
		case OPT_STATS:
			o.stats = 1;
			break;
		case OPT_EXP:
		case OPT_LOG:
		case OPT_SIGMOID:
		case OPT_TANH: {
			const char *fn = c == OPT_EXP ? "exp" : c == OPT_LOG ?
			    "log" : c == OPT_SIGMOID ? "sigmoid" : "tanh";
			char msg[64];
			if (spu_fxpcfg_set(&o.fxpcfg, fn, optarg) == 0)
				break;
			snprintf(msg, sizeof(msg), "--%s takes %s", fn,
			    spu_fxpcfg_choices(fn));
			return bad_usage(msg, optarg);
		}
		case OPT_EXP_ITERS:
			if (parse_int(optarg, 1, SPU_FXPCFG_EXP_ITERS_MAX, &v))
				return bad_usage("--exp-iters takes 1..16",
				    optarg);
			o.fxpcfg.exp_iters = (int)v;
			break;
		case OPT_RECIP_ITERS:
			if (parse_int(optarg, 1, SPU_FXPCFG_RECIP_ITERS_MAX, &v))
				return bad_usage("--recip-iters takes 1..6",
				    optarg);
			o.fxpcfg.recip_iters = (int)v;
			break;
		case OPT_COMPARE_BITS:
			if (parse_int(optarg, 2, 128, &v))
				return bad_usage("--compare-bits takes 2..128",
				    optarg);
			o.fxpcfg.cmp_bits = (unsigned)v;
			break;
		case OPT_CLEARTEXT:
			cleartext = 1;
			break;
		case OPT_PROFILE:
			o.profile = 1;
			break;
		case OPT_PROGRESS:
			progress = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case OPT_INSECURE:
			insecure = 1;
			break;
		case OPT_LATENCY:
			if (parse_num(optarg, 0, 60000, &o.link_latency_ms))
				return bad_usage("--link-latency takes 0..60000 "
				    "milliseconds", optarg);
			break;
		case OPT_BANDWIDTH:
			if (parse_num(optarg, 0, 1e6, &o.link_mbit))
				return bad_usage("--link-bandwidth takes "
				    "0..1000000 Mbit/s", optarg);
			break;
		case OPT_KEYGEN: {
			char pkhex[2 * SPU_LINK_KEYBYTES + 1];
			if (sodium_init() < 0 ||
			    keys_generate(optarg, pkhex, &d) != 0) {
				fprintf(stderr, PROG ": %s\n", d.msg);
				return 1;
			}
			printf("%s\n", pkhex);
			return 0;
		}
		default:
			return bad_usage("invalid option", NULL);
		}
	}
	if (argc - optind < 1)
		return bad_usage("missing PROGRAM", NULL);
	if (cleartext) {
		if (simulate != 0 || party >= 0 || peerspec != NULL)
			return bad_usage("--cleartext runs alone: no --party, "
			    "--peers or --simulate", NULL);
		if (spu_bc_read_file(argv[optind], &prog, NULL, &d) != 0) {
			fprintf(stderr, PROG ": %s\n", d.msg);
			return 1;
		}
		status = run_cleartext(prog, argv + optind + 1,
		    argc - optind - 1, o.output);
		spu_program_free(prog);
		return status;
	}
	if (o.output == NULL)
		return bad_usage("missing -o OUTPUT", NULL);
	if (simulate == 0 && (party < 0 || peerspec == NULL))
		return bad_usage("give --party and --peers, or --simulate",
		    NULL);
	if (simulate != 0 && (party >= 0 || peerspec != NULL))
		return bad_usage("--simulate excludes --party and --peers",
		    NULL);
	if (o.fxp < 0)
		o.fxp = spu_fxp_default((unsigned)o.field);
	if (o.fxp > (int)o.field - 2)
		return bad_usage("fraction bits too large for the field", NULL);
	if (simulate != 0 && strstr(o.output, "%d") == NULL && simulate > 1)
		return bad_usage("under --simulate, -o needs a %d template",
		    o.output);
	if (sodium_init() < 0) {
		fprintf(stderr, PROG ": cannot initialise libsodium\n");
		return 1;
	}
	spu_mem_tune_for_run();
	if (peerspec != NULL) {
		if (keys_split_peers(peerspec, addrs, sizeof(addrs), o.peer_pks,
		    SPU_MAX_PARTIES, &nkeys, &d) < 0)
			return bad_usage(d.msg, NULL);
		npeers = spu_link_parse_peers(addrs, peers, SPU_MAX_PARTIES,
		    &d);
		if (npeers < 0)
			return bad_usage(d.msg, NULL);
		if (party >= npeers)
			return bad_usage("--party is not in the --peers list",
			    NULL);
		if (insecure && (nkeys || keyfile))
			return bad_usage("--insecure-plaintext-links excludes "
			    "--key and keyed peers", NULL);
		if (!insecure && (nkeys == 0 || keyfile == NULL))
			return bad_usage("links are authenticated: give --key "
			    "FILE and HOST:PORT=PUBKEY for every peer, or "
			    "--insecure-plaintext-links for benchmarks", NULL);
		if (insecure)
			fprintf(stderr, PROG ": warning: party %ld: links are "
			    "NOT encrypted or authenticated "
			    "(--insecure-plaintext-links); use only for "
			    "benchmarks on a trusted network\n", party);
		if (!insecure) {
			if (keys_load(keyfile, o.pk, o.sk, &d) != 0) {
				fprintf(stderr, PROG ": %s\n", d.msg);
				return 1;
			}
			if (sodium_memcmp(o.pk, o.peer_pks[party],
			    SPU_LINK_KEYBYTES) != 0) {
				fprintf(stderr, PROG ": %s: this key is not "
				    "the one the peer list gives for party "
				    "%ld\n", keyfile, party);
				return 1;
			}
			o.secure = 1;
		}
	}
	o.program_path = argv[optind];
	o.inputs = argv + optind + 1;
	o.ninputs = argc - optind - 1;
	o.nparties = simulate ? (int)simulate : npeers;
	if (spu_bc_read_file(o.program_path, &prog, o.digest, &d) != 0) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		return 1;
	}
	o.prog = prog;
	o.progress_party = simulate ? 0 : (int)party;
	if (progress && !quiet && progress_init(&pg, stderr, prog,
	    o.progress_party) == 0)
		o.progress = &pg;

	if (simulate == 0) {
		struct party_result r;
		party_run(&o, (int)party, NULL, peers, &r);
		if (o.progress != NULL)
			progress_finish(o.progress);
		if (r.rc != 0) {
			report((int)party, r.diag.msg);
			status = 1;
		} else {
			if (o.stats)
				print_stats((int)party, &r);
			if (o.profile)
				spu_vm_profile_print(stderr, (int)party, &r.prof);
		}
	} else {
		struct spu_link *links[SPU_MAX_PARTIES] = { NULL };
		struct sim_arg args[SPU_MAX_PARTIES];
		pthread_t tid[SPU_MAX_PARTIES];
		int n = (int)simulate, first_err = -1;

		if (n > 1 && spu_link_local(n, o.timeout_ms, links, &d) != 0) {
			fprintf(stderr, PROG ": %s\n", d.msg);
			spu_program_free(prog);
			return 1;
		}
		for (int i = 0; i < n; i++) {
			args[i] = (struct sim_arg){ &o, i, links[i], { 0 } };
			if (pthread_create(&tid[i], NULL, sim_party, &args[i])) {
				fprintf(stderr, PROG ": cannot start a thread\n");
				return 1;
			}
		}
		for (int i = 0; i < n; i++)
			pthread_join(tid[i], NULL);
		if (o.progress != NULL)
			progress_finish(o.progress);
		/* report the root cause: the first party that failed on its
		 * own, not the peers that then saw it disappear */
		for (int i = 0; i < n && first_err < 0; i++)
			if (args[i].res.rc != 0 && args[i].res.rc != SPU_ENET)
				first_err = i;
		for (int i = 0; i < n && first_err < 0; i++)
			if (args[i].res.rc != 0)
				first_err = i;
		if (first_err >= 0) {
			report(first_err, args[first_err].res.diag.msg);
			status = 1;
			/* remove outputs some parties may have written */
			for (int i = 0; i < n; i++) {
				char path[4096];
				if (args[i].res.rc == 0 &&
				    expand_template(path, sizeof(path),
				    o.output, i) == 0)
					remove(path);
			}
		} else {
			for (int i = 0; i < n; i++) {
				if (o.stats)
					print_stats(i, &args[i].res);
				if (o.profile)
					spu_vm_profile_print(stderr, i,
					    &args[i].res.prof);
			}
		}
	}
	spu_program_free(prog);
	sodium_memzero(o.sk, sizeof(o.sk));
	return status;
}
