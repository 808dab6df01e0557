package dev.bkv.crypto.opaque;

import java.util.Objects;

/** The record to upload to the server and the client's export key. */
public record ClientRegistrationResult(RegistrationRecord record, ExportKey exportKey) {
  public ClientRegistrationResult {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(exportKey, "exportKey");
  }
}
