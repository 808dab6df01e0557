package dev.bkv.node;

/**
 * How a node's outbound peer messages leave it. {@link #send} must not block the node's event
 * loop: an implementation queues, sends asynchronously and drops what it cannot deliver (the
 * network is untrusted anyway; the consensus core resends).
 */
public interface PeerLinks extends AutoCloseable {
  /** Sends one encoded, MAC'd peer message to member {@code dest}; never blocks, may drop. */
  void send(int dest, byte[] message);

  @Override
  void close();
}
