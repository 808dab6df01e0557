package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.vault.UserId;
import dev.bkv.witness.WitnessService;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Goal: the checks of the HTTP fuzz target can fail. Method: each check is given a handler
 * with one defect (a 5xx, a refused request that reaches the node, a relay of a path that
 * climbs out of the witness's log, a refusal that changes the witness, a request that never
 * gets an answer) and an input that shows it; the real handlers pass the same inputs.
 */
class HttpFuzzChecksTest {
  static byte[] request(String method, String path, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(HttpFuzzTest.METHODS.indexOf(method));
    out.writeBytes((path + "\n").getBytes(StandardCharsets.UTF_8));
    out.writeBytes(body);
    return out.toByteArray();
  }

  static final byte[] NO_SUCH_PATH = request("GET", "/bkv/nothing", new byte[0]);
  static final byte[] GARBAGE_VAULT = request("POST", "/bkv/vault", new byte[] {9, 9, 9});
  static final byte[] CLIMBING_LOG = request("GET", "/bkv/log/tile/../../secret", new byte[0]);

  @Test
  void whenTheRealNodeAndFrontendHandleBadRequests_thenTheChecksPass() throws Exception {
    for (byte[] input : new byte[][] {NO_SUCH_PATH, GARBAGE_VAULT, CLIMBING_LOG}) {
      HttpFuzzTest.checkNode(NodeHttpServer::service, input);
      HttpFuzzTest.checkFrontend(FrontendHttpServer::service, input);
    }
    byte[] status = FirmwareCodec.encode(new FirmwareRequest.Status(UserId.ofUtf8("alice")));
    HttpFuzzTest.checkNode(NodeHttpServer::service, request("POST", "/bkv/vault", status));
  }

  @Test
  void whenANodeAnswers500_thenTheCheckFails() {
    assertThrows(AssertionFailedError.class, () -> HttpFuzzTest.checkNode(
        node -> (method, path, body) -> CompletableFuture.completedFuture(HttpReply.text(500, "oops")), NO_SUCH_PATH));
  }

  @Test
  void whenAMalformedVaultRequestReachesTheNode_thenTheCheckFails() {
    assertThrows(AssertionFailedError.class, () -> HttpFuzzTest.checkNode(node -> (method, path, body) -> {
      node.offerPeerMessage(body);
      return NodeHttpServer.service(node).handle(method, path, body);
    }, GARBAGE_VAULT));
  }

  @Test
  void whenANodeNeverAnswers_thenTheCheckFails() {
    assertThrows(AssertionFailedError.class, () -> HttpFuzzTest.checkNode(
        node -> (method, path, body) -> new CompletableFuture<>(), NO_SUCH_PATH));
  }

  @Test
  void whenTheFrontendRelaysAPathOutOfTheLog_thenTheCheckFails() {
    assertThrows(AssertionFailedError.class, () -> HttpFuzzTest.checkFrontend(
        backend -> (method, path, body) -> backend.log(path.substring("/bkv/log/".length())), CLIMBING_LOG));
  }

  @Test
  void whenARefusedWitnessRequestChangesState_thenTheCheckFails() {
    AtomicInteger state = new AtomicInteger();
    WitnessHandler.Service leaky = (method, path, body) -> {
      state.incrementAndGet();
      return WitnessService.Reply.text(400, "refused, but counted");
    };
    HttpFuzzTest.checkWitness((m, p, b) -> WitnessService.Reply.text(400, "refused"), () -> "same", NO_SUCH_PATH);
    assertThrows(AssertionFailedError.class,
        () -> HttpFuzzTest.checkWitness(leaky, () -> Integer.toString(state.get()), NO_SUCH_PATH));
  }
}
