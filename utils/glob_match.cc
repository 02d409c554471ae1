// Shell pattern matching on characters, not bytes. glibc's fnmatch in the
// C.UTF-8 locale lets `?` match one byte of `é`; bash, GNU find and GNU
// grep (gnulib) match one character. Patterns and names are decoded to code
// points (UTF-8 under a UTF-8 locale; an invalid byte stands for itself, as
// a value no character has) and matched with one backtracking point per
// `*`, which is linear for every pattern without extglob operators.
#include <fnmatch.h>

#include <cwctype>
#include <string>
#include <vector>

#include "utils/utils.h"

namespace memhook::utils {
namespace {

// An invalid byte b decodes to kRawByte + b: never equal to a character.
constexpr char32_t kRawByte = 0x110000;

std::u32string Decode(std::string_view s, bool utf8) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!utf8 || c < 0x80) {
      out.push_back(c);
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    char32_t cp = len == 4 ? c & 0x07 : len == 3 ? c & 0x0F : c & 0x1F;
    bool ok = len != 0 && c <= 0xF4 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms and surrogates are not characters either.
    ok = ok && !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
         !(cp >= 0xD800 && cp <= 0xDFFF);
    if (!ok) {
      out.push_back(kRawByte + c);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

char32_t Fold(char32_t c) {
  if (c >= kRawByte) return c;
  return static_cast<char32_t>(std::towlower(static_cast<wint_t>(c)));
}

bool InClass(const std::u32string& name, char32_t c) {
  if (c >= kRawByte) return false;
  std::string n(name.begin(), name.end());
  wctype_t type = wctype(n.c_str());
  return type != 0 && iswctype(static_cast<wint_t>(c), type);
}

// Matches the bracket expression starting at p[*i] == '['. Returns -1 when
// the bracket is not closed (then `[` is an ordinary character), else
// whether `c` is in the set, with *i after the `]`.
int MatchBracket(const std::u32string& p, size_t* i, char32_t c, bool casefold) {
  size_t k = *i + 1;
  bool negate = false;
  if (k < p.size() && (p[k] == U'!' || p[k] == U'^')) {
    negate = true;
    ++k;
  }
  bool matched = false;
  bool first = true;
  char32_t cf = casefold ? Fold(c) : c;
  while (k < p.size() && (first || p[k] != U']')) {
    first = false;
    char32_t lo;
    if (p[k] == U'[' && k + 1 < p.size() && p[k + 1] == U':') {
      size_t end = p.find(U":]", k + 2);
      if (end != std::u32string::npos) {
        std::u32string cls = p.substr(k + 2, end - k - 2);
        matched |= InClass(cls, c);
        k = end + 2;
        continue;
      }
    }
    if (p[k] == U'\\' && k + 1 < p.size()) ++k;
    lo = p[k++];
    char32_t hi = lo;
    if (k + 1 < p.size() && p[k] == U'-' && p[k + 1] != U']') {
      ++k;
      if (p[k] == U'\\' && k + 1 < p.size()) ++k;
      hi = p[k++];
    }
    // Ranges by code point (bash's globasciiranges, on by default).
    if (casefold) {
      matched |= (Fold(lo) <= cf && cf <= Fold(hi)) || (lo <= c && c <= hi);
    } else {
      matched |= lo <= c && c <= hi;
    }
  }
  if (k >= p.size()) return -1;
  *i = k + 1;
  return matched != negate ? 1 : 0;
}

bool Match(const std::u32string& p, const std::u32string& t, const GlobMatchOptions& options) {
  size_t pi = 0, ti = 0;
  size_t star_p = std::u32string::npos, star_t = 0;
  auto leading_dot = [&](size_t at) {
    return options.period && at == 0 && at < t.size() && t[at] == U'.';
  };
  while (ti < t.size()) {
    if (pi < p.size()) {
      char32_t pc = p[pi];
      if (pc == U'*') {
        if (leading_dot(ti)) goto backtrack;
        while (pi < p.size() && p[pi] == U'*') ++pi;
        star_p = pi;
        star_t = ti;
        continue;
      }
      if (pc == U'?') {
        if (leading_dot(ti)) goto backtrack;
        ++pi;
        ++ti;
        continue;
      }
      if (pc == U'[') {
        size_t next = pi;
        int in = leading_dot(ti) ? 0 : MatchBracket(p, &next, t[ti], options.casefold);
        if (in == 1) {
          pi = next;
          ++ti;
          continue;
        }
        if (in == 0) goto backtrack;
        // An unclosed `[` is literal.
      }
      if (pc == U'\\' && pi + 1 < p.size()) {
        pc = p[pi + 1];
        if (pc == t[ti] || (options.casefold && Fold(pc) == Fold(t[ti]))) {
          pi += 2;
          ++ti;
          continue;
        }
        goto backtrack;
      }
      if (pc == t[ti] || (options.casefold && Fold(pc) == Fold(t[ti]))) {
        ++pi;
        ++ti;
        continue;
      }
    }
  backtrack:
    if (star_p == std::u32string::npos) return false;
    pi = star_p;
    ti = ++star_t;
  }
  while (pi < p.size() && p[pi] == U'*') ++pi;
  return pi == p.size();
}

bool HasExtglob(std::string_view pattern) {
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i + 1] == '(' && std::string_view("?*+@!").find(pattern[i]) != std::string::npos)
      return true;
  }
  return false;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text, const GlobMatchOptions& options) {
  if (options.extglob && HasExtglob(pattern)) {
    // Rare: glibc's extglob on bytes.
    int flags = FNM_EXTMATCH;
    if (options.period) flags |= FNM_PERIOD;
    if (options.casefold) flags |= FNM_CASEFOLD;
    return fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), flags) == 0;
  }
  const bool utf8 = options.utf8.value_or(LocaleIsUtf8());
  return Match(Decode(pattern, utf8), Decode(text, utf8), options);
}

}  // namespace memhook::utils
