# man: the library's pages, and the programs of their EXAMPLE sections.
#
# A page that documents several functions is a full page; its other names
# are one-line .so stubs (STYLE.md section 10).  Pages stay flat in man/;
# installation sorts them into man3 and man7 by their suffix.

shr_man3_full = \
	man/shmring_create.3 man/shmring_open.3 man/shmring_send.3 \
	man/shmring_recv.3 man/shmring_send_burst.3 man/shmring_claim.3 \
	man/shmring_peek.3 man/shmring_info.3 man/shmring_strerror.3
shr_man3_stubs = \
	man/shmring_unlink.3 man/shmring_close.3 man/shmring_recv_burst.3 \
	man/shmring_publish.3 man/shmring_release.3 man/shmring_stat.3
dist_man_MANS += $(shr_man3_full) $(shr_man3_stubs) man/shmring.7

TESTS += man/check-man.sh man/run-examples.sh
EXTRA_DIST += man/check-man.sh man/run-examples.sh man/extract-example.sh

# Each full page's EXAMPLE is cut out of the page text, so the program that
# is compiled and run is exactly the one a reader sees: man/ex-PAGE.c from
# man/PAGE.3, all at once (one rule instead of one per page).
shr_man_example_c = \
	man/ex-shmring_create.c man/ex-shmring_open.c man/ex-shmring_send.c \
	man/ex-shmring_recv.c man/ex-shmring_send_burst.c man/ex-shmring_claim.c \
	man/ex-shmring_peek.c man/ex-shmring_info.c man/ex-shmring_strerror.c
check_PROGRAMS += $(shr_man_example_c:.c=)
CLEANFILES += $(shr_man_example_c) man/examples.stamp

# Every other program names its own LDADD; these take this default.
LDADD = lib/libshmring.la
nodist_man_ex_shmring_create_SOURCES = man/ex-shmring_create.c
nodist_man_ex_shmring_open_SOURCES = man/ex-shmring_open.c
nodist_man_ex_shmring_send_SOURCES = man/ex-shmring_send.c
nodist_man_ex_shmring_recv_SOURCES = man/ex-shmring_recv.c
nodist_man_ex_shmring_send_burst_SOURCES = man/ex-shmring_send_burst.c
nodist_man_ex_shmring_claim_SOURCES = man/ex-shmring_claim.c
nodist_man_ex_shmring_peek_SOURCES = man/ex-shmring_peek.c
nodist_man_ex_shmring_info_SOURCES = man/ex-shmring_info.c
nodist_man_ex_shmring_strerror_SOURCES = man/ex-shmring_strerror.c

$(shr_man_example_c): man/examples.stamp
man/examples.stamp: $(shr_man3_full) $(srcdir)/man/extract-example.sh
	$(AM_V_GEN)$(MKDIR_P) man && \
	for c in $(shr_man_example_c); do \
	  page=$${c#man/ex-}; page=$(srcdir)/man/$${page%.c}.3; \
	  $(SHELL) $(srcdir)/man/extract-example.sh $$page >$$c-t || exit 1; \
	  if cmp -s $$c-t $$c; then rm -f $$c-t; else mv -f $$c-t $$c; fi; \
	done && touch $@
