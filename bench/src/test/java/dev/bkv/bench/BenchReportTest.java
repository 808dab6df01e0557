package dev.bkv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/** The report's arithmetic: OpenSSL parsing and ratios against figures from the same run. */
class BenchReportTest {
  // Captured from `openssl speed -seconds 1 -mr ecdhp256 ecdsap256 ed25519 sha256` and
  // `-evp aes-256-gcm` (OpenSSL 3.0), trimmed.
  static final List<String> OPENSSL = List.of(
      "+DT:sha256:1:64",
      "+R5:39182:256:0.98",
      "+H:16:64:256:1024:8192:16384",
      "+F:6:sha256:88279547.47:265394424.24:743528704.00:1067977179.80:1397071872.00:1282140898.97",
      "+F4:3:256:40000.0:10000.0",
      "+F5:3:256:20000.0:0.000050",
      "+F6:0:253:Ed25519:25000.0:8000.0",
      "+H:16:64:256:1024:8192:16384",
      "+F:25:AES-256-GCM:29907344.00:116523968.00:478113792.00:1024000000.00:3263873024.00:4104208384.00");

  @Test
  void parsesEveryNativeFigureAsMicrosecondsPerOperation() {
    Map<String, Double> micros = OpensslSpeed.parse(OPENSSL);
    assertEquals(25.0, micros.get(OpensslSpeed.ECDSA_P256_SIGN), 1e-9);
    assertEquals(100.0, micros.get(OpensslSpeed.ECDSA_P256_VERIFY), 1e-9);
    assertEquals(50.0, micros.get(OpensslSpeed.ECDH_P256), 1e-9);
    assertEquals(40.0, micros.get(OpensslSpeed.ED25519_SIGN), 1e-9);
    assertEquals(125.0, micros.get(OpensslSpeed.ED25519_VERIFY), 1e-9);
    assertEquals(64 / 265394424.24 * 1e6, micros.get(OpensslSpeed.SHA256_64B), 1e-12);
    assertEquals(1.0, micros.get(OpensslSpeed.AES256GCM_1KIB), 1e-9);
  }

  @Test
  @SuppressWarnings("unchecked")
  void serverLoginIsComparedWithFiveNativeEcdhOperations() {
    List<Map<String, Object>> jmh = (List<Map<String, Object>>) (List<?>) Json.parse(
        "[{\"benchmark\":\"dev.bkv.bench.OpaqueBench.serverLogin\",\"primaryMetric\":"
            + "{\"score\":1000.0,\"scoreError\":10.0,\"scoreUnit\":\"us/op\"}},"
            + "{\"benchmark\":\"dev.bkv.bench.PrimitivesBench.sha256_64B\",\"primaryMetric\":"
            + "{\"score\":0.5,\"scoreError\":\"NaN\",\"scoreUnit\":\"us/op\"}}]");
    Map<String, Object> report = BenchReport.build(jmh, OpensslSpeed.parse(OPENSSL), Map.of("command", "test"));
    Map<String, Object> login = ((List<Map<String, Object>>) report.get("results")).get(0);
    assertEquals(250.0, (Double) login.get("nativeMicrosPerOp"), 1e-9);
    assertEquals(4.0, (Double) login.get("ratioToNative"), 1e-9);
    assertEquals(2000.0, (Double) login.get("timesSha256Baseline"), 1e-9);
    Map<String, Object> sha = ((List<Map<String, Object>>) report.get("results")).get(1);
    assertFalse(sha.containsKey("microsPerOpError"), "NaN error bars are left out, not written");
    String markdown = BenchReport.markdown(report);
    assertTrue(markdown.contains("| OpaqueBench.serverLogin | 1000 | 10.0 | 2000 | 5 x openssl ecdh-p256 | 250 | 4.00x |"), markdown);
    Json.write(report);
  }

  /** One JMH result as JMH writes it: parameter values are strings. */
  static String result(String benchmark, String paramsJson, double score) {
    return "{\"benchmark\":\"dev.bkv.bench." + benchmark + "\"," + (paramsJson.isEmpty() ? "" : "\"params\":" + paramsJson + ",")
        + "\"primaryMetric\":{\"score\":" + score + ",\"scoreError\":1.0,\"scoreUnit\":\"us/op\"}}";
  }

  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> rowsByKey(String... results) {
    List<Map<String, Object>> jmh = (List<Map<String, Object>>) (List<?>) Json.parse("[" + String.join(",", results) + "]");
    Map<String, Object> report = BenchReport.build(jmh, OpensslSpeed.parse(OPENSSL), Map.of("command", "test"));
    Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
    for (Map<String, Object> row : (List<Map<String, Object>>) report.get("results")) {
      rows.put((String) row.get("benchmark"), row);
    }
    return rows;
  }

  @Test
  void parameterisedRowsKeepTheirParamsAndMeetTheirOwnCounterparts() {
    Map<String, Map<String, Object>> rows = rowsByKey(
        result("TlogBench.verifyInclusion", "{\"log2Size\":\"10\"}", 10.0),
        result("TlogBench.verifyInclusion", "{\"log2Size\":\"30\"}", 30.0),
        result("TlogBench.verifyConsistency", "{\"log2Size\":\"20\"}", 20.0),
        result("TlogBench.verifyCheckpoint", "{\"cosignatures\":\"3\"}", 600.0));
    assertEquals(List.of("TlogBench.verifyInclusion:log2Size=10", "TlogBench.verifyInclusion:log2Size=30",
        "TlogBench.verifyConsistency:log2Size=20", "TlogBench.verifyCheckpoint:cosignatures=3"), new ArrayList<>(rows.keySet()));
    double sha = OpensslSpeed.parse(OPENSSL).get(OpensslSpeed.SHA256_64B);
    assertEquals(10 * sha, (Double) rows.get("TlogBench.verifyInclusion:log2Size=10").get("nativeMicrosPerOp"), 1e-12);
    assertEquals(30 * sha, (Double) rows.get("TlogBench.verifyInclusion:log2Size=30").get("nativeMicrosPerOp"), 1e-12);
    assertEquals("38 x openssl sha256-64B", rows.get("TlogBench.verifyConsistency:log2Size=20").get("native"));
    assertEquals("4 x openssl ed25519-verify", rows.get("TlogBench.verifyCheckpoint:cosignatures=3").get("native"));
    assertEquals(1.2, (Double) rows.get("TlogBench.verifyCheckpoint:cosignatures=3").get("ratioToNative"), 1e-9);
  }

  @Test
  void aBundleVerificationIsComparedWithEd25519AndEcdsaVerificationsTogether() {
    Map<String, Object> row = rowsByKey(result("BundleBench.verifyOta", "", 1200.0)).get("BundleBench.verifyOta");
    assertEquals("4 x openssl ed25519-verify + openssl ecdsa-p256-verify", row.get("native"));
    assertEquals(4 * 125.0 + 100.0, (Double) row.get("nativeMicrosPerOp"), 1e-9);
    assertEquals(2.0, (Double) row.get("ratioToNative"), 1e-9);
  }

  @Test
  void whenParamsAreLost_thenTwoRowsWouldShareAKeyAndTheReportRefuses() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rowsByKey(
        result("TlogBench.verifyInclusion", "", 10.0), result("TlogBench.verifyInclusion", "", 20.0)));
    assertTrue(e.getMessage().contains("TlogBench.verifyInclusion"), e.getMessage());
  }

  @Test
  void rowKeysSortParamsByName() {
    assertEquals("X.y:a=1,b=two", BenchReport.rowKey("X.y", Map.of("b", "two", "a", 1)));
    assertEquals("X.y", BenchReport.rowKey("X.y", Map.of()));
  }

  /**
   * Every counterpart names a benchmark method that exists, with exactly the parameters its
   * state classes declare and values they run; a renamed method or param would otherwise
   * leave its counterpart silently unused.
   */
  @Test
  void everyCounterpartNamesABenchmarkThatRuns() throws Exception {
    for (BenchReport.Counterpart counterpart : BenchReport.COUNTERPARTS) {
      String key = counterpart.benchmark();
      String[] nameAndParams = key.split(":", 2);
      String[] classAndMethod = nameAndParams[0].split("\\.");
      Class<?> type = Class.forName("dev.bkv.bench." + classAndMethod[0]);
      Method method = Arrays.stream(type.getMethods())
          .filter(m -> m.getName().equals(classAndMethod[1]) && m.isAnnotationPresent(Benchmark.class))
          .findFirst().orElse(null);
      assertNotNull(method, key + ": no @Benchmark method");
      Map<String, String[]> declared = new LinkedHashMap<>();
      for (Class<?> state : method.getParameterTypes()) {
        for (Field field : state.getFields()) {
          if (field.isAnnotationPresent(Param.class)) {
            declared.put(field.getName(), field.getAnnotation(Param.class).value());
          }
        }
      }
      Map<String, String> named = new LinkedHashMap<>();
      if (nameAndParams.length == 2) {
        for (String pair : nameAndParams[1].split(",")) {
          String[] kv = pair.split("=", 2);
          named.put(kv[0], kv[1]);
        }
      }
      assertEquals(declared.keySet(), named.keySet(), key + ": params named must be the params the benchmark has");
      for (Map.Entry<String, String> param : named.entrySet()) {
        assertTrue(Arrays.asList(declared.get(param.getKey())).contains(param.getValue()),
            key + ": " + param.getKey() + " never takes the value " + param.getValue());
      }
    }
  }
}
