// allreduce_slot and failure_message (see detail/fixed_allreduce.hpp).
#include "mpimr/detail/fixed_allreduce.hpp"

#include "mpimr/detail/byte_transport.hpp"
#include "traffic.hpp"

namespace mpimr::detail {
namespace {

/// The MPI datatype and operation of one call, freed after it.
class slot_handles {
 public:
  slot_handles(std::size_t bytes, MPI_User_function* apply) {
    MPI_Type_contiguous(static_cast<int>(bytes), MPI_BYTE, &type_);
    MPI_Type_commit(&type_);
    MPI_Op_create(apply, 0, &op_);  // 0: not commutative, so MPI keeps rank order
  }
  ~slot_handles() {
    MPI_Op_free(&op_);
    MPI_Type_free(&type_);
  }
  slot_handles(const slot_handles&) = delete;
  slot_handles& operator=(const slot_handles&) = delete;

  [[nodiscard]] MPI_Datatype type() const noexcept { return type_; }
  [[nodiscard]] MPI_Op op() const noexcept { return op_; }

 private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
  MPI_Op op_ = MPI_OP_NULL;
};

}  // namespace

void allreduce_slot(MPI_Comm comm, void* slot, std::size_t bytes, MPI_User_function* apply) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (size > 1) {  // counted as the slot sent once and received once, as allreduce_in_place does
    count_sent(bytes);
    count_received(bytes);
  }
  const slot_handles handles(bytes, apply);
  // A reduce to rank 0 and a broadcast, not MPI_Allreduce: with an algorithm where every rank
  // joins the values itself (Open MPI's at 2 ranks) each rank would record a failed join as its
  // own, and the ranks would disagree on whose message to take. Rank 0's result is the only one.
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : slot, rank == 0 ? slot : nullptr, 1, handles.type(),
             handles.op(), 0, comm);
  MPI_Bcast(slot, 1, handles.type(), 0, comm);
}

std::string failure_message(MPI_Comm comm, int rank, const fixed_slot_state& state,
                            const std::vector<std::string>& failures) {
  byte_buffer message;
  if (rank == state.failed_rank) {
    const std::string& text = failures.at(state.failure_index);
    const auto* first = reinterpret_cast<const std::byte*>(text.data());
    message.assign(first, first + text.size());
  }
  bcast_bytes(comm, state.failed_rank, message);
  return {reinterpret_cast<const char*>(message.data()), message.size()};
}

}  // namespace mpimr::detail
