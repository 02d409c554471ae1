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
  char* data = malloc((size_t)st.st_size + 1);
  size_t got = 0;
  while (data != NULL && got < (size_t)st.st_size) {
    ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  if (data == NULL || got != (size_t)st.st_size) {
    free(data);
    return Fail(path, "cannot read");
  }
  data[got] = '\0';
  static const char kMagic[] = "memhook-answer v1\n";
  int status = 0;
  unsigned long long out_size = 0, err_size = 0;
  char* header_end = NULL;
  if (got >= sizeof kMagic - 1 && memcmp(data, kMagic, sizeof kMagic - 1) == 0) {
    header_end = memchr(data + sizeof kMagic - 1, '\n', got - (sizeof kMagic - 1));
  }
  if (header_end == NULL ||
      sscanf(data + sizeof kMagic - 1, "%d %llu %llu", &status, &out_size, &err_size) != 3 ||
      (size_t)(header_end + 1 - data) + out_size + err_size != got) {
    free(data);
    return Fail(path, "not a memhook answer");
  }
  unlink(path);
  const char* body = header_end + 1;
  WriteAll(1, body, (size_t)out_size);
  WriteAll(2, body + out_size, (size_t)err_size);
  free(data);
  return status;
}
