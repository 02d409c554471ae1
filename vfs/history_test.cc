// Changes and history of the SQLite store: a change is all or nothing (also
// when its process is killed), other connections see it only once
// committed, appends to session logs add rows, and undo / restore /
// ReadVersion give back exactly what was there.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/test_support.h"
#include "vfs/vfs.h"

namespace memhook::vfs {
namespace {

using Code = Status::Code;
constexpr int64_t kBase = 1700000000123456789;

struct Fixture {
  testing::TempDir dir{"memhook-history-test"};
  std::string db = (dir.path() / "store.sqlite").string();

  std::unique_ptr<Store> Open(const StoreOptions& options = {}) {
    Status status;
    std::unique_ptr<Store> store = OpenSqliteStore(db, options, &status);
    REQUIRE_MESSAGE(store != nullptr, status.message());
    return store;
  }
};

// The whole tree as "path -> kind mode [bytes]", for exact comparisons.
std::map<std::string, std::string> Snapshot(Store& store) {
  std::map<std::string, std::string> tree;
  REQUIRE(store
              .Walk("",
                    [&](const std::string& path, const Stat& stat) {
                      std::string entry = stat.kind == NodeKind::kDirectory ? "d " : "f ";
                      entry += std::to_string(stat.mode) + " " + std::to_string(stat.mtime_ns);
                      if (stat.kind == NodeKind::kFile) {
                        std::string bytes;
                        REQUIRE(store.ReadFile(path, &bytes).ok());
                        entry += " " + bytes;
                      }
                      tree[path] = entry;
                      return true;
                    })
              .ok());
  return tree;
}

Store::ChangeInfo Info(std::string command, std::string session = "s1") {
  return Store::ChangeInfo{std::move(command), std::move(session), "/work", "shell"};
}

int64_t Commit(Store& store) {
  int64_t id = -1;
  Status st = store.CommitChange(&id);
  REQUIRE_MESSAGE(st.ok(), st.message());
  return id;
}

std::string Read(Store& store, const std::string& path) {
  std::string bytes;
  Status st = store.ReadFile(path, &bytes);
  return st.ok() ? bytes : "<" + st.message() + ">";
}

TEST_CASE("a change is invisible to others until it commits, and a rollback leaves nothing") {
  Fixture f;
  auto store = f.Open();
  REQUIRE(store->WriteFile("notes/a.md", "one\n", 0644, kBase).ok());
  auto before = Snapshot(*store);

  REQUIRE(store->BeginChange(Info("echo two >> notes/a.md; mkdir x")).ok());
  CHECK(store->InChange());
  REQUIRE(store->AppendFile("notes/a.md", "two\n", kBase + 1).ok());
  REQUIRE(store->MakeDirectory("x", 0755, kBase).ok());
  CHECK(Read(*store, "notes/a.md") == "one\ntwo\n");  // the change sees its own writes

  auto other = f.Open(StoreOptions{.read_only = true});
  CHECK(Read(*other, "notes/a.md") == "one\n");
  Stat stat;
  CHECK(other->GetStat("x", &stat).IsNotFound());

  store->RollbackChange();
  CHECK_FALSE(store->InChange());
  CHECK(Snapshot(*store) == before);
  std::vector<Store::ChangeRecord> log;
  REQUIRE(store->ListChanges({}, &log).ok());
  CHECK(log.empty());

  // The same, committed: visible to a new reader, one change in the log.
  REQUIRE(store->BeginChange(Info("echo two >> notes/a.md")).ok());
  REQUIRE(store->AppendFile("notes/a.md", "two\n", kBase + 1).ok());
  int64_t id = Commit(*store);
  CHECK(id > 0);
  CHECK(Read(*f.Open(StoreOptions{.read_only = true}), "notes/a.md") == "one\ntwo\n");
  REQUIRE(store->ListChanges({}, &log).ok());
  REQUIRE(log.size() == 1);
  CHECK(log[0].id == id);
  CHECK(log[0].info.command == "echo two >> notes/a.md");
  CHECK(log[0].info.session_id == "s1");
  CHECK(log[0].paths == std::vector<std::string>{"notes/a.md"});
}

TEST_CASE("a change that writes nothing records nothing") {
  Fixture f;
  auto store = f.Open();
  REQUIRE(store->BeginChange(Info("cat a")).ok());
  CHECK(Commit(*store) == 0);
  std::vector<Store::ChangeRecord> log;
  REQUIRE(store->ListChanges({}, &log).ok());
  CHECK(log.empty());
}

TEST_CASE("a process killed in the middle of a change leaves the store as it was") {
  Fixture f;
  {
    auto store = f.Open();
    REQUIRE(store->WriteFile("a.md", "kept\n", 0644, kBase).ok());
  }
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    Status status;
    auto store = OpenSqliteStore(f.db, {}, &status);
    if (!store || !store->BeginChange(Info("rm a.md; echo x > b.md")).ok()) _exit(1);
    if (!store->Remove("a.md").ok()) _exit(1);
    if (!store->WriteFile("b.md", std::string(1 << 20, 'x'), 0644, -1).ok()) _exit(1);
    (void)!write(ready[1], "k", 1);
    pause();  // killed here, the change open
    _exit(0);
  }
  close(ready[1]);
  char c = 0;
  REQUIRE(read(ready[0], &c, 1) == 1);
  close(ready[0]);
  kill(child, SIGKILL);
  int wstatus = 0;
  waitpid(child, &wstatus, 0);
  CHECK(WIFSIGNALED(wstatus));
  auto store = f.Open();
  CHECK(Read(*store, "a.md") == "kept\n");
  Stat stat;
  CHECK(store->GetStat("b.md", &stat).IsNotFound());
  // And the store takes writes again (the lock died with the process).
  REQUIRE(store->BeginChange(Info("echo y > c.md")).ok());
  REQUIRE(store->WriteFile("c.md", "y\n", 0644, -1).ok());
  CHECK(Commit(*store) > 0);
}

TEST_CASE("appending to a session log adds rows and keeps every byte") {
  Fixture f;
  auto store = f.Open();
  const std::string log = "sessions/2026-12/s.jsonl";
  REQUIRE(store->WriteFile(log, "{\"a\":1}\n{\"b\":", 0644, kBase).ok());
  std::string expected = "{\"a\":1}\n{\"b\":";
  for (const std::string piece : {"2}\n", "{\"c\":3}\n{\"d\"", ":4}\n", "", "tail"}) {
    REQUIRE(store->AppendFile(log, piece, kBase + 5).ok());
    expected += piece;
    CHECK(Read(*store, log) == expected);
  }
  Stat stat;
  REQUIRE(store->GetStat(log, &stat).ok());
  CHECK(stat.storage == Storage::kLines);
  CHECK(stat.size == expected.size());
  CHECK(stat.line_count == 4);
  std::vector<Line> lines;
  bool ends_with_newline = true;
  REQUIRE(store->ReadLines(log, 4, 0, &lines, &ends_with_newline).ok());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].text == "{\"d\":4}");
  CHECK(lines[1].text == "tail");
  CHECK_FALSE(ends_with_newline);
  // The content index knows the appended rows.
  std::vector<std::string> hits;
  Store::SubstringQuery query;
  query.atom = "\"d\":4";
  REQUIRE(store->FindCandidates("", query, &hits).ok());
  CHECK(hits == std::vector<std::string>{log});

  // Bytes a row cannot hold turn the log into a blob, still exact.
  REQUIRE(store->AppendFile(log, std::string("\r\0x\n", 4), kBase).ok());
  expected += std::string("\r\0x\n", 4);
  CHECK(Read(*store, log) == expected);
  CHECK(store->AppendFile("missing.md", "x", kBase).IsNotFound());
  REQUIRE(store->MakeDirectory("d", 0755, kBase).ok());
  CHECK(store->AppendFile("d", "x", kBase).code() == Code::kIsADirectory);
}

TEST_CASE("rename moves files and whole directories with their attributes") {
  Fixture f;
  auto store = f.Open();
  REQUIRE(store->MakeDirectory("a", 0700, kBase).ok());
  REQUIRE(store->WriteFile("a/one.md", "1\n", 0600, kBase + 1).ok());
  REQUIRE(store->WriteFile("a/sub/two.md", "2\n", 0644, kBase + 2).ok());
  REQUIRE(store->WriteFile("sessions/2026-12/x.jsonl", "{}\n", 0644, kBase).ok());
  auto before = Snapshot(*store);

  REQUIRE(store->Rename("a", "b").ok());
  auto after = Snapshot(*store);
  for (const auto& [path, entry] : before) {
    if (path == "a" || path.starts_with("a/")) CHECK(after.at("b" + path.substr(1)) == entry);
  }
  CHECK(after.count("a") == 0);
  CHECK(after.count("a/one.md") == 0);

  // A session log renamed out of sessions/ becomes a blob, same bytes.
  REQUIRE(store->Rename("sessions/2026-12/x.jsonl", "x.jsonl").ok());
  CHECK(Read(*store, "x.jsonl") == "{}\n");

  CHECK(store->Rename("b", "b/sub/c").code() == Code::kInvalidArgument);
  CHECK(store->Rename("b", "x.jsonl").code() == Code::kAlreadyExists);
  CHECK(store->Rename("nope", "y").IsNotFound());
  CHECK(store->Rename("x.jsonl", "no/such/dir/y").IsNotFound());
  CHECK(store->Rename("x.jsonl", "b/one.md/y").code() == Code::kNotADirectory);
}

TEST_CASE("attributes change alone") {
  Fixture f;
  auto store = f.Open();
  REQUIRE(store->WriteFile("a.md", "a\n", 0644, kBase).ok());
  REQUIRE(store->MakeDirectory("d", 0755, kBase).ok());
  Store::Attributes chmod;
  chmod.set_mode = true;
  chmod.mode = 0600;
  REQUIRE(store->SetAttributes("a.md", chmod).ok());
  Store::Attributes touch;
  touch.set_mtime = true;
  touch.mtime_ns = kBase + 42;
  REQUIRE(store->SetAttributes("d", touch).ok());
  Stat stat;
  REQUIRE(store->GetStat("a.md", &stat).ok());
  CHECK(stat.mode == 0600);
  CHECK(stat.mtime_ns == kBase);
  REQUIRE(store->GetStat("d", &stat).ok());
  CHECK(stat.mode == 0755);
  CHECK(stat.mtime_ns == kBase + 42);
  CHECK(Read(*store, "a.md") == "a\n");
  CHECK(store->SetAttributes("nope", touch).IsNotFound());
}

TEST_CASE("undo puts back every path a change wrote, and undoing the undo redoes it") {
  Fixture f;
  auto store = f.Open();
  REQUIRE(store->WriteFile("keep.md", "keep\n", 0644, kBase).ok());
  REQUIRE(store->WriteFile("dir/a.md", "a\n", 0640, kBase).ok());
  REQUIRE(store->WriteFile("dir/deep/b.md", "b\n", 0644, kBase).ok());
  REQUIRE(store->WriteFile("sessions/2026-12/s.jsonl", "{\"n\":1}\n", 0644, kBase).ok());
  auto v0 = Snapshot(*store);

  REQUIRE(store->BeginChange(Info("a messy command line")).ok());
  REQUIRE(store->Remove("dir").ok());
  REQUIRE(store->WriteFile("keep.md", "rewritten\n", 0600, kBase + 9).ok());
  REQUIRE(store->AppendFile("sessions/2026-12/s.jsonl", "{\"n\":2}\n", kBase + 9).ok());
  REQUIRE(store->WriteFile("new/deeper/c.md", "c\n", 0644, kBase + 9).ok());
  Store::Attributes chmod;
  chmod.set_mode = true;
  chmod.mode = 0444;
  REQUIRE(store->SetAttributes("sessions/2026-12/s.jsonl", chmod).ok());
  const int64_t messy = Commit(*store);
  auto v1 = Snapshot(*store);

  int64_t undone = 0;
  REQUIRE(store->Undo(0, Info("memhook undo"), &undone).ok());
  CHECK(undone == messy);
  auto restored = Snapshot(*store);
  CHECK(restored == v0);

  std::vector<Store::ChangeRecord> log;
  REQUIRE(store->ListChanges({}, &log).ok());
  REQUIRE(log.size() == 2);
  CHECK(log[0].undoes == messy);
  CHECK(log[1].undone_by == log[0].id);
  // Undoing it again is refused; undoing the undo redoes the change.
  CHECK(store->Undo(messy, Info("memhook undo"), nullptr).code() == Code::kConflict);
  REQUIRE(store->Undo(log[0].id, Info("memhook undo"), nullptr).ok());
  CHECK(Snapshot(*store) == v1);
}

TEST_CASE("undo of an older change waits for the later ones that wrote the same paths") {
  Fixture f;
  auto store = f.Open();
  REQUIRE(store->BeginChange(Info("echo 1 > a")).ok());
  REQUIRE(store->WriteFile("a", "1\n", 0644, kBase).ok());
  const int64_t first = Commit(*store);
  REQUIRE(store->BeginChange(Info("echo 2 > a")).ok());
  REQUIRE(store->WriteFile("a", "2\n", 0644, kBase).ok());
  const int64_t second = Commit(*store);
  REQUIRE(store->BeginChange(Info("echo x > other")).ok());
  REQUIRE(store->WriteFile("other", "x\n", 0644, kBase).ok());
  Commit(*store);

  Status st = store->Undo(first, Info("memhook undo"), nullptr);
  CHECK(st.code() == Code::kConflict);
  CHECK(st.message().find(std::to_string(second)) != std::string::npos);
  CHECK(Read(*store, "a") == "2\n");
  REQUIRE(store->Undo(second, Info("memhook undo"), nullptr).ok());
  CHECK(Read(*store, "a") == "1\n");
  // The later change is cancelled by its undo: the first can go now.
  REQUIRE(store->Undo(first, Info("memhook undo"), nullptr).ok());
  Stat stat;
  CHECK(store->GetStat("a", &stat).IsNotFound());
  CHECK(Read(*store, "other") == "x\n");
}

TEST_CASE("versions: the state of a path right after any change, deleted files restored") {
  Fixture f;
  auto store = f.Open();
  std::vector<int64_t> ids;
  const std::string log = "sessions/2026-12/v.jsonl";
  for (const std::string body : {"v1\n", "v2\n", "v3\n"}) {
    REQUIRE(store->BeginChange(Info("write " + body)).ok());
    REQUIRE(store->WriteFile("n.md", body, 0644, kBase).ok());
    if (ids.empty()) {
      REQUIRE(store->WriteFile(log, "{\"l\":0}\n", 0644, kBase).ok());
    } else {
      REQUIRE(store->AppendFile(log, "{\"l\":" + std::to_string(ids.size()) + "}\n", kBase).ok());
    }
    ids.push_back(Commit(*store));
  }
  REQUIRE(store->BeginChange(Info("rm n.md")).ok());
  REQUIRE(store->Remove("n.md").ok());
  const int64_t removed = Commit(*store);

  Store::Version v;
  for (size_t i = 0; i < ids.size(); ++i) {
    REQUIRE(store->ReadVersion("n.md", ids[i], &v).ok());
    CHECK(v.exists);
    CHECK(v.bytes == "v" + std::to_string(i + 1) + "\n");
    REQUIRE(store->ReadVersion(log, ids[i], &v).ok());
    std::string want;
    for (size_t k = 0; k <= i; ++k) want += "{\"l\":" + std::to_string(k) + "}\n";
    CHECK(v.bytes == want);
  }
  REQUIRE(store->ReadVersion("n.md", removed, &v).ok());
  CHECK_FALSE(v.exists);
  REQUIRE(store->ReadVersion("n.md", ids[0] - 1, &v).ok());
  CHECK_FALSE(v.exists);

  REQUIRE(store->Restore("n.md", ids[1], Info("memhook restore n.md@2")).ok());
  CHECK(Read(*store, "n.md") == "v2\n");
  std::vector<Store::ChangeRecord> changes;
  Store::ChangeFilter filter;
  filter.path = "n.md";
  REQUIRE(store->ListChanges(filter, &changes).ok());
  CHECK(changes.size() == 5);
  CHECK(changes[0].info.command == "memhook restore n.md@2");
  CHECK(store->Restore("never.md", ids[0], Info("restore")).IsNotFound());
}

TEST_CASE("a deleted directory comes back whole") {
  Fixture f;
  auto store = f.Open();
  REQUIRE(store->BeginChange(Info("write proj")).ok());
  REQUIRE(store->WriteFile("proj/a.md", "a\n", 0644, kBase).ok());
  REQUIRE(store->WriteFile("proj/sub/b.md", "b\n", 0600, kBase).ok());
  Commit(*store);
  auto before = Snapshot(*store);
  REQUIRE(store->BeginChange(Info("rm -r proj")).ok());
  REQUIRE(store->Remove("proj").ok());
  const int64_t rm = Commit(*store);
  REQUIRE(store->Restore("proj", rm - 1, Info("memhook restore proj")).ok());
  CHECK(Snapshot(*store) == before);
}

TEST_CASE("history is pruned by whole changes, oldest first") {
  Fixture f;
  StoreOptions options;
  options.history_max_versions = 3;
  auto store = f.Open(options);
  for (int i = 0; i < 6; ++i) {
    REQUIRE(store->BeginChange(Info("write " + std::to_string(i))).ok());
    REQUIRE(store->WriteFile("hot.md", std::to_string(i), 0644, kBase).ok());
    Commit(*store);
  }
  std::vector<Store::ChangeRecord> log;
  REQUIRE(store->ListChanges({}, &log).ok());
  CHECK(log.size() == 3);
  CHECK(log.back().id == 4);
  // Whatever the log lists can be undone (undos add versions too, and
  // prune older changes, which the log then no longer lists).
  int undone = 0;
  for (int round = 0; round < 4; ++round) {
    REQUIRE(store->ListChanges({}, &log).ok());
    const Store::ChangeRecord* target = nullptr;
    for (const auto& record : log) {
      if (record.undoes == 0 && record.undone_by == 0) {
        target = &record;
        break;
      }
    }
    if (target == nullptr) break;  // only undos are left
    ++undone;
    Store::Version before;
    REQUIRE(store->ReadVersion("hot.md", target->id - 1, &before).ok());
    Status st = store->Undo(target->id, Info("undo"), nullptr);
    REQUIRE_MESSAGE(st.ok(), st.message());
    CHECK(Read(*store, "hot.md") == before.bytes);
  }
  CHECK(undone >= 2);

  Fixture g;
  StoreOptions small;
  small.history_max_bytes = 10000;
  auto bytes_store = g.Open(small);
  for (int i = 0; i < 10; ++i) {
    REQUIRE(bytes_store->BeginChange(Info("write")).ok());
    REQUIRE(
        bytes_store->WriteFile("f" + std::to_string(i % 3), std::string(4000, 'a' + i), 0644, kBase)
            .ok());
    Commit(*bytes_store);
  }
  REQUIRE(bytes_store->ListChanges({}, &log).ok());
  CHECK(log.size() < 10);
  CHECK(log.size() >= 2);
}

TEST_CASE("concurrent writers: every append lands, none is lost") {
  Fixture f;
  {
    auto store = f.Open();
    REQUIRE(store->WriteFile("sessions/2026-12/c.jsonl", "", 0644, kBase).ok());
  }
  constexpr int kWriters = 4, kAppends = 25;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      Status status;
      auto store = OpenSqliteStore(f.db, {}, &status);
      if (!store) _exit(1);
      for (int i = 0; i < kAppends; ++i) {
        if (!store->BeginChange(Info("append")).ok()) _exit(2);
        const std::string line =
            "{\"w\":" + std::to_string(w) + ",\"i\":" + std::to_string(i) + "}\n";
        if (!store->AppendFile("sessions/2026-12/c.jsonl", line, -1).ok()) _exit(3);
        int64_t id = 0;
        if (!store->CommitChange(&id).ok()) _exit(4);
      }
      _exit(0);
    }
    children.push_back(child);
  }
  for (pid_t child : children) {
    int wstatus = 0;
    waitpid(child, &wstatus, 0);
    CHECK(WIFEXITED(wstatus));
    CHECK(WEXITSTATUS(wstatus) == 0);
  }
  auto store = f.Open();
  const std::string all = Read(*store, "sessions/2026-12/c.jsonl");
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kAppends; ++i) {
      const std::string line =
          "{\"w\":" + std::to_string(w) + ",\"i\":" + std::to_string(i) + "}\n";
      CHECK(all.find(line) != std::string::npos);
    }
  }
  CHECK(std::count(all.begin(), all.end(), '\n') == kWriters * kAppends);
}

}  // namespace
}  // namespace memhook::vfs
