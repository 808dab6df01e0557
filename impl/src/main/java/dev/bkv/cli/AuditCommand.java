package dev.bkv.cli;

import dev.bkv.audit.AuditReport;
import dev.bkv.audit.Auditor;
import dev.bkv.audit.DirectoryTileFetcher;
import dev.bkv.audit.Published;
import dev.bkv.base.Json;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.EvidenceFormatException;
import dev.bkv.evidence.HsmVendor;
import dev.bkv.evidence.Pem;
import dev.bkv.evidence.PublicFolder;
import dev.bkv.evidence.VendorRoot;
import dev.bkv.net.HttpTileFetcher;
import dev.bkv.net.WitnessHttpClient;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.NoteKeys;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.TileFetcher;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifierSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bkv audit}: audit a witness's fleet log against the published evidence (wiring only; logic in dev.bkv.audit). */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Audit every fleet epoch in a witness's bundle log: fleet keys, log entry and receipt, witness signature and"
          + " operator countersignature, deployment evidence, key-set changes between epochs, the previous-bundle chain,"
          + " and consistency with the last audit.",
      "Exit code 0 only when every step verifies; otherwise 1, with the reason on stderr."
    })
public final class AuditCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--witness", description = "Base URL of the witness serving the log (e.g. http://127.0.0.1:7380).")
  String witness;

  @Option(names = "--log-dir", description = "A directory mirroring the log's tiles (checkpoint, tile/...).")
  Path logDir;

  @Option(names = "--witness-keys", description = "The witness's vkeys (log and bundle keys; as 'GET /bkv/vkeys' lists them)."
      + " Required with --log-dir; with --witness, fetched from the witness when absent.")
  Path witnessKeys;

  @Option(names = "--published", required = true, paramLabel = "DIR",
      description = "The operator's published folder (written by 'bkv fleet publish', by default <workspace>/public):"
          + " bundles/*.witnessed, evidence/*.txt and vendor-root.crt; nothing else is read from it, and a workspace is refused.")
  Path published;

  @Option(names = "--pinned", description = "The bundle (or witnessed bundle) whose keys an app pins.")
  Path pinned;

  @Option(names = "--expected-jar-hash", description = "SHA-256 (hex) of the vault jar rebuilt from source"
      + " (see 'bkv evidence jar-hash'); without it the evidence's own jar hash is reported, not checked.")
  String expectedJarHash;

  @Option(names = "--vendor-root", description = "The HSM vendor's root certificate (PEM) to trust, obtained from the"
      + " vendor; without it, the published folder's vendor-root.crt is used and the report says so.")
  Path vendorRoot;

  @Option(names = "--namespace", description = "Audit only bundles of this namespace.")
  String namespace;

  @Option(names = "--state", description = "File with the checkpoint of the last passing audit; updated when this one passes.")
  Path state;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if ((witness == null) == (logDir == null)) {
        throw new IllegalArgumentException("give exactly one of --witness URL or --log-dir DIR");
      }
      if (logDir != null && witnessKeys == null) {
        throw new IllegalArgumentException("--log-dir needs --witness-keys");
      }
      if (witness != null) {
        Inputs.witnessUrl("--witness", witness);
      }
      Optional<Sha256Digest> jar = Optional.empty();
      if (expectedJarHash != null) {
        jar = Optional.of(Sha256Digest.fromHex(expectedJarHash.strip())
            .orElseThrow(() -> new IllegalArgumentException("--expected-jar-hash must be 64 lower-case hex digits")));
      }
      HttpClient http = witness == null ? null : WitnessHttpClient.newHttpClient();
      TileFetcher log = witness != null ? new HttpTileFetcher(http, witness) : new DirectoryTileFetcher(logDir);
      String vkeys = witnessKeys != null ? Inputs.text(witnessKeys, VKEYS_BYTES_MAX) : fetchVkeys(http);
      WitnessVerifiers keys = WitnessVerifiers.of(vkeys, witnessKeys != null ? witnessKeys.toString() : witness + "/bkv/vkeys");
      Published folder = Published.load(published);
      Optional<VendorRoot> root = Optional.empty();
      if (vendorRoot != null) {
        root = Optional.of(loadRoot(vendorRoot));
      } else if (folder.vendorRoot().isPresent()) {
        root = Optional.of(parseRoot(published.resolve(PublicFolder.VENDOR_ROOT_FILE), folder.vendorRoot().get()));
      }
      Auditor.Inputs inputs = new Auditor.Inputs(log, CheckpointPolicy.logOnly(keys.log().keyName(), keys.log()),
          keys.bundle(), Optional.ofNullable(namespace), folder.witnessed(), folder.evidence(),
          pinned == null ? Optional.empty() : Optional.of(Published.pinned(pinned)), root, jar,
          state == null ? Optional.empty() : Published.lastAudited(state));
      Auditor.Outcome outcome = Auditor.audit(inputs);
      AuditReport report = outcome.report();
      if (witnessKeys == null) {
        report.note("the witness's keys were taken from the witness itself (GET /bkv/vkeys); pin them with --witness-keys");
      }
      if (vendorRoot == null && root.isPresent()) {
        report.note("the vendor root was taken from the published folder; pin the vendor's own with --vendor-root");
      }
      // The state is written before the verdict is printed, so a printed PASSED always means exit 0.
      if (outcome.audited().isPresent() && state != null) {
        Published.storeAudited(state, outcome.audited().get());
      }
      out.print(json ? Json.write(report.toJson()) + "\n" : report.toText());
      out.flush();
      if (!report.passed()) {
        err.println("bkv audit: FAILED: " + report.firstFailure().get());
        err.flush();
        return 1;
      }
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      err.println("bkv audit: " + e.getMessage());
    } catch (Exception e) {
      err.println("bkv audit: unexpected error: " + e);
    }
    err.flush();
    return 1;
  }

  /** Longest vkeys file read: three keys of at most a few hundred bytes each, with room to spare. */
  static final int VKEYS_BYTES_MAX = 16 * 1024;

  static VendorRoot loadRoot(Path file) throws IOException {
    try {
      return HsmVendor.loadRoot(file);
    } catch (EvidenceFormatException e) {
      throw new IOException(e.getMessage());
    }
  }

  private static VendorRoot parseRoot(Path file, byte[] pem) throws IOException {
    Optional<byte[]> der = Pem.decodeCertificate(pem);
    if (der.isEmpty()) {
      throw new IOException(file + " is not a PEM or DER certificate");
    }
    Verdict<VendorRoot> root = VendorRoot.parse(der.get());
    if (!root.isVerified()) {
      throw new IOException(file + ": " + root.reasonOrEmpty());
    }
    return root.value();
  }

  private String fetchVkeys(HttpClient http) throws IOException {
    WitnessHttpClient.Reply reply = new WitnessHttpClient(http, witness).get("/bkv/vkeys");
    if (reply.status() != 200) {
      throw new IOException("witness " + witness + " answered GET /bkv/vkeys with HTTP " + reply.status());
    }
    return reply.bodyText();
  }

  /** The witness's log key and bundle key among its vkeys (the cosigner key plays no part here). */
  record WitnessVerifiers(NoteVerifier log, NoteVerifier bundle) {
    static WitnessVerifiers of(String vkeys, String source) throws IOException {
      VerifierSet set;
      try {
        set = VerifierSet.parseVkeys(vkeys);
      } catch (dev.bkv.tlog.FormatException e) {
        throw new IOException("witness keys " + source + ": " + e.getMessage());
      }
      NoteVerifier log = null;
      NoteVerifier bundle = null;
      for (NoteVerifier v : set.verifiers()) {
        if (v.type() != NoteKeys.TYPE_ED25519) {
          continue;
        }
        if (v.keyName().endsWith("/bundle")) {
          bundle = v;
        } else {
          log = v;
        }
      }
      if (log == null || bundle == null) {
        throw new IOException("witness keys " + source + " must include the log key and the <name>/bundle key");
      }
      return new WitnessVerifiers(log, bundle);
    }
  }
}
