// SQLite store, writing half: node writes, bulk loads, changes and their
// history (the schema and the reads are in sqlite_store.cc).
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "vfs/sqlite_internal.h"
#include "vfs/store_internal.h"
#include "vfs/vfs.h"

namespace memhook::vfs::internal {

// ---- writes --------------------------------------------------------------

Status SqliteStore::EnsureDirs(std::string_view dir, int64_t now) {
  if (dir.empty()) return Status::Ok();
  Node node;
  Status st = LookupKind(dir, &node);
  if (!st.ok()) return st;
  if (node.kind == Kind::kDir) return Status::Ok();
  if (node.kind != Kind::kMissing) {
    return Err(Code::kNotADirectory, "not a directory: " + Quoted(dir));
  }
  st = EnsureDirs(ParentOf(dir), now);
  if (!st.ok()) return st;
  Query q = Use(Q::kPutDir);
  q.Text(1, dir).Text(2, ParentOf(dir)).Text(3, NameOf(dir)).Int(4, 0755).Int(5, now);
  return q.Run();
}

Status SqliteStore::DeleteNode(std::string_view path, Kind kind) {
  Status st;
  switch (kind) {
    case Kind::kMissing:
    case Kind::kVirtual:
      return Status::Ok();
    case Kind::kMemory: {
      Query q = Use(Q::kDeleteMemory);
      q.Text(1, path);
      return q.Run();
    }
    case Kind::kSession: {
      for (const Q q_id : {Q::kDeleteSessionFile, Q::kDeleteSessionLines}) {
        Query q = Use(q_id);
        q.Text(1, path);
        st = q.Run();
        if (!st.ok()) return st;
      }
      return st;
    }
    case Kind::kDir:
      break;
  }
  const auto [lo, hi] = SubtreeRange(path);
  for (const Q q_id : {Q::kDeleteSessionLinesBelow, Q::kDeleteSessionFilesBelow,
                       Q::kDeleteMemoryBelow, Q::kDeleteDirsBelow}) {
    Query q = Use(q_id);
    q.Text(1, lo).Text(2, hi);
    st = q.Run();
    if (!st.ok()) return st;
  }
  Query q = Use(Q::kDeleteDir);
  q.Text(1, path);
  return q.Run();
}

Status SqliteStore::InsertLines(std::string_view path, const std::vector<std::string_view>& lines,
                                size_t from, int64_t first_number) {
  Status st;
  size_t i = from;
  for (; i + kLineBatch <= lines.size(); i += kLineBatch) {
    Query q = Use(Q::kInsertSessionLines16);
    q.Text(1, path);
    for (size_t k = 0; k < kLineBatch; ++k) {
      const int param = 2 + 2 * static_cast<int>(k);
      q.Int(param, first_number + static_cast<int64_t>(i - from + k)).Text(param + 1, lines[i + k]);
    }
    st = q.Run();
    if (!st.ok()) return st;
  }
  for (; i < lines.size(); ++i) {
    Query q = Use(Q::kInsertSessionLine);
    q.Text(1, path).Int(2, first_number + static_cast<int64_t>(i - from)).Text(3, lines[i]);
    st = q.Run();
    if (!st.ok()) return st;
  }
  return st;
}

// Re-imports mostly find a file unchanged, or a session log that only grew:
// comparing with the stored bytes is far cheaper than rewriting every row.
Status SqliteStore::UpdateInPlace(std::string_view path, std::string_view bytes, uint32_t mode,
                                  int64_t mtime_ns, const Node& node, bool* done) {
  *done = false;
  const bool as_lines = StoreAsLines(path, bytes);
  if (node.kind == Kind::kMemory) {
    if (as_lines || node.stat.size != bytes.size()) return Status::Ok();
    Query q = Use(Q::kMemoryContent);
    q.Text(1, path);
    Status st;
    const bool same = q.Next(&st) && q.ColBlob(0) == bytes;
    if (!st.ok() || !same) return st;
    Query touch = Use(Q::kTouchMemory);
    touch.Text(1, path).Int(2, mode).Int(3, mtime_ns);
    *done = true;
    return touch.Run();
  }
  if (node.kind != Kind::kSession || !as_lines || node.stat.size > bytes.size()) {
    return Status::Ok();
  }
  std::vector<Line> old;
  Status st = ReadSessionLines(path, 1, std::numeric_limits<uint64_t>::max(), &old);
  if (!st.ok()) return st;
  // Rows that stay as they are: all, or all but an unterminated last line
  // that the new content may have extended.
  size_t keep = old.size();
  if (keep > 0 && !node.final_newline) --keep;
  size_t offset = 0;
  for (size_t i = 0; i < keep; ++i) {
    const std::string_view text = old[i].text;
    if (bytes.substr(offset, text.size()) != text || offset + text.size() >= bytes.size() ||
        bytes[offset + text.size()] != '\n') {
      return Status::Ok();
    }
    offset += text.size() + 1;
  }
  if (keep < old.size() && !bytes.substr(offset).starts_with(old[keep].text)) return Status::Ok();
  const std::vector<std::string_view> lines = SplitLines(bytes.substr(offset));
  if (keep < old.size()) {
    Query q = Use(Q::kDeleteSessionLinesFrom);
    q.Text(1, path).Int(2, static_cast<int64_t>(keep + 1));
    st = q.Run();
    if (!st.ok()) return st;
  }
  st = InsertLines(path, lines, 0, static_cast<int64_t>(keep + 1));
  if (!st.ok()) return st;
  Query q = Use(Q::kUpdateSessionFile);
  q.Text(1, path).Int(2, mode).Int(3, mtime_ns).Int(4, static_cast<int64_t>(bytes.size()));
  q.Int(5, static_cast<int64_t>(CountNewlines(bytes)));
  q.Int(6, !bytes.empty() && bytes.back() == '\n' ? 1 : 0);
  const std::string title = TitleFor(path, bytes);
  q.Text(7, title);
  st = q.Run();
  *done = st.ok();
  return st;
}

Status SqliteStore::PutFileLocked(std::string_view path, std::string_view bytes, uint32_t mode,
                                  int64_t mtime_ns) {
  if (path.empty()) return Err(Code::kIsADirectory, "is a directory: " + Quoted(path));
  const int64_t now = internal::NowNs();
  if (mtime_ns < 0) mtime_ns = now;
  mode &= 07777;
  Status st = EnsureDirs(ParentOf(path), now);
  if (!st.ok()) return st;
  Node node;
  st = LookupKind(path, &node);
  if (!st.ok()) return st;
  if (node.kind == Kind::kDir) return Err(Code::kIsADirectory, "is a directory: " + Quoted(path));
  bool done = false;
  st = UpdateInPlace(path, bytes, mode, mtime_ns, node, &done);
  if (!st.ok() || done) return st;
  st = DeleteNode(path, node.kind);
  if (!st.ok()) return st;

  const std::string_view parent = ParentOf(path);
  const std::string_view name = NameOf(path);
  const auto size = static_cast<int64_t>(bytes.size());
  const auto newlines = static_cast<int64_t>(CountNewlines(bytes));
  const std::string title = TitleFor(path, bytes);
  if (!StoreAsLines(path, bytes)) {
    Query q = Use(Q::kInsertMemory);
    q.Text(1, path).Text(2, parent).Text(3, name).Int(4, mode).Int(5, mtime_ns);
    q.Int(6, size).Int(7, newlines).Text(8, title).Blob(9, bytes);
    q.Int(10, Searchable(bytes) ? 1 : 0);
    return q.Run();
  }
  const bool final_newline = !bytes.empty() && bytes.back() == '\n';
  {
    Query q = Use(Q::kInsertSessionFile);
    q.Text(1, path).Text(2, parent).Text(3, name).Int(4, mode).Int(5, mtime_ns);
    q.Int(6, size).Int(7, newlines).Int(8, final_newline ? 1 : 0).Text(9, title);
    st = q.Run();
    if (!st.ok()) return st;
  }
  return InsertLines(path, SplitLines(bytes), 0, 1);
}

Status SqliteStore::PutDirectoryLocked(std::string_view path, uint32_t mode, int64_t mtime_ns) {
  const int64_t now = internal::NowNs();
  if (mtime_ns < 0) mtime_ns = now;
  Status st;
  if (!path.empty()) {
    st = EnsureDirs(ParentOf(path), now);
    if (!st.ok()) return st;
    Node node;
    st = LookupKind(path, &node);
    if (!st.ok()) return st;
    if (node.kind != Kind::kDir) st = DeleteNode(path, node.kind);
    if (!st.ok()) return st;
  }
  Query q = Use(Q::kPutDir);
  q.Text(1, path).Text(3, NameOf(path)).Int(4, mode & 07777).Int(5, mtime_ns);
  if (path.empty()) {
    q.Null(2);
  } else {
    q.Text(2, ParentOf(path));
  }
  return q.Run();
}

class SqliteStore::WriteScope {
 public:
  explicit WriteScope(SqliteStore* store) : store_(store) {}
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;
  ~WriteScope() {
    if (state_ == State::kTransaction) {
      (void)store_->Exec(Q::kRollback);
    } else if (state_ == State::kSavepoint) {
      (void)store_->ExecScript("ROLLBACK TO memhook_write; RELEASE memhook_write", "");
      // The rollback dropped the history rows this operation recorded.
      OpenChange& change = *store_->change_;
      for (auto it = change.journal.rbegin(); it != change.journal.rend(); ++it) {
        if (it->second.has_value()) {
          change.recorded[it->first] = *it->second;
        } else {
          change.recorded.erase(it->first);
        }
      }
    }
    EndJournal();
  }
  Status Begin() {
    Status st = store_->CheckWritable();
    if (!st.ok()) return st;
    if (store_->change_ != nullptr) {
      st = store_->StartChangeLocked();
      if (st.ok()) st = store_->ExecScript("SAVEPOINT memhook_write", "writing");
      if (st.ok()) {
        state_ = State::kSavepoint;
        store_->change_->journaling = true;
      }
      return st;
    }
    // A bulk load's transaction is already open: join it.
    if (sqlite3_get_autocommit(store_->db_.get()) == 0) return Status::Ok();
    st = store_->BeginWriteTransaction();
    if (st.ok()) state_ = State::kTransaction;
    return st;
  }
  // Indexes what the operation queued (no reader ever sees the queue
  // filled), then commits or releases.
  Status Commit() {
    Status st = store_->IndexQueuedLocked();
    if (!st.ok()) return st;
    if (state_ == State::kTransaction) {
      st = store_->Exec(Q::kCommit);
    } else if (state_ == State::kSavepoint) {
      st = store_->ExecScript("RELEASE memhook_write", "writing");
    }
    if (st.ok()) {
      state_ = State::kNone;
      EndJournal();
    }
    return st;
  }

 private:
  void EndJournal() {
    if (store_->change_ == nullptr) return;
    store_->change_->journaling = false;
    store_->change_->journal.clear();
  }

  enum class State { kNone, kTransaction, kSavepoint };
  SqliteStore* store_;
  State state_ = State::kNone;
};

Status SqliteStore::WriteFile(std::string_view path, std::string_view bytes, uint32_t mode,
                              int64_t mtime_ns) {
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  WriteScope scope(this);
  st = scope.Begin();
  if (st.ok()) st = RecordMissingParentsLocked(path);
  if (st.ok()) st = RecordLocked(path, false);
  if (st.ok()) st = PutFileLocked(path, bytes, mode, mtime_ns);
  if (st.ok()) st = scope.Commit();
  return st;
}

Status SqliteStore::MakeDirectory(std::string_view path, uint32_t mode, int64_t mtime_ns) {
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  if (path.empty()) return Err(Code::kAlreadyExists, "file exists: " + Quoted(path));
  WriteScope scope(this);
  st = scope.Begin();
  if (!st.ok()) return st;
  const int64_t now = internal::NowNs();
  st = RecordMissingParentsLocked(path);
  if (st.ok()) st = EnsureDirs(ParentOf(path), now);
  if (!st.ok()) return st;
  Node node;
  st = Lookup(path, &node);
  if (!st.ok()) return st;
  if (node.kind != Kind::kMissing) return Err(Code::kAlreadyExists, "file exists: " + Quoted(path));
  st = RecordLocked(path, false);
  if (st.ok()) st = PutDirectoryLocked(path, mode, mtime_ns < 0 ? now : mtime_ns);
  if (st.ok()) st = scope.Commit();
  return st;
}

Status SqliteStore::Remove(std::string_view path) {
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  if (path.empty()) return Err(Code::kInvalidArgument, "cannot remove the root directory");
  WriteScope scope(this);
  st = scope.Begin();
  if (!st.ok()) return st;
  Node node;
  st = Lookup(path, &node);
  if (!st.ok()) return st;
  if (node.kind == Kind::kMissing) return Missing(path);
  if (node.kind == Kind::kVirtual) {
    return Err(Code::kInvalidArgument, Quoted(path) + " is generated and cannot be removed");
  }
  st = RecordSubtreeLocked(path);
  if (st.ok()) st = DeleteNode(path, node.kind);
  // Nothing is queued by a removal, but a write by another SQLite client
  // may have left rows queued: Commit indexes them while we hold the lock.
  if (st.ok()) st = scope.Commit();
  return st;
}

Status SqliteStore::AppendFile(std::string_view path, std::string_view bytes, int64_t mtime_ns) {
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  if (path.empty()) return Err(Code::kIsADirectory, "is a directory: " + Quoted(path));
  if (bytes.empty()) return Status::Ok();  // like write(2) of nothing: mtime kept
  WriteScope scope(this);
  st = scope.Begin();
  if (!st.ok()) return st;
  Node node;
  st = Lookup(path, &node);
  if (!st.ok()) return st;
  if (node.kind == Kind::kMissing) return Missing(path);
  if (node.kind == Kind::kDir) return Err(Code::kIsADirectory, "is a directory: " + Quoted(path));
  if (mtime_ns < 0) mtime_ns = internal::NowNs();
  st = RecordLocked(path, true);
  if (!st.ok()) return st;
  const uint64_t old_size = node.stat.size;
  if (node.kind == Kind::kSession && StoreAsLines(path, bytes)) {
    // New rows only; an unterminated last row is extended in place.
    std::vector<std::string_view> lines = SplitLines(bytes);
    const uint64_t rows = LineRows(old_size, node.stat.line_count, node.final_newline);
    size_t from = 0;
    int64_t next = static_cast<int64_t>(rows) + 1;
    if (old_size > 0 && !node.final_newline) {
      Query q = Use(Q::kAppendSessionLine);
      q.Text(1, path).Int(2, static_cast<int64_t>(rows)).Text(3, lines[0]);
      st = q.Run();
      if (!st.ok()) return st;
      from = 1;
    }
    st = InsertLines(path, lines, from, next);
    if (!st.ok()) return st;
    const uint64_t size = old_size + bytes.size();
    const uint64_t newlines = node.stat.line_count + CountNewlines(bytes);
    const bool final_newline = bytes.back() == '\n';
    Query q = Use(Q::kUpdateSessionFile);
    q.Text(1, path).Int(2, node.stat.mode).Int(3, mtime_ns).Int(4, static_cast<int64_t>(size));
    q.Int(5, static_cast<int64_t>(newlines)).Int(6, final_newline ? 1 : 0);
    const std::string title = SessionTitle(LineRows(size, newlines, final_newline));
    q.Text(7, title);
    st = q.Run();
  } else {
    std::string content;
    st = ReadFile(path, &content);
    if (!st.ok()) return st;
    content.append(bytes);
    const uint32_t mode = node.kind == Kind::kVirtual ? 0644 : node.stat.mode;
    st = PutFileLocked(path, content, mode, mtime_ns);
  }
  if (st.ok()) st = scope.Commit();
  return st;
}

Status SqliteStore::Rename(std::string_view from, std::string_view to) {
  Status st = CheckPath(from);
  if (st.ok()) st = CheckPath(to);
  if (!st.ok()) return st;
  if (from.empty() || to.empty()) {
    return Err(Code::kInvalidArgument, "cannot move the root directory");
  }
  if (to == from || (to.size() > from.size() && to.starts_with(from) && to[from.size()] == '/')) {
    return Err(Code::kInvalidArgument,
               "cannot move " + Quoted(from) + " to a subdirectory of itself, " + Quoted(to));
  }
  WriteScope scope(this);
  st = scope.Begin();
  if (!st.ok()) return st;
  Node source, target;
  st = Lookup(from, &source);
  if (st.ok()) st = Lookup(to, &target);
  if (!st.ok()) return st;
  if (source.kind == Kind::kMissing) return Missing(from);
  if (source.kind == Kind::kVirtual) {
    return Err(Code::kInvalidArgument, Quoted(from) + " is generated and cannot be moved");
  }
  if (target.kind != Kind::kMissing) return Err(Code::kAlreadyExists, "file exists: " + Quoted(to));
  st = CheckDirectoryLocked(ParentOf(to));
  if (!st.ok()) return st;
  // What moves: the node and, for a directory, everything below it.
  std::vector<std::pair<std::string, Stat>> nodes;
  nodes.emplace_back(std::string(from), source.stat);
  if (source.kind == Kind::kDir) {
    st = Walk(from, [&nodes](const std::string& p, const Stat& stat) {
      nodes.emplace_back(p, stat);
      return true;
    });
    if (!st.ok()) return st;
  }
  auto moved = [&](const std::string& p) { return std::string(to) + p.substr(from.size()); };
  for (const auto& [p, stat] : nodes) {
    st = RecordLocked(p, false);
    if (st.ok()) st = RecordLocked(moved(p), false);
    if (!st.ok()) return st;
  }
  std::string content;
  for (const auto& [p, stat] : nodes) {
    if (stat.kind == NodeKind::kDirectory) {
      st = PutDirectoryLocked(moved(p), stat.mode, stat.mtime_ns);
    } else {
      st = ReadFile(p, &content);
      if (st.ok()) st = PutFileLocked(moved(p), content, stat.mode, stat.mtime_ns);
    }
    if (!st.ok()) return st;
  }
  st = DeleteNode(from, source.kind);
  if (st.ok()) st = scope.Commit();
  return st;
}

Status SqliteStore::SetAttributes(std::string_view path, const Attributes& attributes) {
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  WriteScope scope(this);
  st = scope.Begin();
  if (!st.ok()) return st;
  Node node;
  st = Lookup(path, &node);
  if (!st.ok()) return st;
  if (node.kind == Kind::kMissing) return Missing(path);
  st = RecordLocked(path, true);
  if (!st.ok()) return st;
  const uint32_t mode = attributes.set_mode ? attributes.mode & 07777 : node.stat.mode;
  const int64_t mtime = attributes.set_mtime ? attributes.mtime_ns : node.stat.mtime_ns;
  switch (node.kind) {
    case Kind::kMissing:
      break;
    case Kind::kVirtual: {
      // The generated index becomes a real file with these attributes.
      std::string content;
      st = ReadFile(path, &content);
      if (st.ok()) st = PutFileLocked(path, content, attributes.set_mode ? mode : 0644, mtime);
      break;
    }
    case Kind::kMemory:
    case Kind::kSession: {
      Query q = Use(node.kind == Kind::kMemory ? Q::kTouchMemory : Q::kTouchSessionFile);
      q.Text(1, path).Int(2, mode).Int(3, mtime);
      st = q.Run();
      break;
    }
    case Kind::kDir:
      st = PutDirectoryLocked(path, mode, mtime);
      break;
  }
  if (st.ok()) st = scope.Commit();
  return st;
}

// ---- changes and history -------------------------------------------------

namespace {

// History row states.
constexpr int64_t kAbsent = 0;
constexpr int64_t kFileState = 1;
constexpr int64_t kDirState = 2;
// Waits for the write lock: 1 ms, doubling up to 100 ms (with jitter).
constexpr int64_t kFirstRetryUs = 1000;
constexpr int64_t kMaxRetryUs = 100000;

Store::Version VersionFromRow(const Query& q, int first) {
  Store::Version v;
  const int64_t state = q.ColInt(first);
  v.exists = state != kAbsent;
  v.kind = state == kDirState ? NodeKind::kDirectory : NodeKind::kFile;
  v.mode = static_cast<uint32_t>(q.ColInt(first + 1));
  v.mtime_ns = q.ColInt(first + 2);
  v.bytes.assign(q.ColBlob(first + 4));
  return v;
}

}  // namespace

Status SqliteStore::BeginChange(const ChangeInfo& info) {
  Status st = CheckWritable();
  if (!st.ok()) return st;
  if (change_ != nullptr) return Err(Code::kInvalidArgument, "a change is already open");
  if (sqlite3_get_autocommit(db_.get()) == 0) {
    return Err(Code::kInvalidArgument, "a transaction is already open");
  }
  change_ = std::make_unique<OpenChange>();
  change_->info = info;
  return Status::Ok();
}

Status SqliteStore::BeginWriteTransaction() {
  // Our own loop instead of SQLite's busy handler: exponential backoff with
  // jitter, so that many writers waiting together do not retry in step.
  sqlite3_busy_timeout(db_.get(), 0);
  const int64_t start = internal::NowNs();
  const int64_t budget_ns = int64_t{options_.write_lock_timeout_ms} * 1000000;
  std::minstd_rand jitter(static_cast<uint32_t>(start ^ (int64_t{::getpid()} << 16)));
  int64_t delay_us = kFirstRetryUs;
  Status st;
  while (true) {
    st = Exec(Q::kBeginWrite);
    if (st.code() != Code::kBusy) break;
    const int64_t waited = internal::NowNs() - start;
    if (waited >= budget_ns) {
      st = Err(Code::kBusy, "another writer held the memory store for " +
                                std::to_string(waited / 1000000) + " ms; nothing was written");
      break;
    }
    // Between half and all of the delay, never past the budget.
    const int64_t sleep_us = std::min<int64_t>(delay_us / 2 + jitter() % (delay_us / 2 + 1),
                                               (budget_ns - waited) / 1000 + 1);
    std::this_thread::sleep_for(std::chrono::microseconds(sleep_us));
    delay_us = std::min(delay_us * 2, kMaxRetryUs);
  }
  sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
  return st;
}

Status SqliteStore::StartChangeLocked() {
  if (change_->id != 0) return Status::Ok();
  Status st = BeginWriteTransaction();
  if (!st.ok()) return st;
  Query q = Use(Q::kInsertChange);
  q.Int(1, internal::NowNs()).Text(2, change_->info.command).Text(3, change_->info.session_id);
  q.Text(4, change_->info.cwd).Text(5, change_->info.origin).Int(6, change_->undoes);
  st = q.Run();
  if (!st.ok()) {
    (void)Exec(Q::kRollback);
    return st;
  }
  change_->id = sqlite3_last_insert_rowid(db_.get());
  return Status::Ok();
}

Status SqliteStore::LockChange() {
  if (change_ == nullptr) return Err(Code::kInvalidArgument, "no change is open");
  return StartChangeLocked();
}

Status SqliteStore::GetMeta(std::string_view key, std::string* value, bool* found) {
  *found = false;
  if (schema_version_ < 5) return Status::Ok();  // an older read-only store
  Txn txn(this);
  Status st = txn.Begin(false);
  if (!st.ok()) return st;
  Query q = Use(Q::kGetMeta);
  q.Text(1, key);
  if (q.Next(&st)) {
    value->assign(q.ColText(0));
    *found = true;
  }
  return st;
}

Status SqliteStore::PutMeta(std::string_view key, std::string_view value) {
  Status st = CheckWritable();
  if (!st.ok()) return st;
  WriteScope scope(this);
  st = scope.Begin();
  if (!st.ok()) return st;
  {
    Query q = Use(Q::kPutMeta);
    q.Text(1, key).Blob(2, value);
    st = q.Run();
  }
  if (!st.ok()) return st;
  return scope.Commit();
}

Status SqliteStore::LogHookCall(const HookCall& call) {
  Status st = CheckWritable();
  if (!st.ok()) return st;
  if (change_ != nullptr) return Err(Code::kInvalidArgument, "a change is open");
  st = BeginWriteTransaction();
  if (!st.ok()) return st;
  {
    Query q = Use(Q::kInsertHookCall);
    q.Int(1, call.time_ns).Text(2, call.event).Text(3, call.route).Text(4, call.kind);
    q.Int(5, call.latency_us).Int(6, call.bytes).Int(7, call.status).Text(8, call.error);
    st = q.Run();
  }
  if (st.ok()) st = Exec(Q::kCommit);
  if (!st.ok()) (void)Exec(Q::kRollback);
  return st;
}

Status SqliteStore::CheckIntegrity(std::string* result) {
  result->clear();
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), "PRAGMA integrity_check", -1, &raw, nullptr);
  if (rc != SQLITE_OK) return DbError(db_.get(), rc, "checking integrity");
  StmtPtr stmt(raw);
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt.get(), 0);
    if (!result->empty()) *result += "\n";
    *result += text != nullptr ? reinterpret_cast<const char*>(text) : "";
  }
  if (rc != SQLITE_DONE) return DbError(db_.get(), rc, "checking integrity");
  return Status::Ok();
}

Status SqliteStore::ListHookCalls(int64_t since_ns, std::vector<HookCall>* out) {
  out->clear();
  if (schema_version_ < 5) return Status::Ok();
  Txn txn(this);
  Status st = txn.Begin(false);
  if (!st.ok()) return st;
  Query q = Use(Q::kListHookCalls);
  q.Int(1, since_ns);
  while (q.Next(&st)) {
    HookCall call;
    call.time_ns = q.ColInt(0);
    call.event.assign(q.ColText(1));
    call.route.assign(q.ColText(2));
    call.kind.assign(q.ColText(3));
    call.latency_us = q.ColInt(4);
    call.bytes = q.ColInt(5);
    call.status = static_cast<int>(q.ColInt(6));
    call.error.assign(q.ColText(7));
    out->push_back(std::move(call));
  }
  return st;
}

Status SqliteStore::CommitChange(int64_t* change_id) {
  if (change_id != nullptr) *change_id = 0;
  if (change_ == nullptr) return Err(Code::kInvalidArgument, "no change is open");
  std::unique_ptr<OpenChange> change = std::move(change_);
  if (change->id == 0) return Status::Ok();  // nothing was written
  Status st;
  if (change->recorded.empty()) {
    // Its transaction began, but every write failed and was rolled back.
    st = DeleteChangeLocked(change->id);
    if (st.ok()) st = IndexQueuedLocked();
    if (st.ok()) st = Exec(Q::kCommit);
    if (!st.ok()) (void)Exec(Q::kRollback);
    return st;
  }
  {
    Query q = Use(Q::kChangeBytes);
    q.Int(1, change->id);
    st = q.Run();
  }
  if (change->undoes != 0 && st.ok()) {
    Query q = Use(Q::kMarkUndone);
    q.Int(1, change->undoes).Int(2, change->id);
    st = q.Run();
  }
  if (st.ok()) {
    // Pruning looks at the paths this change wrote.
    change_ = std::move(change);
    st = PruneHistoryLocked();
    change = std::move(change_);
  }
  if (st.ok()) st = IndexQueuedLocked();
  if (st.ok()) st = Exec(Q::kCommit);
  if (!st.ok()) {
    (void)Exec(Q::kRollback);
    return st;
  }
  if (change_id != nullptr) *change_id = change->id;
  return Status::Ok();
}

void SqliteStore::RollbackChange() {
  if (change_ == nullptr) return;
  const bool started = change_->id != 0;
  change_.reset();
  if (started) (void)Exec(Q::kRollback);
}

Status SqliteStore::RecordLocked(std::string_view path, bool size_only) {
  if (change_ == nullptr) return Status::Ok();
  auto it = change_->recorded.find(path);
  if (it != change_->recorded.end()) {
    if (!it->second || size_only) return Status::Ok();
    if (change_->journaling) change_->journal.emplace_back(it->first, it->second);
    // Only the prior size was kept, and now the file is rewritten: its
    // prior bytes are still the prefix of what it holds now.
    Query row = Use(Q::kHistoryRow);
    row.Int(1, change_->id).Text(2, path);
    Status st;
    if (!row.Next(&st)) return st.ok() ? Err(Code::kCorruption, "history row vanished") : st;
    const uint64_t prior_size = static_cast<uint64_t>(row.ColInt(3));
    std::string content;
    st = ReadFile(path, &content);
    if (!st.ok()) return st;
    content.resize(std::min<uint64_t>(prior_size, content.size()));
    Query q = Use(Q::kSetHistoryContent);
    q.Int(1, change_->id).Text(2, path).Blob(3, content);
    st = q.Run();
    if (st.ok()) it->second = false;
    return st;
  }
  Node node;
  Status st = path.empty() ? Lookup(path, &node) : LookupReal(path, &node);
  if (!st.ok()) return st;
  Query q = Use(Q::kInsertHistory);
  q.Int(1, change_->id).Text(2, path);
  std::string content;
  bool keeps_size_only = false;
  switch (node.kind) {
    case Kind::kMissing:
    case Kind::kVirtual:
      q.Int(3, kAbsent).Int(4, 0).Int(5, 0).Null(6).Null(7);
      break;
    case Kind::kDir:
      q.Int(3, kDirState).Int(4, node.stat.mode).Int(5, node.stat.mtime_ns).Null(6).Null(7);
      break;
    case Kind::kMemory:
    case Kind::kSession:
      q.Int(3, kFileState).Int(4, node.stat.mode).Int(5, node.stat.mtime_ns);
      if (size_only) {
        q.Int(6, static_cast<int64_t>(node.stat.size)).Null(7);
        keeps_size_only = true;
      } else {
        st = ReadFile(path, &content);
        if (!st.ok()) return st;
        q.Null(6).Blob(7, content);
      }
      break;
  }
  st = q.Run();
  if (st.ok()) {
    change_->recorded.emplace(std::string(path), keeps_size_only);
    if (change_->journaling) change_->journal.emplace_back(std::string(path), std::nullopt);
  }
  return st;
}

Status SqliteStore::RecordSubtreeLocked(std::string_view path) {
  if (change_ == nullptr) return Status::Ok();
  Status st = RecordLocked(path, false);
  if (!st.ok()) return st;
  Node node;
  st = LookupKind(path, &node);
  if (!st.ok() || node.kind != Kind::kDir) return st;
  // Collected first: recording runs statements the walk may be using.
  std::vector<std::string> below;
  st = Walk(path, [&below](const std::string& p, const Stat&) {
    below.push_back(p);
    return true;
  });
  for (size_t i = 0; st.ok() && i < below.size(); ++i) st = RecordLocked(below[i], false);
  return st;
}

Status SqliteStore::RecordMissingParentsLocked(std::string_view path) {
  if (change_ == nullptr) return Status::Ok();
  std::vector<std::string_view> missing;
  for (std::string_view dir = ParentOf(path); !dir.empty(); dir = ParentOf(dir)) {
    Node node;
    Status st = LookupKind(dir, &node);
    if (!st.ok()) return st;
    if (node.kind != Kind::kMissing) break;
    missing.push_back(dir);
  }
  for (std::string_view dir : missing) {
    Status st = RecordLocked(dir, false);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status SqliteStore::DeleteChangeLocked(int64_t id) {
  for (const Q q_id : {Q::kDeleteHistoryOf, Q::kDeleteChange}) {
    Query q = Use(q_id);
    q.Int(1, id);
    Status st = q.Run();
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status SqliteStore::PruneHistoryLocked() {
  auto scalar = [this](Q q_id, std::string_view text, int64_t* out) {
    Query q = Use(q_id);
    if (!text.empty()) q.Text(1, text);
    Status st;
    *out = q.Next(&st) ? q.ColInt(0) : 0;
    return st;
  };
  Status st;
  // Too many versions of one path: drop the oldest changes that wrote it.
  for (const auto& [path, size_only] : change_->recorded) {
    int64_t versions = 0;
    st = scalar(Q::kPathVersions, path, &versions);
    while (st.ok() && static_cast<uint64_t>(versions) > options_.history_max_versions) {
      int64_t oldest = 0;
      st = scalar(Q::kOldestChangeOf, path, &oldest);
      if (!st.ok() || oldest == change_->id || oldest == 0) break;
      st = DeleteChangeLocked(oldest);
      --versions;
    }
    if (!st.ok()) return st;
  }
  // Too many bytes kept: drop the oldest changes, never the newest.
  while (true) {
    int64_t bytes = 0, count = 0, oldest = 0;
    st = scalar(Q::kTotalHistoryBytes, "", &bytes);
    if (st.ok()) st = scalar(Q::kChangeCount, "", &count);
    if (st.ok()) st = scalar(Q::kOldestChange, "", &oldest);
    if (!st.ok()) return st;
    if (static_cast<uint64_t>(bytes) <= options_.history_max_bytes || count <= 1 ||
        oldest == change_->id) {
      return Status::Ok();
    }
    st = DeleteChangeLocked(oldest);
    if (!st.ok()) return st;
  }
}

Status SqliteStore::ListChanges(const ChangeFilter& filter, std::vector<ChangeRecord>* out) {
  out->clear();
  if (schema_version_ < 4) return Status::Ok();  // an older read-only store: no history yet
  Txn txn(this);
  Status st = txn.Begin(false);
  if (!st.ok()) return st;
  {
    Query q = Use(Q::kListChanges);
    const auto [lo, hi] = SubtreeRange(filter.path);
    q.Text(1, filter.session_id).Int(2, filter.path.empty() ? 0 : 1).Text(3, filter.path);
    q.Text(4, lo).Text(5, hi).Int(6, static_cast<int64_t>(filter.limit));
    while (q.Next(&st)) {
      ChangeRecord record;
      record.id = q.ColInt(0);
      record.time_ns = q.ColInt(1);
      record.info.command.assign(q.ColText(2));
      record.info.session_id.assign(q.ColText(3));
      record.info.cwd.assign(q.ColText(4));
      record.info.origin.assign(q.ColText(5));
      record.undoes = q.ColInt(6);
      record.undone_by = q.ColInt(7);
      out->push_back(std::move(record));
    }
    if (!st.ok()) return st;
  }
  for (ChangeRecord& record : *out) {
    Query q = Use(Q::kHistoryOfChange);
    q.Int(1, record.id);
    while (q.Next(&st)) record.paths.emplace_back(q.ColText(0));
    if (!st.ok()) return st;
  }
  return txn.Commit();
}

Status SqliteStore::CurrentVersion(std::string_view path, Version* out) {
  *out = Version();
  Stat stat;
  Status st = GetStat(path, &stat);
  if (st.IsNotFound() || st.code() == Code::kNotADirectory) return Status::Ok();
  if (!st.ok()) return st;
  out->exists = true;
  out->kind = stat.kind;
  out->mode = stat.mode;
  out->mtime_ns = stat.mtime_ns;
  if (stat.kind == NodeKind::kFile) return ReadFile(path, &out->bytes);
  return Status::Ok();
}

Status SqliteStore::ReadVersion(std::string_view path, int64_t change_id, Version* out) {
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  if (change_id < 0 || schema_version_ < 4) return CurrentVersion(path, out);
  int64_t next_change = 0;
  int64_t prior_size = -1;
  {
    Query q = Use(Q::kHistoryNext);
    q.Text(1, path).Int(2, change_id);
    if (!q.Next(&st)) return st.ok() ? CurrentVersion(path, out) : st;
    next_change = q.ColInt(0);
    *out = VersionFromRow(q, 1);
    if (!q.IsNull(4)) prior_size = q.ColInt(4);
  }
  if (prior_size < 0) return Status::Ok();
  // Only its size was kept: the bytes are the prefix of the next state's.
  Version next;
  st = ReadVersion(path, next_change, &next);
  if (!st.ok()) return st;
  out->bytes = std::move(next.bytes);
  out->bytes.resize(std::min<uint64_t>(static_cast<uint64_t>(prior_size), out->bytes.size()));
  return Status::Ok();
}

Status SqliteStore::ApplyVersionLocked(std::string_view path, const Version& version) {
  Node node;
  Status st = Lookup(path, &node);
  if (!st.ok()) return st;
  if (!version.exists) {
    if (node.kind == Kind::kMissing || node.kind == Kind::kVirtual) return Status::Ok();
    st = RecordSubtreeLocked(path);
    return st.ok() ? DeleteNode(path, node.kind) : st;
  }
  st = RecordLocked(path, false);
  if (!st.ok()) return st;
  if (version.kind == NodeKind::kDirectory) {
    return PutDirectoryLocked(path, version.mode, version.mtime_ns);
  }
  if (node.kind == Kind::kDir) {
    st = RecordSubtreeLocked(path);
    if (st.ok()) st = DeleteNode(path, node.kind);
    if (!st.ok()) return st;
  }
  return PutFileLocked(path, version.bytes, version.mode, version.mtime_ns);
}

Status SqliteStore::ApplyVersionsLocked(std::vector<std::pair<std::string, Version>>& versions) {
  // Removals deepest first (byte order puts "a/b" after "a"), then
  // directories parents first, then files.
  std::sort(versions.begin(), versions.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Status st;
  for (auto it = versions.rbegin(); st.ok() && it != versions.rend(); ++it) {
    if (!it->second.exists) st = ApplyVersionLocked(it->first, it->second);
  }
  for (auto& [path, version] : versions) {
    if (st.ok() && version.exists && version.kind == NodeKind::kDirectory) {
      st = ApplyVersionLocked(path, version);
    }
  }
  for (auto& [path, version] : versions) {
    if (st.ok() && version.exists && version.kind == NodeKind::kFile) {
      st = ApplyVersionLocked(path, version);
    }
  }
  return st;
}

Status SqliteStore::Undo(int64_t change_id, const ChangeInfo& info, int64_t* undone_id) {
  if (undone_id != nullptr) *undone_id = 0;
  Status st = CheckWritable();
  if (!st.ok()) return st;
  if (schema_version_ < 4) return Err(Code::kNotFound, "nothing to undo");
  st = BeginChange(info);
  if (!st.ok()) return st;
  change_->info.origin = info.origin.empty() ? "undo" : info.origin;
  // The lock first: the choice of what to undo and the check for later
  // changes must hold until the undo commits.
  st = StartChangeLocked();
  if (!st.ok()) {
    change_.reset();
    return st;
  }
  auto fail = [this](Status status) {
    RollbackChange();
    return status;
  };
  if (change_id == 0) {
    Query q = Use(Q::kLatestUndoable);
    q.Int(1, change_->id);  // not the undo's own row
    if (q.Next(&st) && !q.IsNull(0)) change_id = q.ColInt(0);
    if (!st.ok()) return fail(st);
  }
  if (change_id == 0 || change_id == change_->id) {
    return fail(Err(Code::kNotFound, "nothing to undo"));
  }
  int64_t undone_by = 0;
  {
    Query q = Use(Q::kChangeRow);
    q.Int(1, change_id);
    if (!q.Next(&st)) {
      return fail(st.ok() ? Err(Code::kNotFound, "no change " + std::to_string(change_id) +
                                                     " (never made, or pruned)")
                          : st);
    }
    undone_by = q.ColInt(7);
  }
  if (undone_by != 0) {
    return fail(Err(Code::kConflict, "change " + std::to_string(change_id) +
                                         " was already undone by change " +
                                         std::to_string(undone_by)));
  }
  std::vector<int64_t> later;
  {
    Query q = Use(Q::kLaterChanges);
    q.Int(1, change_id);
    while (q.Next(&st)) {
      if (q.ColInt(0) != change_->id) later.push_back(q.ColInt(0));
    }
    if (!st.ok()) return fail(st);
  }
  if (!later.empty()) {
    std::string ids;
    for (int64_t id : later) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
    return fail(Err(Code::kConflict, "later changes (" + ids + ") wrote the same paths as change " +
                                         std::to_string(change_id) + ": undo them first"));
  }
  std::vector<std::pair<std::string, Version>> versions;
  {
    Query q = Use(Q::kHistoryOfChange);
    q.Int(1, change_id);
    while (q.Next(&st)) versions.emplace_back(std::string(q.ColText(0)), VersionFromRow(q, 1));
    if (!st.ok()) return fail(st);
  }
  for (auto& [path, version] : versions) {
    // Size-only rows: the bytes are a prefix of what the path holds now
    // (nothing later wrote it).
    Query q = Use(Q::kHistoryRow);
    q.Int(1, change_id).Text(2, path);
    if (!q.Next(&st)) return fail(st.ok() ? Err(Code::kCorruption, "history row vanished") : st);
    if (q.IsNull(3)) continue;
    const uint64_t prior_size = static_cast<uint64_t>(q.ColInt(3));
    std::string now;
    st = ReadFile(path, &now);
    if (!st.ok()) return fail(st);
    now.resize(std::min<uint64_t>(prior_size, now.size()));
    version.bytes = std::move(now);
  }
  change_->undoes = change_id;
  {
    // The undo's row was inserted (with the lock) before its target was known.
    Query q = Use(Q::kSetUndoes);
    q.Int(1, change_->id).Int(2, change_id);
    st = q.Run();
    if (!st.ok()) return fail(st);
  }
  st = ApplyVersionsLocked(versions);
  if (!st.ok()) return fail(st);
  st = CommitChange(nullptr);
  if (st.ok() && undone_id != nullptr) *undone_id = change_id;
  return st;
}

Status SqliteStore::Restore(std::string_view path, int64_t change_id, const ChangeInfo& info) {
  Status st = CheckPath(path);
  if (st.ok()) st = CheckWritable();
  if (!st.ok()) return st;
  if (schema_version_ < 4) return Err(Code::kNotFound, "no history");
  st = BeginChange(info);
  if (!st.ok()) return st;
  if (change_->info.origin.empty()) change_->info.origin = "restore";
  st = StartChangeLocked();
  if (!st.ok()) {
    change_.reset();
    return st;
  }
  auto fail = [this](Status status) {
    RollbackChange();
    return status;
  };
  // Everything the path held then or holds now: its history and its nodes.
  std::set<std::string> paths;
  paths.emplace(path);
  const auto [lo, hi] = SubtreeRange(path);
  {
    Query q = Use(Q::kHistoryPathsBelow);
    q.Text(1, path.empty() ? std::string_view() : std::string_view(lo));
    q.Text(2, path.empty() ? std::string_view("\xff") : std::string_view(hi));
    while (q.Next(&st)) paths.emplace(q.ColText(0));
    if (!st.ok()) return fail(st);
  }
  Node node;
  st = LookupKind(path, &node);
  if (!st.ok()) return fail(st);
  if (node.kind == Kind::kDir) {
    st = Walk(path, [&paths](const std::string& p, const Stat&) {
      paths.insert(p);
      return true;
    });
    if (!st.ok()) return fail(st);
  }
  std::vector<std::pair<std::string, Version>> versions;
  bool any = false;
  for (const std::string& p : paths) {
    Version version;
    st = ReadVersion(p, change_id, &version);
    if (!st.ok()) return fail(st);
    any |= version.exists;
    versions.emplace_back(p, std::move(version));
  }
  if (!any) {
    return fail(Err(Code::kNotFound,
                    Quoted(path) + " did not exist after change " + std::to_string(change_id)));
  }
  // A file's ancestors must be directories again.
  st = RecordMissingParentsLocked(path);
  if (st.ok()) st = EnsureDirs(ParentOf(path), internal::NowNs());
  if (st.ok()) st = ApplyVersionsLocked(versions);
  if (!st.ok()) return fail(st);
  return CommitChange(nullptr);
}

// ---- bulk ----------------------------------------------------------------

// Outside a change: its own transaction, nothing recorded. Inside one: the
// change's transaction (started here when the change had written nothing
// yet), each path's prior state recorded as the public writes do.
class SqliteBulkWriter final : public internal::BulkWriter {
 public:
  enum class Mode {
    kTransaction,   // its own transaction
    kStartsChange,  // the change's transaction, begun by BeginBulk
    kJoinsChange,   // inside the change's earlier writes: a savepoint
  };
  SqliteBulkWriter(SqliteStore* store, Mode mode) : store_(store), mode_(mode) {
    // A savepoint rolled back drops history rows: the paths they recorded
    // must be recorded again by a later write.
    if (mode_ == Mode::kJoinsChange) recorded_before_ = store_->change_->recorded;
  }
  SqliteBulkWriter(const SqliteBulkWriter&) = delete;
  SqliteBulkWriter& operator=(const SqliteBulkWriter&) = delete;
  ~SqliteBulkWriter() override {
    if (open_) Abandon();
  }

  Status PutDirectory(std::string_view path, uint32_t mode, int64_t mtime_ns) override {
    Status st = Check(path);
    if (st.ok() && !path.empty()) st = store_->RecordMissingParentsLocked(path);
    if (st.ok()) st = store_->RecordLocked(path, false);
    if (st.ok()) st = store_->PutDirectoryLocked(path, mode, mtime_ns);
    return st;
  }
  Status PutFile(std::string_view path, std::string_view bytes, uint32_t mode,
                 int64_t mtime_ns) override {
    Status st = Check(path);
    if (st.ok()) st = store_->RecordMissingParentsLocked(path);
    if (!st.ok()) return st;
    SqliteStore::Node node;
    st = store_->LookupKind(path, &node);
    if (!st.ok()) return st;
    if (node.kind == SqliteStore::Kind::kDir) {
      // A directory that became a file: everything below it goes.
      st = store_->RecordSubtreeLocked(path);
      if (st.ok()) st = store_->DeleteNode(path, node.kind);
    } else {
      st = store_->RecordLocked(path, false);
    }
    if (st.ok()) st = store_->PutFileLocked(path, bytes, mode, mtime_ns);
    return st;
  }
  Status Remove(std::string_view path) override {
    Status st = Check(path);
    if (!st.ok()) return st;
    if (path.empty()) return Err(Code::kInvalidArgument, "cannot remove the root directory");
    SqliteStore::Node node;
    st = store_->Lookup(path, &node);
    if (!st.ok()) return st;
    if (node.kind == SqliteStore::Kind::kMissing) return store_->Missing(path);
    if (node.kind == SqliteStore::Kind::kVirtual) {
      return Err(Code::kInvalidArgument, Quoted(path) + " is generated and cannot be removed");
    }
    st = store_->RecordSubtreeLocked(path);
    if (st.ok()) st = store_->DeleteNode(path, node.kind);
    return st;
  }
  Status Commit() override {
    if (!open_) return Err(Code::kInvalidArgument, "bulk load already finished");
    Status st;
    switch (mode_) {
      case Mode::kTransaction:
        st = store_->IndexQueuedLocked();
        if (st.ok()) st = store_->Exec(Q::kCommit);
        break;
      case Mode::kStartsChange:
        // Nothing recorded is nothing written: give the lock back and leave
        // the change unstarted, so that it records no empty change.
        if (store_->change_->recorded.empty()) Abandon();
        break;
      case Mode::kJoinsChange:
        st = store_->ExecScript("RELEASE memhook_bulk", "bulk load");
        break;
    }
    if (st.ok()) open_ = false;
    return st;
  }

 private:
  Status Check(std::string_view path) const {
    if (!open_) return Err(Code::kInvalidArgument, "bulk load already finished");
    if (!IsValidPath(path)) return Err(Code::kInvalidArgument, "invalid path " + Quoted(path));
    return Status::Ok();
  }
  // Undoes every write of this writer.
  void Abandon() {
    open_ = false;
    switch (mode_) {
      case Mode::kTransaction:
        (void)store_->Exec(Q::kRollback);
        break;
      case Mode::kStartsChange:
        (void)store_->Exec(Q::kRollback);
        if (store_->change_ != nullptr) {
          store_->change_->id = 0;
          store_->change_->recorded.clear();
        }
        break;
      case Mode::kJoinsChange:
        (void)store_->ExecScript("ROLLBACK TO memhook_bulk; RELEASE memhook_bulk", "bulk load");
        if (store_->change_ != nullptr) store_->change_->recorded = std::move(recorded_before_);
        break;
    }
  }

  SqliteStore* store_;
  Mode mode_;
  bool open_ = true;
  std::map<std::string, bool, std::less<>> recorded_before_;
};

Status SqliteStore::BeginBulk(std::unique_ptr<internal::BulkWriter>* out) {
  Status st = CheckWritable();
  if (!st.ok()) return st;
  if (change_ != nullptr) {
    if (change_->id == 0) {
      st = StartChangeLocked();
      if (st.ok())
        *out = std::make_unique<SqliteBulkWriter>(this, SqliteBulkWriter::Mode::kStartsChange);
      return st;
    }
    st = ExecScript("SAVEPOINT memhook_bulk", "bulk load");
    if (st.ok())
      *out = std::make_unique<SqliteBulkWriter>(this, SqliteBulkWriter::Mode::kJoinsChange);
    return st;
  }
  if (sqlite3_get_autocommit(db_.get()) == 0) {
    return Err(Code::kInvalidArgument, "a transaction is already open");
  }
  st = BeginWriteTransaction();
  if (st.ok())
    *out = std::make_unique<SqliteBulkWriter>(this, SqliteBulkWriter::Mode::kTransaction);
  return st;
}

}  // namespace memhook::vfs::internal
