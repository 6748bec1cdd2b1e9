package dev.trailmark.agent.instrument;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One instrumentation: which types it touches, and which advice class goes on which of their methods.
 * Matching is by name wherever possible, so that start-up stays cheap.
 */
public interface Instrumentation {

  /** The name used by {@code TRAILMARK_INSTRUMENTATION_<NAME>_ENABLED} and the debug print. */
  String name();

  /** The types to transform. */
  ElementMatcher<TypeDescription> types();

  /** Pairs of method matcher and advice class name, applied in order. */
  MethodAdvice[] advice();

  /** A method matcher and the advice class inlined into the methods it matches. */
  final class MethodAdvice {
    final ElementMatcher<? super MethodDescription> methods;
    final String adviceClass;

    public MethodAdvice(ElementMatcher<? super MethodDescription> methods, String adviceClass) {
      this.methods = methods;
      this.adviceClass = adviceClass;
    }

    public ElementMatcher<? super MethodDescription> methods() {
      return methods;
    }

    public String adviceClass() {
      return adviceClass;
    }
  }
}
