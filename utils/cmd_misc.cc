// basename, dirname, seq, realpath, readlink, stat, env, printenv, date,
// sleep, yes. (Being written: each answers "unsupported" until it lands.)
#include "utils/utils.h"

namespace memhook::utils {

#define MEMHOOK_NOT_YET(fn, name) \
  void fn(const std::vector<std::string>&, CommandEnv&, CommandIo& io) { io.unsupported = name; }
MEMHOOK_NOT_YET(CmdBasename, "basename")
MEMHOOK_NOT_YET(CmdDirname, "dirname")
MEMHOOK_NOT_YET(CmdSeq, "seq")
MEMHOOK_NOT_YET(CmdRealpath, "realpath")
MEMHOOK_NOT_YET(CmdReadlink, "readlink")
MEMHOOK_NOT_YET(CmdStat, "stat")
MEMHOOK_NOT_YET(CmdEnv, "env")
MEMHOOK_NOT_YET(CmdPrintenv, "printenv")
MEMHOOK_NOT_YET(CmdDate, "date")
MEMHOOK_NOT_YET(CmdSleep, "sleep")
MEMHOOK_NOT_YET(CmdYes, "yes")

}  // namespace memhook::utils
