package io.proxywasm.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.ServiceConfigurationError;
import org.junit.jupiter.api.Test;

/** Stats sinks are found by the one discovery rule: a bad registration hides no other. */
class SinkDiscoveryTest {

  private static WasmStatsSinkProvider provider(String name, WasmStatsSink sink) {
    return new WasmStatsSinkProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public WasmStatsSink create() {
        if (sink == null) {
          throw new IllegalStateException("no sink today");
        }
        return sink;
      }
    };
  }

  /** What a ServiceLoader yields when the first registration names a class that cannot load. */
  private static Iterable<WasmStatsSinkProvider> brokenThen(List<WasmStatsSinkProvider> good) {
    return () ->
        new Iterator<>() {
          private int next = -1;

          @Override
          public boolean hasNext() {
            return next < good.size();
          }

          @Override
          public WasmStatsSinkProvider next() {
            if (next == -1) {
              next++;
              throw new ServiceConfigurationError(
                  "io.proxywasm.envoy.WasmStatsSinkProvider: Provider no.such.Sink not found");
            }
            if (next >= good.size()) {
              throw new NoSuchElementException();
            }
            return good.get(next++);
          }
        };
  }

  @Test
  void aBrokenRegistrationNextToAGoodOneHidesNothing() {
    RecordingSink good = new RecordingSink();
    RecordingSink later = new RecordingSink();
    EnvoyWasmExtension extension =
        EnvoyWasmExtension.withSinksFrom(
            brokenThen(
                List.of(
                    provider("good", good),
                    provider("failing", null),
                    provider("twice", new RecordingSink()),
                    provider("twice", new RecordingSink()),
                    provider("later", later))));
    assertEquals(List.of(good, later), extension.sinks());
  }
}
