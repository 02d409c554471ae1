// numfmt against GNU coreutils 9.1 (placeholder).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
