package dev.bkv.site;

import static dev.bkv.testsupport.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.audit.LogReaderTest;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.Pem;
import dev.bkv.testsupport.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bkv site} over a mirrored log and a published folder: exit 0 and the page's path for
 * an honest log; exit 1, the page written and the failing step named, for a forked checkpoint.
 */
class SiteCommandTest {
  @TempDir Path temp;

  private String[] args(SiteWorld w, Path logDir) throws Exception {
    LogReaderTest.mirror(w.world.witness, logDir);
    Path published = temp.resolve("published");
    Files.createDirectories(published.resolve("bundles"));
    Files.createDirectories(published.resolve("evidence"));
    for (WitnessedBundle b : w.world.witnessed) {
      Files.write(published.resolve("bundles/" + b.bundle().epoch() + ".witnessed"), b.toBytes());
    }
    for (DeploymentEvidence e : w.world.evidence) {
      Files.write(published.resolve("evidence/" + e.config().fleetId() + ".txt"), e.toBytes());
    }
    Path keys = Files.writeString(temp.resolve("witness.vkeys"), w.world.witness.keys().vkeys());
    Path root = Files.write(temp.resolve("root.pem"), Pem.encodeCertificate(w.world.base.vendor.root().der()));
    return new String[] {"site", "--log-dir", logDir.toString(), "--witness-keys", keys.toString(), "--evidence",
        published.toString(), "--vendor-root", root.toString(), "--out", temp.resolve("site").toString()};
  }

  @Test
  void an_honest_log_gives_exit_0_and_the_page_to_open() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      CliRun r = run(args(w, temp.resolve("log")));
      assertEquals(0, r.exit(), r.out() + r.err());
      Path page = temp.resolve("site").resolve("index.html");
      assertEquals("bkv site: wrote " + page + " (2 fleet epochs, 2 log entries); open file://" + page, r.out().strip());
      assertTrue(Files.readString(page).contains("data-state=\"passed\""));
    }
  }

  @Test
  void a_forked_checkpoint_is_written_as_a_failed_page_with_exit_1() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      String[] args = args(w, temp.resolve("log"));
      w.forkCheckpoint();
      Files.write(temp.resolve("log").resolve("checkpoint"), w.fetcher.fetch("checkpoint", 1 << 16));
      CliRun r = run(args);
      assertEquals(1, r.exit(), r.out() + r.err());
      assertTrue(r.err().contains("the page shows a FAILED audit: backup.example.com/messenger: read log: log tiles: tiles do"
          + " not hash to the checkpoint root"), r.err());
      assertTrue(Files.readString(temp.resolve("site").resolve("index.html")).contains("<strong>Auditor: FAILED</strong>"));
    }
  }
}
