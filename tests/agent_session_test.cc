// A simulated Claude Code session through the real binaries, on a fresh
// HOME: `memhook install claude`, then every hook the settings file
// registers is run as Claude Code runs it (`bash -c COMMAND`, the event's
// JSON on stdin, matchers applied), and what the hooks answer is carried
// out as the agent would (an updated command is run by bash, a staged file
// is written by the Write tool). Prompt, reads, writes through the shell
// and through the Write tool, a pass-through command, Stop and SessionEnd;
// then `memhook stats`, and `memhook uninstall claude` must give back the
// settings file the user had, byte for byte.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using Json = nlohmann::json;
using memhook::testing::ExecSpec;
using memhook::testing::ProcResult;
using memhook::testing::RunProcess;
using memhook::testing::ShellQuote;
using memhook::testing::Slurp;

namespace {

std::string EnvPath(const char* name) {
  const char* path = std::getenv(name);
  REQUIRE_MESSAGE(path != nullptr, name << " must be set");
  return path;
}

void WriteFile(const fs::path& path, const std::string& bytes, bool append = false) {
  fs::create_directories(path.parent_path());
  FILE* f = std::fopen(path.c_str(), append ? "ab" : "wb");
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
  std::fclose(f);
}

// The user's settings before memhook: a hook and permissions of their own.
const char* kUserSettings = R"JSON({
  "permissions": {"allow": ["Bash(git status)"]},
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "true # the user's own"}]}
    ]
  }
}
)JSON";

struct Session {
  memhook::testing::TempDir temp{"memhook-agent"};
  fs::path home = temp.path() / "home";
  fs::path project = home / "project";
  fs::path settings = home / ".claude/settings.json";
  std::string session_id = "5f0e8a2c-agent";
  fs::path transcript = home / ".claude/projects/project" / (session_id + ".jsonl");
  std::string mount = (home / ".memhook/memory").string();
  std::string memhook = EnvPath("MEMHOOK_BIN");
  std::vector<std::string> env;
  Json registered;  // settings["hooks"] after install
  int turn = 0;

  Session() {
    fs::create_directories(project);
    WriteFile(settings, kUserSettings);
    env = {"PATH=/usr/bin:/bin",
           "LC_ALL=C.UTF-8",
           "TZ=UTC",
           "HOME=" + home.string(),
           "XDG_DATA_HOME=" + (temp.path() / "data").string(),
           "XDG_STATE_HOME=" + (temp.path() / "state").string(),
           "XDG_RUNTIME_DIR=" + (temp.path() / "run").string(),
           "MEMHOOK_SUMMARIZE=0"};  // no model in a test
    fs::create_directories(temp.path() / "run");
  }

  ProcResult Run(const std::vector<std::string>& argv, const std::string& input = "") {
    ExecSpec spec;
    spec.program = argv[0];
    spec.argv = argv;
    spec.env = &env;
    spec.cwd = project.string();
    spec.stdin_data = input;
    return RunProcess(spec);
  }
  ProcResult Bash(const std::string& command, const std::string& input = "") {
    return Run({"/bin/bash", "-c", command}, input);
  }

  // A line the agent's transcript gains (Claude Code writes it before the
  // hooks of the event run).
  void Transcribe(const std::string& type, const std::string& text) {
    WriteFile(
        transcript,
        Json{{"type", type}, {"turn", ++turn}, {"message", {{"content", text}}}}.dump() + "\n",
        true);
  }

  // Runs every handler registered for `event` whose matcher takes `tool`,
  // as Claude Code does; returns their results in order.
  std::vector<ProcResult> Fire(const std::string& event, Json payload,
                               const std::string& tool = "") {
    payload["session_id"] = session_id;
    payload["transcript_path"] = transcript.string();
    payload["cwd"] = project.string();
    payload["hook_event_name"] = event;
    std::vector<ProcResult> results;
    if (!registered.contains(event)) return results;
    for (const Json& group : registered[event]) {
      const std::string matcher = group.value("matcher", "");
      if (!tool.empty() && !matcher.empty() && matcher != "*" &&
          !std::regex_match(tool, std::regex(matcher)))
        continue;
      for (const Json& handler : group["hooks"]) {
        results.push_back(Bash(handler["command"].get<std::string>(), payload.dump()));
      }
    }
    return results;
  }

  // Whether `done()` becomes true within 10 s (polled).
  static bool Eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 200; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
  }

  // PreToolUse of Bash, then the command as the agent runs it (the
  // rewritten one when memhook answered), then PostToolUse.
  ProcResult AgentBash(const std::string& command) {
    Transcribe("assistant", "tool_use Bash: " + command);
    Json input = {{"command", command}, {"description", "d"}};
    std::string to_run = command;
    for (const ProcResult& r :
         Fire("PreToolUse", {{"tool_name", "Bash"}, {"tool_input", input}}, "Bash")) {
      REQUIRE_MESSAGE(r.status == 0, r.err);
      if (r.out.empty()) continue;  // pass-through (the user's hook too)
      const Json answer = Json::parse(r.out);
      to_run = answer["hookSpecificOutput"]["updatedInput"]["command"];
    }
    ProcResult ran = Bash(to_run);
    Transcribe("user", "tool_result: " + ran.out);
    for (const ProcResult& r : Fire("PostToolUse",
                                    {{"tool_name", "Bash"},
                                     {"tool_input", input},
                                     {"tool_response", {{"stdout", ran.out}, {"stderr", ran.err}}}},
                                    "Bash")) {
      CHECK_MESSAGE(r.status == 0, r.err);
    }
    return ran;
  }
};

TEST_CASE("a whole agent session through the installed hooks, then stats and uninstall") {
  Session s;
  // ---- install: every hook registered, the user's own kept.
  ProcResult installed = s.Run({s.memhook, "install", "claude"});
  REQUIRE_MESSAGE(installed.status == 0, installed.err);
  s.registered = Json::parse(Slurp(s.settings))["hooks"];
  for (const char* event :
       {"PreToolUse", "PostToolUse", "UserPromptSubmit", "Stop", "SessionStart", "SessionEnd"}) {
    CHECK_MESSAGE(s.registered.contains(event), event);
  }
  CHECK(Slurp(s.settings).find("true # the user's own") != std::string::npos);
  ProcResult again = s.Run({s.memhook, "install", "claude"});
  CHECK(again.status == 0);
  CHECK(Json::parse(Slurp(s.settings))["hooks"] == s.registered);  // idempotent

  // ---- SessionStart: the agent is told where its memory is.
  s.Transcribe("system", "session start");
  std::vector<ProcResult> started = s.Fire("SessionStart", {{"source", "startup"}});
  REQUIRE(started.size() == 1);
  const Json context = Json::parse(started[0].out);
  CHECK(context["hookSpecificOutput"]["additionalContext"].get<std::string>().find(s.mount) !=
        std::string::npos);

  // ---- a prompt, then writes through the shell (left to the permission
  // flow: `memhook run`), a read answered in the hook, a pass-through.
  s.Transcribe("user", "remember that we use WAL");
  for (const ProcResult& r : s.Fire("UserPromptSubmit", {{"prompt", "remember"}})) {
    CHECK(r.status == 0);
    CHECK(r.out.empty());
  }
  ProcResult made = s.AgentBash(
      "mkdir -p ~/.memhook/memory/notes && echo '- use WAL' >> "
      "~/.memhook/memory/notes/db.md");
  CHECK_MESSAGE(made.status == 0, made.err);
  ProcResult appended = s.AgentBash(
      "cat >> ~/.memhook/memory/notes/db.md <<'EOF'\n- checkpoint on close costs fsyncs\nEOF");
  CHECK_MESSAGE(appended.status == 0, appended.err);
  ProcResult read = s.AgentBash(
      "cat ~/.memhook/memory/notes/db.md | grep -c WAL; ls "
      "~/.memhook/memory/notes");
  CHECK(read.out == "1\ndb.md\n");
  CHECK(read.err.empty());
  ProcResult passed = s.AgentBash("echo host; ls " + ShellQuote(s.project.string()) + " | wc -l");
  CHECK(passed.out == "host\n0\n");
  CHECK_FALSE(fs::exists(s.mount));  // nothing ever reached the disk

  // ---- the Write tool on a memory path: staged, written, imported.
  const std::string note = s.mount + "/notes/tools.md";
  Json write_input = {{"file_path", note}, {"content", "# Tools\nwritten by Write\n"}};
  std::string staged = note;
  for (const ProcResult& r :
       s.Fire("PreToolUse", {{"tool_name", "Write"}, {"tool_input", write_input}}, "Write")) {
    REQUIRE_MESSAGE(r.status == 0, r.err);
    if (!r.out.empty()) {
      staged = Json::parse(r.out)["hookSpecificOutput"]["updatedInput"]["file_path"];
    }
  }
  REQUIRE(staged != note);
  WriteFile(staged, write_input["content"]);  // the tool itself
  write_input["file_path"] = staged;
  for (const ProcResult& r : s.Fire("PostToolUse",
                                    {{"tool_name", "Write"},
                                     {"tool_input", write_input},
                                     {"tool_response", {{"filePath", staged}}}},
                                    "Write")) {
    CHECK_MESSAGE(r.status == 0, r.err);
  }
  CHECK(s.AgentBash("cat ~/.memhook/memory/notes/tools.md").out == "# Tools\nwritten by Write\n");

  // ---- Stop and SessionEnd: the transcript is in the memory, whole.
  s.Transcribe("assistant", "done");
  for (const ProcResult& r : s.Fire("Stop", {{"stop_hook_active", false}})) CHECK(r.status == 0);
  for (const ProcResult& r : s.Fire("SessionEnd", {{"reason", "exit"}})) CHECK(r.status == 0);
  // The hook server answers a session event at once and captures after:
  // the capture lands shortly after the hook returned.
  const std::string cat_log = "cat ~/.memhook/memory/sessions/*/" + s.session_id + ".jsonl";
  CHECK(s.Eventually([&] {
    return s.Run({s.memhook, "run", "-c", cat_log}).out.find("\"done\"") != std::string::npos;
  }));
  ProcResult log = s.AgentBash("cat ~/.memhook/memory/sessions/*/" + s.session_id + ".jsonl");
  const std::string transcript = Slurp(s.transcript);
  // The last tool result line is written after this cat ran.
  CHECK(transcript.rfind(log.out, 0) == 0);
  CHECK(log.out.find("remember that we use WAL") != std::string::npos);
  CHECK(log.out.find("\"done\"") != std::string::npos);

  // ---- stats: what touched the memory, by route.
  CHECK(s.Eventually([&] {  // the last capture's row is logged after it
    return s.Run({s.memhook, "stats"}).out.find("\ncapture ") != std::string::npos;
  }));
  ProcResult stats = s.Run({s.memhook, "stats"});
  REQUIRE_MESSAGE(stats.status == 0, stats.err);
  CHECK(stats.out.find("hook calls touched the memory") != std::string::npos);
  MESSAGE(stats.out);
  for (const char* route : {"fast-path", "run", "capture", "file-tool"}) {  // the route rows
    CHECK_MESSAGE(stats.out.find("\n" + std::string(route) + " ") != std::string::npos,
                  route << "\n"
                        << stats.out);
  }

  // ---- uninstall: the user's settings, byte for byte.
  ProcResult removed = s.Run({s.memhook, "uninstall", "claude"});
  REQUIRE_MESSAGE(removed.status == 0, removed.err);
  CHECK(Slurp(s.settings) == kUserSettings);
}

}  // namespace
