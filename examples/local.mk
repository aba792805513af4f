# examples: the two-process demo and the README's first program.

noinst_PROGRAMS += examples/demo
examples_demo_SOURCES = examples/demo.c
examples_demo_LDADD = lib/libshmring.la

# Built for make check only: README.md shows it verbatim (check-readme.sh).
check_PROGRAMS += examples/readme_example
examples_readme_example_SOURCES = examples/readme_example.c
examples_readme_example_LDADD = lib/libshmring.la

TESTS += examples/run-readme-example.sh examples/check-readme.sh \
	examples/run-demo.sh
EXTRA_DIST += examples/run-readme-example.sh examples/check-readme.sh \
	examples/run-demo.sh
