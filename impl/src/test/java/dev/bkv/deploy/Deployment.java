package dev.bkv.deploy;

import static dev.bkv.testsupport.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bkv.base.Json;
import dev.bkv.testsupport.CliRun;
import dev.bkv.testsupport.ListeningChild;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A whole deployment as separate processes on this machine, for end-to-end tests: an operator
 * workspace made by {@code bkv fleet init} (5 HSMs over 3 datacenters), a {@code bkv witness
 * serve} child, the first fleet published and its client trust anchors written; then, per
 * fleet, one {@code bkv node} child per HSM and a {@code bkv frontend} child, and clients as
 * {@code bkv client} children. Every child is killed when the deployment is closed, and every
 * wait is bounded.
 */
final class Deployment implements AutoCloseable {
  static final int HSMS = 5;
  static final int DATACENTERS = 3;
  static final String NAMESPACE = "e2e.example/backup";
  /** Argon2id of the test clients: the cheapest the KSF takes, the protocol is the same. */
  static final List<String> CHEAP_KSF = List.of("--ksf-memory-kib", "64", "--ksf-iterations", "1",
      "--ksf-parallelism", "1");
  /**
   * Node timers of the test fleets: failovers within a few seconds, and heartbeats sparse
   * enough that a traced run stays a few thousand events (each heartbeat is nine of them).
   */
  static final String TIMING = "election-timeout-ms 1250 2500\nheartbeat-ms 250\nanswer-timeout-ms 4000\n";
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(90);
  /**
   * The loopback ports the deployment's servers take, as {@code LOW-HIGH} (default 20000-31999,
   * below Linux's ephemeral range); with it set, the witness takes one of them too instead of any
   * free port. For runs that share the machine with others, each in its own range.
   */
  static final String PORTS_PROPERTY = "bkv.deploy.ports";

  final Path dir;
  final Path op;
  final Path anchors;
  final Path witnessKeys;
  final ListeningChild witness;
  private final List<Process> children = new ArrayList<>();
  /** What each child printed, by who it was (live transcripts, kept after the child ends): searched for secrets at the end. */
  private final Map<String, Supplier<String>> printed = new LinkedHashMap<>();

  private Deployment(Path dir, Path op, Path anchors, Path witnessKeys, ListeningChild witness) {
    this.dir = dir;
    this.op = op;
    this.anchors = anchors;
    this.witnessKeys = witnessKeys;
    this.witness = witness;
    children.add(witness.process);
    printed.put("witness", witness::transcript);
  }

  /** Keeps what {@code who} prints, for {@link #printed()}. */
  void recordOutput(String who, Supplier<String> text) {
    synchronized (printed) {
      printed.put(who + " #" + printed.size(), text);
    }
  }

  /** Everything the children printed so far, by who printed it. */
  Map<String, String> printed() {
    synchronized (printed) {
      Map<String, String> all = new LinkedHashMap<>();
      printed.forEach((who, text) -> all.put(who, text.get()));
      return all;
    }
  }

  /** The workspace, the witness serving, and the first fleet published (no node started yet). */
  static Deployment create(Path dir) throws Exception {
    Path op = dir.resolve("op");
    must(run("fleet", "init", "--dir", op.toString(), "--hsms", "" + HSMS, "--datacenters", "" + DATACENTERS,
        "--namespace", NAMESPACE, "--base-port", "" + freePortBlock(HSMS + 1), "--jar", standInJar(dir).toString()));
    Path wdir = dir.resolve("witness");
    CliRun created = must(run("witness", "init", "--dir", wdir.toString(), "--name", "witness.e2e.example/w"));
    Path witnessKeys = dir.resolve("witness.vkeys");
    Files.writeString(witnessKeys, created.out().substring(created.out().indexOf('\n') + 1));
    CliRun vkey = must(run("fleet", "submitter-key", "--dir", op.toString()));
    must(run("witness", "add-operator", "--dir", wdir.toString(), "--vkey", vkey.out().strip()));
    String witnessPort = System.getProperty(PORTS_PROPERTY) == null ? "0" : "" + freePortBlock(1);
    ListeningChild witness = ListeningChild.start(java("witness", "serve", "--dir", wdir.toString(), "--port", witnessPort),
        START_TIMEOUT);
    Deployment d = new Deployment(dir, op, dir.resolve("client-anchors.txt"), witnessKeys, witness);
    try {
      d.publish();
      must(run("fleet", "anchors", "--dir", op.toString(), "--out", d.anchors.toString()));
      return d;
    } catch (Exception | Error e) {
      d.close();
      throw e;
    }
  }

  /** Publishes the workspace's current fleet (chained to the one before). */
  void publish() {
    must(run("fleet", "publish", "--dir", op.toString(), "--witness", witness.url, "--witness-vkeys",
        witnessKeys.toString(), "--public", op.resolve("public").toString()));
  }

  /** Makes the next fleet (key ceremony, evidence) on a free port block. */
  String rotate() throws IOException {
    CliRun rotated = must(run("fleet", "rotate", "--dir", op.toString(), "--base-port", "" + freePortBlock(HSMS + 1),
        "--jar", standInJar(dir).toString()));
    return rotated.out().split("created fleet ")[1].split(" ")[0];
  }

  /**
   * Where a fleet's nodes run: the address each node listens on (and its peers and the
   * frontend reach it at), and the command that starts it there.
   */
  interface Placement {
    Placement LOOPBACK = new Placement() {
      @Override
      public String address(int node) {
        return "127.0.0.1";
      }

      @Override
      public List<String> wrap(int node, List<String> command) {
        return command;
      }
    };

    String address(int node);

    List<String> wrap(int node, List<String> command);
  }

  /** Starts fleet {@code fleetId}'s nodes (on loopback) and its frontend; {@code traces}: where nodes write trace lines. */
  Fleet start(String fleetId, Optional<Path> traces) throws Exception {
    return start(fleetId, traces, Placement.LOOPBACK);
  }

  /** As {@link #start(String, Optional)}, each node where {@code placement} puts it. */
  Fleet start(String fleetId, Optional<Path> traces, Placement placement) throws Exception {
    Path fleetDir = op.resolve("fleets").resolve(fleetId);
    Map<Integer, String> addressOfPort = new HashMap<>();
    for (int i = 1; i <= HSMS; i++) {
      Path conf = fleetDir.resolve("nodes").resolve("hsm-" + i + ".conf");
      String listen = Files.readAllLines(conf).stream().filter(l -> l.startsWith("listen ")).findFirst().orElseThrow();
      addressOfPort.put(Integer.parseInt(listen.split(" ")[2]), placement.address(i));
    }
    for (int i = 1; i <= HSMS; i++) {
      Path conf = fleetDir.resolve("nodes").resolve("hsm-" + i + ".conf");
      String text = Files.readString(conf);
      text = text.replaceAll("(?m)^(election-timeout-ms|heartbeat-ms|answer-timeout-ms) .*\\n", "") + TIMING;
      text = text.replaceAll("(?m)^listen \\S+ ", "listen " + placement.address(i) + " ");
      if (!text.contains("\nmigration-anchors ") && Files.isRegularFile(op.resolve("client-anchors.txt"))) {
        // A fleet configured before the first publish has no anchors line; an operator adds it
        // (or passes --migration-anchors) before a rotation, as here.
        text += "migration-anchors " + op.resolve("client-anchors.txt").toAbsolutePath() + "\n";
      }
      Files.writeString(conf, placed(text, addressOfPort));
    }
    Path frontendConf = fleetDir.resolve("frontend.conf");
    Files.writeString(frontendConf, placed(Files.readString(frontendConf), addressOfPort));
    Fleet fleet = new Fleet(this, fleetId, fleetDir, traces, placement::wrap);
    for (int i = 1; i <= HSMS; i++) {
      fleet.startNode(i);
    }
    fleet.startFrontend();
    return fleet;
  }

  /** Every node URL in a config, pointed at the address its node listens on. */
  private static String placed(String config, Map<Integer, String> addressOfPort) {
    Matcher m = Pattern.compile("http://[^:/\\s]+:(\\d+)").matcher(config);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String address = addressOfPort.get(Integer.parseInt(m.group(1)));
      m.appendReplacement(out, address == null ? m.group() : "http://" + address + ":" + m.group(1));
    }
    m.appendTail(out);
    return out.toString();
  }

  void adopt(Process process) {
    synchronized (children) {
      children.add(process);
    }
  }

  /** The result of one client process, with the machine clock read just before its start and after its end. */
  record ClientRun(int exit, String output, long startNanos, long endNanos) {}

  /** Runs {@code bkv client <args>} against {@code frontend} as a child process. */
  ClientRun client(String frontend, String user, String password, String... args) throws Exception {
    Path passwordFile = Files.createTempFile(dir, "password", ".txt");
    Files.writeString(passwordFile, password);
    Path state = dir.resolve("client-" + user + ".state");
    List<String> command = new ArrayList<>(java("client"));
    command.add(args[0]);
    command.addAll(List.of("--frontend", frontend, "--anchors", anchors.toString(), "--state", state.toString(),
        "--user", user));
    if (!args[0].equals("status") && !args[0].equals("verify-fleet")) {
      command.addAll(List.of("--password-file", passwordFile.toString()));
      command.addAll(CHEAP_KSF);
    }
    command.addAll(List.of(args).subList(1, args.length));
    long start = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    adopt(p);
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("client " + String.join(" ", args) + " did not finish in " + CLIENT_TIMEOUT);
    }
    long end = System.nanoTime();
    Files.delete(passwordFile);
    String output = new String(out, StandardCharsets.UTF_8);
    recordOutput("client " + user + " " + args[0], () -> output);
    return new ClientRun(p.exitValue(), output, start, end);
  }

  /** Guesses remaining for {@code user} as {@code bkv client status} reports them, or -1 for no record. */
  int guessesRemaining(String frontend, String user) throws Exception {
    ClientRun status = client(frontend, user, "", "status");
    assertEquals(0, status.exit(), status.output());
    if (status.output().contains("no record")) {
      return -1;
    }
    return Integer.parseInt(status.output().split("guesses remaining ")[1].split(" ")[0]);
  }

  @Override
  public void close() {
    synchronized (children) {
      for (Process p : children) {
        p.destroyForcibly();
      }
      for (Process p : children) {
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------

  /** {@code java -cp <this test's class path> dev.bkv.cli.Main args...}, small and quick to start. */
  static List<String> java(String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "dev.bkv.cli.Main"));
    command.addAll(List.of(args));
    return command;
  }

  static CliRun must(CliRun r) {
    assertEquals(0, r.exit(), "out:\n" + r.out() + "\nerr:\n" + r.err());
    return r;
  }

  /**
   * A block of {@code count} consecutive free loopback ports (checked by binding each) in the
   * range {@link #PORTS_PROPERTY} names, by default below Linux's ephemeral range (32768 and up),
   * where an outgoing connection could take one of them while a node is down.
   */
  static int freePortBlock(int count) throws IOException {
    String range = System.getProperty(PORTS_PROPERTY, "20000-31999");
    Matcher m = Pattern.compile("(\\d{4,5})-(\\d{4,5})").matcher(range);
    if (!m.matches() || Integer.parseInt(m.group(1)) + count > Integer.parseInt(m.group(2)) + 1
        || Integer.parseInt(m.group(2)) > 65535) {
      throw new IllegalArgumentException(PORTS_PROPERTY + " must be LOW-HIGH with room for " + count + " ports, got "
          + range);
    }
    int low = Integer.parseInt(m.group(1));
    int bases = Integer.parseInt(m.group(2)) + 1 - count - low + 1;
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = low + ThreadLocalRandom.current().nextInt(bases);
      if (allFree(base, count)) {
        return base;
      }
    }
    throw new IOException("no block of " + count + " free ports found in " + range);
  }

  private static boolean allFree(int base, int count) {
    for (int p = base; p < base + count; p++) {
      try (ServerSocket s = new ServerSocket(p)) {
        s.setReuseAddress(true);
      } catch (IOException taken) {
        return false;
      }
    }
    return true;
  }

  /** The evidence names the vault jar's hash; any file stands in for it here. */
  private static Path standInJar(Path dir) throws IOException {
    Path jar = dir.resolve("bkv-impl.jar");
    if (!Files.exists(jar)) {
      Files.writeString(jar, "stands for impl/target/bkv-impl.jar");
    }
    return jar;
  }

  /** GET {@code url} as parsed JSON, or empty when it does not answer 200 in time. */
  static Optional<Map<String, Object>> getJson(HttpClient http, String url) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(Json.parseObject(r.body())) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
