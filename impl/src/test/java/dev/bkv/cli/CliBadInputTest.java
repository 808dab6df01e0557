package dev.bkv.cli;

import static dev.bkv.testsupport.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.testsupport.CliRun;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: every command given bad input (missing, empty, truncated, binary, huge or unreadable
 * files, unreachable URLs, out-of-range numbers) prints one line naming what was wrong, exits
 * non-zero, shows no stack trace, and creates or changes no file.
 *
 * <p>Unreadable files: the tests run as root, where a mode-000 file is still readable, so an
 * unreadable input is a directory where a file is expected ({@code {T}/adir}); the
 * permission-denied wording itself is checked in {@code IoErrorsTest}.
 */
class CliBadInputTest {
  static final String UNREACHABLE = "http://127.0.0.1:9";
  static final String SIGSUM_KEY = "ffdc2d4d98e4124d3feaf788c0c2f9abfd796083d1f0495437f302ec79cf100f";
  /** Larger than any file a command reads; sparse, so it costs no disk. */
  static final long HUGE_BYTES = 64L << 20;

  @TempDir static Path t;

  /** One bad command line: its arguments ({T} is the fixture folder), the exit code and a fragment of the one stderr line. */
  record Row(String name, int exit, String fragment, String... args) {}

  static Row row(String name, int exit, String fragment, String... args) {
    return new Row(name, exit, fragment, args);
  }

  static final Row[] ROWS = {
    // witness init / serve / add-log
    row("init: name with a space, nothing created", 1, "witness name must be", "witness", "init", "--dir", "{T}/new", "--name", "a b"),
    row("init: huge name, shown cut", 1, "... (100000 characters)", "witness", "init", "--dir", "{T}/new", "--name",
        "a".repeat(100_000)),
    row("init: keys exist already", 1, "exists already", "witness", "init", "--dir", "{T}/w", "--name", "w.example/w1"),
    row("init: no --dir", 2, "Missing required option: '--dir", "witness", "init", "--name", "a.example"),
    row("serve: not a witness directory", 1, "missing key file", "witness", "serve", "--dir", "{T}/nope", "--port", "0"),
    row("serve: binary key file", 1, "log.skey: not UTF-8 text", "witness", "serve", "--dir", "{T}/w-binary-key", "--port", "0"),
    row("serve: empty key file", 1, "empty key file", "witness", "serve", "--dir", "{T}/w-empty-key", "--port", "0"),
    row("serve: huge key file", 1, "larger than a key file", "witness", "serve", "--dir", "{T}/w-huge-key", "--port", "0"),
    row("serve: truncated key file", 1, "log.skey:", "witness", "serve", "--dir", "{T}/w-truncated-key", "--port", "0"),
    row("serve: binary logs file", 1, "witnessed/logs: not UTF-8 text", "witness", "serve", "--dir", "{T}/w-binary-logs", "--port", "0"),
    row("serve: binary operators file", 1, "operators: not UTF-8 text", "witness", "serve", "--dir", "{T}/w-binary-operators", "--port", "0"),
    row("serve: huge operators file", 1, "operators: larger than", "witness", "serve", "--dir", "{T}/w-huge-operators", "--port", "0"),
    row("serve: port out of range", 1, "--port must be in [0, 65535], got 70000", "witness", "serve", "--dir", "{T}/w", "--port", "70000"),
    row("serve: port not a number", 2, "Invalid value for option '--port'", "witness", "serve", "--dir", "{T}/w", "--port", "http"),
    row("serve: host that does not resolve", 1, "--host 999.1.1.1: unknown host", "witness", "serve", "--dir", "{T}/w",
        "--host", "999.1.1.1", "--port", "0"),
    row("add-log: no witness directory, nothing created", 1, "is not a witness directory", "witness", "add-log", "--dir",
        "{T}/nope", "--sigsum-key", SIGSUM_KEY),
    row("add-log: sigsum key not hex", 1, "--sigsum-key must be 64 hex digits", "witness", "add-log", "--dir", "{T}/w",
        "--sigsum-key", "xyz"),
    // fleet init / rotate / status / publish
    row("init: too many HSMs", 1, "--hsms must be in [1, 64]", "fleet", "init", "--dir", "{T}/o", "--hsms", "100000",
        "--datacenters", "3", "--jar", "{T}/jar"),
    row("init: HSM count beyond int", 2, "Invalid value for option '--hsms'", "fleet", "init", "--dir", "{T}/o", "--hsms",
        "99999999999", "--datacenters", "3"),
    row("init: negative datacenters", 1, "--datacenters must be in", "fleet", "init", "--dir", "{T}/o", "--hsms", "3",
        "--datacenters", "-1", "--jar", "{T}/jar"),
    row("init: jar missing", 1, "nope.jar is not a file", "fleet", "init", "--dir", "{T}/o", "--hsms", "3", "--datacenters", "3",
        "--jar", "{T}/nope.jar"),
    row("rotate: not a workspace", 1, "not an operator workspace", "fleet", "rotate", "--dir", "{T}/nope"),
    row("rotate: no HSMs", 1, "--hsms must be in", "fleet", "rotate", "--dir", "{T}/ops", "--hsms", "0", "--jar", "{T}/jar"),
    row("status: a file, not a workspace", 1, "not an operator workspace", "fleet", "status", "--dir", "{T}/binary"),
    row("publish: witness unreachable, nothing left pending", 1, "cannot reach witness http://127.0.0.1:9: connection refused",
        "fleet", "publish", "--dir", "{T}/ops", "--witness", UNREACHABLE, "--witness-vkeys", "{T}/w.vkeys"),
    row("publish: witness host unknown", 1, "cannot reach witness http://nohost.invalid:1: unknown host", "fleet",
        "publish", "--dir", "{T}/ops", "--witness", "http://nohost.invalid:1", "--witness-vkeys", "{T}/w.vkeys"),
    row("migrate: new fleet not published", 2, "fleet fleet-1 has no witnessed bundle", "fleet", "migrate", "--dir",
        "{T}/ops", "--from", UNREACHABLE, "--to", "http://127.0.0.1:10"),
    row("migrate: one frontend for both fleets", 2, "--from and --to are the same frontend", "fleet", "migrate", "--dir",
        "{T}/ops", "--from", UNREACHABLE, "--to", UNREACHABLE),
    row("migrate: URL not http", 2, "--to must be an http:// or https:// URL", "fleet", "migrate", "--dir", "{T}/ops",
        "--from", UNREACHABLE, "--to", "ftp://127.0.0.1/"),
    row("migrate: unknown fleet", 2, "no fleet fleet-9 in", "fleet", "migrate", "--dir", "{T}/ops", "--from", UNREACHABLE,
        "--to", "http://127.0.0.1:10", "--to-fleet", "fleet-9"),
    row("migrate: not a workspace", 2, "--dir", "fleet", "migrate", "--dir", "{T}/nope", "--from", UNREACHABLE, "--to",
        "http://127.0.0.1:10"),
    row("publish: fleet id outside the workspace", 1, "--fleet-id ../../x: no such fleet", "fleet", "publish", "--dir",
        "{T}/ops", "--witness", UNREACHABLE, "--witness-vkeys", "{T}/w.vkeys", "--fleet-id", "../../x"),
    row("publish: witness port out of range", 1, "--witness must be an http:// or https:// URL", "fleet", "publish",
        "--dir", "{T}/ops", "--witness", "http://127.0.0.1:99999", "--witness-vkeys", "{T}/w.vkeys"),
    row("publish: witness URL not http", 1, "--witness must be an http:// or https:// URL", "fleet", "publish", "--dir",
        "{T}/ops", "--witness", "ftp://127.0.0.1/", "--witness-vkeys", "{T}/w.vkeys"),
    row("publish: epoch beyond 2^31", 1, "--epoch must be in [1, 2147483648], got 9223372036854775807", "fleet", "publish",
        "--dir", "{T}/ops", "--witness", UNREACHABLE, "--epoch", "9223372036854775807"),
    row("publish: not-before near overflow", 1, "--not-before must be in [0, 253402300799]", "fleet", "publish", "--dir",
        "{T}/ops", "--witness", UNREACHABLE, "--not-before", "9223372036854775807"),
    row("publish: validity beyond 400 days", 1, "--validity-days must be in [1, 400]", "fleet", "publish", "--dir", "{T}/ops",
        "--witness", UNREACHABLE, "--validity-days", "401"),
    row("publish: vkeys missing", 1, "nope.vkeys: no such file", "fleet", "publish", "--dir", "{T}/ops", "--witness", UNREACHABLE,
        "--witness-vkeys", "{T}/nope.vkeys"),
    row("publish: vkeys empty", 1, "expected the three vkeys of one witness", "fleet", "publish", "--dir", "{T}/ops",
        "--witness", UNREACHABLE, "--witness-vkeys", "{T}/empty"),
    row("publish: vkeys truncated", 1, "truncated.vkeys: vkey", "fleet", "publish", "--dir", "{T}/ops", "--witness", UNREACHABLE,
        "--witness-vkeys", "{T}/truncated.vkeys"),
    row("publish: vkeys binary", 1, "not UTF-8 text", "fleet", "publish", "--dir", "{T}/ops", "--witness", UNREACHABLE,
        "--witness-vkeys", "{T}/binary"),
    row("publish: vkeys huge", 1, "more than", "fleet", "publish", "--dir", "{T}/ops", "--witness", UNREACHABLE,
        "--witness-vkeys", "{T}/huge"),
    row("publish: vkeys a directory", 1, "adir: Is a directory", "fleet", "publish", "--dir", "{T}/ops", "--witness",
        UNREACHABLE, "--witness-vkeys", "{T}/adir"),
    row("publish: public folder among the workspace's secrets", 1, "is inside the workspace's own files", "fleet", "publish",
        "--dir", "{T}/ops", "--witness", UNREACHABLE, "--witness-vkeys", "{T}/w.vkeys", "--public", "{T}/ops/vendor"),
    row("publish: public folder holding the workspace", 1, "holds the workspace and its secrets", "fleet", "publish",
        "--dir", "{T}/ops", "--witness", UNREACHABLE, "--witness-vkeys", "{T}/w.vkeys", "--public", "{T}"),
    // evidence
    row("verify: evidence missing", 1, "nope.txt: no such file", "evidence", "verify", "--evidence", "{T}/nope.txt", "--vendor-root",
        "{T}/ops/vendor/root.crt", "--jar", "{T}/jar"),
    row("verify: evidence binary", 1, "evidence rejected", "evidence", "verify", "--evidence", "{T}/binary", "--vendor-root",
        "{T}/ops/vendor/root.crt", "--jar", "{T}/jar"),
    row("verify: evidence huge", 1, "more than", "evidence", "verify", "--evidence", "{T}/huge", "--vendor-root",
        "{T}/ops/vendor/root.crt", "--jar", "{T}/jar"),
    row("verify: root binary", 1, "binary is not a PEM or DER certificate", "evidence", "verify", "--evidence",
        "{T}/ops/fleets/fleet-1/evidence.txt", "--vendor-root", "{T}/binary", "--jar", "{T}/jar"),
    row("verify: root a directory", 1, "adir: Is a directory", "evidence", "verify", "--evidence",
        "{T}/ops/fleets/fleet-1/evidence.txt", "--vendor-root", "{T}/adir", "--jar", "{T}/jar"),
    row("jar-hash: a directory", 1, "adir is not a file", "evidence", "jar-hash", "--jar", "{T}/adir"),
    // audit
    row("audit: witness unreachable", 1, "cannot reach witness http://127.0.0.1:9: connection refused", "audit", "--witness",
        UNREACHABLE, "--witness-keys", "{T}/w.vkeys", "--published", "{T}/published"),
    row("audit: the workspace instead of its published folder", 1, "is an operator workspace, which holds HSM keys", "audit",
        "--witness", UNREACHABLE, "--witness-keys", "{T}/w.vkeys", "--published", "{T}/ops"),
    row("audit: published folder missing", 1, "nope: no such directory", "audit", "--witness", UNREACHABLE, "--witness-keys",
        "{T}/w.vkeys", "--published", "{T}/nope"),
    row("audit: witness keys binary", 1, "binary: not UTF-8 text", "audit", "--witness", UNREACHABLE, "--witness-keys",
        "{T}/binary", "--published", "{T}/published"),
    row("audit: witness keys huge", 1, "more than", "audit", "--witness", UNREACHABLE, "--witness-keys", "{T}/huge",
        "--published", "{T}/published"),
    row("audit: witness keys empty", 1, "empty must include the log key", "audit", "--witness", UNREACHABLE,
        "--witness-keys", "{T}/empty", "--published", "{T}/published"),
    row("audit: pinned bundle binary", 1, "binary: encoding", "audit", "--witness", UNREACHABLE, "--witness-keys",
        "{T}/w.vkeys", "--published", "{T}/published", "--pinned", "{T}/binary"),
    row("audit: state binary", 1, "binary: note is not valid UTF-8", "audit", "--witness", UNREACHABLE, "--witness-keys",
        "{T}/w.vkeys", "--published", "{T}/published", "--state", "{T}/binary"),
    row("audit: log mirror missing", 1, "no checkpoint in", "audit", "--log-dir", "{T}/nope", "--witness-keys",
        "{T}/w.vkeys", "--published", "{T}/published"),
    row("audit: witness URL junk", 1, "--witness must be an http:// or https:// URL", "audit", "--witness", "not a url",
        "--witness-keys", "{T}/w.vkeys", "--published", "{T}/published"),
    // site
    row("site: neither --witness nor --log-dir", 2, "give exactly one of --witness URL or --log-dir DIR", "site",
        "--witness-keys", "{T}/w.vkeys", "--evidence", "{T}/published", "--out", "{T}/site"),
    row("site: --out is some other folder, left alone", 2, "is not empty and was not written by bkv site", "site",
        "--witness", UNREACHABLE, "--witness-keys", "{T}/w.vkeys", "--evidence", "{T}/published", "--out", "{T}/w"),
    row("site: witness unreachable, nothing written", 2, "cannot reach witness http://127.0.0.1:9: connection refused",
        "site", "--witness", UNREACHABLE, "--witness-keys", "{T}/w.vkeys", "--evidence", "{T}/published", "--out", "{T}/site"),
    row("site: evidence folder missing", 2, "nope: no such directory", "site", "--witness", UNREACHABLE, "--witness-keys",
        "{T}/w.vkeys", "--evidence", "{T}/nope", "--out", "{T}/site"),
    row("site: witness keys binary", 2, "binary: not UTF-8 text", "site", "--witness", UNREACHABLE, "--witness-keys",
        "{T}/binary", "--evidence", "{T}/published", "--out", "{T}/site"),
    row("site: no --out", 2, "Missing required option: '--out", "site", "--witness", UNREACHABLE, "--witness-keys",
        "{T}/w.vkeys", "--evidence", "{T}/published"),
    // check and demo
    row("check: spec root missing", 2, "is not a directory", "check", "--spec-root", "{T}/nope"),
    row("check: workers beyond int", 2, "Invalid value for option '--workers'", "check", "--workers", "99999999999"),
    row("check: unknown spec", 2, "no spec named NoSuch", "check", "--spec", "NoSuch"),
    row("check: --html in a folder that does not exist", 2, "nope does not exist", "check", "--html", "{T}/nope/check.html"),
    row("check: --html is a folder", 2, "adir is a directory", "check", "--html", "{T}/adir"),
    row("check --traces: --html is a folder", 2, "--html: ", "check", "--traces", "1", "--html", "{T}/adir"),
    row("demo: attempts out of range", 2, "--max-attempts must be in [1, 255], got 0", "demo", "--max-attempts", "0"),
    row("demo: memory beyond int", 2, "Invalid value for option '--ksf-memory-kib'", "demo", "--ksf-memory-kib",
        "99999999999"),
  };

  @BeforeAll
  static void fixtures() throws Exception {
    Files.writeString(t.resolve("jar"), "stands for the vault jar\n");
    CliRun witness = run("witness", "init", "--dir", t.resolve("w").toString(), "--name", "w.example/w1");
    assertEquals(0, witness.exit(), witness.err());
    String vkeys = witness.out().substring(witness.out().indexOf('\n') + 1);
    Files.writeString(t.resolve("w.vkeys"), vkeys);
    Files.writeString(t.resolve("truncated.vkeys"), vkeys.substring(0, vkeys.length() / 2));
    CliRun ops = run("fleet", "init", "--dir", t.resolve("ops").toString(), "--hsms", "3", "--datacenters", "3", "--jar",
        t.resolve("jar").toString());
    assertEquals(0, ops.exit(), ops.err());
    byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0x80, '\n'};
    Files.write(t.resolve("binary"), binary);
    Files.write(t.resolve("empty"), new byte[0]);
    try (RandomAccessFile huge = new RandomAccessFile(t.resolve("huge").toFile(), "rw")) {
      huge.setLength(HUGE_BYTES);
    }
    Files.createDirectories(t.resolve("adir"));
    Files.createDirectories(t.resolve("published"));
    witnessCopy("w-binary-key").resolve("keys/log.skey").toFile().delete();
    Files.write(t.resolve("w-binary-key/keys/log.skey"), binary);
    Files.write(witnessCopy("w-empty-key").resolve("keys/log.skey"), new byte[0]);
    try (RandomAccessFile huge = new RandomAccessFile(witnessCopy("w-huge-key").resolve("keys/log.skey").toFile(), "rw")) {
      huge.setLength(HUGE_BYTES);
    }
    Path truncated = witnessCopy("w-truncated-key").resolve("keys/log.skey");
    Files.writeString(truncated, Files.readString(truncated).substring(0, 20));
    Files.createDirectories(witnessCopy("w-binary-logs").resolve("witnessed"));
    Files.write(t.resolve("w-binary-logs/witnessed/logs"), binary);
    Files.write(witnessCopy("w-binary-operators").resolve("operators"), binary);
    try (RandomAccessFile huge = new RandomAccessFile(witnessCopy("w-huge-operators").resolve("operators").toFile(), "rw")) {
      huge.setLength(HUGE_BYTES);
    }
  }

  private static Path witnessCopy(String name) throws Exception {
    Path to = t.resolve(name);
    Files.createDirectories(to.resolve("keys"));
    try (Stream<Path> keys = Files.list(t.resolve("w/keys"))) {
      for (Path key : keys.toList()) {
        Files.copy(key, to.resolve("keys").resolve(key.getFileName()));
      }
    }
    return to;
  }

  @TestFactory
  Stream<DynamicTest> everyBadInputIsOneLineAndChangesNothing() {
    return Arrays.stream(ROWS).map(row -> DynamicTest.dynamicTest(row.name(), () -> {
      String[] args = Arrays.stream(row.args()).map(a -> a.replace("{T}", t.toString())).toArray(String[]::new);
      Map<String, String> before = snapshot();
      CliRun r = run(args);
      String all = String.join(" ", args) + "\nexit " + r.exit() + "\nstdout: " + r.out() + "\nstderr: " + r.err();
      assertEquals(row.exit(), r.exit(), all);
      assertEquals(1, r.err().lines().filter(l -> !l.isBlank()).count(), "exactly one stderr line: " + all);
      assertTrue(r.err().contains(row.fragment()), "expected '" + row.fragment() + "': " + all);
      assertFalse(r.err().contains("\tat ") || r.err().contains("unexpected error") || r.err().strip().endsWith("null"), all);
      assertEquals(before, snapshot(), "no file or directory created or changed: " + all);
    }));
  }

  /** Every path under the fixture folder with its size and modification time. */
  private static Map<String, String> snapshot() throws Exception {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(t)) {
      for (Path p : paths.toList()) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        files.put(t.relativize(p).toString(), a.isDirectory() ? "dir" : a.size() + "@" + a.lastModifiedTime().toMillis());
      }
    }
    return files;
  }
}
