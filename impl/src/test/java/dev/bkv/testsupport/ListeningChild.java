package dev.bkv.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A child process that announces its address with a line containing
 * {@code "listening on <url>"}, as {@code bkv witness serve} does: started, its output
 * collected in a transcript, and its URL read once it is listening. Tests that run the
 * witness as a real process (kill -9 tests, end-to-end flows) share this.
 */
public final class ListeningChild {
  private static final String MARKER = "listening on ";

  public final Process process;
  public final String url;
  private final StringBuilder transcript;

  private ListeningChild(Process process, String url, StringBuilder transcript) {
    this.process = process;
    this.url = url;
    this.transcript = transcript;
  }

  /**
   * Starts {@code command} and waits up to {@code timeout} for its "listening on" line;
   * fails with the child's output if it exits or stays silent instead.
   */
  public static ListeningChild start(List<String> command, Duration timeout) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    AtomicReference<String> url = new AtomicReference<>();
    StringBuilder transcript = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        for (String line; (line = lines.readLine()) != null; ) {
          synchronized (transcript) {
            transcript.append(line).append('\n');
          }
          int at = line.indexOf(MARKER);
          if (at >= 0 && url.get() == null) {
            url.set(line.substring(at + MARKER.length()).split(" ")[0]);
          }
        }
      } catch (IOException closed) {
        // The process ended or was killed.
      }
    });
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (url.get() == null && process.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    if (url.get() == null) {
      process.destroyForcibly().waitFor();
      synchronized (transcript) {
        throw new AssertionError(String.join(" ", command) + " did not start listening:\n" + transcript);
      }
    }
    return new ListeningChild(process, url.get(), transcript);
  }

  /** Everything the child has printed so far. */
  public String transcript() {
    synchronized (transcript) {
      return transcript.toString();
    }
  }
}
