package dev.bkv.storage;

import static dev.bkv.storage.LogFixtures.entries;
import static dev.bkv.storage.LogFixtures.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.storage.LogFixtures.Expected;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Crash safety: a crash at any byte or between any two disk changes reads back the old log or the new one, never a mixture. */
class SealedLogCrashTest {
  /** Builds the same log every time: 1..6 in term 1, in three records, on the crashing disk. */
  private static Expected setUp(CrashingDisk disk) throws StorageException {
    SealedLog log = open(disk);
    log.write(0, entries(1, 1, 2));
    log.write(2, entries(1, 3, 2));
    log.write(4, entries(1, 5, 2));
    return Expected.empty().write(0, entries(1, 1, 6));
  }

  @Test
  void a_write_torn_at_every_byte_reads_back_old_or_new_then_accepts_the_next_write() throws StorageException {
    // Two writes: an append that rolls to a new segment, and a Raft truncation into the middle of a record.
    for (long keepThrough : new long[] {6, 3}) {
      List<LogRecord> batch = entries(2, keepThrough + 1, 3);
      for (int garbageMode = 0; garbageMode < 2; garbageMode++) {
        int tailBytes = -1;
        for (int keep = 0; tailBytes < 0 || keep <= tailBytes; keep++) {
          MemoryDisk memory = new MemoryDisk();
          Expected old = setUp(new CrashingDisk(memory, Long.MAX_VALUE));
          Expected next = old.write(keepThrough, batch);
          CrashingDisk disk = new CrashingDisk(memory, 1); // the append happens, its sync does not
          assertThrows(StorageException.class, () -> open(disk).write(keepThrough, batch));
          String name = memory.list().get(memory.list().size() - 1);
          tailBytes = memory.unsyncedBytes(name);
          byte[] garbage = new byte[garbageMode == 0 ? 0 : tailBytes - keep + 7];
          new Random(keep).nextBytes(garbage);
          memory.crashTorn(name, keep, garbage);
          String what = "keepThrough " + keepThrough + ", kept " + keep + " of " + tailBytes + " bytes, garbage " + garbage.length;
          SealedLog reopened = open(memory);
          LogImage image = reopened.image();
          assertTrue(old.matches(image) || next.matches(image), what + ": " + image);
          if (keep == tailBytes && garbage.length == 0) {
            assertTrue(next.matches(image) && image.clean(), what);
          }
          if (keep < tailBytes && keep + garbage.length > 0) {
            assertTrue(old.matches(image) && image.damage().isPresent(), what + ": a torn write is reported");
          }
          Expected current = old.matches(image) ? old : next;
          reopened.write(current.lastIndex(), entries(3, current.lastIndex() + 1, 1));
          LogImage after = open(memory).image();
          assertTrue(after.clean(), what + ": " + after.damage());
          current.write(current.lastIndex(), entries(3, current.lastIndex() + 1, 1)).assertMatches(after, what);
        }
      }
    }
  }

  @Test
  void a_lost_fsync_reads_back_the_old_log_cleanly() throws StorageException {
    MemoryDisk memory = new MemoryDisk();
    Expected old = setUp(new CrashingDisk(memory, Long.MAX_VALUE));
    CrashingDisk disk = new CrashingDisk(memory, 1);
    assertThrows(StorageException.class, () -> open(disk).write(3, entries(2, 4, 2)));
    memory.crash();
    LogImage image = open(memory).image();
    old.assertMatches(image, "after lost fsync");
    assertTrue(image.clean());
  }

  @Test
  void a_bit_flip_anywhere_in_a_segment_is_reported_and_the_intact_prefix_kept() throws StorageException {
    MemoryDisk memory = new MemoryDisk();
    SealedLog log = open(memory);
    // After each write: the segment it went to, where its record ends, and the log then.
    List<String> segmentOf = new ArrayList<>();
    List<Integer> endOf = new ArrayList<>();
    List<Expected> logAfter = new ArrayList<>();
    Expected expected = Expected.empty();
    for (int w = 0; w < 8; w++) {
      long keepThrough = w == 5 ? 4 : log.lastIndex();
      List<LogRecord> batch = entries(1 + w / 4, keepThrough + 1, 2);
      log.write(keepThrough, batch);
      expected = expected.write(keepThrough, batch);
      String name = memory.list().get(memory.list().size() - 1);
      segmentOf.add(name);
      endOf.add(memory.read(name, 1 << 20).orElseThrow().length);
      logAfter.add(expected);
    }
    List<String> segments = memory.list();
    assertTrue(segments.size() >= 2, segments.toString());
    for (String name : segments) {
      int length = memory.read(name, 1 << 20).orElseThrow().length;
      for (long bit = 0; bit < 8L * length; bit++) {
        memory.flipBit(name, bit);
        LogImage image = open(memory).image();
        memory.flipBit(name, bit);
        Expected want = Expected.empty();
        for (int w = 0; w < segmentOf.size(); w++) {
          int order = segmentOf.get(w).compareTo(name);
          if (order < 0 || (order == 0 && endOf.get(w) <= bit / 8)) {
            want = logAfter.get(w);
          }
        }
        String what = name + " bit " + bit;
        assertTrue(image.damage().isPresent(), what + " is detected");
        want.assertMatches(image, what);
      }
    }
  }

  @Test
  void compaction_and_snapshot_install_crash_between_any_two_disk_changes_read_back_old_or_new() throws StorageException {
    for (boolean install : new boolean[] {false, true}) {
      for (long changes = 0; ; changes++) {
        MemoryDisk memory = new MemoryDisk();
        SealedLog log = open(memory);
        for (int i = 0; i < 12; i++) {
          log.write(i, entries(1, i + 1, 1));
        }
        Expected old = Expected.empty().write(0, entries(1, 1, 12));
        SnapshotImage snapshot = install ? new SnapshotImage(40, 3, new byte[] {4}) : new SnapshotImage(9, 1, new byte[] {5});
        Expected next = install ? new Expected(java.util.Optional.of(snapshot), List.of()) : old.compact(snapshot);
        CrashingDisk disk = new CrashingDisk(memory, changes);
        SealedLog crashing = open(disk);
        try {
          if (install) {
            crashing.installSnapshot(snapshot);
          } else {
            crashing.compact(snapshot);
          }
        } catch (StorageException e) {
          assertEquals("io: power lost", e.getMessage());
        }
        memory.crash();
        LogImage image = open(memory).image();
        String what = (install ? "install" : "compact") + " crashed after " + changes + " changes";
        assertTrue(image.clean(), what + ": " + image.damage());
        assertTrue(old.matches(image) || next.matches(image), what + ": " + image);
        if (!disk.crashed()) {
          next.assertMatches(image, what);
          assertTrue(changes >= 2, "the snapshot file and at least one deletion");
          break;
        }
      }
    }
  }
}
