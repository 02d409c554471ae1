// Differential tests of CmdLs and CmdFind: every case runs both the real
// GNU tool (/bin/ls, /usr/bin/find) on a real directory tree and the
// command on an in-memory store holding the same tree, and compares
// stdout, stderr and the exit status. The mount path *is* the real tree's
// path, so operands are typed identically for both.
//
// The process runs under TZ=UTC and LC_ALL=C.UTF-8 (set in main before
// anything reads the locale). The real tree must live on ext4-like storage
// (4096-byte directories, 4 KiB blocks), which /tmp is on the build hosts.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fastpath/fastpath.h"
#include "tests/support/test_support.h"
#include "utils/utils.h"
#include "vfs/vfs.h"

namespace memhook::fastpath {
using namespace utils;  // NOLINT: the utilities under test
namespace {

constexpr int64_t kNs = 1000000000;
constexpr int64_t kDay = 86400 * kNs;

// ---------------------------------------------------------------------------
// In-memory Store with the semantics vfs.h specifies.

class FakeStore : public vfs::Store {
 public:
  FakeStore() { nodes_[""] = Node{true, 0755, 0, ""}; }

  void AddDir(const std::string& path, uint32_t mode, int64_t mtime_ns) {
    nodes_[path] = Node{true, mode, mtime_ns, ""};
  }
  void AddFile(const std::string& path, std::string bytes, uint32_t mode, int64_t mtime_ns) {
    nodes_[path] = Node{false, mode, mtime_ns, std::move(bytes)};
  }
  void SetRootMtime(int64_t mtime_ns) { nodes_[""].mtime_ns = mtime_ns; }

  vfs::Status GetStat(std::string_view path, vfs::Stat* out) override {
    auto it = nodes_.find(std::string(path));
    if (it == nodes_.end()) {
      // A file as a prefix makes the lookup fail with ENOTDIR.
      for (size_t slash = path.find('/'); slash != std::string_view::npos;
           slash = path.find('/', slash + 1)) {
        auto prefix = nodes_.find(std::string(path.substr(0, slash)));
        if (prefix == nodes_.end()) break;
        if (!prefix->second.dir) return Error(vfs::Status::Code::kNotADirectory);
      }
      return Error(vfs::Status::Code::kNotFound);
    }
    *out = StatOf(it->first, it->second);
    return vfs::Status::Ok();
  }

  vfs::Status ReadFile(std::string_view path, std::string* out) override {
    auto it = nodes_.find(std::string(path));
    if (it == nodes_.end()) return Error(vfs::Status::Code::kNotFound);
    if (it->second.dir) return Error(vfs::Status::Code::kIsADirectory);
    *out = it->second.bytes;
    return vfs::Status::Ok();
  }

  vfs::Status ReadLines(std::string_view, uint64_t, uint64_t, std::vector<vfs::Line>*,
                        bool*) override {
    return Error(vfs::Status::Code::kInvalidArgument);  // not used by ls/find
  }

  vfs::Status ListDir(std::string_view path, std::vector<vfs::DirEntry>* out) override {
    out->clear();
    vfs::Stat st;
    vfs::Status status = GetStat(path, &st);
    if (!status.ok()) return status;
    if (st.kind != vfs::NodeKind::kDirectory) return Error(vfs::Status::Code::kNotADirectory);
    for (const auto& [child, node] : nodes_) {  // std::map: C byte order
      if (ParentOf(child) == path && !child.empty()) {
        out->push_back({child.substr(path.empty() ? 0 : path.size() + 1), StatOf(child, node)});
      }
    }
    return vfs::Status::Ok();
  }

  vfs::Status Walk(
      std::string_view path,
      const std::function<bool(const std::string&, const vfs::Stat&)>& visit) override {
    bool stopped = false;
    return WalkFrom(std::string(path), visit, &stopped);
  }

  vfs::Status WriteFile(std::string_view, std::string_view, uint32_t, int64_t) override {
    return Error(vfs::Status::Code::kReadOnly);
  }
  vfs::Status MakeDirectory(std::string_view, uint32_t, int64_t) override {
    return Error(vfs::Status::Code::kReadOnly);
  }
  vfs::Status Remove(std::string_view) override { return Error(vfs::Status::Code::kReadOnly); }
  vfs::Status Rename(std::string_view, std::string_view) override {
    return Error(vfs::Status::Code::kReadOnly);
  }
  vfs::Status SetAttributes(std::string_view, const Attributes&) override {
    return Error(vfs::Status::Code::kReadOnly);
  }
  std::vector<std::string> TakeTrace() override { return {}; }

 private:
  struct Node {
    bool dir = false;
    uint32_t mode = 0;
    int64_t mtime_ns = 0;
    std::string bytes;
  };

  static vfs::Status Error(vfs::Status::Code code) { return vfs::Status::Error(code, "fake"); }

  static std::string_view ParentOf(std::string_view path) {
    size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  }

  vfs::Stat StatOf(const std::string& path, const Node& node) const {
    vfs::Stat st;
    st.kind = node.dir ? vfs::NodeKind::kDirectory : vfs::NodeKind::kFile;
    st.storage = node.dir ? vfs::Storage::kDirectory : vfs::Storage::kBlob;
    st.mode = node.mode;
    st.mtime_ns = node.mtime_ns;
    if (node.dir) {
      st.size = 4096;
      st.nlink = 2;
      for (const auto& [child, other] : nodes_) {
        if (other.dir && !child.empty() && ParentOf(child) == path) ++st.nlink;
      }
    } else {
      st.size = node.bytes.size();
      st.nlink = 1;
      st.line_count = std::count(node.bytes.begin(), node.bytes.end(), '\n');
    }
    return st;
  }

  vfs::Status WalkFrom(const std::string& path,
                       const std::function<bool(const std::string&, const vfs::Stat&)>& visit,
                       bool* stopped) {
    std::vector<vfs::DirEntry> children;
    vfs::Status status = ListDir(path, &children);
    if (!status.ok()) return status;
    for (const vfs::DirEntry& child : children) {
      if (*stopped) break;
      std::string full = path.empty() ? child.name : path + "/" + child.name;
      if (!visit(full, child.stat)) {
        *stopped = true;
        break;
      }
      if (child.stat.kind == vfs::NodeKind::kDirectory) {
        status = WalkFrom(full, visit, stopped);
        if (!status.ok()) return status;
      }
    }
    return vfs::Status::Ok();
  }

  std::map<std::string, Node> nodes_;
};

// ---------------------------------------------------------------------------
// One tree, built twice: on disk and in the fake store.

struct Spec {
  std::string path;  // relative; directories end with '/'
  uint32_t mode;
  int64_t age_ns;  // mtime = now - age (negative: in the future)
  std::string bytes;
};

std::string Bytes(size_t n) { return std::string(n, 'x'); }

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * kNs + ts.tv_nsec;
}

std::vector<Spec> TreeSpec() {
  const int64_t h = 3600 * kNs;
  return {
      {"notes/", 0755, 2 * h, ""},
      {"notes/a.md", 0644, 5 * h, "alpha\n"},
      {"notes/B.md", 0644, 6 * h, "bravo bravo\n"},
      {"notes/.hidden", 0600, 7 * h, "secret\n"},
      {"notes/run.sh", 0755, 8 * h, "#!/bin/sh\n"},
      {"notes/with space.txt", 0644, 9 * h, "spaced\n"},
      {"notes/empty.txt", 0644, 10 * h, ""},
      {"notes/old.md", 0644, 400 * kDay, "ancient\n"},
      {"notes/future.md", 0644, -200 * kDay, "later\n"},
      {"notes/deep/", 0700, 3 * h, ""},
      {"notes/deep/er/", 0755, 4 * h, ""},
      {"notes/deep/er/leaf.md", 0640, 11 * h, "leaf\n"},
      {"notes/deep/void/", 0755, 12 * h, ""},
      {"sizes/", 0755, 20 * h, ""},
      {"sizes/s0", 0644, 21 * h, ""},
      {"sizes/s1", 0644, 21 * h, Bytes(1)},
      {"sizes/s1023", 0644, 22 * h, Bytes(1023)},
      {"sizes/s1024", 0644, 23 * h, Bytes(1024)},
      {"sizes/s1025", 0644, 19 * h, Bytes(1025)},
      {"sizes/s10239", 0644, 25 * h, Bytes(10239)},
      {"sizes/s10241", 0644, 25 * h, Bytes(10241)},
      {"sizes/s1048575", 0644, 26 * h, Bytes(1048575)},
      {"sizes/s1048576", 0644, 27 * h, Bytes(1048576)},
      {"sizes/s1153434", 0644, 28 * h, Bytes(1153434)},
      {"sizes/s4097", 0644, 29 * h, Bytes(4097)},
      {"sessions/", 0755, 30 * h, ""},
      {"sessions/2026/", 0755, 31 * h, ""},
      {"sessions/2026/x.jsonl", 0644, 32 * h, "{}\n{}\n"},
      {"sessions/2026/y.jsonl", 0644, 33 * h, "{\"k\":1}\n"},
      {"index.md", 0644, 1 * h, "# index\n"},
      {"Zeta", 0644, 34 * h, "z\n"},
      {".dotdir/", 0755, 35 * h, ""},
      {".dotdir/inner", 0644, 36 * h, "i\n"},
      {"uniq-name.md", 0644, 37 * h, "u\n"},
      // Mode bits that replace the execute character, odd names.
      {"modes/", 0755, 38 * h, ""},
      {"modes/suid", 04755, 39 * h, "s\n"},
      {"modes/sgid-noexec", 02644, 39 * h, "g\n"},
      {"modes/sticky/", 01777, 40 * h, ""},
      {"modes/sticky-noexec/", 01754, 40 * h, ""},
      {"modes/\xc3\xa9.md", 0644, 41 * h, "e\n"},
      {"modes/\xc3\x89.md", 0644, 41 * h, "E\n"},
      {"modes/new\nline", 0644, 42 * h, "n\n"},
      {"modes/a:b/", 0755, 43 * h, ""},
      {"modes/a:b/c", 0644, 43 * h, "c\n"},
  };
}

struct Result {
  std::string out;
  std::string err;
  int status = 0;
  std::string merged;  // stdout and stderr interleaved as written
  std::string unsupported;
};

class Fixture {
 public:
  Fixture() {
    REQUIRE(temp_.ok());
    base_ = temp_.path().string();
    mount_ = base_ + "/memory";
    now_ns_ = NowNs();
    REQUIRE(mkdir(mount_.c_str(), 0755) == 0);
    std::vector<Spec> specs = TreeSpec();
    for (const Spec& s : specs) {
      std::string full = mount_ + "/" + s.path;
      if (s.path.back() == '/') {
        REQUIRE(mkdir(full.c_str(), s.mode) == 0);
        REQUIRE(chmod(full.c_str(), s.mode) == 0);
        store_.AddDir(s.path.substr(0, s.path.size() - 1), s.mode, now_ns_ - s.age_ns);
      } else {
        std::ofstream(full, std::ios::binary) << s.bytes;
        REQUIRE(chmod(full.c_str(), s.mode) == 0);
        store_.AddFile(s.path, s.bytes, s.mode, now_ns_ - s.age_ns);
      }
    }
    // Timestamps last, deepest first, so creating children does not move
    // a directory's mtime afterwards.
    std::vector<Spec> by_depth = specs;
    std::stable_sort(by_depth.begin(), by_depth.end(), [](const Spec& a, const Spec& b) {
      return std::count(a.path.begin(), a.path.end(), '/') >
             std::count(b.path.begin(), b.path.end(), '/');
    });
    for (const Spec& s : by_depth) SetMtime(mount_ + "/" + s.path, now_ns_ - s.age_ns);
    SetMtime(mount_, now_ns_ - 3 * kDay);
    store_.SetRootMtime(now_ns_ - 3 * kDay);
    // The mount root's ".." is this host directory: give it a stable past
    // mtime too, so both sides format its date alike.
    SetMtime(base_, now_ns_ - 4 * kDay);

    options_.mount = mount_;
    options_.home = "/nonexistent-home";
    options_.cwd = mount_;
    options_.now_ns = now_ns_;
    if (passwd* pw = getpwuid(geteuid())) options_.owner = pw->pw_name;
    if (group* gr = getgrgid(getegid())) options_.group = gr->gr_name;
  }

  const std::string& mount() const { return mount_; }

  // The real tool, with cwd `dir` (relative to the mount) and stdin not a
  // terminal.
  Result Real(const std::vector<std::string>& argv, const std::string& dir = "") const {
    // By name, so that messages are prefixed "ls:"/"find:" as typed, found
    // in PATH=/usr/bin:/bin (also the tool's PATH); stdin is /dev/null.
    const std::vector<std::string> env = testing::EnvironWith({"PATH=/usr/bin:/bin"});
    testing::ExecSpec spec;
    spec.argv = argv;
    spec.env = &env;
    spec.cwd = Cwd(dir);
    spec.stdin_null = true;
    const testing::ProcResult separate = testing::RunProcess(spec);
    REQUIRE_MESSAGE(separate.spawn_error.empty(), separate.spawn_error);
    spec.merge_stderr = true;
    const testing::ProcResult merged = testing::RunProcess(spec);
    REQUIRE_MESSAGE(merged.spawn_error.empty(), merged.spawn_error);
    Result r;
    r.out = separate.out;
    r.err = separate.err;
    r.status = separate.status;
    r.merged = merged.out;
    return r;
  }

  // The fast path's answer.
  Result Fake(const std::vector<std::string>& argv, const std::string& dir = "") {
    // "Now" as the real tools see it: host directories (the mount root's
    // "..") may have been touched since the fixture was built.
    options_.now_ns = NowNs();
    CommandEnv env{store_, options_, Cwd(dir), nullptr, nullptr};
    CommandIo io;
    if (argv[0].size() >= 2 && argv[0].compare(argv[0].size() - 2, 2, "ls") == 0) {
      CmdLs(argv, env, io);
    } else {
      CmdFind(argv, env, io);
    }
    Result r;
    r.out = io.out.str();
    r.err = io.err.str();
    r.status = io.status;
    for (const Stream::Chunk& chunk : io.log) r.merged += chunk.bytes;
    r.unsupported = io.unsupported;
    return r;
  }

 private:
  std::string Cwd(const std::string& dir) const {
    return dir.empty() ? mount_ : mount_ + "/" + dir;
  }

  static void SetMtime(const std::string& path, int64_t mtime_ns) {
    timespec times[2];
    times[0].tv_sec = mtime_ns / kNs;
    times[0].tv_nsec = mtime_ns % kNs;
    times[1] = times[0];
    REQUIRE(utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
  }

  testing::TempDir temp_{"memhook-lsfind"};
  std::string base_;
  std::string mount_;
  int64_t now_ns_ = 0;
  FakeStore store_;
  EngineOptions options_;
};

Fixture& TheFixture() {
  static Fixture fixture;  // one tree for all cases (building it costs ~10 MB of writes)
  return fixture;
}

std::string Describe(const std::vector<std::string>& argv, const std::string& dir) {
  std::string s = "(cwd " + (dir.empty() ? std::string("<mount>") : dir) + ")";
  for (const std::string& a : argv) s += " [" + a + "]";
  return s;
}

// ls sorts its own output: compare byte for byte, merged order included.
void ExpectSameLs(const std::vector<std::string>& argv, const std::string& dir = "") {
  Result real = TheFixture().Real(argv, dir);
  Result fake = TheFixture().Fake(argv, dir);
  INFO(Describe(argv, dir));
  REQUIRE(fake.unsupported == "");
  CHECK(fake.out == real.out);
  CHECK(fake.err == real.err);
  CHECK(fake.status == real.status);
  CHECK(fake.merged == real.merged);
}

// The records of `text` (split at `separator`), sorted, one per line.
std::string SortedRecords(const std::string& text, char separator) {
  std::vector<std::string> records;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    records.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  std::sort(records.begin(), records.end());
  std::string joined;
  for (const std::string& r : records) joined += r + "\n";
  return joined;
}

// find walks in readdir order on disk and in sorted order in memhook:
// compare stdout as sorted records; stderr exactly.
void ExpectSameFind(const std::vector<std::string>& argv, const std::string& dir = "",
                    char separator = '\n') {
  Result real = TheFixture().Real(argv, dir);
  Result fake = TheFixture().Fake(argv, dir);
  INFO(Describe(argv, dir));
  REQUIRE(fake.unsupported == "");
  CHECK(SortedRecords(fake.out, separator) == SortedRecords(real.out, separator));
  CHECK(fake.err == real.err);
  CHECK(fake.status == real.status);
}

void ExpectUnsupported(const std::vector<std::string>& argv, const std::string& dir = "") {
  Result fake = TheFixture().Fake(argv, dir);
  INFO(Describe(argv, dir));
  CHECK(fake.unsupported != "");
}

TEST_CASE("ls: plain listings") {
  ExpectSameLs({"ls"});
  ExpectSameLs({"ls", "notes"});
  ExpectSameLs({"ls", "notes/"});
  ExpectSameLs({"ls", "./notes"});
  ExpectSameLs({"ls", "-1", "notes"});
  ExpectSameLs({"ls", "."}, "notes");
  ExpectSameLs({"ls"}, "notes/deep");
  ExpectSameLs({"ls", ".."}, "notes");
  ExpectSameLs({"ls", "../.."}, "notes/deep");
  ExpectSameLs({"ls", TheFixture().mount()});
  ExpectSameLs({"ls", TheFixture().mount() + "/notes/deep/"});
  ExpectSameLs({"ls", "notes/deep/void"});
}

TEST_CASE("ls: hidden entries") {
  ExpectSameLs({"ls", "-a"});  // names only: the root's ".." needs no metadata
  ExpectSameLs({"ls", "-A"});
  ExpectSameLs({"ls", "-a", "notes"});
  ExpectSameLs({"ls", "-aA", "notes"});
  ExpectSameLs({"ls", "-Aa", "notes"});
  ExpectSameLs({"ls", "--all", "notes"});
  ExpectSameLs({"ls", "--almost-all", "notes"});
  ExpectSameLs({"ls", "-la", "notes"});
  ExpectSameLs({"ls", "-la", "notes/deep/er"});
  ExpectSameLs({"ls", "-la"}, "notes");
  ExpectSameLs({"ls", "-a", ".dotdir"});
  ExpectSameLs({"ls", "-Ra"});
  ExpectSameLs({"ls", "-aF"});
  ExpectSameLs({"ls", "-ar"});
  ExpectSameLs({"ls", "-lda"});
}

TEST_CASE("ls: long format") {
  ExpectSameLs({"ls", "-l"});
  ExpectSameLs({"ls", "-l", "notes"});
  ExpectSameLs({"ls", "-l", "sizes"});
  ExpectSameLs({"ls", "-lh", "sizes"});
  ExpectSameLs({"ls", "-l", "-h", "notes"});
  ExpectSameLs({"ls", "--human-readable", "-l", "sizes"});
  ExpectSameLs({"ls", "-ld", "notes", "notes/a.md", "notes/deep"});
  ExpectSameLs({"ls", "-l", "notes/a.md", "notes/deep"});  // file widths count the dir
  ExpectSameLs({"ls", "-l", "notes/deep/void"});
  ExpectSameLs({"ls", "-l1", "notes"});
  ExpectSameLs({"ls", "-1l", "notes"});
  ExpectSameLs({"ls", "-lF", "notes"});
  ExpectSameLs({"ls", "-lR", "notes"});
  ExpectSameLs({"ls", "-lhR"});
  ExpectSameLs({"ls", "-ldh", "sizes/s1153434", "sizes/s1048575", "sizes/s10241"});
}

TEST_CASE("ls: recursion and several operands") {
  ExpectSameLs({"ls", "-R"});
  ExpectSameLs({"ls", "-R", "notes"});
  ExpectSameLs({"ls", "-R", "notes/"});
  ExpectSameLs({"ls", "--recursive", "sessions", "notes/deep"});
  ExpectSameLs({"ls", "-Ra", "notes"});
  ExpectSameLs({"ls", "-RA"});
  ExpectSameLs({"ls", "notes", "sessions"});
  ExpectSameLs({"ls", "notes/deep", "index.md", "Zeta", "sessions"});
  ExpectSameLs({"ls", "index.md"});
  ExpectSameLs({"ls", "index.md", "Zeta", "notes/run.sh"});
  ExpectSameLs({"ls", "-R", "index.md"});
  ExpectSameLs({"ls", "-dR", "notes"});
  ExpectSameLs({"ls", "notes", "notes"});
  ExpectSameLs({"ls", "-R", "."}, "sessions");
  ExpectSameLs({"ls", "-R", "--", "notes"});
  ExpectSameLs({"ls", "notes", "-l"});          // options after operands (permutation)
  ExpectSameLs({"ls", "--recur", "sessions"});  // unambiguous abbreviation
}

TEST_CASE("ls: -d and -F") {
  ExpectSameLs({"ls", "-d"});
  ExpectSameLs({"ls", "-d", "notes", "notes/"});
  ExpectSameLs({"ls", "-da"});
  ExpectSameLs({"ls", "--directory", "notes/deep", "index.md"});
  ExpectSameLs({"ls", "-F"});
  ExpectSameLs({"ls", "-F", "notes"});
  ExpectSameLs({"ls", "-dF", "notes", "notes/", "notes/run.sh", "index.md"});
  ExpectSameLs({"ls", "--classify", "-a", "notes"});
  ExpectSameLs({"ls", "-RF", "notes"});
}

TEST_CASE("ls: sorting") {
  ExpectSameLs({"ls", "-t", "notes"});
  ExpectSameLs({"ls", "-tr", "notes"});
  ExpectSameLs({"ls", "-S", "sizes"});
  ExpectSameLs({"ls", "-Sr", "sizes"});
  ExpectSameLs({"ls", "-St", "sizes"});  // the later of -S/-t wins
  ExpectSameLs({"ls", "-tS", "sizes"});
  ExpectSameLs({"ls", "-r"});
  ExpectSameLs({"ls", "--reverse", "-R", "notes"});
  ExpectSameLs({"ls", "-lt", "notes"});
  ExpectSameLs({"ls", "-lS", "notes"});
  ExpectSameLs({"ls", "-lrt"});
  ExpectSameLs({"ls", "-t", "notes", "index.md", "Zeta", "sessions"});
  ExpectSameLs({"ls", "-S", "-r", "notes", "index.md", "Zeta", "sizes/s1025"});
  ExpectSameLs({"ls", "-lat", "notes"});
}

TEST_CASE("ls: modes and odd names") {
  ExpectSameLs({"ls", "-la", "modes"});
  ExpectSameLs({"ls", "-R", "modes"});
  ExpectSameLs({"ls", "-F", "modes"});
  ExpectSameLs({"ls", "-lR", "modes/a:b", "modes/sticky"});
}

TEST_CASE("ls: errors") {
  ExpectSameLs({"ls", "nope"});
  ExpectSameLs({"ls", "nope", "notes"});
  ExpectSameLs({"ls", "notes", "nope", "index.md", "also-missing"});
  ExpectSameLs({"ls", "index.md/"});
  ExpectSameLs({"ls", "index.md/x"});
  ExpectSameLs({"ls", "-l", "nope", "index.md"});
  ExpectSameLs({"ls", ""});
  ExpectSameLs({"ls", "with space"}, "notes");
  ExpectSameLs({"ls", "it's"}, "notes");
  ExpectSameLs({"ls", "-R", "nope", "sessions"});
  ExpectSameLs({"ls", "-d", "nope", "notes/"});
  ExpectSameLs({"ls", "nope/.."});
  ExpectSameLs({"/bin/ls", "nope"});  // messages are prefixed with argv[0]
}

TEST_CASE("ls: what goes to the next tier") {
  ExpectUnsupported({"ls", "-i"});
  ExpectUnsupported({"ls", "-lU"});
  ExpectUnsupported({"ls", "--sort=time"});
  ExpectUnsupported({"ls", "--al"});  // ambiguous in GNU too
  ExpectUnsupported({"ls", "--color=never"});
  ExpectUnsupported({"ls", "/etc"});
  ExpectUnsupported({"ls", "/dev/null"});
  ExpectUnsupported({"ls", "notes", "/etc"});
  // The mount root's ".." is the host directory above the mount: its
  // metadata comes from the host.
  ExpectSameLs({"ls", "-la"});
  ExpectSameLs({"ls", "-at"});
  ExpectSameLs({"ls", "-la", ".."}, "notes");
  setenv("TIME_STYLE", "iso", 1);
  ExpectUnsupported({"ls", "-l", "notes"});
  unsetenv("TIME_STYLE");
}

TEST_CASE("find: start points and traversal") {
  ExpectSameFind({"find"});
  ExpectSameFind({"find", "."});
  ExpectSameFind({"find", "notes"});
  ExpectSameFind({"find", "notes/"});
  ExpectSameFind({"find", "notes//"});
  ExpectSameFind({"find", "./notes"});
  ExpectSameFind({"find", "notes", "sessions"});
  ExpectSameFind({"find", "index.md"});
  ExpectSameFind({"find", "."}, "notes/deep");
  ExpectSameFind({"find", ".."}, "notes");
  ExpectSameFind({"find", TheFixture().mount() + "/sessions"});
  ExpectSameFind({"find", "-P", "notes"});
  ExpectSameFind({"find", "--", "notes"});
  ExpectSameFind({"find", "-L", "notes", "-type", "f"});
}

TEST_CASE("find: name and path tests") {
  ExpectSameFind({"find", ".", "-name", "*.md"});
  ExpectSameFind({"find", ".", "-name", "*"});  // '*' matches a leading dot
  ExpectSameFind({"find", ".", "-name", ".*"});
  ExpectSameFind({"find", ".", "-name", "[ab]*"});
  ExpectSameFind({"find", ".", "-iname", "b*"});
  ExpectSameFind({"find", "notes/", "-name", "notes"});
  ExpectSameFind({"find", ".", "-name", "."});
  ExpectSameFind({"find", ".", "-path", "./notes/*"});
  ExpectSameFind({"find", ".", "-path", "*deep*"});
  ExpectSameFind({"find", ".", "-wholename", "./sessions/*/x.jsonl"});
  ExpectSameFind({"find", ".", "-ipath", "./NOTES/D*"});
  ExpectSameFind({"find", ".", "-iwholename", "*.MD"});
  ExpectSameFind({"find", ".", "-name", "a/b"});
  ExpectSameFind({"find", ".", "-name", "with space.txt"});
}

TEST_CASE("find: odd names and multibyte patterns") {
  ExpectSameFind({"find", "modes"});
  ExpectSameFind({"find", "modes", "-name", "?.md"});  // one character, two bytes
  ExpectSameFind({"find", "modes", "-iname", "\xc3\xa9.md"});
  ExpectSameFind({"find", "modes", "-name", "*line"});
  ExpectSameFind({"find", "modes", "-print0"}, "", '\0');
}

// Start points that are files: GNU's error() flushes stdout before writing
// a message, so the interleaving is the program's order.
TEST_CASE("find: stdout and stderr interleave in program order") {
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"find", "index.md", "nope", "Zeta", "notes", "-maxdepth", "0"},
           {"find", "nope", "index.md/", "uniq-name.md", ""},
       }) {
    Result real = TheFixture().Real(argv);
    Result fake = TheFixture().Fake(argv);
    INFO(Describe(argv, ""));
    CHECK(fake.merged == real.merged);
    CHECK(fake.status == real.status);
  }
}

TEST_CASE("find: type, depth, size, empty, times") {
  ExpectSameFind({"find", ".", "-type", "f"});
  ExpectSameFind({"find", ".", "-type", "d"});
  ExpectSameFind({"find", ".", "-type", "f,d"});
  ExpectSameFind({"find", ".", "-type", "l"});
  ExpectSameFind({"find", ".", "-maxdepth", "1"});
  ExpectSameFind({"find", ".", "-maxdepth", "0"});
  ExpectSameFind({"find", ".", "-mindepth", "2"});
  ExpectSameFind({"find", ".", "-mindepth", "1", "-maxdepth", "2", "-type", "d"});
  ExpectSameFind({"find", ".", "-maxdepth", "2", "-empty"});
  ExpectSameFind({"find", "notes", "notes/deep/void", "index.md", "-maxdepth", "0", "-empty"});
  ExpectSameFind({"find", "notes", "-maxdepth", "1", "-empty"});
  ExpectSameFind({"find", ".", "-empty"});
  ExpectSameFind({"find", ".", "-size", "+1k"});
  ExpectSameFind({"find", ".", "-size", "-1M"});  // only empty files
  ExpectSameFind({"find", ".", "-size", "1M"});
  ExpectSameFind({"find", ".", "-size", "2"});
  ExpectSameFind({"find", ".", "-size", "-3"});
  ExpectSameFind({"find", ".", "-size", "+1024c"});
  ExpectSameFind({"find", ".", "-size", "1025c"});
  ExpectSameFind({"find", ".", "-size", "-2w"});
  ExpectSameFind({"find", ".", "-size", "+0G"});
  ExpectSameFind({"find", ".", "-newer", "notes/a.md"});
  ExpectSameFind({"find", "notes", "-newer", "old.md"}, "notes");
  ExpectSameFind({"find", ".", "-mmin", "-400"});
  ExpectSameFind({"find", ".", "-mmin", "+400"});
  ExpectSameFind({"find", ".", "-mtime", "-1"});
  ExpectSameFind({"find", ".", "-mtime", "0"});
  ExpectSameFind({"find", ".", "-mtime", "1"});
  ExpectSameFind({"find", ".", "-mtime", "+30"});
  ExpectSameFind({"find", ".", "-mtime", "-300"});
}

TEST_CASE("find: operators and actions") {
  ExpectSameFind({"find", ".", "!", "-name", "*.md"});
  ExpectSameFind({"find", ".", "-not", "-type", "d"});
  ExpectSameFind({"find", ".", "-name", "*.md", "-o", "-name", "*.jsonl"});
  ExpectSameFind({"find", ".", "-name", "*.md", "-or", "-type", "d", "-name", "s*"});
  ExpectSameFind(
      {"find", ".", "(", "-name", "*.md", "-o", "-name", "*.jsonl", ")", "-a", "-size", "-2"});
  ExpectSameFind({"find", ".", "-type", "f", "-and", "!", "(", "-name", "s*", ")"});
  ExpectSameFind({"find", ".", "-name", "notes", "-prune", "-o", "-print"});
  ExpectSameFind({"find", ".", "-name", "deep", "-prune"});
  ExpectSameFind({"find", ".", "-prune"});
  ExpectSameFind({"find", ".", "-name", "*.md", "-print0"}, "", '\0');
  ExpectSameFind({"find", ".", "-print", "-print"});
  ExpectSameFind({"find", ".", "-true"});
  ExpectSameFind({"find", ".", "-false"});
  ExpectSameFind({"find", ".", "-false", "-o", "-print"});
  ExpectSameFind({"find", ".", "-name", "uniq-name.md", "-print", "-quit"});
  ExpectSameFind({"find", ".", "-quit"});
  ExpectSameFind({"find", ".", "-depth"});
  ExpectSameFind({"find", ".", "-depth", "-name", "deep", "-prune"});
  ExpectSameFind({"find", ".", "-maxdepth", "0", "-or", "-true", "-o", "-print"});
  ExpectSameFind({"find", ".", "-xdev", "-noleaf", "-name", "x.jsonl"});
  ExpectSameFind({"find", ".", "-(", "-name", "a.md", "-)"});
}

TEST_CASE("find: errors") {
  ExpectSameFind({"find", "nope"});
  ExpectSameFind({"/usr/bin/find", "nope"});  // messages are prefixed with argv[0]
  ExpectSameFind({"/usr/bin/find", "-name", "x", "notes"});
  ExpectSameFind({"find", "nope", "sessions", "also-nope"});
  ExpectSameFind({"find", "index.md/"});
  ExpectSameFind({"find", ""});
  ExpectSameFind({"find", "nope", ".", "-quit"});
  ExpectSameFind({"find", ".", "-foo"});
  ExpectSameFind({"find", ".", "--"});
  ExpectSameFind({"find", ".", "-name"});
  ExpectSameFind({"find", ".", "-maxdepth"});
  ExpectSameFind({"find", "-name", "x", "notes"});      // with the unquoted-pattern hint
  ExpectSameFind({"find", ".", "-name", "x", "nope"});  // without it
  ExpectSameFind({"find", ".", "-maxdepth", "1", "index.md"});
  ExpectSameFind({"find", ".", "-name", "x", "index.md/"});
  ExpectSameFind({"find", ".", "-type", "q"});
  ExpectSameFind({"find", ".", "-type", ""});
  ExpectSameFind({"find", ".", "-type", "fd"});
  ExpectSameFind({"find", ".", "-type", "f,"});
  ExpectSameFind({"find", ".", "-type", "f,f"});
  ExpectSameFind({"find", ".", "-type", "D"});
  ExpectSameFind({"find", ".", "-maxdepth", "x"});
  ExpectSameFind({"find", ".", "-maxdepth", "-1"});
  ExpectSameFind({"find", ".", "-mindepth", ""});
  ExpectSameFind({"find", ".", "-size", "3q"});
  ExpectSameFind({"find", ".", "-size", ""});
  ExpectSameFind({"find", ".", "-size", "k"});
  ExpectSameFind({"find", ".", "-size", "1.5k"});
  ExpectSameFind({"find", ".", "-mmin", "x"});
  ExpectSameFind({"find", ".", "-newer", "nope"});
  ExpectSameFind({"find", ".", "-o"});
  ExpectSameFind({"find", ".", "-name", "x", "-o"});
  ExpectSameFind({"find", ".", "!"});
  ExpectSameFind({"find", ".", "-not", "-not"});
  ExpectSameFind({"find", ".", "("});
  ExpectSameFind({"find", ".", "(", ")"});
  ExpectSameFind({"find", ".", "-name", "x", ")"});
  ExpectSameFind({"find", ".", "(", "-name", "x"});
  ExpectSameFind({"find", ".", "(", "!", ")"});
  ExpectSameFind({"find", ".", "(", "-name", "x", "-o", ")"});
  ExpectSameFind({"find", ".", "-name", "x", "("});
  ExpectSameFind({"find", ".", "!", "-o", "-name", "x"});
  ExpectSameFind({"find", ".", "-a", "-name", "x"});
}

TEST_CASE("find: warnings (only with -warn: stdin is not a terminal)") {
  ExpectSameFind({"find", ".", "-name", "x", "-maxdepth", "1"});  // silent
  ExpectSameFind({"find", ".", "-warn", "-name", "x", "-maxdepth", "1"});
  ExpectSameFind({"find", ".", "-warn", "-type", "f", "-o", "-name", "y", "-mindepth", "1"});
  ExpectSameFind({"find", ".", "-warn", "(", "-maxdepth", "0", ")"});
  ExpectSameFind({"find", ".", "-warn", "-true", "-d"});
  ExpectSameFind({"/usr/bin/find", ".", "-warn", "-true", "-d"});
  ExpectSameFind({"find", ".", "-name", "x", "-warn", "-maxdepth", "0", "-nowarn", "-depth"});
  ExpectSameFind({"find", ".", "-warn", "-name", "a/b"});
  ExpectSameFind({"find", ".", "-warn", "-iname", "a/"});
}

// Random combinations (fixed seed) of the served flags and operands, and of
// find expressions, beyond the hand-picked cases. Combinations the fast path
// routes to the next tier are skipped.
TEST_CASE("ls and find: random combinations") {
  uint64_t state = 0x9e3779b97f4a7c15u;
  auto next = [&state](size_t n) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    return static_cast<size_t>((state >> 33) % n);
  };
  const std::vector<std::string> operands = {
      "notes",       "notes/",  "sessions",        "index.md",     "Zeta",      "nope", "modes",
      "sizes/s1025", ".dotdir", "notes/deep/void", "notes/run.sh", "index.md/", "."};
  const std::string letters = "1aAlhRdtSrF";
  int compared_ls = 0;
  int compared_find = 0;
  for (int round = 0; round < 150; ++round) {
    std::vector<std::string> argv = {"ls"};
    std::string cluster = "-";
    for (size_t k = 0, n = 1 + next(4); k < n; ++k) cluster += letters[next(letters.size())];
    argv.push_back(cluster);
    for (size_t k = 0, n = next(4); k < n; ++k) argv.push_back(operands[next(operands.size())]);
    std::string dir = next(3) == 0 ? "notes" : "";
    if (!TheFixture().Fake(argv, dir).unsupported.empty()) continue;
    ExpectSameLs(argv, dir);
    ++compared_ls;
  }
  const std::vector<std::vector<std::string>> terms = {
      {"-name", "*.md"},  {"-iname", "S*"},  {"-type", "f"},   {"-type", "d"},
      {"-empty"},         {"-size", "-2"},   {"-size", "+1k"}, {"-path", "*deep*"},
      {"-newer", "Zeta"}, {"-mmin", "-600"}, {"-mtime", "-1"}, {"-true"},
      {"-false"},         {"-prune"},        {"-print"},       {"-maxdepth", "2"},
      {"-mindepth", "1"}, {"-name", ".*"},   {"-depth"},       {"-print0"}};
  const std::vector<std::string> joins = {"", "", "-o", "-a", "!", "-not"};
  for (int round = 0; round < 150; ++round) {
    std::vector<std::string> argv = {"find"};
    for (size_t k = 0, n = next(3); k < n; ++k) argv.push_back(operands[next(operands.size())]);
    bool group = next(4) == 0;
    if (group) argv.push_back("(");
    for (size_t k = 0, n = 1 + next(4); k < n; ++k) {
      if (k > 0) {
        const std::string& join = joins[next(joins.size())];
        if (!join.empty()) argv.push_back(join);
      }
      for (const std::string& word : terms[next(terms.size())]) argv.push_back(word);
    }
    if (group) argv.push_back(")");
    if (next(3) == 0) argv.push_back("-print");
    std::string dir = next(3) == 0 ? "notes" : "";
    if (!TheFixture().Fake(argv, dir).unsupported.empty()) continue;
    bool nul = std::find(argv.begin(), argv.end(), "-print0") != argv.end();
    // -print0 and -print mixed cannot be split into records reliably.
    if (nul && std::find(argv.begin(), argv.end(), "-print") != argv.end()) continue;
    ExpectSameFind(argv, dir, nul ? '\0' : '\n');
    ++compared_find;
  }
  MESSAGE("random cases compared: ls ", compared_ls, ", find ", compared_find);
  CHECK(compared_ls > 100);
  CHECK(compared_find > 100);
}

// Switches the process (and the real tools it starts) to another locale for
// one test case.
class LocaleScope {
 public:
  explicit LocaleScope(const char* name) { Set(name); }
  ~LocaleScope() { Set("C.UTF-8"); }

 private:
  static void Set(const char* name) {
    setenv("LC_ALL", name, 1);
    std::setlocale(LC_ALL, "");
  }
};

// The same commands under LC_ALL=C: straight quotes in find's messages,
// byte-wise '?' in patterns, escaped non-ASCII bytes in ls's.
TEST_CASE("ls and find under LC_ALL=C") {
  LocaleScope c_locale("C");
  ExpectSameLs({"ls", "modes"});
  ExpectSameFind({"find", "nope"});
  ExpectSameFind({"find", ".", "-maxdepth", "x"});
  ExpectSameFind({"find", "modes", "-name", "?.md"});
  ExpectSameFind({"find", "modes", "-iname", "\xc3\xa9.md"});
  ExpectSameFind({"find", ".", "-warn", "-name", "a/b"});
}

// Depends on QuoteShell (commands.cc) merging a run of escaped bytes into
// one $'...' group, as gnulib does: 'nope-'$'\303\251'.
TEST_CASE("ls: non-ASCII operand in a message under LC_ALL=C") {
  LocaleScope c_locale("C");
  ExpectSameLs({"ls", "-l", "modes", "nope-\xc3\xa9"});
}

TEST_CASE("find: what goes to the next tier") {
  ExpectUnsupported({"find", ".", "-exec", "cat", "{}", ";"});
  ExpectUnsupported({"find", ".", "-delete"});
  ExpectUnsupported({"find", ".", "-printf", "%i\n"});
  ExpectUnsupported({"find", ".", "-regex", ".*"});
  ExpectUnsupported({"find", ".", "-newermt", "2020-01-01"});
  ExpectUnsupported({"find", ".", "-newerzz", "x"});
  ExpectUnsupported({"find", ".", "-mmin", "-1.5"});
  ExpectUnsupported({"find", ".", "-name", "x", ","});
  ExpectUnsupported({"find", "/etc"});
  ExpectUnsupported({"find", ".", "/etc"});
  ExpectUnsupported({"find", "-O3", "."});
  ExpectUnsupported({"find", ".", "-newer", "/etc/passwd"});
  ExpectUnsupported({"find", ".", "-name", "x", "/etc/passwd"});
}

}  // namespace
}  // namespace memhook::fastpath

int main(int argc, char** argv) {
  // Before anything reads the locale or the time zone.
  setenv("TZ", "UTC", 1);
  setenv("LC_ALL", "C.UTF-8", 1);
  tzset();
  std::setlocale(LC_ALL, "");
  doctest::Context context(argc, argv);
  return context.run();
}
