package dev.bkv.modelcheck;

/** A manifest, or a selection of specs and models, that cannot be used; the message says why. */
public final class ManifestException extends Exception {
  public ManifestException(String message) {
    super(message);
  }
}
