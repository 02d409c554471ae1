// Internal to the vfs library: the SQLite store's class, its statement
// table and the helpers its two halves share (sqlite_store.cc: schema,
// migrations and reads; sqlite_write.cc: writes, changes and history).
// Not part of the public contract (vfs/vfs.h).
#ifndef MEMHOOK_VFS_SQLITE_INTERNAL_H_
#define MEMHOOK_VFS_SQLITE_INTERNAL_H_

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vfs/store_internal.h"
#include "vfs/vfs.h"

namespace memhook::vfs::internal {

using Code = Status::Code;

constexpr int kBusyTimeoutMs = 5000;
constexpr size_t kLineBatch = 16;  // rows per kInsertSessionLines16
constexpr std::string_view kIndexName = "index.md";

// Every SQL statement the store runs, prepared once per connection (text
// in SqlText). Statements take bound parameters only.
enum class Q {
  kBeginRead,
  kBeginWrite,
  kCommit,
  kRollback,
  kLookup,
  kLookupKind,
  kMemoryContent,
  kMemoryIdSize,
  kMemoryContentSmall,
  kSessionLines,
  kRootInfo,
  kListDir,
  kIndexRows,
  kWalkDirs,
  kWalkMemory,
  kWalkSessions,
  kWalkAllDirs,
  kWalkAllMemory,
  kWalkAllSessions,
  kPutDir,
  kInsertMemory,
  kInsertSessionFile,
  kInsertSessionLine,
  kInsertSessionLines16,
  kTouchMemory,
  kUpdateSessionFile,
  kDeleteSessionLinesFrom,
  kDeleteMemory,
  kDeleteSessionFile,
  kDeleteSessionLines,
  kDeleteDir,
  kDeleteDirsBelow,
  kDeleteMemoryBelow,
  kDeleteSessionFilesBelow,
  kDeleteSessionLinesBelow,
  kFtsIndexMemory,
  kFtsIndexSessions,
  kFtsClearMemoryQueue,
  kFtsClearSessionsQueue,
  kFtsQueued,
  kFtsMemory,
  kFtsMemoryRanked,
  kFtsSessions,
  kFtsSessionsRanked,
  kUnsearchableAll,
  kUnsearchableBelow,
  kFtsMemoryHits,
  kFtsSessionsHits,
  kRowEstimate,
  kStreamMemory,
  kStreamSessions,
  kStreamSessionLines,
  kFinalNewline,
  kGeneration,
  kListMemory,
  kListSessions,
  kListAllMemory,
  kListAllSessions,
  // Changes and history (sqlite_write.cc).
  kTouchSessionFile,
  kAppendSessionLine,
  kInsertChange,
  kGetMeta,
  kPutMeta,
  kInsertHookCall,
  kListHookCalls,
  kInsertHistory,
  kHistoryRow,
  kHistoryOfChange,
  kHistoryNext,
  kSetHistoryContent,
  kChangeRow,
  kLatestUndoable,
  kLaterChanges,
  kMarkUndone,
  kSetUndoes,
  kChangeBytes,
  kPathVersions,
  kOldestChangeOf,
  kOldestChange,
  kTotalHistoryBytes,
  kChangeCount,
  kDeleteHistoryOf,
  kDeleteChange,
  kListChanges,
  kHistoryPathsBelow,
  kCount,
};

const char* SqlText(Q q);

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

inline Status Err(Code code, std::string message) {
  return Status::Error(code, std::move(message));
}
// A SQLite failure as a Status whose code says what happened.
Status DbError(sqlite3* db, int rc, std::string_view what);

// One use of a cached statement. Resets it at the end of the scope so a
// finished read never pins a WAL snapshot; bound data (SQLITE_STATIC) must
// outlive this object.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  // A statement that could not be prepared: every use reports `error`.
  Query(sqlite3* db, Status error) : db_(db), stmt_(nullptr), error_(std::move(error)) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Query& Text(int index, std::string_view value) {
    if (Bindable()) {
      Check(sqlite3_bind_text64(stmt_, index, NonNull(value), value.size(), SQLITE_STATIC,
                                SQLITE_UTF8));
    }
    return *this;
  }
  Query& Blob(int index, std::string_view value) {
    if (Bindable()) {
      Check(sqlite3_bind_blob64(stmt_, index, NonNull(value), value.size(), SQLITE_STATIC));
    }
    return *this;
  }
  Query& Int(int index, int64_t value) {
    if (Bindable()) Check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  Query& Null(int index) {
    if (Bindable()) Check(sqlite3_bind_null(stmt_, index));
    return *this;
  }

  // Back to the start, bindings cleared, for a cursor that binds again.
  void Rebind() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    bind_rc_ = SQLITE_OK;
  }

  // True with a row, false when done; *status is set on error.
  bool Next(Status* status) {
    if (stmt_ == nullptr) {
      *status = error_;
      return false;
    }
    if (bind_rc_ != SQLITE_OK) {
      *status = DbError(db_, bind_rc_, "binding parameters");
      return false;
    }
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) *status = DbError(db_, rc, "executing SQL");
    return false;
  }
  // Runs a statement that returns no rows we need.
  Status Run() {
    Status status;
    while (Next(&status)) {
    }
    return status;
  }

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t ColInt(int col) const { return sqlite3_column_int64(stmt_, col); }
  double ColDouble(int col) const { return sqlite3_column_double(stmt_, col); }
  // Through sqlite3_column_blob: a text value straight from its page has
  // no NUL after it, and sqlite3_column_text would copy it to add one.
  std::string_view ColText(int col) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    const int size = sqlite3_column_bytes(stmt_, col);
    return data == nullptr ? std::string_view() : std::string_view(data, size);
  }
  std::string_view ColBlob(int col) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    const int size = sqlite3_column_bytes(stmt_, col);
    return data == nullptr ? std::string_view() : std::string_view(data, size);
  }

 private:
  // A null pointer would bind SQL NULL; an empty value must stay ''.
  static const char* NonNull(std::string_view value) {
    return value.data() != nullptr ? value.data() : "";
  }
  void Check(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  bool Bindable() const { return stmt_ != nullptr; }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status error_;
  int bind_rc_ = SQLITE_OK;
};

// Paths and content (sqlite_store.cc).
std::string Quoted(std::string_view path);
bool IsValidPath(std::string_view path);
std::string_view ParentOf(std::string_view path);
std::string_view NameOf(std::string_view path);
bool WalkBefore(std::string_view a, std::string_view b);
std::pair<std::string, std::string> SubtreeRange(std::string_view dir);
bool IsValidUtf8(std::string_view s);
bool IsSessionLogPath(std::string_view path);
bool StoreAsLines(std::string_view path, std::string_view bytes);
bool Searchable(std::string_view bytes);
void SearchableSqlFunction(sqlite3_context* context, int argc, sqlite3_value** argv);
uint64_t CountNewlines(std::string_view bytes);
std::vector<std::string_view> SplitLines(std::string_view bytes);
uint64_t LineRows(uint64_t size, uint64_t newlines, bool final_newline);
std::string SessionTitle(uint64_t rows);
std::string NoteTitle(std::string_view bytes);
std::string TitleFor(std::string_view path, std::string_view bytes);
std::string UtcDate(int64_t mtime_ns);
std::string Cell(std::string_view text);
Stat FileStat(Storage storage, int64_t mode, int64_t mtime_ns, int64_t size, int64_t lines);
Stat DirStat(int64_t mode, int64_t mtime_ns, int64_t subdirs);

// ---- the store -----------------------------------------------------------

// ReadFiles' state shared with its helper thread (defined with ReadFiles).
struct ReadAhead;
// BeginBulk's writer (sqlite_write.cc): records history like the writes.
class SqliteBulkWriter;

class SqliteStore final : public Store, public internal::BulkCapable {
 public:
  SqliteStore(std::string db_path, const StoreOptions& options)
      : db_path_(std::move(db_path)), options_(options) {}

  Status Open();

  Status GetStat(std::string_view path, Stat* out) override;
  Status ReadFile(std::string_view path, std::string* out) override;
  Status ReadPrefix(std::string_view path, uint64_t max_bytes, std::string* out,
                    bool* complete) override;
  // `bytes` bytes from the start of memory row `id`'s content.
  Status ReadBlob(int64_t id, uint64_t bytes, std::string* out);
  // The row id and size of a memory file (*id 0: not one; a session log,
  // a directory, the virtual index, or nothing).
  Status MemoryIdSize(std::string_view path, int64_t* id, int64_t* size);
  struct BlobCloser {
    void operator()(sqlite3_blob* b) const { sqlite3_blob_close(b); }
  };
  using BlobHandle = std::unique_ptr<sqlite3_blob, BlobCloser>;
  // Incremental blob I/O on memory row `id`'s content; the open handle
  // holds the read snapshot.
  Status OpenBlob(int64_t id, BlobHandle* blob);
  Status ReadBlobRange(sqlite3_blob* blob, uint64_t at, uint64_t bytes, char* out);
  Status ReadPieces(std::string_view path, uint64_t piece_bytes,
                    const std::function<bool(std::string_view piece)>& visit,
                    uint64_t offset) override;
  // Blobs above this size are read with blob I/O (no assembled copy).
  static constexpr int64_t kLargeBlob = 1 << 20;
  Status ReadLines(std::string_view path, uint64_t first, uint64_t last, std::vector<Line>* out,
                   bool* ends_with_newline) override;
  Status ListDir(std::string_view path, std::vector<DirEntry>* out) override;
  Status Walk(std::string_view path,
              const std::function<bool(const std::string& path, const Stat& stat)>& visit) override;
  Status ListFiles(std::string_view path, std::vector<std::string>* out) override;
  Status ReadFiles(const std::vector<std::string>& paths, const ReadOptions& options,
                   const std::function<ReadNext(const FileBytes& file)>& visit) override;
  Status WriteFile(std::string_view path, std::string_view bytes, uint32_t mode,
                   int64_t mtime_ns) override;
  Status MakeDirectory(std::string_view path, uint32_t mode, int64_t mtime_ns) override;
  Status Remove(std::string_view path) override;
  std::vector<std::string> TakeTrace() override { return std::exchange(trace_, {}); }
  Status FindCandidates(std::string_view path, const SubstringQuery& query,
                        std::vector<std::string>* out, const CandidateOptions& options) override;

  Status AppendFile(std::string_view path, std::string_view bytes, int64_t mtime_ns) override;
  Status Rename(std::string_view from, std::string_view to) override;
  Status SetAttributes(std::string_view path, const Attributes& attributes) override;
  Status BeginChange(const ChangeInfo& info) override;
  Status CommitChange(int64_t* change_id) override;
  void RollbackChange() override;
  bool InChange() const override { return change_ != nullptr; }
  Status LockChange() override;
  Status GetMeta(std::string_view key, std::string* value, bool* found) override;
  Status PutMeta(std::string_view key, std::string_view value) override;
  Status LogHookCall(const HookCall& call) override;
  Status CheckIntegrity(std::string* result) override;
  Status ListHookCalls(int64_t since_ns, std::vector<HookCall>* out) override;
  Status ListChanges(const ChangeFilter& filter, std::vector<ChangeRecord>* out) override;
  Status ReadVersion(std::string_view path, int64_t change_id, Version* out) override;
  Status Undo(int64_t change_id, const ChangeInfo& info, int64_t* undone_id) override;
  Status Restore(std::string_view path, int64_t change_id, const ChangeInfo& info) override;

  Status BeginBulk(std::unique_ptr<internal::BulkWriter>* out) override;
  friend class SqliteBulkWriter;

  // Used by the bulk writer; the caller holds a write transaction.
  Status PutFileLocked(std::string_view path, std::string_view bytes, uint32_t mode,
                       int64_t mtime_ns);
  Status PutDirectoryLocked(std::string_view path, uint32_t mode, int64_t mtime_ns);
  Status Exec(Q q) { return Use(q).Run(); }
  // Indexes the rows the triggers queued; every write transaction runs it
  // just before COMMIT, so no reader ever sees the queue filled.
  Status IndexQueuedLocked() {
    Status st;
    for (const Q q : {Q::kFtsIndexMemory, Q::kFtsClearMemoryQueue, Q::kFtsIndexSessions,
                      Q::kFtsClearSessionsQueue}) {
      st = Exec(q);
      if (!st.ok()) break;
    }
    return st;
  }

 private:
  enum class Kind { kMissing, kMemory, kSession, kDir, kVirtual };
  struct Node {
    Kind kind = Kind::kMissing;
    Stat stat;
    bool final_newline = false;
  };
  struct Index {
    std::string content;
    int64_t mtime_ns = 0;
  };

  // A transaction for the scope, unless one is already open (a bulk load).
  class Txn {
   public:
    explicit Txn(SqliteStore* store) : store_(store) {}
    Txn(const Txn&) = delete;
    Txn& operator=(const Txn&) = delete;
    ~Txn() {
      if (active_) (void)store_->Exec(Q::kRollback);
    }
    Status Begin(bool write) {
      if (sqlite3_get_autocommit(store_->db_.get()) == 0) return Status::Ok();
      Status st = store_->Exec(write ? Q::kBeginWrite : Q::kBeginRead);
      active_ = st.ok();
      return st;
    }
    Status Commit() {
      if (!active_) return Status::Ok();
      Status st = store_->Exec(Q::kCommit);
      if (st.ok()) active_ = false;
      return st;
    }

   private:
    SqliteStore* store_;
    bool active_ = false;
  };

  static int TraceCallback(unsigned type, void* context, void* p, void* x);
  Status Migrate(int version);
  Status CheckNoForeignSchema();
  Status EnableWal();
  Status ExecScript(const char* sql, std::string_view what);
  Status ReadUserVersion(int* version);

  // A cached statement, prepared on first use. A prepare failure is carried
  // by the Query and reported by its first Next()/Run().
  Query Use(Q q);

  Status CheckWritable() const {
    if (options_.read_only) return Err(Code::kReadOnly, "store is read-only: " + db_path_);
    return Status::Ok();
  }
  Status CheckPath(std::string_view path) const {
    if (!IsValidPath(path)) return Err(Code::kInvalidArgument, "invalid path " + Quoted(path));
    return Status::Ok();
  }

  // The node stored at a non-root path (virtual files not included).
  Status LookupReal(std::string_view path, Node* node);
  // Cheaper: only kind, size and final_newline (no directory link count,
  // which costs a count of its subdirectories).
  Status LookupKind(std::string_view path, Node* node);
  // Also the root and the virtual index.
  Status Lookup(std::string_view path, Node* node);
  // Why `path` (missing) cannot be found: NotFound, or NotADirectory when a
  // leading component is a file.
  Status Missing(std::string_view path);
  // OK when `path` names a directory (the root included); NotFound or
  // NotADirectory otherwise. Inside a transaction.
  Status CheckDirectoryLocked(std::string_view path);
  // Begins `txn` (a read) and checks that `dir` is a directory in it: the
  // start of every subtree read (Walk, ListFiles, FindCandidates).
  Status BeginDirectoryRead(Txn& txn, std::string_view dir) {
    Status st = txn.Begin(false);
    if (!st.ok()) return st;
    return CheckDirectoryLocked(dir);
  }
  Status RootStat(Stat* out);
  Status VirtualIndexActive(bool* active);
  Status BuildIndex(Index* out);
  Stat IndexStat(const Index& index) const;

  Status ReadSessionLines(std::string_view path, uint64_t first, uint64_t last,
                          std::vector<Line>* out);
  // A second read-only connection to `db_path`, for parallel ReadFiles,
  // inside a read transaction whose snapshot has the change counter at
  // `generation`; null when none can be had (the counters differ, or
  // opening it failed): the caller then reads alone.
  static DbPtr OpenHelperConnection(const std::string& db_path, int64_t generation);
  // The helper thread of a parallel ReadFiles: opens its own connection
  // (OpenHelperConnection), then reads the blocks of `paths` it takes into
  // `ahead`, or sets ahead->failed.
  // With `settles` (ReadOptions::prefix_settles), session logs stop at the
  // first prefix it accepts.
  using PrefixSettles = std::function<bool(std::string_view, size_t)>;
  static void ReadAheadLoop(const std::string& db_path, int64_t generation,
                            const std::vector<std::string>& paths, const PrefixSettles* settles,
                            ReadAhead* ahead);
  // False when the FTS5 expression matches about 1 / kMaxCandidateShare
  // of all memory and session rows or more (estimated on the oldest
  // kSelectivityWindow rows of each table): mapping that many hits to
  // files costs more than reading every file (ReadFiles streams them).
  Status IsSelective(const std::string& fts_expr, bool* selective);
  Status EnsureDirs(std::string_view dir, int64_t now);
  Status DeleteNode(std::string_view path, Kind kind);
  Status InsertLines(std::string_view path, const std::vector<std::string_view>& lines, size_t from,
                     int64_t first_number);
  Status UpdateInPlace(std::string_view path, std::string_view bytes, uint32_t mode,
                       int64_t mtime_ns, const Node& node, bool* done);

  // The open change (BeginChange). Its transaction starts at its first
  // write, so a command that only reads never takes the write lock.
  struct OpenChange {
    ChangeInfo info;
    int64_t id = 0;      // 0 until the first write opened the transaction
    int64_t undoes = 0;  // Undo: the change being undone
    // Paths whose prior state is recorded; true while only their size is
    // (they were appended to, or only their attributes changed).
    std::map<std::string, bool, std::less<>> recorded;
    // While one write operation's savepoint is open: what it changed in
    // `recorded` (the path, and its previous value or none), so that a
    // failed operation, whose history rows its rollback drops, forgets
    // them too and a later write records the path again.
    bool journaling = false;
    std::vector<std::pair<std::string, std::optional<bool>>> journal;
  };
  // One write operation: its own transaction, or a savepoint inside the
  // open change (so a failed operation leaves the change as it was).
  class WriteScope;
  // BEGIN IMMEDIATE, retried while another process holds the write lock
  // (StoreOptions::write_lock_timeout_ms).
  Status BeginWriteTransaction();
  // Opens the change's transaction and its `changes` row, once.
  Status StartChangeLocked();
  // Records `path`'s state before its first write in the open change (no-op
  // without one). `size_only`: the write only appends or changes
  // attributes, so the prior bytes are a prefix of what follows.
  Status RecordLocked(std::string_view path, bool size_only);
  // RecordLocked for `path` and every node below it.
  Status RecordSubtreeLocked(std::string_view path);
  // RecordLocked for each missing ancestor of `path` (created as needed).
  Status RecordMissingParentsLocked(std::string_view path);
  Status PruneHistoryLocked();
  Status DeleteChangeLocked(int64_t id);
  // Sets `path` to `version` (exists or not, kind, mode, mtime, bytes).
  Status ApplyVersionLocked(std::string_view path, const Version& version);
  // Applies many versions: removals deepest first, then directories, then files.
  Status ApplyVersionsLocked(std::vector<std::pair<std::string, Version>>& versions);
  Status CurrentVersion(std::string_view path, Version* out);

  std::unique_ptr<OpenChange> change_;
  DbPtr db_;
  std::string db_path_;
  StoreOptions options_;
  int schema_version_ = 0;  // as opened (a read-only store may be older)
  std::array<StmtPtr, static_cast<size_t>(Q::kCount)> stmts_;
  std::vector<std::string> trace_;
};

}  // namespace memhook::vfs::internal

#endif  // MEMHOOK_VFS_SQLITE_INTERNAL_H_
