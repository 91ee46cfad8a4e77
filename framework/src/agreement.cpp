// fail_together: one allreduce finds the lowest failing rank, whose message is then broadcast.
#include "mpimr/agreement.hpp"

#include <mpi.h>

#include <climits>

#include "mpimr/errors.hpp"

namespace mpimr {

void fail_together(context& ctx, const std::optional<std::string>& local_error) {
  const MPI_Comm comm = ctx.communicator();
  int first = local_error ? ctx.rank() : INT_MAX;
  MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, comm);
  if (first == INT_MAX) return;
  detail::byte_buffer message;
  if (ctx.rank() == first) message = detail::to_bytes(*local_error);
  detail::bcast_bytes(comm, first, message);
  std::string text = detail::from_bytes<std::string>(message);
  if (first != 0) text.append(" (on rank ").append(std::to_string(first)).append(")");
  throw invalid_argument(text);
}

}  // namespace mpimr
