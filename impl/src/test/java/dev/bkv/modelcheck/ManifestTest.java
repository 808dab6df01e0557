package dev.bkv.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest reader accepts the documented format and rejects each kind of mistake by name. */
class ManifestTest {
  @TempDir Path tmp;

  private Manifest readWith(String models) throws Exception {
    Path root = ToySpec.write(tmp, models);
    return Manifest.read(root.resolve("Toy").resolve("manifest.json"));
  }

  private String rejected(String models) throws IOException {
    Path root = ToySpec.write(tmp, models);
    return assertThrows(ManifestException.class,
        () -> Manifest.read(root.resolve("Toy").resolve("manifest.json"))).getMessage();
  }

  @Test
  void readsEveryFieldOfTheDocumentedFormat() throws Exception {
    Manifest m = readWith(ToySpec.MODELS + ",\n    {\"name\": \"ToySim\", \"config\": \"ToyOk.cfg\", \"mode\": \"simulate\","
        + " \"seed\": -7, \"traces\": 100, \"traceDepth\": 20, \"expect\": \"ok\", \"timeoutSeconds\": 60}");
    assertEquals("Toy", m.spec());
    assertEquals("Toy", m.module());
    assertEquals(1, m.stateTolerancePercent());
    assertEquals(5, m.models().size());
    ModelEntry ok = m.model("ToyOk").orElseThrow();
    assertEquals(new TlcOutcome.Ok(), ok.expected());
    assertEquals(OptionalLong.of(16), ok.distinctStates());
    assertEquals(OptionalLong.of(7), ok.recordedDepth());
    assertEquals("every state", ok.description());
    assertEquals(ModelEntry.Suite.DEFAULT, ok.suite());
    assertEquals(Manifest.TIMEOUT_DEFAULT, ok.timeout());
    assertEquals(new TlcOutcome.InvariantViolated("Small"), m.model("ToyBad").orElseThrow().expected());
    assertEquals(ModelEntry.Suite.BIG, m.model("ToyBig").orElseThrow().suite());
    ModelEntry sim = m.model("ToySim").orElseThrow();
    assertEquals(new ModelEntry.Simulation(-7, 100, 20), sim.simulation().orElseThrow());
    assertEquals(60, sim.timeout().toSeconds());
    assertEquals(1, sim.workers(2), "simulations replay from their seed with one worker");
    assertEquals(2, ok.workers(2));
    assertEquals(1, m.model("ToyBad").orElseThrow().workers(2), "violations are counted with one worker");
  }

  @Test
  void rejectsUnknownKeysSoThatTyposFailLoudly() throws IOException {
    String msg = rejected("{\"name\": \"A\", \"config\": \"ToyOk.cfg\", \"expect\": \"ok\", \"distinctState\": 16}");
    assertTrue(msg.contains("models[0]: unknown key \"distinctState\""), msg);
  }

  @Test
  void rejectsConfigsOutsideTheSpecFolderOrMissing() throws IOException {
    assertTrue(rejected("{\"name\": \"A\", \"config\": \"../x.cfg\", \"expect\": \"ok\", \"distinctStates\": 1}")
        .contains("plain .cfg file name"));
    assertTrue(rejected("{\"name\": \"A\", \"config\": \"Nope.cfg\", \"expect\": \"ok\", \"distinctStates\": 1}")
        .contains("config Nope.cfg not found"));
  }

  @Test
  void rejectsInconsistentExpectations() throws IOException {
    assertTrue(rejected("{\"name\": \"A\", \"config\": \"ToyOk.cfg\", \"expect\": \"invariant\", \"distinctStates\": 1}")
        .contains("missing \"invariant\""));
    assertTrue(rejected("{\"name\": \"A\", \"config\": \"ToyOk.cfg\", \"expect\": \"ok\", \"invariant\": \"X\", \"distinctStates\": 1}")
        .contains("\"invariant\" not allowed"));
    assertTrue(rejected("{\"name\": \"A\", \"config\": \"ToyOk.cfg\", \"expect\": \"maybe\", \"distinctStates\": 1}")
        .contains("expect must be ok, invariant, temporal or deadlock"));
    assertTrue(rejected("{\"name\": \"A\", \"config\": \"ToyOk.cfg\", \"expect\": \"ok\"}")
        .contains("missing \"distinctStates\""), "a BFS model records its count");
    assertTrue(rejected("{\"name\": \"A\", \"config\": \"ToyOk.cfg\", \"mode\": \"simulate\", \"seed\": 1,"
        + " \"traces\": 1, \"traceDepth\": 1, \"expect\": \"ok\", \"distinctStates\": 1}")
        .contains("simulations do not record a state count"));
    assertTrue(rejected("{\"name\": \"A\", \"config\": \"ToyOk.cfg\", \"expect\": \"ok\", \"distinctStates\": 1, \"seed\": 3}")
        .contains("only simulations take seed"));
    assertTrue(rejected("{\"name\": \"A\", \"config\": \"ToyOk.cfg\", \"suite\": \"huge\", \"expect\": \"ok\", \"distinctStates\": 1}")
        .contains("must be one of default, big"));
  }

  @Test
  void rejectsDuplicateNamesBadNamesAndOutOfRangeNumbers() throws IOException {
    String a = "{\"name\": \"A\", \"config\": \"ToyOk.cfg\", \"expect\": \"ok\", \"distinctStates\": 1}";
    assertTrue(rejected(a + ",\n" + a).contains("duplicate model name A"));
    assertTrue(rejected(a.replace("\"A\"", "\"a b\"")).contains("\"name\" must be an identifier"));
    assertTrue(rejected(a.replace("\"distinctStates\": 1", "\"distinctStates\": 0")).contains("must be in 1.."));
    assertTrue(rejected(a.replace("}", ", \"timeoutSeconds\": 999999}")).contains("\"timeoutSeconds\" must be in"));
  }

  @Test
  void rejectsAManifestThatDoesNotNameItsFolderOrFormat() throws IOException {
    Path root = ToySpec.write(tmp);
    Path file = root.resolve("Toy").resolve("manifest.json");
    Files.writeString(file, ToySpec.manifest("Other", ToySpec.MODELS));
    assertTrue(assertThrows(ManifestException.class, () -> Manifest.read(file)).getMessage()
        .contains("spec \"Other\" is not the name of its folder"));
    Files.writeString(file, ToySpec.manifest("Toy", ToySpec.MODELS).replace("/1", "/2"));
    assertTrue(assertThrows(ManifestException.class, () -> Manifest.read(file)).getMessage()
        .contains("expected \"bkv-tlc-manifest/1\""));
    Files.writeString(file, "{\"format\": ");
    assertTrue(assertThrows(ManifestException.class, () -> Manifest.read(file)).getMessage().contains("not valid JSON"));
    Files.writeString(file, " ".repeat(Manifest.MANIFEST_BYTES_MAX + 1));
    assertTrue(assertThrows(ManifestException.class, () -> Manifest.read(file)).getMessage().contains("larger than"));
  }

  @Test
  void theCatalogFindsSpecRootsFromBelowAndListsEveryManifest() throws Exception {
    Path root = ToySpec.write(tmp);
    Path deep = Files.createDirectories(tmp.resolve("a").resolve("b"));
    assertEquals(root.toAbsolutePath(), SpecCatalog.locateSpecRoot(deep));
    assertEquals(1, SpecCatalog.discover(root).size());
    Path empty = Files.createDirectories(tmp.resolve("elsewhere"));
    assertThrows(ManifestException.class, () -> SpecCatalog.discover(empty.resolve("missing")));
  }
}
