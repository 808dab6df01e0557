package dev.bkv.cli;

import dev.bkv.base.Bytes;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.client.ClientAnchors;
import dev.bkv.client.FleetTrust;
import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.client.VaultClientException;
import dev.bkv.client.VaultStatus;
import dev.bkv.client.VaultTransport;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.net.FrontendHttpClient;
import dev.bkv.net.VaultHttpTransport;
import dev.bkv.node.FleetDeployment;
import dev.bkv.vault.UserId;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The client side of the demo: a phone that trusts a fleet only through its witnessed bundle
 * (verified against the app's compiled-in anchors and its remembered checkpoint), then talks to
 * the vault through the fleet's frontend over HTTP. Prints what it checks and what it gets.
 */
final class DemoPhone {
  /** The cheapest Argon2id the client accepts: what a guess that is wrong anyway needs. */
  static final Ksf GUESSING_KSF = Ksf.argon2id(64, 1, 1);

  private final DemoChecks checks;
  private final FleetTrust trust;
  private final TrustAnchors anchors;
  private final Ksf ksf;
  private final SecureRandom random;
  private final UnaryOperator<VaultTransport> transportWrapper;

  private DemoPhone(DemoChecks checks, FleetTrust trust, TrustAnchors anchors, Ksf ksf, SecureRandom random,
      UnaryOperator<VaultTransport> transportWrapper) {
    this.checks = checks;
    this.trust = trust;
    this.anchors = anchors;
    this.ksf = ksf;
    this.random = random;
    this.transportWrapper = transportWrapper;
  }

  /** A phone with the app's anchors ({@code bkv fleet anchors}' file, which the first publish wrote) and no memory yet. */
  static DemoPhone install(DemoWorld world, DemoChecks checks, Ksf ksf, UnaryOperator<VaultTransport> transportWrapper)
      throws Exception {
    TrustAnchors anchors = ClientAnchors.parse(OperatorWorkspace.readBytes(
        world.workspace.dir().resolve(FleetDeployment.WORKSPACE_ANCHORS_FILE), ClientAnchors.FILE_BYTES_MAX));
    Path state = world.phoneDir().resolve("trust.state");
    return new DemoPhone(checks, FleetTrust.open(state, anchors), anchors, ksf, world.random, transportWrapper);
  }

  /**
   * Fetches the fleet's witnessed bundle from its frontend and offers it to the phone's trust
   * (log tiles fetched through the same frontend); prints each check. Empty when refused.
   */
  Optional<ValidationBundle> verifyBundle(DemoFleet fleet) throws Exception {
    FrontendHttpClient frontend = FrontendHttpClient.to(fleet.url());
    Optional<byte[]> served = frontend.bundle();
    if (served.isEmpty()) {
      checks.say("phone", "the frontend serves no bundle");
      checks.expect(false, "the frontend of " + fleet.fleetId + " serves its witnessed bundle");
      return Optional.empty();
    }
    long stored = trust.storedSize();
    WitnessedBundle witnessed = WitnessedBundle.parse(served.get());
    BundleVerdict verdict = trust.offer(served.get(), frontend.logTiles(), FleetCommand.nowSeconds());
    if (!(verdict instanceof BundleVerdict.Accepted accepted)) {
      checks.say("phone", "REFUSED the bundle of " + fleet.fleetId + ": " + verdict.describe());
      checks.expect(false, "the phone accepts the bundle of " + fleet.fleetId + " (" + verdict.describe() + ")");
      return Optional.empty();
    }
    ValidationBundle bundle = accepted.fleet();
    long size = accepted.checkpoint().orElseThrow().checkpoint().size();
    checks.say("phone", "fetched " + served.get().length + " bytes from " + fleet.url() + "/bkv/bundle: epoch "
        + bundle.epoch() + ", fleet " + bundle.fleetId() + "; well-formed, namespace " + bundle.namespace() + ", digest ok");
    checks.say("phone", "witness-signature ok (" + anchors.witnessBundleKey().keyName() + "), countersignature ok "
        + "(operator HSM " + DemoChecks.prefix(anchors.operatorKey().encodeCompressed()) + ")");
    checks.say("phone", "checkpoint-signature ok (log " + anchors.logOrigin() + ", size " + size + "), cosignatures ok ("
        + anchors.cosignaturesRequired() + " required), inclusion ok (leaf " + witnessed.proof().index() + ")");
    checks.say("phone", (stored == 0 ? "consistency ok (first use: no checkpoint stored)"
        : "consistency ok (from its stored checkpoint of size " + stored + " to " + size + ")")
        + ", epoch ok, validity-window ok" + (bundle.previousDigest().isPresent() ? ", previous-bundle ok (chained to "
        + DemoChecks.prefix(bundle.previousDigest().get().toBytes()) + ")" : ""));
    checks.say("phone", "ACCEPTED: trusts " + bundle.fleetId() + ", OPAQUE server key "
        + DemoChecks.prefix(bundle.opaqueServerKey().encode()) + "; remembers the checkpoint of size " + size);
    checks.expect(bundle.fleetId().equals(fleet.fleetId), "the bundle served by " + fleet.fleetId + " names it");
    return Optional.of(bundle);
  }

  /** A vault client of {@code trusted} that talks to {@code fleet}'s frontend over HTTP. */
  VaultClient client(DemoFleet fleet, ValidationBundle trusted) {
    return client(fleet, trusted, ksf);
  }

  /**
   * A client for guessing: it skips key stretching, since a wrong guess fails whatever it
   * computes and the vault counts it (at KE2) all the same; the demo saves the time of a real one.
   */
  VaultClient guessingClient(DemoFleet fleet, ValidationBundle trusted) {
    return client(fleet, trusted, GUESSING_KSF);
  }

  private VaultClient client(DemoFleet fleet, ValidationBundle trusted, Ksf stretching) {
    VaultTransport http = new VaultHttpTransport(FrontendHttpClient.to(fleet.url()));
    return VaultClient.forFleet(transportWrapper.apply(http), trusted, stretching, random);
  }

  /** Recovers with the right password and checks the key equals {@code original}. */
  void expectRecovered(String who, VaultClient client, UserId user, Password password, byte[] original, String what)
      throws VaultClientException {
    RecoveryResult recovery = client.recover(user, password);
    if (recovery instanceof RecoveryResult.Recovered recovered) {
      byte[] key = recovered.backupKey().toBytes();
      boolean same = Bytes.constantTimeEquals(key, original);
      checks.say(who, what + ": sha256 " + DemoChecks.digest(key) + (same ? ", equal to the original" : ", DIFFERENT"));
      checks.expect(same, "the recovered key equals the original (" + what + ")");
    } else {
      checks.say(who, what + ": FAILED");
      checks.expect(false, "recovery with the right password succeeds (" + what + ")");
    }
  }

  /** Prints the record's status and checks the guesses remaining; returns them (-1: no record). */
  int expectRemaining(String who, VaultClient client, UserId user, int expected, String when) throws VaultClientException {
    VaultStatus status = client.status(user);
    if (status instanceof VaultStatus.Registered registered) {
      checks.say(who, "status " + when + ": " + registered.phase() + ", guesses remaining " + registered.guessesRemaining()
          + "/" + registered.maxAttempts());
      checks.expect(registered.guessesRemaining() == expected, expected + " guesses remain " + when);
      return registered.guessesRemaining();
    }
    checks.say(who, "status " + when + ": no record");
    checks.expect(false, "the record exists " + when);
    return -1;
  }
}
