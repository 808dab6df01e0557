package dev.bkv.tlog;

import static dev.bkv.testsupport.FuzzSelector.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.crypto.Ed25519;
import dev.bkv.testsupport.FuzzSelector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fuzz target of the transparency log area: signed notes, checkpoints, tlog-proofs, note
 * keys, tile paths and entry bundles, and the proof verifiers. A decoder either returns a
 * value that re-encodes to something it decodes to the same value, or throws {@link
 * FormatException}; nothing else, and verifiers given the result return a verdict.
 *
 * <p>The first input byte picks the decoder ({@link FuzzSelector}); the normal build replays
 * {@code src/test/resources/dev/bkv/tlog/TlogFuzzTestInputs/fuzz/}; {@code impl/fuzz/campaign.sh}
 * fuzzes for real.
 */
public class TlogFuzzTest {
  private static final Ed25519Note.Signer KEY =
      new Ed25519Note.Signer("fuzz.example/log", Ed25519.PrivateKey.fromSeed(new byte[32]));
  private static final VerifierSet KEYS = VerifierSet.of(KEY.verifier());

  /** Append only: a seed's first byte is its decoder's position here. */
  static final FuzzSelector TARGETS = FuzzSelector.of(
      bytes("signedNote", TlogFuzzTest::signedNote),
      bytes("checkpoint", TlogFuzzTest::checkpoint),
      bytes("tlogProof", TlogFuzzTest::tlogProof),
      bytes("verifierKey", TlogFuzzTest::verifierKey),
      bytes("tilePathAndEntryBundle", TlogFuzzTest::tilePathAndEntryBundle),
      bytes("proofsFromFuzzedHashes", TlogFuzzTest::proofsFromFuzzedHashes),
      bytes("verifierSet", TlogFuzzTest::verifierSet),
      bytes("signerKey", TlogFuzzTest::signerKey),
      bytes("tileClient", TlogFuzzTest::tileClient));

  /** Logs a client reads through tiles, and the paths of every tile each one serves. */
  private static final int[] TREE_SIZES = {1, 7, 256, 300, 513};
  private static final List<TestLogs.TileServer> SERVERS = new ArrayList<>();
  private static final List<List<String>> TILE_PATHS = new ArrayList<>();

  static {
    for (int size : TREE_SIZES) {
      TestLogs.TileServer server = new TestLogs.TileServer(TestLogs.entries(size, size));
      try {
        read(server, new Checkpoint("fuzz.example/log", size, server.tree.rootHash(size)));
      } catch (IOException e) {
        throw new ExceptionInInitializerError(e);
      }
      SERVERS.add(server);
      TILE_PATHS.add(server.fetches.keySet().stream().sorted().toList());
    }
  }

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

  static void signedNote(byte[] input) {
    try {
      SignedNote note = SignedNote.parse(input);
      assertEquals(note, SignedNote.parse(note.toBytes()));
      assertNotNull(note.open(KEYS));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  static void checkpoint(byte[] input) {
    try {
      Checkpoint checkpoint = Checkpoint.parse(new String(input, StandardCharsets.UTF_8));
      assertEquals(checkpoint, Checkpoint.parse(checkpoint.text()));
      SignedNote signed = SignedNote.sign(checkpoint.text(), List.of(KEY));
      assertTrue(CheckpointPolicy.logOnly(checkpoint.origin(), KEY.verifier()).verify(signed).isVerified());
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  static void tlogProof(byte[] input) {
    try {
      TlogProof proof = TlogProof.parse(input);
      TlogProof again = TlogProof.parse(proof.toBytes());
      assertEquals(proof.index(), again.index());
      assertEquals(proof.proof(), again.proof());
      assertEquals(proof.checkpoint(), again.checkpoint());
      assertNotNull(proof.verify(Rfc6962.leafHash(input), CheckpointPolicy.logOnly("fuzz.example/log", KEY.verifier())));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  static void verifierKey(byte[] input) {
    try {
      NoteVerifier key = NoteKeys.parseVerifierKey(new String(input, StandardCharsets.UTF_8));
      assertEquals(key.vkey(), NoteKeys.parseVerifierKey(key.vkey()).vkey());
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  static void tilePathAndEntryBundle(byte[] input) {
    try {
      TilePath path = TilePath.parse(new String(input, StandardCharsets.UTF_8));
      assertEquals(path, TilePath.parse(path.format()));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
    int count = input.length == 0 ? 1 : 1 + (input[0] & 0xff);
    try {
      List<byte[]> entries = Tiles.decodeEntryBundle(input, count);
      assertArrayEquals(input, Tiles.encodeEntryBundle(entries));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  /** Any sizes and any hashes: the verifiers return a verdict and never throw. */
  static void proofsFromFuzzedHashes(byte[] input) {
    long a = input.length > 8 ? ByteBuffer.wrap(input, 0, 8).getLong() : input.length;
    long b = input.length > 16 ? ByteBuffer.wrap(input, 8, 8).getLong() : 2L * input.length;
    List<Hash> hashes = new ArrayList<>();
    for (int at = 16; at + Hash.BYTES <= input.length && hashes.size() < 70; at += Hash.BYTES) {
      hashes.add(new Hash(Arrays.copyOfRange(input, at, at + Hash.BYTES)));
    }
    Hash h = Rfc6962.leafHash(input);
    assertNotNull(new InclusionProof(a, b, hashes).verify(h, h));
    assertNotNull(new ConsistencyProof(a, b, hashes).verify(h, h));
  }

  /** A file of vkeys (the witness's known logs, an operator's witness keys): every key it holds re-parses alike. */
  static void verifierSet(byte[] input) {
    try {
      VerifierSet set = VerifierSet.parseVkeys(new String(input, StandardCharsets.UTF_8));
      assertTrue(set.size() <= VerifierSet.KEYS_MAX);
      StringBuilder again = new StringBuilder();
      for (NoteVerifier v : set.verifiers()) {
        again.append(v.vkey()).append('\n');
      }
      assertEquals(set.size(), VerifierSet.parseVkeys(again.toString()).size());
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  /** A secret key file: it decodes to a signer of its type, or is refused; the two types never mix. */
  static void signerKey(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    boolean note = false;
    try {
      Ed25519Note.Signer signer = NoteKeys.parseNoteSigner(text);
      assertNotNull(signer.verifier().vkey());
      note = true;
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
    try {
      CosignatureV1.Signer cosigner = NoteKeys.parseCosigner(text);
      assertTrue(!note, "one skey decodes as both a note key and a cosigner key");
      assertNotNull(cosigner.verifier().vkey());
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  /**
   * A log's tiles as the untrusted witness serves them, one replaced by fuzzed bytes
   * ({@code tree (1) | tile (1) | bytes}): whatever a client accepts is the log's truth (its
   * root, its entries, its inclusion proofs), and anything else is a rejection or an
   * IOException, the refusal of a tile that cannot be read.
   */
  static void tileClient(byte[] input) {
    if (input.length < 2) {
      return;
    }
    int tree = (input[0] & 0xff) % TREE_SIZES.length;
    List<String> paths = TILE_PATHS.get(tree);
    String path = paths.get((input[1] & 0xff) % paths.size());
    TestLogs.TileServer truth = SERVERS.get(tree);
    TestLogs.TileServer served = new TestLogs.TileServer(truth.entries);
    served.overrides.put(path, Arrays.copyOfRange(input, 2, input.length));
    try {
      read(served, new Checkpoint("fuzz.example/log", truth.tree.size(), truth.tree.rootHash(truth.tree.size())));
    } catch (IOException refused) {
      // a tile that cannot be read is refused as the fetcher's failure
    }
  }

  /** Reads a whole log through tiles and checks each verified answer against the tree. */
  private static void read(TestLogs.TileServer server, Checkpoint checkpoint) throws IOException {
    TileClient client = new TileClient(server, checkpoint);
    Verdict<Hash> root = client.checkRoot();
    if (root.isVerified()) {
      assertEquals(checkpoint.rootHash(), root.value());
    }
    for (long bundle = 0; bundle * TilePath.FULL_WIDTH < checkpoint.size(); bundle++) {
      Verdict<List<byte[]>> entries = client.entryBundle(bundle);
      if (entries.isVerified()) {
        for (int i = 0; i < entries.value().size(); i++) {
          assertArrayEquals(server.entries.get((int) (bundle * TilePath.FULL_WIDTH) + i), entries.value().get(i),
              "a tampered tile passed as entry " + (bundle * TilePath.FULL_WIDTH + i));
        }
      }
    }
    long last = checkpoint.size() - 1;
    Verdict<InclusionProof> proof = client.inclusionProof(last, Rfc6962.leafHash(server.entries.get((int) last)));
    Verdict<InclusionProof> forged = client.inclusionProof(last, Rfc6962.leafHash(new byte[] {1}));
    assertTrue(!forged.isVerified(), "an entry not in the log was proved included");
    assertNotNull(proof);
  }
}
