package dev.bkv.tlog;

import static dev.bkv.tlog.NoteLimitsTest.LOG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The tlog-proof file's rules one by one (each limit at the bound and one past it, each
 * header line), tile paths and entry bundles at their bounds, and the tile client's
 * refusals and tile cache.
 */
class ProofAndTileLimitsTest {
  static final List<byte[]> ENTRIES = TestLogs.entries(5, 3);
  static final MerkleTree TREE = TestLogs.tree(ENTRIES);
  static final SignedNote CHECKPOINT =
      SignedNote.sign(new Checkpoint("example.com/log", 5, TREE.root()).text(), List.of(LOG));
  static final CheckpointPolicy POLICY = CheckpointPolicy.logOnly("example.com/log", LOG.verifier());

  static TlogProof proofOf(int index, Optional<byte[]> extra) throws IOException {
    return new TlogProof(extra, index, InclusionProof.generate(TREE, index, 5).hashes(), CHECKPOINT);
  }

  static String refusal(org.junit.jupiter.api.function.Executable build) {
    return assertThrows(IllegalArgumentException.class, build).getMessage();
  }

  static String parseMessage(String proof) {
    return parseMessage(proof.getBytes(StandardCharsets.UTF_8));
  }

  static String parseMessage(byte[] proof) {
    return assertThrows(FormatException.class, () -> TlogProof.parse(proof)).getMessage();
  }

  @Test
  void aProofWithExtraDataRoundTripsAndVerifies() throws Exception {
    TlogProof proof = proofOf(3, Optional.of(new byte[] {1, 2, 3}));
    assertTrue(proof.format().startsWith(TlogProof.HEADER + "\nextra AQID\nindex 3\n"), proof.format());
    TlogProof parsed = TlogProof.parse(proof.toBytes());
    assertArrayEquals(new byte[] {1, 2, 3}, parsed.extra().orElseThrow());
    assertArrayEquals(proof.toBytes(), parsed.toBytes());
    assertEquals(5, TlogProof.verify(proof.toBytes(), ENTRIES.get(3), POLICY).value().checkpoint().size());
    assertFalse(TlogProof.verify(proof.toBytes(), ENTRIES.get(2), POLICY).isVerified());
    assertEquals("malformed tlog-proof: tlog-proof must start with " + TlogProof.HEADER,
        TlogProof.verify("x\n\n".getBytes(StandardCharsets.UTF_8), ENTRIES.get(3), POLICY).reasonOrEmpty());
  }

  @Test
  void aProofHasANonNegativeIndex_atMost63Hashes_andExtraOf1To4096Bytes() throws Exception {
    List<Hash> hashes = proofOf(0, Optional.empty()).proof();
    assertEquals(0, new TlogProof(Optional.empty(), 0, hashes, CHECKPOINT).index());
    assertEquals("entry index must not be negative: -1", refusal(() -> new TlogProof(Optional.empty(), -1, hashes, CHECKPOINT)));
    List<Hash> longest = Collections.nCopies(InclusionProof.HASHES_MAX, Rfc6962.EMPTY_ROOT);
    assertEquals(63, new TlogProof(Optional.empty(), 0, longest, CHECKPOINT).proof().size());
    List<Hash> tooLong = Collections.nCopies(InclusionProof.HASHES_MAX + 1, Rfc6962.EMPTY_ROOT);
    assertEquals("inclusion proof longer than 63 hashes", refusal(() -> new TlogProof(Optional.empty(), 0, tooLong, CHECKPOINT)));
    String extraRule = "extra data must be 1 to 4096 bytes";
    assertEquals(extraRule, refusal(() -> new TlogProof(Optional.of(new byte[0]), 0, hashes, CHECKPOINT)));
    assertEquals(extraRule, refusal(() -> new TlogProof(Optional.of(new byte[4097]), 0, hashes, CHECKPOINT)));
    assertEquals(4096, new TlogProof(Optional.of(new byte[4096]), 0, hashes, CHECKPOINT).extra().orElseThrow().length);
  }

  /** The proof file with {@code header} lines (header line first) above the checkpoint note. */
  static String file(String header) {
    return header + "\n\n" + CHECKPOINT.format();
  }

  @Test
  void eachHeaderLineIsChecked() throws Exception {
    String h = TlogProof.HEADER;
    assertEquals("tlog-proof must start with " + h, parseMessage(file("c2sp.org/tlog-proof@v2\nindex 0")));
    assertEquals("tlog-proof needs an index line", parseMessage(file(h)));
    assertEquals("tlog-proof needs an index line", parseMessage(file(h + "\nnumber 0")));
    assertEquals("tlog-proof needs an index line", parseMessage(file(h + "\nextra AQID")));
    assertEquals("tlog-proof must start with " + h, parseMessage(file("")), "a blank first line");
    assertEquals("tlog-proof has no blank line before its checkpoint", parseMessage(h + "\nindex 0\n"));
    assertEquals("tlog-proof has no blank line before its checkpoint", parseMessage(h + "\n"));
    assertEquals(0, TlogProof.parse(file(h + "\nindex 0").getBytes(StandardCharsets.UTF_8)).proof().size());
  }

  @Test
  void headerLinesArePrintableAscii() throws Exception {
    String h = TlogProof.HEADER;
    String rule = "tlog-proof header lines must be printable ASCII";
    assertEquals(rule, parseMessage(file(h + "\nindex 0\u001f")));
    assertEquals(rule, parseMessage(file(h + "\nindex 0\u007f")));
    assertEquals(rule, parseMessage(file("\u0000" + h + "\nindex 0")));
    assertEquals("entry index must be decimal digits only", parseMessage(file(h + "\nindex 0 ~")), "space and tilde pass");
  }

  @Test
  void extraDataIsAtMost4096Bytes() throws Exception {
    String h = TlogProof.HEADER;
    String atMax = Base64Text.encode(new byte[TlogProof.EXTRA_BYTES_MAX]);
    assertEquals(4096, TlogProof.parse(file(h + "\nextra " + atMax + "\nindex 0").getBytes(StandardCharsets.UTF_8))
        .extra().orElseThrow().length);
    String over = Base64Text.encode(new byte[TlogProof.EXTRA_BYTES_MAX + 1]);
    assertEquals("extra data is longer than 4096 bytes", parseMessage(file(h + "\nextra " + over + "\nindex 0")));
  }

  @Test
  void theProofHoldsAtMost63Hashes() throws Exception {
    String h = TlogProof.HEADER;
    String hash = Rfc6962.EMPTY_ROOT.toBase64();
    String longest = file(h + "\nindex 0" + ("\n" + hash).repeat(InclusionProof.HASHES_MAX));
    assertEquals(63, TlogProof.parse(longest.getBytes(StandardCharsets.UTF_8)).proof().size());
    String tooLong = file(h + "\nindex 0" + ("\n" + hash).repeat(InclusionProof.HASHES_MAX + 1));
    assertEquals("inclusion proof has more than 63 hashes", parseMessage(tooLong));
  }

  @Test
  void aProofFileIsAtMostProofBytesMax() {
    byte[] atMax = new byte[TlogProof.PROOF_BYTES_MAX];
    java.util.Arrays.fill(atMax, (byte) 'a');
    assertEquals("tlog-proof has no blank line before its checkpoint", parseMessage(atMax));
    byte[] over = new byte[TlogProof.PROOF_BYTES_MAX + 1];
    assertEquals("tlog-proof is " + over.length + " bytes, more than " + TlogProof.PROOF_BYTES_MAX, parseMessage(over));
  }

  // ---- tile paths and entry bundles

  @Test
  void tilePathFieldsAreInRange() {
    assertEquals("tile/63/000", TilePath.hashes(63, 0, 256).format());
    assertTrue(refusal(() -> TilePath.hashes(64, 0, 256)).startsWith("tile level must be in [0, 63]"));
    assertTrue(refusal(() -> TilePath.hashes(-1, 0, 256)).startsWith("tile level must be in [0, 63]"));
    assertTrue(refusal(() -> new TilePath(true, 1, 0, 256)).startsWith("tile level must be in [0, 63]"));
    assertEquals(TilePath.INDEX_MAX, TilePath.hashes(0, TilePath.INDEX_MAX, 256).index());
    assertEquals("tile index out of range: -1", refusal(() -> TilePath.hashes(0, -1, 256)));
    assertEquals("tile index out of range: " + (TilePath.INDEX_MAX + 1), refusal(() -> TilePath.hashes(0, TilePath.INDEX_MAX + 1, 256)));
    assertEquals("tile width must be in [1, 256], got 0", refusal(() -> TilePath.hashes(0, 0, 0)));
    assertEquals("tile width must be in [1, 256], got 257", refusal(() -> TilePath.hashes(0, 0, 257)));
    assertEquals("tile/0/000.p/1", TilePath.hashes(0, 0, 1).format());
  }

  static String pathMessage(String path) {
    return assertThrows(FormatException.class, () -> TilePath.parse(path), path).getMessage();
  }

  @Test
  void tilePathParsingChecksEachPart() throws FormatException {
    String longest = "tile/1/x001/x002/x003/x004/x005/x006/x007/x008/x009/x010/x011/00";
    assertEquals(64, longest.length());
    assertTrue(pathMessage(longest).startsWith("tile index must be 3-digit groups"), "at the bound the path is read");
    assertTrue(pathMessage(longest + "0").startsWith("tile path must start with tile/"));
    assertTrue(pathMessage("tiles/0/000").startsWith("tile path must start with tile/"));
    assertEquals(TilePath.hashes(0, 0, 1), TilePath.parse("tile/0/000.p/1"));
    assertEquals(TilePath.hashes(0, 0, 255), TilePath.parse("tile/0/000.p/255"));
    assertEquals("partial tile width must be in [1, 255]", pathMessage("tile/0/000.p/256"));
    assertEquals("partial tile width must be in [1, 255]", pathMessage("tile/0/000.p/0"));
    assertEquals(TilePath.entryBundle(0, 7), TilePath.parse("tile/entries/000.p/7"));
    assertEquals("tile path needs a level and an index", pathMessage("tile/0"));
    assertEquals("tile path needs a level and an index", pathMessage("tile/.p/5"), "the width is cut off first");
    assertEquals("tile level must be 1 to 19 decimal digits", pathMessage("tile//000"), "an empty level is read as a level");
    assertEquals(TilePath.hashes(63, 1, 256), TilePath.parse("tile/63/001"));
    assertEquals("tile level must be at most 63", pathMessage("tile/64/001"));
    assertEquals("tile index has a leading zero group", pathMessage("tile/0/x000/001"));
    assertEquals(TilePath.hashes(0, 1_000, 256), TilePath.parse("tile/0/x001/000"));
    assertTrue(pathMessage("tile/0/y001/000").startsWith("tile index must be 3-digit groups"));
    assertTrue(pathMessage("tile/0/x01/000").startsWith("tile index must be 3-digit groups"));
    assertTrue(pathMessage("tile/0/x001/0a0").startsWith("tile index must be 3-digit groups"));
    assertTrue(pathMessage("tile/0/x001/0:0").startsWith("tile index must be 3-digit groups"));
    assertTrue(pathMessage("tile/0/x001/0/0").startsWith("tile index must be 3-digit groups"));
    String max = TilePath.hashes(0, TilePath.INDEX_MAX, 256).format();
    assertEquals(TilePath.INDEX_MAX, TilePath.parse(max).index());
    assertTrue(max.endsWith("/967"), max);
    String overMax = max.substring(0, max.length() - 3) + "968";
    assertEquals("tile index is out of range", pathMessage(overMax));
  }

  @Test
  void tilesExistOnlyWhenAllTheirHashesDo() {
    assertTrue(Tiles.exists(TilePath.hashes(0, 0, 5), 5));
    assertFalse(Tiles.exists(TilePath.hashes(0, 0, 6), 5));
    assertTrue(Tiles.exists(TilePath.hashes(0, 1, 256), 512));
    assertFalse(Tiles.exists(TilePath.hashes(0, 2, 1), 512));
    assertTrue(Tiles.exists(TilePath.hashes(1, 0, 2), 512));
    assertEquals(0, Tiles.hashesAtLevel(8, Long.MAX_VALUE));
    assertEquals(Long.MAX_VALUE >> 56, Tiles.hashesAtLevel(7, Long.MAX_VALUE));
    assertFalse(Tiles.exists(TilePath.hashes(8, 0, 1), Long.MAX_VALUE));
    assertEquals("tree of size 5 has no tile tile/entries/000.p/5",
        refusal(() -> Tiles.hashTile(TREE, TilePath.entryBundle(0, 5))));
    assertEquals("tree of size 5 has no tile tile/0/000.p/6",
        refusal(() -> Tiles.hashTile(TREE, TilePath.hashes(0, 0, 6))));
  }

  @Test
  void entryBundlesHold1To256EntriesOfAtMost65535Bytes() throws FormatException {
    List<byte[]> full = Collections.nCopies(256, new byte[] {7});
    assertEquals(256, Tiles.decodeEntryBundle(Tiles.encodeEntryBundle(full), 256).size());
    assertThrows(IllegalArgumentException.class, () -> Tiles.encodeEntryBundle(Collections.nCopies(257, new byte[1])));
    assertThrows(IllegalArgumentException.class, () -> Tiles.encodeEntryBundle(List.of()));
    byte[] longest = new byte[Tiles.ENTRY_BYTES_MAX];
    longest[Tiles.ENTRY_BYTES_MAX - 1] = 9;
    assertArrayEquals(longest, Tiles.decodeEntryBundle(Tiles.encodeEntryBundle(List.of(longest)), 1).get(0));
    byte[] one = Tiles.encodeEntryBundle(List.of(new byte[] {1}));
    assertEquals("entry bundle count must be in [1, 256], got 0",
        assertThrows(FormatException.class, () -> Tiles.decodeEntryBundle(one, 0)).getMessage());
    assertEquals("entry bundle count must be in [1, 256], got 257",
        assertThrows(FormatException.class, () -> Tiles.decodeEntryBundle(one, 257)).getMessage());
    assertEquals("entry bundle has bytes after its 1 entries",
        assertThrows(FormatException.class, () -> Tiles.decodeEntryBundle(new byte[] {0, 0, 0, 0}, 1)).getMessage());
    assertEquals("entry bundle ends inside a length prefix",
        assertThrows(FormatException.class, () -> Tiles.decodeEntryBundle(new byte[] {0, 0, 0}, 2)).getMessage());
    assertEquals(2, Tiles.decodeEntryBundle(new byte[] {0, 0, 0, 0}, 2).size());
    byte[] atMax = new byte[Tiles.BUNDLE_BYTES_MAX];
    assertEquals("entry bundle has bytes after its 1 entries",
        assertThrows(FormatException.class, () -> Tiles.decodeEntryBundle(atMax, 1)).getMessage());
    assertEquals("entry bundle is longer than " + Tiles.BUNDLE_BYTES_MAX + " bytes",
        assertThrows(FormatException.class, () -> Tiles.decodeEntryBundle(new byte[Tiles.BUNDLE_BYTES_MAX + 1], 1))
            .getMessage());
  }

  // ---- the tile client

  @Test
  void theClientRefusesNodesAndEntriesOutsideItsTree() throws IOException {
    TestLogs.TileServer server = new TestLogs.TileServer(TestLogs.entries(300, 4));
    TileClient client = new TileClient(server, new Checkpoint("example.com/log", 300, server.tree.root()));
    assertEquals(300, client.checkpoint().size());
    assertEquals(server.tree.node(0, 299), client.node(0, 299));
    assertEquals(server.tree.node(8, 0), client.node(8, 0));
    assertEquals(server.tree.node(3, 36), client.node(3, 36));
    assertEquals(server.tree.node(5, 8), client.node(5, 8));
    assertThrows(IllegalArgumentException.class, () -> client.node(0, 300));
    assertThrows(IllegalArgumentException.class, () -> client.node(0, -1));
    assertThrows(IllegalArgumentException.class, () -> client.node(-1, 0));
    assertEquals("no complete subtree at level 63 index 0", refusal(() -> client.node(63, 0)));
    assertEquals("no complete subtree at level 64 index 0", refusal(() -> client.node(64, 0)));
    assertEquals("no complete subtree at level 9 index 0", refusal(() -> client.node(9, 0)));
    Hash leaf = Rfc6962.leafHash(server.entries.get(299));
    assertEquals(InclusionProof.generate(server.tree, 299, 300).hashes(), client.inclusionProof(299, leaf).value().hashes());
    assertEquals("entry 300 is not below tree size 300", client.inclusionProof(300, leaf).reasonOrEmpty());
    assertEquals("entry -1 is not below tree size 300", client.inclusionProof(-1, leaf).reasonOrEmpty());
    assertEquals("tree of size 300 has no entry bundle 2", client.entryBundle(2).reasonOrEmpty());
  }

  @Test
  void theHighestNodeALogCanHoldIsReadFromItsTile() throws IOException {
    // A tree of 2^62 leaves: its node at level 62 is the root of the 64 hashes of tile 7/000.p/64.
    MerkleTree top = new MerkleTree();
    for (int i = 0; i < 64; i++) {
      top.append(Rfc6962.leafHash(new byte[] {(byte) i}));
    }
    byte[] tile = new byte[64 * Hash.BYTES];
    for (int i = 0; i < 64; i++) {
      System.arraycopy(top.node(0, i).toBytes(), 0, tile, i * Hash.BYTES, Hash.BYTES);
    }
    List<String> fetched = new ArrayList<>();
    TileFetcher fetcher = (path, bytesMax) -> {
      fetched.add(path);
      return tile;
    };
    TileClient client = new TileClient(fetcher, new Checkpoint("example.com/log", 1L << 62, top.root()));
    assertEquals(top.root(), client.node(62, 0));
    assertEquals(List.of("tile/7/000.p/64"), fetched);
  }

  @Test
  void aMalformedEntryBundleIsRejectedNamingItsPath() throws IOException {
    TestLogs.TileServer server = new TestLogs.TileServer(TestLogs.entries(300, 4));
    server.overrides.put("tile/entries/000", new byte[] {0});
    TileClient client = new TileClient(server, new Checkpoint("example.com/log", 300, server.tree.root()));
    String reason = client.entryBundle(0).reasonOrEmpty();
    assertTrue(reason.startsWith("tile/entries/000: "), reason);
    assertTrue(client.entryBundle(1).isVerified(), "the other bundle is served as it is");
  }

  @Test
  void aProofNamesItsCheckpointsOriginAndAPolicyRefusalIsItsVerdict() throws Exception {
    TlogProof proof = proofOf(3, Optional.empty());
    assertEquals("example.com/log", proof.checkpointOrigin());
    CheckpointPolicy other = CheckpointPolicy.logOnly("example.com/other", LOG.verifier());
    String refused = other.verify(CHECKPOINT).reasonOrEmpty();
    assertFalse(refused.isEmpty());
    assertEquals(refused, proof.verify(Rfc6962.leafHash(ENTRIES.get(3)), other).reasonOrEmpty());
  }

  @Test
  void consistencyProofsNeedAnOlderNonEmptyCheckpoint() throws IOException {
    TestLogs.TileServer server = new TestLogs.TileServer(TestLogs.entries(300, 4));
    TileClient client = new TileClient(server, new Checkpoint("example.com/log", 300, server.tree.root()));
    Checkpoint same = new Checkpoint("example.com/log", 300, server.tree.root());
    assertTrue(client.consistencyProof(same).isVerified());
    Checkpoint older = new Checkpoint("example.com/log", 100, server.tree.rootHash(100));
    assertEquals(ConsistencyProof.generate(server.tree, 100, 300).hashes(), client.consistencyProof(older).value().hashes());
    Checkpoint newer = new Checkpoint("example.com/log", 301, server.tree.root());
    assertEquals("older checkpoint size 301 exceeds 300", client.consistencyProof(newer).reasonOrEmpty());
    Checkpoint empty = new Checkpoint("example.com/log", 0, Rfc6962.EMPTY_ROOT);
    assertEquals("no consistency proof exists from the empty tree; check the root instead",
        client.consistencyProof(empty).reasonOrEmpty());
  }

  @Test
  void theClientFetchesAndVerifiesTheCheckpoint() throws IOException {
    TestLogs.TileServer server = new TestLogs.TileServer(ENTRIES);
    server.overrides.put("checkpoint", CHECKPOINT.toBytes());
    assertEquals(5, TileClient.fetchCheckpoint(server, POLICY).value().checkpoint().size());
  }

  @Test
  void aTileIsFetchedOnceThenServedFromTheCache() throws IOException {
    TestLogs.TileServer server = new TestLogs.TileServer(TestLogs.entries(300, 4));
    TileClient client = new TileClient(server, new Checkpoint("example.com/log", 300, server.tree.root()));
    client.node(0, 1);
    client.node(0, 2);
    assertEquals(1, server.fetches.get("tile/0/000"));
  }

  @Test
  void theCacheKeepsTheMostRecentTilesCachedMaxTiles() throws IOException {
    int tiles = TileClient.TILES_CACHED_MAX + 1;
    CountingLeaves leaves = new CountingLeaves(tiles * 256L);
    TileClient client = new TileClient(leaves, new Checkpoint("example.com/log", tiles * 256L, Rfc6962.EMPTY_ROOT));
    // Leaf t * 256 is the first hash of level-0 tile t.
    for (int t = 0; t < TileClient.TILES_CACHED_MAX; t++) {
      client.node(0, t * 256L);
    }
    client.node(0, 0);
    assertEquals(1, leaves.fetches("tile/0/000"), "all " + TileClient.TILES_CACHED_MAX + " tiles stay cached");
    client.node(0, TileClient.TILES_CACHED_MAX * 256L);
    assertEquals(1, leaves.fetches("tile/0/x001/024"));
    client.node(0, 0);
    assertEquals(1, leaves.fetches("tile/0/000"), "the tile read last is kept");
    client.node(0, 256);
    assertEquals(2, leaves.fetches("tile/0/001"), "the least recently read tile was dropped");
  }

  @Test
  void theClientBoundsEachFetchByWhatItAsksFor_andNamesAWrongLength() throws IOException {
    CountingLeaves leaves = new CountingLeaves(512);
    TileClient client = new TileClient(leaves, new Checkpoint("example.com/log", 512, Rfc6962.EMPTY_ROOT));
    client.node(0, 0);
    assertEquals(256 * Hash.BYTES, leaves.bytesMax.get("tile/0/000"));
    client.entryBundle(1);
    assertEquals(Tiles.BUNDLE_BYTES_MAX, leaves.bytesMax.get("tile/entries/001"));
    TestLogs.TileServer server = new TestLogs.TileServer(TestLogs.entries(300, 1));
    server.overrides.put("tile/0/000", new byte[31]);
    TileClient shortTile = new TileClient(server, new Checkpoint("example.com/log", 300, server.tree.root()));
    assertEquals("tile/0/000 has 31 bytes, expected 8192",
        assertThrows(IOException.class, () -> shortTile.node(0, 3)).getMessage());
  }

  /** Serves tiles of hashes derived from the tile index alone, counting fetches; no tree is built. */
  static final class CountingLeaves implements TileFetcher {
    final java.util.Map<String, Integer> fetched = new java.util.HashMap<>();
    final java.util.Map<String, Integer> bytesMax = new java.util.HashMap<>();
    final long size;

    CountingLeaves(long size) {
      this.size = size;
    }

    int fetches(String path) {
      return fetched.getOrDefault(path, 0);
    }

    @Override
    public byte[] fetch(String path, int bytesMax) throws IOException {
      fetched.merge(path, 1, Integer::sum);
      this.bytesMax.put(path, bytesMax);
      try {
        TilePath tile = TilePath.parse(path);
        byte[] out = new byte[tile.width() * Hash.BYTES];
        java.util.Arrays.fill(out, (byte) tile.index());
        return out;
      } catch (FormatException e) {
        throw new IOException(e);
      }
    }
  }

  @Test
  void aPartialTileFallsBackOnlyToAFullTileOfTheRightLength() throws IOException {
    TestLogs.TileServer server = new TestLogs.TileServer(TestLogs.entries(600, 9));
    server.servePartials = false;
    TileClient client = new TileClient(server, new Checkpoint("example.com/log", 300, server.tree.rootHash(300)));
    assertEquals(server.tree.node(0, 299), client.node(0, 299), "tile/0/001.p/44 read from tile/0/001");
    server.overrides.put("tile/0/001", new byte[32]);
    TileClient other = new TileClient(server, new Checkpoint("example.com/log", 301, server.tree.rootHash(301)));
    IOException e = assertThrows(IOException.class, () -> other.node(0, 300));
    assertEquals("full tile has 32 bytes", e.getMessage());
    java.util.Map<String, Integer> asked = new java.util.HashMap<>();
    TileClient fullMissing = new TileClient(new TileFetcher() {
      @Override
      public byte[] fetch(String path, int bytesMax) throws IOException {
        asked.merge(path, 1, Integer::sum);
        throw new IOException("404 " + path);
      }
    }, new Checkpoint("example.com/log", 512, Rfc6962.EMPTY_ROOT));
    assertEquals("404 tile/0/000", assertThrows(IOException.class, () -> fullMissing.node(0, 0)).getMessage());
    assertEquals(java.util.Map.of("tile/0/000", 1), asked, "a missing full tile has nothing to fall back to");
  }

  @Test
  void rangeHashesAreCheckedAndComputedForAnyRange() throws IOException {
    MerkleTree tree = TestLogs.tree(TestLogs.entries(13, 2));
    NodeSource viaDefault = new NodeSource() {
      @Override
      public long size() {
        return tree.size();
      }

      @Override
      public Hash node(int level, long index) {
        return tree.node(level, index);
      }
    };
    List<byte[]> entries = TestLogs.entries(13, 2);
    for (long start = 0; start <= 13; start++) {
      for (long end = start; end <= 13; end++) {
        assertArrayEquals(ReferenceMerkle.mth(entries.subList((int) start, (int) end)), viaDefault.rangeHash(start, end).toBytes(),
            start + ".." + end);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> viaDefault.rangeHash(-1, 2));
    assertThrows(IllegalArgumentException.class, () -> viaDefault.rangeHash(3, 2));
    assertThrows(IllegalArgumentException.class, () -> viaDefault.rangeHash(0, 14));
  }
}
