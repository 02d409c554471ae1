#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "vfs/vfs.h"

#include <dirent.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <clocale>
#include <cstring>
#include <cwchar>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "vfs/store_internal.h"

namespace memhook::vfs {
namespace {

namespace fs = std::filesystem;
using Code = Status::Code;

constexpr int64_t kBase = 1700000000123456789;  // 2023-11-14, odd nanoseconds

class TempDir {
 public:
  TempDir() {
    char templ[] = "/tmp/memhook-vfs-test-XXXXXX";
    REQUIRE(::mkdtemp(templ) != nullptr);
    path_ = templ;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(path_, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec))
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

void SetMtime(const std::string& path, int64_t ns) {
  const struct timespec times[2] = {{0, UTIME_OMIT}, {ns / 1000000000, ns % 1000000000}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

void HostFile(const std::string& path, const std::string& bytes, mode_t mode, int64_t mtime) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
  SetMtime(path, mtime);
}

void HostDir(const std::string& path, mode_t mode) {
  REQUIRE(::mkdir(path.c_str(), 0700) == 0);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

std::string HostRead(const std::string& path) {
  std::string out;
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

struct HostNode {
  bool dir = false;
  uint32_t mode = 0;
  int64_t mtime_ns = 0;
  std::string bytes;
  bool operator==(const HostNode&) const = default;
};

// Everything below (and including, as "") a host directory.
std::map<std::string, HostNode> Snapshot(const std::string& root) {
  std::map<std::string, HostNode> out;
  std::vector<std::string> pending = {""};
  while (!pending.empty()) {
    const std::string rel = pending.back();
    pending.pop_back();
    const std::string host = rel.empty() ? root : root + "/" + rel;
    struct stat st;
    REQUIRE(::lstat(host.c_str(), &st) == 0);
    HostNode node;
    node.dir = S_ISDIR(st.st_mode);
    node.mode = st.st_mode & 07777;
    node.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    if (node.dir) {
      DIR* d = ::opendir(host.c_str());
      REQUIRE(d != nullptr);
      while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") pending.push_back(rel.empty() ? name : rel + "/" + name);
      }
      ::closedir(d);
    } else {
      node.bytes = HostRead(host);
    }
    out[rel] = node;
  }
  return out;
}

// A source tree with every kind of name and content that must survive.
struct Fixture {
  std::map<std::string, std::string> files;  // rel path -> bytes
};

Fixture MakeSourceTree(const std::string& root) {
  Fixture fx;
  REQUIRE(::chmod(root.c_str(), 0750) == 0);
  const std::vector<std::pair<std::string, mode_t>> dirs = {
      {"notes", 0755},         {"notes/with space", 0700}, {"deep", 0755},
      {"deep/a", 0755},        {"deep/a/b", 0755},         {"deep/a/b/c", 0755},
      {"deep/a/b/c/d", 0755},  {"deep/a/b/c/d/e", 0711},   {"sessions", 0755},
      {"sessions/2026", 0755}, {"sessions/2026/01", 0755}, {"empty dir", 0755},
      {"-dash dir", 0755},     {".hidden dir", 0700},
  };
  for (const auto& [rel, mode] : dirs) HostDir(root + "/" + rel, mode);
  const std::vector<std::tuple<std::string, std::string, mode_t>> files = {
      {"readme.md", "# Readme\n\nhello\n", 0644},
      {"notes/crlf.md", "# Windows note\r\nline two\r\n", 0644},
      {"notes/no final newline.md", "first\nsecond", 0600},
      {"notes/empty.md", "", 0644},
      {"notes/only-newline.md", "\n", 0644},
      {"notes/invalid-utf8.bin", "\xff\xfe\x80 not utf8 \xc3\n", 0644},
      {"notes/nul.bin", std::string("a\0b\0\n\0", 6), 0755},
      {"notes/with space/file with space.md", "# Spaced\n", 0444},
      {"notes/\xc3\xbcnic\xc3\xb8"
       "d\xc3\xa9 \xe2\x9c\x93.md",
       "# \xe2\x9c\x93 done\n", 0644},
      {"notes/bad\xff"
       "name.md",
       "bytes\n", 0644},
      {"-leading-dash.md", "dash\n", 0644},
      {".hidden", "secret\n", 0600},
      {".hidden dir/x", "x", 0644},
      {"deep/a/b/c/d/e/leaf.md", "# Leaf\ndeep\n", 0644},
      {"sessions/2026/01/a.jsonl", "{\"a\":1}\n{\"b\":\"\xc3\xa9\"}\n", 0644},
      {"sessions/2026/01/no-final.jsonl", "{\"a\":1}\n{\"b\":2}", 0644},
      {"sessions/2026/crlf.jsonl", "{\"a\":1}\r\n{\"b\":2}\r\n", 0644},
      {"sessions/2026/empty.jsonl", "", 0644},
      {"sessions/2026/blank-lines.jsonl", "\n\n{}\n\n", 0644},
      {"sessions/2026/only-newline.jsonl", "\n", 0644},
      {"sessions/2026/nul.jsonl", std::string("{}\n\0\n", 5), 0644},
      {"sessions/2026/bad-utf8.jsonl", "{\"x\":\"\xff\"}\n", 0644},
      {"sessions/notes.txt", "not a log\n", 0644},
      {"sessions/.jsonl", "{}\n", 0644},
  };
  int64_t t = kBase;
  for (const auto& [rel, bytes, mode] : files) {
    HostFile(root + "/" + rel, bytes, mode, t);
    fx.files[rel] = bytes;
    t += 1000000007;  // distinct mtimes, odd nanoseconds
  }
  // Directory times last, deepest first, like a real tree settles.
  std::vector<std::string> rels;
  for (const auto& [rel, mode] : dirs) rels.push_back(rel);
  std::sort(rels.begin(), rels.end(), [](const std::string& a, const std::string& b) {
    return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
  });
  for (const std::string& rel : rels) SetMtime(root + "/" + rel, t += 333);
  SetMtime(root, t + 999);
  return fx;
}

std::unique_ptr<Store> Open(const std::string& db, StoreOptions options = {}) {
  Status st;
  auto store = OpenSqliteStore(db, options, &st);
  INFO(st.message());
  REQUIRE(st.ok());
  REQUIRE(store != nullptr);
  return store;
}

StoreOptions NoIndex() {
  StoreOptions o;
  o.virtual_index = false;
  return o;
}

StoreOptions ReadOnly(bool virtual_index = true) {
  StoreOptions o;
  o.read_only = true;
  o.virtual_index = virtual_index;
  return o;
}

std::vector<std::string> Names(Store& store, const std::string& dir) {
  std::vector<DirEntry> entries;
  const Status st = store.ListDir(dir, &entries);
  INFO(st.message());
  REQUIRE(st.ok());
  std::vector<std::string> names;
  for (const DirEntry& e : entries) names.push_back(e.name);
  return names;
}

std::vector<std::string> WalkPaths(Store& store, const std::string& dir) {
  std::vector<std::string> paths;
  const Status st = store.Walk(dir, [&](const std::string& p, const Stat&) {
    paths.push_back(p);
    return true;
  });
  INFO(st.message());
  REQUIRE(st.ok());
  return paths;
}

std::string Read(Store& store, const std::string& path) {
  std::string out;
  const Status st = store.ReadFile(path, &out);
  INFO(path, ": ", st.message());
  REQUIRE(st.ok());
  return out;
}

Stat StatOf(Store& store, const std::string& path) {
  Stat out;
  const Status st = store.GetStat(path, &out);
  INFO(path, ": ", st.message());
  REQUIRE(st.ok());
  return out;
}

void Write(Store& store, const std::string& path, const std::string& bytes, int64_t mtime = kBase,
           uint32_t mode = 0644) {
  const Status st = store.WriteFile(path, bytes, mode, mtime);
  INFO(path, ": ", st.message());
  REQUIRE(st.ok());
}

// A plain connection to the database, for looking behind the store.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  ~RawDb() { sqlite3_close(db_); }
  sqlite3* get() const { return db_; }

  // The first column of every row, as text.
  std::vector<std::string> Column(const std::string& sql, int col = 0) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    INFO(sql, ": ", sqlite3_errmsg(db_));
    REQUIRE(rc == SQLITE_OK);
    std::vector<std::string> out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      out.emplace_back(text != nullptr ? text : "");
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::string One(const std::string& sql) {
    const auto rows = Column(sql);
    REQUIRE(rows.size() == 1);
    return rows[0];
  }
  void Exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    INFO(sql, ": ", (err != nullptr ? err : ""));
    sqlite3_free(err);
    REQUIRE(rc == SQLITE_OK);
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST_CASE("open creates the database and its folders, migrates to v5, uses WAL") {
  TempDir tmp;
  const std::string db = tmp / "a/b/memhook.db";
  auto store = Open(db);
  RawDb raw(db);
  CHECK(raw.One("PRAGMA user_version") == "6");
  CHECK(raw.One("PRAGMA journal_mode") == "wal");
  CHECK(raw.One("PRAGMA application_id") == std::to_string(0x6d656d68));
  // The node tables, and the two FTS5 indexes (virtual tables, whose
  // shadow tables are plain tables named after them).
  const auto tables = raw.Column(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '%fts_%' ORDER BY 1");
  CHECK(tables == std::vector<std::string>{"changes", "dirs", "generation", "history", "hook_calls",
                                           "memory", "memory_fts", "meta", "session_files",
                                           "sessions", "sessions_fts"});
  const auto triggers =
      raw.Column("SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY 1");
  CHECK(triggers.size() == 6 + 12);  // the index's, and the generation counter's
  // Reopening an up-to-date store does not migrate again.
  store.reset();
  auto again = Open(db);
  CHECK(raw.One("PRAGMA user_version") == "6");
}

TEST_CASE("open errors: read-only missing file, not a memhook db, newer schema") {
  TempDir tmp;
  Status st;
  const std::string missing = tmp / "nope/memhook.db";
  CHECK(OpenSqliteStore(missing, ReadOnly(), &st) == nullptr);
  CHECK(st.code() == Code::kNotFound);
  CHECK(st.message().find(missing) != std::string::npos);
  CHECK(!fs::exists(tmp / "nope"));  // read-only never creates anything

  StoreOptions no_create;
  no_create.create_if_missing = false;
  CHECK(OpenSqliteStore(missing, no_create, &st) == nullptr);
  CHECK(st.code() == Code::kNotFound);

  const std::string other = tmp / "other.db";
  {
    RawDb raw(other);
    raw.Exec("CREATE TABLE t(x)");
  }
  CHECK(OpenSqliteStore(other, {}, &st) == nullptr);
  CHECK(st.code() == Code::kCorruption);
  CHECK(RawDb(other).One("PRAGMA journal_mode") == "delete");  // left as it was

  const std::string newer = tmp / "newer.db";
  {
    RawDb raw(newer);
    raw.Exec("PRAGMA user_version = 99");
  }
  CHECK(OpenSqliteStore(newer, {}, &st) == nullptr);
  CHECK(st.code() == Code::kCorruption);

  const std::string text = tmp / "text.db";
  HostFile(text, "this is not a database, just some text that is long enough\n", 0644, kBase);
  CHECK(OpenSqliteStore(text, ReadOnly(), &st) == nullptr);
  CHECK(st.code() == Code::kCorruption);
}

TEST_CASE("import then export round-trips bytes, modes and nanosecond mtimes") {
  TempDir src, out, out_index, dbdir;
  const Fixture fx = MakeSourceTree(src.path());
  const auto before = Snapshot(src.path());
  const std::string db = dbdir / "m.db";
  auto store = Open(db);
  uint64_t n = 0;
  Status st = ImportTree(*store, src.path(), &n);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(n == fx.files.size());
  CHECK(Snapshot(src.path()) == before);  // the source is left untouched

  for (const auto& entry : fx.files) {
    const std::string& rel = entry.first;
    const std::string& bytes = entry.second;
    INFO(rel);
    CHECK(Read(*store, rel) == bytes);
    const Stat s = StatOf(*store, rel);
    CHECK(s.size == bytes.size());
    CHECK(s.line_count == static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n')));
    CHECK(s.mode == before.at(rel).mode);
    CHECK(s.mtime_ns == before.at(rel).mtime_ns);
  }

  // Without the generated index the export is the source, exactly.
  auto plain = Open(db, NoIndex());
  st = ExportTree(*plain, out.path() + "/tree");
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(Snapshot(out.path() + "/tree") == before);

  // With it, the same plus index.md holding the generated bytes.
  st = ExportTree(*store, out_index.path());
  REQUIRE(st.ok());
  auto exported = Snapshot(out_index.path());
  REQUIRE(exported.count("index.md") == 1);
  CHECK(exported["index.md"].bytes == Read(*store, "index.md"));
  CHECK(exported["index.md"].mode == 0644);
  CHECK(exported["index.md"].mtime_ns == StatOf(*store, "index.md").mtime_ns);
  exported.erase("index.md");
  CHECK(exported == before);

  // Re-importing the unchanged tree changes nothing.
  REQUIRE(ImportTree(*store, src.path(), &n).ok());
  CHECK(n == fx.files.size());
  TempDir again;
  REQUIRE(ExportTree(*plain, again.path()).ok());
  CHECK(Snapshot(again.path()) == before);

  // Exporting again over an existing export (read-only files included) works.
  st = ExportTree(*plain, out.path() + "/tree");
  INFO(st.message());
  CHECK(st.ok());
  CHECK(Snapshot(out.path() + "/tree") == before);
}

TEST_CASE("storage: only clean session logs are stored as lines") {
  TempDir src, dbdir;
  MakeSourceTree(src.path());
  auto store = Open(dbdir / "m.db");
  REQUIRE(ImportTree(*store, src.path(), nullptr).ok());
  const std::map<std::string, Storage> expected = {
      {"sessions/2026/01/a.jsonl", Storage::kLines},
      {"sessions/2026/01/no-final.jsonl", Storage::kLines},
      {"sessions/2026/empty.jsonl", Storage::kLines},
      {"sessions/2026/blank-lines.jsonl", Storage::kLines},
      {"sessions/2026/only-newline.jsonl", Storage::kLines},
      {"sessions/2026/crlf.jsonl", Storage::kBlob},
      {"sessions/2026/nul.jsonl", Storage::kBlob},
      {"sessions/2026/bad-utf8.jsonl", Storage::kBlob},
      {"sessions/notes.txt", Storage::kBlob},
      {"sessions/.jsonl", Storage::kBlob},
      {"notes/crlf.md", Storage::kBlob},
      {"readme.md", Storage::kBlob},
      {"sessions", Storage::kDirectory},
  };
  for (const auto& entry : expected) {
    INFO(entry.first);
    CHECK(StatOf(*store, entry.first).storage == entry.second);
  }
  RawDb raw(dbdir / "m.db");
  CHECK(raw.Column("SELECT text FROM sessions WHERE path = 'sessions/2026/blank-lines.jsonl' "
                   "ORDER BY line_no") == std::vector<std::string>{"", "", "{}", ""});
  CHECK(raw.One("SELECT count(*) FROM sessions WHERE path = 'sessions/2026/empty.jsonl'") == "0");
  CHECK(raw.One("SELECT final_newline FROM session_files "
                "WHERE path = 'sessions/2026/01/no-final.jsonl'") == "0");
}

TEST_CASE("large blobs: ReadFile and ReadPrefix through blob I/O, small ones and logs as before") {
  TempDir dbdir;
  auto store = Open(dbdir / "m.db");
  std::string big;
  for (int i = 0; big.size() < (3u << 20); ++i) big += "line " + std::to_string(i) + "\n";
  Write(*store, "big.md", big);
  Write(*store, "small.md", "abc\n");
  Write(*store, "sessions/s.jsonl", "{\"n\":1}\n{\"n\":2}\n");
  for (bool read_only : {false, true}) {
    StoreOptions ro;
    ro.read_only = true;
    std::unique_ptr<Store> reader = read_only ? Open(dbdir / "m.db", ro) : nullptr;
    Store& s = read_only ? *reader : *store;
    std::string out;
    REQUIRE(s.ReadFile("big.md", &out).ok());
    CHECK(out == big);
    bool complete = true;
    REQUIRE(s.ReadPrefix("big.md", 100, &out, &complete).ok());
    CHECK(out == big.substr(0, 100));
    CHECK_FALSE(complete);
    REQUIRE(s.ReadPrefix("big.md", big.size() + 5, &out, &complete).ok());
    CHECK(out == big);
    CHECK(complete);
    REQUIRE(s.ReadPrefix("small.md", 2, &out, &complete).ok());
    CHECK(out == "ab");
    CHECK_FALSE(complete);
    REQUIRE(s.ReadPrefix("sessions/s.jsonl", 100, &out, &complete).ok());
    CHECK(out == "{\"n\":1}\n{\"n\":2}\n");
    CHECK(complete);
    CHECK(s.ReadPrefix("nope.md", 10, &out, &complete).code() == Status::Code::kNotFound);
  }
}

TEST_CASE("ReadLines on blobs and session logs") {
  TempDir dbdir;
  auto store = Open(dbdir / "m.db");
  Write(*store, "sessions/s.jsonl", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}");
  Write(*store, "note.md", "one\ntwo\nthree\n");
  Write(*store, "sessions/empty.jsonl", "");
  REQUIRE(StatOf(*store, "sessions/s.jsonl").storage == Storage::kLines);

  std::vector<Line> lines;
  bool nl = true;
  REQUIRE(store->ReadLines("sessions/s.jsonl", 2, 0, &lines, &nl).ok());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].number == 2);
  CHECK(lines[0].text == "{\"n\":2}");
  CHECK(lines[1].number == 3);
  CHECK(lines[1].text == "{\"n\":3}");
  CHECK_FALSE(nl);

  REQUIRE(store->ReadLines("sessions/s.jsonl", 1, 1, &lines, &nl).ok());
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].text == "{\"n\":1}");

  REQUIRE(store->ReadLines("note.md", 2, 5, &lines, &nl).ok());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].number == 2);
  CHECK(lines[0].text == "two");
  CHECK(lines[1].text == "three");
  CHECK(nl);

  REQUIRE(store->ReadLines("note.md", 9, 0, &lines, &nl).ok());
  CHECK(lines.empty());
  REQUIRE(store->ReadLines("sessions/empty.jsonl", 1, 0, &lines, &nl).ok());
  CHECK(lines.empty());
  CHECK_FALSE(nl);

  CHECK(store->ReadLines("sessions", 1, 0, &lines, &nl).code() == Code::kIsADirectory);
  CHECK(store->ReadLines("nope", 1, 0, &lines, &nl).code() == Code::kNotFound);
  CHECK(store->ReadLines("note.md/x", 1, 0, &lines, &nl).code() == Code::kNotADirectory);
}

TEST_CASE("GetStat: kinds, sizes, nlink, root defaults") {
  TempDir dbdir;
  auto store = Open(dbdir / "m.db", NoIndex());
  Stat root = StatOf(*store, "");
  CHECK(root.kind == NodeKind::kDirectory);
  CHECK(root.mode == 0755);
  CHECK(root.mtime_ns == 0);
  CHECK(root.nlink == 2);
  CHECK(root.size == 4096);

  REQUIRE(store->MakeDirectory("d", 0700, kBase + 5).ok());
  REQUIRE(store->MakeDirectory("d/sub1", 0755, kBase).ok());
  REQUIRE(store->MakeDirectory("d/sub2", 0755, kBase).ok());
  Write(*store, "d/file.md", "a\nb\nc", kBase + 9, 0600);
  Write(*store, "top.md", "x\n", kBase + 100);

  const Stat d = StatOf(*store, "d");
  CHECK(d.kind == NodeKind::kDirectory);
  CHECK(d.storage == Storage::kDirectory);
  CHECK(d.mode == 0700);
  CHECK(d.mtime_ns == kBase + 5);
  CHECK(d.nlink == 4);
  CHECK(d.size == 4096);

  const Stat f = StatOf(*store, "d/file.md");
  CHECK(f.kind == NodeKind::kFile);
  CHECK(f.storage == Storage::kBlob);
  CHECK(f.mode == 0600);
  CHECK(f.mtime_ns == kBase + 9);
  CHECK(f.size == 5);
  CHECK(f.line_count == 2);
  CHECK(f.nlink == 1);

  root = StatOf(*store, "");
  CHECK(root.nlink == 3);
  CHECK(root.mtime_ns == kBase + 100);  // newest child, as nothing was recorded

  Stat out;
  CHECK(store->GetStat("nope", &out).code() == Code::kNotFound);
  CHECK(store->GetStat("d/nope/deeper", &out).code() == Code::kNotFound);
  CHECK(store->GetStat("d/file.md/x", &out).code() == Code::kNotADirectory);
  CHECK(store->GetStat("top.md/x/y", &out).code() == Code::kNotADirectory);
  for (const char* bad : {"/d", "d/", "d//sub1", "./d", "d/..", "d/./sub1", ".."}) {
    INFO(bad);
    CHECK(store->GetStat(bad, &out).code() == Code::kInvalidArgument);
  }
}

TEST_CASE("ListDir: C byte order, errors, nlink of entries") {
  TempDir dbdir;
  auto store = Open(dbdir / "m.db", NoIndex());
  for (const char* name : {"b", "a.md", "a", "A", "a b", "-x", "_y", "\xc3\xa9", "a-b", "Z"}) {
    Write(*store, std::string("dir/") + name + (std::string(name) == "a" ? "/inner" : ""), "x");
  }
  REQUIRE(store->MakeDirectory("dir/sessions", 0755, kBase).ok());
  Write(*store, "sessions/a.jsonl", "{}\n");
  CHECK(Names(*store, "dir") == std::vector<std::string>{"-x", "A", "Z", "_y", "a", "a b", "a-b",
                                                         "a.md", "b", "sessions", "\xc3\xa9"});
  std::vector<DirEntry> entries;
  REQUIRE(store->ListDir("sessions", &entries).ok());
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].stat.storage == Storage::kLines);
  CHECK(entries[0].stat.size == 3);

  REQUIRE(store->ListDir("dir", &entries).ok());
  const auto a =
      std::find_if(entries.begin(), entries.end(), [](auto& e) { return e.name == "a"; });
  REQUIRE(a != entries.end());
  CHECK(a->stat.kind == NodeKind::kDirectory);
  CHECK(a->stat.nlink == 2);

  REQUIRE(store->MakeDirectory("empty", 0755, kBase).ok());
  CHECK(Names(*store, "empty").empty());
  CHECK(store->ListDir("dir/b", &entries).code() == Code::kNotADirectory);
  CHECK(store->ListDir("missing", &entries).code() == Code::kNotFound);
  CHECK(store->ListDir("dir/b/c", &entries).code() == Code::kNotADirectory);
  CHECK(Names(*store, "") == std::vector<std::string>{"dir", "empty", "sessions"});
}

TEST_CASE("Walk: pre-order, siblings sorted by name, not by full path") {
  TempDir dbdir;
  auto store = Open(dbdir / "m.db", NoIndex());
  Write(*store, "a/x", "");
  Write(*store, "a.md", "");
  Write(*store, "a-b/y", "");
  Write(*store, "a/b/c", "");
  Write(*store, "a/b.md", "");
  Write(*store, "a/b-c", "");
  Write(*store, "sessions/s.jsonl", "{}\n");
  Write(*store, "sessions/t/u.jsonl", "{}\n");
  REQUIRE(store->MakeDirectory("a/b/empty", 0755, kBase).ok());
  const std::vector<std::string> expected = {
      "a",          "a/b",
      "a/b/c",      "a/b/empty",
      "a/b-c",      "a/b.md",
      "a/x",        "a-b",
      "a-b/y",      "a.md",
      "sessions",   "sessions/s.jsonl",
      "sessions/t", "sessions/t/u.jsonl",
  };
  CHECK(WalkPaths(*store, "") == expected);
  CHECK(WalkPaths(*store, "a") ==
        std::vector<std::string>{"a/b", "a/b/c", "a/b/empty", "a/b-c", "a/b.md", "a/x"});
  CHECK(WalkPaths(*store, "a/b/empty").empty());

  // Stats agree with GetStat (nlink included) and the walk stops on request.
  std::vector<std::string> seen;
  REQUIRE(store
              ->Walk("",
                     [&](const std::string& p, const Stat& s) {
                       const Stat direct = StatOf(*store, p);
                       CHECK(s.kind == direct.kind);
                       CHECK(s.nlink == direct.nlink);
                       CHECK(s.size == direct.size);
                       CHECK(s.storage == direct.storage);
                       CHECK(s.mtime_ns == direct.mtime_ns);
                       seen.push_back(p);
                       return seen.size() < 3;
                     })
              .ok());
  CHECK(seen == std::vector<std::string>{"a", "a/b", "a/b/c"});

  CHECK(store->Walk("a.md", [](auto&, auto&) { return true; }).code() == Code::kNotADirectory);
  CHECK(store->Walk("zz", [](auto&, auto&) { return true; }).code() == Code::kNotFound);
}

TEST_CASE("writes: parents, replacement, errors, remove") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  auto store = Open(db, NoIndex());
  const int64_t before = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  Write(*store, "x/y/z.md", "z", kBase);
  const Stat y = StatOf(*store, "x/y");
  CHECK(y.mode == 0755);
  CHECK(y.mtime_ns >= before);  // implicit parents are stamped "now"
  CHECK(StatOf(*store, "x/y/z.md").mtime_ns == kBase);

  Write(*store, "now.md", "n", -1);
  CHECK(StatOf(*store, "now.md").mtime_ns >= before);

  CHECK(store->WriteFile("x/y", "a", 0644, kBase).code() == Code::kIsADirectory);
  CHECK(store->WriteFile("", "a", 0644, kBase).code() == Code::kIsADirectory);
  CHECK(store->WriteFile("x/y/z.md/w", "a", 0644, kBase).code() == Code::kNotADirectory);
  CHECK(store->MakeDirectory("x/y/z.md/w", 0755, kBase).code() == Code::kNotADirectory);
  CHECK(store->MakeDirectory("x/y", 0755, kBase).code() == Code::kAlreadyExists);
  CHECK(store->MakeDirectory("x/y/z.md", 0755, kBase).code() == Code::kAlreadyExists);
  CHECK(store->WriteFile("a//b", "a", 0644, kBase).code() == Code::kInvalidArgument);
  std::string bytes;
  CHECK(store->ReadFile("x", &bytes).code() == Code::kIsADirectory);
  CHECK(store->ReadFile("", &bytes).code() == Code::kIsADirectory);
  CHECK(store->ReadFile("x/nope", &bytes).code() == Code::kNotFound);
  CHECK(store->ReadFile("x/y/z.md/q", &bytes).code() == Code::kNotADirectory);

  // Replacing a file may move it between blob and line storage.
  Write(*store, "sessions/s.jsonl", "{}\r\n", kBase + 1, 0600);
  CHECK(StatOf(*store, "sessions/s.jsonl").storage == Storage::kBlob);
  Write(*store, "sessions/s.jsonl", "{}\n{}\n", kBase + 2, 0640);
  Stat s = StatOf(*store, "sessions/s.jsonl");
  CHECK(s.storage == Storage::kLines);
  CHECK(s.mode == 0640);
  CHECK(s.mtime_ns == kBase + 2);
  CHECK(Read(*store, "sessions/s.jsonl") == "{}\n{}\n");
  Write(*store, "sessions/s.jsonl", std::string("nul\0", 4), kBase + 3);
  CHECK(Read(*store, "sessions/s.jsonl") == std::string("nul\0", 4));
  CHECK(StatOf(*store, "sessions/s.jsonl").storage == Storage::kBlob);
  Write(*store, "sessions/s.jsonl", "{\"v\":1}", kBase + 4);
  CHECK(Read(*store, "sessions/s.jsonl") == "{\"v\":1}");
  CHECK(StatOf(*store, "sessions/s.jsonl").storage == Storage::kLines);

  // Recursive remove takes every table's rows with it, and nothing beside.
  Write(*store, "sessions/deep/t.jsonl", "{}\n{}\n");
  Write(*store, "sessions0.md", "sibling sorting right after 'sessions/'");
  Write(*store, "sessions.md", "sibling");
  REQUIRE(store->Remove("sessions").ok());
  Stat out;
  CHECK(store->GetStat("sessions", &out).code() == Code::kNotFound);
  CHECK(store->GetStat("sessions/deep/t.jsonl", &out).code() == Code::kNotFound);
  CHECK(Read(*store, "sessions0.md").size() > 0);
  CHECK(Read(*store, "sessions.md") == "sibling");
  RawDb raw(db);
  CHECK(raw.One("SELECT count(*) FROM sessions") == "0");
  CHECK(raw.One("SELECT count(*) FROM session_files") == "0");

  REQUIRE(store->Remove("x/y/z.md").ok());
  CHECK(Names(*store, "x/y").empty());
  CHECK(store->Remove("x/y/z.md").code() == Code::kNotFound);
  CHECK(store->Remove("").code() == Code::kInvalidArgument);
  REQUIRE(store->Remove("x").ok());
  CHECK(Names(*store, "") == std::vector<std::string>{"now.md", "sessions.md", "sessions0.md"});
}

TEST_CASE("rewriting a session log: appends, extended last line, edits, shrinking") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  auto store = Open(db, NoIndex());
  RawDb raw(db);
  const std::string path = "sessions/s.jsonl";
  auto rows = [&] {
    return raw.Column("SELECT line_no || ':' || text FROM sessions WHERE path = '" + path +
                      "' ORDER BY line_no");
  };
  auto check = [&](const std::string& bytes, const std::vector<std::string>& expected_rows) {
    Write(*store, path, bytes, kBase + static_cast<int64_t>(bytes.size()), 0600);
    CHECK(Read(*store, path) == bytes);
    const Stat s = StatOf(*store, path);
    CHECK(s.storage == Storage::kLines);
    CHECK(s.size == bytes.size());
    CHECK(s.line_count == static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n')));
    CHECK(s.mtime_ns == kBase + static_cast<int64_t>(bytes.size()));
    CHECK(rows() == expected_rows);
  };
  check("", {});
  check("{\"a\"", {"1:{\"a\""});
  check("{\"a\":1}\n", {"1:{\"a\":1}"});
  check("{\"a\":1}\n", {"1:{\"a\":1}"});  // unchanged
  check("{\"a\":1}\n{\"b\":2}\n{", {"1:{\"a\":1}", "2:{\"b\":2}", "3:{"});
  check("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n\n", {"1:{\"a\":1}", "2:{\"b\":2}", "3:{\"c\":3}", "4:"});
  check("{\"a\":9}\n{\"b\":2}\n{\"c\":3}\n\n",
        {"1:{\"a\":9}", "2:{\"b\":2}", "3:{\"c\":3}", "4:"});  // edited, same size
  check("{\"a\":9}\n", {"1:{\"a\":9}"});                       // shrunk
  std::string many;
  std::vector<std::string> expected;
  for (int i = 1; i <= 40; ++i) {
    many += "{\"n\":" + std::to_string(i) + "}\n";
    expected.push_back(std::to_string(i) + ":{\"n\":" + std::to_string(i) + "}");
  }
  check(many, expected);
  check(many + many, [&] {
    std::vector<std::string> twice = expected;
    for (int i = 41; i <= 80; ++i) {
      twice.push_back(std::to_string(i) + ":{\"n\":" + std::to_string(i - 40) + "}");
    }
    return twice;
  }());
  CHECK(Read(*store, path) == many + many);
  Write(*store, "notes/n.md", "same", kBase, 0644);
  Write(*store, "notes/n.md", "same", kBase + 1, 0600);  // unchanged bytes, new metadata
  CHECK(StatOf(*store, "notes/n.md").mode == 0600);
  CHECK(StatOf(*store, "notes/n.md").mtime_ns == kBase + 1);
}

TEST_CASE("re-import updates files and directory metadata, removes what the source lacks") {
  TempDir src, dbdir;
  auto store = Open(dbdir / "m.db", NoIndex());
  HostDir(src / "d", 0755);
  HostFile(src / "d/a.md", "one\n", 0644, kBase);
  HostFile(src / "d/b.md", "bee\n", 0644, kBase);
  HostFile(src / "f", "file then dir\n", 0644, kBase);
  SetMtime(src / "d", kBase + 7);
  uint64_t n = 0;
  REQUIRE(ImportTree(*store, src.path(), &n).ok());
  CHECK(n == 3);

  HostFile(src / "d/a.md", "two\n", 0600, kBase + 50);
  REQUIRE(::unlink((src / "d/b.md").c_str()) == 0);
  HostFile(src / "d/c.md", "new\n", 0644, kBase);
  REQUIRE(::chmod((src / "d").c_str(), 0700) == 0);
  SetMtime(src / "d", kBase + 77);
  REQUIRE(::unlink((src / "f").c_str()) == 0);
  HostDir(src / "f", 0755);
  HostFile(src / "f/inside", "in\n", 0644, kBase);
  REQUIRE(ImportTree(*store, src.path(), &n).ok());
  CHECK(n == 3);
  CHECK(Read(*store, "d/a.md") == "two\n");
  CHECK(StatOf(*store, "d/a.md").mode == 0600);
  CHECK(StatOf(*store, "d/a.md").mtime_ns == kBase + 50);
  Stat gone;
  CHECK(store->GetStat("d/b.md", &gone).code() == Code::kNotFound);  // absent from the source
  CHECK(Read(*store, "d/c.md") == "new\n");
  CHECK(StatOf(*store, "d").mode == 0700);
  CHECK(StatOf(*store, "d").mtime_ns == kBase + 77);
  CHECK(StatOf(*store, "f").kind == NodeKind::kDirectory);
  CHECK(Read(*store, "f/inside") == "in\n");

  Status st = ImportTree(*store, src / "missing", nullptr);
  CHECK(st.code() == Code::kNotFound);
  CHECK(ImportTree(*store, src / "d/a.md", nullptr).code() == Code::kNotADirectory);
}

TEST_CASE("import follows symlinks to files, skips other special files") {
  TempDir src, dbdir;
  HostFile(src / "real.md", "real\n", 0644, kBase);
  REQUIRE(::symlink("real.md", (src / "link.md").c_str()) == 0);
  REQUIRE(::symlink("/nonexistent/target", (src / "dangling").c_str()) == 0);
  HostDir(src / "dir", 0755);
  REQUIRE(::symlink("dir", (src / "dirlink").c_str()) == 0);
  REQUIRE(::mkfifo((src / "fifo").c_str(), 0644) == 0);
  auto store = Open(dbdir / "m.db", NoIndex());
  uint64_t n = 0;
  REQUIRE(ImportTree(*store, src.path(), &n).ok());
  CHECK(n == 2);
  CHECK(Read(*store, "link.md") == "real\n");
  CHECK(Names(*store, "") == std::vector<std::string>{"dir", "link.md", "real.md"});
}

TEST_CASE("virtual index.md") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  auto store = Open(db);

  // Empty store: the index exists, dated 0.
  Stat s = StatOf(*store, "index.md");
  CHECK(s.storage == Storage::kVirtual);
  CHECK(s.mtime_ns == 0);
  CHECK(Read(*store, "index.md").starts_with("# Memory index\n"));
  CHECK(Names(*store, "") == std::vector<std::string>{"index.md"});

  const int64_t day = 86400LL * 1000000000;
  REQUIRE(store->MakeDirectory("notes", 0755, kBase).ok());
  REQUIRE(store->MakeDirectory("sessions", 0755, kBase).ok());
  Write(*store, "notes/a.md", "intro\n# Alpha | beta\nbody\n",
        1767225600LL * 1000000000);  // 2026-01-01
  Write(*store, "notes/b.md", "no heading\n", 1767225600LL * 1000000000 + day);
  Write(*store, "notes/crlf.md", "# Windows\r\n", 1767225600LL * 1000000000 + day);
  Write(*store, "sessions/x.jsonl", "{}\n{}\n{}", 1767225600LL * 1000000000 + 2 * day + 5);
  Write(*store, "sessions/one.jsonl", "{}\n", 1000000000);  // 1970-01-01
  const std::string expected =
      "# Memory index\n"
      "\n"
      "The most recently modified notes and session logs (at most 50), newest first. "
      "Generated by memhook; a real index.md replaces it.\n"
      "\n"
      "| path | date | first heading |\n"
      "| --- | --- | --- |\n"
      "| sessions/x.jsonl | 2026-01-03 | session, 3 lines |\n"
      "| notes/b.md | 2026-01-02 |  |\n"
      "| notes/crlf.md | 2026-01-02 | Windows |\n"
      "| notes/a.md | 2026-01-01 | Alpha \\| beta |\n"
      "| sessions/one.jsonl | 1970-01-01 | session, 1 line |\n";
  CHECK(Read(*store, "index.md") == expected);
  s = StatOf(*store, "index.md");
  CHECK(s.kind == NodeKind::kFile);
  CHECK(s.mode == 0644);
  CHECK(s.size == expected.size());
  CHECK(s.line_count == 11);
  CHECK(s.nlink == 1);
  CHECK(s.mtime_ns == 1767225600LL * 1000000000 + 2 * day + 5);
  CHECK(StatOf(*store, "").mtime_ns == s.mtime_ns);
  CHECK(Names(*store, "") == std::vector<std::string>{"index.md", "notes", "sessions"});
  CHECK(WalkPaths(*store, "").front() == "index.md");
  std::vector<Line> lines;
  bool nl = false;
  REQUIRE(store->ReadLines("index.md", 7, 7, &lines, &nl).ok());
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].text == "| sessions/x.jsonl | 2026-01-03 | session, 3 lines |");
  CHECK(nl);
  Stat out;
  CHECK(store->GetStat("index.md/x", &out).code() == Code::kNotADirectory);
  CHECK(store->Remove("index.md").code() == Code::kInvalidArgument);
  CHECK(store->Walk("index.md", [](auto&, auto&) { return true; }).code() == Code::kNotADirectory);
  std::vector<DirEntry> entries;
  CHECK(store->ListDir("index.md", &entries).code() == Code::kNotADirectory);

  // At most 50 rows, newest first, ties by path.
  const int64_t kLater = 1800000000LL * 1000000000;  // 2027-01-15
  for (int i = 0; i < 60; ++i) {
    Write(*store, "bulk/" + std::to_string(100 + i) + ".md", "# T" + std::to_string(i) + "\n",
          kLater + (i / 2));
  }
  lines.clear();
  REQUIRE(store->ReadLines("index.md", 1, 0, &lines, &nl).ok());
  REQUIRE(lines.size() == 6 + 50);
  CHECK(lines[6].text == "| bulk/158.md | 2027-01-15 | T58 |");
  CHECK(lines[7].text == "| bulk/159.md | 2027-01-15 | T59 |");
  CHECK(lines[8].text == "| bulk/156.md | 2027-01-15 | T56 |");
  CHECK(lines.back().text == "| bulk/111.md | 2027-01-15 | T11 |");

  // Disabled, or shadowed by a real file: no generated index.
  auto plain = Open(db, NoIndex());
  CHECK(plain->GetStat("index.md", &out).code() == Code::kNotFound);
  CHECK(Names(*plain, "") == std::vector<std::string>{"bulk", "notes", "sessions"});
  Write(*store, "index.md", "# Mine\n", kBase);
  s = StatOf(*store, "index.md");
  CHECK(s.storage == Storage::kBlob);
  CHECK(Read(*store, "index.md") == "# Mine\n");
  CHECK(Names(*store, "") == std::vector<std::string>{"bulk", "index.md", "notes", "sessions"});
  REQUIRE(store->Remove("index.md").ok());
  CHECK(StatOf(*store, "index.md").storage == Storage::kVirtual);
  CHECK(Read(*store, "index.md").find("| index.md |") == std::string::npos);
}

TEST_CASE("read-only store reads but rejects every write") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  {
    auto rw = Open(db);
    Write(*rw, "a.md", "a\n");
  }
  auto ro = Open(db, ReadOnly());
  CHECK(Read(*ro, "a.md") == "a\n");
  CHECK(ro->WriteFile("b.md", "b", 0644, kBase).code() == Code::kReadOnly);
  CHECK(ro->MakeDirectory("d", 0755, kBase).code() == Code::kReadOnly);
  CHECK(ro->Remove("a.md").code() == Code::kReadOnly);
  CHECK(ImportTree(*ro, dbdir.path(), nullptr).code() == Code::kReadOnly);
  Stat out;
  CHECK(ro->GetStat("b.md", &out).code() == Code::kNotFound);
}

// Every statement the store ran for an operation, and the plan of each.
std::vector<std::string> Plans(Store& store, RawDb& raw) {
  std::vector<std::string> details;
  for (const std::string& sql : store.TakeTrace()) {
    if (sql == "BEGIN" || sql == "COMMIT" || sql == "ROLLBACK") continue;
    for (const std::string& d : raw.Column("EXPLAIN QUERY PLAN " + sql, 3)) {
      details.push_back(d + "    <- " + sql);
    }
  }
  return details;
}

TEST_CASE("EXPLAIN QUERY PLAN: reads are index searches, never table scans") {
  TempDir src, dbdir;
  MakeSourceTree(src.path());
  const std::string db = dbdir / "m.db";
  {
    auto rw = Open(db);
    REQUIRE(ImportTree(*rw, src.path(), nullptr).ok());
    RawDb raw(db);
    raw.Exec("ANALYZE");  // plans must hold with statistics too
  }
  StoreOptions options = ReadOnly(false);
  options.trace = true;
  auto store = Open(db, options);
  RawDb raw(db);
  store->TakeTrace();

  auto check_no_scan = [&](const std::string& what) {
    const auto details = Plans(*store, raw);
    INFO(what);
    CHECK(!details.empty());
    for (const std::string& d : details) {
      INFO(d);
      CHECK((d.rfind("SCAN ", 0) != 0 || d.rfind("SCAN CONSTANT ROW", 0) == 0));
      CHECK(d.find("TEMP B-TREE") == std::string::npos);
    }
  };

  Stat st;
  std::string bytes;
  std::vector<DirEntry> entries;
  std::vector<Line> lines;
  bool nl;
  REQUIRE(store->GetStat("notes/crlf.md", &st).ok());
  check_no_scan("GetStat file");
  REQUIRE(store->GetStat("sessions/2026", &st).ok());
  check_no_scan("GetStat dir");
  REQUIRE(store->GetStat("", &st).ok());
  check_no_scan("GetStat root");
  CHECK(store->GetStat("notes/crlf.md/x/y", &st).code() == Code::kNotADirectory);
  check_no_scan("GetStat below a file");
  REQUIRE(store->ListDir("sessions/2026", &entries).ok());
  check_no_scan("ListDir");
  REQUIRE(store->ListDir("", &entries).ok());
  check_no_scan("ListDir root");
  REQUIRE(store->ReadFile("readme.md", &bytes).ok());
  const auto cat = store->TakeTrace();
  CHECK(cat.size() == 1);  // cat of a note is one statement
  REQUIRE(store->ReadFile("readme.md", &bytes).ok());
  check_no_scan("ReadFile blob");
  REQUIRE(store->ReadFile("sessions/2026/01/a.jsonl", &bytes).ok());
  check_no_scan("ReadFile session");
  REQUIRE(store->ReadLines("sessions/2026/01/a.jsonl", 2, 2, &lines, &nl).ok());
  const auto details = Plans(*store, raw);
  CHECK(std::any_of(details.begin(), details.end(), [](const std::string& d) {
    return d.find("SEARCH sessions USING INDEX") == 0 &&
           d.find("line_no>? AND line_no<?") != std::string::npos;
  }));
  REQUIRE(store->ReadLines("sessions/2026/01/a.jsonl", 2, 2, &lines, &nl).ok());
  check_no_scan("ReadLines session");
  REQUIRE(store->ReadLines("notes/crlf.md", 1, 1, &lines, &nl).ok());
  check_no_scan("ReadLines blob");

  // ReadFiles streams each table from an index, no sort.
  REQUIRE(store
              ->ReadFiles({"notes/crlf.md", "readme.md", "sessions/2026/01/a.jsonl"}, {},
                          [](const Store::FileBytes&) { return Store::ReadNext::kNextFile; })
              .ok());
  check_no_scan("ReadFiles");

  // Walk below a directory is a range of the path key in every table.
  REQUIRE(store->Walk("sessions", [](auto&, auto&) { return true; }).ok());
  check_no_scan("Walk subtree");

  // The generated index reads at most 50 entries of each mtime index.
  StoreOptions indexed = options;
  indexed.virtual_index = true;
  auto with_index = Open(db, indexed);
  with_index->TakeTrace();
  REQUIRE(with_index->ReadFile("index.md", &bytes).ok());
  const auto index_plan = Plans(*with_index, raw);
  for (const std::string& d : index_plan) {
    INFO(d);
    if (d.rfind("SCAN ", 0) == 0 && d.find("subquery") == std::string::npos) {
      CHECK(d.find("_by_mtime") != std::string::npos);
    }
  }
}

// ---- ReadFiles ----------------------------------------------------------

struct Visit {
  std::string path, bytes;
  bool known_text = false;
};

Status ReadAll(Store& store, const std::vector<std::string>& paths, std::vector<Visit>* out,
               size_t stop_after = SIZE_MAX) {
  out->clear();
  return store.ReadFiles(paths, {}, [&](const Store::FileBytes& file) {
    REQUIRE(file.complete);
    out->push_back(Visit{std::string(file.path), std::string(file.bytes), file.known_text});
    return out->size() < stop_after ? Store::ReadNext::kNextFile : Store::ReadNext::kStop;
  });
}

bool CleanText(std::string_view bytes) {
  if (bytes.find('\0') != std::string_view::npos) return false;
  std::mbstate_t state{};
  for (size_t i = 0; i < bytes.size();) {
    wchar_t wc;
    const size_t n = std::mbrtowc(&wc, bytes.data() + i, bytes.size() - i, &state);
    if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2)) return false;
    i += n == 0 ? 1 : n;
  }
  return true;
}

TEST_CASE("ReadFiles: ReadFile's bytes, in the order given, known_text only for clean text") {
  REQUIRE(std::setlocale(LC_CTYPE, "C.UTF-8") != nullptr);
  TempDir src, dbdir;
  MakeSourceTree(src.path());
  auto store = Open(dbdir / "m.db");
  REQUIRE(ImportTree(*store, src.path(), nullptr).ok());
  std::vector<std::string> files;
  REQUIRE(store
              ->Walk("",
                     [&](const std::string& p, const Stat& st) {
                       if (st.kind == NodeKind::kFile) files.push_back(p);
                       return true;
                     })
              .ok());
  REQUIRE(std::find(files.begin(), files.end(), "index.md") != files.end());  // virtual
  for (const bool read_only : {false, true}) {
    auto reader = read_only ? Open(dbdir / "m.db", ReadOnly()) : Open(dbdir / "m.db");
    std::mt19937 rng(7);
    for (int round = 0; round < 20; ++round) {
      // Walk order, reversed, shuffled, with repeats and gaps.
      std::vector<std::string> paths = files;
      if (round == 1) std::reverse(paths.begin(), paths.end());
      if (round >= 2) {
        std::shuffle(paths.begin(), paths.end(), rng);
        paths.resize(rng() % (paths.size() + 1));
        if (!paths.empty()) paths.push_back(paths[rng() % paths.size()]);
      }
      std::vector<Visit> got;
      REQUIRE(ReadAll(*reader, paths, &got).ok());
      REQUIRE(got.size() == paths.size());
      for (size_t i = 0; i < paths.size(); ++i) {
        INFO(paths[i]);
        CHECK(got[i].path == paths[i]);
        CHECK(got[i].bytes == Read(*reader, paths[i]));
        if (got[i].known_text) CHECK(CleanText(got[i].bytes));
        // Session lines and clean blobs are vouched for.
        if (StatOf(*reader, paths[i]).storage == Storage::kLines) CHECK(got[i].known_text);
        if (paths[i] == "readme.md") CHECK(got[i].known_text);
        if (paths[i] == "sessions/2026/bad-utf8.jsonl" || paths[i] == "sessions/2026/nul.jsonl") {
          CHECK(!got[i].known_text);
        }
      }
    }
  }
}

TEST_CASE("ReadFiles: errors, early stop, names that sort around '/'") {
  TempDir dbdir;
  auto store = Open(dbdir / "m.db");
  // Siblings whose names continue a directory's name with bytes below '/'
  // ('-', '.', ' ') put path order and Walk order apart.
  const std::vector<std::string> paths = {
      "a/x.md",
      "a-b/y.md",
      "a.md",
      "a b.md",
      "sessions/1.jsonl",
      "sessions/1/2.jsonl",
      "sessions/1-2.jsonl",
      "sessions/1.jsonl.md",
      "sessions/e.jsonl",
  };
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string bytes = paths[i] == "sessions/e.jsonl" ? "" : "{\"n\":" + std::to_string(i) + "}\n";
    if (i % 3 == 0 && !bytes.empty()) bytes += "tail without newline";
    REQUIRE(store->WriteFile(paths[i], bytes, 0644, kBase).ok());
  }
  std::vector<std::string> walk = WalkPaths(*store, "");
  std::erase_if(walk,
                [&](const std::string& p) { return StatOf(*store, p).kind != NodeKind::kFile; });
  std::vector<Visit> got;
  REQUIRE(ReadAll(*store, walk, &got).ok());
  REQUIRE(got.size() == walk.size());
  for (size_t i = 0; i < walk.size(); ++i) CHECK(got[i].bytes == Read(*store, walk[i]));

  CHECK(ReadAll(*store, walk, &got, 2).ok());
  CHECK(got.size() == 2);

  // The first unreadable path ends the call with ReadFile's error.
  std::vector<std::string> with_missing = {"a.md", "nope.md", "a b.md"};
  CHECK(ReadAll(*store, with_missing, &got).code() == Code::kNotFound);
  CHECK(got.size() == 1);
  CHECK(ReadAll(*store, {"a.md", "a"}, &got).code() == Code::kIsADirectory);
  CHECK(ReadAll(*store, {"sessions/1.jsonl/x"}, &got).code() == Code::kNotADirectory);
  CHECK(ReadAll(*store, {"../a.md"}, &got).code() == Code::kInvalidArgument);
  CHECK(ReadAll(*store, {}, &got).ok());
  CHECK(got.empty());
}

TEST_CASE("ListFiles: Walk's files, in Walk order, from the path indexes") {
  TempDir src, dbdir;
  MakeSourceTree(src.path());
  auto store = Open(dbdir / "m.db");
  REQUIRE(ImportTree(*store, src.path(), nullptr).ok());
  for (const char* path :
       {"a/x.md", "a-b/y.md", "a.md", "a b.md", "a/b/c.jsonl", "sessions/1.jsonl",
        "sessions/1/2.jsonl", "sessions/1-2.jsonl", "sessions/1.jsonl.md", "z\xc3\xa9/\xff.md",
        // '/' against a lower byte at every offset around an eight-byte word.
        "abcdef/x.md", "abcdef-x.md", "abcdefg/x.md", "abcdefg-x.md", "abcdefgh/x.md",
        "abcdefgh.md", "abcdefghi/x.md", "abcdefghi x.md", "abcdefghijklmno/x.md",
        "abcdefghijklmno-x.md", "abcdefghijklmnop/x.md", "abcdefghijklmnop!x.md",
        "sessions/abcdefgh/1.jsonl", "sessions/abcdefgh-1.jsonl", "sessions/abcdefgh.md"}) {
    REQUIRE(store->WriteFile(path, "{}\n", 0644, kBase).ok());
  }
  for (const bool virtual_index : {true, false}) {
    StoreOptions options = ReadOnly(virtual_index);
    auto reader = Open(dbdir / "m.db", options);
    std::vector<std::string> dirs = {""};
    REQUIRE(reader
                ->Walk("",
                       [&](const std::string& p, const Stat& st) {
                         if (st.kind == NodeKind::kDirectory) dirs.push_back(p);
                         return true;
                       })
                .ok());
    for (const std::string& dir : dirs) {
      INFO(dir);
      std::vector<std::string> want;
      REQUIRE(reader
                  ->Walk(dir,
                         [&](const std::string& p, const Stat& st) {
                           if (st.kind == NodeKind::kFile) want.push_back(p);
                           return true;
                         })
                  .ok());
      std::vector<std::string> got;
      REQUIRE(reader->ListFiles(dir, &got).ok());
      CHECK(got == want);
    }
  }
  std::vector<std::string> got;
  CHECK(store->ListFiles("nope", &got).code() == Code::kNotFound);
  CHECK(store->ListFiles("a.md", &got).code() == Code::kNotADirectory);
}

TEST_CASE("ReadFiles: offer_prefixes hands session logs over in growing whole-line prefixes") {
  TempDir dbdir;
  auto store = Open(dbdir / "m.db");
  std::vector<std::string> paths;
  for (int n = 0; n < 40; ++n) {
    std::string bytes;
    for (int line = 0; line < n; ++line) bytes += "{\"line\":" + std::to_string(line) + "}\n";
    if (n % 2 == 1) bytes.pop_back();  // no final newline
    const std::string path = "sessions/" + std::to_string(100 + n) + ".jsonl";
    REQUIRE(store->WriteFile(path, bytes, 0644, kBase).ok());
    REQUIRE(StatOf(*store, path).storage == Storage::kLines);
    paths.push_back(path);
  }
  REQUIRE(
      store->WriteFile("sessions/blob.jsonl", "a\r\nb\r\nc\r\nd\r\ne\r\nf\r\n", 0644, kBase).ok());
  paths.push_back("sessions/blob.jsonl");
  Store::ReadOptions prefixes;
  prefixes.offer_prefixes = true;

  // Always asking for more: prefixes of 1, 2, 4, 8, 16, 32 lines while
  // more lines follow, then the whole file.
  std::map<std::string, std::vector<std::string>> seen;
  REQUIRE(store
              ->ReadFiles(paths, prefixes,
                          [&](const Store::FileBytes& file) {
                            seen[std::string(file.path)].push_back(std::string(file.bytes));
                            if (!file.complete) CHECK(file.known_text);
                            return Store::ReadNext::kMore;
                          })
              .ok());
  for (const std::string& path : paths) {
    INFO(path);
    const std::string whole = Read(*store, path);
    const std::vector<std::string>& got = seen[path];
    REQUIRE(!got.empty());
    CHECK(got.back() == whole);
    const size_t lines = std::count(whole.begin(), whole.end(), '\n') +
                         (!whole.empty() && whole.back() != '\n' ? 1 : 0);
    size_t expected_prefixes = 0;
    if (path != "sessions/blob.jsonl") {
      for (size_t k = 1; k < lines; k *= 2) ++expected_prefixes;
    }
    CHECK(got.size() == expected_prefixes + 1);
    for (size_t i = 0; i + 1 < got.size(); ++i) {
      const size_t k = size_t{1} << i;
      CHECK(std::count(got[i].begin(), got[i].end(), '\n') == static_cast<long>(k));
      CHECK(got[i].back() == '\n');
      CHECK(whole.compare(0, got[i].size(), got[i]) == 0);
    }
  }

  // Leaving every file at its first prefix, each path twice in a row: the
  // second read starts the file over, and later files are whole.
  std::vector<std::string> twice;
  for (const std::string& p : paths) {
    twice.push_back(p);
    twice.push_back(p);
  }
  std::vector<std::pair<std::string, std::string>> firsts;
  REQUIRE(store
              ->ReadFiles(twice, prefixes,
                          [&](const Store::FileBytes& file) {
                            firsts.emplace_back(std::string(file.path), std::string(file.bytes));
                            return Store::ReadNext::kNextFile;
                          })
              .ok());
  REQUIRE(firsts.size() == twice.size());
  for (size_t i = 0; i < twice.size(); ++i) {
    INFO(twice[i]);
    CHECK(firsts[i].first == twice[i]);
    const std::string whole = Read(*store, twice[i]);
    CHECK(whole.compare(0, firsts[i].second.size(), firsts[i].second) == 0);
    CHECK(firsts[i].second == firsts[i % 2 == 0 ? i + 1 : i - 1].second);
  }

  // kStop inside a prefix ends the call.
  int calls = 0;
  REQUIRE(store
              ->ReadFiles(paths, prefixes,
                          [&](const Store::FileBytes&) {
                            ++calls;
                            return Store::ReadNext::kStop;
                          })
              .ok());
  CHECK(calls == 1);
}

TEST_CASE("ReadFiles: sparse and dense subsets of a larger tree") {
  TempDir dbdir;
  auto store = Open(dbdir / "m.db");
  std::vector<std::string> files;
  for (int d = 0; d < 6; ++d) {
    for (int f = 0; f < 60; ++f) {
      const std::string dir =
          d % 2 == 0 ? "sessions/d" + std::to_string(d) : "n" + std::to_string(d);
      const std::string path = dir + "/" + std::to_string(f) + (d % 2 == 0 ? ".jsonl" : ".md");
      std::string bytes;
      for (int line = 0; line < f % 7; ++line)
        bytes += "{\"f\":" + std::to_string(f * 100 + line) + "}\n";
      files.push_back(path);
      REQUIRE(store->WriteFile(path, bytes, 0644, kBase).ok());
    }
  }
  std::sort(files.begin(), files.end());
  std::mt19937 rng(11);
  for (const int keep_one_in : {1, 2, 5, 30, 100}) {
    std::vector<std::string> subset;
    for (const std::string& f : files) {
      if (rng() % keep_one_in == 0) subset.push_back(f);
    }
    std::vector<Visit> got;
    REQUIRE(ReadAll(*store, subset, &got).ok());
    REQUIRE(got.size() == subset.size());
    for (size_t i = 0; i < subset.size(); ++i) {
      INFO(subset[i]);
      CHECK(got[i].bytes == Read(*store, subset[i]));
    }
  }
}

TEST_CASE("TakeTrace records statements with their values, then starts over") {
  TempDir dbdir;
  StoreOptions options;
  options.trace = true;
  auto store = Open(dbdir / "m.db", options);
  store->TakeTrace();
  Write(*store, "a.md", "hello");
  std::string out;
  REQUIRE(store->ReadFile("a.md", &out).ok());
  const auto trace = store->TakeTrace();
  REQUIRE(!trace.empty());
  CHECK(trace.front() == "BEGIN IMMEDIATE");
  CHECK(trace.back() ==
        "SELECT id, size, CASE WHEN size <= 1048576 THEN content END FROM memory WHERE path = "
        "'a.md'");
  CHECK(std::find(trace.begin(), trace.end(), "COMMIT") != trace.end());
  CHECK(store->TakeTrace().empty());

  auto quiet = Open(dbdir / "m.db");
  REQUIRE(quiet->ReadFile("a.md", &out).ok());
  CHECK(quiet->TakeTrace().empty());
}

TEST_CASE("concurrent writers wait for each other (busy_timeout)") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  auto a = Open(db);
  auto b = Open(db);
  auto reader = Open(db, ReadOnly());
  Write(*a, "shared.md", "v1");

  RawDb locker(db);
  locker.Exec("BEGIN IMMEDIATE");
  std::thread release([&locker] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    locker.Exec("COMMIT");
  });
  const auto start = std::chrono::steady_clock::now();
  // Readers are not blocked by the held write lock (WAL).
  CHECK(Read(*reader, "shared.md") == "v1");
  const Status st = b->WriteFile("shared.md", "v2", 0644, kBase);
  const auto waited = std::chrono::steady_clock::now() - start;
  release.join();
  INFO(st.message());
  CHECK(st.ok());
  CHECK(waited >= std::chrono::milliseconds(250));
  CHECK(Read(*a, "shared.md") == "v2");
  // A read-only store keeps the snapshot of its first read for its life
  // (one command sees one state); a new one sees the write.
  CHECK(Read(*reader, "shared.md") == "v1");
  reader = Open(db, ReadOnly());
  CHECK(Read(*reader, "shared.md") == "v2");

  // Two stores writing from two threads, interleaved: nothing is lost.
  std::thread t1([&] {
    for (int i = 0; i < 50; ++i)
      CHECK(a->WriteFile("a/" + std::to_string(i), "a", 0644, kBase).ok());
  });
  std::thread t2([&] {
    for (int i = 0; i < 50; ++i)
      CHECK(b->WriteFile("b/" + std::to_string(i), "b", 0644, kBase).ok());
  });
  t1.join();
  t2.join();
  reader = Open(db, ReadOnly());
  CHECK(Names(*reader, "a").size() == 50);
  CHECK(Names(*reader, "b").size() == 50);
}

TEST_CASE("several processes creating the same store at once all succeed") {
  TempDir dbdir;
  const std::string db = dbdir / "new.db";
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (size_t i = 0; i < ok.size(); ++i) {
    threads.emplace_back([&, i] {
      Status st;
      auto store = OpenSqliteStore(db, {}, &st);
      if (store == nullptr) {
        MESSAGE(st.message());
        return;
      }
      st = store->WriteFile("f" + std::to_string(i), "x", 0644, kBase);
      if (!st.ok()) MESSAGE(st.message());
      ok[i] = st.ok();
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(ok == std::vector<int>(4, 1));
  CHECK(Names(*Open(db, NoIndex()), "") == std::vector<std::string>{"f0", "f1", "f2", "f3"});
}

// ---- content index: FindCandidates ----------------------------------------

using SQ = Store::SubstringQuery;
using Order = Store::CandidateOrder;

SQ Atom(std::string text) {
  SQ q;
  q.atom = std::move(text);
  return q;
}
SQ AllOf(std::vector<SQ> children) {
  SQ q;
  q.op = SQ::Op::kAnd;
  q.children = std::move(children);
  return q;
}
SQ AnyOf(std::vector<SQ> children) {
  SQ q;
  q.op = SQ::Op::kOr;
  q.children = std::move(children);
  return q;
}

std::vector<std::string> Candidates(Store& store, const std::string& dir, const SQ& query,
                                    Order order = Order::kWalk) {
  std::vector<std::string> out;
  Store::CandidateOptions options;
  options.order = order;
  const Status st = store.FindCandidates(dir, query, &out, options);
  INFO(st.message());
  REQUIRE(st.ok());
  return out;
}

Code CandidatesCode(Store& store, const std::string& dir, const SQ& query) {
  std::vector<std::string> out;
  return store.FindCandidates(dir, query, &out).code();
}

// ASCII case-insensitive substring, the matching FindCandidates promises.
bool ContainsFold(std::string_view hay, std::string_view needle) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && lower(hay[i + k]) == lower(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return needle.empty();
}

bool Holds(const SQ& q, std::string_view text) {
  switch (q.op) {
    case SQ::Op::kAtom:
      return ContainsFold(text, q.atom);
    case SQ::Op::kAnd:
      return std::all_of(q.children.begin(), q.children.end(),
                         [&](const SQ& c) { return Holds(c, text); });
    case SQ::Op::kOr:
      return std::any_of(q.children.begin(), q.children.end(),
                         [&](const SQ& c) { return Holds(c, text); });
  }
  return true;
}

// The real files below `dir`, in Walk order, with how they are stored.
std::vector<std::pair<std::string, Storage>> WalkFiles(Store& store, const std::string& dir) {
  std::vector<std::pair<std::string, Storage>> files;
  const Status st = store.Walk(dir, [&](const std::string& p, const Stat& s) {
    if (s.kind == NodeKind::kFile && s.storage != Storage::kVirtual)
      files.emplace_back(p, s.storage);
    return true;
  });
  INFO(st.message());
  REQUIRE(st.ok());
  return files;
}

// What a scan would find, with grep's unit of matching: one line of a
// session log (stored as lines), the whole content of a blob.
std::vector<std::string> NaiveMatches(Store& store, const std::string& dir, const SQ& query) {
  std::vector<std::string> out;
  for (const auto& [path, storage] : WalkFiles(store, dir)) {
    const std::string content = Read(store, path);
    bool match = false;
    if (storage == Storage::kLines) {
      size_t start = 0;
      while (!match && start <= content.size()) {
        size_t nl = content.find('\n', start);
        if (nl == std::string::npos) nl = content.size();
        match = Holds(query, std::string_view(content).substr(start, nl - start));
        start = nl + 1;
      }
    } else {
      match = Holds(query, content);
    }
    if (match) out.push_back(path);
  }
  return out;
}

// FindCandidates is a superset of the scan, each file once, in Walk order,
// only real files below `dir`; bm25 order gives the same set.
void CheckCandidates(Store& store, const std::string& dir, const SQ& query) {
  const std::vector<std::string> got = Candidates(store, dir, query);
  const auto files = WalkFiles(store, dir);
  size_t k = 0;
  for (const std::string& path : got) {
    while (k < files.size() && files[k].first != path) ++k;
    INFO("candidate out of Walk order, repeated or not a file below '", dir, "': ", path);
    REQUIRE(k < files.size());
    ++k;
  }
  for (const std::string& path : NaiveMatches(store, dir, query)) {
    INFO("missed: ", path, " (below '", dir, "')");
    CHECK(std::find(got.begin(), got.end(), path) != got.end());
  }
  std::vector<std::string> ranked = Candidates(store, dir, query, Order::kBm25);
  std::vector<std::string> sorted = got;
  std::sort(ranked.begin(), ranked.end());
  std::sort(sorted.begin(), sorted.end());
  CHECK(ranked == sorted);
}

// The index holds exactly what rebuilding it from the tables gives: no
// stale entry, none missing, nothing left queued.
void CheckIndexExact(const std::string& db) {
  RawDb raw(db);
  CHECK(raw.One("SELECT count(*) FROM fts_queue_memory") == "0");
  CHECK(raw.One("SELECT count(*) FROM fts_queue_sessions") == "0");
  raw.Exec("INSERT INTO memory_fts(memory_fts) VALUES('integrity-check')");
  raw.Exec("INSERT INTO sessions_fts(sessions_fts) VALUES('integrity-check')");
  const std::string copy = db + ".rebuilt";
  fs::remove(copy);
  raw.Exec("VACUUM INTO '" + copy + "'");
  RawDb rebuilt(copy);
  for (const std::string table : {"memory_fts", "sessions_fts"}) {
    rebuilt.Exec("INSERT INTO " + table + "(" + table + ") VALUES('rebuild')");
    const std::string vocab = "CREATE VIRTUAL TABLE temp.v_" + table + " USING fts5vocab(main, '" +
                              table + "', 'instance')";
    const std::string select = "SELECT hex(term) || ' ' || doc FROM temp.v_" + table;
    raw.Exec(vocab);
    rebuilt.Exec(vocab);
    auto live = raw.Column(select);
    auto fresh = rebuilt.Column(select);
    std::sort(live.begin(), live.end());
    std::sort(fresh.begin(), fresh.end());
    INFO(table);
    CHECK(live.size() == fresh.size());
    CHECK(live == fresh);
  }
  fs::remove(copy);
}

TEST_CASE("FindCandidates: atoms, quotes, unicode, AND/OR, errors") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  auto store = Open(db);
  Write(*store, "notes/quotes.md", "She said \"hello there\" and left\n");
  Write(*store, "notes/unicode.md",
        "# \xc3\x89"
        "cole\nna\xc3\xafve caf\xc3\xa9 \xe2\x9c\x93 done\n");
  Write(*store, "notes/plain.md", "Just some Plain TEXT here\nsecond line\n");
  Write(*store, "sessions/2026/a.jsonl", "{\"msg\":\"alpha beta\"}\n{\"msg\":\"gamma\"}\n");
  Write(*store, "notes/nul.bin", std::string("abc\0def\n", 8));
  Write(*store, "notes/bad.bin", "caf\xc3\xa9\x80 xyzzy \xff\n");  // é then a stray byte
  auto find = [&](const SQ& q) { return Candidates(*store, "", q); };
  const std::vector<std::string> unindexed = {"notes/bad.bin", "notes/nul.bin"};
  auto with_unindexed = [&](std::vector<std::string> v) {
    v.insert(v.end(), unindexed.begin(), unindexed.end());
    std::sort(v.begin(), v.end(), [](const std::string& a, const std::string& b) {
      // Walk order for these paths (no '/' vs byte ties among them).
      return a < b;
    });
    return v;
  };

  // Case-insensitive, and files the index cannot represent always come back.
  CHECK(find(Atom("plain text")) == with_unindexed({"notes/plain.md"}));
  CHECK(find(Atom("PLAIN")) == with_unindexed({"notes/plain.md"}));
  CHECK(find(Atom("nothing like this")) == with_unindexed({}));
  // Quotes are literal text, never FTS5 syntax.
  CHECK(find(Atom("\"hello")) == with_unindexed({"notes/quotes.md"}));
  CHECK(find(Atom("\"hello there\"")) == with_unindexed({"notes/quotes.md"}));
  CHECK(find(Atom("\"\"\"")) == with_unindexed({}));
  CHECK(find(Atom("x\" OR \"e")) == with_unindexed({}));
  CHECK(find(Atom("NEAR(a b)")) == with_unindexed({}));
  // Unicode: whole characters, case folded beyond ASCII (a superset).
  CHECK(find(Atom("caf\xc3\xa9")) == with_unindexed({"notes/unicode.md"}));
  CHECK(find(Atom("\xe2\x9c\x93 d")) == with_unindexed({"notes/unicode.md"}));
  CHECK(find(Atom("\xc3\xa9"
                  "cole")) == with_unindexed({"notes/unicode.md"}));
  // A needle cut inside a character still finds the whole one.
  CHECK(find(Atom("caf\xc3")) == with_unindexed({"notes/unicode.md"}));
  CHECK(find(Atom("\xa9"
                  "cole")) == with_unindexed({"notes/unicode.md"}));
  // Invalid UTF-8 or NUL inside a needle: only unindexed files can hold it.
  CHECK(find(Atom("xyzzy \xff")) == with_unindexed({}));
  CHECK(find(Atom(std::string("abc\0def", 7))) == with_unindexed({}));
  // Session logs match line by line.
  CHECK(find(Atom("alpha")) == with_unindexed({"sessions/2026/a.jsonl"}));
  CHECK(find(AllOf({Atom("alpha"), Atom("beta")})) == with_unindexed({"sessions/2026/a.jsonl"}));
  CHECK(find(AllOf({Atom("alpha"), Atom("gamma")})) == with_unindexed({}));
  // Blobs match as a whole.
  CHECK(find(AllOf({Atom("plain"), Atom("second")})) == with_unindexed({"notes/plain.md"}));
  CHECK(find(AnyOf({Atom("plain"), Atom("gamma"), Atom("zzzzz")})) ==
        with_unindexed({"notes/plain.md", "sessions/2026/a.jsonl"}));
  CHECK(find(AllOf({AnyOf({Atom("hello"), Atom("plain")}), Atom("there")})) ==
        with_unindexed({"notes/quotes.md"}));
  // An OR of nothing matches nothing; an AND with an impossible part too.
  CHECK(find(AnyOf({})) == with_unindexed({}));
  CHECK(find(AllOf({Atom("plain"), Atom("a\xff\xfe")})) == with_unindexed({}));

  // What the trigram index cannot serve.
  CHECK(CandidatesCode(*store, "", Atom("ab")) == Code::kInvalidArgument);
  CHECK(CandidatesCode(*store, "", Atom("")) == Code::kInvalidArgument);
  CHECK(CandidatesCode(*store, "", Atom("\xc3\xa9\xc3\xa9")) == Code::kInvalidArgument);  // 2 chars
  CHECK(CandidatesCode(*store, "", Atom("ab\xc3")) == Code::kInvalidArgument);  // "ab" + a cut char
  CHECK(CandidatesCode(*store, "", Atom("abc\ndef")) == Code::kInvalidArgument);
  CHECK(CandidatesCode(*store, "", AllOf({Atom("plain"), Atom("ab")})) == Code::kInvalidArgument);
  CHECK(CandidatesCode(*store, "", AnyOf({Atom("plain"), Atom("ab")})) == Code::kInvalidArgument);
  CHECK(CandidatesCode(*store, "", AllOf({})) == Code::kInvalidArgument);  // no constraint
  CHECK(CandidatesCode(*store, "", AnyOf({Atom("plain"), AllOf({})})) == Code::kInvalidArgument);
  SQ deep = Atom("plain");
  for (int i = 0; i < 100; ++i) deep = AllOf({deep});
  CHECK(CandidatesCode(*store, "", deep) == Code::kInvalidArgument);
  // As deep as allowed, alternating AND and OR: within FTS5's parser stack.
  SQ nested = Atom("plain");
  for (int i = 0; i < 15; ++i) {
    nested = i % 2 == 0 ? AllOf({Atom("text"), nested}) : AnyOf({Atom("zzzz"), nested});
  }
  CHECK(find(nested) == with_unindexed({"notes/plain.md"}));
  // A long needle (more trigrams than are looked up) still finds its file.
  std::string longer(300, 'q');
  for (size_t i = 0; i < longer.size(); i += 7) longer[i] = static_cast<char>('a' + i % 26);
  Write(*store, "notes/long.md", "x" + longer + "y");
  CHECK(find(Atom(longer)) == with_unindexed({"notes/long.md"}));

  // The scope must name a directory.
  CHECK(CandidatesCode(*store, "nope", Atom("plain")) == Code::kNotFound);
  CHECK(CandidatesCode(*store, "notes/plain.md", Atom("plain")) == Code::kNotADirectory);
  CHECK(CandidatesCode(*store, "index.md", Atom("plain")) == Code::kNotADirectory);
  CHECK(CandidatesCode(*store, "notes/", Atom("plain")) == Code::kInvalidArgument);

  // The generated index.md is never a candidate; a real one is a file.
  CHECK(find(Atom("Memory index")) == with_unindexed({}));
  Write(*store, "index.md", "# Memory index, by hand\n");
  CHECK(find(Atom("Memory index")) == with_unindexed({"index.md"}));
  CheckIndexExact(db);
}

TEST_CASE("FindCandidates: scope and Walk order ('/' sorts before every byte)") {
  TempDir dbdir;
  auto store = Open(dbdir / "m.db");
  const std::vector<std::string> paths = {
      "notes.md",
      "notes/a.md",
      "notes/sub/c.md",
      "notes/sub.md",
      "notes2/b.md",
      "notes-x/d",
      "notesz.md",
      "a.md",
      "a/x.md",
      "a-b.md",
      "sessions/2026/s.jsonl",
      "sessions.md",
      "sessions/x.jsonl",
  };
  for (const std::string& p : paths) Write(*store, p, "the needle is here\n");
  auto files_below = [&](const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& f : WalkFiles(*store, dir)) out.push_back(f.first);
    return out;
  };
  for (const std::string dir : {"", "notes", "notes/sub", "a", "notes2", "sessions"}) {
    INFO(dir);
    CHECK(Candidates(*store, dir, Atom("NEEDLE")) == files_below(dir));
  }
  CHECK(Candidates(*store, "notes", Atom("needle")) ==
        std::vector<std::string>{"notes/a.md", "notes/sub/c.md", "notes/sub.md"});
  CHECK(Candidates(*store, "", Atom("needle"))[0] == "a/x.md");  // before "a-b.md", "a.md"
  CHECK(Candidates(*store, "sessions", Atom("needle")) ==
        std::vector<std::string>{"sessions/2026/s.jsonl", "sessions/x.jsonl"});
  Write(*store, "empty/.keep", "nothing\n");
  REQUIRE(store->Remove("empty/.keep").ok());
  CHECK(Candidates(*store, "empty", Atom("needle")).empty());
}

TEST_CASE("FindCandidates: bm25 order ranks the better match first, same set") {
  TempDir dbdir;
  auto store = Open(dbdir / "m.db");
  std::string filler;
  for (int i = 0; i < 200; ++i) filler += "unrelated words about nothing in particular\n";
  Write(*store, "a-long.md", filler + "a rare zebra word\n" + filler);
  Write(*store, "b-short.md", "zebra\n");
  Write(*store, "c-binary.bin", std::string("\0zebra", 6));
  Write(*store, "d-none.md", "nothing\n");
  CHECK(Candidates(*store, "", Atom("zebra")) ==
        std::vector<std::string>{"a-long.md", "b-short.md", "c-binary.bin"});
  // Short documents rank first; files without a score (unindexed) last.
  CHECK(Candidates(*store, "", Atom("zebra"), Order::kBm25) ==
        std::vector<std::string>{"b-short.md", "a-long.md", "c-binary.bin"});
}

// A store of `count` files, notes and session logs mixed, some long.
std::vector<std::string> WriteManyFiles(Store& store, int count) {
  std::vector<std::string> paths;
  for (int i = 0; i < count; ++i) {
    const bool log = i % 3 != 0;
    const std::string path =
        log ? "sessions/d" + std::to_string(i % 7) + "/" + std::to_string(i) + ".jsonl"
            : "notes/n" + std::to_string(i % 5) + "/" + std::to_string(i) + ".md";
    std::string bytes;
    for (int line = 0; line < (i * 7) % 23; ++line) {
      bytes += "{\"file\":" + std::to_string(i) + ",\"line\":" + std::to_string(line) + "}\n";
    }
    if (i % 11 == 0 && !bytes.empty()) bytes.pop_back();
    REQUIRE(store.WriteFile(path, bytes, 0644, kBase).ok());
    paths.push_back(path);
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// WriteManyFiles into a new store at `db`, closed again.
std::vector<std::string> WriteManyFilesTo(const std::string& db, int count) {
  auto rw = Open(db);
  return WriteManyFiles(*rw, count);
}

// A read-only store as the hook opens one: reading in parallel.
StoreOptions ParallelReadOnly(bool trace = false) {
  StoreOptions options = ReadOnly();
  options.parallel_reads = true;
  options.trace = trace;
  return options;
}

bool TraceSays(Store& store, std::string_view text) {
  const std::vector<std::string> trace = store.TakeTrace();
  return std::any_of(trace.begin(), trace.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

constexpr std::string_view kParallelTrace = "a second connection on the same snapshot reads ahead";

TEST_CASE("ReadFiles with parallel_reads: the same bytes, order, prefixes, stops and errors") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  const std::vector<std::string> paths = WriteManyFilesTo(db, 1500);
  const StoreOptions options = ParallelReadOnly(/*trace=*/true);
  auto parallel = Open(db, options);
  auto alone = Open(db, ReadOnly());

  std::vector<Visit> want, got;
  REQUIRE(ReadAll(*alone, paths, &want).ok());
  parallel->TakeTrace();
  REQUIRE(ReadAll(*parallel, paths, &got).ok());
  CHECK(TraceSays(*parallel, kParallelTrace));
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO(paths[i]);
    CHECK(got[i].path == want[i].path);
    CHECK(got[i].bytes == want[i].bytes);
    CHECK(got[i].known_text == want[i].known_text);
  }
  // Stops inside blocks read here and by the helper.
  for (const size_t stop : {size_t{1}, size_t{64}, size_t{65}, size_t{100}, size_t{700}}) {
    REQUIRE(ReadAll(*parallel, paths, &got, stop).ok());
    CHECK(got.size() == stop);
  }
  // An unreadable path in a helper block: the paths before it, then its error.
  std::vector<std::string> with_missing = paths;
  with_missing[100] = "notes/missing.md";
  CHECK(ReadAll(*parallel, with_missing, &got).code() == Code::kNotFound);
  CHECK(got.size() == 100);
  // Prefixes where this thread reads; whole files from the helper.
  Store::ReadOptions prefixes;
  prefixes.offer_prefixes = true;
  std::vector<std::string> last(paths.size());
  size_t visits = 0;
  size_t index = 0;
  REQUIRE(parallel
              ->ReadFiles(paths, prefixes,
                          [&](const Store::FileBytes& file) {
                            ++visits;
                            while (paths[index] != file.path) ++index;
                            last[index] = std::string(file.bytes);
                            return file.complete ? Store::ReadNext::kNextFile
                                                 : Store::ReadNext::kMore;
                          })
              .ok());
  CHECK(visits >= paths.size());
  for (size_t i = 0; i < paths.size(); ++i) CHECK(last[i] == want[i].bytes);
}

TEST_CASE("ReadFiles with parallel_reads: a block read ahead stops at its byte budget") {
  // Blocks of 64 files of 96 KiB (with a NUL byte: stored as blobs, not
  // indexed) pass the 4 MiB a block read ahead may hold: the rest of each
  // is read in turn by the visitor's thread, with the same result.
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  std::vector<std::string> paths;
  {
    auto rw = Open(db);
    for (int i = 0; i < 600; ++i) {
      std::string bytes(96 << 10, static_cast<char>('a' + i % 26));
      bytes[i % 1000] = '\0';
      paths.push_back("blobs/" + std::to_string(1000 + i) + ".bin");
      REQUIRE(rw->WriteFile(paths.back(), bytes, 0644, kBase).ok());
    }
  }
  const StoreOptions options = ParallelReadOnly(/*trace=*/true);
  auto parallel = Open(db, options);
  parallel->TakeTrace();
  size_t index = 0;
  REQUIRE(parallel
              ->ReadFiles(paths, {},
                          [&](const Store::FileBytes& file) {
                            // Slow, so that the helper surely reads ahead.
                            std::this_thread::sleep_for(std::chrono::microseconds(200));
                            CHECK(file.path == paths[index]);
                            CHECK(file.bytes.size() == size_t{96} << 10);
                            CHECK(file.bytes[index % 1000] == '\0');
                            CHECK(file.bytes[(index + 1) % 1000] ==
                                  static_cast<char>('a' + index % 26));
                            ++index;
                            return Store::ReadNext::kNextFile;
                          })
              .ok());
  CHECK(index == paths.size());
  CHECK(TraceSays(*parallel, "past a read-ahead block's byte budget, read in turn"));
}

TEST_CASE("ReadFiles with parallel_reads: prefix_settles lets both threads stop early") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  const std::vector<std::string> paths = WriteManyFilesTo(db, 1200);
  const StoreOptions options = ParallelReadOnly();
  auto reader = Open(db, options);
  const std::string needle = "\"line\":5}";
  Store::ReadOptions read_options;
  read_options.offer_prefixes = true;
  std::atomic<int> probes{0};
  read_options.prefix_settles = [&](std::string_view prefix, size_t from) {
    ++probes;
    return prefix.find(needle, from) != std::string_view::npos;
  };
  std::vector<std::pair<std::string, bool>> seen;  // last bytes of each path, complete
  size_t settled_ahead = 0;
  size_t probed = 0;
  // A slow visitor, so that the helper surely reads some blocks however
  // busy the machine (which thread reads a block is a matter of timing).
  REQUIRE(reader
              ->ReadFiles(paths, read_options,
                          [&](const Store::FileBytes& file) {
                            std::this_thread::sleep_for(std::chrono::microseconds(100));
                            if (file.settled) {
                              // Read ahead, and already accepted by prefix_settles.
                              ++settled_ahead;
                              CHECK_FALSE(file.complete);
                              CHECK(file.bytes.find(needle) != std::string_view::npos);
                            } else if (!file.complete) {
                              const size_t from = std::exchange(probed, file.bytes.size());
                              if (file.bytes.find(needle, from) == std::string_view::npos) {
                                return Store::ReadNext::kMore;
                              }
                            }
                            probed = 0;
                            seen.emplace_back(std::string(file.bytes), file.complete);
                            return Store::ReadNext::kNextFile;
                          })
              .ok());
  REQUIRE(seen.size() == paths.size());
  size_t settled_early = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    INFO(paths[i]);
    const std::string whole = Read(*reader, paths[i]);
    if (seen[i].second) {
      CHECK(seen[i].first == whole);
    } else {
      ++settled_early;
      CHECK(whole.compare(0, seen[i].first.size(), seen[i].first) == 0);
      CHECK(seen[i].first.find(needle) != std::string::npos);
    }
  }
  CHECK(settled_early > 100);
  CHECK(probes > 0);  // the helper asked too
  CHECK(settled_ahead > 0);
}

TEST_CASE("ReadFiles with parallel_reads never mixes in a change committed after the snapshot") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  auto rw = Open(db);
  const std::vector<std::string> paths = WriteManyFiles(*rw, 800);
  const StoreOptions options = ParallelReadOnly(/*trace=*/true);
  auto reader = Open(db, options);
  std::vector<Visit> before;
  REQUIRE(ReadAll(*reader, {paths[0]}, &before).ok());  // the snapshot starts here
  // Files in blocks the helper would read, and one this thread reads.
  for (const size_t i : {size_t{3}, size_t{70}, size_t{200}, size_t{650}}) {
    REQUIRE(rw->WriteFile(paths[i], "changed\n", 0644, kBase).ok());
  }
  reader->TakeTrace();
  std::vector<Visit> got;
  REQUIRE(ReadAll(*reader, paths, &got).ok());
  CHECK_FALSE(TraceSays(*reader, kParallelTrace));
  for (const Visit& v : got) CHECK(v.bytes != "changed\n");
  // A new reader sees the change, and reads in parallel again.
  auto fresh = Open(db, options);
  REQUIRE(ReadAll(*fresh, paths, &got).ok());
  CHECK(TraceSays(*fresh, kParallelTrace));
  CHECK(got[70].bytes == "changed\n");
}

TEST_CASE("every change to the tree moves the generation counter (v3)") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  auto store = Open(db);
  RawDb raw(db);
  CHECK(raw.One("PRAGMA user_version") == "6");
  auto generation = [&] { return std::stoll(raw.One("SELECT n FROM generation")); };
  int64_t last = generation();
  auto moved = [&] {
    const int64_t now = generation();
    const bool changed = now != last;
    last = now;
    return changed;
  };
  REQUIRE(store->WriteFile("notes/a.md", "a\n", 0644, kBase).ok());
  CHECK(moved());
  REQUIRE(store->WriteFile("notes/a.md", "b\n", 0644, kBase).ok());
  CHECK(moved());
  REQUIRE(store->WriteFile("sessions/s.jsonl", "{}\n", 0644, kBase).ok());
  CHECK(moved());
  REQUIRE(store->WriteFile("sessions/s.jsonl", "{}\n{}\n", 0644, kBase).ok());
  CHECK(moved());
  REQUIRE(store->MakeDirectory("empty", 0755, kBase).ok());
  CHECK(moved());
  REQUIRE(store->Remove("notes").ok());
  CHECK(moved());
  std::string bytes;
  REQUIRE(store->ReadFile("sessions/s.jsonl", &bytes).ok());
  CHECK_FALSE(moved());
  // Writes from another SQLite client count too.
  raw.Exec("UPDATE session_files SET mode = 384");
  CHECK(moved());
}

TEST_CASE("a read-only store reads a v2 store as it is; a read-write one upgrades it") {
  TempDir dbdir;
  const std::string db = dbdir / "v2.db";
  const std::vector<std::string> paths = WriteManyFilesTo(db, 600);
  {
    // Back to v2: no counter, no triggers for it.
    RawDb raw(db);
    for (const std::string& name :
         raw.Column("SELECT name FROM sqlite_schema WHERE name LIKE '%generation%' AND "
                    "type = 'trigger'")) {
      raw.Exec("DROP TRIGGER " + name);
    }
    raw.Exec(
        "DROP TABLE generation; DROP TABLE history; DROP TABLE changes; DROP TABLE meta; "
        "DROP TABLE hook_calls; DROP INDEX memory_meta_by_path; DROP INDEX memory_meta_by_parent; "
        "PRAGMA user_version = 2");
  }
  const StoreOptions options = ParallelReadOnly(/*trace=*/true);
  auto reader = Open(db, options);
  std::vector<Visit> got;
  REQUIRE(ReadAll(*reader, paths, &got).ok());
  CHECK(got.size() == paths.size());
  CHECK(got[5].bytes == Read(*reader, paths[5]));
  CHECK_FALSE(TraceSays(*reader, kParallelTrace));  // needs the v3 counter
  CHECK(RawDb(db).One("PRAGMA user_version") == "2");
  reader.reset();
  auto rw = Open(db);
  CHECK(RawDb(db).One("PRAGMA user_version") == "6");
}

TEST_CASE("FindCandidates: refuse_unselective declines a common word, answers a rare one") {
  TempDir dbdir;
  auto store = Open(dbdir / "m.db");
  for (int i = 0; i < 40; ++i) {
    std::string text = "{\"common\":" + std::to_string(i) + "}\n";
    if (i == 7) text += "{\"rarest\":1}\n";
    REQUIRE(store->WriteFile("sessions/" + std::to_string(i) + ".jsonl", text, 0644, kBase).ok());
    REQUIRE(
        store->WriteFile("notes/" + std::to_string(i) + ".md", "common note\n", 0644, kBase).ok());
  }
  Store::CandidateOptions refuse;
  refuse.refuse_unselective = true;
  std::vector<std::string> out;
  CHECK(store->FindCandidates("", Atom("common"), &out, refuse).code() == Code::kInvalidArgument);
  CHECK(store->FindCandidates("", Atom("common"), &out).ok());
  CHECK(out.size() == 80);
  REQUIRE(store->FindCandidates("", Atom("rarest"), &out, refuse).ok());
  CHECK(out == std::vector<std::string>{"sessions/7.jsonl"});
  // Beyond a few thousand rows the share is estimated on the oldest ones:
  // a word only in newer rows is looked up (and every file holding it found).
  std::string old_log, new_log;
  for (int i = 0; i < 5000; ++i) old_log += "{\"ancient\":" + std::to_string(i) + "}\n";
  for (int i = 0; i < 5000; ++i) new_log += "{\"recent\":" + std::to_string(i) + "}\n";
  REQUIRE(store->WriteFile("sessions/old.jsonl", old_log, 0644, kBase).ok());
  REQUIRE(store->WriteFile("sessions/new.jsonl", new_log, 0644, kBase).ok());
  CHECK(store->FindCandidates("", Atom("ancient"), &out, refuse).code() == Code::kInvalidArgument);
  REQUIRE(store->FindCandidates("", Atom("recent"), &out, refuse).ok());
  CHECK(out == std::vector<std::string>{"sessions/new.jsonl"});
  // Ranked results are never refused: the order is what was asked for.
  refuse.order = Store::CandidateOrder::kBm25;
  CHECK(store->FindCandidates("", Atom("common"), &out, refuse).ok());
  CHECK(out.size() == 80);
}

TEST_CASE("FindCandidates: the index follows every write exactly") {
  TempDir src, dbdir;
  const std::string db = dbdir / "m.db";
  auto store = Open(db);
  auto find = [&](const std::string& word) { return Candidates(*store, "", Atom(word)); };
  using V = std::vector<std::string>;

  Write(*store, "n.md", "first version\n");
  CHECK(find("first") == V{"n.md"});
  Write(*store, "n.md", "second version\n");  // overwrite
  CHECK(find("first").empty());
  CHECK(find("second") == V{"n.md"});
  Write(*store, "n.md", "second \xff version\n");  // becomes unindexable
  CHECK(find("anything") == V{"n.md"});
  Write(*store, "n.md", "third version\n");  // and indexable again
  CHECK(find("second").empty());
  CHECK(find("third") == V{"n.md"});
  CheckIndexExact(db);

  // A session log: lines, then a blob (a '\r'), then lines again.
  Write(*store, "sessions/s.jsonl", "{\"a\":\"apple\"}\n{\"b\":\"banana\"}\n");
  CHECK(find("banana") == V{"sessions/s.jsonl"});
  Write(*store, "sessions/s.jsonl", "{\"a\":\"apple\"}\r\n{\"c\":\"cherry\"}\r\n");
  CHECK(StatOf(*store, "sessions/s.jsonl").storage == Storage::kBlob);
  CHECK(find("banana").empty());
  CHECK(find("cherry") == V{"sessions/s.jsonl"});
  Write(*store, "sessions/s.jsonl", "{\"d\":\"durian\"}\n");
  CHECK(find("cherry").empty());
  CHECK(find("durian") == V{"sessions/s.jsonl"});
  // Appends, an extended last line, truncation: the in-place updates.
  Write(*store, "sessions/s.jsonl", "{\"d\":\"durian\"}\n{\"e\":\"elder");
  CHECK(find("elder") == V{"sessions/s.jsonl"});
  Write(*store, "sessions/s.jsonl",
        "{\"d\":\"durian\"}\n{\"e\":\"elderberry\"}\n{\"f\":\"fig\"}\n");
  CHECK(find("berry") == V{"sessions/s.jsonl"});
  CHECK(find("\"fig\"") == V{"sessions/s.jsonl"});
  Write(*store, "sessions/s.jsonl", "{\"d\":\"durian\"}\n");
  CHECK(find("elder").empty());
  CHECK(find("\"fig\"").empty());
  CHECK(find("durian") == V{"sessions/s.jsonl"});
  CheckIndexExact(db);

  // Removal, of a file and of a whole directory.
  Write(*store, "dir/a.md", "kiwi\n");
  Write(*store, "dir/sub/b.md", "kiwi\n");
  Write(*store, "dir/sub/c.bin", "kiwi\xff\n");
  Write(*store, "dir/sessions/x.jsonl", "kiwi\n");
  Write(*store, "sessions/dir/y.jsonl", "kiwi\n");
  CHECK(find("kiwi") == V{"dir/a.md", "dir/sessions/x.jsonl", "dir/sub/b.md", "dir/sub/c.bin",
                          "sessions/dir/y.jsonl"});
  REQUIRE(store->Remove("dir/a.md").ok());
  CHECK(find("kiwi") ==
        V{"dir/sessions/x.jsonl", "dir/sub/b.md", "dir/sub/c.bin", "sessions/dir/y.jsonl"});
  REQUIRE(store->Remove("dir").ok());
  CHECK(find("kiwi") == V{"sessions/dir/y.jsonl"});
  REQUIRE(store->Remove("sessions/dir").ok());
  CHECK(find("kiwi").empty());
  CheckIndexExact(db);

  // Re-import: changed, appended, truncated and new files.
  HostDir(src / "sessions", 0755);
  HostFile(src / "note.md", "mango\n", 0644, kBase);
  HostFile(src / "sessions/log.jsonl", "{\"x\":\"mango\"}\n{\"y\":\"melon\"}\n", 0644, kBase);
  HostFile(src / "sessions/cut.jsonl", "{\"x\":\"lemon\"}\n{\"y\":\"lime\"}\n", 0644, kBase);
  REQUIRE(ImportTree(*store, src.path(), nullptr).ok());
  CHECK(find("mango") == V{"note.md", "sessions/log.jsonl"});
  CHECK(find("lime") == V{"sessions/cut.jsonl"});
  HostFile(src / "note.md", "papaya\n", 0644, kBase + 1);
  HostFile(src / "sessions/log.jsonl", "{\"x\":\"mango\"}\n{\"y\":\"melon\"}\n{\"z\":\"peach\"}\n",
           0644, kBase + 1);
  HostFile(src / "sessions/cut.jsonl", "{\"x\":\"lemon\"}\n", 0644, kBase + 1);
  HostFile(src / "new.md", "peach\n", 0644, kBase + 1);
  REQUIRE(ImportTree(*store, src.path(), nullptr).ok());
  CHECK(find("mango") == V{"sessions/log.jsonl"});
  CHECK(find("papaya") == V{"note.md"});
  CHECK(find("peach") == V{"new.md", "sessions/log.jsonl"});
  CHECK(find("lime").empty());
  CHECK(find("lemon") == V{"sessions/cut.jsonl"});
  CheckIndexExact(db);

  // A failed bulk load leaves the index as it was (one transaction).
  {
    std::unique_ptr<internal::BulkWriter> writer;
    REQUIRE(dynamic_cast<internal::BulkCapable*>(store.get())->BeginBulk(&writer).ok());
    REQUIRE(writer->PutFile("rolled/back.md", "grape\n", 0644, kBase).ok());
    REQUIRE(writer->PutFile("note.md", "grape\n", 0644, kBase).ok());
  }  // destroyed without Commit
  CHECK(find("grape").empty());
  CHECK(find("papaya") == V{"note.md"});
  CheckIndexExact(db);
}

TEST_CASE("FindCandidates: never misses a file (random trees and queries vs a scan)") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  auto store = Open(db);
  std::mt19937 rng(20260101);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<std::string> paths = {
      "a.md",
      "notes.md",
      "notes/x.md",
      "notes/deep/y.md",
      "notes2/z.md",
      "notes-a/w.md",
      "sessions/s1.jsonl",
      "sessions/2026/s2.jsonl",
      "index.md",
      "sessions/2026/s3.jsonl",
      "sessions/notes.txt",
      "notes/deep/bin",
  };
  const std::vector<std::string> scopes = {"",       "notes",    "notes/deep",
                                           "notes2", "sessions", "sessions/2026"};
  // Pieces that make trigram collisions, case and quoting likely.
  const std::vector<std::string> pieces = {
      "abc",
      "ABC",
      "bca",
      "ab",
      "c",
      "a",
      "\"",
      "\"\"",
      " ",
      " ",
      "\n",
      "\n",
      "x",
      "\xc3\xa9",
      "\xc3\x89",
      "\xe2\x9c\x93",
      "AND",
      "OR",
      "*",
      "(",
      ")",
      "{\"k\":",
      "\xff",  // invalid UTF-8
      std::string(1, '\0'),
      "\r",
      "\x80",
  };
  auto random_text = [&](bool clean) {
    std::string text;
    const size_t n = pick(24);
    for (size_t i = 0; i < n; ++i) {
      std::string piece = pieces[pick(pieces.size())];
      // Mostly clean text, so most files are indexed.
      if (clean || pick(12) != 0) {
        if (piece == "\xff" || piece == "\x80" || piece[0] == '\0' || piece == "\r") piece = "ab";
      }
      text += piece;
    }
    return text;
  };
  auto random_atom = [&](const std::vector<std::string>& contents) {
    // Mostly a piece of some file, maybe cut inside a character; a few
    // tries for one within a line (a needle across lines is refused).
    for (int tries = 0; tries < 4 && !contents.empty() && pick(4) != 0; ++tries) {
      const std::string& c = contents[pick(contents.size())];
      if (c.size() < 3) continue;
      const size_t len = 3 + pick(std::min<size_t>(c.size() - 2, 8));
      const size_t start = pick(c.size() - std::min(len, c.size()) + 1);
      std::string text = c.substr(start, len);
      if (text.find('\n') == std::string::npos || tries == 3) return Atom(text);
    }
    std::string text;
    while (text.size() < 3) text += pieces[pick(pieces.size())];
    return Atom(text);
  };
  std::function<SQ(const std::vector<std::string>&, int)> random_query =
      [&](const std::vector<std::string>& contents, int depth) {
        if (depth >= 2 || pick(2) == 0) return random_atom(contents);
        std::vector<SQ> children;
        const size_t n = 1 + pick(3);
        for (size_t i = 0; i < n; ++i) children.push_back(random_query(contents, depth + 1));
        return pick(2) == 0 ? AllOf(std::move(children)) : AnyOf(std::move(children));
      };

  int checked = 0;
  int refused = 0;
  for (int round = 0; round < 80; ++round) {
    for (size_t m = 1 + pick(3); m > 0; --m) {
      const std::string& path = pick(2) == 0 ? paths[pick(4)] : paths[pick(paths.size())];
      const size_t action = pick(20);
      Stat st;
      const bool exists = store->GetStat(path, &st).ok() && st.storage != Storage::kVirtual;
      if (action < 13 || !exists) {
        Write(*store, path, random_text(false));
      } else if (action < 16) {
        Write(*store, path, Read(*store, path) + random_text(true) + "\n");  // append
      } else if (action < 18) {
        const std::string old = Read(*store, path);
        Write(*store, path, old.substr(0, pick(old.size() + 1)));  // truncate
      } else if (action < 19) {
        REQUIRE(store->Remove(path).ok());
      } else {
        const std::string dir =
            path.substr(0, path.rfind('/') == std::string::npos ? path.size() : path.rfind('/'));
        if (dir != path) REQUIRE(store->Remove(dir).ok());
      }
    }
    std::vector<std::string> contents;
    for (const auto& f : WalkFiles(*store, "")) contents.push_back(Read(*store, f.first));
    for (int q = 0; q < 6; ++q) {
      const SQ query = random_query(contents, 0);
      for (const std::string& scope : scopes) {
        Stat st;
        if (!store->GetStat(scope, &st).ok() || st.kind != NodeKind::kDirectory) continue;
        std::vector<std::string> out;
        const Status status = store->FindCandidates(scope, query, &out);
        if (status.code() == Code::kInvalidArgument) {
          ++refused;
          continue;
        }
        INFO("round ", round, " scope '", scope, "'");
        CheckCandidates(*store, scope, query);
        ++checked;
      }
    }
  }
  MESSAGE(checked, " queries checked against a scan, ", refused,
          " refused (needles too short or across lines)");
  CHECK(checked > refused);
  CheckIndexExact(db);
}

TEST_CASE("FindCandidates: concurrent writers keep the index exact") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  auto a = Open(db);
  auto b = Open(db);
  auto reader = Open(db, ReadOnly());
  std::atomic<bool> done = false;
  std::thread writer_a([&] {
    for (int i = 0; i < 60; ++i) {
      CHECK(a->WriteFile("a/" + std::to_string(i) + ".md", "apricot " + std::to_string(i), 0644,
                         kBase)
                .ok());
      if (i % 3 == 0) CHECK(a->Remove("a/" + std::to_string(i) + ".md").ok());
    }
  });
  std::thread writer_b([&] {
    for (int i = 0; i < 60; ++i) {
      const std::string log = "sessions/b" + std::to_string(i % 5) + ".jsonl";
      std::string old;
      (void)b->ReadFile(log, &old);
      CHECK(
          b->WriteFile(log, old + "{\"blueberry\":" + std::to_string(i) + "}\n", 0644, kBase).ok());
    }
  });
  // Readers see whole transactions: every file listed holds the word.
  int reads = 0;
  std::thread reading([&] {
    while (!done) {
      std::vector<std::string> out;
      const Status st = reader->FindCandidates("", Atom("apricot"), &out);
      CHECK(st.ok());
      for (const std::string& p : out) {
        std::string bytes;
        if (reader->ReadFile(p, &bytes).ok()) CHECK(bytes.find("apricot") != std::string::npos);
      }
      ++reads;
    }
  });
  writer_a.join();
  writer_b.join();
  done = true;
  reading.join();
  CHECK(reads > 0);
  std::vector<std::string> want;
  for (int i = 0; i < 60; ++i) {
    if (i % 3 != 0) want.push_back("a/" + std::to_string(i) + ".md");
  }
  std::sort(want.begin(), want.end(), [](const std::string& x, const std::string& y) {
    return x < y;  // same as Walk order here: one directory
  });
  reader = Open(db, ReadOnly());  // a fresh snapshot, after every write
  CHECK(Candidates(*reader, "", Atom("apricot")) == want);
  CHECK(Candidates(*reader, "", Atom("blueberry")).size() == 5);
  CheckIndexExact(db);
}

TEST_CASE("FindCandidates: rows another SQLite client wrote are found before they are indexed") {
  TempDir dbdir;
  const std::string db = dbdir / "m.db";
  auto store = Open(db);
  Write(*store, "notes/a.md", "nothing here\n");
  {
    RawDb raw(db);
    raw.Exec(
        "INSERT INTO memory(path, parent, name, mode, mtime_ns, size, line_count, title, "
        "searchable, content) VALUES('notes/b.md', 'notes', 'b.md', 420, 1, 7, 1, '', 1, "
        "CAST('pelican' AS BLOB))");
    CHECK(raw.One("SELECT count(*) FROM fts_queue_memory") == "1");
  }
  // Queued, not indexed: a candidate for any query.
  CHECK(Candidates(*store, "", Atom("walrus")) == std::vector<std::string>{"notes/b.md"});
  CHECK(Candidates(*store, "notes", Atom("pelican")) == std::vector<std::string>{"notes/b.md"});
  CHECK(CandidatesCode(*store, "other", Atom("pelican")) == Code::kNotFound);
  // The next memhook write indexes the queue.
  Write(*store, "notes/c.md", "more\n");
  CHECK(Candidates(*store, "", Atom("walrus")).empty());
  CHECK(Candidates(*store, "", Atom("pelican")) == std::vector<std::string>{"notes/b.md"});
  CheckIndexExact(db);
}

// The v1 schema as memhook 0.1 created it, frozen here to test the upgrade.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE dirs(path TEXT PRIMARY KEY NOT NULL, parent TEXT, name TEXT NOT NULL,
  mode INTEGER NOT NULL, mtime_ns INTEGER NOT NULL) WITHOUT ROWID;
CREATE UNIQUE INDEX dirs_by_parent ON dirs(parent, name);
CREATE TABLE memory(path TEXT PRIMARY KEY NOT NULL, parent TEXT NOT NULL, name TEXT NOT NULL,
  mode INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
  line_count INTEGER NOT NULL, title TEXT NOT NULL, content BLOB NOT NULL);
CREATE UNIQUE INDEX memory_by_parent ON memory(parent, name);
CREATE INDEX memory_by_mtime ON memory(mtime_ns DESC, path);
CREATE TABLE session_files(path TEXT PRIMARY KEY NOT NULL, parent TEXT NOT NULL,
  name TEXT NOT NULL, mode INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
  line_count INTEGER NOT NULL, final_newline INTEGER NOT NULL, title TEXT NOT NULL) WITHOUT ROWID;
CREATE UNIQUE INDEX session_files_by_parent ON session_files(parent, name);
CREATE INDEX session_files_by_mtime ON session_files(mtime_ns DESC, path);
CREATE TABLE sessions(path TEXT NOT NULL, line_no INTEGER NOT NULL, text TEXT NOT NULL,
  PRIMARY KEY(path, line_no));
PRAGMA application_id = 1835363688;
PRAGMA user_version = 1;
)sql";

TEST_CASE("a v1 store is upgraded in place and its index built from the rows") {
  TempDir dbdir;
  const std::string db = dbdir / "v1.db";
  {
    RawDb raw(db);
    raw.Exec("PRAGMA journal_mode = WAL");
    raw.Exec(kSchemaV1);
    raw.Exec(
        "INSERT INTO dirs VALUES('notes', '', 'notes', 493, 5), ('sessions', '', 'sessions', 493, "
        "5);"
        "INSERT INTO memory VALUES('notes/a.md', 'notes', 'a.md', 420, 7, 15, 1, 'A', "
        "  CAST('# A\nwalrus tusk' AS BLOB));"
        "INSERT INTO memory VALUES('notes/b.bin', 'notes', 'b.bin', 420, 8, 5, 0, '', "
        "X'ff00616263');"
        "INSERT INTO memory VALUES('notes/c.md', 'notes', 'c.md', 420, 9, 6, 1, '', "
        "  CAST('other\n' AS BLOB));"
        "INSERT INTO session_files VALUES('sessions/s.jsonl', 'sessions', 's.jsonl', 420, 10, 24, "
        "2,"
        "  1, 'session, 2 lines');"
        "INSERT INTO sessions VALUES('sessions/s.jsonl', 1, '{\"w\":\"walrus\"}'),"
        "  ('sessions/s.jsonl', 2, '{\"x\":\"yak\"}');");
  }
  auto store = Open(db);
  RawDb raw(db);
  CHECK(raw.One("PRAGMA user_version") == "6");
  CHECK(raw.Column("SELECT path || ' ' || searchable FROM memory ORDER BY id") ==
        std::vector<std::string>{"notes/a.md 1", "notes/b.bin 0", "notes/c.md 1"});
  CHECK(Read(*store, "notes/a.md") == "# A\nwalrus tusk");
  CHECK(Read(*store, "notes/b.bin") == std::string("\xff\0abc", 5));
  CHECK(Read(*store, "sessions/s.jsonl") == "{\"w\":\"walrus\"}\n{\"x\":\"yak\"}\n");
  CHECK(Candidates(*store, "", Atom("walrus")) ==
        std::vector<std::string>{"notes/a.md", "notes/b.bin", "sessions/s.jsonl"});
  CHECK(Candidates(*store, "", Atom("\"yak\"")) ==
        std::vector<std::string>{"notes/b.bin", "sessions/s.jsonl"});
  CheckIndexExact(db);
  // And it keeps working as an up-to-date store.
  Write(*store, "notes/c.md", "walrus again\n");
  CHECK(Candidates(*store, "notes", Atom("walrus")) ==
        std::vector<std::string>{"notes/a.md", "notes/b.bin", "notes/c.md"});
  CheckIndexExact(db);
}

TEST_CASE("EXPLAIN QUERY PLAN: FindCandidates reads the FTS5 index, no table scan") {
  TempDir src, dbdir;
  MakeSourceTree(src.path());
  const std::string db = dbdir / "m.db";
  {
    auto rw = Open(db);
    REQUIRE(ImportTree(*rw, src.path(), nullptr).ok());
    RawDb raw(db);
    raw.Exec("ANALYZE");
  }
  StoreOptions options = ReadOnly(false);
  options.trace = true;
  auto store = Open(db, options);
  RawDb raw(db);
  for (const std::string dir : {"", "sessions"}) {
    for (const Order order : {Order::kWalk, Order::kBm25}) {
      store->TakeTrace();
      (void)Candidates(*store, dir, AnyOf({Atom("hello"), Atom("\"a\":")}), order);
      const auto details = Plans(*store, raw);
      INFO(dir);
      int fts = 0;
      for (const std::string& d : details) {
        INFO(d);
        if (d.find("VIRTUAL TABLE INDEX 0:M") != std::string::npos) {
          ++fts;
          continue;
        }
        // The queue is empty but for another client's writes: scanning it is fine.
        if (d.rfind("SCAN q", 0) == 0) continue;
        CHECK((d.rfind("SCAN ", 0) != 0 || d.find("memory_unsearchable") != std::string::npos));
        CHECK(d.find("TEMP B-TREE") == std::string::npos);
      }
      CHECK(fts == 2);  // memory_fts and sessions_fts, each by MATCH
    }
  }
  // Unsearchable files below a directory are a range of a partial index.
  store->TakeTrace();
  (void)Candidates(*store, "notes", Atom("hello"));
  const auto details = Plans(*store, raw);
  CHECK(std::any_of(details.begin(), details.end(), [](const std::string& d) {
    return d.find("USING INDEX memory_unsearchable (path>? AND path<?)") != std::string::npos;
  }));
}

// Measures import speed on a generated tree; run with --no-skip.
TEST_CASE("import throughput (10k files)" * doctest::skip()) {
  TempDir src, dbdir;
  constexpr int kDirs = 90;
  constexpr int kFilesPerDir = 100;
  const std::string line = "{\"type\":\"assistant\",\"text\":\"some words of a session log\"}\n";
  for (int d = 0; d < kDirs; ++d) {
    const std::string dir = src / ("d" + std::to_string(d));
    HostDir(dir, 0755);
    for (int f = 0; f < kFilesPerDir; ++f) {
      std::string body = "# Note " + std::to_string(f) + "\n";
      for (int k = 0; k < 20; ++k) body += line;
      HostFile(dir + "/n" + std::to_string(f) + ".md", body, 0644, kBase + f);
    }
  }
  HostDir(src / "sessions", 0755);
  std::string session;
  for (int k = 0; k < 200; ++k) session += line;
  for (int f = 0; f < 1000; ++f) {
    HostFile(src / ("sessions/s" + std::to_string(f) + ".jsonl"), session, 0644, kBase + f);
  }
  auto store = Open(dbdir / "m.db");
  for (int round = 0; round < 2; ++round) {
    const auto start = std::chrono::steady_clock::now();
    uint64_t n = 0;
    REQUIRE(ImportTree(*store, src.path(), &n).ok());
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    MESSAGE(std::string(round == 0 ? "fresh" : "re-import"), ": ", n,
            " files (1000 sessions of 200 lines) in ", secs, " s = ", static_cast<int>(n / secs),
            " files/s");
    CHECK(n == kDirs * kFilesPerDir + 1000);
  }
  // The content index: its share of the database, and a rare word's cost.
  uint64_t raw_bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(src.path())) {
    if (e.is_regular_file()) raw_bytes += e.file_size();
  }
  {
    RawDb raw(dbdir / "m.db");
    raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const double db_bytes = static_cast<double>(fs::file_size(dbdir / "m.db"));
    const double index_bytes =
        std::stod(raw.One("SELECT sum(pgsize) FROM dbstat WHERE name LIKE '%fts%'"));
    MESSAGE("raw tree ", raw_bytes, " B, database ", db_bytes, " B (", db_bytes / raw_bytes,
            "x), of which the content index ", index_bytes, " B (", index_bytes / raw_bytes, "x)");
  }
  Write(*store, "d7/rare.md", "a quokkafix here\n");
  std::vector<std::string> out;
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(store->FindCandidates("", Atom("quokkafix"), &out).ok());
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("rare word: ", out.size(), " candidate(s) in ", ms, " ms");
  CHECK(out == std::vector<std::string>{"d7/rare.md"});
}

}  // namespace
}  // namespace memhook::vfs
