// memhook utilities: the GNU-exact implementations of cat, head, tail, wc,
// ls, find, grep, sort, uniq, cut ... over the virtual filesystem.
//
// The only public header of the utils library, used by the fast path and by
// the virtual shell alike (one implementation per utility). It defines the
// interface every utility follows, path resolution shared by all of them, and
// the table of utilities.
//
// A command receives its argv (after quote removal, glob and brace
// expansion), its stdin (the previous pipeline stage's stdout, a `<` file,
// or empty), and writes stdout/stderr bytes and an exit status into a
// CommandIo. It must either reproduce GNU's behaviour exactly or set
// `unsupported` (and nothing else matters then): the whole command line is
// then sent to the next tier. Only the writing utilities (mkdir, rm, mv,
// cp, touch, tee ...) write to the store, and the shell runs them only
// where writes are allowed (`memhook run`, inside the command line's
// change: see vfs::Store::BeginChange); everything else only reads.
#ifndef MEMHOOK_UTILS_UTILS_H_
#define MEMHOOK_UTILS_UTILS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfs/vfs.h"

namespace memhook::utils {

// What every utility may know about the command line it runs in.
struct UtilOptions {
  // Absolute, normalised host path of the mount (no trailing '/').
  std::string mount;
  // Value of $HOME and `~`.
  std::string home;
  // Absolute working directory of the command (the hook's `cwd`).
  std::string cwd;
  // "Now", for `ls -l` date formatting; nanoseconds since the epoch.
  int64_t now_ns = 0;
  // Owner and group names shown by `ls -l` (the exporting user's).
  std::string owner = "root";
  std::string group = "root";
  // Opt-in (MEMHOOK_GREP_RANK=bm25): a recursive grep answered from the
  // content index lists files by FTS5 bm25 relevance instead of path order,
  // for agents that pipe into `head`. Default false: GNU's order.
  bool grep_rank_bm25 = false;
  // The fast path's profile: utilities push work down to the store (grep's
  // content-index candidates and line-prefix reads, head/tail reading only
  // the rows they print, wc -l/-c from metadata). False is the plain
  // interpreter (MEMHOOK_FASTPATH=0): every file is read whole. Both give
  // the same bytes; the corpus checks it. Default true.
  bool pushdown = true;
};

// Result of mapping a path operand, as typed, to the store.
struct ResolvedPath {
  enum class Where {
    kMount,    // inside the mount (or the mount root itself)
    kDevNull,  // /dev/null
    kHost,     // anywhere else on the host: not servable by the fast path
  };
  Where where = Where::kHost;
  std::string vfs_path;         // kMount: normalised VFS path ("" = root)
  std::string absolute;         // lexically normalised absolute host path
  bool trailing_slash = false;  // operand ended in '/' (or "/." etc.)
  // Set when a component before ".." does not exist or is a file, so the
  // kernel would fail the lookup: the error to report, e.g. kNotADirectory.
  std::optional<vfs::Status::Code> lookup_error;
};

struct CommandIo;

// Everything a command may look at. Owned by the executor; lives for one
// command line.
struct CommandEnv {
  vfs::Store& store;
  const UtilOptions& options;
  std::string cwd;  // current working directory (absolute host path; `cd` changes it)

  // The exported environment of the command, "NAME=value" in the shell's
  // order (env, printenv, date's TZ). Null: an empty environment.
  const std::vector<std::string>* environment = nullptr;

  // Runs a command line given as argv (xargs, find -exec) with the shell's
  // lookup (builtins, functions, utilities) and `io` as its streams; returns
  // its exit status (127 not found, 126 not runnable). Null where no shell
  // is present: utilities that need it then report themselves unsupported.
  std::function<int(const std::vector<std::string>& argv, CommandIo& io)> run_command;

  // Runs a command line as `sh -c SCRIPT` would (awk's `print | "cmd"`,
  // `"cmd" | getline`, system()), in a subshell of the interpreter with `io`
  // as its streams; returns its exit status. Writes and host programs inside
  // it are gated like any other command of the line. Null where no shell is
  // present: utilities then report themselves unsupported.
  std::function<int(const std::string& script, CommandIo& io)> run_script = nullptr;

  // The content behind a /dev/fd/N path that a process substitution `<(…)`
  // of this command line made (diff <(sort a) <(sort b)); nullopt for any
  // other path. The view lives as long as the command line. Null: none.
  std::function<std::optional<std::string_view>(std::string_view path)> process_file = nullptr;

  // True under `memhook run` (after the agent's permission flow): a utility
  // may read and write host paths itself (cp between the memory and the
  // host). False: a host path sets `unsupported` with the word "host" in
  // it, and the shell then runs the host's own program or defers the line.
  bool allow_host = false;

  // The value of an exported variable (a view into `environment`), or
  // nullopt when it is not exported.
  std::optional<std::string_view> Getenv(std::string_view name) const;

  // Maps an operand (as typed, after quote removal) to the store.
  ResolvedPath Resolve(std::string_view operand) const;

  // Stat of a resolved kMount path, honouring trailing_slash and
  // lookup_error (a file with a trailing slash is kNotADirectory).
  vfs::Status StatResolved(const ResolvedPath& path, vfs::Stat* out) const;
};

// One output stream of a command. String-like append-only interface; all
// appends of a command's stdout and stderr are also logged in order in a
// shared chunk list, so that `2>&1` can merge them exactly as a real process
// would have interleaved its writes.
class Stream {
 public:
  struct Chunk {
    int fd;
    std::string bytes;
  };
  // Where a command's log goes while the command still runs (see
  // CommandIo::drain). Shared by its two streams.
  struct Drain {
    // Takes the chunks over (the log is cleared after the call). Must not
    // throw: it runs inside the utility.
    std::function<void(std::vector<Chunk>& log)> take;
    // The log is handed over once it holds this many bytes.
    uint64_t threshold = 4u << 20;
    uint64_t pending = 0;
  };
  Stream(int fd, std::vector<Chunk>* log, Drain* drain = nullptr)
      : fd_(fd), log_(log), drain_(drain) {}
  Stream& append(std::string_view bytes);
  // The same, taking the bytes over when they start a chunk (a whole file
  // printed by cat is not copied).
  Stream& append(std::string&& bytes);
  Stream& append(size_t count, char c) { return append(std::string(count, c)); }
  Stream& operator+=(std::string_view bytes) { return append(bytes); }
  Stream& operator+=(char c) { return append(std::string_view(&c, 1)); }
  void push_back(char c) { append(std::string_view(&c, 1)); }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  // '\n' bytes written so far.
  uint64_t lines() const { return lines_; }
  // This stream's bytes alone (copies; for tests and diagnostics). Bytes
  // already drained are not in it.
  std::string str() const;

 private:
  void MaybeDrain(size_t added);

  int fd_;
  std::vector<Chunk>* log_;
  Drain* drain_;
  size_t size_ = 0;
  uint64_t lines_ = 0;
};

// How much of a command's stdout the next stage of its pipeline reads at
// most: a `head -n N` (or `-c N`) reading the pipe. A command that has
// written that much may stop, as the real one would be stopped by SIGPIPE
// once head exits; the pipeline's output and status are the same.
struct OutputNeed {
  uint64_t lines = UINT64_MAX;
  uint64_t bytes = UINT64_MAX;
  bool Met(const Stream& out) const { return out.lines() >= lines || out.size() >= bytes; }
};
// What `head` with these arguments reads of its stdin, when that is a plain
// count of lines or bytes (no operand but "-", no "all but the last N");
// nullopt otherwise (read everything).
std::optional<OutputNeed> HeadStdinNeed(const std::vector<std::string>& argv);

struct CommandIo {
  CommandIo() : out(1, &log, &drain), err(2, &log, &drain) {}
  CommandIo(const CommandIo&) = delete;
  CommandIo& operator=(const CommandIo&) = delete;

  std::string_view stdin_data;  // empty when there is no input
  // True when stdin is a regular file (`< file`), false for a pipe or no
  // input; `wc` sizes its columns differently for the two.
  bool stdin_regular = false;
  // True when stdout is /dev/null; GNU grep behaves differently then.
  bool stdout_is_null = false;
  // What the next stage of the pipeline reads of stdout (see OutputNeed);
  // by default, everything.
  OutputNeed need;
  bool OutputEnough() const { return need.Met(out); }
  std::vector<Stream::Chunk> log;  // every write, in order (fd 1 or 2)
  // Empty by default: the log holds every write until the command returns.
  // The shell sets `take` so that a large output leaves the utility while
  // it runs (into the next stage's pipe, or the answer's spool file): a
  // `cat` of a 500 MB file never holds all of it. A utility never reads
  // back its own output from `log` when `take` may be set.
  Stream::Drain drain;
  Stream out;
  Stream err;
  int status = 0;
  // Non-empty: the command cannot be answered exactly; names the part
  // (e.g. "ls -i", "cat of a host path /etc/passwd").
  std::string unsupported;
  // With `unsupported`: the utility would serve the line itself, host
  // files included, under `memhook run` (CommandEnv::allow_host).
  bool needs_host = false;
};

// argv[0] is the command name as typed; GNU prefixes messages with it.
using CommandFn = void (*)(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);

// GNU's text for a failed lookup: "No such file or directory",
// "Not a directory", "Is a directory".
const char* ErrnoText(vfs::Status::Code code);

// Reads a host file named by `operand` (as typed, relative to env.cwd),
// for utilities under `memhook run` (env.allow_host): the kernel resolves
// the path (symlinks, trailing slashes). kIsADirectory for a directory;
// errors as codes for ErrnoText.
vfs::Status::Code ReadHostFile(const CommandEnv& env, std::string_view operand,
                               std::string* content);

// GNU's quoting of file names in diagnostics (gnulib quotearg):
//  - QuoteShell(name, /*always=*/false) is `quotef`: shell-escape style,
//    quoted only when needed (cat, wc, head/tail headers): `a b` -> 'a b'.
//  - QuoteShell(name, /*always=*/true) is `quoteaf`: always quoted
//    (ls "cannot access", head/tail "cannot open"): `x` -> 'x'.
//  - QuoteLocale is find's style: ‘x’ under a UTF-8 locale, 'x' under C.
std::string QuoteShell(std::string_view name, bool always);
std::string QuoteLocale(std::string_view name);

// bash's pattern matching (`*`, `?`, `[...]` with classes and ranges, `\`
// escapes) on characters: under a UTF-8 locale `?` matches one character.
// For globs, case, [[ == ]] and ${x#pattern}. GNU find -name and grep
// --include use glibc's fnmatch instead, which in C.UTF-8 lets `?` match one
// byte as well as one character: those utilities keep fnmatch, to agree.
struct GlobMatchOptions {
  // A leading '.' of the text matches only a literal '.' (globs).
  bool period = false;
  // Case-insensitive (find -iname, nocaseglob, nocasematch).
  bool casefold = false;
  // bash's extglob operators ?(…) *(…) +(…) @(…) !(…); matched bytewise.
  bool extglob = false;
  // Characters are UTF-8 (true) or bytes (false); nullopt: as the process
  // locale says. The shell passes its own LC_ALL / LC_CTYPE / LANG.
  std::optional<bool> utf8;
};
bool GlobMatch(std::string_view pattern, std::string_view text, const GlobMatchOptions& options);

// Current locale facts (read from the environment once per process).
bool LocaleIsUtf8();
// strcoll-based comparison in the current LC_COLLATE (byte order under C).
int CollateCompare(std::string_view a, std::string_view b);

// Command implementations.
void CmdCat(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdHead(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdTail(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdWc(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdLs(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdFind(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// sort [-rnufsb] [-t C] [-k N[,M][nrfb]], uniq [-cdui], cut -f|-c|-b LIST [-d C] [-s].
void CmdSort(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdUniq(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdCut(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// grep, egrep, fgrep (argv[0] selects the default syntax).
void CmdGrep(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// cmd_misc.cc: basename, dirname, seq, realpath, readlink, stat, env,
// printenv, date, sleep, yes.
void CmdBasename(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdDirname(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdSeq(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdRealpath(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdReadlink(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdStat(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdEnv(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdPrintenv(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdDate(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdSleep(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdYes(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// cmd_xargs.cc: xargs [-0 -d C -n N -L N -I STR -r -t -P1 ...], through env.run_command.
void CmdXargs(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// The writing utilities (cmd_write.cc, write_copy.cc): they change the store
// (and, with CommandEnv::allow_host, host files).
void CmdMkdir(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdRm(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdRmdir(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdMv(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdCp(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdTouch(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdChmod(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdTruncate(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdTee(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// cmd_sed.cc, sed_compile.cc: GNU sed 4.9 (-i and w FILE write).
void CmdSed(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// Whether a sed command line may write files: -i, or a w/W command or
// s///w flag naming a file other than /dev/stdout and /dev/stderr in its
// script (created even when a later part of the script is in error); a
// script in a -f file is assumed to write. For the interpreter's Writes().
bool SedWrites(const std::vector<std::string>& argv);
// cmd_jq.cc: jq 1.6 through Debian's libjq (modules, -L and the host's
// time zone refused).
void CmdJq(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);

// cmd_awk.cc, awk_compile.cc: awk as Debian's mawk 1.3.4 prints it, with
// mawk's own regex matcher (it does not always take the longest match),
// hash-table order for `for (k in a)`, number formatting and messages.
// `print > FILE` and `>>` write through the write path; `| cmd`,
// `cmd | getline` and system() run through CommandEnv::run_script.
void CmdAwk(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// Whether an awk command line may write files: an output redirection
// `>`/`>>` to a file other than /dev/stdout, /dev/stderr and /dev/null in
// its program, or any -f program. Pipes and system() are not counted: the
// commands they run are gated by run_script like any other command.
bool AwkWrites(const std::vector<std::string>& argv);
// cmd_textutils.cc: tr, paste, nl, tac, rev, fold, fmt, expand, unexpand,
// strings (GNU coreutils 9.1, util-linux rev, binutils strings).
void CmdTr(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdPaste(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdNl(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdTac(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdRev(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdFold(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdFmt(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdExpand(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdUnexpand(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdStrings(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// cmd_checksum.cc: base64 and the digests md5sum sha1sum sha224sum
// sha256sum sha384sum sha512sum b2sum (argv[0] selects) and cksum, -c too.
void CmdBase64(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdDigest(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdCksum(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// cmd_diff.cc: GNU diffutils 3.8 diff (what it cannot print exactly is refused).
void CmdDiff(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// cmd_compare.cc: cmp (diffutils), comm and join (coreutils).
void CmdCmp(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdComm(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdJoin(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// cmd_column.cc: util-linux 2.38 column.
void CmdColumn(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// cmd_numeric.cc: od, expr (coreutils 9.1).
void CmdOd(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
void CmdExpr(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// cmd_numfmt.cc: numfmt (coreutils 9.1).
void CmdNumfmt(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io);
// Whether sort (-o FILE) or uniq (an OUTPUT operand) writes a file. For the
// interpreter's Writes().
bool SortWrites(const std::vector<std::string>& argv);
bool UniqWrites(const std::vector<std::string>& argv);

struct CommandSpec {
  const char* name;
  CommandFn fn;
  const char* summary;  // what is supported, for `explain`
};

// The table of commands the fast path serves (commands.cc); null if absent.
const CommandSpec* FindCommand(std::string_view name);

}  // namespace memhook::utils

#endif  // MEMHOOK_UTILS_UTILS_H_
