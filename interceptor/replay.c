/* memhook-replay: prints one spooled answer and exits with its status.
 *
 * The hook rewrites a command whose answer is too large to inline into
 * `memhook-replay SPOOL_FILE`. This program is what the agent's shell then
 * starts, once per such command: it is plain C with no dependency, so its
 * start costs a fraction of the full memhook binary's. The file format is
 * written by interceptor/hook.cc (WriteSpool):
 *   "memhook-answer v1\n<status> <stdout bytes> <stderr bytes>\n" stdout stderr
 * The file is removed once read. Exit status 1 with a message when the file
 * is missing, not a regular file of this user, or malformed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

static int Fail(const char* path, const char* why) {
  fprintf(stderr, "memhook: replay: %s: %s\n", path, why);
  return 1;
}

static int WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    data += n;
    size -= (size_t)n;
  }
  return 0;
}

/* Copies `size` bytes of `in` from `offset` to `out`. sendfile first: the
 * kernel hands page-cache pages to the pipe, so a large answer is neither
 * read into nor copied out of this process; read/write where the output
 * does not take it (EINVAL: a terminal, an O_APPEND file...). */
static int CopyRange(int in, off_t offset, size_t size, int out) {
  while (size > 0) {
    ssize_t n = sendfile(out, in, &offset, size < 0x7ffff000 ? size : 0x7ffff000);
    if (n > 0) {
      size -= (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EINVAL || errno == ENOSYS)) break;
    return -1; /* the file ended early, or the output is gone */
  }
  char buffer[1 << 16];
  while (size > 0) {
    ssize_t n = pread(in, buffer, size < sizeof buffer ? size : sizeof buffer, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || WriteAll(out, buffer, (size_t)n) != 0) return -1;
    offset += n;
    size -= (size_t)n;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fputs("usage: memhook-replay SPOOL_FILE\n", stderr);
    return 2;
  }
  const char* path = argv[1];
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Fail(path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
    close(fd);
    return Fail(path, "not a spooled answer of this user");
  }
  /* The header alone: "memhook-answer v1\n" and three numbers. */
  static const char kMagic[] = "memhook-answer v1\n";
  char header[128];
  ssize_t got = 0;
  while (got < (ssize_t)sizeof header - 1) {
    ssize_t n = pread(fd, header + got, sizeof header - 1 - (size_t)got, got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += n;
  }
  header[got < 0 ? 0 : got] = '\0';
  int status = 0;
  unsigned long long out_size = 0, err_size = 0;
  char* header_end = NULL;
  if (got >= (ssize_t)sizeof kMagic - 1 && memcmp(header, kMagic, sizeof kMagic - 1) == 0) {
    header_end = memchr(header + sizeof kMagic - 1, '\n', (size_t)got - (sizeof kMagic - 1));
  }
  const unsigned long long body =
      header_end == NULL ? 0 : (unsigned long long)(header_end + 1 - header);
  if (header_end == NULL ||
      sscanf(header + sizeof kMagic - 1, "%d %llu %llu", &status, &out_size, &err_size) != 3 ||
      out_size > (unsigned long long)st.st_size || err_size > (unsigned long long)st.st_size ||
      body + out_size + err_size != (unsigned long long)st.st_size) {
    close(fd);
    return Fail(path, "not a memhook answer");
  }
  unlink(path);
  int ok = CopyRange(fd, (off_t)body, (size_t)out_size, 1) == 0;
  ok = CopyRange(fd, (off_t)(body + out_size), (size_t)err_size, 2) == 0 && ok;
  close(fd);
  (void)ok; /* like the shell builtins: a closed output is not our status */
  return status;
}
