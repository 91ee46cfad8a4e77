// Point-to-point and broadcast of byte buffers of any length, and the order-preserving tree
// reduction used when a join is not a built-in MPI op.
#include "mpimr/detail/byte_transport.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <exception>
#include <string>
#include <utility>

#include "mpimr/errors.hpp"
#include "traffic.hpp"

namespace mpimr::detail {
namespace {

int piece_count(std::uint64_t remaining, std::uint64_t piece) {
  return static_cast<int>(std::min({remaining, piece, max_message_piece}));
}

// The bytes of `data` from `offset` on, in messages of at most `piece` bytes: the transfers below
// send a length (or a frame holding the start) first, then this.
void send_pieces(MPI_Comm comm, int dest, int tag, std::span<const std::byte> data,
                 std::uint64_t offset, std::uint64_t piece) {
  while (offset < data.size()) {
    const int n = piece_count(data.size() - offset, piece);
    MPI_Send(data.data() + offset, n, MPI_BYTE, dest, tag, comm);
    offset += static_cast<std::uint64_t>(n);
  }
}

void recv_pieces(MPI_Comm comm, int source, int tag, byte_buffer& data, std::uint64_t offset,
                 std::uint64_t piece) {
  while (offset < data.size()) {
    const int n = piece_count(data.size() - offset, piece);
    MPI_Recv(data.data() + offset, n, MPI_BYTE, source, tag, comm, MPI_STATUS_IGNORE);
    offset += static_cast<std::uint64_t>(n);
  }
}

void bcast_pieces(MPI_Comm comm, int root, byte_buffer& data, std::uint64_t offset,
                  std::uint64_t piece) {
  while (offset < data.size()) {
    const int n = piece_count(data.size() - offset, piece);
    MPI_Bcast(data.data() + offset, n, MPI_BYTE, root, comm);
    offset += static_cast<std::uint64_t>(n);
  }
}

// What travels ahead of a tree payload: whether a join failed below, and where and why.
struct tree_status {
  bool failed = false;
  int rank = 0;
  std::string message;

  [[nodiscard]] byte_buffer encode() const {
    byte_buffer out;
    byte_writer w(out);
    w.pod(static_cast<std::uint8_t>(failed ? 1 : 0));
    w.pod(static_cast<std::int32_t>(rank));
    codec<std::string>::encode(w, message);
    return out;
  }
  static tree_status decode(byte_reader& r) {
    tree_status s;
    s.failed = r.pod<std::uint8_t>() != 0;
    s.rank = r.pod<std::int32_t>();
    codec<std::string>::decode(r, s.message);
    return s;
  }
};

// A tree message or broadcast carries its length and up to this many bytes in its first MPI
// message; longer ones send the rest in pieces. A small reduction then costs one message per tree
// edge and one broadcast, instead of a length and a payload each for the status and the value
// (eight latencies at 2 ranks, about as long as a small PageRank iteration's own work).
constexpr std::size_t frame_bytes = 4096;
constexpr std::size_t frame_payload = frame_bytes - sizeof(std::uint64_t);

void send_framed(MPI_Comm comm, int dest, int tag, std::span<const std::byte> data) {
  const std::uint64_t total = data.size();
  const std::size_t first = static_cast<std::size_t>(std::min<std::uint64_t>(total, frame_payload));
  byte_buffer head(sizeof total + first);
  std::memcpy(head.data(), &total, sizeof total);
  if (first > 0) std::memcpy(head.data() + sizeof total, data.data(), first);
  MPI_Send(head.data(), static_cast<int>(head.size()), MPI_BYTE, dest, tag, comm);
  count_sent(total);
  send_pieces(comm, dest, tag, data, first, max_message_piece);
}

byte_buffer recv_framed(MPI_Comm comm, int source, int tag) {
  MPI_Status status;
  MPI_Probe(source, tag, comm, &status);
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  byte_buffer head(static_cast<std::size_t>(count));
  MPI_Recv(head.data(), count, MPI_BYTE, source, tag, comm, MPI_STATUS_IGNORE);
  std::uint64_t total = 0;
  std::memcpy(&total, head.data(), sizeof total);
  byte_buffer data(total);
  count_received(total);
  const std::size_t first = head.size() - sizeof total;
  if (first > 0) std::memcpy(data.data(), head.data() + sizeof total, first);
  recv_pieces(comm, source, tag, data, first, max_message_piece);
  return data;
}

/// bcast_bytes in one MPI_Bcast of frame_bytes when the data fits in it.
void bcast_framed(MPI_Comm comm, int root, byte_buffer& data) {
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  std::array<std::byte, frame_bytes> head{};
  std::uint64_t total = data.size();
  if (rank == root) {
    std::memcpy(head.data(), &total, sizeof total);
    const std::size_t first =
        static_cast<std::size_t>(std::min<std::uint64_t>(total, frame_payload));
    if (first > 0) std::memcpy(head.data() + sizeof total, data.data(), first);
  }
  MPI_Bcast(head.data(), static_cast<int>(head.size()), MPI_BYTE, root, comm);
  if (rank != root) {
    std::memcpy(&total, head.data(), sizeof total);
    data.resize(total);
    const std::size_t first =
        static_cast<std::size_t>(std::min<std::uint64_t>(total, frame_payload));
    if (first > 0) std::memcpy(data.data(), head.data() + sizeof total, first);
  }
  count_broadcast(rank, root, size, total);
  bcast_pieces(comm, root, data, frame_payload, max_message_piece);
}

/// A tree message: the status, then (unless a join failed below) the value.
byte_buffer tree_message(const tree_status& status, const byte_buffer& value) {
  byte_buffer out = status.encode();
  if (!status.failed) out.insert(out.end(), value.begin(), value.end());
  return out;
}

/// Splits a tree message back into its status and value.
tree_status split_tree_message(byte_buffer& message, byte_buffer& value) {
  byte_reader reader(message);
  const tree_status status = tree_status::decode(reader);
  const std::size_t used = message.size() - reader.remaining();
  value.assign(message.begin() + static_cast<std::ptrdiff_t>(used), message.end());
  return status;
}

}  // namespace

void send_bytes(MPI_Comm comm, int dest, int tag, std::span<const std::byte> data,
                std::uint64_t piece) {
  std::uint64_t total = data.size();
  MPI_Send(&total, 1, MPI_UINT64_T, dest, tag, comm);
  count_sent(total);
  send_pieces(comm, dest, tag, data, 0, piece);
}

byte_buffer recv_bytes(MPI_Comm comm, int source, int tag, std::uint64_t piece) {
  std::uint64_t total = 0;
  MPI_Recv(&total, 1, MPI_UINT64_T, source, tag, comm, MPI_STATUS_IGNORE);
  byte_buffer data(total);
  count_received(total);
  recv_pieces(comm, source, tag, data, 0, piece);
  return data;
}

void bcast_bytes(MPI_Comm comm, int root, byte_buffer& data, std::uint64_t piece) {
  std::uint64_t total = data.size();
  MPI_Bcast(&total, 1, MPI_UINT64_T, root, comm);
  data.resize(total);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  count_broadcast(rank, root, size, total);
  bcast_pieces(comm, root, data, 0, piece);
}

std::vector<byte_buffer> allgather_bytes(MPI_Comm comm, byte_buffer local) {
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  std::vector<std::uint64_t> sizes(static_cast<std::size_t>(size));
  std::uint64_t mine = local.size();
  MPI_Allgather(&mine, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, comm);
  std::vector<byte_buffer> all(static_cast<std::size_t>(size));
  std::uint64_t total = 0;
  for (auto s : sizes) total += s;
  if (total > static_cast<std::uint64_t>(INT_MAX)) {
    // Displacements are int: beyond 2 GiB in all, one (split) broadcast per rank instead.
    for (int root = 0; root < size; ++root) {
      auto& buffer = all[static_cast<std::size_t>(root)];
      if (root == rank) buffer = local;
      bcast_bytes(comm, root, buffer);
    }
    return all;
  }
  std::vector<int> counts(static_cast<std::size_t>(size));
  std::vector<int> displacements(static_cast<std::size_t>(size));
  int offset = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    counts[r] = static_cast<int>(sizes[r]);
    displacements[r] = offset;
    offset += counts[r];
  }
  byte_buffer joined(total);
  count_sent(mine * static_cast<std::uint64_t>(size - 1));
  count_received(total - mine);
  MPI_Allgatherv(local.data(), static_cast<int>(mine), MPI_BYTE, joined.data(), counts.data(),
                 displacements.data(), MPI_BYTE, comm);
  for (std::size_t r = 0; r < all.size(); ++r) {
    all[r].assign(joined.begin() + displacements[r], joined.begin() + displacements[r] + counts[r]);
  }
  return all;
}

namespace {

std::vector<byte_buffer> alltoall_point_to_point(MPI_Comm comm,
                                                 const std::vector<byte_buffer>& outgoing,
                                                 const std::vector<std::uint64_t>& incoming_sizes,
                                                 std::uint64_t piece) {
  const auto size = static_cast<int>(outgoing.size());
  std::vector<byte_buffer> incoming(outgoing.size());
  std::vector<MPI_Request> requests;
  // Every piece of every pair is posted at once: receives first, so sends never wait on buffering.
  auto post = [&](std::byte* data, std::uint64_t total, int peer, bool send) {
    for (std::uint64_t offset = 0; offset < total;) {
      const int n = piece_count(total - offset, piece);
      MPI_Request request = MPI_REQUEST_NULL;
      if (send) {
        MPI_Isend(data + offset, n, MPI_BYTE, peer, tag_exchange, comm, &request);
      } else {
        MPI_Irecv(data + offset, n, MPI_BYTE, peer, tag_exchange, comm, &request);
      }
      requests.push_back(request);
      offset += static_cast<std::uint64_t>(n);
    }
  };
  for (int source = 0; source < size; ++source) {
    auto& buffer = incoming[static_cast<std::size_t>(source)];
    buffer.resize(incoming_sizes[static_cast<std::size_t>(source)]);
    post(buffer.data(), buffer.size(), source, false);
  }
  for (int dest = 0; dest < size; ++dest) {
    const auto& buffer = outgoing[static_cast<std::size_t>(dest)];
    // MPI does not write through a send buffer; the cast only satisfies the shared helper.
    post(const_cast<std::byte*>(buffer.data()), buffer.size(), dest, true);
  }
  MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
  return incoming;
}

}  // namespace

std::vector<byte_buffer> alltoall_bytes(MPI_Comm comm, const std::vector<byte_buffer>& outgoing,
                                        std::uint64_t int_limit, std::uint64_t piece) {
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  if (outgoing.size() != static_cast<std::size_t>(size)) {
    throw invalid_argument("alltoall_bytes: " + std::to_string(outgoing.size()) + " buffers for " +
                           std::to_string(size) + " ranks");
  }
  std::vector<std::uint64_t> send_sizes(outgoing.size());
  for (std::size_t d = 0; d < outgoing.size(); ++d) send_sizes[d] = outgoing[d].size();
  std::vector<std::uint64_t> recv_sizes(outgoing.size());
  MPI_Alltoall(send_sizes.data(), 1, MPI_UINT64_T, recv_sizes.data(), 1, MPI_UINT64_T, comm);
  std::uint64_t send_total = 0;
  std::uint64_t recv_total = 0;
  for (std::size_t r = 0; r < outgoing.size(); ++r) {
    send_total += send_sizes[r];
    recv_total += recv_sizes[r];
  }
  // What a rank keeps for itself never leaves it.
  count_sent(send_total - send_sizes[static_cast<std::size_t>(rank)]);
  count_received(recv_total - recv_sizes[static_cast<std::size_t>(rank)]);
  // Every rank must take the same path: agree on whether any rank's totals exceed an int.
  int too_big = send_total > int_limit || recv_total > int_limit ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &too_big, 1, MPI_INT, MPI_MAX, comm);
  if (too_big != 0) return alltoall_point_to_point(comm, outgoing, recv_sizes, piece);

  std::vector<int> send_counts(outgoing.size());
  std::vector<int> send_displacements(outgoing.size());
  std::vector<int> recv_counts(outgoing.size());
  std::vector<int> recv_displacements(outgoing.size());
  byte_buffer packed(send_total);
  int send_offset = 0;
  int recv_offset = 0;
  for (std::size_t r = 0; r < outgoing.size(); ++r) {
    send_counts[r] = static_cast<int>(send_sizes[r]);
    send_displacements[r] = send_offset;
    if (!outgoing[r].empty())
      std::memcpy(packed.data() + send_offset, outgoing[r].data(), outgoing[r].size());
    send_offset += send_counts[r];
    recv_counts[r] = static_cast<int>(recv_sizes[r]);
    recv_displacements[r] = recv_offset;
    recv_offset += recv_counts[r];
  }
  byte_buffer received(recv_total);
  MPI_Alltoallv(packed.data(), send_counts.data(), send_displacements.data(), MPI_BYTE,
                received.data(), recv_counts.data(), recv_displacements.data(), MPI_BYTE, comm);
  std::vector<byte_buffer> incoming(outgoing.size());
  for (std::size_t r = 0; r < outgoing.size(); ++r) {
    incoming[r].assign(received.begin() + recv_displacements[r],
                       received.begin() + recv_displacements[r] + recv_counts[r]);
  }
  return incoming;
}

void throw_first_failure(MPI_Comm comm, const std::optional<std::string>& failure) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  int root = failure ? rank : INT_MAX;
  MPI_Allreduce(MPI_IN_PLACE, &root, 1, MPI_INT, MPI_MIN, comm);
  byte_buffer message;
  if (rank == root) message = to_bytes(*failure);
  bcast_bytes(comm, root, message);
  throw task_error(root, task_error::no_chunk, from_bytes<std::string>(message));
}

void allreduce_in_place(MPI_Comm comm, void* data, std::uint64_t count, MPI_Datatype type,
                        std::size_t type_size, MPI_Op op, std::uint64_t piece) {
  auto* bytes = static_cast<std::byte*>(data);
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (size > 1) {  // counted as the buffer sent once and received once, whatever MPI's algorithm
    count_sent(count * type_size);
    count_received(count * type_size);
  }
  for (std::uint64_t offset = 0; offset < count;) {
    const int n = piece_count(count - offset, piece);
    MPI_Allreduce(MPI_IN_PLACE, bytes + offset * type_size, n, type, op, comm);
    offset += static_cast<std::uint64_t>(n);
  }
}

byte_buffer ordered_allreduce_bytes(
    MPI_Comm comm, byte_buffer local,
    function_ref<byte_buffer(byte_buffer&&, byte_buffer&&)> combine) {
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  tree_status status;
  byte_buffer value = std::move(local);
  // Binomial tree: at each step a rank takes the block of ranks just above its own, so joins always
  // see the lower ranks on the left and a non-commutative join keeps rank order.
  for (int step = 1; step < size; step <<= 1) {
    if (rank % (2 * step) == step) {
      send_framed(comm, rank - step, tag_tree, tree_message(status, value));
      break;
    }
    if (rank + step >= size) continue;
    byte_buffer message = recv_framed(comm, rank + step, tag_tree);
    byte_buffer right;
    const tree_status right_status = split_tree_message(message, right);
    if (right_status.failed) {
      if (!status.failed) status = right_status;
      continue;
    }
    if (status.failed) continue;
    try {
      value = combine(std::move(value), std::move(right));
    } catch (const std::exception& e) {
      status = {true, rank, e.what()};
    } catch (...) {
      status = {true, rank, "unknown exception in join"};
    }
  }
  // Rank 0 holds the result, or the first failure: one broadcast carries either.
  byte_buffer message = rank == 0 ? tree_message(status, value) : byte_buffer{};
  bcast_framed(comm, 0, message);
  status = split_tree_message(message, value);
  if (status.failed) throw task_error(status.rank, task_error::no_chunk, status.message);
  return value;
}

}  // namespace mpimr::detail
