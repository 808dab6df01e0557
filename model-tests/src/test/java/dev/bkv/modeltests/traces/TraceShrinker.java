package dev.bkv.modeltests.traces;

import dev.bkv.sim.Schedule;
import dev.bkv.sim.TracedRuns;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Shrinks a schedule whose trace TLC rejected, with TLC as the oracle: drops one random
 * event at a time (the users' registrations stay) and keeps each drop after which the
 * run's trace is still rejected. Each try is a simulation and a TLC run, so tries are
 * bounded.
 */
final class TraceShrinker {
  private TraceShrinker() {}

  /** What a shrink found: the smallest schedule still rejected, and how many TLC runs it took. */
  record Shrunk(Schedule schedule, int tries) {}

  /**
   * The smallest schedule reached from {@code failing} for which {@code rejected} still
   * holds, trying at most {@code triesMax} candidates.
   */
  static Shrunk shrink(Schedule failing, Predicate<Schedule> rejected, int triesMax) {
    List<Schedule.Event> events = randomEvents(failing);
    int tries = 0;
    boolean progress = true;
    while (progress && tries < triesMax) {
      progress = false;
      for (int k = events.size() - 1; k >= 0 && tries < triesMax; k--) {
        List<Schedule.Event> fewer = new ArrayList<>(events);
        fewer.remove(k);
        tries++;
        if (rejected.test(rebuild(failing, fewer))) {
          events = fewer;
          progress = true;
        }
      }
    }
    return new Shrunk(rebuild(failing, events), tries);
  }

  /** The events after the users' registrations. */
  private static List<Schedule.Event> randomEvents(Schedule s) {
    return new ArrayList<>(s.events().subList(Math.min(TracedRuns.USERS, s.events().size()), s.events().size()));
  }

  private static Schedule rebuild(Schedule like, List<Schedule.Event> events) {
    Schedule plain = TracedRuns.of(like.hsms(), events);
    return new Schedule(like.hsms(), like.placement(), plain.snapshotEvery(), plain.batch(), plain.users(),
        plain.events());
  }
}
