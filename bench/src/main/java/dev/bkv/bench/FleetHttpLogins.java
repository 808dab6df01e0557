package dev.bkv.bench;

import dev.bkv.base.Json;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.cli.Main;
import dev.bkv.client.ClientAnchors;
import dev.bkv.client.FleetTrust;
import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.net.FrontendHttpClient;
import dev.bkv.net.VaultHttpTransport;
import dev.bkv.vault.BackupKey;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.vault.UserId;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Logins per second through the frontend over HTTP, against a fleet of 5 {@code bkv node}
 * processes, a {@code bkv frontend} and a {@code bkv witness serve} on loopback, set up as an
 * operator does ({@code bkv fleet init}, witness, {@code fleet publish}, client anchors). N
 * client threads in this process each run full OPAQUE logins (a recovery: LoginStart, then
 * LoginFinish, the phone's KE1 and KE3 included; Identity KSF, as in {@link FleetLoginBench},
 * since Argon2 is the phone's cost) for users of their own, after a warm-up, for a fixed
 * window. Prints logins/s, latency percentiles and, given the JMH results of the same run,
 * the ratio to {@code FleetLoginBench.fleetLogin} (in process, in memory).
 *
 * <p>Every child is started under {@code timeout -s KILL} ({@link #CHILD_SECONDS_MAX}), so it
 * stops by itself even if this process is killed; this process kills them all when it ends,
 * on failure too, and gives up after {@link #RUN_SECONDS_MAX}.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" dev.bkv.bench.FleetHttpLogins 16 [JMH_JSON]}
 */
public final class FleetHttpLogins {
  static final int HSMS = 5;
  static final int DATACENTERS = 3;
  static final int CLIENTS_MAX = 64;
  /** Users each client thread logs in, in turn (one login of a user at a time). */
  static final int USERS_PER_CLIENT = 4;
  static final long WARMUP_NANOS = 5_000_000_000L;
  static final long MEASURE_NANOS = 10_000_000_000L;
  /** Latencies kept: more than the window produces at any rate this machine reaches. */
  static final int SAMPLES_MAX = 1_000_000;
  /** Ports this program may take: a block of HSMS + 2 (frontend, nodes, witness) inside it. */
  static final int PORT_FIRST = 21_000;
  static final int PORT_LAST = 21_999;
  static final long START_SECONDS_MAX = 90;
  static final long RUN_SECONDS_MAX = 600;
  /** A child kills itself after this long whatever happens to this process. */
  static final long CHILD_SECONDS_MAX = RUN_SECONDS_MAX + 60;
  static final String NAMESPACE = "bench.example/backup";
  static final String IN_PROCESS = "FleetLoginBench.fleetLogin";
  private static final String LISTENING = "listening on ";

  private final Path dir;
  private final List<Process> children = new ArrayList<>();

  private FleetHttpLogins(Path dir) {
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: FleetHttpLogins <clients 1.." + CLIENTS_MAX + "> [JMH_JSON]");
      System.exit(2);
    }
    int clients = Integer.parseInt(args[0]);
    if (clients < 1 || clients > CLIENTS_MAX) {
      System.err.println("FleetHttpLogins: clients must be 1 to " + CLIENTS_MAX + ", got " + clients);
      System.exit(2);
    }
    Optional<Double> inProcess = args.length == 2 ? inProcessLoginsPerSecond(Path.of(args[1])) : Optional.empty();
    Path base = Path.of(System.getProperty("bkv.bench.dir", System.getProperty("java.io.tmpdir")));
    FleetHttpLogins bench = new FleetHttpLogins(Files.createTempDirectory(base, "bkv-bench-fleet-http"));
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.SECONDS.toMillis(RUN_SECONDS_MAX));
      } catch (InterruptedException done) {
        return;
      }
      System.err.println("FleetHttpLogins: gave up after " + RUN_SECONDS_MAX + " s");
      bench.stopChildren();
      Runtime.getRuntime().halt(3);
    });
    watchdog.setDaemon(true);
    watchdog.start();
    Runtime.getRuntime().addShutdownHook(new Thread(bench::stopChildren));
    try {
      System.out.println(bench.run(clients, inProcess));
    } finally {
      bench.stopChildren();
      deleteTree(bench.dir);
      watchdog.interrupt();
    }
  }

  /**
   * The one line a run prints, which bench/run.sh appends to the report's Markdown as printed
   * and {@link BenchCharts} reads back from there: the format and its reader in one place.
   */
  record Line(int hsms, int clients, double loginsPerSecond, long logins, double windowSeconds, double p50Millis,
      double p99Millis, double maxMillis, String ratio) {
    private static final String FORMAT = "%d HSM processes, %d clients over HTTP: %.0f logins/s (%d in %.0f s), "
        + "latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; %s";
    private static final Pattern PATTERN = Pattern.compile("(\\d+) HSM processes, (\\d+) clients over HTTP: "
        + "(\\d+) logins/s \\((\\d+) in (\\d+) s\\), latency p50 ([\\d.]+) ms, p99 ([\\d.]+) ms, max ([\\d.]+) ms; (.*)");

    String text() {
      return String.format(Locale.ROOT, FORMAT, hsms, clients, loginsPerSecond, logins, windowSeconds, p50Millis,
          p99Millis, maxMillis, ratio);
    }

    /** Every line of {@code text} that is such a line, in order; other lines are not this benchmark's. */
    static List<Line> findAll(List<String> text) {
      return PrintedLines.findAll(text, PATTERN, m -> new Line(Integer.parseInt(m.group(1)),
          Integer.parseInt(m.group(2)), Double.parseDouble(m.group(3)), Long.parseLong(m.group(4)),
          Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)), Double.parseDouble(m.group(7)),
          Double.parseDouble(m.group(8)), m.group(9)));
    }
  }

  private String run(int clients, Optional<Double> inProcess) throws Exception {
    int basePort = freePortBlock(HSMS + 2);
    String frontend = startDeployment(basePort);
    VaultClient client = trustingClient(frontend);
    List<UserId> users = new ArrayList<>();
    for (int u = 0; u < clients * USERS_PER_CLIENT; u++) {
      users.add(FleetUsers.userId(u));
    }
    registerAll(client, users, clients);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      runFor(pool, client, users, clients, WARMUP_NANOS);
      long[][] perClient = runFor(pool, client, users, clients, MEASURE_NANOS);
      long[] latencies = Arrays.stream(perClient).flatMapToLong(Arrays::stream).sorted().toArray();
      double perSecond = latencies.length * 1e9 / MEASURE_NANOS;
      String ratio = inProcess.map(p -> String.format(Locale.ROOT, "%.3f of the in-process %.0f logins/s (%s, same run)",
          perSecond / p, p, IN_PROCESS)).orElse("no in-process figure in this run (" + IN_PROCESS + " did not run)");
      return new Line(HSMS, clients, perSecond, latencies.length, MEASURE_NANOS / 1e9, millis(latencies, 0.50),
          millis(latencies, 0.99), latencies[latencies.length - 1] / 1e6, ratio).text();
    } finally {
      pool.shutdownNow();
    }
  }

  private static final Password PASSWORD = Password.utf8("correct horse battery staple");

  private static BackupKey backupKey(int user) {
    byte[] key = new byte[FleetCluster.BACKUP_KEY_BYTES];
    key[0] = (byte) user;
    key[1] = (byte) (user >> 8);
    return new BackupKey(key);
  }

  /** Registers every user; the first waits (bounded) for the fleet to elect a leader. */
  private static void registerAll(VaultClient client, List<UserId> users, int threads) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS_MAX);
    while (true) {
      try {
        client.register(users.get(0), PASSWORD, backupKey(0));
        break;
      } catch (Exception notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the fleet registered no user within " + START_SECONDS_MAX + " s: " + notYet, notYet);
        }
        Thread.sleep(200);
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int u = 1; u < users.size(); u++) {
        int user = u;
        done.add(pool.submit(() -> {
          client.register(users.get(user), PASSWORD, backupKey(user));
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(START_SECONDS_MAX, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Each client logs its own users in, in turn, for {@code nanos}; the latencies of each client's logins. */
  private static long[][] runFor(ExecutorService pool, VaultClient client, List<UserId> users, int clients, long nanos)
      throws Exception {
    long end = System.nanoTime() + nanos;
    List<Future<long[]>> running = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int first = c * USERS_PER_CLIENT;
      running.add(pool.submit(() -> {
        long[] latencies = new long[SAMPLES_MAX / clients];
        int done = 0;
        for (long now = System.nanoTime(); now < end && done < latencies.length; now = System.nanoTime()) {
          int user = first + done % USERS_PER_CLIENT;
          RecoveryResult result = client.recover(users.get(user), PASSWORD);
          if (!(result instanceof RecoveryResult.Recovered recovered)
              || !Arrays.equals(recovered.backupKey().toBytes(), backupKey(user).toBytes())) {
            throw new IllegalStateException("login of user " + user + " did not recover its key: " + result);
          }
          latencies[done++] = System.nanoTime() - now;
        }
        return Arrays.copyOf(latencies, done);
      }));
    }
    long[][] out = new long[clients][];
    for (int c = 0; c < clients; c++) {
      out[c] = running.get(c).get(nanos / 1_000_000_000L + START_SECONDS_MAX, TimeUnit.SECONDS);
    }
    return out;
  }

  /** A client that accepted the fleet the frontend serves, as a phone does: through the anchors and the witness log. */
  private VaultClient trustingClient(String frontendUrl) throws Exception {
    FrontendHttpClient frontend = FrontendHttpClient.to(frontendUrl);
    TrustAnchors anchors = ClientAnchors.parse(Files.readAllBytes(dir.resolve("client-anchors.txt")));
    FleetTrust trust = FleetTrust.open(dir.resolve("client.state"), anchors);
    byte[] served = frontend.bundle().orElseThrow(() -> new IllegalStateException("the frontend serves no bundle"));
    BundleVerdict verdict = trust.offer(served, frontend.logTiles(), System.currentTimeMillis() / 1000);
    if (!(verdict instanceof BundleVerdict.Accepted accepted)) {
      throw new IllegalStateException("the client refused the served fleet: " + verdict.describe());
    }
    ValidationBundle fleet = accepted.fleet();
    return VaultClient.forFleet(new VaultHttpTransport(frontend), fleet, Ksf.identity(), new SecureRandom());
  }

  /**
   * The operator's steps: workspace, witness, publish, client anchors; then the fleet's node
   * processes and its frontend. Returns the frontend's URL.
   */
  private String startDeployment(int basePort) throws Exception {
    Path op = dir.resolve("op");
    Path jar = dir.resolve("bkv-impl.jar"); // the evidence names the vault jar's hash; any file stands in
    Files.writeString(jar, "stands for impl/target/bkv-impl.jar");
    cli("fleet", "init", "--dir", op.toString(), "--hsms", "" + HSMS, "--datacenters", "" + DATACENTERS,
        "--namespace", NAMESPACE, "--base-port", "" + basePort, "--jar", jar.toString());
    Path witnessDir = dir.resolve("witness");
    String created = cli("witness", "init", "--dir", witnessDir.toString(), "--name", "witness.bench.example/w");
    Path witnessKeys = dir.resolve("witness.vkeys");
    Files.writeString(witnessKeys, created.substring(created.indexOf('\n') + 1));
    cli("witness", "add-operator", "--dir", witnessDir.toString(), "--vkey", cli("fleet", "submitter-key", "--dir",
        op.toString()).strip());
    String witness = start(List.of("witness", "serve", "--dir", witnessDir.toString(), "--port", "" + (basePort + HSMS + 1)));
    cli("fleet", "publish", "--dir", op.toString(), "--witness", witness, "--witness-vkeys", witnessKeys.toString(),
        "--public", op.resolve("public").toString());
    cli("fleet", "anchors", "--dir", op.toString(), "--out", dir.resolve("client-anchors.txt").toString());
    Path fleet = op.resolve("fleets").resolve("fleet-1");
    for (int i = 1; i <= HSMS; i++) {
      start(List.of("node", "--config", fleet.resolve("nodes").resolve("hsm-" + i + ".conf").toString()));
    }
    return start(List.of("frontend", "--config", fleet.resolve("frontend.conf").toString(), "--witness", witness));
  }

  /** {@code bkv args...} in this process; its output, or an exception with what it printed. */
  private static synchronized String cli(String... args) {
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
      exit = Main.run(args);
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    if (exit != 0) {
      throw new IllegalStateException("bkv " + String.join(" ", args) + " exited " + exit + ":\n" + printed);
    }
    return printed;
  }

  /** Starts {@code bkv args...} as a child that stops by itself; waits for its "listening on" line and returns the URL. */
  private String start(List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of("timeout", "-s", "KILL", "" + CHILD_SECONDS_MAX,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), "dev.bkv.cli.Main"));
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    synchronized (children) {
      children.add(process);
    }
    AtomicReference<String> url = new AtomicReference<>();
    StringBuilder transcript = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          synchronized (transcript) {
            if (transcript.length() < 64 * 1024) {
              transcript.append(line).append('\n');
            }
          }
          int at = line.indexOf(LISTENING);
          if (at >= 0) {
            url.compareAndSet(null, line.substring(at + LISTENING.length()).split(" ")[0]);
          }
        }
      } catch (IOException closed) {
        // The child ended or was killed.
      }
    });
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS_MAX);
    while (url.get() == null && process.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    if (url.get() == null) {
      synchronized (transcript) {
        throw new IllegalStateException("bkv " + String.join(" ", args) + " did not start listening:\n" + transcript);
      }
    }
    return url.get();
  }

  private void stopChildren() {
    synchronized (children) {
      for (Process p : children) {
        p.descendants().forEach(ProcessHandle::destroyForcibly); // the JVM under timeout
        p.destroyForcibly();
      }
      for (Process p : children) {
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      children.clear();
    }
  }

  /** A block of consecutive loopback ports inside [PORT_FIRST, PORT_LAST], each checked free by binding it. */
  private static int freePortBlock(int count) throws IOException {
    for (int base = PORT_FIRST; base + count - 1 <= PORT_LAST; base += count) {
      boolean free = true;
      for (int port = base; port < base + count && free; port++) {
        try (ServerSocket socket = new ServerSocket(port)) {
          socket.setReuseAddress(true);
        } catch (IOException taken) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no " + count + " free consecutive ports in " + PORT_FIRST + ".." + PORT_LAST);
  }

  /** Logins per second of the in-process benchmark in a JMH JSON result file (microseconds per login there). */
  @SuppressWarnings("unchecked")
  static Optional<Double> inProcessLoginsPerSecond(Path jmhJson) throws IOException {
    Object parsed = Json.parse(Files.readString(jmhJson, StandardCharsets.UTF_8));
    if (!(parsed instanceof List)) {
      throw new IllegalArgumentException(jmhJson + ": expected a JMH JSON array of results");
    }
    for (Object o : (List<Object>) parsed) {
      Map<String, Object> result = (Map<String, Object>) o;
      if (((String) result.get("benchmark")).endsWith("." + IN_PROCESS)) {
        Map<String, Object> metric = (Map<String, Object>) result.get("primaryMetric");
        if (!"us/op".equals(metric.get("scoreUnit"))) {
          throw new IllegalArgumentException(IN_PROCESS + ": expected us/op, got " + metric.get("scoreUnit"));
        }
        return Optional.of(1e6 / BenchReport.number(metric.get("score")));
      }
    }
    return Optional.empty();
  }

  private static double millis(long[] sorted, double quantile) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1e6;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
