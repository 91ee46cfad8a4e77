// share_chunk_results: each rank's chunks, merged into runs of neighbouring chunks, become an
// hindexed datatype over the shared array; each rank in turn broadcasts its runs in place.
#include "mpimr/detail/chunk_results.hpp"

#include <algorithm>
#include <climits>
#include <utility>

#include "traffic.hpp"

namespace mpimr::detail {
namespace {

/// A run of neighbouring chunks of one rank: first index (from the range's start) and length.
struct run {
  std::uint64_t offset;
  std::uint64_t length;
};

std::vector<run> runs_of(const chunk_plan& plan, std::vector<std::uint64_t> ids) {
  std::sort(ids.begin(), ids.end());
  std::vector<run> runs;
  constexpr auto longest = static_cast<std::uint64_t>(INT_MAX);
  for (const std::uint64_t id : ids) {
    const chunk c = plan.at(id);
    const std::uint64_t offset = c.begin - plan.range.begin;
    if (!runs.empty() && runs.back().offset + runs.back().length == offset &&
        runs.back().length + c.size() <= longest) {
      runs.back().length += c.size();
    } else {
      runs.push_back({offset, c.size()});
    }
  }
  return runs;
}

/// The elements of `runs` in an array of `element` items, as one MPI datatype.
MPI_Datatype runs_type(const std::vector<run>& runs, MPI_Datatype element, MPI_Aint extent) {
  std::vector<int> lengths(runs.size());
  std::vector<MPI_Aint> displacements(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    lengths[i] = static_cast<int>(runs[i].length);
    displacements[i] = static_cast<MPI_Aint>(runs[i].offset) * extent;
  }
  MPI_Datatype type = MPI_DATATYPE_NULL;
  MPI_Type_create_hindexed(static_cast<int>(runs.size()), lengths.data(), displacements.data(),
                           element, &type);
  MPI_Type_commit(&type);
  return type;
}

int rank_of(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank;
}

std::uint64_t element_bytes(MPI_Datatype element) {
  int bytes = 0;
  MPI_Type_size(element, &bytes);
  return static_cast<std::uint64_t>(bytes);
}

/// For the run report: a rank's block goes to every other rank; it receives all the others.
void count_block_traffic(const std::vector<int>& counts, int rank, std::uint64_t element) {
  std::uint64_t all = 0;
  for (const int c : counts) all += static_cast<std::uint64_t>(c);
  const auto own = static_cast<std::uint64_t>(counts[static_cast<std::size_t>(rank)]);
  count_sent(own * element * (counts.size() - 1));
  count_received((all - own) * element);
}

/// Static blocks: rank r's results are one contiguous block, known to all. Returns false (nothing
/// sent) when the range is too long for an int count of elements.
bool share_static_blocks(MPI_Comm comm, int size, const chunk_plan& plan, std::byte* results,
                         MPI_Datatype element) {
  if (plan.range.size() > static_cast<std::uint64_t>(INT_MAX)) return false;
  std::vector<int> counts(static_cast<std::size_t>(size));
  std::vector<int> starts(static_cast<std::size_t>(size));
  for (int r = 0; r < size; ++r) {
    const std::uint64_t first = static_block_start(plan.chunk_count, r, size);
    const std::uint64_t last = static_block_start(plan.chunk_count, r + 1, size);
    // Chunk ids ascend with the index, so the block runs from its first chunk's start to its last
    // chunk's end (an empty block: both bounds at the next rank's start).
    const std::uint64_t begin = first < plan.chunk_count ? plan.at(first).begin : plan.range.end;
    const std::uint64_t end = last < plan.chunk_count ? plan.at(last).begin : plan.range.end;
    counts[static_cast<std::size_t>(r)] = static_cast<int>(end - begin);
    starts[static_cast<std::size_t>(r)] = static_cast<int>(begin - plan.range.begin);
  }
  count_block_traffic(counts, rank_of(comm), element_bytes(element));
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, results, counts.data(), starts.data(), element,
                 comm);
  return true;
}

}  // namespace

bool chunk_results_shareable(const chunk_plan& plan) noexcept {
  return plan.chunk_size <= static_cast<std::uint64_t>(INT_MAX) &&
         plan.chunk_count <= static_cast<std::uint64_t>(INT_MAX) / 2;
}

void share_chunk_results(MPI_Comm comm, const chunk_plan& plan, std::byte* results,
                         std::size_t element_bytes, std::vector<std::uint64_t> mine,
                         bool static_blocks) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (size == 1) return;
  MPI_Datatype element = MPI_DATATYPE_NULL;
  MPI_Type_contiguous(static_cast<int>(element_bytes), MPI_BYTE, &element);
  MPI_Type_commit(&element);
  if (static_blocks && share_static_blocks(comm, size, plan, results, element)) {
    MPI_Type_free(&element);
    return;
  }
  // Every rank learns every rank's runs: two numbers per run.
  const std::vector<run> own = runs_of(plan, std::move(mine));
  std::vector<std::uint64_t> flat;
  flat.reserve(2 * own.size());
  for (const run& r : own) {
    flat.push_back(r.offset);
    flat.push_back(r.length);
  }
  const int own_count = static_cast<int>(flat.size());
  std::vector<int> counts(static_cast<std::size_t>(size));
  MPI_Allgather(&own_count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  std::vector<int> starts(static_cast<std::size_t>(size));
  int total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    starts[r] = total;
    total += counts[r];  // at most 2 numbers per chunk: fits (chunk_results_shareable)
  }
  std::vector<std::uint64_t> all(static_cast<std::size_t>(total));
  MPI_Allgatherv(flat.data(), own_count, MPI_UINT64_T, all.data(), counts.data(), starts.data(),
                 MPI_UINT64_T, comm);

  for (int root = 0; root < size; ++root) {
    const auto r = static_cast<std::size_t>(root);
    if (counts[r] == 0) continue;  // every rank sees the same counts: all skip alike
    std::vector<run> runs(static_cast<std::size_t>(counts[r]) / 2);
    for (std::size_t i = 0; i < runs.size(); ++i) {
      runs[i] = {all[static_cast<std::size_t>(starts[r]) + 2 * i],
                 all[static_cast<std::size_t>(starts[r]) + 2 * i + 1]};
    }
    std::uint64_t run_items = 0;
    for (const run& each : runs) run_items += each.length;
    count_broadcast(rank_of(comm), root, size, run_items * element_bytes);
    MPI_Datatype type = runs_type(runs, element, static_cast<MPI_Aint>(element_bytes));
    MPI_Bcast(results, 1, type, root, comm);
    MPI_Type_free(&type);
  }
  MPI_Type_free(&element);
}

}  // namespace mpimr::detail
