package dev.bkv.tlog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Small test fixtures: deterministic entries, and a tile server over an in-memory tree. */
final class TestLogs {
  private TestLogs() {}

  static List<byte[]> entries(int count, long seed) {
    List<byte[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(("entry " + seed + "/" + i).getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  static MerkleTree tree(List<byte[]> entries) {
    MerkleTree tree = new MerkleTree();
    for (byte[] e : entries) {
      tree.appendEntry(e);
    }
    return tree;
  }

  /** Serves the tiles of a tree the way a tiled log would, counting fetches. */
  static final class TileServer implements TileFetcher {
    final MerkleTree tree;
    final List<byte[]> entries;
    final Map<String, byte[]> overrides = new ConcurrentHashMap<>();
    final Map<String, Integer> fetches = new ConcurrentHashMap<>();
    /** When false, partial tiles whose full tile exists are gone, as C2SP lets logs delete them. */
    boolean servePartials = true;

    TileServer(List<byte[]> entries) {
      this.entries = entries;
      this.tree = tree(entries);
    }

    @Override
    public byte[] fetch(String path, int bytesMax) throws IOException {
      fetches.merge(path, 1, Integer::sum);
      byte[] override = overrides.get(path);
      if (override != null) {
        return override;
      }
      try {
        TilePath tile = TilePath.parse(path);
        if (!Tiles.exists(tile, tree.size()) || (tile.isPartial() && !servePartials && Tiles.exists(tile.full(), tree.size()))) {
          throw new IOException("404 " + path);
        }
        if (tile.entries()) {
          long first = tile.index() * TilePath.FULL_WIDTH;
          return Tiles.encodeEntryBundle(entries.subList((int) first, (int) first + tile.width()));
        }
        return Tiles.hashTile(tree, tile);
      } catch (FormatException e) {
        throw new IOException("404 " + path);
      }
    }
  }
}
