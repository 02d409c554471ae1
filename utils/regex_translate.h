// Internal to the utils library: GNU grep patterns (BRE, ERE and fixed
// strings, as GNU grep 3.8 with glibc reads them) translated into RE2
// syntax, plus the facts about a pattern that grep needs beyond RE2's own
// matching: whether it can match the empty string, which locale classes it
// relies on, and the literal text any match must contain (for the content
// index).
//
// The translation is exact or refused: every construct whose GNU meaning RE2
// cannot reproduce (back-references, equivalence classes, constructs GNU's
// two engines disagree on, ...) sets `unsupported`, and grep then routes the
// command to the next tier. Syntax errors are refused the same way, so GNU's
// error texts never have to be imitated.
//
// Locale: in a UTF-8 locale patterns are compiled for RE2's UTF-8 mode; in
// the C locale for its Latin-1 mode, where every byte is a character. RE2's
// character classes, \w and \b are ASCII-only; GNU's follow the locale. The
// translation keeps RE2's ASCII meaning and reports in `locale_classes` the
// classes whose non-ASCII members would change the answer: grep refuses a
// file containing such a character (see cmd_grep.cc).
#ifndef MEMHOOK_UTILS_REGEX_TRANSLATE_H_
#define MEMHOOK_UTILS_REGEX_TRANSLATE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memhook::utils {

// Literal text every match must contain: a boolean formula over substrings,
// evaluated ASCII case-insensitively (atoms are ASCII-lowercased). kAny is
// "no constraint". Atoms are at least kMinAtomBytes long (shorter required
// text is useless to a trigram index and is dropped, which only widens the
// formula).
struct RequiredText {
  static constexpr size_t kMinAtomBytes = 3;
  enum class Op { kAny, kAtom, kAnd, kOr };
  Op op = Op::kAny;
  std::string atom;                    // kAtom
  std::vector<RequiredText> children;  // kAnd / kOr (at least two)

  static RequiredText Any() { return RequiredText(); }
  static RequiredText Atom(std::string text);  // kAny when too short
  static RequiredText And(std::vector<RequiredText> parts);
  static RequiredText Or(std::vector<RequiredText> parts);
  // True when `text` satisfies the formula (substring tests, ASCII
  // case-insensitive). For tests and for callers without an index.
  bool Holds(std::string_view text) const;
  // Debug form, e.g. and("foo",or("bar","baz")).
  std::string ToString() const;
};

enum class RegexSyntax { kBasic, kExtended };

struct TranslateOptions {
  RegexSyntax syntax = RegexSyntax::kBasic;
  bool utf8 = true;          // locale encoding: UTF-8, or single-byte C
  bool ignore_case = false;  // -i: letters match their case counterparts
  // Spell POSIX classes (and \w \W \s \S) as the explicit list of the
  // locale's members (iswctype over all code points, a few milliseconds
  // per class) instead of RE2's ASCII-only classes. UTF-8 only.
  bool full_classes = false;
  // LC_COLLATE orders characters by code point (C, POSIX, C.UTF-8): ranges
  // such as [a-z] then mean code point ranges. Otherwise only ranges within
  // ASCII digits, lowercase or uppercase letters are accepted, and their
  // meaning for non-ASCII text is left to the caller (`locale_ranges`).
  bool codepoint_collation = true;
  // GNU sed 4.9's reading (glibc's RE_SYNTAX_POSIX_BASIC / _EXTENDED):
  // groups capture (numbered as glibc numbers them, for \1-\9 in a
  // replacement), \` and \' are the edges of the whole buffer (\A, \z:
  // the pattern space may hold several lines), and what grep's syntax
  // reads as literal text but sed's rejects (a leading BRE \{, a leading
  // ERE * + ?, an ERE '{' that opens no interval, an unmatched ERE ')') is
  // refused.
  bool sed = false;
  // glibc's RE_HAT_LISTS_NOT_NEWLINE (sed's M flag): [^...], \W and \S do
  // not match a newline.
  bool hat_lists_not_newline = false;
};

struct Translation {
  std::string re2;  // RE2 syntax, for one line of text
  // Same as `re2` except that '$' never matches: GNU's re_match with
  // REG_NOTEOL, which grep -w uses to try shorter matches.
  std::string re2_noeol;
  std::string unsupported;  // non-empty: no exact translation (the reason)
  // GNU's diagnostics for the pattern, each printed as "grep: warning: X".
  std::vector<std::string> warnings;
  bool nullable = false;  // some match may be empty (conservative: true if unsure)
  // iswctype class names ("alnum", "alpha", ...) whose non-ASCII members
  // RE2 would treat differently from GNU in this pattern unless
  // `full_classes` is set (UTF-8 only).
  std::vector<std::string> locale_classes;
  // \b \B \< \> are RE2's ASCII word boundaries: exact only for text
  // without non-ASCII word characters (UTF-8 only).
  bool word_assertions = false;
  // Letter ranges under a non-code-point collation: non-ASCII text may
  // fall inside them for GNU (UTF-8 only).
  bool locale_ranges = false;
  // The pattern is plain text: characters (each possibly folded by -i) in
  // sequence, or alternatives of such sequences. GNU finds it even in lines
  // with encoding errors, and so does RE2, whose unanchored search steps
  // over invalid bytes.
  bool literal = false;
  // ERE with an unmatched ')' (an ordinary character): GNU pastes the
  // pattern into "(^|\W)(P)(\W|$)" for -w and "^(P)$" for -x, where such a
  // ')' closes GNU's own group. The caller refuses -w/-x then.
  bool unmatched_paren = false;
  RequiredText required;
  // Capturing groups in `re2` (TranslateOptions::sed only).
  int groups = 0;
};

// Translates one GNU pattern (no newline inside: grep splits patterns on
// newlines first).
Translation TranslateGnuRegex(std::string_view pattern, const TranslateOptions& options);

// A -F pattern as RE2 syntax. `ascii_ignore_case` folds ASCII letters only,
// which is what GNU's fixed-string matcher does.
std::string TranslateFixedString(std::string_view text, bool utf8, bool ascii_ignore_case);

// Required text of a -F pattern (exact bytes; ASCII-lowercased). Under -i
// in UTF-8, letters whose case counterparts are not plain ASCII (k, s, i,
// ...) break the text into pieces.
RequiredText FixedStringRequired(std::string_view text, bool utf8, bool ignore_case);

// GNU's case_folded_counterparts (gnulib localeinfo.c): the characters
// other than `c` that match `c` when case is ignored, from the current
// locale's towupper/towlower. In a single-byte locale, ASCII letters only.
std::vector<uint32_t> CaseCounterparts(uint32_t c, bool utf8);

}  // namespace memhook::utils

#endif  // MEMHOOK_UTILS_REGEX_TRANSLATE_H_
