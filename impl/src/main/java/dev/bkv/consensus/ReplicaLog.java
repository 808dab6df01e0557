package dev.bkv.consensus;

import dev.bkv.base.Check;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One HSM's log in memory: an optional snapshot standing for entries 1..snapshotIndex, then
 * the entries after it. Indexes are 1-based as in the spec. Mutable; owned by one
 * {@link ReplicaCore}.
 */
final class ReplicaLog {
  /** Entries kept after the snapshot; the firmware compacts long before this. */
  static final int ENTRIES_MAX = 4_000_000;

  private Snapshot snapshot;
  private final ArrayList<Entry> entries = new ArrayList<>();

  ReplicaLog(RecoveredLog recovered) {
    this.snapshot = recovered.snapshot().orElse(null);
    entries.addAll(recovered.entries());
  }

  long snapshotIndex() {
    return snapshot == null ? 0 : snapshot.lastIndex();
  }

  long snapshotTerm() {
    return snapshot == null ? 0 : snapshot.lastTerm();
  }

  Optional<Snapshot> snapshot() {
    return Optional.ofNullable(snapshot);
  }

  long lastIndex() {
    return snapshotIndex() + entries.size();
  }

  long lastTerm() {
    return entries.isEmpty() ? snapshotTerm() : entries.get(entries.size() - 1).term();
  }

  /** {@code LogHead(log)}. */
  LogHead head() {
    return new LogHead(lastTerm(), lastIndex());
  }

  /** Whether the term of entry k is known: k is the snapshot's last entry or after it. */
  boolean hasTermAt(long k) {
    return k == 0 || (k >= snapshotIndex() && k <= lastIndex());
  }

  long termAt(long k) {
    Check.that(hasTermAt(k), "termAt within the snapshot's last index and the log's end");
    if (k == 0) {
      return 0;
    }
    if (k == snapshotIndex()) {
      return snapshotTerm();
    }
    return entries.get((int) (k - snapshotIndex() - 1)).term();
  }

  Entry entryAt(long k) {
    Check.that(k > snapshotIndex() && k <= lastIndex(), "entryAt after the snapshot and within the log");
    return entries.get((int) (k - snapshotIndex() - 1));
  }

  /** Entries from..through (inclusive), all after the snapshot. */
  List<Entry> slice(long from, long through) {
    Check.that(from > snapshotIndex() && through <= lastIndex(), "slice after the snapshot and within the log");
    if (from > through) {
      return List.of();
    }
    return new ArrayList<>(entries.subList((int) (from - snapshotIndex() - 1), (int) (through - snapshotIndex())));
  }

  /** Keep entries through keepThrough (at or after the snapshot), then append. */
  void replaceAfter(long keepThrough, List<Entry> appended) {
    Check.that(keepThrough >= snapshotIndex() && keepThrough <= lastIndex(), "replaceAfter within the log");
    Check.that(lastIndex() - (lastIndex() - keepThrough) + appended.size() - snapshotIndex() <= ENTRIES_MAX,
        "log within ENTRIES_MAX entries after its snapshot");
    int keep = (int) (keepThrough - snapshotIndex());
    entries.subList(keep, entries.size()).clear();
    entries.addAll(appended);
  }

  /** The log becomes the snapshot alone. */
  void install(Snapshot installed) {
    snapshot = installed;
    entries.clear();
  }

  /** The snapshot replaces the entries it covers; later entries stay. */
  void compact(Snapshot compacted) {
    Check.that(compacted.lastIndex() > snapshotIndex() && compacted.lastIndex() <= lastIndex(),
        "a compaction moves the snapshot forward within the log");
    Check.that(termAt(compacted.lastIndex()) == compacted.lastTerm(), "a compaction snapshot ends at an entry of the log");
    int drop = (int) (compacted.lastIndex() - snapshotIndex());
    entries.subList(0, drop).clear();
    snapshot = compacted;
  }

  RecoveredLog copy() {
    return new RecoveredLog(snapshot(), List.copyOf(entries));
  }
}
