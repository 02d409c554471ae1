// Internal to the utils library: GNU getopt_long-compatible parsing of a
// command's argv against a table of supported options.
//
// Semantics reproduced: options may follow operands (permutation) until
// `--`; a lone `-` is an operand; short options cluster (`-rn`); a short
// option's argument is the rest of its cluster or the next word; long
// options take `--name=value` or `--name value` and may be abbreviated to
// any unambiguous prefix. An option not in the table is reported back so
// that the command can route to the next tier rather than guess.
#ifndef MEMHOOK_UTILS_OPTIONS_H_
#define MEMHOOK_UTILS_OPTIONS_H_

#include <string>
#include <string_view>
#include <vector>

namespace memhook::utils {

struct OptionSpec {
  char short_name;        // '\0' when the option has only a long form
  const char* long_name;  // nullptr when the option has only a short form
  bool takes_argument;
  int id;  // the command's own identifier for the option
};

struct ParsedOption {
  int id;
  std::string argument;  // empty when the option takes none
  std::string spelling;  // as typed, for messages ("-n", "--lines")
};

struct ParsedArgs {
  std::vector<ParsedOption> options;  // in command-line order
  std::vector<std::string> operands;
  // Non-empty when parsing failed: names the offending word (unknown or
  // ambiguous option, missing argument). Commands route to the next tier.
  std::string unsupported;
};

// Parses argv[first..] (argv[0] is the command name).
ParsedArgs ParseOptions(const std::vector<std::string>& argv, size_t first,
                        const std::vector<OptionSpec>& specs);

}  // namespace memhook::utils

#endif  // MEMHOOK_UTILS_OPTIONS_H_
