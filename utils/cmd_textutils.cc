// The small text utilities, byte for byte as Debian 12 prints them: tr,
// paste, nl, tac, fold, fmt, expand and unexpand (GNU coreutils 9.1), rev
// (util-linux 2.38) and strings (GNU binutils 2.40).
//
// Every utility reads its operands through InputFile, in order, and most
// are written as stateful filters fed with the bytes as they are read, so
// that `tr a b < big | head -1` stops reading early. stdout reaches
// io.out as each program's buffering makes it reach the pipe (see Output),
// so that diagnostics and output interleave under 2>&1 as they do for the
// real programs. What cannot be reproduced exactly sets io.unsupported.
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "utils/getopt.h"
#include "utils/input.h"
#include "utils/regex_translate.h"
#include "utils/utils.h"

namespace memhook::utils {
namespace {

using gnu::Die;
using gnu::GivenOption;
using gnu::Getopt;
using gnu::kGetoptError;
using gnu::kHelp;
using gnu::kVersion;
using gnu::Option;
using gnu::ParseGetopt;
using gnu::UsageError;

// ------------------------------------------------------------ I/O

// stdout as the program's buffering makes it reach the pipe relative to
// its diagnostics. GNU's error() (coreutils) and binutils flush stdout
// before they write to stderr, so their output and messages interleave in
// program order (`block` 0: every byte goes to io.out at once). tac keeps
// its own 8192-byte buffer and util-linux's warn() does not flush, so for
// them output reaches io.out in whole blocks only, and the rest when the
// program exits: under 2>&1 their messages come first.
class Output {
 public:
  explicit Output(CommandIo& io, size_t block = 0) : io_(io), block_(block) {}
  ~Output() { Flush(); }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void Put(std::string_view bytes) {
    if (block_ == 0) {
      io_.out.append(bytes);
      return;
    }
    pending_.append(bytes);
    if (pending_.size() >= block_) Spill();
  }
  void Put(char c) { Put(std::string_view(&c, 1)); }
  void Put(size_t count, char c) { Put(std::string(count, c)); }
  void Flush() {
    if (!pending_.empty()) io_.out.append(std::move(pending_));
    pending_.clear();
  }
  // The reader of the pipe has all it wants (SIGPIPE would stop us).
  bool Enough() const { return io_.OutputEnough(); }

 private:
  void Spill() {
    size_t whole = pending_.size() - pending_.size() % block_;
    io_.out.append(std::string_view(pending_).substr(0, whole));
    pending_.erase(0, whole);
  }
  CommandIo& io_;
  size_t block_;
  std::string pending_;
};

// "-" (and /dev/stdin) read a second time: the pipe is at its end.
bool IsStdin(std::string_view name) {
  return name == "-" || name == "/dev/stdin" || name == "/dev/fd/0";
}

// Opens an operand; stdin named a second time reads as empty, as the pipe
// is then at its end.
InputFile::Open OpenOnce(InputFile& file, CommandEnv& env, CommandIo& io, const std::string& prog,
                         const std::string& name, bool* stdin_used) {
  if (IsStdin(name)) {
    if (*stdin_used) return file.OpenOperand(env, io, prog, "/dev/null");
    *stdin_used = true;
  }
  return file.OpenOperand(env, io, prog, name);
}

// Feeds the bytes of an opened operand to `consume` as they are read (a
// large memory file arrives as a growing prefix), and stops reading once
// the output is enough. False on a read error (file.error() says which).
template <typename Consume>
bool FeedFile(InputFile& file, const Output& out, Consume&& consume) {
  size_t done = 0;
  while (true) {
    std::string_view data = file.data();
    // In slices, so that a reader that has enough stops us soon.
    constexpr size_t kSlice = 16 * 1024;
    while (data.size() > done && !out.Enough()) {
      size_t n = std::min(kSlice, data.size() - done);
      consume(data.substr(done, n));
      done += n;
    }
    if (file.complete() || out.Enough()) return true;
    if (!file.Grow()) return file.error() == vfs::Status::Code::kOk;
  }
}

// The operands, or "-" when there are none.
std::vector<std::string> OperandsOrStdin(const std::vector<std::string>& operands) {
  return operands.empty() ? std::vector<std::string>{"-"} : operands;
}

bool IsPrintAscii(unsigned char c) { return c >= 0x20 && c < 0x7f; }

// ================================================================== tr

// The character classes of [:name:], as the C and C.UTF-8 locales define
// them for single bytes (ASCII only: bytes >= 0x80 belong to none).
struct CharClass {
  const char* name;
  bool (*member)(unsigned char);
};
constexpr CharClass kCharClasses[] = {
    {"alnum",
     [](unsigned char c) {
       return (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? true : c >= '0' && c <= '9';
     }},
    {"alpha", [](unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }},
    {"blank", [](unsigned char c) { return c == ' ' || c == '\t'; }},
    {"cntrl", [](unsigned char c) { return c < 0x20 || c == 0x7f; }},
    {"digit", [](unsigned char c) { return c >= '0' && c <= '9'; }},
    {"graph", [](unsigned char c) { return c > 0x20 && c < 0x7f; }},
    {"lower", [](unsigned char c) { return c >= 'a' && c <= 'z'; }},
    {"print", [](unsigned char c) { return c >= 0x20 && c < 0x7f; }},
    {"punct",
     [](unsigned char c) {
       return c > 0x20 && c < 0x7f && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
              !(c >= '0' && c <= '9');
     }},
    {"space", [](unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }},
    {"upper", [](unsigned char c) { return c >= 'A' && c <= 'Z'; }},
    {"xdigit",
     [](unsigned char c) {
       return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
     }},
};
constexpr int kLowerClass = 6;
constexpr int kUpperClass = 10;

// One construct of a tr SET.
struct TrElement {
  enum Kind { kChar, kRange, kClass, kEquiv, kRepeat } kind;
  unsigned char first = 0;  // kChar, kEquiv, kRepeat: the character; kRange: low end
  unsigned char last = 0;   // kRange: high end
  int cls = 0;              // kClass: index in kCharClasses
  uint64_t count = 0;       // kRepeat: 0 = "as many as needed" ([c*], [c*0])
  bool indefinite = false;  // kRepeat written [c*] or [c*0]
};

// GNU tr's make_printable_char / make_printable_str, for diagnostics.
std::string PrintableChar(unsigned char c) {
  if (IsPrintAscii(c)) return std::string(1, static_cast<char>(c));
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\%03o", c);
  return buf;
}
std::string PrintableStr(std::string_view s) {
  // Escapes tr's string printer knows by name; others are octal.
  static constexpr std::pair<char, const char*> kNamed[] = {
      {'\\', "\\\\"}, {'\a', "\\a"}, {'\b', "\\b"}, {'\f', "\\f"},
      {'\n', "\\n"},  {'\r', "\\r"}, {'\t', "\\t"}, {'\v', "\\v"}};
  std::string out;
  for (char ch : s) {
    const char* named = nullptr;
    for (const auto& [c, text] : kNamed) {
      if (c == ch) named = text;
    }
    out += named != nullptr ? std::string(named) : PrintableChar(static_cast<unsigned char>(ch));
  }
  return out;
}

// A SET with its escapes resolved: bytes, and which of them were escaped
// (an escaped '[' or '-' is an ordinary character).
struct Unquoted {
  std::string s;
  std::vector<bool> escaped;
  bool Is(size_t i, char c) const { return i < s.size() && s[i] == c && !escaped[i]; }
};

// tr's backslash escapes: \a \b \f \n \r \t \v \\, octal \ooo (a third
// digit that would pass \377 is left out, with a warning), a final lone
// backslash (kept, with a warning), \c for any other c.
Unquoted UnquoteSet(std::string_view arg, const std::string& prog, CommandIo& io) {
  static constexpr std::pair<char, char> kEscapes[] = {{'\\', '\\'}, {'a', '\a'}, {'b', '\b'},
                                                       {'f', '\f'},  {'n', '\n'}, {'r', '\r'},
                                                       {'t', '\t'},  {'v', '\v'}};
  Unquoted u;
  auto octal = [&](size_t i) { return i < arg.size() && arg[i] >= '0' && arg[i] <= '7'; };
  for (size_t i = 0; i < arg.size(); ++i) {
    if (arg[i] != '\\') {
      u.s += arg[i];
      u.escaped.push_back(false);
      continue;
    }
    if (i + 1 == arg.size()) {
      io.err += prog + ": warning: an unescaped backslash at end of string is not portable\n";
      u.s += '\\';
      u.escaped.push_back(false);
      continue;
    }
    char next = arg[i + 1];
    int value = next;
    if (octal(i + 1)) {
      value = next - '0';
      size_t used = 1;
      if (octal(i + 2)) {
        value = value * 8 + (arg[i + 2] - '0');
        used = 2;
        if (octal(i + 3)) {
          if (value * 8 + (arg[i + 3] - '0') < 256) {
            value = value * 8 + (arg[i + 3] - '0');
            used = 3;
          } else {
            io.err += prog + ": warning: the ambiguous octal escape \\" +
                      std::string(arg.substr(i + 1, 3)) +
                      " is being\n\tinterpreted as the 2-byte sequence \\0" +
                      std::string(arg.substr(i + 1, 2)) + ", " + arg[i + 3] + "\n";
          }
        }
      }
      i += used;
    } else {
      for (const auto& [letter, byte] : kEscapes) {
        if (letter == next) value = static_cast<unsigned char>(byte);
      }
      ++i;
    }
    u.s += static_cast<char>(value);
    u.escaped.push_back(true);
  }
  return u;
}

// Parses one SET into its constructs (build_spec_list). False after an
// error written to io.err.
bool ParseSet(std::string_view arg, const std::string& prog, CommandIo& io,
              std::vector<TrElement>* out) {
  Unquoted u = UnquoteSet(arg, prog, io);
  const std::string& s = u.s;
  const size_t len = s.size();
  // [c*n] / [c*] starting at `i` ('['): 0 found, -1 not this construct,
  // -2 a bad count (reported).
  auto bracketed_repeat = [&](size_t i, size_t* close) -> int {
    if (!u.Is(i + 2, '*')) return -1;
    for (size_t j = i + 3; j < len && !u.escaped[j]; ++j) {
      if (s[j] != ']') continue;
      std::string_view digits = std::string_view(s).substr(i + 3, j - i - 3);
      TrElement e{TrElement::kRepeat};
      e.first = static_cast<unsigned char>(s[i + 1]);
      if (!digits.empty()) {
        // Decimal, or octal with a leading 0; leading blanks and '+' are
        // accepted (strtoumax), anything after the digits is not.
        size_t k = 0;
        while (k < digits.size() && (digits[k] == ' ' || (digits[k] >= '\t' && digits[k] <= '\r')))
          ++k;
        if (k < digits.size() && digits[k] == '+') ++k;
        int base = digits[0] == '0' ? 8 : 10;
        bool ok = k < digits.size();
        uint64_t value = 0;
        for (; k < digits.size() && ok; ++k) {
          const int d = digits[k] - '0';
          const uint64_t ud = static_cast<uint64_t>(d);
          // Counts up to 2^64 - 2 are taken.
          ok = d >= 0 && d < base && value <= (UINT64_MAX - 1 - ud) / static_cast<uint64_t>(base);
          if (ok) value = value * static_cast<uint64_t>(base) + ud;
        }
        if (!ok) {
          io.err += prog + ": invalid repeat count " + QuoteLocale(PrintableStr(digits)) +
                    " in [c*n] construct\n";
          return -2;
        }
        e.count = value;
      }
      e.indefinite = e.count == 0;
      out->push_back(e);
      *close = j;
      return 0;
    }
    return -1;
  };
  size_t i = 0;
  while (i + 2 < len) {
    if (u.Is(i, '[')) {
      if (u.Is(i + 1, ':') || u.Is(i + 1, '=')) {
        char delim = s[i + 1];
        size_t close = std::string::npos;
        for (size_t j = i + 2; j + 1 < len; ++j) {
          if (u.Is(j, delim) && u.Is(j + 1, ']')) {
            close = j;
            break;
          }
        }
        if (close != std::string::npos) {
          std::string_view name = std::string_view(s).substr(i + 2, close - i - 2);
          if (name.empty()) {
            io.err += prog + (delim == ':' ? ": missing character class name '[::]'\n"
                                           : ": missing equivalence class character '[==]'\n");
            io.status = 1;
            return false;
          }
          bool valid = false;
          TrElement e{delim == ':' ? TrElement::kClass : TrElement::kEquiv};
          if (delim == ':') {
            for (size_t c = 0; c < std::size(kCharClasses); ++c) {
              if (name == kCharClasses[c].name) {
                e.cls = static_cast<int>(c);
                valid = true;
              }
            }
          } else if (name.size() == 1) {
            e.first = static_cast<unsigned char>(name[0]);
            valid = true;
          }
          if (valid) {
            out->push_back(e);
            i = close + 2;
            continue;
          }
          // [:*n] or [=*n]: a repeat of ':' or '=' after all.
          bool star_digits = u.Is(i + 2, '*');
          size_t k = i + 3;
          while (star_digits && k < len && !u.escaped[k] && s[k] >= '0' && s[k] <= '9') ++k;
          star_digits = star_digits && u.Is(k, ']');
          if (!star_digits) {
            if (delim == ':') {
              io.err +=
                  prog + ": invalid character class " + QuoteLocale(PrintableStr(name)) + "\n";
            } else {
              io.err += prog + ": " + PrintableStr(name) +
                        ": equivalence class operand must be a single character\n";
            }
            io.status = 1;
            return false;
          }
        }
      }
      size_t close = 0;
      int found = bracketed_repeat(i, &close);
      if (found == 0) {
        i = close + 1;
        continue;
      }
      if (found == -2) {
        io.status = 1;
        return false;
      }
    }
    if (u.Is(i + 1, '-')) {
      unsigned char lo = static_cast<unsigned char>(s[i]);
      unsigned char hi = static_cast<unsigned char>(s[i + 2]);
      if (lo > hi) {
        io.err += prog + ": range-endpoints of '" + PrintableChar(lo) + "-" + PrintableChar(hi) +
                  "' are in reverse collating sequence order\n";
        io.status = 1;
        return false;
      }
      TrElement e{TrElement::kRange};
      e.first = lo;
      e.last = hi;
      out->push_back(e);
      i += 3;
      continue;
    }
    TrElement e{TrElement::kChar};
    e.first = static_cast<unsigned char>(s[i]);
    out->push_back(e);
    ++i;
  }
  for (; i < len; ++i) {
    TrElement e{TrElement::kChar};
    e.first = static_cast<unsigned char>(s[i]);
    out->push_back(e);
  }
  return true;
}

uint64_t ElementLength(const TrElement& e) {
  switch (e.kind) {
    case TrElement::kRange:
      return static_cast<uint64_t>(e.last - e.first) + 1;
    case TrElement::kClass: {
      uint64_t n = 0;
      for (int c = 0; c < 256; ++c) n += kCharClasses[e.cls].member(static_cast<unsigned char>(c));
      return n;
    }
    case TrElement::kRepeat:
      return e.count;
    default:
      return 1;
  }
}

// Walks a SET's characters in order (get_next), telling when a [:upper:]
// or [:lower:] construct is being walked and when a construct starts.
class SetWalker {
 public:
  enum CaseClass { kNoCase, kUpper, kLower };
  explicit SetWalker(const std::vector<TrElement>& set) : set_(set) {}

  // The next character, or -1 at the end.
  int Next(CaseClass* case_class = nullptr) {
    if (case_class != nullptr) *case_class = kNoCase;
    while (element_ < set_.size()) {
      const TrElement& e = set_[element_];
      switch (e.kind) {
        case TrElement::kChar:
        case TrElement::kEquiv:
          Advance();
          return e.first;
        case TrElement::kRange: {
          int c = e.first + static_cast<int>(offset_);
          if (c >= e.last) {
            Advance();
          } else {
            ++offset_;
          }
          return c;
        }
        case TrElement::kRepeat:
          if (offset_ >= e.count) {
            Advance();
            continue;
          }
          if (++offset_ == e.count) Advance();
          return e.first;
        case TrElement::kClass: {
          if (case_class != nullptr) {
            if (e.cls == kUpperClass) *case_class = kUpper;
            if (e.cls == kLowerClass) *case_class = kLower;
          }
          // offset_ is the next byte value to test.
          int c = static_cast<int>(offset_);
          while (c < 256 && !kCharClasses[e.cls].member(static_cast<unsigned char>(c))) ++c;
          int next = c + 1;
          while (next < 256 && !kCharClasses[e.cls].member(static_cast<unsigned char>(next)))
            ++next;
          if (next >= 256) {
            Advance();
          } else {
            offset_ = static_cast<uint64_t>(next);
          }
          return c;
        }
      }
    }
    return -1;
  }
  // Skips the rest of the construct being walked (skip_construct).
  void SkipConstruct() {
    if (element_ < set_.size() && !AtNewElement()) Advance();
  }
  // The next call to Next() starts a construct.
  bool AtNewElement() const { return offset_ == 0; }

 private:
  void Advance() {
    ++element_;
    offset_ = 0;
  }
  const std::vector<TrElement>& set_;
  size_t element_ = 0;
  uint64_t offset_ = 0;
};

// Everything tr does to one byte stream, decided once from the SETs.
struct TrPlan {
  bool translate = false;
  std::array<unsigned char, 256> map{};
  std::array<bool, 256> remove{};
  std::array<bool, 256> squeeze{};
  bool squeezing = false;
  bool deleting = false;
};

enum TrOpt { kTrComplement, kTrDelete, kTrSqueeze, kTrTruncate, kTrIgnored };
const std::vector<Option> kTrOptions = {
    {'c', "complement", Option::kNone, kTrComplement},
    {'C', nullptr, Option::kNone, kTrComplement},
    {'d', "delete", Option::kNone, kTrDelete},
    {'s', "squeeze-repeats", Option::kNone, kTrSqueeze},
    {'t', "truncate-set1", Option::kNone, kTrTruncate},
    {'A', nullptr, Option::kNone, kTrIgnored},  // undocumented, accepted and ignored
    {'\0', "help", Option::kNone, kHelp},
    {'\0', "version", Option::kNone, kVersion},
};

// The set of bytes a SET names (set_initialize), complemented or not.
std::array<bool, 256> SetMembers(const std::vector<TrElement>& set, bool complement) {
  std::array<bool, 256> in{};
  for (const TrElement& e : set) {
    switch (e.kind) {
      case TrElement::kRange:
        for (int c = e.first; c <= e.last; ++c) in[static_cast<size_t>(c)] = true;
        break;
      case TrElement::kClass:
        for (int c = 0; c < 256; ++c)
          in[static_cast<size_t>(c)] |= kCharClasses[e.cls].member(static_cast<unsigned char>(c));
        break;
      case TrElement::kRepeat:
        if (e.count > 0) in[e.first] = true;
        break;
      default:
        in[e.first] = true;
    }
  }
  if (complement) {
    for (bool& b : in) b = !b;
  }
  return in;
}

// Validates the SETs as GNU tr does (in its order of checks) and builds
// the plan. False after an error (written, status 1).
bool PlanTr(std::vector<TrElement>& s1, std::vector<TrElement>* s2, bool complement, bool deleting,
            bool squeezing, bool truncate, const std::string& prog, CommandIo& io, TrPlan* plan) {
  const bool translating = s2 != nullptr && !deleting;
  auto fail = [&](const std::string& message) {
    Die(prog, message, io);
    return false;
  };
  // Lengths, with 128-bit headroom: repeat counts may be huge.
  // Lengths saturate: repeat counts may be huge.
  auto add = [](uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; };
  uint64_t len1 = 0;
  bool s1_class = false;
  for (const TrElement& e : s1) {
    if (e.kind == TrElement::kRepeat && e.indefinite) {
      return fail("the [c*] repeat construct may not appear in string1");
    }
    s1_class |= e.kind == TrElement::kClass;
    len1 = add(len1, ElementLength(e));
  }
  if (complement) {
    std::array<bool, 256> in = SetMembers(s1, true);
    len1 = static_cast<uint64_t>(std::count(in.begin(), in.end(), true));
  }
  if (len1 > (1u << 24)) {
    io.unsupported = prog + " with a SET1 of more than 2^24 characters";
    return false;
  }
  if (s2 != nullptr) {
    uint64_t len2 = 0;
    int indefinite = 0;
    TrElement* fill = nullptr;
    bool s2_equiv = false, s2_restricted = false, s2_class = false;
    for (TrElement& e : *s2) {
      if (e.kind == TrElement::kRepeat && e.indefinite) {
        ++indefinite;
        fill = &e;
      }
      s2_equiv |= e.kind == TrElement::kEquiv;
      s2_class |= e.kind == TrElement::kClass;
      s2_restricted |= e.kind == TrElement::kClass && e.cls != kUpperClass && e.cls != kLowerClass;
      len2 = add(len2, ElementLength(e));
    }
    if (indefinite > 1) return fail("only one [c*] repeat construct may appear in string2");
    if (indefinite == 1 && len1 >= len2) {
      fill->count = len1 - len2;
      len2 = len1;
    }
    if (translating) {
      if (s2_equiv) return fail("[=c=] expressions may not appear in string2 when translating");
      if (s2_restricted) {
        return fail(
            "when translating, the only character classes that may appear in\n"
            "string2 are 'upper' and 'lower'");
      }
      if (!complement && s2_class) {
        // A case class of SET2 must start where one of SET1 starts.
        SetWalker w1(s1), w2(*s2);
        bool new1 = true, new2 = true;
        int c1 = 0, c2 = 0;
        while (c1 != -1 && c2 != -1) {
          SetWalker::CaseClass k1, k2;
          c1 = w1.Next(&k1);
          c2 = w2.Next(&k2);
          if (new2 && k2 != SetWalker::kNoCase && !(new1 && k1 != SetWalker::kNoCase)) {
            return fail("misaligned [:upper:] and/or [:lower:] construct");
          }
          if (k2 != SetWalker::kNoCase) {
            w1.SkipConstruct();
            w2.SkipConstruct();
          }
          new1 = w1.AtNewElement();
          new2 = w2.AtNewElement();
        }
      }
      if (len1 > len2 && !truncate) {
        if (len2 == 0) return fail("when not truncating set1, string2 must be non-empty");
        const TrElement& tail = s2->back();
        if (tail.kind == TrElement::kClass) {
          return fail(
              "when translating with string1 longer than string2,\n"
              "the latter string must not end with a character class");
        }
        TrElement extend{TrElement::kRepeat};
        extend.first = tail.kind == TrElement::kRange ? tail.last : tail.first;
        extend.count = len1 - len2;
        s2->push_back(extend);
        len2 = len1;
      }
      if (complement && s1_class) {
        std::array<bool, 256> in2 = SetMembers(*s2, false);
        bool homogeneous = std::count(in2.begin(), in2.end(), true) <= 1;
        if (!(len2 == len1 && homogeneous)) {
          return fail(
              "when translating with complemented character classes,\n"
              "string2 must map all characters in the domain to one");
        }
      }
    } else if (indefinite > 0) {
      return fail("the [c*] construct may appear in string2 only when translating");
    }
  }

  // The plan.
  if (squeezing && s2 == nullptr) {
    plan->squeezing = true;
    plan->squeeze = SetMembers(s1, complement);
  } else if (deleting && s2 == nullptr) {
    plan->deleting = true;
    plan->remove = SetMembers(s1, complement);
  } else if (deleting) {
    plan->deleting = plan->squeezing = true;
    plan->remove = SetMembers(s1, complement);
    plan->squeeze = SetMembers(*s2, false);
  } else {
    plan->translate = true;
    for (int c = 0; c < 256; ++c) plan->map[static_cast<size_t>(c)] = static_cast<unsigned char>(c);
    if (complement) {
      std::array<bool, 256> in1 = SetMembers(s1, false);
      SetWalker w2(*s2);
      for (int c = 0; c < 256; ++c) {
        if (in1[static_cast<size_t>(c)]) continue;
        int to = w2.Next();
        if (to == -1) break;  // -t: the rest maps to itself
        plan->map[static_cast<size_t>(c)] = static_cast<unsigned char>(to);
      }
    } else {
      SetWalker w1(s1), w2(*s2);
      while (true) {
        SetWalker::CaseClass k1, k2;
        int c1 = w1.Next(&k1);
        int c2 = w2.Next(&k2);
        if (k1 == SetWalker::kLower && k2 == SetWalker::kUpper) {
          for (int c = 'a'; c <= 'z'; ++c)
            plan->map[static_cast<size_t>(c)] = static_cast<unsigned char>(c - 32);
        } else if (k1 == SetWalker::kUpper && k2 == SetWalker::kLower) {
          for (int c = 'A'; c <= 'Z'; ++c)
            plan->map[static_cast<size_t>(c)] = static_cast<unsigned char>(c + 32);
        } else {
          if (c1 == -1 || c2 == -1) break;
          plan->map[static_cast<size_t>(c1)] = static_cast<unsigned char>(c2);
        }
        if (k2 != SetWalker::kNoCase) {
          w1.SkipConstruct();
          w2.SkipConstruct();
        }
      }
    }
    if (squeezing) {
      plan->squeezing = true;
      plan->squeeze = SetMembers(*s2, false);
    }
  }
  return true;
}

}  // namespace

void CmdTr(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  Getopt g = ParseGetopt(argv, kTrOptions, /*permute=*/false, io);
  if (g.refused) return;
  bool complement = false, deleting = false, squeezing = false, truncate = false;
  for (const GivenOption& o : g.options) {
    complement |= o.id == kTrComplement;
    deleting |= o.id == kTrDelete;
    squeezing |= o.id == kTrSqueeze;
    truncate |= o.id == kTrTruncate;
  }
  if (std::string e = g.FirstError(); !e.empty()) return UsageError(prog, e, io);
  const std::vector<std::string>& ops = g.operands;
  const size_t min_ops = 1 + (deleting == squeezing ? 1 : 0);
  const size_t max_ops = 1 + (deleting <= squeezing ? 1 : 0);
  if (ops.size() < min_ops) {
    if (ops.empty()) return UsageError(prog, "missing operand", io);
    std::string message = "missing operand after " + QuoteLocale(ops.back()) + "\n";
    message += squeezing ? "Two strings must be given when both deleting and squeezing repeats."
                         : "Two strings must be given when translating.";
    return UsageError(prog, message, io);
  }
  if (ops.size() > max_ops) {
    std::string message = "extra operand " + QuoteLocale(ops[max_ops]);
    if (ops.size() == 2) {
      message += "\nOnly one string may be given when deleting without squeezing repeats.";
    }
    return UsageError(prog, message, io);
  }
  std::vector<TrElement> s1, s2;
  if (!ParseSet(ops[0], prog, io, &s1)) return;
  if (ops.size() == 2 && !ParseSet(ops[1], prog, io, &s2)) return;
  TrPlan plan;
  if (!PlanTr(s1, ops.size() == 2 ? &s2 : nullptr, complement, deleting, squeezing, truncate, prog,
              io, &plan)) {
    return;
  }
  InputFile in;
  if (in.OpenOperand(env, io, prog, "-") != InputFile::Open::kOk) return;
  Output out(io);
  int last = -1;  // the last byte written, for squeezing across chunks
  std::string chunk_out;
  FeedFile(in, out, [&](std::string_view data) {
    chunk_out.clear();
    for (char ch : data) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (plan.deleting && plan.remove[c]) continue;
      if (plan.translate) c = plan.map[c];
      if (plan.squeezing && plan.squeeze[c] && static_cast<int>(c) == last) continue;
      last = c;
      chunk_out += static_cast<char>(c);
    }
    out.Put(chunk_out);
  });
}

namespace {

// ================================================================== paste

enum PasteOpt { kPasteDelims, kPasteSerial, kPasteZero };
const std::vector<Option> kPasteOptions = {
    {'d', "delimiters", Option::kRequired, kPasteDelims},
    {'s', "serial", Option::kNone, kPasteSerial},
    {'z', "zero-terminated", Option::kNone, kPasteZero},
    {'\0', "help", Option::kNone, kHelp},
    {'\0', "version", Option::kNone, kVersion},
};

// paste's delimiter list: \0 is "no delimiter" (nullopt), \b \f \n \r \t
// \v \\ as in C, \c any other c. nullopt when it ends in a lone backslash.
std::optional<std::vector<std::optional<char>>> PasteDelimiters(std::string_view list) {
  static constexpr std::pair<char, char> kEscapes[] = {{'b', '\b'}, {'f', '\f'}, {'n', '\n'},
                                                       {'r', '\r'}, {'t', '\t'}, {'v', '\v'}};
  std::vector<std::optional<char>> delims;
  if (list.empty()) list = "\\0";  // -d '' is "no delimiter"
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] != '\\') {
      delims.emplace_back(list[i]);
      continue;
    }
    if (++i == list.size()) return std::nullopt;
    char c = list[i];
    if (c == '0') {
      delims.emplace_back(std::nullopt);
      continue;
    }
    for (const auto& [letter, byte] : kEscapes) {
      if (letter == c) c = byte;
    }
    delims.emplace_back(c);
  }
  return delims;
}

// One input of paste in parallel mode.
struct PasteInput {
  std::unique_ptr<InputFile> file;  // null for a directory (read fails)
  std::string name;
  size_t* pos = nullptr;  // shared by every "-" operand
  size_t own_pos = 0;
  bool open = true;
  bool directory = false;
};

}  // namespace

void CmdPaste(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  Getopt g = ParseGetopt(argv, kPasteOptions, /*permute=*/true, io);
  if (g.refused) return;
  std::string delim_list = "\t";
  bool serial = false;
  char eol = '\n';
  for (const GivenOption& o : g.options) {
    if (o.id == kGetoptError) return UsageError(prog, o.arg, io);
    if (o.id == kPasteDelims) delim_list = o.arg;
    serial |= o.id == kPasteSerial;
    if (o.id == kPasteZero) eol = '\0';
  }
  std::optional<std::vector<std::optional<char>>> delims = PasteDelimiters(delim_list);
  if (!delims) {
    // GNU quotes the list in C style when it needs quoting.
    for (char c : delim_list) {
      if (!IsPrintAscii(static_cast<unsigned char>(c)) || c == '"' || c == ' ' || c == '\'') {
        io.unsupported = prog + " -d with an unprintable list";
        return;
      }
    }
    return Die(prog, "delimiter list ends with an unescaped backslash: " + delim_list, io);
  }
  std::vector<std::string> operands = OperandsOrStdin(g.operands);
  Output out(io);
  auto put_delim = [&](size_t* index) {
    const std::optional<char>& d = (*delims)[*index];
    if (d) out.Put(*d);
    if (++*index == delims->size()) *index = 0;
  };
  if (serial) {
    bool stdin_used = false;
    for (const std::string& name : operands) {
      if (out.Enough()) break;
      InputFile file;
      InputFile::Open open = OpenOnce(file, env, io, prog, name, &stdin_used);
      if (open == InputFile::Open::kRefused) return;
      if (open == InputFile::Open::kOk && !file.ReadAll()) open = InputFile::Open::kError;
      if (open == InputFile::Open::kError) {
        io.err += prog + ": " + QuoteShell(name, false) + ": " + ErrnoText(file.error()) + "\n";
        io.status = 1;
        continue;
      }
      // A directory opens, and fails at its first read: an empty line,
      // then the message.
      std::string_view data = open == InputFile::Open::kOk ? file.data() : std::string_view();
      // Every line end but a final one becomes the next delimiter; the
      // output always ends with a line end.
      size_t index = 0;
      size_t start = 0;
      while (start < data.size()) {
        size_t end = data.find(eol, start);
        if (end == std::string_view::npos || end + 1 == data.size()) {
          out.Put(data.substr(start));
          break;
        }
        out.Put(data.substr(start, end - start));
        put_delim(&index);
        start = end + 1;
      }
      if (data.empty() || data.back() != eol) out.Put(eol);
      if (open == InputFile::Open::kDirectory) {
        io.err += prog + ": " + QuoteShell(name, false) + ": Is a directory\n";
        io.status = 1;
      }
    }
    return;
  }
  // Parallel: every operand is opened first; one that cannot be is fatal.
  std::vector<PasteInput> inputs(operands.size());
  size_t stdin_pos = 0;
  for (size_t i = 0; i < operands.size(); ++i) {
    PasteInput& in = inputs[i];
    in.name = operands[i];
    in.pos = &in.own_pos;
    auto file = std::make_unique<InputFile>();
    InputFile::Open open = file->OpenOperand(env, io, prog, operands[i]);
    if (open == InputFile::Open::kRefused) return;
    if (open == InputFile::Open::kOk && !file->ReadAll()) open = InputFile::Open::kError;
    if (open == InputFile::Open::kError) {
      return Die(prog, QuoteShell(operands[i], false) + ": " + ErrnoText(file->error()), io);
    }
    if (open == InputFile::Open::kDirectory) {
      in.directory = true;
      continue;
    }
    if (operands[i] == "-") in.pos = &stdin_pos;
    in.file = std::move(file);
  }
  size_t files_open = inputs.size();
  std::string saved;  // delimiters owed to files already at their end
  while (files_open > 0 && !out.Enough()) {
    size_t index = 0;
    saved.clear();
    for (size_t i = 0; i < inputs.size() && files_open > 0; ++i) {
      PasteInput& in = inputs[i];
      bool got = false;
      if (in.open && in.file != nullptr) {
        std::string_view data = in.file->data();
        if (*in.pos < data.size()) {
          got = true;
          out.Put(saved);
          saved.clear();
          size_t end = data.find(eol, *in.pos);
          if (end == std::string_view::npos) end = data.size();
          out.Put(data.substr(*in.pos, end - *in.pos));
          *in.pos = std::min(end + 1, data.size());
        }
      }
      const bool last = i + 1 == inputs.size();
      if (!got) {
        if (in.open) {
          if (in.directory) {
            io.err += prog + ": " + QuoteShell(in.name, false) + ": Is a directory\n";
            io.status = 1;
          }
          in.open = false;
          --files_open;
        }
        if (last) {
          if (files_open > 0) {
            out.Put(saved);
            saved.clear();
            out.Put(eol);
          }
        } else {
          const std::optional<char>& d = (*delims)[index];
          if (d) saved += *d;
          if (++index == delims->size()) index = 0;
        }
      } else if (last) {
        out.Put(eol);
      } else {
        put_delim(&index);
      }
    }
  }
}

namespace {

// ================================================================== tac

enum TacOpt { kTacBefore, kTacRegex, kTacSeparator };
const std::vector<Option> kTacOptions = {
    {'b', "before", Option::kNone, kTacBefore},           {'r', "regex", Option::kNone, kTacRegex},
    {'s', "separator", Option::kRequired, kTacSeparator}, {'\0', "help", Option::kNone, kHelp},
    {'\0', "version", Option::kNone, kVersion},
};

// The records of `data` in reverse order. A record ends with its separator
// (or, with `before`, starts with it); the text after the last separator
// (before the first one, with `before`) is a record of its own when not
// empty. Separators are found from the end backwards, as tac searches.
void TacReverse(std::string_view data, std::string_view sep, bool before, Output& out) {
  if (sep.empty()) {
    out.Put(data);  // an empty separator never matches: one record
    return;
  }
  // Separator positions from the end: each match must end at or before
  // the previous (later) one's start.
  size_t limit = data.size();  // matches must end by here
  size_t record_end = data.size();
  while (limit >= sep.size() && !out.Enough()) {
    size_t at = data.rfind(sep, limit - sep.size());
    if (at == std::string_view::npos) break;
    if (before) {
      out.Put(data.substr(at, record_end - at));
      record_end = at;
    } else {
      size_t start = at + sep.size();
      out.Put(data.substr(start, record_end - start));
      record_end = start;
    }
    limit = at;
  }
  if (out.Enough()) return;
  if (before) {
    out.Put(data.substr(0, record_end));
  } else {
    out.Put(data.substr(0, record_end));
  }
}

}  // namespace

void CmdTac(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  Getopt g = ParseGetopt(argv, kTacOptions, /*permute=*/true, io);
  if (g.refused) return;
  bool before = false, regex = false;
  std::string sep = "\n";
  for (const GivenOption& o : g.options) {
    if (o.id == kGetoptError) return UsageError(prog, o.arg, io);
    before |= o.id == kTacBefore;
    regex |= o.id == kTacRegex;
    if (o.id == kTacSeparator) sep = o.arg;
  }
  if (sep.empty() && regex) return Die(prog, "separator cannot be empty", io);
  // A regex without special characters matches only itself.
  if (regex && sep.find_first_of(".*+?[]^$\\") != std::string::npos) {
    io.unsupported = prog + " -r with a regular expression";
    return;
  }
  Output out(io, 8192);  // tac's own output buffer
  bool stdin_used = false;
  for (const std::string& name : OperandsOrStdin(g.operands)) {
    if (out.Enough()) break;
    InputFile file;
    InputFile::Open open = OpenOnce(file, env, io, prog, name, &stdin_used);
    if (open == InputFile::Open::kRefused) return;
    if (open == InputFile::Open::kOk && !file.ReadAll()) open = InputFile::Open::kError;
    if (open == InputFile::Open::kDirectory) {
      io.err += prog + ": " + QuoteShell(name, false) + ": read error: Invalid argument\n";
      io.status = 1;
      continue;
    }
    if (open == InputFile::Open::kError) {
      io.err += prog + ": failed to open " + QuoteShell(name, true) +
                " for reading: " + ErrnoText(file.error()) + "\n";
      io.status = 1;
      continue;
    }
    TacReverse(file.data(), sep, before, out);
  }
}

namespace {

// ================================================================== rev

const std::vector<Option> kRevOptions = {
    {'h', "help", Option::kNone, kHelp},
    {'V', "version", Option::kNone, kVersion},
};

// Length of the valid UTF-8 character at the start of `s` (1-4), 0 when
// the bytes are not one (glibc's mbrtowc in C.UTF-8: no overlong forms,
// no surrogates, nothing past U+10FFFF), -1 when `s` ends inside one.
int Utf8Length(std::string_view s) {
  unsigned char c = static_cast<unsigned char>(s[0]);
  if (c < 0x80) return 1;
  int n;
  uint32_t min;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  uint32_t cp = c & (0x7f >> n);
  for (int k = 1; k < n; ++k) {
    if (static_cast<size_t>(k) >= s.size()) return -1;
    unsigned char d = static_cast<unsigned char>(s[static_cast<size_t>(k)]);
    if ((d & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

// util-linux rev over one input: lines are read as wide strings (fgetws),
// so a NUL ends a line's text and the next line is read onto it; a byte
// that is no character of the locale stops the file with an error.
// Returns false after such an error (written).
bool RevFile(std::string_view data, const std::string& prog, const std::string& name, bool utf8,
             Output& out, CommandIo& io) {
  std::string line;  // the text gathered for the current output line
  uint64_t lines = 0;
  size_t pos = 0;
  auto emit = [&](bool newline) {
    // Characters in reverse order; a character's bytes keep theirs.
    std::string reversed(line.size(), '\0');
    size_t w = line.size();
    for (size_t i = 0; i < line.size();) {
      size_t n = utf8 ? static_cast<size_t>(Utf8Length(std::string_view(line).substr(i))) : 1;
      w -= n;
      line.copy(&reversed[w], n, i);
      i += n;
    }
    out.Put(reversed);
    if (newline) out.Put('\n');
    line.clear();
    ++lines;
  };
  while (pos < data.size() && !out.Enough()) {
    size_t end = data.find('\n', pos);
    bool has_newline = end != std::string_view::npos;
    std::string_view physical = data.substr(pos, has_newline ? end + 1 - pos : data.size() - pos);
    pos += physical.size();
    // Decode as fgetws would: stop at an invalid sequence.
    std::string_view text = physical.substr(0, has_newline ? physical.size() - 1 : physical.size());
    size_t valid = 0;
    bool bad = false, cut = false;
    while (valid < text.size()) {
      int n = utf8 ? Utf8Length(text.substr(valid))
                   : (static_cast<unsigned char>(text[valid]) < 0x80 ? 1 : 0);
      if (n == -1 && !has_newline) {
        cut = true;  // an incomplete character at the end of the file is dropped
        break;
      }
      if (n <= 0) {
        bad = true;
        break;
      }
      valid += static_cast<size_t>(n);
    }
    if (bad) {
      io.err += prog + ": " + name + ": " + std::to_string(lines) +
                ": Invalid or incomplete multibyte or wide character\n";
      io.status = 1;
      return false;
    }
    text = text.substr(0, valid);
    size_t nul = text.find('\0');
    if (nul != std::string_view::npos) {
      line.append(text.substr(0, nul));  // the rest of this line is lost
      continue;
    }
    line.append(text);
    if (has_newline && !cut) {
      emit(true);
    }
  }
  if (!line.empty()) emit(false);
  return true;
}

}  // namespace

void CmdRev(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  Getopt g = ParseGetopt(argv, kRevOptions, /*permute=*/true, io);
  if (g.refused) return;
  if (std::string e = g.FirstError(); !e.empty()) return UsageError(prog, e, io);
  const bool utf8 = LocaleIsUtf8();
  Output out(io, 4096);  // stdio's buffer: warn() does not flush it
  for (const std::string& name : OperandsOrStdin(g.operands)) {
    if (out.Enough()) break;
    InputFile file;
    InputFile::Open open = file.OpenOperand(
        env, io, prog, IsStdin(name) && name == "-" && !g.operands.empty() ? "./-" : name);
    const std::string shown = g.operands.empty() ? "stdin" : name;
    if (open == InputFile::Open::kRefused) return;
    if (open == InputFile::Open::kOk && !file.ReadAll()) open = InputFile::Open::kError;
    if (open == InputFile::Open::kDirectory) {
      io.err += prog + ": " + shown + ": 0: Is a directory\n";
      io.status = 1;
      continue;
    }
    if (open == InputFile::Open::kError) {
      io.err += prog + ": cannot open " + name + ": " + ErrnoText(file.error()) + "\n";
      io.status = 1;
      continue;
    }
    RevFile(file.data(), prog, shown, utf8, out, io);
  }
}

namespace {

// ================================================================== fold

enum FoldOpt { kFoldBytes, kFoldSpaces, kFoldWidth, kFoldDigit };
const std::vector<Option> kFoldOptions = {
    {'b', "bytes", Option::kNone, kFoldBytes},
    {'s', "spaces", Option::kNone, kFoldSpaces},
    {'w', "width", Option::kRequired, kFoldWidth},
    // The obsolete -WIDTH: a digit option whose argument is the other digits.
    {'0', nullptr, Option::kOptional, kFoldDigit},
    {'1', nullptr, Option::kOptional, kFoldDigit},
    {'2', nullptr, Option::kOptional, kFoldDigit},
    {'3', nullptr, Option::kOptional, kFoldDigit},
    {'4', nullptr, Option::kOptional, kFoldDigit},
    {'5', nullptr, Option::kOptional, kFoldDigit},
    {'6', nullptr, Option::kOptional, kFoldDigit},
    {'7', nullptr, Option::kOptional, kFoldDigit},
    {'8', nullptr, Option::kOptional, kFoldDigit},
    {'9', nullptr, Option::kOptional, kFoldDigit},
    {'\0', "help", Option::kNone, kHelp},
    {'\0', "version", Option::kNone, kVersion},
};

// xdectoumax / xdectoimax's diagnostics: "MSG: 'ARG'" for text that is no
// number, with ": Numerical result out of range" outside [min, max] and
// ": Value too large for defined data type" past 64 bits.
std::optional<int64_t> DecimalArg(const std::string& prog, const std::string& arg, int64_t min,
                                  int64_t max, const std::string& what, CommandIo& io) {
  std::string_view s = arg;
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  bool digits = i < s.size();
  uint64_t value = 0;
  bool too_big = false;
  for (; i < s.size() && digits; ++i) {
    digits = s[i] >= '0' && s[i] <= '9';
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (value > (UINT64_MAX - d) / 10) too_big = true;
    value = too_big ? UINT64_MAX : value * 10 + d;
  }
  if (!digits) {
    Die(prog, what + ": " + QuoteLocale(arg), io);
    return std::nullopt;
  }
  // Signed parsers overflow past INT64 limits, unsigned ones past 2^64.
  const bool is_signed = min < 0;
  const uint64_t signed_limit = static_cast<uint64_t>(INT64_MAX) + (negative ? 1 : 0);
  if (is_signed && value > signed_limit) too_big = true;
  if (!is_signed && negative && value != 0) {
    Die(prog, what + ": " + QuoteLocale(arg), io);
    return std::nullopt;
  }
  if (too_big) {
    Die(prog, what + ": " + QuoteLocale(arg) + ": Value too large for defined data type", io);
    return std::nullopt;
  }
  // Unsigned values past INT64_MAX are past every `max` used here.
  const bool out_of_range =
      negative ? (value > 0 && (min >= 0 || value - 1 > static_cast<uint64_t>(-(min + 1))))
               : value > static_cast<uint64_t>(max);
  if (out_of_range || (!negative && static_cast<int64_t>(value) < min)) {
    Die(prog, what + ": " + QuoteLocale(arg) + ": Numerical result out of range", io);
    return std::nullopt;
  }
  return negative ? static_cast<int64_t>(~(value - 1)) : static_cast<int64_t>(value);
}

// The column after `c` at column `column`, as fold counts (tab stops every
// 8, backspace back one, carriage return to 0; every byte else is one).
size_t FoldAdvance(size_t column, char c, bool bytes) {
  if (bytes) return column + 1;
  switch (c) {
    case '\b':
      return column > 0 ? column - 1 : 0;
    case '\r':
      return 0;
    case '\t':
      return column + 8 - column % 8;
    default:
      return column + 1;
  }
}

// fold over one file: a stateful filter (the current output line is held
// until it ends or overflows).
class Folder {
 public:
  Folder(size_t width, bool bytes, bool spaces, Output& out)
      : width_(width), bytes_(bytes), spaces_(spaces), out_(out) {}

  void Feed(std::string_view data) {
    for (char c : data) Byte(c);
  }
  void Finish() {
    out_.Put(line_);
    line_.clear();
    column_ = 0;
  }

 private:
  void Byte(char c) {
    if (c == '\n') {
      line_ += c;
      out_.Put(line_);
      line_.clear();
      column_ = 0;
      return;
    }
    while (true) {
      column_ = FoldAdvance(column_, c, bytes_);
      if (column_ <= width_) break;
      // `c` does not fit: end the line (after its last blank with -s)
      // and let `c` start the next one.
      if (spaces_) {
        size_t blank = line_.find_last_of(" \t");
        if (blank != std::string::npos) {
          out_.Put(std::string_view(line_).substr(0, blank + 1));
          out_.Put('\n');
          line_.erase(0, blank + 1);
          column_ = 0;
          for (char k : line_) column_ = FoldAdvance(column_, k, bytes_);
          continue;
        }
      }
      if (line_.empty()) break;  // a lone character wider than the line stays
      line_ += '\n';
      out_.Put(line_);
      line_.clear();
      column_ = 0;
    }
    line_ += c;
  }

  size_t width_;
  bool bytes_, spaces_;
  Output& out_;
  std::string line_;
  size_t column_ = 0;
};

}  // namespace

void CmdFold(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  Getopt g = ParseGetopt(argv, kFoldOptions, /*permute=*/true, io);
  if (g.refused) return;
  bool bytes = false, spaces = false;
  size_t width = 80;
  for (const GivenOption& o : g.options) {
    if (o.id == kGetoptError) return UsageError(prog, o.arg, io);
    bytes |= o.id == kFoldBytes;
    spaces |= o.id == kFoldSpaces;
    if (o.id == kFoldWidth || o.id == kFoldDigit) {
      std::string text = o.id == kFoldDigit ? std::string(1, o.short_name) + o.arg : o.arg;
      std::optional<int64_t> w =
          DecimalArg(prog, text, 1, INT64_MAX - 9, "invalid number of columns", io);
      if (!w) return;
      width = static_cast<size_t>(*w);
    }
  }
  Output out(io);
  bool stdin_used = false;
  for (const std::string& name : OperandsOrStdin(g.operands)) {
    if (out.Enough()) break;
    InputFile file;
    InputFile::Open open = OpenOnce(file, env, io, prog, name, &stdin_used);
    if (open == InputFile::Open::kRefused) return;
    if (open != InputFile::Open::kOk) {
      io.err += prog + ": " + QuoteShell(name, false) + ": " +
                (open == InputFile::Open::kDirectory ? "Is a directory" : ErrnoText(file.error())) +
                "\n";
      io.status = 1;
      continue;
    }
    Folder folder(width, bytes, spaces, out);
    FeedFile(file, out, [&](std::string_view data) { folder.Feed(data); });
    folder.Finish();
  }
}

namespace {

// ========================================================= expand, unexpand

// Tab stops as expand and unexpand parse them (-t LIST, -N): explicit
// stops, then either none, every N after the last ('/N'), or +N steps
// from the last ('+N').
struct TabStops {
  std::vector<uint64_t> stops;
  uint64_t extend = 0;     // '/N'
  uint64_t increment = 0;  // '+N'
  uint64_t single = 0;     // one size: every multiple of it

  // The next stop after `column`; nullopt past the last one.
  // `index` remembers where the search stands in `stops`.
  std::optional<uint64_t> Next(uint64_t column, size_t* index) const {
    if (single != 0) return column + (single - column % single);
    for (; *index < stops.size(); ++*index) {
      if (column < stops[*index]) return stops[*index];
    }
    if (extend != 0) return column + (extend - column % extend);
    if (increment != 0) {
      uint64_t end = stops.back();
      return column + (increment - (column - end) % increment);
    }
    return std::nullopt;
  }
};

// parse_tab_stops: accumulates into `tabs`; false after errors (written).
bool ParseTabList(std::string_view list, const std::string& prog, TabStops* tabs, CommandIo& io,
                  bool* extend_flag, bool* increment_flag) {
  bool ok = true;
  bool have = false;
  uint64_t value = 0;
  size_t num_start = 0;
  auto add = [&]() {
    if (*extend_flag) {
      if (tabs->extend != 0) {
        Die(prog, "'/' specifier only allowed with the last value", io);
        return false;
      }
      tabs->extend = value;
    } else if (*increment_flag) {
      if (tabs->increment != 0) {
        Die(prog, "'+' specifier only allowed with the last value", io);
        return false;
      }
      tabs->increment = value;
    } else {
      tabs->stops.push_back(value);
    }
    return true;
  };
  for (size_t i = 0; i < list.size(); ++i) {
    char c = list[i];
    if (c == ',' || c == ' ' || c == '\t') {
      if (have && !add()) return false;
      have = false;
    } else if (c == '/' || c == '+') {
      if (have) {
        io.err += prog + ": '" + std::string(1, c) +
                  "' specifier not at start of number: " + QuoteLocale(list.substr(i)) + "\n";
        io.status = 1;
        ok = false;
      }
      *extend_flag = c == '/';
      *increment_flag = c == '+';
    } else if (c >= '0' && c <= '9') {
      if (!have) {
        value = 0;
        have = true;
        num_start = i;
      }
      unsigned d = static_cast<unsigned>(c - '0');
      if (value > (UINT64_MAX - d) / 10) {
        size_t len = num_start;
        while (len < list.size() && list[len] >= '0' && list[len] <= '9') ++len;
        io.err += prog + ": tab stop is too large " +
                  QuoteLocale(list.substr(num_start, len - num_start)) + "\n";
        io.status = 1;
        ok = false;
        i = len - 1;
        have = false;
        continue;
      }
      value = value * 10 + d;
    } else {
      io.err +=
          prog + ": tab size contains invalid character(s): " + QuoteLocale(list.substr(i)) + "\n";
      io.status = 1;
      ok = false;
      break;
    }
  }
  if (ok && have && !add()) return false;
  return ok;
}

// validate_tab_stops and the choice of a single tab size.
bool FinishTabs(TabStops* tabs, const std::string& prog, CommandIo& io) {
  uint64_t prev = 0;
  for (uint64_t stop : tabs->stops) {
    if (stop == 0) {
      Die(prog, "tab size cannot be 0", io);
      return false;
    }
    if (stop <= prev) {
      Die(prog, "tab sizes must be ascending", io);
      return false;
    }
    prev = stop;
  }
  if (tabs->stops.empty()) {
    tabs->single = tabs->extend != 0 ? tabs->extend : tabs->increment != 0 ? tabs->increment : 8;
  } else if (tabs->stops.size() == 1 && tabs->extend == 0 && tabs->increment == 0) {
    tabs->single = tabs->stops[0];
  }
  return true;
}

enum TabOpt { kTabInitial, kTabAll, kTabList, kTabFirstOnly, kTabDigit };
std::vector<Option> TabOptions(bool unexpand) {
  std::vector<Option> table;
  if (unexpand) {
    table.push_back({'a', "all", Option::kNone, kTabAll});
    table.push_back({'\0', "first-only", Option::kNone, kTabFirstOnly});
  } else {
    table.push_back({'i', "initial", Option::kNone, kTabInitial});
  }
  table.push_back({'t', "tabs", Option::kRequired, kTabList});
  // The obsolete -N[,N]...: a digit option whose argument is the rest.
  static constexpr char kDigits[] = "0123456789";
  for (const char* d = kDigits; *d != '\0'; ++d) {
    table.push_back({*d, nullptr, Option::kOptional, kTabDigit});
  }
  table.push_back({'\0', "help", Option::kNone, kHelp});
  table.push_back({'\0', "version", Option::kNone, kVersion});
  return table;
}

// expand and unexpand read all their operands as one stream; an operand
// that cannot be read is reported and skipped (status 1).
template <typename Consume>
void FeedOperands(const std::vector<std::string>& operands, CommandEnv& env, CommandIo& io,
                  const std::string& prog, Output& out, Consume&& consume) {
  bool stdin_used = false;
  for (const std::string& name : OperandsOrStdin(operands)) {
    if (out.Enough()) break;
    InputFile file;
    InputFile::Open open = OpenOnce(file, env, io, prog, name, &stdin_used);
    if (open == InputFile::Open::kRefused) return;
    if (open != InputFile::Open::kOk) {
      io.err += prog + ": " + QuoteShell(name, false) + ": " +
                (open == InputFile::Open::kDirectory ? "Is a directory" : ErrnoText(file.error())) +
                "\n";
      io.status = 1;
      continue;
    }
    FeedFile(file, out, consume);
  }
}

bool ParseTabOptions(const Getopt& g, bool unexpand, const std::string& prog, CommandIo& io,
                     TabStops* tabs, bool* all, bool* first_only) {
  bool extend_flag = false, increment_flag = false;
  std::string digits;  // the obsolete -N list, gathered
  for (const GivenOption& o : g.options) {
    if (o.id == kGetoptError) {
      UsageError(prog, o.arg, io);
      return false;
    }
    switch (o.id) {
      case kTabInitial:
        *all = false;
        break;
      case kTabAll:
        *all = true;
        break;
      case kTabFirstOnly:
        *first_only = true;
        break;
      case kTabList:
        if (unexpand) *all = true;
        if (!ParseTabList(o.arg, prog, tabs, io, &extend_flag, &increment_flag)) return false;
        break;
      case kTabDigit:  // unlike -t, the obsolete -N does not imply -a
        if (!ParseTabList(std::string(1, o.short_name) + o.arg, prog, tabs, io, &extend_flag,
                          &increment_flag)) {
          return false;
        }
        break;
    }
  }
  if (*first_only) *all = false;
  return FinishTabs(tabs, prog, io);
}

// expand as a stateful filter over the whole stream.
class Expander {
 public:
  Expander(const TabStops& tabs, bool initial_only, Output& out)
      : tabs_(tabs), initial_only_(initial_only), out_(out) {}

  // False after "input line is too long" (never for real input sizes).
  void Feed(std::string_view data) {
    for (char c : data) {
      if (convert_) {
        if (c == '\t') {
          std::optional<uint64_t> next = tabs_.Next(column_, &index_);
          uint64_t target = next ? *next : column_ + 1;
          out_.Put(static_cast<size_t>(target - column_ - 1), ' ');
          column_ = target;
          c = ' ';
        } else if (c == '\b') {
          column_ -= column_ > 0 ? 1 : 0;
          index_ -= index_ > 0 ? 1 : 0;
        } else {
          ++column_;
        }
        convert_ = !initial_only_ || c == ' ' || c == '\t';
      }
      out_.Put(c);
      if (c == '\n') {
        column_ = 0;
        index_ = 0;
        convert_ = true;
      }
    }
  }

 private:
  const TabStops& tabs_;
  bool initial_only_;
  Output& out_;
  uint64_t column_ = 0;
  size_t index_ = 0;
  bool convert_ = true;
};

// unexpand as a stateful filter over the whole stream: blanks are held
// back until it is known whether they reach a tab stop.
class Unexpander {
 public:
  Unexpander(const TabStops& tabs, bool all, Output& out) : tabs_(tabs), all_(all), out_(out) {
    NewLine();
  }

  void Feed(std::string_view data) {
    for (char c : data) Byte(c);
  }
  void Finish() {
    // At the end of the input the pending blanks are written as they are.
    if (convert_ && !pending_.empty()) {
      if (pending_.size() > 1 && one_blank_before_stop_) pending_[0] = '\t';
      out_.Put(pending_);
      pending_.clear();
    }
  }

 private:
  void NewLine() {
    convert_ = true;
    column_ = 0;
    index_ = 0;
    one_blank_before_stop_ = false;
    prev_blank_ = true;
    pending_.clear();
  }
  void Byte(char c) {
    if (convert_) {
      const bool blank = c == ' ' || c == '\t';
      if (blank) {
        std::optional<uint64_t> next = tabs_.Next(column_, &index_);
        if (!next) convert_ = false;
        if (convert_) {
          if (c == '\t') {
            column_ = *next;
            if (!pending_.empty()) pending_[0] = '\t';
          } else {
            ++column_;
            if (!(prev_blank_ && column_ == *next)) {
              // Not yet known whether these blanks become a tab.
              if (column_ == *next) one_blank_before_stop_ = true;
              pending_ += c;
              prev_blank_ = true;
              return;
            }
            c = '\t';
            if (!pending_.empty()) pending_[0] = '\t';
          }
          // The pending blanks are replaced, except a single blank just
          // before the previous stop.
          pending_.resize(one_blank_before_stop_ ? 1 : 0);
        }
      } else if (c == '\b') {
        column_ -= column_ > 0 ? 1 : 0;
        index_ -= index_ > 0 ? 1 : 0;
      } else {
        ++column_;
      }
      if (!pending_.empty()) {
        if (pending_.size() > 1 && one_blank_before_stop_) pending_[0] = '\t';
        out_.Put(pending_);
        pending_.clear();
        one_blank_before_stop_ = false;
      }
      prev_blank_ = blank;
      convert_ = convert_ && (all_ || blank);
    }
    out_.Put(c);
    if (c == '\n') NewLine();
  }

  const TabStops& tabs_;
  bool all_;
  Output& out_;
  bool convert_ = true;
  uint64_t column_ = 0;
  size_t index_ = 0;
  bool one_blank_before_stop_ = false;
  bool prev_blank_ = true;
  std::string pending_;
};

}  // namespace

void CmdExpand(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  Getopt g = ParseGetopt(argv, TabOptions(false), /*permute=*/true, io);
  if (g.refused) return;
  TabStops tabs;
  bool all = true, first_only = false;
  if (!ParseTabOptions(g, false, prog, io, &tabs, &all, &first_only)) return;
  Output out(io);
  Expander expander(tabs, !all, out);
  FeedOperands(g.operands, env, io, prog, out, [&](std::string_view data) { expander.Feed(data); });
}

void CmdUnexpand(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  Getopt g = ParseGetopt(argv, TabOptions(true), /*permute=*/true, io);
  if (g.refused) return;
  TabStops tabs;
  bool all = false, first_only = false;
  if (!ParseTabOptions(g, true, prog, io, &tabs, &all, &first_only)) return;
  Output out(io);
  Unexpander unexpander(tabs, all, out);
  FeedOperands(g.operands, env, io, prog, out,
               [&](std::string_view data) { unexpander.Feed(data); });
  if (!io.unsupported.empty()) return;
  unexpander.Finish();
}

namespace {

// ================================================================== nl

enum NlOpt {
  kNlBody,
  kNlHeader,
  kNlFooter,
  kNlIncrement,
  kNlJoin,
  kNlFormat,
  kNlNoRenumber,
  kNlSeparator,
  kNlStart,
  kNlWidth,
  kNlDelimiter,
};
const std::vector<Option> kNlOptions = {
    {'h', "header-numbering", Option::kRequired, kNlHeader},
    {'b', "body-numbering", Option::kRequired, kNlBody},
    {'f', "footer-numbering", Option::kRequired, kNlFooter},
    {'v', "starting-line-number", Option::kRequired, kNlStart},
    {'i', "line-increment", Option::kRequired, kNlIncrement},
    {'p', "no-renumber", Option::kNone, kNlNoRenumber},
    {'l', "join-blank-lines", Option::kRequired, kNlJoin},
    {'s', "number-separator", Option::kRequired, kNlSeparator},
    {'w', "number-width", Option::kRequired, kNlWidth},
    {'n', "number-format", Option::kRequired, kNlFormat},
    {'d', "section-delimiter", Option::kRequired, kNlDelimiter},
    {'\0', "help", Option::kNone, kHelp},
    {'\0', "version", Option::kNone, kVersion},
};

// A numbering style: a (all lines), t (non-empty lines), n (none), or
// pBRE (lines matching BRE). Only the first letter counts, as in GNU nl.
struct NlStyle {
  char kind = 'n';
  std::unique_ptr<RE2> regex;
  bool ascii_only = false;  // the regex is exact on ASCII text only
  bool literal = false;     // plain text: exact on any bytes
};

// Parses a style; false when the letter is none of a t n p. A regex GNU
// reads differently from RE2 is refused (io.unsupported).
bool ParseNlStyle(const std::string& arg, const std::string& prog, NlStyle* style, CommandIo& io) {
  if (arg.empty() || std::string_view("atnp").find(arg[0]) == std::string_view::npos) return false;
  style->kind = arg[0];
  if (style->kind != 'p') return true;
  TranslateOptions topts;
  topts.syntax = RegexSyntax::kBasic;
  topts.utf8 = LocaleIsUtf8();
  topts.full_classes = topts.utf8;
  topts.sed = true;
  Translation t = TranslateGnuRegex(std::string_view(arg).substr(1), topts);
  if (!t.unsupported.empty()) {
    io.unsupported = prog + " -bp regex: " + t.unsupported;
    return true;
  }
  RE2::Options ro;
  ro.set_encoding(topts.utf8 ? RE2::Options::EncodingUTF8 : RE2::Options::EncodingLatin1);
  ro.set_longest_match(true);
  ro.set_log_errors(false);
  ro.set_max_mem(64 << 20);
  style->regex = std::make_unique<RE2>("(?s)" + t.re2, ro);
  if (!style->regex->ok()) io.unsupported = prog + " regex not representable in RE2";
  style->ascii_only = topts.utf8 && (t.word_assertions || t.locale_ranges);
  style->literal = t.literal;
  return true;
}

// True when `s` is valid UTF-8 throughout.
bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    int n = Utf8Length(s.substr(i));
    if (n <= 0) return false;
    i += static_cast<size_t>(n);
  }
  return true;
}

struct NlSettings {
  NlStyle header, body, footer;
  int64_t start = 1;
  int64_t increment = 1;
  int64_t join = 1;
  int width = 6;
  char format = 'r';  // 'l' ln, 'r' rn, 'z' rz
  bool renumber = true;
  std::string separator = "\t";
  std::string delimiter = "\\:";
};

// nl over the whole input (numbers run on from file to file).
class Numberer {
 public:
  Numberer(const NlSettings& s, const std::string& prog, Output& out, CommandIo& io)
      : s_(s), prog_(prog), out_(out), io_(io), line_no_(s.start), style_(&s.body) {
    header_ = s.delimiter + s.delimiter + s.delimiter;
    body_ = s.delimiter + s.delimiter;
  }

  // Feeds bytes of one file; false once stopped (error or refusal).
  bool Feed(std::string_view data) {
    size_t pos = 0;
    while (pos < data.size() && !stopped_) {
      size_t nl = data.find('\n', pos);
      if (nl == std::string_view::npos) {
        carry_.append(data.substr(pos));
        break;
      }
      if (carry_.empty()) {
        Line(data.substr(pos, nl - pos));
      } else {
        carry_.append(data.substr(pos, nl - pos));
        Line(carry_);
        carry_.clear();
      }
      pos = nl + 1;
    }
    return !stopped_;
  }
  // The end of a file: its last line gets a newline.
  void FinishFile() {
    if (!carry_.empty() && !stopped_) Line(carry_);
    carry_.clear();
  }

 private:
  void Line(std::string_view text) {
    // Section delimiter lines: the delimiter three, two or one times.
    const std::string& del = s_.delimiter;
    if (text.size() >= 2 && del.size() >= 2 &&
        text.substr(0, 2) == std::string_view(del).substr(0, 2)) {
      const NlStyle* next = nullptr;
      if (text == header_) {
        next = &s_.header;
      } else if (text == body_) {
        next = &s_.body;
      } else if (text == del) {
        next = &s_.footer;
      }
      if (next != nullptr) {
        style_ = next;
        if (s_.renumber) line_no_ = s_.start;
        out_.Put('\n');
        return;
      }
    }
    bool number = false;
    switch (style_->kind) {
      case 'a':
        if (s_.join > 1) {
          if (!text.empty() || ++blank_lines_ == s_.join) {
            number = true;
            blank_lines_ = 0;
          }
        } else {
          number = true;
        }
        break;
      case 't':
        number = !text.empty();
        break;
      case 'p':
        number = Matches(text);
        if (stopped_) return;
        break;
      default:
        break;
    }
    if (number) {
      if (overflow_) {
        Die(prog_, "line number overflow", io_);
        stopped_ = true;
        return;
      }
      std::string digits = std::to_string(line_no_);
      size_t w = static_cast<size_t>(s_.width);
      if (digits.size() < w) {
        if (s_.format == 'l') {
          digits.append(w - digits.size(), ' ');
        } else if (s_.format == 'z') {
          // %0*d: zeros after the sign.
          size_t sign = line_no_ < 0 ? 1 : 0;
          digits.insert(sign, w - digits.size(), '0');
        } else {
          digits.insert(0, w - digits.size(), ' ');
        }
      }
      out_.Put(digits);
      out_.Put(s_.separator);
      if (__builtin_add_overflow(line_no_, s_.increment, &line_no_)) overflow_ = true;
    } else {
      out_.Put(static_cast<size_t>(s_.width) + s_.separator.size(), ' ');
    }
    out_.Put(text);
    out_.Put('\n');
  }

  bool Matches(std::string_view text) {
    const bool utf8 = LocaleIsUtf8();
    if (utf8 && !style_->literal && !ValidUtf8(text)) {
      io_.unsupported = prog_ + " -bp on text with invalid UTF-8";
      stopped_ = true;
      return false;
    }
    if (style_->ascii_only) {
      for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) {
          io_.unsupported = prog_ + " -bp word boundary or range on non-ASCII text";
          stopped_ = true;
          return false;
        }
      }
    }
    return RE2::PartialMatch(text, *style_->regex);
  }

  const NlSettings& s_;
  const std::string& prog_;
  Output& out_;
  CommandIo& io_;
  int64_t line_no_;
  bool overflow_ = false;
  int64_t blank_lines_ = 0;
  const NlStyle* style_;
  std::string header_, body_;
  std::string carry_;
  bool stopped_ = false;
};

}  // namespace

void CmdNl(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  Getopt g = ParseGetopt(argv, kNlOptions, /*permute=*/true, io);
  if (g.refused) return;
  NlSettings s;
  s.body.kind = 't';
  bool ok = true;
  // Style and format errors are reported as they come and the usage line
  // once at the end; bad numbers stop at once.
  auto style = [&](const GivenOption& o, NlStyle* target, const char* which) {
    if (!ParseNlStyle(o.arg, prog, target, io)) {
      io.err += prog + ": invalid " + which + " numbering style: " + QuoteLocale(o.arg) + "\n";
      ok = false;
    }
    return io.unsupported.empty();
  };
  for (const GivenOption& o : g.options) {
    std::optional<int64_t> n;
    switch (o.id) {
      case kGetoptError:
        io.err += prog + ": " + o.arg + "\n";
        ok = false;
        break;
      case kNlHeader:
        if (!style(o, &s.header, "header")) return;
        break;
      case kNlBody:
        if (!style(o, &s.body, "body")) return;
        break;
      case kNlFooter:
        if (!style(o, &s.footer, "footer")) return;
        break;
      case kNlStart:
        n = DecimalArg(prog, o.arg, INT64_MIN, INT64_MAX, "invalid starting line number", io);
        if (!n) return;
        s.start = *n;
        break;
      case kNlIncrement:
        n = DecimalArg(prog, o.arg, INT64_MIN, INT64_MAX, "invalid line number increment", io);
        if (!n) return;
        s.increment = *n;
        break;
      case kNlJoin:
        n = DecimalArg(prog, o.arg, 1, INT64_MAX, "invalid line number of blank lines", io);
        if (!n) return;
        s.join = *n;
        break;
      case kNlWidth:
        n = DecimalArg(prog, o.arg, 1, INT32_MAX, "invalid line number field width", io);
        if (!n) return;
        if (*n > 4096) {
          io.unsupported = prog + " -w beyond 4096";
          return;
        }
        s.width = static_cast<int>(*n);
        break;
      case kNlNoRenumber:
        s.renumber = false;
        break;
      case kNlSeparator:
        s.separator = o.arg;
        break;
      case kNlFormat:
        if (o.arg == "ln" || o.arg == "rn" || o.arg == "rz") {
          s.format = o.arg == "ln" ? 'l' : o.arg == "rn" ? 'r' : 'z';
        } else {
          io.err += prog + ": invalid line numbering format: " + QuoteLocale(o.arg) + "\n";
          ok = false;
        }
        break;
      case kNlDelimiter:
        // One or two characters replace the start of "\:"; longer
        // delimiters are taken whole.
        if (o.arg.size() == 1 || o.arg.size() == 2) {
          s.delimiter.replace(0, o.arg.size(), o.arg);
          s.delimiter.resize(2);
        } else {
          s.delimiter = o.arg;
        }
        break;
    }
  }
  if (!ok) return UsageError(prog, "", io);
  Output out(io);
  bool stdin_used = false;
  Numberer numberer(s, prog, out, io);
  for (const std::string& name : OperandsOrStdin(g.operands)) {
    if (out.Enough()) break;
    InputFile file;
    InputFile::Open open = OpenOnce(file, env, io, prog, name, &stdin_used);
    if (open == InputFile::Open::kRefused) return;
    if (open != InputFile::Open::kOk) {
      io.err += prog + ": " + QuoteShell(name, false) + ": " +
                (open == InputFile::Open::kDirectory ? "Is a directory" : ErrnoText(file.error())) +
                "\n";
      io.status = 1;
      continue;
    }
    bool going = true;
    FeedFile(file, out, [&](std::string_view data) {
      if (going) going = numberer.Feed(data);
    });
    if (!going) return;
    numberer.FinishFile();
  }
}

namespace {

// ================================================================== strings

enum StringsOpt {
  kStrAll,
  kStrData,
  kStrFileName,
  kStrBytes,
  kStrRadix,
  kStrOctal,
  kStrTarget,
  kStrEncoding,
  kStrWhitespace,
  kStrSeparator,
  kStrUnicode,
  kStrDigit,
};
const std::vector<Option> kStringsOptions = {
    {'a', "all", Option::kNone, kStrAll},
    {'d', "data", Option::kNone, kStrData},
    {'f', "print-file-name", Option::kNone, kStrFileName},
    {'n', "bytes", Option::kRequired, kStrBytes},
    {'t', "radix", Option::kRequired, kStrRadix},
    {'o', nullptr, Option::kNone, kStrOctal},
    {'T', "target", Option::kRequired, kStrTarget},
    {'e', "encoding", Option::kRequired, kStrEncoding},
    {'w', "include-all-whitespace", Option::kNone, kStrWhitespace},
    {'s', "output-separator", Option::kRequired, kStrSeparator},
    {'U', "unicode", Option::kRequired, kStrUnicode},
    {'0', nullptr, Option::kNone, kStrDigit},
    {'1', nullptr, Option::kNone, kStrDigit},
    {'2', nullptr, Option::kNone, kStrDigit},
    {'3', nullptr, Option::kNone, kStrDigit},
    {'4', nullptr, Option::kNone, kStrDigit},
    {'5', nullptr, Option::kNone, kStrDigit},
    {'6', nullptr, Option::kNone, kStrDigit},
    {'7', nullptr, Option::kNone, kStrDigit},
    {'8', nullptr, Option::kNone, kStrDigit},
    {'9', nullptr, Option::kNone, kStrDigit},
    {'h', "help", Option::kNone, kHelp},
    {'v', "version", Option::kNone, kVersion},
    {'V', nullptr, Option::kNone, kVersion},
};

struct StringsSettings {
  uint64_t min = 4;
  char radix = '\0';  // 'o', 'd', 'x' or none
  bool eight_bit = false;
  bool whitespace = false;
  bool file_names = false;
  std::optional<std::string> separator;
};

// strings over one file: runs of at least `min` graphic bytes, each
// printed (with its offset) as soon as it is long enough.
class StringsScanner {
 public:
  StringsScanner(const StringsSettings& s, const std::string& name, Output& out)
      : s_(s), name_(name), out_(out) {}

  void Feed(std::string_view data) {
    for (char ch : data) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (Graphic(c)) {
        if (printing_) {
          out_.Put(ch);
        } else {
          run_ += ch;
          if (run_.size() >= s_.min) {
            Start();
          }
        }
      } else {
        End();
      }
      ++offset_;
    }
  }
  void Finish() { End(); }

 private:
  bool Graphic(unsigned char c) const {
    return c == '\t' || IsPrintAscii(c) || (s_.eight_bit && c > 127) ||
           (s_.whitespace && (c == ' ' || (c >= '\t' && c <= '\r')));
  }
  void Start() {
    if (s_.file_names) out_.Put(name_ + ": ");
    if (s_.radix != '\0') {
      uint64_t start = offset_ + 1 - run_.size();
      char buf[32];
      const char* fmt = s_.radix == 'o' ? "%7llo " : s_.radix == 'd' ? "%7lld " : "%7llx ";
      std::snprintf(buf, sizeof buf, fmt, static_cast<unsigned long long>(start));
      out_.Put(buf);
    }
    out_.Put(run_);
    run_.clear();
    printing_ = true;
  }
  void End() {
    if (printing_) {
      if (s_.separator) {
        out_.Put(*s_.separator);
      } else {
        out_.Put('\n');
      }
    }
    printing_ = false;
    run_.clear();
  }

  const StringsSettings& s_;
  std::string name_;
  Output& out_;
  std::string run_;
  bool printing_ = false;
  uint64_t offset_ = 0;
};

}  // namespace

void CmdStrings(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  // A lone "-" is an option to binutils' getopt (and a usage error).
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "--") break;
    if (argv[i] == "-" || (!argv[i].empty() && argv[i][0] == '@')) {
      io.unsupported = prog + " " + argv[i];
      return;
    }
  }
  Getopt g = ParseGetopt(argv, kStringsOptions, /*permute=*/true, io);
  if (g.refused) return;
  StringsSettings s;
  std::string digits;
  size_t digit_word = 0;
  for (const GivenOption& o : g.options) {
    switch (o.id) {
      case kGetoptError:
        // binutils prints its whole usage text.
        io.unsupported = prog + " usage error";
        return;
      case kStrAll:
        break;
      case kStrBytes: {
        // strtoul(optarg, &end, 0): 0x and leading-0 octal too.
        const std::string& a = o.arg;
        char* end = nullptr;
        errno = 0;
        long long v = std::strtoll(a.c_str(), &end, 0);
        if (a.empty() || *end != '\0') return Die(prog, "invalid integer argument " + a, io);
        if (v < 1 || errno != 0 || v > (1 << 30)) {
          if (v == 0 && errno == 0) return Die(prog, "invalid minimum string length 0", io);
          io.unsupported = prog + " -n " + a;
          return;
        }
        s.min = static_cast<uint64_t>(v);
        digits.clear();
        break;
      }
      case kStrDigit:
        // -N: the digits of one word form the number.
        ++digit_word;
        digits += o.short_name;
        s.min = std::strtoull(digits.c_str(), nullptr, 10);
        if (s.min == 0 || digits.size() > 9) {
          io.unsupported = prog + " -" + digits;
          return;
        }
        break;
      case kStrRadix:
        if (o.arg.size() != 1 || std::string_view("odx").find(o.arg[0]) == std::string_view::npos) {
          io.unsupported = prog + " usage error";
          return;
        }
        s.radix = o.arg[0];
        break;
      case kStrOctal:
        s.radix = 'o';
        break;
      case kStrEncoding:
        if (o.arg != "s" && o.arg != "S") {
          io.unsupported = prog + " -e " + o.arg;
          return;
        }
        s.eight_bit = o.arg == "S";
        break;
      case kStrWhitespace:
        s.whitespace = true;
        break;
      case kStrFileName:
        s.file_names = true;
        break;
      case kStrSeparator:
        s.separator = o.arg;
        break;
      default:  // -d, -T, -U: object formats and Unicode display
        io.unsupported =
            prog + " " + (o.short_name != '\0' ? std::string("-") + o.short_name : "option");
        return;
    }
  }
  // -N spread over several words ("-1 -2") is not one number.
  for (size_t i = 1; i < argv.size() && digit_word > 0; ++i) {
    const std::string& w = argv[i];
    bool all_digits = w.size() >= 2 && w[0] == '-';
    for (size_t k = 1; k < w.size() && all_digits; ++k) all_digits = w[k] >= '0' && w[k] <= '9';
    if (w.size() >= 2 && w[0] == '-' && w[1] >= '0' && w[1] <= '9' &&
        (!all_digits || w.size() - 1 != digits.size())) {
      io.unsupported = prog + " -N in pieces";
      return;
    }
  }
  Output out(io);
  if (g.operands.empty()) {
    InputFile file;
    if (file.OpenOperand(env, io, prog, "-") != InputFile::Open::kOk) return;
    StringsScanner scanner(s, "{standard input}", out);
    FeedFile(file, out, [&](std::string_view data) { scanner.Feed(data); });
    scanner.Finish();
    return;
  }
  for (const std::string& name : g.operands) {
    if (out.Enough()) break;
    InputFile file;
    InputFile::Open open = file.OpenOperand(env, io, prog, name);
    if (open == InputFile::Open::kRefused) return;
    if (open == InputFile::Open::kDirectory) {
      io.err += prog + ": Warning: '" + name + "' is a directory\n";
      io.status = 1;
      continue;
    }
    if (open == InputFile::Open::kError) {
      if (file.error() != vfs::Status::Code::kNotFound) {
        io.unsupported = prog + " of an unreadable file";
        return;
      }
      io.err += prog + ": '" + name + "': No such file\n";
      io.status = 1;
      continue;
    }
    StringsScanner scanner(s, name, out);
    FeedFile(file, out, [&](std::string_view data) { scanner.Feed(data); });
    scanner.Finish();
  }
}

namespace {

// ================================================================== fmt

// GNU fmt's paragraph formatter. Lines are filled by minimising a cost
// over the whole paragraph (dynamic programming from its end): each line
// costs the square of its distance to the goal width, plus the raggedness
// against the next line, with bonuses for breaking after a sentence or
// punctuation and penalties for widows, orphans and breaking a sentence
// ending that is not followed by two spaces. Widths count bytes.
using FmtCost = int64_t;
constexpr FmtCost kMaxCost = INT64_MAX;
constexpr FmtCost Equiv(FmtCost n) { return n * n; }
constexpr FmtCost ShortCost(FmtCost n) { return Equiv(n * 10); }
constexpr FmtCost RaggedCost(FmtCost n) { return ShortCost(n) / 2; }
constexpr FmtCost kLineCost = Equiv(70);
constexpr FmtCost WidowCost(FmtCost n) { return Equiv(200) / (n + 2); }
constexpr FmtCost OrphanCost(FmtCost n) { return Equiv(150) / (n + 2); }
constexpr FmtCost kSentenceBonus = Equiv(50);
constexpr FmtCost kNoBreakCost = Equiv(600);
constexpr FmtCost kParenBonus = Equiv(40);
constexpr FmtCost kPunctBonus = Equiv(40);
constexpr FmtCost kLineCredit = Equiv(3);
// A paragraph longer than this is formatted and written in pieces.
constexpr int kMaxWords = 1000;
constexpr int kMaxChars = 5000;
constexpr int kFmtTab = 8;
// The indentation -t gives the other lines of a one-line paragraph.
constexpr int kDefIndent = 3;

struct FmtSettings {
  int max_width = 75;
  int goal_width = 70;
  bool crown = false, tagged = false, split = false, uniform = false;
  std::string prefix;  // without its leading and trailing spaces
  int prefix_full_length = 0;
  int prefix_lead_space = 0;
};

struct FmtWord {
  int text = 0;  // offset in the paragraph buffer
  int length = 0;
  int space = 0;  // blanks after it
  bool paren = false, period = false, punct = false, final = false;
  int line_length = 0;
  FmtCost best_cost = 0;
  int next_break = 0;
};

class Formatter {
 public:
  Formatter(const FmtSettings& s, Output& out)
      : s_(s), out_(out), word_(kMaxWords + 1), parabuf_(kMaxChars, '\0') {}

  // One input file.
  void Run(std::string_view data) {
    in_ = data;
    pos_ = 0;
    tabs_ = false;
    other_indent_ = 0;
    next_char_ = GetPrefix();
    while (!out_.Enough() && GetParagraph()) {
      FmtParagraph();
      PutParagraph(word_limit_);
    }
  }

 private:
  static constexpr int kEof = -1;
  int Getc() { return pos_ < in_.size() ? static_cast<unsigned char>(in_[pos_++]) : kEof; }
  static bool IsSpace(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

  // Blanks: in_column_ moves over spaces and tabs.
  int GetSpace(int c) {
    while (true) {
      if (c == ' ') {
        ++in_column_;
      } else if (c == '\t') {
        tabs_ = true;
        in_column_ = (in_column_ / kFmtTab + 1) * kFmtTab;
      } else {
        return c;
      }
      c = Getc();
    }
  }

  // The prefix of a line: the first character that does not match it, or
  // the first non-blank after it.
  int GetPrefix() {
    in_column_ = 0;
    int c = GetSpace(Getc());
    if (s_.prefix.empty()) {
      next_prefix_indent_ = std::min(s_.prefix_lead_space, in_column_);
    } else {
      next_prefix_indent_ = in_column_;
      for (char p : s_.prefix) {
        if (c != static_cast<unsigned char>(p)) return c;
        ++in_column_;
        c = Getc();
      }
      c = GetSpace(c);
    }
    return c;
  }

  // A line that is blank or does not start with the prefix goes out as it
  // is (blanks after the prefix reduced); returns '\n' or EOF.
  int CopyRest(int c) {
    out_column_ = 0;
    if (in_column_ > next_prefix_indent_ || (c != '\n' && c != kEof)) {
      PutSpace(next_prefix_indent_);
      for (size_t i = 0; out_column_ != in_column_ && i < s_.prefix.size(); ++i, ++out_column_) {
        out_.Put(s_.prefix[i]);
      }
      if (c != kEof && c != '\n') PutSpace(in_column_ - out_column_);
      if (c == kEof && in_column_ >= next_prefix_indent_ + static_cast<int>(s_.prefix.size())) {
        out_.Put('\n');
      }
    }
    while (c != '\n' && c != kEof) {
      out_.Put(static_cast<char>(c));
      c = Getc();
    }
    return c;
  }

  bool SamePara(int c) const {
    return next_prefix_indent_ == prefix_indent_ &&
           in_column_ >= next_prefix_indent_ + s_.prefix_full_length && c != '\n' && c != kEof;
  }

  void SetOtherIndent(bool same_paragraph) {
    if (s_.split) {
      other_indent_ = first_indent_;
    } else if (s_.crown) {
      other_indent_ = same_paragraph ? in_column_ : first_indent_;
    } else if (s_.tagged) {
      if (same_paragraph && in_column_ != first_indent_) {
        other_indent_ = in_column_;
      } else if (other_indent_ == first_indent_) {
        // One line: the indentation of the last paragraph if it differs.
        other_indent_ = first_indent_ == 0 ? kDefIndent : 0;
      }
    } else {
      other_indent_ = first_indent_;
    }
  }

  bool GetParagraph() {
    last_line_length_ = 0;
    int c = next_char_;
    // Blank lines, and lines without the prefix, are copied.
    while (c == '\n' || c == kEof || next_prefix_indent_ < s_.prefix_lead_space ||
           in_column_ < next_prefix_indent_ + s_.prefix_full_length) {
      c = CopyRest(c);
      if (c == kEof) {
        next_char_ = kEof;
        return false;
      }
      out_.Put('\n');
      c = GetPrefix();
    }
    prefix_indent_ = next_prefix_indent_;
    first_indent_ = in_column_;
    wptr_ = 0;
    word_limit_ = 0;
    c = GetLine(c);
    SetOtherIndent(SamePara(c));
    if (s_.split) {
      // one line per paragraph
    } else if (s_.crown) {
      if (SamePara(c)) {
        do {
          c = GetLine(c);
        } while (SamePara(c) && in_column_ == other_indent_);
      }
    } else if (s_.tagged) {
      if (SamePara(c) && in_column_ != first_indent_) {
        do {
          c = GetLine(c);
        } while (SamePara(c) && in_column_ == other_indent_);
      }
    } else {
      while (SamePara(c) && in_column_ == other_indent_) c = GetLine(c);
    }
    word_[static_cast<size_t>(word_limit_ - 1)].period = true;
    word_[static_cast<size_t>(word_limit_ - 1)].final = true;
    next_char_ = c;
    return true;
  }

  // One line of a paragraph, split into words; returns the first
  // non-blank character of the next line.
  int GetLine(int c) {
    do {
      FmtWord* w = &word_[static_cast<size_t>(word_limit_)];
      w->text = wptr_;
      do {
        if (wptr_ == kMaxChars) {
          SetOtherIndent(true);
          FlushParagraph();
          w = &word_[static_cast<size_t>(word_limit_)];
        }
        parabuf_[static_cast<size_t>(wptr_++)] = static_cast<char>(c);
        c = Getc();
      } while (c != kEof && !IsSpace(c));
      w->length = wptr_ - w->text;
      in_column_ += w->length;
      CheckPunctuation(w);
      int start = in_column_;
      c = GetSpace(c);
      w->space = in_column_ - start;
      w->final = c == kEof || (w->period && (c == '\n' || w->space > 1));
      if (c == '\n' || c == kEof || s_.uniform) w->space = w->final ? 2 : 1;
      if (word_limit_ == kMaxWords - 2) {
        SetOtherIndent(true);
        FlushParagraph();
      }
      ++word_limit_;
    } while (c != '\n' && c != kEof);
    return GetPrefix();
  }

  void CheckPunctuation(FmtWord* w) const {
    // strchr() finds the terminating NUL too: a NUL byte counts.
    auto in = [](const char* set, char c) { return c == '\0' || std::strchr(set, c) != nullptr; };
    const char* start = &parabuf_[static_cast<size_t>(w->text)];
    const char* finish = start + (w->length - 1);
    w->paren = in("(['`\"", *start);
    unsigned char fin = static_cast<unsigned char>(*finish);
    w->punct = fin > 0x20 && fin < 0x7f && !((fin | 0x20) >= 'a' && (fin | 0x20) <= 'z') &&
               !(fin >= '0' && fin <= '9');
    while (start < finish && in(")]'\"", *finish)) --finish;
    w->period = in(".?!", *finish);
  }

  // Formats what the buffer holds, writes the lines up to a good break
  // near its end, and keeps the rest as the start of the paragraph.
  void FlushParagraph() {
    if (word_limit_ == 0) {
      out_.Put(std::string_view(parabuf_).substr(0, static_cast<size_t>(wptr_)));
      wptr_ = 0;
      return;
    }
    FmtParagraph();
    int split_point = word_limit_;
    FmtCost best_break = kMaxCost;
    for (int w = word_[0].next_break; w != word_limit_;
         w = word_[static_cast<size_t>(w)].next_break) {
      const FmtWord& ww = word_[static_cast<size_t>(w)];
      FmtCost c = ww.best_cost - word_[static_cast<size_t>(ww.next_break)].best_cost;
      if (c < best_break) {
        split_point = w;
        best_break = c;
      }
      if (best_break <= kMaxCost - kLineCredit) best_break += kLineCredit;
    }
    PutParagraph(split_point);
    const int shift = word_[static_cast<size_t>(split_point)].text;
    parabuf_.replace(
        0, static_cast<size_t>(wptr_ - shift),
        parabuf_.substr(static_cast<size_t>(shift), static_cast<size_t>(wptr_ - shift)));
    wptr_ -= shift;
    for (int w = split_point; w <= word_limit_; ++w) word_[static_cast<size_t>(w)].text -= shift;
    std::copy(word_.begin() + split_point, word_.begin() + word_limit_ + 1, word_.begin());
    word_limit_ -= split_point;
  }

  FmtCost BaseCost(int t) const {
    const FmtWord& w = word_[static_cast<size_t>(t)];
    FmtCost cost = kLineCost;
    if (t > 0) {
      const FmtWord& prev = word_[static_cast<size_t>(t - 1)];
      if (prev.period) {
        cost += prev.final ? -kSentenceBonus : kNoBreakCost;
      } else if (prev.punct) {
        cost -= kPunctBonus;
      } else if (t > 1 && word_[static_cast<size_t>(t - 2)].final) {
        cost += WidowCost(prev.length);
      }
    }
    if (w.paren) {
      cost -= kParenBonus;
    } else if (w.final) {
      cost += OrphanCost(w.length);
    }
    return cost;
  }

  FmtCost LineCost(int next, int len) const {
    if (next == word_limit_) return 0;
    FmtCost cost = ShortCost(s_.goal_width - len);
    const FmtWord& n = word_[static_cast<size_t>(next)];
    if (n.next_break != word_limit_) cost += RaggedCost(len - n.line_length);
    return cost;
  }

  void FmtParagraph() {
    FmtWord& limit = word_[static_cast<size_t>(word_limit_)];
    limit.best_cost = 0;
    const int saved_length = limit.length;
    limit.length = s_.max_width;  // sentinel
    for (int start = word_limit_ - 1; start >= 0; --start) {
      FmtWord& st = word_[static_cast<size_t>(start)];
      FmtCost best = kMaxCost;
      int len = start == 0 ? first_indent_ : other_indent_;
      int w = start;
      len += word_[static_cast<size_t>(w)].length;
      do {
        ++w;
        FmtCost wcost = LineCost(w, len) + word_[static_cast<size_t>(w)].best_cost;
        if (start == 0 && last_line_length_ > 0) wcost += RaggedCost(len - last_line_length_);
        if (wcost < best) {
          best = wcost;
          st.next_break = w;
          st.line_length = len;
        }
        if (w == word_limit_) break;
        len += word_[static_cast<size_t>(w - 1)].space + word_[static_cast<size_t>(w)].length;
      } while (len < s_.max_width);
      st.best_cost = best + BaseCost(start);
    }
    limit.length = saved_length;
  }

  void PutParagraph(int finish) {
    PutLine(0, first_indent_);
    for (int w = word_[0].next_break; w != finish; w = word_[static_cast<size_t>(w)].next_break) {
      PutLine(w, other_indent_);
    }
  }

  void PutLine(int w, int indent) {
    out_column_ = 0;
    PutSpace(prefix_indent_);
    out_.Put(s_.prefix);
    out_column_ += static_cast<int>(s_.prefix.size());
    PutSpace(indent - out_column_);
    const int endline = word_[static_cast<size_t>(w)].next_break - 1;
    for (; w != endline; ++w) {
      PutWord(w);
      PutSpace(word_[static_cast<size_t>(w)].space);
    }
    PutWord(w);
    last_line_length_ = out_column_;
    out_.Put('\n');
  }

  void PutWord(int w) {
    const FmtWord& word = word_[static_cast<size_t>(w)];
    out_.Put(std::string_view(parabuf_).substr(static_cast<size_t>(word.text),
                                               static_cast<size_t>(word.length)));
    out_column_ += word.length;
  }

  // Blanks up to out_column_ + space, as tabs where the input had tabs.
  void PutSpace(int space) {
    const int target = out_column_ + space;
    if (tabs_) {
      const int tab_target = target / kFmtTab * kFmtTab;
      if (out_column_ + 1 < tab_target) {
        while (out_column_ < tab_target) {
          out_.Put('\t');
          out_column_ = (out_column_ / kFmtTab + 1) * kFmtTab;
        }
      }
    }
    while (out_column_ < target) {
      out_.Put(' ');
      ++out_column_;
    }
  }

  const FmtSettings& s_;
  Output& out_;
  std::string_view in_;
  size_t pos_ = 0;
  std::vector<FmtWord> word_;
  std::string parabuf_;
  int wptr_ = 0;
  int word_limit_ = 0;
  bool tabs_ = false;
  int in_column_ = 0, out_column_ = 0;
  int first_indent_ = 0, other_indent_ = 0;
  int prefix_indent_ = 0, next_prefix_indent_ = 0;
  int last_line_length_ = 0;
  int next_char_ = kEof;
};

enum FmtOpt {
  kFmtCrown,
  kFmtPrefix,
  kFmtSplit,
  kFmtTagged,
  kFmtUniform,
  kFmtWidth,
  kFmtGoal,
  kFmtDigit
};
const std::vector<Option> kFmtOptions = {
    {'c', "crown-margin", Option::kNone, kFmtCrown},
    {'p', "prefix", Option::kRequired, kFmtPrefix},
    {'s', "split-only", Option::kNone, kFmtSplit},
    {'t', "tagged-paragraph", Option::kNone, kFmtTagged},
    {'u', "uniform-spacing", Option::kNone, kFmtUniform},
    {'w', "width", Option::kRequired, kFmtWidth},
    {'g', "goal", Option::kRequired, kFmtGoal},
    {'0', nullptr, Option::kNone, kFmtDigit},
    {'1', nullptr, Option::kNone, kFmtDigit},
    {'2', nullptr, Option::kNone, kFmtDigit},
    {'3', nullptr, Option::kNone, kFmtDigit},
    {'4', nullptr, Option::kNone, kFmtDigit},
    {'5', nullptr, Option::kNone, kFmtDigit},
    {'6', nullptr, Option::kNone, kFmtDigit},
    {'7', nullptr, Option::kNone, kFmtDigit},
    {'8', nullptr, Option::kNone, kFmtDigit},
    {'9', nullptr, Option::kNone, kFmtDigit},
    {'\0', "help", Option::kNone, kHelp},
    {'\0', "version", Option::kNone, kVersion},
};

}  // namespace

void CmdFmt(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  std::vector<std::string> args = argv;
  std::optional<std::string> width_arg, goal_arg;
  // The obsolete -WIDTH, only as the first argument.
  if (args.size() > 1 && args[1].size() > 1 && args[1][0] == '-' && args[1][1] >= '0' &&
      args[1][1] <= '9') {
    width_arg = args[1].substr(1);
    args.erase(args.begin() + 1);
  }
  Getopt g = ParseGetopt(args, kFmtOptions, /*permute=*/true, io);
  if (g.refused) return;
  FmtSettings s;
  std::string prefix_arg;
  for (const GivenOption& o : g.options) {
    switch (o.id) {
      case kGetoptError:
        return UsageError(prog, o.arg, io);
      case kFmtDigit:
        return UsageError(prog,
                          std::string("invalid option -- ") + o.short_name +
                              "; -WIDTH is recognized only when it is the first\n"
                              "option; use -w N instead",
                          io);
      case kFmtCrown:
        s.crown = true;
        break;
      case kFmtSplit:
        s.split = true;
        break;
      case kFmtTagged:
        s.tagged = true;
        break;
      case kFmtUniform:
        s.uniform = true;
        break;
      case kFmtWidth:
        width_arg = o.arg;
        break;
      case kFmtGoal:
        goal_arg = o.arg;
        break;
      case kFmtPrefix: {
        // Leading spaces are counted, trailing ones dropped from the text
        // to match but kept in the length a paragraph line must reach.
        std::string_view p = o.arg;
        s.prefix_lead_space = 0;
        while (!p.empty() && p[0] == ' ') {
          ++s.prefix_lead_space;
          p.remove_prefix(1);
        }
        s.prefix_full_length = static_cast<int>(p.size());
        while (!p.empty() && p.back() == ' ') p.remove_suffix(1);
        s.prefix = std::string(p);
        break;
      }
    }
  }
  if (width_arg) {
    std::optional<int64_t> w = DecimalArg(prog, *width_arg, 0, kMaxChars / 2, "invalid width", io);
    if (!w) return;
    s.max_width = static_cast<int>(*w);
  }
  if (goal_arg) {
    std::optional<int64_t> w = DecimalArg(prog, *goal_arg, 0, s.max_width, "invalid width", io);
    if (!w) return;
    s.goal_width = static_cast<int>(*w);
    if (!width_arg) s.max_width = s.goal_width + 10;
  } else {
    s.goal_width = s.max_width * (2 * (100 - 7) + 1) / 200;
  }
  Output out(io);
  bool stdin_used = false;
  for (const std::string& name : OperandsOrStdin(g.operands)) {
    if (out.Enough()) break;
    InputFile file;
    InputFile::Open open = OpenOnce(file, env, io, prog, name, &stdin_used);
    if (open == InputFile::Open::kRefused) return;
    if (open == InputFile::Open::kOk && !file.ReadAll()) open = InputFile::Open::kError;
    if (open == InputFile::Open::kDirectory) {
      io.err += prog + ": read error\n";
      io.status = 1;
      continue;
    }
    if (open == InputFile::Open::kError) {
      io.err += prog + ": cannot open " + QuoteShell(name, true) +
                " for reading: " + ErrnoText(file.error()) + "\n";
      io.status = 1;
      continue;
    }
    Formatter formatter(s, out);
    formatter.Run(file.data());
  }
}

}  // namespace memhook::utils
