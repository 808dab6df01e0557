package dev.bkv.hsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.storage.NvramImage;
import dev.bkv.tlog.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving the fleet secrets between HSMs (spec/FORMATS.md, "Deployment evidence"): the OPAQUE
 * setup leaves one HSM only encrypted to another HSM's signed one-time offer, for one
 * ceremony, and is installed only after every check passes (G4: never in the clear outside).
 */
class FleetSecretsTransportTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final Sha256Digest CONTEXT = Sha256Digest.of("ceremony".getBytes(StandardCharsets.US_ASCII));

  @TempDir Path dir;

  private static TransportOffer verified(TransportOffer offer) {
    Verdict<TransportOffer> verdict = TransportOffer.verify(offer.encode());
    assertTrue(verdict.isVerified(), verdict.reasonOrEmpty());
    return verdict.value();
  }

  private static HsmException.Reason refusal(Hsm recipient, WrappedFleetSecrets wrapped, HsmAttestation sender) {
    return assertThrows(HsmException.class, () -> recipient.importFleetSecrets(wrapped, sender)).reason();
  }

  @Test
  void the_recipient_answers_with_the_senders_opaque_key_after_an_import_and_after_a_restart() throws Exception {
    SoftHsm source = SoftHsm.inMemory(RANDOM);
    SoftHsm recipient = SoftHsm.open(dir.resolve("r"), RANDOM);
    assertNotEquals(source.opaqueServerSetup().serverPublicKey(), recipient.opaqueServerSetup().serverPublicKey());
    TransportOffer offer = verified(recipient.offerTransportKey(CONTEXT));
    WrappedFleetSecrets wrapped = source.exportFleetSecrets(offer);
    WrappedFleetSecrets reparsed = WrappedFleetSecrets.parse(wrapped.encode());
    assertArrayEquals(wrapped.encode(), reparsed.encode());
    recipient.importFleetSecrets(reparsed, source.attest());
    assertArrayEquals(source.opaqueServerSetup().encode(), recipient.opaqueServerSetup().encode(), "the same fleet secrets");
    SoftHsm reopened = SoftHsm.open(dir.resolve("r"), RANDOM);
    assertArrayEquals(source.opaqueServerSetup().encode(), reopened.opaqueServerSetup().encode(), "stored durably");
    assertEquals(recipient.id(), reopened.id(), "identity unchanged");
    assertEquals(source.opaqueServerSetup().serverPublicKey(), reopened.attest().opaqueServerKey());
  }

  @Test
  void an_offer_is_used_once_and_only_for_its_own_ceremony() throws Exception {
    SoftHsm source = SoftHsm.inMemory(RANDOM);
    SoftHsm recipient = SoftHsm.inMemory(RANDOM);
    WrappedFleetSecrets wrapped = source.exportFleetSecrets(verified(recipient.offerTransportKey(CONTEXT)));
    recipient.importFleetSecrets(wrapped, source.attest());
    assertEquals(HsmException.Reason.FLEET_SECRETS_REFUSED, refusal(recipient, wrapped, source.attest()), "replayed");
    SoftHsm other = SoftHsm.inMemory(RANDOM);
    Sha256Digest otherCeremony = Sha256Digest.of("another ceremony".getBytes(StandardCharsets.US_ASCII));
    WrappedFleetSecrets forOther = source.exportFleetSecrets(verified(other.offerTransportKey(otherCeremony)));
    other.offerTransportKey(CONTEXT);
    assertEquals(HsmException.Reason.FLEET_SECRETS_REFUSED, refusal(other, forOther, source.attest()),
        "a newer offer replaced the one the secrets were wrapped to");
  }

  @Test
  void secrets_for_another_hsm_from_an_unattested_sender_or_altered_are_refused() throws Exception {
    SoftHsm source = SoftHsm.inMemory(RANDOM);
    SoftHsm recipient = SoftHsm.inMemory(RANDOM);
    SoftHsm bystander = SoftHsm.inMemory(RANDOM);
    byte[] before = recipient.opaqueServerSetup().encode();
    WrappedFleetSecrets wrapped = source.exportFleetSecrets(verified(recipient.offerTransportKey(CONTEXT)));
    bystander.offerTransportKey(CONTEXT);
    assertEquals(HsmException.Reason.FLEET_SECRETS_REFUSED, refusal(bystander, wrapped, source.attest()), "addressed elsewhere");
    assertEquals(HsmException.Reason.FLEET_SECRETS_REFUSED, refusal(recipient, wrapped, bystander.attest()), "other sender");
    String text = new String(wrapped.encode(), StandardCharsets.US_ASCII);
    String[] lines = text.split("\n");
    for (int line = 1; line < lines.length; line++) {
      String value = lines[line].substring(lines[line].indexOf(' ') + 1);
      char last = value.charAt(value.length() - 1);
      String altered = text.replace(lines[line], lines[line].substring(0, lines[line].length() - 1) + (last == '0' ? '1' : '0'));
      WrappedFleetSecrets parsed;
      try {
        parsed = WrappedFleetSecrets.parse(altered.getBytes(StandardCharsets.US_ASCII));
      } catch (DecodeException notAPoint) {
        continue; // an altered key that is no longer a point is refused by the parser
      }
      assertEquals(HsmException.Reason.FLEET_SECRETS_REFUSED, refusal(recipient, parsed, source.attest()), "altered " + lines[line]);
    }
    assertArrayEquals(before, recipient.opaqueServerSetup().encode(), "nothing was installed");
    assertThrows(HsmException.class, () -> source.exportFleetSecrets(verified(source.offerTransportKey(CONTEXT))), "to itself");
  }

  @Test
  void an_hsm_that_has_served_a_vault_keeps_its_opaque_keys() throws Exception {
    SoftHsm source = SoftHsm.inMemory(RANDOM);
    SoftHsm used = SoftHsm.inMemory(RANDOM);
    used.writeNvram(0, new NvramImage.Cell(1, new byte[] {1}));
    WrappedFleetSecrets wrapped = source.exportFleetSecrets(verified(used.offerTransportKey(CONTEXT)));
    HsmException e = assertThrows(HsmException.class, () -> used.importFleetSecrets(wrapped, source.attest()));
    assertEquals(HsmException.Reason.FLEET_SECRETS_REFUSED, e.reason());
    assertTrue(e.getMessage().contains("served a vault"), e.getMessage());
  }

  @Test
  void offers_verify_only_when_signed_by_the_named_hsm_and_canonical() throws Exception {
    SoftHsm hsm = SoftHsm.inMemory(RANDOM);
    byte[] encoded = hsm.offerTransportKey(CONTEXT).encode();
    assertTrue(TransportOffer.verify(encoded).isVerified());
    for (int i = 0; i < encoded.length; i++) {
      byte[] altered = encoded.clone();
      altered[i] ^= 1;
      assertTrue(!TransportOffer.verify(altered).isVerified(), "byte " + i);
    }
    String forged = new String(encoded, StandardCharsets.US_ASCII).replaceFirst("identity-key [0-9a-f]{66}",
        "identity-key " + dev.bkv.base.Hex.encode(SoftHsm.inMemory(RANDOM).identityPublicKey().encodeCompressed()));
    assertTrue(TransportOffer.verify(forged.getBytes(StandardCharsets.US_ASCII)).reasonOrEmpty().contains("hsm-id"));
    assertTrue(!TransportOffer.verify(new byte[TransportOffer.ENCODED_BYTES_MAX + 1]).isVerified());
  }

  @Test
  void a_zeroized_hsm_neither_offers_nor_exports() {
    SoftHsm hsm = SoftHsm.inMemory(RANDOM);
    hsm.tamper();
    assertEquals(HsmException.Reason.ZEROIZED, assertThrows(HsmException.class, () -> hsm.offerTransportKey(CONTEXT)).reason());
  }
}
