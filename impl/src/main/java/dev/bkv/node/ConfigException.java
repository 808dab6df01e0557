package dev.bkv.node;

/** A node or frontend config file that cannot be used: the message names the file, the line and what was wrong. */
public final class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }
}
