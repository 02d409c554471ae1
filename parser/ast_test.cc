// The AST: shapes of lists, pipelines and compound commands, words kept as
// parts, here-documents, and the grammar's misparses repaired. (What the
// tree means at run time is checked against bash in shell/shell_test.cc.)
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "parser/ast.h"

#include <doctest/doctest.h>

#include <string>

namespace memhook::parser::ast {
namespace {

std::string RenderWords(const std::vector<Word>& words) {
  std::string out;
  for (const Word& w : words) out += (out.empty() ? "" : " ") + w.raw;
  return out;
}

// A compact, deterministic rendering of a command tree.
std::string Render(const Command& c) {
  std::string kids;
  for (size_t i = 0; i < c.children.size(); ++i) {
    if (i > 0) {
      if (c.kind == CommandKind::kAndOr) {
        kids += c.ops[i - 1] == ListOp::kAnd ? " && " : " || ";
      } else if (c.kind == CommandKind::kPipeline) {
        kids += c.pipe_stderr[i - 1] ? " |& " : " | ";
      } else {
        kids += "; ";
      }
    }
    kids += Render(*c.children[i]);
  }
  std::string redirects;
  for (const ScriptRedirect& r : c.redirects) {
    redirects += " " + std::to_string(r.fd) + "~" + std::to_string(static_cast<int>(r.op)) + ":" +
                 r.target.raw;
  }
  switch (c.kind) {
    case CommandKind::kSimple: {
      std::string assigns;
      for (const Assignment& a : c.assignments) assigns += a.name + "= ";
      return "[" + assigns + RenderWords(c.words) + redirects + "]";
    }
    case CommandKind::kSequence:
      return "seq(" + kids + ")";
    case CommandKind::kAndOr:
      return "list(" + kids + ")";
    case CommandKind::kPipeline:
      return std::string(c.negated ? "!" : "") + "pipe(" + kids + ")" + redirects;
    case CommandKind::kSubshell:
      return "sub(" + kids + ")" + redirects;
    case CommandKind::kGroup:
      return "group(" + kids + ")" + redirects;
    case CommandKind::kIf:
      return std::string("if") + (c.has_else ? "-else" : "") + "(" + kids + ")";
    case CommandKind::kFor:
      return "for " + c.name + " in(" + RenderWords(c.words) + ")(" + kids + ")" + redirects;
    case CommandKind::kArithFor:
      return "for((" + RenderWords(c.words) + "))(" + kids + ")";
    case CommandKind::kWhile:
      return "while(" + kids + ")" + redirects;
    case CommandKind::kUntil:
      return "until(" + kids + ")";
    case CommandKind::kCase: {
      std::string items;
      for (const CaseItem& item : c.items) {
        items += " " + RenderWords(item.patterns) + ")" +
                 (item.body ? Render(*item.body) : std::string()) + item.terminator;
      }
      return "case " + RenderWords(c.words) + items;
    }
    case CommandKind::kFunction:
      return "fn " + c.name + "(" + kids + ")";
    case CommandKind::kCond:
      return "[[" + (c.cond ? c.cond->op : std::string()) + "]]";
    case CommandKind::kArith:
      return "((" + RenderWords(c.words) + "))";
  }
  return "?";
}

std::string Shape(std::string_view source) {
  ScriptParser parser;
  ScriptResult r = parser.Parse(source);
  INFO("source: ", std::string(source), " error: ", r.error);
  REQUIRE(r.ok());
  return Render(*r.script);
}

// The single simple command of `source`.
Command Only(std::string_view source) {
  ScriptParser parser;
  ScriptResult r = parser.Parse(source);
  INFO("source: ", std::string(source), " error: ", r.error);
  REQUIRE(r.ok());
  REQUIRE(r.script->children.size() == 1);
  REQUIRE(r.script->children[0]->kind == CommandKind::kSimple);
  return *r.script->children[0];
}

TEST_CASE("empty and comment-only sources are empty sequences") {
  for (std::string_view src : {"", "   ", "\n\n", "# just a comment", "  # c\n# d\n"}) {
    CHECK(Shape(src) == "seq()");
  }
}

TEST_CASE("lists bind looser than pipelines; statements stay in order") {
  CHECK(Shape("a | b && c || d; e") == "seq(list(pipe([a] | [b]) && [c] || [d]); [e])");
  CHECK(Shape("a |& b") == "seq(pipe([a] |& [b]))");
  CHECK(Shape("a\nb") == "seq([a]; [b])");
}

TEST_CASE("the grammar's misparses are repaired") {
  // A redirect before a pipe inside a list hangs on the list in the grammar.
  CHECK(Shape("true && cat x 2>&1 | cat") == "seq(list([true] && pipe([cat x 2~3:1] | [cat])))");
  // `!` negates the whole pipeline.
  CHECK(Shape("! a | b") == "seq(!pipe([a] | [b]))");
  // Words after a mid-command redirect are the command's.
  CHECK(Shape("grep 2>/dev/null -q foo file") == "seq([grep -q foo file 2~0:/dev/null])");
  // Digits glued to an operator are its descriptor.
  CHECK(Shape("cat 0<in") == "seq([cat 0~2:in])");
  // The rest of a here-doc's line sits inside the here-doc node.
  CHECK(Shape("cat <<EOF | sort\nb\na\nEOF") == "seq(pipe([cat -1~8:EOF] | [sort]))");
  CHECK(Shape("cat <<EOF && echo ok\nx\nEOF") == "seq(list([cat -1~8:EOF] && [echo ok]))");
}

TEST_CASE("here-documents: bodies, quoting, <<-") {
  Command plain = Only("cat <<EOF\nhi $HOME\nEOF");
  REQUIRE(plain.redirects.size() == 1);
  CHECK_FALSE(plain.redirects[0].heredoc_quoted);
  bool has_param = false;
  for (const WordPart& p : plain.redirects[0].target.parts)
    has_param |= p.kind == WordPart::Kind::kParam;
  CHECK(has_param);

  Command quoted = Only("cat <<'EOF'\nhi $HOME\nEOF");
  REQUIRE(quoted.redirects.size() == 1);
  CHECK(quoted.redirects[0].heredoc_quoted);
  REQUIRE(quoted.redirects[0].target.parts.size() == 1);
  CHECK(quoted.redirects[0].target.parts[0].text == "hi $HOME\n");

  Command stripped = Only("cat <<-EOF\n\tone\n\t\ttwo\n\tEOF");
  REQUIRE(stripped.redirects.size() == 1);
  std::string body;
  for (const WordPart& p : stripped.redirects[0].target.parts) body += p.text;
  CHECK(body == "one\ntwo\n");
}

TEST_CASE("words keep their parts unexpanded") {
  Command c = Only(R"(echo "$x"a'b'$(echo y) ${x:-"a b"} ${x//a/b} ${#a[@]} $((1+2)) ~/x)");
  REQUIRE(c.words.size() == 7);
  const Word& mixed = c.words[1];
  REQUIRE(mixed.parts.size() == 4);
  CHECK(mixed.parts[0].kind == WordPart::Kind::kParam);
  CHECK(mixed.parts[0].quoted);
  CHECK(mixed.parts[1].text == "a");
  CHECK_FALSE(mixed.parts[1].quoted);
  CHECK(mixed.parts[2].text == "b");
  CHECK(mixed.parts[2].quoted);
  CHECK(mixed.parts[3].kind == WordPart::Kind::kCommandSub);
  REQUIRE(c.words[2].parts[0].param);
  CHECK(c.words[2].parts[0].param->op == ParamExpansion::Op::kDefault);
  CHECK(c.words[2].parts[0].param->colon);
  CHECK(c.words[3].parts[0].param->op == ParamExpansion::Op::kReplaceAll);
  CHECK(c.words[4].parts[0].param->length);
  CHECK(c.words[4].parts[0].param->subscript != nullptr);
  CHECK(c.words[5].parts[0].kind == WordPart::Kind::kArith);
  CHECK(c.words[6].parts[0].kind == WordPart::Kind::kTilde);
}

TEST_CASE("subscripts of assignments: quotes, substitutions, blanks in [k]=v elements") {
  // A quoted or substituted subscript may hold a blank; its raw text is
  // kept for an associative key.
  for (std::string_view src : {R"(h["a b"]=1)", R"(h['x y']+=2)", R"(h[$(echo k v)]=3)",
                               R"(h[${x:-a b}]=4)", "h[`echo a b`]=5"}) {
    Command c = Only(src);
    INFO("source: ", std::string(src));
    REQUIRE(c.assignments.size() == 1);
    CHECK(c.words.empty());
    CHECK(c.assignments[0].name == "h");
    REQUIRE(c.assignments[0].index != nullptr);
    CHECK(c.assignments[0].index->raw.find(' ') != std::string::npos);
  }
  // An unquoted blank still ends the word.
  CHECK(Only("h[a b]=1").assignments.empty());
  // `[a b]=v` inside a compound assignment is one element.
  Command c = Only("h=([a b]=1 [c]=2 plain)");
  REQUIRE(c.assignments.size() == 1);
  REQUIRE(c.assignments[0].elements.size() == 3);
  CHECK(c.assignments[0].elements[0].raw == "[a b]=1");
  CHECK(c.assignments[0].elements[1].raw == "[c]=2");
  CHECK(c.assignments[0].elements[2].raw == "plain");
}

TEST_CASE("brace expansion makes words; quoted braces do not") {
  CHECK(RenderWords(Only("echo {a,b}c x{1..3}").words) ==
        "echo {a,b}c {a,b}c x{1..3} x{1..3} x{1..3}");
  Command c = Only("echo {a,b}c '{a,b}'");
  REQUIRE(c.words.size() == 4);
  CHECK(c.words[1].parts[0].text == "ac");
  CHECK(c.words[2].parts[0].text == "bc");
  CHECK(c.words[3].parts[0].text == "{a,b}");
}

TEST_CASE("compound commands") {
  CHECK(Shape("if a; then b; elif c; then d; else e; fi") ==
        "seq(if-else(seq([a]); seq([b]); seq([c]); seq([d]); seq([e])))");
  CHECK(Shape("for f in x y; do echo $f; done") == "seq(for f in(x y)(seq([echo $f])))");
  CHECK(Shape("for ((i=0; i<3; i++)); do :; done") == "seq(for((i=0  i<3  i++))(seq([:])))");
  CHECK(Shape("while read l; do :; done < f") == "seq(while(seq([read l]); seq([:])) -1~2:f)");
  CHECK(Shape("until false; do break; done") == "seq(until(seq([false]); seq([break])))");
  CHECK(Shape("case $x in\na|b) echo 1 ;&\n*) echo 2 ;;\nesac") ==
        "seq(case $x a b)seq([echo 1]);& *)seq([echo 2]);;)");
  CHECK(Shape("f() { echo; }; (cd x && ls)") ==
        "seq(fn f(group(seq([echo]))); sub(seq(list([cd x] && [ls]))))");
  CHECK(Shape("[[ -f x && $a == b* ]]") == "seq([[]])");
  CHECK(Shape("(( x++ ))") == "seq((( x++ )))");
}

TEST_CASE("lines of simple commands the grammar rejects are parsed by the lexer") {
  CHECK(Shape("n=$(grep -c x f) 2>/dev/null; echo $n") == "seq([n=  2~0:/dev/null]; [echo $n])");
  CHECK(Shape("x=abc; echo ${x:$n:1}") == "seq([x= ]; [echo ${x:$n:1}])");
}

TEST_CASE("here-documents are read as bash reads them, the grammar sees `< word`") {
  CHECK(Shape("cat <<EOF; echo done\nx\nEOF") == "seq([cat -1~8:EOF]; [echo done])");
  CHECK(Shape("cat <<A <<B\na\nA\nb\nB") == "seq([cat -1~8:A -1~8:B])");
  CHECK(Shape("cat <<A | wc -l; cat <<B\na\nA\nb\nB") ==
        "seq(pipe([cat -1~8:A] | [wc -l]); [cat -1~8:B])");
}

TEST_CASE("syntax errors are never half-parsed") {
  ScriptParser parser;
  for (std::string_view src : {"echo )", "cat 'unterminated", "if true; then echo", "echo a |",
                               "true; ; echo", "echo ${x", "for x in a; do"}) {
    ScriptResult r = parser.Parse(src);
    INFO(std::string(src));
    CHECK_FALSE(r.ok());
    CHECK(r.script == nullptr);
    CHECK_FALSE(r.error.empty());
  }
}

TEST_CASE("DebugTree shows tree-sitter's named nodes") {
  ScriptParser parser;
  CHECK(parser.DebugTree("ls | wc -l") ==
        "(program (pipeline (command name: (command_name (word))) (command name: (command_name "
        "(word)) argument: (word))))");
}

}  // namespace
}  // namespace memhook::parser::ast
