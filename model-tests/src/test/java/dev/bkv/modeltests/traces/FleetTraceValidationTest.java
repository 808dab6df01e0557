package dev.bkv.modeltests.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.bkv.sim.Schedule;
import dev.bkv.sim.TracedRuns;
import dev.bkv.tracecheck.TraceCoverage;
import dev.bkv.tracecheck.TraceReport;
import dev.bkv.tracecheck.TraceVerdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Trace validation, the loop between the model and the code: QuickTheories generates fault
 * schedules for fleets of 3 and 5 HSMs, the simulator runs each with every transition
 * recorded, and TLC checks in batches that every trace is a behaviour of spec/QuorumVault
 * (TraceQuorumVault.tla), with every safety invariant on. A rejected trace fails the test
 * with the event TLC could not match, the fields that disagree and the schedule's seed,
 * after the schedule is shrunk with TLC as the oracle. {@code -Dbkv.traces=N} sets how many
 * traces (default 200, half per fleet size).
 */
class FleetTraceValidationTest {
  static final String TRACES_FLAG = "bkv.traces";
  static final int TRACES_DEFAULT = 200;
  /** Traces per TLC run (TLC's start-up is paid once per batch). */
  static final int BATCH_MAX = 200;
  /** Schedules generated per trace wanted: short traces are generated again, not counted. */
  static final int GENERATED_PER_TRACE = 3;
  /** TLC runs a shrink may spend on a failing schedule. */
  static final int SHRINK_TRIES_MAX = 24;
  private static final long QT_SEED = 20261206L;

  private record Planned(long seed, Schedule schedule) {}

  private record Row(int hsms, int traces, long events, int eventsMin, int eventsMax, int accepted, double tlcSeconds) {}

  @Test
  void everyGeneratedTraceIsABehaviourOfTheSpec() {
    int total = Integer.getInteger(TRACES_FLAG, TRACES_DEFAULT);
    assertTrue(total >= TracedRuns.FLEET_SIZES.size(), TRACES_FLAG + " must be at least " + TracedRuns.FLEET_SIZES.size());
    Map<String, Long> coverage = new LinkedHashMap<>();
    TraceCoverage.SPEC_ACTIONS.forEach(a -> coverage.put(a, 0L));
    List<Row> rows = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    int sizes = TracedRuns.FLEET_SIZES.size();
    for (int f = 0; f < sizes; f++) {
      int hsms = TracedRuns.FLEET_SIZES.get(f);
      int wanted = total / sizes + (f < total % sizes ? 1 : 0);
      List<Planned> plan = plan(hsms, wanted * GENERATED_PER_TRACE);
      int next = 0;
      int traces = 0;
      long events = 0;
      int eventsMin = Integer.MAX_VALUE;
      int eventsMax = 0;
      int accepted = 0;
      double tlcSeconds = 0;
      for (int batch = 1; traces < wanted && next < plan.size(); batch++) {
        List<TracedRuns.Run> runs = new ArrayList<>();
        while (runs.size() < Math.min(BATCH_MAX, wanted - traces) && next < plan.size()) {
          Planned p = plan.get(next++);
          TracedRuns.Run run = TracedRuns.run(p.schedule(), p.seed());
          if (run.result().violation().isPresent()) {
            failures.add("the simulator's own checker failed seed " + p.seed() + ": " + run.result().violation().get()
                + "\n  schedule: " + p.schedule());
          }
          if (run.events() >= FleetTraces.EVENTS_MIN) {
            runs.add(run);
          }
        }
        TraceReport report = FleetTraces.validate(runs.stream().map(TracedRuns.Run::trace).toList(),
            hsms + "hsms-batch" + batch, Set.of());
        System.out.printf("traces: %d HSMs batch %d: %s", hsms, batch, report.describe());
        for (TraceVerdict v : report.verdicts()) {
          TracedRuns.Run run = runs.get(v.trace() - 1);
          events += run.events();
          eventsMin = Math.min(eventsMin, run.events());
          eventsMax = Math.max(eventsMax, run.events());
          if (v.accepted()) {
            accepted++;
          } else {
            failures.add(rejected(v, run));
          }
        }
        report.coverage().counts().forEach((action, n) -> coverage.merge(action, n, Long::sum));
        traces += runs.size();
        tlcSeconds += report.tlcTime().toMillis() / 1000.0;
      }
      assertEquals(wanted, traces, "traces of at least " + FleetTraces.EVENTS_MIN + " events generated for " + hsms
          + " HSMs from " + plan.size() + " schedules");
      rows.add(new Row(hsms, traces, events, eventsMin, eventsMax, accepted, tlcSeconds));
    }
    System.out.print(summary(rows, coverage));
    if (!failures.isEmpty()) {
      fail(failures.size() + " problem(s):\n" + String.join("\n", failures));
    }
    List<String> untaken = coverage.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList();
    assertTrue(untaken.isEmpty(), "spec actions no validated trace took: " + untaken);
  }

  /**
   * The first run of this test found it: a leader of term 1 that stepped down on an
   * AppendEntries of term 2, which also told it that its own guess entry was committed,
   * released that guess's answer as a follower in the same step; the spec releases only from
   * the leader that commits. Rejected at event 172 before the fix.
   */
  @Test
  void aLeaderThatStepsDownAnswersNothingInThatStep() {
    assertReplayAccepted("hsms=5 dcs=0,0,1,1,2 snap=1000000 batch=1 users=2 | 1:REGISTER:0:0 "
        + "2:REGISTER:1:0 10:ATTACK:1:2 25:LOGIN:6:4 29:HEAL:5:4 35:HEAL:5:6 39:ISOLATE_LEADER:2:0 45:CRASH:0:7 "
        + "53:TAMPER:6:4 75:CRASH:0:5 90:LOST_FSYNC:5:1", 1383969904750328L, "stepped-down");
  }

  /**
   * Found by a 2,000-trace run: an HSM with writes not yet synced when its datacenter was
   * lost was later "crashed" by the simulated host when the unsynced period ended, and the
   * trace showed a Restart of a destroyed HSM, which the spec has no step for. Rejected at
   * event 43 before the fix.
   */
  @Test
  void aDestroyedHsmIsNeverRestarted() {
    assertReplayAccepted("hsms=3 dcs=0,1,2 snap=1000000 batch=1 users=2 | 1:REGISTER:0:0 "
        + "2:REGISTER:1:0 12:ROLLBACK:4:4 19:REPLAY_LOGIN:5:6 29:LOST_FSYNC:5:5 30:TORN:6:1 32:LOSE_DC:5:5 "
        + "45:REGISTER:6:3 46:LOGIN:7:2 65:LOST_FSYNC:1:2 67:LOSE_DC:7:5 68:LOGIN:0:4 79:LOSSY:6:4 92:TAMPER:1:4",
        773980939978574465L, "destroyed-restart");
  }

  /** Reruns a schedule that once gave a rejected trace; TLC must accept its trace now. */
  private static void assertReplayAccepted(String schedule, long seed, String batchName) {
    TracedRuns.Run run = TracedRuns.run(Schedule.parse(schedule), seed);
    TraceReport report = FleetTraces.validate(List.of(run.trace()), batchName, Set.of());
    assertTrue(report.allAccepted(), report.describe());
  }

  /** Schedules and seeds for {@code hsms} HSMs, from QuickTheories with a fixed seed. */
  private static List<Planned> plan(int hsms, int count) {
    List<Planned> plan = new ArrayList<>();
    qt().withFixedSeed(QT_SEED + hsms).withExamples(count).withShrinkCycles(0)
        .forAll(longs().all(), FleetTraces.schedules(hsms))
        .checkAssert((seed, schedule) -> plan.add(new Planned(seed, schedule)));
    return plan;
  }

  /** The rejection, explained, with the schedule shrunk with TLC as the oracle. */
  private static String rejected(TraceVerdict verdict, TracedRuns.Run run) {
    TraceShrinker.Shrunk shrunk = TraceShrinker.shrink(run.schedule(), s -> {
      TracedRuns.Run again = TracedRuns.run(s, run.seed());
      return !FleetTraces.validate(List.of(again.trace()), "shrink", Set.of()).allAccepted();
    }, SHRINK_TRIES_MAX);
    return verdict.describe() + "\n  shrunk in " + shrunk.tries() + " TLC runs to (seed " + run.seed() + "): "
        + shrunk.schedule();
  }

  private static String summary(List<Row> rows, Map<String, Long> coverage) {
    StringBuilder s = new StringBuilder("\ntrace validation against spec/QuorumVault:\n");
    s.append(String.format("%6s %7s %9s %6s %7s %6s %9s %7s %9s%n", "HSMs", "traces", "events", "min", "mean", "max",
        "accepted", "TLC s", "s/trace"));
    for (Row r : rows) {
      s.append(String.format("%6d %7d %9d %6d %7.1f %6d %9d %7.1f %9.2f%n", r.hsms(), r.traces(), r.events(),
          r.eventsMin(), (double) r.events() / r.traces(), r.eventsMax(), r.accepted(), r.tlcSeconds(),
          r.tlcSeconds() / r.traces()));
    }
    s.append("events per spec action in validated traces:\n");
    coverage.forEach((action, n) -> s.append(String.format("  %-22s %8d%s%n", action, n, n == 0 ? "  NOT TAKEN" : "")));
    return s.toString();
  }
}
