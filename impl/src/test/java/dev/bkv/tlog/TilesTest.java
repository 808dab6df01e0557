package dev.bkv.tlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** C2SP tlog-tiles paths, tile sets and entry bundles, and the tile client's checks. */
class TilesTest {

  @Test
  void whenPathsAreFormatted_thenTheyFollowTheSpecExamples() throws FormatException {
    assertEquals("tile/0/x001/x234/067", TilePath.hashes(0, 1234067, 256).format());
    assertEquals("tile/0/000", TilePath.hashes(0, 0, 256).format());
    assertEquals("tile/2/001.p/17", TilePath.hashes(2, 1, 17).format());
    assertEquals("tile/entries/x001/000.p/255", TilePath.entryBundle(1000, 255).format());
    for (String path : List.of("tile/0/x001/x234/067", "tile/63/000", "tile/entries/123.p/1", "tile/1/x999/999")) {
      assertEquals(path, TilePath.parse(path).format());
    }
  }

  @Test
  void whenPathsAreMalformed_thenParsingSaysWhy() {
    for (String bad : List.of("tile/0/1", "tile/0/0001", "tile/0/x000/001", "tile/0/001/002", "tile/64/000",
        "tile/0/000.p/256", "tile/0/000.p/0", "tile/0/000.p/07", "tile/entries/000.p/", "tile/00/000", "tiles/0/000",
        "tile/0/x1234/567", "tile/-1/000", "tile/0/y001/000", "tile/0/x" + "9".repeat(3) + "/".repeat(20))) {
      assertThrows(FormatException.class, () -> TilePath.parse(bad), bad);
    }
  }

  @Test
  void whenATreeHas70000Leaves_thenItsTilesAreTheOnesTheSpecLists() {
    long size = 70_000;
    assertEquals(273, Tiles.hashesAtLevel(0, size) / 256);
    assertEquals(112, Tiles.widthAt(0, 273, size));
    assertEquals(256, Tiles.widthAt(1, 0, size));
    assertEquals(17, Tiles.widthAt(1, 1, size));
    assertEquals(1, Tiles.widthAt(2, 0, size));
    assertEquals(0, Tiles.widthAt(3, 0, size));
    assertTrue(Tiles.exists(TilePath.hashes(0, 273, 112), size));
    assertTrue(Tiles.exists(TilePath.hashes(0, 273, 100), size), "partial tiles of earlier sizes stay");
    assertFalse(Tiles.exists(TilePath.hashes(0, 273, 113), size));
    assertFalse(Tiles.exists(TilePath.hashes(0, 274, 1), size));
    assertTrue(Tiles.exists(TilePath.hashes(1, 1, 17), size));
    assertFalse(Tiles.exists(TilePath.hashes(2, 0, 2), size));
    assertEquals(1, Tiles.widthAt(1, 0, 256), "a tree of 256 has a partial level 1 tile of width 1");
  }

  @Test
  void whenEntryBundlesAreDecoded_thenCountsAndLengthsAreExact() throws FormatException {
    List<byte[]> entries = List.of(new byte[0], new byte[] {1}, new byte[300]);
    byte[] bundle = Tiles.encodeEntryBundle(entries);
    List<byte[]> decoded = Tiles.decodeEntryBundle(bundle, 3);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(entries.get(i), decoded.get(i));
    }
    assertThrows(FormatException.class, () -> Tiles.decodeEntryBundle(bundle, 2), "bytes left over");
    assertThrows(FormatException.class, () -> Tiles.decodeEntryBundle(bundle, 4), "too few entries");
    byte[] truncated = java.util.Arrays.copyOf(bundle, bundle.length - 1);
    assertThrows(FormatException.class, () -> Tiles.decodeEntryBundle(truncated, 3), "ends inside an entry");
    assertThrows(IllegalArgumentException.class, () -> Tiles.encodeEntryBundle(List.of(new byte[65536])));
  }

  @Test
  void whenTheClientReadsAnOlderCheckpointAfterPartialTilesWereDeleted_thenItFallsBackToFullTiles()
      throws IOException {
    TestLogs.TileServer server = new TestLogs.TileServer(TestLogs.entries(1000, 7));
    server.servePartials = false;
    Checkpoint older = new Checkpoint("example.com/log", 700, server.tree.rootHash(700));
    TileClient client = new TileClient(server, older);
    assertTrue(client.checkRoot().isVerified());
    Verdict<List<byte[]>> bundle = client.entryBundle(2);
    assertTrue(bundle.isVerified(), bundle.reasonOrEmpty());
    assertEquals(700 - 512, bundle.value().size());
    assertArrayEquals(server.entries.get(699), bundle.value().get(700 - 512 - 1));
    assertTrue(server.fetches.containsKey("tile/entries/002"), "fell back to the full bundle");
    assertFalse(client.entryBundle(3).isVerified(), "no bundle 3 at size 700");
  }

  @Test
  void whenATileIsTampered_thenRootsProofsAndEntriesAreRejected() throws IOException {
    TestLogs.TileServer server = new TestLogs.TileServer(TestLogs.entries(600, 9));
    Checkpoint checkpoint = new Checkpoint("example.com/log", 600, server.tree.root());
    byte[] tile = Tiles.hashTile(server.tree, TilePath.hashes(0, 1, 256));
    tile[4 * Hash.BYTES] ^= 1; // leaf 260, the sibling of leaf 261
    server.overrides.put("tile/0/001", tile);
    TileClient client = new TileClient(server, checkpoint);
    assertTrue(client.checkRoot().isVerified(), "the root reads only the right edge, not tile/0/001");
    Hash leaf = Rfc6962.leafHash(server.entries.get(261));
    assertFalse(client.inclusionProof(261, leaf).isVerified());
    assertFalse(client.entryBundle(1).isVerified());

    TestLogs.TileServer edge = new TestLogs.TileServer(TestLogs.entries(600, 9));
    byte[] partial = Tiles.hashTile(edge.tree, TilePath.hashes(0, 2, 88));
    partial[0] ^= 1;
    edge.overrides.put("tile/0/002.p/88", partial);
    assertFalse(new TileClient(edge, checkpoint).checkRoot().isVerified(), "a tampered right-edge tile");

    List<byte[]> swapped = new ArrayList<>(server.entries.subList(0, 256));
    swapped.set(3, "forged".getBytes());
    TestLogs.TileServer honestTiles = new TestLogs.TileServer(TestLogs.entries(600, 9));
    honestTiles.overrides.put("tile/entries/000", Tiles.encodeEntryBundle(swapped));
    Verdict<List<byte[]>> forged = new TileClient(honestTiles, checkpoint).entryBundle(0);
    assertFalse(forged.isVerified());
    assertTrue(forged.reasonOrEmpty().contains("entry 3"), forged.reasonOrEmpty());
  }

  @Test
  void whenATileHasTheWrongLength_thenReadingFailsWithAReason() {
    TestLogs.TileServer server = new TestLogs.TileServer(TestLogs.entries(300, 1));
    server.overrides.put("tile/0/000", new byte[31]);
    TileClient client = new TileClient(server, new Checkpoint("example.com/log", 300, server.tree.root()));
    IOException e = assertThrows(IOException.class, () -> client.node(0, 3));
    assertTrue(e.getMessage().contains("tile/0/000 has 31 bytes"), e.getMessage());
  }
}
