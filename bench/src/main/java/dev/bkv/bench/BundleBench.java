package dev.bkv.bench;

import dev.bkv.bundle.BundleCheck;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.BundleVerifier;
import dev.bkv.bundle.ClientMemory;
import dev.bkv.bundle.OperatorCountersignature;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Ed25519;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.InclusionProof;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.Rfc6962;
import dev.bkv.tlog.TilePath;
import dev.bkv.tlog.Tiles;
import dev.bkv.tlog.TlogProof;
import dev.bkv.witness.WitnessService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The validation-bundle path end to end: the client's decision on a witnessed bundle (OTA and
 * pinned modes), the witness's durable append of a bundle, and the witness serving its log as
 * C2SP tiles. The witness benchmarks call {@link WitnessService#handle}, the function its HTTP
 * server wraps, on a real witness directory in {@code java.io.tmpdir}, or elsewhere with
 * {@code -jvmArgsAppend -Dbkv.bench.dir=DIR} among the JMH arguments.
 *
 * <p>Every input is checked in set-up (valid input is accepted, a flipped byte is not), and
 * every invocation checks its outcome, so no figure can be the cost of a rejection.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BundleBench {
  /** Entries in the witness log the OTA bundle is proved in; the bundle is the last. */
  static final int OTA_LOG_ENTRIES = 5000;
  /** The log size the client stored when it accepted the previous epoch (its bundle is the last entry then). */
  static final int OTA_STORED_SIZE = 1000;
  /** The client's policy: 2 of the 3 trusted cosigners, and the checkpoint carries exactly 2. */
  static final int OTA_COSIGNATURES = 2;
  /**
   * The minimum signature checks of an accepted OTA bundle: the witness signature, the log's
   * checkpoint signature and each cosignature (Ed25519), and the operator countersignature
   * (ECDSA P-256).
   */
  static final int OTA_ED25519_VERIFIES = 2 + OTA_COSIGNATURES;
  static final int OTA_ECDSA_VERIFIES = 1;
  /** Entries in the log whose tiles are served: 11 full tiles and a partial one at level 0. */
  static final int TILE_LOG_ENTRIES = 3000;

  /** A client that accepted epoch 1 at log size 1000, offered epoch 2 logged at size 5000. */
  @State(Scope.Benchmark)
  public static class Ota {
    TrustAnchors anchors;
    ClientMemory memory;
    byte[] witnessed;
    List<Hash> consistency;
    ValidationBundle pinned;
    byte[] offered;

    @Setup
    public void setUp() throws IOException {
      ValidationBundle epoch1 = BenchFixtures.bundle("fleet-a", 1, Optional.empty());
      ValidationBundle epoch2 = BenchFixtures.bundle("fleet-b", 2, Optional.of(epoch1.digest()));
      MerkleTree tree = new MerkleTree();
      appendOtherEntries(tree, OTA_STORED_SIZE - 1);
      tree.appendEntry(epoch1.toBytes());
      Checkpoint stored = new Checkpoint(BenchFixtures.LOG_ORIGIN, tree.size(), tree.root());
      appendOtherEntries(tree, OTA_LOG_ENTRIES - 1);
      long index = tree.appendEntry(epoch2.toBytes());
      Checkpoint current = new Checkpoint(BenchFixtures.LOG_ORIGIN, tree.size(), tree.root());

      TlogProof proof = new TlogProof(Optional.empty(), index, InclusionProof.generate(tree, index, tree.size()).hashes(),
          BenchFixtures.signedCheckpoint(current, OTA_COSIGNATURES, BenchFixtures.NOW_SECONDS));
      Ed25519.Signature witnessSignature = new Ed25519.Signature(BenchFixtures.bundleSigner().sign(epoch2.toBytes()));
      EcdsaP256.Signature countersignature =
          BenchFixtures.operatorKey().sign(OperatorCountersignature.message(witnessSignature));
      witnessed = WitnessedBundle.of(epoch2, witnessSignature, proof, countersignature).toBytes();
      consistency = ConsistencyProof.generate(tree, OTA_STORED_SIZE, tree.size()).hashes();
      memory = new ClientMemory(Optional.of(stored), epoch1.epoch(), Optional.of(epoch1.toBytes()));
      anchors = BenchFixtures.trustAnchors(OTA_COSIGNATURES);
      pinned = epoch2;
      offered = epoch2.toBytes();

      requireAccepted(BundleVerifier.verifyOta(anchors, memory, BenchFixtures.NOW_SECONDS, witnessed, consistency), "OTA");
      byte[] tampered = witnessed.clone();
      int digit = indexOf(tampered, "bundle-sha256 ") + "bundle-sha256 ".length();
      tampered[digit] = (byte) (tampered[digit] == '0' ? '1' : '0'); // still hex, no longer the digest
      requireRejected(BundleVerifier.verifyOta(anchors, memory, BenchFixtures.NOW_SECONDS, tampered, consistency),
          BundleCheck.DIGEST, "OTA bundle with one byte of its digest changed");
      requireRejected(BundleVerifier.verifyOta(anchors, memory, BenchFixtures.NOW_SECONDS, witnessed,
          TlogBench.withFlippedByte(new ConsistencyProof(OTA_STORED_SIZE, OTA_LOG_ENTRIES, consistency)).hashes()),
          BundleCheck.CONSISTENCY, "OTA bundle with a flipped byte in the consistency proof");
      requireAccepted(BundleVerifier.verifyPinned(pinned, offered), "pinned");
      requireRejected(BundleVerifier.verifyPinned(pinned, epoch1.toBytes()), BundleCheck.PINNED_FLEET,
          "another fleet offered to a pinned client");
    }

    private static void appendOtherEntries(MerkleTree tree, long untilSize) {
      while (tree.size() < untilSize) {
        tree.appendEntry(("another app's bundle " + tree.size() + "\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
  }

  /** A witness whose log grows by one new bundle per invocation. */
  @State(Scope.Benchmark)
  public static class DurableLog {
    WitnessLogFixture log;
    /** Entries made so far; atomic so that with several JMH threads every bundle is still new. */
    final AtomicLong appended = new AtomicLong();

    @Setup
    public void setUp() throws IOException {
      log = WitnessLogFixture.create();
      appended.set(0);
      byte[] first = log.entry(appended.getAndIncrement());
      WitnessService.Reply receipt = log.addBundle(first);
      WitnessService.Reply again = log.addBundle(first);
      if (!Arrays.equals(receipt.body(), again.body())) {
        throw new IllegalStateException("benchmark set-up: a repeated bundle must get its first receipt back");
      }
    }

    /** The next new bundle, under a lock: the witness logs epochs in order, so threads must not interleave. */
    synchronized WitnessService.Reply appendNext() {
      return log.addBundle(log.entry(appended.getAndIncrement()));
    }

    @TearDown
    public void tearDown() throws IOException {
      log.close();
    }
  }

  /** A witness log of TILE_LOG_ENTRIES bundles, and the tiles a log client fetches from it. */
  @State(Scope.Benchmark)
  public static class TiledLog {
    WitnessLogFixture log;
    String fullTile;
    String partialTile;
    String entryBundle;

    @Setup
    public void setUp() throws IOException, FormatException {
      log = WitnessLogFixture.create();
      for (int i = 0; i < TILE_LOG_ENTRIES; i++) {
        log.addBundle(log.entry(i));
      }
      long lastFull = TILE_LOG_ENTRIES / TilePath.FULL_WIDTH - 1;
      int partialWidth = TILE_LOG_ENTRIES % TilePath.FULL_WIDTH;
      fullTile = "/" + TilePath.hashes(0, lastFull, TilePath.FULL_WIDTH).format();
      partialTile = "/" + TilePath.hashes(0, lastFull + 1, partialWidth).format();
      entryBundle = "/" + TilePath.entryBundle(lastFull, TilePath.FULL_WIDTH).format();

      requireLeafHashes(serve(fullTile), lastFull * TilePath.FULL_WIDTH, TilePath.FULL_WIDTH, fullTile);
      requireLeafHashes(serve(partialTile), (lastFull + 1) * TilePath.FULL_WIDTH, partialWidth, partialTile);
      List<byte[]> entries = Tiles.decodeEntryBundle(serve(entryBundle).body(), TilePath.FULL_WIDTH);
      for (int i = 0; i < entries.size(); i++) {
        if (!Arrays.equals(entries.get(i), log.entry(lastFull * TilePath.FULL_WIDTH + i))) {
          throw new IllegalStateException("benchmark set-up: " + entryBundle + " entry " + i + " is not the logged bundle");
        }
      }
      String unfinished = "/" + TilePath.hashes(0, lastFull + 1, TilePath.FULL_WIDTH).format();
      if (log.get(unfinished).status() != 404) {
        throw new IllegalStateException("benchmark set-up: " + unfinished + " does not exist yet and must be 404");
      }
    }

    WitnessService.Reply serve(String path) {
      return WitnessLogFixture.requireOk(log.get(path), "GET " + path);
    }

    /** The tile must hold the leaf hashes of the logged entries {@code first} to {@code first + width - 1}. */
    private void requireLeafHashes(WitnessService.Reply tile, long first, int width, String path) {
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      for (int i = 0; i < width; i++) {
        expected.writeBytes(Rfc6962.leafHash(log.entry(first + i)).toBytes());
      }
      if (!Arrays.equals(tile.body(), expected.toByteArray())) {
        throw new IllegalStateException("benchmark set-up: " + path + " does not hold the logged entries' leaf hashes");
      }
    }

    @TearDown
    public void tearDown() throws IOException {
      log.close();
    }
  }

  /**
   * The OTA client's whole decision (BundleVerifier.verifyOta): parse, digest, witness
   * signature, operator countersignature, checkpoint signature, 2 of 3 cosignatures, inclusion
   * of entry 4999 in 5000, consistency from size 1000 to 5000, epoch, validity window,
   * previous-bundle chain.
   */
  @Benchmark
  public BundleVerdict verifyOta(Ota ota) {
    return requireAccepted(
        BundleVerifier.verifyOta(ota.anchors, ota.memory, BenchFixtures.NOW_SECONDS, ota.witnessed, ota.consistency),
        "OTA");
  }

  /** The pinned client offered a bundle: parse it and compare its key set with the compiled-in one. */
  @Benchmark
  public BundleVerdict verifyPinned(Ota ota) {
    return requireAccepted(BundleVerifier.verifyPinned(ota.pinned, ota.offered), "pinned");
  }

  /**
   * POST /bkv/add-bundle of a new bundle: request signed by the operator and verified by the
   * witness, bundle parsed, record appended and fsynced, checkpoint signed and atomically
   * replaced (file and directory fsynced), bundle signed, inclusion proof made.
   */
  @Benchmark
  public WitnessService.Reply appendDurable(DurableLog durable) {
    return durable.appendNext();
  }

  /** GET of the last full level-0 tile: 256 hashes, 8 KiB. */
  @Benchmark
  public WitnessService.Reply serveFullTile(TiledLog tiled) {
    return tiled.serve(tiled.fullTile);
  }

  /** GET of the partial level-0 tile at the log's right edge: 184 hashes. */
  @Benchmark
  public WitnessService.Reply servePartialTile(TiledLog tiled) {
    return tiled.serve(tiled.partialTile);
  }

  /** GET of a full entry bundle: 256 bundles read back from disk, each checked against its leaf hash. */
  @Benchmark
  public WitnessService.Reply serveEntryBundle(TiledLog tiled) {
    return tiled.serve(tiled.entryBundle);
  }

  static BundleVerdict requireAccepted(BundleVerdict verdict, String what) {
    if (!verdict.accepted()) {
      throw new IllegalStateException("benchmark input must be accepted: " + what + ": " + verdict.describe());
    }
    return verdict;
  }

  static void requireRejected(BundleVerdict verdict, BundleCheck check, String what) {
    if (!(verdict instanceof BundleVerdict.Rejected rejected) || rejected.check() != check) {
      throw new IllegalStateException("benchmark set-up: " + what + " must be rejected by " + check.specName()
          + ", got " + verdict.describe());
    }
  }

  private static int indexOf(byte[] bytes, String text) {
    byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i + needle.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new IllegalArgumentException("benchmark set-up: no '" + text + "' in the witnessed bundle");
  }
}
