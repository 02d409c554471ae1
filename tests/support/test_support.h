// Test and bench support (not part of memhook): running processes with a
// timeout, running bash, quoting and splitting shell words, reading files,
// comparing outputs as sorted lines, and temporary directories.
//
// Used by the differential unit tests (which compare memhook with real bash
// and GNU tools), tests/corpus_replay.cc, tests/e2e_test.cc and
// bench/bench.cc. Nothing here uses doctest: failures are reported in the
// results, for the caller to check. See disk_tree.h for the on-disk tree the
// fastpath and utils tests share, and unique_fd.h for descriptors.
#ifndef MEMHOOK_TESTS_SUPPORT_TEST_SUPPORT_H_
#define MEMHOOK_TESTS_SUPPORT_TEST_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memhook::testing {

// ---------------------------------------------------------------------------
// Processes.

inline constexpr int kDefaultTimeoutMs = 60'000;
inline constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();

// What to run, and how.
struct ExecSpec {
  // The file to run: a path (with a '/'), or a name looked up in the PATH
  // of the child's environment (`env`, or this process's). Empty: argv[0].
  std::string program;
  // The arguments, argv[0] included (it need not name `program`).
  std::vector<std::string> argv;
  // The child's whole environment, "K=V" each. Null: this process's.
  const std::vector<std::string>* env = nullptr;
  // The child's working directory. Empty: this process's.
  std::string cwd;
  // Written to the child's stdin (a pipe), which is then closed; empty: the
  // pipe is closed at once. A child that exits without reading it all is
  // not an error (no SIGPIPE reaches the caller).
  std::string stdin_data;
  // Stdin is /dev/null instead of a pipe (stdin_data is ignored).
  bool stdin_null = false;
  // 2>&1: the child's stderr is its stdout; `err` stays empty.
  bool merge_stderr = false;
  // Non-empty: stdout goes to this file (created or truncated, mode 0600)
  // instead of a pipe; `out` and `out_bytes` are then read from the file
  // after the child exits (not counted in `elapsed_us`).
  std::string stdout_path;
  // At most this many bytes of stdout / stderr are kept in `out` / `err`;
  // the rest is still read (the child never blocks on a full pipe) and
  // dropped.
  size_t max_out = kUnlimited;
  size_t max_err = kUnlimited;
  // Wall-clock limit from the start: then the child's whole process group
  // is killed with SIGKILL and `timed_out` is set.
  int timeout_ms = kDefaultTimeoutMs;
};

// What came of it.
struct ProcResult {
  std::string out;  // stdout (up to max_out bytes)
  std::string err;  // stderr (up to max_err bytes)
  // The exit status; 128+N if killed by signal N; -1 if it never ran.
  int status = -1;
  bool timed_out = false;
  // Non-empty: the child could not be started (or polling failed); says why.
  std::string spawn_error;
  // Wall time from just before the spawn until the child was reaped.
  int64_t elapsed_us = 0;
  // Every byte the child wrote to stdout, also those beyond max_out.
  uint64_t out_bytes = 0;
};

// Runs one process and waits for it. The child starts in a new process
// group, with an empty signal mask and SIGPIPE at its default action; it
// inherits no descriptor of ours but 0, 1 and 2 as set up here. Stdin is
// fed and stdout and stderr are read concurrently (poll), so no amount of
// output or input can deadlock. On timeout, or if the caller's poll fails,
// the process group is killed; the child is always reaped before return.
// Thread-safe.
ProcResult RunProcess(const ExecSpec& spec);

// This process's environment with `overrides` ("K=V" each) replacing the
// variables of the same names, or appended in order when absent.
std::vector<std::string> EnvironWith(const std::vector<std::string>& overrides);

// Runs this test binary again, in a child process, on its one doctest case
// `test_case` (`--test-case=`), with `overrides` in its environment (say a
// locale that must be set before anything reads it); up to 10 minutes.
ProcResult RunSelfTestCase(const std::string& test_case, const std::vector<std::string>& overrides);

// How RunBash runs its script.
struct BashOptions {
  // The bash to run: a path, or a name looked up in PATH. argv[0] is
  // always "bash", so diagnostics read "bash: line 1: ...".
  std::string bash = "bash";
  // The working directory. Empty: this process's.
  std::string cwd;
  // "K=V" each: set in (or added to) this process's environment for bash.
  std::vector<std::string> env;
  // Bash's stdin. nullopt: /dev/null.
  std::optional<std::string> stdin_data;
  int timeout_ms = kDefaultTimeoutMs;
};

// `bash -c SCRIPT` through RunProcess, as `options` say.
ProcResult RunBash(const std::string& script, const BashOptions& options = {});

// ---------------------------------------------------------------------------
// Shell words.

// `s` as one single-quoted shell word: 'it'\''s' for it's.
std::string ShellQuote(std::string_view s);

// Splits a command line into words the way bash would for the simple
// commands tests use: blanks separate words; '...' is literal; "..." keeps
// all but \" \\ \$, which lose the backslash; $'...' knows \n \t \xHH and
// otherwise drops the backslash (\\ \' ...); outside quotes a backslash
// keeps the next character. No expansions, no operators. The input must be
// well formed (quotes closed, no trailing backslash).
std::vector<std::string> ShellWords(std::string_view s);

// ---------------------------------------------------------------------------
// Files and outputs.

// The bytes of the file at `path`; empty if it cannot be read.
std::string Slurp(const std::filesystem::path& path);

// How SortedLines treats a last line without '\n'.
enum class LastLine {
  kTerminate,  // it gets a '\n' like the others: "b\na" sorts as "a\nb\n"
  kMark,       // it gets "\\(no newline)\n": a missing final newline shows
};

// The lines of `text`, each with its '\n', sorted bytewise (kTerminate: by
// the text before the '\n', as std::getline lines sort; kMark: by the whole
// line, marker included): for outputs whose order is that of a directory
// walk (GNU: readdir order; memhook: byte order). Two outputs hold the same
// lines iff their SortedLines (in the same mode) are equal.
std::string SortedLines(std::string_view text, LastLine last = LastLine::kTerminate);

// ---------------------------------------------------------------------------
// Temporary directories.

// A new directory PARENT/PREFIX-XXXXXX (mkdtemp), removed with everything
// below it on destruction unless Keep() was called. Movable, not copyable.
class TempDir {
 public:
  // On failure path() is empty and errno tells why.
  explicit TempDir(std::string_view prefix, std::string_view parent = "/tmp");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::filesystem::path& path() const { return path_; }
  // Leave the directory on disk.
  void Keep() { keep_ = true; }

 private:
  void Remove();

  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace memhook::testing

#endif  // MEMHOOK_TESTS_SUPPORT_TEST_SUPPORT_H_
