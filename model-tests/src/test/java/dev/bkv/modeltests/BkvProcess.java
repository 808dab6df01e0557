package dev.bkv.modeltests;

import dev.bkv.testsupport.ListeningChild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code bkv} command as a child JVM on the test classpath (the packaged impl and its
 * dependencies): one-shot commands that are waited for, and a long-running
 * {@code bkv witness serve} on a free loopback port that the test kills when done.
 */
final class BkvProcess {
  /** A one-shot command that takes longer than this is hung. */
  static final long COMMAND_TIMEOUT_SECONDS = 180;
  static final long START_TIMEOUT_SECONDS = 60;

  /** The exit code and the output streams of one command. */
  record Result(int exit, String out, String err) {
    String all() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private BkvProcess() {}

  private static List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.bkv.cli.Main");
    command.addAll(List.of(args));
    return command;
  }

  /** Runs {@code bkv args...} to completion in {@code workDir}. */
  static Result run(Path workDir, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "bkv-out", ".txt");
    Path err = Files.createTempFile(workDir, "bkv-err", ".txt");
    Process process = new ProcessBuilder(command(args)).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("bkv " + String.join(" ", args) + " did not finish within " + COMMAND_TIMEOUT_SECONDS + " s");
    }
    Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return result;
  }

  /** A running {@code bkv witness serve}. */
  static final class Witness implements AutoCloseable {
    final Process process;
    final String baseUrl;

    private Witness(ListeningChild child) {
      this.process = child.process;
      this.baseUrl = child.url;
    }

    /** Starts {@code bkv witness serve --dir dir --port 0} and waits for its URL. */
    static Witness serve(Path dir) throws IOException, InterruptedException {
      return new Witness(ListeningChild.start(
          command("witness", "serve", "--dir", dir.toString(), "--port", "0"),
          Duration.ofSeconds(START_TIMEOUT_SECONDS)));
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      }
    }
  }
}
