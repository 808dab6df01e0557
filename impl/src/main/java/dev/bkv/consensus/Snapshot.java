package dev.bkv.consensus;

/**
 * A prefix of the committed log folded into the state it produces: entries 1..lastIndex are
 * replaced by {@code state} (the vault's snapshot encoding; opaque here). Beyond the spec,
 * which does not model compaction: a snapshot is a committed prefix, so it changes none of
 * the spec's properties; its head (lastTerm, lastIndex) stands for the entries it replaced.
 */
public record Snapshot(long lastIndex, long lastTerm, byte[] state) {
  /** A snapshot of a vault at its USERS_MAX (48 MiB), with room to spare; one AES-GCM seal on disk. */
  public static final int STATE_BYTES_MAX = 60 * 1024 * 1024;

  public Snapshot {
    if (lastIndex < 1 || lastTerm < 1) {
      throw new IllegalArgumentException("snapshot must end at an entry, got (" + lastTerm + ", " + lastIndex + ")");
    }
    if (state == null || state.length > STATE_BYTES_MAX) {
      throw new IllegalArgumentException("snapshot state must be 0.." + STATE_BYTES_MAX + " bytes");
    }
  }

  public LogHead head() {
    return new LogHead(lastTerm, lastIndex);
  }

  @Override
  public String toString() {
    return "Snapshot[" + head() + ", " + state.length + " bytes]";
  }
}
