// Makes a failure that only some ranks saw, such as an input file missing on one node, fail every
// rank alike, before a collective operation would wait for the ranks that gave up.
#pragma once

#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <string>

namespace app {

/// Collective. Throws mpimr::invalid_argument on every rank, with the message of the lowest rank
/// that has one (naming that rank unless it is rank 0), if any rank passes a message.
inline void fail_together(mpimr::context& ctx, const std::optional<std::string>& local_error) {
  // One chunk per rank under static blocks: chunk r runs on rank r, and mpimr carries what a body
  // throws to every rank.
  try {
    mpimr::for_each(ctx, mpimr::index_range{0, static_cast<std::uint64_t>(ctx.size())},
                    [&](std::uint64_t) {
                      if (local_error) throw mpimr::error(*local_error);
                    },
                    {.schedule = mpimr::schedule::static_blocks, .chunk_size = 1});
  } catch (const mpimr::task_error& e) {
    if (e.rank() == 0) throw mpimr::invalid_argument(e.original_message());
    throw mpimr::invalid_argument(e.original_message() + " (on rank " + std::to_string(e.rank()) +
                                  ")");
  }
}

}  // namespace app
