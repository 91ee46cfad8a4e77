// mpimr::for_each: runs a body for its side effects (writing tiles, files) over every chunk or
// index.
#pragma once

#include <cstdint>
#include <functional>

#include "mpimr/context.hpp"
#include "mpimr/detail/executor.hpp"
#include "mpimr/detail/operation_journal.hpp"
#include "mpimr/detail/reduce_core.hpp"
#include "mpimr/detail/report_scope.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"

namespace mpimr {

/// Calls `body(chunk)` for every chunk, or `body(index)` for every index when the body takes an
/// integer. Returns on every rank once all chunks are done; throws mpimr::task_error everywhere if
/// a body threw anywhere.
template <class Body>
requires std::invocable<Body&, const chunk&> || std::invocable<Body&, std::uint64_t>
void for_each(context& ctx, index_range range, Body body, const options& opts = {}) {
  detail::report_scope report(ctx);  // first: it times the whole operation
  detail::execution_request request = detail::make_request(range, opts);
  detail::check_callable(body, "for_each body", request);
  detail::operation_journal journal(ctx, "for_each", request);
  detail::byte_buffer payload;
  detail::execute(
      ctx, request,
      [&](const chunk& c) {
        // A journaled chunk finished in an earlier run: its side effects are done.
        if (journal.active() && journal.find(c.id, payload)) return;
        if constexpr (std::invocable<Body&, const chunk&>) {
          std::invoke(body, c);
        } else {
          for (std::uint64_t i = c.begin; i < c.end; ++i) std::invoke(body, i);
        }
        if (journal.active()) journal.record(c.id, {});
      },
      [] { return std::uint64_t{0}; });
}

}  // namespace mpimr
