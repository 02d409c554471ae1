# tree-sitter-bash grammar, fetched at configure time.
#
# The grammar is third-party generated C (~10 MB). It is never committed:
# `npm pack` downloads the published tarball (no install scripts run), the
# SHA-256 pins the exact bytes, and it is compiled once into a static library.
# 0.23.3 is the newest release generated at ABI 14, the highest ABI that
# Debian 12's libtree-sitter 0.20.7 can load.

set(MEMHOOK_TS_BASH_VERSION "0.23.3")
set(MEMHOOK_TS_BASH_SHA256 "10f4d67f56e07bc6cc34c49afb34e232269c1e0a19933880dfdb5dd738a8fc7d")
set(_ts_bash_dir "${CMAKE_BINARY_DIR}/_deps/tree-sitter-bash")
set(_ts_bash_tgz "${_ts_bash_dir}/tree-sitter-bash-${MEMHOOK_TS_BASH_VERSION}.tgz")
set(_ts_bash_src "${_ts_bash_dir}/package/src")
# Written after a verified extraction; its content ties the extracted tree to
# the checksum, so a changed pin forces a fresh fetch.
set(_ts_bash_stamp "${_ts_bash_dir}/extracted.stamp")

function(_memhook_ts_bash_verify tgz out_ok)
  file(SHA256 "${tgz}" _actual)
  if(_actual STREQUAL MEMHOOK_TS_BASH_SHA256)
    set(${out_ok} TRUE PARENT_SCOPE)
  else()
    set(${out_ok} FALSE PARENT_SCOPE)
    set(_ts_bash_actual_sha "${_actual}" PARENT_SCOPE)
  endif()
endfunction()

set(_ts_bash_ready FALSE)
if(EXISTS "${_ts_bash_stamp}" AND EXISTS "${_ts_bash_src}/parser.c"
   AND EXISTS "${_ts_bash_src}/scanner.c")
  file(READ "${_ts_bash_stamp}" _stamp_content)
  string(STRIP "${_stamp_content}" _stamp_content)
  if(_stamp_content STREQUAL MEMHOOK_TS_BASH_SHA256)
    set(_ts_bash_ready TRUE)
  endif()
endif()

if(NOT _ts_bash_ready)
  file(MAKE_DIRECTORY "${_ts_bash_dir}")

  # Reuse a tarball left by an earlier configure only if it still verifies.
  set(_have_tgz FALSE)
  if(EXISTS "${_ts_bash_tgz}")
    _memhook_ts_bash_verify("${_ts_bash_tgz}" _have_tgz)
    if(NOT _have_tgz)
      file(REMOVE "${_ts_bash_tgz}")
    endif()
  endif()

  if(NOT _have_tgz)
    find_program(MEMHOOK_NPM npm)
    if(NOT MEMHOOK_NPM)
      message(FATAL_ERROR
        "tree-sitter-bash: `npm` was not found. It is needed once, at configure time, to "
        "fetch tree-sitter-bash@${MEMHOOK_TS_BASH_VERSION} (apt-get install npm).")
    endif()
    message(STATUS "Fetching tree-sitter-bash@${MEMHOOK_TS_BASH_VERSION} with npm pack")
    # --ignore-scripts: packing must never run the package's lifecycle scripts.
    execute_process(
      COMMAND "${MEMHOOK_NPM}" pack "tree-sitter-bash@${MEMHOOK_TS_BASH_VERSION}"
              --ignore-scripts --silent --pack-destination "${_ts_bash_dir}"
      WORKING_DIRECTORY "${_ts_bash_dir}"
      RESULT_VARIABLE _npm_rc
      OUTPUT_VARIABLE _npm_out
      ERROR_VARIABLE _npm_err)
    if(NOT _npm_rc EQUAL 0 OR NOT EXISTS "${_ts_bash_tgz}")
      message(FATAL_ERROR
        "tree-sitter-bash: `npm pack tree-sitter-bash@${MEMHOOK_TS_BASH_VERSION}` failed "
        "(exit ${_npm_rc}); expected ${_ts_bash_tgz}.\n${_npm_out}${_npm_err}")
    endif()
    _memhook_ts_bash_verify("${_ts_bash_tgz}" _have_tgz)
    if(NOT _have_tgz)
      file(REMOVE "${_ts_bash_tgz}")
      message(FATAL_ERROR
        "tree-sitter-bash: SHA-256 mismatch for tree-sitter-bash-${MEMHOOK_TS_BASH_VERSION}.tgz\n"
        "  expected ${MEMHOOK_TS_BASH_SHA256}\n"
        "  actual   ${_ts_bash_actual_sha}\n"
        "Refusing to build with an unverified grammar.")
    endif()
  endif()

  file(REMOVE_RECURSE "${_ts_bash_dir}/package")
  file(ARCHIVE_EXTRACT INPUT "${_ts_bash_tgz}" DESTINATION "${_ts_bash_dir}")
  if(NOT EXISTS "${_ts_bash_src}/parser.c" OR NOT EXISTS "${_ts_bash_src}/scanner.c")
    message(FATAL_ERROR
      "tree-sitter-bash: ${_ts_bash_tgz} does not contain package/src/parser.c and scanner.c")
  endif()
  file(WRITE "${_ts_bash_stamp}" "${MEMHOOK_TS_BASH_SHA256}\n")
endif()

add_library(tree_sitter_bash STATIC "${_ts_bash_src}/parser.c" "${_ts_bash_src}/scanner.c")
set_target_properties(tree_sitter_bash PROPERTIES
  LINKER_LANGUAGE C
  POSITION_INDEPENDENT_CODE ON
  # Generated code: no warnings, always optimised (an -O0 parser.c is several
  # times slower to parse with), no debug info, and never instrumented:
  # sanitizing or describing 10 MB of tables buys nothing and costs build
  # time. Being last on the command line, these override CMAKE_C_FLAGS*;
  # -fno-sanitize=all also overrides a -fsanitize from add_compile_options.
  COMPILE_OPTIONS "-w;-O2;-g0;-fno-sanitize=all")
target_include_directories(tree_sitter_bash SYSTEM PUBLIC "${_ts_bash_src}")
