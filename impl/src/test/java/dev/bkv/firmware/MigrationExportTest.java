package dev.bkv.firmware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A migration export opens only under the target fleet's server key, and only as sealed (every byte bound). */
class MigrationExportTest {
  final SecureRandom random = new SecureRandom();
  final ServerSetup target = ServerSetup.generate(random);
  final ServerSetup source = ServerSetup.generate(random);

  static byte[] filled(int length, int value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  MigrationExport.Contents contents(int userIdBytes, int recordBytes, int keyBytes) throws DecodeException {
    return new MigrationExport.Contents(Sha256Digest.of(new byte[] {1}), Sha256Digest.of(new byte[] {2}),
        UserId.of(filled(userIdBytes, 'u')), new RegistrationId(filled(RegistrationId.BYTES, 7)),
        filled(recordBytes, 3), 3, 10, new BackupKey(filled(keyBytes, 4)), source.encode());
  }

  @Test
  void sealThenOpenUnderTheTargetSetupGivesTheContentsBack() throws DecodeException {
    MigrationExport.Contents sealed = contents(5, 129, 32);
    byte[] export = MigrationExport.seal(sealed, target.serverPublicKey(), random);
    MigrationExport.Contents opened = MigrationExport.open(export, target).orElseThrow();
    assertEquals(sealed.userId(), opened.userId());
    assertEquals(sealed.registrationId(), opened.registrationId());
    assertEquals(sealed.sourceBundle(), opened.sourceBundle());
    assertEquals(sealed.targetBundle(), opened.targetBundle());
    assertArrayEquals(sealed.registrationRecord(), opened.registrationRecord());
    assertEquals(3, opened.guessesUsed());
    assertEquals(10, opened.maxAttempts());
    assertArrayEquals(sealed.backupKey().toBytes(), opened.backupKey().toBytes());
    assertArrayEquals(source.encode(), opened.sourceSetup());
    assertEquals(new MigrationExport.Header(sealed.sourceBundle(), sealed.targetBundle(), sealed.userId(),
        sealed.registrationId()), MigrationExport.header(export));
  }

  @Test
  void anotherFleetsSetupDoesNotOpenIt() throws DecodeException {
    byte[] export = MigrationExport.seal(contents(5, 129, 32), target.serverPublicKey(), random);
    assertEquals(Optional.empty(), MigrationExport.open(export, source));
  }

  @Test
  void everyAlteredByteIsRejected() throws DecodeException {
    byte[] export = MigrationExport.seal(contents(5, 129, 32), target.serverPublicKey(), random);
    for (int i = 1; i < export.length; i++) {
      byte[] altered = export.clone();
      altered[i] ^= 0x01;
      try {
        assertEquals(Optional.empty(), MigrationExport.open(altered, target), "byte " + i);
      } catch (DecodeException e) {
        // a length, the user id's length or the ephemeral point no longer decodes: rejected as well
      }
    }
  }

  @Test
  void theSizeSpecFormatsQuotesHolds() {
    assertEquals(663, MigrationExport.EXPORT_BYTES_MAX);
    assertEquals(97, ServerSetup.ENCODED_BYTES);
  }

  @Test
  void sizesAreBoundedAndTrailingBytesRefused() throws DecodeException {
    byte[] largest = MigrationExport.seal(contents(VaultLimits.USER_ID_BYTES_MAX, VaultLimits.REGISTRATION_RECORD_BYTES_MAX,
        VaultLimits.BACKUP_KEY_BYTES_MAX), target.serverPublicKey(), random);
    assertTrue(largest.length <= MigrationExport.EXPORT_BYTES_MAX, largest.length + " bytes");
    byte[] longer = Arrays.copyOf(largest, largest.length + 1);
    assertThrows(DecodeException.class, () -> MigrationExport.open(longer, target));
    assertThrows(DecodeException.class, () -> MigrationExport.header(new byte[MigrationExport.EXPORT_BYTES_MAX + 1]));
    byte[] otherFormat = largest.clone();
    otherFormat[0] = 2;
    assertThrows(DecodeException.class, () -> MigrationExport.open(otherFormat, target));
  }
}
