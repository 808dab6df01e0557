package dev.bkv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
