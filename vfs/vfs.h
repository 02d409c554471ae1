// memhook virtual filesystem: the memory tree kept in a database.
//
// The only public header of the vfs library. A Store is a tree of
// directories and regular files addressed by *VFS paths*: relative to the
// mount root, '/'-separated, no leading or trailing '/', no "." or ".."
// components, "" for the root itself (e.g. "sessions/2026/a.jsonl").
// Callers normalise paths before calling; a malformed path is an
// InvalidArgument error, never undefined behaviour.
//
// Errors are returned as Status values; nothing here throws across the
// library boundary.
//
// Thread-safety: a Store object is not thread-safe (one per thread). Several
// processes may use the same database file at once: readers never block a
// writer (WAL) and every write is one transaction. A read-only Store sees
// one snapshot, taken at its first read, for its whole life: a command
// never observes half of a concurrent import. Open a new one to see later
// writes.
#ifndef MEMHOOK_VFS_VFS_H_
#define MEMHOOK_VFS_VFS_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace memhook::vfs {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,       // no such file or directory
    kNotADirectory,  // a path component, or a directory operand, is a file
    kIsADirectory,   // a file operation on a directory
    kAlreadyExists,
    kInvalidArgument,  // malformed path or argument
    kIoError,          // database or host filesystem failure
    kCorruption,       // the database is not a memhook store we understand
    kReadOnly,         // a write on a read-only Store
    kNotEmpty,         // a directory that must be empty is not
    kConflict,         // undo/restore refused: later changes touched the paths
    kBusy,             // another writer held the store past the busy timeout
    kPermissionDenied,  // a host file the process may not read (EACCES)
  };
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(Code code, std::string message) { return Status(code, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

enum class NodeKind { kFile, kDirectory };

// Where a file's bytes live. Session logs (`sessions/**/*.jsonl`) are stored
// one row per line; everything else as one blob.
enum class Storage { kBlob, kLines, kVirtual, kDirectory };

struct Stat {
  NodeKind kind = NodeKind::kFile;
  Storage storage = Storage::kBlob;
  uint32_t mode = 0;        // permission bits only (e.g. 0644), no type bits
  int64_t mtime_ns = 0;     // nanoseconds since the Unix epoch
  uint64_t size = 0;        // bytes; for directories the size an ext4
                            // directory of this size reports (4096)
  uint64_t nlink = 1;       // files 1; directories 2 + subdirectory count
  uint64_t line_count = 0;  // number of '\n' bytes in the content (files)
};

struct DirEntry {
  std::string name;  // one path component
  Stat stat;
};

// A file's content split into lines, for line-oriented readers.
struct Line {
  uint64_t number = 0;  // 1-based
  std::string text;     // without the trailing '\n'
};

struct FileContent {
  std::string path;   // VFS path
  std::string bytes;  // exact content
};

class Store {
 public:
  virtual ~Store() = default;

  // Metadata of one node. NotFound / NotADirectory (a prefix is a file).
  virtual Status GetStat(std::string_view path, Stat* out) = 0;

  // The exact bytes of a file. IsADirectory for directories.
  virtual Status ReadFile(std::string_view path, std::string* out) = 0;

  // The first `max_bytes` bytes of a file (all of it when shorter), for a
  // reader that needs only its start (head -c N, head -n N): a large blob is
  // not read whole. `*complete` tells whether `*out` is the whole file.
  // Errors as ReadFile. The default reads the whole file.
  virtual Status ReadPrefix(std::string_view path, uint64_t max_bytes, std::string* out,
                            bool* complete) {
    Status status = ReadFile(path, out);
    if (!status.ok()) return status;
    *complete = out->size() <= max_bytes;
    if (!*complete) out->resize(max_bytes);
    return status;
  }

  // The bytes of a file from byte `offset` on (none past its end), in
  // consecutive pieces of at most `piece_bytes` (the last may be shorter),
  // in order, from one snapshot: a reader that forwards them (cat of a
  // 500 MB file) holds one piece at a time, one that has had enough returns
  // false from `visit` and reads no further, and one that wants the end
  // (tail) starts there. The views are valid only during the call. Errors
  // as ReadFile, before any piece. The default reads the whole file, then
  // hands it out sliced.
  virtual Status ReadPieces(std::string_view path, uint64_t piece_bytes,
                            const std::function<bool(std::string_view piece)>& visit,
                            uint64_t offset = 0) {
    std::string bytes;
    Status status = ReadFile(path, &bytes);
    if (!status.ok()) return status;
    std::string_view rest = bytes;
    rest.remove_prefix(std::min<uint64_t>(offset, rest.size()));
    while (!rest.empty() && visit(rest.substr(0, piece_bytes))) {
      rest.remove_prefix(std::min<uint64_t>(piece_bytes, rest.size()));
    }
    return status;
  }

  // Lines [first, last] (1-based, inclusive; last == 0 means to the end) of
  // a file, in order. The final line is included even without '\n';
  // `*ends_with_newline` tells whether the file's last byte is '\n'.
  virtual Status ReadLines(std::string_view path, uint64_t first, uint64_t last,
                           std::vector<Line>* out, bool* ends_with_newline) = 0;

  // One file handed to a ReadFiles visitor. The views are valid only during
  // the call.
  struct FileBytes {
    std::string_view path;   // as given in `paths`
    std::string_view bytes;  // the exact content, or a prefix of it (below)
    // True when the store knows the bytes are valid UTF-8 without NUL
    // bytes (it checks every write); false means unknown, not invalid.
    bool known_text = false;
    // False when `bytes` is only the file's first lines, each with its
    // '\n' (ReadOptions::offer_prefixes).
    bool complete = true;
    // True for a prefix that ReadOptions::prefix_settles has already
    // accepted (read ahead by another thread): no need to probe it again.
    bool settled = false;
  };
  // What a ReadFiles visitor wants next.
  enum class ReadNext {
    kNextFile,  // done with this file: go on with the next path
    kMore,      // a longer prefix of this file, or all of it
    kStop,      // nothing more: ReadFiles returns
  };
  struct ReadOptions {
    // Offer a file stored as lines in growing prefixes (1 line, 2, 4, 8...)
    // before the whole of it, so that a reader who needs only its first
    // lines (grep -l stops at a file's first match) spares reading the
    // rest. Default: false (every file complete, once).
    bool offer_prefixes = false;
    // With offer_prefixes: whether a prefix already settles its file (the
    // visitor would answer kNextFile to it), given the bytes and where the
    // last prefix of the same file ended. Called from any thread, so it
    // must be thread-safe; it lets a second reading thread stop early too.
    // Such a prefix still reaches the visitor, complete == false. Default:
    // none (only the visitor decides).
    std::function<bool(std::string_view prefix, size_t from)> prefix_settles;
    // The visitor will likely stop after a few files (kStop): no reading
    // ahead (StoreOptions::parallel_reads) of files it would not visit.
    // Default: false.
    bool stops_early = false;
  };
  // Reads many files, calling `visit` for each path of `paths` (VFS paths
  // of regular files), in that order. Equivalent to ReadFile per path, but
  // a backend may read runs of paths that follow its own storage order in
  // one streamed scan: the SQLite store then costs about one row step per
  // line instead of one lookup per file. On the first path that cannot be
  // read, returns ReadFile's error for it; the paths before it have been
  // visited. `visit` must not write to the store nor call ReadFiles.
  virtual Status ReadFiles(const std::vector<std::string>& paths, const ReadOptions& options,
                           const std::function<ReadNext(const FileBytes& file)>& visit) {
    (void)options;
    std::string bytes;
    for (const std::string& path : paths) {
      Status status = ReadFile(path, &bytes);
      if (!status.ok()) return status;
      if (visit(FileBytes{path, bytes, false, true}) == ReadNext::kStop) break;
    }
    return Status::Ok();
  }

  // The entries directly inside a directory, sorted by name in C byte order,
  // without "." and "..". Costs O(log n + entries). NotADirectory for files.
  virtual Status ListDir(std::string_view path, std::vector<DirEntry>* out) = 0;

  // Every node strictly below `path` (a directory), as VFS paths with their
  // Stat, in pre-order with siblings sorted in C byte order. The callback
  // returns false to stop early.
  virtual Status Walk(
      std::string_view path,
      const std::function<bool(const std::string& path, const Stat& stat)>& visit) = 0;

  // The regular files strictly below the directory `path` ("" = all), in
  // Walk order: Walk without directories and without Stat, which a backend
  // may answer from its path indexes alone (a recursive grep's file list).
  virtual Status ListFiles(std::string_view path, std::vector<std::string>* out) {
    out->clear();
    return Walk(path, [out](const std::string& p, const Stat& stat) {
      if (stat.kind == NodeKind::kFile) out->push_back(p);
      return true;
    });
  }

  // ------------------------------------------------------------- writes
  // Outside a change (BeginChange below) each write is its own transaction
  // and keeps no history. Inside one, writes join the change's transaction:
  // reads on this Store see them at once, other connections only after
  // CommitChange, and each path's state before its first write in the
  // change is kept for undo. `mtime_ns` < 0 means "now".
  //
  // WriteFile replaces or creates a file. Parent directories are created as
  // needed with mode 0755 (callers that must fail on a missing parent, as a
  // shell redirection does, check first).
  virtual Status WriteFile(std::string_view path, std::string_view bytes, uint32_t mode,
                           int64_t mtime_ns) = 0;
  virtual Status MakeDirectory(std::string_view path, uint32_t mode, int64_t mtime_ns) = 0;
  // Removes a file, or a directory with everything below it.
  virtual Status Remove(std::string_view path) = 0;
  // Appends to an existing file (NotFound when missing, IsADirectory). A
  // file stored as lines gains rows: O(appended bytes), not O(file size).
  // The default reads the file and writes it back.
  virtual Status AppendFile(std::string_view path, std::string_view bytes, int64_t mtime_ns) {
    Stat stat;
    Status st = GetStat(path, &stat);
    if (!st.ok()) return st;
    if (stat.kind == NodeKind::kDirectory) return Status::Error(Status::Code::kIsADirectory, "");
    std::string content;
    st = ReadFile(path, &content);
    if (!st.ok()) return st;
    content.append(bytes);
    return WriteFile(path, content, stat.mode, mtime_ns);
  }
  // Moves a file, or a directory with everything below it, to `to`, which
  // must not exist (kAlreadyExists) and whose parent must be an existing
  // directory (NotFound / NotADirectory). `to` inside `from`:
  // kInvalidArgument. Modes and mtimes move with the nodes.
  virtual Status Rename(std::string_view from, std::string_view to) = 0;
  // Sets a node's permission bits and/or mtime; unset fields are kept.
  struct Attributes {
    bool set_mode = false;
    uint32_t mode = 0;
    bool set_mtime = false;
    int64_t mtime_ns = 0;
  };
  virtual Status SetAttributes(std::string_view path, const Attributes& attributes) = 0;

  // ------------------------------------------------- changes and history
  // A change is one command line's writes (or one agent tool call, one
  // undo): all of them or none reach the database. BeginChange takes the
  // write lock (waiting up to the busy timeout for another writer:
  // kBusy); CommitChange makes every write visible at once and records
  // what each path held before; RollbackChange, or destroying the Store,
  // or the process dying, leaves the database exactly as before. One change
  // at a time per Store.
  struct ChangeInfo {
    std::string command;     // the command line, or e.g. "Edit notes/a.md"
    std::string session_id;  // the agent's session id; "" when unknown
    std::string cwd;         // where the command ran
    std::string origin;      // "shell", "Write", "Edit", "undo", "restore"...
  };
  virtual Status BeginChange(const ChangeInfo& info) {
    (void)info;
    return Status::Error(Status::Code::kInvalidArgument, "this store keeps no history");
  }
  // `*change_id` (may be null) gets the new change's id, or 0 when the
  // change wrote nothing (then nothing is recorded).
  virtual Status CommitChange(int64_t* change_id) {
    (void)change_id;
    return Status::Error(Status::Code::kInvalidArgument, "no change is open");
  }
  virtual void RollbackChange() {}
  virtual bool InChange() const { return false; }
  // Takes the open change's write lock now rather than at its first write,
  // so that what the change reads next (GetMeta, ReadFile) cannot be
  // changed by another writer before it commits. kBusy as for writes.
  virtual Status LockChange() {
    return Status::Error(Status::Code::kInvalidArgument, "this store keeps no history");
  }

  // Small named values kept with the memory, outside the tree (e.g. how far
  // a session transcript has been captured). PutMeta joins the open change
  // if there is one (a rollback drops it; `memhook undo` does not touch
  // it), else commits on its own.
  virtual Status GetMeta(std::string_view key, std::string* value, bool* found) {
    (void)key;
    (void)value;
    *found = false;
    return Status::Ok();
  }
  virtual Status PutMeta(std::string_view key, std::string_view value) {
    (void)key;
    (void)value;
    return Status::Error(Status::Code::kInvalidArgument, "this store keeps no metadata");
  }

  // One hook call that touched the mount, for `memhook stats` (pass-through
  // calls are never logged).
  struct HookCall {
    int64_t time_ns = 0;
    std::string event;   // "PreToolUse", "PostToolUse", "SessionStart" ...
    std::string route;   // "fast", "shell", "run", "next-tier", "capture" ...
    std::string kind;    // the command type: "cat", "grep -r", "pipeline" ...
    int64_t latency_us = 0;
    int64_t bytes = 0;   // bytes answered (or captured)
    int status = 0;      // the answer's exit status
    std::string error;   // "" when none
  };
  // SQLite's integrity_check: "ok", or what is wrong (memhook doctor).
  virtual Status CheckIntegrity(std::string* result) {
    *result = "ok";
    return Status::Ok();
  }
  // Appends a call (its own small transaction; never inside a change).
  virtual Status LogHookCall(const HookCall& call) {
    (void)call;
    return Status::Ok();
  }
  // Calls at or after `since_ns`, oldest first.
  virtual Status ListHookCalls(int64_t since_ns, std::vector<HookCall>* out) {
    (void)since_ns;
    out->clear();
    return Status::Ok();
  }

  // One recorded change, as `memhook log` lists it.
  struct ChangeRecord {
    int64_t id = 0;
    int64_t time_ns = 0;
    ChangeInfo info;
    int64_t undoes = 0;     // the change this one undid (undo), else 0
    int64_t undone_by = 0;  // the change that undid this one, else 0
    std::vector<std::string> paths;  // the paths it changed, sorted
  };
  struct ChangeFilter {
    std::string path;        // only changes touching this path or below it; "" = all
    std::string session_id;  // only this session's changes; "" = all
    size_t limit = 50;       // newest first, at most this many
  };
  virtual Status ListChanges(const ChangeFilter& filter, std::vector<ChangeRecord>* out) {
    (void)filter;
    out->clear();
    return Status::Ok();
  }
  // The state of one path right after change `change_id`; 0: before the
  // first change history still holds; negative: now.
  struct Version {
    bool exists = false;
    NodeKind kind = NodeKind::kFile;
    uint32_t mode = 0;
    int64_t mtime_ns = 0;
    std::string bytes;  // files
  };
  virtual Status ReadVersion(std::string_view path, int64_t change_id, Version* out) {
    (void)path;
    (void)change_id;
    (void)out;
    return Status::Error(Status::Code::kInvalidArgument, "this store keeps no history");
  }
  // Undoes change `change_id` (0: the newest change not yet undone and not
  // itself an undo) as a new change described by `info`: every path it
  // changed gets back the state it had before. kConflict (nothing changed)
  // when a later change, not undone, touched one of those paths: undo that
  // one first. `*undone_id` (may be null) gets the id that was undone.
  virtual Status Undo(int64_t change_id, const ChangeInfo& info, int64_t* undone_id) {
    (void)change_id;
    (void)info;
    (void)undone_id;
    return Status::Error(Status::Code::kInvalidArgument, "this store keeps no history");
  }
  // Puts `path` (a file, or a directory with everything below it that has
  // history) back in its state right after change `change_id`, as a new
  // change: a deleted file or directory comes back.
  virtual Status Restore(std::string_view path, int64_t change_id, const ChangeInfo& info) {
    (void)path;
    (void)change_id;
    (void)info;
    return Status::Error(Status::Code::kInvalidArgument, "this store keeps no history");
  }

  // The SQL text of every statement run since the last call, in order, for
  // `memhook explain`. Empty for backends without SQL.
  virtual std::vector<std::string> TakeTrace() = 0;

  // Candidate files for a content search: the files strictly below the
  // directory `path` ("" = everything) whose content may satisfy `query`,
  // as VFS paths in Walk order. A superset is allowed (callers verify every
  // candidate); missing a file that satisfies the query is a bug. Matching is
  // ASCII case-insensitive. Backed by an FTS5 trigram index that every write
  // keeps in sync in the same transaction. kInvalidArgument when the query
  // cannot be served by the index (e.g. an atom shorter than 3 bytes): the
  // caller then scans. The default implementation has no index.
  // The virtual index.md is never returned as a candidate: callers search it themselves.
  struct SubstringQuery {
    enum class Op { kAtom, kAnd, kOr };
    Op op = Op::kAtom;
    std::string atom;                      // kAtom: a substring (>= 3 bytes)
    std::vector<SubstringQuery> children;  // kAnd / kOr
  };
  // kWalk: Walk order. kBm25: best FTS5 bm25() relevance first, ties in Walk order.
  enum class CandidateOrder { kWalk, kBm25 };
  struct CandidateOptions {
    // Default: Walk order.
    CandidateOrder order = CandidateOrder::kWalk;
    // When true, and the order is kWalk, a query that matches about a
    // fifth of all stored rows (memory files and session lines) or more is
    // refused with kInvalidArgument: a common word is in most files, and
    // reading every file in scope (ReadFiles) then costs less than mapping
    // its many hits to files. The share is estimated on the oldest few
    // thousand rows of each table, so that the check costs the same on any
    // store. Default: false (always answer).
    bool refuse_unselective = false;
  };
  virtual Status FindCandidates(std::string_view path, const SubstringQuery& query,
                                std::vector<std::string>* out, const CandidateOptions& options) {
    (void)path;
    (void)query;
    (void)out;
    (void)options;
    return Status::Error(Status::Code::kInvalidArgument, "no content index");
  }
  // With the default options.
  Status FindCandidates(std::string_view path, const SubstringQuery& query,
                        std::vector<std::string>* out) {
    return FindCandidates(path, query, out, CandidateOptions());
  }
};

struct StoreOptions {
  // Open read-only (query_only): every write returns kReadOnly. The hook
  // opens stores read-only. Default: read-write.
  bool read_only = false;
  // Create the database (and its parent directory) if missing. Ignored when
  // read_only. Default: true.
  bool create_if_missing = true;
  // Present a generated `index.md` at the root when no real one exists.
  // Default: true.
  bool virtual_index = true;
  // Record SQL statements for TakeTrace(). Default: false.
  bool trace = false;
  // Read-only stores only: ReadFiles of many files reads every other run
  // of paths on a second connection, in a second thread, when that
  // connection is shown to see the same snapshot (the store's change
  // counter agrees); otherwise it reads alone. Results and their order
  // are the same either way. Default: false.
  bool parallel_reads = false;
  // History retention, checked when a change commits: the oldest changes
  // are pruned, whole (so an undo `memhook log` still lists always works),
  // while any path has more than `history_max_versions` recorded versions
  // or all kept versions hold more than `history_max_bytes`. The newest
  // change is always kept. Defaults: 100 versions, 256 MiB.
  uint64_t history_max_versions = 100;
  uint64_t history_max_bytes = uint64_t{256} << 20;
  // How long a writer waits for the write lock another process holds:
  // BEGIN IMMEDIATE is retried with exponential backoff and jitter, then
  // the write fails with kBusy and nothing written. Default 30 s.
  int write_lock_timeout_ms = 30000;
};

// Opens (and migrates) a SQLite-backed store. On failure returns null and
// sets *status. The Store owns its connection and closes it on destruction.
// A read-only store never migrates: it reads stores one schema version
// older too.
std::unique_ptr<Store> OpenSqliteStore(const std::string& db_path, const StoreOptions& options,
                                       Status* status);

// Loads the tree under `src_dir` into `store` at the same relative paths,
// byte-exact, with modes and mtimes, so that afterwards the store's tree is
// the source's (ImportOptions::mirror). Only what differs is written: a
// file whose size, mode, mtime and bytes are the same is not touched.
//
// Nothing from outside `src_dir` is stored: a symbolic link whose target
// (realpath) is a regular file inside `src_dir` is imported as a copy of
// it; links to directories (not followed: they could loop), links leading
// outside `src_dir`, dangling links and special files (fifos, sockets,
// devices) are skipped and listed in ImportResult::skipped.
//
// Inside an open change (Store::BeginChange) the import joins it, so that
// the change records every path's prior state and can be undone; the
// caller commits it. Otherwise the import is one transaction without
// history. Either way the write lock is held from before the store is
// compared with the source until the end: a concurrent import waits.
struct ImportOptions {
  // Remove what the store holds and `src_dir` does not. False: keep it
  // (a node whose kind changed, file <-> directory, is still replaced).
  // The generated index.md is never removed: it is not stored.
  bool mirror = true;
};
struct ImportResult {
  uint64_t files = 0;    // regular files in the source (written or already equal)
  uint64_t written = 0;  // files and directories created or changed
  uint64_t removed = 0;  // store paths removed, a removed directory counting once
  struct Skipped {
    std::string path;    // relative to src_dir, e.g. "notes/x"
    std::string reason;  // e.g. "a symbolic link to a file outside /src"
  };
  std::vector<Skipped> skipped;  // in walk order
};
Status ImportTree(Store& store, const std::string& src_dir, const ImportOptions& options,
                  ImportResult* result);
// With the default options; `files_imported` (may be null) receives
// ImportResult::files.
Status ImportTree(Store& store, const std::string& src_dir, uint64_t* files_imported);

// Writes the whole store (virtual files included) below `dest_dir`,
// creating it if needed, with exact bytes, modes and mtimes (directory
// mtimes set after their contents).
Status ExportTree(Store& store, const std::string& dest_dir);

}  // namespace memhook::vfs

#endif  // MEMHOOK_VFS_VFS_H_
