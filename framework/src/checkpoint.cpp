// mpimr::checkpoint: the collective steps around a rank's journal (see checkpoint.hpp).
#include "mpimr/checkpoint.hpp"

#include <mpi.h>
#include <xxhash.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>

#include "context_state.hpp"
#include "journal.hpp"
#include "mpimr/agreement.hpp"
#include "mpimr/errors.hpp"

namespace mpimr {

namespace {

std::string quoted_start(const std::string& text) {
  // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) about "'" + string + "'".
  std::string out(1, '\'');
  out.append(text, 0, 200).push_back('\'');
  if (text.size() > 200) out.append(" (" + std::to_string(text.size()) + " bytes)");
  return out;
}

/// What this rank must say when its folder or key is not rank 0's. Ranks that journal under
/// different keys refuse each other's files on a rerun; ranks in different folders never see
/// each other's records. Hashes travel, not the key itself (up to 1 MiB).
std::optional<std::string> differs_from_rank_0(context& ctx, const checkpoint_settings& s) {
  const std::string folder = s.folder.string();
  std::array<std::uint64_t, 2> mine{XXH3_64bits(folder.data(), folder.size()),
                                    XXH3_64bits(s.key.data(), s.key.size())};
  std::array<std::uint64_t, 2> rank_0 = mine;
  MPI_Bcast(rank_0.data(), 2, MPI_UINT64_T, 0, ctx.communicator());
  if (mine[0] != rank_0[0]) {
    return "checkpoint folder " + quoted_start(folder) +
           " is not rank 0's: every rank must pass the same folder and key";
  }
  if (mine[1] != rank_0[1]) {
    return "checkpoint key " + quoted_start(s.key) +
           " is not rank 0's: every rank must pass the same folder and key";
  }
  return std::nullopt;
}

}  // namespace

checkpoint::checkpoint(context& ctx, checkpoint_settings settings) : ctx_(&ctx) {
  const bool busy = ctx.state().active_journal != nullptr;
  fail_together(ctx, busy ? std::optional<std::string>("this context already has a checkpoint")
                          : std::nullopt);
  fail_together(ctx, differs_from_rank_0(ctx, settings));
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
