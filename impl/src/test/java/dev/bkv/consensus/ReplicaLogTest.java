package dev.bkv.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Check;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The in-memory log's index rules: 1-based indexes, a snapshot standing for 1..snapshotIndex
 * whose last term is still known, and every read or write outside those bounds refused.
 */
class ReplicaLogTest {
  private static final Snapshot SNAPSHOT = new Snapshot(3, 2, new byte[] {1});

  private static Entry entry(long term, int payload) {
    return new Entry(term, new byte[] {(byte) payload});
  }

  /** Snapshot (term 2, index 3), then entries 4 (term 2) and 5 (term 3). */
  private static ReplicaLog log() {
    return new ReplicaLog(new RecoveredLog(Optional.of(SNAPSHOT), List.of(entry(2, 4), entry(3, 5))));
  }

  @Test
  void anEmptyLogKnowsOnlyIndexZero() {
    ReplicaLog empty = new ReplicaLog(RecoveredLog.EMPTY);
    assertEquals(LogHead.EMPTY, empty.head());
    assertEquals(0, empty.snapshotTerm());
    assertTrue(empty.snapshot().isEmpty());
    assertTrue(empty.hasTermAt(0));
    assertFalse(empty.hasTermAt(1));
    assertEquals(0, empty.termAt(0));
    assertThrows(Check.InvariantViolation.class, () -> empty.termAt(1));
    assertThrows(Check.InvariantViolation.class, () -> empty.entryAt(0));
  }

  @Test
  void afterASnapshotItsLastTermAndTheEntriesAreKnownButNotWhatItReplaced() {
    ReplicaLog log = log();
    assertEquals(3, log.snapshotIndex());
    assertEquals(2, log.snapshotTerm());
    assertEquals(new LogHead(3, 5), log.head());
    assertEquals(List.of(false, false, true, true, true, false),
        List.of(log.hasTermAt(1), log.hasTermAt(2), log.hasTermAt(3), log.hasTermAt(4), log.hasTermAt(5), log.hasTermAt(6)));
    assertTrue(log.hasTermAt(0));
    assertEquals(List.of(2L, 2L, 3L), List.of(log.termAt(3), log.termAt(4), log.termAt(5)));
    assertThrows(Check.InvariantViolation.class, () -> log.termAt(2));
    assertThrows(Check.InvariantViolation.class, () -> log.termAt(6));
    assertEquals(entry(2, 4), log.entryAt(4));
    assertEquals(entry(3, 5), log.entryAt(5));
    assertThrows(Check.InvariantViolation.class, () -> log.entryAt(3), "inside the snapshot");
    assertThrows(Check.InvariantViolation.class, () -> log.entryAt(6));

    assertEquals(0, log.termAt(0), "index 0, before every log, has term 0 after a snapshot too");

    ReplicaLog snapshotOnly = new ReplicaLog(new RecoveredLog(Optional.of(SNAPSHOT), List.of()));
    assertEquals(new LogHead(2, 3), snapshotOnly.head(), "the snapshot's head is the log's");
  }

  @Test
  void aSliceIsACopyOfEntriesAfterTheSnapshotAndWithinTheLog() {
    ReplicaLog log = log();
    List<Entry> both = log.slice(4, 5);
    assertEquals(List.of(entry(2, 4), entry(3, 5)), both);
    assertEquals(List.of(entry(3, 5)), log.slice(5, 5));
    assertEquals(List.of(), log.slice(5, 4));
    assertEquals(List.of(), log.slice(5, 3), "any range that ends before it starts is empty");
    assertThrows(Check.InvariantViolation.class, () -> log.slice(3, 4));
    assertThrows(Check.InvariantViolation.class, () -> log.slice(4, 6));
    log.replaceAfter(3, List.of());
    assertEquals(2, both.size(), "the slice does not change with the log");
  }

  @Test
  void replaceAfterKeepsAPrefixFromTheSnapshotOnAndAppends() {
    ReplicaLog log = log();
    log.replaceAfter(4, List.of(entry(4, 9), entry(4, 10)));
    assertEquals(new LogHead(4, 6), log.head());
    assertEquals(entry(2, 4), log.entryAt(4));
    log.replaceAfter(3, List.of());
    assertEquals(new LogHead(2, 3), log.head());
    assertThrows(Check.InvariantViolation.class, () -> log.replaceAfter(2, List.of()), "inside the snapshot");
    assertThrows(Check.InvariantViolation.class, () -> log.replaceAfter(4, List.of()), "past the log");
  }

  @Test
  void entriesMaxCountsOnlyTheEntriesAfterTheSnapshot() {
    Snapshot far = new Snapshot(ReplicaLog.ENTRIES_MAX, 1, new byte[0]);
    ReplicaLog log = new ReplicaLog(new RecoveredLog(Optional.of(far), List.of(entry(1, 1))));
    log.replaceAfter(ReplicaLog.ENTRIES_MAX + 1, List.of(entry(2, 2)));
    assertEquals(new LogHead(2, ReplicaLog.ENTRIES_MAX + 2L), log.head());
  }

  @Test
  void theLogHoldsAtMostEntriesMaxAfterItsSnapshot() {
    ReplicaLog log = log();
    Entry e = entry(3, 0);
    assertThrows(Check.InvariantViolation.class,
        () -> log.replaceAfter(5, Collections.nCopies(ReplicaLog.ENTRIES_MAX - 1, e)));
    assertEquals(5, log.lastIndex(), "nothing appended");
    log.replaceAfter(4, Collections.nCopies(ReplicaLog.ENTRIES_MAX - 1, e));
    assertEquals(3 + ReplicaLog.ENTRIES_MAX, log.lastIndex());
    assertThrows(IllegalArgumentException.class,
        () -> new RecoveredLog(Optional.empty(), Collections.nCopies(ReplicaLog.ENTRIES_MAX + 1, e)));
  }

  @Test
  void installMakesTheLogTheSnapshotAlone() {
    ReplicaLog log = log();
    Snapshot later = new Snapshot(9, 4, new byte[0]);
    log.install(later);
    assertEquals(new LogHead(4, 9), log.head());
    assertEquals(later, log.snapshot().orElseThrow());
    assertEquals(List.of(), log.copy().entries());
  }

  @Test
  void compactionMovesTheSnapshotForwardOverEntriesOfTheLog() {
    ReplicaLog log = log();
    assertThrows(Check.InvariantViolation.class, () -> log.compact(SNAPSHOT), "not forward");
    assertThrows(Check.InvariantViolation.class, () -> log.compact(new Snapshot(6, 3, new byte[0])), "past the log");
    assertThrows(Check.InvariantViolation.class, () -> log.compact(new Snapshot(4, 3, new byte[0])), "entry 4 is of term 2");
    Snapshot at4 = new Snapshot(4, 2, new byte[0]);
    log.compact(at4);
    assertEquals(4, log.snapshotIndex());
    assertEquals(new LogHead(3, 5), log.head());
    assertEquals(entry(3, 5), log.entryAt(5));
    RecoveredLog copy = log.copy();
    assertEquals(at4, copy.snapshot().orElseThrow());
    assertEquals(List.of(entry(3, 5)), copy.entries());
    log.compact(new Snapshot(5, 3, new byte[0]));
    assertEquals(new LogHead(3, 5), log.head());
    assertEquals(List.of(), log.copy().entries());
    assertEquals(List.of(entry(3, 5)), copy.entries(), "a copy does not change with the log");
  }
}
