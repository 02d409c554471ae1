/* memhook_bench_rss CMD [ARGS...]: runs CMD in a child forked from this small
   process (stdin, stdout and stderr inherited), then prints the child's peak
   RSS as a last stderr line "memhook_bench_rss: maxrss_kb=N" and exits with
   the child's status.

   Why not wait4() in the benchmark itself: a process's ru_maxrss keeps the
   high-water mark of the address space it replaced at exec, which for a child
   spawned by the benchmark is the benchmark's own (large) one. */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    fputs("usage: memhook_bench_rss CMD [ARGS...]\n", stderr);
    return 2;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    perror("memhook_bench_rss: fork");
    return 127;
  }
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    perror("memhook_bench_rss: exec");
    _exit(127);
  }
  int status = 0;
  struct rusage usage;
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      perror("memhook_bench_rss: wait4");
      return 127;
    }
  }
  fprintf(stderr, "memhook_bench_rss: maxrss_kb=%ld\n", usage.ru_maxrss);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
