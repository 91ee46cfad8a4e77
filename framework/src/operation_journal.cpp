// An operation's handle on the context's journal (see operation_journal.hpp).
#include "mpimr/detail/operation_journal.hpp"

#include "context_state.hpp"
#include "journal.hpp"

namespace mpimr::detail {

operation_journal::operation_journal(context& ctx, std::string_view kind,
                                     const execution_request& request)
    : journal_(ctx.state().active_journal) {
  if (journal_ == nullptr) return;
  std::uint64_t identity = request.plan.fingerprint();
  for (const char c : kind) identity = hash_combine(identity, static_cast<unsigned char>(c));
  for (const char c : request.label)
    identity = hash_combine(identity, static_cast<unsigned char>(c));
  operation_ = journal_->begin_operation(identity);
}

bool operation_journal::find(std::uint64_t chunk_id, byte_buffer& payload) {
  return journal_->find(operation_, chunk_id, payload);
}

void operation_journal::record(std::uint64_t chunk_id, std::span<const std::byte> payload) {
  journal_->record(operation_, chunk_id, payload);
}

}  // namespace mpimr::detail
