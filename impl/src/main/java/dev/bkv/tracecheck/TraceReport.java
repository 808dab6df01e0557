package dev.bkv.tracecheck;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The result of checking one batch: a verdict per trace (in batch order), the coverage of
 * the accepted ones, TLC's figures, and why TLC stopped early if it did. TLC's whole output
 * is in {@code outputFile}.
 */
public record TraceReport(List<TraceVerdict> verdicts, TraceCoverage coverage, Duration tlcTime,
    OptionalLong distinctStates, Optional<String> failure, List<InvariantBreak> breaks, Path outputFile) {

  public TraceReport {
    verdicts = List.copyOf(verdicts);
    breaks = List.copyOf(breaks);
  }

  public boolean allAccepted() {
    return verdicts.stream().allMatch(TraceVerdict::accepted);
  }

  public List<TraceVerdict> rejected() {
    return verdicts.stream().filter(v -> !v.accepted()).toList();
  }

  /** A few lines for a person: the counts, each trace not accepted, untaken actions. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    out.append(verdicts.size() - rejected().size()).append(" of ").append(verdicts.size())
        .append(" traces accepted in ").append(tlcTime.toMillis()).append(" ms");
    distinctStates.ifPresent(n -> out.append(", ").append(n).append(" distinct states"));
    out.append('\n');
    failure.ifPresent(f -> out.append("TLC stopped early: ").append(f).append('\n'));
    rejected().forEach(v -> out.append(v.describe()).append('\n'));
    if (!coverage.untaken().isEmpty()) {
      out.append("actions no accepted trace took: ").append(String.join(", ", coverage.untaken())).append('\n');
    }
    return out.toString();
  }
}
