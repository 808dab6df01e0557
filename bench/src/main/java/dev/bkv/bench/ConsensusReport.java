package dev.bkv.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report's consensus section: every JMH result with a {@code nodes} parameter is a
 * replicated group committing guesses. An average-time result with a {@code batch}
 * parameter times one batch, so it becomes committed operations per second; a sample-time
 * result times one operation, so it gives latency percentiles. Each row of another system
 * is divided by the {@link #BASELINE} row with the same nodes and batch from the same run.
 */
final class ConsensusReport {
  /** The benchmark class whose rows are the baseline (see {@link MicroRaftBench}). */
  static final String BASELINE = "MicroRaftBench";
  /** The section's key in the report JSON. */
  static final String KEY = "consensus";
  static final String NODES = "nodes";
  static final String BATCH = "batch";
  /** The benchmark with and without a trace sink, its parameter, and the section's key for the pair. */
  static final String TRACE_BENCH = "FleetTraceBench";
  static final String TRACE = "trace";
  static final String TRACE_SINK = "traceSink";
  private static final double MICROS_PER_SECOND = 1e6;

  private ConsensusReport() {}

  /** Whether a JMH result belongs in this section rather than the operations table. */
  static boolean isConsensus(Map<String, Object> params) {
    return params != null && params.containsKey(NODES);
  }

  /** Throughput rows, then latency rows, each with its ratio to the baseline when there is one. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> build(List<Map<String, Object>> results) {
    List<Map<String, Object>> throughput = new ArrayList<>();
    List<Map<String, Object>> latency = new ArrayList<>();
    for (Map<String, Object> result : results) {
      Map<String, Object> params = (Map<String, Object>) result.get("params");
      Map<String, Object> metric = (Map<String, Object>) result.get("primaryMetric");
      String name = (String) result.get("benchmark");
      String[] parts = name.split("\\.");
      String system = parts[parts.length - 2];
      if (!"us/op".equals(metric.get("scoreUnit"))) {
        throw new IllegalArgumentException(name + ": expected us/op, got " + metric.get("scoreUnit"));
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("benchmark", label(system + "." + parts[parts.length - 1], params));
      row.put("system", system);
      row.put(NODES, integer(name, params, NODES));
      double score = BenchReport.number(metric.get("score"));
      if ("sample".equals(result.get("mode"))) {
        Map<String, Object> percentiles = (Map<String, Object>) metric.get("scorePercentiles");
        row.put("meanMicros", score);
        row.put("p50Micros", BenchReport.number(percentiles.get("50.0")));
        row.put("p99Micros", BenchReport.number(percentiles.get("99.0")));
        latency.add(row);
      } else {
        int batch = integer(name, params, BATCH);
        row.put(BATCH, batch);
        row.put("microsPerBatch", score);
        double error = BenchReport.number(metric.get("scoreError"));
        if (Double.isFinite(error)) {
          row.put("microsPerBatchError", error);
        }
        row.put("opsPerSecond", batch * MICROS_PER_SECOND / score);
        if (params.containsKey(TRACE)) {
          row.put(TRACE, params.get(TRACE).toString());
        }
        throughput.add(row);
      }
    }
    divideByBaseline(throughput, "opsPerSecond", "opsPerSecondOverBaseline", true);
    divideByBaseline(latency, "p50Micros", "p50OverBaseline", false);
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("baseline", BASELINE);
    section.put("throughput", new ArrayList<Object>(throughput));
    section.put("latency", new ArrayList<Object>(latency));
    traceSink(throughput).ifPresent(t -> section.put(TRACE_SINK, t));
    return section;
  }

  /**
   * {@link FleetTraceBench}'s two figures side by side: committed guesses per second with the
   * default sink and with a recorder, and the recorder's share of the untraced rate.
   */
  static Optional<Map<String, Object>> traceSink(List<Map<String, Object>> throughput) {
    Map<String, Object> none = null;
    Map<String, Object> recorder = null;
    for (Map<String, Object> row : throughput) {
      if (TRACE_BENCH.equals(row.get("system"))) {
        if ("none".equals(row.get(TRACE))) {
          none = row;
        } else if ("recorder".equals(row.get(TRACE))) {
          recorder = row;
        }
      }
    }
    if (none == null || recorder == null) {
      return Optional.empty();
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put(NODES, none.get(NODES));
    figures.put(BATCH, none.get(BATCH));
    figures.put("noSinkOpsPerSecond", none.get("opsPerSecond"));
    figures.put("recorderOpsPerSecond", recorder.get("opsPerSecond"));
    figures.put("recorderOverNoSink", (Double) recorder.get("opsPerSecond") / (Double) none.get("opsPerSecond"));
    return Optional.of(figures);
  }

  /**
   * A row's label: {@code Class.method}, then the parameters other than the columns' nodes and
   * batch as {@link BenchReport#rowKey} writes them (e.g. {@code FleetBench.commitBatch:storage=fsync}),
   * so that rows differing only in such a parameter are told apart.
   */
  static String label(String benchmark, Map<String, Object> params) {
    Map<String, Object> extra = new LinkedHashMap<>(params);
    extra.remove(NODES);
    extra.remove(BATCH);
    return BenchReport.rowKey(benchmark, extra);
  }

  private static int integer(String name, Map<String, Object> params, String key) {
    Object value = params.get(key);
    if (value == null) {
      throw new IllegalArgumentException(name + ": a consensus result needs the parameter " + key);
    }
    return Integer.parseInt(value.toString());
  }

  private static void divideByBaseline(List<Map<String, Object>> rows, String figure, String ratio, boolean byBatch) {
    for (Map<String, Object> row : rows) {
      if (BASELINE.equals(row.get("system"))) {
        continue;
      }
      for (Map<String, Object> base : rows) {
        if (BASELINE.equals(base.get("system")) && base.get(NODES).equals(row.get(NODES))
            && (!byBatch || base.get(BATCH).equals(row.get(BATCH)))) {
          row.put(ratio, (Double) row.get(figure) / (Double) base.get(figure));
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  static void markdown(Map<String, Object> section, StringBuilder md) {
    md.append("\n## Consensus: committed guesses\n\n")
        .append("A group of `nodes` members in one JVM commits guesses submitted to its leader `batch`\n")
        .append("at a time; committed ops/s = batch / time per batch. \"/ ").append(BASELINE)
        .append("\" divides by the baseline's\nfigure for the same nodes and batch in the same run ")
        .append("(above 1: more operations per second).\n\n")
        .append("| benchmark | nodes | batch | µs/batch | ± | committed ops/s | / ").append(BASELINE).append(" |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Map<String, Object> row : (List<Map<String, Object>>) section.get("throughput")) {
      md.append("| ").append(row.get("benchmark")).append(" | ").append(row.get(NODES)).append(" | ")
          .append(row.get(BATCH)).append(" | ").append(BenchReport.format(row.get("microsPerBatch")))
          .append(" | ").append(BenchReport.format(row.get("microsPerBatchError")))
          .append(" | ").append(BenchReport.format(row.get("opsPerSecond")))
          .append(" | ").append(ratio(row.get("opsPerSecondOverBaseline"))).append(" |\n");
    }
    if (section.containsKey(TRACE_SINK)) {
      Map<String, Object> t = (Map<String, Object>) section.get(TRACE_SINK);
      md.append("\nTrace sink (").append(TRACE_BENCH).append(", ").append(t.get(NODES)).append(" HSMs, batch ")
          .append(t.get(BATCH)).append(", a fresh fleet each iteration): ")
          .append(BenchReport.format(t.get("noSinkOpsPerSecond"))).append(" committed guesses/s with no sink (compare ")
          .append("FleetBench's row for the same nodes and batch), ")
          .append(BenchReport.format(t.get("recorderOpsPerSecond"))).append(" with a recorder: ")
          .append(ratio(t.get("recorderOverNoSink"))).append(".\n");
    }
    List<Map<String, Object>> latency = (List<Map<String, Object>>) section.get("latency");
    if (latency.isEmpty()) {
      return;
    }
    md.append("\nOne guess at a time, sampled (\"/ ").append(BASELINE)
        .append("\" divides the p50 by the baseline's: above 1 is slower).\n\n")
        .append("| benchmark | nodes | mean µs | p50 µs | p99 µs | p50 / ").append(BASELINE).append(" |\n")
        .append("|---|---:|---:|---:|---:|---:|\n");
    for (Map<String, Object> row : latency) {
      md.append("| ").append(row.get("benchmark")).append(" | ").append(row.get(NODES))
          .append(" | ").append(BenchReport.format(row.get("meanMicros")))
          .append(" | ").append(BenchReport.format(row.get("p50Micros")))
          .append(" | ").append(BenchReport.format(row.get("p99Micros")))
          .append(" | ").append(ratio(row.get("p50OverBaseline"))).append(" |\n");
    }
  }

  private static String ratio(Object value) {
    return value == null ? "" : BenchReport.format(value) + "x";
  }
}
