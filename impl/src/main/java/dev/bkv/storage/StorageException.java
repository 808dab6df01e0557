package dev.bkv.storage;

/**
 * A typed failure of host storage. The host is untrusted, so every file may be missing,
 * truncated, corrupted or replaced; each case names the file and what was wrong.
 */
public final class StorageException extends Exception {
  /** What went wrong, for callers that react differently (refuse to boot, retry, report). */
  public enum Kind {
    /** The operating system failed to read or write. */
    IO,
    /** The bytes are not in the expected format (bad magic, bad length, gap, checksum). */
    CORRUPT,
    /** A file or field is larger than its limit; nothing was read. */
    TOO_LARGE
  }

  private final Kind kind;

  public StorageException(Kind kind, String message) {
    super(kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + message);
    this.kind = kind;
  }

  public StorageException(Kind kind, String message, Throwable cause) {
    super(kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
