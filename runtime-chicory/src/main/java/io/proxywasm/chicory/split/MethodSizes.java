package io.proxywasm.chicory.split;

import org.objectweb.asm.ClassReader;

/**
 * Reads the bytecode length of each method of a class file from its {@code Code} attributes,
 * without decoding any instruction: how both compilers find the methods HotSpot will not
 * JIT-compile.
 */
public final class MethodSizes {
  /** Receives a method's name and bytecode length. */
  @FunctionalInterface
  public interface Consumer {
    /**
     * Receives one method's size.
     *
     * @param name the method's name
     * @param size its bytecode's length in bytes
     */
    void accept(String name, int size);
  }

  private MethodSizes() {}

  /**
   * Reads the bytecode length of every method of a class that has code.
   *
   * @param reader the class
   * @param sizes receives each method's name and size
   */
  public static void read(ClassReader reader, Consumer sizes) {
    char[] chars = new char[reader.getMaxStringLength()];
    int u = reader.header + 6; // access flags, this class, super class
    u += 2 + 2 * reader.readUnsignedShort(u); // interfaces
    int fields = reader.readUnsignedShort(u);
    u += 2;
    for (int f = 0; f < fields; f++) {
      u = skipAttributes(reader, u + 6);
    }
    int methods = reader.readUnsignedShort(u);
    u += 2;
    for (int m = 0; m < methods; m++) {
      String name = reader.readUTF8(u + 2, chars);
      int attributes = reader.readUnsignedShort(u + 6);
      u += 8;
      for (int a = 0; a < attributes; a++) {
        int length = reader.readInt(u + 2);
        // Code: name, length, max stack, max locals, then the code's length
        if ("Code".equals(reader.readUTF8(u, chars))) {
          sizes.accept(name, reader.readInt(u + 10));
        }
        u += 6 + length;
      }
    }
  }

  /** Moves past the attribute count and attributes at {@code u}. */
  private static int skipAttributes(ClassReader reader, int u) {
    int attributes = reader.readUnsignedShort(u);
    u += 2;
    for (int a = 0; a < attributes; a++) {
      u += 6 + reader.readInt(u + 2);
    }
    return u;
  }
}
