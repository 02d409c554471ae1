// cp and mv: GNU coreutils 9.1 (cp.c, mv.c and the copy.c they share)
// over the mount and, under `memhook run`, between the mount and the host.
//
// copy.c's copy_internal is followed step by step: the source is stat'ed,
// then the destination; the same-file, -n and file-versus-directory checks
// come in GNU's order; directories are copied entry by entry, listing each
// source directory when its turn comes (so `cp -r d d` meets the copy it
// has just made, as GNU does, and stops there with "into itself"). mv
// renames within one side and copies then removes across the mount's
// edge, as GNU does across file systems.
#include <cerrno>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "utils/options.h"
#include "utils/utils.h"
#include "utils/write_fs.h"
#include "utils/write_util.h"

namespace memhook::utils {

namespace {

using wfs::Diagnose;
using wfs::DiagnoseErrno;
using wfs::Fs;
using wfs::Kind;
using wfs::Loc;
using wfs::Node;
using wfs::UsageError;

struct CopyOptions {
  bool recursive = false;
  bool no_clobber = false;  // -n
  bool preserve_mode = false;
  bool preserve_time = false;
  bool verbose = false;
  bool move = false;  // mv: "copied"/"created directory" in -v, all preserved
};

// One command-line argument's copy (copy_internal's shared state).
struct CopyRun {
  Fs& fs;
  const CopyOptions& options;
  const std::string& prog;
  CommandIo& io;
  std::string top_src;  // as typed, for "into itself"
  std::string top_dst;
  std::optional<std::string> first_created;  // identity of the first new directory
  bool into_self = false;
  bool crossed = false;  // mv: copied across the mount's edge (the source must go)
  bool moved = false;    // mv: renamed, or copied across the edge
};

// A node's identity: the store has no hard links, so its path is one; on
// the host, the path as written (the operands of one command rarely alias).
std::string Identity(const Loc& loc) { return loc.host ? "h:" + loc.host_path : "m:" + loc.vfs; }

// gnulib file_name_concat(dir, base) as cp and mv build a target name.
std::string ConcatName(std::string_view dir, std::string_view base) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  out += base;
  return out;
}

// gnulib last_component(): the last name, with its trailing slashes.
std::string_view LastComponentOf(std::string_view name) {
  size_t start = 0;
  while (start < name.size() && name[start] == '/') ++start;
  size_t base = start;
  bool saw_slash = false;
  for (size_t i = start; i < name.size(); ++i) {
    if (name[i] == '/') {
      saw_slash = true;
    } else if (saw_slash) {
      base = i;
      saw_slash = false;
    }
  }
  return name.substr(base);
}

void Verbose(CopyRun& run, const std::string& what, const std::string& src,
             const std::string& dst) {
  if (!run.options.verbose) return;
  run.io.out += what + QuoteShell(src, true) + " -> " + QuoteShell(dst, true) + "\n";
}

// copy_internal(): copies `src` (shown as `src_name`) to `dst`. `new_dst`:
// the destination is known not to exist.
bool CopyEntry(CopyRun& run, const Loc& src, const std::string& src_name, const Loc& dst,
               const std::string& dst_name, bool new_dst) {
  Fs& fs = run.fs;
  const CopyOptions& options = run.options;
  Node src_node;
  int err = fs.Stat(src, &src_node);
  if (err != 0) {
    DiagnoseErrno(run.prog, "cannot stat " + QuoteShell(src_name, true), err, run.io);
    return false;
  }
  if (src_node.kind == Kind::kOther) {
    run.io.unsupported = run.prog + " of a host symlink or special file " + src_name;
    return false;
  }
  const bool src_dir = src_node.kind == Kind::kDir;
  if (src_dir && !options.recursive) {
    Diagnose(run.prog, "-r not specified; omitting directory " + QuoteShell(src_name, true),
             run.io);
    return false;
  }
  Node dst_node;
  bool dst_dir = false;
  if (!new_dst) {
    err = fs.Stat(dst, &dst_node);
    if (err == ENOENT) {
      new_dst = true;
    } else if (err != 0) {
      DiagnoseErrno(run.prog, "cannot stat " + QuoteShell(dst_name, true), err, run.io);
      return false;
    } else {
      if (dst_node.kind == Kind::kOther) {
        run.io.unsupported = run.prog + " onto a host symlink or special file " + dst_name;
        return false;
      }
      dst_dir = dst_node.kind == Kind::kDir;
      if (Identity(src) == Identity(dst)) {
        Diagnose(run.prog,
                 QuoteShell(src_name, true) + " and " + QuoteShell(dst_name, true) +
                     " are the same file",
                 run.io);
        return false;
      }
      if (options.no_clobber && !(src_dir && dst_dir)) return true;
      if (!src_dir && dst_dir) {
        Diagnose(run.prog,
                 "cannot overwrite directory " + QuoteShell(dst_name, true) + " with non-directory",
                 run.io);
        return false;
      }
      if (src_dir && !dst_dir) {
        Diagnose(run.prog,
                 "cannot overwrite non-directory " + QuoteShell(dst_name, true) +
                     " with directory " + QuoteShell(src_name, true),
                 run.io);
        return false;
      }
    }
  }

  if (options.move) {
    err = fs.Rename(src, dst);
    if (err == 0) {
      run.moved = true;
      return true;
    }
    if (err == EINVAL) {
      Diagnose(run.prog,
               "cannot move " + QuoteShell(run.top_src, true) + " to a subdirectory of itself, " +
                   QuoteShell(run.top_dst, true),
               run.io);
      return false;
    }
    if (err != EXDEV) {
      DiagnoseErrno(
          run.prog,
          "cannot move " + QuoteShell(src_name, true) + " to " + QuoteShell(dst_name, true), err,
          run.io);
      return false;
    }
    // Across the mount's edge. The mount stands for a directory on the
    // host's file system, where this is a rename: the old destination goes
    // as rename(2) would replace it (an empty directory, or a file), then
    // the tree is copied and the source removed, all quietly; the caller
    // announces "renamed".
    run.crossed = run.moved = true;
    if (!new_dst) {
      err = dst_dir ? fs.Rmdir(dst) : fs.Unlink(dst);
      if (err != 0 && err != ENOENT) {
        DiagnoseErrno(
            run.prog,
            "cannot move " + QuoteShell(src_name, true) + " to " + QuoteShell(dst_name, true), err,
            run.io);
        return false;
      }
      new_dst = true;
      dst_dir = false;
    }
  }

  if (!src_dir) {
    Verbose(run, "", src_name, dst_name);
    std::string bytes;
    err = fs.ReadFile(src, &bytes);
    if (err != 0) {
      DiagnoseErrno(run.prog, "cannot open " + QuoteShell(src_name, true) + " for reading", err,
                    run.io);
      return false;
    }
    // A new file gets the source's mode less the umask (all of it with -p);
    // an existing one keeps its own unless -p.
    const uint32_t new_mode = options.preserve_mode ? src_node.mode : src_node.mode & ~wfs::kUmask;
    err = fs.WriteFile(dst, bytes, new_mode & 0777);
    // cp's own check: a new name ending in '/' is not a directory.
    if (err == EISDIR && new_dst && dst.trailing_slash) err = ENOTDIR;
    if (err != 0) {
      DiagnoseErrno(run.prog,
                    std::string(new_dst ? "cannot create regular file " : "cannot open ") +
                        QuoteShell(dst_name, true) + (new_dst ? "" : " for writing"),
                    err, run.io);
      return false;
    }
    // An existing file keeps its mode unless -p (a new one has it already).
    std::optional<uint32_t> mode;
    if (options.preserve_mode && !new_dst) mode = src_node.mode;
    std::optional<int64_t> mtime;
    if (options.preserve_time) mtime = src_node.mtime_ns;
    if (mode || mtime) {
      err = fs.SetAttributes(dst, mode, mtime);
      if (err != 0) {
        DiagnoseErrno(run.prog,
                      std::string(mtime ? "preserving times for " : "preserving permissions for ") +
                          QuoteShell(dst_name, true),
                      err, run.io);
        return false;
      }
    }
    return true;
  }

  // A directory. Meeting, as a source, the directory this argument's copy
  // created first means copying into itself.
  if (run.first_created && Identity(src) == *run.first_created) {
    Diagnose(run.prog,
             "cannot copy a directory, " + QuoteShell(run.top_src, true) + ", into itself, " +
                 QuoteShell(run.top_dst, true),
             run.io);
    run.into_self = true;
    return false;
  }
  bool created = false;
  if (new_dst || !dst_dir) {
    uint32_t mode = options.preserve_mode ? src_node.mode : src_node.mode & ~wfs::kUmask;
    err = fs.MakeDir(dst, mode & 0777);
    if (err != 0) {
      DiagnoseErrno(run.prog, "cannot create directory " + QuoteShell(dst_name, true), err, run.io);
      return false;
    }
    created = true;
    if (!run.first_created) run.first_created = Identity(dst);
    Verbose(run, "", src_name, dst_name);
  }
  std::vector<std::string> names;
  err = fs.List(src, &names);
  if (err != 0) {
    DiagnoseErrno(run.prog, "cannot access " + QuoteShell(src_name, true), err, run.io);
    return false;
  }
  bool ok = true;
  for (const std::string& name : names) {
    ok &= CopyEntry(run, Fs::Child(src, name), wfs::FtsChildName(src_name, name),
                    Fs::Child(dst, name), ConcatName(dst_name, name), created);
    if (!run.io.unsupported.empty()) return false;
    // No point going on: the copy would only meet itself again.
    if (run.into_self) break;
  }
  std::optional<uint32_t> mode;
  if (options.preserve_mode && !created) mode = src_node.mode;
  std::optional<int64_t> mtime;
  if (options.preserve_time) mtime = src_node.mtime_ns;
  if (mode || mtime) {
    err = fs.SetAttributes(dst, mode, mtime);
    if (err != 0) {
      DiagnoseErrno(run.prog, "preserving times for " + QuoteShell(dst_name, true), err, run.io);
      return false;
    }
  }
  return ok;
}

// Removes a moved source after its copy (mv across the mount's edge), as
// rm -r would, announcing with -v.
bool RemoveMoved(Fs& fs, const Loc& loc, const std::string& name, bool verbose,
                 const std::string& prog, CommandIo& io) {
  Node node;
  int err = fs.Stat(loc, &node);
  if (err != 0) {
    DiagnoseErrno(prog, "cannot remove " + QuoteShell(name, true), err, io);
    return false;
  }
  bool ok = true;
  if (node.kind == Kind::kDir) {
    std::vector<std::string> names;
    err = fs.List(loc, &names);
    if (err != 0) {
      DiagnoseErrno(prog, "cannot remove " + QuoteShell(name, true), err, io);
      return false;
    }
    for (const std::string& child : names) {
      ok &=
          RemoveMoved(fs, Fs::Child(loc, child), wfs::FtsChildName(name, child), verbose, prog, io);
    }
    if (!ok) return false;
    err = fs.Rmdir(loc);
  } else {
    err = fs.Unlink(loc);
  }
  if (err != 0) {
    DiagnoseErrno(prog, "cannot remove " + QuoteShell(name, true), err, io);
    return false;
  }
  if (verbose) {
    io.out += std::string(node.kind == Kind::kDir ? "removed directory " : "removed ") +
              QuoteShell(name, true) + "\n";
  }
  return true;
}

// What cp and mv share: operands, the target directory, the loop.
struct CopyCommand {
  std::vector<std::string> files;
  std::optional<std::string> target_directory;  // -t
  bool no_target_directory = false;             // -T
};

void RunCopy(const CopyCommand& command, const CopyOptions& options, const std::string& prog,
             CommandEnv& env, CommandIo& io) {
  std::vector<std::string> files = command.files;
  const bool has_t = command.target_directory.has_value();
  if (files.size() <= (has_t ? 0u : 1u)) {
    if (files.empty()) {
      UsageError(prog, "missing file operand", io);
    } else {
      UsageError(prog, "missing destination file operand after " + QuoteShell(files[0], true), io);
    }
    return;
  }
  Fs fs(env, io);
  std::vector<Loc> locs(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (!fs.Resolve(files[i], prog, &locs[i], io)) return;
  }
  std::optional<std::string> target = command.target_directory;
  Loc target_loc;
  bool new_dst = false;
  if (command.no_target_directory) {
    if (has_t) {
      Diagnose(prog, "cannot combine --target-directory (-t) and --no-target-directory (-T)", io);
      io.status = 1;
      return;
    }
    if (files.size() > 2) {
      UsageError(prog, "extra operand " + QuoteShell(files[2], true), io);
      return;
    }
  } else if (has_t) {
    if (!fs.Resolve(*target, prog, &target_loc, io)) return;
    Node node;
    int err = fs.Stat(target_loc, &node);
    if (err == 0 && node.kind != Kind::kDir) err = ENOTDIR;
    if (err != 0) {
      DiagnoseErrno(prog, "target directory " + QuoteShell(*target, true), err, io);
      io.status = 1;
      return;
    }
  } else {
    // target_directory_operand(): the last operand, opened as a directory.
    Node node;
    int err = fs.Stat(locs.back(), &node);
    if (err == 0 && node.kind != Kind::kDir) err = ENOTDIR;
    if (err == 0) {
      target = files.back();
      target_loc = locs.back();
      files.pop_back();
      locs.pop_back();
    } else {
      if (err == ENOENT) new_dst = true;
      if (files.size() > 2) {
        DiagnoseErrno(prog, "target " + QuoteShell(files.back(), true), err, io);
        io.status = 1;
        return;
      }
    }
  }
  // Copies between two host paths are the host's own cp/mv.
  bool any_mount = !target_loc.host && target;
  for (const Loc& loc : locs) any_mount |= !loc.host;
  if (!any_mount) {
    io.unsupported = prog + " between host paths";
    return;
  }

  auto one = [&](const Loc& src, const std::string& src_name, const Loc& dst,
                 const std::string& dst_name, bool dst_new) {
    // mv copies quietly (it announces the move as a whole).
    CopyOptions run_options = options;
    if (options.move) run_options.verbose = false;
    CopyRun run{fs, run_options, prog, io, src_name, dst_name, std::nullopt, false, false, false};
    bool ok = CopyEntry(run, src, src_name, dst, dst_name, dst_new);
    if (!io.unsupported.empty()) return false;
    if (ok && run.crossed) ok = RemoveMoved(fs, src, src_name, false, prog, io);
    if (ok && run.moved && options.verbose) {
      io.out +=
          "renamed " + QuoteShell(src_name, true) + " -> " + QuoteShell(dst_name, true) + "\n";
    }
    return ok;
  };

  if (target) {
    for (size_t i = 0; i < files.size(); ++i) {
      std::string dst_name = ConcatName(*target, LastComponentOf(files[i]));
      // mv treats "mv a b/" as "mv a b/a", trailing slashes dropped.
      if (options.move) {
        while (dst_name.size() > 1 && dst_name.back() == '/') dst_name.pop_back();
      }
      Loc dst;
      if (!fs.Resolve(dst_name, prog, &dst, io)) return;
      if (!one(fs.Refresh(locs[i]), files[i], dst, dst_name, false)) {
        if (!io.unsupported.empty()) return;
        io.status = 1;
      }
    }
    return;
  }
  if (!one(locs[0], files[0], locs[1], files[1], new_dst)) {
    if (!io.unsupported.empty()) return;
    io.status = 1;
  }
}

}  // namespace

void CmdCp(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  enum {
    kRecursive,
    kArchive,
    kPreserveDefault,
    kPreserve,
    kNoClobber,
    kForce,
    kTarget,
    kNoTarget,
    kVerbose,
    kInteractive
  };
  static const std::vector<OptionSpec> kSpecs = {
      {'r', "recursive", false, kRecursive},
      {'R', nullptr, false, kRecursive},
      {'a', "archive", false, kArchive},
      {'p', nullptr, false, kPreserveDefault},
      {'\0', "preserve", true, kPreserve},
      {'n', "no-clobber", false, kNoClobber},
      {'f', "force", false, kForce},
      {'t', "target-directory", true, kTarget},
      {'T', "no-target-directory", false, kNoTarget},
      {'v', "verbose", false, kVerbose},
      {'i', "interactive", false, kInteractive},
  };
  const std::string& prog = argv[0];
  // --preserve without a value is -p; ParseOptions wants one, so it is
  // spelled out here.
  std::vector<std::string> words = argv;
  for (std::string& w : words) {
    if (w == "--preserve") w = "--preserve=mode,ownership,timestamps";
  }
  ParsedArgs args;
  if (!wfs::ParseOrRoute(words, kSpecs, &args, io)) return;
  CopyOptions options;
  CopyCommand command;
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kRecursive:
        options.recursive = true;
        break;
      case kArchive:
        options.recursive = options.preserve_mode = options.preserve_time = true;
        break;
      case kPreserveDefault:
        options.preserve_mode = options.preserve_time = true;
        break;
      case kPreserve: {
        // Ownership and links change nothing in the store (one owner, no
        // hard links); other attributes go to the next tier.
        std::string_view list = o.argument;
        while (true) {
          size_t comma = list.find(',');
          std::string_view item = list.substr(0, comma);
          if (item == "mode") {
            options.preserve_mode = true;
          } else if (item == "timestamps") {
            options.preserve_time = true;
          } else if (item == "ownership" || item == "links") {
          } else {
            io.unsupported = prog + " --preserve=" + o.argument;
            return;
          }
          if (comma == std::string_view::npos) break;
          list.remove_prefix(comma + 1);
        }
        break;
      }
      case kNoClobber:
        options.no_clobber = true;
        break;
      case kForce:
        options.no_clobber = false;
        break;
      case kTarget:
        if (command.target_directory) {
          Diagnose(prog, "multiple target directories specified", io);
          io.status = 1;
          return;
        }
        command.target_directory = o.argument;
        break;
      case kNoTarget:
        command.no_target_directory = true;
        break;
      case kVerbose:
        options.verbose = true;
        break;
      case kInteractive:
        io.unsupported = prog + " -i";
        return;
      default:
        break;
    }
  }
  command.files = args.operands;
  RunCopy(command, options, prog, env, io);
}

void CmdMv(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  enum { kForce, kNoClobber, kTarget, kNoTarget, kVerbose, kInteractive };
  static const std::vector<OptionSpec> kSpecs = {
      {'f', "force", false, kForce},
      {'n', "no-clobber", false, kNoClobber},
      {'t', "target-directory", true, kTarget},
      {'T', "no-target-directory", false, kNoTarget},
      {'v', "verbose", false, kVerbose},
      {'i', "interactive", false, kInteractive},
  };
  const std::string& prog = argv[0];
  ParsedArgs args;
  if (!wfs::ParseOrRoute(argv, kSpecs, &args, io)) return;
  CopyOptions options;
  options.move = true;
  options.recursive = options.preserve_mode = options.preserve_time = true;
  CopyCommand command;
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kForce:
        options.no_clobber = false;
        break;
      case kNoClobber:
        options.no_clobber = true;
        break;
      case kTarget:
        if (command.target_directory) {
          Diagnose(prog, "multiple target directories specified", io);
          io.status = 1;
          return;
        }
        command.target_directory = o.argument;
        break;
      case kNoTarget:
        command.no_target_directory = true;
        break;
      case kVerbose:
        options.verbose = true;
        break;
      case kInteractive:
        io.unsupported = prog + " -i";
        return;
      default:
        break;
    }
  }
  command.files = args.operands;
  RunCopy(command, options, prog, env, io);
}

}  // namespace memhook::utils
