package dev.bkv.storage;

import static dev.bkv.storage.LogFixtures.entries;
import static dev.bkv.storage.LogFixtures.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.bkv.storage.LogFixtures.Expected;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random sequences of write, compact, snapshot install, crash and reopen agree with a plain list kept beside them. */
class SealedLogPropertiesTest {
  private static final int EXAMPLES = 60;
  private static final int STEPS = 40;

  @Test
  void the_log_agrees_with_a_reference_list_through_crashes() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      try {
        run(seed);
      } catch (StorageException e) {
        throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
      }
    });
  }

  private static void run(long seed) throws StorageException {
    Random random = new Random(seed);
    MemoryDisk memory = new MemoryDisk();
    Expected expected = Expected.empty();
    SealedLog log = open(memory);
    long term = 1;
    for (int step = 0; step < STEPS; step++) {
      String what = "seed " + seed + " step " + step;
      int action = random.nextInt(10);
      boolean crashInside = random.nextInt(4) == 0;
      CrashingDisk disk = new CrashingDisk(memory, crashInside ? random.nextInt(4) : Long.MAX_VALUE);
      SealedLog acting = crashInside ? open(disk) : log;
      Expected next = expected;
      try {
        if (action < 6) {
          long snapshotLast = expected.snapshotLastIndex();
          long keepThrough = snapshotLast + random.nextInt((int) (expected.lastIndex() - snapshotLast) + 1);
          term += random.nextInt(2);
          List<LogRecord> batch = entries(term, keepThrough + 1, random.nextInt(4));
          next = expected.write(keepThrough, batch);
          acting.write(keepThrough, batch);
        } else if (action < 9) {
          long snapshotLast = expected.snapshotLastIndex();
          long last = snapshotLast + random.nextInt((int) (expected.lastIndex() - snapshotLast) + 1);
          long lastTerm = last == snapshotLast ? expected.snapshot().map(SnapshotImage::lastTerm).orElse(0L)
              : expected.entries().get((int) (last - snapshotLast - 1)).term();
          SnapshotImage snapshot = new SnapshotImage(last, lastTerm, new byte[] {(byte) step});
          next = expected.compact(snapshot);
          acting.compact(snapshot);
        } else {
          SnapshotImage snapshot = new SnapshotImage(expected.lastIndex() + random.nextInt(5), term, new byte[] {(byte) -step});
          next = new Expected(java.util.Optional.of(snapshot), List.of());
          acting.installSnapshot(snapshot);
        }
      } catch (StorageException e) {
        assertTrue(disk.crashed(), what + ": " + e.getMessage()); // the change may or may not have committed
      }
      if (crashInside || random.nextInt(5) == 0) {
        memory.crash();
        log = open(memory);
        LogImage image = log.image();
        assertTrue(image.clean(), what + ": " + image.damage());
        boolean isNext = next.matches(image);
        assertTrue(isNext || expected.matches(image), what + ": " + image);
        if (isNext) {
          expected = next;
        }
      } else {
        expected = next;
      }
      assertEquals(expected.lastIndex(), log.lastIndex(), what);
    }
    expected.assertMatches(open(memory).image(), "seed " + seed + " at the end");
  }
}
