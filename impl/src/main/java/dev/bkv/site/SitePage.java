package dev.bkv.site;

import static dev.bkv.base.Markup.escape;

import dev.bkv.audit.AuditReport;
import dev.bkv.base.Hex;
import dev.bkv.base.Json;
import dev.bkv.bundle.BundleVerifier;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.evidence.DeviceCertificate;
import dev.bkv.evidence.VendorRoot;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.site.TransparencySite.EpochView;
import dev.bkv.site.TransparencySite.HsmView;
import dev.bkv.site.TransparencySite.NamespaceAudit;
import dev.bkv.site.TransparencySite.Site;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.VerifierSet;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Draws a {@link Site} as {@code index.html}: plain HTML that reads without script, and a
 * JSON block ({@code bkv-data}) with the raw checkpoint, entries, proofs and signatures for
 * {@code verify.js} to check. Elements the browser test reads carry {@code data-} attributes
 * and ids: {@code #audit-verdict}, {@code #browser-verdict}, {@code article[data-epoch]},
 * {@code tr[data-hsm]}, and a {@code data-check} cell per signature, proof and bundle signature.
 */
final class SitePage {
  private SitePage() {}

  /** The script's data block, and every key the script reads in it (verify.js names the same). */
  static final String DATA_ID = "bkv-data";

  static String render(Site site) {
    StringBuilder html = new StringBuilder(64 * 1024);
    String origin = site.log().checkpoint().map(c -> c.origin()).orElse(site.inputs().logKey().keyName());
    html.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>BKV transparency: ").append(escape(origin)).append("</title>\n")
        .append("<link rel=\"stylesheet\" href=\"site.css\">\n</head>\n<body>\n");
    header(html, site, origin);
    verdicts(html, site);
    epochIndex(html, site);
    for (EpochView epoch : site.epochs()) {
      epoch(html, site, epoch);
    }
    checkpoint(html, site);
    logTable(html, site);
    audits(html, site);
    html.append("<footer><p>Check it yourself: <code>bkv audit --witness URL --witness-keys FILE --published DIR")
        .append(" --vendor-root FILE</code> repeats every step above; this page's script repeats the signatures and")
        .append(" proofs in your browser with WebCrypto, from the data in this file.</p></footer>\n");
    html.append("<script id=\"").append(DATA_ID).append("\" type=\"application/json\">")
        .append(scriptSafe(Json.write(data(site)))).append("</script>\n")
        .append("<script src=\"verify.js\"></script>\n</body>\n</html>\n");
    return html.toString();
  }

  private static void header(StringBuilder html, Site site, String origin) {
    html.append("<header>\n<h1>BKV fleet transparency</h1>\n<p>Witness log <code>").append(escape(origin)).append("</code>");
    site.log().checkpoint().ifPresent(c -> html.append(", checkpoint of size ").append(c.size()));
    html.append(". Page made ").append(utc(site.inputs().generatedAtSeconds())).append(" by <code>bkv site</code>: ")
        .append(site.epochs().size()).append(" fleet epoch").append(site.epochs().size() == 1 ? "" : "s")
        .append(" in the log.</p>\n</header>\n");
  }

  private static void verdicts(StringBuilder html, Site site) {
    boolean passed = site.auditsPassed();
    html.append("<section class=\"verdicts\">\n<div id=\"audit-verdict\" class=\"verdict ")
        .append(passed ? "pass" : "fail").append("\" data-state=\"").append(passed ? "passed" : "failed").append("\">")
        .append("<strong>Auditor: ").append(passed ? "PASSED" : "FAILED").append("</strong>");
    for (NamespaceAudit audit : site.audits()) {
      html.append("<div>").append(audit.namespace().isEmpty() ? "the log" : "namespace <code>" + escape(audit.namespace()) + "</code>")
          .append(": ").append(audit.report().passed() ? "every step verified"
              : "<span class=\"failure\">" + escape(audit.report().firstFailure().get()) + "</span>").append("</div>");
    }
    html.append("<div class=\"small\">run by <code>bkv site</code> when this page was made</div></div>\n")
        .append("<div id=\"browser-verdict\" class=\"verdict pending\" data-state=\"pending\"><strong>Your browser: ")
        .append("not checked</strong><div>This page checks the checkpoint's signatures and every inclusion proof with")
        .append(" JavaScript; with script off, nothing here was checked by your browser.</div></div>\n</section>\n");
    site.log().problem().ifPresent(p -> html.append("<p class=\"failure\" id=\"log-problem\">The log could not be read in full: ")
        .append(escape(p)).append("</p>\n"));
  }

  private static void epochIndex(StringBuilder html, Site site) {
    if (site.epochs().isEmpty()) {
      html.append("<p class=\"failure\">No fleet epoch could be read from the log.</p>\n");
      return;
    }
    html.append("<nav><h2>Fleet epochs</h2><table><tr><th>log index</th><th>namespace</th><th>fleet</th><th>epoch</th>")
        .append("<th>valid</th><th>HSMs</th><th>audit</th></tr>\n");
    for (EpochView e : site.epochs()) {
      ValidationBundle b = e.bundle();
      boolean ok = e.audit().map(AuditReport.EpochSection::ok).orElse(false);
      html.append("<tr><td>").append(e.logIndex()).append("</td><td><code>").append(escape(b.namespace())).append("</code></td><td>")
          .append("<a href=\"#").append(anchor(e)).append("\">").append(escape(b.fleetId())).append("</a></td><td>")
          .append(b.epoch()).append("</td><td>").append(day(b.notBeforeSeconds())).append(" to ").append(day(b.notAfterSeconds()))
          .append("</td><td>").append(b.members().size()).append(", quorum ").append(b.quorum()).append("</td><td class=\"")
          .append(ok ? "ok\">verified" : "bad\">FAILED").append("</td></tr>\n");
    }
    html.append("</table></nav>\n");
  }

  private static String anchor(EpochView e) {
    return "entry-" + e.logIndex();
  }

  private static void epoch(StringBuilder html, Site site, EpochView e) {
    ValidationBundle b = e.bundle();
    boolean ok = e.audit().map(AuditReport.EpochSection::ok).orElse(false);
    long now = site.inputs().generatedAtSeconds();
    html.append("<article class=\"epoch\" id=\"").append(anchor(e)).append("\" data-epoch=\"").append(b.epoch())
        .append("\" data-fleet=\"").append(escape(b.fleetId())).append("\" data-namespace=\"").append(escape(b.namespace()))
        .append("\" data-audit=\"").append(ok ? "ok" : "failed").append("\">\n<h2>Epoch ").append(b.epoch())
        .append(": fleet <code>").append(escape(b.fleetId())).append("</code>").append(ok ? "" : " <span class=\"bad\">FAILED</span>")
        .append("</h2>\n<dl>\n");
    item(html, "namespace", "<code>" + escape(b.namespace()) + "</code>");
    item(html, "valid", utc(b.notBeforeSeconds()) + " to " + utc(b.notAfterSeconds())
        + (b.validAt(now) ? " (valid when this page was made)" : " <span class=\"bad\">(not valid when this page was made)</span>"));
    item(html, "quorum", b.quorum() + " of " + b.members().size() + " HSMs in " + datacenters(b).size() + " datacenters");
    item(html, "log entry", "index " + e.logIndex() + ", inclusion <span data-check=\"inclusion-" + e.logIndex()
        + "\" class=\"pending\">not checked</span>");
    item(html, "bundle", "<code>sha256 " + b.digest().toHex() + "</code>");
    item(html, "previous bundle", b.previousDigest().map(d -> "<code>sha256 " + d.toHex() + "</code>").orElse("none (first epoch)"));
    item(html, "key set", "<code>" + BundleVerifier.keySetDigest(b).toHex() + "</code>");
    item(html, "OPAQUE server key", "<code>" + Hex.encode(b.opaqueServerKey().encode()) + "</code>");
    Optional<AuditReport.Step> evidenceStep = e.audit().flatMap(a -> a.steps().stream()
        .filter(s -> s.name().equals("evidence")).findFirst());
    item(html, "evidence", "<code>sha256 " + b.evidenceDigest().toHex() + "</code> "
        + evidenceStep.map(s -> s.ok() ? "<span class=\"ok\">verified</span>" : "<span class=\"bad\">FAILED: " + escape(s.detail()) + "</span>")
            .orElse("<span class=\"bad\">not audited</span>"));
    item(html, "witness signature", e.witnessed().isPresent()
        ? "<span data-check=\"bundle-signature-" + e.logIndex() + "\" class=\"pending\">not checked</span>"
        : "<span class=\"bad\">no witnessed bundle published for this entry</span>");
    html.append("</dl>\n");
    drawFleet(html, e);
    hsmTable(html, site, e);
    html.append("<h3>Changes since the previous epoch</h3>\n");
    List<String> changes = e.audit().map(AuditReport.EpochSection::changes).orElse(List.of());
    if (changes.isEmpty()) {
      html.append("<p>").append(b.previousDigest().isEmpty() ? "The first epoch of its log." : "No change.").append("</p>\n");
    } else {
      html.append("<ul class=\"changes\">\n");
      changes.forEach(c -> html.append("<li>").append(escape(c)).append("</li>\n"));
      html.append("</ul>\n");
    }
    html.append("<h3>Audit steps</h3>\n");
    steps(html, e.audit().map(AuditReport.EpochSection::steps)
        .orElse(List.of(new AuditReport.Step("audit", false, "the auditor did not reach this entry"))));
    html.append("</article>\n");
  }

  private static Map<String, List<MemberKeys>> datacenters(ValidationBundle b) {
    Map<String, List<MemberKeys>> byDc = new TreeMap<>();
    for (MemberKeys m : b.members()) {
      byDc.computeIfAbsent(m.datacenter(), dc -> new ArrayList<>()).add(m);
    }
    return byDc;
  }

  /** The fleet as a picture: one box per datacenter, one per HSM inside, green when its certificate chain verified. */
  private static void drawFleet(StringBuilder html, EpochView e) {
    Map<String, List<MemberKeys>> byDc = datacenters(e.bundle());
    Map<String, Boolean> chainOk = new LinkedHashMap<>();
    e.hsms().forEach(h -> chainOk.put(h.member().hsmId().toHex(), h.chain().isVerified()));
    int columnWidth = 180;
    int rows = byDc.values().stream().mapToInt(List::size).max().orElse(0);
    int width = Math.max(1, byDc.size()) * columnWidth + 10;
    int height = 60 + rows * 34;
    html.append("<svg class=\"fleet\" role=\"img\" width=\"").append(width).append("\" height=\"").append(height)
        .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\"><title>")
        .append(escape(e.bundle().fleetId())).append(": ").append(e.bundle().members().size()).append(" HSMs in ")
        .append(byDc.size()).append(" datacenters, quorum ").append(e.bundle().quorum()).append("</title>\n");
    int x = 5;
    for (Map.Entry<String, List<MemberKeys>> dc : byDc.entrySet()) {
      html.append("<g data-datacenter=\"").append(escape(dc.getKey())).append("\"><rect class=\"dc\" x=\"").append(x)
          .append("\" y=\"5\" width=\"").append(columnWidth - 10).append("\" height=\"").append(height - 10)
          .append("\" rx=\"8\"/><text class=\"dc-name\" x=\"").append(x + 10).append("\" y=\"28\">").append(escape(dc.getKey()))
          .append("</text>\n");
      int y = 40;
      for (MemberKeys m : dc.getValue()) {
        String id = m.hsmId().toHex();
        boolean ok = chainOk.getOrDefault(id, false);
        html.append("<rect class=\"hsm ").append(ok ? "ok" : "bad").append("\" x=\"").append(x + 10).append("\" y=\"").append(y)
            .append("\" width=\"").append(columnWidth - 30).append("\" height=\"26\" rx=\"4\"/><text class=\"hsm-name\" x=\"")
            .append(x + 18).append("\" y=\"").append(y + 18).append("\">HSM ").append(id, 0, 8).append(ok ? "" : " (unverified)")
            .append("</text>\n");
        y += 34;
      }
      html.append("</g>\n");
      x += columnWidth;
    }
    html.append("</svg>\n");
  }

  private static void hsmTable(StringBuilder html, Site site, EpochView e) {
    Optional<VendorRoot> root = e.vendorRoot().isVerified() ? Optional.of(e.vendorRoot().value()) : Optional.empty();
    html.append("<h3>HSMs</h3>\n<table class=\"hsms\"><tr><th>HSM id</th><th>datacenter</th><th>identity key (SHA-256)</th>")
        .append("<th>vendor certificate chain</th></tr>\n");
    for (HsmView h : e.hsms()) {
      MemberKeys m = h.member();
      html.append("<tr data-hsm=\"").append(m.hsmId().toHex()).append("\" data-chain=\"")
          .append(h.chain().isVerified() ? "ok" : "failed").append("\"><td><code>").append(m.hsmId().toHex())
          .append("</code></td><td>").append(escape(m.datacenter())).append("</td><td><code>")
          .append(TransparencySite.fingerprint(m.identityKey().encodeCompressed())).append("</code></td><td>");
      if (h.chain().isVerified()) {
        DeviceCertificate c = h.chain().value();
        html.append("<span class=\"ok\">verified</span>: device certificate <code>CN=BKV HSM ").append(c.hsmId().toHex())
            .append("</code>, SHA-256 <code>").append(TransparencySite.fingerprint(c.der())).append("</code>, valid ")
            .append(day(c.notBeforeSeconds())).append(" to ").append(day(c.notAfterSeconds()));
        root.ifPresent(r -> html.append("; issued by <code>").append(escape(r.name().toString())).append("</code>, root SHA-256 <code>")
            .append(r.rootFingerprint().toHex()).append("</code>").append(site.inputs().vendorRoot().isPresent()
                ? " (the pinned vendor root)" : " (the root the evidence names)"));
      } else {
        html.append("<span class=\"bad\">FAILED</span>: ").append(escape(h.chain().reasonOrEmpty()));
        h.deviceCertificate().ifPresent(der -> html.append("; device certificate SHA-256 <code>")
            .append(TransparencySite.fingerprint(der)).append("</code>"));
      }
      html.append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  private static void checkpoint(StringBuilder html, Site site) {
    html.append("<section id=\"checkpoint\">\n<h2>The checkpoint</h2>\n");
    if (site.log().checkpoint().isEmpty()) {
      html.append("<p class=\"failure\">No checkpoint could be read.</p>\n");
    } else {
      var c = site.log().checkpoint().get();
      html.append("<dl>\n");
      item(html, "origin", "<code>" + escape(c.origin()) + "</code>");
      item(html, "size", Long.toString(c.size()));
      item(html, "root hash", "<code>" + c.rootHash().toBase64() + "</code>");
      html.append("</dl>\n");
    }
    html.append("<pre class=\"note\">").append(escape(new String(site.log().checkpointNote(), StandardCharsets.UTF_8)))
        .append("</pre>\n<h3>Signers</h3>\n<table id=\"signers\"><tr><th>key name</th><th>key id</th><th>role</th>")
        .append("<th>signature</th></tr>\n");
    List<NoteSignature> signatures = signatures(site);
    VerifierSet known = knownKeys(site);
    for (int i = 0; i < signatures.size(); i++) {
      NoteSignature s = signatures.get(i);
      Optional<NoteVerifier> key = known.lookup(s.keyName(), s.keyId());
      String role = key.isEmpty() ? "unknown key: not checked"
          : key.get().keyName().equals(site.inputs().logKey().keyName()) && key.get().keyId() == site.inputs().logKey().keyId()
              ? "the witness's log key" : "cosigner";
      html.append("<tr data-signer=\"").append(escape(s.keyName())).append("\"><td><code>").append(escape(s.keyName()))
          .append("</code></td><td><code>").append(String.format("%08x", s.keyId())).append("</code></td><td>").append(role)
          .append("</td><td><span data-check=\"signature-").append(i).append("\" class=\"pending\">not checked</span></td></tr>\n");
    }
    html.append("</table>\n<h3>The witness's keys this page was made with</h3>\n<p>Compare them with keys you got from")
        .append(" the witness's operator by another way: a page made with other keys checks other signatures.</p>\n<pre>")
        .append(escape(site.inputs().witnessVkeys().strip())).append("</pre>\n</section>\n");
  }

  private static List<NoteSignature> signatures(Site site) {
    try {
      return SignedNote.parse(site.log().checkpointNote()).signatures();
    } catch (FormatException e) {
      return List.of();
    }
  }

  private static VerifierSet knownKeys(Site site) {
    try {
      return VerifierSet.parseVkeys(site.inputs().witnessVkeys());
    } catch (FormatException e) {
      return VerifierSet.of(site.inputs().logKey(), site.inputs().bundleKey());
    }
  }

  private static void logTable(StringBuilder html, Site site) {
    html.append("<section id=\"log\">\n<h2>Log entries</h2>\n<table><tr><th>index</th><th>entry</th><th>SHA-256</th>")
        .append("<th>inclusion in the checkpoint</th></tr>\n");
    for (LogCopy.Entry entry : site.log().entries()) {
      String what = site.epochs().stream().filter(e -> e.logIndex() == entry.index()).findFirst()
          .map(e -> "bundle: epoch " + e.bundle().epoch() + " of <code>" + escape(e.bundle().fleetId()) + "</code>")
          .orElse("not a validation bundle");
      html.append("<tr data-entry=\"").append(entry.index()).append("\"><td>").append(entry.index()).append("</td><td>")
          .append(what).append("</td><td><code>").append(TransparencySite.fingerprint(entry.bytes()))
          .append("</code></td><td><span data-check=\"inclusion-").append(entry.index())
          .append("\" class=\"pending\">not checked</span></td></tr>\n");
    }
    html.append("</table>\n</section>\n");
  }

  private static void audits(StringBuilder html, Site site) {
    html.append("<section id=\"audit\">\n<h2>The auditor's log steps</h2>\n");
    for (NamespaceAudit audit : site.audits()) {
      html.append("<h3>").append(audit.namespace().isEmpty() ? "The log" : "Namespace <code>" + escape(audit.namespace()) + "</code>")
          .append(": ").append(audit.report().passed() ? "<span class=\"ok\">PASSED</span>" : "<span class=\"bad\">FAILED</span>")
          .append("</h3>\n");
      steps(html, audit.report().logSteps());
      if (!audit.report().notes().isEmpty()) {
        html.append("<ul class=\"notes\">\n");
        audit.report().notes().forEach(n -> html.append("<li>").append(escape(n)).append("</li>\n"));
        html.append("</ul>\n");
      }
    }
    html.append("</section>\n");
  }

  private static void steps(StringBuilder html, List<AuditReport.Step> steps) {
    html.append("<table class=\"steps\"><tr><th>step</th><th>outcome</th><th>detail</th></tr>\n");
    for (AuditReport.Step s : steps) {
      html.append("<tr data-step=\"").append(escape(s.name())).append("\" data-ok=\"").append(s.ok()).append("\"><td>")
          .append(escape(s.name())).append("</td><td class=\"").append(s.ok() ? "ok\">ok" : "bad\">FAILED").append("</td><td>")
          .append(escape(s.detail())).append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  /** What verify.js checks: the checkpoint as served, every entry with its proof, every published witness signature. */
  private static Map<String, Object> data(Site site) {
    Base64.Encoder b64 = Base64.getEncoder();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("logKey", site.inputs().logKey().vkey());
    out.put("bundleKey", site.inputs().bundleKey().vkey());
    List<Object> vkeys = new ArrayList<>();
    knownKeys(site).verifiers().forEach(v -> vkeys.add(v.vkey()));
    out.put("vkeys", vkeys);
    out.put("checkpoint", b64.encodeToString(site.log().checkpointNote()));
    List<Object> entries = new ArrayList<>();
    for (LogCopy.Entry entry : site.log().entries()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("index", entry.index());
      e.put("entry", b64.encodeToString(entry.bytes()));
      List<Object> proof = new ArrayList<>();
      entry.proof().forEach(h -> proof.add(h.toBase64()));
      e.put("proof", proof);
      entries.add(e);
    }
    out.put("entries", entries);
    List<Object> signatures = new ArrayList<>();
    for (EpochView e : site.epochs()) {
      e.witnessed().ifPresent(w -> {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("index", e.logIndex());
        s.put("signature", b64.encodeToString(w.witnessSignature().toBytes()));
        signatures.add(s);
      });
    }
    out.put("bundleSignatures", signatures);
    return out;
  }

  private static void item(StringBuilder html, String term, String definitionHtml) {
    html.append("<dt>").append(escape(term)).append("</dt><dd>").append(definitionHtml).append("</dd>\n");
  }

  private static String utc(long seconds) {
    return Instant.ofEpochSecond(seconds).toString();
  }

  private static String day(long seconds) {
    return Instant.ofEpochSecond(seconds).toString().substring(0, 10);
  }

  /**
   * JSON inside a script element: a {@code <} only occurs in JSON strings, where {@code \u003c}
   * means the same, so no text can close the element early.
   */
  static String scriptSafe(String json) {
    return json.replace("<", "\\u003c");
  }
}
