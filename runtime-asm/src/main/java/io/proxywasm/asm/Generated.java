package io.proxywasm.asm;

/**
 * Defines a translated module's class, each in its own class loader, so that the class is unloaded
 * once no VM of the module remains.
 */
final class Generated extends ClassLoader {
  static {
    ClassLoader.registerAsParallelCapable();
  }

  private Generated(ClassLoader parent) {
    super("proxy-wasm-asm", parent);
  }

  /**
   * Defines the class of a translation and gives it access to this runtime's support classes.
   *
   * @param result the translation
   * @return the class
   */
  static Class<? extends AsmInstance> define(Translator.Result result) {
    Generated loader = new Generated(AsmInstance.class.getClassLoader());
    // On the module path the generated class, in the loader's unnamed module, may use the
    // runtime's package only once this module exports it to that module.
    Module runtime = AsmInstance.class.getModule();
    runtime.addExports(AsmInstance.class.getPackageName(), loader.getUnnamedModule());
    String name = result.className().replace('/', '.');
    byte[] bytes = result.bytes();
    Class<?> defined = loader.defineClass(name, bytes, 0, bytes.length);
    try {
      defined.getField("TYPES").set(null, result.functionTypes());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the generated class lacks its type table", e);
    }
    return defined.asSubclass(AsmInstance.class);
  }
}
