package io.proxywasm.host;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyAttributes;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * How long the property tests run. The build runs each property's own tries with its own fixed
 * seed, so that a run is a few seconds and repeats exactly; a longer run multiplies the tries with
 * {@code -Dproxywasm.fuzz.scale=N} and may pick the seed with {@code -Dproxywasm.fuzz.seed=S}
 * ({@code random} for a new one each run; jqwik prints the seed of a failing run).
 */
@SuppressWarnings("exports") // a test class: jqwik's types need not be exported with it
public final class FuzzBudget implements AroundPropertyHook {
  /** Made by jqwik. */
  public FuzzBudget() {}

  /** Added on a test class, it applies to each of its properties. */
  @Override
  public PropagationMode propagateTo() {
    return PropagationMode.ALL_DESCENDANTS;
  }

  @Override
  public PropertyExecutionResult aroundProperty(
      PropertyLifecycleContext context, PropertyExecutor property) {
    PropertyAttributes attributes = context.attributes();
    int scale = Integer.getInteger("proxywasm.fuzz.scale", 1);
    if (scale < 1) {
      throw new IllegalArgumentException("proxywasm.fuzz.scale must be at least 1, not " + scale);
    }
    attributes.tries().ifPresent(t -> attributes.setTries(t * scale));
    String seed = System.getProperty("proxywasm.fuzz.seed", "");
    if (seed.equals("random")) {
      attributes.setSeed("");
    } else if (!seed.isEmpty()) {
      attributes.setSeed(seed);
    }
    return property.execute();
  }
}
