// The transport of the key-value shuffle: batches of encoded records travel point to point to the
// rank that owns them while every rank is still mapping, so no rank has to hold its whole map
// output. At most one batch per rank is in flight, which bounds the memory of the exchange.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "mpimr/context.hpp"
#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/function_ref.hpp"

namespace mpimr::detail {

class exchange_channel {
 public:
  /// Gets every batch that arrives; must not throw (record a failure and carry on, so that the
  /// protocol still completes on every rank).
  using receiver = function_ref<void(std::span<const std::byte>)>;

  /// The largest batch sent as one message: MPI counts are ints.
  static constexpr std::uint64_t max_message_bytes = std::uint64_t{1} << 30U;

  explicit exchange_channel(context& ctx);
  exchange_channel(const exchange_channel&) = delete;
  exchange_channel& operator=(const exchange_channel&) = delete;
  ~exchange_channel();

  [[nodiscard]] int rank() const noexcept { return rank_; }
  [[nodiscard]] int size() const noexcept { return size_; }

  /// Sends batches[d] to rank d (empty ones and this rank's own are not sent; the caller keeps
  /// its own records). First waits until the previous batches have been taken, taking in what
  /// arrives meanwhile and serving the scheduler.
  void send(std::vector<byte_buffer> batches, receiver on_batch);
  /// Takes in every batch that has arrived. Returns whether there was any.
  bool poll(receiver on_batch);
  /// Called once after this rank's last send: tells every rank how many batches to expect from
  /// it, then takes in batches until every rank has said so and every announced batch arrived.
  void finish(receiver on_batch);

 private:
  void wait_for_sends(receiver on_batch);
  /// Receives the batch a probe found (only this thread uses the exchange communicator, so the
  /// probed message is still the next one from that source).
  void receive(const MPI_Status& probed, receiver on_batch);
  void release_incoming() noexcept;

  static constexpr std::size_t kept_incoming_bytes = std::size_t{1} << 20U;

  context& ctx_;
  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
  std::vector<byte_buffer> in_flight_;
  std::vector<MPI_Request> requests_;
  std::vector<std::uint64_t> sent_to_;
  std::uint64_t received_ = 0;
  std::unique_ptr<std::byte[]> incoming_;  // the batch being taken in
  std::size_t incoming_capacity_ = 0;
};

}  // namespace mpimr::detail
