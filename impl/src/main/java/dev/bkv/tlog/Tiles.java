package dev.bkv.tlog;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * C2SP tlog-tiles contents: which tiles a tree of a given size has, the bytes of a hash
 * tile, and the entry bundle encoding (big-endian uint16 length before each entry).
 */
public final class Tiles {
  /** Longest entry an entry bundle can carry: its length prefix is a uint16. */
  public static final int ENTRY_BYTES_MAX = 0xffff;
  /** Longest entry bundle: 256 entries of the longest length. */
  public static final int BUNDLE_BYTES_MAX = TilePath.FULL_WIDTH * (2 + ENTRY_BYTES_MAX);

  private Tiles() {}

  /** Hashes stored at tile level {@code level} for a tree of {@code treeSize} leaves. */
  static long hashesAtLevel(int level, long treeSize) {
    int height = TilePath.HEIGHT * level;
    return height >= 63 ? 0 : treeSize >> height;
  }

  /**
   * Whether a tree of {@code treeSize} leaves (or an earlier size of it, each of which had a
   * checkpoint) has this tile: all of its hashes must exist.
   */
  public static boolean exists(TilePath path, long treeSize) {
    long available = hashesAtLevel(path.level(), treeSize);
    long first = path.index() * TilePath.FULL_WIDTH;
    return first <= available && path.width() <= available - first;
  }

  /** The width of tile {@code index} at {@code level} in a tree of {@code treeSize} leaves, or 0 if empty. */
  public static int widthAt(int level, long index, long treeSize) {
    long available = hashesAtLevel(level, treeSize) - index * TilePath.FULL_WIDTH;
    return (int) Math.max(0, Math.min(TilePath.FULL_WIDTH, available));
  }

  /** The tile's bytes: its hashes concatenated, 32 bytes each. */
  public static byte[] hashTile(NodeSource tree, TilePath path) throws IOException {
    if (path.entries() || !exists(path, tree.size())) {
      throw new IllegalArgumentException("tree of size " + tree.size() + " has no tile " + path);
    }
    byte[] out = new byte[path.width() * Hash.BYTES];
    int height = TilePath.HEIGHT * path.level();
    for (int i = 0; i < path.width(); i++) {
      Hash h = tree.node(height, path.index() * TilePath.FULL_WIDTH + i);
      System.arraycopy(h.raw(), 0, out, i * Hash.BYTES, Hash.BYTES);
    }
    return out;
  }

  public static byte[] encodeEntryBundle(List<byte[]> entries) {
    if (entries.isEmpty() || entries.size() > TilePath.FULL_WIDTH) {
      throw new IllegalArgumentException("an entry bundle holds 1 to 256 entries, got " + entries.size());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] entry : entries) {
      if (entry.length > ENTRY_BYTES_MAX) {
        throw new IllegalArgumentException("entry of " + entry.length + " bytes does not fit a uint16 length");
      }
      out.write(entry.length >>> 8);
      out.write(entry.length);
      out.write(entry, 0, entry.length);
    }
    return out.toByteArray();
  }

  /** Decodes exactly {@code expectedCount} length-prefixed entries with no bytes left over. */
  public static List<byte[]> decodeEntryBundle(byte[] bundle, int expectedCount) throws FormatException {
    if (expectedCount < 1 || expectedCount > TilePath.FULL_WIDTH) {
      throw new FormatException("entry bundle count must be in [1, 256], got " + expectedCount);
    }
    if (bundle.length > BUNDLE_BYTES_MAX) {
      throw new FormatException("entry bundle is longer than " + BUNDLE_BYTES_MAX + " bytes");
    }
    List<byte[]> entries = new ArrayList<>(expectedCount);
    int at = 0;
    while (at < bundle.length) {
      if (entries.size() == expectedCount) {
        throw new FormatException("entry bundle has bytes after its " + expectedCount + " entries");
      }
      if (bundle.length - at < 2) {
        throw new FormatException("entry bundle ends inside a length prefix");
      }
      int length = ((bundle[at] & 0xff) << 8) | (bundle[at + 1] & 0xff);
      at += 2;
      if (bundle.length - at < length) {
        throw new FormatException("entry bundle ends inside entry " + entries.size());
      }
      entries.add(java.util.Arrays.copyOfRange(bundle, at, at + length));
      at += length;
    }
    if (entries.size() != expectedCount) {
      throw new FormatException("entry bundle has " + entries.size() + " entries, expected " + expectedCount);
    }
    return entries;
  }
}
