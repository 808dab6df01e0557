package dev.bkv.witness;

import dev.bkv.tlog.Hash;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The witness log's queued appends: submitters queue their bundles, the first waiter that
 * finds no group being written takes every queued record (up to a group's limits), writes
 * them and forces the entries file ONCE, has the log cover them with ONE checkpoint, and only
 * then releases every waiter of the group. Submitters arriving meanwhile queue up for the
 * next group. The queue is bounded ({@link #PENDING_MAX}).
 *
 * <p>Its state is guarded by the log's lock ({@code lock}), which the log also holds while it
 * reads its tree: a record is never both queued and in the tree, and a reader never sees a
 * group half added. After any I/O error the queue stops: memory may be ahead of the disk.
 */
final class GroupCommit {
  /** Appends waiting for the disk at once; more are refused (Busy) instead of queued without bound. */
  static final int PENDING_MAX = 1024;
  /**
   * Records one group commit writes before its single force and checkpoint. It also bounds
   * what a crash can leave past the checkpoint, which start-up tells from a rolled-back
   * checkpoint by this count (LogRecovery).
   */
  static final int GROUP_ENTRIES_MAX = 128;
  /** Bytes of records one group commit writes (one record of any size is always allowed). */
  static final int GROUP_BYTES_MAX = 1 << 20;

  /** What a group commit asks of the log it appends to; called with the lock held. */
  interface Log {
    /** The byte offset of the entries file where the next group's records start. */
    long endOffset();

    /** Adds a forced record to the tree; its index. */
    long remember(Hash leafHash, long position);

    /** The group's records, forced, end at {@code end}: one checkpoint covers them, durably. */
    void cover(long end) throws IOException;
  }

  /** A bundle queued for a group commit; the fields after construction change only under the lock. */
  static final class Pending {
    final byte[] bundle;
    final Hash leafHash;
    long index = -1;
    boolean done;
    IOException failure;

    Pending(byte[] bundle, Hash leafHash) {
      this.bundle = bundle;
      this.leafHash = leafHash;
    }

    /** A bundle found in the log: nothing to wait for. */
    static Pending logged(byte[] bundle, Hash leafHash, long index) {
      Pending p = new Pending(bundle, leafHash);
      p.index = index;
      p.done = true;
      return p;
    }
  }

  private final Object lock;
  private final FileChannel entries;
  private final CrashPoints crash;
  private final Log log;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final Map<Hash, Pending> pendingByLeaf = new HashMap<>();
  private boolean failed;
  /** Whether a waiter is writing a group now; the next group waits for it. */
  private boolean writing;
  /** Records of the group being written: no longer queued, not yet in the tree. */
  private int inFlight;
  /** Groups made durable since open: each cost one fsync of the entries and one checkpoint replace. */
  private long groupCommits;

  GroupCommit(Object lock, FileChannel entries, CrashPoints crash, Log log) {
    this.lock = lock;
    this.entries = entries;
    this.crash = crash;
    this.log = log;
  }

  /** Whether an I/O error stopped the queue. Under the lock. */
  boolean failed() {
    return failed;
  }

  /** The queued or in-flight record of these bytes, or null. Under the lock. */
  Pending queued(Hash leafHash) {
    return pendingByLeaf.get(leafHash);
  }

  /** Records queued or being written, not yet in the tree. Under the lock. */
  int outstanding() {
    return inFlight + queue.size();
  }

  /** Appends queued and not yet taken by a group commit. Under the lock. */
  int waiting() {
    return queue.size();
  }

  /** Groups made durable since open. Under the lock. */
  long groupCommits() {
    return groupCommits;
  }

  /** Queues a new record; refused when {@link #PENDING_MAX} already wait. Under the lock. */
  Pending add(byte[] bundle, Hash leafHash) {
    if (queue.size() >= PENDING_MAX) {
      throw new BundleLog.Busy("witness log has " + PENDING_MAX + " appends waiting for the disk; retry shortly");
    }
    Pending pending = new Pending(bundle, leafHash);
    queue.addLast(pending);
    pendingByLeaf.put(leafHash, pending);
    return pending;
  }

  /** Blocks until {@code pending}'s group is durable (writing it, or a later one, if none is being written). */
  long durableIndex(Pending pending) throws IOException {
    boolean interrupted = false;
    try {
      while (true) {
        List<Pending> group;
        long start;
        synchronized (lock) {
          while (!pending.done && writing) {
            try {
              lock.wait();
            } catch (InterruptedException e) {
              interrupted = true; // the record may be written already: keep waiting for its outcome
            }
          }
          if (pending.done) {
            if (pending.failure != null) {
              throw new IOException("witness log stopped after a storage error; restart the witness to recover",
                  pending.failure);
            }
            return pending.index;
          }
          writing = true;
          group = takeGroup();
          inFlight = group.size();
          start = log.endOffset();
        }
        commitGroup(group, start);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The oldest queued records that fit in one group; at least one, which is always allowed. */
  private List<Pending> takeGroup() {
    List<Pending> group = new ArrayList<>();
    long bytes = 0;
    while (!queue.isEmpty() && group.size() < GROUP_ENTRIES_MAX) {
      long next = LogRecovery.recordBytes(queue.peekFirst().bundle);
      if (!group.isEmpty() && bytes + next > GROUP_BYTES_MAX) {
        break;
      }
      bytes += next;
      group.add(queue.removeFirst());
    }
    return group;
  }

  /** Writes and forces the group outside the lock (readers go on), then has the log cover it with a checkpoint. */
  private void commitGroup(List<Pending> group, long start) {
    IOException failure = null;
    long end = start;
    try {
      end = writeRecords(group, start);
      crash.reached(CrashPoints.Point.ENTRIES_UNFORCED);
      entries.force(true);
      crash.reached(CrashPoints.Point.ENTRY_WRITTEN);
    } catch (IOException | RuntimeException e) {
      failure = e instanceof IOException io ? io : new IOException(e);
    }
    synchronized (lock) {
      try {
        if (failure == null) {
          long position = start;
          for (Pending p : group) {
            p.index = log.remember(p.leafHash, position);
            position += LogRecovery.recordBytes(p.bundle);
          }
          log.cover(end);
          groupCommits++;
        }
      } catch (IOException | RuntimeException e) {
        failure = e instanceof IOException io ? io : new IOException(e);
      } finally {
        finish(group, failure);
        if (failure != null) {
          failed = true;
          // Memory may be ahead of the disk: nothing queued is written by this process any more.
          finish(new ArrayList<>(queue), failure);
          queue.clear();
        }
        writing = false;
        inFlight = 0;
        lock.notifyAll();
      }
    }
  }

  private void finish(List<Pending> group, IOException failure) {
    for (Pending p : group) {
      p.failure = failure;
      p.done = true;
      pendingByLeaf.remove(p.leafHash);
    }
  }

  private long writeRecords(List<Pending> group, long start) throws IOException {
    long bytes = 0;
    for (Pending p : group) {
      bytes += LogRecovery.recordBytes(p.bundle);
    }
    ByteBuffer records = ByteBuffer.allocate(Math.toIntExact(bytes));
    for (Pending p : group) {
      records.putInt(p.bundle.length).put(p.bundle).put(p.leafHash.toBytes());
    }
    records.flip();
    long position = start;
    while (records.hasRemaining()) {
      position += entries.write(records, position);
    }
    return position;
  }
}
