// Internal to the utils library: what the writing utilities (cmd_write.cc,
// write_copy.cc) share besides the file system of write_fs.h: GNU's message
// shapes, option parsing that routes unknown options to the next tier, and
// the display names fts gives the files below an operand.
#ifndef MEMHOOK_UTILS_WRITE_UTIL_H_
#define MEMHOOK_UTILS_WRITE_UTIL_H_

#include <string>
#include <string_view>
#include <vector>

#include "utils/options.h"
#include "utils/utils.h"
#include "utils/write_fs.h"

namespace memhook::utils::wfs {

// "PROG: MESSAGE\nTry 'PROG --help' for more information.\n", status 1.
void UsageError(const std::string& program, const std::string& message, CommandIo& io);

// "PROG: MESSAGE\n" on stderr.
void Diagnose(const std::string& program, const std::string& message, CommandIo& io);

// "PROG: MESSAGE: strerror(err)\n" on stderr.
void DiagnoseErrno(const std::string& program, const std::string& message, int err, CommandIo& io);

// ParseOptions; an option outside `specs` (or --help, --version) sets
// io.unsupported to "PROG WORD": GNU's own tool answers those. False then.
bool ParseOrRoute(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs,
                  ParsedArgs* parsed, CommandIo& io);

// The name fts shows for a command-line operand: two or more trailing
// slashes become one.
std::string FtsRootName(std::string_view operand);
// The name fts shows for the entry `name` of a directory shown as `dir`.
std::string FtsChildName(std::string_view dir, std::string_view name);

// gnulib's last_component with trailing slashes, and dot_or_dotdot on it.
bool IsDotOrDotDot(std::string_view operand);

}  // namespace memhook::utils::wfs

#endif  // MEMHOOK_UTILS_WRITE_UTIL_H_
