package dev.bkv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The witness group commit section: appends/s per submitters, fsyncs per append from the counters, the ratio to the fsync rate. */
class GroupCommitReportTest {
  static String throughput(String method, double perSecond, String counters) {
    return "{\"benchmark\":\"dev.bkv.bench.WitnessGroupCommitBench." + method + "\",\"mode\":\"thrpt\","
        + "\"primaryMetric\":{\"score\":" + perSecond + ",\"scoreError\":\"NaN\",\"scoreUnit\":\"ops/s\"}"
        + (counters.isEmpty() ? "" : ",\"secondaryMetrics\":{" + counters + "}") + "}";
  }

  static String counts(double groups, double appends) {
    return "\"groups\":{\"score\":" + groups + ",\"scoreUnit\":\"#\"},\"appends\":{\"score\":" + appends
        + ",\"scoreUnit\":\"#\"}";
  }

  @Test
  @SuppressWarnings("unchecked")
  void whenSubmittersShareGroups_thenFsyncsPerAppendAndTheRatioToTheFsyncRateComeFromTheSameRun() {
    Map<String, Object> report = ConsensusReportTest.report(
        BenchReportTest.result("PrimitivesBench.sha256_64B", "", 0.5),
        throughput("submitters64", 1200.0, counts(300, 6000)),
        throughput("submitters01", 100.0, counts(500, 500)),
        throughput("rawFsync", 400.0, ""));
    assertEquals(1, ((List<Object>) report.get("results")).size(), "throughput rows stay out of the operations table");
    Map<String, Object> section = (Map<String, Object>) report.get(GroupCommitReport.KEY);
    assertEquals(400.0, (Double) section.get("rawFsyncsPerSecond"), 1e-9);
    List<Map<String, Object>> rows = (List<Map<String, Object>>) section.get("rows");
    assertEquals(1, rows.get(0).get("submitters"), "rows in increasing submitters");
    assertEquals(3.0, (Double) rows.get(0).get("fsyncsPerAppend"), 1e-9, "one group per append: three forces each");
    assertEquals(0.15, (Double) rows.get(1).get("fsyncsPerAppend"), 1e-9, "20 appends a group");
    assertEquals(3.0, (Double) rows.get(1).get("ratioToFsyncRate"), 1e-9);
    String markdown = BenchReport.markdown(report);
    assertTrue(markdown.contains("## Witness group commit"), markdown);
    assertTrue(markdown.contains("| 64 | 1200 |  | 20.0 | 0.15 | 3.00 |"), markdown);
  }

  @Test
  void whenTheCountersAreMissing_thenTheSectionRefusesInsteadOfGuessing() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ConsensusReportTest.report(throughput("submitters16", 500.0, "")));
    assertTrue(e.getMessage().contains("groups and appends counters are missing"), e.getMessage());
  }
}
