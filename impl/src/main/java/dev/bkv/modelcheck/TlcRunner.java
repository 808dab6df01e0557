package dev.bkv.modelcheck;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Runs one TLC subprocess: streams its output to a file and to the parser, reports
 * progress, stops it at its time limit, and removes its state directory afterwards. Only
 * the process it started (and that process's children) is ever stopped.
 */
public final class TlcRunner {
  private TlcRunner() {}

  /** Interval between liveness ticks while TLC is quiet. */
  static final Duration TICK = Duration.ofSeconds(10);
  /** Most output kept in the output file, in bytes; TLC's counterexamples fit easily. */
  static final long OUTPUT_BYTES_MAX = 64L * 1024 * 1024;
  /** Longest line handed to the parser, in characters; the rest of a longer line is dropped. */
  static final int LINE_CHARS_MAX = 1 << 20;

  public static TlcResult run(
      TlcInvocation invocation, ModelEntry.Mode mode, Duration timeout, ProgressListener listener)
      throws IOException {
    Files.createDirectories(invocation.outputFile().getParent());
    deleteRecursively(invocation.metaDirectory());
    TlcOutputParser parser = new TlcOutputParser(mode);
    AtomicReference<String> stopped = new AtomicReference<>();
    long startNanos = System.nanoTime();
    Process process = new ProcessBuilder(invocation.command())
        .directory(invocation.workingDirectory().toFile())
        .redirectErrorStream(true)
        .start();
    Thread stopOnExit = new Thread(() -> destroyTree(process));
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tlc-ticker");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(() -> {
      Duration elapsed = since(startNanos);
      if (elapsed.compareTo(timeout) > 0 && stopped.compareAndSet(null, "timed out after " + timeout.toSeconds() + " s")) {
        destroyTree(process);
        return;
      }
      Optional<TlcProgress> latest;
      synchronized (parser) {
        latest = parser.progress();
      }
      listener.onTick(elapsed, latest);
    }, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    int exitCode;
    try (Reader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = Files.newOutputStream(invocation.outputFile())) {
      long written = 0;
      String line;
      while ((line = readLine(in)) != null) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (written + bytes.length <= OUTPUT_BYTES_MAX) {
          out.write(bytes);
          written += bytes.length;
        }
        Optional<TlcProgress> progress;
        synchronized (parser) {
          progress = parser.accept(line, since(startNanos));
        }
        progress.ifPresent(listener::onProgress);
      }
      exitCode = process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped.compareAndSet(null, "interrupted");
      destroyTree(process);
      exitCode = -1;
    } finally {
      ticker.shutdownNow();
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    }
    deleteRecursively(invocation.metaDirectory());
    synchronized (parser) {
      return parser.result(exitCode, since(startNanos), Optional.ofNullable(stopped.get()), invocation.outputFile());
    }
  }

  /** One line without its terminator, at most {@link #LINE_CHARS_MAX} characters; null at EOF. */
  static String readLine(Reader in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    boolean any = false;
    while ((c = in.read()) != -1) {
      any = true;
      if (c == '\n') {
        break;
      }
      if (c != '\r' && line.length() < LINE_CHARS_MAX) {
        line.append((char) c);
      }
    }
    return any ? line.toString() : null;
  }

  private static void destroyTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
