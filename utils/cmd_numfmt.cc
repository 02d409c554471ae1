// numfmt as GNU coreutils 9.1 prints it.
//
// Numbers are read, scaled and rounded in long double with the same
// operations in the same order as numfmt (x87 extended precision on x86-64,
// as Debian's binary computes them), and printed through the same printf
// directives, so that every digit and every rounding agrees.
//
// numfmt works on C strings in place: it ends each field with a NUL where
// its delimiter stood, cuts a --suffix off with a NUL, prints what is left
// of an invalid field, and after a number followed only by blanks it takes
// the terminating NUL for a suffix letter and reads the bytes beyond it.
// Lines are therefore processed here in a byte buffer that behaves as
// numfmt's getdelim buffer does: what lies past a field's NUL is the rest
// of the line, or what an earlier, longer line left there. Past the last
// byte ever stored (the end of an operand, or the untouched part of
// getdelim's buffer) nothing is known, and such a command is refused.
#include <langinfo.h>
#include <locale.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cfloat>
#include <cinttypes>
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "utils/getopt.h"
#include "utils/utils.h"

namespace memhook::utils {

namespace {

using gnu::ArgMode;
using gnu::GetoptItem;
using gnu::GetoptOption;
using gnu::GetoptResult;

// ---------------------------------------------------------------- options

enum OptionId {
  kFrom,
  kFromUnit,
  kTo,
  kToUnit,
  kRound,
  kPadding,
  kSuffix,
  kGrouping,
  kDelimiter,
  kField,
  kDebug,
  kDevDebug,
  kHeader,
  kFormat,
  kInvalid,
  kZeroTerminated,
};

// numfmt's `longopts`, in its order (glibc lists ambiguous abbreviations in
// this order), with the short options "d:z" on their long forms.
const std::vector<GetoptOption> kOptions = {
    {'\0', "from", ArgMode::kRequired, kFrom},
    {'\0', "from-unit", ArgMode::kRequired, kFromUnit},
    {'\0', "to", ArgMode::kRequired, kTo},
    {'\0', "to-unit", ArgMode::kRequired, kToUnit},
    {'\0', "round", ArgMode::kRequired, kRound},
    {'\0', "padding", ArgMode::kRequired, kPadding},
    {'\0', "suffix", ArgMode::kRequired, kSuffix},
    {'\0', "grouping", ArgMode::kNone, kGrouping},
    {'d', "delimiter", ArgMode::kRequired, kDelimiter},
    {'\0', "field", ArgMode::kRequired, kField},
    {'\0', "debug", ArgMode::kNone, kDebug},
    // "---debug": the developers' trace, refused.
    {'\0', "-debug", ArgMode::kNone, kDevDebug},
    {'\0', "header", ArgMode::kOptional, kHeader},
    {'\0', "format", ArgMode::kRequired, kFormat},
    {'\0', "invalid", ArgMode::kRequired, kInvalid},
    {'z', "zero-terminated", ArgMode::kNone, kZeroTerminated},
    {'\0', "help", ArgMode::kNone, gnu::kHelp},
    {'\0', "version", ArgMode::kNone, gnu::kVersion},
};

enum class Scale { kNone, kAuto, kSi, kIec, kIecI };
enum class Round { kUp, kDown, kFromZero, kTowardsZero, kNearest };
enum class Invalid { kAbort, kFail, kWarn, kIgnore };

// The words of an argmatch list, in numfmt's order (its "Valid arguments"
// list), with the value each selects.
struct Choice {
  const char* name;
  int value;
};
const std::vector<Choice> kFromChoices = {
    {"none", static_cast<int>(Scale::kNone)},  {"auto", static_cast<int>(Scale::kAuto)},
    {"si", static_cast<int>(Scale::kSi)},      {"iec", static_cast<int>(Scale::kIec)},
    {"iec-i", static_cast<int>(Scale::kIecI)},
};
// --to has no "auto".
const std::vector<Choice> kToChoices = {
    {"none", static_cast<int>(Scale::kNone)},
    {"si", static_cast<int>(Scale::kSi)},
    {"iec", static_cast<int>(Scale::kIec)},
    {"iec-i", static_cast<int>(Scale::kIecI)},
};
const std::vector<Choice> kRoundChoices = {
    {"up", static_cast<int>(Round::kUp)},
    {"down", static_cast<int>(Round::kDown)},
    {"from-zero", static_cast<int>(Round::kFromZero)},
    {"towards-zero", static_cast<int>(Round::kTowardsZero)},
    {"nearest", static_cast<int>(Round::kNearest)},
};
const std::vector<Choice> kInvalidChoices = {
    {"abort", static_cast<int>(Invalid::kAbort)},
    {"fail", static_cast<int>(Invalid::kFail)},
    {"warn", static_cast<int>(Invalid::kWarn)},
    {"ignore", static_cast<int>(Invalid::kIgnore)},
};

// The suffix letters, each the power of the base it stands for (its index
// plus one).
constexpr std::string_view kSuffixLetters = "KMGTPEZY";

// LDBL_DIG: digits printed without --to before precision is lost.
constexpr unsigned kMaxUnscaledDigits = LDBL_DIG;
// 999Y: the most digits a number may have.
constexpr unsigned kMaxAcceptableDigits = 27;

// numfmt's number buffer (char buf[128]).
constexpr int kBufSize = 128;

// The outcome of reading a number (simple_strtod_*).
enum class Parse {
  kOk,
  kPrecisionLoss,  // more than LDBL_DIG digits: fine, --debug says so
  kOverflow,
  kInvalidNumber,
  kForbiddenSuffix,
  kInvalidSuffix,
  kMissingI,
};
bool Parsed(Parse p) { return p == Parse::kOk || p == Parse::kPrecisionLoss; }

// What each failed reading says (simple_strtod_fatal), the number quoted
// at %s.
const char* ParseMessage(Parse p) {
  switch (p) {
    case Parse::kOverflow:
      return "value too large to be converted: %s";
    case Parse::kInvalidNumber:
      return "invalid number: %s";
    case Parse::kForbiddenSuffix:
      return "rejecting suffix in input: %s (consider using --from)";
    case Parse::kInvalidSuffix:
      return "invalid suffix in input: %s";
    case Parse::kMissingI:
      return "missing 'i' suffix in input: %s (e.g Ki/Mi/Gi)";
    default:
      return "%s";
  }
}

// isblank() in the C and C.UTF-8 locales, byte by byte.
bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// ---------------------------------------------------------------- arithmetic
//
// numfmt's own helpers, kept operation for operation: the last bits of a
// long double depend on the order of the multiplications and divisions.

long double PowerLd(long double base, unsigned x) {
  if (x == 0) return 1;
  long double result = base;
  while (--x) result *= base;
  return result;
}

long double AbsLd(long double v) { return v < 0 ? -v : v; }

// Divides by `base` until |val| < base; *power counts the divisions.
long double ExpLd(long double val, unsigned base, unsigned* power) {
  unsigned p = 0;
  if (val >= -LDBL_MAX && val <= LDBL_MAX) {
    while (AbsLd(val) >= base) {
      ++p;
      val /= base;
    }
  }
  *power = p;
  return val;
}

intmax_t RoundCeiling(long double val) {
  intmax_t i = static_cast<intmax_t>(val);
  if (i < val) ++i;
  return i;
}
intmax_t RoundFloor(long double val) { return -RoundCeiling(-val); }

// simple_round: integral rounding by the method, done on the remainder
// modulo INTMAX_MAX so that it fits an intmax_t.
long double SimpleRound(long double val, Round method) {
  const long double kMax = static_cast<long double>(INTMAX_MAX);
  intmax_t intmax_mul = static_cast<intmax_t>(val / kMax);
  val -= kMax * static_cast<long double>(intmax_mul);
  intmax_t rval = 0;
  switch (method) {
    case Round::kUp:
      rval = RoundCeiling(val);
      break;
    case Round::kDown:
      rval = RoundFloor(val);
      break;
    case Round::kFromZero:
      rval = val < 0 ? RoundFloor(val) : RoundCeiling(val);
      break;
    case Round::kTowardsZero:
      rval = static_cast<intmax_t>(val);
      break;
    case Round::kNearest:
      rval = static_cast<intmax_t>(val < 0 ? val - 0.5 : val + 0.5);
      break;
  }
  return kMax * static_cast<long double>(intmax_mul) + static_cast<long double>(rval);
}

unsigned DefaultScaleBase(Scale scale) {
  return scale == Scale::kIec || scale == Scale::kIecI ? 1024 : 1000;
}

const char* SuffixPowerChar(unsigned power) {
  static const char* const kNames[] = {"", "K", "M", "G", "T", "P", "E", "Z", "Y"};
  return power < sizeof kNames / sizeof *kNames ? kNames[power] : "(error)";
}

// The C locale for this thread while it lives: printf's decimal point is
// then '.', whatever memhook's own environment set (the command's locale
// is checked to have that decimal point, see NumericLocaleOk).
class CNumericScope {
 public:
  CNumericScope()
      : c_(newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0))),
        old_(c_ != static_cast<locale_t>(0) ? uselocale(c_) : static_cast<locale_t>(0)) {}
  ~CNumericScope() {
    if (c_ == static_cast<locale_t>(0)) return;
    uselocale(old_);
    freelocale(c_);
  }
  CNumericScope(const CNumericScope&) = delete;
  CNumericScope& operator=(const CNumericScope&) = delete;

 private:
  locale_t c_;
  locale_t old_;
};

// printf of one long double through a format built at run time.
std::string FormatLd(const std::string& format, long double v) {
  char buf[256];
  CNumericScope c_numeric;
  int n = std::snprintf(buf, sizeof buf, format.c_str(), v);
  return n < 0 ? std::string() : std::string(buf, std::min<size_t>(n, sizeof buf - 1));
}

// ---------------------------------------------------------------- xstrtol

enum class StrtolError { kOk, kOverflow, kInvalid };

// gnulib's xstrtoumax (unsigned) or xstrtol (signed) in base 10 with the
// suffix letters `suffixes` ("" allows none; a '0' among them allows a
// "B" for powers of 1000 or "iB" for 1024 after the letter, 1024 being the
// default).
StrtolError XStrToNumber(const std::string& text, std::string_view suffixes, bool is_signed,
                         uintmax_t* uvalue, long* svalue) {
  const char* s = text.c_str();
  if (!is_signed) {
    const char* q = s;
    while (std::isspace(static_cast<unsigned char>(*q))) ++q;
    if (*q == '-') return StrtolError::kInvalid;
  }
  char* end = nullptr;
  errno = 0;
  uintmax_t u = 0;
  long l = 0;
  if (is_signed) {
    l = std::strtol(s, &end, 10);
  } else {
    u = std::strtoumax(s, &end, 10);
  }
  StrtolError err = StrtolError::kOk;
  if (end == s) {
    // No digits: a lone valid suffix letter stands for 1 of it.
    if (*end != '\0' && suffixes.find(*end) != std::string_view::npos) {
      u = 1;
      l = 1;
    } else {
      return StrtolError::kInvalid;
    }
  } else if (errno != 0) {
    if (errno != ERANGE) return StrtolError::kInvalid;
    err = StrtolError::kOverflow;
  }
  if (*end != '\0') {
    if (suffixes.find(*end) == std::string_view::npos) return StrtolError::kInvalid;
    size_t pos = kSuffixLetters.find(*end);
    if (pos == std::string_view::npos) return StrtolError::kInvalid;
    unsigned base = 1024;
    int letters = 1;
    if (suffixes.find('0') != std::string_view::npos) {
      if (end[1] == 'i' && end[2] == 'B') {
        letters += 2;
      } else if (end[1] == 'B' || end[1] == 'D') {
        base = 1000;
        ++letters;
      }
    }
    for (size_t k = 0; k <= pos; ++k) {
      if (is_signed) {
        if (l > LONG_MAX / static_cast<long>(base) || l < LONG_MIN / static_cast<long>(base)) {
          err = StrtolError::kOverflow;
          l = l < 0 ? LONG_MIN : LONG_MAX;
        } else {
          l *= base;
        }
      } else if (u > UINTMAX_MAX / base) {
        err = StrtolError::kOverflow;
        u = UINTMAX_MAX;
      } else {
        u *= base;
      }
    }
    end += letters;
    if (*end != '\0') return StrtolError::kInvalid;
  }
  if (uvalue != nullptr) *uvalue = u;
  if (svalue != nullptr) *svalue = l;
  return err;
}

// unit_to_umax: --from-unit/--to-unit, where "K" is 1000, "Ki" 1024 and
// "KiB" invalid. 0 means invalid.
uintmax_t UnitSize(const std::string& text) {
  std::string s = text;
  std::string_view suffixes = kSuffixLetters;
  if (!s.empty() && !IsDigit(s.back())) {
    if (s.back() == 'i' && s.size() >= 2 && !IsDigit(s[s.size() - 2])) {
      s.pop_back();
    } else {
      s += 'B';
      suffixes = "KMGTPEZY0";
    }
  }
  uintmax_t n = 0;
  if (XStrToNumber(s, suffixes, /*is_signed=*/false, &n, nullptr) != StrtolError::kOk) return 0;
  return n;
}

// ---------------------------------------------------------------- fields

struct FieldRange {
  uintmax_t lo, hi;
};

// ---------------------------------------------------------------- numfmt

class Numfmt {
 public:
  Numfmt(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io)
      : argv_(argv), prog_(argv[0]), env_(env), io_(io) {}

  void Run();

 private:
  // The bytes of the line being processed, and how far they are known.
  struct Buffer {
    std::string bytes;
    size_t known = 0;
  };

  bool ParseArguments(std::vector<std::string>* operands);
  bool ArgMatch(const char* context, const std::string& arg, const std::vector<Choice>& choices,
                int* value);
  bool SetFields(const std::string& spec);
  bool ParseFormat(const std::string& fmt);
  bool LocaleOk() const;
  bool NumericLocaleOk() const;

  void ProcessLine(size_t start, bool newline);
  bool ProcessField(size_t text, uintmax_t field);
  bool IncludeField(uintmax_t field) const;
  bool ProcessSuffixedNumber(size_t text, uintmax_t field, long double* value, size_t* precision);
  Parse ParseHumanNumber(size_t str, long double* value, size_t* precision);
  Parse StrtodHuman(size_t str, size_t* end, long double* value, size_t* precision);
  Parse StrtodFloat(size_t str, size_t* end, long double* value, size_t* precision);
  Parse StrtodInt(size_t str, size_t* end, long double* value, bool* negative);
  bool PreparePaddedNumber(long double val, size_t precision);
  bool DoubleToHuman(long double val, int precision, std::string* out);

  // A byte of the buffer; past what is known, the command is refused.
  char At(size_t i) {
    if (i < buf_.known) return buf_.bytes[i];
    overrun_ = true;
    return '\0';
  }
  // The C string at `i`.
  std::string CStr(size_t i) {
    std::string s;
    for (char c = At(i); c != '\0'; c = At(++i)) s += c;
    return s;
  }
  std::string Quote(std::string_view s) const { return QuoteForCommand(env_, s); }
  // error (0, 0, ...).
  void Warn(const std::string& message) { io_.err += prog_ + ": " + message + "\n"; }
  // error (EXIT_FAILURE, 0, ...).
  // Both return false, for `return Die (...);`.
  bool Die(const std::string& message) {
    gnu::Die(prog_, message, io_);
    stopped_ = true;
    return false;
  }
  bool Usage(const std::string& message) {
    gnu::UsageError(prog_, message, io_);
    stopped_ = true;
    return false;
  }
  // A conversion error: numfmt's error (conv_exit_code, ...), fatal only
  // under --invalid=abort and silent under --invalid=ignore.
  void ConversionError(const std::string& message) {
    if (invalid_ == Invalid::kIgnore) return;
    Warn(message);
    if (invalid_ == Invalid::kAbort) {
      io_.status = 2;
      stopped_ = true;
    }
  }

  const std::vector<std::string>& argv_;
  const std::string& prog_;
  CommandEnv& env_;
  CommandIo& io_;

  Scale scale_from_ = Scale::kNone;
  Scale scale_to_ = Scale::kNone;
  Round round_ = Round::kFromZero;
  Invalid invalid_ = Invalid::kAbort;
  std::optional<std::string> suffix_;
  uintmax_t from_unit_ = 1;
  uintmax_t to_unit_ = 1;
  bool grouping_ = false;
  long padding_width_ = 0;
  bool align_left_ = false;
  long zero_padding_width_ = 0;
  long user_precision_ = -1;
  std::optional<std::string> format_;
  std::string format_prefix_, format_suffix_;
  bool auto_padding_ = false;
  std::optional<char> delimiter_;  // nullopt: blanks separate fields
  char line_delim_ = '\n';
  uintmax_t header_ = 0;
  bool debug_ = false;
  bool fields_given_ = false;
  std::vector<FieldRange> fields_;

  Buffer buf_;
  bool overrun_ = false;
  bool stopped_ = false;      // numfmt has exited
  bool any_invalid_ = false;  // a field was not converted
};

// argmatch: the exact word, or a prefix of words that all select the same
// value. Otherwise argmatch_die's report and the usage line.
bool Numfmt::ArgMatch(const char* context, const std::string& arg,
                      const std::vector<Choice>& choices, int* value) {
  int match = -1;
  bool ambiguous = false;
  for (size_t i = 0; i < choices.size(); ++i) {
    std::string_view name = choices[i].name;
    if (name == arg) {
      *value = choices[i].value;
      return true;
    }
    if (name.substr(0, arg.size()) == arg) {
      if (match < 0) {
        match = static_cast<int>(i);
      } else if (choices[match].value != choices[i].value) {
        ambiguous = true;
      }
    }
  }
  if (match >= 0 && !ambiguous) {
    *value = choices[match].value;
    return true;
  }
  std::string message = std::string(match < 0 ? "invalid" : "ambiguous") + " argument " +
                        Quote(arg) + " for " + Quote(context) + "\nValid arguments are:";
  for (const Choice& c : choices) message += std::string("\n  - ") + Quote(c.name);
  Usage(message);
  return false;
}

// set_fields (cut's field lists, a lone "-" meaning all fields): the ranges
// sorted and merged, or the usage error.
bool Numfmt::SetFields(const std::string& spec) {
  const char* s = spec.c_str();
  uintmax_t initial = 1, value = 0;
  bool lhs = false, rhs = false, dash = false, in_digits = false;
  const char* num_start = nullptr;
  std::vector<FieldRange> ranges;
  if (spec == "-") {
    value = 1;
    lhs = true;
    dash = true;
    ++s;
  }
  while (true) {
    if (*s == '-') {
      in_digits = false;
      if (dash) return Usage("invalid field range");
      dash = true;
      ++s;
      if (lhs && value == 0) return Usage("fields are numbered from 1");
      initial = lhs ? value : 1;
      value = 0;
    } else if (*s == ',' || IsBlank(*s) || *s == '\0') {
      in_digits = false;
      if (dash) {
        dash = false;
        if (!lhs && !rhs) initial = 1;
        if (!rhs) {
          ranges.push_back({initial, UINTMAX_MAX});
        } else {
          if (value < initial) return Usage("invalid decreasing range");
          ranges.push_back({initial, value});
        }
        value = 0;
      } else {
        if (value == 0) return Usage("fields are numbered from 1");
        ranges.push_back({value, value});
        value = 0;
      }
      if (*s == '\0') break;
      ++s;
      lhs = rhs = false;
    } else if (IsDigit(*s)) {
      if (!in_digits || num_start == nullptr) num_start = s;
      in_digits = true;
      if (dash) {
        rhs = true;
      } else {
        lhs = true;
      }
      unsigned digit = static_cast<unsigned>(*s - '0');
      if (value > (UINTMAX_MAX - digit) / 10 || value * 10 + digit == UINTMAX_MAX) {
        size_t len = std::strspn(num_start, "0123456789");
        return Usage("field number " + Quote(std::string(num_start, len)) + " is too large");
      }
      value = value * 10 + digit;
      ++s;
    } else {
      return Usage("invalid field value " + Quote(s));
    }
  }
  if (ranges.empty()) return Usage("missing list of fields");
  // qsort by the low end as an int (set-fields.c's comparison), then merge
  // overlapping neighbours.
  std::stable_sort(ranges.begin(), ranges.end(), [](const FieldRange& a, const FieldRange& b) {
    return static_cast<int>(a.lo) < static_cast<int>(b.lo);
  });
  for (size_t i = 0; i < ranges.size(); ++i) {
    for (size_t j = i + 1; j < ranges.size(); ++j) {
      if (ranges[j].lo > ranges[i].hi) break;
      ranges[i].hi = std::max(ranges[j].hi, ranges[i].hi);
      ranges.erase(ranges.begin() + static_cast<long>(j));
      --j;
    }
  }
  fields_ = std::move(ranges);
  return true;
}

// parse_format_string: "[prefix]%[0]['][-][N][.][N]f[suffix]", "%%" for a
// percent sign outside the directive.
bool Numfmt::ParseFormat(const std::string& text) {
  const char* fmt = text.c_str();
  size_t i = 0;
  size_t prefix_len = 0;
  // numfmt counts "%%" as one byte of the prefix but then keeps that many
  // bytes of the format as they are: "a%%b%f" prints "a%%".
  for (; !(fmt[i] == '%' && fmt[i + 1] != '%'); i += (fmt[i] == '%') + 1) {
    if (fmt[i] == '\0') return Die("format " + Quote(text) + " has no % directive");
    ++prefix_len;
  }
  ++i;
  bool zero_padding = false;
  while (true) {
    size_t skip = std::strspn(fmt + i, " ");
    i += skip;
    if (fmt[i] == '\'') {
      grouping_ = true;
      ++i;
    } else if (fmt[i] == '0') {
      zero_padding = true;
      ++i;
    } else if (skip == 0) {
      break;
    }
  }
  char* endptr = nullptr;
  errno = 0;
  long pad = std::strtol(fmt + i, &endptr, 10);
  if (errno == ERANGE || pad < -LONG_MAX) {
    return Die("invalid format " + Quote(text) + " (width overflow)");
  }
  if (endptr != fmt + i && pad != 0) {
    if (debug_ && padding_width_ != 0 && !(zero_padding && pad > 0)) {
      Warn("--format padding overriding --padding");
    }
    if (pad < 0) {
      align_left_ = true;
      padding_width_ = -pad;
    } else if (zero_padding) {
      zero_padding_width_ = pad;
    } else {
      padding_width_ = pad;
    }
  }
  i = static_cast<size_t>(endptr - fmt);
  if (fmt[i] == '\0') return Die("format " + Quote(text) + " ends in %");
  if (fmt[i] == '.') {
    ++i;
    errno = 0;
    user_precision_ = std::strtol(fmt + i, &endptr, 10);
    if (errno == ERANGE || user_precision_ < 0 || IsBlank(fmt[i]) || fmt[i] == '+') {
      return Die("invalid precision in format " + Quote(text));
    }
    i = static_cast<size_t>(endptr - fmt);
  }
  if (fmt[i] != 'f') {
    return Die("invalid format " + Quote(text) + ", directive must be %[0]['][-][N][.][N]f");
  }
  ++i;
  size_t suffix_pos = i;
  for (; fmt[i] != '\0'; i += (fmt[i] == '%') + 1) {
    if (fmt[i] == '%' && fmt[i + 1] != '%') {
      return Die("format " + Quote(text) + " has too many % directives");
    }
  }
  format_prefix_ = text.substr(0, prefix_len);
  format_suffix_ = text.substr(suffix_pos);
  return true;
}

// The command's LC_NUMERIC reads and prints numbers as C does: a '.'
// decimal point, and no thousands separator when grouping is asked for.
// (Only C, POSIX and C.UTF-8 exist on Debian's base system; a machine with
// more locales gets the other ones refused.)
bool Numfmt::NumericLocaleOk() const {
  if (env_.environment == nullptr) return true;
  std::string name;
  for (const char* variable : {"LC_ALL", "LC_NUMERIC", "LANG"}) {
    std::optional<std::string_view> v = env_.Getenv(variable);
    if (v && !v->empty()) {
      name = std::string(*v);
      break;
    }
  }
  if (name.empty()) return true;
  locale_t l = newlocale(LC_NUMERIC_MASK, name.c_str(), static_cast<locale_t>(0));
  if (l == static_cast<locale_t>(0)) return true;  // numfmt stays in C
  bool ok = std::strcmp(nl_langinfo_l(RADIXCHAR, l), ".") == 0 &&
            (!grouping_ || nl_langinfo_l(THOUSEP, l)[0] == '\0');
  freelocale(l);
  return ok;
}

// setlocale (LC_ALL, "") succeeds: every category names a locale that
// exists on this machine.
bool Numfmt::LocaleOk() const {
  if (env_.environment == nullptr) return true;
  auto exists = [](std::string_view name) {
    locale_t l = newlocale(LC_ALL_MASK, std::string(name).c_str(), static_cast<locale_t>(0));
    if (l == static_cast<locale_t>(0)) return false;
    freelocale(l);
    return true;
  };
  std::optional<std::string_view> all = env_.Getenv("LC_ALL");
  if (all && !all->empty()) return exists(*all);
  std::optional<std::string_view> lang = env_.Getenv("LANG");
  bool ok = !lang || lang->empty() || exists(*lang);
  for (const char* category :
       {"LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY", "LC_MESSAGES", "LC_PAPER",
        "LC_NAME", "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION"}) {
    std::optional<std::string_view> v = env_.Getenv(category);
    if (v && !v->empty() && !exists(*v)) ok = false;
  }
  return ok;
}

// The options, in order, each acting as numfmt's switch does (the first
// bad one ends the command); then the checks numfmt makes after them.
bool Numfmt::ParseArguments(std::vector<std::string>* operands) {
  gnu::Ordering ordering =
      env_.Getenv("POSIXLY_CORRECT") ? gnu::Ordering::kRequireOrder : gnu::Ordering::kPermute;
  GetoptResult parsed = gnu::RunGetopt(argv_, kOptions, ordering);
  for (const GetoptItem& item : parsed.items) {
    const std::string& arg = item.argument;
    int value = 0;
    switch (item.id) {
      case gnu::kHelp:
        io_.unsupported = prog_ + " --help";
        return false;
      case gnu::kVersion:
        io_.unsupported = prog_ + " --version";
        return false;
      case kDevDebug:
        io_.unsupported = prog_ + " ---debug";
        return false;
      case kFrom:
        if (!ArgMatch("--from", arg, kFromChoices, &value)) return false;
        scale_from_ = static_cast<Scale>(value);
        break;
      case kTo:
        if (!ArgMatch("--to", arg, kToChoices, &value)) return false;
        scale_to_ = static_cast<Scale>(value);
        break;
      case kRound:
        if (!ArgMatch("--round", arg, kRoundChoices, &value)) return false;
        round_ = static_cast<Round>(value);
        break;
      case kInvalid:
        if (!ArgMatch("--invalid", arg, kInvalidChoices, &value)) return false;
        invalid_ = static_cast<Invalid>(value);
        break;
      case kFromUnit:
      case kToUnit: {
        uintmax_t n = UnitSize(arg);
        if (n == 0) return Die("invalid unit size: " + Quote(arg));
        (item.id == kFromUnit ? from_unit_ : to_unit_) = n;
        break;
      }
      case kGrouping:
        grouping_ = true;
        break;
      case kPadding: {
        long n = 0;
        if (XStrToNumber(arg, "", /*is_signed=*/true, nullptr, &n) != StrtolError::kOk || n == 0 ||
            n < -LONG_MAX) {
          return Die("invalid padding value " + Quote(arg));
        }
        align_left_ = n < 0;
        padding_width_ = n < 0 ? -n : n;
        break;
      }
      case kField:
        if (fields_given_) return Die("multiple field specifications");
        if (!SetFields(arg)) return false;
        fields_given_ = true;
        break;
      case kDelimiter:
        // -d '' is the NUL byte: nothing then splits a line.
        if (arg.size() > 1) return Die("the delimiter must be a single character");
        delimiter_ = arg.empty() ? '\0' : arg[0];
        break;
      case kZeroTerminated:
        line_delim_ = '\0';
        break;
      case kSuffix:
        suffix_ = arg;
        break;
      case kDebug:
        debug_ = true;
        break;
      case kHeader:
        if (item.has_argument) {
          uintmax_t n = 0;
          if (XStrToNumber(arg, "", /*is_signed=*/false, &n, nullptr) != StrtolError::kOk ||
              n == 0) {
            return Die("invalid header value " + Quote(arg));
          }
          header_ = n;
        } else {
          header_ = 1;
        }
        break;
      case kFormat:
        format_ = arg;
        break;
      default:
        break;
    }
  }
  if (!parsed.diagnostic.empty()) {
    io_.err += parsed.diagnostic;
    Usage("");
    return false;
  }
  if (format_ && grouping_) return Die("--grouping cannot be combined with --format");
  if (debug_ && !LocaleOk()) Warn("failed to set locale");
  if (debug_ && scale_from_ == Scale::kNone && scale_to_ == Scale::kNone && !grouping_ &&
      padding_width_ == 0 && !format_) {
    Warn("no conversion option specified");
  }
  if (format_ && !ParseFormat(*format_)) return false;
  if (!NumericLocaleOk()) {
    io_.unsupported = prog_ + " in a locale with its own decimal point or digit grouping";
    return false;
  }
  if (grouping_) {
    if (scale_to_ != Scale::kNone) return Die("grouping cannot be combined with --to");
    // NumericLocaleOk: the locale has no thousands separator.
    if (debug_) Warn("grouping has no effect in this locale");
  }
  // Widths beyond what a command line may sensibly ask for are refused
  // rather than built.
  constexpr long kMaxWidth = 1 << 20;
  if (padding_width_ > kMaxWidth) {
    io_.unsupported = prog_ + " with a padding width of " + std::to_string(padding_width_);
    return false;
  }
  auto_padding_ = padding_width_ == 0 && !delimiter_;
  *operands = std::move(parsed.operands);
  return true;
}

bool Numfmt::IncludeField(uintmax_t field) const {
  if (!fields_given_) return field == 1;
  for (const FieldRange& r : fields_) {
    if (r.lo <= field && r.hi >= field) return true;
  }
  return false;
}

// simple_strtod_int: [-]digits, the value accumulated digit by digit.
Parse Numfmt::StrtodInt(size_t str, size_t* end, long double* value, bool* negative) {
  Parse e = Parse::kOk;
  long double val = 0;
  unsigned digits = 0;
  bool found_digit = false;
  *negative = At(str) == '-';
  if (*negative) ++str;
  *end = str;
  while (IsDigit(At(*end))) {
    int digit = At(*end) - '0';
    found_digit = true;
    if (val != 0 || digit != 0) ++digits;
    if (digits > kMaxUnscaledDigits) e = Parse::kPrecisionLoss;
    if (digits > kMaxAcceptableDigits) return Parse::kOverflow;
    val *= 10;
    val += digit;
    ++*end;
  }
  if (!found_digit && At(*end) != '.') return Parse::kInvalidNumber;
  if (*negative) val = -val;
  *value = val;
  return e;
}

// simple_strtod_float: NNN[.NNN]; *precision counts the fraction digits.
Parse Numfmt::StrtodFloat(size_t str, size_t* end, long double* value, size_t* precision) {
  *precision = 0;
  bool negative = false;
  Parse e = StrtodInt(str, end, value, &negative);
  if (!Parsed(e)) return e;
  if (At(*end) == '.') {
    ++*end;
    size_t end2 = 0;
    long double frac = 0;
    bool negative_frac = false;
    Parse e2 = StrtodInt(*end, &end2, &frac, &negative_frac);
    if (!Parsed(e2)) return e2;
    if (e2 == Parse::kPrecisionLoss) e = e2;
    if (negative_frac) return Parse::kInvalidNumber;
    size_t exponent = end2 - *end;
    frac = frac / PowerLd(10, static_cast<unsigned>(exponent));
    if (negative) {
      *value -= frac;
    } else {
      *value += frac;
    }
    *precision = exponent;
    *end = end2;
  }
  return e;
}

// simple_strtod_human: the number, blanks, and a suffix letter as --from
// allows. The terminating NUL passes for a suffix letter of power 0 (it is
// in strchr's reach), which is how bytes past it come to be read.
Parse Numfmt::StrtodHuman(size_t str, size_t* end, long double* value, size_t* precision) {
  unsigned power = 0;
  unsigned scale_base = DefaultScaleBase(scale_from_);
  Parse e = StrtodFloat(str, end, value, precision);
  if (!Parsed(e)) return e;
  if (At(*end) != '\0') {
    while (IsBlank(At(*end))) ++*end;
    char c = At(*end);
    size_t letter = c == '\0' ? std::string_view::npos : kSuffixLetters.find(c);
    if (c != '\0' && letter == std::string_view::npos) return Parse::kInvalidSuffix;
    if (scale_from_ == Scale::kNone) return Parse::kForbiddenSuffix;
    power = c == '\0' ? 0 : static_cast<unsigned>(letter) + 1;
    ++*end;
    if (scale_from_ == Scale::kAuto && At(*end) == 'i') {
      scale_base = 1024;
      ++*end;
    }
    *precision = 0;
  }
  if (scale_from_ == Scale::kIecI) {
    if (At(*end) != 'i') return Parse::kMissingI;
    ++*end;
  }
  long double multiplier = PowerLd(static_cast<long double>(scale_base), power);
  *value = *value * multiplier;
  return e;
}

// parse_human_number: the number and nothing after it.
Parse Numfmt::ParseHumanNumber(size_t str, long double* value, size_t* precision) {
  size_t end = 0;
  Parse e = StrtodHuman(str, &end, value, precision);
  if (!Parsed(e)) {
    std::string message = ParseMessage(e);
    message.replace(message.find("%s"), 2, Quote(CStr(str)));
    ConversionError(message);
    return e;
  }
  if (At(end) != '\0') {
    ConversionError("invalid suffix in input " + Quote(CStr(str)) + ": " + Quote(CStr(end)));
    e = Parse::kInvalidSuffix;
  }
  return e;
}

// process_suffixed_number: --suffix cut off, blanks skipped, the padding
// width of automatic padding taken from the field as it stands.
bool Numfmt::ProcessSuffixedNumber(size_t text, uintmax_t field, long double* result,
                                   size_t* precision) {
  size_t len = std::strlen(buf_.bytes.c_str() + text);
  if (suffix_ && len > suffix_->size()) {
    size_t at = text + len - suffix_->size();
    if (buf_.bytes.compare(at, suffix_->size(), *suffix_) == 0) {
      buf_.bytes[at] = '\0';
      len -= suffix_->size();
    }
  }
  size_t p = text;
  while (buf_.bytes[p] != '\0' && IsBlank(buf_.bytes[p])) ++p;
  if (auto_padding_) padding_width_ = (p != text || field > 1) ? static_cast<long>(len) : 0;
  long double val = 0;
  Parse e = ParseHumanNumber(p, &val, precision);
  if (stopped_ || overrun_) return false;
  if (e == Parse::kPrecisionLoss && debug_) {
    Warn("large input value " + Quote(CStr(p)) + ": possible precision loss");
  }
  if (from_unit_ != 1 || to_unit_ != 1) {
    val = (val * static_cast<long double>(from_unit_)) / static_cast<long double>(to_unit_);
  }
  *result = val;
  return Parsed(e);
}

// double_to_human: the number as printf prints it, scaled to --to with
// its suffix letter, into at most kBufSize - 1 bytes (else numfmt dies).
bool Numfmt::DoubleToHuman(long double val, int precision, std::string* out) {
  // The grouping flag (') is left out: the locale has no thousands
  // separator (NumericLocaleOk), so printf would ignore it.
  std::string fmt = "%";
  if (zero_padding_width_ != 0) fmt += "0" + std::to_string(zero_padding_width_);
  auto fail = [&](long double v) {
    Die("failed to prepare value '" + FormatLd("%Lf", v) + "' for printing");
    return false;
  };
  // Output this long would not fit numfmt's buffer anyway.
  auto too_wide = [&](long prec) { return prec > 200 || zero_padding_width_ > 200; };
  char buf[512];
  CNumericScope c_numeric;
  if (scale_to_ == Scale::kNone) {
    val *= PowerLd(10, static_cast<unsigned>(precision));
    val = SimpleRound(val, round_);
    val /= PowerLd(10, static_cast<unsigned>(precision));
    if (too_wide(precision)) return fail(val);
    fmt += ".*Lf";
    int n = std::snprintf(buf, sizeof buf, fmt.c_str(), precision, val);
    if (n < 0 || n >= kBufSize) return fail(val);
    *out = std::string(buf, static_cast<size_t>(n));
    return true;
  }
  unsigned scale_base = DefaultScaleBase(scale_to_);
  unsigned power = 0;
  val = ExpLd(val, scale_base, &power);
  unsigned power_adjust = 0;
  if (user_precision_ != -1) {
    power_adjust = static_cast<unsigned>(std::min<long>(power * 3, user_precision_));
  } else if (AbsLd(val) < 10) {
    // Below 10 one decimal digit is shown: round at it.
    power_adjust = 1;
  }
  val *= PowerLd(10, power_adjust);
  val = SimpleRound(val, round_);
  val /= PowerLd(10, power_adjust);
  // 999.9 may have become 1000.
  if (AbsLd(val) >= scale_base) {
    val /= scale_base;
    ++power;
  }
  bool show_decimal_point = val != 0 && AbsLd(val) < 10 && power > 0;
  int prec = user_precision_ == -1 ? static_cast<int>(show_decimal_point)
                                   : static_cast<int>(user_precision_);
  if (too_wide(prec)) return fail(val);
  fmt += ".*Lf%s";
  int n = std::snprintf(buf, sizeof buf, fmt.c_str(), prec, val, SuffixPowerChar(power));
  if (n < 0 || n >= kBufSize - 1) return fail(val);
  *out = std::string(buf, static_cast<size_t>(n));
  if (scale_to_ == Scale::kIecI && power > 0) *out += 'i';
  return true;
}

// prepare_padded_number: the checks on the size of the value, then the
// number with --suffix, aligned to the padding width. Appends nothing and
// returns false when the value cannot be printed.
bool Numfmt::PreparePaddedNumber(long double val, size_t precision) {
  size_t precision_used = user_precision_ == -1 ? precision : static_cast<size_t>(user_precision_);
  unsigned x = 0;
  ExpLd(val, 10, &x);
  if (scale_to_ == Scale::kNone && x + precision_used > kMaxUnscaledDigits) {
    if (precision_used != 0) {
      ConversionError(FormatLd("value/precision too large to be printed: '%Lg/", val) +
                      std::to_string(precision_used) + "' (consider using --to)");
    } else {
      ConversionError(FormatLd("value too large to be printed: '%Lg' (consider using --to)", val));
    }
    return false;
  }
  if (x > kMaxAcceptableDigits - 1) {
    ConversionError(
        FormatLd("value too large to be printed: '%Lg' (cannot handle values > 999Y)", val));
    return false;
  }
  std::string number;
  if (precision_used > static_cast<size_t>(INT32_MAX)) {
    io_.unsupported = prog_ + " with a precision of " + std::to_string(precision_used);
    return false;
  }
  if (!DoubleToHuman(val, static_cast<int>(precision_used), &number)) return false;
  if (suffix_) number += suffix_->substr(0, kBufSize - 1 - std::min<size_t>(number.size(), 127));
  std::string line = format_prefix_;
  size_t width = static_cast<size_t>(padding_width_);
  if (padding_width_ != 0 && number.size() < width) {
    if (align_left_) {
      line += number;
      line.append(width - number.size(), ' ');
    } else {
      line.append(width - number.size(), ' ');
      line += number;
    }
  } else {
    line += number;
  }
  line += format_suffix_;
  io_.out += line;
  return true;
}

// process_field: a selected field converted (or, when it is not a number,
// printed as numfmt left it); the others as they are.
bool Numfmt::ProcessField(size_t text, uintmax_t field) {
  if (!IncludeField(field)) {
    io_.out += CStr(text);
    return true;
  }
  long double val = 0;
  size_t precision = 0;
  bool valid = ProcessSuffixedNumber(text, field, &val, &precision);
  if (stopped_ || overrun_) return false;
  if (valid) valid = PreparePaddedNumber(val, precision);
  if (stopped_ || !io_.unsupported.empty()) return false;
  if (!valid) io_.out += CStr(text);
  return valid;
}

// process_line: the fields of the C string at `start`, each followed by
// its delimiter (a space where blanks separated them), then the line's end.
// Returns with stopped_/overrun_ set when numfmt stopped.
void Numfmt::ProcessLine(size_t start, bool newline) {
  std::string& b = buf_.bytes;
  size_t line = start;
  uintmax_t field = 0;
  bool valid = true;
  auto separates = [](char c) { return IsBlank(c) || c == '\n'; };
  while (true) {
    ++field;
    size_t next = line;
    size_t end = next;
    if (delimiter_) {
      if (b[end] != *delimiter_) {
        while (b[end] != '\0' && b[end] != *delimiter_) ++end;
      }
    } else {
      // Leading blanks belong to the field.
      while (b[end] != '\0' && separates(b[end])) ++end;
      while (b[end] != '\0' && !separates(b[end])) ++end;
    }
    line = end;
    if (b[line] != '\0') {
      b[line] = '\0';
      if (!ProcessField(next, field)) valid = false;
      if (stopped_ || overrun_ || !io_.unsupported.empty()) return;
      io_.out += delimiter_ ? *delimiter_ : ' ';
      ++line;
    } else {
      if (!ProcessField(next, field)) valid = false;
      if (stopped_ || overrun_ || !io_.unsupported.empty()) return;
      break;
    }
  }
  if (newline) io_.out += line_delim_;
  if (!valid) any_invalid_ = true;
}

void Numfmt::Run() {
  std::vector<std::string> operands;
  if (!ParseArguments(&operands)) return;
  auto finish_overrun = [&]() {
    io_.unsupported = prog_ + " reading past the end of a number followed by blanks";
  };
  if (!operands.empty()) {
    if (debug_ && header_ != 0) Warn("--header ignored with command-line input");
    for (const std::string& operand : operands) {
      // An operand ends at its NUL; what follows in memory is unknown.
      buf_.bytes = operand;
      buf_.bytes += '\0';
      buf_.known = buf_.bytes.size();
      ProcessLine(0, true);
      if (overrun_) return finish_overrun();
      if (stopped_ || !io_.unsupported.empty()) return;
      if (io_.OutputEnough()) return;
    }
  } else {
    std::string_view in = io_.stdin_data;
    size_t pos = 0;
    // getdelim: the next line, its delimiter included, copied to the start
    // of the buffer and NUL-terminated; the buffer keeps the bytes of
    // longer lines before it beyond that.
    auto next_line = [&](size_t* len) {
      if (pos >= in.size()) return false;
      size_t e = in.find(line_delim_, pos);
      e = e == std::string_view::npos ? in.size() : e + 1;
      *len = e - pos;
      if (buf_.bytes.size() < *len + 1) buf_.bytes.resize(*len + 1);
      buf_.bytes.replace(0, *len, in.data() + pos, *len);
      buf_.bytes[*len] = '\0';
      buf_.known = buf_.bytes.size();
      pos = e;
      return true;
    };
    size_t len = 0;
    for (; header_ > 0; --header_) {
      if (!next_line(&len)) break;
      // fputs: the line up to its first NUL.
      io_.out += std::string_view(buf_.bytes.c_str());
      if (io_.OutputEnough()) return;
    }
    while (next_line(&len)) {
      bool newline = buf_.bytes[len - 1] == line_delim_;
      if (newline) buf_.bytes[len - 1] = '\0';
      ProcessLine(0, newline);
      if (overrun_) return finish_overrun();
      if (stopped_ || !io_.unsupported.empty()) return;
      if (io_.OutputEnough()) return;
    }
  }
  if (debug_ && any_invalid_) Warn("failed to convert some of the input numbers");
  if (any_invalid_ && (invalid_ == Invalid::kAbort || invalid_ == Invalid::kFail)) {
    io_.status = 2;
  }
}

}  // namespace

void CmdNumfmt(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  Numfmt(argv, env, io).Run();
}

}  // namespace memhook::utils
