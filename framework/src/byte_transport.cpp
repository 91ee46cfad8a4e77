// Point-to-point and broadcast of byte buffers of any length, and the order-preserving tree
// reduction used when a join is not a built-in MPI op.
#include "mpimr/detail/byte_transport.hpp"

#include <algorithm>
#include <climits>
#include <exception>
#include <string>
#include <utility>

#include "mpimr/errors.hpp"

namespace mpimr::detail {
namespace {

int piece_count(std::uint64_t remaining, std::uint64_t piece) {
  return static_cast<int>(std::min({remaining, piece, max_message_piece}));
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
  static tree_status decode(std::span<const std::byte> in) {
    byte_reader r(in);
    tree_status s;
    s.failed = r.pod<std::uint8_t>() != 0;
    s.rank = r.pod<std::int32_t>();
    codec<std::string>::decode(r, s.message);
    return s;
  }
};

}  // namespace

void send_bytes(MPI_Comm comm, int dest, int tag, std::span<const std::byte> data,
                std::uint64_t piece) {
  std::uint64_t total = data.size();
  MPI_Send(&total, 1, MPI_UINT64_T, dest, tag, comm);
  for (std::uint64_t offset = 0; offset < total;) {
    const int n = piece_count(total - offset, piece);
    MPI_Send(data.data() + offset, n, MPI_BYTE, dest, tag, comm);
    offset += static_cast<std::uint64_t>(n);
  }
}

byte_buffer recv_bytes(MPI_Comm comm, int source, int tag, std::uint64_t piece) {
  std::uint64_t total = 0;
  MPI_Recv(&total, 1, MPI_UINT64_T, source, tag, comm, MPI_STATUS_IGNORE);
  byte_buffer data(total);
  for (std::uint64_t offset = 0; offset < total;) {
    const int n = piece_count(total - offset, piece);
    MPI_Recv(data.data() + offset, n, MPI_BYTE, source, tag, comm, MPI_STATUS_IGNORE);
    offset += static_cast<std::uint64_t>(n);
  }
  return data;
}

void bcast_bytes(MPI_Comm comm, int root, byte_buffer& data, std::uint64_t piece) {
  std::uint64_t total = data.size();
  MPI_Bcast(&total, 1, MPI_UINT64_T, root, comm);
  data.resize(total);
  for (std::uint64_t offset = 0; offset < total;) {
    const int n = piece_count(total - offset, piece);
    MPI_Bcast(data.data() + offset, n, MPI_BYTE, root, comm);
    offset += static_cast<std::uint64_t>(n);
  }
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
  MPI_Allgatherv(local.data(), static_cast<int>(mine), MPI_BYTE, joined.data(), counts.data(),
                 displacements.data(), MPI_BYTE, comm);
  for (std::size_t r = 0; r < all.size(); ++r) {
    all[r].assign(joined.begin() + displacements[r], joined.begin() + displacements[r] + counts[r]);
  }
  return all;
}

void allreduce_in_place(MPI_Comm comm, void* data, std::uint64_t count, MPI_Datatype type,
                        std::size_t type_size, MPI_Op op, std::uint64_t piece) {
  auto* bytes = static_cast<std::byte*>(data);
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
      send_bytes(comm, rank - step, tag_tree, status.encode());
      if (!status.failed) send_bytes(comm, rank - step, tag_tree, value);
      break;
    }
    if (rank + step >= size) continue;
    const auto right_status = tree_status::decode(recv_bytes(comm, rank + step, tag_tree));
    if (right_status.failed) {
      if (!status.failed) status = right_status;
      continue;
    }
    byte_buffer right = recv_bytes(comm, rank + step, tag_tree);
    if (status.failed) continue;
    try {
      value = combine(std::move(value), std::move(right));
    } catch (const std::exception& e) {
      status = {true, rank, e.what()};
    } catch (...) {
      status = {true, rank, "unknown exception in join"};
    }
  }
  byte_buffer header = status.encode();
  bcast_bytes(comm, 0, header);
  status = tree_status::decode(header);
  if (status.failed) throw task_error(status.rank, task_error::no_chunk, status.message);
  bcast_bytes(comm, 0, value);
  return value;
}

}  // namespace mpimr::detail
