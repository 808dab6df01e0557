package dev.bkv.modelcheck;

import java.time.Duration;
import java.util.Optional;

/** Receives a running model's progress; the CLI prints it, tests may ignore it. */
public interface ProgressListener {
  /** TLC printed a progress report. */
  void onProgress(TlcProgress progress);

  /** Called every few seconds between reports, so a slow model still shows it is alive. */
  void onTick(Duration elapsed, Optional<TlcProgress> latest);

  ProgressListener SILENT = new ProgressListener() {
    @Override
    public void onProgress(TlcProgress progress) {}

    @Override
    public void onTick(Duration elapsed, Optional<TlcProgress> latest) {}
  };
}
