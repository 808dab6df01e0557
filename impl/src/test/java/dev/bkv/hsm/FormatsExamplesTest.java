package dev.bkv.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bkv.base.Hex;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.KE1;
import dev.bkv.crypto.opaque.KE2;
import dev.bkv.crypto.opaque.RegistrationRecord;
import dev.bkv.crypto.opaque.RegistrationResponse;
import dev.bkv.vault.Command;
import dev.bkv.vault.CommandCodec;
import dev.bkv.vault.Phase;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The examples and sizes quoted in spec/FORMATS.md, "Vault and HSM", so the document cannot drift from the code. */
class FormatsExamplesTest {
  static final UserId ALICE = Phone.user("alice");
  static final RegistrationId RID = new RegistrationId(Hex.decode("0102030405060708090a0b0c0d0e0f10"));

  @Test
  void message_and_command_examples() {
    assertEquals("010605616c696365", Hex.encode(FirmwareCodec.encode(new FirmwareRequest.Status(ALICE))));
    assertEquals("010802090a", Hex.encode(FirmwareCodec.encode(new FirmwareResponse.StatusReport(Phase.EXPOSED, 9, 10))));
    assertEquals("05616c696365" + "0102030405060708090a0b0c0d0e0f10",
        Hex.encode(VaultProtocol.credentialIdentifier(ALICE, RID).toBytes()));
    // The KE1 digest of the example is SHA-256 of the empty string.
    assertEquals("010305616c696365e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        Hex.encode(CommandCodec.encode(new Command.CountGuess(ALICE, Sha256Digest.of(new byte[0])))));
    assertEquals("010505616c696365" + "0102030405060708090a0b0c0d0e0f10",
        Hex.encode(CommandCodec.encode(new Command.GuessFailed(ALICE, RID))));
  }

  @Test
  void login_start_context_profile_examples() {
    KE1 ke1 = new dev.bkv.crypto.opaque.OpaqueClient(VaultProtocol.opaqueConfig(Phone.FAST_KSF))
        .startLogin(dev.bkv.crypto.opaque.Password.utf8("pw"), new java.security.SecureRandom()).ke1();
    String prefix = "010305616c69636502" + Hex.encode(ke1.encode());
    assertEquals(prefix, Hex.encode(FirmwareCodec.encode(
        new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, ke1, OpaqueContext.BKV))));
    assertEquals(prefix + "01", Hex.encode(FirmwareCodec.encode(
        new FirmwareRequest.LoginStart(ALICE, LoginPurpose.RECOVER, ke1, OpaqueContext.EMPTY))));
    assertEquals("424b56207661756c74207631", Hex.encode(OpaqueContext.BKV.bytes()), "\"BKV vault v1\", 12 bytes");
    assertEquals(0, OpaqueContext.EMPTY.bytes().length);
  }

  @Test
  void journal_examples() {
    byte[] hsmId = new byte[16];
    Arrays.fill(hsmId, (byte) 0xaa);
    byte[] genesis = new byte[32];
    assertEquals("424b56207661756c74206c6f6720656e747279207631" + "aa".repeat(16) + "0000000000000001" + "00".repeat(32),
        Hex.encode(VaultJournal.entryAad(hsmId, 1, genesis)));
    assertEquals("b8f8510215240c56c4ee844f88d3c2c56e3c3cbeef4b16b0a61f4fe509055e3f",
        Hex.encode(VaultJournal.nextChain(genesis, 1, new byte[28])));
  }

  @Test
  void quoted_sizes() {
    assertEquals(98, KE1.BYTES);
    assertEquals(259, KE2.BYTES);
    assertEquals(129, RegistrationRecord.BYTES);
    assertEquals(66, RegistrationResponse.BYTES);
    assertEquals(92, VaultProtocol.EXPOSE_UPLOAD_BYTES_MAX);
    assertEquals(6505, FirmwareCodec.RESPONSE_BYTES_MAX);
    assertEquals(1100, FirmwareCodec.CLIENT_REQUEST_BYTES_MAX);
    assertEquals(393_291, FirmwareCodec.REQUEST_BYTES_MAX);
    assertEquals(196_608, FirmwareCodec.MIGRATION_BUNDLE_BYTES_MAX);
    assertEquals(1024, FirmwareCodec.MIGRATION_EXPORT_BYTES_MAX);
    assertEquals(100, FirmwareCodec.LIST_USERS_MAX);
    assertEquals(768, dev.bkv.vault.VaultLimits.COMMAND_BYTES_MAX);
    assertEquals(56 * 1024 * 1024, dev.bkv.vault.VaultLimits.SNAPSHOT_BYTES_MAX);
  }
}
