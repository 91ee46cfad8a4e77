// The peer for apps/wordcount: the same word count written with MR-MPI's own API (libmrmpi-dev),
// the way its examples/wordfreq.cpp does it: map over file chunks cut at a separator character,
// collate (hash keys to ranks, group values by key), reduce (one output pair per word). Same word
// rule as apps/wordcount (maximal runs of ASCII letters, lowercased) and the same summary lines.
// Usage: mpirun -np N bench_wordcount_mrmpi [--memsize MB] [--split-bytes N] [--separator C]
//          [--delta N] [--compress] [--fpath DIR] FILES|FOLDERS...
//   --memsize MB     MR-MPI page size (its default, 64): a key-value set larger than one page
//                    spills to files in --fpath (default: the current folder)
//   --split-bytes N  bytes of input per map task (8 MiB, as apps/wordcount's default split)
//   --separator C    map tasks start and end after this character ('\n'); --delta N bytes (64 KiB)
//                    is how far past its nominal end a task may look for one
//   --compress       combine each rank's pairs by word (MR-MPI compress()) before collate
#include <mpi.h>
#include <mrmpi/keyvalue.h>
#include <mrmpi/mapreduce.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

using MAPREDUCE_NS::KeyValue;
using MAPREDUCE_NS::MapReduce;

namespace {

constexpr bool is_letter(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

struct run_state {
  MapReduce* mr = nullptr;
  bool counted_values = false;  // after compress(), each value is a uint64_t count, not a marker
  std::uint64_t words = 0;      // words counted by this rank's reduce calls
};

// Map task: one line-aligned piece of a file, NUL-terminated (`size` includes the NUL).
// Emits key = word (no terminator), value = nothing, as wordfreq does.
void map_words(int /*task*/, char* text, int size, KeyValue* kv, void* /*state*/) {
  std::vector<char> word;
  const int n = size > 0 && text[size - 1] == '\0' ? size - 1 : size;
  for (int i = 0; i < n;) {
    if (!is_letter(text[i])) {
      ++i;
      continue;
    }
    word.clear();
    for (; i < n && is_letter(text[i]); ++i) word.push_back(to_lower(text[i]));
    kv->add(word.data(), static_cast<int>(word.size()), nullptr, 0);
  }
}

// Sum of the values of one key: their number, or the sum of their counts after compress().
std::uint64_t add_values(const run_state& s, const char* values, int nvalues,
                         const int* value_bytes) {
  if (!s.counted_values) return static_cast<std::uint64_t>(nvalues);
  std::uint64_t sum = 0;
  const char* p = values;
  for (int i = 0; i < nvalues; ++i) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, sizeof v);
    sum += v;
    p += value_bytes[i];
  }
  return sum;
}

std::uint64_t key_total(run_state& s, char* values, int nvalues, int* value_bytes) {
  if (values != nullptr || nvalues != 0) return add_values(s, values, nvalues, value_bytes);
  // A key whose values fill more than one page comes in blocks (MR-MPI's multi-block KMV).
  int blocks = 0;
  s.mr->multivalue_blocks(blocks);
  std::uint64_t sum = 0;
  for (int b = 0; b < blocks; ++b) {
    char* block_values = nullptr;
    int* block_bytes = nullptr;
    const int n = s.mr->multivalue_block(b, &block_values, &block_bytes);
    sum += add_values(s, block_values, n, block_bytes);
  }
  return sum;
}

// compress() callback (local combine) and reduce() callback: emit key = word, value = its count
// (uint64_t); the reduce also adds the count to this rank's total.
void count_words(char* key, int key_bytes, char* values, int nvalues, int* value_bytes,
                 KeyValue* kv, void* state) {
  auto& s = *static_cast<run_state*>(state);
  std::uint64_t n = key_total(s, values, nvalues, value_bytes);
  kv->add(key, key_bytes, reinterpret_cast<char*>(&n), sizeof n);
}

void reduce_words(char* key, int key_bytes, char* values, int nvalues, int* value_bytes,
                  KeyValue* kv, void* state) {
  auto& s = *static_cast<run_state*>(state);
  std::uint64_t n = key_total(s, values, nvalues, value_bytes);
  kv->add(key, key_bytes, reinterpret_cast<char*>(&n), sizeof n);
  s.words += n;
}

[[noreturn]] void usage(int rank, const char* message) {
  if (rank == 0) {
    std::fprintf(stderr,
                 "bench_wordcount_mrmpi: %s\nusage: bench_wordcount_mrmpi [--memsize MB] "
                 "[--split-bytes N] [--separator C] [--delta N] [--compress] [--fpath DIR] "
                 "FILES|FOLDERS...\n",
                 message);
  }
  MPI_Finalize();
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);

  int memsize = 64;
  std::uint64_t split_bytes = std::uint64_t{8} << 20U;
  char separator = '\n';
  int delta = 64 << 10;
  bool compress = false;
  std::string fpath = ".";
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(rank, (a + " needs a value").c_str());
      return argv[++i];
    };
    if (a == "--memsize") {
      memsize = std::atoi(value().c_str());
    } else if (a == "--split-bytes") {
      split_bytes = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--separator") {
      const std::string v = value();
      separator = v == "\\n" ? '\n' : v.empty() ? '\n' : v[0];
    } else if (a == "--delta") {
      delta = std::atoi(value().c_str());
    } else if (a == "--compress") {
      compress = true;
    } else if (a == "--fpath") {
      fpath = value();
    } else if (a.rfind("--", 0) == 0) {
      usage(rank, ("unknown option " + a).c_str());
    } else {
      inputs.emplace_back(a);
    }
  }
  if (inputs.empty()) usage(rank, "no input");
  if (memsize <= 0 || split_bytes == 0 || delta <= 0) usage(rank, "sizes must be positive");

  // Folders are read recursively, in sorted order, like apps/wordcount.
  std::vector<std::string> files;
  std::uint64_t total_bytes = 0;
  for (const auto& p : inputs) {
    std::vector<std::filesystem::path> found;
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) found.push_back(e.path());
      }
      std::sort(found.begin(), found.end());
    } else {
      found.push_back(p);
    }
    for (const auto& f : found) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(f, ec);
      if (ec) usage(rank, ("cannot read " + f.string()).c_str());
      if (size == 0) continue;  // MR-MPI cannot cut an empty file into a task
      total_bytes += size;
      files.push_back(f.string());
    }
  }
  std::vector<char*> file_names;
  for (auto& f : files) file_names.push_back(f.data());
  // At least one task per file and per rank; about split_bytes each.
  const std::uint64_t by_size = (total_bytes + split_bytes - 1) / split_bytes;
  const int tasks = static_cast<int>(
      std::max<std::uint64_t>({by_size, files.size(), static_cast<std::uint64_t>(ranks)}));

  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();

  std::uint64_t distinct = 0;
  std::uint64_t total = 0;
  std::uint64_t pairs = 0;
  if (!files.empty()) {
    auto* mr = new MapReduce(MPI_COMM_WORLD);
    mr->memsize = memsize;
    mr->verbosity = 0;
    mr->timer = 0;
    mr->set_fpath(fpath.c_str());
    run_state state;
    state.mr = mr;

    // (tasks, files, recurse = 0, names are files not lists of files = 0, separator, delta, ...)
    pairs = mr->map(tasks, static_cast<int>(file_names.size()), file_names.data(), 0, 0, separator,
                    delta, map_words, &state);
    if (compress) {
      mr->compress(count_words, &state);
      state.counted_values = true;
    }
    mr->collate(nullptr);
    distinct = mr->reduce(reduce_words, &state);
    MPI_Allreduce(&state.words, &total, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    delete mr;
  }
  // Bytes MR-MPI wrote to its scratch files (pages that did not fit in memory), all ranks.
  std::uint64_t spilled = 0;
  std::uint64_t written = MapReduce::wsize;
  MPI_Allreduce(&written, &spilled, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);

  MPI_Barrier(MPI_COMM_WORLD);
  const double seconds = MPI_Wtime() - start;
  if (rank == 0) {
    std::printf("distinct_words %llu\ntotal_words    %llu\n",
                static_cast<unsigned long long>(distinct), static_cast<unsigned long long>(total));
    std::printf("map_pairs %llu\nmap_tasks %d\nspilled_bytes %llu\nwall_seconds %.3f\n",
                static_cast<unsigned long long>(pairs), tasks,
                static_cast<unsigned long long>(spilled), seconds);
  }
  MPI_Finalize();
  return 0;
}
