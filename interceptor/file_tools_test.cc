// The agent's file tools on memory paths: real PreToolUse / PostToolUse
// requests through HandleHook, against a temporary store and spool
// directory, with the staged file changed in between as the tool would.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interceptor/hook.h"
#include "vfs/vfs.h"

namespace fs = std::filesystem;
using memhook::interceptor::Config;
using memhook::interceptor::HandleHook;
using memhook::interceptor::HookOutput;
using nlohmann::json;

namespace {

constexpr char kSession[] = "5f0c6a3e-1b2d-4c5e-8f90-0123456789ab";

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/memhook-file-tools-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

Config TestConfig(const TempDir& dir) {
  Config config;
  config.home = dir.path.string();
  config.mount = (dir.path / ".memhook" / "memory").string();
  config.db_path = (dir.path / "db.sqlite").string();
  config.spool_dir = (dir.path / "spool").string();
  config.self_path = "/bin/false";
  return config;
}

std::unique_ptr<memhook::vfs::Store> OpenStore(const Config& config) {
  memhook::vfs::Status status;
  auto store = memhook::vfs::OpenSqliteStore(config.db_path, memhook::vfs::StoreOptions{}, &status);
  REQUIRE_MESSAGE(store, status.message());
  return store;
}

void Put(const Config& config, const std::string& path, const std::string& bytes,
         uint32_t mode = 0644, int64_t mtime_ns = 1'700'000'000'123'456'789) {
  auto store = OpenStore(config);
  REQUIRE(store->WriteFile(path, bytes, mode, mtime_ns).ok());
}

std::string Get(const Config& config, const std::string& path) {
  auto store = OpenStore(config);
  std::string bytes;
  memhook::vfs::Status status = store->ReadFile(path, &bytes);
  return status.ok() ? bytes : "<" + status.message() + ">";
}

std::string Slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void Spit(const std::string& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

json Pre(const std::string& tool, json input, const std::string& cwd = "/") {
  json request = json::object();
  request["session_id"] = kSession;
  request["transcript_path"] = "/tmp/t.jsonl";
  request["cwd"] = cwd;
  request["permission_mode"] = "default";
  request["hook_event_name"] = "PreToolUse";
  request["tool_name"] = tool;
  request["tool_input"] = std::move(input);
  request["tool_use_id"] = "toolu_01";
  return request;
}

json Post(const std::string& tool, json input, json response = json::object()) {
  json request = Pre(tool, std::move(input));
  request["hook_event_name"] = "PostToolUse";
  request["tool_response"] = std::move(response);
  return request;
}

HookOutput Run(const json& request, const Config& config) {
  return HandleHook(request.dump(), config);
}

// The hookSpecificOutput of a PreToolUse answer.
json Specific(const HookOutput& out) {
  REQUIRE(out.exit_code == 0);
  REQUIRE_MESSAGE(!out.stdout_text.empty(), out.stderr_text);
  json answer = json::parse(out.stdout_text);
  REQUIRE(answer.contains("hookSpecificOutput"));
  json specific = answer["hookSpecificOutput"];
  CHECK(specific["hookEventName"] == "PreToolUse");
  return specific;
}

// Runs PreToolUse and returns the staged path it points the tool at.
std::string Stage(const std::string& tool, json input, const Config& config,
                  json* specific_out = nullptr) {
  json specific = Specific(Run(Pre(tool, std::move(input)), config));
  REQUIRE(specific.contains("updatedInput"));
  if (specific_out != nullptr) *specific_out = specific;
  return specific["updatedInput"]["file_path"].get<std::string>();
}

std::vector<std::string> RegularFilesBelow(const fs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(root, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename() != ".swept") out.push_back(it->path());
  }
  return out;
}

struct stat Lstat(const std::string& p) {
  struct stat st {};
  REQUIRE(lstat(p.c_str(), &st) == 0);
  return st;
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::vector<memhook::vfs::Store::ChangeRecord> Changes(const Config& config) {
  auto store = OpenStore(config);
  std::vector<memhook::vfs::Store::ChangeRecord> records;
  memhook::vfs::Store::ChangeFilter filter;
  filter.limit = 10'000;
  REQUIRE(store->ListChanges(filter, &records).ok());
  return records;
}

}  // namespace

TEST_CASE("Read materialises the exact bytes and rewrites only file_path") {
  TempDir dir;
  Config config = TestConfig(dir);
  const std::string bytes = std::string("caf\xe9 \xff\xfe\x00 end\n", 13) + "line 2\r\n";
  Put(config, "notes/a.md", bytes);
  json input = {{"file_path", config.mount + "/notes/a.md"},
                {"offset", 2},
                {"limit", 10},
                {"unknown_field", {{"x", 1}}}};
  json specific;
  std::string staged = Stage("Read", input, config, &specific);
  CHECK(specific["permissionDecision"] == "allow");
  CHECK(staged == config.spool_dir + "/files/" + kSession + "/notes/a.md");
  CHECK(Slurp(staged) == bytes);
  json expected = input;
  expected["file_path"] = staged;
  CHECK(specific["updatedInput"] == expected);
  // The staging area is private, and the copy carries the store's mtime.
  CHECK((Lstat(config.spool_dir + "/files").st_mode & 0777) == 0700);
  CHECK((Lstat(config.spool_dir + "/files/" + kSession + "/notes").st_mode & 0777) == 0700);
  CHECK(MtimeNs(Lstat(staged)) == 1'700'000'000'123'456'789);
}

TEST_CASE("the same memory path twice: same staged path, file untouched") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "a.txt", "hello\n");
  json input = {{"file_path", config.mount + "/a.txt"}};
  std::string first = Stage("Read", input, config);
  struct stat before = Lstat(first);
  // Lexical resolution: `..`, `.` and a path relative to the request's cwd.
  std::string second = Stage("Read", {{"file_path", config.mount + "/x/.././a.txt"}}, config);
  json relative = Pre("Read", {{"file_path", "memory/a.txt"}}, config.home + "/.memhook");
  std::string third = Specific(Run(relative, config))["updatedInput"]["file_path"];
  CHECK(first == second);
  CHECK(first == third);
  struct stat after = Lstat(first);
  CHECK(after.st_ino == before.st_ino);
  CHECK(MtimeNs(after) == MtimeNs(before));
  CHECK(after.st_ctim.tv_sec == before.st_ctim.tv_sec);
  CHECK(after.st_ctim.tv_nsec == before.st_ctim.tv_nsec);

  // A change in the store is a new file with a later mtime: the agent sees
  // "modified since read", as on disk.
  Put(config, "a.txt", "changed\n", 0644, 1'600'000'000'000'000'000);
  std::string again = Stage("Read", input, config);
  CHECK(again == first);
  CHECK(Slurp(again) == "changed\n");
  CHECK(MtimeNs(Lstat(again)) > MtimeNs(after));
}

TEST_CASE("Edit: Pre stages, the tool edits, Post imports as one change") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "notes/a.md", "old text\n", 0640);
  json input = {{"file_path", config.mount + "/notes/a.md"},
                {"old_string", "old"},
                {"new_string", "new"},
                {"replace_all", false}};
  json specific;
  std::string staged = Stage("Edit", input, config, &specific);
  CHECK_FALSE(specific.contains("permissionDecision"));  // the user's permission flow decides
  CHECK(Slurp(staged) == "old text\n");
  Spit(staged, "new text\n");  // what the tool does
  int64_t edited_mtime = MtimeNs(Lstat(staged));

  json updated = specific["updatedInput"];
  HookOutput out =
      Run(Post("Edit", updated, {{"filePath", staged}, {"oldString", "old"}, {"newString", "new"}}),
          config);
  CHECK(out.exit_code == 0);
  CHECK(out.stdout_text.empty());
  CHECK(out.stderr_text.empty());
  CHECK(Get(config, "notes/a.md") == "new text\n");
  CHECK_FALSE(fs::exists(staged));
  {
    auto store = OpenStore(config);
    memhook::vfs::Stat st;
    REQUIRE(store->GetStat("notes/a.md", &st).ok());
    CHECK(st.mode == 0640);  // the memory file's mode, not the staged copy's
    CHECK(st.mtime_ns == edited_mtime);
  }
  auto changes = Changes(config);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].info.command == "Edit notes/a.md");
  CHECK(changes[0].info.origin == "Edit");
  CHECK(changes[0].info.session_id == kSession);
  CHECK(changes[0].paths == std::vector<std::string>{"notes/a.md"});

  // The next Edit finds the file as the agent last saw it: same bytes, same
  // mtime, so Claude's "modified since read" check passes.
  std::string restaged = Stage("Edit", input, config);
  CHECK(restaged == staged);
  CHECK(Slurp(restaged) == "new text\n");
  CHECK(MtimeNs(Lstat(restaged)) == edited_mtime);
}

TEST_CASE("MultiEdit keeps its edits and is imported") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "m.md", "a b c\n");
  json edits = json::array({{{"old_string", "a"}, {"new_string", "A"}},
                            {{"old_string", "c"}, {"new_string", "C"}, {"replace_all", true}}});
  json input = {{"file_path", config.mount + "/m.md"}, {"edits", edits}};
  json specific;
  std::string staged = Stage("MultiEdit", input, config, &specific);
  CHECK_FALSE(specific.contains("permissionDecision"));
  CHECK(specific["updatedInput"]["edits"] == edits);
  Spit(staged, "A b C\n");
  HookOutput out = Run(Post("MultiEdit", specific["updatedInput"]), config);
  CHECK(out.exit_code == 0);
  CHECK(Get(config, "m.md") == "A b C\n");
  CHECK_FALSE(fs::exists(staged));
}

TEST_CASE("Write of a new file in a new directory") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "old.md", "x");
  json input = {{"file_path", config.mount + "/projects/p1/notes.md"}, {"content", "fresh\n"}};
  json specific;
  std::string staged = Stage("Write", input, config, &specific);
  CHECK_FALSE(specific.contains("permissionDecision"));
  CHECK(specific["updatedInput"]["content"] == "fresh\n");
  CHECK_FALSE(fs::exists(staged));                          // a new file: the tool creates it
  CHECK(fs::is_directory(fs::path(staged).parent_path()));  // in its parent, as on disk
  Spit(staged, "fresh\n");
  HookOutput out = Run(Post("Write", specific["updatedInput"],
                            {{"type", "create"}, {"filePath", staged}, {"content", "fresh\n"}}),
                       config);
  CHECK(out.exit_code == 0);
  CHECK(out.stderr_text.empty());
  CHECK(Get(config, "projects/p1/notes.md") == "fresh\n");
  auto store = OpenStore(config);
  memhook::vfs::Stat st;
  REQUIRE(store->GetStat("projects/p1", &st).ok());
  CHECK(st.kind == memhook::vfs::NodeKind::kDirectory);
  CHECK(RegularFilesBelow(dir.path / "spool" / "files").empty());
}

TEST_CASE("Write over an existing file materialises it, so the tool demands a prior Read") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "w.md", "current\n");
  std::string staged =
      Stage("Write", {{"file_path", config.mount + "/w.md"}, {"content", "replaced\n"}}, config);
  CHECK(Slurp(staged) == "current\n");
}

TEST_CASE("Edit or Write into a memory path whose staged copy is stale") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "gone.md", "soon gone\n");
  std::string staged = Stage("Read", {{"file_path", config.mount + "/gone.md"}}, config);
  REQUIRE(fs::exists(staged));
  {
    auto store = OpenStore(config);
    REQUIRE(store->Remove("gone.md").ok());
  }
  // The memory file is gone: so is the staged copy, and the Edit fails on
  // a missing file as it would on disk.
  std::string edited = Stage(
      "Edit", {{"file_path", config.mount + "/gone.md"}, {"old_string", "a"}, {"new_string", "b"}},
      config);
  CHECK(edited == staged);
  CHECK_FALSE(fs::exists(staged));
}

TEST_CASE("Read of a missing file or a directory gives the tool's own error") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "notes/a.md", "a\n");
  // Neither exists on disk either (the mount is virtual): pass-through, so
  // the tool's "does not exist" names the path the agent asked for.
  HookOutput missing = Run(Pre("Read", {{"file_path", config.mount + "/notes/nope.md"}}), config);
  CHECK(missing.exit_code == 0);
  CHECK(missing.stdout_text.empty());
  // A memory directory that is not on disk: an empty staged directory
  // stands in, on which Read fails with "is a directory".
  std::string staged = Stage("Read", {{"file_path", config.mount + "/notes"}}, config);
  CHECK(fs::is_directory(staged));
  CHECK(fs::is_empty(staged));
  // A stale real file on disk where the memory has nothing is not read.
  fs::create_directories(config.mount);
  Spit(config.mount + "/stale.md", "stale\n");
  std::string shadow = Stage("Read", {{"file_path", config.mount + "/stale.md"}}, config);
  CHECK_FALSE(fs::exists(shadow));
  // The store does not exist at all: nothing is in the memory.
  Config empty = TestConfig(dir);
  empty.db_path = (dir.path / "none.sqlite").string();
  HookOutput none = Run(Pre("Read", {{"file_path", empty.mount + "/a.md"}}), empty);
  CHECK(none.stdout_text.empty());
  CHECK_FALSE(fs::exists(empty.db_path));
}

TEST_CASE("paths outside the mount and other tools: no output, no store, no staging") {
  TempDir dir;
  Config config = TestConfig(dir);
  // A store that cannot be opened: the hook must not try.
  Spit(config.db_path, "not a database");
  for (const char* tool : {"Read", "Write", "Edit", "MultiEdit"}) {
    for (const std::string& path :
         {std::string("/etc/hostname"), config.home + "/.memhook/memoryx/a.md",
          config.home + "/.memhook/a.md", std::string("relative/a.md"),
          std::string("~/.memhook/memory/a.md")}) {
      HookOutput out = Run(Pre(tool, {{"file_path", path}, {"content", "x"}}), config);
      CHECK(out.exit_code == 0);
      CHECK(out.stdout_text.empty());
      CHECK(out.stderr_text.empty());
      out = Run(Post(tool, {{"file_path", path}}), config);
      CHECK(out.exit_code == 0);
      CHECK(out.stdout_text.empty());
      CHECK(out.stderr_text.empty());
    }
  }
  for (const char* tool : {"Grep", "Glob", "NotebookEdit", "WebFetch"}) {
    HookOutput out = Run(Pre(tool, {{"file_path", config.mount + "/a.md"},
                                    {"path", config.mount},
                                    {"notebook_path", config.mount + "/n.ipynb"}}),
                         config);
    CHECK(out.stdout_text.empty());
    CHECK(out.stderr_text.empty());
  }
  // Inputs of the wrong shape.
  for (json input : {json(nullptr), json("x"), json::object(), json{{"file_path", 3}}}) {
    HookOutput out = Run(Pre("Read", input), config);
    CHECK(out.stdout_text.empty());
    CHECK(out.exit_code == 0);
  }
  CHECK_FALSE(fs::exists(config.spool_dir));
}

TEST_CASE("malformed JSON is a non-blocking error") {
  TempDir dir;
  Config config = TestConfig(dir);
  for (const char* request : {"{", "", "[1,2]", "{\"tool_name\": \"Read\", "}) {
    HookOutput out = HandleHook(request, config);
    CHECK(out.exit_code == 1);
    CHECK(out.stdout_text.empty());
    CHECK(out.stderr_text.rfind("memhook: ", 0) == 0);
    CHECK(out.stderr_text.find('\n') == out.stderr_text.size() - 1);
  }
}

TEST_CASE("PostToolUse ignores paths that are not staged files of ours") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "a.md", "a\n");
  std::string staged = Stage("Edit", {{"file_path", config.mount + "/a.md"}}, config);
  Spit(staged, "edited\n");
  const std::string files = config.spool_dir + "/files";
  for (const std::string& path :
       {std::string("/etc/passwd"), files + "/" + kSession + "/../../../db.sqlite",
        files + "/" + kSession, files + "/../" + kSession + "/a.md", files + "/.swept",
        files + "/../files2/" + kSession + "/a.md"}) {
    HookOutput out = Run(Post("Edit", {{"file_path", path}}), config);
    CHECK(out.exit_code == 0);
    CHECK(out.stdout_text.empty());
    CHECK(out.stderr_text.empty());
  }
  CHECK(Get(config, "a.md") == "a\n");
  CHECK(Changes(config).empty());
  // A Read is never imported, and neither is a failed tool's file.
  CHECK(Run(Post("Read", {{"file_path", staged}}), config).stdout_text.empty());
  HookOutput failed = Run(Post("Edit", {{"file_path", staged}}, {{"success", false}}), config);
  CHECK(failed.exit_code == 0);
  CHECK(Get(config, "a.md") == "a\n");
  // The memory path itself (should the original input reach PostToolUse)
  // finds the same staged file.
  HookOutput out = Run(Post("Edit", {{"file_path", config.mount + "/a.md"}}), config);
  CHECK(out.exit_code == 0);
  CHECK(Get(config, "a.md") == "edited\n");
}

TEST_CASE("an unchanged staged file records nothing") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "u.md", "same\n");
  std::string staged = Stage("Edit", {{"file_path", config.mount + "/u.md"}}, config);
  HookOutput out = Run(Post("Edit", {{"file_path", staged}}), config);
  CHECK(out.exit_code == 0);
  CHECK(Changes(config).empty());
  CHECK_FALSE(fs::exists(staged));
}

TEST_CASE("a staged file that is gone or not a regular file is an error") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "a.md", "a\n");
  std::string staged = Stage("Edit", {{"file_path", config.mount + "/a.md"}}, config);
  fs::remove(staged);
  HookOutput out = Run(Post("Edit", {{"file_path", staged}}), config);
  CHECK(out.exit_code == 1);
  CHECK(out.stdout_text.empty());
  CHECK(out.stderr_text.find("not saved to the memory") != std::string::npos);
  // A symlink planted at the staged path is not followed.
  Spit((dir.path / "secret").string(), "secret\n");
  fs::create_symlink(dir.path / "secret", staged);
  out = Run(Post("Edit", {{"file_path", staged}}), config);
  CHECK(out.exit_code == 1);
  CHECK(Get(config, "a.md") == "a\n");
}

TEST_CASE("symlinks planted in the staging area are never followed") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "notes/a.md", "memory\n");
  Stage("Read", {{"file_path", config.mount + "/notes/a.md"}}, config);
  const fs::path session = fs::path(config.spool_dir) / "files" / kSession;
  const fs::path outside = dir.path / "outside";
  fs::create_directories(outside);
  Spit((outside / "a.md").string(), "outside\n");
  // A symlinked file: replaced by the materialisation, its target untouched.
  fs::remove(session / "notes" / "a.md");
  fs::create_symlink(outside / "a.md", session / "notes" / "a.md");
  std::string staged = Stage("Read", {{"file_path", config.mount + "/notes/a.md"}}, config);
  CHECK_FALSE(fs::is_symlink(staged));
  CHECK(Slurp(staged) == "memory\n");
  CHECK(Slurp((outside / "a.md").string()) == "outside\n");
  // A symlinked directory: replaced by a real one.
  fs::remove_all(session / "notes");
  fs::create_directory_symlink(outside, session / "notes");
  staged = Stage("Edit", {{"file_path", config.mount + "/notes/a.md"}}, config);
  CHECK_FALSE(fs::is_symlink(session / "notes"));
  CHECK(Slurp(staged) == "memory\n");
  CHECK(Slurp((outside / "a.md").string()) == "outside\n");
  // PostToolUse through a symlinked directory imports nothing.
  fs::remove_all(session / "notes");
  fs::create_directory_symlink(outside, session / "notes");
  HookOutput out =
      Run(Post("Edit", {{"file_path", (session / "notes" / "a.md").string()}}), config);
  CHECK(out.exit_code == 1);
  CHECK(Get(config, "notes/a.md") == "memory\n");
}

TEST_CASE("the staging directory must be private") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "a.md", "a\n");
  fs::create_directories(config.spool_dir);
  chmod(config.spool_dir.c_str(), 0755);
  Stage("Read", {{"file_path", config.mount + "/a.md"}}, config);
  CHECK((Lstat(config.spool_dir).st_mode & 0777) == 0700);
  // A symlink in place of the spool directory: refused, with the reason.
  fs::remove_all(config.spool_dir);
  fs::create_directory_symlink(dir.path, config.spool_dir);
  HookOutput out = Run(Pre("Read", {{"file_path", config.mount + "/a.md"}}), config);
  json specific = Specific(out);
  CHECK(specific["permissionDecision"] == "deny");
  CHECK(specific["permissionDecisionReason"].get<std::string>().find("private") !=
        std::string::npos);
}

TEST_CASE("1,000 edit cycles leave no staging file behind") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "log.md", "0\n");
  std::string expected = "0\n";
  for (int i = 1; i <= 1000; ++i) {
    std::string name = i % 2 == 0 ? "log.md" : "dir" + std::to_string(i % 7) + "/n.md";
    json input = {
        {"file_path", config.mount + "/" + name}, {"old_string", "x"}, {"new_string", "y"}};
    std::string staged = Stage(i % 3 == 0 ? "Write" : "Edit", input, config);
    std::string content = std::to_string(i) + "\n";
    Spit(staged, content);
    HookOutput out = Run(Post(i % 3 == 0 ? "Write" : "Edit", {{"file_path", staged}}), config);
    REQUIRE_MESSAGE(out.exit_code == 0, out.stderr_text);
    if (name == "log.md") expected = content;
  }
  CHECK(Get(config, "log.md") == expected);
  CHECK(RegularFilesBelow(fs::path(config.spool_dir) / "files").empty());
  CHECK(fs::is_empty(fs::path(config.spool_dir) / "files" / kSession));
}

TEST_CASE("Bash requests still reach the Bash hook") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "a.md", "a\n");
  json request = Pre("Bash", {{"command", "cat " + config.mount + "/a.md"}});
  json specific = Specific(Run(request, config));
  CHECK(specific["updatedInput"]["command"].get<std::string>().find("printf") != std::string::npos);
  // PostToolUse of Bash is not ours to answer.
  HookOutput out = Run(Post("Bash", {{"command", "cat " + config.mount + "/a.md"}}), config);
  CHECK(out.stdout_text.empty());
}

TEST_CASE("session ids that are not plain names are hashed into one") {
  TempDir dir;
  Config config = TestConfig(dir);
  Put(config, "a.md", "a\n");
  for (const std::string& id : {std::string("../../etc"), std::string(""), std::string(".swept"),
                                std::string("a/b"), std::string(300, 'x')}) {
    json request = Pre("Edit", {{"file_path", config.mount + "/a.md"}});
    request["session_id"] = id;
    std::string staged = Specific(Run(request, config))["updatedInput"]["file_path"];
    fs::path session = fs::path(staged).parent_path();
    CHECK(session.parent_path() == fs::path(config.spool_dir) / "files");
    CHECK(session.filename().string().size() == 17);
    CHECK(session.filename().string()[0] == '_');
    Spit(staged, "edited by " + id.substr(0, 10) + "\n");
    json post = Post("Edit", {{"file_path", staged}});
    post["session_id"] = id;
    HookOutput out = Run(post, config);
    CHECK(out.exit_code == 0);
    CHECK(Get(config, "a.md") == "edited by " + id.substr(0, 10) + "\n");
  }
  // A path with a NUL byte names no file: not ours.
  HookOutput out =
      Run(Pre("Read", {{"file_path", config.mount + std::string("/a.md\0/x", 8)}}), config);
  CHECK(out.stdout_text.empty());
}
