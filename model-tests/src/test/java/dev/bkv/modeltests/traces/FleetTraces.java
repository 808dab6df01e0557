package dev.bkv.modeltests.traces;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.bkv.modelcheck.ManifestException;
import dev.bkv.modelcheck.SpecCatalog;
import dev.bkv.modeltests.ModelTestSupport;
import dev.bkv.sim.Schedule;
import dev.bkv.sim.TracedRuns;
import dev.bkv.tracecheck.TraceReport;
import dev.bkv.tracecheck.TraceValidation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.quicktheories.core.Gen;

/**
 * What the trace-validation tests share: QuickTheories generators of traceable fault
 * schedules, and TLC runs of trace batches against spec/QuorumVault.
 */
final class FleetTraces {
  /** A trace shorter than this says too little to count toward a run's figures. */
  static final int EVENTS_MIN = 50;
  /** Random events of a generated schedule, besides the users' registrations. */
  static final int RANDOM_EVENTS_MIN = 4;
  static final int RANDOM_EVENTS_MAX = TracedRuns.EVENTS;
  /** One TLC run's bound: generous, since the machines are shared. */
  static final Duration BATCH_TIMEOUT = Duration.ofMinutes(30);
  /** Where batches, their cfg and TLC's output go. */
  static final Path WORK_ROOT = ModelTestSupport.WORK_ROOT.resolve("traces");

  private FleetTraces() {}

  /** Traceable schedules of {@code hsms} HSMs: registrations, then random faults and client requests. */
  static Gen<Schedule> schedules(int hsms) {
    Gen<Integer> tick = integers().between(TracedRuns.FIRST_TICK, TracedRuns.TICKS - 1);
    Gen<Integer> kind = integers().between(0, TracedRuns.EVENT_KINDS.size() - 1);
    Gen<Integer> argument = integers().between(0, TracedRuns.ARGUMENT_MAX - 1);
    Gen<Schedule.Event> event = tick.zip(kind, argument, argument,
        (t, k, a, b) -> new Schedule.Event(t, TracedRuns.EVENT_KINDS.get(k), a, b));
    return lists().of(event).ofSizeBetween(RANDOM_EVENTS_MIN, RANDOM_EVENTS_MAX)
        .map(events -> TracedRuns.of(hsms, events)).describedAs(Schedule::toString);
  }

  /** Validates {@code traces} (one fleet size) against the spec, with the protections in {@code bugs} removed. */
  static TraceReport validate(List<String> traces, String batchName, Set<String> bugs) {
    try {
      Path specRoot = SpecCatalog.locateSpecRoot(Path.of(""));
      return TraceValidation.validate(traces, new TraceValidation.Settings(specRoot, WORK_ROOT.resolve(batchName),
          bugs, ModelTestSupport.workers(), BATCH_TIMEOUT));
    } catch (IOException | ManifestException e) {
      throw new IllegalStateException("cannot run TLC on " + batchName + ": " + e.getMessage(), e);
    }
  }
}
