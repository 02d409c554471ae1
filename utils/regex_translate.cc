// GNU BRE/ERE -> RE2. The parser follows GNU grep 3.8's two engines (the
// dfa.c matcher that selects lines and glibc's regex that -o and -w use);
// where the two read a pattern differently the pattern is refused.
#include "utils/regex_translate.h"

#include <wchar.h>
#include <wctype.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <cwctype>
#include <utility>

namespace memhook::utils {

// ---------------------------------------------------------------- RequiredText

namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string AsciiLowerString(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

bool ContainsIgnoringAsciiCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && AsciiLower(haystack[i + k]) == AsciiLower(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

}  // namespace

RequiredText RequiredText::Atom(std::string text) {
  RequiredText r;
  // Too short for a trigram index, or holding a NUL byte (text search
  // interfaces stop there): no constraint.
  if (text.size() < kMinAtomBytes || text.find('\0') != std::string::npos) return r;
  r.op = Op::kAtom;
  r.atom = AsciiLowerString(text);
  return r;
}

RequiredText RequiredText::And(std::vector<RequiredText> parts) {
  std::vector<RequiredText> kept;
  for (RequiredText& part : parts) {
    if (part.op == Op::kAny) continue;  // "true" adds nothing to a conjunction
    if (part.op == Op::kAnd) {
      for (RequiredText& child : part.children) kept.push_back(std::move(child));
    } else {
      kept.push_back(std::move(part));
    }
  }
  if (kept.empty()) return Any();
  if (kept.size() == 1) return std::move(kept[0]);
  RequiredText r;
  r.op = Op::kAnd;
  r.children = std::move(kept);
  return r;
}

RequiredText RequiredText::Or(std::vector<RequiredText> parts) {
  std::vector<RequiredText> kept;
  for (RequiredText& part : parts) {
    if (part.op == Op::kAny) return Any();  // one unconstrained branch frees them all
    if (part.op == Op::kOr) {
      for (RequiredText& child : part.children) kept.push_back(std::move(child));
    } else {
      kept.push_back(std::move(part));
    }
  }
  if (kept.empty()) return Any();
  if (kept.size() == 1) return std::move(kept[0]);
  RequiredText r;
  r.op = Op::kOr;
  r.children = std::move(kept);
  return r;
}

bool RequiredText::Holds(std::string_view text) const {
  switch (op) {
    case Op::kAny:
      return true;
    case Op::kAtom:
      return ContainsIgnoringAsciiCase(text, atom);
    case Op::kAnd:
      for (const RequiredText& c : children) {
        if (!c.Holds(text)) return false;
      }
      return true;
    case Op::kOr:
      for (const RequiredText& c : children) {
        if (c.Holds(text)) return true;
      }
      return false;
  }
  return true;
}

std::string RequiredText::ToString() const {
  switch (op) {
    case Op::kAny:
      return "any";
    case Op::kAtom:
      return "\"" + atom + "\"";
    case Op::kAnd:
    case Op::kOr: {
      std::string out = op == Op::kAnd ? "and(" : "or(";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i > 0) out += ",";
        out += children[i].ToString();
      }
      return out + ")";
    }
  }
  return "";
}

// ---------------------------------------------------------------- characters

namespace {

// Characters that GNU's localeinfo.c lists as having an uppercase form
// whose lowercase is another character (e.g. U+00B5 MICRO SIGN -> U+039C ->
// U+03BC): case_folded_counterparts must look for them explicitly. This is
// the list of gnulib as bundled with grep 3.8.
constexpr uint32_t kLonesomeLower[] = {
    0x00B5, 0x0131, 0x017F, 0x01C5, 0x01C8, 0x01CB, 0x01F2, 0x0345, 0x03C2, 0x03D0,
    0x03D1, 0x03D5, 0x03D6, 0x03F0, 0x03F1, 0x03F2, 0x03F5, 0x1E9B, 0x1FBE,
};

// POSIX class names GNU accepts inside brackets.
constexpr const char* kClassNames[] = {"alpha", "upper", "lower", "digit", "xdigit", "space",
                                       "print", "punct", "graph", "cntrl", "blank",  "alnum"};

// Classes whose members are all ASCII in glibc (iswdigit, iswxdigit): RE2's
// ASCII reading of them is exact in every locale.
bool ClassIsAsciiOnly(std::string_view name) { return name == "digit" || name == "xdigit"; }

bool IsAsciiWordChar(uint32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

// Decodes `text` into characters: code points under UTF-8 (via the
// locale's mbrtowc, as GNU does), bytes otherwise. False on an encoding
// error.
bool DecodeChars(std::string_view text, bool utf8, std::vector<uint32_t>* out) {
  out->clear();
  if (!utf8) {
    for (unsigned char c : text) out->push_back(c);
    return true;
  }
  std::mbstate_t state{};
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out->push_back(c);
      ++i;
      continue;
    }
    wchar_t wc = 0;
    size_t n = std::mbrtowc(&wc, text.data() + i, text.size() - i, &state);
    if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0) return false;
    out->push_back(static_cast<uint32_t>(wc));
    i += n;
  }
  return true;
}

// The character as bytes of the pattern's encoding.
std::string EncodeChar(uint32_t c, bool utf8) {
  if (!utf8 || c < 0x80) return std::string(1, static_cast<char>(c));
  char buf[MB_LEN_MAX];
  std::mbstate_t state{};
  size_t n = std::wcrtomb(buf, static_cast<wchar_t>(c), &state);
  if (n == static_cast<size_t>(-1)) return std::string();
  return std::string(buf, n);
}

// RE2 spelling of one character, usable inside and outside brackets.
// \x{...} is a code point in UTF-8 mode and a byte in Latin-1 mode.
std::string Re2Char(uint32_t c) {
  if (c < 0x80 && ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
    return std::string(1, static_cast<char>(c));
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%x}", c);
  return buf;
}

// The members of an iswctype class in the current locale, as code point
// ranges (surrogates excluded).
std::vector<std::pair<uint32_t, uint32_t>> EnumerateClass(const std::string& name) {
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  wctype_t type = wctype(name.c_str());
  for (uint32_t c = 0; c <= 0x10FFFF; ++c) {
    if (c == 0xD800) c = 0xE000;
    if (!std::iswctype(static_cast<wint_t>(c), type)) continue;
    if (!ranges.empty() && ranges.back().second + 1 == c) {
      ranges.back().second = c;
    } else {
      ranges.push_back({c, c});
    }
  }
  return ranges;
}

}  // namespace

std::vector<uint32_t> CaseCounterparts(uint32_t c, bool utf8) {
  std::vector<uint32_t> folded;
  if (!utf8) {
    // The C locale folds ASCII letters only (bytes >= 0x80 have no case).
    if (c >= 'a' && c <= 'z') folded.push_back(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z') folded.push_back(c - 'A' + 'a');
    return folded;
  }
  wint_t wc = static_cast<wint_t>(c);
  wint_t uc = std::towupper(wc);
  wint_t lc = std::towlower(uc);
  if (uc != wc) folded.push_back(static_cast<uint32_t>(uc));
  if (lc != uc && lc != wc && std::towupper(lc) == uc) folded.push_back(static_cast<uint32_t>(lc));
  for (uint32_t lonesome : kLonesomeLower) {
    wint_t li = static_cast<wint_t>(lonesome);
    if (li != lc && li != uc && li != wc && std::towupper(li) == uc) folded.push_back(lonesome);
  }
  return folded;
}

// ---------------------------------------------------------------- AST

namespace {

struct CharSet {
  bool negated = false;
  std::vector<std::pair<uint32_t, uint32_t>> ranges;  // inclusive
  std::vector<std::string> classes;                   // POSIX class names
};

struct Node {
  enum class Kind {
    kEmpty,
    kChar,
    kAny,
    kSet,
    kBol,        // ^
    kEol,        // $
    kBufBeg,     // \`  (a line is the whole buffer for grep)
    kBufEnd,     // \'
    kWordB,      // \b
    kNotWordB,   // \B
    kWordStart,  // \<
    kWordEnd,    // \>
    kConcat,
    kAlt,
    kRepeat,
  };
  Kind kind = Kind::kEmpty;
  uint32_t ch = 0;
  CharSet set;
  int min = 0, max = -1;  // kRepeat; max -1 = unbounded
  bool capture = false;   // kConcat: a capturing group (sed)
  std::vector<Node> children;

  bool ZeroWidth() const {
    return kind == Kind::kBol || kind == Kind::kEol || kind == Kind::kBufBeg ||
           kind == Kind::kBufEnd || kind == Kind::kWordB || kind == Kind::kNotWordB ||
           kind == Kind::kWordStart || kind == Kind::kWordEnd;
  }
};

// RE2 refuses repetition counts above 1000; GNU accepts up to 32767.
constexpr int kRe2MaxRepeat = 1000;

class Parser {
 public:
  Parser(const std::vector<uint32_t>& chars, const TranslateOptions& options, Translation* out)
      : c_(chars), options_(options), out_(out), ere_(options.syntax == RegexSyntax::kExtended) {}

  // Some escape of an ordinary character ("\d"): GNU 3.8 can warn about
  // it (see TranslateGnuRegex).
  bool stray_backslash() const { return stray_backslash_; }

  bool Parse(Node* root) {
    *root = ParseAlt(0);
    if (failed()) return false;
    if (pos_ != c_.size()) return Fail("unmatched close of a group");
    return true;
  }

 private:
  bool failed() const { return !out_->unsupported.empty(); }
  bool Fail(std::string reason) {
    if (out_->unsupported.empty()) out_->unsupported = std::move(reason);
    return false;
  }
  bool At(size_t i, uint32_t ch) const { return i < c_.size() && c_[i] == ch; }
  bool AtAlt() const { return ere_ ? At(pos_, '|') : (At(pos_, '\\') && At(pos_ + 1, '|')); }
  bool AtClose() const { return ere_ ? At(pos_, ')') : (At(pos_, '\\') && At(pos_ + 1, ')')); }

  Node ParseAlt(int depth) {
    Node alt;
    alt.kind = Node::Kind::kAlt;
    alt.children.push_back(ParseBranch(depth));
    while (!failed() && AtAlt()) {
      pos_ += ere_ ? 1 : 2;
      alt.children.push_back(ParseBranch(depth));
    }
    if (alt.children.size() == 1) return std::move(alt.children[0]);
    return alt;
  }

  Node ParseBranch(int depth) {
    Node concat;
    concat.kind = Node::Kind::kConcat;
    // GNU's "laststart": only zero-width tokens since the start of the
    // branch; `pure_start`: no token at all yet.
    bool laststart = true;
    bool pure_start = true;
    while (!failed() && pos_ < c_.size() && !AtAlt()) {
      if (AtClose()) {
        if (depth > 0) break;
        if (!ere_) {
          Fail("unmatched \\)");
          break;
        }
        // ERE: an unmatched ')' is an ordinary character
        // (RE_UNMATCHED_RIGHT_PAREN_ORD).
      }
      Node atom;
      if (!ParseAtom(depth, laststart, pure_start, &atom)) break;
      bool zero_width = atom.ZeroWidth();
      if (!zero_width && atom.kind != Node::Kind::kEmpty) laststart = false;
      if (atom.kind != Node::Kind::kEmpty || !pure_start) pure_start = false;
      if (atom.kind == Node::Kind::kEmpty && pure_start) pure_start = false;
      if (!zero_width) {
        ParseRepetitions(&atom);
      } else if (AtRepetition() &&
                 !(laststart && !ere_ && (At(pos_, '*') || IsBreLiteralAtStart()))) {
        // A repetition of an anchor: dfa.c repeats it, glibc ignores the
        // operator. The engines disagree: refuse.
        Fail("repetition of an anchor");
        break;
      }
      concat.children.push_back(std::move(atom));
    }
    if (concat.children.empty()) return Node();
    if (concat.children.size() == 1) return std::move(concat.children[0]);
    return concat;
  }

  // BRE operators that are literal at the start of an expression.
  bool IsBreLiteralAtStart() const {
    return At(pos_, '\\') && (At(pos_ + 1, '+') || At(pos_ + 1, '?') || At(pos_ + 1, '{'));
  }

  bool AtRepetition() const {
    if (ere_) {
      if (At(pos_, '*') || At(pos_, '+') || At(pos_, '?')) return true;
      int mn, mx;
      size_t end;
      return At(pos_, '{') && ParseInterval(pos_ + 1, &mn, &mx, &end) == IntervalForm::kValid;
    }
    if (At(pos_, '*')) return true;
    return At(pos_, '\\') && (At(pos_ + 1, '+') || At(pos_ + 1, '?') || At(pos_ + 1, '{'));
  }

  enum class IntervalForm { kValid, kLiteral, kBad };

  // Reads "m}", "m,}", ",n}", "m,n}", ",}" at `i` (after the opening
  // brace); BRE needs "\}" to close.
  IntervalForm ParseInterval(size_t i, int* min, int* max, size_t* end) const {
    auto digits = [&](size_t* j, int* value) {
      bool any = false;
      long v = 0;
      while (*j < c_.size() && c_[*j] >= '0' && c_[*j] <= '9') {
        v = std::min<long>(v * 10 + (c_[*j] - '0'), 100000);
        ++*j;
        any = true;
      }
      *value = static_cast<int>(v);
      return any;
    };
    size_t j = i;
    int lo = 0, hi = -1;
    bool has_lo = digits(&j, &lo);
    bool comma = false;
    bool has_hi = false;
    if (At(j, ',')) {
      comma = true;
      ++j;
      has_hi = digits(&j, &hi);
    }
    bool closed = ere_ ? At(j, '}') : (At(j, '\\') && At(j + 1, '}'));
    if (!closed || (!has_lo && !comma)) {
      // ERE reads what is not an interval as literal text
      // (RE_INVALID_INTERVAL_ORD); BRE reports an error.
      return ere_ ? IntervalForm::kLiteral : IntervalForm::kBad;
    }
    if (!comma) hi = lo;
    if (!has_hi && comma) hi = -1;
    if (hi >= 0 && lo > hi) return IntervalForm::kBad;
    *min = lo;
    *max = hi;
    *end = j + (ere_ ? 1 : 2);
    return IntervalForm::kValid;
  }

  void ParseRepetitions(Node* atom) {
    while (!failed() && pos_ < c_.size()) {
      int mn = 0, mx = -1;
      if (At(pos_, '*')) {
        ++pos_;
        mn = 0;
        mx = -1;
      } else if (ere_ && (At(pos_, '+') || At(pos_, '?'))) {
        mn = At(pos_, '+') ? 1 : 0;
        mx = At(pos_, '+') ? -1 : 1;
        ++pos_;
      } else if (!ere_ && At(pos_, '\\') && (At(pos_ + 1, '+') || At(pos_ + 1, '?'))) {
        mn = At(pos_ + 1, '+') ? 1 : 0;
        mx = At(pos_ + 1, '+') ? -1 : 1;
        pos_ += 2;
      } else if ((ere_ && At(pos_, '{')) || (!ere_ && At(pos_, '\\') && At(pos_ + 1, '{'))) {
        size_t end = 0;
        IntervalForm form = ParseInterval(pos_ + (ere_ ? 1 : 2), &mn, &mx, &end);
        if (form == IntervalForm::kLiteral) {
          if (options_.sed) Fail("'{' without an interval");
          return;  // '{' starts the next atom
        }
        if (form == IntervalForm::kBad) {
          Fail("invalid interval");
          return;
        }
        if (mn > kRe2MaxRepeat || mx > kRe2MaxRepeat) {
          Fail("interval above RE2's limit");
          return;
        }
        pos_ = end;
      } else {
        return;
      }
      Node rep;
      rep.kind = Node::Kind::kRepeat;
      rep.min = mn;
      rep.max = mx;
      rep.children.push_back(std::move(*atom));
      *atom = std::move(rep);
    }
  }

  Node Char(uint32_t ch) {
    Node n;
    n.kind = Node::Kind::kChar;
    n.ch = ch;
    return n;
  }
  Node Simple(Node::Kind kind) {
    Node n;
    n.kind = kind;
    return n;
  }
  Node ClassSet(const char* cls, bool negated, bool underscore) {
    Node n;
    n.kind = Node::Kind::kSet;
    n.set.negated = negated;
    n.set.classes.push_back(cls);
    if (underscore) n.set.ranges.push_back({'_', '_'});
    return n;
  }

  void NoteClass(const std::string& name) {
    if (!options_.utf8 || ClassIsAsciiOnly(name)) return;
    auto& v = out_->locale_classes;
    if (std::find(v.begin(), v.end(), name) == v.end()) v.push_back(name);
  }

  // Parses one atom at pos_. Repetition operators reaching here are at the
  // start of an expression (or follow an anchor).
  bool ParseAtom(int depth, bool laststart, bool pure_start, Node* atom) {
    uint32_t ch = c_[pos_];
    if (ch == '\\') {
      if (pos_ + 1 >= c_.size()) return Fail("trailing backslash");
      uint32_t d = c_[pos_ + 1];
      pos_ += 2;
      if (!ere_) {
        switch (d) {
          case '(':
            return ParseGroup(depth, atom);
          case '{':
            if (laststart) {
              // A leading interval is ordinary text in GNU grep's BRE;
              // sed's syntax (RE_CONTEXT_INVALID_DUP) rejects it.
              if (options_.sed) return Fail("interval at start of expression");
              *atom = Char('{');
              return true;
            }
            return Fail("interval after an anchor");
          case '+':
          case '?':
            if (laststart) {
              *atom = Char(d);
              return true;
            }
            return Fail("repetition after an anchor");
          case '}':
            *atom = Char('}');
            return true;
          default:
            break;
        }
      }
      return ParseEscape(d, atom);
    }
    if (ere_) {
      switch (ch) {
        case '(':
          ++pos_;
          return ParseGroup(depth, atom);
        case ')':
          // sed clears RE_UNMATCHED_RIGHT_PAREN_ORD: an error there.
          if (options_.sed) return Fail("unmatched )");
          ++pos_;
          *atom = Char(')');  // unmatched (depth 0), see ParseBranch
          out_->unmatched_paren = true;
          return true;
        case '*':
        case '+':
        case '?': {
          if (!pure_start) return Fail("repetition of an anchor");
          if (options_.sed) return Fail("repetition at start of expression");
          // dfa.c warns "X at start of expression" for each operator and
          // repeats the empty string; glibc skips them. Both match the
          // empty string.
          while (At(pos_, '*') || At(pos_, '+') || At(pos_, '?')) {
            out_->warnings.push_back(std::string(1, static_cast<char>(c_[pos_])) +
                                     " at start of expression");
            ++pos_;
          }
          int mn, mx;
          size_t end;
          if (At(pos_, '{') && ParseInterval(pos_ + 1, &mn, &mx, &end) != IntervalForm::kLiteral) {
            return Fail("interval at start of expression");
          }
          // glibc then reads a ')' as an ordinary character: "(+)" is an
          // unmatched '(' for it.
          if (depth > 0 && At(pos_, ')')) return Fail("unmatched (");
          *atom = Node();
          return true;
        }
        case '{': {
          int mn, mx;
          size_t end;
          IntervalForm form = ParseInterval(pos_ + 1, &mn, &mx, &end);
          if (form == IntervalForm::kLiteral) {
            if (options_.sed) return Fail("'{' without an interval");
            ++pos_;
            *atom = Char('{');
            return true;
          }
          // A leading interval: dfa.c repeats the empty string, glibc
          // reads the text after '{'. Refuse.
          return Fail("interval at start of expression");
        }
        case '^':
          ++pos_;
          *atom = Simple(Node::Kind::kBol);
          return true;
        case '$':
          ++pos_;
          *atom = Simple(Node::Kind::kEol);
          return true;
        default:
          break;
      }
    } else {
      switch (ch) {
        case '*':
          if (!laststart) return Fail("repetition after an anchor");
          ++pos_;
          *atom = Char('*');
          return true;
        case '^':
          ++pos_;
          *atom = pure_start ? Simple(Node::Kind::kBol) : Char('^');
          return true;
        case '$': {
          ++pos_;
          bool anchor =
              pos_ == c_.size() || (At(pos_, '\\') && (At(pos_ + 1, ')') || At(pos_ + 1, '|')));
          *atom = anchor ? Simple(Node::Kind::kEol) : Char('$');
          return true;
        }
        default:
          break;
      }
    }
    if (ch == '.') {
      ++pos_;
      *atom = Simple(Node::Kind::kAny);
      return true;
    }
    if (ch == '[') {
      ++pos_;
      return ParseBracket(atom);
    }
    ++pos_;
    *atom = Char(ch);
    return true;
  }

  bool ParseGroup(int depth, Node* atom) {
    if (options_.sed) ++out_->groups;
    Node inner = ParseAlt(depth + 1);
    if (failed()) return false;
    if (!AtClose()) return Fail(ere_ ? "unmatched (" : "unmatched \\(");
    pos_ += ere_ ? 1 : 2;
    // A group is a plain sub-expression for RE2: (?:...) in the emitter;
    // sed's capture, numbered by its opening parenthesis.
    Node group;
    group.kind = Node::Kind::kConcat;
    group.capture = options_.sed;
    group.children.push_back(std::move(inner));
    *atom = std::move(group);
    return true;
  }

  // Escapes common to BRE and ERE (after the syntax-specific ones).
  bool ParseEscape(uint32_t d, Node* atom) {
    switch (d) {
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
        return Fail("back-reference");
      case 'w':
        *atom = ClassSet("alnum", false, true);
        NoteClass("alnum");
        return true;
      case 'W':
        *atom = ClassSet("alnum", true, true);
        NoteClass("alnum");
        return true;
      case 's':
        *atom = ClassSet("space", false, false);
        NoteClass("space");
        return true;
      case 'S':
        *atom = ClassSet("space", true, false);
        NoteClass("space");
        return true;
      case 'b':
        *atom = Simple(Node::Kind::kWordB);
        if (options_.utf8) out_->word_assertions = true;
        return true;
      case 'B':
        *atom = Simple(Node::Kind::kNotWordB);
        if (options_.utf8) out_->word_assertions = true;
        return true;
      case '<':
        *atom = Simple(Node::Kind::kWordStart);
        if (options_.utf8) out_->word_assertions = true;
        return true;
      case '>':
        *atom = Simple(Node::Kind::kWordEnd);
        if (options_.utf8) out_->word_assertions = true;
        return true;
      case '`':
        *atom = Simple(Node::Kind::kBufBeg);
        return true;
      case '\'':
        *atom = Simple(Node::Kind::kBufEnd);
        return true;
      default:
        break;
    }
    // Any other escaped character stands for itself (GNU 3.8 may warn about
    // a "stray \" when DEB_GREP_ENABLE_STRAY_BACKSLASH_WARN is set; the
    // caller refuses that case).
    static constexpr std::string_view kSpecial = ".*[]^$\\(){}|+?";
    if (d >= 0x80 || kSpecial.find(static_cast<char>(d)) == std::string_view::npos) {
      stray_backslash_ = true;
    }
    *atom = Char(d);
    return true;
  }

  bool ParseBracket(Node* atom) {
    Node n;
    n.kind = Node::Kind::kSet;
    CharSet& set = n.set;
    if (At(pos_, '^')) {
      set.negated = true;
      ++pos_;
    }
    size_t content_start = pos_;
    bool first = true;
    while (true) {
      if (pos_ >= c_.size()) return Fail("unterminated [");
      uint32_t ch = c_[pos_];
      if (ch == ']' && !first) {
        // dfa.c rejects "[:space:]" written without the outer brackets.
        if (pos_ - content_start >= 2 && c_[content_start] == ':' && c_[pos_ - 1] == ':') {
          return Fail("[:class:] outside brackets");
        }
        ++pos_;
        break;
      }
      first = false;
      if (ch == '[' && (At(pos_ + 1, ':') || At(pos_ + 1, '=') || At(pos_ + 1, '.'))) {
        uint32_t kind = c_[pos_ + 1];
        size_t j = pos_ + 2;
        while (j + 1 < c_.size() && !(c_[j] == kind && c_[j + 1] == ']')) ++j;
        if (j + 1 >= c_.size()) return Fail("unterminated [");
        if (kind != ':') return Fail("equivalence class or collating symbol");
        std::string name;
        for (size_t k = pos_ + 2; k < j; ++k) {
          if (c_[k] >= 0x80) return Fail("invalid class name");
          name += static_cast<char>(c_[k]);
        }
        bool valid = false;
        for (const char* known : kClassNames) valid |= name == known;
        if (!valid) return Fail("invalid class name");
        if (options_.ignore_case && (name == "upper" || name == "lower")) name = "alpha";
        NoteClass(name);
        set.classes.push_back(name);
        pos_ = j + 2;
        if (At(pos_, '-') && pos_ + 1 < c_.size() && c_[pos_ + 1] != ']') {
          return Fail("range starting at a class");
        }
        continue;
      }
      uint32_t lo = ch;
      ++pos_;
      if (At(pos_, '-') && pos_ + 1 < c_.size() && c_[pos_ + 1] != ']') {
        uint32_t hi = c_[pos_ + 1];
        if (hi == '[' && (At(pos_ + 2, '.') || At(pos_ + 2, '=') || At(pos_ + 2, ':'))) {
          return Fail("range ending at a class or collating symbol");
        }
        pos_ += 2;
        if (hi < lo) return Fail("invalid range end");
        if (!options_.codepoint_collation) {
          auto within = [&](uint32_t a, uint32_t b) { return lo >= a && hi <= b; };
          if (!within('0', '9') && !within('a', 'z') && !within('A', 'Z')) {
            return Fail("range under a non-code-point collation");
          }
          if (!within('0', '9')) out_->locale_ranges = true;
        }
        set.ranges.push_back({lo, hi});
        if (At(pos_, '-') && pos_ + 1 < c_.size() && c_[pos_ + 1] != ']') {
          return Fail("'-' after a range");
        }
      } else {
        set.ranges.push_back({lo, lo});
      }
    }
    *atom = std::move(n);
    return true;
  }

  const std::vector<uint32_t>& c_;
  const TranslateOptions& options_;
  Translation* out_;
  bool ere_;
  size_t pos_ = 0;
  bool stray_backslash_ = false;
};

// ---------------------------------------------------------------- analysis

bool Nullable(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kChar:
    case Node::Kind::kAny:
    case Node::Kind::kSet:
      return false;
    case Node::Kind::kConcat:
      for (const Node& c : n.children) {
        if (!Nullable(c)) return false;
      }
      return true;
    case Node::Kind::kAlt:
      for (const Node& c : n.children) {
        if (Nullable(c)) return true;
      }
      return false;
    case Node::Kind::kRepeat:
      return n.min == 0 || Nullable(n.children[0]);
    default:
      return true;  // empty and zero-width
  }
}

bool IsWordCharCp(uint32_t c, bool utf8) {
  if (c < 0x80) return IsAsciiWordChar(c);
  return utf8 && std::iswalnum(static_cast<wint_t>(c));
}

// Every member of the set is a word character (for RE2's ASCII \b; the
// non-ASCII ones are checked against the text at run time).
bool SetIsWordOnly(const CharSet& set, bool utf8) {
  if (set.negated) return false;
  for (const auto& [lo, hi] : set.ranges) {
    if (hi - lo > 0x10000) return false;
    for (uint32_t c = lo; c <= hi; ++c) {
      if (!IsWordCharCp(c, utf8)) return false;
    }
  }
  for (const std::string& cls : set.classes) {
    if (cls != "alpha" && cls != "upper" && cls != "lower" && cls != "digit" && cls != "alnum") {
      return false;
    }
  }
  return true;
}

// Whether every non-empty match of `n` starts (first = true) or ends with a
// word character.
bool NonEmptyEdgeIsWord(const Node& n, bool first, bool utf8) {
  if (n.ZeroWidth()) return true;  // no non-empty match
  switch (n.kind) {
    case Node::Kind::kEmpty:
      return true;
    case Node::Kind::kChar:
      return IsWordCharCp(n.ch, utf8);
    case Node::Kind::kSet:
      return SetIsWordOnly(n.set, utf8);
    case Node::Kind::kRepeat:
      return n.max == 0 || NonEmptyEdgeIsWord(n.children[0], first, utf8);
    case Node::Kind::kAlt:
      for (const Node& c : n.children) {
        if (!NonEmptyEdgeIsWord(c, first, utf8)) return false;
      }
      return true;
    case Node::Kind::kConcat: {
      // The edge character comes from the first (last) child that consumes
      // text in a given match: every child up to the first that always
      // consumes some may be that one. Zero-width children never are.
      const size_t count = n.children.size();
      for (size_t k = 0; k < count; ++k) {
        const Node& c = n.children[first ? k : count - 1 - k];
        if (!NonEmptyEdgeIsWord(c, first, utf8)) return false;
        if (!c.ZeroWidth() && !Nullable(c)) return true;
      }
      return true;
    }
    default:
      return false;
  }
}

// Whether every match of `n` starts (first = true) or ends with a word
// character: it is never empty, and a non-empty match always does
// (`\<word[a-z]*\>`: the end is a letter of [a-z]* or the 'd').
bool EdgeIsWord(const Node& n, bool first, bool utf8) {
  return !Nullable(n) && NonEmptyEdgeIsWord(n, first, utf8);
}

// ---------------------------------------------------------------- emission

// Class members already enumerated for this pattern (EnumerateClass is a
// scan of every code point).
using ClassCache = std::vector<std::pair<std::string, std::vector<std::pair<uint32_t, uint32_t>>>>;

class Emitter {
 public:
  Emitter(const TranslateOptions& options, bool noeol, Translation* out, ClassCache* cache)
      : options_(options), noeol_(noeol), out_(out), cache_(cache) {}

  bool Emit(const Node& n, std::string* re) {
    switch (n.kind) {
      case Node::Kind::kEmpty:
        *re += "(?:)";
        return true;
      case Node::Kind::kChar:
        EmitChar(n.ch, re);
        return true;
      case Node::Kind::kAny:
        *re += ".";
        return true;
      case Node::Kind::kSet:
        return EmitSet(n.set, re);
      case Node::Kind::kBol:
        *re += "^";
        return true;
      case Node::Kind::kBufBeg:
        *re += options_.sed ? "\\A" : "^";
        return true;
      case Node::Kind::kEol:
        // GNU's re_match with REG_NOTEOL: '$' cannot match at the end of
        // the (shortened) string.
        *re += noeol_ ? Never() : "$";
        return true;
      case Node::Kind::kBufEnd:
        *re += options_.sed ? "\\z" : "$";
        return true;
      case Node::Kind::kWordB:
        *re += "\\b";
        return true;
      case Node::Kind::kNotWordB:
        *re += "\\B";
        return true;
      case Node::Kind::kWordStart:
      case Node::Kind::kWordEnd:
        // Only reachable inside a concatenation (see EmitConcat); alone it
        // has no RE2 equivalent.
        return Refuse("\\< or \\> without a word character next to it");
      case Node::Kind::kConcat:
        return EmitConcat(n, re);
      case Node::Kind::kAlt: {
        *re += "(?:";
        for (size_t i = 0; i < n.children.size(); ++i) {
          if (i > 0) *re += "|";
          if (!Emit(n.children[i], re)) return false;
        }
        *re += ")";
        return true;
      }
      case Node::Kind::kRepeat: {
        *re += "(?:";
        if (!Emit(n.children[0], re)) return false;
        *re += ")";
        if (n.min == 0 && n.max < 0) {
          *re += "*";
        } else if (n.min == 1 && n.max < 0) {
          *re += "+";
        } else if (n.min == 0 && n.max == 1) {
          *re += "?";
        } else if (n.max < 0) {
          *re += "{" + std::to_string(n.min) + ",}";
        } else if (n.min == n.max) {
          *re += "{" + std::to_string(n.min) + "}";
        } else {
          *re += "{" + std::to_string(n.min) + "," + std::to_string(n.max) + "}";
        }
        return true;
      }
    }
    return false;
  }

 private:
  bool Refuse(const char* reason) {
    if (out_->unsupported.empty()) out_->unsupported = reason;
    return false;
  }

  std::string Never() const { return options_.utf8 ? "[^\\x00-\\x{10ffff}]" : "[^\\x00-\\x{ff}]"; }

  void EmitChar(uint32_t c, std::string* re) {
    std::vector<uint32_t> folded;
    if (options_.ignore_case) folded = CaseCounterparts(c, options_.utf8);
    if (folded.empty()) {
      *re += Re2Char(c);
      return;
    }
    *re += "[" + Re2Char(c);
    for (uint32_t f : folded) *re += Re2Char(f);
    *re += "]";
  }

  bool EmitSet(const CharSet& set, std::string* re) {
    std::string body;
    for (const auto& [lo, hi] : set.ranges) {
      body += Re2Char(lo);
      if (hi != lo) body += "-" + Re2Char(hi);
      if (options_.ignore_case) {
        // GNU adds each member's case counterparts; a huge range under -i
        // would be slow to expand and is not worth it.
        if (hi - lo > 0x3000) return Refuse("huge range under -i");
        for (uint32_t c = lo; c <= hi; ++c) {
          for (uint32_t f : CaseCounterparts(c, options_.utf8)) body += Re2Char(f);
        }
      }
    }
    for (const std::string& cls : set.classes) {
      if (!options_.full_classes || !options_.utf8 || ClassIsAsciiOnly(cls)) {
        body += "[:" + cls + ":]";
        continue;
      }
      for (const auto& [lo, hi] : ClassRanges(cls)) {
        body += Re2Char(lo);
        if (hi != lo) body += "-" + Re2Char(hi);
      }
    }
    if (set.negated && options_.hat_lists_not_newline) body += "\\x{a}";
    *re += (set.negated ? "[^" : "[") + body + "]";
    return true;
  }

  const std::vector<std::pair<uint32_t, uint32_t>>& ClassRanges(const std::string& name) {
    for (const auto& entry : *cache_) {
      if (entry.first == name) return entry.second;
    }
    cache_->push_back({name, EnumerateClass(name)});
    return cache_->back().second;
  }

  // \< and \> become \b when the neighbouring text is known to be a word
  // character: then "a boundary" and "the start (end) of a word" coincide.
  bool EmitConcat(const Node& n, std::string* re) {
    *re += n.capture ? "(" : "(?:";
    for (size_t i = 0; i < n.children.size(); ++i) {
      const Node& c = n.children[i];
      if (c.kind == Node::Kind::kWordStart || c.kind == Node::Kind::kWordEnd) {
        bool start = c.kind == Node::Kind::kWordStart;
        Node rest;
        rest.kind = Node::Kind::kConcat;
        if (start) {
          for (size_t k = i + 1; k < n.children.size(); ++k) rest.children.push_back(n.children[k]);
        } else {
          for (size_t k = 0; k < i; ++k) rest.children.push_back(n.children[k]);
        }
        if (!EdgeIsWord(rest, start, options_.utf8)) {
          return Refuse("\\< or \\> without a word character next to it");
        }
        *re += "\\b";
        continue;
      }
      if (!Emit(c, re)) return false;
    }
    *re += ")";
    return true;
  }

  const TranslateOptions& options_;
  bool noeol_;
  Translation* out_;
  ClassCache* cache_;
};

// ---------------------------------------------------------------- required text

// What a sub-expression tells about the text of any match: either the exact
// set of strings it can match (small sets only), or a formula.
struct Info {
  bool exact = false;
  std::vector<std::string> strings;  // exact: ASCII-lowercased
  RequiredText match;                // !exact
};

constexpr size_t kMaxExactStrings = 16;

RequiredText StringsToRequired(const std::vector<std::string>& strings) {
  std::vector<RequiredText> atoms;
  for (const std::string& s : strings) atoms.push_back(RequiredText::Atom(s));
  return RequiredText::Or(std::move(atoms));
}

RequiredText InfoToRequired(const Info& info) {
  return info.exact ? StringsToRequired(info.strings) : info.match;
}

Info ExactInfo(std::vector<std::string> strings) {
  Info info;
  info.exact = true;
  std::sort(strings.begin(), strings.end());
  strings.erase(std::unique(strings.begin(), strings.end()), strings.end());
  info.strings = std::move(strings);
  return info;
}

Info AnyInfo() { return Info(); }

class Extractor {
 public:
  explicit Extractor(const TranslateOptions& options) : options_(options) {}

  // The bytes a character contributes to an atom, or false when the index
  // cannot look for it (it matches several byte strings beyond ASCII case).
  bool CharText(uint32_t c, std::string* text) const {
    if (!options_.utf8 && c >= 0x80) return false;  // not UTF-8: keep atoms valid
    if (options_.ignore_case) {
      std::vector<uint32_t> folded = CaseCounterparts(c, options_.utf8);
      for (uint32_t f : folded) {
        bool ascii_pair = c < 0x80 && f < 0x80 &&
                          AsciiLower(static_cast<char>(c)) == AsciiLower(static_cast<char>(f));
        if (!ascii_pair) return false;
      }
    }
    *text = AsciiLowerString(EncodeChar(c, options_.utf8));
    return !text->empty();
  }

  Info Analyze(const Node& n) const {
    switch (n.kind) {
      case Node::Kind::kChar: {
        std::string text;
        if (!CharText(n.ch, &text)) return AnyInfo();
        return ExactInfo({text});
      }
      case Node::Kind::kSet: {
        if (n.set.negated || !n.set.classes.empty()) return AnyInfo();
        std::vector<std::string> strings;
        for (const auto& [lo, hi] : n.set.ranges) {
          if (hi - lo >= kMaxExactStrings) return AnyInfo();
          for (uint32_t c = lo; c <= hi; ++c) {
            std::string text;
            if (!CharText(c, &text)) return AnyInfo();
            strings.push_back(text);
          }
        }
        Info info = ExactInfo(std::move(strings));
        if (info.strings.size() > kMaxExactStrings) return AnyInfo();
        return info;
      }
      case Node::Kind::kAny:
        return AnyInfo();
      case Node::Kind::kConcat: {
        std::vector<RequiredText> parts;
        std::vector<std::string> current = {""};
        bool all_exact = true;
        for (const Node& c : n.children) {
          if (c.kind == Node::Kind::kRepeat && c.min >= 1 && !(c.min == 1 && c.max == 1)) {
            // x+ (x{2,}, ...) starts and ends with a copy of x: the text
            // before it runs into the first copy, the text after it
            // continues the last one.
            Info inner = Analyze(c.children[0]);
            if (inner.exact && current.size() * inner.strings.size() <= kMaxExactStrings) {
              std::vector<std::string> product;
              for (const std::string& a : current) {
                for (const std::string& b : inner.strings) product.push_back(a + b);
              }
              parts.push_back(StringsToRequired(product));
              current = inner.strings;
              all_exact = false;
              continue;
            }
          }
          Info info = Analyze(c);
          if (info.exact && current.size() * info.strings.size() <= kMaxExactStrings) {
            std::vector<std::string> product;
            for (const std::string& a : current) {
              for (const std::string& b : info.strings) product.push_back(a + b);
            }
            current = std::move(product);
            continue;
          }
          all_exact = false;
          parts.push_back(StringsToRequired(current));
          if (info.exact) {
            current = info.strings;
          } else {
            parts.push_back(info.match);
            current = {""};
          }
        }
        if (all_exact) return ExactInfo(std::move(current));
        parts.push_back(StringsToRequired(current));
        Info info;
        info.match = RequiredText::And(std::move(parts));
        return info;
      }
      case Node::Kind::kAlt: {
        std::vector<Info> infos;
        bool all_exact = true;
        size_t total = 0;
        for (const Node& c : n.children) {
          infos.push_back(Analyze(c));
          all_exact &= infos.back().exact;
          total += infos.back().strings.size();
        }
        if (all_exact && total <= kMaxExactStrings) {
          std::vector<std::string> all;
          for (Info& i : infos) all.insert(all.end(), i.strings.begin(), i.strings.end());
          return ExactInfo(std::move(all));
        }
        std::vector<RequiredText> parts;
        for (const Info& i : infos) parts.push_back(InfoToRequired(i));
        Info info;
        info.match = RequiredText::Or(std::move(parts));
        return info;
      }
      case Node::Kind::kRepeat: {
        if (n.min == 0) return AnyInfo();
        Info child = Analyze(n.children[0]);
        if (n.min == 1 && n.max == 1) return child;
        Info info;
        info.match = InfoToRequired(child);
        return info;
      }
      default:
        return ExactInfo({""});  // empty and zero-width: no text
    }
  }

 private:
  const TranslateOptions& options_;
};

// Characters, sequences of them and alternatives of such sequences.
bool IsLiteralNode(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kChar:
    case Node::Kind::kEmpty:
      return true;
    case Node::Kind::kConcat:
      for (const Node& c : n.children) {
        if (c.kind != Node::Kind::kChar && !(n.children.size() == 1 && IsLiteralNode(c))) {
          return false;
        }
      }
      return true;
    case Node::Kind::kAlt:
      for (const Node& c : n.children) {
        if (!IsLiteralNode(c)) return false;
      }
      return true;
    default:
      return false;
  }
}

}  // namespace

Translation TranslateGnuRegex(std::string_view pattern, const TranslateOptions& options) {
  Translation out;
  std::vector<uint32_t> chars;
  if (!DecodeChars(pattern, options.utf8, &chars)) {
    out.unsupported = "pattern with an encoding error";
    return out;
  }
  Parser parser(chars, options, &out);
  Node root;
  if (!parser.Parse(&root)) return out;
  if (!options.sed && parser.stray_backslash() &&
      std::getenv("DEB_GREP_ENABLE_STRAY_BACKSLASH_WARN") != nullptr) {
    out.unsupported = "stray backslash warnings enabled";
    return out;
  }
  ClassCache cache;
  Emitter emitter(options, /*noeol=*/false, &out, &cache);
  if (!emitter.Emit(root, &out.re2)) return out;
  Emitter noeol(options, /*noeol=*/true, &out, &cache);
  if (!noeol.Emit(root, &out.re2_noeol)) return out;
  out.nullable = Nullable(root);
  out.literal = IsLiteralNode(root);
  Extractor extractor(options);
  out.required = InfoToRequired(extractor.Analyze(root));
  return out;
}

std::string TranslateFixedString(std::string_view text, bool utf8, bool ascii_ignore_case) {
  std::vector<uint32_t> chars;
  if (!DecodeChars(text, utf8, &chars)) {
    chars.clear();
    for (unsigned char c : text) chars.push_back(c);
  }
  std::string re = "(?:";
  for (uint32_t c : chars) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (ascii_ignore_case && letter) {
      uint32_t other = (c >= 'a') ? c - 'a' + 'A' : c - 'A' + 'a';
      re += "[" + Re2Char(c) + Re2Char(other) + "]";
    } else {
      re += Re2Char(c);
    }
  }
  return re + ")";
}

RequiredText FixedStringRequired(std::string_view text, bool utf8, bool ignore_case) {
  TranslateOptions options;
  options.utf8 = utf8;
  options.ignore_case = ignore_case;
  Extractor extractor(options);
  std::vector<uint32_t> chars;
  if (!DecodeChars(text, utf8, &chars)) return RequiredText::Any();
  std::vector<RequiredText> pieces;
  std::string piece;
  for (uint32_t c : chars) {
    std::string t;
    if (extractor.CharText(c, &t)) {
      piece += t;
    } else {
      pieces.push_back(RequiredText::Atom(piece));
      piece.clear();
    }
  }
  pieces.push_back(RequiredText::Atom(piece));
  return RequiredText::And(std::move(pieces));
}

}  // namespace memhook::utils
