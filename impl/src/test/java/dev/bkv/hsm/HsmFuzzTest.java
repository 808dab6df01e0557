package dev.bkv.hsm;

import static dev.bkv.testsupport.FuzzSelector.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.crypto.DecodeException;
import dev.bkv.storage.MemoryVaultStorage;
import dev.bkv.storage.NvramImage;
import dev.bkv.storage.StorageException;
import dev.bkv.testsupport.FuzzSelector;
import dev.bkv.tlog.Verdict;
import dev.bkv.vault.CommandCodec;
import dev.bkv.vault.SnapshotCodec;
import dev.bkv.vault.VaultState;
import java.security.SecureRandom;

/**
 * The fuzz target of what the host can hand an HSM and what a phone decodes from one: vault
 * log entries and snapshots, firmware requests, the firmware's entry point itself, firmware
 * responses and attestations, the NVRAM image, and the key ceremony's transport offers and
 * wrapped fleet secrets. Decoders return a value whose encoding is their input or throw their
 * typed exception; the firmware answers every input with a decodable response and never
 * halts.
 *
 * <p>The first input byte picks the decoder ({@link FuzzSelector}); the normal build replays
 * {@code src/test/resources/dev/bkv/hsm/HsmFuzzTestInputs/fuzz/}; {@code impl/fuzz/campaign.sh}
 * fuzzes for real.
 */
public class HsmFuzzTest {
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

  /** Append only: a seed's first byte is its decoder's position here. */
  static final FuzzSelector TARGETS = FuzzSelector.of(
      bytes("command", HsmFuzzTest::command),
      bytes("snapshot", HsmFuzzTest::snapshot),
      bytes("request", HsmFuzzTest::request),
      bytes("firmware", HsmFuzzTest::firmware),
      bytes("response", HsmFuzzTest::response),
      bytes("attestation", HsmFuzzTest::attestation),
      bytes("nvramImage", HsmFuzzTest::nvramImage),
      bytes("transportOffer", HsmFuzzTest::transportOffer),
      bytes("wrappedFleetSecrets", HsmFuzzTest::wrappedFleetSecrets));

  @FuzzTest(maxDuration = "10m")
  void fuzz(FuzzedDataProvider data) throws Exception {
    fuzzerTestOneInput(data);
  }

  /** Jazzer's entry point when the campaign runs this target outside JUnit. */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) throws Exception {
    TARGETS.run(data);
  }

  static void command(byte[] input) {
    try {
      assertArrayEquals(input, CommandCodec.encode(CommandCodec.decode(input)), "only canonical encodings decode");
    } catch (DecodeException e) {
      assertTrue(e.field().startsWith("command") || e.field().equals("registration_id"), e.field());
    }
  }

  static void snapshot(byte[] input) {
    try {
      VaultState state = SnapshotCodec.decode(input);
      assertArrayEquals(input, SnapshotCodec.encode(state), "only canonical encodings decode");
    } catch (DecodeException e) {
      assertTrue(e.field().startsWith("snapshot") || e.field().equals("registration_id") || e.field().equals("user id"),
          e.field());
    }
  }

  static void request(byte[] input) {
    try {
      assertArrayEquals(input, FirmwareCodec.encode(FirmwareCodec.decodeRequest(input)), "only canonical encodings decode");
    } catch (DecodeException expected) {
      // typed rejection
    }
  }

  static void firmware(byte[] input) throws DecodeException {
    FirmwareResponse response = FirmwareCodec.decodeResponse(FIRMWARE.handle(input));
    assertTrue(FIRMWARE.haltReason().isEmpty(), () -> "halted on input: " + FIRMWARE.haltReason().get());
    assertNotNull(response);
  }

  static void response(byte[] input) {
    try {
      assertArrayEquals(input, FirmwareCodec.encode(FirmwareCodec.decodeResponse(input)), "only canonical encodings decode");
    } catch (DecodeException expected) {
      // typed rejection
    }
  }

  static void attestation(byte[] input) {
    HsmAttestation.Verification verification = HsmAttestation.verify(input);
    if (verification instanceof HsmAttestation.Verified) {
      assertArrayEquals(input, ((HsmAttestation.Verified) verification).attestation().encode());
    }
  }

  static void nvramImage(byte[] input) {
    try {
      assertArrayEquals(input, NvramImage.decode(input).encode());
    } catch (StorageException expected) {
      // typed rejection
    }
  }

  /** A transport offer verifies to a verdict for any bytes, and a verified one is its own encoding. */
  static void transportOffer(byte[] input) {
    Verdict<TransportOffer> verdict = TransportOffer.verify(input);
    assertNotNull(verdict);
    if (verdict.isVerified()) {
      assertArrayEquals(input, verdict.value().encode());
    }
  }

  static void wrappedFleetSecrets(byte[] input) {
    try {
      assertArrayEquals(input, WrappedFleetSecrets.parse(input).encode());
    } catch (DecodeException expected) {
      // malformed input is refused naming the field
    }
  }
}
