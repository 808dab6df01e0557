package dev.bkv.cli;

import dev.bkv.base.Hex;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.EvidenceFacts;
import dev.bkv.evidence.EvidenceVerifier;
import dev.bkv.evidence.HsmVendor;
import dev.bkv.evidence.JarHash;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.evidence.VendorRoot;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.tlog.Verdict;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bkv evidence}: the vault jar's hash, and verification of published deployment evidence (wiring only). */
@Command(
    name = "evidence",
    mixinStandardHelpOptions = true,
    description = "Check deployment evidence: hash the reproducible vault jar, verify a fleet's published evidence.",
    subcommands = {EvidenceCommand.JarHashCommand.class, EvidenceCommand.Verify.class, CommandLine.HelpCommand.class})
public final class EvidenceCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "jar-hash", mixinStandardHelpOptions = true,
      description = "Print the SHA-256 of the vault jar (default: the jar this command runs from). The build is "
          + "reproducible: rebuilding the same commit with 'mvn -pl impl -am -DskipTests package' gives the same hash.")
  static final class JarHashCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--jar", description = "The jar to hash (default: the running jar, impl/target/bkv-impl.jar).")
    Path jar;

    @Override
    public Integer call() {
      return UserErrors.report(spec, () -> {
        Path file = JarHash.locate(Optional.ofNullable(jar));
        spec.commandLine().getOut().println(JarHash.of(file).toHex() + "  " + file);
        spec.commandLine().getOut().flush();
        return 0;
      });
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Verify a fleet's deployment evidence against a trusted vendor root and the expected vault jar; "
          + "print the facts it establishes, or the reason it fails (exit 1).")
  static final class Verify implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--evidence", required = true, description = "The evidence file (a workspace's fleets/<id>/evidence.txt).")
    Path evidence;

    @Option(names = "--vendor-root", required = true, description = "The trusted vendor root certificate (PEM or DER).")
    Path vendorRoot;

    @Option(names = "--jar-sha256", description = "Expected SHA-256 of the vault jar (64 hex digits).")
    String jarSha256;

    @Option(names = "--jar", description = "A rebuilt vault jar whose SHA-256 is expected (default: the running jar).")
    Path jar;

    @Override
    public Integer call() {
      return UserErrors.report(spec, () -> {
        if (jarSha256 != null && jar != null) {
          throw new IllegalArgumentException("give --jar-sha256 or --jar, not both");
        }
        Sha256Digest expected = jarSha256 != null
            ? Sha256Digest.fromHex(jarSha256).orElseThrow(() -> new IllegalArgumentException("--jar-sha256 must be 64 lower-case hex digits"))
            : JarHash.of(JarHash.locate(Optional.ofNullable(jar)));
        VendorRoot root = HsmVendor.loadRoot(vendorRoot);
        byte[] bytes = OperatorWorkspace.readBytes(evidence, DeploymentEvidence.EVIDENCE_BYTES_MAX);
        Verdict<EvidenceFacts> verdict = EvidenceVerifier.verify(bytes, root, expected);
        PrintWriter out = spec.commandLine().getOut();
        if (!verdict.isVerified()) {
          spec.commandLine().getErr().println("evidence rejected: " + verdict.reasonOrEmpty());
          spec.commandLine().getErr().flush();
          return 1;
        }
        EvidenceFacts facts = verdict.value();
        out.println("evidence verified: " + evidence);
        out.println("evidence sha256   " + facts.evidenceDigest().toHex());
        out.println("fleet             " + facts.config().namespace() + " " + facts.config().fleetId() + ", quorum "
            + facts.config().quorum() + " of " + facts.members().size());
        for (MemberKeys m : facts.members()) {
          out.println("  hsm " + m.hsmId().toHex() + " in " + m.datacenter() + " identity "
              + Hex.encode(m.identityKey().encodeCompressed()));
        }
        out.println("opaque server key " + Hex.encode(facts.opaqueServerKey().encode()));
        out.println("operator key      " + Hex.encode(facts.operatorKey().encodeCompressed()));
        out.println("vault jar sha256  " + facts.vaultJar().toHex());
        out.println("transcript sha256 " + facts.transcriptDigest().toHex());
        out.flush();
        return 0;
      });
    }
  }
}
