package dev.bkv.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What one simulation runs: the fleet's shape and a list of timed fault and client events.
 * The seed given to {@link Simulator#run} decides everything else (delays, which message a
 * fault hits, client choices). {@link #toString()} is a one-line text form that
 * {@link #parse} reads back, so a printed failing schedule can be rerun exactly.
 *
 * <p>Events that would break the spec's fault budget are skipped by the simulator, so every
 * schedule, including any a shrinker makes, is a valid one.
 */
public record Schedule(int hsms, List<Integer> placement, int snapshotEvery, int batch, int users, List<Event> events) {
  /** Fleets of 3..7 HSMs, in at most this many datacenters. */
  public static final int HSMS_MIN = 3;
  public static final int HSMS_MAX = 7;
  public static final int DATACENTERS_MAX = 3;
  public static final int USERS_MAX = 8;
  public static final int EVENTS_MAX = 400;
  /** Faults and client starts happen before this tick; then the fleet heals (G9). */
  public static final long TICK_MAX = 5_000;
  /** Entries per AppendEntries, at most (the spec sends one; the core's default is 256). */
  public static final int BATCH_MAX = 256;
  /** A snapshot interval this large means "never" within one run. */
  public static final int SNAPSHOT_NEVER = 1_000_000;

  /** What the host (or a client) does at a tick. {@code a} and {@code b} are the kind's arguments. */
  public enum Kind {
    /** Crash HSM a and keep it down b ticks (volatile state lost; NVRAM and disk kept). */
    CRASH,
    /** HSM a's next log write is followed by a crash before the NVRAM head is written; down b ticks. */
    TORN,
    /** HSM a's log writes for b ticks are not synced; then it crashes and loses them. */
    LOST_FSYNC,
    /** Crash HSM a and hand it back sealed version number b (modulo the versions kept). */
    ROLLBACK,
    /** Crash HSM a; its storage finds the entry at position b (modulo the log) damaged. */
    BIT_FLIP,
    /** Cut the HSMs in bit mask a off from the others, both ways. */
    PARTITION,
    /** Cut the current leader (if any) off from everyone. */
    ISOLATE_LEADER,
    /** Remove every cut. */
    HEAL,
    /** From now on drop a% and duplicate b% of messages sent. */
    LOSSY,
    /** From now on delay each message 1..a ticks. */
    DELAY,
    /** Re-inject a old messages from the archive. */
    REPLAY,
    /** Tamper with the next a messages sent. */
    TAMPER,
    /** Deliver the next a messages to the wrong HSM. */
    MISDIRECT,
    /** Destroy datacenter a for good: its HSMs, NVRAM and disks. */
    LOSE_DC,
    /** User a registers (store, then expose). */
    REGISTER,
    /** User a logs in with the right password (b = 1) or a wrong one (b = 0), then finishes at the same HSM. */
    LOGIN,
    /** The attacker guesses wrong b times against user a. */
    ATTACK,
    /** The attacker replays b old finished logins (KE3) at random HSMs. */
    REPLAY_LOGIN,
    /** User a reads its status from the leader. */
    STATUS
  }

  /** One event. */
  public record Event(long tick, Kind kind, int a, int b) {
    public Event {
      if (tick < 0 || tick >= TICK_MAX) {
        throw new IllegalArgumentException("event tick " + tick + " not in 0.." + (TICK_MAX - 1));
      }
      if (kind == null) {
        throw new IllegalArgumentException("event kind missing");
      }
      if (a < 0 || b < 0) {
        throw new IllegalArgumentException("event arguments must be non-negative: " + a + ", " + b);
      }
    }

    @Override
    public String toString() {
      return tick + ":" + kind + ":" + a + ":" + b;
    }
  }

  public Schedule {
    if (hsms < HSMS_MIN || hsms > HSMS_MAX) {
      throw new IllegalArgumentException("hsms must be " + HSMS_MIN + ".." + HSMS_MAX + ", not " + hsms);
    }
    placement = List.copyOf(placement);
    if (placement.size() != hsms) {
      throw new IllegalArgumentException("placement names " + placement.size() + " datacenters for " + hsms + " HSMs");
    }
    for (int dc : placement) {
      if (dc < 0 || dc >= DATACENTERS_MAX) {
        throw new IllegalArgumentException("datacenter " + dc + " not in 0.." + (DATACENTERS_MAX - 1));
      }
    }
    if (snapshotEvery < 1 || snapshotEvery > SNAPSHOT_NEVER) {
      throw new IllegalArgumentException("snapshot interval must be 1.." + SNAPSHOT_NEVER);
    }
    if (batch < 1 || batch > BATCH_MAX) {
      throw new IllegalArgumentException("batch must be 1.." + BATCH_MAX);
    }
    if (users < 1 || users > USERS_MAX) {
      throw new IllegalArgumentException("users must be 1.." + USERS_MAX);
    }
    if (events.size() > EVENTS_MAX) {
      throw new IllegalArgumentException("at most " + EVENTS_MAX + " events, not " + events.size());
    }
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(Event::tick));
    events = List.copyOf(sorted);
  }

  /** The datacenter names the membership uses, one per HSM. */
  public List<String> datacenterNames() {
    List<String> names = new ArrayList<>();
    for (int dc : placement) {
      names.add("dc" + dc);
    }
    return names;
  }

  /** Whether a run of this schedule can be traced: the spec's one entry per AppendEntries, and no snapshots. */
  public boolean isTraceable() {
    return batch == 1 && snapshotEvery == SNAPSHOT_NEVER;
  }

  /** This schedule with one entry per AppendEntries and no snapshots, so that its runs can be traced. */
  public Schedule traceable() {
    return new Schedule(hsms, placement, SNAPSHOT_NEVER, 1, users, events);
  }

  /** The tick after the last event: faults end here and the fleet heals. */
  public long faultsEnd() {
    return events.isEmpty() ? 0 : events.get(events.size() - 1).tick() + 1;
  }

  /** {@code hsms=5 dcs=0,1,2,0,1 snap=16 batch=256 users=3 | 10:CRASH:2:30 25:HEAL:0:0}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("hsms=").append(hsms).append(" dcs=");
    for (int n = 0; n < placement.size(); n++) {
      s.append(n == 0 ? "" : ",").append(placement.get(n));
    }
    s.append(" snap=").append(snapshotEvery).append(" batch=").append(batch);
    s.append(" users=").append(users).append(" |");
    for (Event e : events) {
      s.append(' ').append(e);
    }
    return s.toString();
  }

  /** Reads {@link #toString()}'s form back; one line naming the first thing wrong otherwise. */
  public static Schedule parse(String text) {
    String[] halves = text.trim().split("\\|", -1);
    if (halves.length != 2) {
      throw new IllegalArgumentException("schedule: expected 'hsms=.. dcs=.. snap=.. batch=.. users=.. | events', got: "
          + text);
    }
    String[] header = halves[0].trim().split("\\s+");
    if (header.length != 5) {
      throw new IllegalArgumentException("schedule header: expected hsms, dcs, snap, batch, users, got: "
          + halves[0].trim());
    }
    int hsms = intField(header[0], "hsms");
    List<Integer> placement = new ArrayList<>();
    for (String dc : field(header[1], "dcs").split(",")) {
      placement.add(number(dc, "dcs"));
    }
    int snap = intField(header[2], "snap");
    int batch = intField(header[3], "batch");
    int users = intField(header[4], "users");
    List<Event> events = new ArrayList<>();
    String body = halves[1].trim();
    if (!body.isEmpty()) {
      for (String token : body.split("\\s+")) {
        String[] parts = token.split(":");
        if (parts.length != 4) {
          throw new IllegalArgumentException("schedule event '" + token + "': expected tick:KIND:a:b");
        }
        Kind kind;
        try {
          kind = Kind.valueOf(parts[1]);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("schedule event '" + token + "': unknown kind " + parts[1]);
        }
        events.add(new Event(longNumber(parts[0], "tick"), kind, number(parts[2], "a"), number(parts[3], "b")));
      }
    }
    return new Schedule(hsms, placement, snap, batch, users, events);
  }

  private static String field(String token, String name) {
    if (!token.startsWith(name + "=")) {
      throw new IllegalArgumentException("schedule header: expected " + name + "=..., got " + token);
    }
    return token.substring(name.length() + 1);
  }

  private static int intField(String token, String name) {
    return number(field(token, name), name);
  }

  private static int number(String text, String name) {
    long value = longNumber(text, name);
    if (value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("schedule: " + name + " " + text + " too large");
    }
    return (int) value;
  }

  private static long longNumber(String text, String name) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("schedule: " + name + " '" + text + "' is not a number");
    }
  }
}
