// Internal to the shell library: the `test` / `[` builtin's expression
// language, as bash 5.2 evaluates it (POSIX's argument-count rules first,
// then precedence: `!`, `-a`, `-o`, parentheses).
#ifndef MEMHOOK_SHELL_TEST_EXPR_H_
#define MEMHOOK_SHELL_TEST_EXPR_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memhook::shell {

// What a file test needs to know of a path (on the union filesystem).
struct FileFacts {
  bool exists = false;
  bool is_directory = false;
  bool is_regular = false;
  bool is_symlink = false;  // -h / -L (lstat)
  uint64_t size = 0;
  uint32_t mode = 0;  // permission bits (0755)
  int64_t mtime_ns = 0;
  // Identity for -ef.
  uint64_t device = 0, inode = 0;
};

struct TestContext {
  // Facts about `path` (follow_symlinks false only for -h/-L).
  std::function<FileFacts(std::string_view path, bool follow_symlinks)> file;
  // Whether the variable `name` is set (-v).
  std::function<bool(std::string_view name)> variable_is_set;
  // Whether fd N is a terminal (-t): memhook's descriptors never are.
};

struct TestResult {
  // 0 true, 1 false, 2 error (with `error` set).
  int status = 1;
  // bash's text after "bash: line N: ", e.g. "[: missing `]'",
  // "test: abc: integer expression expected", "[: too many arguments".
  std::string error;
};

// `args` are the words after `test` (for `[`, the words after `[`, whose
// last must be `]`; `bracket` true). Operators: -e -f -d -s -r -w -x -h -L
// -p -S -b -c -g -u -k -O -G -N -t -z -n -v, = == != < >, -eq -ne -lt -le
// -gt -ge, -nt -ot -ef, ! -a -o ( ).
TestResult EvalTest(const std::vector<std::string>& args, bool bracket, const TestContext& context);

}  // namespace memhook::shell

#endif  // MEMHOOK_SHELL_TEST_EXPR_H_
