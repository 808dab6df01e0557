package dev.bkv.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bkv.tracecheck.NodeTraceMerge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The test's users as {@code bkv client} processes, and what their clients saw: each user's
 * registered key, its wrong guesses since its last recovery (so the guesses remaining the
 * fleet must report), and every operation's start and end with whether its password was right
 * (what a trace merge needs). Thread-safe: several clients run at once.
 */
final class Users {
  static final int MAX_ATTEMPTS = 10;

  final List<String> names;
  private final Deployment deployment;
  private final Path dir;
  private final List<NodeTraceMerge.ClientOp> ops = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Integer> used = Collections.synchronizedMap(new TreeMap<>());

  Users(Deployment deployment, List<String> names) {
    this.deployment = deployment;
    this.dir = deployment.dir;
    this.names = List.copyOf(names);
  }

  /** One client action; {@link #parallel} runs several at once. */
  interface Action {
    void run() throws Exception;
  }

  static void parallel(List<Action> actions) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(actions.size());
    try {
      List<Future<?>> running = new ArrayList<>();
      for (Action a : actions) {
        running.add(pool.submit(() -> {
          a.run();
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  List<NodeTraceMerge.ClientOp> ops() {
    synchronized (ops) {
      return new ArrayList<>(ops);
    }
  }

  static String password(String user) {
    return "correct horse " + user;
  }

  Path keyFile(String user) {
    return dir.resolve(user + ".key");
  }

  void register(String url, String user) throws Exception {
    Deployment.ClientRun r = deployment.client(url, user, password(user), "register", "--backup-key-out",
        keyFile(user).toString(), "--max-attempts", "" + MAX_ATTEMPTS);
    assertEquals(0, r.exit(), r.output());
    ops.add(new NodeTraceMerge.ClientOp(user, r.startNanos(), r.endNanos(), true));
    used.put(user, 0);
  }

  void registerAll(String url) throws Exception {
    parallel(names.stream().map(u -> (Action) () -> register(url, u)).toList());
  }

  /** A wrong password: refused, and one guess counted. */
  void wrong(String url, String user) throws Exception {
    Deployment.ClientRun r = deployment.client(url, user, "wrong guess", "recover", "--backup-key-out",
        dir.resolve(user + "-wrong-" + System.nanoTime() + ".key").toString());
    assertEquals(1, r.exit(), r.output());
    ops.add(new NodeTraceMerge.ClientOp(user, r.startNanos(), r.endNanos(), false));
    used.merge(user, 1, Integer::sum);
  }

  /** The right password: the key registered comes back, and the count starts again. */
  void recover(String url, String user) throws Exception {
    Path out = dir.resolve(user + "-recovered-" + System.nanoTime() + ".key");
    Deployment.ClientRun r = deployment.client(url, user, password(user), "recover", "--backup-key-out", out.toString());
    assertEquals(0, r.exit(), r.output());
    ops.add(new NodeTraceMerge.ClientOp(user, r.startNanos(), r.endNanos(), true));
    assertArrayEquals(Files.readAllBytes(keyFile(user)), Files.readAllBytes(out), user + "'s recovered key");
    used.put(user, 0);
  }

  /** A right password the fleet must not answer (the record moved away): refused. */
  void refused(String url, String user) throws Exception {
    Deployment.ClientRun r = deployment.client(url, user, password(user), "recover", "--backup-key-out",
        dir.resolve(user + "-refused-" + System.nanoTime() + ".key").toString());
    assertEquals(1, r.exit(), "a recovery that must be refused: " + r.output());
  }

  /** Every acknowledged registration is recoverable: each user recovers its key (resetting its count). */
  void recoverAll(String url) throws Exception {
    parallel(names.stream().map(u -> (Action) () -> recover(url, u)).toList());
  }

  /** Each user's guesses remaining are exactly the maximum less its wrong guesses since its last recovery. */
  void expectCounts(String url) throws Exception {
    Map<String, Integer> expected = new LinkedHashMap<>();
    Map<String, Integer> actual = new LinkedHashMap<>();
    for (String u : names) {
      expected.put(u, MAX_ATTEMPTS - used.get(u));
      actual.put(u, deployment.guessesRemaining(url, u));
    }
    assertEquals(expected, actual, "guesses remaining per user at " + url);
  }
}
