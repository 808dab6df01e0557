package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.client.VaultClient;
import dev.bkv.crypto.opaque.OpaqueClient;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.LoginPurpose;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.hsm.VaultProtocol;
import dev.bkv.node.NodeConfig;
import dev.bkv.node.NodeHost;
import dev.bkv.node.PeerLinks;
import dev.bkv.vault.UserId;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: client requests that wait in a node's queue together share one fsync of its sealed
 * log (group commit), instead of one fsync each. Method: the leader's loop is held inside a
 * send (its peer links block) while 16 logins are queued; once released, all 16 are
 * answered, and the leader's log was forced far fewer times than 16.
 */
class NodeGroupCommitTest {
  static final int LOGINS = 16;
  static final long WAIT_SECONDS = 30;

  @TempDir Path dir;

  @Test
  void loginsQueuedTogether_shareTheLeadersFsync() throws Exception {
    // Default timers: the held leader's followers must not start an election meanwhile.
    try (LoopbackFleet fleet = LoopbackFleet.start(dir, 3, 3, false, NodeConfig.Timing.DEFAULTS)) {
      VaultClient client = new VaultClient(new TestVaultHttpTransport(fleet.frontend.baseUrl()),
          SoftHsm.open(fleet.fleetDir.resolve("hsm-1"), LoopbackFleet.RANDOM).opaqueServerSetup().serverPublicKey(),
          NodeFleetHttpTest.FAST_KSF, LoopbackFleet.RANDOM);
      client.status(UserId.ofUtf8("nobody")); // answered by a leader with a committed entry of its term
      int leader = NodeFleetHttpTest.awaitLeader(fleet.frontend.baseUrl());
      NodeHost host = fleet.nodes.get(leader).host();
      HeldLinks held = new HeldLinks(peersOf(fleet, leader));
      fleet.links.get(leader).bind(held);
      assertTrue(held.entered.await(WAIT_SECONDS, TimeUnit.SECONDS), "the leader's loop sends its next heartbeat");

      long syncsBefore = host.logSyncs();
      OpaqueClient opaque = new OpaqueClient(VaultProtocol.opaqueConfig(NodeFleetHttpTest.FAST_KSF));
      List<CompletableFuture<NodeHost.Reply>> replies = new ArrayList<>();
      for (int i = 0; i < LOGINS; i++) {
        // Each login counts a guess: one appended entry, unknown user or not.
        replies.add(host.request(new FirmwareRequest.LoginStart(UserId.ofUtf8("user-" + i), LoginPurpose.RECOVER,
            opaque.startLogin(Password.utf8("pw"), LoopbackFleet.RANDOM).ke1())));
      }
      held.release.countDown();
      for (CompletableFuture<NodeHost.Reply> reply : replies) {
        FirmwareResponse response = reply.get(WAIT_SECONDS, TimeUnit.SECONDS).response();
        assertFalse(response instanceof FirmwareResponse.Refused, "a queued login is answered: " + response);
      }
      long syncs = host.logSyncs() - syncsBefore;
      assertTrue(syncs <= LOGINS / 4, LOGINS + " queued logins took " + syncs + " fsyncs of the leader's log");
    }
  }

  private static Map<Integer, URI> peersOf(LoopbackFleet fleet, int member) {
    Map<Integer, URI> peers = new TreeMap<>();
    for (int i = 0; i < fleet.nodes.size(); i++) {
      if (i != member) {
        peers.put(i, URI.create(fleet.nodes.get(i).baseUrl()));
      }
    }
    return peers;
  }

  /** Peer links whose first send blocks (on the node's loop thread) until released. */
  private static final class HeldLinks implements PeerLinks {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final PeerHttpLinks links;

    HeldLinks(Map<Integer, URI> peers) {
      this.links = new PeerHttpLinks(peers);
    }

    @Override
    public void send(int dest, byte[] message) {
      entered.countDown();
      try {
        release.await(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      links.send(dest, message);
    }

    @Override
    public void close() {
      links.close();
    }
  }
}
