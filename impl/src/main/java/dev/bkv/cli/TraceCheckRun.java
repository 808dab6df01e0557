package dev.bkv.cli;

import dev.bkv.sim.TracedRuns;
import dev.bkv.tracecheck.TraceCheckException;
import dev.bkv.tracecheck.TraceCoverage;
import dev.bkv.tracecheck.TraceReport;
import dev.bkv.tracecheck.TraceRunSummary;
import dev.bkv.tracecheck.TraceSummaryPage;
import dev.bkv.tracecheck.TraceValidation;
import dev.bkv.tracecheck.TraceVerdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bkv check --traces N}: simulates N traceable schedules split over the chosen fleet
 * sizes, validates their traces against spec/QuorumVault with TLC batch by batch (so no more
 * than one batch of traces is held at once), and prints a summary and the action coverage.
 * Every trace not accepted is described and its JSON saved, so that it can be replayed.
 */
final class TraceCheckRun {
  /** Most traces one run simulates and validates: at ~2 s of TLC each, more than two days. */
  static final int TRACES_RUN_MAX = 100_000;
  /** Traces per TLC run unless --batch says otherwise. */
  static final int BATCH_DEFAULT = 200;
  /** A progress line after at least this many simulated traces, and at the end of each batch. */
  static final int PROGRESS_EVERY_TRACES = 50;
  /** TLC's time limit for a batch: a fixed start-up allowance and a generous share per trace (~3 s measured). */
  static final Duration TLC_TIMEOUT_BASE = Duration.ofMinutes(5);
  static final Duration TLC_TIMEOUT_PER_TRACE = Duration.ofSeconds(60);

  /** The trace model TLC runs, under the spec root. */
  static final String TRACE_SPEC = "QuorumVault/TraceQuorumVault.tla";

  /** What to run, checked by {@link #of}. */
  record Plan(int traces, List<Integer> hsms, long firstSeed, int batch, Set<String> bugs, Path specRoot,
      Path workDir, int workers, Optional<Path> html) {}

  /** The figures of one fleet size, summed over its batches. */
  private static final class Tally {
    int traces;
    long events;
    int eventsMin = Integer.MAX_VALUE;
    int eventsMax;
    int accepted;
    int rejected;
    Duration tlc = Duration.ZERO;
    final Map<String, Long> coverage = new LinkedHashMap<>();
  }

  private final Plan plan;
  private final PrintWriter out;
  private final Map<Integer, Tally> tallies = new LinkedHashMap<>();
  private final List<String> simulatorViolations = new ArrayList<>();
  private final List<String> notAccepted = new ArrayList<>();

  private TraceCheckRun(Plan plan, PrintWriter out) {
    this.plan = plan;
    this.out = out;
  }

  /** Checks the options; an {@link IllegalArgumentException} is one line naming the option. */
  static Plan of(int traces, List<Integer> hsms, long firstSeed, int batch, List<String> bugs, Path specRoot,
      Path workDir, int workers, Optional<Path> html) {
    Inputs.range("--traces", traces, 1, TRACES_RUN_MAX);
    Inputs.range("--batch", batch, 1, TraceValidation.TRACES_MAX);
    Set<Integer> sizes = new LinkedHashSet<>(hsms);
    if (hsms.isEmpty() || !TracedRuns.FLEET_SIZES.containsAll(sizes) || sizes.size() != hsms.size()) {
      throw new IllegalArgumentException("--hsms must list distinct fleet sizes of " + TracedRuns.FLEET_SIZES + ", got " + hsms);
    }
    if (firstSeed > Long.MAX_VALUE - traces) {
      throw new IllegalArgumentException("--seed must leave room for " + traces + " seeds, got " + firstSeed);
    }
    if (!Files.isRegularFile(specRoot.resolve(TRACE_SPEC))) {
      throw new IllegalArgumentException("--spec-root: " + specRoot + " holds no " + TRACE_SPEC);
    }
    Path dir = workDir.toAbsolutePath().resolve("traces");
    try {
      // The same checks TLC's settings make, before any simulation runs.
      new TraceValidation.Settings(specRoot, dir, Set.copyOf(bugs), workers, TLC_TIMEOUT_BASE);
    } catch (TraceCheckException e) {
      throw new IllegalArgumentException((bugs.isEmpty() ? "" : "--spec-bugs: ") + e.getMessage());
    }
    html.ifPresent(file -> Inputs.writableFile("--html", file));
    return new Plan(traces, List.copyOf(hsms), firstSeed, batch, Set.copyOf(bugs), specRoot, dir, workers, html);
  }

  /**
   * Runs the plan; returns the exit code (0 all accepted, 1 any trace not accepted or any
   * simulator violation, 2 the --html page could not be written).
   */
  static int run(Plan plan, PrintWriter out, PrintWriter err) {
    TraceCheckRun run = new TraceCheckRun(plan, out);
    try {
      run.all();
    } catch (IOException | TraceCheckException e) {
      err.println("bkv check: trace validation failed: " + e.getMessage());
      err.flush();
      return 1;
    }
    TraceRunSummary summary = run.summary();
    run.print(summary);
    if (plan.html().isPresent() && !CheckCommand.writePage(TraceSummaryPage.of(summary), plan.html().get(), out, err)) {
      return 2;
    }
    return summary.passed() ? 0 : 1;
  }

  private void all() throws IOException {
    out.printf("Trace validation: %,d traces over %s HSMs, seeds from %d, batches of at most %d%s%n", plan.traces(),
        plan.hsms(), plan.firstSeed(), plan.batch(),
        plan.bugs().isEmpty() ? "" : ", spec with protections removed: " + String.join(", ", plan.bugs()));
    long seed = plan.firstSeed();
    int sizes = plan.hsms().size();
    for (int i = 0; i < sizes; i++) {
      int hsms = plan.hsms().get(i);
      int count = plan.traces() / sizes + (i < plan.traces() % sizes ? 1 : 0);
      Tally tally = new Tally();
      tallies.put(hsms, tally);
      for (int done = 0, number = 1; done < count; number++) {
        int size = Math.min(plan.batch(), count - done);
        batch(hsms, number, seed + done, size, tally);
        done += size;
      }
      seed += count;
    }
  }

  /** Simulates {@code size} runs from {@code firstSeed} and validates their traces in one TLC run. */
  private void batch(int hsms, int number, long firstSeed, int size, Tally tally) throws IOException {
    if (size == 0) {
      return;
    }
    List<String> traces = new ArrayList<>(size);
    long[] seeds = new long[size];
    for (int k = 0; k < size; k++) {
      long seed = firstSeed + k;
      TracedRuns.Run run = TracedRuns.run(TracedRuns.schedule(seed, hsms), seed);
      run.result().violation().ifPresent(v -> {
        String line = "seed " + seed + " (" + hsms + " HSMs, schedule " + run.schedule() + "): simulator found " + v;
        simulatorViolations.add(line);
        out.println("  " + line);
      });
      traces.add(run.trace());
      seeds[k] = seed;
      tally.traces++;
      tally.events += run.events();
      tally.eventsMin = Math.min(tally.eventsMin, run.events());
      tally.eventsMax = Math.max(tally.eventsMax, run.events());
      if ((k + 1) % PROGRESS_EVERY_TRACES == 0 || k + 1 == size) {
        out.printf("%d HSMs: %,d traces simulated, %,d events so far%n", hsms, tally.traces, tally.events);
        out.flush();
      }
    }
    Path dir = plan.workDir().resolve(hsms + "hsms-batch" + number);
    TraceReport report = TraceValidation.validate(traces, new TraceValidation.Settings(plan.specRoot(), dir,
        plan.bugs(), plan.workers(), TLC_TIMEOUT_BASE.plus(TLC_TIMEOUT_PER_TRACE.multipliedBy(size))));
    tally.accepted += report.verdicts().size() - report.rejected().size();
    tally.rejected += report.rejected().size();
    tally.tlc = tally.tlc.plus(report.tlcTime());
    report.coverage().counts().forEach((action, n) -> tally.coverage.merge(action, n, Long::sum));
    out.printf("%d HSMs batch %d: %d traces checked in %.1f s; so far %,d accepted, %,d rejected%n", hsms, number, size,
        seconds(report.tlcTime()), tally.accepted, tally.rejected);
    report.failure().ifPresent(f -> out.println("  TLC stopped early: " + f + " (output: " + report.outputFile() + ")"));
    for (TraceVerdict v : report.rejected()) {
      Path saved = plan.workDir().resolve("rejected-" + hsms + "hsms-seed" + seeds[v.trace() - 1] + ".json");
      Files.writeString(saved, traces.get(v.trace() - 1), StandardCharsets.UTF_8);
      out.println("  " + v.describe());
      out.println("    trace saved to " + saved);
      notAccepted.add(hsms + " HSMs: " + v.describe() + "; saved to " + saved);
    }
    out.flush();
  }

  /** The tallies as the summary's figures, in the order the fleet sizes ran. */
  private TraceRunSummary summary() {
    List<TraceRunSummary.Fleet> fleets = new ArrayList<>();
    tallies.forEach((hsms, t) -> fleets.add(new TraceRunSummary.Fleet(hsms, t.traces, t.events, t.eventsMin,
        t.eventsMax, t.accepted, t.rejected, t.tlc, t.coverage)));
    return new TraceRunSummary(fleets, plan.bugs(), notAccepted, simulatorViolations);
  }

  private void print(TraceRunSummary summary) {
    out.println();
    out.printf("%-7s %8s %12s %6s %8s %6s %9s %9s %8s %12s%n", "Fleet", "Traces", "Events", "min", "mean", "max",
        "Accepted", "Rejected", "TLC s", "TLC s/trace");
    for (TraceRunSummary.Fleet f : summary.fleets()) {
      out.printf("%-7s %8d %12d %6d %8.1f %6d %9d %9d %8.1f %12.2f%n", f.hsms() + " HSMs", f.traces(), f.events(),
          f.eventsMin(), (double) f.events() / f.traces(), f.eventsMax(), f.accepted(), f.rejected(), seconds(f.tlc()),
          seconds(f.tlc()) / f.traces());
    }
    out.println();
    out.println("Actions taken by accepted traces (events per spec action):");
    StringBuilder header = new StringBuilder(String.format("  %-22s", "Action"));
    summary.fleets().forEach(f -> header.append(String.format(" %10s", f.hsms() + " HSMs")));
    out.println(header.append(String.format(" %10s", "Total")));
    for (String action : TraceCoverage.SPEC_ACTIONS) {
      StringBuilder line = new StringBuilder(String.format("  %-22s", action));
      summary.fleets().forEach(f -> line.append(String.format(" %10d", f.taken(action))));
      long total = summary.taken(action);
      line.append(String.format(" %10d", total));
      if (total == 0) {
        line.append("   not covered");
      }
      out.println(line);
    }
    int untaken = summary.untaken().size();
    out.printf("%d of %d traces accepted; %d of %d actions covered%s.%n", summary.accepted(), summary.traces(),
        TraceCoverage.SPEC_ACTIONS.size() - untaken, TraceCoverage.SPEC_ACTIONS.size(),
        simulatorViolations.isEmpty() ? "" : "; the simulator's checker found " + simulatorViolations.size()
            + " violation(s)");
    out.flush();
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
