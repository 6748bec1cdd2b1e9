package dev.trailmark.agent.internal.weave;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * The agent's class file transformer: a hash lookup by class name for every class the JVM loads,
 * and ASM rewriting (ByteBuddy's bundled copy) for the few classes named by a {@link Rule}.
 * Start-up cost is a handful of classes, not a bytecode framework.
 */
public final class Weaver implements ClassFileTransformer {

  static final String BRIDGE = "dev/trailmark/agent/bootstrap/Bridge";
  static final String SUFFIX = "$trailmark";
  static final String EXIT =
      "(ILjava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Throwable;)Ljava/lang/Object;";

  private final Map<String, List<Rule>> rules;
  private final Instrumentation inst;
  private final Module bridgeModule;
  private final boolean debug;
  private final List<String> woven = Collections.synchronizedList(new ArrayList<>());

  public Weaver(List<Rule> rules, Instrumentation inst, Module bridgeModule, boolean debug) {
    Map<String, List<Rule>> byClass = new HashMap<>();
    for (Rule rule : rules) {
      List<Rule> forClass = byClass.get(rule.className);
      if (forClass == null) {
        forClass = new ArrayList<>();
        byClass.put(rule.className, forClass);
      }
      forClass.add(rule);
    }
    this.rules = byClass;
    this.inst = inst;
    this.bridgeModule = bridgeModule;
    this.debug = debug;
  }

  /** Registers this weaver and rewrites the already-loaded classes that rules allow to be. */
  public void install() {
    inst.addTransformer(this, true);
    List<Class<?>> loaded = new ArrayList<>();
    for (Class<?> c : inst.getAllLoadedClasses()) {
      List<Rule> forClass = rules.get(c.getName().replace('.', '/'));
      if (forClass != null && inst.isModifiableClass(c)) {
        for (Rule rule : forClass) {
          if (rule.retransformable()) {
            loaded.add(c);
            break;
          }
        }
      }
    }
    if (!loaded.isEmpty()) {
      try {
        inst.retransformClasses(loaded.toArray(new Class<?>[0]));
      } catch (Throwable t) {
        System.err.println(
            "[trailmark-agent] could not instrument loaded classes " + loaded + ": " + t);
      }
    }
  }

  /** Descriptions of the methods woven so far (the debug switch prints them as they happen). */
  public List<String> woven() {
    synchronized (woven) {
      return new ArrayList<>(woven);
    }
  }

  @Override
  public byte[] transform(
      Module module,
      ClassLoader loader,
      String className,
      Class<?> redefined,
      ProtectionDomain domain,
      byte[] bytes) {
    if (className == null) {
      return null;
    }
    List<Rule> forClass = rules.get(className);
    if (forClass == null) {
      return null;
    }
    try {
      if (module != null && module.isNamed() && !module.canRead(bridgeModule)) {
        // Woven JDK classes call the bridge, which lives in the boot loader's unnamed module.
        inst.redefineModule(module, Set.of(bridgeModule), Map.of(), Map.of(), Set.of(), Map.of());
      }
      return weave(bytes, forClass, redefined != null, loader);
    } catch (Throwable t) {
      couldNotInstrument(className, t);
      return null;
    }
  }

  /** The one line for a class left as it was: a transformer never throws into class loading. */
  static void couldNotInstrument(String className, Throwable t) {
    System.err.println(
        "[trailmark-agent] could not instrument " + className.replace('/', '.') + ": " + t);
  }

  byte[] weave(byte[] bytes, List<Rule> forClass, boolean alreadyLoaded, ClassLoader loader) {
    ClassReader reader = new ClassReader(bytes);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    RuleVisitor visitor = new RuleVisitor(writer, forClass, alreadyLoaded);
    reader.accept(visitor, 0);
    if (visitor.applied.isEmpty()) {
      if (!alreadyLoaded) {
        // A class the agent knows by name, without any method it knows: a library version it was
        // not made for.
        System.err.println(
            "[trailmark-agent] "
                + forClass.get(0).instrumentation
                + ": left "
                + forClass.get(0).className.replace('/', '.')
                + " alone (no method the agent knows; unknown version?)");
      }
      return null;
    }
    for (Rule rule : visitor.applied) {
      String line =
          rule + " (" + (loader == null ? "bootstrap" : loader.getClass().getName()) + ")";
      woven.add(line);
      if (debug) {
        System.err.println("[trailmark-agent] instrumented " + line);
      }
    }
    return writer.toByteArray();
  }

  private static final class RuleVisitor extends ClassVisitor {
    private final List<Rule> rules;
    private final boolean alreadyLoaded;
    private final List<Rule> applied = new ArrayList<>();
    private final List<Object[]> wrappers = new ArrayList<>();
    private String owner;
    private boolean isInterface;

    RuleVisitor(ClassVisitor next, List<Rule> rules, boolean alreadyLoaded) {
      super(Opcodes.ASM9, next);
      this.rules = rules;
      this.alreadyLoaded = alreadyLoaded;
    }

    @Override
    public void visit(
        int version,
        int access,
        String name,
        String signature,
        String superName,
        String[] interfaces) {
      owner = name;
      isInterface = (access & Opcodes.ACC_INTERFACE) != 0;
      super.visit(version, access, name, signature, superName, interfaces);
    }

    @Override
    public MethodVisitor visitMethod(
        int access, String name, String desc, String signature, String[] exceptions) {
      for (Rule rule : rules) {
        if (!rule.matches(name, desc)) {
          continue;
        }
        if (rule.descriptor == null
            && (access & (Opcodes.ACC_BRIDGE | Opcodes.ACC_SYNTHETIC)) != 0) {
          continue; // a compiler's bridge calls the overload that is wrapped anyway
        }
        boolean concrete = (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0;
        if (!concrete || isInterface) {
          break;
        }
        switch (rule.kind) {
          case WRAP:
            if (alreadyLoaded) {
              break; // adding a method is not allowed on retransformation
            }
            applied.add(rule);
            wrappers.add(new Object[] {access, name, desc, signature, exceptions, rule});
            int renamed =
                (access & ~(Opcodes.ACC_PUBLIC | Opcodes.ACC_PROTECTED))
                    | Opcodes.ACC_PRIVATE
                    | Opcodes.ACC_SYNTHETIC;
            return super.visitMethod(renamed, name + SUFFIX, desc, signature, exceptions);
          case TASK_ARGUMENT:
            applied.add(rule);
            return new TaskArgument(
                super.visitMethod(access, name, desc, signature, exceptions), rule, access, desc);
          case CONSTRUCTOR_EXIT:
            applied.add(rule);
            return new ConstructorExit(
                super.visitMethod(access, name, desc, signature, exceptions));
          default:
            break;
        }
      }
      return super.visitMethod(access, name, desc, signature, exceptions);
    }

    @Override
    public void visitEnd() {
      for (Object[] w : wrappers) {
        writeWrapper(
            (Integer) w[0],
            (String) w[1],
            (String) w[2],
            (String) w[3],
            (String[]) w[4],
            (Rule) w[5]);
      }
      super.visitEnd();
    }

    /**
     * {@code Object[] a = {args}; Object s = Bridge.enter(hook, this, a); args = a...; try { r =
     * original(args); } catch (Throwable t) { Bridge.exit(hook, s, this, null, t); throw t; }
     * Bridge.exit(hook, s, this, r, null); return r;}
     */
    private void writeWrapper(
        int access, String name, String desc, String signature, String[] exceptions, Rule rule) {
      int wrapperAccess =
          access
              & ~(Opcodes.ACC_SYNCHRONIZED
                  | Opcodes.ACC_NATIVE
                  | Opcodes.ACC_ABSTRACT
                  | Opcodes.ACC_BRIDGE);
      MethodVisitor mv = super.visitMethod(wrapperAccess, name, desc, signature, exceptions);
      boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
      Type[] args = Type.getArgumentTypes(desc);
      Type ret = Type.getReturnType(desc);
      int slot = isStatic ? 0 : 1;
      int[] argSlots = new int[args.length];
      for (int i = 0; i < args.length; i++) {
        argSlots[i] = slot;
        slot += args[i].getSize();
      }
      int arraySlot = slot;
      int scopeSlot = slot + 1;
      int resultSlot = slot + 2;
      int thrownSlot = slot + 2;

      mv.visitCode();
      pushInt(mv, rule.site == null ? args.length : args.length + 1);
      mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
      for (int i = 0; i < args.length; i++) {
        mv.visitInsn(Opcodes.DUP);
        pushInt(mv, i);
        mv.visitVarInsn(args[i].getOpcode(Opcodes.ILOAD), argSlots[i]);
        box(mv, args[i]);
        mv.visitInsn(Opcodes.AASTORE);
      }
      if (rule.site != null) {
        mv.visitInsn(Opcodes.DUP);
        pushInt(mv, args.length);
        mv.visitLdcInsn(rule.site);
        mv.visitInsn(Opcodes.AASTORE);
      }
      mv.visitVarInsn(Opcodes.ASTORE, arraySlot);
      pushInt(mv, rule.hook);
      loadThis(mv, isStatic);
      mv.visitVarInsn(Opcodes.ALOAD, arraySlot);
      mv.visitMethodInsn(
          Opcodes.INVOKESTATIC,
          BRIDGE,
          "enter",
          "(ILjava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;",
          false);
      mv.visitVarInsn(Opcodes.ASTORE, scopeSlot);
      for (int i = 0; i < args.length; i++) {
        if (args[i].getSort() == Type.OBJECT || args[i].getSort() == Type.ARRAY) {
          // The enter hook may replace a reference argument (an HTTP request with trace headers
          // added).
          mv.visitVarInsn(Opcodes.ALOAD, arraySlot);
          pushInt(mv, i);
          mv.visitInsn(Opcodes.AALOAD);
          mv.visitTypeInsn(Opcodes.CHECKCAST, args[i].getInternalName());
          mv.visitVarInsn(Opcodes.ASTORE, argSlots[i]);
        }
      }

      Label start = new Label();
      Label end = new Label();
      Label handler = new Label();
      mv.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
      mv.visitLabel(start);
      loadThis(mv, isStatic);
      for (int i = 0; i < args.length; i++) {
        mv.visitVarInsn(args[i].getOpcode(Opcodes.ILOAD), argSlots[i]);
      }
      mv.visitMethodInsn(
          isStatic ? Opcodes.INVOKESTATIC : Opcodes.INVOKESPECIAL,
          owner,
          name + SUFFIX,
          desc,
          false);
      mv.visitLabel(end);
      if (ret.getSort() != Type.VOID) {
        mv.visitVarInsn(ret.getOpcode(Opcodes.ISTORE), resultSlot);
      }
      pushInt(mv, rule.hook);
      mv.visitVarInsn(Opcodes.ALOAD, scopeSlot);
      loadThis(mv, isStatic);
      if (ret.getSort() == Type.VOID) {
        mv.visitInsn(Opcodes.ACONST_NULL);
      } else {
        mv.visitVarInsn(ret.getOpcode(Opcodes.ILOAD), resultSlot);
        box(mv, ret);
      }
      mv.visitInsn(Opcodes.ACONST_NULL);
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "exit", EXIT, false);
      if (ret.getSort() == Type.VOID) {
        mv.visitInsn(Opcodes.POP);
        mv.visitInsn(Opcodes.RETURN);
      } else if (ret.getSort() == Type.OBJECT || ret.getSort() == Type.ARRAY) {
        mv.visitTypeInsn(Opcodes.CHECKCAST, ret.getInternalName());
        mv.visitInsn(Opcodes.ARETURN);
      } else {
        mv.visitInsn(Opcodes.POP);
        mv.visitVarInsn(ret.getOpcode(Opcodes.ILOAD), resultSlot);
        mv.visitInsn(ret.getOpcode(Opcodes.IRETURN));
      }

      mv.visitLabel(handler);
      List<Object> locals = new ArrayList<>();
      if (!isStatic) {
        locals.add(owner);
      }
      for (Type arg : args) {
        locals.add(frameType(arg));
      }
      locals.add("[Ljava/lang/Object;");
      locals.add("java/lang/Object");
      mv.visitFrame(
          Opcodes.F_NEW, locals.size(), locals.toArray(), 1, new Object[] {"java/lang/Throwable"});
      mv.visitVarInsn(Opcodes.ASTORE, thrownSlot);
      pushInt(mv, rule.hook);
      mv.visitVarInsn(Opcodes.ALOAD, scopeSlot);
      loadThis(mv, isStatic);
      mv.visitInsn(Opcodes.ACONST_NULL);
      mv.visitVarInsn(Opcodes.ALOAD, thrownSlot);
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "exit", EXIT, false);
      mv.visitInsn(Opcodes.POP);
      mv.visitVarInsn(Opcodes.ALOAD, thrownSlot);
      mv.visitInsn(Opcodes.ATHROW);
      mv.visitMaxs(0, 0);
      mv.visitEnd();
    }
  }

  private static void loadThis(MethodVisitor mv, boolean isStatic) {
    if (isStatic) {
      mv.visitInsn(Opcodes.ACONST_NULL);
    } else {
      mv.visitVarInsn(Opcodes.ALOAD, 0);
    }
  }

  private static Object frameType(Type type) {
    switch (type.getSort()) {
      case Type.BOOLEAN:
      case Type.BYTE:
      case Type.CHAR:
      case Type.SHORT:
      case Type.INT:
        return Opcodes.INTEGER;
      case Type.LONG:
        return Opcodes.LONG;
      case Type.FLOAT:
        return Opcodes.FLOAT;
      case Type.DOUBLE:
        return Opcodes.DOUBLE;
      default:
        return type.getInternalName();
    }
  }

  private static void box(MethodVisitor mv, Type type) {
    String boxed;
    switch (type.getSort()) {
      case Type.BOOLEAN:
        boxed = "java/lang/Boolean";
        break;
      case Type.BYTE:
        boxed = "java/lang/Byte";
        break;
      case Type.CHAR:
        boxed = "java/lang/Character";
        break;
      case Type.SHORT:
        boxed = "java/lang/Short";
        break;
      case Type.INT:
        boxed = "java/lang/Integer";
        break;
      case Type.LONG:
        boxed = "java/lang/Long";
        break;
      case Type.FLOAT:
        boxed = "java/lang/Float";
        break;
      case Type.DOUBLE:
        boxed = "java/lang/Double";
        break;
      default:
        return;
    }
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        boxed,
        "valueOf",
        "(" + type.getDescriptor() + ")L" + boxed + ";",
        false);
  }

  private static void pushInt(MethodVisitor mv, int value) {
    if (value >= -1 && value <= 5) {
      mv.visitInsn(Opcodes.ICONST_0 + value);
    } else if (value <= Byte.MAX_VALUE) {
      mv.visitIntInsn(Opcodes.BIPUSH, value);
    } else {
      mv.visitIntInsn(Opcodes.SIPUSH, value);
    }
  }

  /** {@code arg = (Runnable) Bridge.wrapTask(arg);} at method entry. */
  private static final class TaskArgument extends MethodVisitor {
    private final int slot;
    private final String type;

    TaskArgument(MethodVisitor next, Rule rule, int access, String desc) {
      super(Opcodes.ASM9, next);
      Type[] args = Type.getArgumentTypes(desc);
      int s = (access & Opcodes.ACC_STATIC) != 0 ? 0 : 1;
      for (int i = 0; i < rule.argument; i++) {
        s += args[i].getSize();
      }
      this.slot = s;
      this.type = args[rule.argument].getInternalName();
    }

    @Override
    public void visitCode() {
      super.visitCode();
      super.visitVarInsn(Opcodes.ALOAD, slot);
      super.visitMethodInsn(
          Opcodes.INVOKESTATIC,
          BRIDGE,
          "wrapTask",
          "(Ljava/lang/Object;)Ljava/lang/Object;",
          false);
      super.visitTypeInsn(Opcodes.CHECKCAST, type);
      super.visitVarInsn(Opcodes.ASTORE, slot);
    }
  }

  /** {@code Bridge.logEvent(this);} before every return of a constructor. */
  private static final class ConstructorExit extends MethodVisitor {
    ConstructorExit(MethodVisitor next) {
      super(Opcodes.ASM9, next);
    }

    @Override
    public void visitInsn(int opcode) {
      if (opcode == Opcodes.RETURN) {
        super.visitVarInsn(Opcodes.ALOAD, 0);
        super.visitMethodInsn(
            Opcodes.INVOKESTATIC, BRIDGE, "logEvent", "(Ljava/lang/Object;)V", false);
      }
      super.visitInsn(opcode);
    }
  }
}
