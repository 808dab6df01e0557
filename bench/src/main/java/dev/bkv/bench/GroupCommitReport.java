package dev.bkv.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's "Witness group commit" section, from {@link WitnessGroupCommitBench}: for each
 * number of concurrent submitters, durable appends per second, the fsyncs each append cost
 * (group commits counted by the benchmark, times {@link WitnessGroupCommitBench#FSYNCS_PER_GROUP},
 * over the appends counted in the same iterations), and the ratio of appends/s to the raw fsync rate measured in the same run.
 */
final class GroupCommitReport {
  /** The section's key in the report JSON. */
  static final String KEY = "witnessGroupCommit";
  static final String BENCH = "WitnessGroupCommitBench";
  static final String RAW_FSYNC = "rawFsync";
  private static final String SUBMITTERS_PREFIX = "submitters";

  private GroupCommitReport() {}

  /** Whether a JMH result belongs in this section rather than the operations table. */
  static boolean isGroupCommit(String benchmark) {
    String[] parts = benchmark.split("\\.");
    return parts.length >= 2 && parts[parts.length - 2].equals(BENCH);
  }

  /** The raw fsync rate, then one row per submitter count, in increasing order. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> build(List<Map<String, Object>> results) {
    Double fsyncsPerSecond = null;
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, Object> result : results) {
      String name = (String) result.get("benchmark");
      String method = name.substring(name.lastIndexOf('.') + 1);
      Map<String, Object> metric = (Map<String, Object>) result.get("primaryMetric");
      if (!"ops/s".equals(metric.get("scoreUnit"))) {
        throw new IllegalArgumentException(name + ": expected ops/s, got " + metric.get("scoreUnit"));
      }
      double perSecond = BenchReport.number(metric.get("score"));
      if (method.equals(RAW_FSYNC)) {
        fsyncsPerSecond = perSecond;
        continue;
      }
      if (!method.startsWith(SUBMITTERS_PREFIX)) {
        throw new IllegalArgumentException(name + ": not a " + BENCH + " row this report knows");
      }
      Map<String, Object> secondary = (Map<String, Object>) result.get("secondaryMetrics");
      Map<String, Object> groups = secondary == null ? null : (Map<String, Object>) secondary.get("groups");
      Map<String, Object> appends = secondary == null ? null : (Map<String, Object>) secondary.get("appends");
      if (groups == null || appends == null) {
        throw new IllegalArgumentException(name + ": the groups and appends counters are missing");
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("submitters", Integer.parseInt(method.substring(SUBMITTERS_PREFIX.length())));
      row.put("appendsPerSecond", perSecond);
      double error = BenchReport.number(metric.get("scoreError"));
      if (Double.isFinite(error)) {
        row.put("appendsPerSecondError", error); // absent when one iteration gives no error bar
      }
      // Counts over the same measured iterations, so their ratio needs no time base.
      double groupCount = BenchReport.number(groups.get("score"));
      double appendCount = BenchReport.number(appends.get("score"));
      row.put("appendsPerGroup", appendCount / groupCount);
      row.put("fsyncsPerAppend", WitnessGroupCommitBench.FSYNCS_PER_GROUP * groupCount / appendCount);
      rows.add(row);
    }
    rows.sort((a, b) -> Integer.compare((Integer) a.get("submitters"), (Integer) b.get("submitters")));
    Map<String, Object> section = new LinkedHashMap<>();
    if (fsyncsPerSecond != null) {
      section.put("rawFsyncsPerSecond", fsyncsPerSecond);
      for (Map<String, Object> row : rows) {
        row.put("ratioToFsyncRate", (Double) row.get("appendsPerSecond") / fsyncsPerSecond);
      }
    }
    section.put("rows", rows);
    return section;
  }

  @SuppressWarnings("unchecked")
  static void markdown(Map<String, Object> section, StringBuilder md) {
    md.append("\n## Witness group commit\n\n")
        .append("`WitnessGroupCommitBench`: durable appends to the witness's bundle log (`BundleLog.append`, receipt\n")
        .append("included, the HTTP gate's signature check not) by N concurrent submitters sharing group commits.\n")
        .append("A group costs ").append(WitnessGroupCommitBench.FSYNCS_PER_GROUP)
        .append(" fsyncs (entries file, checkpoint temporary, directory); \"fsyncs/append\" counts them per\n")
        .append("append. \"/ fsync rate\" divides appends/s by the raw rate of a small write + force on the same\n")
        .append("file system, measured in the same run");
    Object raw = section.get("rawFsyncsPerSecond");
    md.append(raw == null ? " (not measured in this run).\n\n" : ": " + BenchReport.format(raw) + " fsyncs/s.\n\n");
    md.append("| submitters | appends/s | ± | appends/group | fsyncs/append | / fsync rate |\n")
        .append("|---:|---:|---:|---:|---:|---:|\n");
    for (Object o : (List<Object>) section.get("rows")) {
      Map<String, Object> row = (Map<String, Object>) o;
      md.append("| ").append(row.get("submitters"))
          .append(" | ").append(BenchReport.format(row.get("appendsPerSecond")))
          .append(" | ").append(BenchReport.format(row.get("appendsPerSecondError")))
          .append(" | ").append(BenchReport.format(row.get("appendsPerGroup")))
          .append(" | ").append(BenchReport.format(row.get("fsyncsPerAppend")))
          .append(" | ").append(BenchReport.format(row.get("ratioToFsyncRate")))
          .append(" |\n");
    }
  }
}
