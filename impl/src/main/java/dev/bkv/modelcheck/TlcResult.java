package dev.bkv.modelcheck;

import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The figures of one finished TLC run. Counts are empty when TLC did not print them (a
 * parse error, or a simulation, which reports states checked rather than distinct states).
 * The counterexample, if any, is in {@code outputFile} together with the rest of the output.
 * Coverage is empty when TLC printed none (a run that failed before its end).
 */
public record TlcResult(
    TlcOutcome outcome,
    OptionalLong distinctStates,
    OptionalLong generatedStates,
    OptionalLong depth,
    OptionalLong traceLength,
    OptionalLong initialStates,
    ActionCoverage coverage,
    Duration elapsed,
    int exitCode,
    Path outputFile) {}
