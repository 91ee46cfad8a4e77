// Line-aligned text splits: input expansion, split planning, and buffered line reading under the
// rule that a line belongs to the split holding its first byte.
#include "mpimr/detail/text_splits.hpp"

#include <sys/types.h>  // off_t, for fseeko beyond 2 GiB on any platform

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <system_error>

#include "mpimr/errors.hpp"

namespace mpimr::detail {
namespace {

namespace fs = std::filesystem;

struct file_closer {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using file_handle = std::unique_ptr<std::FILE, file_closer>;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

// An open for reading is the only reliable readability check (permissions, ACLs, races aside).
void require_readable(const fs::path& file) {
  errno = 0;
  const file_handle f(std::fopen(file.c_str(), "rb"));
  if (!f) throw invalid_argument("cannot read input " + quoted(file) + ": " + errno_text(errno));
}

void add_directory(const fs::path& dir, std::vector<fs::path>& out) {
  std::vector<fs::path> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    // is_regular_file follows symlinks, so a link to a file counts as that file.
    if (it->is_regular_file(type_ec)) found.push_back(it->path());
  }
  if (ec) {
    throw invalid_argument("cannot list input directory " + quoted(dir) + ": " + ec.message());
  }
  if (found.empty()) throw invalid_argument("input directory " + quoted(dir) + " holds no files");
  // Byte order of the native strings (path::operator< compares element-wise, which is not plain
  // byte order): every rank must get the same list whatever its locale or directory order.
  std::sort(found.begin(), found.end(),
            [](const fs::path& a, const fs::path& b) { return a.native() < b.native(); });
  for (auto& f : found) {
    require_readable(f);
    out.push_back(std::move(f));
  }
}

// Reads a file from an offset through one reusable buffer; refill() returns false at end of file.
class buffered_reader {
 public:
  buffered_reader(const fs::path& file, std::uint64_t offset, std::size_t buffer_bytes)
      : file_(file),
        capacity_(std::max<std::size_t>(buffer_bytes, 1)),
        // Not a vector: no need to zero a megabyte per split.
        buffer_(std::make_unique_for_overwrite<char[]>(capacity_)) {
    errno = 0;
    handle_.reset(std::fopen(file.c_str(), "rb"));
    if (!handle_) fail("cannot open", errno);
    // Our buffer is the only one needed; stdio's own would add a copy.
    std::setvbuf(handle_.get(), nullptr, _IONBF, 0);
    if (offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max())) {
      fail("offset " + std::to_string(offset) + " is too large to seek to in", 0);
    }
    if (offset > 0 && ::fseeko(handle_.get(), static_cast<off_t>(offset), SEEK_SET) != 0) {
      fail("cannot seek in", errno);
    }
  }

  bool refill() {
    errno = 0;
    size_ = std::fread(buffer_.get(), 1, capacity_, handle_.get());
    pos_ = 0;
    if (size_ == 0 && std::ferror(handle_.get())) fail("cannot read", errno);
    return size_ > 0;
  }

  // The unread part of the buffer.
  [[nodiscard]] const char* data() const noexcept { return buffer_.get() + pos_; }
  [[nodiscard]] std::size_t available() const noexcept { return size_ - pos_; }
  void consume(std::size_t n) noexcept { pos_ += n; }

 private:
  [[noreturn]] void fail(const std::string& what, int err) const {
    throw error(what + " " + quoted(file_) + (err != 0 ? ": " + errno_text(err) : std::string()));
  }

  const fs::path& file_;
  std::size_t capacity_;
  std::unique_ptr<char[]> buffer_;
  file_handle handle_;
  std::size_t size_ = 0;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<fs::path> expand_inputs(const std::vector<fs::path>& inputs) {
  if (inputs.empty()) throw invalid_argument("no input files given");
  std::vector<fs::path> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    const fs::file_status st = fs::status(input, ec);
    if (st.type() == fs::file_type::not_found) {
      throw invalid_argument("input " + quoted(input) + " does not exist");
    }
    if (ec) throw invalid_argument("cannot access input " + quoted(input) + ": " + ec.message());
    if (st.type() == fs::file_type::directory) {
      add_directory(input, files);
    } else if (st.type() == fs::file_type::regular) {
      require_readable(input);
      files.push_back(input);
    } else {
      // Pipes and devices have no size to split by.
      throw invalid_argument("input " + quoted(input) +
                             " is neither a regular file nor a directory");
    }
  }
  return files;
}

std::vector<text_split> plan_text_splits(const std::vector<fs::path>& files,
                                         std::uint64_t split_bytes) {
  if (split_bytes == 0) throw invalid_argument("text split size must be at least 1 byte, not 0");
  if (files.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw invalid_argument("too many input files: " + std::to_string(files.size()));
  }
  std::vector<text_split> splits;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::error_code ec;
    const std::uint64_t size = fs::file_size(files[i], ec);
    if (ec) throw error("cannot get the size of " + quoted(files[i]) + ": " + ec.message());
    // begin < size stays below 2^64, and end is clamped to size, so nothing overflows.
    for (std::uint64_t begin = 0; begin < size; begin += std::min(split_bytes, size - begin)) {
      splits.push_back(
          {static_cast<std::uint32_t>(i), begin, begin + std::min(split_bytes, size - begin)});
    }
  }
  return splits;
}

void for_each_line(const fs::path& file, const text_split& split,
                   function_ref<void(std::string_view)> on_line, std::size_t buffer_bytes) {
  if (split.begin >= split.end) return;
  // Reading from begin-1 tells whether a line starts exactly at begin (the byte before is '\n').
  std::uint64_t offset = split.begin > 0 ? split.begin - 1 : 0;  // of the next unread byte
  // A split much smaller than the buffer needs only its bytes and a line's tail: a smaller buffer
  // keeps tiny splits from paying for a megabyte allocation and read each.
  constexpr std::uint64_t small_buffer_bytes = 64 * 1024;
  const std::uint64_t useful = std::max(split.end - split.begin + 1, small_buffer_bytes);
  buffered_reader in(file, offset,
                     static_cast<std::size_t>(std::min<std::uint64_t>(buffer_bytes, useful)));

  if (split.begin > 0) {
    // The partial line up to the first '\n' belongs to the split holding its first byte.
    for (;;) {
      if (in.available() == 0 && !in.refill()) return;
      const auto* nl = static_cast<const char*>(std::memchr(in.data(), '\n', in.available()));
      const std::size_t n =
          nl != nullptr ? static_cast<std::size_t>(nl - in.data()) + 1 : in.available();
      in.consume(n);
      offset += n;
      if (nl != nullptr) break;
    }
  }

  // `offset` is now where a line starts; deliver lines while they start inside the split.
  std::string long_line;  // only for lines that cross a buffer refill
  while (offset < split.end) {
    long_line.clear();
    for (;;) {
      if (in.available() == 0 && !in.refill()) {
        // End of file: a last line without '\n' (non-empty, or we would not be inside a line).
        if (!long_line.empty()) on_line(long_line);
        return;
      }
      const auto* nl = static_cast<const char*>(std::memchr(in.data(), '\n', in.available()));
      if (nl == nullptr) {
        long_line.append(in.data(), in.available());
        offset += in.available();
        in.consume(in.available());
        continue;
      }
      const auto n = static_cast<std::size_t>(nl - in.data());
      if (long_line.empty()) {
        on_line(std::string_view(in.data(), n));  // the common case: straight from the buffer
      } else {
        long_line.append(in.data(), n);
        on_line(long_line);
      }
      in.consume(n + 1);
      offset += n + 1;
      break;
    }
  }
}

}  // namespace mpimr::detail
