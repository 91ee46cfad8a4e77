// Request/reply protocol of the cross-node dispenser (see service_dispenser.hpp for why).
#include "service_dispenser.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include "backoff.hpp"
#include "mpimr/detail/byte_transport.hpp"

namespace mpimr::detail {
namespace {

enum request_kind : std::uint64_t { request_chunks = 0, client_finished = 1 };

}  // namespace

service_host::service_host(const context_state& state, std::uint64_t count, schedule kind)
    : comm_(state.comm),
      dispenser_(counter_, count, kind, state.size),
      clients_running_(state.size - 1) {
  if (state.thread_multiple) {
    // The thread must not run `idle` work: that belongs to the main thread's data.
    thread_ = std::thread([this] { serve_until_all_finished([] {}); });
  }
}

service_host::~service_host() {
  if (!finished_) finish([] {});
}

id_batch service_host::next() {
  serve();
  return dispenser_.next();
}

void service_host::serve() {
  if (!thread_.joinable()) serve_pending();
}

void service_host::finish(function_ref<void()> idle) {
  finished_ = true;
  if (thread_.joinable()) {
    // Not a plain join: clients still computing may wait for this rank to take their key-value
    // batches, which `idle` does.
    backoff wait;
    while (clients_running_.load() > 0) {
      idle();
      wait.pause(false);
    }
    thread_.join();
  } else {
    serve_until_all_finished(idle);
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

void service_host::serve_until_all_finished(function_ref<void()> idle) {
  backoff wait;
  while (clients_running_.load() > 0) {
    const bool served = serve_pending();
    idle();
    wait.pause(served);
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

void service_client::finish(function_ref<void()> /*idle*/) {
  const std::uint64_t kind = client_finished;
  MPI_Send(&kind, 1, MPI_UINT64_T, 0, tag_service_request, comm_);
}

}  // namespace mpimr::detail
