// Writes the seeds of the journal fuzz target (corpus/journal/): a real journal, written by
// mpimr::checkpoint around a few operations whose records have payloads of several sizes, and
// damaged copies of it. Run at one rank after a change of the journal format:
//   mpirun -np 1 <build>/tests/fuzz/fuzz_journal_seeds tests/fuzz/corpus/journal
#include <xxhash.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mpimr/detail/journal_format.hpp>
#include <mpimr/mpimr.hpp>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace jf = mpimr::detail::journal_format;

constexpr std::string_view key = "fuzz_journal_seeds v1";

/// The journaled operations: 8-byte partials (reduce of a double), 32- and 16-byte chunks of a map
/// of doubles, empty payloads (for_each), and strings of 1 to 300 bytes (their encoded length
/// first).
void run_job(mpimr::context& ctx) {
  // One rank, static blocks: the records come in chunk order, the same bytes on every run.
  constexpr auto blocks = mpimr::schedule::static_blocks;
  (void)mpimr::reduce(ctx, mpimr::index_range{0, 10}, 0.0,
                      [](const mpimr::chunk& c) { return 0.5 * static_cast<double>(c.begin); },
                      std::plus<>{},
                      {.schedule = blocks, .chunk_size = 2, .deterministic = true, .label = "sum"});
  (void)mpimr::map(ctx, mpimr::index_range{0, 10},
                   [](std::uint64_t i) { return static_cast<double>(i) / 3; },
                   {.schedule = blocks, .chunk_size = 4, .label = "thirds"});
  mpimr::for_each(ctx, mpimr::index_range{0, 3}, [](std::uint64_t) {},
                  {.schedule = blocks, .chunk_size = 1, .label = "side effects"});
  (void)mpimr::reduce(
      ctx, mpimr::index_range{0, 3}, std::string(),
      [](const mpimr::chunk& c) { return std::string(c.begin == 0 ? 1 : 150 * c.begin, 'a'); },
      [](std::string a, const std::string& b) { return a + b; },
      {.schedule = blocks, .chunk_size = 1, .label = "text"});
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_seed(const fs::path& folder, const std::string& name, const std::string& bytes) {
  mpimr::atomic_file out(folder / name);
  out.write(bytes);
  out.commit();
}

/// Where each record of `journal` ends.
std::vector<std::size_t> record_ends(const std::string& journal) {
  const auto scan =
      jf::scan(std::span(reinterpret_cast<const std::byte*>(journal.data()), journal.size()));
  std::vector<std::size_t> ends;
  for (const auto& r : scan.records) ends.push_back(r.payload_offset + r.payload_length + 8);
  return ends;
}

}  // namespace

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  if (argc != 2 || ctx.size() != 1) {
    std::fprintf(stderr, "usage: mpirun -np 1 %s OUT_FOLDER\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  std::string pattern = (fs::temp_directory_path() / "mpimr-journal-seeds-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::fprintf(stderr, "cannot create a folder in %s\n", fs::temp_directory_path().c_str());
    return 1;
  }
  const fs::path scratch = pattern;
  try {
    {
      mpimr::checkpoint cp(ctx,
                           {.folder = scratch / "journal", .key = std::string(key), .keep = true});
      run_job(ctx);
      cp.complete();
    }
    // One run at one rank: exactly one journal file.
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(scratch / "journal")) files.push_back(entry);
    if (files.size() != 1) throw mpimr::error("expected one journal file");
    const std::string journal = read_all(files.front());
    const std::vector<std::size_t> ends = record_ends(journal);
    if (ends.size() != 14) throw mpimr::error("expected 14 records");
    const std::size_t header_end = jf::encode_header(key).size();

    fs::create_directories(out);
    write_seed(out, "real_journal", journal);
    write_seed(out, "header_only", journal.substr(0, header_end));
    // Cut in the middle of the last record, as a process killed while writing it leaves it.
    write_seed(out, "torn_last_record", journal.substr(0, (ends[12] + ends[13]) / 2));
    // One payload byte of the long string's record changed: that record and the rest are dropped.
    std::string corrupt = journal;
    corrupt[ends[12] + 40] ^= 0x10;
    write_seed(out, "corrupt_record", corrupt);
    // The same journal under format version 2: a verified header, its records not read.
    std::string other = journal;
    const std::uint32_t version = jf::version + 1;
    std::memcpy(other.data() + 8, &version, sizeof version);
    const std::uint64_t sum = XXH3_64bits(other.data(), header_end - 8);
    std::memcpy(other.data() + header_end - 8, &sum, sizeof sum);
    write_seed(out, "other_version", other);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    fs::remove_all(scratch);
    return 1;
  }
  fs::remove_all(scratch);
  return 0;
}
