// Replays a fuzz target's saved inputs without libFuzzer (any compiler): its check function over
// every file of the folders given, in path order. A missing folder counts as empty
// (regressions/<t>/ exists only once an input found a bug); no input at all is a failure, so a
// wrong path cannot pass.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_check.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::size_t total = 0;
  for (int a = 1; a < argc; ++a) {
    const fs::path dir = argv[a];
    std::vector<fs::path> files;
    if (fs::is_directory(dir)) {
      for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "cannot read %s\n", file.c_str());
        return 1;
      }
      fuzz::set_current_input(file.string());
      fuzz::run_check(bytes);
    }
    std::printf("%s: %zu inputs passed\n", dir.c_str(), files.size());
    total += files.size();
  }
  if (total == 0) {
    std::fprintf(stderr, "no inputs found in the folders given\n");
    return 1;
  }
  std::printf("replayed %zu inputs: every property held\n", total);
  return 0;
}
