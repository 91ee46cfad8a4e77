// The journal's bytes: records read back as written, a file cut at every byte yields exactly the
// records wholly before the cut, and a flipped bit anywhere is never read as a record.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <mpimr/detail/journal_format.hpp>
#include <string>
#include <vector>

namespace {

namespace jf = mpimr::detail::journal_format;
using mpimr::detail::byte_buffer;

struct written {
  std::uint64_t operation;
  std::uint64_t chunk;
  std::string payload;
};

/// A header and records of several sizes, among them an empty payload.
byte_buffer sample_file(const std::vector<written>& records, std::vector<std::size_t>& ends) {
  byte_buffer file = jf::encode_header("job key=1");
  ends.clear();
  for (const written& r : records) {
    jf::append_record(
        file, r.operation, r.chunk,
        std::span(reinterpret_cast<const std::byte*>(r.payload.data()), r.payload.size()));
    ends.push_back(file.size());
  }
  return file;
}

const std::vector<written> records{
    {7, 0, "alpha"}, {7, 5, ""}, {9, 2, std::string(300, 'x')}, {7, 1, "omega"}};

std::string payload_of(const byte_buffer& file, const jf::record_ref& r) {
  return {reinterpret_cast<const char*>(file.data()) + r.payload_offset,
          static_cast<std::size_t>(r.payload_length)};
}

TEST(journal_format_test, RecordsReadBackAsWritten) {
  std::vector<std::size_t> ends;
  const byte_buffer file = sample_file(records, ends);
  const jf::scan_result scan = jf::scan(file);
  ASSERT_TRUE(scan.header.has_value());
  EXPECT_EQ(scan.header->version, jf::version);
  EXPECT_EQ(scan.header->key, "job key=1");
  EXPECT_FALSE(scan.bad_tail);
  ASSERT_EQ(scan.records.size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(scan.records[i].operation, records[i].operation);
    EXPECT_EQ(scan.records[i].chunk, records[i].chunk);
    EXPECT_EQ(payload_of(file, scan.records[i]), records[i].payload);
  }
}

TEST(journal_format_test, CutAtEveryByteKeepsTheWholeRecordsOnly) {
  std::vector<std::size_t> ends;
  const byte_buffer file = sample_file(records, ends);
  const std::size_t header_size = jf::encode_header("job key=1").size();
  for (std::size_t cut = 0; cut < file.size(); ++cut) {
    const jf::scan_result scan = jf::scan(std::span(file.data(), cut));
    if (cut < header_size) {
      EXPECT_FALSE(scan.header.has_value()) << "cut " << cut;
      EXPECT_TRUE(scan.records.empty()) << "cut " << cut;
      continue;
    }
    ASSERT_TRUE(scan.header.has_value()) << "cut " << cut;
    std::size_t whole = 0;
    while (whole < ends.size() && ends[whole] <= cut) ++whole;
    ASSERT_EQ(scan.records.size(), whole) << "cut " << cut;
    for (std::size_t i = 0; i < whole; ++i) {
      EXPECT_EQ(payload_of(file, scan.records[i]), records[i].payload) << "cut " << cut;
    }
    const std::size_t good_end = whole == 0 ? header_size : ends[whole - 1];
    EXPECT_EQ(scan.bad_tail, cut > good_end) << "cut " << cut;
  }
}

TEST(journal_format_test, AFlippedBitIsNeverReadAsARecord) {
  std::vector<std::size_t> ends;
  const byte_buffer original = sample_file(records, ends);
  const std::size_t header_size = jf::encode_header("job key=1").size();
  for (std::size_t at = 0; at < original.size(); ++at) {
    for (const unsigned bit : {0U, 7U}) {
      byte_buffer file = original;
      file[at] ^= static_cast<std::byte>(1U << bit);
      const jf::scan_result scan = jf::scan(file);
      if (at < header_size) {
        EXPECT_FALSE(scan.header.has_value()) << "byte " << at;
        continue;
      }
      // The records before the damaged one survive; it and everything after it are left out.
      std::size_t damaged = 0;
      while (ends[damaged] <= at) ++damaged;
      ASSERT_EQ(scan.records.size(), damaged) << "byte " << at;
      EXPECT_TRUE(scan.bad_tail) << "byte " << at;
    }
  }
}

TEST(journal_format_test, OtherVersionsAndForeignFilesAreRecognised) {
  byte_buffer file = jf::encode_header("k");
  file[8] = std::byte{99};  // the version field, after the 8-byte magic: checksum now fails
  EXPECT_FALSE(jf::scan(file).header.has_value());
  const std::string text = "MPIMRJNL but not a journal at all";
  EXPECT_FALSE(jf::scan(std::span(reinterpret_cast<const std::byte*>(text.data()), text.size()))
                   .header.has_value());
  EXPECT_FALSE(jf::scan({}).header.has_value());
}

}  // namespace
