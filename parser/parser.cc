// tree-sitter-bash -> memhook IR.
//
// The walk is driven by node kinds looked up once per Parser (symbol id ->
// Kind), so the hot path compares small integers, never type strings.
// Children are read with one tree cursor into per-depth vectors that are
// reused across calls: apart from the IR itself, a parse allocates almost
// nothing.
//
// Three grammar quirks of tree-sitter-bash 0.23.3 shape the code (see
// shared/reference/tree-sitter-bash.md):
//  * words after a mid-command redirect are parsed as extra `destination`
//    children of the redirect; they are returned to the command's argv;
//  * a redirect written after a pipeline or a list is attached by the
//    grammar to the whole pipeline/list, while bash binds it to the last
//    simple command; we attach it there;
//  * the rest of a heredoc's line (`| grep x`, `&& echo`, `> out`, more
//    arguments) is parsed as children of the heredoc_redirect node; it is
//    spliced back into the statement where bash has it;
//  * smaller ones, each handled where it arises: `0<in` read as an argument
//    `0` plus a redirect, `[ ]` read as one word, `$"x"` and `{a,b}\ c`
//    split in two, `"$ x"` read as an expansion, a `-` dropped before a
//    redirect (`python3 - <<EOF`).
// Because the grammar can drop text without reporting an error, the walk
// records every byte it turns into IR and fails the parse if any other
// non-blank byte remains (see CheckCoverage).
#include "parser/parser.h"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parser/word_expand.h"

extern "C" const TSLanguage* tree_sitter_bash(void);

namespace memhook::parser {
namespace {

using internal::kExpanded;
using internal::kQuoted;
using internal::MarkedText;

// Nesting deeper than this is refused rather than risking the stack; no
// command an agent writes comes close.
constexpr std::size_t kMaxDepth = 512;
// Upper bound on the words one brace expansion may produce.
constexpr std::size_t kMaxBraceWords = 4096;

enum class Kind : uint8_t {
  kOther,
  kError,
  // Named nodes.
  kAnsiCString,
  kArithmeticExpansion,
  kArray,
  kBraceExpression,
  kCommand,
  kCommandName,
  kCommandSubstitution,
  kComment,
  kConcatenation,
  kExpansion,
  kFileRedirect,
  kHeredocBody,
  kHeredocEnd,
  kHeredocRedirect,
  kHeredocStart,
  kHerestringRedirect,
  kList,
  kNegatedCommand,
  kNumber,
  kPipeline,
  kProcessSubstitution,
  kRawString,
  kRedirectedStatement,
  kSimpleExpansion,
  kString,
  kStringContent,
  kTranslatedString,
  kVariableAssignment,
  kVariableAssignments,
  kVariableName,
  kWord,
  // Anonymous tokens.
  kTokAnd,          // &&
  kTokOr,           // ||
  kTokPipe,         // |
  kTokPipeStderr,   // |&
  kTokDollar,       // $
  kTokDoubleQuote,  // "
  kTokPlusEquals,   // +=
  kTokHeredoc,      // <<
  kTokHeredocDash,  // <<-
  kTokGt,           // >
  kTokGtGt,         // >>
  kTokLt,           // <
  kTokGtAmp,        // >&
  kTokLtAmp,        // <&
  kTokAmpGt,        // &>
  kTokAmpGtGt,      // &>>
  kTokGtPipe,       // >|
  kTokGtAmpDash,    // >&-
  kTokLtAmpDash,    // <&-
  kTokLtGt,         // <>
  kTokBackground,   // &
};

struct KindName {
  std::string_view name;
  Kind kind;
};

constexpr KindName kNamedKinds[] = {
    {"ansi_c_string", Kind::kAnsiCString},
    {"arithmetic_expansion", Kind::kArithmeticExpansion},
    {"array", Kind::kArray},
    {"brace_expression", Kind::kBraceExpression},
    {"command", Kind::kCommand},
    {"command_name", Kind::kCommandName},
    {"command_substitution", Kind::kCommandSubstitution},
    {"comment", Kind::kComment},
    {"concatenation", Kind::kConcatenation},
    {"expansion", Kind::kExpansion},
    {"file_redirect", Kind::kFileRedirect},
    {"heredoc_body", Kind::kHeredocBody},
    {"heredoc_end", Kind::kHeredocEnd},
    {"heredoc_redirect", Kind::kHeredocRedirect},
    {"heredoc_start", Kind::kHeredocStart},
    {"herestring_redirect", Kind::kHerestringRedirect},
    {"list", Kind::kList},
    {"negated_command", Kind::kNegatedCommand},
    {"number", Kind::kNumber},
    {"pipeline", Kind::kPipeline},
    {"process_substitution", Kind::kProcessSubstitution},
    {"raw_string", Kind::kRawString},
    {"redirected_statement", Kind::kRedirectedStatement},
    {"simple_expansion", Kind::kSimpleExpansion},
    {"string", Kind::kString},
    {"string_content", Kind::kStringContent},
    {"translated_string", Kind::kTranslatedString},
    {"variable_assignment", Kind::kVariableAssignment},
    {"variable_assignments", Kind::kVariableAssignments},
    {"variable_name", Kind::kVariableName},
    {"word", Kind::kWord},
};

constexpr KindName kTokenKinds[] = {
    {"&&", Kind::kTokAnd},        {"||", Kind::kTokOr},      {"|", Kind::kTokPipe},
    {"|&", Kind::kTokPipeStderr}, {"$", Kind::kTokDollar},   {"\"", Kind::kTokDoubleQuote},
    {"+=", Kind::kTokPlusEquals}, {"<<", Kind::kTokHeredoc}, {"<<-", Kind::kTokHeredocDash},
    {">", Kind::kTokGt},          {">>", Kind::kTokGtGt},    {"<", Kind::kTokLt},
    {">&", Kind::kTokGtAmp},      {"<&", Kind::kTokLtAmp},   {"&>", Kind::kTokAmpGt},
    {"&>>", Kind::kTokAmpGtGt},   {">|", Kind::kTokGtPipe},  {">&-", Kind::kTokGtAmpDash},
    {"<&-", Kind::kTokLtAmpDash}, {"<>", Kind::kTokLtGt},    {"&", Kind::kTokBackground},
};

bool IsRedirectKind(Kind k) {
  return k == Kind::kFileRedirect || k == Kind::kHeredocRedirect || k == Kind::kHerestringRedirect;
}

// What the walker needs to know about the language, computed once.
struct Grammar {
  std::vector<Kind> kinds;  // indexed by TSSymbol
  TSFieldId f_body = 0;
  TSFieldId f_redirect = 0;
  TSFieldId f_descriptor = 0;
  TSFieldId f_destination = 0;
  TSFieldId f_name = 0;
  TSFieldId f_value = 0;
  TSFieldId f_argument = 0;
  TSFieldId f_operator = 0;
  TSFieldId f_right = 0;

  explicit Grammar(const TSLanguage* lang) {
    const uint32_t count = ts_language_symbol_count(lang);
    kinds.assign(count, Kind::kOther);
    for (uint32_t s = 0; s < count; ++s) {
      const auto sym = static_cast<TSSymbol>(s);
      const char* name_c = ts_language_symbol_name(lang, sym);
      if (name_c == nullptr) continue;
      const std::string_view name(name_c);
      const TSSymbolType type = ts_language_symbol_type(lang, sym);
      if (type == TSSymbolTypeRegular) {
        for (const KindName& k : kNamedKinds) {
          if (k.name == name) kinds[s] = k.kind;
        }
      } else if (type == TSSymbolTypeAnonymous) {
        for (const KindName& k : kTokenKinds) {
          if (k.name == name) kinds[s] = k.kind;
        }
      }
    }
    auto field = [lang](std::string_view n) {
      return ts_language_field_id_for_name(lang, n.data(), static_cast<uint32_t>(n.size()));
    };
    f_body = field("body");
    f_redirect = field("redirect");
    f_descriptor = field("descriptor");
    f_destination = field("destination");
    f_name = field("name");
    f_value = field("value");
    f_argument = field("argument");
    f_operator = field("operator");
    f_right = field("right");
  }

  Kind KindOf(TSNode n) const {
    const TSSymbol sym = ts_node_symbol(n);
    if (sym == static_cast<TSSymbol>(-1)) return Kind::kError;
    return sym < kinds.size() ? kinds[sym] : Kind::kOther;
  }
};

struct Child {
  TSNode node;
  TSFieldId field;
};

struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};
using TreePtr = std::unique_ptr<TSTree, TreeDeleter>;

struct ParserDeleter {
  void operator()(TSParser* p) const { ts_parser_delete(p); }
};
using TsParserPtr = std::unique_ptr<TSParser, ParserDeleter>;

// TSTreeCursor is a value type owning a heap stack; this gives it RAII.
class Cursor {
 public:
  explicit Cursor(TSNode root) : cursor_(ts_tree_cursor_new(root)) {}
  ~Cursor() { ts_tree_cursor_delete(&cursor_); }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  TSTreeCursor* get() { return &cursor_; }

 private:
  TSTreeCursor cursor_;
};

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// What may follow `$` in a simple expansion: a name, digits, or one of
// bash's special parameters.
bool IsParameterName(std::string_view s) {
  if (s.empty()) return false;
  if (s.size() == 1 && std::string_view("@*#?$!-").find(s[0]) != std::string_view::npos) {
    return true;
  }
  if (IsDigits(s)) return true;
  if (s[0] >= '0' && s[0] <= '9') return false;
  for (char c : s) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

// The length of the `$'...'` literal at the start of `s` under bash's
// escape rules, or npos if it is unterminated.
std::size_t AnsiCLength(std::string_view s) {
  for (std::size_t i = 2; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '\'') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Bytes the grammar skips between tokens (its `extras`): blanks, line
// continuations and a backslash before a blank.
std::size_t ExtraLength(std::string_view s, std::size_t i) {
  const char c = s[i];
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return 1;
  if (c != '\\' || i + 1 >= s.size()) return 0;
  const char n = s[i + 1];
  if (n == '\n' || n == ' ' || n == '\t' || n == '\v' || n == '\f') return 2;
  if (n == '\r') return i + 2 < s.size() && s[i + 2] == '\n' ? 3 : 0;
  return 0;
}

bool IsPlainWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-_./:=,+@%^").find(c) != std::string_view::npos;
}

// Unquoted word text: a backslash quotes the next character, and a
// backslash-newline pair disappears (line continuation).
void AppendUnquoted(std::string_view s, MarkedText& mt) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      if (s[i + 1] != '\n') mt.Append(s[i + 1], kQuoted);
      ++i;
    } else {
      mt.Append(s[i], s[i] == '\\' ? kQuoted : internal::kLiteral);
    }
  }
}

// Double-quoted text: backslash only escapes $ ` " \ and newline.
void AppendDoubleQuoted(std::string_view s, MarkedText& mt) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char n = s[i + 1];
      if (n == '\n') {
        ++i;
        continue;
      }
      if (n == '$' || n == '`' || n == '"' || n == '\\') {
        mt.Append(n, kQuoted);
        ++i;
        continue;
      }
    }
    mt.Append(s[i], kQuoted);
  }
}

// Removes quotes from a heredoc delimiter (`'EOF'`, `"E F"`, `\EOF`).
std::string UnquoteDelimiter(std::string_view s) {
  std::string out;
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (quote == '"' && c == '\\' && i + 1 < s.size() &&
                 (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '$' || s[i + 1] == '`')) {
        out.push_back(s[++i]);
      } else {
        out.push_back(c);
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '\\' && i + 1 < s.size()) {
      out.push_back(s[++i]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

enum class WordContext {
  kArgument,         // brace expansion, tilde, glob
  kRedirectTarget,   // like an argument but must stay one word
  kAssignmentValue,  // no brace expansion or glob; tilde after = and :
  kHereString,       // no brace expansion or glob
};

// Walks one tree into a Program. Lives for one Parse call.
class Walker {
 public:
  Walker(std::string_view src, const ParseOptions& options, const Grammar& grammar,
         std::deque<std::vector<Child>>& pool, TSNode root)
      : src_(src), options_(options), g_(grammar), pool_(pool), cursor_(root) {}

  Program Run(TSNode root);
  // Set when the walk could not represent the source faithfully.
  const std::string& error() const { return error_; }

 private:
  // The children of a node, borrowed from the per-depth pool for the
  // lifetime of the scope. Also enforces the nesting limit.
  class Kids {
   public:
    Kids(Walker& w, TSNode n) : w_(w) {
      if (w_.depth_ == w_.pool_.size()) w_.pool_.emplace_back();
      list_ = &w_.pool_[w_.depth_++];
      list_->clear();
      if (w_.depth_ > kMaxDepth) {
        if (w_.error_.empty()) w_.error_ = "command nested too deeply";
        return;
      }
      TSTreeCursor* c = w_.cursor_.get();
      ts_tree_cursor_reset(c, n);
      if (!ts_tree_cursor_goto_first_child(c)) return;
      do {
        list_->push_back({ts_tree_cursor_current_node(c), ts_tree_cursor_current_field_id(c)});
      } while (ts_tree_cursor_goto_next_sibling(c));
    }
    ~Kids() { --w_.depth_; }
    Kids(const Kids&) = delete;
    Kids& operator=(const Kids&) = delete;

    auto begin() const { return list_->cbegin(); }
    auto end() const { return list_->cend(); }
    std::size_t size() const { return list_->size(); }
    const Child& operator[](std::size_t i) const { return (*list_)[i]; }

   private:
    Walker& w_;
    std::vector<Child>* list_;
  };

  // One statement (an and-or list) under construction.
  struct Builder {
    AndOrList list;
    enum class Join { kNew, kPipe, kPipeStderr } join = Join::kNew;
    bool negate_next = false;
  };

  std::string_view Text(TSNode n) const {
    const uint32_t b = ts_node_start_byte(n);
    const uint32_t e = ts_node_end_byte(n);
    return src_.substr(b, e - b);
  }
  Kind KindOf(TSNode n) const { return g_.KindOf(n); }

  void Unsupported(std::string_view what) {
    for (const std::string& s : program_.unsupported) {
      if (s == what) return;
    }
    program_.unsupported.emplace_back(what);
  }

  // Statements.
  void Walk(TSNode n, Builder& b);
  SimpleCommand& Emit(Builder& b, SimpleCommand cmd);
  SimpleCommand& Last(Builder& b);
  void Op(Builder& b, ListOp op);
  void Command(TSNode n, Builder& b);
  void RedirectedStatement(TSNode n, Builder& b);
  void BuildRedirect(TSNode r, SimpleCommand& cmd, std::vector<TSNode>& extra_words,
                     std::vector<Child>& continuation);
  void FileRedirect(TSNode r, SimpleCommand& cmd, std::vector<TSNode>& extra_words);
  void HeredocRedirect(TSNode r, SimpleCommand& cmd, std::vector<TSNode>& extra_words,
                       std::vector<Child>& continuation);
  void RunContinuation(const std::vector<Child>& continuation, Builder& b);
  void AddAssignment(TSNode n, SimpleCommand& cmd);
  std::string Describe(TSNode n);

  // Words.
  bool Adjacent(TSNode a, TSNode b) const;
  void AppendWords(std::span<const TSNode> nodes, std::vector<Word>& out);
  void BuildWords(std::span<const TSNode> group, WordContext ctx, std::vector<Word>& out);
  Word BuildOneWord(std::span<const TSNode> group, WordContext ctx);
  void AppendNode(TSNode n, MarkedText& mt, bool in_double_quotes);
  void AppendChildren(TSNode n, MarkedText& mt, bool in_double_quotes);
  void AppendString(TSNode n, MarkedText& mt);
  void AppendHome(std::string_view raw, MarkedText& mt, bool in_double_quotes);
  void ScanForExecution(TSNode n);
  void CheckNamedFd(uint32_t redirect_start);
  void SetFd(std::string_view digits, Redirect& red);
  bool TakeGluedFd(TSNode r, Redirect& red, SimpleCommand& cmd, std::vector<TSNode>& words);

  // Coverage. The grammar occasionally drops a word without reporting an
  // error (`python3 - <<EOF` loses the `-`), so every byte the walk turns
  // into IR is recorded, and any other byte that is not blank fails the
  // parse rather than yielding a silently different command.
  void Cover(uint32_t begin, uint32_t end) { covered_.emplace_back(begin, end); }
  void Cover(TSNode n) { Cover(ts_node_start_byte(n), ts_node_end_byte(n)); }
  // An operator token must read as its own spelling: the grammar can fold a
  // word into it (`cat -<<EOF` yields a `<<` token spelled `-<<`).
  void CoverToken(TSNode n);
  void Misparse(uint32_t at, std::string_view what);
  void RecoverDroppedWords(uint32_t begin, uint32_t end, SimpleCommand& cmd);
  void CheckCoverage();

  std::string_view src_;
  const ParseOptions& options_;
  const Grammar& g_;
  std::deque<std::vector<Child>>& pool_;
  Cursor cursor_;
  std::size_t depth_ = 0;
  std::string error_;
  std::vector<std::pair<uint32_t, uint32_t>> covered_;
  Program program_;
};

void Walker::Misparse(uint32_t at, std::string_view what) {
  if (!error_.empty()) return;
  uint32_t line = 1;
  uint32_t col = 1;
  for (uint32_t i = 0; i < at && i < src_.size(); ++i) {
    if (src_[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  error_ = "unsupported: the bash grammar misreads `" + std::string(what) + "' at " +
           std::to_string(line) + ":" + std::to_string(col);
}

void Walker::CoverToken(TSNode n) {
  const std::string_view text = Text(n);
  if (text != ts_node_type(n)) {
    Misparse(ts_node_start_byte(n), text);
    return;
  }
  Cover(n);
}

// Words made only of characters with no meaning to bash can be taken back
// verbatim when the grammar drops them between a command and its redirect.
void Walker::RecoverDroppedWords(uint32_t begin, uint32_t end, SimpleCommand& cmd) {
  const std::string_view gap = src_.substr(begin, end - begin);
  std::size_t i = 0;
  while (i < gap.size()) {
    if (const std::size_t n = ExtraLength(gap, i); n > 0) {
      i += n;
      continue;
    }
    std::size_t j = i;
    while (j < gap.size() && IsPlainWordChar(gap[j])) ++j;
    if (j == i || (j < gap.size() && ExtraLength(gap, j) == 0)) return;  // not plain: report
    Word w;
    w.text = gap.substr(i, j - i);
    w.raw = w.text;
    cmd.argv.push_back(std::move(w));
    Cover(begin + static_cast<uint32_t>(i), begin + static_cast<uint32_t>(j));
    i = j;
  }
}

void Walker::CheckCoverage() {
  std::sort(covered_.begin(), covered_.end());
  std::size_t pos = 0;
  auto check_gap = [&](std::size_t end) {
    for (std::size_t i = pos; i < end;) {
      const std::size_t n = ExtraLength(src_, i);
      if (n == 0) {
        std::size_t j = i;
        while (j < end && ExtraLength(src_, j) == 0) ++j;
        Misparse(static_cast<uint32_t>(i), src_.substr(i, std::min<std::size_t>(j - i, 32)));
        return;
      }
      i += n;
    }
  };
  for (const auto& [b, e] : covered_) {
    if (b > pos) check_gap(b);
    pos = std::max<std::size_t>(pos, e);
  }
  if (pos < src_.size()) check_gap(src_.size());
}

Program Walker::Run(TSNode root) {
  Kids kids(*this, root);
  bool last_is_statement = false;
  for (const Child& c : kids) {
    const Kind k = KindOf(c.node);
    if (k == Kind::kTokBackground) {
      CoverToken(c.node);
      if (last_is_statement) program_.statements.back().background = true;
      last_is_statement = false;
      continue;
    }
    if (!ts_node_is_named(c.node) || k == Kind::kComment) {
      if (ts_node_is_named(c.node) || Text(c.node) == ";") Cover(c.node);
      last_is_statement = false;
      continue;
    }
    Builder b;
    Walk(c.node, b);
    last_is_statement = false;
    if (b.list.pipelines.empty()) continue;
    if (b.list.ops.size() >= b.list.pipelines.size()) Emit(b, {});
    program_.statements.push_back(std::move(b.list));
    last_is_statement = true;
  }
  if (error_.empty()) CheckCoverage();
  return std::move(program_);
}

SimpleCommand& Walker::Emit(Builder& b, SimpleCommand cmd) {
  auto& pipes = b.list.pipelines;
  if (b.join == Builder::Join::kNew || pipes.empty() || b.list.ops.size() >= pipes.size()) {
    Pipeline p;
    p.negated = b.negate_next;
    p.stages.push_back(std::move(cmd));
    pipes.push_back(std::move(p));
  } else {
    Pipeline& p = pipes.back();
    p.stderr_piped.push_back(b.join == Builder::Join::kPipeStderr);
    p.stages.push_back(std::move(cmd));
    if (b.negate_next) Unsupported("negation inside a pipeline");
  }
  b.negate_next = false;
  b.join = Builder::Join::kNew;
  return pipes.back().stages.back();
}

SimpleCommand& Walker::Last(Builder& b) {
  if (b.list.pipelines.empty() || b.list.ops.size() >= b.list.pipelines.size()) {
    return Emit(b, {});
  }
  return b.list.pipelines.back().stages.back();
}

void Walker::Op(Builder& b, ListOp op) {
  if (b.list.ops.size() >= b.list.pipelines.size()) Emit(b, {});
  b.list.ops.push_back(op);
  b.join = Builder::Join::kNew;
}

void Walker::Walk(TSNode n, Builder& b) {
  switch (KindOf(n)) {
    case Kind::kList: {
      // `a && b || c` nests to the left: list(list(a && b) || c). The left
      // spine is walked iteratively so a long chain costs no stack depth.
      std::vector<TSNode> spine{n};
      for (TSNode first = ts_node_child(n, 0);
           !ts_node_is_null(first) && KindOf(first) == Kind::kList;
           first = ts_node_child(first, 0)) {
        spine.push_back(first);
      }
      for (std::size_t level = spine.size(); level-- > 0;) {
        Kids kids(*this, spine[level]);
        for (std::size_t i = 0; i < kids.size(); ++i) {
          const TSNode c = kids[i].node;
          const Kind k = KindOf(c);
          if (i == 0 && level + 1 < spine.size()) continue;  // the nested list, done
          if (k == Kind::kTokAnd) {
            CoverToken(c);
            Op(b, ListOp::kAnd);
          } else if (k == Kind::kTokOr) {
            CoverToken(c);
            Op(b, ListOp::kOr);
          } else if (ts_node_is_named(c)) {
            Walk(c, b);
          }
        }
      }
      return;
    }
    case Kind::kPipeline: {
      Kids kids(*this, n);
      for (const Child& c : kids) {
        const Kind k = KindOf(c.node);
        if (k == Kind::kTokPipe) {
          CoverToken(c.node);
          b.join = Builder::Join::kPipe;
        } else if (k == Kind::kTokPipeStderr) {
          CoverToken(c.node);
          b.join = Builder::Join::kPipeStderr;
        } else if (ts_node_is_named(c.node)) {
          Walk(c.node, b);
        }
      }
      return;
    }
    case Kind::kNegatedCommand: {
      // `!` negates the whole pipeline it starts; the grammar wraps only the
      // first stage, so the flag is carried to the next new pipeline.
      if (b.join != Builder::Join::kNew) {
        Unsupported("negation inside a pipeline");
      } else {
        b.negate_next = true;
      }
      Kids kids(*this, n);
      for (const Child& c : kids) {
        if (ts_node_is_named(c.node)) {
          Walk(c.node, b);
        } else {
          CoverToken(c.node);
        }
      }
      return;
    }
    case Kind::kRedirectedStatement:
      RedirectedStatement(n, b);
      return;
    case Kind::kCommand:
      Command(n, b);
      return;
    case Kind::kVariableAssignment: {
      SimpleCommand cmd;
      AddAssignment(n, cmd);
      Emit(b, std::move(cmd));
      return;
    }
    case Kind::kVariableAssignments: {
      SimpleCommand cmd;
      Kids kids(*this, n);
      for (const Child& c : kids) {
        if (KindOf(c.node) == Kind::kVariableAssignment) AddAssignment(c.node, cmd);
      }
      Emit(b, std::move(cmd));
      return;
    }
    case Kind::kComment:
      Cover(n);
      return;
    default:
      // Outside the IR: keep the statement's shape with an empty placeholder
      // command so pipeline/list arity stays right.
      Cover(n);
      Unsupported(Describe(n));
      ScanForExecution(n);
      Emit(b, {});
      return;
  }
}

std::string Walker::Describe(TSNode n) {
  const std::string_view type = ts_node_type(n);
  std::string_view first;
  if (ts_node_child_count(n) > 0) first = Text(ts_node_child(n, 0));
  if (type == "subshell") return "subshell ( )";
  if (type == "compound_statement") return "command group { }";
  if (type == "if_statement") return "if statement";
  if (type == "for_statement") return first == "select" ? "select loop" : "for loop";
  if (type == "c_style_for_statement") return "for (( )) loop";
  if (type == "while_statement") return first == "until" ? "until loop" : "while loop";
  if (type == "case_statement") return "case statement";
  if (type == "function_definition") return "function definition";
  if (type == "unset_command") return "unset command";
  if (type == "declaration_command") return "declaration command (" + std::string(first) + ")";
  if (type == "test_command") {
    if (first == "[[") return "conditional command [[ ]]";
    if (first == "((") return "arithmetic command (( ))";
    return "test command [ ]";
  }
  return std::string(type);
}

void Walker::Command(TSNode n, Builder& b) {
  SimpleCommand cmd;
  std::vector<TSNode> words;
  std::vector<Child> continuation;
  {
    Kids kids(*this, n);
    for (const Child& c : kids) {
      const Kind k = KindOf(c.node);
      if (k == Kind::kVariableAssignment) {
        AddAssignment(c.node, cmd);
      } else if (IsRedirectKind(k)) {
        BuildRedirect(c.node, cmd, words, continuation);
      } else if (k == Kind::kComment) {
        Cover(c.node);
      } else if (c.field == g_.f_name || c.field == g_.f_argument || ts_node_is_named(c.node)) {
        words.push_back(c.node);
      }
    }
  }
  AppendWords(words, cmd.argv);
  // Reserved words the grammar reads as command names. Bash only treats them
  // as keywords in command position, i.e. before any assignment.
  if (cmd.assignments.empty() && !cmd.argv.empty()) {
    const std::string_view first = cmd.argv[0].raw;
    if (first == "time") Unsupported("time keyword");
    if (first == "coproc") Unsupported("coproc");
  }
  Emit(b, std::move(cmd));
  RunContinuation(continuation, b);
}

void Walker::RedirectedStatement(TSNode n, Builder& b) {
  std::vector<TSNode> redirects;
  uint32_t body_end = ts_node_start_byte(n);
  {
    Kids kids(*this, n);
    for (const Child& c : kids) {
      if (c.field == g_.f_body) {
        Walk(c.node, b);
        body_end = ts_node_end_byte(c.node);
      } else if (IsRedirectKind(KindOf(c.node))) {
        redirects.push_back(c.node);
      }
    }
  }
  // Bash binds a redirect after `a | b` or `a && b` to `b` alone; the
  // grammar hangs it on the whole pipeline/list, so it goes to the last
  // simple command emitted for the body.
  uint32_t prev_end = body_end;
  for (TSNode r : redirects) {
    std::vector<TSNode> extra_words;
    std::vector<Child> continuation;
    SimpleCommand& last = Last(b);
    if (ts_node_start_byte(r) > prev_end) {
      RecoverDroppedWords(prev_end, ts_node_start_byte(r), last);
    }
    prev_end = ts_node_end_byte(r);
    BuildRedirect(r, last, extra_words, continuation);
    AppendWords(extra_words, last.argv);
    RunContinuation(continuation, b);
  }
}

void Walker::RunContinuation(const std::vector<Child>& continuation, Builder& b) {
  for (const Child& c : continuation) {
    const Kind k = KindOf(c.node);
    if (!ts_node_is_named(c.node)) CoverToken(c.node);
    if (k == Kind::kTokAnd) {
      Op(b, ListOp::kAnd);
    } else if (k == Kind::kTokOr) {
      Op(b, ListOp::kOr);
    } else if (k == Kind::kTokPipe) {
      b.join = Builder::Join::kPipe;
    } else if (k == Kind::kTokPipeStderr) {
      b.join = Builder::Join::kPipeStderr;
    } else if (ts_node_is_named(c.node)) {
      Walk(c.node, b);
    }
  }
}

void Walker::BuildRedirect(TSNode r, SimpleCommand& cmd, std::vector<TSNode>& extra_words,
                           std::vector<Child>& continuation) {
  switch (KindOf(r)) {
    case Kind::kFileRedirect:
      FileRedirect(r, cmd, extra_words);
      return;
    case Kind::kHeredocRedirect:
      HeredocRedirect(r, cmd, extra_words, continuation);
      return;
    case Kind::kHerestringRedirect: {
      Redirect red;
      red.op = RedirectOp::kHereString;
      bool has_descriptor = false;
      std::vector<TSNode> target;
      {
        Kids kids(*this, r);
        for (const Child& c : kids) {
          if (c.field == g_.f_descriptor) {
            has_descriptor = true;
            Cover(c.node);
            SetFd(Text(c.node), red);
          } else if (!ts_node_is_named(c.node)) {
            CoverToken(c.node);
          } else if (KindOf(c.node) == Kind::kComment) {
            Cover(c.node);
          } else {
            target.push_back(c.node);
          }
        }
      }
      if (!has_descriptor) {
        CheckNamedFd(ts_node_start_byte(r));
        TakeGluedFd(r, red, cmd, extra_words);
      }
      std::size_t first_end = 1;
      while (first_end < target.size() && Adjacent(target[first_end - 1], target[first_end])) {
        ++first_end;
      }
      if (!target.empty()) {
        red.target = BuildOneWord(std::span(target).first(first_end), WordContext::kHereString);
        extra_words.insert(extra_words.end(), target.begin() + first_end, target.end());
      }
      cmd.redirects.push_back(std::move(red));
      return;
    }
    default:
      return;
  }
}

void Walker::CheckNamedFd(uint32_t redirect_start) {
  // `{var}>file` allocates a descriptor into $var; the grammar reads `{var}`
  // as an ordinary argument word right before the operator.
  if (redirect_start == 0 || src_[redirect_start - 1] != '}') return;
  std::size_t i = redirect_start - 1;
  while (i > 0 && IsNameChar(src_[i - 1])) --i;
  if (i == 0 || src_[i - 1] != '{' || i == redirect_start - 1) return;
  if (i - 1 == 0 || src_[i - 2] == ' ' || src_[i - 2] == '\t' || src_[i - 2] == '\n') {
    Unsupported("named file descriptor {var}>");
  }
}

void Walker::SetFd(std::string_view digits, Redirect& red) {
  if (!IsDigits(digits) || digits.size() > 9) {
    Unsupported("redirect with an unusual file descriptor");
    return;
  }
  red.fd = std::atoi(std::string(digits).c_str());
}

// The grammar reads the `0` of `cat 0<in` as a number argument followed by
// a descriptor-less redirect. Bash reads digits glued to the operator as its
// descriptor: take them back from the words, newest first.
bool Walker::TakeGluedFd(TSNode r, Redirect& red, SimpleCommand& cmd, std::vector<TSNode>& words) {
  const uint32_t start = ts_node_start_byte(r);
  uint32_t begin = start;
  while (begin > 0 && src_[begin - 1] >= '0' && src_[begin - 1] <= '9') --begin;
  if (begin == start) return false;
  if (begin > 0) {
    const char before = src_[begin - 1];
    if (before != ' ' && before != '\t' && before != '\n') return false;
  }
  const std::string_view digits = src_.substr(begin, start - begin);
  if (!words.empty() && ts_node_start_byte(words.back()) == begin &&
      ts_node_end_byte(words.back()) == start) {
    words.pop_back();
    Cover(begin, start);
  } else if (words.empty() && !cmd.argv.empty() && cmd.argv.back().raw == digits) {
    cmd.argv.pop_back();
  } else {
    return false;
  }
  SetFd(digits, red);
  return true;
}

void Walker::FileRedirect(TSNode r, SimpleCommand& cmd, std::vector<TSNode>& extra_words) {
  Redirect red;
  Kind op = Kind::kOther;
  bool has_descriptor = false;
  std::vector<TSNode> destinations;
  {
    Kids kids(*this, r);
    for (const Child& c : kids) {
      const Kind k = KindOf(c.node);
      if (c.field == g_.f_descriptor) {
        has_descriptor = true;
        Cover(c.node);
        SetFd(Text(c.node), red);
      } else if (c.field == g_.f_destination) {
        destinations.push_back(c.node);
      } else if (!ts_node_is_named(c.node)) {
        CoverToken(c.node);
        op = k;
      }
    }
  }
  if (!has_descriptor) {
    CheckNamedFd(ts_node_start_byte(r));
    has_descriptor = TakeGluedFd(r, red, cmd, extra_words);
  }

  // Only the first destination (with any pieces glued to it) is the target:
  // the rest are the words the grammar swallowed after a mid-command
  // redirect, which bash passes to the command.
  std::size_t first_end = destinations.empty() ? 0 : 1;
  while (first_end < destinations.size() &&
         Adjacent(destinations[first_end - 1], destinations[first_end])) {
    ++first_end;
  }
  if (first_end > 0) {
    red.target =
        BuildOneWord(std::span(destinations).first(first_end), WordContext::kRedirectTarget);
  }
  extra_words.insert(extra_words.end(), destinations.begin() + first_end, destinations.end());

  const bool target_is_fd =
      red.target.resolved && (IsDigits(red.target.text) || red.target.text == "-");
  switch (op) {
    case Kind::kTokGt:
    case Kind::kTokGtPipe:
      red.op = RedirectOp::kOutput;
      break;
    case Kind::kTokGtGt:
      red.op = RedirectOp::kAppend;
      break;
    case Kind::kTokLt:
      red.op = RedirectOp::kInput;
      break;
    case Kind::kTokAmpGt:
      red.op = RedirectOp::kOutputBoth;
      break;
    case Kind::kTokAmpGtGt:
      red.op = RedirectOp::kAppendBoth;
      break;
    case Kind::kTokLtGt:
      red.op = RedirectOp::kReadWrite;
      break;
    case Kind::kTokGtAmpDash:
    case Kind::kTokLtAmpDash:
      red.op = op == Kind::kTokGtAmpDash ? RedirectOp::kDuplicateOut : RedirectOp::kDuplicateIn;
      red.target.text = "-";
      red.target.raw = "-";
      break;
    case Kind::kTokGtAmp:
      if (target_is_fd || !red.target.resolved) {
        red.op = RedirectOp::kDuplicateOut;
      } else if (has_descriptor) {
        // `2>&file` is an "ambiguous redirect" error in bash: leave it to bash.
        red.op = RedirectOp::kDuplicateOut;
        red.target.resolved = false;
        red.target.unresolved_reason = "ambiguous redirect";
      } else {
        red.op = RedirectOp::kOutputBoth;
      }
      break;
    case Kind::kTokLtAmp:
      red.op = RedirectOp::kDuplicateIn;
      if (!target_is_fd && red.target.resolved) {
        red.target.resolved = false;
        red.target.unresolved_reason = "ambiguous redirect";
      }
      break;
    default:
      Unsupported("unknown redirect operator");
      break;
  }
  cmd.redirects.push_back(std::move(red));
}

void Walker::HeredocRedirect(TSNode r, SimpleCommand& cmd, std::vector<TSNode>& extra_words,
                             std::vector<Child>& continuation) {
  Redirect red;
  red.op = RedirectOp::kHeredoc;
  bool strip_tabs = false;
  TSNode start{};
  TSNode body{};
  TSNode end{};
  bool has_start = false;
  bool has_body = false;
  bool has_end = false;
  bool has_descriptor = false;
  std::vector<TSNode> later_redirects;
  {
    Kids kids(*this, r);
    for (const Child& c : kids) {
      const Kind k = KindOf(c.node);
      if (c.field == g_.f_descriptor) {
        has_descriptor = true;
        Cover(c.node);
        SetFd(Text(c.node), red);
      } else if (k == Kind::kTokHeredocDash || k == Kind::kTokHeredoc) {
        CoverToken(c.node);
        strip_tabs = k == Kind::kTokHeredocDash;
      } else if (k == Kind::kHeredocStart) {
        Cover(c.node);
        start = c.node;
        has_start = true;
      } else if (k == Kind::kHeredocBody) {
        body = c.node;
        has_body = true;
      } else if (k == Kind::kHeredocEnd) {
        Cover(c.node);
        end = c.node;
        has_end = true;
      } else if (IsRedirectKind(k)) {
        // `cat <<EOF > out`: a later redirect of the same command, added
        // after the heredoc to keep source order.
        later_redirects.push_back(c.node);
      } else if (c.field == g_.f_argument) {
        extra_words.push_back(c.node);
      } else if (k == Kind::kComment) {
        Cover(c.node);
      } else {
        // The rest of the heredoc's line: `| next`, `&& next`, `|| next`.
        continuation.push_back(c);
      }
    }
  }

  if (has_start) {
    const std::string_view delim = Text(start);
    red.target.raw = delim;
    red.target.text = UnquoteDelimiter(delim);
  }
  // The body runs from the start of the line after the command to the
  // start of the terminator line; the node boundaries themselves exclude
  // the indentation of `<<-` bodies.
  auto line_start = [this](std::size_t pos) {
    while (pos > 0 && src_[pos - 1] != '\n') --pos;
    return pos;
  };
  std::string raw_body;
  if (has_body || has_end) {
    const std::size_t b0 = line_start(ts_node_start_byte(has_body ? body : end));
    const std::size_t e0 = has_end ? line_start(ts_node_start_byte(end)) : ts_node_end_byte(body);
    if (e0 > b0) {
      raw_body = src_.substr(b0, e0 - b0);
      Cover(static_cast<uint32_t>(b0), static_cast<uint32_t>(e0));
    }
  }
  if (strip_tabs) {
    std::string stripped;
    stripped.reserve(raw_body.size());
    bool at_line_start = true;
    for (char c : raw_body) {
      if (at_line_start && c == '\t') continue;
      at_line_start = c == '\n';
      stripped.push_back(c);
    }
    raw_body = std::move(stripped);
  }
  const bool quoted = red.target.raw.find_first_of("'\"\\") != std::string::npos;
  if (quoted) {
    red.heredoc_body = std::move(raw_body);
  } else {
    internal::HeredocExpansion e = internal::ExpandHeredocBody(raw_body, options_.home);
    red.heredoc_body = std::move(e.text);
    red.heredoc_expanded = e.expanded;
    if (e.executes) Unsupported("command substitution");
    if (e.arithmetic) Unsupported("arithmetic expansion");
  }
  if (!has_descriptor) TakeGluedFd(r, red, cmd, extra_words);
  cmd.redirects.push_back(std::move(red));
  for (TSNode later : later_redirects) BuildRedirect(later, cmd, extra_words, continuation);
}

void Walker::AddAssignment(TSNode n, SimpleCommand& cmd) {
  Assignment a;
  std::vector<TSNode> value;
  {
    Kids kids(*this, n);
    for (const Child& c : kids) {
      const Kind k = KindOf(c.node);
      if (c.field == g_.f_name) {
        Cover(c.node);
        a.name = Text(c.node);
        if (k != Kind::kVariableName) Unsupported("array element assignment");
      } else if (c.field == g_.f_value) {
        if (k == Kind::kArray) Unsupported("array assignment");
        value.push_back(c.node);
      } else if (!ts_node_is_named(c.node)) {
        CoverToken(c.node);
        if (k == Kind::kTokPlusEquals) Unsupported("append assignment +=");
      }
    }
  }
  if (!value.empty()) a.value = BuildOneWord(value, WordContext::kAssignmentValue);
  cmd.assignments.push_back(std::move(a));
}

// Two word pieces belong to one shell word when nothing but escaped
// characters separates them (the grammar splits `$"x"` and `a\<nl>b`).
bool Walker::Adjacent(TSNode a, TSNode b) const {
  const uint32_t e = ts_node_end_byte(a);
  const uint32_t s = ts_node_start_byte(b);
  if (s < e) return false;
  // Only backslash pairs may separate them: a line continuation, or an
  // escaped character the grammar dropped from both nodes (`{a,b}\ c`).
  const std::string_view gap = src_.substr(e, s - e);
  for (std::size_t i = 0; i < gap.size(); i += 2) {
    if (gap[i] != '\\' || i + 1 >= gap.size()) return false;
  }
  return true;
}

void Walker::AppendWords(std::span<const TSNode> nodes, std::vector<Word>& out) {
  for (std::size_t i = 0; i < nodes.size();) {
    std::size_t j = i + 1;
    while (j < nodes.size() && Adjacent(nodes[j - 1], nodes[j])) ++j;
    BuildWords(nodes.subspan(i, j - i), WordContext::kArgument, out);
    i = j;
  }
}

Word Walker::BuildOneWord(std::span<const TSNode> group, WordContext ctx) {
  std::vector<Word> words;
  BuildWords(group, ctx, words);
  if (words.empty()) return Word{};
  return std::move(words.front());
}

void Walker::BuildWords(std::span<const TSNode> group, WordContext ctx, std::vector<Word>& out) {
  if (group.empty()) return;
  MarkedText mt;
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (i > 0) {
      const uint32_t gap_begin = ts_node_end_byte(group[i - 1]);
      AppendUnquoted(src_.substr(gap_begin, ts_node_start_byte(group[i]) - gap_begin), mt);
    }
    // `$"..."` (locale translation) is the plain string in memhook's
    // C/UTF-8 locale; the grammar leaves the `$` as a separate token.
    if (KindOf(group[i]) == Kind::kTokDollar && i + 1 < group.size() &&
        KindOf(group[i + 1]) == Kind::kString &&
        ts_node_end_byte(group[i]) == ts_node_start_byte(group[i + 1])) {
      continue;
    }
    AppendNode(group[i], mt, false);
  }
  const uint32_t raw_begin = ts_node_start_byte(group.front());
  const uint32_t raw_end = ts_node_end_byte(group.back());
  Cover(raw_begin, raw_end);
  const std::string_view raw = src_.substr(raw_begin, raw_end - raw_begin);
  const std::string_view home = options_.home;

  // The grammar takes `[ ]` for one word; bash splits at unquoted blanks
  // before anything else. A newline would even end the command: give up.
  bool blanks = false;
  for (std::size_t i = 0; i < mt.text.size(); ++i) {
    if (mt.marks[i] != internal::kLiteral) continue;
    const char c = mt.text[i];
    if (c == '\n') mt.Unresolve("unquoted newline inside a word (grammar misparse)");
    if (c == ' ' || c == '\t') blanks = true;
  }
  if (blanks && ctx != WordContext::kArgument) {
    mt.Unresolve("unquoted blank inside a word (grammar misparse)");
  }

  switch (ctx) {
    case WordContext::kArgument: {
      std::vector<MarkedText> fields;
      if (blanks) {
        fields = internal::SplitOnBlanks(mt);
      } else {
        fields.push_back(std::move(mt));
      }
      for (const MarkedText& field : fields) {
        const internal::TildeMode mode = internal::LooksLikeAssignment(field)
                                             ? internal::TildeMode::kAssignmentLike
                                             : internal::TildeMode::kWordStart;
        for (MarkedText& w : internal::BraceExpand(field, kMaxBraceWords)) {
          internal::ExpandTilde(w, mode, home);
          // Bash drops unquoted words that expand to nothing (`{,a}` -> a).
          if (internal::IsNullWord(w)) continue;
          out.push_back(internal::FinalizeWord(w, raw, /*glob=*/true));
        }
      }
      return;
    }
    case WordContext::kRedirectTarget: {
      std::vector<MarkedText> words = internal::BraceExpand(mt, kMaxBraceWords);
      MarkedText& w = words.front();
      if (words.size() != 1) w.Unresolve("ambiguous redirect");
      internal::ExpandTilde(w, internal::TildeMode::kWordStart, home);
      out.push_back(internal::FinalizeWord(w, raw, /*glob=*/true));
      return;
    }
    case WordContext::kAssignmentValue:
      internal::ExpandTilde(mt, internal::TildeMode::kAssignment, home);
      out.push_back(internal::FinalizeWord(mt, raw, /*glob=*/false));
      return;
    case WordContext::kHereString:
      internal::ExpandTilde(mt, internal::TildeMode::kWordStart, home);
      out.push_back(internal::FinalizeWord(mt, raw, /*glob=*/false));
      return;
  }
}

void Walker::AppendHome(std::string_view raw, MarkedText& mt, bool in_double_quotes) {
  const std::string_view home = options_.home;
  if (home.empty()) {
    mt.Unresolve("$HOME with no home directory configured");
    mt.Append(raw, kExpanded);
    return;
  }
  // Unquoted, bash would split the value on blanks and glob it.
  if (!in_double_quotes && home.find_first_of(" \t\n*?[") != std::string_view::npos) {
    mt.Unresolve("unquoted $HOME containing blanks or glob characters");
  }
  mt.Append(home, kExpanded);
}

void Walker::AppendChildren(TSNode n, MarkedText& mt, bool in_double_quotes) {
  uint32_t pos = ts_node_start_byte(n);
  Kids kids(*this, n);
  for (const Child& c : kids) {
    const uint32_t s = ts_node_start_byte(c.node);
    if (s > pos) {
      const std::string_view gap = src_.substr(pos, s - pos);
      in_double_quotes ? AppendDoubleQuoted(gap, mt) : AppendUnquoted(gap, mt);
    }
    AppendNode(c.node, mt, in_double_quotes);
    pos = ts_node_end_byte(c.node);
  }
  const uint32_t e = ts_node_end_byte(n);
  if (e > pos) {
    const std::string_view gap = src_.substr(pos, e - pos);
    in_double_quotes ? AppendDoubleQuoted(gap, mt) : AppendUnquoted(gap, mt);
  }
}

void Walker::AppendString(TSNode n, MarkedText& mt) {
  mt.AddQuoteMarker();
  uint32_t pos = ts_node_start_byte(n);
  Kids kids(*this, n);
  for (const Child& c : kids) {
    const uint32_t s = ts_node_start_byte(c.node);
    if (s > pos) AppendDoubleQuoted(src_.substr(pos, s - pos), mt);
    const Kind k = KindOf(c.node);
    if (k == Kind::kStringContent) {
      AppendDoubleQuoted(Text(c.node), mt);
    } else if (k != Kind::kTokDoubleQuote) {
      AppendNode(c.node, mt, /*in_double_quotes=*/true);
    }
    pos = ts_node_end_byte(c.node);
  }
  const uint32_t e = ts_node_end_byte(n);
  if (e > pos) AppendDoubleQuoted(src_.substr(pos, e - pos), mt);
}

void Walker::AppendNode(TSNode n, MarkedText& mt, bool in_double_quotes) {
  const std::string_view text = Text(n);
  switch (KindOf(n)) {
    case Kind::kWord:
    case Kind::kNumber:
    case Kind::kBraceExpression:
      if (in_double_quotes) {
        AppendDoubleQuoted(text, mt);
      } else {
        AppendUnquoted(text, mt);
      }
      return;
    case Kind::kStringContent:
      AppendDoubleQuoted(text, mt);
      return;
    case Kind::kCommandName:
    case Kind::kConcatenation:
      AppendChildren(n, mt, in_double_quotes);
      return;
    case Kind::kString:
      AppendString(n, mt);
      return;
    case Kind::kTranslatedString: {
      Kids kids(*this, n);
      for (const Child& c : kids) {
        if (KindOf(c.node) == Kind::kString) AppendString(c.node, mt);
      }
      return;
    }
    case Kind::kRawString:
      mt.AddQuoteMarker();
      if (text.size() >= 2) mt.Append(text.substr(1, text.size() - 2), kQuoted);
      return;
    case Kind::kAnsiCString:
      // The grammar's $'...' token mishandles `\\` before a quote and can
      // run on past the real end: such a word is left to bash.
      if (AnsiCLength(text) != text.size()) {
        Unsupported("$'...' string the grammar misparses");
        mt.Unresolve("misparsed $'...' string");
        mt.Append(text, kExpanded);
        return;
      }
      mt.AddQuoteMarker();
      if (text.size() >= 3) {
        mt.Append(internal::DecodeAnsiC(text.substr(2, text.size() - 3)), kQuoted);
      }
      return;
    case Kind::kSimpleExpansion: {
      const std::string_view name = text.substr(1);
      if (!IsParameterName(name)) {
        // The grammar reads `"$ x"` as an expansion of ` x`; bash prints a
        // literal `$` there.
        mt.Append('$', in_double_quotes ? kQuoted : internal::kLiteral);
        in_double_quotes ? AppendDoubleQuoted(name, mt) : AppendUnquoted(name, mt);
        return;
      }
      if (name == "HOME") {
        AppendHome(text, mt, in_double_quotes);
        return;
      }
      // `$?` is left as a marker for the executor, which knows the status.
      // A source that already holds the marker's byte keeps `$?` unresolved.
      if (name == "?" && src_.find(kLastStatusMarker[0]) == std::string_view::npos) {
        mt.Append(std::string_view(kLastStatusMarker), kQuoted);
        return;
      }
      if (IsDigits(name)) {
        mt.Unresolve("positional parameter " + std::string(text));
      } else if (!name.empty() && IsNameChar(name[0])) {
        mt.Unresolve("variable " + std::string(text));
      } else {
        mt.Unresolve("special parameter " + std::string(text));
      }
      mt.Append(text, kExpanded);
      return;
    }
    case Kind::kExpansion:
      if (text == "${HOME}") {
        AppendHome(text, mt, in_double_quotes);
        return;
      }
      mt.Unresolve("parameter expansion " + std::string(text));
      ScanForExecution(n);
      mt.Append(text, kExpanded);
      return;
    case Kind::kCommandSubstitution:
      Unsupported("command substitution");
      mt.Unresolve("command substitution");
      mt.Append(text, kExpanded);
      return;
    case Kind::kProcessSubstitution:
      Unsupported("process substitution");
      mt.Unresolve("process substitution");
      mt.Append(text, kExpanded);
      return;
    case Kind::kArithmeticExpansion:
      Unsupported("arithmetic expansion");
      mt.Unresolve("arithmetic expansion");
      mt.Append(text, kExpanded);
      return;
    default:
      if (!ts_node_is_named(n)) {
        // A bare token the grammar split off a word, e.g. a lone `$`.
        if (in_double_quotes) {
          mt.Append(text, kQuoted);
        } else {
          AppendUnquoted(text, mt);
        }
        return;
      }
      mt.Unresolve("unsupported word syntax (" + std::string(ts_node_type(n)) + ")");
      ScanForExecution(n);
      mt.Append(text, kExpanded);
      return;
  }
}

// Records constructs that would execute code anywhere below `n` (used for
// subtrees memhook does not otherwise evaluate).
void Walker::ScanForExecution(TSNode n) {
  Kids kids(*this, n);
  for (const Child& c : kids) {
    switch (KindOf(c.node)) {
      case Kind::kCommandSubstitution:
        Unsupported("command substitution");
        break;
      case Kind::kProcessSubstitution:
        Unsupported("process substitution");
        break;
      case Kind::kArithmeticExpansion:
        Unsupported("arithmetic expansion");
        break;
      default:
        if (ts_node_named_child_count(c.node) > 0) ScanForExecution(c.node);
        break;
    }
  }
}

// "syntax error near `X' at L:C" for the first ERROR or MISSING node.
std::string DescribeSyntaxError(TSNode root, std::string_view src) {
  Cursor cursor(root);
  TSTreeCursor* c = cursor.get();
  for (;;) {
    const TSNode n = ts_tree_cursor_current_node(c);
    const bool missing = ts_node_is_missing(n);
    const bool error = ts_node_symbol(n) == static_cast<TSSymbol>(-1);
    if (missing || error) {
      TSNode at = n;
      // Inside an ERROR node, skip the complete statements it swallowed and
      // point at the first token that does not fit.
      while (error && ts_node_child_count(at) > 0) {
        const uint32_t count = ts_node_child_count(at);
        TSNode pick = ts_node_child(at, 0);
        for (uint32_t i = 0; i < count; ++i) {
          const TSNode ch = ts_node_child(at, i);
          if (!ts_node_is_named(ch) || ts_node_has_error(ch) || ts_node_child_count(ch) == 0) {
            pick = ch;
            break;
          }
        }
        at = pick;
      }
      const TSPoint p = ts_node_start_point(at);
      const std::string pos =
          " at " + std::to_string(p.row + 1) + ":" + std::to_string(p.column + 1);
      if (missing) {
        const std::string_view type = ts_node_type(n);
        return "syntax error: missing " +
               (ts_node_is_named(n) ? std::string(type) : "`" + std::string(type) + "'") + pos;
      }
      const uint32_t b = ts_node_start_byte(at);
      std::string_view tok = src.substr(b, ts_node_end_byte(at) - b);
      tok = tok.substr(0, std::min(tok.find('\n'), std::size_t{32}));
      if (tok.empty()) return "syntax error: unexpected end of input" + pos;
      return "syntax error near `" + std::string(tok) + "'" + pos;
    }
    if (ts_node_has_error(n) && ts_tree_cursor_goto_first_child(c)) continue;
    while (!ts_tree_cursor_goto_next_sibling(c)) {
      if (!ts_tree_cursor_goto_parent(c)) return "syntax error";
    }
  }
}

}  // namespace

struct Parser::Impl {
  TsParserPtr parser{ts_parser_new()};
  Grammar grammar{tree_sitter_bash()};
  // Per-depth child lists, reused by every parse.
  std::deque<std::vector<Child>> pool;
  bool language_ok = false;

  Impl() { language_ok = ts_parser_set_language(parser.get(), tree_sitter_bash()); }

  TreePtr ParseTree(std::string_view source) {
    if (!language_ok || source.size() > UINT32_MAX) return nullptr;
    TreePtr tree(ts_parser_parse_string(parser.get(), nullptr, source.data(),
                                        static_cast<uint32_t>(source.size())));
    if (!tree) ts_parser_reset(parser.get());
    return tree;
  }
};

Parser::Parser() : impl_(std::make_unique<Impl>()) {}
Parser::~Parser() = default;

ParseResult Parser::Parse(std::string_view source, const ParseOptions& options) {
  ParseResult result;
  if (!impl_->language_ok) {
    result.error = "tree-sitter-bash grammar ABI is incompatible with the tree-sitter runtime";
    return result;
  }
  TreePtr tree = impl_->ParseTree(source);
  if (!tree) {
    result.error = "parse failed";
    return result;
  }
  const TSNode root = ts_tree_root_node(tree.get());
  if (ts_node_has_error(root)) {
    result.error = DescribeSyntaxError(root, source);
    return result;
  }
  Walker walker(source, options, impl_->grammar, impl_->pool, root);
  result.program = walker.Run(root);
  if (!walker.error().empty()) {
    result.program = Program{};
    result.error = walker.error();
  }
  return result;
}

std::string Parser::DebugTree(std::string_view source) {
  TreePtr tree = impl_->ParseTree(source);
  if (!tree) return {};
  char* s = ts_node_string(ts_tree_root_node(tree.get()));
  if (s == nullptr) return {};
  std::string out(s);
  std::free(s);
  return out;
}

}  // namespace memhook::parser
