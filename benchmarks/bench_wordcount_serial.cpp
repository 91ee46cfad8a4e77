// Serial baseline for the word count benchmark: one thread, no MPI, std::unordered_map. Same word
// rule as apps/wordcount (maximal runs of ASCII letters, lowercased), same summary lines.
// Usage: bench_wordcount_serial FILES|FOLDERS...
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr bool is_letter(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::vector<std::filesystem::path> list_files(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path p{argv[i]};
    if (std::filesystem::is_directory(p)) {
      std::vector<std::filesystem::path> inside;
      for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) inside.push_back(e.path());
      }
      std::sort(inside.begin(), inside.end());
      files.insert(files.end(), inside.begin(), inside.end());
    } else {
      files.push_back(p);
    }
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_wordcount_serial FILES|FOLDERS...\n");
    return 2;
  }
  std::unordered_map<std::string, std::uint64_t> counts;
  std::vector<char> block(std::size_t{1} << 20U);
  std::string word;  // a word may straddle two blocks: it stays here until a separator ends it
  for (const auto& path : list_files(argc, argv)) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      std::fprintf(stderr, "bench_wordcount_serial: cannot open %s\n", path.c_str());
      return 1;
    }
    std::size_t n = 0;
    while ((n = std::fread(block.data(), 1, block.size(), f)) > 0) {
      for (std::size_t i = 0; i < n; ++i) {
        const char c = block[i];
        if (is_letter(c)) {
          word.push_back(to_lower(c));
        } else if (!word.empty()) {
          ++counts[word];
          word.clear();
        }
      }
    }
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) {
      std::fprintf(stderr, "bench_wordcount_serial: cannot read %s\n", path.c_str());
      return 1;
    }
    if (!word.empty()) {  // a file's end ends its last word
      ++counts[word];
      word.clear();
    }
  }
  std::uint64_t total = 0;
  for (const auto& [w, n] : counts) total += n;
  std::printf("distinct_words %zu\ntotal_words    %llu\n", counts.size(),
              static_cast<unsigned long long>(total));
  return 0;
}
