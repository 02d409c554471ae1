// memhook-front, the PreToolUse hook's first process: it must never let a
// command that memhook would answer pass through, and must answer exactly
// as memhook does (it execs memhook for anything it is not sure of).
//
// Differential over the whole corpus: each command line as a hook request
// through `memhook hook` and through `memhook-front hook`. A copy of the
// front program alone in a directory (no memhook beside it) tells what it
// decides by itself: exit 0 without output is its own pass-through, exit 2
// means it tried to hand the request to memhook.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace fs = std::filesystem;

namespace {

std::string EnvPath(const char* name) {
  const char* path = std::getenv(name);
  REQUIRE_MESSAGE(path != nullptr, name << " must be set");
  return path;
}

using memhook::testing::ProcResult;

struct Sandbox {
  memhook::testing::TempDir temp{"memhook-front"};
  fs::path home = temp.path() / "home";
  fs::path lonely = temp.path() / "lonely";  // memhook-front without memhook
  std::vector<std::string> env;

  Sandbox() {
    fs::create_directories(home);
    fs::create_directories(temp.path() / "run");
    fs::create_directories(lonely);
    fs::copy_file(EnvPath("MEMHOOK_FRONT_BIN"), lonely / "memhook-front");
    env = {"PATH=/usr/bin:/bin",
           "LC_ALL=C.UTF-8",
           "TZ=UTC",
           "HOME=" + home.string(),
           "XDG_RUNTIME_DIR=" + (temp.path() / "run").string(),
           "XDG_DATA_HOME=" + (temp.path() / "data").string()};
    ProcResult imported = Run(EnvPath("MEMHOOK_BIN"), {"import", EnvPath("CORPUS_TREE")}, "");
    REQUIRE_MESSAGE(imported.status == 0, imported.err);
  }

  ProcResult Run(const std::string& program, const std::vector<std::string>& args,
                 const std::string& input, const std::vector<std::string>* extra_env = nullptr) {
    memhook::testing::ExecSpec spec;
    spec.program = program;
    spec.argv = {program};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    std::vector<std::string> all = env;
    if (extra_env != nullptr) all.insert(all.end(), extra_env->begin(), extra_env->end());
    spec.env = &all;
    spec.stdin_data = input;
    return memhook::testing::RunProcess(spec);
  }

  std::string Cwd(const std::string& corpus_cwd) const {
    if (corpus_cwd == "~") return home.string();
    return home.string() + corpus_cwd.substr(1);
  }

  static std::string Request(const std::string& command, const std::string& cwd,
                             const std::string& tool = "Bash",
                             const std::string& event = "PreToolUse") {
    return nlohmann::json{
        {"session_id", "front"},    {"transcript_path", "/nonexistent"},
        {"hook_event_name", event}, {"cwd", cwd},
        {"tool_name", tool},        {"tool_input", {{"command", command}, {"description", "d"}}}}
        .dump();
  }
};

// The rewritten command of a spooled answer names a random token: compare
// everything else.
std::string WithoutSpoolToken(const std::string& out) {
  if (out.empty()) return out;
  nlohmann::json json = nlohmann::json::parse(out, nullptr, false);
  if (json.is_discarded()) return out;
  auto& command = json["hookSpecificOutput"]["updatedInput"]["command"];
  if (command.is_string() && command.get<std::string>().find("memhook-replay") != std::string::npos)
    command = "<spooled>";
  return json.dump();
}

struct CorpusLine {
  std::string route, cwd, command;
};

std::vector<CorpusLine> ReadCorpus() {
  std::ifstream in(EnvPath("CORPUS_COMMANDS"));
  std::vector<CorpusLine> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    CorpusLine c;
    std::string flags;
    fields >> c.route >> flags >> c.cwd;
    std::getline(fields, c.command);
    c.command.erase(0, c.command.find_first_not_of(' '));
    lines.push_back(c);
  }
  return lines;
}

TEST_CASE(
    "over the corpus: the front program answers as memhook, and passes alone only what memhook "
    "passes") {
  Sandbox box;
  const std::string memhook = EnvPath("MEMHOOK_BIN");
  const std::string front = EnvPath("MEMHOOK_FRONT_BIN");
  const std::string alone = (box.lonely / "memhook-front").string();
  std::vector<CorpusLine> corpus = ReadCorpus();
  REQUIRE(corpus.size() > 1000);
  size_t passed_alone = 0, pass_lines = 0, compared = 0;
  for (size_t i = 0; i < corpus.size(); ++i) {
    const CorpusLine& c = corpus[i];
    const std::string request = Sandbox::Request(c.command, box.Cwd(c.cwd));
    ProcResult decided = box.Run(alone, {"hook"}, request);
    const bool front_passes = decided.status == 0 && decided.out.empty();
    if (!front_passes) {
      CHECK_MESSAGE(decided.status == 2, c.command);
      CHECK_MESSAGE(decided.err.find("cannot start") != std::string::npos, c.command);
    }
    if (c.route == "pass") ++pass_lines;
    // Every pass line, and a sample of the rest (each costs two hook runs).
    if (c.route != "pass" && !front_passes && i % 7 != 0) continue;
    ++compared;
    ProcResult full = box.Run(memhook, {"hook"}, request);
    ProcResult via_front = box.Run(front, {"hook"}, request);
    INFO(c.command);
    CHECK(via_front.status == full.status);
    CHECK(WithoutSpoolToken(via_front.out) == WithoutSpoolToken(full.out));
    CHECK(via_front.err == full.err);
    if (front_passes) {
      ++passed_alone;
      CHECK(full.out.empty());  // never skips a command memhook answers
      CHECK(full.status == 0);
    }
  }
  MESSAGE("corpus lines: " << corpus.size() << ", compared: " << compared
                           << ", passed by the front alone: " << passed_alone << " (of "
                           << pass_lines << " pass lines)");
  // Most pass-through lines never start memhook.
  CHECK(passed_alone * 2 > pass_lines);
}

TEST_CASE("whatever the front cannot be sure of goes to memhook") {
  Sandbox box;
  const std::string alone = (box.lonely / "memhook-front").string();
  const std::string home = box.home.string();
  auto wants_memhook = [&](const std::string& request,
                           const std::vector<std::string>* extra_env = nullptr) {
    ProcResult r = box.Run(alone, {"hook"}, request, extra_env);
    return r.status == 2 && r.err.find("cannot start") != std::string::npos;
  };
  auto passes = [&](const std::string& request) {
    ProcResult r = box.Run(alone, {"hook"}, request);
    return r.status == 0 && r.out.empty() && r.err.empty();
  };
  CHECK(passes(Sandbox::Request("git status", home)));
  CHECK(passes(Sandbox::Request("ls -la /tmp && echo done", home)));
  CHECK(wants_memhook(Sandbox::Request("cat ~/.memhook/memory/MEMORY.md", home)));
  CHECK(wants_memhook(Sandbox::Request("cd ~/.memhook && cat memory/x", home)));
  CHECK(wants_memhook(Sandbox::Request("cat ~/.memhook/mem\"\"ory/x", home)));
  CHECK(wants_memhook(Sandbox::Request("cat ~/.mem*/m*/x", home)));
  CHECK(wants_memhook(Sandbox::Request("cat $'\\x7e'/x", home)));
  CHECK(wants_memhook(Sandbox::Request("ls", home + "/.memhook/memory/notes")));
  // Another tool or event: memhook's own business (file tools, capture).
  CHECK(wants_memhook(Sandbox::Request("git status", home, "Read")));
  CHECK(wants_memhook(Sandbox::Request("git status", home, "Bash", "PostToolUse")));
  // A \u escape could spell any letter of the mount's name.
  std::string escaped = Sandbox::Request("cat ~/.memhook/memory/a", home);
  const size_t at = escaped.find("memory/a");
  REQUIRE(at != std::string::npos);
  escaped.replace(at, 6, "mem\\u006fry");
  CHECK(wants_memhook(escaped));
  CHECK(wants_memhook(Sandbox::Request("git status", home).replace(0, 1, "[")));  // malformed
  CHECK(wants_memhook("{\"tool_name\":\"Bash\"}"));                               // no event
  // A mount the front does not read; other settings do not matter.
  std::vector<std::string> mount = {"MEMHOOK_MOUNT=/srv/mem"};
  CHECK(wants_memhook(Sandbox::Request("git status", home), &mount));
  std::vector<std::string> db = {"MEMHOOK_DB=/srv/mem.db", "MEMHOOK_FASTPATH=0"};
  CHECK(box.Run(alone, {"hook"}, Sandbox::Request("git status", home), &db).status == 0);
  // Two commands: memhook reads one of them; the front does not guess which.
  std::string twice =
      "{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"cwd\":\"/\","
      "\"tool_input\":{\"command\":\"true\",\"command\":\"cat ~/.memhook/memory/a\"}}";
  CHECK(wants_memhook(twice));
  // Broken JSON of every kind goes to memhook (whose error the agent sees);
  // under the sanitizers, any leak on these paths fails the exit status.
  const std::string ok = Sandbox::Request("git status", home);
  for (const std::string& broken : {
           ok.substr(0, ok.size() / 2),                              // cut short
           std::string("{\"hook_event_name\":\"Pre\x01ToolUse\"}"),  // a raw control byte
           std::string("{\"tool_name\":\"Ba\\qsh\"}"),               // a bad escape
           std::string("{\"k\x01\":1}"),                             // in a key
           std::string(100000, '[') + std::string(100000, ']'),      // deep
           std::string("{\"tool_input\":{\"command\":\"ls\",\"command\":"),
       }) {
    CAPTURE(broken.substr(0, 80));
    CHECK(wants_memhook(broken));
  }
  // A large command is read whole.
  CHECK(passes(Sandbox::Request(std::string(1 << 20, 'x'), home)));
  CHECK(wants_memhook(Sandbox::Request(std::string(1 << 20, 'x') + " memory", home)));
}

}  // namespace
