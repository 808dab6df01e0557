package dev.bkv.hsm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Bytes;
import dev.bkv.client.RecoveryResult;
import dev.bkv.crypto.EcdhP256;
import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.ServerLoginState;
import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.testsupport.RecordingRandom;
import dev.bkv.testsupport.SecretLeaks;
import dev.bkv.testsupport.SecretLeaks.Secret;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Command;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.Response;
import dev.bkv.vault.UserId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the vault's and the HSM's secret-holding types print no secret, and neither do the
 * messages of their failure paths. Method: build each from secrets this test chose (or, for
 * a SoftHsm, drew through a recording random source), then search toString and the messages
 * for them in hex, base64, decimal and text.
 */
class HsmSecretsToStringTest {
  private final List<Secret> secrets = new ArrayList<>();
  @TempDir Path dir;

  private byte[] secret(String name) {
    byte[] bytes = Sha256.hash(name.getBytes(StandardCharsets.US_ASCII));
    bytes[0] &= 0x7f; // also a valid P-256 scalar
    secrets.add(new Secret(name, bytes));
    return bytes.clone();
  }

  private void assertPrintsNoSecret(Object holder) {
    SecretLeaks.assertNoLeak(holder.getClass().getName() + ".toString()", String.valueOf(holder), secrets);
  }

  @Test
  void backup_keys_and_the_messages_that_carry_them_print_no_key() throws Exception {
    BackupKey key = new BackupKey(secret("backup key"));
    UserId alice = UserId.ofUtf8("alice");
    RegistrationId id = new RegistrationId(new byte[RegistrationId.BYTES]);
    ServerLoginState state = ServerLoginState.decode(Bytes.concat(new byte[] {0}, secret("expected client mac"), secret("session key")));
    for (Object holder : List.of(key, new Command.RegisterExpose(alice, id, key), new Response.Recovered(key),
        new RecoveryResult.Recovered(key), new ReplicatedVault.LoginEnd.Expose(key), state,
        new PendingLogins.Pending(alice, id, LoginPurpose.RECOVER, OpaqueContext.BKV, state),
        new FleetSecretsTransport.Pending(EcdhP256.PrivateKey.decode(secret("transport key")), Sha256Digest.of(new byte[0])))) {
      assertPrintsNoSecret(holder);
    }
    secrets.add(Secret.text("PIN", "pin-8675309"));
    assertPrintsNoSecret(new Pkcs11Hsm.Config(Path.of("/usr/lib/softhsm/libsofthsm2.so"), 0, "pin-8675309".toCharArray()));
  }

  @Test
  void a_soft_hsm_prints_none_of_the_keys_it_generated_nor_names_them_when_its_key_file_is_bad() throws Exception {
    RecordingRandom random = new RecordingRandom();
    SoftHsm inMemory = SoftHsm.inMemory(random);
    Path hsmDir = dir.resolve("hsm");
    SoftHsm stored = SoftHsm.open(hsmDir, random);
    secrets.addAll(random.asSecrets("SoftHsm random"));
    assertTrue(secrets.size() >= 8, "two HSMs' keys were drawn: " + secrets);
    assertPrintsNoSecret(inMemory);
    assertPrintsNoSecret(stored);
    assertPrintsNoSecret(stored.opaqueServerSetup());

    // A key file whose checksum holds but whose identity key is not a scalar: the message names the file, not the keys.
    byte[] file = Files.readAllBytes(hsmDir.resolve(SoftHsm.KEY_FILE));
    int at = SoftHsm.KEY_FILE_MAGIC.length;
    for (int part = 0; part < 4; part++) {
      secrets.add(new Secret("key file part " + part, Arrays.copyOfRange(file, at + 32 * part, at + 32 * part + 32)));
    }
    Arrays.fill(file, at, at + 32, (byte) 0xff);
    int body = file.length - 32;
    System.arraycopy(Sha256.hash(Arrays.copyOf(file, body)), 0, file, body, 32);
    secrets.add(new Secret("rejected identity key and the keys after it", Arrays.copyOfRange(file, at, at + 64)));
    Files.write(hsmDir.resolve(SoftHsm.KEY_FILE), file);
    HsmException refused = assertThrows(HsmException.class, () -> SoftHsm.open(hsmDir, random));
    SecretLeaks.assertNoLeak("the bad key file's message", refused.getMessage(), secrets);

    HsmException unsealed = assertThrows(HsmException.class,
        () -> inMemory.unseal(new byte[0], Bytes.concat(new byte[12], secret("not a sealed blob"))));
    SecretLeaks.assertNoLeak("the unseal failure's message", unsealed.getMessage(), secrets);
  }

  @Test
  void the_search_sees_a_message_that_names_a_key() {
    // Negative case: the same search catches a message built from the key's bytes.
    byte[] key = secret("careless key");
    String careless = new IllegalStateException("bad key " + dev.bkv.base.Hex.encode(key)).getMessage();
    assertTrue(SecretLeaks.find(careless, secrets).isPresent(), careless);
  }
}
