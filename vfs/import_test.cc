// ImportTree: the store becomes an exact mirror of the source (deleted
// files go, a directory may become a file and back), nothing from outside
// the source is stored (symbolic links, special files: skipped and
// reported), an unchanged re-import writes nothing, an import inside a
// change can be undone exactly, and concurrent imports wait for each other.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_support.h"
#include "vfs/store_internal.h"
#include "vfs/vfs.h"

namespace memhook::vfs {
namespace {

namespace fs = std::filesystem;
using Code = Status::Code;
using Tree = std::map<std::string, std::string>;
constexpr int64_t kBase = 1700000000123456789;

struct timespec Ts(int64_t ns) {
  return {static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
}

void SetMtime(const fs::path& path, int64_t ns) {
  const struct timespec times[2] = {{0, UTIME_OMIT}, Ts(ns)};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

void HostFile(const fs::path& path, const std::string& bytes, uint32_t mode = 0644,
              int64_t mtime = kBase) {
  fs::remove(path);
  {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    REQUIRE(out.good());
  }
  REQUIRE(::chmod(path.c_str(), mode) == 0);
  SetMtime(path, mtime);
}

void HostDir(const fs::path& path, uint32_t mode = 0755) {
  fs::create_directories(path);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

void Symlink(const std::string& target, const fs::path& link) {
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
}

std::string Entry(bool dir, uint32_t mode, int64_t mtime_ns, const std::string& bytes) {
  return std::string(dir ? "d " : "f ") + std::to_string(mode) + " " + std::to_string(mtime_ns) +
         (dir ? "" : " " + bytes);
}

// The whole store as "path -> kind mode mtime [bytes]", root ("") included
// and the generated index left out: for exact comparisons.
Tree Snapshot(Store& store) {
  Tree tree;
  REQUIRE(store
              .Walk("",
                    [&](const std::string& path, const Stat& stat) {
                      if (stat.storage == Storage::kVirtual) return true;
                      std::string bytes;
                      if (stat.kind == NodeKind::kFile) REQUIRE(store.ReadFile(path, &bytes).ok());
                      tree[path] =
                          Entry(stat.kind == NodeKind::kDirectory, stat.mode, stat.mtime_ns, bytes);
                      return true;
                    })
              .ok());
  Stat root;
  REQUIRE(store.GetStat("", &root).ok());
  tree[""] = Entry(true, root.mode, root.mtime_ns, "");
  return tree;
}

// A host tree (no links, no special files) in the same form.
Tree HostSnapshot(const fs::path& root) {
  Tree tree;
  auto add = [&](const fs::path& path, const std::string& rel) {
    struct stat st;
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    const bool dir = S_ISDIR(st.st_mode);
    const int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    tree[rel] = Entry(dir, st.st_mode & 07777, mtime, dir ? "" : testing::Slurp(path));
  };
  add(root, "");
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    add(e.path(), fs::relative(e.path(), root).string());
  }
  return tree;
}

struct Fixture {
  testing::TempDir dir{"memhook-import-test"};
  fs::path src = dir.path() / "src";
  std::string db = (dir.path() / "store.sqlite").string();

  Fixture() { HostDir(src); }

  std::unique_ptr<Store> Open(const StoreOptions& options = {}) {
    Status status;
    std::unique_ptr<Store> store = OpenSqliteStore(db, options, &status);
    REQUIRE_MESSAGE(store != nullptr, status.message());
    return store;
  }
};

ImportResult Import(Store& store, const fs::path& src, const ImportOptions& options = {}) {
  ImportResult result;
  Status st = ImportTree(store, src.string(), options, &result);
  REQUIRE_MESSAGE(st.ok(), st.message());
  return result;
}

Store::ChangeInfo Info(const fs::path& src) {
  return Store::ChangeInfo{"memhook import " + src.string(), "", "/work", "import"};
}

// An import as `memhook import` makes it: one change. Its id, 0 when it
// changed nothing.
int64_t ImportAsChange(Store& store, const fs::path& src, ImportResult* result = nullptr) {
  REQUIRE(store.BeginChange(Info(src)).ok());
  ImportResult r = Import(store, src);
  if (result != nullptr) *result = r;
  int64_t id = -1;
  Status st = store.CommitChange(&id);
  REQUIRE_MESSAGE(st.ok(), st.message());
  return id;
}

size_t ChangeCount(Store& store) {
  std::vector<Store::ChangeRecord> changes;
  Store::ChangeFilter filter;
  filter.limit = 1000;
  REQUIRE(store.ListChanges(filter, &changes).ok());
  return changes.size();
}

std::vector<std::string> Names(Store& store, const std::string& dir) {
  std::vector<DirEntry> entries;
  REQUIRE(store.ListDir(dir, &entries).ok());
  std::vector<std::string> names;
  for (const DirEntry& e : entries) names.push_back(e.name);
  return names;
}

std::string Read(Store& store, const std::string& path) {
  std::string bytes;
  Status st = store.ReadFile(path, &bytes);
  return st.ok() ? bytes : "<" + st.message() + ">";
}

// A source tree with files, a session log (stored as lines), nested and
// empty directories, and varied modes and mtimes.
void MakeTree(const fs::path& src) {
  HostDir(src / "notes/deep");
  HostDir(src / "sessions/2026");
  HostDir(src / "empty", 0700);
  HostFile(src / "a.md", "# A\nalpha\n", 0644, kBase + 1);
  HostFile(src / "notes/b.md", "bee\n", 0600, kBase + 2);
  HostFile(src / "notes/deep/c.txt", std::string("bin\0ary", 7), 0640, kBase + 3);
  HostFile(src / "sessions/2026/s.jsonl", "{\"a\":1}\n{\"b\":2}\n", 0644, kBase + 4);
  HostFile(src / "f-then-dir", "a file for now\n", 0644, kBase + 5);
  HostDir(src / "dir-then-f/x");
  HostFile(src / "dir-then-f/x/y.md", "y\n", 0644, kBase + 6);
  SetMtime(src / "dir-then-f/x", kBase + 60);
  SetMtime(src / "dir-then-f", kBase + 61);
  SetMtime(src / "notes/deep", kBase + 70);
  SetMtime(src / "notes", kBase + 71);
  SetMtime(src / "sessions/2026", kBase + 72);
  SetMtime(src / "sessions", kBase + 73);
  SetMtime(src / "empty", kBase + 74);
  SetMtime(src, kBase + 99);
}

// Every kind of edit: deleted file and directory, changed bytes, mode and
// mtime alone, a file that became a directory and the reverse, new files.
void EditTree(const fs::path& src) {
  fs::remove(src / "a.md");
  fs::remove_all(src / "sessions");
  HostFile(src / "notes/b.md", "bee, changed\n", 0600, kBase + 2);
  REQUIRE(::chmod((src / "notes/deep/c.txt").c_str(), 0755) == 0);
  fs::remove(src / "f-then-dir");
  HostDir(src / "f-then-dir");
  HostFile(src / "f-then-dir/inside.md", "inside\n", 0644, kBase + 7);
  fs::remove_all(src / "dir-then-f");
  HostFile(src / "dir-then-f", "now a file\n", 0444, kBase + 8);
  HostFile(src / "new.md", "new\n", 0644, kBase + 9);
  SetMtime(src / "f-then-dir", kBase + 80);
  SetMtime(src / "notes", kBase + 81);
  SetMtime(src, kBase + 199);
}

TEST_CASE("import copies the tree exactly: bytes, modes, mtimes, empty directories") {
  Fixture f;
  MakeTree(f.src);
  auto store = f.Open();
  ImportResult result = Import(*store, f.src);
  CHECK(result.files == 6);
  CHECK(result.skipped.empty());
  CHECK(Snapshot(*store) == HostSnapshot(f.src));
  // The generated index is still there: no real one was imported.
  Stat index;
  REQUIRE(store->GetStat("index.md", &index).ok());
  CHECK(index.storage == Storage::kVirtual);
}

TEST_CASE("symbolic links to files inside are copied; other links and special files are skipped") {
  Fixture f;
  const fs::path outside = f.dir.path() / "outside";
  HostDir(outside);
  HostFile(outside / "secret", "secret\n");
  // A sibling whose name starts with the source's: still outside.
  HostDir(f.dir.path() / "src-other");
  HostFile(f.dir.path() / "src-other/x", "other\n");
  HostFile(f.src / "real.md", "real\n", 0600, kBase + 5);
  HostDir(f.src / "sub");
  HostFile(f.src / "sub/inner.md", "inner\n");
  Symlink("real.md", f.src / "link.md");                         // relative, inside
  Symlink((f.src / "sub/inner.md").string(), f.src / "abs.md");  // absolute, inside
  Symlink("../../src/real.md", f.src / "sub/around.md");         // leaves and comes back
  Symlink("link.md", f.src / "chain.md");                        // a link to a link, inside
  Symlink((outside / "secret").string(), f.src / "secret.md");   // outside
  Symlink("../src-other/x", f.src / "prefix.md");                // outside, same prefix
  Symlink("../../outside/secret", f.src / "sub/up.md");          // outside, relative
  Symlink("/nonexistent/target", f.src / "dangling");            // dangling
  Symlink("loop", f.src / "loop");                               // a loop
  Symlink("sub", f.src / "dirlink");                             // a directory inside
  Symlink(".", f.src / "self");                                  // the source itself
  Symlink(outside.string(), f.src / "outdir");                   // a directory outside
  REQUIRE(::mkfifo((f.src / "fifo").c_str(), 0644) == 0);
  Symlink("fifo", f.src / "fifolink");  // a special file
  // A socket (bound, then closed: the node stays).
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    struct sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    const std::string path = (f.src / "sock").string();
    REQUIRE(path.size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    REQUIRE(::bind(fd, reinterpret_cast<const struct sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);
  }

  auto store = f.Open();
  ImportResult result = Import(*store, f.src);
  CHECK(result.files == 6);
  CHECK(Names(*store, "") ==
        std::vector<std::string>{"abs.md", "chain.md", "index.md", "link.md", "real.md", "sub"});
  CHECK(Names(*store, "sub") == std::vector<std::string>{"around.md", "inner.md"});
  CHECK(Read(*store, "link.md") == "real\n");
  CHECK(Read(*store, "chain.md") == "real\n");
  CHECK(Read(*store, "abs.md") == "inner\n");
  CHECK(Read(*store, "sub/around.md") == "real\n");
  // A copy takes its target's mode and mtime.
  Stat link;
  REQUIRE(store->GetStat("link.md", &link).ok());
  CHECK(link.kind == NodeKind::kFile);
  CHECK(link.mode == 0600);
  CHECK(link.mtime_ns == kBase + 5);

  std::map<std::string, std::string> skipped;
  for (const auto& s : result.skipped) skipped[s.path] = s.reason;
  const std::string src = f.src.string();
  const std::map<std::string, std::string> expected = {
      {"dangling", "a dangling symbolic link"},
      {"dirlink", "a symbolic link to a directory (not followed)"},
      {"fifo", "a fifo"},
      {"fifolink", "a symbolic link to a special file"},
      {"loop", "a symbolic link loop"},
      {"outdir", "a symbolic link to a directory outside " + src},
      {"prefix.md", "a symbolic link to a file outside " + src},
      {"secret.md", "a symbolic link to a file outside " + src},
      {"self", "a symbolic link to a directory (not followed)"},
      {"sock", "a socket"},
      {"sub/up.md", "a symbolic link to a file outside " + src},
  };
  for (const auto& [path, reason] : expected) {
    INFO(path);
    CHECK(skipped[path] == reason);
  }
  CHECK(result.skipped.size() == expected.size());
  // In walk order.
  CHECK(std::is_sorted(result.skipped.begin(), result.skipped.end(),
                       [](const auto& a, const auto& b) { return a.path < b.path; }));

  // The outside file's bytes are nowhere in the store.
  for (const auto& [path, entry] : Snapshot(*store)) {
    CHECK(entry.find("secret") == std::string::npos);
  }
  // A link that was a copy and now leads outside: the copy goes.
  fs::remove(f.src / "link.md");
  Symlink((outside / "secret").string(), f.src / "link.md");
  result = Import(*store, f.src);
  Stat gone;
  CHECK(store->GetStat("link.md", &gone).code() == Code::kNotFound);
  CHECK(store->GetStat("chain.md", &gone).code() == Code::kNotFound);  // it led there
  CHECK(result.removed == 2);
}

TEST_CASE("re-import mirrors the source: deleted files and directories are removed") {
  Fixture f;
  MakeTree(f.src);
  auto store = f.Open();
  Import(*store, f.src);
  fs::remove(f.src / "a.md");
  fs::remove_all(f.src / "notes");
  fs::remove_all(f.src / "empty");
  SetMtime(f.src, kBase + 123);
  ImportResult result = Import(*store, f.src);
  CHECK(result.removed == 3);  // a.md, notes/ (with what is below it), empty/
  CHECK(Snapshot(*store) == HostSnapshot(f.src));
  Stat stat;
  CHECK(store->GetStat("notes/deep/c.txt", &stat).code() == Code::kNotFound);

  // Keeping what the source lacks: only when asked.
  REQUIRE(store->WriteFile("kept.md", "kept\n", 0644, kBase).ok());
  ImportOptions keep;
  keep.mirror = false;
  result = Import(*store, f.src, keep);
  CHECK(result.removed == 0);
  CHECK(Read(*store, "kept.md") == "kept\n");
  Import(*store, f.src);
  CHECK(store->GetStat("kept.md", &stat).code() == Code::kNotFound);
}

TEST_CASE("a directory that became a file, and a file that became a directory") {
  Fixture f;
  MakeTree(f.src);
  auto store = f.Open();
  Import(*store, f.src);
  EditTree(f.src);
  Import(*store, f.src);
  CHECK(Snapshot(*store) == HostSnapshot(f.src));
  CHECK(Read(*store, "dir-then-f") == "now a file\n");
  CHECK(Read(*store, "f-then-dir/inside.md") == "inside\n");
  // And back again.
  fs::remove(f.src / "dir-then-f");
  HostDir(f.src / "dir-then-f");
  HostFile(f.src / "dir-then-f/z.md", "z\n");
  fs::remove_all(f.src / "f-then-dir");
  HostFile(f.src / "f-then-dir", "a file again\n");
  Import(*store, f.src);
  CHECK(Snapshot(*store) == HostSnapshot(f.src));
}

TEST_CASE("an unchanged re-import rewrites nothing and records no change") {
  Fixture f;
  MakeTree(f.src);
  StoreOptions traced;
  traced.trace = true;
  auto store = f.Open(traced);
  CHECK(ImportAsChange(*store, f.src) > 0);
  const size_t changes = ChangeCount(*store);
  const Tree before = Snapshot(*store);
  store->TakeTrace();

  ImportResult result;
  CHECK(ImportAsChange(*store, f.src, &result) == 0);
  CHECK(result.files == 6);
  CHECK(result.written == 0);
  CHECK(result.removed == 0);
  CHECK(ChangeCount(*store) == changes);
  CHECK(Snapshot(*store) == before);
  // Not even a touch of a row: the only statements writing the tree's
  // tables would be INSERT / UPDATE / DELETE on them.
  for (const std::string& sql : store->TakeTrace()) {
    INFO(sql);
    for (const char* table : {"memory", "session_files", "sessions", "dirs", "history"}) {
      for (const std::string verb : {"INSERT INTO ", "UPDATE ", "DELETE FROM "}) {
        CHECK(sql.find(verb + table + " ") == std::string::npos);
        CHECK(sql.find(verb + table + "(") == std::string::npos);
      }
    }
  }
  // Outside a change too.
  result = Import(*store, f.src);
  CHECK(result.written == 0);
  CHECK(ChangeCount(*store) == changes);

  // One touched file: one path in the change (and the root is not in it).
  SetMtime(f.src / "notes/b.md", kBase + 1000);
  REQUIRE(ImportAsChange(*store, f.src, &result) > 0);
  CHECK(result.written == 1);
  std::vector<Store::ChangeRecord> log;
  REQUIRE(store->ListChanges({}, &log).ok());
  REQUIRE(!log.empty());
  CHECK(log[0].paths == std::vector<std::string>{"notes/b.md"});
  CHECK(log[0].info.origin == "import");
}

TEST_CASE("an import is one change: undo restores the previous tree exactly") {
  Fixture f;
  MakeTree(f.src);
  auto store = f.Open();
  // Into a store that already holds something the source lacks.
  REQUIRE(store->WriteFile("old/only-here.md", "old\n", 0600, kBase + 500).ok());
  const Tree empty_then = Snapshot(*store);
  const int64_t first = ImportAsChange(*store, f.src);
  REQUIRE(first > 0);
  const Tree first_tree = Snapshot(*store);
  CHECK(first_tree == HostSnapshot(f.src));

  EditTree(f.src);
  const int64_t second = ImportAsChange(*store, f.src);
  REQUIRE(second > first);
  const Tree second_tree = Snapshot(*store);
  CHECK(second_tree == HostSnapshot(f.src));

  const Store::ChangeInfo undo{"memhook undo", "", "/work", "undo"};
  int64_t undone = 0;
  Status st = store->Undo(0, undo, &undone);
  REQUIRE_MESSAGE(st.ok(), st.message());
  CHECK(undone == second);
  CHECK(Snapshot(*store) == first_tree);

  // Then the first: the store as it was before any import (the root's
  // attributes aside: the root had none recorded before the first import).
  st = store->Undo(0, undo, &undone);
  REQUIRE_MESSAGE(st.ok(), st.message());
  CHECK(undone == first);
  Tree now = Snapshot(*store);
  Tree then = empty_then;
  now.erase("");
  then.erase("");
  CHECK(now == then);

  // Undoing that undo redoes the first import.
  std::vector<Store::ChangeRecord> log;
  REQUIRE(store->ListChanges({}, &log).ok());
  REQUIRE(store->Undo(log[0].id, undo, &undone).ok());
  CHECK(Snapshot(*store) == first_tree);
}

TEST_CASE("an import joins an open change; a bulk load given up leaves the change as it was") {
  Fixture f;
  HostFile(f.src / "a.md", "a\n");
  auto store = f.Open();
  REQUIRE(store->BeginChange(Info(f.src)).ok());
  REQUIRE(store->WriteFile("before.md", "before\n", 0644, kBase).ok());
  {
    std::unique_ptr<internal::BulkWriter> writer;
    REQUIRE(dynamic_cast<internal::BulkCapable*>(store.get())->BeginBulk(&writer).ok());
    REQUIRE(writer->PutFile("dropped.md", "dropped\n", 0644, kBase).ok());
    REQUIRE(writer->PutFile("before.md", "overwritten\n", 0644, kBase).ok());
  }  // destroyed without Commit
  Stat stat;
  CHECK(store->GetStat("dropped.md", &stat).code() == Code::kNotFound);
  CHECK(Read(*store, "before.md") == "before\n");
  // dropped.md's history row went with the bulk load: written again, it
  // must be recorded again, or undo would leave it behind.
  REQUIRE(store->WriteFile("dropped.md", "again\n", 0644, kBase).ok());
  ImportOptions keep;
  keep.mirror = false;
  Import(*store, f.src, keep);
  int64_t id = 0;
  REQUIRE(store->CommitChange(&id).ok());
  REQUIRE(id > 0);
  std::vector<Store::ChangeRecord> log;
  REQUIRE(store->ListChanges({}, &log).ok());
  REQUIRE(log.size() == 1);
  CHECK(log[0].paths == std::vector<std::string>{"", "a.md", "before.md", "dropped.md"});
  REQUIRE(store->Undo(id, Store::ChangeInfo{"undo", "", "/work", "undo"}, nullptr).ok());
  CHECK(store->GetStat("dropped.md", &stat).code() == Code::kNotFound);
  CHECK(store->GetStat("before.md", &stat).code() == Code::kNotFound);
  CHECK(store->GetStat("a.md", &stat).code() == Code::kNotFound);
}

TEST_CASE("index.md: the generated one is never removed, a real one is mirrored") {
  Fixture f;
  HostFile(f.src / "a.md", "# A\n");
  auto store = f.Open();
  ImportResult result = Import(*store, f.src);
  CHECK(result.removed == 0);
  HostFile(f.src / "index.md", "my own index\n");
  Import(*store, f.src);
  CHECK(Read(*store, "index.md") == "my own index\n");
  fs::remove(f.src / "index.md");
  result = Import(*store, f.src);
  CHECK(result.removed == 1);
  Stat index;
  REQUIRE(store->GetStat("index.md", &index).ok());
  CHECK(index.storage == Storage::kVirtual);  // generated again
  result = Import(*store, f.src);
  CHECK(result.removed == 0);
  CHECK(result.written == 0);
}

// Two trees of `files` files each, imported at once by two processes.
void MakeBigTree(const fs::path& dir, int files, const std::string& tag) {
  for (int i = 0; i < files; ++i) {
    const fs::path sub = dir / ("d" + std::to_string(i / 100));
    if (i % 100 == 0) HostDir(sub);
    HostFile(sub / ("n" + std::to_string(i) + ".md"),
             "# " + tag + " " + std::to_string(i) + "\nsome words of a note\n", 0644, kBase + i);
  }
}

// A process importing `src` as `memhook import` does. With `go` >= 0 it
// first waits for a byte on that pipe: SQLite connections must not cross a
// fork, so a child that must start while the parent holds the lock is
// forked before the parent opens the store.
pid_t ForkImport(const std::string& db, const fs::path& src, int go = -1) {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    char byte = 0;
    if (go >= 0 && ::read(go, &byte, 1) != 1) _exit(5);
    Status status;
    auto store = OpenSqliteStore(db, {}, &status);
    if (!store) _exit(1);
    if (!store->BeginChange({"memhook import " + src.string(), "", "/", "import"}).ok()) _exit(2);
    ImportResult result;
    status = ImportTree(*store, src.string(), ImportOptions(), &result);
    if (!status.ok()) {
      std::fprintf(stderr, "import: %s\n", status.message().c_str());
      _exit(3);
    }
    if (!store->CommitChange(nullptr).ok()) _exit(4);
    _exit(0);
  }
  return child;
}

int Wait(pid_t child) {
  int wstatus = 0;
  REQUIRE(waitpid(child, &wstatus, 0) == child);
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

TEST_CASE("two concurrent imports both succeed; the store is one of the two trees") {
  Fixture f;
  const fs::path one = f.dir.path() / "one", two = f.dir.path() / "two";
  MakeBigTree(one, 3000, "one");
  MakeBigTree(two, 3000, "two");
  { f.Open(); }  // the schema exists before the race
  const pid_t a = ForkImport(f.db, one);
  const pid_t b = ForkImport(f.db, two);
  CHECK(Wait(a) == 0);
  CHECK(Wait(b) == 0);
  auto store = f.Open();
  const Tree tree = Snapshot(*store);
  CHECK((tree == HostSnapshot(one) || tree == HostSnapshot(two)));
  CHECK(ChangeCount(*store) == 2);
}

TEST_CASE("an import waits for a writer that holds the lock longer than the busy timeout") {
  Fixture f;
  HostFile(f.src / "a.md", "a\n");
  int go[2];
  REQUIRE(::pipe(go) == 0);
  const pid_t child = ForkImport(f.db, f.src, go[0]);
  ::close(go[0]);
  {
    auto holder = f.Open();
    REQUIRE(holder->BeginChange({"hold", "", "/", "shell"}).ok());
    REQUIRE(holder->WriteFile("held.md", "held\n", 0644, kBase).ok());  // takes the lock
    REQUIRE(::write(go[1], "g", 1) == 1);
    ::close(go[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(6000));
    REQUIRE(holder->CommitChange(nullptr).ok());
  }
  CHECK(Wait(child) == 0);
  auto store = f.Open();
  CHECK(Read(*store, "a.md") == "a\n");
  Stat stat;
  CHECK(store->GetStat("held.md", &stat).code() == Code::kNotFound);  // mirrored away
}

TEST_CASE("import errors: a missing source, a file, a read-only store") {
  Fixture f;
  auto store = f.Open();
  ImportResult result;
  CHECK(ImportTree(*store, (f.src / "missing").string(), {}, &result).code() == Code::kNotFound);
  HostFile(f.src / "a.md", "a\n");
  CHECK(ImportTree(*store, (f.src / "a.md").string(), {}, &result).code() == Code::kNotADirectory);
  StoreOptions ro;
  ro.read_only = true;
  auto read_only = f.Open(ro);
  CHECK(ImportTree(*read_only, f.src.string(), {}, &result).code() == Code::kReadOnly);
}

}  // namespace
}  // namespace memhook::vfs
