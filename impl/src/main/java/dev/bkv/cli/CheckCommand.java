package dev.bkv.cli;

import dev.bkv.base.HtmlPage;
import dev.bkv.modelcheck.Manifest;
import dev.bkv.modelcheck.ManifestException;
import dev.bkv.modelcheck.ModelCheck;
import dev.bkv.modelcheck.ModelReport;
import dev.bkv.modelcheck.ModelVerdict;
import dev.bkv.modelcheck.ProgressListener;
import dev.bkv.modelcheck.SpecCatalog;
import dev.bkv.modelcheck.SummaryPage;
import dev.bkv.modelcheck.SummaryTable;
import dev.bkv.modelcheck.TlcInvocation;
import dev.bkv.modelcheck.TlcProgress;
import dev.bkv.sim.TracedRuns;
import dev.bkv.storage.AtomicFile;
import dev.bkv.storage.StorageException;
import dev.bkv.tracecheck.TraceValidation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bkv check}: runs the TLC models of {@code spec/*}/manifest.json and compares them. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Model-check the TLA+ specs with TLC. Each model's outcome and distinct-state",
      "count must match spec/<Name>/manifest.json. Big models run only with --big",
      "or when named with --model. With --traces, validates simulated traces against",
      "spec/QuorumVault instead (no models run).",
      "With --html FILE, also writes the summary as one static HTML page.",
      "Exit code: 0 all as recorded (all traces accepted), 1 some differ (a trace not",
      "accepted, or the simulator found a violation), 2 bad input (or the page could",
      "not be written)."
    })
public final class CheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--spec", paramLabel = "NAME", description = "Only this spec (a folder of spec/).")
  String specName;

  @Option(names = "--model", paramLabel = "NAME", description = "Only this model (runs it even if it is big).")
  String modelName;

  @Option(names = "--big", description = "Also run the models of the big suite.")
  boolean big;

  @Option(names = "--workers", paramLabel = "N",
      description = "TLC workers for models expected to pass (default: up to 2 cores).")
  Integer workers;

  @Option(names = "--spec-root", paramLabel = "DIR",
      description = "The spec/ directory (default: the nearest spec/ at or above the current directory).")
  Path specRoot;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where TLC output and counterexamples go (default: target/bkv-check).")
  Path workDir = Path.of("target", "bkv-check");

  @Option(names = "--tlc-classpath", paramLabel = "PATH", split = ":",
      description = "Extra classpath entries for TLC, e.g. operator overrides.")
  List<Path> extraClasspath = new ArrayList<>();

  @Option(names = "--html", paramLabel = "FILE",
      description = "Also write the summary (models, or with --traces the traces and their action coverage) as one "
          + "self-contained HTML page; written whole or not at all.")
  Path html;

  @Option(names = "--traces", paramLabel = "N",
      description = "Validate N simulated traces against spec/QuorumVault with TLC (at most "
          + TraceCheckRun.TRACES_RUN_MAX + "); runs no models.")
  Integer traces;

  @Option(names = "--hsms", paramLabel = "N,...", split = ",",
      description = "With --traces: fleet sizes the traces are split over evenly (default: 3,5).")
  List<Integer> hsms;

  @Option(names = "--seed", paramLabel = "S", description = "With --traces: the first seed; then S+1, ... (default: 1).")
  Long seed;

  @Option(names = "--batch", paramLabel = "N",
      description = "With --traces: traces per TLC run, at most " + TraceValidation.TRACES_MAX + " (default: "
          + TraceCheckRun.BATCH_DEFAULT + ").")
  Integer batch;

  @Option(names = "--spec-bugs", paramLabel = "NAME,...", split = ",",
      description = "With --traces: validate against the spec with these protections removed (negative check: "
          + "valid traces must then be rejected).")
  List<String> specBugs;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (traces == null && (hsms != null || seed != null || batch != null || specBugs != null)) {
      err.println("bkv check: --hsms, --seed, --batch and --spec-bugs need --traces");
      return 2;
    }
    if (traces != null && (specName != null || modelName != null || big)) {
      err.println("bkv check: --spec, --model and --big select models; --traces runs none");
      return 2;
    }
    if (html != null && traces == null) {
      // Checked before TLC runs for minutes; --traces checks it with its other options.
      try {
        Inputs.writableFile("--html", html);
      } catch (IllegalArgumentException e) {
        err.println("bkv check: " + e.getMessage());
        return 2;
      }
    }
    int workerCount = workers != null ? workers : Math.min(2, Runtime.getRuntime().availableProcessors());
    if (workerCount < 1 || workerCount > TlcInvocation.WORKERS_MAX) {
      err.println("bkv check: --workers must be in 1.." + TlcInvocation.WORKERS_MAX + ", got " + workerCount);
      return 2;
    }
    List<ModelCheck.Planned> planned;
    Path root;
    try {
      root = specRoot != null ? specRoot.toAbsolutePath() : SpecCatalog.locateSpecRoot(Path.of(""));
      if (traces != null) {
        return checkTraces(root, workerCount, out, err);
      }
      List<Manifest> manifests = SpecCatalog.discover(root);
      planned = ModelCheck.plan(manifests, new ModelCheck.Selection(
          Optional.ofNullable(specName), Optional.ofNullable(modelName), big));
    } catch (ManifestException e) {
      err.println("bkv check: " + e.getMessage());
      return 2;
    }
    TlcInvocation.Settings settings =
        new TlcInvocation.Settings(workDir.toAbsolutePath(), root.resolve("lib"), extraClasspath, workerCount);
    List<ModelReport> reports = new ArrayList<>();
    for (ModelCheck.Planned p : planned) {
      out.printf("%s  (%s, expect %s)%n", p.label(), p.model().mode().name().toLowerCase(), p.model().expected().describe());
      out.flush();
      try {
        ModelReport report = ModelCheck.check(p, settings, new Printer(out));
        reports.add(report);
        printVerdict(out, report);
      } catch (IOException e) {
        err.println("bkv check: cannot run TLC for " + p.label() + ": " + e.getMessage());
        return 2;
      }
    }
    out.println();
    out.print(SummaryTable.render(reports));
    long failed = reports.stream().filter(r -> !r.verdict().passed()).count();
    out.printf("%d of %d models as recorded.%n", reports.size() - failed, reports.size());
    if (html != null && !writePage(SummaryPage.of(reports), html, out, err)) {
      return 2;
    }
    return failed == 0 ? 0 : 1;
  }

  private int checkTraces(Path root, int workerCount, PrintWriter out, PrintWriter err) {
    TraceCheckRun.Plan plan;
    try {
      plan = TraceCheckRun.of(traces, hsms != null ? hsms : TracedRuns.FLEET_SIZES, seed != null ? seed : 1,
          batch != null ? batch : TraceCheckRun.BATCH_DEFAULT, specBugs != null ? specBugs : List.of(), root, workDir,
          workerCount, Optional.ofNullable(html));
    } catch (IllegalArgumentException e) {
      err.println("bkv check: " + e.getMessage());
      return 2;
    }
    return TraceCheckRun.run(plan, out, err);
  }

  /**
   * Writes the --html page whole (see {@link AtomicFile}) and says where; false, with the reason
   * on {@code err}, when it could not be written.
   */
  static boolean writePage(HtmlPage page, Path file, PrintWriter out, PrintWriter err) {
    try {
      AtomicFile.write(file, page.render().getBytes(StandardCharsets.UTF_8));
    } catch (StorageException e) {
      err.println("bkv check: cannot write --html " + file + ": " + e.getMessage());
      err.flush();
      return false;
    }
    out.println("Summary page: " + file);
    return true;
  }

  private static void printVerdict(PrintWriter out, ModelReport report) {
    if (report.verdict() instanceof ModelVerdict.Fail) {
      for (String reason : ((ModelVerdict.Fail) report.verdict()).reasons()) {
        out.println("  FAIL: " + reason);
      }
    } else {
      out.println("  PASS: " + report.result().outcome().describe());
    }
    if (!report.result().coverage().isEmpty()) {
      out.println("  coverage (distinct/total): " + report.result().coverage().describe());
    }
    out.println("  output: " + report.result().outputFile());
    out.flush();
  }

  /** Prints TLC's progress reports, and a line every tick so that long runs show life. */
  private static final class Printer implements ProgressListener {
    private final PrintWriter out;

    Printer(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void onProgress(TlcProgress p) {
      out.printf("  %,d distinct states, %,d on queue, %,d generated, %s%n",
          p.distinctStates(), p.queueStates(), p.generatedStates(), SummaryTable.clock(p.elapsed()));
      out.flush();
    }

    @Override
    public void onTick(Duration elapsed, Optional<TlcProgress> latest) {
      out.printf("  ... %s elapsed%s%n", SummaryTable.clock(elapsed),
          latest.map(p -> String.format(", last report %,d distinct states", p.distinctStates())).orElse(""));
      out.flush();
    }
  }
}
