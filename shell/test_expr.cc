// bash 5.2's `test` / `[` builtin (test.c), ported function for function.
//
// test.c reads its argument vector with C-string indexing, including the
// element after the last argument (NULL for `test`, the closing "]" for
// `[`), and its error messages depend on exactly where the parse stops; so
// the functions below keep bash's structure and names. Where bash longjmps
// out with status 2, they set `failed_` and return at once.
#include "shell/test_expr.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace memhook::shell {
namespace {

// The byte at `i`, or NUL past the end (C-string indexing).
char Ch(const std::string& s, size_t i) { return i < s.size() ? s[i] : '\0'; }

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// general.c's legal_number(): strtoimax in base 10 (leading white space and
// a sign allowed, overflow rejected), then only blanks after the digits.
bool LegalNumber(const std::string& s, int64_t* result) {
  *result = 0;
  if (s.empty() || s.find('\0') != std::string::npos) return false;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end == s.c_str()) return false;
  while (IsBlank(*end)) ++end;
  if (*end != '\0') return false;
  *result = value;
  return true;
}

// test_binop(): is `op` one of the binary operators? (bash 5.2 is built
// without PATTERN_MATCHING for test, so `=~` is not one.)
bool IsBinaryOp(const std::string& op) {
  const char c0 = Ch(op, 0), c1 = Ch(op, 1), c2 = Ch(op, 2);
  if (c0 == '=' && c1 == '\0') return true;
  if ((c0 == '<' || c0 == '>') && c1 == '\0') return true;
  if ((c0 == '=' || c0 == '!') && c1 == '=' && c2 == '\0') return true;
  if (c0 != '-' || c1 == '\0' || c2 == '\0' || Ch(op, 3) != '\0') return false;
  if (c2 == 't') return c1 == 'n' || c1 == 'o' || c1 == 'l' || c1 == 'g';
  if (c1 == 'e') return c2 == 'q' || c2 == 'f';
  if (c2 == 'e') return c1 == 'n' || c1 == 'g' || c1 == 'l';
  return false;
}

// test_unop(): is `op` one of the unary operators?
bool IsUnaryOp(const std::string& op) {
  if (Ch(op, 0) != '-' || (Ch(op, 1) != '\0' && Ch(op, 2) != '\0')) return false;
  const char c = Ch(op, 1);
  return c != '\0' &&
         std::string_view("abcdefghknoprstuvwxzGLOSNR").find(c) != std::string_view::npos;
}

bool IsWord(const std::string& s, std::string_view word) { return s == word; }

// The options a non-interactive `bash -c` starts with set; memhook's shell
// has no `set -o` of its own for `test -o` to consult.
bool DefaultOptionIsSet(std::string_view name) {
  return name == "braceexpand" || name == "hashall" || name == "interactive-comments";
}

class TestEvaluator {
 public:
  TestEvaluator(const std::vector<std::string>& args, bool bracket, const TestContext& context)
      : context_(context), name_(bracket ? "[" : "test") {
    argv_.reserve(args.size() + 1);
    argv_.push_back(name_);
    argv_.insert(argv_.end(), args.begin(), args.end());
    bracket_ = bracket;
  }

  TestResult Run() {
    TestResult result;
    result.status = Command();
    if (failed_) {
      result.status = 2;
      result.error = std::move(error_);
    }
    return result;
  }

 private:
  // test_command(): the `]` check, then posixtest(), then leftovers.
  int Command() {
    int margc = static_cast<int>(argv_.size());
    if (bracket_) {
      --margc;
      if (!IsWord(argv_[margc], "]")) return SyntaxError("missing `]'");
      if (margc < 2) return 1;
    }
    argc_ = margc;
    pos_ = 1;
    if (pos_ >= argc_) return 1;
    const bool value = PosixTest();
    if (failed_) return 2;
    if (pos_ != argc_) {
      if (pos_ < argc_ && Ch(argv_[pos_], 0) == '-') {
        return SyntaxError("syntax error: `" + argv_[pos_] + "' unexpected");
      }
      return SyntaxError("too many arguments");
    }
    return value ? 0 : 1;
  }

  // The argument at `i` as test.c sees argv[i]: past the arguments, `[`'s
  // closing "]" and then nothing (for `test`, nothing at once).
  const std::string* Arg(int i) const {
    return i >= 0 && i < static_cast<int>(argv_.size()) ? &argv_[i] : nullptr;
  }
  const std::string& At(int i) const {
    static const std::string* const kEmpty = new std::string();
    const std::string* s = Arg(i);
    return s ? *s : *kEmpty;
  }

  int SyntaxError(const std::string& message) {
    if (!failed_) {
      failed_ = true;
      error_ = name_ + ": " + message;
    }
    return 0;
  }
  int Beyond() { return SyntaxError("argument expected"); }

  // advance(f): step past the current argument; with `check`, running out
  // of arguments is an error.
  bool Advance(bool check) {
    ++pos_;
    if (check && pos_ >= argc_) {
      Beyond();
      return false;
    }
    return true;
  }

  bool IsBang(int i) const { return At(i) == "!"; }

  bool PosixTest() {
    bool value = false;
    switch (argc_ - 1) {
      case 0:
        pos_ = argc_;
        return false;
      case 1:
        value = !At(1).empty();
        pos_ = argc_;
        return value;
      case 2:
        value = TwoArguments();
        pos_ = argc_;
        return value;
      case 3:
        return ThreeArguments();
      case 4:
        if (IsBang(pos_)) {
          if (!Advance(true)) return false;
          value = ThreeArguments();
          return failed_ ? false : !value;
        }
        if (At(pos_) == "(" && At(argc_ - 1) == ")") {
          if (!Advance(true)) return false;
          value = TwoArguments();
          pos_ = argc_;
          return value;
        }
        [[fallthrough]];
      default:
        return Expr();
    }
  }

  bool TwoArguments() {
    const std::string& first = At(pos_);
    if (first == "!") return At(pos_ + 1).empty();
    if (Ch(first, 0) == '-' && Ch(first, 1) != '\0' && Ch(first, 2) == '\0' && IsUnaryOp(first)) {
      return UnaryOperator();
    }
    SyntaxError(first + ": unary operator expected");
    return false;
  }

  bool ThreeArguments() {
    bool value = false;
    const std::string& middle = At(pos_ + 1);
    if (IsBinaryOp(middle)) {
      value = BinaryOperator();
      pos_ = argc_;
    } else if (Ch(middle, 0) == '-' && (Ch(middle, 1) == 'a' || Ch(middle, 1) == 'o') &&
               Ch(middle, 2) == '\0') {
      const bool left = !At(pos_).empty(), right = !At(pos_ + 2).empty();
      value = Ch(middle, 1) == 'a' ? left && right : left || right;
      pos_ = argc_;
    } else if (IsBang(pos_)) {
      if (!Advance(true)) return false;
      value = TwoArguments();
      if (failed_) return false;
      value = !value;
      pos_ = argc_;
    } else if (Ch(At(pos_), 0) == '(' && Ch(At(pos_ + 2), 0) == ')') {
      // bash checks only the first characters here.
      value = !At(pos_ + 1).empty();
      pos_ = argc_;
    } else {
      SyntaxError(middle + ": binary operator expected");
    }
    return value;
  }

  bool Expr() {
    if (pos_ >= argc_) {
      Beyond();
      return false;
    }
    return Or();
  }

  bool Or() {
    const bool value = And();
    if (failed_) return false;
    if (pos_ < argc_ && At(pos_) == "-o") {
      Advance(false);
      const bool v2 = Or();
      return value || v2;
    }
    return value;
  }

  bool And() {
    const bool value = Term();
    if (failed_) return false;
    if (pos_ < argc_ && At(pos_) == "-a") {
      Advance(false);
      const bool v2 = And();
      return value && v2;
    }
    return value;
  }

  bool Term() {
    if (pos_ >= argc_) {
      Beyond();
      return false;
    }
    if (IsBang(pos_)) {
      bool negate = false;
      while (pos_ < argc_ && IsBang(pos_)) {
        if (!Advance(true)) return false;
        negate = !negate;
      }
      const bool value = Term();
      return failed_ ? false : (negate ? !value : value);
    }
    if (At(pos_) == "(") {
      if (!Advance(true)) return false;
      const bool value = Expr();
      if (failed_) return false;
      const std::string* close = Arg(pos_);
      if (close == nullptr) {
        SyntaxError("`)' expected");
        return false;
      }
      if (*close != ")") {
        SyntaxError("`)' expected, found " + *close);
        return false;
      }
      Advance(false);
      return value;
    }
    if (pos_ + 3 <= argc_ && IsBinaryOp(At(pos_ + 1))) return BinaryOperator();
    if (pos_ + 2 <= argc_ && IsUnaryOp(At(pos_))) return UnaryOperator();
    const bool value = !At(pos_).empty();
    Advance(false);
    return value;
  }

  bool BinaryOperator() {
    const std::string& w = At(pos_ + 1);
    const std::string& left = At(pos_);
    const std::string& right = At(pos_ + 2);
    const bool string_op = w == "=" || w == "==" || w == "<" || w == ">" || w == "!=";
    if (!string_op && (Ch(w, 0) != '-' || Ch(w, 3) != '\0' || !IsBinaryOp(w))) {
      SyntaxError(w + ": binary operator expected");
      return false;
    }
    const bool value = BinaryTest(w, left, right);
    pos_ += 3;
    return value;
  }

  bool BinaryTest(const std::string& op, const std::string& left, const std::string& right) {
    if (op == "=" || op == "==") return left == right;
    // The builtin compares bytes (strcmp); only [[ ]] uses the locale.
    if (op == "<") return left.compare(right) < 0;
    if (op == ">") return left.compare(right) > 0;
    if (op == "!=") return left != right;
    if (op == "-nt") return FileCompare(left, right, 'n');
    if (op == "-ot") return FileCompare(left, right, 'o');
    if (op == "-ef") return FileCompare(left, right, 'e');
    int64_t l = 0, r = 0;
    if (!LegalNumber(left, &l)) {
      SyntaxError(left + ": integer expression expected");
      return false;
    }
    if (!LegalNumber(right, &r)) {
      SyntaxError(right + ": integer expression expected");
      return false;
    }
    if (op == "-eq") return l == r;
    if (op == "-ne") return l != r;
    if (op == "-lt") return l < r;
    if (op == "-gt") return l > r;
    if (op == "-le") return l <= r;
    return l >= r;  // -ge
  }

  FileFacts Stat(const std::string& path, bool follow) const {
    if (!context_.file) return FileFacts();
    return context_.file(path, follow);
  }

  bool FileCompare(const std::string& a, const std::string& b, char op) {
    const FileFacts fa = Stat(a, true), fb = Stat(b, true);
    switch (op) {
      case 'o':  // -ot: a missing file is older than any existing one
        return (!fa.exists && fb.exists) || (fa.exists && fb.exists && fa.mtime_ns < fb.mtime_ns);
      case 'n':
        return (fa.exists && !fb.exists) || (fa.exists && fb.exists && fa.mtime_ns > fb.mtime_ns);
      default:
        return fa.exists && fb.exists && fa.device == fb.device && fa.inode == fb.inode;
    }
  }

  bool UnaryOperator() {
    const std::string op = At(pos_);
    if (Ch(op, 1) == 't') {
      // `-t` takes an optional fd; memhook's descriptors are never terminals.
      Advance(false);
      if (pos_ < argc_) {
        int64_t fd = 0;
        if (LegalNumber(At(pos_), &fd)) Advance(false);
      }
      return false;
    }
    if (!Advance(true)) return false;
    ++pos_;
    return UnaryTest(op, At(pos_ - 1));
  }

  // sh_eaccess() as the kernel answers it: root may read and write
  // anything, and execute what has any x bit (or is a directory); others
  // go by the owner bits, memhook's files being owned by the user.
  bool Access(const FileFacts& f, int bit) const {
    if (!f.exists) return false;
    if (geteuid() == 0) return bit != 1 || f.is_directory || (f.mode & 0111) != 0;
    return (f.mode & (static_cast<uint32_t>(bit) << 6)) != 0;
  }

  bool UnaryTest(const std::string& op, const std::string& arg) {
    switch (Ch(op, 1)) {
      case 'a':
      case 'e':
        return Stat(arg, true).exists;
      case 'r':
        return Access(Stat(arg, true), 4);
      case 'w':
        return Access(Stat(arg, true), 2);
      case 'x':
        return Access(Stat(arg, true), 1);
      case 'O':
      case 'G':
        return Stat(arg, true).exists;
      case 'N':
        // Needs the access time, which memhook does not keep.
        return false;
      case 'f':
        return Stat(arg, true).is_regular;
      case 'd':
        return Stat(arg, true).is_directory;
      case 's': {
        const FileFacts f = Stat(arg, true);
        return f.exists && f.size > 0;
      }
      case 'S':
      case 'c':
      case 'b':
      case 'p':
        // No sockets, devices or pipes in memhook's filesystem.
        return false;
      case 'L':
      case 'h':
        return !arg.empty() && Stat(arg, false).is_symlink;
      case 'u': {
        const FileFacts f = Stat(arg, true);
        return f.exists && (f.mode & 04000) != 0;
      }
      case 'g': {
        const FileFacts f = Stat(arg, true);
        return f.exists && (f.mode & 02000) != 0;
      }
      case 'k': {
        const FileFacts f = Stat(arg, true);
        return f.exists && (f.mode & 01000) != 0;
      }
      case 'n':
        return !arg.empty();
      case 'z':
        return arg.empty();
      case 'o':
        return DefaultOptionIsSet(arg);
      case 'v':
        return context_.variable_is_set && context_.variable_is_set(arg);
      default:  // -R: memhook has no namerefs
        return false;
    }
  }

  const TestContext& context_;
  const std::string name_;
  std::vector<std::string> argv_;
  bool bracket_ = false;
  int argc_ = 0;
  int pos_ = 0;
  bool failed_ = false;
  std::string error_;
};

}  // namespace

TestResult EvalTest(const std::vector<std::string>& args, bool bracket,
                    const TestContext& context) {
  TestEvaluator evaluator(args, bracket, context);
  return evaluator.Run();
}

}  // namespace memhook::shell
