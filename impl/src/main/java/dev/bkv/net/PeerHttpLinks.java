package dev.bkv.net;

import dev.bkv.node.PeerLinks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Peer links over HTTP: each message is one asynchronous {@code POST /bkv/peer} with the JDK
 * {@link HttpClient}. Nothing is retried or queued here: at most {@link #IN_FLIGHT_PER_PEER_MAX}
 * posts per peer are outstanding and a message past that, a failed post or a non-204 answer
 * is dropped. The network is untrusted anyway and the consensus core resends what matters on
 * its next heartbeat; a dead peer costs one connect timeout per slot, never a blocked loop.
 */
public final class PeerHttpLinks implements PeerLinks {
  /**
   * Posts outstanding per peer; more are dropped (a slow peer does not pile up memory). Each
   * may hold a connection: up to 16 members (15 peers x 16 = 240) stay within a node's 256
   * connections; past that the extra connections wait in its accept queue.
   */
  public static final int IN_FLIGHT_PER_PEER_MAX = 16;
  public static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
  /** A peer answers 204 at once (it only queues): a longer wait is a dead or stuck peer. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

  private final HttpClient client;
  private final ExecutorService executor;
  private final Map<Integer, URI> peerUris = new HashMap<>();
  private final Map<Integer, AtomicInteger> inFlight = new HashMap<>();
  private final AtomicInteger dropped = new AtomicInteger();

  /** Links to {@code peers}: member index to base URL. */
  public PeerHttpLinks(Map<Integer, URI> peers) {
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "bkv-peer-links");
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1)
        .executor(executor).build();
    for (Map.Entry<Integer, URI> peer : peers.entrySet()) {
      peerUris.put(peer.getKey(), URI.create(peer.getValue() + "/bkv/peer"));
      inFlight.put(peer.getKey(), new AtomicInteger());
    }
  }

  @Override
  public void send(int dest, byte[] message) {
    URI uri = peerUris.get(dest);
    AtomicInteger slots = inFlight.get(dest);
    if (uri == null || slots.incrementAndGet() > IN_FLIGHT_PER_PEER_MAX) {
      if (slots != null) {
        slots.decrementAndGet();
      }
      dropped.incrementAndGet();
      return;
    }
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
        .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(message)).build();
    try {
      client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
        slots.decrementAndGet();
        if (failure != null || response.statusCode() != 204) {
          dropped.incrementAndGet();
        }
      });
    } catch (RuntimeException e) {
      slots.decrementAndGet(); // the client is shutting down
      dropped.incrementAndGet();
    }
  }

  /** Messages dropped so far (full slots, failures, refusals). */
  public int dropped() {
    return dropped.get();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
