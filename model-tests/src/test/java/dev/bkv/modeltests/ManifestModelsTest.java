package dev.bkv.modeltests;

import static org.junit.jupiter.api.Assertions.fail;

import dev.bkv.modelcheck.ManifestException;
import dev.bkv.modelcheck.ModelCheck;
import dev.bkv.modelcheck.ModelReport;
import dev.bkv.modelcheck.ModelVerdict;
import dev.bkv.modelcheck.ProgressListener;
import dev.bkv.modelcheck.SpecCatalog;
import dev.bkv.modelcheck.SummaryTable;
import dev.bkv.modelcheck.TlcInvocation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * DESIGN §3: every model of every {@code spec/<Name>/manifest.json} reaches its recorded
 * outcome (success, or the named violation) and its recorded distinct-state count. One
 * dynamic test per model; the big suite joins with {@code -Dbkv.tlc.big=true}.
 * Counterexamples stay in {@code target/tlc/<Spec>/<Model>.out}.
 */
class ManifestModelsTest {
  private static final List<ModelReport> REPORTS = new ArrayList<>();

  @TestFactory
  Stream<DynamicTest> everyModelReachesItsRecordedOutcome() throws ManifestException {
    Path specRoot = SpecCatalog.locateSpecRoot(Path.of(""));
    boolean big = Boolean.getBoolean(ModelTestSupport.BIG_FLAG);
    List<ModelCheck.Planned> planned = ModelCheck.plan(SpecCatalog.discover(specRoot),
        new ModelCheck.Selection(Optional.empty(), Optional.empty(), big));
    TlcInvocation.Settings settings =
        ModelTestSupport.settings(ModelTestSupport.WORK_ROOT, specRoot.resolve("lib"), true);
    return planned.stream().map(p -> DynamicTest.dynamicTest(p.label(), () -> {
      ModelReport report = ModelCheck.check(p, settings, ProgressListener.SILENT);
      synchronized (REPORTS) {
        REPORTS.add(report);
      }
      System.out.printf("[tlc] %s: %s, %s distinct states, depth %s, %s%n", p.label(),
          report.result().outcome().describe(),
          report.result().distinctStates().isPresent() ? String.format("%,d", report.result().distinctStates().getAsLong()) : "-",
          report.result().depth().isPresent() ? Long.toString(report.result().depth().getAsLong()) : "-",
          SummaryTable.clock(report.result().elapsed()));
      if (!report.result().coverage().isEmpty()) {
        System.out.printf("[tlc] %s coverage (distinct/total): %s%n", p.label(), report.result().coverage().describe());
      }
      if (report.verdict() instanceof ModelVerdict.Fail) {
        fail(p.label() + ": " + String.join("; ", ((ModelVerdict.Fail) report.verdict()).reasons())
            + " (TLC output: " + report.result().outputFile() + ")");
      }
    }));
  }

  @AfterAll
  static void printSummary() {
    synchronized (REPORTS) {
      if (!REPORTS.isEmpty()) {
        System.out.print(SummaryTable.render(REPORTS));
      }
    }
  }
}
