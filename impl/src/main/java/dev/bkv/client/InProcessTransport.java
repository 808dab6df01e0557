package dev.bkv.client;

import dev.bkv.hsm.VaultFirmware;

/** A transport that hands bytes straight to firmware in the same process (the demo, tests). */
public final class InProcessTransport implements VaultTransport {
  private VaultFirmware firmware;

  public InProcessTransport(VaultFirmware firmware) {
    this.firmware = firmware;
  }

  /** Points the transport at a restarted firmware, as a frontend does after an HSM restart. */
  public synchronized void reconnect(VaultFirmware restarted) {
    this.firmware = restarted;
  }

  @Override
  public synchronized byte[] exchange(byte[] request) {
    return firmware.handle(request);
  }
}
