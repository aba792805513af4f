# bench: shmring-bench, the comparison harness (SPEC section 4), its smoke
# test, its man page and `make bench`.

bin_PROGRAMS += bench/shmring-bench
bench_shmring_bench_SOURCES = \
	bench/bench.h bench/main.c bench/transport.c \
	bench/runner.c bench/runner.h bench/worker.c \
	bench/clock.c bench/clock.h bench/hist.c bench/hist.h \
	bench/pin.c bench/pin.h bench/shm.c bench/shm.h \
	bench/payload.h bench/wait.h \
	bench/report.c bench/report.h bench/goals.c bench/plot.c \
	bench/transport_shmring.c bench/transport_cacheline.c \
	bench/transport_futex.c bench/transport_pipe.c bench/transport_unix.c \
	bench/transport_mq.c bench/transport_rte_ring.c bench/transport_ck_ring.c \
	bench/transport_wfcqueue.c
bench_shmring_bench_CPPFLAGS = $(AM_CPPFLAGS) -DGNUPLOT_PATH='"$(GNUPLOT)"'
bench_shmring_bench_LDADD = lib/libshmring.la -lm
if HAVE_DPDK
# Only the ring library and what it needs: no EAL initialisation happens.
bench_shmring_bench_CPPFLAGS += $(DPDK_CFLAGS)
bench_shmring_bench_LDADD += -lrte_ring -lrte_eal
endif
if HAVE_URCU_CDS
bench_shmring_bench_CPPFLAGS += -DHAVE_URCU_CDS=1 $(URCU_CDS_CFLAGS)
bench_shmring_bench_LDADD += $(URCU_CDS_LIBS)
endif

dist_man_MANS += man/shmring-bench.1

TESTS += bench/smoke.sh
EXTRA_DIST += bench/smoke.sh bench/README.md

# `make bench`: the default matrix, results in $(BENCH_RESULTS).
# Extra options: make bench BENCH_FLAGS=--quick
BENCH_RESULTS = $(srcdir)/bench/results
BENCH_FLAGS =
bench: bench/shmring-bench$(EXEEXT)
	@$(MKDIR_P) $(BENCH_RESULTS)
	@rm -f $(BENCH_RESULTS)/status.tmp
	{ bench/shmring-bench $(BENCH_FLAGS) --csv $(BENCH_RESULTS)/bench.csv \
	    --json $(BENCH_RESULTS)/bench.json --plot $(BENCH_RESULTS)/bench.png; \
	  echo $$? > $(BENCH_RESULTS)/status.tmp; } | tee $(BENCH_RESULTS)/bench.txt
	@st=`cat $(BENCH_RESULTS)/status.tmp`; rm -f $(BENCH_RESULTS)/status.tmp; exit $$st
.PHONY: bench
