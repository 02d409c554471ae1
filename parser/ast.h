// memhook parser: bash source text -> an owned syntax tree of the
// whole language (lists, pipelines, compound commands, functions, `[[ ]]`,
// `(( ))`), with every word kept *unexpanded* as a sequence of parts.
//
// The interpreter (shell/) expands words at run time in bash's order; the
// fast path's static view of a word is a function over the same tree. No
// tree-sitter type appears here. A source whose tree-sitter tree has an
// ERROR or MISSING node is rejected (`ok() == false`): never half-executed.
//
// Thread-safety: a ScriptParser is not thread-safe; the returned tree is
// immutable after parsing and may be shared (nodes are held by shared_ptr
// so that function definitions outlive the script that defined them).
#ifndef MEMHOOK_PARSER_AST_H_
#define MEMHOOK_PARSER_AST_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memhook::parser {

enum class RedirectOp {
  kOutput,        // [n]> word     (and >| )
  kAppend,        // [n]>> word
  kInput,         // [n]< word
  kDuplicateOut,  // [n]>&word   (word is a digit or '-')
  kDuplicateIn,   // [n]<&word
  kOutputBoth,    // &> word  /  >& word (word not a digit)
  kAppendBoth,    // &>> word
  kHereString,    // <<< word
  kHeredoc,       // << / <<- ; the body in the target word
  kReadWrite,     // [n]<> word
};

enum class ListOp { kAnd, kOr };  // && ||

}  // namespace memhook::parser

namespace memhook::parser::ast {

struct Command;
struct Word;

// `${...}` after parsing: which parameter, and which operator.
struct ParamExpansion {
  enum class Op {
    kPlain,              // ${x}
    kDefault,            // ${x-w}   ${x:-w}
    kAssign,             // ${x=w}   ${x:=w}
    kError,              // ${x?w}   ${x:?w}
    kAlternate,          // ${x+w}   ${x:+w}
    kRemoveSmallPrefix,  // ${x#p}
    kRemoveLargePrefix,  // ${x##p}
    kRemoveSmallSuffix,  // ${x%p}
    kRemoveLargeSuffix,  // ${x%%p}
    kReplaceFirst,       // ${x/p/r}
    kReplaceAll,         // ${x//p/r}
    kReplacePrefix,      // ${x/#p/r}
    kReplaceSuffix,      // ${x/%p/r}
    kUpperFirst,         // ${x^p}
    kUpperAll,           // ${x^^p}
    kLowerFirst,         // ${x,p}
    kLowerAll,           // ${x,,p}
    kSubstring,          // ${x:off} ${x:off:len}
    kTransform,          // ${x@Q} (transform holds the letter)
    kToggleFirst,        // ${x~p}
    kToggleAll,          // ${x~~p}
    // `${x!}`, `${a[}`: bash parses the word and reports "TEXT: bad
    // substitution" only when it expands it (bad_text holds TEXT).
    kBad,
  };
  std::string name;  // "x", "10", "@", "*", "#", "?", "-", "$", "!", "0"
  std::shared_ptr<Word>
      subscript;          // ${a[...]}: the subscript, unexpanded ("@", "*", or arithmetic)
  bool length = false;    // ${#x}
  bool indirect = false;  // ${!x}
  bool prefix_names =
      false;  // ${!prefix*} / ${!prefix@} (name holds the prefix; '*' or '@' in transform)
  Op op = Op::kPlain;
  bool colon = false;              // `:-` rather than `-` (tests null as well as unset)
  std::shared_ptr<Word> operand;   // the word / pattern / offset
  std::shared_ptr<Word> operand2;  // the replacement / length (null when absent)
  char transform = 0;              // kTransform: Q E P A a U u L K k
  // kBad: the string bash names: the word (or the double-quoted string,
  // or the operand) that holds the expansion.
  std::string bad_text;
};

struct WordPart {
  enum class Kind {
    kLiteral,     // text; `quoted` when it came from quotes or a backslash
    kTilde,       // a leading `~user` (text = "user", "" for `~`, "+", "-")
    kParam,       // $x ${...}
    kCommandSub,  // $(...) or `...`
    kArith,       // $((...)) (arith = its text as a word, expanded then evaluated)
    kProcessSub,  // <(...) >(...)
  };
  Kind kind = Kind::kLiteral;
  // Inside double quotes (for kLiteral: quoted in any way). Quoted parts are
  // never split on IFS nor used as glob characters.
  bool quoted = false;
  std::string text;
  std::shared_ptr<ParamExpansion> param;
  std::shared_ptr<Command> program;  // kCommandSub, kProcessSub
  std::shared_ptr<Word> arith;       // kArith
  bool process_output = false;       // kProcessSub: `>(...)`
};

// An assignment `name[index]+=value` or `name=(a b c)`.
struct Assignment {
  std::string name;
  std::shared_ptr<Word> index;  // null for a scalar
  bool append = false;          // +=
  std::shared_ptr<Word> value;  // scalar value (never split nor globbed)
  bool is_array = false;        // name=(...)
  std::vector<Word> elements;   // is_array: the words between the parentheses
};

struct Word {
  std::vector<WordPart> parts;
  std::string raw;  // the source text, for messages
  // Arguments of declare/local/export/readonly that are assignments.
  std::shared_ptr<Assignment> assignment;
};

struct ScriptRedirect {
  int fd = -1;  // -1: the operator's default
  RedirectOp op = RedirectOp::kOutput;
  Word target;  // kHeredoc: the body (a literal when the delimiter was quoted)
  bool heredoc_quoted = false;
};

// `[[ ... ]]`.
struct CondExpr {
  enum class Kind { kWord, kUnary, kBinary, kAnd, kOr, kNot };
  Kind kind = Kind::kWord;
  std::string op;                  // "-f", "==", "=~", "-eq", ...
  std::vector<Word> words;         // kWord: 1; kUnary: 1; kBinary: 2
  std::vector<CondExpr> children;  // kAnd/kOr: 2; kNot: 1
};

struct CaseItem {
  std::vector<Word> patterns;
  std::shared_ptr<Command> body;  // may be null (empty item)
  std::string terminator;         // ";;", ";&", ";;&"
};

enum class CommandKind {
  kSimple,
  kSequence,  // statements in order; `background[i]` for a trailing `&`
  kAndOr,     // children joined by `ops`
  kPipeline,
  kSubshell,  // ( ... ): children[0]
  kGroup,     // { ...; }: children[0]
  kIf,        // children: cond, then, [cond, then]..., [else] (has_else)
  kFor,       // for name [in words]; children[0] body
  kArithFor,  // for ((words[0]; words[1]; words[2])); children[0] body
  kWhile,     // children: cond, body
  kUntil,
  kCase,      // words[0] subject; items
  kFunction,  // name; children[0] body
  kCond,      // [[ cond ]]
  kArith,     // (( words[0] ))
};

struct Command {
  CommandKind kind = CommandKind::kSimple;
  std::vector<Assignment> assignments;  // kSimple
  std::vector<Word> words;
  std::vector<ScriptRedirect> redirects;  // applied around the whole command
  std::vector<std::shared_ptr<Command>> children;
  std::vector<bool> background;    // kSequence
  std::vector<ListOp> ops;         // kAndOr: size == children.size() - 1
  bool negated = false;            // kPipeline: leading `!`
  std::vector<bool> pipe_stderr;   // kPipeline: `|&` after stage i
  std::string name;                // kFor variable; kFunction name
  bool has_list = false;           // kFor: an `in` list was given
  bool has_else = false;           // kIf
  std::vector<CaseItem> items;     // kCase
  std::shared_ptr<CondExpr> cond;  // kCond
  int line = 1;                    // 1-based source line, for "bash: line N:"
  // Top-level statements: what bash prints on stderr when it reads the
  // line holding this statement, before running it (an unterminated
  // here-document's warning).
  std::string parse_warning;
};

struct ScriptResult {
  bool ok() const { return error.empty(); }
  // Empty on success; otherwise bash-like: "syntax error near unexpected token `)'".
  std::string error;
  std::shared_ptr<Command> script;  // a kSequence
};

// Parses bash source into the full tree.
class ScriptParser {
 public:
  ScriptParser();
  ~ScriptParser();
  ScriptParser(const ScriptParser&) = delete;
  ScriptParser& operator=(const ScriptParser&) = delete;

  ScriptResult Parse(std::string_view source);

  // tree-sitter's S-expression of `source` (named nodes), for `explain`.
  // Empty if parsing failed outright.
  std::string DebugTree(std::string_view source);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses `text` as the content of a double-quoted-like context without
// quote removal of `"` (a heredoc body, or an arithmetic expression):
// `$x`, `${..}`, `$(..)`, backquotes and `\$ \` \\ \<newline>` are special.
// Command substitutions inside are parsed with a fresh tree. Used for
// heredoc bodies built at run time and for tests.
Word ParseHeredocText(std::string_view text);

}  // namespace memhook::parser::ast

#endif  // MEMHOOK_PARSER_AST_H_
