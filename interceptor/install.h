// memhook install / uninstall: registers memhook as the hooks of Claude Code
// and Codex, and tells Codex where its memory is (a marked block in
// AGENTS.md).
//
//   memhook install   claude|codex|all [--scope user|project] [--dry-run]
//   memhook uninstall claude|codex|all [--scope user|project] [--dry-run]
//
// Files, by agent and scope (user scope / project scope, <cwd> = the
// current directory):
//   claude  <claude dir>/settings.json          <cwd>/.claude/settings.json
//   codex   <codex home>/hooks.json             <cwd>/.codex/hooks.json
//           <codex home>/AGENTS.md              <cwd>/AGENTS.md
// where <claude dir> is $CLAUDE_CONFIG_DIR or ~/.claude and <codex home> is
// $CODEX_HOME or ~/.codex.
//
// Three steps, each usable alone: ParseInstallArgs (usage errors),
// PlanInstall (reads the files and computes every new content; writes
// nothing) and ApplyInstall (writes the plan). RunInstall chains them.
//
// Guarantees:
//  - Only memhook's own handlers are touched: a handler whose command's
//    program is a file named `memhook` or `memhook-front` (any directory).
//    Every other key, hook, permission and value keeps its place and value.
//    JSON files memhook changes are re-serialised with 2-space indentation.
//  - An install that changes nothing writes nothing (not even the same
//    bytes): Codex asks the user to trust changed hook files again.
//  - Writes are atomic (temporary file in the same directory, fsync,
//    rename) and keep the file's mode; a symlinked file is written through
//    its link. Before memhook first changes a file that held no memhook
//    entries, its exact bytes are saved beside it as FILE.memhook-backup.
//  - uninstall right after install (nobody changed the file in between)
//    gives back the original bytes: the backup is restored, or a file that
//    install created is removed (and its .claude/.codex directory when that
//    is left empty). Otherwise memhook's entries, and the arrays and objects
//    only they filled, are removed and the rest is kept.
//  - Malformed JSON, or a `hooks` value of the wrong type: an error naming
//    the file and the problem, and no file is changed at all.
//
// Nothing here throws.
#ifndef MEMHOOK_INTERCEPTOR_INSTALL_H_
#define MEMHOOK_INTERCEPTOR_INSTALL_H_

#include <string>
#include <string_view>
#include <vector>

#include "interceptor/hook.h"
#include "vfs/vfs.h"

namespace memhook::interceptor {

enum class Agent { kClaude, kCodex };
enum class InstallScope { kUser, kProject };

struct InstallRequest {
  bool uninstall = false;
  std::vector<Agent> agents;  // in order, no duplicates; `all` = claude, codex
  InstallScope scope = InstallScope::kUser;
  bool dry_run = false;  // print a unified diff of each file, change nothing
  bool help = false;     // -h / --help: print the usage, do nothing else
};

// Where things are; every path absolute. Filled from the process by
// InstallEnvFromProcess(); tests fill it by hand with temporary directories.
struct InstallEnv {
  std::string home;               // $HOME
  std::string cwd;                // the project directory for --scope project
  std::string memhook_path;       // the memhook binary the hooks will run
  std::string mount;              // the memory mount, for the AGENTS.md text
  std::string claude_config_dir;  // $CLAUDE_CONFIG_DIR; empty = <home>/.claude
  std::string codex_home;         // $CODEX_HOME; empty = <home>/.codex
};

// The usage text (two lines, newline-terminated).
std::string InstallUsage();

// Parses the arguments after the verb. A bad argument is an
// InvalidArgument status whose message says which (exit status 2).
vfs::Status ParseInstallArgs(const std::vector<std::string>& args, bool uninstall,
                             InstallRequest* request);

// One file of a plan: what it holds now and what it will hold.
struct PlannedFile {
  enum class Change { kNone, kWrite, kRemove };
  enum class Backup {
    kNone,      // no backup involved
    kWrite,     // install: save old_bytes to backup_path before writing
    kExisting,  // install: a backup from an earlier install stays valid
    kRestore,   // uninstall: new_bytes are the backup's; remove it after
    kKept,      // uninstall: the file changed since install; backup left
  };
  std::string path;       // as the user names it (a symlink stays a symlink)
  std::string real_path;  // where the bytes are written: `path`, or its link's target
  std::string label;      // "Claude Code hooks", "Codex hooks", "the memory note"
  bool existed = false;
  std::string old_bytes;
  Change change = Change::kNone;
  std::string new_bytes;  // for kWrite
  Backup backup = Backup::kNone;
  std::string backup_path;
  // The agent's config directory holding `path` (.claude, .codex, ...):
  // created when missing before a write, removed when a kRemove leaves it
  // empty. Empty for files directly in the project directory.
  std::string config_dir;
};

struct InstallPlan {
  bool uninstall = false;
  bool dry_run = false;
  std::vector<PlannedFile> files;
  std::vector<std::string> notes;  // extra lines for the user (warnings, Codex trust)
};

// Reads every file of `request` and computes its new content. Writes
// nothing. Fails (and plans nothing) on an unreadable file, malformed JSON,
// a `hooks` value of the wrong type or an unterminated memhook block; the
// message names the file.
vfs::Status PlanInstall(const InstallRequest& request, const InstallEnv& env, InstallPlan* plan);

// Writes `plan` (backups first, then the files, atomically) and appends one
// line per file to *out. Stops at the first failure, which names the file;
// the files written before it stay written.
vfs::Status ApplyInstall(const InstallPlan& plan, std::string* out);

// What --dry-run prints: the unified diff of each file that would change,
// then one line per file.
std::string RenderDryRun(const InstallPlan& plan);

// A unified diff (3 lines of context, `--- old_label` / `+++ new_label`
// headers, "\ No newline at end of file" markers) of two short texts,
// compared line by line; "" when they are equal.
std::string UnifiedDiff(std::string_view old_text, std::string_view new_text,
                        std::string_view old_label, std::string_view new_label);

// The whole verb: parse, plan, apply (or render). Returns the exit status:
// 0 done, 1 failed (message in *err, nothing or part written as above),
// 2 usage error (usage in *err).
int RunInstall(const std::vector<std::string>& args, bool uninstall, const InstallEnv& env,
               std::string* out, std::string* err);

// The environment of this process: `config`'s home and mount, getcwd(),
// /proc/self/exe (or config.self_path), $CLAUDE_CONFIG_DIR, $CODEX_HOME.
InstallEnv InstallEnvFromProcess(const Config& config);

// `memhook install|uninstall ARGS...`: RunInstall on this process's
// environment, printing to stdout and stderr. Returns the exit status.
int InstallMain(const std::vector<std::string>& args, bool uninstall, const Config& config);

}  // namespace memhook::interceptor

#endif  // MEMHOOK_INTERCEPTOR_INSTALL_H_
