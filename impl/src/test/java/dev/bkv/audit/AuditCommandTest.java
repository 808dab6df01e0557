package dev.bkv.audit;

import static dev.bkv.testsupport.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.evidence.FleetRun;
import dev.bkv.evidence.Pem;
import dev.bkv.testsupport.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bkv audit} from the command line over a mirrored log directory: exit 0 with the
 * report when everything verifies, the JSON form, the stored audit state, and exit 1 with a
 * one-line reason for a failed audit or a usage error.
 */
class AuditCommandTest {
  @TempDir Path temp;

  @Test
  void usageErrorsAreOneLineAndNonZero() {
    assertEquals(0, run("audit", "--help").exit());
    CliRun neither = run("audit", "--published", temp.toString());
    assertEquals(1, neither.exit());
    assertTrue(neither.err().contains("give exactly one of --witness URL or --log-dir DIR"), neither.err());
    CliRun noKeys = run("audit", "--log-dir", temp.toString(), "--published", temp.toString());
    assertEquals(1, noKeys.exit());
    assertTrue(noKeys.err().contains("--log-dir needs --witness-keys"), noKeys.err());
    CliRun badHash = run("audit", "--log-dir", temp.toString(), "--witness-keys", temp.resolve("k").toString(),
        "--published", temp.toString(), "--expected-jar-hash", "xyz");
    assertTrue(badHash.err().contains("--expected-jar-hash must be 64 lower-case hex digits"), badHash.err());
  }

  @Test
  void auditsAMirroredLog_andStoresTheAuditedCheckpoint() throws Exception {
    Path published = temp.resolve("published");
    Files.createDirectories(published);
    try (AuditWorld w = new AuditWorld(temp.resolve("witness"))) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      ValidationBundle b1 = AuditWorld.bundle(one, one, 1, Optional.empty());
      Files.createDirectories(published.resolve("bundles"));
      Files.createDirectories(published.resolve("evidence"));
      Files.write(published.resolve("bundles/1.witnessed"), w.publish(b1).toBytes());
      Files.write(published.resolve("evidence/fleet-1.txt"), one.evidence().toBytes());
      Files.writeString(published.resolve("README"), "other files are not read\n");
      Path logDir = temp.resolve("log");
      LogReaderTest.mirror(w.witness, logDir);
      Path keys = temp.resolve("witness.vkeys");
      Files.writeString(keys, w.witness.keys().vkeys());
      Path root = temp.resolve("root.pem");
      Files.write(root, Pem.encodeCertificate(w.base.vendor.root().der()));
      Path state = temp.resolve("audit-state");
      String[] args = {"audit", "--log-dir", logDir.toString(), "--witness-keys", keys.toString(), "--published",
          published.toString(), "--vendor-root", root.toString(), "--expected-jar-hash", FleetRun.JAR.toHex(),
          "--state", state.toString()};
      CliRun ok = run(args);
      assertEquals(0, ok.exit(), ok.out() + ok.err());
      assertTrue(ok.out().contains("AUDIT PASSED"), ok.out());
      assertTrue(Files.exists(state));

      // A state that cannot be written: the audit did not complete, so no PASSED verdict is printed, and the exit is 1.
      String[] unwritable = args.clone();
      unwritable[args.length - 1] = temp.resolve("no-such-dir/audit-state").toString();
      CliRun stateFails = run(unwritable);
      assertEquals(1, stateFails.exit());
      assertTrue(!stateFails.out().contains("AUDIT PASSED"), stateFails.out());
      assertTrue(stateFails.err().contains("cannot write") && stateFails.err().contains("no-such-dir"), stateFails.err());

      String[] json = java.util.Arrays.copyOf(args, args.length + 1);
      json[args.length] = "--json";
      CliRun asJson = run(json);
      assertEquals(0, asJson.exit(), asJson.err());
      Map<String, Object> report = Json.parseObject(asJson.out().strip());
      assertEquals(true, report.get("passed"));

      // The published countersignature replaced by garbage: the file no longer parses.
      Files.writeString(published.resolve("bundles/1.witnessed"), "bkv.dev/witnessed-bundle@v1\nbundle-sha256 00\n");
      CliRun broken = run(args);
      assertEquals(1, broken.exit());
      assertTrue(broken.err().contains("1.witnessed"), broken.err());
      // No witnessed bundle at all: the audit itself fails, with the reason on stderr.
      Files.delete(published.resolve("bundles/1.witnessed"));
      CliRun failed = run(args);
      assertEquals(1, failed.exit());
      assertTrue(failed.out().contains("AUDIT FAILED"), failed.out());
      assertTrue(failed.err().startsWith("bkv audit: FAILED: epoch 1, log entry:"), failed.err());
    }
  }
}
