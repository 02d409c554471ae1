// Changes and history of the SQLite store: a change is all or nothing (also
// when its process is killed), other connections see it only once
// committed, appends to session logs add rows, and undo / restore /
// ReadVersion give back exactly what was there.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
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

TEST_CASE("a write that fails inside a change does not cost a later write its history") {
  Fixture f;
  auto store = f.Open();
  REQUIRE(store->MakeDirectory("d", 0755, kBase).ok());
  REQUIRE(store->WriteFile("d/x.md", "x\n", 0644, kBase).ok());
  auto before = Snapshot(*store);
  REQUIRE(store->BeginChange(Info("echo > d; rm -r d")).ok());
  CHECK(store->WriteFile("d", "", 0644, -1).code() == Code::kIsADirectory);
  REQUIRE(store->Remove("d").ok());
  const int64_t id = Commit(*store);
  REQUIRE(id > 0);
  REQUIRE(store->Undo(id, Info("memhook undo"), nullptr).ok());
  CHECK(Snapshot(*store) == before);

  // Only failed writes: nothing recorded, no change listed.
  REQUIRE(store->BeginChange(Info("echo > d")).ok());
  CHECK(store->WriteFile("d", "", 0644, -1).code() == Code::kIsADirectory);
  CHECK(Commit(*store) == 0);
  std::vector<Store::ChangeRecord> log;
  REQUIRE(store->ListChanges({}, &log).ok());
  CHECK(log.size() == 2);
}

TEST_CASE("a change redone by undoing its undo still blocks undoing an older one") {
  Fixture f;
  auto store = f.Open();
  auto write = [&](const std::string& body) {
    REQUIRE(store->BeginChange(Info("echo " + body + " > a")).ok());
    REQUIRE(store->WriteFile("a", body, 0644, kBase).ok());
    return Commit(*store);
  };
  const int64_t older = write("1");
  const int64_t x = write("2");
  REQUIRE(store->Undo(x, Info("undo"), nullptr).ok());  // y: a is "1"
  std::vector<Store::ChangeRecord> log;
  REQUIRE(store->ListChanges({}, &log).ok());
  const int64_t y = log[0].id;
  REQUIRE(store->Undo(y, Info("undo"), nullptr).ok());  // z: a is "2" again
  CHECK(Read(*store, "a") == "2");
  Status st = store->Undo(older, Info("undo"), nullptr);
  CHECK(st.code() == Code::kConflict);
  CHECK(Read(*store, "a") == "2");
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

TEST_CASE("meta: values outside the tree, with the change; LockChange makes read-modify-write safe") {
  Fixture f;
  {
    auto store = f.Open();
    std::string value;
    bool found = true;
    REQUIRE(store->GetMeta("capture/a", &value, &found).ok());
    CHECK_FALSE(found);
    REQUIRE(store->PutMeta("capture/a", "12").ok());  // outside a change: commits alone
    REQUIRE(store->GetMeta("capture/a", &value, &found).ok());
    CHECK(found);
    CHECK(value == "12");
    // Inside a change: a rollback drops it, the tree never shows it.
    REQUIRE(store->BeginChange(Info("capture")).ok());
    REQUIRE(store->PutMeta("capture/a", "99").ok());
    store->RollbackChange();
    REQUIRE(store->GetMeta("capture/a", &value, &found).ok());
    CHECK(value == "12");
    std::vector<DirEntry> root;
    REQUIRE(store->ListDir("", &root).ok());
    for (const DirEntry& e : root) CHECK(e.name != "meta");
    // A change that only wrote meta commits it, and records no change.
    REQUIRE(store->BeginChange(Info("capture")).ok());
    REQUIRE(store->PutMeta("capture/a", "0").ok());
    int64_t id = -1;
    REQUIRE(store->CommitChange(&id).ok());
    CHECK(id == 0);
    REQUIRE(store->GetMeta("capture/a", &value, &found).ok());
    CHECK(value == "0");
  }
  // 4 processes x 25 increments of one counter: none lost.
  constexpr int kWriters = 4, kRounds = 25;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      Status status;
      auto store = OpenSqliteStore(f.db, {}, &status);
      if (!store) _exit(1);
      for (int i = 0; i < kRounds; ++i) {
        if (!store->BeginChange(Info("capture")).ok()) _exit(2);
        if (!store->LockChange().ok()) _exit(3);
        std::string value;
        bool found = false;
        if (!store->GetMeta("capture/a", &value, &found).ok() || !found) _exit(4);
        if (!store->PutMeta("capture/a", std::to_string(std::stoi(value) + 1)).ok()) _exit(5);
        if (!store->CommitChange(nullptr).ok()) _exit(6);
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
  std::string value;
  bool found = false;
  REQUIRE(store->GetMeta("capture/a", &value, &found).ok());
  CHECK(value == std::to_string(kWriters * kRounds));
}

TEST_CASE("hook calls are logged and listed from a time on, oldest first") {
  Fixture f;
  auto store = f.Open();
  for (int i = 0; i < 5; ++i) {
    Store::HookCall call;
    call.time_ns = kBase + i;
    call.event = "PreToolUse";
    call.route = i % 2 ? "fast" : "shell";
    call.kind = "cat";
    call.latency_us = 100 + i;
    call.bytes = i * 10;
    call.status = i == 4 ? 1 : 0;
    call.error = i == 4 ? "No such file" : "";
    REQUIRE(store->LogHookCall(call).ok());
  }
  std::vector<Store::HookCall> calls;
  REQUIRE(store->ListHookCalls(kBase + 2, &calls).ok());
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].latency_us == 102);
  CHECK(calls[0].route == "shell");
  CHECK(calls[2].status == 1);
  CHECK(calls[2].error == "No such file");
  // Never inside a change: the log is not part of any command line.
  REQUIRE(store->BeginChange(Info("x")).ok());
  CHECK_FALSE(store->LogHookCall(calls[0]).ok());
  store->RollbackChange();
}

// ---------------------------------------------------------------- faults

// The raw database, for integrity checks and for holding its lock.
struct Raw {
  sqlite3* db = nullptr;
  explicit Raw(const std::string& path) { REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK); }
  ~Raw() { sqlite3_close(db); }
  std::string One(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(stmt);
    return out;
  }
};

TEST_CASE("16 processes x 200 command lines: appends, rewrites, moves and reads, nothing lost") {
  Fixture f;
  const std::string log = "sessions/2026-12/stress.jsonl";
  {
    auto store = f.Open();
    REQUIRE(store->WriteFile(log, "", 0644, kBase).ok());
    for (int k = 0; k < 16; ++k) {
      REQUIRE(store->WriteFile("mv/a-" + std::to_string(k), "k", 0644, kBase).ok());
    }
  }
  constexpr int kProcesses = 16, kCommands = 200;
  std::vector<pid_t> children;
  for (int k = 0; k < kProcesses; ++k) {
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child != 0) {
      children.push_back(child);
      continue;
    }
    // Exit codes: 0 fine, 10+op a failed write, 20 an inconsistent read.
    Status status;
    auto store = OpenSqliteStore(f.db, {}, &status);
    if (!store) _exit(9);
    bool moved = false;
    for (int i = 0; i < kCommands; ++i) {
      const int op = (k + i) % 4;
      const std::string id = std::to_string(k) + "-" + std::to_string(i);
      if (op == 3) {
        // A reader sees whole states only: a rewritten file is all of one
        // writer's lines, the log has no torn or repeated line.
        auto reader = OpenSqliteStore(f.db, StoreOptions{.read_only = true}, &status);
        if (!reader) _exit(20);
        std::string bytes;
        if (reader->ReadFile("rw/" + std::to_string(i % 4) + ".md", &bytes).ok() &&
            !bytes.empty()) {
          const std::string first = bytes.substr(0, bytes.find(' '));
          for (size_t at = 0; at < bytes.size(); at = bytes.find('\n', at) + 1) {
            if (bytes.compare(at, first.size() + 1, first + " ") != 0) _exit(21);
          }
          if (std::count(bytes.begin(), bytes.end(), '\n') != 50) _exit(22);
        }
        if (!reader->ReadFile(log, &bytes).ok() || (!bytes.empty() && bytes.back() != '\n'))
          _exit(23);
        continue;
      }
      if (!store->BeginChange(Info("op " + id)).ok()) _exit(10 + op);
      Status st;
      if (op == 0) {
        st = store->AppendFile(log, "{\"id\":\"" + id + "\"}\n", -1);
      } else if (op == 1) {
        std::string body;
        for (int line = 0; line < 50; ++line) body += id + " line " + std::to_string(line) + "\n";
        st = store->WriteFile("rw/" + std::to_string(i % 4) + ".md", body, 0644, -1);
      } else {
        const std::string a = "mv/a-" + std::to_string(k), b = "mv/b-" + std::to_string(k);
        st = moved ? store->Rename(b, a) : store->Rename(a, b);
        moved = !moved;
      }
      int64_t change = 0;
      if (!st.ok() || !store->CommitChange(&change).ok() || change == 0) _exit(10 + op);
    }
    _exit(0);
  }
  int failures = 0;
  for (pid_t child : children) {
    int wstatus = 0;
    waitpid(child, &wstatus, 0);
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
      ++failures;
      MESSAGE("child exit " << (WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1));
    }
  }
  CHECK(failures == 0);
  auto store = f.Open();
  const std::string all = Read(*store, log);
  std::set<std::string> lines;
  size_t count = 0;
  for (size_t at = 0; at < all.size(); at = all.find('\n', at) + 1) {
    lines.insert(all.substr(at, all.find('\n', at) - at));
    ++count;
  }
  int appends = 0;
  for (int k = 0; k < kProcesses; ++k) {
    for (int i = 0; i < kCommands; ++i) {
      if ((k + i) % 4 != 0) continue;
      ++appends;
      CHECK(lines.count("{\"id\":\"" + std::to_string(k) + "-" + std::to_string(i) + "\"}") == 1);
    }
  }
  CHECK(count == static_cast<size_t>(appends));  // none lost, none twice
  CHECK(lines.size() == count);
  for (int k = 0; k < kProcesses; ++k) {  // 50 moves each: back where it started
    CHECK(Read(*store, "mv/a-" + std::to_string(k)) == "k");
  }
  CHECK(Raw(f.db).One("PRAGMA integrity_check") == "ok");
}

TEST_CASE("kill -9 at random points of multi-file changes, 100 times: all or nothing") {
  Fixture f;
  auto gen_of = [](Store& store, const std::string& path) -> int64_t {
    std::string bytes;
    if (!store.ReadFile(path, &bytes).ok()) return -1;
    return std::stoll(bytes.substr(4, bytes.find('\n') - 4));
  };
  {
    auto store = f.Open();
    REQUIRE(store->BeginChange(Info("gen 0")).ok());
    for (int i = 0; i < 5; ++i)
      REQUIRE(store->WriteFile("f" + std::to_string(i), "gen 0\n", 0644, -1).ok());
    REQUIRE(store->WriteFile("big.md", "gen 0\n", 0644, -1).ok());
    REQUIRE(store->WriteFile("sessions/2026-12/gens.jsonl", "gen 0\n", 0644, -1).ok());
    Commit(*store);
  }
  std::minstd_rand random(12345);
  int advanced = 0;  // rounds in which the writer committed something
  int64_t last_gen = 0;
  for (int round = 0; round < 100; ++round) {
    int committed[2];
    REQUIRE(pipe(committed) == 0);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      signal(SIGPIPE, SIG_IGN);
      close(committed[0]);
      Status status;
      auto store = OpenSqliteStore(f.db, {}, &status);
      if (!store) _exit(1);
      for (int64_t g = gen_of(*store, "f0") + 1;; ++g) {
        const std::string head = "gen " + std::to_string(g) + "\n";
        if (!store->BeginChange(Info("gen " + std::to_string(g))).ok()) _exit(2);
        for (int i = 0; i < 5; ++i) {
          if (!store->WriteFile("f" + std::to_string(i), head, 0644, -1).ok()) _exit(3);
          if (i == 2 &&
              !store->WriteFile("big.md", head + std::string(1 << 20, 'a' + g % 26), 0644, -1).ok())
            _exit(4);
        }
        if (!store->AppendFile("sessions/2026-12/gens.jsonl", head, -1).ok()) _exit(5);
        Status st = g % 2 ? store->MakeDirectory("odd", 0755, -1) : store->Remove("odd");
        if (!st.ok() && !st.IsNotFound() && st.code() != Code::kAlreadyExists) _exit(6);
        int64_t id = 0;
        if (!store->CommitChange(&id).ok()) _exit(7);
        (void)!write(committed[1], "c", 1);
      }
    }
    // After the writer's first commit of this round (so that every round
    // interrupts a writer in full swing), at a random point of a change.
    close(committed[1]);
    char c = 0;
    REQUIRE(read(committed[0], &c, 1) == 1);
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 30000));
    kill(child, SIGKILL);
    close(committed[0]);
    int wstatus = 0;
    waitpid(child, &wstatus, 0);
    if (!WIFSIGNALED(wstatus)) {
      FAIL("the writer stopped on its own, exit " << WEXITSTATUS(wstatus));
      break;
    }
    CHECK(Raw(f.db).One("PRAGMA integrity_check") == "ok");
    auto store = f.Open();
    const int64_t g = gen_of(*store, "f0");
    for (int i = 1; i < 5; ++i) CHECK(gen_of(*store, "f" + std::to_string(i)) == g);
    CHECK(gen_of(*store, "big.md") == g);
    std::string big;
    REQUIRE(store->ReadFile("big.md", &big).ok());
    const std::string head = "gen " + std::to_string(g) + "\n";
    CHECK(big == (g == 0 ? head : head + std::string(1 << 20, 'a' + g % 26)));
    const std::string gens = Read(*store, "sessions/2026-12/gens.jsonl");
    CHECK(gens.size() >= head.size());
    CHECK(gens.compare(gens.size() - head.size(), head.size(), head) == 0);
    Stat stat;
    CHECK(store->GetStat("odd", &stat).ok() == (g % 2 == 1));
    std::vector<Store::ChangeRecord> changes;
    REQUIRE(store->ListChanges({}, &changes).ok());
    REQUIRE_FALSE(changes.empty());
    CHECK(changes[0].info.command ==
          (changes[0].undoes ? "memhook undo" : "gen " + std::to_string(g)));
    advanced += g != last_gen;
    last_gen = g;
    // Now and then an undo of the last change: history stays consistent.
    if (round % 10 == 9 && changes[0].undoes == 0 && g > 1) {
      REQUIRE(store->Undo(0, Info("memhook undo"), nullptr).ok());
      CHECK(gen_of(*store, "f0") == g - 1);
      CHECK(gen_of(*store, "big.md") == g - 1);
      last_gen = g - 1;
    }
  }
  CHECK(advanced >= 90);  // every round but those that undid one
}

TEST_CASE("a write lock held past the budget: a clear error, nothing written, usable after") {
  Fixture f;
  {
    auto store = f.Open();
    REQUIRE(store->WriteFile("a.md", "old\n", 0644, kBase).ok());
  }
  Raw holder(f.db);
  REQUIRE(sqlite3_exec(holder.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  StoreOptions options;
  options.write_lock_timeout_ms = 300;
  auto store = f.Open(options);
  REQUIRE(store->BeginChange(Info("echo new > a.md")).ok());
  const auto start = std::chrono::steady_clock::now();
  Status st = store->WriteFile("a.md", "new\n", 0644, -1);
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(st.code() == Code::kBusy);
  CHECK(st.message().find("another writer") != std::string::npos);
  CHECK(waited >= std::chrono::milliseconds(250));
  store->RollbackChange();
  REQUIRE(sqlite3_exec(holder.db, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(Read(*store, "a.md") == "old\n");
  REQUIRE(store->BeginChange(Info("echo new > a.md")).ok());
  REQUIRE(store->WriteFile("a.md", "new\n", 0644, -1).ok());
  CHECK(Commit(*store) > 0);
  CHECK(Read(*store, "a.md") == "new\n");
}

TEST_CASE("disk full in the middle of a change: an error, the store intact and usable") {
  Fixture f;
  {
    auto store = f.Open();
    REQUIRE(store->WriteFile("a.md", "old\n", 0644, kBase).ok());
  }
  int result[2];
  REQUIRE(pipe(result) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // A file-size limit stands for a full disk: writes past it fail (EFBIG).
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {512 * 1024, 512 * 1024};
    setrlimit(RLIMIT_FSIZE, &limit);
    Status status;
    auto store = OpenSqliteStore(f.db, {}, &status);
    char outcome = 'o';
    if (!store) {
      outcome = 'n';
    } else if (!store->BeginChange(Info("big write")).ok()) {
      outcome = 'b';
    } else {
      Status st = store->WriteFile("a.md", "new\n", 0644, -1);
      if (st.ok()) st = store->WriteFile("big.md", std::string(4 << 20, 'x'), 0644, -1);
      if (st.ok()) {
        int64_t id = 0;
        st = store->CommitChange(&id);
      } else {
        store->RollbackChange();
      }
      outcome = st.ok() ? 'w' : 'e';
    }
    (void)!write(result[1], &outcome, 1);
    _exit(0);
  }
  close(result[1]);
  char outcome = 0;
  REQUIRE(read(result[0], &outcome, 1) == 1);
  close(result[0]);
  int wstatus = 0;
  waitpid(child, &wstatus, 0);
  CHECK(WIFEXITED(wstatus));  // an error, not a crash
  CHECK(outcome == 'e');
  CHECK(Raw(f.db).One("PRAGMA integrity_check") == "ok");
  auto store = f.Open();
  CHECK(Read(*store, "a.md") == "old\n");
  Stat stat;
  CHECK(store->GetStat("big.md", &stat).IsNotFound());
  REQUIRE(store->WriteFile("b.md", "still usable\n", 0644, -1).ok());
}

}  // namespace
}  // namespace memhook::vfs
