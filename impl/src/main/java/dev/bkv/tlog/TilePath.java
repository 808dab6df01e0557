package dev.bkv.tlog;

/**
 * A C2SP tlog-tiles resource path: a Merkle tree tile {@code tile/<L>/<N>[.p/<W>]} or an
 * entry bundle {@code tile/entries/<N>[.p/<W>]}. {@code N} is written in zero-padded groups
 * of three digits, all but the last prefixed with {@code x} (1234067 is
 * {@code x001/x234/067}); {@code W} is present only for partial tiles (1 to 255).
 *
 * <p>The tile at level {@code L}, index {@code N} holds the hashes of the complete subtrees of
 * height {@code 8L} with indices {@code N * 256} to {@code N * 256 + W - 1}.
 */
public record TilePath(boolean entries, int level, long index, int width) {
  /** Hashes (or entries) in a full tile. */
  public static final int FULL_WIDTH = 256;
  /** Tree levels one tile spans: 2^8 = 256. */
  public static final int HEIGHT = 8;
  /** Highest tile level the path syntax allows. */
  public static final int LEVEL_MAX = 63;
  /** Largest tile index: a tile's first leaf index must stay below 2^63. */
  public static final long INDEX_MAX = (Long.MAX_VALUE >> HEIGHT);

  private static final int PATH_CHARS_MAX = 64;

  public TilePath {
    if (level < 0 || level > LEVEL_MAX || (entries && level != 0)) {
      throw new IllegalArgumentException("tile level must be in [0, 63] (0 for entry bundles), got " + level);
    }
    if (index < 0 || index > INDEX_MAX) {
      throw new IllegalArgumentException("tile index out of range: " + index);
    }
    if (width < 1 || width > FULL_WIDTH) {
      throw new IllegalArgumentException("tile width must be in [1, 256], got " + width);
    }
  }

  public static TilePath hashes(int level, long index, int width) {
    return new TilePath(false, level, index, width);
  }

  public static TilePath entryBundle(long index, int width) {
    return new TilePath(true, 0, index, width);
  }

  public boolean isPartial() {
    return width < FULL_WIDTH;
  }

  /** The same tile at full width (its fallback when a partial tile has been replaced). */
  public TilePath full() {
    return new TilePath(entries, level, index, FULL_WIDTH);
  }

  public String format() {
    StringBuilder out = new StringBuilder("tile/").append(entries ? "entries" : Integer.toString(level)).append('/');
    String digits = Long.toString(index);
    int padded = ((digits.length() + 2) / 3) * 3;
    digits = "0".repeat(padded - digits.length()) + digits;
    for (int i = 0; i < digits.length(); i += 3) {
      if (i + 3 < digits.length()) {
        out.append('x').append(digits, i, i + 3).append('/');
      } else {
        out.append(digits, i, i + 3);
      }
    }
    if (isPartial()) {
      out.append(".p/").append(width);
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return format();
  }

  public static TilePath parse(String path) throws FormatException {
    if (path.length() > PATH_CHARS_MAX || !path.startsWith("tile/")) {
      throw new FormatException("tile path must start with tile/ and be at most " + PATH_CHARS_MAX + " characters");
    }
    String rest = path.substring("tile/".length());
    int width = FULL_WIDTH;
    int partial = rest.indexOf(".p/");
    if (partial >= 0) {
      String w = rest.substring(partial + 3);
      long parsed = Decimal.parse(w, "tile width");
      if (parsed < 1 || parsed >= FULL_WIDTH) {
        throw new FormatException("partial tile width must be in [1, 255]");
      }
      width = (int) parsed;
      rest = rest.substring(0, partial);
    }
    int slash = rest.indexOf('/');
    if (slash < 0) {
      throw new FormatException("tile path needs a level and an index");
    }
    String levelText = rest.substring(0, slash);
    boolean entries = levelText.equals("entries");
    int level = 0;
    if (!entries) {
      long parsed = Decimal.parse(levelText, "tile level");
      if (parsed > LEVEL_MAX) {
        throw new FormatException("tile level must be at most " + LEVEL_MAX);
      }
      level = (int) parsed;
    }
    long index = parseIndex(rest.substring(slash + 1));
    return new TilePath(entries, level, index, width);
  }

  private static long parseIndex(String text) throws FormatException {
    String[] groups = text.split("/", -1);
    StringBuilder digits = new StringBuilder();
    for (int i = 0; i < groups.length; i++) {
      String g = groups[i];
      boolean last = i == groups.length - 1;
      String group = last ? g : (g.startsWith("x") ? g.substring(1) : null);
      if (group == null || group.length() != 3 || !group.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new FormatException("tile index must be 3-digit groups, all but the last prefixed with x");
      }
      digits.append(group);
    }
    if (groups.length > 1 && groups[0].equals("x000")) {
      throw new FormatException("tile index has a leading zero group");
    }
    String value = digits.toString().replaceFirst("^0+(?=.)", "");
    long index = Decimal.parse(value, "tile index");
    if (index > INDEX_MAX) {
      throw new FormatException("tile index is out of range");
    }
    return index;
  }
}
