// The bash 5.2 builtins `printf` and `echo` (builtins/printf.def,
// builtins/echo.def, lib/sh/strtrans.c, lib/sh/shquote.c), byte-exact.
#include "shell/printf.h"

#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <cwchar>
#include <cwctype>
#include <string_view>

namespace memhook::shell {

namespace {

constexpr const char* kUsage = "printf: usage: printf [-v var] format [arguments]\n";

constexpr const char* kHelp =
    "printf: printf [-v var] format [arguments]\n"
    "    Formats and prints ARGUMENTS under control of the FORMAT.\n"
    "    \n"
    "    Options:\n"
    "      -v var\tassign the output to shell variable VAR rather than\n"
    "    \t\tdisplay it on the standard output\n"
    "    \n"
    "    FORMAT is a character string which contains three types of objects: plain\n"
    "    characters, which are simply copied to standard output; character escape\n"
    "    sequences, which are converted and copied to the standard output; and\n"
    "    format specifications, each of which causes printing of the next successive\n"
    "    argument.\n"
    "    \n"
    "    In addition to the standard format specifications described in printf(1),\n"
    "    printf interprets:\n"
    "    \n"
    "      %b\texpand backslash escape sequences in the corresponding argument\n"
    "      %q\tquote the argument in a way that can be reused as shell input\n"
    "      %Q\tlike %q, but apply any precision to the unquoted argument before\n"
    "    \t\tquoting\n"
    "      %(fmt)T\toutput the date-time string resulting from using FMT as a format\n"
    "    \t        string for strftime(3)\n"
    "    \n"
    "    The format is re-used as necessary to consume all of the arguments.  If\n"
    "    there are fewer arguments than the format requires,  extra format\n"
    "    specifications behave as if a zero value or null string, as appropriate,\n"
    "    had been supplied.\n"
    "    \n"
    "    Exit Status:\n"
    "    Returns success unless an invalid option is given or a write or assignment\n"
    "    error occurs.\n";

bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsXDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// bash's u32cconv: a code point as the locale's multibyte sequence.
std::string EncodeCodePoint(unsigned long value) {
  char buf[MB_LEN_MAX + 1];
  std::mbstate_t state{};
  size_t n = std::wcrtomb(buf, static_cast<wchar_t>(value), &state);
  if (n != static_cast<size_t>(-1)) return std::string(buf, n);
  // Not representable: bash prints the escape back.
  char esc[32];
  if (value <= 0xffff) {
    std::snprintf(esc, sizeof esc, "\\u%04lX", value);
  } else {
    std::snprintf(esc, sizeof esc, "\\U%08lX", value);
  }
  return esc;
}

// tescape(): one backslash escape starting at text[pos] (the character
// after the backslash). Appends the translation to *out and returns the
// number of characters consumed (0: the backslash is output as is and the
// character after it is processed normally). `for_b` is bash's SAWC:
// %b semantics (\c, \0NNN, \' \" \? not escapes).
size_t TEscape(std::string_view text, size_t pos, bool for_b, std::string* out, bool* saw_c,
               std::vector<std::string>* errors) {
  size_t p = pos;
  char c = p < text.size() ? text[p] : '\0';
  ++p;
  auto at = [&text](size_t i) { return i < text.size() ? text[i] : '\0'; };
  switch (c) {
    case 'a':
      *out += '\a';
      break;
    case 'b':
      *out += '\b';
      break;
    case 'e':
    case 'E':
      *out += '\033';
      break;
    case 'f':
      *out += '\f';
      break;
    case 'n':
      *out += '\n';
      break;
    case 'r':
      *out += '\r';
      break;
    case 't':
      *out += '\t';
      break;
    case 'v':
      *out += '\v';
      break;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      int value = c - '0';
      int temp = 2 + ((value == 0 && for_b) ? 1 : 0);
      while (IsOctal(at(p)) && temp-- > 0) {
        value = value * 8 + (at(p) - '0');
        ++p;
      }
      *out += static_cast<char>(value & 0xff);
      break;
    }
    case 'x': {
      int value = 0, temp = 2;
      while (IsXDigit(at(p)) && temp-- > 0) {
        value = value * 16 + HexValue(at(p));
        ++p;
      }
      if (p == pos + 1) {
        errors->push_back("printf: missing hex digit for \\x\n");
        *out += '\\';
        return 0;
      }
      *out += static_cast<char>(value & 0xff);
      break;
    }
    case 'u':
    case 'U': {
      int temp = c == 'u' ? 4 : 8;
      unsigned long value = 0;
      while (IsXDigit(at(p)) && temp-- > 0) {
        value = value * 16 + static_cast<unsigned long>(HexValue(at(p)));
        ++p;
      }
      if (p == pos + 1) {
        errors->push_back(std::string("printf: missing unicode digit for \\") + c + "\n");
        *out += '\\';
        return 0;
      }
      if (value <= 0x7f) {
        *out += static_cast<char>(value);
      } else {
        *out += EncodeCodePoint(value);
      }
      break;
    }
    case '\\':
      *out += '\\';
      break;
    case '\'':
    case '"':
    case '?':
      if (!for_b) {
        *out += c;
      } else {
        *out += '\\';
        return 0;
      }
      break;
    case 'c':
      if (for_b) {
        *saw_c = true;
        break;
      }
      [[fallthrough]];
    default:
      *out += '\\';
      return 0;
  }
  return p - pos;
}

// bexpand(): the escapes of a %b argument. Stops at \c (sets *saw_c).
std::string BExpand(std::string_view s, bool* saw_c, std::vector<std::string>* errors) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' || i + 1 >= s.size()) {
      r += c;
      continue;
    }
    bool c_seen = false;
    std::string piece;
    i += TEscape(s, i + 1, true, &piece, &c_seen, errors);
    if (c_seen) {
      *saw_c = true;
      break;
    }
    r += piece;
  }
  return r;
}

// printstr(): %s-like output of `s` honouring the '-' flag, a field width
// and a precision from `spec` (the conversion without '%' and its letter).
std::string PrintStr(std::string_view spec, std::string_view s, bool have_width, int width,
                     bool have_precision, int precision) {
  size_t i = 0;
  bool ljust = false;
  long long fw = 0, pr = -1;
  while (i < spec.size() && std::strchr("#'-+ 0", spec[i]) != nullptr) {
    if (spec[i] == '-') ljust = true;
    ++i;
  }
  if (i < spec.size() && spec[i] == '*') {
    ++i;
    fw = have_width ? width : 0;
    if (fw < 0) {
      fw = -fw;
      ljust = true;
    }
  } else if (i < spec.size() && IsDigit(spec[i])) {
    long long m = 0;
    while (i < spec.size() && IsDigit(spec[i])) {
      m = m * 10 + (spec[i++] - '0');
      if (m > INT_MAX) m = INT_MAX;
    }
    fw = m;
  }
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    if (i < spec.size() && spec[i] == '*') {
      ++i;
      pr = have_precision ? precision : -1;
    } else if (i < spec.size() && IsDigit(spec[i])) {
      long long m = 0;
      while (i < spec.size() && IsDigit(spec[i])) {
        m = m * 10 + (spec[i++] - '0');
        if (m > INT_MAX) m = INT_MAX;
      }
      pr = m;
    } else {
      pr = 0;
    }
  }
  long long len = static_cast<long long>(s.size());
  long long nc = (pr >= 0 && pr <= len) ? pr : len;
  long long pad = fw - nc;
  if (pad < 0) pad = 0;
  std::string out;
  if (!ljust) out.append(static_cast<size_t>(pad), ' ');
  out.append(s.substr(0, static_cast<size_t>(nc)));
  if (ljust) out.append(static_cast<size_t>(pad), ' ');
  return out;
}

// bash's sh_invalidnum.
std::string InvalidNumber(const std::string& s) {
  const char* msg = "invalid number";
  if (s.size() > 1 && s[0] == '0' && IsDigit(s[1])) {
    msg = "invalid octal number";
  } else if (s.size() > 1 && s[0] == '0' && s[1] == 'x') {
    msg = "invalid hex number";
  }
  return "printf: " + s + ": " + msg + "\n";
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || IsDigit(s[0])) return false;
  for (char c : s) {
    if (!(c == '_' || IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      return false;
    }
  }
  return true;
}

bool IsAssignableName(std::string_view s) {
  if (IsIdentifier(s)) return true;
  size_t bracket = s.find('[');
  return bracket != std::string_view::npos && bracket > 0 && s.size() > bracket + 2 &&
         s.back() == ']' && IsIdentifier(s.substr(0, bracket));
}

// The state of one printf run: the arguments and the diagnostics.
class Formatter {
 public:
  Formatter(const std::vector<std::string>& args, size_t first, long long now_s,
            BuiltinOutput* result)
      : args_(args), next_(first), now_s_(now_s), result_(result) {}

  bool HaveArg() const { return next_ < args_.size(); }
  size_t next() const { return next_; }

  std::string GetStr() { return HaveArg() ? args_[next_++] : std::string(); }

  char GetChr() {
    if (!HaveArg()) return '\0';
    const std::string& s = args_[next_++];
    return s.empty() ? '\0' : s[0];
  }

  // asciicode(): the code of the character after a leading quote.
  long long AsciiCode() {
    const std::string& s = args_[next_++];
    std::mbstate_t state{};
    wchar_t wc = 0;
    size_t n = std::mbrtowc(&wc, s.c_str() + 1, s.size() - 1, &state);
    if (s.size() > 1 && n != static_cast<size_t>(-1) && n != static_cast<size_t>(-2) && n > 0) {
      return static_cast<long long>(wc);
    }
    return s.size() > 1 ? static_cast<unsigned char>(s[1]) : 0;
  }

  void Erange(const std::string& s) {
    result_->errors.push_back("printf: warning: " + s + ": " + std::strerror(ERANGE) + "\n");
  }

  intmax_t GetIntMax() {
    if (!HaveArg()) return 0;
    const std::string& s = args_[next_];
    if (!s.empty() && (s[0] == '\'' || s[0] == '"')) return AsciiCode();
    errno = 0;
    char* end = nullptr;
    intmax_t value = std::strtoimax(s.c_str(), &end, 0);
    if (*end != '\0') {
      result_->errors.push_back(InvalidNumber(s));
      conversion_error_ = true;
    } else if (errno == ERANGE) {
      Erange(s);
    }
    ++next_;
    return value;
  }

  uintmax_t GetUintMax() {
    if (!HaveArg()) return 0;
    const std::string& s = args_[next_];
    if (!s.empty() && (s[0] == '\'' || s[0] == '"')) return static_cast<uintmax_t>(AsciiCode());
    errno = 0;
    char* end = nullptr;
    uintmax_t value = std::strtoumax(s.c_str(), &end, 0);
    if (*end != '\0') {
      result_->errors.push_back(InvalidNumber(s));
      conversion_error_ = true;
    } else if (errno == ERANGE) {
      Erange(s);
    }
    ++next_;
    return value;
  }

  long double GetFloatMax() {
    if (!HaveArg()) return 0;
    const std::string& s = args_[next_];
    if (!s.empty() && (s[0] == '\'' || s[0] == '"')) {
      return static_cast<long double>(AsciiCode());
    }
    errno = 0;
    char* end = nullptr;
    long double value = std::strtold(s.c_str(), &end);
    if (*end != '\0') {
      result_->errors.push_back(InvalidNumber(s));
      conversion_error_ = true;
    } else if (errno == ERANGE) {
      Erange(s);
    }
    ++next_;
    return value;
  }

  int GetInt() {
    if (!HaveArg()) return 0;
    intmax_t value = GetIntMax();
    // bash checks the range only when more arguments follow, and names the
    // next one in the warning (its argument pointer has moved on).
    if (!HaveArg()) return static_cast<int>(value);
    if (value > INT_MAX) {
      Erange(args_[next_]);
      value = INT_MAX;
    } else if (value < INT_MIN) {
      Erange(args_[next_]);
      value = INT_MIN;
    }
    return static_cast<int>(value);
  }

  // Runs the format once. Returns false when printf must stop (an error or
  // \c in %b), with *status set.
  bool RunFormat(const std::string& format, int* status);

  bool conversion_error() const { return conversion_error_; }

 private:
  // snprintf with a format built from validated pieces.
  template <typename... T>
  void Emit(const std::string& fmt, bool have_width, int width, bool have_precision,
            int precision, T... value) {
    int n;
    if (have_width && have_precision) {
      n = std::snprintf(nullptr, 0, fmt.c_str(), width, precision, value...);
    } else if (have_width) {
      n = std::snprintf(nullptr, 0, fmt.c_str(), width, value...);
    } else if (have_precision) {
      n = std::snprintf(nullptr, 0, fmt.c_str(), precision, value...);
    } else {
      n = std::snprintf(nullptr, 0, fmt.c_str(), value...);
    }
    if (n <= 0) return;
    std::string buf(static_cast<size_t>(n) + 1, '\0');
    if (have_width && have_precision) {
      std::snprintf(buf.data(), buf.size(), fmt.c_str(), width, precision, value...);
    } else if (have_width) {
      std::snprintf(buf.data(), buf.size(), fmt.c_str(), width, value...);
    } else if (have_precision) {
      std::snprintf(buf.data(), buf.size(), fmt.c_str(), precision, value...);
    } else {
      std::snprintf(buf.data(), buf.size(), fmt.c_str(), value...);
    }
    buf.resize(static_cast<size_t>(n));
    result_->out += buf;
  }

  const std::vector<std::string>& args_;
  size_t next_;
  long long now_s_;
  BuiltinOutput* result_;
  bool conversion_error_ = false;
};

bool Formatter::RunFormat(const std::string& format, int* status) {
  std::string& out = result_->out;
  const size_t n = format.size();
  for (size_t i = 0; i < n; ++i) {
    char ch = format[i];
    if (ch == '\\') {
      bool unused = false;
      size_t used = TEscape(format, i + 1, false, &out, &unused, &result_->errors);
      i += used;  // the loop's ++i moves past the escape
      if (used == 0 && i + 1 >= n) break;
      continue;
    }
    if (ch != '%') {
      out += ch;
      continue;
    }
    const size_t start = i++;
    if (i < n && format[i] == '%') {
      out += '%';
      continue;
    }
    bool have_width = false, have_precision = false;
    int width = 0, precision = 0;
    while (i < n && std::strchr("#'-+ 0", format[i]) != nullptr) ++i;
    if (i < n && format[i] == '*') {
      ++i;
      have_width = true;
      width = GetInt();
    } else {
      while (i < n && IsDigit(format[i])) ++i;
    }
    if (i < n && format[i] == '.') {
      ++i;
      if (i < n && format[i] == '*') {
        ++i;
        have_precision = true;
        precision = GetInt();
      } else {
        if (i < n && format[i] == '-') ++i;
        while (i < n && IsDigit(format[i])) ++i;
      }
    }
    const size_t modstart = i;
    while (i < n && std::strchr("hjlLtz", format[i]) != nullptr) ++i;
    if (i >= n) {
      result_->errors.push_back("printf: `" + format.substr(start) + "': missing format character\n");
      *status = 1;
      return false;
    }
    const char conv = format[i];
    // The conversion as bash hands it to printf(3): length modifiers removed.
    const std::string spec = format.substr(start, modstart - start);  // "%-5.2" etc.
    const std::string spec_body = spec.substr(1);
    switch (conv) {
      case 'c': {
        char c = GetChr();
        Emit(spec + "c", have_width, width, have_precision, precision, static_cast<int>(c));
        break;
      }
      case 's': {
        std::string s = GetStr();
        Emit(spec + "s", have_width, width, have_precision, precision, s.c_str());
        break;
      }
      case '(': {
        // %(fmt)T
        size_t j = i + 1;
        int depth = 1;
        std::string timefmt;
        while (j < n) {
          if (format[j] == '(') {
            ++depth;
          } else if (format[j] == ')') {
            --depth;
          }
          if (depth == 0) break;
          timefmt += format[j++];
        }
        // j is at ')' or the end; the conversion letter follows.
        ++j;
        char tch = j < n ? format[j] : '\0';
        if (tch != 'T') {
          result_->errors.push_back(std::string("printf: warning: `") +
                                    std::string(1, tch) +
                                    "': invalid time format specification\n");
          out += '%';
          i = start;
          continue;
        }
        i = j;
        if (timefmt.empty()) timefmt = "%X";
        long long arg = HaveArg() ? static_cast<long long>(GetIntMax()) : -1;
        time_t secs = (arg == -1 || arg == -2) ? static_cast<time_t>(now_s_)
                                               : static_cast<time_t>(arg);
        struct tm tm_value;
        struct tm* tm = localtime_r(&secs, &tm_value);
        if (tm == nullptr) {
          secs = 0;
          tm = localtime_r(&secs, &tm_value);
        }
        char timebuf[128];
        size_t len = tm != nullptr ? std::strftime(timebuf, sizeof timebuf, timefmt.c_str(), tm) : 0;
        out += PrintStr(spec_body, std::string_view(timebuf, len), have_width, width,
                        have_precision, precision);
        break;
      }
      case 'n':
        // %n assigns the count so far to a variable: not representable here;
        // consume the argument like bash does.
        GetStr();
        break;
      case 'b': {
        std::string arg = GetStr();
        bool saw_c = false;
        std::string expanded = BExpand(arg, &saw_c, &result_->errors);
        out += PrintStr(spec_body, expanded, have_width, width, have_precision, precision);
        if (saw_c) {
          *status = 0;
          return false;
        }
        break;
      }
      case 'q':
      case 'Q': {
        std::string arg = GetStr();
        if (conv == 'Q') {
          // The precision applies to the unquoted argument.
          // bash 5.2 reads only a literal precision here; `.*` consumes its
          // argument and then applies no precision at all.
          long long pr = -1;
          if (!have_precision) {
            size_t dot = spec_body.find('.');
            if (dot != std::string::npos) {
              pr = 0;
              for (size_t k = dot + 1; k < spec_body.size() && IsDigit(spec_body[k]); ++k) {
                pr = std::min<long long>(pr * 10 + (spec_body[k] - '0'), INT_MAX);
              }
              if (dot + 1 < spec_body.size() && spec_body[dot + 1] == '-') pr = -1;
            }
          }
          if (pr >= 0 && static_cast<size_t>(pr) < arg.size()) arg.resize(static_cast<size_t>(pr));
          std::string quoted = QuoteForShell(arg);
          // Width only: the precision was used up.
          std::string no_precision = spec_body.substr(0, spec_body.find('.'));
          out += PrintStr(no_precision, quoted, have_width, width, false, 0);
        } else {
          out += PrintStr(spec_body, QuoteForShell(arg), have_width, width, have_precision,
                          precision);
        }
        break;
      }
      case 'd':
      case 'i': {
        intmax_t v = GetIntMax();
        Emit(spec + "j" + conv, have_width, width, have_precision, precision, v);
        break;
      }
      case 'o':
      case 'u':
      case 'x':
      case 'X': {
        uintmax_t v = GetUintMax();
        Emit(spec + "j" + conv, have_width, width, have_precision, precision, v);
        break;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
      case 'a':
      case 'A': {
        long double v = GetFloatMax();
        Emit(spec + "L" + conv, have_width, width, have_precision, precision, v);
        break;
      }
      default:
        result_->errors.push_back(std::string("printf: `") + conv + "': invalid format character\n");
        *status = 1;
        return false;
    }
  }
  return true;
}

bool IsPrintableAscii(unsigned char c) { return c >= 0x20 && c < 0x7f; }

// ansic_shouldquote().
bool ShouldAnsiQuote(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // ansic_wshouldquote on the rest of the string.
      std::mbstate_t state{};
      size_t j = i;
      while (j < s.size()) {
        wchar_t wc;
        size_t k = std::mbrtowc(&wc, s.data() + j, s.size() - j, &state);
        if (k == static_cast<size_t>(-1) || k == static_cast<size_t>(-2)) return true;
        if (k == 0) break;
        if (!std::iswprint(static_cast<wint_t>(wc))) return true;
        j += k;
      }
      return false;
    }
    if (!IsPrintableAscii(c)) return true;
  }
  return false;
}

// ansic_quote().
std::string AnsiQuote(std::string_view s) {
  std::string r = "$'";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char esc = 0;
    switch (c) {
      case 0x1b:
        esc = 'E';
        break;
      case '\a':
        esc = 'a';
        break;
      case '\v':
        esc = 'v';
        break;
      case '\b':
        esc = 'b';
        break;
      case '\f':
        esc = 'f';
        break;
      case '\n':
        esc = 'n';
        break;
      case '\r':
        esc = 'r';
        break;
      case '\t':
        esc = 't';
        break;
      case '\\':
      case '\'':
        esc = static_cast<char>(c);
        break;
      default:
        break;
    }
    if (esc != 0) {
      r += '\\';
      r += esc;
      continue;
    }
    size_t clen = 1;
    bool printable;
    if (c >= 0x80) {
      std::mbstate_t state{};
      wchar_t wc;
      clen = std::mbrtowc(&wc, s.data() + i, s.size() - i, &state);
      printable = clen != static_cast<size_t>(-1) && clen != static_cast<size_t>(-2) &&
                  clen != 0 && std::iswprint(static_cast<wint_t>(wc));
    } else {
      printable = IsPrintableAscii(c);
    }
    if (!printable) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      r += buf;
      continue;
    }
    r.append(s.substr(i, clen));
    i += clen - 1;
  }
  r += '\'';
  return r;
}

bool BackslashTable(unsigned char c) {
  switch (c) {
    case '\t':
    case '\n':
    case ' ':
    case '!':
    case '"':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case ',':
    case ';':
    case '<':
    case '>':
    case '?':
    case '[':
    case '\\':
    case ']':
    case '^':
    case '`':
    case '{':
    case '|':
    case '}':
      return true;
    default:
      return false;
  }
}

// sh_backslash_quote(string, NULL, 3).
std::string BackslashQuote(std::string_view s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::mbstate_t state{};
      wchar_t wc;
      size_t k = std::mbrtowc(&wc, s.data() + i, s.size() - i, &state);
      if (k == static_cast<size_t>(-1) || k == static_cast<size_t>(-2) || k == 0) k = 1;
      r.append(s.substr(i, k));
      i += k - 1;
      continue;
    }
    if (BackslashTable(c)) {
      r += '\\';
    } else if (c == '#' && i == 0) {
      r += '\\';
    } else if (c == '~' && (i == 0 || s[i - 1] == ':' || s[i - 1] == '=')) {
      r += '\\';
    }
    r += static_cast<char>(c);
  }
  return r;
}

}  // namespace

std::string QuoteForShell(const std::string& word) {
  if (word.empty()) return "''";
  if (ShouldAnsiQuote(word)) return AnsiQuote(word);
  return BackslashQuote(word);
}

BuiltinOutput Printf(const std::vector<std::string>& argv, long long now_s) {
  BuiltinOutput result;
  auto usage = [&result]() {
    result.unprefixed.push_back(result.errors.size());
    result.errors.push_back(kUsage);
    result.status = 2;
    return result;
  };
  size_t i = 1;
  std::string vname;
  bool vflag = false;
  // internal_getopt(list, "v:")
  while (i < argv.size()) {
    const std::string& w = argv[i];
    if (w.size() < 2 || w[0] != '-') break;
    if (w == "--") {
      ++i;
      break;
    }
    if (w == "--help") {
      result.out = kHelp;
      result.status = 2;
      return result;
    }
    if (w[1] == '-') {
      result.errors.push_back("printf: --: invalid option\n");
      return usage();
    }
    for (size_t k = 1; k < w.size(); ++k) {
      if (w[k] != 'v') {
        result.errors.push_back(std::string("printf: -") + w[k] + ": invalid option\n");
        return usage();
      }
      if (k + 1 < w.size()) {
        vname = w.substr(k + 1);
      } else if (i + 1 < argv.size()) {
        vname = argv[++i];
      } else {
        result.errors.push_back("printf: -v: option requires an argument\n");
        return usage();
      }
      vflag = true;
      break;
    }
    ++i;
  }
  if (vflag && !IsAssignableName(vname)) {
    result.errors.push_back("printf: `" + vname + "': not a valid identifier\n");
    result.status = 2;
    return result;
  }
  if (i >= argv.size()) return usage();
  if (vflag) result.assign_to = vname;
  const std::string& format = argv[i];
  if (format.empty()) return result;
  const size_t first = i + 1;
  Formatter f(argv, first, now_s, &result);
  int status = 0;
  do {
    if (!f.RunFormat(format, &status)) {
      result.status = (status == 0 && f.conversion_error()) ? 1 : status;
      return result;
    }
  } while (f.HaveArg() && f.next() != first);
  result.status = f.conversion_error() ? 1 : 0;
  return result;
}

namespace {

// ansicstr(string, len, 1 /* echo */, &sawc, &rlen).
std::string EchoEscapes(std::string_view s, bool* saw_c) {
  std::string r;
  auto at = [&s](size_t i) { return i < s.size() ? s[i] : '\0'; };
  for (size_t i = 0; i < s.size();) {
    char c = s[i++];
    if (c != '\\' || i >= s.size()) {
      r += c;
      continue;
    }
    c = s[i++];
    switch (c) {
      case 'a':
        c = '\a';
        break;
      case 'v':
        c = '\v';
        break;
      case 'b':
        c = '\b';
        break;
      case 'e':
      case 'E':
        c = '\033';
        break;
      case 'f':
        c = '\f';
        break;
      case 'n':
        c = '\n';
        break;
      case 'r':
        c = '\r';
        break;
      case 't':
        c = '\t';
        break;
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        r += '\\';
        break;
      case '0': {
        int temp = 3, value = 0;
        while (IsOctal(at(i)) && temp-- > 0) value = value * 8 + (s[i++] - '0');
        c = static_cast<char>(value & 0xff);
        break;
      }
      case 'x': {
        int temp = 2, value = 0;
        while (IsXDigit(at(i)) && temp-- > 0) value = value * 16 + HexValue(s[i++]);
        if (temp == 2) {
          r += '\\';
          c = 'x';
        } else {
          c = static_cast<char>(value & 0xff);
        }
        break;
      }
      case 'u':
      case 'U': {
        int digits = c == 'u' ? 4 : 8, temp = digits;
        unsigned long value = 0;
        while (IsXDigit(at(i)) && temp-- > 0) {
          value = value * 16 + static_cast<unsigned long>(HexValue(s[i++]));
        }
        if (temp == digits) {
          r += '\\';
        } else if (value <= 0x7f) {
          c = static_cast<char>(value);
        } else {
          r += EncodeCodePoint(value);
          continue;
        }
        break;
      }
      case '\\':
        break;
      case '\'':
      case '"':
      case '?':
        r += '\\';
        break;
      case 'c':
        *saw_c = true;
        return r;
      default:
        r += '\\';
        break;
    }
    r += c;
  }
  return r;
}

}  // namespace

BuiltinOutput Echo(const std::vector<std::string>& argv) {
  BuiltinOutput result;
  bool newline = true, escapes = false;
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& w = argv[i];
    if (w.size() < 2 || w[0] != '-' ||
        w.find_first_not_of("neE", 1) != std::string::npos) {
      break;
    }
    for (size_t k = 1; k < w.size(); ++k) {
      if (w[k] == 'n') newline = false;
      if (w[k] == 'e') escapes = true;
      if (w[k] == 'E') escapes = false;
    }
  }
  for (; i < argv.size(); ++i) {
    if (escapes) {
      bool saw_c = false;
      result.out += EchoEscapes(argv[i], &saw_c);
      if (saw_c) return result;
    } else {
      result.out += argv[i];
    }
    if (i + 1 < argv.size()) result.out += ' ';
  }
  if (newline) result.out += '\n';
  return result;
}

}  // namespace memhook::shell
