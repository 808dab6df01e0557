package dev.bkv.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Commit latency under load, which JMH's modes do not express: a fleet's peak committed
 * guesses per second (batches of {@link FleetCluster#BATCH_MAX}), then an open-loop load at
 * half that rate, guess i arriving at {@code i / rate} seconds whether or not earlier ones are
 * done. The host loop submits every guess that has arrived as one batch (group commit, at
 * most BATCH_MAX) and a guess's latency runs from its arrival to its release. Prints one line.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" dev.bkv.bench.FleetLoadLatency 5 memory}
 */
public final class FleetLoadLatency {
  static final long WARMUP_NANOS = 3_000_000_000L;
  static final long PEAK_NANOS = 2_000_000_000L;
  static final long LOAD_NANOS = 5_000_000_000L;
  /** Latencies kept: more than the load phase produces at any rate this fleet reaches. */
  static final int SAMPLES_MAX = 4_000_000;

  /**
   * The one line a run prints, which bench/run.sh appends to the report's Markdown as printed
   * and {@link BenchCharts} reads back from there: the format and its reader in one place.
   */
  record Line(int nodes, String storage, double peakPerSecond, double offeredPerSecond, long guesses,
      double p50Micros, double p99Micros, double maxMicros) {
    private static final String FORMAT = "nodes %d, %s: peak %.0f guesses/s; at %.0f guesses/s offered: %d guesses, "
        + "p50 %.1f us, p99 %.1f us, max %.1f us";
    private static final Pattern PATTERN = Pattern.compile("nodes (\\d+), (\\w+): peak (\\d+) guesses/s; at (\\d+) "
        + "guesses/s offered: (\\d+) guesses, p50 ([\\d.]+) us, p99 ([\\d.]+) us, max ([\\d.]+) us");

    String text() {
      return String.format(Locale.ROOT, FORMAT, nodes, storage, peakPerSecond, offeredPerSecond, guesses, p50Micros,
          p99Micros, maxMicros);
    }

    /** Every line of {@code text} that is such a line, in order; other lines are not this benchmark's. */
    static List<Line> findAll(List<String> text) {
      return PrintedLines.findAll(text, PATTERN, m -> new Line(Integer.parseInt(m.group(1)), m.group(2),
          Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)), Long.parseLong(m.group(5)),
          Double.parseDouble(m.group(6)), Double.parseDouble(m.group(7)), Double.parseDouble(m.group(8))));
    }
  }

  private FleetLoadLatency() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: FleetLoadLatency <nodes 3..7> <memory|fsync>");
      System.exit(2);
    }
    int nodes = Integer.parseInt(args[0]);
    FleetCluster.Storage storage = FleetCluster.Storage.valueOf(args[1].toUpperCase(Locale.ROOT));
    try (FleetCluster cluster = FleetCluster.start(nodes, storage)) {
      cluster.registerUsers(FleetBench.USERS);
      run(cluster, WARMUP_NANOS);
      cluster.users().ensureBudget(FleetBench.ITERATION_GUESSES_MAX);
      double peak = run(cluster, PEAK_NANOS);
      cluster.users().ensureBudget(FleetBench.ITERATION_GUESSES_MAX);
      long[] latencies = load(cluster, peak / 2);
      Arrays.sort(latencies);
      System.out.println(new Line(nodes, args[1], peak, peak / 2, latencies.length, micros(latencies, 0.50),
          micros(latencies, 0.99), latencies[latencies.length - 1] / 1e3).text());
    }
  }

  /** Full batches for {@code nanos}; returns committed guesses per second. */
  private static double run(FleetCluster cluster, long nanos) {
    long start = System.nanoTime();
    long guesses = 0;
    while (System.nanoTime() - start < nanos) {
      guesses += cluster.countGuesses(FleetCluster.BATCH_MAX).size();
    }
    return guesses * 1e9 / (System.nanoTime() - start);
  }

  private static long[] load(FleetCluster cluster, double rate) {
    double interval = 1e9 / rate;
    long start = System.nanoTime();
    long[] latencies = new long[SAMPLES_MAX];
    int done = 0;
    while (System.nanoTime() - start < LOAD_NANOS && done < SAMPLES_MAX) {
      long arrived = (long) ((System.nanoTime() - start) / interval) + 1; // guesses 0..arrived-1 have arrived
      int batch = (int) Math.min(Math.min(arrived - done, FleetCluster.BATCH_MAX), SAMPLES_MAX - done);
      if (batch <= 0) {
        Thread.onSpinWait();
        continue;
      }
      cluster.countGuesses(batch);
      long released = System.nanoTime() - start;
      for (int n = 0; n < batch; n++) {
        latencies[done + n] = released - (long) ((done + n) * interval);
      }
      done += batch;
    }
    return Arrays.copyOf(latencies, done);
  }

  private static double micros(long[] sorted, double quantile) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1e3;
  }
}
