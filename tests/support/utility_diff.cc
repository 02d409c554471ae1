#include "tests/support/utility_diff.h"

#include <doctest/doctest.h>

#include <cstdlib>

namespace memhook::testing {

UtilityDiff::UtilityDiff(const char* temp_prefix, const char* locale,
                         const std::function<void(DiskTree&)>& build)
    : tree_(temp_prefix, locale) {
  build(tree_);
  vfs::StoreOptions store_options;
  store_options.virtual_index = false;
  tree_.Import(store_options);
  options_ = tree_.Options("");
  options_.cwd = tree_.tree.string();
}

UtilityResult UtilityDiff::Ours(const std::string& command, const std::string& input,
                                const std::vector<std::string>* environment) {
  std::vector<std::string> argv = ShellWords(command);
  std::string redirected;
  bool regular = false;
  for (size_t i = 0; stdin_redirects_ && i + 1 < argv.size(); ++i) {
    if (argv[i] != "<") continue;
    redirected = Slurp(tree_.tree / argv[i + 1]);
    regular = true;
    argv.erase(argv.begin() + static_cast<long>(i), argv.begin() + static_cast<long>(i) + 2);
    break;
  }
  REQUIRE(!argv.empty());
  const utils::CommandSpec* spec = utils::FindCommand(argv[0]);
  REQUIRE_MESSAGE(spec != nullptr, argv[0]);
  utils::CommandEnv env{*tree_.store, options_, options_.cwd, environment, nullptr};
  PrepareEnv(env);
  utils::CommandIo io;
  io.stdin_data = regular ? std::string_view(redirected) : std::string_view(input);
  io.stdin_regular = regular;
  spec->fn(argv, env, io);
  UtilityResult result{io.out.str(), io.err.str(), "", io.status, io.unsupported};
  for (const utils::Stream::Chunk& chunk : io.log) result.merged += chunk.bytes;
  return result;
}

UtilityResult UtilityDiff::Real(const std::string& command, const std::string& input,
                                bool merged) const {
  const std::string cd = "cd " + ShellQuote(tree_.tree.string()) + " && ";
  ProcResult r = tree_.Bash(cd + command, "", input);
  UtilityResult result{r.out, r.err, "", r.status, ""};
  if (merged) result.merged = tree_.Bash(cd + "{ " + command + "\n} 2>&1", "", input).out;
  return result;
}

void UtilityDiff::Compare(const std::string& command, const std::string& input, bool merged) {
  CAPTURE(command);
  CAPTURE(input);
  const UtilityResult real = Real(command, input, merged);
  const UtilityResult ours = Ours(command, input);
  REQUIRE_MESSAGE(ours.unsupported.empty(), ours.unsupported);
  CHECK(Normalise(ours.out) == Normalise(real.out));
  CHECK(ours.err == real.err);
  CHECK(ours.status == real.status);
  if (merged) CHECK(Normalise(ours.merged) == Normalise(real.merged));
  ++compared;
}

void UtilityDiff::CompareWith(const std::vector<std::string>& assignments,
                              const std::string& command, const std::string& input) {
  CAPTURE(command);
  std::string prefix;
  for (const std::string& a : assignments) prefix += a + " ";
  CAPTURE(prefix);
  const std::vector<std::string> environment = EnvironWith(assignments);
  const UtilityResult real = Real(prefix + command, input);
  const UtilityResult ours = Ours(command, input, &environment);
  REQUIRE_MESSAGE(ours.unsupported.empty(), ours.unsupported);
  CHECK(Normalise(ours.out) == Normalise(real.out));
  CHECK(ours.err == real.err);
  CHECK(ours.status == real.status);
  ++compared;
}

void UtilityDiff::Refused(const std::string& command, const std::string& input) {
  CAPTURE(command);
  CHECK(Ours(command, input).unsupported != "");
  ++refused;
}

bool InLocaleChild(const char* marker) {
  const char* v = std::getenv(marker);
  return v != nullptr && std::string(v) == "1";
}

void RunLocaleChild(const char* test_case, const char* marker) {
  const ProcResult r = RunSelfTestCase(test_case, {std::string(marker) + "=1", "LC_ALL=C"});
  REQUIRE_MESSAGE(r.spawn_error.empty(), r.spawn_error);
  CAPTURE(r.out);
  CAPTURE(r.err);
  CHECK(r.status == 0);
}

}  // namespace memhook::testing
