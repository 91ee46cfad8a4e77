// Checkpoint and resume: an interrupted job rerun with the same key takes the journaled chunks and
// computes only the rest, with bitwise the uninterrupted result, also on another rank count; torn
// or corrupt records are recomputed; journals of other jobs or formats and unusable folders are
// refused on every rank.
#include <gtest/gtest.h>
#include <mpi.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mpimr/detail/journal_format.hpp>
#include <mpimr/mpimr.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace fs = std::filesystem;
using mpimr::chunk;
using mpimr::index_range;

constexpr index_range range{0, 2000};
constexpr mpimr::options opts{.chunk_size = 20, .deterministic = true, .label = "sum"};
constexpr std::uint64_t chunk_count = 100;

// Terms over many magnitudes: any change in how partials are joined changes the bits.
double term(std::uint64_t i) {
  return std::sin(static_cast<double>(i)) * std::pow(10.0, static_cast<double>(i % 13) - 6.0);
}

/// A folder name made by rank 0, the same on every rank; removed (with its contents) at the end.
class shared_folder {
 public:
  explicit shared_folder(mpimr::context& ctx) : ctx_(ctx) {
    std::string name;
    if (ctx.rank() == 0) {
      std::string pattern = (fs::temp_directory_path() / "mpimr-checkpoint-XXXXXX").string();
      name = mkdtemp(pattern.data());
      fs::remove(name);  // the checkpoint creates it
    }
    mpimr::broadcast(ctx, name);
    path_ = name;
  }
  ~shared_folder() {
    MPI_Barrier(ctx_.communicator());
    if (ctx_.rank() == 0) fs::remove_all(path_);
    MPI_Barrier(ctx_.communicator());
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  mpimr::context& ctx_;
  fs::path path_;
};

/// Every test leaves the process-wide stop flag as it found it.
struct stop_flag_guard {
  ~stop_flag_guard() { mpimr::clear_stop(); }
};

std::uint64_t sum_over_ranks(mpimr::context& ctx, std::uint64_t value) {
  MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_UINT64_T, MPI_SUM, ctx.communicator());
  return value;
}

/// The job: a deterministic sum; counts the chunks it computed on this rank.
double run_sum(mpimr::context& ctx, std::uint64_t& computed, std::uint64_t stop_after = 0,
               mpimr::schedule schedule = mpimr::schedule::dynamic) {
  mpimr::options run_opts = opts;
  run_opts.schedule = schedule;
  return mpimr::reduce(
      ctx, range, 0.0,
      [&](const chunk& c) {
        double s = 0;
        for (auto i : c.indices()) s += term(i);
        // The stop is looked at before the next chunk: this one still finishes and is recorded.
        if (++computed == stop_after) mpimr::request_stop();
        return s;
      },
      std::plus<>{}, run_opts);
}

/// A context, a folder for its journal, and the job's uninterrupted result without a checkpoint.
class checkpoint_test : public ::testing::Test {
 protected:
  mpimr::context ctx;
  shared_folder folder{ctx};
  stop_flag_guard guard;
  std::uint64_t computed = 0;  // chunks the job computed on this rank (reset by each test)
  double reference = run_sum(ctx, computed);
};

TEST_F(checkpoint_test, CompletedJobMatchesAPlainRunAndLeavesNoJournal) {
  const double plain = reference;
  computed = 0;
  mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "sum v1"});
  EXPECT_EQ(cp.found_records(), 0U);
  const double journaled = run_sum(ctx, computed);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(journaled), std::bit_cast<std::uint64_t>(plain));
  EXPECT_EQ(sum_over_ranks(ctx, cp.recorded_chunks()), chunk_count);
  EXPECT_EQ(sum_over_ranks(ctx, computed), chunk_count);
  cp.complete();
  MPI_Barrier(ctx.communicator());
  EXPECT_FALSE(fs::exists(folder.path()));
}

TEST_F(checkpoint_test, InterruptedJobResumesWithTheSameBits) {
  std::uint64_t first_run = 0;
  {
    mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "sum v1"});
    computed = 0;
    // The last rank is asked to stop after the third of its static block of 25 or more chunks;
    // every rank must throw. (The rerun is dynamic: the schedule is not part of the job.)
    const std::uint64_t stop_after = ctx.rank() == ctx.size() - 1 ? 3 : 0;
    try {
      (void)run_sum(ctx, computed, stop_after, mpimr::schedule::static_blocks);
      ADD_FAILURE() << "no mpimr::interrupted";
    } catch (const mpimr::interrupted& e) {
      EXPECT_EQ(e.rank(), ctx.size() - 1);
      EXPECT_EQ(e.signal_number(), 0);
    }
    mpimr::clear_stop();
    first_run = sum_over_ranks(ctx, cp.recorded_chunks());
    EXPECT_EQ(first_run, sum_over_ranks(ctx, computed));
    EXPECT_GE(first_run, 3U);
    EXPECT_LT(first_run, chunk_count);
  }
  mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "sum v1"});
  EXPECT_EQ(cp.found_records(), first_run);
  computed = 0;
  const double resumed = run_sum(ctx, computed);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(resumed), std::bit_cast<std::uint64_t>(reference));
  // Every chunk either came from the journal or was computed, never both.
  EXPECT_EQ(sum_over_ranks(ctx, cp.resumed_chunks()), first_run);
  EXPECT_EQ(sum_over_ranks(ctx, computed), chunk_count - first_run);
  cp.complete();
}

TEST_F(checkpoint_test, ResumesOnAnotherRankCount) {
  // The first run has rank 0 alone; the second all ranks of the test.
  if (ctx.rank() == 0) {
    mpimr::context alone(MPI_COMM_SELF);
    mpimr::checkpoint cp(alone, {.folder = folder.path(), .key = "sum v1"});
    computed = 0;
    EXPECT_THROW((void)run_sum(alone, computed, 7, mpimr::schedule::static_blocks),
                 mpimr::interrupted);
    mpimr::clear_stop();
    EXPECT_EQ(cp.recorded_chunks(), 7U);
  }
  MPI_Barrier(ctx.communicator());
  mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "sum v1"});
  EXPECT_EQ(cp.found_records(), 7U);
  computed = 0;
  const double resumed = run_sum(ctx, computed);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(resumed), std::bit_cast<std::uint64_t>(reference));
  EXPECT_EQ(sum_over_ranks(ctx, computed), chunk_count - 7);
  cp.complete();
}

TEST_F(checkpoint_test, MapsAndForEachResume) {
  const index_range small{5, 605};
  const mpimr::options map_opts{.schedule = mpimr::schedule::dynamic, .chunk_size = 7};
  const auto square = [](std::uint64_t i) { return static_cast<double>(i * i) / 3.0; };
  const auto text = [](std::uint64_t i) { return std::string(i % 5, 'a') + std::to_string(i); };
  std::vector<std::uint64_t> seen;  // indices whose for_each body ran on this rank, in both runs
  const auto job = [&](bool stop) {
    // Three operations in a fixed order; the rank that computes index 300 asks for the stop.
    auto numbers = mpimr::map(ctx, small, square, map_opts);
    auto words = mpimr::map(
        ctx, small,
        [&](std::uint64_t i) {
          if (stop && i == 300) mpimr::request_stop();
          return text(i);
        },
        map_opts);
    mpimr::for_each(
        ctx, small, [&](std::uint64_t i) { seen.push_back(i); }, map_opts);
    return std::make_pair(numbers, words);
  };
  {
    mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "maps"});
    EXPECT_THROW((void)job(true), mpimr::interrupted);
    mpimr::clear_stop();
  }
  mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "maps"});
  const auto [numbers, words] = job(false);
  ASSERT_EQ(numbers.size(), small.size());
  ASSERT_EQ(words.size(), small.size());
  for (std::uint64_t i = small.begin; i < small.end; ++i) {
    EXPECT_EQ(numbers[i - small.begin], square(i)) << i;
    EXPECT_EQ(words[i - small.begin], text(i)) << i;
  }
  // The for_each ran every index exactly once over all ranks.
  std::vector<std::uint64_t> counts(small.size());
  for (auto i : seen) ++counts[i - small.begin];
  MPI_Allreduce(MPI_IN_PLACE, counts.data(), static_cast<int>(counts.size()), MPI_UINT64_T, MPI_SUM,
                ctx.communicator());
  for (std::uint64_t k = 0; k < counts.size(); ++k) EXPECT_EQ(counts[k], 1U) << k;
  // The first map was wholly in the journal: only the string map was partly recomputed.
  EXPECT_GE(sum_over_ranks(ctx, cp.resumed_chunks()), (small.size() + 6) / 7);
  cp.complete();
}

/// "w17" from 'w' and 17. (Appended: g++ 12 warns falsely, -Wrestrict, about "w" + string.)
std::string prefixed(char letter, std::uint64_t number) {
  std::string text(1, letter);
  text.append(std::to_string(number));
  return text;
}

/// map_reduce_by_key over indices: word i is "w<(i * 7919) % 211>" with value i, plus ("all", 1).
class key_value_job {
 public:
  explicit key_value_job(mpimr::context& ctx) : ctx_(ctx) {}
  static constexpr index_range words{0, 3000};
  static constexpr std::uint64_t chunk_size = 25;  // 120 chunks
  static std::string word_of(std::uint64_t i) { return prefixed('w', (i * 7919) % 211); }

  /// The rank that maps index `stop_at` asks for the stop (mid-chunk: that chunk still finishes).
  std::vector<std::pair<std::string, std::uint64_t>> run(std::uint64_t stop_at) {
    const mpimr::options kv_opts{
        .schedule = mpimr::schedule::dynamic, .chunk_size = chunk_size, .label = "words"};
    const auto result = mpimr::map_reduce_by_key<std::string, std::uint64_t>(
        ctx_, words,
        [&](std::uint64_t i, const mpimr::emitter<std::string, std::uint64_t>& emit) {
          ++mapped;
          if (i == stop_at) mpimr::request_stop();
          emit(word_of(i), i);
          emit("all", 1);
        },
        std::plus<>{}, kv_opts);
    return result.gather_sorted();
  }
  static std::vector<std::pair<std::string, std::uint64_t>> serial() {
    std::map<std::string, std::uint64_t> sums;
    for (std::uint64_t i = words.begin; i < words.end; ++i) {
      sums[word_of(i)] += i;
      sums["all"] += 1;
    }
    return {sums.begin(), sums.end()};
  }
  std::uint64_t mapped = 0;  // indices mapped on this rank

 private:
  mpimr::context& ctx_;
};

TEST_F(checkpoint_test, KeyValueJobsResumeWithTheSamePairs) {
  key_value_job job(ctx);
  std::uint64_t first_run = 0;
  {
    mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "words v1"});
    EXPECT_THROW((void)job.run(1500), mpimr::interrupted);
    mpimr::clear_stop();
    first_run = sum_over_ranks(ctx, cp.recorded_chunks());
    EXPECT_GE(first_run, 1U);
    EXPECT_LT(first_run, key_value_job::words.size() / key_value_job::chunk_size);
  }
  mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "words v1"});
  EXPECT_EQ(cp.found_records(), first_run);
  job.mapped = 0;
  EXPECT_EQ(job.run(UINT64_MAX), key_value_job::serial());
  // The journaled chunks were not mapped again; every other index was mapped once.
  EXPECT_EQ(sum_over_ranks(ctx, cp.resumed_chunks()), first_run);
  EXPECT_EQ(sum_over_ranks(ctx, job.mapped),
            key_value_job::words.size() - first_run * key_value_job::chunk_size);
  cp.complete();
}

TEST_F(checkpoint_test, KeyValueJobsOverTextResume) {
  // 400 lines of 2 words in splits of 64 bytes; rank 0 writes the file, beside the journal folder.
  const fs::path text = folder.path().string() + ".txt";
  if (ctx.rank() == 0) {
    std::ofstream out(text);
    for (int line = 0; line < 400; ++line) out << "w" << line % 37 << " x" << line % 5 << "\n";
  }
  MPI_Barrier(ctx.communicator());
  std::uint64_t lines_mapped = 0;
  const auto count_words = [&](bool stop) {
    const auto counts = mpimr::map_reduce_by_key<std::string, std::uint64_t>(
        ctx, mpimr::text_input{{text}, 64},
        [&](std::string_view line, const mpimr::emitter<std::string, std::uint64_t>& emit) {
          if (stop && ++lines_mapped == 30) mpimr::request_stop();
          if (!stop) ++lines_mapped;
          const auto space = line.find(' ');
          emit(line.substr(0, space), 1);
          emit(line.substr(space + 1), 1);
        },
        std::plus<>{}, {.schedule = mpimr::schedule::dynamic});
    return counts.gather_sorted();
  };
  std::map<std::string, std::uint64_t> serial;
  for (std::uint64_t line = 0; line < 400; ++line) {
    ++serial[prefixed('w', line % 37)];
    ++serial[prefixed('x', line % 5)];
  }
  {
    mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "text words"});
    EXPECT_THROW((void)count_words(true), mpimr::interrupted);
    mpimr::clear_stop();
  }
  mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "text words"});
  EXPECT_GE(cp.found_records(), 1U);
  lines_mapped = 0;
  EXPECT_EQ(count_words(false),
            (std::vector<std::pair<std::string, std::uint64_t>>(serial.begin(), serial.end())));
  EXPECT_LT(sum_over_ranks(ctx, lines_mapped), 400U);
  EXPECT_EQ(sum_over_ranks(ctx, cp.resumed_chunks()), cp.found_records());
  cp.complete();
  MPI_Barrier(ctx.communicator());
  if (ctx.rank() == 0) fs::remove(text);
}

TEST_F(checkpoint_test, MapToResumesOnItsRoot) {
  const index_range small{3, 903};
  const mpimr::options map_opts{.schedule = mpimr::schedule::dynamic, .chunk_size = 9};
  const std::uint64_t chunks = small.size() / 9;
  const int root = ctx.size() - 1;
  std::uint64_t called = 0;  // indices of the string map_to computed on this rank
  const auto job = [&](bool stop) {
    auto words = mpimr::map_to(
        ctx, root, small,
        [&](std::uint64_t i) {
          ++called;
          if (stop && i == 450) mpimr::request_stop();
          return prefixed('t', i * i);
        },
        map_opts);
    auto odd = mpimr::map_to(
        ctx, 0, small, [](std::uint64_t i) { return i % 2 == 1; }, map_opts);
    return std::make_pair(words, odd);
  };
  std::uint64_t first_run = 0;
  {
    mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "map_to"});
    EXPECT_THROW((void)job(true), mpimr::interrupted);
    mpimr::clear_stop();
    first_run = sum_over_ranks(ctx, cp.recorded_chunks());
    EXPECT_GE(first_run, 1U);
    // All of them when the others took every other chunk before the stop reached them (seen at
    // 4 ranks on 2 cores); never a chunk of the second map_to.
    EXPECT_LE(first_run, chunks);
  }
  mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "map_to"});
  called = 0;
  const auto [words, odd] = job(false);
  ASSERT_EQ(words.size(), ctx.rank() == root ? small.size() : 0U);
  for (std::uint64_t k = 0; k < words.size(); ++k) {
    EXPECT_EQ(words[k], prefixed('t', (small.begin + k) * (small.begin + k))) << k;
  }
  ASSERT_EQ(odd.size(), ctx.rank() == 0 ? small.size() : 0U);
  for (std::uint64_t k = 0; k < odd.size(); ++k) EXPECT_EQ(odd[k], (small.begin + k) % 2 == 1);
  // The journaled chunks were not computed again; all the others were, once.
  EXPECT_EQ(sum_over_ranks(ctx, cp.resumed_chunks()), first_run);
  EXPECT_EQ(sum_over_ranks(ctx, called), small.size() - 9 * first_run);
  cp.complete();
}

TEST_F(checkpoint_test, FillAndReduceResumesWithTheArrayAndTheBits) {
  const index_range small{0, 3000};
  const mpimr::options fill_opts{
      .schedule = mpimr::schedule::dynamic, .chunk_size = 30, .deterministic = true};
  const std::uint64_t chunks = small.size() / 30;
  std::uint64_t called = 0;  // chunks computed on this rank
  const auto job = [&](auto& out, bool stop) {
    return mpimr::fill_and_reduce(
        ctx, small, out, 0.0,
        [&](const chunk& c, std::span<double> slice) {
          ++called;
          if (stop && c.begin == 1500) mpimr::request_stop();
          double s = 0;
          for (auto i : c.indices()) s += slice[i - c.begin] = term(i);
          return s;
        },
        std::plus<>{}, fill_opts);
  };
  std::vector<double> plain(small.size());
  const double plain_sum = job(plain, false);
  // The same into a private vector and into an array the node's ranks share.
  const auto resumes = [&](const std::string& key, auto make_output) {
    std::uint64_t first_run = 0;
    {
      mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = key});
      auto out = make_output();
      called = 0;
      EXPECT_THROW((void)job(out, true), mpimr::interrupted);
      mpimr::clear_stop();
      first_run = sum_over_ranks(ctx, cp.recorded_chunks());
      EXPECT_EQ(first_run, sum_over_ranks(ctx, called));
      EXPECT_GE(first_run, 1U);
      EXPECT_LT(first_run, chunks);
    }
    mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = key});
    auto out = make_output();
    called = 0;
    const double resumed = job(out, false);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(resumed), std::bit_cast<std::uint64_t>(plain_sum))
        << key;
    EXPECT_EQ(std::vector<double>(out.begin(), out.end()), plain) << key;
    EXPECT_EQ(sum_over_ranks(ctx, cp.resumed_chunks()), first_run) << key;
    EXPECT_EQ(sum_over_ranks(ctx, called), chunks - first_run) << key;
    cp.complete();
  };
  resumes("fill", [&] { return std::vector<double>(small.size(), -1.0); });
  resumes("fill shared", [&] {
    return mpimr::shared_array<double>(ctx, small.size(), [](std::span<double> part, auto) {
      std::fill(part.begin(), part.end(), -1.0);
    });
  });
}

TEST_F(checkpoint_test, TornAndCorruptRecordsAreRecomputed) {
  {
    mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "sum v1", .keep = true});
    (void)run_sum(ctx, computed);
    cp.complete();
  }
  MPI_Barrier(ctx.communicator());
  if (ctx.rank() == 0) {
    // Cut every journal file inside its last record, and flip a byte in the middle of the first.
    bool first = true;
    for (const auto& entry : fs::directory_iterator(folder.path())) {
      const auto size = fs::file_size(entry.path());
      if (first) {
        std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(size / 2));
        f.put('\x5a');
        first = false;
      }
      fs::resize_file(entry.path(), size - 3);
    }
  }
  MPI_Barrier(ctx.communicator());
  mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "sum v1"});
  EXPECT_GE(cp.damaged_files(), 1U);
  EXPECT_LT(cp.found_records(), chunk_count);
  computed = 0;
  const double resumed = run_sum(ctx, computed);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(resumed), std::bit_cast<std::uint64_t>(reference));
  EXPECT_EQ(sum_over_ranks(ctx, computed), chunk_count - cp.found_records());
  cp.complete();
}

/// The message of the invalid_argument that opening a checkpoint throws, or "" if none.
std::string open_error(mpimr::context& ctx, const fs::path& folder, const std::string& key) {
  try {
    mpimr::checkpoint cp(ctx, {.folder = folder, .key = key});
  } catch (const mpimr::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST_F(checkpoint_test, JournalsOfOtherJobsAndFormatsAndBadFoldersAreRefused) {
  {
    mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "job A"});
    (void)run_sum(ctx, computed);
  }  // not completed: the journal stays
  const std::string other = open_error(ctx, folder.path(), "job B");
  EXPECT_NE(other.find("another job"), std::string::npos) << other;
  EXPECT_NE(other.find("job A"), std::string::npos) << other;
  EXPECT_EQ(open_error(ctx, folder.path(), "job A"), "");

  // A header that verifies but names format version 99.
  if (ctx.rank() == 0) {
    mpimr::detail::byte_buffer header = mpimr::detail::journal_format::encode_header("job A");
    header[8] = std::byte{99};
    const std::uint64_t sum = XXH3_64bits(header.data(), header.size() - 8);
    std::memcpy(header.data() + header.size() - 8, &sum, 8);
    std::ofstream(folder.path() / "zz-future.mpimrj", std::ios::binary)
        .write(reinterpret_cast<const char*>(header.data()),
               static_cast<std::streamsize>(header.size()));
  }
  MPI_Barrier(ctx.communicator());
  const std::string version = open_error(ctx, folder.path(), "job A");
  EXPECT_NE(version.find("format 99"), std::string::npos) << version;

  // A folder below a plain file cannot be created.
  const fs::path file_as_parent = folder.path() / "zz-future.mpimrj" / "sub";
  const std::string bad_folder = open_error(ctx, file_as_parent, "job A");
  EXPECT_NE(bad_folder.find("cannot create checkpoint folder"), std::string::npos) << bad_folder;
  EXPECT_NE(bad_folder.find(file_as_parent.string()), std::string::npos) << bad_folder;
  EXPECT_NE(open_error(ctx, "", "job A").find("empty"), std::string::npos);
}

TEST_F(checkpoint_test, ASecondCheckpointOnOneContextIsRefused) {
  mpimr::checkpoint cp(ctx, {.folder = folder.path(), .key = "k"});
  EXPECT_NE(open_error(ctx, folder.path() / "second", "k").find("already has a checkpoint"),
            std::string::npos);
  cp.complete();
}

}  // namespace
