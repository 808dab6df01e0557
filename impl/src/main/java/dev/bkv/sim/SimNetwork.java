package dev.bkv.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The host-owned network between HSMs: messages in flight with delivery delays, and the
 * faults the host may cause (drop, duplicate, reorder, delay, replay, misdirect, cut).
 * Tampering happens at the sender (see {@link Simulator}), where the message is still known.
 * Every message ever sent is archived (the most recent {@link #ARCHIVE_MAX}) for replays.
 */
final class SimNetwork {
  /** Messages in flight; beyond it new ones are dropped (the host's buffers are finite). */
  static final int IN_FLIGHT_MAX = 8192;
  /** Old messages kept for replay. */
  static final int ARCHIVE_MAX = 1024;
  /** The normal delivery delay, 1..this many ticks. */
  static final int DELAY_NORMAL_TICKS = 3;
  static final int DELAY_MAX_TICKS = 40;
  static final int PERCENT_MAX = 50;

  record Packet(long deliverAt, long order, int from, int to, byte[] bytes) {}

  private final SplittableRandom random;
  private final int n;
  private final PriorityQueue<Packet> inFlight =
      new PriorityQueue<>(Comparator.comparingLong(Packet::deliverAt).thenComparingLong(Packet::order));
  private final ArrayDeque<Packet> archive = new ArrayDeque<>();
  private final boolean[][] cut;
  private int dropPercent;
  private int duplicatePercent;
  private int delayMax = DELAY_NORMAL_TICKS;
  private int misdirectLeft;
  private long sent;

  SimNetwork(SplittableRandom random, int n) {
    this.random = random;
    this.n = n;
    this.cut = new boolean[n][n];
  }

  void send(long now, int from, int to, byte[] bytes) {
    sent++;
    if (archive.size() >= ARCHIVE_MAX) {
      archive.removeFirst();
    }
    archive.addLast(new Packet(0, 0, from, to, bytes));
    if (random.nextInt(100) < dropPercent) {
      return;
    }
    if (misdirectLeft > 0) {
      misdirectLeft--;
      to = random.nextInt(n);
    }
    enqueue(now, from, to, bytes);
    if (random.nextInt(100) < duplicatePercent) {
      enqueue(now, from, to, bytes);
    }
  }

  private void enqueue(long now, int from, int to, byte[] bytes) {
    if (inFlight.size() < IN_FLIGHT_MAX) {
      inFlight.add(new Packet(now + 1 + random.nextInt(delayMax), random.nextLong(), from, to, bytes));
    }
  }

  /** The next message due at {@code now} that no cut stops, or null. */
  Packet nextDue(long now) {
    while (!inFlight.isEmpty() && inFlight.peek().deliverAt() <= now) {
      Packet p = inFlight.poll();
      if (!cut[p.from()][p.to()]) {
        return p;
      }
    }
    return null;
  }

  void replay(long now, int count) {
    List<Packet> old = new ArrayList<>(archive);
    for (int c = 0; c < count && !old.isEmpty(); c++) {
      Packet p = old.get(random.nextInt(old.size()));
      enqueue(now, p.from(), p.to(), p.bytes());
    }
  }

  /** Cuts every link between the HSMs in {@code side} and the others. */
  void partition(int side) {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        cut[i][j] = ((side >> i) & 1) != ((side >> j) & 1);
      }
    }
  }

  void isolate(int hsm) {
    for (int j = 0; j < n; j++) {
      cut[hsm][j] = j != hsm;
      cut[j][hsm] = j != hsm;
    }
  }

  /** No cuts, no loss, normal delays: the network of G9. */
  void heal() {
    for (boolean[] row : cut) {
      java.util.Arrays.fill(row, false);
    }
  }

  void settle() {
    heal();
    dropPercent = 0;
    duplicatePercent = 0;
    delayMax = DELAY_NORMAL_TICKS;
    misdirectLeft = 0;
  }

  void lossy(int drop, int duplicate) {
    dropPercent = Math.min(drop, PERCENT_MAX);
    duplicatePercent = Math.min(duplicate, PERCENT_MAX);
  }

  void delay(int ticks) {
    delayMax = 1 + Math.min(ticks, DELAY_MAX_TICKS - 1);
  }

  void misdirect(int count) {
    misdirectLeft = Math.min(count, PERCENT_MAX);
  }

  long sent() {
    return sent;
  }
}
