/*
 * party.h - everything one party does in a run: load its inputs, connect
 * or use the given link, handshake, execute, write its output bundle.
 * Used once per process, or once per thread under --simulate.
 */
#ifndef SPU_RUN_PARTY_H
#define SPU_RUN_PARTY_H

#include <stdint.h>

#include "bytecode.h"
#include "err.h"
#include "link.h"
#include "protocol.h"
#include "vm.h"

struct run_opts {
	const char *program_path;
	const struct spu_program *prog;
	uint8_t digest[32];		/* SHA-256 of the bytecode file */
	char **inputs;			/* paths or templates with %d */
	int ninputs;
	const char *output;		/* path or template with %d */
	int nparties;
	int timeout_ms;
	double link_latency_ms, link_mbit;	/* WAN emulation, 0 = off */
	int stats;
	int profile;
	struct progress *progress;	/* --progress bar, or NULL */
	int progress_party;		/* the party that draws it */
	/* used when no share bundle says otherwise (public-only runs) */
	int protocol, field, fxp;
	/* methods of the fixed-point functions (--exp, --log, ...) */
	struct spu_fxp_config fxpcfg;
	/* authenticated links (TCP only): own key pair, peers' public keys */
	int secure;
	uint8_t pk[SPU_LINK_KEYBYTES], sk[SPU_LINK_KEYBYTES];
	uint8_t peer_pks[SPU_MAX_PARTIES][SPU_LINK_KEYBYTES];
};

struct party_result {
	int rc;
	struct spu_vm_profile prof;
	struct spu_diag diag;
	double wall;
	struct spu_link_stats st;
};

/* Expand a %d template (at most one %d) for a party into buf. */
int expand_template(char *buf, size_t len, const char *tmpl, int party);

/* spu-run --cleartext: returns the exit status. */
int run_cleartext(const struct spu_program *p, char **inputs, int ninputs,
    const char *output);

/* Run party `party`.  If link is NULL, set up TCP with peers.  Takes
 * ownership of link (freed on return, early on failure so peers notice). */
void party_run(const struct run_opts *o, int party, struct spu_link *link,
    const struct spu_peer_addr *peers, struct party_result *res);

#endif
