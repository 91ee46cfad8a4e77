// map_reduce_by_key over text files: word counts equal a serial count of the whole files, for split
// sizes from one byte to larger than the files, across files and folders; bad inputs fail on every
// rank with the path in the message.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mpimr/mpimr.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;
using word_counts = std::map<std::string, std::uint64_t>;

// A word is a maximal run of ASCII letters, lowercased; every other byte separates words.
template <class Emit>
void emit_words(std::string_view text, const Emit& emit) {
  std::string current;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalpha(c) != 0 && c < 128) {
      current.push_back(static_cast<char>(std::tolower(c)));
    } else if (!current.empty()) {
      emit(current);
      current.clear();
    }
  }
  if (!current.empty()) emit(current);
}

// Files written by rank 0 into a folder every rank sees (one machine in these tests).
class text_input_test : public ::testing::Test {
 protected:
  void SetUp() override {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    std::string name = "mpimr-text-input-";
    if (rank == 0) name.append(std::to_string(std::random_device{}()));
    name.resize(64, '\0');
    MPI_Bcast(name.data(), 64, MPI_CHAR, 0, MPI_COMM_WORLD);
    dir_ = fs::temp_directory_path() / std::string(name.c_str());
    if (rank == 0) write_files();
    MPI_Barrier(MPI_COMM_WORLD);
  }
  void TearDown() override {
    MPI_Barrier(MPI_COMM_WORLD);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) fs::remove_all(dir_);
  }

  void write_files() {
    fs::create_directories(dir_ / "sub");
    std::mt19937 rng(5);
    const std::vector<std::string> vocabulary{"The",  "quick", "BROWN", "fox", "jumps",
                                              "über", "a1b2",  "x\0y",  "--"};
    auto write = [&](const fs::path& path, int words, bool trailing_newline) {
      std::ofstream out(path, std::ios::binary);
      for (int i = 0; i < words; ++i) {
        out << vocabulary[rng() % vocabulary.size()] << ((rng() % 7 == 0) ? "\n" : " ");
      }
      if (trailing_newline) out << "\n";
    };
    write(dir_ / "big.txt", 5000, true);
    write(dir_ / "sub" / "no_newline.txt", 300, false);
    write(dir_ / "sub" / "small.txt", 3, true);
    std::ofstream(dir_ / "sub" / "empty.txt").close();
    std::ofstream(dir_ / "long_line.txt") << std::string(20000, 'z') << " tail\n";
  }

  std::map<std::string, std::uint64_t> serial_count() const {
    std::map<std::string, std::uint64_t> counts;
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
      emit_words(text, [&](const std::string& w) { counts[w] += 1; });
    }
    return counts;
  }

  fs::path dir_;
};

TEST_F(text_input_test, WordCountEqualsSerialCountForEverySplitSize) {
  mpimr::context ctx;
  const auto reference = serial_count();
  ASSERT_FALSE(reference.empty());
  for (std::uint64_t split_bytes : {1ULL, 7ULL, 1000ULL, 1ULL << 30U}) {
    for (auto s : {mpimr::schedule::static_blocks, mpimr::schedule::dynamic}) {
      const auto counts = mpimr::map_reduce_by_key<std::string, std::uint64_t>(
          ctx, mpimr::text_input{{dir_}, split_bytes},
          [](std::string_view line, const auto& emit) {
            emit_words(line, [&](const std::string& w) { emit(w, 1); });
          },
          std::plus<>{}, {.schedule = s, .shuffle_buffer_bytes = 4096});
      const auto all = counts.gather_sorted();
      EXPECT_EQ(word_counts(all.begin(), all.end()), reference) << "split bytes " << split_bytes;
    }
  }
}

TEST_F(text_input_test, MissingInputFailsOnEveryRankNamingIt) {
  mpimr::context ctx;
  const fs::path missing = dir_ / "no-such-file.txt";
  try {
    (void)mpimr::map_reduce_by_key<std::string, int>(
        ctx, mpimr::text_input{{dir_ / "big.txt", missing}}, [](std::string_view, const auto&) {},
        std::plus<>{});
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  auto with_no_inputs = [&] {
    return mpimr::map_reduce_by_key<std::string, int>(
        ctx, mpimr::text_input{{}}, [](std::string_view, const auto&) {}, std::plus<>{});
  };
  EXPECT_THROW((void)with_no_inputs(), mpimr::invalid_argument);
}

}  // namespace
