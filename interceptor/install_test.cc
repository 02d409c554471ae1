// memhook install / uninstall on real-world-looking settings files (Claude
// Code's settings.json, Codex's hooks.json and AGENTS.md) in temporary HOME
// and project directories, and the unified diff of --dry-run.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "interceptor/install.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using memhook::interceptor::InstallEnv;
using memhook::interceptor::RunInstall;
using memhook::interceptor::UnifiedDiff;
using Json = nlohmann::ordered_json;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "memhook-install-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  REQUIRE(out.good());
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

struct FileId {
  ino_t ino = 0;
  int64_t mtime_ns = 0;
  mode_t mode = 0;
  bool operator==(const FileId&) const = default;
};

FileId IdOf(const std::string& path) {
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  return {st.st_ino, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec,
          st.st_mode & 07777};
}

// A home, a project directory and a memhook binary path, all temporary.
struct Sandbox {
  TempDir tmp;
  InstallEnv env;
  explicit Sandbox(const std::string& home_name = "home",
                   const std::string& binary = "opt/memhook/bin/memhook") {
    env.home = tmp.path() + "/" + home_name;
    env.cwd = tmp.path() + "/project";
    env.memhook_path = tmp.path() + "/" + binary;
    env.mount = env.home + "/.memhook/memory";
    fs::create_directories(env.home);
    fs::create_directories(env.cwd);
  }
  std::string ClaudeUser() const { return env.home + "/.claude/settings.json"; }
  std::string ClaudeProject() const { return env.cwd + "/.claude/settings.json"; }
  std::string CodexUser() const { return env.home + "/.codex/hooks.json"; }
  std::string CodexProject() const { return env.cwd + "/.codex/hooks.json"; }
  std::string NoteUser() const { return env.home + "/.codex/AGENTS.md"; }
  std::string NoteProject() const { return env.cwd + "/AGENTS.md"; }
};

struct Result {
  int status = -1;
  std::string out, err;
};

// args[0] is "install" or "uninstall".
Result Run(const InstallEnv& env, std::vector<std::string> args) {
  REQUIRE(!args.empty());
  const bool uninstall = args[0] == "uninstall";
  args.erase(args.begin());
  Result result;
  result.status = RunInstall(args, uninstall, env, &result.out, &result.err);
  return result;
}

Json ParseFile(const std::string& path) {
  std::optional<std::string> bytes = ReadFile(path);
  REQUIRE(bytes.has_value());
  return Json::parse(*bytes);
}

// Every memhook handler of a hooks file: "event|matcher|command|timeout".
std::vector<std::string> MemhookHandlers(const Json& root) {
  std::vector<std::string> found;
  if (!root.contains("hooks")) return found;
  for (auto event = root["hooks"].begin(); event != root["hooks"].end(); ++event) {
    if (!event->is_array()) continue;
    for (const Json& group : *event) {
      if (!group.is_object() || !group.contains("hooks")) continue;
      for (const Json& handler : group["hooks"]) {
        std::string command = handler.value("command", "");
        if (command.find("memhook") == std::string::npos) continue;
        // PreToolUse of Bash runs memhook-front, beside memhook (checked
        // on its own where it matters).
        const size_t front = command.find("memhook-front");
        if (front != std::string::npos) command.erase(front + 7, 6);
        found.push_back(event.key() + "|" + group.value("matcher", "-") + "|" + command + "|" +
                        std::to_string(handler.value("timeout", 0)));
      }
    }
  }
  return found;
}

// Applies a unified diff to `old_text` (the test's own reading of the
// format, to check UnifiedDiff's hunks describe the change).
std::string ApplyDiff(const std::string& old_text, const std::string& diff) {
  std::vector<std::string> old_lines;  // each with its '\n' if it had one
  for (size_t pos = 0; pos < old_text.size();) {
    size_t nl = old_text.find('\n', pos);
    size_t end = nl == std::string::npos ? old_text.size() : nl + 1;
    old_lines.push_back(old_text.substr(pos, end - pos));
    pos = end;
  }
  std::vector<std::string> diff_lines;
  for (size_t pos = 0; pos < diff.size();) {
    size_t nl = diff.find('\n', pos);
    REQUIRE(nl != std::string::npos);
    diff_lines.push_back(diff.substr(pos, nl - pos));
    pos = nl + 1;
  }
  REQUIRE(diff_lines.size() >= 2);
  REQUIRE(diff_lines[0].rfind("--- ", 0) == 0);
  REQUIRE(diff_lines[1].rfind("+++ ", 0) == 0);
  std::string out;
  size_t copied = 0;  // old lines consumed
  for (size_t k = 2; k < diff_lines.size();) {
    const std::string& header = diff_lines[k];
    REQUIRE(header.rfind("@@ -", 0) == 0);
    size_t old_start = std::stoul(header.substr(4));
    size_t comma = header.find(',');
    size_t space = header.find(' ', 4);
    size_t old_count =
        comma != std::string::npos && comma < space ? std::stoul(header.substr(comma + 1)) : 1;
    size_t first = old_count == 0 ? old_start : old_start - 1;
    REQUIRE(first >= copied);
    for (; copied < first; ++copied) out += old_lines[copied];
    for (++k; k < diff_lines.size() && diff_lines[k].rfind("@@", 0) != 0; ++k) {
      const std::string& line = diff_lines[k];
      const bool no_newline =
          k + 1 < diff_lines.size() && diff_lines[k + 1] == "\\ No newline at end of file";
      const std::string text = line.substr(1) + (no_newline ? "" : "\n");
      if (line[0] == ' ' || line[0] == '-') {
        REQUIRE(copied < old_lines.size());
        CHECK(old_lines[copied] == text);
        ++copied;
      }
      if (line[0] == ' ' || line[0] == '+') out += text;
      if (no_newline) ++k;
    }
  }
  for (; copied < old_lines.size(); ++copied) out += old_lines[copied];
  return out;
}

// ---------------------------------------------------------------------------
// Real-world-looking Claude Code settings files.

struct Sample {
  const char* name;
  std::string bytes;
};

std::vector<Sample> ClaudeSamples() {
  const std::string permissions = R"js({
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "permissions": {
    "allow": [
      "Bash(npm run lint)",
      "Bash(npm run test:*)",
      "Read(~/.zshrc)"
    ],
    "deny": [
      "Bash(curl:*)",
      "Read(./.env)",
      "Read(./secrets/**)"
    ],
    "defaultMode": "acceptEdits"
  },
  "env": {
    "CLAUDE_CODE_ENABLE_TELEMETRY": "0",
    "OTEL_METRICS_EXPORTER": "otlp"
  },
  "model": "claude-sonnet-4-5",
  "includeCoAuthoredBy": false,
  "cleanupPeriodDays": 20
}
)js";
  std::string crlf;
  for (char c : permissions) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  return {
      {"permissions, env, model", permissions},
      {"other hooks on the same events and matchers", R"js({
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [
          {
            "type": "command",
            "command": "~/.claude/hooks/branch-guard.sh"
          }
        ]
      },
      {
        "matcher": "Edit|Write",
        "hooks": [
          {
            "type": "command",
            "command": "python3 \"$CLAUDE_PROJECT_DIR\"/.claude/hooks/protect.py",
            "timeout": 10
          }
        ]
      }
    ],
    "PostToolUse": [
      {
        "matcher": "Write|Edit",
        "hooks": [
          {
            "type": "command",
            "command": "npx prettier --write \"$(jq -r .tool_input.file_path)\""
          }
        ]
      }
    ],
    "Stop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "notify-send 'Claude is done'"
          }
        ]
      }
    ],
    "Notification": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "say hi"
          }
        ]
      }
    ]
  },
  "statusLine": {
    "type": "command",
    "command": "~/.claude/statusline.sh",
    "padding": 0
  }
}
)js"},
      {"one line, no final newline",
       R"js({"model":"opus","permissions":{"allow":["Bash(git status)","Bash(git diff:*)"]},"hooks":{"SessionStart":[{"matcher":"startup","hooks":[{"type":"command","command":"cat ~/ctx.md"}]}]}})js"},
      {"tabs",
       "{\n\t\"permissions\": {\n\t\t\"allow\": [\n\t\t\t\"WebFetch(domain:docs.rs)\"\n"
       "\t\t],\n\t\t\"additionalDirectories\": [\"../docs/\"]\n\t},\n\t\"hooks\": {\n"
       "\t\t\"PreToolUse\": [\n\t\t\t{\"matcher\": \"Bash\", \"hooks\": [{\"type\": "
       "\"command\", \"command\": \"rtk-rewrite\"}]}\n\t\t]\n\t},\n"
       "\t\"outputStyle\": \"Explanatory\"\n}\n"},
      {"CRLF line ends", crlf},
      {"unicode", R"js({
  "env": {
    "GREETING": "héllo wörld ✓ 日本語 🚀",
    "ESCAPED": "caf\u00e9 \ud83d\ude80 \"quoted\" \\ back",
    "ЯЗЫК": "русский"
  },
  "spinnerTipsEnabled": false
}
)js"},
      {"unknown keys and numbers", R"js({
  "feedbackSurveyState": {"lastShownTime": 1754089004345},
  "x-team-policy": {
    "ratio": 0.75,
    "big": 12345678901234567890,
    "negative": -42,
    "tiny": 1e-07,
    "list": [1, [2, [3]], null, true, {"deep": {"deeper": []}}]
  },
  "apiKeyHelper": "/bin/generate_temp_api_key.sh",
  "forceLoginMethod": "claudeai",
  "enabledPlugins": {"formatter@acme-tools": true}
}
)js"},
      {"empty file", ""},
      {"empty object", "{}\n"},
      {"empty hooks object and a BOM",
       "\xEF\xBB\xBF{\n  \"hooks\": {},\n  \"disableAllHooks\": false\n}\n"},
      {"a hooks value memhook does not write",
       R"js({"hooks": {"Notification": 5, "PreCompact": []}, "theme": "dark"})js"},
  };
}

const char* const kClaudeEvents[] = {"PreToolUse",   "PostToolUse",  "UserPromptSubmit", "Stop",
                                     "SubagentStop", "SessionStart", "SessionEnd"};

}  // namespace

// ---------------------------------------------------------------------------
// Arguments.

TEST_CASE("arguments: agents, scope, dry run; usage errors exit 2") {
  Sandbox box;
  Result r = Run(box.env, {"install"});
  CHECK(r.status == 2);
  CHECK(r.err.find("name the agent") != std::string::npos);
  CHECK(r.err.find("usage: memhook install") != std::string::npos);

  r = Run(box.env, {"install", "gemini"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown agent 'gemini'") != std::string::npos);
  r = Run(box.env, {"uninstall", "claude", "--frobnicate"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown option '--frobnicate'") != std::string::npos);
  r = Run(box.env, {"install", "claude", "--scope", "global"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown scope 'global'") != std::string::npos);
  r = Run(box.env, {"install", "claude", "--scope"});
  CHECK(r.status == 2);
  CHECK(!Exists(box.env.home + "/.claude"));

  r = Run(box.env, {"install", "--help"});
  CHECK(r.status == 0);
  CHECK(r.out == memhook::interceptor::InstallUsage());

  memhook::interceptor::InstallRequest request;
  REQUIRE(memhook::interceptor::ParseInstallArgs({"all", "--scope=project", "--dry-run", "codex"},
                                                 true, &request)
              .ok());
  CHECK(request.uninstall);
  CHECK(request.dry_run);
  CHECK(request.scope == memhook::interceptor::InstallScope::kProject);
  REQUIRE(request.agents.size() == 2);
  CHECK(request.agents[0] == memhook::interceptor::Agent::kClaude);
  CHECK(request.agents[1] == memhook::interceptor::Agent::kCodex);
}

// ---------------------------------------------------------------------------
// Claude Code.

TEST_CASE("claude: a fresh install creates settings.json with every handler") {
  Sandbox box;
  Result r = Run(box.env, {"install", "claude"});
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out == "memhook: installed Claude Code hooks in " + box.ClaudeUser() + " (new file)\n");
  const std::string memhook = box.env.memhook_path;
  const std::string expected =
      "{\n  \"hooks\": {\n    \"PreToolUse\": [\n      {\n"
      "        \"matcher\": \"Bash\",\n        \"hooks\": [\n"
      "          {\n            \"type\": \"command\",\n"
      "            \"command\": \"" +
      memhook +
      "-front hook\",\n            \"timeout\": 30\n          }\n        ]\n"
      "      },\n      {\n        \"matcher\": "
      "\"Read|Write|Edit|MultiEdit\",\n";
  std::optional<std::string> text = ReadFile(box.ClaudeUser());
  REQUIRE(text.has_value());
  CHECK(text->substr(0, expected.size()) == expected);
  CHECK(text->back() == '\n');

  const Json root = ParseFile(box.ClaudeUser());
  const std::vector<std::string> handlers = MemhookHandlers(root);
  const std::string hook = memhook + " hook|30";
  CHECK(handlers == std::vector<std::string>{
                        "PreToolUse|Bash|" + hook,
                        "PreToolUse|Read|Write|Edit|MultiEdit|" + hook,
                        "PostToolUse|*|" + hook,
                        "UserPromptSubmit|-|" + hook,
                        "Stop|-|" + hook,
                        "SubagentStop|-|" + hook,
                        "SessionStart|-|" + hook,
                        "SessionEnd|-|" + hook,
                    });
  // The events in a stable order, nothing else at the top level.
  std::vector<std::string> events;
  for (auto it = root["hooks"].begin(); it != root["hooks"].end(); ++it) events.push_back(it.key());
  CHECK(events == std::vector<std::string>(std::begin(kClaudeEvents), std::end(kClaudeEvents)));
  CHECK(root.size() == 1);
  CHECK(!Exists(box.ClaudeUser() + ".memhook-backup"));
}

TEST_CASE("claude: a second install writes nothing (same inode and mtime)") {
  Sandbox box;
  REQUIRE(Run(box.env, {"install", "claude"}).status == 0);
  const std::string before = *ReadFile(box.ClaudeUser());
  const FileId id = IdOf(box.ClaudeUser());
  usleep(20000);  // a rewrite would show in the mtime
  Result r = Run(box.env, {"install", "claude"});
  CHECK(r.status == 0);
  CHECK(r.out == "memhook: Claude Code hooks in " + box.ClaudeUser() + " unchanged\n");
  CHECK(*ReadFile(box.ClaudeUser()) == before);
  CHECK(IdOf(box.ClaudeUser()) == id);
}

TEST_CASE("claude: memhook's entries already there in another layout: left alone") {
  Sandbox box;
  REQUIRE(Run(box.env, {"install", "claude"}).status == 0);
  const std::string compact = ParseFile(box.ClaudeUser()).dump();  // one line, no newline
  WriteFile(box.ClaudeUser(), compact);
  Result r = Run(box.env, {"install", "claude"});
  CHECK(r.out == "memhook: Claude Code hooks in " + box.ClaudeUser() + " unchanged\n");
  CHECK(*ReadFile(box.ClaudeUser()) == compact);
}

TEST_CASE("claude: uninstall removes a file and directory that install created") {
  Sandbox box;
  REQUIRE(Run(box.env, {"install", "claude", "--scope", "project"}).status == 0);
  REQUIRE(Exists(box.ClaudeProject()));
  Result r = Run(box.env, {"uninstall", "claude", "--scope", "project"});
  CHECK(r.status == 0);
  CHECK(r.out == "memhook: removed " + box.ClaudeProject() + " (it held only Claude Code hooks)\n");
  CHECK(!Exists(box.ClaudeProject()));
  CHECK(!Exists(box.env.cwd + "/.claude"));
  CHECK(Exists(box.env.cwd));
  // Nothing left to remove: said so, nothing created.
  r = Run(box.env, {"uninstall", "claude", "--scope", "project"});
  CHECK(r.status == 0);
  CHECK(r.out == "memhook: no Claude Code hooks in " + box.ClaudeProject() + "\n");
  CHECK(!Exists(box.env.cwd + "/.claude"));
}

TEST_CASE("claude: a .claude directory with other files stays") {
  Sandbox box;
  WriteFile(box.env.home + "/.claude/CLAUDE.md", "# mine\n");
  REQUIRE(Run(box.env, {"install", "claude"}).status == 0);
  REQUIRE(Run(box.env, {"uninstall", "claude"}).status == 0);
  CHECK(!Exists(box.ClaudeUser()));
  CHECK(*ReadFile(box.env.home + "/.claude/CLAUDE.md") == "# mine\n");
}

TEST_CASE("claude: install -> uninstall restores real-world files byte for byte") {
  for (const Sample& sample : ClaudeSamples()) {
    CAPTURE(sample.name);
    Sandbox box;
    const std::string path = box.ClaudeProject();
    WriteFile(path, sample.bytes);
    Json original_root;
    if (!sample.bytes.empty()) original_root = Json::parse(sample.bytes);

    Result r = Run(box.env, {"install", "claude", "--scope", "project"});
    REQUIRE(r.status == 0);
    CHECK(r.out == "memhook: installed Claude Code hooks in " + path + " (backup: " + path +
                       ".memhook-backup)\n");
    CHECK(*ReadFile(path + ".memhook-backup") == sample.bytes);

    // The user's keys, values and order are all there; only memhook added.
    const Json installed = ParseFile(path);
    CHECK(MemhookHandlers(installed).size() == 8);
    if (original_root.is_object()) {
      auto it = installed.begin();
      for (auto want = original_root.begin(); want != original_root.end(); ++want, ++it) {
        REQUIRE(it != installed.end());
        CHECK(it.key() == want.key());
        if (want.key() != "hooks") CHECK(*it == *want);
      }
      if (original_root.contains("hooks") && original_root["hooks"].is_object()) {
        for (auto event = original_root["hooks"].begin(); event != original_root["hooks"].end();
             ++event) {
          const Json& now = installed["hooks"][event.key()];
          if (!event->is_array()) {
            CHECK(now == *event);
            continue;
          }
          // The user's groups first, unchanged; memhook's after them.
          REQUIRE(now.size() >= event->size());
          for (size_t g = 0; g < event->size(); ++g) CHECK(now[g] == (*event)[g]);
        }
      }
    }

    // Idempotent: nothing written the second time.
    const std::string after_install = *ReadFile(path);
    const FileId id = IdOf(path);
    r = Run(box.env, {"install", "claude", "--scope", "project"});
    CHECK(r.out.find("unchanged") != std::string::npos);
    CHECK(*ReadFile(path) == after_install);
    CHECK(IdOf(path) == id);

    r = Run(box.env, {"uninstall", "claude", "--scope", "project"});
    REQUIRE(r.status == 0);
    CHECK(r.out == "memhook: removed Claude Code hooks from " + path + " (restored " + path +
                       ".memhook-backup)\n");
    CHECK(*ReadFile(path) == sample.bytes);
    CHECK(!Exists(path + ".memhook-backup"));
  }
}

TEST_CASE("claude: other hooks on the same events and matchers keep their place") {
  Sandbox box;
  const std::string path = box.ClaudeUser();
  WriteFile(path, ClaudeSamples()[1].bytes);
  REQUIRE(Run(box.env, {"install", "claude"}).status == 0);
  const Json root = ParseFile(path);
  const Json& pre = root["hooks"]["PreToolUse"];
  REQUIRE(pre.size() == 4);
  CHECK(pre[0]["hooks"][0]["command"] == "~/.claude/hooks/branch-guard.sh");
  CHECK(pre[1]["matcher"] == "Edit|Write");
  CHECK(pre[2]["matcher"] == "Bash");
  CHECK(pre[2]["hooks"].size() == 1);
  CHECK(pre[3]["matcher"] == "Read|Write|Edit|MultiEdit");
  CHECK(root["hooks"]["Stop"].size() == 2);
  CHECK(root["hooks"]["Stop"][0]["hooks"][0]["command"] == "notify-send 'Claude is done'");
  CHECK(root["hooks"]["Notification"][0]["hooks"][0]["command"] == "say hi");
  CHECK(root["statusLine"]["padding"] == 0);
  // "hooks" keeps its place before "statusLine"; new events come last.
  CHECK(root.begin().key() == "hooks");
  std::vector<std::string> events;
  for (auto it = root["hooks"].begin(); it != root["hooks"].end(); ++it) events.push_back(it.key());
  CHECK(events == std::vector<std::string>{"PreToolUse", "PostToolUse", "Stop", "Notification",
                                           "UserPromptSubmit", "SubagentStop", "SessionStart",
                                           "SessionEnd"});
}

TEST_CASE("claude: a new binary path updates memhook's handlers in place") {
  Sandbox box;
  const std::string path = box.ClaudeUser();
  const std::string original = ClaudeSamples()[1].bytes;
  WriteFile(path, original);
  REQUIRE(Run(box.env, {"install", "claude"}).status == 0);
  const Json first = ParseFile(path);

  InstallEnv moved = box.env;
  moved.memhook_path = box.tmp.path() + "/usr/local/bin/memhook";
  Result r = Run(moved, {"install", "claude"});
  REQUIRE(r.status == 0);
  CHECK(r.out == "memhook: installed Claude Code hooks in " + path + " (backup: " + path +
                     ".memhook-backup)\n");
  const Json second = ParseFile(path);
  const std::vector<std::string> handlers = MemhookHandlers(second);
  REQUIRE(handlers.size() == 8);
  for (const std::string& handler : handlers) {
    CHECK(handler.find(moved.memhook_path + " hook|30") != std::string::npos);
  }
  // Same shape: only the commands changed.
  std::string a = first.dump(), b = second.dump();
  for (size_t pos; (pos = a.find(box.env.memhook_path)) != std::string::npos;) {
    a.replace(pos, box.env.memhook_path.size(), moved.memhook_path);
  }
  CHECK(a == b);
  CHECK(*ReadFile(path + ".memhook-backup") == original);
  // Uninstall still gives back the original bytes.
  REQUIRE(Run(moved, {"uninstall", "claude"}).status == 0);
  CHECK(*ReadFile(path) == original);
}

TEST_CASE("claude: entries written by hand (old README) are updated, not duplicated") {
  Sandbox box;
  const std::string path = box.ClaudeUser();
  WriteFile(path, R"js({"hooks":{
  "PreToolUse":[
    {"matcher":"Bash","hooks":[{"type":"command","command":"guard.sh"},{"type":"command","command":"/old/memhook hook","timeout":30}]},
    {"matcher":"Read|Write|Edit|MultiEdit","hooks":[{"type":"command","command":"/old/memhook hook","timeout":30}]}],
  "PostToolUse":[
    {"matcher":"Write|Edit|MultiEdit","hooks":[{"type":"command","command":"/old/memhook hook","timeout":30}]}]}})js");
  Result r = Run(box.env, {"install", "claude"});
  REQUIRE(r.status == 0);
  // The file already held memhook: it is not a pre-memhook original.
  CHECK(r.out == "memhook: installed Claude Code hooks in " + path + "\n");
  CHECK(!Exists(path + ".memhook-backup"));
  Json root = ParseFile(path);
  CHECK(MemhookHandlers(root).size() == 8);
  const Json& bash = root["hooks"]["PreToolUse"][0];
  REQUIRE(bash["hooks"].size() == 2);
  CHECK(bash["hooks"][0]["command"] == "guard.sh");
  CHECK(bash["hooks"][1]["command"] == box.env.memhook_path + "-front hook");
  REQUIRE(root["hooks"]["PostToolUse"].size() == 1);
  CHECK(root["hooks"]["PostToolUse"][0]["matcher"] == "*");

  REQUIRE(Run(box.env, {"uninstall", "claude"}).status == 0);
  root = ParseFile(path);
  CHECK(MemhookHandlers(root).empty());
  CHECK(root == Json::parse(R"js({"hooks":{"PreToolUse":[
      {"matcher":"Bash","hooks":[{"type":"command","command":"guard.sh"}]}]}})js"));
}

TEST_CASE("claude: a file changed after install loses only memhook's entries") {
  Sandbox box;
  const std::string path = box.ClaudeProject();
  const std::string original = ClaudeSamples()[0].bytes;
  WriteFile(path, original);
  REQUIRE(Run(box.env, {"install", "claude", "--scope", "project"}).status == 0);
  Json edited = ParseFile(path);
  edited["theme"] = "dark";
  WriteFile(path, edited.dump(4));
  Result r = Run(box.env, {"uninstall", "claude", "--scope", "project"});
  REQUIRE(r.status == 0);
  CHECK(r.out == "memhook: removed Claude Code hooks from " + path +
                     " (the file changed since install; backup kept: " + path +
                     ".memhook-backup)\n");
  Json expected = Json::parse(original);
  expected["theme"] = "dark";
  CHECK(*ReadFile(path) == expected.dump(2) + "\n");  // no "hooks" left: memhook made it
  CHECK(*ReadFile(path + ".memhook-backup") == original);

  // A file memhook created keeps what the user added to it.
  Sandbox fresh;
  REQUIRE(Run(fresh.env, {"install", "claude", "--scope", "project"}).status == 0);
  edited = ParseFile(fresh.ClaudeProject());
  edited["model"] = "opus";
  WriteFile(fresh.ClaudeProject(), edited.dump(2) + "\n");
  REQUIRE(Run(fresh.env, {"uninstall", "claude", "--scope", "project"}).status == 0);
  CHECK(*ReadFile(fresh.ClaudeProject()) == "{\n  \"model\": \"opus\"\n}\n");
}

TEST_CASE("claude: an empty array the user had stays after memhook's entries leave") {
  Sandbox box;
  const std::string path = box.ClaudeUser();
  WriteFile(path, R"js({"hooks": {"Stop": []}})js");
  REQUIRE(Run(box.env, {"install", "claude"}).status == 0);
  Json edited = ParseFile(path);
  edited["model"] = "haiku";  // changed since install: the strip path
  WriteFile(path, edited.dump(2));
  REQUIRE(Run(box.env, {"uninstall", "claude"}).status == 0);
  CHECK(ParseFile(path) == Json::parse(R"js({"hooks": {"Stop": []}, "model": "haiku"})js"));
}

TEST_CASE("claude: malformed JSON or wrong types: status 1, the file named, nothing changed") {
  struct Case {
    const char* bytes;
    const char* message;
  };
  const Case cases[] = {
      {"{\"permissions\": {\"allow\": [\"Bash(ls)\",]}}\n",
       "not valid JSON (parse error at line 1"},
      {"// my settings\n{\"model\": \"opus\"}\n",
       "not valid JSON (parse error at line 1, column 1"},
      {"{\"model\": \"opus\"\n", "not valid JSON (parse error at line 2"},
      {"[1, 2]\n", "the top level is array, not a JSON object"},
      {"{\"hooks\": []}\n", "\"hooks\" is array, not an object"},
      {"{\"hooks\": {\"PreToolUse\": {\"matcher\": \"Bash\"}}}\n",
       "\"hooks\".PreToolUse is object, not an array"},
      {"{\"hooks\": {\"SessionEnd\": \"memhook hook\"}}\n",
       "\"hooks\".SessionEnd is string, not an array"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.bytes);
    Sandbox box;
    const std::string path = box.ClaudeProject();
    WriteFile(path, c.bytes);
    const FileId id = IdOf(path);
    for (const char* verb : {"install", "uninstall"}) {
      Result r = Run(box.env, {verb, "all", "--scope", "project"});
      CHECK(r.status == 1);
      CHECK(r.out.empty());
      CHECK(r.err.find("memhook: " + path + ": ") == 0);
      CHECK(r.err.find(c.message) != std::string::npos);
      CHECK(r.err.find("; nothing changed\n") != std::string::npos);
      CHECK(*ReadFile(path) == c.bytes);
      CHECK(IdOf(path) == id);
      CHECK(!Exists(path + ".memhook-backup"));
      // `all`: the Codex files were planned too, and not written either.
      CHECK(!Exists(box.env.cwd + "/.codex"));
      CHECK(!Exists(box.NoteProject()));
    }
  }
}

TEST_CASE("claude: the file's mode is kept, backup included") {
  Sandbox box;
  const std::string path = box.ClaudeUser();
  WriteFile(path, ClaudeSamples()[0].bytes);
  REQUIRE(chmod(path.c_str(), 0600) == 0);
  REQUIRE(Run(box.env, {"install", "claude"}).status == 0);
  CHECK(IdOf(path).mode == 0600);
  CHECK(IdOf(path + ".memhook-backup").mode == 0600);
  REQUIRE(chmod(path.c_str(), 0640) == 0);
  REQUIRE(Run(box.env, {"uninstall", "claude"}).status == 0);
  CHECK(IdOf(path).mode == 0640);
  CHECK(*ReadFile(path) == ClaudeSamples()[0].bytes);
}

TEST_CASE("claude: a symlinked settings.json is written through its link") {
  Sandbox box;
  const std::string real = box.tmp.path() + "/dotfiles/claude-settings.json";
  WriteFile(real, ClaudeSamples()[2].bytes);
  fs::create_directories(box.env.home + "/.claude");
  fs::create_symlink(real, box.ClaudeUser());
  REQUIRE(Run(box.env, {"install", "claude"}).status == 0);
  CHECK(fs::is_symlink(box.ClaudeUser()));
  CHECK(MemhookHandlers(ParseFile(real)).size() == 8);
  CHECK(*ReadFile(box.ClaudeUser() + ".memhook-backup") == ClaudeSamples()[2].bytes);
  REQUIRE(Run(box.env, {"uninstall", "claude"}).status == 0);
  CHECK(fs::is_symlink(box.ClaudeUser()));
  CHECK(*ReadFile(real) == ClaudeSamples()[2].bytes);
}

TEST_CASE("claude: paths with spaces and quotes are quoted for the shell and recognised") {
  for (const char* binary : {"opt/my tools/memhook", "opt/it's here/memhook"}) {
    CAPTURE(binary);
    Sandbox box("home dir", binary);
    REQUIRE(Run(box.env, {"install", "claude"}).status == 0);
    const Json root = ParseFile(box.ClaudeUser());
    const std::string bash_command = root["hooks"]["PreToolUse"][0]["hooks"][0]["command"];
    CHECK(bash_command.front() == '\'');
    CHECK(bash_command.find("/memhook-front' hook") != std::string::npos);
    const std::string command = root["hooks"]["PreToolUse"][1]["hooks"][0]["command"];
    CHECK(command.front() == '\'');
    CHECK(command.find("/memhook-front' hook") != std::string::npos);
    // The shell runs exactly that binary with the argument `hook`.
    const std::string record = box.tmp.path() + "/ran";
    const std::string front = box.env.memhook_path + "-front";
    WriteFile(front, "#!/bin/sh\nprintf '%s|' \"$0\" \"$@\" > '" + record + "'\n");
    REQUIRE(chmod(front.c_str(), 0755) == 0);
    const std::string shell = "/bin/sh -c " + memhook::interceptor::ShellQuote(command);
    REQUIRE(std::system(shell.c_str()) == 0);
    CHECK(*ReadFile(record) == front + "|hook|");
    // Recognised as memhook's: a reinstall changes nothing, uninstall removes it.
    Result r = Run(box.env, {"install", "claude"});
    CHECK(r.out.find("unchanged") != std::string::npos);
    REQUIRE(Run(box.env, {"uninstall", "claude"}).status == 0);
    CHECK(!Exists(box.ClaudeUser()));
  }
}

TEST_CASE("claude: CLAUDE_CONFIG_DIR moves the user settings") {
  Sandbox box;
  box.env.claude_config_dir = box.tmp.path() + "/claude-config";
  Result r = Run(box.env, {"install", "claude"});
  REQUIRE(r.status == 0);
  CHECK(Exists(box.env.claude_config_dir + "/settings.json"));
  CHECK(!Exists(box.env.home + "/.claude"));
}

TEST_CASE("claude: memhook in both scopes, or beside the plugin, is warned about") {
  Sandbox box;
  Result r = Run(box.env, {"install", "claude"});
  REQUIRE(r.status == 0);
  CHECK(r.out.find("warning") == std::string::npos);
  r = Run(box.env, {"install", "claude", "--scope", "project"});
  REQUIRE(r.status == 0);
  CHECK(r.out.find("memhook: warning: " + box.ClaudeUser() + " registers memhook too") !=
        std::string::npos);

  Sandbox plugin;
  WriteFile(plugin.ClaudeUser(), R"js({"enabledPlugins": {"memhook@local": true}})js");
  r = Run(plugin.env, {"install", "claude"});
  REQUIRE(r.status == 0);
  CHECK(r.out.find("memhook: warning: " + plugin.ClaudeUser() + " enables the memhook plugin") !=
        std::string::npos);
}

// ---------------------------------------------------------------------------
// --dry-run.

TEST_CASE("dry run: prints a unified diff per file and changes nothing") {
  Sandbox box;
  const std::string path = box.ClaudeProject();
  const std::string original = ClaudeSamples()[0].bytes;
  WriteFile(path, original);
  const FileId id = IdOf(path);
  Result r = Run(box.env, {"install", "all", "--scope", "project", "--dry-run"});
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("--- " + path + "\n+++ " + path + "\n@@ -") == 0);
  CHECK(r.out.find("+            \"command\": \"" + box.env.memhook_path + "-front hook\",\n") !=
        std::string::npos);
  CHECK(r.out.find("--- /dev/null\n+++ " + box.CodexProject() + "\n@@ -0,0 +1,") !=
        std::string::npos);
  CHECK(r.out.find("--- /dev/null\n+++ " + box.NoteProject() + "\n@@ -0,0 +1,") !=
        std::string::npos);
  CHECK(r.out.find("memhook: would install Claude Code hooks in " + path + " (backup: ") !=
        std::string::npos);
  CHECK(r.out.find("memhook: would install Codex hooks in " + box.CodexProject() +
                   " (new file)\n") != std::string::npos);
  CHECK(*ReadFile(path) == original);
  CHECK(IdOf(path) == id);
  CHECK(!Exists(path + ".memhook-backup"));
  CHECK(!Exists(box.env.cwd + "/.codex"));
  CHECK(!Exists(box.NoteProject()));

  // The diff is exactly the change the real install makes.
  const std::string diff = r.out.substr(0, r.out.find("--- /dev/null"));
  REQUIRE(Run(box.env, {"install", "claude", "--scope", "project"}).status == 0);
  CHECK(ApplyDiff(original, diff) == *ReadFile(path));

  // Uninstall's dry run: nothing changes either.
  const std::string installed = *ReadFile(path);
  r = Run(box.env, {"uninstall", "claude", "--scope", "project", "--dry-run"});
  REQUIRE(r.status == 0);
  CHECK(r.out.find("memhook: would remove Claude Code hooks from " + path + " (restored ") !=
        std::string::npos);
  CHECK(ApplyDiff(installed, r.out.substr(0, r.out.find("memhook: "))) == original);
  CHECK(*ReadFile(path) == installed);
  CHECK(Exists(path + ".memhook-backup"));

  // A file uninstall would delete: "+++ /dev/null".
  Sandbox fresh;
  REQUIRE(Run(fresh.env, {"install", "claude"}).status == 0);
  r = Run(fresh.env, {"uninstall", "claude", "--dry-run"});
  CHECK(r.out.find("--- " + fresh.ClaudeUser() + "\n+++ /dev/null\n@@ -1,") == 0);
  CHECK(Exists(fresh.ClaudeUser()));
  // Nothing to do: no diff at all.
  r = Run(fresh.env, {"install", "claude", "--dry-run"});
  CHECK(r.out == "memhook: Claude Code hooks in " + fresh.ClaudeUser() + " unchanged\n");
}

// ---------------------------------------------------------------------------
// Codex.

TEST_CASE("codex: hooks.json and the AGENTS.md block; unchanged files are not rewritten") {
  Sandbox box;
  box.env.codex_home = box.tmp.path() + "/codex home";
  const std::string hooks = box.env.codex_home + "/hooks.json";
  const std::string note = box.env.codex_home + "/AGENTS.md";
  Result r = Run(box.env, {"install", "codex"});
  REQUIRE(r.status == 0);
  CHECK(r.out.find("memhook: installed Codex hooks in " + hooks + " (new file)\n") == 0);
  CHECK(r.out.find("memhook: installed the memory note in " + note + " (new file)\n") !=
        std::string::npos);
  CHECK(r.out.find("open /hooks in Codex") != std::string::npos);

  const std::string hook = box.env.memhook_path + " hook --codex";
  CHECK(MemhookHandlers(ParseFile(hooks)) == std::vector<std::string>{
                                                 "PreToolUse|Bash|" + hook + "|30",
                                                 "PostToolUse|-|" + hook + "|30",
                                                 "UserPromptSubmit|-|" + hook + "|30",
                                                 "Stop|-|" + hook + "|30",
                                                 "SubagentStop|-|" + hook + "|30",
                                                 "SessionStart|-|" + hook + "|30",
                                                 "SessionEnd|-|" + hook + "|3",
                                             });
  const std::string text = *ReadFile(note);
  CHECK(text.find("<!-- memhook:begin -->\n") == 0);
  CHECK(EndsWith(text, "<!-- memhook:end -->\n"));
  for (const char* needle : {"`/", "/.memhook/memory`", "grep -rn", "memhook run", "memhook undo",
                             "index.md", "sessions/<YYYY-MM>/<id>.jsonl", "summaries/"}) {
    CHECK(text.find(needle) != std::string::npos);
  }
  CHECK(text.find(box.env.mount) != std::string::npos);

  const FileId hooks_id = IdOf(hooks), note_id = IdOf(note);
  usleep(20000);
  r = Run(box.env, {"install", "codex"});
  CHECK(r.status == 0);
  CHECK(r.out == "memhook: Codex hooks in " + hooks + " unchanged\nmemhook: the memory note in " +
                     note + " unchanged\n");
  CHECK(IdOf(hooks) == hooks_id);
  CHECK(IdOf(note) == note_id);

  r = Run(box.env, {"uninstall", "codex"});
  REQUIRE(r.status == 0);
  CHECK(!Exists(hooks));
  CHECK(!Exists(note));
  CHECK(!Exists(box.env.codex_home));
}

TEST_CASE("codex: install -> uninstall restores real-world files byte for byte") {
  const std::string hooks_samples[] = {
      R"js({
  "hooks": {
    "SessionStart": [
      {
        "matcher": "startup|resume",
        "hooks": [
          {
            "type": "command",
            "command": "python3 ~/.codex/hooks/session_start.py",
            "statusMessage": "Loading session notes"
          }
        ]
      }
    ],
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [
          {
            "type": "command",
            "command": "/usr/bin/python3 \"$(git rev-parse --show-toplevel)/.codex/hooks/pre_tool_use_policy.py\"",
            "statusMessage": "Checking Bash command"
          }
        ]
      }
    ],
    "Stop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "python3 ~/.codex/hooks/stop_continue.py",
            "timeout": 30
          }
        ]
      }
    ]
  }
}
)js",
      "{\"hooks\":{\"PostToolUse\":[{\"matcher\":\"Bash|apply_patch\",\"hooks\":[{\"type\":"
      "\"command\",\"command\":\"curl -s -m 2 http://127.0.0.1:8045/event "
      "&\",\"timeout\":5}]}]}}",
  };
  const std::string note_samples[] = {
      "# AGENTS.md\n\n## Build\n\n- `cargo build --workspace`\n- Run `just fmt` before "
      "committing.\n\n## Conventions\n\nPrefer small PRs. Ünïcödé is fine.\n",
      "Use pnpm, not npm.",  // no final newline
      "# Rules\r\n\r\n- Never push to main.\r\n",
      "",
  };
  for (size_t i = 0; i < std::size(note_samples); ++i) {
    CAPTURE(i);
    Sandbox box;
    const std::string& hooks_original = hooks_samples[i % std::size(hooks_samples)];
    WriteFile(box.CodexProject(), hooks_original);
    WriteFile(box.NoteProject(), note_samples[i]);
    REQUIRE(Run(box.env, {"install", "codex", "--scope", "project"}).status == 0);
    const std::string note = *ReadFile(box.NoteProject());
    CHECK(note.find(note_samples[i]) == 0);
    CHECK(note.find("<!-- memhook:begin -->") != std::string::npos);
    if (note_samples[i].find("\r\n") != std::string::npos) {
      CHECK(note.find("<!-- memhook:begin -->\r\n## Memory (memhook)\r\n") != std::string::npos);
    }
    CHECK(MemhookHandlers(ParseFile(box.CodexProject())).size() == 7);
    Result r = Run(box.env, {"install", "codex", "--scope", "project"});
    CHECK(r.out.find("installed") == std::string::npos);
    REQUIRE(Run(box.env, {"uninstall", "codex", "--scope", "project"}).status == 0);
    CHECK(*ReadFile(box.CodexProject()) == hooks_original);
    CHECK(*ReadFile(box.NoteProject()) == note_samples[i]);
    CHECK(!Exists(box.NoteProject() + ".memhook-backup"));
    CHECK(!Exists(box.CodexProject() + ".memhook-backup"));
  }
}

TEST_CASE("codex: the AGENTS.md block is replaced in place and removed on uninstall") {
  Sandbox box;
  const std::string path = box.NoteProject();
  WriteFile(path, "# Project\n\nRun make.\n");
  REQUIRE(Run(box.env, {"install", "codex", "--scope", "project"}).status == 0);
  std::string text = *ReadFile(path);
  const size_t begin = text.find("<!-- memhook:begin -->");
  REQUIRE(begin == std::string("# Project\n\nRun make.\n\n").size());
  // The user moves the block to the top and writes below it.
  std::string block = text.substr(begin);
  WriteFile(path, block + "# Project\n\nRun make.\nRun tests.\n");

  InstallEnv moved = box.env;
  moved.mount = box.tmp.path() + "/elsewhere/memory";
  Result r = Run(moved, {"install", "codex", "--scope", "project"});
  REQUIRE(r.status == 0);
  CHECK(r.out.find("memhook: installed the memory note in " + path + " (backup: ") !=
        std::string::npos);
  text = *ReadFile(path);
  CHECK(text.find("<!-- memhook:begin -->") == 0);
  CHECK(text.find(moved.mount) != std::string::npos);
  CHECK(text.find(box.env.mount + "`") == std::string::npos);
  CHECK(EndsWith(text, "<!-- memhook:end -->\n# Project\n\nRun make.\nRun tests.\n"));
  CHECK(std::count(text.begin(), text.end(), '<') == 4);  // one block (two markers, two <id>s)

  REQUIRE(Run(moved, {"uninstall", "codex", "--scope", "project"}).status == 0);
  CHECK(*ReadFile(path) == "# Project\n\nRun make.\nRun tests.\n");
}

TEST_CASE("codex: an AGENTS.md memhook created goes; the project directory stays") {
  Sandbox box;
  REQUIRE(Run(box.env, {"install", "codex", "--scope", "project"}).status == 0);
  REQUIRE(Exists(box.NoteProject()));
  // A blank line added by the user is not content worth keeping.
  WriteFile(box.NoteProject(), *ReadFile(box.NoteProject()) + "\n");
  Result r = Run(box.env, {"uninstall", "codex", "--scope", "project"});
  REQUIRE(r.status == 0);
  CHECK(r.out.find("memhook: removed " + box.NoteProject() + " (it held only the memory note)") !=
        std::string::npos);
  CHECK(!Exists(box.NoteProject()));
  CHECK(!Exists(box.env.cwd + "/.codex"));
  CHECK(fs::is_directory(box.env.cwd));
}

TEST_CASE("codex: an unterminated memhook block is refused") {
  Sandbox box;
  WriteFile(box.NoteProject(), "# x\n<!-- memhook:begin -->\nhalf a block\n");
  Result r = Run(box.env, {"install", "codex", "--scope", "project"});
  CHECK(r.status == 1);
  CHECK(r.err.find(box.NoteProject() + ": a \"<!-- memhook:begin -->\" line has no") !=
        std::string::npos);
  CHECK(!Exists(box.CodexProject()));
}

// ---------------------------------------------------------------------------
// The Claude Code plugin at the repository root.

TEST_CASE("plugin: hooks/hooks.json registers what `memhook install claude` does") {
  const fs::path root = fs::path(__FILE__).parent_path().parent_path();
  const Json manifest = ParseFile((root / ".claude-plugin" / "plugin.json").string());
  CHECK(manifest["name"] == "memhook");
  const Json plugin = ParseFile((root / "hooks" / "hooks.json").string());

  Sandbox box("home", "memhook-bin/memhook");
  REQUIRE(Run(box.env, {"install", "claude"}).status == 0);
  std::string installed = ParseFile(box.ClaudeUser()).dump();
  const std::string plugin_front = "\\\"${CLAUDE_PLUGIN_ROOT}/bin/memhook-front\\\"";
  for (size_t pos; (pos = installed.find(box.env.memhook_path + "-front")) != std::string::npos;) {
    installed.replace(pos, box.env.memhook_path.size() + 6, plugin_front);
  }
  const std::string plugin_command = "\\\"${CLAUDE_PLUGIN_ROOT}/bin/memhook\\\"";
  for (size_t pos; (pos = installed.find(box.env.memhook_path)) != std::string::npos;) {
    installed.replace(pos, box.env.memhook_path.size(), plugin_command);
  }
  CHECK(plugin.dump() == installed);
}

// ---------------------------------------------------------------------------
// The unified diff.

TEST_CASE("diff: GNU diff -u's hunks") {
  CHECK(UnifiedDiff("same\n", "same\n", "a", "b").empty());
  CHECK(UnifiedDiff("a\nb\nc\n", "a\nB\nc\n", "x", "y") ==
        "--- x\n+++ y\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
  CHECK(UnifiedDiff("", "x\ny\n", "/dev/null", "f") ==
        "--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+x\n+y\n");
  CHECK(UnifiedDiff("x\n", "", "f", "/dev/null") == "--- f\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n");
  CHECK(UnifiedDiff("a", "b", "x", "y") ==
        "--- x\n+++ y\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n"
        "\\ No newline at end of file\n");
  CHECK(UnifiedDiff("a\nb", "a\nb\n", "x", "y") ==
        "--- x\n+++ y\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
  // Two changes far apart: two hunks; close together: one.
  std::string old_text, far, near;
  for (int i = 1; i <= 20; ++i) {
    old_text += std::to_string(i) + "\n";
    far += (i == 2 || i == 18 ? "x" : std::to_string(i)) + "\n";
    near += (i == 2 || i == 9 ? "x" : std::to_string(i)) + "\n";
  }
  CHECK(UnifiedDiff(old_text, far, "a", "b") ==
        "--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+x\n 3\n 4\n 5\n"
        "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+x\n 19\n 20\n");
  CHECK(UnifiedDiff(old_text, near, "a", "b") ==
        "--- a\n+++ b\n@@ -1,12 +1,12 @@\n 1\n-2\n+x\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+x\n 10\n 11\n"
        " 12\n");
  // Insertion in the middle: the old range starts at the line before.
  CHECK(UnifiedDiff("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nnew\n5\n6\n7\n8\n", "a", "b") ==
        "--- a\n+++ b\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+new\n 5\n 6\n 7\n");
}

TEST_CASE("diff: applying the hunks to the old text gives the new one (random texts)") {
  std::mt19937 random(12345);
  const char* const words[] = {"a", "b", "c", "{", "}", "  \"x\": 1,", ""};
  for (int round = 0; round < 300; ++round) {
    CAPTURE(round);
    auto make = [&]() {
      std::string text;
      const int lines = static_cast<int>(random() % 30);
      for (int i = 0; i < lines; ++i) text += std::string(words[random() % 7]) + "\n";
      if (random() % 4 == 0 && !text.empty()) text.pop_back();
      return text;
    };
    const std::string a = make();
    std::string b = a;
    if (random() % 2) b = make();
    // Small edits of a, like the installer's.
    for (int k = static_cast<int>(random() % 4); k > 0; --k) {
      size_t at = b.empty() ? 0 : random() % b.size();
      if (random() % 2) {
        b.insert(at, std::string(words[random() % 7]) + "\n");
      } else if (!b.empty()) {
        b.erase(at, 1 + random() % 3);
      }
    }
    const std::string diff = UnifiedDiff(a, b, "a", "b");
    if (a == b) {
      CHECK(diff.empty());
    } else {
      CHECK(ApplyDiff(a, diff) == b);
    }
  }
}
