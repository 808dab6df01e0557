package dev.bkv.modeltests.traceio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.modelcheck.Manifest;
import dev.bkv.modelcheck.ModelCheck;
import dev.bkv.modelcheck.ModelEntry;
import dev.bkv.modelcheck.ModelReport;
import dev.bkv.modelcheck.ProgressListener;
import dev.bkv.modelcheck.SpecCatalog;
import dev.bkv.modelcheck.TlcInvocation;
import dev.bkv.modelcheck.TlcOutcome;
import dev.bkv.modeltests.ModelTestSupport;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * TraceIO end to end: TLC loads JSON and NDJSON traces through the Java override and
 * checks a counter spec over them (the trace-validation pattern); a trace with an
 * impossible step is rejected, a malformed file fails naming its line and JSON path, and
 * without the override the module fails saying so.
 */
class TraceIOSelfTest {
  private static Path selfTestRoot() throws URISyntaxException {
    return Path.of(TraceIOSelfTest.class.getResource("/traceio/TraceIOSelfTest/manifest.json").toURI())
        .getParent().getParent();
  }

  private static Path libraryDirectory() throws Exception {
    return SpecCatalog.locateSpecRoot(Path.of("")).resolve("lib");
  }

  private static ModelReport run(Manifest manifest, ModelEntry model, boolean withOverrides) throws Exception {
    TlcInvocation.Settings settings = ModelTestSupport.settings(
        ModelTestSupport.WORK_ROOT.resolve("traceio"), libraryDirectory(), withOverrides);
    return ModelCheck.check(new ModelCheck.Planned(manifest, model), settings, ProgressListener.SILENT);
  }

  private static Manifest manifest() throws Exception {
    return Manifest.read(selfTestRoot().resolve("TraceIOSelfTest").resolve(Manifest.FILE_NAME));
  }

  @Test
  void acceptsRecordedTracesAndRejectsAnImpossibleOne() throws Exception {
    Manifest manifest = manifest();
    for (ModelEntry model : manifest.models()) {
      ModelReport report = run(manifest, model, true);
      assertTrue(report.verdict().passed(), model.name() + ": " + report.verdict() + " " + report.result());
    }
    ModelReport rejected = run(manifest, manifest.model("Rejected").orElseThrow(), true);
    assertEquals(new TlcOutcome.Deadlock(), rejected.result().outcome());
    assertEquals(OptionalLong.of(3), rejected.result().traceLength(), "stuck before the third event");
  }

  @Test
  void aMalformedTraceFailsNamingItsLineAndPath() throws Exception {
    ModelReport report = run(manifest(), entry("Malformed", "TraceCounterMalformed.cfg"), true);
    String outcome = report.result().outcome().describe();
    assertTrue(outcome.contains("malformed.ndjson line 2: $.x: 2.5 is not an integer (TLA+ has no fractions)"), outcome);
  }

  @Test
  void withoutTheOverrideTheModuleSaysWhatIsMissing() throws Exception {
    ModelReport report = run(manifest(), entry("NoOverride", "TraceCounterOneTrace.cfg"), false);
    assertTrue(report.result().outcome() instanceof TlcOutcome.Failed, report.result().outcome().describe());
    assertTrue(report.result().outcome().describe().contains("TraceIO needs its Java override"),
        report.result().outcome().describe());
  }

  private static ModelEntry entry(String name, String config) {
    return new ModelEntry(name, "", config, "TraceCounter", ModelEntry.Suite.DEFAULT, ModelEntry.Mode.BFS,
        new TlcOutcome.Ok(), OptionalLong.of(1), true, Duration.ofMinutes(2), Optional.empty(),
        OptionalLong.empty(), OptionalLong.empty(), List.of());
  }
}
