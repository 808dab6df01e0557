package dev.bkv.bench;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.Ed25519;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.FormatException;
import dev.bkv.witness.BundleSubmission;
import dev.bkv.witness.CrashPoints;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A real witness in a temporary directory, for the benchmarks of its durable append and its
 * tile serving, and the distinct bundles it logs. The directory is under {@code bkv.bench.dir}
 * (a system property; default {@code java.io.tmpdir}): the fsync cost measured is that
 * file system's.
 */
final class WitnessLogFixture implements AutoCloseable {
  /** The first logged entry's epoch: seven digits, so every entry has the same length. */
  static final long FIRST_EPOCH = 1_000_000;
  /** Entries before the epoch number would need an eighth digit. */
  static final long ENTRIES_MAX = 9_000_000;

  private static final byte[] EMPTY = new byte[0];
  /** The operator whose signed bundles the fixture submits, registered with the witness. */
  private static final Ed25519Note.Signer OPERATOR =
      new Ed25519Note.Signer(BenchFixtures.NAMESPACE, Ed25519.PrivateKey.fromSeed(new byte[Ed25519.SEED_BYTES]));

  final Path dir;
  final Witness witness;
  final WitnessService service;
  private final byte[] beforeEpoch;
  private final byte[] afterEpoch;

  private WitnessLogFixture(Path dir, Witness witness, byte[] beforeEpoch, byte[] afterEpoch) {
    this.dir = dir;
    this.witness = witness;
    this.service = witness.service();
    this.beforeEpoch = beforeEpoch;
    this.afterEpoch = afterEpoch;
  }

  /** Creates a witness with fresh keys in a new temporary directory and opens it. */
  static WitnessLogFixture create() throws IOException {
    Path base = Path.of(System.getProperty("bkv.bench.dir", System.getProperty("java.io.tmpdir")));
    Path dir = Files.createTempDirectory(base, "bkv-bench-witness");
    Witness witness;
    try {
      Witness.init(dir, BenchFixtures.WITNESS_NAME, BenchFixtures.LOG_ORIGIN, new SecureRandom());
      // Every clock read is a minute later, so the per-operator rate limit never binds: what
      // is measured is the witness's work, not a 429.
      AtomicLong minutes = new AtomicLong();
      witness = Witness.open(dir, () -> BenchFixtures.NOW_SECONDS + 60 * minutes.getAndIncrement(), CrashPoints.NONE);
      witness.operators().add(OPERATOR.verifier().vkey());
    } catch (IOException | FormatException | RuntimeException e) {
      deleteTree(dir);
      throw new IOException("benchmark set-up: cannot create a witness in " + dir + ": " + e.getMessage(), e);
    }
    // A real bundle's bytes with its epoch number cut out: entries are as long as a 5-HSM
    // bundle and all distinct (the log would return the existing receipt for a repeat).
    String text = new String(BenchFixtures.bundle("fleet-b", 2, Optional.of(
        BenchFixtures.bundle("fleet-a", 1, Optional.empty()).digest())).toBytes(), StandardCharsets.US_ASCII);
    int epochAt = text.indexOf("\nepoch ") + "\nepoch ".length();
    int epochEnd = text.indexOf('\n', epochAt);
    return new WitnessLogFixture(dir, witness, text.substring(0, epochAt).getBytes(StandardCharsets.US_ASCII),
        text.substring(epochEnd).getBytes(StandardCharsets.US_ASCII));
  }

  /** The {@code sequence}-th distinct entry, 0-based. */
  byte[] entry(long sequence) {
    if (sequence < 0 || sequence >= ENTRIES_MAX) {
      throw new IllegalArgumentException("entry sequence must be in [0, " + ENTRIES_MAX + "), got " + sequence);
    }
    byte[] epoch = Long.toString(FIRST_EPOCH + sequence).getBytes(StandardCharsets.US_ASCII);
    return Bytes.concat(beforeEpoch, epoch, afterEpoch);
  }

  /**
   * POST /bkv/add-bundle, exactly as the witness's HTTP server calls it, with the request
   * signed by the registered operator (the signing is part of what a caller measures).
   * Entries must be submitted in sequence order: the witness logs epochs in order only.
   */
  WitnessService.Reply addBundle(byte[] bundle) {
    byte[] request = BundleSubmission.sign(bundle, BenchFixtures.LOG_ORIGIN, OPERATOR);
    return requireOk(service.handle("POST", "/bkv/add-bundle", request), "POST /bkv/add-bundle");
  }

  /** GET of a tile path such as {@code /tile/0/010}. */
  WitnessService.Reply get(String path) {
    return service.handle("GET", path, EMPTY);
  }

  static WitnessService.Reply requireOk(WitnessService.Reply reply, String what) {
    if (reply.status() != 200) {
      throw new IllegalStateException(what + " must succeed, got " + reply.status() + ": " + reply.bodyText());
    }
    return reply;
  }

  @Override
  public void close() throws IOException {
    try {
      witness.close();
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
      for (Path p : deepestFirst) {
        Files.deleteIfExists(p);
      }
    }
  }
}
