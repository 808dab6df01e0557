package dev.bkv.firmware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.consensus.Membership;
import dev.bkv.consensus.Message;
import dev.bkv.consensus.Nvram;
import dev.bkv.consensus.PeerKeys;
import dev.bkv.consensus.RecoveredLog;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.opaque.ClientLoginResult;
import dev.bkv.crypto.opaque.ClientLoginStart;
import dev.bkv.crypto.opaque.ClientRegistrationStart;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.OpaqueClient;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.HsmException;
import dev.bkv.hsm.LoginPurpose;
import dev.bkv.hsm.OpaqueContext;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.hsm.TransportOffer;
import dev.bkv.hsm.VaultProtocol;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.UserId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Count before reveal at the OPAQUE layer of a three-HSM fleet, driven message by message:
 * KE2 leaves only once a majority holds the entry counting its guess; a follower refuses,
 * never answers; a login whose leader crashed cannot be finished elsewhere, and its guess
 * stays counted (G1).
 */
class FleetFirmwareTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final OpaqueClient CLIENT = new OpaqueClient(VaultProtocol.opaqueConfig(Ksf.argon2id(64, 1, 1)));
  /** A client under the empty context, as opaque-ke's defaults speak. */
  private static final OpaqueClient EMPTY_CLIENT =
      new OpaqueClient(VaultProtocol.opaqueConfig(Ksf.argon2id(64, 1, 1), OpaqueContext.EMPTY));

  /** Three HSMs sharing fleet secrets, a message queue each, and a host that performs writes then sends. */
  private static final class Fleet {
    private final List<SoftHsm> hsms = new ArrayList<>();
    private final FleetFirmware[] nodes = new FleetFirmware[3];
    private final List<ArrayDeque<byte[]>> inbox = List.of(new ArrayDeque<>(), new ArrayDeque<>(), new ArrayDeque<>());
    private final List<FleetFirmware.Answer> answers = new ArrayList<>();
    private final boolean[] up = {true, true, true};
    private final Membership membership = Membership.of(List.of("a", "b", "c"));
    private PeerKeys keys;
    private long requestIds = 1;

    private final FirmwareOptions options;

    Fleet(FirmwareOptions options) throws HsmException {
      this.options = options;
      SoftHsm source = SoftHsm.inMemory(RANDOM);
      hsms.add(source);
      for (int i = 1; i < 3; i++) {
        SoftHsm peer = SoftHsm.inMemory(RANDOM);
        Sha256Digest context = Sha256Digest.of(("test ceremony " + i).getBytes(StandardCharsets.US_ASCII));
        peer.importFleetSecrets(source.exportFleetSecrets(
            TransportOffer.verify(peer.offerTransportKey(context).encode()).value()), source.attest());
        hsms.add(peer);
      }
      keys = FleetFirmware.peerKeys(source, "test fleet".getBytes(StandardCharsets.US_ASCII), 3);
      for (int i = 0; i < 3; i++) {
        boot(i);
      }
    }

    private void boot(int i) throws HsmException {
      nodes[i] = new FleetFirmware(hsms.get(i), ReplicatedVault.create(i, membership, keys,
          ReplicatedVault.Limits.defaults(), options, Nvram.INITIAL, RecoveredLog.EMPTY));
      up[i] = true;
    }

    private ReplicaCore core(int i) {
      return nodes[i].vault().core();
    }

    /** The host: writes are in memory here (the log lives in the core); sends after them. */
    private void host(int i, FleetFirmware.Step step) {
      answers.addAll(step.answers());
      if (step.output().logWrite().isPresent()) {
        host(i, nodes[i].onLogWritten());
        return;
      }
      for (Message m : step.output().messages()) {
        if (up[m.dest()]) {
          inbox.get(m.dest()).add(core(i).encode(m));
        }
      }
    }

    private void deliverAll() {
      for (boolean any = true; any; ) {
        any = false;
        for (int i = 0; i < 3; i++) {
          byte[] bytes = inbox.get(i).poll();
          if (bytes != null && up[i]) {
            host(i, nodes[i].onPeerMessage(bytes));
            any = true;
          }
        }
      }
    }

    private void round(int leader) {
      host(leader, nodes[leader].onHeartbeatTick());
      deliverAll();
    }

    private void elect(int leader) {
      host(leader, nodes[leader].onElectionTimeout());
      deliverAll();
      round(leader); // the no-op of the new term
      round(leader);
      assertEquals(ReplicaCore.Role.LEADER, core(leader).role());
    }

    private FirmwareResponse ask(int node, FirmwareRequest request, int leader) {
      long id = requestIds++;
      host(node, nodes[node].handle(id, request));
      for (int rounds = 0; rounds < 10; rounds++) {
        for (FleetFirmware.Answer a : answers) {
          if (a.requestId() == id) {
            answers.remove(a);
            return a.response();
          }
        }
        round(leader);
      }
      throw new AssertionError("no answer to " + request.kind());
    }

    private UserId register(int leader, String password) throws DecodeException {
      UserId user = UserId.ofUtf8("alice");
      ClientRegistrationStart start = CLIENT.startRegistration(Password.utf8(password), RANDOM);
      var started = assertInstanceOf(FirmwareResponse.RegisterStarted.class,
          ask(leader, new FirmwareRequest.RegisterStart(user, start.request()), leader));
      var record = CLIENT.finalizeRegistration(start.state(), started.response()).record();
      assertInstanceOf(FirmwareResponse.RegisterStored.class,
          ask(leader, new FirmwareRequest.RegisterFinish(user, started.registrationId(), record, 3), leader));
      ClientLoginStart login = CLIENT.startLogin(Password.utf8(password), RANDOM);
      var ke2 = assertInstanceOf(FirmwareResponse.LoginStarted.class,
          ask(leader, new FirmwareRequest.LoginStart(user, LoginPurpose.EXPOSE, login.ke1()), leader));
      var done = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class, CLIENT.finishLogin(login.state(), ke2.ke2()));
      byte[] upload = VaultProtocol.sealExposeUpload(done.sessionKey(), user, started.registrationId(),
          new BackupKey(new byte[32]), RANDOM);
      assertInstanceOf(FirmwareResponse.Exposed.class,
          ask(leader, new FirmwareRequest.LoginFinish(ke2.loginId(), done.ke3(), upload), leader));
      return user;
    }
  }

  @Test
  void ke2_leaves_the_leader_only_after_a_majority_holds_the_count() throws Exception {
    Fleet f = new Fleet(FirmwareOptions.PRODUCTION);
    f.elect(0);
    UserId user = f.register(0, "pw");
    ClientLoginStart login = CLIENT.startLogin(Password.utf8("wrong"), RANDOM);
    long id = f.requestIds++;
    FleetFirmware.Step appended = f.nodes[0].handle(id, new FirmwareRequest.LoginStart(user, LoginPurpose.RECOVER, login.ke1()));
    assertTrue(appended.answers().isEmpty(), "no answer while the count is only in the leader's log");
    long countIndex = f.core(0).lastIndex();
    f.host(0, appended);
    assertTrue(f.answers.isEmpty());
    f.round(0);
    FleetFirmware.Answer answer = f.answers.remove(0);
    assertInstanceOf(FirmwareResponse.LoginStarted.class, answer.response());
    assertTrue(f.core(0).commitIndex() >= countIndex, "KE2 computed after the CountGuess entry committed");
  }

  @Test
  void the_check_fails_when_ke2_is_released_before_commit() throws Exception {
    Fleet buggy = new Fleet(SeededBug.RELEASE_BEFORE_COMMIT.options());
    buggy.elect(0);
    UserId user = buggy.register(0, "pw");
    ClientLoginStart login = CLIENT.startLogin(Password.utf8("wrong"), RANDOM);
    FleetFirmware.Step appended = buggy.nodes[0].handle(99, new FirmwareRequest.LoginStart(user, LoginPurpose.RECOVER, login.ke1()));
    assertInstanceOf(FirmwareResponse.LoginStarted.class, appended.answers().get(0).response(),
        "with the seeded bug, KE2 leaves with the append");
    assertTrue(buggy.core(0).commitIndex() < buggy.core(0).lastIndex());
  }

  @Test
  void a_follower_refuses_with_the_leader_and_never_answers() throws Exception {
    Fleet f = new Fleet(FirmwareOptions.PRODUCTION);
    f.elect(0);
    UserId user = f.register(0, "pw");
    ClientLoginStart login = CLIENT.startLogin(Password.utf8("pw"), RANDOM);
    FirmwareResponse refused = f.ask(1, new FirmwareRequest.LoginStart(user, LoginPurpose.RECOVER, login.ke1()), 0);
    assertEquals(FirmwareResponse.Reason.NOT_LEADER, assertInstanceOf(FirmwareResponse.Refused.class, refused).reason());
    assertTrue(((FirmwareResponse.Refused) refused).detail().contains("HSM 0"));
  }

  @Test
  void a_login_whose_leader_crashed_cannot_finish_elsewhere_and_its_guess_stays_counted() throws Exception {
    Fleet f = new Fleet(FirmwareOptions.PRODUCTION);
    f.elect(0);
    UserId user = f.register(0, "pw");
    ClientLoginStart login = CLIENT.startLogin(Password.utf8("pw"), RANDOM);
    var ke2 = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        f.ask(0, new FirmwareRequest.LoginStart(user, LoginPurpose.RECOVER, login.ke1()), 0));
    var done = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class, CLIENT.finishLogin(login.state(), ke2.ke2()));
    f.up[0] = false; // the leader crashes after KE2, before KE3
    f.inbox.get(0).clear();
    f.elect(1);
    FirmwareResponse finish = f.ask(1, new FirmwareRequest.LoginFinish(ke2.loginId(), done.ke3(), new byte[0]), 1);
    assertEquals(FirmwareResponse.Reason.UNKNOWN_LOGIN, assertInstanceOf(FirmwareResponse.Refused.class, finish).reason());
    var status = assertInstanceOf(FirmwareResponse.StatusReport.class, f.ask(1, new FirmwareRequest.Status(user), 1));
    assertEquals(2, status.guessesRemaining(), "the answered guess stays counted on the new leader");
  }

  @Test
  void a_ke1_sent_again_after_its_answer_was_lost_is_answered_by_the_next_leader_and_counted_once() throws Exception {
    // R15 across a leader change: the count committed with the first leader; the client never
    // saw its KE2 and sends the same KE1 to the next leader, which answers without counting again.
    Fleet f = new Fleet(FirmwareOptions.PRODUCTION);
    f.elect(0);
    UserId user = f.register(0, "pw");
    ClientLoginStart login = CLIENT.startLogin(Password.utf8("pw"), RANDOM);
    assertInstanceOf(FirmwareResponse.LoginStarted.class,
        f.ask(0, new FirmwareRequest.LoginStart(user, LoginPurpose.RECOVER, login.ke1()), 0));
    f.up[0] = false; // the answer is lost with its leader
    f.inbox.get(0).clear();
    f.elect(1);
    var again = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        f.ask(1, new FirmwareRequest.LoginStart(user, LoginPurpose.RECOVER, login.ke1()), 1));
    var status = assertInstanceOf(FirmwareResponse.StatusReport.class, f.ask(1, new FirmwareRequest.Status(user), 1));
    assertEquals(2, status.guessesRemaining(), "one KE1, one guess, however often it arrives");
    // The retried answer completes the login the client began.
    var done = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class, CLIENT.finishLogin(login.state(), again.ke2()));
    assertInstanceOf(FirmwareResponse.Recovered.class,
        f.ask(1, new FirmwareRequest.LoginFinish(again.loginId(), done.ke3(), new byte[0]), 1));
    // A new KE1 is a new guess.
    ClientLoginStart other = CLIENT.startLogin(Password.utf8("wrong"), RANDOM);
    f.ask(1, new FirmwareRequest.LoginStart(user, LoginPurpose.RECOVER, other.ke1()), 1);
    status = assertInstanceOf(FirmwareResponse.StatusReport.class, f.ask(1, new FirmwareRequest.Status(user), 1));
    assertEquals(2, status.guessesRemaining());
  }

  @Test
  void each_login_is_answered_under_the_context_it_names_and_a_ke3_of_the_other_context_fails_counted() throws Exception {
    // Goal: the fleet binds the profile a LoginStart names, counts a login of either profile
    // before its KE2 (G1), and refuses a KE3 made under one profile for a login of the other.
    Fleet f = new Fleet(FirmwareOptions.PRODUCTION);
    f.elect(0);
    UserId user = f.register(0, "pw");
    ClientLoginStart bkvLogin = CLIENT.startLogin(Password.utf8("pw"), RANDOM);
    var bkvKe2 = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        f.ask(0, new FirmwareRequest.LoginStart(user, LoginPurpose.RECOVER, bkvLogin.ke1(), OpaqueContext.BKV), 0));
    var bkvDone = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class,
        CLIENT.finishLogin(bkvLogin.state(), bkvKe2.ke2()));
    ClientLoginStart emptyLogin = EMPTY_CLIENT.startLogin(Password.utf8("pw"), RANDOM);
    var emptyKe2 = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        f.ask(0, new FirmwareRequest.LoginStart(user, LoginPurpose.RECOVER, emptyLogin.ke1(), OpaqueContext.EMPTY), 0));
    var emptyDone = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class,
        EMPTY_CLIENT.finishLogin(emptyLogin.state(), emptyKe2.ke2()), "the KE2 binds the empty context the login named");
    assertEquals(1, remaining(f, user), "both logins were counted before their KE2");

    assertEquals(new FirmwareResponse.LoginFailed(),
        f.ask(0, new FirmwareRequest.LoginFinish(emptyKe2.loginId(), bkvDone.ke3(), new byte[0]), 0));
    assertEquals(new FirmwareResponse.LoginFailed(),
        f.ask(0, new FirmwareRequest.LoginFinish(bkvKe2.loginId(), emptyDone.ke3(), new byte[0]), 0));
    assertEquals(1, remaining(f, user), "crossed KE3s release nothing and the counts stay");

    ClientLoginStart again = EMPTY_CLIENT.startLogin(Password.utf8("pw"), RANDOM);
    var againKe2 = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        f.ask(0, new FirmwareRequest.LoginStart(user, LoginPurpose.RECOVER, again.ke1(), OpaqueContext.EMPTY), 0));
    var againDone = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class,
        EMPTY_CLIENT.finishLogin(again.state(), againKe2.ke2()));
    var recovered = assertInstanceOf(FirmwareResponse.Recovered.class,
        f.ask(0, new FirmwareRequest.LoginFinish(againKe2.loginId(), againDone.ke3(), new byte[0]), 0));
    assertArrayEquals(new byte[32],
        VaultProtocol.openRecovered(againDone.sessionKey(), user, recovered.sealedBackupKey()).orElseThrow().toBytes());
  }

  private static int remaining(Fleet f, UserId user) {
    return assertInstanceOf(FirmwareResponse.StatusReport.class, f.ask(0, new FirmwareRequest.Status(user), 0))
        .guessesRemaining();
  }
}
