package dev.bkv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.vault.SnapshotCodec;
import dev.bkv.vault.VaultLimits;
import dev.bkv.vault.VaultState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The consensus and vault-memory sections: rows per nodes and batch, ratios to the baseline, the memory table. */
class ConsensusReportTest {
  static String batchResult(String benchmark, int nodes, int batch, double micros) {
    return "{\"benchmark\":\"dev.bkv.bench." + benchmark + "\",\"mode\":\"avgt\",\"params\":{\"nodes\":\"" + nodes
        + "\",\"batch\":\"" + batch + "\"},\"primaryMetric\":{\"score\":" + micros
        + ",\"scoreError\":\"NaN\",\"scoreUnit\":\"us/op\"}}";
  }

  static String sampleResult(String benchmark, int nodes, double p50) {
    return "{\"benchmark\":\"dev.bkv.bench." + benchmark + "\",\"mode\":\"sample\",\"params\":{\"nodes\":\"" + nodes
        + "\"},\"primaryMetric\":{\"score\":" + (p50 + 5) + ",\"scoreError\":1.0,\"scoreUnit\":\"us/op\","
        + "\"scorePercentiles\":{\"50.0\":" + p50 + ",\"99.0\":" + (p50 * 4) + "}}}";
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> report(String... results) {
    List<Map<String, Object>> jmh = (List<Map<String, Object>>) (List<?>) Json.parse("[" + String.join(",", results) + "]");
    return BenchReport.build(jmh, OpensslSpeed.parse(BenchReportTest.OPENSSL), Map.of("command", "test"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void whenAnotherSystemRunsTheSameNodesAndBatch_thenItsOpsPerSecondAreDividedByMicroRafts() {
    Map<String, Object> report = report(
        BenchReportTest.result("PrimitivesBench.sha256_64B", "", 0.5),
        batchResult("MicroRaftBench.commitBatch", 3, 16, 160.0),
        batchResult("FleetBench.commitBatch", 3, 16, 80.0),
        batchResult("FleetBench.commitBatch", 5, 16, 80.0),
        sampleResult("MicroRaftBench.commitOne", 3, 40.0),
        sampleResult("FleetBench.commitOne", 3, 60.0));
    assertEquals(1, ((List<Object>) report.get("results")).size(), "consensus rows stay out of the operations table");
    Map<String, Object> section = (Map<String, Object>) report.get(ConsensusReport.KEY);
    List<Map<String, Object>> throughput = (List<Map<String, Object>>) section.get("throughput");
    assertEquals(100_000.0, (Double) throughput.get(0).get("opsPerSecond"), 1e-6);
    assertFalse(throughput.get(0).containsKey("opsPerSecondOverBaseline"), "the baseline is not divided by itself");
    assertEquals(2.0, (Double) throughput.get(1).get("opsPerSecondOverBaseline"), 1e-9);
    assertFalse(throughput.get(2).containsKey("opsPerSecondOverBaseline"), "no baseline row for 5 nodes in this run");
    List<Map<String, Object>> latency = (List<Map<String, Object>>) section.get("latency");
    assertEquals(160.0, (Double) latency.get(0).get("p99Micros"), 1e-9);
    assertEquals(1.5, (Double) latency.get(1).get("p50OverBaseline"), 1e-9);
    String markdown = BenchReport.markdown(report);
    assertTrue(markdown.contains("| FleetBench.commitBatch | 3 | 16 | 80.0 |  | 200000 | 2.00x |"), markdown);
    assertTrue(markdown.contains("| FleetBench.commitOne | 3 | 65.0 | 60.0 | 240 | 1.50x |"), markdown);
    Json.write(report);
  }

  /** Goal: the report sets FleetTraceBench's untraced and recorder figures side by side, with their ratio. */
  @Test
  @SuppressWarnings("unchecked")
  void whenTheTraceBenchRanWithAndWithoutARecorder_thenTheReportHasOneLineWithBothAndTheRatio() {
    String none = batchResult("FleetTraceBench.commitBatch", 5, 1, 40.0).replace("\"batch\":\"1\"",
        "\"batch\":\"1\",\"trace\":\"none\"");
    String recorder = batchResult("FleetTraceBench.commitBatch", 5, 1, 400.0).replace("\"batch\":\"1\"",
        "\"batch\":\"1\",\"trace\":\"recorder\"");
    Map<String, Object> report = report(none, recorder);
    Map<String, Object> sink = (Map<String, Object>) ((Map<String, Object>) report.get(ConsensusReport.KEY))
        .get(ConsensusReport.TRACE_SINK);
    assertEquals(25_000.0, (Double) sink.get("noSinkOpsPerSecond"), 1e-6);
    assertEquals(0.1, (Double) sink.get("recorderOverNoSink"), 1e-9);
    String markdown = BenchReport.markdown(report);
    assertTrue(markdown.contains("Trace sink (FleetTraceBench, 5 HSMs, batch 1, a fresh fleet each iteration): 25000 "
        + "committed guesses/s with no sink (compare FleetBench's row for the same nodes and batch), 2500 with a "
        + "recorder: 0.10x."), markdown);
    assertFalse(BenchReport.markdown(report(none)).contains("Trace sink"), "no line without both figures");
  }

  /** Rows that differ only in a further parameter (storage) carry it in their label, and each still has its ratio. */
  @Test
  @SuppressWarnings("unchecked")
  void whenRowsDifferInAnotherParameter_thenTheirLabelsNameIt() {
    String memory = batchResult("FleetBench.commitBatch", 5, 16, 80.0).replace("\"batch\":\"16\"",
        "\"batch\":\"16\",\"storage\":\"memory\"");
    String fsync = batchResult("FleetBench.commitBatch", 5, 16, 800.0).replace("\"batch\":\"16\"",
        "\"batch\":\"16\",\"storage\":\"fsync\"");
    Map<String, Object> report = report(batchResult("MicroRaftBench.commitBatch", 5, 16, 160.0), memory, fsync,
        sampleResult("FleetBench.commitOne", 5, 60.0).replace("\"nodes\":\"5\"", "\"nodes\":\"5\",\"storage\":\"fsync\""));
    Map<String, Object> section = (Map<String, Object>) report.get(ConsensusReport.KEY);
    List<Map<String, Object>> throughput = (List<Map<String, Object>>) section.get("throughput");
    assertEquals("MicroRaftBench.commitBatch", throughput.get(0).get("benchmark"));
    assertEquals("FleetBench.commitBatch:storage=memory", throughput.get(1).get("benchmark"));
    assertEquals("FleetBench.commitBatch:storage=fsync", throughput.get(2).get("benchmark"));
    assertEquals(0.2, (Double) throughput.get(2).get("opsPerSecondOverBaseline"), 1e-9);
    String markdown = BenchReport.markdown(report);
    assertTrue(markdown.contains("| FleetBench.commitBatch:storage=fsync | 5 | 16 | 800 |"), markdown);
    assertTrue(markdown.contains("| FleetBench.commitOne:storage=fsync | 5 |"), markdown);
  }

  @Test
  void whenAConsensusThroughputResultHasNoBatch_thenTheReportRefusesIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> report(
        "{\"benchmark\":\"dev.bkv.bench.MicroRaftBench.commitBatch\",\"mode\":\"avgt\",\"params\":{\"nodes\":\"3\"},"
            + "\"primaryMetric\":{\"score\":1.0,\"scoreError\":1.0,\"scoreUnit\":\"us/op\"}}"));
    assertEquals("dev.bkv.bench.MicroRaftBench.commitBatch: a consensus result needs the parameter batch", e.getMessage());
  }

  @Test
  void theBaselineBenchmarkHasTheParametersTheSectionReads() throws Exception {
    Class<?> baseline = Class.forName("dev.bkv.bench." + ConsensusReport.BASELINE);
    baseline.getMethod("commitBatch", MicroRaftBench.Group.class, MicroRaftBench.Batch.class);
    baseline.getMethod("commitOne", MicroRaftBench.Group.class);
    MicroRaftBench.Group.class.getField(ConsensusReport.NODES);
    MicroRaftBench.Batch.class.getField(ConsensusReport.BATCH);
  }

  @Test
  @SuppressWarnings("unchecked")
  void vaultMemoryFiguresBecomeATableAgainstTheOneKibTarget(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("memory.json");
    Files.writeString(file, "[{\"users\":1000,\"vaults\":1,\"heapBytesPerUser\":400.0,\"encodedBytesPerUser\":200.0,"
        + "\"payloadBytesPerUser\":193},{\"users\":2000,\"vaults\":1,\"heapBytesPerUser\":1100.0,"
        + "\"encodedBytesPerUser\":200.0,\"payloadBytesPerUser\":193}]");
    Map<String, Object> report = report();
    report.put(VaultMemoryReport.KEY, VaultMemoryReport.read(file));
    String markdown = BenchReport.markdown(report);
    assertTrue(markdown.contains("| 1000 | 1 | 400 | 200 | 193 | 2.00x | yes |"), markdown);
    assertTrue(markdown.contains("| 2000 | 1 | 1100 | 200 | 193 | 5.50x | no |"), markdown);
    Files.writeString(file, "[{\"users\":1000}]");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VaultMemoryReport.read(file));
    assertTrue(e.getMessage().contains("lacks users, vaults or a bytes-per-user figure"), e.getMessage());
  }

  @Test
  void whenUsersOutnumberOneVault_thenTheyFillFullVaultsAllExposed() throws Exception {
    int users = VaultLimits.USERS_MAX + 3;
    List<VaultState> vaults = VaultMemoryBench.fill(users);
    assertEquals(2, vaults.size());
    assertEquals(VaultLimits.USERS_MAX, vaults.get(0).recordCount());
    assertEquals(3, vaults.get(1).recordCount());
    // An exposed record encodes to 1+16 + 16 + 2+129 + 3 + 1+32 = 200 bytes; a stored one has no key.
    assertEquals(VaultMemoryBench.SNAPSHOT_HEADER_BYTES + 3 * 200, SnapshotCodec.encode(vaults.get(1)).length);
  }
}
