package dev.bkv.hsm;

import static dev.bkv.hsm.Phone.key;
import static dev.bkv.hsm.Phone.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.opaque.ClientLoginStart;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.storage.FileVaultStorage;
import dev.bkv.storage.MemoryVaultStorage;
import dev.bkv.storage.NvramImage;
import dev.bkv.storage.VaultStorage;
import dev.bkv.vault.UserId;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistence across restarts: the firmware is dropped (a crash) and booted again from the
 * host's storage and the HSM's NVRAM. Rolled-back, forked and tampered storage is refused;
 * a crash between the log write and the NVRAM advance is recovered as the journal says.
 */
class CrashRestartTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final UserId ALICE = user("alice");

  FaultyHsm hsm;
  MemoryVaultStorage storage;
  VaultFirmware firmware;
  Phone phone;

  @BeforeEach
  void boot() throws BootException {
    hsm = new FaultyHsm(RANDOM);
    storage = new MemoryVaultStorage();
    restart(storage);
  }

  void restart(VaultStorage from) throws BootException {
    firmware = VaultFirmware.boot(hsm, from, new VaultFirmware.Limits(64, 64, 4));
    if (phone == null) {
      phone = new Phone(firmware, RANDOM);
    } else {
      phone.wire = firmware::handle;
    }
  }

  BootException.Reason bootFails(VaultStorage from) {
    return assertThrows(BootException.class, () -> VaultFirmware.boot(hsm, from)).reason();
  }

  @Test
  void state_survives_a_restart_and_pending_logins_do_not() throws Exception {
    phone.register(ALICE, "pw", key(7), 10);
    phone.recover(ALICE, "wrong");
    Phone.Login pending = phone.start(ALICE, "pw", LoginPurpose.RECOVER);
    long version = firmware.version();
    restart(storage);
    assertEquals(version, firmware.version());
    assertEquals(8, phone.remaining(ALICE), "both counted guesses survived, the pending one included");
    assertEquals(FirmwareResponse.Reason.UNKNOWN_LOGIN,
        assertInstanceOf(FirmwareResponse.Refused.class, pending.finish(new byte[0])).reason());
    assertArrayEquals(key(7).toBytes(), phone.recover(ALICE, "pw").toBytes());
    assertTrue(storage.load().snapshot().isPresent(), "the interval of 4 entries produced a snapshot");
  }

  @Test
  void rolled_back_storage_is_refused() throws Exception {
    phone.register(ALICE, "pw", key(7), 10);
    MemoryVaultStorage before = storage.copy();
    phone.recover(ALICE, "wrong"); // one more counted guess the host would like to forget
    assertEquals(BootException.Reason.ROLLBACK, bootFails(before));
    assertEquals(BootException.Reason.ROLLBACK, bootFails(new MemoryVaultStorage()));
    restart(storage);
    assertEquals(9, phone.remaining(ALICE));
  }

  @Test
  void a_crash_between_log_write_and_nvram_advance_is_adopted_on_restart() throws Exception {
    phone.register(ALICE, "pw", key(7), 10);
    long acknowledged = firmware.version();
    hsm.failNvramWrites = 1;
    ClientLoginStart start = phone.opaque.startLogin(Password.utf8("guess"), RANDOM);
    FirmwareResponse response = phone.send(new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, start.ke1()));
    assertEquals(FirmwareResponse.Reason.HALTED, assertInstanceOf(FirmwareResponse.Refused.class, response).reason(),
        "no KE2 was released for the entry");
    assertEquals(acknowledged + 1, storage.load().lastVersion(), "the entry reached the disk");
    assertEquals(acknowledged, hsm.readNvram(VaultJournal.NVRAM_SLOT).counter(), "NVRAM did not advance");
    restart(storage);
    assertTrue(firmware.bootNote().startsWith("adopted"), firmware.bootNote());
    assertEquals(acknowledged + 1, hsm.readNvram(VaultJournal.NVRAM_SLOT).counter());
    assertEquals(9, phone.remaining(ALICE), "adopting the entry counts the guess it counted");
  }

  @Test
  void the_unacknowledged_entry_may_also_be_dropped_by_the_host() throws Exception {
    phone.register(ALICE, "pw", key(7), 10);
    long acknowledged = firmware.version();
    hsm.failNvramWrites = 1;
    phone.send(new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER,
        phone.opaque.startLogin(Password.utf8("guess"), RANDOM).ke1()));
    storage.truncateAfter(acknowledged);
    restart(storage);
    assertEquals(10, phone.remaining(ALICE), "nothing was released for the dropped guess");
  }

  @Test
  void an_unreadable_unacknowledged_entry_is_discarded_but_an_acknowledged_one_is_tampering() throws Exception {
    phone.register(ALICE, "pw", key(7), 10);
    long acknowledged = firmware.version();
    MemoryVaultStorage garbageTail = storage.copy();
    garbageTail.append(acknowledged + 1, new byte[60]);
    restart(garbageTail);
    assertTrue(firmware.bootNote().startsWith("discarded"), firmware.bootNote());
    assertEquals(acknowledged, garbageTail.load().lastVersion());

    MemoryVaultStorage garbageInside = storage.copy();
    int last = garbageInside.load().log().size() - 1;
    garbageInside.replaceLogEntry(last, new VaultStorage.VersionedBlob(acknowledged, new byte[60]));
    assertEquals(BootException.Reason.TAMPERED, bootFails(garbageInside));
  }

  @Test
  void a_superseded_entry_swapped_back_in_is_a_fork() throws Exception {
    // Entry n+1 (bob's guess) is written, the HSM crashes before NVRAM advances; the host
    // keeps a copy, drops the entry, and the restarted firmware acknowledges a different n+1
    // (alice's guess). Swapping bob's entry back would erase alice's counted guess.
    phone.register(ALICE, "pw", key(7), 10);
    phone.register(user("bob"), "pw", key(8), 10);
    long acknowledged = firmware.version();
    hsm.failNvramWrites = 1;
    phone.send(new FirmwareRequest.LoginStart(user("bob"), LoginPurpose.RECOVER,
        phone.opaque.startLogin(Password.utf8("guess"), RANDOM).ke1()));
    MemoryVaultStorage withBobsGuess = storage.copy();
    storage.truncateAfter(acknowledged);
    restart(storage);
    phone.start(ALICE, "guess", LoginPurpose.RECOVER);
    assertEquals(acknowledged + 1, firmware.version());
    assertEquals(BootException.Reason.FORKED, bootFails(withBobsGuess));
  }

  @Test
  void storage_ahead_of_nvram_is_refused() throws Exception {
    phone.register(ALICE, "pw", key(7), 10);
    NvramImage.Cell old = hsm.nvramWrites.get(0);
    phone.recover(ALICE, "x");
    hsm.nvramOverride = old; // an NVRAM that lost writes: impossible for a real HSM
    assertEquals(BootException.Reason.AHEAD, bootFails(storage));
  }

  @Test
  void a_zeroized_hsm_cannot_boot() {
    phone.register(ALICE, "pw", key(7), 10);
    hsm.tamper();
    assertEquals(BootException.Reason.HSM, bootFails(storage));
  }

  @Test
  void g1_holds_across_random_crashes_dropped_entries_and_rollback_attempts() throws Exception {
    // G1 (single HSM): KE2s released for a live registration between successes never
    // exceed maxAttempts, whatever the host does between steps.
    int maxAttempts = 4;
    for (long seed = 1; seed <= 3; seed++) {
      java.util.Random random = new java.util.Random(seed);
      boot();
      phone.register(ALICE, "pw", key(7), maxAttempts);
      int released = 0;
      MemoryVaultStorage old = storage.copy();
      int destroyed = 0;
      for (int step = 0; step < 150; step++) {
        if (phone.remaining(ALICE) < 0) {
          destroyed++;
          hsm.failNvramWrites = 0;
          phone.register(ALICE, "pw", key(7), maxAttempts);
          released = 0;
        }
        int choice = random.nextInt(10);
        if (choice < 4) {
          if (hsm.failNvramWrites == 0 && random.nextInt(4) == 0) {
            hsm.failNvramWrites = 1;
          }
          ClientLoginStart start = phone.opaque.startLogin(Password.utf8("guess"), RANDOM);
          FirmwareResponse response = phone.send(new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, start.ke1()));
          if (response instanceof FirmwareResponse.LoginStarted) {
            boolean live = firmware.stateForTests().record(ALICE).isPresent();
            if (live) {
              released++;
            }
            if (random.nextBoolean()) {
              phone.send(new FirmwareRequest.LoginCancel(((FirmwareResponse.LoginStarted) response).loginId()));
            }
          } else {
            restart(storage); // halted: the host restarts it
          }
        } else if (choice < 5) {
          if (phone.recover(ALICE, "pw") != null) {
            released = 0;
          }
        } else if (choice < 7) {
          restart(storage);
        } else if (choice < 8) {
          if (old.load().lastVersion() < firmware.version()) {
            assertEquals(BootException.Reason.ROLLBACK, bootFails(old));
          }
          old = storage.copy();
        } else {
          phone.remaining(ALICE);
        }
        assertTrue(released <= maxAttempts, "G1 violated at seed " + seed + " step " + step + ": " + released);
      }
      assertTrue(destroyed > 0, "the run reached the limit at least once");
    }
  }

  @TempDir Path dir;

  @Test
  void a_process_restart_from_files_keeps_everything() throws Exception {
    Path hsmDir = dir.resolve("hsm");
    Path storageDir = dir.resolve("storage");
    SoftHsm first = SoftHsm.open(hsmDir, RANDOM);
    VaultFirmware running = VaultFirmware.boot(first, FileVaultStorage.open(storageDir), new VaultFirmware.Limits(8, 8, 3));
    Phone filePhone = new Phone(running, RANDOM);
    filePhone.register(ALICE, "pw", key(9), 6);
    filePhone.recover(ALICE, "wrong");
    filePhone.start(ALICE, "wrong", LoginPurpose.RECOVER); // counted, then the process dies
    // A torn write at the end of the log, as a crash during an append leaves.
    try (Stream<Path> files = Files.list(storageDir)) {
      Path segment = files.filter(p -> p.toString().endsWith(".seg")).sorted().reduce((a, b) -> b).orElseThrow();
      try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
        file.seek(file.length());
        file.write(new byte[] {0, 0, 0, 90, 1, 2, 3});
      }
    }
    SoftHsm second = SoftHsm.open(hsmDir, RANDOM);
    assertEquals(first.id(), second.id(), "the HSM's keys are its own across restarts");
    VaultFirmware restarted = VaultFirmware.boot(second, FileVaultStorage.open(storageDir), new VaultFirmware.Limits(8, 8, 3));
    filePhone.wire = restarted::handle;
    assertEquals(4, filePhone.remaining(ALICE));
    assertArrayEquals(key(9).toBytes(), filePhone.recover(ALICE, "pw").toBytes());
    assertEquals(6, filePhone.remaining(ALICE));
  }
}
