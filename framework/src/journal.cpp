// Reading the journal folder, appending to this rank's file, removing the journal (journal.hpp).
#include "journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "mpimr/detail/chunk_plan.hpp"
#include "mpimr/detail/journal_format.hpp"
#include "mpimr/errors.hpp"

namespace mpimr::detail {
namespace fs = std::filesystem;

namespace {

std::string quoted(const fs::path& p) {
  // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) about "'" + string + "'".
  std::string text(1, '\'');
  text.append(p.string()).push_back('\'');
  return text;
}

std::string errno_text(int code) { return std::generic_category().message(code); }

/// The whole file, or an error text. Regular files only: a FIFO named like a journal would block
/// every rank in open() or read() forever, and a folder's "size" is no size (std::bad_alloc).
std::optional<std::string> read_whole(const fs::path& path, byte_buffer& out) {
  // O_NONBLOCK: opening a FIFO for reading waits for a writer otherwise.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return "cannot read checkpoint journal " + quoted(path) + ": " + errno_text(errno);
  const auto problem = [&]() -> std::optional<std::string> {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      return "cannot read checkpoint journal " + quoted(path) + ": " + errno_text(errno);
    }
    if (!S_ISREG(st.st_mode)) {
      return "checkpoint journal " + quoted(path) +
             " is not a regular file: remove it or use another folder";
    }
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return "cannot read checkpoint journal " + quoted(path) + ": " + errno_text(errno);
      if (n == 0) break;  // shrunk since fstat: what is there is all there is
      done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return std::nullopt;
  }();
  ::close(fd);
  return problem;
}

/// write() all of `bytes`, retrying short writes and interrupted calls; false with errno set.
bool write_all(int fd, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::size_t journal::record_key_hash::operator()(const record_key& k) const noexcept {
  return static_cast<std::size_t>(hash_combine(k.operation, k.chunk));
}

journal::journal(fs::path folder, std::string key)
    : folder_(std::move(folder)), key_(std::move(key)) {}

journal::~journal() { close(); }

std::optional<std::string> journal::create_folder() {
  if (key_.size() > journal_format::max_key_bytes) {
    return "checkpoint key is " + std::to_string(key_.size()) + " bytes long; at most " +
           std::to_string(journal_format::max_key_bytes) + " are allowed";
  }
  if (folder_.empty()) return std::string("checkpoint folder is empty");
  std::error_code error;
  fs::create_directories(folder_, error);
  if (error) return "cannot create checkpoint folder " + quoted(folder_) + ": " + error.message();
  return std::nullopt;
}

std::optional<std::string> journal::read_folder() {
  std::error_code error;
  fs::create_directories(folder_, error);
  if (error) return "cannot create checkpoint folder " + quoted(folder_) + ": " + error.message();
  if (!fs::is_directory(folder_, error)) {
    return "checkpoint folder " + quoted(folder_) + " is not a folder";
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(folder_, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == journal_extension) files.push_back(it->path());
  }
  if (error) return "cannot list checkpoint folder " + quoted(folder_) + ": " + error.message();
  std::sort(files.begin(), files.end());  // the same order on every rank
  for (const fs::path& path : files) {
    if (auto problem = index_file(path)) return problem;
  }
  return std::nullopt;
}

std::optional<std::string> journal::index_file(const fs::path& path) {
  byte_buffer bytes;
  if (auto problem = read_whole(path, bytes)) return problem;
  const journal_format::scan_result scan = journal_format::scan(bytes);
  if (!scan.header) {
    // Torn while its header was written: the run that made it recorded nothing in it.
    ++damaged_files_;
    return std::nullopt;
  }
  if (scan.header->version != journal_format::version) {
    return "checkpoint journal " + quoted(path) + " was written in journal format " +
           std::to_string(scan.header->version) + "; this mpimr reads format " +
           std::to_string(journal_format::version) + ": remove it or use another folder";
  }
  if (scan.header->key != key_) {
    return "checkpoint folder " + quoted(folder_) + " holds the journal of another job (key '" +
           scan.header->key.substr(0, 200) + "', this job's is '" + key_.substr(0, 200) +
           "'): remove it or use another folder";
  }
  if (scan.bad_tail) ++damaged_files_;
  if (scan.records.empty()) return std::nullopt;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "cannot read checkpoint journal " + quoted(path) + ": " + errno_text(errno);
  read_fds_.push_back(fd);
  read_paths_.push_back(path);
  for (const auto& r : scan.records) {
    // A chunk recorded twice (by two runs) has the same value twice: the first is as good.
    index_.try_emplace(record_key{r.operation, r.chunk},
                       location{read_fds_.size() - 1, r.payload_offset, r.payload_length});
  }
  return std::nullopt;
}

std::optional<std::string> journal::start_own_file(std::uint64_t run_id, int rank) {
  char name[64];
  std::snprintf(name, sizeof name, "run-%016llx-rank-%d", static_cast<unsigned long long>(run_id),
                rank);
  own_path_ = folder_ / (std::string(name) + std::string(journal_extension));
  own_fd_ = ::open(own_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (own_fd_ < 0) {
    return "cannot create checkpoint journal " + quoted(own_path_) + ": " + errno_text(errno);
  }
  if (!write_all(own_fd_, journal_format::encode_header(key_))) {
    return "cannot write checkpoint journal " + quoted(own_path_) + ": " + errno_text(errno);
  }
  return std::nullopt;
}

std::uint64_t journal::begin_operation(std::uint64_t identity) noexcept {
  return hash_combine(++operations_, identity);
}

bool journal::find(std::uint64_t operation, std::uint64_t chunk, byte_buffer& payload) {
  const auto it = index_.find(record_key{operation, chunk});
  if (it == index_.end()) return false;
  const location& at = it->second;
  payload.resize(static_cast<std::size_t>(at.length));
  std::size_t done = 0;
  while (done < payload.size()) {
    const ssize_t n = ::pread(read_fds_[at.file], payload.data() + done, payload.size() - done,
                              static_cast<off_t>(at.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw error("cannot read checkpoint journal " + quoted(read_paths_[at.file]) + ": " +
                  (n < 0 ? errno_text(errno) : std::string("it became shorter")));
    }
    done += static_cast<std::size_t>(n);
  }
  ++resumed_;
  return true;
}

void journal::record(std::uint64_t operation, std::uint64_t chunk,
                     std::span<const std::byte> payload) {
  scratch_.clear();
  journal_format::append_record(scratch_, operation, chunk, payload);
  // One write() per record: a process killed now leaves at most one torn record, which the
  // checksum catches. The page cache keeps what was written when the process dies; fsync is left
  // to close(), as a synced write per chunk would cost a disk round trip each.
  if (!write_all(own_fd_, scratch_)) {
    throw error("cannot write checkpoint journal " + quoted(own_path_) + ": " + errno_text(errno));
  }
  ++recorded_;
}

void journal::close() noexcept {
  if (own_fd_ >= 0) {
    ::fsync(own_fd_);
    ::close(own_fd_);
    own_fd_ = -1;
  }
  for (const int fd : read_fds_) ::close(fd);
  read_fds_.clear();
}

void journal::remove_files() noexcept {
  std::error_code error;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(folder_, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == journal_extension) files.push_back(it->path());
  }
  for (const fs::path& path : files) fs::remove(path, error);
  // Empty now: a folder this job's runs made (maybe an earlier, interrupted run) goes too.
  if (fs::is_empty(folder_, error)) fs::remove(folder_, error);
}

}  // namespace mpimr::detail
