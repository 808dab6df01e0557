package dev.bkv.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.ValidationBundle;
import dev.bkv.testsupport.HeadlessChromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transparency page in a real browser (headless Chromium, from {@code file://}): its script
 * verifies an honest log, and shows the failure of a tampered entry, a forked checkpoint and a
 * broken checkpoint signature. The DOM is read after the script ran; screenshots of each case
 * are kept under {@code target/site-browser/}.
 */
class SiteBrowserTest {
  static final Path SHOTS = Path.of("target", "site-browser");
  static HeadlessChromium chromium;

  @TempDir Path temp;

  @BeforeAll
  static void browser() {
    chromium = HeadlessChromium.require();
  }

  /** The page after its script ran: the browser's verdict and each check's result by name. */
  record Checked(String dom, String verdict, Map<String, String> results) {
    static final Pattern VERDICT = Pattern.compile("<div id=\"browser-verdict\"[^>]*data-state=\"([a-z]+)\">(.*?)</div></div>",
        Pattern.DOTALL);
    static final Pattern RESULT = Pattern.compile("data-check=\"([a-z0-9-]+)\" class=\"(?:ok|bad)\" data-result=\"(ok|failed)\"");

    static Checked of(String dom) {
      Matcher verdict = VERDICT.matcher(dom);
      assertTrue(verdict.find(), "no browser verdict in\n" + dom);
      Map<String, String> results = new TreeMap<>();
      Matcher result = RESULT.matcher(dom);
      while (result.find()) {
        String previous = results.put(result.group(1), result.group(2));
        assertTrue(previous == null || previous.equals(result.group(2)), "one result per check: " + result.group(1));
      }
      return new Checked(dom, verdict.group(1), results);
    }

    String verdictText() {
      Matcher verdict = VERDICT.matcher(dom);
      verdict.find();
      return verdict.group(2);
    }
  }

  private Checked open(SiteWorld w, String name) throws Exception {
    Path page = TransparencySite.write(w.inputs(), temp.resolve(name)).page();
    Files.createDirectories(SHOTS);
    chromium.screenshot(page, SHOTS.resolve(name + ".png"), 1200, 1900);
    return Checked.of(chromium.dumpDom(page));
  }

  @Test
  void an_honest_log_verifies_in_the_browser_with_every_epoch_and_hsm_on_the_page() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      Checked page = open(w, "honest");
      assertEquals("verified", page.verdict(), page.verdictText());
      assertEquals(Map.of("signature-0", "ok", "inclusion-0", "ok", "inclusion-1", "ok", "bundle-signature-0", "ok",
          "bundle-signature-1", "ok"), page.results());
      for (ValidationBundle bundle : w.bundles) {
        assertTrue(page.dom().contains("data-epoch=\"" + bundle.epoch() + "\" data-fleet=\"" + bundle.fleetId() + "\""),
            "epoch " + bundle.epoch());
        for (String id : SiteWorld.hsmIds(bundle)) {
          assertTrue(page.dom().contains("<tr data-hsm=\"" + id + "\" data-chain=\"ok\">"), "HSM " + id);
        }
      }
      assertTrue(page.dom().contains("data-state=\"passed\""), "the auditor's verdict");
    }
  }

  @Test
  void a_cosigned_checkpoint_has_both_signatures_verified() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      w.cosignCheckpoint();
      Checked page = open(w, "cosigned");
      assertEquals("verified", page.verdict(), page.verdictText());
      assertEquals("ok", page.results().get("signature-0"));
      assertEquals("ok", page.results().get("signature-1"));
      assertTrue(page.dom().contains("verified: cosignature of " + w.world.witness.keys().cosigner().keyName()), page.dom());
    }
  }

  @Test
  void a_tampered_entry_fails_its_inclusion_proof_in_the_browser() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      w.tamperEntry(1, "fleet-id fleet-2", "fleet-id fleet-X");
      Checked page = open(w, "tampered-entry");
      assertEquals("failed", page.verdict());
      assertEquals("ok", page.results().get("inclusion-0"));
      assertEquals("failed", page.results().get("inclusion-1"));
      assertEquals("failed", page.results().get("bundle-signature-1"), "the witness did not sign the tampered bytes");
      assertTrue(page.verdictText().contains("inclusion-1: the proof does not lead to the checkpoint"), page.verdictText());
    }
  }

  @Test
  void a_forked_checkpoint_verifies_its_signature_but_no_entry_proves_against_it() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      w.forkCheckpoint();
      Checked page = open(w, "forked-checkpoint");
      assertEquals("failed", page.verdict());
      assertEquals("ok", page.results().get("signature-0"), "the fork is signed by the witness's own key");
      assertEquals("failed", page.results().get("inclusion-0"));
      assertEquals("failed", page.results().get("inclusion-1"));
    }
  }

  @Test
  void a_broken_checkpoint_signature_fails_in_the_browser() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      w.breakCheckpointSignature();
      Checked page = open(w, "broken-signature");
      assertEquals("failed", page.verdict());
      assertEquals("failed", page.results().get("signature-0"));
      assertTrue(page.verdictText().contains("no valid signature by the witness's log key"), page.verdictText());
      assertEquals(List.of("ok", "ok"), List.of(page.results().get("inclusion-0"), page.results().get("inclusion-1")),
          "the proofs themselves still hold: only the signature is wrong");
    }
  }
}
