package dev.bkv.cli;

import dev.bkv.audit.DirectoryTileFetcher;
import dev.bkv.audit.Published;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.VendorRoot;
import dev.bkv.net.HttpTileFetcher;
import dev.bkv.net.WitnessHttpClient;
import dev.bkv.site.TransparencySite;
import dev.bkv.tlog.TileFetcher;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bkv site}: the transparency page of a witness's fleet log (wiring only; the page is dev.bkv.site's). */
@Command(
    name = "site",
    mixinStandardHelpOptions = true,
    description = {
      "Write a static transparency site (index.html, site.css, verify.js; opens from file:// or any static host):"
          + " every fleet epoch in the witness's bundle log with its validity, quorum and HSMs by datacenter, each HSM's"
          + " key fingerprints and vendor certificate chain, the evidence and whether it verified, the checkpoint and"
          + " its signers, the changes between epochs and the auditor's verdict. The page checks the checkpoint's"
          + " signatures and every inclusion proof again in the reader's browser.",
      "Exit code 0 when the site is written and the audit passed; 1 when it is written and shows a failed audit"
          + " (the failing step on stderr); 2 when nothing was written (bad input, a folder that is not a site)."
    })
public final class SiteCommand implements Callable<Integer> {
  /** Published folders one site reads. */
  static final int FOLDERS_MAX = 64;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--witness", description = "Base URL of the witness serving the log (e.g. http://127.0.0.1:7380).")
  String witness;

  @Option(names = "--log-dir", description = "A directory mirroring the log's tiles (checkpoint, tile/...), instead of --witness.")
  Path logDir;

  @Option(names = "--witness-keys", required = true, paramLabel = "FILE",
      description = "The witness's vkeys (log and bundle keys; cosigner keys too, to check cosignatures), obtained from"
          + " its operator: the page checks signatures under these keys and prints them.")
  Path witnessKeys;

  @Option(names = "--evidence", required = true, paramLabel = "DIR", arity = "1..*",
      description = "Published folders of the operators (as 'bkv fleet publish' writes them): bundles/*.witnessed,"
          + " evidence/*.txt, vendor-root.crt.")
  List<Path> evidence;

  @Option(names = "--vendor-root", paramLabel = "FILE", description = "The HSM vendor's root certificate (PEM) to check"
      + " device certificates with; without it, each evidence's own root is used and the page says so.")
  Path vendorRoot;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Where to write the site: absent, empty, or a site written here before (replaced whole).")
  Path out;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if ((witness == null) == (logDir == null)) {
        throw new IllegalArgumentException("give exactly one of --witness URL or --log-dir DIR");
      }
      TransparencySite.checkOutput(out); // before any work: a folder that is not a site is never replaced
      if (evidence.size() > FOLDERS_MAX) {
        throw new IllegalArgumentException("--evidence names " + evidence.size() + " folders; at most " + FOLDERS_MAX);
      }
      TileFetcher log;
      if (witness != null) {
        Inputs.witnessUrl("--witness", witness);
        log = new HttpTileFetcher(WitnessHttpClient.newHttpClient(), witness);
      } else {
        log = new DirectoryTileFetcher(logDir);
      }
      String vkeys = Inputs.text(witnessKeys, AuditCommand.VKEYS_BYTES_MAX);
      AuditCommand.WitnessVerifiers keys = AuditCommand.WitnessVerifiers.of(vkeys, witnessKeys.toString());
      List<WitnessedBundle> witnessed = new ArrayList<>();
      List<DeploymentEvidence> evidenceFiles = new ArrayList<>();
      for (Path folder : evidence) {
        Published published = Published.load(folder);
        witnessed.addAll(published.witnessed());
        evidenceFiles.addAll(published.evidence());
      }
      Optional<VendorRoot> root = vendorRoot == null ? Optional.empty() : Optional.of(AuditCommand.loadRoot(vendorRoot));
      TransparencySite.Written written = TransparencySite.write(new TransparencySite.Inputs(log, keys.log(), keys.bundle(),
          vkeys, witnessed, evidenceFiles, root, System.currentTimeMillis() / 1000), out);
      stdout.println("bkv site: wrote " + written.page() + " (" + written.epochs() + " fleet epochs, " + written.entries()
          + " log entries); open file://" + written.page());
      stdout.flush();
      if (written.auditFailure().isPresent()) {
        err.println("bkv site: the page shows a FAILED audit: " + written.auditFailure().get());
        err.flush();
        return 1;
      }
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      err.println("bkv site: " + e.getMessage());
    } catch (RuntimeException e) {
      err.println("bkv site: unexpected error: " + e);
    }
    err.flush();
    return 2;
  }
}
