/* The process-start floor: a trivial C program that, like the hook, reads
   its stdin to the end and exits 0 without output. */
#include <unistd.h>

int main(void) {
  char buf[4096];
  while (read(0, buf, sizeof buf) > 0) {
  }
  return 0;
}
