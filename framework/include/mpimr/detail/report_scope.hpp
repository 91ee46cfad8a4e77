// The span of one public operation for its run report: opened when the operation starts, closed
// (with one small collective) after its last exchange, so the report covers the whole operation.
#pragma once

#include <exception>

#include "mpimr/context.hpp"

namespace mpimr::detail {

/// Starts this rank's clock and byte counts for an operation (nested operations count once).
void begin_report(context& ctx) noexcept;
/// Collective: gathers every rank's figures into ctx.last_report() (and the run total).
void end_report(context& ctx) noexcept;
/// After a failure: no collective (the ranks are leaving through an exception), no report.
void abandon_report(context& ctx) noexcept;

/// Opened at the top of every public operation; closes the report when the operation returns.
class report_scope {
 public:
  explicit report_scope(context& ctx) noexcept
      : ctx_(ctx), exceptions_(std::uncaught_exceptions()) {
    begin_report(ctx_);
  }
  // Every rank returns or every rank throws (failures are agreed on), so the collective in
  // end_report is reached by all ranks or by none.
  ~report_scope() {
    if (std::uncaught_exceptions() > exceptions_) {
      abandon_report(ctx_);
    } else {
      end_report(ctx_);
    }
  }
  report_scope(const report_scope&) = delete;
  report_scope& operator=(const report_scope&) = delete;

 private:
  context& ctx_;
  int exceptions_;
};

}  // namespace mpimr::detail
