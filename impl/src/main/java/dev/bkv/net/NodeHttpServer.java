package dev.bkv.net;

import dev.bkv.consensus.PeerCodec;
import dev.bkv.crypto.DecodeException;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.node.NodeHost;
import dev.bkv.node.NodeStatus;
import dev.bkv.node.NodeUnavailable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One HSM's HTTP face (spec/FORMATS.md, "Node and frontend HTTP API"): {@code POST /bkv/peer}
 * (a peer message into the node's inbox: 204, 413, 503 when the inbox is full), {@code POST
 * /bkv/vault} (a firmware request: 200 with the firmware's response, {@code Bkv-Leader} on a
 * NOT_LEADER refusal when a leader is known; 503 busy, 504 no answer in time) and {@code GET
 * /bkv/status}. Plumbing only; the node decides everything.
 */
public final class NodeHttpServer implements AutoCloseable {
  public static final String LEADER_HEADER = "Bkv-Leader";
  /** Vault requests awaiting their answer at once; more get 503 (a client request waits for a commit). */
  public static final int VAULT_IN_FLIGHT_MAX = 256;
  /** Every request inside the service: the vault's plus peer messages and status reads, which return at once. */
  static final int IN_FLIGHT_MAX = VAULT_IN_FLIGHT_MAX + 256;

  private final JettyShell shell;
  private final NodeHost host;

  /** What the HTTP face asks of its node: {@link NodeHost} in production, a recording stand-in in the fuzz target. */
  interface Node {
    boolean offerPeerMessage(byte[] bytes);

    CompletableFuture<NodeHost.Reply> request(FirmwareRequest request);

    CompletableFuture<NodeStatus> status();
  }

  private NodeHttpServer(JettyShell shell, NodeHost host) {
    this.shell = shell;
    this.host = host;
  }

  /** Binds {@code address} (port 0: a free port) and serves {@code host}. */
  public static NodeHttpServer start(InetSocketAddress address, NodeHost host) throws IOException {
    Node node = new Node() {
      @Override
      public boolean offerPeerMessage(byte[] bytes) {
        return host.offerPeerMessage(bytes);
      }

      @Override
      public CompletableFuture<NodeHost.Reply> request(FirmwareRequest request) {
        return host.request(request);
      }

      @Override
      public CompletableFuture<NodeStatus> status() {
        return host.status();
      }
    };
    AsyncHandler handler = new AsyncHandler(service(node), NodeHttpServer::bodyBytesMax, IN_FLIGHT_MAX);
    return new NodeHttpServer(JettyShell.start("bkv-node-" + host.config().member(), address, handler), host);
  }

  /** The node's requests as a function of method, path and complete body, below the socket. */
  static AsyncHandler.Service service(Node node) {
    AtomicInteger vaultInFlight = new AtomicInteger();
    return (method, path, body) -> serve(node, vaultInFlight, method, path, body);
  }

  static int bodyBytesMax(String path) {
    return path.equals("/bkv/peer") ? PeerCodec.MESSAGE_BYTES_MAX : FirmwareCodec.REQUEST_BYTES_MAX;
  }

  private static CompletableFuture<HttpReply> serve(Node host, AtomicInteger vaultInFlight, String method,
      String path, byte[] body) {
    switch (path) {
      case "/bkv/peer":
        if (!method.equals("POST")) {
          return done(HttpReply.notAllowed("POST"));
        }
        return done(host.offerPeerMessage(body) ? new HttpReply(204, HttpReply.TEXT, new byte[0], Map.of())
            : HttpReply.busy("peer inbox full", AsyncHandler.RETRY_AFTER_SECONDS));
      case "/bkv/vault":
        if (!method.equals("POST")) {
          return done(HttpReply.notAllowed("POST"));
        }
        return vault(host, vaultInFlight, body);
      case "/bkv/status":
        if (!method.equals("GET")) {
          return done(HttpReply.notAllowed("GET"));
        }
        return host.status().thenApply(status -> HttpReply.json(status.toJson()));
      default:
        return done(HttpReply.text(404, "no such resource: " + path));
    }
  }

  private static CompletableFuture<HttpReply> vault(Node host, AtomicInteger vaultInFlight, byte[] body) {
    FirmwareRequest request;
    try {
      request = FirmwareCodec.decodeRequest(body);
    } catch (DecodeException e) {
      // The firmware's own answer to a malformed request, as an HSM would give it.
      return done(HttpReply.binary(200, FirmwareCodec.encode(
          new FirmwareResponse.Refused(FirmwareResponse.Reason.MALFORMED_REQUEST, e.getMessage()))));
    }
    if (vaultInFlight.incrementAndGet() > VAULT_IN_FLIGHT_MAX) {
      vaultInFlight.decrementAndGet();
      return done(HttpReply.busy("node has " + VAULT_IN_FLIGHT_MAX + " vault requests in flight",
          AsyncHandler.RETRY_AFTER_SECONDS));
    }
    return host.request(request).handle((reply, failure) -> {
      vaultInFlight.decrementAndGet();
      if (failure != null) {
        return unavailable(failure);
      }
      FirmwareResponse response = reply.response();
      if (response instanceof FirmwareResponse.Refused
          && ((FirmwareResponse.Refused) response).reason() == FirmwareResponse.Reason.NOT_LEADER
          && reply.leaderHint() >= 0) {
        return new HttpReply(200, HttpReply.BINARY, FirmwareCodec.encode(response),
            Map.of(LEADER_HEADER, Integer.toString(reply.leaderHint())));
      }
      return HttpReply.binary(200, FirmwareCodec.encode(response));
    });
  }

  private static HttpReply unavailable(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (!(cause instanceof NodeUnavailable)) {
      return HttpReply.text(500, "internal error: " + cause);
    }
    NodeUnavailable why = (NodeUnavailable) cause;
    if (why.kind() == NodeUnavailable.Kind.TIMEOUT) {
      return HttpReply.text(504, why.getMessage());
    }
    return HttpReply.busy(why.getMessage(), AsyncHandler.RETRY_AFTER_SECONDS);
  }

  private static CompletableFuture<HttpReply> done(HttpReply reply) {
    return CompletableFuture.completedFuture(reply);
  }

  public InetSocketAddress address() {
    return shell.address();
  }

  public String baseUrl() {
    return shell.baseUrl();
  }

  public NodeHost host() {
    return host;
  }

  /** Stops accepting, lets in-flight requests finish (bounded), then stops the node. */
  @Override
  public void close() {
    shell.close();
    host.close();
  }
}
