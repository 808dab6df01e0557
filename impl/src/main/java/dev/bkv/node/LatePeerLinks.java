package dev.bkv.node;

/**
 * Peer links whose targets are set once every node of a fleet has its port: nodes that bind
 * port 0 in one process (the demo, tests) start before their peers' addresses exist. Until
 * {@link #bind} a message is dropped, as an untrusted network may drop it anyway.
 */
public final class LatePeerLinks implements PeerLinks {
  private volatile PeerLinks links;

  public void bind(PeerLinks links) {
    this.links = links;
  }

  @Override
  public void send(int dest, byte[] message) {
    PeerLinks l = links;
    if (l != null) {
      l.send(dest, message);
    }
  }

  @Override
  public void close() {
    PeerLinks l = links;
    if (l != null) {
      l.close();
    }
  }
}
