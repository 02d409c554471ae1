// The engine: prefilter, parse, classify, expand and execute a command line
// against the store with bash's semantics for lists, pipelines and
// redirections.
#include <fnmatch.h>
#include <glob.h>

#include <algorithm>
#include <sstream>

#include "fastpath/fastpath.h"
#include "parser/ast.h"
#include "shell/shell.h"
#include "utils/utils.h"

namespace memhook::fastpath {

using utils::CollateCompare;
using utils::CommandEnv;
using utils::CommandIo;
using utils::CommandSpec;
using utils::ErrnoText;
using utils::FindCommand;
using utils::HeadStdinNeed;
using utils::OutputNeed;
using utils::ResolvedPath;
using utils::Stream;

const char* RouteName(Route route) {
  switch (route) {
    case Route::kPassThrough:
      return "pass-through";
    case Route::kFastPath:
      return "fast-path";
    case Route::kShell:
      return "shell";
    case Route::kRun:
      return "run";
    case Route::kNextTier:
      return "next-tier";
  }
  return "?";
}

namespace {

bool IsInside(std::string_view path, std::string_view dir) {
  return path == dir ||
         (path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/');
}

std::string Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::vector<std::string> SplitSegments(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

std::string Absolute(std::string_view path, std::string_view cwd) {
  if (!path.empty() && path[0] == '/') return std::string(path);
  return std::string(cwd) + "/" + std::string(path);
}

// Lexically normalised absolute path ("." and ".." folded).
std::string Normalise(std::string_view absolute) {
  std::vector<std::string> stack;
  for (std::string& segment : SplitSegments(absolute)) {
    if (segment == ".") continue;
    if (segment == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    stack.push_back(std::move(segment));
  }
  std::string out;
  for (const std::string& s : stack) out += "/" + s;
  return out.empty() ? "/" : out;
}

// Could the glob pattern (absolute) match the mount or anything below it?
bool GlobReachesMount(std::string_view pattern_absolute, std::string_view mount) {
  std::vector<std::string> pattern = SplitSegments(pattern_absolute);
  std::vector<std::string> mount_segments = SplitSegments(mount);
  if (pattern.size() < mount_segments.size()) return false;
  for (size_t i = 0; i < mount_segments.size(); ++i) {
    if (pattern[i] == "." || pattern[i] == "..") return true;  // be conservative
    if (!utils::GlobMatch(pattern[i], mount_segments[i],
                          utils::GlobMatchOptions{true, false, false, std::nullopt}))
      return false;
  }
  return true;
}

constexpr size_t kMaxCommandBytes = 64 * 1024;

// Whether a command line reaches the mount, decided on the words as the
// interpreter would resolve them: quotes removed, `~` and $HOME expanded,
// relative paths taken from every directory a literal `cd` may have moved
// to. A word that cannot be resolved statically ($x, $(...)) counts when its
// text names the mount's last component: conservative, never a miss.
class MountScan {
 public:
  explicit MountScan(const EngineOptions& options)
      : options_(options),
        base_(Basename(options.mount)),
        parent_(Basename(options.mount.substr(0, options.mount.rfind('/')))) {
    cwds_.push_back(options.cwd);
  }
  bool touches() const { return touches_; }

  void Command(const parser::ast::Command& cmd) {
    if (touches_) return;
    for (const parser::ast::Assignment& a : cmd.assignments) {
      if (a.value) Word(*a.value);
      for (const parser::ast::Word& w : a.elements) Word(w);
    }
    for (const parser::ast::Word& w : cmd.words) {
      Word(w);
      if (w.assignment && w.assignment->value) Word(*w.assignment->value);
    }
    for (const parser::ast::ScriptRedirect& r : cmd.redirects) {
      if (r.op == parser::RedirectOp::kHeredoc) {
        Parts(r.target, /*paths=*/false);  // substitutions inside the body only
      } else {
        Word(r.target);
      }
    }
    for (const parser::ast::CaseItem& item : cmd.items) {
      for (const parser::ast::Word& w : item.patterns) Parts(w, false);
      if (item.body) Command(*item.body);
    }
    if (cmd.cond) Cond(*cmd.cond);
    for (const auto& child : cmd.children) Command(*child);
    if (cmd.kind == parser::ast::CommandKind::kSimple) {
      Cd(cmd);
      Eval(cmd);
    }
  }

 private:
  // `cd DIR` moves every later relative word; a dynamic target leaves the
  // directory unknown.
  void Cd(const parser::ast::Command& cmd) {
    if (cmd.words.empty()) return;
    std::optional<std::string> name = Static(cmd.words[0]);
    if (!name || (*name != "cd" && *name != "pushd")) return;
    if (cmd.words.size() == 1) {
      cwds_.push_back(options_.home);
      return;
    }
    std::optional<std::string> target = Static(cmd.words.back());
    if (!target) {
      cwd_unknown_ = true;
      return;
    }
    std::vector<std::string> next;
    for (const std::string& cwd : cwds_) next.push_back(Normalise(Absolute(*target, cwd)));
    cwds_.insert(cwds_.end(), next.begin(), next.end());
    for (const std::string& cwd : next) touches_ |= IsInside(cwd, options_.mount);
  }

  // `eval 'cat ~/.memhook/memory/x'`: the text is a command line too.
  void Eval(const parser::ast::Command& cmd) {
    if (cmd.words.empty() || eval_depth_ >= 8) return;
    std::optional<std::string> name = Static(cmd.words[0]);
    if (!name || *name != "eval") return;
    std::string text;
    for (size_t i = 1; i < cmd.words.size(); ++i) {
      std::optional<std::string> word = Static(cmd.words[i]);
      if (!word) return;  // dynamic: Word() already judged its raw text
      text += (i > 1 ? " " : "") + *word;
    }
    parser::ast::ScriptParser parser;
    parser::ast::ScriptResult parsed = parser.Parse(text);
    if (!parsed.ok()) {
      touches_ |= text.find(base_) != std::string::npos;
      return;
    }
    ++eval_depth_;
    Command(*parsed.script);
    --eval_depth_;
  }

  void Cond(const parser::ast::CondExpr& e) {
    for (const parser::ast::Word& w : e.words) Word(w);
    for (const parser::ast::CondExpr& c : e.children) Cond(c);
  }

  void Word(const parser::ast::Word& w) {
    Parts(w, true);
    if (touches_) return;
    std::string pattern;
    bool glob = false;
    std::optional<std::string> text = Static(w, &pattern, &glob);
    if (!text) {
      touches_ |= w.raw.find(base_) != std::string::npos ||
                  (!parent_.empty() && w.raw.find(parent_) != std::string::npos);
      // After a `cd` to the mount's parent, a dynamic relative word may
      // spell the rest (`cd ~/.memhook; cat $d/x`).
      for (size_t i = 1; i < cwds_.size(); ++i) {
        touches_ |= IsInside(options_.mount, cwds_[i]) && cwds_[i] != "/";
      }
      return;
    }
    if (text->empty()) return;
    // `--opt=PATH` and `VAR=PATH` name a path after the '='.
    std::vector<std::string> candidates = {*text};
    std::vector<std::string> patterns = {pattern};
    size_t eq = text->find('=');
    if (eq != std::string::npos && !glob) candidates.push_back(text->substr(eq + 1));
    for (const std::string& cwd : cwds_) {
      if (glob) {
        touches_ |= GlobReachesMount(Absolute(pattern, cwd), options_.mount);
        continue;
      }
      for (const std::string& c : candidates) {
        if (c.empty()) continue;
        touches_ |= IsInside(Normalise(Absolute(c, cwd)), options_.mount);
      }
    }
    if (cwd_unknown_ && text->find(base_) != std::string::npos) touches_ = true;
  }

  // Substitutions inside a word run commands of their own.
  void Parts(const parser::ast::Word& w, bool) {
    for (const parser::ast::WordPart& p : w.parts) {
      if (p.program) Command(*p.program);
      if (p.arith) Parts(*p.arith, false);
      if (p.param) {
        if (p.param->operand) Word(*p.param->operand);
        if (p.param->operand2) Word(*p.param->operand2);
      }
    }
  }

  // The word's value when it does not depend on run time: literal parts,
  // `~`, $HOME. `pattern` gets the fnmatch pattern (quoted characters
  // escaped) and `glob` whether an unquoted *, ? or [ is in it.
  std::optional<std::string> Static(const parser::ast::Word& w, std::string* pattern = nullptr,
                                    bool* glob = nullptr) const {
    std::string text, pat;
    bool has_glob = false;
    auto quoted = [&](const std::string& s) {
      text += s;
      for (char c : s) {
        if (c == '*' || c == '?' || c == '[' || c == '\\' || c == ']') pat += '\\';
        pat += c;
      }
    };
    for (const parser::ast::WordPart& p : w.parts) {
      switch (p.kind) {
        case parser::ast::WordPart::Kind::kLiteral:
          if (p.quoted) {
            quoted(p.text);
          } else {
            text += p.text;
            pat += p.text;
            has_glob |= p.text.find_first_of("*?[") != std::string::npos;
          }
          break;
        case parser::ast::WordPart::Kind::kTilde:
          if (!p.text.empty()) return std::nullopt;
          quoted(options_.home);
          break;
        case parser::ast::WordPart::Kind::kParam:
          if (p.param->name != "HOME" || p.param->op != parser::ast::ParamExpansion::Op::kPlain ||
              p.param->subscript || p.param->length || p.param->indirect)
            return std::nullopt;
          quoted(options_.home);
          break;
        default:
          return std::nullopt;
      }
    }
    if (pattern != nullptr) *pattern = pat;
    if (glob != nullptr) *glob = has_glob;
    return text;
  }

  const EngineOptions& options_;
  std::string base_;
  std::string parent_;  // the mount's parent's last component (".memhook")
  std::vector<std::string> cwds_;
  bool cwd_unknown_ = false;
  bool touches_ = false;
  int eval_depth_ = 0;
};

// `explain`: the tree the interpreter runs, one node a line.
void DescribeCommand(const parser::ast::Command& cmd, int depth, std::ostringstream& os) {
  static const char* const kKinds[] = {"simple", "sequence", "and-or",   "pipeline",   "subshell",
                                       "group",  "if",       "for",      "for ((;;))", "while",
                                       "until",  "case",     "function", "[[ ]]",      "(( ))"};
  os << std::string(2 * depth + 2, ' ') << kKinds[static_cast<int>(cmd.kind)];
  if (!cmd.name.empty()) os << " " << cmd.name;
  for (const parser::ast::Assignment& a : cmd.assignments) os << " [" << a.name << "=]";
  for (const parser::ast::Word& w : cmd.words) os << " [" << w.raw << "]";
  for (const parser::ast::ScriptRedirect& r : cmd.redirects) {
    os << " redirect(fd " << r.fd << " op " << static_cast<int>(r.op) << ")";
  }
  os << "\n";
  for (const auto& child : cmd.children) DescribeCommand(*child, depth + 1, os);
  for (const parser::ast::CaseItem& item : cmd.items) {
    if (item.body) DescribeCommand(*item.body, depth + 1, os);
  }
}

}  // namespace

bool MayTouchMount(std::string_view command, const EngineOptions& options) {
  if (IsInside(options.cwd, options.mount)) return true;
  const std::string base = Basename(options.mount);
  if (command.find(base) != std::string_view::npos) return true;
  if (command.find_first_of("*?[") != std::string_view::npos) return true;
  // Quotes and backslashes can split the name (`mem""ory`, `mem\ory`), and
  // $'...' can spell it in escapes; the mount's parent can be reached first
  // and the rest built at run time (`cd ~/.memhook && cat $d/x`).
  if (command.find("$'") != std::string_view::npos) return true;
  const std::string parent = Basename(options.mount.substr(0, options.mount.rfind('/')));
  if (!parent.empty() && command.find(parent) != std::string_view::npos) return true;
  if (command.find_first_of("\"'\\") == std::string_view::npos) return false;
  std::string unquoted;
  unquoted.reserve(command.size());
  for (char c : command) {
    if (c != '"' && c != '\'' && c != '\\') unquoted += c;
  }
  return unquoted.find(base) != std::string::npos;
}

struct Engine::Impl {
  parser::ast::ScriptParser parser;  // reused across Run calls
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;

namespace {

Answer NextTier(std::string reason) {
  Answer answer;
  answer.route = Route::kNextTier;
  answer.reason = std::move(reason);
  answer.status = 126;
  return answer;
}

// The interpreter's answer, or the route that stands for its refusal.
Answer Interpret(const parser::ast::Command& script, vfs::Store& store,
                 const EngineOptions& options, const RunFlags& flags) {
  shell::ShellOptions shell_options;
  shell_options.util = options;
  shell_options.util.pushdown = flags.fast_path;
  shell_options.environment = flags.environment;
  shell_options.allow_host = flags.allow_host;
  shell_options.allow_writes = flags.allow_writes;
  shell_options.limits.max_millis = flags.shell_millis;
  shell_options.open_stdout_spill = flags.open_stdout_spill;
  shell::ShellResult result = shell::RunProgram(script, store, shell_options);
  Answer answer;
  switch (result.outcome) {
    case shell::ShellResult::Outcome::kDone:
      answer.route = flags.fast_path ? Route::kFastPath : Route::kShell;
      answer.reason = flags.fast_path ? "answered from the store"
                                      : "answered by the plain interpreter (no pushdowns)";
      answer.out = std::move(result.out);
      answer.out_spilled = result.out_spilled;
      answer.err = std::move(result.err);
      answer.status = result.status;
      return answer;
    case shell::ShellResult::Outcome::kNeedsHost:
      answer.route = Route::kRun;
      answer.reason = "needs the host: " + result.reason;
      return answer;
    case shell::ShellResult::Outcome::kWrites:
      answer.route = Route::kRun;
      answer.reason = "writes: " + result.reason;
      answer.writes = true;
      return answer;
    case shell::ShellResult::Outcome::kLimit:
    case shell::ShellResult::Outcome::kUnsupported:
      break;
  }
  return NextTier(result.reason);
}

}  // namespace

Answer Engine::Run(std::string_view command, const EngineOptions& options,
                   const StoreOpener& open_store, const RunFlags& flags) {
  Answer answer;
  if (!MayTouchMount(command, options)) {
    answer.reason = "the text cannot name the mount";
    return answer;
  }
  const bool cwd_inside = IsInside(options.cwd, options.mount);
  const bool names_mount = command.find(Basename(options.mount)) != std::string_view::npos;
  parser::ast::ScriptResult script = impl_->parser.Parse(command);
  bool touches = cwd_inside;
  if (script.ok()) {
    MountScan scan(options);
    scan.Command(*script.script);
    touches |= scan.touches();
  } else {
    // Not even the full grammar takes it: if it may name the mount, it is
    // refused (never half-run); otherwise bash will say what is wrong.
    touches |= names_mount;
  }
  if (!touches) {
    answer.reason = "no word names the mount";
    return answer;
  }
  if (!script.ok())
    return NextTier("the command could not be parsed exactly (" + script.error + ")");
  // Utilities are linear, but some inputs are not (a megabyte grep pattern,
  // a pipeline of 100,000 stages): the hook must answer in bounded time.
  if (command.size() > kMaxCommandBytes) {
    return NextTier("a command line of " + std::to_string(command.size()) +
                    " bytes (the limit is " + std::to_string(kMaxCommandBytes) + ")");
  }
  std::string error;
  vfs::Store* store = open_store(&error);
  if (store == nullptr) return NextTier("the memory store is unavailable: " + error);
  return Interpret(*script.script, *store, options, flags);
}

std::string Engine::Explain(std::string_view command, const EngineOptions& options,
                            const StoreOpener& open_store) {
  std::ostringstream os;
  os << "command: " << command << "\n";
  os << "mount: " << options.mount << "\ncwd: " << options.cwd << "\n";
  os << "prefilter: "
     << (MayTouchMount(command, options) ? "may name the mount" : "cannot name the mount") << "\n";
  os << "tree: " << impl_->parser.DebugTree(command) << "\n";
  parser::ast::ScriptResult parsed = impl_->parser.Parse(command);
  if (!parsed.ok()) {
    os << "parse error: " << parsed.error << "\n";
  } else {
    std::ostringstream ast;
    DescribeCommand(*parsed.script, 0, ast);
    os << "ast:\n" << ast.str();
  }
  vfs::Store* store = nullptr;
  StoreOpener tracking = [&](std::string* error) {
    store = open_store(error);
    if (store != nullptr) store->TakeTrace();
    return store;
  };
  Answer answer = Run(command, options, tracking);
  os << "route: " << RouteName(answer.route) << " (" << answer.reason << ")\n";
  if (store != nullptr) {
    os << "sql:\n";
    for (const std::string& sql : store->TakeTrace()) os << "  " << sql << "\n";
  }
  if (answer.route == Route::kFastPath || answer.route == Route::kShell) {
    os << "status: " << answer.status << "\nstdout bytes: " << answer.out.size()
       << "\nstderr bytes: " << answer.err.size() << "\n";
  }
  return os.str();
}

}  // namespace memhook::fastpath
