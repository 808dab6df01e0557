package dev.bkv.modelcheck;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Chooses models from the manifests and checks each one: the entry point shared by
 * {@code bkv check} and the model-tests build. Big models run only when asked for, by flag
 * or by naming them.
 */
public final class ModelCheck {
  private ModelCheck() {}

  /** Which models to run: optionally one spec, optionally one model of it. */
  public record Selection(Optional<String> spec, Optional<String> model, boolean includeBig) {}

  /** A model chosen to run, with the manifest it belongs to. */
  public record Planned(Manifest manifest, ModelEntry model) {
    public String label() {
      return manifest.spec() + "/" + model.name();
    }
  }

  /** The models {@code selection} picks from {@code manifests}, in manifest order. */
  public static List<Planned> plan(List<Manifest> manifests, Selection selection) throws ManifestException {
    List<Manifest> specs = manifests;
    if (selection.spec().isPresent()) {
      String name = selection.spec().get();
      specs = manifests.stream().filter(m -> m.spec().equals(name)).collect(Collectors.toList());
      if (specs.isEmpty()) {
        throw new ManifestException("no spec named " + name + " (known: " + names(manifests) + ")");
      }
    }
    List<Planned> planned = new ArrayList<>();
    for (Manifest manifest : specs) {
      for (ModelEntry model : manifest.models()) {
        boolean named = selection.model().map(model.name()::equals).orElse(false);
        boolean inSuite = model.suite() == ModelEntry.Suite.DEFAULT || selection.includeBig();
        if (selection.model().isPresent() ? named : inSuite) {
          planned.add(new Planned(manifest, model));
        }
      }
    }
    if (planned.isEmpty() && selection.model().isPresent()) {
      throw new ManifestException("no model named " + selection.model().get() + " in "
          + (selection.spec().isPresent() ? "spec " + selection.spec().get() : names(specs)));
    }
    if (planned.isEmpty()) {
      throw new ManifestException("no models selected");
    }
    return planned;
  }

  /** Runs one planned model and judges the result against its manifest entry. */
  public static ModelReport check(Planned planned, TlcInvocation.Settings settings, ProgressListener listener)
      throws IOException {
    TlcInvocation invocation = TlcInvocation.forModel(planned.manifest(), planned.model(), settings);
    TlcResult result = TlcRunner.run(invocation, planned.model().mode(), planned.model().timeout(), listener);
    ModelVerdict verdict = ModelVerdict.judge(planned.model(), planned.manifest().stateTolerancePercent(), result);
    return new ModelReport(planned.manifest().spec(), planned.model(), result, verdict);
  }

  private static String names(List<Manifest> manifests) {
    return manifests.stream().map(Manifest::spec).collect(Collectors.joining(", "));
  }
}
