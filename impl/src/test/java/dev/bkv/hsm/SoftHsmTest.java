package dev.bkv.hsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Check;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.storage.MemoryVaultStorage;
import dev.bkv.storage.NvramImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SoftHsm: sealing, NVRAM rules, persistence of its internal storage, tamper, attestation. */
class SoftHsmTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final byte[] AAD = "aad".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  @Test
  void seal_round_trips_and_rejects_any_change() throws HsmException {
    SoftHsm hsm = SoftHsm.inMemory(RANDOM);
    byte[] sealed = hsm.seal(AAD, new byte[] {1, 2, 3});
    assertEquals(3 + Hsm.SEAL_OVERHEAD_BYTES, sealed.length);
    assertArrayEquals(new byte[] {1, 2, 3}, hsm.unseal(AAD, sealed));
    assertNotEquals(java.util.Arrays.toString(sealed), java.util.Arrays.toString(hsm.seal(AAD, new byte[] {1, 2, 3})),
        "random nonces: sealing twice gives two blobs");
    for (int i = 0; i < sealed.length; i++) {
      byte[] flipped = sealed.clone();
      flipped[i] ^= 1;
      assertEquals(HsmException.Reason.UNSEAL_FAILED, assertThrows(HsmException.class, () -> hsm.unseal(AAD, flipped)).reason());
    }
    assertEquals(HsmException.Reason.UNSEAL_FAILED, assertThrows(HsmException.class, () -> hsm.unseal(new byte[0], sealed)).reason());
    assertEquals(HsmException.Reason.UNSEAL_FAILED, assertThrows(HsmException.class, () -> hsm.unseal(AAD, new byte[27])).reason());
    assertThrows(HsmException.class, () -> SoftHsm.inMemory(RANDOM).unseal(AAD, sealed), "another HSM's key");
  }

  @Test
  void nvram_counters_never_go_down() throws HsmException {
    SoftHsm hsm = SoftHsm.inMemory(RANDOM);
    hsm.writeNvram(2, new NvramImage.Cell(5, new byte[] {5}));
    hsm.writeNvram(2, new NvramImage.Cell(5, new byte[] {5})); // rewriting the same cell is allowed
    hsm.writeNvram(2, new NvramImage.Cell(6, new byte[] {6}));
    assertThrows(Check.InvariantViolation.class, () -> hsm.writeNvram(2, new NvramImage.Cell(5, new byte[] {5})));
    assertThrows(Check.InvariantViolation.class, () -> hsm.writeNvram(2, new NvramImage.Cell(6, new byte[] {7})));
    assertThrows(Check.InvariantViolation.class, () -> hsm.writeNvram(NvramImage.SLOTS, new NvramImage.Cell(1, new byte[0])));
    assertEquals(6, hsm.readNvram(2).counter());
  }

  @Test
  void file_backed_hsm_keeps_keys_and_nvram_and_rejects_damage() throws Exception {
    SoftHsm first = SoftHsm.open(dir, RANDOM);
    first.writeNvram(0, new NvramImage.Cell(3, new byte[] {9}));
    byte[] sealed = first.seal(AAD, new byte[] {4});
    SoftHsm second = SoftHsm.open(dir, RANDOM);
    assertEquals(first.id(), second.id());
    assertEquals(first.opaqueServerSetup().serverPublicKey(), second.opaqueServerSetup().serverPublicKey());
    assertArrayEquals(new byte[] {4}, second.unseal(AAD, sealed));
    assertEquals(3, second.readNvram(0).counter());

    Path keys = dir.resolve(SoftHsm.KEY_FILE);
    byte[] good = Files.readAllBytes(keys);
    byte[] flipped = good.clone();
    flipped[20] ^= 1;
    Files.write(keys, flipped);
    assertEquals(HsmException.Reason.NVRAM_FAILED, assertThrows(HsmException.class, () -> SoftHsm.open(dir, RANDOM)).reason());
    Files.write(keys, java.util.Arrays.copyOf(good, 50));
    assertEquals(HsmException.Reason.NVRAM_FAILED, assertThrows(HsmException.class, () -> SoftHsm.open(dir, RANDOM)).reason());
    Files.write(keys, good);
    Files.write(dir.resolve(SoftHsm.NVRAM_FILE), new byte[] {1, 2, 3});
    assertEquals(HsmException.Reason.NVRAM_FAILED, assertThrows(HsmException.class, () -> SoftHsm.open(dir, RANDOM)).reason());
  }

  @Test
  void tamper_zeroizes_every_key_and_every_call_fails_typed() throws Exception {
    SoftHsm hsm = SoftHsm.open(dir, RANDOM);
    VaultFirmware firmware = VaultFirmware.boot(hsm, new MemoryVaultStorage());
    byte[] sealed = hsm.seal(AAD, new byte[] {1});
    hsm.tamper();
    assertTrue(hsm.isZeroized());
    HsmCall[] calls = {
      hsm::id, hsm::identityPublicKey, () -> hsm.signWithIdentity(AAD), () -> hsm.seal(AAD, AAD),
      () -> hsm.unseal(AAD, sealed), () -> hsm.readNvram(0), () -> {
        hsm.writeNvram(0, new NvramImage.Cell(9, new byte[0]));
        return null;
      },
      hsm::opaqueServerSetup, hsm::attest
    };
    for (HsmCall call : calls) {
      assertEquals(HsmException.Reason.ZEROIZED, assertThrows(HsmException.class, call::run).reason());
    }
    assertFalse(Files.exists(dir.resolve(SoftHsm.KEY_FILE)), "the key file is gone");
    FirmwareResponse response = new Phone(firmware, RANDOM).send(new FirmwareRequest.Status(Phone.user("alice")));
    assertEquals(FirmwareResponse.Reason.HSM_ZEROIZED, assertInstanceOf(FirmwareResponse.Refused.class, response).reason());
  }

  interface HsmCall {
    Object run() throws HsmException;
  }

  @Test
  void attestation_verifies_and_every_alteration_is_rejected() throws HsmException {
    SoftHsm hsm = SoftHsm.inMemory(RANDOM);
    byte[] encoded = hsm.attest().encode();
    HsmAttestation.Verified verified = assertInstanceOf(HsmAttestation.Verified.class, HsmAttestation.verify(encoded));
    assertEquals(hsm.id(), verified.attestation().hsmId());
    assertEquals(hsm.identityPublicKey(), verified.attestation().identityKey());
    String text = new String(encoded, StandardCharsets.US_ASCII);
    for (int i = 0; i < encoded.length; i++) {
      byte[] altered = encoded.clone();
      altered[i] = (byte) (altered[i] == '0' ? '1' : '0');
      assertInstanceOf(HsmAttestation.Rejected.class, HsmAttestation.verify(altered), "byte " + i + " altered");
    }
    String[] variants = {
      text.replace("BKV HSM attestation v1", "BKV HSM attestation v2"),
      text + "extra line\n",
      text.substring(0, text.length() - 1),
      text.toUpperCase(java.util.Locale.ROOT),
      text.replace("\n", "\r\n"),
      "",
    };
    for (String variant : variants) {
      assertInstanceOf(HsmAttestation.Rejected.class, HsmAttestation.verify(variant.getBytes(StandardCharsets.ISO_8859_1)));
    }
    assertInstanceOf(HsmAttestation.Rejected.class, HsmAttestation.verify(new byte[HsmAttestation.ENCODED_BYTES_MAX + 1]));
    // A well-formed statement signed by another key, claiming this HSM's id.
    SoftHsm other = SoftHsm.inMemory(RANDOM);
    String forged = new String(other.attest().encode(), StandardCharsets.US_ASCII)
        .replace(other.id().toHex(), hsm.id().toHex());
    HsmAttestation.Rejected rejected = assertInstanceOf(HsmAttestation.Rejected.class,
        HsmAttestation.verify(forged.getBytes(StandardCharsets.US_ASCII)));
    assertTrue(rejected.reason().contains("hsm-id"), rejected.reason());
    EcdsaP256.PublicKey key = hsm.identityPublicKey();
    assertEquals(HsmId.of(key), hsm.id());
  }
}
