// Interceptor tests: the hook protocol and the replay encoding. Every
// encoded answer is executed by real bash and must reproduce stdout, stderr
// and the exit status byte for byte.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "interceptor/hook.h"
#include "vfs/vfs.h"

namespace fs = std::filesystem;
using memhook::fastpath::Answer;
using memhook::interceptor::Config;

namespace {

struct Result {
  std::string out, err;
  int status;
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/memhook-interceptor-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

// Runs `command` with bash -c, stdout and stderr captured separately.
Result Bash(const std::string& command, const fs::path& scratch) {
  std::ofstream(scratch / "cmd.sh", std::ios::binary) << command;
  std::string script = "bash '" + (scratch / "cmd.sh").string() + "' >'" +
                       (scratch / "o").string() + "' 2>'" + (scratch / "e").string() + "'";
  int raw = std::system(script.c_str());
  return {Slurp(scratch / "o"), Slurp(scratch / "e"), WEXITSTATUS(raw)};
}

Config TestConfig(const TempDir& dir) {
  Config config;
  config.home = dir.path.string();
  config.mount = (dir.path / ".memhook" / "memory").string();
  config.db_path = (dir.path / "db.sqlite").string();
  config.spool_dir = (dir.path / "spool").string();
  config.self_path = "/bin/false";  // replay through the binary is tested in tests/
  return config;
}

}  // namespace

TEST_CASE("ShellQuote survives every byte but NUL") {
  TempDir dir;
  std::string all;
  for (int c = 1; c < 256; ++c) all += static_cast<char>(c);
  for (const std::string& text : {std::string("plain"), std::string("it's"), std::string("'''"),
                                  std::string("$HOME `x` \\n \"q\""), all}) {
    Result r = Bash("printf '%s' " + memhook::interceptor::ShellQuote(text), dir.path);
    CHECK(r.out == text);
    CHECK(r.status == 0);
  }
}

TEST_CASE("inline replay reproduces stdout, stderr and status") {
  TempDir dir;
  Config config = TestConfig(dir);
  struct Case {
    std::string out, err;
    int status;
  } cases[] = {{"", "", 0},
               {"hello\n", "", 0},
               {"no newline", "", 0},
               {"", "cat: x: No such file or directory\n", 1},
               {"part\n", "head: cannot open 'y' for reading: No such file or directory\n", 1},
               {"%s %d \\n '\"\n", "", 2},
               {"", "", 126}};
  for (const Case& c : cases) {
    Answer answer;
    answer.out = c.out;
    answer.err = c.err;
    answer.status = c.status;
    std::string command, error;
    REQUIRE(memhook::interceptor::EncodeReplay(answer, config, &command, &error));
    CHECK(command.find("replay") == std::string::npos);
    Result r = Bash(command, dir.path);
    CHECK(r.out == c.out);
    CHECK(r.err == c.err);
    CHECK(r.status == c.status);
  }
}

TEST_CASE("an inline replay command never exceeds the inline limit") {
  TempDir dir;
  Config config = TestConfig(dir);
  for (size_t n : {100u, 1990u, 2100u, 5000u, 7990u, 8100u}) {
    Answer answer;
    answer.out = std::string(n, '\'');
    std::string command, error;
    REQUIRE(memhook::interceptor::EncodeReplay(answer, config, &command, &error));
    bool spooled = command.find(" replay ") != std::string::npos;
    CHECK((spooled || command.size() <= config.inline_limit));
    CHECK(spooled == (4 * n + 12 > config.inline_limit));
  }
}

TEST_CASE("large or binary answers are spooled privately") {
  TempDir dir;
  Config config = TestConfig(dir);
  Answer answer;
  answer.out = std::string(100000, 'x') + std::string("\0nul", 4);
  answer.status = 3;
  std::string command, error;
  REQUIRE(memhook::interceptor::EncodeReplay(answer, config, &command, &error));
  CHECK(command.find(" replay ") != std::string::npos);
  struct stat st;
  REQUIRE(stat(config.spool_dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  int files = 0;
  for (const auto& entry : fs::directory_iterator(config.spool_dir)) {
    ++files;
    CHECK((fs::status(entry).permissions() & fs::perms::others_read) == fs::perms::none);
  }
  CHECK(files == 1);
}

TEST_CASE("answers that are not UTF-8 are spooled byte-exact; UTF-8 ones stay inline") {
  TempDir dir;
  Config config = TestConfig(dir);
  Answer text;
  text.out = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n";
  std::string command, error;
  REQUIRE(memhook::interceptor::EncodeReplay(text, config, &command, &error));
  CHECK(command.find(" replay ") == std::string::npos);
  CHECK(Bash(command, dir.path).out == text.out);
  for (const std::string& bytes :
       {std::string("caf\xe9\n"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
        std::string("\xf4\x90\x80\x80"), std::string("cut \xe2\x82")}) {
    Answer latin;
    latin.out = bytes;
    latin.err = "e\xff\n";
    latin.status = 1;
    REQUIRE(memhook::interceptor::EncodeReplay(latin, config, &command, &error));
    REQUIRE(command.find(" replay ") != std::string::npos);
    const std::string token = command.substr(command.rfind(' ') + 1);
    const std::string spooled = Slurp(fs::path(config.spool_dir) / token);
    CHECK(spooled ==
          "memhook-answer v1\n1 " + std::to_string(bytes.size()) + " 3\n" + bytes + "e\xff\n");
  }
}

TEST_CASE("a spool directory of ours that others may write is made private first") {
  TempDir dir;
  Config config = TestConfig(dir);
  REQUIRE(mkdir(config.spool_dir.c_str(), 0700) == 0);
  REQUIRE(chmod(config.spool_dir.c_str(), 0777) == 0);
  Answer answer;
  answer.out = std::string(20000, 'x');
  std::string command, error;
  REQUIRE(memhook::interceptor::EncodeReplay(answer, config, &command, &error));
  struct stat st;
  REQUIRE(stat(config.spool_dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("the hook protocol") {
  TempDir dir;
  Config config = TestConfig(dir);
  fs::create_directories(dir.path / "src" / "notes");
  std::ofstream(dir.path / "src" / "notes" / "a.md") << "alpha\nbeta\n";
  {
    memhook::vfs::Status status;
    auto store = memhook::vfs::OpenSqliteStore(config.db_path, {}, &status);
    REQUIRE(store != nullptr);
    REQUIRE(memhook::vfs::ImportTree(*store, (dir.path / "src").string(), nullptr).ok());
  }
  auto request = [&](const std::string& command) {
    return nlohmann::json{
        {"session_id", "s"},
        {"transcript_path", "/tmp/t.jsonl"},
        {"cwd", dir.path.string()},
        {"permission_mode", "default"},
        {"hook_event_name", "PreToolUse"},
        {"tool_name", "Bash"},
        {"tool_input", {{"command", command}, {"description", "read a note"}, {"timeout", 5000}}},
        {"tool_use_id", "toolu_1"},
        {"some_future_field", {1, 2}}}
        .dump();
  };

  SUBCASE("pass-through prints nothing") {
    auto out = memhook::interceptor::HandleHook(request("ls /tmp"), config);
    CHECK(out.stdout_text.empty());
    CHECK(out.exit_code == 0);
  }
  SUBCASE("a fast-path read is rewritten, allowed, and keeps every input field") {
    auto out =
        memhook::interceptor::HandleHook(request("head -n 1 ~/.memhook/memory/notes/a.md"), config);
    REQUIRE(out.exit_code == 0);
    auto json = nlohmann::json::parse(out.stdout_text);
    auto& specific = json["hookSpecificOutput"];
    CHECK(specific["hookEventName"] == "PreToolUse");
    CHECK(specific["permissionDecision"] == "allow");
    CHECK(specific["updatedInput"]["description"] == "read a note");
    CHECK(specific["updatedInput"]["timeout"] == 5000);
    Result r = Bash(specific["updatedInput"]["command"].get<std::string>(), dir.path);
    CHECK(r.out == "alpha\n");
    CHECK(r.status == 0);
  }
  SUBCASE("a write is rewritten to memhook run, left to the permission flow, not executed") {
    const std::string write = "echo x > ~/.memhook/memory/notes/b.md";
    auto out = memhook::interceptor::HandleHook(request(write), config);
    REQUIRE(out.exit_code == 0);
    auto json = nlohmann::json::parse(out.stdout_text);
    auto& specific = json["hookSpecificOutput"];
    CHECK_FALSE(specific.contains("permissionDecision"));
    CHECK(specific["permissionDecisionReason"].get<std::string>().find("memhook: run (writes") ==
          0);
    const std::string rewritten = specific["updatedInput"]["command"].get<std::string>();
    CHECK(rewritten == "'/bin/false' run --cwd '" + dir.path.string() + "' --session 's' -c '" +
                           "echo x > ~/.memhook/memory/notes/b.md'");
    CHECK(specific["updatedInput"]["description"] == "read a note");
    memhook::vfs::Status status;
    auto store = memhook::vfs::OpenSqliteStore(config.db_path, {}, &status);
    REQUIRE(store != nullptr);
    memhook::vfs::Stat stat;
    CHECK(store->GetStat("notes/b.md", &stat).IsNotFound());
    CHECK_FALSE(fs::exists(dir.path / ".memhook"));
  }
  SUBCASE("Codex: a write is blocked with the memhook run command to use") {
    nlohmann::json codex = nlohmann::json::parse(request("rm ~/.memhook/memory/notes/a.md"));
    codex["turn_id"] = "turn-1";
    auto out = memhook::interceptor::HandleHook(codex.dump(), config);
    CHECK(out.exit_code == 2);
    CHECK(out.stdout_text.empty());
    CHECK(out.stderr_text.find("writes to the memory") != std::string::npos);
    CHECK(out.stderr_text.find("'/bin/false' run --cwd '" + dir.path.string() + "'") !=
          std::string::npos);
    memhook::vfs::Status status;
    auto store = memhook::vfs::OpenSqliteStore(config.db_path, {}, &status);
    memhook::vfs::Stat stat;
    CHECK(store->GetStat("notes/a.md", &stat).ok());
  }
  SUBCASE("opt-in: writes confined to the memory are allowed, host writes never") {
    config.allow_memory_writes = true;
    auto decision = [&](const std::string& command) {
      auto out = memhook::interceptor::HandleHook(request(command), config);
      auto json = nlohmann::json::parse(out.stdout_text);
      return json["hookSpecificOutput"].value("permissionDecision", "none");
    };
    CHECK(decision("echo x >> ~/.memhook/memory/notes/a.md") == "allow");
    CHECK(decision("mkdir -p ~/.memhook/memory/d && echo y > ~/.memhook/memory/d/y.md") == "allow");
    CHECK(decision("cat ~/.memhook/memory/notes/a.md > " + (dir.path / "out.txt").string()) ==
          "none");
    CHECK(decision("echo x >> ~/.memhook/memory/notes/a.md; python3 -c 1") == "none");
    // The dry run left nothing behind.
    memhook::vfs::Status status;
    auto store = memhook::vfs::OpenSqliteStore(config.db_path, {}, &status);
    std::string bytes;
    REQUIRE(store->ReadFile("notes/a.md", &bytes).ok());
    CHECK(bytes == "alpha\nbeta\n");
    memhook::vfs::Stat stat;
    CHECK(store->GetStat("d", &stat).IsNotFound());
    CHECK_FALSE(fs::exists(dir.path / "out.txt"));
  }
  SUBCASE("other tools and malformed input") {
    nlohmann::json read = nlohmann::json::parse(request("x"));
    read["tool_name"] = "Read";
    CHECK(memhook::interceptor::HandleHook(read.dump(), config).stdout_text.empty());
    auto bad = memhook::interceptor::HandleHook("{not json", config);
    CHECK(bad.exit_code == 1);
    CHECK(bad.stdout_text.empty());
    CHECK(bad.stderr_text.find("memhook: hook failed:") == 0);
    CHECK(memhook::interceptor::HandleHook("[1,2]", config).exit_code == 1);
    CHECK(memhook::interceptor::HandleHook("{}", config).stdout_text.empty());
  }
  SUBCASE("a missing store is a clear error, not a pass-through") {
    config.db_path = (dir.path / "missing.sqlite").string();
    auto out =
        memhook::interceptor::HandleHook(request("cat ~/.memhook/memory/notes/a.md"), config);
    auto json = nlohmann::json::parse(out.stdout_text);
    Result r =
        Bash(json["hookSpecificOutput"]["updatedInput"]["command"].get<std::string>(), dir.path);
    CHECK(r.status == 126);
    CHECK(r.err.find("memhook:") == 0);
    CHECK_FALSE(fs::exists(config.db_path));
  }
}
