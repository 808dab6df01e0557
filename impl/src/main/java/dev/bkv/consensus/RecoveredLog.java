package dev.bkv.consensus;

import java.util.List;
import java.util.Optional;

/**
 * The sealed log as the host handed it back at a restart, already unsealed and chain-checked
 * by the storage layer: an optional snapshot, then the entries after it. The host chooses
 * which version this is (spec: {@code HostRollback}); the core compares its head with
 * {@code nvHead} to tell.
 */
public record RecoveredLog(Optional<Snapshot> snapshot, List<Entry> entries) {
  public static final RecoveredLog EMPTY = new RecoveredLog(Optional.empty(), List.of());

  public RecoveredLog {
    entries = List.copyOf(entries);
    if (entries.size() > ReplicaLog.ENTRIES_MAX) {
      throw new IllegalArgumentException("recovered log of " + entries.size() + " entries exceeds " + ReplicaLog.ENTRIES_MAX);
    }
  }
}
