// Progress of running operations on rank 0's stderr: chunks done of the total, rate, elapsed time
// and ETA; one redrawn line on a terminal, a log line every few seconds otherwise.
#pragma once

namespace mpimr {

enum class progress_mode {
  /// MPIMR_PROGRESS if set; otherwise on when rank 0's stderr (or, under a launcher that pipes the
  /// ranks' stderr, as mpirun does, the launcher's stderr) is a terminal.
  automatic,
  on,
  off,
};

struct progress_settings {
  progress_mode mode = progress_mode::automatic;
  /// Seconds between log lines when stderr is not a terminal (a terminal's line is redrawn twice a
  /// second at most). 0: MPIMR_PROGRESS's ("on,5"), else 10. An operation shorter than this
  /// prints nothing.
  double interval_seconds = 0;
};

}  // namespace mpimr
