// Internal to the parser library: the string-level half of bash word
// expansion, independent of tree-sitter. parser.cc turns tree nodes into a
// MarkedText (quote removal already done, every byte tagged with how it was
// quoted); the functions here then apply brace expansion, tilde expansion and
// glob detection the way bash does, in bash's order.
#ifndef MEMHOOK_PARSER_WORD_EXPAND_H_
#define MEMHOOK_PARSER_WORD_EXPAND_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parser/parser.h"

namespace memhook::parser::internal {

// How one byte of a word came to be. Brace expansion, tilde expansion and
// globbing only look at kLiteral bytes, exactly as bash ignores quoted ones.
enum Mark : char {
  kLiteral = 0,   // unquoted source character
  kQuoted = 1,    // quoted or backslash-escaped source character
  kExpanded = 2,  // produced by an expansion ($HOME, ~) or left unexpanded
  // A zero-width marker recording that a quoted span was present, so that
  // `""` and `''` survive as empty words; it is dropped from the final text.
  kQuoteMarker = 3,
};

// A word under construction: `text[i]` has provenance `marks[i]`.
struct MarkedText {
  std::string text;
  std::string marks;
  bool resolved = true;
  std::string unresolved_reason;

  void Append(std::string_view s, Mark m) {
    text.append(s);
    marks.append(s.size(), m);
  }
  void Append(char c, Mark m) {
    text.push_back(c);
    marks.push_back(m);
  }
  void AddQuoteMarker() { Append('\0', kQuoteMarker); }
  // Records the first reason only: it names the leftmost unresolved part.
  void Unresolve(std::string_view reason) {
    if (resolved) {
      resolved = false;
      unresolved_reason = reason;
    }
  }
};

// Decodes the body of a `$'...'` string (without `$'` and `'`) with bash's
// escapes. Like bash, the result stops at the first NUL byte.
std::string DecodeAnsiC(std::string_view body);

// Bash brace expansion (`{a,b}`, `{1..10..2}`, `{a..e}`, nesting, preamble
// and postscript). Returns {word} when there is nothing to expand. When the
// expansion would exceed `max_words`, returns {word} marked unresolved.
std::vector<MarkedText> BraceExpand(const MarkedText& word, std::size_t max_words);

// Splits at unquoted blanks (space, tab), dropping empty pieces.
std::vector<MarkedText> SplitOnBlanks(const MarkedText& word);

// True when `word` starts with an unquoted `name=` (bash then also applies
// tilde expansion after the `=` and after each `:`, as for assignments).
bool LooksLikeAssignment(const MarkedText& word);

enum class TildeMode {
  kWordStart,       // only a leading `~`
  kAssignment,      // a leading `~` and one after each unquoted `:`
  kAssignmentLike,  // like kAssignment, but starting after the first `=`
};

// Tilde expansion. `~` and `~/...` become `home`; an empty `home`, `~user`,
// `~+` and `~-` leave the word unresolved.
void ExpandTilde(MarkedText& word, TildeMode mode, std::string_view home);

// Produces the IR word: drops quote markers, computes has_glob/glob_pattern
// when `glob` is set.
Word FinalizeWord(const MarkedText& word, std::string_view raw, bool glob);

// True when the word is an unquoted null string, which bash removes from
// the argument list (e.g. the empty alternative of `x{,}` is kept as "x",
// but `{,a}` yields only "a").
bool IsNullWord(const MarkedText& word);

// The result of expanding an unquoted heredoc body.
struct HeredocExpansion {
  std::string text;
  bool expanded = true;   // false if an expansion was left unevaluated
  bool executes = false;  // a command substitution was found
  bool arithmetic = false;
};

// Expands the body of a heredoc whose delimiter was unquoted: backslash
// escapes of `$`, `` ` ``, `\` and newline, `$HOME`, `${HOME}`. Any other
// expansion is kept verbatim with expanded=false.
HeredocExpansion ExpandHeredocBody(std::string_view body, std::string_view home);

}  // namespace memhook::parser::internal

#endif  // MEMHOOK_PARSER_WORD_EXPAND_H_
