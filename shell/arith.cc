// bash 5.2's arithmetic evaluator (expr.c), ported token for token.
//
// The structure follows expr.c closely on purpose: bash's error messages
// quote "the error token", which is wherever its lexer happened to be when
// the error was raised, and its lexer peeks ahead (and evaluates variables)
// at odd moments. Reproducing those messages byte for byte is only practical
// by reproducing the same sequence of lexer states, so the recursive-descent
// functions below keep bash's names and order. Where bash longjmps out on an
// error, these functions set `failed_` and every caller returns at once.
#include "shell/arith.h"

#include <cstddef>
#include <utility>

namespace memhook::shell {
namespace {

// bash's token codes (single-character operators are their own code).
enum : int {
  kEnd = 0,
  kEqEq = 1,
  kNeq = 2,
  kLeq = 3,
  kGeq = 4,
  kStr = 5,
  kNum = 6,
  kLand = 7,
  kLor = 8,
  kLsh = 9,
  kRsh = 10,
  kOpAssign = 11,
  kCond = 12,
  kPower = 13,
  kPreInc = 14,
  kPreDec = 15,
  kPostInc = 16,
  kPostDec = 17,
};

constexpr int kMaxRecursion = 1024;
constexpr size_t kNoPos = std::string::npos;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsCrWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsVarStarter(char c) { return IsAlpha(c) || c == '_'; }
bool IsVarChar(char c) { return IsAlnum(c) || c == '_'; }
bool IsNumChar(char c) { return IsAlnum(c) || c == '_' || c == '@'; }

// Characters that are operators on their own (expr.c's _is_arithop).
bool IsArithOp(int c) {
  return c > 0 && c < 256 && std::string_view("=><+-*/%!()&|^~?:,").find(char(c)) != kNoPos;
}

bool IsMultiOp(int c) { return c >= kEqEq && c <= kPostDec && c != kStr && c != kNum; }

// Wrapping arithmetic: bash relies on the C compiler's two's complement
// behaviour; unsigned arithmetic gives the same bits without UB.
int64_t Wrap(uint64_t v) { return static_cast<int64_t>(v); }
int64_t Add(int64_t a, int64_t b) { return Wrap(uint64_t(a) + uint64_t(b)); }
int64_t Sub(int64_t a, int64_t b) { return Wrap(uint64_t(a) - uint64_t(b)); }
int64_t Mul(int64_t a, int64_t b) { return Wrap(uint64_t(a) * uint64_t(b)); }
int64_t Neg(int64_t a) { return Wrap(0 - uint64_t(a)); }
// x86-64 masks shift counts to 6 bits, which is what bash's unchecked
// `a << b` does on the platform bash 5.2 is compared against.
int64_t ShiftLeft(int64_t a, int64_t b) { return Wrap(uint64_t(a) << (uint64_t(b) & 63)); }
int64_t ShiftRight(int64_t a, int64_t b) {
  const unsigned n = unsigned(uint64_t(b) & 63);
  // Arithmetic shift, spelled out so it does not depend on implementation-
  // defined behaviour of signed >>.
  const uint64_t u = uint64_t(a);
  if (a >= 0 || n == 0) return Wrap(u >> n);
  return Wrap((u >> n) | ~(~uint64_t{0} >> n));
}
// Quotient or remainder with bash's special cases for INT64_MIN / -1.
int64_t Divide(int64_t a, int64_t b, bool remainder) {
  if (b == -1) return remainder ? 0 : Neg(a);
  return remainder ? a % b : a / b;
}
int64_t Power(int64_t base, int64_t exp) {
  uint64_t result = 1, b = uint64_t(base);
  while (exp) {
    if (exp & 1) result *= b;
    exp >>= 1;
    b *= b;
  }
  return Wrap(result);
}

// Where a subscript that starts at text[open] ('[') ends (the matching ']'),
// or kNoPos; subst.c's skip_matched_pair without the command substitution
// cases, which cannot occur in already-expanded text.
size_t SkipSubscript(std::string_view text, size_t open) {
  int count = 1;
  bool pass_next = false, backq = false;
  for (size_t i = open + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (pass_next) {
      pass_next = false;
    } else if (c == '\\') {
      pass_next = true;
    } else if (backq) {
      if (c == '`') backq = false;
    } else if (c == '`') {
      backq = true;
    } else if (c == '[') {
      ++count;
    } else if (c == ']') {
      if (--count == 0) return i;
    } else if (c == '\'') {
      const size_t end = text.find('\'', i + 1);
      if (end == kNoPos) return kNoPos;
      i = end;
    } else if (c == '"') {
      size_t j = i + 1;
      while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
      if (j >= text.size()) return kNoPos;
      i = j;
    }
  }
  return kNoPos;
}

// What bash remembers of the last variable token (struct lvalue). `id`
// stands in for bash's pointer comparisons against the token string.
struct LValue {
  uint64_t id = 0;
  std::string token;
  std::optional<int64_t> index;
};

// expr.c's per-expression lexer state (EXPR_CONTEXT minus the expression).
struct TokState {
  int curtok = kEnd;
  int lasttok = kEnd;
  size_t tp = 0;
  size_t lasttp = kNoPos;
  int64_t tokval = 0;
  std::optional<std::string> tokstr;
  uint64_t tokstr_id = 0;
  int noeval = 0;
  LValue lval;
};

class Evaluator {
 public:
  explicit Evaluator(ArithVars& vars) : vars_(vars) {}

  ArithResult Run(std::string_view expression) {
    ArithResult result;
    const int64_t value = SubExpr(expression);
    if (failed_) {
      result.error = std::move(error_);
      result.assignment_error = assignment_error_;
      if (result.error.empty()) result.error = "arithmetic error";
    } else {
      result.value = value;
    }
    return result;
  }

 private:
  // Evaluates a complete expression (the top level, a variable's value, or
  // a subscript) in a fresh lexer state, restoring the caller's afterwards.
  int64_t SubExpr(std::string_view text) {
    // bash sees C strings: a NUL ends the expression.
    text = text.substr(0, text.find('\0'));
    size_t p = 0;
    while (p < text.size() && IsCrWhitespace(text[p])) ++p;
    if (p == text.size()) return 0;

    if (depth_ >= kMaxRecursion) {
      EvalError("expression recursion level exceeded");
      return 0;
    }
    std::string saved_expression = std::move(expression_);
    TokState saved = s_;
    ++depth_;

    expression_ = std::string(text);
    s_.tp = 0;
    s_.curtok = s_.lasttok = kEnd;
    s_.tokstr.reset();
    s_.tokstr_id = 0;
    s_.tokval = 0;
    s_.lval = LValue();

    ReadTok();
    if (failed_) return 0;
    const int64_t value = ExpComma();
    if (failed_) return 0;
    if (s_.curtok != kEnd) {
      EvalError("syntax error in expression");
      return 0;
    }

    --depth_;
    expression_ = std::move(saved_expression);
    s_ = std::move(saved);
    return value;
  }

  int64_t ExpComma() {
    int64_t value = ExpAssign();
    while (!failed_ && s_.curtok == ',') {
      ReadTok();
      if (failed_) return 0;
      value = ExpAssign();
    }
    return failed_ ? 0 : value;
  }

  int64_t ExpAssign() {
    int64_t value = ExpCond();
    if (failed_) return 0;
    if (s_.curtok != '=' && s_.curtok != kOpAssign) return value;

    const bool special = s_.curtok == kOpAssign;
    if (s_.lasttok != kStr) return EvalError("attempted assignment to non-variable");
    int op = 0;
    int64_t lvalue = 0;
    if (special) {
      op = assigntok_;
      lvalue = value;
    }
    if (!s_.tokstr) return EvalError("syntax error in variable assignment");
    const std::string lhs = *s_.tokstr;
    // Saved now: evaluating the right side overwrites the lvalue.
    const std::optional<int64_t> lind = s_.lval.index;
    ReadTok();
    if (failed_) return 0;
    value = ExpAssign();
    if (failed_) return 0;

    if (special) {
      if ((op == '/' || op == '%') && value == 0) {
        if (s_.noeval == 0) return EvalError("division by 0");
        value = 1;
      }
      switch (op) {
        case '*':
          lvalue = Mul(lvalue, value);
          break;
        case '/':
          lvalue = Divide(lvalue, value, false);
          break;
        case '%':
          lvalue = Divide(lvalue, value, true);
          break;
        case '+':
          lvalue = Add(lvalue, value);
          break;
        case '-':
          lvalue = Sub(lvalue, value);
          break;
        case kLsh:
          lvalue = ShiftLeft(lvalue, value);
          break;
        case kRsh:
          lvalue = ShiftRight(lvalue, value);
          break;
        case '&':
          lvalue &= value;
          break;
        case '|':
          lvalue |= value;
          break;
        case '^':
          lvalue ^= value;
          break;
        default:
          return EvalError("bug: bad expassign token");
      }
      value = lvalue;
    }

    if (s_.noeval == 0) {
      if (lind) {
        BindArrayElement(lhs, *lind, value);
      } else {
        BindVariable(lhs, value);
      }
      if (failed_) return 0;
    }
    if (s_.lval.id != 0 && s_.lval.id == s_.tokstr_id) s_.lval = LValue();
    s_.tokstr.reset();
    s_.tokstr_id = 0;
    return value;
  }

  int64_t ExpCond() {
    const int64_t cval = ExpLor();
    if (failed_) return 0;
    if (s_.curtok != '?') return cval;

    bool set_noeval = false;
    if (cval == 0) {
      set_noeval = true;
      ++s_.noeval;
    }
    ReadTok();
    if (failed_) return 0;
    if (s_.curtok == kEnd || s_.curtok == ':') return EvalError("expression expected");
    const int64_t val1 = ExpComma();
    if (failed_) return 0;
    if (set_noeval) --s_.noeval;
    if (s_.curtok != ':') return EvalError("`:' expected for conditional expression");

    set_noeval = false;
    if (cval) {
      set_noeval = true;
      ++s_.noeval;
    }
    ReadTok();
    if (failed_) return 0;
    if (s_.curtok == kEnd) return EvalError("expression expected");
    const int64_t val2 = ExpCond();
    if (failed_) return 0;
    if (set_noeval) --s_.noeval;
    s_.lasttok = kCond;
    return cval ? val1 : val2;
  }

  int64_t ExpLor() {
    int64_t val1 = ExpLand();
    while (!failed_ && s_.curtok == kLor) {
      bool set_noeval = false;
      if (val1 != 0) {
        ++s_.noeval;
        set_noeval = true;
      }
      ReadTok();
      if (failed_) return 0;
      const int64_t val2 = ExpLand();
      if (failed_) return 0;
      if (set_noeval) --s_.noeval;
      val1 = val1 || val2;
      s_.lasttok = kLor;
    }
    return failed_ ? 0 : val1;
  }

  int64_t ExpLand() {
    int64_t val1 = ExpBor();
    while (!failed_ && s_.curtok == kLand) {
      bool set_noeval = false;
      if (val1 == 0) {
        ++s_.noeval;
        set_noeval = true;
      }
      ReadTok();
      if (failed_) return 0;
      const int64_t val2 = ExpBor();
      if (failed_) return 0;
      if (set_noeval) --s_.noeval;
      val1 = val1 && val2;
      s_.lasttok = kLand;
    }
    return failed_ ? 0 : val1;
  }

  // The left-associative binary levels share one shape: operand, then any
  // number of (operator operand), each resetting lasttok to NUM.
  template <typename Next, typename IsOp, typename Apply>
  int64_t BinaryLevel(Next next, IsOp is_op, Apply apply) {
    int64_t val1 = (this->*next)();
    while (!failed_ && is_op(s_.curtok)) {
      const int op = s_.curtok;
      ReadTok();
      if (failed_) return 0;
      const int64_t val2 = (this->*next)();
      if (failed_) return 0;
      val1 = apply(op, val1, val2);
      s_.lasttok = kNum;
    }
    return failed_ ? 0 : val1;
  }

  int64_t ExpBor() {
    return BinaryLevel(
        &Evaluator::ExpBxor, [](int t) { return t == '|'; },
        [](int, int64_t a, int64_t b) { return a | b; });
  }
  int64_t ExpBxor() {
    return BinaryLevel(
        &Evaluator::ExpBand, [](int t) { return t == '^'; },
        [](int, int64_t a, int64_t b) { return a ^ b; });
  }
  int64_t ExpBand() {
    return BinaryLevel(
        &Evaluator::ExpEquality, [](int t) { return t == '&'; },
        [](int, int64_t a, int64_t b) { return a & b; });
  }
  int64_t ExpEquality() {
    return BinaryLevel(
        &Evaluator::ExpCompare, [](int t) { return t == kEqEq || t == kNeq; },
        [](int op, int64_t a, int64_t b) -> int64_t { return op == kEqEq ? a == b : a != b; });
  }
  int64_t ExpCompare() {
    return BinaryLevel(
        &Evaluator::ExpShift, [](int t) { return t == kLeq || t == kGeq || t == '<' || t == '>'; },
        [](int op, int64_t a, int64_t b) -> int64_t {
          switch (op) {
            case kLeq:
              return a <= b;
            case kGeq:
              return a >= b;
            case '<':
              return a < b;
            default:
              return a > b;
          }
        });
  }
  int64_t ExpShift() {
    return BinaryLevel(
        &Evaluator::ExpAddSub, [](int t) { return t == kLsh || t == kRsh; },
        [](int op, int64_t a, int64_t b) {
          return op == kLsh ? ShiftLeft(a, b) : ShiftRight(a, b);
        });
  }
  int64_t ExpAddSub() {
    return BinaryLevel(
        &Evaluator::ExpMulDiv, [](int t) { return t == '+' || t == '-'; },
        [](int op, int64_t a, int64_t b) { return op == '+' ? Add(a, b) : Sub(a, b); });
  }

  int64_t ExpMulDiv() {
    int64_t val1 = ExpPower();
    while (!failed_ && (s_.curtok == '*' || s_.curtok == '/' || s_.curtok == '%')) {
      const int op = s_.curtok;
      // The division-by-0 message points at the divisor, not at the token
      // the lexer has moved on to.
      const size_t divisor_pos = s_.tp;
      ReadTok();
      if (failed_) return 0;
      int64_t val2 = ExpPower();
      if (failed_) return 0;
      if (op != '*' && val2 == 0) {
        if (s_.noeval == 0) {
          size_t p = divisor_pos;
          while (p < expression_.size() && IsBlank(expression_[p])) ++p;
          s_.lasttp = p;
          return EvalError("division by 0");
        }
        val2 = 1;
      }
      val1 = op == '*' ? Mul(val1, val2) : Divide(val1, val2, op == '%');
      s_.lasttok = kNum;
    }
    return failed_ ? 0 : val1;
  }

  int64_t ExpPower() {
    int64_t val1 = ExpUnary();
    while (!failed_ && s_.curtok == kPower) {
      ReadTok();
      if (failed_) return 0;
      const int64_t val2 = ExpPower();  // right-associative
      if (failed_) return 0;
      s_.lasttok = kNum;
      if (val2 == 0) return 1;
      if (val2 < 0) return EvalError("exponent less than 0");
      val1 = Power(val1, val2);
    }
    return failed_ ? 0 : val1;
  }

  int64_t ExpUnary() {
    const int tok = s_.curtok;
    if (tok != '!' && tok != '~' && tok != '-' && tok != '+') return Exp0();
    ReadTok();
    if (failed_) return 0;
    const int64_t val = ExpUnary();
    if (failed_) return 0;
    s_.lasttok = kNum;
    switch (tok) {
      case '!':
        return !val;
      case '~':
        return ~val;
      case '-':
        return Neg(val);
      default:
        return val;
    }
  }

  int64_t Exp0() {
    if (s_.curtok == kPreInc || s_.curtok == kPreDec) {
      const int stok = s_.lasttok = s_.curtok;
      ReadTok();
      if (failed_) return 0;
      if (s_.curtok != kStr) {
        return EvalError("identifier expected after pre-increment or pre-decrement");
      }
      const int64_t v2 = Add(s_.tokval, stok == kPreInc ? 1 : -1);
      if (s_.noeval == 0) {
        if (s_.lval.index) {
          BindArrayElement(s_.lval.token, *s_.lval.index, v2);
        } else if (s_.tokstr) {
          BindVariable(*s_.tokstr, v2);
        }
        if (failed_) return 0;
      }
      s_.curtok = kNum;  // so that `--x=7` is an error
      ReadTok();
      return failed_ ? 0 : v2;
    }
    if (s_.curtok == '(') {
      ReadTok();
      if (failed_) return 0;
      const int64_t val = ExpComma();
      if (failed_) return 0;
      if (s_.curtok != ')') return EvalError("missing `)'");
      ReadTok();
      return failed_ ? 0 : val;
    }
    if (s_.curtok == kNum || s_.curtok == kStr) {
      const int64_t val = s_.tokval;
      if (s_.curtok == kStr) {
        // Peek at the next token for a post-increment, without evaluating.
        TokState ec = s_;
        s_.tokstr.reset();
        s_.tokstr_id = 0;
        s_.noeval = 1;
        ReadTok();
        if (failed_) return 0;
        const int stok = s_.curtok;
        if (stok == kPostInc || stok == kPostDec) {
          s_.tokstr = std::move(ec.tokstr);
          s_.tokstr_id = ec.tokstr_id;
          s_.noeval = ec.noeval;
          s_.lval = std::move(ec.lval);
          s_.lasttok = kStr;
          const int64_t v2 = Add(val, stok == kPostInc ? 1 : -1);
          if (s_.noeval == 0) {
            if (s_.lval.index) {
              BindArrayElement(s_.lval.token, *s_.lval.index, v2);
            } else if (s_.tokstr) {
              BindVariable(*s_.tokstr, v2);
            }
            if (failed_) return 0;
          }
          s_.curtok = kNum;  // so that `x++=7` is an error
        } else {
          s_ = std::move(ec);
        }
      }
      ReadTok();
      return failed_ ? 0 : val;
    }
    return EvalError("syntax error: operand expected");
  }

  // The value of a variable token (`name` or `name[subscript]`), itself
  // evaluated as an expression; records the lvalue for a later assignment.
  int64_t StrEval(const std::string& token, uint64_t token_id, bool subscripted) {
    if (s_.noeval) return 0;
    std::optional<std::string> value;
    std::optional<int64_t> index;
    if (subscripted) {
      const size_t open = token.find('[');
      const std::string_view name = std::string_view(token).substr(0, open);
      const std::string_view sub =
          std::string_view(token).substr(open + 1, token.size() - open - 2);
      if (vars_.IsAssoc(name)) {
        // A key, not an expression: an assignment takes it again from the
        // token (BindVariable), as nothing in it is evaluated.
        value = vars_.GetKey(name, sub);
      } else if (!sub.empty() && sub != "@" && sub != "*") {
        // bash warns about `a[]` and `a[@]` and carries on with 0.
        const int64_t i = SubExpr(sub);
        if (failed_) return 0;
        index = i;
        value = vars_.Get(name, i);
      }
    } else {
      value = vars_.Get(token, std::nullopt);
    }
    const int64_t tval = value && !value->empty() ? SubExpr(*value) : 0;
    if (failed_) return 0;
    s_.lval.id = token_id;
    s_.lval.token = token;
    s_.lval.index = index;
    return tval;
  }

  // Assigns to `token` as bind_int_variable does: a subscript that was not
  // evaluated yet (plain `a[i++] = v`) is evaluated now, after the value.
  void BindVariable(const std::string& token, int64_t value) {
    if (token.empty()) return;
    const size_t open = token.find('[');
    if (open == kNoPos) {
      Set(token, std::nullopt, value);
      return;
    }
    const std::string_view sub = std::string_view(token).substr(open + 1, token.size() - open - 2);
    const std::string_view name = std::string_view(token).substr(0, open);
    if (vars_.IsAssoc(name)) {
      std::string error;
      if (!vars_.SetKey(name, sub, value, &error)) {
        failed_ = true;
        assignment_error_ = true;
        error_ = std::move(error);
      }
      return;
    }
    if (sub.empty()) return;  // bash: "`a[]': not a valid identifier", a warning
    const int64_t index = SubExpr(sub);
    if (failed_) return;
    Set(std::string_view(token).substr(0, open), index, value);
  }

  void BindArrayElement(const std::string& token, int64_t index, int64_t value) {
    Set(std::string_view(token).substr(0, token.find('[')), index, value);
  }

  void Set(std::string_view name, std::optional<int64_t> index, int64_t value) {
    std::string error;
    if (!vars_.Set(name, index, value, &error)) {
      // bash prints the assignment's own message, not an expression error.
      failed_ = true;
      assignment_error_ = true;
      error_ = error.empty() ? std::string(name) + ": readonly variable" : std::move(error);
    }
  }

  // expr.c's readtok(): reads the next token into s_.curtok, evaluating a
  // variable token's value (unless it is about to be assigned with `=`).
  void ReadTok() {
    const std::string& e = expression_;
    size_t cp = s_.tp;
    while (cp < e.size() && IsCrWhitespace(e[cp])) ++cp;
    if (cp >= e.size()) {
      s_.lasttok = s_.curtok;
      s_.curtok = kEnd;
      s_.tp = cp;
      return;
    }
    const size_t start = cp;
    int c = static_cast<unsigned char>(e[cp++]);
    s_.lasttp = s_.tp = start;

    if (IsVarStarter(static_cast<char>(c))) {
      while (cp < e.size() && IsVarChar(e[cp])) ++cp;
      bool subscripted = false;
      if (cp < e.size() && e[cp] == '[') {
        const size_t close = SkipSubscript(e, cp);
        if (close == kNoPos) {
          EvalError("bad array subscript");
          return;
        }
        cp = close + 1;
        subscripted = true;
      }
      if (s_.lval.id != 0 && s_.lval.id == s_.tokstr_id) s_.lval = LValue();
      s_.tokstr = e.substr(start, cp - start);
      s_.tokstr_id = ++next_id_;

      // Peek at the next token: a variable about to be assigned with `=` is
      // not evaluated (its value might be an invalid expression).
      TokState ec = s_;
      s_.tokstr.reset();
      s_.tokstr_id = 0;
      s_.tp = cp;
      s_.noeval = 1;
      s_.curtok = kStr;
      ReadTok();
      if (failed_) return;
      const int peektok = s_.curtok;
      s_ = std::move(ec);

      if (s_.lasttok == kPreInc || s_.lasttok == kPreDec || peektok != '=') {
        const std::string token = *s_.tokstr;
        s_.tokval = StrEval(token, s_.tokstr_id, subscripted);
        if (failed_) return;
      } else {
        s_.tokval = 0;
      }
      s_.lasttok = s_.curtok;
      s_.curtok = kStr;
    } else if (IsDigit(static_cast<char>(c))) {
      while (cp < e.size() && (IsAlnum(e[cp]) || e[cp] == '#' || e[cp] == '@' || e[cp] == '_')) {
        ++cp;
      }
      // bash NUL-terminates the number in place while converting it, so its
      // error messages show the expression only up to the number's end.
      visible_end_ = cp;
      s_.tokval = StrLong(std::string_view(e).substr(start, cp - start));
      if (failed_) return;
      visible_end_ = kNoPos;
      s_.lasttok = s_.curtok;
      s_.curtok = kNum;
    } else {
      const int c1 = cp < e.size() ? static_cast<unsigned char>(e[cp]) : 0;
      ++cp;
      const int next = cp < e.size() ? static_cast<unsigned char>(e[cp]) : 0;
      if (c == '=' && c1 == '=') {
        c = kEqEq;
      } else if (c == '!' && c1 == '=') {
        c = kNeq;
      } else if (c == '>' && c1 == '=') {
        c = kGeq;
      } else if (c == '<' && c1 == '=') {
        c = kLeq;
      } else if (c == '<' && c1 == '<') {
        if (next == '=') {
          assigntok_ = kLsh;
          c = kOpAssign;
          ++cp;
        } else {
          c = kLsh;
        }
      } else if (c == '>' && c1 == '>') {
        if (next == '=') {
          assigntok_ = kRsh;
          c = kOpAssign;
          ++cp;
        } else {
          c = kRsh;
        }
      } else if (c == '&' && c1 == '&') {
        c = kLand;
      } else if (c == '|' && c1 == '|') {
        c = kLor;
      } else if (c == '*' && c1 == '*') {
        c = kPower;
      } else if ((c == '-' || c == '+') && c1 == c && s_.curtok == kStr) {
        c = c == '-' ? kPostDec : kPostInc;
      } else if ((c == '-' || c == '+') && c1 == c && s_.curtok == kNum &&
                 (s_.lasttok == kPreInc || s_.lasttok == kPreDec)) {
        // Something like --x++.
        EvalError(c == '-' ? "--: assignment requires lvalue" : "++: assignment requires lvalue");
        return;
      } else if ((c == '-' || c == '+') && c1 == c) {
        // `++`/`--` is an increment only before an identifier; otherwise
        // it is two unary operators (`--5` is 5).
        size_t xp = cp;
        while (xp < e.size() && IsCrWhitespace(e[xp])) ++xp;
        if (xp < e.size() && IsVarStarter(e[xp])) {
          c = c == '-' ? kPreDec : kPreInc;
        } else {
          --cp;
        }
      } else if (c1 == '=' && (c == '*' || c == '/' || c == '%' || c == '+' || c == '-' ||
                               c == '&' || c == '^' || c == '|')) {
        assigntok_ = c;
        c = kOpAssign;
      } else if (!IsArithOp(c)) {
        --cp;
        // curtok is still the previous token here.
        if (s_.curtok == kEnd || IsArithOp(s_.curtok) || IsMultiOp(s_.curtok)) {
          EvalError("syntax error: operand expected");
        } else {
          EvalError("syntax error: invalid arithmetic operator");
        }
        return;
      } else {
        --cp;
      }
      s_.lasttok = s_.curtok;
      s_.curtok = c;
    }
    s_.tp = cp;
  }

  // expr.c's strlong(): 0NNN octal, 0xNN hex, BASE#DIGITS with bases 2-64.
  int64_t StrLong(std::string_view num) {
    size_t s = 0;
    int64_t base = 10;
    bool foundbase = false;
    if (num[0] == '0') {
      ++s;
      if (s == num.size()) return 0;
      if (num[s] == 'x' || num[s] == 'X') {
        base = 16;
        ++s;
      } else {
        base = 8;
      }
      foundbase = true;
    }
    uint64_t val = 0;
    for (; s < num.size(); ++s) {
      const char c = num[s];
      if (c == '#') {
        if (foundbase) return EvalError("invalid number");
        if (int64_t(val) < 2 || int64_t(val) > 64) return EvalError("invalid arithmetic base");
        base = int64_t(val);
        val = 0;
        foundbase = true;
        if (s + 1 >= num.size() || !IsNumChar(num[s + 1])) {
          return EvalError("invalid integer constant");
        }
      } else if (IsNumChar(c)) {
        int digit;
        if (IsDigit(c)) {
          digit = c - '0';
        } else if (c >= 'a' && c <= 'z') {
          digit = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'Z') {
          digit = c - 'A' + (base <= 36 ? 10 : 36);
        } else if (c == '@') {
          digit = 62;
        } else {
          digit = 63;
        }
        if (digit >= base) return EvalError("value too great for base");
        val = val * uint64_t(base) + uint64_t(digit);
      } else {
        break;
      }
    }
    return Wrap(val);
  }

  // Records bash's message: the expression (leading blanks dropped), the
  // message, and the text from the failing token on. Returns 0 for callers.
  int64_t EvalError(std::string_view message) {
    const std::string_view visible = std::string_view(expression_).substr(0, visible_end_);
    std::string_view expr = visible;
    while (!expr.empty() && IsBlank(expr.front())) expr.remove_prefix(1);
    std::string_view token;
    if (s_.lasttp != kNoPos && s_.lasttp < visible.size()) token = visible.substr(s_.lasttp);
    error_.clear();
    error_.append(expr).append(": ").append(message).append(" (error token is \"");
    error_.append(token).append("\")");
    failed_ = true;
    return 0;
  }

  ArithVars& vars_;
  std::string expression_;
  TokState s_;
  // The OP of the last `OP=` token read; like bash, not part of the saved
  // lexer state.
  int assigntok_ = 0;
  // While a number is converted: where bash's copy of the expression ends.
  size_t visible_end_ = kNoPos;
  int depth_ = 0;
  uint64_t next_id_ = 0;
  bool failed_ = false;
  std::string error_;
  bool assignment_error_ = false;  // ArithResult::assignment_error
};

}  // namespace

ArithResult EvalArith(std::string_view expression, ArithVars& vars) {
  Evaluator evaluator(vars);
  return evaluator.Run(expression);
}

}  // namespace memhook::shell
