/**
 * The host's tests that use the test kit. The module has no code of its own: its tests (package
 * {@code io.proxywasm.host.tests}) are patched into it when they run on the module path, so that
 * they see the host as an embedder does, through its exported API and the kit.
 */
module io.proxywasm.host.tests {
  requires io.proxywasm.testkit;
}
