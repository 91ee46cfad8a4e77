// mpimr::checkpoint: the collective steps around a rank's journal (see checkpoint.hpp).
#include "mpimr/checkpoint.hpp"

#include <mpi.h>

#include <chrono>

#include "context_state.hpp"
#include "journal.hpp"
#include "mpimr/agreement.hpp"
#include "mpimr/errors.hpp"

namespace mpimr {

checkpoint::checkpoint(context& ctx, checkpoint_settings settings) : ctx_(&ctx) {
  const bool busy = ctx.state().active_journal != nullptr;
  fail_together(ctx, busy ? std::optional<std::string>("this context already has a checkpoint")
                          : std::nullopt);
  journal_ = std::make_unique<detail::journal>(std::move(settings.folder), std::move(settings.key));
  keep_ = settings.keep;
  // Rank 0 creates the folder first: one clear error when it cannot be made.
  fail_together(ctx, ctx.rank() == 0 ? journal_->create_folder() : std::nullopt);
  // Every rank reads the folder before any rank adds its own file to it.
  fail_together(ctx, journal_->read_folder());
  // Rank 0's clock names this run's files, so runs never collide and sort in time order.
  auto run_id = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch() /
                                           std::chrono::nanoseconds(1));
  MPI_Bcast(&run_id, 1, MPI_UINT64_T, 0, ctx.communicator());
  fail_together(ctx, journal_->start_own_file(run_id, ctx.rank()));
  ctx.state().active_journal = journal_.get();
}

checkpoint::~checkpoint() {
  if (completed_) return;
  ctx_->state().active_journal = nullptr;
  journal_->close();
}

void checkpoint::complete() {
  if (completed_) throw invalid_argument("checkpoint::complete called twice");
  ctx_->state().active_journal = nullptr;
  journal_->close();
  // Every rank has closed its file before rank 0 removes them.
  MPI_Barrier(ctx_->communicator());
  if (!keep_ && ctx_->rank() == 0) journal_->remove_files();
  completed_ = true;
}

std::uint64_t checkpoint::resumed_chunks() const noexcept { return journal_->resumed(); }
std::uint64_t checkpoint::recorded_chunks() const noexcept { return journal_->recorded(); }
std::uint64_t checkpoint::found_records() const noexcept { return journal_->found(); }
std::uint64_t checkpoint::damaged_files() const noexcept { return journal_->damaged_files(); }
const std::filesystem::path& checkpoint::folder() const noexcept { return journal_->folder(); }

}  // namespace mpimr
