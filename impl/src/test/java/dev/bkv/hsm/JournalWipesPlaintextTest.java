package dev.bkv.hsm;

import static dev.bkv.hsm.Phone.key;
import static dev.bkv.hsm.Phone.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.storage.MemoryVaultStorage;
import dev.bkv.vault.UserId;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the journal's plaintexts (commands and snapshots in the clear, an exposed backup key
 * among them) do not outlive sealing and unsealing. Method: an HSM that keeps a reference to
 * every plaintext array the journal handed to seal or got back from unseal, and a copy of it
 * as it was; after a registration, a recovery and a restart from the sealed storage, every
 * such array is all zeros, and the copies show the backup key was in them.
 */
class JournalWipesPlaintextTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final UserId ALICE = user("alice");

  @Test
  void every_sealed_and_unsealed_plaintext_is_zeroed_once_used() throws Exception {
    FaultyHsm hsm = new FaultyHsm(RANDOM);
    MemoryVaultStorage storage = new MemoryVaultStorage();
    VaultFirmware firmware = VaultFirmware.boot(hsm, storage, new VaultFirmware.Limits(64, 64, 4));
    Phone phone = new Phone(firmware, RANDOM);
    phone.register(ALICE, "pw", key(7), 10);
    assertArrayEquals(key(7).toBytes(), phone.recover(ALICE, "pw").toBytes());
    VaultFirmware.boot(hsm, storage, new VaultFirmware.Limits(64, 64, 4)); // reads the snapshot and log back

    assertFalse(hsm.sealed.isEmpty());
    assertFalse(hsm.unsealed.isEmpty());
    byte[] backupKey = key(7).toBytes();
    assertTrue(holds(hsm.sealed, backupKey), "a sealed plaintext held the backup key (an Expose entry or a snapshot)");
    assertTrue(holds(hsm.unsealed, backupKey), "an unsealed plaintext held the backup key");
    for (List<FaultyHsm.Plaintext> plaintexts : List.of(hsm.sealed, hsm.unsealed)) {
      for (FaultyHsm.Plaintext p : plaintexts) {
        assertTrue(allZero(p.callers()), "a plaintext of " + p.callers().length + " bytes was left in memory");
      }
    }
  }

  private static boolean holds(List<FaultyHsm.Plaintext> plaintexts, byte[] secret) {
    return plaintexts.stream().anyMatch(p -> indexOf(p.asItWas(), secret) >= 0);
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static boolean allZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
