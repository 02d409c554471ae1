// jq against the real jq 1.6 (Debian's /usr/bin/jq, on the same libjq).
//
// Differential: a real directory is imported into a SQLite store; each
// command is answered by CmdJq called directly (the mount pointed at that
// directory) and by real bash + jq on the directory itself, under
// LC_ALL=C.UTF-8 TZ=UTC. stdout, stderr and the exit status must agree, and
// the utility must not report itself unsupported. With 2>&1 the two
// streams are compared merged, in the order jq writes them (its stdout is
// buffered, its stderr is not); under `| head -n N` as the pipeline would
// show them (head's output, jq's stderr, jq's own status).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <stdlib.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/disk_tree.h"
#include "tests/support/test_support.h"
#include "utils/utils.h"

namespace {

using memhook::testing::DiskTree;
using memhook::testing::ShellWords;
using memhook::utils::CommandEnv;
using memhook::utils::CommandIo;
using memhook::utils::UtilOptions;

struct Result {
  std::string out;
  std::string err;
  int status = 0;
  std::string unsupported;
  std::string merged;  // stdout and stderr in the order written
};

// A session log as an agent's harness writes it: one JSON object a line,
// nested, with unicode, escapes and the numbers jq 1.6 prints its own way.
const char* const kLog =
    R"({"type":"user","message":{"role":"user","content":"hello"},"ts":1,"uuid":"a1"})"
    "\n"
    R"({"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"h\u00e9llo w\u00f6rld \u2713"},{"type":"tool_use","name":"Bash","input":{"command":"ls -la"}}]},"ts":2.0,"cost":1.50})"
    "\n"
    R"({"type":"user","message":{"role":"user","content":"next \"quoted\" and \\ backslash\ttab"},"ts":3})"
    "\n"
    "{\"type\":\"summary\",\"summary\":\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x8e\x89\","
    "\"leafUuid\":\"x\",\"n\":1e1000,\"big\":100000000000000000000,\"neg\":-0,\"f\":1.0,"
    "\"e\":1.5e-7}\n"
    R"({"type":"system","level":"info","content":null,"flags":[true,false,null],"empty":{},"arr":[]})"
    "\n";

class Fixture {
 public:
  Fixture() : tree_("jq-test") {
    // An exported variable both sides see: bash inherits it, ours gets it
    // through CommandEnv::environment.
    setenv("MEMHOOK_JQ_TEST", "bar baz", 1);
    tree_.MakeDirs("w/dir");
    tree_.Write("w/log.jsonl", kLog);
    tree_.Write("w/log2.jsonl",
                "{\"type\":\"user\",\"message\":{\"content\":\"second file\"},\"ts\":10}\n"
                "{\"type\":\"assistant\",\"message\":{\"content\":[]},\"ts\":11}\n");
    tree_.Write(
        "w/arr.json",
        R"([{"name":"b","x":2,"g":"k"},{"name":"a","x":1,"g":"j"},{"name":"c","x":3,"g":"k"}])"
        "\n");
    tree_.Write("w/nums.json",
                "[1.0, 1e1000, -1e1000, 100000000000000000000, -0, 0.1, 3.14159265358979323846,"
                " 1e-400, 123456789012345678, 0.000001, 1e17, 1.5e300, -0.0, 10, 1E2]\n");
    tree_.Write("w/bad.jsonl", "{\"a\":1}\n{\"a\":2}\n{\"a\":3,}\n{\"a\":4}\n");
    tree_.Write("w/types.jsonl", "{\"a\":1}\n5\n{\"a\":\"x\"}\n[1]\n{\"a\":{\"b\":2}}\n");
    tree_.Write("w/raw.txt", "line one\nline two\ttab\n\n\xc3\xa9t\xc3\xa9\nlast no newline");
    tree_.Write("w/csv.json",
                R"([["a",1,null,true],["b\"q",2.5,"x,y",false],["t\tab","n\nl","back\\s"]])"
                "\n");
    tree_.Write("w/a.json", "{\"k\":\"a\",\"v\":[1,2]}\n");
    tree_.Write("w/b.json", "{\"k\":\"b\",\"v\":{\"deep\":{\"er\":[null]}}}\n");
    tree_.Write("w/multi.json", "1 2\n\"three\" [4]\n{\"five\":5}");
    tree_.Write("w/half1.json", "[1,");
    tree_.Write("w/half2.json", "2]\n");
    tree_.Write("w/one.json", "1");
    tree_.Write("w/two.json", "2");
    tree_.Write("w/empty.json", "");
    tree_.Write("w/ws.json", "  \n\n");
    tree_.Write("w/nul.json", std::string("{\"a\":1}\n{\"b\":\0002}\n", 17));
    tree_.Write("w/unterminated.json", "{\"a\":[1,2");
    tree_.Write("w/prog.jq", "# a program file\n.[] | select(.x > 1) | .name\n");
    tree_.Write("w/shebang.jq", "#!/usr/bin/jq -f\n.[0].name\n");
    tree_.Write("w/strings.json",
                "[\"a b\",\"it's\",\"<&>\\\"'\",\"\xc3\xa9/?=&\",\"\",\"line\\nbreak\","
                "\"dGVzdA==\",\"\\u0000nul\"]\n");
    // A raw line longer than jq's 4095-byte fgets pieces, with a two-byte
    // character across the cut, and a JSON string as long.
    std::string long_line = std::string(4094, 'x') + "\xc3\xa9" + std::string(10, 'y') + "\n";
    tree_.Write("w/long.txt", long_line + "short\n");
    tree_.Write("w/long.json", "\"" + std::string(5000, 'z') + "\xc3\xa9\"\n[\"" +
                                   std::string(9000, 'q') + "\"]\n");
    // A large session log: its last line is broken.
    std::string big;
    for (int i = 0; i < 3000; ++i) {
      big += "{\"i\":" + std::to_string(i) + ",\"type\":\"user\",\"pad\":\"" +
             std::string(40, 'p') + "\"}\n";
    }
    tree_.Write("w/big.jsonl", big + "{\"i\":broken}\n");
    // Inputs whose outputs straddle stdout's 4096-byte buffer, with an
    // error in the middle (for 2>&1).
    std::string mixed;
    for (int i = 0; i < 200; ++i) {
      mixed += i == 120 ? "\"oops\"\n" : std::to_string(i) + "\n";
    }
    tree_.Write("w/mixed.json", mixed);
    tree_.Import();
    options_ = tree_.Options("w");
    environment_ = {"HOME=" + tree_.root.string(), "TZ=UTC", "LC_ALL=C.UTF-8",
                    "MEMHOOK_JQ_TEST=bar baz"};
  }

  // CmdJq, called directly.
  Result Ours(const std::string& command, const std::optional<std::string>& stdin_data,
              const memhook::utils::OutputNeed& need = {}, bool pushdown = true) {
    std::vector<std::string> argv = ShellWords(command);
    UtilOptions options = options_;
    options.pushdown = pushdown;
    CommandEnv env{*tree_.store, options, options.cwd, &environment_, nullptr};
    CommandIo io;
    io.need = need;
    if (stdin_data) io.stdin_data = *stdin_data;
    memhook::utils::CmdJq(argv, env, io);
    Result result{io.out.str(), io.err.str(), io.status, io.unsupported, ""};
    for (const auto& chunk : io.log) result.merged += chunk.bytes;
    return result;
  }

  Result Real(const std::string& command, const std::optional<std::string>& stdin_data) {
    auto r = tree_.Bash(command, "w", stdin_data);
    return {r.out, r.err, r.status, "", ""};
  }

  void Compare(const std::string& command, const std::optional<std::string>& stdin_data = {}) {
    CAPTURE(command);
    CAPTURE(stdin_data);
    const Result expected = Real(command, stdin_data);
    for (bool pushdown : {true, false}) {
      CAPTURE(pushdown);
      const Result got = Ours(command, stdin_data, {}, pushdown);
      CHECK(got.unsupported == "");
      CHECK(got.out == expected.out);
      CHECK(got.err == expected.err);
      CHECK(got.status == expected.status);
    }
    ++compared;
  }

  // `command 2>&1`: both streams in the order jq writes them.
  void CompareMerged(const std::string& command,
                     const std::optional<std::string>& stdin_data = {}) {
    CAPTURE(command);
    const Result expected = Real(command + " 2>&1", stdin_data);
    const Result got = Ours(command, stdin_data);
    CHECK(got.unsupported == "");
    CHECK(got.merged == expected.out);
    CHECK(got.status == expected.status);
    ++compared;
  }

  // `command | head -n LINES` (or -c BYTES): head's output, jq's stderr and
  // jq's own status (141 when SIGPIPE stopped it).
  void CompareHead(const std::string& command, uint64_t lines, uint64_t bytes = UINT64_MAX,
                   const std::optional<std::string>& stdin_data = {}) {
    CAPTURE(command);
    const std::string head = bytes != UINT64_MAX ? "head -c " + std::to_string(bytes)
                                                 : "head -n " + std::to_string(lines);
    const Result expected = Real(command + " | " + head + "; exit ${PIPESTATUS[0]}", stdin_data);
    memhook::utils::OutputNeed need;
    need.lines = lines;
    need.bytes = bytes;
    const Result got = Ours(command, stdin_data, need);
    CHECK(got.unsupported == "");
    std::string shown = got.out;
    if (bytes != UINT64_MAX) {
      shown = shown.substr(0, bytes);
    } else {
      size_t pos = 0;
      for (uint64_t n = 0; n < lines && pos != std::string::npos; ++n) {
        pos = shown.find('\n', pos);
        if (pos != std::string::npos) ++pos;
      }
      if (pos != std::string::npos) shown.resize(pos);
    }
    CHECK(shown == expected.out);
    CHECK(got.err == expected.err);
    CHECK(got.status == expected.status);
    ++compared;
  }

  void Unsupported(const std::string& command, const std::string& word = "") {
    CAPTURE(command);
    const Result got = Ours(command, std::nullopt);
    CHECK(got.unsupported != "");
    if (!word.empty()) CHECK(got.unsupported.find(word) != std::string::npos);
  }

  DiskTree& tree() { return tree_; }
  int compared = 0;

 private:
  DiskTree tree_;
  UtilOptions options_;
  std::vector<std::string> environment_;
};

Fixture& F() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

TEST_CASE("filters agents run on session logs") {
  for (const char* c : {
           "jq . log.jsonl",
           "jq -c . log.jsonl",
           "jq .type log.jsonl",
           "jq -r .type log.jsonl",
           "jq -c 'select(.type==\"user\") | .message.content' log.jsonl",
           "jq -r 'select(.type==\"user\") | .message.content' log.jsonl",
           "jq -r '.message.content | if type==\"array\" then .[].type else . end' log.jsonl",
           "jq -c 'keys' log.jsonl",
           "jq -c '.[] | keys' arr.json",
           "jq 'map(.x) | add' arr.json",
           "jq -c 'group_by(.g)' arr.json",
           "jq -c 'group_by(.g) | map({g: .[0].g, n: length})' arr.json",
           "jq length log.jsonl",
           "jq -r '.summary // empty' log.jsonl",
           "jq -c '.[0] | to_entries' arr.json",
           "jq -c 'map(to_entries | from_entries)' arr.json",
           "jq -c '.[] | with_entries(.value |= tostring)' arr.json",
           "jq -r '.[] | @tsv' csv.json",
           "jq -r '.[] | @csv' csv.json",
           "jq -c '[paths]' b.json",
           "jq -c '[paths(type == \"number\")]' log.jsonl",
           "jq -c '[leaf_paths]' a.json",
           "jq -n -c 'limit(3; inputs)' log.jsonl",
           "jq -n -c 'first(inputs) | .type' log.jsonl",
           "jq -c 'limit(2; .[])' arr.json",
           "jq -n '[inputs] | length' log.jsonl log2.jsonl",
           "jq -n 'input | .type' log.jsonl",
           "jq -n '[input, input | .ts]' log.jsonl",
           "jq -n 'reduce inputs as $x (0; . + $x.ts)' log.jsonl log2.jsonl",
           "jq -c 'sort_by(.name) | map(.name)' arr.json",
           "jq -c 'min_by(.x), max_by(.x), unique_by(.g) | length' arr.json",
           "jq -c '[.[] | select(.x >= 2)] | map(.name)' arr.json",
           "jq '.[1].name' arr.json",
           "jq '.[-1]' arr.json",
           "jq -c '.[1:]' arr.json",
           "jq -c 'del(.[0]) | map(.name)' arr.json",
           "jq -c 'map(has(\"x\")), map(.name | test(\"^[ab]\"))' arr.json",
           "jq -r '.message.content | strings | ascii_upcase' log.jsonl",
           "jq -r '.message.content[]? | .text? // empty' log.jsonl",
           "jq -c '.message | objects | .role' log.jsonl",
           "jq -c '[.. | numbers]' log.jsonl",
           "jq -c 'to_entries | map(select(.value == null)) | map(.key)' log.jsonl",
           "jq -c 'path(..)' a.json",
           "jq -c '[splits(\", *\")]' <<< '\"a, b,c\"'",
           "jq -r '.[] | \"\\(.name)=\\(.x)\"' arr.json",
           "jq -c 'map(.x * 10 | floor, sqrt)' arr.json",
           "jq -c '[.[] | .name] | join(\",\"), (map(.x) | min, max)' arr.json",
           "jq -c 'any(.[]; .x > 2), all(.[]; .x > 0)' arr.json",
           "jq -c '[range(0; 10; 3)], ([3,1,2] | sort, reverse)' arr.json",
           "jq -c 'flatten, (map(.x) | contains([1])), ([1,2] | inside([1,2,3]))' arr.json",
           "jq -c '\"abcabc\" | indices(\"bc\"), index(\"c\"), rindex(\"c\")' arr.json",
           "jq -c '.[0] | keys_unsorted, (to_entries | length), map_values(. // 0)' arr.json",
           "jq -c 'try error(\"x\") catch ., (.[] as {name: $n} | $n)' arr.json",
           "jq -c '. as [$a, $b] | [$a.name, $b.name]' arr.json",
           "jq -c 'tostream' a.json",
           "jq -c 'fromstream(tostream)' b.json",
           "jq -c '[tostream] | fromstream(.[])' b.json",
           "jq -c 'tojson, (tojson | fromjson)' a.json",
           "jq -c 'walk(if type == \"number\" then . + 1 else . end)' a.json",
           "jq -c 'recurse | numbers' a.json",
           "jq -c 'getpath([\"v\", 1]), getpath([\"x\",\"y\"])' a.json",
           "jq -c 'setpath([\"v\", 0]; 9) | .v' a.json",
           "jq -c 'sub(\"(?<x>[aeiou])\"; \"<\\(.x)>\"), gsub(\"l\"; \"L\")' <<< '\"hello world\"'",
           "jq -c 'ltrimstr(\"he\"), rtrimstr(\"ld\"), startswith(\"he\"), endswith(\"x\")' <<< "
           "'\"hello world\"'",
           "jq -c 'explode, (explode | implode), ascii_downcase, length, utf8bytelength' <<< "
           "'\"\\u00e9A\"'",
           "jq -c 'split(\" \"), (. / \"o\")' <<< '\"a b o\"'",
           "jq -c '[limit(5; repeat(1))], [limit(0; 1, 2)], [first(range(10;0;-1))]' <<< null",
           "jq -c 'until(. > 100; . * 2), [while(. < 10; . + 3)]' <<< 1",
           "jq -c 'label $out | foreach .[] as $i (0; . + $i; if . > 3 then ., break $out else . "
           "end)' <<< '[1,2,3,4]'",
           "jq -c '[.[] | tostring], [.[] | tojson], [.[] | type]' nums.json",
           "jq -c 'builtins | length > 100' <<< null",
           "jq -c 'input_line_number' log.jsonl",
           "jq -c '[input_filename, input_line_number]' log.jsonl arr.json",
           "jq -n -c '[input_filename, input_line_number]'",
           "jq -n -c '[inputs | input_filename] , input_filename' log.jsonl arr.json",
           "jq -c 'input_filename' - arr.json",
           "jq -c '$__loc__' <<< 1",
           "jq -n -c '$ENV.MEMHOOK_JQ_TEST, env.MEMHOOK_JQ_TEST, ($ENV | has(\"HOME\")), (env | "
           "type)'",
           "jq -n -c '[env.MEMHOOK_JQ_TEST, $ENV.NOPE_NOT_SET]'",
           "jq -c 'def env: 1; env' <<< null",
           "jq -c '{env: 1} | .env' <<< null",
           "jq -c '\"env\", \"stderr\", \"import\"' <<< null",
           "jq -n -c 'env |'",
           "jq -n -c '$ENV.HOME | foo'",
           "jq -n -c 'input_filename | stderr | nope(1)'",
           "jq -n -c 'env.HOME | type,\n$__loc__'",
           "jq -n -c '\n\n[$ENV.MEMHOOK_JQ_TEST, $__loc__, input_line_number]'",
           "jq -c . ''",
           "jq -n --rawfile r '' '$r'",
       }) {
    std::string command = c;
    // A `<<< 'text'` suffix is the input: bash gets it as a here-string,
    // ours as its stdin.
    std::optional<std::string> stdin_data;
    size_t here = command.find(" <<< ");
    if (here != std::string::npos) {
      stdin_data = ShellWords(command.substr(here + 5))[0] + "\n";
      command = command.substr(0, here);
    }
    F().Compare(command, stdin_data);
  }
}

TEST_CASE("numbers and strings print as jq 1.6 prints them") {
  for (const char* c : {
           "jq . nums.json",
           "jq -c . nums.json",
           "jq -c '.[] | . * 2' nums.json",
           "jq -c '.[3] + 1, (.[4] | -.), (.[1] | isinfinite)' nums.json",
           "jq -c '[.n, .big, .neg, .f, .e]' log.jsonl",
           "jq -r '.summary' log.jsonl",
           "jq -a . log.jsonl",
           "jq -a -c '.message' log.jsonl",
           "jq -r -a '.summary // empty' log.jsonl",
           "jq -r '.[] | @sh' strings.json",
           "jq -r '.[] | @uri' strings.json",
           "jq -r '.[] | @html' strings.json",
           "jq -r '.[] | @json' strings.json",
           "jq -r '.[] | @text' strings.json",
           "jq -r '.[] | @base64' strings.json",
           "jq -r '.[6] | @base64d' strings.json",
           "jq -r '@sh \"echo \\(.[0]) \\(.[1])\"' strings.json",
           "jq -r '@json \"v=\\(.)\"' a.json",
           "jq -r '.[] | @csv, @tsv' csv.json",
           "jq -r '[1, \"a\"] | @sh' <<< null",
           "jq -c . multi.json",
           "jq . long.json",
           "jq -r 'length' long.json",
           "jq -c . nul.json",
           "jq -R . long.txt",
           "jq -R length long.txt",
           "jq -Rs length long.txt",
       }) {
    std::string command = c;
    std::optional<std::string> stdin_data;
    size_t here = command.find(" <<< ");
    if (here != std::string::npos) {
      stdin_data = ShellWords(command.substr(here + 5))[0] + "\n";
      command = command.substr(0, here);
    }
    F().Compare(command, stdin_data);
  }
}

TEST_CASE("output flags") {
  for (const char* c : {
           "jq -r '.[] | .name' arr.json",
           "jq -j '.[] | .name' arr.json",
           "jq -j . arr.json",
           "jq -S . log.jsonl",
           "jq -S -c . log.jsonl",
           "jq --sort-keys --compact-output . a.json",
           "jq --tab . a.json",
           "jq --indent 0 . a.json",
           "jq --indent 1 . a.json",
           "jq --indent 7 . b.json",
           "jq --indent -1 . a.json",
           "jq --indent x . a.json",
           "jq --tab -c . a.json",
           "jq -c --tab . a.json",
           "jq --indent 3 --tab . a.json",
           "jq -C . arr.json",
           "jq -C -c . log.jsonl",
           "jq -M . arr.json",
           "jq -C -M . a.json",
           "jq -rc . arr.json",
           "jq -cr '.[].name' arr.json",
           "jq --raw-output --join-output '.[].name' arr.json",
           "jq --seq -c '.[]' arr.json",
           "jq --seq -r '.[].name' arr.json",
           "jq --unbuffered -c '.[]' arr.json",
           "jq --ascii-output -c . log.jsonl",
           "jq -c --stream . arr.json",
           "jq -c --stream . multi.json",
           "jq -c 'fromstream(inputs)' --stream -n b.json",
           "jq . arr.json -c",
           "jq arr.json",
           "jq",
           "jq ''",
           "jq -V",
           "jq --version",
           "jq -h",
           "jq --help",
       }) {
    F().Compare(c, std::string("{\"in\":[1,2]}\n"));
  }
}

TEST_CASE("input flags and files") {
  for (const char* c : {
           "jq -s . a.json b.json",
           "jq -s -c 'map(.type)' log.jsonl log2.jsonl",
           "jq -s length log.jsonl arr.json",
           "jq -s . empty.json",
           "jq -s . ws.json",
           "jq -c . empty.json ws.json a.json",
           "jq -R . raw.txt",
           "jq -R -s . raw.txt",
           "jq -Rr 'length' raw.txt",
           "jq -R -n -c '[inputs]' raw.txt",
           "jq -R -n 'input' raw.txt",
           "jq -R -c . raw.txt a.json",
           "jq -Rs . raw.txt a.json",
           "jq -n 1",
           "jq -n -c '[inputs]' a.json b.json",
           "jq -n input empty.json",
           "jq -n 'input, input' a.json",
           "jq -n -c '[inputs]' multi.json",
           "jq -n -s -c '., input' a.json b.json",
           "jq -c . half1.json half2.json",
           "jq -c . one.json two.json",
           "jq -c . one.json - two.json",
           "jq -c . - -",
           "jq -c . /dev/null a.json",
           "jq -c . ./a.json ../w/b.json dir/../a.json",
           "jq -c . a.json -",
           "jq -c -s . - a.json",
           "jq -c . unterminated.json",
           "jq -c . -- a.json",
           "jq -f prog.jq arr.json",
           "jq --from-file prog.jq arr.json",
           "jq -f shebang.jq arr.json",
           "jq -f nosuch.jq arr.json",
           "jq -f dir arr.json",
           "jq -f prog.jq",
       }) {
    F().Compare(c, std::string("{\"stdin\":true}\n[7]\n"));
  }
}

TEST_CASE("named and positional arguments") {
  for (const char* c : {
           "jq -n --arg x 1 '$x'",
           "jq -n --arg x 1 --arg x 2 '$x'",
           "jq -n --argjson x '{\"a\":[1,2]}' '$x.a'",
           "jq -n -c --arg a 1 --argjson b 2 '$ARGS'",
           "jq -n -c '$ARGS' --args a 'b c'",
           "jq -n -c '$ARGS' --jsonargs 1 '{\"a\":2}' null",
           "jq -n -c '$ARGS.positional' --args a --jsonargs 2 --args c",
           "jq -c '[$ARGS.positional, .]' --args a.json b",
           "jq -n -c '$__prog' --arg __prog x",
           "jq -n --arg",
           "jq -n --arg x",
           "jq -n --argjson x",
           "jq -n --argjson x '{'",
           "jq -n --argjson x '1 2' '$x'",
           "jq -n --argjson x '' '$x'",
           "jq -n '$nope'",
           "jq -n -c --slurpfile f log.jsonl '$f | length, .[0].type'",
           "jq -n -c --slurpfile f a.json '$f'",
           "jq -n -c --argfile f a.json '$f'",
           "jq -n -c --argfile f multi.json '$f'",
           "jq -n --slurpfile f nosuch '$f'",
           "jq -n --slurpfile f bad.jsonl '$f'",
           "jq -n --slurpfile f dir '$f'",
           "jq -n --slurpfile f one.json '$f'",
           "jq -n --slurpfile f",
           "jq -n --rawfile r raw.txt '$r'",
           "jq -n --rawfile r long.txt '$r | length'",
           "jq -n --rawfile r nosuch '$r'",
           "jq -n --rawfile r a.json --rawfile r b.json '$r'",
           "jq -n --indent",
           "jq -n --indent 8 .",
       }) {
    F().Compare(c);
  }
}

TEST_CASE("errors and exit statuses") {
  for (const char* c : {
           "jq .a types.jsonl",
           "jq '.[0]' a.json",
           "jq -c '.a.b' types.jsonl",
           "jq '.a + 1' types.jsonl",
           "jq -c . bad.jsonl",
           "jq -c .a bad.jsonl a.json",
           "jq -s . bad.jsonl",
           "jq -n '[inputs]' bad.jsonl",
           "jq -n 'try input catch .' bad.jsonl",
           "jq -c --seq . bad.jsonl",
           "jq . nosuch",
           "jq -c . a.json nosuch b.json",
           "jq -c . nosuch a.json b.json",
           "jq -c . a.json b.json nosuch",
           "jq -c . a.json/",
           "jq -c . a.json/x",
           "jq . dir",
           "jq -c . dir a.json b.json",
           "jq -n -c '[inputs]' a.json nosuch b.json",
           "jq -s -c . a.json nosuch b.json",
           "jq '.a |'",
           "jq 'foo'",
           "jq '.[' a.json",
           "jq 'if . then 1' a.json",
           "jq '}'",
           "jq '1 +'",
           "jq '.a | foo(1)' a.json",
           "jq 'break $x'",
           "jq -x .",
           "jq --foo .",
           "jq -rr .",
           "jq -rx .",
           "jq -- .",
           "jq -e .a <<< '{\"a\":false}'",
           "jq -e . <<< 'null'",
           "jq -e . <<< '1'",
           "jq -e empty <<< '1'",
           "jq -e '.[]' <<< '[1, null]'",
           "jq -e '.[]' <<< '[null, 1]'",
           "jq -e '.a' <<< '5'",
           "jq -e -r '.[]' <<< '[\"x\"]'",
           "jq '.a' <<< '1 {\"a\":2}'",
           "jq '.a' <<< '{\"a\":2} 1'",
           "jq -n 'error(\"custom\")'",
           "jq -n 'error({\"a\":1})'",
           "jq -n 'error(null)'",
           "jq -n '\"a\\u0000b\" | error'",
           "jq -n '\"bye\\n\" | halt_error'",
           "jq -n '\"bye\" | halt_error(1)'",
           "jq -n '{\"a\":1} | halt_error(3)'",
           "jq -n 'null | halt_error(4)'",
           "jq -n 'halt'",
           "jq -n '\"x\" | halt_error(300)'",
           "jq -n '\"x\" | halt_error(-1)'",
           "jq -n '\"x\" | halt_error(\"a\")'",
           "jq -e -n '\"x\\n\" | halt_error(11)'",
           "jq 'if . == 2 then halt_error(7) else . end' <<< '1 2 3'",
           "jq 'if . == 2 then halt else . end' <<< '1 2 3'",
           "jq -n 'input, input' <<< '1'",
           "jq -n '[limit(3; inputs)]' <<< '1 2 {'",
           "jq -n '{} | .[\"a\"] = (1,2) | .a' <<< ''",
           "jq '.[] | tonumber' <<< '[\"1\", \"x\"]'",
           "jq -n '[1] | implode'",
           "jq -n '\"x\" | test(\"(\")'",
           "jq -n '{} | keys | .[0] | ascii_downcase'",
           "jq -r '@base32d' <<< '1'",
           "jq -n '\"x\" * 0'",
           "jq -c 'splits(1)' <<< '\"a\"'",
       }) {
    std::string command = c;
    std::optional<std::string> stdin_data;
    size_t here = command.find(" <<< ");
    if (here != std::string::npos) {
      stdin_data = ShellWords(command.substr(here + 5))[0] + "\n";
      command = command.substr(0, here);
    }
    F().Compare(command, stdin_data);
  }
}

TEST_CASE("stderr and stdout interleave as jq writes them") {
  for (const char* c : {
           "jq '.a' types.jsonl",
           "jq -c . bad.jsonl",
           "jq -c '{i: ., pad: \"................................\"} | .i + 1' mixed.json",
           "jq -c '.[0] | debug' arr.json",
           "jq -c -S --tab '.[] | debug | .name' arr.json",
           "jq -n -c '1, 2 | stderr'",
           "jq -n -c '{\"b\":1,\"a\":[2]} | stderr | .a'",
           "jq -c 'select(.i % 1000 == 0) | debug | .i' big.jsonl",
           "jq -c . a.json nosuch b.json",
           "jq -c . dir a.json",
           "jq -r '.pad' big.jsonl",
           "jq -n '\"bye\" | halt_error'",
       }) {
    F().CompareMerged(c);
  }
  F().CompareMerged("jq -c '.' - -", std::string(5000, ' ') + "[1]\n{\n");
  // Raw strings are one fwrite each: whole 4096-byte blocks go out at once.
  for (size_t size : {4095, 4096, 4097, 8192, 12000}) {
    F().CompareMerged(
        "jq -r 'if type == \"string\" then . else error(\"e\") end'",
        "\"" + std::string(size, 'x') + "\"\n1\n\"" + std::string(size, 'y') + "\"\n2\n");
    F().CompareMerged("jq -j 'if type == \"string\" then . else error(\"e\") end'",
                      "\"s\"\n\"" + std::string(size, 'x') + "\"\n1\n");
  }
}

TEST_CASE("time builtins in the same zone") {
  for (const char* c : {
           "jq -n -c '0 | todate, (\"2015-03-05T23:51:47Z\" | fromdate), gmtime'",
           "jq -n -c '1425599507 | gmtime | mktime, todate, strftime(\"%A %B %d %Y %j %Z\")'",
           "jq -n -c '\"10 March 2015\" | strptime(\"%d %B %Y\")'",
           "jq -n -c '1425599507 | localtime | mktime'",
           "jq -n -c '1425599507 | strflocaltime(\"%H:%M %Z\")'",
           "jq -n 'now | type'",
           "jq -c '{date: .ts}' log.jsonl",
       }) {
    F().Compare(c);
  }
}

// `jq ... | head -1`: jq's stdout is a buffered stdio stream, so head gets
// nothing before jq has filled 4096 bytes or exited. Once head has what it
// needs it exits, and jq dies of SIGPIPE at its next write. Errors jq meets
// before that write are printed (a parse error on line 2 of a small file
// shows, as the real pipeline shows it); inputs after it are never read.
TEST_CASE("a reader that needs only the first lines stops jq") {
  // The broken last line of big.jsonl comes after far more output than a
  // pipe holds (64 KiB) plus jq's buffer: the real jq blocks on the full
  // pipe until head has exited, and is killed before it gets there; ours
  // stops without parsing it (no parse error). With less output than that
  // the real outcome is a race between head's exit and jq's next write;
  // ours then takes the earliest (head exits at once).
  F().CompareHead("jq -c . big.jsonl", 1);
  F().CompareHead("jq -r .pad big.jsonl", 2);
  F().CompareHead("jq . big.jsonl", 5);
  F().CompareHead("jq -c . big.jsonl", 3, 100);
  F().CompareHead("jq -n -c 'inputs' big.jsonl", 1);
  F().CompareHead("jq -c . big.jsonl big.jsonl", 1);
  // Small outputs: jq exits before any write, so all of it happens.
  F().CompareHead("jq -c . bad.jsonl", 1);
  F().CompareHead("jq -c . log.jsonl", 1);
  F().CompareHead("jq .a types.jsonl", 1);
  F().CompareHead("jq -n '[limit(5; repeat(1))]'", 2);

  // Only the first rows of the log were read: ours stops at its second
  // 4096-byte write, long before the last line.
  memhook::utils::OutputNeed need;
  need.lines = 1;
  const Result first = F().Ours("jq -c . big.jsonl", std::nullopt, need);
  CHECK(first.unsupported == "");
  CHECK(first.err == "");
  CHECK(first.status == 141);
  CHECK(first.out.size() == 4096);
  // Without a reader that stops, the broken line is reached.
  const Result all = F().Ours("jq -c . big.jsonl", std::nullopt);
  CHECK(all.err == "parse error: Invalid numeric literal at line 3001, column 12\n");
  CHECK(all.status == 4);
}

TEST_CASE("what cannot be exact is refused") {
  F().Unsupported("jq . /etc/passwd", "host");
  F().Unsupported("jq . a.json /etc/hostname", "host");
  F().Unsupported("jq -n --slurpfile x /etc/passwd '$x'", "host");
  F().Unsupported("jq -n --rawfile x /etc/passwd '$x'", "host");
  F().Unsupported("jq -f /etc/passwd", "host");
  F().Unsupported("jq -L /tmp .");
  F().Unsupported("jq -L/tmp .");
  F().Unsupported("jq 'import \"foo\" as f; .'");
  F().Unsupported("jq 'include \"foo\"; .'");
  F().Unsupported("jq -n 'get_search_list'");
  F().Unsupported("jq -n '\"x\" | modulemeta'");
  F().Unsupported("jq -n '$ARGS' --jsonargs '{'");
  F().Unsupported("jq --debug-dump-disasm .");
  F().Unsupported("jq --run-tests x");
}

TEST_CASE("a host file under memhook run") {
  UtilOptions options = F().tree().Options("w");
  std::vector<std::string> environment;
  CommandEnv env{*F().tree().store, options, options.cwd, &environment, nullptr};
  env.allow_host = true;
  const std::string host = (F().tree().root / "host.json").string();
  {
    FILE* f = std::fopen(host.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("{\"host\":true}\n", f);
    std::fclose(f);
  }
  CommandIo io;
  memhook::utils::CmdJq({"jq", "-c", ".", host, "a.json"}, env, io);
  CHECK(io.unsupported == "");
  CHECK(io.out.str() == "{\"host\":true}\n{\"k\":\"a\",\"v\":[1,2]}\n");
  CHECK(io.status == 0);
}

// jq 1.6's grammar makes a jv string ("text", the format of a string
// literal) in a mid-rule action that bison does not free when a syntax
// error follows inside the literal: 21 bytes leak per compilation, inside
// libjq. These cases run apart (ctest utils_jq_libjq_leak_test) with
// lsan_jq.supp; the name keeps them out of the main run, which runs with
// no suppression at all.
TEST_CASE("libjq leaks on syntax errors inside string literals") {
  for (const char* c : {
           "jq '\"\\(1'",
           "jq '\"abc'",
           "jq -n '.a | \"x'",
           "jq -n '\"\\(1;2)\"'",
           "jq -n 'env | \"\\(.'",
       }) {
    F().Compare(c);
  }
}

TEST_CASE("at least 120 comparisons") {
  MESSAGE("compared " << F().compared << " commands with jq 1.6");
}

}  // namespace
