// grep, egrep and fgrep, answered from the store exactly as GNU grep 3.8
// (Debian 12) would answer on a real directory: same stdout, stderr and
// exit status.
//
// The structure follows GNU's grep.c, whose observable quirks are part of
// the contract: the choice between its fixed-string and regex matchers
// (they treat -w and -o differently), the group separator state shared by
// all files, binary files (a NUL byte in the first 96 KiB read), lines with
// encoding errors (not printed; "binary file matches" instead), the order of
// diagnostics. Patterns are translated to RE2 (regex_translate.h); what
// cannot be reproduced exactly is reported as `unsupported` and the command
// goes to the next tier.
//
// Speed: each file is scanned with one multi-line RE2 search per selected
// line rather than one search per line, and a recursive search asks the
// store's content index for candidate files when the pattern implies some
// literal text and a file without a match prints nothing (not -v, -c, -L).
#include <fnmatch.h>
#include <re2/re2.h>
#include <regex.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <charconv>
#include <clocale>
#include <cstring>
#include <cwchar>
#include <cwctype>
#include <limits>
#include <memory>
#include <optional>
#include <set>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "utils/options.h"
#include "utils/regex_translate.h"
#include "utils/utils.h"

namespace memhook::utils {
namespace {

// ---------------------------------------------------------------- options

enum GrepOptionId {
  kOptExtended,
  kOptFixed,
  kOptBasic,
  kOptPerl,
  kOptAfter,
  kOptBefore,
  kOptContext,
  kOptBinaryFiles,
  kOptByteOffset,
  kOptCount,
  kOptDevices,
  kOptDirectories,
  kOptExclude,
  kOptExcludeFrom,
  kOptExcludeDir,
  kOptFile,
  kOptFilesWith,
  kOptFilesWithout,
  kOptGroupSeparator,
  kOptNoGroupSeparator,
  kOptHelp,
  kOptInclude,
  kOptIgnoreCase,
  kOptNoIgnoreCase,
  kOptInitialTab,
  kOptLabel,
  kOptLineBuffered,
  kOptLineNumber,
  kOptLineRegexp,
  kOptMaxCount,
  kOptNoFilename,
  kOptNoMessages,
  kOptNull,
  kOptNullData,
  kOptOnlyMatching,
  kOptQuiet,
  kOptRecursive,
  kOptRegexp,
  kOptInvert,
  kOptText,
  kOptBinary,
  kOptUnixByteOffsets,
  kOptVersion,
  kOptWithFilename,
  kOptWordRegexp,
  kOptBinaryWithoutMatch,
  kOptMatcherName,
};

// GNU grep 3.8's whole option table (short options
// "0123456789A:B:C:D:EFGHIPTUVX:abcd:e:f:hiLlm:noqRrsuvwxyZz" and every long
// name), so that abbreviations resolve exactly as getopt_long resolves them.
// Digits (-NUM) and --color/--colour are rewritten before parsing (see
// NormalizeArgs). Options marked "refused" route the command to the next
// tier.
const std::vector<OptionSpec> kGrepOptions = {
    {'E', "extended-regexp", false, kOptExtended},
    {'F', "fixed-strings", false, kOptFixed},
    {'\0', "fixed-regexp", false, kOptFixed},
    {'G', "basic-regexp", false, kOptBasic},
    {'P', "perl-regexp", false, kOptPerl},
    {'A', "after-context", true, kOptAfter},
    {'B', "before-context", true, kOptBefore},
    {'C', "context", true, kOptContext},
    {'\0', "binary-files", true, kOptBinaryFiles},
    {'b', "byte-offset", false, kOptByteOffset},
    {'c', "count", false, kOptCount},
    {'D', "devices", true, kOptDevices},
    {'d', "directories", true, kOptDirectories},
    {'\0', "exclude", true, kOptExclude},
    {'\0', "exclude-from", true, kOptExcludeFrom},  // refused
    {'\0', "exclude-dir", true, kOptExcludeDir},
    {'f', "file", true, kOptFile},
    {'l', "files-with-matches", false, kOptFilesWith},
    {'L', "files-without-match", false, kOptFilesWithout},
    {'\0', "group-separator", true, kOptGroupSeparator},
    {'\0', "help", false, kOptHelp},  // refused
    {'\0', "include", true, kOptInclude},
    {'i', "ignore-case", false, kOptIgnoreCase},
    {'y', nullptr, false, kOptIgnoreCase},
    {'\0', "no-ignore-case", false, kOptNoIgnoreCase},
    {'T', "initial-tab", false, kOptInitialTab},  // refused
    {'\0', "label", true, kOptLabel},
    {'\0', "line-buffered", false, kOptLineBuffered},
    {'n', "line-number", false, kOptLineNumber},
    {'x', "line-regexp", false, kOptLineRegexp},
    {'m', "max-count", true, kOptMaxCount},
    {'h', "no-filename", false, kOptNoFilename},
    {'\0', "no-group-separator", false, kOptNoGroupSeparator},
    {'s', "no-messages", false, kOptNoMessages},
    {'Z', "null", false, kOptNull},
    {'z', "null-data", false, kOptNullData},  // refused
    {'o', "only-matching", false, kOptOnlyMatching},
    {'q', "quiet", false, kOptQuiet},
    {'q', "silent", false, kOptQuiet},
    {'r', "recursive", false, kOptRecursive},
    {'R', "dereference-recursive", false, kOptRecursive},  // the store has no links
    {'e', "regexp", true, kOptRegexp},
    {'v', "invert-match", false, kOptInvert},
    {'a', "text", false, kOptText},
    {'U', "binary", false, kOptBinary},  // no effect on POSIX systems
    {'u', "unix-byte-offsets", false, kOptUnixByteOffsets},
    {'V', "version", false, kOptVersion},  // refused
    {'H', "with-filename", false, kOptWithFilename},
    {'w', "word-regexp", false, kOptWordRegexp},
    {'I', nullptr, false, kOptBinaryWithoutMatch},
    {'X', nullptr, true, kOptMatcherName},  // refused (undocumented)
};

// GNU prints its messages as "grep" whatever the command was: Debian's
// egrep and fgrep are scripts that exec grep.
constexpr std::string_view kProgram = "grep: ";

// How GNU reads its first buffer: a NUL byte in the first 96 KiB makes the
// whole file binary. A NUL further on switches to binary in the middle of
// the file, at a buffer boundary this code does not model: refused.
constexpr size_t kFirstReadBytes = 96 * 1024;

constexpr int64_t kUnlimited = std::numeric_limits<int64_t>::max();

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int64_t ParseDigits(std::string_view s) {
  int64_t v = 0;
  for (char c : s) {
    int d = c - '0';
    if (v > (kUnlimited - d) / 10) return kUnlimited;  // GNU caps overflow silently
    v = v * 10 + d;
  }
  return v;
}

// Finds the option a long name (possibly abbreviated) refers to, as
// getopt_long does; null when unknown or ambiguous.
const OptionSpec* FindLong(std::string_view name) {
  const OptionSpec* match = nullptr;
  for (const OptionSpec& spec : kGrepOptions) {
    if (spec.long_name == nullptr) continue;
    if (name == spec.long_name) return &spec;
    if (std::strncmp(spec.long_name, name.data(), name.size()) == 0) {
      if (match != nullptr && match->id != spec.id) return nullptr;
      match = &spec;
    }
  }
  return match;
}

// Rewrites argv so that ParseOptions can read it:
//  - digit options: GNU collects a run of digits within one word ("-12",
//    "-n5") into a context length; each run becomes "--context=N" in place
//    (-NUM and -C NUM set the same value, so order is preserved).
//  - --color[=WHEN] / --colour: an optional argument ParseOptions lacks.
//    stdout is not a terminal, so "auto" and "never" change nothing and the
//    word is dropped; "always" would add escape sequences: refused.
// Returns false (and a reason) for what it cannot rewrite.
bool NormalizeArgs(const std::vector<std::string>& argv, std::vector<std::string>* out,
                   std::string* unsupported) {
  out->push_back(argv[0]);
  if (std::getenv("POSIXLY_CORRECT") != nullptr) {
    // getopt stops at the first operand then: not modelled.
    *unsupported = "grep with POSIXLY_CORRECT set";
    return false;
  }
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word == "--") {
      for (; i < argv.size(); ++i) out->push_back(argv[i]);
      break;
    }
    if (word.size() < 2 || word[0] != '-') {
      out->push_back(word);
      continue;
    }
    if (word[1] == '-') {
      std::string_view body = std::string_view(word).substr(2);
      size_t eq = body.find('=');
      std::string_view name = body.substr(0, eq);
      bool color = name.size() >= 3 && (std::string_view("color").substr(0, name.size()) == name ||
                                        std::string_view("colour").substr(0, name.size()) == name);
      if (color) {
        std::string_view when = eq == std::string_view::npos ? "auto" : body.substr(eq + 1);
        static constexpr std::string_view kQuiet[] = {"never", "no",  "none",
                                                      "auto",  "tty", "if-tty"};
        bool plain = false;
        for (std::string_view q : kQuiet) {
          plain |= when.size() == q.size() && strncasecmp(when.data(), q.data(), q.size()) == 0;
        }
        if (!plain) {
          *unsupported = "grep " + word;
          return false;
        }
        continue;
      }
      out->push_back(word);
      const OptionSpec* spec = FindLong(name);
      if (spec != nullptr && spec->takes_argument && eq == std::string_view::npos &&
          i + 1 < argv.size()) {
        out->push_back(argv[++i]);
      }
      continue;
    }
    // A cluster of short options.
    std::string cluster;
    std::string digits;
    auto flush_cluster = [&]() {
      if (!cluster.empty()) out->push_back("-" + cluster);
      cluster.clear();
    };
    auto flush_digits = [&]() {
      if (!digits.empty()) out->push_back("--context=" + digits);
      digits.clear();
    };
    for (size_t k = 1; k < word.size(); ++k) {
      char c = word[k];
      if (c >= '0' && c <= '9') {
        flush_cluster();
        digits += c;
        continue;
      }
      flush_digits();
      const OptionSpec* spec = nullptr;
      for (const OptionSpec& s : kGrepOptions) {
        if (s.short_name == c) spec = &s;
      }
      if (spec != nullptr && spec->takes_argument) {
        // The rest of the word, or the next word, is the argument.
        cluster += word.substr(k);
        flush_cluster();
        if (k + 1 == word.size() && i + 1 < argv.size()) {
          out->push_back(argv[++i]);
        }
        break;
      }
      cluster += c;
    }
    flush_cluster();
    flush_digits();
  }
  return true;
}

// ---------------------------------------------------------------- --include / --exclude

// gnulib's exclude.c as grep uses it: options form segments (a new segment
// when the kind — include or exclude, wildcard or literal — changes); the
// most recent segment with a matching pattern decides, and when none
// matches a name is excluded exactly when the first option was --include.
class ExcludeList {
 public:
  void Add(const std::string& pattern, bool include) {
    bool wildcard = HasWildcards(pattern);
    if (segments_.empty() || segments_.back().include != include ||
        segments_.back().wildcard != wildcard) {
      segments_.push_back({include, wildcard, {}});
    }
    segments_.back().patterns.push_back(wildcard ? pattern : Unescape(pattern));
  }
  bool empty() const { return segments_.empty(); }

  // `anchored`: match the whole name only (names found by recursion); else
  // also any suffix after a '/' (command-line operands as typed).
  bool Excluded(const std::string& name, bool anchored) const {
    if (segments_.empty()) return false;
    for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
      if (Matches(*it, name, anchored)) return !it->include;
    }
    return segments_.front().include;
  }

 private:
  struct Segment {
    bool include;
    bool wildcard;
    std::vector<std::string> patterns;
  };

  // fnmatch_pattern_has_wildcards without FNM_NOESCAPE or FNM_EXTMATCH.
  static bool HasWildcards(const std::string& p) {
    for (size_t i = 0; i < p.size(); ++i) {
      char c = p[i];
      if (c == '\\') {
        if (i + 1 < p.size()) ++i;
      } else if (c == '?' || c == '*' || c == '[' || c == ']') {
        return true;
      }
    }
    return false;
  }
  static std::string Unescape(const std::string& p) {
    std::string out;
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] == '\\' && i + 1 < p.size()) ++i;
      out += p[i];
    }
    return out;
  }
  static bool MatchOne(const Segment& seg, const std::string& pattern, const char* name) {
    if (seg.wildcard) return ::fnmatch(pattern.c_str(), name, 0) == 0;
    return pattern == name;
  }
  static bool Matches(const Segment& seg, const std::string& name, bool anchored) {
    for (const std::string& pattern : seg.patterns) {
      if (MatchOne(seg, pattern, name.c_str())) return true;
      if (anchored) continue;
      for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] != '/') continue;
        if (seg.wildcard && i + 1 < name.size() && name[i + 1] == '/') continue;
        if (MatchOne(seg, pattern, name.c_str() + i + 1)) return true;
      }
    }
    return false;
  }

  std::vector<Segment> segments_;
};

// ---------------------------------------------------------------- characters

bool IsAsciiWord(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

// GNU's notion of a word character at `pos` (searchutils.c: '_' or
// iswalnum; a byte that does not start a character is not one). Sets
// *length to the character's byte count.
bool WordCharAt(std::string_view s, size_t pos, bool utf8, size_t* length) {
  *length = 1;
  unsigned char c = static_cast<unsigned char>(s[pos]);
  if (c < 0x80 || !utf8) return IsAsciiWord(c);
  std::mbstate_t state{};
  wchar_t wc = 0;
  size_t n = std::mbrtowc(&wc, s.data() + pos, s.size() - pos, &state);
  if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0) return false;
  *length = n;
  return wc == L'_' || std::iswalnum(static_cast<wint_t>(wc));
}

bool WordCharNext(std::string_view line, size_t pos, bool utf8) {
  size_t len;
  return pos < line.size() && WordCharAt(line, pos, utf8, &len);
}

// The character ending just before `pos`, not looking before `start`
// (GNU's wordchar_prev treats `start` as the beginning of the text).
bool WordCharPrev(std::string_view line, size_t start, size_t pos, bool utf8) {
  if (pos <= start) return false;
  unsigned char b = static_cast<unsigned char>(line[pos - 1]);
  if (b < 0x80 || !utf8) return IsAsciiWord(b);
  size_t k = pos - 1;
  while (k > start && (static_cast<unsigned char>(line[k]) & 0xC0) == 0x80 && pos - k < 4) --k;
  size_t len;
  bool word = WordCharAt(line, k, utf8, &len);
  return word && k + len == pos;
}

size_t WordCharsSize(std::string_view line, size_t pos, bool utf8) {
  size_t start = pos;
  size_t len;
  while (pos < line.size() && WordCharAt(line, pos, utf8, &len)) pos += len;
  return pos - start;
}

// Offset of the first byte >= 0x80 (text.size() when all ASCII), eight
// bytes at a time: most memory files are plain ASCII.
size_t FirstNonAscii(std::string_view text) {
  size_t i = 0;
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if (word & kHighBits) break;
  }
  while (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80) ++i;
  return i;
}

bool HasNonAscii(std::string_view text) { return FirstNonAscii(text) < text.size(); }

// True when `text` holds a byte sequence the locale cannot decode (GNU's
// buf_has_encoding_errors). Only meaningful under UTF-8.
bool HasEncodingErrors(std::string_view text) {
  size_t i = FirstNonAscii(text);
  std::mbstate_t state{};
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    wchar_t wc;
    size_t n = std::mbrtowc(&wc, text.data() + i, text.size() - i, &state);
    if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0) return true;
    i += n;
  }
  return false;
}

// ---------------------------------------------------------------- matcher

enum class MatcherKind { kBasic, kExtended, kFixed, kPerl };

// How a Matcher matches: RE2 on a translation of the pattern (the fast
// path for what translates exactly), glibc's regex as GNU's own fallback
// matcher (back-references, equivalence classes: GNU's DFA leaves those to
// glibc's re_search too), or PCRE2 for -P as GNU's Pexecute calls it.
enum class Engine { kRe2, kGlibc, kPcre };

// Owners of the C libraries' compiled patterns.
struct RegexFree {
  void operator()(re_pattern_buffer* p) const {
    regfree(p);
    delete p;
  }
};
struct PcreCodeFree {
  void operator()(pcre2_code* p) const { pcre2_code_free(p); }
};
struct PcreDataFree {
  void operator()(pcre2_match_data* p) const { pcre2_match_data_free(p); }
};
struct PcreTablesFree {
  void operator()(const uint8_t* p) const { pcre2_maketables_free(nullptr, p); }
};

// possible_backrefs_in_pattern (dfasearch.c): a backslash and a digit
// 1-9 anywhere (even inside brackets), not counting "\\".
bool PossibleBackrefs(std::string_view p) {
  for (size_t i = 0; i + 1 < p.size(); ++i) {
    if (p[i] != '\\') continue;
    if (p[i + 1] >= '1' && p[i + 1] <= '9') return true;
    if (p[i + 1] == '\\') ++i;
  }
  return false;
}

// The pattern with each back-reference outside brackets replaced by a
// plain character, for checking everything else about it (GNU's DFA
// parses it: its errors and warnings) with the translator.
std::string WithoutBackrefs(std::string_view p) {
  std::string out;
  bool bracket = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (bracket) {
      out += c;
      if (c == '[' && i + 1 < p.size() && (p[i + 1] == ':' || p[i + 1] == '=' || p[i + 1] == '.')) {
        char kind = p[i + 1];
        size_t close = p.find(std::string{kind, ']'}, i + 2);
        if (close != std::string_view::npos) {
          out.append(p.substr(i + 1, close + 1 - i));
          i = close + 1;
        }
      } else if (c == ']') {
        bracket = false;
      }
      continue;
    }
    if (c == '[') {
      bracket = true;
      out += c;
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];
      continue;
    }
    if (c == '\\' && i + 1 < p.size()) {
      if (p[i + 1] >= '1' && p[i + 1] <= '9') {
        out += 'x';
      } else {
        out += c;
        out += p[i + 1];
      }
      ++i;
      continue;
    }
    out += c;
  }
  return out;
}

struct MatchFlags {
  bool utf8 = true;
  bool ignore_case = false;
  bool words = false;  // -w
  bool lines = false;  // -x
  bool codepoint_collation = true;
  bool full_classes = false;  // see TranslateOptions::full_classes
  // Some pattern came from -f FILE: GNU's messages then name the file and
  // line, which this code does not track.
  bool patterns_from_file = false;
  // Match with glibc's regex whatever the patterns (GNU's DFA leaves \<
  // \> \b \B to it under a multibyte locale).
  bool force_glibc = false;
};

// GNU's compiled pattern: EGexecute (regex) or Fexecute (fixed strings)
// semantics, built on RE2. All patterns are one leftmost-longest
// alternation, as GNU compiles them.
class Matcher {
 public:
  Matcher() = default;
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;
  ~Matcher() {
    for (re_registers& r : regs_) {
      std::free(r.start);
      std::free(r.end);
    }
  }

  // Compiles `patterns`; false with *unsupported set on failure, or with
  // *die set to GNU's diagnostics (each line without "grep: ") when GNU
  // fails the same way.
  bool Build(MatcherKind kind, const std::vector<std::string>& patterns, const MatchFlags& flags,
             std::string* unsupported, std::vector<std::string>* warnings,
             std::vector<std::string>* die = nullptr) {
    kind_ = kind;
    flags_ = flags;
    if (kind == MatcherKind::kPerl) return BuildPcre(patterns, unsupported, die);
    if (flags.force_glibc) {
      *unsupported = "grep word boundary on non-ASCII text";
      return BuildGlibc(patterns, unsupported, nullptr, nullptr);
    }
    const size_t first_warning = warnings == nullptr ? 0 : warnings->size();
    std::string alt, alt_noeol;
    literal_ = true;
    for (size_t i = 0; i < patterns.size(); ++i) {
      std::string re, re_noeol;
      if (kind == MatcherKind::kFixed) {
        re = TranslateFixedString(patterns[i], flags.utf8, flags.ignore_case);
        re_noeol = re;
        required_parts_.push_back(FixedStringRequired(patterns[i], flags.utf8, flags.ignore_case));
      } else {
        TranslateOptions options;
        options.syntax =
            kind == MatcherKind::kExtended ? RegexSyntax::kExtended : RegexSyntax::kBasic;
        options.utf8 = flags.utf8;
        options.ignore_case = flags.ignore_case;
        options.codepoint_collation = flags.codepoint_collation;
        options.full_classes = flags.full_classes;
        Translation t = TranslateGnuRegex(patterns[i], options);
        if (!t.unsupported.empty()) {
          *unsupported = "grep pattern '" + patterns[i] + "': " + t.unsupported;
          if (warnings != nullptr) warnings->resize(first_warning);
          return BuildGlibc(patterns, unsupported, warnings, die);
        }
        if (warnings != nullptr) {
          for (std::string& w : t.warnings) warnings->push_back(std::move(w));
        }
        for (const std::string& c : t.locale_classes) {
          if (std::find(locale_classes_.begin(), locale_classes_.end(), c) ==
              locale_classes_.end()) {
            locale_classes_.push_back(c);
          }
        }
        if (t.unmatched_paren && (flags.words || flags.lines)) {
          *unsupported = "grep -w/-x with an unmatched ')' in '" + patterns[i] + "'";
          return false;
        }
        locale_ranges_ |= t.locale_ranges;
        word_assertions_ |= t.word_assertions;
        literal_ &= t.literal;
        re = std::move(t.re2);
        re_noeol = std::move(t.re2_noeol);
        required_parts_.push_back(std::move(t.required));
      }
      if (i > 0) {
        alt += "|";
        alt_noeol += "|";
      }
      alt += "(?:" + re + ")";
      alt_noeol += "(?:" + re_noeol + ")";
    }
    if (kind == MatcherKind::kFixed) literal_ = true;

    // Word characters for -w in a single-byte locale: GNU's dfa.c wraps
    // the pattern as (^|[^[:alnum:]_])(P)([^[:alnum:]_]|$).
    const std::string kNonWord = "[^0-9A-Za-z_]";
    std::string buffer_pattern;
    if (flags.lines) {
      buffer_pattern = "^(?:" + alt + ")$";
    } else if (flags.words && !flags.utf8) {
      buffer_pattern = "(?:^|" + kNonWord + ")(?:" + alt + ")(?:" + kNonWord + "|$)";
    } else {
      // Under UTF-8, -w is checked line by line (GNU's regex loop); the
      // buffer search only finds lines with some match.
      buffer_pattern = alt;
    }
    verify_words_ = flags.words && !flags.lines && flags.utf8;
    if (patterns.size() == 1 && !flags.ignore_case && !flags.lines &&
        !(flags.words && !flags.utf8) && IsPlainText(patterns[0], kind)) {
      needle_ = patterns[0];
      rare_offset_ = RarestByte(needle_);
    }
    if (!Compile(alt, &re_, unsupported) || !Compile(alt_noeol, &re_noeol_, unsupported) ||
        !Compile("(?m)" + buffer_pattern, &buffer_re_, unsupported)) {
      return false;
    }
    return true;
  }

  // The literal text any match needs (OR over the patterns).
  RequiredText Required() const {
    // No literal text is extracted from what RE2 does not match.
    return engine_ == Engine::kRe2 ? RequiredText::Or(required_parts_) : RequiredText::Any();
  }
  Engine engine() const { return engine_; }
  const std::vector<std::string>& locale_classes() const { return locale_classes_; }
  bool locale_ranges() const { return locale_ranges_; }
  bool word_assertions() const { return word_assertions_; }
  // Every pattern is matched byte for byte (see Translation::literal).
  bool literal() const { return literal_; }

  // Offset of the start of the first line at or after `from` (a line
  // start) that contains a match; npos when there is none.
  size_t NextMatchingLine(std::string_view buf, size_t from) const {
    if (engine_ != Engine::kRe2) {
      // Line by line, as GNU's fallback matchers see them.
      while (from < buf.size()) {
        const void* nl = std::memchr(buf.data() + from, '\n', buf.size() - from);
        size_t end = nl == nullptr ? buf.size() : static_cast<const char*>(nl) - buf.data();
        if (LineMatches(buf.substr(from, end - from))) return from;
        from = end + 1;
      }
      return std::string_view::npos;
    }
    while (from <= buf.size()) {
      size_t p;
      if (!needle_.empty()) {
        p = FindNeedle(buf, from);
        if (p == std::string_view::npos) return p;
      } else {
        re2::StringPiece m;
        if (!buffer_re_->Match(buf, from, buf.size(), RE2::UNANCHORED, &m, 1)) {
          return std::string_view::npos;
        }
        p = static_cast<size_t>(m.data() - buf.data());
      }
      // A multi-line '^' or '$' also matches after the final newline,
      // where grep sees no line.
      if (p == buf.size() && (buf.empty() || buf.back() == '\n')) return std::string_view::npos;
      // The line's start: memrchr is vectorised, rfind steps byte by byte
      // back over a session log's long lines.
      const void* nl = p > from ? memrchr(buf.data() + from, '\n', p - from) : nullptr;
      size_t start = nl == nullptr ? from : static_cast<const char*>(nl) - buf.data() + 1;
      if (!verify_words_) return start;
      size_t end = buf.find('\n', start);
      if (end == std::string_view::npos) end = buf.size();
      if (LineMatchesWords(buf.substr(start, end - start))) return start;
      from = end + 1;
    }
    return std::string_view::npos;
  }

  // The first occurrence of needle_ at or after `from`.
  size_t FindNeedle(std::string_view buf, size_t from) const {
    const size_t n = needle_.size();
    if (from > buf.size() || buf.size() - from < n) return std::string_view::npos;
#if defined(__SSE2__)
    if (n >= 2) {
      // Sixteen candidate starts at a time whose first and last bytes both
      // match (Mula's SIMD-friendly substring search): on text, far fewer
      // false starts than memchr on any one byte.
      const __m128i first = _mm_set1_epi8(needle_.front());
      const __m128i last = _mm_set1_epi8(needle_.back());
      const char* data = buf.data();
      const size_t end = buf.size() - n + 1;  // one past the last possible start
      size_t i = from;
      for (; i + 16 <= end; i += 16) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + n - 1));
        unsigned mask = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last))));
        while (mask != 0) {
          const size_t start = i + static_cast<size_t>(__builtin_ctz(mask));
          if (std::memcmp(data + start + 1, needle_.data() + 1, n - 2) == 0) return start;
          mask &= mask - 1;
        }
      }
      for (; i < end; ++i) {
        if (data[i] == needle_.front() && std::memcmp(data + i, needle_.data(), n) == 0) return i;
      }
      return std::string_view::npos;
    }
#endif
    const char rare = needle_[rare_offset_];
    size_t scan = from + rare_offset_;
    while (scan < buf.size()) {
      const void* hit = std::memchr(buf.data() + scan, rare, buf.size() - scan);
      if (hit == nullptr) return std::string_view::npos;
      const size_t at = static_cast<size_t>(static_cast<const char*>(hit) - buf.data());
      const size_t start = at - rare_offset_;
      if (start + n <= buf.size() && std::memcmp(buf.data() + start, needle_.data(), n) == 0) {
        return start;
      }
      scan = at + 1;
    }
    return std::string_view::npos;
  }

  // Text that every syntax (BRE, ERE, -F) matches byte for byte: printable
  // ASCII without any character a regex syntax gives a meaning to.
  static bool IsPlainText(const std::string& pattern, MatcherKind kind) {
    if (pattern.empty()) return false;
    for (const char c : pattern) {
      if (c < 0x20 || c > 0x7e) return false;
      if (kind != MatcherKind::kFixed && std::strchr(".[]\\*^$+?(){}|", c) != nullptr) {
        return false;
      }
    }
    return true;
  }
  // The offset of the byte least frequent in English text and JSON logs.
  static size_t RarestByte(std::string_view needle) {
    // Most frequent first; bytes not listed count as rarest.
    constexpr std::string_view kByFrequency =
        " e\"taoinsrhldcu:,mfpgwyb{}v.k0_12-x3jq4z5678/9TSAECIRNOLDPMBFHGUWVYKXJQZ";
    size_t best = 0;
    size_t best_rank = 0;
    for (size_t i = 0; i < needle.size(); ++i) {
      const size_t pos = kByFrequency.find(needle[i]);
      const size_t rank = pos == std::string_view::npos ? kByFrequency.size() : pos;
      if (i == 0 || rank > best_rank) {
        best = i;
        best_rank = rank;
      }
    }
    return best;
  }

  // GNU's execute() with a start pointer, as print_line_middle calls it for
  // -o: the match at or after `cur` in `line`. *len may reach one past the
  // line: GNU then includes the newline (grep -xwo quirk).
  bool Execute(std::string_view line, size_t cur, size_t* b, size_t* len) const {
    size_t n = line.size();
    if (engine_ == Engine::kPcre) return PcreSearch(line, cur, b, len);
    if (engine_ == Engine::kGlibc) return GlibcExecute(line, cur, b, len);
    if (kind_ == MatcherKind::kFixed) {
      if (flags_.lines) {
        // The keywords are "\nK\n": only a whole line, from its start.
        if (cur != 0 || !re_->Match(line, 0, n, RE2::ANCHOR_BOTH, nullptr, 0)) return false;
        *b = 0;
        *len = n;
        return true;
      }
      if (flags_.words) return FixedWords(line, cur, b, len);
      return Search(line, cur, b, len);
    }
    if (flags_.words && flags_.lines) {
      size_t mb, ml;
      if (!Search(line, cur, &mb, &ml) || mb != cur || ml != n - cur) return false;
      *b = cur;
      *len = n - cur + 1;
      return true;
    }
    if (flags_.words) return RegexWords(line, cur, b, len);
    return Search(line, cur, b, len);
  }

 private:
  // Pcompile (pcresearch.c): one pattern; -x through PCRE2's match-line
  // option, -w wrapped in GNU's lookarounds; character tables of the
  // current locale.
  bool BuildPcre(const std::vector<std::string>& patterns, std::string* unsupported,
                 std::vector<std::string>* die) {
    engine_ = Engine::kPcre;
    if (patterns.size() > 1) {
      if (die != nullptr) die->push_back("the -P option only supports a single pattern");
      *unsupported = "grep -P with several patterns";
      return false;
    }
    std::string pattern = patterns.empty() ? std::string() : patterns[0];
    uint32_t options = PCRE2_DOLLAR_ENDONLY | (flags_.ignore_case ? PCRE2_CASELESS : 0);
    if (flags_.utf8) options |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    pcre2_compile_context* context = pcre2_compile_context_create(nullptr);
    if (flags_.lines) {
      pcre2_set_compile_extra_options(context, PCRE2_EXTRA_MATCH_LINE);
    } else if (flags_.words) {
      pattern = "(?<!\\w)(?:" + pattern + ")(?!\\w)";
    }
    pcre_tables_.reset(pcre2_maketables(nullptr));
    pcre2_set_character_tables(context, pcre_tables_.get());
    int code = 0;
    PCRE2_SIZE offset = 0;
    pcre_.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                              &code, &offset, context));
    pcre2_compile_context_free(context);
    if (pcre_ == nullptr) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(code, message, sizeof message);
      if (die != nullptr) die->push_back(reinterpret_cast<const char*>(message));
      *unsupported = "grep -P pattern error";
      return false;
    }
    pcre2_jit_compile(pcre_.get(), PCRE2_JIT_COMPLETE);
    pcre_data_.reset(pcre2_match_data_create_from_pattern(pcre_.get(), nullptr));
    for (int bol = 0; bol < 2; ++bol) {
      empty_match_[bol] = pcre2_match(pcre_.get(), reinterpret_cast<PCRE2_SPTR>(""), 0, 0,
                                      bol ? 0 : PCRE2_NOTBOL, pcre_data_.get(), nullptr);
    }
    literal_ = false;
    return true;
  }

  // Pexecute on one line from `from` (GNU's start pointer): bytes that can
  // never start a character are barriers the subject restarts after.
  bool PcreSearch(std::string_view line, size_t from, size_t* b, size_t* len) const {
    size_t subject = 0;
    size_t p = from;
    bool bol = from == 0;
    auto barrier = [&](unsigned char c) {
      return flags_.utf8 && ((c >= 0x80 && c <= 0xC1) || c >= 0xF5);
    };
    while (p < line.size() && barrier(static_cast<unsigned char>(line[p]))) {
      ++p;
      subject = p;
      bol = false;
    }
    int e;
    size_t start, end;
    if (p == line.size()) {
      e = empty_match_[bol ? 1 : 0];
      start = end = p;
    } else {
      e = pcre2_match(pcre_.get(), reinterpret_cast<PCRE2_SPTR>(line.data() + subject),
                      line.size() - subject, p - subject, bol ? 0 : PCRE2_NOTBOL, pcre_data_.get(),
                      nullptr);
      if (e > 0) {
        PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(pcre_data_.get());
        start = subject + ovector[0];
        end = subject + ovector[1];
      } else {
        start = end = 0;
      }
    }
    if (e <= 0) {
      if (e != PCRE2_ERROR_NOMATCH) pcre_error_ = e;
      return false;
    }
    *b = start;
    *len = end - start;
    return true;
  }

  // GEAcompile's regex side, for patterns the translation refuses: each
  // pattern with back-references on its own and the others together (as
  // one newline-separated pattern), with GNU's syntax bits. glibc's
  // compile errors are GNU's own messages.
  bool BuildGlibc(const std::vector<std::string>& patterns, std::string* unsupported,
                  std::vector<std::string>* warnings, std::vector<std::string>* die) {
    const std::string why = *unsupported;
    reg_syntax_t syntax = kind_ == MatcherKind::kExtended ? RE_SYNTAX_EGREP : RE_SYNTAX_GREP;
    if (flags_.ignore_case) syntax |= RE_ICASE;
    std::vector<std::string> errors;
    for (const std::string& p : patterns) {
      re_pattern_buffer probe;
      std::memset(&probe, 0, sizeof probe);
      re_set_syntax(syntax | RE_NO_SUB);
      const char* err = re_compile_pattern(p.data(), p.size(), &probe);
      if (err != nullptr) errors.push_back(err);
      regfree(&probe);
    }
    if (!errors.empty()) {
      if (die != nullptr && !flags_.patterns_from_file) *die = errors;
      return false;
    }
    // Everything but the back-references must pass GNU's DFA parser the
    // way the translation reads it (its errors and warnings).
    TranslateOptions options;
    options.syntax = kind_ == MatcherKind::kExtended ? RegexSyntax::kExtended : RegexSyntax::kBasic;
    options.utf8 = flags_.utf8;
    options.ignore_case = flags_.ignore_case;
    options.codepoint_collation = flags_.codepoint_collation;
    std::vector<std::string> found_warnings;
    for (const std::string& p : patterns) {
      Translation t = TranslateGnuRegex(WithoutBackrefs(p), options);
      bool deferred =
          t.unsupported.empty() || t.unsupported == "equivalence class or collating symbol";
      if (!deferred || (t.unmatched_paren && (flags_.words || flags_.lines))) {
        *unsupported = why;
        return false;
      }
      for (std::string& w : t.warnings) found_warnings.push_back(std::move(w));
    }
    bool any_deferred = false;
    for (const std::string& p : patterns) {
      any_deferred |=
          PossibleBackrefs(p) || TranslateGnuRegex(WithoutBackrefs(p), options).unsupported ==
                                     "equivalence class or collating symbol";
    }
    if (!any_deferred && !flags_.force_glibc) {
      *unsupported = why;
      return false;
    }
    std::vector<std::string> layout;
    std::string rest;
    bool have_rest = false;
    for (const std::string& p : patterns) {
      if (PossibleBackrefs(p)) {
        layout.push_back(p);
      } else {
        if (have_rest) rest += '\n';
        rest += p;
        have_rest = true;
      }
    }
    if (have_rest) layout.insert(layout.begin(), rest);
    for (const std::string& p : layout) {
      auto buffer = std::unique_ptr<re_pattern_buffer, RegexFree>(new re_pattern_buffer());
      // No fastmap with -i (GNU's workaround for glibc bug 20381).
      if (!flags_.ignore_case) buffer->fastmap = static_cast<char*>(std::malloc(256));
      re_set_syntax(syntax);
      if (re_compile_pattern(p.data(), p.size(), buffer.get()) != nullptr) {
        *unsupported = why;
        return false;
      }
      regexes_.push_back(std::move(buffer));
    }
    regs_.assign(regexes_.size(), re_registers{});
    if (warnings != nullptr) {
      for (std::string& w : found_warnings) warnings->push_back(std::move(w));
    }
    engine_ = Engine::kGlibc;
    literal_ = false;
    unsupported->clear();
    return true;
  }

  // re_search over the line from `from`.
  bool GlibcSearch(size_t k, std::string_view line, size_t from, size_t* b, size_t* len) const {
    re_pattern_buffer* re = regexes_[k].get();
    re->not_eol = 0;
    re->newline_anchor = 1;
    regoff_t n = static_cast<regoff_t>(line.size());
    regoff_t start = re_search(re, line.data(), n, static_cast<regoff_t>(from),
                               n - static_cast<regoff_t>(from), &regs_[k]);
    if (start < 0) return false;
    *b = static_cast<size_t>(start);
    *len = static_cast<size_t>(regs_[k].end[0] - start);
    return true;
  }

  // re_match with REG_NOTEOL on the first `length` bytes, anchored at `at`.
  long GlibcAnchored(size_t k, std::string_view line, long length, size_t at) const {
    if (length < static_cast<long>(at)) return -1;
    re_pattern_buffer* re = regexes_[k].get();
    re->not_eol = 1;
    regoff_t r = re_match(re, line.data(), static_cast<regoff_t>(length), static_cast<regoff_t>(at),
                          &regs_[k]);
    re->not_eol = 0;
    return r;
  }

  // EGexecute's -w loop for pattern k from the match (match, mlen),
  // looking no further than `bound`.
  bool GlibcWords(size_t k, std::string_view line, size_t ptr, size_t match, size_t mlen,
                  size_t bound, size_t* b, size_t* len) const {
    size_t n = line.size();
    bool utf8 = flags_.utf8;
    while (match <= bound) {
      if (!WordCharNext(line, match + mlen, utf8) && !WordCharPrev(line, 0, match, utf8)) {
        *b = match;
        *len = mlen;
        return true;
      }
      long shorter = 0;
      if (mlen > 0) {
        --mlen;
        shorter =
            GlibcAnchored(k, line, static_cast<long>(match + mlen) - static_cast<long>(ptr), match);
      }
      if (shorter > 0) {
        mlen = static_cast<size_t>(shorter);
      } else {
        if (match == n) return false;
        ++match;
        size_t start;
        if (!GlibcSearch(k, line, match, &start, &mlen)) return false;
        match = start;
      }
    }
    return false;
  }

  // EGexecute without a start pointer: does some pattern select the line?
  bool LineMatches(std::string_view line) const {
    size_t b, len;
    if (engine_ == Engine::kPcre) {
      bool found = PcreSearch(line, 0, &b, &len);
      return found;
    }
    for (size_t k = 0; k < regexes_.size(); ++k) {
      if (!GlibcSearch(k, line, 0, &b, &len)) continue;
      if (!flags_.lines && !flags_.words) return true;
      if (flags_.lines) {
        if (len == line.size()) return true;
        continue;
      }
      size_t wb, wl;
      if (GlibcWords(k, line, 0, b, len, line.size() + 1, &wb, &wl)) return true;
    }
    return false;
  }

  // EGexecute with a start pointer: the leftmost, then longest, match of
  // any pattern at or after `cur`.
  bool GlibcExecute(std::string_view line, size_t cur, size_t* b, size_t* len) const {
    size_t n = line.size();
    size_t best = n + 1, best_len = 0;
    for (size_t k = 0; k < regexes_.size(); ++k) {
      size_t mb, ml;
      if (!GlibcSearch(k, line, cur, &mb, &ml)) continue;
      if (mb > best) continue;
      if (flags_.words) {
        if (flags_.lines) {
          if (ml != n - cur) continue;
          mb = cur;
          ml = n - cur + 1;
        } else if (!GlibcWords(k, line, cur, mb, ml, best, &mb, &ml)) {
          continue;
        }
      }
      if (mb < best || (mb == best && ml > best_len)) {
        best = mb;
        best_len = ml;
      }
    }
    if (best > n) return false;
    *b = best;
    *len = best_len;
    return true;
  }

 public:
  // A PCRE2 failure other than no match (GNU dies with a message).
  int pcre_error() const { return pcre_error_; }

 private:
  bool Compile(const std::string& pattern, std::unique_ptr<RE2>* out, std::string* unsupported) {
    RE2::Options options;
    options.set_encoding(flags_.utf8 ? RE2::Options::EncodingUTF8 : RE2::Options::EncodingLatin1);
    options.set_longest_match(true);   // POSIX leftmost-longest, as GNU regex
    options.set_never_nl(true);        // a match never spans lines
    options.set_case_sensitive(true);  // -i is spelled out by the translation
    options.set_log_errors(false);
    options.set_max_mem(64 << 20);
    *out = std::make_unique<RE2>(pattern, options);
    if (!(*out)->ok()) {
      *unsupported = "grep pattern not representable in RE2: " + (*out)->error();
      return false;
    }
    return true;
  }

  // re_search: leftmost-longest match starting at or after `from`.
  bool Search(std::string_view line, size_t from, size_t* b, size_t* len) const {
    re2::StringPiece m;
    if (from > line.size() || !re_->Match(line, from, line.size(), RE2::UNANCHORED, &m, 1)) {
      return false;
    }
    *b = static_cast<size_t>(m.data() - line.data());
    *len = m.size();
    return true;
  }

  // re_match on the first `length` bytes with REG_NOTEOL: the longest
  // match anchored at `at`, or -1.
  long AnchoredLongest(std::string_view line, long length, size_t at) const {
    if (length < static_cast<long>(at)) return -1;
    std::string_view text = line.substr(0, static_cast<size_t>(length));
    re2::StringPiece m;
    if (!re_noeol_->Match(text, at, text.size(), RE2::ANCHOR_START, &m, 1)) return -1;
    return static_cast<long>(m.size());
  }

  // EGexecute's -w loop (dfasearch.c): the leftmost match, then shorter
  // matches at the same start, then later starts. `ptr` is the start
  // pointer; GNU shortens the string by (ptr - line start) when it retries
  // a shorter match, which this reproduces.
  bool RegexWords(std::string_view line, size_t ptr, size_t* b, size_t* len) const {
    size_t n = line.size();
    size_t match, mlen;
    if (!Search(line, ptr, &match, &mlen)) return false;
    bool utf8 = flags_.utf8;
    while (true) {
      if (!WordCharNext(line, match + mlen, utf8) && !WordCharPrev(line, 0, match, utf8)) {
        *b = match;
        *len = mlen;
        return true;
      }
      long shorter = 0;
      if (mlen > 0) {
        --mlen;
        shorter =
            AnchoredLongest(line, static_cast<long>(match + mlen) - static_cast<long>(ptr), match);
      }
      if (shorter > 0) {
        mlen = static_cast<size_t>(shorter);
      } else {
        if (match == n) return false;
        ++match;
        size_t start;
        if (!Search(line, match, &start, &mlen)) return false;
        match = start;
      }
    }
  }

  bool LineMatchesWords(std::string_view line) const {
    size_t b, len;
    if (kind_ == MatcherKind::kFixed) return FixedWords(line, 0, &b, &len);
    return RegexWords(line, 0, &b, &len);
  }

  // Fexecute's -w loop (kwsearch.c). Note GNU's quirk with a start pointer:
  // a match beginning exactly at it counts as preceded by a non-word
  // character.
  bool FixedWords(std::string_view line, size_t start, size_t* b, size_t* len) const {
    size_t n = line.size();
    bool utf8 = flags_.utf8;
    size_t mb_start = start;
    for (size_t beg = start; beg <= n; ++beg) {
      size_t pos, mlen;
      if (!Search(line, beg, &pos, &mlen)) return false;
      beg = pos;
      if (!WordCharPrev(line, mb_start, beg, utf8)) {
        while (true) {
          if (!WordCharNext(line, beg + mlen, utf8)) {
            *b = beg;
            *len = mlen;
            return true;
          }
          if (mlen == 0) break;
          --mlen;
          re2::StringPiece m;
          if (!re_->Match(line, beg, beg + mlen, RE2::ANCHOR_START, &m, 1)) break;
          mlen = m.size();
        }
      }
      beg += WordCharsSize(line, beg, utf8);
      mb_start = beg;
    }
    return false;
  }

  MatcherKind kind_ = MatcherKind::kBasic;
  MatchFlags flags_;
  bool literal_ = false;
  bool verify_words_ = false;
  // A single case-sensitive pattern that is plain text: lines are found
  // with memchr on its rarest byte and memcmp, not with RE2's DFA (whose
  // prefix search stops at every copy of the first byte).
  std::string needle_;
  size_t rare_offset_ = 0;  // the offset in needle_ of its rarest byte
  bool locale_ranges_ = false;
  bool word_assertions_ = false;
  std::vector<std::string> locale_classes_;
  std::vector<RequiredText> required_parts_;
  std::unique_ptr<RE2> re_;         // the alternation, for one line
  std::unique_ptr<RE2> re_noeol_;   // same, '$' never matching
  std::unique_ptr<RE2> buffer_re_;  // multi-line search for selected lines

  Engine engine_ = Engine::kRe2;
  // kGlibc: the compiled patterns and the registers re_search fills.
  std::vector<std::unique_ptr<re_pattern_buffer, RegexFree>> regexes_;
  mutable std::vector<re_registers> regs_;
  // kPcre.
  std::unique_ptr<const uint8_t, PcreTablesFree> pcre_tables_;
  std::unique_ptr<pcre2_code, PcreCodeFree> pcre_;
  std::unique_ptr<pcre2_match_data, PcreDataFree> pcre_data_;
  int empty_match_[2] = {PCRE2_ERROR_NOMATCH, PCRE2_ERROR_NOMATCH};
  mutable int pcre_error_ = 0;
};

// ---------------------------------------------------------------- GNU's pattern handling

// try_fgrep_pattern (grep.c): with several -G/-E patterns that are plain
// strings, GNU switches to its fixed-string matcher. Returns the converted
// patterns, or false when some pattern is not plain.
bool TryFixedPatterns(MatcherKind kind, bool ignore_case, bool utf8,
                      const std::vector<std::string>& patterns, std::vector<std::string>* fixed) {
  fixed->clear();
  for (const std::string& p : patterns) {
    std::string out;
    std::mbstate_t state{};
    size_t i = 0;
    while (i < p.size()) {
      char c = p[i];
      switch (c) {
        case '$':
        case '*':
        case '.':
        case '[':
        case '^':
          return false;
        case '(':
        case '+':
        case '?':
        case '{':
        case '|':
          if (kind != MatcherKind::kBasic) return false;
          break;
        case '\\':
          if (i + 1 < p.size()) {
            char d = p[i + 1];
            static constexpr std::string_view kFail = "BSW'<bsw`>123456789";
            if (kFail.find(d) != std::string_view::npos) return false;
            if (std::string_view("(+?{|").find(d) != std::string_view::npos &&
                kind == MatcherKind::kBasic) {
              return false;
            }
            if (d == ')' && kind == MatcherKind::kBasic) return false;
            ++i;  // the escaped character stands for itself
          } else if (&p != &patterns.back()) {
            // GNU scans all patterns as one newline-separated text: a
            // backslash before the separator fails the conversion, one
            // at the very end stays an ordinary character.
            return false;
          }
          break;
        default:
          break;
      }
      // One character, which -i must be able to fold byte-wise.
      size_t clen = 1;
      unsigned char uc = static_cast<unsigned char>(p[i]);
      if (utf8 && uc >= 0x80) {
        wchar_t wc;
        clen = std::mbrtowc(&wc, p.data() + i, p.size() - i, &state);
        if (clen == static_cast<size_t>(-1) || clen == static_cast<size_t>(-2) || clen == 0) {
          return false;
        }
        if (ignore_case && !CaseCounterparts(static_cast<uint32_t>(wc), true).empty()) return false;
      } else if (ignore_case) {
        for (uint32_t f : CaseCounterparts(uc, utf8)) {
          if (f >= 0x80) return false;  // folds to a multibyte character
        }
      }
      out.append(p, i, clen);
      i += clen;
    }
    fixed->push_back(std::move(out));
  }
  return true;
}

// fgrep_icase_available (grep.c): -F -i stays with the fixed-string matcher
// only when every character folds to single bytes.
bool FixedIcaseAvailable(const std::vector<std::string>& patterns, bool utf8) {
  for (const std::string& p : patterns) {
    std::mbstate_t state{};
    size_t i = 0;
    while (i < p.size()) {
      unsigned char uc = static_cast<unsigned char>(p[i]);
      if (uc < 0x80 || !utf8) {
        for (uint32_t f : CaseCounterparts(uc, utf8)) {
          if (f >= 0x80) return false;
        }
        ++i;
        continue;
      }
      wchar_t wc;
      size_t n = std::mbrtowc(&wc, p.data() + i, p.size() - i, &state);
      if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0) return false;
      if (!CaseCounterparts(static_cast<uint32_t>(wc), true).empty()) return false;
      i += n;
    }
  }
  return true;
}

// fgrep_to_grep_pattern: a fixed string as a BRE.
std::string FixedToBasic(const std::string& p) {
  std::string out;
  for (char c : p) {
    if (std::strchr("$*.[\\^", c) != nullptr && c != '\0') out += '\\';
    out += c;
  }
  return out;
}

vfs::Store::SubstringQuery ToQuery(const RequiredText& r) {
  vfs::Store::SubstringQuery q;
  switch (r.op) {
    case RequiredText::Op::kAtom:
      q.op = vfs::Store::SubstringQuery::Op::kAtom;
      q.atom = r.atom;
      break;
    case RequiredText::Op::kAnd:
    case RequiredText::Op::kOr:
      q.op = r.op == RequiredText::Op::kAnd ? vfs::Store::SubstringQuery::Op::kAnd
                                            : vfs::Store::SubstringQuery::Op::kOr;
      for (const RequiredText& c : r.children) q.children.push_back(ToQuery(c));
      break;
    case RequiredText::Op::kAny:
      break;
  }
  return q;
}

// ---------------------------------------------------------------- the command

enum class BinaryFiles { kBinary, kText, kWithoutMatch };
enum class ListFiles { kNone, kMatching, kNonMatching };
enum class Directories { kRead, kRecurse, kSkip };

class Grep {
 public:
  Grep(CommandEnv& env, CommandIo& io) : env_(env), io_(io) {}

  void Run(const std::vector<std::string>& argv);

 private:
  // Option parsing and setup; false when the command is finished (error,
  // early exit or unsupported).
  bool Setup(const std::vector<std::string>& argv);
  bool AddPatternText(std::string_view text);
  bool ReadPatternFile(const std::string& name);
  bool ContextArg(const std::string& text, int64_t* out);
  void Die(const std::string& message) {
    io_.err += std::string(kProgram) + message + "\n";
    io_.status = 2;
  }
  bool Unsupported(const std::string& what) {
    if (io_.unsupported.empty()) io_.unsupported = what;
    return false;
  }

  // grep_command_line_arg / grepdesc / grepdirent.
  void CommandLineArg(const std::string& operand);
  void GrepRecursive(const std::string& operand, const std::string& vfs_dir);
  // Greps one file's bytes; `name` is the printed name.
  // `known_text`: the store vouches that `data` is valid UTF-8 without NUL
  // bytes, so neither needs checking.
  void GrepFile(std::string_view data, const std::string& name, bool known_text = false);
  void SuppressibleError(const std::string& name, vfs::Status::Code code) {
    if (!suppress_errors_) {
      io_.err += std::string(kProgram) + name + ": " + ErrnoText(code) + "\n";
    }
    errseen_ = true;
  }
  // Nothing more to do: -q matched, the command is refused, or the next
  // stage of the pipeline has all it reads (CommandIo::need).
  bool finished() const { return exited_ || !io_.unsupported.empty() || io_.OutputEnough(); }

  // Output of one buffer (GNU's grep(), grepbuf, prtext, prline).
  struct FileState {
    std::string_view buf;
    const std::string* name = nullptr;
    size_t lastout = std::string_view::npos;  // offset after the last printed line
    int64_t pending = 0;
    int64_t outleft = 0;
    bool out_quiet = false;
    bool encoding_error_output = false;
    bool check_encoding = false;
    // Line number cache: `nl_count` newlines before `nl_pos`.
    size_t nl_pos = 0;
    int64_t nl_count = 0;
  };
  int64_t LineNumber(FileState& st, size_t off);
  size_t LineEnd(const FileState& st, size_t off) const {
    size_t e = st.buf.find('\n', off);
    return e == std::string_view::npos ? st.buf.size() : e;
  }
  bool PrintLineHead(FileState& st, size_t off, size_t len, int64_t lineno, char sep);
  void PrintLine(FileState& st, size_t start, char sep);
  void PrintPending(FileState& st, size_t limit);
  void PrintText(FileState& st, size_t start);

  CommandEnv& env_;
  CommandIo& io_;

  // Settings (GNU's globals).
  MatcherKind matcher_kind_ = MatcherKind::kBasic;
  bool matcher_set_ = false;
  std::vector<std::string> patterns_;
  std::set<std::string> pattern_set_;
  bool have_keys_ = false;  // -e or -f seen
  bool ignore_case_ = false, match_words_ = false, match_lines_ = false, invert_ = false;
  bool count_matches_ = false, out_line_ = false, out_byte_ = false, only_matching_ = false;
  bool exit_on_match_ = false, suppress_errors_ = false, done_on_match_ = false;
  bool out_quiet_ = false, null_after_name_ = false;
  int filename_option_ = 0;  // -1 for -h, 1 for -H
  int64_t max_count_ = kUnlimited;
  int64_t out_before_ = -1, out_after_ = -1, default_context_ = -1;
  ListFiles list_files_ = ListFiles::kNone;
  BinaryFiles binary_files_ = BinaryFiles::kBinary;
  Directories directories_ = Directories::kRead;
  bool last_recursive_ = false;
  ExcludeList excluded_patterns_[2];      // [command_line]
  ExcludeList excluded_dir_patterns_[2];  // [command_line]
  std::optional<std::string> group_separator_ = std::string("--");
  std::optional<std::string> label_;
  bool stdin_consumed_ = false;
  bool utf8_ = true;
  bool codepoint_collation_ = true;
  bool patterns_from_file_ = false;

  Matcher matcher_;
  // The same patterns with the locale's full classes, built when a file
  // needs it (see GrepFile).
  std::unique_ptr<Matcher> full_matcher_;
  // The same patterns through glibc's regex (word boundaries next to
  // non-ASCII word characters).
  std::unique_ptr<Matcher> glibc_matcher_;
  const Matcher* file_matcher_ = &matcher_;  // the one for the current file
  MatcherKind matcher_kind_used_ = MatcherKind::kBasic;
  std::vector<std::string> keys_;
  MatchFlags match_flags_;
  int out_file_ = 0;  // 1 yes, 0 no, -1 decide at first operand
  bool omit_dot_slash_ = false;
  std::vector<std::string> operands_;

  // Run state.
  bool used_ = false;  // some line was selected (group separators)
  bool errseen_ = false;
  bool any_selected_ = false;
  bool exited_ = false;  // -q matched: GNU exits at once
};

bool Grep::ContextArg(const std::string& text, int64_t* out) {
  if (AllDigits(text)) {
    *out = ParseDigits(text);
    return true;
  }
  bool plainly_bad = text.empty() || (text[0] == '-' && AllDigits(text.substr(1)));
  for (char c : text) plainly_bad |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (!plainly_bad || text.find_first_of(" \t+") != std::string::npos) {
    return Unsupported("grep context length " + text);
  }
  Die(text + ": invalid context length argument");
  return false;
}

// Adds newline-separated patterns, dropping exact duplicates as GNU does.
bool Grep::AddPatternText(std::string_view text) {
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    std::string p(text.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (pattern_set_.insert(p).second) patterns_.push_back(p);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return true;
}

bool Grep::ReadPatternFile(const std::string& name) {
  std::string content;
  if (name == "-") {
    content.assign(io_.stdin_data);
    stdin_consumed_ = true;
  } else {
    ResolvedPath path = env_.Resolve(name);
    if (path.where == ResolvedPath::Where::kHost) {
      return Unsupported("grep -f with a host path (" + name + ")");
    }
    if (path.where == ResolvedPath::Where::kMount) {
      vfs::Stat stat;
      vfs::Status status = env_.StatResolved(path, &stat);
      if (status.ok() && stat.kind == vfs::NodeKind::kDirectory) {
        status = vfs::Status::Error(vfs::Status::Code::kIsADirectory, "directory");
      }
      if (status.ok()) status = env_.store.ReadFile(path.vfs_path, &content);
      if (!status.ok()) {
        Die(name + ": " + ErrnoText(status.code()));
        return false;
      }
    }
  }
  have_keys_ = true;
  patterns_from_file_ = true;
  if (content.empty()) return true;
  if (content.back() == '\n') content.pop_back();
  return AddPatternText(content);
}

bool Grep::Setup(const std::vector<std::string>& raw_argv) {
  std::vector<std::string> argv;
  std::string reason;
  std::vector<std::string> input = raw_argv;
  // egrep and fgrep are "exec grep -E/-F "$@"" on Debian.
  std::string base = raw_argv[0].substr(raw_argv[0].rfind('/') + 1);
  if (base == "egrep" || base == "fgrep") {
    input.insert(input.begin() + 1, base == "egrep" ? "-E" : "-F");
  }
  if (!NormalizeArgs(input, &argv, &reason)) return Unsupported(reason);
  ParsedArgs args = ParseOptions(argv, 1, kGrepOptions);
  if (!args.unsupported.empty()) return Unsupported("grep " + args.unsupported);

  auto set_matcher = [&](MatcherKind kind) {
    if (matcher_set_ && matcher_kind_ != kind) {
      Die("conflicting matchers specified");
      return false;
    }
    matcher_set_ = true;
    matcher_kind_ = kind;
    return true;
  };
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kOptExtended:
        if (!set_matcher(MatcherKind::kExtended)) return false;
        break;
      case kOptFixed:
        if (!set_matcher(MatcherKind::kFixed)) return false;
        break;
      case kOptBasic:
        if (!set_matcher(MatcherKind::kBasic)) return false;
        break;
      case kOptPerl:
        if (!set_matcher(MatcherKind::kPerl)) return false;
        break;
      case kOptAfter:
        if (!ContextArg(o.argument, &out_after_)) return false;
        break;
      case kOptBefore:
        if (!ContextArg(o.argument, &out_before_)) return false;
        break;
      case kOptContext:
        if (!ContextArg(o.argument, &default_context_)) return false;
        break;
      case kOptBinaryFiles:
        if (o.argument == "binary") {
          binary_files_ = BinaryFiles::kBinary;
        } else if (o.argument == "text") {
          binary_files_ = BinaryFiles::kText;
        } else if (o.argument == "without-match") {
          binary_files_ = BinaryFiles::kWithoutMatch;
        } else {
          Die("unknown binary-files type");
          return false;
        }
        break;
      case kOptByteOffset:
        out_byte_ = true;
        break;
      case kOptCount:
        count_matches_ = true;
        break;
      case kOptDevices:
        // The store holds no devices; /dev/null operands are read either way.
        if (o.argument != "read" && o.argument != "skip") {
          Die("unknown devices method");
          return false;
        }
        break;
      case kOptDirectories: {
        // argmatch: an unambiguous prefix is enough.
        static constexpr std::pair<std::string_view, Directories> kActions[] = {
            {"read", Directories::kRead},
            {"recurse", Directories::kRecurse},
            {"skip", Directories::kSkip}};
        int found = 0;
        Directories value = Directories::kRead;
        for (const auto& [name, d] : kActions) {
          if (name == o.argument) {
            found = 1;
            value = d;
            break;
          }
          if (!o.argument.empty() && name.substr(0, o.argument.size()) == o.argument) {
            ++found;
            value = d;
          }
        }
        if (found != 1) return Unsupported("grep --directories=" + o.argument);
        directories_ = value;
        if (value == Directories::kRecurse) last_recursive_ = true;
        break;
      }
      case kOptExclude:
      case kOptInclude:
        for (int cmd = 0; cmd < 2; ++cmd)
          excluded_patterns_[cmd].Add(o.argument, o.id == kOptInclude);
        break;
      case kOptExcludeDir: {
        std::string dir = o.argument;
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        for (int cmd = 0; cmd < 2; ++cmd) excluded_dir_patterns_[cmd].Add(dir, false);
        break;
      }
      case kOptFile:
        if (!ReadPatternFile(o.argument)) return false;
        break;
      case kOptFilesWith:
        list_files_ = ListFiles::kMatching;
        break;
      case kOptFilesWithout:
        list_files_ = ListFiles::kNonMatching;
        break;
      case kOptGroupSeparator:
        group_separator_ = o.argument;
        break;
      case kOptNoGroupSeparator:
        group_separator_.reset();
        break;
      case kOptIgnoreCase:
        ignore_case_ = true;
        break;
      case kOptNoIgnoreCase:
        ignore_case_ = false;
        break;
      case kOptLabel:
        label_ = o.argument;
        break;
      case kOptLineBuffered:
      case kOptBinary:
        break;  // no observable effect here
      case kOptLineNumber:
        out_line_ = true;
        break;
      case kOptLineRegexp:
        match_lines_ = true;
        break;
      case kOptMaxCount:
        if (AllDigits(o.argument)) {
          max_count_ = ParseDigits(o.argument);
        } else if (o.argument.find_first_of(" \t+-") == std::string::npos) {
          Die("invalid max count");
          return false;
        } else {
          return Unsupported("grep -m " + o.argument);
        }
        break;
      case kOptNoFilename:
        filename_option_ = -1;
        break;
      case kOptWithFilename:
        filename_option_ = 1;
        break;
      case kOptNoMessages:
        suppress_errors_ = true;
        break;
      case kOptNull:
        null_after_name_ = true;
        break;
      case kOptOnlyMatching:
        only_matching_ = true;
        break;
      case kOptQuiet:
        exit_on_match_ = true;
        break;
      case kOptRecursive:
        directories_ = Directories::kRecurse;
        last_recursive_ = true;
        break;
      case kOptRegexp:
        have_keys_ = true;
        AddPatternText(o.argument);
        break;
      case kOptInvert:
        invert_ = true;
        break;
      case kOptText:
        binary_files_ = BinaryFiles::kText;
        break;
      case kOptBinaryWithoutMatch:
        binary_files_ = BinaryFiles::kWithoutMatch;
        break;
      case kOptUnixByteOffsets:
        io_.err += std::string(kProgram) + "warning: --unix-byte-offsets (-u) is obsolete\n";
        break;
      case kOptWordRegexp:
        match_words_ = true;
        break;
      default:
        return Unsupported("grep " + o.spelling);
    }
  }

  std::vector<std::string> operands = args.operands;
  if (!have_keys_) {
    if (operands.empty()) {
      io_.err +=
          "Usage: grep [OPTION]... PATTERNS [FILE]...\n"
          "Try 'grep --help' for more information.\n";
      io_.status = 2;
      return false;
    }
    std::string pattern = operands.front();
    operands.erase(operands.begin());
    // GNU skips the '\' of a leading "\-" (a common way to start a
    // pattern with '-').
    if (matcher_kind_ != MatcherKind::kFixed && pattern.size() >= 2 && pattern[0] == '\\' &&
        pattern[1] == '-') {
      pattern.erase(0, 1);
    }
    AddPatternText(pattern);
  } else if (patterns_.empty()) {
    // No pattern at all (e.g. -f /dev/null): match nothing.
    invert_ = !invert_;
    match_lines_ = match_words_ = false;
    patterns_.push_back("");
  }

  // POSIX: -q overrides -l and -L, which override -c. GNU treats a stdout
  // that is /dev/null like -q here (it reads less, and says nothing of
  // binary matches), without -q's early exit.
  const bool quiet_like = exit_on_match_ || io_.stdout_is_null;
  if (quiet_like) list_files_ = ListFiles::kNone;
  if (quiet_like || list_files_ != ListFiles::kNone) {
    count_matches_ = false;
    done_on_match_ = true;
  }
  out_quiet_ = count_matches_ || done_on_match_;
  if (out_after_ < 0) out_after_ = default_context_;
  if (out_before_ < 0) out_before_ = default_context_;

  // Easy failures: GNU exits before reading any file (no error for a
  // missing one either).
  bool empty_only = patterns_.size() == 1 && patterns_[0].empty();
  if ((max_count_ == 0 || (empty_only && invert_ && !match_lines_ && !match_words_)) &&
      list_files_ != ListFiles::kNonMatching) {
    io_.status = 1;
    return false;
  }

  // Locale.
  utf8_ = LocaleIsUtf8();
  if (!utf8_) {
    const char* ctype = std::setlocale(LC_CTYPE, nullptr);
    std::string_view name = ctype == nullptr ? "C" : ctype;
    if (name != "C" && name != "POSIX")
      return Unsupported("grep in a single-byte locale " + std::string(name));
  }
  {
    const char* collate = std::setlocale(LC_COLLATE, nullptr);
    std::string_view name = collate == nullptr ? "C" : collate;
    codepoint_collation_ = name == "C" || name == "POSIX" || name == "C.UTF-8" || name == "C.utf8";
  }

  // The matcher GNU picks (grep.c main).
  MatcherKind kind = matcher_kind_;
  std::vector<std::string> keys = patterns_;
  if (kind == MatcherKind::kFixed) {
    bool to_basic = false;
    if (!utf8_) {
      to_basic = keys.size() == 1 && match_words_;
    } else {
      for (const std::string& k : keys) to_basic |= HasEncodingErrors(k);
      to_basic |= ignore_case_ && !FixedIcaseAvailable(keys, utf8_);
    }
    if (to_basic) {
      for (std::string& k : keys) k = FixedToBasic(k);
      kind = MatcherKind::kBasic;
    }
  } else if (keys.size() > 1 && kind != MatcherKind::kPerl) {
    std::vector<std::string> fixed;
    if (TryFixedPatterns(kind, ignore_case_, utf8_, keys, &fixed)) {
      keys = std::move(fixed);
      kind = MatcherKind::kFixed;
    }
  }
  MatchFlags flags;
  flags.utf8 = utf8_;
  flags.ignore_case = ignore_case_;
  flags.words = match_words_;
  flags.lines = match_lines_;
  flags.codepoint_collation = codepoint_collation_;
  flags.patterns_from_file = patterns_from_file_;
  std::string why;
  std::vector<std::string> warnings;
  std::vector<std::string> fatal;
  if (!matcher_.Build(kind, keys, flags, &why, &warnings, &fatal)) {
    if (fatal.empty()) return Unsupported(why);
    // GNU's compile errors: every message, then exit 2.
    for (const std::string& m : fatal) io_.err += std::string(kProgram) + m + "\n";
    io_.status = 2;
    return false;
  }
  matcher_kind_used_ = kind;
  keys_ = keys;
  match_flags_ = flags;
  for (const std::string& w : warnings) io_.err += std::string(kProgram) + "warning: " + w + "\n";
  size_t num_operands = operands.size();
  out_file_ = (filename_option_ == 0 && num_operands <= 1)
                  ? -(directories_ == Directories::kRecurse ? 1 : 0)
                  : (filename_option_ >= 0 ? 1 : 0);
  if (operands.empty()) {
    if (directories_ == Directories::kRecurse && last_recursive_) {
      operands.push_back(".");
      omit_dot_slash_ = true;
    } else {
      operands.push_back("-");
    }
  }
  operands_ = std::move(operands);
  return true;
}

int64_t Grep::LineNumber(FileState& st, size_t off) {
  if (off >= st.nl_pos) {
    st.nl_count += std::count(st.buf.begin() + st.nl_pos, st.buf.begin() + off, '\n');
  } else {
    st.nl_count -= std::count(st.buf.begin() + off, st.buf.begin() + st.nl_pos, '\n');
  }
  st.nl_pos = off;
  return st.nl_count + 1;
}

// print_line_head: false (and nothing printed) when the text has an
// encoding error.
bool Grep::PrintLineHead(FileState& st, size_t off, size_t len, int64_t lineno, char sep) {
  if (st.check_encoding) {
    size_t avail = std::min(len, st.buf.size() - std::min(off, st.buf.size()));
    if (HasEncodingErrors(st.buf.substr(off, avail))) {
      st.encoding_error_output = true;
      return false;
    }
  }
  // Straight into the output: one line's head is built for every line
  // printed.
  char number[24];
  if (out_file_ > 0) {
    io_.out += *st.name;
    io_.out += null_after_name_ ? '\0' : sep;
  }
  if (out_line_) {
    io_.out += std::string_view(number, std::to_chars(number, number + sizeof number, lineno).ptr);
    io_.out += sep;
  }
  if (out_byte_) {
    io_.out += std::string_view(number, std::to_chars(number, number + sizeof number, off).ptr);
    io_.out += sep;
  }
  return true;
}

// prline: one line (selected ':' or context '-').
void Grep::PrintLine(FileState& st, size_t start, char sep) {
  size_t end = LineEnd(st, start);
  std::string_view line = st.buf.substr(start, end - start);
  int64_t lineno = out_line_ ? LineNumber(st, start) : 0;
  st.lastout = end + 1;
  if (!only_matching_) {
    if (!PrintLineHead(st, start, line.size(), lineno, sep)) return;
    io_.out += line;
    io_.out += '\n';
    return;
  }
  bool matching = (sep == ':') != invert_;
  if (!matching) return;
  const Matcher& m = *file_matcher_;
  char match_sep = invert_ ? '-' : ':';
  size_t cur = 0;
  while (cur <= line.size()) {
    size_t b, len;
    if (!m.Execute(line, cur, &b, &len)) break;
    if (len == 0) {
      cur = b + 1;  // GNU steps over empty matches
      continue;
    }
    if (!PrintLineHead(st, start + b, len, lineno, match_sep)) return;
    std::string text(line.substr(b, std::min(len, line.size() - b)));
    if (b + len > line.size()) text += '\n';
    text += '\n';
    io_.out += text;
    cur = b + len;
  }
}

// prpending: trailing context up to `limit`.
void Grep::PrintPending(FileState& st, size_t limit) {
  if (st.lastout == std::string_view::npos) st.lastout = 0;
  while (st.pending > 0 && st.lastout < limit && st.lastout < st.buf.size()) {
    PrintLine(st, st.lastout, '-');
    --st.pending;
  }
}

// prtext for one selected line starting at `start`.
void Grep::PrintText(FileState& st, size_t start) {
  if (!st.out_quiet) {
    if (st.pending > 0) PrintPending(st, start);
    size_t p = start;
    size_t bp = st.lastout == std::string_view::npos ? 0 : st.lastout;
    for (int64_t i = 0; i < out_before_; ++i) {
      if (p <= bp) break;
      size_t prev = p - 1;  // the '\n' ending the previous line
      size_t nl = prev == 0 ? std::string_view::npos : st.buf.rfind('\n', prev - 1);
      p = nl == std::string_view::npos ? 0 : nl + 1;
    }
    if ((out_before_ >= 0 || out_after_ >= 0) && used_ && p != st.lastout && group_separator_) {
      io_.out += *group_separator_ + "\n";
    }
    while (p < start) {
      PrintLine(st, p, '-');
      p = LineEnd(st, p) + 1;
    }
    PrintLine(st, start, ':');
  }
  st.pending = st.out_quiet ? 0 : std::max<int64_t>(0, out_after_);
  used_ = true;
  --st.outleft;
}

void Grep::GrepFile(std::string_view data, const std::string& name, bool known_text) {
  // Binary detection (grep.c: buf_has_nulls on the first buffer).
  std::string zapped;
  bool binary = false;
  if (binary_files_ != BinaryFiles::kText && !known_text) {
    size_t nul = data.find('\0');
    if (nul != std::string_view::npos) {
      if (nul >= kFirstReadBytes) {
        Unsupported("grep on a file whose first NUL byte is beyond 96 KiB (" + name + ")");
        return;
      }
      if (binary_files_ == BinaryFiles::kWithoutMatch) {
        data = std::string_view();
        binary = false;
        // GNU returns a count of 0 without reading further.
        if (count_matches_) {
          if (out_file_ > 0) io_.out += name + (null_after_name_ ? std::string(1, '\0') : ":");
          io_.out += "0\n";
        }
        if (list_files_ == ListFiles::kNonMatching) {
          io_.out += name + (null_after_name_ ? std::string(1, '\0') : "\n");
        }
        return;
      }
      binary = true;
      // NUL bytes become line ends (zap_nuls), so they split lines.
      zapped.assign(data);
      std::replace(zapped.begin(), zapped.end(), '\0', '\n');
      data = zapped;
    }
  }

  file_matcher_ = &matcher_;
  // Encoding: lines with encoding errors are matched exactly only by plain
  // strings (RE2 and GNU then both match bytes; -w looks at the characters
  // around a match the same way GNU does, an undecodable byte being no word
  // character). -o goes through glibc's regex in GNU, which reads an
  // undecodable byte as the character of the same value: refused.
  bool check_encoding = false;
  if (utf8_) {
    bool errors = !known_text && HasEncodingErrors(data);
    const Engine engine = matcher_.engine();
    if (errors && engine == Engine::kGlibc) {
      // GNU's DFA screens lines before glibc sees them, and reads encoding
      // errors its own way.
      Unsupported("grep pattern on a file with invalid UTF-8 (" + name + ")");
      return;
    }
    if (engine != Engine::kRe2) {
      // PCRE2 and glibc match as GNU's own engines do.
    } else if (errors) {
      if (!matcher_.literal() || only_matching_) {
        Unsupported("grep pattern on a file with invalid UTF-8 (" + name + ")");
        return;
      }
    } else if ((matcher_.locale_ranges() || matcher_.word_assertions() ||
                !matcher_.locale_classes().empty()) &&
               HasNonAscii(data)) {
      // RE2's classes, \w and \b are ASCII-only. A non-ASCII member of a
      // class the pattern uses: switch to the twin with the locale's full
      // classes. A non-ASCII word character next to \b or \<: refuse.
      std::mbstate_t state{};
      size_t i = 0;
      std::vector<wctype_t> classes;
      for (const std::string& c : matcher_.locale_classes()) classes.push_back(wctype(c.c_str()));
      bool need_full = false;
      bool need_glibc = false;
      while (i < data.size()) {
        if (static_cast<unsigned char>(data[i]) < 0x80) {
          ++i;
          continue;
        }
        wchar_t wc;
        size_t n = std::mbrtowc(&wc, data.data() + i, data.size() - i, &state);
        wint_t w = static_cast<wint_t>(wc);
        if (matcher_.locale_ranges()) {
          Unsupported("grep range on non-ASCII text (" + name + ")");
          return;
        }
        need_glibc |= matcher_.word_assertions() && std::iswalnum(w);
        for (wctype_t t : classes) need_full |= std::iswctype(w, t) != 0;
        i += n;
      }
      if (need_glibc) {
        // GNU's DFA leaves word boundaries to glibc's regex here.
        if (glibc_matcher_ == nullptr) {
          std::string why;
          glibc_matcher_ = std::make_unique<Matcher>();
          MatchFlags flags = match_flags_;
          flags.force_glibc = true;
          if (!glibc_matcher_->Build(matcher_kind_used_, keys_, flags, &why, nullptr)) {
            Unsupported(why);
            return;
          }
        }
        file_matcher_ = glibc_matcher_.get();
      } else if (need_full) {
        if (full_matcher_ == nullptr) {
          std::string why;
          full_matcher_ = std::make_unique<Matcher>();
          MatchFlags flags = match_flags_;
          flags.full_classes = true;
          if (!full_matcher_->Build(matcher_kind_used_, keys_, flags, &why, nullptr)) {
            Unsupported(why);
            return;
          }
        }
        file_matcher_ = full_matcher_.get();
      }
    }
    check_encoding = errors && binary_files_ != BinaryFiles::kText;
  }
  const Matcher& m = *file_matcher_;

  FileState st;
  st.buf = data;
  st.name = &name;
  st.outleft = max_count_;
  st.check_encoding = check_encoding;
  bool done_on_match = done_on_match_;
  st.out_quiet = out_quiet_;
  if (binary && !count_matches_) {
    st.out_quiet = true;
    if (max_count_ == kUnlimited) done_on_match = true;
  }

  int64_t nlines = 0;
  size_t size = data.size();
  size_t pos = 0;
  auto select = [&](size_t start) {
    ++nlines;
    PrintText(st, start);
    if (exit_on_match_) exited_ = true;
  };
  if (!invert_) {
    while (st.outleft > 0 && pos < size) {
      size_t start = m.NextMatchingLine(data, pos);
      if (start == std::string_view::npos) break;
      select(start);
      if (exited_ || done_on_match || io_.OutputEnough()) break;
      pos = LineEnd(st, start) + 1;
    }
  } else {
    while (st.outleft > 0 && pos < size) {
      size_t next = m.NextMatchingLine(data, pos);
      size_t limit = next == std::string_view::npos ? size : next;
      bool stop = false;
      while (pos < limit && st.outleft > 0) {
        select(pos);
        pos = LineEnd(st, pos) + 1;
        if (exited_ || done_on_match || io_.OutputEnough()) {
          stop = true;
          break;
        }
      }
      if (stop || next == std::string_view::npos) break;
      pos = LineEnd(st, next) + 1;
    }
  }
  if (m.pcre_error() != 0) {
    Unsupported("grep -P matching error " + std::to_string(m.pcre_error()));
    return;
  }
  if (exited_) return;
  if (st.pending > 0) PrintPending(st, size);

  if (binary_files_ == BinaryFiles::kBinary && !out_quiet_ &&
      (st.encoding_error_output || (binary && nlines > 0))) {
    io_.err += std::string(kProgram) + name + ": binary file matches\n";
  }
  if (count_matches_) {
    if (out_file_ > 0) io_.out += name + (null_after_name_ ? std::string(1, '\0') : ":");
    io_.out += std::to_string(nlines) + "\n";
  }
  if (nlines > 0) any_selected_ = true;
  bool listed = list_files_ == (nlines > 0 ? ListFiles::kMatching : ListFiles::kNonMatching);
  if (list_files_ != ListFiles::kNone && listed) {
    io_.out += name + (null_after_name_ ? std::string(1, '\0') : "\n");
  }
}

void Grep::GrepRecursive(const std::string& operand, const std::string& vfs_dir) {
  // fts prints "operand/rel": trailing slashes of the operand collapse.
  std::string prefix = operand;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  // Into one buffer: a name per file visited, most of them never printed.
  std::string name;
  auto printed_name = [&](std::string_view path) -> const std::string& {
    name.assign(prefix);
    name += '/';
    name.append(vfs_dir.empty() ? path : path.substr(vfs_dir.size() + 1));
    if (omit_dot_slash_ && name.size() > 2 && name.compare(0, 2, "./") == 0) name.erase(0, 2);
    return name;
  };
  auto basename = [](const std::string& path) { return path.substr(path.rfind('/') + 1); };

  // Candidates from the content index, when a file without a match prints
  // nothing at all: never for -v, -c or -L (every file counts there).
  // The files in scope: candidates from the content index when a file
  // without a match prints nothing at all (never for -v, -c or -L, where
  // every file counts), else every file below the operand.
  std::vector<std::string> listed;
  bool have_candidates = false;
  RequiredText required = matcher_.Required();
  if (env_.options.pushdown && !invert_ && !count_matches_ &&
      list_files_ != ListFiles::kNonMatching && required.op != RequiredText::Op::kAny) {
    vfs::Store::CandidateOptions candidate_options;
    candidate_options.order = env_.options.grep_rank_bm25 ? vfs::Store::CandidateOrder::kBm25
                                                          : vfs::Store::CandidateOrder::kWalk;
    // A common word is cheaper to find by reading everything.
    candidate_options.refuse_unselective = true;
    vfs::Status status =
        env_.store.FindCandidates(vfs_dir, ToQuery(required), &listed, candidate_options);
    if (status.ok()) {
      have_candidates = true;
      // The index never returns the generated index.md at the root: put it
      // back where the walk would have visited it.
      vfs::Stat index;
      if (vfs_dir.empty() && env_.store.GetStat("index.md", &index).ok() &&
          index.kind == vfs::NodeKind::kFile && index.storage == vfs::Storage::kVirtual) {
        auto top = [](const std::string& p) { return p.substr(0, p.find('/')); };
        auto at = std::find_if(listed.begin(), listed.end(),
                               [&](const std::string& p) { return top(p) > "index.md"; });
        listed.insert(at, "index.md");
      }
    }
  }
  if (!have_candidates) {
    vfs::Status status = env_.store.ListFiles(vfs_dir, &listed);
    if (!status.ok()) {
      Unsupported("grep -r walk failed: " + status.message());
      return;
    }
  }
  // Apply --exclude-dir to every directory between the operand and the
  // file, as GNU's walk prunes them.
  std::vector<std::string> files;
  if (excluded_dir_patterns_[0].empty()) {
    files = std::move(listed);
  } else {
    for (std::string& path : listed) {
      const std::string_view rel = vfs_dir.empty()
                                       ? std::string_view(path)
                                       : std::string_view(path).substr(vfs_dir.size() + 1);
      bool pruned = false;
      size_t begin = 0;
      for (size_t slash; (slash = rel.find('/', begin)) != std::string_view::npos;
           begin = slash + 1) {
        if (excluded_dir_patterns_[0].Excluded(std::string(rel.substr(begin, slash - begin)),
                                               true)) {
          pruned = true;
          break;
        }
      }
      if (!pruned) files.push_back(std::move(path));
    }
  }
  if (!excluded_patterns_[0].empty()) {
    std::erase_if(files, [&](const std::string& path) {
      return excluded_patterns_[0].Excluded(basename(path), true);
    });
  }
  // When a file's first selected line settles its output (-l, -L, -q),
  // take session logs a few lines at a time and stop at that line, as GNU
  // stops reading. Only where the plain matcher is the one GrepFile would
  // use on clean text (no locale-dependent classes, ranges or \b), so
  // that the probe and GrepFile agree.
  vfs::Store::ReadOptions read_options;
  // `| head -n N`: most likely the first files fill it.
  read_options.stops_early = io_.need.lines != UINT64_MAX || io_.need.bytes != UINT64_MAX;
  read_options.offer_prefixes = env_.options.pushdown && done_on_match_ && !invert_ &&
                                matcher_.engine() == Engine::kRe2 && !count_matches_ &&
                                matcher_.locale_classes().empty() && !matcher_.locale_ranges() &&
                                !matcher_.word_assertions();
  // The same probe, for a second reading thread: the matcher is const and
  // RE2 is thread-safe.
  if (read_options.offer_prefixes) {
    read_options.prefix_settles = [this](std::string_view prefix, size_t from) {
      return matcher_.NextMatchingLine(prefix, from) != std::string_view::npos;
    };
  }
  size_t probed = 0;  // bytes of the current file's prefix already probed
  vfs::Status status =
      env_.store.ReadFiles(files, read_options, [&](const vfs::Store::FileBytes& file) {
        using Next = vfs::Store::ReadNext;
        if (!file.complete && !(file.settled && file.known_text)) {
          const size_t from = probed;
          probed = file.bytes.size();
          if (!file.known_text ||
              matcher_.NextMatchingLine(file.bytes, from) == std::string_view::npos) {
            return Next::kMore;
          }
        }
        probed = 0;
        GrepFile(file.bytes, printed_name(file.path), file.known_text);
        return finished() ? Next::kStop : Next::kNextFile;
      });
  if (!status.ok()) Unsupported("grep read failed: " + status.message());
}

void Grep::CommandLineArg(const std::string& operand) {
  if (operand == "-") {
    std::string name = label_ ? *label_ : "(standard input)";
    if (out_file_ < 0) out_file_ = 0;  // a pipe is not a directory
    std::string_view data = stdin_consumed_ ? std::string_view() : io_.stdin_data;
    stdin_consumed_ = true;
    GrepFile(data, name);
    return;
  }
  ResolvedPath path = env_.Resolve(operand);
  bool is_dir = false;
  std::string content;
  if (path.where == ResolvedPath::Where::kHost) {
    // Under `memhook run`: a host file beside memory files.
    if (!env_.allow_host) {
      Unsupported("grep of a host path (" + operand + ")");
      io_.needs_host = true;
      return;
    }
    const vfs::Status::Code code = ReadHostFile(env_, operand, &content);
    if (code == vfs::Status::Code::kIsADirectory && directories_ == Directories::kRecurse) {
      Unsupported("grep -r of a host directory (" + operand + ")");
      return;
    }
    if (code != vfs::Status::Code::kOk && code != vfs::Status::Code::kIsADirectory) {
      SuppressibleError(operand, code);
      return;
    }
    is_dir = code == vfs::Status::Code::kIsADirectory;
  }
  if (path.where == ResolvedPath::Where::kMount) {
    vfs::Stat stat;
    vfs::Status status = env_.StatResolved(path, &stat);
    if (!status.ok()) {
      SuppressibleError(operand, status.code());
      return;
    }
    is_dir = stat.kind == vfs::NodeKind::kDirectory;
  }
  // skipped_file for command-line operands.
  if (!is_dir) {
    if (excluded_patterns_[1].Excluded(operand, false)) return;
  } else if (directories_ == Directories::kSkip) {
    return;
  } else if (!omit_dot_slash_ && excluded_dir_patterns_[1].Excluded(operand, false)) {
    return;
  }
  if (out_file_ < 0) out_file_ = is_dir ? 1 : 0;
  if (is_dir && directories_ == Directories::kRecurse) {
    GrepRecursive(operand, path.vfs_path);
    return;
  }
  if (is_dir) {
    // Reading a directory fails with EISDIR; GNU still reports a count of
    // 0 (-c) and lists it (-L).
    SuppressibleError(operand, vfs::Status::Code::kIsADirectory);
    GrepFile(std::string_view(), operand);
    return;
  }
  if (path.where == ResolvedPath::Where::kMount) {
    vfs::Status status = env_.store.ReadFile(path.vfs_path, &content);
    if (!status.ok()) {
      SuppressibleError(operand, status.code());
      return;
    }
  }
  GrepFile(content, operand);
}

void Grep::Run(const std::vector<std::string>& argv) {
  if (!Setup(argv)) return;
  for (const std::string& operand : operands_) {
    CommandLineArg(operand);
    if (finished()) break;
  }
  if (!io_.unsupported.empty()) return;
  if (exited_) {
    io_.status = 0;  // -q: exit (EXIT_SUCCESS) on the first selected line
    return;
  }
  io_.status = errseen_ ? 2 : (any_selected_ ? 0 : 1);
}

}  // namespace

void CmdGrep(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  Grep grep(env, io);
  grep.Run(argv);
}

}  // namespace memhook::utils
