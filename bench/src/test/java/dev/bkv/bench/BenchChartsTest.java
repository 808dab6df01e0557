package dev.bkv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.bench.svg.SvgReading;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's charts: which figures each draws, which are skipped and why, where the files go. */
class BenchChartsTest {
  static Map<String, Object> consensusReport() {
    return ConsensusReportTest.report(
        BenchReportTest.result("PrimitivesBench.ecdsaP256Sign", "", 50.0), // 2x the capture's 25 µs
        ConsensusReportTest.batchResult("FleetBench.commitBatch", 3, 1, 50.0),
        ConsensusReportTest.batchResult("FleetBench.commitBatch", 5, 1, 100.0),
        ConsensusReportTest.batchResult("FleetBench.commitBatch", 3, 16, 200.0),
        ConsensusReportTest.batchResult("MicroRaftBench.commitBatch", 3, 1, 100.0),
        ConsensusReportTest.batchResult("MicroRaftBench.commitBatch", 5, 1, 400.0),
        ConsensusReportTest.sampleResult("FleetBench.commitOne", 3, 20.0),
        ConsensusReportTest.sampleResult("MicroRaftBench.commitOne", 3, 40.0));
  }

  static Map<String, String> drawn(List<BenchCharts.Outcome> outcomes) {
    Map<String, String> svgs = new LinkedHashMap<>();
    for (BenchCharts.Outcome outcome : outcomes) {
      if (outcome instanceof BenchCharts.Drawn) {
        svgs.put(outcome.chart(), ((BenchCharts.Drawn) outcome).svg());
      }
    }
    return svgs;
  }

  @Test
  void whenTheRunHasConsensusRows_thenThroughputLatencyAndTheMicroRaftRatiosAreDrawnFromThem() throws Exception {
    Map<String, String> svgs = drawn(BenchCharts.charts(consensusReport(), List.of()));
    assertEquals(List.of("consensus-throughput-nodes", "consensus-throughput-batch", "consensus-latency",
        "openssl-ratio", "microraft-ratio", "microraft-latency-ratio"), new ArrayList<>(svgs.keySet()));
    assertEquals(List.of("FleetBench.commitBatch, batch 1 at nodes 3: 20000 committed ops/s",
            "FleetBench.commitBatch, batch 1 at nodes 5: 10000 committed ops/s",
            "FleetBench.commitBatch, batch 16 at nodes 3: 80000 committed ops/s",
            "MicroRaftBench.commitBatch, batch 1 at nodes 3: 10000 committed ops/s",
            "MicroRaftBench.commitBatch, batch 1 at nodes 5: 2500 committed ops/s"),
        SvgReading.texts("circle", "point", svgs.get("consensus-throughput-nodes")));
    assertEquals(List.of("FleetBench.commitBatch, 3 nodes at batch 1: 20000 committed ops/s",
            "FleetBench.commitBatch, 3 nodes at batch 16: 80000 committed ops/s",
            "FleetBench.commitBatch, 5 nodes at batch 1: 10000 committed ops/s",
            "MicroRaftBench.commitBatch, 3 nodes at batch 1: 10000 committed ops/s",
            "MicroRaftBench.commitBatch, 5 nodes at batch 1: 2500 committed ops/s"),
        SvgReading.texts("circle", "point", svgs.get("consensus-throughput-batch")));
    assertEquals(List.of("ours / io.microraft, FleetBench.commitBatch, 3 nodes, batch 1: 2",
            "ours / io.microraft, FleetBench.commitBatch, 5 nodes, batch 1: 4"),
        SvgReading.texts("rect", "bar", svgs.get("microraft-ratio")),
        "the batch-16 row has no baseline row to divide by, so no bar");
    assertEquals(List.of("mean, FleetBench.commitOne, 3 nodes: 25 µs", "p50, FleetBench.commitOne, 3 nodes: 20 µs",
            "p99, FleetBench.commitOne, 3 nodes: 80 µs", "mean, MicroRaftBench.commitOne, 3 nodes: 45 µs",
            "p50, MicroRaftBench.commitOne, 3 nodes: 40 µs", "p99, MicroRaftBench.commitOne, 3 nodes: 160 µs"),
        SvgReading.texts("rect", "bar", svgs.get("consensus-latency")));
    assertEquals(List.of("ours / io.microraft, FleetBench.commitOne, 3 nodes: 0.5"),
        SvgReading.texts("rect", "bar", svgs.get("microraft-latency-ratio")));
    assertEquals(List.of("ours / openssl speed, PrimitivesBench.ecdsaP256Sign: 2"),
        SvgReading.texts("rect", "bar", svgs.get("openssl-ratio")));
  }

  @Test
  void whenTheMarkdownHoldsFleetLoadLatencyLines_thenTheirPercentilesAreCharted() throws Exception {
    // Goal: the figures run.sh appends only to the Markdown are read back exactly as FleetLoadLatency prints them.
    FleetLoadLatency.Line memory = new FleetLoadLatency.Line(5, "memory", 80894, 40447, 202236, 391.7, 194108.5, 209896.9);
    FleetLoadLatency.Line fsync = new FleetLoadLatency.Line(5, "fsync", 45493, 22746, 113713, 2386.0, 106837.9, 143927.1);
    List<String> markdown = List.of("## Fleet commit latency under load", "```", memory.text(), fsync.text(), "```");
    assertEquals(List.of(memory, fsync), FleetLoadLatency.Line.findAll(markdown), "what is printed is read back");

    String svg = drawn(BenchCharts.charts(ConsensusReportTest.report(), markdown)).get("load-latency");
    assertEquals(List.of("p50, 5 nodes, memory, 40447 guesses/s offered: 392 µs",
            "p99, 5 nodes, memory, 40447 guesses/s offered: 194109 µs",
            "max, 5 nodes, memory, 40447 guesses/s offered: 209897 µs",
            "p50, 5 nodes, fsync, 22746 guesses/s offered: 2386 µs",
            "p99, 5 nodes, fsync, 22746 guesses/s offered: 106838 µs",
            "max, 5 nodes, fsync, 22746 guesses/s offered: 143927 µs"),
        SvgReading.texts("rect", "bar", svg));
  }

  @Test
  void whenTheMarkdownHoldsAFleetHttpLoginsLine_thenItsLatencyIsCharted() throws Exception {
    FleetHttpLogins.Line line = new FleetHttpLogins.Line(5, 16, 35, 347, 10, 463.0, 709.9, 754.1,
        "0.024 of the in-process 1441 logins/s (FleetLoginBench.fleetLogin, same run)");
    List<String> markdown = List.of("```", line.text(), "```");
    assertEquals(List.of(line), FleetHttpLogins.Line.findAll(markdown), "what is printed is read back");
    String svg = drawn(BenchCharts.charts(ConsensusReportTest.report(), markdown)).get("http-login-latency");
    assertEquals(List.of("p50, 5 HSM processes, 16 clients: 35 logins/s: 463 ms",
        "p99, 5 HSM processes, 16 clients: 35 logins/s: 710 ms", "max, 5 HSM processes, 16 clients: 35 logins/s: 754 ms"),
        SvgReading.texts("rect", "bar", svg));
  }

  @Test
  void whenTheRunHasNoConsensusRows_thenThoseChartsAreSkippedWithAReason() {
    List<BenchCharts.Outcome> outcomes = BenchCharts.charts(ConsensusReportTest.report(
        BenchReportTest.result("OpaqueBench.clientLogin", "", 900.0)), List.of("no load lines here"));
    assertTrue(drawn(outcomes).isEmpty(), "no figure in this run has a chart");
    BenchCharts.Skipped latency = (BenchCharts.Skipped) outcomes.get(2);
    assertEquals("consensus-latency", latency.chart());
    assertTrue(latency.reason().contains("no sampled commit latency rows"), latency.reason());
    BenchCharts.Skipped load = (BenchCharts.Skipped) outcomes.get(3);
    assertTrue(load.reason().contains("no FleetLoadLatency lines"), load.reason());
    BenchCharts.Skipped openssl = (BenchCharts.Skipped) outcomes.get(5);
    assertTrue(openssl.reason().contains("no operation in the run has an OpenSSL counterpart"), openssl.reason());
  }

  @Test
  void whenDrawnFromAReportFile_thenTheChartsLieBesideItAndADrawAgainGivesTheSameBytes(@TempDir Path dir)
      throws Exception {
    Path json = dir.resolve("2026-01-01-test.json");
    Files.writeString(json, Json.write(consensusReport()), StandardCharsets.UTF_8);
    BenchCharts.drawNextTo(json);
    Path nodes = dir.resolve("2026-01-01-test-consensus-throughput-nodes.svg");
    byte[] first = Files.readAllBytes(nodes);
    BenchCharts.drawNextTo(json);
    assertEquals(new String(first, StandardCharsets.UTF_8), Files.readString(nodes, StandardCharsets.UTF_8));
    try (var files = Files.list(dir)) {
      assertEquals(7, files.count(), "the report and its six charts, no temporary left behind");
    }

    Path bare = dir.resolve("bare.json");
    Files.writeString(bare, Json.write(ConsensusReportTest.report(BenchReportTest.result("OpaqueBench.clientLogin", "", 900.0))));
    Path stale = Files.writeString(dir.resolve("bare-consensus-throughput-nodes.svg"), "<svg>an older run's</svg>");
    BenchCharts.drawNextTo(bare);
    assertFalse(Files.exists(dir.resolve("bare-consensus-latency.svg")), "a skipped chart leaves no file");
    assertFalse(Files.exists(stale), "nor an older drawing of it, which would show another run's figures");
  }
}
