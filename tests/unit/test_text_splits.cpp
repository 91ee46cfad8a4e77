// Unit tests of text splits: over all splits of a file, in order, for_each_line yields exactly the
// file's lines (checked against a plain whole-file split), and input expansion is sorted and
// rejects bad paths by name.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "mpimr/detail/text_splits.hpp"
#include "mpimr/errors.hpp"
#include "unit_support.hpp"

namespace {

namespace fs = std::filesystem;
using mpimr::detail::expand_inputs;
using mpimr::detail::for_each_line;
using mpimr::detail::plan_text_splits;
using mpimr::detail::text_split;
using mpimr_test::contains;

// A unique scratch directory, removed with everything in it at the end of the test.
class scratch_dir {
 public:
  scratch_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ =
        fs::temp_directory_path() / ("mpimr_text_splits_" + std::to_string(::getpid()) + "_" +
                                     info->name() + "_" + std::to_string(std::random_device{}()));
    fs::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  [[nodiscard]] const fs::path& path() const { return path_; }

  fs::path write(const fs::path& relative, const std::string& content) const {
    const fs::path p = path_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    EXPECT_TRUE(out.good()) << p;
    return p;
  }

 private:
  fs::path path_;
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The reference: split the whole file on '\n', dropping the empty piece after a final newline.
std::vector<std::string> reference_lines(const std::string& content) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < content.size()) {
    const std::size_t nl = content.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(content.substr(start));
      break;
    }
    lines.push_back(content.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::vector<std::string> lines_via_splits(const fs::path& file, std::uint64_t split_bytes,
                                          std::size_t buffer_bytes) {
  std::vector<std::string> lines;
  std::uint64_t expected_begin = 0;
  for (const text_split& s : plan_text_splits({file}, split_bytes)) {
    EXPECT_EQ(s.file, 0U);
    EXPECT_EQ(s.begin, expected_begin);
    expected_begin = s.end;
    for_each_line(
        file, s, [&](std::string_view line) { lines.emplace_back(line); }, buffer_bytes);
  }
  EXPECT_EQ(expected_begin, fs::file_size(file));
  return lines;
}

// Printable description of a mismatch: the first differing line, abbreviated.
std::string first_difference(const std::vector<std::string>& got,
                             const std::vector<std::string>& want) {
  for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    if (got[i] != want[i]) {
      return "line " + std::to_string(i) + " differs: got " + std::to_string(got[i].size()) +
             " bytes, want " + std::to_string(want[i].size());
    }
  }
  return "got " + std::to_string(got.size()) + " lines, want " + std::to_string(want.size());
}

std::string random_lines(std::mt19937_64& rng, int count, bool trailing_newline) {
  // Bytes weighted toward the awkward ones: newline handled separately, NUL and '\r' frequent.
  std::uniform_int_distribution<int> length(0, 300);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> pick(0, 9);
  std::string out;
  for (int i = 0; i < count; ++i) {
    const int n = length(rng);
    for (int j = 0; j < n; ++j) {
      const int k = pick(rng);
      char c = k == 0 ? '\0' : k == 1 ? '\r' : static_cast<char>(byte(rng));
      if (c == '\n') c = 'x';
      out.push_back(c);
    }
    if (i + 1 < count || trailing_newline) out.push_back('\n');
  }
  return out;
}

struct sample {
  std::string name;
  std::string content;
};

std::vector<sample> samples() {
  std::mt19937_64 rng(20240603);
  std::vector<sample> s;
  s.push_back({"empty", ""});
  s.push_back({"one_line", "hello world\n"});
  s.push_back({"one_line_no_newline", "hello world"});
  s.push_back({"one_byte", "x"});
  s.push_back({"one_newline", "\n"});
  s.push_back({"only_newlines", std::string(50, '\n')});
  s.push_back({"no_trailing_newline", "alpha\nbeta\n\ngamma\r\ndelta"});
  s.push_back({"nul_and_cr", std::string("a\0b\r\n\0\n\r\n\n\0", 11)});
  s.push_back({"random", random_lines(rng, 60, true)});
  s.push_back({"random_no_trailing_newline", random_lines(rng, 60, false)});
  std::string mix = "short\n\n" + std::string(1500, 'L') + "\n" + random_lines(rng, 20, true) +
                    std::string(2000, '\0') + "\nend";
  s.push_back({"mix", mix});
  return s;
}

std::vector<std::uint64_t> split_sizes(std::uint64_t file_size) {
  return {1, 2, 3, 7, 64, 1000, std::max<std::uint64_t>(file_size, 1), file_size + 1};
}

TEST(TextSplits, EverySplitSizeYieldsTheReferenceLines) {
  const scratch_dir dir;
  int checked = 0;
  for (const sample& s : samples()) {
    const fs::path file = dir.write(s.name, s.content);
    const auto want = reference_lines(read_all(file));
    for (const std::uint64_t split : split_sizes(s.content.size())) {
      // Tiny buffers put buffer refills at every position relative to splits and newlines.
      for (const std::size_t buffer : {std::size_t{1}, std::size_t{2}, std::size_t{5},
                                       std::size_t{64}, mpimr::detail::default_line_buffer_bytes}) {
        // A read call per few bytes times a scan per byte-sized split is too slow on big files.
        if (buffer < 64 && split < 7 && s.content.size() > 1000) continue;
        const auto got = lines_via_splits(file, split, buffer);
        ASSERT_TRUE(got == want) << s.name << ", split " << split << ", buffer " << buffer << ": "
                                 << first_difference(got, want);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(TextSplits, LineLongerThanTheReadBuffer) {
  const scratch_dir dir;
  std::mt19937_64 rng(7);
  // A 5 MB line between short ones: it crosses several 1 MiB buffer refills and many splits.
  std::string big(5'000'000, 'a');
  for (char& c : big) c = static_cast<char>('a' + rng() % 26);
  const std::string content = "first\n" + big + "\nlast\n" + big;  // the second has no newline
  const fs::path file = dir.write("big", content);
  const auto want = reference_lines(content);
  ASSERT_EQ(want.size(), 4U);
  // Split sizes stay large: every split inside the line scans to its end, quadratic in tiny ones.
  for (const std::uint64_t split :
       {std::uint64_t{100'000}, std::uint64_t{1} << 20U, std::uint64_t{3'000'001},
        std::uint64_t{content.size()}, std::uint64_t{content.size() + 1}}) {
    const auto got = lines_via_splits(file, split, mpimr::detail::default_line_buffer_bytes);
    ASSERT_TRUE(got == want) << "split " << split << ": " << first_difference(got, want);
  }
}

TEST(TextSplits, PlanCoversEveryFileAndSkipsEmptyOnes) {
  const scratch_dir dir;
  const fs::path a = dir.write("a", std::string(10, 'x'));
  const fs::path empty = dir.write("empty", "");
  const fs::path b = dir.write("b", std::string(4, 'y'));
  const std::vector<text_split> want = {{0, 0, 4}, {0, 4, 8}, {0, 8, 10}, {2, 0, 4}};
  EXPECT_EQ(plan_text_splits({a, empty, b}, 4), want);
  const std::vector<text_split> whole = {{0, 0, 10}, {2, 0, 4}};
  EXPECT_EQ(plan_text_splits({a, empty, b}, UINT64_MAX), whole);
  EXPECT_TRUE(plan_text_splits({}, 4).empty());
}

TEST(TextSplits, PlanRejectsZeroSplitSizeAndMissingFiles) {
  const scratch_dir dir;
  const fs::path a = dir.write("a", "x\n");
  EXPECT_THROW((void)plan_text_splits({a}, 0), mpimr::invalid_argument);
  try {
    (void)plan_text_splits({dir.path() / "gone"}, 4);
    FAIL() << "no exception";
  } catch (const mpimr::error& e) {
    EXPECT_TRUE(contains(e.what(), "gone"));
  }
}

TEST(TextSplits, ReadErrorsNameTheFile) {
  const scratch_dir dir;
  try {
    for_each_line(dir.path() / "missing.txt", text_split{0, 0, 10}, [](std::string_view) {});
    FAIL() << "no exception";
  } catch (const mpimr::error& e) {
    EXPECT_TRUE(contains(e.what(), "missing.txt"));
  }
}

TEST(TextSplits, SplitPastEndOfFileYieldsNothing) {
  const scratch_dir dir;
  const fs::path file = dir.write("f", "abc\ndef\n");
  int calls = 0;
  for_each_line(file, text_split{0, 100, 200}, [&](std::string_view) { ++calls; });
  for_each_line(file, text_split{0, 3, 3}, [&](std::string_view) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(TextSplits, ExceptionFromCallbackPassesThrough) {
  const scratch_dir dir;
  const fs::path file = dir.write("f", "abc\ndef\n");
  EXPECT_THROW(for_each_line(file, text_split{0, 0, 8},
                             [](std::string_view) { throw std::runtime_error("stop"); }),
               std::runtime_error);
}

TEST(ExpandInputs, DirectoriesRecursedAndSortedByBytes) {
  const scratch_dir dir;
  const fs::path top = dir.write("top.txt", "t");
  dir.write("d/b.txt", "b");
  dir.write("d/a-b", "1");  // byte order puts "a-b" before "a/..." ('-' < '/'), element order not
  dir.write("d/a/z", "2");
  dir.write("d/a/y/deep", "3");
  dir.write("d/B", "4");  // uppercase sorts before lowercase in byte order
  fs::create_directories(dir.path() / "d" / "empty_sub");
  const fs::path d = dir.path() / "d";
  const std::vector<fs::path> want = {top,           d / "B",     d / "a-b", d / "a" / "y" / "deep",
                                      d / "a" / "z", d / "b.txt", top};
  const auto got = expand_inputs({top, d, top});  // files as given, duplicates kept
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i].native(), want[i].native()) << i;
}

// Runs expand_inputs and returns the invalid_argument message ("" and a failure if none).
std::string expand_error(const std::vector<fs::path>& inputs) {
  try {
    (void)expand_inputs(inputs);
  } catch (const mpimr::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no invalid_argument";
  return "";
}

TEST(ExpandInputs, ErrorsNameThePath) {
  const scratch_dir dir;
  const fs::path ok = dir.write("ok.txt", "x");

  EXPECT_FALSE(expand_error({}).empty());

  const std::string missing = expand_error({ok, dir.path() / "no_such_file"});
  EXPECT_TRUE(contains(missing, (dir.path() / "no_such_file").string()));

  fs::create_directories(dir.path() / "hollow" / "inner");
  EXPECT_TRUE(contains(expand_error({dir.path() / "hollow"}), (dir.path() / "hollow").string()));

  EXPECT_TRUE(contains(expand_error({fs::path("/dev/null")}), "/dev/null"));

  // Permissions do not stop root, so only check unreadability when they apply.
  const fs::path locked = dir.write("locked.txt", "secret");
  fs::permissions(locked, fs::perms::none);
  if (::access(locked.c_str(), R_OK) != 0) {
    EXPECT_TRUE(contains(expand_error({locked}), locked.string()));
    fs::create_directories(dir.path() / "sub");
    const fs::path inner = dir.write("sub/locked_inner.txt", "secret");
    fs::permissions(inner, fs::perms::none);
    EXPECT_TRUE(contains(expand_error({dir.path() / "sub"}), inner.string()));
  } else {
    GTEST_LOG_(INFO) << "running as root: unreadable-file cases skipped";
  }
}

}  // namespace
