// The hook server (interceptor/server.h) behind memhook-front: every answer
// it gives is the one `memhook hook` gives in a process of its own (the
// front's environment, working directory and stdio travel with the
// request); it is never trusted or used when it should not be (turned off,
// dead, from an older binary); it goes away by itself; it answers a
// session event before capturing it.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using memhook::testing::ProcResult;

namespace {

std::string EnvPath(const char* name) {
  const char* path = std::getenv(name);
  REQUIRE_MESSAGE(path != nullptr, name << " must be set");
  return path;
}

// Whether `done()` becomes true within `seconds` (polled).
bool Eventually(const std::function<bool()>& done, int seconds = 10) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return done();
}

struct Sandbox {
  memhook::testing::TempDir temp{"memhook-server"};
  fs::path home = temp.path() / "home";
  fs::path run = temp.path() / "run";
  fs::path spool = run / ("memhook-" + std::to_string(geteuid()));
  std::string memhook = EnvPath("MEMHOOK_BIN");
  std::string front = EnvPath("MEMHOOK_FRONT_BIN");
  std::vector<std::string> env;

  Sandbox() {
    fs::create_directories(home);
    fs::create_directories(run);
    env = {"PATH=/usr/bin:/bin",
           "LC_ALL=C.UTF-8",
           "TZ=UTC",
           "HOME=" + home.string(),
           "XDG_RUNTIME_DIR=" + run.string(),
           "XDG_DATA_HOME=" + (temp.path() / "data").string(),
           "XDG_STATE_HOME=" + (temp.path() / "state").string(),
           "MEMHOOK_SUMMARIZE=0"};
    ProcResult imported = Run(memhook, {"import", EnvPath("CORPUS_TREE")}, "");
    REQUIRE_MESSAGE(imported.status == 0, imported.err);
  }
  ~Sandbox() {
    for (pid_t pid : ServerProcesses()) kill(pid, SIGKILL);
  }

  ProcResult Run(const std::string& program, const std::vector<std::string>& args,
                 const std::string& input, const std::vector<std::string>& extra_env = {},
                 const std::string& cwd = "") const {
    memhook::testing::ExecSpec spec;
    spec.program = program;
    spec.argv = {program};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    std::vector<std::string> all = env;
    all.insert(all.end(), extra_env.begin(), extra_env.end());
    spec.env = &all;
    spec.cwd = cwd;
    spec.stdin_data = input;
    return memhook::testing::RunProcess(spec);
  }

  // Runs copies of the binaries (a test may change them on disk).
  void UseCopies() {
    const fs::path bin = temp.path() / "bin";
    fs::create_directories(bin);
    fs::copy_file(memhook, bin / "memhook");
    fs::copy_file(front, bin / "memhook-front");
    memhook = (bin / "memhook").string();
    front = (bin / "memhook-front").string();
  }

  // From now on only the server can answer: memhook cannot be exec'ed (its
  // identity, inode and mtime, is unchanged), so a front that does not
  // reach the server fails with status 2.
  void ServerOnly() const { REQUIRE(chmod(memhook.c_str(), 0644) == 0); }

  // The hook servers started for this sandbox (their environment names its
  // runtime directory); not their standby children.
  std::vector<pid_t> Servers() const {
    std::vector<pid_t> all = ServerProcesses(), roots;
    for (pid_t pid : all) {
      const std::string stat = memhook::testing::Slurp("/proc/" + std::to_string(pid) + "/stat");
      const size_t close = stat.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream fields(stat.substr(close + 2));
      std::string state;
      pid_t parent = 0;
      fields >> state >> parent;
      if (std::find(all.begin(), all.end(), parent) == all.end()) roots.push_back(pid);
    }
    return roots;
  }

  // The servers and their children.
  std::vector<pid_t> ServerProcesses() const {
    std::vector<pid_t> pids;
    const std::string mark = "XDG_RUNTIME_DIR=" + run.string();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
      const std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      const std::string cmdline = memhook::testing::Slurp(entry.path() / "cmdline");
      if (cmdline.find(std::string("hook-server")) == std::string::npos) continue;
      std::string environ = memhook::testing::Slurp(entry.path() / "environ");
      for (char& c : environ)
        if (c == '\0') c = '\n';
      if (("\n" + environ).find("\n" + mark + "\n") != std::string::npos)
        pids.push_back(std::stoi(name));
    }
    return pids;
  }

  std::vector<fs::path> Sockets() const {
    std::vector<fs::path> sockets;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(spool, ec))
      if (entry.is_socket()) sockets.push_back(entry.path());
    return sockets;
  }

  // Runs requests through the front until a server answers them.
  void StartServer(const std::vector<std::string>& extra_env = {}) {
    Run(front, {"hook"}, Request("cat ~/.memhook/memory/MEMORY.md"), extra_env);
    REQUIRE(Eventually([&] { return Sockets().size() == 1 && Servers().size() == 1; }));
  }

  static std::string Request(const std::string& command, const std::string& cwd = "/tmp",
                             const std::string& event = "PreToolUse") {
    return nlohmann::json{{"session_id", "server"},   {"transcript_path", "/nonexistent"},
                          {"hook_event_name", event}, {"cwd", cwd},
                          {"tool_name", "Bash"},      {"tool_input", {{"command", command}}}}
        .dump();
  }
};

// A spooled answer names a random token: compare everything else.
std::string WithoutSpoolToken(const std::string& out) {
  nlohmann::json json = nlohmann::json::parse(out, nullptr, false);
  if (json.is_discarded()) return out;
  auto& command = json["hookSpecificOutput"]["updatedInput"]["command"];
  if (command.is_string())
    command = std::regex_replace(command.get<std::string>(), std::regex("replay [0-9a-f]{32}"),
                                 "replay <token>");
  return json.dump();
}

void CheckSameAnswer(const ProcResult& served, const ProcResult& alone) {
  CHECK(served.status == alone.status);
  CHECK(WithoutSpoolToken(served.out) == WithoutSpoolToken(alone.out));
  CHECK(served.err == alone.err);
}

TEST_CASE("through the server, every answer is memhook hook's own") {
  Sandbox box;
  box.UseCopies();
  box.StartServer();
  const std::vector<std::string> requests = {
      Sandbox::Request("cat ~/.memhook/memory/MEMORY.md"),
      Sandbox::Request("ls -la ~/.memhook/memory | head -3"),
      Sandbox::Request("grep -rn memory ~/.memhook/memory | sort | head -5; echo $?"),
      Sandbox::Request("for f in ~/.memhook/memory/*.md; do wc -l \"$f\"; done"),
      Sandbox::Request("cat ~/.memhook/memory/missing.md"),
      Sandbox::Request("echo x > ~/.memhook/memory/new.md"),          // a write: memhook run
      Sandbox::Request("cat ~/.memhook/memory/MEMORY.md | python3"),  // a host program
      Sandbox::Request("seq 1 300000 | sed -n '$p'; cat ~/.memhook/memory/MEMORY.md"),
      Sandbox::Request("yes ~/.memhook/memory | head -c 9000000"),  // spooled while it runs
      Sandbox::Request("ls -l ~/.memhook/memory/notes", "/tmp", "PreToolUse"),
      Sandbox::Request("git status"),  // passed by the front itself
      Sandbox::Request("cat memory/MEMORY.md", "/home/nobody/.memhook"),
      R"({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": )",  // malformed
      "[]",
      nlohmann::json{{"hook_event_name", "SessionStart"},
                     {"session_id", "s"},
                     {"transcript_path", "/nonexistent"},
                     {"cwd", "/tmp"}}
          .dump(),
  };
  // The environment, the working directory and the umask are the front's:
  // another mount, a database named relative to the working directory.
  const std::vector<std::string> moved = {"MEMHOOK_MOUNT=/srv/mem",
                                          "MEMHOOK_DB=data/memhook/memhook.db"};
  const std::vector<std::string> moved_commands = {"cat /srv/mem/MEMORY.md", "ls /srv/mem | wc -l",
                                                   "cat ~/.memhook/memory/MEMORY.md",
                                                   "echo $MEMHOOK_MOUNT"};
  const std::string cwd = box.temp.path().string();
  std::vector<ProcResult> alone;
  for (const std::string& request : requests)
    alone.push_back(box.Run(box.memhook, {"hook"}, request));
  for (const std::string& command : moved_commands)
    alone.push_back(box.Run(box.memhook, {"hook"}, Sandbox::Request(command), moved, cwd));

  box.ServerOnly();
  for (size_t i = 0; i < requests.size(); ++i) {
    CAPTURE(requests[i]);
    CheckSameAnswer(box.Run(box.front, {"hook"}, requests[i]), alone[i]);
  }
  for (size_t i = 0; i < moved_commands.size(); ++i) {
    CAPTURE(moved_commands[i]);
    CheckSameAnswer(box.Run(box.front, {"hook"}, Sandbox::Request(moved_commands[i]), moved, cwd),
                    alone[requests.size() + i]);
  }
  CHECK(box.Servers().size() == 1);  // all of them through the one server
}

TEST_CASE("many agents at once: each gets its own answer") {
  Sandbox box;
  box.UseCopies();
  box.StartServer();
  std::vector<std::string> commands;
  for (int i = 0; i < 12; ++i)
    commands.push_back("seq " + std::to_string(i) + " | wc -l; head -" + std::to_string(i + 1) +
                       " ~/.memhook/memory/MEMORY.md");
  std::vector<ProcResult> alone;
  for (const std::string& command : commands)
    alone.push_back(box.Run(box.memhook, {"hook"}, Sandbox::Request(command)));
  box.ServerOnly();
  std::vector<ProcResult> served(commands.size() * 4);
  std::vector<std::thread> agents;
  for (size_t t = 0; t < served.size(); ++t) {
    agents.emplace_back([&, t] {
      served[t] = box.Run(box.front, {"hook"}, Sandbox::Request(commands[t % commands.size()]));
    });
  }
  for (std::thread& agent : agents) agent.join();
  for (size_t t = 0; t < served.size(); ++t) {
    CAPTURE(t);
    CheckSameAnswer(served[t], alone[t % commands.size()]);
  }
}

// A standby warms up on the last request's store before its request
// comes; a store whose files were replaced since (a database restored by a
// rename, its WAL gone) must be read anew, never through a connection made
// before.
TEST_CASE("a store replaced under the waiting standbys is read anew") {
  Sandbox box;
  box.UseCopies();
  std::string dbs[2];
  for (int i = 0; i < 2; ++i) {
    const fs::path tree = box.temp.path() / ("tree" + std::to_string(i));
    fs::create_directories(tree);
    std::ofstream(tree / "note.md") << (i == 0 ? "the first store\n" : "the second store\n");
    dbs[i] = (box.temp.path() / ("store" + std::to_string(i) + ".db")).string();
    const ProcResult imported =
        box.Run(box.memhook, {"import", tree.string()}, "", {"MEMHOOK_DB=" + dbs[i]});
    REQUIRE_MESSAGE(imported.status == 0, imported.err);
  }
  // Every standby of this server warms up on the first store.
  const std::vector<std::string> first = {"MEMHOOK_DB=" + dbs[0]};
  box.StartServer(first);
  box.ServerOnly();
  const std::string cat = Sandbox::Request("cat ~/.memhook/memory/note.md");
  for (int i = 0; i < 3; ++i) {
    const ProcResult served = box.Run(box.front, {"hook"}, cat, first);
    REQUIRE(served.status == 0);
    CHECK(served.out.find("the first store") != std::string::npos);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // standbys ready
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(dbs[0] + suffix);
  fs::rename(dbs[1], dbs[0]);
  if (fs::exists(dbs[1] + "-wal")) fs::rename(dbs[1] + "-wal", dbs[0] + "-wal");
  for (int i = 0; i < 3; ++i) {
    const ProcResult served = box.Run(box.front, {"hook"}, cat, first);
    REQUIRE(served.status == 0);
    CHECK(served.out.find("the second store") != std::string::npos);
    CHECK(served.out.find("the first store") == std::string::npos);
  }
}

TEST_CASE("MEMHOOK_SERVER=0: no server is started or used") {
  Sandbox box;
  const std::vector<std::string> off = {"MEMHOOK_SERVER=0"};
  const std::string request = Sandbox::Request("cat ~/.memhook/memory/MEMORY.md");
  for (int i = 0; i < 3; ++i)
    CheckSameAnswer(box.Run(box.front, {"hook"}, request, off),
                    box.Run(box.memhook, {"hook"}, request));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(box.Servers().empty());
  CHECK(box.Sockets().empty());
  // A running server is not used either.
  box.StartServer();
  const fs::path socket = box.Sockets().at(0);
  struct stat before;
  REQUIRE(stat(socket.c_str(), &before) == 0);
  CheckSameAnswer(box.Run(box.front, {"hook"}, request, off),
                  box.Run(box.memhook, {"hook"}, request));
}

TEST_CASE("a dead server's socket, a directory open to others: the front runs memhook itself") {
  Sandbox box;
  box.StartServer();
  const std::string request = Sandbox::Request("wc -l ~/.memhook/memory/MEMORY.md");
  const ProcResult expected = box.Run(box.memhook, {"hook"}, request);
  for (pid_t pid : box.ServerProcesses()) kill(pid, SIGKILL);
  REQUIRE(Eventually([&] { return box.ServerProcesses().empty(); }));
  REQUIRE(box.Sockets().size() == 1);  // left behind: connecting is refused
  CheckSameAnswer(box.Run(box.front, {"hook"}, request), expected);
  // ... and that call started a new server on the same name.
  REQUIRE(Eventually([&] { return box.Servers().size() == 1; }));
  CheckSameAnswer(box.Run(box.front, {"hook"}, request), expected);

  // Another user could have put the socket there: not trusted, not used.
  REQUIRE(chmod(box.spool.c_str(), 0755) == 0);
  const pid_t server = box.Servers().at(0);
  CheckSameAnswer(box.Run(box.front, {"hook"}, request), expected);
  // memhook closes the directory again (the server it starts on the way
  // finds the running one and leaves).
  CHECK(Eventually([&] {
    struct stat st;
    return stat(box.spool.c_str(), &st) == 0 && (st.st_mode & 0777) == 0700;
  }));
  CHECK(Eventually([&] { return box.Servers() == std::vector<pid_t>{server}; }));
}

TEST_CASE("a rebuilt memhook is never served by the server of the old one") {
  Sandbox box;
  box.UseCopies();
  const fs::path bin = box.temp.path() / "bin";
  box.StartServer();
  const pid_t old_server = box.Servers().at(0);
  const fs::path old_socket = box.Sockets().at(0);
  // The binary changes on disk (an upgrade, a rebuild).
  const auto later = fs::last_write_time(bin / "memhook") + std::chrono::seconds(5);
  fs::last_write_time(bin / "memhook", later);
  const std::string request = Sandbox::Request("head -2 ~/.memhook/memory/MEMORY.md");
  CheckSameAnswer(box.Run(box.front, {"hook"}, request), box.Run(box.memhook, {"hook"}, request));
  // The old server notices and leaves, taking its socket along; the new
  // binary's server has another name.
  CHECK(Eventually([&] {
    const std::vector<pid_t> servers = box.Servers();
    return std::find(servers.begin(), servers.end(), old_server) == servers.end();
  }));
  CHECK_FALSE(fs::exists(old_socket));
  CHECK(Eventually([&] { return box.Sockets().size() == 1; }));
  CHECK(box.Sockets().at(0) != old_socket);
}

TEST_CASE("an idle server exits, and one whose directory is gone") {
  Sandbox box;
  box.StartServer({"MEMHOOK_SERVER_IDLE=1"});
  CHECK(Eventually([&] { return box.Servers().empty(); }, 15));
  CHECK(box.Sockets().empty());

  box.StartServer();
  fs::remove_all(box.spool);
  CHECK(Eventually([&] { return box.Servers().empty(); }, 15));
}

TEST_CASE("a killed server leaves no standby behind, and the next call starts a new one") {
  Sandbox box;
  box.StartServer();
  for (int i = 0; i < 3; ++i)  // standbys replaced (50 ms after each answer)
    CHECK(
        box.Run(box.front, {"hook"}, Sandbox::Request("cat ~/.memhook/memory/MEMORY.md")).status ==
        0);
  const std::vector<pid_t> servers = box.Servers();
  REQUIRE(servers.size() == 1);
  CHECK(box.ServerProcesses().size() > 1);  // its standbys
  kill(servers[0], SIGKILL);
  CHECK(Eventually([&] { return box.ServerProcesses().empty(); }));
  const ProcResult answered =
      box.Run(box.front, {"hook"}, Sandbox::Request("cat ~/.memhook/memory/MEMORY.md"));
  CHECK(answered.status == 0);
  CHECK(answered.out.find("updatedInput") != std::string::npos);
  CHECK(Eventually([&] { return box.Servers().size() == 1; }));
}

TEST_CASE("a session event is answered before its transcript is captured") {
  Sandbox box;
  box.StartServer();
  const fs::path transcript = box.temp.path() / "transcript.jsonl";
  std::ofstream(transcript) << R"({"type":"user","message":"hello from the server test"})"
                            << "\n";
  const std::string request = nlohmann::json{
      {"hook_event_name", "UserPromptSubmit"},
      {"session_id", "0a1b-server"},
      {"transcript_path", transcript.string()},
      {"cwd", box.home.string()},
      {"prompt", "hello"}}.dump();
  const ProcResult answered = box.Run(box.front, {"hook"}, request);
  CHECK(answered.status == 0);
  CHECK(answered.out.empty());
  CHECK(answered.err.empty());
  CHECK(Eventually([&] {
    return box.Run(box.memhook, {"run", "-c", "cat ~/.memhook/memory/sessions/*/0a1b-server.jsonl"},
                   "")
               .out.find("hello from the server test") != std::string::npos;
  }));
}

}  // namespace
