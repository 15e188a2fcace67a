package io.proxywasm.envoy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sink registered with ServiceLoader by the tests (class path only). */
public final class TestSinkProvider implements WasmStatsSinkProvider {
  /** Every sink created, for the test to inspect. */
  static final List<RecordingSink> CREATED = new CopyOnWriteArrayList<>();

  /** Creates the provider. */
  public TestSinkProvider() {}

  @Override
  public String name() {
    return "test";
  }

  @Override
  public WasmStatsSink create() {
    RecordingSink sink = new RecordingSink();
    CREATED.add(sink);
    return sink;
  }
}
