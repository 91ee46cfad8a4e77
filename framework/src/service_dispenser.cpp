// Request/reply protocol of the cross-node dispenser (see service_dispenser.hpp for why).
#include "service_dispenser.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include "mpimr/detail/byte_transport.hpp"

namespace mpimr::detail {
namespace {

enum request_kind : std::uint64_t { request_chunks = 0, client_finished = 1 };

// After a request the next one usually follows soon: poll without sleeping this long, then back
// off.
constexpr auto busy_poll_window = std::chrono::microseconds(20);
constexpr auto longest_sleep = std::chrono::microseconds(100);

}  // namespace

service_host::service_host(const context_state& state, std::uint64_t count, schedule kind)
    : comm_(state.comm),
      dispenser_(counter_, count, kind, state.size),
      clients_running_(state.size - 1) {
  if (state.thread_multiple) thread_ = std::thread([this] { serve_until_all_finished(); });
}

service_host::~service_host() {
  if (!finished_) finish();
}

id_batch service_host::next() {
  if (!thread_.joinable()) serve_pending();
  return dispenser_.next();
}

void service_host::finish() {
  finished_ = true;
  if (thread_.joinable()) {
    thread_.join();
  } else {
    serve_until_all_finished();
  }
}

bool service_host::serve_pending() {
  bool served = false;
  for (;;) {
    int pending = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, tag_service_request, comm_, &pending, &status);
    if (pending == 0) return served;
    std::uint64_t kind = 0;
    MPI_Recv(&kind, 1, MPI_UINT64_T, status.MPI_SOURCE, tag_service_request, comm_,
             MPI_STATUS_IGNORE);
    if (kind == client_finished) {
      --clients_running_;
    } else {
      const id_batch batch = dispenser_.next();
      const std::array<std::uint64_t, 2> reply{batch.first, batch.last};
      MPI_Send(reply.data(), 2, MPI_UINT64_T, status.MPI_SOURCE, tag_service_reply, comm_);
    }
    served = true;
  }
}

void service_host::serve_until_all_finished() {
  using clock = std::chrono::steady_clock;
  auto last_served = clock::now();
  auto sleep = std::chrono::microseconds(1);
  while (clients_running_ > 0) {
    if (serve_pending()) {
      last_served = clock::now();
      sleep = std::chrono::microseconds(1);
    } else if (clock::now() - last_served > busy_poll_window) {
      std::this_thread::sleep_for(sleep);
      sleep = std::min(sleep * 2, longest_sleep);
    }
  }
}

id_batch service_client::next() {
  if (exhausted_) return {};
  const std::uint64_t kind = request_chunks;
  MPI_Send(&kind, 1, MPI_UINT64_T, 0, tag_service_request, comm_);
  std::array<std::uint64_t, 2> reply{};
  MPI_Recv(reply.data(), 2, MPI_UINT64_T, 0, tag_service_reply, comm_, MPI_STATUS_IGNORE);
  const id_batch batch{reply[0], reply[1]};
  exhausted_ = batch.empty();
  return batch;
}

void service_client::finish() {
  const std::uint64_t kind = client_finished;
  MPI_Send(&kind, 1, MPI_UINT64_T, 0, tag_service_request, comm_);
}

}  // namespace mpimr::detail
