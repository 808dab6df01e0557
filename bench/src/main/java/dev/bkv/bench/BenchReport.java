package dev.bkv.bench;

import dev.bkv.base.Json;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns one JMH JSON result file and one {@code openssl speed -mr} capture into the
 * benchmark report: a JSON file and a Markdown table under {@code bench/results/}. Every
 * ratio divides two figures measured in the same run on the same machine; nothing is
 * compared with numbers from elsewhere.
 *
 * <p>Usage: {@code BenchReport JMH_JSON OPENSSL_MR OUT_DIR NAME COMMAND [VAULT_MEMORY_JSON]}; the
 * last is the output of {@link VaultMemoryBench}, when it ran.
 */
public final class BenchReport {
  /** {@code count} native operations of one kind, as named in {@link OpensslSpeed}. */
  record NativeOps(String nativeKey, int count) {
    NativeOps {
      if (count < 1) {
        throw new IllegalArgumentException(nativeKey + ": a counterpart costs at least one native operation, got " + count);
      }
    }
  }

  /**
   * Our operation (a row key, see {@link #rowKey}), the native operations it costs at least,
   * and why. Most have one kind; a bundle verification costs Ed25519 and ECDSA verifications.
   */
  record Counterpart(String benchmark, List<NativeOps> natives, String why) {
    Counterpart {
      natives = List.copyOf(natives);
      if (natives.isEmpty()) {
        throw new IllegalArgumentException(benchmark + ": a counterpart names at least one native operation");
      }
    }

    Counterpart(String benchmark, String nativeKey, int nativeOps, String why) {
      this(benchmark, List.of(new NativeOps(nativeKey, nativeOps)), why);
    }

    /** Microseconds the native operations take together, or empty when a figure is missing from the run. */
    Optional<Double> nativeMicros(Map<String, Double> openssl) {
      double total = 0;
      for (NativeOps ops : natives) {
        Double micros = openssl.get(ops.nativeKey());
        if (micros == null) {
          return Optional.empty();
        }
        total += ops.count() * micros;
      }
      return Optional.of(total);
    }

    /** E.g. "4 x openssl ed25519-verify + openssl ecdsa-p256-verify". */
    String label() {
      List<String> parts = new ArrayList<>();
      for (NativeOps ops : natives) {
        parts.add((ops.count() > 1 ? ops.count() + " x " : "") + "openssl " + ops.nativeKey());
      }
      return String.join(" + ", parts);
    }
  }

  static final List<Counterpart> COUNTERPARTS = List.of(
      new Counterpart("OpaqueBench.serverLogin", OpensslSpeed.ECDH_P256, 5,
          "KE2+KE3: 1 OPRF evaluation, 3 DH, 1 ephemeral key generation"),
      new Counterpart("OpaqueBench.oprfBlindEvaluate", OpensslSpeed.ECDH_P256, 1, "one scalar multiplication"),
      new Counterpart("PrimitivesBench.ecdsaP256Sign", OpensslSpeed.ECDSA_P256_SIGN, 1, ""),
      new Counterpart("PrimitivesBench.ecdsaP256Verify", OpensslSpeed.ECDSA_P256_VERIFY, 1, ""),
      new Counterpart("PrimitivesBench.ed25519Sign", OpensslSpeed.ED25519_SIGN, 1, ""),
      new Counterpart("PrimitivesBench.ed25519Verify", OpensslSpeed.ED25519_VERIFY, 1, ""),
      new Counterpart("PrimitivesBench.aesGcmSeal_1KiB", OpensslSpeed.AES256GCM_1KIB, 1, ""),
      new Counterpart("PrimitivesBench.aesGcmOpen_1KiB", OpensslSpeed.AES256GCM_1KIB, 1, ""),
      new Counterpart("PrimitivesBench.sha256_64B", OpensslSpeed.SHA256_64B, 1, "the noise baseline"),
      inclusion(10), inclusion(20), inclusion(30),
      consistency(10), consistency(20), consistency(30),
      checkpoint(0), checkpoint(1), checkpoint(3),
      new Counterpart("BundleBench.verifyOta", List.of(
          new NativeOps(OpensslSpeed.ED25519_VERIFY, BundleBench.OTA_ED25519_VERIFIES),
          new NativeOps(OpensslSpeed.ECDSA_P256_VERIFY, BundleBench.OTA_ECDSA_VERIFIES)),
          "Ed25519: witness signature, checkpoint signature, " + BundleBench.OTA_COSIGNATURES
              + " cosignatures; ECDSA: operator countersignature (hashes, parsing, proofs not counted)"),
      new Counterpart("BundleBench.appendDurable", OpensslSpeed.ED25519_SIGN, 2,
          "bundle signature and checkpoint signature; the native figure has no fsync"));

  static final String BASELINE = "PrimitivesBench.sha256_64B";

  private static Counterpart inclusion(int log2Size) {
    return new Counterpart(rowKey("TlogBench.verifyInclusion", Map.of("log2Size", log2Size)), OpensslSpeed.SHA256_64B,
        TlogBench.inclusionNodeHashes(log2Size),
        "one node hash per proof hash (65 bytes: two SHA-256 blocks, as for 64 bytes)");
  }

  private static Counterpart consistency(int log2Size) {
    return new Counterpart(rowKey("TlogBench.verifyConsistency", Map.of("log2Size", log2Size)), OpensslSpeed.SHA256_64B,
        TlogBench.consistencyNodeHashes(log2Size), "node hashes recomputing the old and the new root");
  }

  private static Counterpart checkpoint(int cosignatures) {
    return new Counterpart(rowKey("TlogBench.verifyCheckpoint", Map.of("cosignatures", cosignatures)),
        OpensslSpeed.ED25519_VERIFY, 1 + cosignatures, "the log signature and each cosignature/v1");
  }

  private BenchReport() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 5 && args.length != 6) {
      System.err.println("usage: BenchReport JMH_JSON OPENSSL_MR OUT_DIR NAME COMMAND [VAULT_MEMORY_JSON]");
      System.exit(2);
    }
    List<Map<String, Object>> jmh = readJmh(Path.of(args[0]));
    Map<String, Double> openssl = OpensslSpeed.parse(Files.readAllLines(Path.of(args[1])));
    Path outDir = Path.of(args[2]);
    Map<String, Object> report = build(jmh, openssl, environment(jmh, args[4]));
    if (args.length == 6) {
      report.put(VaultMemoryReport.KEY, VaultMemoryReport.read(Path.of(args[5])));
    }
    Files.createDirectories(outDir);
    writeAtomically(outDir.resolve(args[3] + ".json"), Json.write(report) + "\n");
    writeAtomically(outDir.resolve(args[3] + ".md"), markdown(report));
    System.out.print(markdown(report));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> readJmh(Path file) throws IOException {
    Object parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
    if (!(parsed instanceof List)) {
      throw new IllegalArgumentException(file + ": expected a JMH JSON array of results");
    }
    return (List<Map<String, Object>>) parsed;
  }

  static Map<String, Object> environment(List<Map<String, Object>> jmh, String command) throws IOException {
    Map<String, Object> env = new LinkedHashMap<>();
    Map<String, Object> first = jmh.isEmpty() ? Map.of() : jmh.get(0);
    env.put("jdk", first.getOrDefault("vmName", "?") + " " + first.getOrDefault("jdkVersion", "?")
        + " (" + first.getOrDefault("vmVersion", "?") + ")");
    env.put("jmh", first.getOrDefault("jmhVersion", "?"));
    env.put("cpu", cpuModel());
    env.put("cores", Runtime.getRuntime().availableProcessors());
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    env.put("command", command);
    return env;
  }

  private static String cpuModel() throws IOException {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return System.getProperty("os.arch");
    }
    for (String line : Files.readAllLines(cpuinfo)) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return System.getProperty("os.arch");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> build(List<Map<String, Object>> jmh, Map<String, Double> openssl, Map<String, Object> env) {
    Map<String, double[]> ours = new LinkedHashMap<>(); // short name -> {score, error}
    List<Map<String, Object>> consensus = new ArrayList<>();
    List<Map<String, Object>> groupCommit = new ArrayList<>();
    for (Map<String, Object> result : jmh) {
      if (GroupCommitReport.isGroupCommit((String) result.get("benchmark"))) {
        groupCommit.add(result); // throughput rows: their own section
        continue;
      }
      if (ConsensusReport.isConsensus((Map<String, Object>) result.get("params"))) {
        consensus.add(result);
        continue;
      }
      String name = shortName((String) result.get("benchmark"), (Map<String, Object>) result.get("params"));
      Map<String, Object> metric = (Map<String, Object>) result.get("primaryMetric");
      String unit = (String) metric.get("scoreUnit");
      if (!"us/op".equals(unit)) {
        throw new IllegalArgumentException(name + ": expected us/op, got " + unit);
      }
      if (ours.put(name, new double[] {number(metric.get("score")), number(metric.get("scoreError"))}) != null) {
        throw new IllegalArgumentException(name + ": two results have this name; parameterised rows must keep their params");
      }
    }
    double[] baseline = ours.get(BASELINE);
    List<Object> rows = new ArrayList<>();
    for (Map.Entry<String, double[]> entry : ours.entrySet()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("benchmark", entry.getKey());
      row.put("microsPerOp", entry.getValue()[0]);
      if (Double.isFinite(entry.getValue()[1])) {
        row.put("microsPerOpError", entry.getValue()[1]); // absent when one iteration gives no error bar
      }
      if (baseline != null) {
        row.put("timesSha256Baseline", entry.getValue()[0] / baseline[0]);
      }
      for (Counterpart counterpart : COUNTERPARTS) {
        Optional<Double> nativeMicros = counterpart.nativeMicros(openssl);
        if (counterpart.benchmark().equals(entry.getKey()) && nativeMicros.isPresent()) {
          row.put("native", counterpart.label());
          row.put("nativeMicrosPerOp", nativeMicros.get());
          row.put("ratioToNative", entry.getValue()[0] / nativeMicros.get());
          row.put("note", counterpart.why());
        }
      }
      rows.add(row);
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("environment", env);
    report.put("opensslMicrosPerOp", new LinkedHashMap<>(openssl));
    report.put("results", rows);
    if (!consensus.isEmpty()) {
      report.put(ConsensusReport.KEY, ConsensusReport.build(consensus));
    }
    if (!groupCommit.isEmpty()) {
      report.put(GroupCommitReport.KEY, GroupCommitReport.build(groupCommit));
    }
    ServerLoginBreakdown.build(ours, openssl).ifPresent(b -> report.put(ServerLoginBreakdown.KEY, b));
    return report;
  }

  private static String shortName(String benchmark, Map<String, Object> params) {
    String[] parts = benchmark.split("\\.");
    return rowKey(parts[parts.length - 2] + "." + parts[parts.length - 1], params == null ? Map.of() : params);
  }

  /**
   * A row's key: {@code Class.method}, then for a parameterised benchmark
   * {@code :name=value,name=value} with the parameters sorted by name, e.g.
   * {@code TlogBench.verifyInclusion:log2Size=20}. JMH names every parameterised result
   * {@code Class.method} and puts the values in {@code params}, so without them the rows of
   * one benchmark would collide.
   */
  static String rowKey(String benchmark, Map<String, ?> params) {
    if (params.isEmpty()) {
      return benchmark;
    }
    StringBuilder key = new StringBuilder(benchmark).append(':');
    String separator = "";
    for (Map.Entry<String, ?> param : new TreeMap<>(params).entrySet()) {
      key.append(separator).append(param.getKey()).append('=').append(param.getValue());
      separator = ",";
    }
    return key.toString();
  }

  static double number(Object value) {
    if (value instanceof BigInteger) {
      return ((BigInteger) value).doubleValue();
    }
    if (value instanceof Double) {
      return (Double) value;
    }
    return Double.NaN; // JMH writes "NaN" as a string when one iteration gives no error bar
  }

  @SuppressWarnings("unchecked")
  static String markdown(Map<String, Object> report) {
    StringBuilder md = new StringBuilder("# BKV benchmarks\n\n");
    Map<String, Object> env = (Map<String, Object>) report.get("environment");
    for (Map.Entry<String, Object> entry : env.entrySet()) {
      md.append("- ").append(entry.getKey()).append(": `").append(entry.getValue()).append("`\n");
    }
    md.append("\nAll figures from one run on one machine. \"x SHA-256\" divides by our SHA-256 of 64 bytes in\n")
        .append("the same run (the noise baseline); \"vs native\" divides by OpenSSL's figure for the same\n")
        .append("work, measured by `openssl speed` in the same run.\n\n")
        .append("| operation | µs/op | ± | x SHA-256(64 B) | native counterpart | native µs | vs native |\n")
        .append("|---|---:|---:|---:|---|---:|---:|\n");
    for (Object o : (List<Object>) report.get("results")) {
      Map<String, Object> row = (Map<String, Object>) o;
      md.append("| ").append(row.get("benchmark"))
          .append(" | ").append(format(row.get("microsPerOp")))
          .append(" | ").append(format(row.get("microsPerOpError")))
          .append(" | ").append(format(row.get("timesSha256Baseline")))
          .append(" | ").append(row.getOrDefault("native", ""))
          .append(" | ").append(format(row.get("nativeMicrosPerOp")))
          .append(" | ").append(row.containsKey("ratioToNative") ? format(row.get("ratioToNative")) + "x" : "")
          .append(" |\n");
    }
    if (report.containsKey(ConsensusReport.KEY)) {
      ConsensusReport.markdown((Map<String, Object>) report.get(ConsensusReport.KEY), md);
    }
    if (report.containsKey(GroupCommitReport.KEY)) {
      GroupCommitReport.markdown((Map<String, Object>) report.get(GroupCommitReport.KEY), md);
    }
    if (report.containsKey(ServerLoginBreakdown.KEY)) {
      ServerLoginBreakdown.markdown((Map<String, Object>) report.get(ServerLoginBreakdown.KEY), md);
    }
    if (report.containsKey(VaultMemoryReport.KEY)) {
      VaultMemoryReport.markdown((List<Object>) report.get(VaultMemoryReport.KEY), md);
    }
    return md.toString();
  }

  static String format(Object value) {
    if (!(value instanceof Double) || ((Double) value).isNaN()) {
      return "";
    }
    double d = (Double) value;
    return String.format(Locale.ROOT, d >= 100 ? "%.0f" : d >= 10 ? "%.1f" : "%.2f", d);
  }

  /** Writes through a temporary file in the same folder, so a reader never sees half a file. */
  static void writeAtomically(Path target, String content) throws IOException {
    Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
    Files.writeString(temp, content, StandardCharsets.UTF_8);
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
