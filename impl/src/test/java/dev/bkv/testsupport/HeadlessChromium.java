package dev.bkv.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real browser for the pages BKV writes: Debian's {@code chromium} (or {@code BKV_CHROMIUM}),
 * headless, loading a page from {@code file://}, running its script, and giving back the DOM
 * as the script left it, or a screenshot. Where there is none, the calling test is skipped with
 * a message saying so.
 */
public final class HeadlessChromium {
  /** Virtual time a page gets for its script: WebCrypto's checks of a few hundred entries take far less. */
  static final int SCRIPT_MILLIS = 10_000;
  static final long RUN_SECONDS_MAX = 120;

  private final Path executable;

  private HeadlessChromium(Path executable) {
    this.executable = executable;
  }

  /** The browser, or the calling test skipped with a visible message. */
  public static HeadlessChromium require() {
    Optional<Path> found = find();
    if (found.isEmpty()) {
      System.out.println("[chromium] SKIPPED: no chromium on PATH and no BKV_CHROMIUM (.ci/run installs Debian's chromium)");
    }
    assumeTrue(found.isPresent(), "chromium not installed");
    return new HeadlessChromium(found.get());
  }

  static Optional<Path> find() {
    String configured = System.getenv("BKV_CHROMIUM");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** The page's DOM after its script ran. */
  public String dumpDom(Path page) throws IOException, InterruptedException {
    return new String(run(page, List.of("--dump-dom")), StandardCharsets.UTF_8);
  }

  /** A PNG of the page, {@code width} by {@code height} pixels, after its script ran. */
  public void screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
    Files.deleteIfExists(png);
    run(page, List.of("--hide-scrollbars", "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath()));
    if (!Files.isRegularFile(png) || Files.size(png) == 0) {
      throw new IOException("chromium wrote no screenshot to " + png);
    }
  }

  private byte[] run(Path page, List<String> what) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("bkv-chromium-");
    try {
      List<String> command = new ArrayList<>(List.of(executable.toString(), "--headless", "--disable-gpu",
          // The sandbox needs user namespaces that containers and root often lack; the page is our own.
          "--no-sandbox", "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=" + SCRIPT_MILLIS));
      command.addAll(what);
      command.add(page.toAbsolutePath().toUri().toString());
      Path log = profile.resolve("stderr.log");
      Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(RUN_SECONDS_MAX, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("chromium did not finish within " + RUN_SECONDS_MAX + " s");
      }
      if (process.exitValue() != 0) {
        throw new IOException("chromium exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      return out;
    } finally {
      TestFiles.deleteTree(profile);
    }
  }
}
