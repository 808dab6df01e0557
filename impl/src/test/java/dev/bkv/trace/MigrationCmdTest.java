package dev.bkv.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bkv.crypto.Sha256Digest;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Command;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import org.junit.jupiter.api.Test;

/** Fleet-rotation commands, which spec/QuorumVault does not model, are named as outside it in traces (never as a spec op). */
class MigrationCmdTest {
  @Test
  void migrationCommandsMapToNotInQuorumVault() throws Exception {
    UserId alice = UserId.ofUtf8("alice");
    RegistrationId reg = new RegistrationId(new byte[16]);
    Sha256Digest digest = Sha256Digest.of(new byte[] {1});
    Cmd out = Cmd.of(new Command.MigrateOut(alice, reg, digest));
    Cmd in = Cmd.of(new Command.MigrateIn(alice, reg, new byte[129], 3, 10, new BackupKey(new byte[32]), new byte[97], digest));
    for (Cmd c : new Cmd[] {out, in}) {
      assertEquals(Cmd.Op.NOT_IN_SPEC, c.op());
      assertEquals("NotInQuorumVault", c.op().specName);
      assertEquals(alice, c.user());
      assertEquals(reg, c.reg());
    }
  }
}
