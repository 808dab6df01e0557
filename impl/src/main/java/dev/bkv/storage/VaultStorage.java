package dev.bkv.storage;

import java.util.List;
import java.util.Optional;

/**
 * Host-side persistence of the vault's sealed state: a snapshot and the log entries after
 * it, each an opaque sealed blob tagged with its version. The host is untrusted: this layer
 * only stores and frames bytes. Authenticity, ordering and freshness are checked by the
 * firmware, which alone can unseal, against the version it keeps in NVRAM.
 */
public interface VaultStorage {
  /** The largest sealed blob stored (a snapshot of a full vault is about 41 MB). */
  int SEALED_BLOB_BYTES_MAX = 64 * 1024 * 1024;

  /** The largest sealed log entry: entries are single commands of a few hundred bytes. */
  int LOG_ENTRY_BYTES_MAX = 1024 * 1024;

  /** A sealed blob and the version it claims; the claim is verified when it is unsealed. */
  record VersionedBlob(long version, byte[] sealed) {
    public VersionedBlob {
      sealed = sealed.clone();
    }

    @Override
    public byte[] sealed() {
      return sealed.clone();
    }
  }

  /**
   * What the host holds: the newest snapshot, if any, and the log entries after it in
   * version order, contiguous. {@code tornTailBytes} counts bytes at the end of the log
   * that did not frame a whole entry (a crash during an append); they are ignored.
   */
  record Contents(Optional<VersionedBlob> snapshot, List<VersionedBlob> log, long tornTailBytes) {
    public Contents {
      log = List.copyOf(log);
    }

    /** The version of the newest entry or snapshot, 0 for an empty store. */
    public long lastVersion() {
      if (!log.isEmpty()) {
        return log.get(log.size() - 1).version();
      }
      return snapshot.map(VersionedBlob::version).orElse(0L);
    }
  }

  /** Reads everything; also forgets any torn tail so the next append follows the last whole entry. */
  Contents load() throws StorageException;

  /** Appends the entry for {@code version}, which must follow the last one, and makes it durable. */
  void append(long version, byte[] sealed) throws StorageException;

  /** Drops log entries after {@code version} (an entry the firmware found unacknowledged). */
  void truncateAfter(long version) throws StorageException;

  /**
   * Durably replaces the snapshot with one at {@code version} (the last appended version),
   * then drops the log entries it covers.
   */
  void writeSnapshot(long version, byte[] sealed) throws StorageException;
}
