package dev.bkv.sim;

import dev.bkv.consensus.LogWrite;
import dev.bkv.consensus.RecoveredLog;
import dev.bkv.firmware.ReplicaStorage;
import dev.bkv.storage.AesGcmSealer;
import dev.bkv.storage.Disk;
import dev.bkv.storage.MemoryDisk;
import dev.bkv.storage.SealedLog;
import dev.bkv.storage.Sealer;
import dev.bkv.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * A {@link SimDisk} that is the production storage: the HSM's {@link SealedLog} (sealed,
 * hash-chained segments) on a {@link MemoryDisk}, whose faults are real bytes: a lost fsync
 * loses the unsynced tail, a torn write leaves part of a record followed by garbage, a bit
 * flip lands in a segment, a rollback restores an earlier copy of every file. What a restart
 * reads back is what {@link SealedLog#open} makes of the bytes.
 */
public final class SealedDisk implements SimDisk {
  /** Copies of the disk the host keeps for rollbacks: the empty disk and the latest ones. */
  public static final int COPIES_MAX = 48;

  /** How the log is opened: production, or (tests) with a seeded storage bug. */
  public interface Opener {
    SealedLog open(Disk disk, Sealer sealer, byte[] context, SealedLog.Limits limits) throws StorageException;
  }

  /** The disk as the sealed log sees it; its fsync may lie (the host's lost-fsync fault). */
  private static final class HostDisk implements Disk {
    final MemoryDisk disk = new MemoryDisk();
    boolean syncLies;

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
      disk.append(name, bytes);
    }

    @Override
    public void sync(String name) throws StorageException {
      if (!syncLies) {
        disk.sync(name);
      }
    }

    @Override
    public void replaceAtomically(String name, byte[] bytes) throws StorageException {
      disk.replaceAtomically(name, bytes);
    }

    @Override
    public void delete(String name) throws StorageException {
      disk.delete(name);
    }

    @Override
    public void truncate(String name, long length) throws StorageException {
      disk.truncate(name, length);
    }
  }

  private final HostDisk host = new HostDisk();
  private final Sealer sealer;
  private final byte[] context;
  private final Opener opener;
  private final List<MemoryDisk.Image> copies = new ArrayList<>();
  private int current;
  private SealedLog log;

  public SealedDisk(int hsm, long seed, Opener opener) {
    byte[] key = new byte[32];
    Random random = new Random(seed);
    random.nextBytes(key);
    this.sealer = new AesGcmSealer(key, random);
    this.context = ("sim/hsm-" + hsm).getBytes(StandardCharsets.US_ASCII);
    this.opener = opener;
    copies.add(host.disk.copy());
  }

  /** Production storage for every HSM of a simulation. */
  public static SimDisk.Factory production() {
    return (hsm, seed) -> new SealedDisk(hsm, seed, SealedLog::open);
  }

  @Override
  public void write(LogWrite write, boolean synced) {
    host.syncLies = !synced;
    try {
      perform(write);
    } finally {
      host.syncLies = false;
    }
    keepCopy();
  }

  /**
   * A write torn by a power loss: with {@code choice} even, the whole write reaches the disk
   * and the HSM dies before its NVRAM write (the spec's torn step); odd, only part of the new
   * record reaches the disk, followed by garbage.
   */
  @Override
  public void writeTorn(LogWrite write, long choice) {
    if ((choice & 1) == 0) {
      write(write, true);
      return;
    }
    host.syncLies = true;
    try {
      perform(write);
      Random garbage = new Random(choice);
      for (String name : host.disk.list()) {
        int unsynced = host.disk.unsyncedBytes(name);
        if (unsynced > 0) {
          byte[] junk = new byte[1 + garbage.nextInt(64)];
          garbage.nextBytes(junk);
          host.disk.crashTorn(name, (int) Math.floorMod(choice >> 1, unsynced), junk);
          break;
        }
      }
    } catch (StorageException e) {
      throw new IllegalStateException("memory disk: " + e.getMessage(), e);
    } finally {
      host.syncLies = false;
    }
    host.disk.crash();
    log = null;
    keepCopy();
  }

  @Override
  public void crash() {
    host.disk.crash();
    log = null;
  }

  @Override
  public RecoveredLog read() {
    return ReplicaStorage.recovered(opened().image());
  }

  @Override
  public int versions() {
    return copies.size();
  }

  @Override
  public int current() {
    return current;
  }

  @Override
  public void handBack(int version) {
    if (version < 0 || version >= copies.size()) {
      throw new IllegalArgumentException("version " + version + " not in 0.." + (copies.size() - 1));
    }
    host.disk.restore(copies.get(version));
    current = version;
    log = null;
  }

  /** A bit flip in the segment bytes, at about the position of entry {@code index}. */
  @Override
  public void damage(long index) {
    try {
      List<String> segments = new ArrayList<>();
      long total = 0;
      for (String name : host.disk.list()) {
        if (name.endsWith(".seg")) {
          segments.add(name);
          total += host.disk.read(name, MemoryDisk.FILE_BYTES_MAX).map(b -> b.length).orElse(0);
        }
      }
      if (total == 0) {
        return;
      }
      long last = Math.max(1, opened().image().lastIndex());
      long at = Math.min(total - 1, total * Math.max(0, index - 1) / last);
      for (String name : segments) {
        long size = host.disk.read(name, MemoryDisk.FILE_BYTES_MAX).map(b -> b.length).orElse(0);
        if (at < size) {
          host.disk.flipBit(name, at * 8 + (index & 7));
          break;
        }
        at -= size;
      }
    } catch (StorageException e) {
      throw new IllegalStateException("memory disk: " + e.getMessage(), e);
    }
    log = null;
    keepCopy();
  }

  private void perform(LogWrite write) {
    try {
      ReplicaStorage.perform(opened(), write);
    } catch (StorageException e) {
      // The simulated disk never fails on its own; a refusal here is the storage's bug.
      throw new IllegalStateException("sealed log refused a write: " + e.getMessage(), e);
    }
  }

  private SealedLog opened() {
    if (log == null) {
      try {
        log = opener.open(host, sealer, context, SealedLog.Limits.DEFAULTS);
      } catch (StorageException e) {
        throw new IllegalStateException("sealed log did not open: " + e.getMessage(), e);
      }
    }
    return log;
  }

  private void keepCopy() {
    if (copies.size() >= COPIES_MAX) {
      copies.remove(1);
    }
    copies.add(host.disk.copy());
    current = copies.size() - 1;
  }
}
