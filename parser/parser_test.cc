#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "parser/parser.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace memhook::parser {
namespace {

constexpr std::string_view kHome = "/home/u";

ParseResult Parse(std::string_view src, std::string_view home = kHome) {
  Parser parser;
  ParseOptions options;
  options.home = home;
  return parser.Parse(src, options);
}

std::vector<std::string> Texts(const std::vector<Word>& words) {
  std::vector<std::string> out;
  for (const Word& w : words) out.push_back(w.text);
  return out;
}

using Strings = std::vector<std::string>;

// The single simple command of `src`; fails the test otherwise.
SimpleCommand Only(std::string_view src, std::string_view home = kHome) {
  ParseResult r = Parse(src, home);
  INFO("source: ", src, " error: ", r.error);
  REQUIRE(r.ok());
  REQUIRE(r.program.statements.size() == 1);
  REQUIRE(r.program.statements[0].pipelines.size() == 1);
  REQUIRE(r.program.statements[0].pipelines[0].stages.size() == 1);
  return r.program.statements[0].pipelines[0].stages[0];
}

Strings Argv(std::string_view src, std::string_view home = kHome) {
  return Texts(Only(src, home).argv);
}

// argv[1] of `cmd ARG`.
Word Arg(std::string_view src, std::string_view home = kHome) {
  SimpleCommand c = Only(src, home);
  REQUIRE(c.argv.size() == 2);
  return c.argv[1];
}

Redirect OnlyRedirect(std::string_view src) {
  SimpleCommand c = Only(src);
  REQUIRE(c.redirects.size() == 1);
  return c.redirects[0];
}

// ---------------------------------------------------------------------------
TEST_CASE("empty, blank and comment-only sources are valid and empty") {
  for (std::string_view src : {"", "   ", "\n\n", "# just a comment", "  # c\n# d\n"}) {
    ParseResult r = Parse(src);
    INFO(src);
    CHECK(r.ok());
    CHECK(r.program.statements.empty());
    CHECK(r.program.unsupported.empty());
  }
}

TEST_CASE("simple command") {
  ParseResult r = Parse("ls -la /tmp");
  REQUIRE(r.ok());
  REQUIRE(r.program.statements.size() == 1);
  const AndOrList& l = r.program.statements[0];
  CHECK_FALSE(l.background);
  CHECK(l.ops.empty());
  REQUIRE(l.pipelines.size() == 1);
  CHECK_FALSE(l.pipelines[0].negated);
  CHECK(l.pipelines[0].stderr_piped.empty());
  REQUIRE(l.pipelines[0].stages.size() == 1);
  const SimpleCommand& c = l.pipelines[0].stages[0];
  CHECK(Texts(c.argv) == Strings{"ls", "-la", "/tmp"});
  CHECK(c.argv[1].raw == "-la");
  CHECK(c.argv[1].resolved);
  CHECK_FALSE(c.argv[1].has_glob);
  CHECK(c.assignments.empty());
  CHECK(c.redirects.empty());
  CHECK(r.program.unsupported.empty());
}

TEST_CASE("numbers are plain words") { CHECK(Argv("head -n 5") == Strings{"head", "-n", "5"}); }

TEST_CASE("trailing comment is ignored") { CHECK(Argv("ls a # the rest") == Strings{"ls", "a"}); }

// ---------------------------------------------------------------------------
TEST_CASE("statements separated by ; and newline are siblings") {
  ParseResult r = Parse("echo a; echo b\necho c;");
  REQUIRE(r.ok());
  REQUIRE(r.program.statements.size() == 3);
  CHECK(Texts(r.program.statements[0].pipelines[0].stages[0].argv) == Strings{"echo", "a"});
  CHECK(Texts(r.program.statements[1].pipelines[0].stages[0].argv) == Strings{"echo", "b"});
  CHECK(Texts(r.program.statements[2].pipelines[0].stages[0].argv) == Strings{"echo", "c"});
  for (const AndOrList& l : r.program.statements) CHECK_FALSE(l.background);
}

TEST_CASE("& marks only the statement it terminates as background") {
  ParseResult r = Parse("sleep 1 & ls; pwd &");
  REQUIRE(r.ok());
  REQUIRE(r.program.statements.size() == 3);
  CHECK(r.program.statements[0].background);
  CHECK_FALSE(r.program.statements[1].background);
  CHECK(r.program.statements[2].background);
}

TEST_CASE("&& and || chains flatten left to right") {
  ParseResult r = Parse("a && b || c && d");
  REQUIRE(r.ok());
  REQUIRE(r.program.statements.size() == 1);
  const AndOrList& l = r.program.statements[0];
  REQUIRE(l.pipelines.size() == 4);
  CHECK(l.ops == std::vector<ListOp>{ListOp::kAnd, ListOp::kOr, ListOp::kAnd});
  CHECK(Texts(l.pipelines[3].stages[0].argv) == Strings{"d"});
}

TEST_CASE("a background and-or list") {
  ParseResult r = Parse("a && b &\nc");
  REQUIRE(r.ok());
  REQUIRE(r.program.statements.size() == 2);
  CHECK(r.program.statements[0].background);
  CHECK(r.program.statements[0].pipelines.size() == 2);
  CHECK_FALSE(r.program.statements[1].background);
}

TEST_CASE("and-or list continued on the next line") {
  ParseResult r = Parse("a &&\n  b");
  REQUIRE(r.ok());
  REQUIRE(r.program.statements.size() == 1);
  CHECK(r.program.statements[0].pipelines.size() == 2);
}

TEST_CASE("pipelines with | and |&") {
  ParseResult r = Parse("cat a b 2>&1 | grep x |& wc -l");
  REQUIRE(r.ok());
  REQUIRE(r.program.statements.size() == 1);
  const Pipeline& p = r.program.statements[0].pipelines.at(0);
  REQUIRE(p.stages.size() == 3);
  CHECK(p.stderr_piped == std::vector<bool>{false, true});
  CHECK(Texts(p.stages[0].argv) == Strings{"cat", "a", "b"});
  REQUIRE(p.stages[0].redirects.size() == 1);
  CHECK(p.stages[0].redirects[0].op == RedirectOp::kDuplicateOut);
  CHECK(p.stages[1].redirects.empty());
  CHECK(Texts(p.stages[2].argv) == Strings{"wc", "-l"});
}

TEST_CASE("pipelines inside and-or lists") {
  ParseResult r = Parse("a | b && c | d || e");
  REQUIRE(r.ok());
  const AndOrList& l = r.program.statements.at(0);
  REQUIRE(l.pipelines.size() == 3);
  CHECK(l.pipelines[0].stages.size() == 2);
  CHECK(l.pipelines[1].stages.size() == 2);
  CHECK(l.pipelines[2].stages.size() == 1);
  CHECK(l.ops == std::vector<ListOp>{ListOp::kAnd, ListOp::kOr});
}

TEST_CASE("! negates the whole pipeline") {
  ParseResult r = Parse("! ls | grep x");
  REQUIRE(r.ok());
  const Pipeline& p = r.program.statements.at(0).pipelines.at(0);
  CHECK(p.negated);
  CHECK(p.stages.size() == 2);
  CHECK(r.program.unsupported.empty());

  r = Parse("a && ! b");
  REQUIRE(r.ok());
  const AndOrList& l = r.program.statements.at(0);
  REQUIRE(l.pipelines.size() == 2);
  CHECK_FALSE(l.pipelines[0].negated);
  CHECK(l.pipelines[1].negated);

  r = Parse("! a > out");
  REQUIRE(r.ok());
  const Pipeline& q = r.program.statements.at(0).pipelines.at(0);
  CHECK(q.negated);
  CHECK(q.stages.at(0).redirects.size() == 1);
}

// ---------------------------------------------------------------------------
TEST_CASE("redirect operators and descriptors") {
  struct Case {
    std::string_view src;
    int fd;
    RedirectOp op;
    std::string_view target;
  };
  const Case cases[] = {
      {"ls 2>/dev/null", 2, RedirectOp::kOutput, "/dev/null"},
      {"ls > out", -1, RedirectOp::kOutput, "out"},
      {"ls >| out", -1, RedirectOp::kOutput, "out"},
      {"ls >>out", -1, RedirectOp::kAppend, "out"},
      {"ls 1>>out", 1, RedirectOp::kAppend, "out"},
      {"cat < in", -1, RedirectOp::kInput, "in"},
      {"cat 0<in", 0, RedirectOp::kInput, "in"},
      {"ls 0>out", 0, RedirectOp::kOutput, "out"},
      {"cat 0<&3", 0, RedirectOp::kDuplicateIn, "3"},
      {"cat 0<<<x", 0, RedirectOp::kHereString, "x"},
      {"ls 10>out", 10, RedirectOp::kOutput, "out"},
      {"ls 2>&1", 2, RedirectOp::kDuplicateOut, "1"},
      {"ls >&2", -1, RedirectOp::kDuplicateOut, "2"},
      {"ls 4>&-", 4, RedirectOp::kDuplicateOut, "-"},
      {"cat 3<&0", 3, RedirectOp::kDuplicateIn, "0"},
      {"cat <&-", -1, RedirectOp::kDuplicateIn, "-"},
      {"ls &>/dev/null", -1, RedirectOp::kOutputBoth, "/dev/null"},
      {"ls >&all.log", -1, RedirectOp::kOutputBoth, "all.log"},
      {"ls &>>log", -1, RedirectOp::kAppendBoth, "log"},
      {"ls 2> ~/err", 2, RedirectOp::kOutput, "/home/u/err"},
      {"ls >\"my file\"", -1, RedirectOp::kOutput, "my file"},
  };
  for (const Case& c : cases) {
    INFO(c.src);
    SimpleCommand cmd = Only(c.src);
    CHECK(Texts(cmd.argv) == Strings{std::string(c.src.substr(0, c.src.find(' ')))});
    REQUIRE(cmd.redirects.size() == 1);
    CHECK(cmd.redirects[0].fd == c.fd);
    CHECK(cmd.redirects[0].op == c.op);
    CHECK(cmd.redirects[0].target.text == c.target);
    CHECK(cmd.redirects[0].target.resolved);
  }
}

TEST_CASE("several redirects keep their order") {
  SimpleCommand c = Only("cmd <in >out 2>&1");
  REQUIRE(c.redirects.size() == 3);
  CHECK(c.redirects[0].op == RedirectOp::kInput);
  CHECK(c.redirects[1].op == RedirectOp::kOutput);
  CHECK(c.redirects[2].op == RedirectOp::kDuplicateOut);
  CHECK(c.redirects[2].fd == 2);
}

TEST_CASE("a redirect before the command name") {
  SimpleCommand c = Only(">out ls foo");
  CHECK(Texts(c.argv) == Strings{"ls", "foo"});
  REQUIRE(c.redirects.size() == 1);
  CHECK(c.redirects[0].target.text == "out");
}

TEST_CASE("2>&word with an explicit fd is left to bash (ambiguous redirect)") {
  Redirect r = OnlyRedirect("echo hi 2>&foo");
  CHECK(r.op == RedirectOp::kDuplicateOut);
  CHECK_FALSE(r.target.resolved);
}

TEST_CASE("a redirect target that brace-expands to several words is unresolved") {
  Redirect r = OnlyRedirect("echo hi > {a,b}");
  CHECK_FALSE(r.target.resolved);
}

TEST_CASE("{var}> named descriptors are unsupported") {
  ParseResult r = Parse("exec {fd}>x");
  REQUIRE(r.ok());
  CHECK(r.program.unsupported == Strings{"named file descriptor {var}>"});
}

TEST_CASE("mid-command redirect: swallowed words go back to argv in order") {
  SimpleCommand c = Only("grep 2>/dev/null -q foo file");
  CHECK(Texts(c.argv) == Strings{"grep", "-q", "foo", "file"});
  REQUIRE(c.redirects.size() == 1);
  CHECK(c.redirects[0].fd == 2);
  CHECK(c.redirects[0].target.text == "/dev/null");

  c = Only("ls >out foo \"b c\" ~/d");
  CHECK(Texts(c.argv) == Strings{"ls", "foo", "b c", "/home/u/d"});
  CHECK(c.redirects.at(0).target.text == "out");

  c = Only("grep x 2>/dev/null file >out more");
  CHECK(Texts(c.argv) == Strings{"grep", "x", "file", "more"});
  REQUIRE(c.redirects.size() == 2);
  CHECK(c.redirects[0].target.text == "/dev/null");
  CHECK(c.redirects[1].target.text == "out");
}

TEST_CASE("a redirect after a pipeline or list binds to the last command") {
  ParseResult r = Parse("a | b > out");
  REQUIRE(r.ok());
  const Pipeline& p = r.program.statements.at(0).pipelines.at(0);
  REQUIRE(p.stages.size() == 2);
  CHECK(p.stages[0].redirects.empty());
  REQUIRE(p.stages[1].redirects.size() == 1);
  CHECK(p.stages[1].redirects[0].target.text == "out");

  r = Parse("a && b 2>/dev/null x");
  REQUIRE(r.ok());
  const AndOrList& l = r.program.statements.at(0);
  REQUIRE(l.pipelines.size() == 2);
  CHECK(l.pipelines[0].stages[0].redirects.empty());
  CHECK(l.pipelines[1].stages[0].redirects.size() == 1);
  CHECK(Texts(l.pipelines[1].stages[0].argv) == Strings{"b", "x"});

  r = Parse("cat < in | wc 2>/dev/null");
  REQUIRE(r.ok());
  const Pipeline& q = r.program.statements.at(0).pipelines.at(0);
  CHECK(q.stages.at(0).redirects.at(0).op == RedirectOp::kInput);
  CHECK(q.stages.at(1).redirects.at(0).fd == 2);
  CHECK(r.program.unsupported.empty());
}

// ---------------------------------------------------------------------------
TEST_CASE("heredoc with unquoted delimiter expands $HOME") {
  Redirect r = OnlyRedirect("cat <<EOF\nhello $HOME ${HOME}/x\n\\$HOME \\\\ \\x \"q\"\nEOF");
  CHECK(r.op == RedirectOp::kHeredoc);
  CHECK(r.fd == -1);
  CHECK(r.target.text == "EOF");
  CHECK(r.heredoc_body == "hello /home/u /home/u/x\n$HOME \\ \\x \"q\"\n");
  CHECK(r.heredoc_expanded);
}

TEST_CASE("heredoc with quoted delimiter is literal") {
  for (std::string_view src :
       {"cat <<'EOF'\na $HOME `x` $(y)\nEOF", "cat <<\"EOF\"\na $HOME `x` $(y)\nEOF",
        "cat <<\\EOF\na $HOME `x` $(y)\nEOF"}) {
    INFO(src);
    ParseResult pr = Parse(src);
    REQUIRE(pr.ok());
    const Redirect& r = pr.program.statements.at(0).pipelines.at(0).stages.at(0).redirects.at(0);
    CHECK(r.target.text == "EOF");
    CHECK(r.heredoc_body == "a $HOME `x` $(y)\n");
    CHECK(r.heredoc_expanded);
    CHECK(pr.program.unsupported.empty());
  }
}

TEST_CASE("heredoc delimiter with a space") {
  Redirect r = OnlyRedirect("cat <<\"E F\"\nx\nE F");
  CHECK(r.target.text == "E F");
  CHECK(r.heredoc_body == "x\n");
}

TEST_CASE("<<- strips leading tabs") {
  Redirect r = OnlyRedirect("cat <<-EOF\n\tone\n\t\ttwo\n  three\n\tEOF");
  CHECK(r.heredoc_body == "one\ntwo\n  three\n");
}

TEST_CASE("empty heredoc") {
  Redirect r = OnlyRedirect("cat <<EOF\nEOF");
  CHECK(r.heredoc_body.empty());
  CHECK(r.heredoc_expanded);
}

TEST_CASE("heredoc with other expansions is not expanded") {
  ParseResult pr = Parse("cat <<EOF\n$USER and $HOME\nEOF");
  REQUIRE(pr.ok());
  const Redirect& r = pr.program.statements.at(0).pipelines.at(0).stages.at(0).redirects.at(0);
  CHECK_FALSE(r.heredoc_expanded);
  CHECK(pr.program.unsupported.empty());

  pr = Parse("cat <<EOF\nnow: $(date)\nEOF");
  REQUIRE(pr.ok());
  CHECK_FALSE(pr.program.statements[0].pipelines[0].stages[0].redirects[0].heredoc_expanded);
  CHECK(pr.program.unsupported == Strings{"command substitution"});

  pr = Parse("cat <<EOF\nnow: `date`\nEOF");
  REQUIRE(pr.ok());
  CHECK(pr.program.unsupported == Strings{"command substitution"});
}

TEST_CASE("heredoc with no home configured is not expanded") {
  ParseResult pr = Parse("cat <<EOF\n$HOME\nEOF", "");
  REQUIRE(pr.ok());
  CHECK_FALSE(pr.program.statements[0].pipelines[0].stages[0].redirects[0].heredoc_expanded);
}

TEST_CASE("a literal $ in a heredoc stays") {
  Redirect r = OnlyRedirect("cat <<EOF\ncost: 5$ $'x' $\nEOF");
  CHECK(r.heredoc_body == "cost: 5$ $'x' $\n");
  CHECK(r.heredoc_expanded);
}

TEST_CASE("heredoc followed by a pipeline on its line") {
  ParseResult pr = Parse("cat <<EOF | grep x | wc -l\nx1\ny\nEOF");
  REQUIRE(pr.ok());
  REQUIRE(pr.program.statements.size() == 1);
  const Pipeline& p = pr.program.statements[0].pipelines.at(0);
  REQUIRE(p.stages.size() == 3);
  CHECK(Texts(p.stages[0].argv) == Strings{"cat"});
  CHECK(p.stages[0].redirects.at(0).heredoc_body == "x1\ny\n");
  CHECK(Texts(p.stages[1].argv) == Strings{"grep", "x"});
  CHECK(Texts(p.stages[2].argv) == Strings{"wc", "-l"});
  CHECK(p.stderr_piped == std::vector<bool>{false, false});
}

TEST_CASE("heredoc followed by && on its line") {
  ParseResult pr = Parse("cat <<EOF && echo done\nx\nEOF");
  REQUIRE(pr.ok());
  const AndOrList& l = pr.program.statements.at(0);
  REQUIRE(l.pipelines.size() == 2);
  CHECK(l.ops == std::vector<ListOp>{ListOp::kAnd});
  CHECK(l.pipelines[0].stages[0].redirects.at(0).heredoc_body == "x\n");
  CHECK(Texts(l.pipelines[1].stages[0].argv) == Strings{"echo", "done"});
}

TEST_CASE("heredoc followed by a redirect on its line") {
  SimpleCommand c = Only("cat <<EOF > out\nx\nEOF");
  REQUIRE(c.redirects.size() == 2);
  CHECK(c.redirects[0].op == RedirectOp::kHeredoc);
  CHECK(c.redirects[1].op == RedirectOp::kOutput);
  CHECK(c.redirects[1].target.text == "out");
}

TEST_CASE("heredoc in the middle of a pipeline") {
  ParseResult pr = Parse("a | cat <<EOF | b\nx\nEOF");
  REQUIRE(pr.ok());
  const Pipeline& p = pr.program.statements.at(0).pipelines.at(0);
  REQUIRE(p.stages.size() == 3);
  CHECK(p.stages[0].redirects.empty());
  CHECK(p.stages[1].redirects.at(0).op == RedirectOp::kHeredoc);
  CHECK(Texts(p.stages[2].argv) == Strings{"b"});
}

TEST_CASE("statement after a heredoc") {
  ParseResult pr = Parse("cat <<EOF\nx\nEOF\necho after");
  REQUIRE(pr.ok());
  REQUIRE(pr.program.statements.size() == 2);
  CHECK(Texts(pr.program.statements[1].pipelines[0].stages[0].argv) == Strings{"echo", "after"});
}

TEST_CASE("here-string") {
  Redirect r = OnlyRedirect("cat <<< \"hi $HOME\"");
  CHECK(r.op == RedirectOp::kHereString);
  CHECK(r.target.text == "hi /home/u");
  CHECK(r.target.resolved);

  SimpleCommand c = Only("cat <<< *.md b");
  CHECK(Texts(c.argv) == Strings{"cat", "b"});
  CHECK(c.redirects.at(0).target.text == "*.md");
  CHECK_FALSE(c.redirects.at(0).target.has_glob);
}

// ---------------------------------------------------------------------------
TEST_CASE("quoting forms and quote removal") {
  CHECK(Arg("echo 'a b'").text == "a b");
  CHECK(Arg("echo \"a b\"").text == "a b");
  CHECK(Arg("echo a\\ b").text == "a b");
  CHECK(Arg("echo x\"y\"'z'").text == "xyz");
  CHECK(Arg("echo \"a\\\"b\\$c\\\\d\\`e\\q\"").text == "a\"b$c\\d`e\\q");
  CHECK(Arg("echo 'a\\nb'").text == "a\\nb");
  CHECK(Arg("echo \\$HOME").text == "$HOME");
  CHECK(Arg("echo \"a$\"").text == "a$");
  CHECK(Arg("echo \"$\"").text == "$");
  CHECK(Arg("echo \"it's\"").text == "it's");
  CHECK(Arg("echo 'say \"hi\"'").text == "say \"hi\"");
}

TEST_CASE("raw keeps the source spelling") {
  Word w = Arg("echo \"$HOME\"/x");
  CHECK(w.raw == "\"$HOME\"/x");
  CHECK(w.text == "/home/u/x");
}

TEST_CASE("empty quoted words survive") {
  CHECK(Argv("printf '%s|' '' \"\" x") == Strings{"printf", "%s|", "", "", "x"});
}

TEST_CASE("line continuations") {
  CHECK(Argv("echo a\\\nb") == Strings{"echo", "ab"});
  CHECK(Argv("echo a \\\nb") == Strings{"echo", "a", "b"});
  CHECK(Arg("echo \"a\\\nb\"").text == "ab");
}

TEST_CASE("$\"...\" is a plain double-quoted string") {
  CHECK(Arg("echo $\"a $HOME\"").text == "a /home/u");
}

TEST_CASE("ANSI-C quoting") {
  CHECK(Arg(R"(echo $'a\tb\nc')").text == "a\tb\nc");
  CHECK(Arg(R"(echo $'\\ \' \" \?')").text == "\\ ' \" ?");
  CHECK(Arg(R"(echo $'\x41\x4a\101\0101')").text == "AJA\b1");
  CHECK(Arg(R"(echo $'\u00e9\U0001F600')").text == "\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(Arg(R"(echo $'\e\E\a\b\f\v\r')").text == "\x1b\x1b\a\b\f\v\r");
  CHECK(Arg(R"(echo $'\cA\c[\c?')").text == "\x01\x1b\x7f");
  CHECK(Arg(R"(echo $'\q\xg\u')").text == "\\q\\xg\\u");
  CHECK(Arg(R"(echo $'ab\0cd')").text == "ab");
  CHECK(Arg(R"(echo $'ab\x00cd')").text == "ab");
  CHECK(Arg(R"(echo x$'*'y)").text == "x*y");
  CHECK_FALSE(Arg(R"(echo x$'*'y)").has_glob);
}

// ---------------------------------------------------------------------------
TEST_CASE("tilde expansion") {
  CHECK(Arg("ls ~").text == "/home/u");
  CHECK(Arg("ls ~/.memhook/memory").text == "/home/u/.memhook/memory");
  CHECK(Arg("ls ~/").text == "/home/u/");
  CHECK(Arg("ls \"~\"").text == "~");
  CHECK(Arg("ls '~/x'").text == "~/x");
  CHECK(Arg("ls \\~/x").text == "~/x");
  CHECK(Arg("ls ~\"/x\"").text == "~/x");
  CHECK(Arg("ls ~/\"a b\"").text == "/home/u/a b");
  CHECK(Arg("ls x~").text == "x~");
  CHECK(Arg("ls a/~").text == "a/~");
  CHECK(Arg("ls ~:x").text == "/home/u:x");
  CHECK(Arg("ls x:~").text == "x:~");
}

TEST_CASE("tilde in assignment-like words and assignments") {
  CHECK(Arg("echo a=~/x").text == "a=/home/u/x");
  CHECK(Arg("echo a=x:~/y").text == "a=x:/home/u/y");
  CHECK(Arg("echo --opt=~/x").text == "--opt=~/x");
  CHECK(Arg("echo x:~/y").text == "x:~/y");
  SimpleCommand c = Only("X=~/a:~/b:x~ ls");
  REQUIRE(c.assignments.size() == 1);
  CHECK(c.assignments[0].name == "X");
  CHECK(c.assignments[0].value.text == "/home/u/a:/home/u/b:x~");
}

TEST_CASE("~user, ~+ and ~- are unresolved") {
  Word w = Arg("ls ~root/x");
  CHECK_FALSE(w.resolved);
  CHECK(w.text == "~root/x");
  CHECK_FALSE(w.unresolved_reason.empty());
  CHECK_FALSE(Arg("ls ~+").resolved);
  CHECK_FALSE(Arg("ls ~-/x").resolved);
}

TEST_CASE("$HOME and ${HOME}, quoted and unquoted") {
  CHECK(Arg("ls $HOME").text == "/home/u");
  CHECK(Arg("ls ${HOME}").text == "/home/u");
  CHECK(Arg("ls \"$HOME/notes\"").text == "/home/u/notes");
  CHECK(Arg("ls \"${HOME}\"/notes").text == "/home/u/notes");
  CHECK(Arg("ls $HOME/.memhook/memory").text == "/home/u/.memhook/memory");
  CHECK(Arg("ls x$HOME").text == "x/home/u");
  CHECK(Arg("ls $HOME").resolved);
  CHECK(Arg("ls '$HOME'").text == "$HOME");
  CHECK_FALSE(Arg("ls $HOMEDIR").resolved);
}

TEST_CASE("an empty home leaves ~ and $HOME unresolved") {
  for (std::string_view src : {"ls ~", "ls ~/x", "ls $HOME", "ls \"${HOME}/x\""}) {
    INFO(src);
    Word w = Arg(src, "");
    CHECK_FALSE(w.resolved);
    CHECK_FALSE(w.unresolved_reason.empty());
  }
}

TEST_CASE("a home with blanks is fine quoted, unresolved unquoted") {
  CHECK(Arg("ls \"$HOME\"", "/home/a b").text == "/home/a b");
  CHECK(Arg("ls \"$HOME\"", "/home/a b").resolved);
  CHECK(Arg("ls ~/x", "/home/a b").text == "/home/a b/x");
  CHECK(Arg("ls ~/x", "/home/a b").resolved);
  CHECK_FALSE(Arg("ls $HOME", "/home/a b").resolved);
}

TEST_CASE("other expansions are unresolved") {
  for (std::string_view src :
       {"echo $FOO", "echo \"$FOO\"", "echo $1", "echo $@", "echo $#", "echo ${x:-y}",
        "echo ${#HOME}", "echo ${HOME:-x}", "echo pre${X}post", "echo \"a ${X} b\""}) {
    INFO(src);
    ParseResult r = Parse(src);
    REQUIRE(r.ok());
    const Word& w = r.program.statements.at(0).pipelines.at(0).stages.at(0).argv.at(1);
    CHECK_FALSE(w.resolved);
    CHECK_FALSE(w.unresolved_reason.empty());
    CHECK(r.program.unsupported.empty());
  }
  Word w = Arg("echo a$FOO/b");
  CHECK(w.text == "a$FOO/b");
  CHECK(w.unresolved_reason == "variable $FOO");
}

TEST_CASE("$? is left as a marker for the executor") {
  const std::string marker = memhook::parser::kLastStatusMarker;
  Word w = Arg("echo $?");
  CHECK(w.resolved);
  CHECK(w.text == marker);
  w = Arg("echo \"exit: $?\"x$?");
  CHECK(w.resolved);
  CHECK(w.text == "exit: " + marker + "x" + marker);
  CHECK_FALSE(w.has_glob);
  // Single quotes keep it literal.
  CHECK(Arg("echo '$?'").text == "$?");
  // A source that holds the marker's byte cannot be told apart: unresolved.
  CHECK_FALSE(Arg(std::string("echo $?") + '\x1d').resolved);
}

TEST_CASE("code-executing expansions are unresolved and unsupported") {
  struct Case {
    std::string_view src;
    std::string_view unsupported;
  };
  const Case cases[] = {
      {"echo $(ls)", "command substitution"},     {"echo \"x $(ls) y\"", "command substitution"},
      {"echo `pwd`", "command substitution"},     {"echo ${x:-$(id)}", "command substitution"},
      {"diff <(ls a) b", "process substitution"}, {"echo $((1+2))", "arithmetic expansion"},
  };
  for (const Case& c : cases) {
    INFO(c.src);
    ParseResult r = Parse(c.src);
    REQUIRE(r.ok());
    CHECK(r.program.unsupported == Strings{std::string(c.unsupported)});
    const Word& w = r.program.statements.at(0).pipelines.at(0).stages.at(0).argv.at(1);
    CHECK_FALSE(w.resolved);
  }
}

// ---------------------------------------------------------------------------
TEST_CASE("globs") {
  Word w = Arg("ls *.md");
  CHECK(w.has_glob);
  CHECK(w.text == "*.md");
  CHECK(w.glob_pattern == "*.md");

  w = Arg("ls ~/notes/*.md");
  CHECK(w.has_glob);
  CHECK(w.glob_pattern == "/home/u/notes/*.md");

  CHECK(Arg("ls a?c").has_glob);
  CHECK(Arg("ls [abc]x").has_glob);
  CHECK(Arg("ls [abc]x").glob_pattern == "[abc]x");
  CHECK_FALSE(Arg("ls [").has_glob);
  CHECK_FALSE(Arg("ls x]").has_glob);
  CHECK_FALSE(Arg("ls plain").has_glob);
  CHECK(Arg("ls plain").glob_pattern.empty());
}

TEST_CASE("quoted glob characters are literal and escaped in the pattern") {
  Word w = Arg("ls \"*\".md");
  CHECK(w.text == "*.md");
  CHECK_FALSE(w.has_glob);
  CHECK(w.glob_pattern.empty());

  w = Arg("ls \"*\"*.md");
  CHECK(w.text == "**.md");
  CHECK(w.has_glob);
  CHECK(w.glob_pattern == "\\**.md");

  w = Arg("ls '[x]'y?");
  CHECK(w.text == "[x]y?");
  CHECK(w.has_glob);
  CHECK(w.glob_pattern == "\\[x\\]y?");

  w = Arg("ls \\*a*");
  CHECK(w.text == "*a*");
  CHECK(w.glob_pattern == "\\*a*");

  w = Arg("ls 'a\\b'*");
  CHECK(w.text == "a\\b*");
  CHECK(w.glob_pattern == "a\\\\b*");
}

TEST_CASE("find -name with quoted pattern and {}") {
  SimpleCommand c = Only("find . -name \"*.md\" -exec grep -l x {} +");
  CHECK(Texts(c.argv) ==
        Strings{"find", ".", "-name", "*.md", "-exec", "grep", "-l", "x", "{}", "+"});
  CHECK_FALSE(c.argv[3].has_glob);
}

// ---------------------------------------------------------------------------
TEST_CASE("brace expansion") {
  CHECK(Argv("echo {a,b}") == Strings{"echo", "a", "b"});
  CHECK(Argv("echo x{a,b}y") == Strings{"echo", "xay", "xby"});
  CHECK(Argv("echo {1..3}") == Strings{"echo", "1", "2", "3"});
  CHECK(Argv("echo x{1..3}y") == Strings{"echo", "x1y", "x2y", "x3y"});
  CHECK(Argv("echo {3..1}") == Strings{"echo", "3", "2", "1"});
  CHECK(Argv("echo {a..c}") == Strings{"echo", "a", "b", "c"});
  CHECK(Argv("echo {01..10..3}") == Strings{"echo", "01", "04", "07", "10"});
  CHECK(Argv("echo {a..e..2}") == Strings{"echo", "a", "c", "e"});
  CHECK(Argv("echo {5..-1..2}") == Strings{"echo", "5", "3", "1", "-1"});
  CHECK(Argv("echo {-05..-03}") == Strings{"echo", "-05", "-04", "-03"});
  CHECK(Argv("echo {1..3..0}") == Strings{"echo", "1", "2", "3"});
  CHECK(Argv("echo {a,b}{1,2}") == Strings{"echo", "a1", "a2", "b1", "b2"});
  CHECK(Argv("echo x{a,{b,c}d}y") == Strings{"echo", "xay", "xbdy", "xcdy"});
  CHECK(Argv("echo {a{b,c}}") == Strings{"echo", "{ab}", "{ac}"});
  CHECK(Argv("echo {a..c}{x,y}") == Strings{"echo", "ax", "ay", "bx", "by", "cx", "cy"});
  CHECK(Argv("ls ~/{notes,logs}/x") == Strings{"ls", "/home/u/notes/x", "/home/u/logs/x"});
  CHECK(Argv("echo {~,~/q}") == Strings{"echo", "/home/u", "/home/u/q"});
  CHECK(Argv("echo {$HOME,x}") == Strings{"echo", "/home/u", "x"});
  CHECK(Argv("echo {\"a\",b}") == Strings{"echo", "a", "b"});
}

TEST_CASE("brace expansion keeps bash's literal cases") {
  CHECK(Argv("echo {a}") == Strings{"echo", "{a}"});
  CHECK(Argv("echo {}") == Strings{"echo", "{}"});
  CHECK(Argv("echo x{}y") == Strings{"echo", "x{}y"});
  CHECK(Argv("echo \"{a,b}\"") == Strings{"echo", "{a,b}"});
  CHECK(Argv("echo '{a,b}'") == Strings{"echo", "{a,b}"});
  CHECK(Argv("echo \\{a,b\\}") == Strings{"echo", "{a,b}"});
  CHECK(Argv("echo {a\\,b}") == Strings{"echo", "{a,b}"});
  CHECK(Argv("echo {a,b") == Strings{"echo", "{a,b"});
  CHECK(Argv("echo a,b}") == Strings{"echo", "a,b}"});
  CHECK(Argv("echo {1..a}") == Strings{"echo", "{1..a}"});
  CHECK(Argv("echo {1..a}{x,y}") == Strings{"echo", "{1..a}x", "{1..a}y"});
  CHECK(Argv("echo {a,b}=~/x") == Strings{"echo", "a=~/x", "b=~/x"});
}

TEST_CASE("empty brace alternatives are dropped unless quoted") {
  CHECK(Argv("echo {,a}") == Strings{"echo", "a"});
  CHECK(Argv("echo x{,.bak}") == Strings{"echo", "x", "x.bak"});
  CHECK(Argv("echo {'',a}") == Strings{"echo", "", "a"});
}

TEST_CASE("brace expansion does not apply to assignments") {
  SimpleCommand c = Only("X={a,b} env");
  CHECK(c.assignments.at(0).value.text == "{a,b}");
  CHECK(Texts(c.argv) == Strings{"env"});
}

TEST_CASE("a huge brace expansion is left unresolved") {
  SimpleCommand c = Only("echo {1..1000000}");
  REQUIRE(c.argv.size() == 2);
  CHECK_FALSE(c.argv[1].resolved);
}

TEST_CASE("brace expansion and globs together") {
  SimpleCommand c = Only("ls {a,b}/*.md");
  REQUIRE(c.argv.size() == 3);
  CHECK(c.argv[1].text == "a/*.md");
  CHECK(c.argv[1].has_glob);
  CHECK(c.argv[2].glob_pattern == "b/*.md");
  CHECK(c.argv[1].raw == "{a,b}/*.md");
}

// ---------------------------------------------------------------------------
TEST_CASE("assignments") {
  SimpleCommand c = Only("FOO=1 BAR=\"x y\" LC_ALL=C ls >> out.txt");
  REQUIRE(c.assignments.size() == 3);
  CHECK(c.assignments[0].name == "FOO");
  CHECK(c.assignments[0].value.text == "1");
  CHECK(c.assignments[1].name == "BAR");
  CHECK(c.assignments[1].value.text == "x y");
  CHECK(c.assignments[2].value.text == "C");
  CHECK(Texts(c.argv) == Strings{"ls"});
  CHECK(c.redirects.at(0).op == RedirectOp::kAppend);

  c = Only("X=1");
  CHECK(c.argv.empty());
  REQUIRE(c.assignments.size() == 1);
  CHECK(c.assignments[0].name == "X");

  c = Only("X=1 Y=");
  REQUIRE(c.assignments.size() == 2);
  CHECK(c.assignments[1].name == "Y");
  CHECK(c.assignments[1].value.text.empty());
  CHECK(c.argv.empty());

  c = Only("X=*.md ls");
  CHECK(c.assignments.at(0).value.text == "*.md");
  CHECK_FALSE(c.assignments.at(0).value.has_glob);

  c = Only("D=$HOME/x ls");
  CHECK(c.assignments.at(0).value.text == "/home/u/x");
}

TEST_CASE("array and append assignments are unsupported") {
  CHECK(Parse("a=(1 2)").program.unsupported == Strings{"array assignment"});
  CHECK(Parse("X+=1 ls").program.unsupported == Strings{"append assignment +="});
  CHECK(Parse("a[1]=x ls").program.unsupported == Strings{"array element assignment"});
}

// ---------------------------------------------------------------------------
TEST_CASE("unsupported constructs are named") {
  struct Case {
    std::string_view src;
    std::string_view name;
  };
  const Case cases[] = {
      {"(cd /tmp && ls)", "subshell ( )"},
      {"{ ls; pwd; }", "command group { }"},
      {"if true; then ls; fi", "if statement"},
      {"for f in *; do echo $f; done", "for loop"},
      {"for ((i=0;i<3;i++)); do echo; done", "for (( )) loop"},
      {"while true; do ls; done", "while loop"},
      {"until false; do ls; done", "until loop"},
      {"case $x in a) ls;; esac", "case statement"},
      {"f() { ls; }", "function definition"},
      {"[ -f x ]", "test command [ ]"},
      {"[[ -f x ]]", "conditional command [[ ]]"},
      {"(( x++ ))", "arithmetic command (( ))"},
      {"export A=1", "declaration command (export)"},
      {"local a", "declaration command (local)"},
      {"unset x", "unset command"},
  };
  for (const Case& c : cases) {
    INFO(c.src);
    ParseResult r = Parse(c.src);
    REQUIRE(r.ok());
    REQUIRE_FALSE(r.program.unsupported.empty());
    CHECK(r.program.unsupported[0] == c.name);
  }
}

TEST_CASE("unsupported stages keep the pipeline and list shape") {
  ParseResult r = Parse("(a) | b && [ -d x ] || c");
  REQUIRE(r.ok());
  const AndOrList& l = r.program.statements.at(0);
  REQUIRE(l.pipelines.size() == 3);
  CHECK(l.ops.size() == 2);
  REQUIRE(l.pipelines[0].stages.size() == 2);
  CHECK(l.pipelines[0].stages[0].argv.empty());
  CHECK(Texts(l.pipelines[0].stages[1].argv) == Strings{"b"});
  CHECK(r.program.unsupported == Strings{"subshell ( )", "test command [ ]"});
}

TEST_CASE("the supported part of a partly unsupported source is still parsed") {
  ParseResult r = Parse("ls ~/x; if true; then :; fi; cat y");
  REQUIRE(r.ok());
  REQUIRE(r.program.statements.size() == 3);
  CHECK(Texts(r.program.statements[0].pipelines[0].stages[0].argv) == Strings{"ls", "/home/u/x"});
  CHECK(Texts(r.program.statements[2].pipelines[0].stages[0].argv) == Strings{"cat", "y"});
  CHECK(r.program.unsupported == Strings{"if statement"});
}

TEST_CASE("redirect on a compound command stays with the placeholder") {
  ParseResult r = Parse("{ a; b; } > out");
  REQUIRE(r.ok());
  CHECK(r.program.unsupported == Strings{"command group { }"});
  CHECK(r.program.statements.at(0).pipelines.at(0).stages.at(0).redirects.size() == 1);
}

TEST_CASE("command substitution in a command name or assignment") {
  CHECK(Parse("$(echo ls) x").program.unsupported == Strings{"command substitution"});
  CHECK(Parse("X=$(id) ls").program.unsupported == Strings{"command substitution"});
}

TEST_CASE("time and coproc keywords are unsupported") {
  CHECK(Parse("time ls -l").program.unsupported == Strings{"time keyword"});
  CHECK(Parse("coproc ls").program.unsupported == Strings{"coproc"});
  CHECK(Parse("X=1 time ls").program.unsupported.empty());
  CHECK(Parse("\"time\" ls").program.unsupported.empty());
}

// ---------------------------------------------------------------------------
TEST_CASE("grammar misparses recovered inside words") {
  // `"$ x"`: the grammar sees an expansion of ` x`; bash a literal `$`.
  CHECK(Arg("echo \"$ x\"").text == "$ x");
  CHECK(Arg("echo \"$ x\"").resolved);
  // `[ ]` is one word to the grammar, two to bash.
  CHECK(Argv("echo [ ] x") == Strings{"echo", "[", "]", "x"});
  CHECK(Argv("echo [ \"a b\" ]") == Strings{"echo", "[", "a b", "]"});
  // The escaped blank between `}` and `c` is dropped from both nodes.
  CHECK(Argv("echo {a,b}\\ c") == Strings{"echo", "a c", "b c"});
  CHECK(Argv("echo x\\ {a,b}") == Strings{"echo", "x a", "x b"});
  // A digit glued to a redirect operator is its descriptor.
  SimpleCommand c = Only("cat 0<in x");
  CHECK(Texts(c.argv) == Strings{"cat", "x"});
  CHECK(c.redirects.at(0).fd == 0);
  c = Only("echo a > b c 2> d e");
  CHECK(Texts(c.argv) == Strings{"echo", "a", "c", "e"});
  REQUIRE(c.redirects.size() == 2);
  CHECK(c.redirects[1].fd == 2);
  CHECK(c.redirects[1].target.text == "d");
}

TEST_CASE("a word the grammar drops before a redirect is recovered") {
  ParseResult r = Parse("python3 - <<'PY'\nprint(\"$HOME\")\nPY");
  REQUIRE(r.ok());
  const SimpleCommand& c = r.program.statements.at(0).pipelines.at(0).stages.at(0);
  CHECK(Texts(c.argv) == Strings{"python3", "-"});
  REQUIRE(c.redirects.size() == 1);
  CHECK(c.redirects[0].heredoc_body == "print(\"$HOME\")\n");

  CHECK(Argv("cat - 2>&1") == Strings{"cat", "-"});
  CHECK(Argv("ls - 2>/dev/null x") == Strings{"ls", "-", "x"});
  CHECK(Argv("cat -- - <<EOF\nx\nEOF") == Strings{"cat", "--", "-"});
}

TEST_CASE("text the grammar drops without an error fails the parse") {
  // `-<<` comes back as a `<<` token: the `-` argument would be lost.
  ParseResult r = Parse("cat -<<EOF\nx\nEOF");
  CHECK_FALSE(r.ok());
  CHECK(r.error == "unsupported: the bash grammar misreads `-<<' at 1:5");
  CHECK(r.program.statements.empty());
}

TEST_CASE("a $'...' string the grammar overruns is left to bash") {
  // $'\\' followed by another quote on the line: the grammar's token runs
  // past the real end of the string.
  for (std::string_view src : {"echo $'\\\\' $'x'", "echo $'\\\\' 'x' y", "echo $'a\\\\' \"'\""}) {
    INFO(src);
    ParseResult r = Parse(src);
    CHECK((!r.ok() || r.program.unsupported == Strings{"$'...' string the grammar misparses"}));
  }
  CHECK(Arg("echo $'\\\\'").text == "\\");
}

// ---------------------------------------------------------------------------
TEST_CASE("syntax errors fail the parse with a positioned message") {
  for (std::string_view src : {"cat |", "if then", "echo \"abc", "echo 'x", "ls )", "a &&",
                               "echo $(ls", "cat <<EOF\nabc", "ls <>f", "| ls"}) {
    INFO(src);
    ParseResult r = Parse(src);
    CHECK_FALSE(r.ok());
    CHECK(r.error.find("syntax error") == 0);
    CHECK(r.error.find(" at ") != std::string::npos);
    CHECK(r.error.find('\n') == std::string::npos);
    CHECK(r.program.statements.empty());
  }
}

TEST_CASE("syntax error messages name the place") {
  CHECK(Parse("ls )").error == "syntax error near `)' at 1:4");
  CHECK(Parse("echo ok\nif then").error == "syntax error near `if' at 2:1");
}

TEST_CASE("grammar misparses that surface as errors are rejected, not half-run") {
  for (std::string_view src : {"cat <<'EOF'; echo\nx\nEOF", "cat <<EOF 2>&1 | tail\nx\nEOF",
                               "cat <<EOF file | grep x\nx\nEOF", "cat <<A <<B\na\nA\nb\nB"}) {
    INFO(src);
    CHECK_FALSE(Parse(src).ok());
  }
}

// ---------------------------------------------------------------------------
TEST_CASE("DebugTree returns the S-expression") {
  Parser p;
  CHECK(p.DebugTree("ls -l") == "(program (command name: (command_name (word)) argument: (word)))");
  CHECK(p.DebugTree("") == "(program)");
}

TEST_CASE("one Parser parses many sources independently") {
  Parser p;
  ParseOptions o;
  o.home = "/h";
  for (int i = 0; i < 200; ++i) {
    ParseResult a = p.Parse("ls ~/a | grep b && echo {1..3}", o);
    REQUIRE(a.ok());
    CHECK(a.program.statements.at(0).pipelines.at(1).stages.at(0).argv.size() == 4);
    ParseResult b = p.Parse("echo \"", o);
    CHECK_FALSE(b.ok());
    ParseResult c = p.Parse("cat ~/x", o);
    REQUIRE(c.ok());
    CHECK(c.program.statements.at(0).pipelines.at(0).stages.at(0).argv.at(1).text == "/h/x");
  }
}

TEST_CASE("long chains parse; deep nesting is refused, never a crash") {
  std::string src = "a";
  for (int i = 0; i < 3000; ++i) src += " && a";
  ParseResult r = Parse(src);
  REQUIRE(r.ok());
  CHECK(r.program.statements.at(0).pipelines.size() == 3001);
  CHECK(r.program.statements.at(0).ops.size() == 3000);

  std::string subs = "echo ";
  for (int i = 0; i < 2000; ++i) subs += "$(";
  for (int i = 0; i < 2000; ++i) subs += ")";
  ParseResult s = Parse(subs);
  CHECK((!s.ok() || !s.program.unsupported.empty()));
}

TEST_CASE("realistic agent commands") {
  ParseResult r = Parse(
      "ls -la ~/.memhook/memory/ 2>/dev/null | head -20; "
      "grep -rn \"TODO\" ~/.memhook/memory --include='*.md' | wc -l");
  REQUIRE(r.ok());
  REQUIRE(r.program.statements.size() == 2);
  const Pipeline& p0 = r.program.statements[0].pipelines.at(0);
  CHECK(Texts(p0.stages.at(0).argv) == Strings{"ls", "-la", "/home/u/.memhook/memory/"});
  CHECK(p0.stages[0].redirects.at(0).fd == 2);
  const Pipeline& p1 = r.program.statements[1].pipelines.at(0);
  CHECK(Texts(p1.stages.at(0).argv) ==
        Strings{"grep", "-rn", "TODO", "/home/u/.memhook/memory", "--include=*.md"});
  CHECK_FALSE(p1.stages[0].argv[4].has_glob);
  CHECK(r.program.unsupported.empty());
}

}  // namespace
}  // namespace memhook::parser
