// Cost of reducing a large Eigen vector with mpimr::reduce against a bare MPI_Allreduce of the same
// buffer in the same process, one chunk per rank. The RESULT is for a body that hands its vector
// over (std::move, as a body that computes its partial does): what is left is mpimr's own cost. For
// comparison, INFO lines time a body that returns a copy of a vector it keeps, against a
// hand-written "copy, then MPI_Allreduce in place", with the minor page faults per call of each.
// Usage: bench_eigen_reduce [ELEMENTS [REPS]]; prints RESULT/INFO lines (run at 2 ranks).
#include <fmt/core.h>
#include <sys/resource.h>

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace {

long minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

/// Seconds and minor page faults of one call of `fn`, both from the rank with the most.
template <class Fn>
void measure(MPI_Comm comm, std::vector<double>& seconds, std::vector<double>& faults, Fn&& fn) {
  const long before = minor_faults();
  seconds.push_back(bench::timed(comm, fn));
  long mine = minor_faults() - before;
  long most = 0;
  MPI_Allreduce(&mine, &most, 1, MPI_LONG, MPI_MAX, comm);
  faults.push_back(static_cast<double>(most));
}

}  // namespace

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  const auto n_arg = bench::count_arg(argc, argv, 1, 1'000'000);
  const auto reps_arg = bench::count_arg(argc, argv, 2, 41);
  if (!n_arg || !reps_arg) return 2;
  const auto n = static_cast<Eigen::Index>(*n_arg);
  const int reps = static_cast<int>(*reps_arg);
  const auto ranks = static_cast<std::uint64_t>(ctx.size());

  // Baselines on their own duplicate, as mpimr works on its own.
  MPI_Comm raw_comm = MPI_COMM_NULL;
  MPI_Comm_dup(MPI_COMM_WORLD, &raw_comm);

  const Eigen::VectorXd mine = Eigen::VectorXd::LinSpaced(n, 0.0, 1.0) * (ctx.rank() + 1.0);
  const Eigen::VectorXd identity = Eigen::VectorXd::Zero(n);
  Eigen::VectorXd raw_sum(n);  // separate send and receive buffers, the receive one reused
  Eigen::VectorXd mpimr_sum;
  Eigen::VectorXd copy_sum;
  Eigen::VectorXd handed_over;  // refilled outside the timed region before each moved run
  Eigen::VectorXd moved_sum;
  enum { mpimr_run, moved_run, raw_run, copy_run, runs };
  std::vector<double> seconds[runs];
  std::vector<double> faults[runs];
  for (int rep = 0; rep < reps; ++rep) {  // interleaved, so drifting load hits all alike
    measure(ctx.communicator(), seconds[mpimr_run], faults[mpimr_run], [&] {
      mpimr_sum = mpimr::reduce(ctx, mpimr::index_range{0, ranks}, identity,
                                [&](const mpimr::chunk&) { return mine; }, std::plus<>{},
                                {.schedule = mpimr::schedule::static_blocks, .chunk_size = 1});
    });
    handed_over = mine;
    measure(ctx.communicator(), seconds[moved_run], faults[moved_run], [&] {
      moved_sum =
          mpimr::reduce(ctx, mpimr::index_range{0, ranks}, identity,
                        [&](const mpimr::chunk&) { return std::move(handed_over); }, std::plus<>{},
                        {.schedule = mpimr::schedule::static_blocks, .chunk_size = 1});
    });
    measure(raw_comm, seconds[raw_run], faults[raw_run], [&] {
      MPI_Allreduce(mine.data(), raw_sum.data(), static_cast<int>(n), MPI_DOUBLE, MPI_SUM,
                    raw_comm);
    });
    measure(raw_comm, seconds[copy_run], faults[copy_run], [&] {
      Eigen::VectorXd fresh = mine;
      MPI_Allreduce(MPI_IN_PLACE, fresh.data(), static_cast<int>(n), MPI_DOUBLE, MPI_SUM, raw_comm);
      copy_sum = std::move(fresh);
    });
  }
  const bool same = mpimr_sum == raw_sum && copy_sum == raw_sum && moved_sum == raw_sum;
  MPI_Comm_free(&raw_comm);
  if (ctx.rank() != 0) return same ? 0 : 1;
  if (!same) {
    fmt::print(stderr, "bench_eigen_reduce: mpimr and MPI_Allreduce results differ\n");
    return 1;
  }
  const int np = ctx.size();
  const double m = bench::median(seconds[mpimr_run]);
  const double h = bench::median(seconds[moved_run]);
  const double r = bench::median(seconds[raw_run]);
  const double c = bench::median(seconds[copy_run]);
  fmt::print("INFO eigen_reduce_ms_mpimr_np{} {:.3f} ({} page faults/call)\n", np, m * 1e3,
             bench::median(faults[mpimr_run]));
  fmt::print("INFO eigen_reduce_ms_mpimr_moved_np{} {:.3f} ({} page faults/call)\n", np, h * 1e3,
             bench::median(faults[moved_run]));
  fmt::print("INFO eigen_reduce_ms_mpi_allreduce_np{} {:.3f} ({} page faults/call)\n", np, r * 1e3,
             bench::median(faults[raw_run]));
  fmt::print("INFO eigen_reduce_ms_copy_then_allreduce_np{} {:.3f} ({} page faults/call)\n", np,
             c * 1e3, bench::median(faults[copy_run]));
  fmt::print("INFO eigen_reduce_ratio_vs_copy_then_allreduce_np{} {:.3f}\n", np, m / c);
  fmt::print("INFO eigen_reduce_ratio_copying_body_vs_mpi_allreduce_np{} {:.3f}\n", np, m / r);
  fmt::print("RESULT eigen_reduce_time_ratio_np{} {:.3f} (target <= 1.1)\n", np, h / r);
  return 0;
}
