package dev.bkv.storage;

import static dev.bkv.storage.LogFixtures.CONTEXT;
import static dev.bkv.storage.LogFixtures.OTHER_CONTEXT;
import static dev.bkv.storage.LogFixtures.SMALL;
import static dev.bkv.storage.LogFixtures.entries;
import static dev.bkv.storage.LogFixtures.open;
import static dev.bkv.storage.LogFixtures.sealer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.storage.LogFixtures.Expected;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The sealed replica log reads back what was written: writes, Raft truncation, snapshots, rollback, context binding, limits. */
class SealedLogTest {
  @Test
  void writes_read_back_after_reopen_with_one_sync_per_write() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    SealedLog log = open(disk);
    assertTrue(log.image().clean());
    assertEquals(0, log.lastIndex());
    Expected expected = Expected.empty();
    for (int w = 0; w < 20; w++) {
      List<LogRecord> batch = entries(1 + w / 5, log.lastIndex() + 1, 1 + w % 3);
      expected = expected.write(log.lastIndex(), batch);
      log.write(log.lastIndex(), batch);
    }
    assertEquals(20, log.writes());
    assertEquals(20, log.syncs());
    assertTrue(disk.list().size() > 2, "20 writes roll past a 1 KiB segment: " + disk.list());
    SealedLog reopened = open(disk);
    expected.assertMatches(reopened.image(), "reopened");
    assertTrue(reopened.image().clean());
    assertEquals(log.lastIndex(), reopened.lastIndex());
    assertEquals(4, reopened.lastTerm());
  }

  @Test
  void unsynced_writes_share_one_sync_and_a_crash_before_it_keeps_the_log_as_before_them() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    SealedLog log = open(disk);
    log.write(0, entries(1, 1, 2));
    writeUnsyncedOneByOne(log, 5);
    assertEquals(7, log.lastIndex());
    assertEquals(1, log.syncs(), "nothing forced since the first write");
    disk.crash();
    assertEquals(entries(1, 1, 2), open(disk).image().entries(), "the unsynced records were lost together");

    SealedLog again = open(disk);
    writeUnsyncedOneByOne(again, 5);
    again.sync();
    assertEquals(1, again.syncs(), "five records in one segment: one fsync");
    disk.crash();
    assertEquals(entries(1, 1, 7), open(disk).image().entries(), "synced records survive the crash");
  }

  /** {@code records} records of one entry of term 1 each, none forced. */
  private static void writeUnsyncedOneByOne(SealedLog log, int records) throws StorageException {
    for (int w = 0; w < records; w++) {
      log.writeUnsynced(log.lastIndex(), entries(1, log.lastIndex() + 1, 1));
    }
  }

  @Test
  void unsynced_records_are_forced_before_a_new_segment_is_started() throws StorageException {
    // A crash may tear only the last segment: the records of the full one are on disk before
    // the next one exists (a torn record in an older segment would read as CORRUPT).
    MemoryDisk disk = new MemoryDisk();
    SealedLog log = SealedLog.open(disk, sealer(1), CONTEXT, new SealedLog.Limits(256, 8, 16, 1 << 20));
    long segments = 0;
    while (disk.list().size() < 2) {
      log.writeUnsynced(log.lastIndex(), entries(1, log.lastIndex() + 1, 1));
      segments = disk.list().size();
    }
    assertEquals(2, segments);
    long inFirst = log.lastIndex() - 1;
    disk.crash();
    assertEquals(inFirst, open(disk).lastIndex(), "the first segment's records survive, the second's unsynced one not");
  }

  @Test
  void a_compaction_forces_the_unsynced_records_before_it() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    SealedLog log = open(disk);
    log.write(0, entries(1, 1, 2));
    log.writeUnsynced(2, entries(1, 3, 2));
    log.compact(new SnapshotImage(1, 1, new byte[] {1}));
    disk.crash();
    assertEquals(entries(1, 2, 3), open(disk).image().entries(), "entries 2..4 after the snapshot, 3 and 4 forced first");
  }

  @Test
  void a_write_below_the_end_cuts_the_suffix_as_raft_does() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    SealedLog log = open(disk);
    log.write(0, entries(1, 1, 5));
    log.write(5, entries(1, 6, 3));
    log.write(3, entries(2, 4, 2)); // cuts into the first record
    log.write(4, List.of()); // a pure truncation
    log.write(4, entries(3, 5, 1));
    List<LogRecord> want = new ArrayList<>(entries(1, 1, 3));
    want.addAll(entries(2, 4, 1));
    want.addAll(entries(3, 5, 1));
    assertEquals(5, log.lastIndex());
    assertEquals(3, log.lastTerm());
    assertEquals(want, open(disk).image().entries());
    long writes = log.writes();
    log.write(5, List.of());
    assertEquals(writes, log.writes(), "nothing to cut or add writes nothing");
  }

  @Test
  void compaction_keeps_later_entries_and_deletes_covered_segments() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    SealedLog log = open(disk);
    for (int i = 0; i < 30; i++) {
      log.write(i, entries(1, i + 1, 1));
    }
    int segmentsBefore = disk.list().size();
    SnapshotImage snapshot = new SnapshotImage(25, 1, new byte[] {9, 9});
    log.compact(snapshot);
    assertTrue(disk.list().size() < segmentsBefore, "segments wholly before entry 26 are deleted");
    log.write(30, entries(2, 31, 2));
    LogImage image = open(disk).image();
    assertTrue(image.clean(), image.damage().orElse(""));
    assertEquals(Optional.of(snapshot), image.snapshot());
    assertEquals(26, image.firstIndex());
    List<LogRecord> want = new ArrayList<>(entries(1, 26, 5));
    want.addAll(entries(2, 31, 2));
    assertEquals(want, image.entries());
    assertEquals(32, image.lastIndex());
  }

  @Test
  void compaction_to_the_end_and_then_a_cut_into_a_straddling_record() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    SealedLog log = open(disk);
    log.write(0, entries(1, 1, 6));
    log.compact(new SnapshotImage(3, 1, new byte[] {1})); // the anchor record straddles index 3
    log.write(4, entries(2, 5, 1));
    SealedLog reopened = open(disk);
    List<LogRecord> want = new ArrayList<>(entries(1, 4, 1));
    want.addAll(entries(2, 5, 1));
    assertEquals(want, reopened.image().entries());
    reopened.compact(new SnapshotImage(5, 2, new byte[] {2}));
    assertEquals(List.of(), open(disk).image().entries());
    assertEquals(5, open(disk).lastIndex());
    assertThrows(IllegalArgumentException.class, () -> reopened.write(4, entries(3, 5, 1)), "cannot cut into the snapshot");
  }

  @Test
  void installing_a_snapshot_replaces_the_whole_log() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    SealedLog log = open(disk);
    for (int i = 0; i < 12; i++) {
      log.write(i, entries(1, i + 1, 1));
    }
    SnapshotImage snapshot = new SnapshotImage(100, 7, new byte[] {1, 2, 3});
    log.installSnapshot(snapshot);
    assertEquals(100, log.lastIndex());
    assertEquals(7, log.lastTerm());
    log.write(100, entries(7, 101, 2));
    LogImage image = open(disk).image();
    assertTrue(image.clean(), image.damage().orElse(""));
    assertEquals(Optional.of(snapshot), image.snapshot());
    assertEquals(entries(7, 101, 2), image.entries());
    assertEquals(1 + 1, disk.list().size(), "the snapshot file and the one segment still written to: " + disk.list());
  }

  @Test
  void rollback_to_an_earlier_copy_reads_back_cleanly_as_that_copy() throws StorageException {
    // The storage cannot tell an old copy from the current one: NVRAM above does that.
    MemoryDisk disk = new MemoryDisk();
    SealedLog log = open(disk);
    log.write(0, entries(1, 1, 4));
    MemoryDisk.Image earlier = disk.copy();
    log.write(4, entries(1, 5, 4));
    log.compact(new SnapshotImage(6, 1, new byte[0]));
    disk.restore(earlier);
    LogImage image = open(disk).image();
    assertTrue(image.clean());
    assertEquals(entries(1, 1, 4), image.entries());
  }

  @Test
  void records_sealed_for_another_context_do_not_open() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    open(disk).write(0, entries(1, 1, 3));
    LogImage foreign = SealedLog.open(disk, sealer(7), OTHER_CONTEXT, SMALL).image();
    assertEquals(0, foreign.lastIndex());
    assertTrue(foreign.damage().orElseThrow().contains("does not authenticate"), foreign.damage().orElseThrow());

    MemoryDisk withSnapshot = new MemoryDisk();
    open(withSnapshot).installSnapshot(new SnapshotImage(5, 1, new byte[] {1}));
    LogImage foreignSnapshot = SealedLog.open(withSnapshot, sealer(7), OTHER_CONTEXT, SMALL).image();
    assertTrue(foreignSnapshot.snapshot().isEmpty());
    assertTrue(foreignSnapshot.damage().orElseThrow().startsWith("replog-snapshot does not authenticate"));
    assertEquals(5, open(withSnapshot).lastIndex(), "the right context still opens it");
  }

  @Test
  void oversize_input_is_rejected_naming_the_limit_and_nothing_is_written() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    SealedLog log = open(disk);
    log.write(0, entries(1, 1, 2));
    long bytes = disk.bytesStored();
    assertMessage("entriesPerWriteMax", () -> log.write(2, entries(1, 3, SMALL.entriesPerWriteMax() + 1)));
    assertMessage("segmentBytesMax", () -> log.write(2, List.of(new LogRecord(1, new byte[2000]))));
    assertMessage("keepThrough 3", () -> log.write(3, entries(1, 4, 1)));
    assertMessage("PAYLOAD_BYTES_MAX", () -> new LogRecord(1, new byte[LogRecord.PAYLOAD_BYTES_MAX + 1]));
    assertMessage("term -1", () -> new LogRecord(-1, new byte[0]));
    assertMessage("SEGMENT_BYTES_MAX", () -> new SealedLog.Limits(SealedLog.Limits.SEGMENT_BYTES_MAX + 1, 1, 1, SealedLog.Limits.TOTAL_BYTES_MAX));
    assertMessage("ENTRIES_PER_WRITE_MAX", () -> new SealedLog.Limits(1024, SealedLog.Limits.ENTRIES_PER_WRITE_MAX + 1, 1, 4096));
    assertMessage("CONTEXT_BYTES_MAX", () -> SealedLog.open(disk, sealer(1), new byte[SealedLogFormat.CONTEXT_BYTES_MAX + 1], SMALL));
    assertMessage("lastTerm 2", () -> log.compact(new SnapshotImage(2, 2, new byte[0])));
    assertMessage("installSnapshot", () -> log.compact(new SnapshotImage(3, 1, new byte[0])));
    assertEquals(bytes, disk.bytesStored());
  }

  @Test
  void a_log_that_would_pass_segments_max_asks_for_compaction() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    SealedLog log = SealedLog.open(disk, sealer(1), CONTEXT, new SealedLog.Limits(256, 8, 2, 1 << 20));
    StorageException full = assertThrows(StorageException.class, () -> {
      for (int i = 0; i < 10; i++) {
        log.write(i, entries(1, i + 1, 1));
      }
    });
    assertEquals(StorageException.Kind.TOO_LARGE, full.kind());
    assertTrue(full.getMessage().contains("segmentsMax 2"), full.getMessage());
    long last = log.lastIndex();
    log.compact(new SnapshotImage(last, 1, new byte[0]));
    log.write(last, entries(1, last + 1, 1)); // room again
    assertEquals(last + 1, open(disk).lastIndex());
  }

  private static void assertMessage(String needle, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(needle), e.getMessage());
    assertFalse(e.getMessage().isBlank());
  }
}
