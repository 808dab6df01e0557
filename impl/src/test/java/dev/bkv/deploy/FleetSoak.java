package dev.bkv.deploy;

import dev.bkv.client.VaultClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A soak of the deployed fleet as processes on loopback: the witness, five {@code bkv node}s in
 * three datacenters and the frontend, under a steady load of {@code --rate} client operations a
 * second (registrations, wrong guesses, recoveries) from {@code --clients} lanes for {@code
 * --seconds}; meanwhile one node is killed with SIGKILL and restarted every {@code
 * --kill-every} seconds (the next one each time), and once, 40% into the load, a whole
 * datacenter is lost: its nodes are killed, their storage (sealed log and snapshots) deleted,
 * and they are started again empty, to be rebuilt from the others.
 *
 * <p>At the end, with every node up: every acknowledged registration recovers its key, and
 * every user's guesses remaining fit what its clients were told ({@link SoakLedger}); every
 * process's live heap stayed flat ({@link MemorySeries}); no node exited unless killed. The
 * figures go to {@code --summary}; the exit code is 0 when every check held, 1 when one did
 * not, 2 for bad options. Every child process is killed on exit, also on failure or SIGTERM.
 */
final class FleetSoak {
  static final int MAX_ATTEMPTS = 10;
  static final int SECONDS_MIN = 30;
  static final int SECONDS_MAX = 4 * 3600;
  static final int CLIENTS_MAX = 8;
  static final int USERS_MAX = 1000;
  /** Client operations a second, over all lanes. */
  static final int RATE_MAX = 100;
  /** Attempts at a recovery (and at each final status query) before its failure stands. */
  static final int ATTEMPTS_MAX = 5;
  static final Duration LEADER_TIMEOUT = Duration.ofSeconds(60);
  static final Duration REBUILD_TIMEOUT = Duration.ofSeconds(180);
  /** A node is down this long between its kill and its restart. */
  static final long DOWN_MILLIS = 3_000;
  /** How long a lost datacenter stays away before it is started again, empty. */
  static final long DATACENTER_DOWN_MILLIS = 10_000;
  /** Memory: warm-up of the run and of each process life, and the largest slope still flat. */
  static final double RUN_WARMUP_SECONDS = 120;
  static final double LIFE_WARMUP_SECONDS = 45;
  /**
   * 1 MiB a minute: a leak of 4 KiB per client operation at the default rate, 10 MiB over the
   * default run on a live heap of about 20 MiB; the samples' own noise (requests in flight, about
   * 1 MiB) moves a 10-minute slope by about a tenth of it.
   */
  static final double SLOPE_BYTES_PER_MINUTE_MAX = 1024 * 1024;
  static final long SAMPLE_SECONDS = 10;
  /** Setup, final checks and shutdown together take at most this long beyond the load. */
  static final long OVERTIME_SECONDS = 900;

  record Options(int seconds, int clients, int users, int rate, int killEverySeconds, Path summary, Path dir) {}

  private final Options options;
  private final SoakLedger ledger = new SoakLedger(MAX_ATTEMPTS, VaultClient.LEADER_CHANGE_RETRIES_MAX + 1);
  private final MemorySeries memory = new MemorySeries(RUN_WARMUP_SECONDS, LIFE_WARMUP_SECONDS,
      SLOPE_BYTES_PER_MINUTE_MAX);
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
  private final long startNanos = System.nanoTime();
  private volatile long loadStartNanos;
  private volatile long loadEndNanos;
  private Deployment deployment;
  private Fleet fleet;
  private SoakFaults faults;

  private FleetSoak(Options options) {
    this.options = options;
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("soak: " + e.getMessage());
      System.err.println("usage: FleetSoak [--seconds N] [--clients N] [--users N] [--rate N] [--kill-every N] --summary FILE --dir DIR");
      System.exit(2);
      return;
    }
    FleetSoak soak = new FleetSoak(options);
    int exit;
    try {
      exit = soak.run();
    } catch (Throwable e) {
      e.printStackTrace();
      soak.problems.add("the soak stopped: " + e);
      exit = 1;
      soak.writeSummaryQuietly();
    }
    System.exit(exit);
  }

  static Options parse(String[] args) {
    int seconds = 600;
    int clients = 2;
    int users = 100;
    int rate = 4;
    int killEvery = 30;
    Path summary = null;
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      String value = args[++i];
      switch (args[i - 1]) {
        case "--seconds" -> seconds = number("--seconds", value, SECONDS_MIN, SECONDS_MAX);
        case "--clients" -> clients = number("--clients", value, 1, CLIENTS_MAX);
        case "--users" -> users = number("--users", value, 1, USERS_MAX);
        case "--rate" -> rate = number("--rate", value, 1, RATE_MAX);
        case "--kill-every" -> killEvery = number("--kill-every", value, 10, 3600);
        case "--summary" -> summary = Path.of(value);
        case "--dir" -> dir = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i - 1]);
      }
    }
    if (summary == null || dir == null) {
      throw new IllegalArgumentException("--summary and --dir are required");
    }
    if (users < clients) {
      throw new IllegalArgumentException("--users must be at least --clients (" + clients + "), got " + users);
    }
    return new Options(seconds, clients, users, rate, killEvery, summary, dir);
  }

  private static int number(String option, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + " must be a whole number in [" + min + ", " + max + "], got " + value);
  }

  private int run() throws Exception {
    watchdog();
    Files.createDirectories(options.dir());
    Path work = Files.createTempDirectory(options.dir(), "soak-");
    log("work folder " + work);
    deployment = Deployment.create(work);
    Thread closer = new Thread(deployment::close);
    Runtime.getRuntime().addShutdownHook(closer);
    try {
      fleet = deployment.start("fleet-1", Optional.empty());
      faults = new SoakFaults(this, fleet);
      fleet.awaitLeader(LEADER_TIMEOUT);
      log("fleet up: frontend " + fleet.frontendUrl() + ", witness " + deployment.witness.url);
      soak();
      finalChecks();
    } finally {
      writeSummaryQuietly();
      deployment.close();
      Runtime.getRuntime().removeShutdownHook(closer);
    }
    return problems.isEmpty() ? 0 : 1;
  }

  /**
   * Every wait of the soak is bounded on its own; this bounds their sum: past the load's length
   * and {@link #OVERTIME_SECONDS}, the soak records why, writes its summary and exits 1 (the
   * shutdown hook then kills every child).
   */
  private void watchdog() {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep((options.seconds() + OVERTIME_SECONDS) * 1000L);
      } catch (InterruptedException e) {
        return;
      }
      problems.add("the soak ran past " + (options.seconds() + OVERTIME_SECONDS) + " s and was stopped");
      writeSummaryQuietly();
      System.exit(1);
    }, "soak-watchdog");
    t.setDaemon(true);
    t.start();
  }

  /** The load, the kills and the datacenter loss, side by side until the deadline; memory and leaders watched. */
  private void soak() throws Exception {
    loadStartNanos = System.nanoTime();
    long deadline = loadStartNanos + options.seconds() * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < options.clients(); w++) {
      int worker = w;
      threads.add(thread("client-" + w, () -> new SoakClient(this, worker).run(deadline)));
    }
    threads.add(thread("faults", () -> faults.run(loadStartNanos, deadline)));
    Thread leaders = thread("leaders", () -> watchLeaders(deadline));
    Thread sampler = thread("memory", () -> sampleMemory(deadline));
    for (Thread t : threads) {
      t.join();
    }
    loadEndNanos = System.nanoTime();
    leaders.join();
    sampler.join();
    log("load stopped");
  }

  /** A thread that runs {@code body}, recording its failure as a problem. */
  private Thread thread(String name, Users.Action body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        problems.add(name + " stopped: " + e);
        e.printStackTrace();
      }
    }, "soak-" + name);
    t.start();
    return t;
  }

  // --- the client side -------------------------------------------------------------------------

  SoakLedger ledger() {
    return ledger;
  }

  Options options() {
    return options;
  }

  Deployment deployment() {
    return deployment;
  }

  String frontend() {
    return fleet.frontendUrl();
  }

  void count(String what) {
    counters.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
  }

  int counter(String what) {
    AtomicInteger n = counters.get(what);
    return n == null ? 0 : n.get();
  }

  void problem(String what) {
    log("PROBLEM " + what);
    problems.add(what);
  }

  // --- watchers --------------------------------------------------------------------------------

  private void watchLeaders(long deadline) throws InterruptedException {
    String last = null;
    while (System.nanoTime() < deadline) {
      long bestTerm = -1;
      String leader = null;
      for (Map<String, Object> n : fleet.status()) {
        if ("leader".equals(n.get("role")) && Fleet.number(n, "term") > bestTerm) {
          bestTerm = Fleet.number(n, "term");
          leader = "member " + Fleet.number(n, "hsm") + " term " + bestTerm;
        }
      }
      if (counter("leaderPolls") % 60 == 0) {
        log(String.format(Locale.ROOT, "progress: %d registrations, %d wrong guesses, %d recoveries, %d kills, %d problems",
            counter("registrations"), counter("wrong guesses"), counter("recoveries"), counter("kills"), problems.size()));
      }
      count("leaderPolls");
      if (leader == null) {
        count("leaderPollsWithout");
      } else if (!leader.equals(last)) {
        if (last != null) {
          count("leaderChanges");
        }
        log("leader: " + leader);
        last = leader;
      }
      Thread.sleep(1_000);
    }
  }

  private void sampleMemory(long deadline) throws Exception {
    long every = SAMPLE_SECONDS * 1_000_000_000L;
    long next = System.nanoTime();
    try (ProcessMemory meter = new ProcessMemory()) {
      while (next < deadline) {
        sleepUntil(next);
        for (int node = 1; node <= Deployment.HSMS; node++) {
          try {
            sample(meter, "hsm-" + node, faults.life(node), fleet.process(node), faults.lifeStartNanos(node));
          } catch (AssertionError down) {
            // Killed just now: no sample of it this round.
          }
        }
        sample(meter, "frontend", 1, fleet.frontendProcess(), loadStartNanos);
        sample(meter, "witness", 1, deployment.witness.process, loadStartNanos);
        next += every;
      }
    }
  }

  private void sample(ProcessMemory meter, String name, int life, Process process, long lifeStart) {
    Optional<long[]> m = meter.measure(process);
    if (m.isPresent()) {
      long now = System.nanoTime();
      memory.add(new MemorySeries.Sample(name, life, secondsSince(loadStartNanos, now), secondsSince(lifeStart, now),
          m.get()[0], m.get()[1]));
    } else {
      count("memorySamplesMissed");
    }
  }

  // --- the end ---------------------------------------------------------------------------------

  /** With every node up and caught up: each acknowledged user's count, then its key. */
  private void finalChecks() throws Exception {
    faults.startEveryNode();
    fleet.awaitLeader(LEADER_TIMEOUT);
    long caughtUp = fleet.awaitCaughtUp(REBUILD_TIMEOUT);
    log("every node at commit index " + caughtUp);
    List<String> users = ledger.registeredUsers();
    List<Users.Action> checks = new ArrayList<>();
    int lanes = Math.max(1, Math.min(3, users.size()));
    for (int lane = 0; lane < lanes; lane++) {
      int first = lane;
      checks.add(() -> {
        SoakClient client = new SoakClient(this, -1);
        for (int i = first; i < users.size(); i += lanes) {
          client.finalCheck(users.get(i));
        }
      });
    }
    Users.parallel(checks);
    for (MemorySeries.Verdict v : memory.verdicts()) {
      if (v.used() < MemorySeries.SAMPLES_MIN) {
        problem(v.process() + ": only " + v.used() + " memory samples after warm-up (at least " + MemorySeries.SAMPLES_MIN
            + " needed): run longer");
      } else if (!v.flat()) {
        problem(String.format(Locale.ROOT, "%s: memory not flat: %d samples after warm-up, live heap slope %s/min"
            + " (+-%s) by run time, %s/min (+-%s) by age (bound %s/min)", v.process(), v.used(),
            MemorySeries.mib(v.slopeByRun()), MemorySeries.mib(v.errorByRun()), MemorySeries.mib(v.slopeByAge()),
            MemorySeries.mib(v.errorByAge()), MemorySeries.mib(SLOPE_BYTES_PER_MINUTE_MAX)));
      }
    }
  }

  private void writeSummaryQuietly() {
    try {
      SoakSummary.write(options.summary(), this);
    } catch (IOException e) {
      System.err.println("soak: could not write " + options.summary() + ": " + e.getMessage());
    }
  }

  // --- for the summary -------------------------------------------------------------------------

  List<String> problems() {
    return problems;
  }

  List<String> events() {
    return events;
  }

  MemorySeries memory() {
    return memory;
  }

  double wallSeconds() {
    return secondsSince(startNanos, System.nanoTime());
  }

  double loadSeconds() {
    return loadStartNanos == 0 ? 0 : secondsSince(loadStartNanos, loadEndNanos == 0 ? System.nanoTime() : loadEndNanos);
  }

  double setupSeconds() {
    return loadStartNanos == 0 ? wallSeconds() : secondsSince(startNanos, loadStartNanos);
  }

  void log(String line) {
    System.out.printf(Locale.ROOT, "[%s] %s%n", Instant.now().toString().substring(11, 19), line);
  }

  static double secondsSince(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e9;
  }

  static void sleepUntil(long nanos) throws InterruptedException {
    long millis = (nanos - System.nanoTime()) / 1_000_000;
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  static Random random(int worker) {
    return new Random(Arrays.hashCode(new int[] {worker, (int) System.nanoTime()}));
  }
}
