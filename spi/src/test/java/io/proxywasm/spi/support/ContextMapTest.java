package io.proxywasm.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContextMapTest {

  @Test
  void behavesAsAHashMapUnderRandomPutsAndRemoves() {
    Random random = new Random(42);
    ContextMap<String> map = new ContextMap<>();
    Map<Integer, String> reference = new HashMap<>();
    for (int step = 0; step < 200_000; step++) {
      // a small key range makes collisions, long probe runs and backward shifts common
      int key = 1 + random.nextInt(step % 2 == 0 ? 64 : 5_000);
      switch (random.nextInt(3)) {
        case 0 -> {
          String v = "v" + step;
          map.put(key, v);
          reference.put(key, v);
        }
        case 1 -> assertEquals(reference.remove(key), map.remove(key), "remove " + key);
        default -> assertEquals(reference.get(key), map.get(key), "get " + key);
      }
      assertEquals(reference.size(), map.size());
    }
    for (Map.Entry<Integer, String> e : reference.entrySet()) {
      assertEquals(e.getValue(), map.get(e.getKey()));
    }
    assertEquals(
        new java.util.TreeSet<>(reference.values()), new java.util.TreeSet<>(map.values()));
  }

  @Test
  void negativeAndLargeIdsWork() {
    ContextMap<String> map = new ContextMap<>();
    map.put(Integer.MAX_VALUE, "max");
    map.put(-1, "minus one");
    assertEquals("max", map.get(Integer.MAX_VALUE));
    assertEquals("minus one", map.remove(-1));
    assertNull(map.get(-1));
    assertNull(map.get(0));
    assertThrows(IllegalArgumentException.class, () -> map.put(0, "zero"));
  }
}
