// The farm's output folder: made if missing and checked writable on every rank before any task
// runs, so that a typo fails at once (one line, exit code 2) instead of every task failing.
#pragma once

#include <mpimr/mpimr.hpp>
#include <string>

namespace farm {

/// Collective. Throws mpimr::invalid_argument on every rank when some rank cannot create `folder`
/// or a file in it.
void prepare_output_folder(mpimr::context& ctx, const std::string& folder);

}  // namespace farm
