// Internal to the shell library: the bash builtins `printf` and `echo`,
// byte-exact with bash 5.2 under the C/UTF-8 locales.
#ifndef MEMHOOK_SHELL_PRINTF_H_
#define MEMHOOK_SHELL_PRINTF_H_

#include <string>
#include <vector>

namespace memhook::shell {

struct BuiltinOutput {
  std::string out;
  // Diagnostics, each a full line without the "bash: line N: " prefix,
  // e.g. "printf: abc: invalid number\n" (the caller adds the prefix).
  std::vector<std::string> errors;
  // Indices into `errors` of lines bash prints as they are, without the
  // prefix (builtin_usage's "printf: usage: printf [-v var] format ...").
  std::vector<size_t> unprefixed;
  int status = 0;
  // printf -v NAME: the variable to assign `out` to instead of printing.
  std::string assign_to;
};

// `printf [-v var] FORMAT [ARGUMENTS...]`: argv[0] is "printf". The format
// is reused until the arguments are consumed; %b, %q, %Q, %(fmt)T, %c, %s,
// %d %i %o %u %x %X, %e %E %f %F %g %G %a %A, %%; flags, width, precision
// and `*`; `\` escapes in the format; numeric arguments in C syntax with
// 'c / "c for a character's code; bash's errors and status 1 for bad numbers.
// `now_s` is the time for %(...)T with -1 or no argument.
BuiltinOutput Printf(const std::vector<std::string>& argv, long long now_s);

// `echo [-neE] ARGS...`: argv[0] is "echo". Options are only leading words
// made entirely of n, e, E after '-'; `-e` escapes include \c (stop all
// output), \0NNN, \xHH, \uHHHH, \UHHHHHHHH.
BuiltinOutput Echo(const std::vector<std::string>& argv);

// bash's `printf %q` quoting of one word (also used by `set`, `declare -p`
// and xtrace): '' for empty, backslashes for plain special characters,
// $'...' when the word holds control characters.
std::string QuoteForShell(const std::string& word);

}  // namespace memhook::shell

#endif  // MEMHOOK_SHELL_PRINTF_H_
