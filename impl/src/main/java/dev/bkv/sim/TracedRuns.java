package dev.bkv.sim;

import dev.bkv.firmware.FirmwareOptions;
import dev.bkv.trace.TraceRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Simulated runs recorded for trace validation: schedules short enough for TLC to replay
 * (one entry per AppendEntries, no snapshots, a few hundred events) that still hold every
 * kind of fault and client request, and the recorded trace of a run.
 */
public final class TracedRuns {
  /** Fleet sizes a generated schedule has: the smallest fleet, and one spread over three datacenters. */
  public static final List<Integer> FLEET_SIZES = List.of(3, 5);
  /** Users of a generated schedule (the trace model's {@code User}). */
  public static final int USERS = 2;
  /** Ticks within which the random events of a generated schedule fall; then the fleet heals. */
  public static final int TICKS = 100;
  /** Random events of a generated schedule, besides one registration per user at the start. */
  public static final int EVENTS = 14;
  /** Ticks before this one are the users' registrations. */
  public static final int FIRST_TICK = 1 + USERS;
  /** Arguments of random events (HSM numbers, masks, counts, versions are taken modulo what fits). */
  public static final int ARGUMENT_MAX = 8;

  /**
   * The kinds of a generated schedule's random events, a kind listed twice drawn twice as
   * often: client requests weigh more than faults, since a trace needs logins to finish and
   * registrations to expose.
   */
  public static final List<Schedule.Kind> EVENT_KINDS = List.of(
      Schedule.Kind.REGISTER, Schedule.Kind.LOGIN, Schedule.Kind.LOGIN, Schedule.Kind.LOGIN, Schedule.Kind.ATTACK,
      Schedule.Kind.REPLAY_LOGIN, Schedule.Kind.STATUS,
      Schedule.Kind.CRASH, Schedule.Kind.CRASH, Schedule.Kind.TORN, Schedule.Kind.LOST_FSYNC, Schedule.Kind.ROLLBACK,
      Schedule.Kind.BIT_FLIP, Schedule.Kind.PARTITION, Schedule.Kind.ISOLATE_LEADER, Schedule.Kind.HEAL,
      Schedule.Kind.LOSSY, Schedule.Kind.DELAY, Schedule.Kind.REPLAY, Schedule.Kind.TAMPER, Schedule.Kind.MISDIRECT,
      Schedule.Kind.LOSE_DC);

  /** One recorded run: what ran, what the simulator's own checker found, and the trace as JSON. */
  public record Run(long seed, Schedule schedule, SimResult result, String trace, int events) {}

  private TracedRuns() {}

  /**
   * A traceable schedule of {@code hsms} HSMs (3 in three datacenters, 5 as 2 + 2 + 1) drawn
   * from {@code seed}: every user registers first, then random faults and client requests.
   */
  public static Schedule schedule(long seed, int hsms) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Schedule.Event> events = new ArrayList<>();
    for (int k = 0; k < EVENTS; k++) {
      events.add(new Schedule.Event(FIRST_TICK + r.nextInt(TICKS - FIRST_TICK),
          EVENT_KINDS.get(r.nextInt(EVENT_KINDS.size())), r.nextInt(ARGUMENT_MAX), r.nextInt(ARGUMENT_MAX)));
    }
    return of(hsms, events);
  }

  /**
   * The traceable schedule of {@code hsms} HSMs whose random events are {@code events} (at
   * {@link #FIRST_TICK} or later), after one registration per user.
   */
  public static Schedule of(int hsms, List<Schedule.Event> events) {
    if (!FLEET_SIZES.contains(hsms)) {
      throw new IllegalArgumentException("traced fleets have " + FLEET_SIZES + " HSMs, got " + hsms);
    }
    for (Schedule.Event e : events) {
      if (e.tick() < FIRST_TICK) {
        throw new IllegalArgumentException("a traced schedule's random events start at tick " + FIRST_TICK
            + " (the registrations come first), got " + e);
      }
    }
    List<Schedule.Event> all = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      all.add(new Schedule.Event(1 + u, Schedule.Kind.REGISTER, u, 0));
    }
    all.addAll(events);
    return new Schedule(hsms, placement(hsms), Schedule.SNAPSHOT_NEVER, 1, USERS, all);
  }

  /** A valid placement: 3 HSMs in three datacenters, 5 as 2 + 2 + 1. */
  public static List<Integer> placement(int hsms) {
    return hsms == 3 ? List.of(0, 1, 2) : List.of(0, 0, 1, 1, 2);
  }

  /** Runs {@code schedule} from {@code seed} with every transition recorded. */
  public static Run run(Schedule schedule, long seed, FirmwareOptions options, SimDisk.Factory disks) {
    TraceRecorder recorder = new TraceRecorder();
    SimResult result = Simulator.run(schedule, seed, options, disks, recorder);
    return new Run(seed, schedule, result, recorder.toJson(), recorder.events().size());
  }

  /** Runs {@code schedule} from {@code seed} with production firmware on the spec's own disk model. */
  public static Run run(Schedule schedule, long seed) {
    return run(schedule, seed, FirmwareOptions.PRODUCTION, SimDisk.versioned());
  }
}
