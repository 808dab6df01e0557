package dev.bkv.tracecheck;

import dev.bkv.modelcheck.TlcInvocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The files of one trace-validation run, all in its work directory: the batch, a root
 * module that only extends TraceQuorumVault, and its configuration. The spec's folder and
 * spec/lib are found through TLC's library path, so nothing is written beside the spec.
 */
final class TraceModel {
  private TraceModel() {}

  /** Smallest MaxTerm and MaxLogLen given to TLC. */
  static final int BOUND_MIN = 1000;
  static final String MODULE = "TraceRun";
  static final String BATCH_FILE = "batch.json";
  /** Every safety invariant of QuorumVault stays on, and ReportStuck prints where a trace stops. */
  static final String INVARIANTS = "TypeOK ElectionSafety LogMatching LeaderCompleteness StateMachineSafety "
      + "CommitIndexInLog GuessLimit RetryCountsNothing Durability RollbackSafety UpToDateHoldsCommitted ReportStuck";

  /** The command that checks the batch; writes the batch, module and config into {@code dir}. */
  static TlcInvocation write(List<RenderedTrace> traces, Set<String> bugs, Path specRoot, Path dir, int workers)
      throws IOException {
    Files.createDirectories(dir);
    Path batch = dir.resolve(BATCH_FILE).toAbsolutePath();
    Files.writeString(batch, traces.stream().map(RenderedTrace::json).collect(Collectors.joining(",\n", "[\n", "\n]\n")),
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(MODULE + ".tla"),
        "---- MODULE " + MODULE + " ----\nEXTENDS TraceQuorumVault\n====\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(MODULE + ".cfg"), config(traces, bugs, batch), StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:+UseParallelGC");
    command.add("-DTLA-Library=" + specRoot.resolve("QuorumVault").toAbsolutePath() + java.io.File.pathSeparator
        + specRoot.resolve("lib").toAbsolutePath());
    command.add("-cp");
    command.add(TlcInvocation.tlaToolsLocation().toAbsolutePath() + java.io.File.pathSeparator
        + TlcInvocation.codeLocation(TraceIOOperators.class).toAbsolutePath());
    command.add("tlc2.TLC");
    command.add("-workers");
    command.add(Integer.toString(workers));
    // A trace that stops leaves a state with no successor: that is a verdict, not an error.
    command.add("-deadlock");
    // Keep walking the other traces after an invariant breaks on one of them.
    command.add("-continue");
    command.add("-metadir");
    command.add(dir.resolve("states").toAbsolutePath().toString());
    command.add("-config");
    command.add(MODULE + ".cfg");
    command.add(MODULE);
    return new TlcInvocation(command, dir.toAbsolutePath(), dir.resolve("states").toAbsolutePath(),
        dir.resolve(MODULE + ".out").toAbsolutePath());
  }

  /**
   * The constants of the fleet the traces share. Terms and logs grow by at most one per
   * event, so bounds of at least the longest trace's length never disable a step.
   */
  static String config(List<RenderedTrace> traces, Set<String> bugs, Path batch) {
    RenderedTrace first = traces.get(0);
    int n = first.hsms();
    int bound = BOUND_MIN;
    for (RenderedTrace trace : traces) {
      bound = Math.max(bound, trace.actions().size() + 1);
    }
    List<String> servers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      servers.add(Integer.toString(i));
    }
    return "CONSTANTS\n"
        + "  Server = {" + String.join(", ", servers) + "}\n"
        + "  Datacenters = " + n + "\n"
        + "  User = " + quotedSet(new TreeSet<>(first.users())) + "\n"
        + "  MaxAttempts = 5\n"
        + "  Preregistered = FALSE\n"
        + "  ClientOps = {\"Store\", \"Guess\", \"Expose\", \"Recover\", \"Fail\", \"Noop\"}\n"
        + "  MaxTerm = " + bound + "\n"
        + "  MaxLogLen = " + bound + "\n"
        + "  HostRestarts = TRUE\n"
        + "  TornWrites = TRUE\n"
        + "  MaxRollbacks = " + n + "\n"
        + "  DatacenterLoss = TRUE\n"
        + "  ElectionsRunAlone = FALSE\n"
        + "  Bugs = " + quotedSet(new TreeSet<>(bugs)) + "\n"
        + "  Nil = Nil\n"
        + "  TraceFile = \"" + batch + "\"\n"
        + "INIT TraceInit\n"
        + "NEXT TraceNext\n"
        + "INVARIANTS\n"
        + "  " + INVARIANTS + "\n";
  }

  private static String quotedSet(Set<String> names) {
    return names.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ", "{", "}"));
  }
}
