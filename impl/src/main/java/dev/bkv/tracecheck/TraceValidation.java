package dev.bkv.tracecheck;

import dev.bkv.modelcheck.ModelEntry;
import dev.bkv.modelcheck.ProgressListener;
import dev.bkv.modelcheck.TlcInvocation;
import dev.bkv.modelcheck.TlcOutcome;
import dev.bkv.modelcheck.TlcResult;
import dev.bkv.modelcheck.TlcRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a batch of recorded fleet traces against spec/QuorumVault with TLC
 * (TraceQuorumVault), in a subprocess, and turns TLC's output into a verdict per trace.
 */
public final class TraceValidation {
  private TraceValidation() {}

  /** Most traces in one batch (one TLC run). */
  public static final int TRACES_MAX = 1000;
  /** Most characters of all traces of a batch together; the batch file stays well under TraceIO's limit. */
  public static final long BATCH_CHARS_MAX = 64L << 20;
  /** Most characters of TLC output read; the runner keeps no more than this in its file. */
  static final long OUTPUT_CHARS_MAX = 64L << 20;

  private static final Pattern BUG = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

  /**
   * Where the spec is ({@code specRoot} holds QuorumVault/ and lib/), where the run's files
   * go ({@code workDir}, replaced on each run), which protections of the spec to remove
   * (empty, except for a negative run), TLC workers and TLC's time limit.
   */
  public record Settings(Path specRoot, Path workDir, Set<String> bugs, int workers, Duration timeout) {
    public Settings {
      bugs = Set.copyOf(bugs);
      for (String bug : bugs) {
        if (!BUG.matcher(bug).matches()) {
          throw new TraceCheckException("bug name must be an identifier of at most 64 characters, got \"" + bug + "\"");
        }
      }
      if (workers < 1 || workers > TlcInvocation.WORKERS_MAX) {
        throw new TraceCheckException("TLC workers must be in 1.." + TlcInvocation.WORKERS_MAX + ", got " + workers);
      }
      String dir = workDir.toAbsolutePath().toString();
      if (dir.contains("\"") || dir.contains("\\")) {
        throw new TraceCheckException("work directory must not contain a quote or backslash: " + dir);
      }
    }
  }

  /**
   * Checks {@code traces} (each a rendered trace, a JSON array of events) with TLC. They
   * must share one fleet size and one set of users. Throws {@link TraceCheckException},
   * before running TLC, for a batch that cannot be checked as given.
   */
  public static TraceReport validate(List<String> traces, Settings settings) throws IOException {
    List<RenderedTrace> batch = read(traces);
    // TLC numbers the traces it is given 1, 2, ...; those it cannot hold stay out of its batch.
    List<RenderedTrace> checkable = batch.stream().filter(t -> t.outOfRangeEvent() == 0).toList();
    if (checkable.isEmpty()) {
      List<TraceVerdict> none = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        none.add(new TraceVerdict(i + 1, batch.get(i).seed(), batch.get(i).schedule(), TraceVerdict.Status.OUT_OF_RANGE,
            Optional.empty(), List.of()));
      }
      return new TraceReport(none, TraceCoverage.of(batch, none), Duration.ZERO, OptionalLong.empty(), Optional.empty(),
          List.of(), settings.workDir());
    }
    TlcInvocation invocation = TraceModel.write(checkable, settings.bugs(), settings.specRoot(), settings.workDir(),
        settings.workers());
    TlcResult result = TlcRunner.run(invocation, ModelEntry.Mode.BFS, settings.timeout(), ProgressListener.SILENT);
    TraceOutput output = parse(result.outputFile());
    Optional<String> failure = failure(result, output);
    List<TraceVerdict> verdicts = new ArrayList<>();
    int tlcNumber = 0;
    for (int i = 0; i < batch.size(); i++) {
      RenderedTrace trace = batch.get(i);
      if (trace.outOfRangeEvent() != 0) {
        verdicts.add(new TraceVerdict(i + 1, trace.seed(), trace.schedule(), TraceVerdict.Status.OUT_OF_RANGE,
            Optional.empty(), List.of()));
      } else {
        TraceVerdict v = verdict(++tlcNumber, trace, output, failure.isPresent());
        verdicts.add(new TraceVerdict(i + 1, v.seed(), v.schedule(), v.status(), v.stuck(), v.breaks()));
      }
    }
    return new TraceReport(verdicts, TraceCoverage.of(batch, verdicts), result.elapsed(), result.distinctStates(),
        failure, output.breaks(), result.outputFile());
  }

  static List<RenderedTrace> read(List<String> traces) {
    if (traces.isEmpty() || traces.size() > TRACES_MAX) {
      throw new TraceCheckException("a batch holds 1.." + TRACES_MAX + " traces, got " + traces.size());
    }
    long chars = 0;
    List<RenderedTrace> batch = new ArrayList<>();
    for (String json : traces) {
      chars += json.length();
      if (chars > BATCH_CHARS_MAX) {
        throw new TraceCheckException("the traces of a batch exceed " + BATCH_CHARS_MAX + " characters together");
      }
      RenderedTrace trace = RenderedTrace.parse(json, batch.size() + 1);
      RenderedTrace first = batch.isEmpty() ? trace : batch.get(0);
      if (trace.hsms() != first.hsms() || !new HashSet<>(trace.users()).equals(new HashSet<>(first.users()))) {
        throw new TraceCheckException("trace " + (batch.size() + 1) + ": fleet of " + trace.hsms() + " HSMs with users "
            + trace.users() + " differs from trace 1's " + first.hsms() + " HSMs with users " + first.users());
      }
      batch.add(trace);
    }
    return batch;
  }

  static TraceOutput parse(Path outputFile) throws IOException {
    TraceOutput output = new TraceOutput();
    long chars = 0;
    try (BufferedReader in = Files.newBufferedReader(outputFile, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null && chars <= OUTPUT_CHARS_MAX) {
        chars += line.length() + 1;
        output.accept(line);
      }
    }
    output.end();
    return output;
  }

  /** Why the verdicts cannot be trusted to be complete, if they cannot. */
  static Optional<String> failure(TlcResult result, TraceOutput output) {
    if (result.outcome() instanceof TlcOutcome.Failed) {
      return Optional.of(result.outcome().describe());
    }
    if (!output.finished()) {
      return Optional.of("TLC's output ended before its last line (cut at " + OUTPUT_CHARS_MAX + " characters?)");
    }
    return output.problem();
  }

  static TraceVerdict verdict(int number, RenderedTrace trace, TraceOutput output, boolean stopped) {
    List<InvariantBreak> breaks = output.breaks().stream()
        .filter(b -> b.trace().isEmpty() || b.trace().getAsInt() == number)
        .toList();
    Optional<StuckEvent> stuck = output.stuck(number);
    TraceVerdict.Status status;
    if (!breaks.isEmpty()) {
      status = TraceVerdict.Status.INVARIANT_BROKEN;
    } else if (output.accepted().contains(number)) {
      status = TraceVerdict.Status.ACCEPTED;
    } else if (stopped) {
      status = TraceVerdict.Status.UNCHECKED;
    } else if (stuck.isPresent()) {
      status = TraceVerdict.Status.REJECTED;
    } else {
      status = TraceVerdict.Status.NO_INITIAL_STATE;
    }
    return new TraceVerdict(number, trace.seed(), trace.schedule(), status, stuck, breaks);
  }
}
