package dev.trailmark.agent.weave;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Wraps the application's methods annotated {@code @WithSpan} (OpenTelemetry's instrumentation
 * annotations, or the older extension annotations): unlike the {@link Rule}s, these are found by
 * annotation, not by name. A class is parsed only when its bytes contain the annotation's name (a
 * byte search, no parsing, for every other class); the wrapping itself is the {@link Weaver}'s.
 */
public final class WithSpanWeaver implements ClassFileTransformer {

  /** Told of each annotated method before its class is woven. */
  public interface Listener {
    /**
     * @param site what the enter hook finds after the method's arguments: names the method
     * @param className the class, with dots
     * @param spanName the annotation's {@code value}, or empty
     * @param kind the annotation's {@code kind} (a {@code SpanKind} name), or null
     * @param attributes per parameter, its {@code @SpanAttribute} name (its parameter name when the
     *     annotation names none and the class was compiled with {@code -parameters}), or null
     */
    void annotated(
        String site,
        String className,
        String method,
        String spanName,
        String kind,
        String[] attributes);
  }

  private final String instrumentation;
  private final int hook;
  private final Weaver weaver;
  private final Listener listener;
  private final byte[][] markers;
  private final String[] withSpan;
  private final String[] spanAttribute;

  /**
   * @param packages the annotations' packages, internal form ({@code
   *     io/opentelemetry/instrumentation/annotations}), built at run time by the caller so that
   *     shading leaves them alone
   */
  public WithSpanWeaver(
      String instrumentation, int hook, Weaver weaver, Listener listener, String... packages) {
    this.instrumentation = instrumentation;
    this.hook = hook;
    this.weaver = weaver;
    this.listener = listener;
    markers = new byte[packages.length][];
    withSpan = new String[packages.length];
    spanAttribute = new String[packages.length];
    for (int i = 0; i < packages.length; i++) {
      withSpan[i] = "L" + packages[i] + "/WithSpan;";
      spanAttribute[i] = "L" + packages[i] + "/SpanAttribute;";
      markers[i] = withSpan[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  /** Registers this transformer. */
  public void install(Instrumentation inst) {
    inst.addTransformer(this, false);
  }

  @Override
  public byte[] transform(
      Module module,
      ClassLoader loader,
      String className,
      Class<?> redefined,
      ProtectionDomain domain,
      byte[] bytes) {
    if (loader == null
        || className == null
        || redefined != null
        || className.startsWith("java/")
        || className.startsWith("jdk/")
        || className.startsWith("sun/")
        || !containsAny(bytes)) {
      return null;
    }
    try {
      List<Rule> rules = new ArrayList<>();
      new ClassReader(bytes).accept(new Finder(className, rules), ClassReader.SKIP_CODE);
      return rules.isEmpty() ? null : weaver.weave(bytes, rules, false, loader);
    } catch (Throwable t) {
      System.err.println(
          "[trailmark-agent] could not instrument " + className.replace('/', '.') + ": " + t);
      return null;
    }
  }

  private boolean containsAny(byte[] bytes) {
    for (byte[] marker : markers) {
      if (indexOf(bytes, marker) >= 0) {
        return true;
      }
    }
    return false;
  }

  static int indexOf(byte[] bytes, byte[] marker) {
    byte first = marker[0];
    outer:
    for (int i = 0, last = bytes.length - marker.length; i <= last; i++) {
      if (bytes[i] != first) {
        continue;
      }
      for (int j = 1; j < marker.length; j++) {
        if (bytes[i + j] != marker[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private boolean isWithSpan(String desc) {
    for (String d : withSpan) {
      if (d.equals(desc)) {
        return true;
      }
    }
    return false;
  }

  private boolean isSpanAttribute(String desc) {
    for (String d : spanAttribute) {
      if (d.equals(desc)) {
        return true;
      }
    }
    return false;
  }

  /** Finds the annotated concrete methods of one class. */
  private final class Finder extends ClassVisitor {
    private final String className;
    private final List<Rule> rules;

    Finder(String className, List<Rule> rules) {
      super(Opcodes.ASM9);
      this.className = className;
      this.rules = rules;
    }

    @Override
    public MethodVisitor visitMethod(
        int access, String name, String desc, String signature, String[] exceptions) {
      if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE | Opcodes.ACC_SYNTHETIC)) != 0
          || name.startsWith("<")) {
        return null;
      }
      int parameters = Type.getArgumentTypes(desc).length;
      String[] attributes = new String[parameters];
      String[] parameterNames = new String[parameters];
      String[] found = new String[2]; // span name, kind; found[0] != null: annotated
      return new MethodVisitor(Opcodes.ASM9) {
        private int parameterIndex;

        @Override
        public void visitParameter(String parameterName, int parameterAccess) {
          if (parameterIndex < parameters) {
            parameterNames[parameterIndex++] = parameterName;
          }
        }

        @Override
        public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
          if (!isWithSpan(annotation)) {
            return null;
          }
          found[0] = "";
          return new AnnotationVisitor(Opcodes.ASM9) {
            @Override
            public void visit(String key, Object value) {
              if ("value".equals(key) && value instanceof String) {
                found[0] = (String) value;
              }
            }

            @Override
            public void visitEnum(String key, String enumDesc, String value) {
              if ("kind".equals(key)) {
                found[1] = value;
              }
            }
          };
        }

        @Override
        public AnnotationVisitor visitParameterAnnotation(
            int parameter, String annotation, boolean visible) {
          if (!isSpanAttribute(annotation) || parameter >= parameters) {
            return null;
          }
          attributes[parameter] = "";
          return new AnnotationVisitor(Opcodes.ASM9) {
            @Override
            public void visit(String key, Object value) {
              if ("value".equals(key) && value instanceof String) {
                attributes[parameter] = (String) value;
              }
            }
          };
        }

        @Override
        public void visitEnd() {
          if (found[0] == null) {
            return;
          }
          for (int i = 0; i < parameters; i++) {
            if (attributes[i] != null && attributes[i].isEmpty()) {
              attributes[i] = parameterNames[i]; // null without -parameters: not recorded
            }
          }
          String site = className.replace('/', '.') + "." + name + desc;
          listener.annotated(
              site, className.replace('/', '.'), name, found[0], found[1], attributes);
          rules.add(Rule.wrapSite(instrumentation, className, name, desc, hook, site));
        }
      };
    }
  }
}
