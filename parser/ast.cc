// The full syntax tree. tree-sitter-bash gives the statement structure
// (lists, pipelines, compound commands) and the extent of every command
// substitution; the words, assignments and redirections of a simple command
// are lexed here from the source text with bash's quoting rules, which
// sidesteps the grammar's misparses of redirections in mid-command.
#include "parser/ast.h"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "parser/word_expand.h"

extern "C" const TSLanguage* tree_sitter_bash(void);

namespace memhook::parser::ast {
namespace {

struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};
struct ParserDeleter {
  void operator()(TSParser* p) const { ts_parser_delete(p); }
};
using TreePtr = std::unique_ptr<TSTree, TreeDeleter>;
using ParserPtr = std::unique_ptr<TSParser, ParserDeleter>;

// The children of `n`, in order. ts_node_child(n, i) walks from the first
// child each time (quadratic over a command of 100,000 words): a cursor
// visits each once.
std::vector<TSNode> Kids(TSNode n) {
  std::vector<TSNode> kids;
  TSTreeCursor cursor = ts_tree_cursor_new(n);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      kids.push_back(ts_tree_cursor_current_node(&cursor));
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
  return kids;
}

std::vector<TSNode> NamedKids(TSNode n) {
  std::vector<TSNode> kids;
  for (TSNode k : Kids(n)) {
    if (ts_node_is_named(k)) kids.push_back(k);
  }
  return kids;
}

// A syntax error found while building: unwinds to Parse (internal only).
struct SyntaxError {
  std::string message;
};

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsMeta(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '|' || c == '&' || c == ';' || c == '(' ||
         c == ')' || c == '<' || c == '>';
}

std::string_view Type(TSNode n) { return ts_node_type(n); }

// Bash brace expansion of one word: only unquoted literal text takes part;
// every other part (quoted text, expansions) is carried through as one
// opaque byte, which the shared expander copies like any quoted byte.
std::vector<Word> BraceExpandWord(const Word& w) {
  bool candidate = false;
  for (const WordPart& p : w.parts) {
    candidate |=
        p.kind == WordPart::Kind::kLiteral && !p.quoted && p.text.find('{') != std::string::npos;
  }
  if (!candidate) return {w};
  internal::MarkedText mt;
  std::vector<const WordPart*> opaque;
  for (const WordPart& p : w.parts) {
    if (p.kind == WordPart::Kind::kLiteral && !p.text.empty()) {
      mt.Append(p.text, p.quoted ? internal::kQuoted : internal::kLiteral);
      continue;
    }
    if (opaque.size() >= 250) return {w};
    mt.Append(static_cast<char>(opaque.size()), internal::kExpanded);
    opaque.push_back(&p);
  }
  std::vector<internal::MarkedText> expanded = internal::BraceExpand(mt, 100000);
  if (expanded.size() <= 1) return {w};
  std::vector<Word> out;
  for (const internal::MarkedText& e : expanded) {
    if (internal::IsNullWord(e)) continue;
    Word word;
    word.raw = w.raw;
    for (size_t i = 0; i < e.text.size(); ++i) {
      char mark = e.marks[i];
      if (mark == internal::kExpanded) {
        word.parts.push_back(*opaque[static_cast<unsigned char>(e.text[i])]);
        continue;
      }
      if (mark == internal::kQuoteMarker) {
        // A quoted span with nothing in it (the `\` of {Z..a}): the word
        // stays, even if empty.
        WordPart p;
        p.quoted = true;
        word.parts.push_back(std::move(p));
        continue;
      }
      bool quoted = mark != internal::kLiteral;
      if (!word.parts.empty() && word.parts.back().kind == WordPart::Kind::kLiteral &&
          word.parts.back().quoted == quoted && !word.parts.back().text.empty()) {
        word.parts.back().text += e.text[i];
      } else {
        WordPart p;
        p.quoted = quoted;
        p.text = std::string(1, e.text[i]);
        word.parts.push_back(std::move(p));
      }
    }
    out.push_back(std::move(word));
  }
  return out;
}

// Where words may start to hold extglob groups (`@(a|b)`): the end of the
// first line that is exactly `shopt -s extglob`, since bash parses a line
// after running the previous one (npos: nowhere).
size_t ExtglobFrom(std::string_view src) {
  size_t line = 0;
  while (line < src.size()) {
    size_t end = src.find('\n', line);
    if (end == std::string_view::npos) return std::string_view::npos;
    std::string_view text = src.substr(line, end - line);
    while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
    while (!text.empty() && (IsBlank(text.back()) || text.back() == ';')) text.remove_suffix(1);
    if (text == "shopt -s extglob") return end;
    line = end + 1;
  }
  return std::string_view::npos;
}

// Heredoc bodies, found in the tree, keyed by where their `<<` operator
// starts in the source.
struct Heredoc {
  std::string body;  // raw, tabs already stripped for <<-
  std::string delimiter;
  bool quoted = false;
  // Read by the pre-pass below: the source holds `< word` in place of the
  // operator, and the body is blanked.
  bool rewritten = false;
  // The warning bash prints when the parse unit holding the operator is
  // read ("here-document at line N delimited by end-of-file"); empty if
  // the delimiter was found.
  std::string warning;
  int line = 1;  // the operator's line
};

// Here-documents read as bash reads them, before tree-sitter sees the
// source: the grammar misparses two here-documents on one line, a
// here-document followed by `; cmd`, partly quoted and indented
// delimiters, backquotes in bodies and unterminated bodies. Bash reads the
// pending bodies after each newline token, in the order of their
// operators; this does the same over a light tokenisation (quotes,
// comments, substitutions, arithmetic) and rewrites the source so that the
// grammar sees a plain input redirection: `<<word` becomes `< word` (same
// length, the operator's offset keys the body) and each body, delimiter
// line included, becomes blanks with its newlines kept, so that offsets and
// line numbers stay put. A here-document inside backquotes or double
// quotes is left to the grammar (`ok()` false), as before.
class HeredocPrepass {
 public:
  explicit HeredocPrepass(std::string_view src) : src_(src), out_(src) {}

  // False when the pre-pass cannot take the source (the caller keeps it
  // as it is).
  bool Run() {
    Code(0, /*closer=*/'\0', /*in_quotes=*/false);
    if (!abort_ && !pending_.empty()) ReadBodies(src_.size());
    return !abort_;
  }
  const std::string& source() const { return out_; }
  std::map<uint32_t, Heredoc>& heredocs() { return heredocs_; }
  const std::set<uint32_t>& empty_for() const { return empty_for_; }
  // The source the grammar parses: source() with extglob groups masked.
  std::string tree_source() const {
    std::string t = out_;
    for (size_t m : tree_masks_) t[m] = '_';
    return t;
  }

 private:
  struct Pending {
    size_t op;
    Heredoc doc;
    bool strip;
  };

  static bool EndsDelimiter(char c) { return IsMeta(c); }

  // Code from `i` to the `closer` (')' of a `$(`, or '\0' for the end of
  // the source); returns the offset after it.
  size_t Code(size_t i, char closer, bool in_quotes) {
    int depth = 0;
    const size_t n = src_.size();
    size_t group_end = 0;
    while (i < n && !abort_) {
      char c = src_[i];
      char next = i + 1 < n ? src_[i + 1] : '\0';
      char next2 = i + 2 < n ? src_[i + 2] : '\0';
      if (c == '\\') {
        i += 2;
      } else if (c == '\'') {
        i = Past(i + 1, '\'');
      } else if (c == '$' && next == '\'') {
        i = PastAnsiC(i + 2);
      } else if (c == '"') {
        i = Double(i + 1);
      } else if (c == '`') {
        i = Backquote(i + 1);
      } else if ((c == '$' && next == '(' && next2 == '(') || (c == '(' && next == '(')) {
        i = Arith(i + (c == '$' ? 3 : 2));
      } else if (c == '$' && next == '(') {
        i = Code(i + 2, ')', in_quotes);
      } else if (c == '$' && next == '{') {
        i = Brace(i + 2);
      } else if (c == '$' && next == '[') {
        i = PastBracket(i + 2);  // `$[1<<2]` is arithmetic
      } else if (c == '#' && (i == 0 || IsMeta(src_[i - 1]))) {
        while (i < n && src_[i] != '\n') ++i;
      } else if (c == '(' && i > 0 && std::strchr("?*+@!", src_[i - 1]) != nullptr &&
                 i >= extglob_from_ && (group_end = ExtglobGroup(i)) != 0) {
        i = group_end;
      } else if (c == 'f' && AtCommandStart(i) && EmptyForList(i)) {
        i += 3;
      } else if (c == ';' && next == '&' && (i == 0 || src_[i - 1] != ';') && EsacFollows(i + 2)) {
        // `a) cmd;& esac`: falling through to nothing is `;;`, which the
        // grammar takes there.
        out_[i + 1] = ';';
        i += 2;
      } else if (c == '<' && next == '<' && next2 == '<') {
        i += 3;
      } else if (c == '<' && next == '<') {
        if (in_quotes) abort_ = true;
        i = Operator(i);
      } else if (c == '\n') {
        i = pending_.empty() ? i + 1 : ReadBodies(i + 1);
      } else if (closer != '\0' && c == '(') {
        ++depth;
        ++i;
      } else if (closer != '\0' && c == ')') {
        if (depth-- == 0) return i + 1;
        ++i;
      } else {
        ++i;
      }
    }
    return std::min(i, n);
  }

  // An extglob group `(...)` at `i` (after `@`, `!`, ...): the offset after
  // its `)`, or 0 when it is not one the lexer takes. The grammar does not
  // know extglob: it is shown word characters in its place (tree_source).
  size_t ExtglobGroup(size_t i) {
    int depth = 0;
    size_t k = i;
    for (; k < src_.size(); ++k) {
      char c = src_[k];
      if (c == '\\') {
        ++k;
        continue;
      }
      if (c == '\n' || c == '\'' || c == '"' || c == '$' || c == '`') return 0;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) break;
    }
    if (k >= src_.size()) return 0;
    for (size_t m = i; m <= k; ++m) {
      if (!IsNameChar(src_[m])) tree_masks_.push_back(m);
    }
    return k + 1;
  }

  // Whether `i` starts a command: only blanks since the start of the
  // source, a newline, `;`, `&`, `|` or `(` (`echo for x in ;` is no loop).
  bool AtCommandStart(size_t i) const {
    while (i > 0 && IsBlank(src_[i - 1])) --i;
    return i == 0 || std::strchr("\n;&|(", src_[i - 1]) != nullptr;
  }

  // `for NAME in` then `;` or a newline (an empty list, which the grammar
  // rejects): `in` becomes blanks and the loop is marked as having a list.
  bool EmptyForList(size_t i) {
    const size_t n = src_.size();
    if (src_.substr(i, 3) != "for") return false;
    size_t j = i + 3;
    if (j >= n || !IsBlank(src_[j])) return false;
    while (j < n && IsBlank(src_[j])) ++j;
    if (j >= n || !IsNameStart(src_[j])) return false;
    while (j < n && IsNameChar(src_[j])) ++j;
    if (j >= n || !IsBlank(src_[j])) return false;
    while (j < n && IsBlank(src_[j])) ++j;
    if (src_.substr(j, 2) != "in") return false;
    size_t in = j;
    j += 2;
    while (j < n && IsBlank(src_[j])) ++j;
    if (j >= n || (src_[j] != ';' && src_[j] != '\n')) return false;
    out_[in] = ' ';
    out_[in + 1] = ' ';
    empty_for_.insert(static_cast<uint32_t>(i));
    return true;
  }

  // Only blanks, newlines and comments, then `esac` as a word, from `i`.
  bool EsacFollows(size_t i) const {
    const size_t n = src_.size();
    while (i < n) {
      if (IsBlank(src_[i]) || src_[i] == '\n') {
        ++i;
      } else if (src_[i] == '#') {
        while (i < n && src_[i] != '\n') ++i;
      } else {
        break;
      }
    }
    return src_.substr(i, 4) == "esac" && (i + 4 >= n || IsMeta(src_[i + 4]));
  }

  // After the closing `quote` (the end of the source if there is none).
  size_t Past(size_t i, char quote) const {
    size_t e = src_.find(quote, i);
    return e == std::string_view::npos ? src_.size() : e + 1;
  }

  size_t PastAnsiC(size_t i) const {
    while (i < src_.size() && src_[i] != '\'') i += src_[i] == '\\' ? 2 : 1;
    return std::min(i + 1, src_.size());
  }

  size_t Double(size_t i) {
    const size_t n = src_.size();
    while (i < n && !abort_) {
      char c = src_[i];
      char next = i + 1 < n ? src_[i + 1] : '\0';
      if (c == '\\') {
        i += 2;
      } else if (c == '"') {
        return i + 1;
      } else if (c == '`') {
        i = Backquote(i + 1);
      } else if (c == '$' && next == '(' && i + 2 < n && src_[i + 2] == '(') {
        i = Arith(i + 3);
      } else if (c == '$' && next == '(') {
        i = Code(i + 2, ')', /*in_quotes=*/true);
      } else if (c == '$' && next == '{') {
        i = Brace(i + 2);
      } else {
        ++i;
      }
    }
    return std::min(i, n);
  }

  // A backquoted command: its text is parsed again when it runs, so a
  // here-document inside is left to the grammar.
  size_t Backquote(size_t i) {
    const size_t n = src_.size();
    while (i < n && src_[i] != '`') {
      if (src_[i] == '\\') {
        i += 2;
        continue;
      }
      if (src_[i] == '<' && i + 1 < n && src_[i + 1] == '<') abort_ = true;
      ++i;
    }
    return std::min(i + 1, n);
  }

  // `$[...]` from after the bracket.
  size_t PastBracket(size_t i) const {
    for (int depth = 1; i < src_.size(); ++i) {
      if (src_[i] == '[') ++depth;
      if (src_[i] == ']' && --depth == 0) return i + 1;
    }
    return src_.size();
  }

  // `((...))` / `$((...))` from inside the two parentheses.
  size_t Arith(size_t i) {
    int depth = 2;
    while (i < src_.size()) {
      char c = src_[i++];
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) return i;
    }
    return src_.size();
  }

  // `${...}` from after the brace.
  size_t Brace(size_t i) {
    int depth = 1;
    const size_t n = src_.size();
    while (i < n && !abort_) {
      char c = src_[i];
      if (c == '\\') {
        i += 2;
      } else if (c == '\'') {
        i = Past(i + 1, '\'');
      } else if (c == '"') {
        i = Double(i + 1);
      } else if (c == '$' && i + 1 < n && (src_[i + 1] == '(' || src_[i + 1] == '{')) {
        i = src_[i + 1] == '(' ? Code(i + 2, ')', true) : Brace(i + 2);
      } else if (c == '`') {
        i = Backquote(i + 1);
      } else {
        if (c == '{') ++depth;
        if (c == '}' && --depth == 0) return i + 1;
        ++i;
      }
    }
    return std::min(i, n);
  }

  // `<<[-]word` at `op`: the delimiter after quote removal; the operator
  // becomes `< ` (or `<  ` for `<<-`).
  size_t Operator(size_t op) {
    const size_t n = src_.size();
    Pending p;
    p.op = op;
    size_t i = op + 2;
    p.strip = i < n && src_[i] == '-';
    if (p.strip) ++i;
    while (i < n && IsBlank(src_[i])) ++i;
    std::string delim;
    bool quoted = false;
    size_t start = i;
    while (i < n && !EndsDelimiter(src_[i])) {
      char c = src_[i];
      if (c == '\'') {
        quoted = true;
        size_t e = src_.find('\'', i + 1);
        if (e == std::string_view::npos) break;
        delim.append(src_.substr(i + 1, e - i - 1));
        i = e + 1;
      } else if (c == '"') {
        quoted = true;
        ++i;
        while (i < n && src_[i] != '"') {
          if (src_[i] == '\\' && i + 1 < n && std::strchr("\"\\$`", src_[i + 1])) ++i;
          delim.push_back(src_[i++]);
        }
        if (i >= n) break;
        ++i;
      } else if (c == '\\' && i + 1 < n) {
        quoted = true;
        delim.push_back(src_[i + 1]);
        i += 2;
      } else if (c == '$' || c == '`') {
        // `<<$x` and `<<$'x'`: bash takes the text as it is; rare
        // enough to leave to the grammar.
        abort_ = true;
        return i;
      } else {
        delim.push_back(c);
        ++i;
      }
    }
    if (i == start || i > n) {
      abort_ = true;
      return i;
    }
    p.doc.delimiter = delim;
    p.doc.quoted = quoted;
    p.doc.rewritten = true;
    p.doc.line = 1 + static_cast<int>(std::count(src_.begin(), src_.begin() + op, '\n'));
    out_[op + 1] = ' ';
    if (p.strip) out_[op + 2] = ' ';
    pending_.push_back(std::move(p));
    return i;
  }

  // The pending bodies from `i` (a line start); returns where the source
  // goes on.
  size_t ReadBodies(size_t i) {
    const size_t n = src_.size();
    for (Pending& p : pending_) {
      const size_t body_start = i;
      bool found = false;
      std::string body;
      while (i < n && !found) {
        // One logical line: in an unquoted body `\<newline>` joins lines
        // before the delimiter is compared (bash's read_secondary_line).
        std::string logical, raw;
        while (true) {
          size_t e = src_.find('\n', i);
          if (e == std::string_view::npos) e = n;
          std::string_view phys = src_.substr(i, e - i);
          if (p.strip) {
            size_t tabs = phys.find_first_not_of('\t');
            phys.remove_prefix(tabs == std::string_view::npos ? phys.size() : tabs);
          }
          size_t backslashes = 0;
          while (backslashes < phys.size() && phys[phys.size() - 1 - backslashes] == '\\')
            ++backslashes;
          i = e < n ? e + 1 : n;
          if (!p.doc.quoted && backslashes % 2 == 1 && e < n) {
            logical.append(phys.substr(0, phys.size() - 1));
            raw.append(phys);
            raw.push_back('\n');
            continue;
          }
          logical.append(phys);
          raw.append(phys);
          raw.push_back('\n');
          break;
        }
        if (logical == p.doc.delimiter) {
          found = true;
        } else {
          body += raw;
        }
      }
      if (!found) {
        size_t line =
            static_cast<size_t>(std::count(src_.begin(), src_.begin() + body_start, '\n'));
        if (body_start == n && (n == 0 || src_[n - 1] != '\n')) ++line;
        // bash names the line where the source ended (on a pipe; on a
        // regular file it leaves the "line N: " out).
        size_t last = static_cast<size_t>(std::count(src_.begin(), src_.end(), '\n'));
        if (n > 0 && src_[n - 1] != '\n') ++last;
        p.doc.warning = "bash: line " + std::to_string(last) + ": warning: here-document at line " +
                        std::to_string(line) + " delimited by end-of-file (wanted `" +
                        p.doc.delimiter + "')\n";
      }
      for (size_t k = body_start; k < i; ++k) {
        if (out_[k] != '\n') out_[k] = ' ';
      }
      p.doc.body = std::move(body);
      heredocs_[static_cast<uint32_t>(p.op)] = std::move(p.doc);
    }
    pending_.clear();
    return i;
  }

  std::string_view src_;
  std::string out_;
  std::vector<Pending> pending_;
  std::map<uint32_t, Heredoc> heredocs_;
  std::set<uint32_t> empty_for_;  // offsets of `for` with an empty list
  size_t extglob_from_ = ExtglobFrom(src_);
  std::vector<size_t> tree_masks_;  // offsets the grammar sees as `_`
  bool abort_ = false;
};

class Builder {
 public:
  Builder(std::string_view src, TSParser* parser, std::map<uint32_t, Heredoc> heredocs = {},
          std::set<uint32_t> empty_for = {})
      : src_(src),
        parser_(parser),
        heredocs_(std::move(heredocs)),
        empty_for_(std::move(empty_for)) {}

  std::shared_ptr<Command> Program(TSNode root) {
    Collect(root);
    return Statements(root);
  }

  // When tree-sitter-bash rejects a source bash accepts (`n=$(cmd)
  // 2>/dev/null; echo $n`, `${s:$i:1}`), a command line made only of simple
  // commands joined by | |& && || ; and newlines is parsed here instead,
  // with the same lexer. Anything else (compound commands, here-documents,
  // background jobs) keeps tree-sitter's error.
  std::shared_ptr<Command> FlatProgram() {
    auto seq = std::make_shared<Command>();
    seq->kind = CommandKind::kSequence;
    size_t i = 0;
    // Blanks, newlines and comments; one `;` at most, and only after a
    // command (`; ;` and a leading `;` are syntax errors in bash).
    auto skip_separators = [&](bool after_command) {
      bool semicolon = !after_command;
      while (i < src_.size()) {
        char c = src_[i];
        if (c == ';') {
          if (semicolon) throw SyntaxError{"syntax error near unexpected token `;'"};
          semicolon = true;
          ++i;
        } else if (c == '\n') {
          semicolon = false;
          ++i;
        } else if (IsBlank(c)) {
          ++i;
        } else if (c == '#') {
          while (i < src_.size() && src_[i] != '\n') ++i;
        } else if (c == '\\' && i + 1 < src_.size() && src_[i + 1] == '\n') {
          i += 2;
        } else {
          break;
        }
      }
    };
    auto skip_blanks_and_newlines = [&]() {
      while (i < src_.size() && (IsBlank(src_[i]) || src_[i] == '\n')) ++i;
    };
    auto line_at = [&](size_t pos) {
      return 1 + static_cast<int>(std::count(src_.begin(), src_.begin() + pos, '\n'));
    };
    auto simple = [&]() {
      auto cmd = std::make_shared<Command>();
      cmd->kind = CommandKind::kSimple;
      cmd->line = line_at(i);
      if (i < src_.size() && (src_[i] == '(' || src_[i] == ')' || src_[i] == '{' || src_[i] == '}'))
        throw SyntaxError{"not a simple command"};
      Lexer lx(*this, src_, i);
      lx.SimpleCommand(cmd.get(), false);
      if (lx.i_ == i) throw SyntaxError{"syntax error"};
      i = lx.i_;
      static const char* const kReserved[] = {
          "if", "then", "elif", "else", "fi",       "for",    "while", "until",
          "do", "done", "case", "esac", "function", "select", "time",  "coproc",
          "{",  "}",    "[[",   "]]",   "!",        "in"};
      if (!cmd->words.empty()) {
        const Word& w = cmd->words[0];
        for (const char* r : kReserved) {
          if (w.parts.size() == 1 && w.parts[0].kind == WordPart::Kind::kLiteral &&
              !w.parts[0].quoted && w.parts[0].text == r)
            throw SyntaxError{"a reserved word"};
        }
      }
      return cmd;
    };
    auto pipeline = [&]() {
      auto p = std::make_shared<Command>();
      p->kind = CommandKind::kPipeline;
      p->line = line_at(i);
      if (i < src_.size() && src_[i] == '!' && i + 1 < src_.size() && IsBlank(src_[i + 1])) {
        p->negated = true;
        ++i;
        while (i < src_.size() && IsBlank(src_[i])) ++i;
      }
      p->children.push_back(simple());
      while (i < src_.size() && src_[i] == '|' && !(i + 1 < src_.size() && src_[i + 1] == '|')) {
        bool err = i + 1 < src_.size() && src_[i + 1] == '&';
        i += err ? 2 : 1;
        skip_blanks_and_newlines();
        p->pipe_stderr.push_back(err);
        p->children.push_back(simple());
      }
      if (p->children.size() == 1 && !p->negated) return p->children[0];
      return p;
    };
    skip_separators(false);
    while (i < src_.size()) {
      auto list = std::make_shared<Command>();
      list->kind = CommandKind::kAndOr;
      list->line = line_at(i);
      list->children.push_back(pipeline());
      while (i + 1 < src_.size() &&
             ((src_[i] == '&' && src_[i + 1] == '&') || (src_[i] == '|' && src_[i + 1] == '|'))) {
        list->ops.push_back(src_[i] == '&' ? ListOp::kAnd : ListOp::kOr);
        i += 2;
        skip_blanks_and_newlines();
        list->children.push_back(pipeline());
      }
      seq->children.push_back(list->children.size() == 1 ? list->children[0] : list);
      seq->background.push_back(false);
      size_t before = i;
      skip_separators(true);
      if (i < src_.size() && i == before) throw SyntaxError{"syntax error"};
    }
    return seq;
  }

  // Lexes `text` as a heredoc/arith body (no tree available: substitutions
  // are parsed with a fresh tree each).
  Word BodyWord(std::string_view text, bool arith) {
    Lexer lx(*this, text, 0);
    Word w;
    w.raw = std::string(text);
    lx.DoubleQuoted(w, arith ? Lexer::Mode::kArith : Lexer::Mode::kHeredoc, text.size());
    Lexer::NameBad(&w, 0, text);
    return w;
  }

 private:
  // ------------------------------------------------------------ pre-pass
  void Collect(TSNode n) {
    std::string_view type = Type(n);
    if (type == "command_substitution" || type == "process_substitution") {
      subs_[ts_node_start_byte(n)] = n;
    } else if (type == "heredoc_redirect") {
      CollectHeredoc(n);
    }
    for (TSNode k : Kids(n)) Collect(k);
  }

  size_t LineStart(size_t pos) const {
    while (pos > 0 && src_[pos - 1] != '\n') --pos;
    return pos;
  }

  void CollectHeredoc(TSNode r) {
    Heredoc h;
    bool strip = false, has_body = false, has_end = false;
    TSNode op{}, body{}, end{};
    bool has_op = false;
    for (TSNode c : Kids(r)) {
      std::string_view t = Type(c);
      if (t == "<<" || t == "<<-") {
        op = c;
        has_op = true;
        strip = t == "<<-";
      } else if (t == "heredoc_start") {
        h.delimiter = std::string(Text(c));
      } else if (t == "heredoc_body") {
        body = c;
        has_body = true;
      } else if (t == "heredoc_end") {
        end = c;
        has_end = true;
      }
    }
    if (!has_op) return;
    std::string raw;
    if (has_body || has_end) {
      size_t b0 = LineStart(ts_node_start_byte(has_body ? body : end));
      size_t e0 = has_end ? LineStart(ts_node_start_byte(end)) : ts_node_end_byte(body);
      if (e0 > b0) raw = std::string(src_.substr(b0, e0 - b0));
    }
    if (strip) {
      std::string stripped;
      bool at_start = true;
      for (char c : raw) {
        if (at_start && c == '\t') continue;
        at_start = c == '\n';
        stripped.push_back(c);
      }
      raw = std::move(stripped);
    }
    h.quoted = h.delimiter.find_first_of("'\"\\") != std::string::npos;
    h.body = std::move(raw);
    heredocs_[ts_node_start_byte(op)] = std::move(h);
  }

  std::string_view Text(TSNode n) const {
    uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);
    return src_.substr(b, e - b);
  }
  int LineOf(TSNode n) const { return static_cast<int>(ts_node_start_point(n).row) + 1; }

  // ------------------------------------------------------------ statements
  static bool IsStatement(TSNode n) {
    if (!ts_node_is_named(n)) return false;
    std::string_view t = Type(n);
    return t != "comment" && t != "heredoc_body" && t != "heredoc_start" && t != "heredoc_end";
  }

  // The statements among the children of `parent`, as a kSequence.
  std::shared_ptr<Command> Statements(TSNode parent) {
    auto seq = std::make_shared<Command>();
    seq->kind = CommandKind::kSequence;
    seq->line = LineOf(parent);
    for (TSNode c : Kids(parent)) {
      if (Type(c) == "&") {
        if (!seq->background.empty()) seq->background.back() = true;
        continue;
      }
      if (!IsStatement(c)) continue;
      seq->children.push_back(Statement(c));
      seq->background.push_back(false);
    }
    return seq;
  }

  std::shared_ptr<Command> Statement(TSNode n) {
    std::string_view t = Type(n);
    auto cmd = std::make_shared<Command>();
    cmd->line = LineOf(n);
    // `(( n > 1 ))` reaches the grammar as a command named by an
    // arithmetic expansion.
    if (t == "command" && Text(n).substr(0, 2) == "((") return ArithCommand(n);
    if (t == "command" || t == "variable_assignment" || t == "variable_assignments" ||
        t == "declaration_command" || t == "unset_command" || t == "file_redirect" ||
        t == "herestring_redirect") {
      return Simple(ts_node_start_byte(n), ts_node_end_byte(n), n);
    }
    if (t == "test_command") {
      std::string_view text = Text(n);
      if (text.substr(0, 2) == "((") return ArithCommand(n);
      if (text.substr(0, 2) == "[[") {
        cmd->kind = CommandKind::kCond;
        for (TSNode c : NamedKids(n)) {
          if (Type(c) == "comment") continue;
          cmd->cond = std::make_shared<CondExpr>(Cond(c));
        }
        if (!cmd->cond) throw SyntaxError{"syntax error in conditional expression"};
        return cmd;
      }
      return Simple(ts_node_start_byte(n), ts_node_end_byte(n), n);
    }
    if (t == "list") return AndOr(n);
    if (t == "pipeline") return Pipeline(n);
    if (t == "negated_command") {
      std::shared_ptr<Command> inner;
      for (TSNode c : NamedKids(n)) {
        if (IsStatement(c)) inner = Statement(c);
      }
      if (!inner) throw SyntaxError{"syntax error near `!'"};
      if (inner->kind != CommandKind::kPipeline) {
        auto p = std::make_shared<Command>();
        p->kind = CommandKind::kPipeline;
        p->line = inner->line;
        p->children.push_back(inner);
        inner = p;
      }
      inner->negated = !inner->negated;
      return inner;
    }
    if (t == "redirected_statement") return Redirected(n);
    if (t == "subshell" || t == "compound_statement") {
      cmd->kind = t == "subshell" ? CommandKind::kSubshell : CommandKind::kGroup;
      cmd->children.push_back(Statements(n));
      return cmd;
    }
    if (t == "do_group") return Statements(n);
    if (t == "if_statement") return If(n);
    if (t == "while_statement") {
      cmd->kind = Text(n).substr(0, 5) == "until" ? CommandKind::kUntil : CommandKind::kWhile;
      auto cond = std::make_shared<Command>();
      cond->kind = CommandKind::kSequence;
      std::shared_ptr<Command> body;
      // By node type, not by field: field lookups are unreliable in
      // Debian's tree-sitter 0.20 once a redirect follows `done`.
      for (TSNode c : Kids(n)) {
        if (Type(c) == "do_group") {
          body = Statements(c);
        } else if (Type(c) == "&" && !cond->background.empty()) {
          cond->background.back() = true;
        } else if (IsStatement(c)) {
          cond->children.push_back(Statement(c));
          cond->background.push_back(false);
        }
      }
      if (!body) throw SyntaxError{"syntax error: missing `do'"};
      cmd->children = {cond, body};
      return cmd;
    }
    if (t == "for_statement") {
      if (Text(n).substr(0, 6) == "select") throw SyntaxError{"select is not supported"};
      cmd->kind = CommandKind::kFor;
      cmd->has_list = empty_for_.count(ts_node_start_byte(n)) > 0;
      bool named = false;
      for (TSNode c : Kids(n)) {
        std::string_view ct = Type(c);
        if (ct == "do_group") {
          cmd->children.push_back(Statements(c));
        } else if (ct == "in") {
          cmd->has_list = true;
        } else if (!named && ct == "variable_name") {
          cmd->name = std::string(Text(c));
          named = true;
        } else if (named && cmd->has_list && ts_node_is_named(c) && ct != "comment") {
          WordsOfRange(ts_node_start_byte(c), ts_node_end_byte(c), &cmd->words);
        }
      }
      if (cmd->children.empty()) throw SyntaxError{"syntax error: missing `do'"};
      return cmd;
    }
    if (t == "c_style_for_statement") return ArithFor(n);
    if (t == "case_statement") return Case(n);
    if (t == "function_definition") {
      cmd->kind = CommandKind::kFunction;
      for (TSNode c : Kids(n)) {
        std::string_view ct = Type(c);
        if (cmd->name.empty() && ct == "word") {
          cmd->name = std::string(Text(c));
        } else if (ct == "file_redirect" || ct == "herestring_redirect") {
          RedirectsOfRange(ts_node_start_byte(c), ts_node_end_byte(c), cmd.get());
        } else if (IsStatement(c) && ct != "word") {
          cmd->children.push_back(Statement(c));
        }
      }
      if (cmd->children.empty()) throw SyntaxError{"syntax error: function body"};
      return cmd;
    }
    throw SyntaxError{"unsupported construct: " + std::string(t)};
  }

  std::shared_ptr<Command> AndOr(TSNode n) {
    auto cmd = std::make_shared<Command>();
    cmd->kind = CommandKind::kAndOr;
    cmd->line = LineOf(n);
    for (TSNode c : Kids(n)) {
      std::string_view t = Type(c);
      if (t == "&&") {
        cmd->ops.push_back(ListOp::kAnd);
      } else if (t == "||") {
        cmd->ops.push_back(ListOp::kOr);
      } else if (IsStatement(c)) {
        std::shared_ptr<Command> part = Statement(c);
        // `a && b || c` nests to the left: flatten.
        if (part->kind == CommandKind::kAndOr && cmd->children.empty()) {
          *cmd = *part;
        } else {
          cmd->children.push_back(part);
        }
      }
    }
    if (cmd->ops.size() + 1 != cmd->children.size()) throw SyntaxError{"syntax error in a list"};
    return cmd;
  }

  std::shared_ptr<Command> Pipeline(TSNode n) {
    auto cmd = std::make_shared<Command>();
    cmd->kind = CommandKind::kPipeline;
    cmd->line = LineOf(n);
    for (TSNode c : Kids(n)) {
      std::string_view t = Type(c);
      if (t == "|" || t == "|&") {
        cmd->pipe_stderr.push_back(t == "|&");
      } else if (IsStatement(c)) {
        std::shared_ptr<Command> stage = Statement(c);
        if (stage->kind == CommandKind::kPipeline && !stage->negated && cmd->children.empty()) {
          *cmd = *stage;
        } else {
          cmd->children.push_back(stage);
        }
      }
    }
    if (cmd->pipe_stderr.size() + 1 != cmd->children.size())
      throw SyntaxError{"syntax error in a pipeline"};
    // `! a | b` reaches us as pipeline(!a, b): the `!` negates the whole
    // pipeline.
    const auto& first = cmd->children.front();
    if (cmd->children.size() > 1 && first->kind == CommandKind::kPipeline && first->negated &&
        first->children.size() == 1) {
      cmd->negated = !cmd->negated;
      cmd->children.front() = first->children.front();
    }
    return Rebind(cmd);
  }

  // `a && b 2>&1 | c` reaches us as pipeline(list(a, b) 2>&1, c): the
  // grammar hangs the redirect on the list and the list in the pipeline.
  // `|` binds tighter than `&&` and `||`, so an unbracketed list is never a
  // stage: rebuild and-or(a, pipeline(b, c)).
  static std::shared_ptr<Command> Rebind(const std::shared_ptr<Command>& pipeline) {
    bool misbound = false;
    for (const auto& stage : pipeline->children) misbound |= stage->kind == CommandKind::kAndOr;
    if (!misbound) return pipeline;
    auto list = std::make_shared<Command>();
    list->kind = CommandKind::kAndOr;
    list->line = pipeline->line;
    auto current = std::make_shared<Command>();
    current->kind = CommandKind::kPipeline;
    current->line = pipeline->line;
    auto close = [&](ListOp op) {
      list->children.push_back(
          current->children.size() == 1 && !current->negated ? current->children[0] : current);
      list->ops.push_back(op);
      current = std::make_shared<Command>();
      current->kind = CommandKind::kPipeline;
      current->line = pipeline->line;
    };
    for (size_t i = 0; i < pipeline->children.size(); ++i) {
      const auto& stage = pipeline->children[i];
      if (i > 0) current->pipe_stderr.push_back(pipeline->pipe_stderr[i - 1]);
      if (stage->kind != CommandKind::kAndOr) {
        current->children.push_back(stage);
        continue;
      }
      for (size_t k = 0; k < stage->children.size(); ++k) {
        current->children.push_back(stage->children[k]);
        if (k + 1 < stage->children.size()) close(stage->ops[k]);
      }
    }
    list->children.push_back(current->children.size() == 1 ? current->children[0] : current);
    list->negated = pipeline->negated;
    return list;
  }

  std::shared_ptr<Command> Redirected(TSNode n) {
    TSNode body{};
    bool has_body = false;
    std::vector<TSNode> redirects;
    for (TSNode c : Kids(n)) {
      std::string_view ct = Type(c);
      bool is_redirect =
          ct == "file_redirect" || ct == "heredoc_redirect" || ct == "herestring_redirect";
      if (is_redirect) {
        redirects.push_back(c);
      } else if (!has_body && IsStatement(c)) {
        body = c;
        has_body = true;
      }
    }
    if (!has_body) throw SyntaxError{"syntax error near a redirection"};
    std::string_view bt = Type(body);
    std::shared_ptr<Command> cmd;
    if (bt == "command" || (bt == "test_command" && Text(body).substr(0, 2) == "[ ")) {
      // Words, assignments and redirections of a simple command are lexed
      // together from its start: `grep 2>/dev/null -q x f` keeps every word.
      uint32_t end = ts_node_end_byte(body);
      for (TSNode r : redirects) {
        if (Type(r) == "heredoc_redirect") {
          end = std::max(end, HeredocLineEnd(r));
        } else {
          end = std::max(end, ts_node_end_byte(r));
        }
      }
      cmd = Simple(ts_node_start_byte(body), end, body);
    } else {
      cmd = Statement(body);
      // A redirect after `a | b` or `a && b` in this grammar hangs on the
      // whole list; bash binds it to the last command.
      Command* target = cmd.get();
      while ((target->kind == CommandKind::kPipeline || target->kind == CommandKind::kAndOr) &&
             !target->children.empty()) {
        target = target->children.back().get();
      }
      for (TSNode r : redirects) {
        uint32_t end = Type(r) == "heredoc_redirect" ? HeredocLineEnd(r) : ts_node_end_byte(r);
        Lexer lx(*this, src_.substr(0, end), ts_node_start_byte(r));
        lx.SimpleCommand(target, /*redirects_only=*/true);
      }
    }
    // `cat <<EOF | grep x`: the rest of the heredoc's line sits inside the
    // heredoc node.
    for (TSNode r : redirects) {
      if (Type(r) == "heredoc_redirect") cmd = Continue(cmd, r);
    }
    return cmd;
  }

  // The rest of a heredoc's line: operators and commands under the heredoc
  // node, or under a pipeline/list node that starts with its operator
  // (`cat <<EOF | sort` reaches us as heredoc(pipeline(|, sort))).
  std::shared_ptr<Command> Continue(std::shared_ptr<Command> cmd, TSNode parent) {
    for (TSNode c : Kids(parent)) {
      std::string_view t = Type(c);
      if (t == "|" || t == "|&" || t == "&&" || t == "||") {
        pending_op_ = std::string(t);
        continue;
      }
      if (!IsStatement(c) || t == "file_redirect" || t == "herestring_redirect") continue;
      if (pending_op_.empty()) {
        std::vector<TSNode> kids = Kids(c);
        if ((t == "pipeline" || t == "list") && !kids.empty() && !ts_node_is_named(kids[0])) {
          cmd = Continue(cmd, c);
        }
        continue;
      }
      std::shared_ptr<Command> next = Statement(c);
      cmd = Join(cmd, pending_op_, next);
      pending_op_.clear();
    }
    return cmd;
  }

  static std::shared_ptr<Command> Join(std::shared_ptr<Command> left, const std::string& op,
                                       std::shared_ptr<Command> right) {
    auto cmd = std::make_shared<Command>();
    cmd->line = left->line;
    if (op == "|" || op == "|&") {
      cmd->kind = CommandKind::kPipeline;
      cmd->children.push_back(left);
      if (right->kind == CommandKind::kPipeline && !right->negated) {
        cmd->pipe_stderr.push_back(op == "|&");
        for (size_t i = 0; i < right->children.size(); ++i) {
          cmd->children.push_back(right->children[i]);
          if (i > 0) cmd->pipe_stderr.push_back(right->pipe_stderr[i - 1]);
        }
      } else {
        cmd->children.push_back(right);
        cmd->pipe_stderr.push_back(op == "|&");
      }
      return cmd;
    }
    cmd->kind = CommandKind::kAndOr;
    cmd->children = {left, right};
    cmd->ops = {op == "&&" ? ListOp::kAnd : ListOp::kOr};
    return cmd;
  }

  // Where the line holding a heredoc's operator ends (its body follows).
  uint32_t HeredocLineEnd(TSNode r) const {
    uint32_t start = ts_node_start_byte(r);
    size_t nl = src_.find('\n', start);
    uint32_t end = nl == std::string_view::npos ? static_cast<uint32_t>(src_.size())
                                                : static_cast<uint32_t>(nl);
    return std::min(end, ts_node_end_byte(r));
  }

  std::shared_ptr<Command> Simple(uint32_t begin, uint32_t end, TSNode node) {
    auto cmd = std::make_shared<Command>();
    cmd->kind = CommandKind::kSimple;
    cmd->line = LineOf(node);
    Lexer lx(*this, src_.substr(0, end), begin);
    lx.SimpleCommand(cmd.get(), false);
    return cmd;
  }

  std::shared_ptr<Command> ArithCommand(TSNode n) {
    std::string_view text = Text(n);
    size_t close = text.rfind("))");
    if (close == std::string_view::npos || close < 2) throw SyntaxError{"syntax error in (( ))"};
    auto cmd = std::make_shared<Command>();
    cmd->kind = CommandKind::kArith;
    cmd->line = LineOf(n);
    cmd->words.push_back(BodyWordAt(ts_node_start_byte(n) + 2, close - 2));
    return cmd;
  }

  Word BodyWordAt(size_t offset, size_t length) {
    Lexer lx(*this, src_.substr(0, offset + length), offset);
    Word w;
    w.raw = std::string(src_.substr(offset, length));
    lx.DoubleQuoted(w, Lexer::Mode::kArith, offset + length);
    return w;
  }

  std::shared_ptr<Command> ArithFor(TSNode n) {
    std::string_view text = Text(n);
    size_t open = text.find("((");
    size_t close = std::string_view::npos;
    int depth = 0;
    for (size_t i = open + 2; i + 1 < text.size(); ++i) {
      if (text[i] == '(') ++depth;
      if (text[i] == ')') {
        if (depth == 0 && text[i + 1] == ')') {
          close = i;
          break;
        }
        --depth;
      }
    }
    if (open == std::string_view::npos || close == std::string_view::npos)
      throw SyntaxError{"syntax error in for (( ))"};
    auto cmd = std::make_shared<Command>();
    cmd->kind = CommandKind::kArithFor;
    cmd->line = LineOf(n);
    size_t base = ts_node_start_byte(n);
    size_t from = open + 2;
    for (int part = 0; part < 3; ++part) {
      size_t semi = part < 2 ? text.find(';', from) : close;
      if (semi == std::string_view::npos || semi > close)
        throw SyntaxError{"syntax error in for (( ))"};
      cmd->words.push_back(BodyWordAt(base + from, semi - from));
      from = semi + 1;
    }
    for (TSNode c : Kids(n)) {
      if (Type(c) == "do_group" || Type(c) == "compound_statement")
        cmd->children.push_back(Statement(c));
    }
    if (cmd->children.empty()) throw SyntaxError{"syntax error: missing `do'"};
    return cmd;
  }

  std::shared_ptr<Command> If(TSNode n) {
    auto cmd = std::make_shared<Command>();
    cmd->kind = CommandKind::kIf;
    cmd->line = LineOf(n);
    // if_statement: `if` condition... `then` body... elif_clause* else_clause? `fi`
    auto clause = [&](TSNode node, bool with_condition) {
      auto cond = std::make_shared<Command>();
      cond->kind = CommandKind::kSequence;
      auto body = std::make_shared<Command>();
      body->kind = CommandKind::kSequence;
      bool in_body = !with_condition;
      for (TSNode c : Kids(node)) {
        std::string_view t = Type(c);
        if (t == "then") {
          in_body = true;
          continue;
        }
        if (t == "elif_clause" || t == "else_clause") continue;
        Command* into = in_body ? body.get() : cond.get();
        if (t == "&" && !into->background.empty()) into->background.back() = true;
        if (!IsStatement(c)) continue;
        into->children.push_back(Statement(c));
        into->background.push_back(false);
      }
      if (with_condition) cmd->children.push_back(cond);
      cmd->children.push_back(body);
    };
    clause(n, true);
    for (TSNode c : Kids(n)) {
      if (Type(c) == "elif_clause") clause(c, true);
      if (Type(c) == "else_clause") {
        clause(c, false);
        cmd->has_else = true;
      }
    }
    return cmd;
  }

  std::shared_ptr<Command> Case(TSNode n) {
    auto cmd = std::make_shared<Command>();
    cmd->kind = CommandKind::kCase;
    cmd->line = LineOf(n);
    bool seen_in = false;
    for (TSNode c : Kids(n)) {
      if (Type(c) == "in") seen_in = true;
      if (!seen_in && ts_node_is_named(c) && Type(c) != "comment") {
        WordsOfRange(ts_node_start_byte(c), ts_node_end_byte(c), &cmd->words);
      } else if (Type(c) == "case_item") {
        CaseItem item;
        item.terminator = ";;";
        bool in_patterns = true;
        auto body = std::make_shared<Command>();
        body->kind = CommandKind::kSequence;
        for (TSNode k : Kids(c)) {
          std::string_view t = Type(k);
          if (t == ")") {
            in_patterns = false;
            continue;
          }
          if (in_patterns && ts_node_is_named(k) && t != "comment") {
            Lexer lx(*this, src_.substr(0, ts_node_end_byte(k)), ts_node_start_byte(k));
            Word w;
            lx.WholeWord(&w);
            item.patterns.push_back(std::move(w));
          } else if (t == ";;" || t == ";&" || t == ";;&") {
            item.terminator = std::string(t);
          } else if (t == "&" && !body->background.empty()) {
            body->background.back() = true;
          } else if (IsStatement(k)) {
            body->children.push_back(Statement(k));
            body->background.push_back(false);
          }
        }
        item.body = body;
        cmd->items.push_back(std::move(item));
      }
    }
    if (cmd->words.size() != 1) throw SyntaxError{"syntax error in case"};
    return cmd;
  }

  CondExpr Cond(TSNode n) {
    std::string_view t = Type(n);
    CondExpr e;
    if (t == "parenthesized_expression") {
      for (TSNode c : NamedKids(n)) {
        if (Type(c) != "comment") return Cond(c);
      }
      throw SyntaxError{"syntax error in conditional expression"};
    }
    if (t == "unary_expression") {
      std::string op;
      TSNode operand{};
      bool has_operand = false;
      for (TSNode c : Kids(n)) {
        if (Type(c) == "test_operator" || Type(c) == "!" ||
            (!ts_node_is_named(c) && !has_operand)) {
          op = std::string(Text(c));
        } else if (ts_node_is_named(c)) {
          operand = c;
          has_operand = true;
        }
      }
      if (!has_operand) throw SyntaxError{"syntax error in conditional expression"};
      if (op == "!") {
        e.kind = CondExpr::Kind::kNot;
        e.children.push_back(Cond(operand));
        return e;
      }
      e.kind = CondExpr::Kind::kUnary;
      e.op = op;
      e.words.push_back(CondWord(operand));
      return e;
    }
    if (t == "binary_expression") {
      std::vector<TSNode> operands;
      std::string op;
      for (TSNode c : Kids(n)) {
        if (!ts_node_is_named(c) || Type(c) == "test_operator") {
          op = std::string(Text(c));
        } else if (Type(c) != "comment") {
          operands.push_back(c);
        }
      }
      if (operands.size() != 2) throw SyntaxError{"syntax error in conditional expression"};
      if (op == "&&" || op == "||") {
        e.kind = op == "&&" ? CondExpr::Kind::kAnd : CondExpr::Kind::kOr;
        e.children.push_back(Cond(operands[0]));
        e.children.push_back(Cond(operands[1]));
        return e;
      }
      e.kind = CondExpr::Kind::kBinary;
      e.op = op;
      e.words.push_back(CondWord(operands[0]));
      e.words.push_back(CondWord(operands[1]));
      return e;
    }
    e.kind = CondExpr::Kind::kWord;
    e.words.push_back(CondWord(n));
    return e;
  }

  // One operand of [[ ]]: the node's whole text is one word (a regex such as
  // `^a(b|c)$` included), quoting and expansions as usual.
  Word CondWord(TSNode n) {
    Lexer lx(*this, src_.substr(0, ts_node_end_byte(n)), ts_node_start_byte(n));
    Word w;
    lx.WholeWord(&w);
    return w;
  }

  void WordsOfRange(uint32_t begin, uint32_t end, std::vector<Word>* out) {
    Lexer lx(*this, src_.substr(0, end), begin);
    lx.Words(out);
  }

  void RedirectsOfRange(uint32_t begin, uint32_t end, Command* cmd) {
    Lexer lx(*this, src_.substr(0, end), begin);
    lx.SimpleCommand(cmd, true);
  }

  // Parses the program of a substitution found in the text at `at` (the
  // `$(`, backquote or `<(`): from the tree when it has that node,
  // otherwise by parsing the inner text alone. Returns the end offset.
  size_t Substitution(std::string_view text, size_t at, size_t open_len, char close,
                      std::shared_ptr<Command>* program) {
    if (close == '`') return Backquoted(text, at, program);
    auto it = subs_.find(static_cast<uint32_t>(at));
    if (it != subs_.end() && &text[0] == &src_[0]) {
      TSNode n = it->second;
      *program = Statements(n);
      return ts_node_end_byte(n);
    }
    // Find the closing delimiter by depth (a rare path: a substitution the
    // tree does not show, e.g. inside a heredoc body built at run time).
    size_t i = at + open_len;
    int depth = 0;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c == '\\') {
        ++i;
        continue;
      }
      if (c == '\'' && close != '`') {
        size_t q = text.find('\'', i + 1);
        if (q == std::string_view::npos) break;
        i = q;
        continue;
      }
      if (close == '`' && c == '`') break;
      if (close == ')' && c == '(') ++depth;
      if (close == ')' && c == ')') {
        if (depth == 0) break;
        --depth;
      }
    }
    if (i >= text.size())
      throw SyntaxError{"unexpected EOF while looking for matching `" + std::string(1, close) +
                        "'"};
    std::string inner(text.substr(at + open_len, i - at - open_len));
    ScriptParser nested;
    ScriptResult r = nested.Parse(inner);
    if (!r.ok()) throw SyntaxError{r.error};
    *program = r.script;
    return i + 1;
  }

  // `...` at `at`: it ends at the first unescaped backquote, and its text
  // is parsed again after bash's one level of backslash removal (`\$`,
  // `\``, `\\` lose the backslash, every other backslash stays), which
  // the grammar's node does not do.
  size_t Backquoted(std::string_view text, size_t at, std::shared_ptr<Command>* program) {
    std::string inner;
    size_t i = at + 1;
    for (; i < text.size() && text[i] != '`'; ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        char n = text[i + 1];
        if (n != '$' && n != '`' && n != '\\') inner.push_back('\\');
        inner.push_back(n);
        ++i;
        continue;
      }
      inner.push_back(text[i]);
    }
    if (i >= text.size()) throw SyntaxError{"unexpected EOF while looking for matching ``'"};
    ScriptParser nested;
    ScriptResult r = nested.Parse(inner);
    if (!r.ok()) throw SyntaxError{r.error};
    *program = r.script;
    return i + 1;
  }

  // ------------------------------------------------------------ the lexer
  class Lexer {
   public:
    enum class Mode { kDouble, kHeredoc, kArith };

    Lexer(Builder& b, std::string_view text, size_t pos) : b_(b), t_(text), i_(pos) {}

    // assignments, words and redirections up to a command terminator.
    void SimpleCommand(Command* cmd, bool redirects_only) {
      bool leading = !redirects_only;
      while (true) {
        SkipBlanks();
        if (i_ >= t_.size()) return;
        char c = t_[i_];
        if (c == '\n' || c == ';' || c == '|' || c == ')' ||
            (c == '&' && !(i_ + 1 < t_.size() && t_[i_ + 1] == '>'))) {
          return;
        }
        if (c == '#') return;  // a comment
        if (Redirect(cmd)) continue;
        if (leading && TryAssignment(cmd)) continue;
        leading = false;
        Word w;
        if (!WordAt(&w))
          throw SyntaxError{"syntax error near unexpected token `" + std::string(1, t_[i_]) + "'"};
        // declare/local/export/readonly/typeset: assignment-like arguments.
        if (!cmd->words.empty() && IsDeclaration(cmd->words[0])) {
          AsAssignmentArg(&w);
          cmd->words.push_back(std::move(w));
          continue;
        }
        for (Word& each : BraceExpandWord(w)) cmd->words.push_back(std::move(each));
      }
    }

    void Words(std::vector<Word>* out) {
      while (true) {
        SkipBlanks();
        if (i_ >= t_.size()) return;
        Word w;
        if (!WordAt(&w)) return;
        for (Word& each : BraceExpandWord(w)) out->push_back(std::move(each));
      }
    }

    // The whole rest of the range is one word; metacharacters are literal.
    void WholeWord(Word* w) {
      size_t start = i_;
      whole_ = true;
      if (i_ < t_.size() && t_[i_] == '~') Tilde(w);
      while (i_ < t_.size()) Part(w, false);
      w->raw = std::string(t_.substr(start));
    }

    void DoubleQuoted(Word& w, Mode mode, size_t end) {
      std::string lit;
      auto flush = [&]() {
        if (!lit.empty()) {
          AddLiteral(&w, lit, true);
          lit.clear();
        }
      };
      while (i_ < end) {
        char c = t_[i_];
        if (mode == Mode::kDouble && c == '"') {
          flush();
          return;
        }
        if (c == '\\' && i_ + 1 < end) {
          char n = t_[i_ + 1];
          if (n == '$' || n == '`' || n == '\\' || (n == '"' && mode == Mode::kDouble)) {
            lit += n;
            i_ += 2;
            continue;
          }
          if (n == '\n') {
            i_ += 2;
            continue;
          }
          lit += c;
          ++i_;
          continue;
        }
        if (c == '$' || c == '`') {
          flush();
          if (Dollar(&w, true)) continue;
          lit += c;
          ++i_;
          continue;
        }
        lit += c;
        ++i_;
      }
      flush();
      if (mode == Mode::kDouble)
        throw SyntaxError{"unexpected EOF while looking for matching `\"'"};
    }

   private:
    static bool IsDeclaration(const Word& w) {
      if (w.parts.size() != 1 || w.parts[0].kind != WordPart::Kind::kLiteral || w.parts[0].quoted)
        return false;
      const std::string& s = w.parts[0].text;
      return s == "declare" || s == "local" || s == "export" || s == "readonly" || s == "typeset";
    }

    void SkipBlanks() {
      while (i_ < t_.size()) {
        if (IsBlank(t_[i_])) {
          ++i_;
        } else if (t_[i_] == '\\' && i_ + 1 < t_.size() && t_[i_ + 1] == '\n') {
          i_ += 2;
        } else {
          break;
        }
      }
    }

    // `[n]>word` and friends; false when no operator starts here.
    bool Redirect(Command* cmd) {
      size_t j = i_;
      int fd = -1;
      while (j < t_.size() && t_[j] >= '0' && t_[j] <= '9') ++j;
      if (j > i_) {
        if (j >= t_.size() || (t_[j] != '<' && t_[j] != '>')) return false;
        if (j - i_ > 9) return false;
        fd = std::stoi(std::string(t_.substr(i_, j - i_)));
      }
      if (j < t_.size() && t_[j] == '{') return false;
      // A here-document the pre-pass rewrote to `< word`.
      if (j < t_.size() && t_[j] == '<' && !t_.empty() && &t_[0] == &b_.src_[0]) {
        auto found = b_.heredocs_.find(static_cast<uint32_t>(j));
        if (found != b_.heredocs_.end() && found->second.rewritten) return Heredoc(cmd, fd, j);
      }
      std::string_view rest = t_.substr(j);
      ScriptRedirect r;
      r.fd = fd;
      size_t len = 0;
      bool dup = false;
      if (rest.substr(0, 3) == "&>>") {
        r.op = RedirectOp::kAppendBoth;
        len = 3;
      } else if (rest.substr(0, 2) == "&>") {
        r.op = RedirectOp::kOutputBoth;
        len = 2;
      } else if (rest.substr(0, 3) == "<<<") {
        r.op = RedirectOp::kHereString;
        len = 3;
      } else if (rest.substr(0, 2) == "<<") {
        return Heredoc(cmd, fd, j);
      } else if (rest.substr(0, 2) == ">>") {
        r.op = RedirectOp::kAppend;
        len = 2;
      } else if (rest.substr(0, 2) == ">&") {
        r.op = RedirectOp::kDuplicateOut;
        len = 2;
        dup = true;
      } else if (rest.substr(0, 2) == "<&") {
        r.op = RedirectOp::kDuplicateIn;
        len = 2;
        dup = true;
      } else if (rest.substr(0, 2) == "<>") {
        r.op = RedirectOp::kReadWrite;
        len = 2;
      } else if (rest.substr(0, 2) == ">|") {
        r.op = RedirectOp::kOutput;
        len = 2;
      } else if (rest.substr(0, 1) == ">" && rest.substr(0, 2) != ">(") {
        r.op = RedirectOp::kOutput;
        len = 1;
      } else if (rest.substr(0, 1) == "<" && rest.substr(0, 2) != "<(") {
        r.op = RedirectOp::kInput;
        len = 1;
      } else {
        return false;
      }
      i_ = j + len;
      SkipBlanks();
      if (dup && i_ < t_.size() && t_[i_] == '-' && (i_ + 1 >= t_.size() || IsMeta(t_[i_ + 1]))) {
        AddLiteral(&r.target, "-", false);
        r.target.raw = "-";
        ++i_;
        cmd->redirects.push_back(std::move(r));
        return true;
      }
      if (!WordAt(&r.target)) throw SyntaxError{"syntax error near unexpected token `newline'"};
      if (dup && r.op == RedirectOp::kDuplicateOut && fd == -1) {
        // `>&file` (not a number) is `&>file`.
        bool digits = !r.target.raw.empty() &&
                      r.target.raw.find_first_not_of("0123456789") == std::string::npos;
        if (!digits && r.target.raw.find('$') == std::string::npos) r.op = RedirectOp::kOutputBoth;
      }
      cmd->redirects.push_back(std::move(r));
      return true;
    }

    bool Heredoc(Command* cmd, int fd, size_t op_at) {
      auto it = b_.heredocs_.find(static_cast<uint32_t>(op_at));
      if (it == b_.heredocs_.end() || &t_[0] != &b_.src_[0])
        throw SyntaxError{"here-document without its body"};
      bool dash = op_at + 2 < t_.size() && t_[op_at + 2] == '-';
      i_ = it->second.rewritten ? op_at + 1 : op_at + (dash ? 3 : 2);
      SkipBlanks();
      Word delim;
      if (!WordAt(&delim)) throw SyntaxError{"syntax error near unexpected token `newline'"};
      ScriptRedirect r;
      r.fd = fd;
      r.op = RedirectOp::kHeredoc;
      r.heredoc_quoted = it->second.quoted;
      if (r.heredoc_quoted) {
        AddLiteral(&r.target, it->second.body, true);
        if (r.target.parts.empty()) AddLiteral(&r.target, "", true);
      } else {
        r.target = b_.BodyWord(it->second.body, false);
        if (r.target.parts.empty()) AddLiteral(&r.target, "", true);
      }
      r.target.raw = it->second.delimiter;
      cmd->redirects.push_back(std::move(r));
      return true;
    }

    bool TryAssignment(Command* cmd) {
      size_t j = i_;
      if (j >= t_.size() || !IsNameStart(t_[j])) return false;
      while (j < t_.size() && IsNameChar(t_[j])) ++j;
      std::string name(t_.substr(i_, j - i_));
      std::shared_ptr<Word> index;
      if (j < t_.size() && t_[j] == '[') {
        size_t close = MatchBracket(j);
        if (close == std::string_view::npos) return false;
        index = std::make_shared<Word>(b_.BodyWordAt(j + 1, close - j - 1));
        j = close + 1;
      }
      bool append = false;
      if (j + 1 < t_.size() && t_[j] == '+' && t_[j + 1] == '=') {
        append = true;
        ++j;
      }
      if (j >= t_.size() || t_[j] != '=') return false;
      i_ = j + 1;
      Assignment a;
      a.name = std::move(name);
      a.index = std::move(index);
      a.append = append;
      ParseAssignmentValue(&a);
      cmd->assignments.push_back(std::move(a));
      return true;
    }

    void ParseAssignmentValue(Assignment* a) {
      if (i_ < t_.size() && t_[i_] == '(') {
        a->is_array = true;
        ++i_;
        while (true) {
          while (i_ < t_.size() && (IsBlank(t_[i_]) || t_[i_] == '\n')) ++i_;
          if (i_ >= t_.size()) throw SyntaxError{"unexpected EOF while looking for `)'"};
          if (t_[i_] == ')') {
            ++i_;
            break;
          }
          Word w;
          bool saved = in_array_;
          in_array_ = true;
          bool got = WordAt(&w);
          in_array_ = saved;
          if (!got) throw SyntaxError{"syntax error in an array assignment"};
          // a=({1..3}): the elements undergo brace expansion.
          for (Word& each : BraceExpandWord(w)) a->elements.push_back(std::move(each));
        }
        return;
      }
      a->value = std::make_shared<Word>();
      assignment_value_ = true;
      WordAt(a->value.get());
      assignment_value_ = false;
    }

    // `name=value` as an argument of declare & co.
    void AsAssignmentArg(Word* w) {
      if (w->parts.empty() || w->parts[0].kind != WordPart::Kind::kLiteral || w->parts[0].quoted)
        return;
      const std::string& first = w->parts[0].text;
      size_t j = 0;
      if (first.empty() || !IsNameStart(first[0])) return;
      while (j < first.size() && IsNameChar(first[j])) ++j;
      if (j >= first.size()) return;
      auto a = std::make_shared<Assignment>();
      a->name = first.substr(0, j);
      if (first[j] == '+' && j + 1 < first.size() && first[j + 1] == '=') {
        a->append = true;
        ++j;
      }
      if (first[j] != '=') return;
      Word value;
      std::string rest = first.substr(j + 1);
      if (!rest.empty()) AddLiteral(&value, rest, false);
      for (size_t k = 1; k < w->parts.size(); ++k) value.parts.push_back(w->parts[k]);
      if (value.parts.empty()) AddLiteral(&value, "", true);
      if (pending_array_) {
        a->is_array = true;
        a->elements = std::move(pending_elements_);
        pending_array_ = false;
      } else {
        a->value = std::make_shared<Word>(std::move(value));
      }
      w->assignment = a;
    }

    // The `]` closing the subscript opened at `open`: quoted text (where a
    // blank may be, `h["a b"]=v`) and backslash-escaped characters are
    // skipped; an unquoted blank ends the word first (npos) unless
    // `blanks` (the `[a b]=v` element of a compound assignment).
    size_t MatchBracket(size_t open, bool blanks = false) const {
      int depth = 0;
      for (size_t k = open; k < t_.size(); ++k) {
        if (t_[k] == '\\') {
          ++k;
          continue;
        }
        // $(...) and ${...} (`h[$(cmd arg)]=v`): to the balancing
        // parenthesis or brace.
        if (t_[k] == '$' && k + 1 < t_.size() && (t_[k + 1] == '(' || t_[k + 1] == '{')) {
          const char open_c = t_[k + 1], close_c = open_c == '(' ? ')' : '}';
          int nest = 0;
          for (++k; k < t_.size(); ++k) {
            if (t_[k] == open_c) ++nest;
            if (t_[k] == close_c && --nest == 0) break;
          }
          if (k >= t_.size()) return std::string_view::npos;
          continue;
        }
        if (t_[k] == '\'' || t_[k] == '"' || t_[k] == '`') {
          const char quote = t_[k];
          for (++k; k < t_.size() && t_[k] != quote; ++k)
            if (quote == '"' && t_[k] == '\\') ++k;
          if (k >= t_.size()) return std::string_view::npos;
          continue;
        }
        if (t_[k] == '[') ++depth;
        if (t_[k] == ']' && --depth == 0) return k;
        if ((IsBlank(t_[k]) && !blanks) || t_[k] == '\n') return std::string_view::npos;
      }
      return std::string_view::npos;
    }

    static void AddLiteral(Word* w, std::string_view s, bool quoted) {
      if (!w->parts.empty() && w->parts.back().kind == WordPart::Kind::kLiteral &&
          w->parts.back().quoted == quoted && !s.empty() && !w->parts.back().text.empty()) {
        w->parts.back().text += s;
        return;
      }
      WordPart p;
      p.kind = WordPart::Kind::kLiteral;
      p.quoted = quoted;
      p.text = std::string(s);
      w->parts.push_back(std::move(p));
    }

    // One word from i_; false when none starts here.
    // `@(a|b)` and its kin, from the `(` at i_, when `shopt -s extglob` ran
    // on an earlier line (bash parses a line after running the previous
    // one): the group is unquoted pattern text. False when not allowed.
    bool ExtglobGroup(Word* w) {
      if (t_.empty() || &t_[0] != &b_.src_[0] || i_ < b_.extglob_from_) return false;
      int depth = 0;
      size_t k = i_;
      for (; k < t_.size(); ++k) {
        char c = t_[k];
        if (c == '\\') {
          ++k;
          continue;
        }
        if (c == '\n' || c == '\'' || c == '"' || c == '$' || c == '`') return false;
        if (c == '(') ++depth;
        if (c == ')' && --depth == 0) break;
      }
      if (k >= t_.size()) return false;
      AddLiteral(w, t_.substr(i_, k + 1 - i_), false);
      i_ = k + 1;
      return true;
    }

    // `name=`, `name+=`, `name[sub]=` at `j`: bash expands a tilde after
    // the `=` and after each `:` of such an argument word too.
    bool LooksLikeAssignment(size_t j) const {
      if (j >= t_.size() || !IsNameStart(t_[j])) return false;
      while (j < t_.size() && IsNameChar(t_[j])) ++j;
      if (j < t_.size() && t_[j] == '[') {
        while (j < t_.size() && t_[j] != ']' && !IsMeta(t_[j])) ++j;
        if (j >= t_.size() || t_[j] != ']') return false;
        ++j;
      }
      if (j < t_.size() && t_[j] == '+') ++j;
      return j < t_.size() && t_[j] == '=';
    }

    bool WordAt(Word* w) {
      size_t start = i_;
      bool saved_assign_like = assign_like_;
      assign_like_ = !assignment_value_ && !in_array_ && LooksLikeAssignment(start);
      struct Restore {
        bool& flag;
        bool value;
        ~Restore() { flag = value; }
      } restore{assign_like_, saved_assign_like};
      // `[a b]=v` in a compound assignment: the blanks inside the brackets
      // belong to the word (bash's skipsubscript).
      size_t keyed_end = 0;
      if (in_array_ && start < t_.size() && t_[start] == '[') {
        const size_t close = MatchBracket(start, true);
        if (close != std::string_view::npos &&
            (t_.substr(close + 1, 1) == "=" || t_.substr(close + 1, 2) == "+="))
          keyed_end = close;
      }
      // Tilde prefix.
      if (i_ < t_.size() && t_[i_] == '~') Tilde(w);
      while (i_ < t_.size()) {
        char c = t_[i_];
        if (i_ < keyed_end && IsBlank(c)) {
          AddLiteral(w, t_.substr(i_, 1), false);
          ++i_;
          continue;
        }
        if (IsMeta(c)) {
          if ((c == '<' || c == '>') && i_ + 1 < t_.size() && t_[i_ + 1] == '(') {
            ProcessSub(w);
            continue;
          }
          if (c == '(' && i_ > start && std::strchr("?*+@!", t_[i_ - 1]) != nullptr &&
              ExtglobGroup(w))
            continue;
          // `name=(` inside declare arguments: an array value.
          if (c == '(' && i_ > start && t_[i_ - 1] == '=' && !assignment_value_) {
            Assignment tmp;
            ParseAssignmentValue(&tmp);
            pending_array_ = true;
            pending_elements_ = std::move(tmp.elements);
            continue;
          }
          break;
        }
        Part(w, false);
        // After `=` or `:` in an assignment value, a tilde expands too.
        if ((assignment_value_ || assign_like_) && i_ < t_.size() && t_[i_] == '~' && i_ > start &&
            (t_[i_ - 1] == ':' || t_[i_ - 1] == '='))
          Tilde(w);
      }
      if (i_ == start) return false;
      w->raw = std::string(t_.substr(start, i_ - start));
      NameBad(w, 0, w->raw);
      if (w->parts.empty()) AddLiteral(w, "", true);
      return true;
    }

    void Tilde(Word* w) {
      size_t j = i_ + 1;
      while (j < t_.size() && !IsMeta(t_[j]) && t_[j] != '/' && t_[j] != '"' && t_[j] != '\'' &&
             t_[j] != '$' && t_[j] != '\\' && t_[j] != '`' &&
             !((assignment_value_ || assign_like_) && t_[j] == ':'))
        ++j;
      WordPart p;
      p.kind = WordPart::Kind::kTilde;
      p.text = std::string(t_.substr(i_ + 1, j - i_ - 1));
      w->parts.push_back(std::move(p));
      i_ = j;
    }

    void ProcessSub(Word* w) {
      WordPart p;
      p.kind = WordPart::Kind::kProcessSub;
      p.process_output = t_[i_] == '>';
      i_ = b_.Substitution(t_, i_, 2, ')', &p.program);
      w->parts.push_back(std::move(p));
    }

    // One piece of an unquoted word.
    void Part(Word* w, bool) {
      char c = t_[i_];
      if (c == '\\') {
        if (i_ + 1 >= t_.size()) {
          AddLiteral(w, "\\", true);
          ++i_;
          return;
        }
        if (t_[i_ + 1] == '\n') {
          i_ += 2;
          return;
        }
        AddLiteral(w, t_.substr(i_ + 1, 1), true);
        i_ += 2;
        return;
      }
      if (c == '\'') {
        size_t q = t_.find('\'', i_ + 1);
        if (q == std::string_view::npos)
          throw SyntaxError{"unexpected EOF while looking for matching `''"};
        AddLiteral(w, t_.substr(i_ + 1, q - i_ - 1), true);
        if (q == i_ + 1) AddLiteral(w, "", true);
        i_ = q + 1;
        return;
      }
      if (c == '"') {
        ++i_;
        size_t before = w->parts.size();
        size_t content = i_;
        DoubleQuoted(*w, Mode::kDouble, t_.size());
        NameBad(w, before, t_.substr(content, std::min(i_, t_.size()) - content));
        ++i_;  // the closing quote
        if (w->parts.size() == before) AddLiteral(w, "", true);
        return;
      }
      if (c == '$' && i_ + 1 < t_.size() && t_[i_ + 1] == '\'') {
        size_t j = i_ + 2;
        while (j < t_.size() && t_[j] != '\'') j += t_[j] == '\\' ? 2 : 1;
        if (j >= t_.size()) throw SyntaxError{"unexpected EOF while looking for matching `''"};
        AddLiteral(w, internal::DecodeAnsiC(t_.substr(i_ + 2, j - i_ - 2)), true);
        if (j == i_ + 2) AddLiteral(w, "", true);
        i_ = j + 1;
        return;
      }
      if (c == '$' && i_ + 1 < t_.size() && t_[i_ + 1] == '"') {
        ++i_;  // $"..." is "..." in the C locale
        return;
      }
      if (c == '$' || c == '`') {
        if (Dollar(w, false)) return;
      }
      if (whole_ && IsMeta(c)) {
        AddLiteral(w, t_.substr(i_, 1), false);
        ++i_;
        return;
      }
      AddLiteral(w, t_.substr(i_, 1), false);
      ++i_;
    }

    // $name ${...} $(...) $((...)) `...` at i_; false when `$` is literal.
    bool Dollar(Word* w, bool quoted) {
      char c = t_[i_];
      WordPart p;
      p.quoted = quoted;
      if (c == '`') {
        p.kind = WordPart::Kind::kCommandSub;
        i_ = b_.Substitution(t_, i_, 1, '`', &p.program);
        w->parts.push_back(std::move(p));
        return true;
      }
      if (i_ + 1 >= t_.size()) return false;
      char n = t_[i_ + 1];
      if (n == '(' && i_ + 2 < t_.size() && t_[i_ + 2] == '(') {
        size_t close = ArithEnd(i_ + 3);
        if (close != std::string_view::npos) {
          p.kind = WordPart::Kind::kArith;
          p.arith = std::make_shared<Word>(b_.BodyWordAtText(t_, i_ + 3, close - i_ - 3));
          i_ = close + 2;
          w->parts.push_back(std::move(p));
          return true;
        }
      }
      if (n == '[') {
        // `$[expr]`: the legacy form of `$((expr))`.
        size_t close = i_ + 2;
        for (int depth = 0; close < t_.size(); ++close) {
          if (t_[close] == '[') ++depth;
          if (t_[close] == ']' && depth-- == 0) break;
        }
        if (close < t_.size()) {
          p.kind = WordPart::Kind::kArith;
          p.arith = std::make_shared<Word>(b_.BodyWordAtText(t_, i_ + 2, close - i_ - 2));
          i_ = close + 1;
          w->parts.push_back(std::move(p));
          return true;
        }
      }
      if (n == '(') {
        p.kind = WordPart::Kind::kCommandSub;
        i_ = b_.Substitution(t_, i_, 2, ')', &p.program);
        w->parts.push_back(std::move(p));
        return true;
      }
      if (n == '{') {
        size_t close = BraceEnd(i_ + 2);
        if (close == std::string_view::npos) throw SyntaxError{"bad substitution"};
        p.kind = WordPart::Kind::kParam;
        p.param = std::make_shared<ParamExpansion>(ParseParam(i_ + 2, close, quoted));
        i_ = close + 1;
        w->parts.push_back(std::move(p));
        return true;
      }
      if (IsNameStart(n)) {
        size_t j = i_ + 1;
        while (j < t_.size() && IsNameChar(t_[j])) ++j;
        p.kind = WordPart::Kind::kParam;
        p.param = std::make_shared<ParamExpansion>();
        p.param->name = std::string(t_.substr(i_ + 1, j - i_ - 1));
        i_ = j;
        w->parts.push_back(std::move(p));
        return true;
      }
      if ((n >= '0' && n <= '9') || std::strchr("@*#?-$!", n) != nullptr) {
        p.kind = WordPart::Kind::kParam;
        p.param = std::make_shared<ParamExpansion>();
        p.param->name = std::string(1, n);
        i_ += 2;
        w->parts.push_back(std::move(p));
        return true;
      }
      return false;
    }

    size_t ArithEnd(size_t from) const {
      int depth = 0;
      for (size_t k = from; k + 1 < t_.size(); ++k) {
        if (t_[k] == '(') ++depth;
        if (t_[k] == ')') {
          if (depth == 0) return t_[k + 1] == ')' ? k : std::string_view::npos;
          --depth;
        }
      }
      return std::string_view::npos;
    }

    size_t BraceEnd(size_t from) const {
      int depth = 0;
      for (size_t k = from; k < t_.size(); ++k) {
        char c = t_[k];
        if (c == '\\') {
          ++k;
          continue;
        }
        if (c == '\'') {
          size_t q = t_.find('\'', k + 1);
          if (q == std::string_view::npos) return q;
          k = q;
          continue;
        }
        if (c == '"') {
          for (++k; k < t_.size() && t_[k] != '"'; ++k) {
            if (t_[k] == '\\') ++k;
          }
          continue;
        }
        if (c == '$' && k + 1 < t_.size() && t_[k + 1] == '(') {
          auto it = b_.subs_.find(static_cast<uint32_t>(k));
          if (it != b_.subs_.end() && &t_[0] == &b_.src_[0]) {
            k = ts_node_end_byte(it->second) - 1;
            continue;
          }
        }
        if (c == '{') ++depth;
        if (c == '}') {
          if (depth == 0) return k;
          --depth;
        }
      }
      return std::string_view::npos;
    }

    // The inside of `${` ... `}`: [from, end).
    ParamExpansion ParseParam(size_t from, size_t end, bool quoted) {
      ParamExpansion pe;
      size_t k = from;
      auto at = [&](size_t pos) { return pos < end ? t_[pos] : '\0'; };
      if (at(k) == '#' && k + 1 < end) {
        // ${#x}, ${#a[@]}; but ${#} alone, ${#-}, ${#?} are $#-forms.
        pe.length = true;
        ++k;
      } else if (at(k) == '!' && k + 1 < end) {
        pe.indirect = true;
        ++k;
      }
      size_t name_start = k;
      if (IsNameStart(at(k))) {
        while (k < end && IsNameChar(t_[k])) ++k;
      } else if (at(k) >= '0' && at(k) <= '9') {
        while (k < end && t_[k] >= '0' && t_[k] <= '9') ++k;
      } else if (at(k) != '\0' && std::strchr("@*#?-$!", at(k)) != nullptr) {
        ++k;
      } else if (pe.length && name_start == end) {
        pe.length = false;
        pe.name = "#";
        return pe;
      } else {
        return Bad(from, end);
      }
      pe.name = std::string(t_.substr(name_start, k - name_start));
      if (at(k) == '[') {
        size_t close = k;
        int depth = 0;
        for (; close < end; ++close) {
          if (t_[close] == '[') ++depth;
          if (t_[close] == ']' && --depth == 0) break;
        }
        if (close >= end) return Bad(from, end);
        pe.subscript = std::make_shared<Word>(b_.BodyWordAtText(t_, k + 1, close - k - 1));
        k = close + 1;
      }
      if (pe.indirect && (at(k) == '*' || at(k) == '@') && k + 1 == end && !pe.subscript) {
        pe.indirect = false;
        pe.prefix_names = true;
        pe.transform = at(k);
        return pe;
      }
      if (k == end) return pe;
      if (pe.length) return Bad(from, end);
      auto operand = [&](size_t a, size_t b) {
        return std::make_shared<Word>(OperandWord(a, b, quoted));
      };
      char c = at(k);
      if (c == ':') {
        char d = at(k + 1);
        if (d == '-' || d == '=' || d == '?' || d == '+') {
          pe.colon = true;
          pe.op = d == '-'   ? ParamExpansion::Op::kDefault
                  : d == '=' ? ParamExpansion::Op::kAssign
                  : d == '?' ? ParamExpansion::Op::kError
                             : ParamExpansion::Op::kAlternate;
          pe.operand = operand(k + 2, end);
          return pe;
        }
        pe.op = ParamExpansion::Op::kSubstring;
        // offset[:length]; a ':' inside ?: is rare.
        size_t colon = std::string_view::npos;
        int depth = 0;
        for (size_t m = k + 1; m < end; ++m) {
          if (t_[m] == '(') ++depth;
          if (t_[m] == ')') --depth;
          if (t_[m] == '?') ++depth;
          if (t_[m] == ':' && depth == 0) {
            colon = m;
            break;
          }
          if (t_[m] == ':' && depth > 0) --depth;
        }
        size_t off_end = colon == std::string_view::npos ? end : colon;
        pe.operand = std::make_shared<Word>(b_.BodyWordAtText(t_, k + 1, off_end - k - 1));
        if (colon != std::string_view::npos)
          pe.operand2 = std::make_shared<Word>(b_.BodyWordAtText(t_, colon + 1, end - colon - 1));
        return pe;
      }
      if (c == '-' || c == '=' || c == '?' || c == '+') {
        pe.op = c == '-'   ? ParamExpansion::Op::kDefault
                : c == '=' ? ParamExpansion::Op::kAssign
                : c == '?' ? ParamExpansion::Op::kError
                           : ParamExpansion::Op::kAlternate;
        pe.operand = operand(k + 1, end);
        return pe;
      }
      if (c == '#' || c == '%') {
        bool large = at(k + 1) == c;
        pe.op = c == '#' ? (large ? ParamExpansion::Op::kRemoveLargePrefix
                                  : ParamExpansion::Op::kRemoveSmallPrefix)
                         : (large ? ParamExpansion::Op::kRemoveLargeSuffix
                                  : ParamExpansion::Op::kRemoveSmallSuffix);
        pe.operand = std::make_shared<Word>(OperandWord(k + (large ? 2 : 1), end, false));
        return pe;
      }
      if (c == '/') {
        size_t p = k + 1;
        pe.op = ParamExpansion::Op::kReplaceFirst;
        if (at(p) == '/') {
          pe.op = ParamExpansion::Op::kReplaceAll;
          ++p;
        } else if (at(p) == '#') {
          pe.op = ParamExpansion::Op::kReplacePrefix;
          ++p;
        } else if (at(p) == '%') {
          pe.op = ParamExpansion::Op::kReplaceSuffix;
          ++p;
        }
        // The pattern ends at the first unquoted, unescaped '/'.
        size_t slash = p;
        for (; slash < end; ++slash) {
          if (t_[slash] == '\\') {
            ++slash;
            continue;
          }
          if (t_[slash] == '\'' && !quoted) {
            size_t q = t_.find('\'', slash + 1);
            if (q != std::string_view::npos && q < end) slash = q;
            continue;
          }
          if (t_[slash] == '/') break;
        }
        pe.operand = std::make_shared<Word>(OperandWord(p, std::min(slash, end), false));
        // The replacement undergoes quote removal even inside "...", and an
        // unquoted & in it stands for the match (bash 5.2 patsub_replacement).
        if (slash < end) pe.operand2 = std::make_shared<Word>(OperandWord(slash + 1, end, false));
        return pe;
      }
      if (c == '^' || c == ',') {
        bool all = at(k + 1) == c;
        pe.op = c == '^' ? (all ? ParamExpansion::Op::kUpperAll : ParamExpansion::Op::kUpperFirst)
                         : (all ? ParamExpansion::Op::kLowerAll : ParamExpansion::Op::kLowerFirst);
        pe.operand = operand(k + (all ? 2 : 1), end);
        return pe;
      }
      if (c == '~') {
        bool all = at(k + 1) == c;
        pe.op = all ? ParamExpansion::Op::kToggleAll : ParamExpansion::Op::kToggleFirst;
        pe.operand = operand(k + (all ? 2 : 1), end);
        return pe;
      }
      if (c == '@' && k + 2 == end) {
        pe.op = ParamExpansion::Op::kTransform;
        pe.transform = at(k + 1);
        return pe;
      }
      return Bad(from, end);
    }

    // A `${...}` bash rejects when it expands it.
    ParamExpansion Bad(size_t from, size_t end) const {
      ParamExpansion pe;
      pe.op = ParamExpansion::Op::kBad;
      pe.name = "${" + std::string(t_.substr(from, end - from)) + "}";
      return pe;
    }

    // Names the string that holds each bad substitution among w's parts
    // from `first` on that has none yet.
    static void NameBad(Word* w, size_t first, std::string_view text) {
      for (size_t k = first; k < w->parts.size(); ++k) {
        WordPart& p = w->parts[k];
        if (p.kind == WordPart::Kind::kParam && p.param &&
            p.param->op == ParamExpansion::Op::kBad && p.param->bad_text.empty())
          p.param->bad_text = std::string(text);
      }
    }

    // The word of `${x:-word}`: in double quotes its parts are quoted, but
    // quotes inside it still group (bash removes them).
    Word OperandWord(size_t a, size_t b, bool quoted) {
      Lexer sub(b_, t_.substr(0, b), a);
      sub.whole_ = true;
      Word w;
      if (quoted) {
        // Inside "...": like a double-quoted string whose `"` pairs are
        // removed; single quotes are literal.
        while (sub.i_ < b) {
          if (sub.t_[sub.i_] == '"') {
            ++sub.i_;
            sub.DoubleQuoted(w, Mode::kDouble, b);
            ++sub.i_;
            continue;
          }
          size_t before = sub.i_;
          std::string_view piece = sub.t_.substr(before, 1);
          if (piece[0] == '$' || piece[0] == '`') {
            if (sub.Dollar(&w, true)) continue;
          }
          if (piece[0] == '\\' && before + 1 < b) {
            char n = sub.t_[before + 1];
            if (n == '$' || n == '`' || n == '\\' || n == '"' || n == '}') {
              AddLiteral(&w, sub.t_.substr(before + 1, 1), true);
              sub.i_ += 2;
              continue;
            }
          }
          AddLiteral(&w, piece, true);
          ++sub.i_;
        }
      } else {
        while (sub.i_ < b) sub.Part(&w, false);
      }
      w.raw = std::string(t_.substr(a, b - a));
      NameBad(&w, 0, w.raw);
      if (w.parts.empty()) AddLiteral(&w, "", quoted);
      return w;
    }

    Builder& b_;
    std::string_view t_;
    size_t i_;
    bool whole_ = false;
    bool assignment_value_ = false;
    bool assign_like_ = false;  // the word being lexed looks like `name=...`
    bool in_array_ = false;     // lexing the elements of `a=(...)`
    bool pending_array_ = false;
    std::vector<Word> pending_elements_;

    friend class Builder;
  };

  // An arithmetic (or subscript) text inside `text` at [offset, +length).
  Word BodyWordAtText(std::string_view text, size_t offset, size_t length) {
    Lexer lx(*this, text.substr(0, offset + length), offset);
    Word w;
    w.raw = std::string(text.substr(offset, length));
    lx.DoubleQuoted(w, Lexer::Mode::kArith, offset + length);
    return w;
  }

  std::string_view src_;
  TSParser* parser_;
  std::map<uint32_t, TSNode> subs_;
  std::map<uint32_t, Heredoc> heredocs_;
  std::set<uint32_t> empty_for_;
  // Words from here on may hold extglob groups: the end of the first line
  // that is exactly `shopt -s extglob` (npos: none).
  size_t extglob_from_ = ExtglobFrom(src_);
  std::string pending_op_;
};

}  // namespace

struct ScriptParser::Impl {
  ParserPtr parser{ts_parser_new()};
};

ScriptParser::ScriptParser() : impl_(std::make_unique<Impl>()) {
  ts_parser_set_language(impl_->parser.get(), tree_sitter_bash());
}
ScriptParser::~ScriptParser() = default;

namespace {

// The deepest-first ERROR or MISSING node, for the message.
bool FindError(TSNode n, std::string_view src, std::string* message) {
  if (ts_node_is_missing(n)) {
    *message = "syntax error: missing `" + std::string(ts_node_type(n)) + "'";
    return true;
  }
  if (std::string_view(ts_node_type(n)) == "ERROR") {
    uint32_t b = ts_node_start_byte(n);
    // bash names the first token it could not take.
    size_t e = b;
    while (e < src.size() && !IsMeta(src[e])) ++e;
    if (e == b && b < src.size()) ++e;
    std::string token(src.substr(b, e - b));
    for (TSNode k : Kids(n)) {
      if (FindError(k, src, message)) return true;
    }
    *message = "syntax error near unexpected token `" + (token.empty() ? "newline" : token) + "'";
    return true;
  }
  if (!ts_node_has_error(n)) return false;
  for (TSNode k : Kids(n)) {
    if (FindError(k, src, message)) return true;
  }
  return false;
}

}  // namespace

ScriptResult ScriptParser::Parse(std::string_view original) {
  ScriptResult result;
  HeredocPrepass prepass(original);
  std::map<uint32_t, Heredoc> heredocs;
  std::set<uint32_t> empty_for;
  std::string_view source = original;
  std::string tree_text;
  std::string_view tree_source = original;
  if (prepass.Run()) {
    source = prepass.source();
    heredocs = std::move(prepass.heredocs());
    empty_for = prepass.empty_for();
    tree_text = prepass.tree_source();
    tree_source = tree_text;
  }
  // bash reads a line (with the bodies of its here-documents) before it
  // runs it: an unterminated body's warning comes before the first
  // statement of the operator's line runs.
  std::vector<std::pair<int, std::string>> warnings;
  for (const auto& [op, doc] : heredocs) {
    if (!doc.warning.empty()) warnings.emplace_back(doc.line, doc.warning);
  }
  TreePtr tree(ts_parser_parse_string(impl_->parser.get(), nullptr, tree_source.data(),
                                      static_cast<uint32_t>(tree_source.size())));
  if (!tree) {
    result.error = "the parser gave no tree";
    return result;
  }
  TSNode root = ts_tree_root_node(tree.get());
  if (ts_node_has_error(root)) {
    if (!FindError(root, source, &result.error)) result.error = "syntax error";
    try {
      Builder flat(source, impl_->parser.get(), heredocs);
      result.script = flat.FlatProgram();
      result.error.clear();
    } catch (const SyntaxError&) {
      result.script.reset();
    }
  } else {
    try {
      Builder builder(source, impl_->parser.get(), heredocs, empty_for);
      result.script = builder.Program(root);
    } catch (const SyntaxError& e) {
      result.error = e.message;
      result.script.reset();
    }
  }
  if (result.script && !warnings.empty()) {
    std::vector<std::shared_ptr<Command>>& top = result.script->children;
    for (const auto& [line, text] : warnings) {
      // The first statement of the line of the last statement that starts
      // at or before the operator's line.
      size_t at = top.size();
      for (size_t k = 0; k < top.size(); ++k) {
        if (top[k]->line <= line) at = k;
      }
      if (at == top.size()) continue;
      while (at > 0 && top[at - 1]->line == top[at]->line) --at;
      top[at]->parse_warning += text;
    }
  }
  return result;
}

std::string ScriptParser::DebugTree(std::string_view source) {
  TreePtr tree(ts_parser_parse_string(impl_->parser.get(), nullptr, source.data(),
                                      static_cast<uint32_t>(source.size())));
  if (!tree) return {};
  char* text = ts_node_string(ts_tree_root_node(tree.get()));
  if (text == nullptr) return {};
  std::string out(text);
  std::free(text);
  return out;
}

Word ParseHeredocText(std::string_view text) {
  ScriptParser unused;
  Builder builder(text, nullptr);
  try {
    return builder.BodyWord(text, false);
  } catch (const SyntaxError&) {
    Word w;
    WordPart p;
    p.quoted = true;
    p.text = std::string(text);
    w.parts.push_back(std::move(p));
    return w;
  }
}

}  // namespace memhook::parser::ast
