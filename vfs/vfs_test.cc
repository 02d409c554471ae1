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
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

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

TEST_CASE("open creates the database and its folders, migrates to v2, uses WAL") {
  TempDir tmp;
  const std::string db = tmp / "a/b/memhook.db";
  auto store = Open(db);
  RawDb raw(db);
  CHECK(raw.One("PRAGMA user_version") == "2");
  CHECK(raw.One("PRAGMA journal_mode") == "wal");
  CHECK(raw.One("PRAGMA application_id") == std::to_string(0x6d656d68));
  // The node tables, and the two FTS5 indexes (virtual tables, whose
  // shadow tables are plain tables named after them).
  const auto tables = raw.Column(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '%fts_%' ORDER BY 1");
  CHECK(tables == std::vector<std::string>{"dirs", "memory", "memory_fts", "session_files",
                                           "sessions", "sessions_fts"});
  const auto triggers =
      raw.Column("SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY 1");
  CHECK(triggers.size() == 6);
  // Reopening an up-to-date store does not migrate again.
  store.reset();
  auto again = Open(db);
  CHECK(raw.One("PRAGMA user_version") == "2");
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

TEST_CASE("re-import updates files and directory metadata, keeps extra files") {
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
  CHECK(Read(*store, "d/b.md") == "bee\n");  // absent from the source: kept
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
  CHECK(trace.back() == "SELECT content FROM memory WHERE path = 'a.md'");
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
}

}  // namespace
}  // namespace memhook::vfs
