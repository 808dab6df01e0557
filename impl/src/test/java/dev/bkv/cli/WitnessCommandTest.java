package dev.bkv.cli;

import static dev.bkv.testsupport.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.testsupport.CliRun;
import dev.bkv.witness.Witness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code bkv witness}: help, init, add-log, add-operator, and clear one-line errors with a non-zero exit (also for a damaged log). */
class WitnessCommandTest {
  /** Entries logged before the checkpoint is deleted. */
  private static final int ENTRIES = 30;
  private static final long SERVE_TIMEOUT_SECONDS = 60;

  @TempDir Path dir;

  @Test
  void whenHelpIsAsked_thenEverySubcommandDescribesItself() {
    for (String[] args : new String[][] {{"witness", "--help"}, {"witness", "init", "--help"},
        {"witness", "serve", "--help"}, {"witness", "add-log", "--help"}, {"witness", "add-operator", "--help"}}) {
      CliRun r = run(args);
      assertEquals(0, r.exit(), String.join(" ", args));
      assertTrue(r.out().contains("Usage:"), r.out());
    }
  }

  @Test
  void whenInitRuns_thenKeysArePrivateAndASecondInitIsRefused() throws Exception {
    Path w = dir.resolve("w");
    CliRun first = run("witness", "init", "--dir", w.toString(), "--name", "witness.example/w9");
    assertEquals(0, first.exit(), first.err());
    assertTrue(first.out().contains("witness.example/w9/bundles+"), first.out());
    assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(w.resolve("keys/log.skey")));
    CliRun second = run("witness", "init", "--dir", w.toString(), "--name", "witness.example/w9");
    assertEquals(1, second.exit());
    assertTrue(second.err().contains("exists already"), second.err());
    CliRun otherName = run("witness", "serve", "--dir", w.toString(), "--port", "0", "--name", "witness.example/w8");
    assertEquals(1, otherName.exit());
    assertTrue(otherName.err().contains("holds witness witness.example/w9, not witness.example/w8"), otherName.err());
    CliRun badPort = run("witness", "serve", "--dir", w.toString(), "--port", "70000");
    assertEquals(1, badPort.exit());
    assertTrue(badPort.err().contains("--port"), badPort.err());
  }

  @Test
  void whenInputIsWrong_thenTheErrorNamesItAndTheExitIsNonZero() {
    CliRun badName = run("witness", "init", "--dir", dir.resolve("x").toString(), "--name", "has space");
    assertEquals(1, badName.exit());
    assertTrue(badName.err().contains("witness name"), badName.err());
    CliRun noKeys = run("witness", "serve", "--dir", dir.resolve("empty").toString(), "--port", "0");
    assertEquals(1, noKeys.exit());
    assertTrue(noKeys.err().contains("missing key file"), noKeys.err());
    CliRun missingOption = run("witness", "init", "--name", "a.example");
    assertTrue(missingOption.exit() != 0);
    assertTrue(missingOption.err().contains("--dir"), missingOption.err());
  }

  @Test
  @Timeout(SERVE_TIMEOUT_SECONDS) // before the fix, serve started on the shortened log and ran until killed
  void whenTheLogsCheckpointIsDeleted_thenServeRefusesInOneLineAndLeavesTheFilesAlone() throws Exception {
    Path w = dir.resolve("w");
    assertEquals(0, run("witness", "init", "--dir", w.toString(), "--name", "witness.example/w9").exit());
    try (Witness witness = Witness.open(w)) {
      for (int i = 0; i < ENTRIES; i++) {
        witness.log().append(("bundle " + i).getBytes(StandardCharsets.UTF_8));
      }
    }
    Files.delete(w.resolve("log/checkpoint"));
    byte[] entries = Files.readAllBytes(w.resolve("log/entries"));
    CliRun serve = run("witness", "serve", "--dir", w.toString(), "--port", "0");
    assertEquals(1, serve.exit());
    assertEquals("bkv witness serve: witness log: log/checkpoint is missing but log/entries holds " + ENTRIES
        + " entries; restore log/checkpoint from a backup" + System.lineSeparator(), serve.err());
    assertArrayEquals(entries, Files.readAllBytes(w.resolve("log/entries")), "the entries are not touched");
    assertFalse(Files.exists(w.resolve("log/checkpoint")), "no new checkpoint is written");
  }

  @Test
  void whenLogsAreAdded_thenTheyArePersistedOrTheBadKeyIsNamed() throws Exception {
    Path w = dir.resolve("w");
    assertEquals(0, run("witness", "init", "--dir", w.toString(), "--name", "witness.example/w9").exit());
    CliRun sumdb = run("witness", "add-log", "--dir", w.toString(), "--origin", "go.sum database tree",
        "--vkey", "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8");
    assertEquals(0, sumdb.exit(), sumdb.err());
    CliRun sigsum = run("witness", "add-log", "--dir", w.toString(), "--sigsum-key",
        "ffdc2d4d98e4124d3feaf788c0c2f9abfd796083d1f0495437f302ec79cf100f");
    assertEquals(0, sigsum.exit(), sigsum.err());
    assertTrue(sigsum.out().contains("sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562"));
    String logs = Files.readString(w.resolve("witnessed/logs"));
    assertTrue(logs.contains("log go.sum database tree\nkey sum.golang.org+033de0ae+"), logs);
    CliRun badKey = run("witness", "add-log", "--dir", w.toString(), "--origin", "x", "--vkey", "sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8");
    assertEquals(1, badKey.exit());
    assertTrue(badKey.err().contains("key ID"), badKey.err());
    CliRun both = run("witness", "add-log", "--dir", w.toString());
    assertEquals(1, both.exit());
    assertTrue(both.err().contains("--sigsum-key"), both.err());
  }

  @Test
  void whenOperatorsAreAdded_thenTheirKeysArePersistedOrTheBadKeyIsNamed() throws Exception {
    Path w = dir.resolve("w");
    assertEquals(0, run("witness", "init", "--dir", w.toString(), "--name", "witness.example/w9").exit());
    String vkey = new dev.bkv.tlog.Ed25519Note.Signer("backup.example.com/bkv",
        dev.bkv.crypto.Ed25519.PrivateKey.fromSeed(new byte[32])).verifier().vkey();
    CliRun added = run("witness", "add-operator", "--dir", w.toString(), "--vkey", vkey);
    assertEquals(0, added.exit(), added.err());
    assertTrue(added.out().contains("logs bundles of backup.example.com/bkv"), added.out());
    assertEquals(0, run("witness", "add-operator", "--dir", w.toString(), "--vkey", vkey).exit(), "adding twice is harmless");
    assertTrue(Files.readString(w.resolve("operators")).endsWith("\nkey " + vkey + "\n"));
    assertEquals(1, Files.readString(w.resolve("operators")).split("\nkey ").length - 1);
    CliRun cosigner = run("witness", "add-operator", "--dir", w.toString(), "--vkey",
        Files.readString(w.resolve("keys/cosigner.vkey")).strip());
    assertEquals(1, cosigner.exit());
    assertTrue(cosigner.err().contains("Ed25519 note key (type 0x01)"), cosigner.err());
    CliRun noWitness = run("witness", "add-operator", "--dir", dir.resolve("none").toString(), "--vkey", vkey);
    assertEquals(1, noWitness.exit());
    assertTrue(noWitness.err().contains("missing key file"), noWitness.err());
    assertTrue(!Files.exists(dir.resolve("none/operators")), "nothing written outside a witness directory");
  }
}
