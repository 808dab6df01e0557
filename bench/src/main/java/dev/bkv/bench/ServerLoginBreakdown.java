package dev.bkv.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report's breakdown of {@code OpaqueBench.serverLogin}: how many of each
 * {@code OpaqueBench.loginPart*} benchmark one login runs, times its figure from the same
 * run, and what is left (message building, allocation, the short SHA-256 hashes).
 */
final class ServerLoginBreakdown {
  /** The section's key in the report JSON. */
  static final String KEY = "serverLoginBreakdown";
  static final String WHOLE = "OpaqueBench.serverLogin";
  /** The multiplications a server login cannot do without, in openssl ECDH operations. */
  static final int MULTIPLICATIONS = 5;

  /** {@code perLogin} runs of the part benchmark {@code benchmark} in one server login. */
  record Part(String benchmark, int perLogin, boolean multiplication, String what) {}

  // Counted in GenerateKE2 and ServerFinish of dev.bkv.crypto.opaque (known user).
  static final List<Part> PARTS = List.of(
      new Part("OpaqueBench.loginPartScalarMultiply", 4, true, "k * P: the OPRF evaluation and 3DH's three DH"),
      new Part("OpaqueBench.loginPartGeneratorMultiply", 1, true, "k * G: the ephemeral key share"),
      new Part("OpaqueBench.loginPartAffineEncode", 1, false,
          "to affine (one shared inversion) and SEC1: evaluated element, key share, three DH results"),
      new Part("OpaqueBench.loginPartHashToScalar", 2, false, "RFC 9380 hash to scalar: OPRF key, key share's private key"),
      new Part("OpaqueBench.loginPartHmacSha256", 12, false,
          "HKDF blocks and MACs: OPRF seed 1, masking pad 4, Extract 1, Derive-Secret 4, MAC 2"));
  /** Measured but outside serverLogin, whose KE1 arrives decoded: a server decoding KE1 adds it twice. */
  static final String DECODE = "OpaqueBench.loginPartDecodeElement";
  static final int DECODES_PER_KE1 = 2;

  private ServerLoginBreakdown() {}

  /** Empty unless the whole login and every part ran. */
  static Optional<Map<String, Object>> build(Map<String, double[]> ours, Map<String, Double> openssl) {
    if (!ours.containsKey(WHOLE) || PARTS.stream().anyMatch(p -> !ours.containsKey(p.benchmark()))) {
      return Optional.empty();
    }
    double whole = ours.get(WHOLE)[0];
    double multiplications = 0;
    double parts = 0;
    List<Object> rows = new ArrayList<>();
    for (Part part : PARTS) {
      double each = ours.get(part.benchmark())[0];
      double perLogin = part.perLogin() * each;
      parts += perLogin;
      multiplications += part.multiplication() ? perLogin : 0;
      rows.add(row(part.benchmark(), part.perLogin(), each, perLogin, whole, part.what()));
    }
    rows.add(row("rest (serverLogin minus the parts)", 1, whole - parts, whole - parts, whole,
        "transcript and message encoding, allocation, SHA-256 of the preamble"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("serverLoginMicros", whole);
    out.put("multiplicationsMicros", multiplications);
    out.put("otherMicros", whole - multiplications);
    Double ecdh = openssl.get(OpensslSpeed.ECDH_P256);
    if (ecdh != null) {
      out.put("nativeMultiplicationsMicros", MULTIPLICATIONS * ecdh);
    }
    if (ours.containsKey(DECODE)) {
      out.put("ke1DecodeMicros", DECODES_PER_KE1 * ours.get(DECODE)[0]);
    }
    out.put("parts", rows);
    return Optional.of(out);
  }

  private static Map<String, Object> row(String part, int perLogin, double each, double perLoginMicros, double whole, String what) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("part", part);
    row.put("perLogin", perLogin);
    row.put("microsEach", each);
    row.put("microsPerLogin", perLoginMicros);
    row.put("shareOfLogin", perLoginMicros / whole);
    row.put("what", what);
    return row;
  }

  @SuppressWarnings("unchecked")
  static void markdown(Map<String, Object> breakdown, StringBuilder md) {
    md.append("\n## OPAQUE server login, by part\n\n")
        .append("`OpaqueBench.serverLogin` (").append(BenchReport.format(breakdown.get("serverLoginMicros")))
        .append(" µs) split into the `OpaqueBench.loginPart*` benchmarks, each measured in this run and\n")
        .append("multiplied by how often one login does it; the rest is what no part covers.\n\n")
        .append("| part | per login | µs each | µs per login | share | what |\n")
        .append("|---|---:|---:|---:|---:|---|\n");
    for (Object o : (List<Object>) breakdown.get("parts")) {
      Map<String, Object> row = (Map<String, Object>) o;
      md.append("| ").append(row.get("part"))
          .append(" | ").append(row.get("perLogin"))
          .append(" | ").append(BenchReport.format(row.get("microsEach")))
          .append(" | ").append(BenchReport.format(row.get("microsPerLogin")))
          .append(" | ").append(String.format(java.util.Locale.ROOT, "%.0f%%", 100 * (Double) row.get("shareOfLogin")))
          .append(" | ").append(row.get("what"))
          .append(" |\n");
    }
    md.append("\nThe five multiplications: ").append(BenchReport.format(breakdown.get("multiplicationsMicros"))).append(" µs");
    if (breakdown.containsKey("nativeMultiplicationsMicros")) {
      double nativeMicros = (Double) breakdown.get("nativeMultiplicationsMicros");
      md.append(" (").append(BenchReport.format((Double) breakdown.get("multiplicationsMicros") / nativeMicros))
          .append("x five openssl ECDH, ").append(BenchReport.format(nativeMicros)).append(" µs)");
    }
    md.append("; everything else: ").append(BenchReport.format(breakdown.get("otherMicros"))).append(" µs.");
    if (breakdown.containsKey("ke1DecodeMicros")) {
      md.append(" Not in serverLogin, whose KE1 arrives decoded: decoding KE1's two elements, ")
          .append(BenchReport.format(breakdown.get("ke1DecodeMicros"))).append(" µs.");
    }
    md.append("\n");
  }
}
