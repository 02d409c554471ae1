// End-to-end tests of the `memhook` binary as the agent meets it: large
// answers through the spool, bad input, concurrent writers, and the CLI.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>

namespace fs = std::filesystem;

namespace {

const char* Memhook() {
  const char* path = std::getenv("MEMHOOK_BIN");
  REQUIRE_MESSAGE(path != nullptr, "MEMHOOK_BIN must name the memhook binary");
  return path;
}

struct Result {
  std::string out, err;
  int status = -1;
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct Sandbox {
  fs::path root;
  fs::path home;
  int counter = 0;
  Sandbox() {
    char tmpl[] = "/tmp/memhook-e2e-XXXXXX";
    root = mkdtemp(tmpl);
    home = root / "home";
    fs::create_directories(home);
    fs::create_directories(root / "run");
  }
  ~Sandbox() { fs::remove_all(root); }

  std::string Env() const {
    return "env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 TZ=UTC HOME=" + Quote(home.string()) +
           " MEMHOOK_DB=" + Quote((root / "db.sqlite").string()) +
           " XDG_RUNTIME_DIR=" + Quote((root / "run").string()) + " ";
  }

  // Runs a shell command line with stdin from `input`.
  Result Shell(const std::string& command, const std::string& input = "") {
    int n = ++counter;
    fs::path in = root / ("in" + std::to_string(n)), out = root / ("out" + std::to_string(n)),
             err = root / ("err" + std::to_string(n));
    std::ofstream(in, std::ios::binary) << input;
    std::string line = "(" + command + ") <" + Quote(in.string()) + " >" + Quote(out.string()) +
                       " 2>" + Quote(err.string());
    int raw = std::system(line.c_str());
    Result r{Slurp(out), Slurp(err), WIFEXITED(raw) ? WEXITSTATUS(raw) : -1};
    fs::remove(in);
    fs::remove(out);
    fs::remove(err);
    return r;
  }

  Result Memhook(const std::string& args, const std::string& input = "") {
    return Shell(Env() + Quote(::Memhook()) + " " + args, input);
  }

  std::string Request(const std::string& command) const {
    return nlohmann::json{{"session_id", "e2e"},
                          {"hook_event_name", "PreToolUse"},
                          {"cwd", home.string()},
                          {"tool_name", "Bash"},
                          {"tool_input", {{"command", command}, {"description", "e2e"}}}}
        .dump();
  }

  // The hook, then bash on its rewritten command, as the agent pays it.
  Result AsAgent(const std::string& command) {
    Result hook = Memhook("hook", Request(command));
    REQUIRE(hook.status == 0);
    if (hook.out.empty()) return Shell("cd " + Quote(home.string()) + " && " + command);
    auto json = nlohmann::json::parse(hook.out);
    std::string rewritten = json["hookSpecificOutput"]["updatedInput"]["command"];
    return Shell(Env() + "bash -c " + Quote(rewritten));
  }
};

}  // namespace

TEST_CASE("answers of 10 MB and more go through the spool byte for byte") {
  Sandbox box;
  fs::create_directories(box.root / "src" / "sessions" / "2026");
  std::string notes, session;
  std::mt19937 rng(7);
  while (notes.size() < 11 * 1024 * 1024) {
    notes += "line " + std::to_string(rng()) + " \xc3\xa9t\xc3\xa9 'quoted' $HOME `x`\n";
  }
  while (session.size() < 12 * 1024 * 1024) {
    session += "{\"type\":\"user\",\"n\":" + std::to_string(rng()) + "}\n";
  }
  std::ofstream(box.root / "src" / "big.md", std::ios::binary) << notes;
  std::ofstream(box.root / "src" / "sessions" / "2026" / "s.jsonl", std::ios::binary) << session;
  REQUIRE(box.Memhook("import " + Quote((box.root / "src").string())).status == 0);

  // Spooled answers are replayed by the small memhook-replay.
  Result hook = box.Memhook("hook", box.Request("cat ~/.memhook/memory/big.md"));
  std::string rewritten =
      nlohmann::json::parse(hook.out)["hookSpecificOutput"]["updatedInput"]["command"];
  CHECK(rewritten.find("memhook-replay") != std::string::npos);
  CHECK(box.Shell(box.Env() + "bash -c " + Quote(rewritten)).out == notes);
  // Into a file opened for appending, which sendfile refuses: the same bytes.
  hook = box.Memhook("hook", box.Request("cat ~/.memhook/memory/big.md"));
  rewritten = nlohmann::json::parse(hook.out)["hookSpecificOutput"]["updatedInput"]["command"];
  const fs::path appended = box.root / "appended.txt";
  std::ofstream(appended) << "before\n";
  CHECK(box.Shell(box.Env() + "bash -c " + Quote(rewritten + " >> " + Quote(appended.string())))
            .status == 0);
  std::ifstream appended_in(appended, std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(appended_in), {}) == "before\n" + notes);
  // Stdout, stderr and status of a spooled answer, each in its place.
  Result both = box.AsAgent("cat ~/.memhook/memory/big.md ~/.memhook/memory/nope");
  CHECK(both.out == notes);
  CHECK(both.err.find("nope: No such file or directory\n") != std::string::npos);
  CHECK(both.status == 1);

  Result cat = box.AsAgent("cat ~/.memhook/memory/big.md ~/.memhook/memory/sessions/2026/s.jsonl");
  CHECK(cat.status == 0);
  CHECK(cat.out.size() == notes.size() + session.size());
  CHECK(cat.out == notes + session);
  CHECK(cat.err.empty());
  // The spooled answer is consumed by its replay.
  CHECK(fs::is_empty(box.root / "run" / ("memhook-" + std::to_string(geteuid()))));

  Result wc = box.AsAgent("cat ~/.memhook/memory/sessions/2026/s.jsonl | wc -l");
  CHECK(wc.out == std::to_string(std::count(session.begin(), session.end(), '\n')) + "\n");
  Result tail = box.AsAgent("tail -n 2 ~/.memhook/memory/sessions/2026/s.jsonl");
  size_t cut = session.rfind('\n', session.rfind('\n', session.size() - 2) - 1) + 1;
  CHECK(tail.out == session.substr(cut));
}

TEST_CASE("bad input never crashes or hangs the hook") {
  Sandbox box;
  for (const std::string& input :
       {std::string(""), std::string("{"), std::string("null"), std::string("[]"),
        std::string("{\"tool_name\":3}"), std::string("\xff\xfe garbage"),
        std::string("{\"tool_name\":\"Bash\",\"tool_input\":{}}")}) {
    CAPTURE(input);
    Result r = box.Memhook("hook", input);
    CHECK(r.out.empty());
    CHECK((r.status == 0 || r.status == 1));
    if (r.status == 1) CHECK(r.err.rfind("memhook: ", 0) == 0);
  }
  // Unparseable bash naming the mount: a clear refusal, not a pass-through.
  Result hook = box.Memhook("hook", box.Request("cat ~/.memhook/memory/x.md | | head"));
  REQUIRE(hook.status == 0);
  auto json = nlohmann::json::parse(hook.out);
  CHECK(json["hookSpecificOutput"]["permissionDecisionReason"].get<std::string>().find(
            "next-tier") != std::string::npos);
  // No database yet: a clear error through the answer, never a crash.
  Result missing = box.AsAgent("cat ~/.memhook/memory/x.md");
  CHECK(missing.status == 126);
  CHECK(missing.err.rfind("memhook: ", 0) == 0);
  CHECK(box.Memhook("frobnicate").status == 2);
  CHECK(box.Memhook("replay ../../etc/passwd").status == 1);
  // The small replayer refuses anything but a spooled answer, and deletes
  // nothing it refused.
  std::string replayer = fs::path(Memhook()).parent_path() / "memhook-replay";
  std::ofstream(box.root / "not-an-answer") << "hello\n";
  Result refused = box.Shell(Quote(replayer) + " " + Quote((box.root / "not-an-answer").string()));
  CHECK(refused.status == 1);
  CHECK(refused.out.empty());
  CHECK(refused.err.rfind("memhook: replay: ", 0) == 0);
  CHECK(fs::exists(box.root / "not-an-answer"));
}

TEST_CASE("reads stay exact while another process writes") {
  Sandbox box;
  fs::create_directories(box.root / "src" / "notes");
  for (int i = 0; i < 50; ++i) {
    std::ofstream(box.root / "src" / "notes" / ("n" + std::to_string(i) + ".md"))
        << "note " << i << "\n";
  }
  REQUIRE(box.Memhook("import " + Quote((box.root / "src").string())).status == 0);
  // A second tree the writer imports over and over (same files, new bytes).
  fs::create_directories(box.root / "src2" / "notes");
  for (int i = 0; i < 50; ++i) {
    std::ofstream(box.root / "src2" / "notes" / ("n" + std::to_string(i) + ".md"))
        << "note " << i << "\n";
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    std::string command = box.Env() + Quote(Memhook()) + " import " +
                          Quote((box.root / "src2").string()) + " >/dev/null 2>&1";
    while (!stop) std::system(command.c_str());
  });
  int agreed = 0;
  for (int i = 0; i < 20; ++i) {
    Result r =
        box.AsAgent("cat ~/.memhook/memory/notes/n7.md && ls ~/.memhook/memory/notes | wc -l");
    agreed += r.out == "note 7\n50\n" && r.status == 0 && r.err.empty();
  }
  stop = true;
  writer.join();
  CHECK(agreed == 20);
}

TEST_CASE("explain shows the parse, the route and the SQL") {
  Sandbox box;
  fs::create_directories(box.root / "src");
  std::ofstream(box.root / "src" / "a.md") << "alpha\n";
  REQUIRE(box.Memhook("import " + Quote((box.root / "src").string())).status == 0);
  Result r = box.Memhook("explain 'cat ~/.memhook/memory/a.md | head -n 1'");
  CHECK(r.status == 0);
  CHECK(r.out.find("route: fast-path") != std::string::npos);
  CHECK(r.out.find("SELECT") != std::string::npos);
  CHECK(r.out.find("(program") != std::string::npos);
  Result pass = box.Memhook("explain 'git status'");
  CHECK(pass.out.find("route: pass-through") != std::string::npos);
  Result run = box.Memhook("run -c 'cat ~/.memhook/memory/a.md ~/.memhook/memory/nope'");
  CHECK(run.out == "alpha\n");
  CHECK(run.err.find("cat: ") == 0);
  CHECK(run.status == 1);
}
