// GNU sed 4.9's script compiler (compile.c's reading, reimplemented): the
// same character-by-character reading with one character of push-back, so
// that every diagnostic names the position GNU names.
#include <string.h>  // strverscmp

#include <cctype>
#include <cstdio>
#include <functional>
#include <utility>

#include "utils/regex_translate.h"
#include "utils/sed_program.h"

namespace memhook::utils::sed {
namespace {

constexpr int kEof = -1;

// compile.c's messages, by name.
constexpr const char* kBadBang = "multiple `!'s";
constexpr const char* kBadComma = "unexpected `,'";
constexpr const char* kBadStep = "invalid usage of +N or ~N as first address";
constexpr const char* kExcessOpenBrace = "unmatched `{'";
constexpr const char* kExcessCloseBrace = "unexpected `}'";
constexpr const char* kExcessJunk = "extra characters after command";
constexpr const char* kExpectedSlash = "expected \\ after `a', `c' or `i'";
constexpr const char* kNoCloseBraceAddr = "`}' doesn't want any addresses";
constexpr const char* kNoColonAddr = ": doesn't want any addresses";
constexpr const char* kNoSharpAddr = "comments don't accept any addresses";
constexpr const char* kNoCommand = "missing command";
constexpr const char* kOneAddr = "command only uses one address";
constexpr const char* kUntermAddrRe = "unterminated address regex";
constexpr const char* kUntermSCmd = "unterminated `s' command";
constexpr const char* kUntermYCmd = "unterminated `y' command";
constexpr const char* kUnknownSOpt = "unknown option to `s'";
constexpr const char* kExcessPOpt = "multiple `p' options to `s' command";
constexpr const char* kExcessGOpt = "multiple `g' options to `s' command";
constexpr const char* kExcessNOpt = "multiple number options to `s' command";
constexpr const char* kZeroNOpt = "number option to `s' command may not be zero";
constexpr const char* kYCmdLen = "strings for `y' command are different lengths";
constexpr const char* kBadDelim = "delimiter character is not a single-byte character";
constexpr const char* kAncientVersion = "expected newer version of sed";
constexpr const char* kInvalidLine0 = "invalid usage of line address 0";
constexpr const char* kIncompleteCmd = "incomplete command";
constexpr const char* kColonLacksLabel = "\":\" lacks a label";
constexpr const char* kRecursiveEscapeC = "recursive escaping after \\c not allowed";
constexpr const char* kDisallowedCmd = "e/r/w commands disabled in sandbox mode";
constexpr const char* kMissingFilename = "missing filename in r/R/w/W commands";
constexpr const char* kBadModif = "cannot specify modifiers on empty regexp";

constexpr int kRegIcase = 1;
constexpr int kRegNewline = 2;

enum class TextType { kBuffer, kReplacement, kRegex };

bool IsBlank(int c) { return c == ' ' || c == '\t'; }
bool IsSpace(int c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool IsDigit(int c) { return c >= '0' && c <= '9'; }

struct BlockStart {
  size_t index;
  // compile.c saves cur_input at '{': the name, line and -e count (the
  // char position is reported as 0 at the end).
  bool from_file;
  std::string file_name;
  uint64_t line;
  uint64_t expr_count;
};

struct LabelRef {
  size_t index;
  std::string name;
};

}  // namespace

struct Compiler::State {
  std::string program_name;
  Program* program;
  // The chunk being read.
  std::string_view text;
  size_t pos = 0;
  bool from_file = false;
  std::string file_name;
  uint64_t line = 0;
  uint64_t expr_count = 0;  // -e chunks so far
  bool first_script = true;
  CompileOptions options;
  // a, i, c text continued in the next chunk ("sed -e 'a\' -e foo").
  bool has_pending = false;
  std::string pending;
  size_t pending_cmd = 0;
  std::vector<BlockStart> blocks;
  std::vector<LabelRef> jumps;
  std::vector<LabelRef> labels;
  CompileResult* result = nullptr;

  // ------------------------------------------------------------ reading

  int InChar() {
    int ch = kEof;
    if (pos < text.size()) ch = static_cast<unsigned char>(text[pos++]);
    if (ch == '\n') ++line;
    return ch;
  }
  void SavChar(int ch) {
    if (ch == kEof) return;
    if (ch == '\n' && line > 0) --line;
    --pos;
  }
  int InNonblank() {
    int ch;
    do {
      ch = InChar();
    } while (IsBlank(ch));
    return ch;
  }
  bool IsMbChar(int ch) const { return options.utf8 && ch != kEof && ch >= 0x80; }

  std::string Prefix() const {
    if (from_file) {
      return program_name + ": file " + file_name + " line " + std::to_string(line) + ": ";
    }
    return program_name + ": -e expression #" + std::to_string(expr_count) + ", char " +
           std::to_string(pos) + ": ";
  }
  bool BadProg(const std::string& why) {
    result->error = Prefix() + why;
    result->status = 1;
    return false;
  }
  bool Refuse(std::string why) {
    if (result->unsupported.empty()) result->unsupported = std::move(why);
    return false;
  }
  bool Panic(const std::string& message) {
    result->error = program_name + ": " + message;
    result->status = 4;
    return false;
  }

  bool ReadEndOfCmd() {
    int ch = InNonblank();
    if (ch == '}' || ch == '#') {
      SavChar(ch);
    } else if (ch != kEof && ch != '\n' && ch != ';') {
      return BadProg(kExcessJunk);
    }
    return true;
  }

  uint64_t InInteger(int ch) {
    uint64_t num = 0;
    while (IsDigit(ch)) {
      num = num * 10 + static_cast<uint64_t>(ch - '0');
      ch = InChar();
    }
    SavChar(ch);
    return num;
  }

  // ------------------------------------------------------------ text

  // \dNNN \oNNN \xHH: the value of up to three (two) digits, or the letter.
  static size_t ConvertNumber(char* result, const std::string& buf, size_t at, int base) {
    int n = 0;
    int max = 1;
    size_t p = at + 1;
    for (; p < buf.size() && max <= 255; ++p, max *= base) {
      int d = -1;
      char c = buf[p];
      if (c >= '0' && c <= '9') d = c - '0';
      if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0 || base <= d) break;
      n = n * base + d;
    }
    *result = p == at + 1 ? buf[at] : static_cast<char>(n);
    return p;
  }

  // normalize_text: the escapes \a \f \n \r \t \v \dNNN \oNNN \xHH \cX.
  bool Normalize(std::string* buf, TextType type) {
    const std::string in = *buf;
    std::string out;
    size_t p = 0;
    int bracket_state = 0;
    while (p < in.size()) {
      unsigned char c = static_cast<unsigned char>(in[p]);
      if (options.utf8 && c >= 0x80) {
        // Multibyte characters (and invalid bytes) are copied as they are.
        out += in[p++];
        continue;
      }
      if (in[p] == '\\' && p + 1 < in.size() && bracket_state == 0) {
        char e = in[++p];
        bool handled = true;
        switch (e) {
          case 'a':
            out += '\a';
            break;
          case 'f':
            out += '\f';
            break;
          case '\n':
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'v':
            out += '\v';
            break;
          case 'd':
          case 'x':
          case 'o': {
            int base = e == 'd' ? 10 : e == 'x' ? 16 : 8;
            char ch;
            p = ConvertNumber(&ch, in, p, base);
            // An ampersand or backslash produced in a replacement stays
            // literal: pass the \ up one level.
            if (type == TextType::kReplacement && (ch == '&' || ch == '\\')) out += '\\';
            out += ch;
            continue;
          }
          case 'c':
            if (++p < in.size()) {
              out += static_cast<char>(std::toupper(static_cast<unsigned char>(in[p])) ^ 0x40);
              if (in[p] == '\\') {
                p++;
                if (p >= in.size() || in[p] != '\\') return BadProg(kRecursiveEscapeC);
              }
              p++;
              continue;
            }
            if (type != TextType::kBuffer) out += '\\';
            continue;
          default:
            handled = false;
            if (type != TextType::kBuffer) out += '\\';
            break;
        }
        if (handled) {
          ++p;
          continue;
        }
      } else if (type == TextType::kRegex && options.posix != Posixicity::kExtended) {
        switch (in[p]) {
          case '[':
            if (!bracket_state) bracket_state = -1;
            break;
          case ':':
          case '.':
          case '=':
            if (bracket_state == -1 && p > 0 && in[p - 1] == '[') bracket_state = in[p];
            break;
          case ']':
            if (bracket_state == 0) {
            } else if (bracket_state == -1) {
              bracket_state = 0;
            } else if (p >= 2 && in[p - 2] != bracket_state && in[p - 1] == bracket_state) {
              bracket_state = -1;
            }
            break;
          default:
            break;
        }
      }
      out += in[p++];
    }
    *buf = std::move(out);
    return true;
  }

  // snarf_char_class: a bracket expression inside a regex, up to its ']'.
  int SnarfCharClass(std::string* b) {
    int state = 0;
    int delim = 0;
    int ch = InChar();
    auto add_then_next = [&](int c) {
      *b += static_cast<char>(c);
      return InChar();
    };
    if (ch == '^') ch = add_then_next(ch);
    if (ch == ']') ch = add_then_next(ch);
    for (;; ch = add_then_next(ch)) {
      const bool mb = IsMbChar(ch);
      switch (ch) {
        case kEof:
        case '\n':
          return ch;
        case '.':
        case ':':
        case '=':
          if (mb) continue;
          if (state == 1) {
            delim = ch;
            state = 2;
          } else if (state == 2 && ch == delim) {
            state = 3;
          } else {
            break;
          }
          continue;
        case '[':
          if (mb) continue;
          if (state == 0) state = 1;
          continue;
        case ']':
          if (mb) continue;
          if (state == 0 || state == 1) return ch;
          if (state == 3) state = 0;
          break;
        default:
          break;
      }
      state &= ~1;
    }
  }

  // match_slash: the text up to the unescaped delimiter; false when the
  // line or the script ends first.
  bool MatchSlash(int slash, bool regex, std::string* b, bool* bad_delim) {
    *bad_delim = false;
    b->clear();
    if (IsMbChar(slash)) {
      *bad_delim = true;
      return false;
    }
    int ch;
    while ((ch = InChar()) != kEof && ch != '\n') {
      const bool mb = IsMbChar(ch);
      if (!mb) {
        if (ch == slash) return true;
        if (ch == '\\') {
          ch = InChar();
          if (ch == kEof) break;
          if (ch != '\n' && (ch != slash || (!regex && ch == '&'))) *b += '\\';
        } else if (ch == '[' && regex) {
          *b += '[';
          ch = SnarfCharClass(b);
          if (ch != ']') break;
        }
      }
      *b += static_cast<char>(ch);
    }
    if (ch == '\n') SavChar(ch);
    return false;
  }

  // ------------------------------------------------------------ regexes

  // compile_regex: -1 for the empty regex (the last one used).
  bool CompileRegex(std::string pattern, int flags, int needed_sub, int* index) {
    *index = -1;
    if (pattern.empty()) {
      if (flags > 0) return BadProg(kBadModif);
      return true;
    }
    if (!Normalize(&pattern, TextType::kRegex)) return false;
    if (options.posix == Posixicity::kBasic) {
      // RE_NO_GNU_OPS (and RE_LIMITED_OPS in BRE): only POSIX escapes.
      for (size_t i = 0; i + 1 < pattern.size(); ++i) {
        if (pattern[i] != '\\') continue;
        char e = pattern[++i];
        if (std::string_view("(){}.*[]^$\\/").find(e) == std::string_view::npos && !IsDigit(e)) {
          return Refuse("sed --posix regex with \\" + std::string(1, e));
        }
      }
    }
    TranslateOptions topts;
    topts.syntax = options.extended ? RegexSyntax::kExtended : RegexSyntax::kBasic;
    topts.utf8 = options.utf8;
    topts.ignore_case = (flags & kRegIcase) != 0;
    topts.codepoint_collation = options.codepoint_collation;
    topts.full_classes = options.utf8;
    topts.sed = true;
    topts.hat_lists_not_newline = (flags & kRegNewline) != 0;
    Translation t = TranslateGnuRegex(pattern, topts);
    if (!t.unsupported.empty()) {
      // The syntax errors whose glibc diagnostic is certain; other
      // failures (errors or constructs RE2 cannot do) are refused.
      if (t.unsupported == "unmatched (" || t.unsupported == "unmatched \\(") {
        return BadProg("Unmatched ( or \\(");
      }
      if (t.unsupported == "unmatched )" || t.unsupported == "unmatched \\)") {
        return BadProg("Unmatched ) or \\)");
      }
      if (t.unsupported == "trailing backslash") return BadProg("Trailing backslash");
      return Refuse("sed regex: " + t.unsupported);
    }
    if ((flags & kRegNewline) && options.null_data) return Refuse("sed M flag with -z");
    if (needed_sub > 0 && t.groups < needed_sub - 1 && options.posix == Posixicity::kExtended) {
      return BadProg("invalid reference \\" + std::to_string(needed_sub - 1) +
                     " on `s' command's RHS");
    }
    RE2::Options ro;
    ro.set_encoding(options.utf8 ? RE2::Options::EncodingUTF8 : RE2::Options::EncodingLatin1);
    ro.set_longest_match(true);  // POSIX leftmost-longest, as glibc's regex
    ro.set_case_sensitive(true);
    ro.set_log_errors(false);
    ro.set_max_mem(64 << 20);
    // Without M, '.' matches a newline and ^ $ are the buffer's edges;
    // with M, ^ $ are also at newlines and '.' stops at them.
    std::string re = (flags & kRegNewline) ? "(?m)" + t.re2 : "(?s)" + t.re2;
    Regex compiled;
    compiled.re = std::make_unique<RE2>(re, ro);
    if (!compiled.re->ok()) return Refuse("sed regex not representable in RE2");
    compiled.groups = t.groups;
    compiled.multiline = (flags & kRegNewline) != 0;
    compiled.word_assertions = t.word_assertions;
    compiled.locale_ranges = t.locale_ranges;
    program->regexes.push_back(std::move(compiled));
    *index = static_cast<int>(program->regexes.size()) - 1;
    return true;
  }

  // ------------------------------------------------------------ pieces

  bool CompileAddress(Address* addr, int ch, bool* found) {
    *addr = Address();
    *found = true;
    if (ch == '/' || ch == '\\') {
      int flags = 0;
      if (ch == '\\') ch = InChar();
      std::string b;
      bool bad_delim;
      if (!MatchSlash(ch, true, &b, &bad_delim)) {
        return BadProg(bad_delim ? kBadDelim : kUntermAddrRe);
      }
      addr->type = AddrType::kRegex;
      for (;;) {
        ch = InNonblank();
        if (options.posix != Posixicity::kBasic && ch == 'I') {
          flags |= kRegIcase;
        } else if (options.posix != Posixicity::kBasic && ch == 'M') {
          flags |= kRegNewline;
        } else {
          SavChar(ch);
          return CompileRegex(b, flags, 0, &addr->regex);
        }
      }
    }
    if (IsDigit(ch)) {
      addr->number = InInteger(ch);
      addr->type = AddrType::kNum;
      ch = InNonblank();
      if (ch != '~' || options.posix == Posixicity::kBasic) {
        SavChar(ch);
      } else {
        uint64_t step = InInteger(InNonblank());
        if (step > 0) {
          addr->step = step;
          addr->type = AddrType::kNumMod;
        }
      }
      return true;
    }
    if ((ch == '+' || ch == '~') && options.posix != Posixicity::kBasic) {
      addr->step = InInteger(InNonblank());
      if (addr->step != 0) addr->type = ch == '+' ? AddrType::kStep : AddrType::kStepMod;
      return true;
    }
    if (ch == '$') {
      addr->type = AddrType::kLast;
      return true;
    }
    *found = false;
    return true;
  }

  // read_text: the text of a, i, c (continued lines joined), normalised.
  bool ReadText(bool fresh, size_t cmd_index, int leadin) {
    if (fresh) {
      pending.clear();
      has_pending = true;
      pending_cmd = cmd_index;
      program->cmds[cmd_index].text.clear();
      program->cmds[cmd_index].has_text = false;
    }
    if (leadin == kEof) return true;
    if (leadin != '\n') pending += static_cast<char>(leadin);
    int ch = InChar();
    while (ch != kEof && ch != '\n') {
      if (ch == '\\') {
        ch = InChar();
        if (ch != kEof) pending += '\\';
      }
      if (ch == kEof) {
        pending += '\n';
        return true;  // continued by the next chunk
      }
      pending += static_cast<char>(ch);
      ch = InChar();
    }
    pending += '\n';
    std::string text = pending;
    if (!Normalize(&text, TextType::kBuffer)) return false;
    Command& cmd = program->cmds[pending_cmd];
    cmd.text = std::move(text);
    cmd.has_text = true;
    has_pending = false;
    pending.clear();
    return true;
  }

  bool ReadFilename(std::string* name) {
    if (options.sandbox) return BadProg(kDisallowedCmd);
    name->clear();
    int ch = InNonblank();
    while (ch != kEof && ch != '\n') {
      *name += static_cast<char>(ch);
      ch = InChar();
    }
    return true;
  }

  std::string ReadLabel() {
    std::string b;
    int ch = InNonblank();
    while (ch != kEof && ch != '\n' && !IsBlank(ch) && ch != ';' && ch != '}' && ch != '#') {
      b += static_cast<char>(ch);
      ch = InChar();
    }
    SavChar(ch);
    // A NUL ends the C string GNU keeps.
    size_t nul = b.find('\0');
    if (nul != std::string::npos) b.resize(nul);
    return b;
  }

  // get_openfile for w, W, s///w: the file is created (truncated) now.
  bool OpenOutput(int* index) {
    std::string name;
    if (!ReadFilename(&name)) return false;
    if (name.find('\0') != std::string::npos) name.resize(name.find('\0'));
    if (name.empty()) return BadProg(kMissingFilename);
    for (size_t i = 0; i < program->outputs.size(); ++i) {
      if (program->outputs[i].name == name) {
        *index = static_cast<int>(i);
        return true;
      }
    }
    OutputFile out;
    out.name = name;
    if (options.posix == Posixicity::kExtended) {
      out.special_stdout = name == "/dev/stdout";
      out.special_stderr = name == "/dev/stderr";
    }
    if (!out.special_stdout && !out.special_stderr) {
      std::string error;
      if (!open_output(name, &error)) {
        if (!error.empty()) return Panic("couldn't open file " + name + ": " + error);
        return Refuse("sed w of " + name);
      }
    }
    program->outputs.push_back(out);
    *index = static_cast<int>(program->outputs.size()) - 1;
    return true;
  }

  bool MarkSubstOpts(Subst* sub, int* flags) {
    *flags = 0;
    for (;;) {
      int ch = InNonblank();
      switch (ch) {
        case 'i':
        case 'I':
          if (options.posix == Posixicity::kBasic) return BadProg(kUnknownSOpt);
          *flags |= kRegIcase;
          break;
        case 'm':
        case 'M':
          if (options.posix == Posixicity::kBasic) return BadProg(kUnknownSOpt);
          *flags |= kRegNewline;
          break;
        case 'e':
          if (options.posix == Posixicity::kBasic) return BadProg(kUnknownSOpt);
          sub->eval = true;
          break;
        case 'p':
          if (sub->print) return BadProg(kExcessPOpt);
          sub->print |= (1 << (sub->eval ? 1 : 0));
          break;
        case 'g':
          if (sub->global) return BadProg(kExcessGOpt);
          sub->global = true;
          break;
        case 'w':
          return OpenOutput(&sub->outf);
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9':
          if (sub->numb) return BadProg(kExcessNOpt);
          sub->numb = InInteger(ch);
          if (!sub->numb) return BadProg(kZeroNOpt);
          break;
        case '}':
        case '#':
          SavChar(ch);
          return true;
        case kEof:
        case '\n':
        case ';':
          return true;
        case '\r':
          if (InChar() == '\n') return true;
          return BadProg(kUnknownSOpt);
        default:
          return BadProg(kUnknownSOpt);
      }
    }
  }

  // setup_replacement: literal parts, references and case conversions.
  bool SetupReplacement(Subst* sub, std::string text) {
    sub->max_id = 0;
    if (!Normalize(&text, TextType::kReplacement)) return false;
    int repl_type = kReplAsIs, save_type = kReplAsIs;
    std::vector<ReplPart>& parts = sub->replacement;
    size_t base = 0;
    const size_t end = text.size();
    for (size_t p = 0; p < end; ++p) {
      if (text[p] == '\\') {
        parts.push_back({text.substr(base, p - base), -1, repl_type});
        ReplPart& tail = parts.back();
        repl_type = save_type;
        ++p;
        if (p == end) {
          tail.prefix += '\\';
        } else if (options.posix == Posixicity::kBasic && !IsDigit(text[p])) {
          tail.prefix += text[p];
        } else {
          switch (text[p]) {
            case '0':
            case '1':
            case '2':
            case '3':
            case '4':
            case '5':
            case '6':
            case '7':
            case '8':
            case '9':
              tail.group = text[p] - '0';
              if (sub->max_id < tail.group) sub->max_id = tail.group;
              break;
            case 'L':
              repl_type = save_type = kReplLowercase;
              break;
            case 'U':
              repl_type = save_type = kReplUppercase;
              break;
            case 'E':
              repl_type = save_type = kReplAsIs;
              break;
            case 'l':
              save_type = repl_type;
              repl_type |= kReplLowercaseFirst;
              break;
            case 'u':
              save_type = repl_type;
              repl_type |= kReplUppercaseFirst;
              break;
            default:
              tail.prefix += text[p];
              break;
          }
        }
        base = p + 1;
      } else if (text[p] == '&') {
        parts.push_back({text.substr(base, p - base), 0, repl_type});
        repl_type = save_type;
        base = p + 1;
      }
    }
    if (base < end) parts.push_back({text.substr(base), -1, repl_type});
    sub->has_replacement = !parts.empty();
    return true;
  }

  bool CompileY(Command* cmd) {
    int slash = InChar();
    std::string src, dest;
    bool bad_delim;
    if (!MatchSlash(slash, false, &src, &bad_delim)) {
      return BadProg(bad_delim ? kBadDelim : kUntermYCmd);
    }
    if (!Normalize(&src, TextType::kBuffer)) return false;
    if (!MatchSlash(slash, false, &dest, &bad_delim)) {
      return BadProg(bad_delim ? kBadDelim : kUntermYCmd);
    }
    if (!Normalize(&dest, TextType::kBuffer)) return false;
    if (options.utf8) {
      auto char_len = [](const std::string& s, size_t i) -> size_t {
        std::mbstate_t st{};
        size_t n = std::mbrlen(s.data() + i, s.size() - i, &st);
        if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0) return 1;
        return n;
      };
      size_t idx = 0;
      for (size_t i = 0; i < src.size();) {
        size_t n = char_len(src, i);
        if (idx >= dest.size()) return BadProg(kYCmdLen);
        size_t m = char_len(dest, idx);
        cmd->ypairs.push_back({src.substr(i, n), dest.substr(idx, m)});
        i += n;
        idx += m;
      }
      if (idx != dest.size()) return BadProg(kYCmdLen);
    } else {
      if (src.size() != dest.size()) return BadProg(kYCmdLen);
      cmd->ymap.resize(256);
      for (int i = 0; i < 256; ++i) cmd->ymap[i] = static_cast<unsigned char>(i);
      for (size_t i = 0; i < src.size(); ++i) {
        cmd->ymap[static_cast<unsigned char>(src[i])] = static_cast<unsigned char>(dest[i]);
      }
    }
    return ReadEndOfCmd();
  }

  // ------------------------------------------------------------ program

  bool CompileProgram() {
    if (has_pending && !ReadText(false, pending_cmd, '\n')) return false;
    for (;;) {
      int ch;
      while ((ch = InChar()) == ';' || IsSpace(ch)) {
      }
      if (ch == kEof) break;
      program->cmds.emplace_back();
      const size_t index = program->cmds.size() - 1;
      bool keep = true;  // '#' and 'v' add no command
      {
        Command& cmd = program->cmds[index];
        Address a;
        bool found;
        if (!CompileAddress(&a, ch, &found)) return false;
        if (found) {
          if (a.type == AddrType::kStep || a.type == AddrType::kStepMod) return BadProg(kBadStep);
          cmd.a1 = a;
          cmd.has_a1 = true;
          ch = InNonblank();
          if (ch == ',') {
            if (!CompileAddress(&a, InNonblank(), &found)) return false;
            if (!found) return BadProg(kBadComma);
            cmd.a2 = a;
            cmd.has_a2 = true;
            ch = InNonblank();
          }
          if (cmd.a1.type == AddrType::kNum && cmd.a1.number == 0 &&
              ((!cmd.has_a2 && ch != 'r') || (cmd.has_a2 && cmd.a2.type != AddrType::kRegex) ||
               options.posix == Posixicity::kBasic)) {
            return BadProg(kInvalidLine0);
          }
        }
        if (ch == '!') {
          cmd.bang = true;
          ch = InNonblank();
          if (ch == '!') return BadProg(kBadBang);
        }
        if (options.posix == Posixicity::kBasic) {
          if (std::string_view("eFvzLQTRW").find(static_cast<char>(ch)) != std::string_view::npos &&
              ch != kEof) {
            return BadCommand(ch);
          }
          if (std::string_view("ail=r").find(static_cast<char>(ch)) != std::string_view::npos &&
              ch != kEof && cmd.has_a2) {
            return BadProg(kOneAddr);
          }
        }
        cmd.cmd = static_cast<char>(ch);
      }
      if (!CompileCommand(index, ch, &keep)) return false;
      if (!keep) program->cmds.pop_back();
    }
    if (options.posix == Posixicity::kBasic && has_pending) return BadProg(kIncompleteCmd);
    return true;
  }

  bool BadCommand(int ch) {
    std::string msg = "unknown command: `";
    if (ch != kEof) msg += static_cast<char>(ch);
    msg += "'";
    return BadProg(msg);
  }

  bool CompileCommand(size_t index, int ch, bool* keep) {
    Command* cmd = &program->cmds[index];
    switch (ch) {
      case '#':
        if (cmd->has_a1) return BadProg(kNoSharpAddr);
        ch = InChar();
        if (ch == 'n' && first_script && line < 2 && pos == 2) program->hash_n = true;
        while (ch != kEof && ch != '\n') ch = InChar();
        *keep = false;
        return true;
      case 'v': {
        std::string version = ReadLabel();
        const char* compared = version.empty() ? "4.0" : version.c_str();
        if (strverscmp(compared, "4.9") > 0) return BadProg(kAncientVersion);
        options.posix = Posixicity::kExtended;
        *keep = false;
        return true;
      }
      case '{':
        blocks.push_back({index, from_file, file_name, line, expr_count});
        cmd->bang = !cmd->bang;
        return true;
      case '}':
        if (blocks.empty()) return BadProg(kExcessCloseBrace);
        if (cmd->has_a1) return BadProg(kNoCloseBraceAddr);
        if (!ReadEndOfCmd()) return false;
        program->cmds[blocks.back().index].jump = index;
        blocks.pop_back();
        return true;
      case 'e':
        if (options.sandbox) return BadProg(kDisallowedCmd);
        return Refuse("sed e command (runs a shell command)");
      case 'a':
      case 'i':
      case 'c': {
        ch = InNonblank();
        if (ch == kEof) return BadProg(kExpectedSlash);
        if (ch == '\\') {
          ch = InChar();
        } else {
          if (options.posix == Posixicity::kBasic) return BadProg(kExpectedSlash);
          SavChar(ch);
          ch = '\n';
        }
        return ReadText(true, index, ch);
      }
      case ':': {
        if (cmd->has_a1) return BadProg(kNoColonAddr);
        std::string label = ReadLabel();
        if (label.empty()) return BadProg(kColonLacksLabel);
        labels.push_back({index, label});
        return true;
      }
      case 'T':
      case 'b':
      case 't':
        jumps.push_back({index, ReadLabel()});
        return true;
      case 'Q':
      case 'q':
        if (cmd->has_a2) return BadProg(kOneAddr);
        [[fallthrough]];
      case 'L':
      case 'l':
        if (ch == 'L') return Refuse("sed L command");
        ch = InNonblank();
        if (IsDigit(ch) && options.posix != Posixicity::kBasic) {
          cmd->int_arg = static_cast<int64_t>(InInteger(ch));
        } else {
          cmd->int_arg = -1;
          SavChar(ch);
        }
        return ReadEndOfCmd();
      case '=':
      case 'd':
      case 'D':
      case 'F':
      case 'g':
      case 'G':
      case 'h':
      case 'H':
      case 'n':
      case 'N':
      case 'p':
      case 'P':
      case 'z':
      case 'x':
        return ReadEndOfCmd();
      case 'r': {
        std::string name;
        if (!ReadFilename(&name)) return false;
        if (name.find('\0') != std::string::npos) name.resize(name.find('\0'));
        if (name.empty()) return BadProg(kMissingFilename);
        cmd->fname = name;
        if (cmd->has_a1 && cmd->a1.type == AddrType::kNum && cmd->a1.number == 0 && !cmd->has_a2) {
          cmd->a1.number = 1;
          cmd->append = false;
        } else {
          cmd->append = true;
        }
        return true;
      }
      case 'R': {
        std::string name;
        if (!ReadFilename(&name)) return false;
        if (name.find('\0') != std::string::npos) name.resize(name.find('\0'));
        if (name.empty()) return BadProg(kMissingFilename);
        if (options.posix == Posixicity::kExtended &&
            (name == "/dev/stdin" || name == "/dev/stdout" || name == "/dev/stderr")) {
          return Refuse("sed R of " + name);
        }
        for (size_t i = 0; i < program->inputs.size(); ++i) {
          if (program->inputs[i] == name) cmd->file = static_cast<int>(i);
        }
        if (cmd->file < 0) {
          program->inputs.push_back(name);
          cmd->file = static_cast<int>(program->inputs.size()) - 1;
        }
        return true;
      }
      case 'W':
      case 'w': {
        int file = -1;
        if (!OpenOutput(&file)) return false;
        program->cmds[index].file = file;
        return true;
      }
      case 's': {
        int slash = InChar();
        std::string b, b2;
        bool bad_delim;
        if (!MatchSlash(slash, true, &b, &bad_delim)) {
          return BadProg(bad_delim ? kBadDelim : kUntermSCmd);
        }
        if (!MatchSlash(slash, false, &b2, &bad_delim)) {
          return BadProg(bad_delim ? kBadDelim : kUntermSCmd);
        }
        Subst sub;
        if (!SetupReplacement(&sub, b2)) return false;
        int flags = 0;
        if (!MarkSubstOpts(&sub, &flags)) return false;
        if (!CompileRegex(b, flags, sub.max_id + 1, &sub.regex)) return false;
        if (sub.eval) {
          if (options.sandbox) return BadProg(kDisallowedCmd);
          return Refuse("sed s///e (runs a shell command)");
        }
        program->substs.push_back(std::move(sub));
        program->cmds[index].subst = static_cast<int>(program->substs.size()) - 1;
        return true;
      }
      case 'y':
        return CompileY(cmd);
      case kEof:
        return BadProg(kNoCommand);
      default:
        return BadCommand(ch);
    }
  }

  // w FILE at compile time: create or truncate the file (sed opens it
  // with "w"); false with `error` set to strerror's text, or with it
  // empty when the file cannot be served (refuse).
  std::function<bool(const std::string& name, std::string* error)> open_output;
};

Compiler::Compiler(const std::string& program_name, Program* program)
    : state_(std::make_unique<State>()) {
  state_->program_name = program_name;
  state_->program = program;
  state_->result = &result_;
}

Compiler::~Compiler() = default;

void Compiler::SetOutputOpener(
    std::function<bool(const std::string& name, std::string* error)> opener) {
  state_->open_output = std::move(opener);
}

bool Compiler::AddChunk(const ScriptChunk& chunk, const CompileOptions& options) {
  State& s = *state_;
  s.options.extended = options.extended;
  s.options.utf8 = options.utf8;
  s.options.codepoint_collation = options.codepoint_collation;
  s.options.sandbox = options.sandbox;
  s.options.null_data = options.null_data;
  // 'v' switches to GNU mode for the rest of the run; --posix before it.
  if (s.first_script) s.options.posix = options.posix;
  s.text = chunk.text;
  s.pos = 0;
  s.from_file = chunk.from_file;
  s.file_name = chunk.file_name;
  if (chunk.from_file) {
    s.line = 1;
  } else {
    s.line = 0;
    ++s.expr_count;
  }
  bool ok = s.CompileProgram();
  s.first_script = false;
  // The position GNU reports for errors found after compilation.
  if (s.from_file) {
    s.program->error_prefix =
        s.program_name + ": file " + s.file_name + " line " + std::to_string(s.line) + ": ";
  } else {
    s.program->error_prefix =
        s.program_name + ": -e expression #" + std::to_string(s.expr_count) + ", char 0: ";
  }
  s.text = std::string_view();
  return ok;
}

bool Compiler::Finish() {
  State& s = *state_;
  if (!s.blocks.empty()) {
    const BlockStart& b = s.blocks.back();
    if (b.from_file) {
      result_.error = s.program_name + ": file " + b.file_name + " line " + std::to_string(b.line) +
                      ": " + kExcessOpenBrace;
    } else {
      result_.error = s.program_name + ": -e expression #" + std::to_string(b.expr_count) +
                      ", char 0: " + kExcessOpenBrace;
    }
    result_.status = 1;
    return false;
  }
  if (s.has_pending) {
    // An unterminated a, i, c at the very end: the text as read, without
    // the escape processing.
    Command& cmd = s.program->cmds[s.pending_cmd];
    cmd.text = s.pending;
    cmd.has_text = !s.pending.empty();
    s.has_pending = false;
  }
  // compile.c resolves the jumps last first; a label defined twice is
  // found at its last definition.
  for (auto go = s.jumps.rbegin(); go != s.jumps.rend(); ++go) {
    const LabelRef* found = nullptr;
    for (auto lbl = s.labels.rbegin(); lbl != s.labels.rend(); ++lbl) {
      if (lbl->name == go->name) {
        found = &*lbl;
        break;
      }
    }
    if (found != nullptr) {
      s.program->cmds[go->index].jump = found->index;
    } else {
      if (!go->name.empty()) {
        return s.Panic("can't find label for jump to `" + go->name + "'");
      }
      s.program->cmds[go->index].jump = s.program->cmds.size();
    }
  }
  return true;
}

std::string ListText(std::string_view text, int64_t line_len, char delimiter) {
  std::string out;
  int64_t width = 0;
  for (unsigned char c : text) {
    char obuf[8];
    size_t olen = 0;
    if (c < 0x80 && std::isprint(c)) {
      obuf[olen++] = static_cast<char>(c);
      if (c == '\\') obuf[olen++] = '\\';
    } else {
      obuf[olen++] = '\\';
      switch (c) {
        case '\a':
          obuf[olen++] = 'a';
          break;
        case '\b':
          obuf[olen++] = 'b';
          break;
        case '\f':
          obuf[olen++] = 'f';
          break;
        case '\n':
          obuf[olen++] = 'n';
          break;
        case '\r':
          obuf[olen++] = 'r';
          break;
        case '\t':
          obuf[olen++] = 't';
          break;
        case '\v':
          obuf[olen++] = 'v';
          break;
        default:
          olen += static_cast<size_t>(std::snprintf(obuf + olen, sizeof obuf - olen, "%03o", c));
          break;
      }
    }
    if (width + static_cast<int64_t>(olen) >= line_len && line_len > 0) {
      out += '\\';
      out += delimiter;
      width = 0;
    }
    out.append(obuf, olen);
    width += static_cast<int64_t>(olen);
  }
  out += '$';
  out += delimiter;
  return out;
}

}  // namespace memhook::utils::sed
