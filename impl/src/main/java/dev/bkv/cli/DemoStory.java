package dev.bkv.cli;

import dev.bkv.bundle.OperatorCountersignature;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.client.VaultStatus;
import dev.bkv.client.VaultTransport;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.EvidenceFacts;
import dev.bkv.evidence.EvidenceVerifier;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.net.FrontendHttpClient;
import dev.bkv.net.VaultHttpTransport;
import dev.bkv.rotation.FleetMigrator;
import dev.bkv.rotation.MigrationOutcome;
import dev.bkv.rotation.MigrationReport;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.Verdict;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Phase;
import dev.bkv.vault.UserId;
import dev.bkv.witness.WitnessKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The demo's nine steps, in order, over one {@link DemoWorld}: key ceremony and evidence,
 * witness logging, the fleet, the phone's bundle check, backup and recovery, the guess limit, a
 * datacenter failure, rotation with counters carried over, and the audit. Each step prints what
 * happened and records what should have (wiring only; every check is made by the real code).
 */
final class DemoStory {
  /** Five HSMs in three datacenters (2, 2, 1): losing any one datacenter leaves a majority. */
  static final int HSMS = 5;
  static final int DATACENTERS = 3;
  static final String OLD_FLEET = "fleet-1";
  static final String NEW_FLEET = "fleet-2";
  /** Wrong guesses on the user before the rotation (fewer when the limit is lower): a count to carry over. */
  static final int GUESSES_ON_USER = 3;
  static final int BACKUP_KEY_BYTES = 32;

  private final DemoWorld world;
  private final DemoChecks checks;
  private final Ksf ksf;
  private final int maxAttempts;
  private final UserId alice;
  private final String aliceName;
  private final UserId bob;
  private final String bobName;
  private final UnaryOperator<VaultTransport> transportWrapper;
  private final UnaryOperator<VaultTransport> migrationWrapper;
  /** The users' real passwords (the attacker's guesses are other strings, printed as the story goes). */
  static final String PASSWORD_TEXT = "correct horse battery staple";
  static final String SECOND_PASSWORD_TEXT = "bob's own password";
  private final Password password = Password.utf8(PASSWORD_TEXT);
  private final byte[] aliceKey = new byte[BACKUP_KEY_BYTES];
  private DemoPhone phone;
  private DemoFleet oldFleet;
  private ValidationBundle oldTrusted;
  private int aliceGuessesUsed;
  private final Path siteDir;

  /**
   * {@code user} backs up and recovers; {@code secondUser} is the attacker's target. The wrappers
   * (identity but in tests) sit between the phone and the frontends, and between the migrator and
   * the new fleet's frontend.
   */
  DemoStory(DemoWorld world, DemoChecks checks, Ksf ksf, int maxAttempts, UserId user, UserId secondUser,
      UnaryOperator<VaultTransport> transportWrapper, UnaryOperator<VaultTransport> migrationWrapper, Path siteDir) {
    this.siteDir = siteDir;
    this.world = world;
    this.checks = checks;
    this.ksf = ksf;
    this.maxAttempts = maxAttempts;
    this.alice = user;
    this.aliceName = tag(user);
    this.bob = secondUser;
    this.bobName = tag(secondUser);
    this.transportWrapper = transportWrapper;
    this.migrationWrapper = migrationWrapper;
  }

  /** How the output names a user: the id up to its '@'. */
  static String tag(UserId user) {
    String id = MigrationOutcome.display(user);
    return id.indexOf('@') > 0 ? id.substring(0, id.indexOf('@')) : id;
  }

  void run() throws Exception {
    keyCeremony();
    witnessLogging();
    theFleet();
    phoneVerifiesBundle();
    backupAndRecovery();
    guessLimit();
    datacenterFailure();
    rotation();
    audit();
    site();
  }

  private void keyCeremony() throws Exception {
    checks.step(1, "key ceremony and evidence");
    DeploymentEvidence evidence = world.initWorkspace(new OperatorWorkspace.FleetShape(OLD_FLEET, HSMS, DATACENTERS));
    checks.say("operator", "workspace with a simulated HSM vendor (root sha256 "
        + DemoChecks.prefix(world.workspace.vendor().root().rootFingerprint().toBytes()) + ") and an operator HSM ("
        + DemoChecks.prefix(world.workspace.operator().identityPublicKey().encodeCompressed()) + ")");
    describeFleet(evidence);
  }

  /** Prints a fleet's shape and evidence and checks the evidence as an auditor would. */
  private void describeFleet(DeploymentEvidence evidence) throws Exception {
    FleetConfig config = evidence.config();
    checks.say("operator", config.fleetId() + ": " + config.members().size() + " HSMs in " + config.datacenters().size()
        + " datacenters, quorum " + config.quorum() + "; the key ceremony shared one OPAQUE server key "
        + DemoChecks.prefix(evidence.hsms().get(0).statement().opaqueServerKey().encode()));
    for (String dc : config.datacenters()) {
      checks.say("operator", "  " + dc + ": HSMs " + config.members().stream().filter(m -> m.datacenter().equals(dc))
          .map(m -> DemoChecks.prefix(m.hsmId().toBytes())).collect(Collectors.joining(", ")));
    }
    Verdict<EvidenceFacts> verified = EvidenceVerifier.verify(world.workspace.evidence(config.fleetId()),
        world.workspace.vendor().root(), world.jarHash);
    checks.say("evidence", "sha256 " + evidence.digest().toHex() + ": "
        + (verified.isVerified() ? "verifies (vendor certificates, HSM statements, ceremony transcript, jar hash "
            + DemoChecks.prefix(world.jarHash.toBytes()) + ")" : "DOES NOT VERIFY: " + verified.reasonOrEmpty()));
    checks.expect(verified.isVerified(), "the evidence of " + config.fleetId() + " verifies");
  }

  private void witnessLogging() throws Exception {
    checks.step(2, "witness logging");
    WitnessKeys keys = world.startWitness();
    checks.say("witness", keys.name() + " serves its log at " + world.witnessUrl + "; logs bundles signed by the "
        + "operator's submission key");
    describePublished(world.publish(1));
  }

  /** Prints where a published bundle is in the log and checks the operator's countersignature. */
  private void describePublished(WitnessedBundle published) throws Exception {
    long size = Checkpoint.parse(published.proof().checkpoint().text()).size();
    boolean countersigned = OperatorCountersignature.verify(world.workspace.operator().identityPublicKey(),
        published.witnessSignature(), published.countersignature());
    checks.say("operator", "bkv fleet publish: epoch " + published.bundle().epoch() + " (" + published.bundle().fleetId()
        + ", bundle " + DemoChecks.prefix(published.bundleDigest().toBytes()) + ") logged at index "
        + published.proof().index() + ", checkpoint size " + size);
    checks.say("operator", countersigned ? "countersigned the witness's signature with the operator HSM"
        : "the countersignature DOES NOT VERIFY");
    checks.expect(countersigned, "the operator countersigned epoch " + published.bundle().epoch());
    checks.expect(published.proof().index() == published.bundle().epoch() - 1,
        "epoch " + published.bundle().epoch() + " is the log's entry " + (published.bundle().epoch() - 1));
  }

  private void theFleet() throws Exception {
    checks.step(3, "the fleet");
    oldFleet = world.startFleet(OLD_FLEET);
    DemoFleet.Leader leader = oldFleet.awaitLeader();
    checks.say("fleet", OLD_FLEET + ": " + oldFleet.size() + " nodes and a frontend at " + oldFleet.url()
        + " over loopback HTTP; " + leader);
  }

  private void phoneVerifiesBundle() throws Exception {
    checks.step(4, "the phone verifies the OTA bundle");
    phone = DemoPhone.install(world, checks, ksf, transportWrapper);
    Optional<ValidationBundle> trusted = phone.verifyBundle(oldFleet);
    if (trusted.isEmpty()) {
      throw new DemoException("the phone trusts no fleet: it sends nothing to the vault");
    }
    oldTrusted = trusted.get();
  }

  private void backupAndRecovery() throws Exception {
    checks.step(5, "backup and recovery");
    world.random.nextBytes(aliceKey);
    VaultClient client = phone.client(oldFleet, oldTrusted);
    client.register(alice, password, new BackupKey(aliceKey.clone()), maxAttempts);
    checks.say(aliceName, "registered a random backup key (sha256 " + DemoChecks.digest(aliceKey) + ") under a password,"
        + " maxAttempts " + maxAttempts + "; " + oldFleet.awaitLeader());
    phone.expectRecovered(aliceName, client, alice, password, aliceKey, "recovered with the right password");
  }

  private void guessLimit() throws Exception {
    checks.step(6, "the guess limit");
    VaultClient bobPhone = phone.client(oldFleet, oldTrusted);
    Password bobPassword = Password.utf8(SECOND_PASSWORD_TEXT);
    byte[] bobKey = new byte[BACKUP_KEY_BYTES];
    world.random.nextBytes(bobKey);
    bobPhone.register(bob, bobPassword, new BackupKey(bobKey), maxAttempts);
    checks.say(bobName, "registered with maxAttempts " + maxAttempts);
    VaultClient attacker = phone.guessingClient(oldFleet, oldTrusted);
    checks.say("attacker", "guesses " + bobName + "'s password through the frontend (skipping key stretching: a wrong "
        + "guess fails whatever it computes, and the vault counts it all the same)");
    for (int guess = 1; guess <= maxAttempts; guess++) {
      String wrong = "guess-" + guess;
      RecoveryResult result = attacker.recover(bob, Password.utf8(wrong));
      checks.expect(result instanceof RecoveryResult.NotRecovered, "wrong guess " + guess + " recovers nothing");
      VaultStatus status = attacker.status(bob);
      if (status instanceof VaultStatus.Registered registered) {
        checks.say("attacker", String.format("wrong guess %d/%d %-11s rejected; guesses remaining %d", guess, maxAttempts,
            "'" + wrong + "'", registered.guessesRemaining()));
        checks.expect(guess < maxAttempts, "the record is destroyed by wrong guess " + maxAttempts + ", not later");
        checks.expect(registered.guessesRemaining() == maxAttempts - guess,
            "after wrong guess " + guess + ", " + (maxAttempts - guess) + " remain");
      } else {
        checks.say("attacker", String.format("wrong guess %d/%d %-11s rejected; record DESTROYED", guess, maxAttempts,
            "'" + wrong + "'"));
        checks.expect(guess == maxAttempts, "the record is destroyed by wrong guess " + maxAttempts + ", not " + guess);
        break;
      }
    }
    boolean gone = bobPhone.status(bob) instanceof VaultStatus.NoRecord;
    checks.say(bobName, gone ? "no record: destroyed after exactly " + maxAttempts + " wrong guesses" : "record still present");
    checks.expect(gone, "the record is gone after " + maxAttempts + " wrong guesses");
    boolean refused = bobPhone.recover(bob, bobPassword) instanceof RecoveryResult.NotRecovered;
    checks.say(bobName, "the right password no longer works: "
        + (refused ? "recovery fails, the backup key is gone" : "it DID work"));
    checks.expect(refused, "the right password no longer recovers anything");
  }

  private void datacenterFailure() throws Exception {
    checks.step(7, "a datacenter failure");
    DemoFleet.Leader before = oldFleet.awaitLeader();
    List<Integer> lost = oldFleet.membersIn(before.datacenter());
    for (int member : lost) {
      oldFleet.destroy(member);
    }
    checks.say("fleet", "datacenter " + before.datacenter() + " LOST: HSMs " + lost + " stopped and their storage deleted, "
        + "the leader among them; " + (HSMS - lost.size()) + " of " + HSMS + " HSMs left");
    DemoFleet.Leader after = oldFleet.awaitLeader();
    checks.say("fleet", "new " + after + " (was HSM " + before.member() + ", term " + before.term() + ")");
    checks.expect(!after.datacenter().equals(before.datacenter()), "the new leader is outside the lost datacenter");
    VaultClient client = phone.client(oldFleet, oldTrusted);
    phone.expectRecovered(aliceName, client, alice, password, aliceKey, "recovered from the " + (HSMS - lost.size())
        + " HSMs left");
    aliceGuessesUsed = Math.min(GUESSES_ON_USER, maxAttempts - 1);
    VaultClient attacker = phone.guessingClient(oldFleet, oldTrusted);
    for (int guess = 1; guess <= aliceGuessesUsed; guess++) {
      checks.expect(attacker.recover(alice, Password.utf8("guess-" + guess)) instanceof RecoveryResult.NotRecovered,
          "a wrong guess recovers nothing");
    }
    checks.say("attacker", "then guesses " + aliceName + "'s password wrong " + aliceGuessesUsed + " time"
        + (aliceGuessesUsed == 1 ? "" : "s") + ", to see whether a new fleet forgets them");
    phone.expectRemaining(aliceName, client, alice, maxAttempts - aliceGuessesUsed, "before the rotation");
  }

  private void rotation() throws Exception {
    checks.step(8, "rotation to a new fleet, counters carried over");
    describeFleet(world.rotate(new OperatorWorkspace.FleetShape(NEW_FLEET, HSMS, DATACENTERS)));
    WitnessedBundle published = world.publish(2);
    describePublished(published);
    boolean chained = published.bundle().previousDigest()
        .equals(Optional.of(FleetMigrateCommand.chained(world.workspace, NEW_FLEET, Optional.of(OLD_FLEET)).own()
            .bundleDigest()));
    checks.say("operator", "epoch 2 names epoch 1 as its previous bundle: " + (chained ? "yes" : "NO"));
    checks.expect(chained, "epoch 2 is chained to epoch 1");
    DemoFleet newFleet = world.startFleet(NEW_FLEET);
    checks.say("fleet", NEW_FLEET + ": " + newFleet.size() + " nodes and a frontend at " + newFleet.url() + "; "
        + newFleet.awaitLeader());
    migrate(newFleet);
    Optional<ValidationBundle> trusted = phone.verifyBundle(newFleet);
    if (trusted.isEmpty()) {
      return;
    }
    VaultClient onNew = phone.client(newFleet, trusted.get());
    phone.expectRemaining(aliceName, onNew, alice, maxAttempts - aliceGuessesUsed, "on " + NEW_FLEET + " (carried over)");
    phone.expectRecovered(aliceName, onNew, alice, password, aliceKey, "recovered on " + NEW_FLEET);
    VaultClient onOld = phone.client(oldFleet, oldTrusted);
    VaultStatus oldStatus = onOld.status(alice);
    boolean refused = onOld.recover(alice, password) instanceof RecoveryResult.NotRecovered;
    checks.say(aliceName, OLD_FLEET + " refuses the user: " + (refused ? "recovery fails" : "it DID recover")
        + "; the old record is " + (oldStatus instanceof VaultStatus.Registered r ? r.phase() : "gone"));
    checks.expect(refused, "the old fleet answers no login of a migrated user");
    checks.expect(oldStatus instanceof VaultStatus.Registered r && r.phase() == Phase.MIGRATED,
        "the old fleet's record is MIGRATED");
  }

  /** {@code bkv fleet migrate}'s work: every user of the old fleet moved with the guesses it counted. */
  private void migrate(DemoFleet newFleet) throws Exception {
    FleetMigrateCommand.Bundles bundles = FleetMigrateCommand.chained(world.workspace, NEW_FLEET, Optional.of(OLD_FLEET));
    FleetMigrator migrator = new FleetMigrator(new VaultHttpTransport(FrontendHttpClient.to(oldFleet.url())),
        migrationWrapper.apply(new VaultHttpTransport(FrontendHttpClient.to(newFleet.url()))), bundles.target().toBytes(), bundles.own().toBytes(),
        FleetMigrator.Limits.DEFAULTS);
    List<MigrationOutcome> outcomes = new ArrayList<>();
    MigrationReport report = migrator.run(outcome -> {
      outcomes.add(outcome);
      checks.say("operator", "bkv fleet migrate: " + FleetMigrateCommand.line(outcome));
    });
    checks.say("operator", report.summary());
    checks.expect(report.complete(), "every user is on the new fleet (" + report.summary() + ")");
    boolean carried = outcomes.stream().anyMatch(o -> o instanceof MigrationOutcome.Migrated m
        && m.userId().equals(alice) && m.guessesUsed() == aliceGuessesUsed && m.maxAttempts() == maxAttempts);
    checks.expect(carried, aliceName + " migrated with " + aliceGuessesUsed + "/" + maxAttempts + " guesses used");
    checks.expect(outcomes.stream().noneMatch(o -> o.userId().equals(bob) && (o instanceof MigrationOutcome.Migrated
        || o instanceof MigrationOutcome.AlreadyMigrated)), "the destroyed record of " + bobName + " is not brought back");
  }

  private void audit() throws Exception {
    checks.step(9, "the auditor's report over both epochs");
    DemoWorld.Cli run = world.audit();
    List<String> changes = run.out().lines().map(String::strip).filter(l -> l.startsWith("change: ")).toList();
    run.out().lines().map(String::strip).filter(l -> l.startsWith("epoch ")).forEach(l -> checks.say("auditor", l));
    changes.stream().filter(l -> l.contains(" replaces fleet ")).forEach(l -> checks.say("auditor", l));
    checks.say("auditor", "(and " + (changes.size() - 1) + " more changes: each HSM added and removed, the evidence; "
        + "every step of both epochs checked: bundle, log entry, signatures, evidence, chain)");
    run.out().lines().filter(l -> l.startsWith("AUDIT ")).forEach(l -> checks.say("auditor", l));
    checks.expect(run.exit() == 0 && run.out().contains("AUDIT PASSED"), "the audit passes ("
        + run.err().lines().findFirst().orElse("exit " + run.exit()) + ")");
    checks.expect(run.out().contains("fleet " + NEW_FLEET + " replaces fleet " + OLD_FLEET),
        "the audit names the rotation from " + OLD_FLEET + " to " + NEW_FLEET);
  }

  private void site() {
    checks.step(10, "the transparency page of both fleets");
    DemoWorld.Cli run = world.site(siteDir);
    run.out().lines().map(l -> l.replaceFirst("^bkv site: ", "")).forEach(l -> checks.say("site", l));
    checks.expect(run.exit() == 0, "bkv site writes the page and the audit it shows passes ("
        + run.err().lines().findFirst().orElse("exit " + run.exit()) + ")");
    checks.say("site", "the page checks the checkpoint's signatures and each inclusion proof again in the browser");
  }
}
