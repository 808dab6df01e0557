package dev.bkv.consensus;

/** The spec's {@code LogHead}: (term, index) of a log's last entry; (0, 0) for an empty log. */
public record LogHead(long term, long index) {
  public static final LogHead EMPTY = new LogHead(0, 0);

  public LogHead {
    if (term < 0 || index < 0 || (index == 0 && term != 0)) {
      throw new IllegalArgumentException("log head (" + term + ", " + index + ") is not a head");
    }
  }

  /** {@code UpToDate(this, other)}: Raft's "at least as up-to-date" order on heads. */
  public boolean atLeastAsUpToDateAs(LogHead other) {
    return term > other.term || (term == other.term && index >= other.index);
  }

  @Override
  public String toString() {
    return "<<" + term + ", " + index + ">>";
  }
}
