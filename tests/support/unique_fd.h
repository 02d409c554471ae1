// Test and bench support (not part of memhook): an owned file descriptor
// and a close-on-exec pipe, for RunProcess (test_support.h) and whatever
// else holds descriptors (bench/bench.cc).
#ifndef MEMHOOK_TESTS_SUPPORT_UNIQUE_FD_H_
#define MEMHOOK_TESTS_SUPPORT_UNIQUE_FD_H_

#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace memhook::testing {

// Closes its descriptor on destruction; movable, not copyable. -1 = none.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// A pipe whose both ends are closed on exec; false (errno set) on failure.
inline bool MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  *read_end = UniqueFd(fds[0]);
  *write_end = UniqueFd(fds[1]);
  return true;
}

}  // namespace memhook::testing

#endif  // MEMHOOK_TESTS_SUPPORT_UNIQUE_FD_H_
