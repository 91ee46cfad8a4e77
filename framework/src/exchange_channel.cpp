// Point-to-point batches of the key-value shuffle, and the count exchange that tells every rank
// when it has received everything.
#include "mpimr/detail/exchange_channel.hpp"

#include <climits>
#include <memory>
#include <string>
#include <utility>

#include "backoff.hpp"
#include "context_state.hpp"
#include "mpimr/detail/executor.hpp"
#include "mpimr/errors.hpp"
#include "traffic.hpp"

namespace mpimr::detail {
namespace {

// Tags of the exchange's own communicator.
enum exchange_tag : int { tag_batch = 1, tag_batch_count = 2 };

}  // namespace

exchange_channel::exchange_channel(context& ctx)
    : ctx_(ctx),
      comm_(ctx.state().exchange_comm),
      rank_(ctx.rank()),
      size_(ctx.size()),
      sent_to_(static_cast<std::size_t>(size_), 0) {}

exchange_channel::~exchange_channel() {
  // Only reached with sends pending if the caller never called finish() (it is always called by
  // the executor); completing them keeps the buffers alive until MPI is done with them.
  if (!requests_.empty()) {
    MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE);
  }
}

void exchange_channel::send(std::vector<byte_buffer> batches, receiver on_batch) {
  wait_for_sends(on_batch);
  in_flight_ = std::move(batches);
  for (int dest = 0; dest < size_; ++dest) {
    const byte_buffer& batch = in_flight_[static_cast<std::size_t>(dest)];
    if (dest == rank_ || batch.empty()) continue;
    if (batch.size() > static_cast<std::size_t>(INT_MAX)) {
      throw error(
          std::string("key-value exchange: one batch of ")
              .append(std::to_string(batch.size()))
              .append(" bytes is too large for one message; a single record is over 2 GiB"));
    }
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Isend(batch.data(), static_cast<int>(batch.size()), MPI_BYTE, dest, tag_batch, comm_,
              &request);
    requests_.push_back(request);
    count_sent(batch.size());
    ++sent_to_[static_cast<std::size_t>(dest)];
  }
}

void exchange_channel::wait_for_sends(receiver on_batch) {
  backoff wait;
  for (;;) {
    int done = 1;
    if (!requests_.empty()) {
      MPI_Testall(static_cast<int>(requests_.size()), requests_.data(), &done, MPI_STATUSES_IGNORE);
    }
    if (done != 0) break;
    // Whoever this rank waits for may be waiting for this rank: keep its duties going.
    const bool received = poll(on_batch);
    serve_scheduler(ctx_);
    wait.pause(received);
  }
  requests_.clear();
  in_flight_.clear();
}

bool exchange_channel::poll(receiver on_batch) {
  bool any = false;
  for (;;) {
    int pending = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, tag_batch, comm_, &pending, &status);
    if (pending == 0) return any;
    receive(status, on_batch);
    any = true;
  }
}

void exchange_channel::receive(const MPI_Status& probed, receiver on_batch) {
  int bytes = 0;
  MPI_Get_count(&probed, MPI_BYTE, &bytes);
  const auto size = static_cast<std::size_t>(bytes);
  if (size > incoming_capacity_) {
    // Not zero-filled: MPI_Recv overwrites it all.
    incoming_.reset();
    incoming_ = std::make_unique_for_overwrite<std::byte[]>(size);
    incoming_capacity_ = size;
  }
  MPI_Recv(incoming_.get(), bytes, MPI_BYTE, probed.MPI_SOURCE, tag_batch, comm_,
           MPI_STATUS_IGNORE);
  ++received_;
  count_received(size);
  on_batch(std::span<const std::byte>(incoming_.get(), size));
  // A large buffer is not kept for the next batch: it would sit next to this rank's own tables
  // and batches for the rest of the operation.
  if (incoming_capacity_ > kept_incoming_bytes) release_incoming();
}

void exchange_channel::release_incoming() noexcept {
  incoming_.reset();
  incoming_capacity_ = 0;
}

void exchange_channel::finish(receiver on_batch) {
  wait_for_sends(on_batch);
  std::vector<MPI_Request> count_sends;
  for (int dest = 0; dest < size_; ++dest) {
    if (dest == rank_) continue;
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Isend(&sent_to_[static_cast<std::size_t>(dest)], 1, MPI_UINT64_T, dest, tag_batch_count,
              comm_, &request);
    count_sends.push_back(request);
  }
  // Every other rank is past its chunk loop too (or soon will be), so a blocking probe is fine.
  int counts_missing = size_ - 1;
  std::uint64_t expected = 0;
  while (counts_missing > 0 || received_ < expected) {
    MPI_Status status;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &status);
    if (status.MPI_TAG == tag_batch) {
      receive(status, on_batch);
      continue;
    }
    std::uint64_t count = 0;
    MPI_Recv(&count, 1, MPI_UINT64_T, status.MPI_SOURCE, tag_batch_count, comm_, MPI_STATUS_IGNORE);
    expected += count;
    --counts_missing;
  }
  MPI_Waitall(static_cast<int>(count_sends.size()), count_sends.data(), MPI_STATUSES_IGNORE);
  release_incoming();
}

}  // namespace mpimr::detail
