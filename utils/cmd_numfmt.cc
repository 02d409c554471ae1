// numfmt as GNU coreutils 9.1 prints it.
#include "utils/utils.h"

namespace memhook::utils {

void CmdNumfmt(const std::vector<std::string>& /*argv*/, CommandEnv& /*env*/, CommandIo& io) {
  io.unsupported = "numfmt";
}

}  // namespace memhook::utils
