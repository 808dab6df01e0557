package dev.bkv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;

/** The server login's breakdown: counts times parts, the rest, and the native comparison. */
class ServerLoginBreakdownTest {
  private static Map<String, double[]> figures() {
    Map<String, double[]> ours = new HashMap<>();
    ours.put("OpaqueBench.serverLogin", new double[] {500, 5});
    ours.put("OpaqueBench.loginPartScalarMultiply", new double[] {90, 1});
    ours.put("OpaqueBench.loginPartGeneratorMultiply", new double[] {30, 1});
    ours.put("OpaqueBench.loginPartAffineEncode", new double[] {20, 0.1});
    ours.put("OpaqueBench.loginPartHashToScalar", new double[] {3, 0.1});
    ours.put("OpaqueBench.loginPartHmacSha256", new double[] {1, 0.1});
    ours.put("OpaqueBench.loginPartDecodeElement", new double[] {8, 0.1});
    return ours;
  }

  @Test
  @SuppressWarnings("unchecked")
  void splitsTheLoginIntoCountedPartsAndARest() {
    Map<String, Object> b = ServerLoginBreakdown.build(figures(), Map.of(OpensslSpeed.ECDH_P256, 40.0)).orElseThrow();
    assertEquals(4 * 90 + 30.0, (Double) b.get("multiplicationsMicros"), 1e-9);
    assertEquals(500 - 390.0, (Double) b.get("otherMicros"), 1e-9);
    assertEquals(200.0, (Double) b.get("nativeMultiplicationsMicros"), 1e-9);
    assertEquals(16.0, (Double) b.get("ke1DecodeMicros"), 1e-9);
    List<Map<String, Object>> parts = (List<Map<String, Object>>) b.get("parts");
    Map<String, Object> rest = parts.get(parts.size() - 1);
    // 500 - (360 + 30 + 20 + 2 * 3 + 12 * 1)
    assertEquals(72.0, (Double) rest.get("microsPerLogin"), 1e-9);
    assertEquals(360 / 500.0, (Double) parts.get(0).get("shareOfLogin"), 1e-9);
    StringBuilder md = new StringBuilder();
    ServerLoginBreakdown.markdown(b, md);
    assertTrue(md.toString().contains("| OpaqueBench.loginPartScalarMultiply | 4 | 90.0 | 360 | 72% |"), md.toString());
    assertTrue(md.toString().contains("The five multiplications: 390 µs (1.95x five openssl ECDH, 200 µs)"), md.toString());
  }

  @Test
  void isLeftOutUnlessTheLoginAndEveryPartRan() {
    Map<String, double[]> ours = figures();
    ours.remove("OpaqueBench.loginPartHmacSha256");
    assertFalse(ServerLoginBreakdown.build(ours, Map.of()).isPresent());
    Map<String, double[]> noLogin = figures();
    noLogin.remove("OpaqueBench.serverLogin");
    assertFalse(ServerLoginBreakdown.build(noLogin, Map.of()).isPresent());
    assertTrue(ServerLoginBreakdown.build(figures(), Map.of()).isPresent(), "the native figure is optional");
  }

  /** A part renamed in OpaqueBench but not here would silently drop the section from every report. */
  @Test
  void everyPartNamesAnOpaqueBenchBenchmark() throws NoSuchMethodException {
    for (ServerLoginBreakdown.Part part : ServerLoginBreakdown.PARTS) {
      assertBenchmark(part.benchmark());
    }
    assertBenchmark(ServerLoginBreakdown.DECODE);
    assertBenchmark(ServerLoginBreakdown.WHOLE);
  }

  private static void assertBenchmark(String name) throws NoSuchMethodException {
    assertTrue(name.startsWith("OpaqueBench."), name);
    Method method = OpaqueBench.class.getMethod(name.substring("OpaqueBench.".length()));
    assertTrue(method.isAnnotationPresent(Benchmark.class), name);
  }
}
