// Test support (not part of memhook): the differential fixture of the
// utility tests (utils/*_test.cc). A real directory (DiskTree) is imported
// into a store; each command line is answered by the utility called
// directly on the store and by real bash + the real tool on the directory,
// and stdout, stderr and status must agree, with the utility not reporting
// itself unsupported. What memhook refuses is checked to be refused, never
// answered. doctest binaries only (failures are CHECKs and REQUIREs).
//
// A test derives from UtilityDiff when it needs more than the defaults:
// PrepareEnv (the utility's CommandEnv: run_script, a fixed clock) and
// Normalise (stdout compared modulo what cannot agree, such as "now").
#ifndef MEMHOOK_TESTS_SUPPORT_UTILITY_DIFF_H_
#define MEMHOOK_TESTS_SUPPORT_UTILITY_DIFF_H_

#include <functional>
#include <string>
#include <vector>

#include "tests/support/disk_tree.h"
#include "utils/utils.h"

namespace memhook::testing {

// What one side printed.
struct UtilityResult {
  std::string out, err;
  std::string merged;  // stdout and stderr in the order written (2>&1)
  int status = 0;
  std::string unsupported;  // memhook only: why it refused
};

class UtilityDiff {
 public:
  // A new tree in /tmp/`temp_prefix`-XXXXXX with LC_ALL=`locale` (see
  // DiskTree); `build` writes its files, then it is imported (no virtual
  // index.md) and frozen.
  UtilityDiff(const char* temp_prefix, const char* locale,
              const std::function<void(DiskTree&)>& build);
  virtual ~UtilityDiff() = default;
  UtilityDiff(const UtilityDiff&) = delete;
  UtilityDiff& operator=(const UtilityDiff&) = delete;

  // The utility named by the command's first word, on the store, in the
  // tree's directory. The command is split into words as ShellWords does;
  // with stdin_redirects(), a word `<` followed by FILE redirects stdin
  // from FILE of the tree (a regular file, as bash would give it).
  // `environment` ("K=V" each) is the command's whole environment; null:
  // an empty one.
  UtilityResult Ours(const std::string& command, const std::string& input = "",
                     const std::vector<std::string>* environment = nullptr);
  // `cd TREE && COMMAND` by real bash, stdin holding `input`. With
  // `merged`, run again as `{ COMMAND\n} 2>&1` for UtilityResult::merged.
  UtilityResult Real(const std::string& command, const std::string& input = "",
                     bool merged = false) const;

  // Both sides agree on stdout (Normalise'd), stderr and status; with
  // `merged`, on the interleaving of the two as well.
  void Compare(const std::string& command, const std::string& input = "", bool merged = false);
  // The same with variables set for the command: `assignments` ("K=V")
  // prefix the real command line and replace those of this process's
  // environment for ours.
  void CompareWith(const std::vector<std::string>& assignments, const std::string& command,
                   const std::string& input = "");
  // Ours refuses the command (io.unsupported), whatever the real tool says.
  void Refused(const std::string& command, const std::string& input = "");

  DiskTree& tree() { return tree_; }
  vfs::Store& store() { return *tree_.store; }
  utils::UtilOptions& options() { return options_; }

  int compared = 0;
  int refused = 0;

 protected:
  // The utility's environment, before it runs (default: as it is).
  virtual void PrepareEnv(utils::CommandEnv& env) { (void)env; }
  // Stdout as compared (default: as it is).
  virtual std::string Normalise(const std::string& out) const { return out; }
  // `< FILE` in a command line redirects ours too (ShellWords cannot tell
  // it from an escaped `\<`, an operand of expr). Default: off.
  void set_stdin_redirects(bool on) { stdin_redirects_ = on; }

 private:
  DiskTree tree_;
  utils::UtilOptions options_;
  bool stdin_redirects_ = false;
};

// A test binary checks its command lines again under LC_ALL=C by running
// its doctest case `test_case` in a child with `marker`=1 in the
// environment (a locale must be set before anything reads it).
// InLocaleChild tells the child apart; RunLocaleChild (in the parent) runs
// it and checks that it passed.
bool InLocaleChild(const char* marker);
void RunLocaleChild(const char* test_case, const char* marker);

}  // namespace memhook::testing

#endif  // MEMHOOK_TESTS_SUPPORT_UTILITY_DIFF_H_
