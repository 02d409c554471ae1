// Internal to the utils library: the one way a utility opens and reads an
// input operand ("-", /dev/null, /dev/stdin, a memory file, or a host file
// under `memhook run`), so that every utility resolves paths, reports
// errors and refuses host reads the same way.
//
// A large memory file is read as a growing prefix: a utility that stops
// early (awk 'NR==1{exit}', tr ... | head -1) never reads the rest. Small
// files and host files are read whole.
//
// Not thread-safe; one InputFile belongs to one command invocation.
#ifndef MEMHOOK_UTILS_INPUT_H_
#define MEMHOOK_UTILS_INPUT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "utils/utils.h"
#include "vfs/vfs.h"

namespace memhook::utils {

class InputFile {
 public:
  enum class Open {
    kOk,         // data() holds the first bytes (or all of them)
    kError,      // error() says why: kNotFound, kNotADirectory, kPermissionDenied ...
    kDirectory,  // the operand is a directory (the utility words it: GNU differs)
    kRefused,    // io.unsupported is set (a host path outside `memhook run`,
                 // a device other than /dev/null and /dev/stdin): route on
  };

  InputFile() = default;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Opens `operand` as typed (relative to env.cwd). "-", "/dev/stdin" and
  // "/dev/fd/0" are the command's stdin (io.stdin_data, not copied); a
  // /dev/fd/N of a process substitution is its output (env.process_file). `program` names
  // the utility in io.unsupported. With Open::kRefused and a host path,
  // io.needs_host is set too (the utility would read it under memhook run).
  Open OpenOperand(CommandEnv& env, CommandIo& io, std::string_view program,
                   std::string_view operand);

  // The bytes read so far: all of them once complete().
  std::string_view data() const { return view_; }
  bool complete() const { return complete_; }
  // Reads further (4× the prefix); false when already complete or on a read
  // error (then error() is set and data() is unchanged).
  bool Grow();
  // Reads the rest: complete() after it unless error() is set.
  bool ReadAll();
  vfs::Status::Code error() const { return error_; }
  // True for stdin redirected from a regular file or a store/host file.
  bool regular() const { return regular_; }
  // The file's mode bits (0644 for stdin and /dev/null).
  uint32_t mode() const { return mode_; }

 private:
  CommandEnv* env_ = nullptr;
  std::string storage_;
  std::string_view view_;
  std::string vfs_path_;
  uint64_t prefix_ = 0;
  bool complete_ = true;
  bool regular_ = false;
  uint32_t mode_ = 0644;
  vfs::Status::Code error_ = vfs::Status::Code::kOk;
};

// Convenience: opens and reads `operand` whole into `content` (a copy).
// Returns the Open outcome; with kError, *error is the code for ErrnoText.
InputFile::Open ReadWholeOperand(CommandEnv& env, CommandIo& io, std::string_view program,
                                 std::string_view operand, std::string* content,
                                 vfs::Status::Code* error);

}  // namespace memhook::utils

#endif  // MEMHOOK_UTILS_INPUT_H_
