package dev.bkv.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** Shared setup for the sealed log tests: a fixed key, small limits, recognisable entries. */
final class LogFixtures {
  static final byte[] CONTEXT = "fleet 01 / hsm aa".getBytes(StandardCharsets.US_ASCII);
  static final byte[] OTHER_CONTEXT = "fleet 01 / hsm bb".getBytes(StandardCharsets.US_ASCII);
  /** Small segments so a few writes roll to new files. */
  static final SealedLog.Limits SMALL = new SealedLog.Limits(1024, 8, 64, 1 << 20);

  private LogFixtures() {}

  static Sealer sealer(long seed) {
    byte[] key = new byte[32];
    new Random(42).nextBytes(key);
    return new AesGcmSealer(key, new Random(seed));
  }

  static SealedLog open(Disk disk) throws StorageException {
    return SealedLog.open(disk, sealer(7), CONTEXT, SMALL);
  }

  static LogRecord entry(long term, long index) {
    return new LogRecord(term, ("entry " + index + " of term " + term).getBytes(StandardCharsets.US_ASCII));
  }

  /** {@code count} entries of {@code term} at indexes {@code firstIndex}.. */
  static List<LogRecord> entries(long term, long firstIndex, int count) {
    List<LogRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(entry(term, firstIndex + i));
    }
    return out;
  }

  /** A reference log: the snapshot and the entries after it, kept as plain lists. */
  record Expected(Optional<SnapshotImage> snapshot, List<LogRecord> entries) {
    Expected {
      entries = List.copyOf(entries);
    }

    static Expected empty() {
      return new Expected(Optional.empty(), List.of());
    }

    long snapshotLastIndex() {
      return snapshot.map(SnapshotImage::lastIndex).orElse(0L);
    }

    long lastIndex() {
      return snapshotLastIndex() + entries.size();
    }

    Expected write(long keepThrough, List<LogRecord> added) {
      List<LogRecord> next = new ArrayList<>(entries.subList(0, (int) (keepThrough - snapshotLastIndex())));
      next.addAll(added);
      return new Expected(snapshot, next);
    }

    Expected compact(SnapshotImage s) {
      return new Expected(Optional.of(s), entries.subList((int) (s.lastIndex() - snapshotLastIndex()), entries.size()));
    }

    boolean matches(LogImage image) {
      return image.snapshot().equals(snapshot) && image.entries().equals(entries);
    }

    void assertMatches(LogImage image, String what) {
      assertEquals(snapshot, image.snapshot(), what + ": snapshot");
      assertEquals(entries, image.entries(), what + ": entries");
    }
  }
}
