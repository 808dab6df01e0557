package dev.bkv.storage;

import static dev.bkv.storage.LogFixtures.CONTEXT;
import static dev.bkv.storage.LogFixtures.SMALL;
import static dev.bkv.storage.LogFixtures.entries;
import static dev.bkv.storage.LogFixtures.open;
import static dev.bkv.storage.LogFixtures.sealer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The seeded defect TORN_WRITE_UNDETECTED: on, a torn record's garbage becomes entries; off, it is dropped and reported. */
class SealedLogBugTest {
  /** A log of entries 1..2 and a write of 3..4 torn 10 bytes before the end of its payloads, garbage filling the frame. */
  private static MemoryDisk tornDisk() throws StorageException {
    MemoryDisk memory = new MemoryDisk();
    open(memory).write(0, entries(1, 1, 2));
    CrashingDisk disk = new CrashingDisk(memory, 1);
    assertThrows(StorageException.class, () -> open(disk).write(2, entries(2, 3, 2)));
    String name = memory.list().get(0);
    int tail = memory.unsyncedBytes(name);
    int keep = tail - dev.bkv.crypto.Aes256Gcm.TAG_BYTES - 10;
    byte[] garbage = new byte[tail - keep];
    new Random(5).nextBytes(garbage);
    memory.crashTorn(name, keep, garbage);
    return memory;
  }

  @Test
  void with_the_defect_a_torn_write_yields_entries_that_were_never_written() throws StorageException {
    LogImage image = StorageBugs.openWithTornWriteUndetected(tornDisk(), sealer(7), CONTEXT, SMALL).image();
    assertTrue(image.clean(), "the defect reports nothing: " + image.damage());
    assertEquals(4, image.lastIndex());
    assertEquals(2, image.lastTerm(), "terms precede the tear, so they look valid");
    assertEquals(entries(2, 3, 1), image.entries().subList(2, 3));
    assertNotEquals(entries(2, 4, 1).get(0), image.entries().get(3), "the last payload is garbage");
  }

  @Test
  void without_the_defect_the_torn_record_is_dropped_and_reported() throws StorageException {
    LogImage image = open(tornDisk()).image();
    assertEquals(entries(1, 1, 2), image.entries());
    assertTrue(image.damage().orElseThrow().contains("does not authenticate"), image.damage().orElseThrow());
  }

  @Test
  void the_defect_needs_the_aes_gcm_sealer() {
    Sealer other = new Sealer() {
      @Override
      public byte[] seal(byte[] associatedData, byte[] plaintext) {
        return plaintext;
      }

      @Override
      public byte[] unseal(byte[] associatedData, byte[] sealed) {
        return sealed;
      }
    };
    assertThrows(IllegalArgumentException.class,
        () -> StorageBugs.openWithTornWriteUndetected(new MemoryDisk(), other, CONTEXT, SMALL));
  }
}
