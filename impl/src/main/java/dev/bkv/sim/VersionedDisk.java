package dev.bkv.sim;

import dev.bkv.consensus.Entry;
import dev.bkv.consensus.LogWrite;
import dev.bkv.consensus.RecoveredLog;
import dev.bkv.consensus.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A {@link SimDisk} that keeps every version in memory, each a {@link RecoveredLog}. */
public final class VersionedDisk implements SimDisk {
  /** Versions kept per HSM; beyond it the oldest after the empty log are forgotten. */
  public static final int VERSIONS_MAX = 4096;

  private final List<RecoveredLog> versions = new ArrayList<>(List.of(RecoveredLog.EMPTY));
  private int current;
  private int synced;

  @Override
  public void write(LogWrite write, boolean synced) {
    RecoveredLog next = applied(versions.get(current), write);
    if (versions.size() >= VERSIONS_MAX) {
      versions.remove(1);
      current = Math.max(0, current - 1);
      this.synced = Math.max(0, this.synced - 1);
    }
    versions.add(next);
    current = versions.size() - 1;
    if (synced) {
      this.synced = current;
    }
  }

  @Override
  public void crash() {
    current = synced;
  }

  @Override
  public RecoveredLog read() {
    return versions.get(current);
  }

  @Override
  public int versions() {
    return versions.size();
  }

  @Override
  public int current() {
    return current;
  }

  @Override
  public void handBack(int version) {
    if (version < 0 || version >= versions.size()) {
      throw new IllegalArgumentException("version " + version + " not in 0.." + (versions.size() - 1));
    }
    current = version;
    synced = version;
  }

  @Override
  public void damage(long index) {
    RecoveredLog log = versions.get(current);
    long first = log.snapshot().map(Snapshot::lastIndex).orElse(0L) + 1;
    RecoveredLog truncated = index < first ? RecoveredLog.EMPTY
        : new RecoveredLog(log.snapshot(), log.entries().subList(0, (int) Math.min(index - first,
            log.entries().size())));
    versions.add(truncated);
    current = versions.size() - 1;
    synced = current;
  }

  /** The log after one write: the same rules as the core's own {@code ReplicaLog}. */
  static RecoveredLog applied(RecoveredLog log, LogWrite write) {
    long snapshotIndex = log.snapshot().map(Snapshot::lastIndex).orElse(0L);
    if (write instanceof LogWrite.Append) {
      LogWrite.Append append = (LogWrite.Append) write;
      int keep = (int) Math.max(0, Math.min(append.keepThrough() - snapshotIndex, log.entries().size()));
      List<Entry> entries = new ArrayList<>(log.entries().subList(0, keep));
      entries.addAll(append.entries());
      return new RecoveredLog(log.snapshot(), entries);
    }
    if (write instanceof LogWrite.InstallSnapshot) {
      return new RecoveredLog(Optional.of(((LogWrite.InstallSnapshot) write).snapshot()), List.of());
    }
    Snapshot snapshot = ((LogWrite.Compact) write).snapshot();
    int drop = (int) Math.min(snapshot.lastIndex() - snapshotIndex, log.entries().size());
    return new RecoveredLog(Optional.of(snapshot), log.entries().subList(drop, log.entries().size()));
  }
}
