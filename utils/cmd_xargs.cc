// xargs. (Being written: answers "unsupported" until it lands.)
#include "utils/utils.h"

namespace memhook::utils {

void CmdXargs(const std::vector<std::string>&, CommandEnv&, CommandIo& io) {
  io.unsupported = "xargs";
}

}  // namespace memhook::utils
