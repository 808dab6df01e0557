package dev.bkv.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.bundle.ValidationBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page's contents without a browser: every epoch and HSM drawn and listed, the audit's
 * verdict, and the raw log in the data block, so a tampered log or a forked checkpoint reaches
 * the page as served and shows as a failed audit; and the folder rules of {@link SiteFolder}.
 */
class TransparencySiteTest {
  @TempDir Path temp;

  static final Pattern ARTICLE = Pattern.compile("<article class=\"epoch\"[^>]*data-epoch=\"(\\d+)\" data-fleet=\"([^\"]+)\""
      + "[^>]*data-audit=\"(ok|failed)\">(.*?)</article>", Pattern.DOTALL);

  static String page(Path site) throws Exception {
    return Files.readString(site.resolve("index.html"));
  }

  /** The data block verify.js reads. */
  static Map<String, Object> data(String html) {
    int start = html.indexOf("<script id=\"" + SitePage.DATA_ID + "\" type=\"application/json\">");
    int end = html.indexOf("</script>", start);
    return Json.parseObject(html.substring(html.indexOf('>', start) + 1, end));
  }

  @Test
  void an_honest_log_shows_every_epoch_and_hsm_and_a_passed_audit() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      TransparencySite.Written written = TransparencySite.write(w.inputs(), temp.resolve("site"));
      assertEquals(temp.resolve("site").resolve("index.html"), written.page());
      assertEquals(2, written.epochs());
      assertTrue(written.auditFailure().isEmpty(), written.auditFailure().toString());
      String html = page(temp.resolve("site"));
      assertTrue(html.contains("id=\"audit-verdict\" class=\"verdict pass\" data-state=\"passed\""), html);
      Matcher articles = ARTICLE.matcher(html);
      for (ValidationBundle bundle : w.bundles) {
        assertTrue(articles.find(), "no article for epoch " + bundle.epoch());
        assertEquals(Long.toString(bundle.epoch()), articles.group(1));
        assertEquals(bundle.fleetId(), articles.group(2));
        assertEquals("ok", articles.group(3));
        String article = articles.group(4);
        for (String id : SiteWorld.hsmIds(bundle)) {
          assertTrue(article.contains("<tr data-hsm=\"" + id + "\" data-chain=\"ok\">"), "HSM " + id + " in " + article);
          assertTrue(article.contains("HSM " + id.substring(0, 8)), "HSM " + id + " drawn");
        }
        assertEquals(bundle.members().size(), count(article, "<tr data-hsm="));
        assertTrue(article.contains(bundle.evidenceDigest().toHex()), "the evidence digest");
      }
      assertFalse(articles.find(), "one article per epoch");
      assertTrue(html.contains("fleet fleet-2 replaces fleet fleet-1: 5 HSMs added, 3 removed"), "the change between epochs");
      Map<String, Object> data = data(html);
      assertEquals(Base64.getEncoder().encodeToString(w.world.witness.log().checkpoint().toBytes()), data.get("checkpoint"));
      List<?> entries = (List<?>) data.get("entries");
      assertEquals(2, entries.size());
      assertEquals(Base64.getEncoder().encodeToString(w.bundles.get(1).toBytes()), ((Map<?, ?>) entries.get(1)).get("entry"));
      assertEquals(1, ((List<?>) ((Map<?, ?>) entries.get(1)).get("proof")).size(), "a tree of 2: one sibling hash");
      assertEquals(2, ((List<?>) data.get("bundleSignatures")).size());
      assertEquals(List.of(SiteFolder.MARKER, "index.html", "site.css", "verify.js"), files(temp.resolve("site")));
    }
  }

  @Test
  void a_tampered_entry_reaches_the_page_as_served_and_fails_the_audit() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      w.tamperEntry(1, "fleet-id fleet-2", "fleet-id fleet-X");
      TransparencySite.Written written = TransparencySite.write(w.inputs(), temp.resolve("site"));
      assertTrue(written.auditFailure().orElseThrow().contains("entry 1 is not in the tree"), written.auditFailure().get());
      String html = page(temp.resolve("site"));
      assertTrue(html.contains("data-state=\"failed\""), "the audit verdict fails");
      String served = new String(Base64.getDecoder().decode((String) ((Map<?, ?>) ((List<?>) data(html).get("entries")).get(1))
          .get("entry")), StandardCharsets.UTF_8);
      assertTrue(served.contains("fleet-id fleet-X"), "the entry as the log served it, for the browser to refute");
    }
  }

  @Test
  void a_forked_checkpoint_fails_the_audit_though_its_signature_verifies() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      w.forkCheckpoint();
      TransparencySite.Written written = TransparencySite.write(w.inputs(), temp.resolve("site"));
      assertTrue(written.auditFailure().orElseThrow().contains("tiles do not hash to the checkpoint root"),
          written.auditFailure().get());
      assertTrue(page(temp.resolve("site")).contains("<strong>Auditor: FAILED</strong>"));
    }
  }

  @Test
  void a_folder_that_is_not_a_site_is_refused_and_left_as_it_was() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      Path other = Files.createDirectories(temp.resolve("other"));
      Files.writeString(other.resolve("notes.txt"), "mine");
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> TransparencySite.write(w.inputs(), other));
      assertTrue(refused.getMessage().contains("is not empty and was not written by bkv site"), refused.getMessage());
      assertEquals(List.of("notes.txt"), files(other));
      Path file = Files.writeString(temp.resolve("file"), "x");
      assertThrows(IllegalArgumentException.class, () -> TransparencySite.write(w.inputs(), file));
      assertEquals(List.of("file", "other", "witness"), files(temp), "no staging folder left behind");
    }
  }

  @Test
  void an_earlier_site_is_replaced_whole() throws Exception {
    try (SiteWorld w = new SiteWorld(temp.resolve("witness"))) {
      Path site = temp.resolve("site");
      TransparencySite.write(w.inputs(), site);
      Files.writeString(site.resolve("stale.html"), "from an older version");
      w.forkCheckpoint();
      TransparencySite.write(w.inputs(), site);
      assertEquals(List.of(SiteFolder.MARKER, "index.html", "site.css", "verify.js"), files(site));
      assertTrue(page(site).contains("<strong>Auditor: FAILED</strong>"), "the new page");
      assertEquals(List.of("site", "witness"), files(temp), "neither the old site nor a staging folder is left");
    }
  }

  @Test
  void the_data_block_cannot_close_its_script() {
    String json = SitePage.scriptSafe(Json.write(Map.of("k", "</script><script>alert(1)</script>")));
    assertFalse(json.contains("<"), json);
    assertEquals("</script><script>alert(1)</script>", Json.parseObject(json).get("k"));
  }

  private static int count(String text, String fragment) {
    int n = 0;
    for (int at = text.indexOf(fragment); at >= 0; at = text.indexOf(fragment, at + 1)) {
      n++;
    }
    return n;
  }

  private static List<String> files(Path dir) throws Exception {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
