// What every fuzz target shares: its check function (one per target, check_<name>.cpp), and how a
// broken property is reported, under libFuzzer (a crash it keeps) and in the replay tests alike.
#pragma once

#include <string>
#include <string_view>

/// The properties a target's parser must keep for any input `bytes`: it returns, or it throws its
/// documented input error. Anything else ends in fuzz::fail. Defined once per target.
void fuzz_check(std::string_view bytes);

namespace fuzz {

/// Runs fuzz_check on `bytes`; an exception escaping it is a failure too, reported with its text.
void run_check(std::string_view bytes);

/// Names the input being checked in failure reports (the replay driver sets the file's path).
void set_current_input(std::string name);

/// Prints what broke (and the input's name, if known) on stderr and aborts: libFuzzer keeps the
/// input as a crash, and a replay test fails.
[[noreturn]] void fail(std::string_view what);

inline void expect(bool ok, std::string_view what) {
  if (!ok) fail(what);
}

}  // namespace fuzz
