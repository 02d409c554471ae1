// Internal to the utils library: awk as Debian 12's mawk 1.3.4 20200120
// reads it. awk_compile.cc turns program text into the tree below (mawk's
// lexer, grammar, error texts and type inference) and regular expressions
// into mawk's matching machines; cmd_awk.cc runs the tree.
//
// The tree keeps mawk's evaluation order and its distinctions (fields and
// pseudo-fields, the builtin variables, arrays passed by reference), so the
// runtime can reproduce mawk's output byte for byte.
#ifndef MEMHOOK_UTILS_AWK_PROGRAM_H_
#define MEMHOOK_UTILS_AWK_PROGRAM_H_

#include <bitset>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace memhook::utils::awk {

// ---------------------------------------------------------------------------
// Regular expressions (mawk's dialect: POSIX ERE without intervals, with
// C escapes, `{` literal, `^` and `$` anchors wherever an operand may stand).
//
// A pattern compiles to mawk's machine (rexp1.c: states with jumps, loops
// that stop when an iteration advanced nothing) and is matched by mawk's
// backtracking search (rexp2.c, rexp3.c), which returns the first longest
// match it meets but gives up early when a second path reaches the best
// match found so far: `[0-9]?[0-9]?` matches one digit of "12" in mawk,
// and so it does here.

// Thrown when a match takes more steps than a command may spend.
struct RegexBudgetExceeded {};

class Regex {
 public:
  Regex() = default;
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // mawk's REmatch on text[from, end): the match it finds (leftmost, and
  // the longest mawk's search meets). `^` matches only at `from`, and only
  // when `no_bol` is false. Returns false when nothing matches.
  bool Find(std::string_view text, size_t from, bool no_bol, size_t* start, size_t* len) const;
  // Whether any match exists (mawk's REtest).
  bool Test(std::string_view text) const;
  // The pattern was empty: it matches the empty string everywhere (split
  // then cuts into characters).
  bool empty() const { return empty_; }
  // The pattern is a plain string (no operator): its text, for RS.
  bool literal() const { return literal_; }
  const std::string& literal_text() const { return literal_text_; }

  // mawk's machine: a state's type (M_STR ... M_ACCEPT, plus END_ON when
  // the state must end the text) and its argument (a relative jump, or an
  // index into strs_ or classes_).
  struct State {
    int32_t type;
    int32_t arg;
  };

 private:
  friend std::shared_ptr<const Regex> CompileRegex(std::string_view source, std::string* error);

  // A pushed alternative of the search (mawk's RT_STATE).
  struct RunState {
    int32_t m;
    int32_t u;
    const char* s;
    const char* ss;
    int32_t sp;
    int32_t tp;
  };
  // A position saved by M_SAVE_POS for its M_2JC (mawk's RT_POS_ENTRY).
  struct PosEntry {
    const char* pos;
    int32_t owner;
    int32_t prev_offset;
  };

  // REmatch: the offset of the match in str[0, len), or -1.
  long Match(const char* str, size_t len, bool no_bol, size_t* mlen) const;
  // REtest.
  bool Run(const char* str, size_t len) const;
  bool InClass(int32_t index, unsigned char c) const { return classes_[index].test(c); }
  void Push(int32_t m, const char* s, int32_t sp, const char* ss, int32_t u) const;
  int32_t PosPush(int32_t head, const char* s) const;
  const char* PosPop(int32_t* head) const;
  void Step() const;

  bool empty_ = false;
  bool literal_ = false;
  std::string literal_text_;
  std::vector<State> states_;
  std::vector<std::string> strs_;
  std::vector<std::bitset<256>> classes_;
  // Scratch for the search (one command runs on one thread).
  mutable std::vector<RunState> run_;
  mutable int32_t stackp_ = -1;
  mutable std::vector<PosEntry> pos_;
  mutable uint64_t steps_ = 0;
};

// Compiles mawk regex source; on failure returns null and sets *error to
// mawk's reason ("missing operand", "bad class -- [], [^] or [" ...), or
// to the whole line of a panic (starting with kRegexPanic: mawk prints it
// and exits with status 100).
constexpr const char* kRegexPanic = "REcompile() - panic:  ";
std::shared_ptr<const Regex> CompileRegex(std::string_view source, std::string* error);

// mawk's rm_escape: C escapes in strings, -v values, -F and command line
// assignments (\n \t \f \b \r \a \v \\ \" \ooo \xhh; others kept).
std::string RemoveEscapes(std::string_view text);

// ---------------------------------------------------------------------------
// The program tree.

// The builtin variables that are plain cells (mawk's bi_vars), at fixed
// global slots, in mawk's order.
enum GlobalSlot : int32_t {
  kSlotNR = 0,
  kSlotFNR,
  kSlotARGC,
  kSlotFILENAME,
  kSlotOFS,
  kSlotORS,
  kSlotRLENGTH,
  kSlotRSTART,
  kSlotSUBSEP,
  kFirstUserGlobal,
};
// The pseudo-fields: assignments have side effects (mawk's field_assign).
enum Special : int32_t { kSpecialNF = 0, kSpecialRS, kSpecialFS, kSpecialOFMT, kSpecialCONVFMT };
// Arrays at fixed slots.
enum ArraySlot : int32_t { kArrayARGV = 0, kArrayENVIRON, kFirstUserArray };

enum class Builtin : uint8_t {
  kLength,
  kIndex,
  kSubstr,
  kSprintf,
  kSin,
  kCos,
  kAtan2,
  kExp,
  kLog,
  kInt,
  kSqrt,
  kRand,
  kSrand,
  kClose,
  kSystem,
  kToupper,
  kTolower,
  kFflush,
  kSystime,
  kMktime,
  kStrftime,
  kSplit,
  kMatch,
  kSub,
  kGsub,
};

enum class ExprKind : uint8_t {
  kNumber,      // num
  kString,      // str
  kRegex,       // /re/ alone: $0 ~ re
  kGlobal,      // index: global slot
  kLocal,       // index: frame slot
  kSpecial,     // index: Special
  kFieldConst,  // index: field number ($0, $1 ...)
  kField,       // $kids[0]
  kElem,        // array[kids...] (several subscripts: joined by SUBSEP)
  kArrayName,   // a whole array (call arguments): array
  kAssign,      // op: '=' or the operator of op=; kids[0] lvalue, kids[1] value
  kCond,        // kids[0] ? kids[1] : kids[2]
  kAnd,
  kOr,
  kNot,
  kNeg,
  kUPlus,
  kArith,        // op: + - * / % ^
  kConcat,       // kids in order
  kCompare,      // op: Compare
  kMatch,        // kids[0] ~ (re or kids[1]); op 1: !~
  kIn,           // (kids...) in array
  kIncDec,       // op: IncDec; kids[0] lvalue
  kBuiltin,      // builtin, kids; re: a constant regex argument; array: split's
  kLengthArray,  // length(array)
  kCall,         // index: function; kids: arguments (kArrayName for arrays)
  kGetline,      // op: Getline; kids[0]: target lvalue or null; kids[1]: file/command
};

enum Compare : uint8_t { kCmpEq, kCmpNe, kCmpLt, kCmpLe, kCmpGt, kCmpGe };
enum IncDec : uint8_t { kPreInc, kPreDec, kPostInc, kPostDec };
enum GetlineForm : uint8_t { kGetlineMain, kGetlineFile, kGetlineCommand };

class Regex;

struct ArrayRef {
  bool local = false;
  int32_t index = 0;
};

struct Expr {
  ExprKind kind = ExprKind::kNumber;
  uint8_t op = 0;
  // No side effect can happen while this is evaluated (assignments, calls,
  // getline, sub/gsub, split, close, system, srand ...): an operand to its
  // left may be read in place.
  bool pure = true;
  Builtin builtin = Builtin::kLength;
  int32_t index = 0;
  // kCall: at most how many values mawk's evaluation stack holds, in the
  // statement, besides the call's own frame (see Runtime::CallFunction).
  int32_t stack_bound = 0;
  double num = 0;
  std::string str;
  ArrayRef array;
  std::shared_ptr<const Regex> re;
  std::vector<std::unique_ptr<Expr>> kids;
};

enum class StmtKind : uint8_t {
  kExpr,
  kPrint,
  kPrintf,
  kIf,
  kWhile,
  kDo,
  kFor,
  kForIn,
  kBlock,
  kNext,
  kNextFile,
  kExit,
  kReturn,
  kBreak,
  kContinue,
  kDelete,     // array[kids...]
  kDeleteAll,  // delete array
};

enum Redirect : uint8_t { kNoRedirect = 0, kRedirectTrunc, kRedirectAppend, kRedirectPipe };

struct Stmt {
  StmtKind kind = StmtKind::kBlock;
  uint8_t redirect = kNoRedirect;
  // kExpr/kExit/kReturn: [value]; kPrint/kPrintf: the arguments;
  // kIf/kWhile/kDo: [condition]; kFor: [init, cond, incr] (each may be
  // null); kForIn: [variable]; kDelete: the subscripts.
  std::vector<std::unique_ptr<Expr>> exprs;
  std::unique_ptr<Expr> dest;  // print redirection target
  ArrayRef array;              // kForIn, kDelete, kDeleteAll
  // kBlock: the statements; kIf: [then, else?]; loops: [body].
  std::vector<std::unique_ptr<Stmt>> body;
};

struct Rule {
  std::unique_ptr<Expr> pattern;   // null: every record
  std::unique_ptr<Expr> pattern2;  // range end
  bool range = false;
  std::unique_ptr<Stmt> action;  // null: print $0
};

struct Function {
  std::string name;
  int32_t nparams = 0;
  std::vector<bool> param_is_array;
  std::unique_ptr<Stmt> body;
  bool defined = false;
};

// What a name means once the program is compiled (command line
// assignments look names up at run time).
struct Symbol {
  enum Kind : uint8_t { kNone, kVar, kArray, kFunction, kKeyword, kBuiltin, kField, kEnv };
  Kind kind = kNone;
  int32_t index = 0;  // global slot, array slot or Special
};

struct Program {
  std::vector<std::unique_ptr<Stmt>> begin;
  std::vector<Rule> rules;
  std::vector<std::unique_ptr<Stmt>> end;
  bool has_end = false;  // an END block, even empty: input is read
  std::vector<Function> functions;
  int32_t num_globals = kFirstUserGlobal;
  int32_t num_arrays = kFirstUserArray;
  std::map<std::string, Symbol, std::less<>> symbols;
  // Constructs the runtime cannot reproduce exactly (the reason).
  std::string unsupported;
  // Whether an output redirection to a file (> or >>) appears.
  bool writes_files = false;
};

// One piece of program text: the command line program, or a -f file.
struct SourceText {
  std::string text;
  std::string file_name;  // empty for the command line program
};

// A -v assignment, already split: mawk makes the name a variable before
// the program is read.
struct PreAssign {
  std::string name;
};

struct CompileOutput {
  std::string errors;  // mawk's messages, each "PROG: ...\n"
  int status = 0;      // 2 on error
  bool empty = false;  // no program text at all: mawk exits 0
};

// Compiles `sources` (in order) for a program named `prog` in messages.
// Names in `predeclared` are variables already (-v). On error, `out`
// holds the messages and status 2.
void CompileProgram(const std::vector<SourceText>& sources, const std::string& prog,
                    const std::vector<std::string>& predeclared, Program* program,
                    CompileOutput* out);

}  // namespace memhook::utils::awk

#endif  // MEMHOOK_UTILS_AWK_PROGRAM_H_
