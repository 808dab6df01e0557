package dev.bkv.bench;

import dev.bkv.base.Json;
import dev.bkv.bench.svg.Axis;
import dev.bkv.bench.svg.BarChart;
import dev.bkv.bench.svg.LineChart;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Draws a benchmark report's figures as SVG files next to it: {@code <name>.json} gives
 * {@code <name>-<chart>.svg} for each chart in {@link #charts}. Reads only the report (the
 * JSON, and the {@link FleetLoadLatency} and {@link FleetHttpLogins} lines of the Markdown beside it), so the charts of a
 * committed run can be drawn again without running anything, and the same report always gives
 * the same bytes. A chart whose figures the run does not have is skipped
 * with a line on stderr rather than drawn empty, and an older file of its name is removed.
 *
 * <p>Usage: {@code BenchCharts REPORT_JSON...}, e.g.
 * {@code java -cp "bench/target/classes:bench/target/lib/*" dev.bkv.bench.BenchCharts bench/results/2026-12-06-vm.json}
 */
public final class BenchCharts {
  /** What became of one chart: drawn, or skipped and why. */
  sealed interface Outcome permits Drawn, Skipped {
    String chart();
  }

  record Drawn(String chart, String svg) implements Outcome {}

  record Skipped(String chart, String reason) implements Outcome {}

  static final String OPS_PER_SECOND = "committed ops/s";
  private static final Axis.Scale LOG = Axis.Scale.LOG;

  private BenchCharts() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: BenchCharts REPORT_JSON...");
      System.exit(2);
    }
    for (String arg : args) {
      Path json = Path.of(arg);
      if (!json.getFileName().toString().endsWith(".json")) {
        System.err.println("bench charts: " + arg + " is not a report's .json file");
        System.exit(2);
      }
      for (Outcome outcome : drawNextTo(json)) {
        if (outcome instanceof Drawn) {
          System.err.println("bench charts: wrote " + svgFile(json, outcome.chart()));
        } else if (outcome instanceof Skipped) {
          System.err.println("bench charts: " + svgFile(json, outcome.chart()).getFileName() + " skipped: "
              + ((Skipped) outcome).reason());
        } else {
          throw new AssertionError(outcome);
        }
      }
    }
  }

  /**
   * Reads the report {@code json}, and the Markdown beside it when there is one (the figures
   * run.sh appends only there), and writes each chart they have figures for beside them.
   */
  static List<Outcome> drawNextTo(Path json) throws IOException {
    Path markdown = json.resolveSibling(baseName(json) + ".md");
    List<String> markdownLines = Files.exists(markdown) ? Files.readAllLines(markdown, StandardCharsets.UTF_8) : List.of();
    List<Outcome> outcomes = charts(Json.parseObject(Files.readString(json, StandardCharsets.UTF_8)), markdownLines);
    for (Outcome outcome : outcomes) {
      if (outcome instanceof Drawn) {
        BenchReport.writeAtomically(svgFile(json, outcome.chart()), ((Drawn) outcome).svg());
      } else {
        // An older drawing of a chart this report has no figures for would show another run's.
        Files.deleteIfExists(svgFile(json, outcome.chart()));
      }
    }
    return outcomes;
  }

  /** {@code <name>-<chart>.svg} beside {@code <name>.json}. */
  static Path svgFile(Path json, String chart) {
    return json.resolveSibling(baseName(json) + "-" + chart + ".svg");
  }

  private static String baseName(Path json) {
    String file = json.getFileName().toString();
    return file.substring(0, file.length() - ".json".length());
  }

  /**
   * Every chart, in a fixed order: consensus throughput, commit latency (one at a time, then
   * under load, from the report's Markdown lines), login latency over HTTP (Markdown too), the
   * ratios to OpenSSL and MicroRaft.
   */
  static List<Outcome> charts(Map<String, Object> report, List<String> markdownLines) {
    List<Map<String, Object>> throughput = consensusRows(report, "throughput");
    List<Map<String, Object>> latency = consensusRows(report, "latency");
    return List.of(
        throughputByNodes(throughput),
        throughputByBatch(throughput),
        commitLatency(latency),
        loadLatency(FleetLoadLatency.Line.findAll(markdownLines)),
        httpLoginLatency(FleetHttpLogins.Line.findAll(markdownLines)),
        ratioToOpenssl(rows(report, "results", "")),
        ratioToMicroRaft(throughput),
        latencyRatioToMicroRaft(latency));
  }

  static Outcome throughputByNodes(List<Map<String, Object>> rows) {
    return throughput(rows, "consensus-throughput-nodes", "Consensus throughput by fleet size",
        new Axis("nodes", "", Axis.Scale.LINEAR), ConsensusReport.NODES, ConsensusReport.BATCH, "batch %d");
  }

  static Outcome throughputByBatch(List<Map<String, Object>> rows) {
    return throughput(rows, "consensus-throughput-batch", "Consensus throughput by batch size",
        new Axis("batch", "guesses per submission", LOG), ConsensusReport.BATCH, ConsensusReport.NODES, "%d nodes");
  }

  /**
   * Committed ops/s against the parameter {@code xKey}, one line per benchmark and value of
   * {@code lineKey}: a benchmark keeps its colour, a value of the other parameter its dash.
   */
  private static Outcome throughput(List<Map<String, Object>> rows, String chart, String title, Axis xAxis,
      String xKey, String lineKey, String lineFormat) {
    if (rows.isEmpty()) {
      return new Skipped(chart, "the run has no consensus throughput rows (FleetBench, MicroRaftBench)");
    }
    List<String> labels = distinctLabels(rows);
    List<Integer> lineValues = distinctIntegers(rows, lineKey);
    List<LineChart.Series> series = new ArrayList<>();
    for (String label : labels) {
      for (int lineValue : lineValues) {
        List<LineChart.Point> points = new ArrayList<>();
        for (Map<String, Object> row : rows) {
          if (label.equals(row.get("benchmark")) && lineValue == integer(row, lineKey)) {
            points.add(new LineChart.Point(integer(row, xKey), number(row, "opsPerSecond")));
          }
        }
        if (!points.isEmpty()) {
          series.add(new LineChart.Series(label + ", " + String.format(Locale.ROOT, lineFormat, lineValue), points,
              labels.indexOf(label), lineValues.indexOf(lineValue)));
        }
      }
    }
    return new Drawn(chart, new LineChart(title, xAxis, new Axis("throughput", OPS_PER_SECOND, LOG), series).svg());
  }

  static Outcome commitLatency(List<Map<String, Object>> rows) {
    String chart = "consensus-latency";
    if (rows.isEmpty()) {
      return new Skipped(chart, "the run has no sampled commit latency rows (FleetBench.commitOne, MicroRaftBench.commitOne)");
    }
    List<String> categories = new ArrayList<>();
    List<Double> mean = new ArrayList<>();
    List<Double> p50 = new ArrayList<>();
    List<Double> p99 = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      categories.add(row.get("benchmark") + ", " + integer(row, ConsensusReport.NODES) + " nodes");
      mean.add(number(row, "meanMicros"));
      p50.add(number(row, "p50Micros"));
      p99.add(number(row, "p99Micros"));
    }
    return new Drawn(chart, new BarChart("Commit latency, one guess at a time",
        new Axis("latency from submission to commit", "µs", LOG), categories, List.of(
            new BarChart.Series("mean", mean), new BarChart.Series("p50", p50), new BarChart.Series("p99", p99))).svg());
  }

  static Outcome loadLatency(List<FleetLoadLatency.Line> lines) {
    String chart = "load-latency";
    if (lines.isEmpty()) {
      return new Skipped(chart, "the report has no FleetLoadLatency lines (bench/run.sh FleetLoadLatency)");
    }
    List<String> categories = new ArrayList<>();
    List<Double> p50 = new ArrayList<>();
    List<Double> p99 = new ArrayList<>();
    List<Double> max = new ArrayList<>();
    for (FleetLoadLatency.Line line : lines) {
      categories.add(String.format(Locale.ROOT, "%d nodes, %s, %.0f guesses/s offered", line.nodes(), line.storage(),
          line.offeredPerSecond()));
      p50.add(line.p50Micros());
      p99.add(line.p99Micros());
      max.add(line.maxMicros());
    }
    return new Drawn(chart, new BarChart("Commit latency at half the peak load (open loop, group commit)",
        new Axis("latency from arrival to release", "µs", LOG), categories, List.of(new BarChart.Series("p50", p50),
            new BarChart.Series("p99", p99), new BarChart.Series("max", max))).svg());
  }

  static Outcome httpLoginLatency(List<FleetHttpLogins.Line> lines) {
    String chart = "http-login-latency";
    if (lines.isEmpty()) {
      return new Skipped(chart, "the report has no FleetHttpLogins line (bench/run.sh FleetHttpLogins)");
    }
    List<String> categories = new ArrayList<>();
    List<Double> p50 = new ArrayList<>();
    List<Double> p99 = new ArrayList<>();
    List<Double> max = new ArrayList<>();
    for (FleetHttpLogins.Line line : lines) {
      categories.add(String.format(Locale.ROOT, "%d HSM processes, %d clients: %.0f logins/s", line.hsms(),
          line.clients(), line.loginsPerSecond()));
      p50.add(line.p50Millis());
      p99.add(line.p99Millis());
      max.add(line.maxMillis());
    }
    return new Drawn(chart, new BarChart("Login latency over HTTP (OPAQUE recovery, frontend to node processes)",
        new Axis("latency of one login", "ms", LOG), categories, List.of(new BarChart.Series("p50", p50),
            new BarChart.Series("p99", p99), new BarChart.Series("max", max))).svg());
  }

  static Outcome ratioToOpenssl(List<Map<String, Object>> results) {
    return ratio(results, "ratioToNative", row -> (String) row.get("benchmark"), "openssl-ratio",
        "no operation in the run has an OpenSSL counterpart (PrimitivesBench, OpaqueBench, ...)",
        "Time per operation over OpenSSL's for the same work", "our time / OpenSSL's, same run (above 1: slower)",
        "openssl speed", "OpenSSL");
  }

  static Outcome ratioToMicroRaft(List<Map<String, Object>> rows) {
    return ratio(rows, "opsPerSecondOverBaseline", row -> row.get("benchmark") + ", "
            + integer(row, ConsensusReport.NODES) + " nodes, batch " + integer(row, ConsensusReport.BATCH),
        "microraft-ratio", "no consensus throughput row has a " + ConsensusReport.BASELINE + " row to divide by",
        "Committed guesses per second over MicroRaft's",
        "ops/s / " + ConsensusReport.BASELINE + "'s, same nodes and batch (above 1: faster)", "io.microraft", "MicroRaft");
  }

  static Outcome latencyRatioToMicroRaft(List<Map<String, Object>> rows) {
    return ratio(rows, "p50OverBaseline", row -> row.get("benchmark") + ", " + integer(row, ConsensusReport.NODES)
            + " nodes", "microraft-latency-ratio",
        "no commit latency row has a " + ConsensusReport.BASELINE + " row to divide by",
        "Median commit latency over MicroRaft's", "p50 / " + ConsensusReport.BASELINE + "'s, same nodes (above 1: slower)",
        "io.microraft", "MicroRaft");
  }

  /**
   * One bar per row that has the ratio {@code ratioKey} (a row without its counterpart has
   * none), on a log axis with a line at 1, where ours equals {@code versus}.
   */
  private static Outcome ratio(List<Map<String, Object>> rows, String ratioKey,
      Function<Map<String, Object>, String> category, String chart, String skipReason, String title, String axisTitle,
      String versus, String referenceLabel) {
    List<String> categories = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      if (row.containsKey(ratioKey)) {
        categories.add(category.apply(row));
        ratios.add(number(row, ratioKey));
      }
    }
    if (categories.isEmpty()) {
      return new Skipped(chart, skipReason);
    }
    return new Drawn(chart, new BarChart(title, new Axis(axisTitle, "", LOG), categories,
        List.of(new BarChart.Series("ours / " + versus, ratios)),
        Optional.of(new BarChart.Reference(1, referenceLabel))).svg());
  }

  /**
   * The consensus section's rows of one kind. FleetTraceBench's rows are left out: they
   * compare trace sinks at one fleet size and batch, which the report states in words.
   */
  private static List<Map<String, Object>> consensusRows(Map<String, Object> report, String kind) {
    List<Map<String, Object>> kept = new ArrayList<>();
    for (Map<String, Object> row : rows(report, ConsensusReport.KEY, kind)) {
      if (!row.containsKey(ConsensusReport.TRACE)) {
        kept.add(row);
      }
    }
    return kept;
  }

  /** {@code report[section]} (a list), or {@code report[section][kind]} when kind is not empty; empty when absent. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rows(Map<String, Object> report, String section, String kind) {
    Object value = report.get(section);
    if (value != null && !kind.isEmpty()) {
      if (!(value instanceof Map)) {
        throw new IllegalArgumentException("report: '" + section + "' is not an object");
      }
      value = ((Map<String, Object>) value).get(kind);
    }
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List)) {
      throw new IllegalArgumentException("report: '" + section + (kind.isEmpty() ? "" : "." + kind) + "' is not a list");
    }
    return (List<Map<String, Object>>) value;
  }

  private static List<String> distinctLabels(List<Map<String, Object>> rows) {
    List<String> labels = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      String label = (String) row.get("benchmark");
      if (!labels.contains(label)) {
        labels.add(label); // in the report's order, so colours follow the table
      }
    }
    return labels;
  }

  private static List<Integer> distinctIntegers(List<Map<String, Object>> rows, String key) {
    TreeSet<Integer> values = new TreeSet<>();
    rows.forEach(row -> values.add(integer(row, key)));
    return new ArrayList<>(values);
  }

  private static double number(Map<String, Object> row, String key) {
    Object value = row.get(key);
    if (value instanceof Number) {
      return ((Number) value).doubleValue(); // Double or BigInteger from JSON, Integer from a report in memory
    }
    throw new IllegalArgumentException("report row " + row.get("benchmark") + ": '" + key + "' is " + value
        + ", not a number");
  }

  private static int integer(Map<String, Object> row, String key) {
    Object value = row.get(key);
    if (value instanceof BigInteger) {
      return ((BigInteger) value).intValueExact(); // as read from JSON
    }
    if (value instanceof Integer) {
      return (Integer) value; // as ConsensusReport builds it
    }
    throw new IllegalArgumentException("report row " + row.get("benchmark") + ": '" + key + "' is " + value
        + ", not a whole number");
  }
}
