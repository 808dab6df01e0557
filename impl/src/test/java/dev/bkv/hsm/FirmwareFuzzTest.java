package dev.bkv.hsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.crypto.DecodeException;
import dev.bkv.storage.MemoryVaultStorage;
import dev.bkv.storage.NvramImage;
import dev.bkv.storage.StorageException;
import java.security.SecureRandom;

/**
 * Jazzer fuzz targets for what the host can hand the HSM: request bytes, the firmware's
 * entry point itself, and what the phone decodes (responses, attestations), plus the NVRAM
 * image. The firmware must answer every input with a decodable response and never halt.
 * Seeds: {@code src/test/resources/dev/bkv/hsm/FirmwareFuzzTestInputs/<target>/}; to fuzz
 * for real: {@code JAZZER_FUZZ=1 mvn -o -pl impl test -Dtest='FirmwareFuzzTest#firmware'
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class FirmwareFuzzTest {
  private static final VaultFirmware FIRMWARE;

  static {
    try {
      SecureRandom random = new SecureRandom();
      FIRMWARE = VaultFirmware.boot(SoftHsm.inMemory(random), new MemoryVaultStorage());
      new Phone(FIRMWARE, random).register(Phone.user("alice"), "pw", Phone.key(1), 255);
    } catch (BootException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @FuzzTest
  void request(byte[] input) {
    try {
      assertArrayEquals(input, FirmwareCodec.encode(FirmwareCodec.decodeRequest(input)), "only canonical encodings decode");
    } catch (DecodeException expected) {
      // typed rejection
    }
  }

  @FuzzTest
  void firmware(byte[] input) throws DecodeException {
    FirmwareResponse response = FirmwareCodec.decodeResponse(FIRMWARE.handle(input));
    assertTrue(FIRMWARE.haltReason().isEmpty(), () -> "halted on input: " + FIRMWARE.haltReason().get());
    assertTrue(response != null);
  }

  @FuzzTest
  void response(byte[] input) {
    try {
      assertArrayEquals(input, FirmwareCodec.encode(FirmwareCodec.decodeResponse(input)), "only canonical encodings decode");
    } catch (DecodeException expected) {
      // typed rejection
    }
  }

  @FuzzTest
  void attestation(byte[] input) {
    HsmAttestation.Verification verification = HsmAttestation.verify(input);
    if (verification instanceof HsmAttestation.Verified) {
      assertArrayEquals(input, ((HsmAttestation.Verified) verification).attestation().encode());
    }
  }

  @FuzzTest
  void nvramImage(byte[] input) {
    try {
      assertArrayEquals(input, NvramImage.decode(input).encode());
    } catch (StorageException expected) {
      // typed rejection
    }
  }
}
