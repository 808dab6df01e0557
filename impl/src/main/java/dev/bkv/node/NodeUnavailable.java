package dev.bkv.node;

/** Why a client request got no answer from the firmware: the HTTP shell maps each kind to a status. */
public final class NodeUnavailable extends Exception {
  public enum Kind {
    /** Too many requests queued or waiting in this node (503, retry). */
    BUSY,
    /** No answer within the node's answer timeout (504). */
    TIMEOUT,
    /** The node stopped: shut down, or its storage failed (503). */
    STOPPED
  }

  private final Kind kind;

  public NodeUnavailable(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
