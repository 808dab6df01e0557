package dev.bkv.modeltests.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.bkv.firmware.FirmwareOptions;
import dev.bkv.firmware.SeededBug;
import dev.bkv.sim.SealedDisk;
import dev.bkv.sim.Schedule;
import dev.bkv.sim.SimDisk;
import dev.bkv.sim.TracedRuns;
import dev.bkv.storage.StorageBugs;
import dev.bkv.tracecheck.StuckEvent;
import dev.bkv.tracecheck.TraceReport;
import dev.bkv.tracecheck.TraceVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Proof that trace validation can fail: every seeded bug of the fleet yields traces that TLC
 * rejects, including bugs the simulator's own checker does not notice in the same runs. The
 * table printed says, per bug, how many schedules it took, whether the Java checker caught it
 * in those schedules too, and where TLC first disagreed. One bug lives where traces cannot
 * go: {@code SNAPSHOT_DROPS_COUNTERS} corrupts snapshots, and traced runs take none (the spec
 * does not model compaction).
 */
class SeededBugTracesTest {
  /** Traces per TLC run, and runs per bug at most. */
  static final int BATCH = 6;
  static final int BATCHES_MAX = 6;
  /** Seeded bugs outside what a trace can show, each with the reason. */
  static final Set<String> OUT_OF_REACH = Set.of(SeededBug.SNAPSHOT_DROPS_COUNTERS.name());
  static final String TORN_WRITE_UNDETECTED = "TORN_WRITE_UNDETECTED";
  /**
   * A known gap, printed with the table: a torn sealed-log write that the reader fails to
   * detect is caught by the simulator's checker (SeededBugsTest), but every trace of it in the
   * schedules tried here was accepted by TLC, for a reason not yet understood. The test fails
   * if any other bug is missed, and if this one starts to be rejected (then it belongs in the
   * table).
   */
  static final Set<String> KNOWN_GAPS = Set.of(TORN_WRITE_UNDETECTED);
  /** TLC runs the shrink of one bug's schedule may take (a check that shrinking works). */
  static final int SHRINK_TRIES_MAX = 6;
  private static final long QT_SEED = 20261207L;

  /** A seeded bug, how to run it, and events added to every schedule to reach it sooner. */
  private record Bug(String name, FirmwareOptions options, SimDisk.Factory disks, int hsms, List<Integer> placement,
      List<Schedule.Event> extra) {}

  private static Schedule.Event at(int tick, Schedule.Kind kind, int a, int b) {
    return new Schedule.Event(tick, kind, a, b);
  }

  private record Found(String bug, int schedules, boolean javaCaught, TraceVerdict verdict, long seed,
      Schedule schedule) {}

  private static List<Bug> bugs() {
    List<Bug> bugs = new ArrayList<>();
    for (SeededBug bug : SeededBug.values()) {
      if (OUT_OF_REACH.contains(bug.name())) {
        continue;
      }
      int hsms = bug == SeededBug.NON_MAJORITY_QUORUM || bug == SeededBug.COMMIT_EARLIER_TERM
          || bug == SeededBug.PLACEMENT_MAJORITY_IN_ONE_DC ? 5 : 3;
      // A majority in one datacenter: the bug lets the fleet start; the spec has no such placement.
      List<Integer> placement = bug == SeededBug.PLACEMENT_MAJORITY_IN_ONE_DC ? List.of(0, 0, 0, 1, 2)
          : TracedRuns.placement(hsms);
      // Votes of an earlier term need elections that overlap: crashes, delays and replays.
      List<Schedule.Event> extra = bug == SeededBug.STALE_VOTES_COUNTED
          ? List.of(at(20, Schedule.Kind.DELAY, 6, 0), at(25, Schedule.Kind.CRASH, 0, 9), at(40, Schedule.Kind.REPLAY, 8, 0),
              at(45, Schedule.Kind.CRASH, 1, 7), at(60, Schedule.Kind.REPLAY, 8, 0), at(65, Schedule.Kind.CRASH, 2, 5))
          : List.of();
      bugs.add(new Bug(bug.name(), bug.options(), SimDisk.versioned(), hsms, placement, extra));
    }
    SimDisk.Factory tornUndetected = (hsm, seed) -> new SealedDisk(hsm, seed, StorageBugs::openWithTornWriteUndetected);
    // A torn write on every HSM in turn, while clients keep writing.
    List<Schedule.Event> torn = List.of(at(10, Schedule.Kind.TORN, 0, 3), at(12, Schedule.Kind.LOGIN, 0, 1),
        at(30, Schedule.Kind.TORN, 1, 3), at(32, Schedule.Kind.LOGIN, 1, 1), at(50, Schedule.Kind.TORN, 2, 3),
        at(52, Schedule.Kind.LOGIN, 0, 0));
    bugs.add(new Bug(TORN_WRITE_UNDETECTED, FirmwareOptions.PRODUCTION, tornUndetected, 3, TracedRuns.placement(3),
        torn));
    return bugs;
  }

  @Test
  void everySeededBugIsRejectedByTlc() {
    List<Found> found = new ArrayList<>();
    List<String> missed = new ArrayList<>();
    for (Bug bug : bugs()) {
      Optional<Found> f = hunt(bug);
      if (f.isPresent()) {
        found.add(f.get());
      } else {
        missed.add(bug.name());
      }
    }
    StringBuilder s = new StringBuilder(String.format("%ntrace validation of seeded bugs:%n%-28s %9s  %-12s %s%n",
        "bug", "schedules", "Java caught", "first event TLC could not match"));
    for (Found f : found) {
      String where = f.verdict().stuck().map(e -> "event " + e.event() + " " + e.action() + " " + e.fields().stream()
          .map(StuckEvent.FieldMismatch::field).toList()).orElse(f.verdict().status().name());
      s.append(String.format("%-28s %9d  %-12s %s%n", f.bug(), f.schedules(), f.javaCaught() ? "yes" : "NO", where));
    }
    long tlcOnly = found.stream().filter(f -> !f.javaCaught()).count();
    s.append(String.format("%d of %d bugs rejected by TLC; %d of them not caught by the Java checker in the same "
        + "schedules; out of reach of traces: %s%n", found.size(), found.size() + missed.size(), tlcOnly, OUT_OF_REACH));
    s.append("not rejected by TLC in " + BATCH * BATCHES_MAX + " schedules each: " + missed + "\n");
    System.out.print(s);
    assertEquals(KNOWN_GAPS, Set.copyOf(missed), "bugs TLC did not reject, against the known gaps" + s);
  }

  /** A rejected trace's schedule shrinks with TLC as the oracle, and stays rejected. */
  @Test
  void aRejectedScheduleShrinksAndStaysRejected() {
    Bug bug = bugs().stream().filter(b -> b.name().equals(SeededBug.VOLATILE_COMMIT_INDEX_KEPT.name())).findFirst()
        .orElseThrow();
    Found f = hunt(bug).orElseThrow();
    TraceShrinker.Shrunk shrunk = TraceShrinker.shrink(f.schedule(), s -> rejected(bug, s, f.seed()), SHRINK_TRIES_MAX);
    System.out.println("shrunk " + bug.name() + " in " + shrunk.tries() + " TLC runs from " + f.schedule().events().size()
        + " to " + shrunk.schedule().events().size() + " events: " + shrunk.schedule());
    assertTrue(shrunk.schedule().events().size() < f.schedule().events().size(), "the shrink dropped an event");
    assertTrue(rejected(bug, shrunk.schedule(), f.seed()), "the shrunk schedule is still rejected");
    assertTrue(shrunk.tries() <= SHRINK_TRIES_MAX, "the shrink stayed within its budget");
  }

  private static boolean rejected(Bug bug, Schedule schedule, long seed) {
    TracedRuns.Run run = TracedRuns.run(schedule, seed, bug.options(), bug.disks());
    return !FleetTraces.validate(List.of(run.trace()), "bug-shrink", Set.of()).allAccepted();
  }

  /** Runs traced schedules with the bug on, a batch at a time, until TLC rejects one. */
  private static Optional<Found> hunt(Bug bug) {
    List<Long> seeds = new ArrayList<>();
    List<Schedule> schedules = new ArrayList<>();
    qt().withFixedSeed(QT_SEED + bug.name().hashCode()).withExamples(BATCH * BATCHES_MAX).withShrinkCycles(0)
        .forAll(longs().all(), FleetTraces.schedules(bug.hsms()))
        .checkAssert((seed, schedule) -> {
          seeds.add(seed);
          List<Schedule.Event> events = new ArrayList<>(schedule.events());
          events.addAll(bug.extra());
          schedules.add(new Schedule(schedule.hsms(), bug.placement(), schedule.snapshotEvery(), schedule.batch(),
              schedule.users(), events));
        });
    boolean javaCaught = false;
    for (int b = 0; b < BATCHES_MAX; b++) {
      List<TracedRuns.Run> runs = new ArrayList<>();
      for (int k = b * BATCH; k < (b + 1) * BATCH; k++) {
        runs.add(TracedRuns.run(schedules.get(k), seeds.get(k), bug.options(), bug.disks()));
      }
      TraceReport report = FleetTraces.validate(runs.stream().map(TracedRuns.Run::trace).toList(),
          "bug-" + bug.name() + "-" + b, Set.of());
      // A trace TLC itself rejected explains the bug better than one refused for an integer TLC cannot hold.
      Optional<TraceVerdict> first = report.rejected().stream()
          .filter(v -> v.status() != TraceVerdict.Status.OUT_OF_RANGE).findFirst()
          .or(() -> report.rejected().stream().findFirst());
      for (TraceVerdict v : report.verdicts()) {
        TracedRuns.Run run = runs.get(v.trace() - 1);
        javaCaught |= run.result().violation().isPresent();
        if (first.isPresent() && first.get() == v) {
          System.out.println("traces: " + bug.name() + ": " + v.describe());
          return Optional.of(new Found(bug.name(), b * BATCH + v.trace(), javaCaught, v, run.seed(), run.schedule()));
        }
      }
    }
    return Optional.empty();
  }
}
