// awk (mawk 1.3.4 20200120): program text to the tree of awk_program.h.
//
// Three parts, each following mawk's own algorithm so that what mawk
// accepts, rejects and reports is reproduced:
//  - regular expressions: mawk's regex lexer and operator-precedence parser
//    (rexp0.c, rexp.c) build a tree, turned into mawk's machine (rexp1.c)
//    and matched by mawk's backtracking search (rexp2.c, rexp3.c), whose
//    results are not always the longest match;
//  - the program lexer (scan.c): the regex/division decision, the
//    semicolon supplied before a `}`, `>` and `|` inside print, `<` after
//    getline, newlines eaten after `{ , ; && || else do` and `)` of if,
//    while and for;
//  - the grammar (parse.y) as a recursive-descent parser with yacc's
//    precedences and its error recovery (`statement: error separator`,
//    `block: { error }`, `program_block: error block`), the symbol table
//    with mawk's type checks, and the inference of function parameter types
//    across calls (fcall.c).

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "utils/awk_program.h"

namespace memhook::utils::awk {

// ===========================================================================
// Regular expressions.

namespace {

// mawk's regex tokens (rexp.h); the numbering indexes the precedence table.
enum ReTok : int {
  kTNone = 0,
  kTOr = 1,
  kTCat = 2,
  kTStar = 3,
  kTPlus = 4,
  kTQ = 5,
  kTLp = 6,
  kTRp = 7,
  kTStart = 8,
  kTEnd = 9,
  kTAny = 10,
  kTClass = 11,
  kTSlash = 12,
  kTChar = 13,
  kTStr = 14,
  kTU = 15,
  kTNotStarted = -1,
};

// The operator precedence relations of mawk's regex parser (rexp.c):
// L shift, G reduce, EQ a matched "()", negative: error numbers.
constexpr int kRelL = 0;
constexpr int kRelEq = 1;
constexpr int kRelG = 2;
constexpr int kReTable[8][8] = {
    //        0   |     CAT   *     +     ?     (     )
    /* 0 */ {0, kRelL, kRelL, kRelL, kRelL, kRelL, kRelL, -1},
    /* | */ {kRelG, kRelG, kRelL, kRelL, kRelL, kRelL, kRelL, kRelG},
    /* CAT*/ {kRelG, kRelG, kRelG, kRelL, kRelL, kRelL, kRelL, kRelG},
    /* * */ {kRelG, kRelG, kRelG, kRelG, kRelG, kRelG, -7, kRelG},
    /* + */ {kRelG, kRelG, kRelG, kRelG, kRelG, kRelG, -7, kRelG},
    /* ? */ {kRelG, kRelG, kRelG, kRelG, kRelG, kRelG, -7, kRelG},
    /* ( */ {-2, kRelL, kRelL, kRelL, kRelL, kRelL, kRelL, kRelEq},
    /* ) */ {kRelG, kRelG, kRelG, kRelG, kRelG, kRelG, -7, kRelG},
};

// mawk's regex error texts (REerrlist), by number.
const char* const kReErrors[] = {
    "",
    "missing '('",
    "missing ')'",
    "bad class -- [], [^] or [",
    "missing operand",
    "resource exhaustion -- regular expression too large",
    "syntax error ^* or ^+",
};

constexpr int kReStackSize = 64;

// A regex tree node (one of mawk's machines).
struct ReNode {
  enum Kind : uint8_t { kStr, kAny, kU, kClass, kStart, kEnd, kCat, kOr, kStar, kPlus, kQ };
  Kind kind = kStr;
  bool end_on = false;  // followed by `$`: must end the text
  std::string str;
  std::bitset<256> cls;
  int a = -1, b = -1;  // children (indexes)
};

struct ReError {
  int code;
};

// The POSIX classes as the C locale defines them for single bytes (mawk
// runs its ctype tests in the environment's LC_CTYPE; C.UTF-8 and C agree
// on bytes: only ASCII is classified).
bool InCClass(int code, int c) {
  const bool upper = c >= 'A' && c <= 'Z';
  const bool lower = c >= 'a' && c <= 'z';
  const bool digit = c >= '0' && c <= '9';
  const bool graph = c >= 33 && c <= 126;
  switch (code) {
    case 1:  // alnum
      return upper || lower || digit;
    case 2:  // alpha
      return upper || lower;
    case 3:  // blank
      return c == ' ' || c == '\t';
    case 4:  // cntrl
      return c < 32 || c == 127;
    case 5:  // digit
      return digit;
    case 6:  // graph
      return graph;
    case 7:  // lower
      return lower;
    case 8:  // print
      return c >= 32 && c <= 126;
    case 9:  // punct
      return graph && !upper && !lower && !digit;
    case 10:  // space
      return c == ' ' || (c >= 9 && c <= 13);
    case 11:  // upper
      return upper;
    case 12:  // xdigit
      return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    default:
      return false;
  }
}

// mawk's regex compiler (RE_lex + REcompile), building ReNodes.
class ReCompiler {
 public:
  explicit ReCompiler(std::string_view re) : s_(re) {}

  // Returns the root node; throws ReError.
  int Compile() {
    std::vector<int> m_stack;  // machine stack (node indexes)
    struct Op {
      int token;
      int prec;
    };
    std::vector<Op> ops(1, Op{0, kRelL});
    int pending = -1;  // the machine RE_lex wrote for an operand token
    int t = Lex(&pending);
    for (;;) {
      bool handle_op = true;
      switch (t) {
        case kTStr:
        case kTAny:
        case kTU:
        case kTStart:
        case kTEnd:
        case kTClass:
          m_stack.push_back(pending);
          handle_op = false;
          break;
        case 0:
          if (ops.back().token == 0) {
            if (m_stack.size() == 1) return m_stack[0];
            throw ReError{-100};  // RE_panic
          }
          break;
        default:
          break;
      }
      if (handle_op) {
        int prec = kReTable[ops.back().token][t];
        ops.back().prec = prec;
        if (prec == kRelG) {
          do {
            Op& op = ops.back();
            if (op.token <= kTCat) {  // binary operator
              if (m_stack.size() == 1 && op.token == kTCat) {
                ops.pop_back();  // an empty concatenation: ignored
                continue;
              }
              if (m_stack.empty()) throw ReError{4};
              if (m_stack.size() < 2) throw ReError{4};
            }
            if (m_stack.empty()) throw ReError{4};
            switch (op.token) {
              case kTCat:
              case kTOr: {
                int right = m_stack.back();
                m_stack.pop_back();
                int left = m_stack.back();
                m_stack.back() =
                    NewNode(op.token == kTCat ? ReNode::kCat : ReNode::kOr, left, right);
                break;
              }
              case kTStar:
                m_stack.back() = NewNode(ReNode::kStar, m_stack.back(), -1);
                break;
              case kTPlus:
                m_stack.back() = NewNode(ReNode::kPlus, m_stack.back(), -1);
                break;
              case kTQ:
                m_stack.back() = NewNode(ReNode::kQ, m_stack.back(), -1);
                break;
              default:
                break;
            }
            ops.pop_back();
          } while (ops.back().prec != kRelL);
          continue;  // the same token again
        }
        if (prec < 0) {
          if (prec == -7) throw ReError{-101};
          throw ReError{-prec};
        }
        ops.push_back(Op{t, kRelL});
        if (static_cast<int>(ops.size()) >= kReStackSize + 1) throw ReError{5};
      }
      if (static_cast<int>(m_stack.size()) >= kReStackSize) throw ReError{5};
      pending = -1;
      t = Lex(&pending);
    }
  }

  std::vector<ReNode> nodes;

 private:
  int At(size_t i) const { return i < s_.size() ? static_cast<unsigned char>(s_[i]) : 0; }

  int NewNode(ReNode::Kind kind, int a, int b) {
    ReNode n;
    n.kind = kind;
    n.a = a;
    n.b = b;
    nodes.push_back(std::move(n));
    return static_cast<int>(nodes.size()) - 1;
  }

  static int CharToken(int c) {
    switch (c) {
      case '$':
        return kTEnd;
      case '(':
        return kTLp;
      case ')':
        return kTRp;
      case '*':
        return kTStar;
      case '+':
        return kTPlus;
      case '.':
        return kTAny;
      case '?':
        return kTQ;
      case '[':
        return kTClass;
      case '\\':
        return kTSlash;
      case '^':
        return kTStart;
      case '|':
        return kTOr;
      default:
        return kTChar;
    }
  }

  static int HexValue(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // rexp0.c escape(): *p is the character after the backslash.
  int Escape(size_t* p) const {
    int c = At(*p);
    switch (c) {
      case 'n':
        ++*p;
        return '\n';
      case 't':
        ++*p;
        return '\t';
      case 'f':
        ++*p;
        return '\f';
      case 'b':
        ++*p;
        return '\b';
      case 'r':
        ++*p;
        return '\r';
      case 'a':
        ++*p;
        return '\07';
      case 'v':
        ++*p;
        return '\013';
      case 0:
        if (*p >= s_.size()) return '\\';
        ++*p;
        return 0;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        unsigned x = static_cast<unsigned>(c - '0');
        ++*p;
        if (At(*p) >= '0' && At(*p) <= '7') {
          x = (x << 3) + static_cast<unsigned>(At(*p) - '0');
          ++*p;
          if (At(*p) >= '0' && At(*p) <= '7') {
            x = (x << 3) + static_cast<unsigned>(At(*p) - '0');
            ++*p;
          }
        }
        return static_cast<int>(x & 0xff);
      }
      case 'x': {
        ++*p;
        int x = HexValue(At(*p));
        if (x < 0) return 'x';
        ++*p;
        int xx = HexValue(At(*p));
        if (xx >= 0) {
          x = (x << 4) + xx;
          ++*p;
        }
        return x;
      }
      default:
        ++*p;
        return c;
    }
  }

  // do_str: a run of ordinary characters; a run followed by * + ? leaves
  // its last character for the operator.
  int DoStr(int c, int* mp) {
    std::string str(1, static_cast<char>(c));
    size_t p = lp_;
    size_t pt = p;
    while (p < s_.size()) {
      int tok = CharToken(At(p));
      if (tok == kTChar) {
        pt = p;
        str.push_back(static_cast<char>(At(p)));
        ++p;
      } else if (tok == kTSlash) {
        pt = p;
        size_t save = p + 1;
        str.push_back(static_cast<char>(Escape(&save)));
        p = save;
      } else {
        break;
      }
    }
    int cur = At(p);
    if (str.size() > 1 && (cur == '*' || cur == '+' || cur == '?')) {
      str.pop_back();
      p = pt;
    }
    lp_ = p;
    int n = NewNode(ReNode::kStr, -1, -1);
    nodes[n].str = std::move(str);
    *mp = n;
    return kTStr;
  }

  // lookup_cclass: `start` is at "[:"; advances past ":]".
  int LookupCClass(size_t* start) const {
    static const char* const kNames[] = {"",      "alnum", "alpha", "blank", "cntrl",
                                         "digit", "graph", "lower", "print", "punct",
                                         "space", "upper", "xdigit"};
    size_t name = *start + 2;
    size_t colon = name;
    while (colon < s_.size() && s_[colon] != ':' && s_[colon] != '\0') ++colon;
    if (colon >= s_.size() || s_[colon] != ':' || At(colon + 1) != ']') throw ReError{3};
    size_t size = colon - name;
    if (size < 5 || size > 6) throw ReError{3};
    *start = colon + 2;
    std::string_view word = s_.substr(name, size);
    for (int code = 1; code <= 12; ++code) {
      if (word == kNames[code]) return code;
    }
    throw ReError{3};
  }

  bool LiteralLeftSq(size_t p) const {
    if (At(p) != '[') return false;
    if (At(p + 1) != ':') return true;
    size_t q = p;
    LookupCClass(&q);  // may throw: an unknown class name
    return false;
  }

  // do_class: `[` at lp_.
  int DoClass(int* mp) {
    size_t start = lp_;
    size_t p = start + 1;
    if (LiteralLeftSq(p) || At(p) == ']') {
      ++p;
    } else if (At(p) == '^' && (LiteralLeftSq(p + 1) || At(p + 1) == ']')) {
      p += 2;
    }
    size_t q = p;
    for (int level = 0;; ++q) {
      if (At(q) == '[' && At(q + 1) == ':') {
        if (++level > 1) throw ReError{3};
      } else if (At(q) == ']') {
        if (level == 0) break;
        if (q == 0 || s_[q - 1] != ':') throw ReError{3};
        --level;
      } else if (At(q) == '\\') {
        ++q;
      }
      if (q >= s_.size()) throw ReError{3};
    }
    p = start + 1;
    lp_ = q + 1;
    std::bitset<256> bits;
    bool complement = false;
    if (At(p) == '^') {
      complement = true;
      ++p;
    }
    int prevc = -1;
    while (p < q) {
      int c = At(p);
      if (c == '\\') {
        ++p;
        prevc = Escape(&p);
        bits.set(static_cast<size_t>(prevc));
      } else if (c == '[') {
        if (At(p + 1) == ':') {
          int code = LookupCClass(&p);
          for (int ch = 0; ch < 256; ++ch) {
            if (InCClass(code, ch)) bits.set(static_cast<size_t>(ch));
          }
        } else {
          prevc = c;
          ++p;
          bits.set(static_cast<size_t>(prevc));
        }
      } else if (c == '-') {
        if (prevc == -1 || p + 1 == q) {
          prevc = '-';
          bits.set('-');
          ++p;
        } else {
          size_t mark = ++p;
          int hi;
          if (At(p) != '\\') {
            hi = At(p);
            ++p;
          } else {
            ++p;
            hi = Escape(&p);
          }
          if (prevc <= hi) {
            for (int ch = prevc; ch <= hi; ++ch) bits.set(static_cast<size_t>(ch));
            prevc = -1;
          } else {
            p = mark;
            prevc = '-';
            bits.set('-');
          }
        }
      } else {
        prevc = c;
        ++p;
        bits.set(static_cast<size_t>(prevc));
      }
    }
    if (complement) bits.flip();
    int n = NewNode(ReNode::kClass, -1, -1);
    nodes[n].cls = bits;
    *mp = n;
    return kTClass;
  }

  // RE_lex: the next token; operands write their machine into *mp.
  int Lex(int* mp) {
    if (lp_ >= s_.size()) return 0;
    int c = CharToken(At(lp_));
    switch (c) {
      case kTPlus:
      case kTStar:
        if (prev_ == kTStart) throw ReError{6};
        [[fallthrough]];
      case kTOr:
      case kTQ:
        ++lp_;
        return prev_ = c;
      case kTRp:
        if (nest_ == 0) {
          c = kTChar;  // ) without ( is ordinary
          break;
        }
        --nest_;
        ++lp_;
        return prev_ = c;
      case kTLp:
        switch (prev_) {
          case kTChar:
          case kTStr:
          case kTAny:
          case kTClass:
          case kTStart:
          case kTRp:
          case kTPlus:
          case kTStar:
          case kTQ:
          case kTU:
            return prev_ = kTCat;
          default:
            ++nest_;
            ++lp_;
            return prev_ = kTLp;
        }
      default:
        break;
    }
    switch (prev_) {
      case kTNotStarted:
      case kTOr:
      case kTLp:
      case kTCat:
        switch (c) {
          case kTAny:
            ++lp_;
            if (At(lp_) == '*') {
              ++lp_;
              *mp = NewNode(ReNode::kU, -1, -1);
              return prev_ = kTU;
            }
            if (At(lp_) == '+') {
              if (plus_is_star_) {
                ++lp_;
                *mp = NewNode(ReNode::kU, -1, -1);
                plus_is_star_ = false;
                return prev_ = kTU;
              }
              plus_is_star_ = true;
              --lp_;
              *mp = NewNode(ReNode::kAny, -1, -1);
              return prev_ = kTAny;
            }
            *mp = NewNode(ReNode::kAny, -1, -1);
            prev_ = kTAny;
            break;
          case kTSlash: {
            ++lp_;
            int e = Escape(&lp_);
            prev_ = DoStr(e, mp);
            break;
          }
          case kTChar: {
            int ch = At(lp_);
            ++lp_;
            prev_ = DoStr(ch, mp);
            break;
          }
          case kTClass:
            prev_ = DoClass(mp);
            break;
          case kTStart:
            *mp = NewNode(ReNode::kStart, -1, -1);
            ++lp_;
            prev_ = kTStart;
            break;
          case kTEnd:
            ++lp_;
            *mp = NewNode(ReNode::kEnd, -1, -1);
            return prev_ = kTEnd;
          default:
            throw ReError{-102};
        }
        break;
      default:
        return prev_ = kTCat;
    }
    if (At(lp_) == '$' && lp_ < s_.size()) {
      nodes[*mp].end_on = true;
      ++lp_;
    }
    return prev_;
  }

  std::string_view s_;
  size_t lp_ = 0;
  int prev_ = kTNotStarted;
  int nest_ = 0;
  bool plus_is_star_ = false;
};

// mawk's machine state types (rexp.h) and the flags added to them.
enum MType : int32_t {
  kMStr = 0,
  kMClass = 1,
  kMAny = 2,
  kMStart = 3,
  kMEnd = 4,
  kMU = 5,
  kM1J = 6,
  kM2JA = 7,
  kM2JB = 8,
  kMSavePos = 9,
  kM2JC = 10,
  kMAccept = 11,
  kUOn = 12,
  kEndOn = 24,
};

using Machine = std::vector<Regex::State>;

// The machines of rexp1.c, built from the tree in the order REcompile
// builds them (the order of states decides the order of the search).
class MachineBuilder {
 public:
  MachineBuilder(const std::vector<ReNode>& nodes, std::vector<std::string>* strs,
                 std::vector<std::bitset<256>>* classes)
      : nodes_(nodes), strs_(strs), classes_(classes) {}

  Machine Build(int n) {
    const ReNode& node = nodes_[n];
    Machine m;
    switch (node.kind) {
      case ReNode::kStr:
        strs_->push_back(node.str);
        m = Two(kMStr, static_cast<int32_t>(strs_->size()) - 1);
        break;
      case ReNode::kAny:
        m = Two(kMAny, 0);
        break;
      case ReNode::kU:
        m = Two(kMU, 0);
        break;
      case ReNode::kClass:
        classes_->push_back(node.cls);
        m = Two(kMClass, static_cast<int32_t>(classes_->size()) - 1);
        break;
      case ReNode::kStart:
        m = Two(kMStart, 0);
        break;
      case ReNode::kEnd:
        m = Two(kMEnd, 0);
        break;
      case ReNode::kCat: {
        // RE_cat: m without its ACCEPT, then n.
        m = Build(node.a);
        Machine n2 = Build(node.b);
        m.pop_back();
        m.insert(m.end(), n2.begin(), n2.end());
        return m;
      }
      case ReNode::kOr: {
        // RE_or: 2JA over m; m's ACCEPT jumps over n (1J); n's ACCEPT ends.
        Machine a = Build(node.a);
        Machine b = Build(node.b);
        int32_t szm = static_cast<int32_t>(a.size());
        int32_t szn = static_cast<int32_t>(b.size());
        m.push_back({kM2JA, szm + 1});
        m.insert(m.end(), a.begin(), a.end());
        m[static_cast<size_t>(szm)] = {kM1J, szn};
        m.insert(m.end(), b.begin(), b.end());
        return m;
      }
      case ReNode::kStar:
      case ReNode::kPlus: {
        Machine body = Build(node.a);
        if (StarOfAtom(body)) return body;  // mawk's ignore_star_star
        int32_t sz = static_cast<int32_t>(body.size());
        if (node.kind == ReNode::kStar) {
          // 2JA end; loop: SAVE_POS; m; 2JC loop; end: ACCEPT
          m.push_back({kM2JA, sz + 2});
        }
        m.push_back({kMSavePos, 0});
        m.insert(m.end(), body.begin(), body.end());
        m.back() = {kM2JC, -sz};
        m.push_back({kMAccept, 0});
        return m;
      }
      case ReNode::kQ: {
        // RE_01: 2JB over m (the jump, to m's ACCEPT, is tried first).
        Machine body = Build(node.a);
        m.push_back({kM2JB, static_cast<int32_t>(body.size())});
        m.insert(m.end(), body.begin(), body.end());
        return m;
      }
    }
    if (node.end_on) m[0].type += kEndOn;
    return m;
  }

 private:
  static Machine Two(int32_t type, int32_t arg) { return Machine{{type, arg}, {kMAccept, 0}}; }

  // A star of a single string, class or `.*`: wrapping it in another loop
  // is ignored by mawk.
  static bool StarOfAtom(const Machine& m) {
    if (m.size() < 4) return false;
    const Regex::State& p = m[0];
    size_t q = m.size() - 1;
    if (p.type % kUOn != kM2JA || p.arg != 4) return false;
    if (m[1].type % kUOn != kMSavePos) return false;
    int32_t atom = m[q - 2].type % kUOn;
    if (atom != kMClass && atom != kMStr && atom != kMU) return false;
    return m[q - 1].type % kUOn == kM2JC;
  }

  const std::vector<ReNode>& nodes_;
  std::vector<std::string>* strs_;
  std::vector<std::bitset<256>>* classes_;
};

}  // namespace

// A search may not run away with the command (mawk would, on some
// patterns, take exponential time too).
constexpr uint64_t kMaxRegexSteps = 200'000'000;

void Regex::Step() const {
  if (++steps_ > kMaxRegexSteps) throw RegexBudgetExceeded{};
}

void Regex::Push(int32_t m, const char* s, int32_t sp, const char* ss, int32_t u) const {
  ++stackp_;
  RunState r{m, u, s, ss, sp, pos_[static_cast<size_t>(sp)].prev_offset};
  if (static_cast<size_t>(stackp_) == run_.size()) {
    run_.push_back(r);
  } else {
    run_[static_cast<size_t>(stackp_)] = r;
  }
}

// RE_pos_push: the entry is owned by the current top of the run stack.
int32_t Regex::PosPush(int32_t head, const char* s) const {
  pos_[static_cast<size_t>(head)].pos = s;
  pos_[static_cast<size_t>(head)].owner = stackp_;
  ++head;
  if (static_cast<size_t>(head) == pos_.size()) pos_.push_back({nullptr, 0, 0});
  pos_[static_cast<size_t>(head)].prev_offset = 1;
  return head;
}

// RE_pos_pop.
const char* Regex::PosPop(int32_t* head) const {
  int32_t prev = *head - pos_[static_cast<size_t>(*head)].prev_offset;
  if (pos_[static_cast<size_t>(prev)].owner == stackp_) {
    *head = prev;
  } else if (*head != prev) {
    pos_[static_cast<size_t>(*head)].prev_offset += pos_[static_cast<size_t>(prev)].prev_offset;
  }
  return pos_[static_cast<size_t>(prev)].pos;
}

long Regex::Match(const char* str, size_t str_len, bool no_bol, size_t* lenp) const {
  *lenp = 0;
  const char* str_end = str + str_len;
  if (states_[0].type == kMStr && states_[1].type == kMAccept) {
    std::string_view text(str, str_len);
    size_t at = text.find(strs_[static_cast<size_t>(states_[0].arg)]);
    if (at == std::string_view::npos) return -1;
    *lenp = strs_[static_cast<size_t>(states_[0].arg)].size();
    return static_cast<long>(at);
  }
  int32_t m = 0;
  const char* s = str;
  const char* ss = nullptr;
  const char* cb_ss = nullptr;
  const char* cb_e = nullptr;
  int32_t u_flag = kUOn;
  stackp_ = -1;
  pos_.assign(1, PosEntry{nullptr, -1, 0});
  int32_t sp = 0;
  auto result = [&]() -> long {
    if (cb_ss == nullptr) return -1;
    *lenp = static_cast<size_t>(cb_e - cb_ss);
    return cb_ss - str;
  };
  bool fill = false;
  for (;;) {
    Step();
    if (fill) {
      if (stackp_ < 0) return result();
      const RunState& top = run_[static_cast<size_t>(stackp_)];
      ss = top.ss;
      s = top.s;
      --stackp_;
      if (cb_ss != nullptr) {
        if (ss != nullptr) {
          if (cb_ss < ss || (cb_ss == ss && cb_e == str_end)) continue;
        } else if (cb_ss < s || (cb_ss == s && cb_e == str_end)) {
          continue;
        }
      }
      m = top.m;
      sp = top.sp;
      pos_[static_cast<size_t>(sp)].prev_offset = top.tp;
      u_flag = top.u;
      fill = false;
    }
    const Regex::State& st = states_[static_cast<size_t>(m)];
    // `set_start(x)`: the match starts at x unless it would start after the
    // best one found so far.
    auto set_start = [&](const char* x) {
      if (ss == nullptr) {
        if (cb_ss != nullptr && x > cb_ss) return false;
        ss = x;
      }
      return true;
    };
    switch (st.type + u_flag) {
      case kMStr: {
        const std::string& lit = strs_[static_cast<size_t>(st.arg)];
        if (static_cast<size_t>(str_end - s) < lit.size() ||
            std::memcmp(s, lit.data(), lit.size()) != 0 || !set_start(s)) {
          fill = true;
          break;
        }
        s += lit.size();
        ++m;
        break;
      }
      case kMStr + kEndOn: {
        const std::string& lit = strs_[static_cast<size_t>(st.arg)];
        if (static_cast<size_t>(str_end - s) != lit.size() ||
            std::memcmp(s, lit.data(), lit.size()) != 0 || !set_start(s)) {
          fill = true;
          break;
        }
        s += lit.size();
        ++m;
        break;
      }
      case kMStr + kUOn: {
        const std::string& lit = strs_[static_cast<size_t>(st.arg)];
        if (s >= str_end) {
          fill = true;
          break;
        }
        size_t at = std::string_view(s, static_cast<size_t>(str_end - s)).find(lit);
        if (at == std::string_view::npos) {
          fill = true;
          break;
        }
        s += at;
        Push(m, s + 1, sp, ss, kUOn);
        if (!set_start(s)) {
          fill = true;
          break;
        }
        s += lit.size();
        ++m;
        u_flag = 0;
        break;
      }
      case kMStr + kUOn + kEndOn: {
        const std::string& lit = strs_[static_cast<size_t>(st.arg)];
        long t = (str_end - s) - static_cast<long>(lit.size());
        if (t < 0 || std::memcmp(s + t, lit.data(), lit.size()) != 0 || !set_start(s + t)) {
          fill = true;
          break;
        }
        s = str_end;
        ++m;
        u_flag = 0;
        break;
      }
      case kMClass:
        if (s >= str_end || !InClass(st.arg, static_cast<unsigned char>(*s)) || !set_start(s)) {
          fill = true;
          break;
        }
        ++s;
        ++m;
        break;
      case kMClass + kEndOn:
        if (s >= str_end || s + 1 < str_end || !InClass(st.arg, static_cast<unsigned char>(*s)) ||
            !set_start(s)) {
          fill = true;
          break;
        }
        ++s;
        ++m;
        break;
      case kMClass + kUOn: {
        while (s < str_end && !InClass(st.arg, static_cast<unsigned char>(*s))) ++s;
        if (s >= str_end) {
          fill = true;
          break;
        }
        ++s;
        Push(m, s, sp, ss, kUOn);
        if (!set_start(s - 1)) {
          fill = true;
          break;
        }
        ++m;
        u_flag = 0;
        break;
      }
      case kMClass + kUOn + kEndOn:
        if (s >= str_end || !InClass(st.arg, static_cast<unsigned char>(str_end[-1])) ||
            !set_start(str_end - 1)) {
          fill = true;
          break;
        }
        s = str_end;
        ++m;
        u_flag = 0;
        break;
      case kMAny:
        if (s >= str_end || !set_start(s)) {
          fill = true;
          break;
        }
        ++s;
        ++m;
        break;
      case kMAny + kEndOn:
        if (s >= str_end || s + 1 < str_end || !set_start(s)) {
          fill = true;
          break;
        }
        ++s;
        ++m;
        break;
      case kMAny + kUOn:
        if (s >= str_end) {
          fill = true;
          break;
        }
        ++s;
        Push(m, s, sp, ss, kUOn);
        if (!set_start(s - 1)) {
          fill = true;
          break;
        }
        ++m;
        u_flag = 0;
        break;
      case kMAny + kUOn + kEndOn:
        if (s >= str_end || !set_start(str_end - 1)) {
          fill = true;
          break;
        }
        s = str_end;
        ++m;
        u_flag = 0;
        break;
      case kMStart:
      case kMStart + kUOn:
        if (s != str || no_bol) {
          fill = true;
          break;
        }
        ss = s;
        ++m;
        u_flag = 0;
        break;
      case kMStart + kEndOn:
      case kMStart + kUOn + kEndOn:
        if (s != str || no_bol || s < str_end) {
          fill = true;
          break;
        }
        ss = s;
        ++m;
        u_flag = 0;
        break;
      case kMEnd:
        if (s < str_end || !set_start(s)) {
          fill = true;
          break;
        }
        ++m;
        break;
      case kMEnd + kUOn:
        s = str_end;
        if (!set_start(s)) {
          fill = true;
          break;
        }
        ++m;
        u_flag = 0;
        break;
      case kMU:
      case kMU + kUOn:
        if (!set_start(s)) {
          fill = true;
          break;
        }
        u_flag = kUOn;
        ++m;
        break;
      case kM1J:
      case kM1J + kUOn:
        m += st.arg;
        break;
      case kMSavePos:
      case kMSavePos + kUOn:
        sp = PosPush(sp, s);
        ++m;
        break;
      case kM2JA:
      case kM2JA + kUOn:
        Push(m + st.arg, s, sp, ss, u_flag);
        ++m;
        break;
      case kM2JC:
      case kM2JC + kUOn:
        if (PosPop(&sp) == s) {
          ++m;  // the iteration advanced nothing: no new round
          break;
        }
        Push(m + 1, s, sp, ss, u_flag);
        m += st.arg;
        break;
      case kM2JB:
      case kM2JB + kUOn:
        Push(m + 1, s, sp, ss, u_flag);
        m += st.arg;
        break;
      case kMAccept:
      case kMAccept + kUOn:
        if (ss == nullptr) {
          ss = s;
        } else if (u_flag == kUOn) {
          s = str_end;
        }
        if (cb_ss == nullptr || ss < cb_ss || (ss == cb_ss && s > cb_e)) {
          cb_ss = ss;
          cb_e = s;
        } else if (ss == cb_ss && s == cb_e) {
          return result();  // mawk stops at the second path to the best
        }
        fill = true;
        break;
      default:
        fill = true;
        break;
    }
  }
}

bool Regex::Run(const char* str, size_t len) const {
  const char* str_end = str + len;
  if (states_[0].type == kMStr && states_[1].type == kMAccept) {
    return std::string_view(str, len).find(strs_[static_cast<size_t>(states_[0].arg)]) !=
           std::string_view::npos;
  }
  int32_t m = 0;
  const char* s = str;
  int32_t u_flag = kUOn;
  stackp_ = -1;
  pos_.assign(1, PosEntry{nullptr, -1, 0});
  int32_t sp = 0;
  bool fill = false;
  for (;;) {
    Step();
    if (fill) {
      if (stackp_ < 0) return false;
      const RunState& top = run_[static_cast<size_t>(stackp_)];
      m = top.m;
      s = top.s;
      sp = top.sp;
      pos_[static_cast<size_t>(sp)].prev_offset = top.tp;
      u_flag = top.u;
      --stackp_;
      fill = false;
    }
    const Regex::State& st = states_[static_cast<size_t>(m)];
    switch (st.type + u_flag) {
      case kMStr: {
        const std::string& lit = strs_[static_cast<size_t>(st.arg)];
        if (static_cast<size_t>(str_end - s) < lit.size() ||
            std::memcmp(s, lit.data(), lit.size()) != 0) {
          fill = true;
          break;
        }
        s += lit.size();
        ++m;
        break;
      }
      case kMStr + kEndOn: {
        const std::string& lit = strs_[static_cast<size_t>(st.arg)];
        if (static_cast<size_t>(str_end - s) != lit.size() ||
            std::memcmp(s, lit.data(), lit.size()) != 0) {
          fill = true;
          break;
        }
        s += lit.size();
        ++m;
        break;
      }
      case kMStr + kUOn: {
        const std::string& lit = strs_[static_cast<size_t>(st.arg)];
        size_t at = std::string_view(s, static_cast<size_t>(str_end - s)).find(lit);
        if (at == std::string_view::npos) {
          fill = true;
          break;
        }
        s += at;
        Push(m, s + 1, sp, nullptr, kUOn);
        s += lit.size();
        ++m;
        u_flag = 0;
        break;
      }
      case kMStr + kUOn + kEndOn: {
        const std::string& lit = strs_[static_cast<size_t>(st.arg)];
        long t = (str_end - s) - static_cast<long>(lit.size());
        if (t < 0 || std::memcmp(s + t, lit.data(), lit.size()) != 0) {
          fill = true;
          break;
        }
        s = str_end;
        ++m;
        u_flag = 0;
        break;
      }
      case kMClass:
        if (s >= str_end || !InClass(st.arg, static_cast<unsigned char>(*s))) {
          fill = true;
          break;
        }
        ++s;
        ++m;
        break;
      case kMClass + kEndOn:
        if (s >= str_end || s + 1 < str_end || !InClass(st.arg, static_cast<unsigned char>(*s))) {
          fill = true;
          break;
        }
        ++s;
        ++m;
        break;
      case kMClass + kUOn:
        while (s < str_end && !InClass(st.arg, static_cast<unsigned char>(*s))) ++s;
        if (s >= str_end) {
          fill = true;
          break;
        }
        ++s;
        Push(m, s, sp, nullptr, kUOn);
        ++m;
        u_flag = 0;
        break;
      case kMClass + kUOn + kEndOn:
        if (s >= str_end || !InClass(st.arg, static_cast<unsigned char>(str_end[-1]))) {
          fill = true;
          break;
        }
        s = str_end;
        ++m;
        u_flag = 0;
        break;
      case kMAny:
        if (s >= str_end) {
          fill = true;
          break;
        }
        ++s;
        ++m;
        break;
      case kMAny + kEndOn:
        if (s >= str_end || s + 1 < str_end) {
          fill = true;
          break;
        }
        ++s;
        ++m;
        break;
      case kMAny + kUOn:
        if (s >= str_end) {
          fill = true;
          break;
        }
        ++s;
        Push(m, s, sp, nullptr, kUOn);
        ++m;
        u_flag = 0;
        break;
      case kMAny + kUOn + kEndOn:
        if (s >= str_end) {
          fill = true;
          break;
        }
        s = str_end;
        ++m;
        u_flag = 0;
        break;
      case kMStart:
      case kMStart + kUOn:
        if (s != str) {
          fill = true;
          break;
        }
        ++m;
        u_flag = 0;
        break;
      case kMStart + kEndOn:
      case kMStart + kUOn + kEndOn:
        if (s != str || s < str_end) {
          fill = true;
          break;
        }
        ++m;
        u_flag = 0;
        break;
      case kMEnd:
        if (s < str_end) {
          fill = true;
          break;
        }
        ++m;
        break;
      case kMEnd + kUOn:
        s = str_end;
        ++m;
        u_flag = 0;
        break;
      case kMU:
      case kMU + kUOn:
        u_flag = kUOn;
        ++m;
        break;
      case kM1J:
      case kM1J + kUOn:
        m += st.arg;
        break;
      case kMSavePos:
      case kMSavePos + kUOn:
        sp = PosPush(sp, s);
        ++m;
        break;
      case kM2JA:
      case kM2JA + kUOn: {
        int32_t tm = m + st.arg;
        if (states_[static_cast<size_t>(tm)].type == kMAccept) return true;
        Push(tm, s, sp, nullptr, u_flag);
        ++m;
        break;
      }
      case kM2JC:
      case kM2JC + kUOn:
        if (PosPop(&sp) == s) {
          ++m;
          break;
        }
        [[fallthrough]];
      case kM2JB:
      case kM2JB + kUOn: {
        int32_t tm = m + 1;
        if (states_[static_cast<size_t>(tm)].type == kMAccept) return true;
        Push(tm, s, sp, nullptr, u_flag);
        m += st.arg;
        break;
      }
      case kMAccept:
      case kMAccept + kUOn:
        return true;
      default:
        fill = true;
        break;
    }
  }
}

bool Regex::Find(std::string_view text, size_t from, bool no_bol, size_t* start,
                 size_t* len) const {
  if (from > text.size()) return false;
  steps_ = 0;
  long at = Match(text.data() + from, text.size() - from, no_bol, len);
  if (at < 0) return false;
  *start = from + static_cast<size_t>(at);
  return true;
}

bool Regex::Test(std::string_view text) const {
  steps_ = 0;
  return Run(text.data(), text.size());
}

std::shared_ptr<const Regex> CompileRegex(std::string_view source, std::string* error) {
  auto regex = std::make_shared<Regex>();
  if (source.empty()) {
    regex->empty_ = true;
    regex->states_ = {{kMAccept, 0}};
    return regex;
  }
  ReCompiler compiler(source);
  int root;
  try {
    root = compiler.Compile();
  } catch (const ReError& e) {
    // mawk's RE_panic (exit status 100) for the constructs its parser
    // cannot handle, e.g. `$(a)`.
    static const char* const kPanics[] = {"values still on machine stack", "parser returns E7",
                                          "bad switch in RE_lex"};
    if (e.code <= -100) {
      *error = std::string(kRegexPanic) + kPanics[-100 - e.code];
    } else {
      *error = e.code > 6 ? "" : kReErrors[e.code];
    }
    return nullptr;
  }
  MachineBuilder builder(compiler.nodes, &regex->strs_, &regex->classes_);
  regex->states_ = builder.Build(root);
  if (regex->states_.size() == 2 && regex->states_[0].type == kMStr) {
    regex->literal_ = true;
    regex->literal_text_ = regex->strs_[0];
  }
  return regex;
}

std::string RemoveEscapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) {
      out += '\\';
      ++i;
      continue;
    }
    char e = text[i + 1];
    switch (e) {
      case 'n':
        out += '\n';
        i += 2;
        break;
      case 't':
        out += '\t';
        i += 2;
        break;
      case 'f':
        out += '\f';
        i += 2;
        break;
      case 'b':
        out += '\b';
        i += 2;
        break;
      case 'r':
        out += '\r';
        i += 2;
        break;
      case 'a':
        out += '\07';
        i += 2;
        break;
      case 'v':
        out += '\013';
        i += 2;
        break;
      case '\\':
        out += '\\';
        i += 2;
        break;
      case '"':
        out += '"';
        i += 2;
        break;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        unsigned x = static_cast<unsigned>(e - '0');
        size_t j = i + 2;
        if (j < text.size() && text[j] >= '0' && text[j] <= '7') {
          x = (x << 3) + static_cast<unsigned>(text[j++] - '0');
          if (j < text.size() && text[j] >= '0' && text[j] <= '7') {
            x = (x << 3) + static_cast<unsigned>(text[j++] - '0');
          }
        }
        out += static_cast<char>(x & 0xff);
        i = j;
        break;
      }
      case 'x':
        if (i + 2 < text.size() && hex(static_cast<unsigned char>(text[i + 2])) >= 0) {
          int x = hex(static_cast<unsigned char>(text[i + 2]));
          size_t j = i + 3;
          if (j < text.size() && hex(static_cast<unsigned char>(text[j])) >= 0) {
            x = (x << 4) + hex(static_cast<unsigned char>(text[j]));
            ++j;
          }
          out += static_cast<char>(x);
          i = j;
          break;
        }
        out += '\\';
        out += e;
        i += 2;
        break;
      default:
        out += '\\';
        out += e;
        i += 2;
        break;
    }
  }
  return out;
}

// ===========================================================================
// The program compiler.

namespace {

enum Tok : uint8_t {
  kEOF,
  kNL,
  kSemi,
  kLBrace,
  kRBrace,
  kLBox,
  kRBox,
  kComma,
  kIoOut,
  kAssign,
  kAddAsg,
  kSubAsg,
  kMulAsg,
  kDivAsg,
  kModAsg,
  kPowAsg,
  kQMark,
  kColon,
  kOr,
  kAnd,
  kIn,
  kMatch,
  kEq,
  kNeq,
  kLt,
  kLte,
  kGt,
  kGte,
  kPlus,
  kMinus,
  kMul,
  kDiv,
  kMod,
  kNot,
  kIoIn,
  kPipe,
  kPow,
  kIncDec,
  kDollar,
  kField,
  kLParen,
  kRParen,
  kDouble,
  kString,
  kRe,
  kId,
  kDId,
  kFunctId,
  kBuiltinTok,
  kLength,
  kPrint,
  kPrintf,
  kSplit,
  kMatchFunc,
  kSub,
  kGsub,
  kDo,
  kWhile,
  kFor,
  kBreak,
  kContinue,
  kIf,
  kElse,
  kDelete,
  kBegin,
  kEnd,
  kExit,
  kNext,
  kNextFile,
  kReturn,
  kFunction,
  kGetline,
  kUnexpected,
  kBadDecimal,
  kFakeSemi,  // only as the lexer's current token: a supplied `;`
};

// The symbol table entry (mawk's SYMTAB).
struct Sym {
  enum Type : uint8_t {
    kNone,
    kVar,
    kArray,
    kFunct,
    kKeyword,
    kBuiltin,
    kLength,
    kField,
    kNR,
    kEnv,
    kLocalNone,
    kLocalVar,
    kLocalArray,
  };
  Type type = kNone;
  int32_t index = 0;
  std::string name;
};

const char* TypeName(Sym::Type type) {
  switch (type) {
    case Sym::kNone:
      return "untyped variable";
    case Sym::kVar:
      return "variable";
    case Sym::kKeyword:
      return "keyword";
    case Sym::kBuiltin:
      return "builtin";
    case Sym::kArray:
      return "array";
    case Sym::kField:
      return "field";
    case Sym::kNR:
      return "NR";
    case Sym::kEnv:
      return "ENVIRON";
    case Sym::kFunct:
      return "function";
    case Sym::kLength:
      return "length";
    case Sym::kLocalVar:
      return "local variable";
    case Sym::kLocalNone:
      return "local untyped variable";
    case Sym::kLocalArray:
      return "local array";
  }
  return "";
}

struct BuiltinInfo {
  const char* name;
  Builtin id;
  int min_args;
  int max_args;
};

// mawk's bi_funct table (length is special: it may stand alone).
constexpr BuiltinInfo kBuiltins[] = {
    {"length", Builtin::kLength, 0, 1},     {"index", Builtin::kIndex, 2, 2},
    {"substr", Builtin::kSubstr, 2, 3},     {"sprintf", Builtin::kSprintf, 1, 255},
    {"sin", Builtin::kSin, 1, 1},           {"cos", Builtin::kCos, 1, 1},
    {"atan2", Builtin::kAtan2, 2, 2},       {"exp", Builtin::kExp, 1, 1},
    {"log", Builtin::kLog, 1, 1},           {"int", Builtin::kInt, 1, 1},
    {"sqrt", Builtin::kSqrt, 1, 1},         {"rand", Builtin::kRand, 0, 0},
    {"srand", Builtin::kSrand, 0, 1},       {"close", Builtin::kClose, 1, 1},
    {"system", Builtin::kSystem, 1, 1},     {"toupper", Builtin::kToupper, 1, 1},
    {"tolower", Builtin::kTolower, 1, 1},   {"fflush", Builtin::kFflush, 0, 1},
    {"systime", Builtin::kSystime, 0, 0},   {"mktime", Builtin::kMktime, 1, 1},
    {"strftime", Builtin::kStrftime, 0, 3},
};

struct KeywordInfo {
  const char* name;
  Tok tok;
};

constexpr KeywordInfo kKeywords[] = {
    {"print", kPrint},
    {"printf", kPrintf},
    {"do", kDo},
    {"while", kWhile},
    {"for", kFor},
    {"break", kBreak},
    {"continue", kContinue},
    {"if", kIf},
    {"else", kElse},
    {"in", kIn},
    {"delete", kDelete},
    {"split", kSplit},
    {"match", kMatchFunc},
    {"BEGIN", kBegin},
    {"END", kEnd},
    {"exit", kExit},
    {"next", kNext},
    {"nextfile", kNextFile},
    {"return", kReturn},
    {"getline", kGetline},
    {"sub", kSub},
    {"gsub", kGsub},
    {"function", kFunction},
};

// How yyerror names a token (mawk's token_str): a null text is the
// token's own spelling (mawk's string_buff: names, numbers, strings, the
// redirection, ++/--; `~` shows as nothing). Keywords are named by
// kKeywords; other tokens give a bare "syntax error".
struct TokenText {
  Tok tok;
  const char* text;
};
constexpr TokenText kTokenTexts[] = {
    {kEOF, "end of file"}, {kNL, "end of line"}, {kSemi, ";"},
    {kLBrace, "{"},        {kRBrace, "}"},       {kFakeSemi, "}"},
    {kLParen, "("},        {kRParen, ")"},       {kLBox, "["},
    {kRBox, "]"},          {kQMark, "?"},        {kColon, ":"},
    {kOr, "||"},           {kAnd, "&&"},         {kAssign, "="},
    {kAddAsg, "+="},       {kSubAsg, "-="},      {kMulAsg, "*="},
    {kDivAsg, "/="},       {kModAsg, "%="},      {kPowAsg, "^="},
    {kEq, "=="},           {kNeq, "!="},         {kLt, "<"},
    {kLte, "<="},          {kGt, ">"},           {kGte, ">="},
    {kMatch, nullptr},     {kPlus, "+"},         {kMinus, "-"},
    {kMul, "*"},           {kDiv, "/"},          {kMod, "%"},
    {kPow, "^"},           {kNot, "!"},          {kComma, ","},
    {kIncDec, nullptr},    {kDouble, nullptr},   {kString, nullptr},
    {kId, nullptr},        {kFunctId, nullptr},  {kBuiltinTok, nullptr},
    {kIoOut, nullptr},     {kIoIn, "<"},         {kPipe, "|"},
    {kDollar, "$"},        {kField, "$"},
};

struct BuiltinVar {
  const char* name;
  Sym::Type type;
  int32_t index;
};

// mawk's builtin variables: plain cells (NR and FNR counted), the
// pseudo-fields, and the two arrays.
constexpr BuiltinVar kBuiltinVars[] = {
    {"NR", Sym::kNR, kSlotNR},
    {"FNR", Sym::kNR, kSlotFNR},
    {"ARGC", Sym::kVar, kSlotARGC},
    {"FILENAME", Sym::kVar, kSlotFILENAME},
    {"OFS", Sym::kVar, kSlotOFS},
    {"ORS", Sym::kVar, kSlotORS},
    {"RLENGTH", Sym::kVar, kSlotRLENGTH},
    {"RSTART", Sym::kVar, kSlotRSTART},
    {"SUBSEP", Sym::kVar, kSlotSUBSEP},
    {"NF", Sym::kField, kSpecialNF},
    {"RS", Sym::kField, kSpecialRS},
    {"FS", Sym::kField, kSpecialFS},
    {"OFMT", Sym::kField, kSpecialOFMT},
    {"CONVFMT", Sym::kField, kSpecialCONVFMT},
    {"ENVIRON", Sym::kEnv, kArrayENVIRON},
    {"ARGV", Sym::kArray, kArrayARGV},
};

struct Token {
  Tok kind = kEOF;
  int ival = 0;      // IO_OUT kind, MATCH (1 ~, 0 !~), INC_or_DEC '+' '-', unexpected char
  double num = 0;    // DOUBLE
  std::string str;   // STRING_ value, RE source
  std::string text;  // what mawk's string_buff holds for the message
  std::shared_ptr<const Regex> re;
  Sym* sym = nullptr;
  int32_t field = 0;  // FIELD: field number, or -1 - Special for a pseudo-field
  bool fake = false;  // a `;` supplied before `}`
};

struct Fatal {};              // mawk_exit(2) during compilation
struct SyntaxErrorThrown {};  // unwinds to the nearest error recovery

// Parser state shared with the lexer (mawk's globals).
enum Scope { kScopeMain, kScopeBegin, kScopeEnd, kScopeFunct };

// The form of a parsed expression, for what may follow it.
enum class Form : uint8_t {
  kPlain,
  kLvalue,     // ID or ID[...]: may be assigned
  kField,      // a field: may be assigned, ++/--
  kExprLevel,  // (a, b) in A: an expr, not a p_expr
};

struct Parsed {
  std::unique_ptr<Expr> e;
  Form form = Form::kPlain;
};

// A call argument whose kind (scalar or array) is not known yet.
struct PendingArg {
  Expr* node = nullptr;
  int arg_num = 0;
  enum Kind : uint8_t { kExprArg, kArrayArg, kGlobalNone, kLocalNone } kind = kExprArg;
  Sym* sym = nullptr;  // kGlobalNone
  int caller = -1;     // kLocalNone: the calling function
  int param = 0;       // kLocalNone: its parameter
  unsigned line = 0;
};

struct CallRecord {
  int callee = 0;
  std::vector<PendingArg> args;  // in mawk's order: last argument first
  bool arg_cnt_checked = false;
  unsigned line = 0;
};

bool IsSpace(int c) { return c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\v'; }
bool IsDigit(int c) { return c >= '0' && c <= '9'; }
bool IsIdChar(int c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

class Compiler {
 public:
  Compiler(const std::vector<SourceText>& sources, const std::string& prog, Program* program,
           CompileOutput* out)
      : prog_(prog), program_(program), out_(out) {
    for (const SourceText& s : sources) {
      Piece piece;
      piece.start = text_.size();
      piece.file_name = s.file_name;
      std::string body = s.text;
      size_t nul = body.find('\0');
      if (nul != std::string::npos) body.resize(nul);
      text_ += body;
      text_ += '\n';
      pieces_.push_back(std::move(piece));
    }
    from_file_ = !sources.empty() && !sources[0].file_name.empty();
    if (!pieces_.empty()) file_name_ = pieces_[0].file_name;
    InitSymbols();
  }

  void Predeclare(const std::string& name) {
    Sym* s = Find(name);
    if (s->type == Sym::kNone) {
      s->type = Sym::kVar;
      s->index = program_->num_globals++;
    }
  }

  void Run() {
    try {
      EatNl();
      if (At(pos_) == 0 && pos_ >= text_.size()) {
        out_->empty = true;
        return;
      }
      ParseProgram();
      if (error_count_ == 0) ResolveCalls();
    } catch (const Fatal&) {
    }
    if (error_count_ > 0 || aborted_) out_->status = 2;
    if (panic_) out_->status = 100;
    ExportTypes();
  }

 private:
  struct Piece {
    size_t start = 0;
    std::string file_name;
  };

  // ------------------------------------------------------------ symbols
  void InitSymbols() {
    for (const KeywordInfo& k : kKeywords) {
      Sym* s = Find(k.name);
      s->type = Sym::kKeyword;
      s->index = k.tok;
    }
    for (size_t i = 0; i < std::size(kBuiltins); ++i) {
      Sym* s = Find(kBuiltins[i].name);
      s->type = i == 0 ? Sym::kLength : Sym::kBuiltin;
      s->index = static_cast<int32_t>(i);
    }
    for (const BuiltinVar& v : kBuiltinVars) {
      Sym* s = Find(v.name);
      s->type = v.type;
      s->index = v.index;
    }
  }

  Sym* Find(const std::string& name) {
    auto it = symbols_.find(name);
    if (it != symbols_.end()) return it->second.get();
    auto sym = std::make_unique<Sym>();
    sym->name = name;
    Sym* raw = sym.get();
    symbols_.emplace(name, std::move(sym));
    return raw;
  }

  // --------------------------------------------------------------- errors
  std::string Where() const {
    std::string w = prog_ + ": ";
    if (from_file_) w += file_name_ + ": ";
    return w + "line " + std::to_string(token_lineno_) + ": ";
  }

  void CompileError(const std::string& message) {
    out_->errors += Where() + message + "\n";
    if (++error_count_ == 5) throw Fatal{};
  }

  void UnexpectedChar(int c) {
    char buf[64];
    if (c > ' ' && c < 127) {
      std::snprintf(buf, sizeof buf, "unexpected character '%c'\n", c);
    } else {
      std::snprintf(buf, sizeof buf, "unexpected character 0x%02x\n", c & 0xff);
    }
    out_->errors += prog_ + ": " + std::to_string(token_lineno_) + ": " + buf;
  }

  // yyerror: the message for the current token.
  void YyError() {
    const Token& t = current_;
    Tok kind = t.fake ? kFakeSemi : t.kind;
    std::string ss;
    bool have = false;
    for (const TokenText& tt : kTokenTexts) {
      if (tt.tok != kind) continue;
      ss = tt.text != nullptr ? tt.text : t.text;
      have = true;
    }
    for (const KeywordInfo& k : kKeywords) {
      if (!have && k.tok == kind) {
        ss = k.name;
        have = true;
      }
    }
    if (have) {
      if (paren_cnt_ > 0 &&
          (kind == kEOF || kind == kNL || kind == kSemi || kind == kFakeSemi || kind == kRBrace)) {
        Missing(')', ss);
        paren_cnt_ = 0;
        return;
      }
      if (brace_cnt_ > 0 && (kind == kEOF || kind == kBegin || kind == kEnd)) {
        Missing('}', ss);
        brace_cnt_ = 0;
        return;
      }
      CompileError("syntax error at or near " + ss);
      return;
    }
    switch (kind) {
      case kUnexpected:
        UnexpectedChar(t.ival);
        if (++error_count_ == 5) throw Fatal{};
        return;
      case kBadDecimal:
        CompileError("syntax error in decimal constant " + t.text);
        return;
      case kRe:
        CompileError("syntax error at or near /" + t.text + "/");
        return;
      default:
        CompileError("syntax error");
        return;
    }
  }

  void Missing(char c, const std::string& near) {
    std::string w = prog_ + ": ";
    if (from_file_) w += file_name_ + ": ";
    out_->errors +=
        w + "line " + std::to_string(token_lineno_) + ": missing " + c + " near " + near + "\n";
    if (++error_count_ == 5) throw Fatal{};
  }

  // A regex that does not compile: mawk's message, its panic, or (an
  // empty reason) refused.
  void RegexError(const std::string& error, const std::string& text) {
    if (error.empty()) {
      program_->unsupported = "awk regular expression " + text;
      throw Fatal{};
    }
    if (error.rfind(kRegexPanic, 0) == 0) {
      out_->errors += error + "\n";
      panic_ = true;
      throw Fatal{};
    }
    CompileError("regular expression compile failed (" + error + ")\n" + text);
  }

  [[noreturn]] void SyntaxError() {
    error_discard_ = errstatus_ == 3;
    if (errstatus_ == 0) YyError();
    errstatus_ = 3;
    throw SyntaxErrorThrown{};
  }

  // ---------------------------------------------------------------- lexer
  int At(size_t i) const { return i < text_.size() ? static_cast<unsigned char>(text_[i]) : 0; }

  int NextChar() {
    int c = At(pos_);
    ++pos_;
    // Crossing into the next -f file: its lines count from 1.
    if (piece_ + 1 < pieces_.size() && pos_ > pieces_[piece_ + 1].start) {
      ++piece_;
      file_name_ = pieces_[piece_].file_name;
      lineno_ = 1;
      token_lineno_ = 1;
    }
    return c;
  }
  void UnNext() { --pos_; }

  void EatComment() {
    int c;
    while ((c = NextChar()) != 0 && c != '\n') {
    }
    UnNext();
  }

  void EatSemiColon() {
    int c;
    while (IsSpace(c = NextChar())) {
    }
    if (c != ';') UnNext();
  }

 public:
  void EatNl() {
    for (;;) {
      int c = NextChar();
      if (c == '#') {
        EatComment();
      } else if (c == '\n') {
        ++lineno_;
      } else if (IsSpace(c)) {
      } else if (c == '\\') {
        int d;
        while (IsSpace(d = NextChar())) {
        }
        if (d == '\n') {
          token_lineno_ = ++lineno_;
        } else if (d == 0) {
          UnNext();
          return;
        } else {
          UnNext();
          UnexpectedChar('\\');
          if (++error_count_ == 5) throw Fatal{};
          return;
        }
      } else {
        UnNext();
        return;
      }
    }
  }

 private:
  Token Ret(Token t) {
    current_ = t;
    return t;
  }
  Token Simple(Tok kind) {
    Token t;
    t.kind = kind;
    return Ret(t);
  }

  // collect_decimal: c is the first character (digit or '.').
  // Returns false with *flag_tok set on an error token.
  double CollectDecimal(int c, Tok* flag_tok, int* flag_ival, std::string* text) {
    *flag_tok = kEOF;
    std::string buf(1, static_cast<char>(c));
    if (c == '.') {
      int d = NextChar();
      buf += static_cast<char>(d);
      if (!IsDigit(d)) {
        *flag_tok = kUnexpected;
        *flag_ival = '.';
        return 0;
      }
    } else {
      for (;;) {
        int d = NextChar();
        buf += static_cast<char>(d);
        if (!IsDigit(d)) break;
      }
      if (buf.back() != '.') {
        UnNext();
        buf.pop_back();
      }
    }
    for (;;) {
      int d = NextChar();
      buf += static_cast<char>(d);
      if (!IsDigit(d)) break;
    }
    if (buf.back() != 'e' && buf.back() != 'E') {
      UnNext();
      buf.pop_back();
    } else {
      int d = NextChar();
      if (!IsDigit(d) && d != '-' && d != '+') {
        UnNext();
        UnNext();
        buf.pop_back();
      } else {
        buf += static_cast<char>(d);
        for (;;) {
          int e = NextChar();
          buf += static_cast<char>(e);
          if (!IsDigit(e)) break;
        }
        UnNext();
        buf.pop_back();
      }
    }
    errno = 0;
    char* endp = nullptr;
    double value = std::strtod(buf.c_str(), &endp);
    *text = buf;
    if (errno != 0) {
      CompileError(buf + " : decimal " + (value == 0.0 ? "under" : "over") + "flow");
    }
    size_t used = static_cast<size_t>(endp - buf.c_str());
    for (size_t k = used; k < buf.size(); ++k) UnNext();
    return value;
  }

  Token CollectString() {
    std::string raw;
    bool escaped = false;
    for (;;) {
      if (raw.size() >= 8192) {
        CompileError("string too long \"" + raw.substr(0, 10) + " ...");
        throw Fatal{};
      }
      int c = NextChar();
      if (c == '"') break;
      if (c == '\n' || c == 0) {
        CompileError("runaway string constant \"" + raw.substr(0, 10) + " ...");
        throw Fatal{};
      }
      if (c == '\\') {
        int d = NextChar();
        if (d == '\n') {
          ++lineno_;
        } else if (d == 0) {
          raw += '\\';
          UnNext();
        } else {
          raw += '\\';
          raw += static_cast<char>(d);
          escaped = true;
        }
        continue;
      }
      raw += static_cast<char>(c);
    }
    Token t;
    t.kind = kString;
    t.str = escaped ? RemoveEscapes(raw) : raw;
    // The message shows the processed text up to a NUL (a C string).
    t.text = t.str.substr(0, t.str.find('\0'));
    return Ret(t);
  }

  Token CollectRe() {
    std::string buf;
    long first = -1;  // index just after the '[' that opened a bracket expression
    int boxed = 0;
    for (;;) {
      if (buf.size() >= 8190) {
        CompileError("regular expression /" + buf.substr(0, 10) +
                     " ... exceeds implementation size limit (8190)");
        throw Fatal{};
      }
      int c = NextChar();
      buf += static_cast<char>(c);
      long p = static_cast<long>(buf.size());  // mawk's p (one past c)
      if (c == '^') {
        if (p - 1 == first && first > 0 && buf[static_cast<size_t>(first) - 1] == '[') first = p;
      } else if (c == '[') {
        if (!boxed) {
          first = p;
          ++boxed;
        } else {
          if (NextChar() == ':') ++boxed;
          UnNext();
        }
      } else if (c == ']') {
        if (boxed && p - 1 != first) --boxed;
      } else if (c == '/') {
        if (!boxed) {
          buf.pop_back();
          break;
        }
      } else if (c == '\n' || c == 0) {
        buf.pop_back();
        CompileError("runaway regular expression /" + buf.substr(0, 10) + " ...");
        throw Fatal{};
      } else if (c == '\\') {
        int d = NextChar();
        if (d == '/') {
          buf.back() = '/';
        } else if (d == '\n') {
          buf.pop_back();
        } else if (d == 0) {
          UnNext();
        } else {
          buf += static_cast<char>(d);
        }
      }
    }
    Token t;
    t.kind = kRe;
    t.str = buf;
    t.text = buf;
    std::string error;
    t.re = CompileRegex(buf, &error);
    if (!t.re) RegexError(error, buf);
    return Ret(t);
  }

  // yylex.
  Token Lex() {
    token_lineno_ = lineno_;
    for (;;) {
      int c = NextChar();
      if (c == 0) return Simple(kEOF);
      if (IsSpace(c)) continue;
      switch (c) {
        case '#':
          EatComment();
          continue;
        case '\n':
          ++lineno_;
          EatNl();
          return Simple(kNL);
        case '\\': {
          int d;
          while (IsSpace(d = NextChar())) {
          }
          if (d == '\n') {
            token_lineno_ = ++lineno_;
            continue;
          }
          if (d == 0) return Simple(kEOF);
          UnNext();
          Token t;
          t.kind = kUnexpected;
          t.ival = '\\';
          return Ret(t);
        }
        case ';':
          EatNl();
          return Simple(kSemi);
        case '{':
          EatNl();
          ++brace_cnt_;
          return Simple(kLBrace);
        case '+':
        case '-': {
          int d = NextChar();
          if (d == c) {
            Token t;
            t.kind = kIncDec;
            t.ival = c;
            t.text = std::string(2, static_cast<char>(c));
            return Ret(t);
          }
          if (d == '=') return Simple(c == '+' ? kAddAsg : kSubAsg);
          UnNext();
          return Simple(c == '+' ? kPlus : kMinus);
        }
        case ',':
          EatNl();
          return Simple(kComma);
        case '*':
          return Simple(Test1('=', kMulAsg, kMul));
        case '/': {
          static constexpr Tok kCanPrecedeDiv[] = {kDouble, kString, kRParen, kId,      kDId,
                                                   kRe,     kRBox,   kField,  kGetline, kIncDec};
          Tok cur = current_.fake ? kFakeSemi : current_.kind;
          for (Tok p : kCanPrecedeDiv) {
            if (p != cur) continue;
            if (p != kIncDec) return Simple(Test1('=', kDivAsg, kDiv));
            // mawk's quirk after ++/--: `/=` starts a regex, and any other
            // character after the '/' is skipped.
            if (NextChar() == '=') {
              UnNext();
              return CollectRe();
            }
          }
          return CollectRe();
        }
        case '%':
          return Simple(Test1('=', kModAsg, kMod));
        case '^':
          return Simple(Test1('=', kPowAsg, kPow));
        case '(':
          ++paren_cnt_;
          return Simple(kLParen);
        case ')':
          if (--paren_cnt_ < 0) {
            CompileError("extra ')'");
            paren_cnt_ = 0;
            continue;
          }
          return Simple(kRParen);
        case '[':
          return Simple(kLBox);
        case ']':
          return Simple(kRBox);
        case '~': {
          Token t;
          t.kind = kMatch;
          t.ival = 1;
          t.text = "";  // mawk's string_buff holds "\0~"
          return Ret(t);
        }
        case '=':
          return Simple(Test1('=', kEq, kAssign));
        case '!': {
          int d = NextChar();
          if (d == '~') {
            Token t;
            t.kind = kMatch;
            t.ival = 0;
            t.text = "!~";
            return Ret(t);
          }
          if (d == '=') return Simple(kNeq);
          UnNext();
          return Simple(kNot);
        }
        case '<':
          if (NextChar() == '=') return Simple(kLte);
          UnNext();
          if (getline_flag_) {
            getline_flag_ = false;
            return Simple(kIoIn);
          }
          return Simple(kLt);
        case '>':
          if (print_flag_ && paren_cnt_ == 0) {
            print_flag_ = false;
            Token t;
            t.kind = kIoOut;
            if (NextChar() == '>') {
              t.ival = kRedirectAppend;
              t.text = ">>";
            } else {
              UnNext();
              t.ival = kRedirectTrunc;
              t.text = ">";
            }
            return Ret(t);
          }
          return Simple(Test1('=', kGte, kGt));
        case '|':
          if (NextChar() == '|') {
            EatNl();
            return Simple(kOr);
          }
          UnNext();
          if (print_flag_ && paren_cnt_ == 0) {
            print_flag_ = false;
            Token t;
            t.kind = kIoOut;
            t.ival = kRedirectPipe;
            t.text = "|";
            return Ret(t);
          }
          return Simple(kPipe);
        case '&': {
          if (NextChar() == '&') {
            EatNl();
            return Simple(kAnd);
          }
          UnNext();
          Token t;
          t.kind = kUnexpected;
          t.ival = '&';
          return Ret(t);
        }
        case '?':
          return Simple(kQMark);
        case ':':
          return Simple(kColon);
        case '}': {
          if (--brace_cnt_ < 0) {
            CompileError("extra '}'");
            EatSemiColon();
            brace_cnt_ = 0;
            continue;
          }
          Tok cur = current_.kind;
          if (cur == kNL || cur == kSemi || cur == kRBrace) {
            if (brace_cnt_ == 0) EatSemiColon();
            EatNl();
            return Simple(kRBrace);
          }
          // A `;` is supplied before the `}`.
          ++brace_cnt_;
          UnNext();
          Token t;
          t.kind = kSemi;
          t.fake = true;
          return Ret(t);
        }
        case '"':
          return CollectString();
        case '$': {
          int d;
          while (IsSpace(d = NextChar())) {
          }
          if (!IsDigit(d) && d != '.') {
            UnNext();
            return Simple(kDollar);
          }
          Tok flag;
          int flag_ival = 0;
          std::string text;
          double value = CollectDecimal(d, &flag, &flag_ival, &text);
          Token t;
          if (flag != kEOF) {
            t.kind = flag;
            t.ival = flag_ival;
            return Ret(t);
          }
          t.kind = kField;
          if (value <= 0.0) {
            t.field = 0;
          } else {
            int32_t ival = value >= 2147483647.0 ? 2147483647 : static_cast<int32_t>(value);
            if (static_cast<double>(ival) != value) {
              char buf[64];
              std::snprintf(buf, sizeof buf, "$%g is invalid field index", value);
              CompileError(buf);
            }
            t.field = ival;
          }
          return Ret(t);
        }
        default:
          break;
      }
      if (IsDigit(c) || c == '.') {
        Tok flag;
        int flag_ival = 0;
        std::string text;
        double value = CollectDecimal(c, &flag, &flag_ival, &text);
        Token t;
        if (flag != kEOF) {
          t.kind = flag;
          t.ival = flag_ival;
          return Ret(t);
        }
        t.kind = kDouble;
        t.num = value;
        t.text = text;
        return Ret(t);
      }
      if (IsIdChar(c)) return LexIdentifier(c);
      Token t;
      t.kind = kUnexpected;
      t.ival = c;
      return Ret(t);
    }
  }

  Tok Test1(int next, Tok yes, Tok no) {
    if (NextChar() == next) return yes;
    UnNext();
    return no;
  }

  Token LexIdentifier(int c) {
    std::string name(1, static_cast<char>(c));
    for (;;) {
      int d = NextChar();
      if (!IsIdChar(d) && !IsDigit(d)) break;
      name += static_cast<char>(d);
    }
    UnNext();
    Sym* sym = Find(name);
    Token t;
    t.text = name;
    t.sym = sym;
    bool after_dollar = current_.kind == kDollar && !current_.fake;
    switch (sym->type) {
      case Sym::kNone:
        if (NextChar() == '(') {
          sym->type = Sym::kFunct;
          sym->index = static_cast<int32_t>(program_->functions.size());
          program_->functions.emplace_back();
          program_->functions.back().name = name;
          t.kind = kFunctId;
        } else {
          t.kind = after_dollar ? kDId : kId;
        }
        UnNext();
        break;
      case Sym::kNR:
        sym->type = Sym::kVar;
        t.kind = after_dollar ? kDId : kId;
        break;
      case Sym::kVar:
      case Sym::kArray:
      case Sym::kLocalNone:
      case Sym::kLocalVar:
      case Sym::kLocalArray:
        t.kind = after_dollar ? kDId : kId;
        break;
      case Sym::kEnv:
        sym->type = Sym::kArray;
        t.kind = after_dollar ? kDId : kId;
        break;
      case Sym::kFunct:
        t.kind = kFunctId;
        break;
      case Sym::kKeyword:
        t.kind = static_cast<Tok>(sym->index);
        break;
      case Sym::kBuiltin:
        t.kind = kBuiltinTok;
        break;
      case Sym::kLength: {
        int d;
        while (IsSpace(d = NextChar())) {
        }
        UnNext();
        t.kind = d == '(' ? kBuiltinTok : kLength;
        break;
      }
      case Sym::kField:
        t.kind = kField;
        t.field = -1 - sym->index;
        break;
    }
    return Ret(t);
  }

  // ------------------------------------------------------- token stream
  const Token& Peek() {
    if (pushed_.empty()) pushed_.push_back(Lex());
    return pushed_.back();
  }
  Tok PeekKind() { return Peek().kind; }
  Token Next() {
    Peek();
    Token t = std::move(pushed_.back());
    pushed_.pop_back();
    if (errstatus_ > 0) --errstatus_;  // a shifted token
    return t;
  }
  void Discard() {
    Peek();
    pushed_.pop_back();
  }
  void PushBack(Token t) { pushed_.push_back(std::move(t)); }
  Token Expect(Tok kind) {
    if (PeekKind() != kind) SyntaxError();
    return Next();
  }
  bool AtSeparator() {
    Tok k = PeekKind();
    return k == kNL || k == kSemi;
  }
  void Separator() {
    if (!AtSeparator()) SyntaxError();
    Next();
  }

  // ------------------------------------------------------ type checks
  void TypeError(Sym* s) {
    CompileError(std::string("illegal reference to ") + TypeName(s->type) + " " + s->name);
  }

  // check_var: `s` is used as a scalar.
  std::unique_ptr<Expr> VarExpr(Sym* s) {
    switch (s->type) {
      case Sym::kNone:
        s->type = Sym::kVar;
        s->index = program_->num_globals++;
        break;
      case Sym::kLocalNone:
        s->type = Sym::kLocalVar;
        SetParamType(s->index, Sym::kLocalVar);
        break;
      case Sym::kVar:
      case Sym::kLocalVar:
        break;
      default:
        TypeError(s);
        break;
    }
    auto e = std::make_unique<Expr>();
    if (s->type == Sym::kLocalVar) {
      e->kind = ExprKind::kLocal;
      e->index = s->index;
    } else {
      e->kind = ExprKind::kGlobal;
      e->index = s->type == Sym::kVar ? s->index : 0;
    }
    return e;
  }

  // check_array: `s` is used as an array.
  ArrayRef ArrayOf(Sym* s) {
    switch (s->type) {
      case Sym::kNone:
        s->type = Sym::kArray;
        s->index = program_->num_arrays++;
        break;
      case Sym::kLocalNone:
        s->type = Sym::kLocalArray;
        SetParamType(s->index, Sym::kLocalArray);
        break;
      case Sym::kArray:
      case Sym::kLocalArray:
        break;
      default:
        TypeError(s);
        break;
    }
    ArrayRef a;
    a.local = s->type == Sym::kLocalArray;
    a.index = (s->type == Sym::kArray || s->type == Sym::kLocalArray) ? s->index : 0;
    return a;
  }

  void SetParamType(int param, Sym::Type type) {
    if (active_funct_ >= 0) param_types_[active_funct_][param] = type;
  }

  // ------------------------------------------------------------ grammar
  static std::unique_ptr<Expr> Node(ExprKind kind) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    return e;
  }
  static void Adopt(Expr* parent, std::unique_ptr<Expr> kid) {
    if (!kid->pure) parent->pure = false;
    parent->kids.push_back(std::move(kid));
  }

  void ParseProgram() {
    while (PeekKind() != kEOF) {
      try {
        ParseProgramBlock();
      } catch (const SyntaxErrorThrown&) {
        RecoverOutside();
      }
      if (aborted_) return;
    }
  }

  // program_block: outside_error block.
  void RecoverOutside() {
    RestoreIds();
    scope_ = kScopeMain;
    active_funct_ = -1;
    if (error_discard_) {
      if (PeekKind() == kEOF) {
        aborted_ = true;
        return;
      }
      Discard();
    }
    for (;;) {
      Tok k = PeekKind();
      if (k == kEOF) {
        aborted_ = true;
        return;
      }
      if (k == kLBrace) break;
      Discard();
    }
    try {
      Block();  // parsed and dropped
    } catch (const SyntaxErrorThrown&) {
      RecoverOutside();
    }
  }

  void ParseProgramBlock() {
    Tok k = PeekKind();
    if (k == kLBrace) {
      Rule rule;
      rule.action = Block();
      program_->rules.push_back(std::move(rule));
      return;
    }
    if (k == kBegin || k == kEnd) {
      Next();
      scope_ = k == kBegin ? kScopeBegin : kScopeEnd;
      std::unique_ptr<Stmt> block = Block();
      scope_ = kScopeMain;
      if (k == kBegin) {
        program_->begin.push_back(std::move(block));
      } else {
        program_->end.push_back(std::move(block));
        program_->has_end = true;
      }
      return;
    }
    if (k == kFunction) {
      FunctionDef();
      return;
    }
    Rule rule;
    rule.pattern = ParseExpr(0);
    if (PeekKind() == kComma) {
      Next();
      rule.range = true;
      rule.pattern2 = ParseExpr(0);
    }
    if (PeekKind() == kLBrace) {
      rule.action = Block();
    } else {
      Separator();
    }
    program_->rules.push_back(std::move(rule));
  }

  void FunctionDef() {
    Next();  // function
    if (PeekKind() != kId && PeekKind() != kFunctId) SyntaxError();
    Token name = Next();
    int index = -1;
    if (name.kind == kId) {
      Sym* s = name.sym;
      if (s->type == Sym::kNone) {
        s->type = Sym::kFunct;
        s->index = static_cast<int32_t>(program_->functions.size());
        program_->functions.emplace_back();
        program_->functions.back().name = s->name;
        index = s->index;
      } else {
        TypeError(s);
      }
    } else if (name.kind == kFunctId) {
      index = name.sym->index;
      if (program_->functions[static_cast<size_t>(index)].defined) {
        CompileError("redefinition of " + name.sym->name);
        index = -1;
      }
    }
    Expect(kLParen);
    std::vector<Sym*> params;
    if (PeekKind() != kRParen) {
      Token p = Expect(kId);
      params.push_back(SaveId(p.sym, 0));
      while (PeekKind() == kComma) {
        Next();
        Token q = Expect(kId);
        if (q.sym->type == Sym::kLocalNone || q.sym->type == Sym::kLocalVar ||
            q.sym->type == Sym::kLocalArray) {
          CompileError(q.sym->name + " is duplicated in argument list");
        } else {
          params.push_back(SaveId(q.sym, static_cast<int>(params.size())));
        }
      }
    }
    Expect(kRParen);
    EatNl();
    int slot = index >= 0 ? index : -2 - static_cast<int>(dummy_functions_++);
    param_types_[slot] = std::vector<Sym::Type>(params.size(), Sym::kLocalNone);
    scope_ = kScopeFunct;
    active_funct_ = slot;
    if (index >= 0) ImproveArglist(index, params);
    std::unique_ptr<Stmt> body = Block();
    if (index >= 0) {
      Function& f = program_->functions[static_cast<size_t>(index)];
      f.nparams = static_cast<int32_t>(params.size());
      f.body = std::move(body);
      f.defined = true;
    }
    RestoreIds();
    scope_ = kScopeMain;
    active_funct_ = -1;
  }

  Sym* SaveId(Sym* s, int offset) {
    saved_.emplace_back(s, *s);
    s->type = Sym::kLocalNone;
    s->index = offset;
    return s;
  }
  void RestoreIds() {
    while (!saved_.empty()) {
      *saved_.back().first = saved_.back().second;
      saved_.pop_back();
    }
  }

  // improve_arglist: a call seen before the definition tells the type of
  // (only) the first parameter it can.
  void ImproveArglist(int index, const std::vector<Sym*>& params) {
    for (size_t p = 0; p < params.size(); ++p) {
      if (param_types_[index][p] != Sym::kLocalNone) continue;
      for (auto it = calls_.rbegin(); it != calls_.rend(); ++it) {
        if (it->callee != index) continue;
        for (const PendingArg& a : it->args) {
          if (a.arg_num != static_cast<int>(p)) continue;
          if (a.kind == PendingArg::kExprArg) {
            param_types_[index][p] = Sym::kLocalVar;
            params[p]->type = Sym::kLocalVar;
          } else if (a.kind == PendingArg::kArrayArg) {
            param_types_[index][p] = Sym::kLocalArray;
            params[p]->type = Sym::kLocalArray;
          }
        }
        if (param_types_[index][p] != Sym::kLocalNone) break;
      }
      if (param_types_[index][p] != Sym::kLocalNone) break;
    }
  }

  std::unique_ptr<Stmt> Block() {
    Expect(kLBrace);
    auto block = std::make_unique<Stmt>();
    block->kind = StmtKind::kBlock;
    bool first = true;
    for (;;) {
      if (PeekKind() == kRBrace && !first) {
        Next();
        return block;
      }
      try {
        std::unique_ptr<Stmt> s = Statement();
        if (s) block->body.push_back(std::move(s));
      } catch (const SyntaxErrorThrown&) {
        if (RecoverStatement(first)) return block;  // block: { error }
      }
      first = false;
    }
  }

  // After a syntax error inside a statement: discard tokens up to a
  // separator (statement: error separator) or, right after `{`, a `}`
  // (block: { error }). Returns true when the block ended.
  bool RecoverStatement(bool after_lbrace) {
    if (error_discard_) {
      if (PeekKind() == kEOF) {
        aborted_ = true;
        throw Fatal{};
      }
      Discard();
    }
    for (;;) {
      Tok k = PeekKind();
      if (k == kEOF) {
        aborted_ = true;
        throw Fatal{};
      }
      if (k == kNL || k == kSemi) {
        Next();
        errstatus_ = 0;
        print_flag_ = getline_flag_ = false;
        paren_cnt_ = 0;
        return false;
      }
      if (after_lbrace && k == kRBrace) {
        Next();
        errstatus_ = 0;
        print_flag_ = getline_flag_ = false;
        paren_cnt_ = 0;
        return true;
      }
      Discard();
    }
  }

  // A statement in a position of its own (if/else/loop body).
  std::unique_ptr<Stmt> Body() {
    try {
      return Statement();
    } catch (const SyntaxErrorThrown&) {
      RecoverStatement(false);
      return nullptr;
    }
  }

  static std::unique_ptr<Stmt> NewStmt(StmtKind kind) {
    auto s = std::make_unique<Stmt>();
    s->kind = kind;
    return s;
  }

  std::unique_ptr<Stmt> Statement() {
    Nesting nesting(this);
    Tok k = PeekKind();
    switch (k) {
      case kLBrace:
        return Block();
      case kNL:
      case kSemi:
        Next();
        return nullptr;
      case kBreak:
      case kContinue: {
        Next();
        Separator();
        // mawk checks loops only while no error has been reported.
        if (loop_depth_ == 0 && error_count_ == 0) {
          CompileError(std::string(k == kBreak ? "break" : "continue") +
                       " statement outside of loop");
        }
        return NewStmt(k == kBreak ? StmtKind::kBreak : StmtKind::kContinue);
      }
      case kNext:
      case kNextFile: {
        Next();
        Separator();
        if (scope_ != kScopeMain) {
          CompileError(std::string("improper use of ") + (k == kNext ? "next" : "nextfile"));
        }
        return NewStmt(k == kNext ? StmtKind::kNext : StmtKind::kNextFile);
      }
      case kReturn: {
        Next();
        auto s = NewStmt(StmtKind::kReturn);
        if (AtSeparator()) {
          Next();
        } else {
          s->exprs.push_back(ParseExpr(0));
          Separator();
        }
        if (scope_ != kScopeFunct) CompileError("return outside function body");
        return s;
      }
      case kExit: {
        Next();
        auto s = NewStmt(StmtKind::kExit);
        if (AtSeparator()) {
          Next();
        } else {
          s->exprs.push_back(ParseExpr(0));
          Separator();
        }
        return s;
      }
      case kPrint:
      case kPrintf:
        return PrintStatement();
      case kIf: {
        Next();
        Expect(kLParen);
        auto s = NewStmt(StmtKind::kIf);
        s->exprs.push_back(ParseExpr(0));
        Expect(kRParen);
        EatNl();
        s->body.push_back(Body());
        if (PeekKind() == kElse) {
          Next();
          EatNl();
          s->body.push_back(Body());
        }
        return s;
      }
      case kWhile: {
        Next();
        Expect(kLParen);
        auto s = NewStmt(StmtKind::kWhile);
        s->exprs.push_back(ParseExpr(0));
        Expect(kRParen);
        EatNl();
        ++loop_depth_;
        s->body.push_back(Body());
        --loop_depth_;
        return s;
      }
      case kDo: {
        Next();
        EatNl();
        auto s = NewStmt(StmtKind::kDo);
        ++loop_depth_;
        s->body.push_back(Body());
        --loop_depth_;
        // An error in the `while (...)` part unwinds to the state after
        // `do`: yacc recovers there (statement: error separator, taken as
        // the body) and expects `while` again.
        for (;;) {
          try {
            Expect(kWhile);
            Expect(kLParen);
            s->exprs.push_back(ParseExpr(0));
            Expect(kRParen);
            Separator();
            return s;
          } catch (const SyntaxErrorThrown&) {
            s->exprs.clear();
            RecoverStatement(false);
          }
        }
      }
      case kFor:
        return ForStatement();
      case kDelete: {
        Next();
        Token id = Expect(kId);
        if (PeekKind() == kLBox) {
          Next();
          auto s = NewStmt(StmtKind::kDelete);
          ParseArgs(&s->exprs);
          Expect(kRBox);
          Separator();
          s->array = ArrayOf(id.sym);
          return s;
        }
        Separator();
        auto s = NewStmt(StmtKind::kDeleteAll);
        s->array = ArrayOf(id.sym);
        return s;
      }
      default: {
        auto s = NewStmt(StmtKind::kExpr);
        s->exprs.push_back(ParseExpr(0));
        Separator();
        return s;
      }
    }
  }

  std::unique_ptr<Stmt> ForStatement() {
    Next();  // for
    Expect(kLParen);
    if (PeekKind() == kId) {
      Token id = Next();
      if (PeekKind() == kIn) {
        Next();
        Token arr = Expect(kId);
        Expect(kRParen);
        EatNl();
        auto s = NewStmt(StmtKind::kForIn);
        s->exprs.push_back(VarExpr(id.sym));
        s->array = ArrayOf(arr.sym);
        ++loop_depth_;
        s->body.push_back(Body());
        --loop_depth_;
        return s;
      }
      PushBack(std::move(id));
    }
    auto s = NewStmt(StmtKind::kFor);
    if (PeekKind() == kSemi) {
      Next();
      s->exprs.push_back(nullptr);
    } else {
      s->exprs.push_back(ParseExpr(0));
      Expect(kSemi);
    }
    if (PeekKind() == kSemi) {
      Next();
      s->exprs.push_back(nullptr);
    } else {
      s->exprs.push_back(ParseExpr(0));
      Expect(kSemi);
    }
    if (PeekKind() == kRParen) {
      Next();
      s->exprs.push_back(nullptr);
    } else {
      s->exprs.push_back(ParseExpr(0));
      Expect(kRParen);
    }
    EatNl();
    ++loop_depth_;
    s->body.push_back(Body());
    --loop_depth_;
    return s;
  }

  static bool StartsExpr(Tok k) {
    switch (k) {
      case kDouble:
      case kString:
      case kRe:
      case kId:
      case kFunctId:
      case kBuiltinTok:
      case kLength:
      case kLParen:
      case kNot:
      case kPlus:
      case kMinus:
      case kIncDec:
      case kField:
      case kDollar:
      case kSplit:
      case kMatchFunc:
      case kSub:
      case kGsub:
      case kGetline:
        return true;
      default:
        return false;
    }
  }

  std::unique_ptr<Stmt> PrintStatement() {
    Token pr = Next();
    print_flag_ = true;
    auto s = NewStmt(pr.kind == kPrint ? StmtKind::kPrint : StmtKind::kPrintf);
    if (PeekKind() == kLParen) {
      Next();
      if (PeekKind() == kRParen) {
        Next();
      } else {
        Parsed first = ParseExprP(0);
        if (PeekKind() == kComma) {
          std::vector<std::unique_ptr<Expr>> list;
          list.push_back(std::move(first.e));
          while (PeekKind() == kComma) {
            Next();
            list.push_back(ParseExpr(0));
          }
          Expect(kRParen);
          if (PeekKind() == kIn) {
            std::unique_ptr<Expr> in = InExpr(std::move(list));
            s->exprs.push_back(ContinueExpr(std::move(in), 0));
            MoreArgs(&s->exprs);
          } else {
            s->exprs = std::move(list);
          }
        } else {
          Expect(kRParen);
          Parsed group;
          group.e = std::move(first.e);
          group.form = first.form == Form::kField ? Form::kField : Form::kPlain;
          if (group.form == Form::kField) group = FieldPostfix(std::move(group));
          s->exprs.push_back(Finish(std::move(group), 0).e);
          MoreArgs(&s->exprs);
        }
      }
    } else if (StartsExpr(PeekKind())) {
      s->exprs.push_back(ParseExpr(0));
      MoreArgs(&s->exprs);
    }
    if (PeekKind() == kIoOut) {
      Token io = Next();
      s->redirect = static_cast<uint8_t>(io.ival);
      s->dest = ParseExpr(0);
      if (s->redirect != kRedirectPipe) {
        const Expr& d = *s->dest;
        bool std_stream =
            d.kind == ExprKind::kString &&
            (d.str == "/dev/stdout" || d.str == "/dev/stderr" || d.str == "/dev/null");
        if (!std_stream) program_->writes_files = true;
      }
    }
    Separator();
    print_flag_ = false;
    if (pr.kind == kPrintf && s->exprs.empty()) CompileError("no arguments in call to printf");
    return s;
  }

  void MoreArgs(std::vector<std::unique_ptr<Expr>>* args) {
    while (PeekKind() == kComma) {
      Next();
      args->push_back(ParseExpr(0));
    }
  }

  void ParseArgs(std::vector<std::unique_ptr<Expr>>* args) {
    args->push_back(ParseExpr(0));
    MoreArgs(args);
  }

  // --------------------------------------------------------- expressions
  std::unique_ptr<Expr> ParseExpr(int min) { return ParseExprP(min).e; }

  Parsed ParseExprP(int min) {
    Parsed u = ParseUnary(true);
    if (u.form == Form::kExprLevel) {
      Parsed r;
      r.e = ContinueExpr(std::move(u.e), min);
      return r;
    }
    return Finish(std::move(u), min);
  }

  static bool IsAssignTok(Tok k) {
    return k == kAssign || k == kAddAsg || k == kSubAsg || k == kMulAsg || k == kDivAsg ||
           k == kModAsg || k == kPowAsg;
  }
  static uint8_t AssignOp(Tok k) {
    switch (k) {
      case kAddAsg:
        return '+';
      case kSubAsg:
        return '-';
      case kMulAsg:
        return '*';
      case kDivAsg:
        return '/';
      case kModAsg:
        return '%';
      case kPowAsg:
        return '^';
      default:
        return '=';
    }
  }

  // The rest of an `expr` whose first p_expr is `u`.
  Parsed Finish(Parsed u, int min) {
    Parsed p = ContinueP(std::move(u), 0);
    Parsed c = ContinueCat(std::move(p));
    if ((c.form == Form::kLvalue || c.form == Form::kField) && IsAssignTok(PeekKind())) {
      Token op = Next();
      auto a = Node(ExprKind::kAssign);
      a->op = AssignOp(op.kind);
      a->pure = false;
      Adopt(a.get(), std::move(c.e));
      Adopt(a.get(), ParseExpr(0));
      a->pure = false;
      Parsed r;
      r.e = ContinueExpr(std::move(a), min);
      return r;
    }
    if (c.form != Form::kPlain && !IsExprOp(PeekKind())) return c;
    Parsed r;
    r.e = ContinueExpr(std::move(c.e), min);
    return r;
  }

  static bool IsExprOp(Tok k) {
    switch (k) {
      case kQMark:
      case kOr:
      case kAnd:
      case kIn:
      case kMatch:
      case kEq:
      case kNeq:
      case kLt:
      case kLte:
      case kGt:
      case kGte:
        return true;
      default:
        return false;
    }
  }

  std::unique_ptr<Expr> InExpr(std::vector<std::unique_ptr<Expr>> subscripts) {
    Next();  // in
    Token arr = Expect(kId);
    auto e = Node(ExprKind::kIn);
    for (auto& k : subscripts) Adopt(e.get(), std::move(k));
    e->array = ArrayOf(arr.sym);
    return e;
  }

  std::unique_ptr<Expr> ContinueExpr(std::unique_ptr<Expr> left, int min) {
    for (;;) {
      Tok k = PeekKind();
      int prec;
      switch (k) {
        case kQMark:
          prec = 2;
          break;
        case kOr:
          prec = 3;
          break;
        case kAnd:
          prec = 4;
          break;
        case kIn:
          prec = 5;
          break;
        case kMatch:
          prec = 6;
          break;
        case kEq:
        case kNeq:
        case kLt:
        case kLte:
        case kGt:
        case kGte:
          prec = 7;
          break;
        default:
          return left;
      }
      if (prec < min) return left;
      Token op = Next();
      if (k == kQMark) {
        auto e = Node(ExprKind::kCond);
        Adopt(e.get(), std::move(left));
        Adopt(e.get(), ParseExpr(0));
        Expect(kColon);
        Adopt(e.get(), ParseExpr(2));
        left = std::move(e);
      } else if (k == kOr || k == kAnd) {
        auto e = Node(k == kOr ? ExprKind::kOr : ExprKind::kAnd);
        Adopt(e.get(), std::move(left));
        Adopt(e.get(), ParseExpr(prec + 1));
        left = std::move(e);
      } else if (k == kIn) {
        Token arr = Expect(kId);
        auto e = Node(ExprKind::kIn);
        Adopt(e.get(), std::move(left));
        e->array = ArrayOf(arr.sym);
        left = std::move(e);
      } else if (k == kMatch) {
        auto e = Node(ExprKind::kMatch);
        e->op = op.ival == 0 ? 1 : 0;
        Adopt(e.get(), std::move(left));
        std::unique_ptr<Expr> re = ParseExpr(prec + 1);
        if (!StaticRegex(re.get(), &e->re)) Adopt(e.get(), std::move(re));
        left = std::move(e);
      } else {
        auto e = Node(ExprKind::kCompare);
        e->op = k == kEq    ? kCmpEq
                : k == kNeq ? kCmpNe
                : k == kLt  ? kCmpLt
                : k == kLte ? kCmpLe
                : k == kGt  ? kCmpGt
                            : kCmpGe;
        Adopt(e.get(), std::move(left));
        Adopt(e.get(), ParseExpr(prec + 1));
        left = std::move(e);
      }
    }
  }

  // A regex operand given as /re/ or as a string constant is compiled now
  // (mawk: at parse time, with compile-time error messages).
  bool StaticRegex(Expr* e, std::shared_ptr<const Regex>* out) {
    if (e->kind == ExprKind::kRegex) {
      *out = e->re;
      return true;
    }
    if (e->kind == ExprKind::kString) {
      std::string error;
      *out = CompileRegex(e->str, &error);
      if (!*out) RegexError(error, e->str.substr(0, e->str.find('\0')));
      return true;
    }
    return false;
  }

  static bool StartsPExpr(Tok k) {
    switch (k) {
      case kDouble:
      case kString:
      case kRe:
      case kId:
      case kFunctId:
      case kBuiltinTok:
      case kLength:
      case kLParen:
      case kNot:
      case kIncDec:
      case kField:
      case kDollar:
      case kSplit:
      case kMatchFunc:
      case kSub:
      case kGsub:
      case kGetline:
        return true;
      default:
        return false;
    }
  }

  Parsed ContinueCat(Parsed first) {
    if (!StartsPExpr(PeekKind())) return first;
    auto cat = Node(ExprKind::kConcat);
    Adopt(cat.get(), std::move(first.e));
    while (StartsPExpr(PeekKind())) {
      Parsed p = ParsePExpr(0, false);
      Adopt(cat.get(), std::move(p.e));
    }
    Parsed r;
    r.e = std::move(cat);
    return r;
  }

  Parsed ParsePExpr(int min, bool expr_start) {
    Parsed u = ParseUnary(expr_start);
    if (u.form == Form::kExprLevel) return u;
    return ContinueP(std::move(u), min);
  }

  Parsed ContinueP(Parsed left, int min) {
    for (;;) {
      Tok k = PeekKind();
      int prec;
      switch (k) {
        case kPlus:
        case kMinus:
          prec = 10;
          break;
        case kMul:
        case kDiv:
        case kMod:
          prec = 11;
          break;
        case kPipe:
          prec = 13;
          break;
        case kPow:
          prec = 14;
          break;
        default:
          return left;
      }
      if (prec < min) return left;
      Next();
      if (k == kPipe) {
        Expect(kGetline);
        auto g = Node(ExprKind::kGetline);
        g->op = kGetlineCommand;
        g->pure = false;
        if (StartsFvalue(PeekKind())) {
          Adopt(g.get(), ParseFvalue());
        } else {
          g->kids.push_back(nullptr);
        }
        Adopt(g.get(), std::move(left.e));
        g->pure = false;
        left.e = std::move(g);
        left.form = Form::kPlain;
        continue;
      }
      Parsed right = ParsePExpr(k == kPow ? 14 : prec + 1, false);
      auto e = Node(ExprKind::kArith);
      e->op = k == kPlus    ? '+'
              : k == kMinus ? '-'
              : k == kMul   ? '*'
              : k == kDiv   ? '/'
              : k == kMod   ? '%'
                            : '^';
      Adopt(e.get(), std::move(left.e));
      Adopt(e.get(), std::move(right.e));
      left.e = std::move(e);
      left.form = Form::kPlain;
    }
  }

  Parsed Plain(std::unique_ptr<Expr> e) {
    Parsed p;
    p.e = std::move(e);
    return p;
  }

  // mawk's parser stack holds 200 states (YYMAXDEPTH); deeper nesting is
  // a syntax error there, at a token that depends on yacc's tables. Nesting
  // is counted here and a program nested deeply enough to come near that
  // limit is refused.
  struct Nesting {
    Compiler* c;
    explicit Nesting(Compiler* compiler) : c(compiler) {
      if (++c->nesting_ > kMaxNesting) {
        c->program_->unsupported = "awk program nested too deeply";
        throw Fatal{};
      }
    }
    ~Nesting() { --c->nesting_; }
  };
  static constexpr int kMaxNesting = 40;

  Parsed ParseUnary(bool expr_start) {
    Nesting nesting(this);
    Tok k = PeekKind();
    switch (k) {
      case kNot:
      case kMinus:
      case kPlus: {
        Next();
        Parsed operand = ParsePExpr(13, false);
        auto e = Node(k == kNot ? ExprKind::kNot : k == kMinus ? ExprKind::kNeg : ExprKind::kUPlus);
        Adopt(e.get(), std::move(operand.e));
        return Plain(std::move(e));
      }
      case kIncDec: {
        Token op = Next();
        auto e = Node(ExprKind::kIncDec);
        e->op = op.ival == '+' ? kPreInc : kPreDec;
        e->pure = false;
        if (PeekKind() == kId) {
          Token id = Next();
          if (PeekKind() == kLBox) {
            Adopt(e.get(), ElemAfterId(id));
          } else {
            Adopt(e.get(), VarExpr(id.sym));
          }
        } else if (StartsField(PeekKind())) {
          Adopt(e.get(), ParseField());
        } else {
          SyntaxError();
        }
        e->pure = false;
        return Plain(std::move(e));
      }
      default:
        return ParsePrimary(expr_start);
    }
  }

  static bool StartsField(Tok k) { return k == kField || k == kDollar || k == kLParen; }
  static bool StartsFvalue(Tok k) {
    return k == kId || k == kField || k == kDollar || k == kLParen;
  }

  // ID [ args ] after the ID.
  std::unique_ptr<Expr> ElemAfterId(const Token& id) {
    Next();  // [
    auto e = Node(ExprKind::kElem);
    ParseArgs(&e->kids);
    for (const auto& k : e->kids) {
      if (!k->pure) e->pure = false;
    }
    Expect(kRBox);
    PeekKind();  // mawk checks the array with the next token read
    e->array = ArrayOf(id.sym);
    return e;
  }

  // fvalue: lvalue | field.
  std::unique_ptr<Expr> ParseFvalue() {
    if (PeekKind() == kId) {
      Token id = Next();
      if (PeekKind() == kLBox) return ElemAfterId(id);
      return VarExpr(id.sym);
    }
    if (PeekKind() == kLParen) {
      Next();
      std::unique_ptr<Expr> f = ParseField();
      Expect(kRParen);
      return f;
    }
    return ParseField();
  }

  std::unique_ptr<Expr> FieldToken(const Token& t) {
    if (t.field < 0) {
      auto e = Node(ExprKind::kSpecial);
      e->index = -1 - t.field;
      return e;
    }
    auto e = Node(ExprKind::kFieldConst);
    e->index = t.field;
    return e;
  }

  // field: FIELD | $ D_ID | $ D_ID [args] | $ p_expr | ( field ).
  std::unique_ptr<Expr> ParseField() {
    Tok k = PeekKind();
    if (k == kField) return FieldToken(Next());
    if (k == kLParen) {
      Next();
      std::unique_ptr<Expr> f = ParseField();
      Expect(kRParen);
      return f;
    }
    Expect(kDollar);
    auto e = Node(ExprKind::kField);
    if (PeekKind() == kDId) {
      Token id = Next();
      if (PeekKind() == kLBox) {
        Adopt(e.get(), ElemAfterId(id));
      } else {
        Adopt(e.get(), VarExpr(id.sym));
      }
      return e;
    }
    Parsed operand = ParseUnary(false);
    Adopt(e.get(), std::move(operand.e));
    return e;
  }

  // A field, then an optional ++/--.
  Parsed FieldPostfix(Parsed f) {
    if (PeekKind() == kIncDec) {
      Token op = Next();
      auto e = Node(ExprKind::kIncDec);
      e->op = op.ival == '+' ? kPostInc : kPostDec;
      e->pure = false;
      Adopt(e.get(), std::move(f.e));
      e->pure = false;
      return Plain(std::move(e));
    }
    return f;
  }

  Parsed ParsePrimary(bool expr_start) {
    Tok k = PeekKind();
    switch (k) {
      case kDouble: {
        Token t = Next();
        auto e = Node(ExprKind::kNumber);
        e->num = t.num;
        return Plain(std::move(e));
      }
      case kString: {
        Token t = Next();
        auto e = Node(ExprKind::kString);
        e->str = std::move(t.str);
        return Plain(std::move(e));
      }
      case kRe: {
        Token t = Next();
        auto e = Node(ExprKind::kRegex);
        e->re = t.re;
        return Plain(std::move(e));
      }
      case kId: {
        Token id = Next();
        if (PeekKind() == kLBox) {
          std::unique_ptr<Expr> elem = ElemAfterId(id);
          if (PeekKind() == kIncDec) {
            Token op = Next();
            auto e = Node(ExprKind::kIncDec);
            e->op = op.ival == '+' ? kPostInc : kPostDec;
            Adopt(e.get(), std::move(elem));
            e->pure = false;
            return Plain(std::move(e));
          }
          Parsed p;
          p.e = std::move(elem);
          p.form = Form::kLvalue;
          return p;
        }
        PeekKind();
        std::unique_ptr<Expr> var = VarExpr(id.sym);
        if (PeekKind() == kIncDec) {
          Token op = Next();
          auto e = Node(ExprKind::kIncDec);
          e->op = op.ival == '+' ? kPostInc : kPostDec;
          Adopt(e.get(), std::move(var));
          e->pure = false;
          return Plain(std::move(e));
        }
        Parsed p;
        p.e = std::move(var);
        p.form = Form::kLvalue;
        return p;
      }
      case kField:
      case kDollar: {
        Parsed f;
        f.e = ParseField();
        f.form = Form::kField;
        return FieldPostfix(std::move(f));
      }
      case kLParen: {
        Next();
        Parsed inner = ParseExprP(0);
        if (PeekKind() == kComma) {
          if (!expr_start) SyntaxError();
          std::vector<std::unique_ptr<Expr>> list;
          list.push_back(std::move(inner.e));
          while (PeekKind() == kComma) {
            Next();
            list.push_back(ParseExpr(0));
          }
          Expect(kRParen);
          if (PeekKind() != kIn) SyntaxError();
          Parsed r;
          r.e = InExpr(std::move(list));
          r.form = Form::kExprLevel;
          return r;
        }
        Expect(kRParen);
        if (inner.form == Form::kField) return FieldPostfix(std::move(inner));
        inner.form = Form::kPlain;
        return inner;
      }
      case kBuiltinTok:
        return Plain(BuiltinCall());
      case kLength: {
        Next();
        auto e = Node(ExprKind::kBuiltin);
        e->builtin = Builtin::kLength;
        return Plain(std::move(e));
      }
      case kFunctId:
        return Plain(UserCall());
      case kSplit:
        return Plain(SplitCall());
      case kMatchFunc: {
        Next();
        Expect(kLParen);
        auto e = Node(ExprKind::kBuiltin);
        e->builtin = Builtin::kMatch;
        e->pure = false;  // sets RSTART and RLENGTH
        Adopt(e.get(), ParseExpr(0));
        Expect(kComma);
        std::unique_ptr<Expr> re = ParseExpr(0);
        if (!StaticRegex(re.get(), &e->re)) Adopt(e.get(), std::move(re));
        Expect(kRParen);
        e->pure = false;
        return Plain(std::move(e));
      }
      case kSub:
      case kGsub: {
        Next();
        Expect(kLParen);
        auto e = Node(ExprKind::kBuiltin);
        e->builtin = k == kSub ? Builtin::kSub : Builtin::kGsub;
        std::unique_ptr<Expr> re = ParseExpr(0);
        if (StaticRegex(re.get(), &e->re)) {
          e->kids.push_back(nullptr);
        } else {
          Adopt(e.get(), std::move(re));
        }
        Expect(kComma);
        Adopt(e.get(), ParseExpr(0));
        if (PeekKind() == kRParen) {
          Next();
          auto zero = Node(ExprKind::kFieldConst);
          zero->index = 0;
          Adopt(e.get(), std::move(zero));
        } else {
          Expect(kComma);
          Adopt(e.get(), ParseFvalue());
          Expect(kRParen);
        }
        e->pure = false;
        return Plain(std::move(e));
      }
      case kGetline:
        return Plain(SimpleGetline());
      default:
        SyntaxError();
    }
  }

  std::unique_ptr<Expr> SimpleGetline() {
    Next();
    getline_flag_ = true;
    auto g = Node(ExprKind::kGetline);
    g->pure = false;
    if (PeekKind() == kIoIn) {
      Next();
      g->op = kGetlineFile;
      g->kids.push_back(nullptr);
      Adopt(g.get(), ParsePExpr(14, false).e);
      g->pure = false;
      return g;
    }
    if (StartsFvalue(PeekKind())) {
      Adopt(g.get(), ParseFvalue());
      if (PeekKind() == kIoIn) {
        Next();
        g->op = kGetlineFile;
        Adopt(g.get(), ParsePExpr(14, false).e);
        g->pure = false;
        return g;
      }
    } else {
      g->kids.push_back(nullptr);
    }
    g->op = kGetlineMain;
    getline_flag_ = false;
    g->pure = false;
    return g;
  }

  std::unique_ptr<Expr> BuiltinCall() {
    Token b = Next();
    const BuiltinInfo& info = kBuiltins[b.sym->index];
    Expect(kLParen);
    auto e = Node(ExprKind::kBuiltin);
    e->builtin = info.id;
    if (PeekKind() == kId) {
      Token id = Next();
      if (PeekKind() == kRParen) {
        Next();
        if (info.min_args > 1 || info.max_args < 1) {
          CompileError(std::string("wrong number of arguments in call to ") + info.name);
        }
        if (info.id == Builtin::kLength &&
            (id.sym->type == Sym::kArray || id.sym->type == Sym::kLocalArray)) {
          auto a = Node(ExprKind::kLengthArray);
          a->array = ArrayOf(id.sym);
          return a;
        }
        Adopt(e.get(), VarExpr(id.sym));
        MarkImpure(e.get());
        return e;
      }
      PushBack(std::move(id));
    }
    if (PeekKind() != kRParen) ParseArgs(&e->kids);
    Expect(kRParen);
    int n = static_cast<int>(e->kids.size());
    if (info.min_args > n || info.max_args < n) {
      CompileError(std::string("wrong number of arguments in call to ") + info.name);
    }
    MarkImpure(e.get());
    return e;
  }

  static void MarkImpure(Expr* e) {
    switch (e->builtin) {
      case Builtin::kRand:
      case Builtin::kSrand:
      case Builtin::kClose:
      case Builtin::kSystem:
      case Builtin::kFflush:
        e->pure = false;
        break;
      default:
        break;
    }
  }

  std::unique_ptr<Expr> SplitCall() {
    Next();
    Expect(kLParen);
    auto e = Node(ExprKind::kBuiltin);
    e->builtin = Builtin::kSplit;
    e->pure = false;
    Adopt(e.get(), ParseExpr(0));
    Expect(kComma);
    Token arr = Expect(kId);
    e->array = ArrayOf(arr.sym);
    if (PeekKind() == kRParen) {
      Next();
      e->op = 0;  // split on FS
    } else {
      Expect(kComma);
      std::unique_ptr<Expr> sep = ParseExpr(0);
      Expect(kRParen);
      e->op = 1;
      if (sep->kind == ExprKind::kRegex) {
        e->re = sep->re;
        e->op = 2;  // a regex literal
      } else if (sep->kind == ExprKind::kString && sep->str.size() > 1) {
        std::string error;
        e->re = CompileRegex(sep->str, &error);
        if (!e->re) RegexError(error, sep->str);
        e->op = 2;
      } else {
        Adopt(e.get(), std::move(sep));
      }
    }
    e->pure = false;
    return e;
  }

  std::unique_ptr<Expr> UserCall() {
    Token f = Next();
    int callee = f.sym->index;
    Expect(kLParen);
    auto e = Node(ExprKind::kCall);
    e->index = callee;
    e->pure = false;
    CallRecord rec;
    rec.callee = callee;
    if (PeekKind() == kRParen) {
      Next();
    } else {
      for (;;) {
        int arg_num = static_cast<int>(e->kids.size());
        bool bare = false;
        if (PeekKind() == kId) {
          Token id = Next();
          if (PeekKind() == kComma || PeekKind() == kRParen) {
            bare = true;
            PendingArg a;
            a.arg_num = arg_num;
            a.line = token_lineno_;
            auto node = CallIdArg(id.sym, &a);
            a.node = node.get();
            e->kids.push_back(std::move(node));
            rec.args.insert(rec.args.begin(), a);
          } else {
            PushBack(std::move(id));
          }
        }
        if (!bare) {
          e->kids.push_back(ParseExpr(0));
          PendingArg a;
          a.arg_num = arg_num;
          a.kind = PendingArg::kExprArg;
          a.node = e->kids.back().get();
          a.line = token_lineno_;
          rec.args.insert(rec.args.begin(), a);
        }
        if (PeekKind() == kComma) {
          Next();
          continue;
        }
        Expect(kRParen);
        break;
      }
    }
    rec.line = token_lineno_;
    CheckCall(std::move(rec));
    return e;
  }

  // code_call_id: a bare name passed to a function.
  std::unique_ptr<Expr> CallIdArg(Sym* s, PendingArg* a) {
    auto e = std::make_unique<Expr>();
    switch (s->type) {
      case Sym::kVar:
        a->kind = PendingArg::kExprArg;
        e->kind = ExprKind::kGlobal;
        e->index = s->index;
        break;
      case Sym::kLocalVar:
        a->kind = PendingArg::kExprArg;
        e->kind = ExprKind::kLocal;
        e->index = s->index;
        break;
      case Sym::kArray:
        a->kind = PendingArg::kArrayArg;
        e->kind = ExprKind::kArrayName;
        e->array.index = s->index;
        break;
      case Sym::kLocalArray:
        a->kind = PendingArg::kArrayArg;
        e->kind = ExprKind::kArrayName;
        e->array.local = true;
        e->array.index = s->index;
        break;
      case Sym::kLocalNone:
        a->kind = PendingArg::kLocalNone;
        a->caller = active_funct_;
        a->param = s->index;
        e->kind = ExprKind::kLocal;
        e->index = s->index;
        break;
      default:
        a->kind = PendingArg::kGlobalNone;
        a->sym = s;
        e->kind = ExprKind::kGlobal;
        e->index = -1;  // patched when the type is known
        break;
    }
    return e;
  }

  Sym::Type& ParamType(int function, int param) { return param_types_[function][param]; }

  bool ArgCountOk(const CallRecord& rec) {
    const Function& f = program_->functions[static_cast<size_t>(rec.callee)];
    if (!rec.args.empty() && rec.args.front().arg_num >= f.nparams) {
      unsigned saved = token_lineno_;
      token_lineno_ = rec.args.front().line;
      CompileError("too many arguments in call to " + f.name);
      token_lineno_ = saved;
      return false;
    }
    return true;
  }

  // check_fcall.
  void CheckCall(CallRecord rec) {
    const Function& f = program_->functions[static_cast<size_t>(rec.callee)];
    if (!f.defined) {
      calls_.push_back(std::move(rec));
      return;
    }
    if (rec.args.empty() || !ArgCountOk(rec)) return;
    rec.arg_cnt_checked = true;
    bool progress = false;
    ArgCheck(&rec, &progress);
    if (!rec.args.empty()) calls_.push_back(std::move(rec));
  }

  // call_arg_check: types what it can; keeps the rest in rec->args.
  void ArgCheck(CallRecord* rec, bool* progress) {
    std::vector<PendingArg> rest;
    for (PendingArg& a : rec->args) {
      std::vector<Sym::Type>& callee_types = param_types_[rec->callee];
      Sym::Type callee_type = a.arg_num < static_cast<int>(callee_types.size())
                                  ? callee_types[static_cast<size_t>(a.arg_num)]
                                  : Sym::kLocalNone;
      if (a.kind == PendingArg::kGlobalNone) {
        if (a.sym->type == Sym::kVar) {
          a.kind = PendingArg::kExprArg;
          a.node->kind = ExprKind::kGlobal;
          a.node->index = a.sym->index;
        } else if (a.sym->type == Sym::kArray) {
          a.kind = PendingArg::kArrayArg;
          a.node->kind = ExprKind::kArrayName;
          a.node->array.index = a.sym->index;
        } else if (callee_type == Sym::kLocalVar) {
          a.kind = PendingArg::kExprArg;
          a.sym->type = Sym::kVar;
          a.sym->index = program_->num_globals++;
          a.node->kind = ExprKind::kGlobal;
          a.node->index = a.sym->index;
        } else if (callee_type == Sym::kLocalArray) {
          a.kind = PendingArg::kArrayArg;
          a.sym->type = Sym::kArray;
          a.sym->index = program_->num_arrays++;
          a.node->kind = ExprKind::kArrayName;
          a.node->array.index = a.sym->index;
        }
      } else if (a.kind == PendingArg::kLocalNone) {
        Sym::Type& mine = ParamType(a.caller, a.param);
        if (mine == Sym::kLocalVar) {
          a.kind = PendingArg::kExprArg;
        } else if (mine == Sym::kLocalArray) {
          a.kind = PendingArg::kArrayArg;
          a.node->kind = ExprKind::kArrayName;
          a.node->array.local = true;
          a.node->array.index = a.param;
        } else if (callee_type == Sym::kLocalVar) {
          a.kind = PendingArg::kExprArg;
          mine = Sym::kLocalVar;
        } else if (callee_type == Sym::kLocalArray) {
          a.kind = PendingArg::kArrayArg;
          mine = Sym::kLocalArray;
          a.node->kind = ExprKind::kArrayName;
          a.node->array.local = true;
          a.node->array.index = a.param;
        }
      }
      if (a.kind == PendingArg::kGlobalNone || a.kind == PendingArg::kLocalNone) {
        rest.push_back(a);
        continue;
      }
      Sym::Type type = a.kind == PendingArg::kExprArg ? Sym::kLocalVar : Sym::kLocalArray;
      if (a.arg_num < static_cast<int>(callee_types.size())) {
        Sym::Type& ct = callee_types[static_cast<size_t>(a.arg_num)];
        if (ct == Sym::kLocalNone) {
          ct = type;
        } else if (ct != type) {
          unsigned saved = token_lineno_;
          token_lineno_ = a.line;
          CompileError("type error in arg(" + std::to_string(a.arg_num + 1) + ") in call to " +
                       program_->functions[static_cast<size_t>(rec->callee)].name);
          token_lineno_ = saved;
        }
      }
      *progress = true;
    }
    rec->args = std::move(rest);
  }

  // resolve_fcalls.
  void ResolveCalls() {
    std::vector<CallRecord> list;
    for (auto it = calls_.rbegin(); it != calls_.rend(); ++it) {
      const Function& f = program_->functions[static_cast<size_t>(it->callee)];
      if (!f.defined) {
        CompileError("function " + f.name + " never defined");
        continue;
      }
      if (it->args.empty()) continue;
      if (!it->arg_cnt_checked && !ArgCountOk(*it)) continue;
      list.push_back(std::move(*it));
    }
    calls_.clear();
    bool progress = true;
    while (!list.empty() && progress) {
      progress = false;
      std::vector<CallRecord> next;
      for (CallRecord& rec : list) {
        ArgCheck(&rec, &progress);
        if (!rec.args.empty()) next.push_back(std::move(rec));
      }
      list = std::move(next);
    }
    // Still untyped: mawk passes an uninitialised scalar.
    for (CallRecord& rec : list) {
      for (PendingArg& a : rec.args) {
        if (a.kind == PendingArg::kGlobalNone && a.node->index < 0) {
          a.node->index = program_->num_globals++;
        }
      }
    }
  }

  // An upper bound of the values mawk's evaluation stack holds when each
  // call is made: every value computed before it in its statement.
  static void BoundExpr(Expr* e, int32_t pending) {
    if (e == nullptr) return;
    if (e->kind == ExprKind::kCall) e->stack_bound = pending;
    int32_t i = 0;
    for (auto& k : e->kids) BoundExpr(k.get(), pending + ++i);
  }
  static void BoundStmt(Stmt* s) {
    if (s == nullptr) return;
    int32_t i = 0;
    for (auto& e : s->exprs) BoundExpr(e.get(), ++i);
    BoundExpr(s->dest.get(), i + 1);
    for (auto& b : s->body) BoundStmt(b.get());
  }
  void BoundCalls() {
    for (auto& b : program_->begin) BoundStmt(b.get());
    for (auto& e : program_->end) BoundStmt(e.get());
    for (Rule& r : program_->rules) {
      BoundExpr(r.pattern.get(), 1);
      BoundExpr(r.pattern2.get(), 1);
      BoundStmt(r.action.get());
    }
    for (Function& f : program_->functions) BoundStmt(f.body.get());
  }

  // The parameter types and the symbol table, for the runtime.
  void ExportTypes() {
    BoundCalls();
    for (size_t i = 0; i < program_->functions.size(); ++i) {
      Function& f = program_->functions[i];
      auto it = param_types_.find(static_cast<int>(i));
      f.param_is_array.assign(static_cast<size_t>(f.nparams), false);
      if (it == param_types_.end()) continue;
      for (size_t p = 0; p < it->second.size() && p < f.param_is_array.size(); ++p) {
        f.param_is_array[p] = it->second[p] == Sym::kLocalArray;
      }
    }
    for (const auto& [name, sym] : symbols_) {
      Symbol out;
      switch (sym->type) {
        case Sym::kNone:
          out.kind = Symbol::kNone;
          break;
        case Sym::kVar:
        case Sym::kNR:
          out.kind = Symbol::kVar;
          out.index = sym->index;
          break;
        case Sym::kArray:
          out.kind = Symbol::kArray;
          out.index = sym->index;
          break;
        case Sym::kEnv:
          out.kind = Symbol::kEnv;
          out.index = sym->index;
          break;
        case Sym::kField:
          out.kind = Symbol::kField;
          out.index = sym->index;
          break;
        case Sym::kFunct:
          out.kind = Symbol::kFunction;
          break;
        case Sym::kKeyword:
          out.kind = Symbol::kKeyword;
          break;
        default:
          out.kind = Symbol::kBuiltin;
          break;
      }
      program_->symbols[name] = out;
    }
  }

  std::string prog_;
  Program* program_;
  CompileOutput* out_;
  std::string text_;
  std::vector<Piece> pieces_;
  size_t piece_ = 0;
  bool from_file_ = false;
  std::string file_name_;
  size_t pos_ = 0;
  unsigned lineno_ = 1;
  unsigned token_lineno_ = 0;  // mawk reports line 0 before the first token
  Token current_;
  std::vector<Token> pushed_;  // lookahead (back is next)
  int paren_cnt_ = 0;
  int brace_cnt_ = 0;
  bool print_flag_ = false;
  bool getline_flag_ = false;
  int error_count_ = 0;
  int errstatus_ = 0;
  bool error_discard_ = false;
  bool aborted_ = false;
  bool panic_ = false;  // RE_panic: exit 100
  Scope scope_ = kScopeMain;
  int active_funct_ = -1;
  int loop_depth_ = 0;
  int nesting_ = 0;
  size_t dummy_functions_ = 0;
  std::map<std::string, std::unique_ptr<Sym>> symbols_;
  std::vector<std::pair<Sym*, Sym>> saved_;
  std::map<int, std::vector<Sym::Type>> param_types_;
  std::vector<CallRecord> calls_;
};

}  // namespace

void CompileProgram(const std::vector<SourceText>& sources, const std::string& prog,
                    const std::vector<std::string>& predeclared, Program* program,
                    CompileOutput* out) {
  Compiler compiler(sources, prog, program, out);
  for (const std::string& name : predeclared) compiler.Predeclare(name);
  compiler.Run();
}

}  // namespace memhook::utils::awk
