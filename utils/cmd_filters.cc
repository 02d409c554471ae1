// sort, uniq and cut as GNU coreutils 9.1 prints them: the filters agents
// put after grep, ls and find.
//
// sort reads every input whole (as GNU does before writing anything) and
// sorts an index of lines that point into the inputs' own bytes, so memory
// stays near the input's size; a stable sort reproduces GNU's merge sort,
// whose ties keep input order. uniq and cut stream over each input. sort -o
// and uniq OUTPUT write through the writing utilities' file system
// (write_fs.h).
//
// Locale: sort's collation, its character classes (-d -i -f -b) and its
// number and month formats come from the command's environment (LC_ALL,
// LC_COLLATE, ..., LANG), as the real process's setlocale(LC_ALL, "") would
// pick them; without an environment, from this process's locale.
#include <langinfo.h>
#include <locale.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

#include "utils/input.h"
#include "utils/options.h"
#include "utils/getopt.h"
#include "utils/utils.h"
#include "utils/write_fs.h"

namespace memhook::utils {

bool ReportOptionError(const std::string& program, const ParsedArgs& args,
                       const std::vector<OptionSpec>& specs, int status, CommandIo& io) {
  const std::string& word = args.unsupported;
  std::string message;
  const std::string kMissing = " without its argument";
  bool missing = word.size() > kMissing.size() &&
                 word.compare(word.size() - kMissing.size(), kMissing.size(), kMissing) == 0;
  std::string option = missing ? word.substr(0, word.size() - kMissing.size()) : word;
  auto long_spec = [&](std::string_view name, int* matches) -> const OptionSpec* {
    const OptionSpec* found = nullptr;
    *matches = 0;
    for (const OptionSpec& spec : specs) {
      if (spec.long_name == nullptr) continue;
      std::string_view long_name = spec.long_name;
      if (long_name == name) {
        *matches = 1;
        return &spec;
      }
      if (long_name.substr(0, name.size()) == name) {
        if (found == nullptr || found->id != spec.id) ++*matches;
        found = &spec;
      }
    }
    return found;
  };
  if (option.size() == 2 && option[0] == '-' && option[1] != '-') {
    message = missing ? "option requires an argument -- '" + option.substr(1) + "'"
                      : "invalid option -- '" + option.substr(1) + "'";
  } else if (option.rfind("--", 0) == 0) {
    std::string body = option.substr(2);
    std::string name = body.substr(0, body.find('='));
    int matches = 0;
    const OptionSpec* spec = long_spec(name, &matches);
    if (matches == 0) {
      message = "unrecognized option '" + option + "'";
    } else if (matches > 1) {
      io.unsupported = program + " " + option + " (ambiguous)";
      return false;
    } else if (missing) {
      message = "option '--" + std::string(spec->long_name) + "' requires an argument";
    } else {
      message = "option '--" + std::string(spec->long_name) + "' doesn't allow an argument";
    }
  } else {
    io.unsupported = program + " " + word;
    return false;
  }
  io.err += program + ": " + message + "\nTry '" + program + " --help' for more information.\n";
  io.status = status;
  return true;
}

std::string QuoteForCommand(const CommandEnv& env, std::string_view text) {
  std::string quoted = QuoteLocale(text);
  if (env.environment == nullptr) return quoted;
  std::string name = "C";
  for (const char* variable : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    std::optional<std::string_view> value = env.Getenv(variable);
    if (value && !value->empty()) {
      name = std::string(*value);
      break;
    }
  }
  bool utf8 = false;
  locale_t probe = newlocale(LC_CTYPE_MASK, name.c_str(), static_cast<locale_t>(0));
  if (probe != static_cast<locale_t>(0)) {
    utf8 = std::strcmp(nl_langinfo_l(CODESET, probe), "UTF-8") == 0;
    freelocale(probe);
  }
  const std::string kOpen = "\u2018", kClose = "\u2019";
  bool fancy = quoted.size() >= kOpen.size() + kClose.size() && quoted.rfind(kOpen, 0) == 0;
  if (fancy && !utf8) {
    return "'" + quoted.substr(kOpen.size(), quoted.size() - kOpen.size() - kClose.size()) + "'";
  }
  if (!fancy && utf8 && quoted.size() >= 2 && quoted.front() == '\'' && quoted.back() == '\'') {
    return kOpen + quoted.substr(1, quoted.size() - 2) + kClose;
  }
  return quoted;
}

namespace {

// ---------------------------------------------------------------- locale

// The locale facts sort needs, for the locale the command's environment
// selects (see the file comment).
class ToolLocale {
 public:
  explicit ToolLocale(const CommandEnv& env) {
    static constexpr struct {
      int category;
      int mask;
      const char* name;
    } kCategories[] = {
        {LC_CTYPE, LC_CTYPE_MASK, "LC_CTYPE"},
        {LC_NUMERIC, LC_NUMERIC_MASK, "LC_NUMERIC"},
        {LC_TIME, LC_TIME_MASK, "LC_TIME"},
        {LC_COLLATE, LC_COLLATE_MASK, "LC_COLLATE"},
        {LC_MONETARY, LC_MONETARY_MASK, "LC_MONETARY"},
        {LC_MESSAGES, LC_MESSAGES_MASK, "LC_MESSAGES"},
    };
    std::string names[6];
    bool ok = true;
    for (size_t i = 0; i < 6; ++i) {
      if (env.environment == nullptr) {
        const char* current = std::setlocale(kCategories[i].category, nullptr);
        names[i] = current == nullptr ? "C" : current;
        continue;
      }
      // setlocale(LC_ALL, ""): LC_ALL, then LC_<category>, then LANG.
      std::optional<std::string_view> value = env.Getenv("LC_ALL");
      if (!value || value->empty()) value = env.Getenv(kCategories[i].name);
      if (!value || value->empty()) value = env.Getenv("LANG");
      names[i] = value && !value->empty() ? std::string(*value) : "C";
      locale_t probe = newlocale(kCategories[i].mask, names[i].c_str(), static_cast<locale_t>(0));
      if (probe == static_cast<locale_t>(0)) {
        ok = false;
      } else {
        freelocale(probe);
      }
    }
    // One category that cannot be set makes setlocale(LC_ALL, "") fail
    // whole: the program then runs in the C locale.
    if (!ok) {
      for (std::string& n : names) n = "C";
    }
    simple_ctype_ = IsCodepointLocale(names[0]);
    simple_numeric_ = IsCodepointLocale(names[1]);
    simple_time_ = IsCodepointLocale(names[2]);
    byte_collation_ = IsCodepointLocale(names[3]);
    if (!(simple_ctype_ && simple_numeric_ && simple_time_ && byte_collation_)) {
      loc_ = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
      for (size_t i = 0; i < 4 && loc_ != static_cast<locale_t>(0); ++i) {
        loc_ = newlocale(kCategories[i].mask, names[i].c_str(), loc_);
      }
      if (loc_ == static_cast<locale_t>(0))
        simple_ctype_ = simple_numeric_ = simple_time_ = byte_collation_ = true;
    }
    for (int c = 0; c < 256; ++c) {
      bool blank, alnum, print;
      int upper;
      if (simple_ctype_) {
        blank = c == ' ' || c == '\t';
        alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        print = c >= 0x20 && c < 0x7f;
        upper = c >= 'a' && c <= 'z' ? c - 32 : c;
      } else {
        blank = isblank_l(c, loc_) != 0;
        alnum = isalnum_l(c, loc_) != 0;
        print = isprint_l(c, loc_) != 0;
        upper = toupper_l(c, loc_);
      }
      // GNU's field_sep: blanks and the newline (visible with -z).
      blank_[c] = blank || c == '\n';
      nonprinting_[c] = !print;
      nondictionary_[c] = !alnum && !blank_[c];
      toupper_[c] = static_cast<unsigned char>(upper);
    }
    decimal_point_ = '.';
    thousands_sep_ = -1;
    if (!simple_numeric_) {
      const char* dp = nl_langinfo_l(RADIXCHAR, loc_);
      if (dp != nullptr && dp[0] != '\0' && dp[1] == '\0') decimal_point_ = dp[0];
      const char* ts = nl_langinfo_l(THOUSEP, loc_);
      if (ts != nullptr && ts[0] != '\0' && ts[1] == '\0') {
        thousands_sep_ = static_cast<unsigned char>(ts[0]);
      }
    }
    static constexpr const char* kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                              "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    for (int m = 0; m < 12; ++m) {
      if (simple_time_) {
        months_[m] = kMonths[m];
        continue;
      }
      // The locale's abbreviated names, blanks removed, folded.
      const char* name = nl_langinfo_l(ABMON_1 + m, loc_);
      for (const char* p = name; p != nullptr && *p != '\0'; ++p) {
        if (!blank_[static_cast<unsigned char>(*p)] || *p == '\n') {
          months_[m] += static_cast<char>(toupper_[static_cast<unsigned char>(*p)]);
        }
      }
    }
  }
  ~ToolLocale() {
    if (loc_ != static_cast<locale_t>(0)) freelocale(loc_);
  }
  ToolLocale(const ToolLocale&) = delete;
  ToolLocale& operator=(const ToolLocale&) = delete;

  // The locale collates by code point (C, POSIX, C.UTF-8: strcoll is
  // strcmp there): byte comparison gives GNU's order.
  bool byte_collation() const { return byte_collation_; }
  bool blank(char c) const { return blank_[static_cast<unsigned char>(c)]; }
  bool nonprinting(char c) const { return nonprinting_[static_cast<unsigned char>(c)]; }
  bool nondictionary(char c) const { return nondictionary_[static_cast<unsigned char>(c)]; }
  unsigned char toupper(char c) const { return toupper_[static_cast<unsigned char>(c)]; }
  char decimal_point() const { return decimal_point_; }
  int thousands_sep() const { return thousands_sep_; }
  const std::string& month(int i) const { return months_[i]; }
  locale_t handle() const { return loc_; }

  // gnulib's memcoll0 under this locale: strcoll over the NUL-separated
  // pieces of both strings.
  int Collate(std::string_view a, std::string_view b) const {
    if (byte_collation_) return ByteCompare(a, b);
    if (a == b) return 0;
    std::string sa(a), sb(b);
    const char* pa = sa.c_str();
    const char* pb = sb.c_str();
    size_t left_a = sa.size() + 1, left_b = sb.size() + 1;
    while (true) {
      int diff = strcoll_l(pa, pb, loc_);
      if (diff != 0) return diff;
      size_t na = std::strlen(pa) + 1, nb = std::strlen(pb) + 1;
      pa += na;
      pb += nb;
      left_a -= na;
      left_b -= nb;
      if (left_a == 0) return -(left_b != 0);
      if (left_b == 0) return 1;
    }
  }

  static int ByteCompare(std::string_view a, std::string_view b) {
    size_t n = std::min(a.size(), b.size());
    int diff = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
    if (diff != 0) return diff;
    return a.size() < b.size() ? -1 : a.size() != b.size();
  }

 private:
  static bool IsCodepointLocale(std::string_view name) {
    return name == "C" || name == "POSIX" || name == "C.UTF-8" || name == "C.utf8" ||
           name == "C.utf-8" || name == "C.UTF8";
  }

  locale_t loc_ = static_cast<locale_t>(0);
  bool simple_ctype_ = true, simple_numeric_ = true, simple_time_ = true;
  bool byte_collation_ = true;
  bool blank_[256] = {};
  bool nonprinting_[256] = {};
  bool nondictionary_[256] = {};
  unsigned char toupper_[256] = {};
  char decimal_point_ = '.';
  int thousands_sep_ = -1;
  std::string months_[12];
};

// ---------------------------------------------------------------- inputs

// Every line of `data` split on `eol`; a last line without it is a line
// (GNU supplies the delimiter).
void SplitInto(std::string_view data, char eol, std::vector<std::string_view>* lines) {
  size_t start = 0;
  while (start < data.size()) {
    const void* hit = std::memchr(data.data() + start, eol, data.size() - start);
    size_t end = hit == nullptr ? data.size() : static_cast<const char*>(hit) - data.data();
    lines->push_back(data.substr(start, end - start));
    start = end + 1;
  }
}

// Appends `text` to `out`, flushing it into io.out in blocks (one chunk
// per block, not per line). False once the reader has enough.
class BlockWriter {
 public:
  explicit BlockWriter(CommandIo& io) : io_(io) {}
  ~BlockWriter() { Flush(); }
  BlockWriter(const BlockWriter&) = delete;
  BlockWriter& operator=(const BlockWriter&) = delete;
  void Add(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() >= kBlock) Flush();
  }
  void Add(char c) {
    buffer_.push_back(c);
    if (buffer_.size() >= kBlock) Flush();
  }
  void Flush() {
    if (buffer_.empty()) return;
    io_.out += buffer_;
    buffer_.clear();
  }
  bool Enough() const { return io_.OutputEnough(); }

 private:
  static constexpr size_t kBlock = 64 * 1024;
  CommandIo& io_;
  std::string buffer_;
};

// Writes `bytes` to the file `name` as a program's `open(O_CREAT|O_TRUNC)`
// would; false (message printed, status set) on failure; io.unsupported
// set when the write belongs to another tier.
bool WriteOutputFile(CommandEnv& env, CommandIo& io, const std::string& program,
                     const std::string& name, std::string_view bytes, const std::string& prefix,
                     int status) {
  if (env.Resolve(name).where == ResolvedPath::Where::kDevNull) return true;
  wfs::Fs fs(env, io);
  wfs::Loc loc;
  if (!fs.Resolve(name, program, &loc, io)) return false;
  int err = fs.WriteFile(loc, bytes, 0666 & ~wfs::kUmask);
  if (!io.unsupported.empty()) return false;
  if (err != 0) {
    io.err +=
        program + ": " + prefix + QuoteShell(name, false) + ": " + wfs::ErrnoMessage(err) + "\n";
    io.status = status;
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- sort

enum SortOptionId {
  kSortBlanks,
  kSortCheck,
  kSortCheckQuiet,
  kSortCompress,
  kSortDebug,
  kSortDictionary,
  kSortFold,
  kSortFiles0,
  kSortGeneral,
  kSortIgnoreNonprinting,
  kSortKey,
  kSortMerge,
  kSortMonth,
  kSortNumeric,
  kSortHuman,
  kSortVersion,
  kSortRandom,
  kSortRandomSource,
  kSortSortWord,
  kSortOutput,
  kSortReverse,
  kSortStable,
  kSortBufferSize,
  kSortSeparator,
  kSortTempDir,
  kSortUnique,
  kSortZero,
  kSortParallel,
  kSortBatchSize,
  kSortHelp,
  kSortVersionInfo,
  kSortObsoleteY,
};

// GNU sort 9.1's options ("-bcCdfghik:mMno:rRsS:t:T:uVy:z" and the long
// names, so that abbreviations resolve as getopt_long resolves them).
// --check[=WORD] takes an optional argument, which ParseOptions lacks:
// it is rewritten before parsing (see NormalizeSortArgs).
const std::vector<OptionSpec> kSortOptions = {
    {'b', "ignore-leading-blanks", false, kSortBlanks},
    {'c', nullptr, false, kSortCheck},
    {'\0', "check", false, kSortCheck},
    {'C', nullptr, false, kSortCheckQuiet},
    {'\0', "compress-program", true, kSortCompress},
    {'\0', "debug", false, kSortDebug},
    {'d', "dictionary-order", false, kSortDictionary},
    {'f', "ignore-case", false, kSortFold},
    {'\0', "files0-from", true, kSortFiles0},
    {'g', "general-numeric-sort", false, kSortGeneral},
    {'i', "ignore-nonprinting", false, kSortIgnoreNonprinting},
    {'k', "key", true, kSortKey},
    {'m', "merge", false, kSortMerge},
    {'M', "month-sort", false, kSortMonth},
    {'n', "numeric-sort", false, kSortNumeric},
    {'h', "human-numeric-sort", false, kSortHuman},
    {'V', "version-sort", false, kSortVersion},
    {'R', "random-sort", false, kSortRandom},
    {'\0', "random-source", true, kSortRandomSource},
    {'\0', "sort", true, kSortSortWord},
    {'o', "output", true, kSortOutput},
    {'r', "reverse", false, kSortReverse},
    {'s', "stable", false, kSortStable},
    {'S', "buffer-size", true, kSortBufferSize},
    {'t', "field-separator", true, kSortSeparator},
    {'T', "temporary-directory", true, kSortTempDir},
    {'u', "unique", false, kSortUnique},
    {'z', "zero-terminated", false, kSortZero},
    {'\0', "parallel", true, kSortParallel},
    {'\0', "batch-size", true, kSortBatchSize},
    {'\0', "help", false, kSortHelp},
    {'\0', "version", false, kSortVersionInfo},
    {'y', nullptr, true, kSortObsoleteY},
};

enum class Ignore { kNone, kNonDictionary, kNonPrinting };

// A key as GNU keeps it: zero-based start field and character, end field
// and character (echar 0 = the whole end field); SIZE_MAX fields mean the
// line's start / end.
struct SortKey {
  size_t sword = SIZE_MAX, schar = 0;
  size_t eword = SIZE_MAX, echar = 0;
  bool skipsblanks = false, skipeblanks = false;
  Ignore ignore = Ignore::kNone;
  bool translate = false;
  bool numeric = false, general = false, human = false, month = false, version = false;
  bool random = false, reverse = false;

  // default_key_compare: no ordering option besides -r.
  bool DefaultCompare() const {
    return ignore == Ignore::kNone && !translate && !skipsblanks && !skipeblanks && !numeric &&
           !general && !human && !month && !version && !random;
  }
  // key_to_opts.
  std::string Opts() const {
    std::string o;
    if (skipsblanks || skipeblanks) o += 'b';
    if (ignore == Ignore::kNonDictionary) o += 'd';
    if (translate) o += 'f';
    if (general) o += 'g';
    if (human) o += 'h';
    if (ignore == Ignore::kNonPrinting) o += 'i';
    if (month) o += 'M';
    if (numeric) o += 'n';
    if (random) o += 'R';
    if (reverse) o += 'r';
    if (version) o += 'V';
    return o;
  }
};

// set_ordering: the flags of `s` (from `pos`) into `key`; returns where
// they stop. `blanks` is 0 for both ends, 1 for the start, 2 for the end.
size_t SetOrdering(std::string_view s, size_t pos, SortKey* key, int blanks) {
  for (; pos < s.size(); ++pos) {
    switch (s[pos]) {
      case 'b':
        if (blanks != 2) key->skipsblanks = true;
        if (blanks != 1) key->skipeblanks = true;
        break;
      case 'd':
        key->ignore = Ignore::kNonDictionary;
        break;
      case 'f':
        key->translate = true;
        break;
      case 'g':
        key->general = true;
        break;
      case 'h':
        key->human = true;
        break;
      case 'i':
        if (key->ignore == Ignore::kNone) key->ignore = Ignore::kNonPrinting;
        break;
      case 'M':
        key->month = true;
        break;
      case 'n':
        key->numeric = true;
        break;
      case 'R':
        key->random = true;
        break;
      case 'r':
        key->reverse = true;
        break;
      case 'V':
        key->version = true;
        break;
      default:
        return pos;
    }
  }
  return pos;
}

struct SortSettings {
  std::vector<SortKey> keys;
  int tab = -1;  // -1: blank-separated fields
  char eol = '\n';
  bool unique = false, stable = false, reverse = false;
  const ToolLocale* locale = nullptr;
};

struct SortLine {
  std::string_view text;
  // The first key's extent, computed once (GNU's keybeg / keylim).
  const char* keybeg = nullptr;
  const char* keylim = nullptr;
};

// begfield.
const char* BeginField(std::string_view line, const SortKey& key, const SortSettings& s) {
  const char* ptr = line.data();
  const char* lim = ptr + line.size();
  size_t sword = key.sword;
  const ToolLocale& loc = *s.locale;
  if (s.tab != -1) {
    while (ptr < lim && sword--) {
      while (ptr < lim && *ptr != static_cast<char>(s.tab)) ++ptr;
      if (ptr < lim) ++ptr;
    }
  } else {
    while (ptr < lim && sword--) {
      while (ptr < lim && loc.blank(*ptr)) ++ptr;
      while (ptr < lim && !loc.blank(*ptr)) ++ptr;
    }
  }
  if (key.skipsblanks) {
    while (ptr < lim && loc.blank(*ptr)) ++ptr;
  }
  return ptr + std::min<size_t>(static_cast<size_t>(lim - ptr), key.schar);
}

// limfield (POSIX_UNSPECIFIED off, as GNU builds it).
const char* LimitField(std::string_view line, const SortKey& key, const SortSettings& s) {
  const char* ptr = line.data();
  const char* lim = ptr + line.size();
  size_t eword = key.eword, echar = key.echar;
  const ToolLocale& loc = *s.locale;
  if (echar == 0) ++eword;
  if (s.tab != -1) {
    while (ptr < lim && eword--) {
      while (ptr < lim && *ptr != static_cast<char>(s.tab)) ++ptr;
      if (ptr < lim && (eword || echar)) ++ptr;
    }
  } else {
    while (ptr < lim && eword--) {
      while (ptr < lim && loc.blank(*ptr)) ++ptr;
      while (ptr < lim && !loc.blank(*ptr)) ++ptr;
    }
  }
  if (echar != 0) {
    if (key.skipeblanks) {
      while (ptr < lim && loc.blank(*ptr)) ++ptr;
    }
    ptr += std::min<size_t>(static_cast<size_t>(lim - ptr), echar);
  }
  return ptr;
}

void KeyExtent(std::string_view line, const SortKey& key, const SortSettings& s, const char** beg,
               const char** lim) {
  *lim = key.eword == SIZE_MAX ? line.data() + line.size() : LimitField(line, key, s);
  if (key.sword != SIZE_MAX) {
    *beg = BeginField(line, key, s);
  } else {
    const char* p = line.data();
    if (key.skipsblanks) {
      // GNU skips blanks up to the line's terminator here, not to the
      // key's limit.
      const char* end = line.data() + line.size();
      while (p < end && s.locale->blank(*p)) ++p;
    }
    *beg = p;
  }
}

// strnumcmp's reading of a number: '-', digits (thousands separators
// skipped), a decimal point and digits. Leading zeros dropped, trailing
// fraction zeros dropped.
struct ParsedNumber {
  bool negative = false;
  std::string integer;
  std::string fraction;
};

ParsedNumber ParseSortNumber(std::string_view s, char decimal_point, int thousands_sep) {
  ParsedNumber n;
  size_t i = 0;
  auto at = [&](size_t k) -> int { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0; };
  auto digit = [](int c) { return c >= '0' && c <= '9'; };
  if (at(i) == '-') {
    n.negative = true;
    ++i;
  }
  while (at(i) == '0' || (thousands_sep >= 0 && at(i) == thousands_sep)) ++i;
  while (digit(at(i))) {
    n.integer += static_cast<char>(at(i));
    ++i;
    while (thousands_sep >= 0 && at(i) == thousands_sep) ++i;
  }
  if (at(i) == static_cast<unsigned char>(decimal_point)) {
    ++i;
    while (digit(at(i))) n.fraction += static_cast<char>(at(i++));
    while (!n.fraction.empty() && n.fraction.back() == '0') n.fraction.pop_back();
  }
  if (n.integer.empty() && n.fraction.empty()) n.negative = false;  // -0 == 0
  return n;
}

int CompareParsed(const ParsedNumber& a, const ParsedNumber& b) {
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  int magnitude;
  if (a.integer.size() != b.integer.size()) {
    magnitude = a.integer.size() < b.integer.size() ? -1 : 1;
  } else if (int c = a.integer.compare(b.integer); c != 0) {
    magnitude = c < 0 ? -1 : 1;
  } else {
    int f = a.fraction.compare(b.fraction);
    magnitude = f < 0 ? -1 : (f > 0 ? 1 : 0);
  }
  return a.negative ? -magnitude : magnitude;
}

std::string_view SkipBlanks(std::string_view s, const ToolLocale& loc) {
  size_t i = 0;
  while (i < s.size() && loc.blank(s[i])) ++i;
  return s.substr(i);
}

int NumericCompare(std::string_view a, std::string_view b, const ToolLocale& loc) {
  return CompareParsed(
      ParseSortNumber(SkipBlanks(a, loc), loc.decimal_point(), loc.thousands_sep()),
      ParseSortNumber(SkipBlanks(b, loc), loc.decimal_point(), loc.thousands_sep()));
}

// find_unit_order: the SI letter after a nonzero number (negative for a
// negative number), 0 otherwise.
int UnitOrder(std::string_view s, const ToolLocale& loc) {
  size_t i = 0;
  auto at = [&](size_t k) -> int { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0; };
  bool negative = at(0) == '-';
  if (negative) ++i;
  int max_digit = 0;
  bool ends_with_sep = false;
  int c;
  while ((c = at(i++)) >= '0' && c <= '9') {
    max_digit = std::max(max_digit, c);
    ends_with_sep = loc.thousands_sep() >= 0 && at(i) == loc.thousands_sep();
    if (ends_with_sep) ++i;
  }
  size_t end;
  if (ends_with_sep) {
    end = i - 2;
  } else {
    if (c == static_cast<unsigned char>(loc.decimal_point())) {
      while ((c = at(i++)) >= '0' && c <= '9') max_digit = std::max(max_digit, c);
    }
    end = i - 1;
  }
  if (max_digit <= '0') return 0;
  static constexpr std::string_view kUnits = "KMGTPEZY";
  int unit = at(end);
  size_t order = unit == 'k' ? 0 : kUnits.find(static_cast<char>(unit));
  int value = order == std::string_view::npos ? 0 : static_cast<int>(order) + 1;
  return negative ? -value : value;
}

int HumanCompare(std::string_view a, std::string_view b, const ToolLocale& loc) {
  a = SkipBlanks(a, loc);
  b = SkipBlanks(b, loc);
  int diff = UnitOrder(a, loc) - UnitOrder(b, loc);
  return diff != 0 ? diff : NumericCompare(a, b, loc);
}

// general_numcompare: strtold, conversion failures first, then NaNs (by
// their bits), then numbers.
int GeneralCompare(std::string_view a, std::string_view b, const ToolLocale& loc) {
  std::string sa(a), sb(b);
  auto convert = [&](const std::string& s, char** end) {
    long double v;
    std::memset(&v, 0, sizeof v);
    v = loc.handle() != static_cast<locale_t>(0) ? strtold_l(s.c_str(), end, loc.handle())
                                                 : std::strtold(s.c_str(), end);
    return v;
  };
  char* ea;
  char* eb;
  long double x = convert(sa, &ea);
  long double y = convert(sb, &eb);
  if (ea == sa.c_str()) return eb == sb.c_str() ? 0 : -1;
  if (eb == sb.c_str()) return 1;
  if (x < y) return -1;
  if (x > y) return 1;
  if (x == y) return 0;
  if (y == y) return -1;  // x is NaN
  if (x == x) return 1;   // y is NaN
  return std::memcmp(&x, &y, sizeof x);
}

int MonthOf(std::string_view s, const ToolLocale& loc) {
  s = SkipBlanks(s, loc);
  for (int m = 0; m < 12; ++m) {
    const std::string& name = loc.month(m);
    if (name.empty() || s.size() < name.size()) continue;
    bool match = true;
    for (size_t i = 0; i < name.size() && match; ++i) {
      match = loc.toupper(s[i]) == static_cast<unsigned char>(name[i]);
    }
    if (match) return m + 1;
  }
  return 0;
}

// gnulib's filenvercmp (coreutils 9.1): Debian version comparison after
// splitting off a file suffix.
bool CIsDigit(char c) { return c >= '0' && c <= '9'; }
bool CIsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The length of `s` without its suffix (\.[A-Za-z~][A-Za-z0-9~]*)*$.
size_t VersionPrefixLength(std::string_view s) {
  size_t n = s.size();
  for (size_t i = 0;; ++i) {
    size_t prefix = i;
    while (i + 1 < n && s[i] == '.' && (CIsAlpha(s[i + 1]) || s[i + 1] == '~')) {
      for (i += 2; i < n && (CIsAlpha(s[i]) || CIsDigit(s[i]) || s[i] == '~'); ++i) {
      }
    }
    if (i >= n) return prefix;
  }
}

int VersionOrder(std::string_view s, size_t pos) {
  if (pos == s.size()) return -1;
  unsigned char c = static_cast<unsigned char>(s[pos]);
  if (CIsDigit(static_cast<char>(c))) return 0;
  if (CIsAlpha(static_cast<char>(c))) return c;
  if (c == '~') return -2;
  return c + 256;
}

int VersionRevCompare(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !CIsDigit(a[i])) || (j < b.size() && !CIsDigit(b[j]))) {
      int ca = VersionOrder(a, i), cb = VersionOrder(b, j);
      if (ca != cb) return ca - cb;
      ++i;
      ++j;
    }
    while (i < a.size() && a[i] == '0') ++i;
    while (j < b.size() && b[j] == '0') ++j;
    while (i < a.size() && j < b.size() && CIsDigit(a[i]) && CIsDigit(b[j])) {
      if (first_diff == 0) first_diff = a[i] - b[j];
      ++i;
      ++j;
    }
    if (i < a.size() && CIsDigit(a[i])) return 1;
    if (j < b.size() && CIsDigit(b[j])) return -1;
    if (first_diff != 0) return first_diff;
  }
  return 0;
}

int VersionCompare(std::string_view a, std::string_view b) {
  if (a.empty()) return -!b.empty();
  if (b.empty()) return 1;
  if (a[0] == '.') {
    if (b[0] != '.') return -1;
    bool adot = a.size() == 1, bdot = b.size() == 1;
    if (adot) return -!bdot;
    if (bdot) return 1;
    bool adotdot = a[1] == '.' && a.size() == 2;
    bool bdotdot = b[1] == '.' && b.size() == 2;
    if (adotdot) return -!bdotdot;
    if (bdotdot) return 1;
  } else if (b[0] == '.') {
    return 1;
  }
  size_t pa = VersionPrefixLength(a), pb = VersionPrefixLength(b);
  bool one_pass = pa == a.size() && pb == b.size();
  int result = VersionRevCompare(a.substr(0, pa), b.substr(0, pb));
  return result != 0 || one_pass ? result : VersionRevCompare(a, b);
}

// The key text with -d/-i characters dropped and -f folding applied.
std::string Transform(std::string_view text, const SortKey& key, const ToolLocale& loc) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (key.ignore == Ignore::kNonDictionary && loc.nondictionary(c)) continue;
    if (key.ignore == Ignore::kNonPrinting && loc.nonprinting(c)) continue;
    out.push_back(key.translate ? static_cast<char>(loc.toupper(c)) : c);
  }
  return out;
}

// keycompare for one key's texts (before -r).
int CompareKeyTexts(std::string_view a, std::string_view b, const SortKey& key,
                    const ToolLocale& loc) {
  std::string ta, tb;
  if (key.ignore != Ignore::kNone || key.translate) {
    ta = Transform(a, key, loc);
    tb = Transform(b, key, loc);
    a = ta;
    b = tb;
  }
  if (key.numeric) return NumericCompare(a, b, loc);
  if (key.general) return GeneralCompare(a, b, loc);
  if (key.human) return HumanCompare(a, b, loc);
  if (key.month) return MonthOf(a, loc) - MonthOf(b, loc);
  if (key.version) return VersionCompare(a, b);
  if (a.empty()) return -!b.empty();
  if (b.empty()) return 1;
  return loc.Collate(a, b);
}

int KeyCompare(const SortLine& a, const SortLine& b, const SortSettings& s) {
  const char* texta = a.keybeg;
  const char* textb = b.keybeg;
  const char* lima = a.keylim;
  const char* limb = b.keylim;
  for (size_t k = 0;; ++k) {
    const SortKey& key = s.keys[k];
    lima = std::max(texta, lima);
    limb = std::max(textb, limb);
    int diff =
        CompareKeyTexts(std::string_view(texta, static_cast<size_t>(lima - texta)),
                        std::string_view(textb, static_cast<size_t>(limb - textb)), key, *s.locale);
    if (diff != 0) return key.reverse ? -diff : diff;
    if (k + 1 == s.keys.size()) return 0;
    KeyExtent(a.text, s.keys[k + 1], s, &texta, &lima);
    KeyExtent(b.text, s.keys[k + 1], s, &textb, &limb);
  }
}

// compare(): the keys, then (without -s and -u) the whole line.
int SortCompare(const SortLine& a, const SortLine& b, const SortSettings& s) {
  if (!s.keys.empty()) {
    int diff = KeyCompare(a, b, s);
    if (diff != 0 || s.unique || s.stable) return diff;
  }
  int diff;
  if (a.text.empty()) {
    diff = -!b.text.empty();
  } else if (b.text.empty()) {
    diff = 1;
  } else {
    diff = s.locale->Collate(a.text, b.text);
  }
  return s.reverse ? -diff : diff;
}

// The most sort reads: past it the command is refused rather than held
// in memory.
constexpr uint64_t kSortBudget = 256ull << 20;

// xstrtoumax's reading of a count at the start of `s` (blanks and '+'
// allowed, no '-'): false when there are no digits. Overflow saturates.
bool ParseCount(std::string_view s, size_t* pos, size_t* value) {
  size_t i = *pos;
  while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) ++i;
  if (i < s.size() && s[i] == '-') return false;
  if (i < s.size() && s[i] == '+') ++i;
  if (i >= s.size() || !CIsDigit(s[i])) return false;
  size_t v = 0;
  for (; i < s.size() && CIsDigit(s[i]); ++i) {
    size_t d = static_cast<size_t>(s[i] - '0');
    v = v > (SIZE_MAX - d) / 10 ? SIZE_MAX : v * 10 + d;
  }
  *pos = i;
  *value = v;
  return true;
}

// Rewrites --check=WORD and --sort=WORD into short options (their
// arguments select a letter), leaving the rest to ParseOptions. Returns
// false with a message or io.unsupported set.
bool NormalizeSortArgs(const std::vector<std::string>& argv, std::vector<std::string>* out,
                       CommandIo& io) {
  const std::string& prog = argv[0];
  out->push_back(prog);
  // Long names that begin like "check" or "sort" only.
  auto is_prefix = [](std::string_view name, std::string_view full, size_t min) {
    return name.size() >= min && full.substr(0, name.size()) == name;
  };
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word == "--") {
      for (; i < argv.size(); ++i) out->push_back(argv[i]);
      break;
    }
    if (word.rfind("--", 0) != 0) {
      out->push_back(word);
      continue;
    }
    std::string_view body = std::string_view(word).substr(2);
    size_t eq = body.find('=');
    std::string_view name = body.substr(0, eq);
    // "--ch" is the shortest unambiguous "--check" (--compress-program).
    if (is_prefix(name, "check", 2) && eq != std::string_view::npos) {
      std::string_view value = body.substr(eq + 1);
      static constexpr std::pair<std::string_view, char> kChecks[] = {
          {"quiet", 'C'}, {"silent", 'C'}, {"diagnose-first", 'c'}};
      char letter = 0;
      int found = 0;
      for (const auto& [text, c] : kChecks) {
        if (text == value) {
          letter = c;
          found = 1;
          break;
        }
        if (!value.empty() && text.substr(0, value.size()) == value) {
          if (letter != c) ++found;
          letter = c;
        }
      }
      if (found != 1) {
        io.unsupported = prog + " " + word;
        return false;
      }
      out->push_back(std::string("-") + letter);
      continue;
    }
    if (is_prefix(name, "sort", 3)) {
      std::string value;
      if (eq != std::string_view::npos) {
        value = std::string(body.substr(eq + 1));
      } else if (i + 1 < argv.size()) {
        value = argv[++i];
      } else {
        out->push_back(word);  // ParseOptions reports the missing argument
        continue;
      }
      static constexpr std::pair<std::string_view, char> kSorts[] = {
          {"general-numeric", 'g'}, {"human-numeric", 'h'}, {"month", 'M'},
          {"numeric", 'n'},         {"random", 'R'},        {"version", 'V'}};
      char letter = 0;
      int found = 0;
      for (const auto& [text, c] : kSorts) {
        if (text == value) {
          letter = c;
          found = 1;
          break;
        }
        if (!value.empty() && text.substr(0, value.size()) == value) {
          ++found;
          letter = c;
        }
      }
      if (found != 1) {
        io.unsupported = prog + " --sort=" + value;
        return false;
      }
      out->push_back(std::string("-") + letter);
      continue;
    }
    out->push_back(word);
  }
  return true;
}

bool ValidBufferSize(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && CIsDigit(s[i])) ++i;
  if (i == 0) return false;
  if (i == s.size()) return true;
  if (i + 1 != s.size()) return false;
  return std::string_view("%bKkMGTPEZY").find(s[i]) != std::string_view::npos;
}

class Sort {
 public:
  Sort(CommandEnv& env, CommandIo& io, const std::string& prog) : env_(env), io_(io), prog_(prog) {}
  void Run(const std::vector<std::string>& argv);

 private:
  void Die(const std::string& message) {
    io_.err += prog_ + ": " + message + "\n";
    io_.status = 2;
  }
  bool ParseKey(const std::string& spec, SortKey* key);
  // Reads the operands whole into files_; false when finished.
  bool ReadAll(const std::vector<std::string>& operands);
  void Emit(const std::vector<SortLine>& lines, const std::string* outfile);
  bool Check(const std::string& operand, char mode);

  CommandEnv& env_;
  CommandIo& io_;
  const std::string& prog_;
  SortSettings settings_;
  std::vector<std::unique_ptr<InputFile>> files_;
  std::vector<std::string_view> contents_;
};

bool Sort::ParseKey(const std::string& spec, SortKey* key) {
  auto bad = [&](const char* why) {
    Die(std::string(why) + ": invalid field specification " + QuoteForCommand(env_, spec));
    return false;
  };
  auto bad_count = [&](const char* why, size_t at) {
    Die(std::string(why) + ": invalid count at start of " + QuoteForCommand(env_, spec.substr(at)));
    return false;
  };
  size_t pos = 0;
  if (!ParseCount(spec, &pos, &key->sword)) return bad_count("invalid number at field start", 0);
  if (key->sword-- == 0) return bad("field number is zero");
  if (pos < spec.size() && spec[pos] == '.') {
    size_t at = ++pos;
    if (!ParseCount(spec, &pos, &key->schar)) return bad_count("invalid number after '.'", at);
    if (key->schar-- == 0) return bad("character offset is zero");
  }
  if (key->sword == 0 && key->schar == 0) key->sword = SIZE_MAX;
  pos = SetOrdering(spec, pos, key, 1);
  if (pos >= spec.size() || spec[pos] != ',') {
    key->eword = SIZE_MAX;
    key->echar = 0;
  } else {
    size_t at = ++pos;
    if (!ParseCount(spec, &pos, &key->eword)) return bad_count("invalid number after ','", at);
    if (key->eword-- == 0) return bad("field number is zero");
    if (pos < spec.size() && spec[pos] == '.') {
      at = ++pos;
      if (!ParseCount(spec, &pos, &key->echar)) return bad_count("invalid number after '.'", at);
    }
    pos = SetOrdering(spec, pos, key, 2);
  }
  if (pos != spec.size()) return bad("stray character in field spec");
  return true;
}

bool Sort::ReadAll(const std::vector<std::string>& operands) {
  // check_inputs: every file must be readable before anything is read.
  files_.clear();
  for (const std::string& operand : operands) {
    auto file = std::make_unique<InputFile>();
    InputFile::Open open =
        operand == "-" ? InputFile::Open::kOk : file->OpenOperand(env_, io_, prog_, operand);
    if (open == InputFile::Open::kRefused) return false;
    if (open == InputFile::Open::kError) {
      Die("cannot read: " + QuoteShell(operand, false) + ": " + ErrnoText(file->error()));
      return false;
    }
    files_.push_back(open == InputFile::Open::kDirectory ? nullptr : std::move(file));
  }
  uint64_t total = 0;
  bool stdin_read = false;
  for (size_t i = 0; i < operands.size(); ++i) {
    if (operands[i] == "-") {
      // Standard input is read once; a second "-" finds it at its end.
      contents_.push_back(stdin_read ? std::string_view() : io_.stdin_data);
      stdin_read = true;
    } else if (files_[i] == nullptr) {
      Die("read failed: " + QuoteShell(operands[i], false) + ": Is a directory");
      return false;
    } else {
      if (!files_[i]->ReadAll()) {
        Die("read failed: " + QuoteShell(operands[i], false) + ": " +
            ErrnoText(files_[i]->error()));
        return false;
      }
      contents_.push_back(files_[i]->data());
    }
    total += contents_.back().size();
    if (total > kSortBudget) {
      io_.unsupported = "sort of more than 256 MiB";
      return false;
    }
  }
  return true;
}

void Sort::Emit(const std::vector<SortLine>& lines, const std::string* outfile) {
  const bool unique = settings_.unique;
  if (outfile != nullptr) {
    std::string out;
    const SortLine* saved = nullptr;
    for (const SortLine& line : lines) {
      if (unique && saved != nullptr && SortCompare(*saved, line, settings_) == 0) continue;
      saved = &line;
      out.append(line.text);
      out.push_back(settings_.eol);
    }
    WriteOutputFile(env_, io_, prog_, *outfile, out, "open failed: ", 2);
    return;
  }
  BlockWriter writer(io_);
  const SortLine* saved = nullptr;
  for (const SortLine& line : lines) {
    if (unique && saved != nullptr && SortCompare(*saved, line, settings_) == 0) continue;
    saved = &line;
    writer.Add(line.text);
    writer.Add(settings_.eol);
    if (writer.Enough()) break;
  }
}

// check(): -c prints the first disorder, -C only sets the status.
bool Sort::Check(const std::string& operand, char mode) {
  std::string_view data;
  InputFile file;
  if (operand != "-") {
    InputFile::Open open = file.OpenOperand(env_, io_, prog_, operand);
    if (open == InputFile::Open::kRefused) return false;
    if (open == InputFile::Open::kError) {
      Die("open failed: " + QuoteShell(operand, false) + ": " + ErrnoText(file.error()));
      return false;
    }
    if (open == InputFile::Open::kDirectory) {
      Die("read failed: " + QuoteShell(operand, false) + ": Is a directory");
      return false;
    }
    if (!file.ReadAll()) {
      Die("read failed: " + QuoteShell(operand, false) + ": " + ErrnoText(file.error()));
      return false;
    }
    data = file.data();
  } else {
    data = io_.stdin_data;
  }
  if (data.size() > kSortBudget) {
    io_.unsupported = "sort of more than 256 MiB";
    return false;
  }
  std::vector<std::string_view> texts;
  SplitInto(data, settings_.eol, &texts);
  SortLine prev;
  for (size_t i = 0; i < texts.size(); ++i) {
    SortLine line{texts[i]};
    if (!settings_.keys.empty())
      KeyExtent(line.text, settings_.keys[0], settings_, &line.keybeg, &line.keylim);
    if (i > 0 && (settings_.unique ? 0 : 1) <= SortCompare(prev, line, settings_)) {
      if (mode == 'c') {
        io_.err += prog_ + ": " + operand + ":" + std::to_string(i + 1) + ": disorder: ";
        io_.err += line.text;
        io_.err += settings_.eol;
      }
      io_.status = 1;
      return true;
    }
    prev = line;
  }
  return true;
}

void Sort::Run(const std::vector<std::string>& raw_argv) {
  std::vector<std::string> argv;
  if (!NormalizeSortArgs(raw_argv, &argv, io_)) return;
  ParsedArgs args = ParseOptions(argv, 1, kSortOptions);
  // Obsolete "+POS1 -POS2" keys (the traditional form) are not served.
  for (size_t i = 1; i + 1 < argv.size(); ++i) {
    if (argv[i].size() > 1 && argv[i][0] == '+' && argv[i + 1].size() > 1 &&
        argv[i + 1][0] == '-' && CIsDigit(argv[i + 1][1])) {
      io_.unsupported = "sort +POS -POS";
      return;
    }
  }
  SortKey gkey;
  gkey.sword = SIZE_MAX;
  char checkonly = 0;
  bool merge = false;
  std::optional<std::string> outfile;
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kSortBlanks:
      case kSortDictionary:
      case kSortFold:
      case kSortGeneral:
      case kSortIgnoreNonprinting:
      case kSortMonth:
      case kSortNumeric:
      case kSortHuman:
      case kSortVersion:
      case kSortReverse: {
        static constexpr std::pair<int, char> kLetters[] = {{kSortBlanks, 'b'},
                                                            {kSortDictionary, 'd'},
                                                            {kSortFold, 'f'},
                                                            {kSortGeneral, 'g'},
                                                            {kSortIgnoreNonprinting, 'i'},
                                                            {kSortMonth, 'M'},
                                                            {kSortNumeric, 'n'},
                                                            {kSortHuman, 'h'},
                                                            {kSortVersion, 'V'},
                                                            {kSortReverse, 'r'}};
        for (const auto& [id, letter] : kLetters) {
          if (id == o.id) SetOrdering(std::string(1, letter), 0, &gkey, 0);
        }
        break;
      }
      case kSortRandom:
      case kSortRandomSource:
        io_.unsupported = "sort -R (random order)";
        return;
      case kSortCheck:
      case kSortCheckQuiet: {
        char c = o.id == kSortCheck ? 'c' : 'C';
        if (checkonly != 0 && checkonly != c) {
          Die("options '-cC' are incompatible");
          return;
        }
        checkonly = c;
        break;
      }
      case kSortCompress:
        break;  // only temporary files would be compressed
      case kSortDebug:
        io_.unsupported = "sort --debug";
        return;
      case kSortFiles0:
        io_.unsupported = "sort --files0-from";
        return;
      case kSortKey: {
        SortKey key;
        if (!ParseKey(o.argument, &key)) return;
        settings_.keys.push_back(key);
        break;
      }
      case kSortMerge:
        merge = true;
        break;
      case kSortOutput:
        if (outfile && *outfile != o.argument) {
          Die("multiple output files specified");
          return;
        }
        outfile = o.argument;
        break;
      case kSortStable:
        settings_.stable = true;
        break;
      case kSortBufferSize:
        if (!ValidBufferSize(o.argument)) {
          io_.unsupported = "sort -S " + o.argument;
          return;
        }
        break;
      case kSortSeparator: {
        if (o.argument.empty()) {
          Die("empty tab");
          return;
        }
        int tab = static_cast<unsigned char>(o.argument[0]);
        if (o.argument.size() > 1) {
          if (o.argument != "\\0") {
            Die("multi-character tab " + QuoteForCommand(env_, o.argument));
            return;
          }
          tab = 0;
        }
        if (settings_.tab != -1 && settings_.tab != tab) {
          Die("incompatible tabs");
          return;
        }
        settings_.tab = tab;
        break;
      }
      case kSortTempDir:
        break;  // GNU's output does not depend on where its temporaries go
      case kSortParallel:
      case kSortBatchSize: {
        size_t pos = 0, value = 0;
        if (!ParseCount(o.argument, &pos, &value) || pos != o.argument.size() || value == 0 ||
            (o.id == kSortBatchSize && value < 2)) {
          io_.unsupported = "sort " + o.spelling + "=" + o.argument;
          return;
        }
        break;
      }
      case kSortUnique:
        settings_.unique = true;
        break;
      case kSortZero:
        settings_.eol = '\0';
        break;
      default:
        io_.unsupported = "sort " + o.spelling;
        return;
    }
  }
  if (!args.unsupported.empty()) {
    ReportOptionError(prog_, args, kSortOptions, 2, io_);
    return;
  }
  ToolLocale locale(env_);
  settings_.locale = &locale;
  // Keys without ordering options of their own inherit the global ones.
  for (SortKey& key : settings_.keys) {
    if (key.DefaultCompare() && !key.reverse) {
      key.ignore = gkey.ignore;
      key.translate = gkey.translate;
      key.skipsblanks = gkey.skipsblanks;
      key.skipeblanks = gkey.skipeblanks;
      key.month = gkey.month;
      key.numeric = gkey.numeric;
      key.general = gkey.general;
      key.human = gkey.human;
      key.version = gkey.version;
      key.random = gkey.random;
      key.reverse = gkey.reverse;
    }
  }
  if (settings_.keys.empty() && !gkey.DefaultCompare()) settings_.keys.push_back(gkey);
  for (SortKey key : settings_.keys) {
    int orderings = key.numeric + key.general + key.human + key.month +
                    (key.version || key.random || key.ignore != Ignore::kNone);
    if (orderings > 1) {
      key.skipsblanks = key.skipeblanks = key.reverse = false;
      Die("options '-" + key.Opts() + "' are incompatible");
      return;
    }
  }
  settings_.reverse = gkey.reverse;

  std::vector<std::string> operands = args.operands;
  if (operands.empty()) operands.push_back("-");
  if (checkonly != 0) {
    if (operands.size() > 1) {
      Die("extra operand " + QuoteShell(operands[1], true) + " not allowed with -" +
          std::string(1, checkonly));
      return;
    }
    if (outfile) {
      Die(std::string("options '-") + checkonly + "o' are incompatible");
      return;
    }
    Check(operands[0], checkonly);
    return;
  }
  if (merge && operands.size() > 16) {
    // GNU merges 16 inputs at a time through temporary files: the same
    // result only for sorted inputs.
    io_.unsupported = "sort -m of more than 16 files";
    return;
  }
  // check_inputs, then check_output (which creates the output file
  // without truncating it), then the reads.
  files_.clear();
  for (const std::string& operand : operands) {
    if (operand == "-") continue;
    InputFile probe;
    InputFile::Open open = probe.OpenOperand(env_, io_, prog_, operand);
    if (open == InputFile::Open::kRefused) return;
    if (open == InputFile::Open::kError) {
      Die("cannot read: " + QuoteShell(operand, false) + ": " + ErrnoText(probe.error()));
      return;
    }
  }
  if (outfile && env_.Resolve(*outfile).where != ResolvedPath::Where::kDevNull) {
    wfs::Fs fs(env_, io_);
    wfs::Loc loc;
    if (!fs.Resolve(*outfile, prog_, &loc, io_)) return;
    wfs::Node node;
    int err = fs.Stat(loc, &node);
    if (err == 0 && node.kind == wfs::Kind::kDir) err = EISDIR;
    if (err == ENOENT) err = fs.WriteFile(loc, "", 0666 & ~wfs::kUmask);
    if (!io_.unsupported.empty()) return;
    if (err != 0) {
      Die("open failed: " + QuoteShell(*outfile, false) + ": " + wfs::ErrnoMessage(err));
      return;
    }
  }
  if (!ReadAll(operands)) return;

  std::vector<SortLine> lines;
  std::vector<size_t> file_starts;  // -m: where each input's lines begin
  for (std::string_view content : contents_) {
    file_starts.push_back(lines.size());
    std::vector<std::string_view> texts;
    SplitInto(content, settings_.eol, &texts);
    for (std::string_view t : texts) lines.push_back(SortLine{t});
  }
  file_starts.push_back(lines.size());
  if (!settings_.keys.empty()) {
    for (SortLine& line : lines) {
      KeyExtent(line.text, settings_.keys[0], settings_, &line.keybeg, &line.keylim);
    }
  }
  auto less = [&](const SortLine& a, const SortLine& b) {
    return SortCompare(a, b, settings_) < 0;
  };
  if (!merge) {
    std::stable_sort(lines.begin(), lines.end(), less);
    Emit(lines, outfile ? &*outfile : nullptr);
    return;
  }
  // mergefps: the smallest current line of all inputs, ties to the
  // earlier input, whatever order each input is in.
  std::vector<SortLine> merged;
  merged.reserve(lines.size());
  std::vector<size_t> cursor(file_starts.begin(), file_starts.end() - 1);
  while (true) {
    size_t best = SIZE_MAX;
    for (size_t f = 0; f < cursor.size(); ++f) {
      if (cursor[f] == file_starts[f + 1]) continue;
      if (best == SIZE_MAX || less(lines[cursor[f]], lines[cursor[best]])) best = f;
    }
    if (best == SIZE_MAX) break;
    merged.push_back(lines[cursor[best]++]);
  }
  Emit(merged, outfile ? &*outfile : nullptr);
}

}  // namespace

void CmdSort(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  Sort sort(env, io, argv[0]);
  sort.Run(argv);
}

bool SortWrites(const std::vector<std::string>& argv) {
  std::vector<std::string> normalized;
  CommandIo scratch;
  if (!NormalizeSortArgs(argv, &normalized, scratch)) return false;
  ParsedArgs args = ParseOptions(normalized, 1, kSortOptions);
  for (const ParsedOption& o : args.options) {
    if (o.id == kSortOutput) return true;
  }
  return false;
}

// ---------------------------------------------------------------- uniq

namespace {

enum UniqOptionId {
  kUniqCount,
  kUniqRepeated,
  kUniqAllRepeated,
  kUniqAllRepeatedMethod,
  kUniqGroup,
  kUniqGroupMethod,
  kUniqIgnoreCase,
  kUniqUnique,
  kUniqSkipFields,
  kUniqSkipChars,
  kUniqCheckChars,
  kUniqZero,
  kUniqHelp,
  kUniqVersion,
};

// GNU uniq 9.1's options ("-0123456789Dcdf:is:uw:z"). --all-repeated and
// --group take optional arguments: NormalizeUniqArgs spells them out in
// full, "--name=X" as the hidden "name\x01" entries and X.
const std::vector<OptionSpec> kUniqOptions = {
    {'c', "count", false, kUniqCount},
    {'d', "repeated", false, kUniqRepeated},
    {'D', "all-repeated", false, kUniqAllRepeated},
    {'\0', "all-repeated\x01", true, kUniqAllRepeatedMethod},
    {'\0', "group", false, kUniqGroup},
    {'\0', "group\x01", true, kUniqGroupMethod},
    {'i', "ignore-case", false, kUniqIgnoreCase},
    {'u', "unique", false, kUniqUnique},
    {'f', "skip-fields", true, kUniqSkipFields},
    {'s', "skip-chars", true, kUniqSkipChars},
    {'w', "check-chars", true, kUniqCheckChars},
    {'z', "zero-terminated", false, kUniqZero},
    {'\0', "help", false, kUniqHelp},
    {'\0', "version", false, kUniqVersion},
};

enum class Delimit { kNone, kPrepend, kSeparate };
enum class Grouping { kNone, kPrepend, kAppend, kSeparate, kBoth };

// "--all-repeated[=X]" / "--group[=X]" (any abbreviation of the names)
// become "--all-repeated" or "--all-repeated\x01" X, and so on.
std::vector<std::string> NormalizeUniqArgs(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word == "--") {
      out.insert(out.end(), argv.begin() + static_cast<long>(i), argv.end());
      break;
    }
    if (i > 0 && word.rfind("--", 0) == 0) {
      size_t eq = word.find('=');
      std::string_view name =
          std::string_view(word).substr(2, eq == std::string::npos ? eq : eq - 2);
      // "--a" and "--g" are unambiguous among uniq's long options.
      bool done = false;
      for (std::string_view full : {"all-repeated", "group"}) {
        if (!name.empty() && full.substr(0, name.size()) == name) {
          if (eq == std::string::npos) {
            out.push_back("--" + std::string(full));
          } else {
            out.push_back("--" + std::string(full) + "\x01");
            out.push_back(word.substr(eq + 1));
          }
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out.push_back(word);
  }
  return out;
}

// argmatch of a METHOD (exact or unambiguous prefix); -1 when invalid.
int MatchMethod(const std::string& value, const std::vector<std::string_view>& names) {
  int found = -1;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == value) return static_cast<int>(i);
    if (!value.empty() && names[i].substr(0, value.size()) == value) {
      if (found != -1) return -2;
      found = static_cast<int>(i);
    }
  }
  return found;
}

// size_opt: a count (overflow saturates); false when invalid.
bool SizeOption(const std::string& text, size_t* value) {
  size_t pos = 0;
  return ParseCount(text, &pos, value) && pos == text.size();
}

struct UniqSettings {
  size_t skip_fields = 0, skip_chars = 0, check_chars = SIZE_MAX;
  bool ignore_case = false;
};

// find_field: the compared part of a line.
std::string_view UniqField(std::string_view line, const UniqSettings& s) {
  size_t i = 0;
  auto sep = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  for (size_t count = 0; count < s.skip_fields && i < line.size(); ++count) {
    while (i < line.size() && sep(line[i])) ++i;
    while (i < line.size() && !sep(line[i])) ++i;
  }
  i += std::min(s.skip_chars, line.size() - i);
  return line.substr(i);
}

bool UniqDifferent(std::string_view a, std::string_view b, const UniqSettings& s) {
  a = a.substr(0, std::min(a.size(), s.check_chars));
  b = b.substr(0, std::min(b.size(), s.check_chars));
  if (a.size() != b.size()) return true;
  if (!s.ignore_case) return a != b;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x >= 'a' && x <= 'z') x = static_cast<unsigned char>(x - 32);
    if (y >= 'a' && y <= 'z') y = static_cast<unsigned char>(y - 32);
    if (x != y) return true;
  }
  return false;
}

}  // namespace

void CmdUniq(const std::vector<std::string>& raw_argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = raw_argv[0];
  std::vector<std::string> argv = NormalizeUniqArgs(raw_argv);
  for (size_t i = 1; i < argv.size() && argv[i] != "--"; ++i) {
    // Obsolete -N (skip N fields) options are not served (an argument of
    // -f, -s or -w is not one).
    const std::string& prev = argv[i - 1];
    bool argument = prev.size() >= 2 && prev[0] == '-' && prev[1] != '-' &&
                    std::string_view("fsw").find(prev.back()) != std::string_view::npos;
    argument |= prev == "--skip-fields" || prev == "--skip-chars" || prev == "--check-chars";
    if (!argument && argv[i].size() > 1 && argv[i][0] == '-' && CIsDigit(argv[i][1])) {
      io.unsupported = "uniq -N";
      return;
    }
  }
  ParsedArgs args = ParseOptions(argv, 1, kUniqOptions);
  UniqSettings s;
  bool output_unique = true, output_first_repeated = true, output_later_repeated = false;
  bool count = false, option_used = false;
  Delimit delimit = Delimit::kNone;
  Grouping grouping = Grouping::kNone;
  char eol = '\n';
  auto usage_error = [&](const std::string& message) {
    io.err += prog + ": " + message + "\nTry '" + prog + " --help' for more information.\n";
    io.status = 1;
  };
  auto bad_method = [&](const std::string& value, const char* option,
                        const std::vector<std::string_view>& names, int found) {
    io.err += prog + ": " + (found == -2 ? "ambiguous" : "invalid") + " argument " +
              QuoteForCommand(env, value) + " for " + QuoteForCommand(env, option) +
              "\nValid arguments are:\n";
    for (std::string_view n : names) io.err += "  - " + QuoteForCommand(env, n) + "\n";
    io.err += "Try '" + prog + " --help' for more information.\n";
    io.status = 1;
  };
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kUniqCount:
        count = true;
        option_used = true;
        break;
      case kUniqRepeated:
        output_unique = false;
        option_used = true;
        break;
      case kUniqAllRepeated:
      case kUniqAllRepeatedMethod: {
        output_unique = false;
        output_later_repeated = true;
        option_used = true;
        delimit = Delimit::kNone;
        if (o.id == kUniqAllRepeatedMethod) {
          const std::vector<std::string_view> names = {"none", "prepend", "separate"};
          int m = MatchMethod(o.argument, names);
          if (m < 0) return bad_method(o.argument, "--all-repeated", names, m);
          delimit = static_cast<Delimit>(m);
        }
        break;
      }
      case kUniqGroup:
        grouping = Grouping::kSeparate;
        break;
      case kUniqGroupMethod: {
        const std::vector<std::string_view> names = {"prepend", "append", "separate", "both"};
        int m = MatchMethod(o.argument, names);
        if (m < 0) return bad_method(o.argument, "--group", names, m);
        grouping = static_cast<Grouping>(m + 1);
        break;
      }
      case kUniqIgnoreCase:
        s.ignore_case = true;
        break;
      case kUniqUnique:
        output_first_repeated = false;
        option_used = true;
        break;
      case kUniqSkipFields:
      case kUniqSkipChars:
      case kUniqCheckChars: {
        size_t value;
        if (!SizeOption(o.argument, &value)) {
          static constexpr std::pair<int, const char*> kWhy[] = {
              {kUniqSkipFields, "invalid number of fields to skip"},
              {kUniqSkipChars, "invalid number of bytes to skip"},
              {kUniqCheckChars, "invalid number of bytes to compare"}};
          for (const auto& [id, why] : kWhy) {
            if (id == o.id) io.err += prog + ": " + o.argument + ": " + why + "\n";
          }
          io.status = 1;
          return;
        }
        (o.id == kUniqSkipFields  ? s.skip_fields
         : o.id == kUniqSkipChars ? s.skip_chars
                                  : s.check_chars) = value;
        break;
      }
      case kUniqZero:
        eol = '\0';
        break;
      default:
        io.unsupported = "uniq " + o.spelling;
        return;
    }
  }
  if (!args.unsupported.empty()) {
    ReportOptionError(prog, args, kUniqOptions, 1, io);
    return;
  }
  // Operands: INPUT and OUTPUT; a "+N" operand is the obsolete -s N.
  std::vector<std::string> files;
  for (const std::string& operand : args.operands) {
    size_t pos = 0, value = 0;
    if (operand.size() > 1 && operand[0] == '+' && ParseCount(operand, &pos, &value) &&
        pos == operand.size()) {
      s.skip_chars = value;
      continue;
    }
    if (files.size() == 2) {
      usage_error("extra operand " + QuoteForCommand(env, operand));
      return;
    }
    files.push_back(operand);
  }
  if (grouping != Grouping::kNone && option_used) {
    usage_error("--group is mutually exclusive with -c/-d/-D/-u");
    return;
  }
  if (grouping != Grouping::kNone && count) {
    usage_error("grouping and printing repeat counts is meaningless");
    return;
  }
  if (count && output_later_repeated) {
    usage_error("printing all duplicated lines and repeat counts is meaningless");
    return;
  }
  const std::string input = files.empty() ? "-" : files[0];
  const std::string output = files.size() < 2 ? "-" : files[1];

  InputFile file;
  std::string_view data;
  bool directory = false;
  const bool from_file = input != "-";
  if (!from_file) {
    data = io.stdin_data;
  } else {
    InputFile::Open open = file.OpenOperand(env, io, prog, input);
    if (open == InputFile::Open::kRefused) return;
    if (open == InputFile::Open::kError) {
      io.err += prog + ": " + QuoteShell(input, false) + ": " + ErrnoText(file.error()) + "\n";
      io.status = 1;
      return;
    }
    directory = open == InputFile::Open::kDirectory;
  }
  bool to_file = output != "-" && output != "/dev/stdout";
  bool truncated_input = false;
  if (to_file) {
    // freopen(OUTPUT, "w"): created or truncated before anything is read,
    // so an OUTPUT naming INPUT leaves nothing to read.
    if (!WriteOutputFile(env, io, prog, output, "", "", 1)) return;
    ResolvedPath out_path = env.Resolve(output);
    ResolvedPath in_path = env.Resolve(input);
    truncated_input = from_file && !directory && out_path.where == ResolvedPath::Where::kMount &&
                      in_path.where == ResolvedPath::Where::kMount &&
                      out_path.vfs_path == in_path.vfs_path;
  }
  if (directory) {
    io.err += prog + ": error reading " + QuoteShell(input, true) + "\n";
    io.status = 1;
    return;
  }
  if (from_file && !truncated_input) {
    if (!file.ReadAll()) {
      io.err += prog + ": " + QuoteShell(input, false) + ": " + ErrnoText(file.error()) + "\n";
      io.status = 1;
      return;
    }
    data = file.data();
  }

  std::string file_out;
  BlockWriter writer(io);
  auto emit = [&](std::string_view text) {
    if (to_file) {
      file_out.append(text);
    } else {
      writer.Add(text);
    }
  };
  const std::string delimiter(1, eol);
  size_t pos = 0;
  // The next line (without its delimiter); false at the end.
  auto next_line = [&](std::string_view* line) {
    if (pos >= data.size()) return false;
    const void* hit = std::memchr(data.data() + pos, eol, data.size() - pos);
    size_t end = hit == nullptr ? data.size() : static_cast<const char*>(hit) - data.data();
    *line = data.substr(pos, end - pos);
    pos = end + 1;
    return true;
  };
  auto enough = [&]() { return !to_file && writer.Enough(); };

  if (output_unique && output_first_repeated && !count) {
    // Every group's first line (all lines with --group) as it comes.
    std::string_view line, prev_field;
    bool have_prev = false, first_group_printed = false;
    while (!enough() && next_line(&line)) {
      std::string_view field = UniqField(line, s);
      bool new_group = !have_prev || UniqDifferent(field, prev_field, s);
      if (new_group && grouping != Grouping::kNone &&
          (grouping == Grouping::kPrepend || grouping == Grouping::kBoth ||
           (first_group_printed &&
            (grouping == Grouping::kAppend || grouping == Grouping::kSeparate)))) {
        emit(delimiter);
      }
      if (new_group || grouping != Grouping::kNone) {
        emit(line);
        emit(delimiter);
        prev_field = field;
        have_prev = true;
        first_group_printed = true;
      }
    }
    if ((grouping == Grouping::kBoth || grouping == Grouping::kAppend) && first_group_printed &&
        !enough()) {
      emit(delimiter);
    }
  } else {
    std::string_view prev, line;
    if (next_line(&prev)) {
      std::string_view prev_field = UniqField(prev, s);
      uint64_t match_count = 0;
      bool first_delimiter = true;
      auto write_line = [&](std::string_view text, bool match, uint64_t n) {
        bool show = n == 0 ? output_unique : !match ? output_first_repeated : output_later_repeated;
        if (!show) return;
        if (count) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%7llu ", static_cast<unsigned long long>(n + 1));
          emit(buf);
        }
        emit(text);
        emit(delimiter);
      };
      while (!enough() && next_line(&line)) {
        std::string_view field = UniqField(line, s);
        bool match = !UniqDifferent(field, prev_field, s);
        match_count += match;
        if (delimit != Delimit::kNone) {
          if (!match) {
            if (match_count != 0) first_delimiter = false;
          } else if (match_count == 1) {
            if (delimit == Delimit::kPrepend ||
                (delimit == Delimit::kSeparate && !first_delimiter)) {
              emit(delimiter);
            }
          }
        }
        if (!match || output_later_repeated) {
          write_line(prev, match, match_count);
          prev = line;
          prev_field = field;
          if (!match) match_count = 0;
        }
      }
      if (!enough()) write_line(prev, false, match_count);
    }
  }
  if (to_file) WriteOutputFile(env, io, prog, output, file_out, "", 1);
}

bool UniqWrites(const std::vector<std::string>& argv) {
  ParsedArgs args = ParseOptions(NormalizeUniqArgs(argv), 1, kUniqOptions);
  size_t files = 0;
  for (const std::string& operand : args.operands) {
    if (!(operand.size() > 1 && operand[0] == '+' &&
          operand.find_first_not_of("0123456789", 1) == std::string::npos)) {
      ++files;
    }
  }
  return files >= 2;
}

// ---------------------------------------------------------------- cut

namespace {

enum CutOptionId {
  kCutBytes,
  kCutChars,
  kCutDelimiter,
  kCutFields,
  kCutNoSplit,
  kCutOnlyDelimited,
  kCutZero,
  kCutOutputDelimiter,
  kCutComplement,
  kCutHelp,
  kCutVersion,
};

// GNU cut 9.1's options ("b:c:d:f:nsz" and the long names).
const std::vector<OptionSpec> kCutOptions = {
    {'b', "bytes", true, kCutBytes},
    {'c', "characters", true, kCutChars},
    {'d', "delimiter", true, kCutDelimiter},
    {'f', "fields", true, kCutFields},
    {'n', nullptr, false, kCutNoSplit},
    {'s', "only-delimited", false, kCutOnlyDelimited},
    {'z', "zero-terminated", false, kCutZero},
    {'\0', "output-delimiter", true, kCutOutputDelimiter},
    {'\0', "complement", false, kCutComplement},
    {'\0', "help", false, kCutHelp},
    {'\0', "version", false, kCutVersion},
};

struct Range {
  uint64_t lo, hi;  // inclusive; hi UINT64_MAX = to the end
};

// set_fields: the sorted, merged ranges of LIST, or an error message.
std::optional<std::vector<Range>> ParseCutList(const CommandEnv& env, const std::string& list,
                                               bool positions, bool complement,
                                               std::string* error) {
  std::vector<Range> ranges;
  uint64_t initial = 1, value = 0;
  bool lhs = false, rhs = false, dash = false, in_digits = false;
  size_t num_start = 0;
  auto fail = [&](std::string message) {
    *error = std::move(message);
    return std::nullopt;
  };
  const char* numbered =
      positions ? "byte/character positions are numbered from 1" : "fields are numbered from 1";
  for (size_t i = 0;; ++i) {
    char c = i < list.size() ? list[i] : '\0';
    if (c == '-') {
      in_digits = false;
      if (dash) return fail(positions ? "invalid byte or character range" : "invalid field range");
      dash = true;
      if (lhs && value == 0) return fail(numbered);
      initial = lhs ? value : 1;
      value = 0;
    } else if (c == ',' || c == ' ' || c == '\t' || c == '\0') {
      in_digits = false;
      if (dash) {
        dash = false;
        if (!lhs && !rhs) return fail("invalid range with no endpoint: -");
        if (!rhs) {
          ranges.push_back({initial, UINT64_MAX});
        } else {
          if (value < initial) return fail("invalid decreasing range");
          ranges.push_back({initial, value});
        }
        value = 0;
      } else {
        if (value == 0) return fail(numbered);
        ranges.push_back({value, value});
        value = 0;
      }
      if (c == '\0') break;
      lhs = rhs = false;
    } else if (c >= '0' && c <= '9') {
      if (!in_digits) num_start = i;
      in_digits = true;
      (dash ? rhs : lhs) = true;
      uint64_t d = static_cast<uint64_t>(c - '0');
      if (value > (UINT64_MAX - d) / 10 || value * 10 + d == UINT64_MAX) {
        size_t len = list.find_first_not_of("0123456789", num_start);
        std::string bad = list.substr(num_start, len == std::string::npos ? len : len - num_start);
        return fail(std::string(positions ? "byte/character offset " : "field number ") +
                    QuoteForCommand(env, bad) + " is too large");
      }
      value = value * 10 + d;
    } else {
      return fail(
          std::string(positions ? "invalid byte/character position " : "invalid field value ") +
          QuoteForCommand(env, std::string_view(list).substr(i)));
    }
  }
  if (ranges.empty()) {
    return fail(positions ? "missing list of byte/character positions" : "missing list of fields");
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.lo < b.lo; });
  std::vector<Range> merged;
  for (const Range& r : ranges) {
    if (!merged.empty() && r.lo <= merged.back().hi) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  if (complement) {
    std::vector<Range> c;
    if (merged[0].lo > 1) c.push_back({1, merged[0].lo - 1});
    for (size_t i = 1; i < merged.size(); ++i) {
      if (merged[i - 1].hi + 1 == merged[i].lo) continue;
      c.push_back({merged[i - 1].hi + 1, merged[i].lo - 1});
    }
    if (merged.back().hi < UINT64_MAX) c.push_back({merged.back().hi + 1, UINT64_MAX});
    merged = std::move(c);
  }
  merged.push_back({UINT64_MAX, UINT64_MAX});  // GNU's sentinel
  return merged;
}

struct CutSettings {
  std::vector<Range> ranges;
  bool bytes = false;
  char delim = '\t';
  char eol = '\n';
  bool suppress = false;
  std::string output_delimiter;
  bool output_delimiter_given = false;
};

// One input through cut_bytes / cut_fields: a byte-stream state machine
// (getc and ungetc on a view).
class CutStream {
 public:
  CutStream(const CutSettings& s, std::string_view in, BlockWriter& out)
      : s_(s),
        in_(in),
        out_(out),
        delim_(static_cast<unsigned char>(s.delim)),
        eol_(static_cast<unsigned char>(s.eol)) {}

  void Bytes() {
    uint64_t idx = 0;
    bool print_delimiter = false;
    rp_ = 0;
    for (size_t i = 0; i < in_.size(); ++i) {
      char c = in_[i];
      if (c == s_.eol) {
        out_.Add(c);
        idx = 0;
        print_delimiter = false;
        rp_ = 0;
        if (out_.Enough()) return;
        continue;
      }
      Next(&idx);
      if (s_.ranges[rp_].lo <= idx) {
        if (s_.output_delimiter_given) {
          if (print_delimiter && idx == s_.ranges[rp_].lo) out_.Add(s_.output_delimiter);
          print_delimiter = true;
        }
        out_.Add(c);
      }
    }
    if (idx > 0) out_.Add(s_.eol);
  }

  void Fields() {
    uint64_t field = 1;
    bool found_any = false;
    rp_ = 0;
    if (in_.empty()) return;
    const bool buffer_first = s_.suppress ^ !(s_.ranges[0].lo <= 1);
    int c = 0;
    while (true) {
      if (out_.Enough()) return;
      if (field == 1 && buffer_first) {
        // getndelim2: the first field with its delimiter (or line end).
        if (pos_ >= in_.size()) break;
        size_t end = pos_;
        while (end < in_.size() && in_[end] != s_.delim && in_[end] != s_.eol) ++end;
        if (end < in_.size()) ++end;
        std::string_view first = in_.substr(pos_, end - pos_);
        pos_ = end;
        c = 0;
        if (static_cast<unsigned char>(first.back()) != delim_) {
          if (!s_.suppress) {
            out_.Add(first);
            if (first.back() != s_.eol) out_.Add(s_.eol);
            c = eol_;
          }
          continue;
        }
        if (s_.ranges[rp_].lo <= 1) {
          out_.Add(first.substr(0, first.size() - 1));
          if (s_.delim == s_.eol) {
            if (pos_ < in_.size()) found_any = true;
          } else {
            found_any = true;
          }
        }
        Next(&field);
      }
      int prev_c = c;
      if (s_.ranges[rp_].lo <= field) {
        if (found_any) out_.Add(s_.output_delimiter);
        found_any = true;
        size_t start = pos_;
        while ((c = Get()) != delim_ && c != eol_ && c != kEof) prev_c = c;
        size_t stop = c == kEof ? pos_ : pos_ - 1;
        out_.Add(in_.substr(start, stop - start));
      } else {
        while ((c = Get()) != delim_ && c != eol_ && c != kEof) prev_c = c;
      }
      if (delim_ == eol_ && c == delim_) {
        if (Get() != kEof) {
          --pos_;
        } else {
          c = kEof;
        }
      }
      if (c == delim_) {
        Next(&field);
      } else if (c == eol_ || c == kEof) {
        if (found_any || !(s_.suppress && field == 1)) {
          if (c == eol_ || prev_c != eol_ || delim_ == eol_) out_.Add(s_.eol);
        }
        if (c == kEof) break;
        field = 1;
        rp_ = 0;
        found_any = false;
      }
    }
  }

 private:
  static constexpr int kEof = -1;
  int Get() {
    if (pos_ >= in_.size()) return kEof;
    return static_cast<unsigned char>(in_[pos_++]);
  }
  void Next(uint64_t* idx) {
    ++*idx;
    if (*idx > s_.ranges[rp_].hi) ++rp_;
  }

  const CutSettings& s_;
  std::string_view in_;
  BlockWriter& out_;
  const int delim_;  // as unsigned char values, like getc's
  const int eol_;
  size_t pos_ = 0;
  size_t rp_ = 0;
};

}  // namespace

void CmdCut(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  ParsedArgs args = ParseOptions(argv, 1, kCutOptions);
  auto fatal = [&](const std::string& message) {
    io.err += prog + ": " + message + "\nTry '" + prog + " --help' for more information.\n";
    io.status = 1;
  };
  CutSettings s;
  std::optional<std::string> list;
  bool delim_given = false, complement = false;
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kCutBytes:
      case kCutChars:
      case kCutFields:
        if (o.id != kCutFields) s.bytes = true;
        if (list) return fatal("only one list may be specified");
        list = o.argument;
        break;
      case kCutDelimiter:
        if (o.argument.size() > 1) return fatal("the delimiter must be a single character");
        s.delim = o.argument.empty() ? '\0' : o.argument[0];
        delim_given = true;
        break;
      case kCutOutputDelimiter:
        s.output_delimiter = o.argument.empty() ? std::string(1, '\0') : o.argument;
        s.output_delimiter_given = true;
        break;
      case kCutNoSplit:
        break;
      case kCutOnlyDelimited:
        s.suppress = true;
        break;
      case kCutZero:
        s.eol = '\0';
        break;
      case kCutComplement:
        complement = true;
        break;
      default:
        io.unsupported = "cut " + o.spelling;
        return;
    }
  }
  if (!args.unsupported.empty()) {
    ReportOptionError(prog, args, kCutOptions, 1, io);
    return;
  }
  if (!list) return fatal("you must specify a list of bytes, characters, or fields");
  if (s.bytes) {
    if (delim_given)
      return fatal("an input delimiter may be specified only when operating on fields");
    if (s.suppress) {
      return fatal("suppressing non-delimited lines makes sense\n\tonly when operating on fields");
    }
  }
  std::string error;
  std::optional<std::vector<Range>> ranges = ParseCutList(env, *list, s.bytes, complement, &error);
  if (!ranges) return fatal(error);
  s.ranges = std::move(*ranges);
  if (!s.output_delimiter_given) s.output_delimiter = std::string(1, s.delim);

  std::vector<std::string> operands = args.operands;
  if (operands.empty()) operands.push_back("-");
  BlockWriter writer(io);
  bool stdin_read = false;
  for (const std::string& operand : operands) {
    if (writer.Enough()) break;
    InputFile file;
    std::string_view data;
    if (operand == "-") {
      data = stdin_read ? std::string_view() : io.stdin_data;
      stdin_read = true;
    } else {
      InputFile::Open open = file.OpenOperand(env, io, prog, operand);
      if (open == InputFile::Open::kRefused) return;
      vfs::Status::Code code = file.error();
      if (open == InputFile::Open::kDirectory) code = vfs::Status::Code::kIsADirectory;
      if (open == InputFile::Open::kOk && !file.ReadAll()) {
        code = file.error();
        open = InputFile::Open::kError;
      }
      if (open != InputFile::Open::kOk) {
        writer.Flush();
        io.err += prog + ": " + QuoteShell(operand, false) + ": " + ErrnoText(code) + "\n";
        io.status = 1;
        continue;
      }
      data = file.data();
    }
    CutStream stream(s, data, writer);
    if (s.bytes) {
      stream.Bytes();
    } else {
      stream.Fields();
    }
  }
}

}  // namespace memhook::utils
