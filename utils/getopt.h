// Internal to the utils library: glibc's getopt_long as GNU programs
// meet it (clusters, abbreviated long options and their ambiguity lists,
// `--`, permutation or not, optional arguments) with glibc's own
// diagnostics, and the usage-error shapes of coreutils. One emulation for
// the text utilities, the digests, diff, cmp, comm, join and column; the
// older utilities parse with options.h, which routes any unknown option on
// instead of wording it.
#ifndef MEMHOOK_UTILS_GETOPT_H_
#define MEMHOOK_UTILS_GETOPT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "utils/options.h"
#include "utils/utils.h"

namespace memhook::utils::gnu {

// ---- Items in command-line order, diagnostics among them (tr, paste, nl,
// tac, fold, fmt, expand, unexpand, strings, the digests, base64).

// One option of a utility as getopt_long sees it.
struct Option {
  enum Arg : uint8_t { kNone, kRequired, kOptional };
  char short_name;        // '\0': long form only
  const char* long_name;  // nullptr: short form only
  Arg arg;
  int id;
};
// Ids every table may use for the options memhook refuses, and for
// getopt's own diagnostics.
constexpr int kHelp = -1;
constexpr int kVersion = -2;
constexpr int kGetoptError = -3;

struct GivenOption {
  int id;
  std::string arg;  // kGetoptError: getopt's message (without the "Try" line)
  bool has_arg = false;
  char short_name = '\0';  // the letter typed, for digit options
};

struct Getopt {
  // In command-line order, getopt's diagnostics among them (kGetoptError)
  // where getopt_long returns '?': most utilities stop at the first one,
  // nl goes on.
  std::vector<GivenOption> options;
  std::vector<std::string> operands;
  bool refused = false;  // --help or --version: io.unsupported is set
  // The first diagnostic, or "".
  std::string FirstError() const {
    for (const GivenOption& o : options) {
      if (o.id == kGetoptError) return o.arg;
    }
    return "";
  }
};

// RunGetopt over `table`, going on past diagnostics: permutation of
// operands unless `permute` is false (Ordering::kRequireOrder). --help and
// --version (kHelp, kVersion) stop it with io.unsupported set.
Getopt ParseGetopt(const std::vector<std::string>& argv, const std::vector<Option>& table,
                   bool permute, CommandIo& io);

// "PROG: MESSAGE\nTry 'PROG --help' for more information.\n", status 1.
void UsageError(const std::string& prog, const std::string& message, CommandIo& io);
// "PROG: MESSAGE\n" and status 1 (error (EXIT_FAILURE, 0, ...)).
void Die(const std::string& prog, const std::string& message, CommandIo& io);

// ---- The raw getopt_long loop with the program's table order (diff, cmp,
// comm, join, column).

enum class ArgMode { kNone, kRequired, kOptional };

// One option of a program's table, in the order of the program's own
// `struct option` array (glibc lists ambiguous abbreviations in that order).
struct GetoptOption {
  char short_name;        // '\0': long only
  const char* long_name;  // nullptr: short only
  ArgMode mode;
  int id;
};

// An item of the command line as glibc's getopt_long returns it.
struct GetoptItem {
  // The option's id, or kOperandItem / kLateOperandItem, or kGetoptError
  // (`argument` holds getopt's message, without "PROG: ").
  int id;
  bool has_argument = false;
  std::string argument;
  // The argument followed the option letter in the same word, right after
  // the leading '-' ("-j1", not "-ij1" nor "-j 1"): join's -j1/-j2 test.
  bool attached_to_letter = false;
  // The letter typed (a long option: its short name, or '\0'): digit
  // options such as fold's -5 share one id.
  char letter = '\0';
};

constexpr int kOperandItem = -101;      // an operand (kReturnInOrder)
constexpr int kLateOperandItem = -102;  // an operand after "--" (kReturnInOrder)

// Where operands may stand, as the first character of the optstring says.
enum class Ordering {
  kPermute,        // none: options anywhere, operands gathered in order
  kRequireOrder,   // '+': the first operand ends the options
  kReturnInOrder,  // '-': operands come back as items, among the options
};

struct GetoptResult {
  std::vector<GetoptItem> items;  // options (and operands in in-order mode)
  std::vector<std::string> operands;
  // The words getopt consumed as options, "--" included, in order: what
  // ends up in argv[1..optind-1] after permutation (diff's "diff -r ..."
  // lines repeat them).
  std::vector<std::string> option_words;
  // Non-empty: getopt's own diagnostic, then the program's usage error,
  // once the program has acted on the items before it.
  std::string diagnostic;
};

// glibc 2.36 getopt_long, the one emulation: clusters, abbreviations and
// their ambiguity lists (in the table's order), `--`, optional arguments.
// With `stop_at_error`, parsing ends at the first diagnostic, as in the
// programs that exit on '?'; otherwise the diagnostics are items in order
// (kGetoptError) and parsing goes on, as getopt does.
GetoptResult RunGetopt(const std::vector<std::string>& argv, const std::vector<GetoptOption>& table,
                       Ordering ordering, bool stop_at_error = true);

}  // namespace memhook::utils::gnu

namespace memhook::utils {

// gnu::RunGetopt over options.h's types. `optional_ids` take an optional argument (`--context`,
// `--context=N`); for those, ParsedOption::spelling ends in '=' when an
// argument was given. Returns false on a usage error: `*diagnostic` holds
// getopt's message (ambiguous abbreviations are listed in the table's
// order, which is the program's own) and parsed->options the options
// before it, which the program acts on first, as it would.
bool GnuGetoptLong(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs,
                   const std::vector<int>& optional_ids, ParsedArgs* parsed,
                   std::vector<std::string>* option_words, std::string* diagnostic);

// cmd_filters.cc: getopt_long's diagnostics for what options.h's
// ParseOptions stopped at; false (io.unsupported set) when it cannot word
// them.
bool ReportOptionError(const std::string& program, const ParsedArgs& args,
                       const std::vector<OptionSpec>& specs, int status, CommandIo& io);
// cmd_filters.cc: gnulib's quote() (locale quoting style) as the command's
// own LC_CTYPE words it: ‘x’ under UTF-8, 'x' otherwise.
std::string QuoteForCommand(const CommandEnv& env, std::string_view text);

}  // namespace memhook::utils

#endif  // MEMHOOK_UTILS_GETOPT_H_
