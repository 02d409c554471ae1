// Deterministic generator of realistic agent-memory trees for the
// benchmarks: markdown session summaries and notes, Claude Code-like session
// logs in JSONL (one event a line), and a MEMORY.md at the root.
//
// Layout (N files in all, MEMORY.md included):
//   MEMORY.md
//   summaries/YYYY-MM/YYYY-MM-DD-<slug>-<i>.md   about 30%
//   notes/<topic>/<slug>-<i>.md                  about 30%
//   sessions/YYYY-MM/<uuid>.jsonl                about 40%
// over 36 months and 24 topics, so directory sizes grow with N.
//
// Words planted for the grep benchmarks: kRareWord in exactly
// min(kRareFileCount, N - 1) files, kAltWordA / kAltWordB in about 1.5% of
// files each, kFindWord in about 2% of the summary and note file names;
// kCommonWord comes from the ordinary vocabulary and is in most files.
// The same (files, seed) always gives the same bytes, names and mtimes.
#ifndef MEMHOOK_BENCH_TREE_GEN_H_
#define MEMHOOK_BENCH_TREE_GEN_H_

#include <cstdint>
#include <string>
#include <vector>

namespace memhook::bench {

inline constexpr const char* kRareWord = "quokkafix";
inline constexpr const char* kCommonWord = "config";
inline constexpr const char* kAltWordA = "deadlock";
inline constexpr const char* kAltWordB = "livelock";
inline constexpr const char* kFindWord = "postmortem";
inline constexpr int kRareFileCount = 5;

struct TreeManifest {
  uint64_t files = 0;
  uint64_t dirs = 0;                    // excluding the root
  uint64_t bytes = 0;                   // total file content
  std::vector<std::string> rare_files;  // relative paths holding kRareWord
  std::string summary_file;             // a summary (for cat)
  std::string session_file;             // a long session log (for head/tail)
  std::string note_file;                // a note (for the writes: append, sed -i)
  std::string summary_month_dir;        // summaries/YYYY-MM holding summary_file (for ls)
  std::string session_month_dir;        // sessions/YYYY-MM holding session_file (for wc)
};

// Writes the tree into `root` (created if missing; must be empty or absent).
// Returns false with *error set on failure.
bool GenerateTree(const std::string& root, uint64_t files, uint64_t seed, TreeManifest* manifest,
                  std::string* error);

}  // namespace memhook::bench

#endif  // MEMHOOK_BENCH_TREE_GEN_H_
