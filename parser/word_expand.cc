#include "parser/word_expand.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace memhook::parser::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t v) {
  if (v < 0x80) {
    out.push_back(static_cast<char>(v));
  } else if (v < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (v >> 6)));
    out.push_back(static_cast<char>(0x80 | (v & 0x3F)));
  } else if (v < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (v >> 12)));
    out.push_back(static_cast<char>(0x80 | ((v >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (v & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | ((v >> 18) & 0x07)));
    out.push_back(static_cast<char>(0x80 | ((v >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((v >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (v & 0x3F)));
  }
}

// ---------------------------------------------------------------------------
// Brace expansion, following bash's braces.c (brace_expand, brace_gobbler,
// expand_amble, expand_seqterm, mkseq), on marked text instead of text with
// quote characters still in it: only kLiteral bytes can be syntax.

bool LitAt(const MarkedText& w, std::size_t i, char c) {
  return i < w.text.size() && w.marks[i] == kLiteral && w.text[i] == c;
}

MarkedText Slice(const MarkedText& w, std::size_t begin, std::size_t end) {
  MarkedText out;
  out.text = w.text.substr(begin, end - begin);
  out.marks = w.marks.substr(begin, end - begin);
  out.resolved = w.resolved;
  out.unresolved_reason = w.unresolved_reason;
  return out;
}

// The first unquoted `{` at or after `from` that bash considers as a brace
// expansion start, or npos. Bash ignores a `{` that starts the word and is
// followed by `}` or nothing (so `{}` stays literal).
std::size_t FindOpenBrace(const MarkedText& w, std::size_t from) {
  for (std::size_t i = from; i < w.text.size(); ++i) {
    if (!LitAt(w, i, '{')) continue;
    if (i == 0 && (i + 1 == w.text.size() || LitAt(w, i + 1, '}'))) continue;
    return i;
  }
  return std::string::npos;
}

// The `}` matching the `{` just before `start`, provided the braces hold a
// top-level `,` or `..` (bash's `commas` check); otherwise npos.
std::size_t FindCloseBrace(const MarkedText& w, std::size_t start) {
  int level = 0;
  int commas = 0;
  for (std::size_t i = start; i < w.text.size(); ++i) {
    if (w.marks[i] != kLiteral) continue;
    const char c = w.text[i];
    if (c == '}' && level == 0 && commas > 0) return i;
    if (c == '{') {
      ++level;
    } else if (c == '}' && level > 0) {
      --level;
    } else if (level == 0 && c == ',') {
      ++commas;
    } else if (level == 0 && c == '.' && LitAt(w, i + 1, '.') && !LitAt(w, i + 2, '}')) {
      ++commas;
    }
  }
  return std::string::npos;
}

// Cartesian product, left operand varying slowest (bash's array_concat).
bool Concat(std::vector<MarkedText>& acc, const std::vector<MarkedText>& tail,
            std::size_t max_words) {
  if (tail.empty()) return true;
  if (acc.empty()) {
    acc = tail;
    return acc.size() <= max_words;
  }
  if (acc.size() * tail.size() > max_words) return false;
  std::vector<MarkedText> out;
  out.reserve(acc.size() * tail.size());
  for (const MarkedText& a : acc) {
    for (const MarkedText& b : tail) {
      MarkedText m = a;
      m.text += b.text;
      m.marks += b.marks;
      if (!b.resolved) m.Unresolve(b.unresolved_reason);
      out.push_back(std::move(m));
    }
  }
  acc = std::move(out);
  return true;
}

// Parses an optionally signed decimal integer filling the whole of `s`.
std::optional<intmax_t> ParseInt(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i == s.size()) return std::nullopt;
  for (std::size_t j = i; j < s.size(); ++j) {
    if (!IsDigit(s[j])) return std::nullopt;
  }
  std::string tmp(s);
  errno = 0;
  char* end = nullptr;
  const intmax_t v = std::strtoimax(tmp.c_str(), &end, 10);
  if (errno == ERANGE) return std::nullopt;
  return v;
}

bool NeedsZeroPad(std::string_view s) {
  return (s.size() > 1 && s[0] == '0') || (s.size() > 2 && s[0] == '-' && s[1] == '0');
}

// `{x..y[..incr]}` with integers or single letters. nullopt when `amble` is
// not a valid sequence expression (the braces then stay literal).
std::optional<std::vector<MarkedText>> ExpandSequence(const MarkedText& amble,
                                                      std::size_t max_words, bool& overflow) {
  for (char m : amble.marks) {
    if (m != kLiteral) return std::nullopt;
  }
  const std::string_view text = amble.text;
  const std::size_t dots = text.find("..");
  if (dots == std::string_view::npos) return std::nullopt;
  const std::string_view lhs = text.substr(0, dots);
  std::string_view rhs = text.substr(dots + 2);
  std::string_view incr_text;
  if (const std::size_t more = rhs.find(".."); more != std::string_view::npos) {
    incr_text = rhs.substr(more + 2);
    rhs = rhs.substr(0, more);
    if (incr_text.empty()) return std::nullopt;
  }
  intmax_t incr = 1;
  if (!incr_text.empty()) {
    const auto v = ParseInt(incr_text);
    if (!v) return std::nullopt;
    incr = *v;
  }

  intmax_t start = 0;
  intmax_t end = 0;
  bool chars = false;
  int width = 0;
  if (const auto l = ParseInt(lhs); l) {
    const auto r = ParseInt(rhs);
    if (!r) return std::nullopt;
    start = *l;
    end = *r;
    if (NeedsZeroPad(lhs) || NeedsZeroPad(rhs)) {
      width = static_cast<int>(std::max(lhs.size(), rhs.size()));
    }
  } else if (lhs.size() == 1 && IsAlpha(lhs[0]) && rhs.size() == 1 && IsAlpha(rhs[0])) {
    chars = true;
    start = static_cast<unsigned char>(lhs[0]);
    end = static_cast<unsigned char>(rhs[0]);
  } else {
    return std::nullopt;
  }

  // Bounds keep the arithmetic below exact; such sequences could not be
  // expanded within `max_words` anyway (except degenerate ones).
  constexpr intmax_t kLimit = intmax_t{1} << 62;
  auto in_range = [&](intmax_t v) { return v > -kLimit && v < kLimit; };
  if (!in_range(start) || !in_range(end) || !in_range(incr)) return std::nullopt;
  if (incr == 0) incr = 1;
  if (start > end && incr > 0) incr = -incr;
  if (start < end && incr < 0) incr = -incr;
  const uintmax_t span = static_cast<uintmax_t>(start > end ? start - end : end - start);
  const uintmax_t steps = span / static_cast<uintmax_t>(incr < 0 ? -incr : incr);
  if (steps >= max_words) {
    overflow = true;
    return std::nullopt;
  }

  std::vector<MarkedText> out;
  out.reserve(steps + 1);
  char buf[64];
  for (uintmax_t k = 0; k <= steps; ++k) {
    const intmax_t v = start + static_cast<intmax_t>(k) * incr;
    MarkedText m;
    m.resolved = amble.resolved;
    m.unresolved_reason = amble.unresolved_reason;
    if (chars) {
      const char c = static_cast<char>(v);
      // Bash removes an unquoted backslash produced here as a quote
      // character, leaving a (kept) empty word.
      if (c == '\\') {
        m.AddQuoteMarker();
      } else {
        m.Append(c, kLiteral);
      }
    } else {
      std::snprintf(buf, sizeof buf, "%0*jd", width, v);
      m.Append(std::string_view(buf), kLiteral);
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<MarkedText> BraceExpandImpl(const MarkedText& w, std::size_t max_words, bool& overflow,
                                        int depth);

// expand_amble: split at top-level commas, expand each alternative.
std::vector<MarkedText> ExpandAlternatives(const MarkedText& amble, std::size_t max_words,
                                           bool& overflow, int depth) {
  std::vector<MarkedText> out;
  int level = 0;
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= amble.text.size(); ++i) {
    const bool at_end = i == amble.text.size();
    if (!at_end && amble.marks[i] == kLiteral) {
      const char c = amble.text[i];
      if (c == '{') {
        ++level;
      } else if (c == '}' && level > 0) {
        --level;
      }
    }
    if (at_end || (level == 0 && LitAt(amble, i, ','))) {
      std::vector<MarkedText> part =
          BraceExpandImpl(Slice(amble, begin, i), max_words, overflow, depth + 1);
      if (overflow || out.size() + part.size() > max_words) {
        overflow = true;
        return {};
      }
      for (MarkedText& p : part) out.push_back(std::move(p));
      begin = i + 1;
    }
  }
  return out;
}

std::vector<MarkedText> BraceExpandImpl(const MarkedText& w, std::size_t max_words, bool& overflow,
                                        int depth) {
  // Bash recurses the same way; the depth bound only guards the stack.
  if (depth > 64) {
    overflow = true;
    return {w};
  }
  std::size_t open = 0;
  std::size_t close = std::string::npos;
  for (std::size_t from = 0;; from = open + 1) {
    open = FindOpenBrace(w, from);
    if (open == std::string::npos) return {w};
    close = FindCloseBrace(w, open + 1);
    if (close != std::string::npos) break;
  }

  const MarkedText amble = Slice(w, open + 1, close);
  const bool has_postamble = close + 1 < w.text.size();
  bool has_comma = false;
  for (std::size_t i = 0; i < amble.text.size(); ++i) {
    if (LitAt(amble, i, ',')) {
      has_comma = true;
      break;
    }
  }

  std::vector<MarkedText> tack;
  if (has_comma) {
    tack = ExpandAlternatives(amble, max_words, overflow, depth);
  } else if (auto seq = ExpandSequence(amble, max_words, overflow); seq) {
    tack = std::move(*seq);
  } else if (has_postamble) {
    // An invalid sequence stays literal, braces included, but the rest of
    // the word may still hold expansions.
    tack.push_back(Slice(w, open, close + 1));
  } else {
    return {w};
  }
  if (overflow) return {w};

  std::vector<MarkedText> result{Slice(w, 0, open)};
  if (!Concat(result, tack, max_words)) {
    overflow = true;
    return {w};
  }
  if (has_postamble) {
    const std::vector<MarkedText> post =
        BraceExpandImpl(Slice(w, close + 1, w.text.size()), max_words, overflow, depth + 1);
    if (overflow || !Concat(result, post, max_words)) {
      overflow = true;
      return {w};
    }
  }
  return result;
}

}  // namespace

std::string DecodeAnsiC(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i++];
    if (c != '\\' || i == s.size()) {
      if (c == '\0') return out;
      out.push_back(c);
      continue;
    }
    const char e = s[i++];
    int v = -1;  // the byte to emit, or -1 when handled otherwise
    switch (e) {
      case 'a':
        v = 7;
        break;
      case 'b':
        v = 8;
        break;
      case 'e':
      case 'E':
        v = 27;
        break;
      case 'f':
        v = 12;
        break;
      case 'n':
        v = 10;
        break;
      case 'r':
        v = 13;
        break;
      case 't':
        v = 9;
        break;
      case 'v':
        v = 11;
        break;
      case '\\':
      case '\'':
      case '"':
      case '?':
        v = static_cast<unsigned char>(e);
        break;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        int n = e - '0';
        for (int k = 0; k < 2 && i < s.size() && IsOctal(s[i]); ++k) n = n * 8 + (s[i++] - '0');
        v = n & 0xFF;
        break;
      }
      case 'x': {
        int n = 0;
        int digits = 0;
        for (; digits < 2 && i < s.size() && HexValue(s[i]) >= 0; ++digits) {
          n = n * 16 + HexValue(s[i++]);
        }
        if (digits == 0) {
          out += "\\x";
        } else {
          v = n;
        }
        break;
      }
      case 'u':
      case 'U': {
        const int max_digits = e == 'u' ? 4 : 8;
        uint32_t n = 0;
        int digits = 0;
        for (; digits < max_digits && i < s.size() && HexValue(s[i]) >= 0; ++digits) {
          n = n * 16 + static_cast<uint32_t>(HexValue(s[i++]));
        }
        if (digits == 0) {
          out.push_back('\\');
          out.push_back(e);
        } else if (n == 0) {
          return out;
        } else if (n > 0x10FFFF) {
          // Not a Unicode scalar value; bash prints such escapes verbatim.
          out.push_back('\\');
          out.push_back(e);
          out.append(s.substr(i - digits, digits));
        } else {
          AppendUtf8(out, n);
        }
        break;
      }
      case 'c': {
        if (i == s.size()) {
          out += "\\c";
          break;
        }
        char x = s[i++];
        if (x == '\\' && i < s.size() && s[i] == '\\') ++i;
        v = x == '?' ? 0x7F : (static_cast<unsigned char>(x) & 0x1F);
        break;
      }
      default:
        out.push_back('\\');
        out.push_back(e);
        break;
    }
    if (v == 0) return out;
    if (v > 0) out.push_back(static_cast<char>(v));
  }
  return out;
}

std::vector<MarkedText> BraceExpand(const MarkedText& word, std::size_t max_words) {
  bool overflow = false;
  std::vector<MarkedText> out = BraceExpandImpl(word, max_words, overflow, 0);
  if (overflow) {
    MarkedText w = word;
    w.Unresolve("brace expansion too large");
    return {w};
  }
  return out;
}

bool IsNullWord(const MarkedText& w) {
  if (!w.resolved) return false;
  for (char m : w.marks) {
    if (m != kLiteral) return false;
  }
  return w.text.empty();
}

}  // namespace memhook::parser::internal
