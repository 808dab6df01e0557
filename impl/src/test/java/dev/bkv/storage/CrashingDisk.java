package dev.bkv.storage;

import java.util.List;
import java.util.Optional;

/**
 * A {@link MemoryDisk} whose power fails before its n-th change (append, sync, replace,
 * delete, truncate): that change and all after it do not happen. The test then calls
 * {@link MemoryDisk#crash} or {@link MemoryDisk#crashTorn} and reopens.
 */
final class CrashingDisk implements Disk {
  private final MemoryDisk disk;
  private long changesLeft;

  CrashingDisk(MemoryDisk disk, long changesBeforeCrash) {
    this.disk = disk;
    this.changesLeft = changesBeforeCrash;
  }

  /** True once the power has failed. */
  boolean crashed() {
    return changesLeft < 0;
  }

  private void change() throws StorageException {
    if (--changesLeft < 0) {
      throw new StorageException(StorageException.Kind.IO, "power lost");
    }
  }

  @Override
  public List<String> list() {
    return disk.list();
  }

  @Override
  public Optional<byte[]> read(String name, long bytesMax) throws StorageException {
    return disk.read(name, bytesMax);
  }

  @Override
  public void append(String name, byte[] bytes) throws StorageException {
    change();
    disk.append(name, bytes);
  }

  @Override
  public void sync(String name) throws StorageException {
    change();
    disk.sync(name);
  }

  @Override
  public void replaceAtomically(String name, byte[] bytes) throws StorageException {
    change();
    disk.replaceAtomically(name, bytes);
  }

  @Override
  public void delete(String name) throws StorageException {
    change();
    disk.delete(name);
  }

  @Override
  public void truncate(String name, long length) throws StorageException {
    change();
    disk.truncate(name, length);
  }
}
