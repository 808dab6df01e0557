package dev.bkv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.modelcheck.SpecCatalog;
import dev.bkv.testsupport.CliRun;
import dev.bkv.testsupport.SecretLeaks;
import dev.bkv.testsupport.SoftHsmKeyFiles;
import dev.bkv.tracecheck.NodeTraceMerge;
import dev.bkv.tracecheck.TraceReport;
import dev.bkv.tracecheck.TraceValidation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the deployed system, as separate processes on loopback, keeps G1 and G2 through
 * SIGKILLs, catches up after restarts, rotates to a new fleet with every counter carried
 * over, passes the audit over both epochs, and its nodes' recorded events are a behaviour of
 * spec/QuorumVault.
 *
 * <p>Five {@code bkv node} processes in three datacenters, a {@code bkv frontend} and a {@code
 * bkv witness serve}; users register and guess from several {@code bkv client} processes at
 * once. Every node of the leader's datacenter is killed with SIGKILL, then the new leader:
 * with two of five left nothing leads; the datacenter comes back, then the leader. Throughout,
 * every acknowledged registration is recoverable and each user's guesses remaining are exactly
 * the maximum less the wrong guesses its clients made since its last recovery: no guess lost,
 * none granted twice. No process of the run prints a password, a backup key, or a key from
 * any HSM's key file.
 */
class FleetProcessesTest {
  private static final List<String> USERS = List.of("alice", "bob", "carol", "dave");
  private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  @Timeout(900)
  void killsRestartsRotationAndAuditKeepEveryRecordAndCount() throws Exception {
    try (Deployment d = Deployment.create(dir)) {
      Users users = new Users(d, USERS);
      Path traces = dir.resolve("traces");
      Fleet f1 = d.start("fleet-1", Optional.of(traces));
      f1.awaitLeader(LEADER_TIMEOUT);
      String url = f1.frontendUrl();

      // Registrations from four client processes at once; wrong guesses from two at once, then one more.
      users.registerAll(url);
      Users.parallel(List.of(() -> users.wrong(url, "alice"), () -> users.wrong(url, "bob")));
      users.wrong(url, "alice");
      users.expectCounts(url);

      // Every HSM of the leader's datacenter is killed at once.
      int leader = f1.awaitLeader(LEADER_TIMEOUT);
      String lostDc = f1.datacenter(leader);
      List<Integer> lost = new ArrayList<>();
      for (int i = 1; i <= Deployment.HSMS; i++) {
        if (f1.datacenter(i).equals(lostDc)) {
          lost.add(i);
        }
      }
      for (int i : lost) {
        f1.kill(i);
      }
      int leader2 = f1.awaitLeader(LEADER_TIMEOUT);
      assertTrue(!lost.contains(leader2), "the new leader is outside the lost datacenter");
      users.recover(url, "carol");
      Users.parallel(List.of(() -> users.wrong(url, "alice"), () -> users.recover(url, "dave")));
      users.expectCounts(url);

      // Then the new leader: two of five are left, and no one can lead.
      f1.kill(leader2);
      Thread.sleep(3_000);
      assertTrue(f1.leaderMember().isEmpty(), "no leader without a majority: " + f1.status());

      // The datacenter comes back (four of five), then the leader: every node catches up.
      for (int i : lost) {
        f1.startNode(i);
      }
      f1.awaitLeader(LEADER_TIMEOUT);
      Users.parallel(List.of(() -> users.recover(url, "alice"), () -> users.wrong(url, "bob")));
      users.expectCounts(url);
      f1.startNode(leader2);
      assertTrue(f1.awaitCaughtUp(LEADER_TIMEOUT) > 0);
      f1.stopAll();

      validateTraces(f1, traces, users);

      // Rotation: a new fleet, published chained to the first, every user moved with its count.
      Fleet old = d.start("fleet-1", Optional.empty());
      old.awaitLeader(LEADER_TIMEOUT);
      users.wrong(old.frontendUrl(), "carol");
      String next = d.rotate();
      d.publish();
      Fleet f2 = d.start(next, Optional.empty());
      f2.awaitLeader(LEADER_TIMEOUT);
      CliRun migrated = Deployment.must(CliRun.run("fleet", "migrate", "--dir", d.op.toString(),
          "--from", old.frontendUrl(), "--to", f2.frontendUrl()));
      for (String u : USERS) {
        assertTrue(migrated.out().contains(u), migrated.out());
      }
      users.expectCounts(f2.frontendUrl());
      users.refused(old.frontendUrl(), "carol");
      users.recover(f2.frontendUrl(), "carol");
      users.expectCounts(f2.frontendUrl());

      CliRun audit = CliRun.run("audit", "--witness", d.witness.url, "--witness-keys", d.witnessKeys.toString(),
          "--published", d.op.resolve("public").toString());
      assertEquals(0, audit.exit(), audit.out() + audit.err());
      assertTrue(audit.out().contains(next) && audit.out().contains("fleet-1"), audit.out());

      // No process printed a password, a backup key or a key of any HSM's key file.
      Map<String, String> printed = new LinkedHashMap<>(d.printed());
      printed.put("fleet migrate", migrated.out() + migrated.err());
      printed.put("audit", audit.out() + audit.err());
      assertNoSecretPrinted(printed, users, d.op);
    }
  }

  private static void assertNoSecretPrinted(Map<String, String> printed, Users users, Path operatorDir) throws Exception {
    List<SecretLeaks.Secret> secrets = new ArrayList<>();
    for (String u : USERS) {
      secrets.add(SecretLeaks.Secret.text(u + "'s password", Users.password(u)));
      secrets.add(new SecretLeaks.Secret(u + "'s backup key", Files.readAllBytes(users.keyFile(u))));
    }
    List<SecretLeaks.Secret> hsmKeys = SoftHsmKeyFiles.secrets(operatorDir);
    assertTrue(hsmKeys.size() >= 4 * 2 * Deployment.HSMS, "both fleets' HSM key files: " + hsmKeys.size());
    secrets.addAll(hsmKeys);
    assertTrue(printed.keySet().stream().filter(w -> w.contains(" node ")).count() >= 2 * Deployment.HSMS, printed.keySet().toString());
    for (Map.Entry<String, String> output : printed.entrySet()) {
      SecretLeaks.assertNoLeak(output.getKey(), output.getValue(), secrets);
    }
    System.out.println("e2e: no secret printed: " + secrets.size() + " secrets searched in the output of " + printed.size()
        + " processes and commands (" + printed.values().stream().mapToLong(String::length).sum() + " chars)");
  }

  /** The nodes' trace lines of the traced phase, merged, are one behaviour of spec/QuorumVault. */
  private void validateTraces(Fleet fleet, Path traces, Users users) throws Exception {
    Map<String, List<Integer>> sites = new TreeMap<>();
    for (int i = 1; i <= Deployment.HSMS; i++) {
      sites.computeIfAbsent(fleet.datacenter(i), k -> new ArrayList<>()).add(fleet.member(i));
    }
    List<Path> files;
    try (Stream<Path> listed = Files.list(traces)) {
      files = listed.sorted().toList();
    }
    // Kept for a look after the run (the test's own folder is deleted).
    Path kept = Files.createDirectories(Path.of("target", "e2e-traces"));
    for (Path f : files) {
      Files.copy(f, kept.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    NodeTraceMerge.Merged merged = NodeTraceMerge.merge(files, Deployment.HSMS, new ArrayList<>(sites.values()), USERS,
        users.ops());
    Files.writeString(kept.resolve("merged-trace.json"), merged.traceJson());
    TraceReport report = TraceValidation.validate(List.of(merged.traceJson()), new TraceValidation.Settings(
        SpecCatalog.locateSpecRoot(Path.of("")), dir.resolve("tlc"), Set.of(), 1, Duration.ofMinutes(15)));
    System.out.println("e2e: node traces: " + merged.events() + " events from " + files.size() + " files ("
        + merged.truncatedLines() + " cut by SIGKILL), TLC " + report.tlcTime().toMillis() / 1000.0 + " s: "
        + (report.allAccepted() ? "accepted" : "REJECTED"));
    assertTrue(report.allAccepted(), report.describe());
  }
}
