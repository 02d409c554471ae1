// Internal to the parser library: the string-level parts of bash word
// handling the AST builder (ast.cc) shares, independent of tree-sitter:
// $'...' decoding and brace expansion over a MarkedText (every byte tagged
// with how it was quoted, so only unquoted bytes take part).
#ifndef MEMHOOK_PARSER_WORD_EXPAND_H_
#define MEMHOOK_PARSER_WORD_EXPAND_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// True when the word is an unquoted null string, which bash removes from
// the argument list (e.g. the empty alternative of `x{,}` is kept as "x",
// but `{,a}` yields only "a").
bool IsNullWord(const MarkedText& word);

}  // namespace memhook::parser::internal

#endif  // MEMHOOK_PARSER_WORD_EXPAND_H_
