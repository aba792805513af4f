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
# is compiled and run is exactly the one a reader sees.
shr_man_extract = $(AM_V_GEN)$(MKDIR_P) man && \
	$(SHELL) $(srcdir)/man/extract-example.sh

check_PROGRAMS += man/ex-shmring_create
nodist_man_ex_shmring_create_SOURCES = man/ex-shmring_create.c
man_ex_shmring_create_LDADD = lib/libshmring.la
CLEANFILES += man/ex-shmring_create.c
man/ex-shmring_create.c: $(srcdir)/man/shmring_create.3 $(srcdir)/man/extract-example.sh
	$(shr_man_extract) $(srcdir)/man/shmring_create.3 >$@-t && mv -f $@-t $@

check_PROGRAMS += man/ex-shmring_open
nodist_man_ex_shmring_open_SOURCES = man/ex-shmring_open.c
man_ex_shmring_open_LDADD = lib/libshmring.la
CLEANFILES += man/ex-shmring_open.c
man/ex-shmring_open.c: $(srcdir)/man/shmring_open.3 $(srcdir)/man/extract-example.sh
	$(shr_man_extract) $(srcdir)/man/shmring_open.3 >$@-t && mv -f $@-t $@

check_PROGRAMS += man/ex-shmring_send
nodist_man_ex_shmring_send_SOURCES = man/ex-shmring_send.c
man_ex_shmring_send_LDADD = lib/libshmring.la
CLEANFILES += man/ex-shmring_send.c
man/ex-shmring_send.c: $(srcdir)/man/shmring_send.3 $(srcdir)/man/extract-example.sh
	$(shr_man_extract) $(srcdir)/man/shmring_send.3 >$@-t && mv -f $@-t $@

check_PROGRAMS += man/ex-shmring_recv
nodist_man_ex_shmring_recv_SOURCES = man/ex-shmring_recv.c
man_ex_shmring_recv_LDADD = lib/libshmring.la
CLEANFILES += man/ex-shmring_recv.c
man/ex-shmring_recv.c: $(srcdir)/man/shmring_recv.3 $(srcdir)/man/extract-example.sh
	$(shr_man_extract) $(srcdir)/man/shmring_recv.3 >$@-t && mv -f $@-t $@

check_PROGRAMS += man/ex-shmring_send_burst
nodist_man_ex_shmring_send_burst_SOURCES = man/ex-shmring_send_burst.c
man_ex_shmring_send_burst_LDADD = lib/libshmring.la
CLEANFILES += man/ex-shmring_send_burst.c
man/ex-shmring_send_burst.c: $(srcdir)/man/shmring_send_burst.3 $(srcdir)/man/extract-example.sh
	$(shr_man_extract) $(srcdir)/man/shmring_send_burst.3 >$@-t && mv -f $@-t $@

check_PROGRAMS += man/ex-shmring_claim
nodist_man_ex_shmring_claim_SOURCES = man/ex-shmring_claim.c
man_ex_shmring_claim_LDADD = lib/libshmring.la
CLEANFILES += man/ex-shmring_claim.c
man/ex-shmring_claim.c: $(srcdir)/man/shmring_claim.3 $(srcdir)/man/extract-example.sh
	$(shr_man_extract) $(srcdir)/man/shmring_claim.3 >$@-t && mv -f $@-t $@

check_PROGRAMS += man/ex-shmring_peek
nodist_man_ex_shmring_peek_SOURCES = man/ex-shmring_peek.c
man_ex_shmring_peek_LDADD = lib/libshmring.la
CLEANFILES += man/ex-shmring_peek.c
man/ex-shmring_peek.c: $(srcdir)/man/shmring_peek.3 $(srcdir)/man/extract-example.sh
	$(shr_man_extract) $(srcdir)/man/shmring_peek.3 >$@-t && mv -f $@-t $@

check_PROGRAMS += man/ex-shmring_info
nodist_man_ex_shmring_info_SOURCES = man/ex-shmring_info.c
man_ex_shmring_info_LDADD = lib/libshmring.la
CLEANFILES += man/ex-shmring_info.c
man/ex-shmring_info.c: $(srcdir)/man/shmring_info.3 $(srcdir)/man/extract-example.sh
	$(shr_man_extract) $(srcdir)/man/shmring_info.3 >$@-t && mv -f $@-t $@

check_PROGRAMS += man/ex-shmring_strerror
nodist_man_ex_shmring_strerror_SOURCES = man/ex-shmring_strerror.c
man_ex_shmring_strerror_LDADD = lib/libshmring.la
CLEANFILES += man/ex-shmring_strerror.c
man/ex-shmring_strerror.c: $(srcdir)/man/shmring_strerror.3 $(srcdir)/man/extract-example.sh
	$(shr_man_extract) $(srcdir)/man/shmring_strerror.3 >$@-t && mv -f $@-t $@
