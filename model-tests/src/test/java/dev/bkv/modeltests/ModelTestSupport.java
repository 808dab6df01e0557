package dev.bkv.modeltests;

import dev.bkv.modelcheck.TlcInvocation;
import dev.bkv.tracecheck.TraceIOOperators;
import java.nio.file.Path;
import java.util.List;

/** How model-tests runs TLC: output under target/, overrides on TLC's classpath. */
public final class ModelTestSupport {
  private ModelTestSupport() {}

  /** System property that adds the big suite: {@code mvn verify -Dbkv.tlc.big=true}. */
  public static final String BIG_FLAG = "bkv.tlc.big";

  /** TLC output, counterexamples included, goes under this module's target/. */
  public static final Path WORK_ROOT = Path.of("target", "tlc").toAbsolutePath();

  /** Workers for models expected to pass: the 2 cores CI has, or fewer. */
  public static int workers() {
    return Math.min(2, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Settings whose TLC classpath holds the TraceIO override (impl's classes, which hold the
   * JSON reader it uses too), so that any spec may EXTEND TraceIO; {@code libraryDirectory}
   * is the repo's spec/lib.
   */
  public static TlcInvocation.Settings settings(Path workRoot, Path libraryDirectory, boolean withOverrides) {
    List<Path> classpath = withOverrides
        ? List.of(TlcInvocation.codeLocation(TraceIOOperators.class))
        : List.of();
    return new TlcInvocation.Settings(workRoot, libraryDirectory, classpath, workers());
  }
}
