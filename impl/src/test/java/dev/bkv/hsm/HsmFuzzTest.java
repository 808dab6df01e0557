package dev.bkv.hsm;

import static dev.bkv.testsupport.FuzzSelector.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.firmware.MigrationExport;
import dev.bkv.storage.AesGcmSealer;
import dev.bkv.storage.FileVaultStorage;
import dev.bkv.storage.LogImage;
import dev.bkv.storage.LogRecord;
import dev.bkv.storage.MemoryDisk;
import dev.bkv.storage.MemoryVaultStorage;
import dev.bkv.storage.NvramImage;
import dev.bkv.storage.SealedLog;
import dev.bkv.storage.StorageException;
import dev.bkv.storage.VaultStorage;
import dev.bkv.testsupport.FuzzSelector;
import dev.bkv.tlog.Verdict;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.CommandCodec;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.SnapshotCodec;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The fuzz target of what the host can hand an HSM and what a phone decodes from one: vault
 * log entries and snapshots, firmware requests, the firmware's entry point itself, firmware
 * responses and attestations, the NVRAM image, and the key ceremony's transport offers and
 * wrapped fleet secrets, and the host's vault log segments. Decoders return a value whose encoding is their input or throw their
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
      bytes("wrappedFleetSecrets", HsmFuzzTest::wrappedFleetSecrets),
      bytes("sealedLog", HsmFuzzTest::sealedLog),
      bytes("migrationExport", HsmFuzzTest::migrationExport),
      bytes("vaultStorageSegment", HsmFuzzTest::vaultStorageSegment));

  @FuzzTest(maxDuration = "10m")
  void fuzz(FuzzedDataProvider data) throws Exception {
    fuzzerTestOneInput(data);
  }

  /** Jazzer's entry point when the campaign runs this target outside JUnit. */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) throws Exception {
    TARGETS.run(data);
  }

  /** Jazzer calls this once before a campaign starts: see {@link FuzzSelector#warmUp}. */
  public static void fuzzerInitialize() throws Exception {
    TARGETS.warmUp();
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

  /** A sealed log as the host's disk holds it, written by a real {@link SealedLog} in small segments. */
  private static final class HostDisk {
    static final byte[] KEY = new byte[32];
    static final byte[] CONTEXT = "fleet fuzz / hsm 00".getBytes(StandardCharsets.US_ASCII);
    static final SealedLog.Limits LIMITS = new SealedLog.Limits(1024, 8, 64, 1 << 20);
    static final MemoryDisk TEMPLATE = new MemoryDisk();
    static final List<LogRecord> WRITTEN = new ArrayList<>();

    static {
      try {
        SealedLog log = SealedLog.open(TEMPLATE, new AesGcmSealer(KEY, new Random(1)), CONTEXT, LIMITS);
        for (int write = 0; write < 12; write++) {
          List<LogRecord> batch = new ArrayList<>();
          for (int i = 0; i <= write % 3; i++) {
            batch.add(new LogRecord(1 + write / 4, ("entry " + (WRITTEN.size() + batch.size() + 1)).getBytes(StandardCharsets.US_ASCII)));
          }
          log.write(log.lastIndex(), batch);
          WRITTEN.addAll(batch);
        }
      } catch (StorageException e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }

  /**
   * The host's disk is untrusted: with one of the log's files replaced by fuzzed bytes
   * ({@code file (1) | bytes}), the log opens or is refused with StorageException, and every
   * entry it hands back is the one written at that index.
   */
  static void sealedLog(byte[] input) throws StorageException {
    if (input.length == 0) {
      return;
    }
    List<String> names = HostDisk.TEMPLATE.list();
    String replaced = names.get((input[0] & 0xff) % names.size());
    MemoryDisk disk = new MemoryDisk();
    for (String name : names) {
      disk.replaceAtomically(name, name.equals(replaced) ? Arrays.copyOfRange(input, 1, input.length)
          : HostDisk.TEMPLATE.read(name, Long.MAX_VALUE).orElseThrow());
    }
    LogImage image;
    try {
      image = SealedLog.open(disk, new AesGcmSealer(HostDisk.KEY, new Random(2)), HostDisk.CONTEXT, HostDisk.LIMITS).image();
    } catch (StorageException refused) {
      return;
    }
    for (int i = 0; i < image.entries().size(); i++) {
      long index = image.firstIndex() + i;
      assertTrue(index >= 1 && index <= HostDisk.WRITTEN.size(), "an entry at index " + index + " was never written");
      LogRecord written = HostDisk.WRITTEN.get((int) index - 1);
      LogRecord read = image.entries().get(i);
      assertTrue(written.term() == read.term() && Arrays.equals(written.payload(), read.payload()),
          "entry " + index + " is not the one written");
    }
  }

  /** The host's vault storage folder, holding one segment at a time. */
  private static final Path STORAGE_DIR = storageDir();
  private static final String SEGMENT = String.format("log-%020d.seg", 1);
  private static final byte[] SEGMENT_HEADER =
      ByteBuffer.allocate(16).put("BKVLOG01".getBytes(StandardCharsets.US_ASCII)).putLong(1).array();

  private static Path storageDir() {
    try {
      Path dir = Files.createTempDirectory("bkv-fuzz-vault-storage");
      // deleteOnExit cannot remove a folder that still holds the last input's segment.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (var files = Files.list(dir)) {
          for (Path p : files.toList()) {
            Files.deleteIfExists(p);
          }
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          // Best effort at exit: a temporary folder left behind is all that can go wrong.
        }
      }));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The host's vault log on an untrusted disk ({@link FileVaultStorage}): its only segment,
   * {@code log-<1>.seg}, holds the input. As spec/FORMATS.md says, a proper prefix of the
   * header {@code "BKVLOG01" || u64 1} was torn while being created and loads as nothing;
   * any other input without that header is refused as CORRUPT naming the segment; a segment
   * with it loads to entries that, framed again after the header, are the input up to the
   * torn tail the load reports.
   */
  static void vaultStorageSegment(byte[] input) throws IOException {
    Path segment = STORAGE_DIR.resolve(SEGMENT);
    try (var files = Files.list(STORAGE_DIR)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.write(segment, input);
    VaultStorage.Contents contents;
    try {
      contents = FileVaultStorage.open(STORAGE_DIR).load();
    } catch (StorageException refused) {
      assertTrue(refused.kind() == StorageException.Kind.CORRUPT && refused.getMessage().contains(SEGMENT),
          refused.getMessage());
      boolean tornHeader = input.length < SEGMENT_HEADER.length
          && Arrays.equals(input, Arrays.copyOf(SEGMENT_HEADER, input.length));
      boolean startsWithHeader = input.length >= SEGMENT_HEADER.length
          && Arrays.equals(input, 0, SEGMENT_HEADER.length, SEGMENT_HEADER, 0, SEGMENT_HEADER.length);
      assertTrue(!tornHeader && !startsWithHeader,
          "a segment starting with its header, or torn inside it, refused: " + refused.getMessage());
      return;
    }
    assertTrue(contents.snapshot().isEmpty(), "a snapshot appeared");
    if (input.length < SEGMENT_HEADER.length) {
      assertTrue(Arrays.equals(input, Arrays.copyOf(SEGMENT_HEADER, input.length)), "a short segment that is no header loaded");
      assertTrue(contents.log().isEmpty() && contents.tornTailBytes() == input.length && Files.notExists(segment),
          "a segment torn while being created was not dropped");
      return;
    }
    ByteBuffer framed = ByteBuffer.allocate(input.length).put(SEGMENT_HEADER);
    long version = 1;
    for (VaultStorage.VersionedBlob entry : contents.log()) {
      assertTrue(entry.version() == version++, "entries are not numbered from 1 on");
      framed.putInt(entry.sealed().length).put(entry.sealed());
    }
    assertArrayEquals(Arrays.copyOf(input, framed.position()), Arrays.copyOf(framed.array(), framed.position()),
        "the entries framed again are not the segment's bytes");
    assertTrue(framed.position() + contents.tornTailBytes() == input.length, "bytes neither framed nor reported torn");
  }

  private static final ServerSetup TARGET_SETUP = ServerSetup.generate(seeded(3));

  static SecureRandom seeded(int seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      return random;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A record exported by another fleet during a rotation: for this HSM it opens to what its header says, or not at all. */
  static void migrationExport(byte[] input) {
    try {
      Optional<MigrationExport.Contents> contents = MigrationExport.open(input, TARGET_SETUP);
      if (contents.isPresent()) {
        MigrationExport.Header header = MigrationExport.header(input);
        assertTrue(header.userId().equals(contents.get().userId())
            && header.registrationId().equals(contents.get().registrationId())
            && header.sourceBundle().equals(contents.get().sourceBundle()), "the header and the sealed contents disagree");
      }
    } catch (DecodeException expected) {
      // malformed input is refused naming the field
    }
  }

  /** An export sealed to {@link #TARGET_SETUP}, for the seed corpus. */
  static byte[] sampleExport() throws DecodeException {
    MigrationExport.Contents contents = new MigrationExport.Contents(
        Sha256Digest.of("source".getBytes(StandardCharsets.US_ASCII)), Sha256Digest.of("target".getBytes(StandardCharsets.US_ASCII)),
        UserId.ofUtf8("alice"), new RegistrationId(new byte[RegistrationId.BYTES]), new byte[] {1, 2, 3}, 3, 10,
        new BackupKey(new byte[32]), new byte[ServerSetup.ENCODED_BYTES]);
    return MigrationExport.seal(contents, TARGET_SETUP.serverPublicKey(), seeded(4));
  }
}
