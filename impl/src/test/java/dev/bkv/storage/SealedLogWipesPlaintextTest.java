package dev.bkv.storage;

import static dev.bkv.storage.LogFixtures.CONTEXT;
import static dev.bkv.storage.LogFixtures.SMALL;
import static dev.bkv.storage.LogFixtures.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the sealed log's plaintexts (log records and snapshots in the clear) are zeroed once
 * sealed or parsed. Method: a sealer that keeps a reference to each plaintext array it was
 * given or returned, and a copy as it was; after writes, a compaction and a reopen, every
 * array is all zeros while its copy was not.
 */
class SealedLogWipesPlaintextTest {
  /** One plaintext: the array the log holds, and a copy taken when it crossed the sealer. */
  private record Seen(byte[] callers, byte[] asItWas) {}

  private static final class RecordingSealer implements Sealer {
    final Sealer inner = LogFixtures.sealer(7);
    final List<Seen> seen = new ArrayList<>();

    @Override
    public byte[] seal(byte[] associatedData, byte[] plaintext) throws StorageException {
      seen.add(new Seen(plaintext, plaintext.clone()));
      return inner.seal(associatedData, plaintext);
    }

    @Override
    public byte[] unseal(byte[] associatedData, byte[] sealed) throws StorageException {
      byte[] plaintext = inner.unseal(associatedData, sealed);
      seen.add(new Seen(plaintext, plaintext.clone()));
      return plaintext;
    }
  }

  @Test
  void plaintexts_are_zeroed_after_sealing_and_after_parsing() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    RecordingSealer sealer = new RecordingSealer();
    SealedLog log = SealedLog.open(disk, sealer, CONTEXT, SMALL);
    for (int i = 0; i < 6; i++) {
      log.write(i, entries(1, i + 1, 1));
    }
    log.compact(new SnapshotImage(3, 1, new byte[] {9, 9, 9}));
    int written = sealer.seen.size();
    LogImage image = SealedLog.open(disk, sealer, CONTEXT, SMALL).image();
    assertTrue(image.clean(), image.damage().orElse(""));
    assertEquals(entries(1, 4, 3), image.entries(), "the entries survive their plaintexts being wiped");
    assertTrue(written >= 7 && sealer.seen.size() > written, "records and a snapshot were sealed, then unsealed");
    for (Seen s : sealer.seen) {
      assertFalse(allZero(s.asItWas()), "the plaintext held something");
      assertTrue(allZero(s.callers()), "a plaintext of " + s.callers().length + " bytes was left in memory");
    }
  }

  private static boolean allZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
