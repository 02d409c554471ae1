// SQLite-backed Store.
//
// Schema (v2), one namespace over three node tables:
//   dirs(path, parent, name, mode, mtime_ns)          directories; the root
//       row (path '', parent NULL) exists only once its mode/mtime were set
//   memory(id, path, parent, name, mode, mtime_ns, size, line_count, title,
//          searchable, content)                       files stored as a blob
//   session_files(path, parent, name, mode, mtime_ns, size, line_count,
//                 final_newline, title)               session logs, whose
//   sessions(id, path, line_no, text)                 lines are rows here
// A file is stored as lines only when joining its rows with '\n' (plus the
// final-newline flag) is guaranteed to give its bytes back and the rows are
// clean text: a `sessions/**/*.jsonl` path, valid UTF-8, no NUL, no '\r'.
// Everything else is a blob in `memory`, so every byte string round-trips.
//
// Every table holding entries has a unique (parent, name) index, so a
// directory listing is an index range; `path` is unique, so a lookup is one
// search and a subtree is the range ('p/', 'p0').
//
// Content index (v2): two external-content FTS5 tables with the trigram
// tokenizer, memory_fts over the searchable blobs (through the view
// memory_text) and sessions_fts over every session line, so the text is
// stored once. Triggers on memory and sessions keep them in step inside the
// writing transaction: a deleted row leaves the index at once, a new one is
// queued (fts_queue_*) and the queue indexed in one statement just before
// the COMMIT (see the v2 migration for why). A blob is `searchable` when it
// is valid UTF-8 without NUL: the tokenizer stops at NUL and decodes invalid
// UTF-8 so that a valid needle next to invalid bytes may not match; such
// files are left out of the index and always returned as candidates (the
// partial index memory_unsearchable lists them). `id` is an explicit INTEGER PRIMARY KEY
// because the FTS tables point at rows by rowid, which VACUUM or a dump and
// reload may renumber unless it is a declared column.
//
// Writes leave the parent directory's mtime alone (unlike a kernel): a
// directory keeps the time it was imported or made with, so an import can
// restore it and an export reproduces it.
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <limits>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include "vfs/sqlite_internal.h"
#include "vfs/store_internal.h"
#include "vfs/vfs.h"

// The content index needs FTS5's trigram tokenizer (SQLite 3.34).
static_assert(SQLITE_VERSION_NUMBER >= 3034000, "memhook needs SQLite 3.34 or newer");

namespace memhook::vfs {
namespace internal {

constexpr uint64_t kDirSize = 4096;
constexpr size_t kIndexRows = 50;
constexpr int64_t kMaxCandidateShare = 5;     // see IsSelective
constexpr int64_t kSelectivityWindow = 1024;  // rows per table IsSelective samples
constexpr uint64_t kFirstPrefixLines = 1;     // see ReadOptions::offer_prefixes
constexpr size_t kMaxMergedRuns = 64;         // Walk: more sorted runs than this, sort
// Parallel ReadFiles (StoreOptions::parallel_reads): from kParallelMinFiles
// paths on, in blocks of kParallelBlock paths, which both threads take in
// order, the visitor's thread when the next one to visit is still free or
// while it waits for the helper. Neither reads more than
// kMaxReadAheadBlocks beyond the block being visited.
constexpr size_t kParallelMinFiles = 512;
constexpr size_t kParallelBlock = 64;
constexpr size_t kMaxReadAheadBlocks = 4;
// A block read ahead stops taking files once it holds this many bytes;
// the visitor's thread reads the rest in turn. With the block limit, this
// bounds what reading ahead holds (large session logs would otherwise
// multiply it by the block size).
constexpr size_t kMaxReadAheadBlockBytes = size_t{4} << 20;
constexpr size_t kMaxTitleBytes = 200;
constexpr size_t kMaxTracedSql = 512;
constexpr int32_t kApplicationId = 0x6d656d68;  // "memh"

// Migration i brings the schema from version i to i + 1. Append only.
constexpr std::array<const char*, 6> kMigrations = {
    R"sql(
CREATE TABLE dirs(
  path TEXT PRIMARY KEY NOT NULL,
  parent TEXT,
  name TEXT NOT NULL,
  mode INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX dirs_by_parent ON dirs(parent, name);

CREATE TABLE memory(
  path TEXT PRIMARY KEY NOT NULL,
  parent TEXT NOT NULL,
  name TEXT NOT NULL,
  mode INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  size INTEGER NOT NULL,
  line_count INTEGER NOT NULL,
  title TEXT NOT NULL,
  content BLOB NOT NULL
);
CREATE UNIQUE INDEX memory_by_parent ON memory(parent, name);
CREATE INDEX memory_by_mtime ON memory(mtime_ns DESC, path);

CREATE TABLE session_files(
  path TEXT PRIMARY KEY NOT NULL,
  parent TEXT NOT NULL,
  name TEXT NOT NULL,
  mode INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  size INTEGER NOT NULL,
  line_count INTEGER NOT NULL,
  final_newline INTEGER NOT NULL,
  title TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX session_files_by_parent ON session_files(parent, name);
CREATE INDEX session_files_by_mtime ON session_files(mtime_ns DESC, path);

CREATE TABLE sessions(
  path TEXT NOT NULL,
  line_no INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY(path, line_no)
);
)sql",
    // v2: the content index. memory and sessions are rebuilt with an explicit
    // `id` (keeping their rowids) and memory gains `searchable`;
    // memhook_searchable() is registered by Open() for this script only.
    R"sql(
DROP INDEX memory_by_parent;
DROP INDEX memory_by_mtime;
ALTER TABLE memory RENAME TO memory_v1;
CREATE TABLE memory(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  parent TEXT NOT NULL,
  name TEXT NOT NULL,
  mode INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  size INTEGER NOT NULL,
  line_count INTEGER NOT NULL,
  title TEXT NOT NULL,
  searchable INTEGER NOT NULL,
  content BLOB NOT NULL
);
INSERT INTO memory(id, path, parent, name, mode, mtime_ns, size, line_count, title, searchable,
                   content)
  SELECT rowid, path, parent, name, mode, mtime_ns, size, line_count, title,
         memhook_searchable(content), content FROM memory_v1;
DROP TABLE memory_v1;
CREATE UNIQUE INDEX memory_by_parent ON memory(parent, name);
CREATE INDEX memory_by_mtime ON memory(mtime_ns DESC, path);
CREATE INDEX memory_unsearchable ON memory(path) WHERE NOT searchable;

ALTER TABLE sessions RENAME TO sessions_v1;
CREATE TABLE sessions(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  line_no INTEGER NOT NULL,
  text TEXT NOT NULL,
  UNIQUE(path, line_no)
);
INSERT INTO sessions(id, path, line_no, text) SELECT rowid, path, line_no, text FROM sessions_v1;
DROP TABLE sessions_v1;

CREATE VIEW memory_text(id, content) AS SELECT id, content FROM memory WHERE searchable;
CREATE VIRTUAL TABLE memory_fts USING fts5(
  content, content='memory_text', content_rowid='id', tokenize='trigram', detail='none');
CREATE VIRTUAL TABLE sessions_fts USING fts5(
  text, content='sessions', content_rowid='id', tokenize='trigram', detail='none');

-- Rows written but not yet in the index: the store indexes them in one
-- statement just before its COMMIT (see kFtsIndexMemory), because FTS5
-- writes its pending terms out as a new segment at every statement
-- savepoint, and per-row index writes from the triggers made a bulk import
-- five times slower. Deletions go to the index at once: they need the old
-- text, which is gone by then. FindCandidates returns queued rows too.
CREATE TABLE fts_queue_memory(id INTEGER PRIMARY KEY);
CREATE TABLE fts_queue_sessions(id INTEGER PRIMARY KEY);

CREATE TRIGGER memory_fts_insert AFTER INSERT ON memory WHEN new.searchable BEGIN
  INSERT OR IGNORE INTO fts_queue_memory(id) VALUES(new.id);
END;
CREATE TRIGGER memory_fts_delete AFTER DELETE ON memory WHEN old.searchable BEGIN
  INSERT INTO memory_fts(memory_fts, rowid, content)
    SELECT 'delete', old.id, old.content
    WHERE NOT EXISTS (SELECT 1 FROM fts_queue_memory WHERE id = old.id);
  DELETE FROM fts_queue_memory WHERE id = old.id;
END;
CREATE TRIGGER memory_fts_update AFTER UPDATE OF id, content, searchable ON memory BEGIN
  INSERT INTO memory_fts(memory_fts, rowid, content)
    SELECT 'delete', old.id, old.content
    WHERE old.searchable AND NOT EXISTS (SELECT 1 FROM fts_queue_memory WHERE id = old.id);
  DELETE FROM fts_queue_memory WHERE id = old.id;
  INSERT OR IGNORE INTO fts_queue_memory(id) SELECT new.id WHERE new.searchable;
END;
CREATE TRIGGER sessions_fts_insert AFTER INSERT ON sessions BEGIN
  INSERT OR IGNORE INTO fts_queue_sessions(id) VALUES(new.id);
END;
CREATE TRIGGER sessions_fts_delete AFTER DELETE ON sessions BEGIN
  INSERT INTO sessions_fts(sessions_fts, rowid, text)
    SELECT 'delete', old.id, old.text
    WHERE NOT EXISTS (SELECT 1 FROM fts_queue_sessions WHERE id = old.id);
  DELETE FROM fts_queue_sessions WHERE id = old.id;
END;
CREATE TRIGGER sessions_fts_update AFTER UPDATE OF id, text ON sessions BEGIN
  INSERT INTO sessions_fts(sessions_fts, rowid, text)
    SELECT 'delete', old.id, old.text
    WHERE NOT EXISTS (SELECT 1 FROM fts_queue_sessions WHERE id = old.id);
  DELETE FROM fts_queue_sessions WHERE id = old.id;
  INSERT OR IGNORE INTO fts_queue_sessions(id) VALUES(new.id);
END;

INSERT INTO memory_fts(memory_fts) VALUES('rebuild');
INSERT INTO sessions_fts(sessions_fts) VALUES('rebuild');
)sql",
    // v3: a counter every committed change to the tree moves, whoever
    // writes (these are triggers, so the sqlite3 shell counts too). Two
    // connections that read the same value see the same tree: a
    // read-only store checks it before it lets a second connection read
    // for it (StoreOptions::parallel_reads).
    R"sql(
CREATE TABLE generation(id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO generation(id, n) VALUES(1, 0);
CREATE TRIGGER dirs_generation_insert AFTER INSERT ON dirs BEGIN
  UPDATE generation SET n = n + 1;
END;
CREATE TRIGGER dirs_generation_update AFTER UPDATE ON dirs BEGIN
  UPDATE generation SET n = n + 1;
END;
CREATE TRIGGER dirs_generation_delete AFTER DELETE ON dirs BEGIN
  UPDATE generation SET n = n + 1;
END;
CREATE TRIGGER memory_generation_insert AFTER INSERT ON memory BEGIN
  UPDATE generation SET n = n + 1;
END;
CREATE TRIGGER memory_generation_update AFTER UPDATE ON memory BEGIN
  UPDATE generation SET n = n + 1;
END;
CREATE TRIGGER memory_generation_delete AFTER DELETE ON memory BEGIN
  UPDATE generation SET n = n + 1;
END;
CREATE TRIGGER session_files_generation_insert AFTER INSERT ON session_files BEGIN
  UPDATE generation SET n = n + 1;
END;
CREATE TRIGGER session_files_generation_update AFTER UPDATE ON session_files BEGIN
  UPDATE generation SET n = n + 1;
END;
CREATE TRIGGER session_files_generation_delete AFTER DELETE ON session_files BEGIN
  UPDATE generation SET n = n + 1;
END;
CREATE TRIGGER sessions_generation_insert AFTER INSERT ON sessions BEGIN
  UPDATE generation SET n = n + 1;
END;
CREATE TRIGGER sessions_generation_update AFTER UPDATE ON sessions BEGIN
  UPDATE generation SET n = n + 1;
END;
CREATE TRIGGER sessions_generation_delete AFTER DELETE ON sessions BEGIN
  UPDATE generation SET n = n + 1;
END;
)sql",
    // v4: history. A change is one command line's (or tool call's) writes;
    // history keeps, per path it wrote, the state before it: absent (0), a
    // file (1) or a directory (2), with mode, mtime and bytes. A file that
    // was only appended to (or only had its attributes changed) keeps
    // prior_size instead of its bytes: it was the first prior_size bytes of
    // its next state, so an append to a large session log costs O(appended).
    R"sql(
CREATE TABLE changes(
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  command TEXT NOT NULL,
  session_id TEXT NOT NULL,
  cwd TEXT NOT NULL,
  origin TEXT NOT NULL,
  undoes INTEGER NOT NULL DEFAULT 0,
  undone_by INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX changes_by_session ON changes(session_id, id);
CREATE TABLE history(
  change_id INTEGER NOT NULL,
  path TEXT NOT NULL,
  state INTEGER NOT NULL,
  mode INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  prior_size INTEGER,
  content BLOB,
  PRIMARY KEY(change_id, path)
);
CREATE INDEX history_by_path ON history(path, change_id);
)sql",
    // v5: named values outside the tree (capture offsets), and the log of
    // hook calls that touched the mount (memhook stats).
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE hook_calls(
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  event TEXT NOT NULL,
  route TEXT NOT NULL,
  kind TEXT NOT NULL,
  latency_us INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  status INTEGER NOT NULL,
  error TEXT NOT NULL
);
CREATE INDEX hook_calls_by_time ON hook_calls(time_ns);
)sql",
    // v6: the metadata of memory files in covering indexes. A memory row
    // holds its content, so a walk (find, ls -R) or a listing (ls -l) that
    // read the table touched every file's leaf page; these read compact
    // index pages only.
    R"sql(
CREATE INDEX IF NOT EXISTS memory_meta_by_path ON memory(path, mode, mtime_ns, size, line_count);
CREATE INDEX IF NOT EXISTS memory_meta_by_parent ON memory(parent, name, mode, mtime_ns, size, line_count);
)sql",
};

// A read-only store (which never migrates) still reads a store this old;
// what later versions add (v3: parallel reads) is then not used.
constexpr int kOldestReadableVersion = 2;

const char* SqlText(Q q) {
  switch (q) {
    case Q::kBeginRead:
      return "BEGIN";
    case Q::kBeginWrite:
      return "BEGIN IMMEDIATE";
    case Q::kCommit:
      return "COMMIT";
    case Q::kRollback:
      return "ROLLBACK";
    case Q::kLookup:
      // kind: 0 memory, 1 session, 2 dir; extra: final_newline / subdirs.
      return "SELECT 0, mode, mtime_ns, size, line_count, 0 FROM memory WHERE path = ?1 "
             "UNION ALL SELECT 1, mode, mtime_ns, size, line_count, final_newline "
             "FROM session_files WHERE path = ?1 "
             "UNION ALL SELECT 2, mode, mtime_ns, 0, 0, "
             "(SELECT count(*) FROM dirs AS c WHERE c.parent = ?1) FROM dirs WHERE path = ?1";
    case Q::kLookupKind:
      return "SELECT 0, size, 0 FROM memory WHERE path = ?1 "
             "UNION ALL SELECT 1, size, final_newline FROM session_files WHERE path = ?1 "
             "UNION ALL SELECT 2, 0, 0 FROM dirs WHERE path = ?1";
    case Q::kMemoryContent:
      return "SELECT content FROM memory WHERE path = ?1";
    case Q::kMemoryIdSize:
      return "SELECT id, size FROM memory WHERE path = ?1";
    // The content only when small: a large blob is read with blob I/O,
    // straight into the caller's buffer (SQLite would assemble it first).
    case Q::kMemoryContentSmall:
      return "SELECT id, size, CASE WHEN size <= ?2 THEN content END FROM memory WHERE path = ?1";
    case Q::kSessionLines:
      return "SELECT line_no, text FROM sessions WHERE path = ?1 AND line_no >= ?2 "
             "AND line_no <= ?3 ORDER BY line_no";
    case Q::kRootInfo:
      return "SELECT (SELECT mode FROM dirs WHERE path = ''), "
             "(SELECT mtime_ns FROM dirs WHERE path = ''), "
             "(SELECT count(*) FROM dirs WHERE parent = ''), "
             "(SELECT max(mtime_ns) FROM dirs WHERE parent = ''), "
             "(SELECT max(mtime_ns) FROM memory WHERE parent = ''), "
             "(SELECT max(mtime_ns) FROM session_files WHERE parent = '')";
    case Q::kListDir:
      // Each arm is read in name order from its (parent, name) index and
      // the arms are merged, so no sort step.
      return "SELECT name, 2, mode, mtime_ns, 0, 0, "
             "(SELECT count(*) FROM dirs AS c WHERE c.parent = d.path) "
             "FROM dirs AS d WHERE parent = ?1 "
             "UNION ALL SELECT name, 0, mode, mtime_ns, size, line_count, 0 "
             "FROM memory WHERE parent = ?1 "
             "UNION ALL SELECT name, 1, mode, mtime_ns, size, line_count, final_newline "
             "FROM session_files WHERE parent = ?1 "
             "ORDER BY 1";
    case Q::kIndexRows:
      return "SELECT path, mtime_ns, title FROM "
             "(SELECT path, mtime_ns, title FROM memory ORDER BY mtime_ns DESC, path LIMIT 50) "
             "UNION ALL SELECT path, mtime_ns, title FROM "
             "(SELECT path, mtime_ns, title FROM session_files "
             "ORDER BY mtime_ns DESC, path LIMIT 50) "
             "ORDER BY 2 DESC, 1 LIMIT 50";
    case Q::kWalkDirs:
      return "SELECT path, mode, mtime_ns FROM dirs WHERE path > ?1 AND path < ?2";
    case Q::kWalkMemory:
      return "SELECT path, mode, mtime_ns, size, line_count FROM memory "
             "WHERE path > ?1 AND path < ?2";
    case Q::kWalkSessions:
      return "SELECT path, mode, mtime_ns, size, line_count FROM session_files "
             "WHERE path > ?1 AND path < ?2";
    case Q::kWalkAllDirs:
      return "SELECT path, mode, mtime_ns FROM dirs WHERE path > ''";
    case Q::kWalkAllMemory:
      return "SELECT path, mode, mtime_ns, size, line_count FROM memory";
    case Q::kWalkAllSessions:
      return "SELECT path, mode, mtime_ns, size, line_count FROM session_files";
    case Q::kPutDir:
      return "INSERT INTO dirs(path, parent, name, mode, mtime_ns) VALUES(?1, ?2, ?3, ?4, ?5) "
             "ON CONFLICT(path) DO UPDATE SET mode = excluded.mode, mtime_ns = excluded.mtime_ns";
    case Q::kInsertMemory:
      return "INSERT INTO memory(path, parent, name, mode, mtime_ns, size, line_count, title, "
             "content, searchable) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    case Q::kInsertSessionFile:
      return "INSERT INTO session_files(path, parent, name, mode, mtime_ns, size, line_count, "
             "final_newline, title) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    case Q::kInsertSessionLine:
      return "INSERT INTO sessions(path, line_no, text) VALUES(?1, ?2, ?3)";
    case Q::kInsertSessionLines16:
      // Logs have thousands of lines: one statement per 16 saves most of
      // the per-statement cost of a bulk load.
      return "INSERT INTO sessions(path, line_no, text) VALUES"
             "(?1, ?2, ?3), (?1, ?4, ?5), (?1, ?6, ?7), (?1, ?8, ?9), "
             "(?1, ?10, ?11), (?1, ?12, ?13), (?1, ?14, ?15), (?1, ?16, ?17), "
             "(?1, ?18, ?19), (?1, ?20, ?21), (?1, ?22, ?23), (?1, ?24, ?25), "
             "(?1, ?26, ?27), (?1, ?28, ?29), (?1, ?30, ?31), (?1, ?32, ?33)";
    case Q::kTouchMemory:
      return "UPDATE memory SET mode = ?2, mtime_ns = ?3 WHERE path = ?1";
    case Q::kUpdateSessionFile:
      return "UPDATE session_files SET mode = ?2, mtime_ns = ?3, size = ?4, line_count = ?5, "
             "final_newline = ?6, title = ?7 WHERE path = ?1";
    case Q::kDeleteSessionLinesFrom:
      return "DELETE FROM sessions WHERE path = ?1 AND line_no >= ?2";
    case Q::kDeleteMemory:
      return "DELETE FROM memory WHERE path = ?1";
    case Q::kDeleteSessionFile:
      return "DELETE FROM session_files WHERE path = ?1";
    case Q::kDeleteSessionLines:
      return "DELETE FROM sessions WHERE path = ?1";
    case Q::kDeleteDir:
      return "DELETE FROM dirs WHERE path = ?1";
    case Q::kDeleteDirsBelow:
      return "DELETE FROM dirs WHERE path > ?1 AND path < ?2";
    case Q::kDeleteMemoryBelow:
      return "DELETE FROM memory WHERE path > ?1 AND path < ?2";
    case Q::kDeleteSessionFilesBelow:
      return "DELETE FROM session_files WHERE path > ?1 AND path < ?2";
    case Q::kDeleteSessionLinesBelow:
      return "DELETE FROM sessions WHERE path > ?1 AND path < ?2";
    // The rows the triggers queued, into the index in one statement each.
    case Q::kFtsIndexMemory:
      return "INSERT INTO memory_fts(rowid, content) SELECT m.id, m.content "
             "FROM fts_queue_memory AS q CROSS JOIN memory AS m ON m.id = q.id WHERE m.searchable";
    case Q::kFtsIndexSessions:
      return "INSERT INTO sessions_fts(rowid, text) SELECT s.id, s.text "
             "FROM fts_queue_sessions AS q CROSS JOIN sessions AS s ON s.id = q.id";
    case Q::kFtsClearMemoryQueue:
      return "DELETE FROM fts_queue_memory";
    case Q::kFtsClearSessionsQueue:
      return "DELETE FROM fts_queue_sessions";
    case Q::kFtsQueued:
      return "SELECT m.path FROM fts_queue_memory AS q CROSS JOIN memory AS m ON m.id = q.id "
             "UNION ALL SELECT s.path FROM fts_queue_sessions AS q "
             "CROSS JOIN sessions AS s ON s.id = q.id";
    // Content search: ?1 an FTS5 expression, then the subtree (?2, ?3) unless
    // ?4 (everything). CROSS JOIN keeps the index as the outer loop: the
    // other order would run the whole MATCH once per row of the subtree.
    case Q::kFtsMemory:
      return "SELECT m.path FROM memory_fts CROSS JOIN memory AS m ON m.id = memory_fts.rowid "
             "WHERE memory_fts MATCH ?1 AND (?4 OR (m.path > ?2 AND m.path < ?3))";
    case Q::kFtsMemoryRanked:
      return "SELECT m.path, bm25(memory_fts) FROM memory_fts CROSS JOIN memory AS m "
             "ON m.id = memory_fts.rowid "
             "WHERE memory_fts MATCH ?1 AND (?4 OR (m.path > ?2 AND m.path < ?3))";
    case Q::kFtsSessions:
      return "SELECT s.path FROM sessions_fts CROSS JOIN sessions AS s "
             "ON s.id = sessions_fts.rowid "
             "WHERE sessions_fts MATCH ?1 AND (?4 OR (s.path > ?2 AND s.path < ?3))";
    case Q::kFtsSessionsRanked:
      return "SELECT s.path, bm25(sessions_fts) FROM sessions_fts CROSS JOIN sessions AS s "
             "ON s.id = sessions_fts.rowid "
             "WHERE sessions_fts MATCH ?1 AND (?4 OR (s.path > ?2 AND s.path < ?3))";
    case Q::kUnsearchableAll:
      return "SELECT path FROM memory WHERE NOT searchable";
    case Q::kUnsearchableBelow:
      return "SELECT path FROM memory WHERE NOT searchable AND path > ?1 AND path < ?2";
    // How many rows with a rowid up to ?2 an FTS5 expression (?1) matches:
    // FTS5 reads its doclists in rowid order and stops past the bound, so
    // the cost is that of the window.
    case Q::kFtsMemoryHits:
      return "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH ?1 AND rowid <= ?2";
    case Q::kFtsSessionsHits:
      return "SELECT count(*) FROM sessions_fts WHERE sessions_fts MATCH ?1 AND rowid <= ?2";
    case Q::kRowEstimate:
      return "SELECT (SELECT ifnull(max(id), 0) FROM memory), "
             "(SELECT ifnull(max(id), 0) FROM sessions)";
    // ReadFiles' cursors: files from path ?1 on, in path order. A session
    // file is its lines in order (one NULL-text row when it has none).
    case Q::kStreamMemory:
      return "SELECT path, searchable, content FROM memory WHERE path >= ?1 ORDER BY path";
    case Q::kStreamSessions:
      return "SELECT f.path, f.final_newline, s.text FROM session_files AS f "
             "LEFT JOIN sessions AS s ON s.path = f.path WHERE f.path >= ?1 "
             "ORDER BY f.path, s.line_no";
    // The same lines without session_files, for reading prefixes: a file
    // left early then costs one index search less. Files with no lines
    // are not there (kStreamSessions has them); kFinalNewline completes a
    // file read to its end.
    case Q::kStreamSessionLines:
      return "SELECT path, text FROM sessions WHERE path >= ?1 ORDER BY path, line_no";
    case Q::kFinalNewline:
      return "SELECT final_newline FROM session_files WHERE path = ?1";
    // The change counter (v3), for the parallel reader's snapshot check.
    case Q::kGeneration:
      return "SELECT n FROM generation";
    // ListFiles: file paths below the subtree (?1, ?2), from the path
    // indexes alone, in byte order.
    case Q::kListMemory:
      return "SELECT path FROM memory WHERE path > ?1 AND path < ?2 ORDER BY path";
    case Q::kListSessions:
      return "SELECT path FROM session_files WHERE path > ?1 AND path < ?2 ORDER BY path";
    case Q::kListAllMemory:
      return "SELECT path FROM memory ORDER BY path";
    case Q::kListAllSessions:
      return "SELECT path FROM session_files ORDER BY path";
    case Q::kTouchSessionFile:
      return "UPDATE session_files SET mode = ?2, mtime_ns = ?3 WHERE path = ?1";
    case Q::kAppendSessionLine:
      return "UPDATE sessions SET text = text || ?3 WHERE path = ?1 AND line_no = ?2";
    case Q::kGetMeta:
      return "SELECT value FROM meta WHERE key = ?1";
    case Q::kPutMeta:
      return "INSERT INTO meta(key, value) VALUES(?1, ?2) "
             "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    case Q::kInsertHookCall:
      return "INSERT INTO hook_calls(time_ns, event, route, kind, latency_us, bytes, status, "
             "error) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    case Q::kListHookCalls:
      return "SELECT time_ns, event, route, kind, latency_us, bytes, status, error "
             "FROM hook_calls WHERE time_ns >= ?1 ORDER BY time_ns, id";
    case Q::kInsertChange:
      return "INSERT INTO changes(time_ns, command, session_id, cwd, origin, undoes) "
             "VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
    case Q::kInsertHistory:
      return "INSERT INTO history(change_id, path, state, mode, mtime_ns, prior_size, content) "
             "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    case Q::kHistoryRow:
      return "SELECT state, mode, mtime_ns, prior_size, content FROM history "
             "WHERE change_id = ?1 AND path = ?2";
    case Q::kHistoryOfChange:
      return "SELECT path, state, mode, mtime_ns, prior_size, content FROM history "
             "WHERE change_id = ?1 ORDER BY path";
    case Q::kHistoryNext:
      return "SELECT change_id, state, mode, mtime_ns, prior_size, content FROM history "
             "WHERE path = ?1 AND change_id > ?2 ORDER BY change_id LIMIT 1";
    case Q::kSetHistoryContent:
      return "UPDATE history SET prior_size = NULL, content = ?3 WHERE change_id = ?1 AND path = "
             "?2";
    case Q::kChangeRow:
      return "SELECT id, time_ns, command, session_id, cwd, origin, undoes, undone_by "
             "FROM changes WHERE id = ?1";
    case Q::kLatestUndoable:
      return "SELECT max(id) FROM changes WHERE undone_by = 0 AND undoes = 0 AND id < ?1";
    // Later changes that touched one of change ?1's paths and still stand.
    // An undo of a later change cancels it out: neither counts.
    // A change and the undo that took it back cancel out, while that undo
    // stands; an undo that was itself undone does not (the change is back).
    case Q::kLaterChanges:
      return "SELECT DISTINCT c.id FROM history AS mine "
             "JOIN history AS later ON later.path = mine.path AND later.change_id > mine.change_id "
             "JOIN changes AS c ON c.id = later.change_id "
             "WHERE mine.change_id = ?1 "
             "AND NOT (c.undone_by != 0 AND "
             "(SELECT u.undone_by FROM changes AS u WHERE u.id = c.undone_by) = 0) "
             "AND NOT (c.undoes > ?1 AND c.undone_by = 0) ORDER BY c.id";
    case Q::kSetUndoes:
      return "UPDATE changes SET undoes = ?2 WHERE id = ?1";
    case Q::kMarkUndone:
      return "UPDATE changes SET undone_by = ?2 WHERE id = ?1";
    case Q::kChangeBytes:
      return "UPDATE changes SET bytes = "
             "(SELECT coalesce(sum(length(content)), 0) FROM history WHERE change_id = ?1) "
             "WHERE id = ?1";
    case Q::kPathVersions:
      return "SELECT count(*) FROM history WHERE path = ?1";
    case Q::kOldestChangeOf:
      return "SELECT min(change_id) FROM history WHERE path = ?1";
    case Q::kOldestChange:
      return "SELECT min(id) FROM changes";
    case Q::kTotalHistoryBytes:
      return "SELECT coalesce(sum(bytes), 0) FROM changes";
    case Q::kChangeCount:
      return "SELECT count(*) FROM changes";
    case Q::kDeleteHistoryOf:
      return "DELETE FROM history WHERE change_id = ?1";
    case Q::kDeleteChange:
      return "DELETE FROM changes WHERE id = ?1";
    // Newest first; ?1 a session or '', ?2 whether to filter by path ?3
    // (that path, or below it: (?4, ?5) is its subtree range).
    case Q::kListChanges:
      return "SELECT id, time_ns, command, session_id, cwd, origin, undoes, undone_by "
             "FROM changes AS c WHERE (?1 = '' OR session_id = ?1) AND (?2 = 0 OR EXISTS "
             "(SELECT 1 FROM history AS h WHERE h.change_id = c.id AND "
             "(h.path = ?3 OR (h.path > ?4 AND h.path < ?5)))) ORDER BY id DESC LIMIT ?6";
    case Q::kHistoryPathsBelow:
      return "SELECT DISTINCT path FROM history WHERE path > ?1 AND path < ?2";
    case Q::kCount:
      break;
  }
  return "";
}

Status DbError(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_READONLY:
      return Err(Code::kReadOnly, std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Err(Code::kCorruption, std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Err(Code::kBusy, std::move(message));
    default:
      return Err(Code::kIoError, std::move(message));
  }
}

// ---- paths and content ---------------------------------------------------

bool IsValidPath(std::string_view path) {
  if (path.empty()) return true;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const std::string_view part = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty() || part == "." || part == ".." || part.find('\0') != std::string_view::npos) {
      return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::string_view ParentOf(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view NameOf(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Walk order is pre-order with siblings in C byte order by name. That is
// plain byte order once every '/' is replaced by NUL, which no name holds
// (a parent's key is a prefix of its children's, and a separator sorts
// before any name byte): Walk and FindCandidates sort such keys.

// Whether path `a` comes before path `b` in Walk order (byte order with
// '/' below every other byte, as above), without copying either.
bool WalkBefore(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  // Eight bytes at a time to the first difference: sibling paths share
  // long prefixes.
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    uint64_t y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) {
      const uint64_t diff = x ^ y;
      i +=
          static_cast<size_t>(std::endian::native == std::endian::little ? std::countr_zero(diff)
                                                                         : std::countl_zero(diff)) /
          8;
      break;
    }
  }
  while (i < n && a[i] == b[i]) ++i;
  if (i == n) return a.size() < b.size();
  const auto x = static_cast<unsigned char>(a[i] == '/' ? 0 : a[i]);
  const auto y = static_cast<unsigned char>(b[i] == '/' ? 0 : b[i]);
  return x < y;
}

// The half-open key range (lo, hi) holding exactly the paths below `dir`:
// every such path starts with "dir/", and '0' is the byte after '/'.
std::pair<std::string, std::string> SubtreeRange(std::string_view dir) {
  std::string lo(dir);
  std::string hi(dir);
  lo += '/';
  hi += '0';
  return {std::move(lo), std::move(hi)};
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += len;
  }
  return true;
}

bool IsSessionLogPath(std::string_view path) {
  const std::string_view name = NameOf(path);
  return path.starts_with("sessions/") && name.size() > 6 && name.ends_with(".jsonl");
}

bool StoreAsLines(std::string_view path, std::string_view bytes) {
  return IsSessionLogPath(path) && bytes.find('\0') == std::string_view::npos &&
         bytes.find('\r') == std::string_view::npos && IsValidUtf8(bytes);
}

// Whether the trigram index represents `bytes` faithfully. FTS5 reads a
// value as text up to its first NUL, and decodes invalid UTF-8 greedily, so
// a valid needle next to a stray byte can tokenize differently in the file
// than in the query. Files failing this are never indexed and are always
// candidates instead.
bool Searchable(std::string_view bytes) {
  return bytes.find('\0') == std::string_view::npos && IsValidUtf8(bytes);
}

// memhook_searchable(content): Searchable() for the v2 migration's SQL.
void SearchableSqlFunction(sqlite3_context* context, int argc, sqlite3_value** argv) {
  (void)argc;
  const auto* data = static_cast<const char*>(sqlite3_value_blob(argv[0]));
  const int size = sqlite3_value_bytes(argv[0]);
  const std::string_view bytes =
      data == nullptr ? std::string_view() : std::string_view(data, size);
  sqlite3_result_int(context, Searchable(bytes) ? 1 : 0);
}

uint64_t CountNewlines(std::string_view bytes) {
  return static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
}

// Lines as GNU tools see them: split at '\n'; a last line without '\n'
// still counts; a final '\n' does not start another line.
std::vector<std::string_view> SplitLines(std::string_view bytes) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < bytes.size()) {
    const size_t nl = bytes.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(bytes.substr(start));
      break;
    }
    lines.push_back(bytes.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

uint64_t LineRows(uint64_t size, uint64_t newlines, bool final_newline) {
  return newlines + (size > 0 && !final_newline ? 1 : 0);
}

std::string SessionTitle(uint64_t rows) {
  return "session, " + std::to_string(rows) + (rows == 1 ? " line" : " lines");
}

// The first "# " heading of a note, cut to a bounded length on a UTF-8
// character boundary.
std::string NoteTitle(std::string_view bytes) {
  size_t start = 0;
  while (start < bytes.size()) {
    size_t nl = bytes.find('\n', start);
    if (nl == std::string_view::npos) nl = bytes.size();
    std::string_view line = bytes.substr(start, nl - start);
    if (line.starts_with("# ")) {
      line.remove_prefix(2);
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line.size() > kMaxTitleBytes) {
        size_t cut = kMaxTitleBytes;
        while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
        line = line.substr(0, cut);
      }
      return std::string(line);
    }
    start = nl + 1;
  }
  return "";
}

std::string TitleFor(std::string_view path, std::string_view bytes) {
  if (IsSessionLogPath(path)) {
    return SessionTitle(
        LineRows(bytes.size(), CountNewlines(bytes), !bytes.empty() && bytes.back() == '\n'));
  }
  return NoteTitle(bytes);
}

std::string UtcDate(int64_t mtime_ns) {
  constexpr int64_t kNsPerSec = 1000000000;
  int64_t secs = mtime_ns / kNsPerSec;
  if (mtime_ns % kNsPerSec < 0) --secs;
  const time_t t = static_cast<time_t>(secs);
  struct tm tm;
  if (gmtime_r(&t, &tm) == nullptr) return "";
  char buf[32];
  const size_t n = strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return std::string(buf, n);
}

// A markdown table cell: '|' would end the cell and a line break the row.
std::string Cell(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Stat FileStat(Storage storage, int64_t mode, int64_t mtime_ns, int64_t size, int64_t lines) {
  Stat st;
  st.kind = NodeKind::kFile;
  st.storage = storage;
  st.mode = static_cast<uint32_t>(mode);
  st.mtime_ns = mtime_ns;
  st.size = static_cast<uint64_t>(size);
  st.nlink = 1;
  st.line_count = static_cast<uint64_t>(lines);
  return st;
}

Stat DirStat(int64_t mode, int64_t mtime_ns, int64_t subdirs) {
  Stat st;
  st.kind = NodeKind::kDirectory;
  st.storage = Storage::kDirectory;
  st.mode = static_cast<uint32_t>(mode);
  st.mtime_ns = mtime_ns;
  st.size = kDirSize;
  st.nlink = 2 + static_cast<uint64_t>(subdirs);
  st.line_count = 0;
  return st;
}

std::string Quoted(std::string_view path) { return "'" + std::string(path) + "'"; }

// ---- content search --------------------------------------------------------

// An atom with more distinct trigrams is matched on this many of them: any
// subset still selects a superset, and each one costs a doclist read.
constexpr size_t kMaxTrigramsPerAtom = 32;
// Deeper queries are refused rather than handed to FTS5's parser, whose
// stack overflows at about 20 nested parentheses.
constexpr int kMaxQueryDepth = 16;

// What a SubstringQuery asks of the index. kAll: every file may match (the
// index cannot narrow it). kNone: no indexed text can match (only the
// unsearchable files may). kMatch: the files whose indexed text satisfies
// the FTS5 expression `text`.
struct FtsExpr {
  enum class Kind { kAll, kNone, kMatch };
  enum class Op { kTerm, kAnd, kOr };  // the top operator of `text`
  Kind kind = Kind::kAll;
  Op op = Op::kTerm;
  std::string text;
};

// The byte length of a UTF-8 sequence led by `c`; 0 for a byte that cannot
// lead one.
size_t Utf8SequenceLength(unsigned char c) {
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return 2;
  if (c >= 0xE0 && c <= 0xEF) return 3;
  if (c >= 0xF0 && c <= 0xF4) return 4;
  return 0;
}

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// One atom as a conjunction of its trigrams. The index is detail=none (a
// quarter of the size of detail=full, which phrases would need), so it
// knows which trigrams a row holds but not where: the conjunction selects a
// superset of the rows holding the atom, which callers verify anyway.
Status AtomToFts(std::string_view atom, FtsExpr* out) {
  if (atom.size() < 3) {
    return Err(Code::kInvalidArgument, "search text shorter than 3 bytes: " + Quoted(atom));
  }
  // Session logs are indexed line by line: text across a line break could
  // only be found by a scan.
  if (atom.find('\n') != std::string_view::npos) {
    return Err(Code::kInvalidArgument, "search text spans lines: " + Quoted(atom));
  }
  // A needle cut from bytes may start or end inside a character; the text
  // of an indexed (valid UTF-8) file holding it holds the whole characters
  // in between, so search for those.
  size_t begin = 0;
  while (begin < atom.size() && IsContinuation(atom[begin])) ++begin;
  size_t end = atom.size();
  size_t tail = 0;
  while (end - tail > begin && tail < 3 && IsContinuation(atom[end - tail - 1])) ++tail;
  if (end - tail > begin) {
    const size_t len = Utf8SequenceLength(static_cast<unsigned char>(atom[end - tail - 1]));
    if (len > tail + 1) end -= tail + 1;  // the last character is cut short
  }
  const std::string_view core = atom.substr(begin, end - begin);
  if (!Searchable(core)) {
    // Invalid UTF-8 or NUL inside: no searchable file holds it.
    out->kind = FtsExpr::Kind::kNone;
    out->text.clear();
    return Status::Ok();
  }
  std::vector<size_t> starts;  // of each character, then the end
  for (size_t i = 0; i < core.size();
       i += Utf8SequenceLength(static_cast<unsigned char>(core[i]))) {
    starts.push_back(i);
  }
  starts.push_back(core.size());
  if (starts.size() < 4) {
    return Err(Code::kInvalidArgument, "search text shorter than 3 characters: " + Quoted(atom) +
                                           " (the trigram index cannot serve it)");
  }
  std::vector<std::string_view> trigrams;
  std::set<std::string_view> seen;
  for (size_t i = 0; i + 3 < starts.size(); ++i) {
    const std::string_view trigram = core.substr(starts[i], starts[i + 3] - starts[i]);
    if (seen.insert(trigram).second) trigrams.push_back(trigram);
  }
  // Evenly spread over the atom when there are too many.
  const size_t n = std::min(trigrams.size(), kMaxTrigramsPerAtom);
  std::string& text = out->text;
  text.clear();
  for (size_t k = 0; k < n; ++k) {
    if (k > 0) text += " AND ";
    // An FTS5 string: everything literal, '"' written twice. The whole
    // expression is bound as a parameter, never spliced into SQL.
    text += '"';
    for (const char c : trigrams[k * trigrams.size() / n]) {
      if (c == '"') text += '"';
      text += c;
    }
    text += '"';
  }
  out->kind = FtsExpr::Kind::kMatch;
  out->op = n > 1 ? FtsExpr::Op::kAnd : FtsExpr::Op::kTerm;
  return Status::Ok();
}

Status QueryToFts(const Store::SubstringQuery& query, int depth, FtsExpr* out) {
  using Op = Store::SubstringQuery::Op;
  if (depth > kMaxQueryDepth) return Err(Code::kInvalidArgument, "search query nested too deeply");
  if (query.op == Op::kAtom) return AtomToFts(query.atom, out);
  const bool is_and = query.op == Op::kAnd;
  std::vector<FtsExpr> parts;
  bool any_all = false;
  bool any_none = false;
  for (const Store::SubstringQuery& child : query.children) {
    FtsExpr sub;
    Status st = QueryToFts(child, depth + 1, &sub);
    if (!st.ok()) return st;
    any_all |= sub.kind == FtsExpr::Kind::kAll;
    any_none |= sub.kind == FtsExpr::Kind::kNone;
    if (sub.kind == FtsExpr::Kind::kMatch) parts.push_back(std::move(sub));
  }
  if (is_and ? any_none : any_all) {
    out->kind = is_and ? FtsExpr::Kind::kNone : FtsExpr::Kind::kAll;
    out->text.clear();
    return Status::Ok();
  }
  // The rest are all kMatch, or kAll children of an AND / kNone children of
  // an OR, which constrain nothing.
  if (parts.empty()) {
    out->kind = is_and ? FtsExpr::Kind::kAll : FtsExpr::Kind::kNone;
    out->text.clear();
    return Status::Ok();
  }
  if (parts.size() == 1) {
    *out = std::move(parts[0]);
    return Status::Ok();
  }
  // Parentheses only where the operator changes, to stay shallow.
  const FtsExpr::Op op = is_and ? FtsExpr::Op::kAnd : FtsExpr::Op::kOr;
  out->kind = FtsExpr::Kind::kMatch;
  out->op = op;
  out->text.clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out->text += is_and ? " AND " : " OR ";
    const bool group = parts[i].op != FtsExpr::Op::kTerm && parts[i].op != op;
    out->text += group ? "(" + parts[i].text + ")" : parts[i].text;
  }
  return Status::Ok();
}

int SqliteStore::TraceCallback(unsigned type, void* context, void* p, void* x) {
  if (type != SQLITE_TRACE_STMT) return 0;
  auto* self = static_cast<SqliteStore*>(context);
  auto* stmt = static_cast<sqlite3_stmt*>(p);
  // Only the store's own statements: FTS5 runs statements of its own, and
  // the index triggers report themselves as "-- TRIGGER" comments, which
  // would bury the few that show what the store did.
  const char* unexpanded = static_cast<const char*>(x);
  if (unexpanded != nullptr && std::string_view(unexpanded).starts_with("--")) return 0;
  if (std::none_of(self->stmts_.begin(), self->stmts_.end(),
                   [stmt](const StmtPtr& s) { return s.get() == stmt; })) {
    return 0;
  }
  std::string text;
  if (char* expanded = sqlite3_expanded_sql(stmt); expanded != nullptr) {
    // Bound values make the trace readable, but a written blob would drown
    // it: long expansions fall back to the statement with its parameters.
    if (std::strlen(expanded) <= kMaxTracedSql) text = expanded;
    sqlite3_free(expanded);
  }
  if (text.empty()) {
    const char* sql = static_cast<const char*>(x);
    text = sql != nullptr ? sql : "";
  }
  self->trace_.push_back(std::move(text));
  return 0;
}

Query SqliteStore::Use(Q q) {
  StmtPtr& slot = stmts_[static_cast<size_t>(q)];
  if (slot == nullptr) {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_.get(), SqlText(q), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return Query(db_.get(), DbError(db_.get(), rc, "preparing SQL"));
    }
    slot.reset(stmt);
  }
  return Query(db_.get(), slot.get());
}

Status SqliteStore::ExecScript(const char* sql, std::string_view what) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message(what);
  message += ": ";
  message += error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  Status st = DbError(nullptr, rc, "");
  return Err(st.code(), std::move(message));
}

Status SqliteStore::ReadUserVersion(int* version) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), "PRAGMA user_version", -1, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return DbError(db_.get(), rc, "opening store " + db_path_);
  rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) return DbError(db_.get(), rc, "opening store " + db_path_);
  *version = sqlite3_column_int(stmt.get(), 0);
  return Status::Ok();
}

Status SqliteStore::Open() {
  struct stat st;
  const bool exists = ::stat(db_path_.c_str(), &st) == 0;
  const bool create = !options_.read_only && options_.create_if_missing;
  if (!exists && !create) {
    return Err(Code::kNotFound, "memhook store not found: " + db_path_ +
                                    " (no such file; import or write something first)");
  }
  if (!exists) {
    const size_t slash = db_path_.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      // The store holds the agent's private notes: keep its folder private.
      Status made = internal::MakeHostDirs(db_path_.substr(0, slash), 0700);
      if (!made.ok()) return made;
    }
  }
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  flags |= options_.read_only ? SQLITE_OPEN_READONLY
                              : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0));
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(db_path_.c_str(), &raw, flags, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) return DbError(db_.get(), rc, "cannot open store " + db_path_);
  sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
  if (options_.trace) {
    sqlite3_trace_v2(db_.get(), SQLITE_TRACE_STMT, &SqliteStore::TraceCallback, this);
  }

  // For the v2 migration's SQL only: DIRECTONLY keeps the schema (triggers,
  // views) from depending on it, so other SQLite clients can still write.
  int fn_rc = sqlite3_create_function_v2(
      db_.get(), "memhook_searchable", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
      nullptr, &SearchableSqlFunction, nullptr, nullptr, nullptr);
  if (fn_rc != SQLITE_OK) return DbError(db_.get(), fn_rc, "opening store " + db_path_);
  if (!options_.read_only) {
    // The index triggers write FTS5 tables, which SQLite refuses in triggers
    // when a build defaults trusted_schema to off; this file is ours.
    Status trusted = ExecScript("PRAGMA trusted_schema = 1", "opening store");
    if (!trusted.ok()) return trusted;
  }

  int version = 0;
  Status status = ReadUserVersion(&version);
  if (!status.ok()) return status;
  const int latest = static_cast<int>(kMigrations.size());
  if (version > latest) {
    return Err(Code::kCorruption, "store " + db_path_ + " has schema version " +
                                      std::to_string(version) + ", newer than this memhook (" +
                                      std::to_string(latest) + ")");
  }
  if (version < latest) {
    if (options_.read_only && version < kOldestReadableVersion) {
      return Err(Code::kCorruption, "store " + db_path_ + " has schema version " +
                                        std::to_string(version) + "; open it read-write once to " +
                                        "upgrade it to " + std::to_string(latest));
    }
    if (!options_.read_only) {
      status = Migrate(version);
      if (!status.ok()) return status;
      version = latest;
    }
  }
  schema_version_ = version;
  if (options_.read_only) {
    Status query_only = ExecScript("PRAGMA query_only = 1", "opening store");
    if (!query_only.ok()) return query_only;
    // Pages straight from the page cache through a mapping, not copied by
    // pread into SQLite's own cache: a recursive grep reads most of the
    // file, and the copies were a third of its time. SQLite caps the size
    // at its compile-time maximum (2 GiB by default) and reads beyond it
    // with pread.
    Status mmap = ExecScript("PRAGMA mmap_size = 1099511627776", "opening store");
    if (!mmap.ok()) return mmap;
    // A read-only store serves one command: hold one read transaction for
    // its whole life. Every operation then sees the same snapshot (a
    // concurrent import cannot show a command half of its change), and the
    // per-operation BEGIN/COMMIT, with their WAL lock traffic, disappear.
    // Released by the destructor (sqlite3_close rolls it back).
    return Exec(Q::kBeginRead);
  }
  return ExecScript("PRAGMA synchronous = NORMAL", "opening store");
}

Status SqliteStore::CheckNoForeignSchema() {
  sqlite3_stmt* raw = nullptr;
  // One statement, so a concurrent creator cannot slip between the two
  // reads: its finished schema comes with a non-zero user_version.
  int rc = sqlite3_prepare_v2(db_.get(),
                              "SELECT count(*) FROM sqlite_schema "
                              "WHERE (SELECT user_version FROM pragma_user_version) = 0",
                              -1, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) return DbError(db_.get(), rc, "inspecting " + db_path_);
  if (sqlite3_column_int64(stmt.get(), 0) != 0) {
    return Err(Code::kCorruption, db_path_ + " is a SQLite database but not a memhook store");
  }
  return Status::Ok();
}

Status SqliteStore::EnableWal() {
  // The switch needs an exclusive lock and SQLite reports BUSY at once,
  // without the busy handler, when another connection (a second process
  // creating the same store) holds the file: retry as busy_timeout would.
  const int64_t deadline = internal::NowNs() + int64_t{kBusyTimeoutMs} * 1000000;
  while (true) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(), "PRAGMA journal_mode = WAL", -1, &raw, nullptr);
    StmtPtr stmt(raw);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_ROW) {
      const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
      if (mode != nullptr && std::string_view(mode) == "wal") return Status::Ok();
      return Err(Code::kIoError, "cannot enable WAL on " + db_path_ + ": journal mode stays " +
                                     (mode != nullptr ? mode : "unknown"));
    }
    const int primary = rc & 0xff;
    if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || internal::NowNs() > deadline) {
      return DbError(db_.get(), rc, "enabling WAL on " + db_path_);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Status SqliteStore::Migrate(int version) {
  if (version == 0) {
    // Before anything is changed: never touch somebody else's database.
    Status st = CheckNoForeignSchema();
    if (!st.ok()) return st;
    // journal_mode cannot change inside a transaction; it is persistent,
    // so this runs once, when the file is new.
    st = EnableWal();
    if (!st.ok()) return st;
  }
  Status st = ExecScript("BEGIN IMMEDIATE", "migrating " + db_path_);
  if (!st.ok()) return st;
  // Another process may have migrated while we waited for the lock.
  st = ReadUserVersion(&version);
  if (st.ok() && version == 0) st = CheckNoForeignSchema();
  for (int v = version; st.ok() && v < static_cast<int>(kMigrations.size()); ++v) {
    st =
        ExecScript(kMigrations[v], "migrating " + db_path_ + " to schema " + std::to_string(v + 1));
    if (st.ok()) {
      // Integers from this table, never user text.
      const std::string pragma = "PRAGMA user_version = " + std::to_string(v + 1);
      st = ExecScript(pragma.c_str(), "migrating " + db_path_);
    }
  }
  if (st.ok() && version == 0) {
    const std::string pragma = "PRAGMA application_id = " + std::to_string(kApplicationId);
    st = ExecScript(pragma.c_str(), "migrating " + db_path_);
  }
  if (!st.ok()) {
    (void)ExecScript("ROLLBACK", "");
    return st;
  }
  return ExecScript("COMMIT", "migrating " + db_path_);
}

// ---- reads ---------------------------------------------------------------

Status SqliteStore::LookupReal(std::string_view path, Node* node) {
  Query q = Use(Q::kLookup);
  q.Text(1, path);
  Status st;
  *node = Node();
  if (q.Next(&st)) {
    const int64_t kind = q.ColInt(0);
    if (kind == 2) {
      node->kind = Kind::kDir;
      node->stat = DirStat(q.ColInt(1), q.ColInt(2), q.ColInt(5));
    } else {
      node->kind = kind == 0 ? Kind::kMemory : Kind::kSession;
      node->stat = FileStat(kind == 0 ? Storage::kBlob : Storage::kLines, q.ColInt(1), q.ColInt(2),
                            q.ColInt(3), q.ColInt(4));
      node->final_newline = q.ColInt(5) != 0;
    }
  }
  return st;
}

Status SqliteStore::LookupKind(std::string_view path, Node* node) {
  Query q = Use(Q::kLookupKind);
  q.Text(1, path);
  Status st;
  *node = Node();
  if (q.Next(&st)) {
    const int64_t kind = q.ColInt(0);
    node->kind = kind == 0 ? Kind::kMemory : kind == 1 ? Kind::kSession : Kind::kDir;
    node->stat.size = static_cast<uint64_t>(q.ColInt(1));
    node->final_newline = q.ColInt(2) != 0;
  }
  return st;
}

Status SqliteStore::Lookup(std::string_view path, Node* node) {
  if (path.empty()) {
    *node = Node();
    node->kind = Kind::kDir;
    return RootStat(&node->stat);
  }
  Status st = LookupReal(path, node);
  if (!st.ok() || node->kind != Kind::kMissing || path != kIndexName || !options_.virtual_index) {
    return st;
  }
  Index index;
  st = BuildIndex(&index);
  if (!st.ok()) return st;
  node->kind = Kind::kVirtual;
  node->stat = IndexStat(index);
  node->final_newline = true;
  return Status::Ok();
}

Status SqliteStore::Missing(std::string_view path) {
  size_t end = path.find('/');
  while (end != std::string_view::npos) {
    const std::string_view prefix = path.substr(0, end);
    Node node;
    Status st = LookupKind(prefix, &node);
    if (!st.ok()) return st;
    const bool virtual_file =
        node.kind == Kind::kMissing && prefix == kIndexName && options_.virtual_index;
    if (virtual_file || (node.kind != Kind::kMissing && node.kind != Kind::kDir)) {
      return Err(Code::kNotADirectory, "not a directory: " + Quoted(prefix));
    }
    if (node.kind == Kind::kMissing) break;
    end = path.find('/', end + 1);
  }
  return Err(Code::kNotFound, "no such file or directory: " + Quoted(path));
}

Status SqliteStore::RootStat(Stat* out) {
  Query q = Use(Q::kRootInfo);
  Status st;
  if (!q.Next(&st)) return st.ok() ? DbError(db_.get(), SQLITE_ERROR, "reading the root") : st;
  const bool recorded = !q.IsNull(0);
  const int64_t mode = recorded ? q.ColInt(0) : 0755;
  int64_t mtime = recorded ? q.ColInt(1) : 0;
  const int64_t subdirs = q.ColInt(2);
  if (!recorded) {
    for (int col = 3; col <= 5; ++col) {
      if (!q.IsNull(col)) mtime = std::max(mtime, q.ColInt(col));
    }
  }
  *out = DirStat(mode, mtime, subdirs);
  if (recorded) return Status::Ok();
  // An unrecorded root also takes the generated index's time, as if it had
  // been written into the directory.
  bool active = false;
  st = VirtualIndexActive(&active);
  if (!st.ok() || !active) return st;
  Index index;
  st = BuildIndex(&index);
  if (st.ok()) out->mtime_ns = std::max(out->mtime_ns, index.mtime_ns);
  return st;
}

Status SqliteStore::VirtualIndexActive(bool* active) {
  *active = false;
  if (!options_.virtual_index) return Status::Ok();
  Node node;
  Status st = LookupKind(kIndexName, &node);
  if (st.ok()) *active = node.kind == Kind::kMissing;
  return st;
}

Status SqliteStore::BuildIndex(Index* out) {
  struct Row {
    std::string path;
    int64_t mtime_ns;
    std::string title;
  };
  std::vector<Row> rows;
  {
    Query q = Use(Q::kIndexRows);
    Status st;
    while (q.Next(&st)) {
      rows.push_back({std::string(q.ColText(0)), q.ColInt(1), std::string(q.ColText(2))});
    }
    if (!st.ok()) return st;
  }
  std::string& md = out->content;
  md = "# Memory index\n\n";
  if (rows.empty()) {
    md += "No notes or sessions yet.\n";
    out->mtime_ns = 0;
    return Status::Ok();
  }
  md += "The most recently modified notes and session logs (at most " + std::to_string(kIndexRows) +
        "), newest first. Generated by memhook; a real index.md replaces it.\n\n";
  md += "| path | date | first heading |\n| --- | --- | --- |\n";
  for (const Row& row : rows) {
    md += "| " + Cell(row.path) + " | " + UtcDate(row.mtime_ns) + " | " + Cell(row.title) + " |\n";
  }
  // Rows come newest first, so the first holds the newest mtime of all.
  out->mtime_ns = rows.front().mtime_ns;
  return Status::Ok();
}

Stat SqliteStore::IndexStat(const Index& index) const {
  return FileStat(Storage::kVirtual, 0644, index.mtime_ns,
                  static_cast<int64_t>(index.content.size()),
                  static_cast<int64_t>(CountNewlines(index.content)));
}

Status SqliteStore::GetStat(std::string_view path, Stat* out) {
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  Node node;
  st = Lookup(path, &node);
  if (!st.ok()) return st;
  if (node.kind == Kind::kMissing) {
    Txn txn(this);
    st = txn.Begin(false);
    return st.ok() ? Missing(path) : st;
  }
  *out = node.stat;
  return Status::Ok();
}

Status SqliteStore::ReadSessionLines(std::string_view path, uint64_t first, uint64_t last,
                                     std::vector<Line>* out) {
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  Query q = Use(Q::kSessionLines);
  q.Text(1, path)
      .Int(2, static_cast<int64_t>(std::min(first, kMax)))
      .Int(3, static_cast<int64_t>(std::min(last, kMax)));
  Status st;
  while (q.Next(&st)) {
    out->push_back(Line{static_cast<uint64_t>(q.ColInt(0)), std::string(q.ColText(1))});
  }
  return st;
}

Status SqliteStore::ReadFile(std::string_view path, std::string* out) {
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  if (path.empty()) return Err(Code::kIsADirectory, "is a directory: " + Quoted(path));
  int64_t large_id = 0, large_size = 0;
  {
    Query q = Use(Q::kMemoryContentSmall);
    q.Text(1, path).Int(2, kLargeBlob);
    if (q.Next(&st)) {
      if (q.ColInt(1) <= kLargeBlob) {
        out->assign(q.ColBlob(2));
        return Status::Ok();
      }
      large_id = q.ColInt(0);
      large_size = q.ColInt(1);
    }
    if (!st.ok()) return st;
  }
  if (large_id != 0) return ReadBlob(large_id, static_cast<uint64_t>(large_size), out);
  Txn txn(this);
  st = txn.Begin(false);
  if (!st.ok()) return st;
  Node node;
  st = Lookup(path, &node);
  if (!st.ok()) return st;
  switch (node.kind) {
    case Kind::kMissing:
      return Missing(path);
    case Kind::kDir:
      return Err(Code::kIsADirectory, "is a directory: " + Quoted(path));
    case Kind::kVirtual: {
      Index index;
      st = BuildIndex(&index);
      if (st.ok()) *out = std::move(index.content);
      return st;
    }
    case Kind::kMemory:  // written between our two reads
      return ReadFile(path, out);
    case Kind::kSession:
      break;
  }
  std::vector<Line> lines;
  st = ReadSessionLines(path, 1, std::numeric_limits<uint64_t>::max(), &lines);
  if (!st.ok()) return st;
  out->clear();
  out->reserve(node.stat.size);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) *out += '\n';
    *out += lines[i].text;
  }
  if (node.final_newline) *out += '\n';
  return Status::Ok();
}

Status SqliteStore::ReadPrefix(std::string_view path, uint64_t max_bytes, std::string* out,
                               bool* complete) {
  int64_t id = 0, size = 0;
  Status st = MemoryIdSize(path, &id, &size);
  if (!st.ok()) return st;
  if (id == 0) {
    // A session log larger than asked for: its first rows only, so that
    // `sed -n 1p` or `jq . | head -1` of a long log reads what it prints.
    Txn txn(this);
    st = txn.Begin(false);
    if (!st.ok()) return st;
    Node node;
    st = Lookup(path, &node);
    if (!st.ok()) return st;
    if (node.kind == Kind::kSession && node.stat.size > max_bytes) {
      out->clear();
      Query q = Use(Q::kSessionLines);
      q.Text(1, path).Int(2, 1).Int(3, std::numeric_limits<int64_t>::max());
      while (out->size() < max_bytes && q.Next(&st)) {
        out->append(q.ColText(1));
        out->push_back('\n');
      }
      if (!st.ok()) return st;
      if (out->size() > max_bytes) out->resize(static_cast<size_t>(max_bytes));
      *complete = false;
      return Status::Ok();
    }
  }
  // Directories, the virtual index and small files: whole.
  if (id == 0 || static_cast<uint64_t>(size) <= max_bytes) {
    return Store::ReadPrefix(path, max_bytes, out, complete);
  }
  // A blob larger than asked for: incremental blob I/O reads only the
  // pages that hold its first bytes.
  *complete = false;
  return ReadBlob(id, max_bytes, out);
}

Status SqliteStore::MemoryIdSize(std::string_view path, int64_t* id, int64_t* size) {
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  *id = 0;
  *size = 0;
  Query q = Use(Q::kMemoryIdSize);
  q.Text(1, path);
  if (q.Next(&st)) {
    *id = q.ColInt(0);
    *size = q.ColInt(1);
  }
  return st;
}

Status SqliteStore::OpenBlob(int64_t id, BlobHandle* blob) {
  sqlite3_blob* raw = nullptr;
  int rc = sqlite3_blob_open(db_.get(), "main", "memory", "content", id, 0, &raw);
  blob->reset(raw);
  if (rc != SQLITE_OK) return DbError(db_.get(), rc, "opening a blob");
  return Status::Ok();
}

Status SqliteStore::ReadBlobRange(sqlite3_blob* blob, uint64_t at, uint64_t bytes, char* out) {
  // sqlite3_blob_read takes int sizes and offsets: large reads in slices.
  constexpr uint64_t kSlice = 1u << 30;
  for (uint64_t done = 0; done < bytes; done += kSlice) {
    const uint64_t n = std::min(kSlice, bytes - done);
    int rc = sqlite3_blob_read(blob, out + done, static_cast<int>(n), static_cast<int>(at + done));
    if (rc != SQLITE_OK) return DbError(db_.get(), rc, "reading a blob");
  }
  return Status::Ok();
}

Status SqliteStore::ReadBlob(int64_t id, uint64_t bytes, std::string* out) {
  BlobHandle blob;
  Status st = OpenBlob(id, &blob);
  if (!st.ok()) return st;
  out->resize(static_cast<size_t>(bytes));
  return ReadBlobRange(blob.get(), 0, bytes, out->data());
}

Status SqliteStore::ReadPieces(std::string_view path, uint64_t piece_bytes,
                               const std::function<bool(std::string_view piece)>& visit,
                               uint64_t offset) {
  int64_t id = 0, size = 0;
  Status st = MemoryIdSize(path, &id, &size);
  if (!st.ok()) return st;
  // Session logs, directories, the virtual index and small blobs: whole.
  if (id == 0 || piece_bytes == 0 || static_cast<uint64_t>(size) <= kLargeBlob) {
    return Store::ReadPieces(path, piece_bytes, visit, offset);
  }
  // One blob handle for the whole file: it holds the read snapshot, so the
  // pieces are all of one version even if a writer commits meanwhile.
  BlobHandle blob;
  st = OpenBlob(id, &blob);
  if (!st.ok()) return st;
  const uint64_t total = static_cast<uint64_t>(sqlite3_blob_bytes(blob.get()));
  std::string piece;
  for (uint64_t at = std::min(offset, total); at < total;) {
    const uint64_t n = std::min(piece_bytes, total - at);
    piece.resize(static_cast<size_t>(n));
    st = ReadBlobRange(blob.get(), at, n, piece.data());
    if (!st.ok()) return st;
    at += n;
    if (!visit(piece)) break;
  }
  return Status::Ok();
}

Status SqliteStore::ReadLines(std::string_view path, uint64_t first, uint64_t last,
                              std::vector<Line>* out, bool* ends_with_newline) {
  out->clear();
  if (first == 0) first = 1;
  if (last == 0) last = std::numeric_limits<uint64_t>::max();
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  if (path.empty()) return Err(Code::kIsADirectory, "is a directory: " + Quoted(path));
  std::string bytes;
  {
    Query q = Use(Q::kMemoryContent);
    q.Text(1, path);
    const bool found = q.Next(&st);
    if (!st.ok()) return st;
    if (found) {
      bytes.assign(q.ColBlob(0));
    } else {
      Txn txn(this);
      st = txn.Begin(false);
      if (!st.ok()) return st;
      Node node;
      st = Lookup(path, &node);
      if (!st.ok()) return st;
      switch (node.kind) {
        case Kind::kMissing:
          return Missing(path);
        case Kind::kDir:
          return Err(Code::kIsADirectory, "is a directory: " + Quoted(path));
        case Kind::kMemory:
          return ReadLines(path, first, last, out, ends_with_newline);
        case Kind::kSession:
          *ends_with_newline = node.final_newline;
          return first > last ? Status::Ok() : ReadSessionLines(path, first, last, out);
        case Kind::kVirtual: {
          Index index;
          st = BuildIndex(&index);
          if (!st.ok()) return st;
          bytes = std::move(index.content);
          break;
        }
      }
    }
  }
  *ends_with_newline = !bytes.empty() && bytes.back() == '\n';
  const std::vector<std::string_view> lines = SplitLines(bytes);
  for (uint64_t n = first; n <= last && n <= lines.size(); ++n) {
    out->push_back(Line{n, std::string(lines[n - 1])});
  }
  return Status::Ok();
}

Status SqliteStore::ListDir(std::string_view path, std::vector<DirEntry>* out) {
  out->clear();
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  Txn txn(this);
  st = txn.Begin(false);
  if (!st.ok()) return st;
  {
    Query q = Use(Q::kListDir);
    q.Text(1, path);
    while (q.Next(&st)) {
      DirEntry entry;
      entry.name = q.ColText(0);
      const int64_t kind = q.ColInt(1);
      entry.stat = kind == 2 ? DirStat(q.ColInt(2), q.ColInt(3), q.ColInt(6))
                             : FileStat(kind == 0 ? Storage::kBlob : Storage::kLines, q.ColInt(2),
                                        q.ColInt(3), q.ColInt(4), q.ColInt(5));
      out->push_back(std::move(entry));
    }
    if (!st.ok()) return st;
  }
  if (path.empty()) {
    const auto pos = std::lower_bound(
        out->begin(), out->end(), kIndexName,
        [](const DirEntry& e, std::string_view name) { return std::string_view(e.name) < name; });
    if (options_.virtual_index && (pos == out->end() || pos->name != kIndexName)) {
      Index index;
      st = BuildIndex(&index);
      if (!st.ok()) return st;
      out->insert(pos, DirEntry{std::string(kIndexName), IndexStat(index)});
    }
    return Status::Ok();
  }
  if (!out->empty()) return Status::Ok();
  // No entries: an empty directory, a file, or nothing.
  Node node;
  st = Lookup(path, &node);
  if (!st.ok()) return st;
  if (node.kind == Kind::kDir) return Status::Ok();
  if (node.kind == Kind::kMissing) return Missing(path);
  return Err(Code::kNotADirectory, "not a directory: " + Quoted(path));
}

Status SqliteStore::CheckDirectoryLocked(std::string_view path) {
  if (path.empty()) return Status::Ok();
  Node node;
  Status st = LookupKind(path, &node);
  if (!st.ok()) return st;
  const bool virtual_file =
      node.kind == Kind::kMissing && path == kIndexName && options_.virtual_index;
  if (node.kind == Kind::kMissing && !virtual_file) return Missing(path);
  if (node.kind != Kind::kDir) return Err(Code::kNotADirectory, "not a directory: " + Quoted(path));
  return Status::Ok();
}

Status SqliteStore::Walk(
    std::string_view path,
    const std::function<bool(const std::string& path, const Stat& stat)>& visit) {
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  // Every path lives in one buffer with '/' as NUL (no name holds one):
  // plain byte order of those keys is pre-order, at memcmp speed, and a walk
  // of 100k files makes no allocation per file.
  std::string keys;
  struct Item {
    size_t offset;
    uint32_t size;
    Stat stat;
  };
  std::vector<Item> items;
  auto add = [&keys, &items](std::string_view item_path, const Stat& stat) {
    items.push_back({keys.size(), static_cast<uint32_t>(item_path.size()), stat});
    keys += item_path;
  };
  {
    Txn txn(this);
    st = BeginDirectoryRead(txn, path);
    if (!st.ok()) return st;

    const bool all = path.empty();
    const auto [lo, hi] = SubtreeRange(path);
    for (const Q q_id : all ? std::array{Q::kWalkAllDirs, Q::kWalkAllMemory, Q::kWalkAllSessions}
                            : std::array{Q::kWalkDirs, Q::kWalkMemory, Q::kWalkSessions}) {
      Query q = Use(q_id);
      if (!all) q.Text(1, lo).Text(2, hi);
      const bool dirs = q_id == Q::kWalkAllDirs || q_id == Q::kWalkDirs;
      const Storage storage =
          (q_id == Q::kWalkAllMemory || q_id == Q::kWalkMemory) ? Storage::kBlob : Storage::kLines;
      while (q.Next(&st)) {
        add(q.ColText(0),
            dirs ? DirStat(q.ColInt(1), q.ColInt(2), 0)
                 : FileStat(storage, q.ColInt(1), q.ColInt(2), q.ColInt(3), q.ColInt(4)));
      }
      if (!st.ok()) return st;
    }
    if (all) {
      bool active = false;
      st = VirtualIndexActive(&active);
      if (!st.ok()) return st;
      if (active) {
        Index index;
        st = BuildIndex(&index);
        if (!st.ok()) return st;
        add(kIndexName, IndexStat(index));
      }
    }
    st = txn.Commit();
    if (!st.ok()) return st;
  }
  auto path_of = [&keys](const Item& item) {
    return std::string_view(keys).substr(item.offset, item.size);
  };
  {
    // Every subdirectory of a walked directory is itself in the walk.
    std::unordered_map<std::string_view, uint64_t> subdirs;
    for (const Item& item : items) {
      if (item.stat.kind == NodeKind::kDirectory) ++subdirs[ParentOf(path_of(item))];
    }
    for (Item& item : items) {
      if (item.stat.kind != NodeKind::kDirectory) continue;
      const auto it = subdirs.find(path_of(item));
      if (it != subdirs.end()) item.stat.nlink += it->second;
    }
  }
  std::replace(keys.begin(), keys.end(), '/', '\0');
  std::vector<uint32_t> order(items.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto before = [&](uint32_t a, uint32_t b) { return path_of(items[a]) < path_of(items[b]); };
  // Each table comes back mostly in order (its path index, or import
  // order): merge the sorted runs, a few linear passes instead of a sort.
  std::vector<size_t> runs = {0};
  for (size_t i = 1; i < order.size(); ++i) {
    if (before(order[i], order[i - 1])) runs.push_back(i);
  }
  runs.push_back(order.size());
  if (runs.size() > kMaxMergedRuns) {
    std::sort(order.begin(), order.end(), before);
  } else {
    while (runs.size() > 2) {
      std::vector<size_t> merged = {0};
      for (size_t r = 0; r + 2 < runs.size(); r += 2) {
        std::inplace_merge(order.begin() + runs[r], order.begin() + runs[r + 1],
                           order.begin() + runs[r + 2], before);
        merged.push_back(runs[r + 2]);
      }
      if (merged.back() != order.size()) merged.push_back(order.size());
      runs = std::move(merged);
    }
  }
  std::string visited;
  for (const uint32_t i : order) {
    visited.assign(path_of(items[i]));
    std::replace(visited.begin(), visited.end(), '\0', '/');
    if (!visit(visited, items[i].stat)) break;
  }
  return Status::Ok();
}

Status SqliteStore::ListFiles(std::string_view path, std::vector<std::string>* out) {
  out->clear();
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  Txn txn(this);
  st = BeginDirectoryRead(txn, path);
  if (!st.ok()) return st;
  const bool all = path.empty();
  const auto [lo, hi] = SubtreeRange(path);
  std::vector<size_t> runs = {0};
  for (const Q q_id : all ? std::array{Q::kListAllMemory, Q::kListAllSessions}
                          : std::array{Q::kListMemory, Q::kListSessions}) {
    Query q = Use(q_id);
    if (!all) q.Text(1, lo).Text(2, hi);
    while (q.Next(&st)) out->emplace_back(q.ColText(0));
    if (!st.ok()) return st;
    runs.push_back(out->size());
  }
  if (all) {
    bool active = false;
    st = VirtualIndexActive(&active);
    if (!st.ok()) return st;
    if (active) {
      out->emplace_back(kIndexName);
      runs.push_back(out->size());
    }
  }
  st = txn.Commit();
  if (!st.ok()) return st;
  // Byte order within each table; Walk order treats '/' as below every
  // byte. Sort each run where the two differ (a name continuing a
  // directory's name with a byte below '/'), then merge the runs.
  const auto before = [](const std::string& a, const std::string& b) { return WalkBefore(a, b); };
  for (size_t r = 0; r + 1 < runs.size(); ++r) {
    const auto first = out->begin() + runs[r];
    const auto last = out->begin() + runs[r + 1];
    if (!std::is_sorted(first, last, before)) std::sort(first, last, before);
  }
  for (size_t r = 1; r + 1 < runs.size(); ++r) {
    const auto middle = out->begin() + runs[r];
    // Tables usually hold separate subtrees (memory, then sessions/).
    if (runs[r] == runs[r + 1] || runs[r] == 0 || !before(*middle, *(middle - 1))) continue;
    std::inplace_merge(out->begin(), middle, out->begin() + runs[r + 1], before);
  }
  return Status::Ok();
}

// A cursor over one table's files in path order, for ReadFiles: rows from
// a bound path on (kStreamMemory / kStreamSessions, path in column 0). It
// serves a run of wanted paths that follow each other in path order with
// plain row steps, and seeks again when the next wanted path is behind it
// or further ahead than a few rows.
class FileCursor {
 public:
  explicit FileCursor(Query* query) : query_(query) {}

  // Moves to the first row of `path`. True when the table holds it; false
  // when it does not (or on error, with *status set).
  bool Seek(std::string_view path, Status* status) {
    // After a file left before its last row (LeaveFile), search again:
    // stepping over its other rows costs more than that (each step loads
    // its row), and the file may be asked for again from its start.
    const bool restart = inside_file_;
    inside_file_ = false;
    if (on_row_ && !restart && RowPath() <= path) {
      // A few rows of files nobody asked for are stepped over; a longer
      // run costs more than a new search.
      for (int skipped = 0; on_row_ && RowPath() < path && skipped < kMaxSkippedRows; ++skipped) {
        if (!Step(status)) return false;
      }
      if (!on_row_) return false;  // the table ends before `path`
      if (RowPath() >= path) return RowPath() == path;
    }
    query_->Rebind();
    query_->Text(1, path);
    if (!Step(status)) return false;
    return on_row_ && RowPath() == path;
  }
  // The caller leaves the current file before its last row.
  void LeaveFile() { inside_file_ = true; }
  bool on_row() const { return on_row_; }
  std::string_view RowPath() const { return query_->ColText(0); }
  Query& query() { return *query_; }
  // The next row; false only on error.
  bool Step(Status* status) {
    on_row_ = query_->Next(status);
    return status->ok();
  }

 private:
  static constexpr int kMaxSkippedRows = 4;
  Query* query_;
  bool on_row_ = false;
  bool inside_file_ = false;
};

// One connection's statements for FileReader, in the order of
// kReaderQueries.
struct ReaderQueries {
  Query* memory;         // kStreamMemory
  Query* sessions;       // kStreamSessions
  Query* lines;          // kStreamSessionLines
  Query* final_newline;  // kFinalNewline
};
constexpr std::array kReaderQueries = {Q::kStreamMemory, Q::kStreamSessions, Q::kStreamSessionLines,
                                       Q::kFinalNewline};

// Reads files by path through one connection's streaming cursors:
// ReadFiles' work for one thread.
class FileReader {
 public:
  explicit FileReader(const ReaderQueries& queries)
      : memory_(queries.memory),
        sessions_(queries.sessions),
        lines_(queries.lines),
        final_newline_(queries.final_newline) {}

  // Reads `path` and hands it to `visit` (in prefixes when
  // `offer_prefixes`). *found is false, and `visit` not called, when
  // neither table holds the path (the virtual index, a directory, a missing
  // path: the caller asks ReadFile). *next is what `visit` said last.
  Status Read(const std::string& path, bool offer_prefixes,
              const std::function<Store::ReadNext(const Store::FileBytes&)>& visit, bool* found,
              Store::ReadNext* next) {
    Status st;
    *found = false;
    *next = Store::ReadNext::kNextFile;
    // Only session-log paths can be rows in `sessions`; one of them is a
    // blob when its text is not clean (see the schema comment).
    if (IsSessionLogPath(path)) {
      if (offer_prefixes) {
        const bool has_lines = lines_.Seek(path, &st);
        if (!st.ok()) return st;
        if (has_lines) {
          *found = true;
          return ReadLines(path, visit, next);
        }
      }
      const bool in_sessions = sessions_.Seek(path, &st);
      if (!st.ok()) return st;
      if (in_sessions) {
        *found = true;
        return ReadSession(path, offer_prefixes, visit, next);
      }
    }
    const bool in_memory = memory_.Seek(path, &st);
    if (!st.ok() || !in_memory) return st;
    *found = true;
    Query& q = memory_.query();
    *next = visit(Store::FileBytes{path, q.ColBlob(2), q.ColInt(1) != 0, true});
    memory_.Step(&st);
    return st;
  }

 private:
  // The session log at sessions_ (a row per line, or one NULL-text row
  // when it has none).
  Status ReadSession(const std::string& path, bool offer_prefixes,
                     const std::function<Store::ReadNext(const Store::FileBytes&)>& visit,
                     Store::ReadNext* next) {
    Status st;
    Query& q = sessions_.query();
    const bool final_newline = q.ColInt(1) != 0;
    content_.clear();
    uint64_t lines = 0;
    uint64_t next_offer = kFirstPrefixLines;
    while (sessions_.on_row() && sessions_.RowPath() == path) {
      if (!q.IsNull(2)) {
        content_ += q.ColText(2);
        content_ += '\n';
        ++lines;
      }
      if (!sessions_.Step(&st)) return st;
      if (offer_prefixes && lines == next_offer && sessions_.on_row() &&
          sessions_.RowPath() == path) {
        // Session rows are clean text by construction.
        *next = visit(Store::FileBytes{path, content_, true, false});
        if (*next != Store::ReadNext::kMore) {
          sessions_.LeaveFile();
          return st;
        }
        next_offer *= 2;
      }
    }
    return Finish(path, lines, final_newline, visit, next);
  }

  // The session log at lines_ (at least one line), in prefixes.
  Status ReadLines(const std::string& path,
                   const std::function<Store::ReadNext(const Store::FileBytes&)>& visit,
                   Store::ReadNext* next) {
    Status st;
    Query& q = lines_.query();
    content_.clear();
    uint64_t lines = 0;
    uint64_t next_offer = kFirstPrefixLines;
    while (lines_.on_row() && lines_.RowPath() == path) {
      content_ += q.ColText(1);
      content_ += '\n';
      ++lines;
      if (!lines_.Step(&st)) return st;
      if (lines == next_offer && lines_.on_row() && lines_.RowPath() == path) {
        *next = visit(Store::FileBytes{path, content_, true, false});
        if (*next != Store::ReadNext::kMore) {
          lines_.LeaveFile();
          return st;
        }
        next_offer *= 2;
      }
    }
    // Read to its end: whether the last line keeps its '\n'.
    final_newline_->Rebind();
    final_newline_->Text(1, path);
    bool final_newline = false;
    if (final_newline_->Next(&st)) final_newline = final_newline_->ColInt(0) != 0;
    if (!st.ok()) return st;
    return Finish(path, lines, final_newline, visit, next);
  }

  // Hands over content_, `lines` lines each followed by '\n', as the
  // whole file.
  Status Finish(const std::string& path, uint64_t lines, bool final_newline,
                const std::function<Store::ReadNext(const Store::FileBytes&)>& visit,
                Store::ReadNext* next) {
    // The last line keeps its '\n' only with the final-newline flag (a
    // file of no lines is "" or "\n").
    if (lines > 0 && !final_newline) content_.pop_back();
    if (lines == 0 && final_newline) content_ += '\n';
    *next = visit(Store::FileBytes{path, content_, true, true});
    return Status::Ok();
  }

  FileCursor memory_;
  FileCursor sessions_;
  FileCursor lines_;
  Query* final_newline_;
  std::string content_;
};

// A file read ahead of the visitor (by either thread), kept until the
// visitor gets to it: its bytes are a slice of its block's buffer.
struct ReadAheadFile {
  bool found = false;  // false: the visitor's thread asks ReadFile
  bool known_text = false;
  bool complete = true;   // false: a prefix that settles the file
  bool deferred = false;  // not read: its block was full (kMaxReadAheadBlockBytes)
  size_t offset = 0;
  size_t size = 0;
};

// One block of paths read ahead. Every file's bytes sit end to end in one
// buffer, and the visitor's thread hands blocks it is done with back for
// reuse (ReadAhead::spare): after the first few blocks, reading ahead
// allocates nothing.
struct ReadAheadBlock {
  std::vector<ReadAheadFile> files;
  std::string bytes;
  std::string_view Bytes(const ReadAheadFile& file) const {
    return std::string_view(bytes).substr(file.offset, file.size);
  }
};

// Reads paths [begin, end) through `reader` into `out` (cleared first),
// up to kMaxReadAheadBlockBytes; *deferred counts the files left unread.
// With `settles`, a session log stops at the first prefix it accepts.
Status ReadBlock(FileReader& reader, const std::vector<std::string>& paths, size_t begin,
                 size_t end, const std::function<bool(std::string_view, size_t)>* settles,
                 ReadAheadBlock* out, size_t* deferred) {
  out->files.assign(end - begin, ReadAheadFile{});
  out->bytes.clear();
  for (size_t i = begin; i < end; ++i) {
    ReadAheadFile& file = out->files[i - begin];
    if (out->bytes.size() >= kMaxReadAheadBlockBytes) {
      file.deferred = true;
      ++*deferred;
      continue;
    }
    Store::ReadNext next = Store::ReadNext::kNextFile;
    size_t probed = 0;
    const Status st = reader.Read(
        paths[i], settles != nullptr,
        [&](const Store::FileBytes& bytes) {
          if (!bytes.complete) {
            const size_t from = std::exchange(probed, bytes.bytes.size());
            if (!(*settles)(bytes.bytes, from)) return Store::ReadNext::kMore;
          }
          file.offset = out->bytes.size();
          file.size = bytes.bytes.size();
          out->bytes.append(bytes.bytes);
          file.known_text = bytes.known_text;
          file.complete = bytes.complete;
          return Store::ReadNext::kNextFile;
        },
        &file.found, &next);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

// What the two threads of a parallel ReadFiles share. Blocks are taken in
// order, by whichever thread is free (next_block); the visitor's thread
// visits them in order.
struct ReadAhead {
  enum class Block : uint8_t {
    kFree,     // nobody has taken it
    kReading,  // a thread is reading it ahead
    kReady,    // read ahead: in `blocks`
    kRedo,     // reading ahead failed: the visitor's thread reads it in turn
  };
  explicit ReadAhead(size_t count) : state(count, Block::kFree), blocks(count) {}
  // Whether a block may be taken to read ahead: the next one exists and is
  // at most kMaxReadAheadBlocks beyond the one being visited.
  bool MayReadAhead() const {
    return next_block < state.size() && next_block <= visiting + kMaxReadAheadBlocks;
  }
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Block> state;
  std::vector<ReadAheadBlock> blocks;
  std::vector<ReadAheadBlock> spare;
  size_t next_block = 0;  // blocks before it are taken
  size_t visiting = 0;    // the block the visitor's thread is at
  size_t deferred = 0;    // files left to the visitor's thread (ReadBlock)
  bool started = false;   // the helper's connection sees the caller's snapshot
  bool stop = false;      // the visitor's thread wants no more
  bool failed = false;    // the helper gave up; its blocks are read in turn
};

Status SqliteStore::ReadFiles(const std::vector<std::string>& paths, const ReadOptions& options,
                              const std::function<ReadNext(const FileBytes& file)>& visit) {
  Status st;
  for (const std::string& path : paths) {
    st = CheckPath(path);
    if (!st.ok()) return st;
  }
  Txn txn(this);
  st = txn.Begin(false);
  if (!st.ok()) return st;
  const bool parallel = options_.read_only && options_.parallel_reads && schema_version_ >= 3 &&
                        paths.size() >= kParallelMinFiles && !options.stops_early;
  int64_t generation = -1;  // the change counter as this store's snapshot sees it
  if (parallel) {
    Query q = Use(Q::kGeneration);
    if (q.Next(&st)) generation = q.ColInt(0);
    if (!st.ok()) return st;
  }
  Query memory_query = Use(Q::kStreamMemory);
  Query sessions_query = Use(Q::kStreamSessions);
  Query lines_query = Use(Q::kStreamSessionLines);
  Query final_newline_query = Use(Q::kFinalNewline);
  FileReader reader({&memory_query, &sessions_query, &lines_query, &final_newline_query});
  std::string content;
  // One path, on this thread.
  auto read_here = [&](const std::string& path, ReadNext* next) {
    bool found = false;
    Status read = reader.Read(path, options.offer_prefixes, visit, &found, next);
    if (!read.ok() || found) return read;
    // The virtual index, a directory, a missing path: ReadFile's answer.
    read = ReadFile(path, &content);
    if (read.ok()) *next = visit(FileBytes{path, content, false, true});
    return read;
  };

  auto read_alone = [&] {
    for (const std::string& path : paths) {
      ReadNext next = ReadNext::kNextFile;
      Status read = read_here(path, &next);
      if (!read.ok()) return read;
      if (next == ReadNext::kStop) break;
    }
    return txn.Commit();
  };
  if (!parallel) return read_alone();

  // Blocks of kParallelBlock paths, each read by whichever thread takes it
  // first (ReadAhead). The helper opens (and closes) its connection
  // itself, while this thread reads the first block and visits the last.
  const size_t block_count = (paths.size() + kParallelBlock - 1) / kParallelBlock;
  ReadAhead ahead(block_count);
  const PrefixSettles* settles =
      options.offer_prefixes && options.prefix_settles ? &options.prefix_settles : nullptr;
  std::thread helper;
  try {
    helper = std::thread([&] { ReadAheadLoop(db_path_, generation, paths, settles, &ahead); });
  } catch (const std::system_error&) {
    return read_alone();  // no thread to be had
  }
  auto finish = [&](Status result) {
    {
      std::lock_guard<std::mutex> lock(ahead.mu);
      ahead.stop = true;
    }
    ahead.cv.notify_all();
    helper.join();
    // Said whenever the helper's connection was let in, even if this
    // thread had read everything by then.
    if (ahead.started && options_.trace) {
      trace_.push_back("-- ReadFiles: a second connection on the same snapshot reads ahead");
    }
    if (ahead.deferred > 0 && options_.trace) {
      trace_.push_back("-- ReadFiles: " + std::to_string(ahead.deferred) +
                       " files past a read-ahead block's byte budget, read in turn");
    }
    if (!result.ok()) return result;
    return txn.Commit();
  };
  ReadAheadBlock taken;  // the block being visited, when read ahead
  for (size_t block = 0; block < block_count; ++block) {
    const size_t begin = block * kParallelBlock;
    const size_t end = std::min(paths.size(), begin + kParallelBlock);
    bool read_ahead = false;
    {
      std::unique_lock<std::mutex> lock(ahead.mu);
      ahead.visiting = block;
      if (taken.bytes.capacity() > 0) ahead.spare.push_back(std::move(taken));
      ahead.cv.notify_all();  // the helper may read further ahead
      while (true) {
        using Block = ReadAhead::Block;
        Block& state = ahead.state[block];
        if (state == Block::kReady) {
          taken = std::move(ahead.blocks[block]);
          read_ahead = true;
          break;
        }
        if (state == Block::kFree) ahead.next_block = block + 1;
        if (state != Block::kReading) break;  // read it here, visiting as it comes
        if (ahead.failed) break;              // the helper left it half read
        if (ahead.MayReadAhead()) {
          // The helper is still at this block: read a later one meanwhile.
          const size_t later = ahead.next_block++;
          ahead.state[later] = Block::kReading;
          ReadAheadBlock out;
          if (!ahead.spare.empty()) {
            out = std::move(ahead.spare.back());
            ahead.spare.pop_back();
          }
          lock.unlock();
          const size_t later_begin = later * kParallelBlock;
          size_t deferred = 0;
          const Status read = ReadBlock(reader, paths, later_begin,
                                        std::min(paths.size(), later_begin + kParallelBlock),
                                        settles, &out, &deferred);
          lock.lock();
          ahead.deferred += deferred;
          // An error comes back when the visitor gets there, in order.
          ahead.state[later] = read.ok() ? Block::kReady : Block::kRedo;
          if (read.ok()) ahead.blocks[later] = std::move(out);
          continue;
        }
        ahead.cv.wait(lock);
      }
    }
    for (size_t i = begin; i < end; ++i) {
      ReadNext next = ReadNext::kNextFile;
      if (!read_ahead || taken.files[i - begin].deferred) {
        st = read_here(paths[i], &next);
        if (!st.ok()) return finish(st);
      } else if (const ReadAheadFile& file = taken.files[i - begin]; file.found) {
        // An incomplete file read ahead is a prefix `settles` accepted.
        next = visit(
            FileBytes{paths[i], taken.Bytes(file), file.known_text, file.complete, !file.complete});
        if (!file.complete && next == ReadNext::kMore) {
          // The visitor wants more than the prefix that settled the file.
          st = read_here(paths[i], &next);
          if (!st.ok()) return finish(st);
        }
      } else {
        st = ReadFile(paths[i], &content);
        if (!st.ok()) return finish(st);
        next = visit(FileBytes{paths[i], content, false, true});
      }
      if (next == ReadNext::kStop) return finish(Status::Ok());
    }
  }
  return finish(Status::Ok());
}

DbPtr SqliteStore::OpenHelperConnection(const std::string& db_path, int64_t generation) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(db_path.c_str(), &raw,
                      SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) return nullptr;
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  if (sqlite3_exec(db.get(), "PRAGMA query_only = 1; PRAGMA mmap_size = 1099511627776; BEGIN",
                   nullptr, nullptr, nullptr) != SQLITE_OK) {
    return nullptr;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.get(), SqlText(Q::kGeneration), -1, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return nullptr;
  }
  StmtPtr generation_stmt(stmt);
  // The helper's snapshot starts with this read; the same count means no
  // change to the tree was committed between the two snapshots.
  if (sqlite3_step(generation_stmt.get()) != SQLITE_ROW ||
      sqlite3_column_int64(generation_stmt.get(), 0) != generation) {
    return nullptr;
  }
  return db;
}

void SqliteStore::ReadAheadLoop(const std::string& db_path, int64_t generation,
                                const std::vector<std::string>& paths, const PrefixSettles* settles,
                                ReadAhead* ahead) {
  auto give_up = [ahead] {
    {
      std::lock_guard<std::mutex> lock(ahead->mu);
      ahead->failed = true;
    }
    ahead->cv.notify_all();
  };
  // Declared first, so that it closes last: in this thread, while the
  // caller's thread visits the last blocks.
  DbPtr db = OpenHelperConnection(db_path, generation);
  if (db == nullptr) return give_up();
  std::array<StmtPtr, kReaderQueries.size()> stmts;
  std::deque<Query> queries;  // Query is neither copied nor moved
  for (size_t i = 0; i < kReaderQueries.size(); ++i) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db.get(), SqlText(kReaderQueries[i]), -1, &stmt, nullptr);
    stmts[i].reset(stmt);
    if (rc != SQLITE_OK) return give_up();
    queries.emplace_back(db.get(), stmt);
  }
  FileReader reader({&queries[0], &queries[1], &queries[2], &queries[3]});
  std::unique_lock<std::mutex> lock(ahead->mu);
  ahead->started = true;
  while (true) {
    ahead->cv.wait(lock, [&] {
      return ahead->stop || ahead->next_block >= ahead->state.size() || ahead->MayReadAhead();
    });
    if (ahead->stop || ahead->next_block >= ahead->state.size()) return;
    const size_t block = ahead->next_block++;
    ahead->state[block] = ReadAhead::Block::kReading;
    ReadAheadBlock out;
    if (!ahead->spare.empty()) {
      out = std::move(ahead->spare.back());
      ahead->spare.pop_back();
    }
    lock.unlock();
    const size_t begin = block * kParallelBlock;
    size_t deferred = 0;
    const Status st =
        ReadBlock(reader, paths, begin, std::min(paths.size(), begin + kParallelBlock), settles,
                  &out, &deferred);
    lock.lock();
    ahead->deferred += deferred;
    if (!st.ok()) {
      // The visitor's thread reads this block, and the rest, itself.
      ahead->state[block] = ReadAhead::Block::kRedo;
      ahead->failed = true;
      ahead->cv.notify_all();
      return;
    }
    ahead->blocks[block] = std::move(out);
    ahead->state[block] = ReadAhead::Block::kReady;
    ahead->cv.notify_all();
  }
}

Status SqliteStore::IsSelective(const std::string& fts_expr, bool* selective) {
  *selective = true;
  int64_t max_id[2] = {0, 0};  // sessions, memory
  {
    Query q = Use(Q::kRowEstimate);
    Status st;
    if (q.Next(&st)) {
      max_id[0] = q.ColInt(1);
      max_id[1] = q.ColInt(0);
    }
    if (!st.ok()) return st;
  }
  // The share of matching rows, estimated on each table's oldest rows (all
  // of a small table): the cost stays that of a fixed window however
  // large the store, and a wrong guess costs time, never an answer.
  double estimated_hits = 0;
  const Q queries[2] = {Q::kFtsSessionsHits, Q::kFtsMemoryHits};
  for (int t = 0; t < 2; ++t) {
    const int64_t window = std::min(max_id[t], kSelectivityWindow);
    if (window == 0) continue;
    Query q = Use(queries[t]);
    q.Text(1, fts_expr).Int(2, window);
    Status st;
    int64_t hits = 0;
    if (q.Next(&st)) hits = q.ColInt(0);
    if (!st.ok()) return st;
    estimated_hits +=
        static_cast<double>(hits) * static_cast<double>(max_id[t]) / static_cast<double>(window);
  }
  const double rows = static_cast<double>(max_id[0] + max_id[1]);
  *selective = estimated_hits * kMaxCandidateShare < rows;
  return Status::Ok();
}

Status SqliteStore::FindCandidates(std::string_view path, const SubstringQuery& query,
                                   std::vector<std::string>* out, const CandidateOptions& options) {
  out->clear();
  Status st = CheckPath(path);
  if (!st.ok()) return st;
  FtsExpr expr;
  st = QueryToFts(query, 0, &expr);
  if (!st.ok()) return st;
  if (expr.kind == FtsExpr::Kind::kAll) {
    return Err(Code::kInvalidArgument, "the search has no text the content index can use");
  }
  const bool ranked = options.order == CandidateOrder::kBm25;
  // Each hit is keyed by its path with '/' as NUL, which no name holds: the
  // keys' plain byte order is then Walk order, and
  // sorting a common word's 100k hits by memcmp is several times faster.
  struct Hit {
    std::string key;
    double score;  // best bm25 of the file's rows, lower is better
  };
  // Unsearchable files have no score: they rank after every scored one.
  constexpr double kUnscored = std::numeric_limits<double>::infinity();
  std::vector<Hit> hits;
  // Each file once, with its best score: a common word hits most lines of
  // every log, and sorting those repeats cost more than the query itself.
  std::unordered_map<std::string, size_t> seen;
  auto add = [&](std::string_view file, double score) {
    auto [it, inserted] = seen.try_emplace(std::string(file), hits.size());
    if (!inserted) {
      hits[it->second].score = std::min(hits[it->second].score, score);
      return;
    }
    std::string key(file);
    std::replace(key.begin(), key.end(), '/', '\0');
    hits.push_back(Hit{std::move(key), score});
  };
  {
    Txn txn(this);
    st = BeginDirectoryRead(txn, path);
    if (!st.ok()) return st;
    const bool all = path.empty();
    const auto [lo, hi] = SubtreeRange(path);
    if (expr.kind == FtsExpr::Kind::kMatch && !ranked && options.refuse_unselective) {
      bool selective = true;
      st = IsSelective(expr.text, &selective);
      if (!st.ok()) return st;
      if (!selective) {
        return Err(Code::kInvalidArgument,
                   "the search matches too much of the content for the index to help");
      }
    }
    if (expr.kind == FtsExpr::Kind::kMatch) {
      for (const Q q_id : ranked ? std::array{Q::kFtsMemoryRanked, Q::kFtsSessionsRanked}
                                 : std::array{Q::kFtsMemory, Q::kFtsSessions}) {
        Query q = Use(q_id);
        q.Text(1, expr.text).Text(2, lo).Text(3, hi).Int(4, all ? 1 : 0);
        while (q.Next(&st)) add(q.ColText(0), ranked ? q.ColDouble(1) : 0);
        if (!st.ok()) return st;
      }
    }
    {
      // Queued rows are indexed before every memhook COMMIT; any left are
      // from another client's write, and may match.
      Query q = Use(Q::kFtsQueued);
      while (q.Next(&st)) {
        const std::string_view file = q.ColText(0);
        if (all || (file.size() > lo.size() && file.starts_with(lo))) add(file, kUnscored);
      }
      if (!st.ok()) return st;
    }
    {
      Query q = Use(all ? Q::kUnsearchableAll : Q::kUnsearchableBelow);
      if (!all) q.Text(1, lo).Text(2, hi);
      while (q.Next(&st)) add(q.ColText(0), kUnscored);
      if (!st.ok()) return st;
    }
    st = txn.Commit();
    if (!st.ok()) return st;
  }
  // Walk order, each file once with its best score.
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.key != b.key ? a.key < b.key : a.score < b.score;
  });
  hits.erase(std::unique(hits.begin(), hits.end(),
                         [](const Hit& a, const Hit& b) { return a.key == b.key; }),
             hits.end());
  if (ranked) {
    std::stable_sort(hits.begin(), hits.end(),
                     [](const Hit& a, const Hit& b) { return a.score < b.score; });
  }
  out->reserve(hits.size());
  for (Hit& hit : hits) {
    std::replace(hit.key.begin(), hit.key.end(), '\0', '/');
    out->push_back(std::move(hit.key));
  }
  return Status::Ok();
}

}  // namespace internal

using internal::SqliteStore;

std::unique_ptr<Store> OpenSqliteStore(const std::string& db_path, const StoreOptions& options,
                                       Status* status) {
  // SQLite's process-wide settings, made before its first use: no memory
  // statistics, which every allocation counts under one global mutex (the
  // two threads of a parallel ReadFiles spent a twentieth of their time
  // waiting on it). Once SQLite is initialised, sqlite3_config refuses,
  // harmlessly: the defaults stay.
  static std::once_flag configured;
  std::call_once(configured, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  auto store = std::make_unique<SqliteStore>(db_path, options);
  Status st = store->Open();
  if (status != nullptr) *status = st;
  if (!st.ok()) return nullptr;
  return store;
}

}  // namespace memhook::vfs
