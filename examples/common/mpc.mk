# examples/common/mpc.mk - what the training examples' Makefiles share:
# the tools, the protocol settings, one key pair per party, the recipe
# that runs the parties on local TCP, and gnuplot for `make plot`.
#
# Settings (override on the command line, e.g. make PROTOCOL=semi2k):
#   PROTOCOL  aby3 (default) or semi2k
#   PARTIES   3 (default; semi2k also runs with 2)
#   FIELD     ring bits, 64 (default) or 128
#   PORT      first TCP port; party i listens on PORT + i
#   RUNFLAGS  more spu-run options for every party
# (the including Makefile defines `all`, the default goal)
.DEFAULT_GOAL := all
BIN ?= ../..
COMMON ?= ../common
PROTOCOL ?= aby3
PARTIES ?= 3
FIELD ?= 64
RUNFLAGS ?=
SPU_COMPILE = $(BIN)/spu-compile
SPU_SHARE = $(BIN)/spu-share
SPU_RUN = $(BIN)/spu-run
SPU_REVEAL = $(BIN)/spu-reveal
SHARE = $(SPU_SHARE) --protocol $(PROTOCOL) --parties $(PARTIES) --field $(FIELD)
PARTY_IDS = $(shell seq 0 $$(($(PARTIES) - 1)))
# the settings a run depends on: change one and the run is redone
SETTINGS = $(PROTOCOL) $(PARTIES) $(FIELD)
# each party's public key travels with its address; links are
# authenticated and encrypted with these keys
PEERS = $(shell for i in $(PARTY_IDS); do printf '%s127.0.0.1:%d=%s' "$${sep}" $$(($(PORT) + i)) "$$(cat key.$$i.pub)"; sep=,; done)

# the tools, built when missing (a fresh checkout after .ci/setup has
# them); targets name them after a `|` so that rebuilding the tree does
# not redo the runs
$(SPU_SHARE) $(SPU_RUN) $(SPU_REVEAL): | $(SPU_COMPILE)
	$(MAKE) -C $(BIN)
$(SPU_COMPILE):
	$(MAKE) -C $(BIN)

%.spub: %.hlo.txt $(SPU_COMPILE)
	$(SPU_COMPILE) -o $@ $<

# settings.stamp changes when PROTOCOL, PARTIES or FIELD do
settings.stamp: FORCE
	@echo '$(SETTINGS)' | cmp -s - $@ || echo '$(SETTINGS)' > $@

keys.stamp: settings.stamp | $(SPU_RUN)
	@rm -f key.*
	@for i in $(PARTY_IDS); do $(SPU_RUN) --keygen key.$$i > key.$$i.pub || exit 1; done
	@touch $@

# $(call run_parties,PROGRAM INPUTS...,OUTPUT): one spu-run per party,
# in the background, on 127.0.0.1; %d in a file name is the party index.
# Party 0 writes to the terminal and draws the progress bar when stderr
# is one; the others' messages are held in run.I.log and shown after, so
# that no line lands in the middle of the bar.  Fails, and removes any
# output, when one party fails.
RUN_ARGS = --peers $(PEERS) --key key.$$i --timeout 30 --stats $(RUNFLAGS)
define run_parties
	@echo "running $(PARTIES) parties ($(PROTOCOL)) on 127.0.0.1 ports $(PORT)..$$(($(PORT) + $(PARTIES) - 1))"
	@pids=; for i in $(PARTY_IDS); do \
		if [ $$i -eq 0 ]; then \
			$(SPU_RUN) --party $$i $(RUN_ARGS) --progress $(1) -o $(2) & \
		else \
			$(SPU_RUN) --party $$i $(RUN_ARGS) $(1) -o $(2) 2>run.$$i.log & \
		fi; \
		pids="$$pids $$!"; \
	done; st=0; for p in $$pids; do wait $$p || st=1; done; \
	for i in $(PARTY_IDS); do [ ! -f run.$$i.log ] || cat run.$$i.log >&2; rm -f run.$$i.log; done; \
	if [ $$st -ne 0 ]; then \
		for i in $(PARTY_IDS); do rm -f $$(echo '$(2)' | sed "s/%d/$$i/"); done; \
	fi; exit $$st
endef

# gnuplot for `make plot`, from Debian's packages when missing
GNUPLOT = gnuplot
gnuplot-check:
	@command -v $(GNUPLOT) >/dev/null 2>&1 || { \
		echo "installing gnuplot-nox (Debian) for the plot"; \
		if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
		$$SUDO apt-get install -y -qq gnuplot-nox >/dev/null || \
		{ $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq gnuplot-nox >/dev/null; }; \
	}

FORCE:

.PHONY: FORCE gnuplot-check
