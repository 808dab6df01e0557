package dev.bkv.witness;

import java.io.IOException;

/**
 * Named points inside the witness's durable writes where a test can simulate a crash (by
 * throwing). Production code passes {@link #NONE}. Recovery must leave the witness correct
 * whichever point a crash hits; the crash tests stop at each one in turn.
 */
@FunctionalInterface
public interface CrashPoints {
  enum Point {
    /** A group's records were written to the entries file, not yet forced. */
    ENTRIES_UNFORCED,
    /** A group's records were appended to the entries file and forced to disk. */
    ENTRY_WRITTEN,
    /** A replacement file was written and forced, not yet renamed over the target. */
    TEMP_WRITTEN,
    /** The replacement was renamed over the target; the directory is not yet forced. */
    RENAMED
  }

  CrashPoints NONE = point -> {};

  void reached(Point point) throws IOException;
}
