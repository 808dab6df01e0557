package dev.bkv.storage;

import dev.bkv.base.Check;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link VaultStorage} in memory, for the in-process demo and tests. {@link #copy} takes a
 * picture of what the host holds, so a test can later hand the firmware an older picture
 * (a rollback) or a doctored one.
 */
public final class MemoryVaultStorage implements VaultStorage {
  private VersionedBlob snapshot;
  private final List<VersionedBlob> log = new ArrayList<>();

  public MemoryVaultStorage() {}

  private MemoryVaultStorage(VersionedBlob snapshot, List<VersionedBlob> log) {
    this.snapshot = snapshot;
    this.log.addAll(log);
  }

  /** An independent copy of what the host holds now. */
  public synchronized MemoryVaultStorage copy() {
    return new MemoryVaultStorage(snapshot, log);
  }

  /** Replaces the entry at {@code index} of the log (a host that corrupts or swaps an entry). */
  public synchronized void replaceLogEntry(int index, VersionedBlob entry) {
    log.set(index, entry);
  }

  @Override
  public synchronized Contents load() {
    return new Contents(Optional.ofNullable(snapshot), log, 0);
  }

  @Override
  public synchronized void append(long version, byte[] sealed) {
    Check.that(sealed.length > 0 && sealed.length <= LOG_ENTRY_BYTES_MAX, "sealed entry within LOG_ENTRY_BYTES_MAX");
    Check.that(version == load().lastVersion() + 1, "appended version follows the last one");
    log.add(new VersionedBlob(version, sealed));
  }

  @Override
  public synchronized void truncateAfter(long version) {
    log.removeIf(entry -> entry.version() > version);
  }

  @Override
  public synchronized void writeSnapshot(long version, byte[] sealed) {
    Check.that(sealed.length <= SEALED_BLOB_BYTES_MAX, "sealed snapshot within SEALED_BLOB_BYTES_MAX");
    Check.that(version == load().lastVersion(), "snapshot taken at the last appended version");
    snapshot = new VersionedBlob(version, sealed);
    log.removeIf(entry -> entry.version() <= version);
  }
}
