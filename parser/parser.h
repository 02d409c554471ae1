// memhook parser: bash source text -> an owned intermediate representation.
//
// The only public header of the parser library. tree-sitter-bash is used
// internally; no tree-sitter type appears here, so callers never manage a
// TSTree or TSNode lifetime.
//
// The IR covers the subset of bash that memhook can reason about exactly:
// statement sequences (`;`, newline, `&`), `&&`/`||` chains, pipelines
// (`|`, `|&`), simple commands with assignments, words and redirections.
// Any other construct (subshells, compound commands, functions, loops, test
// brackets, command substitution, arithmetic, process substitution ...) is
// still parsed, but recorded in `Program::unsupported` so the classifier can
// route the command to the next tier. A source whose tree contains an ERROR
// or MISSING node yields `ok() == false`: it must never be half-executed.
//
// Thread-safety: a Parser is not thread-safe; use one per thread. The
// returned Program is a plain value and may be moved anywhere.
#ifndef MEMHOOK_PARSER_PARSER_H_
#define MEMHOOK_PARSER_PARSER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace memhook::parser {

// Stands in a Word's `text` (and `glob_pattern`) for each `$?`: the value
// depends on execution, so the executor replaces it with the exit status of
// the previous pipeline. Its bytes (ASCII group separators) never occur in
// the word otherwise: a source containing them leaves `$?` unresolved.
inline constexpr char kLastStatusMarker[] = "\x1d?\x1d";

// One shell word after bash's quote removal and the expansions memhook
// performs statically (`~`, `~/x`, `$HOME`, `${HOME}`; brace expansion is
// applied by splitting one source word into several Words).
struct Word {
  // The value bash would pass to the command (quotes removed, `~`/$HOME
  // expanded). Meaningful only when `resolved` is true; when false it holds
  // the best-effort text with unexpanded parts left as in the source.
  std::string text;
  // The word exactly as it appears in the source (for messages/explain).
  std::string raw;
  // False when the word contains an expansion memhook does not evaluate
  // statically: another variable, command substitution, arithmetic,
  // process substitution, `~user`. `unresolved_reason` names it.
  bool resolved = true;
  std::string unresolved_reason;
  // True when the word contains an unquoted glob character (`*`, `?`, `[`).
  // `glob_pattern` then holds an fnmatch(3) pattern equal to `text` where
  // every character that was quoted in the source and is special to fnmatch
  // is escaped with a backslash. When false, `glob_pattern` is empty.
  bool has_glob = false;
  std::string glob_pattern;
};

// A variable assignment that prefixes a command (`LC_ALL=C ls`) or stands
// alone (`X=1`).
struct Assignment {
  std::string name;
  Word value;
};

enum class RedirectOp {
  kOutput,        // [n]> word     (and >| )
  kAppend,        // [n]>> word
  kInput,         // [n]< word
  kDuplicateOut,  // [n]>&word   (word is a digit or '-')
  kDuplicateIn,   // [n]<&word
  kOutputBoth,    // &> word  /  >& word (word not a digit)
  kAppendBoth,    // &>> word
  kHereString,    // <<< word
  kHeredoc,       // << / <<- ; body in `heredoc_body`
  kReadWrite,     // [n]<> word
};

struct Redirect {
  // The file descriptor the redirect applies to; -1 means the operator's
  // default (1 for output operators, 0 for input operators).
  int fd = -1;
  RedirectOp op = RedirectOp::kOutput;
  Word target;
  // For kHeredoc: the body after expansion (literal if the delimiter was
  // quoted). `heredoc_expanded` is false when the body has expansions that
  // memhook does not evaluate.
  std::string heredoc_body;
  bool heredoc_expanded = true;
};

struct SimpleCommand {
  std::vector<Assignment> assignments;
  // argv[0] is the command name. Empty when the command is only
  // assignments and/or redirections.
  std::vector<Word> argv;
  std::vector<Redirect> redirects;
};

struct Pipeline {
  bool negated = false;  // leading `!`
  std::vector<SimpleCommand> stages;
  // `|&` between stage i and i+1 (stderr of stage i joins the pipe).
  std::vector<bool> stderr_piped;  // size == stages.size() - 1
};

enum class ListOp { kAnd, kOr };  // && ||

// `p0 op0 p1 op1 p2 ...`, evaluated left to right with bash's semantics.
struct AndOrList {
  std::vector<Pipeline> pipelines;
  std::vector<ListOp> ops;  // size == pipelines.size() - 1
  bool background = false;  // terminated by `&`
};

struct Program {
  std::vector<AndOrList> statements;
  // Human-readable names of constructs outside the IR subset, e.g.
  // "command substitution", "subshell", "for loop". Empty when the IR
  // represents the source completely.
  std::vector<std::string> unsupported;
};

struct ParseOptions {
  // Value used for `~`, `~/...`, `$HOME` and `${HOME}`. Default: empty,
  // which leaves those unresolved.
  std::string home;
};

struct ParseResult {
  bool ok() const { return error.empty(); }
  // Empty on success; otherwise a one-line description such as
  // "syntax error near `|' at 1:7".
  std::string error;
  Program program;
};

// Parses bash source. Reusing one Parser amortises the tree-sitter parser
// construction over several calls.
class Parser {
 public:
  Parser();
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  ParseResult Parse(std::string_view source, const ParseOptions& options);

  // The tree-sitter S-expression of `source` (named nodes), for `explain`
  // and tests. Empty if parsing failed outright.
  std::string DebugTree(std::string_view source);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace memhook::parser

#endif  // MEMHOOK_PARSER_PARSER_H_
