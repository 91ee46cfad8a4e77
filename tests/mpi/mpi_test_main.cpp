// GoogleTest main for tests/mpi: every rank runs every test; rank 0 prints the usual report, the
// others only their failures; if any rank failed, the run fails on every rank and names the ranks.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

namespace {

// Non-root ranks: one stderr line per failed assertion, tagged with the rank, so that the output
// mpirun interleaves from all ranks stays attributable.
class rank_failure_printer : public ::testing::EmptyTestEventListener {
 public:
  explicit rank_failure_printer(int rank) : rank_{rank} {}

  // Remember the test here: UnitTest::current_test_info() would deadlock inside OnTestPartResult,
  // which gtest calls with its own mutex held.
  void OnTestStart(const ::testing::TestInfo& test) override {
    test_ = std::string{test.test_suite_name()} + '.' + test.name();
  }
  void OnTestEnd(const ::testing::TestInfo&) override { test_.clear(); }

  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::fprintf(stderr, "[rank %d] FAILED %s %s:%d %s\n", rank_,
                 test_.empty() ? "(outside a test)" : test_.c_str(),
                 result.file_name() ? result.file_name() : "unknown file", result.line_number(),
                 result.summary());
    std::fflush(stderr);
  }

 private:
  int rank_;
  std::string test_;
};

// `--mpimr-thread-level=funneled` runs the tests as a host code would that initialized MPI with
// less than MPI_THREAD_MULTIPLE, so mpimr's fallbacks for that case are tested too.
int requested_thread_level(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--mpimr-thread-level=funneled") return MPI_THREAD_FUNNELED;
  }
  return MPI_THREAD_MULTIPLE;
}

}  // namespace

int main(int argc, char** argv) {
  const int requested = requested_thread_level(argc, argv);
  int provided = MPI_THREAD_SINGLE;
  MPI_Init_thread(&argc, &argv, requested, &provided);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (provided < requested) {
    if (rank == 0) {
      std::fprintf(stderr, "mpi_test_main: MPI provides thread level %d, tests asked for %d\n",
                   provided, requested);
    }
    MPI_Finalize();
    return 1;
  }

  ::testing::InitGoogleTest(&argc, argv);

  // With --gtest_shuffle each process would draw its own time-based seed, run tests in its own
  // order and deadlock in the first collective: use rank 0's seed everywhere (gtest's range
  // is 1..99999).
  int seed = GTEST_FLAG_GET(random_seed);
  if (seed == 0) seed = static_cast<int>(std::time(nullptr) % 99999) + 1;
  MPI_Bcast(&seed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  GTEST_FLAG_SET(random_seed, seed);

  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  if (rank != 0) {
    delete listeners.Release(listeners.default_result_printer());
    delete listeners.Release(listeners.default_xml_generator());  // one report file, from rank 0
    listeners.Append(new rank_failure_printer{rank});
  }

  const int local_failed = RUN_ALL_TESTS() != 0 ? 1 : 0;

  std::vector<int> failed(static_cast<std::size_t>(size));
  MPI_Allgather(&local_failed, 1, MPI_INT, failed.data(), 1, MPI_INT, MPI_COMM_WORLD);
  std::string failed_ranks;
  for (int r = 0; r < size; ++r) {
    if (failed[static_cast<std::size_t>(r)] != 0) failed_ranks += ' ' + std::to_string(r);
  }
  if (rank == 0 && !failed_ranks.empty()) {
    std::fprintf(stderr, "[mpimr] tests failed on rank(s):%s (of %d)\n", failed_ranks.c_str(),
                 size);
  }

  MPI_Finalize();
  return failed_ranks.empty() ? 0 : 1;
}
