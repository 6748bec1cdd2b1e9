package dev.trailmark.agent.internal.weave;

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
 * annotation, not by name. A class is parsed only when its constant pool holds the annotation's
 * descriptor (a walk over the pool's entries for every other class); the wrapping itself is the
 * {@link Weaver}'s.
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
      Weaver.couldNotInstrument(className, t);
      return null;
    }
  }

  private boolean containsAny(byte[] bytes) {
    return hasUtf8Constant(bytes, markers);
  }

  /**
   * Whether the class file's constant pool holds one of {@code constants} (UTF-8 entries, as an
   * annotation's descriptor is): a walk over the pool's entries, comparing only entries of the
   * right length, about fifteen times cheaper than searching every byte. False for anything that is
   * not a class file this walk understands.
   */
  static boolean hasUtf8Constant(byte[] bytes, byte[][] constants) {
    if (bytes.length < 10 || u2(bytes, 0) != 0xCAFE || u2(bytes, 2) != 0xBABE) {
      return false;
    }
    int count = u2(bytes, 8);
    int i = 10;
    for (int n = 1; n < count && i < bytes.length; n++) {
      switch (bytes[i] & 0xff) {
        case 1: // Utf8
          int length = u2(bytes, i + 1);
          for (byte[] constant : constants) {
            if (length == constant.length
                && i + 3 + length <= bytes.length
                && java.util.Arrays.equals(bytes, i + 3, i + 3 + length, constant, 0, length)) {
              return true;
            }
          }
          i += 3 + length;
          break;
        case 3: // Integer
        case 4: // Float
        case 9: // Fieldref
        case 10: // Methodref
        case 11: // InterfaceMethodref
        case 12: // NameAndType
        case 17: // Dynamic
        case 18: // InvokeDynamic
          i += 5;
          break;
        case 5: // Long
        case 6: // Double: two entries
          i += 9;
          n++;
          break;
        case 7: // Class
        case 8: // String
        case 16: // MethodType
        case 19: // Module
        case 20: // Package
          i += 3;
          break;
        case 15: // MethodHandle
          i += 4;
          break;
        default:
          return false;
      }
    }
    return false;
  }

  private static int u2(byte[] bytes, int i) {
    return ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
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
