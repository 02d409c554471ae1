// Internal to the interceptor: lexical path handling shared by the hook,
// the file tools and the history verbs.
#ifndef MEMHOOK_INTERCEPTOR_PATHS_H_
#define MEMHOOK_INTERCEPTOR_PATHS_H_

#include <string>

namespace memhook::interceptor {

// `path` (absolute) with "." and empty components dropped and ".." taken
// lexically (no symlinks: the mount is not on the disk); "/" at least.
std::string NormalisePath(const std::string& path);

}  // namespace memhook::interceptor

#endif  // MEMHOOK_INTERCEPTOR_PATHS_H_
