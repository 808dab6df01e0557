package dev.bkv.node;

/** A node that cannot start or serve: the message is one line saying what was wrong. */
public final class NodeException extends Exception {
  public NodeException(String message) {
    super(message);
  }

  public NodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
