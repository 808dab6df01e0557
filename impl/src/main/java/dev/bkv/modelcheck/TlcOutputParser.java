package dev.bkv.modelcheck;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads TLC 2.18's console output line by line and keeps what the harness needs: the
 * latest progress report, the verdict, the final counts, the search depth and the length
 * of a counterexample, the number of initial states and the last block of action coverage.
 * The verdict comes from the text, never from the exit code alone.
 */
public final class TlcOutputParser {
  /** Longest failure reason kept, in characters (the full text is in the output file). */
  static final int REASON_CHARS_MAX = 600;
  /** Lines after a failure's {@code Error:} line that may explain it. */
  static final int REASON_LINES_MAX = 6;

  private static final String COUNT = "([\\d,]+)";
  private static final Pattern PROGRESS = Pattern.compile(
      "^Progress\\(\\d+\\) at .*?: " + COUNT + " states generated(?: \\([\\d,]+ s/min\\))?, "
          + COUNT + " distinct states found(?: \\([\\d,]+ ds/min\\))?, " + COUNT + " states left on queue\\.");
  private static final Pattern FINAL_COUNTS = Pattern.compile(
      "^" + COUNT + " states generated, " + COUNT + " distinct states found, " + COUNT + " states left on queue\\.");
  private static final Pattern SIMULATION_PROGRESS = Pattern.compile("^Progress: " + COUNT + " states checked");
  private static final Pattern DEPTH = Pattern.compile("^The depth of the complete state graph search is (\\d+)\\.");
  private static final Pattern TRACE_STATE = Pattern.compile("^State (\\d+): ");
  private static final Pattern INVARIANT = Pattern.compile("^Error: Invariant (\\S+) is violated");
  private static final String DEADLOCK = "Error: Deadlock reached.";
  private static final String TEMPORAL = "Error: Temporal properties were violated.";
  private static final String SUCCESS = "Model checking completed. No error has been found.";
  private static final String FINISHED = "Finished in ";
  /** TLC says "1 distinct state generated", or "2001 states generated, with 2000 of them distinct". */
  private static final Pattern INITIAL_STATES = Pattern.compile(
      "^Finished computing initial states: (?:" + COUNT + " distinct states? generated"
          + "|[\\d,]+ states? generated, with " + COUNT + " of them distinct)");
  private static final String COVERAGE_START = "The coverage statistics at ";
  /** TLC ends a block with "End of statistics." or, for a model it deems large, "End of statistics (please note ...)". */
  private static final String COVERAGE_END = "End of statistics";
  /** {@code <Name line ... of module M ...>: distinct:total}, one action of a coverage block. */
  private static final Pattern COVERAGE_ACTION = Pattern.compile("^<(\\w+) line .*>: (\\d+):(\\d+)$");
  private static final String ERROR = "Error: ";

  private final ModelEntry.Mode mode;
  private Optional<TlcOutcome> verdict = Optional.empty();
  private boolean success;
  private boolean finished;
  private TlcProgress progress;
  private OptionalLong distinct = OptionalLong.empty();
  private OptionalLong generated = OptionalLong.empty();
  private OptionalLong depth = OptionalLong.empty();
  private long traceLength;
  private OptionalLong initialStates = OptionalLong.empty();
  private ActionCoverage coverage = ActionCoverage.none();
  private ActionCoverage.Builder coverageBlock;
  private boolean initialPredicateSeen;
  private String coverageError;
  private final StringBuilder failureDetail = new StringBuilder();
  private int failureDetailLines = -1;

  public TlcOutputParser(ModelEntry.Mode mode) {
    this.mode = mode;
  }

  /**
   * Takes one line of output; returns the new progress report when the line was one, so
   * that callers can stream progress as TLC prints it.
   */
  public Optional<TlcProgress> accept(String line, Duration elapsed) {
    if (coverageBlock != null) {
      acceptCoverage(line);
      return Optional.empty();
    }
    if (line.startsWith(COVERAGE_START)) {
      coverageBlock = new ActionCoverage.Builder();
      initialPredicateSeen = false;
      return Optional.empty();
    }
    Matcher m = PROGRESS.matcher(line);
    if (m.find()) {
      progress = new TlcProgress(count(m.group(1)), count(m.group(2)), count(m.group(3)), elapsed);
      return Optional.of(progress);
    }
    m = SIMULATION_PROGRESS.matcher(line);
    if (m.find()) {
      generated = OptionalLong.of(count(m.group(1)));
      progress = new TlcProgress(generated.getAsLong(), 0, 0, elapsed);
      return Optional.of(progress);
    }
    m = FINAL_COUNTS.matcher(line);
    if (m.find()) {
      generated = OptionalLong.of(count(m.group(1)));
      distinct = OptionalLong.of(count(m.group(2)));
      return Optional.empty();
    }
    m = INITIAL_STATES.matcher(line);
    if (m.find()) {
      initialStates = OptionalLong.of(count(m.group(1) != null ? m.group(1) : m.group(2)));
      return Optional.empty();
    }
    m = DEPTH.matcher(line);
    if (m.find()) {
      depth = OptionalLong.of(Long.parseLong(m.group(1)));
      return Optional.empty();
    }
    m = TRACE_STATE.matcher(line);
    if (m.find()) {
      traceLength = Math.max(traceLength, Long.parseLong(m.group(1)));
      return Optional.empty();
    }
    if (line.startsWith(SUCCESS)) {
      success = true;
    } else if (line.startsWith(FINISHED)) {
      finished = true;
    } else if (line.startsWith(ERROR) && verdict.isEmpty()) {
      verdict = Optional.of(classify(line));
      failureDetailLines = verdict.get() instanceof TlcOutcome.Failed ? 0 : -1;
    } else {
      collectFailureDetail(line);
    }
    return Optional.empty();
  }

  /**
   * One line inside a coverage block. The first counted entry is the initial predicate, not
   * an action of {@code Next}; entries without counts are invariants; indented lines are
   * sub-expressions. TLC prints a block at every interval: the last complete one wins.
   */
  private void acceptCoverage(String line) {
    if (line.startsWith(COVERAGE_END)) {
      coverage = coverageBlock.build();
      coverageBlock = null;
      return;
    }
    Matcher m = COVERAGE_ACTION.matcher(line);
    if (!m.find()) {
      return;
    }
    if (!initialPredicateSeen) {
      initialPredicateSeen = true;
      return;
    }
    long distinctTaken = Long.parseLong(m.group(2));
    long totalTaken = Long.parseLong(m.group(3));
    if (totalTaken < distinctTaken) {
      coverageError = "coverage of " + m.group(1) + " has more distinct states than states: " + line;
    } else if (!coverageBlock.add(m.group(1), new ActionCoverage.Taken(distinctTaken, totalTaken))) {
      coverageError = "coverage lists more than " + ActionCoverage.ACTIONS_MAX + " actions";
    }
  }

  /**
   * TLC explains an error on the lines after its {@code Error:} line (an operator
   * override's message, say); they join the reason until a blank or another error line.
   */
  private void collectFailureDetail(String line) {
    if (failureDetailLines < 0) {
      return;
    }
    if (line.isBlank() || line.startsWith(ERROR) || failureDetailLines == REASON_LINES_MAX) {
      failureDetailLines = -1;
      return;
    }
    failureDetailLines++;
    if (!line.startsWith("This was probably caused") && !line.startsWith("See the User Output")) {
      failureDetail.append(' ').append(line.trim());
    }
  }

  /** The first {@code Error:} line decides; the lines after it describe the same error. */
  private static TlcOutcome classify(String line) {
    Matcher m = INVARIANT.matcher(line);
    if (m.find() && Names.isIdentifier(m.group(1))) {
      return new TlcOutcome.InvariantViolated(m.group(1));
    }
    if (line.startsWith(DEADLOCK)) {
      return new TlcOutcome.Deadlock();
    }
    if (line.startsWith(TEMPORAL)) {
      return new TlcOutcome.TemporalViolated();
    }
    return new TlcOutcome.Failed(line.substring(ERROR.length()).trim());
  }

  private static String cap(String reason) {
    return reason.length() > REASON_CHARS_MAX ? reason.substring(0, REASON_CHARS_MAX) + "..." : reason;
  }

  /** The latest progress report, if TLC printed one yet. */
  public Optional<TlcProgress> progress() {
    return Optional.ofNullable(progress);
  }

  /** The run's result once TLC has exited with {@code exitCode} (or was stopped). */
  public TlcResult result(int exitCode, Duration elapsed, Optional<String> stopped, Path outputFile) {
    TlcOutcome outcome;
    if (stopped.isPresent()) {
      outcome = new TlcOutcome.Failed(stopped.get());
    } else if (verdict.isPresent() && verdict.get() instanceof TlcOutcome.Failed) {
      outcome = new TlcOutcome.Failed(cap(((TlcOutcome.Failed) verdict.get()).reason() + failureDetail));
    } else if (verdict.isPresent()) {
      outcome = verdict.get();
    } else if (coverageError != null) {
      outcome = new TlcOutcome.Failed(cap(coverageError));
    } else if (exitCode == 0 && (success || (mode == ModelEntry.Mode.SIMULATE && finished))) {
      outcome = new TlcOutcome.Ok();
    } else {
      outcome = new TlcOutcome.Failed("TLC exited with code " + exitCode + " without a verdict");
    }
    OptionalLong distinctStates = mode == ModelEntry.Mode.SIMULATE ? OptionalLong.empty() : distinct;
    OptionalLong trace = traceLength > 0 ? OptionalLong.of(traceLength) : OptionalLong.empty();
    return new TlcResult(outcome, distinctStates, generated, depth, trace, initialStates, coverage,
        elapsed, exitCode, outputFile);
  }

  private static long count(String digits) {
    return Long.parseLong(digits.replace(",", ""));
  }
}
