package dev.bkv.consensus;

import java.util.List;

/**
 * The sealed-log write a step asks the host for (the spec's {@code WriteLog}, the first of a
 * step's two writes). The host performs it durably and then calls
 * {@link ReplicaCore#onLogWritten()}; nothing the step sends leaves before that.
 */
public sealed interface LogWrite permits LogWrite.Append, LogWrite.InstallSnapshot, LogWrite.Compact {

  /** Keep entries 1..keepThrough, drop any after, then append {@code entries}. One write, one fsync. */
  record Append(long keepThrough, List<Entry> entries) implements LogWrite {
    public Append {
      entries = List.copyOf(entries);
    }
  }

  /** The log becomes this snapshot and nothing after it (catch-up from a leader's snapshot). */
  record InstallSnapshot(Snapshot snapshot) implements LogWrite {}

  /** The snapshot replaces entries 1..lastIndex; entries after it stay (log compaction). */
  record Compact(Snapshot snapshot) implements LogWrite {}
}
