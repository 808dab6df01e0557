package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.client.VaultClient;
import dev.bkv.client.VaultTransport.TransportException;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The vault transport over HTTP: a request reaches the fleet behind the frontend and its
 * answer comes back; an unreachable frontend, an HTTP error and an oversize answer each fail
 * with one message naming what went wrong, and never hand bytes to the decoder.
 */
class VaultHttpTransportTest {
  static TestFrontend frontend;

  @BeforeAll
  static void start() throws Exception {
    frontend = new TestFrontend(new SecureRandom());
  }

  @AfterAll
  static void stop() {
    frontend.close();
  }

  static byte[] attest() {
    return FirmwareCodec.encode(new FirmwareRequest.Attest());
  }

  @Test
  void aRequestReachesTheFleetAndItsAnswerComesBack() throws Exception {
    VaultHttpTransport transport = new VaultHttpTransport(FrontendHttpClient.to(frontend.url()));
    int before = frontend.vaultRequests.get();
    // The fleet's attestation, through HTTP, names the key its in-process transport names.
    assertEquals(VaultClient.attest(frontend.fleet.transport()).opaqueServerKey(),
        VaultClient.attest(transport).opaqueServerKey());
    assertEquals(before + 1, frontend.vaultRequests.get());
  }

  @Test
  void anUnreachableFrontendIsNamed() throws IOException {
    int port;
    try (ServerSocket closed = new ServerSocket(0)) {
      port = closed.getLocalPort();
    }
    VaultHttpTransport transport = new VaultHttpTransport(FrontendHttpClient.to("http://127.0.0.1:" + port));
    TransportException e = assertThrows(TransportException.class, () -> transport.exchange(attest()));
    assertEquals("cannot reach frontend http://127.0.0.1:" + port + ": connection refused", e.getMessage());
  }

  @Test
  void anHttpErrorStatusIsNamed() {
    frontend.vaultStatusOverride = 500;
    try {
      VaultHttpTransport transport = new VaultHttpTransport(FrontendHttpClient.to(frontend.url()));
      TransportException e = assertThrows(TransportException.class, () -> transport.exchange(attest()));
      assertEquals("POST " + frontend.url() + "/bkv/vault: HTTP 500", e.getMessage());
    } finally {
      frontend.vaultStatusOverride = 0;
    }
  }

  @Test
  void anOversizeAnswerIsRefusedUnread() {
    frontend.vaultOversizeBytes = VaultHttpTransport.RESPONSE_BYTES_MAX + 1;
    try {
      VaultHttpTransport transport = new VaultHttpTransport(FrontendHttpClient.to(frontend.url()));
      TransportException e = assertThrows(TransportException.class, () -> transport.exchange(attest()));
      assertEquals("POST " + frontend.url() + "/bkv/vault: answer longer than " + VaultHttpTransport.RESPONSE_BYTES_MAX
          + " bytes", e.getMessage());
    } finally {
      frontend.vaultOversizeBytes = 0;
    }
    frontend.vaultOversizeBytes = VaultHttpTransport.RESPONSE_BYTES_MAX;
    try {
      byte[] atTheLimit = assertDoesNotThrowExchange();
      assertEquals(VaultHttpTransport.RESPONSE_BYTES_MAX, atTheLimit.length, "an answer at the limit is read whole");
    } finally {
      frontend.vaultOversizeBytes = 0;
    }
  }

  private static byte[] assertDoesNotThrowExchange() throws AssertionError {
    try {
      return new VaultHttpTransport(FrontendHttpClient.to(frontend.url())).exchange(attest());
    } catch (TransportException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anOversizeRequestIsNotSent() {
    int before = frontend.vaultRequests.get();
    VaultHttpTransport transport = new VaultHttpTransport(FrontendHttpClient.to(frontend.url()));
    assertThrows(TransportException.class, () -> transport.exchange(new byte[FirmwareCodec.REQUEST_BYTES_MAX + 1]));
    assertEquals(before, frontend.vaultRequests.get());
  }
}
