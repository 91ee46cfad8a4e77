// Fuzz target for the text splitter (framework/src/text_splits.cpp) and wordcount's word splitter
// (apps/wordcount/words.hpp). The bytes become a file that is planned into splits and read back
// split by split, as map_reduce_by_key reads text input, then compared with a plain serial split
// written here: the splits tile the file; every line arrives exactly once, in order, from the split
// holding its first byte; and the words of all lines are the words of the whole file (none cut).
//
// Input: byte 0 sets the split size (1 + byte: 1..256 bytes, raised to keep at most 32 splits),
// byte 1 the read buffer (1 + byte: 1..255 bytes, or the default for 255), so that lines cross
// splits and buffer refills; the rest is the file.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mpimr/detail/text_splits.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "../../apps/wordcount/words.hpp"
#include "fuzz_check.hpp"

namespace {

namespace fs = std::filesystem;

struct line_at {
  std::uint64_t start;  // offset of the line's first byte in the file
  std::string_view text;
};

// Lines as a person would cut them: at each '\n'; a last line without one counts when non-empty.
std::vector<line_at> reference_lines(std::string_view text) {
  std::vector<line_at> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    lines.push_back({pos, text.substr(pos, end - pos)});
    pos = end + 1;
  }
  return lines;
}

// Words byte by byte: maximal runs of ASCII letters, lowercased.
std::vector<std::string> reference_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z')) {
      current.push_back(static_cast<char>(byte | 0x20U));
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

// One file per process (libFuzzer's -fork and -jobs run several), rewritten for every input and
// removed at exit.
class scratch_file {
 public:
  scratch_file()
      : path_(fs::temp_directory_path() /
              ("mpimr-fuzz-text-splits-" + std::to_string(::getpid()))) {}
  scratch_file(const scratch_file&) = delete;
  scratch_file& operator=(const scratch_file&) = delete;
  ~scratch_file() {
    std::error_code ec;
    fs::remove(path_, ec);
  }

  const fs::path& write(std::string_view bytes) {
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path_.c_str(), "wb"),
                                                            &std::fclose);
    if (!f) fuzz::fail("cannot create the scratch file " + path_.string());
    if (std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size() ||
        std::fflush(f.get()) != 0) {
      fuzz::fail("cannot write the scratch file " + path_.string());
    }
    return path_;
  }

 private:
  fs::path path_;
};

}  // namespace

void fuzz_check(std::string_view bytes) {
  if (bytes.size() < 2) return;
  const std::string_view text = bytes.substr(2);
  // At most max_splits splits: each opens the file, and thousands of them per input would slow
  // the fuzzer a hundredfold without reaching any other path.
  constexpr std::uint64_t max_splits = 32;
  const std::uint64_t split_bytes = std::max<std::uint64_t>(
      1U + static_cast<unsigned char>(bytes[0]), (text.size() + max_splits - 1) / max_splits);
  const auto buffer_byte = static_cast<unsigned char>(bytes[1]);
  const std::size_t buffer_bytes =
      buffer_byte == 255 ? mpimr::detail::default_line_buffer_bytes : 1U + buffer_byte;

  static scratch_file scratch;
  const fs::path& file = scratch.write(text);

  const auto splits = mpimr::detail::plan_text_splits({file}, split_bytes);
  std::uint64_t covered = 0;
  for (const auto& s : splits) {
    if (s.file != 0 || s.begin != covered || s.end <= s.begin || s.end - s.begin > split_bytes) {
      fuzz::fail(fmt::format("split [{}, {}) of file {} after {} bytes covered, split size {}",
                             s.begin, s.end, s.file, covered, split_bytes));
    }
    covered = s.end;
  }
  if (covered != text.size()) {
    fuzz::fail(fmt::format("splits cover {} bytes of {}", covered, text.size()));
  }

  const auto lines = reference_lines(text);
  std::size_t next = 0;  // the reference line expected next
  std::string word_scratch;
  std::vector<std::string> words;
  for (const auto& s : splits) {
    auto on_line = [&](std::string_view line) {
      if (next == lines.size()) {
        fuzz::fail(fmt::format("split [{}, {}) gives a line past the file's {} lines", s.begin,
                               s.end, lines.size()));
      }
      const line_at& want = lines[next];
      if (want.start < s.begin || want.start >= s.end) {
        fuzz::fail(fmt::format("line {} (at byte {}) comes from split [{}, {})", next, want.start,
                               s.begin, s.end));
      }
      if (line != want.text) {
        fuzz::fail(fmt::format("line {} (at byte {}) reads {} bytes, not its {}", next, want.start,
                               line.size(), want.text.size()));
      }
      ++next;
      // The mapper of apps/wordcount, one scratch buffer for all lines as there.
      wordcount::for_each_word(line, word_scratch,
                               [&](std::string_view w) { words.emplace_back(w); });
    };
    mpimr::detail::for_each_line(file, s, on_line, buffer_bytes);
    // Every line starting in this split must have come by now.
    if (next < lines.size() && lines[next].start < s.end) {
      fuzz::fail(fmt::format("split [{}, {}) left out line {} (at byte {})", s.begin, s.end, next,
                             lines[next].start));
    }
  }
  if (next != lines.size()) {
    fuzz::fail(fmt::format("{} lines read, the file has {}", next, lines.size()));
  }
  const auto want_words = reference_words(text);
  if (words != want_words) {
    fuzz::fail(fmt::format("{} words read split by split, the file has {}", words.size(),
                           want_words.size()));
  }
}
