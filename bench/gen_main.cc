// memhook_bench_gen: writes a deterministic memory tree (see tree_gen.h).
//
//   memhook_bench_gen [--seed S] FILES OUT_DIR
//
// Prints the manifest (file count, bytes, planted files) as key=value lines.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/tree_gen.h"

int main(int argc, char** argv) {
  uint64_t seed = 1;
  int i = 1;
  if (argc == 5 && std::string(argv[1]) == "--seed") {
    seed = std::strtoull(argv[2], nullptr, 10);
    i = 3;
  }
  if (argc - i != 2) {
    std::fprintf(stderr, "usage: memhook_bench_gen [--seed S] FILES OUT_DIR\n");
    return 2;
  }
  const uint64_t files = std::strtoull(argv[i], nullptr, 10);
  const auto start = std::chrono::steady_clock::now();
  memhook::bench::TreeManifest m;
  std::string error;
  if (!memhook::bench::GenerateTree(argv[i + 1], files, seed, &m, &error)) {
    std::fprintf(stderr, "memhook_bench_gen: %s\n", error.c_str());
    return 1;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("files=%llu\ndirs=%llu\nbytes=%llu\nseconds=%.3f\n",
              static_cast<unsigned long long>(m.files), static_cast<unsigned long long>(m.dirs),
              static_cast<unsigned long long>(m.bytes), s);
  std::printf("summary_file=%s\nsession_file=%s\nnote_file=%s\n", m.summary_file.c_str(),
              m.session_file.c_str(), m.note_file.c_str());
  for (const std::string& f : m.rare_files) std::printf("rare_file=%s\n", f.c_str());
  return 0;
}
